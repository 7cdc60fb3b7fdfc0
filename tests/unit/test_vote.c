/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for quorum/vote.c: the quorum table of DESIGN §2 step 4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "quorum/vote.h"

/* One decision's inputs, filled from short set strings like "0-3,5". */
struct vt {
	struct cmm_set		prev, next, leavers, configured;
	struct cmm_set		devices[4];
	int			prio[CMM_MAX_NODES];
	struct cmm_qinput	in;
	struct cmm_qdecision	d;
	char			why[160];
};

static struct cmm_set
set_of(const char *text)
{
	struct cmm_set s;
	const char *why = NULL;

	assert_int_equal(cmm_set_parse(text, CMM_MAX_NODES, NULL, &s, &why), 0);
	return s;
}

/* A fresh input: configured 0-5, priority = id, no devices, default policies. */
static void
vt_init(struct vt *t, int self, const char *prev, const char *next,
    const char *leavers)
{
	memset(t, 0, sizeof(*t));
	t->prev = set_of(prev);
	t->next = set_of(next);
	t->leavers = set_of(leavers);
	t->configured = set_of("0-5");
	for (int i = 0; i < CMM_MAX_NODES; i++)
		t->prio[i] = i;
	t->in.self = self;
	t->in.prev = &t->prev;
	t->in.next = &t->next;
	t->in.leavers = &t->leavers;
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
	memset(&t->d, 0x55, sizeof(t->d));	/* every field must be written */
	cmm_quorum_decide(&t->in, &t->d);
	cmm_quorum_explain(&t->d, t->why, sizeof(t->why));
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void
test_crown_prince(void **state)
{
	struct cmm_set s = set_of("0-5");
	int prio[CMM_MAX_NODES];

	(void)state;
	for (int i = 0; i < CMM_MAX_NODES; i++)
		prio[i] = i;
	assert_int_equal(cmm_crown_prince(&s, prio), 5);
	assert_int_equal(cmm_crown_prince(&s, NULL), 5);
	prio[2] = 100;
	assert_int_equal(cmm_crown_prince(&s, prio), 2);
	/* equal priorities: the higher id */
	prio[1] = 100;
	prio[4] = 100;
	assert_int_equal(cmm_crown_prince(&s, prio), 4);
	s = set_of("-");
	assert_int_equal(cmm_crown_prince(&s, prio), -1);
	s = set_of("1000");
	assert_int_equal(cmm_crown_prince(&s, prio), 1000);
}

static void
test_vote_more_than_half(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-3", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.prev_size, 6);
	assert_int_equal(t.d.crown_prince, 5);
	assert_false(t.d.crown_prince_present);
	assert_int_equal(t.d.device, -1);
	assert_int_equal(t.d.winner, -1);
	assert_string_equal(t.why, "vote: 4 of previous 6 > half: quorum");
}

static void
test_vote_half_with_crown_prince(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 3, "0-5", "3-5", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 3);
	assert_int_equal(t.d.crown_prince, 5);
	assert_true(t.d.crown_prince_present);
	assert_string_equal(t.why,
	    "vote: 3 of previous 6 = half, crown prince 5 present: quorum");
}

static void
test_vote_half_without_crown_prince(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-2", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 3);
	assert_false(t.d.crown_prince_present);
	assert_string_equal(t.why,
	    "vote: 3 of previous 6 = half, crown prince 5 absent: no quorum");
}

static void
test_vote_less_than_half(void **state)
{
	struct vt t;

	(void)state;
	/* the crown prince does not rescue a minority */
	vt_init(&t, 4, "0-5", "4-5", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 2);
	assert_true(t.d.crown_prince_present);
	assert_string_equal(t.why, "vote: 2 of previous 6 < half: no quorum");
}

