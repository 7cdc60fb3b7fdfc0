/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_noteq: the daemon's notes held for delivery (src/node/noteq.h): a
 * queued note is a deep copy that outlives what it was made from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/node/noteq.h"

/* An event note the way daemon_event makes one: the note's text is the
 * event's, the decision is the core's. */
struct ev_note {
	struct cmm_event	ev;
	struct cmm_effect	fx;
	struct cmm_qdecision	dec;
	struct cmm_note		n;
	char			text[256];
};

static void
make_event(struct ev_note *e, int i)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->text, sizeof(e->text), "commit epoch %d", i);
	e->dec.votes = i;
	e->dec.crown_prince = 15;
	e->ev.type = CMM_EV_COMMIT;
	e->ev.epoch = (uint32_t)i;
	e->ev.peer = -1;
	cmm_set_add(&e->ev.members, i);
	cmm_set_add(&e->ev.departed, 1000);
	e->ev.decision = &e->dec;
	e->ev.text = e->text;
	e->fx.type = CMM_FX_EVENT;
	e->fx.u.event = &e->ev;
	e->n.type = CMM_NOTE_EVENT;
	e->n.fx = &e->fx;
	e->n.text = e->text;
	e->n.mono_ns = 1000 + i;
	e->n.epoch = (uint32_t)i;
}

static void
test_event_copied(void **state)
{
	struct cmm_noteq *q = cmm_noteq_new(4);
	struct cmm_noteq_item it;
	struct ev_note e;

	(void)state;
	assert_non_null(q);
	make_event(&e, 7);
	assert_true(cmm_noteq_push(q, &e.n));
	/* what the note pointed to is gone (reused) before delivery */
	make_event(&e, 99);
	assert_true(cmm_noteq_pop(q, &it));
	assert_int_equal(it.n.type, CMM_NOTE_EVENT);
	assert_int_equal(it.n.mono_ns, 1007);
	assert_int_equal(it.n.epoch, 7);
	assert_ptr_equal(it.n.fx, &it.fx);
	assert_ptr_equal(it.fx.u.event, &it.ev);
	assert_int_equal(it.ev.epoch, 7);
	assert_true(cmm_set_has(&it.ev.members, 7));
	assert_true(cmm_set_has(&it.ev.departed, 1000));
	assert_ptr_equal(it.ev.decision, &it.dec);
	assert_int_equal(it.dec.votes, 7);
	assert_string_equal(it.n.text, "commit epoch 7");
	assert_ptr_equal(it.ev.text, it.n.text);
	assert_false(cmm_noteq_pop(q, &it));
	/* no decision stays none */
	e.ev.decision = NULL;
	assert_true(cmm_noteq_push(q, &e.n));
	assert_true(cmm_noteq_pop(q, &it));
	assert_null(it.ev.decision);
	cmm_noteq_free(q);
}

static void
test_prompt_and_texts(void **state)
{
	struct cmm_noteq *q = cmm_noteq_new(4);
	struct cmm_noteq_item it;
	struct cmm_prompt p;
	struct cmm_effect fx;
	struct cmm_note n;
	char why[64] = "the core's why", mine[64] = "the daemon's copy";
	char line[2048];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = CMM_PROMPT_WINNER;
	p.choice[0] = 1;
	p.choice[1] = 2;
	p.why = why;
	memset(&fx, 0, sizeof(fx));
	fx.type = CMM_FX_PROMPT;
	fx.u.prompt = &p;
	memset(&n, 0, sizeof(n));
	n.type = CMM_NOTE_PROMPT;
	n.fx = &fx;
	n.text = mine;		/* as daemon_prompt: its own copy of why */
	assert_true(cmm_noteq_push(q, &n));
	/* a log line longer than the copy: cut, still terminated */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memset(&n, 0, sizeof(n));
	n.type = CMM_NOTE_LOG;
	n.level = CMM_LOG_WARN;
	n.text = line;
	assert_true(cmm_noteq_push(q, &n));
	/* a note with no text */
	n.text = NULL;
	n.type = CMM_NOTE_DROP;
	assert_true(cmm_noteq_push(q, &n));
	strcpy(why, "changed");
	strcpy(mine, "changed");
	assert_true(cmm_noteq_pop(q, &it));
	assert_ptr_equal(it.fx.u.prompt, &it.prompt);
	assert_int_equal(it.prompt.choice[1], 2);
	assert_string_equal(it.prompt.why, "the core's why");
	assert_string_equal(it.n.text, "the daemon's copy");
	assert_true(cmm_noteq_pop(q, &it));
	assert_null(it.n.fx);
	assert_int_equal(strlen(it.n.text), sizeof(it.text) - 1);
	assert_true(cmm_noteq_pop(q, &it));
	assert_null(it.n.text);
	assert_int_equal(it.n.type, CMM_NOTE_DROP);
	cmm_noteq_free(q);
}

/* First in, first out across the ring's end; a full queue refuses. */
static void
test_order_and_full(void **state)
{
	struct cmm_noteq *q = cmm_noteq_new(3);
	struct cmm_noteq_item it;
	struct ev_note e;
	int next_in = 0, next_out = 0;

	(void)state;
	assert_null(cmm_noteq_new(0));
	for (int round = 0; round < 5; round++) {
		while (cmm_noteq_len(q) < 3) {
			make_event(&e, next_in++);
			assert_true(cmm_noteq_push(q, &e.n));
		}
		make_event(&e, 1000);
		assert_false(cmm_noteq_push(q, &e.n));
		for (int k = 0; k < 2; k++) {
			assert_true(cmm_noteq_pop(q, &it));
			assert_int_equal(it.ev.epoch, (uint32_t)next_out++);
		}
	}
	while (cmm_noteq_pop(q, &it))
		assert_int_equal(it.ev.epoch, (uint32_t)next_out++);
	assert_int_equal(next_out, next_in);
	cmm_noteq_free(q);
}

/* A burst ends a quiet time after its last note; a steady stream (a note
 * every 0.5 ms, never 1 ms quiet) still goes 10 ms after its first. */
static void
test_due(void **state)
{
	int64_t first = 1000000, last;

	(void)state;
	assert_int_equal(cmm_noteq_due(first, first, 1000, 10000),
	    first + 1000);
	assert_int_equal(cmm_noteq_due(first, first + 300, 1000, 10000),
	    first + 1300);
	for (last = first; last < first + 30000; last += 500)
		assert_true(cmm_noteq_due(first, last, 1000, 10000) <=
		    first + 10000);
	assert_int_equal(cmm_noteq_due(first, first + 9500, 1000, 10000),
	    first + 10000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_copied),
		cmocka_unit_test(test_prompt_and_texts),
		cmocka_unit_test(test_order_and_full),
		cmocka_unit_test(test_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
