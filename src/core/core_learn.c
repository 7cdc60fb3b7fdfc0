/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_learn: the learner (docs/PROTOCOL.md "Chosen", "Fence", "Commit").
 * A configuration is taken as chosen only from ACCEPTEDs of a quorum of
 * the instance's acceptors, all at one ballot, or from a node that has
 * committed it (its header, or a COMMIT).  Learning persists the new known
 * configuration whether or not this node is in it; a member of it then
 * fences the departed, announces, and registers on its devices.
 */
#include <stdio.h>
#include <string.h>

#include "src/core/core_int.h"

static void	learn_alarm(struct cmm_core *c, int peer, uint32_t epoch,
		    const struct cmm_set *theirs, const struct cmm_set *ours);
static void	commit_start(struct cmm_core *c, uint32_t epoch,
		    const struct cmm_set *S, const struct cmm_set *departed,
		    bool rejoin);
static void	commit_finish(struct cmm_core *c);
static void	commit_wd_done(struct cmm_core *c);
static void	commit_unfenced(struct cmm_core *c, const struct cmm_set *S,
		    const struct cmm_set *departed);
static void	commit_fail(struct cmm_core *c);
static void	learn_chosen_by(struct cmm_core *c, bool by_acceptors,
		    uint32_t epoch, const struct cmm_set *chosen,
		    const struct cmm_qdecision *dec, const char *how,
		    const struct core_tally *t);
static void	learn_explain(struct cmm_core *c, const struct cmm_set *from,
		    bool device, cmm_ballot b, struct cmm_qdecision *dec);

void
learn_reset(struct cmm_core *c)
{
	memset(c->tally, 0, sizeof(c->tally));
}

/* Q(P) for the current instance: the known members, or a majority of
 * the configured nodes when none is known (formation). */
bool
learn_quorum(const struct cmm_core *c, const struct cmm_set *from, bool device)
{
	if (c->disk.epoch == 0)
		return cmm_quorum_formation(&c->cfg->configured, from,
		    c->cfg->bugs);
	return cmm_quorum_is(&c->disk.members, from, device,
	    c->cfg->priority, c->cfg->bugs);
}

static struct core_tally *
tally_slot(struct cmm_core *c, cmm_ballot b)
{
	struct core_tally *low = &c->tally[0];

	for (int i = 0; i < CORE_TALLY; i++) {
		if (c->tally[i].b == b)
			return &c->tally[i];
		if (c->tally[i].b < low->b)
			low = &c->tally[i];
	}
	/* a new ballot replaces the lowest: a value chosen there is the
	 * value of every higher ballot, so only liveness could suffer */
	if (low->b > b)
		return NULL;
	memset(low, 0, sizeof(*low));
	low->b = b;
	return low;
}

/*
 * One acceptor (or the device, from = -1) accepted value at ballot b of the
 * current instance.  Chosen when a quorum of Q(P) accepted at that one
 * ballot; with a stand-in (operator answer, policy), when every acceptor
 * this node's own phase 1 counted did.
 */
