/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mac: the cluster key file and packet authentication (docs/PROTOCOL.md
 * "Messages").  libsodium, no libevent.
 *
 * The key file is text: 64 hex digits (a 32-byte master key) and a
 * newline, mode 0600.  The master key is never used directly: the
 * subkeys are derived from it (crypto_kdf, context "cmm-keys") and the
 * master key is wiped.  Datagrams carry a CMM_WIRE_MAC_LEN-byte
 * HMAC-SHA-512/256 tag made with the wire subkey over every byte before it;
 * the config digest is keyed BLAKE2b with the cfg subkey.
 */
#ifndef CMM_MAC_H
#define CMM_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMM_KEY_LEN	32
#define CMM_KEY_HEXLEN	(2 * CMM_KEY_LEN)

struct cmm_keys {
	unsigned char	wire[32];	/* packet MAC */
	unsigned char	dev[32];	/* quorum device records */
	unsigned char	cfg[32];	/* the config digest */
	/* the HMAC state keyed with wire (cmm_keys_derive, cmm_keys_rekey):
	 * each tag starts from a copy, two SHA-512 blocks fewer than
	 * keying it again (libsodium's state, kept opaque here) */
	_Alignas(16) unsigned char wire_mac[416];
};

/* Writes a new random key to path, mode 0600; never overwrites an
 * existing file.  0, or -1 with a one-line reason naming the file in err. */
int	cmm_key_generate(const char *path, char *err, size_t errlen);

/* Reads the key file at path and derives the subkeys into *out.  Refuses a
 * missing file, a key that is short, long, not hex or all zeros, a file
 * that is not regular (a FIFO is refused without waiting for a writer),
 * one owned by another uid than the caller's, and one that group or others
 * may read or write.  0, or -1 with a one-line reason in err. */
int	cmm_key_load(const char *path, struct cmm_keys *out, char *err,
	    size_t errlen);

/* Derives the subkeys from a 32-byte master key (the tests and the
 * simulator use this with a fixed key). */
int	cmm_keys_derive(const unsigned char master[CMM_KEY_LEN],
	    struct cmm_keys *out);

/* After wire was changed by hand (tests): keys the MAC state with it. */
void	cmm_keys_rekey(struct cmm_keys *k);

/* Zeroes the subkeys. */
void	cmm_keys_wipe(struct cmm_keys *k);

/* Appends the tag over buf[0..len) at buf + len (the caller leaves
 * CMM_WIRE_MAC_LEN bytes of room) and returns len + CMM_WIRE_MAC_LEN. */
size_t	cmm_mac_seal(const struct cmm_keys *k, uint8_t *buf, size_t len);

/* True when the last CMM_WIRE_MAC_LEN bytes of buf are the tag of the
 * bytes before them. */
bool	cmm_mac_verify(const struct cmm_keys *k, const uint8_t *buf,
	    size_t total_len);

/* The config digest of the canonical text data[0..len) (src/node/config.h
 * makes it): keyed BLAKE2b-128 with the cfg subkey, so only holders of the
 * cluster key can compute or check one. */
void	cmm_mac_digest(const struct cmm_keys *k, const void *data, size_t len,
	    uint8_t out[16]);

#endif
