/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_random: random mode of `cmm sim`, a swarm.  Each seed draws a subset
 * of the fault classes (enum cmm_sim_fault; --faults pins them), so rare
 * mixes happen: loss, duplication, jitter, one-way and non-transitive cuts,
 * partitions, crashes (also right after an accept or a commit), selective
 * loss of one round message type, several nodes leaving together, slow
 * devices.  Safe policies and a ring of devices; random starts.  When the
 * duration ends everything heals (some crashed nodes may stay dead) and the
 * checker wants liveness (docs/PROTOCOL.md: one cluster of every live node
 * within a bound, then a quiet window), then one burst of (n-1)/2 failures
 * that must cost exactly one epoch.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/sim.h"

/* a random run's network without the jitter fault, and after the faults
 * stop: copies of one send arrive up to a millisecond apart */
#define RANDOM_JITTER_MS	1

static void	random_queue(struct cmm_sim *s, enum cmm_sim_act kind, int64_t t,
		    int n, int k);
static void	random_stay_dead(struct cmm_sim *s);
static void	random_settled_poll(struct cmm_sim *s, int phase);
static void	random_rejoin(struct cmm_sim *s, int id);

static const char *const fault_names[CMM_SIM_F__COUNT] = {
	"loss", "dup", "jitter", "oneway", "partition", "nontransitive",
	"crash", "crash-accept", "crash-commit", "roundloss", "leave",
	"slowdev", "staydead",
};

const char *
cmm_sim_fault_name(int f)
{
	return f >= 0 && f < CMM_SIM_F__COUNT ? fault_names[f] : "?";
}

int
cmm_sim_parse_faults(const char *text, uint32_t *mask)
{
	char buf[512], *p, *save = NULL;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	*mask = 0;
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		int f;

		if (strcmp(p, "all") == 0) {
			*mask |= (UINT32_C(1) << CMM_SIM_F__COUNT) - 1;
			continue;
		}
		for (f = 0; f < CMM_SIM_F__COUNT; f++)
			if (strcmp(p, fault_names[f]) == 0)
				break;
		if (f == CMM_SIM_F__COUNT)
			return -1;
		*mask |= UINT32_C(1) << f;
	}
	return *mask != 0 ? 0 : -1;
}

static bool
has(const struct cmm_sim *s, int f)
{
	return (s->faults >> f) & 1;
}
static int	random_pick(struct cmm_sim *s, bool live, bool started);
static void	random_fault(struct cmm_sim *s);
static uint32_t	random_top_epoch(const struct cmm_sim *s);
static int	random_epochs_above(const struct cmm_sim *s, uint32_t e);

int64_t
cmm_sim_liveness_bound(const struct cmm_sim *s)
{
	const struct cmm_core_cfg *c = s->cfg;

	return 2 * c->failure_timeout_ms + 2 * c->join_retry_ms +
	    10 * c->round_timeout_ms;
}

static void
random_queue(struct cmm_sim *s, enum cmm_sim_act kind, int64_t t, int n, int k)
{
	struct cmm_sim_action a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.t = t;
	a.n = n;
	a.k = k;
	cmm_sim_add_action(s, &a, kind >= CMM_SIM_A_HEAL_ALL ? 1 : 0);
}

