/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for quorum/device.c and quorum/device_file.c: the reservation
 * rules of DESIGN §3, run identically against the in-memory and the file
 * backend, plus the file backend's corruption handling and its OFD lock
 * across processes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "quorum/device.h"
#include "quorum/device_file.h"

static char tmpdir[64];
static int file_seq;

static struct cmm_set
set_of(const char *text)
{
	struct cmm_set s;
	const char *why = NULL;

	assert_int_equal(cmm_set_parse(text, CMM_MAX_NODES, NULL, &s, &why), 0);
	return s;
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* A fresh path in the test's temporary directory. */
static void
new_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/dev%d", tmpdir, file_seq++);
}

/* Backends under test, each giving a fresh, empty device. */
static struct cmm_device *
open_mem(void)
{
	return cmm_device_mem_new();
}

static struct cmm_device *
open_file(void)
{
	char path[128], err[256];
	struct cmm_device *d;

	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	return d;
}

static enum cmm_dev_status
dev_reserve(struct cmm_device *d, int node, uint32_t epoch)
{
	char err[256] = "";

	return d->ops->reserve(d, node, epoch, err, sizeof(err));
}

static enum cmm_dev_status
dev_fence(struct cmm_device *d, int by, const char *departed, uint32_t epoch)
{
	struct cmm_set gone = set_of(departed);
	char err[256] = "";

	return d->ops->fence(d, by, &gone, epoch, err, sizeof(err));
}

static void
dev_register(struct cmm_device *d, const char *nodes)
{
	struct cmm_set s = set_of(nodes);
	char err[256] = "";

	for (int i = cmm_set_next(&s, 0); i >= 0; i = cmm_set_next(&s, i + 1))
		assert_int_equal(d->ops->register_node(d, i, err, sizeof(err)),
		    CMM_DEV_OK);
}

/* Asserts the device holds exactly (registered, holder, epoch). */
static void
dev_expect(struct cmm_device *d, const char *registered, int holder,
    uint32_t epoch)
{
	struct cmm_devrec r;
	struct cmm_set want = set_of(registered);
	char err[256] = "";

	assert_int_equal(d->ops->read(d, &r, err, sizeof(err)), CMM_DEV_OK);
	assert_true(cmm_set_eq(&r.registered, &want));
	assert_int_equal(r.holder, holder);
	assert_int_equal(r.epoch, epoch);
}

