/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_fx: the core's effects (send, persist, device, prompt, event, log)
 * and its state transitions.  The leaf of the core's files: it calls no
 * other core file, so the round's logic above it reads as a DAG.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "src/core/core_int.h"

static int
core_emit(struct cmm_core *c, const struct cmm_effect *fx)
{
	return c->sink.emit(c->sink.ctx, fx);
}

void
core_log(struct cmm_core *c, enum cmm_log_level lvl, const char *fmt, ...)
{
	struct cmm_effect fx = { .type = CMM_FX_LOG };
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fx.u.log.level = lvl;
	fx.u.log.text = buf;
	core_emit(c, &fx);
}

void
core_event_init(struct cmm_core *c, struct cmm_event *ev, enum cmm_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->epoch = c->disk.epoch;
	ev->round_epoch = c->r.inst;
	ev->round_attempt = cmm_ballot_attempt(c->r.b);
	ev->peer = -1;
	ev->reporter = -1;
	ev->state = c->state;
	ev->members = c->disk.members;
}

void
core_event(struct cmm_core *c, struct cmm_event *ev, const char *fmt, ...)
{
	struct cmm_effect fx = { .type = CMM_FX_EVENT };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
	ev->text = c->text;
	fx.u.event = ev;
	core_emit(c, &fx);
}

/* Every node of a forming cluster comes alive at every other: N² events
 * with this text, where vsnprintf cost more than the rest of the event. */
void
core_event_node(struct cmm_core *c, struct cmm_event *ev, int id,
    const char *what)
{
	struct cmm_effect fx = { .type = CMM_FX_EVENT };
	char digits[12], *p = c->text, *end = c->text + sizeof(c->text) - 1;
	unsigned u = id < 0 ? 0 - (unsigned)id : (unsigned)id;
	int n = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	memcpy(p, "node ", 5);
	p += 5;
	if (id < 0)
		*p++ = '-';
	while (n > 0)
		*p++ = digits[--n];
	*p++ = ' ';
	while (*what != '\0' && p < end)
		*p++ = *what++;
	*p = '\0';
	ev->text = c->text;
	fx.u.event = ev;
	core_emit(c, &fx);
}

/* The config a learned configuration is persisted under (a restart under
 * another one is refused by the daemon: docs/PROTOCOL.md "Config
 * changes"). */
void
core_stamp_config(struct cmm_core *c)
{
	memcpy(c->disk.cfg_digest, c->cfg->digest, sizeof(c->disk.cfg_digest));
	c->disk.cfg_version = c->cfg->config_version;
}

static int
core_persist_fx(struct cmm_core *c, bool flush_later)
{
	struct cmm_effect fx = { .type = CMM_FX_PERSIST,
	    .flush_later = flush_later };

	/* the acceptor's slot: an accepted ballot is one it promised, a
	 * value goes with it, and the known epoch never reaches the limit */
	assert(c->disk.accepted <= c->disk.promised);
	assert(c->disk.accepted == CMM_BALLOT_NONE ||
	    !cmm_set_empty(&c->disk.value));
	assert(c->disk.epoch < CMM_EPOCH_LIMIT);
	fx.u.persist = &c->disk;
	/* any write flushes the one before it; this one, unless it may wait */
	c->commit_unflushed = flush_later;
	return core_emit(c, &fx);
}

int
core_persist(struct cmm_core *c)
{
	return core_persist_fx(c, false);
}

/* A record whose loss costs only what a crash just before it would: the
 * daemon may announce it before the flush (docs/PROTOCOL.md
 * "Durability"). */
int
core_persist_flush_later(struct cmm_core *c)
{
	return core_persist_fx(c, true);
}

/* The header every message carries: who we are and what we know. */
void
core_fill_msg(const struct cmm_core *c, struct cmm_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->sender = (uint16_t)c->self;
	m->incarnation = c->disk.incarnation;
	m->flags = (c->member ? CMM_MSGF_MEMBER : 0) |
	    (c->leaving ? CMM_MSGF_LEAVING : 0) |
	    (c->disk.abstain > c->disk.epoch ? CMM_MSGF_AMNESIAC : 0) |
	    (c->disk.accepted != CMM_BALLOT_NONE ? CMM_MSGF_PENDING : 0);
	m->epoch = c->disk.epoch;
	m->members = c->disk.members;
	if (type == CMM_MSG_HEARTBEAT)
		m->row = c->alive;
}

void
core_send_msg(struct cmm_core *c, const struct cmm_set *to,
    const struct cmm_msg *m)
{
	struct cmm_effect fx = { .type = CMM_FX_SEND };
	struct cmm_set dest;

	assert(m->sender == c->self);
	cmm_set_and(&dest, to, &c->cfg->configured);
	cmm_set_del(&dest, c->self);
	if (cmm_set_empty(&dest))
		return;
	fx.u.send.to = &dest;
	fx.u.send.msg = m;
	core_emit(c, &fx);
}

