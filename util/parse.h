/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse: the one "whole number in a range" parser of the tree (config
 * keys, scenario values, command arguments, ids).  Decimal only: no sign
 * but a leading '-', no blanks, no "0x", no trailing text.  On failure it
 * writes a one-line reason that quotes the text, e.g.
 *     'abc' is not a whole number
 *     70000 is out of range (1..60000)
 * so the caller only prefixes where (file, line, key).  libc only.
 *
 * Two variants, because one type cannot hold both ranges: signed for
 * anything that fits a long long, unsigned for 64-bit values above
 * LLONG_MAX (seeds).  The unsigned one calls "-1" out of range, not a
 * huge number as strtoull would.
 */
#ifndef CMM_UTIL_PARSE_H
#define CMM_UTIL_PARSE_H

#include <stddef.h>

/* room for a reason with a quoted text of any length (it is cut) */
#define CMM_PARSE_WHY_LEN	128

/* What went wrong, for a caller that words its own message (a node id
 * in a section header); most callers test for != 0 and print why. */
enum {
	CMM_PARSE_NOT_NUMBER = -1,	/* not '-'? digit+ */
	CMM_PARSE_RANGE = -2,		/* a number, outside [min, max] */
};

/* 0 and *out = the value in [min, max]; or CMM_PARSE_NOT_NUMBER or
 * CMM_PARSE_RANGE and a reason in why (when whylen > 0), *out untouched. */
int	cmm_parse_int(const char *s, long long min, long long max,
	    long long *out, char *why, size_t whylen);
int	cmm_parse_uint(const char *s, unsigned long long min,
	    unsigned long long max, unsigned long long *out, char *why,
	    size_t whylen);

#endif
