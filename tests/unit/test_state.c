/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/state.c: the state record's round trip (every
 * field of the acceptor slot) and exact layout, the two slots written in
 * turn (a torn write loses only the write in progress), corruption
 * detection, the refusal of older formats (version 1 and 2 records),
 * version 3 files read as a state of an unknown config, the refusal of
 * symlinks, and --forget-state; the history's
 * append/read/tail, a torn last record and damage in the middle; and a
 * crash loop that SIGKILLs a saving process at random moments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "src/node/state.h"

static char tmpdir[256];
static char dir[300];		/* a fresh state dir per test */
static int dir_seq;
static char err[1024], warn[1024];

#define HINT	"; start with --forget-state to discard it"
#define STATE_REC	CMM_STATE_REC_SIZE	/* one slot */
#define STATE_FILE_SIZE	(2 * CMM_STATE_REC_SIZE)	/* two slots */
#define SUM_OFF		344	/* the checksum of a slot: BLAKE2b-128 */

static uint32_t
get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Puts the right checksum into slot 0 of a state file image. */
static void
resum(uint8_t *b)
{
	assert_int_equal(sodium_init() < 0, 0);
	crypto_generichash(b + SUM_OFF, 16, b, SUM_OFF, NULL, 0);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	char	tmpl[] = "/tmp/cmm-test-state-XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Each test gets its own (not yet existing) state dir. */
static int
new_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/s%d/node", tmpdir, dir_seq++);
	return 0;
}

static void
file_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* A persisted state derived from e, so any loaded one can be checked:
 * every field of the v2 record set, none equal to another. */
static struct cmm_persist
make_persist(uint32_t e)
{
	struct cmm_persist p;

	memset(&p, 0, sizeof(p));
	p.incarnation = e * 3 + 1;
	p.epoch = e;
	for (int i = 0; i < CMM_MAX_NODES; i += 1 + (int)(e % 13))
		cmm_set_add(&p.members, i);
	p.promised = cmm_ballot_make(e % 7 + 2, (int)(e % CMM_MAX_NODES));
	p.accepted = cmm_ballot_make(e % 7 + 1, (int)((e + 1) % CMM_MAX_NODES));
	cmm_set_add(&p.value, (int)(e % CMM_MAX_NODES));
	cmm_set_add(&p.value, CMM_MAX_NODES - 1);
	p.next_attempt = e % 7 + 3;
	p.abstain = e + 1;
	p.cfg_version = e * 5 + 2;
	for (int i = 0; i < 16; i++)
		p.cfg_digest[i] = (uint8_t)(e + (uint32_t)i * 17);
	return p;
}

static void
assert_persist_eq(const struct cmm_persist *a, const struct cmm_persist *b)
{
	assert_int_equal(a->incarnation, b->incarnation);
	assert_int_equal(a->epoch, b->epoch);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_true(a->promised == b->promised);
	assert_true(a->accepted == b->accepted);
	assert_true(cmm_set_eq(&a->value, &b->value));
	assert_int_equal(a->next_attempt, b->next_attempt);
	assert_int_equal(a->abstain, b->abstain);
	assert_int_equal(a->cfg_version, b->cfg_version);
	assert_memory_equal(a->cfg_digest, b->cfg_digest, 16);
}

static void
save_ok(const struct cmm_persist *p)
{
	if (cmm_state_save(dir, p, err, sizeof(err)) != 0)
		fail_msg("save: %s", err);
}

