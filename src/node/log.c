/* SPDX-License-Identifier: GPL-3.0-or-later */
/* log: levelled one-line logging to stderr and syslog (see log.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "src/node/log.h"
#include "util/timefmt.h"

struct cmm_log {
	char			ident[64];
	bool			use_syslog;
	bool			journal;	/* stderr is the journal */
	enum cmm_log_level	level;
	cmm_log_tap		tap;
	void			*tap_ctx;
};

static const char *const level_names[] = { "error", "warn", "info", "debug" };

const char *
cmm_log_level_name(enum cmm_log_level level)
{
	if ((unsigned)level < sizeof(level_names) / sizeof(level_names[0]))
		return level_names[level];
	return "?";
}

int
cmm_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "warning") == 0)
		return CMM_LOG_WARN;
	return -1;
}

/* systemd names the journal stream it gave a service in JOURNAL_STREAM
 * ("DEV:INODE"); stderr is that stream unless it was redirected since. */
static bool
log_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

struct cmm_log *
cmm_log_new(const char *ident, bool use_syslog, enum cmm_log_level level)
{
	struct cmm_log *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	snprintf(l->ident, sizeof(l->ident), "%s", ident);
	l->use_syslog = use_syslog;
	l->journal = log_stderr_is_journal();
	l->level = level;
	if (use_syslog)
		openlog("cmm", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return l;
}

void
cmm_log_free(struct cmm_log *l)
{
	if (l == NULL)
		return;
	if (l->use_syslog)
		closelog();
	free(l);
}

void
cmm_log_set_level(struct cmm_log *l, enum cmm_log_level level)
{
	l->level = level;
}

enum cmm_log_level
cmm_log_get_level(const struct cmm_log *l)
{
	return l->level;
}

bool
cmm_log_enabled(const struct cmm_log *l, enum cmm_log_level level)
{
	return level <= l->level;
}

void
cmm_log_set_tap(struct cmm_log *l, cmm_log_tap tap, void *ctx)
{
	l->tap = tap;
	l->tap_ctx = ctx;
}

void
cmm_log_reopen(struct cmm_log *l)
{
	if (l->use_syslog) {
		closelog();
		openlog("cmm", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	cmm_logf(l, CMM_LOG_INFO, "SIGHUP: logs reopened");
}

void
cmm_vlogf(struct cmm_log *l, enum cmm_log_level level, const char *fmt,
    va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char text[1024], stamp[CMM_ISO8601_LEN], pfx[8] = "";
	struct timespec ts;

	if (!cmm_log_enabled(l, level))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	/* one event, one line: a newline in a value must not split it */
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	clock_gettime(CLOCK_REALTIME, &ts);
	cmm_time_iso8601(ts.tv_sec, ts.tv_nsec / 1000000, stamp, sizeof(stamp));
	/* the journal reads a leading "<N>" as the line's syslog priority,
	 * so `journalctl -p err` finds the errors */
	if (l->journal)
		snprintf(pfx, sizeof(pfx), "<%d>", prio[level]);
	fprintf(stderr, "%s%s %-5s %s: %s\n", pfx, stamp,
	    cmm_log_level_name(level), l->ident, text);
	if (l->use_syslog)
		syslog(prio[level], "%s: %s", l->ident, text);
	if (l->tap != NULL)
		l->tap(l->tap_ctx, level, text);
}

void
cmm_logf(struct cmm_log *l, enum cmm_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmm_vlogf(l, level, fmt, ap);
	va_end(ap);
}
