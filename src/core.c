/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core: lifecycle, packet intake, failure detector, heartbeats, operator
 * commands and introspection of the protocol state machine.  The
 * reconfiguration round itself is in core_round.c.  No I/O here: see core.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

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
	static const char *const n[] = { "none", "presence", "propose",
		"quorum", "fence", "backoff", "done" };

	if ((int)p < 0 || p > CMM_PHASE_DONE)
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
	cfg->prompt_timeout_ms = 0;
	cfg->initial = CMM_INITIAL_MAJORITY;
	cfg->isolation = CMM_ISOLATION_ASK;
	cfg->winner = CMM_WINNER_ASK;
	cfg->on_quorum_loss = CMM_LOSS_REJOIN;
}

/* ---- effects ---- */

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
	ev->epoch = c->epoch;
	ev->round_epoch = c->r.T;
	ev->round_attempt = c->r.a;
	ev->peer = -1;
	ev->state = c->state;
	ev->members = c->members;
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

int
core_persist(struct cmm_core *c)
{
	struct cmm_effect fx = { .type = CMM_FX_PERSIST };

	fx.u.persist = &c->disk;
	return core_emit(c, &fx);
}

static void
core_fill_msg(const struct cmm_core *c, struct cmm_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->sender = (uint16_t)c->self;
	m->incarnation = c->disk.incarnation;
	m->flags = (c->member ? CMM_MSGF_MEMBER : 0) |
	    (c->leaving || c->stopped ? CMM_MSGF_LEAVING : 0) |
	    (round_active(c) ? CMM_MSGF_INROUND : 0);
	m->epoch = c->epoch;
	m->members = c->members;
	m->prev_epoch = c->best_epoch;
	m->prev = c->best;
	m->row = c->alive;
	m->prop_epoch = c->disk.prop_epoch;
	m->prop_attempt = c->disk.prop_attempt;
	m->prop = c->disk.prop;
	/* heartbeats carry the last round id too (see round_on_heartbeat) */
	if (c->r.phase != CMM_PHASE_NONE) {
		m->round_epoch = c->r.T;
		m->round_attempt = c->r.a;
	}
	switch (type) {
	case CMM_MSG_PRESENCE:
		m->vec = c->r.presence;
		break;
	case CMM_MSG_PROPOSE:
		m->vec = c->r.next;
		m->leavers = c->r.leavers;
		if (c->r.adopting)
			m->flags |= CMM_MSGF_ADOPT;
		break;
	case CMM_MSG_LEAVE:
		m->vec = c->members;
		cmm_set_del(&m->vec, c->self);
		break;
	default:
		break;
	}
}

void
core_send(struct cmm_core *c, const struct cmm_set *to, int type)
{
	struct cmm_effect fx = { .type = CMM_FX_SEND };
	struct cmm_set dest;
	struct cmm_msg m;

	cmm_set_and(&dest, to, &c->cfg->configured);
	cmm_set_del(&dest, c->self);
	if (cmm_set_empty(&dest))
		return;
	core_fill_msg(c, &m, type);
	fx.u.send.to = &dest;
	fx.u.send.msg = &m;
	core_emit(c, &fx);
}

void
core_send_to(struct cmm_core *c, int id, int type)
{
	struct cmm_set to;

	cmm_set_clear(&to);
	cmm_set_add(&to, id);
	core_send(c, &to, type);
}

void
core_device(struct cmm_core *c, struct cmm_devreq *req)
{
	struct cmm_effect fx = { .type = CMM_FX_DEVICE };

	req->id = ++c->next_req;
	fx.u.dev = req;
	core_emit(c, &fx);
}

void
core_prompt_open(struct cmm_core *c, enum cmm_prompt_kind kind,
    const int choice[2], const char *why)
{
	struct cmm_effect fx = { .type = CMM_FX_PROMPT };
	struct cmm_event ev;

	memset(&c->prompt, 0, sizeof(c->prompt));
	c->prompt.kind = kind;
	c->prompt.round_epoch = c->r.T;
	c->prompt.round_attempt = c->r.a;
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
	if (kind == CMM_PROMPT_WINNER)
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
		return round_active(c) ? CMM_ST_RECONFIGURING : CMM_ST_MEMBER;
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

	if (s == c->state)
		return;
	c->state = s;
	core_event_init(c, &ev, CMM_EV_STATE);
	core_event(c, &ev, "state %s", cmm_state_name(s));
}

