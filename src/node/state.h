/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state: what a node keeps on disk in its state dir (docs/PROTOCOL.md
 * "What a node keeps"; the files in cmm(1)).  Plain POSIX file I/O; every call is synchronous
 * and durable when it returns 0.
 *
 *   DIR/state     the persisted state (struct cmm_persist): two slots of
 *                 one 360-byte record each (magic "CMMSTATE", version 4,
 *                 write sequence, the config digest and config_version it
 *                 was written under, BLAKE2b checksum; version 3 files,
 *                 without the digest, are still read).  A save overwrites
 *                 the older slot in place and fdatasyncs; the load takes
 *                 the valid slot with the newer sequence, so a crash
 *                 leaves the old or the new state.  Created once aside
 *                 (state.tmp, fsync, rename, directory fsync).  Opened
 *                 without following symlinks.
 *   DIR/history   append-only, one fixed 280-byte checksummed record per
 *                 commit, operator answer or mutating command (the daemon
 *                 syncs it 100 ms after an append).  A damaged
 *                 last record (a crash while appending) is ignored with a
 *                 warning and cut off by the next append; damage anywhere
 *                 else is an error naming the byte offset.  Bounded: an
 *                 append that would take it past CMM_HIST_MAX_BYTES first
 *                 renames it to DIR/history.1 (one old file is kept), so
 *                 the newest records are always kept.  Opened without
 *                 following symlinks.
 *
 * Errors are one line naming the file, in err; warnings likewise in warn.
 */
#ifndef CMM_STATE_H
#define CMM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "src/core/core.h"

#define CMM_STATE_REC_SIZE	360
#define CMM_HIST_REC_SIZE	280
#define CMM_HIST_REASON_MAX	112	/* with the NUL: 111 characters */
#define CMM_HIST_MAX_BYTES	((int64_t)16 << 20)	/* then rotated */

/* Creates dir (and missing parents) with mode 0700, and refuses a dir
 * that is not owned by this process's effective uid or that group or
 * others may write (whoever made it).  0 or -1 with one line in err. */
int	cmm_state_dir_create(const char *dir, char *err, size_t errlen);

/* Durably writes *p as DIR/state (creates dir if missing).  0 or -1. */
int	cmm_state_save(const char *dir, const struct cmm_persist *p, char *err,
	    size_t errlen);

/* The same on a state file kept open between saves (the daemon's): the
 * first save opens (or creates) it, each later one writes one slot and
 * syncs it.  After a failed save the next one reads the file again.
 * save: 0; 1 when the file had been removed or replaced under the open
 * handle (err says so: a warning; the save is done, to the file the path
 * names now); -1 on error.
 * new: NULL with err when out of memory or the path is too long. */
struct cmm_state_file;
struct cmm_state_file *cmm_state_file_new(const char *dir, char *err,
	    size_t errlen);
int	cmm_state_file_save(struct cmm_state_file *f, const struct cmm_persist *p,
	    char *err, size_t errlen);
/* The same, but the slot is only written: cmm_state_file_flush makes it
 * durable, and so does the next save or write, before it overwrites the
 * other slot (which until then may hold the only record on the disk).
 * flush: 0, or -1 with err (the slots are read again before the next
 * save). */
int	cmm_state_file_write(struct cmm_state_file *f, const struct cmm_persist *p,
	    char *err, size_t errlen);
int	cmm_state_file_flush(struct cmm_state_file *f, char *err, size_t errlen);
void	cmm_state_file_free(struct cmm_state_file *f);

/* 0: *p loaded; 1: no state (a fresh node, *p zeroed); -1: unreadable or
 * corrupt, err names the file and says that --forget-state discards it. */
int	cmm_state_load(const char *dir, struct cmm_persist *p, char *err,
	    size_t errlen);

/* Moves DIR/state aside to DIR/state.corrupt.N (first free N) so the node
 * starts fresh; 0 (also when there is no state) or -1.  If moved is not
 * NULL it receives the new name, or "" when there was nothing to move. */
int	cmm_state_forget(const char *dir, char *moved, size_t movedlen,
	    char *err, size_t errlen);

enum cmm_hist_kind {
	CMM_HIST_COMMIT = 1,	/* a membership was committed */
	CMM_HIST_ANSWER,	/* an operator answered a prompt */
	CMM_HIST_COMMAND,	/* an operator ran a mutating command */
	CMM_HIST_ALARM,		/* two configurations seen for one epoch */
};

