/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_detect: the failure detector (a peer is alive while a valid packet
 * from it arrived within failure_timeout_ms) and the heartbeats that feed
 * everyone else's (patent FIG. 3, step 402).
 */
#include "src/core/core_int.h"

/*
 * The live peers (alive, self aside) are kept in the order they were
 * last heard, oldest first: a packet moves its sender to the end, so
 * the peers whose failure timeout has run out are the first few, and
 * the next timeout is the first one's.  A detector pass costs what it
 * finds, not a look at every peer (at 1024 nodes, a scan a heartbeat of
 * each node's whole table).  Peers confirmed dead by probes wait in
 * c->doomed.
 */
static void
detect_unlink(struct cmm_core *c, int id)
{
	struct core_peer *p = &c->peers[id];

	if (p->older >= 0)
		c->peers[p->older].newer = p->newer;
	else
		c->oldest = p->newer;
	if (p->newer >= 0)
		c->peers[p->newer].older = p->older;
	else
		c->newest = p->older;
	p->older = p->newer = -1;
}

static void
detect_append(struct cmm_core *c, int id)
{
	struct core_peer *p = &c->peers[id];

	p->older = (int16_t)c->newest;
	p->newer = -1;
	if (c->newest >= 0)
		c->peers[c->newest].newer = (int16_t)id;
	else
		c->oldest = id;
	c->newest = id;
}

void
detect_doom(struct cmm_core *c, int id)
{
	c->peers[id].fast_failed = true;
	if (c->peers[id].alive)
		cmm_set_add(&c->doomed, id);
}

/* Recomputes the alive set; emits FAILURE events, in the order of ids.
 * A live peer is failed when its probes confirmed it (doomed) or when
 * failure_timeout_ms passed since it was last heard. */
void
detect_run(struct cmm_core *c)
{
	int64_t next = CORE_NEVER, tmo = c->cfg->failure_timeout_ms;
	struct cmm_set gone = c->doomed;
	bool changed = false;
	struct cmm_event ev;

	if (!cmm_set_empty(&c->suspects)) {
		suspect_run(c);
		next = suspect_next(c);
		gone = c->doomed;
	}
	for (int q = c->oldest; q >= 0 && c->now - c->peers[q].last_heard >=
	    tmo; q = c->peers[q].newer)
		cmm_set_add(&gone, q);
	for (int i = cmm_set_next(&gone, 0); i >= 0;
	    i = cmm_set_next(&gone, i + 1)) {
		struct core_peer *p = &c->peers[i];

		detect_unlink(c, i);
		cmm_set_del(&c->doomed, i);
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
	/* the oldest left is the first to time out */
	if (c->oldest >= 0 && c->peers[c->oldest].last_heard + tmo < next)
		next = c->peers[c->oldest].last_heard + tmo;
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
	if (p->alive) {
		if (c->newest != id) {	/* the newest now */
			detect_unlink(c, id);
			detect_append(c, id);
		}
		return;
	}
	p->alive = true;
	p->alive_since = c->now;
	c->rows_version++;
	cmm_set_add(&c->alive, id);
	detect_append(c, id);
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