void
cmm_sim_random_setup(struct cmm_sim *s, int64_t duration, bool faults)
{
	struct cmm_core_cfg *cfg = s->cfg;
	int64_t bound, quiet, slot_t[8];
	int nslots, ndev;

	s->random = true;
	cfg->isolation = CMM_ISOLATION_ISOLATED;
	cfg->winner = CMM_WINNER_LOWEST;
	cfg->initial = CMM_INITIAL_MAJORITY;
	cfg->on_quorum_loss = CMM_LOSS_REJOIN;
	/* the FIG. 1 ring: device i is shared by nodes i and i+1 */
	ndev = s->n < 2 ? 0 : s->n == 2 ? 1 :
	    s->n < CMM_MAX_DEVICES ? s->n : CMM_MAX_DEVICES;
	cfg->n_devices = ndev;
	for (int i = 0; i < ndev; i++) {
		struct cmm_device_cfg *d = &cfg->devices[i];

		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "d%d-%d", i, (i + 1) % s->n);
		cmm_set_add(&d->nodes, i);
		cmm_set_add(&d->nodes, (i + 1) % s->n);
	}
	s->latency_ms = 1;
	s->jitter_ms = RANDOM_JITTER_MS;
	s->dup_ppm = 0;
	if (s->o.faults != 0) {
		s->faults = s->o.faults;
	} else if (faults) {
		/* a swarm: each class with even odds, at least one */
		do {
			s->faults = (uint32_t)cmm_rng_below(&s->rng,
			    UINT64_C(1) << CMM_SIM_F__COUNT);
		} while (s->faults == 0);
	}
	{
		char list[256] = "";

		for (int f = 0; f < CMM_SIM_F__COUNT; f++)
			if (has(s, f)) {
				if (list[0])
					strcat(list, ",");
				strcat(list, fault_names[f]);
			}
		cmm_sim_trace(s, -1, "swarm: faults %s", list[0] ? list : "none");
	}
	if (has(s, CMM_SIM_F_JITTER)) {
		s->jitter_ms = 3 + (int64_t)cmm_rng_below(&s->rng, 20);
		/* fast_fail's window covers the round trip's variation, as
		 * the failure timeout covers heartbeat gaps (cmm.conf(5)):
		 * nodes that crash together are then suspect together */
		if (cfg->suspect_confirm_ms < 2 * (s->latency_ms + s->jitter_ms))
			cfg->suspect_confirm_ms = 2 * (s->latency_ms +
			    s->jitter_ms);
	}
	if (has(s, CMM_SIM_F_DUP))
		s->dup_ppm = 5000 + (uint32_t)cmm_rng_below(&s->rng, 45000);
	if (has(s, CMM_SIM_F_SLOWDEV)) {
		s->devlat_ms = 5 + (int64_t)cmm_rng_below(&s->rng, 100);
		s->devjit_ms = (int64_t)cmm_rng_below(&s->rng, 200);
	}

	/* starts: a few instants shared by several nodes, some late ones */
	nslots = 1 + (int)cmm_rng_below(&s->rng, 8);
	for (int i = 0; i < nslots; i++)
		slot_t[i] = (int64_t)cmm_rng_below(&s->rng, 2000);
	for (int i = 0; i < s->n; i++) {
		int64_t t = slot_t[cmm_rng_below(&s->rng, (uint64_t)nslots)];

		if (duration > 4000 && cmm_rng_below(&s->rng, 100) < 15)
			t = 2000 + (int64_t)cmm_rng_below(&s->rng,
			    (uint64_t)duration / 2);
		{
			struct cmm_sim_action a;

			memset(&a, 0, sizeof(a));
			a.kind = CMM_SIM_A_START;
			a.t = t;
			cmm_set_add(&a.set, i);
			cmm_sim_add_action(s, &a, 0);
		}
	}
	if (faults && duration > 2000)
		random_queue(s, CMM_SIM_A_RANDOM, 2000 +
		    (int64_t)cmm_rng_below(&s->rng, 1000), -1, 0);

	bound = cmm_sim_liveness_bound(s);
	quiet = 10 * cfg->failure_timeout_ms;
	s->heal_at = duration;
	s->settled_since = -1;
	random_queue(s, CMM_SIM_A_HEAL_ALL, duration, -1, 0);
	random_queue(s, CMM_SIM_A_SETTLED, duration + cfg->heartbeat_ms, -1, 0);
	/* the latest the run can end; it ends a quiet window after the
	 * burst settles (random_settled_poll) */
	s->end = duration + 2 * bound + 2 * quiet;
}

/* A random node that is up (live) or down; started: only nodes that ran
 * before.  -1 if there is none. */
