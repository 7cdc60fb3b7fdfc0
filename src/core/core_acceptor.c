/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_acceptor: this node as an acceptor of instance E+1
 * (docs/PROTOCOL.md "Acceptor state").  Every reply that depends on the
 * slot is sent only after the slot is persisted; a PREPARE or ACCEPT for an
 * instance already decided is answered with our commit.
 */
#include <string.h>

#include "src/core/core_int.h"

/* Answers a round message for an instance this node has moved past. */
static bool
acceptor_behind(struct cmm_core *c, const struct cmm_msg *m)
{
	if (m->instance <= c->disk.epoch) {
		core_send_to(c, m->sender, CMM_MSG_COMMIT);
		return true;
	}
	/* after learn_header the sender's epoch is ours: instance = E + 1 */
	return m->instance != c->disk.epoch + 1 || m->epoch != c->disk.epoch ||
	    cmm_ballot_coord(m->ballot) != m->sender || m->ballot == CMM_BALLOT_NONE;
}

/* Another coordinator is at work on this instance: note it, so this node
 * does not start a competing round, and stop our own lower one. */
static void
acceptor_seen(struct cmm_core *c, const struct cmm_msg *m)
{
	if (m->sender != c->self)
		c->seen_coord_at = c->now;
	if (m->ballot > c->seen_max)
		c->seen_max = m->ballot;
	if (core_round_active(c) && c->r.inst == m->instance &&
	    m->ballot > c->r.b)
		core_round_end(c, "superseded: ", "a higher ballot is at work");
}

static void
acceptor_reply(struct cmm_core *c, const struct cmm_msg *m, int type,
    bool acceptor)
{
	struct cmm_set to;
	struct cmm_msg r;

	core_fill_msg(c, &r, type);
	r.instance = m->instance;
	r.ballot = m->ballot;
	if (type == CMM_MSG_PROMISE) {
		r.row = c->alive;
		if (acceptor) {
			r.flags |= CMM_MSGF_ACCEPTOR;
			r.vballot = c->disk.accepted;
			r.value = c->disk.value;
		}
	} else if (type == CMM_MSG_NACK) {
		r.vballot = c->disk.promised;
	}
	cmm_set_clear(&to);
	cmm_set_add(&to, m->sender);
	core_send_msg(c, &to, &r);
}

/* FIG. 4-5, steps 404-408 (presence), as Paxos phase 1. */
void
acceptor_on_prepare(struct cmm_core *c, const struct cmm_msg *m)
{
	if (c->stopped || acceptor_behind(c, m))
		return;
	acceptor_seen(c, m);
	if (!core_is_acceptor(c, m->instance)) {
		/* a candidate: presence and row only */
		acceptor_reply(c, m, CMM_MSG_PROMISE, false);
		return;
	}
	if (m->ballot < c->disk.promised) {
		acceptor_reply(c, m, CMM_MSG_NACK, false);
		return;
	}
	assert(m->ballot >= c->disk.promised);
	if (m->ballot > c->disk.promised) {
		cmm_ballot old = c->disk.promised;

		c->disk.promised = m->ballot;
		if (core_persist(c) != 0) {
			c->disk.promised = old;
			core_fail_stop(c, "cannot persist a promise");
			return;
		}
	}
	/* equal to the promise: the same answer again (it may be a retry) */
	acceptor_reply(c, m, CMM_MSG_PROMISE, true);
}

/*
 * Accepts (b, S): persists promised = accepted = b and the value in one
 * write, then tells the coordinator (`extra`; none when this node is the
 * coordinator) and counts itself.  Only the coordinator counts ACCEPTEDs;
 * the others learn from its COMMIT: two datagrams per acceptor instead of
 * one to every node, which is what bounds a round on a busy host
 * (docs/PROTOCOL.md "Chosen").
 */
void
acceptor_accept_own(struct cmm_core *c, cmm_ballot b, const struct cmm_set *S,
    const struct cmm_set *extra)
{
	struct cmm_persist old = c->disk;
	struct cmm_msg r;

	assert(b != CMM_BALLOT_NONE && !cmm_set_empty(S));
	if (b < c->disk.promised)
		return;		/* a promise is never taken back */
	c->disk.promised = b;
	c->disk.accepted = b;
	c->disk.value = *S;
	/* planted bug: the accept stays in memory only */
	if (!(c->cfg->bugs & CMM_BUG_ACCEPT_VOLATILE) && core_persist(c) != 0) {
		c->disk = old;
		core_fail_stop(c, "cannot persist an accept");
		return;
	}
	if (extra != NULL) {
		core_fill_msg(c, &r, CMM_MSG_ACCEPTED);
		r.instance = c->disk.epoch + 1;
		r.ballot = b;
		r.value = *S;
		core_send_msg(c, extra, &r);
	}
	learn_accepted(c, c->self, b, S, false);
}

/* FIG. 4-5, steps 414-420 (proposal), as Paxos phase 2. */
void
acceptor_on_accept(struct cmm_core *c, const struct cmm_msg *m)
{
	struct cmm_set coord;

	if (c->stopped || acceptor_behind(c, m))
		return;
	acceptor_seen(c, m);
	if (c->cfg->bugs & CMM_BUG_LEARN_ACCEPT) {
		/* planted bug: a proposal taken for a decision */
		learn_chosen(c, m->instance, &m->value, NULL, "an ACCEPT");
		return;
	}
	if (!core_is_acceptor(c, m->instance))
		return;
	/* no coordinator proposes an empty set or a stranger: such a value
	 * comes from a broken or hostile peer, and is not accepted */
	if (cmm_set_empty(&m->value) ||
	    !cmm_set_subset(&m->value, &c->cfg->configured))
		return;
	if (m->ballot < c->disk.promised) {
		acceptor_reply(c, m, CMM_MSG_NACK, false);
		return;
	}
	cmm_set_clear(&coord);
	cmm_set_add(&coord, m->sender);
	acceptor_accept_own(c, m->ballot, &m->value, &coord);
}