void
core_send(struct cmm_core *c, const struct cmm_set *to, int type)
{
	struct cmm_msg m;

	core_fill_msg(c, &m, type);
	core_send_msg(c, to, &m);
}

void
core_send_to(struct cmm_core *c, int id, int type)
{
	struct cmm_set to;

	cmm_set_clear(&to);
	cmm_set_add(&to, id);
	core_send(c, &to, type);
}

uint32_t
core_device(struct cmm_core *c, int device, const struct cmm_devop *op)
{
	struct cmm_effect fx = { .type = CMM_FX_DEVICE };
	struct cmm_devreq req;

	assert(device >= 0 && device < c->cfg->n_devices);
	memset(&req, 0, sizeof(req));
	req.id = ++c->next_req;
	req.device = device;
	req.op = *op;
	req.op.node = c->self;
	fx.u.dev = &req;
	core_emit(c, &fx);
	return req.id;
}

void
core_prompt_open(struct cmm_core *c, enum cmm_prompt_kind kind,
    const int choice[2], const char *why)
{
	struct cmm_effect fx = { .type = CMM_FX_PROMPT };
	struct cmm_event ev;

	/* one question at a time, and only while a round waits for it */
	assert(!c->prompt_open && kind != CMM_PROMPT_NONE);
	assert(c->r.phase == CMM_PHASE_QUORUM);
	memset(&c->prompt, 0, sizeof(c->prompt));
	c->prompt.kind = kind;
	c->prompt.round_epoch = c->r.inst;
	c->prompt.round_attempt = cmm_ballot_attempt(c->r.b);
	c->prompt.choice[0] = choice ? choice[0] : -1;
	c->prompt.choice[1] = choice ? choice[1] : -1;
	c->prompt.deadline = c->cfg->prompt_timeout_ms > 0 ?
	    c->now + c->cfg->prompt_timeout_ms : 0;
	c->prompt.why = why;
	c->prompt_open = true;
	fx.u.prompt = &c->prompt;
	core_emit(c, &fx);
	core_sync_state(c);
	core_event_init(c, &ev, CMM_EV_PROMPT);
	if (kind == CMM_PROMPT_WINNER && choice != NULL)
		core_event(c, &ev, "prompt: winner between %d and %d? (%s)",
		    choice[0], choice[1], why);
	else
		core_event(c, &ev, "prompt: is this node isolated? (%s)", why);
}

void
core_prompt_close(struct cmm_core *c, const char *why)
{
	struct cmm_effect fx = { .type = CMM_FX_PROMPT };
	struct cmm_prompt p;
	struct cmm_event ev;

	if (!c->prompt_open)
		return;
	c->prompt_open = false;
	memset(&p, 0, sizeof(p));
	p.kind = CMM_PROMPT_NONE;
	p.round_epoch = c->prompt.round_epoch;
	p.round_attempt = c->prompt.round_attempt;
	p.choice[0] = p.choice[1] = -1;
	p.why = why;
	fx.u.prompt = &p;
	core_emit(c, &fx);
	core_event_init(c, &ev, CMM_EV_PROMPT);
	core_event(c, &ev, "prompt closed: %s", why);
	core_sync_state(c);
}

static enum cmm_state
core_compute_state(const struct cmm_core *c)
{
	if (c->stopped)
		return CMM_ST_STOPPED;
	if (c->leaving)
		return CMM_ST_LEAVING;
	if (c->prompt_open)
		return CMM_ST_AWAITING_OPERATOR;
	if (c->member)
		return core_round_active(c) || c->cm.active ? CMM_ST_RECONFIGURING :
		    CMM_ST_MEMBER;
	if (c->isolated)
		return CMM_ST_ISOLATED;
	if (c->lost_quorum)
		return CMM_ST_NO_QUORUM;
	return CMM_ST_JOINING;
}

void
core_sync_state(struct cmm_core *c)
{
	enum cmm_state s = core_compute_state(c);
	struct cmm_event ev;

	/* how long this node has been without quorum (force-quorum's hint),
	 * and the no-quorum backoff, which a membership resets */
	if (c->member) {
		c->quorumless_since = -1;
		c->nq_aborts = 0;
		c->nq_said = false;
	} else if (c->started && c->quorumless_since < 0) {
		c->quorumless_since = c->now;
	}
	if (s == c->state)
		return;
	c->state = s;
	core_event_init(c, &ev, CMM_EV_STATE);
	core_event(c, &ev, "state %s", cmm_state_name(s));
}

