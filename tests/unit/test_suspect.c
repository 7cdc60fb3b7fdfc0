/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_suspect: fast crash detection in the core (src/core/core_suspect.c,
 * docs/PROTOCOL.md "Fast crash detection"), and its wire extension.
 *
 * A small world of cores over an in-memory network, 1 ms a hop.  A node
 * can be crashed (its process dead, its host alive: every datagram to it
 * comes back to the sender as a port-unreachable one hop later), stalled
 * (alive but silent, nothing comes back: a stopped process or a lost
 * host), and any node can be handed a forged unreachable.  Every effect is
 * checked as it happens: one configuration per epoch, and no node ever
 * fails a peer that is not crashed or stalled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/wire.h"
#include "src/core/core.h"
#include "tests/unit/fixture.h"

#define N	4
#define QMAX	65536
#define EVMAX	4096

struct pkt {
	int64_t		at;
	int		from, to;
	bool		unreach;	/* a port-unreachable for `to` */
	struct cmm_msg	m;
};

struct ev {
	int		node;
	int64_t		at;
	enum cmm_event_type type;
	int		peer, reporter;
	bool		fast;
	char		text[200];
};

static struct {
	struct cmm_core_cfg	cfg;
	struct cmm_core		*core[N];
	int			count;
	bool			crashed[N];	/* process dead, host alive */
	bool			stalled[N];	/* silent, no unreachable */
	/* this node's heartbeats do not bounce (it sent its last before
	 * the crash, its next is a heartbeat away), its probes do */
	bool			late[N];
	/* the dead node's host sends this node no unreachable at all
	 * (its ICMP rate limit spent on the others) */
	bool			muted[N];
	uint8_t			vmax[N];	/* the version each speaks */
	int64_t			icmp_ms;	/* an unreachable's way back */
	int64_t			news_ms;	/* extra delay of the news of a
						 * suspicion (a busy host's
						 * fan-out) */
	int64_t			now;
	struct pkt		*q;
	int			qlen;
	struct ev		ev[EVMAX];
	int			nev;
	struct cmm_msg		last01;		/* node 0's last datagram to 1 */
	struct cmm_set		epoch_members[64];
	bool			has_epoch[64];
} w;

static int
sink_emit(void *ctx, const struct cmm_effect *fx)
{
	int self = (int)(intptr_t)ctx;

	switch (fx->type) {
	case CMM_FX_SEND: {
		const struct cmm_set *to = fx->u.send.to;

		for (int i = cmm_set_next(to, 0); i >= 0;
		    i = cmm_set_next(to, i + 1)) {
			struct pkt *p;

			assert_true(w.qlen < QMAX);
			p = &w.q[w.qlen++];
			p->at = w.now + 1;
			/* the news of a suspicion, not a probe or its answer */
			if ((fx->u.send.msg->ext & CMM_EXT_SUSPECT) &&
			    !cmm_set_has(&fx->u.send.msg->suspect, i) &&
			    !cmm_set_has(&fx->u.send.msg->suspect, self))
				p->at += w.news_ms;
			p->from = self;
			p->to = i;
			p->unreach = false;
			p->m = *fx->u.send.msg;
			/* what the transport fills in */
			p->m.vmin = CMM_PROTO_MIN;
			p->m.vmax = w.vmax[self];
			if (w.vmax[i] < CMM_TLV_SUSPECT_SINCE)
				p->m.ext &= ~(uint32_t)CMM_EXT_SUSPECT;
			if (self == 0 && i == 1)
				w.last01 = p->m;
		}
		return 0;
	}
	case CMM_FX_PERSIST: {
		const struct cmm_persist *pp = fx->u.persist;

		if (pp->epoch > 0 && pp->epoch < 64) {
			if (w.has_epoch[pp->epoch])
				assert_true(cmm_set_eq(&w.epoch_members[pp->epoch],
				    &pp->members));
			w.epoch_members[pp->epoch] = pp->members;
			w.has_epoch[pp->epoch] = true;
		}
		return 0;
	}
	case CMM_FX_EVENT: {
		const struct cmm_event *e = fx->u.event;
		struct ev *r;

		/* the property this path must keep: a live peer is never
		 * failed by it */
		if (e->type == CMM_EV_FAILURE && e->fast)
			assert_true(w.crashed[e->peer] || w.stalled[e->peer]);
		if (w.nev == EVMAX)
			return 0;
		r = &w.ev[w.nev++];
		r->node = self;
		r->at = w.now;
		r->type = e->type;
		r->peer = e->peer;
		r->reporter = e->reporter;
		r->fast = e->fast;
		snprintf(r->text, sizeof(r->text), "%s", e->text ? e->text : "");
		if (getenv("TEST_SUSPECT_TRACE") != NULL)
			printf("%6lld node %d: %s\n", (long long)w.now, self,
			    r->text);
		return 0;
	}
	default:
		return 0;
	}
}