void
learn_accepted(struct cmm_core *c, int from, cmm_ballot b,
    const struct cmm_set *value, bool device)
{
	struct core_tally *t = tally_slot(c, b);
	struct cmm_set need;
	bool chosen, by_quorum;

	if (t == NULL)
		return;
	if ((!cmm_set_empty(&t->from) || t->device) &&
	    !cmm_set_eq(&t->value, value)) {
		core_log(c, CMM_LOG_ERROR, "two values for ballot (%u,%d) of "
		    "instance %u: ignoring node %d", cmm_ballot_attempt(b),
		    cmm_ballot_coord(b), c->disk.epoch + 1, from);
		return;
	}
	t->value = *value;
	if (from >= 0)
		cmm_set_add(&t->from, from);
	if (device)
		t->device = true;
	if (b == c->r.b && c->r.inst == c->disk.epoch + 1)
		c->r.acc = t->from;
	if (b >= c->seen.b || c->seen.inst != c->disk.epoch + 1) {
		c->seen.inst = c->disk.epoch + 1;
		c->seen.b = b;
		c->seen.value = t->value;
		c->seen.from = t->from;
		c->seen.chosen = false;
	}
	chosen = by_quorum = learn_quorum(c, &t->from, t->device);
	if (!chosen && c->r.standin && c->r.b == b &&
	    c->r.inst == c->disk.epoch + 1) {
		cmm_set_and(&need, &c->r.promised, core_acceptors(c));
		chosen = cmm_set_subset(&need, &t->from);
	}
	if (chosen) {
		struct cmm_qdecision dec;
		char how[64];

		snprintf(how, sizeof(how), "chosen at ballot (%u,%d)",
		    cmm_ballot_attempt(b), cmm_ballot_coord(b));
		if (c->r.inst == c->disk.epoch + 1 && c->r.b == b &&
		    c->r.have_dec && c->r.standin)
			dec = c->r.dec;	/* the stand-in, as the coordinator decided */
		else
			learn_explain(c, &t->from, t->device, b, &dec);
		learn_chosen_by(c, by_quorum && !t->device,
		    c->disk.epoch + 1, &t->value, &dec, how,
		    by_quorum ? t : NULL);
	}
}

/* Why the accepts at b are a quorum, for operators: every node says it,
 * not only the coordinator (the fast path has no phase 1 to explain). */
static void
learn_explain(struct cmm_core *c, const struct cmm_set *from, bool device,
    cmm_ballot b, struct cmm_qdecision *dec)
{
	struct cmm_set devsets[CMM_MAX_DEVICES];	/* 32 KiB on the stack */
	struct cmm_set empty;
	struct cmm_qinput in;
	struct cmm_event ev;
	char expl[160];

	cmm_set_clear(&empty);
	for (int i = 0; i < c->cfg->n_devices; i++)
		devsets[i] = c->cfg->devices[i].nodes;
	memset(&in, 0, sizeof(in));
	in.self = c->self;
	in.prev = c->disk.epoch > 0 ? &c->disk.members : &empty;
	in.promised = from;
	in.configured = &c->cfg->configured;
	in.priority = c->cfg->priority;
	in.devices = devsets;
	in.n_devices = c->cfg->n_devices;
	in.initial = c->cfg->initial;
	in.winner = c->cfg->winner;
	in.device_promised = device;
	in.bugs = c->cfg->bugs;
	cmm_quorum_decide(&in, dec);
	c->last_dec = *dec;
	c->have_last_dec = true;
	cmm_quorum_explain(dec, expl, sizeof(expl));
	core_event_init(c, &ev, CMM_EV_QUORUM);
	ev.round_epoch = c->disk.epoch + 1;
	ev.round_attempt = cmm_ballot_attempt(b);
	ev.decision = dec;
	core_event(c, &ev, "epoch %u chosen at ballot (%u,%d): %s",
	    c->disk.epoch + 1, cmm_ballot_attempt(b), cmm_ballot_coord(b), expl);
}

static void
hist_push(struct cmm_core *c, uint32_t epoch, const struct cmm_set *m)
{
	memmove(&c->hist[1], &c->hist[0], (CORE_HIST - 1) * sizeof(c->hist[0]));
	c->hist[0].epoch = epoch;
	c->hist[0].members = *m;
}

/* A round of this instance still open here ends: the value is chosen,
 * by it or elsewhere; an open prompt has nothing left to decide. */
static void
learn_end_round(struct cmm_core *c, uint32_t epoch, const char *list,
    bool coordinated)
{
	if (core_round_active(c)) {
		char why[128];

		snprintf(why, sizeof(why), "epoch %u is {%s}", epoch, list);
		core_round_end(c, coordinated ? "chosen: " : "decided elsewhere: ",
		    why);
	}
	if (c->prompt_open)
		core_prompt_close(c, "a configuration was chosen");
}

