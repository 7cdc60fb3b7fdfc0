/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_round: one reconfiguration round (DESIGN §2 "A reconfiguration
 * round"; patent FIG. 4-6 for presence and proposal, FIG. 7-9 for quorum,
 * step 612 for fencing).  Pure: called only from core.c.
 */
#include <stdio.h>
#include <string.h>

#include "core_int.h"

static void round_presence_end(struct cmm_core *c);
static void round_check_presence(struct cmm_core *c);
static void round_check_propose(struct cmm_core *c);
static void round_fence(struct cmm_core *c, uint32_t T, const struct cmm_set *S,
    bool adopt, bool round_after);
static void round_commit(struct cmm_core *c);
static void round_propose(struct cmm_core *c, struct cmm_set value);
static void round_note_excluded(struct cmm_core *c);
static bool round_leave_names(const struct cmm_core *c, int q,
    const struct cmm_set *set);
static void round_drop_reported_dead(const struct cmm_core *c,
    struct cmm_set *exp);
static void round_decide(struct cmm_core *c, struct cmm_qdecision *out);
static void round_abort(struct cmm_core *c, const char *why);

bool
round_active(const struct cmm_core *c)
{
	return c->r.phase != CMM_PHASE_NONE && c->r.phase != CMM_PHASE_DONE;
}

int64_t
round_deadline(const struct cmm_core *c)
{
	switch (c->r.phase) {
	case CMM_PHASE_PRESENCE:
		if (c->now < c->r.min_end && c->r.min_end < c->r.deadline)
			return c->r.min_end;
		return c->r.deadline;
	case CMM_PHASE_PROPOSE:
	case CMM_PHASE_QUORUM:
	case CMM_PHASE_FENCE:
		return c->r.deadline;
	case CMM_PHASE_BACKOFF:
		return c->r.backoff_until;
	default:
		return CORE_NEVER;
	}
}

static void
round_outcome(struct cmm_core *c, const char *prefix, const char *text)
{
	snprintf(c->r.outcome, sizeof(c->r.outcome), "%s%.120s", prefix, text);
}

static void
round_event(struct cmm_core *c, const char *what)
{
	struct cmm_event ev;

	core_event_init(c, &ev, CMM_EV_ROUND);
	core_event(c, &ev, "round (%u,%u) %s", c->r.T, c->r.a, what);
}

void
round_start(struct cmm_core *c, uint32_t T, uint32_t a, const char *why)
{
	struct core_round *r = &c->r;
	char buf[128];

	if (c->prompt_open)
		core_prompt_close(c, "superseded by a newer round");
	memset(r, 0, sizeof(*r));
	r->T = T;
	r->a = a;
	r->phase = CMM_PHASE_PRESENCE;
	r->deadline = c->now + c->cfg->round_timeout_ms;
	/* a retry listens long enough for every participant to rebroadcast
	 * its PRESENCE once, so all compute convergence from the same rows */
	r->min_end = a > 0 && c->failed_T == T ?
	    c->now + 2 * c->cfg->heartbeat_ms : 0;
	r->prev_epoch = c->best_epoch;
	r->prev = c->best;
	cmm_set_add(&r->presence, c->self);
	c->first_round_done = true;
	c->retrigger = false;
	snprintf(buf, sizeof(buf), "started (%s)", why);
	round_event(c, buf);
	/* FIG. 4, step 404: announce presence to every configured node */
	core_send(c, &c->cfg->configured, CMM_MSG_PRESENCE);
	core_sync_state(c);
	round_check_presence(c);
}

/* The lowest attempt of round T this node may still take part in: never
 * an attempt it already finished or proposed in, across restarts too, so a
 * retry always sees the proposals of earlier attempts as earlier. */
static uint32_t
round_floor(const struct cmm_core *c, uint32_t T)
{
	uint32_t f = 0;

	if (c->r.T == T && c->r.phase != CMM_PHASE_NONE)
		f = c->r.a + 1;
	if (c->disk.prop_epoch == T && c->disk.prop_attempt + 1 > f)
		f = c->disk.prop_attempt + 1;
	if (c->hint_T == T && c->hint_a > f)
		f = c->hint_a;	/* a peer finished attempts up to hint_a - 1 */
	return f;
}

void
round_trigger(struct cmm_core *c, const char *why)
{
	uint32_t T;

	if (!c->started || c->stopped || c->leaving)
		return;
	if (!c->first_round_done)
		return;		/* the first round starts when listening ends */
	if (round_active(c)) {
		if (c->r.phase == CMM_PHASE_PRESENCE)
			round_check_presence(c);
		else if (c->r.phase != CMM_PHASE_BACKOFF)
			c->retrigger = true;
		return;
	}
	T = c->best_epoch + 1;
	round_start(c, T, round_floor(c, T), why);
}

