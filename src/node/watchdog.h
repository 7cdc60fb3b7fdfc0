/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * watchdog: self-fencing with a watchdog (config `watchdog`,
 * `watchdog_timeout_s`; assets/cmm.conf.5, docs/PROTOCOL.md "Watchdog
 * self-fencing").
 *
 * Fencing by device registration is cooperative: a node that hangs, or
 * never checks its registration, goes on touching shared data.  A watchdog
 * is not: the node writes to it ("pets" it) only while it may act as a
 * member, and once the writes stop for the timeout the kernel resets the
 * machine.  The path is either a watchdog device (a character device that
 * answers WDIOC_SETTIMEOUT: /dev/watchdog, softdog) or a FIFO or regular
 * file, which only records the writes (for tests and for a supervisor that
 * reads them); `status` says which.
 *
 * This module owns the file and the cadence: a timer on the daemon's loop
 * asks the caller's may_pet whether to pet, and does not pet after the
 * loop itself stalled (the timer came late: whatever the node believes
 * may be stale until the loop has caught up).  A pet is one byte that is
 * not 'V'; a graceful stop writes 'V' and closes (the kernel's "magic
 * close": the watchdog stops); any other end closes without it, so a
 * device goes on counting down and resets the machine.
 *
 * The device is armed (opened) by cmm_watchdog_arm, which the daemon calls
 * when the node first becomes a member, not at start: a node that has
 * never been a member holds nothing to fence, and arming at start would
 * reset every node of a cluster that takes longer than the timeout to
 * form.  cmm_watchdog_new only checks the path, so a wrong one is an error
 * at start.
 */
#ifndef CMM_WATCHDOG_H
#define CMM_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct cmm_log;
struct cmm_watchdog;

#define CMM_WD_TIMEOUT_MAX	3600	/* s: the kernel API's int seconds */

/* true: pet now.  false: do not, with a one-line reason in *why (a static
 * string).  now is CLOCK_MONOTONIC in ms. */
typedef bool (*cmm_wd_may_pet_fn)(void *ctx, int64_t now, const char **why);

struct cmm_wd_status {
	const char	*path;
	const char	*kind;		/* "device", "fifo", "file" */
	int		timeout_s;
	int64_t		interval_ms;	/* between pets */
	bool		armed;		/* open; not disarmed */
	bool		petting;	/* the last decision was to pet */
	const char	*why;		/* not petting: why ("" when petting) */
	int64_t		last_pet_ms;	/* ago; -1: never */
	uint64_t	pets;
};

/* Checks that path is a watchdog device, a FIFO or a regular file (it is
 * not created), and sets up the timer: every interval_ms, may_pet decides.
 * NULL with one line in err. */
struct cmm_watchdog *cmm_watchdog_new(struct event_base *base,
	    const char *path, int timeout_s, int64_t interval_ms,
	    cmm_wd_may_pet_fn may_pet, void *ctx, struct cmm_log *log,
	    char *err, size_t errlen);
/* Opens the path (a device starts counting down; its timeout is set with
 * WDIOC_SETTIMEOUT) and starts the timer.  Does nothing when armed.  0, or
 * -1 with one line in err. */
int	cmm_watchdog_arm(struct cmm_watchdog *w, char *err, size_t errlen);
/* The graceful stop: 'V', then close (the device stops). */
void	cmm_watchdog_disarm(struct cmm_watchdog *w);
void	cmm_watchdog_status(const struct cmm_watchdog *w,
	    struct cmm_wd_status *s);
/* Closes without the magic 'V' when still armed: a device keeps counting
 * and resets the machine.  NULL is fine. */
void	cmm_watchdog_free(struct cmm_watchdog *w);

#endif