/* The known configuration becomes (epoch, S) in one write that also
 * clears the slot of the instance it decides.  False: the write failed,
 * the node stopped, nothing changed in memory.  by_acceptors: a quorum of
 * ACCEPTEDs chose S, no device or operator standing in. */
static bool
learn_persist(struct cmm_core *c, bool by_acceptors, uint32_t epoch,
    const struct cmm_set *S)
{
	struct cmm_persist old = c->disk;
	/* S is on a quorum of disks and on this one, accepted for this very
	 * instance: losing this write to a power cut leaves what a crash
	 * just before learning would, from which any later round finds S
	 * again, so it may be announced before its flush (docs/PROTOCOL.md
	 * "Durability") */
	bool later = (by_acceptors && epoch == old.epoch + 1 &&
	    old.accepted != CMM_BALLOT_NONE && cmm_set_eq(&old.value, S)) ||
	    (c->cfg->bugs & CMM_BUG_FLUSH_LATER);
	int rc;

	assert(epoch > c->disk.epoch && epoch < CMM_EPOCH_LIMIT);
	c->disk.epoch = epoch;
	c->disk.members = *S;
	c->disk.promised = CMM_BALLOT_NONE;
	c->disk.accepted = CMM_BALLOT_NONE;
	cmm_set_clear(&c->disk.value);
	c->disk.next_attempt = 0;
	if (c->disk.abstain == CMM_ABSTAIN_UNKNOWN)
		c->disk.abstain = epoch + 1;	/* the instance it may have voted in */
	core_stamp_config(c);
	rc = later ? core_persist_flush_later(c) : core_persist(c);
	if (rc != 0) {
		c->disk = old;
		core_fail_stop(c, "cannot persist a chosen configuration");
		return false;
	}
	return true;
}

/* Everything this node kept about the instance just decided is done with:
 * tallies, ballots seen, timers of the old epoch. */
static void
learn_forget_instance(struct cmm_core *c, uint32_t epoch,
    const struct cmm_set *S)
{
	if (c->seen.inst != epoch) {
		memset(&c->seen, 0, sizeof(c->seen));
		c->seen.inst = epoch;
		c->seen.value = *S;
	}
	c->seen.chosen = true;
	hist_push(c, epoch, S);
	learn_reset(c);
	c->seen_max = CMM_BALLOT_NONE;
	c->seen_coord_at = -1;
	c->stepin_at = CORE_NEVER;
	c->reconfigure_req = false;
	c->idle_until = 0;
	c->leave_seen_at = -1;
	c->pending_since = -1;
	c->hold_until = CORE_NEVER;
}

/* A node outside the chosen configuration: done if it was leaving, else
 * outside the cluster (and, if it was a member, without quorum). */
static void
learn_outside(struct cmm_core *c, uint32_t epoch, const char *list,
    bool was_member)
{
	struct cmm_event ev;

	c->member = false;
	if (c->leaving) {
		c->leaving = false;
		c->stopped = true;
		core_event_init(c, &ev, CMM_EV_LEAVE);
		ev.peer = c->self;
		core_event(c, &ev, "left the cluster: epoch %u is {%s}", epoch,
		    list);
		core_sync_state(c);
		return;
	}
	if (was_member)
		c->lost_quorum = true;
	core_event_init(c, &ev, CMM_EV_LEARN);
	ev.epoch = epoch;
	ev.members = c->disk.members;
	core_event(c, &ev, "epoch %u is {%s} without this node", epoch, list);
	core_sync_state(c);
}

/* COMMIT of (epoch, S), which this node has just seen chosen: its
 * header names it, as a committed node's header would; when a quorum of
 * ACCEPTEDs chose it (tally), the COMMIT says whose, so that every
 * learner can tell its operator why that was a quorum. */
