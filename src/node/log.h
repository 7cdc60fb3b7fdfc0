/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log: levelled one-line logging for the daemon and `cmm check`, to stderr
 * and, when asked, to syslog.  No globals: the caller owns the struct
 * cmm_log and passes it around.
 *
 * A stderr line is "2026-01-02T03:04:05.678Z LEVEL node N: text"; when
 * stderr is the systemd journal (JOURNAL_STREAM names it) the line starts
 * with its syslog priority, "<3>" for an error to "<7>" for debug.  Every
 * line passes through an optional tap (the daemon forwards it to the
 * control server's watchers).
 */
#ifndef CMM_LOG_H
#define CMM_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "src/core/core.h"	/* enum cmm_log_level */

struct cmm_log;

typedef void (*cmm_log_tap)(void *ctx, enum cmm_log_level level,
	    const char *line);

/* ident is the syslog ident and the line prefix ("node 3"); copied. */
struct cmm_log *cmm_log_new(const char *ident, bool use_syslog,
	    enum cmm_log_level level);
void	cmm_log_free(struct cmm_log *l);
void	cmm_log_set_level(struct cmm_log *l, enum cmm_log_level level);
enum cmm_log_level cmm_log_get_level(const struct cmm_log *l);
bool	cmm_log_enabled(const struct cmm_log *l, enum cmm_log_level level);
void	cmm_log_set_tap(struct cmm_log *l, cmm_log_tap tap, void *ctx);
/* SIGHUP: reconnect to syslog (a rotated socket) and say so. */
void	cmm_log_reopen(struct cmm_log *l);

void	cmm_logf(struct cmm_log *l, enum cmm_log_level level, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
void	cmm_vlogf(struct cmm_log *l, enum cmm_log_level level, const char *fmt,
	    va_list ap) __attribute__((format(printf, 3, 0)));

/* Parses "error|warn|info|debug"; -1 if unknown. */
int	cmm_log_level_parse(const char *name);
const char *cmm_log_level_name(enum cmm_log_level level);

#endif
