/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state: the committed state and the history of a node on disk
 * (docs/PROTOCOL.md "What a node keeps").  Records are explicit little-endian with a BLAKE2b-128
 * checksum (libsodium), so a torn or bit-flipped file is caught, never
 * believed.
 *
 * state file: two slots of one record each (CMM_STATE_REC_SIZE = 360):
 *   0 "CMMSTATE" | 8 u16 version (4) | 10 u16 size | 12 u32 epoch
 *   16 u32 incarnation | 20 u32 next_attempt | 24 u32 abstain
 *   28 u32 cfg_version | 32 members (128) | 160 accepted value (128)
 *   288 u64 promised | 296 u64 accepted | 304 u64 write sequence
 *   312 u64 0 | 320 cfg_digest (16) | 336 u64 0 | 344 checksum (16)
 * Version 3 (336-byte records: no cfg_digest, 0 at 28, checksum at 320)
 * is still read, as a state of an unknown config; the next save writes
 * the file anew as version 4.
 * A save overwrites the slot with the older sequence in place and syncs
 * its data (fdatasync): one write and one flush per promise, accept or
 * commit, on a file the daemon keeps open (struct cmm_state_file).  A
 * torn write damages only that slot; the load takes the valid slot with
 * the newer sequence.
 * history: DIR/history, and DIR/history.1 the file it was before its last
 * rotation; records are appended to DIR/history, which is renamed to
 * history.1 (replacing the older one) when the next record would take it
 * past its size limit.  Records have a fixed size, so the newest N are
 * read by seeking from the end: O(N), whatever the size of the files.
 * history record (CMM_HIST_REC_SIZE = 280):
 *   0 "CMMH" | 4 u16 version | 6 u16 kind | 8 u32 epoch | 12 i32 uid
 *   16 i64 time_ms | 24 members (128) | 152 reason (112, NUL padded)
 *   264 checksum (16)
 * A set is 16 u64 words, word i holding ids 64i..64i+63.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "src/node/state.h"
#include "util/byteorder.h"
#include "util/timefmt.h"

#define ST_MAGIC	"CMMSTATE"
#define ST_VERSION	4
#define ST_SEQ_OFF	304
#define ST_DIGEST_OFF	320
#define ST_SUM_OFF	344
#define ST_FILE_SIZE	(2 * CMM_STATE_REC_SIZE)
#define ST_V3		3	/* the format before the config digest */
#define ST_V3_REC_SIZE	336
#define ST_V3_FILE_SIZE	(2 * ST_V3_REC_SIZE)
#define HI_MAGIC	"CMMH"
#define HI_VERSION	1
#define HI_SUM_OFF	264
#define SUM_LEN		16
_Static_assert(ST_SUM_OFF + SUM_LEN == CMM_STATE_REC_SIZE, "state record");
#define FORGET_HINT	"; start with --forget-state to discard it"

static void	put_set(uint8_t *p, const struct cmm_set *s);
static void	get_set(const uint8_t *p, struct cmm_set *s);
static void	checksum(const uint8_t *buf, size_t len, uint8_t out[SUM_LEN]);
static bool	checksum_ok(const uint8_t *buf, size_t len);
static int	st_path(char *buf, size_t len, const char *dir, const char *name,
		    char *err, size_t errlen);
static int	st_dir_trusted(const char *dir, const struct stat *st, char *err,
		    size_t errlen);
static int	fsync_dir(const char *dir, char *err, size_t errlen);
static int	write_all(int fd, const uint8_t *buf, size_t len);
static void	hist_encode(const struct cmm_hist_rec *r, uint8_t *b);
static const char *hist_decode(const uint8_t *b, struct cmm_hist_rec *r);
static int	hist_trim(int fd, const char *path, char *err, size_t errlen);
static int	hist_open_append(const char *dir, const char *path, bool *created,
		    char *err, size_t errlen);
static int	hist_rotate(const char *dir, const char *path, char *err,
		    size_t errlen);
static int	hist_tail_file(const char *path, int want, struct cmm_hist_rec *out,
		    char *warn, size_t warnlen, char *err, size_t errlen);

static void
put_set(uint8_t *p, const struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		cmm_put_le64(p + 8 * i, s->w[i]);
}

static void
get_set(const uint8_t *p, struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		s->w[i] = cmm_get_le64(p + 8 * i);
}

static void
checksum(const uint8_t *buf, size_t len, uint8_t out[SUM_LEN])
{
	/* sodium_init only picks the fastest code; it is idempotent, and
	 * generichash works without it */
	if (sodium_init() < 0)
		memset(out, 0, SUM_LEN);
	crypto_generichash(out, SUM_LEN, buf, len, NULL, 0);
}

