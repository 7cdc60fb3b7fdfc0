/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device_file: the file-backed quorum device (DESIGN §3); the record layout
 * and the cooperative-fencing caveat are in device_file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_file.h"

#define DF_MAGIC	"CMMQDEV"	/* 7 chars + NUL = 8 bytes */
#define DF_OFF_VERSION	8
#define DF_OFF_SIZE	12
#define DF_OFF_HOLDER	16
#define DF_OFF_EPOCH	20
#define DF_OFF_GEN	24
#define DF_OFF_BITMAP	32
#define DF_OFF_SUM	(CMM_DEVFILE_SIZE - 8)

struct devfile {
	int	fd;
	char	*path;
};

enum df_op { DF_RESERVE, DF_FENCE, DF_REGISTER };

static void
df_put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static void
df_put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint32_t
df_get32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
df_get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* 64-bit FNV-1a over the record, catching torn and hand-edited files. */
static uint64_t
df_checksum(const unsigned char *p, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static void
df_encode(const struct cmm_devrec *r, uint64_t gen, unsigned char *buf)
{
	memset(buf, 0, CMM_DEVFILE_SIZE);
	memcpy(buf, DF_MAGIC, sizeof(DF_MAGIC));
	df_put32(buf + DF_OFF_VERSION, CMM_DEVFILE_VERSION);
	df_put32(buf + DF_OFF_SIZE, CMM_DEVFILE_SIZE);
	df_put32(buf + DF_OFF_HOLDER, (uint32_t)r->holder);
	df_put32(buf + DF_OFF_EPOCH, r->epoch);
	df_put64(buf + DF_OFF_GEN, gen);
	for (int i = 0; i < CMM_SET_WORDS; i++)
		df_put64(buf + DF_OFF_BITMAP + 8 * i, r->registered.w[i]);
	df_put64(buf + DF_OFF_SUM, df_checksum(buf, DF_OFF_SUM));
}

/* Verifies and decodes a record; on failure *why says what is wrong. */
static int
df_decode(const unsigned char *buf, struct cmm_devrec *r, uint64_t *gen,
    const char **why)
{
	int32_t holder;

	if (memcmp(buf, DF_MAGIC, sizeof(DF_MAGIC)) != 0) {
		*why = "bad magic (not a cmm quorum device)";
		return -1;
	}
	if (df_get32(buf + DF_OFF_VERSION) != CMM_DEVFILE_VERSION) {
		*why = "unsupported format version";
		return -1;
	}
	if (df_get32(buf + DF_OFF_SIZE) != CMM_DEVFILE_SIZE) {
		*why = "bad record size";
		return -1;
	}
	if (df_get64(buf + DF_OFF_SUM) != df_checksum(buf, DF_OFF_SUM)) {
		*why = "bad checksum";
		return -1;
	}
	holder = (int32_t)df_get32(buf + DF_OFF_HOLDER);
	if (holder != -1 && !cmm_set_valid_id(holder)) {
		*why = "holder out of range";
		return -1;
	}
	r->holder = holder;
	r->epoch = df_get32(buf + DF_OFF_EPOCH);
	*gen = df_get64(buf + DF_OFF_GEN);
	for (int i = 0; i < CMM_SET_WORDS; i++)
		r->registered.w[i] = df_get64(buf + DF_OFF_BITMAP + 8 * i);
	return 0;
}

/* Formats "PATH: what: reason" into errbuf (which may be NULL). */
static void
df_err(char *errbuf, size_t errlen, const char *path, const char *what,
    const char *why)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s: %s: %s", path, what, why);
}