static void
test_vote_leavers(void **state)
{
	struct vt t;

	(void)state;
	/* one leaver: 2 + 1 = half, crown prince absent */
	vt_init(&t, 0, "0-5", "0-1", "2");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 3);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	/* two leavers: 2 + 2 > half */
	vt_init(&t, 0, "0-5", "0-1", "2-3");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_contains(t.why, "4 of previous 6");
	/* a leaver brings the side with the crown prince to half */
	vt_init(&t, 4, "0-5", "4-5", "3");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 3);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	/* "leavers" that are in next are not counted twice */
	vt_init(&t, 0, "0-5", "0-1", "0-1");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 2);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	/* leavers outside P are no votes */
	vt_init(&t, 0, "0-5", "0-1,6", "7-9");
	t.configured = set_of("0-9");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 2);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	/* joiners in next are no votes either */
	vt_init(&t, 0, "0-5", "0-2,6-9", "-");
	t.configured = set_of("0-9");
	vt_decide(&t);
	assert_int_equal(t.d.votes, 3);
	assert_int_equal(t.d.prev_size, 6);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
}

static void
test_vote_odd_sizes(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-4", "0-2", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_string_equal(t.why, "vote: 3 of previous 5 > half: quorum");
	vt_init(&t, 3, "0-4", "3-4", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_string_equal(t.why, "vote: 2 of previous 5 < half: no quorum");
	vt_init(&t, 0, "0-2", "0-1", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	vt_init(&t, 2, "0-2", "2", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 1);
	assert_int_equal(t.d.prev_size, 3);
}

static void
test_vote_priority_overrides_id(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-2", "-");
	t.prio[1] = 50;
	vt_decide(&t);
	assert_int_equal(t.d.crown_prince, 1);
	assert_true(t.d.crown_prince_present);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_contains(t.why, "crown prince 1 present");
	vt_init(&t, 3, "0-5", "3-5", "-");
	t.prio[1] = 50;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_contains(t.why, "crown prince 1 absent");
}

static void
test_kept(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-3", "0-5", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_KEPT);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.prev_size, 4);
	assert_string_equal(t.why, "kept: nobody left");
	/* a two-node and a one-node P kept whole need no race */
	vt_init(&t, 0, "0-1", "0-1", "-");
	t.devices[0] = set_of("0-1");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_KEPT);
	assert_int_equal(t.d.device, -1);
	vt_init(&t, 1, "0", "0-1", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_KEPT);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
}

static void
test_initial_majority(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "-", "0-3", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.votes, 4);
	assert_int_equal(t.d.prev_size, 6);
	assert_int_equal(t.d.crown_prince, -1);
	assert_false(t.d.crown_prince_present);
	assert_string_equal(t.why, "initial: 4 of 6 configured: majority");
	/* a one-node configuration is its own majority: no question */
	vt_init(&t, 0, "-", "0", "-");
	t.configured = set_of("0");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
}

static void
test_initial_isolation(void **state)
{
	struct vt t;

	(void)state;
	/* patent 412: alone, whatever the initial policy */
	for (int p = CMM_INITIAL_MAJORITY; p <= CMM_INITIAL_ANY; p++) {
		vt_init(&t, 2, "-", "2", "-");
		t.in.initial = (enum cmm_initial_policy)p;
		vt_decide(&t);
		assert_int_equal(t.d.method, CMM_QM_ISOLATION);
		assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);
		assert_int_equal(t.d.votes, 1);
		assert_int_equal(t.d.prev_size, 6);
		assert_contains(t.why, "isolation question");
	}
	/* two configured, one present: half is not a majority */
	vt_init(&t, 0, "-", "0", "-");
	t.configured = set_of("0-1");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);
}

static void
test_initial_minority_policies(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "-", "0-2", "-");
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WAIT);
	assert_contains(t.why, "3 of 6 configured: minority");
	vt_init(&t, 0, "-", "0-1", "-");
	t.in.initial = CMM_INITIAL_ASK;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_ISOLATION);
	assert_contains(t.why, "2 of 6 configured");
	vt_init(&t, 0, "-", "0-1", "-");
	t.in.initial = CMM_INITIAL_ANY;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_INITIAL);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
}