struct cmm_hist_rec {
	enum cmm_hist_kind kind;
	uint32_t	epoch;
	struct cmm_set	members;
	int64_t		time_ms;	/* wall clock, ms since 1970 UTC */
	int32_t		uid;		/* operator's uid, -1 if none */
	char		reason[CMM_HIST_REASON_MAX];	/* longer is cut */
};

const char *cmm_hist_kind_name(enum cmm_hist_kind k);

/* One line: "2025-11-25T08:36:00.123Z commit epoch 7 members 0-5 uid -
 * reason".  Returns like snprintf. */
int	cmm_hist_format(const struct cmm_hist_rec *r, char *buf, size_t len);

/* Appends one record to DIR/history (O_APPEND, fsync).  Cuts off a damaged
 * last record first; rotates the file to history.1 when the record would
 * take it past CMM_HIST_MAX_BYTES.  0 or -1. */
int	cmm_history_append(const char *dir, const struct cmm_hist_rec *r,
	    char *err, size_t errlen);
/* The same with another size limit (tests). */
int	cmm_history_append_max(const char *dir, const struct cmm_hist_rec *r,
	    int64_t max_bytes, char *err, size_t errlen);
/* The same without the fsync (a new file is still synced, with its
 * directory): the record is in the page cache, safe from a crash of the
 * process but not of the machine until cmm_history_sync.  The daemon
 * appends this way (through struct cmm_history) and syncs 100 ms later,
 * so that at a commit sixteen nodes sharing a disk do not queue the state
 * writes of the round behind their history's. */
int	cmm_history_append_unsynced(const char *dir,
	    const struct cmm_hist_rec *r, char *err, size_t errlen);
/* fsync of DIR/history.  0 or -1. */
int	cmm_history_sync(const char *dir, char *err, size_t errlen);

/* DIR/history kept open, for a process that appends often (the daemon
 * records every commit, in the burst of work a round is): an append is a
 * write and two stats, where cmm_history_append walks, checks and opens
 * the path each time.  The file is opened as cmm_history_append opens it
 * (the dir made and trusted, a damaged last record cut off), at the first
 * append, and again whenever it is no longer the file this handle wrote
 * (removed, renamed, replaced, or written by another process). */
struct cmm_history;
/* NULL (err says why) for a dir path too long. */
struct cmm_history *cmm_history_new(const char *dir, char *err,
	    size_t errlen);
void	cmm_history_free(struct cmm_history *h);
/* As cmm_history_append_unsynced.  0 or -1. */
int	cmm_history_add(struct cmm_history *h, const struct cmm_hist_rec *r,
	    char *err, size_t errlen);
/* fsync of what cmm_history_add wrote.  0 or -1. */
int	cmm_history_flush(struct cmm_history *h, char *err, size_t errlen);

/* The record exactly as it is stored (tools that build large histories). */
void	cmm_hist_encode(const struct cmm_hist_rec *r,
	    uint8_t b[CMM_HIST_REC_SIZE]);

/* Calls cb for each record of DIR/history (not history.1), oldest first:
 * O(file), for tools and tests, never for the daemon's loop.  cb returns
 * 0 to go on, non-zero to stop.  A missing history is empty.  Returns the number of records
 * passed to cb, or -1 (err: file and byte offset).  warn (may be NULL)
 * receives a one-line warning when a damaged last record was ignored,
 * else "". */
typedef int (*cmm_hist_cb)(void *ctx, const struct cmm_hist_rec *r);
int	cmm_history_read(const char *dir, cmm_hist_cb cb, void *ctx,
	    char *warn, size_t warnlen, char *err, size_t errlen);

/* The last n records (oldest first) into out[0..n), from DIR/history and,
 * when it holds fewer, history.1; returns how many, or -1.  O(n): it seeks
 * from the end and reads only those records, so it is cheap on the loop
 * for a small n whatever the file's size.  Damage among the records read
 * is an error (a damaged last record of a file: a warning, as for
 * cmm_history_read). */
int	cmm_history_tail(const char *dir, int n, struct cmm_hist_rec *out,
	    char *warn, size_t warnlen, char *err, size_t errlen);

#endif