static void
learn_send_commit(struct cmm_core *c, uint32_t epoch, const struct cmm_set *S,
    const struct cmm_set *to, const struct core_tally *t)
{
	struct cmm_msg m;

	core_fill_msg(c, &m, CMM_MSG_COMMIT);
	m.epoch = epoch;
	m.members = *S;
	m.flags &= (uint8_t)~(CMM_MSGF_PENDING | CMM_MSGF_MEMBER);
	if (cmm_set_has(S, c->self))
		m.flags |= CMM_MSGF_MEMBER;
	if (t != NULL) {
		m.instance = epoch;
		m.ballot = t->b;
		m.value = t->from;
		m.vballot = t->device ? 1 : 0;
	}
	core_send_msg(c, to, &m);
}

/*
 * (epoch, S) is chosen.  Persist it as the known configuration, in the
 * same write that clears the slot of the instance it decides; a member of
 * S goes on to fence and commit, anyone else is now outside the cluster.
 */
void
learn_chosen(struct cmm_core *c, uint32_t epoch, const struct cmm_set *chosen,
    const struct cmm_qdecision *dec, const char *how)
{
	learn_chosen_by(c, false, epoch, chosen, dec, how, NULL);
}

/* learn_chosen, knowing the ACCEPTEDs that chose it (NULL: not known, or
 * a stand-in); by_acceptors: a quorum of ACCEPTEDs, the device not among
 * them */
static void
learn_chosen_by(struct cmm_core *c, bool by_acceptors, uint32_t epoch,
    const struct cmm_set *chosen, const struct cmm_qdecision *dec,
    const char *how, const struct core_tally *t)
{
	const struct cmm_set value = *chosen;	/* it may point into the tally */
	const struct cmm_set *S = &value;
	struct cmm_persist old = c->disk;
	struct cmm_set departed, sent;
	bool was_member = c->member, coordinated;
	char list[96];

	if (epoch <= c->disk.epoch) {
		if (epoch == c->disk.epoch && !cmm_set_eq(S, &c->disk.members))
			learn_alarm(c, -1, epoch, S, &c->disk.members);
		return;
	}
	if (epoch >= CMM_EPOCH_LIMIT || cmm_set_empty(S) ||
	    !cmm_set_subset(S, &c->cfg->configured))
		return;
	coordinated = c->r.inst == epoch && cmm_ballot_coord(c->r.b) == c->self &&
	    core_round_active(c);
	cmm_set_format(S, list, sizeof(list));
	learn_end_round(c, epoch, list, coordinated);
	if ((c->cfg->bugs & CMM_BUG_COMMIT_EARLY) && cmm_set_has(S, c->self)) {
		struct cmm_event ev;

		/* planted bug: announce before the write below */
		core_event_init(c, &ev, CMM_EV_COMMIT);
		ev.epoch = epoch;
		ev.members = *S;
		core_event(c, &ev, "commit epoch %u: {%s}", epoch, list);
	}
	if (coordinated) {
		/* the others learn it from us (acceptors tell only the
		 * coordinator): at once, before our own write -- it is
		 * chosen, whether or not this node survives to persist it */
		cmm_set_or(&sent, &old.members, S);
		learn_send_commit(c, epoch, S, &sent, t);
	}
	if (!learn_persist(c, by_acceptors, epoch, S))
		return;
	core_log(c, CMM_LOG_INFO, "epoch %u is {%s} (%s)", epoch, list, how);
	learn_forget_instance(c, epoch, S);
	c->cm.active = false;
	c->cm.have_dec = dec != NULL;
	if (dec != NULL)
		c->cm.dec = *dec;
	c->cm.prev = old.members;
	if (c->stopped)
		return;
	if (!cmm_set_has(S, c->self)) {
		learn_outside(c, epoch, list, was_member);
		return;
	}
	/* a member that took the last step fences who left it; one that
	 * missed epochs, or joins, fences every non-member */
	if (was_member && old.epoch + 1 == epoch)
		cmm_set_minus(&departed, &old.members, S);
	else
		cmm_set_minus(&departed, &c->cfg->configured, S);
	commit_start(c, epoch, S, &departed, false);
}

