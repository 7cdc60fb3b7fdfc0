/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * realtime: heartbeats on a loaded host (config `realtime`,
 * assets/cmm.conf.5).  A daemon at normal priority behind a CPU hog, or
 * paged out, misses its heartbeats and its peers declare it dead.  So the
 * thread that runs the event loop (the thread that calls this) runs
 * SCHED_RR at a modest priority, and the process's memory is locked.
 *
 * Only that thread: SCHED_RESET_ON_FORK gives every thread and process it
 * starts later (device workers, hook children) the normal policy back, and
 * memory locks are not inherited by a child.  The lock is taken with
 * MCL_ONFAULT where the kernel has it, so pages are locked as they are
 * touched: many daemons on one host (the test suite) do not each pin
 * every thread stack they reserved.
 */
#ifndef CMM_REALTIME_H
#define CMM_REALTIME_H

#include <stdbool.h>
#include <stddef.h>

enum cmm_rt_mode {
	CMM_RT_DEFAULT = 0,	/* not in the config: yes when permitted */
	CMM_RT_YES,
	CMM_RT_NO,
};

#define CMM_RT_PRIORITY	10	/* SCHED_RR priority: above normal work,
				 * below the kernel's own realtime threads */

struct cmm_rt_status {
	enum cmm_rt_mode mode;
	bool		sched_rr;	/* SCHED_RR obtained */
	int		priority;	/* when sched_rr */
	bool		locked;		/* mlockall succeeded */
	char		why[160];	/* what was not obtained, and why; "" */
};

/* Applies mode to the calling thread and the process.  Never fails: what
 * was not permitted is in st->why. */
void	cmm_realtime_apply(enum cmm_rt_mode mode, struct cmm_rt_status *st);

/* Undoes what apply obtained (st): the calling thread back to the normal
 * policy, the memory unlocked.  For the way out. */
void	cmm_realtime_release(const struct cmm_rt_status *st);

/* "yes", "no", "default" */
const char *cmm_realtime_mode_name(enum cmm_rt_mode mode);

#endif