void
round_abandon(struct cmm_core *c, const char *why)
{
	if (!round_active(c))
		return;
	c->r.phase = CMM_PHASE_DONE;
	round_outcome(c, "abandoned: ", why);
	round_event(c, c->r.outcome);
	if (c->prompt_open)
		core_prompt_close(c, why);
}

static void
round_fail(struct cmm_core *c, const char *why)
{
	int64_t hb = c->cfg->heartbeat_ms;

	round_outcome(c, "failed: ", why);
	c->failed_T = c->r.T;
	round_event(c, c->r.outcome);
	if (c->prompt_open)
		core_prompt_close(c, "round failed");
	/* a short jittered backoff, so retries do not collide in lock-step */
	c->r.phase = CMM_PHASE_BACKOFF;
	c->r.backoff_until = c->now + hb / 4 +
	    (int64_t)cmm_rng_below(&c->rng, (uint64_t)(3 * hb / 4 + 1));
}

/* The round ends without quorum for this node. */
static void
round_abort(struct cmm_core *c, const char *why)
{
	round_outcome(c, "aborted: ", why);
	round_event(c, c->r.outcome);
	c->r.phase = CMM_PHASE_DONE;
	if (c->prompt_open)
		core_prompt_close(c, why);
	core_drop_membership(c, why);
}

/* ---- phase 1: presence (FIG. 4-6, steps 404-408, 502-508, 602-608) ---- */

static void
round_check_presence(struct cmm_core *c)
{
	struct core_round *r = &c->r;
	struct cmm_set exp = c->alive;

	if (r->phase != CMM_PHASE_PRESENCE)
		return;
	/* while still listening, peers not yet heard may be alive */
	if (c->now < c->listen_until) {
		struct cmm_set unheard;

		cmm_set_minus(&unheard, &c->cfg->configured, &c->heard);
		cmm_set_or(&exp, &exp, &unheard);
	}
	cmm_set_minus(&exp, &exp, &c->leavers);
	round_drop_reported_dead(c, &exp);
	r->expected = exp;
	if (c->now >= r->deadline ||
	    (cmm_set_subset(&exp, &r->presence) && c->now >= r->min_end))
		round_presence_end(c);
}

/*
 * Whether q's LEAVE names exactly `set` (DESIGN §2 step 4), once the other
 * nodes leaving are taken out of the set it named: several members leaving
 * at once each name the others, and must not cancel each other.  Still safe:
 * every set such a LEAVE can count for holds all the members that are not
 * leaving, so two disjoint sides never both count it.
 */
static bool
round_leave_names(const struct cmm_core *c, int q, const struct cmm_set *set)
{
	struct cmm_set named, others;

	cmm_set_minus(&others, &c->leavers, set);
	cmm_set_minus(&named, &c->peers[q].leave_vec, &others);
	return cmm_set_eq(&named, set);
}

/* Detectors expire a dead node at slightly different times on different
 * nodes.  Waiting for a silent node that a participant already reports
 * dead, and that this node has not heard for nearly the whole timeout,
 * only delays the round (and the failover) by that difference. */
static void
round_drop_reported_dead(const struct cmm_core *c, struct cmm_set *exp)
{
	const struct core_round *r = &c->r;
	int64_t quiet = c->cfg->failure_timeout_ms - c->cfg->heartbeat_ms;
	struct cmm_set wait;

	/* only nodes some participant's row left out (kept up as PRESENCE
	 * arrives, so this stays cheap in large clusters) */
	cmm_set_minus(&wait, exp, &r->presence);
	cmm_set_and(&wait, &wait, &r->unseen);
	for (int q = cmm_set_next(&wait, 0); q >= 0; q = cmm_set_next(&wait, q + 1))
		if (c->peers[q].last_heard >= 0 &&
		    c->now - c->peers[q].last_heard > quiet)
			cmm_set_del(exp, q);
}