/* The rule table, run once per backend. */
static void
run_table(struct cmm_device *(*mk)(void))
{
	struct cmm_device *d;

	/* fresh: nobody registered, nobody holds it */
	d = mk();
	dev_expect(d, "-", -1, 0);
	assert_string_equal(d->ops->name, mk == open_mem ? "mem" : "file");
	d->ops->close(d);

	/* race, device shared and free: the first reservation wins */
	d = mk();
	assert_int_equal(dev_reserve(d, 0, 5), CMM_DEV_OK);
	dev_expect(d, "-", 0, 5);
	/* shared and taken: the other side loses the same epoch's race */
	assert_int_equal(dev_reserve(d, 1, 5), CMM_DEV_CONFLICT);
	dev_expect(d, "-", 0, 5);
	/* ... and any older one */
	assert_int_equal(dev_reserve(d, 1, 4), CMM_DEV_CONFLICT);
	dev_expect(d, "-", 0, 5);
	d->ops->close(d);

	/* a stale reservation from an older epoch is taken over */
	d = mk();
	assert_int_equal(dev_reserve(d, 0, 3), CMM_DEV_OK);
	assert_int_equal(dev_reserve(d, 1, 5), CMM_DEV_OK);
	dev_expect(d, "-", 1, 5);
	d->ops->close(d);

	/* our own reservation: renewed, and its epoch never falls */
	d = mk();
	assert_int_equal(dev_reserve(d, 2, 5), CMM_DEV_OK);
	assert_int_equal(dev_reserve(d, 2, 5), CMM_DEV_OK);
	dev_expect(d, "-", 2, 5);
	assert_int_equal(dev_reserve(d, 2, 7), CMM_DEV_OK);
	dev_expect(d, "-", 2, 7);
	assert_int_equal(dev_reserve(d, 2, 4), CMM_DEV_OK);
	dev_expect(d, "-", 2, 7);
	d->ops->close(d);

	/* fence: the departed lose their registration, by takes the device */
	d = mk();
	dev_register(d, "0-3");
	dev_register(d, "1");
	dev_expect(d, "0-3", -1, 0);
	assert_int_equal(dev_fence(d, 0, "2-3,9", 5), CMM_DEV_OK);
	dev_expect(d, "0-1", 0, 5);
	/* a fenced node registers again once readmitted */
	dev_register(d, "3");
	dev_expect(d, "0-1,3", 0, 5);
	d->ops->close(d);

	/* fence over an older reservation of the departed node */
	d = mk();
	dev_register(d, "0-1");
	assert_int_equal(dev_reserve(d, 1, 3), CMM_DEV_OK);
	assert_int_equal(dev_fence(d, 0, "1", 5), CMM_DEV_OK);
	dev_expect(d, "0", 0, 5);
	d->ops->close(d);

	/* a newer epoch holds it: we are the stale side, nothing changes */
	d = mk();
	dev_register(d, "0-2");
	assert_int_equal(dev_reserve(d, 1, 9), CMM_DEV_OK);
	assert_int_equal(dev_fence(d, 0, "1", 5), CMM_DEV_CONFLICT);
	dev_expect(d, "0-2", 1, 9);
	d->ops->close(d);

	/* same epoch, another holder: a fellow member fenced first */
	d = mk();
	dev_register(d, "0-2");
	assert_int_equal(dev_fence(d, 1, "2", 5), CMM_DEV_OK);
	assert_int_equal(dev_fence(d, 0, "2", 5), CMM_DEV_OK);
	dev_expect(d, "0-1", 1, 5);
	/* and the holder fencing again keeps it */
	assert_int_equal(dev_fence(d, 1, "-", 5), CMM_DEV_OK);
	dev_expect(d, "0-1", 1, 5);
	d->ops->close(d);

	/* an id the device cannot hold is an error, not a crash */
	d = mk();
	{
		char err[256] = "";
		struct cmm_set none = set_of("-");

		assert_int_equal(d->ops->reserve(d, CMM_MAX_NODES, 1, err,
		    sizeof(err)), CMM_DEV_IO);
		assert_contains(err, "out of range");
		assert_int_equal(d->ops->register_node(d, -1, err, sizeof(err)),
		    CMM_DEV_IO);
		assert_int_equal(d->ops->fence(d, -5, &none, 1, err,
		    sizeof(err)), CMM_DEV_IO);
	}
	dev_expect(d, "-", -1, 0);
	d->ops->close(d);
}

static void
test_table_mem(void **state)
{
	(void)state;
	run_table(open_mem);
}

static void
test_table_file(void **state)
{
	(void)state;
	run_table(open_file);
}

/* The shared rules straight on a record, including the edge ids. */
static void
test_devrec_rules(void **state)
{
	struct cmm_devrec r;
	struct cmm_set gone = set_of("1");

	(void)state;
	cmm_devrec_init(&r);
	assert_int_equal(r.holder, -1);
	assert_int_equal(r.epoch, 0);
	assert_true(cmm_set_empty(&r.registered));
	assert_int_equal(cmm_devrec_reserve(&r, 1023, 1), CMM_DEV_OK);
	assert_int_equal(cmm_devrec_reserve(&r, 1024, 2), CMM_DEV_CONFLICT);
	assert_int_equal(cmm_devrec_reserve(&r, -1, 2), CMM_DEV_CONFLICT);
	assert_int_equal(r.holder, 1023);
	assert_int_equal(r.epoch, 1);
	cmm_set_add(&r.registered, 1);
	assert_int_equal(cmm_devrec_fence(&r, 0, NULL, 1), CMM_DEV_OK);
	assert_int_equal(r.holder, 1023);
	assert_true(cmm_set_has(&r.registered, 1));
	assert_int_equal(cmm_devrec_fence(&r, 0, &gone, 2), CMM_DEV_OK);
	assert_int_equal(r.holder, 0);
	assert_int_equal(r.epoch, 2);
	assert_false(cmm_set_has(&r.registered, 1));
	assert_string_equal(cmm_dev_status_name(CMM_DEV_OK), "ok");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_CONFLICT), "conflict");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_IO), "io");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_CORRUPT), "corrupt");
	assert_string_equal(cmm_dev_status_name((enum cmm_dev_status)42), "?");
}