static void
world(int count)
{
	free(w.q);
	for (int i = 0; i < N; i++)
		cmm_core_free(w.core[i]);
	memset(&w, 0, sizeof(w));
	cmm_core_cfg_defaults(&w.cfg);
	w.cfg.heartbeat_ms = 50;
	w.cfg.failure_timeout_ms = 1000;
	w.count = count;
	w.q = calloc(QMAX, sizeof(*w.q));
	assert_non_null(w.q);
	for (int i = 0; i < count; i++) {
		cmm_set_add(&w.cfg.configured, i);
		w.vmax[i] = CMM_PROTO_MAX;
	}
}

static void
start_all(void)
{
	for (int i = 0; i < w.count; i++) {
		struct cmm_sink sink = { .ctx = (void *)(intptr_t)i,
		    .emit = sink_emit };

		w.core[i] = cmm_core_new(&w.cfg, i, NULL, &sink, 3);
		assert_non_null(w.core[i]);
		assert_int_equal(cmm_core_start(w.core[i], w.now), 0);
	}
}

static void
deliver(const struct pkt *p)
{
	struct cmm_core *c = w.core[p->to];

	if (p->unreach) {
		/* to the sender: its datagram to p->from bounced */
		struct cmm_peer_info pi;

		if (c == NULL || w.muted[p->to])
			return;
		cmm_core_peer(c, p->from, &pi);
		if (!w.late[p->to] || pi.suspect)
			cmm_core_on_unreachable(c, w.now, p->from);
		return;
	}
	if (w.stalled[p->to])
		return;
	if (w.crashed[p->to]) {
		struct pkt *u;

		assert_true(w.qlen < QMAX);
		u = &w.q[w.qlen++];
		u->at = w.now + (w.icmp_ms > 0 ? w.icmp_ms : 1);
		u->from = p->to;
		u->to = p->from;
		u->unreach = true;
		return;
	}
	if (c != NULL)
		cmm_core_on_packet(c, w.now, &p->m);
}

static bool
live(int i)
{
	return w.core[i] != NULL && !w.crashed[i] && !w.stalled[i];
}

static void
run_until(int64_t until)
{
	for (;;) {
		int64_t next = until + 1;

		for (int i = 0; i < w.qlen; i++)
			if (w.q[i].at < next)
				next = w.q[i].at;
		for (int i = 0; i < w.count; i++)
			if (live(i)) {
				int64_t d = cmm_core_next_deadline(w.core[i]);

				if (d < next)
					next = d;
			}
		if (next > until)
			break;
		if (next > w.now)
			w.now = next;
		for (;;) {
			int best = -1;
			struct pkt p;

			for (int i = 0; i < w.qlen && best < 0; i++)
				if (w.q[i].at <= w.now)
					best = i;
			if (best < 0)
				break;
			p = w.q[best];
			memmove(&w.q[best], &w.q[best + 1],
			    (size_t)(w.qlen - best - 1) * sizeof(w.q[0]));
			w.qlen--;
			deliver(&p);
		}
		for (int i = 0; i < w.count; i++)
			if (live(i) && cmm_core_next_deadline(w.core[i]) <= w.now)
				cmm_core_on_tick(w.core[i], w.now);
	}
	w.now = until;
}

