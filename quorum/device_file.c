/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device_file: the file-backed quorum device (docs/PROTOCOL.md "Quorum
 * devices and fencing"); the record layout,
 * the two slots and the cooperative-fencing caveat are in device_file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quorum/device_file.h"
#include "util/byteorder.h"

#define DF_MAGIC	"CMMQDEV"	/* 7 chars + NUL = 8 bytes */
#define DF_OFF_VERSION	8
#define DF_OFF_SIZE	12
#define DF_OFF_GEN	16
#define DF_OFF_HOLDER	24
#define DF_OFF_EPOCH	28
#define DF_OFF_COMMITTED_EPOCH	32
#define DF_OFF_SLOT_INSTANCE	36
#define DF_OFF_PROMISED	40
#define DF_OFF_ACCEPTED	48
#define DF_SET_BYTES	(8 * CMM_SET_WORDS)
#define DF_OFF_CONFIG	56
#define DF_OFF_COMMITTED	(DF_OFF_CONFIG + DF_SET_BYTES)
#define DF_OFF_SLOT_VALUE	(DF_OFF_COMMITTED + DF_SET_BYTES)
#define DF_OFF_REG	(DF_OFF_SLOT_VALUE + DF_SET_BYTES)
#define DF_OFF_FENCE	(DF_OFF_REG + 4 * CMM_MAX_NODES)
#define DF_OFF_PAD	(DF_OFF_FENCE + 4 * CMM_MAX_NODES)
#define DF_OFF_TAG	(CMM_DEVFILE_RECSIZE - CMM_DEVFILE_TAG_LEN)
#define DF_BAD_TAG	"bad tag (written with another cluster key, or damaged)"

_Static_assert(DF_OFF_PAD == 8632, "device_file.h documents the layout");
_Static_assert(DF_OFF_TAG == 8688, "device_file.h documents the layout");
_Static_assert(DF_OFF_PAD <= DF_OFF_TAG, "the record fits its slot");

struct devfile {
	int	fd;
	char	*path;
	struct cmm_devfile_key key;
};

/* The newest valid record of the file, as df_load found it. */
struct df_cur {
	struct cmm_devrec	rec;
	uint64_t		gen;
	int			slot;		/* 0: A, 1: B */
	bool			blank;		/* creation never finished */
	unsigned char		raw[CMM_DEVFILE_RECSIZE];	/* its bytes */
};

/* The record's tag: the caller's keyed hash over bytes 0..DF_OFF_TAG. */
static void
df_tag(const struct devfile *f, const unsigned char *rec,
    unsigned char out[CMM_DEVFILE_TAG_LEN])
{
	f->key.mac(out, rec, DF_OFF_TAG, f->key.key);
}

/* Compared in constant time: a forger learns nothing from how long a
 * wrong tag took to refuse. */
static bool
df_tag_ok(const struct devfile *f, const unsigned char *rec)
{
	unsigned char want[CMM_DEVFILE_TAG_LEN], diff = 0;

	df_tag(f, rec, want);
	for (int i = 0; i < CMM_DEVFILE_TAG_LEN; i++)
		diff |= want[i] ^ rec[DF_OFF_TAG + i];
	return diff == 0;
}

static void
df_put_set(unsigned char *p, const struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		cmm_put_be64(p + 8 * i, s->w[i]);
}

static void
df_get_set(const unsigned char *p, struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		s->w[i] = cmm_get_be64(p + 8 * i);
}

static void
df_encode(const struct devfile *f, const struct cmm_devrec *r, uint64_t gen,
    unsigned char *buf)
{
	memset(buf, 0, CMM_DEVFILE_RECSIZE);
	memcpy(buf, DF_MAGIC, sizeof(DF_MAGIC));
	cmm_put_be32(buf + DF_OFF_VERSION, CMM_DEVFILE_VERSION);
	cmm_put_be32(buf + DF_OFF_SIZE, CMM_DEVFILE_RECSIZE);
	cmm_put_be64(buf + DF_OFF_GEN, gen);
	cmm_put_be32(buf + DF_OFF_HOLDER, (uint32_t)r->holder);
	cmm_put_be32(buf + DF_OFF_EPOCH, r->epoch);
	cmm_put_be32(buf + DF_OFF_COMMITTED_EPOCH, r->committed_epoch);
	cmm_put_be32(buf + DF_OFF_SLOT_INSTANCE, r->slot_instance);
	cmm_put_be64(buf + DF_OFF_PROMISED, r->slot_promised);
	cmm_put_be64(buf + DF_OFF_ACCEPTED, r->slot_accepted);
	df_put_set(buf + DF_OFF_CONFIG, &r->config);
	df_put_set(buf + DF_OFF_COMMITTED, &r->committed);
	df_put_set(buf + DF_OFF_SLOT_VALUE, &r->slot_value);
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		cmm_put_be32(buf + DF_OFF_REG + 4 * i, r->reg_epoch[i]);
		cmm_put_be32(buf + DF_OFF_FENCE + 4 * i, r->fence_epoch[i]);
	}
	df_tag(f, buf, buf + DF_OFF_TAG);
}

