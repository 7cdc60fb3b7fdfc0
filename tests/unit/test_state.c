/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/state.c: the state file's round trip, atomic
 * replacement, corruption detection and --forget-state; the history's
 * append/read/tail, a torn last record and damage in the middle; and a
 * crash loop that SIGKILLs a saving process at random moments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/state.h"

static char tmpdir[256];
static char dir[300];		/* a fresh state dir per test */
static int dir_seq;
static char err[1024], warn[1024];

#define HINT	"; start with --forget-state to discard it"

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	char	tmpl[] = "/tmp/cmm-test-state-XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Each test gets its own (not yet existing) state dir. */
static int
new_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/s%d/node", tmpdir, dir_seq++);
	return 0;
}

static void
file_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* A persisted state derived from e, so any loaded one can be checked. */
static struct cmm_persist
make_persist(uint32_t e)
{
	struct cmm_persist p;

	memset(&p, 0, sizeof(p));
	p.epoch = e;
	p.incarnation = e * 3 + 1;
	p.prop_epoch = e + 1;
	p.prop_attempt = e % 7;
	for (int i = 0; i < CMM_MAX_NODES; i += 1 + (int)(e % 13))
		cmm_set_add(&p.members, i);
	cmm_set_add(&p.prop, (int)(e % CMM_MAX_NODES));
	cmm_set_add(&p.prop, CMM_MAX_NODES - 1);
	return p;
}

static void
assert_persist_eq(const struct cmm_persist *a, const struct cmm_persist *b)
{
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->incarnation, b->incarnation);
	assert_int_equal(a->prop_epoch, b->prop_epoch);
	assert_int_equal(a->prop_attempt, b->prop_attempt);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_true(cmm_set_eq(&a->prop, &b->prop));
}

static void
save_ok(const struct cmm_persist *p)
{
	if (cmm_state_save(dir, p, err, sizeof(err)) != 0)
		fail_msg("save: %s", err);
}

