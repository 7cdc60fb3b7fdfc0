/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mac: cluster key file and packet MAC; see mac.h. */
#include "net/mac.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "net/wire.h"

/* crypto_kdf subkey ids: one per use, so no two uses share a key.  Id 2
 * was a control-plane key that nothing used (the control socket is a unix
 * socket: the kernel names the peer, and a key would have to be handed to
 * every monitoring user); it is retired, never reused, so the other ids
 * keep deriving the keys they always did. */
enum { KDF_ID_WIRE = 1, KDF_ID_DEV = 3, KDF_ID_CFG = 4 };
static const char kdf_context[crypto_kdf_CONTEXTBYTES] = {
	'c', 'm', 'm', '-', 'k', 'e', 'y', 's'
};

/* a key file has 65 bytes; read a little more to tell "long" apart */
#define KEYFILE_READ	256

_Static_assert(sizeof(((struct cmm_keys *)0)->wire) ==
    crypto_auth_hmacsha512256_KEYBYTES, "wire subkey size");
_Static_assert(CMM_WIRE_MAC_LEN == crypto_auth_hmacsha512256_BYTES,
    "tag size");
_Static_assert(CMM_KEY_LEN == crypto_kdf_KEYBYTES, "master key size");
_Static_assert(sizeof(((struct cmm_keys *)0)->wire_mac) >=
    sizeof(crypto_auth_hmacsha512256_state), "MAC state size");
_Static_assert(CMM_DIGEST_LEN >= crypto_generichash_BYTES_MIN &&
    sizeof(((struct cmm_keys *)0)->cfg) >= crypto_generichash_KEYBYTES_MIN,
    "config digest sizes");