/* Checks magic and version: 0, -1 (not a device) or -2 (another version),
 * with *why on failure. */
static int
df_verify_header(const unsigned char *buf, char *why, size_t whylen)
{
	uint32_t version = cmm_get_be32(buf + DF_OFF_VERSION);

	if (memcmp(buf, DF_MAGIC, sizeof(DF_MAGIC)) != 0) {
		snprintf(why, whylen, "bad magic (not a cmm quorum device)");
		return -1;
	}
	if (version == CMM_DEVFILE_VERSION)
		return 0;
	if (version == 1 || version == 2)
		snprintf(why, whylen, "unsupported format version %u%s; "
		    "re-create the device file", (unsigned)version,
		    version == 2 ? " (unauthenticated records)" : "");
	else
		snprintf(why, whylen, "unsupported format version %u",
		    (unsigned)version);
	return -2;
}

/* Checks one whole record; *why on failure. */
static int
df_verify(const struct devfile *f, const unsigned char *buf, char *why,
    size_t whylen)
{
	int32_t holder = (int32_t)cmm_get_be32(buf + DF_OFF_HOLDER);

	if (df_verify_header(buf, why, whylen) < 0)
		return -1;
	if (cmm_get_be32(buf + DF_OFF_SIZE) != CMM_DEVFILE_RECSIZE)
		snprintf(why, whylen, "bad record size");
	else if (!df_tag_ok(f, buf))
		snprintf(why, whylen, DF_BAD_TAG);
	else if (holder != -1 && !cmm_set_valid_id(holder))
		snprintf(why, whylen, "holder out of range");
	else
		return 0;
	return -1;
}

/* Decodes a verified record. */
static void
df_decode(const unsigned char *buf, struct cmm_devrec *r, uint64_t *gen)
{
	cmm_devrec_init(r);
	*gen = cmm_get_be64(buf + DF_OFF_GEN);
	r->holder = (int32_t)cmm_get_be32(buf + DF_OFF_HOLDER);
	r->epoch = cmm_get_be32(buf + DF_OFF_EPOCH);
	r->committed_epoch = cmm_get_be32(buf + DF_OFF_COMMITTED_EPOCH);
	r->slot_instance = cmm_get_be32(buf + DF_OFF_SLOT_INSTANCE);
	r->slot_promised = cmm_get_be64(buf + DF_OFF_PROMISED);
	r->slot_accepted = cmm_get_be64(buf + DF_OFF_ACCEPTED);
	df_get_set(buf + DF_OFF_CONFIG, &r->config);
	df_get_set(buf + DF_OFF_COMMITTED, &r->committed);
	df_get_set(buf + DF_OFF_SLOT_VALUE, &r->slot_value);
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		r->reg_epoch[i] = cmm_get_be32(buf + DF_OFF_REG + 4 * i);
		r->fence_epoch[i] = cmm_get_be32(buf + DF_OFF_FENCE + 4 * i);
		if (r->reg_epoch[i] != 0)
			cmm_set_add(&r->registered, i);
	}
}

/* Formats "PATH: what: reason" into errbuf (which may be NULL). */
static void
df_err(char *errbuf, size_t errlen, const char *path, const char *what,
    const char *why)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s: %s: %s", path, what, why);
}

