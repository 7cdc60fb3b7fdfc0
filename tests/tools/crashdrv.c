/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * crashdrv: SIGKILL at random instants during commits and device
 * reservations (crash safety), for tests/mp/crash_kill.sh.
 *
 *	crashdrv --dir DIR [--kills N] [--seed S] [--max-us U] [--plant]
 *
 * A forked worker does what a node does for every epoch E, in the node's
 * order (docs/PROTOCOL.md, "5. The round": learn, fence, commit): persist
 * its accept of instance E (state file: promised = accepted = the ballot,
 * the value, the attempt used), register on the file quorum device for E
 * (the first registration of an epoch takes the reservation) and register
 * a second node, persist the commit (state file: (E, S) and the slot
 * cleared, in one write), append the commit to the history, and only then
 * announce "E" on a pipe.  The supervisor kills the worker after a random
 * 0..U µs, reads what it announced, and checks:
 *   - the state file loads; its epoch is at least the last one announced
 *     (later ones may be committed and not yet told) and never falls; it
 *     holds exactly what the worker wrote for that epoch: the members,
 *     and an empty slot or the accept of the next instance, never a mix
 *     of two writes;
 *   - the history reads (a damaged last record is tolerated and counted;
 *     SIGKILL should leave none), its epochs rise, each record's members
 *     are what the worker wrote for that epoch, and every epoch ever
 *     announced is in it;
 *   - the device file opens and verifies (never torn), reserved by the
 *     worker for the committed epoch or the next (reserved, the kill
 *     came before the commit).
 * Then it starts a new worker, which resumes from the state file like a
 * restarted node.  The worker's position at each kill (a shared page) is
 * counted, so the summary shows the kills fell inside every step.
 * Exit 0 when every check held, 1 at the first broken one.  --plant makes
 * the worker announce before it commits (the "commit before persist"
 * bug, which the simulator plants as commit-early), so the test shows
 * the checks catch it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "quorum/device_file.h"
#include "src/node/devkey.h"
#include "src/node/state.h"

enum step { S_START, S_ACCEPT, S_DEVICE, S_COMMIT, S_HISTORY, S_ANNOUNCE,
	S__COUNT };
static const char *const step_name[S__COUNT] = {
	"start", "accept", "device", "commit", "history", "announce",
};

struct shared {
	volatile int	step;
};

static char	dir[512], devpath[600];
static bool	plant;
static uint64_t	rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
	/* xorshift64: reproducible from --seed, no libc state */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What the worker commits at epoch e, so a record's content is checked. */
static void
members_of(uint32_t e, struct cmm_set *s)
{
	cmm_set_clear(s);
	cmm_set_add(s, 0);
	cmm_set_add(s, 1 + (int)(e % 7));
	cmm_set_add(s, 100 + (int)(e % 900));
}

/* The ballot the worker accepts in instance e: varied, so a record that
 * mixed two writes would show it. */
static cmm_ballot
ballot_of(uint32_t e)
{
	return cmm_ballot_make(e % 5, (int)(e % 1024));
}

/* NULL if p is exactly what the worker writes: the committed (epoch,
 * members) with an empty slot, or with the accept of epoch + 1. */
static const char *
state_wrong(const struct cmm_persist *p)
{
	struct cmm_set want;

	if (p->epoch > 0) {
		members_of(p->epoch, &want);
		if (!cmm_set_eq(&p->members, &want))
			return "members not those of its epoch";
	} else if (!cmm_set_empty(&p->members)) {
		return "members without an epoch";
	}
	if (p->accepted == CMM_BALLOT_NONE)
		return p->promised == CMM_BALLOT_NONE &&
		    cmm_set_empty(&p->value) && p->next_attempt == 0 ? NULL :
		    "a slot half cleared";
	members_of(p->epoch + 1, &want);
	if (p->accepted != ballot_of(p->epoch + 1) ||
	    p->promised != p->accepted || !cmm_set_eq(&p->value, &want) ||
	    p->next_attempt != cmm_ballot_attempt(p->accepted) + 1)
		return "a slot that is not the accept of the next instance";
	return NULL;
}