/*
 * With watchdogs (docs/PROTOCOL.md "Watchdog self-fencing") a departed
 * member that no device fences is fenced by its own: it pets only while
 * it hears every member of its configuration within the failure timeout,
 * and anything it hears from this node from now on names the new epoch
 * and tells it it is out.  So its last pet comes at most a failure timeout
 * (plus a delivery, allowed a second one) after this moment, and its
 * watchdog resets it a timeout after that: the configuration is used only
 * then.
 */
static void
commit_wd_wait(struct cmm_core *c, const struct cmm_set *none,
    const char *list)
{
	struct core_commit *cm = &c->cm;
	int64_t wait = c->cfg->watchdog_timeout_ms +
	    2 * c->cfg->failure_timeout_ms;
	bool one = cmm_set_count(none) == 1;

	cm->wd_nodes = *none;
	cm->wd_until = c->now + wait;
	snprintf(cm->wd_text, sizeof(cm->wd_text), "waiting for node%s %s's "
	    "watchdog%s (%lld ms) before epoch %u is used", one ? "" : "s",
	    list, one ? "" : "s", (long long)wait, cm->epoch);
	core_log(c, CMM_LOG_WARN, "%s", cm->wd_text);
}

/* A member of P that failed and shares no quorum device with any member
 * of S is fenced by nobody: it may go on using shared data until it
 * learns it is out.  Said loudly, once per commit, on every member --
 * unless every node runs a watchdog, which is waited out instead. */
static void
commit_unfenced(struct cmm_core *c, const struct cmm_set *S,
    const struct cmm_set *departed)
{
	struct cmm_set none, both;
	struct cmm_event ev;
	char list[96];

	cmm_set_clear(&none);
	for (int q = cmm_set_next(departed, 0); q >= 0;
	    q = cmm_set_next(departed, q + 1)) {
		bool fenced = false;

		/* only members that went away: a node that never was one, or
		 * left gracefully (it stops itself), needs no fence */
		if (!cmm_set_has(&c->cm.prev, q) || core_peer_leaving(c, q))
			continue;
		for (int i = 0; i < c->cfg->n_devices && !fenced; i++) {
			if (!cmm_set_has(&c->cfg->devices[i].nodes, q))
				continue;
			cmm_set_and(&both, &c->cfg->devices[i].nodes, S);
			fenced = !cmm_set_empty(&both);
		}
		if (!fenced)
			cmm_set_add(&none, q);
	}
	if (cmm_set_empty(&none))
		return;
	cmm_set_format(&none, list, sizeof(list));
	if (c->cfg->watchdog_timeout_ms > 0) {
		commit_wd_wait(c, &none, list);
		return;
	}
	core_event_init(c, &ev, CMM_EV_FENCE);
	ev.epoch = c->cm.epoch;
	ev.departed = none;
	ev.peer = cmm_set_next(&none, 0);
	ev.unfenced = true;
	core_event(c, &ev, "NOT FENCED: {%s} left epoch %u but shares no quorum "
	    "device with a member and no watchdog fences it: it must be stopped "
	    "before shared data is trusted", list, c->cm.epoch);
}

/* Fence (patent step 612): before the configuration is used, every
 * departed node loses its registrations on the devices shared with it. */
