/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * timefmt: the one ISO-8601 formatter of the tree, UTC with milliseconds:
 * "2024-05-01T12:34:56.789Z".  It formats a time it is given and never
 * reads the clock (util/ does no I/O): the caller passes what it read.
 * libc only.
 */
#ifndef CMM_UTIL_TIMEFMT_H
#define CMM_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* enough for any year gmtime can give */
#define CMM_ISO8601_LEN		40

/*
 * The time sec + ms/1000 since the Unix epoch, ms of any sign or size
 * (so a count of milliseconds can be passed as (0, ms)).  Returns the
 * length written (snprintf-like: cut when len is short, always
 * NUL-terminated when len > 0), or -1 when the time has no calendar date;
 * then buf says "@SEC.MMM" ("@?" when even that overflows).
 */
int	cmm_time_iso8601(int64_t sec, int64_t ms, char *buf, size_t len);

#endif
