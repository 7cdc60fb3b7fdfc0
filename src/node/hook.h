/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hook: runs the configured `hook` program on the membership events
 * (commit, no-quorum, fence, not-fenced, split-brain, prompt; cmm.conf(5),
 * "hook"), without a shell and without blocking the loop.
 *
 * argv is { hook, EVENT }; the environment is the daemon's plus CMM_EVENT,
 * CMM_NODE, CMM_EPOCH, CMM_MEMBERS, CMM_DEPARTED, CMM_JOINED (comma lists,
 * "" when empty), CMM_SEQ (this daemon's run number, from 1: a gap is a
 * skipped run), CMM_TIME (when the event happened, ISO-8601 UTC),
 * CMM_CLUSTER and, for prompts, CMM_PROMPT; without systemd's
 * NOTIFY_SOCKET and WATCHDOG_*.  stdin is /dev/null, stdout
 * and stderr are the daemon's.  A hook still running after the time limit
 * is killed (SIGKILL to its pid); children are reaped from a SIGCHLD event.
 * At most a few run at once; later ones queue (a bounded queue: beyond it
 * a run is skipped and the skip reported).
 */
#ifndef CMM_HOOK_H
#define CMM_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include "quorum/nodeset.h"

struct event_base;
struct cmm_hook;

/* Called on the loop with one line to log, e.g. "hook commit (epoch 4):
 * exit 0 after 12 ms"; warn is set for a failure, a kill or a skip. */
typedef void (*cmm_hook_report)(void *ctx, int warn, const char *line);

/* Checks that the hook at path may be trusted to run as this daemon's
 * user: it and its directory (after symlinks) belong to root or to the
 * daemon's user, and neither group nor others may write them, or whoever
 * could would run code as the daemon.  "" or NULL passes.  0, or -1 with a
 * one-line reason in err.  cmm_hook_run checks again before every run. */
int	cmm_hook_check(const char *path, char *err, size_t errlen);

/* path "" or NULL: no hook (runs are no-ops). */
struct cmm_hook *cmm_hook_new(struct event_base *base, const char *path,
	    int64_t timeout_ms, cmm_hook_report report, void *ctx);
/* Kills what still runs (SIGKILL) and reaps it. */
void	cmm_hook_free(struct cmm_hook *h);

/* Queues one run.  prompt may be NULL. */
void	cmm_hook_run(struct cmm_hook *h, const char *event, int node,
	    uint32_t epoch, const struct cmm_set *members,
	    const struct cmm_set *departed, const struct cmm_set *joined,
	    const char *prompt);

/* The cluster name the runs get in CMM_CLUSTER (copied; "" until set). */
void	cmm_hook_set_cluster(struct cmm_hook *h, const char *name);

/* Hooks running now. */
int	cmm_hook_running(const struct cmm_hook *h);
/* Hooks running or waiting to run. */
int	cmm_hook_busy(const struct cmm_hook *h);

#endif
