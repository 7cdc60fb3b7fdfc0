/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_state: the state-file and history loaders (src/node/state.h).
 *
 * The first input byte is a mode, the rest is written as the node's state
 * file and as its history.  The records are checksummed, so a fuzzer
 * alone never gets past the checksum: mode bit 0 makes the harness put
 * the right checksum into each whole slot of the state file, bit 1 into
 * every whole history record (what a bug that writes garbage with a good
 * checksum would leave).  Then:
 *  - loading gives 0, 1 or -1 with one line of error, never a crash; a
 *    state that loads saves and loads again to the same values;
 *  - reading the history gives its records or an error naming the byte;
 *    each record formats to one line;
 *  - if the history read, one more record appended reads back as one
 *    more record, equal to what was appended (the damaged-tail cut).
 * Files go to a private directory in /dev/shm when it exists (fsync is
 * free there), else under $TMPDIR.
 */
#include <sodium.h>
#include <sys/stat.h>

#include "src/node/state.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* src/node/state.c's layouts: the checksum of a state slot (two slots of
 * CMM_STATE_REC_SIZE), and of a version 3 slot (two of 336 bytes) */
#define ST_SUM_OFF	344
#define ST_V3_REC	336
#define ST_V3_SUM_OFF	320
#define HI_SUM_OFF	264
#define SUM_LEN		16

static char	dir[256], dir2[300], statepath[320], histpath[320];

static void
cleanup(void)
{
	char path[400];

	unlink(statepath);
	unlink(histpath);
	snprintf(path, sizeof(path), "%s/state", dir2);
	unlink(path);
	rmdir(dir2);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("TMPDIR");
	struct stat st;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	snprintf(dir, sizeof(dir), "%s/cmm-fuzz-state.XXXXXX",
	    base ? base : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(dir2, sizeof(dir2), "%s/again", dir);
	snprintf(statepath, sizeof(statepath), "%s/state", dir);
	snprintf(histpath, sizeof(histpath), "%s/history", dir);
	atexit(cleanup);
	return 0;
}

static void
put_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "w");

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(data, 1, len, f) == len);
	FUZZ_CHECK(fclose(f) == 0);
}

static bool
persist_equal(const struct cmm_persist *a, const struct cmm_persist *b)
{
	return a->incarnation == b->incarnation && a->epoch == b->epoch &&
	    cmm_set_eq(&a->members, &b->members) &&
	    a->promised == b->promised && a->accepted == b->accepted &&
	    cmm_set_eq(&a->value, &b->value) &&
	    a->next_attempt == b->next_attempt && a->abstain == b->abstain &&
	    a->cfg_version == b->cfg_version &&
	    memcmp(a->cfg_digest, b->cfg_digest, sizeof(a->cfg_digest)) == 0;
}

static void
check_state(void)
{
	struct cmm_persist p, q;
	char	err[512];
	int	rc;

	memset(err, 0, sizeof(err));
	rc = cmm_state_load(dir, &p, err, sizeof(err));
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		return;
	}
	FUZZ_CHECK(rc == 0);	/* the file exists */
	FUZZ_CHECK(p.epoch < CMM_EPOCH_LIMIT);
	FUZZ_CHECK(cmm_state_save(dir2, &p, err, sizeof(err)) == 0);
	FUZZ_CHECK(cmm_state_load(dir2, &q, err, sizeof(err)) == 0);
	FUZZ_CHECK(persist_equal(&p, &q));
}

static bool
hist_equal(const struct cmm_hist_rec *a, const struct cmm_hist_rec *b)
{
	return a->kind == b->kind && a->epoch == b->epoch &&
	    cmm_set_eq(&a->members, &b->members) && a->time_ms == b->time_ms &&
	    a->uid == b->uid && strcmp(a->reason, b->reason) == 0;
}

struct hist_ctx {
	int			n;
	struct cmm_hist_rec	last;
};

static int
hist_cb(void *arg, const struct cmm_hist_rec *r)
{
	struct hist_ctx *h = arg;
	char	line[2048];
	int	n = cmm_hist_format(r, line, sizeof(line));

	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(strchr(line, '\n') == NULL);
	FUZZ_CHECK(r->reason[CMM_HIST_REASON_MAX - 1] == '\0');
	h->n++;
	h->last = *r;
	return 0;
}

static void
check_history(void)
{
	struct hist_ctx h = { 0 }, h2 = { 0 };
	struct cmm_hist_rec add, tail[3];
	char	warn[512], err[512];
	int	n, t;

	memset(err, 0, sizeof(err));
	n = cmm_history_read(dir, hist_cb, &h, warn, sizeof(warn), err,
	    sizeof(err));
	if (n < 0) {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		return;
	}
	FUZZ_CHECK(n == h.n);
	FUZZ_CHECK(strchr(warn, '\n') == NULL);
	t = cmm_history_tail(dir, 3, tail, warn, sizeof(warn), err, sizeof(err));
	FUZZ_CHECK(t == (n < 3 ? n : 3));
	if (t > 0)
		FUZZ_CHECK(hist_equal(&tail[t - 1], &h.last));
	/* a node appends after a crash: the damaged tail goes, nothing else */
	memset(&add, 0, sizeof(add));
	add.kind = CMM_HIST_COMMIT;
	add.epoch = 77;
	add.time_ms = 1;
	add.uid = -1;
	cmm_set_add(&add.members, 3);
	snprintf(add.reason, sizeof(add.reason), "fuzz");
	FUZZ_CHECK(cmm_history_append(dir, &add, err, sizeof(err)) == 0);
	n = cmm_history_read(dir, hist_cb, &h2, warn, sizeof(warn), err,
	    sizeof(err));
	FUZZ_CHECK(n == h.n + 1);
	FUZZ_CHECK(warn[0] == '\0');
	FUZZ_CHECK(hist_equal(&h2.last, &add));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*buf;
	unsigned mode;

	if (size < 1 || size > 64 * CMM_HIST_REC_SIZE)
		return 0;
	mode = data[0];
	size--;
	buf = malloc(size + 1);
	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data + 1, size);
	if (mode & 1) {
		/* a file of version 3's size has version 3 slots */
		size_t rec = size == 2 * ST_V3_REC ? ST_V3_REC :
		    CMM_STATE_REC_SIZE;
		size_t sum = rec == ST_V3_REC ? ST_V3_SUM_OFF : ST_SUM_OFF;

		for (size_t off = 0; off + rec <= size && off < 2 * rec;
		    off += rec)
			crypto_generichash(buf + off + sum, SUM_LEN, buf + off,
			    sum, NULL, 0);
	}
	put_file(statepath, buf, size);
	memcpy(buf, data + 1, size);
	if (mode & 2)
		for (size_t off = 0; off + CMM_HIST_REC_SIZE <= size;
		    off += CMM_HIST_REC_SIZE)
			crypto_generichash(buf + off + HI_SUM_OFF, SUM_LEN,
			    buf + off, HI_SUM_OFF, NULL, 0);
	put_file(histpath, buf, size);
	free(buf);
	check_state();
	check_history();
	return 0;
}
