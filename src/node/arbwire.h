/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * arbwire: the datagrams between a node and the network arbiter (`cmm
 * arbiter`, docs/PROTOCOL.md "The network arbiter").  Pure encode and
 * decode; the tag comes from the caller (src/node/devkey.h: BLAKE2b-128
 * keyed with the cluster's dev subkey, the key of the device records).
 *
 * One exchange is two round trips, so a captured request can never be
 * applied twice:
 *	node -> arbiter	HELLO	  nonce N, device name
 *	arbiter -> node	CHALLENGE nonce N, a fresh single-use challenge C
 *	node -> arbiter	OP	  nonce N, C, device name, the operation
 *	arbiter -> node	RESULT	  nonce N, what the operation found
 * The arbiter accepts each challenge once, for the nonce it was issued to;
 * every reply names the node's nonce and is tagged, so a node believes
 * only the answer to its own request.
 *
 * Layout, integers big-endian, a set is 16 u64 words (as in the file
 * device, quorum/device_file.h):
 *	 0  magic "CMMA"	 4  u8 version (1)	 5  u8 type
 *	 6  u16 zero		 8  u32 cluster id	12  nonce (16)
 *	28  body		end - 16: tag of every byte before it
 * Bodies:
 *	HELLO		u8 name length, name
 *	CHALLENGE	challenge (16)
 *	OP		challenge (16), u8 name length, name, u8 op (0: read
 *			the record), u8 zero, u16 node, u32 epoch, u64 ballot,
 *			set, set departed
 *	RESULT		u8 status, u8 has record, u16 zero, u32 slot instance,
 *			u64 promised, u64 accepted, set slot value,
 *			u32 committed epoch, set committed, u32 epoch, set
 *			stale; with a record also i32 holder, u32 reservation
 *			epoch, set configuration, u16 count, count x (u16
 *			node, u32 registration epoch, u32 fence epoch)
 */
#ifndef CMM_ARBWIRE_H
#define CMM_ARBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quorum/device.h"
#include "quorum/device_file.h"

#define CMM_ARB_VERSION		1
#define CMM_ARB_NONCE_LEN	16
#define CMM_ARB_TAG_LEN		CMM_DEVFILE_TAG_LEN
#define CMM_ARB_NAME_MAX	63	/* a device name, without NUL */
#define CMM_ARB_MSG_MAX		12288	/* the largest datagram (a record) */
#define CMM_ARB_OP_READ		0	/* OP: read the record, change nothing */

enum cmm_arb_type {
	CMM_ARB_HELLO = 1,
	CMM_ARB_CHALLENGE,
	CMM_ARB_OP,
	CMM_ARB_RESULT,
};

struct cmm_arb_msg {
	enum cmm_arb_type type;
	uint32_t	cluster_id;
	unsigned char	nonce[CMM_ARB_NONCE_LEN];
	unsigned char	challenge[CMM_ARB_NONCE_LEN];	/* CHALLENGE, OP */
	char		device[CMM_ARB_NAME_MAX + 1];	/* HELLO, OP */
	int		op;		/* OP: CMM_ARB_OP_READ or a cmm_dev_op */
	struct cmm_devop devop;		/* OP (node also for a read) */
	struct cmm_devres res;		/* RESULT */
	bool		has_rec;	/* RESULT of a read */
	struct cmm_devrec rec;
};

/* Encodes and tags m into buf; the length, or 0 when m is not valid (a
 * bad name, op, node id or status) or does not fit. */
size_t	cmm_arb_encode(const struct cmm_arb_msg *m,
	    const struct cmm_devfile_key *key, unsigned char *buf, size_t len);

/* The cluster id of a datagram (to pick the key), or -1 when it is not
 * of this protocol and version. */
int	cmm_arb_peek(const unsigned char *buf, size_t len, uint32_t *cluster_id);

/* Checks the tag first, then parses.  0; -1 malformed; -2 bad tag. */
int	cmm_arb_decode(const unsigned char *buf, size_t len,
	    const struct cmm_devfile_key *key, struct cmm_arb_msg *m);

/* A device name the arbiter can store: 1..CMM_ARB_NAME_MAX of
 * [A-Za-z0-9_.-], not starting with '.'. */
bool	cmm_arb_name_ok(const char *name);

#endif
