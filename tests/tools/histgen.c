/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * histgen: writes a large, valid history file fast, for
 * tests/mp/history_big.sh.
 *
 *	histgen FILE MIB
 *
 * FILE gets MIB MiB of valid records (one block of "filler" commits
 * encoded once, written again and again), then three records whose
 * reasons are "planted 1", "planted 2", "planted 3": the newest, which
 * `history 3` must show.  Every record is whole and checksummed, so a
 * reader that went through the whole file would find nothing wrong; it
 * would only be slow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/node/state.h"

#define PER_BLOCK	3745	/* records: about 1 MiB */

static int
write_all(int fd, const uint8_t *b, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static struct cmm_hist_rec
rec(uint32_t epoch, const char *reason)
{
	struct cmm_hist_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMIT;
	r.epoch = epoch;
	cmm_set_add(&r.members, 0);
	cmm_set_add(&r.members, 1);
	cmm_set_add(&r.members, 2);
	r.time_ms = (int64_t)time(NULL) * 1000;
	r.uid = -1;
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	return r;
}

int
main(int argc, char **argv)
{
	static uint8_t block[PER_BLOCK * CMM_HIST_REC_SIZE];
	struct cmm_hist_rec r;
	long long mib, total, done = 0;
	char reason[32];
	int fd;

	if (argc != 3 || (mib = atoll(argv[2])) <= 0) {
		fprintf(stderr, "usage: histgen FILE MIB\n");
		return 2;
	}
	for (int i = 0; i < PER_BLOCK; i++) {
		r = rec(1, "filler");
		cmm_hist_encode(&r, block + (size_t)i * CMM_HIST_REC_SIZE);
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	total = mib << 20;
	while (done + (long long)sizeof(block) <= total) {
		if (write_all(fd, block, sizeof(block)) < 0) {
			perror(argv[1]);
			return 1;
		}
		done += (long long)sizeof(block);
	}
	for (int i = 1; i <= 3; i++) {
		uint8_t b[CMM_HIST_REC_SIZE];

		snprintf(reason, sizeof(reason), "planted %d", i);
		r = rec(1 + (uint32_t)i, reason);
		cmm_hist_encode(&r, b);
		if (write_all(fd, b, sizeof(b)) < 0) {
			perror(argv[1]);
			return 1;
		}
	}
	if (close(fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("%lld bytes\n", done + 3 * CMM_HIST_REC_SIZE);
	return 0;
}