/* The first event of a type at node (-1: any) about peer (-1: any) from
 * the event index `from` on; -1 if none. */
static int
find_ev(int from, int node, enum cmm_event_type type, int peer)
{
	for (int i = from; i < w.nev; i++)
		if (w.ev[i].type == type && (node < 0 || w.ev[i].node == node) &&
		    (peer < 0 || w.ev[i].peer == peer))
			return i;
	return -1;
}

static int
count_ev(int from, int node, enum cmm_event_type type, int peer)
{
	int n = 0;

	for (int i = from; i < w.nev; i++)
		if (w.ev[i].type == type && (node < 0 || w.ev[i].node == node) &&
		    (peer < 0 || w.ev[i].peer == peer))
			n++;
	return n;
}

static struct cmm_core_status
status(int i)
{
	struct cmm_core_status st;

	cmm_core_status(w.core[i], &st);
	return st;
}

/* Three or four nodes formed into epoch 1, everyone a member. */
static void
formed(int count)
{
	world(count);
	start_all();
	run_until(2000);
	for (int i = 0; i < count; i++) {
		assert_true(status(i).member);
		assert_int_equal(status(i).epoch, 1);
	}
}

/* Node 0's process dies (its host stays); `ms` later, the event index
 * from which to look. */
static int
crash_node0(int64_t ms)
{
	int mark = w.nev;

	w.crashed[0] = true;
	run_until(w.now + ms);
	return mark;
}

/* Nodes a and b both failed node 0 by probes; b's failure time minus
 * a's. */
static int64_t
fast_fail_gap(int mark, int a, int b)
{
	int fa = find_ev(mark, a, CMM_EV_FAILURE, 0);
	int fb = find_ev(mark, b, CMM_EV_FAILURE, 0);

	assert_true(fa >= 0 && fb >= 0);
	assert_true(w.ev[fa].fast && w.ev[fb].fast);
	return w.ev[fb].at - w.ev[fa].at;
}

/* Crash a process on a live host: the survivors commit within a
 * heartbeat, the confirmation window and a few hops, far inside the
 * failure timeout, and call it a fast failure. */
static void
test_crash_confirmed_fast(void **state)
{
	int mark, e1, e2, c1, c2;
	int64_t t0;

	(void)state;
	formed(3);
	mark = w.nev;
	t0 = w.now;
	w.crashed[0] = true;
	run_until(t0 + 3000);
	e1 = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	e2 = find_ev(mark, 2, CMM_EV_FAILURE, 0);
	assert_true(e1 >= 0 && e2 >= 0);
	assert_true(w.ev[e1].fast && w.ev[e2].fast);
	fx_assert_contains(w.ev[e1].text, "port unreachable, no answer to 3 "
	    "probes in 20 ms");
	c1 = find_ev(mark, 1, CMM_EV_COMMIT, -1);
	c2 = find_ev(mark, 2, CMM_EV_COMMIT, -1);
	assert_true(c1 >= 0 && c2 >= 0);
	/* a heartbeat (50) + a hop + the window (20) + the round's hops */
	assert_true(w.ev[c1].at - t0 <= 50 + 1 + 1 + 20 + 10);
	assert_true(w.ev[c2].at - t0 <= 50 + 1 + 1 + 20 + 10);
	assert_int_equal(status(1).epoch, 2);
	{
		struct cmm_core_status st = status(1);

		fx_assert_set(&st.members, "1-2");
	}
	/* the one failure of node 0 each: no second one at the timeout */
	assert_int_equal(count_ev(mark, -1, CMM_EV_FAILURE, 0), 2);
}

/* The node that saw the unreachable tells the other, which probes for
 * itself at once: both confirm within a hop of each other, although the
 * other's own next heartbeat to the dead node is a heartbeat away. */
