/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hook: the hook runner (see hook.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "src/node/hook.h"
#include "util/timefmt.h"

extern char **environ;

#define HOOK_PARALLEL	4	/* at most this many at once */
#define HOOK_QUEUE	64	/* then this many wait */
#define HOOK_LIST_MAX	8192	/* "0,1,2,..." for up to 1024 nodes */

struct hook_req {
	char		event[16];
	char		prompt[16];
	uint64_t	seq;		/* CMM_SEQ */
	int64_t		wall_ms;	/* CMM_TIME: when the event was queued */
	int		node;
	uint32_t	epoch;
	struct cmm_set	members, departed, joined;
};

struct hook_run {
	struct cmm_hook	*h;
	pid_t		pid;		/* 0: slot free */
	int64_t		start_ms;
	bool		killed;
	struct event	*timer;
	char		what[64];	/* "commit (epoch 4)" */
};

struct cmm_hook {
	struct event_base	*base;
	char			*path;
	char			cluster[64];	/* CMM_CLUSTER */
	uint64_t		seq;		/* the last CMM_SEQ given out */
	int64_t			timeout_ms;
	cmm_hook_report		report;
	void			*ctx;
	struct event		*sigchld;
	struct hook_run		run[HOOK_PARALLEL];
	struct hook_req		queue[HOOK_QUEUE];
	int			q_head, q_len;
};

static int64_t
hook_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
hook_reportf(struct cmm_hook *h, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
hook_reportf(struct cmm_hook *h, int warn, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (h->report != NULL)
		h->report(h->ctx, warn, line);
}

/* "0,1,5": the comma list the hook's environment promises. */
static char *
hook_list(const char *name, const struct cmm_set *s)
{
	char *buf = malloc(HOOK_LIST_MAX);
	size_t off;

	if (buf == NULL)
		return NULL;
	off = (size_t)snprintf(buf, HOOK_LIST_MAX, "%s=", name);
	for (int i = cmm_set_next(s, 0); i >= 0; i = cmm_set_next(s, i + 1))
		off += (size_t)snprintf(buf + off, HOOK_LIST_MAX - off, "%s%d",
		    off > strlen(name) + 1 ? "," : "", i);
	return buf;
}

static void hook_start_next(struct cmm_hook *h);

/* What the hook must not inherit: our own CMM_* (the run's replace them)
 * and systemd's notify socket and watchdog, or the hook could speak to
 * systemd for the daemon. */
static bool
hook_env_dropped(const char *e)
{
	static const char *const names[] = { "NOTIFY_SOCKET=", "WATCHDOG_USEC=",
	    "WATCHDOG_PID=" };

	if (strncmp(e, "CMM_", 4) == 0)
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* One file or directory on the hook's path: whose, and who may write. */
static int
hook_check_one(const char *what, const char *path, const struct stat *st,
    char *err, size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "hook %s %s: owned by uid %ld, neither root "
		    "nor this daemon's uid %ld, who would run it", what, path,
		    (long)st->st_uid, (long)geteuid());
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "hook %s %s: %s-writable (mode %04o): "
		    "whoever may write it would run code as this daemon "
		    "(chmod go-w %s)", what, path, st->st_mode & S_IWOTH ?
		    "world" : "group", (unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int
cmm_hook_check(const char *path, char *err, size_t errlen)
{
	char		*real, *dir;
	struct stat	 st;
	int		 rc = -1;

	if (path == NULL || path[0] == '\0')
		return 0;
	/* what runs is where the links lead, so that is what is checked */
	if ((real = realpath(path, NULL)) == NULL) {
		snprintf(err, errlen, "hook %s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "hook %s: not a regular file", real);
		goto out;
	}
	if (access(real, X_OK) < 0) {
		snprintf(err, errlen, "hook %s: not executable: %s", real,
		    strerror(errno));
		goto out;
	}
	if (hook_check_one("file", real, &st, err, errlen) < 0)
		goto out;
	/* whoever may write the directory may replace the file */
	if ((dir = strdup(real)) == NULL) {
		snprintf(err, errlen, "hook %s: out of memory", real);
		goto out;
	}
	if (stat(dirname(dir), &st) < 0)
		snprintf(err, errlen, "hook %s: its directory: %s", real,
		    strerror(errno));
	else
		rc = hook_check_one("directory", dir, &st, err, errlen);
	free(dir);
out:
	free(real);
	return rc;
}

static void
hook_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook_run *r = arg;

	(void)fd;
	(void)what;
	if (r->pid > 0 && !r->killed) {
		/* by pid only: the hook's own children are its business */
		kill(r->pid, SIGKILL);
		r->killed = true;
	}
}

static void
hook_sigchld_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_hook *h = arg;

	(void)fd;
	(void)what;
	for (int i = 0; i < HOOK_PARALLEL; i++) {
		struct hook_run *r = &h->run[i];
		int st;
		pid_t p;

		if (r->pid <= 0)
			continue;
		do
			p = waitpid(r->pid, &st, WNOHANG);
		while (p < 0 && errno == EINTR);
		if (p == 0)
			continue;
		if (p < 0)
			st = 0;
		/* the slot is free before the report, so a reader of
		 * cmm_hook_busy() there sees this run as over */
		r->pid = 0;
		if (r->timer != NULL)
			evtimer_del(r->timer);
		{
			int64_t ms = hook_now() - r->start_ms;

			if (r->killed)
				hook_reportf(h, 1, "hook %s: killed after %lld ms "
				    "(limit %lld ms)", r->what, (long long)ms,
				    (long long)h->timeout_ms);
			else if (WIFEXITED(st))
				hook_reportf(h, WEXITSTATUS(st) != 0,
				    "hook %s: exit %d after %lld ms", r->what,
				    WEXITSTATUS(st), (long long)ms);
			else if (WIFSIGNALED(st))
				hook_reportf(h, 1, "hook %s: killed by signal %d "
				    "after %lld ms", r->what, WTERMSIG(st),
				    (long long)ms);
		}
	}
	hook_start_next(h);
}

struct cmm_hook *
cmm_hook_new(struct event_base *base, const char *path, int64_t timeout_ms,
    cmm_hook_report report, void *ctx)
{
	struct cmm_hook *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->base = base;
	h->timeout_ms = timeout_ms;
	h->report = report;
	h->ctx = ctx;
	if (path != NULL && path[0] != '\0') {
		h->path = strdup(path);
		h->sigchld = evsignal_new(base, SIGCHLD, hook_sigchld_cb, h);
		if (h->path == NULL || h->sigchld == NULL ||
		    evsignal_add(h->sigchld, NULL) < 0) {
			cmm_hook_free(h);
			return NULL;
		}
	}
	for (int i = 0; i < HOOK_PARALLEL; i++) {
		h->run[i].h = h;
		h->run[i].timer = evtimer_new(base, hook_timeout_cb, &h->run[i]);
		if (h->run[i].timer == NULL) {
			cmm_hook_free(h);
			return NULL;
		}
	}
	return h;
}

void
cmm_hook_free(struct cmm_hook *h)
{
	if (h == NULL)
		return;
	for (int i = 0; i < HOOK_PARALLEL; i++) {
		struct hook_run *r = &h->run[i];

		if (r->pid > 0) {
			kill(r->pid, SIGKILL);
			while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (r->timer != NULL)
			event_free(r->timer);
	}
	if (h->sigchld != NULL)
		event_free(h->sigchld);
	free(h->path);
	free(h);
}

static void
hook_spawn(struct cmm_hook *h, struct hook_run *r, const struct hook_req *q)
{
	size_t n_env = 0;
	char **env;
	char *own[11] = { 0 };
	char ev[48], node[32], epoch[32], prompt[48], why[PATH_MAX + 200];
	char seq[40], stamp[CMM_ISO8601_LEN], when[CMM_ISO8601_LEN + 16];
	char cluster[96];
	char *argv[3], event[64];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int rc, k = 0;
	pid_t pid;
	struct timeval tv;

	/* the file may have changed since the start */
	if (cmm_hook_check(h->path, why, sizeof(why)) < 0) {
		hook_reportf(h, 1, "hook %s (epoch %u): not run: %s", q->event,
		    q->epoch, why);
		return;
	}
	for (char **e = environ; *e != NULL; e++)
		n_env++;
	env = calloc(n_env + 1 + sizeof(own) / sizeof(own[0]), sizeof(*env));
	if (env == NULL) {
		hook_reportf(h, 1, "hook %s: out of memory", q->event);
		return;
	}
	snprintf(ev, sizeof(ev), "CMM_EVENT=%s", q->event);
	snprintf(node, sizeof(node), "CMM_NODE=%d", q->node);
	snprintf(epoch, sizeof(epoch), "CMM_EPOCH=%u", q->epoch);
	own[0] = ev;
	own[1] = node;
	own[2] = epoch;
	own[3] = hook_list("CMM_MEMBERS", &q->members);
	own[4] = hook_list("CMM_DEPARTED", &q->departed);
	own[5] = hook_list("CMM_JOINED", &q->joined);
	if (q->prompt[0] != '\0') {
		snprintf(prompt, sizeof(prompt), "CMM_PROMPT=%s", q->prompt);
		own[6] = prompt;
	}
	snprintf(seq, sizeof(seq), "CMM_SEQ=%llu", (unsigned long long)q->seq);
	cmm_time_iso8601(0, q->wall_ms, stamp, sizeof(stamp));
	snprintf(when, sizeof(when), "CMM_TIME=%s", stamp);
	snprintf(cluster, sizeof(cluster), "CMM_CLUSTER=%s", h->cluster);
	own[7] = seq;
	own[8] = when;
	own[9] = cluster;
	for (char **e = environ; *e != NULL; e++)
		if (!hook_env_dropped(*e))
			env[k++] = *e;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] != NULL)
			env[k++] = own[i];
	env[k] = NULL;

	snprintf(r->what, sizeof(r->what), "%s (epoch %u)", q->event, q->epoch);
	argv[0] = h->path;
	/* posix_spawn wants char *: a copy of the event name, not a cast */
	snprintf(event, sizeof(event), "%s", q->event);
	argv[1] = event;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, h->path, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(own[3]);
	free(own[4]);
	free(own[5]);
	free(env);
	if (rc != 0) {
		hook_reportf(h, 1, "hook %s: cannot run %s: %s", r->what, h->path,
		    strerror(rc));
		return;
	}
	r->pid = pid;
	r->killed = false;
	r->start_ms = hook_now();
	tv.tv_sec = h->timeout_ms / 1000;
	tv.tv_usec = (h->timeout_ms % 1000) * 1000;
	evtimer_add(r->timer, &tv);
}

static void
hook_start_next(struct cmm_hook *h)
{
	while (h->q_len > 0) {
		struct hook_run *r = NULL;

		for (int i = 0; i < HOOK_PARALLEL && r == NULL; i++)
			if (h->run[i].pid == 0)
				r = &h->run[i];
		if (r == NULL)
			return;
		hook_spawn(h, r, &h->queue[h->q_head]);
		h->q_head = (h->q_head + 1) % HOOK_QUEUE;
		h->q_len--;
	}
}

void
cmm_hook_run(struct cmm_hook *h, const char *event, int node, uint32_t epoch,
    const struct cmm_set *members, const struct cmm_set *departed,
    const struct cmm_set *joined, const char *prompt)
{
	struct hook_req *q;
	struct timespec ts;

	if (h == NULL || h->path == NULL)
		return;
	/* numbered before the skip: a gap in CMM_SEQ shows a lost run */
	h->seq++;
	if (h->q_len == HOOK_QUEUE) {
		hook_reportf(h, 1, "hook %s (epoch %u, seq %llu): skipped, %d runs "
		    "already waiting", event, epoch, (unsigned long long)h->seq,
		    HOOK_QUEUE);
		return;
	}
	q = &h->queue[(h->q_head + h->q_len) % HOOK_QUEUE];
	memset(q, 0, sizeof(*q));
	q->seq = h->seq;
	clock_gettime(CLOCK_REALTIME, &ts);
	q->wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	snprintf(q->event, sizeof(q->event), "%s", event);
	snprintf(q->prompt, sizeof(q->prompt), "%s", prompt != NULL ? prompt : "");
	q->node = node;
	q->epoch = epoch;
	if (members != NULL)
		q->members = *members;
	if (departed != NULL)
		q->departed = *departed;
	if (joined != NULL)
		q->joined = *joined;
	h->q_len++;
	hook_start_next(h);
}

void
cmm_hook_set_cluster(struct cmm_hook *h, const char *name)
{
	if (h != NULL)
		snprintf(h->cluster, sizeof(h->cluster), "%s",
		    name != NULL ? name : "");
}

int
cmm_hook_running(const struct cmm_hook *h)
{
	int n = 0;

	for (int i = 0; h != NULL && i < HOOK_PARALLEL; i++)
		n += h->run[i].pid > 0;
	return n;
}

int
cmm_hook_busy(const struct cmm_hook *h)
{
	return h == NULL ? 0 : cmm_hook_running(h) + h->q_len;
}
