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
 *   u32 magic 'CMM1' | u8 version | u8 type | u8 flags | u8 reserved
 *   u32 cluster_id | u16 sender | u32 incarnation | u64 seq
 *   u32 epoch | u32 round_epoch | u32 round_attempt
 *   u32 prev_epoch | u32 prop_epoch | u32 prop_attempt
 *   vec members | vec vec | vec row | vec prev | vec prop | vec leavers
 *   [tag: CMM_WIRE_MAC_LEN bytes]
 * where vec = u16 nbytes (0..128) + nbytes of bitmap, bit i of byte i/8
 * (LSB first) is node i.
 */
#ifndef CMM_WIRE_H
#define CMM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../quorum/nodeset.h"

#define CMM_WIRE_MAGIC		0x434d4d31u	/* "CMM1" */
#define CMM_WIRE_VERSION	1
#define CMM_WIRE_MAC_LEN	32
#define CMM_WIRE_MAX		1400	/* one datagram, MAC included */

enum cmm_msg_type {
	CMM_MSG_HEARTBEAT = 1,
	CMM_MSG_PRESENCE = 2,	/* phase 1 of a round: "I am here" */
	CMM_MSG_PROPOSE = 3,	/* phase 2: the cluster the sender proposes */
	CMM_MSG_LEAVE = 4,	/* a member leaving on purpose */
	CMM_MSG_PROBE = 5,	/* `cmm check` asks a peer to answer */
	CMM_MSG_PROBE_ACK = 6,	/* the answer; never reaches the core */
};
#define CMM_MSG_TYPE_MAX 6

/* flags */
#define CMM_MSGF_MEMBER	0x01	/* sender is a member of `members` now */
#define CMM_MSGF_LEAVING 0x02	/* sender is leaving on purpose */
#define CMM_MSGF_ADOPT	0x04	/* PROPOSE: adopt `leavers` (recovery) */
#define CMM_MSGF_INROUND 0x08	/* the round fields name a round running now
				 * (else: the sender's last, finished round) */

/*
 * A decoded message.  Which fields mean something depends on the type;
 * every field is always encoded (empty vectors cost two bytes).
 *  - epoch/members: the sender's last committed configuration.
 *  - round_epoch/round_attempt: the round (T, a), 0/0 outside a round.
 *  - vec: PROPOSE/LEAVE vector.
 *  - row: the peers the sender holds alive (connectivity row).
 *  - prev_epoch/prev: the previous cluster P the round is judged against.
 *  - prop_*: the sender's last persisted proposal (Paxos-style recovery).
 *  - leavers: PROPOSE only, the leavers whose LEAVE counted as a vote.
 */
struct cmm_msg {
	uint8_t		type;
	uint8_t		flags;
	uint16_t	sender;
	uint32_t	incarnation;
	uint64_t	seq;
	uint32_t	epoch;
	uint32_t	round_epoch;
	uint32_t	round_attempt;
	uint32_t	prev_epoch;
	uint32_t	prop_epoch;
	uint32_t	prop_attempt;
	struct cmm_set	members;
	struct cmm_set	vec;
	struct cmm_set	row;
	struct cmm_set	prev;
	struct cmm_set	prop;
	struct cmm_set	leavers;
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