/* OFD lock over the record: per open file, so two opens exclude each other
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

/* Reads the whole record; returns the byte count (short at EOF) or -1. */
static ssize_t
df_pread_all(int fd, unsigned char *buf)
{
	size_t got = 0;

	while (got < CMM_DEVFILE_SIZE) {
		ssize_t n = pread(fd, buf + got, CMM_DEVFILE_SIZE - got, got);

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
df_pwrite_all(int fd, const unsigned char *buf)
{
	size_t put = 0;

	while (put < CMM_DEVFILE_SIZE) {
		ssize_t n = pwrite(fd, buf + put, CMM_DEVFILE_SIZE - put, put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

/* Reads and verifies the record; the caller holds the lock. */
static enum cmm_dev_status
df_load(struct devfile *f, struct cmm_devrec *r, uint64_t *gen, char *errbuf,
    size_t errlen)
{
	unsigned char buf[CMM_DEVFILE_SIZE];
	char why[64];
	const char *reason;
	ssize_t n = df_pread_all(f->fd, buf);

	if (n < 0) {
		df_err(errbuf, errlen, f->path, "read", strerror(errno));
		return CMM_DEV_IO;
	}
	if (n < CMM_DEVFILE_SIZE) {
		snprintf(why, sizeof(why), "short record (%zd of %d bytes)", n,
		    CMM_DEVFILE_SIZE);
		df_err(errbuf, errlen, f->path, "corrupt", why);
		return CMM_DEV_CORRUPT;
	}
	if (df_decode(buf, r, gen, &reason) < 0) {
		df_err(errbuf, errlen, f->path, "corrupt", reason);
		return CMM_DEV_CORRUPT;
	}
	return CMM_DEV_OK;
}

/* Writes the record and makes it durable before anyone sees success. */
static enum cmm_dev_status
df_store(struct devfile *f, const struct cmm_devrec *r, uint64_t gen,
    char *errbuf, size_t errlen)
{
	unsigned char buf[CMM_DEVFILE_SIZE];

	df_encode(r, gen, buf);
	if (df_pwrite_all(f->fd, buf) < 0) {
		df_err(errbuf, errlen, f->path, "write", strerror(errno));
		return CMM_DEV_IO;
	}
	if (fsync(f->fd) < 0) {
		df_err(errbuf, errlen, f->path, "fsync", strerror(errno));
		return CMM_DEV_IO;
	}
	return CMM_DEV_OK;
}

/* lock, read, verify, apply the shared rule, write, fsync, unlock */
static enum cmm_dev_status
df_update(struct cmm_device *d, enum df_op op, int node,
    const struct cmm_set *departed, uint32_t epoch, char *errbuf,
    unsigned errlen)
{
	struct devfile *f = d->impl;
	struct cmm_devrec r, before;
	uint64_t gen;
	enum cmm_dev_status st;

	if (!cmm_set_valid_id(node)) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: node id %d out of range "
			    "0..%d", f->path, node, CMM_MAX_NODES - 1);
		return CMM_DEV_IO;
	}
	if (df_lock(f->fd, F_WRLCK) < 0) {
		df_err(errbuf, errlen, f->path, "lock", strerror(errno));
		return CMM_DEV_IO;
	}
	st = df_load(f, &r, &gen, errbuf, errlen);
	if (st != CMM_DEV_OK)
		goto out;
	before = r;
	switch (op) {
	case DF_RESERVE:
		st = cmm_devrec_reserve(&r, node, epoch);
		break;
	case DF_FENCE:
		st = cmm_devrec_fence(&r, node, departed, epoch);
		break;
	case DF_REGISTER:
		cmm_set_add(&r.registered, node);
		st = CMM_DEV_OK;
		break;
	}
	if (st != CMM_DEV_OK)
		goto out;
	if (r.holder != before.holder || r.epoch != before.epoch ||
	    !cmm_set_eq(&r.registered, &before.registered))
		st = df_store(f, &r, gen + 1, errbuf, errlen);
	else if (fsync(f->fd) < 0) {
		/* unchanged, but what we read must be durable before we rely on it */
		df_err(errbuf, errlen, f->path, "fsync", strerror(errno));
		st = CMM_DEV_IO;
	}
out:
	df_lock(f->fd, F_UNLCK);
	return st;
}

static enum cmm_dev_status
df_reserve(struct cmm_device *d, int node, uint32_t epoch, char *errbuf,
    unsigned errlen)
{
	return df_update(d, DF_RESERVE, node, NULL, epoch, errbuf, errlen);
}

static enum cmm_dev_status
df_fence(struct cmm_device *d, int by, const struct cmm_set *departed,
    uint32_t epoch, char *errbuf, unsigned errlen)
{
	return df_update(d, DF_FENCE, by, departed, epoch, errbuf, errlen);
}

static enum cmm_dev_status
df_register(struct cmm_device *d, int node, char *errbuf, unsigned errlen)
{
	return df_update(d, DF_REGISTER, node, NULL, 0, errbuf, errlen);
}

static enum cmm_dev_status
df_read(struct cmm_device *d, struct cmm_devrec *out, char *errbuf,
    unsigned errlen)
{
	struct devfile *f = d->impl;
	struct cmm_devrec r;
	uint64_t gen;
	enum cmm_dev_status st;

	if (df_lock(f->fd, F_RDLCK) < 0) {
		df_err(errbuf, errlen, f->path, "lock", strerror(errno));
		return CMM_DEV_IO;
	}
	st = df_load(f, &r, &gen, errbuf, errlen);
	df_lock(f->fd, F_UNLCK);
	if (st == CMM_DEV_OK)
		*out = r;
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
		free(f);
	}
	free(d);
}

static const struct cmm_device_ops df_ops = {
	.name = "file",
	.reserve = df_reserve,
	.fence = df_fence,
	.register_node = df_register,
	.read = df_read,
	.close = df_close,
};

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

/* With the lock held: initialise an empty file, then verify the record. */
static enum cmm_dev_status
df_prepare(struct devfile *f, bool create, char *err, size_t errlen)
{
	struct cmm_devrec r;
	struct stat st;
	uint64_t gen;
	enum cmm_dev_status s;

	if (fstat(f->fd, &st) < 0) {
		df_err(err, errlen, f->path, "stat", strerror(errno));
		return CMM_DEV_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		df_err(err, errlen, f->path, "open", "not a regular file");
		return CMM_DEV_IO;
	}
	if (st.st_size == 0 && create) {
		cmm_devrec_init(&r);
		s = df_store(f, &r, 0, err, errlen);
		if (s == CMM_DEV_OK)
			df_sync_dir(f->path);
		return s;
	}
	if (st.st_size == 0) {
		df_err(err, errlen, f->path, "corrupt",
		    "empty file (not initialised as a device)");
		return CMM_DEV_CORRUPT;
	}
	return df_load(f, &r, &gen, err, errlen);
}

struct cmm_device *
cmm_device_file_open(const char *path, bool create, char *err, size_t errlen)
{
	struct cmm_device *d;
	struct devfile *f;
	enum cmm_dev_status s;

	if (path == NULL || *path == '\0') {
		df_err(err, errlen, "(device)", "open", "empty path");
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
	f->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0660);
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
		free(f);
	}
	free(d);
	return NULL;
}
