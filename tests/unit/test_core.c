/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_core: transitions of the protocol core driven directly, over a tiny
 * perfect in-memory network (1 ms per hop), without the simulator: join,
 * failure, leave, abort, persist failure, prompts and operator answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/core.h"

#define MAXN	8
#define QMAX	8192

struct pkt {
	int64_t		at;
	int		to;
	struct cmm_msg	m;
};

struct node {
	int			id;
	struct cmm_core		*core;
	struct cmm_persist	disk;
	bool			has_disk;
	bool			fail_persist;
	int			commits;
	uint32_t		last_commit;
	struct cmm_set		last_members;
	struct cmm_set		last_departed;
	int			no_quorum;
	int			prompts_open;
	enum cmm_prompt_kind	prompt;
	int			halts;
	int			fences;
};

static struct {
	struct cmm_core_cfg	cfg;
	struct node		n[MAXN];
	int			count;
	struct pkt		q[QMAX];
	int			qlen;
	int64_t			now;
	bool			cut[MAXN][MAXN];
	bool			devices_answer;
	struct { int node; uint32_t id; bool ok; } dev[64];
	int			ndev;
	int			order[64];	/* op kinds in the order issued */
	int			norder;
} w;

static int
sink_emit(void *ctx, const struct cmm_effect *fx)
{
	struct node *n = ctx;

	switch (fx->type) {
	case CMM_FX_SEND:
		for (int i = cmm_set_next(fx->u.send.to, 0); i >= 0;
		    i = cmm_set_next(fx->u.send.to, i + 1)) {
			assert_true(w.qlen < QMAX);
			if (w.cut[n->id][i])
				continue;
			w.q[w.qlen].at = w.now + 1;
			w.q[w.qlen].to = i;
			w.q[w.qlen].m = *fx->u.send.msg;
			w.qlen++;
		}
		return 0;
	case CMM_FX_PERSIST:
		if (n->fail_persist)
			return -1;
		n->disk = *fx->u.persist;
		n->has_disk = true;
		return 0;
	case CMM_FX_DEVICE:
		/* devices answer 1 ms later with success, when enabled */
		if (fx->u.dev->op == CMM_DEVOP_FENCE)
			n->fences++;
		if (w.norder < 64)
			w.order[w.norder++] = fx->u.dev->op;
		if (w.devices_answer && w.ndev < 64) {
			w.dev[w.ndev].node = n->id;
			w.dev[w.ndev].id = fx->u.dev->id;
			w.dev[w.ndev].ok = true;
			w.ndev++;
		}
		return 0;
	case CMM_FX_PROMPT:
		n->prompt = fx->u.prompt->kind;
		if (fx->u.prompt->kind != CMM_PROMPT_NONE)
			n->prompts_open++;
		return 0;
	case CMM_FX_EVENT:
		if (fx->u.event->type == CMM_EV_COMMIT) {
			/* persist before announcing */
			assert_int_equal(n->disk.epoch, fx->u.event->epoch);
			n->commits++;
			n->last_commit = fx->u.event->epoch;
			n->last_members = fx->u.event->members;
			n->last_departed = fx->u.event->departed;
		}
		if (fx->u.event->type == CMM_EV_NO_QUORUM)
			n->no_quorum++;
		return 0;
	case CMM_FX_HALT:
		n->halts++;
		return 0;
	default:
		return 0;
	}
}

static void
world_init(int count)
{
	memset(&w, 0, sizeof(w));
	cmm_core_cfg_defaults(&w.cfg);
	w.count = count;
	for (int i = 0; i < count; i++) {
		cmm_set_add(&w.cfg.configured, i);
		w.n[i].id = i;
	}
}

static void
node_start(int i)
{
	struct cmm_sink sink = { .ctx = &w.n[i], .emit = sink_emit };

	w.n[i].core = cmm_core_new(&w.cfg, i, w.n[i].has_disk ? &w.n[i].disk :
	    NULL, &sink, 7);
	assert_non_null(w.n[i].core);
	assert_int_equal(cmm_core_start(w.n[i].core, w.now), 0);
}

