/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the key file rules of cmm_key_load (net/mac.c): a FIFO
 * is refused at once (no writer is waited for), so are a directory and a
 * device; the file must belong to the caller's uid; an all-zero key is
 * refused.  (The format and mode rules are in test_mac.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/mac.h"

static char dir[64], path[128], err[512];

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cmm-test-keyfile-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/key", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
write_key(const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The load of `p` fails with exactly "key file P: rest". */
static void
refused(const char *p, const char *rest)
{
	struct cmm_keys k;
	char want[600];

	snprintf(want, sizeof(want), "key file %s: %s", p, rest);
	assert_int_equal(cmm_key_load(p, &k, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
on_alarm(int sig)
{
	(void)sig;
	fail_msg("cmm_key_load waited on a FIFO");
}

static void
test_fifo(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	/* without O_NONBLOCK the open itself would wait for a writer */
	signal(SIGALRM, on_alarm);
	alarm(5);
	refused(path, "not a regular file (a FIFO)");
	alarm(0);
	unlink(path);
}

static void
test_not_regular(void **state)
{
	(void)state;
	refused(dir, "not a regular file (a directory)");
	refused("/dev/null", "not a regular file (a device)");
}

static void
test_zero_key(void **state)
{
	char text[CMM_KEY_HEXLEN + 2];

	(void)state;
	memset(text, '0', CMM_KEY_HEXLEN);
	text[CMM_KEY_HEXLEN] = '\n';
	text[CMM_KEY_HEXLEN + 1] = '\0';
	write_key(text, 0600);
	refused(path, "the key is all zeros (make a real one with 'cmm "
	    "keygen')");
	/* one bit set is a key (a poor one, but not a known placeholder) */
	text[CMM_KEY_HEXLEN - 1] = '1';
	write_key(text, 0600);
	{
		struct cmm_keys k;

		assert_int_equal(cmm_key_load(path, &k, err, sizeof(err)), 0);
	}
}

static void
test_owner(void **state)
{
	char rest[200];

	(void)state;
	unlink(path);
	if (geteuid() != 0) {
		/* only root can give a file away; anyone else can point at
		 * a file root owns and everyone may read: refused as well */
		const char *other = "/etc/passwd";
		struct stat st;

		assert_int_equal(stat(other, &st), 0);
		assert_int_equal(st.st_uid, 0);
		snprintf(rest, sizeof(rest), "owned by uid 0, not by this "
		    "process's uid %ld (chown %ld %s)", (long)geteuid(),
		    (long)geteuid(), other);
		refused(other, rest);
		return;
	}
	assert_int_equal(cmm_key_generate(path, err, sizeof(err)), 0);
	assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
	snprintf(rest, sizeof(rest), "owned by uid 65534, not by this "
	    "process's uid 0 (chown 0 %s)", path);
	refused(path, rest);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_zero_key),
		cmocka_unit_test(test_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