static void
commit_start(struct cmm_core *c, uint32_t epoch, const struct cmm_set *S,
    const struct cmm_set *departed, bool rejoin)
{
	struct core_commit *cm = &c->cm;
	struct cmm_event ev;
	char list[96];
	int n = 0;

	cm->active = true;
	cm->rejoin = rejoin;
	cm->epoch = epoch;
	cm->S = *S;
	cm->departed = *departed;
	cm->failed = false;
	cm->why[0] = '\0';
	cm->fence_base = c->next_req + 1;
	if (!(c->cfg->bugs & CMM_BUG_SKIP_FENCE))
		for (int i = 0; i < c->cfg->n_devices; i++) {
			const struct cmm_set *dn = &c->cfg->devices[i].nodes;
			struct cmm_devop op;

			if (!cmm_set_has(dn, c->self))
				continue;
			memset(&op, 0, sizeof(op));
			cmm_set_and(&op.departed, dn, departed);
			if (cmm_set_empty(&op.departed))
				continue;
			op.op = CMM_DEVOP_FENCE;
			op.epoch = epoch;
			op.set = *S;
			core_device(c, i, &op);
			n++;
		}
	cm->fence_total = n;
	cm->pending = n;
	cm->wd_until = 0;
	cmm_set_clear(&cm->wd_nodes);
	if (!rejoin)
		commit_unfenced(c, S, departed);
	if (n == 0) {
		commit_wd_done(c);
		if (cm->active)
			core_sync_state(c);
		return;
	}
	cm->deadline = c->now + CORE_FENCE_TIMEOUTS * c->cfg->round_timeout_ms;
	cmm_set_format(departed, list, sizeof(list));
	core_event_init(c, &ev, CMM_EV_FENCE);
	ev.epoch = epoch;
	ev.departed = *departed;
	core_event(c, &ev, "fencing {%s} on %d device(s) for epoch %u", list, n,
	    epoch);
	core_sync_state(c);
}

/* Commit: the configuration is persisted already; announce, then register
 * on every device shared with another member. */
static void
commit_finish(struct cmm_core *c)
{
	struct core_commit *cm = &c->cm;
	struct cmm_set joined, departed;
	struct cmm_event ev;
	char list[96];

	cm->active = false;
	c->member = true;
	c->lost_quorum = false;
	c->isolated = false;
	c->last_commit_time = c->now;
	core_sync_state(c);
	cmm_set_format(&cm->S, list, sizeof(list));
	if (cm->rejoin) {
		core_event_init(c, &ev, CMM_EV_STATE);
		core_event(c, &ev, "member of epoch %u again: {%s}", cm->epoch,
		    list);
	} else if (!(c->cfg->bugs & CMM_BUG_COMMIT_EARLY)) {
		cmm_set_minus(&joined, &cm->S, &cm->prev);
		cmm_set_minus(&departed, &cm->prev, &cm->S);
		core_event_init(c, &ev, CMM_EV_COMMIT);
		ev.epoch = cm->epoch;
		ev.members = cm->S;
		ev.joined = joined;
		ev.departed = departed;
		ev.decision = cm->have_dec ? &cm->dec : NULL;
		core_event(c, &ev, "commit epoch %u: {%s}", cm->epoch, list);
	}
	cm->reg_base = c->next_req + 1;
	cm->reg_total = 0;
	for (int i = 0; i < c->cfg->n_devices; i++) {
		const struct cmm_set *dn = &c->cfg->devices[i].nodes;
		struct cmm_set both;
		struct cmm_devop op;

		cmm_set_and(&both, dn, &cm->S);
		if (!cmm_set_has(dn, c->self) || cmm_set_count(&both) < 2)
			continue;
		memset(&op, 0, sizeof(op));
		op.op = CMM_DEVOP_REGISTER;
		op.epoch = cm->epoch;
		op.set = cm->S;
		core_device(c, i, &op);
		cm->reg_total++;
	}
}

/* The fences are done: commit, once the watchdogs waited for ran out. */
static void
commit_wd_done(struct cmm_core *c)
{
	struct core_commit *cm = &c->cm;
	struct cmm_event ev;
	char list[96];

	if (cm->wd_until != 0) {
		if (c->now < cm->wd_until)
			return;
		cmm_set_format(&cm->wd_nodes, list, sizeof(list));
		core_event_init(c, &ev, CMM_EV_FENCE);
		ev.epoch = cm->epoch;
		ev.departed = cm->wd_nodes;
		ev.peer = cmm_set_next(&cm->wd_nodes, 0);
		ev.by_watchdog = true;
		cm->wd_until = 0;
		core_event(c, &ev, "{%s} left epoch %u sharing no quorum device "
		    "with a member: fenced by its watchdog, waited out", list,
		    cm->epoch);
	}
	commit_finish(c);
}