static void
corrupt_with(const void *bytes, size_t len)
{
	char	path[400];
	int	fd;

	file_path(path, sizeof(path), "state");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

/* Like corrupt_with, for a state file that does not exist yet. */
static void
corrupt_with_create(const void *bytes, size_t len)
{
	char	path[400];
	int	fd;

	file_path(path, sizeof(path), "state");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static uint8_t *
read_whole(const char *name, size_t *len)
{
	char	path[400];
	struct stat st;
	uint8_t	*b;
	int	fd;

	file_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
expect_corrupt(const char *why)
{
	struct cmm_persist p;
	char	want[1200];

	snprintf(want, sizeof(want), "%s/state: corrupt state file (%s)" HINT,
	    dir, why);
	assert_int_equal(cmm_state_load(dir, &p, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_state_round_trip(void **state)
{
	struct cmm_persist p, q;
	struct stat st;

	(void)state;
	/* no dir, then an empty dir: a fresh node */
	memset(&q, 0xff, sizeof(q));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	assert_int_equal(q.epoch, 0);
	assert_true(cmm_set_empty(&q.members));
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);

	p = make_persist(41);
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	p = make_persist(42);
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* extreme values survive the encoding (the highest epoch a node
	 * may hold: the core refuses any at or above CMM_EPOCH_LIMIT) */
	memset(&p, 0, sizeof(p));
	p.epoch = CMM_EPOCH_LIMIT - 1;
	p.incarnation = UINT32_MAX - 1;
	p.promised = UINT64_MAX;
	p.accepted = UINT64_MAX - 1;
	p.next_attempt = UINT32_MAX - 2;
	p.abstain = CMM_ABSTAIN_UNKNOWN;
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		cmm_set_add(&p.members, i);
		cmm_set_add(&p.value, i);
	}
	save_ok(&p);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* and so does the empty slot of a node that just committed */
	memset(&p, 0, sizeof(p));
	p.incarnation = 1;
	p.epoch = 3;
	cmm_set_add(&p.members, 0);
	save_ok(&p);
	memset(&q, 0xff, sizeof(q));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	assert_true(q.promised == CMM_BALLOT_NONE);
	assert_true(q.accepted == CMM_BALLOT_NONE);
	assert_true(cmm_set_empty(&q.value));
}

/* Each field alone: a save that mixed two fields up, or dropped one,
 * would pass a round trip of a record whose fields are all alike. */
static void
test_state_each_field(void **state)
{
	struct cmm_persist base, p, q;

	(void)state;
	memset(&base, 0, sizeof(base));
	for (int f = 0; f < 8; f++) {
		p = base;
		switch (f) {
		case 0: p.incarnation = 0x01020304u; break;
		case 1: p.epoch = 0x05060708u; break;
		case 2: cmm_set_add(&p.members, 517); break;
		case 3: p.promised = 0x1112131415161718ull; break;
		case 4: p.accepted = 0x2122232425262728ull; break;
		case 5: cmm_set_add(&p.value, 1022); break;
		case 6: p.next_attempt = 0x31323334u; break;
		case 7: p.abstain = 0x41424344u; break;
		}
		save_ok(&p);
		memset(&q, 0xa5, sizeof(q));
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
		assert_persist_eq(&p, &q);
	}
}

/* The record is a file format: the layout in src/node/state.c's comment,
 * little-endian, byte for byte, its BLAKE2b-128 checksum included. */
static void
test_state_layout(void **state)
{
	struct cmm_persist p;
	uint8_t	*b, sum[16];
	size_t	len;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.epoch = 0x0a0b0c0du;
	p.incarnation = 0x01020304u;
	p.next_attempt = 0x11121314u;
	p.abstain = 0x21222324u;
	cmm_set_add(&p.members, 0);
	cmm_set_add(&p.members, 65);	/* word 1, bit 1 */
	cmm_set_add(&p.value, 1023);	/* word 15, bit 63 */
	p.promised = 0x3132333435363738ull;
	p.accepted = 0x4142434445464748ull;
	p.cfg_version = 0x51525354u;
	for (int i = 0; i < 16; i++)
		p.cfg_digest[i] = (uint8_t)(0x60 + i);
	save_ok(&p);
	b = read_whole("state", &len);
	assert_int_equal(CMM_STATE_REC_SIZE, 360);
	assert_int_equal(len, 2 * CMM_STATE_REC_SIZE);
	assert_memory_equal(b, "CMMSTATE", 8);
	assert_int_equal(b[8] | b[9] << 8, 4);		/* version */
	assert_int_equal(b[10] | b[11] << 8, CMM_STATE_REC_SIZE);
	assert_memory_equal(b + 12, "\x0d\x0c\x0b\x0a", 4);	/* epoch */
	assert_memory_equal(b + 16, "\x04\x03\x02\x01", 4);	/* incarnation */
	assert_memory_equal(b + 20, "\x14\x13\x12\x11", 4);	/* next_attempt */
	assert_memory_equal(b + 24, "\x24\x23\x22\x21", 4);	/* abstain */
	assert_memory_equal(b + 28, "\x54\x53\x52\x51", 4);	/* cfg_version */
	assert_int_equal(b[32], 0x01);			/* members */
	assert_int_equal(b[40], 0x02);
	for (int i = 0; i < 128; i++)
		if (i != 0 && i != 8)
			assert_int_equal(b[32 + i], 0);
	for (int i = 0; i < 127; i++)			/* value */
		assert_int_equal(b[160 + i], 0);
	assert_int_equal(b[160 + 127], 0x80);
	assert_memory_equal(b + 288,
	    "\x38\x37\x36\x35\x34\x33\x32\x31", 8);	/* promised */
	assert_memory_equal(b + 296,
	    "\x48\x47\x46\x45\x44\x43\x42\x41", 8);	/* accepted */
	assert_true(get64le(b + 304) == 1);		/* write sequence */
	for (int i = 312; i < 320; i++)
		assert_int_equal(b[i], 0);
	for (int i = 0; i < 16; i++)			/* cfg_digest */
		assert_int_equal(b[320 + i], 0x60 + i);
	for (int i = 336; i < 344; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(sodium_init() < 0, 0);
	crypto_generichash(sum, sizeof(sum), b, 344, NULL, 0);
	assert_memory_equal(b + 344, sum, 16);
	/* the first save leaves the second slot empty */
	for (int i = 0; i < CMM_STATE_REC_SIZE; i++)
		assert_int_equal(b[CMM_STATE_REC_SIZE + i], 0);
	free(b);
}

static void
test_state_dir_created(void **state)
{
	struct cmm_persist p = make_persist(1);
	struct stat st;
	char	path[400], want[1200];

	(void)state;
	save_ok(&p);	/* creates s<N> and s<N>/node */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	file_path(path, sizeof(path), "state");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, STATE_FILE_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
	file_path(path, sizeof(path), "state.tmp");
	assert_int_equal(stat(path, &st), -1);
	/* later saves write in place: same file, same size */
	{
		ino_t ino;

		file_path(path, sizeof(path), "state");
		assert_int_equal(stat(path, &st), 0);
		ino = st.st_ino;
		p = make_persist(2);
		save_ok(&p);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_ino == ino);
		assert_int_equal(st.st_size, STATE_FILE_SIZE);
	}
	/* a file in the way of the dir, or of a parent */
	file_path(path, sizeof(path), "state");
	assert_int_equal(cmm_state_dir_create(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a directory", path);
	assert_string_equal(err, want);
	file_path(path, sizeof(path), "state/x");
	assert_int_equal(cmm_state_dir_create(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot create: Not a directory", path);
	assert_string_equal(err, want);
}

/* An existing state dir is trusted only when it is ours and no one else
 * may write into it; every save and append checks it again. */
static void
test_state_dir_trust(void **state)
{
	struct cmm_persist p = make_persist(1);
	struct cmm_hist_rec r;
	char	want[1200];

	(void)state;
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: state dir is group-writable (mode "
	    "0770; chmod 700 %s)", dir, dir);
	assert_string_equal(err, want);
	assert_int_equal(cmm_state_save(dir, &p, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMIT;
	assert_int_equal(cmm_history_append(dir, &r, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(chmod(dir, 0703), 0);
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: state dir is world-writable (mode "
	    "0703; chmod 700 %s)", dir, dir);
	assert_string_equal(err, want);
	/* readable by others is the operator's business */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	if (geteuid() != 0)
		return;	/* only root can give it away */
	assert_int_equal(chown(dir, 65534, (gid_t)-1), 0);
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: state dir owned by uid 65534, not by "
	    "this daemon's uid 0 (chown it, or remove it to have it created)",
	    dir);
	assert_string_equal(err, want);
	assert_int_equal(chown(dir, 0, (gid_t)-1), 0);
}

/* A failed save leaves the previous state; a stray state.tmp is ignored. */
/* Writes len bytes at off into the state file, in place. */
static void
poke(size_t off, const void *bytes, size_t len)
{
	char	path[400];
	int	fd;

	file_path(path, sizeof(path), "state");
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* A failed or torn save leaves the last complete one; a stray state.tmp
 * is ignored. */
static void
test_state_atomic(void **state)
{
	struct cmm_persist a = make_persist(7), b = make_persist(8), q;
	char	tmp[400], path[400], want[1200];
	uint8_t	junk[64];

	(void)state;
	/* the first save creates the file aside and renames it: a directory
	 * in the way of state.tmp (which stops root too) fails it */
	file_path(tmp, sizeof(tmp), "state.tmp");
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(cmm_state_save(dir, &a, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot create: File exists", tmp);
	assert_string_equal(err, want);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	assert_int_equal(rmdir(tmp), 0);
	save_ok(&a);
	/* a crash while creating a file earlier left half a temporary one */
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "CMMSTATE garbage", 16), 16);
		close(fd);
	}
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&a, &q);
	assert_int_equal(unlink(tmp), 0);

	/* a save torn half-way: the slot it was writing (the one that did
	 * not hold the newest) is garbage, the newest complete one loads */
	save_ok(&b);			/* slot 1 */
	save_ok(&a);			/* slot 0 */
	memset(junk, 0x5a, sizeof(junk));
	poke(STATE_REC + 100, junk, sizeof(junk));	/* next: slot 1 */
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&a, &q);
	/* the next save goes into the damaged slot, and wins */
	save_ok(&b);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&b, &q);

	/* a state that cannot be opened is not replaced */
	file_path(path, sizeof(path), "state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cmm_state_save(dir, &a, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", path);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(path), 0);
}

static void
test_state_corrupt(void **state)
{
	struct cmm_persist p = make_persist(99), p2 = make_persist(100), q;
	uint8_t	*good, *bad;
	size_t	len;
	char	path[400], want[1200];

	(void)state;
	/* one save: slot 0 holds it, slot 1 is still zeros */
	save_ok(&p);
	good = read_whole("state", &len);
	assert_int_equal(len, STATE_FILE_SIZE);
	bad = malloc(len + 1);
	assert_non_null(bad);
	/* every flipped bit of the only record is caught */
	for (size_t off = 0; off < STATE_REC; off++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(bad, good, len);
			bad[off] ^= (uint8_t)(1u << bit);
			corrupt_with(bad, len);
			if (cmm_state_load(dir, &q, err, sizeof(err)) != -1)
				fail_msg("flip at byte %zu bit %d accepted", off, bit);
			snprintf(want, sizeof(want), "%s/state: corrupt state file (",
			    dir);
			assert_int_equal(strncmp(err, want, strlen(want)), 0);
			assert_string_equal(err + strlen(err) - strlen(HINT), HINT);
		}
	}
	memcpy(bad, good, len);
	bad[100] ^= 0x10;
	corrupt_with(bad, len);
	expect_corrupt("checksum mismatch");
	memcpy(bad, good, len);
	memcpy(bad, "XMMSTATE", 8);
	corrupt_with(bad, len);
	expect_corrupt("not a cmm state file (bad magic)");
	memcpy(bad, good, len);
	bad[8] = 9;
	corrupt_with(bad, len);
	expect_corrupt("unsupported version (written by another cmm)");
	memcpy(bad, good, len);
	bad[10] ^= 0x01;
	corrupt_with(bad, len);
	expect_corrupt("wrong record size");
	/* a good checksum on an epoch that would wrap */
	memcpy(bad, good, len);
	bad[12 + 3] = 0x80;
	resum(bad);
	corrupt_with(bad, len);
	expect_corrupt("epoch at or above 2^31 (it would wrap)");
	/* the file's length */
	corrupt_with(good, len - 1);
	expect_corrupt("truncated");
	corrupt_with(good, STATE_REC);
	expect_corrupt("truncated");
	corrupt_with(good, 5);
	expect_corrupt("truncated");
	corrupt_with("XMMSTATE", 8);
	expect_corrupt("not a cmm state file (bad magic)");
	corrupt_with(good, 0);
	expect_corrupt("empty");
	memcpy(bad, good, len);
	bad[len] = 0;
	corrupt_with(bad, len + 1);
	expect_corrupt("too long");
	corrupt_with(good, len);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);

	/* two saves: a damaged slot gives the other one whole, never a mix
	 * of the two; both damaged is an error */
	save_ok(&p2);		/* slot 1, the newer */
	free(good);
	good = read_whole("state", &len);
	for (size_t off = 0; off < len; off += 7) {
		memcpy(bad, good, len);
		bad[off] ^= 0x04;
		corrupt_with(bad, len);
		if (cmm_state_load(dir, &q, err, sizeof(err)) != 0)
			fail_msg("flip at byte %zu: %s", off, err);
		if (off < STATE_REC)
			assert_persist_eq(&p2, &q);
		else
			assert_persist_eq(&p, &q);
	}
	memcpy(bad, good, len);
	bad[50] ^= 1;
	bad[STATE_REC + 50] ^= 1;
	corrupt_with(bad, len);
	expect_corrupt("checksum mismatch");

	/* unreadable: a directory where the file should be */
	file_path(path, sizeof(path), "state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory" HINT, path);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(path), 0);
	free(good);
	free(bad);
}

/* The slots take turns, by their write sequence: save e goes into slot
 * (e - 1) % 2 with sequence e; the newest loads, the one before it stays
 * in the other slot, and is what loads when the newest is damaged. */
static void
test_state_two_slots(void **state)
{
	struct cmm_persist q, want;
	uint8_t	*b;
	size_t	len;

	(void)state;
	for (uint32_t e = 1; e <= 5; e++) {
		struct cmm_persist p = make_persist(e);
		size_t	mine = (e - 1) % 2 * STATE_REC;
		size_t	other = e % 2 * STATE_REC;

		save_ok(&p);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
		assert_persist_eq(&p, &q);
		b = read_whole("state", &len);
		assert_int_equal(len, STATE_FILE_SIZE);
		assert_true(get64le(b + mine + 304) == e);
		assert_true(get64le(b + other + 304) == e - 1);
		assert_int_equal(get32le(b + mine + 16), p.incarnation);
		if (e > 1)
			assert_int_equal(get32le(b + other + 16),
			    make_persist(e - 1).incarnation);
		free(b);
	}
	/* the newest (5, slot 0) damaged: 4 loads, whole */
	b = read_whole("state", &len);
	b[200] ^= 0x20;
	corrupt_with(b, len);
	want = make_persist(4);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&want, &q);
	/* the next save replaces the damaged slot and is the newest */
	want = make_persist(6);
	save_ok(&want);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&want, &q);
	free(b);
	b = read_whole("state", &len);
	assert_true(get64le(b + 304) == 5);
	assert_true(get64le(b + STATE_REC + 304) == 4);
	free(b);
}

/* The daemon's state file, kept open: the slots still take turns by
 * sequence; a write torn half-way through the slot it overwrites leaves
 * the newest whole (it loads), and the next save goes into the torn slot;
 * when the newest is the damaged one, the one before it loads.  A handle
 * opened on a file with a damaged slot writes that slot first. */
static void
test_state_file_kept_open(void **state)
{
	struct cmm_state_file *f;
	struct cmm_persist p, q;
	uint8_t	*b, junk[STATE_REC / 2];
	size_t	len;

	(void)state;
	f = cmm_state_file_new(dir, err, sizeof(err));
	assert_non_null(f);
	for (uint32_t e = 1; e <= 4; e++) {
		p = make_persist(e);
		if (cmm_state_file_save(f, &p, err, sizeof(err)) != 0)
			fail_msg("save %u: %s", e, err);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
		assert_persist_eq(&p, &q);
		b = read_whole("state", &len);
		assert_int_equal(len, STATE_FILE_SIZE);
		assert_true(get64le(b + (e - 1) % 2 * STATE_REC + 304) == e);
		free(b);
	}
	/* 4 is in slot 1; a save of 5 into slot 0 torn half-way */
	memset(junk, 0xa5, sizeof(junk));
	b = read_whole("state", &len);
	memcpy(b, junk, sizeof(junk));
	corrupt_with(b, len);
	free(b);
	p = make_persist(4);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* the handle goes on into the torn slot, never over 4 */
	p = make_persist(5);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	b = read_whole("state", &len);
	assert_true(get64le(b + 304) == 5);
	assert_true(get64le(b + STATE_REC + 304) == 4);
	/* the newest (5) damaged: 4 loads, whole */
	b[100] ^= 0x01;
	corrupt_with(b, len);
	free(b);
	cmm_state_file_free(f);
	p = make_persist(4);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* a new handle (a restart) overwrites the damaged slot, not 4 */
	f = cmm_state_file_new(dir, err, sizeof(err));
	assert_non_null(f);
	p = make_persist(6);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	cmm_state_file_free(f);
	b = read_whole("state", &len);
	assert_true(get64le(b + 304) == 5);
	assert_true(get64le(b + STATE_REC + 304) == 4);
	free(b);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
}

/*
 * The state file's writes and flushes, seen at the system calls (the
 * binary is linked with --wrap for both): 'W' and the slot for a record
 * written, 'S' for a flush.  Only while io_on is set.
 */
ssize_t	__real_pwrite(int fd, const void *buf, size_t n, off_t off);
int	__real_fdatasync(int fd);
ssize_t	__wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
int	__wrap_fdatasync(int fd);
static bool io_on;
static char io_log[64];

static void
io_note(char a, char b)
{
	size_t l = strlen(io_log);

	if (io_on && l + 2 < sizeof(io_log)) {
		io_log[l] = a;
		io_log[l + 1] = b;
	}
}

ssize_t
__wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	io_note('W', (char)('0' + off / STATE_REC));
	return __real_pwrite(fd, buf, n, off);
}

int
__wrap_fdatasync(int fd)
{
	io_note('S', ' ');
	return __real_fdatasync(fd);
}

/* A commit announced before its flush (docs/PROTOCOL.md "Durability"):
 * written at once, flushed by cmm_state_file_flush -- or by the next
 * record before it overwrites the other slot, which until then holds the
 * only record that is surely on the disk.  A reader sees the newest
 * record all along. */
static void
test_state_file_flush_later(void **state)
{
	struct cmm_state_file *f;
	struct cmm_persist p, q;

	(void)state;
	f = cmm_state_file_new(dir, err, sizeof(err));
	assert_non_null(f);
	p = make_persist(1);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	io_on = true;
	memset(io_log, 0, sizeof(io_log));
	p = make_persist(2);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	assert_string_equal(io_log, "W1S ");	/* a save: written, flushed */
	memset(io_log, 0, sizeof(io_log));
	p = make_persist(3);
	assert_int_equal(cmm_state_file_write(f, &p, err, sizeof(err)), 0);
	assert_string_equal(io_log, "W0");	/* a write only */
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	assert_int_equal(cmm_state_file_flush(f, err, sizeof(err)), 0);
	assert_int_equal(cmm_state_file_flush(f, err, sizeof(err)), 0);
	assert_string_equal(io_log, "W0S ");	/* flushed once */
	memset(io_log, 0, sizeof(io_log));
	p = make_persist(4);
	assert_int_equal(cmm_state_file_write(f, &p, err, sizeof(err)), 0);
	p = make_persist(5);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	/* 4 reaches the disk before 5 overwrites slot 0, the slot of 3 */
	assert_string_equal(io_log, "W1S W0S ");
	memset(io_log, 0, sizeof(io_log));
	p = make_persist(6);
	assert_int_equal(cmm_state_file_write(f, &p, err, sizeof(err)), 0);
	p = make_persist(7);
	assert_int_equal(cmm_state_file_write(f, &p, err, sizeof(err)), 0);
	assert_string_equal(io_log, "W1S W0");
	io_on = false;
	cmm_state_file_free(f);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
}

/* A state file removed or replaced (a backup restored) under the open
 * handle: the next save notices, says so (1 and a warning), and writes
 * the current state where a restart will read it; then all is as
 * before.  Without this the saves went to an unlinked inode, and a
 * restart would load the older promise from the restored file. */
static void
test_state_file_replaced(void **state)
{
	struct cmm_state_file *f;
	struct cmm_persist p, q;
	char	path[400], aside[400];
	uint8_t	*old;
	size_t	len;
	int	fd;

	(void)state;
	f = cmm_state_file_new(dir, err, sizeof(err));
	assert_non_null(f);
	for (uint32_t e = 1; e <= 2; e++) {
		p = make_persist(e);
		assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	}
	old = read_whole("state", &len);
	p = make_persist(3);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	/* epoch 2's file put back in place of the live one */
	file_path(path, sizeof(path), "state");
	file_path(aside, sizeof(aside), "state.restored");
	fd = open(aside, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, old, len), (ssize_t)len);
	close(fd);
	free(old);
	assert_int_equal(rename(aside, path), 0);
	p = make_persist(4);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "removed or replaced"));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	p = make_persist(5);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 0);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	/* removed: written anew */
	assert_int_equal(unlink(path), 0);
	p = make_persist(6);
	assert_int_equal(cmm_state_file_save(f, &p, err, sizeof(err)), 1);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
	cmm_state_file_free(f);
}