bool
core_is_leaver(const struct cmm_core *c, int id)
{
	return cmm_set_has(&c->leavers, id);
}

/* What this node knows of connectivity, as a version: it moves whenever
 * its own alive set or a peer's row changes.  A petition from a node the
 * convergence rule excluded starts a round only once it moved (DESIGN §2
 * step 6).  A counter, not a hash of N rows: this runs per petition. */
uint64_t
core_rows_hash(const struct cmm_core *c)
{
	return c->rows_version;
}

/* A node the last round left out stays out while connectivity is as it
 * was; after a while it may try again (a round that changes nothing costs
 * no epoch), so a stale exclusion cannot keep a healed node out. */
bool
core_still_excluded(const struct cmm_core *c, int id)
{
	return cmm_set_has(&c->excluded, id) && c->now < c->excluded_until &&
	    core_rows_hash(c) == c->excluded_hash;
}

void
core_learn_best(struct cmm_core *c, uint32_t epoch, const struct cmm_set *m)
{
	if (epoch > c->best_epoch && cmm_set_subset(m, &c->cfg->configured) &&
	    !cmm_set_empty(m)) {
		c->best_epoch = epoch;
		c->best = *m;
	}
}

/* Abort (DESIGN §2 "Abort"): drop membership, keep petitioning. */
void
core_drop_membership(struct cmm_core *c, const char *why)
{
	struct cmm_event ev;

	c->next_join = c->now + c->cfg->join_retry_ms;
	if (!c->member) {
		if (!c->isolated)
			c->lost_quorum = c->lost_quorum || c->disk.epoch > 0;
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

/* ---- lifecycle ---- */

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
	c->peers = calloc((size_t)c->npeers, sizeof(*c->peers));
	if (c->peers == NULL) {
		free(c);
		return NULL;
	}
	for (int i = 0; i < c->npeers; i++)
		c->peers[i].last_heard = -1;
	if (loaded != NULL)
		c->disk = *loaded;
	c->epoch = c->disk.epoch;
	c->members = c->disk.members;
	c->best_epoch = c->epoch;
	c->best = c->members;
	c->last_commit_time = -1;
	c->state = CMM_ST_JOINING;
	c->next_hb = CORE_NEVER;
	c->next_expiry = CORE_NEVER;
	c->next_join = CORE_NEVER;
	cmm_set_add(&c->alive, self);
	return c;
}

void
cmm_core_free(struct cmm_core *c)
{
	if (c == NULL)
		return;
	free(c->peers);
	free(c);
}

int
cmm_core_start(struct cmm_core *c, int64_t now)
{
	c->now = now;
	c->start_time = now;
	/* a new incarnation tells peers this is a restart, not a live node */
	c->disk.incarnation++;
	if (core_persist(c) != 0) {
		core_log(c, CMM_LOG_ERROR, "cannot persist the incarnation");
		return -1;
	}
	c->started = true;
	/* listen for two heartbeats before the first round, so a starting
	 * node knows who is alive (patent step 402) */
	c->listen_until = now + 2 * c->cfg->heartbeat_ms;
	c->next_hb = now;
	c->next_expiry = c->listen_until;
	core_log(c, CMM_LOG_INFO, "node %d started, incarnation %u, epoch %u",
	    c->self, c->disk.incarnation, c->epoch);
	cmm_core_on_tick(c, now);
	return 0;
}

/* ---- failure detector ---- */

static bool
core_peer_alive(const struct cmm_core *c, const struct core_peer *p, int64_t now)
{
	if (p->last_heard < 0)
		return false;
	return now - p->last_heard < c->cfg->failure_timeout_ms;
}

/* Recomputes the alive set; emits FAILURE/ALIVE events. */
static void
core_detector(struct cmm_core *c)
{
	int64_t next = CORE_NEVER;
	bool changed = false;
	struct cmm_event ev;

	for (int i = cmm_set_next(&c->cfg->configured, 0); i >= 0;
	    i = cmm_set_next(&c->cfg->configured, i + 1)) {
		struct core_peer *p = &c->peers[i];
		bool alive;

		if (i == c->self)
			continue;
		alive = core_peer_alive(c, p, c->now);
		if (alive) {
			int64_t exp = p->last_heard + c->cfg->failure_timeout_ms;

			if (exp < next)
				next = exp;
		}
		if (alive == p->alive)
			continue;
		p->alive = alive;
		changed = true;
		c->rows_version++;
		if (alive) {
			cmm_set_add(&c->alive, i);
		} else {
			cmm_set_del(&c->alive, i);
			core_event_init(c, &ev, CMM_EV_FAILURE);
			ev.peer = i;
			core_event(c, &ev, "node %d failed (silent for %lld ms)", i,
			    (long long)(c->now - p->last_heard));
			if (c->member && cmm_set_has(&c->members, i))
				round_trigger(c, "a member failed");
		}
	}
	if (c->listen_until > c->now && c->listen_until < next)
		next = c->listen_until;
	c->next_expiry = next;
	if (changed)
		round_on_detector(c);
}

static void
core_heard(struct cmm_core *c, int id)
{
	struct core_peer *p = &c->peers[id];
	struct cmm_event ev;

	p->last_heard = c->now;
	cmm_set_add(&c->heard, id);
	if (c->now + c->cfg->failure_timeout_ms < c->next_expiry)
		c->next_expiry = c->now + c->cfg->failure_timeout_ms;
	if (p->alive)
		return;
	p->alive = true;
	c->rows_version++;
	cmm_set_add(&c->alive, id);
	core_event_init(c, &ev, CMM_EV_ALIVE);
	ev.peer = id;
	core_event(c, &ev, "node %d is alive", id);
	round_on_detector(c);
}

/* ---- inputs ---- */

/* A petition: a non-member (or a member that restarted or lost quorum) is
 * asking to be let in.  Excluded nodes are ignored while nothing changed. */
void
core_petition(struct cmm_core *c, int id, const char *why)
{
	struct cmm_event ev;

	if (!c->member || !c->started || c->leaving || c->stopped)
		return;
	if (core_still_excluded(c, id))
		return;
	if (round_active(c) && cmm_set_has(&c->r.presence, id))
		return;
	core_event_init(c, &ev, CMM_EV_JOIN);
	ev.peer = id;
	core_event(c, &ev, "petition from node %d: %s", id, why);
	round_trigger(c, "petition");
}

void
cmm_core_on_packet(struct cmm_core *c, int64_t now, const struct cmm_msg *m)
{
	struct core_peer *p;
	int id = m->sender;

	if (now > c->now)
		c->now = now;
	if (!c->started || id == c->self || !cmm_set_has(&c->cfg->configured, id))
		return;
	if (m->type < CMM_MSG_HEARTBEAT || m->type > CMM_MSG_LEAVE)
		return;
	p = &c->peers[id];
	if (m->incarnation < p->incarnation)
		return;		/* from before the peer restarted */
	if (m->incarnation > p->incarnation) {
		if (p->incarnation != 0)
			core_log(c, CMM_LOG_INFO, "node %d restarted (incarnation %u)",
			    id, m->incarnation);
		p->incarnation = m->incarnation;
		p->left = false;
		cmm_set_del(&c->leavers, id);
	}
	p->epoch = m->epoch;
	p->flags = m->flags;
	if (!cmm_set_eq(&p->row, &m->row)) {
		p->row = m->row;
		c->rows_version++;
	}
	p->lp_epoch = m->prop_epoch;
	p->lp_attempt = m->prop_attempt;
	p->lp = m->prop;
	if (!(m->flags & CMM_MSGF_LEAVING)) {
		p->left = false;
		cmm_set_del(&c->leavers, id);
	}
	core_heard(c, id);
	if (m->flags & CMM_MSGF_MEMBER)
		core_learn_best(c, m->epoch, &m->members);
	core_learn_best(c, m->prev_epoch, &m->prev);

	if (c->stopped || c->leaving) {
		core_sync_state(c);
		return;
	}
	/* the cluster moved on without this node */
	if (c->member && c->best_epoch > c->epoch &&
	    !cmm_set_has(&c->best, c->self))
		core_drop_membership(c, "the cluster committed a newer "
		    "configuration without this node");

	/* a configuration with this node was committed without it hearing
	 * all proposals: take it now rather than at the next round */
	if (!round_active(c) && c->best_epoch > c->epoch &&
	    cmm_set_has(&c->best, c->self) && c->first_round_done)
		round_adopt_best(c);

	switch (m->type) {
	case CMM_MSG_LEAVE: {
		struct cmm_event ev;

		p->left = true;
		cmm_set_add(&c->leavers, id);
		p->leave_vec = m->vec;
		core_event_init(c, &ev, CMM_EV_LEAVE);
		ev.peer = id;
		core_event(c, &ev, "node %d is leaving", id);
		if (c->member && cmm_set_has(&c->members, id))
			round_trigger(c, "a member left");
		round_on_detector(c);
		break;
	}
	case CMM_MSG_HEARTBEAT:
		/* a member at an older epoch only missed our commit: it
		 * catches up from our heartbeats without a round */
		if (c->member) {
			if (!cmm_set_has(&c->members, id))
				core_petition(c, id, "not a member");
			else if (!(m->flags & CMM_MSGF_MEMBER) && m->epoch >= c->epoch)
				core_petition(c, id, "member rejoining");
			else if (m->epoch > c->epoch)
				round_trigger(c, "a peer has a newer epoch");
		}
		/* a member behind our epoch, in a round it is late for: tell
		 * it where we are (only to one behind, so no ping-pong) */
		if (m->round_epoch != 0 && m->round_epoch <= c->epoch &&
		    m->epoch < c->epoch && cmm_set_has(&c->members, id))
			core_send_to(c, id, CMM_MSG_HEARTBEAT);
		round_on_heartbeat(c, m);
		break;
	case CMM_MSG_PRESENCE:
	case CMM_MSG_PROPOSE:
		round_on_msg(c, m);
		break;
	}
	round_check_stale(c);
	core_sync_state(c);
}

static void
core_heartbeat(struct cmm_core *c)
{
	struct cmm_set to = c->cfg->configured;

	if (c->stopped)
		return;
	if (c->leaving) {
		core_send(c, &to, CMM_MSG_LEAVE);
		if (--c->leave_sends <= 0) {
			struct cmm_event ev;

			c->leaving = false;
			c->stopped = true;
			core_sync_state(c);
			core_event_init(c, &ev, CMM_EV_LEAVE);
			ev.peer = c->self;
			core_event(c, &ev, "left the cluster; stopped");
		}
		return;
	}
	/* in a round the round's own messages double as heartbeats */
	if (round_active(c) && c->r.phase == CMM_PHASE_PRESENCE) {
		core_send(c, &to, CMM_MSG_PRESENCE);
		return;
	}
	if (round_active(c) && c->r.phase == CMM_PHASE_PROPOSE) {
		struct cmm_set rest;

		core_send(c, &c->r.next, CMM_MSG_PROPOSE);
		cmm_set_minus(&rest, &to, &c->r.next);
		core_send(c, &rest, CMM_MSG_HEARTBEAT);
		return;
	}
	core_send(c, &to, CMM_MSG_HEARTBEAT);
}

void
cmm_core_on_tick(struct cmm_core *c, int64_t now)
{
	if (now > c->now)
		c->now = now;
	if (!c->started)
		return;
	core_detector(c);
	if (c->now >= c->next_hb) {
		core_heartbeat(c);
		c->next_hb += c->cfg->heartbeat_ms;
		if (c->next_hb <= c->now)
			c->next_hb = c->now + c->cfg->heartbeat_ms;
	}
	if (!c->stopped && !c->leaving) {
		round_on_tick(c);
		if (c->prompt_open && c->prompt.deadline > 0 &&
		    c->now >= c->prompt.deadline) {
			/* the safe answer: isolated / not me */
			core_log(c, CMM_LOG_WARN, "prompt timed out: taking the safe answer");
			round_answer(c, false, c->prompt.kind == CMM_PROMPT_ISOLATION);
		}
		if (!c->first_round_done && c->now >= c->listen_until &&
		    !round_active(c)) {
			c->first_round_done = true;
			if (!c->member)
				round_trigger(c, "start");
		}
		if (!c->member && !round_active(c) && c->first_round_done &&
		    c->now >= c->next_join) {
			c->next_join = c->now + c->cfg->join_retry_ms;
			/* alone, a retry can only ask the same question again */
			if (cmm_set_count(&c->alive) > 1)
				round_trigger(c, "join retry");
		}
		if (c->retrigger && !round_active(c)) {
			c->retrigger = false;
			round_trigger(c, "pending trigger");
		}
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
	if (!c->stopped && !c->leaving) {
		int64_t r = round_deadline(c);

		if (r < t)
			t = r;
		if (c->prompt_open && c->prompt.deadline > 0 && c->prompt.deadline < t)
			t = c->prompt.deadline;
		if (!c->first_round_done && c->listen_until < t)
			t = c->listen_until;
		if (!c->member && !round_active(c) && c->next_join < t)
			t = c->next_join;
	}
	if (t <= c->now)
		t = c->now + 1;
	return t;
}

void
cmm_core_on_device_result(struct cmm_core *c, int64_t now, uint32_t id, bool ok)
{
	if (now > c->now)
		c->now = now;
	round_on_device(c, id, ok);
	core_sync_state(c);
}

/* ---- operator ---- */

int
cmm_core_answer_isolation(struct cmm_core *c, int64_t now, bool isolated,
    const char **why)
{
	struct cmm_event ev;

	if (now > c->now)
		c->now = now;
	if (!c->prompt_open || c->prompt.kind != CMM_PROMPT_ISOLATION) {
		*why = "no isolation prompt is open";
		return -1;
	}
	core_event_init(c, &ev, CMM_EV_ANSWER);
	core_event(c, &ev, "answer: %s", isolated ? "isolated" : "not-isolated");
	round_answer(c, !isolated, isolated);
	core_sync_state(c);
	return 0;
}

int
cmm_core_answer_winner(struct cmm_core *c, int64_t now, int winner,
    const char **why)
{
	struct cmm_event ev;

	if (now > c->now)
		c->now = now;
	if (!c->prompt_open || c->prompt.kind != CMM_PROMPT_WINNER) {
		*why = "no winner prompt is open";
		return -1;
	}
	if (winner != c->prompt.choice[0] && winner != c->prompt.choice[1]) {
		*why = "the winner must be one of the two nodes the prompt names";
		return -1;
	}
	core_event_init(c, &ev, CMM_EV_ANSWER);
	ev.peer = winner;
	core_event(c, &ev, "answer: winner %d", winner);
	round_answer(c, winner == c->self, false);
	core_sync_state(c);
	return 0;
}

int
cmm_core_join(struct cmm_core *c, int64_t now, const char **why)
{
	if (now > c->now)
		c->now = now;
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
	c->first_round_done = true;
	if (c->next_hb == CORE_NEVER || c->next_hb > c->now)
		c->next_hb = c->now;
	core_sync_state(c);
	round_trigger(c, "join command");
	core_sync_state(c);
	return 0;
}

int
cmm_core_leave(struct cmm_core *c, int64_t now, const char **why)
{
	struct cmm_event ev;

	if (now > c->now)
		c->now = now;
	if (c->stopped || c->leaving) {
		*why = "already left";
		return -1;
	}
	round_abandon(c, "leaving");
	core_prompt_close(c, "node is leaving");
	core_event_init(c, &ev, CMM_EV_LEAVE);
	ev.peer = c->self;
	if (c->member) {
		/* the LEAVE names the members left behind; repeat it a few
		 * times against loss, then stop */
		c->leaving = true;
		c->leave_sends = 3;
		core_event(c, &ev, "leaving the cluster");
		core_send(c, &c->cfg->configured, CMM_MSG_LEAVE);
		c->member = false;
		c->next_hb = c->now + c->cfg->heartbeat_ms;
		/* remember, across restarts, that this node left */
		c->disk.left_epoch = c->epoch;
		if (core_persist(c) != 0)
			core_log(c, CMM_LOG_ERROR, "cannot persist leaving");
	} else {
		c->stopped = true;
		core_event(c, &ev, "stopped petitioning");
	}
	core_sync_state(c);
	return 0;
}

/*
 * The disk failed under a commit or a proposal: this node cannot keep its
 * promises, so it leaves the cluster (LEAVE naming the others, so they
 * count its consent) and stops, rather than stall every round it is in.
 * An operator's `join` brings it back once the disk is mended.
 */
void
core_fail_stop(struct cmm_core *c, const char *why)
{
	struct cmm_event ev;

	if (c->stopped || c->leaving)
		return;
	round_abandon(c, why);
	core_prompt_close(c, why);
	core_log(c, CMM_LOG_ERROR, "%s: leaving the cluster until 'join'", why);
	c->member = false;
	c->lost_quorum = true;
	c->leaving = true;
	c->leave_sends = 3;
	core_event_init(c, &ev, CMM_EV_LEAVE);
	ev.peer = c->self;
	core_event(c, &ev, "leaving the cluster: %s", why);
	core_send(c, &c->cfg->configured, CMM_MSG_LEAVE);
	c->next_hb = c->now + c->cfg->heartbeat_ms;
	core_sync_state(c);
}

int
cmm_core_reconfigure(struct cmm_core *c, int64_t now, const char **why)
{
	if (now > c->now)
		c->now = now;
	if (c->stopped || c->leaving) {
		*why = "node has left; use join";
		return -1;
	}
	round_trigger(c, "reconfigure command");
	core_sync_state(c);
	return 0;
}

/* ---- introspection ---- */

void
cmm_core_status(const struct cmm_core *c, struct cmm_core_status *st)
{
	memset(st, 0, sizeof(*st));
	st->node = c->self;
	st->state = c->state;
	st->member = c->member;
	st->epoch = c->epoch;
	st->members = c->members;
	st->crown_prince = c->member ?
	    cmm_crown_prince(&c->members, c->cfg->priority) : -1;
	st->incarnation = c->disk.incarnation;
	st->alive = c->alive;
	st->prompt = c->prompt_open ? c->prompt.kind : CMM_PROMPT_NONE;
	st->prompt_choice[0] = c->prompt_open ? c->prompt.choice[0] : -1;
	st->prompt_choice[1] = c->prompt_open ? c->prompt.choice[1] : -1;
	st->prompt_deadline = c->prompt_open ? c->prompt.deadline : 0;
	st->last_commit_time = c->last_commit_time;
}

void
cmm_core_round(const struct cmm_core *c, struct cmm_round_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->active = round_active(c);
	ri->epoch = c->r.T;
	ri->attempt = c->r.a;
	ri->phase = c->r.phase;
	ri->deadline = c->r.phase == CMM_PHASE_BACKOFF ? c->r.backoff_until :
	    c->r.deadline;
	ri->prev_epoch = c->r.prev_epoch;
	ri->prev = c->r.prev;
	ri->expected = c->r.expected;
	ri->presence = c->r.presence;
	ri->proposed = c->r.proposed;
	ri->next = c->r.next;
	ri->differ = c->r.differ;
	ri->outcome = c->r.outcome;
}

bool
cmm_core_round_proposal(const struct cmm_core *c, int id, struct cmm_set *out)
{
	if (!cmm_set_has(&c->r.proposed, id))
		return false;
	*out = id == c->self ? c->r.next : c->peers[id].prop_vec;
	return true;
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
		pi->epoch = c->epoch;
		pi->member = c->member;
		return;
	}
	pi->alive = c->peers[id].alive;
	pi->last_heard = c->peers[id].last_heard;
	pi->incarnation = c->peers[id].incarnation;
	pi->epoch = c->peers[id].epoch;
	pi->member = (c->peers[id].flags & CMM_MSGF_MEMBER) != 0;
}

void
cmm_core_persisted(const struct cmm_core *c, struct cmm_persist *p)
{
	*p = c->disk;
}