static void
corrupt_with(const void *bytes, size_t len)
{
	char	path[400];
	int	fd;

	file_path(path, sizeof(path), "state");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static uint8_t *
read_whole(const char *name, size_t *len)
{
	char	path[400];
	struct stat st;
	uint8_t	*b;
	int	fd;

	file_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
expect_corrupt(const char *why)
{
	struct cmm_persist p;
	char	want[1200];

	snprintf(want, sizeof(want), "%s/state: corrupt state file (%s)" HINT,
	    dir, why);
	assert_int_equal(cmm_state_load(dir, &p, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_state_round_trip(void **state)
{
	struct cmm_persist p, q;
	struct stat st;

	(void)state;
	/* no dir, then an empty dir: a fresh node */
	memset(&q, 0xff, sizeof(q));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	assert_int_equal(q.epoch, 0);
	assert_true(cmm_set_empty(&q.members));
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);

	p = make_persist(41);
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	p = make_persist(42);
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* extreme values survive the encoding */
	memset(&p, 0, sizeof(p));
	p.epoch = UINT32_MAX;
	p.incarnation = UINT32_MAX - 1;
	for (int i = 0; i < CMM_MAX_NODES; i++)
		cmm_set_add(&p.members, i);
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
}

static void
test_state_dir_created(void **state)
{
	struct cmm_persist p = make_persist(1);
	struct stat st;
	char	path[400], want[1200];

	(void)state;
	save_ok(&p);	/* creates s<N> and s<N>/node */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	file_path(path, sizeof(path), "state");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, CMM_STATE_REC_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
	file_path(path, sizeof(path), "state.tmp");
	assert_int_equal(stat(path, &st), -1);
	/* a file in the way of the dir, or of a parent */
	file_path(path, sizeof(path), "state");
	assert_int_equal(cmm_state_dir_create(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a directory", path);
	assert_string_equal(err, want);
	file_path(path, sizeof(path), "state/x");
	assert_int_equal(cmm_state_dir_create(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot create: Not a directory", path);
	assert_string_equal(err, want);
}

/* A failed save leaves the previous state; a stray state.tmp is ignored. */
static void
test_state_atomic(void **state)
{
	struct cmm_persist a = make_persist(7), b = make_persist(8), q;
	char	tmp[400], want[1200];

	(void)state;
	save_ok(&a);
	file_path(tmp, sizeof(tmp), "state.tmp");
	/* a crash while writing the new one left half a file */
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "CMMSTATE garbage", 16), 16);
		close(fd);
	}
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&a, &q);
	assert_int_equal(unlink(tmp), 0);

	/* the temporary file cannot be written (a directory is in the way,
	 * which stops root too): the save fails, the old state stays */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(cmm_state_save(dir, &b, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot create: Is a directory", tmp);
	assert_string_equal(err, want);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&a, &q);
	assert_int_equal(rmdir(tmp), 0);
	save_ok(&b);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&b, &q);
}

static void
test_state_corrupt(void **state)
{
	struct cmm_persist p = make_persist(99), q;
	uint8_t	*good, *bad;
	size_t	len, off;
	char	path[400], want[1200];

	(void)state;
	save_ok(&p);
	good = read_whole("state", &len);
	assert_int_equal(len, CMM_STATE_REC_SIZE);
	bad = malloc(len + 1);
	assert_non_null(bad);

	/* every single flipped bit is caught */
	for (off = 0; off < len; off++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(bad, good, len);
			bad[off] ^= (uint8_t)(1u << bit);
			corrupt_with(bad, len);
			if (cmm_state_load(dir, &q, err, sizeof(err)) != -1)
				fail_msg("flip at byte %zu bit %d accepted", off, bit);
			snprintf(want, sizeof(want), "%s/state: corrupt state file (",
			    dir);
			assert_int_equal(strncmp(err, want, strlen(want)), 0);
			assert_string_equal(err + strlen(err) - strlen(HINT), HINT);
		}
	}
	memcpy(bad, good, len);
	bad[100] ^= 0x10;
	corrupt_with(bad, len);
	expect_corrupt("checksum mismatch");
	memcpy(bad, good, len);
	memcpy(bad, "XMMSTATE", 8);
	corrupt_with(bad, len);
	expect_corrupt("not a cmm state file (bad magic)");
	memcpy(bad, good, len);
	bad[8] = 9;
	corrupt_with(bad, len);
	expect_corrupt("unsupported version");
	corrupt_with(good, len - 1);
	expect_corrupt("truncated");
	corrupt_with(good, 100);
	expect_corrupt("truncated");
	corrupt_with(good, 5);
	expect_corrupt("not a cmm state file (bad magic)");
	corrupt_with(good, 0);
	expect_corrupt("empty");
	memcpy(bad, good, len);
	bad[len] = 0;
	corrupt_with(bad, len + 1);
	expect_corrupt("wrong size");
	corrupt_with(good, len);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);

	/* unreadable: a directory where the file should be */
	file_path(path, sizeof(path), "state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory" HINT, path);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(path), 0);
	free(good);
	free(bad);
}

static void
test_state_forget(void **state)
{
	struct cmm_persist p = make_persist(5), q;
	char	moved[400], want[400];

	(void)state;
	/* nothing to forget */
	assert_int_equal(cmm_state_forget(dir, moved, sizeof(moved), err,
	    sizeof(err)), 0);
	assert_string_equal(moved, "");

	for (int i = 1; i <= 2; i++) {
		save_ok(&p);
		corrupt_with("junk", 4);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
		assert_int_equal(cmm_state_forget(dir, moved, sizeof(moved), err,
		    sizeof(err)), 0);
		snprintf(want, sizeof(want), "%s/state.corrupt.%d", dir, i);
		assert_string_equal(moved, want);
		assert_int_equal(access(want, F_OK), 0);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	}
}

static struct cmm_hist_rec
make_rec(int i)
{
	struct cmm_hist_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = (enum cmm_hist_kind)(CMM_HIST_COMMIT + i % 3);
	r.epoch = (uint32_t)(i + 1);
	cmm_set_add(&r.members, i % CMM_MAX_NODES);
	cmm_set_add(&r.members, 1000);
	r.time_ms = 1764059760123LL + i;
	r.uid = i % 2 ? 1000 + i : -1;
	snprintf(r.reason, sizeof(r.reason), "record %d", i);
	return r;
}

static void
assert_rec_eq(const struct cmm_hist_rec *a, const struct cmm_hist_rec *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->epoch, b->epoch);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_int_equal(a->time_ms, b->time_ms);
	assert_int_equal(a->uid, b->uid);
	assert_string_equal(a->reason, b->reason);
}

struct collect {
	struct cmm_hist_rec	rec[64];
	int			n;
	int			stop_after;	/* 0: never */
};

static int
collect_cb(void *ctx, const struct cmm_hist_rec *r)
{
	struct collect *c = ctx;

	assert_true(c->n < 64);
	c->rec[c->n++] = *r;
	return c->stop_after > 0 && c->n >= c->stop_after;
}

static void
append_ok(int i)
{
	struct cmm_hist_rec r = make_rec(i);

	if (cmm_history_append(dir, &r, err, sizeof(err)) != 0)
		fail_msg("append: %s", err);
}

static int
read_all(struct collect *c)
{
	memset(c, 0, sizeof(*c));
	return cmm_history_read(dir, collect_cb, c, warn, sizeof(warn), err,
	    sizeof(err));
}