/* The state file is opened without following a symlink: not read, not
 * written through. */
static void
test_state_symlink(void **state)
{
	struct cmm_persist p = make_persist(3), q;
	char	path[400], target[400], want[1200];
	uint8_t	*b;
	size_t	len;

	(void)state;
	save_ok(&p);
	file_path(path, sizeof(path), "state");
	file_path(target, sizeof(target), "elsewhere");
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Too many levels of "
	    "symbolic links" HINT, path);
	assert_string_equal(err, want);
	p = make_persist(4);
	assert_int_equal(cmm_state_save(dir, &p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: Too many levels of "
	    "symbolic links", path);
	assert_string_equal(err, want);
	/* the file it points to is untouched */
	b = read_whole("elsewhere", &len);
	assert_int_equal(len, STATE_FILE_SIZE);
	assert_true(get64le(b + 304) == 1);
	free(b);
}

/* A record of an older format, whole and with a good checksum, as a node
 * of an older cmm left it: version 1 (304 bytes, a last proposal instead
 * of an acceptor slot) or version 2 (320 bytes, one slot, round v2).
 * Little-endian, BLAKE2b-128 checksum at size - 16. */
static void
old_record(uint8_t *b, uint16_t version, uint16_t size)
{
	memset(b, 0, size);
	memcpy(b, "CMMSTATE", 8);
	b[8] = (uint8_t)version;
	b[9] = (uint8_t)(version >> 8);
	b[10] = (uint8_t)size;
	b[11] = (uint8_t)(size >> 8);
	b[12] = 7;		/* epoch */
	b[16] = 3;		/* incarnation */
	b[20] = 8;		/* v1: prop_epoch; v2: next_attempt */
	b[24] = 1;
	b[32] = 0x3f;		/* members 0-5 */
	b[160] = 0x1f;		/* v1: prop; v2: value */
	assert_int_equal(sodium_init() < 0, 0);
	crypto_generichash(b + size - 16, 16, b, size - 16U, NULL, 0);
}

