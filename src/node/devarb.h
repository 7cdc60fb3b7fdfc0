/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * devarb: the network arbiter as a quorum-device backend (struct
 * cmm_device_ops of quorum/device.h), the client side of `cmm arbiter`.
 * The arbiter keeps the record and applies the one rule function,
 * cmm_devrec_apply(); this side only carries the operation there and the
 * result back (src/node/arbwire.h), so the core cannot tell the arbiter
 * from a file.  Calls block (the device worker's threads make them) and
 * retransmit until limit_ms has passed, then fail as CMM_DEV_IO.
 */
#ifndef CMM_DEVARB_H
#define CMM_DEVARB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "quorum/device.h"
#include "quorum/device_file.h"

/* The arbiter at sa (a numeric address with its port), for device name
 * of cluster cluster_id; messages are tagged with key (copied).  NULL with
 * a one-line reason.  Close with d->ops->close(d). */
struct cmm_device *cmm_device_arbiter_open(const struct sockaddr *sa,
	    socklen_t salen, uint32_t cluster_id, const char *name,
	    const struct cmm_devfile_key *key, int64_t limit_ms, char *err,
	    size_t errlen);

#endif
