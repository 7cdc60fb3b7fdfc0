/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_nodeset: the node bitset (quorum/nodeset.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "quorum/nodeset.h"

static void
test_add_del_has(void **state)
{
	struct cmm_set s;

	cmm_set_clear(&s);
	assert_true(cmm_set_empty(&s));
	cmm_set_add(&s, 0);
	cmm_set_add(&s, 63);
	cmm_set_add(&s, 64);
	cmm_set_add(&s, CMM_MAX_NODES - 1);
	assert_true(cmm_set_has(&s, 0));
	assert_true(cmm_set_has(&s, 63));
	assert_true(cmm_set_has(&s, 64));
	assert_true(cmm_set_has(&s, CMM_MAX_NODES - 1));
	assert_false(cmm_set_has(&s, 1));
	assert_false(cmm_set_has(&s, 65));
	assert_int_equal(cmm_set_count(&s), 4);
	cmm_set_del(&s, 63);
	assert_false(cmm_set_has(&s, 63));
	assert_int_equal(cmm_set_count(&s), 3);
	/* deleting an absent id changes nothing */
	cmm_set_del(&s, 63);
	assert_int_equal(cmm_set_count(&s), 3);
	assert_false(cmm_set_empty(&s));
}

static void
test_out_of_range_ids(void **state)
{
	struct cmm_set s, before;

	cmm_set_clear(&s);
	cmm_set_add(&s, 5);
	before = s;
	assert_false(cmm_set_valid_id(-1));
	assert_false(cmm_set_valid_id(CMM_MAX_NODES));
	assert_true(cmm_set_valid_id(0));
	assert_true(cmm_set_valid_id(CMM_MAX_NODES - 1));
	cmm_set_add(&s, -1);
	cmm_set_add(&s, CMM_MAX_NODES);
	cmm_set_del(&s, -1);
	cmm_set_del(&s, CMM_MAX_NODES);
	assert_true(cmm_set_eq(&s, &before));
	assert_false(cmm_set_has(&s, -1));
	assert_false(cmm_set_has(&s, CMM_MAX_NODES));
}

static void
test_count_full(void **state)
{
	struct cmm_set s;

	cmm_set_clear(&s);
	for (int i = 0; i < CMM_MAX_NODES; i++)
		cmm_set_add(&s, i);
	assert_int_equal(cmm_set_count(&s), CMM_MAX_NODES);
	assert_int_equal(cmm_set_max(&s), CMM_MAX_NODES - 1);
	assert_int_equal(cmm_set_next(&s, 0), 0);
	assert_int_equal(cmm_set_next(&s, 700), 700);
}

static void
test_subset_eq_ops(void **state)
{
	struct cmm_set a, b, out;

	cmm_set_clear(&a);
	cmm_set_clear(&b);
	/* the empty set is a subset of everything */
	assert_true(cmm_set_subset(&a, &b));
	cmm_set_add(&a, 1);
	cmm_set_add(&a, 200);
	cmm_set_add(&b, 1);
	assert_false(cmm_set_subset(&a, &b));
	assert_true(cmm_set_subset(&b, &a));
	cmm_set_add(&b, 200);
	cmm_set_add(&b, 900);
	assert_true(cmm_set_subset(&a, &b));
	assert_false(cmm_set_eq(&a, &b));
	cmm_set_and(&out, &a, &b);
	assert_true(cmm_set_eq(&out, &a));
	cmm_set_or(&out, &a, &b);
	assert_true(cmm_set_eq(&out, &b));
	cmm_set_minus(&out, &b, &a);
	assert_int_equal(cmm_set_count(&out), 1);
	assert_true(cmm_set_has(&out, 900));
	assert_true(cmm_set_subset(&a, &a));
	assert_true(cmm_set_eq(&a, &a));
	/* the hash tells two different sets apart */
	assert_true(cmm_set_hash(&a, 1) != cmm_set_hash(&b, 1));
	assert_true(cmm_set_hash(&a, 1) == cmm_set_hash(&a, 1));
}

/* cmm_set_empty ORs the words in four chains: a lone id in any word,
 * at either end of it, makes the set non-empty */
static void
test_empty_each_word(void **state)
{
	struct cmm_set s;

	(void)state;
	for (int id = 0; id < CMM_MAX_NODES; id += 63) {
		cmm_set_clear(&s);
		cmm_set_add(&s, id);
		assert_false(cmm_set_empty(&s));
		cmm_set_del(&s, id);
		assert_true(cmm_set_empty(&s));
	}
	cmm_set_clear(&s);
	cmm_set_add(&s, CMM_MAX_NODES - 1);
	assert_false(cmm_set_empty(&s));
}

static void
test_next_max(void **state)
{
	struct cmm_set s;
	int ids[] = { 3, 63, 64, 127, 500, 1023 };
	int got[8], n = 0;

	cmm_set_clear(&s);
	assert_int_equal(cmm_set_next(&s, 0), -1);
	assert_int_equal(cmm_set_max(&s), -1);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		cmm_set_add(&s, ids[i]);
	for (int i = cmm_set_next(&s, 0); i >= 0; i = cmm_set_next(&s, i + 1)) {
		assert_true(n < 8);
		got[n++] = i;
	}
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_int_equal(got[i], ids[i]);
	assert_int_equal(cmm_set_next(&s, 4), 63);
	assert_int_equal(cmm_set_next(&s, 64), 64);
	assert_int_equal(cmm_set_next(&s, 65), 127);
	assert_int_equal(cmm_set_next(&s, -5), 3);
	assert_int_equal(cmm_set_next(&s, CMM_MAX_NODES), -1);
	assert_int_equal(cmm_set_max(&s), 1023);
	/* across empty words to the last id, and past it */
	assert_int_equal(cmm_set_next(&s, 501), 1023);
	assert_int_equal(cmm_set_next(&s, 1023), 1023);
	cmm_set_del(&s, 1023);
	assert_int_equal(cmm_set_next(&s, 501), -1);
	assert_int_equal(cmm_set_max(&s), 500);
	cmm_set_clear(&s);
	cmm_set_add(&s, 0);
	assert_int_equal(cmm_set_max(&s), 0);
}

static void
test_format(void **state)
{
	struct cmm_set s;
	char buf[64];
	size_t n;

	cmm_set_clear(&s);
	n = cmm_set_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	assert_int_equal(n, 1);
	cmm_set_add(&s, 0);
	cmm_set_add(&s, 1);
	cmm_set_add(&s, 2);
	cmm_set_add(&s, 3);
	cmm_set_add(&s, 5);
	cmm_set_add(&s, 1023);
	n = cmm_set_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "0-3,5,1023");
	assert_int_equal(n, strlen("0-3,5,1023"));
	/* too small a buffer: truncated, terminated, full length returned */
	memset(buf, 'x', sizeof(buf));
	n = cmm_set_format(&s, buf, 5);
	assert_int_equal(n, strlen("0-3,5,1023"));
	assert_true(strlen(buf) < 5);
	assert_int_equal(strncmp(buf, "0-3,5,1023", strlen(buf)), 0);
	n = cmm_set_format(&s, NULL, 0);
	assert_int_equal(n, strlen("0-3,5,1023"));
}

