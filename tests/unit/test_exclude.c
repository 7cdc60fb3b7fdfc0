/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_exclude: how long the coordinator's cut keeps a petitioner out
 * (core_note_excluded, core_excluded in core_converge.c).  While the rows
 * stay as they were, until CORE_EXCLUDE_TIMEOUTS failure timeouts; when
 * they move, not before a heartbeat has passed since the cut, so that a
 * large cluster whose rows move every millisecond does not run the
 * O(n^2) cut again after every packet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/core/core_int.h"

static int
sink_drop(void *ctx, const struct cmm_effect *fx)
{
	(void)ctx;
	(void)fx;
	return 0;
}

static struct cmm_core_cfg cfg;

/* A core of four configured nodes that considered {0,1,2,3} at time t0
 * and kept {0,1,2}: node 3 is left out. */
static struct cmm_core *
cut_at(int64_t t0)
{
	struct cmm_sink sink = { NULL, sink_drop };
	struct cmm_core *c;
	struct cmm_set considered, kept;

	cmm_core_cfg_defaults(&cfg);
	cmm_set_clear(&cfg.configured);
	for (int i = 0; i < 4; i++)
		cmm_set_add(&cfg.configured, i);
	c = cmm_core_new(&cfg, 0, NULL, &sink, 1);
	assert_non_null(c);
	considered = cfg.configured;
	kept = considered;
	cmm_set_del(&kept, 3);
	c->now = t0;
	core_note_excluded(c, &considered, &kept);
	return c;
}

static void
test_rows_still(void **state)
{
	struct cmm_core *c = cut_at(1000);
	int64_t end = 1000 + CORE_EXCLUDE_TIMEOUTS * cfg.failure_timeout_ms;

	(void)state;
	assert_true(core_excluded(c, 3));
	assert_false(core_excluded(c, 2));	/* kept: never excluded */
	c->now = end - 1;
	assert_true(core_excluded(c, 3));
	c->now = end;
	assert_false(core_excluded(c, 3));	/* heard out again */
	cmm_core_free(c);
}

static void
test_rows_moved(void **state)
{
	struct cmm_core *c = cut_at(1000);
	struct cmm_set none;

	(void)state;
	cmm_set_clear(&none);
	/* rows move at once and keep moving: the cut stands a heartbeat */
	for (int64_t t = 1000; t < 1000 + cfg.heartbeat_ms; t++) {
		c->now = t;
		c->rows_version++;
		assert_true(core_excluded(c, 3));
	}
	c->now = 1000 + cfg.heartbeat_ms;
	assert_false(core_excluded(c, 3));	/* moved rows: cut again */
	/* a cut made after the rows moved holds while they stay */
	core_note_excluded(c, &cfg.configured, &none);
	c->now += 10 * cfg.heartbeat_ms;
	assert_true(core_excluded(c, 3));
	c->rows_version++;
	assert_false(core_excluded(c, 3));
	cmm_core_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_still),
		cmocka_unit_test(test_rows_moved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
