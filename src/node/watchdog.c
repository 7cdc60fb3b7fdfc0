/* SPDX-License-Identifier: GPL-3.0-or-later */
/* watchdog: the watchdog file and the cadence of its pets (watchdog.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "src/node/log.h"
#include "src/node/watchdog.h"

enum wd_kind { WD_DEVICE, WD_FIFO, WD_FILE };

static const char *const wd_kind_names[] = { "device", "fifo", "file" };

struct cmm_watchdog {
	struct event_base	*base;
	struct cmm_log		*log;
	char			*path;
	enum wd_kind		kind;
	int			timeout_s;
	int64_t			interval_ms;
	cmm_wd_may_pet_fn	may_pet;
	void			*ctx;
	struct event		*timer;
	int			fd;		/* -1: not armed */
	bool			petting;
	const char		*why;
	int64_t			last_cb;	/* the timer's last run; -1 */
	int64_t			last_pet;	/* -1: never */
	uint64_t		pets;
	bool			write_failed;	/* said once */
};

static int64_t
wd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line per change of mind, not one per tick. */
static void
wd_decide(struct cmm_watchdog *w, bool pet, const char *why)
{
	if (pet && !w->petting)
		cmm_logf(w->log, CMM_LOG_INFO, "watchdog %s: petting", w->path);
	else if (!pet && (w->petting || w->why == NULL ||
	    strcmp(w->why, why) != 0))
		cmm_logf(w->log, w->petting ? CMM_LOG_WARN : CMM_LOG_INFO,
		    "watchdog %s: not petting: %s%s", w->path, why,
		    w->kind == WD_DEVICE ? "; the machine resets unless "
		    "this changes within the timeout" : "");
	w->petting = pet;
	w->why = pet ? "" : why;
}

static void
wd_pet(struct cmm_watchdog *w, int64_t now)
{
	/* any byte but 'V': a 'V' would allow the magic close */
	static const char beat = '.';
	ssize_t n;

	do
		n = write(w->fd, &beat, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1) {
		w->last_pet = now;
		w->pets++;
		w->write_failed = false;
		return;
	}
	cmm_logf(w->log, w->write_failed ? CMM_LOG_DEBUG : CMM_LOG_ERROR,
	    "watchdog %s: cannot write: %s", w->path, n < 0 ? strerror(errno) :
	    "nothing written");
	w->write_failed = true;
}

static void
wd_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_watchdog *w = arg;
	int64_t now = wd_now(), gap = w->last_cb < 0 ? 0 : now - w->last_cb;
	const char *why = NULL;

	(void)fd;
	(void)what;
	w->last_cb = now;
	if (w->fd < 0)
		return;
	/* the timer came late: the loop stalled (stopped, starved, a
	 * blocking call), so what the node believes may be stale until it
	 * has read what arrived meanwhile; the next run decides */
	if (gap > w->interval_ms + (w->interval_ms > 100 ? w->interval_ms :
	    100)) {
		cmm_logf(w->log, gap > w->timeout_s * 1000 / 3 ? CMM_LOG_WARN :
		    CMM_LOG_DEBUG, "watchdog %s: the event loop stalled for "
		    "%lld ms; this pet skipped", w->path, (long long)gap);
		return;
	}
	if (!w->may_pet(w->ctx, now, &why)) {
		wd_decide(w, false, why != NULL ? why : "?");
		return;
	}
	wd_decide(w, true, "");
	wd_pet(w, now);
}

struct cmm_watchdog *
cmm_watchdog_new(struct event_base *base, const char *path, int timeout_s,
    int64_t interval_ms, cmm_wd_may_pet_fn may_pet, void *ctx,
    struct cmm_log *log, char *err, size_t errlen)
{
	struct cmm_watchdog *w;
	struct stat st;
	struct timeval tv;
	enum wd_kind kind;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "watchdog %s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISCHR(st.st_mode))
		kind = WD_DEVICE;
	else if (S_ISFIFO(st.st_mode))
		kind = WD_FIFO;
	else if (S_ISREG(st.st_mode))
		kind = WD_FILE;
	else {
		snprintf(err, errlen, "watchdog %s: not a watchdog device, a "
		    "FIFO or a regular file", path);
		return NULL;
	}
	if (timeout_s < 1 || timeout_s > CMM_WD_TIMEOUT_MAX || interval_ms < 1) {
		snprintf(err, errlen, "watchdog %s: bad timeout %d s", path,
		    timeout_s);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->path = strdup(path)) == NULL) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->base = base;
	w->log = log;
	w->kind = kind;
	w->timeout_s = timeout_s;
	w->interval_ms = interval_ms;
	w->may_pet = may_pet;
	w->ctx = ctx;
	w->fd = -1;
	w->last_cb = -1;
	w->last_pet = -1;
	w->why = "not armed yet (armed when the node first becomes a member)";
	w->timer = event_new(base, -1, EV_PERSIST, wd_timer_cb, w);
	tv.tv_sec = interval_ms / 1000;
	tv.tv_usec = (interval_ms % 1000) * 1000;
	if (w->timer == NULL || event_add(w->timer, &tv) < 0) {
		snprintf(err, errlen, "watchdog %s: cannot set up its timer",
		    path);
		cmm_watchdog_free(w);
		return NULL;
	}
	return w;
}

