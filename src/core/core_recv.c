/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_recv: packet intake.  The header first (incarnation, detector, the
 * sender's committed configuration), then one function per message type.
 * Every message reaching here was decoded, authenticated and passed the
 * replay window.
 */
#include "src/core/core_int.h"

static void
recv_leave_notice(struct cmm_core *c, int id, bool leaving)
{
	struct core_peer *p = &c->peers[id];
	struct cmm_event ev;

	if (leaving == p->leaving)
		return;
	p->leaving = leaving;
	c->rows_version++;
	if (leaving)
		cmm_set_add(&c->leavers, id);
	else
		cmm_set_del(&c->leavers, id);
	if (!leaving)
		return;
	core_event_init(c, &ev, CMM_EV_LEAVE);
	ev.peer = id;
	core_event(c, &ev, "node %d is leaving", id);
}

/* Header checks shared by every type; false: drop the message. */
static bool
recv_header(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_peer *p = &c->peers[m->sender];

	if (m->epoch >= CMM_EPOCH_LIMIT) {
		if (p->alarmed != m->epoch) {
			p->alarmed = m->epoch;
			core_log(c, CMM_LOG_ERROR, "node %u claims epoch %u, at or "
			    "above the limit %u: ignored", m->sender, m->epoch,
			    CMM_EPOCH_LIMIT);
		}
		return false;
	}
	if (m->incarnation < p->incarnation)
		return false;		/* from before the peer restarted */
	if (m->incarnation > p->incarnation) {
		if (p->incarnation != 0)
			core_log(c, CMM_LOG_INFO, "node %u restarted (incarnation "
			    "%u)", m->sender, m->incarnation);
		p->incarnation = m->incarnation;
		/* a restarted peer has heard nobody yet: its row says little */
		p->alive_since = c->now;
	}
	p->epoch = m->epoch;
	if (c->same_epoch_ok && m->epoch == c->same_epoch_of)
		cmm_set_add(&c->same_epoch, m->sender);
	else if (c->same_epoch_ok)
		cmm_set_del(&c->same_epoch, m->sender);
	p->vmax = m->vmax;
	core_sets_replace(c->sets, &p->members, &m->members);
	p->flags = m->flags;
	/* the flags the coordinator looks for, as sets: no scan per packet */
	if (cmm_set_has(&c->flag_amn, m->sender) !=
	    ((m->flags & CMM_MSGF_AMNESIAC) != 0) ||
	    cmm_set_has(&c->flag_pend, m->sender) !=
	    ((m->flags & CMM_MSGF_PENDING) != 0))
		c->flags_version++;
	if (m->flags & CMM_MSGF_AMNESIAC)
		cmm_set_add(&c->flag_amn, m->sender);
	else
		cmm_set_del(&c->flag_amn, m->sender);
	if (m->flags & CMM_MSGF_PENDING)
		cmm_set_add(&c->flag_pend, m->sender);
	else
		cmm_set_del(&c->flag_pend, m->sender);
	if (m->type == CMM_MSG_HEARTBEAT || m->type == CMM_MSG_PROMISE) {
		p->row_at = c->now;
		if (!cmm_set_empty(&c->suspects))
			suspect_on_row(c, m->sender, core_peer_row(c, m->sender),
			    &m->row);
		if (core_sets_replace(c->sets, &p->row, &m->row))
			c->rows_version++;
	}
	recv_leave_notice(c, m->sender, m->type == CMM_MSG_LEAVE ||
	    (m->flags & CMM_MSGF_LEAVING));
	detect_heard(c, m->sender);
	return true;
}

/* FIG. 4-5, step 420: an acceptor accepted.  Acceptors send these to
 * the coordinator (an older one sends them to every node of P and S: any
 * node counts what it gets), each ignoring those whose header names
 * another P. */
static void
recv_accepted(struct cmm_core *c, const struct cmm_msg *m)
{
	if (m->instance != c->disk.epoch + 1 || m->epoch != c->disk.epoch ||
	    (c->disk.epoch > 0 && !cmm_set_eq(&m->members, &c->disk.members)) ||
	    !cmm_set_has(core_acceptors(c), m->sender) ||
	    m->ballot == CMM_BALLOT_NONE)
		return;
	learn_accepted(c, m->sender, m->ballot, &m->value, false);
}

void
recv_packet(struct cmm_core *c, const struct cmm_msg *m)
{
	int id = m->sender;

	if (!c->started || id == c->self || id >= c->npeers ||
	    !cmm_set_has(&c->cfg->configured, id))
		return;
	if (m->type < CMM_MSG_HEARTBEAT || m->type > CMM_MSG_LEAVE)
		return;
	if (!recv_header(c, m) || c->stopped)
		return;
	/* a newer committed configuration, from any message */
	learn_header(c, m);
	suspect_on_msg(c, m);
	switch (m->type) {
	case CMM_MSG_PREPARE:
		acceptor_on_prepare(c, m);
		break;
	case CMM_MSG_ACCEPT:
		acceptor_on_accept(c, m);
		break;
	case CMM_MSG_PROMISE:
		coord_on_promise(c, m);
		break;
	case CMM_MSG_NACK:
		coord_on_nack(c, m);
		break;
	case CMM_MSG_ACCEPTED:
		recv_accepted(c, m);
		break;
	case CMM_MSG_HEARTBEAT:
	case CMM_MSG_COMMIT:	/* the header said it all */
	case CMM_MSG_LEAVE:	/* recv_header noted it */
	default:
		break;
	}
}