/* OFD lock over the file: per open file, so two opens exclude each other
 * even inside one process, and a crash releases it. */
static int
df_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = CMM_DEVFILE_SIZE;
	while (fcntl(fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Reads up to len bytes at off; returns the count (short at EOF) or -1. */
static ssize_t
df_pread_all(int fd, unsigned char *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int
df_pwrite_all(int fd, const unsigned char *buf, size_t len, off_t off)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = pwrite(fd, buf + put, len - put, off + (off_t)put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

static bool
df_all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The reason a file whose two slots are both bad gives, on one line. */
static void
df_both_bad(char *why, size_t whylen, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		snprintf(why, whylen, "%s (both copies)", a);
	else
		snprintf(why, whylen, "slot A: %s; slot B: %s", a, b);
}

/*
 * Reads both slots and picks the valid one of the highest generation; the
 * caller holds the lock.  A file too short for both slots is corrupt
 * (after a word about its version, so an old file says what it is).
 */
static enum cmm_dev_status
df_load(struct devfile *f, struct df_cur *cur, char *errbuf, size_t errlen)
{
	unsigned char buf[CMM_DEVFILE_SIZE];
	const unsigned char *slot[2] = { buf, buf + CMM_DEVFILE_RECSIZE };
	char why[2][128], msg[320];
	uint64_t gen[2];
	int ok[2], best = -1;
	ssize_t n = df_pread_all(f->fd, buf, sizeof(buf), 0);

	cur->blank = false;
	if (n < 0) {
		df_err(errbuf, errlen, f->path, "read", strerror(errno));
		return CMM_DEV_IO;
	}
	if (n < CMM_DEVFILE_SIZE) {
		if (n < DF_OFF_SIZE ||
		    df_verify_header(buf, why[0], sizeof(why[0])) != -2)
			snprintf(why[0], sizeof(why[0]), "short record (%zd of "
			    "%d bytes)", n, CMM_DEVFILE_SIZE);
		df_err(errbuf, errlen, f->path, "corrupt", why[0]);
		return CMM_DEV_CORRUPT;
	}
	for (int i = 0; i < 2; i++) {
		ok[i] = df_verify(f, slot[i], why[i], sizeof(why[i])) == 0;
		gen[i] = ok[i] ? cmm_get_be64(slot[i] + DF_OFF_GEN) : 0;
		if (ok[i] && (best < 0 || gen[i] > gen[best]))
			best = i;
	}
	if (best < 0) {
		/* slot B is written only after slot A was: never used */
		cur->blank = df_all_zero(slot[1], CMM_DEVFILE_RECSIZE);
		if (cur->blank)
			snprintf(msg, sizeof(msg), "not initialised as a device "
			    "(creation interrupted; slot A: %s)", why[0]);
		else
			df_both_bad(msg, sizeof(msg), why[0], why[1]);
		df_err(errbuf, errlen, f->path, "corrupt", msg);
		return CMM_DEV_CORRUPT;
	}
	df_decode(slot[best], &cur->rec, &cur->gen);
	cur->slot = best;
	memcpy(cur->raw, slot[best], CMM_DEVFILE_RECSIZE);
	return CMM_DEV_OK;
}

/* Writes r as generation gen into slot and makes it durable before
 * anyone sees success. */
static enum cmm_dev_status
df_store(struct devfile *f, const struct cmm_devrec *r, uint64_t gen,
    int slot, char *errbuf, size_t errlen)
{
	unsigned char buf[CMM_DEVFILE_RECSIZE];

	df_encode(f, r, gen, buf);
	if (df_pwrite_all(f->fd, buf, sizeof(buf),
	    (off_t)slot * CMM_DEVFILE_RECSIZE) < 0) {
		df_err(errbuf, errlen, f->path, "write", strerror(errno));
		return CMM_DEV_IO;
	}
	if (fsync(f->fd) < 0) {
		df_err(errbuf, errlen, f->path, "fsync", strerror(errno));
		return CMM_DEV_IO;
	}
	return CMM_DEV_OK;
}

/* The next record goes to the other slot, one generation up. */
static enum cmm_dev_status
df_store_next(struct devfile *f, const struct df_cur *cur,
    const struct cmm_devrec *r, char *errbuf, size_t errlen)
{
	return df_store(f, r, cur->gen + 1, 1 - cur->slot, errbuf, errlen);
}

/* What a backend failure reports: no record to learn from. */
static enum cmm_dev_status
df_fail(struct cmm_devres *res, enum cmm_dev_status st)
{
	memset(res, 0, sizeof(*res));
	res->status = st;
	return st;
}

/* The rule on the loaded record; writes it only when it changed (an
 * unchanged record is still fsynced: we rely on what we read). */
static enum cmm_dev_status
df_apply_locked(struct devfile *f, struct df_cur *cur,
    const struct cmm_devop *op, struct cmm_devres *res, char *errbuf,
    size_t errlen)
{
	unsigned char now[CMM_DEVFILE_RECSIZE];
	enum cmm_dev_status st = cmm_devrec_apply(&cur->rec, op, res), w;

	if (st != CMM_DEV_OK && st != CMM_DEV_STALE)
		return st;
	df_encode(f, &cur->rec, cur->gen, now);
	if (memcmp(now, cur->raw, DF_OFF_TAG) != 0) {
		w = df_store_next(f, cur, &cur->rec, errbuf, errlen);
	} else if (fsync(f->fd) < 0) {
		df_err(errbuf, errlen, f->path, "fsync", strerror(errno));
		w = CMM_DEV_IO;
	} else
		w = CMM_DEV_OK;
	return w == CMM_DEV_OK ? st : df_fail(res, w);
}

static void
df_clear(char *errbuf, unsigned errlen)
{
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
}

/* lock, read, verify, apply the shared rule, write, fsync, unlock */
static enum cmm_dev_status
df_apply(struct cmm_device *d, const struct cmm_devop *op,
    struct cmm_devres *res, char *errbuf, unsigned errlen)
{
	struct devfile *f = d->impl;
	struct df_cur cur;
	enum cmm_dev_status st;

	df_clear(errbuf, errlen);
	if (!cmm_set_valid_id(op->node)) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: node id %d out of range "
			    "0..%d", f->path, op->node, CMM_MAX_NODES - 1);
		return df_fail(res, CMM_DEV_IO);
	}
	if (df_lock(f->fd, F_WRLCK) < 0) {
		df_err(errbuf, errlen, f->path, "lock", strerror(errno));
		return df_fail(res, CMM_DEV_IO);
	}
	st = df_load(f, &cur, errbuf, errlen);
	if (st == CMM_DEV_OK)
		st = df_apply_locked(f, &cur, op, res, errbuf, errlen);
	else
		df_fail(res, st);
	df_lock(f->fd, F_UNLCK);
	return st;
}

static enum cmm_dev_status
df_read(struct cmm_device *d, struct cmm_devrec *out, char *errbuf,
    unsigned errlen)
{
	struct devfile *f = d->impl;
	struct df_cur cur;
	enum cmm_dev_status st;

	df_clear(errbuf, errlen);
	if (df_lock(f->fd, F_RDLCK) < 0) {
		df_err(errbuf, errlen, f->path, "lock", strerror(errno));
		return CMM_DEV_IO;
	}
	st = df_load(f, &cur, errbuf, errlen);
	df_lock(f->fd, F_UNLCK);
	if (st == CMM_DEV_OK)
		*out = cur.rec;
	return st;
}

static void
df_close(struct cmm_device *d)
{
	struct devfile *f;

	if (d == NULL)
		return;
	f = d->impl;
	if (f != NULL) {
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		explicit_bzero(&f->key, sizeof(f->key));
		free(f);
	}
	free(d);
}

static const struct cmm_device_ops df_ops = {
	.name = "file",
	.apply = df_apply,
	.read = df_read,
	.close = df_close,
};

enum cmm_dev_status
cmm_device_file_rewrite(struct cmm_device *d, char *err, size_t errlen)
{
	struct devfile *f;
	struct df_cur cur;
	enum cmm_dev_status st;

	df_clear(err, (unsigned)errlen);
	if (d == NULL || d->ops != &df_ops) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "not a file device");
		return CMM_DEV_IO;
	}
	f = d->impl;
	if (df_lock(f->fd, F_WRLCK) < 0) {
		df_err(err, errlen, f->path, "lock", strerror(errno));
		return CMM_DEV_IO;
	}
	st = df_load(f, &cur, err, errlen);
	if (st == CMM_DEV_OK)
		st = df_store_next(f, &cur, &cur.rec, err, errlen);
	df_lock(f->fd, F_UNLCK);
	return st;
}

