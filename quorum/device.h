/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device: a quorum device modelled on a SCSI-3 persistent-reservation disk
 * (docs/PROTOCOL.md "Quorum devices"): registered nodes with the epoch each
 * registered at, the epoch of the fence that last removed each node, one
 * reservation (holder, epoch, configuration), the last committed
 * configuration the device has seen, and the Paxos slot a two-node cluster
 * uses as its third acceptor (Disk Paxos on one disk).
 *
 * The rules live in one pure function, cmm_devrec_apply(); every backend
 * (in memory for the simulator and tests, a file for the daemon, later the
 * network arbiter) reads the record, applies it, and writes it back, so
 * they agree exactly.  libc only.
 */
#ifndef CMM_DEVICE_H
#define CMM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "quorum/nodeset.h"

/*
 * A ballot (attempt, coordinator) as one ordered number; 0 is "none" and
 * sorts below every real ballot.  Attempts order first, then coordinator
 * ids, exactly the lexicographic order of the pair.
 */
typedef uint64_t cmm_ballot;
#define CMM_BALLOT_NONE	((cmm_ballot)0)
#define CMM_BALLOT_MAX_ATTEMPT	0x7fffffffu

static inline cmm_ballot
cmm_ballot_make(uint32_t attempt, int coord)
{
	return ((cmm_ballot)attempt + 1) << 16 | (cmm_ballot)(coord & 0xffff);
}

static inline uint32_t
cmm_ballot_attempt(cmm_ballot b)
{
	return b == CMM_BALLOT_NONE ? 0 : (uint32_t)((b >> 16) - 1);
}

static inline int
cmm_ballot_coord(cmm_ballot b)
{
	return b == CMM_BALLOT_NONE ? -1 : (int)(b & 0xffff);
}

/* What a device holds. */
struct cmm_devrec {
	struct cmm_set	registered;	/* == the nodes with reg_epoch[i] != 0 */
	uint32_t	reg_epoch[CMM_MAX_NODES];	/* 0: not registered */
	uint32_t	fence_epoch[CMM_MAX_NODES];	/* last fence that removed i */
	/* the reservation: who last fenced or registered, at which epoch,
	 * for which configuration */
	int		holder;		/* -1: unreserved */
	uint32_t	epoch;
	struct cmm_set	config;
	/* the newest configuration the device knows to be committed */
	uint32_t	committed_epoch;	/* 0: none */
	struct cmm_set	committed;
	/* the two-node Paxos slot for instance slot_instance */
	uint32_t	slot_instance;	/* 0: never used */
	cmm_ballot	slot_promised;
	cmm_ballot	slot_accepted;
	struct cmm_set	slot_value;
};

enum cmm_dev_status {
	CMM_DEV_OK = 0,
	CMM_DEV_CONFLICT,	/* fence/register below the reservation epoch,
				 * or at it with another configuration */
	CMM_DEV_IO,		/* the backend failed (message in errbuf) */
	CMM_DEV_CORRUPT,	/* the record's checksum or version is wrong */
	CMM_DEV_STALE,		/* fence: a departed node is registered at an
				 * epoch >= the fence's; it was left alone */
	CMM_DEV_REFUSED,	/* register below the epoch of the fence that
				 * last removed the node */
	CMM_DEV_NACK,		/* slot: a higher ballot was promised */
	CMM_DEV_OLD,		/* slot: the record is at a higher instance,
				 * or that instance is already committed */
};
#define CMM_DEV__COUNT	8

enum cmm_dev_op {
	CMM_DEVOP_REGISTER = 1,	/* node registers at epoch for config set */
	CMM_DEVOP_FENCE,	/* node fences departed at epoch for config set */
	CMM_DEVOP_PROMISE,	/* slot phase 1: instance = epoch, ballot */
	CMM_DEVOP_ACCEPT,	/* slot phase 2: instance = epoch, ballot, set */
};

/* One operation on a device. */
struct cmm_devop {
	enum cmm_dev_op	op;
	int		node;		/* the node asking */
	uint32_t	epoch;		/* REGISTER/FENCE: epoch; slot: instance */
	cmm_ballot	ballot;		/* PROMISE/ACCEPT */
	struct cmm_set	set;		/* REGISTER/FENCE: the configuration;
					 * ACCEPT: the value */
	struct cmm_set	departed;	/* FENCE */
};

/* The core's request for one operation on one of its devices; the daemon
 * and the simulator perform it and answer with cmm_core_on_device_result. */
struct cmm_devreq {
	uint32_t	id;		/* echoed in the result */
	int		device;		/* index into the configured devices */
	struct cmm_devop op;
};

/* What an operation found.  The slot fields are filled for every op (so a
 * caller can learn what the device knows); stale lists the departed nodes
 * a FENCE left alone. */
struct cmm_devres {
	enum cmm_dev_status status;
	uint32_t	slot_instance;
	cmm_ballot	slot_promised;
	cmm_ballot	slot_accepted;
	struct cmm_set	slot_value;
	uint32_t	committed_epoch;
	struct cmm_set	committed;
	uint32_t	epoch;		/* the reservation epoch after the op */
	struct cmm_set	stale;
};

struct cmm_device;	/* opaque, one per device per process */

struct cmm_device_ops {
	const char *name;
	/* Applies op atomically and durably; res is always filled (status
	 * CMM_DEV_IO/CORRUPT with errbuf on a backend failure). */
	enum cmm_dev_status (*apply)(struct cmm_device *d,
	    const struct cmm_devop *op, struct cmm_devres *res, char *errbuf,
	    unsigned errlen);
	enum cmm_dev_status (*read)(struct cmm_device *d, struct cmm_devrec *out,
	    char *errbuf, unsigned errlen);
	void (*close)(struct cmm_device *d);
};

struct cmm_device {
	const struct cmm_device_ops	*ops;
	void				*impl;
};

void	cmm_devrec_init(struct cmm_devrec *r);
/* The rules every backend applies (docs/PROTOCOL.md): changes r only
 * when the status is OK or STALE; fills res in every case. */
enum cmm_dev_status cmm_devrec_apply(struct cmm_devrec *r,
	    const struct cmm_devop *op, struct cmm_devres *res);

/* In-memory backend (simulator, tests). */
struct cmm_device *cmm_device_mem_new(void);

const char *cmm_dev_status_name(enum cmm_dev_status s);
const char *cmm_dev_op_name(enum cmm_dev_op op);

#endif
