/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for quorum/vote.c: the quorum system Q(P) of round v2
 * (docs/PROTOCOL.md, "4. Quorums"): which sets of acceptors are a
 * quorum of P, formation over the configured nodes, the decision after
 * phase 1 and its one-line explanation, and the planted bugs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "quorum/vote.h"
#include "tests/unit/fixture.h"

/* Q(P) with priority = id unless prio is given. */
static bool
q(const char *P, const char *a, bool device, const int *prio, unsigned bugs)
{
	struct cmm_set p = fx_set(P), s = fx_set(a);

	return cmm_quorum_is(&p, &s, device, prio, bugs);
}

static bool
qf(const char *configured, const char *a, unsigned bugs)
{
	struct cmm_set c = fx_set(configured), s = fx_set(a);

	return cmm_quorum_formation(&c, &s, bugs);
}

static void
prio_ids(int *prio)
{
	for (int i = 0; i < CMM_MAX_NODES; i++)
		prio[i] = i;
}

/* One decision's inputs, filled from short set strings like "0-3,5". */
struct vt {
	struct cmm_set		prev, promised, configured;
	struct cmm_set		devices[4];
	int			prio[CMM_MAX_NODES];
	struct cmm_qinput	in;
	struct cmm_qdecision	d;
	char			why[160];
};

/* A fresh input: configured 0-5, priority = id, no devices, default
 * policies.  prev "-" is formation. */
static void
vt_init(struct vt *t, int self, const char *prev, const char *promised)
{
	memset(t, 0, sizeof(*t));
	t->prev = fx_set(prev);
	t->promised = fx_set(promised);
	t->configured = fx_set("0-5");
	prio_ids(t->prio);
	t->in.self = self;
	t->in.prev = &t->prev;
	t->in.promised = &t->promised;
	t->in.configured = &t->configured;
	t->in.priority = t->prio;
	t->in.devices = t->devices;
	t->in.n_devices = 0;
	t->in.initial = CMM_INITIAL_MAJORITY;
	t->in.winner = CMM_WINNER_ASK;
}

static void
vt_decide(struct vt *t)
{
	const unsigned char *pad = (const unsigned char *)&t->d;

	memset(&t->d, 0x55, sizeof(t->d));	/* every field must be written */
	cmm_quorum_decide(&t->in, &t->d);
	/* and the padding zeroed: a decision is part of the core's state,
	 * whose bytes the explorer hashes (else one state has many hashes) */
	for (size_t i = offsetof(struct cmm_qdecision, crown_prince_present) +
	    sizeof(t->d.crown_prince_present);
	    i < offsetof(struct cmm_qdecision, device); i++)
		assert_int_equal(pad[i], 0);
	cmm_quorum_explain(&t->d, t->why, sizeof(t->why));
}

static void
test_crown_prince(void **state)
{
	struct cmm_set s = fx_set("0-5");
	int prio[CMM_MAX_NODES];

	(void)state;
	prio_ids(prio);
	assert_int_equal(cmm_crown_prince(&s, prio), 5);
	assert_int_equal(cmm_crown_prince(&s, NULL), 5);
	prio[2] = 100;
	assert_int_equal(cmm_crown_prince(&s, prio), 2);
	/* equal priorities: the higher id */
	prio[1] = 100;
	prio[4] = 100;
	assert_int_equal(cmm_crown_prince(&s, prio), 4);
	/* only members count */
	s = fx_set("0-3");
	assert_int_equal(cmm_crown_prince(&s, prio), 2);
	s = fx_set("-");
	assert_int_equal(cmm_crown_prince(&s, prio), -1);
	assert_int_equal(cmm_crown_prince(NULL, prio), -1);
	s = fx_set("1000");
	assert_int_equal(cmm_crown_prince(&s, prio), 1000);
}

