/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timefmt: see timefmt.h.  libc only (gmtime_r reads no time zone). */
#include "util/timefmt.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int
cmm_time_iso8601(int64_t sec, int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	time_t	t;
	int64_t	q = ms / 1000, rem = ms % 1000;

	/* floor division, so -1 ms is 23:59:59.999 of the day before */
	if (rem < 0) {
		rem += 1000;
		q--;
	}
	if (q > 0 ? sec > INT64_MAX - q : sec < INT64_MIN - q) {
		if (len > 0)
			snprintf(buf, len, "@?");
		return -1;
	}
	sec += q;
	t = (time_t)sec;
	if ((int64_t)t != sec || gmtime_r(&t, &tm) == NULL) {
		if (len > 0)
			snprintf(buf, len, "@%" PRId64 ".%03d", sec, (int)rem);
		return -1;
	}
	return snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)rem);
}
