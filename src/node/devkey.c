/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devkey: BLAKE2b-128 keyed with the dev subkey (see devkey.h). */
#include <string.h>

#include <sodium.h>

#include "src/node/devkey.h"

_Static_assert(CMM_DEVFILE_TAG_LEN >= crypto_generichash_BYTES_MIN &&
    CMM_DEVFILE_TAG_LEN <= crypto_generichash_BYTES_MAX, "tag size");
_Static_assert(CMM_DEVFILE_KEY_LEN >= crypto_generichash_KEYBYTES_MIN &&
    CMM_DEVFILE_KEY_LEN <= crypto_generichash_KEYBYTES_MAX, "key size");

static void	devkey_mac(unsigned char out[CMM_DEVFILE_TAG_LEN],
		    const unsigned char *rec, size_t len,
		    const unsigned char key[CMM_DEVFILE_KEY_LEN]);

static void
devkey_mac(unsigned char out[CMM_DEVFILE_TAG_LEN], const unsigned char *rec,
    size_t len, const unsigned char key[CMM_DEVFILE_KEY_LEN])
{
	/* sodium_init picks the fastest code and is idempotent; generichash
	 * works without it, so its result does not matter here */
	if (sodium_init() < 0)
		memset(out, 0, CMM_DEVFILE_TAG_LEN);
	crypto_generichash(out, CMM_DEVFILE_TAG_LEN, rec, len, key,
	    CMM_DEVFILE_KEY_LEN);
}

void
cmm_devkey_init(struct cmm_devfile_key *k, const unsigned char *dev)
{
	k->mac = devkey_mac;
	if (dev != NULL)
		memcpy(k->key, dev, CMM_DEVFILE_KEY_LEN);
	else
		memset(k->key, 0, CMM_DEVFILE_KEY_LEN);
}