static void
test_two_node_race(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-1", "0", "-");
	t.devices[0] = set_of("2-3");
	t.devices[1] = set_of("0,3");
	t.devices[2] = set_of("0-1");
	t.devices[3] = set_of("0-1,4");
	t.in.n_devices = 4;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_RACE);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
	assert_int_equal(t.d.device, 2);
	assert_int_equal(t.d.winner, -1);
	assert_string_equal(t.why, "race for device 2");
	/* the other side races for the same device */
	t.in.self = 1;
	t.next = set_of("1");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
	assert_int_equal(t.d.device, 2);
	/* a joiner with self in next does not change the race */
	t.next = set_of("1,5");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_RACE);
}

static void
test_two_node_operator(void **state)
{
	struct vt t;

	(void)state;
	/* a device shared with a third node only does not count */
	vt_init(&t, 1, "0-1", "1", "-");
	t.devices[0] = set_of("1-2");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_OPERATOR);
	assert_int_equal(t.d.verdict, CMM_QV_ASK_WINNER);
	assert_int_equal(t.d.choice[0], 0);
	assert_int_equal(t.d.choice[1], 1);
	assert_int_equal(t.d.winner, -1);
	assert_int_equal(t.d.device, -1);
	assert_contains(t.why, "operator picks between 0 and 1");

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

	vt_init(&t, 0, "0-1", "0", "-");
	t.in.winner = CMM_WINNER_LOWEST;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.winner, 0);
	t.in.winner = CMM_WINNER_HIGHEST;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.winner, 1);
	/* choice is ordered by id, not by who asks */
	vt_init(&t, 7, "3,7", "7", "-");
	t.configured = set_of("0-9");
	vt_decide(&t);
	assert_int_equal(t.d.choice[0], 3);
	assert_int_equal(t.d.choice[1], 7);
}

static void
test_two_node_leave(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-1", "0", "1");
	t.devices[0] = set_of("0-1");
	t.in.n_devices = 1;
	t.in.other_left_naming_self = true;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_LEAVE);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.device, -1);
	assert_string_equal(t.why, "leave: the other node left naming this one");
}

static void
test_two_node_lose(void **state)
{
	struct vt t;

	(void)state;
	/* self was not in P */
	vt_init(&t, 2, "0-1", "1-2", "-");
	t.devices[0] = set_of("0-2");
	t.in.n_devices = 1;
	vt_decide(&t);
	assert_int_equal(t.d.method, CMM_QM_VOTE);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.device, -1);
	assert_contains(t.why, "no quorum");
	/* nobody of P is here */
	vt_init(&t, 2, "0-1", "2-3", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
	assert_int_equal(t.d.votes, 0);
	assert_string_equal(t.why, "vote: 0 of previous 2 < half: no quorum");
	/* a one-node P that is gone */
	vt_init(&t, 1, "0", "1", "-");
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
}

static void
test_bug_crown_prince(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-2", "-");
	t.in.bugs = CMM_BUG_CROWN_PRINCE;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	/* it only touches ties */
	vt_init(&t, 0, "0-5", "0-1", "-");
	t.in.bugs = CMM_BUG_CROWN_PRINCE;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
}

static void
test_bug_wrong_set(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-5", "0-1", "-");
	t.in.bugs = CMM_BUG_WRONG_SET;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	assert_int_equal(t.d.prev_size, 2);
	assert_int_equal(t.d.votes, 2);
}

static void
test_bug_half(void **state)
{
	struct vt t;

	(void)state;
	vt_init(&t, 0, "0-4", "0-1", "-");
	t.in.bugs = CMM_BUG_HALF;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	vt_init(&t, 0, "0-5", "0-2", "-");
	t.in.bugs = CMM_BUG_HALF;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_WIN);
	vt_init(&t, 0, "0-5", "0-1", "-");
	t.in.bugs = CMM_BUG_HALF;
	vt_decide(&t);
	assert_int_equal(t.d.verdict, CMM_QV_LOSE);
}

