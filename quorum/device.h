/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device: a quorum device modelled on a SCSI-3 persistent-reservation disk
 * (DESIGN §3): a set of registered nodes and one reservation (holder,
 * epoch).  Backends implement struct cmm_device_ops; the simulator uses the
 * in-memory one (device_mem.c), the daemon the file one (device_file.c).
 * libc only.
 */
#ifndef CMM_DEVICE_H
#define CMM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "nodeset.h"

/* What a device holds. */
struct cmm_devrec {
	struct cmm_set	registered;
	int		holder;		/* -1: unreserved */
	uint32_t	epoch;		/* epoch of the reservation */
};

enum cmm_dev_status {
	CMM_DEV_OK = 0,
	CMM_DEV_CONFLICT,	/* reservation held by another node, not older */
	CMM_DEV_IO,		/* the backend failed (message in errbuf) */
	CMM_DEV_CORRUPT,	/* the record's checksum or version is wrong */
};

struct cmm_device;	/* opaque, one per device per process */

struct cmm_device_ops {
	const char *name;
	/* reserve(node, T): succeeds if unreserved, older than T, or already
	 * node's.  On success the reservation is (node, T). */
	enum cmm_dev_status (*reserve)(struct cmm_device *d, int node,
	    uint32_t epoch, char *errbuf, unsigned errlen);
	/* fence(by, departed, T): removes the departed registrations and
	 * reserves for (by, T).  Fails with CONFLICT only if a newer epoch holds
	 * the reservation or another node holds the same epoch's reservation
	 * for a different configuration (see device_mem.c). */
	enum cmm_dev_status (*fence)(struct cmm_device *d, int by,
	    const struct cmm_set *departed, uint32_t epoch, char *errbuf,
	    unsigned errlen);
	enum cmm_dev_status (*register_node)(struct cmm_device *d, int node,
	    char *errbuf, unsigned errlen);
	enum cmm_dev_status (*read)(struct cmm_device *d, struct cmm_devrec *out,
	    char *errbuf, unsigned errlen);
	void (*close)(struct cmm_device *d);
};

struct cmm_device {
	const struct cmm_device_ops	*ops;
	void				*impl;
};

/* The rules every backend applies to a record, so they agree exactly. */
enum cmm_dev_status cmm_devrec_reserve(struct cmm_devrec *r, int node,
	    uint32_t epoch);
enum cmm_dev_status cmm_devrec_fence(struct cmm_devrec *r, int by,
	    const struct cmm_set *departed, uint32_t epoch);
void	cmm_devrec_init(struct cmm_devrec *r);

/* In-memory backend (simulator, tests). */
struct cmm_device *cmm_device_mem_new(void);

const char *cmm_dev_status_name(enum cmm_dev_status s);

#endif