static void
round_presence_end(struct cmm_core *c)
{
	struct core_round *r = &c->r;
	struct cmm_set next, S;
	char buf[160], list[96];

	if (c->best_epoch >= r->T) {
		round_check_stale(c);
		return;
	}
	r->adopting = !(c->cfg->bugs & CMM_BUG_NO_RECOVERY) && round_recover(c, &S);
	if (r->adopting) {
		/* Paxos-style: the participants (a vote quorum) all agree to
		 * adopt S before its members commit it; S rides in `leavers` */
		cmm_set_format(&S, list, sizeof(list));
		core_log(c, CMM_LOG_INFO, "round (%u,%u): {%s} may have been "
		    "committed at %u: proposing to adopt it", r->T, r->a, list, r->T);
		r->next = r->presence;
		r->leavers = S;
		round_propose(c, S);
		return;
	}
	/* FIG. 4, step 408: the prospective cluster is self + every sender */
	cmm_set_minus(&next, &r->presence, &c->leavers);
	if (r->a > 0)
		round_converge(c, &next);
	/* a two-node cluster races alone: joiners wait for the next round */
	if (r->prev_epoch > 0 && cmm_set_count(&r->prev) == 2 &&
	    !cmm_set_subset(&r->prev, &next))
		cmm_set_and(&next, &next, &r->prev);
	r->next = next;
	if (cmm_set_has(&next, c->self) && !cmm_set_subset(&next, &r->presence)) {
		struct cmm_set missing;

		/* convergence kept a node whose PRESENCE (and so whose last
		 * proposal) this node has not seen: without its report the
		 * recovery above may have missed a set committed earlier */
		cmm_set_minus(&missing, &next, &r->presence);
		cmm_set_format(&missing, list, sizeof(list));
		snprintf(buf, sizeof(buf), "no PRESENCE from {%s}", list);
		round_fail(c, buf);
		return;
	}
	if (!cmm_set_has(&next, c->self)) {
		cmm_set_format(&next, list, sizeof(list));
		snprintf(buf, sizeof(buf), "this node left out of {%s}", list);
		r->phase = CMM_PHASE_DONE;
		round_outcome(c, "", buf);
		round_event(c, buf);
		core_drop_membership(c, "left out by the connectivity rule");
		return;
	}
	cmm_set_clear(&r->leavers);
	for (int q = cmm_set_next(&r->prev, 0); q >= 0;
	    q = cmm_set_next(&r->prev, q + 1))
		if (!cmm_set_has(&next, q) && core_is_leaver(c, q) &&
		    round_leave_names(c, q, &next))
			cmm_set_add(&r->leavers, q);
	/* A two-node cluster decides by race or operator, which recovery
	 * cannot see: if this node itself proposed a set holding all of P and
	 * more (joiners) earlier in this round, that set may have been
	 * committed, so it must not race for T now; it waits to hear from
	 * that set.  (Agreeing on P itself commits nothing.) */
	if (r->prev_epoch > 0 && cmm_set_count(&r->prev) <= 2 &&
	    !cmm_set_subset(&r->prev, &next) && c->disk.prop_epoch == r->T &&
	    c->disk.prop_attempt < r->a && cmm_set_subset(&r->prev, &c->disk.prop) &&
	    !cmm_set_eq(&r->prev, &c->disk.prop)) {
		round_abort(c, "an earlier proposal of this round may have been "
		    "committed; waiting to hear from its members");
		return;
	}
	/* a set that cannot win is not proposed: proposing it would
	 * overwrite the last proposal that recovery may still need */
	if (!(r->prev_epoch > 0 && cmm_set_eq(&next, &r->prev))) {
		struct cmm_qdecision pre;

		round_decide(c, &pre);
		if (pre.verdict == CMM_QV_LOSE || pre.verdict == CMM_QV_WAIT) {
			r->dec = pre;
			r->have_dec = true;
			c->last_dec = pre;
			c->have_last_dec = true;
			cmm_quorum_explain(&pre, buf, sizeof(buf));
			if (pre.verdict == CMM_QV_WAIT) {
				r->phase = CMM_PHASE_DONE;
				round_outcome(c, "", buf);
				round_event(c, c->r.outcome);
				c->next_join = c->now + c->cfg->join_retry_ms;
			} else {
				round_abort(c, buf);
			}
			return;
		}
	}
	round_propose(c, next);
}

/* Persist the proposal (value) for (T, a), then send PROPOSE to next. */
static void
round_propose(struct cmm_core *c, struct cmm_set value)
{
	struct core_round *r = &c->r;
	char buf[160], list[96];

	/* persist the proposal before sending it (proposal recovery) */
	c->disk.prop_epoch = r->T;
	c->disk.prop_attempt = r->a;
	c->disk.prop = value;
	if (core_persist(c) != 0) {
		round_abort(c, "cannot persist the proposal");
		core_fail_stop(c, "cannot persist the proposal");
		return;
	}
	r->phase = CMM_PHASE_PROPOSE;
	r->deadline = c->now + c->cfg->round_timeout_ms;
	cmm_set_add(&r->proposed, c->self);
	cmm_set_format(&value, list, sizeof(list));
	snprintf(buf, sizeof(buf), "%s {%s}", r->adopting ? "proposing to adopt" :
	    "proposing", list);
	round_event(c, buf);
	/* FIG. 4, step 414: send the prospective cluster to its members */
	core_send(c, &r->next, CMM_MSG_PROPOSE);
	round_check_propose(c);
}

