/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device_file: the shipped quorum-device backend (DESIGN §3), a small file
 * on a filesystem every sharing node can reach, holding one fixed-size
 * record (CMM_DEVFILE_SIZE bytes, big-endian):
 *
 *	  0  magic "CMMQDEV\0"	  8  u32 format version (1)
 *	 12  u32 record size	 16  i32 holder (-1: none)
 *	 20  u32 epoch		 24  u64 generation (bumped on every change)
 *	 32  registered bitmap, 16 u64 words (1024 bits; bit i = node i)
 *	160  zero padding	504  u64 FNV-1a 64 of bytes 0..503
 *
 * Every operation takes an OFD write lock over the record
 * (fcntl F_OFD_SETLKW; reads take a read lock), reads and verifies it,
 * applies the cmm_devrec_* rule of device.h, writes it back and fsyncs
 * before returning, so the file behaves exactly like the in-memory device.
 * A record with a wrong magic, version, size or checksum, or a short file,
 * is reported as CMM_DEV_CORRUPT with a one-line reason and left untouched.
 *
 * COOPERATIVE, NOT ENFORCING.  Unlike a SCSI-3 persistent reservation, this
 * file cannot stop a fenced node from writing to shared data: fencing only
 * removes the node's registration.  Every node must read the device and
 * check that it is still registered before it touches shared data, and must
 * stop when it is not.  A node that ignores this is not fenced.
 *
 * libc only.
 */
#ifndef CMM_DEVICE_FILE_H
#define CMM_DEVICE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "device.h"

#define CMM_DEVFILE_SIZE	512
#define CMM_DEVFILE_VERSION	1

/*
 * Opens the device file at path.  With create, an absent or empty file is
 * initialised with an empty record (nobody registered, no reservation);
 * a file that already holds a record is never overwritten.  The record is
 * verified once at open.  Returns NULL with a one-line reason in err
 * ("PATH: ...") on failure.  Close with d->ops->close(d).
 */
struct cmm_device *cmm_device_file_open(const char *path, bool create,
	    char *err, size_t errlen);

#endif