/*
 * No split brain: two disjoint sides of P, each with its own leavers (a
 * LEAVE names one next, so it counts for at most one side), never both win.
 * Returns the number of assignments where both won.
 */
static int
count_split_brains(int n, unsigned bugs)
{
	int total = 1, bad = 0;

	for (int i = 0; i < n; i++)
		total *= 5;
	for (int code = 0; code < total; code++) {
		struct vt a, b;
		char prev[16];
		int c = code;

		snprintf(prev, sizeof(prev), "0-%d", n - 1);
		vt_init(&a, 0, prev, "-", "-");
		vt_init(&b, 0, prev, "-", "-");
		a.in.bugs = b.in.bugs = bugs;
		/* each node: 0 none, 1 side A, 2 side B, 3 leaver for A, 4 for B */
		for (int i = 0; i < n; i++, c /= 5) {
			switch (c % 5) {
			case 1: cmm_set_add(&a.next, i); break;
			case 2: cmm_set_add(&b.next, i); break;
			case 3: cmm_set_add(&a.leavers, i); break;
			case 4: cmm_set_add(&b.leavers, i); break;
			}
		}
		if (cmm_set_empty(&a.next) || cmm_set_empty(&b.next))
			continue;
		a.in.self = cmm_set_next(&a.next, 0);
		b.in.self = cmm_set_next(&b.next, 0);
		vt_decide(&a);
		vt_decide(&b);
		if (a.d.verdict == CMM_QV_WIN && b.d.verdict == CMM_QV_WIN)
			bad++;
	}
	return bad;
}

static void
test_no_split_brain(void **state)
{
	(void)state;
	for (int n = 3; n <= 7; n++)
		assert_int_equal(count_split_brains(n, 0), 0);
	/* and the property is able to fail: each planted bug breaks it */
	assert_true(count_split_brains(6, CMM_BUG_CROWN_PRINCE) > 0);
	assert_true(count_split_brains(6, CMM_BUG_WRONG_SET) > 0);
	assert_true(count_split_brains(5, CMM_BUG_HALF) > 0);
	assert_true(count_split_brains(6, CMM_BUG_HALF) > 0);
}

/* Whatever the vote rule lets win, proposal recovery must call possible;
 * and for |P| > 2 "possible" is exactly "the vote wins". */
static void
test_possible_matches_decide(void **state)
{
	(void)state;
	for (int bits = 1; bits < 256; bits++) {
		struct vt t;

		vt_init(&t, 0, "0-5", "-", "-");
		t.configured = set_of("0-7");
		t.prio[1] = 40;		/* a crown prince that is not the top id */
		for (int i = 0; i < 8; i++)
			if (bits & (1 << i))
				cmm_set_add(&t.next, i);
		t.in.self = cmm_set_next(&t.next, 0);
		vt_decide(&t);
		assert_int_equal(cmm_quorum_possible(&t.prev, &t.next, t.prio),
		    t.d.verdict == CMM_QV_WIN);
	}
}

static void
test_quorum_possible(void **state)
{
	struct cmm_set p = set_of("0-5"), s, e = set_of("-");
	int prio[CMM_MAX_NODES];

	(void)state;
	for (int i = 0; i < CMM_MAX_NODES; i++)
		prio[i] = i;
	s = set_of("2");
	assert_true(cmm_quorum_possible(&e, &s, prio));
	s = set_of("0-7");
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("0-3");
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("3-5");
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("0-2");
	assert_false(cmm_quorum_possible(&p, &s, prio));
	prio[0] = 99;
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("0-1,6-9");
	assert_false(cmm_quorum_possible(&p, &s, prio));
	/* two-node P: either survivor may win the race */
	p = set_of("0-1");
	s = set_of("1");
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("2-3");
	assert_false(cmm_quorum_possible(&p, &s, prio));
	p = set_of("4");
	s = set_of("4-5");
	assert_true(cmm_quorum_possible(&p, &s, prio));
	s = set_of("5");
	assert_false(cmm_quorum_possible(&p, &s, prio));
}