/* Overwrites len bytes at off of the file at path. */
static void
poke(const char *path, off_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void
peek(const char *path, off_t off, void *bytes, size_t len)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void
test_file_open(void **state)
{
	char path[128], err[256];
	struct cmm_device *d, *d2;
	struct stat st;

	(void)state;
	new_path(path, sizeof(path));
	/* absent without create: a one-line error naming the file */
	assert_null(cmm_device_file_open(path, false, err, sizeof(err)));
	assert_contains(err, path);
	assert_contains(err, "No such file");
	/* empty without create: not a device */
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_null(cmm_device_file_open(path, false, err, sizeof(err)));
	assert_contains(err, "empty file");
	/* empty with create: initialised to a full record */
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, CMM_DEVFILE_SIZE);
	dev_register(d, "4");
	assert_int_equal(dev_reserve(d, 4, 8), CMM_DEV_OK);
	d->ops->close(d);
	/* create never overwrites a record that is there */
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	dev_expect(d, "4", 4, 8);
	/* two handles see each other's changes */
	d2 = cmm_device_file_open(path, false, err, sizeof(err));
	assert_non_null(d2);
	assert_int_equal(dev_reserve(d2, 5, 9), CMM_DEV_OK);
	dev_expect(d, "4", 5, 9);
	assert_int_equal(dev_reserve(d, 4, 9), CMM_DEV_CONFLICT);
	d2->ops->close(d2);
	d->ops->close(d);
	/* a directory is refused */
	assert_null(cmm_device_file_open(tmpdir, false, err, sizeof(err)));
	assert_contains(err, tmpdir);
	assert_null(cmm_device_file_open("", true, err, sizeof(err)));
}

/* The on-disk layout is fixed: big-endian, generation bumped on changes. */
static void
test_file_format(void **state)
{
	char path[128], err[256];
	unsigned char b[8];
	unsigned char gen0[8], gen1[8];
	struct cmm_device *d;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	peek(path, 0, b, 8);
	assert_memory_equal(b, "CMMQDEV", 8);
	peek(path, 24, gen0, 8);
	assert_int_equal(dev_reserve(d, 258, 0x01020304), CMM_DEV_OK);
	peek(path, 16, b, 8);
	assert_memory_equal(b, "\x00\x00\x01\x02\x01\x02\x03\x04", 8);
	peek(path, 24, gen1, 8);
	assert_memory_not_equal(gen0, gen1, 8);
	/* a refused reservation writes nothing */
	assert_int_equal(dev_reserve(d, 1, 7), CMM_DEV_CONFLICT);
	peek(path, 24, gen0, 8);
	assert_memory_equal(gen0, gen1, 8);
	/* node 0's bit is the low bit of the first big-endian word */
	dev_register(d, "0");
	peek(path, 32, b, 8);
	assert_memory_equal(b, "\x00\x00\x00\x00\x00\x00\x00\x01", 8);
	d->ops->close(d);
}

/* Every operation on a damaged record says CORRUPT and changes nothing. */
static void
expect_corrupt(struct cmm_device *d, const char *reason)
{
	struct cmm_devrec r;
	struct cmm_set none = set_of("-");
	char err[256];

	err[0] = '\0';
	assert_int_equal(d->ops->read(d, &r, err, sizeof(err)), CMM_DEV_CORRUPT);
	assert_contains(err, reason);
	err[0] = '\0';
	assert_int_equal(d->ops->reserve(d, 1, 99, err, sizeof(err)),
	    CMM_DEV_CORRUPT);
	assert_contains(err, reason);
	assert_int_equal(d->ops->fence(d, 1, &none, 99, err, sizeof(err)),
	    CMM_DEV_CORRUPT);
	assert_int_equal(d->ops->register_node(d, 1, err, sizeof(err)),
	    CMM_DEV_CORRUPT);
	assert_null(strchr(err, '\n'));
}