/* Abort (docs/PROTOCOL.md "Abort"): drop membership, keep petitioning.  The
 * known configuration stays: this node is still one of its acceptors. */
void
core_drop_membership(struct cmm_core *c, const char *why)
{
	struct cmm_event ev;

	if (!c->member) {
		if (!c->isolated && c->disk.epoch > 0)
			c->lost_quorum = true;
		core_sync_state(c);
		return;
	}
	c->member = false;
	c->lost_quorum = true;
	core_sync_state(c);
	core_event_init(c, &ev, CMM_EV_NO_QUORUM);
	ev.decision = c->r.have_dec ? &c->r.dec : NULL;
	core_event(c, &ev, "no quorum: %s", why);
	if (c->cfg->on_quorum_loss == CMM_LOSS_HALT) {
		struct cmm_effect fx = { .type = CMM_FX_HALT };

		core_emit(c, &fx);
	}
}

/*
 * The disk failed under a promise, an accept or a commit: this node cannot
 * keep its word, so it stops taking part (no more replies that depend on
 * state it cannot write) until an operator's `join`.  Its peers see it
 * silent, like a failure.
 */
void
core_fail_stop(struct cmm_core *c, const char *why)
{
	struct cmm_event ev;

	if (c->stopped)
		return;
	core_round_end(c, "abandoned: ", why);
	core_prompt_close(c, why);
	core_log(c, CMM_LOG_ERROR, "%s: stopping until 'join'", why);
	c->member = false;
	c->lost_quorum = true;
	c->leaving = false;
	c->stopped = true;
	c->cm.active = false;
	core_event_init(c, &ev, CMM_EV_LEAVE);
	ev.peer = c->self;
	core_event(c, &ev, "stopped: %s", why);
	core_sync_state(c);
}

bool
core_round_active(const struct cmm_core *c)
{
	return c->r.phase != CMM_PHASE_NONE && c->r.phase != CMM_PHASE_DONE &&
	    c->r.phase != CMM_PHASE_WAIT;
}

/* Ends the round this node coordinates, with a one-line outcome. */
void
core_round_end(struct cmm_core *c, const char *prefix, const char *why)
{
	struct cmm_event ev;

	if (!core_round_active(c))
		return;
	c->r.phase = CMM_PHASE_DONE;
	snprintf(c->r.outcome, sizeof(c->r.outcome), "%s%.120s", prefix, why);
	if (c->r.quiet) {
		core_log(c, CMM_LOG_DEBUG, "round (%u,%u) %s", c->r.inst,
		    cmm_ballot_attempt(c->r.b), c->r.outcome);
		return;
	}
	core_event_init(c, &ev, CMM_EV_ROUND);
	core_event(c, &ev, "round (%u,%u) %s", c->r.inst,
	    cmm_ballot_attempt(c->r.b), c->r.outcome);
	if (c->prompt_open)
		core_prompt_close(c, why);
}

bool
core_in_known(const struct cmm_core *c, int id)
{
	return c->disk.epoch > 0 && cmm_set_has(&c->disk.members, id);
}

/* The acceptors of the current instance: the known members, or for
 * formation every configured node. */
const struct cmm_set *
core_acceptors(const struct cmm_core *c)
{
	return c->disk.epoch > 0 ? &c->disk.members : &c->cfg->configured;
}

/* Whether this node may act as acceptor (and coordinator) of inst: one
 * of its acceptors, with its state intact for that instance. */
bool
core_is_acceptor(const struct cmm_core *c, uint32_t inst)
{
	if (c->stopped || inst != c->disk.epoch + 1)
		return false;
	if (c->disk.abstain != 0 && inst <= c->disk.abstain)
		return false;
	return cmm_set_has(core_acceptors(c), c->self);
}

bool
core_peer_leaving(const struct cmm_core *c, int id)
{
	if (id == c->self)
		return c->leaving;
	return id >= 0 && id < c->npeers && c->peers[id].leaving;
}

/* Whether a live peer has been heard long enough that its row shows whom
 * it hears (a node just started has heard nobody yet). */
bool
core_peer_settled(const struct cmm_core *c, int id)
{
	const struct core_peer *p = &c->peers[id];

	if (id == c->self)
		return true;
	/* its row must be one it sent after a heartbeat of listening */
	return p->alive && c->now - p->alive_since >=
	    CORE_SETTLE_HEARTBEATS * c->cfg->heartbeat_ms &&
	    p->row_at - p->alive_since >= c->cfg->heartbeat_ms;
}

/* base plus up to base/2 of jitter, so nodes do not act in lock-step */
int64_t
core_jitter(struct cmm_core *c, int64_t base)
{
	if (base <= 1)
		return base;
	return base + (int64_t)cmm_rng_below(&c->rng, (uint64_t)(base / 2 + 1));
}