/* The checksum sits in the SUM_LEN bytes after buf[0..len). */
static bool
checksum_ok(const uint8_t *buf, size_t len)
{
	uint8_t	sum[SUM_LEN];

	checksum(buf, len, sum);
	return memcmp(sum, buf + len, SUM_LEN) == 0;
}

static int
st_path(char *buf, size_t len, const char *dir, const char *name, char *err,
    size_t errlen)
{
	int	n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: state dir path too long", dir);
		return -1;
	}
	return 0;
}

/* Makes a rename or a new file in dir survive a crash. */
static int
fsync_dir(const char *dir, char *err, size_t errlen)
{
	int	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: fsync of the directory: %s", dir,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t	n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
cmm_state_dir_create(const char *dir, char *err, size_t errlen)
{
	char	path[4096];
	size_t	len = strlen(dir);
	struct stat st;

	if (len == 0 || len >= sizeof(path)) {
		snprintf(err, errlen, "%s: bad state dir path", dir);
		return -1;
	}
	memcpy(path, dir, len + 1);
	/* mkdir -p: each missing parent, then the dir itself */
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create: %s", path,
			    strerror(errno));
			return -1;
		}
		path[i] = i == len ? '\0' : '/';
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	return st_dir_trusted(dir, &st, err, errlen);
}

/* Another user who can write into the state dir could plant links or
 * replace the state under the node: the dir must be ours and closed to
 * writers. */