/* |P| = 1: that node, and nothing else. */
static void
test_quorum_one(void **state)
{
	(void)state;
	assert_true(q("4", "4", false, NULL, 0));
	assert_true(q("4", "3-5", false, NULL, 0));
	assert_false(q("4", "-", false, NULL, 0));
	assert_false(q("4", "3,5", false, NULL, 0));
	/* a device is no acceptor of a one-node P */
	assert_false(q("4", "-", true, NULL, 0));
	assert_false(q("4", "5", true, NULL, 0));
	/* the empty P has no quorum at all */
	assert_false(q("-", "-", false, NULL, 0));
	assert_false(q("-", "0-9", true, NULL, 0));
}

/* |P| = 2: both, or one of them with the shared device; the crown prince
 * alone is never a quorum of two. */
static void
test_quorum_two(void **state)
{
	int prio[CMM_MAX_NODES];

	(void)state;
	assert_true(q("0-1", "0-1", false, NULL, 0));
	assert_true(q("0-1", "0-1", true, NULL, 0));
	assert_false(q("0-1", "1", false, NULL, 0));	/* the crown prince */
	assert_false(q("0-1", "0", false, NULL, 0));
	assert_false(q("0-1", "-", false, NULL, 0));
	/* with the device: any two of {0, 1, D} */
	assert_true(q("0-1", "1", true, NULL, 0));
	assert_true(q("0-1", "0", true, NULL, 0));
	assert_false(q("0-1", "-", true, NULL, 0));
	/* nodes outside P are not acceptors, not even with the device */
	assert_false(q("0-1", "1-5", false, NULL, 0));
	assert_false(q("0-1", "2-5", true, NULL, 0));
	assert_true(q("0-1", "1-5", true, NULL, 0));
	/* whatever the priorities */
	prio_ids(prio);
	prio[0] = 99;
	assert_false(q("0-1", "0", false, prio, 0));
	assert_false(q("0-1", "1", false, prio, 0));
	assert_true(q("0-1", "0", true, prio, 0));
}

static void
test_quorum_three_four(void **state)
{
	(void)state;
	/* |P| = 3: any two */
	assert_true(q("0-2", "0-2", false, NULL, 0));
	assert_true(q("0-2", "0-1", false, NULL, 0));
	assert_true(q("0-2", "0,2", false, NULL, 0));
	assert_true(q("0-2", "1-2", false, NULL, 0));
	assert_false(q("0-2", "2", false, NULL, 0));	/* the crown prince */
	assert_false(q("0-2", "0", false, NULL, 0));
	/* the device only counts for two */
	assert_false(q("0-2", "2", true, NULL, 0));
	assert_false(q("0-2", "2-9", false, NULL, 0));
	/* |P| = 4: three, or two holding the crown prince 3 */
	assert_true(q("0-3", "0-2", false, NULL, 0));
	assert_true(q("0-3", "0-3", false, NULL, 0));
	assert_true(q("0-3", "2-3", false, NULL, 0));
	assert_true(q("0-3", "0,3", false, NULL, 0));
	assert_true(q("0-3", "1,3", false, NULL, 0));
	assert_false(q("0-3", "0-1", false, NULL, 0));
	assert_false(q("0-3", "1-2", false, NULL, 0));
	assert_false(q("0-3", "0,2", false, NULL, 0));
	assert_false(q("0-3", "3", false, NULL, 0));
	assert_true(q("0-3", "0-2", true, NULL, 0));
	/* half of P with outsiders added is still half */
	assert_false(q("0-3", "0-1,4-9", false, NULL, 0));
}

static void
test_quorum_five_six(void **state)
{
	(void)state;
	/* |P| = 5: three; no tie exists */
	assert_true(q("0-4", "0-2", false, NULL, 0));
	assert_true(q("0-4", "2-4", false, NULL, 0));
	assert_false(q("0-4", "3-4", false, NULL, 0));
	assert_false(q("0-4", "0-1", false, NULL, 0));
	/* |P| = 6: four, or three holding the crown prince 5 */
	assert_true(q("0-5", "0-3", false, NULL, 0));
	assert_true(q("0-5", "3-5", false, NULL, 0));
	assert_true(q("0-5", "0-1,5", false, NULL, 0));
	assert_false(q("0-5", "0-2", false, NULL, 0));
	assert_false(q("0-5", "4-5", false, NULL, 0));
	/* P need not be 0..n-1 */
	assert_true(q("10,20,30,40", "30,40", false, NULL, 0));
	assert_false(q("10,20,30,40", "10,20", false, NULL, 0));
}