static void
test_spread(void **state)
{
	int mark, s1, s2;

	(void)state;
	formed(3);
	w.late[1] = true;
	mark = crash_node0(200);
	s1 = find_ev(mark, 1, CMM_EV_SUSPECT, 0);
	s2 = find_ev(mark, 2, CMM_EV_SUSPECT, 0);
	assert_true(s1 >= 0 && s2 >= 0);
	assert_int_equal(w.ev[s2].reporter, -1);
	assert_int_equal(w.ev[s1].reporter, 2);
	fx_assert_contains(w.ev[s1].text, "node 2 reports it unreachable");
	/* the news leaves in the next millisecond, and takes a hop */
	assert_true(w.ev[s1].at - w.ev[s2].at <= 2);
	assert_true(fast_fail_gap(mark, 2, 1) <= 2);

	/* without the news, node 1 would have waited for its own next
	 * heartbeat to bounce: it does suspect only with it */
	w.late[1] = false;
}

/* Two peers crash together and one heartbeat of node 3 bounces off both:
 * the news leaves at its next tick as one heartbeat naming both, not one
 * per suspect (k crashes made every survivor send k broadcasts). */
static void
test_news_one_datagram(void **state)
{
	struct cmm_core_status st;
	int news = 0, roll = 0, first = -1;

	(void)state;
	formed(4);
	w.qlen = 0;	/* count only what follows (the cluster is idle) */
	w.crashed[0] = w.crashed[1] = true;
	cmm_core_on_unreachable(w.core[3], w.now, 0);
	cmm_core_on_unreachable(w.core[3], w.now, 1);
	/* nothing yet: the news waits for the tick, the next millisecond */
	assert_int_equal(w.qlen, 0);
	assert_true(cmm_core_next_deadline(w.core[3]) == w.now + 1);
	w.now++;
	cmm_core_on_tick(w.core[3], w.now);
	/* (node 3 coordinates next, so it also calls the roll: a probe to
	 * node 2 naming node 2 alone, which is not news) */
	for (int i = 0; i < w.qlen; i++)
		if (w.q[i].from == 3 && w.q[i].to == 2 &&
		    (w.q[i].m.ext & CMM_EXT_SUSPECT)) {
			if (cmm_set_count(&w.q[i].m.suspect) == 1 &&
			    cmm_set_has(&w.q[i].m.suspect, 2)) {
				roll++;
				continue;
			}
			news++;
			first = i;
		}
	assert_int_equal(news, 1);
	assert_int_equal(roll, 1);
	fx_assert_set(&w.q[first].m.suspect, "0-1");
	/* and it is each suspect's first probe */
	for (int d = 0; d < 2; d++) {
		int probes = 0;

		for (int i = 0; i < w.qlen; i++)
			if (w.q[i].from == 3 && w.q[i].to == d &&
			    cmm_set_has(&w.q[i].m.suspect, d))
				probes++;
		assert_int_equal(probes, 1);
	}
	/* node 2 takes both suspicions from it, and all three survivors
	 * fail both by their probes */
	run_until(w.now + 200);
	assert_true(find_ev(0, 2, CMM_EV_SUSPECT, 0) >= 0);
	assert_true(find_ev(0, 2, CMM_EV_SUSPECT, 1) >= 0);
	st = status(2);
	assert_int_equal(st.epoch, 2);
	fx_assert_set(&st.members, "2-3");
}

/* The news reaches the coordinator (2) late, so its window opens late;
 * the reporter (1) decides first and sends its row at once: the row that
 * drops the dead node, with the coordinator's own probes bounced, is
 * proof enough there, and the coordinator fails it a hop later instead of
 * at the end of its own window. */
