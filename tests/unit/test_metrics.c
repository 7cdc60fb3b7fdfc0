/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/metrics.c's outcome table: every way the core
 * ends a round (core_round_end's prefixes and reasons in src/core/) lands
 * on its own cmm_round_outcomes_total label, with or without the
 * "round (E,A) " head of the event text; anything else is "other".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "src/node/metrics.h"

static const struct {
	const char		*text;
	enum cmm_round_outcome	o;
	const char		*name;
} cases[] = {
	{ "chosen: epoch 4 is {0-2}", CMM_RO_CHOSEN, "chosen" },
	{ "decided elsewhere: epoch 4 is {0-2}", CMM_RO_ELSEWHERE,
	  "decided_elsewhere" },
	{ "agreed: no change", CMM_RO_NO_CHANGE, "no_change" },
	{ "waiting for a majority of the configured nodes", CMM_RO_WAITING,
	  "waiting_for_majority" },
	{ "nobody is left to form a configuration", CMM_RO_NOBODY,
	  "nobody_left" },
	{ "isolated: staying out", CMM_RO_ISOLATED, "isolated" },
	{ "isolated: policy isolation = isolated", CMM_RO_ISOLATED,
	  "isolated" },
	{ "failed: no quorum", CMM_RO_FAILED, "failed" },
	{ "aborted: a member failed", CMM_RO_ABORTED, "aborted" },
	{ "abandoned: timed out", CMM_RO_ABANDONED, "abandoned" },
	{ "superseded: a higher ballot is at work", CMM_RO_SUPERSEDED,
	  "superseded" },
	{ "something new", CMM_RO_OTHER, "other" },
	{ "", CMM_RO_OTHER, "other" },
};

static void
test_outcomes(void **state)
{
	char	text[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cmm_round_outcome_of(cases[i].text), cases[i].o);
		snprintf(text, sizeof(text), "round (12,3) %s", cases[i].text);
		assert_int_equal(cmm_round_outcome_of(text), cases[i].o);
		assert_string_equal(cmm_round_outcome_name(cases[i].o),
		    cases[i].name);
	}
	assert_int_equal(cmm_round_outcome_of(NULL), CMM_RO_OTHER);
	/* a start or progress line is no outcome */
	assert_int_equal(cmm_round_outcome_of("round (1,1) started (petition)"),
	    CMM_RO_OTHER);
}

/* Each outcome has its own label: no two rows of the table alike. */
static void
test_names_unique(void **state)
{
	(void)state;
	for (int a = 0; a < CMM_RO__COUNT; a++)
		for (int b = a + 1; b < CMM_RO__COUNT; b++)
			assert_string_not_equal(
			    cmm_round_outcome_name((enum cmm_round_outcome)a),
			    cmm_round_outcome_name((enum cmm_round_outcome)b));
	assert_string_equal(cmm_round_outcome_name(CMM_RO__COUNT), "other");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_names_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