static int
random_pick(struct cmm_sim *s, bool live, bool started)
{
	int cand = 0, pick;

	for (int i = 0; i < s->n; i++)
		if ((s->nodes[i].core != NULL) == live &&
		    (!started || s->nodes[i].started_once))
			cand++;
	if (cand == 0)
		return -1;
	pick = (int)cmm_rng_below(&s->rng, (uint64_t)cand);
	for (int i = 0; i < s->n; i++)
		if ((s->nodes[i].core != NULL) == live &&
		    (!started || s->nodes[i].started_once) && pick-- == 0)
			return i;
	return -1;
}

/* One fault of a class this seed uses (or a heal). */
static void
random_fault(struct cmm_sim *s)
{
	int cls[CMM_SIM_F__COUNT + 1], ncls = 0, kind, a, b;
	int64_t hb = s->cfg->heartbeat_ms;

	for (int f = 0; f < CMM_SIM_F__COUNT; f++)
		if (has(s, f) && f != CMM_SIM_F_STAYDEAD && f != CMM_SIM_F_SLOWDEV)
			cls[ncls++] = f;
	cls[ncls++] = -1;	/* heal */
	kind = cls[cmm_rng_below(&s->rng, (uint64_t)ncls)];
	switch (kind) {
	case CMM_SIM_F_CRASH:
		switch (cmm_rng_below(&s->rng, 3)) {
		case 0:
			if ((a = random_pick(s, true, false)) >= 0)
				cmm_sim_kill_node(s, a);
			break;
		case 1:
			if ((a = random_pick(s, false, true)) >= 0 ||
			    (a = random_pick(s, false, false)) >= 0)
				cmm_sim_start_node(s, a);
			break;
		default:	/* several nodes start at one instant */
			for (int i = 0; i < 3; i++)
				if ((a = random_pick(s, false, false)) >= 0)
					cmm_sim_start_node(s, a);
			break;
		}
		break;
	case CMM_SIM_F_PARTITION: {
		int ng = 2 + (int)cmm_rng_below(&s->rng, 2);
		struct cmm_set g[3];
		char buf[200] = "";

		for (int i = 0; i < ng; i++)
			cmm_set_clear(&g[i]);
		for (int i = 0; i < s->n; i++)
			cmm_set_add(&g[cmm_rng_below(&s->rng, (uint64_t)ng)], i);
		for (int i = 0; i < ng; i++) {
			size_t l = strlen(buf);

			if (i > 0 && l + 3 < sizeof(buf))
				strcat(buf, " | "), l += 3;
			cmm_set_format(&g[i], buf + l, sizeof(buf) - l);
		}
		cmm_sim_trace(s, -1, "partition %s", buf);
		cmm_sim_net_partition(s, g, ng);
		break;
	}
	case CMM_SIM_F_ONEWAY:
	case CMM_SIM_F_NONTRANS:
		if (s->n < 2)
			break;
		a = (int)cmm_rng_below(&s->rng, (uint64_t)s->n);
		b = (int)cmm_rng_below(&s->rng, (uint64_t)s->n - 1);
		if (b >= a)
			b++;
		cmm_sim_trace(s, -1, "cut %d %s %d", a,
		    kind == CMM_SIM_F_ONEWAY ? "->" : "<->", b);
		cmm_sim_net_cut(s, a, b, kind == CMM_SIM_F_ONEWAY);
		break;
	case CMM_SIM_F_LOSS:
		s->loss_ppm = 50000 + (uint32_t)cmm_rng_below(&s->rng, 450000);
		cmm_sim_trace(s, -1, "loss %" PRIu32 " ppm", s->loss_ppm);
		random_queue(s, CMM_SIM_A_LOSS, s->now + 500 +
		    (int64_t)cmm_rng_below(&s->rng, 2500), -1, 0);
		break;
	case CMM_SIM_F_DUP:
		s->dup_ppm = 20000 + (uint32_t)cmm_rng_below(&s->rng, 200000);
		cmm_sim_trace(s, -1, "duplicate %" PRIu32 " ppm", s->dup_ppm);
		random_queue(s, CMM_SIM_A_DUP, s->now + 500 +
		    (int64_t)cmm_rng_below(&s->rng, 2500), -1, 0);
		break;
	case CMM_SIM_F_JITTER:
		s->delay_ms = 5 + (int64_t)cmm_rng_below(&s->rng,
		    (uint64_t)(2 * hb > 5 ? 2 * hb : 5));
		cmm_sim_trace(s, -1, "extra delay %" PRId64 " ms", s->delay_ms);
		random_queue(s, CMM_SIM_A_DELAY, s->now + 500 +
		    (int64_t)cmm_rng_below(&s->rng, 2500), -1, 0);
		break;
	case CMM_SIM_F_CRASH_ACCEPT:
	case CMM_SIM_F_CRASH_COMMIT:
		/* armed: the next accepts (or commits) may crash their node */
		if (kind == CMM_SIM_F_CRASH_ACCEPT)
			s->crash_accept_ppm = 100000 +
			    (uint32_t)cmm_rng_below(&s->rng, 400000);
		else
			s->crash_commit_ppm = 100000 +
			    (uint32_t)cmm_rng_below(&s->rng, 400000);
		cmm_sim_trace(s, -1, "crash after %s armed",
		    kind == CMM_SIM_F_CRASH_ACCEPT ? "accept" : "commit");
		random_queue(s, CMM_SIM_A_RANDOM_DISARM, s->now + 200 +
		    (int64_t)cmm_rng_below(&s->rng, 1500), -1, 0);
		break;
	case CMM_SIM_F_ROUNDLOSS: {
		/* one round message type lost on a few links */
		int t = CMM_MSG_PREPARE + (int)cmm_rng_below(&s->rng,
		    CMM_MSG_COMMIT - CMM_MSG_PREPARE + 1);
		int links = 1 + (int)cmm_rng_below(&s->rng, (uint64_t)s->n);

		for (int i = 0; i < links && s->n >= 2; i++) {
			a = (int)cmm_rng_below(&s->rng, (uint64_t)s->n);
			b = (int)cmm_rng_below(&s->rng, (uint64_t)s->n - 1);
			if (b >= a)
				b++;
			cmm_sim_net_drop(s, a, b, UINT32_C(1) << t);
		}
		cmm_sim_trace(s, -1, "drop %s on %d link(s)",
		    cmm_msg_type_name(t), links);
		random_queue(s, CMM_SIM_A_RANDOM_UNDROP, s->now + 200 +
		    (int64_t)cmm_rng_below(&s->rng, 3000), -1, 0);
		break;
	}
	case CMM_SIM_F_LEAVE: {
		/* several members leave at one instant, and come back later */
		int k = 1 + (int)cmm_rng_below(&s->rng, (uint64_t)s->n / 2 + 1);
		int64_t back = s->now + 1000 + (int64_t)cmm_rng_below(&s->rng,
		    4000);

		for (int i = 0; i < k; i++) {
			const char *why = NULL;

			if ((a = random_pick(s, true, false)) < 0 ||
			    !s->nodes[a].member)
				continue;
			cmm_sim_trace(s, -1, "leave %d", a);
			if (cmm_core_leave(s->nodes[a].core, s->now, &why) != 0)
				cmm_sim_trace(s, a, "leave refused: %s",
				    why ? why : "");
			cmm_sim_after_input(s, &s->nodes[a]);
			random_queue(s, CMM_SIM_A_JOIN, back, a, 0);
		}
		break;
	}
	default:
		cmm_sim_trace(s, -1, "heal");
		cmm_sim_net_heal(s);
		break;
	}
}