/* REGISTER node at epoch e for configuration s: the first registration
 * of an epoch takes the reservation (the device's rule). */
static enum cmm_dev_status
dev_register(struct cmm_device *d, int node, uint32_t e,
    const struct cmm_set *s, char *err, size_t errlen)
{
	struct cmm_devop op;
	struct cmm_devres res;

	memset(&op, 0, sizeof(op));
	op.op = CMM_DEVOP_REGISTER;
	op.node = node;
	op.epoch = e;
	op.set = *s;
	return d->ops->apply(d, &op, &res, err, (unsigned)errlen);
}

/* The device's records are authenticated; this tool has no cluster key,
 * so it uses the all-zero one (the file is its own). */
static const struct cmm_devfile_key *
dev_key(void)
{
	static struct cmm_devfile_key k;

	if (k.mac == NULL)
		cmm_devkey_init(&k, NULL);
	return &k;
}

static void
fail_worker(const char *what, const char *err)
{
	fprintf(stderr, "crashdrv worker: %s: %s\n", what, err);
	_exit(3);
}

static void
worker(struct shared *sh, int out)
{
	struct cmm_persist p;
	struct cmm_hist_rec r;
	struct cmm_device *d;
	struct cmm_set cfg;
	char	err[512], line[32];
	enum cmm_dev_status st;
	int	rc;

	sh->step = S_START;
	rc = cmm_state_load(dir, &p, err, sizeof(err));
	if (rc < 0)
		fail_worker("load", err);
	if ((d = cmm_device_file_open(devpath, true, dev_key(), err,
	    sizeof(err))) == NULL)
		fail_worker("device", err);
	p.incarnation++;
	for (uint32_t e = p.epoch + 1;; e++) {
		/* the accept of instance e: promise, accepted value and the
		 * attempt used, one write */
		sh->step = S_ACCEPT;
		p.promised = ballot_of(e);
		p.accepted = ballot_of(e);
		members_of(e, &p.value);
		p.next_attempt = cmm_ballot_attempt(ballot_of(e)) + 1;
		if (cmm_state_save(dir, &p, err, sizeof(err)) < 0)
			fail_worker("save accept", err);
		sh->step = S_DEVICE;
		members_of(e, &cfg);
		st = dev_register(d, 0, e, &cfg, err, sizeof(err));
		if (st == CMM_DEV_OK)
			st = dev_register(d, 1 + (int)(e % 7), e, &cfg, err,
			    sizeof(err));
		if (st != CMM_DEV_OK)
			fail_worker("register", err);
		snprintf(line, sizeof(line), "%" PRIu32 "\n", e);
		if (plant && write(out, line, strlen(line)) < 0)
			_exit(4);
		/* chosen: the configuration, and the slot of the instance it
		 * decides cleared, in the same write */
		sh->step = S_COMMIT;
		p.epoch = e;
		p.members = p.value;
		p.promised = CMM_BALLOT_NONE;
		p.accepted = CMM_BALLOT_NONE;
		cmm_set_clear(&p.value);
		p.next_attempt = 0;
		if (cmm_state_save(dir, &p, err, sizeof(err)) < 0)
			fail_worker("save commit", err);
		sh->step = S_HISTORY;
		memset(&r, 0, sizeof(r));
		r.kind = CMM_HIST_COMMIT;
		r.epoch = e;
		r.members = p.members;
		r.time_ms = (int64_t)e;
		r.uid = -1;
		snprintf(r.reason, sizeof(r.reason), "crashdrv epoch %" PRIu32, e);
		if (cmm_history_append(dir, &r, err, sizeof(err)) < 0)
			fail_worker("history", err);
		/* persisted everywhere: only now may the commit be told */
		sh->step = S_ANNOUNCE;
		if (!plant && write(out, line, strlen(line)) < 0)
			_exit(4);
	}
}

struct hist_check {
	uint32_t	last;
	long		n;
	const char	*why;
	uint8_t		*seen;		/* bit per epoch */
	uint32_t	cap;
};

