/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * packet: the whole path of one datagram, shared by the daemon, the tests
 * and the fuzzers.  Receiving is decode (wire.h) -> MAC (mac.h) -> replay
 * window (replay.h), in that order, and the window moves only for a
 * datagram that passed all three.
 */
#ifndef CMM_PACKET_H
#define CMM_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "mac.h"
#include "replay.h"
#include "wire.h"

/* Checks buf[0..len) and, when it is good, fills *out and returns
 * CMM_DROP_NONE; otherwise returns why it was dropped and leaves *out and
 * the window unchanged.  r may be NULL to skip the replay check (probes). */
enum cmm_drop cmm_packet_open(const struct cmm_keys *k, struct cmm_replay *r,
	    uint32_t cluster_id, const uint8_t *buf, size_t len,
	    struct cmm_msg *out);

/* Encodes m and appends its MAC.  Returns the datagram's length, or -1 if
 * it does not fit cap (or m cannot be encoded). */
int	cmm_packet_seal(const struct cmm_keys *k, uint32_t cluster_id,
	    const struct cmm_msg *m, uint8_t *buf, size_t cap);

#endif
