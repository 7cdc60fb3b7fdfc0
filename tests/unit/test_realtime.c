/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/realtime.c: `realtime = yes` gives the calling
 * thread SCHED_RR and locks the memory where permitted (root), and
 * cmm_realtime_release gives both back, as the daemon does on its way
 * out; `realtime = no` changes nothing.  Where SCHED_RR is not permitted
 * the first case is skipped (a skip, never a pass).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "src/node/realtime.h"

/* AddressSanitizer makes mlockall a no-op that succeeds */
#if defined(__SANITIZE_ADDRESS__)
#define LOCK_SEEN	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCK_SEEN	0
#endif
#endif
#ifndef LOCK_SEEN
#define LOCK_SEEN	1
#endif

static struct cmm_rt_status st;

/* whatever a case left: the next one starts at the normal policy */
static int
release(void **state)
{
	(void)state;
	cmm_realtime_release(&st);
	return 0;
}

/* the calling thread's policy without SCHED_RESET_ON_FORK */
static int
policy(void)
{
	return sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
}

/* VmLck of this process in kB, or -1 */
static long
locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
test_yes_then_release(void **state)
{
	size_t len = (size_t)1 << 16;
	char *p;

	(void)state;
	cmm_realtime_apply(CMM_RT_YES, &st);
	if (!st.sched_rr) {
		cmm_realtime_release(&st);
		assert_int_equal(policy(), SCHED_OTHER);
		/* only where SCHED_RR is not permitted (not root): reported
		 * as skipped by tests/run.sh, never as passed */
		print_message("realtime not permitted here: %s\n", st.why);
		skip();
	}
	assert_int_equal(policy(), SCHED_RR);
	assert_int_equal(st.priority, CMM_RT_PRIORITY);
	/* a mapping made and touched after the lock is locked (MCL_FUTURE,
	 * MCL_ONFAULT) */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 1, len);
	if (st.locked && LOCK_SEEN)
		assert_true(locked_kb() >= 64);
	cmm_realtime_release(&st);
	assert_int_equal(policy(), SCHED_OTHER);
	assert_int_equal(locked_kb(), 0);
	munmap(p, len);
}

static void
test_no(void **state)
{
	(void)state;
	cmm_realtime_apply(CMM_RT_NO, &st);
	assert_false(st.sched_rr);
	assert_false(st.locked);
	assert_string_equal(st.why, "");
	assert_int_equal(policy(), SCHED_OTHER);
	cmm_realtime_release(&st);
	assert_int_equal(policy(), SCHED_OTHER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_yes_then_release, release),
		cmocka_unit_test_teardown(test_no, release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
