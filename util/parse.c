/* SPDX-License-Identifier: GPL-3.0-or-later */
/* parse: see parse.h.  libc only. */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text is '-'? digit+ and nothing else; *neg tells the sign. */
static bool
parse_shape(const char *s, bool *neg)
{
	*neg = *s == '-';
	if (*neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

static int
not_number(const char *s, char *why, size_t whylen)
{
	if (whylen > 0)
		snprintf(why, whylen, "'%.40s%s' is not a whole number", s,
		    strlen(s) > 40 ? "..." : "");
	return CMM_PARSE_NOT_NUMBER;
}

int
cmm_parse_int(const char *s, long long min, long long max, long long *out,
    char *why, size_t whylen)
{
	long long v;
	bool	neg;

	if (!parse_shape(s, &neg))
		return not_number(s, why, whylen);
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max) {
		if (whylen > 0)
			snprintf(why, whylen, "%.40s is out of range "
			    "(%lld..%lld)", s, min, max);
		return CMM_PARSE_RANGE;
	}
	*out = v;
	return 0;
}

int
cmm_parse_uint(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out, char *why, size_t whylen)
{
	unsigned long long v = 0;
	bool	neg, bad;

	if (!parse_shape(s, &neg))
		return not_number(s, why, whylen);
	if (neg) {
		/* "-0" is 0; any other negative number is below every min
		 * (strtoull would wrap it to a huge one) */
		bad = strspn(s + 1, "0") != strlen(s + 1) || min > 0;
	} else {
		errno = 0;
		v = strtoull(s, NULL, 10);
		bad = errno == ERANGE || v < min || v > max;
	}
	if (bad) {
		if (whylen > 0)
			snprintf(why, whylen, "%.40s is out of range "
			    "(%llu..%llu)", s, min, max);
		return CMM_PARSE_RANGE;
	}
	*out = v;
	return 0;
}