static void
test_row_confirms(void **state)
{
	int mark, s1, s2;

	(void)state;
	formed(3);
	w.late[2] = true;
	w.news_ms = 8;
	mark = crash_node0(200);
	s1 = find_ev(mark, 1, CMM_EV_SUSPECT, 0);
	s2 = find_ev(mark, 2, CMM_EV_SUSPECT, 0);
	assert_true(s1 >= 0 && s2 >= 0);
	assert_int_equal(w.ev[s1].reporter, -1);
	assert_true(w.ev[s2].at - w.ev[s1].at >= 8);
	/* a hop after the reporter, not the 8 ms its window opened later */
	assert_true(fast_fail_gap(mark, 1, 2) <= 2);
	assert_true(find_ev(mark, 2, CMM_EV_COMMIT, -1) >= 0);
	w.late[2] = false;
	w.news_ms = 0;
}

/* The coordinator (3) gets no unreachable back, as when the dead node's
 * host has spent its ICMP rate limit on the other survivors: one row
 * dropping the node is not enough without its own bounce, but the rows
 * of most other members are, and it fails the node within a hop of the
 * second of them, not at the failure timeout. */
static void
test_rows_confirm_without_bounce(void **state)
{
	int mark;

	(void)state;
	formed(4);
	w.muted[3] = true;
	mark = crash_node0(300);
	assert_true(fast_fail_gap(mark, 1, 3) <= 3);
	assert_true(find_ev(mark, 3, CMM_EV_COMMIT, -1) >= 0);
	w.muted[3] = false;
}

/* Unreachables that come back slower than the window (30 ms against 20):
 * the first makes the node suspect, the next ones come after the window,
 * and a bounce then still decides, well before the timeout. */
static void
test_late_bounce(void **state)
{
	int mark, f;
	int64_t t0;

	(void)state;
	formed(3);
	w.icmp_ms = 30;
	mark = w.nev;
	t0 = w.now;
	w.crashed[0] = true;
	run_until(t0 + 3000);
	f = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	assert_true(f >= 0 && w.ev[f].fast);
	/* a heartbeat, the bounce (30), the window (20) and the probes'
	 * bounce after it (30 after the last probe) */
	assert_true(w.ev[f].at - t0 <= 50 + 30 + 20 + 30 + 5);
	assert_int_equal(count_ev(mark, 1, CMM_EV_FAILURE, 0), 1);
}

/* A datagram the dead node sent before it crashed, still on its way when
 * the suspicion begins, is no answer: it does not clear the suspicion. */
static void
test_stale_datagram_no_answer(void **state)
{
	struct cmm_msg stale;
	struct cmm_peer_info pi;
	int mark, f;

	(void)state;
	formed(3);
	stale = w.last01;
	assert_int_equal(stale.sender, 0);
	mark = w.nev;
	w.crashed[0] = true;
	while (find_ev(mark, 1, CMM_EV_SUSPECT, 0) < 0 && w.now < 3000)
		run_until(w.now + 1);
	run_until(w.now + 2);
	cmm_core_on_packet(w.core[1], w.now, &stale);
	cmm_core_peer(w.core[1], 0, &pi);
	assert_true(pi.suspect);
	run_until(w.now + 100);
	f = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	assert_true(f >= 0 && w.ev[f].fast);
}

/* A forged unreachable for a live peer: one burst of probes, which the
 * peer answers; no failure, no new epoch, the suspicion gone. */