static void
node_kill(int i)
{
	cmm_core_free(w.n[i].core);
	w.n[i].core = NULL;
}

static void
world_free(void)
{
	for (int i = 0; i < w.count; i++)
		if (w.n[i].core != NULL)
			node_kill(i);
}

/* Advance virtual time to `until`, delivering packets and ticks. */
static void
run_until(int64_t until)
{
	while (w.now < until) {
		w.now++;
		for (int i = 0; i < w.qlen;) {
			if (w.q[i].at <= w.now) {
				struct pkt p = w.q[i];

				w.q[i] = w.q[--w.qlen];
				if (w.n[p.to].core != NULL)
					cmm_core_on_packet(w.n[p.to].core, w.now, &p.m);
			} else {
				i++;
			}
		}
		for (int k = 0; k < w.ndev; k++)
			if (w.n[w.dev[k].node].core != NULL)
				cmm_core_on_device_result(w.n[w.dev[k].node].core,
				    w.now, w.dev[k].id, w.dev[k].ok);
		w.ndev = 0;
		for (int i = 0; i < w.count; i++) {
			struct cmm_core *c = w.n[i].core;

			if (c == NULL)
				continue;
			int64_t d = cmm_core_next_deadline(c);

			assert_true(d > w.now - 1);
			if (d <= w.now)
				cmm_core_on_tick(c, w.now);
		}
	}
}

static enum cmm_state
state_of(int i)
{
	struct cmm_core_status st;

	cmm_core_status(w.n[i].core, &st);
	return st.state;
}

static void
assert_cluster(const char *list, uint32_t epoch)
{
	struct cmm_set want;

	assert_int_equal(cmm_set_parse(list, MAXN, NULL, &want, NULL), 0);
	for (int i = cmm_set_next(&want, 0); i >= 0; i = cmm_set_next(&want, i + 1)) {
		struct cmm_core_status st;

		cmm_core_status(w.n[i].core, &st);
		assert_int_equal(st.state, CMM_ST_MEMBER);
		assert_int_equal(st.epoch, epoch);
		assert_true(cmm_set_eq(&st.members, &want));
	}
}

static void
partition(const char *a, const char *b)
{
	struct cmm_set sa, sb;

	cmm_set_parse(a, MAXN, NULL, &sa, NULL);
	cmm_set_parse(b, MAXN, NULL, &sb, NULL);
	for (int i = 0; i < MAXN; i++)
		for (int j = 0; j < MAXN; j++)
			if ((cmm_set_has(&sa, i) && cmm_set_has(&sb, j)) ||
			    (cmm_set_has(&sb, i) && cmm_set_has(&sa, j)))
				w.cut[i][j] = true;
}

static void
form(int count)
{
	world_init(count);
	for (int i = 0; i < count; i++)
		node_start(i);
	run_until(2000);
}

/* patent step 402-424: nodes starting together form one cluster at once */
static void
test_join_forms_one_epoch(void **state)
{
	(void)state;
	form(5);
	assert_cluster("0-4", 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(w.n[i].commits, 1);
	/* quiet afterwards: no more commits */
	run_until(10000);
	for (int i = 0; i < 5; i++)
		assert_int_equal(w.n[i].commits, 1);
	world_free();
}

/* FIG. 6: one failure, one new epoch, the departed named */
static void
test_failure_one_step(void **state)
{
	(void)state;
	form(5);
	node_kill(4);
	run_until(5000);
	assert_cluster("0-3", 2);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(w.n[i].commits, 2);
		assert_true(cmm_set_has(&w.n[i].last_departed, 4));
		assert_int_equal(cmm_set_count(&w.n[i].last_departed), 1);
	}
	world_free();
}