/* A state file of an older format is refused, saying why, and nothing of
 * it is taken: its "last proposal" (v1) is no acceptor state of round
 * v2, so a node must not start on it as if it had promised or accepted
 * nothing; --forget-state moves it aside. */
static void
test_state_old_formats_refused(void **state)
{
	struct cmm_persist q;
	uint8_t	v1[304], v2[320], big[2 * CMM_STATE_REC_SIZE];
	char	want[1200];

	(void)state;
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	old_record(v1, 1, 304);
	corrupt_with_create(v1, sizeof(v1));
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/state: corrupt state file "
	    "(format version 1 or 2, written by an older cmm)" HINT, dir);
	assert_string_equal(err, want);
	/* nothing half-loaded is left for a careless caller */
	assert_int_equal(q.epoch, 0);
	assert_int_equal(q.incarnation, 0);
	assert_true(cmm_set_empty(&q.members));
	old_record(v2, 2, 320);
	corrupt_with(v2, sizeof(v2));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	/* the same records in a file of today's size: their version says
	 * it (the checks run in layout order: magic, version, size) */
	memset(big, 0, sizeof(big));
	memcpy(big, v1, sizeof(v1));
	memcpy(big + CMM_STATE_REC_SIZE, v2, sizeof(v2));
	corrupt_with(big, sizeof(big));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/state: corrupt state file "
	    "(unsupported version (written by another cmm))" HINT, dir);
	assert_string_equal(err, want);
	/* what --forget-state does with it: moved aside, kept, a fresh
	 * start */
	{
		char	moved[400], aside[400];

		assert_int_equal(cmm_state_forget(dir, moved, sizeof(moved), err,
		    sizeof(err)), 0);
		snprintf(aside, sizeof(aside), "%s/state.corrupt.1", dir);
		assert_string_equal(moved, aside);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	}
}