static int
st_dir_trusted(const char *dir, const struct stat *st, char *err,
    size_t errlen)
{
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: state dir owned by uid %ld, not by "
		    "this daemon's uid %ld (chown it, or remove it to have it "
		    "created)", dir, (long)st->st_uid, (long)geteuid());
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: state dir is %s-writable (mode "
		    "%04o; chmod 700 %s)", dir, st->st_mode & S_IWOTH ?
		    "world" : "group", (unsigned)(st->st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

static void
st_encode(const struct cmm_persist *p, uint64_t seq, uint8_t *b)
{
	memset(b, 0, CMM_STATE_REC_SIZE);
	memcpy(b, ST_MAGIC, 8);
	cmm_put_le16(b + 8, ST_VERSION);
	cmm_put_le16(b + 10, CMM_STATE_REC_SIZE);
	cmm_put_le32(b + 12, p->epoch);
	cmm_put_le32(b + 16, p->incarnation);
	cmm_put_le32(b + 20, p->next_attempt);
	cmm_put_le32(b + 24, p->abstain);
	cmm_put_le32(b + 28, p->cfg_version);
	put_set(b + 32, &p->members);
	put_set(b + 160, &p->value);
	cmm_put_le64(b + 288, p->promised);
	cmm_put_le64(b + 296, p->accepted);
	cmm_put_le64(b + ST_SEQ_OFF, seq);
	memcpy(b + ST_DIGEST_OFF, p->cfg_digest, sizeof(p->cfg_digest));
	checksum(b, ST_SUM_OFF, b + ST_SUM_OFF);
}

/* NULL and the slot's sequence in *seq, or why the slot is not valid.
 * version: what the file's size says its records are (ST_VERSION or
 * ST_V3). */
static const char *
st_decode(const uint8_t *b, unsigned version, struct cmm_persist *p,
    uint64_t *seq)
{
	size_t	size = version == ST_V3 ? ST_V3_REC_SIZE : CMM_STATE_REC_SIZE;

	if (memcmp(b, ST_MAGIC, 8) != 0)
		return "not a cmm state file (bad magic)";
	if (cmm_get_le16(b + 8) != version)
		return "unsupported version (written by another cmm)";
	if (cmm_get_le16(b + 10) != size)
		return "wrong record size";
	if (!checksum_ok(b, size - SUM_LEN))
		return "checksum mismatch";
	memset(p, 0, sizeof(*p));
	p->epoch = cmm_get_le32(b + 12);
	p->incarnation = cmm_get_le32(b + 16);
	p->next_attempt = cmm_get_le32(b + 20);
	p->abstain = cmm_get_le32(b + 24);
	/* version 3 kept 0 at 28 and had no digest: an unknown config */
	if (version == ST_VERSION) {
		p->cfg_version = cmm_get_le32(b + 28);
		memcpy(p->cfg_digest, b + ST_DIGEST_OFF, sizeof(p->cfg_digest));
	}
	get_set(b + 32, &p->members);
	get_set(b + 160, &p->value);
	p->promised = cmm_get_le64(b + 288);
	p->accepted = cmm_get_le64(b + 296);
	*seq = cmm_get_le64(b + ST_SEQ_OFF);
	if (p->epoch >= CMM_EPOCH_LIMIT)
		return "epoch at or above 2^31 (it would wrap)";
	return NULL;
}

static int
st_pread_all(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
st_pwrite_all(int fd, const uint8_t *buf, size_t len, off_t off)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = pwrite(fd, buf + put, len - put, off + (off_t)put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		put += (size_t)n;
	}
	return 0;
}

/* A new state file, both slots allocated, made durable with its name:
 * written aside, synced, renamed, the directory synced. */
static int
st_create(const char *dir, const struct cmm_persist *p, char *err,
    size_t errlen)
{
	char	tmp[4096], path[4096];
	uint8_t	b[ST_FILE_SIZE];
	const char *op;
	int	fd;

	if (st_path(tmp, sizeof(tmp), dir, "state.tmp", err, errlen) < 0 ||
	    st_path(path, sizeof(path), dir, "state", err, errlen) < 0)
		return -1;
	memset(b, 0, sizeof(b));
	st_encode(p, 1, b);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp,
		    strerror(errno));
		return -1;
	}
	/* say which failed: a full disk (write) or a failing one (fsync) */
	op = write_all(fd, b, sizeof(b)) < 0 ? "write" :
	    fsync(fd) < 0 ? "fsync" : NULL;
	if (op != NULL) {
		snprintf(err, errlen, "%s: %s: %s", tmp, op, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: close: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return fsync_dir(dir, err, errlen);
}

/* The daemon's state file, open for its whole run: a save is one pwrite
 * of one slot and one fdatasync, nothing else on the way to the reply it
 * guards.  fd < 0: (re)read the file at the next save. */
struct cmm_state_file {
	int	fd;
	int	slot;		/* the slot the next save overwrites */
	uint64_t seq;		/* the newest sequence on disk */
	bool	unsynced;	/* the newest slot is written, not yet flushed */
	char	dir[4096];
	char	path[4096];
};

struct cmm_state_file *
cmm_state_file_new(const char *dir, char *err, size_t errlen)
{
	struct cmm_state_file *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return NULL;
	}
	f->fd = -1;
	if (st_path(f->path, sizeof(f->path), dir, "state", err, errlen) < 0) {
		free(f);
		return NULL;
	}
	memcpy(f->dir, dir, strlen(dir) + 1);
	return f;
}

void
cmm_state_file_free(struct cmm_state_file *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

/* Opens the file and learns which slot is older: the valid slot with
 * the newer sequence is never overwritten.  A missing file, or one not
 * in today's format, is written anew with p (then *written is set). */
static int
st_file_open(struct cmm_state_file *f, const struct cmm_persist *p,
    bool *written, char *err, size_t errlen)
{
	uint8_t	b[ST_FILE_SIZE];
	struct cmm_persist tmp;
	uint64_t seq[2] = { 0, 0 };
	bool	ok[2] = { false, false };
	struct stat st;
	int	fd;

	*written = false;
	if (cmm_state_dir_create(f->dir, err, errlen) < 0)
		return -1;
	fd = open(f->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != ST_FILE_SIZE ||
	    st_pread_all(fd, b, sizeof(b), 0) < 0)) {
		/* not ours to overwrite in place: replace it whole */
		close(fd);
		fd = -1;
		errno = ENOENT;
	}
	if (fd < 0 && errno == ENOENT) {
		if (st_create(f->dir, p, err, errlen) < 0)
			return -1;
		*written = true;
		fd = open(f->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		ok[0] = true;
		ok[1] = false;
		seq[0] = 1;
	} else if (fd >= 0) {
		for (int i = 0; i < 2; i++)
			ok[i] = st_decode(b + i * CMM_STATE_REC_SIZE,
			    ST_VERSION, &tmp, &seq[i]) == NULL;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", f->path,
		    strerror(errno));
		return -1;
	}
	f->fd = fd;
	/* overwrite the older (or the damaged) slot, never the newest */
	f->slot = !ok[0] ? 0 : !ok[1] ? 1 : seq[0] <= seq[1] ? 0 : 1;
	f->seq = seq[0] > seq[1] ? seq[0] : seq[1];
	return 0;
}

/* The open file is still the one its path names: nobody removed it,
 * or put another (a restored backup) in its place, while the node ran. */
static bool
st_file_still_ours(const struct cmm_state_file *f)
{
	struct stat a, b;

	return fstat(f->fd, &a) == 0 && a.st_nlink > 0 &&
	    lstat(f->path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
}

/* An error on the open file: the slots are read again before the next
 * save. */
static int
st_file_error(struct cmm_state_file *f, const char *op, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", f->path, op, strerror(errno));
	close(f->fd);
	f->fd = -1;
	f->unsynced = false;
	return -1;
}

int
cmm_state_file_flush(struct cmm_state_file *f, char *err, size_t errlen)
{
	if (f->fd < 0 || !f->unsynced)
		return 0;
	if (fdatasync(f->fd) < 0)
		return st_file_error(f, "fdatasync", err, errlen);
	f->unsynced = false;
	return 0;
}

static int
st_file_save(struct cmm_state_file *f, const struct cmm_persist *p,
    bool flush, char *err, size_t errlen)
{
	uint8_t	rec[CMM_STATE_REC_SIZE];
	bool	written, replaced = false;

	if (p->epoch >= CMM_EPOCH_LIMIT) {
		snprintf(err, errlen, "%s: refusing to save epoch %u: at or "
		    "above 2^31 it would wrap", f->dir, p->epoch);
		return -1;
	}
	/* a replaced file would give a restart an older promise than this
	 * node made: the current state goes where a restart will read it */
	if (f->fd >= 0 && !st_file_still_ours(f)) {
		close(f->fd);
		f->fd = -1;
		f->unsynced = false;
		replaced = true;
	}
	/* the slot about to be overwritten may hold the only record on the
	 * disk: the other one must be there first */
	if (cmm_state_file_flush(f, err, errlen) < 0)
		return -1;
	if (f->fd < 0) {
		if (st_file_open(f, p, &written, err, errlen) < 0)
			return -1;
		if (written)
			goto done;
	}
	st_encode(p, f->seq + 1, rec);
	if (st_pwrite_all(f->fd, rec, sizeof(rec),
	    (off_t)f->slot * CMM_STATE_REC_SIZE) < 0)
		return st_file_error(f, "write", err, errlen);
	if (flush && fdatasync(f->fd) < 0)
		return st_file_error(f, "fdatasync", err, errlen);
	f->unsynced = !flush;
	f->seq++;
	f->slot = 1 - f->slot;
done:
	if (replaced) {
		snprintf(err, errlen, "%s was removed or replaced while this "
		    "node ran: the current state is written there again",
		    f->path);
		return 1;
	}
	return 0;
}

int
cmm_state_file_save(struct cmm_state_file *f, const struct cmm_persist *p,
    char *err, size_t errlen)
{
	return st_file_save(f, p, true, err, errlen);
}

int
cmm_state_file_write(struct cmm_state_file *f, const struct cmm_persist *p,
    char *err, size_t errlen)
{
	return st_file_save(f, p, false, err, errlen);
}

int
cmm_state_save(const char *dir, const struct cmm_persist *p, char *err,
    size_t errlen)
{
	struct cmm_state_file *f = cmm_state_file_new(dir, err, errlen);
	int	rc;

	if (f == NULL)
		return -1;
	rc = cmm_state_file_save(f, p, err, errlen);
	cmm_state_file_free(f);
	return rc;
}

int
cmm_state_load(const char *dir, struct cmm_persist *p, char *err,
    size_t errlen)
{
	char	path[4096];
	uint8_t	b[ST_FILE_SIZE + 1];
	struct cmm_persist slot[2];
	const char *why[2] = { NULL, NULL };
	uint64_t seq[2] = { 0, 0 };
	size_t	got = 0, rec;
	ssize_t	n;
	unsigned version;
	int	fd;

	memset(p, 0, sizeof(*p));
	if (st_path(path, sizeof(path), dir, "state", err, errlen) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;	/* never committed: a fresh node */
		snprintf(err, errlen, "%s: cannot read: %s" FORGET_HINT, path,
		    strerror(errno));
		return -1;
	}
	/* one byte more than the file, to notice one that is too long */
	while (got < sizeof(b)) {
		n = read(fd, b + got, sizeof(b) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read: %s" FORGET_HINT,
			    path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	/* the size says the format: today's, or version 3 (an upgrade from
	 * a cmm before the config digest keeps its state) */
	if (got == ST_FILE_SIZE) {
		version = ST_VERSION;
		rec = CMM_STATE_REC_SIZE;
	} else if (got == ST_V3_FILE_SIZE && cmm_get_le16(b + 8) == ST_V3) {
		version = ST_V3;
		rec = ST_V3_REC_SIZE;
	} else {
		snprintf(err, errlen, "%s: corrupt state file (%s)" FORGET_HINT,
		    path, got == 0 ? "empty" : got >= 8 &&
		    memcmp(b, ST_MAGIC, 8) != 0 ? "not a cmm state file (bad "
		    "magic)" : got >= 10 && cmm_get_le16(b + 8) < ST_V3 ?
		    "format version 1 or 2, written by an older cmm" :
		    got < ST_FILE_SIZE ? "truncated" : "too long");
		return -1;
	}
	for (int i = 0; i < 2; i++)
		why[i] = st_decode(b + i * rec, version, &slot[i], &seq[i]);
	if (why[0] != NULL && why[1] != NULL) {
		snprintf(err, errlen, "%s: corrupt state file (%s)" FORGET_HINT,
		    path, why[0]);
		return -1;
	}
	/* the newer valid slot wins: a torn write only lost the newest */
	*p = why[1] != NULL || (why[0] == NULL && seq[0] > seq[1]) ?
	    slot[0] : slot[1];
	return 0;
}

int
cmm_state_forget(const char *dir, char *moved, size_t movedlen, char *err,
    size_t errlen)
{
	char	path[4096], aside[4096], name[32];
	struct stat st;

	if (moved != NULL && movedlen > 0)
		moved[0] = '\0';
	if (st_path(path, sizeof(path), dir, "state", err, errlen) < 0)
		return -1;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* keep the bad file for a post-mortem instead of deleting it */
	for (int i = 1; i < 10000; i++) {
		snprintf(name, sizeof(name), "state.corrupt.%d", i);
		if (st_path(aside, sizeof(aside), dir, name, err, errlen) < 0)
			return -1;
		if (lstat(aside, &st) == 0)
			continue;
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", aside, strerror(errno));
			return -1;
		}
		if (rename(path, aside) < 0) {
			snprintf(err, errlen, "%s: cannot rename to %s: %s", path,
			    aside, strerror(errno));
			return -1;
		}
		if (moved != NULL)
			snprintf(moved, movedlen, "%s", aside);
		return fsync_dir(dir, err, errlen);
	}
	snprintf(err, errlen, "%s: too many state.corrupt.N files", dir);
	return -1;
}

const char *
cmm_hist_kind_name(enum cmm_hist_kind k)
{
	switch (k) {
	case CMM_HIST_COMMIT:
		return "commit";
	case CMM_HIST_ANSWER:
		return "answer";
	case CMM_HIST_COMMAND:
		return "command";
	case CMM_HIST_ALARM:
		return "split-brain";
	}
	return "?";
}

int
cmm_hist_format(const struct cmm_hist_rec *r, char *buf, size_t len)
{
	char	when[CMM_ISO8601_LEN], members[1024], uid[16];
	char	reason[CMM_HIST_REASON_MAX];
	size_t	i;

	/* one record, one line: a control character in a reason (a damaged
	 * file with a good checksum) must not split it (found by fuzz_state) */
	for (i = 0; i < sizeof(reason) - 1 && r->reason[i] != '\0'; i++)
		reason[i] = (unsigned char)r->reason[i] < 0x20 ||
		    r->reason[i] == 0x7f ? '?' : r->reason[i];
	reason[i] = '\0';

	cmm_time_iso8601(0, r->time_ms, when, sizeof(when));
	cmm_set_format(&r->members, members, sizeof(members));
	if (r->uid < 0)
		strcpy(uid, "-");
	else
		snprintf(uid, sizeof(uid), "%ld", (long)r->uid);
	return snprintf(buf, len, "%s %s epoch %lu members %s uid %s %s", when,
	    cmm_hist_kind_name(r->kind), (unsigned long)r->epoch, members, uid,
	    reason);
}

void
cmm_hist_encode(const struct cmm_hist_rec *r, uint8_t b[CMM_HIST_REC_SIZE])
{
	hist_encode(r, b);
}

static void
hist_encode(const struct cmm_hist_rec *r, uint8_t *b)
{
	size_t	rlen = strnlen(r->reason, CMM_HIST_REASON_MAX - 1);

	memset(b, 0, CMM_HIST_REC_SIZE);
	memcpy(b, HI_MAGIC, 4);
	cmm_put_le16(b + 4, HI_VERSION);
	cmm_put_le16(b + 6, (uint16_t)r->kind);
	cmm_put_le32(b + 8, r->epoch);
	cmm_put_le32(b + 12, (uint32_t)r->uid);
	cmm_put_le64(b + 16, (uint64_t)r->time_ms);
	put_set(b + 24, &r->members);
	memcpy(b + 152, r->reason, rlen);
	checksum(b, HI_SUM_OFF, b + HI_SUM_OFF);
}

/* NULL if the record is good, else why not. */
static const char *
hist_decode(const uint8_t *b, struct cmm_hist_rec *r)
{
	uint16_t kind;

	if (memcmp(b, HI_MAGIC, 4) != 0)
		return "bad magic";
	if (cmm_get_le16(b + 4) != HI_VERSION)
		return "unsupported version";
	if (!checksum_ok(b, HI_SUM_OFF))
		return "checksum mismatch";
	kind = cmm_get_le16(b + 6);
	if (kind < CMM_HIST_COMMIT || kind > CMM_HIST_ALARM)
		return "unknown kind";
	if (b[152 + CMM_HIST_REASON_MAX - 1] != '\0')
		return "unterminated reason";
	memset(r, 0, sizeof(*r));
	r->kind = (enum cmm_hist_kind)kind;
	r->epoch = cmm_get_le32(b + 8);
	r->uid = (int32_t)cmm_get_le32(b + 12);
	r->time_ms = (int64_t)cmm_get_le64(b + 16);
	get_set(b + 24, &r->members);
	memcpy(r->reason, b + 152, CMM_HIST_REASON_MAX);
	return NULL;
}

/* Cuts a damaged tail (a crash while appending) so the next record does
 * not land behind it and turn it into damage in the middle. */
static int
hist_trim(int fd, const char *path, char *err, size_t errlen)
{
	struct cmm_hist_rec r;
	uint8_t	b[CMM_HIST_REC_SIZE];
	struct stat st;
	off_t	whole;
	ssize_t	n;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	whole = st.st_size - st.st_size % CMM_HIST_REC_SIZE;
	if (whole >= CMM_HIST_REC_SIZE) {
		n = pread(fd, b, sizeof(b), whole - CMM_HIST_REC_SIZE);
		if (n == (ssize_t)sizeof(b) && hist_decode(b, &r) != NULL)
			whole -= CMM_HIST_REC_SIZE;
	}
	if (whole != st.st_size && ftruncate(fd, whole) < 0) {
		snprintf(err, errlen, "%s: cannot cut the damaged last record: %s",
		    path, strerror(errno));
		return -1;
	}
	return 0;
}

/* DIR/history for appending, created (0600) when missing; never through
 * a symlink, so a planted link cannot make root append to another file. */
static int
hist_open_append(const char *dir, const char *path, bool *created, char *err,
    size_t errlen)
{
	int	fd;

	*created = true;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		*created = false;
		fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	return fd;
}

/* history -> history.1 (the older history.1 goes), durably: the newest
 * records always stay in one of the two files. */
static int
hist_rotate(const char *dir, const char *path, char *err, size_t errlen)
{
	char	old[4096];

	if (st_path(old, sizeof(old), dir, "history.1", err, errlen) < 0)
		return -1;
	if (rename(path, old) < 0) {
		snprintf(err, errlen, "%s: cannot rotate to %s: %s", path, old,
		    strerror(errno));
		return -1;
	}
	return fsync_dir(dir, err, errlen);
}

static int	hist_append(const char *dir, const struct cmm_hist_rec *r,
		    int64_t max_bytes, bool sync, char *err, size_t errlen);

int
cmm_history_append(const char *dir, const struct cmm_hist_rec *r, char *err,
    size_t errlen)
{
	return hist_append(dir, r, CMM_HIST_MAX_BYTES, true, err, errlen);
}

int
cmm_history_append_max(const char *dir, const struct cmm_hist_rec *r,
    int64_t max_bytes, char *err, size_t errlen)
{
	return hist_append(dir, r, max_bytes, true, err, errlen);
}

int
cmm_history_append_unsynced(const char *dir, const struct cmm_hist_rec *r,
    char *err, size_t errlen)
{
	return hist_append(dir, r, CMM_HIST_MAX_BYTES, false, err, errlen);
}

int
cmm_history_sync(const char *dir, char *err, size_t errlen)
{
	char	path[4096];
	int	fd;

	if (st_path(path, sizeof(path), dir, "history", err, errlen) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

struct cmm_history {
	char	dir[4096];
	char	path[4096];
	int	fd;		/* -1: opened at the next append */
	bool	fresh;		/* created by this handle, not yet synced */
	dev_t	dev;
	ino_t	ino;
	off_t	size;		/* as this handle left it */
	int64_t	max_bytes;
};

static void
hist_close(struct cmm_history *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/* DIR/history, opened (dir made and trusted, a damaged last record cut
 * off) for appending; where it stands recorded to notice a file that was
 * replaced, rotated or written by someone else meanwhile. */
static int
hist_open(struct cmm_history *h, char *err, size_t errlen)
{
	struct stat st;

	if (cmm_state_dir_create(h->dir, err, errlen) < 0 ||
	    (h->fd = hist_open_append(h->dir, h->path, &h->fresh, err,
	    errlen)) < 0)
		return -1;
	if (!h->fresh && hist_trim(h->fd, h->path, err, errlen) < 0) {
		hist_close(h);
		return -1;
	}
	if (fstat(h->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", h->path, strerror(errno));
		hist_close(h);
		return -1;
	}
	h->dev = st.st_dev;
	h->ino = st.st_ino;
	h->size = st.st_size;
	return 0;
}

/* The open file is still DIR/history, as this handle left it: two stats
 * instead of the walk, checks and trim of an open. */
static bool
hist_still_ours(const struct cmm_history *h)
{
	struct stat f, p;

	return fstat(h->fd, &f) == 0 && f.st_nlink > 0 &&
	    f.st_size == h->size && lstat(h->path, &p) == 0 &&
	    S_ISREG(p.st_mode) && p.st_dev == f.st_dev && p.st_ino == f.st_ino &&
	    f.st_dev == h->dev && f.st_ino == h->ino;
}

static int
hist_add(struct cmm_history *h, const struct cmm_hist_rec *r, bool sync,
    char *err, size_t errlen)
{
	uint8_t	b[CMM_HIST_REC_SIZE];
	const char *op;

	if (h->fd >= 0 && !hist_still_ours(h))
		hist_close(h);
	if (h->fd < 0 && hist_open(h, err, errlen) < 0)
		return -1;
	/* full: start anew, the old file kept as history.1 */
	if (h->size > 0 && h->size + CMM_HIST_REC_SIZE > h->max_bytes) {
		/* what an unsynced append left goes to disk before the name
		 * moves: history.1 is never synced again */
		(void)fsync(h->fd);
		hist_close(h);
		if (hist_rotate(h->dir, h->path, err, errlen) < 0 ||
		    hist_open(h, err, errlen) < 0)
			return -1;
	}
	hist_encode(r, b);
	/* a new file is synced at once: its name needs the directory's */
	op = write_all(h->fd, b, sizeof(b)) < 0 ? "write" :
	    (sync || h->fresh) && fsync(h->fd) < 0 ? "fsync" : NULL;
	if (op != NULL) {
		snprintf(err, errlen, "%s: %s: %s", h->path, op, strerror(errno));
		hist_close(h);
		return -1;
	}
	h->size += CMM_HIST_REC_SIZE;
	if (h->fresh) {
		h->fresh = false;
		return fsync_dir(h->dir, err, errlen);
	}
	return 0;
}

static int
hist_init(struct cmm_history *h, const char *dir, int64_t max_bytes,
    char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	h->fd = -1;
	h->max_bytes = max_bytes;
	if (strlen(dir) >= sizeof(h->dir)) {
		snprintf(err, errlen, "%s: bad state dir path", dir);
		return -1;
	}
	memcpy(h->dir, dir, strlen(dir) + 1);
	return st_path(h->path, sizeof(h->path), dir, "history", err, errlen);
}

static int
hist_append(const char *dir, const struct cmm_hist_rec *r, int64_t max_bytes,
    bool sync, char *err, size_t errlen)
{
	struct cmm_history h;
	int rc;

	if (hist_init(&h, dir, max_bytes, err, errlen) < 0)
		return -1;
	rc = hist_add(&h, r, sync, err, errlen);
	hist_close(&h);
	return rc;
}

struct cmm_history *
cmm_history_new(const char *dir, char *err, size_t errlen)
{
	struct cmm_history *h = malloc(sizeof(*h));

	if (h == NULL) {
		snprintf(err, errlen, "%s: history: out of memory", dir);
		return NULL;
	}
	if (hist_init(h, dir, CMM_HIST_MAX_BYTES, err, errlen) < 0) {
		free(h);
		return NULL;
	}
	return h;
}

void
cmm_history_free(struct cmm_history *h)
{
	if (h == NULL)
		return;
	hist_close(h);
	free(h);
}

int
cmm_history_add(struct cmm_history *h, const struct cmm_hist_rec *r,
    char *err, size_t errlen)
{
	return hist_add(h, r, false, err, errlen);
}

int
cmm_history_flush(struct cmm_history *h, char *err, size_t errlen)
{
	if (h->fd < 0)
		return 0;	/* nothing appended since the last failure */
	if (fsync(h->fd) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", h->path, strerror(errno));
		return -1;
	}
	return 0;
}

int
cmm_history_read(const char *dir, cmm_hist_cb cb, void *ctx, char *warn,
    size_t warnlen, char *err, size_t errlen)
{
	char	path[4096];
	uint8_t	b[CMM_HIST_REC_SIZE];
	struct cmm_hist_rec r;
	struct stat st;
	const char *why;
	off_t	off;
	ssize_t	n;
	int	fd, count = 0;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (st_path(path, sizeof(path), dir, "history", err, errlen) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	for (off = 0; off < st.st_size; off += CMM_HIST_REC_SIZE) {
		n = pread(fd, b, sizeof(b), off);
		if (n < 0) {
			snprintf(err, errlen, "%s: read at byte %lld: %s", path,
			    (long long)off, strerror(errno));
			close(fd);
			return -1;
		}
		if (n < (ssize_t)sizeof(b))
			why = "truncated";
		else
			why = hist_decode(b, &r);
		if (why != NULL) {
			/* the last record may be torn by a crash mid-append;
			 * anything before it was complete once */
			if (off + CMM_HIST_REC_SIZE >= st.st_size) {
				if (warn != NULL)
					snprintf(warn, warnlen, "%s: ignored a "
					    "damaged last record at byte %lld (%s)",
					    path, (long long)off, why);
				break;
			}
			snprintf(err, errlen, "%s: corrupt record at byte %lld "
			    "(%s)", path, (long long)off, why);
			close(fd);
			return -1;
		}
		count++;
		if (cb != NULL && cb(ctx, &r) != 0)
			break;
	}
	close(fd);
	return count;
}

/*
 * The newest records of one history file, newest last, into
 * out[want - got .. want): seeks from the end and reads only what it
 * returns (in blocks, for few system calls).  A damaged last record (a
 * crash while appending) is skipped with a warning; damage before it is
 * an error naming the byte offset.  Returns got (0 for a missing file),
 * or -1.
 */
static int
hist_tail_file(const char *path, int want, struct cmm_hist_rec *out,
    char *warn, size_t warnlen, char *err, size_t errlen)
{
	enum { BLOCK = 64 };	/* records per read */
	uint8_t		*buf;
	struct stat	 st;
	const char	*why;
	off_t		 off, last;
	int		 fd, got = 0;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (buf = malloc(BLOCK *
	    CMM_HIST_REC_SIZE)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* the last record, whole or torn: the only one a crash may damage */
	last = st.st_size == 0 ? 0 :
	    (st.st_size - 1) / CMM_HIST_REC_SIZE * CMM_HIST_REC_SIZE;
	off = st.st_size - st.st_size % CMM_HIST_REC_SIZE;
	if (off != st.st_size && warn != NULL)
		snprintf(warn, warnlen, "%s: ignored a damaged last record at "
		    "byte %lld (truncated)", path, (long long)last);
	while (got < want && off > 0) {
		int	k = BLOCK;

		if (k > want - got)
			k = want - got;
		if ((off_t)k * CMM_HIST_REC_SIZE > off)
			k = (int)(off / CMM_HIST_REC_SIZE);
		off -= (off_t)k * CMM_HIST_REC_SIZE;
		errno = 0;
		if (st_pread_all(fd, buf, (size_t)k * CMM_HIST_REC_SIZE, off) < 0) {
			snprintf(err, errlen, "%s: read at byte %lld: %s", path,
			    (long long)off, errno ? strerror(errno) : "short");
			got = -1;
			break;
		}
		for (int i = k - 1; i >= 0 && got < want; i--) {
			off_t at = off + (off_t)i * CMM_HIST_REC_SIZE;

			why = hist_decode(buf + (size_t)i * CMM_HIST_REC_SIZE,
			    &out[want - got - 1]);
			if (why == NULL) {
				got++;
				continue;
			}
			if (at == last) {
				if (warn != NULL)
					snprintf(warn, warnlen, "%s: ignored a "
					    "damaged last record at byte %lld (%s)",
					    path, (long long)at, why);
				continue;
			}
			snprintf(err, errlen, "%s: corrupt record at byte %lld "
			    "(%s)", path, (long long)at, why);
			got = -1;
			break;
		}
		if (got < 0)
			break;
	}
	free(buf);
	close(fd);
	return got;
}

int
cmm_history_tail(const char *dir, int n, struct cmm_hist_rec *out, char *warn,
    size_t warnlen, char *err, size_t errlen)
{
	char	path[4096], old[4096], owarn[512];
	int	got, more;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (n <= 0)
		return 0;
	if (st_path(path, sizeof(path), dir, "history", err, errlen) < 0 ||
	    st_path(old, sizeof(old), dir, "history.1", err, errlen) < 0)
		return -1;
	got = hist_tail_file(path, n, out, warn, warnlen, err, errlen);
	if (got < 0 || got == n)
		goto done;
	/* the rest from before the last rotation, right before them */
	owarn[0] = '\0';
	more = hist_tail_file(old, n - got, out, owarn, sizeof(owarn), err,
	    errlen);
	if (more < 0)
		return -1;
	if (warn != NULL && warnlen > 0 && warn[0] == '\0' && owarn[0] != '\0')
		snprintf(warn, warnlen, "%s", owarn);
	got += more;
done:
	if (got > 0 && got < n)
		memmove(out, out + (n - got), sizeof(*out) * (size_t)got);
	return got;
}
