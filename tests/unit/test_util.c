/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_util: the leaf helpers of util/ -- byte order, the integer
 * parser, the ISO-8601 formatter, FNV-1a. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>

#include "util/byteorder.h"
#include "util/fnv.h"
#include "util/parse.h"
#include "util/timefmt.h"

static void
test_byteorder_layout(void **state)
{
	uint8_t b[8];

	(void)state;
	cmm_put_be16(b, 0x0102);
	assert_memory_equal(b, "\x01\x02", 2);
	cmm_put_le16(b, 0x0102);
	assert_memory_equal(b, "\x02\x01", 2);
	cmm_put_be32(b, 0x01020304u);
	assert_memory_equal(b, "\x01\x02\x03\x04", 4);
	cmm_put_le32(b, 0x01020304u);
	assert_memory_equal(b, "\x04\x03\x02\x01", 4);
	cmm_put_be64(b, UINT64_C(0x0102030405060708));
	assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	cmm_put_le64(b, UINT64_C(0x0102030405060708));
	assert_memory_equal(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	/* high bits survive (no sign extension on the way back) */
	memcpy(b, "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", 8);
	assert_int_equal(cmm_get_be16(b), 0xfffe);
	assert_int_equal(cmm_get_le16(b), 0xfeff);
	assert_int_equal(cmm_get_be32(b), 0xfffefdfcu);
	assert_int_equal(cmm_get_le32(b), 0xfcfdfeffu);
	assert_true(cmm_get_be64(b) == UINT64_C(0xfffefdfcfbfaf9f8));
	assert_true(cmm_get_le64(b) == UINT64_C(0xf8f9fafbfcfdfeff));
}

static void
test_byteorder_round_trip(void **state)
{
	uint8_t b[8];
	uint64_t v = UINT64_C(0x9e3779b97f4a7c15);

	(void)state;
	for (int i = 0; i < 64; i++, v = v * 6364136223846793005u + 1) {
		cmm_put_be16(b, (uint16_t)v);
		assert_int_equal(cmm_get_be16(b), (uint16_t)v);
		cmm_put_le16(b, (uint16_t)v);
		assert_int_equal(cmm_get_le16(b), (uint16_t)v);
		cmm_put_be32(b, (uint32_t)v);
		assert_int_equal(cmm_get_be32(b), (uint32_t)v);
		cmm_put_le32(b, (uint32_t)v);
		assert_int_equal(cmm_get_le32(b), (uint32_t)v);
		cmm_put_be64(b, v);
		assert_true(cmm_get_be64(b) == v);
		cmm_put_le64(b, v);
		assert_true(cmm_get_le64(b) == v);
	}
}

static void
test_parse_int(void **state)
{
	char why[CMM_PARSE_WHY_LEN];
	long long v = 42;

	(void)state;
	assert_int_equal(cmm_parse_int("0", 0, 10, &v, why, sizeof(why)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cmm_parse_int("-5", -10, 10, &v, why, sizeof(why)), 0);
	assert_int_equal(v, -5);
	assert_int_equal(cmm_parse_int("007", 0, 10, &v, why, sizeof(why)), 0);
	assert_int_equal(v, 7);
	/* both ends are in the range */
	assert_int_equal(cmm_parse_int("1", 1, 60000, &v, why, sizeof(why)), 0);
	assert_int_equal(cmm_parse_int("60000", 1, 60000, &v, why,
	    sizeof(why)), 0);
	assert_int_equal(v, 60000);
	assert_int_equal(cmm_parse_int("9223372036854775807", LLONG_MIN,
	    LLONG_MAX, &v, why, sizeof(why)), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(cmm_parse_int("-9223372036854775808", LLONG_MIN,
	    LLONG_MAX, &v, why, sizeof(why)), 0);
	assert_true(v == LLONG_MIN);

	v = 42;
	assert_int_equal(cmm_parse_int("60001", 1, 60000, &v, why,
	    sizeof(why)), CMM_PARSE_RANGE);
	assert_string_equal(why, "60001 is out of range (1..60000)");
	assert_int_equal(v, 42);	/* untouched on failure */
	assert_int_equal(cmm_parse_int("0", 1, 60000, &v, why, sizeof(why)),
	    CMM_PARSE_RANGE);
	assert_string_equal(why, "0 is out of range (1..60000)");
	assert_int_equal(cmm_parse_int("99999999999999999999", 0, 10, &v, why,
	    sizeof(why)), CMM_PARSE_RANGE);
	assert_string_equal(why, "99999999999999999999 is out of range (0..10)");
	assert_int_equal(cmm_parse_int("-1", 0, 10, &v, why, sizeof(why)),
	    CMM_PARSE_RANGE);
	assert_string_equal(why, "-1 is out of range (0..10)");

	static const char *const junk[] = {
		"", "-", "+5", " 5", "5 ", "0x10", "1e3", "1.5", "5ms", "--5",
		"abc",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		char want[CMM_PARSE_WHY_LEN];

		if (cmm_parse_int(junk[i], LLONG_MIN, LLONG_MAX, &v, why,
		    sizeof(why)) != CMM_PARSE_NOT_NUMBER)
			fail_msg("'%s' was accepted", junk[i]);
		snprintf(want, sizeof(want), "'%s' is not a whole number",
		    junk[i]);
		assert_string_equal(why, want);
	}
	assert_int_equal(v, 42);
	/* a long text is cut, the reason stays one short line */
	assert_int_equal(cmm_parse_int("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxx", 0, 1, &v, why, sizeof(why)), CMM_PARSE_NOT_NUMBER);
	assert_true(strlen(why) < 70);
	assert_non_null(strstr(why, "...' is not a whole number"));
	/* no reason buffer: still refused */
	assert_int_equal(cmm_parse_int("x", 0, 1, &v, NULL, 0),
	    CMM_PARSE_NOT_NUMBER);
	assert_int_equal(cmm_parse_int("2", 0, 1, &v, NULL, 0), CMM_PARSE_RANGE);
}

static void
test_parse_uint(void **state)
{
	char why[CMM_PARSE_WHY_LEN];
	unsigned long long v = 42;

	(void)state;
	assert_int_equal(cmm_parse_uint("18446744073709551615", 0, ULLONG_MAX,
	    &v, why, sizeof(why)), 0);
	assert_true(v == ULLONG_MAX);
	assert_int_equal(cmm_parse_uint("4294967295", 1, UINT32_MAX, &v, why,
	    sizeof(why)), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(cmm_parse_uint("-0", 0, 5, &v, why, sizeof(why)), 0);
	assert_true(v == 0);

	v = 42;
	/* strtoull would take "-1" as ULLONG_MAX */
	assert_int_equal(cmm_parse_uint("-1", 0, ULLONG_MAX, &v, why,
	    sizeof(why)), CMM_PARSE_RANGE);
	assert_string_equal(why, "-1 is out of range (0..18446744073709551615)");
	assert_int_equal(cmm_parse_uint("-0", 1, 5, &v, why, sizeof(why)),
	    CMM_PARSE_RANGE);
	assert_int_equal(cmm_parse_uint("18446744073709551616", 0, ULLONG_MAX,
	    &v, why, sizeof(why)), CMM_PARSE_RANGE);
	assert_string_equal(why,
	    "18446744073709551616 is out of range (0..18446744073709551615)");
	assert_int_equal(cmm_parse_uint("4294967296", 1, UINT32_MAX, &v, why,
	    sizeof(why)), CMM_PARSE_RANGE);
	assert_int_equal(cmm_parse_uint(" 1", 0, 5, &v, why, sizeof(why)),
	    CMM_PARSE_NOT_NUMBER);
	assert_string_equal(why, "' 1' is not a whole number");
	assert_true(v == 42);
}

static void
test_iso8601(void **state)
{
	char buf[CMM_ISO8601_LEN];

	(void)state;
	assert_int_equal(cmm_time_iso8601(0, 0, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	/* 2024-02-29 (a leap day) 12:34:56.789 */
	cmm_time_iso8601(1709210096, 789, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T12:34:56.789Z");
	/* the same instant as a count of milliseconds */
	cmm_time_iso8601(0, INT64_C(1709210096789), buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T12:34:56.789Z");
	/* milliseconds beyond a second carry; negative ones borrow */
	cmm_time_iso8601(10, 2500, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:12.500Z");
	cmm_time_iso8601(0, -1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	/* cut like snprintf, and says how long it wanted to be */
	assert_int_equal(cmm_time_iso8601(0, 0, buf, 11), 24);
	assert_string_equal(buf, "1970-01-01");
	/* no calendar date */
	assert_int_equal(cmm_time_iso8601(INT64_MAX, 0, buf, sizeof(buf)), -1);
	assert_int_equal(buf[0], '@');
	assert_int_equal(cmm_time_iso8601(INT64_MAX, INT64_MAX, buf,
	    sizeof(buf)), -1);
	assert_string_equal(buf, "@?");
}

static void
test_fnv(void **state)
{
	(void)state;
	/* published FNV-1a test vectors */
	assert_int_equal(cmm_fnv32_str("", CMM_FNV32_OFFSET), 0x811c9dc5u);
	assert_int_equal(cmm_fnv32_str("a", CMM_FNV32_OFFSET), 0xe40c292cu);
	assert_int_equal(cmm_fnv32_str("foobar", CMM_FNV32_OFFSET), 0xbf9cf968u);
	assert_true(cmm_fnv64_str("", CMM_FNV64_OFFSET) ==
	    UINT64_C(0xcbf29ce484222325));
	assert_true(cmm_fnv64_str("a", CMM_FNV64_OFFSET) ==
	    UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(cmm_fnv64_str("foobar", CMM_FNV64_OFFSET) ==
	    UINT64_C(0x85944171f73967e8));
	/* piece by piece is the same as at once; the buffer forms agree */
	assert_int_equal(cmm_fnv32("bar", 3, cmm_fnv32("foo", 3,
	    CMM_FNV32_OFFSET)), 0xbf9cf968u);
	assert_true(cmm_fnv64("bar", 3, cmm_fnv64_str("foo",
	    CMM_FNV64_OFFSET)) == UINT64_C(0x85944171f73967e8));
	/* a NUL byte is hashed like any other */
	assert_true(cmm_fnv32("a\0", 2, CMM_FNV32_OFFSET) !=
	    cmm_fnv32("a", 1, CMM_FNV32_OFFSET));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byteorder_layout),
		cmocka_unit_test(test_byteorder_round_trip),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_fnv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