static void
test_history(void **state)
{
	struct collect c;
	struct cmm_hist_rec tail[10], r;
	char	path[400];
	struct stat st;
	int	i;

	(void)state;
	assert_int_equal(read_all(&c), 0);	/* none yet */
	assert_string_equal(warn, "");
	for (i = 0; i < 5; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5 * CMM_HIST_REC_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_all(&c), 5);
	assert_string_equal(warn, "");
	for (i = 0; i < 5; i++) {
		r = make_rec(i);
		assert_rec_eq(&c.rec[i], &r);
	}
	/* the callback can stop early */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(cmm_history_read(dir, collect_cb, &c, NULL, 0, err,
	    sizeof(err)), 2);

	assert_int_equal(cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err,
	    sizeof(err)), 3);
	for (i = 0; i < 3; i++) {
		r = make_rec(2 + i);
		assert_rec_eq(&tail[i], &r);
	}
	assert_int_equal(cmm_history_tail(dir, 10, tail, warn, sizeof(warn), err,
	    sizeof(err)), 5);
	r = make_rec(0);
	assert_rec_eq(&tail[0], &r);
	assert_int_equal(cmm_history_tail(dir, 5, tail, warn, sizeof(warn), err,
	    sizeof(err)), 5);
	r = make_rec(4);
	assert_rec_eq(&tail[4], &r);
	assert_int_equal(cmm_history_tail(dir, 0, tail, warn, sizeof(warn), err,
	    sizeof(err)), 0);

	/* a long reason is cut, not overflowed */
	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMAND;
	r.uid = 0;
	memset(r.reason, 'x', sizeof(r.reason));	/* not even terminated */
	assert_int_equal(cmm_history_append(dir, &r, err, sizeof(err)), 0);
	assert_int_equal(read_all(&c), 6);
	assert_int_equal(strlen(c.rec[5].reason), CMM_HIST_REASON_MAX - 1);
}

static void
test_history_format(void **state)
{
	struct cmm_hist_rec r;
	char	buf[256];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMIT;
	r.epoch = 7;
	for (int i = 0; i < 6; i++)
		cmm_set_add(&r.members, i);
	r.time_ms = 1764059760123LL;	/* 2025-11-25T08:36:00.123Z */
	r.uid = -1;
	strcpy(r.reason, "node 3 failed");
	cmm_hist_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "2025-11-25T08:36:00.123Z commit epoch 7 "
	    "members 0-5 uid - node 3 failed");
	r.kind = CMM_HIST_ANSWER;
	r.uid = 1000;
	cmm_set_clear(&r.members);
	strcpy(r.reason, "answer winner 1");
	cmm_hist_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "2025-11-25T08:36:00.123Z answer epoch 7 "
	    "members - uid 1000 answer winner 1");
	assert_string_equal(cmm_hist_kind_name(CMM_HIST_COMMAND), "command");
}

/* A crash mid-append leaves a torn last record: ignored with a warning,
 * and cut off by the next append so it never becomes damage in the middle. */