/* ---- phase 2: proposal (steps 414-424, 510-520) ---- */

static void round_quorum(struct cmm_core *c);
static void round_decide(struct cmm_core *c, struct cmm_qdecision *out);

static void
round_check_propose(struct cmm_core *c)
{
	struct core_round *r = &c->r;
	struct cmm_set fresh;
	char buf[160], list[96];

	if (r->phase != CMM_PHASE_PROPOSE)
		return;
	/* only the members of next must agree; an outsider's differing
	 * proposal is its own failure.  Each proposal is compared once. */
	cmm_set_minus(&fresh, &r->proposed, &r->compared);
	cmm_set_and(&fresh, &fresh, &r->next);
	cmm_set_del(&fresh, c->self);
	for (int q = cmm_set_next(&fresh, 0); q >= 0; q = cmm_set_next(&fresh, q + 1))
		if (!cmm_set_eq(&c->peers[q].prop_vec, &r->next) ||
		    c->peers[q].prop_adopt != r->adopting ||
		    !cmm_set_eq(&c->peers[q].prop_leavers, &r->leavers))
			cmm_set_add(&r->differ, q);
	cmm_set_or(&r->compared, &r->compared, &fresh);
	if (!cmm_set_empty(&r->differ)) {
		cmm_set_format(&r->differ, list, sizeof(list));
		snprintf(buf, sizeof(buf), "proposals of {%s} differ", list);
		round_fail(c, buf);
		return;
	}
	cmm_set_minus(&fresh, &r->next, &c->alive);
	if (!cmm_set_empty(&fresh)) {
		snprintf(buf, sizeof(buf), "node %d failed during the proposal",
		    cmm_set_next(&fresh, 0));
		round_fail(c, buf);
		return;
	}
	/* step 422: every member of the prospective cluster agreed */
	if (cmm_set_subset(&r->next, &r->proposed)) {
		round_quorum(c);
		return;
	}
	if (c->now >= r->deadline) {
		struct cmm_set missing;

		cmm_set_minus(&missing, &r->next, &r->proposed);
		cmm_set_format(&missing, list, sizeof(list));
		snprintf(buf, sizeof(buf), "no proposal from {%s}", list);
		round_fail(c, buf);
	}
}

/* ---- step 4: quorum (FIG. 7-9) ---- */

/* The quorum decision of step 4 for the round's P and next. */
static void
round_decide(struct cmm_core *c, struct cmm_qdecision *out)
{
	struct core_round *r = &c->r;
	struct cmm_set devsets[CMM_MAX_DEVICES];	/* 32 KiB on the stack */
	struct cmm_set empty;
	struct cmm_qinput in;
	int other = -1;

	cmm_set_clear(&empty);
	for (int i = 0; i < c->cfg->n_devices; i++)
		devsets[i] = c->cfg->devices[i].nodes;
	memset(&in, 0, sizeof(in));
	in.self = c->self;
	in.prev = r->prev_epoch ? &r->prev : &empty;
	in.next = &r->next;
	in.leavers = &r->leavers;
	in.configured = &c->cfg->configured;
	in.priority = c->cfg->priority;
	in.devices = devsets;
	in.n_devices = c->cfg->n_devices;
	in.initial = c->cfg->initial;
	in.winner = c->cfg->winner;
	in.bugs = c->cfg->bugs;
	if (r->prev_epoch && cmm_set_count(&r->prev) == 2) {
		struct cmm_set o;

		cmm_set_minus(&o, &r->prev, &r->next);
		other = cmm_set_next(&o, 0);
	}
	if (other >= 0 && core_is_leaver(c, other)) {
		struct cmm_set me;

		cmm_set_clear(&me);
		cmm_set_add(&me, c->self);
		in.other_left_naming_self = round_leave_names(c, other, &me);
	}
	cmm_quorum_decide(&in, out);
	/* a node that left P on purpose may have settled it by its LEAVE:
	 * it never races or takes the operator's pick against P */
	if (r->prev_epoch > 0 && c->disk.left_epoch == r->prev_epoch &&
	    (out->method == CMM_QM_RACE || out->method == CMM_QM_OPERATOR)) {
		out->verdict = CMM_QV_LOSE;
		out->device = -1;
	}
}