/* Priorities choose the crown prince; ties go to the higher id. */
static void
test_quorum_priorities(void **state)
{
	int prio[CMM_MAX_NODES];

	(void)state;
	prio_ids(prio);
	prio[1] = 50;		/* 1 is now the crown prince of 0-5 */
	assert_true(q("0-5", "0-2", false, prio, 0));
	assert_false(q("0-5", "3-5", false, prio, 0));
	/* a tie in priority: the higher id of the tied wins */
	prio[4] = 50;
	assert_false(q("0-5", "0-2", false, prio, 0));
	assert_true(q("0-5", "3-5", false, prio, 0));
	assert_true(q("0-5", "0,2,4", false, prio, 0));
	/* all equal: the highest id */
	for (int i = 0; i < 6; i++)
		prio[i] = 7;
	assert_true(q("0-3", "0,3", false, prio, 0));
	assert_true(q("0-3", "0-2", false, prio, 0));
	assert_false(q("0-3", "1-2", false, prio, 0));
	/* a NULL table is priority = id */
	assert_true(q("0-3", "2-3", false, NULL, 0));
}

static void
test_formation(void **state)
{
	(void)state;
	assert_true(qf("0-5", "0-3", 0));
	assert_false(qf("0-5", "0-2", 0));	/* half is no majority */
	assert_false(qf("0-5", "3-5", 0));	/* no crown prince here */
	assert_true(qf("0-4", "0-2", 0));
	assert_false(qf("0-4", "3-4", 0));
	assert_true(qf("0", "0", 0));
	assert_false(qf("0-1", "1", 0));
	assert_true(qf("0-1", "0-1", 0));
	/* nodes that are not configured do not count */
	assert_false(qf("0-5", "0-2,6-9", 0));
	assert_false(qf("-", "-", 0));
	/* the planted bug: an integer half is enough */
	assert_true(qf("0-5", "0-2", CMM_BUG_HALF));
	assert_true(qf("0-1", "1", CMM_BUG_HALF));
	assert_true(qf("0-4", "3-4", CMM_BUG_HALF));	/* 2 of 5 */
	assert_false(qf("0-5", "0-1", CMM_BUG_HALF));
	assert_false(qf("0-6", "0-1", CMM_BUG_HALF));
	assert_false(qf("-", "-", CMM_BUG_HALF));
}

/* The elements of P (plus the device D, as element np, when it counts)
 * picked by mask. */
static void
subset(const int *ids, int np, unsigned mask, struct cmm_set *s, bool *dev)
{
	cmm_set_clear(s);
	for (int i = 0; i < np; i++)
		if (mask & (1u << i))
			cmm_set_add(s, ids[i]);
	*dev = (mask >> np) & 1;
}

/* Pairs of quorums of Q(P) that do not intersect, over every P of size
 * 1..7 (odd ids and a priority that moves the crown prince included), and
 * over the two-node P with its device as a third acceptor. */
static int
count_disjoint_quorums(unsigned bugs)
{
	static const int ids[] = { 2, 5, 7, 11, 12, 20, 31 };
	int prio[CMM_MAX_NODES], bad = 0;

	prio_ids(prio);
	prio[5] = 100;
	for (int np = 1; np <= 7; np++) {
		struct cmm_set P, a, b;
		int with_dev = np == 2;
		unsigned all = 1u << (np + with_dev);
		bool da, db;

		subset(ids, np, (1u << np) - 1, &P, &da);
		for (unsigned x = 0; x < all; x++) {
			subset(ids, np, x, &a, &da);
			if (!cmm_quorum_is(&P, &a, da, prio, bugs))
				continue;
			for (unsigned y = 0; y < all; y++) {
				subset(ids, np, y, &b, &db);
				if ((x & y) == 0 &&
				    cmm_quorum_is(&P, &b, db, prio, bugs))
					bad++;
			}
		}
	}
	return bad;
}

