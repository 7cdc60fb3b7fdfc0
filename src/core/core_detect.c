/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_detect: the failure detector (a peer is alive while a valid packet
 * from it arrived within failure_timeout_ms) and the heartbeats that feed
 * everyone else's (patent FIG. 3, step 402).
 */
#include "src/core/core_int.h"

static bool
detect_alive(const struct cmm_core *c, const struct core_peer *p)
{
	/* confirmed by probes (core_suspect.c): dead until heard again */
	if (p->last_heard < 0 || p->fast_failed)
		return false;
	return c->now - p->last_heard < c->cfg->failure_timeout_ms;
}

/* Recomputes the alive set; emits FAILURE events. */
void
detect_run(struct cmm_core *c)
{
	int64_t next = CORE_NEVER;
	bool changed = false;
	struct cmm_event ev;

	if (!cmm_set_empty(&c->suspects) || !cmm_set_empty(&c->roll)) {
		suspect_run(c);
		next = suspect_next(c);
	}
	for (int i = cmm_set_next(&c->cfg->configured, 0); i >= 0;
	    i = cmm_set_next(&c->cfg->configured, i + 1)) {
		struct core_peer *p = &c->peers[i];
		bool alive;

		if (i == c->self)
			continue;
		alive = detect_alive(c, p);
		if (alive) {
			int64_t exp = p->last_heard + c->cfg->failure_timeout_ms;

			if (exp < next)
				next = exp;
		}
		if (alive == p->alive)
			continue;
		assert(!alive);		/* coming alive happens in detect_heard */
		p->alive = false;
		changed = true;
		c->rows_version++;
		cmm_set_del(&c->alive, i);
		if (p->leaving) {
			/* a graceful leave stops the leaver: that silence is
			 * the leave finishing, not a failure */
			core_event_init(c, &ev, CMM_EV_LEAVE);
			ev.peer = i;
			core_event(c, &ev, "node %d left (it asked to leave and "
			    "stopped)", i);
			continue;
		}
		core_event_init(c, &ev, CMM_EV_FAILURE);
		ev.peer = i;
		ev.fast = p->fast_failed;
		if (p->fast_failed)
			core_event(c, &ev, "node %d failed (port unreachable, no "
			    "answer to %d probes in %lld ms)", i,
			    c->susp[i].probes, (long long)(c->now - c->susp[i].at));
		else
			core_event(c, &ev, "node %d failed (silent for %lld ms)",
			    i, (long long)(c->now - p->last_heard));
	}
	if (c->listen_until > c->now && c->listen_until < next)
		next = c->listen_until;
	c->next_expiry = next;
	if (changed)
		coord_on_detector(c);
}

void
detect_heard(struct cmm_core *c, int id)
{
	struct core_peer *p = &c->peers[id];
	struct cmm_event ev;

	p->last_heard = c->now;
	cmm_set_add(&c->heard, id);
	suspect_heard(c, id);
	if (c->now + c->cfg->failure_timeout_ms < c->next_expiry)
		c->next_expiry = c->now + c->cfg->failure_timeout_ms;
	if (p->alive)
		return;
	p->alive = true;
	p->alive_since = c->now;
	c->rows_version++;
	cmm_set_add(&c->alive, id);
	core_event_init(c, &ev, CMM_EV_ALIVE);
	ev.peer = id;
	core_event_node(c, &ev, id, "is alive");
	coord_on_detector(c);
}

/* To every configured node, members or not, so a healed partition or a
 * new node is noticed; the header carries our committed configuration. */
void
detect_heartbeat(struct cmm_core *c)
{
	if (c->stopped)
		return;
	core_send(c, &c->cfg->configured, CMM_MSG_HEARTBEAT);
}