static void
test_state_forget(void **state)
{
	struct cmm_persist p = make_persist(5), q;
	char	moved[400], want[400];

	(void)state;
	/* nothing to forget */
	assert_int_equal(cmm_state_forget(dir, moved, sizeof(moved), err,
	    sizeof(err)), 0);
	assert_string_equal(moved, "");

	for (int i = 1; i <= 2; i++) {
		save_ok(&p);
		corrupt_with("junk", 4);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), -1);
		assert_int_equal(cmm_state_forget(dir, moved, sizeof(moved), err,
		    sizeof(err)), 0);
		snprintf(want, sizeof(want), "%s/state.corrupt.%d", dir, i);
		assert_string_equal(moved, want);
		assert_int_equal(access(want, F_OK), 0);
		assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 1);
	}
}

static struct cmm_hist_rec
make_rec(int i)
{
	struct cmm_hist_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = (enum cmm_hist_kind)(CMM_HIST_COMMIT + i % 4);
	r.epoch = (uint32_t)(i + 1);
	cmm_set_add(&r.members, i % CMM_MAX_NODES);
	cmm_set_add(&r.members, 1000);
	r.time_ms = 1764059760123LL + i;
	r.uid = i % 2 ? 1000 + i : -1;
	snprintf(r.reason, sizeof(r.reason), "record %d", i);
	return r;
}

static void
assert_rec_eq(const struct cmm_hist_rec *a, const struct cmm_hist_rec *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->epoch, b->epoch);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_int_equal(a->time_ms, b->time_ms);
	assert_int_equal(a->uid, b->uid);
	assert_string_equal(a->reason, b->reason);
}

struct collect {
	struct cmm_hist_rec	rec[64];
	int			n;
	int			stop_after;	/* 0: never */
};

static int
collect_cb(void *ctx, const struct cmm_hist_rec *r)
{
	struct collect *c = ctx;

	assert_true(c->n < 64);
	c->rec[c->n++] = *r;
	return c->stop_after > 0 && c->n >= c->stop_after;
}

static void
append_ok(int i)
{
	struct cmm_hist_rec r = make_rec(i);

	if (cmm_history_append(dir, &r, err, sizeof(err)) != 0)
		fail_msg("append: %s", err);
}

static int
read_all(struct collect *c)
{
	memset(c, 0, sizeof(*c));
	return cmm_history_read(dir, collect_cb, c, warn, sizeof(warn), err,
	    sizeof(err));
}

static void
test_history(void **state)
{
	struct collect c;
	struct cmm_hist_rec tail[10], r;
	char	path[400];
	struct stat st;
	int	i;

	(void)state;
	assert_int_equal(read_all(&c), 0);	/* none yet */
	assert_string_equal(warn, "");
	for (i = 0; i < 5; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5 * CMM_HIST_REC_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_all(&c), 5);
	assert_string_equal(warn, "");
	for (i = 0; i < 5; i++) {
		r = make_rec(i);
		assert_rec_eq(&c.rec[i], &r);
	}
	/* the callback can stop early */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(cmm_history_read(dir, collect_cb, &c, NULL, 0, err,
	    sizeof(err)), 2);

	assert_int_equal(cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err,
	    sizeof(err)), 3);
	for (i = 0; i < 3; i++) {
		r = make_rec(2 + i);
		assert_rec_eq(&tail[i], &r);
	}
	assert_int_equal(cmm_history_tail(dir, 10, tail, warn, sizeof(warn), err,
	    sizeof(err)), 5);
	r = make_rec(0);
	assert_rec_eq(&tail[0], &r);
	assert_int_equal(cmm_history_tail(dir, 5, tail, warn, sizeof(warn), err,
	    sizeof(err)), 5);
	r = make_rec(4);
	assert_rec_eq(&tail[4], &r);
	assert_int_equal(cmm_history_tail(dir, 0, tail, warn, sizeof(warn), err,
	    sizeof(err)), 0);

	/* a long reason is cut, not overflowed */
	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMAND;
	r.uid = 0;
	memset(r.reason, 'x', sizeof(r.reason));	/* not even terminated */
	assert_int_equal(cmm_history_append(dir, &r, err, sizeof(err)), 0);
	assert_int_equal(read_all(&c), 6);
	assert_int_equal(strlen(c.rec[5].reason), CMM_HIST_REASON_MAX - 1);
}