static uint32_t
random_top_epoch(const struct cmm_sim *s)
{
	return s->nepochs > 0 ? s->epochs[s->nepochs - 1].epoch : 0;
}

static int
random_epochs_above(const struct cmm_sim *s, uint32_t e)
{
	int k = 0;

	for (size_t i = 0; i < s->nepochs; i++)
		if (s->epochs[i].epoch > e)
			k++;
	return k;
}

void
cmm_sim_random_action(struct cmm_sim *s, const struct cmm_sim_action *a)
{
	int64_t gap;
	char why[512];

	switch (a->kind) {
	case CMM_SIM_A_RANDOM:
		if (s->now >= s->heal_at)
			break;
		random_fault(s);
		gap = 100 + (int64_t)cmm_rng_below(&s->rng,
		    (uint64_t)(2 * s->cfg->failure_timeout_ms + 1));
		if (s->now + gap < s->heal_at)
			random_queue(s, CMM_SIM_A_RANDOM, s->now + gap, -1, 0);
		break;
	case CMM_SIM_A_RANDOM_DISARM:
		s->crash_accept_ppm = 0;
		s->crash_commit_ppm = 0;
		break;
	case CMM_SIM_A_RANDOM_UNDROP:
		s->ndrops = 0;
		break;
	case CMM_SIM_A_HEAL_ALL:
		cmm_sim_trace(s, -1, "faults stop: heal everything, restart "
		    "the nodes that are down");
		cmm_sim_net_heal(s);
		s->loss_ppm = 0;
		s->delay_ms = 0;
		s->jitter_ms = RANDOM_JITTER_MS;
		s->dup_ppm = 0;
		s->crash_accept_ppm = 0;
		s->crash_commit_ppm = 0;
		if (has(s, CMM_SIM_F_STAYDEAD))
			random_stay_dead(s);
		for (int i = 0; i < s->n; i++) {
			if (s->nodes[i].core != NULL)
				random_rejoin(s, i);	/* stopped or leaving */
			else if (!cmm_set_has(&s->stay_dead, i))
				cmm_sim_start_node(s, i);
		}
		break;
	case CMM_SIM_A_REJOIN:
		random_rejoin(s, a->n);
		break;
	case CMM_SIM_A_SETTLED:
		random_settled_poll(s, a->k);
		break;
	case CMM_SIM_A_QUIET:
		if (s->st.commits != s->quiet_epochs)
			cmm_sim_violate(s, a->k ? "one step per burst" :
			    "liveness", NULL, "%" PRIu64 " commits during a "
			    "quiet window of 10 failure timeouts",
			    s->st.commits - s->quiet_epochs);
		else if (!cmm_sim_converged(s, why, sizeof(why)))
			cmm_sim_violate(s, "liveness", NULL, "after a quiet "
			    "window: %s", why);
		else
			cmm_sim_trace(s, -1, "quiet window: no commits");
		break;
	case CMM_SIM_A_BURST: {
		struct cmm_set live, kill;
		int n, k;
		char b1[256];

		cmm_set_clear(&live);
		for (int i = 0; i < s->n; i++)
			if (s->nodes[i].core != NULL)
				cmm_set_add(&live, i);
		n = cmm_set_count(&live);
		k = (n - 1) / 2;
		s->burst_epoch = random_top_epoch(s);
		cmm_set_clear(&kill);
		for (int j = 0; j < k; j++) {
			int pick = (int)cmm_rng_below(&s->rng, (uint64_t)(n - j));

			for (int i = cmm_set_next(&live, 0); i >= 0;
			    i = cmm_set_next(&live, i + 1))
				if (!cmm_set_has(&kill, i) && pick-- == 0) {
					cmm_set_add(&kill, i);
					break;
				}
		}
		cmm_set_minus(&s->burst_survivors, &live, &kill);
		s->burst_killed = k;
		cmm_set_format(&kill, b1, sizeof(b1));
		cmm_sim_trace(s, -1, "burst: %d of %d fail at once: %s", k, n,
		    k > 0 ? b1 : "none");
		for (int i = cmm_set_next(&kill, 0); i >= 0;
		    i = cmm_set_next(&kill, i + 1))
			cmm_sim_kill_node(s, i);
		s->burst_at = s->now;
		s->settled_since = -1;
		random_queue(s, CMM_SIM_A_SETTLED, s->now +
		    s->cfg->heartbeat_ms, -1, 1);
		break;
	}
	default:
		break;
	}
}

