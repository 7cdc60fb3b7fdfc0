/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_util: small helpers shared by the libFuzzer harnesses of
 * tests/fuzz/ (header-only, static inline, tests only).
 *
 * The parsers under test read files by path; the harnesses give them a
 * memfd reached through /proc/self/fd/N, so an execution writes nothing
 * to disk.  FUZZ_CHECK() aborts with the failed invariant: libFuzzer then
 * saves the input as a crash.
 */
#ifndef CMM_FUZZ_UTIL_H
#define CMM_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A memfd holding data[0..len); its path goes into path.  The fd, or -1. */
static inline int
fuzz_memfile(const char *name, const uint8_t *data, size_t len, char *path,
    size_t pathlen)
{
	int	fd = memfd_create(name, MFD_CLOEXEC);
	size_t	off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* Reads the next n bytes of the input as a big-endian number (missing
 * bytes read as 0), for harnesses that build a struct from the input. */
static inline uint64_t
fuzz_take(const uint8_t **data, size_t *len, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v <<= 8;
		if (*len > 0) {
			v |= **data;
			(*data)++;
			(*len)--;
		}
	}
	return v;
}

#endif
