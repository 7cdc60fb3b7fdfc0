/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * devworker: quorum-device calls off the daemon's loop.  Each
 * device this node shares gets its own thread, so a hung shared filesystem
 * stalls neither the heartbeats nor the other devices.  Requests carry a
 * time limit: when it passes, the loop reports failure to the core at once
 * and a result that arrives later is logged and ignored; a request whose
 * time ran out while it waited in the queue is never started.
 *
 * Results come back to the loop through a pipe (the worker threads never
 * touch libevent); the done callback runs on the loop.
 */
#ifndef CMM_DEVWORKER_H
#define CMM_DEVWORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "quorum/device.h"
#include "quorum/device_file.h"

struct event_base;
struct cmm_devworker;

/* res: what the device answered (res->status; CMM_DEV_IO when the
 * backend failed, the device is not shared, or the time ran out: then
 * msg says why, "timed out: ..." for the last).  msg is "" when the
 * backend had nothing to say.  late: the result of a request already
 * reported as timed out (for the log only: the core must not hear of it
 * again). */
typedef void (*cmm_devworker_done)(void *ctx, uint32_t id,
	    const struct cmm_devres *res, const char *msg, bool late);

/* paths[i] is device i's file, NULL for a device this node does not
 * share (requests for it fail at once).  Files are opened (and created
 * empty when absent) by the worker on first use; their records are
 * authenticated with key (src/node/devkey.h, copied).  NULL with a reason. */
struct cmm_devworker *cmm_devworker_new(struct event_base *base,
	    int n_devices, const char *const *paths,
	    const struct cmm_devfile_key *key, int64_t timeout_ms,
	    cmm_devworker_done done, void *ctx, char *err, size_t errlen);
/* Makes device idx (shared: paths[idx] was not NULL, and names it in
 * messages) a network arbiter at sa (src/node/devarb.h) instead of a
 * file.  Call before the first request.  0, or -1. */
int	cmm_devworker_set_arbiter(struct cmm_devworker *w, int idx,
	    const struct sockaddr *sa, socklen_t salen, uint32_t cluster_id,
	    const char *name);
/* Stops the threads (waits a bounded time for a busy one). */
void	cmm_devworker_free(struct cmm_devworker *w);

/* Queues one operation; its result comes through done, never from inside
 * this call.  0, or -1 when the request cannot even be queued (then done
 * is not called). */
int	cmm_devworker_submit(struct cmm_devworker *w, const struct cmm_devreq *r);

/* Reads device idx for the loop (the `devices` snapshot): _start runs
 * the read (a locked read of the 17 KiB file, or an arbiter exchange) on
 * a thread of its own, _wait waits for it until 150 ms after it started.
 * A read that does not return is left running and reported ("no answer:
 * ... waiting for N ms"); later snapshots neither start another on that
 * device nor wait for it again until it returns.  Start them all, then
 * wait: the loop waits 150 ms at most however many devices hang.  0, or
 * -1 with a reason.  cmm_devworker_read: one device, start and wait. */
int	cmm_devworker_read_start(struct cmm_devworker *w, int idx, char *err,
	    size_t errlen);
int	cmm_devworker_read_wait(struct cmm_devworker *w, int idx,
	    struct cmm_devrec *out, char *err, size_t errlen);
int	cmm_devworker_read(struct cmm_devworker *w, int idx,
	    struct cmm_devrec *out, char *err, size_t errlen);

/* Requests waiting or running. */
int	cmm_devworker_pending(const struct cmm_devworker *w);

#endif
