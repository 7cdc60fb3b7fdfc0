/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * packet: the whole path of one datagram, shared by the daemon, `cmm
 * check`, the tests and the fuzzers (docs/PROTOCOL.md "Messages").
 * Receiving is, in this order:
 *   1. the fixed prefix (wire.h): length, magic, version, type, cluster;
 *   2. the MAC over every byte before the tag (mac.h): nothing past the
 *      prefix is parsed before it verified;
 *   3. the body: ids, vectors, extensions;
 *   4. the destination: a datagram for another node is `misdirected`, so
 *      one captured on its way to C cannot be replayed to B;
 *   5. the config digest (core-bound types only: a PROBE is answered
 *      whatever its digest, so `cmm check` can say which peer differs);
 *   6. the replay window of (sender, incarnation), which moves only for a
 *      datagram that passed everything before it.
 */
#ifndef CMM_PACKET_H
#define CMM_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "net/mac.h"
#include "net/replay.h"
#include "net/wire.h"

/* What a receiver checks a datagram against. */
struct cmm_rx {
	const struct cmm_keys	*keys;
	uint32_t		cluster_id;
	int			self;	/* the destination it must name */
	/* the receiver's digest; NULL: not checked (tools) */
	const uint8_t		*digest;
	/* the window of core-bound types; NULL: none (tools) */
	struct cmm_replay	*replay;
	/* PROBE and PROBE_ACK have a window of their own: `cmm check`
	 * speaks as a node id while that node may run, and must neither
	 * move nor be caught by that node's window.  NULL: none. */
	struct cmm_replay	*probes;
};

/*
 * Checks buf[0..len) and, when it is good, fills *out and returns
 * CMM_DROP_NONE; otherwise returns why it was dropped.  CMM_DROP_CONFIG is
 * the one drop that fills *out: the datagram is authentic, fresh (the
 * window moved) and for us, only its sender's config digest differs, and
 * the caller may still compare its header (cmm_core_on_foreign).  The
 * window moves for NONE and CONFIG only.
 */
enum cmm_drop cmm_packet_open(const struct cmm_rx *rx, const uint8_t *buf,
	    size_t len, struct cmm_msg *out);
/* The same for a datagram that came on redundant link `link`
 * (cmm_packet_open is link 0).  A copy already taken on another link is
 * CMM_DROP_DUPLICATE, which fills *out too: it is authentic and for us,
 * so the caller may count it as a sign of that link's life. */
enum cmm_drop cmm_packet_open_link(const struct cmm_rx *rx, int link,
	    const uint8_t *buf, size_t len, struct cmm_msg *out);

/* Encodes m and appends its MAC.  Returns the datagram's length, or -1 if
 * it does not fit cap (or m cannot be encoded). */
int	cmm_packet_seal(const struct cmm_keys *k, uint32_t cluster_id,
	    const struct cmm_msg *m, uint8_t *buf, size_t cap);

#endif
