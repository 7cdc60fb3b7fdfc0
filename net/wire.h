/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wire: the cmm datagram format, wire v2 (docs/PROTOCOL.md "Messages").
 *
 * One datagram per message, explicit big-endian, every vector encoded as a
 * length-prefixed bitmap of the minimum length (no trailing zero byte).
 * The MAC (net/mac.h) covers the whole encoded datagram, from the magic
 * on, and is appended after it; this module knows its length but never
 * computes it, so the codec (and the simulator that uses it) links without
 * libsodium.
 *
 * Layout (all integers big-endian):
 *   fixed prefix (CMM_WIRE_PREFIX_LEN = 68 bytes):
 *   u32 magic 'CMM2' | u8 vmin | u8 vmax | u8 type | u8 flags
 *   u32 cluster_id | digest[16] | u16 sender | u16 dest
 *   u32 incarnation | u64 seq
 *   u32 epoch | u32 instance | u64 ballot | u64 vballot
 *   then: vec members | vec value | vec row | extensions...
 *   [tag: CMM_WIRE_MAC_LEN bytes]
 * where vec = u16 nbytes (0..128) + nbytes of bitmap, bit i of byte i/8
 * (LSB first) is node i, a ballot is the ordered number of
 * quorum/device.h (0: none), and an extension is u8 tag | u16 length |
 * that many bytes of value, up to the tag.
 *
 * Decoding is split in two so the receive path (net/packet.c) checks the
 * MAC before it parses a single variable-length field: the prefix decoder
 * reads fixed offsets only; the body decoder reads the vectors and the
 * extensions, and is run only on an authenticated datagram.
 *
 * Protocol versions: [vmin, vmax] in the header is the range the sender
 * speaks.  A receiver drops a datagram whose range does not overlap its
 * own (`version`).  The fixed prefix and the vectors are the same for
 * every version of wire v2; a later version adds extensions, each with the
 * version that introduced it, and a receiver skips an extension it does
 * not know (or that is newer than its own vmax), so an older node reads a
 * newer one's datagrams.  A sender writes, to each peer, the highest
 * version both speak once it has heard the peer, its lowest before.
 *   3: wire v2 (destination, config digest, version range, extensions)
 *   4: the CONFIG_VERSION extension (the sender's config_version)
 *   5: the SUSPECT extension (fast crash detection: whom the sender
 *      suspects; a node that finds itself named answers at once)
 * (2 was the format before wire v2, magic 'CMM1': no longer spoken.)
 */
#ifndef CMM_WIRE_H
#define CMM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quorum/device.h"
#include "quorum/nodeset.h"

#define CMM_WIRE_MAGIC		0x434d4d32u	/* "CMM2" */
#define CMM_WIRE_MAC_LEN	32
#define CMM_WIRE_MAX		1400	/* one datagram, MAC included */
#define CMM_WIRE_PREFIX_LEN	68	/* what is read before the MAC */
#define CMM_DIGEST_LEN		16	/* the config digest */

/* The protocol versions this build speaks.  A build made with
 * -DCMM_WIRE_VMAX_OVERRIDE=N speaks up to N only: the previous release's
 * wire, for the rolling-upgrade test (tests/mp/mixed_version.sh). */
#define CMM_PROTO_MIN		3
#ifdef CMM_WIRE_VMAX_OVERRIDE
#define CMM_PROTO_MAX		CMM_WIRE_VMAX_OVERRIDE
#else
#define CMM_PROTO_MAX		5
#endif
#if CMM_PROTO_MAX < CMM_PROTO_MIN || CMM_PROTO_MAX > 255
#error "CMM_WIRE_VMAX_OVERRIDE must be at least CMM_PROTO_MIN"
#endif

/* Extension tags (u8) and the version that introduced each.  Tag 0 is
 * never valid; any tag this build does not know is skipped. */
#define CMM_TLV_CONFIG_VERSION	1	/* u32: the sender's config_version */
#define CMM_TLV_CONFIG_VERSION_SINCE 4
/* bitmap of node ids (a vector's bytes, minimum length, not empty): the
 * nodes the sender suspects of having crashed (docs/PROTOCOL.md "Fast
 * crash detection") */
#define CMM_TLV_SUSPECT		2
#define CMM_TLV_SUSPECT_SINCE	5

/* struct cmm_msg.ext: the known extensions present */
#define CMM_EXT_CONFIG_VERSION	0x01
#define CMM_EXT_SUSPECT		0x02

enum cmm_msg_type {
	CMM_MSG_HEARTBEAT = 1,	/* every heartbeat_ms to every configured node */
	CMM_MSG_PREPARE = 2,	/* phase 1: PREPARE(instance, ballot) */
	CMM_MSG_PROMISE = 3,	/* reply: accepted (vballot, value), row */
	CMM_MSG_NACK = 4,	/* reply: a higher ballot (vballot) was promised */
	CMM_MSG_ACCEPT = 5,	/* phase 2: ACCEPT(instance, ballot, value) */
	CMM_MSG_ACCEPTED = 6,	/* an acceptor accepted (instance, ballot, value) */
	CMM_MSG_COMMIT = 7,	/* the sender's committed (epoch, members) */
	CMM_MSG_LEAVE = 8,	/* a member asks to be taken out */
	CMM_MSG_PROBE = 9,	/* `cmm check` asks a peer to answer */
	CMM_MSG_PROBE_ACK = 10,	/* the answer; never reaches the core */
};
#define CMM_MSG_TYPE_MAX 10

/* flags */
#define CMM_MSGF_MEMBER	0x01	/* sender is a quorate member of `members` */
#define CMM_MSGF_LEAVING 0x02	/* sender is leaving on purpose */
#define CMM_MSGF_ACCEPTOR 0x04	/* PROMISE: from an acceptor of the instance
				 * (else a candidate's presence answer) */
#define CMM_MSGF_AMNESIAC 0x08	/* sender lost its state: it takes no part
				 * as acceptor or coordinator */
#define CMM_MSGF_PENDING 0x10	/* sender accepted a value for the next
				 * instance that it has not seen decided */

/*
 * A decoded message.  Every field is always encoded (empty vectors cost two
 * bytes); which ones mean something depends on the type:
 *  - vmin/vmax, dest, digest: the transport's (the core leaves them 0; the
 *    daemon and the simulator fill them in per destination).
 *  - epoch/members: the sender's committed configuration (every type; a
 *    COMMIT is just this header sent on purpose).
 *  - instance/ballot: the round messages (PREPARE..ACCEPTED).  A
 *    coordinator's COMMIT: instance = the epoch, ballot = the ballot that
 *    chose it, value = the acceptors that accepted it, vballot 1 = the
 *    device did too (all 0 when it was not a quorum of ACCEPTEDs).
 *  - vballot/value: PROMISE: the accepted ballot and value (0: none);
 *    NACK: the higher ballot promised; ACCEPT/ACCEPTED: value is S.
 *  - row: HEARTBEAT/PROMISE: the peers the sender holds alive.
 *  - ext: which of the known extensions are present (CMM_EXT_*), and
 *    their values below.  The core sets CMM_EXT_SUSPECT itself; the
 *    transport keeps it only for a peer that speaks its version.
 */
struct cmm_msg {
	uint8_t		type;
	uint8_t		flags;
	uint8_t		vmin, vmax;	/* protocol versions the sender speaks */
	uint16_t	sender;
	uint16_t	dest;		/* the node it is addressed to */
	uint8_t		digest[CMM_DIGEST_LEN];	/* the sender's config digest */
	uint32_t	incarnation;
	uint64_t	seq;
	uint32_t	epoch;
	uint32_t	instance;
	cmm_ballot	ballot;
	cmm_ballot	vballot;
	struct cmm_set	members;
	struct cmm_set	value;
	struct cmm_set	row;
	uint32_t	ext;		/* CMM_EXT_* present */
	uint32_t	config_version;	/* CMM_EXT_CONFIG_VERSION */
	struct cmm_set	suspect;	/* CMM_EXT_SUSPECT: never empty */
};

/* Why a datagram was dropped.  The status counters group SHORT..MALFORMED
 * (but VERSION) as malformed; the others are counted by name. */
enum cmm_drop {
	CMM_DROP_NONE = 0,
	CMM_DROP_SHORT,		/* shorter than its header or a field */
	CMM_DROP_LONG,		/* over CMM_WIRE_MAX */
	CMM_DROP_MAGIC,		/* not a cmm datagram (or not wire v2) */
	CMM_DROP_VERSION,	/* no protocol version in common */
	CMM_DROP_TYPE,
	CMM_DROP_MALFORMED,	/* bad vector or extension, id out of range */
	CMM_DROP_FOREIGN,	/* another cluster id */
	CMM_DROP_AUTH,		/* MAC did not verify */
	CMM_DROP_REPLAY,	/* sequence already seen or too old */
	CMM_DROP_MISDIRECTED,	/* addressed to another node */
	CMM_DROP_CONFIG,	/* the sender's config digest is not ours */
	/* a redundant link's copy of a datagram already taken from another
	 * link: authentic, expected, not an attack (net/replay.h) */
	CMM_DROP_DUPLICATE,
	CMM_DROP__COUNT
};

const char *cmm_drop_name(enum cmm_drop why);
const char *cmm_msg_type_name(int type);

/* Encodes m for cluster_id into buf, leaving CMM_WIRE_MAC_LEN bytes of room
 * for the tag.  Writes the extensions named in m->ext.  Returns the encoded
 * length without the tag, or -1 if it does not fit cap or m holds what no
 * decoder takes (a type, sender or destination out of range, vmin = 0 or
 * above vmax). */
int	cmm_wire_encode(const struct cmm_msg *m, uint32_t cluster_id,
	    uint8_t *buf, size_t cap);

/* Reads the fixed prefix of a whole datagram of len bytes (tag included)
 * into the header fields of *m: checks the length against the smallest and
 * the largest datagram, the magic, the version range (against this build's
 * [CMM_PROTO_MIN, CMM_PROTO_MAX]), the type and the cluster id, in that
 * order, and nothing else: ids are checked by the body decoder, after the
 * MAC.  CMM_DROP_NONE or the reason. */
enum cmm_drop cmm_wire_decode_prefix(const uint8_t *buf, size_t len,
	    uint32_t cluster_id, struct cmm_msg *m);

/* The rest of a datagram whose prefix decoded (and, on the receive path,
 * whose MAC verified): sender and destination ids, the three vectors and
 * the extensions, up to the tag.  Extensions that are unknown, or that
 * were introduced after `vmax` (the receiver's highest version), are
 * skipped; a known one of the wrong length, a repeated one, tag 0 or one
 * cut off is refused.  CMM_DROP_NONE or the reason. */
enum cmm_drop cmm_wire_decode_body(const uint8_t *buf, size_t len,
	    unsigned vmax, struct cmm_msg *m);

/* Both halves (no MAC: the simulator, the tests, the fuzzers). */
enum cmm_drop cmm_wire_decode(const uint8_t *buf, size_t len,
	    uint32_t cluster_id, struct cmm_msg *m);

/* Whether two messages are equal field by field (a round trip through the
 * codec must give back exactly what went in). */
bool	cmm_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b);

/* Cluster id from the cluster name: 32-bit FNV-1a, never 0. */
uint32_t cmm_wire_cluster_id(const char *name);

/* The extensions (CMM_EXT_*) a datagram written at version v carries
 * always. */
uint32_t cmm_wire_exts(unsigned v);
/* Those a datagram written at version v may carry: the ones the sender
 * sets when it has something to say (CMM_EXT_SUSPECT) included. */
uint32_t cmm_wire_exts_allowed(unsigned v);

/* The version to write to a peer last heard speaking [pmin, pmax] (0, 0:
 * never heard): the highest version both speak, or this build's lowest
 * until the peer was heard (or if the ranges do not meet). */
unsigned cmm_wire_version_for(unsigned pmin, unsigned pmax);

/* Whether [vmin, vmax] is a valid range that meets this build's. */
bool	cmm_wire_version_ok(unsigned vmin, unsigned vmax);

#endif