/* a restarted node rejoins with a new incarnation */
static void
test_restart_rejoins(void **state)
{
	struct cmm_core_status st;

	(void)state;
	form(3);
	node_kill(2);
	run_until(5000);
	assert_cluster("0-1", 2);
	node_start(2);
	run_until(8000);
	assert_cluster("0-2", 3);
	cmm_core_status(w.n[2].core, &st);
	assert_int_equal(st.incarnation, 2);
	world_free();
}

/* a graceful leave: the others commit without it at once */
static void
test_leave(void **state)
{
	const char *why = NULL;

	(void)state;
	form(4);
	assert_int_equal(cmm_core_leave(w.n[3].core, w.now, &why), 0);
	assert_int_equal(state_of(3), CMM_ST_LEAVING);
	run_until(w.now + 200);	/* well inside the failure timeout */
	assert_cluster("0-2", 2);
	run_until(w.now + 1000);
	assert_int_equal(state_of(3), CMM_ST_STOPPED);
	assert_int_equal(w.n[3].disk.left_epoch, 1);
	/* leaving twice is refused with a reason */
	assert_int_equal(cmm_core_leave(w.n[3].core, w.now, &why), -1);
	assert_non_null(why);
	world_free();
}

/* FIG. 9: a 2/2 split; the side without the crown prince (3) aborts */
static void
test_abort_without_crown_prince(void **state)
{
	(void)state;
	form(4);
	partition("0-1", "2-3");
	run_until(w.now + 3000);
	assert_cluster("2-3", 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(state_of(i), CMM_ST_NO_QUORUM);
		assert_int_equal(w.n[i].no_quorum, 1);
		assert_int_equal(w.n[i].commits, 1);
	}
	world_free();
}

/* on_quorum_loss = halt asks the daemon to exit */
static void
test_halt_on_quorum_loss(void **state)
{
	(void)state;
	world_init(3);
	w.cfg.on_quorum_loss = CMM_LOSS_HALT;
	for (int i = 0; i < 3; i++)
		node_start(i);
	run_until(2000);
	partition("0", "1-2");
	run_until(w.now + 3000);
	assert_int_equal(w.n[0].halts, 1);
	assert_int_equal(w.n[1].halts, 0);
	world_free();
}

/* a commit that cannot be persisted is refused: the node leaves */
static void
test_persist_failure_refuses_commit(void **state)
{
	(void)state;
	form(3);
	w.n[0].fail_persist = true;
	node_kill(2);
	run_until(w.now + 3000);
	assert_int_equal(w.n[0].commits, 1);
	/* it left (LEAVE sent) and stopped rather than stall the others */
	assert_int_equal(state_of(0), CMM_ST_STOPPED);
	assert_int_equal(w.n[0].disk.epoch, 1);
	world_free();
}

/* patent step 412: a lone node is asked, and "not isolated" forms it */
static void
test_isolation_prompt(void **state)
{
	const char *why = NULL;
	struct cmm_core_status st;

	(void)state;
	world_init(3);
	node_start(0);
	/* no prompt open: answers are refused with a reason */
	assert_int_equal(cmm_core_answer_winner(w.n[0].core, w.now, 1, &why), -1);
	assert_non_null(why);
	run_until(2000);
	assert_int_equal(state_of(0), CMM_ST_AWAITING_OPERATOR);
	assert_int_equal(w.n[0].prompt, CMM_PROMPT_ISOLATION);
	cmm_core_status(w.n[0].core, &st);
	assert_int_equal(st.prompt, CMM_PROMPT_ISOLATION);
	assert_int_equal(cmm_core_answer_winner(w.n[0].core, w.now, 1, &why), -1);
	assert_int_equal(cmm_core_answer_isolation(w.n[0].core, w.now, false,
	    &why), 0);
	assert_cluster("0", 1);
	assert_int_equal(w.n[0].prompt, CMM_PROMPT_NONE);
	world_free();
}