/* fsync the directory holding path, so a newly created file survives. */
static void
df_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int dfd;

	if (copy == NULL)
		return;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(copy);
}

/*
 * Writes the empty record, in an order a crash cannot turn into a file
 * that looks used: the full size first (zeros), then slot A, then slot B's
 * zeros again (so its blocks exist before the first operation needs them).
 * Until an operation writes slot B, df_load() sees the file as blank.
 */
static enum cmm_dev_status
df_init(struct devfile *f, char *err, size_t errlen)
{
	static const unsigned char zero[CMM_DEVFILE_RECSIZE];
	struct cmm_devrec r;
	enum cmm_dev_status s;

	if (ftruncate(f->fd, CMM_DEVFILE_SIZE) < 0) {
		df_err(err, errlen, f->path, "truncate", strerror(errno));
		return CMM_DEV_IO;
	}
	cmm_devrec_init(&r);
	s = df_store(f, &r, 0, 0, err, errlen);
	if (s != CMM_DEV_OK)
		return s;
	if (df_pwrite_all(f->fd, zero, sizeof(zero), CMM_DEVFILE_RECSIZE) < 0 ||
	    fsync(f->fd) < 0) {
		df_err(err, errlen, f->path, "write", strerror(errno));
		return CMM_DEV_IO;
	}
	df_sync_dir(f->path);
	return CMM_DEV_OK;
}