/* Any two quorums of Q(P) intersect (docs/PROTOCOL.md, "4. Quorums"), so at most one value is
 * chosen per epoch; each planted quorum bug breaks it. */
static void
test_quorums_intersect(void **state)
{
	(void)state;
	assert_int_equal(count_disjoint_quorums(0), 0);
	assert_true(count_disjoint_quorums(CMM_BUG_HALF) > 0);
	assert_true(count_disjoint_quorums(CMM_BUG_CROWN_PRINCE) > 0);
}

/* Formation majorities intersect too. */
static void
test_formation_intersect(void **state)
{
	(void)state;
	for (int n = 1; n <= 8; n++) {
		int bad = 0, bad_bug = 0;

		for (unsigned x = 0; x < 1u << n; x++)
			for (unsigned y = 0; y < 1u << n; y++) {
				struct cmm_set c, a, b;
				bool d;

				if (x & y)
					continue;
				subset((const int[]){ 0, 1, 2, 3, 4, 5, 6, 7 },
				    n, (1u << n) - 1, &c, &d);
				subset((const int[]){ 0, 1, 2, 3, 4, 5, 6, 7 },
				    n, x, &a, &d);
				subset((const int[]){ 0, 1, 2, 3, 4, 5, 6, 7 },
				    n, y, &b, &d);
				bad += cmm_quorum_formation(&c, &a, 0) &&
				    cmm_quorum_formation(&c, &b, 0);
				bad_bug += cmm_quorum_formation(&c, &a,
				    CMM_BUG_HALF) && cmm_quorum_formation(&c, &b,
				    CMM_BUG_HALF);
			}
		assert_int_equal(bad, 0);
		assert_true(bad_bug > 0);
	}
}

/* The planted bugs change exactly the answers they are for. */
static void
test_bug_flags(void **state)
{
	(void)state;
	/* CMM_BUG_HALF: an integer half is a quorum: a half without the
	 * crown prince, two of five, one of three */
	assert_false(q("0-3", "0-1", false, NULL, 0));
	assert_true(q("0-3", "0-1", false, NULL, CMM_BUG_HALF));
	assert_false(q("0-5", "0-2", false, NULL, 0));
	assert_true(q("0-5", "0-2", false, NULL, CMM_BUG_HALF));
	assert_false(q("0-4", "0-1", false, NULL, 0));
	assert_true(q("0-4", "0-1", false, NULL, CMM_BUG_HALF));
	assert_false(q("0-2", "0", false, NULL, 0));
	assert_true(q("0-2", "0", false, NULL, CMM_BUG_HALF));
	/* ... but not less, and not for two nodes or one */
	assert_false(q("0-5", "0-1", false, NULL, CMM_BUG_HALF));
	assert_false(q("0-4", "0", false, NULL, CMM_BUG_HALF));
	assert_false(q("0-1", "0", false, NULL, CMM_BUG_HALF));
	assert_false(q("0", "-", false, NULL, CMM_BUG_HALF));
	/* CMM_BUG_CROWN_PRINCE: the crown prince alone is a quorum of two */
	assert_true(q("0-1", "1", false, NULL, CMM_BUG_CROWN_PRINCE));
	assert_false(q("0-1", "0", false, NULL, CMM_BUG_CROWN_PRINCE));
	/* ... and any tie wins, with or without the crown prince */
	assert_true(q("0-3", "0-1", false, NULL, CMM_BUG_CROWN_PRINCE));
	assert_true(q("0-5", "0-2", false, NULL, CMM_BUG_CROWN_PRINCE));
	assert_false(q("0-5", "0-1", false, NULL, CMM_BUG_CROWN_PRINCE));
	assert_false(q("0-2", "0", false, NULL, CMM_BUG_CROWN_PRINCE));

	/* and through cmm_quorum_decide */
	{
		struct vt t;

		vt_init(&t, 0, "0-3", "0-1");
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_LOSE);
		t.in.bugs = CMM_BUG_HALF;
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_WIN);
		t.in.bugs = CMM_BUG_CROWN_PRINCE;
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_WIN);
		/* two nodes, no device: the crown prince takes it alone */
		vt_init(&t, 1, "0-1", "1");
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_ASK_WINNER);
		t.in.bugs = CMM_BUG_CROWN_PRINCE;
		vt_decide(&t);
		assert_int_equal(t.d.method, CMM_QM_VOTE);
		assert_int_equal(t.d.verdict, CMM_QV_WIN);
		/* formation: a half of the configured */
		vt_init(&t, 0, "-", "0-2");
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_WAIT);
		t.in.bugs = CMM_BUG_HALF;
		vt_decide(&t);
		assert_int_equal(t.d.verdict, CMM_QV_WIN);
	}
}