/* the isolation prompt times out to the safe answer */
static void
test_isolation_prompt_timeout(void **state)
{
	(void)state;
	world_init(3);
	w.cfg.prompt_timeout_ms = 1000;
	node_start(0);
	run_until(5000);
	assert_int_equal(state_of(0), CMM_ST_ISOLATED);
	assert_int_equal(w.n[0].commits, 0);
	assert_int_equal(w.n[0].prompts_open, 1);	/* asked once, not again */
	world_free();
}

/* FIG. 8, step 812: a two-node split without a device asks who wins */
static void
test_winner_prompt(void **state)
{
	const char *why = NULL;

	(void)state;
	form(2);
	assert_cluster("0-1", 1);
	partition("0", "1");
	run_until(w.now + 3000);
	assert_int_equal(state_of(0), CMM_ST_AWAITING_OPERATOR);
	assert_int_equal(state_of(1), CMM_ST_AWAITING_OPERATOR);
	assert_int_equal(cmm_core_answer_winner(w.n[0].core, w.now, 5, &why), -1);
	assert_int_equal(cmm_core_answer_winner(w.n[0].core, w.now, 1, &why), 0);
	assert_int_equal(cmm_core_answer_winner(w.n[1].core, w.now, 1, &why), 0);
	assert_int_equal(state_of(0), CMM_ST_NO_QUORUM);
	assert_cluster("1", 2);
	world_free();
}

static void
two_with_device(bool answer)
{
	world_init(2);
	w.devices_answer = answer;
	snprintf(w.cfg.devices[0].name, sizeof(w.cfg.devices[0].name), "d01");
	cmm_set_add(&w.cfg.devices[0].nodes, 0);
	cmm_set_add(&w.cfg.devices[0].nodes, 1);
	w.cfg.n_devices = 1;
	node_start(0);
	node_start(1);
	run_until(2000);
	assert_cluster("0-1", 1);
	node_kill(1);
	w.norder = 0;
	/* detection (1 s) + the device's time limit (2 round timeouts) */
	run_until(w.now + 2600);
}

/* FIG. 8: a shared device makes it a race: reserve, fence, then commit */
static void
test_race_won(void **state)
{
	(void)state;
	two_with_device(true);
	assert_cluster("0", 2);
	assert_true(w.norder >= 2);
	assert_int_equal(w.order[0], CMM_DEVOP_RESERVE);
	assert_int_equal(w.order[1], CMM_DEVOP_FENCE);
	assert_true(cmm_set_has(&w.n[0].last_departed, 1));
	world_free();
}

/* a device that never answers: the race gives up, nothing committed */
static void
test_race_device_silent(void **state)
{
	(void)state;
	two_with_device(false);
	assert_int_equal(state_of(0), CMM_ST_NO_QUORUM);
	assert_int_equal(w.n[0].commits, 1);
	world_free();
}

static void
test_deadline_always_ahead(void **state)
{
	(void)state;
	form(3);
	for (int i = 0; i < 3; i++)
		assert_true(cmm_core_next_deadline(w.n[i].core) > w.now);
	world_free();
}

static void
test_state_names(void **state)
{
	(void)state;
	for (int s = 0; s < CMM_ST__COUNT; s++)
		assert_int_equal(cmm_state_parse(cmm_state_name(s)), s);
	assert_int_equal(cmm_state_parse("bogus"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_forms_one_epoch),
		cmocka_unit_test(test_failure_one_step),
		cmocka_unit_test(test_restart_rejoins),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_abort_without_crown_prince),
		cmocka_unit_test(test_halt_on_quorum_loss),
		cmocka_unit_test(test_persist_failure_refuses_commit),
		cmocka_unit_test(test_isolation_prompt),
		cmocka_unit_test(test_isolation_prompt_timeout),
		cmocka_unit_test(test_winner_prompt),
		cmocka_unit_test(test_race_won),
		cmocka_unit_test(test_race_device_silent),
		cmocka_unit_test(test_deadline_always_ahead),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