static void
test_file_corrupt(void **state)
{
	char path[128], err[256];
	unsigned char before[CMM_DEVFILE_SIZE], after[CMM_DEVFILE_SIZE];
	struct cmm_device *d;

	(void)state;
	/* one flipped bit in the bitmap: checksum */
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	dev_register(d, "0-2");
	poke(path, 40, "\x80", 1);
	peek(path, 0, before, sizeof(before));
	expect_corrupt(d, "bad checksum");
	peek(path, 0, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	d->ops->close(d);
	assert_null(cmm_device_file_open(path, true, err, sizeof(err)));
	assert_contains(err, "bad checksum");
	assert_contains(err, path);

	/* torn or truncated file */
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(truncate(path, 100), 0);
	expect_corrupt(d, "short record (100 of 512 bytes)");
	d->ops->close(d);
	assert_null(cmm_device_file_open(path, false, err, sizeof(err)));
	assert_contains(err, "short record");

	/* not a device at all */
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	poke(path, 0, "#!/bin/sh", 9);
	expect_corrupt(d, "bad magic");
	d->ops->close(d);

	/* a future format version */
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	poke(path, 8, "\x00\x00\x00\x02", 4);
	expect_corrupt(d, "version");
	d->ops->close(d);
}

/* Waits for pid, at most about ten seconds; returns its exit code. */
static int
reap(pid_t pid)
{
	int status;

	for (int i = 0; i < 10000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
		assert_true(r == 0 || errno == EINTR);
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fail_msg("child %d did not finish", (int)pid);
	return -1;
}

/* Child: open its own handle, wait for the start signal, reserve. */
static void
race_child(const char *path, int start_fd, int node, uint32_t epoch)
{
	char err[256], go;
	struct cmm_device *d;
	enum cmm_dev_status s;

	alarm(20);	/* never outlive a broken test */
	d = cmm_device_file_open(path, false, err, sizeof(err));
	if (d == NULL)
		_exit(3);
	if (read(start_fd, &go, 1) != 1)
		_exit(4);
	s = d->ops->reserve(d, node, epoch, err, sizeof(err));
	d->ops->close(d);
	_exit(s == CMM_DEV_OK ? 0 : s == CMM_DEV_CONFLICT ? 1 : 2);
}

/* Two processes race for the same epoch: exactly one wins, every time. */
static void
test_file_race_processes(void **state)
{
	char path[128], err[256];
	struct cmm_device *d;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	for (uint32_t epoch = 1; epoch <= 50; epoch++) {
		int pipefd[2], code[2], wins = 0, winner = -1;
		pid_t pid[2];
		struct cmm_devrec r;

		assert_int_equal(pipe(pipefd), 0);
		for (int k = 0; k < 2; k++) {
			pid[k] = fork();
			assert_true(pid[k] >= 0);
			if (pid[k] == 0) {
				close(pipefd[1]);
				race_child(path, pipefd[0], 10 + k, epoch);
			}
		}
		close(pipefd[0]);
		assert_int_equal(write(pipefd[1], "gg", 2), 2);
		close(pipefd[1]);
		for (int k = 0; k < 2; k++) {
			code[k] = reap(pid[k]);
			assert_true(code[k] == 0 || code[k] == 1);
			if (code[k] == 0) {
				wins++;
				winner = 10 + k;
			}
		}
		assert_int_equal(wins, 1);
		assert_int_equal(d->ops->read(d, &r, err, sizeof(err)),
		    CMM_DEV_OK);
		assert_int_equal(r.holder, winner);
		assert_int_equal(r.epoch, epoch);
	}
	d->ops->close(d);
}

/* A held OFD lock makes an operation wait; releasing it lets it finish. */
static void
test_file_lock_excludes(void **state)
{
	char path[128], err[256], done;
	struct cmm_device *d;
	struct flock fl;
	struct pollfd pfd;
	int fd, pipefd[2];
	pid_t pid;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, err, sizeof(err));
	assert_non_null(d);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = CMM_DEVFILE_SIZE;
	assert_int_equal(fcntl(fd, F_OFD_SETLKW, &fl), 0);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		enum cmm_dev_status s;

		alarm(20);
		close(pipefd[0]);
		s = d->ops->reserve(d, 3, 1, err, sizeof(err));
		_exit(write(pipefd[1], s == CMM_DEV_OK ? "k" : "x", 1) == 1 ?
		    0 : 1);
	}
	close(pipefd[1]);
	/* while we hold the lock the child cannot have finished */
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 300), 0);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(pipefd[0], &done, 1), 1);
	assert_int_equal(done, 'k');
	assert_int_equal(reap(pid), 0);
	close(pipefd[0]);
	close(fd);
	dev_expect(d, "-", 3, 1);
	d->ops->close(d);
}

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cmm-test-device.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_dir(void **state)
{
	char path[128];

	(void)state;
	for (int i = 0; i < file_seq; i++) {
		snprintf(path, sizeof(path), "%s/dev%d", tmpdir, i);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devrec_rules),
		cmocka_unit_test(test_table_mem),
		cmocka_unit_test(test_table_file),
		cmocka_unit_test(test_file_open),
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_file_corrupt),
		cmocka_unit_test(test_file_race_processes),
		cmocka_unit_test(test_file_lock_excludes),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