/* ---- cmm_quorum_decide ---- */

static void
test_decide_win(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-3");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.prev_size, 6);
	assert_int_equal(t.d.crown_prince, 5);
	assert_false(t.d.crown_prince_present);
	assert_int_equal(t.d.device, -1);
	assert_int_equal(t.d.choice[0], -1);
	assert_int_equal(t.d.choice[1], -1);
	assert_int_equal(t.d.winner, -1);
	assert_string_equal(t.why, "vote: 4 of previous 6 > half: quorum");

	vt_init(&t, 3, "0-5", "3-5");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 3);
	assert_true(t.d.crown_prince_present);
	assert_string_equal(t.why,
	    "vote: 3 of previous 6 = half, crown prince 5 present: quorum");

	/* promises from outside P (a joiner's presence) are no votes */
	vt_init(&t, 0, "0-2", "0,3-5");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 1);
	assert_int_equal(t.d.prev_size, 3);
	assert_string_equal(t.why, "vote: 1 of previous 3 < half: no quorum");

	/* both of a two-node P: a plain vote, the device not needed */
	vt_init(&t, 0, "0-1", "0-1");
	t.devices[0] = fx_set("0-1");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 2);
	assert_int_equal(t.d.device, -1);
	assert_string_equal(t.why, "vote: 2 of previous 2: quorum");

	/* one node of a one-node P */
	vt_init(&t, 4, "4", "4");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.crown_prince, 4);
	assert_true(t.d.crown_prince_present);
	assert_string_equal(t.why, "vote: 1 of previous 1: quorum");
}

static void
test_decide_lose(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-2");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 3);
	assert_false(t.d.crown_prince_present);
	assert_string_equal(t.why,
	    "vote: 3 of previous 6 = half, crown prince 5 absent: no quorum");
	/* the crown prince does not rescue a minority */
	vt_init(&t, 4, "0-5", "4-5");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_true(t.d.crown_prince_present);
	assert_string_equal(t.why, "vote: 2 of previous 6 < half: no quorum");
	vt_init(&t, 3, "0-4", "3-4");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_string_equal(t.why, "vote: 2 of previous 5 < half: no quorum");
	/* a one-node P whose node is gone */
	vt_init(&t, 1, "0", "1");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 0);
	assert_string_equal(t.why, "vote: 0 of previous 1: no quorum");
	/* a two-node P neither of whose nodes is here */
	vt_init(&t, 2, "0-1", "2-3");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 0);
	assert_string_equal(t.why, "vote: 0 of previous 2: no quorum");
	/* a node outside a two-node P gets no race and no prompt */
	vt_init(&t, 2, "0-1", "1-2");
	t.devices[0] = fx_set("0-2");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.device, -1);
	assert_int_equal(t.d.votes, 1);
	/* nor does a member of P that did not promise itself */
	vt_init(&t, 0, "0-1", "1");
	t.devices[0] = fx_set("0-1");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.device, -1);
}