static void
test_forged_live_peer(void **state)
{
	struct cmm_peer_info pi;
	int mark;

	(void)state;
	formed(3);
	mark = w.nev;
	cmm_core_on_unreachable(w.core[1], w.now, 0);
	cmm_core_peer(w.core[1], 0, &pi);
	assert_true(pi.suspect);
	assert_int_equal(count_ev(mark, 1, CMM_EV_SUSPECT, 0), 1);
	run_until(w.now + 3);
	cmm_core_peer(w.core[1], 0, &pi);
	assert_false(pi.suspect);
	assert_true(pi.alive);
	run_until(w.now + 3000);
	assert_int_equal(count_ev(mark, -1, CMM_EV_FAILURE, -1), 0);
	assert_int_equal(count_ev(mark, -1, CMM_EV_COMMIT, -1), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(status(i).epoch, 1);
}

/* A flood of forged unreachables, one a millisecond for two seconds:
 * the live peer answers every burst, and the bursts are at most one a
 * heartbeat per node. */
static void
test_forged_flood(void **state)
{
	int mark;

	(void)state;
	formed(3);
	mark = w.nev;
	for (int t = 0; t < 2000; t++) {
		cmm_core_on_unreachable(w.core[1], w.now, 0);
		cmm_core_on_unreachable(w.core[2], w.now, 0);
		run_until(w.now + 1);
	}
	assert_int_equal(count_ev(mark, -1, CMM_EV_FAILURE, -1), 0);
	assert_int_equal(count_ev(mark, -1, CMM_EV_COMMIT, -1), 0);
	/* node 1 suspects on its own and when node 2 tells it: at most one
	 * burst per heartbeat each way */
	assert_true(count_ev(mark, 1, CMM_EV_SUSPECT, 0) <= 2000 / 50 + 1);
	assert_true(count_ev(mark, 1, CMM_EV_SUSPECT, 0) >= 2000 / 60);
}

/* A stalled peer (no unreachable) and a forged unreachable for it: no
 * answer, but no bounce either, so the timeout decides, not the probes. */
static void
test_stalled_needs_timeout(void **state)
{
	int mark, f;
	int64_t t0;
	struct cmm_peer_info pi;

	(void)state;
	formed(3);
	mark = w.nev;
	t0 = w.now;
	w.stalled[0] = true;
	run_until(t0 + 10);
	cmm_core_on_unreachable(w.core[1], w.now, 0);
	/* the window and a heartbeat and a half for a bounce */
	run_until(t0 + 10 + 20 + 75 + 1);
	cmm_core_peer(w.core[1], 0, &pi);
	assert_false(pi.suspect);
	assert_true(pi.alive);
	assert_int_equal(count_ev(mark, -1, CMM_EV_FAILURE, -1), 0);
	run_until(t0 + 3000);
	f = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	assert_true(f >= 0);
	assert_false(w.ev[f].fast);
	assert_true(w.ev[f].at - t0 >= w.cfg.failure_timeout_ms - 50);
	fx_assert_contains(w.ev[f].text, "silent for");
}

/* Runs until some node suspects `peer`; the time it did. */
static int64_t
until_suspect(int mark, int peer)
{
	int64_t limit = w.now + 200;

	while (find_ev(mark, -1, CMM_EV_SUSPECT, peer) < 0) {
		assert_true(w.now < limit);
		run_until(w.now + 1);
	}
	return w.ev[find_ev(mark, -1, CMM_EV_SUSPECT, peer)].at;
}

/* Four nodes formed; node 0's process dies and node 1 goes silent (dead
 * with its port still open, or stalled); runs 30 ms past the first
 * suspicion of node 0, which is decided by then.  Its time, and the
 * event index from which to look. */
static int64_t
crash_and_silence(int *mark)
{
	int64_t at;

	formed(4);
	*mark = w.nev;
	w.crashed[0] = true;
	w.stalled[1] = true;
	at = until_suspect(*mark, 0);
	run_until(at + 30);
	assert_true(find_ev(*mark, 3, CMM_EV_FAILURE, 0) >= 0);
	/* the round waits for node 1 */
	assert_int_equal(status(3).epoch, 1);
	return at;
}

/* Two processes die together, but node 1 is slow about it: its port
 * stays open 30 ms after node 0's first bounce, so datagrams to it
 * neither bounce nor are answered, and node 0's suspicion is decided
 * meanwhile.  The coordinator (3) called the roll when the burst began
 * and holds the round for node 1; its next probe bounces once the port
 * closes, and both leave in one epoch. */
static void
test_roll_call_straggler(void **state)
{
	struct cmm_core_status st;
	int mark, f;
	int64_t at;

	(void)state;
	at = crash_and_silence(&mark);
	w.stalled[1] = false;
	w.crashed[1] = true;	/* the port closes */
	run_until(at + 300);
	f = find_ev(mark, 3, CMM_EV_FAILURE, 1);
	assert_true(f >= 0);
	assert_true(w.ev[f].fast);
	st = status(3);
	assert_int_equal(st.epoch, 2);
	fx_assert_set(&st.members, "2-3");
	assert_false(w.has_epoch[3]);
}

/* A member that neither answers the roll call nor bounces (a stalled
 * process, a lost host) holds the round only until the roll call ends,
 * the window and half a heartbeat after it began: then the crash is
 * committed without it, and the timeout decides it later. */
static void
test_roll_call_bounded(void **state)
{
	struct cmm_core_status st;
	int mark, f;
	int64_t at;

	(void)state;
	at = crash_and_silence(&mark);
	/* the news reached node 3 a hop or two after `at`, and its roll
	 * call begins a millisecond later and lasts 20 + 50 / 2 ms */
	run_until(at + 2 + 1 + 20 + 25 + 4);
	st = status(3);
	assert_int_equal(st.epoch, 2);
	fx_assert_set(&st.members, "1-3");
	f = find_ev(mark, 3, CMM_EV_FAILURE, 1);
	assert_true(f < 0);
	run_until(at + 3000);
	f = find_ev(mark, 3, CMM_EV_FAILURE, 1);
	assert_true(f >= 0);
	assert_false(w.ev[f].fast);
	assert_int_equal(status(3).epoch, 3);
}

/* fast_fail = no: a crash waits for the failure timeout. */
static void
test_fast_fail_off(void **state)
{
	int mark, f;
	int64_t t0;

	(void)state;
	world(3);
	w.cfg.fast_fail = CMM_FAST_FAIL_NO;
	start_all();
	run_until(2000);
	mark = w.nev;
	t0 = w.now;
	w.crashed[0] = true;
	run_until(t0 + 3000);
	assert_int_equal(count_ev(mark, -1, CMM_EV_SUSPECT, -1), 0);
	f = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	assert_true(f >= 0);
	assert_false(w.ev[f].fast);
	assert_true(w.ev[f].at - t0 >= w.cfg.failure_timeout_ms - 50);
}

/* A peer that speaks protocol 4 would not answer a probe: an unreachable
 * for it is left to the timeout, so a live old peer is never excluded. */
static void
test_old_peer_ignored(void **state)
{
	int mark, f;
	int64_t t0;

	(void)state;
	world(3);
	w.vmax[0] = CMM_TLV_SUSPECT_SINCE - 1;
	start_all();
	run_until(2000);
	mark = w.nev;
	t0 = w.now;
	cmm_core_on_unreachable(w.core[1], w.now, 0);
	assert_int_equal(count_ev(mark, -1, CMM_EV_SUSPECT, -1), 0);
	w.crashed[0] = true;
	run_until(t0 + 3000);
	assert_int_equal(count_ev(mark, -1, CMM_EV_SUSPECT, 0), 0);
	f = find_ev(mark, 1, CMM_EV_FAILURE, 0);
	assert_true(f >= 0 && !w.ev[f].fast);
}

/* The crashed process comes back (a new incarnation) inside the window:
 * its answer clears the suspicion, nobody fails it. */
static void
test_restart_inside_window(void **state)
{
	int mark;

	(void)state;
	formed(3);
	mark = w.nev;
	w.crashed[0] = true;
	/* until the first bounce has come */
	while (find_ev(mark, -1, CMM_EV_SUSPECT, 0) < 0 && w.now < 3000)
		run_until(w.now + 1);
	assert_true(find_ev(mark, -1, CMM_EV_SUSPECT, 0) >= 0);
	w.crashed[0] = false;	/* the same core answers again */
	run_until(w.now + 3000);
	assert_int_equal(count_ev(mark, -1, CMM_EV_FAILURE, 0), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(status(i).epoch, 1);
}

/* The extension: round trip, skipped by a protocol-4 receiver, refused
 * when malformed. */
static void
test_wire_suspect(void **state)
{
	struct cmm_msg m, d;
	uint8_t buf[CMM_WIRE_MAX];
	int n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.vmin = CMM_PROTO_MIN;
	m.vmax = CMM_PROTO_MAX;
	m.sender = 1;
	m.dest = 2;
	m.ext = CMM_EXT_SUSPECT;
	cmm_set_add(&m.suspect, 3);
	cmm_set_add(&m.suspect, 700);
	n = cmm_wire_encode(&m, 77, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(cmm_wire_decode(buf, (size_t)n + CMM_WIRE_MAC_LEN, 77,
	    &d), CMM_DROP_NONE);
	assert_true(cmm_msg_equal(&m, &d));
	fx_assert_set(&d.suspect, "3,700");
	/* a receiver of version 4 skips it whole */
	assert_int_equal(cmm_wire_decode_prefix(buf, (size_t)n +
	    CMM_WIRE_MAC_LEN, 77, &d), CMM_DROP_NONE);
	assert_int_equal(cmm_wire_decode_body(buf, (size_t)n +
	    CMM_WIRE_MAC_LEN, CMM_TLV_SUSPECT_SINCE - 1, &d), CMM_DROP_NONE);
	assert_int_equal(d.ext, 0);
	/* the last byte of the bitmap is never zero: make it so */
	cmm_set_clear(&m.suspect);
	cmm_set_add(&m.suspect, 0);
	n = cmm_wire_encode(&m, 77, buf, sizeof(buf));
	assert_true(n > 0);
	/* the TLV is the tail: tag, u16 length 1, 0x01; made length 2,
	 * 0x01 0x00 */
	assert_int_equal(buf[n - 4], CMM_TLV_SUSPECT);
	assert_int_equal(buf[n - 3], 0);
	assert_int_equal(buf[n - 1], 0x01);
	buf[n - 2] = 2;
	buf[n] = 0;
	assert_int_equal(cmm_wire_decode(buf, (size_t)n + 1 + CMM_WIRE_MAC_LEN,
	    77, &d), CMM_DROP_MALFORMED);
	/* which versions may carry it */
	assert_int_equal(cmm_wire_exts_allowed(CMM_TLV_SUSPECT_SINCE - 1) &
	    CMM_EXT_SUSPECT, 0);
	assert_int_equal(cmm_wire_exts_allowed(CMM_TLV_SUSPECT_SINCE) &
	    CMM_EXT_SUSPECT, CMM_EXT_SUSPECT);
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		cmm_core_free(w.core[i]);
		w.core[i] = NULL;
	}
	free(w.q);
	w.q = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crash_confirmed_fast, teardown),
		cmocka_unit_test_teardown(test_spread, teardown),
		cmocka_unit_test_teardown(test_news_one_datagram, teardown),
		cmocka_unit_test_teardown(test_row_confirms, teardown),
		cmocka_unit_test_teardown(test_rows_confirm_without_bounce, teardown),
		cmocka_unit_test_teardown(test_late_bounce, teardown),
		cmocka_unit_test_teardown(test_stale_datagram_no_answer, teardown),
		cmocka_unit_test_teardown(test_forged_live_peer, teardown),
		cmocka_unit_test_teardown(test_forged_flood, teardown),
		cmocka_unit_test_teardown(test_stalled_needs_timeout, teardown),
		cmocka_unit_test_teardown(test_roll_call_straggler, teardown),
		cmocka_unit_test_teardown(test_roll_call_bounded, teardown),
		cmocka_unit_test_teardown(test_fast_fail_off, teardown),
		cmocka_unit_test_teardown(test_old_peer_ignored, teardown),
		cmocka_unit_test_teardown(test_restart_inside_window, teardown),
		cmocka_unit_test(test_wire_suspect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