static void
round_quorum(struct cmm_core *c)
{
	struct core_round *r = &c->r;
	struct cmm_set empty;
	struct cmm_event ev;
	char expl[160];

	cmm_set_clear(&empty);
	if (r->adopting) {
		/* every participant agreed S may have been committed at T */
		if (cmm_set_has(&r->leavers, c->self)) {
			round_fence(c, r->T, &r->leavers, true, true);
		} else {
			core_learn_best(c, r->T, &r->leavers);
			r->phase = CMM_PHASE_DONE;
			round_outcome(c, "", "adopted a configuration without this node");
			round_event(c, c->r.outcome);
			core_drop_membership(c, "a configuration without this node may "
			    "have been committed");
			/* its members commit it and open the next round; this
			 * node joins that, or petitions at its next retry */
		}
		return;
	}
	round_decide(c, &r->dec);
	r->have_dec = true;
	c->last_dec = r->dec;
	c->have_last_dec = true;
	cmm_quorum_explain(&r->dec, expl, sizeof(expl));
	core_event_init(c, &ev, CMM_EV_QUORUM);
	ev.decision = &r->dec;
	core_event(c, &ev, "round (%u,%u) quorum: %s", r->T, r->a, expl);

	/* nothing changed: no new epoch (DESIGN §2 step 6) */
	if (r->prev_epoch > 0 && cmm_set_eq(&r->next, &r->prev)) {
		if (c->epoch < r->prev_epoch) {
			round_fence(c, r->prev_epoch, &r->prev, true, false);
			return;
		}
		r->phase = CMM_PHASE_DONE;
		round_outcome(c, "", "agreed: no change");
		round_event(c, "agreed: no change");
		if (!c->member) {
			/* a member that restarted, or rejoined, within one epoch */
			c->member = true;
			c->lost_quorum = false;
			c->isolated = false;
		}
		round_note_excluded(c);
		core_sync_state(c);
		return;
	}
	switch (r->dec.verdict) {
	case CMM_QV_WIN:
		round_fence(c, r->T, &r->next, false, false);
		break;
	case CMM_QV_LOSE:
		round_abort(c, expl);
		break;
	case CMM_QV_RACE: {
		struct cmm_devreq req;

		/* FIG. 8: race for the shared quorum device */
		memset(&req, 0, sizeof(req));
		req.op = CMM_DEVOP_RESERVE;
		req.device = r->dec.device;
		req.node = c->self;
		req.epoch = r->T;
		r->phase = CMM_PHASE_QUORUM;
		r->deadline = c->now + 2 * c->cfg->round_timeout_ms;
		core_device(c, &req);
		r->race_req = req.id;
		break;
	}
	case CMM_QV_ASK_WINNER:
		/* FIG. 8, step 812: no device; the operator picks */
		r->phase = CMM_PHASE_QUORUM;
		r->deadline = CORE_NEVER;
		core_prompt_open(c, CMM_PROMPT_WINNER, r->dec.choice,
		    "two-node cluster split and no shared quorum device");
		break;
	case CMM_QV_ASK_ISOLATION:
		r->phase = CMM_PHASE_QUORUM;
		r->deadline = CORE_NEVER;
		if (r->dec.method == CMM_QM_ISOLATION &&
		    c->cfg->isolation != CMM_ISOLATION_ASK) {
			round_answer(c, c->cfg->isolation == CMM_ISOLATION_NOT_ISOLATED,
			    c->cfg->isolation == CMM_ISOLATION_ISOLATED);
			break;
		}
		/* step 412: only a human can tell isolation from being first */
		core_prompt_open(c, CMM_PROMPT_ISOLATION, NULL,
		    r->dec.method == CMM_QM_ISOLATION ?
		    "no other node answered and no cluster is known" :
		    "a minority of the configured nodes is starting a cluster");
		break;
	case CMM_QV_WAIT:
		r->phase = CMM_PHASE_DONE;
		round_outcome(c, "", "waiting for a majority of configured nodes");
		round_event(c, c->r.outcome);
		c->next_join = c->now + c->cfg->join_retry_ms;
		break;
	}
}

void
round_answer(struct cmm_core *c, bool proceed, bool isolated)
{
	struct core_round *r = &c->r;

	if (c->prompt_open)
		core_prompt_close(c, isolated ? "answered: isolated" :
		    proceed ? "answered: proceed" : "answered: the other node wins");
	if (r->phase != CMM_PHASE_QUORUM)
		return;
	if (isolated) {
		r->phase = CMM_PHASE_DONE;
		round_outcome(c, "", "isolated: staying out");
		round_event(c, c->r.outcome);
		c->isolated = true;
		core_drop_membership(c, "isolated");
	} else if (proceed) {
		round_fence(c, r->T, &r->next, false, false);
	} else {
		round_abort(c, "the operator picked the other node");
	}
}