/* Two nodes, the other silent, a shared device: race for it. */
static void
test_decide_race(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-1", "0");
	t.devices[0] = fx_set("2-3");
	t.devices[1] = fx_set("0,3");
	t.devices[2] = fx_set("0-1");
	t.devices[3] = fx_set("0-1,4");
	t.in.n_devices = 4;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_RACE);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
	assert_int_equal(t.d.device, 2);	/* the first one both share */
	assert_int_equal(t.d.votes, 1);
	assert_int_equal(t.d.prev_size, 2);
	assert_int_equal(t.d.winner, -1);
	assert_string_equal(t.why, "race for device 2: the other node is silent");
	/* the other side races for the same device */
	t.in.self = 1;
	t.promised = fx_set("1");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
	assert_int_equal(t.d.device, 2);
	assert_true(t.d.crown_prince_present);
	/* a joiner's presence does not change the race */
	t.promised = fx_set("1,5");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
	/* the device promised: it is the second acceptor, a quorum */
	t.in.device_promised = true;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_RACE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 2);
	assert_string_equal(t.why,
	    "race: this node and the shared device: quorum");
	/* with both nodes, the device's promise is a plain vote */
	t.promised = fx_set("0-1");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 3);
}

/* Two nodes, no shared device: the operator (or the winner policy)
 * stands in for the missing acceptor. */
static void
test_decide_operator(void **state)
{
	struct vt t;

	(void)state;
	/* a device shared with a third node only does not count */
	vt_init(&t, 1, "0-1", "1");
	t.devices[0] = fx_set("1-2");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_OPERATOR);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_WINNER);
	assert_int_equal(t.d.choice[0], 0);
	assert_int_equal(t.d.choice[1], 1);
	assert_int_equal(t.d.winner, -1);
	assert_int_equal(t.d.device, -1);
	assert_string_equal(t.why, "operator picks between 0 and 1 (prompt)");

	t.in.winner = CMM_WINNER_LOWEST;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.winner, 0);
	assert_string_equal(t.why,
	    "operator picks between 0 and 1 (policy lowest: 0)");
	t.in.winner = CMM_WINNER_HIGHEST;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.winner, 1);
	assert_string_equal(t.why,
	    "operator picks between 0 and 1 (policy highest: 1)");

	vt_init(&t, 0, "0-1", "0");
	t.in.winner = CMM_WINNER_LOWEST;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_OPERATOR);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.winner, 0);
	t.in.winner = CMM_WINNER_HIGHEST;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.winner, 1);
	/* choice is ordered by id, not by who asks, nor by priority */
	vt_init(&t, 7, "3,7", "7");
	t.configured = fx_set("0-9");
	t.prio[3] = 50;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_WINNER);
	assert_int_equal(t.d.choice[0], 3);
	assert_int_equal(t.d.choice[1], 7);
	assert_int_equal(t.d.crown_prince, 3);
	assert_false(t.d.crown_prince_present);
}

static void
test_decide_formation(void **state)
{
	struct vt t;

	(void)state;
	/* a majority of the configured */
	vt_init(&t, 0, "-", "0-3");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.prev_size, 6);
	assert_int_equal(t.d.crown_prince, -1);
	assert_false(t.d.crown_prince_present);
	assert_int_equal(t.d.device, -1);
	assert_string_equal(t.why, "initial: 4 of 6 configured: majority");
	/* a one-node configuration is its own majority: no question */
	vt_init(&t, 0, "-", "0");
	t.configured = fx_set("0");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_string_equal(t.why, "initial: 1 of 1 configured: majority");
	/* promises from unconfigured nodes do not count */
	vt_init(&t, 0, "-", "0-2,6-9");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 3);
	assert_int_equal(t.d.verdict, CMM_QV_WAIT);
}

