/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wire: the cmm datagram format (DESIGN §2 "Messages").
 *
 * One datagram per message, explicit big-endian, every vector encoded as a
 * length-prefixed bitmap of the minimum length (no trailing zero byte).
 * The MAC (net/mac.h) covers the whole encoded datagram and is appended
 * after it; this module knows its length but never computes it, so the
 * codec (and the simulator that uses it) links without libsodium.
 *
 * Layout (all integers big-endian):
 *   u32 magic 'CMM1' | u8 version (2) | u8 type | u8 flags | u8 reserved
 *   u32 cluster_id | u16 sender | u32 incarnation | u64 seq
 *   u32 epoch | u32 instance | u64 ballot | u64 vballot
 *   vec members | vec value | vec row
 *   [tag: CMM_WIRE_MAC_LEN bytes]
 * where vec = u16 nbytes (0..128) + nbytes of bitmap, bit i of byte i/8
 * (LSB first) is node i, and a ballot is the ordered number of
 * quorum/device.h (0: none).
 */
#ifndef CMM_WIRE_H
#define CMM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../quorum/device.h"
#include "../quorum/nodeset.h"

#define CMM_WIRE_MAGIC		0x434d4d31u	/* "CMM1" */
#define CMM_WIRE_VERSION	2
#define CMM_WIRE_MAC_LEN	32
#define CMM_WIRE_MAX		1400	/* one datagram, MAC included */

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
 *  - epoch/members: the sender's committed configuration (every type; a
 *    COMMIT is just this header sent on purpose).
 *  - instance/ballot: the round messages (PREPARE..ACCEPTED).
 *  - vballot/value: PROMISE: the accepted ballot and value (0: none);
 *    NACK: the higher ballot promised; ACCEPT/ACCEPTED: value is S.
 *  - row: HEARTBEAT/PROMISE: the peers the sender holds alive.
 */
struct cmm_msg {
	uint8_t		type;
	uint8_t		flags;
	uint16_t	sender;
	uint32_t	incarnation;
	uint64_t	seq;
	uint32_t	epoch;
	uint32_t	instance;
	cmm_ballot	ballot;
	cmm_ballot	vballot;
	struct cmm_set	members;
	struct cmm_set	value;
	struct cmm_set	row;
};

/* Why a datagram was dropped.  The status counters group them as
 * malformed (SHORT..MALFORMED), foreign, auth and replay. */
enum cmm_drop {
	CMM_DROP_NONE = 0,
	CMM_DROP_SHORT,		/* shorter than its header or a vector */
	CMM_DROP_LONG,		/* bytes left over, or over CMM_WIRE_MAX */
	CMM_DROP_MAGIC,		/* not a cmm datagram */
	CMM_DROP_VERSION,
	CMM_DROP_TYPE,
	CMM_DROP_MALFORMED,	/* bad vector, sender id out of range */
	CMM_DROP_FOREIGN,	/* another cluster id */
	CMM_DROP_AUTH,		/* MAC did not verify */
	CMM_DROP_REPLAY,	/* sequence already seen or too old */
	CMM_DROP__COUNT
};

const char *cmm_drop_name(enum cmm_drop why);
const char *cmm_msg_type_name(int type);

/* Encodes m for cluster_id into buf, leaving CMM_WIRE_MAC_LEN bytes of room
 * for the tag.  Returns the encoded length without the tag, or -1 if it
 * does not fit cap. */
int	cmm_wire_encode(const struct cmm_msg *m, uint32_t cluster_id,
	    uint8_t *buf, size_t cap);

/* Decodes a whole datagram of len bytes (tag included: the last
 * CMM_WIRE_MAC_LEN bytes are not parsed).  Checks everything but the MAC
 * and the replay window.  Returns CMM_DROP_NONE and fills *m, or the
 * reason. */
enum cmm_drop cmm_wire_decode(const uint8_t *buf, size_t len,
	    uint32_t cluster_id, struct cmm_msg *m);

/* Whether two messages are equal field by field (a round trip through the
 * codec must give back exactly what went in). */
bool	cmm_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b);

/* Cluster id from the cluster name: 32-bit FNV-1a, never 0. */
uint32_t cmm_wire_cluster_id(const char *name);

#endif
