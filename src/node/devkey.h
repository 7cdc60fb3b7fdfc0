/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * devkey: the keyed hash that authenticates quorum-device records
 * (quorum/device_file.h leaves the hash to its caller, to stay libc only):
 * BLAKE2b-128 from libsodium, keyed with the cluster key's `dev` subkey
 * (net/mac.h), so a record only a key holder could have written is
 * believed.
 */
#ifndef CMM_DEVKEY_H
#define CMM_DEVKEY_H

#include "quorum/device_file.h"

/* k authenticates with dev (32 bytes); NULL gives the all-zero key, for
 * tools and tests that have no cluster key (it authenticates nothing). */
void	cmm_devkey_init(struct cmm_devfile_key *k, const unsigned char *dev);

#endif
