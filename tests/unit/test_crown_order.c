/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_crown_order: the core's precomputed crown-prince order
 * (core_crown_prince, core.c) names the same node as cmm_crown_prince
 * (quorum/vote.c, FIG. 9: highest priority, ties to the higher id) for
 * every set, under priorities with many ties and with none, with gaps
 * in the configured ids.
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

/* xorshift: a fixed sequence, so a failure names the same sets again */
static uint64_t
next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
check_order(int nodes, int prio_range, uint64_t seed)
{
	static struct cmm_core_cfg cfg;
	struct cmm_sink sink = { NULL, sink_drop };
	struct cmm_core *c;
	uint64_t x = seed;
	int self = -1;

	cmm_core_cfg_defaults(&cfg);
	cmm_set_clear(&cfg.configured);
	for (int i = 0; i < nodes; i++) {
		/* every third id left out: gaps in the configured ids */
		if (i % 3 == 1)
			continue;
		cmm_set_add(&cfg.configured, i);
		cfg.priority[i] = prio_range > 0 ?
		    (int)(next(&x) % (uint64_t)prio_range) : i;
		if (self < 0)
			self = i;
	}
	c = cmm_core_new(&cfg, self, NULL, &sink, seed);
	assert_non_null(c);
	for (int t = 0; t < 2000; t++) {
		struct cmm_set s;
		int keep = (int)(next(&x) % 100);

		cmm_set_clear(&s);
		for (int i = cmm_set_next(&cfg.configured, 0); i >= 0;
		    i = cmm_set_next(&cfg.configured, i + 1))
			if ((int)(next(&x) % 100) < keep)
				cmm_set_add(&s, i);
		assert_int_equal(core_crown_prince(c, &s),
		    cmm_crown_prince(&s, cfg.priority));
	}
	cmm_core_free(c);
}

static void
test_ties(void **state)
{
	(void)state;
	check_order(16, 3, 1);
	check_order(200, 5, 2);
	check_order(CMM_MAX_NODES, 2, 3);
}

static void
test_distinct(void **state)
{
	(void)state;
	check_order(16, 1000000, 4);
	check_order(CMM_MAX_NODES, 1 << 30, 5);
}

static void
test_default_priorities(void **state)
{
	(void)state;
	check_order(64, 0, 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_default_priorities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
