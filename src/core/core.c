/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core: lifecycle, ticks, operator commands and introspection of the
 * protocol state machine.  The round is in core_coord.c (coordinator),
 * core_acceptor.c and core_learn.c; see core_int.h for the map.  No I/O
 * here: see core.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/core_int.h"
#include "util/fnv.h"

static void	core_prompt_timeout(struct cmm_core *c);
static const char *force_check(const struct cmm_core *c,
	    const struct cmm_set *dead, char *why, size_t len);

static const char *const state_names[CMM_ST__COUNT] = {
	"joining", "member", "reconfiguring", "awaiting-operator",
	"isolated", "no-quorum", "leaving", "stopped",
};

const char *
cmm_state_name(enum cmm_state s)
{
	if ((int)s < 0 || s >= CMM_ST__COUNT)
		return "?";
	return state_names[s];
}

int
cmm_state_parse(const char *name)
{
	for (int i = 0; i < CMM_ST__COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

const char *
cmm_phase_name(enum cmm_phase p)
{
	static const char *const n[CMM_PHASE__COUNT] = { "none", "wait",
		"prepare", "quorum", "accept", "fence", "backoff", "done" };

	if ((int)p < 0 || p >= CMM_PHASE__COUNT)
		return "?";
	return n[p];
}

const char *
cmm_event_type_name(enum cmm_event_type t)
{
	switch (t) {
	case CMM_EV_COMMIT:	return "commit";
	case CMM_EV_ROUND:	return "round";
	case CMM_EV_FAILURE:	return "failure";
	case CMM_EV_ALIVE:	return "alive";
	case CMM_EV_JOIN:	return "join";
	case CMM_EV_LEAVE:	return "leave";
	case CMM_EV_PROMPT:	return "prompt";
	case CMM_EV_ANSWER:	return "answer";
	case CMM_EV_FENCE:	return "fence";
	case CMM_EV_NO_QUORUM:	return "no-quorum";
	case CMM_EV_STATE:	return "state";
	case CMM_EV_QUORUM:	return "quorum";
	case CMM_EV_LEARN:	return "learn";
	case CMM_EV_SPLIT_BRAIN: return "split-brain";
	case CMM_EV_SUSPECT:	return "suspect";
	}
	return "event";
}

void
cmm_core_cfg_defaults(struct cmm_core_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < CMM_MAX_NODES; i++)
		cfg->priority[i] = i;
	cfg->heartbeat_ms = 100;
	cfg->failure_timeout_ms = 1000;
	cfg->round_timeout_ms = 500;
	cfg->join_retry_ms = 1000;
	cfg->leave_timeout_ms = 5000;
	cfg->prompt_timeout_ms = 0;
	cfg->initial = CMM_INITIAL_MAJORITY;
	cfg->isolation = CMM_ISOLATION_ASK;
	cfg->winner = CMM_WINNER_ASK;
	cfg->on_quorum_loss = CMM_LOSS_REJOIN;
	cfg->fast_fail = CMM_FAST_FAIL_YES;
	cfg->suspect_confirm_ms = 20;
}

/* ---- lifecycle ---- */

/* FIG. 9: the crown prince has the highest priority, and of equal ones
 * the highest id (as cmm_crown_prince): the configured ids in that order,
 * once, so finding the first of a set does not walk the whole set. */
static int
core_order_by_prio(struct cmm_core *c)
{
	const int *prio = c->cfg->priority;
	int n = 0;

	c->by_prio = malloc((size_t)cmm_set_count(&c->cfg->configured) *
	    sizeof(*c->by_prio));
	if (c->by_prio == NULL)
		return -1;
	/* insertion by descending id keeps equal priorities highest id
	 * first; at most 1024 ids, once per core */
	for (int i = c->npeers - 1; i >= 0; i--) {
		int j = n;

		if (!cmm_set_has(&c->cfg->configured, i))
			continue;
		n++;
		while (j > 0 && prio[c->by_prio[j - 1]] < prio[i]) {
			c->by_prio[j] = c->by_prio[j - 1];
			j--;
		}
		c->by_prio[j] = i;
	}
	c->nby_prio = n;
	return 0;
}

int
core_crown_prince(const struct cmm_core *c, const struct cmm_set *s)
{
	for (int k = 0; k < c->nby_prio; k++)
		if (cmm_set_has(s, c->by_prio[k]))
			return c->by_prio[k];
	return -1;
}

/* Two sets per peer, and one more while one is replaced (core_sets.c). */
static uint32_t
core_sets_need(const struct cmm_core *c)
{
	return 2 * (uint32_t)c->npeers + 1;
}

/* Gives back c's sets and its reserve. */
static void
core_sets_leave(struct cmm_core *c)
{
	if (c->sets == NULL)
		return;
	if (c->sets_own) {
		cmm_setpool_free(c->sets);
	} else {
		for (int i = 0; i < c->npeers; i++) {
			core_sets_put(c->sets, c->peers[i].row);
			core_sets_put(c->sets, c->peers[i].members);
		}
		core_sets_unreserve(c->sets, core_sets_need(c));
	}
	c->sets = NULL;
}

struct cmm_core *
cmm_core_new(const struct cmm_core_cfg *cfg, int self,
    const struct cmm_persist *loaded, const struct cmm_sink *sink, uint64_t seed)
{
	struct cmm_core *c;

	if (!cmm_set_has(&cfg->configured, self) || sink == NULL ||
	    sink->emit == NULL)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cfg = cfg;
	c->self = self;
	c->sink = *sink;
	cmm_rng_seed(&c->rng, seed ^ ((uint64_t)self << 32));
	c->npeers = cmm_set_max(&cfg->configured) + 1;
	/* each entry on a line of its own (core_int.h) */
	c->peers = aligned_alloc(64, (size_t)c->npeers * sizeof(*c->peers));
	if (c->peers == NULL) {
		free(c);
		return NULL;
	}
	memset(c->peers, 0, (size_t)c->npeers * sizeof(*c->peers));
	for (int i = 0; i < c->npeers; i++)
		c->peers[i].last_heard = -1;
	c->susp = calloc((size_t)c->npeers, sizeof(*c->susp));
	if (c->susp == NULL || (c->sets = cmm_setpool_new()) == NULL) {
		cmm_core_free(c);
		return NULL;
	}
	c->sets_own = true;
	if (core_sets_reserve(c->sets, core_sets_need(c)) != 0 ||
	    core_order_by_prio(c) != 0) {
		cmm_core_free(c);
		return NULL;
	}
	if (loaded != NULL)
		c->disk = *loaded;
	if (c->disk.epoch >= CMM_EPOCH_LIMIT || (c->disk.epoch > 0 &&
	    (cmm_set_empty(&c->disk.members) ||
	    !cmm_set_subset(&c->disk.members, &cfg->configured))) ||
	    c->disk.accepted > c->disk.promised ||
	    (c->disk.accepted != CMM_BALLOT_NONE &&
	    cmm_set_empty(&c->disk.value))) {
		/* the caller validates its state file; refuse what slips by */
		cmm_core_free(c);
		return NULL;
	}
	if (c->disk.epoch > 0) {
		c->hist[0].epoch = c->disk.epoch;
		c->hist[0].members = c->disk.members;
	}
	c->last_commit_time = -1;
	c->quorumless_since = -1;
	c->state = CMM_ST_JOINING;
	c->next_hb = CORE_NEVER;
	c->next_expiry = CORE_NEVER;
	c->news_at = -1;
	c->roll_at = -1;
	c->stepin_at = CORE_NEVER;
	c->petition_at = CORE_NEVER;
	c->hold_until = CORE_NEVER;
	c->leave_seen_at = -1;
	c->pending_since = -1;
	c->seen_coord_at = -1;
	cmm_set_add(&c->alive, self);
	return c;
}

int
cmm_core_share_sets(struct cmm_core *c, struct cmm_setpool *p)
{
	/* a new core's peers all hold the empty set, entry 0 of any pool */
	if (c->started || p == c->sets ||
	    core_sets_reserve(p, core_sets_need(c)) != 0)
		return -1;
	core_sets_leave(c);
	c->sets = p;
	c->sets_own = false;
	return 0;
}

void
cmm_core_free(struct cmm_core *c)
{
	if (c == NULL)
		return;
	core_sets_leave(c);
	free(c->by_prio);
	free(c->peers);
	free(c->susp);
	free(c);
}

int
cmm_core_start(struct cmm_core *c, int64_t now)
{
	c->now = now;
	/* a new incarnation tells peers this is a restart, not a live node */
	c->disk.incarnation++;
	/* the fast path's attempt 0 may have been used before the stop
	 * without reaching the disk (core_coord.c): never again in this
	 * instance */
	if (c->disk.next_attempt == 0)
		c->disk.next_attempt = 1;
	/* the caller refused a config that changed under the state, or
	 * accepted it on purpose: from now on the state is under this one */
	core_stamp_config(c);
	if (core_persist(c) != 0) {
		core_log(c, CMM_LOG_ERROR, "cannot persist the incarnation");
		return -1;
	}
	c->started = true;
	c->start_time = now;
	/* listen for two heartbeats before the first round, so a starting
	 * node knows who is alive (patent step 402) */
	c->listen_until = now + 2 * c->cfg->heartbeat_ms;
	c->next_hb = now;
	c->next_expiry = c->listen_until;
	core_log(c, CMM_LOG_INFO, "node %d started, incarnation %u, epoch %u%s",
	    c->self, c->disk.incarnation, c->disk.epoch,
	    c->disk.abstain > c->disk.epoch ? " (state lost: abstaining)" : "");
	cmm_core_on_tick(c, now);
	return 0;
}

/* ---- inputs ---- */

static void
core_advance(struct cmm_core *c, int64_t now)
{
	if (now > c->now)
		c->now = now;
}

void
cmm_core_on_packet(struct cmm_core *c, int64_t now, const struct cmm_msg *m)
{
	core_advance(c, now);
	if (c->started)
		suspect_announce(c);
	recv_packet(c, m);
	/* a timeout that fell due before this packet counts first, so a
	 * round never starts on a stale view */
	if (c->started && c->next_expiry <= c->now)
		detect_run(c);
	coord_evaluate(c);
	core_sync_state(c);
}

void
cmm_core_on_unreachable(struct cmm_core *c, int64_t now, int id)
{
	core_advance(c, now);
	if (!c->started || c->stopped || id < 0)
		return;
	suspect_announce(c);
	suspect_unreachable(c, id);
	if (c->next_expiry <= c->now)
		detect_run(c);
	coord_evaluate(c);
	core_sync_state(c);
}

void
cmm_core_on_flushed(struct cmm_core *c, int64_t now)
{
	core_advance(c, now);
	c->commit_unflushed = false;
}

void
cmm_core_on_flush_failed(struct cmm_core *c, int64_t now)
{
	core_advance(c, now);
	if (!c->started)
		return;
	core_fail_stop(c, "cannot persist a chosen configuration (announced, "
	    "then its flush failed)");
	core_sync_state(c);
}

void
cmm_core_on_foreign(struct cmm_core *c, int64_t now, const struct cmm_msg *m)
{
	core_advance(c, now);
	if (c->started && m->sender != c->self)
		learn_compare(c, m);
}

void
cmm_core_on_tick(struct cmm_core *c, int64_t now)
{
	int64_t hb_next;

	core_advance(c, now);
	if (!c->started)
		return;
	suspect_announce(c);
	/* The detector's scan is O(peers) (1023 entries at 1024 nodes).  Its
	 * next expiry can only be early (detect_heard never raises it), and
	 * the scan puts it right; it only matters once it would wake this
	 * node before its next heartbeat, so only then scan.  Every wake
	 * falls where it did with a scan at every tick. */
	hb_next = c->next_hb;
	if (c->now >= hb_next) {
		hb_next += c->cfg->heartbeat_ms;
		if (hb_next <= c->now)
			hb_next = c->now + c->cfg->heartbeat_ms;
	}
	if (c->next_expiry < hb_next)
		detect_run(c);
	if (c->now >= c->next_hb) {
		detect_heartbeat(c);
		c->next_hb += c->cfg->heartbeat_ms;
		if (c->next_hb <= c->now)
			c->next_hb = c->now + c->cfg->heartbeat_ms;
	}
	if (!c->stopped) {
		if (!c->listened && c->now >= c->listen_until)
			c->listened = true;
		if (c->leaving && c->now >= c->leave_deadline) {
			struct cmm_event ev;

			/* nobody took us out in time: stop, like a failure */
			coord_abandon(c, "leave timed out");
			c->leaving = false;
			c->stopped = true;
			c->member = false;
			core_event_init(c, &ev, CMM_EV_LEAVE);
			ev.peer = c->self;
			core_event(c, &ev, "stopped: no configuration without this "
			    "node was chosen in time");
		}
		learn_on_tick(c);
		coord_on_tick(c);
		if (c->prompt_open && c->prompt.deadline > 0 &&
		    c->now >= c->prompt.deadline)
			core_prompt_timeout(c);
		coord_evaluate(c);
	}
	core_sync_state(c);
}

int64_t
cmm_core_next_deadline(const struct cmm_core *c)
{
	int64_t t = c->next_hb;

	if (!c->started)
		return CORE_NEVER;
	if (c->next_expiry < t)
		t = c->next_expiry;
	if (c->news_at >= 0 && c->news_at + 1 < t)
		t = c->news_at + 1;	/* the next millisecond */
	if (!c->stopped) {
		int64_t r = coord_deadline(c);

		if (r < t)
			t = r;
		r = learn_deadline(c);
		if (r < t)
			t = r;
		if (c->leaving && c->leave_deadline < t)
			t = c->leave_deadline;
		if (c->prompt_open && c->prompt.deadline > 0 && c->prompt.deadline < t)
			t = c->prompt.deadline;
		if (!c->listened && c->listen_until < t)
			t = c->listen_until;
	}
	if (t <= c->now)
		t = c->now + 1;
	return t;
}

void
cmm_core_on_device_result(struct cmm_core *c, int64_t now, uint32_t id,
    const struct cmm_devres *res)
{
	core_advance(c, now);
	if (!c->stopped) {
		if (id != 0 && id == c->r.dev_req)
			coord_on_device(c, id, res);
		else if (coord_owns_request(c, id))
			coord_on_force_device(c, id, res);
		else
			learn_on_device(c, id, res);
		coord_evaluate(c);
	}
	core_sync_state(c);
}

/* ---- operator ---- */

/*
 * A prompt nobody answered in time gets the safe answer: "isolated", or
 * "the other node wins".  Said as what it is -- a policy answered, not an
 * operator -- in the log, an ANSWER event (the daemon records it in the
 * history) and the prompt's closing line.
 */
static void
core_prompt_timeout(struct cmm_core *c)
{
	struct cmm_event ev;
	long long secs = (long long)(c->cfg->prompt_timeout_ms + 999) / 1000;
	int other = c->prompt.choice[0] == c->self ? c->prompt.choice[1] :
	    c->prompt.choice[0];

	core_event_init(c, &ev, CMM_EV_ANSWER);
	ev.timed_out = true;
	if (c->prompt.kind == CMM_PROMPT_ISOLATION) {
		core_event(c, &ev, "prompt timed out after %lld s: the "
		    "prompt_timeout_s policy answered isolated (the safe "
		    "answer: this node stays out)", secs);
	} else {
		ev.peer = other;
		core_event(c, &ev, "prompt timed out after %lld s: the "
		    "prompt_timeout_s policy answered winner %d (the safe "
		    "answer: this node stays out)", secs, other);
	}
	coord_answer(c, false, c->prompt.kind == CMM_PROMPT_ISOLATION,
	    c->prompt.kind == CMM_PROMPT_ISOLATION ?
	    "prompt timed out: the timeout policy answered isolated" :
	    "prompt timed out: the timeout policy picked the other node");
}

int
cmm_core_answer_isolation(struct cmm_core *c, int64_t now, bool isolated,
    const char **why)
{
	struct cmm_event ev;

	core_advance(c, now);
	if (!c->prompt_open || c->prompt.kind != CMM_PROMPT_ISOLATION) {
		*why = "no isolation prompt is open";
		return -1;
	}
	core_event_init(c, &ev, CMM_EV_ANSWER);
	core_event(c, &ev, "answer: %s", isolated ? "isolated" : "not-isolated");
	coord_answer(c, !isolated, isolated, NULL);
	coord_evaluate(c);
	core_sync_state(c);
	return 0;
}

int
cmm_core_answer_winner(struct cmm_core *c, int64_t now, int winner,
    const char **why)
{
	struct cmm_event ev;

	core_advance(c, now);
	if (!c->prompt_open || c->prompt.kind != CMM_PROMPT_WINNER) {
		*why = "no winner prompt is open";
		return -1;
	}
	if (winner != c->prompt.choice[0] && winner != c->prompt.choice[1]) {
		snprintf(c->why, sizeof(c->why), "node %d is not a choice: the "
		    "prompt asks between node %d and node %d", winner,
		    c->prompt.choice[0], c->prompt.choice[1]);
		*why = c->why;
		return -1;
	}
	core_event_init(c, &ev, CMM_EV_ANSWER);
	ev.peer = winner;
	core_event(c, &ev, "answer: winner %d", winner);
	coord_answer(c, winner == c->self, false, NULL);
	coord_evaluate(c);
	core_sync_state(c);
	return 0;
}

int
cmm_core_join(struct cmm_core *c, int64_t now, const char **why)
{
	core_advance(c, now);
	if (c->member) {
		*why = "already a member";
		return -1;
	}
	if (c->leaving) {
		*why = "still leaving";
		return -1;
	}
	c->stopped = false;
	c->isolated = false;
	c->idle_until = 0;
	c->listened = true;
	if (c->next_hb == CORE_NEVER || c->next_hb > c->now)
		c->next_hb = c->now;
	coord_evaluate(c);
	core_sync_state(c);
	return 0;
}

int
cmm_core_leave(struct cmm_core *c, int64_t now, const char **why)
{
	struct cmm_event ev;

	core_advance(c, now);
	if (c->stopped || c->leaving) {
		*why = "already left";
		return -1;
	}
	coord_abandon(c, "leaving");
	core_prompt_close(c, "node is leaving");
	core_event_init(c, &ev, CMM_EV_LEAVE);
	ev.peer = c->self;
	if (core_in_known(c, c->self)) {
		/* still an acceptor until a configuration without this node
		 * is chosen: keep answering, flag every message LEAVING */
		c->leaving = true;
		c->leave_deadline = c->now + c->cfg->leave_timeout_ms;
		core_event(c, &ev, "leaving the cluster");
		core_send(c, &c->cfg->configured, CMM_MSG_LEAVE);
		coord_evaluate(c);
	} else {
		c->stopped = true;
		c->member = false;
		core_event(c, &ev, "stopped petitioning");
	}
	core_sync_state(c);
	return 0;
}

int
cmm_core_reconfigure(struct cmm_core *c, int64_t now, const char **why)
{
	core_advance(c, now);
	if (c->stopped || c->leaving) {
		*why = "node has left; use join";
		return -1;
	}
	c->reconfigure_req = true;
	c->idle_until = 0;
	coord_evaluate(c);
	core_sync_state(c);
	return 0;
}

/*
 * Why force-quorum may not run now, or NULL (docs/PROTOCOL.md "Forcing
 * quorum").  The declaration "these members are dead" replaces their
 * promises, so it is refused while anything suggests one of them is not:
 * this node heard it within the failure timeout, or a live peer's row
 * still holds it.  The list must be exactly the members this node does
 * not hear: the operator answers for every missing member, and the
 * forced configuration leaves out nobody it can hear.
 */
static const char *
force_check(const struct cmm_core *c, const struct cmm_set *dead, char *why,
    size_t len)
{
	const struct cmm_set *P = &c->disk.members;
	int64_t ft = c->cfg->failure_timeout_ms;
	struct cmm_set missing;
	char list[96], ml[96];

	if (c->stopped || c->leaving)
		return "this node has left the cluster; use join";
	if (c->disk.epoch == 0)
		return "no configuration is known yet (forming a cluster has "
		    "initial_quorum and the isolation question instead)";
	if (c->disk.abstain != 0 && c->disk.epoch < c->disk.abstain)
		return "this node lost its state: it may not stand in as an "
		    "acceptor";
	cmm_set_format(P, list, sizeof(list));
	if (!cmm_set_has(P, c->self)) {
		snprintf(why, len, "this node is not in epoch %u "
		    "{%s}: run it on a member of that configuration",
		    c->disk.epoch, list);
		return why;
	}
	if (cmm_set_empty(dead))
		return "name the dead members: force-quorum dead LIST confirm";
	if (cmm_set_has(dead, c->self)) {
		snprintf(why, len, "node %d is this node", c->self);
		return why;
	}
	for (int q = cmm_set_next(dead, 0); q >= 0; q = cmm_set_next(dead, q + 1))
		if (!cmm_set_has(P, q)) {
			snprintf(why, len, "node %d is not a member "
			    "of epoch %u {%s}", q, c->disk.epoch, list);
			return why;
		}
	for (int q = cmm_set_next(dead, 0); q >= 0; q = cmm_set_next(dead, q + 1)) {
		const struct core_peer *p = &c->peers[q];

		if (p->alive || (p->last_heard >= 0 && c->now - p->last_heard < ft)) {
			snprintf(why, len, "node %d was heard %lld ms "
			    "ago, within the failure timeout (%lld ms): it may be "
			    "alive", q, (long long)(c->now - p->last_heard),
			    (long long)ft);
			return why;
		}
		for (int r = cmm_set_next(&c->alive, 0); r >= 0;
		    r = cmm_set_next(&c->alive, r + 1))
			if (r != c->self &&
			    cmm_set_has(core_peer_row(c, r), q) &&
			    c->now - c->peers[r].row_at < ft) {
				snprintf(why, len, "node %d is still "
				    "heard by node %d: it may be alive", q, r);
				return why;
			}
	}
	if (c->member) {
		snprintf(why, len, "this node is a quorate member "
		    "of epoch %u: there is no lost quorum to force", c->disk.epoch);
		return why;
	}
	if (c->prompt_open)
		return "a prompt is open: answer it instead";
	if (c->cm.active)
		return "a configuration is being fenced and committed; try again";
	if (c->now - c->start_time < ft) {
		snprintf(why, len, "this node started %lld ms ago: "
		    "it has not listened for a failure timeout (%lld ms) yet",
		    (long long)(c->now - c->start_time), (long long)ft);
		return why;
	}
	/* the rule: LIST = the members of P this node does not hear */
	cmm_set_minus(&missing, P, &c->alive);
	cmm_set_del(&missing, c->self);
	if (!cmm_set_eq(&missing, dead)) {
		cmm_set_format(&missing, ml, sizeof(ml));
		for (int q = cmm_set_next(&missing, 0); q >= 0;
		    q = cmm_set_next(&missing, q + 1))
			if (!cmm_set_has(dead, q)) {
				snprintf(why, len, "node %d is missing "
				    "too: list every member not heard (force-quorum "
				    "dead %s confirm)", q, ml);
				return why;
			}
	}
	if (cmm_set_empty(&missing) || cmm_quorum_is(P, &c->alive, false,
	    c->cfg->priority, c->cfg->bugs)) {
		snprintf(why, len, "the live members are a quorum "
		    "of epoch %u {%s}: the next round needs no force", c->disk.epoch,
		    list);
		return why;
	}
	if (c->disk.epoch + 1 >= CMM_EPOCH_LIMIT)
		return "the epoch space is used up";
	return NULL;
}

int
cmm_core_force_quorum(struct cmm_core *c, int64_t now,
    const struct cmm_set *dead, const char **why)
{
	const char *no;

	core_advance(c, now);
	if (!c->started) {
		*why = "the node has not started";
		return -1;
	}
	if ((no = force_check(c, dead, c->why, sizeof(c->why))) != NULL) {
		*why = no;
		return -1;
	}
	/* a round of our own in progress (a backoff, a phase 1 that cannot
	 * complete) is replaced by the forced one */
	coord_abandon(c, "replaced by force-quorum");
	coord_force(c, dead);
	core_sync_state(c);
	return 0;
}

bool
cmm_core_force_suggest(const struct cmm_core *c, struct cmm_set *dead)
{
	char why[200];

	/* the command force_check would accept now: every member not heard,
	 * offered once this node has been without quorum for a while */
	cmm_set_clear(dead);
	if (!c->started || c->quorumless_since < 0 || core_round_active(c) ||
	    c->disk.epoch == 0 || c->now - c->quorumless_since <
	    CORE_SUGGEST_TIMEOUTS * c->cfg->failure_timeout_ms)
		return false;
	cmm_set_minus(dead, &c->disk.members, &c->alive);
	cmm_set_del(dead, c->self);
	if (force_check(c, dead, why, sizeof(why)) == NULL)
		return true;
	cmm_set_clear(dead);
	return false;
}

/* ---- introspection ---- */

void
cmm_core_status(const struct cmm_core *c, struct cmm_core_status *st)
{
	memset(st, 0, sizeof(*st));
	st->node = c->self;
	st->state = c->state;
	st->member = c->member;
	st->epoch = c->disk.epoch;
	st->members = c->disk.members;
	st->crown_prince = c->member ?
	    cmm_crown_prince(&c->disk.members, c->cfg->priority) : -1;
	st->incarnation = c->disk.incarnation;
	st->alive = c->alive;
	st->prompt = c->prompt_open ? c->prompt.kind : CMM_PROMPT_NONE;
	st->prompt_choice[0] = c->prompt_open ? c->prompt.choice[0] : -1;
	st->prompt_choice[1] = c->prompt_open ? c->prompt.choice[1] : -1;
	st->prompt_deadline = c->prompt_open ? c->prompt.deadline : 0;
	st->last_commit_time = c->last_commit_time;
	st->amnesiac = c->disk.abstain > c->disk.epoch;
	st->quorumless_since = c->member ? -1 : c->quorumless_since;
	st->quorum_pending = c->member && c->prompt_open;
	st->force_hint = cmm_core_force_suggest(c, &st->force_dead);
}

const struct cmm_set *
cmm_core_membership(const struct cmm_core *c, uint32_t *epoch)
{
	if (!c->member)
		return NULL;
	*epoch = c->disk.epoch;
	return &c->disk.members;
}

uint32_t
cmm_core_epoch(const struct cmm_core *c)
{
	return c->disk.epoch;
}

void
cmm_core_round(const struct cmm_core *c, struct cmm_round_info *ri)
{
	const struct core_tally *t = NULL;

	memset(ri, 0, sizeof(*ri));
	if (c->seen.inst > c->r.inst && !core_round_active(c) && !c->cm.active) {
		/* another node coordinated the last instance: what we saw */
		ri->epoch = c->seen.inst;
		ri->attempt = cmm_ballot_attempt(c->seen.b);
		ri->coordinator = cmm_ballot_coord(c->seen.b);
		ri->fast = c->seen.b != CMM_BALLOT_NONE && ri->attempt == 0;
		ri->phase = c->seen.chosen ? CMM_PHASE_DONE : CMM_PHASE_ACCEPT;
		ri->prev_epoch = c->seen.inst - 1;
		ri->prev = c->cm.prev;
		ri->proposed = c->seen.from;
		ri->next = c->seen.value;
		ri->outcome = c->seen.chosen ? "chosen" : "";
		return;
	}
	ri->active = core_round_active(c);
	ri->epoch = c->r.inst;
	ri->attempt = cmm_ballot_attempt(c->r.b);
	ri->coordinator = cmm_ballot_coord(c->r.b);
	ri->fast = c->r.fast;
	ri->phase = c->cm.active ? CMM_PHASE_FENCE :
	    c->r.phase == CMM_PHASE_NONE && c->stepin_at != CORE_NEVER ?
	    CMM_PHASE_WAIT : c->r.phase;
	ri->deadline = c->cm.active ? learn_deadline(c) :
	    ri->phase == CMM_PHASE_WAIT ? c->stepin_at : c->r.deadline;
	/* waiting for the operator: the prompt's time limit, if any */
	if (!c->cm.active && c->r.phase == CMM_PHASE_QUORUM)
		ri->deadline = c->prompt_open ? c->prompt.deadline : 0;
	if (ri->deadline == CORE_NEVER)
		ri->deadline = 0;	/* none */
	ri->prev_epoch = c->r.prev_epoch;
	ri->prev = c->r.prev;
	ri->expected = c->r.asked;
	ri->presence = c->r.answered;
	for (int i = 0; i < CORE_TALLY; i++)
		if (c->tally[i].b == c->r.b && c->r.b != CMM_BALLOT_NONE)
			t = &c->tally[i];
	ri->proposed = t != NULL ? t->from : c->r.acc;
	ri->next = c->r.value;
	ri->differ = c->r.nacked;
	ri->outcome = c->r.outcome;
	/* the commit waits out a departed node's watchdog */
	if (c->cm.active && c->cm.pending == 0 && c->cm.wd_until != 0)
		ri->outcome = c->cm.wd_text;
}

bool
cmm_core_last_decision(const struct cmm_core *c, struct cmm_qdecision *d)
{
	if (!c->have_last_dec)
		return false;
	*d = c->last_dec;
	return true;
}

void
cmm_core_peer(const struct cmm_core *c, int id, struct cmm_peer_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->last_heard = -1;
	if (id < 0 || id >= c->npeers)
		return;
	if (id == c->self) {
		pi->alive = true;
		pi->last_heard = c->now;
		pi->incarnation = c->disk.incarnation;
		pi->epoch = c->disk.epoch;
		pi->member = c->member;
		pi->leaving = c->leaving;
		pi->amnesiac = c->disk.abstain > c->disk.epoch;
		pi->has_row = true;
		pi->row = c->alive;
		pi->members = c->disk.members;
		return;
	}
	pi->alive = c->peers[id].alive;
	pi->last_heard = c->peers[id].last_heard;
	pi->incarnation = c->peers[id].incarnation;
	pi->epoch = c->peers[id].epoch;
	pi->member = (c->peers[id].flags & CMM_MSGF_MEMBER) != 0;
	pi->leaving = c->peers[id].leaving;
	pi->amnesiac = (c->peers[id].flags & CMM_MSGF_AMNESIAC) != 0;
	pi->has_row = c->peers[id].row_at > 0;
	pi->suspect = c->peers[id].suspect;
	pi->row = *core_peer_row(c, id);
	pi->members = *core_peer_members(c, id);
}

void
cmm_core_persisted(const struct cmm_core *c, struct cmm_persist *p)
{
	*p = c->disk;
}

void
cmm_core_prefetch(const struct cmm_core *c, int sender, int stage)
{
	if (stage == 0) {
		/* what recv_packet reads first: cfg, self, peers; now */
		__builtin_prefetch(c);
		__builtin_prefetch(&c->now);
		return;
	}
	if (sender >= 0 && sender < c->npeers)
		__builtin_prefetch(&c->peers[sender]);
}

/*
 * A peer entry as the state hash sees it: the fields, the sets in full,
 * in the order and layout the entry had before its sets moved to the pool
 * (core_sets.c).  Pool indexes depend on the order sets came in, not on
 * the state; and with the old bytes the explorer's table of states seen
 * (src/sim/sim_explore.c) fills exactly as it did.
 */
struct core_peer_image {
	int64_t		last_heard;
	int64_t		alive_since;
	bool		alive;
	uint32_t	incarnation;
	uint32_t	epoch;
	uint8_t		flags;
	bool		leaving;
	struct cmm_set	row;
	int64_t		row_at;
	struct cmm_set	members;
	uint32_t	alarmed;
	uint8_t		vmax;
	bool		suspect;
	bool		bounced;
	bool		fast_failed;
	int		probes;
	int		reporter;
	int64_t		suspect_at;
	int64_t		quiet_until;
};

static uint64_t
core_peer_hash(const struct cmm_core *c, int id, uint64_t h)
{
	const struct core_peer *p = &c->peers[id];
	struct core_peer_image im;

	memset(&im, 0, sizeof(im));	/* the padding hashes as zeros */
	im.last_heard = p->last_heard;
	im.alive_since = p->alive_since;
	im.alive = p->alive;
	im.incarnation = p->incarnation;
	im.epoch = p->epoch;
	im.flags = p->flags;
	im.leaving = p->leaving;
	im.row = *core_peer_row(c, id);
	im.row_at = p->row_at;
	im.members = *core_peer_members(c, id);
	im.alarmed = p->alarmed;
	im.vmax = p->vmax;
	im.suspect = p->suspect;
	im.bounced = c->susp[id].bounced;
	im.fast_failed = p->fast_failed;
	im.probes = c->susp[id].probes;
	im.reporter = c->susp[id].reporter;
	im.suspect_at = c->susp[id].at;
	im.quiet_until = c->susp[id].quiet_until;
	return cmm_fnv64(&im, sizeof(im), h);
}

uint64_t
cmm_core_state_hash(const struct cmm_core *c, uint64_t h)
{
	struct cmm_core *copy = malloc(sizeof(*copy));

	if (copy == NULL)
		return h ^ (uint64_t)(uintptr_t)c;	/* never equal: no pruning */
	*copy = *c;
	/* pointers and texts say nothing about what happens next */
	copy->cfg = NULL;
	memset(&copy->sink, 0, sizeof(copy->sink));
	copy->peers = NULL;
	copy->by_prio = NULL;
	memset(&copy->same_epoch, 0, sizeof(copy->same_epoch));
	copy->same_epoch_of = 0;
	copy->same_epoch_ok = false;
	copy->flags_version = 0;
	copy->quiet = false;
	copy->quiet_rows = copy->quiet_flags = 0;
	copy->quiet_epoch = 0;
	copy->quiet_accepted = 0;
	memset(copy->text, 0, sizeof(copy->text));
	memset(copy->why, 0, sizeof(copy->why));
	memset(copy->r.outcome, 0, sizeof(copy->r.outcome));
	memset(copy->cm.why, 0, sizeof(copy->cm.why));
	copy->prompt.why = NULL;
	h = cmm_fnv64(copy, offsetof(struct cmm_core, sets), h);
	for (int i = 0; i < c->npeers; i++)
		h = core_peer_hash(c, i, h);
	free(copy);
	return h;
}