static void
commit_fail(struct cmm_core *c)
{
	char why[160];

	c->cm.active = false;
	snprintf(why, sizeof(why), "fencing for epoch %u failed: %s",
	    c->cm.epoch, c->cm.why[0] ? c->cm.why : "no answer");
	c->member = true;	/* so the drop below is announced */
	core_drop_membership(c, why);
}

bool
learn_owns_request(const struct cmm_core *c, uint32_t id)
{
	return c->cm.active && id >= c->cm.fence_base &&
	    id < c->cm.fence_base + (uint32_t)c->cm.fence_total;
}

/* A fence or register result (requests the coordinator does not own). */
void
learn_on_device(struct cmm_core *c, uint32_t id, const struct cmm_devres *res)
{
	struct core_commit *cm = &c->cm;

	if (learn_owns_request(c, id)) {
		if (res->status != CMM_DEV_OK && res->status != CMM_DEV_STALE) {
			cm->failed = true;
			snprintf(cm->why, sizeof(cm->why), "device answered %s",
			    cmm_dev_status_name(res->status));
		}
		if (--cm->pending > 0)
			return;
		if (cm->failed)
			commit_fail(c);
		else
			commit_wd_done(c);
		return;
	}
	if (id >= cm->reg_base && id < cm->reg_base + (uint32_t)cm->reg_total &&
	    (res->status == CMM_DEV_REFUSED || res->status == CMM_DEV_CONFLICT)) {
		/* a registration refused: a newer configuration fenced us */
		if (c->member)
			core_drop_membership(c, "a device refused this node's "
			    "registration: a newer configuration fenced it");
		return;
	}
	if (res->status != CMM_DEV_OK)
		core_log(c, CMM_LOG_WARN, "device request %u: %s", id,
		    cmm_dev_status_name(res->status));
}

void
learn_on_tick(struct cmm_core *c)
{
	if (!c->cm.active)
		return;
	if (c->cm.pending > 0 && c->now >= c->cm.deadline) {
		snprintf(c->cm.why, sizeof(c->cm.why), "a device did not answer "
		    "in time");
		commit_fail(c);
	} else if (c->cm.pending == 0)
		commit_wd_done(c);
}

int64_t
learn_deadline(const struct cmm_core *c)
{
	if (!c->cm.active)
		return CORE_NEVER;
	if (c->cm.pending > 0)
		return c->cm.deadline;
	return c->cm.wd_until != 0 ? c->cm.wd_until : CORE_NEVER;
}

/*
 * A member of the known configuration that is not a quorate member (it
 * restarted, or its round found no quorum, or a fence failed) becomes one
 * again once it hears a quorum of that configuration at the same epoch:
 * the configuration is live, and nothing newer has reached it.
 */
void
learn_try_rejoin(struct cmm_core *c)
{
	struct cmm_set same, departed;
	const struct cmm_set *P = &c->disk.members;

	if (c->member || c->cm.active || c->stopped || c->leaving ||
	    c->isolated || !core_in_known(c, c->self) || core_round_active(c))
		return;
	/* the live members at our epoch, and us: sets, not a scan of P
	 * after every packet while this node is out */
	cmm_set_and(&same, P, &c->alive);
	cmm_set_and(&same, &same, core_same_epoch(c));
	cmm_set_add(&same, c->self);
	if (!cmm_quorum_is(P, &same, false, c->cfg->priority, c->cfg->bugs))
		return;
	if (c->now < c->idle_until && c->rows_version == c->idle_version)
		return;	/* the last try failed and nothing changed */
	c->idle_version = c->rows_version;
	c->idle_until = c->now + c->cfg->join_retry_ms;
	cmm_set_minus(&departed, &c->cfg->configured, P);
	commit_start(c, c->disk.epoch, P, &departed, true);
}