/* Formation alone: the isolation question, whatever the policy; a
 * minority asks under initial=ask, waits under majority, forms under any. */
static void
test_decide_formation_minority(void **state)
{
	struct vt t;

	(void)state;
	for (int p = CMM_INITIAL_MAJORITY; p <= CMM_INITIAL_ANY; p++) {
		vt_init(&t, 2, "-", "2");
		t.in.initial = (enum cmm_initial_policy)p;
		vt_decide(&t);
		assert_int_equal(t.d.method, CMM_QM_ISOLATION);
		assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);
		assert_int_equal(t.d.votes, 1);
		assert_int_equal(t.d.prev_size, 6);
		assert_string_equal(t.why,
		    "isolation question: alone, 1 of 6 configured");
	}
	/* two configured, one present: half is not a majority */
	vt_init(&t, 0, "-", "0");
	t.configured = fx_set("0-1");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_ISOLATION);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);

	vt_init(&t, 0, "-", "0-2");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WAIT);
	assert_string_equal(t.why, "initial: 3 of 6 configured: minority, "
	    "waiting for a majority");
	vt_init(&t, 0, "-", "0-1");
	t.in.initial = CMM_INITIAL_ASK;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);
	assert_string_equal(t.why, "initial: 2 of 6 configured: minority, "
	    "asking the operator");
	vt_init(&t, 0, "-", "0-1");
	t.in.initial = CMM_INITIAL_ANY;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_string_equal(t.why, "initial: 2 of 6 configured: minority, "
	    "forming anyway (policy any)");
}

/* The verdict of cmm_quorum_decide agrees with cmm_quorum_is for every
 * subset of a six-node P, with a priority that moves the crown prince. */
static void
test_decide_matches_quorum_is(void **state)
{
	(void)state;
	for (unsigned bits = 0; bits < 256; bits++) {
		struct vt t;
		bool want;

		vt_init(&t, 0, "0-5", "-");
		t.configured = fx_set("0-7");
		t.prio[1] = 40;
		for (int i = 0; i < 8; i++)
			if (bits & (1u << i))
				cmm_set_add(&t.promised, i);
		t.in.self = cmm_set_empty(&t.promised) ? 0 :
		    cmm_set_next(&t.promised, 0);
		want = cmm_quorum_is(&t.prev, &t.promised, false, t.prio, 0);
		vt_decide(&t);
		assert_int_equal(t.d.verdict == CMM_QV_WIN, want);
		assert_int_equal(t.d.verdict == CMM_QV_LOSE, !want);
		assert_int_equal(t.d.crown_prince, 1);
		assert_int_equal(t.d.crown_prince_present, (bits & 2) != 0);
		assert_int_equal(t.d.votes, __builtin_popcount(bits & 0x3f));
		fx_assert_contains(t.why, want ? ": quorum" : ": no quorum");
	}
}

static void
test_shared_device(void **state)
{
	struct cmm_set dev[3];

	(void)state;
	dev[0] = fx_set("0,3");
	dev[1] = fx_set("1,3");
	dev[2] = fx_set("0-3");
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 3), 0);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 3, 1), 1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 2), 2);
	assert_int_equal(cmm_quorum_shared_device(dev, 2, 0, 2), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 0, 0, 3), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 4), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, -1, 0), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 5000), -1);
	assert_int_equal(cmm_quorum_shared_device(NULL, 3, 0, 3), -1);
}