/* An append that leaves the fsync for later is read back like any other,
 * and the sync that follows names the file when there is none. */
static void
test_history_unsynced(void **state)
{
	struct collect c;
	struct cmm_hist_rec r;

	(void)state;
	assert_int_equal(cmm_history_sync(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "history"));
	for (int i = 0; i < 3; i++) {
		r = make_rec(i);
		assert_int_equal(cmm_history_append_unsynced(dir, &r, err,
		    sizeof(err)), 0);
	}
	append_ok(3);
	assert_int_equal(cmm_history_sync(dir, err, sizeof(err)), 0);
	assert_int_equal(read_all(&c), 4);
	for (int i = 0; i < 4; i++) {
		r = make_rec(i);
		assert_rec_eq(&c.rec[i], &r);
	}
}

/* Adds record i through the kept-open handle. */
static void
add_ok(struct cmm_history *h, int i)
{
	struct cmm_hist_rec r = make_rec(i);

	if (cmm_history_add(h, &r, err, sizeof(err)) != 0)
		fail_msg("add: %s", err);
}

/* Records first..first+n-1 are exactly what DIR/history holds. */
static void
history_is(int first, int n)
{
	struct collect c;
	struct cmm_hist_rec r;

	assert_int_equal(read_all(&c), n);
	for (int i = 0; i < n; i++) {
		r = make_rec(first + i);
		assert_rec_eq(&c.rec[i], &r);
	}
}

/* The daemon's handle writes where a fresh open would: it notices the
 * file appended to by another process, moved away, replaced by a link,
 * removed, or given a torn tail, and opens the path again with every
 * check of cmm_history_append. */