static void
test_shared_device(void **state)
{
	struct cmm_set dev[3];

	(void)state;
	dev[0] = set_of("0,3");
	dev[1] = set_of("1,3");
	dev[2] = set_of("0-3");
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 3), 0);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 3, 1), 1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 2), 2);
	assert_int_equal(cmm_quorum_shared_device(dev, 2, 0, 2), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 0, 0, 3), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 4), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, -1, 0), -1);
	assert_int_equal(cmm_quorum_shared_device(dev, 3, 0, 5000), -1);
}

static void
test_names_and_explain(void **state)
{
	struct cmm_qdecision d;
	char small[8];
	int n;

	(void)state;
	assert_string_equal(cmm_qmethod_name(CMM_QM_NONE), "none");
	assert_string_equal(cmm_qmethod_name(CMM_QM_KEPT), "kept");
	assert_string_equal(cmm_qmethod_name(CMM_QM_VOTE), "vote");
	assert_string_equal(cmm_qmethod_name(CMM_QM_LEAVE), "leave");
	assert_string_equal(cmm_qmethod_name(CMM_QM_RACE), "race");
	assert_string_equal(cmm_qmethod_name(CMM_QM_OPERATOR), "operator");
	assert_string_equal(cmm_qmethod_name(CMM_QM_INITIAL), "initial");
	assert_string_equal(cmm_qmethod_name(CMM_QM_ISOLATION), "isolation");
	assert_string_equal(cmm_qmethod_name((enum cmm_qmethod)99), "?");
	memset(&d, 0, sizeof(d));
	d.method = CMM_QM_VOTE;
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
	cmm_quorum_explain(&d, small, sizeof(small));
	assert_string_equal(small, "none");
}

static void
test_null_sets(void **state)
{
	struct cmm_qinput in;
	struct cmm_qdecision d;
	struct cmm_set next = set_of("0");

	(void)state;
	/* missing optional sets read as empty; nothing crashes */
	memset(&in, 0, sizeof(in));
	in.self = 0;
	in.next = &next;
	cmm_quorum_decide(&in, &d);
	assert_int_equal(d.method, CMM_QM_INITIAL);
	assert_int_equal(d.verdict, CMM_QV_WIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crown_prince),
		cmocka_unit_test(test_vote_more_than_half),
		cmocka_unit_test(test_vote_half_with_crown_prince),
		cmocka_unit_test(test_vote_half_without_crown_prince),
		cmocka_unit_test(test_vote_less_than_half),
		cmocka_unit_test(test_vote_leavers),
		cmocka_unit_test(test_vote_odd_sizes),
		cmocka_unit_test(test_vote_priority_overrides_id),
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_initial_majority),
		cmocka_unit_test(test_initial_isolation),
		cmocka_unit_test(test_initial_minority_policies),
		cmocka_unit_test(test_two_node_race),
		cmocka_unit_test(test_two_node_operator),
		cmocka_unit_test(test_two_node_leave),
		cmocka_unit_test(test_two_node_lose),
		cmocka_unit_test(test_bug_crown_prince),
		cmocka_unit_test(test_bug_wrong_set),
		cmocka_unit_test(test_bug_half),
		cmocka_unit_test(test_no_split_brain),
		cmocka_unit_test(test_possible_matches_decide),
		cmocka_unit_test(test_quorum_possible),
		cmocka_unit_test(test_shared_device),
		cmocka_unit_test(test_names_and_explain),
		cmocka_unit_test(test_null_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