/* ---- step 5: fence (patent step 612) ---- */

static void
round_fence(struct cmm_core *c, uint32_t T, const struct cmm_set *S, bool adopt,
    bool round_after)
{
	struct core_round *r = &c->r;
	struct cmm_set departed, was;
	struct cmm_event ev;
	char list[96];
	int n = 0;

	r->commit_T = T;
	r->commit_S = *S;
	r->commit_adopt = adopt;
	r->round_after = round_after;
	r->fences_pending = 0;
	r->fence_failed = false;
	/* adopting a configuration others committed, or committing after
	 * epochs this node missed, it may not know who left in between: fence
	 * every node outside the new set (a non-member is never registered,
	 * so this takes nothing from anyone) */
	if (adopt || c->epoch != r->prev_epoch)
		was = c->cfg->configured;	/* this node skipped an epoch */
	else
		was = r->prev;
	cmm_set_minus(&departed, &was, S);
	r->fence_base = c->next_req + 1;
	if (!(c->cfg->bugs & CMM_BUG_SKIP_FENCE)) {
		for (int i = 0; i < c->cfg->n_devices; i++) {
			const struct cmm_set *dn = &c->cfg->devices[i].nodes;
			struct cmm_devreq req;

			if (!cmm_set_has(dn, c->self))
				continue;
			memset(&req, 0, sizeof(req));
			cmm_set_and(&req.departed, dn, &departed);
			if (cmm_set_empty(&req.departed))
				continue;
			req.op = CMM_DEVOP_FENCE;
			req.device = i;
			req.node = c->self;
			req.epoch = T;
			core_device(c, &req);
			n++;
		}
	}
	r->fence_total = n;
	r->fences_pending = n;
	if (n == 0) {
		round_commit(c);
		return;
	}
	r->phase = CMM_PHASE_FENCE;
	r->deadline = c->now + 2 * c->cfg->round_timeout_ms;
	cmm_set_format(&departed, list, sizeof(list));
	core_event_init(c, &ev, CMM_EV_FENCE);
	ev.departed = departed;
	core_event(c, &ev, "fencing {%s} on %d device(s)", list, n);
}

void
round_on_device(struct cmm_core *c, uint32_t id, bool ok)
{
	struct core_round *r = &c->r;
	char buf[160];

	if (r->phase == CMM_PHASE_QUORUM && r->race_req != 0 && id == r->race_req) {
		r->race_req = 0;
		if (ok) {
			round_fence(c, r->T, &r->next, false, false);
		} else {
			snprintf(buf, sizeof(buf), "lost the race for device %s",
			    c->cfg->devices[r->dec.device].name);
			round_abort(c, buf);
		}
		return;
	}
	if (r->phase == CMM_PHASE_FENCE && id >= r->fence_base &&
	    id < r->fence_base + (uint32_t)r->fence_total) {
		if (!ok)
			r->fence_failed = true;
		if (--r->fences_pending > 0)
			return;
		if (r->fence_failed)
			round_abort(c, "fencing failed: a newer configuration holds a device");
		else
			round_commit(c);
		return;
	}
	if (!ok)
		core_log(c, CMM_LOG_WARN, "device request %u failed", id);
}

/* Petitioners a finished round left out stay out while connectivity is
 * unchanged (DESIGN §2 step 6), so a one-way link cannot make it spin. */
static void
round_note_excluded(struct cmm_core *c)
{
	struct cmm_set base;

	cmm_set_or(&base, &c->alive, &c->r.presence);
	cmm_set_minus(&c->excluded, &base, &c->members);
	c->excluded_hash = core_rows_hash(c);
	c->excluded_until = c->now + 5 * c->cfg->failure_timeout_ms;
}

/* ---- step 6: commit (step 424) ---- */