/* At the heal and after: a stopped node joins again, and one still
 * leaving once its leave has ended, tried every failure timeout while it
 * lasts: two tries at fixed times (1 and 3 failure timeouts) both fell
 * inside a leave that was finished by a value accepted before the heal
 * (seed 40002586, 3 nodes), and the node stayed out. */
static void
random_rejoin(struct cmm_sim *s, int id)
{
	struct cmm_sim_node *n = &s->nodes[id];
	struct cmm_core_status st;
	const char *w = NULL;

	if (n->core == NULL)
		return;
	cmm_core_status(n->core, &st);
	if (st.state == CMM_ST_LEAVING) {
		if (s->now - s->heal_at < cmm_sim_liveness_bound(s))
			random_queue(s, CMM_SIM_A_REJOIN, s->now +
			    s->cfg->failure_timeout_ms, id, 0);
		return;
	}
	if (st.state != CMM_ST_STOPPED)
		return;
	cmm_sim_trace(s, -1, "join %d", id);
	if (cmm_core_join(n->core, s->now, &w) != 0)
		cmm_sim_trace(s, id, "join refused: %s", w ? w : "");
	cmm_sim_after_input(s, n);
}

/* One cluster of every live node (cmm_sim_converged), each of them a
 * member with no round running and not leaving: nothing left that would
 * commit without a new fault. */
