/* SPDX-License-Identifier: GPL-3.0-or-later */
/* realtime: SCHED_RR for the loop's thread and locked memory (realtime.h). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "src/node/realtime.h"

#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif

static void
rt_why(struct cmm_rt_status *st, const char *what, int err)
{
	size_t used = strlen(st->why);

	snprintf(st->why + used, sizeof(st->why) - used, "%s%s: %s",
	    used > 0 ? "; " : "", what, err == EPERM ? "not permitted (needs "
	    "CAP_SYS_NICE or RLIMIT_RTPRIO)" : err == ENOMEM || err == EAGAIN ?
	    "not permitted (RLIMIT_MEMLOCK too small, or no CAP_IPC_LOCK)" :
	    strerror(err));
}

void
cmm_realtime_apply(enum cmm_rt_mode mode, struct cmm_rt_status *st)
{
	struct sched_param sp;

	memset(st, 0, sizeof(*st));
	st->mode = mode;
	if (mode == CMM_RT_NO)
		return;
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = CMM_RT_PRIORITY;
	/* pid 0: this thread only (Linux schedules threads, not processes) */
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == 0) {
		st->sched_rr = true;
		st->priority = CMM_RT_PRIORITY;
	} else
		rt_why(st, "SCHED_RR", errno);
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0 ||
	    (errno == EINVAL && mlockall(MCL_CURRENT | MCL_FUTURE) == 0))
		st->locked = true;
	else
		rt_why(st, "mlockall", errno);
}

void
cmm_realtime_release(const struct cmm_rt_status *st)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	if (st->sched_rr)
		(void)sched_setscheduler(0, SCHED_OTHER, &sp);
	if (st->locked)
		(void)munlockall();
}

const char *
cmm_realtime_mode_name(enum cmm_rt_mode mode)
{
	switch (mode) {
	case CMM_RT_YES:
		return "yes";
	case CMM_RT_NO:
		return "no";
	case CMM_RT_DEFAULT:
		break;
	}
	return "default";
}