static void
test_history_torn_tail(void **state)
{
	struct collect c;
	char	path[400], want[1200];
	uint8_t	*b;
	size_t	len;
	int	fd;

	(void)state;
	for (int i = 0; i < 3; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	assert_int_equal(truncate(path, 3 * CMM_HIST_REC_SIZE - 100), 0);
	assert_int_equal(read_all(&c), 2);
	snprintf(want, sizeof(want), "%s: ignored a damaged last record at byte "
	    "%d (truncated)", path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(warn, want);
	assert_int_equal(cmm_history_tail(dir, 1, c.rec, warn, sizeof(warn), err,
	    sizeof(err)), 1);
	assert_string_equal(warn, want);
	assert_int_equal(c.rec[0].epoch, 2);

	append_ok(3);
	assert_int_equal(read_all(&c), 3);
	assert_string_equal(warn, "");
	assert_int_equal(c.rec[2].epoch, 4);

	/* a whole last record with garbage (a torn write on a real disk) */
	b = read_whole("history", &len);
	assert_int_equal(len, 3 * CMM_HIST_REC_SIZE);
	memset(b + 2 * CMM_HIST_REC_SIZE + 20, 0, 50);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	assert_int_equal(read_all(&c), 2);
	snprintf(want, sizeof(want), "%s: ignored a damaged last record at byte "
	    "%d (checksum mismatch)", path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(warn, want);
	append_ok(4);
	assert_int_equal(read_all(&c), 3);
	assert_string_equal(warn, "");
	assert_int_equal(c.rec[2].epoch, 5);
}

static void
test_history_corrupt_middle(void **state)
{
	struct collect c;
	struct cmm_hist_rec tail[4];
	char	path[400], want[1200];
	uint8_t	*b;
	size_t	len;
	int	fd;

	(void)state;
	for (int i = 0; i < 4; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	b = read_whole("history", &len);
	b[CMM_HIST_REC_SIZE + 30] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	assert_int_equal(read_all(&c), -1);
	snprintf(want, sizeof(want), "%s: corrupt record at byte %d (checksum "
	    "mismatch)", path, CMM_HIST_REC_SIZE);
	assert_string_equal(err, want);
	assert_int_equal(c.n, 1);	/* the good one before it was delivered */
	assert_int_equal(cmm_history_tail(dir, 2, tail, warn, sizeof(warn), err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);

	/* bad magic in the middle, a torn record followed by more data */
	b[CMM_HIST_REC_SIZE + 30] ^= 1;
	b[2 * CMM_HIST_REC_SIZE] = 'X';
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	assert_int_equal(read_all(&c), -1);
	snprintf(want, sizeof(want), "%s: corrupt record at byte %d (bad magic)",
	    path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(err, want);
	free(b);
}

/* The child: from the loaded epoch on, save epoch after epoch (and append
 * a history record each time) until killed; says "ready" after the first. */
static void
crash_child(int ready_fd)
{
	struct cmm_persist p;
	struct cmm_hist_rec r;
	char	e[256];
	uint32_t epoch;

	if (cmm_state_load(dir, &p, e, sizeof(e)) != 0)
		_exit(10);
	epoch = p.epoch;
	for (;;) {
		epoch++;
		p = make_persist(epoch);
		if (cmm_state_save(dir, &p, e, sizeof(e)) != 0)
			_exit(11);
		memset(&r, 0, sizeof(r));
		r.kind = CMM_HIST_COMMIT;
		r.epoch = epoch;
		r.uid = -1;
		if (cmm_history_append(dir, &r, e, sizeof(e)) != 0)
			_exit(12);
		if (ready_fd >= 0) {
			if (write(ready_fd, "r", 1) != 1)
				_exit(13);
			close(ready_fd);
			ready_fd = -1;
		}
	}
}

struct monotone {
	uint32_t	last;
	bool		bad;
};

static int
hist_monotone_cb(void *ctx, const struct cmm_hist_rec *r)
{
	struct monotone *m = ctx;

	if (r->epoch <= m->last)
		m->bad = true;
	m->last = r->epoch;
	return 0;
}

/* SIGKILL a saving process at random moments: the state always loads,
 * its epoch never goes back, the history always reads. */
static void
test_state_crash_loop(void **state)
{
	struct cmm_persist p, want;
	struct monotone m;
	uint32_t last = 1;
	unsigned seed = 12345;
	int	round, status, pfd[2], n;
	pid_t	pid;
	char	c;

	(void)state;
	p = make_persist(1);
	save_ok(&p);
	for (round = 0; round < 50; round++) {
		struct timespec ts;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			crash_child(pfd[1]);
		}
		close(pfd[1]);
		/* wait for one complete save, so the kill lands in the loop */
		do
			n = (int)read(pfd[0], &c, 1);
		while (n < 0 && errno == EINTR);
		close(pfd[0]);
		seed = seed * 1103515245u + 12345u;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((seed >> 8) % 3000) * 1000;	/* 0-3 ms */
		if (n == 1)
			nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (n != 1 || !WIFSIGNALED(status))
			fail_msg("round %d: the child failed (status %#x)", round,
			    status);

		if (cmm_state_load(dir, &p, err, sizeof(err)) != 0)
			fail_msg("round %d: %s", round, err);
		if (p.epoch < last)
			fail_msg("round %d: epoch went back from %u to %u", round,
			    last, p.epoch);
		want = make_persist(p.epoch);
		assert_persist_eq(&p, &want);
		last = p.epoch;

		memset(&m, 0, sizeof(m));
		if (cmm_history_read(dir, hist_monotone_cb, &m, warn,
		    sizeof(warn), err, sizeof(err)) < 0)
			fail_msg("round %d: %s", round, err);
		if (m.bad)
			fail_msg("round %d: history epochs not increasing", round);
		/* recorded right after each save: at most the last is missing */
		if (m.last + 1 < last)
			fail_msg("round %d: history ends at %u, state at %u", round,
			    m.last, last);
	}
	print_message("crash loop: %d kills, final epoch %u\n", round, last);
	/* each round saved at least once */
	assert_true(last >= 51);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_state_round_trip, new_dir),
		cmocka_unit_test_setup(test_state_dir_created, new_dir),
		cmocka_unit_test_setup(test_state_atomic, new_dir),
		cmocka_unit_test_setup(test_state_corrupt, new_dir),
		cmocka_unit_test_setup(test_state_forget, new_dir),
		cmocka_unit_test_setup(test_history, new_dir),
		cmocka_unit_test_setup(test_history_format, new_dir),
		cmocka_unit_test_setup(test_history_torn_tail, new_dir),
		cmocka_unit_test_setup(test_history_corrupt_middle, new_dir),
		cmocka_unit_test_setup(test_state_crash_loop, new_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
