/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device_file: the shipped quorum-device backend (docs/PROTOCOL.md
 * "Quorum devices and fencing"), a small file
 * on a filesystem every sharing node can reach.  Format version 3.
 *
 * The file holds two copies ("slots") of one fixed-size record,
 * CMM_DEVFILE_RECSIZE bytes each, slot A at offset 0 and slot B right
 * after it.  The record is 8.5 KiB, more than a page or a sector, so a
 * crash or SIGKILL during a write can tear it; each write therefore goes
 * to the slot that does not hold the newest record, with the generation
 * one higher, and a reader takes the valid slot of the highest
 * generation.  A torn write only ever damages the copy being replaced,
 * and so loses only the operation that never returned.
 *
 * One record (slot), all integers big-endian; a set is 16 u64 words,
 * bit i%64 of word i/64 = node i:
 *
 *	   0  magic "CMMQDEV\0"		   8  u32 format version (3)
 *	  12  u32 record size (8704)	  16  u64 generation
 *	  24  i32 holder (-1: none)	  28  u32 reservation epoch
 *	  32  u32 committed epoch	  36  u32 slot instance
 *	  40  u64 slot promised ballot	  48  u64 slot accepted ballot
 *	  56  set: reservation configuration
 *	 184  set: committed configuration
 *	 312  set: slot value
 *	 440  u32 reg_epoch[1024]	(0: not registered)
 *	4536  u32 fence_epoch[1024]
 *	8632  zero padding		8688  tag of bytes 0..8687 (16)
 *
 * The tag authenticates the record: a keyed hash (the caller's, see
 * struct cmm_devfile_key; the daemon's is BLAKE2b-128 keyed with the
 * cluster key's `dev` subkey), so only a holder of the cluster key can
 * write a record the nodes believe.  A record with a bad tag (another
 * cluster's key, a hand edit, a torn write) is not believed.
 * The registered set is not stored: it is the nodes with reg_epoch != 0.
 *
 * Every operation takes an OFD write lock over the file (fcntl
 * F_OFD_SETLKW; reads take a read lock), reads and verifies it, applies
 * cmm_devrec_apply() of device.h, writes the changed record and fsyncs
 * before returning, so the file behaves exactly like the in-memory device.
 * A file that is short, or whose two slots are both damaged (wrong magic,
 * version, size or checksum), is reported as CMM_DEV_CORRUPT with a
 * one-line reason and left untouched.  A version 1 file (cmm before the
 * Paxos slot) or 2 (unauthenticated records) is refused: re-create it.
 * The file is opened without following a symlink.
 *
 * COOPERATIVE, NOT ENFORCING.  Unlike a SCSI-3 persistent reservation, this
 * file cannot stop a fenced node from writing to shared data: fencing only
 * removes the node's registration.  Every node must read the device and
 * check that it is still registered before it touches shared data, and must
 * stop when it is not.  A node that ignores this is not fenced.
 *
 * libc only: the keyed hash comes from the caller, so this code needs no
 * crypto library and stays in the core that links with libc alone.
 */
#ifndef CMM_DEVICE_FILE_H
#define CMM_DEVICE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "quorum/device.h"

#define CMM_DEVFILE_VERSION	3
#define CMM_DEVFILE_RECSIZE	8704			/* one slot */
#define CMM_DEVFILE_SIZE	(2 * CMM_DEVFILE_RECSIZE)	/* the file */
#define CMM_DEVFILE_KEY_LEN	32
#define CMM_DEVFILE_TAG_LEN	16

/* The record's authentication: out = the keyed hash of rec[0..len). */
typedef void (*cmm_devfile_mac_fn)(unsigned char out[CMM_DEVFILE_TAG_LEN],
	    const unsigned char *rec, size_t len,
	    const unsigned char key[CMM_DEVFILE_KEY_LEN]);

struct cmm_devfile_key {
	cmm_devfile_mac_fn	mac;
	unsigned char		key[CMM_DEVFILE_KEY_LEN];
};

/*
 * Opens the device file at path.  With create, an absent or empty file is
 * initialised with an empty record (nobody registered, no reservation), as
 * is a full-size file whose creation was interrupted (slot B still zero
 * and slot A invalid: no operation ever reached it); a file that holds a
 * record is never overwritten.  The record is verified once at open.
 * Records are tagged and checked with key (copied; every node sharing the
 * device must use the same).  Returns NULL with a one-line reason in err
 * ("PATH: ...") on failure.  Close with d->ops->close(d).
 */
struct cmm_device *cmm_device_file_open(const char *path, bool create,
	    const struct cmm_devfile_key *key, char *err, size_t errlen);

/*
 * Proves the device takes writes without changing what it says (the
 * preflight of `cmm check`): under the write lock, reads and verifies the
 * record, writes the same record to the other slot with the next
 * generation, and fsyncs.  d must come from cmm_device_file_open().
 * CMM_DEV_OK, or IO/CORRUPT with a one-line reason in err.
 */
enum cmm_dev_status cmm_device_file_rewrite(struct cmm_device *d, char *err,
	    size_t errlen);

#endif