static bool
random_settled(const struct cmm_sim *s, char *why, size_t len)
{
	struct cmm_core_status st;

	if (!cmm_sim_converged(s, why, len))
		return false;
	for (int i = 0; i < s->n; i++) {
		if (s->nodes[i].core == NULL)
			continue;
		cmm_core_status(s->nodes[i].core, &st);
		if (st.state != CMM_ST_MEMBER) {
			snprintf(why, len, "node %d is %s", i,
			    cmm_state_name(st.state));
			return false;
		}
	}
	return true;
}

/*
 * After the heal (phase 0) and after the burst (phase 1), polled once a
 * heartbeat: has the cluster settled (random_settled, with no commit, for
 * two failure timeouts)?  Then that phase's check and a quiet window from
 * there; at the liveness bound the check runs whatever the poll says.
 * Waiting out the whole bound (9 s at the default timings) however early
 * the cluster settled was most of a long run's simulated time, all of it
 * heartbeats; the quiet window now starts where the cluster converged.
 */
static void
random_settled_poll(struct cmm_sim *s, int phase)
{
	int64_t from = phase == 0 ? s->heal_at : s->burst_at;
	int64_t bound = cmm_sim_liveness_bound(s);
	int64_t quiet = 10 * s->cfg->failure_timeout_ms;
	char why[512];
	int k, want;

	if (!random_settled(s, why, sizeof(why)) ||
	    (s->settled_since >= 0 && s->st.commits != s->settled_commits)) {
		s->settled_since = -1;
	} else if (s->settled_since < 0) {
		s->settled_since = s->now;
		s->settled_commits = s->st.commits;
	}
	if (s->now - from < bound && (s->settled_since < 0 ||
	    s->now - s->settled_since < 2 * s->cfg->failure_timeout_ms)) {
		random_queue(s, CMM_SIM_A_SETTLED, s->now +
		    s->cfg->heartbeat_ms, -1, phase);
		return;
	}
	s->quiet_epochs = s->st.commits;
	if (phase == 0) {
		if (!cmm_sim_converged(s, why, sizeof(why)))
			cmm_sim_violate(s, "liveness", NULL, "%" PRId64 " ms "
			    "after faults stopped: %s", s->now - from, why);
		else
			cmm_sim_trace(s, -1, "liveness: one cluster at epoch %"
			    PRIu32 ", %" PRId64 " ms after faults stopped",
			    random_top_epoch(s), s->now - from);
		random_queue(s, CMM_SIM_A_QUIET, s->now + quiet, -1, 0);
		random_queue(s, CMM_SIM_A_BURST, s->now + quiet, -1, 0);
		return;
	}
	k = random_epochs_above(s, s->burst_epoch);
	want = s->burst_killed > 0 ? 1 : 0;
	if (k != want)
		cmm_sim_violate(s, "one step per burst", NULL, "the burst after "
		    "epoch %" PRIu32 " cost %d epochs, not %d", s->burst_epoch,
		    k, want);
	else if (!cmm_sim_converged(s, why, sizeof(why)))
		cmm_sim_violate(s, "one step per burst", NULL, "survivors did "
		    "not all commit the new epoch: %s", why);
	else
		cmm_sim_trace(s, -1, "burst: one step, epoch %" PRIu32 ", %"
		    PRId64 " ms after it", random_top_epoch(s), s->now - from);
	random_queue(s, CMM_SIM_A_QUIET, s->now + quiet, -1, 1);
	s->end = s->now + quiet;
}