static void
test_names_and_explain(void **state)
{
	struct cmm_qdecision d;
	char small[8];
	int n;

	(void)state;
	assert_string_equal(cmm_qmethod_name(CMM_QM_NONE), "none");
	assert_string_equal(cmm_qmethod_name(CMM_QM_VOTE), "vote");
	assert_string_equal(cmm_qmethod_name(CMM_QM_RACE), "race");
	assert_string_equal(cmm_qmethod_name(CMM_QM_OPERATOR), "operator");
	assert_string_equal(cmm_qmethod_name(CMM_QM_INITIAL), "initial");
	assert_string_equal(cmm_qmethod_name(CMM_QM_ISOLATION), "isolation");
	assert_string_equal(cmm_qmethod_name((enum cmm_qmethod)99), "?");
	assert_string_equal(cmm_qverdict_name(CMM_QV_WIN), "win");
	assert_string_equal(cmm_qverdict_name(CMM_QV_LOSE), "lose");
	assert_string_equal(cmm_qverdict_name(CMM_QV_RACE), "race");
	assert_string_equal(cmm_qverdict_name(CMM_QV_ASK_WINNER), "ask-winner");
	assert_string_equal(cmm_qverdict_name(CMM_QV_ASK_ISOLATION),
	    "ask-isolation");
	assert_string_equal(cmm_qverdict_name(CMM_QV_WAIT), "wait");
	assert_string_equal(cmm_qverdict_name((enum cmm_qverdict)99), "?");
	memset(&d, 0, sizeof(d));
	d.method = CMM_QM_VOTE;
	d.verdict = CMM_QV_WIN;
	d.votes = 3;
	d.prev_size = 6;
	d.crown_prince = 5;
	d.crown_prince_present = true;
	/* snprintf semantics: the full length, truncated and terminated */
	n = cmm_quorum_explain(&d, small, sizeof(small));
	assert_int_equal(n, (int)strlen(
	    "vote: 3 of previous 6 = half, crown prince 5 present: quorum"));
	assert_string_equal(small, "vote: 3");
	d.method = CMM_QM_NONE;
	assert_int_equal(cmm_quorum_explain(&d, small, sizeof(small)), 4);
	assert_string_equal(small, "none");
}

static void
test_null_sets(void **state)
{
	struct cmm_qinput in;
	struct cmm_qdecision d;
	struct cmm_set promised = fx_set("0"), conf = fx_set("0");

	(void)state;
	/* missing optional sets read as empty; nothing crashes */
	memset(&in, 0, sizeof(in));
	in.self = 0;
	in.promised = &promised;
	cmm_quorum_decide(&in, &d);
	assert_int_equal(d.method, CMM_QM_ISOLATION);
	assert_int_equal(d.verdict, CMM_QV_ASK_ISOLATION);
	assert_int_equal(d.prev_size, 0);
	in.configured = &conf;
	cmm_quorum_decide(&in, &d);
	assert_int_equal(d.method, CMM_QM_INITIAL);
	assert_int_equal(d.verdict, CMM_QV_WIN);
	in.promised = NULL;
	cmm_quorum_decide(&in, &d);
	assert_int_equal(d.verdict, CMM_QV_ASK_ISOLATION);
	assert_false(cmm_quorum_is(NULL, &promised, false, NULL, 0));
	assert_false(cmm_quorum_is(&promised, NULL, false, NULL, 0));
	assert_false(cmm_quorum_formation(NULL, &promised, 0));
	assert_false(cmm_quorum_formation(&conf, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crown_prince),
		cmocka_unit_test(test_quorum_one),
		cmocka_unit_test(test_quorum_two),
		cmocka_unit_test(test_quorum_three_four),
		cmocka_unit_test(test_quorum_five_six),
		cmocka_unit_test(test_quorum_priorities),
		cmocka_unit_test(test_formation),
		cmocka_unit_test(test_quorums_intersect),
		cmocka_unit_test(test_formation_intersect),
		cmocka_unit_test(test_bug_flags),
		cmocka_unit_test(test_decide_win),
		cmocka_unit_test(test_decide_lose),
		cmocka_unit_test(test_decide_race),
		cmocka_unit_test(test_decide_operator),
		cmocka_unit_test(test_decide_formation),
		cmocka_unit_test(test_decide_formation_minority),
		cmocka_unit_test(test_decide_matches_quorum_is),
		cmocka_unit_test(test_shared_device),
		cmocka_unit_test(test_names_and_explain),
		cmocka_unit_test(test_null_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