static void
round_commit(struct cmm_core *c)
{
	struct core_round *r = &c->r;
	struct cmm_set joined, departed, base;
	struct cmm_persist old = c->disk;
	struct cmm_event ev;
	char list[96], buf[160];
	bool early = (c->cfg->bugs & CMM_BUG_COMMIT_EARLY) != 0;

	cmm_set_or(&base, &r->prev, r->commit_adopt ? &c->members : &r->prev);
	cmm_set_minus(&joined, &r->commit_S, &base);
	cmm_set_minus(&departed, &base, &r->commit_S);
	core_event_init(c, &ev, CMM_EV_COMMIT);
	ev.epoch = r->commit_T;
	ev.members = r->commit_S;
	ev.joined = joined;
	ev.departed = departed;
	ev.decision = r->commit_adopt ? NULL : &r->dec;
	cmm_set_format(&r->commit_S, list, sizeof(list));
	if (early)
		core_event(c, &ev, "commit epoch %u: {%s}", r->commit_T, list);
	/* persist before announcing (DESIGN §2 step 6) */
	c->disk.epoch = r->commit_T;
	c->disk.members = r->commit_S;
	if (core_persist(c) != 0) {
		c->disk = old;
		round_abort(c, "cannot persist the commit");
		core_fail_stop(c, "cannot persist the commit");
		return;
	}
	c->epoch = r->commit_T;
	c->members = r->commit_S;
	c->member = true;
	c->lost_quorum = false;
	c->isolated = false;
	c->last_commit_time = c->now;
	core_learn_best(c, c->epoch, &c->members);
	r->phase = CMM_PHASE_DONE;
	core_sync_state(c);
	ev.state = c->state;
	if (!early)
		core_event(c, &ev, "commit epoch %u: {%s}%s", r->commit_T, list,
		    r->commit_adopt ? " (adopted)" : "");
	snprintf(buf, sizeof(buf), "committed epoch %u", r->commit_T);
	round_outcome(c, "", buf);
	/* register on every device shared with another member (DESIGN §3) */
	for (int i = 0; i < c->cfg->n_devices; i++) {
		const struct cmm_set *dn = &c->cfg->devices[i].nodes;
		struct cmm_set both;
		struct cmm_devreq req;

		cmm_set_and(&both, dn, &c->members);
		if (!cmm_set_has(dn, c->self) || cmm_set_count(&both) < 2)
			continue;
		memset(&req, 0, sizeof(req));
		req.op = CMM_DEVOP_REGISTER;
		req.device = i;
		req.node = c->self;
		req.epoch = c->epoch;
		core_device(c, &req);
	}
	round_note_excluded(c);
	if (r->round_after)
		round_start(c, c->epoch + 1, 0, "continuing after adopting");
}

/* ---- inputs ---- */

void
round_on_msg(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_round *r = &c->r;
	int s = m->sender;
	uint32_t T = m->round_epoch, a = m->round_attempt;
	bool active = round_active(c);

	if (T == 0)
		return;
	if (T <= c->best_epoch) {
		/* the sender is behind: show it the newer configuration */
		core_send_to(c, s, CMM_MSG_HEARTBEAT);
		/* a member of ours is only behind: the heartbeat above lets
		 * it catch up without a round */
		if (c->member && !cmm_set_has(&c->members, s))
			core_petition(c, s, "in an old round");
		return;
	}
	if (T > c->best_epoch + 1)
		return;		/* it cannot know a P we do not */
	if (!(active && T == r->T && a == r->a)) {
		if (!active && c->member && core_still_excluded(c, s))
			return;		/* a left-out node: nothing changed */
		if ((T > r->T || a > r->a) && a >= round_floor(c, T)) {
			round_start(c, T, a, "joined a newer round");
		} else if (active) {
			/* it is in an older round: invite it to ours */
			core_send_to(c, s, r->phase == CMM_PHASE_PROPOSE ?
			    CMM_MSG_PROPOSE : CMM_MSG_PRESENCE);
			return;
		} else if (T == r->T && a == r->a && cmm_set_has(&r->proposed, c->self) &&
		    cmm_set_has(&r->next, s)) {
			/* it is still in the attempt this node agreed in and
			 * may have missed our PROPOSE: send it again, or a
			 * lossy link fails every attempt at one node or other */
			core_send_to(c, s, CMM_MSG_PROPOSE);
			return;
		} else {
			/* an attempt this node is past: say so (a heartbeat
			 * carries our last round id) rather than open a newer
			 * one, which a left-out node would do for ever */
			core_send_to(c, s, CMM_MSG_HEARTBEAT);
			return;
		}
	}
	if (r->phase == CMM_PHASE_QUORUM && c->prompt_open &&
	    !cmm_set_has(&r->next, s)) {
		/* the operator was asked about a smaller world: ask again */
		round_fail(c, "a node appeared while the operator was asked");
		return;
	}
	if (r->phase != CMM_PHASE_PRESENCE && r->phase != CMM_PHASE_PROPOSE)
		return;
	cmm_set_add(&r->presence, s);
	{
		struct cmm_set gone;

		cmm_set_minus(&gone, &c->cfg->configured, &m->row);
		cmm_set_or(&r->unseen, &r->unseen, &gone);
	}
	if (m->type == CMM_MSG_PRESENCE)
		c->peers[s].pvec = m->vec;
	if (m->type == CMM_MSG_PROPOSE) {
		cmm_set_add(&r->proposed, s);
		c->peers[s].prop_vec = m->vec;
		c->peers[s].prop_leavers = m->leavers;
		c->peers[s].prop_adopt = (m->flags & CMM_MSGF_ADOPT) != 0;
	}
	if (r->phase == CMM_PHASE_PRESENCE)
		round_check_presence(c);
	else
		round_check_propose(c);
}