/* With the lock held: initialise an empty or blank file, else verify it. */
static enum cmm_dev_status
df_prepare(struct devfile *f, bool create, char *err, size_t errlen)
{
	struct df_cur cur;
	struct stat st;
	enum cmm_dev_status s;

	if (fstat(f->fd, &st) < 0) {
		df_err(err, errlen, f->path, "stat", strerror(errno));
		return CMM_DEV_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		df_err(err, errlen, f->path, "open", "not a regular file");
		return CMM_DEV_IO;
	}
	if (st.st_size == 0) {
		if (create)
			return df_init(f, err, errlen);
		df_err(err, errlen, f->path, "corrupt",
		    "empty file (not initialised as a device)");
		return CMM_DEV_CORRUPT;
	}
	s = df_load(f, &cur, err, errlen);
	if (s == CMM_DEV_CORRUPT && cur.blank && create)
		s = df_init(f, err, errlen);
	return s;
}

struct cmm_device *
cmm_device_file_open(const char *path, bool create,
    const struct cmm_devfile_key *key, char *err, size_t errlen)
{
	struct cmm_device *d;
	struct devfile *f;
	enum cmm_dev_status s;

	if (path == NULL || *path == '\0') {
		df_err(err, errlen, "(device)", "open", "empty path");
		return NULL;
	}
	if (key == NULL || key->mac == NULL) {
		df_err(err, errlen, path, "open", "no key to authenticate it");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	f = calloc(1, sizeof(*f));
	if (f != NULL)
		f->fd = -1;
	if (d == NULL || f == NULL || (f->path = strdup(path)) == NULL) {
		df_err(err, errlen, path, "open", "out of memory");
		goto fail;
	}
	f->key = *key;
	/* never through a planted link: the device is written as root */
	f->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW |
	    (create ? O_CREAT : 0), 0660);
	if (f->fd < 0) {
		df_err(err, errlen, path, "open", strerror(errno));
		goto fail;
	}
	if (df_lock(f->fd, F_WRLCK) < 0) {
		df_err(err, errlen, path, "lock", strerror(errno));
		goto fail;
	}
	s = df_prepare(f, create, err, errlen);
	df_lock(f->fd, F_UNLCK);
	if (s != CMM_DEV_OK)
		goto fail;
	d->ops = &df_ops;
	d->impl = f;
	return d;
fail:
	if (f != NULL) {
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		explicit_bzero(&f->key, sizeof(f->key));
		free(f);
	}
	free(d);
	return NULL;
}