static int
hist_cb(void *arg, const struct cmm_hist_rec *r)
{
	struct hist_check *h = arg;
	struct cmm_set want;

	members_of(r->epoch, &want);
	if (r->kind != CMM_HIST_COMMIT || !cmm_set_eq(&r->members, &want))
		h->why = "a record holds what was never written";
	else if (h->n > 0 && r->epoch <= h->last)
		h->why = "history epochs do not rise";
	else if (r->epoch >= h->cap)
		h->why = "history epoch beyond anything committed";
	if (h->why != NULL)
		return 1;
	h->seen[r->epoch / 8] |= (uint8_t)(1u << (r->epoch % 8));
	h->last = r->epoch;
	h->n++;
	return 0;
}

static bool
seen(const struct hist_check *h, uint32_t e)
{
	return (h->seen[e / 8] >> (e % 8)) & 1;
}

/* Reads announcements from fd into *last (and the announced bitmap). */
static void
drain(int fd, char *acc, size_t *acclen, uint32_t *last, uint8_t *ann,
    uint32_t cap, long *announced)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (*acclen < 31)
					acc[(*acclen)++] = buf[i];
				continue;
			}
			acc[*acclen] = '\0';
			*acclen = 0;
			*last = (uint32_t)strtoul(acc, NULL, 10);
			if (*last < cap)
				ann[*last / 8] |= (uint8_t)(1u << (*last % 8));
			(*announced)++;
		}
	}
}