/* A watchdog device: set the timeout; the driver may round it, and a
 * longer one than configured is refused (the timeout is a promise about
 * when this machine is gone). */
static int
wd_set_timeout(struct cmm_watchdog *w, char *err, size_t errlen)
{
	int t = w->timeout_s;

	if (ioctl(w->fd, WDIOC_SETTIMEOUT, &t) < 0) {
		snprintf(err, errlen, "watchdog %s: cannot set a timeout of %d s "
		    "(WDIOC_SETTIMEOUT): %s", w->path, w->timeout_s,
		    errno == ENOTTY ? "not a watchdog device" : strerror(errno));
		return -1;
	}
	if (t > w->timeout_s) {
		snprintf(err, errlen, "watchdog %s: the device set a timeout of "
		    "%d s, longer than watchdog_timeout_s = %d", w->path, t,
		    w->timeout_s);
		return -1;
	}
	if (t != w->timeout_s)
		cmm_logf(w->log, CMM_LOG_INFO, "watchdog %s: the device rounded "
		    "the timeout to %d s", w->path, t);
	return 0;
}

int
cmm_watchdog_arm(struct cmm_watchdog *w, char *err, size_t errlen)
{
	/* non-blocking: a FIFO nobody drains must not stall the loop (its
	 * open fails without a reader, a full one fails a write: logged) */
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (w->fd >= 0)
		return 0;
	if (w->kind == WD_FILE)
		flags |= O_APPEND;
	w->fd = open(w->path, flags);
	if (w->fd < 0) {
		snprintf(err, errlen, "watchdog %s: cannot open: %s", w->path,
		    errno == ENXIO && w->kind == WD_FIFO ? "no reader on the "
		    "FIFO" : strerror(errno));
		return -1;
	}
	if (w->kind == WD_DEVICE && wd_set_timeout(w, err, errlen) < 0) {
		/* the device runs now: stop it again, nothing was promised */
		cmm_watchdog_disarm(w);
		return -1;
	}
	cmm_logf(w->log, CMM_LOG_INFO, "watchdog %s (%s) armed: %d s timeout, "
	    "petted every %lld ms while this node is a quorate member",
	    w->path, wd_kind_names[w->kind], w->timeout_s,
	    (long long)w->interval_ms);
	w->why = "armed, not petted yet";
	/* the first pet at once: the timer's next run may be a while off */
	w->last_cb = wd_now();
	wd_timer_cb(-1, 0, w);
	return 0;
}

void
cmm_watchdog_disarm(struct cmm_watchdog *w)
{
	ssize_t n;

	if (w == NULL || w->fd < 0)
		return;
	do
		n = write(w->fd, "V", 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		cmm_logf(w->log, CMM_LOG_ERROR, "watchdog %s: cannot write the "
		    "magic close: %s%s", w->path, n < 0 ? strerror(errno) :
		    "nothing written", w->kind == WD_DEVICE ? "; the machine "
		    "resets when the timeout runs out" : "");
	close(w->fd);
	w->fd = -1;
	w->petting = false;
	w->why = "disarmed (graceful stop)";
	if (n == 1)
		cmm_logf(w->log, CMM_LOG_INFO, "watchdog %s: disarmed", w->path);
}

void
cmm_watchdog_status(const struct cmm_watchdog *w, struct cmm_wd_status *s)
{
	memset(s, 0, sizeof(*s));
	s->path = w->path;
	s->kind = wd_kind_names[w->kind];
	s->timeout_s = w->timeout_s;
	s->interval_ms = w->interval_ms;
	s->armed = w->fd >= 0;
	s->petting = w->fd >= 0 && w->petting;
	s->why = s->petting ? "" : w->why;
	s->last_pet_ms = w->last_pet < 0 ? -1 : wd_now() - w->last_pet;
	s->pets = w->pets;
}

void
cmm_watchdog_free(struct cmm_watchdog *w)
{
	if (w == NULL)
		return;
	if (w->timer != NULL)
		event_free(w->timer);
	if (w->fd >= 0) {
		cmm_logf(w->log, CMM_LOG_WARN, "watchdog %s: closed without the "
		    "magic close%s", w->path, w->kind == WD_DEVICE ? ": the "
		    "machine resets when the timeout runs out" : "");
		close(w->fd);
	}
	free(w->path);
	free(w);
}