static void
test_parse_good(void **state)
{
	struct cmm_set s, all, want;
	const char *why = NULL;

	assert_int_equal(cmm_set_parse("0-3,5", 16, NULL, &s, &why), 0);
	cmm_set_clear(&want);
	for (int i = 0; i <= 3; i++)
		cmm_set_add(&want, i);
	cmm_set_add(&want, 5);
	assert_true(cmm_set_eq(&s, &want));
	assert_int_equal(cmm_set_parse("-", 16, NULL, &s, &why), 0);
	assert_true(cmm_set_empty(&s));
	assert_int_equal(cmm_set_parse("1023", CMM_MAX_NODES, NULL, &s, &why),
	    0);
	assert_true(cmm_set_has(&s, 1023));
	cmm_set_clear(&all);
	cmm_set_add(&all, 7);
	cmm_set_add(&all, 9);
	assert_int_equal(cmm_set_parse("all", 16, &all, &s, &why), 0);
	assert_true(cmm_set_eq(&s, &all));
	assert_int_equal(cmm_set_parse("4-4", 16, NULL, &s, &why), 0);
	assert_int_equal(cmm_set_count(&s), 1);
}

static void
test_parse_round_trip(void **state)
{
	struct cmm_set s, back;
	char buf[4096];

	cmm_set_clear(&s);
	for (int i = 0; i < CMM_MAX_NODES; i += 3)
		cmm_set_add(&s, i);
	cmm_set_add(&s, 1000);
	cmm_set_add(&s, 1001);
	assert_true(cmm_set_format(&s, buf, sizeof(buf)) < sizeof(buf));
	assert_int_equal(cmm_set_parse(buf, CMM_MAX_NODES, NULL, &back, NULL),
	    0);
	assert_true(cmm_set_eq(&s, &back));
}

static void
test_parse_bad(void **state)
{
	static const char *bad[] = {
		"", ",", "1,", ",1", "a", "1-", "-1", "3-1", "1,,2", "16",
		"0-16", "1 2", " 1", "1 ", "+1", "1-2-3", "all",
		"99999999999999999999", "1;2", "0x1",
	};
	struct cmm_set s;

	cmm_set_clear(&s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;

		cmm_set_add(&s, 1);
		if (cmm_set_parse(bad[i], 16, NULL, &s, &why) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(why);
		assert_true(strlen(why) > 0);
	}
	/* the limit is capped at CMM_MAX_NODES */
	assert_int_equal(cmm_set_parse("1024", 5000, NULL, &s, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_del_has),
		cmocka_unit_test(test_out_of_range_ids),
		cmocka_unit_test(test_count_full),
		cmocka_unit_test(test_subset_eq_ops),
		cmocka_unit_test(test_next_max),
		cmocka_unit_test(test_empty_each_word),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_round_trip),
		cmocka_unit_test(test_parse_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
