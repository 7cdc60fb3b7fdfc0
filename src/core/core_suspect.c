/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_suspect: fast crash detection (docs/PROTOCOL.md "Fast crash
 * detection").  A process that dies on a live host leaves its port closed,
 * and the host answers the next datagram to it with a port-unreachable.
 * That answer is not authenticated, so it never fails a peer by itself: it
 * makes the peer suspect, and a short burst of probes (heartbeats naming
 * the suspect in the SUSPECT extension, which the named node answers at
 * once, naming itself) decides.  An answer clears the suspicion; none
 * within suspect_confirm_ms, while the probes bounce too, fails the peer
 * exactly as a timeout would.  Other datagrams from it do not count: one
 * sent just before the crash may still be on its way.  The suspecting
 * node tells every other node in the same breath, and each probes for
 * itself, so the survivors confirm together instead of one heartbeat
 * apart.
 *
 * Safety never rests on this: Paxos decides every configuration.  What it
 * must not do is exclude a live peer, hence the two conditions: a live
 * peer answers a probe, and its host does not bounce them.
 */
#include "src/core/core_int.h"

/* A peer whose last datagram said it answers probes. */
static bool
suspect_can_probe(const struct core_peer *p)
{
	return p->vmax >= CMM_TLV_SUSPECT_SINCE;
}

static int64_t
suspect_interval(const struct cmm_core *c)
{
	int64_t i = c->cfg->suspect_confirm_ms / (CORE_SUSPECT_PROBES + 1);

	return i < 1 ? 1 : i;
}

/* One heartbeat naming `id` in SUSPECT: to `id` it is a probe, to anyone
 * else the news; naming ourselves, the answer to a probe. */
static void
suspect_send(struct cmm_core *c, const struct cmm_set *to, int id)
{
	struct cmm_msg m;

	core_fill_msg(c, &m, CMM_MSG_HEARTBEAT);
	m.ext = CMM_EXT_SUSPECT;
	cmm_set_add(&m.suspect, id);
	core_send_msg(c, to, &m);
}

/* Past the window without an answer, a suspect whose probes have not
 * bounced yet is given a heartbeat and a half more for a bounce (a probe
 * may take longer than the window on a slow network; the heartbeats sent
 * meanwhile bounce too): then the failure timeout decides. */
int64_t
suspect_until(const struct cmm_core *c, const struct core_peer *p)
{
	return c->susp[p - c->peers].at + c->cfg->suspect_confirm_ms +
	    c->cfg->heartbeat_ms + c->cfg->heartbeat_ms / 2;
}

/* The time of the next probe or decision of one suspect. */
static int64_t
suspect_due(const struct cmm_core *c, const struct core_peer *p)
{
	const struct core_suspicion *u = &c->susp[p - c->peers];
	int64_t window = u->at + c->cfg->suspect_confirm_ms;

	if (u->probes < CORE_SUSPECT_PROBES)
		return u->at + u->probes * suspect_interval(c);
	if (c->now < window || u->bounced)
		return window;
	return suspect_until(c, p);
}

/*
 * The roll call.  Processes killed together do not all close their
 * ports at once: one still exiting a few tens of milliseconds later
 * takes datagrams without a bounce or an answer, so nothing makes it
 * suspect before the others are confirmed, and its bounce after the
 * commit costs a second epoch.  So when a burst begins, the node that
 * will coordinate probes every member of P; a live one answers within a
 * round trip, long before the suspects are decided, and the round holds
 * (coord_hold) while one neither answers nor bounces, up to the end of
 * the roll call: the confirmation window and half a heartbeat.  Probes
 * to the silent repeat as a suspect's do, so a port that closes late
 * bounces at once and its node joins the burst.
 */
int64_t
suspect_roll_until(const struct cmm_core *c)
{
	return c->roll_at + c->cfg->suspect_confirm_ms +
	    c->cfg->heartbeat_ms / 2;
}

/* Probes every member still on the roll: one datagram each, naming only
 * its addressee, which answers at once naming itself. */
static void
suspect_roll_probe(struct cmm_core *c)
{
	struct cmm_set to;

	for (int q = cmm_set_next(&c->roll, 0); q >= 0;
	    q = cmm_set_next(&c->roll, q + 1)) {
		if (!cmm_set_has(&c->alive, q) || c->peers[q].suspect)
			continue;	/* failed, or probed as a suspect */
		cmm_set_clear(&to);
		cmm_set_add(&to, q);
		suspect_send(c, &to, q);
	}
	c->roll_probes++;
}

/* A suspicion began: the coordinator-to-be (the live member of P of
 * highest priority that nobody suspects) calls the roll, once a burst. */
static void
suspect_roll_begin(struct cmm_core *c)
{
	const struct cmm_set *P = &c->disk.members;
	struct cmm_set cand;

	if (c->disk.epoch == 0 || !c->member || !cmm_set_has(P, c->self))
		return;
	/* one roll call a burst, and (forged unreachables) a heartbeat */
	if (c->roll_at >= 0 && (c->now < suspect_roll_until(c) ||
	    c->now < c->roll_at + c->cfg->heartbeat_ms))
		return;
	cmm_set_and(&cand, P, &c->alive);
	cmm_set_minus(&cand, &cand, &c->suspects);
	if (core_crown_prince(c, &cand) != c->self)
		return;
	cmm_set_del(&cand, c->self);
	for (int q = cmm_set_next(&cand, 0); q >= 0;
	    q = cmm_set_next(&cand, q + 1))
		if (!suspect_can_probe(&c->peers[q]))
			cmm_set_del(&cand, q);	/* it would not answer */
	/* from the next millisecond, as the news: those that become
	 * suspect meanwhile are probed as suspects instead */
	c->roll = cand;
	c->roll_at = c->now + 1;
	c->roll_probes = 0;
	c->roll_said = false;
	core_log(c, CMM_LOG_DEBUG, "roll call of %d members",
	    cmm_set_count(&cand));
}

/* The roll call's next probe, CORE_NEVER when none is due: nobody is
 * left on the roll, or its time is up. */
static int64_t
suspect_roll_due(const struct cmm_core *c)
{
	int64_t t = c->roll_at + c->roll_probes * suspect_interval(c);

	if (cmm_set_empty(&c->roll) || t >= suspect_roll_until(c))
		return CORE_NEVER;
	return t;
}

static void
suspect_roll_run(struct cmm_core *c)
{
	if (c->now >= suspect_roll_until(c)) {
		cmm_set_clear(&c->roll);	/* roll_at stays: see begin */
		return;
	}
	while (suspect_roll_due(c) <= c->now)
		suspect_roll_probe(c);
}

static void
suspect_start(struct cmm_core *c, int id, int reporter)
{
	struct core_peer *p = &c->peers[id];
	struct core_suspicion *u = &c->susp[id];
	struct cmm_event ev;
	struct cmm_set to;

	if (c->cfg->fast_fail == CMM_FAST_FAIL_NO || !p->alive || p->suspect ||
	    c->now < u->quiet_until)
		return;
	if (!suspect_can_probe(p)) {
		/* it would not answer: the failure timeout decides */
		core_log(c, CMM_LOG_DEBUG, "node %d reported unreachable; it "
		    "speaks protocol %u, too old to answer probes", id, p->vmax);
		return;
	}
	p->suspect = true;
	u->bounced = false;
	u->probes = 1;
	u->reporter = reporter;
	u->at = c->now;
	cmm_set_add(&c->suspects, id);
	core_event_init(c, &ev, CMM_EV_SUSPECT);
	ev.peer = id;
	ev.reporter = reporter;
	if (reporter < 0)
		core_event(c, &ev, "node %d is suspect (port unreachable): "
		    "probing it, %d probes in %lld ms", id, CORE_SUSPECT_PROBES,
		    (long long)c->cfg->suspect_confirm_ms);
	else
		core_event(c, &ev, "node %d is suspect (node %d reports it "
		    "unreachable): probing it, %d probes in %lld ms", id,
		    reporter, CORE_SUSPECT_PROBES,
		    (long long)c->cfg->suspect_confirm_ms);
	/* the first probe; the node that saw the unreachable sends it to
	 * everyone, so the others start probing now, not at their own next
	 * heartbeat to the dead node: in the next millisecond, with the news
	 * of the other suspects its unreachables open by then */
	if (reporter < 0) {
		if (c->news_at < 0)
			c->news_at = c->now;
		cmm_set_add(&c->news, id);
	} else {
		cmm_set_clear(&to);
		cmm_set_add(&to, id);
		suspect_send(c, &to, id);
	}
	suspect_roll_begin(c);
	if (suspect_due(c, p) < c->next_expiry)
		c->next_expiry = suspect_due(c, p);
	if (suspect_roll_due(c) < c->next_expiry)
		c->next_expiry = suspect_roll_due(c);
}

void
suspect_unreachable(struct cmm_core *c, int id)
{
	struct core_peer *p;

	if (id == c->self || id >= c->npeers ||
	    !cmm_set_has(&c->cfg->configured, id))
		return;
	/* a peer failed already (neither alive nor suspect) bounces every
	 * datagram sent to it: decided from the sets, its entry untouched */
	if (!cmm_set_has(&c->alive, id) && !cmm_set_has(&c->suspects, id))
		return;
	p = &c->peers[id];
	if (p->suspect) {
		/* the first probe left when the suspicion began, so this
		 * one bounced, or a datagram sent since did: the port is
		 * still closed; past the window, that decides now */
		c->susp[id].bounced = true;
		if (suspect_due(c, p) < c->next_expiry)
			c->next_expiry = suspect_due(c, p);
		return;
	}
	suspect_start(c, id, -1);
}

static void suspect_end(struct cmm_core *c, struct core_peer *p, int id);

/* A datagram carrying SUSPECT: the sender names nodes it suspects, or
 * itself when it answers a probe. */
void
suspect_on_msg(struct cmm_core *c, const struct cmm_msg *m)
{
	struct core_peer *p = &c->peers[m->sender];
	struct cmm_set to;

	if (!(m->ext & CMM_EXT_SUSPECT))
		return;
	/* named: answer at once, naming ourselves, so the sender hears us
	 * within its window and knows the answer is not an old datagram */
	if (cmm_set_has(&m->suspect, c->self)) {
		cmm_set_clear(&to);
		cmm_set_add(&to, m->sender);
		suspect_send(c, &to, c->self);
	}
	if (cmm_set_has(&m->suspect, m->sender) && p->suspect) {
		suspect_end(c, p, m->sender);
		core_log(c, CMM_LOG_INFO, "node %d answered after %lld ms: no "
		    "longer suspect", m->sender,
		    (long long)(c->now - c->susp[m->sender].at));
	}
	for (int i = cmm_set_next(&m->suspect, 0); i >= 0;
	    i = cmm_set_next(&m->suspect, i + 1))
		if (i != c->self && i != m->sender && i < c->npeers &&
		    cmm_set_has(&c->cfg->configured, i))
			suspect_start(c, i, m->sender);
}

static void
suspect_end(struct cmm_core *c, struct core_peer *p, int id)
{
	int64_t hold = c->cfg->heartbeat_ms > c->cfg->suspect_confirm_ms ?
	    c->cfg->heartbeat_ms : c->cfg->suspect_confirm_ms;

	p->suspect = false;
	cmm_set_del(&c->suspects, id);
	/* a stream of forged unreachables makes at most one burst of
	 * probes per heartbeat */
	c->susp[id].quiet_until = c->now + hold;
}

/* More than half of the other members of P have dropped suspect `id`
 * from their rows since our suspicion began, `from` (whose new row drops
 * it) among them: each of their detectors failed it, by its own probes
 * or by the timeout. */
static bool
suspect_rows_agree(const struct cmm_core *c, int id, int from)
{
	const struct cmm_set *P = &c->disk.members;
	int64_t since = c->susp[id].at;
	int others = 0, agree = 0;

	for (int m = cmm_set_next(P, 0); m >= 0; m = cmm_set_next(P, m + 1)) {
		if (m == c->self || m == id)
			continue;
		others++;
		if (m == from)
			agree++;
		else if (cmm_set_has(&c->alive, m) &&
		    c->peers[m].row_at >= since &&
		    !cmm_set_has(core_peer_row(c, m), id))
			agree++;
	}
	return others > 0 && 2 * agree > others;
}

/*
 * A member's row is about to drop a node this one suspects: its detector
 * declared it failed (a window of unanswered probes, or the timeout).
 * If our own probes bounced too, the port is closed from here as well:
 * confirm now rather than at the end of our window, which opened when
 * the news reached us, a little after it opened there.  Without our own
 * bounce one row decides nothing; the rows of more than half of the
 * other members do: a host rate-limits the unreachables it sends (Linux:
 * a burst of 50 a second per namespace, a few per peer host), so with
 * dozens of survivors probing at once some of them get none back.
 */
void
suspect_on_row(struct cmm_core *c, int from, const struct cmm_set *old,
    const struct cmm_set *row)
{
	struct cmm_set dropped;

	/* the suspects this row drops, in a few words: this runs for every
	 * heartbeat while anyone is suspect, and a walk of the suspects'
	 * entries cost a quarter of a 1024-node simulation */
	if (!cmm_set_has(&c->alive, from))
		return;
	cmm_set_and(&dropped, &c->suspects, old);
	cmm_set_minus(&dropped, &dropped, row);
	for (int i = cmm_set_next(&dropped, 0); i >= 0;
	    i = cmm_set_next(&dropped, i + 1)) {
		struct core_peer *p = &c->peers[i];
		const struct core_suspicion *u = &c->susp[i];
		bool bounced = u->bounced;

		if (!p->suspect)
			continue;
		if (!bounced && !suspect_rows_agree(c, i, from))
			continue;
		core_log(c, CMM_LOG_INFO, "node %d: %s: confirmed after %lld ms",
		    i, bounced ? "a member's detector failed it and our probes "
		    "bounced" : "the detectors of most other members failed it",
		    (long long)(c->now - u->at));
		suspect_end(c, p, i);
		p->fast_failed = true;
		c->next_expiry = c->now;
	}
}

/* Any authentic datagram from a failed peer makes it alive again, as
 * after a timeout (a suspicion waits for an answer: suspect_on_msg). */
void
suspect_heard(struct cmm_core *c, int id)
{
	c->peers[id].fast_failed = false;
	cmm_set_del(&c->roll, id);
}

/*
 * The news of the suspects our own unreachables opened in an earlier
 * millisecond, in one heartbeat to every node (to each suspect, its
 * first probe); called by each input of the network and the clock.  A
 * host that sees many peers crash at once has a heartbeat bounce off
 * each of them: a datagram per suspect to everyone made every survivor
 * of k crashes send k broadcasts (at 1024 nodes, 225,000 of them in
 * flight at once in the simulator).
 */
void
suspect_announce(struct cmm_core *c)
{
	struct cmm_set named;
	struct cmm_msg m;

	if (c->news_at < 0 || c->now <= c->news_at)
		return;
	/* those that answered meanwhile are no news */
	cmm_set_and(&named, &c->news, &c->suspects);
	cmm_set_clear(&c->news);
	c->news_at = -1;
	if (c->stopped || cmm_set_empty(&named))
		return;
	core_fill_msg(c, &m, CMM_MSG_HEARTBEAT);
	m.ext = CMM_EXT_SUSPECT;
	m.suspect = named;
	core_send_msg(c, &c->cfg->configured, &m);
}

/* Probes that fell due, and decisions: called by detect_run, which turns
 * a confirmed suspect into a failure. */
void
suspect_run(struct cmm_core *c)
{
	struct cmm_set to;

	if (!cmm_set_empty(&c->roll))
		suspect_roll_run(c);
	for (int i = cmm_set_next(&c->suspects, 0); i >= 0;
	    i = cmm_set_next(&c->suspects, i + 1)) {
		struct core_peer *p = &c->peers[i];
		struct core_suspicion *u = &c->susp[i];

		while (p->suspect && u->probes < CORE_SUSPECT_PROBES &&
		    suspect_due(c, p) <= c->now) {
			cmm_set_clear(&to);
			cmm_set_add(&to, i);
			suspect_send(c, &to, i);
			u->probes++;
		}
		if (!p->suspect || suspect_due(c, p) > c->now)
			continue;
		suspect_end(c, p, i);
		if (!u->bounced) {
			/* silent, but its host does not refuse: a stall or a
			 * forged unreachable, not a crash we can prove */
			core_log(c, CMM_LOG_INFO, "node %d did not answer %d "
			    "probes in %lld ms, but nothing bounced: the "
			    "failure timeout decides", i, u->probes,
			    (long long)(c->now - u->at));
			continue;
		}
		p->fast_failed = true;
	}
}

int64_t
suspect_next(const struct cmm_core *c)
{
	int64_t next = suspect_roll_due(c);

	for (int i = cmm_set_next(&c->suspects, 0); i >= 0;
	    i = cmm_set_next(&c->suspects, i + 1)) {
		int64_t t = suspect_due(c, &c->peers[i]);

		if (t < next)
			next = t;
	}
	return next;
}
