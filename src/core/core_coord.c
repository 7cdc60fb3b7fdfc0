/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_coord: this node as coordinator of a round (docs/PROTOCOL.md "The
 * round"; patent FIG. 4-9).  A round is one ballot of the Paxos instance
 * that decides the configuration after the known one: phase 1 (PREPARE,
 * the patent's presence), the quorum decision (FIG. 7-9), phase 2 (ACCEPT,
 * the patent's proposal).  The learner (core_learn.c) sees it chosen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/core_int.h"

static void	coord_start(struct cmm_core *c, const char *why, bool force);
static void	coord_check_prepare(struct cmm_core *c);
static void	coord_decide(struct cmm_core *c);
static void	coord_propose(struct cmm_core *c);
static void	coord_fail(struct cmm_core *c, const char *why);
static void	coord_lose(struct cmm_core *c, const char *why);
static bool	coord_hold(struct cmm_core *c);
static void	coord_force_devices(struct cmm_core *c);
static void	coord_force_decide(struct cmm_core *c);

bool
coord_active(const struct cmm_core *c)
{
	return core_round_active(c);
}

int64_t
coord_deadline(const struct cmm_core *c)
{
	int64_t t = CORE_NEVER;

	/* only times still ahead: one in the past is served already, or
	 * waits for a round to end (a past time here would spin the loop) */
	if (c->stepin_at > c->now && c->stepin_at < t)
		t = c->stepin_at;
	if (c->petition_at > c->now && c->petition_at < t)
		t = c->petition_at;
	if (c->hold_until > c->now && c->hold_until < t)
		t = c->hold_until;
	if (core_round_active(c) && c->r.deadline < t)
		t = c->r.deadline;
	if (c->idle_until > c->now && c->idle_until < t)
		t = c->idle_until;
	return t;
}

/* "round (E,a) WHAT" */
static void
coord_event(struct cmm_core *c, const char *what)
{
	struct cmm_event ev;

	if (c->r.quiet) {
		core_log(c, CMM_LOG_DEBUG, "round (%u,%u) %s", c->r.inst,
		    cmm_ballot_attempt(c->r.b), what);
		return;
	}
	core_event_init(c, &ev, CMM_EV_ROUND);
	core_event(c, &ev, "round (%u,%u) %s", c->r.inst,
	    cmm_ballot_attempt(c->r.b), what);
}

static bool
coord_amnesiac(const struct cmm_core *c, int id)
{
	if (id == c->self)
		return c->disk.abstain != 0 && c->disk.epoch < c->disk.abstain;
	/* only a flag sent at our epoch: one taken back since has moved on */
	return (c->peers[id].flags & CMM_MSGF_AMNESIAC) != 0 &&
	    c->peers[id].epoch == c->disk.epoch;
}

const struct cmm_set *
core_same_epoch(struct cmm_core *c)
{
	if (!c->same_epoch_ok || c->same_epoch_of != c->disk.epoch) {
		cmm_set_clear(&c->same_epoch);
		for (int q = 0; q < c->npeers; q++)
			if (c->peers[q].epoch == c->disk.epoch)
				cmm_set_add(&c->same_epoch, q);
		c->same_epoch_of = c->disk.epoch;
		c->same_epoch_ok = true;
	}
	return &c->same_epoch;
}

/*
 * A value accepted in an instance that nobody finished (a partition cut
 * the round short, then healed) may be chosen by the next round at any
 * time, even long after, and it may hold nodes long gone.  So an idle
 * cluster finishes such an instance itself, once it has been left alone
 * for a round timeout.
 */
static bool
coord_pending(struct cmm_core *c, bool *none)
{
	bool any = c->disk.accepted != CMM_BALLOT_NONE;
	uint64_t pend = 0;
	int64_t wait;

	/* a pending live peer of P at our epoch: sets' words, not a scan of
	 * the peers after every packet; and usually no peer is pending */
	for (int i = 0; i < CMM_SET_WORDS; i++)
		pend |= c->flag_pend.w[i];
	*none = !any && pend == 0;
	if (pend != 0 && !any) {
		const struct cmm_set *same = core_same_epoch(c);

		for (int i = 0; i < CMM_SET_WORDS && !any; i++) {
			pend = c->flag_pend.w[i] & c->disk.members.w[i] &
			    c->alive.w[i] & same->w[i];
			if (i == c->self / 64)
				pend &= ~(UINT64_C(1) << (c->self % 64));
			any = pend != 0;
		}
	}
	if (!any || !c->member) {
		c->pending_since = -1;
		return false;
	}
	if (c->pending_since < 0)
		c->pending_since = c->now;
	wait = CORE_PENDING_TIMEOUTS * c->cfg->round_timeout_ms;
	if (c->now - c->pending_since >= wait)
		return true;
	if (c->pending_since + wait < c->petition_at)
		c->petition_at = c->pending_since + wait;
	return false;
}

/*
 * coord_want's answer is NULL again without looking: the last one was
 * NULL with every set test empty (no amnesiac member: whether one has
 * settled depends on the clock), no pending flag and nothing accepted,
 * and nothing it read has moved since (alive and the leavers move
 * rows_version; the flags flags_version; P moves with the epoch).  That
 * answer depends on no clock, and it is the usual one: a quiet cluster's
 * heartbeats.
 */
static bool
coord_quiet(const struct cmm_core *c)
{
	return c->quiet && c->quiet_rows == c->rows_version &&
	    c->quiet_flags == c->flags_version &&
	    c->quiet_epoch == c->disk.epoch &&
	    c->quiet_accepted == c->disk.accepted && !c->reconfigure_req &&
	    !c->leaving;
}

/* Why instance E+1 needs deciding now, or NULL (docs/PROTOCOL.md
 * "Trigger").  *readmit: a member lost its state, so even S = P is a
 * step.  Set operations only: this runs after every packet. */
static const char *
coord_want_full(struct cmm_core *c, bool *readmit)
{
	const struct cmm_set *P = &c->disk.members;
	struct cmm_set x;
	uint64_t failed = 0, leaving = 0, amn = 0, outside = 0;
	bool none;

	*readmit = false;
	c->quiet = false;
	c->petition_at = CORE_NEVER;
	if (c->disk.epoch == 0)
		return "forming the cluster";
	/* a node outside P petitions with its heartbeats; the members, who
	 * see the connectivity of P, decide (and cut one-way links) */
	if (!cmm_set_has(P, c->self))
		return NULL;
	if (c->reconfigure_req)
		return "reconfigure command";
	/* the four set tests below in one pass over the words: in a quiet
	 * cluster each finds nothing, and this runs for every heartbeat */
	for (int i = 0; i < CMM_SET_WORDS; i++) {
		uint64_t p = P->w[i], a = c->alive.w[i], l = c->leavers.w[i];

		failed |= p & ~a;
		leaving |= p & l;
		amn |= p & c->flag_amn.w[i];
		outside |= a & ~p & ~l;
	}
	if (failed != 0)
		return "a member failed";
	if (leaving != 0)
		return "a member is leaving";
	if (amn != 0) {
		cmm_set_and(&x, P, &c->flag_amn);
		for (int q = cmm_set_next(&x, 0); q >= 0;
		    q = cmm_set_next(&x, q + 1))
			if (q != c->self && coord_amnesiac(c, q) &&
			    core_peer_settled(c, q)) {
				*readmit = true;
				return "a member lost its state";
			}
	}
	if (c->leaving)
		return "this node is leaving";
	if (coord_pending(c, &none)) {
		*readmit = true;
		return "an instance was left undecided";
	}
	if (outside == 0) {
		/* the amnesiac test above reads the clock: not cached */
		if (none && amn == 0) {
			c->quiet = true;
			c->quiet_rows = c->rows_version;
			c->quiet_flags = c->flags_version;
			c->quiet_epoch = c->disk.epoch;
			c->quiet_accepted = c->disk.accepted;
		}
		return NULL;
	}
	if (c->cfg->bugs & CMM_BUG_DEAF)
		return NULL;	/* planted bug: nobody outside P gets in */
	cmm_set_minus(&x, &c->alive, P);
	cmm_set_minus(&x, &x, &c->leavers);
	for (int q = cmm_set_next(&x, 0); q >= 0; q = cmm_set_next(&x, q + 1)) {
		int64_t settled;

		if (core_excluded(c, q))
			continue;
		/* let a new node hear everyone first, as it listens itself:
		 * then its row is true and its neighbours come in one step */
		settled = c->peers[q].alive_since + CORE_SETTLE_HEARTBEATS *
		    c->cfg->heartbeat_ms;
		if (c->now >= settled)
			return "petition";
		if (settled < c->petition_at)
			c->petition_at = settled;
	}
	return NULL;
}

/* coord_want_full, or its cached quiet answer.  The simulator's small
 * runs (cfg->verify_caches) compute it in full all the same and abort
 * if the cache would have answered otherwise. */
static const char *
coord_want(struct cmm_core *c, bool *readmit)
{
	const char *why;

	/* planted bug: a step without cause, three failure timeouts after
	 * each commit (before the quiet cache, which would hide it) */
	if ((c->cfg->bugs & CMM_BUG_RESTLESS) && c->member &&
	    c->last_commit_time >= 0 &&
	    c->now - c->last_commit_time > 3 * c->cfg->failure_timeout_ms) {
		*readmit = true;
		return "reconfigure command";
	}
	if (!coord_quiet(c)) {
		return coord_want_full(c, readmit);
	} else if (!c->cfg->verify_caches) {
		*readmit = false;
		return NULL;	/* petition_at is still CORE_NEVER */
	}
	why = coord_want_full(c, readmit);
	if (why != NULL || c->petition_at != CORE_NEVER || !coord_quiet(c))
		abort();	/* the quiet cache missed an input */
	return why;
}

/* The node that should coordinate: the crown prince of P when it is
 * alive (it has the fast path), else the live member of P of highest
 * priority; for formation the live configured node of highest priority. */
static int
coord_preferred(const struct cmm_core *c)
{
	const struct cmm_set *P = core_acceptors(c);
	struct cmm_set cand, amn;
	int cp;

	if (c->disk.epoch > 0) {
		cp = core_crown_prince(c, P);
		if (cp == c->self || (cp >= 0 && c->peers[cp].alive &&
		    !coord_amnesiac(c, cp)))
			return cp;
	}
	cmm_set_and(&cand, P, &c->alive);
	/* only a peer whose last message said AMNESIAC (flag_amn), or self,
	 * can be amnesiac: no scan of every peer after every packet */
	cmm_set_and(&amn, &cand, &c->flag_amn);
	if (cmm_set_has(&cand, c->self))
		cmm_set_add(&amn, c->self);
	for (int q = cmm_set_next(&amn, 0); q >= 0; q = cmm_set_next(&amn, q + 1))
		if (coord_amnesiac(c, q))
			cmm_set_del(&cand, q);
	cp = core_crown_prince(c, &cand);
	return cp >= 0 ? cp : c->self;
}

/* The candidates of S: the given nodes that are configured and not
 * leaving, cut to a set whose members all see each other. */
static void
coord_value(const struct cmm_core *c, const struct cmm_set *from,
    struct cmm_set *S)
{
	cmm_set_and(S, from, &c->cfg->configured);
	for (int q = cmm_set_next(S, 0); q >= 0; q = cmm_set_next(S, q + 1))
		if (core_peer_leaving(c, q))
			cmm_set_del(S, q);
	core_converge(c, S);
}

/*
 * Called after every input: start a round if one is wanted and this node
 * should coordinate it; else, a node other than the preferred coordinator
 * steps in only after a jittered round timeout without seeing one at work.
 */
void
coord_evaluate(struct cmm_core *c)
{
	struct cmm_set cands;
	const char *why;
	bool readmit;
	int pref;

	if (!c->started || c->stopped || !c->listened || c->cm.active ||
	    core_round_active(c) || c->prompt_open)
		return;
	if (c->leaving) {
		/* S is never empty: when nobody would be left, stop */
		cmm_set_and(&cands, &c->alive, &c->cfg->configured);
		for (int q = cmm_set_next(&cands, 0); q >= 0;
		    q = cmm_set_next(&cands, q + 1))
			if (core_peer_leaving(c, q))
				cmm_set_del(&cands, q);
		if (cmm_set_empty(&cands)) {
			struct cmm_event ev;

			c->leaving = false;
			c->stopped = true;
			c->member = false;
			core_event_init(c, &ev, CMM_EV_LEAVE);
			ev.peer = c->self;
			core_event(c, &ev, "stopped: every node left");
			core_sync_state(c);
			return;
		}
	}
	learn_try_rejoin(c);
	if (c->cm.active)
		return;
	why = coord_want(c, &readmit);
	if (why == NULL) {
		c->stepin_at = CORE_NEVER;
		return;
	}
	if (c->disk.abstain != 0 && c->disk.epoch < c->disk.abstain)
		return;		/* lost state: a petitioner, never a coordinator */
	if (c->seen_coord_at >= 0 &&
	    c->now - c->seen_coord_at < c->cfg->round_timeout_ms) {
		c->stepin_at = CORE_NEVER;
		return;		/* another coordinator is at work */
	}
	if (c->now < c->idle_until && c->rows_version == c->idle_version)
		return;		/* the last round gave up and nothing changed */
	pref = coord_preferred(c);
	if (pref != c->self) {
		if (c->stepin_at == CORE_NEVER)
			c->stepin_at = c->now + core_jitter(c,
			    c->cfg->round_timeout_ms);
		if (c->now < c->stepin_at)
			return;
	}
	c->stepin_at = CORE_NEVER;
	if (coord_hold(c))
		return;
	coord_start(c, why, readmit);
}

/*
 * One step per burst: failures and leaves that happen together should
 * cost one epoch.  A member silent for nearly the whole failure timeout is
 * as good as dead: wait (at most about a heartbeat) for the detector to
 * say so; leaves made at one instant arrive a little apart: gather them
 * for half a heartbeat.  Nothing is held once the ACCEPT has left.
 */
static bool
coord_hold(struct cmm_core *c)
{
	const struct cmm_set *P = &c->disk.members;
	int64_t hb = c->cfg->heartbeat_ms, until = 0;
	bool leaver = c->leaving;
	int silent = -1;

	if (c->disk.epoch == 0)
		return false;
	for (int q = cmm_set_next(P, 0); q >= 0; q = cmm_set_next(P, q + 1)) {
		const struct core_peer *p = &c->peers[q];
		int64_t exp;

		if (q == c->self)
			continue;
		leaver = leaver || p->leaving;
		if (!p->alive || p->last_heard < 0)
			continue;
		/* a suspect is decided soon, and a crash of several makes
		 * them suspect within a hop of each other (core_suspect.c):
		 * wait for the last */
		if (p->suspect && suspect_until(c, p) > until)
			until = suspect_until(c, p);
		/* on the roll call and silent: maybe a port still closing */
		else if (!p->suspect && cmm_set_has(&c->roll, q) &&
		    c->now < suspect_roll_until(c) &&
		    suspect_roll_until(c) > until) {
			until = suspect_roll_until(c);
			silent = q;
		}
		exp = p->last_heard + c->cfg->failure_timeout_ms;
		if (exp <= c->now + hb + hb / 2 && exp > until)
			until = exp;
	}
	if (leaver) {
		if (c->leave_seen_at < 0)
			c->leave_seen_at = c->now;
		if (c->leave_seen_at + hb / 2 > until)
			until = c->leave_seen_at + hb / 2;
	}
	if (c->now >= until) {
		c->hold_until = CORE_NEVER;
		return false;
	}
	if (silent >= 0 && !c->roll_said) {
		c->roll_said = true;
		core_log(c, CMM_LOG_INFO, "round held up to %lld ms: node %d "
		    "has neither answered the roll call nor bounced",
		    (long long)(until - c->now), silent);
	}
	c->hold_until = until;
	return true;
}

/* Can the acceptors this node sees (and the stand-ins it may use) form a
 * quorum at all?  If not, sending anything would only disturb others. */
static bool
coord_feasible(const struct cmm_core *c, bool *standin_only)
{
	const struct cmm_set *P = core_acceptors(c);
	struct cmm_set reach;

	*standin_only = false;
	if (c->disk.epoch == 0)
		return true;	/* formation: the isolation question may answer */
	cmm_set_and(&reach, P, &c->alive);
	if (!cmm_set_has(P, c->self))
		cmm_set_del(&reach, c->self);
	if (cmm_quorum_is(P, &reach, false, c->cfg->priority, c->cfg->bugs))
		return true;
	if (cmm_set_count(P) == 2 && cmm_set_has(&reach, c->self)) {
		*standin_only = true;	/* the device or the operator */
		return true;
	}
	return false;
}

/* Persists the ballot's attempt (and our own promise) before any message
 * with it leaves: a ballot is never used twice, across restarts too. */
static int
coord_persist_ballot(struct cmm_core *c, uint32_t attempt, bool promise)
{
	struct cmm_persist old = c->disk;

	c->disk.next_attempt = attempt + 1;
	if (promise)
		c->disk.promised = c->r.b;
	if (core_persist(c) != 0) {
		c->disk = old;
		core_fail_stop(c, "cannot persist a ballot");
		return -1;
	}
	return 0;
}

static int
coord_other(const struct cmm_core *c)
{
	const struct cmm_set *P = core_acceptors(c);

	for (int q = cmm_set_next(P, 0); q >= 0; q = cmm_set_next(P, q + 1))
		if (q != c->self)
			return q;
	return -1;
}

/* A new round of instance inst: the coordinator's record reset, the
 * acceptors P noted.  False (nothing started, nothing sent) when the
 * epoch space is used up or too few members are alive for a quorum. */
static bool
coord_begin(struct cmm_core *c, uint32_t inst, bool *standin_only)
{
	struct core_coord *r = &c->r;
	int failures = r->inst == inst ? r->failures : 0;

	if (inst >= CMM_EPOCH_LIMIT) {
		core_log(c, CMM_LOG_ERROR, "epoch %u is the last one: refusing "
		    "to start another", c->disk.epoch);
		c->idle_version = c->rows_version;
		c->idle_until = CORE_NEVER;
		return false;
	}
	memset(r, 0, sizeof(*r));
	r->inst = inst;
	r->failures = failures;
	r->formation = c->disk.epoch == 0;
	r->prev_epoch = c->disk.epoch;
	r->prev = *core_acceptors(c);
	r->device = -1;
	/* a retry on the view that found no quorum last time says nothing
	 * new: only a change of the situation is announced */
	r->quiet = !c->member && c->nq_said &&
	    cmm_set_eq(&c->nq_alive, &c->alive);
	if (!coord_feasible(c, standin_only)) {
		r->phase = CMM_PHASE_PREPARE;	/* so the round can end */
		r->b = cmm_ballot_make(0, c->self);
		coord_lose(c, "too few members alive for a quorum");
		c->idle_until = CORE_NEVER;	/* until someone comes or goes */
		return false;
	}
	return true;
}

/* FIG. 8: two members, the other one silent, a device both share: this
 * round races for it.  The first such device in the configuration. */
static void
coord_pick_device(struct cmm_core *c, bool acceptor)
{
	struct core_coord *r = &c->r;
	int other;

	if (cmm_set_count(&r->prev) != 2 || r->formation || !acceptor)
		return;
	other = coord_other(c);
	if (other < 0 || c->peers[other].alive)
		return;
	for (int i = 0; i < c->cfg->n_devices; i++)
		if (cmm_set_has(&c->cfg->devices[i].nodes, c->self) &&
		    cmm_set_has(&c->cfg->devices[i].nodes, other)) {
			r->device = i;
			return;
		}
}

/* The ballot's attempt number: above every ballot this node promised or
 * heard of, so a new round always outranks the rounds it knows. */
static uint32_t
coord_next_attempt(const struct cmm_core *c)
{
	uint32_t attempt = c->disk.next_attempt > 1 ? c->disk.next_attempt : 1;

	if (cmm_ballot_attempt(c->seen_max) + 1 > attempt)
		attempt = cmm_ballot_attempt(c->seen_max) + 1;
	if (cmm_ballot_attempt(c->disk.promised) + 1 > attempt)
		attempt = cmm_ballot_attempt(c->disk.promised) + 1;
	if (attempt > CMM_BALLOT_MAX_ATTEMPT)
		attempt = CMM_BALLOT_MAX_ATTEMPT;
	return attempt;
}

/* The fast path: attempt 0 is the crown prince's, once per instance, and
 * nothing lower can exist, so phase 1 is skipped and the value is ours. */
static void
coord_send_fast_accept(struct cmm_core *c, const struct cmm_set *S)
{
	struct core_coord *r = &c->r;
	struct cmm_set to;
	struct cmm_msg m;
	char list[96], what[200];

	assert(r->fast && r->phase == CMM_PHASE_ACCEPT);
	r->value = *S;
	cmm_set_format(S, list, sizeof(list));
	snprintf(what, sizeof(what), "proposing {%s}", list);
	coord_event(c, what);
	/* A commit announced before its flush, not flushed yet, goes to
	 * disk before an ACCEPT leaves: attempt 0 writes nothing first, and
	 * a restart that lost the commit would know the epoch before it,
	 * write "attempt 0 used" for that instance, not this one, and could
	 * send (0, itself) again with another value (docs/PROTOCOL.md
	 * "Durability"). */
	if (c->commit_unflushed && !(c->cfg->bugs & CMM_BUG_FAST_UNFLUSHED) &&
	    core_persist(c) != 0) {
		core_fail_stop(c, "cannot persist a chosen configuration");
		return;
	}
	core_fill_msg(c, &m, CMM_MSG_ACCEPT);
	m.instance = r->inst;
	m.ballot = r->b;
	m.value = *S;
	cmm_set_and(&to, &r->prev, &c->alive);
	r->asked = to;
	cmm_set_del(&r->asked, c->self);
	cmm_set_add(&r->answered, c->self);
	core_send_msg(c, &to, &m);
	if (r->device >= 0) {
		struct cmm_devop op;

		memset(&op, 0, sizeof(op));
		op.op = CMM_DEVOP_ACCEPT;
		op.epoch = r->inst;
		op.ballot = r->b;
		op.set = *S;
		r->dev_req = core_device(c, r->device, &op);
	}
	acceptor_accept_own(c, r->b, S, NULL);
}

/* FIG. 4, step 404: phase 1, PREPARE to every node that may be alive
 * (and a PROMISE asked of the device in a race). */
static void
coord_send_prepare(struct cmm_core *c, bool acceptor)
{
	struct core_coord *r = &c->r;
	struct cmm_msg m;

	assert(!r->fast && r->phase == CMM_PHASE_PREPARE);
	cmm_set_and(&r->asked, &c->alive, &c->cfg->configured);
	cmm_set_del(&r->asked, c->self);
	cmm_set_add(&r->answered, c->self);
	if (acceptor) {
		cmm_set_add(&r->promised, c->self);
		r->best_b = c->disk.accepted;
		r->best_v = c->disk.value;
	}
	core_fill_msg(c, &m, CMM_MSG_PREPARE);
	m.instance = r->inst;
	m.ballot = r->b;
	core_send_msg(c, &r->asked, &m);
	if (r->device >= 0) {
		struct cmm_devop op;

		memset(&op, 0, sizeof(op));
		op.op = CMM_DEVOP_PROMISE;
		op.epoch = r->inst;
		op.ballot = r->b;
		r->dev_req = core_device(c, r->device, &op);
	}
	coord_check_prepare(c);
}

/* A new ballot of the next instance: phase 1, or the fast path. */
static void
coord_start(struct cmm_core *c, const char *why, bool force)
{
	struct core_coord *r = &c->r;
	uint32_t inst = c->disk.epoch + 1, attempt;
	bool acceptor = core_is_acceptor(c, inst), standin_only, fast;
	struct cmm_set S;
	char buf[160];

	if (!coord_begin(c, inst, &standin_only))
		return;
	coord_pick_device(c, acceptor);
	fast = !r->formation && acceptor && (!standin_only || r->device >= 0) &&
	    c->disk.next_attempt == 0 && c->disk.promised == CMM_BALLOT_NONE &&
	    cmm_crown_prince(&r->prev, c->cfg->priority) == c->self;
	if (fast) {
		coord_value(c, &c->alive, &S);
		core_note_excluded(c, &c->alive, &S);
		if (cmm_set_eq(&S, &r->prev) && !c->reconfigure_req && !force) {
			c->idle_version = c->rows_version;
			c->idle_until = c->now + c->cfg->join_retry_ms;
			return;	/* no change: keep attempt 0 for later */
		}
		attempt = 0;
	} else {
		attempt = coord_next_attempt(c);
	}
	r->b = cmm_ballot_make(attempt, c->self);
	r->fast = fast;
	/* an operator's reconfigure is a step even when nothing changed */
	r->force = force || c->reconfigure_req;
	c->reconfigure_req = false;
	if (fast) {
		/* No write before the ACCEPT leaves: attempt 0 is used once
		 * per instance in this run (the mark below), and a restart
		 * moves to attempt 1 for the instance it restarts into
		 * (cmm_core_start), so (0, self) never carries two values.
		 * The mark reaches the disk with our own accept, which is
		 * written while the ACCEPTs travel: the failover costs the
		 * acceptors' write, not the coordinator's as well. */
		c->disk.next_attempt = 1;
	} else if (coord_persist_ballot(c, attempt, acceptor) != 0) {
		return;
	}
	snprintf(buf, sizeof(buf), "started (%s)%s", why,
	    fast ? ", fast path" : "");
	r->phase = fast ? CMM_PHASE_ACCEPT : CMM_PHASE_PREPARE;
	r->deadline = c->now + c->cfg->round_timeout_ms;
	coord_event(c, buf);
	core_sync_state(c);
	if (fast)
		coord_send_fast_accept(c, &S);
	else
		coord_send_prepare(c, acceptor);
}

/* Detectors expire a dead node at slightly different times on different
 * nodes: waiting for one that another answer already reports dead, and
 * that this node has not heard for nearly the whole timeout, only delays
 * the failover by that difference. */
static void
coord_drop_reported_dead(const struct cmm_core *c, struct cmm_set *wait)
{
	int64_t quiet = c->cfg->failure_timeout_ms - c->cfg->heartbeat_ms;
	struct cmm_set maybe;

	cmm_set_and(&maybe, wait, &c->r.unseen);
	for (int q = cmm_set_next(&maybe, 0); q >= 0; q = cmm_set_next(&maybe, q + 1))
		if (c->peers[q].last_heard >= 0 &&
		    c->now - c->peers[q].last_heard > quiet)
			cmm_set_del(wait, q);
}

static void
coord_check_prepare(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	struct cmm_set wait;

	if (r->phase != CMM_PHASE_PREPARE)
		return;
	cmm_set_minus(&wait, &r->asked, &r->answered);
	cmm_set_and(&wait, &wait, &c->alive);
	coord_drop_reported_dead(c, &wait);
	if (c->now < r->deadline && (!cmm_set_empty(&wait) || r->dev_req != 0 ||
	    r->fdev_pending > 0))
		return;
	coord_decide(c);
}

void
coord_on_promise(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_coord *r = &c->r;
	struct cmm_set gone;

	if (r->phase != CMM_PHASE_PREPARE || m->instance != r->inst ||
	    m->ballot != r->b)
		return;
	cmm_set_add(&r->answered, m->sender);
	if ((m->flags & CMM_MSGF_ACCEPTOR) && cmm_set_has(&r->prev, m->sender)) {
		cmm_set_add(&r->promised, m->sender);
		/* step 3: the value of the highest accepted ballot may have
		 * been chosen; it is the only one we may propose */
		if (m->vballot > r->best_b && !cmm_set_empty(&m->value) &&
		    cmm_set_subset(&m->value, &c->cfg->configured)) {
			r->best_b = m->vballot;
			r->best_v = m->value;
		}
	}
	cmm_set_minus(&gone, &c->cfg->configured, &m->row);
	cmm_set_or(&r->unseen, &r->unseen, &gone);
	coord_check_prepare(c);
}

void
coord_on_nack(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_coord *r = &c->r;
	char buf[96];

	if (m->vballot > c->seen_max)
		c->seen_max = m->vballot;
	if ((r->phase != CMM_PHASE_PREPARE && r->phase != CMM_PHASE_ACCEPT) ||
	    m->instance != r->inst || m->ballot != r->b)
		return;
	cmm_set_add(&r->nacked, m->sender);
	snprintf(buf, sizeof(buf), "node %u promised ballot (%u,%d)", m->sender,
	    cmm_ballot_attempt(m->vballot), cmm_ballot_coord(m->vballot));
	coord_fail(c, buf);
}

/* Step 3 and FIG. 7-9: the quorum rules applied to this round's promises;
 * the decision is kept for status and logged with its explanation. */
static void
coord_quorum(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	struct cmm_set devsets[CMM_MAX_DEVICES];	/* 32 KiB on the stack */
	struct cmm_set empty;
	struct cmm_qinput in;
	struct cmm_event ev;
	char expl[160];

	assert(r->phase == CMM_PHASE_PREPARE && cmm_set_has(&r->answered, c->self));
	cmm_set_clear(&empty);
	for (int i = 0; i < c->cfg->n_devices; i++)
		devsets[i] = c->cfg->devices[i].nodes;
	memset(&in, 0, sizeof(in));
	in.self = c->self;
	in.prev = r->formation ? &empty : &r->prev;
	in.promised = &r->promised;
	in.configured = &c->cfg->configured;
	in.priority = c->cfg->priority;
	in.devices = devsets;
	in.n_devices = c->cfg->n_devices;
	in.initial = c->cfg->initial;
	in.winner = c->cfg->winner;
	in.device_promised = r->dev_promised;
	in.bugs = c->cfg->bugs;
	cmm_quorum_decide(&in, &r->dec);
	r->have_dec = true;
	c->last_dec = r->dec;
	c->have_last_dec = true;
	cmm_quorum_explain(&r->dec, expl, sizeof(expl));
	if (r->quiet) {
		core_log(c, CMM_LOG_DEBUG, "round (%u,%u) quorum: %s", r->inst,
		    cmm_ballot_attempt(r->b), expl);
		return;
	}
	core_event_init(c, &ev, CMM_EV_QUORUM);
	ev.decision = &r->dec;
	core_event(c, &ev, "round (%u,%u) quorum: %s", r->inst,
	    cmm_ballot_attempt(r->b), expl);
}

/* Configured nodes this node hears that did not answer phase 1 (a lost
 * PREPARE or PROMISE, a rival ballot): named in why when there are any. */
static bool
coord_heard_unanswered(const struct cmm_core *c, char *why, size_t len)
{
	struct cmm_set quiet;
	char list[96];

	cmm_set_and(&quiet, &c->alive, &c->cfg->configured);
	cmm_set_minus(&quiet, &quiet, &c->r.answered);
	cmm_set_del(&quiet, c->self);
	if (cmm_set_empty(&quiet))
		return false;
	cmm_set_format(&quiet, list, sizeof(list));
	snprintf(why, len, "node(s) %s alive but did not answer: not alone, "
	    "trying again", list);
	return true;
}

/* Step 3 and FIG. 7-9: do the promises form a quorum of Q(P)?  Then
 * propose, lose, wait, or ask the operator. */
static void
coord_decide(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	char expl[160];

	if (r->forced) {
		coord_force_decide(c);
		return;
	}
	coord_quorum(c);
	cmm_quorum_explain(&r->dec, expl, sizeof(expl));
	switch (r->dec.verdict) {
	case CMM_QV_WIN:
		/* a policy (winner = lowest|highest, initial_quorum = any)
		 * stands in for the acceptors that did not promise */
		r->standin = r->dec.method == CMM_QM_OPERATOR ||
		    (r->dec.method == CMM_QM_INITIAL &&
		    !cmm_quorum_formation(&c->cfg->configured, &r->promised,
		    c->cfg->bugs));
		coord_propose(c);
		break;
	case CMM_QV_RACE:
		/* the device did not promise (refused, failed or silent) */
		coord_lose(c, "the shared device did not promise this ballot");
		break;
	case CMM_QV_ASK_WINNER:
		r->phase = CMM_PHASE_QUORUM;
		r->deadline = CORE_NEVER;
		core_prompt_open(c, CMM_PROMPT_WINNER, r->dec.choice,
		    "two-node cluster split and no shared quorum device");
		break;
	case CMM_QV_ASK_ISOLATION:
		/* step 412 asks about a node that is alone: one that hears
		 * a configured node whose answer was lost is not, and an
		 * "isolated" answered then would keep every node out */
		if (coord_heard_unanswered(c, expl, sizeof(expl))) {
			coord_fail(c, expl);
			break;
		}
		r->phase = CMM_PHASE_QUORUM;
		r->deadline = CORE_NEVER;
		if (r->dec.method == CMM_QM_ISOLATION &&
		    c->cfg->isolation != CMM_ISOLATION_ASK) {
			coord_answer(c, c->cfg->isolation ==
			    CMM_ISOLATION_NOT_ISOLATED,
			    c->cfg->isolation == CMM_ISOLATION_ISOLATED,
			    c->cfg->isolation == CMM_ISOLATION_ISOLATED ?
			    "policy isolation = isolated" :
			    "policy isolation = not-isolated");
			break;
		}
		/* step 412: only a human can tell isolation from being first */
		core_prompt_open(c, CMM_PROMPT_ISOLATION, NULL,
		    r->dec.method == CMM_QM_ISOLATION ?
		    "no other node answered and no cluster is known" :
		    "a minority of the configured nodes is starting a cluster");
		break;
	case CMM_QV_WAIT:
		core_round_end(c, "", "waiting for a majority of the configured "
		    "nodes");
		c->idle_version = c->rows_version;
		c->idle_until = c->now + c->cfg->join_retry_ms;
		break;
	case CMM_QV_LOSE:
		coord_lose(c, expl);
		break;
	}
}

/* Step 4: the value, then phase 2 (FIG. 4, step 414). */
static void
coord_propose(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	struct cmm_set S, to;
	struct cmm_msg m;
	char list[96];
	bool readmit = false;

	if (r->best_b != CMM_BALLOT_NONE && !(c->cfg->bugs & CMM_BUG_SKIP_HIGHEST)) {
		S = r->best_v;		/* it may have been chosen */
	} else {
		coord_value(c, &r->answered, &S);
		core_note_excluded(c, &r->answered, &S);
		for (int q = cmm_set_next(&S, 0); q >= 0; q = cmm_set_next(&S, q + 1))
			if (coord_amnesiac(c, q) && cmm_set_has(&r->prev, q))
				readmit = true;
	}
	if (cmm_set_empty(&S)) {
		core_round_end(c, "", "nobody is left to form a configuration");
		c->idle_version = c->rows_version;
		c->idle_until = c->now + c->cfg->join_retry_ms;
		return;
	}
	/* a round whose S equals P commits nothing -- unless a value was
	 * accepted in this instance, which must be finished, or a member
	 * lost its state and must be taken back in */
	if (!r->formation && cmm_set_eq(&S, &r->prev) && !readmit && !r->force &&
	    r->best_b == CMM_BALLOT_NONE) {
		/* a round whose S equals P commits nothing */
		core_round_end(c, "", "agreed: no change");
		c->idle_version = c->rows_version;
		c->idle_until = c->now + c->cfg->join_retry_ms;
		return;
	}
	r->value = S;
	r->phase = CMM_PHASE_ACCEPT;
	r->deadline = c->now + c->cfg->round_timeout_ms;
	cmm_set_format(&S, list, sizeof(list));
	{
		char what[160];

		snprintf(what, sizeof(what), "proposing {%s}", list);
		coord_event(c, what);
	}
	core_fill_msg(c, &m, CMM_MSG_ACCEPT);
	m.instance = r->inst;
	m.ballot = r->b;
	m.value = S;
	to = r->promised;
	cmm_set_del(&to, c->self);
	core_send_msg(c, &to, &m);
	if (r->device >= 0 && r->dev_promised) {
		struct cmm_devop op;

		memset(&op, 0, sizeof(op));
		op.op = CMM_DEVOP_ACCEPT;
		op.epoch = r->inst;
		op.ballot = r->b;
		op.set = S;
		r->dev_req = core_device(c, r->device, &op);
	}
	if (core_is_acceptor(c, r->inst))
		acceptor_accept_own(c, r->b, &S, NULL);
}

/* The ballot failed (a NACK, a timeout): back off, jittered and growing,
 * then try a higher one if still wanted -- duels end, even one-way. */
static void
coord_fail(struct cmm_core *c, const char *why)
{
	struct core_coord *r = &c->r;
	int shift = r->failures < CORE_BACKOFF_MAX_SHIFT ? r->failures :
	    CORE_BACKOFF_MAX_SHIFT;
	int64_t base = (c->cfg->round_timeout_ms / CORE_BACKOFF_DIV + 1) << shift;

	core_round_end(c, "failed: ", why);
	r->failures++;
	r->phase = CMM_PHASE_BACKOFF;
	r->deadline = c->now + core_jitter(c, base);
}

/* No quorum for this node: drop membership, keep petitioning.  Retries
 * on an unchanged view back off (join_retry_ms, doubled per abort up to
 * 2^CORE_NOQUORUM_MAX_SHIFT times); any change of the rows retries at
 * once (coord_evaluate). */
static void
coord_lose(struct cmm_core *c, const char *why)
{
	int shift = c->nq_aborts < CORE_NOQUORUM_MAX_SHIFT ? c->nq_aborts :
	    CORE_NOQUORUM_MAX_SHIFT;

	core_round_end(c, "aborted: ", why);
	c->idle_version = c->rows_version;
	c->idle_until = c->now + (c->cfg->join_retry_ms << shift);
	core_drop_membership(c, why);
	if (!c->member) {
		c->nq_aborts++;
		c->nq_said = true;
		c->nq_alive = c->alive;
	}
}

/* The operator's (or a policy's) answer to the open question; `said`
 * names who answered when it was not the operator (NULL: the operator). */
void
coord_answer(struct cmm_core *c, bool proceed, bool isolated, const char *said)
{
	struct core_coord *r = &c->r;

	if (c->prompt_open)
		core_prompt_close(c, said != NULL ? said : isolated ?
		    "answered: isolated" : proceed ? "answered: proceed" :
		    "answered: the other node wins");
	if (r->phase != CMM_PHASE_QUORUM)
		return;
	if (isolated) {
		/* "isolated: " whoever answered, so the outcome reads the
		 * same to a watcher and to the metrics */
		core_round_end(c, "isolated: ", said != NULL ? said :
		    "staying out");
		c->isolated = true;
		c->idle_version = c->rows_version;
		c->idle_until = CORE_NEVER;
		core_drop_membership(c, "isolated");
	} else if (proceed) {
		/* the answer stands in for the acceptors that are missing */
		r->standin = true;
		coord_propose(c);
	} else {
		coord_lose(c, said != NULL ? said :
		    "the operator picked the other node");
		/* asking again makes sense only once someone comes or goes */
		c->idle_until = CORE_NEVER;
	}
}

void
coord_abandon(struct cmm_core *c, const char *why)
{
	core_round_end(c, "abandoned: ", why);
}

void
coord_on_device(struct cmm_core *c, uint32_t id, const struct cmm_devres *res)
{
	struct core_coord *r = &c->r;

	if (id == 0 || id != r->dev_req || !core_round_active(c))
		return;
	r->dev_req = 0;
	if (res->status == CMM_DEV_OLD) {
		if (res->committed_epoch >= r->inst)
			learn_chosen(c, res->committed_epoch, &res->committed,
			    NULL, "learned from the quorum device");
		else
			coord_lose(c, "the quorum device is at a newer instance");
		return;
	}
	if (res->status == CMM_DEV_NACK) {
		if (res->slot_promised > c->seen_max)
			c->seen_max = res->slot_promised;
		coord_fail(c, "the quorum device promised a higher ballot");
		return;
	}
	if (r->phase == CMM_PHASE_PREPARE) {
		if (res->status == CMM_DEV_OK) {
			/* FIG. 8: the device is the third acceptor */
			r->dev_promised = true;
			if (res->slot_accepted > r->best_b) {
				r->best_b = res->slot_accepted;
				r->best_v = res->slot_value;
			}
		} else {
			core_log(c, CMM_LOG_WARN, "quorum device %s: %s",
			    c->cfg->devices[r->device].name,
			    cmm_dev_status_name(res->status));
		}
		coord_check_prepare(c);
		return;
	}
	if (r->phase == CMM_PHASE_ACCEPT) {
		if (res->status == CMM_DEV_OK)
			learn_accepted(c, -1, r->b, &r->value, true);
		else
			coord_fail(c, "the quorum device did not accept");
	}
}

/* A member this node holds dead: the coordinator gets our row at once,
 * not at our next heartbeat.  Detectors give up on a dead node a little
 * apart, and the coordinator's may be the last; with the rows of those
 * that already did, its cut (core_converge.c) leaves the dead member out
 * of the value, and the burst costs one step, not two. */
static void
coord_tell_failure(struct cmm_core *c)
{
	struct cmm_set gone;
	int pref;

	if (c->disk.epoch == 0 || c->stopped ||
	    !cmm_set_has(&c->disk.members, c->self))
		return;
	cmm_set_minus(&gone, &c->disk.members, &c->alive);
	if (cmm_set_empty(&gone))
		return;
	pref = coord_preferred(c);
	if (pref != c->self && c->peers[pref].alive)
		core_send_to(c, pref, CMM_MSG_HEARTBEAT);
}

void
coord_on_detector(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	char who[160];

	coord_tell_failure(c);

	if (r->phase == CMM_PHASE_QUORUM && c->prompt_open &&
	    coord_heard_unanswered(c, who, sizeof(who))) {
		/* a peer came back: the question may no longer be needed
		 * (the rule coord_decide applies before asking) */
		coord_fail(c, "a node became alive while the operator was asked");
		return;
	}
	if (r->phase == CMM_PHASE_PREPARE)
		coord_check_prepare(c);
}

void
coord_on_tick(struct cmm_core *c)
{
	struct core_coord *r = &c->r;

	switch (r->phase) {
	case CMM_PHASE_PREPARE:
		coord_check_prepare(c);
		break;
	case CMM_PHASE_ACCEPT:
		if (c->now >= r->deadline)
			coord_fail(c, "no quorum of ACCEPTED in time");
		break;
	case CMM_PHASE_BACKOFF:
		if (c->now >= r->deadline)
			r->phase = CMM_PHASE_DONE;
		break;
	default:
		break;
	}
}

/* ---- force-quorum (docs/PROTOCOL.md "Forcing quorum") ---- */

/*
 * The operator declared `dead` dead (core.c checked the declaration): a
 * round of the next instance at a fresh ballot, whose phase 1 counts the
 * declaration in place of the promises of the dead.  First, on every
 * device this node shares with one of them, it asks the device's slot for
 * a promise: a device that has seen a newer configuration, or promised a
 * higher ballot to someone else, ends the round -- the side that holds a
 * device keeps it.
 */
void
coord_force(struct cmm_core *c, const struct cmm_set *dead)
{
	struct core_coord *r = &c->r;
	uint32_t inst = c->disk.epoch + 1, attempt;
	int failures = r->inst == inst ? r->failures : 0;
	char dl[96], buf[200];

	memset(r, 0, sizeof(*r));
	r->inst = inst;
	r->failures = failures;
	r->prev_epoch = c->disk.epoch;
	r->prev = c->disk.members;
	r->device = -1;
	r->forced = true;
	r->force = true;
	r->dead = *dead;
	attempt = coord_next_attempt(c);
	r->b = cmm_ballot_make(attempt, c->self);
	if (coord_persist_ballot(c, attempt, true) != 0)
		return;
	r->phase = CMM_PHASE_PREPARE;
	r->deadline = c->now + c->cfg->round_timeout_ms;
	c->stepin_at = CORE_NEVER;
	cmm_set_format(dead, dl, sizeof(dl));
	snprintf(buf, sizeof(buf), "started (force-quorum: the operator "
	    "declared {%s} dead)", dl);
	coord_event(c, buf);
	core_log(c, CMM_LOG_WARN, "force-quorum: instance %u, {%s} declared "
	    "dead by the operator", inst, dl);
	core_sync_state(c);
	coord_force_devices(c);
	coord_send_prepare(c, true);
}

/* The devices this node shares with a declared-dead member: a PROMISE of
 * this ballot asked of each (their ids are consecutive). */
static void
coord_force_devices(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	struct cmm_devop op;

	memset(&op, 0, sizeof(op));
	op.op = CMM_DEVOP_PROMISE;
	op.epoch = r->inst;
	op.ballot = r->b;
	r->fdev_base = c->next_req + 1;
	for (int i = 0; i < c->cfg->n_devices; i++) {
		struct cmm_set shared;

		if (!cmm_set_has(&c->cfg->devices[i].nodes, c->self))
			continue;
		cmm_set_and(&shared, &c->cfg->devices[i].nodes, &r->dead);
		if (cmm_set_empty(&shared))
			continue;
		(void)core_device(c, i, &op);
		r->fdev_total++;
		r->fdev_pending++;
	}
}

bool
coord_owns_request(const struct cmm_core *c, uint32_t id)
{
	const struct core_coord *r = &c->r;

	return r->forced && r->fdev_total > 0 && id >= r->fdev_base &&
	    id < r->fdev_base + (uint32_t)r->fdev_total;
}

/* One device's answer to the forced round's PROMISE. */
void
coord_on_force_device(struct cmm_core *c, uint32_t id,
    const struct cmm_devres *res)
{
	struct core_coord *r = &c->r;
	int dev = -1, k = (int)(id - r->fdev_base);
	char buf[160];

	if (r->phase != CMM_PHASE_PREPARE || r->fdev_pending <= 0)
		return;
	/* the k-th device this node shares with the dead */
	for (int i = 0; i < c->cfg->n_devices && dev < 0; i++) {
		struct cmm_set shared;

		if (!cmm_set_has(&c->cfg->devices[i].nodes, c->self))
			continue;
		cmm_set_and(&shared, &c->cfg->devices[i].nodes, &r->dead);
		if (!cmm_set_empty(&shared) && k-- == 0)
			dev = i;
	}
	r->fdev_pending--;
	if (res->status == CMM_DEV_OLD && res->committed_epoch >= r->inst) {
		/* the other side committed and the device saw it: it won */
		learn_chosen(c, res->committed_epoch, &res->committed, NULL,
		    "learned from the quorum device");
		return;
	}
	if (res->status != CMM_DEV_OK) {
		if (res->status == CMM_DEV_NACK && res->slot_promised > c->seen_max)
			c->seen_max = res->slot_promised;
		snprintf(buf, sizeof(buf), "force-quorum lost the race for "
		    "device %s (%s): a side that holds a device keeps it",
		    dev >= 0 ? c->cfg->devices[dev].name : "?",
		    cmm_dev_status_name(res->status));
		coord_lose(c, buf);
		return;
	}
	/* the device is one more acceptor of this instance: a value it
	 * accepted may have been chosen */
	if (res->slot_accepted > r->best_b && !cmm_set_empty(&res->slot_value) &&
	    cmm_set_subset(&res->slot_value, &c->cfg->configured)) {
		r->best_b = res->slot_accepted;
		r->best_v = res->slot_value;
	}
	coord_check_prepare(c);
}

/* Phase 1 of a forced round is over: the devices all promised (a refusal
 * ended the round already), and the live members' promises with the
 * declared dead must make a quorum of P.  Then the declaration stands in
 * for the dead, as an answer does in a two-node split. */
static void
coord_force_decide(struct cmm_core *c)
{
	struct core_coord *r = &c->r;
	struct cmm_set with, missing;
	struct cmm_event ev;
	char dl[96], ml[96];

	if (r->fdev_pending > 0) {
		coord_lose(c, "force-quorum: a quorum device did not answer in "
		    "time");
		return;
	}
	cmm_set_and(&with, &r->promised, &r->prev);
	cmm_set_or(&with, &with, &r->dead);
	if (!cmm_quorum_is(&r->prev, &with, false, c->cfg->priority,
	    c->cfg->bugs)) {
		cmm_set_minus(&missing, &r->prev, &with);
		cmm_set_format(&missing, ml, sizeof(ml));
		snprintf(r->outcome, sizeof(r->outcome), "force-quorum: {%s} "
		    "did not promise", ml);
		coord_lose(c, r->outcome);
		return;
	}
	memset(&r->dec, 0, sizeof(r->dec));
	r->dec.method = CMM_QM_FORCED;
	r->dec.verdict = CMM_QV_WIN;
	cmm_set_and(&with, &r->promised, &r->prev);
	r->dec.votes = cmm_set_count(&with);
	r->dec.prev_size = cmm_set_count(&r->prev);
	r->dec.crown_prince = cmm_crown_prince(&r->prev, c->cfg->priority);
	r->dec.crown_prince_present = r->dec.crown_prince >= 0 &&
	    cmm_set_has(&with, r->dec.crown_prince);
	r->dec.device = -1;
	r->dec.choice[0] = r->dec.choice[1] = -1;
	r->dec.winner = -1;
	r->have_dec = true;
	c->last_dec = r->dec;
	c->have_last_dec = true;
	cmm_set_format(&r->dead, dl, sizeof(dl));
	core_event_init(c, &ev, CMM_EV_QUORUM);
	ev.decision = &r->dec;
	core_event(c, &ev, "round (%u,%u) quorum: forced by the operator: %d "
	    "of %d promised, {%s} declared dead", r->inst,
	    cmm_ballot_attempt(r->b), r->dec.votes, r->dec.prev_size, dl);
	r->standin = true;
	coord_propose(c);
}