/* A heartbeat carries the sender's last round id: a node past attempt a of
 * round T will not take part in it again, so this node's next attempt at T
 * starts above it, and a running attempt that waits for that node fails at
 * once instead of timing out. */
void
round_on_heartbeat(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_round *r = &c->r;
	uint32_t T = m->round_epoch, a = m->round_attempt;

	if (T == 0 || T != c->best_epoch + 1 || (m->flags & CMM_MSGF_INROUND))
		return;		/* a running round is joined, not skipped */
	if (c->hint_T != T || a + 1 > c->hint_a) {
		c->hint_T = T;
		c->hint_a = a + 1;
	}
	if (round_active(c) && r->T == T && a >= r->a &&
	    (r->phase == CMM_PHASE_PRESENCE || r->phase == CMM_PHASE_PROPOSE) &&
	    cmm_set_has(r->phase == CMM_PHASE_PROPOSE ? &r->next : &r->expected,
	    m->sender) && !cmm_set_has(&r->presence, m->sender))
		round_fail(c, "a peer is past this attempt");
}

void
round_on_detector(struct cmm_core *c)
{
	struct cmm_set extra;

	cmm_set_minus(&extra, &c->alive, &c->r.next);
	if (c->r.phase == CMM_PHASE_QUORUM && c->prompt_open &&
	    !cmm_set_empty(&extra)) {
		/* a peer came back while the operator was asked: the
		 * question may no longer be needed */
		round_fail(c, "a node became alive while the operator was asked");
		return;
	}
	if (c->r.phase == CMM_PHASE_PRESENCE)
		round_check_presence(c);
	else if (c->r.phase == CMM_PHASE_PROPOSE)
		round_check_propose(c);
}

void
round_on_tick(struct cmm_core *c)
{
	struct core_round *r = &c->r;

	switch (r->phase) {
	case CMM_PHASE_PRESENCE:
		round_check_presence(c);
		break;
	case CMM_PHASE_PROPOSE:
		round_check_propose(c);
		break;
	case CMM_PHASE_QUORUM:
		if (c->now >= r->deadline)
			round_abort(c, "the quorum device did not answer in time");
		break;
	case CMM_PHASE_FENCE:
		if (c->now >= r->deadline)
			round_abort(c, "fencing did not finish in time");
		break;
	case CMM_PHASE_BACKOFF:
		if (c->now < r->backoff_until)
			break;
		if (c->best_epoch >= r->T) {
			r->phase = CMM_PHASE_DONE;
			round_trigger(c, "retry");
		} else {
			round_start(c, r->T, round_floor(c, r->T), "retry");
		}
		break;
	default:
		break;
	}
}

/* Outside a round: commit the newest known configuration, which holds this
 * node and was committed by others (it missed their last PROPOSE). */
void
round_adopt_best(struct cmm_core *c)
{
	struct core_round *r = &c->r;

	r->phase = CMM_PHASE_DONE;
	r->prev = c->members;
	round_fence(c, c->best_epoch, &c->best, true, false);
}

/* Someone committed the round's epoch (or later): adopt it if this node is
 * in it, else move on to a round for the next epoch. */
void
round_check_stale(struct cmm_core *c)
{
	struct core_round *r = &c->r;

	if (!round_active(c) || c->best_epoch < r->T)
		return;
	if (r->phase == CMM_PHASE_FENCE && r->commit_T == c->best_epoch)
		return;		/* finishing exactly that commit */
	if (cmm_set_has(&c->best, c->self) && c->epoch < c->best_epoch) {
		/* the round's P is the configuration before best: fence the
		 * nodes that left it, and those of our own last commit */
		round_abandon(c, "a newer configuration was committed");
		round_fence(c, c->best_epoch, &c->best, true, false);
		return;
	}
	round_abandon(c, "a newer configuration was committed");
	round_trigger(c, "a newer configuration was committed");
}