static void
sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#define CHECK_FAIL(...) do {						\
	fprintf(stdout, "FAIL kill %d (after %ld us, worker in %s): ", k,	\
	    delay, step_name[at]);					\
	fprintf(stdout, __VA_ARGS__);					\
	fputc('\n', stdout);						\
	return 1;							\
} while (0)

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "kills", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "max-us", required_argument, NULL, 'u' },
		{ "plant", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	enum { cap = 1u << 24 };	/* epochs tracked */
	static uint8_t ann[cap / 8], seen_bits[cap / 8];
	struct shared *sh;
	struct hist_check h;
	uint32_t last = 0, top = 0;
	long	kills = 100, maxus = 20000, announced = 0, warned = 0, empty = 0;
	long	at_step[S__COUNT] = { 0 }, delay = 0;
	uint64_t seed = (uint64_t)time(NULL);
	int	c, at = S_START;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 'k':
			kills = strtol(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'u':
			maxus = strtol(optarg, NULL, 10);
			break;
		case 'p':
			plant = true;
			break;
		default:
			fprintf(stderr, "usage: crashdrv --dir DIR [--kills N] "
			    "[--seed S] [--max-us U] [--plant]\n");
			return 2;
		}
	}
	if (dir[0] == '\0' || kills < 1 || maxus < 1) {
		fprintf(stderr, "crashdrv: --dir is required; kills and "
		    "max-us must be positive\n");
		return 2;
	}
	snprintf(devpath, sizeof(devpath), "%s/quorum.dev", dir);
	rng ^= seed * 0x9e3779b97f4a7c15ull;
	if (rng == 0)
		rng = 1;
	/* a line at a time: the verdict must reach the log however we end */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("crashdrv: dir %s, %ld kills, seed %" PRIu64 ", delay 0..%ld us\n",
	    dir, kills, seed, maxus);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h.seen = seen_bits;
	if (sh == MAP_FAILED) {
		perror("crashdrv");
		return 2;
	}
	for (int k = 1; k <= kills; k++) {
		struct cmm_persist p;
		struct cmm_device *d;
		struct cmm_devrec rec;
		char	err[512], warn[512], acc[32];
		size_t	acclen = 0;
		struct stat stt;
		int	pfd[2], status, rc;
		pid_t	pid;

		if (pipe2(pfd, O_CLOEXEC) < 0) {
			perror("crashdrv: pipe");
			return 2;
		}
		sh->step = S_START;
		fflush(stdout);
		if ((pid = fork()) < 0) {
			perror("crashdrv: fork");
			return 2;
		}
		if (pid == 0) {
			close(pfd[0]);
			worker(sh, pfd[1]);
		}
		close(pfd[1]);
		delay = (long)(rnd() % (uint64_t)maxus);
		sleep_us(delay);
		at = sh->step;
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) < 0) {
			perror("crashdrv: waitpid");
			return 2;
		}
		drain(pfd[0], acc, &acclen, &last, ann, cap, &announced);
		close(pfd[0]);
		if (at < 0 || at >= S__COUNT)
			at = S_START;
		at_step[at]++;
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			CHECK_FAIL("the worker exited by itself (status %d): "
			    "see its error above", status);

		/* the state */
		rc = cmm_state_load(dir, &p, err, sizeof(err));
		if (rc < 0)
			CHECK_FAIL("state does not load: %s", err);
		if (rc == 1 && last > 0)
			CHECK_FAIL("state file gone after epoch %u was "
			    "announced", last);
		if (rc == 0 && (p.epoch < last || p.epoch < top))
			CHECK_FAIL("state holds epoch %u, last announced %u, "
			    "state held %u before", p.epoch, last, top);
		if (rc == 0 && state_wrong(&p) != NULL)
			CHECK_FAIL("state at epoch %u: %s", p.epoch,
			    state_wrong(&p));
		if (rc == 0)
			top = p.epoch;

		/* the history */
		memset(h.seen, 0, cap / 8);
		h.last = 0;
		h.n = 0;
		h.why = NULL;
		h.cap = cap;
		rc = cmm_history_read(dir, hist_cb, &h, warn, sizeof(warn), err,
		    sizeof(err));
		if (rc < 0)
			CHECK_FAIL("history does not read: %s", err);
		if (h.why != NULL)
			CHECK_FAIL("history: %s (after epoch %u)", h.why, h.last);
		if (h.n > 0 && h.last > top)
			CHECK_FAIL("history holds epoch %u, the state only %u",
			    h.last, top);
		if (warn[0] != '\0')
			warned++;
		for (uint32_t e = 1; e <= last; e++)
			if (((ann[e / 8] >> (e % 8)) & 1) && !seen(&h, e))
				CHECK_FAIL("announced epoch %u is not in the "
				    "history", e);

		/* the device; a kill between its creation and its first
		 * record leaves it empty or blank ("not initialised"), which
		 * the next open initialises (create = true, as the daemon
		 * opens it) */
		if (stat(devpath, &stt) == 0 && stt.st_size == 0 && top == 0) {
			empty++;
		} else if (stat(devpath, &stt) == 0) {
			d = cmm_device_file_open(devpath, false, dev_key(), err,
			    sizeof(err));
			if (d == NULL && top == 0 &&
			    strstr(err, "not initialised") != NULL) {
				empty++;
				continue;
			}
			if (d == NULL)
				CHECK_FAIL("device does not open: %s", err);
			if (d->ops->read(d, &rec, err, sizeof(err)) != CMM_DEV_OK) {
				d->ops->close(d);
				CHECK_FAIL("device does not read: %s", err);
			}
			d->ops->close(d);
			if (stt.st_size != CMM_DEVFILE_SIZE)
				CHECK_FAIL("device file is %lld bytes",
				    (long long)stt.st_size);
			if (top > 0 && (rec.holder != 0 || rec.epoch < top ||
			    rec.epoch > top + 1))
				CHECK_FAIL("device reserved by %d for epoch %u, "
				    "committed %u", rec.holder, rec.epoch, top);
		} else if (last > 0)
			CHECK_FAIL("device file gone");
	}
	printf("crashdrv: %ld kills, %ld commits announced (last epoch %u), "
	    "%ld history records, %ld damaged-tail warnings, %ld new empty "
	    "device files; every state, history and device file loaded and "
	    "nothing announced was lost\n", kills, announced, last, h.n,
	    warned, empty);
	printf("crashdrv: the worker was killed in:");
	for (int i = 0; i < S__COUNT; i++)
		printf(" %s %ld", step_name[i], at_step[i]);
	printf("\n");
	return announced > 0 ? 0 : 1;
}