static void
test_history_kept_open(void **state)
{
	struct cmm_history *h;
	struct stat st;
	char	path[400], moved[400], target[400], want[1200];
	int	fd;

	(void)state;
	assert_non_null(h = cmm_history_new(dir, err, sizeof(err)));
	assert_int_equal(cmm_history_flush(h, err, sizeof(err)), 0);
	add_ok(h, 0);
	add_ok(h, 1);
	assert_int_equal(cmm_history_flush(h, err, sizeof(err)), 0);
	history_is(0, 2);
	/* another writer in between: both records kept, in order */
	append_ok(2);
	add_ok(h, 3);
	history_is(0, 4);
	/* moved away (by hand, or a log rotator): a new file from here */
	file_path(path, sizeof(path), "history");
	file_path(moved, sizeof(moved), "history.moved");
	assert_int_equal(rename(path, moved), 0);
	add_ok(h, 4);
	history_is(4, 1);
	assert_int_equal(stat(moved, &st), 0);
	assert_int_equal(st.st_size, 4 * CMM_HIST_REC_SIZE);
	/* replaced by a link: refused, as a first open is, nothing written */
	assert_int_equal(unlink(path), 0);
	file_path(target, sizeof(target), "elsewhere");
	assert_int_equal(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(target, path), 0);
	{
		struct cmm_hist_rec r = make_rec(5);

		assert_int_equal(cmm_history_add(h, &r, err, sizeof(err)), -1);
	}
	snprintf(want, sizeof(want), "%s: cannot open: Too many levels of "
	    "symbolic links", path);
	assert_string_equal(err, want);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* the link gone: created anew */
	assert_int_equal(unlink(path), 0);
	add_ok(h, 6);
	history_is(6, 1);
	/* a torn record left by another writer is cut off first */
	assert_true((fd = open(path, O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(write(fd, "torn", 4), 4);
	assert_int_equal(close(fd), 0);
	add_ok(h, 7);
	history_is(6, 2);
	/* a dir opened to others: the file already open is still ours, but
	 * a replaced one is not opened again */
	assert_int_equal(chmod(dir, 0770), 0);
	add_ok(h, 8);
	history_is(6, 3);
	assert_int_equal(rename(path, moved), 0);
	{
		struct cmm_hist_rec r = make_rec(9);

		assert_int_equal(cmm_history_add(h, &r, err, sizeof(err)), -1);
	}
	assert_non_null(strstr(err, "group-writable"));
	assert_int_equal(chmod(dir, 0700), 0);
	cmm_history_free(h);
	cmm_history_free(NULL);
}

static void
test_history_format(void **state)
{
	struct cmm_hist_rec r;
	char	buf[256];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = CMM_HIST_COMMIT;
	r.epoch = 7;
	for (int i = 0; i < 6; i++)
		cmm_set_add(&r.members, i);
	r.time_ms = 1764059760123LL;	/* 2025-11-25T08:36:00.123Z */
	r.uid = -1;
	strcpy(r.reason, "node 3 failed");
	cmm_hist_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "2025-11-25T08:36:00.123Z commit epoch 7 "
	    "members 0-5 uid - node 3 failed");
	r.kind = CMM_HIST_ANSWER;
	r.uid = 1000;
	cmm_set_clear(&r.members);
	strcpy(r.reason, "answer winner 1");
	cmm_hist_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "2025-11-25T08:36:00.123Z answer epoch 7 "
	    "members - uid 1000 answer winner 1");
	assert_string_equal(cmm_hist_kind_name(CMM_HIST_COMMAND), "command");
	assert_string_equal(cmm_hist_kind_name(CMM_HIST_ALARM), "split-brain");
}

/* A crash mid-append leaves a torn last record: ignored with a warning,
 * and cut off by the next append so it never becomes damage in the middle. */
static void
test_history_torn_tail(void **state)
{
	struct collect c;
	char	path[400], want[1200];
	uint8_t	*b;
	size_t	len;
	int	fd;

	(void)state;
	for (int i = 0; i < 3; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	assert_int_equal(truncate(path, 3 * CMM_HIST_REC_SIZE - 100), 0);
	assert_int_equal(read_all(&c), 2);
	snprintf(want, sizeof(want), "%s: ignored a damaged last record at byte "
	    "%d (truncated)", path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(warn, want);
	assert_int_equal(cmm_history_tail(dir, 1, c.rec, warn, sizeof(warn), err,
	    sizeof(err)), 1);
	assert_string_equal(warn, want);
	assert_int_equal(c.rec[0].epoch, 2);

	append_ok(3);
	assert_int_equal(read_all(&c), 3);
	assert_string_equal(warn, "");
	assert_int_equal(c.rec[2].epoch, 4);

	/* a whole last record with garbage (a torn write on a real disk) */
	b = read_whole("history", &len);
	assert_int_equal(len, 3 * CMM_HIST_REC_SIZE);
	memset(b + 2 * CMM_HIST_REC_SIZE + 20, 0, 50);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	assert_int_equal(read_all(&c), 2);
	snprintf(want, sizeof(want), "%s: ignored a damaged last record at byte "
	    "%d (checksum mismatch)", path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(warn, want);
	append_ok(4);
	assert_int_equal(read_all(&c), 3);
	assert_string_equal(warn, "");
	assert_int_equal(c.rec[2].epoch, 5);
}

static void
test_history_corrupt_middle(void **state)
{
	struct collect c;
	struct cmm_hist_rec tail[4];
	char	path[400], want[1200];
	uint8_t	*b;
	size_t	len;
	int	fd;

	(void)state;
	for (int i = 0; i < 4; i++)
		append_ok(i);
	file_path(path, sizeof(path), "history");
	b = read_whole("history", &len);
	b[CMM_HIST_REC_SIZE + 30] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	assert_int_equal(read_all(&c), -1);
	snprintf(want, sizeof(want), "%s: corrupt record at byte %d (checksum "
	    "mismatch)", path, CMM_HIST_REC_SIZE);
	assert_string_equal(err, want);
	assert_int_equal(c.n, 1);	/* the good one before it was delivered */
	/* the tail reads only what it returns: damage further back is not
	 * seen by the last two, and is an error for the last three */
	assert_int_equal(cmm_history_tail(dir, 2, tail, warn, sizeof(warn), err,
	    sizeof(err)), 2);
	assert_int_equal(tail[1].epoch, 4);
	assert_int_equal(cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);

	/* bad magic in the middle, a torn record followed by more data */
	b[CMM_HIST_REC_SIZE + 30] ^= 1;
	b[2 * CMM_HIST_REC_SIZE] = 'X';
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	assert_int_equal(read_all(&c), -1);
	snprintf(want, sizeof(want), "%s: corrupt record at byte %d (bad magic)",
	    path, 2 * CMM_HIST_REC_SIZE);
	assert_string_equal(err, want);
	free(b);
}

/* Past its size limit the history is renamed to history.1 (one old file
 * kept) and starts anew; the tail reads across the two, newest kept. */
static void
test_history_rotation(void **state)
{
	struct cmm_hist_rec tail[12], r;
	char	path[400], old[400];
	struct stat st;
	int64_t	max = 4 * CMM_HIST_REC_SIZE;

	(void)state;
	file_path(path, sizeof(path), "history");
	file_path(old, sizeof(old), "history.1");
	for (int i = 0; i < 4; i++) {
		r = make_rec(i);
		assert_int_equal(cmm_history_append_max(dir, &r, max, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(stat(old, &st), -1);	/* exactly full: no rotation */
	r = make_rec(4);
	assert_int_equal(cmm_history_append_max(dir, &r, max, err, sizeof(err)),
	    0);
	assert_int_equal(stat(old, &st), 0);
	assert_int_equal(st.st_size, 4 * CMM_HIST_REC_SIZE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, CMM_HIST_REC_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the newest 3: one from history, two from history.1, in order */
	assert_int_equal(cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err,
	    sizeof(err)), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tail[i].epoch, (uint32_t)(2 + i + 1));
	/* more records go on; the next rotation drops the oldest file */
	for (int i = 5; i < 13; i++) {
		r = make_rec(i);
		assert_int_equal(cmm_history_append_max(dir, &r, max, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(cmm_history_tail(dir, 12, tail, warn, sizeof(warn),
	    err, sizeof(err)), 5);	/* 4 in history.1, 1 in history */
	for (int i = 0; i < 5; i++) {
		r = make_rec(8 + i);
		assert_rec_eq(&tail[i], &r);
	}
	assert_string_equal(warn, "");
}

/* The tail seeks from the end: a huge file whose start is not even
 * records (a sparse hole of zeros) still gives its last records, and
 * says where the damage is when asked to read into it. */
static void
test_history_tail_seeks(void **state)
{
	struct cmm_hist_rec tail[4], r;
	uint8_t	b[CMM_HIST_REC_SIZE];
	char	path[400], want[1200];
	off_t	hole = (off_t)CMM_HIST_REC_SIZE * 4000000;	/* ~1.1 GB */
	int	fd;

	(void)state;
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	file_path(path, sizeof(path), "history");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, hole), 0);
	for (int i = 0; i < 3; i++) {
		r = make_rec(i);
		cmm_hist_encode(&r, b);
		assert_int_equal(pwrite(fd, b, sizeof(b),
		    hole + (off_t)i * CMM_HIST_REC_SIZE), (ssize_t)sizeof(b));
	}
	close(fd);
	assert_int_equal(cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err,
	    sizeof(err)), 3);
	for (int i = 0; i < 3; i++) {
		r = make_rec(i);
		assert_rec_eq(&tail[i], &r);
	}
	assert_int_equal(cmm_history_tail(dir, 4, tail, warn, sizeof(warn), err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: corrupt record at byte %lld (bad "
	    "magic)", path, (long long)(hole - CMM_HIST_REC_SIZE));
	assert_string_equal(err, want);
}

/* A symlink planted as the history is not followed: neither appended to
 * nor read. */
static void
test_history_symlink(void **state)
{
	struct cmm_hist_rec r = make_rec(1), tail[1];
	char	path[400], target[400], want[1200];
	struct stat st;

	(void)state;
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	file_path(path, sizeof(path), "history");
	file_path(target, sizeof(target), "elsewhere");
	assert_int_equal(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(cmm_history_append(dir, &r, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: Too many levels of "
	    "symbolic links", path);
	assert_string_equal(err, want);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(cmm_history_tail(dir, 1, tail, warn, sizeof(warn), err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Too many levels of "
	    "symbolic links", path);
	assert_string_equal(err, want);
}

/* The child: from the loaded epoch on, save epoch after epoch (and append
 * a history record each time) until killed; says "ready" after the first. */
static void
crash_child(int ready_fd)
{
	struct cmm_persist p;
	struct cmm_hist_rec r;
	char	e[256];
	uint32_t epoch;

	struct cmm_state_file *f;

	if (cmm_state_load(dir, &p, e, sizeof(e)) != 0)
		_exit(10);
	/* the daemon's way: one file kept open, read again only at start */
	if ((f = cmm_state_file_new(dir, e, sizeof(e))) == NULL)
		_exit(14);
	epoch = p.epoch;
	for (;;) {
		epoch++;
		p = make_persist(epoch);
		if (cmm_state_file_save(f, &p, e, sizeof(e)) != 0)
			_exit(11);
		memset(&r, 0, sizeof(r));
		r.kind = CMM_HIST_COMMIT;
		r.epoch = epoch;
		r.uid = -1;
		if (cmm_history_append(dir, &r, e, sizeof(e)) != 0)
			_exit(12);
		if (ready_fd >= 0) {
			if (write(ready_fd, "r", 1) != 1)
				_exit(13);
			close(ready_fd);
			ready_fd = -1;
		}
	}
}

struct monotone {
	uint32_t	last;
	bool		bad;
};

static int
hist_monotone_cb(void *ctx, const struct cmm_hist_rec *r)
{
	struct monotone *m = ctx;

	if (r->epoch <= m->last)
		m->bad = true;
	m->last = r->epoch;
	return 0;
}

/* SIGKILL a saving process at random moments: the state always loads,
 * its epoch never goes back, the history always reads. */
static void
test_state_crash_loop(void **state)
{
	struct cmm_persist p, want;
	struct monotone m;
	uint32_t last = 1;
	unsigned seed = 12345;
	int	round, status, pfd[2], n;
	pid_t	pid;
	char	c;

	(void)state;
	p = make_persist(1);
	save_ok(&p);
	for (round = 0; round < 50; round++) {
		struct timespec ts;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			crash_child(pfd[1]);
		}
		close(pfd[1]);
		/* wait for one complete save, so the kill lands in the loop */
		do
			n = (int)read(pfd[0], &c, 1);
		while (n < 0 && errno == EINTR);
		close(pfd[0]);
		seed = seed * 1103515245u + 12345u;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((seed >> 8) % 3000) * 1000;	/* 0-3 ms */
		if (n == 1)
			nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (n != 1 || !WIFSIGNALED(status))
			fail_msg("round %d: the child failed (status %#x)", round,
			    status);

		if (cmm_state_load(dir, &p, err, sizeof(err)) != 0)
			fail_msg("round %d: %s", round, err);
		if (p.epoch < last)
			fail_msg("round %d: epoch went back from %u to %u", round,
			    last, p.epoch);
		want = make_persist(p.epoch);
		assert_persist_eq(&p, &want);
		last = p.epoch;

		memset(&m, 0, sizeof(m));
		if (cmm_history_read(dir, hist_monotone_cb, &m, warn,
		    sizeof(warn), err, sizeof(err)) < 0)
			fail_msg("round %d: %s", round, err);
		if (m.bad)
			fail_msg("round %d: history epochs not increasing", round);
		/* recorded right after each save: at most the last is missing */
		if (m.last + 1 < last)
			fail_msg("round %d: history ends at %u, state at %u", round,
			    m.last, last);
	}
	print_message("crash loop: %d kills, final epoch %u\n", round, last);
	/* each round saved at least once */
	assert_true(last >= 51);
}

/* A version 3 file (336-byte records, before the config digest) from
 * the cmm this one upgrades: read as it was, with no digest and
 * config_version 0 (a state of an unknown config), the newer valid slot
 * winning as ever; the next save writes the whole file anew as version
 * 4. */
static void
test_state_v3_read(void **state)
{
	struct cmm_persist q, p;
	uint8_t	v3[2 * 336], *b;
	size_t	len;

	(void)state;
	assert_int_equal(cmm_state_dir_create(dir, err, sizeof(err)), 0);
	for (int slot = 0; slot < 2; slot++) {
		uint8_t *r = v3 + slot * 336;

		old_record(r, 3, 336);
		r[12] = (uint8_t)(7 + slot);		/* epoch 7, then 8 */
		r[304] = (uint8_t)(1 + slot);		/* write sequence */
		r[28] = 0x99;	/* v3 kept 0 here: never read as a version */
		crypto_generichash(r + 320, 16, r, 320, NULL, 0);
	}
	corrupt_with_create(v3, sizeof(v3));
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_int_equal(q.epoch, 8);
	assert_int_equal(q.incarnation, 3);
	assert_int_equal(q.next_attempt, 8);
	assert_int_equal(cmm_set_count(&q.members), 6);
	assert_int_equal(q.cfg_version, 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(q.cfg_digest[i], 0);
	/* a damaged newer slot: the older one */
	v3[336 + 100] ^= 1;
	corrupt_with(v3, sizeof(v3));
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_int_equal(q.epoch, 7);
	/* a v3 file cut short is truncated, not read */
	corrupt_with(v3, sizeof(v3) - 1);
	expect_corrupt("truncated");
	/* a v4 record in a file of v3 size is not taken as one */
	corrupt_with(v3, sizeof(v3));
	p = make_persist(12);
	save_ok(&p);
	b = read_whole("state", &len);
	assert_int_equal(len, STATE_FILE_SIZE);
	assert_int_equal(b[8], 4);
	free(b);
	assert_int_equal(cmm_state_load(dir, &q, err, sizeof(err)), 0);
	assert_persist_eq(&p, &q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_state_round_trip, new_dir),
		cmocka_unit_test_setup(test_state_each_field, new_dir),
		cmocka_unit_test_setup(test_state_layout, new_dir),
		cmocka_unit_test_setup(test_state_old_formats_refused, new_dir),
		cmocka_unit_test_setup(test_state_two_slots, new_dir),
		cmocka_unit_test_setup(test_state_file_kept_open, new_dir),
		cmocka_unit_test_setup(test_state_file_replaced, new_dir),
		cmocka_unit_test_setup(test_state_symlink, new_dir),
		cmocka_unit_test_setup(test_state_v3_read, new_dir),
		cmocka_unit_test_setup(test_state_dir_created, new_dir),
		cmocka_unit_test_setup(test_state_dir_trust, new_dir),
		cmocka_unit_test_setup(test_state_atomic, new_dir),
		cmocka_unit_test_setup(test_state_corrupt, new_dir),
		cmocka_unit_test_setup(test_state_forget, new_dir),
		cmocka_unit_test_setup(test_history, new_dir),
		cmocka_unit_test_setup(test_history_unsynced, new_dir),
		cmocka_unit_test_setup(test_history_kept_open, new_dir),
		cmocka_unit_test_setup(test_history_format, new_dir),
		cmocka_unit_test_setup(test_history_torn_tail, new_dir),
		cmocka_unit_test_setup(test_history_corrupt_middle, new_dir),
		cmocka_unit_test_setup(test_history_rotation, new_dir),
		cmocka_unit_test_setup(test_history_tail_seeks, new_dir),
		cmocka_unit_test_setup(test_history_symlink, new_dir),
		cmocka_unit_test_setup(test_state_crash_loop, new_dir),
		cmocka_unit_test_setup(test_state_file_flush_later, new_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