/* Split-brain alarm: two configurations for one epoch, never silent. */
static void
learn_alarm(struct cmm_core *c, int peer, uint32_t epoch,
    const struct cmm_set *theirs, const struct cmm_set *ours)
{
	struct cmm_event ev;
	char a[96], b[96];

	if (peer >= 0) {
		if (c->peers[peer].alarmed == epoch)
			return;
		c->peers[peer].alarmed = epoch;
	}
	cmm_set_format(ours, a, sizeof(a));
	cmm_set_format(theirs, b, sizeof(b));
	core_event_init(c, &ev, CMM_EV_SPLIT_BRAIN);
	ev.peer = peer;
	ev.epoch = epoch;
	ev.members = *ours;
	ev.departed = *theirs;
	if (peer >= 0)
		core_event(c, &ev, "SPLIT BRAIN: epoch %u is {%s} here and {%s} "
		    "at node %d", epoch, a, b, peer);
	else
		core_event(c, &ev, "SPLIT BRAIN: epoch %u is {%s} here and {%s} "
		    "was chosen", epoch, a, b);
}

/* A header we may not learn from (another config digest): compare only. */
void
learn_compare(struct cmm_core *c, const struct cmm_msg *m)
{
	if (m->epoch == 0 || m->epoch >= CMM_EPOCH_LIMIT || m->sender >= c->npeers)
		return;
	for (int i = 0; i < CORE_HIST; i++)
		if (c->hist[i].epoch == m->epoch) {
			if (!cmm_set_eq(&c->hist[i].members, &m->members))
				learn_alarm(c, m->sender, m->epoch, &m->members,
				    &c->hist[i].members);
			return;
		}
}

/* A coordinator's COMMIT of the instance this node is in names the
 * acceptors (and the device) whose ACCEPTEDs chose it: the learner says
 * why they are a quorum, as if it had counted them itself.  False: not
 * such a COMMIT. */
static bool
learn_commit_explained(struct cmm_core *c, const struct cmm_msg *m)
{
	struct cmm_qdecision dec;
	char how[80];

	if (m->type != CMM_MSG_COMMIT || m->instance != m->epoch ||
	    m->epoch != c->disk.epoch + 1 || m->ballot == CMM_BALLOT_NONE ||
	    cmm_set_empty(&m->value) ||
	    !cmm_set_subset(&m->value, &c->cfg->configured) ||
	    !learn_quorum(c, &m->value, m->vballot != 0))
		return false;
	/* the round panel shows whose ACCEPTEDs those were */
	c->seen.inst = m->epoch;
	c->seen.b = m->ballot;
	c->seen.value = m->members;
	c->seen.from = m->value;
	c->seen.chosen = false;
	learn_explain(c, &m->value, m->vballot != 0, m->ballot, &dec);
	snprintf(how, sizeof(how), "chosen at ballot (%u,%d), from node %u's "
	    "COMMIT", cmm_ballot_attempt(m->ballot), cmm_ballot_coord(m->ballot),
	    m->sender);
	learn_chosen_by(c, m->vballot == 0, m->epoch, &m->members, &dec, how,
	    NULL);
	return true;
}

/* Every header carries its sender's committed configuration: learn a
 * newer one, and compare one we know. */
void
learn_header(struct cmm_core *c, const struct cmm_msg *m)
{
	char how[48];

	if (m->epoch == 0)
		return;
	if (m->epoch > c->disk.epoch) {
		if (learn_commit_explained(c, m))
			return;
		snprintf(how, sizeof(how), "learned from node %u", m->sender);
		learn_chosen(c, m->epoch, &m->members, NULL, how);
		return;
	}
	for (int i = 0; i < CORE_HIST; i++)
		if (c->hist[i].epoch == m->epoch) {
			if (!cmm_set_eq(&c->hist[i].members, &m->members))
				learn_alarm(c, m->sender, m->epoch, &m->members,
				    &c->hist[i].members);
			return;
		}
	if (m->epoch == c->disk.epoch && !cmm_set_eq(&c->disk.members, &m->members))
		learn_alarm(c, m->sender, m->epoch, &m->members, &c->disk.members);
}