/* Keeps some crashed nodes down for good, as long as the configuration
 * chosen last, and every value accepted for the instance after it, keeps
 * a live quorum, and a node that will be up knows that configuration:
 * beyond that only force-quorum could move on, and that is not a
 * liveness failure of the protocol. */
static bool
rs_quorum(const struct cmm_sim *s, const struct cmm_set *V,
    const struct cmm_set *dead)
{
	struct cmm_set live;
	int nv = cmm_set_count(V), nl;

	cmm_set_minus(&live, V, dead);
	nl = cmm_set_count(&live);
	if (nv <= 2)
		return nl == nv;	/* no stand-ins counted on */
	if (2 * nl > nv)
		return true;
	return false;	/* a tie is too close to call here: keep it alive */
}

/* Whether a node outside dead has the configuration chosen for epoch on
 * its disk.  A lone member that chose a set without itself is the only
 * node that knows it until it tells one: kept dead, nobody learns it. */
static bool
rs_known(const struct cmm_sim *s, const struct cmm_set *dead, uint32_t epoch)
{
	for (int i = 0; i < s->n; i++)
		if (!cmm_set_has(dead, i) && s->nodes[i].has_disk &&
		    s->nodes[i].disk.epoch >= epoch)
			return true;
	return false;
}

static void
random_stay_dead(struct cmm_sim *s)
{
	const struct cmm_sim_epoch *top = s->nepochs > 0 ?
	    &s->epochs[s->nepochs - 1] : NULL;
	struct cmm_set vals[CMM_MAX_NODES / 8], dead;
	int nv = 0, budget = (s->n - 1) / 3;

	cmm_set_clear(&s->stay_dead);
	if (top == NULL || budget <= 0)
		return;
	vals[nv++] = top->members;
	for (int i = 0; i < s->n && nv < (int)(sizeof(vals) / sizeof(vals[0])); i++)
		if (s->nodes[i].has_disk && s->nodes[i].disk.epoch == top->epoch &&
		    s->nodes[i].disk.accepted != CMM_BALLOT_NONE)
			vals[nv++] = s->nodes[i].disk.value;
	dead = s->stay_dead;
	for (int i = 0; i < s->n && budget > 0; i++) {
		bool ok = true;

		if (s->nodes[i].core != NULL || cmm_rng_below(&s->rng, 2) == 0)
			continue;
		cmm_set_add(&dead, i);
		for (int v = 0; v < nv && ok; v++)
			ok = rs_quorum(s, &vals[v], &dead);
		if (!ok || !rs_known(s, &dead, top->epoch)) {
			cmm_set_del(&dead, i);
			continue;
		}
		budget--;
	}
	s->stay_dead = dead;
	if (!cmm_set_empty(&dead)) {
		char b[256];

		cmm_set_format(&dead, b, sizeof(b));
		cmm_sim_trace(s, -1, "these stay dead: %s", b);
	}
}