static void	seterr(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static int	is_hex(unsigned char c);

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

int
cmm_key_generate(const char *path, char *err, size_t errlen)
{
	unsigned char key[CMM_KEY_LEN];
	char hex[CMM_KEY_HEXLEN + 2];
	size_t off = 0;
	int fd;

	if (sodium_init() < 0) {
		seterr(err, errlen, "key file %s: libsodium failed to start",
		    path);
		return -1;
	}
	/* O_EXCL: an existing key is a cluster's identity, never clobber it */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		if (errno == EEXIST)
			seterr(err, errlen, "key file %s: already exists, "
			    "refusing to overwrite it", path);
		else
			seterr(err, errlen, "key file %s: cannot create: %s",
			    path, strerror(errno));
		return -1;
	}
	/* the umask may only take bits away; make sure of 0600 anyway */
	if (fchmod(fd, 0600) < 0)
		goto fail;
	crypto_kdf_keygen(key);
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	hex[CMM_KEY_HEXLEN] = '\n';
	while (off < CMM_KEY_HEXLEN + 1) {
		ssize_t n = write(fd, hex + off, CMM_KEY_HEXLEN + 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	sodium_memzero(hex, sizeof(hex));
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	seterr(err, errlen, "key file %s: cannot write: %s", path,
	    strerror(errno));
	sodium_memzero(hex, sizeof(hex));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

int
cmm_keys_derive(const unsigned char master[CMM_KEY_LEN], struct cmm_keys *out)
{
	if (sodium_init() < 0)
		return -1;
	if (crypto_kdf_derive_from_key(out->wire, sizeof(out->wire),
	    KDF_ID_WIRE, kdf_context, master) != 0 ||
	    crypto_kdf_derive_from_key(out->dev, sizeof(out->dev),
	    KDF_ID_DEV, kdf_context, master) != 0 ||
	    crypto_kdf_derive_from_key(out->cfg, sizeof(out->cfg),
	    KDF_ID_CFG, kdf_context, master) != 0) {
		cmm_keys_wipe(out);
		return -1;
	}
	cmm_keys_rekey(out);
	return 0;
}

void
cmm_keys_rekey(struct cmm_keys *k)
{
	crypto_auth_hmacsha512256_state st;

	crypto_auth_hmacsha512256_init(&st, k->wire, sizeof(k->wire));
	memcpy(k->wire_mac, &st, sizeof(st));
	sodium_memzero(&st, sizeof(st));
}

/* HMAC-SHA-512/256 of buf[0..len) from the keyed state: the same tag as
 * crypto_auth_hmacsha512256 with the wire key. */
static void
mac_tag(const struct cmm_keys *k, const uint8_t *buf, size_t len,
    unsigned char tag[CMM_WIRE_MAC_LEN])
{
	crypto_auth_hmacsha512256_state st;

	memcpy(&st, k->wire_mac, sizeof(st));
	crypto_auth_hmacsha512256_update(&st, buf, len);
	crypto_auth_hmacsha512256_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

void
cmm_keys_wipe(struct cmm_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* Whoever may read the key can forge packets and device records, whoever
 * may write it can make the node trust another key: the file must be a
 * regular file of the daemon's user that no one else may read or write.
 * A FIFO or a device is refused before anything is read from it. */
static int
key_check_file(const char *path, int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		seterr(err, errlen, "key file %s: cannot stat: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "key file %s: not a regular file (%s)", path,
		    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ?
		    "a directory" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ?
		    "a device" : S_ISSOCK(st.st_mode) ? "a socket" : "special");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		seterr(err, errlen, "key file %s: owned by uid %ld, not by this "
		    "process's uid %ld (chown %ld %s)", path, (long)st.st_uid,
		    (long)geteuid(), (long)geteuid(), path);
		return -1;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		seterr(err, errlen, "key file %s: mode %04o lets group or "
		    "others read or write it (chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int
cmm_key_load(const char *path, struct cmm_keys *out, char *err, size_t errlen)
{
	unsigned char buf[KEYFILE_READ];
	unsigned char master[CMM_KEY_LEN];
	unsigned char zero[CMM_KEY_LEN] = { 0 };
	size_t len = 0, bin_len = 0, i;
	int fd, rc = -1;

	/* O_NONBLOCK: opening a FIFO would wait for a writer, and a start
	 * must not hang on a planted one (a regular file ignores it) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			seterr(err, errlen, "key file %s: does not exist "
			    "(create one with 'cmm keygen %s')", path, path);
		else
			seterr(err, errlen, "key file %s: cannot open: %s",
			    path, strerror(errno));
		return -1;
	}
	if (key_check_file(path, fd, err, errlen) < 0)
		goto out;
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(err, errlen, "key file %s: cannot read: %s",
			    path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len && i < CMM_KEY_HEXLEN && is_hex(buf[i]); i++)
		;
	if (i == CMM_KEY_HEXLEN && len > CMM_KEY_HEXLEN) {
		seterr(err, errlen, "key file %s: key too long (need exactly "
		    "%d hex digits and a newline)", path, CMM_KEY_HEXLEN);
		goto out;
	}
	if (i < len) {
		seterr(err, errlen, "key file %s: not a hex key (bad "
		    "character at byte %zu)", path, i + 1);
		goto out;
	}
	if (len < CMM_KEY_HEXLEN) {
		seterr(err, errlen, "key file %s: key too short (%zu hex "
		    "digits, need %d)", path, len, CMM_KEY_HEXLEN);
		goto out;
	}
	if (sodium_init() < 0 ||
	    sodium_hex2bin(master, sizeof(master), (const char *)buf, len,
	    NULL, &bin_len, NULL) != 0 || bin_len != sizeof(master)) {
		seterr(err, errlen, "key file %s: cannot derive the keys",
		    path);
		goto out;
	}
	/* a placeholder, not a secret: everyone knows this key */
	if (sodium_memcmp(master, zero, sizeof(master)) == 0) {
		seterr(err, errlen, "key file %s: the key is all zeros (make a "
		    "real one with 'cmm keygen')", path);
		goto out;
	}
	if (cmm_keys_derive(master, out) != 0) {
		seterr(err, errlen, "key file %s: cannot derive the keys",
		    path);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(master, sizeof(master));
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

size_t
cmm_mac_seal(const struct cmm_keys *k, uint8_t *buf, size_t len)
{
	mac_tag(k, buf, len, buf + len);
	return len + CMM_WIRE_MAC_LEN;
}

bool
cmm_mac_verify(const struct cmm_keys *k, const uint8_t *buf, size_t total_len)
{
	unsigned char tag[CMM_WIRE_MAC_LEN];
	size_t len;
	bool ok;

	if (total_len < CMM_WIRE_MAC_LEN)
		return false;
	len = total_len - CMM_WIRE_MAC_LEN;
	mac_tag(k, buf, len, tag);
	ok = crypto_verify_32(tag, buf + len) == 0;
	sodium_memzero(tag, sizeof(tag));
	return ok;
}

void
cmm_mac_digest(const struct cmm_keys *k, const void *data, size_t len,
    uint8_t out[CMM_DIGEST_LEN])
{
	crypto_generichash(out, CMM_DIGEST_LEN, data, len, k->cfg,
	    sizeof(k->cfg));
}
