/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for quorum/device.c and quorum/device_file.c: every rule of
 * cmm_devrec_apply() (REGISTER, FENCE, PROMISE, ACCEPT; docs/PROTOCOL.md,
 * "14. Quorum devices and fencing") as one table of cases run identically
 * against the in-memory and the file backend, then the file backend on its
 * own: layout, the two slots, short, corrupt, blank and version 1 and 2
 * files, the rewrite of `cmm check`, its OFD lock across processes,
 * records authenticated with a key (one written with another key reads as
 * CORRUPT), and no symlink followed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "quorum/device.h"
#include "quorum/device_file.h"
#include "src/node/devkey.h"
#include "tests/unit/fixture.h"

/* cmm_ballot_make() as a constant expression, for the tables */
#define B(a, c)		((((cmm_ballot)(a) + 1) << 16) | (cmm_ballot)(c))

#define REC		CMM_DEVFILE_RECSIZE
#define FULL		CMM_DEVFILE_SIZE
#define OFF_VERSION	8
#define OFF_SIZE	12
#define OFF_GEN		16
#define OFF_HOLDER	24
#define OFF_EPOCH	28
#define OFF_CONFIG	56
#define OFF_REG		440
#define OFF_TAG		(REC - 16)	/* keyed BLAKE2b-128 */

#define BAD_TAG	"bad tag (written with another cluster key, or damaged)"

static char tmpdir[64];
static int file_seq;
/* the records' key (test_file_auth uses others): set up in main */
static struct cmm_devfile_key tkey;

/* A fresh path in the test's temporary directory. */
static void
new_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/dev%d", tmpdir, file_seq++);
}

/* ---- backends under test, each giving a fresh, empty device ---- */

static struct cmm_device *
open_mem(void)
{
	struct cmm_device *d = cmm_device_mem_new();

	assert_non_null(d);
	return d;
}

static struct cmm_device *
open_file(void)
{
	char path[128], err[256];
	struct cmm_device *d;

	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	return d;
}

/* ---- operations ---- */

static struct cmm_devop
mkop(enum cmm_dev_op op, int node, uint32_t epoch, cmm_ballot b,
    const char *set, const char *departed)
{
	struct cmm_devop o;

	memset(&o, 0, sizeof(o));
	o.op = op;
	o.node = node;
	o.epoch = epoch;
	o.ballot = b;
	o.set = fx_set(set);
	o.departed = fx_set(departed);
	return o;
}

static enum cmm_dev_status
dev_apply(struct cmm_device *d, const struct cmm_devop *op,
    struct cmm_devres *res, char *err, size_t errlen)
{
	err[0] = 'x';	/* the backend must say something or clear it */
	err[1] = '\0';
	return d->ops->apply(d, op, res, err, (unsigned)errlen);
}

static enum cmm_dev_status
dev_reg(struct cmm_device *d, int node, uint32_t epoch, const char *config)
{
	struct cmm_devop op = mkop(CMM_DEVOP_REGISTER, node, epoch, 0, config,
	    NULL);
	struct cmm_devres res;
	char err[256];

	return dev_apply(d, &op, &res, err, sizeof(err));
}

static struct cmm_devrec
dev_read(struct cmm_device *d)
{
	struct cmm_devrec r;
	char err[256];

	if (d->ops->read(d, &r, err, sizeof(err)) != CMM_DEV_OK)
		fail_msg("read: %s", err);
	return r;
}

static bool
rec_eq(const struct cmm_devrec *a, const struct cmm_devrec *b)
{
	return cmm_set_eq(&a->registered, &b->registered) &&
	    memcmp(a->reg_epoch, b->reg_epoch, sizeof(a->reg_epoch)) == 0 &&
	    memcmp(a->fence_epoch, b->fence_epoch, sizeof(a->fence_epoch)) == 0 &&
	    a->holder == b->holder && a->epoch == b->epoch &&
	    cmm_set_eq(&a->config, &b->config) &&
	    a->committed_epoch == b->committed_epoch &&
	    cmm_set_eq(&a->committed, &b->committed) &&
	    a->slot_instance == b->slot_instance &&
	    a->slot_promised == b->slot_promised &&
	    a->slot_accepted == b->slot_accepted &&
	    cmm_set_eq(&a->slot_value, &b->slot_value);
}

/* "0@3 2@4" into a per-node array */
static void
epochs_of(const char *text, uint32_t *ep)
{
	int n, id, used;
	unsigned e;

	memset(ep, 0, CMM_MAX_NODES * sizeof(*ep));
	for (; text != NULL && *text != '\0'; text += used) {
		n = sscanf(text, " %d@%u%n", &id, &e, &used);
		if (n != 2 || id < 0 || id >= CMM_MAX_NODES)
			fail_msg("bad epoch list \"%s\" in the test", text);
		ep[id] = e;
	}
}

/* ---- the rule table ---- */

struct step {
	enum cmm_dev_op		op;
	int			node;
	uint32_t		epoch;		/* slot: instance */
	cmm_ballot		ballot;
	const char		*set;		/* configuration / value */
	const char		*departed;
	enum cmm_dev_status	want;
	const char		*stale;		/* FENCE: res.stale */
};

struct expect {
	const char	*registered;
	const char	*reg;		/* "0@3 1@3" */
	const char	*fence;
	int		holder;
	uint32_t	epoch;
	const char	*config;
	uint32_t	committed_epoch;
	const char	*committed;
	uint32_t	inst;
	cmm_ballot	promised, accepted;
	const char	*value;
};

struct dcase {
	const char	*name;
	struct step	steps[8];	/* until op 0 */
	struct expect	want;
};

#define REG(n, e, s, st)	{ CMM_DEVOP_REGISTER, n, e, 0, s, NULL, st, NULL }
#define FEN(by, d, e, s, st, stale) \
				{ CMM_DEVOP_FENCE, by, e, 0, s, d, st, stale }
#define PRO(n, i, b, st)	{ CMM_DEVOP_PROMISE, n, i, b, NULL, NULL, st, NULL }
#define ACC(n, i, b, v, st)	{ CMM_DEVOP_ACCEPT, n, i, b, v, NULL, st, NULL }
#define OK	CMM_DEV_OK
#define CONFLICT CMM_DEV_CONFLICT
#define STALE	CMM_DEV_STALE
#define REFUSED	CMM_DEV_REFUSED
#define NACK	CMM_DEV_NACK
#define OLD	CMM_DEV_OLD
/* a device nobody touched */
#define FRESH	{ .holder = -1 }

static const struct dcase cases[] = {
	/* REGISTER */
	{ "register: the first registration takes the reservation",
	  { REG(1, 3, "0-1", OK) },
	  { "1", "1@3", "", 1, 3, "0-1", 3, "0-1", 0, 0, 0, NULL } },
	{ "register: a fellow member of the epoch keeps the first holder",
	  { REG(0, 3, "0-1", OK), REG(1, 3, "0-1", OK), REG(1, 3, "0-1", OK) },
	  { "0-1", "0@3 1@3", "", 0, 3, "0-1", 3, "0-1", 0, 0, 0, NULL } },
	{ "register: two configurations for one epoch",
	  { REG(0, 3, "0-1", OK), REG(1, 3, "1-2", CONFLICT) },
	  { "0", "0@3", "", 0, 3, "0-1", 3, "0-1", 0, 0, 0, NULL } },
	{ "register: a newer epoch takes the reservation and the commit",
	  { REG(0, 3, "0-1", OK), REG(1, 5, "1-2", OK) },
	  { "0-1", "0@3 1@5", "", 1, 5, "1-2", 5, "1-2", 0, 0, 0, NULL } },
	{ "register: below the reservation epoch it only registers",
	  { REG(0, 5, "0-2", OK), REG(2, 4, "2", OK), REG(0, 4, "0-2", OK) },
	  { "0,2", "0@5 2@4", "", 0, 5, "0-2", 5, "0-2", 0, 0, 0, NULL } },
	{ "register: refused below the fence that removed the node",
	  { REG(0, 3, "0-2", OK), REG(2, 3, "0-2", OK),
	    FEN(0, "2", 4, "0-1", OK, NULL), REG(2, 3, "0-2", REFUSED),
	    REG(2, 3, "0-1", REFUSED), REG(2, 4, "0-1", OK) },
	  { "0,2", "0@3 2@4", "2@4", 0, 4, "0-1", 4, "0-1", 0, 0, 0, NULL } },
	{ "register: epoch 0 is no configuration",
	  { REG(0, 0, "0", CONFLICT) }, FRESH },
	{ "register: the highest node id",
	  { REG(CMM_MAX_NODES - 1, 2, "1023", OK) },
	  { "1023", "1023@2", "", 1023, 2, "1023", 2, "1023", 0, 0, 0, NULL } },

	/* FENCE */
	{ "fence: the departed lose their registration, the fencer holds",
	  { REG(0, 3, "0-3", OK), REG(1, 3, "0-3", OK), REG(2, 3, "0-3", OK),
	    REG(3, 3, "0-3", OK), FEN(0, "2-3,9", 4, "0-1", OK, NULL) },
	  { "0-1", "0@3 1@3", "2@4 3@4 9@4", 0, 4, "0-1", 4, "0-1", 0, 0, 0,
	    NULL } },
	{ "fence: below the reservation epoch",
	  { REG(1, 5, "1", OK), FEN(0, "1", 4, "0", CONFLICT, NULL) },
	  { "1", "1@5", "", 1, 5, "1", 5, "1", 0, 0, 0, NULL } },
	{ "fence: the same epoch with another configuration",
	  { REG(0, 3, "0-2", OK), REG(1, 3, "0-2", OK), REG(2, 3, "0-2", OK),
	    FEN(1, "0", 4, "1-2", OK, NULL),
	    FEN(0, "1-2", 4, "0", CONFLICT, NULL) },
	  { "1-2", "1@3 2@3", "0@4", 1, 4, "1-2", 4, "1-2", 0, 0, 0, NULL } },
	{ "fence: a fellow member of the epoch keeps the first holder",
	  { REG(0, 3, "0-2", OK), REG(1, 3, "0-2", OK), REG(2, 3, "0-2", OK),
	    FEN(1, "2", 4, "0-1", OK, NULL), FEN(0, "2", 4, "0-1", OK, NULL) },
	  { "0-1", "0@3 1@3", "2@4", 1, 4, "0-1", 4, "0-1", 0, 0, 0, NULL } },
	{ "fence: a late fence leaves a re-admitted node (stale)",
	  { REG(0, 3, "0-2", OK), REG(1, 3, "0-2", OK), REG(2, 3, "0-2", OK),
	    FEN(0, "2", 4, "0-1", OK, NULL), REG(2, 5, "1-2", OK),
	    FEN(1, "0,2", 5, "1-2", STALE, "2") },
	  { "1-2", "1@3 2@5", "0@5 2@4", 2, 5, "1-2", 5, "1-2", 0, 0, 0,
	    NULL } },
	{ "fence: on a fresh device, of a node never registered",
	  { FEN(0, "1", 2, "0", OK, NULL) },
	  { "-", "", "1@2", 0, 2, "0", 2, "0", 0, 0, 0, NULL } },
	{ "fence: a newer epoch takes the reservation over",
	  { REG(1, 3, "1", OK), FEN(0, "1", 5, "0", OK, NULL) },
	  { "-", "", "1@5", 0, 5, "0", 5, "0", 0, 0, 0, NULL } },
	{ "fence: epoch 0 is no configuration",
	  { FEN(0, "1", 0, "0", CONFLICT, NULL) }, FRESH },

	/* PROMISE */
	{ "promise: the first promise of an instance",
	  { PRO(0, 1, B(0, 0), OK) },
	  { .holder = -1, .inst = 1, .promised = B(0, 0) } },
	{ "promise: only above the promised ballot",
	  { PRO(0, 4, B(1, 0), OK), PRO(1, 4, B(1, 0), NACK),
	    PRO(1, 4, B(0, 1), NACK), PRO(1, 4, B(1, 1), OK) },
	  { .holder = -1, .inst = 4, .promised = B(1, 1) } },
	{ "promise: an instance the device knows committed is old",
	  { REG(0, 3, "0-1", OK), PRO(1, 3, B(0, 1), OLD),
	    PRO(1, 2, B(0, 1), OLD), PRO(1, 4, B(0, 1), OK) },
	  { "0", "0@3", "", 0, 3, "0-1", 3, "0-1", 4, B(0, 1), 0, NULL } },
	{ "promise: below the slot's instance is old",
	  { PRO(0, 5, B(0, 0), OK), PRO(1, 4, B(3, 1), OLD) },
	  { .holder = -1, .inst = 5, .promised = B(0, 0) } },
	{ "promise: a higher instance resets the slot",
	  { ACC(0, 4, B(2, 0), "0-1", OK), PRO(1, 5, B(0, 1), OK) },
	  { .holder = -1, .inst = 5, .promised = B(0, 1) } },
	{ "promise: above an accepted ballot keeps the value",
	  { ACC(0, 4, B(1, 0), "0", OK), PRO(1, 4, B(2, 1), OK) },
	  { .holder = -1, .inst = 4, .promised = B(2, 1),
	    .accepted = B(1, 0), .value = "0" } },
	{ "promise: ballot none",
	  { PRO(0, 1, CMM_BALLOT_NONE, CONFLICT) }, FRESH },

	/* ACCEPT */
	{ "accept: on a fresh slot",
	  { ACC(0, 4, B(0, 0), "0-1", OK) },
	  { .holder = -1, .inst = 4, .promised = B(0, 0),
	    .accepted = B(0, 0), .value = "0-1" } },
	{ "accept: a ballot not below the promise",
	  { PRO(0, 4, B(1, 0), OK), ACC(0, 4, B(1, 0), "0", OK),
	    ACC(1, 4, B(0, 1), "1", NACK), ACC(1, 4, B(2, 1), "1", OK) },
	  { .holder = -1, .inst = 4, .promised = B(2, 1),
	    .accepted = B(2, 1), .value = "1" } },
	{ "accept: committed and lower instances are old",
	  { REG(0, 3, "0-1", OK), ACC(1, 3, B(0, 1), "1", OLD),
	    PRO(0, 6, B(0, 0), OK), ACC(1, 5, B(9, 1), "1", OLD) },
	  { "0", "0@3", "", 0, 3, "0-1", 3, "0-1", 6, B(0, 0), 0, NULL } },
	{ "accept: a higher instance resets the slot, then accepts",
	  { PRO(0, 4, B(5, 0), OK), ACC(1, 5, B(0, 1), "1", OK) },
	  { .holder = -1, .inst = 5, .promised = B(0, 1),
	    .accepted = B(0, 1), .value = "1" } },
	{ "accept: ballot none",
	  { ACC(0, 1, CMM_BALLOT_NONE, "0", CONFLICT) }, FRESH },

	{ "an unknown operation",
	  { { (enum cmm_dev_op)99, 0, 1, B(0, 0), "0", NULL, CONFLICT, NULL } },
	  FRESH },
};

/* One step: its status, res as the record after it, no change unless OK
 * or STALE, the stale set of a FENCE. */
static void
run_step(struct cmm_device *d, const struct dcase *c, int k)
{
	const struct step *s = &c->steps[k];
	struct cmm_devop op = mkop(s->op, s->node, s->epoch, s->ballot, s->set,
	    s->departed);
	struct cmm_devrec before = dev_read(d), after;
	struct cmm_set stale = fx_set(s->stale);
	struct cmm_devres res;
	char err[256];
	enum cmm_dev_status st = dev_apply(d, &op, &res, err, sizeof(err));

	if (st != s->want || res.status != st)
		fail_msg("%s, step %d: %s (res %s), want %s (%s)", c->name, k,
		    cmm_dev_status_name(st), cmm_dev_status_name(res.status),
		    cmm_dev_status_name(s->want), err);
	assert_string_equal(err, "");
	after = dev_read(d);
	if (st != OK && st != STALE && !rec_eq(&before, &after))
		fail_msg("%s, step %d: refused, but the record changed", c->name,
		    k);
	if (res.slot_instance != after.slot_instance ||
	    res.slot_promised != after.slot_promised ||
	    res.slot_accepted != after.slot_accepted ||
	    !cmm_set_eq(&res.slot_value, &after.slot_value) ||
	    res.committed_epoch != after.committed_epoch ||
	    !cmm_set_eq(&res.committed, &after.committed) ||
	    res.epoch != after.epoch)
		fail_msg("%s, step %d: res is not the record after the op",
		    c->name, k);
	if (!cmm_set_eq(&res.stale, &stale))
		fail_msg("%s, step %d: wrong stale set", c->name, k);
}

static void
expect_set(const struct dcase *c, const char *what, const struct cmm_set *got,
    const char *want)
{
	struct cmm_set w = fx_set(want);
	char g[256];

	if (!cmm_set_eq(got, &w)) {
		cmm_set_format(got, g, sizeof(g));
		fail_msg("%s: %s is %s, want %s", c->name, what, g,
		    want != NULL ? want : "-");
	}
}

static void
expect_epochs(const struct dcase *c, const char *what, const uint32_t *got,
    const char *want)
{
	static uint32_t w[CMM_MAX_NODES];

	epochs_of(want, w);
	for (int i = 0; i < CMM_MAX_NODES; i++)
		if (got[i] != w[i])
			fail_msg("%s: %s[%d] is %u, want %u", c->name, what, i,
			    got[i], w[i]);
}

static void
expect_u64(const struct dcase *c, const char *what, uint64_t got,
    uint64_t want)
{
	if (got != want)
		fail_msg("%s: %s is %llu, want %llu", c->name, what,
		    (unsigned long long)got, (unsigned long long)want);
}

/* The whole record against the case's expectation. */
static void
expect_rec(struct cmm_device *d, const struct dcase *c)
{
	const struct expect *w = &c->want;
	struct cmm_devrec r = dev_read(d);

	expect_set(c, "registered", &r.registered, w->registered);
	expect_epochs(c, "reg_epoch", r.reg_epoch, w->reg);
	expect_epochs(c, "fence_epoch", r.fence_epoch, w->fence);
	expect_u64(c, "holder", (uint64_t)(int64_t)r.holder,
	    (uint64_t)(int64_t)w->holder);
	expect_u64(c, "epoch", r.epoch, w->epoch);
	expect_set(c, "config", &r.config, w->config);
	expect_u64(c, "committed_epoch", r.committed_epoch, w->committed_epoch);
	expect_set(c, "committed", &r.committed, w->committed);
	expect_u64(c, "slot_instance", r.slot_instance, w->inst);
	expect_u64(c, "slot_promised", r.slot_promised, w->promised);
	expect_u64(c, "slot_accepted", r.slot_accepted, w->accepted);
	expect_set(c, "slot_value", &r.slot_value, w->value);
	/* the invariant device.h states */
	for (int i = 0; i < CMM_MAX_NODES; i++)
		if (cmm_set_has(&r.registered, i) != (r.reg_epoch[i] != 0))
			fail_msg("%s: registered and reg_epoch disagree on %d",
			    c->name, i);
}

static void
run_table(struct cmm_device *(*mk)(void))
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmm_device *d = mk();

		expect_rec(d, &(const struct dcase){ "fresh", { { 0 } },
		    FRESH });
		for (int k = 0; cases[i].steps[k].op != 0; k++)
			run_step(d, &cases[i], k);
		expect_rec(d, &cases[i]);
		d->ops->close(d);
	}
}

/* An id the record cannot hold: the backend says IO, with a reason. */
static void
run_bad_ids(struct cmm_device *(*mk)(void))
{
	static const int bad[] = { -1, -5, CMM_MAX_NODES, 1 << 20 };
	struct cmm_device *d = mk();
	struct cmm_devrec before = dev_read(d), after;

	assert_int_equal(dev_reg(d, 0, 2, "0"), OK);
	before = dev_read(d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (enum cmm_dev_op o = CMM_DEVOP_REGISTER; o <= CMM_DEVOP_ACCEPT;
		    o++) {
			struct cmm_devop op = mkop(o, bad[i], 9, B(0, 0), "0",
			    "0");
			struct cmm_devres res;
			char err[256];

			assert_int_equal(dev_apply(d, &op, &res, err,
			    sizeof(err)), CMM_DEV_IO);
			assert_int_equal(res.status, CMM_DEV_IO);
			fx_assert_contains(err, "out of range");
			assert_null(strchr(err, '\n'));
		}
	}
	after = dev_read(d);
	assert_true(rec_eq(&before, &after));
	assert_string_equal(d->ops->name, mk == open_mem ? "mem" : "file");
	d->ops->close(d);
}

static void
test_table_mem(void **state)
{
	(void)state;
	run_table(open_mem);
	run_bad_ids(open_mem);
}

static void
test_table_file(void **state)
{
	(void)state;
	run_table(open_file);
	run_bad_ids(open_file);
}

/* The rule function straight on a record: what backends cannot reach. */
static void
test_devrec_rules(void **state)
{
	struct cmm_devrec r, before;
	struct cmm_devres res;
	struct cmm_devop op = mkop(CMM_DEVOP_REGISTER, CMM_MAX_NODES, 1, 0, "0",
	    NULL);

	(void)state;
	cmm_devrec_init(&r);
	assert_int_equal(r.holder, -1);
	assert_int_equal(r.epoch, 0);
	assert_int_equal(r.committed_epoch, 0);
	assert_int_equal(r.slot_instance, 0);
	assert_true(cmm_set_empty(&r.registered));
	/* a bad id is the rule's CONFLICT; res still describes the record */
	before = r;
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_CONFLICT);
	assert_int_equal(res.status, CMM_DEV_CONFLICT);
	assert_int_equal(res.epoch, 0);
	assert_int_equal(res.slot_instance, 0);
	assert_true(cmm_set_empty(&res.stale));
	assert_true(cmm_set_empty(&res.committed));
	op.node = -1;
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_CONFLICT);
	assert_true(rec_eq(&before, &r));
	/* an OLD answer tells a lagging partner what it missed */
	op = mkop(CMM_DEVOP_FENCE, 0, 7, 0, "0,5", "1");
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_OK);
	op = mkop(CMM_DEVOP_PROMISE, 1, 7, B(0, 1), NULL, NULL);
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_OLD);
	assert_int_equal(res.committed_epoch, 7);
	assert_true(cmm_set_eq(&res.committed, &(struct cmm_set){ .w = { 0x21 } }));
	assert_int_equal(res.epoch, 7);

	/* hand-made records no sequence of operations reaches: an
	 * unreserved device with an epoch is taken at any epoch, without a
	 * conflict, and a fence epoch never falls */
	cmm_devrec_init(&r);
	r.epoch = 5;
	cmm_set_add(&r.config, 1);
	op = mkop(CMM_DEVOP_REGISTER, 0, 5, 0, "0", NULL);
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_OK);
	assert_int_equal(r.holder, 0);
	assert_true(cmm_set_eq(&r.config, &op.set));
	cmm_devrec_init(&r);
	r.epoch = 5;
	op = mkop(CMM_DEVOP_REGISTER, 2, 3, 0, "2", NULL);
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_OK);
	assert_int_equal(r.holder, 2);
	assert_int_equal(r.epoch, 3);
	r.fence_epoch[1] = 9;
	op = mkop(CMM_DEVOP_FENCE, 2, 4, 0, "2", "1");
	assert_int_equal(cmm_devrec_apply(&r, &op, &res), CMM_DEV_OK);
	assert_int_equal(r.fence_epoch[1], 9);

	assert_string_equal(cmm_dev_status_name(CMM_DEV_OK), "ok");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_CONFLICT), "conflict");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_IO), "io");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_CORRUPT), "corrupt");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_STALE), "stale");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_REFUSED), "refused");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_NACK), "nack");
	assert_string_equal(cmm_dev_status_name(CMM_DEV_OLD), "old");
	assert_string_equal(cmm_dev_status_name((enum cmm_dev_status)42), "?");
	assert_int_equal(CMM_DEV__COUNT, CMM_DEV_OLD + 1);
	assert_string_equal(cmm_dev_op_name(CMM_DEVOP_REGISTER), "register");
	assert_string_equal(cmm_dev_op_name(CMM_DEVOP_FENCE), "fence");
	assert_string_equal(cmm_dev_op_name(CMM_DEVOP_PROMISE), "promise");
	assert_string_equal(cmm_dev_op_name(CMM_DEVOP_ACCEPT), "accept");
	assert_string_equal(cmm_dev_op_name((enum cmm_dev_op)0), "?");
}

/* Ballots order by attempt, then coordinator, above "none". */
static void
test_ballots(void **state)
{
	(void)state;
	assert_true(cmm_ballot_make(0, 0) == B(0, 0));
	assert_true(cmm_ballot_make(7, 1023) == B(7, 1023));
	assert_true(CMM_BALLOT_NONE < cmm_ballot_make(0, 0));
	assert_true(cmm_ballot_make(0, 5) < cmm_ballot_make(1, 0));
	assert_true(cmm_ballot_make(1, 2) < cmm_ballot_make(1, 3));
	assert_int_equal(cmm_ballot_attempt(B(7, 3)), 7);
	assert_int_equal(cmm_ballot_coord(B(7, 3)), 3);
	assert_int_equal(cmm_ballot_attempt(CMM_BALLOT_NONE), 0);
	assert_int_equal(cmm_ballot_coord(CMM_BALLOT_NONE), -1);
	assert_int_equal(cmm_ballot_attempt(cmm_ballot_make(
	    CMM_BALLOT_MAX_ATTEMPT, 9)), CMM_BALLOT_MAX_ATTEMPT);
}

/* ---- the file backend on its own ---- */

/* Overwrites len bytes at off of the file at path. */
static void
poke(const char *path, off_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void
peek(const char *path, off_t off, void *bytes, size_t len)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

/* The whole file, for "nothing changed" checks. */
static size_t
slurp(const char *path, unsigned char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

static uint64_t
be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
slot_gen(const char *path, int slot)
{
	unsigned char b[8];

	peek(path, (off_t)slot * REC + OFF_GEN, b, 8);
	return be64(b);
}

static void
test_file_open(void **state)
{
	char path[128], err[256];
	struct cmm_device *d, *d2;
	struct stat st;

	(void)state;
	new_path(path, sizeof(path));
	/* absent without create: a one-line error naming the file */
	assert_null(cmm_device_file_open(path, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, path);
	fx_assert_contains(err, "No such file");
	/* empty without create: not a device */
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_null(cmm_device_file_open(path, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, "empty file");
	/* empty with create: initialised to a full file */
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, FULL);
	assert_int_equal(dev_reg(d, 4, 8, "4"), OK);
	d->ops->close(d);
	/* create never overwrites a record that is there */
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(dev_read(d).holder, 4);
	/* two handles see each other's changes */
	d2 = cmm_device_file_open(path, false, &tkey, err, sizeof(err));
	assert_non_null(d2);
	assert_int_equal(dev_reg(d2, 5, 9, "5"), OK);
	assert_int_equal(dev_read(d).holder, 5);
	assert_int_equal(dev_read(d).epoch, 9);
	assert_int_equal(dev_reg(d, 4, 9, "4"), CONFLICT);
	d2->ops->close(d2);
	d->ops->close(d);
	/* a directory is refused */
	assert_null(cmm_device_file_open(tmpdir, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, tmpdir);
	assert_null(cmm_device_file_open("", true, &tkey, err, sizeof(err)));
}

/* The on-disk layout is fixed: big-endian, two slots written in turn. */
static void
test_file_format(void **state)
{
	char path[128], err[256];
	unsigned char b[8], zero[REC], s0[REC], s1[REC];
	static unsigned char before[FULL + 1], after[FULL + 1];
	struct cmm_device *d;
	struct cmm_devop op;
	struct cmm_devres res;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	peek(path, 0, b, 8);
	assert_memory_equal(b, "CMMQDEV", 8);
	peek(path, OFF_VERSION, b, 8);
	assert_memory_equal(b, "\x00\x00\x00\x03\x00\x00\x22\x00", 8);
	/* a new file: slot A at generation 0, slot B still zero */
	assert_int_equal(slot_gen(path, 0), 0);
	memset(zero, 0, sizeof(zero));
	peek(path, REC, s1, REC);
	assert_memory_equal(s1, zero, REC);

	/* the first change goes to slot B, the next to slot A */
	assert_int_equal(dev_reg(d, 258, 0x01020304, "258"), OK);
	assert_int_equal(slot_gen(path, 1), 1);
	assert_int_equal(slot_gen(path, 0), 0);
	peek(path, REC + OFF_HOLDER, b, 8);
	assert_memory_equal(b, "\x00\x00\x01\x02\x01\x02\x03\x04", 8);
	peek(path, REC + OFF_REG + 4 * 258, b, 4);
	assert_memory_equal(b, "\x01\x02\x03\x04", 4);
	/* node 258 is bit 2 of the fifth big-endian word of the set */
	peek(path, REC + OFF_CONFIG + 8 * 4, b, 8);
	assert_memory_equal(b, "\x00\x00\x00\x00\x00\x00\x00\x04", 8);
	assert_int_equal(dev_reg(d, 1, 0x01020304, "258"), OK);
	assert_int_equal(slot_gen(path, 0), 2);
	assert_int_equal(slot_gen(path, 1), 1);

	/* refused, or changing nothing: the file stays byte for byte */
	assert_int_equal(slurp(path, before, sizeof(before)), FULL);
	assert_int_equal(dev_reg(d, 1, 0x01020304, "7"), CONFLICT);
	op = mkop(CMM_DEVOP_PROMISE, 1, 0x01020304, B(0, 1), NULL, NULL);
	assert_int_equal(dev_apply(d, &op, &res, err, sizeof(err)), OLD);
	assert_int_equal(dev_reg(d, 1, 0x01020304, "258"), OK);
	assert_int_equal(slurp(path, after, sizeof(after)), FULL);
	assert_memory_equal(before, after, FULL);

	/* the rewrite of `cmm check`: same record, next generation, other
	 * slot */
	assert_int_equal(cmm_device_file_rewrite(d, err, sizeof(err)), OK);
	assert_string_equal(err, "");
	assert_int_equal(slot_gen(path, 1), 3);
	peek(path, 0, s0, REC);
	peek(path, REC, s1, REC);
	assert_memory_equal(s0 + OFF_HOLDER, s1 + OFF_HOLDER,
	    OFF_TAG - OFF_HOLDER);
	assert_memory_not_equal(s0 + OFF_TAG, s1 + OFF_TAG, 16);
	d->ops->close(d);

	d = open_mem();
	assert_int_equal(cmm_device_file_rewrite(d, err, sizeof(err)),
	    CMM_DEV_IO);
	fx_assert_contains(err, "not a file device");
	d->ops->close(d);
}

/* Every operation on a damaged file says CORRUPT and changes nothing. */
static void
expect_corrupt(struct cmm_device *d, const char *path, const char *reason)
{
	static unsigned char before[FULL + 1], after[FULL + 1];
	size_t n = slurp(path, before, sizeof(before));
	struct cmm_devrec r;
	char err[256];

	assert_int_equal(d->ops->read(d, &r, err, sizeof(err)), CMM_DEV_CORRUPT);
	fx_assert_contains(err, reason);
	fx_assert_contains(err, path);
	for (enum cmm_dev_op o = CMM_DEVOP_REGISTER; o <= CMM_DEVOP_ACCEPT; o++) {
		struct cmm_devop op = mkop(o, 1, 99, B(0, 1), "1", "2");
		struct cmm_devres res;

		assert_int_equal(dev_apply(d, &op, &res, err, sizeof(err)),
		    CMM_DEV_CORRUPT);
		assert_int_equal(res.status, CMM_DEV_CORRUPT);
		fx_assert_contains(err, reason);
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(cmm_device_file_rewrite(d, err, sizeof(err)),
	    CMM_DEV_CORRUPT);
	fx_assert_contains(err, reason);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
}

/* Opening fails with reason, with and without create, file untouched. */
static void
expect_open_fails(const char *path, const char *reason)
{
	static unsigned char before[FULL + 1], after[FULL + 1];
	size_t n = slurp(path, before, sizeof(before));
	char err[256];

	assert_null(cmm_device_file_open(path, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, reason);
	fx_assert_contains(err, path);
	assert_null(cmm_device_file_open(path, true, &tkey, err, sizeof(err)));
	fx_assert_contains(err, reason);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
}

/* A device at generation 2 (two registrations), its path in path. */
static struct cmm_device *
used_device(char *path, size_t len)
{
	char err[256];
	struct cmm_device *d;

	new_path(path, len);
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(dev_reg(d, 0, 3, "0-2"), OK);	/* slot B, gen 1 */
	assert_int_equal(dev_reg(d, 1, 3, "0-2"), OK);	/* slot A, gen 2 */
	return d;
}

static void
test_file_corrupt(void **state)
{
	char path[128];
	struct cmm_device *d;

	(void)state;
	/* one flipped bit in both copies: the tag */
	d = used_device(path, sizeof(path));
	poke(path, OFF_REG + 4, "\x80", 1);
	poke(path, REC + OFF_REG + 4, "\x80", 1);
	expect_corrupt(d, path, BAD_TAG " (both copies)");
	d->ops->close(d);
	expect_open_fails(path, BAD_TAG);

	/* torn or truncated file: never re-initialised */
	d = used_device(path, sizeof(path));
	assert_int_equal(truncate(path, 100), 0);
	expect_corrupt(d, path, "short record (100 of 17408 bytes)");
	d->ops->close(d);
	expect_open_fails(path, "short record");

	/* not a device at all */
	d = used_device(path, sizeof(path));
	poke(path, 0, "#!/bin/sh", 9);
	poke(path, REC, "#!/bin/sh", 9);
	expect_corrupt(d, path, "bad magic");
	d->ops->close(d);

	/* a future format version */
	d = used_device(path, sizeof(path));
	poke(path, OFF_VERSION, "\x00\x00\x00\x04", 4);
	poke(path, REC + OFF_VERSION, "\x00\x00\x00\x04", 4);
	expect_corrupt(d, path, "unsupported format version 4");
	d->ops->close(d);

	/* version 2: the unkeyed checksum anyone could forge */
	d = used_device(path, sizeof(path));
	poke(path, OFF_VERSION, "\x00\x00\x00\x02", 4);
	poke(path, REC + OFF_VERSION, "\x00\x00\x00\x02", 4);
	expect_corrupt(d, path, "unsupported format version 2 "
	    "(unauthenticated records); re-create the device file");
	d->ops->close(d);

	/* two different reasons: both named */
	d = used_device(path, sizeof(path));
	poke(path, 0, "X", 1);
	poke(path, REC + OFF_SIZE, "\x00\x00\x00\x01", 4);
	expect_corrupt(d, path, "slot A: bad magic (not a cmm quorum device); "
	    "slot B: bad record size");
	d->ops->close(d);
}

/* A version 1 file (512 bytes, no slot): refused clearly, never touched. */
static void
test_file_version1(void **state)
{
	unsigned char v1[512];
	char path[128];
	struct cmm_device *d;
	struct stat st;
	int fd;

	(void)state;
	memset(v1, 0, sizeof(v1));
	memcpy(v1, "CMMQDEV", 8);
	memcpy(v1 + 8, "\x00\x00\x00\x01\x00\x00\x02\x00", 8);
	memcpy(v1 + 16, "\xff\xff\xff\xff\x00\x00\x00\x05", 8);
	new_path(path, sizeof(path));
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, v1, sizeof(v1)), (ssize_t)sizeof(v1));
	close(fd);
	expect_open_fails(path, "unsupported format version 1; re-create the "
	    "device file");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 512);

	/* an open device replaced by a version 1 file says the same */
	d = used_device(path, sizeof(path));
	assert_int_equal(truncate(path, 0), 0);
	poke(path, 0, v1, sizeof(v1));
	expect_corrupt(d, path, "unsupported format version 1; re-create the "
	    "device file");
	d->ops->close(d);
}

/* A torn write damages only the slot being replaced: the other holds. */
static void
test_file_slots(void **state)
{
	char path[128];
	struct cmm_device *d;
	struct cmm_devrec r;

	(void)state;
	/* the newest copy (slot A, gen 2) torn: the one before it counts */
	d = used_device(path, sizeof(path));
	poke(path, 5000, "\x55", 1);
	r = dev_read(d);
	expect_set(&(struct dcase){ .name = "torn newest" }, "registered",
	    &r.registered, "0");
	/* the next write replaces the damaged copy, one generation up */
	assert_int_equal(dev_reg(d, 2, 3, "0-2"), OK);
	assert_int_equal(slot_gen(path, 0), 2);
	r = dev_read(d);
	expect_set(&(struct dcase){ .name = "after repair" }, "registered",
	    &r.registered, "0,2");
	/* now damage the older copy: the newest still reads */
	poke(path, REC + 5000, "\x55", 1);
	r = dev_read(d);
	expect_set(&(struct dcase){ .name = "torn older" }, "registered",
	    &r.registered, "0,2");
	d->ops->close(d);
}

/* A full-size file with slot B zero and slot A invalid was never used:
 * an interrupted creation, which create finishes. */
static void
test_file_blank(void **state)
{
	unsigned char head[100];
	char path[128], path2[128], err[256];
	struct cmm_device *d;
	int fd;

	(void)state;
	/* all zeros */
	new_path(path, sizeof(path));
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FULL), 0);
	close(fd);
	assert_null(cmm_device_file_open(path, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, "not initialised");
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(dev_read(d).holder, -1);
	d->ops->close(d);

	/* slot A written only in part */
	d = used_device(path2, sizeof(path2));
	d->ops->close(d);
	peek(path2, 0, head, sizeof(head));
	new_path(path, sizeof(path));
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FULL), 0);
	close(fd);
	poke(path, 0, head, sizeof(head));
	assert_null(cmm_device_file_open(path, false, &tkey, err, sizeof(err)));
	fx_assert_contains(err, "not initialised as a device (creation "
	    "interrupted; slot A: " BAD_TAG ")");
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(dev_reg(d, 1, 1, "1"), OK);
	d->ops->close(d);

	/* slot B not zero: a used device, corrupt, never re-initialised */
	d = used_device(path, sizeof(path));
	poke(path, 5000, "\x55", 1);
	poke(path, REC + 5000, "\x55", 1);
	d->ops->close(d);
	expect_open_fails(path, BAD_TAG " (both copies)");
}

/* Waits for pid, at most about ten seconds; returns its exit code. */
static int
reap(pid_t pid)
{
	int status;

	for (int i = 0; i < 10000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
		assert_true(r == 0 || errno == EINTR);
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fail_msg("child %d did not finish", (int)pid);
	return -1;
}

/* Child: open its own handle, wait for the start signal, register at
 * epoch for a configuration of its own. */
static void
race_child(const char *path, int start_fd, int node, uint32_t epoch)
{
	char err[256], go, set[16];
	struct cmm_device *d;
	enum cmm_dev_status s;

	alarm(20);	/* never outlive a broken test */
	d = cmm_device_file_open(path, false, &tkey, err, sizeof(err));
	if (d == NULL)
		_exit(3);
	if (read(start_fd, &go, 1) != 1)
		_exit(4);
	snprintf(set, sizeof(set), "%d", node);
	s = dev_reg(d, node, epoch, set);
	d->ops->close(d);
	_exit(s == CMM_DEV_OK ? 0 : s == CMM_DEV_CONFLICT ? 1 : 2);
}

/* Two processes register two configurations for one epoch: exactly one
 * wins, every time. */
static void
test_file_race_processes(void **state)
{
	char path[128], err[256];
	struct cmm_device *d;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	for (uint32_t epoch = 1; epoch <= 50; epoch++) {
		int pipefd[2], code[2], wins = 0, winner = -1;
		pid_t pid[2];
		struct cmm_devrec r;

		assert_int_equal(pipe(pipefd), 0);
		for (int k = 0; k < 2; k++) {
			pid[k] = fork();
			assert_true(pid[k] >= 0);
			if (pid[k] == 0) {
				close(pipefd[1]);
				race_child(path, pipefd[0], 10 + k, epoch);
			}
		}
		close(pipefd[0]);
		assert_int_equal(write(pipefd[1], "gg", 2), 2);
		close(pipefd[1]);
		for (int k = 0; k < 2; k++) {
			code[k] = reap(pid[k]);
			assert_true(code[k] == 0 || code[k] == 1);
			if (code[k] == 0) {
				wins++;
				winner = 10 + k;
			}
		}
		assert_int_equal(wins, 1);
		r = dev_read(d);
		assert_int_equal(r.holder, winner);
		assert_int_equal(r.epoch, epoch);
		assert_true(cmm_set_has(&r.config, winner));
		assert_int_equal(r.reg_epoch[winner], epoch);
	}
	d->ops->close(d);
}

/* A held OFD lock makes an operation wait; releasing it lets it finish. */
static void
test_file_lock_excludes(void **state)
{
	char path[128], err[256], done;
	struct cmm_device *d;
	struct flock fl;
	struct pollfd pfd;
	int fd, pipefd[2];
	pid_t pid;

	(void)state;
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, &tkey, err, sizeof(err));
	assert_non_null(d);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = FULL;
	assert_int_equal(fcntl(fd, F_OFD_SETLKW, &fl), 0);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		enum cmm_dev_status s;

		alarm(20);
		close(pipefd[0]);
		s = dev_reg(d, 3, 1, "3");
		_exit(write(pipefd[1], s == CMM_DEV_OK ? "k" : "x", 1) == 1 ?
		    0 : 1);
	}
	close(pipefd[1]);
	/* while we hold the lock the child cannot have finished */
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 300), 0);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(pipefd[0], &done, 1), 1);
	assert_int_equal(done, 'k');
	assert_int_equal(reap(pid), 0);
	close(pipefd[0]);
	close(fd);
	assert_int_equal(dev_read(d).holder, 3);
	d->ops->close(d);
}

static int
setup_dir(void **state)
{
	(void)state;
	return fx_tmpdir(tmpdir, sizeof(tmpdir), "device");
}

static int
teardown_dir(void **state)
{
	(void)state;
	return fx_tmpdir_remove(tmpdir);
}

/* Records are authenticated with the key: a device written with another
 * key (another cluster, or a forger without the key) reads as CORRUPT with
 * the reason, and is never overwritten; the same key reads it. */
static void
test_file_auth(void **state)
{
	char path[128], err[320], want[400];
	unsigned char dev[CMM_DEVFILE_KEY_LEN];
	static unsigned char before[FULL + 1], after[FULL + 1];
	struct cmm_devfile_key a, b;
	struct cmm_device *d, *d2;
	size_t n;

	(void)state;
	memset(dev, 0xa5, sizeof(dev));
	cmm_devkey_init(&a, dev);
	dev[31] ^= 1;		/* one bit of the key */
	cmm_devkey_init(&b, dev);
	new_path(path, sizeof(path));
	d = cmm_device_file_open(path, true, &a, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(dev_reg(d, 0, 3, "0-1"), OK);
	/* another key: neither open nor create believes or touches it */
	n = slurp(path, before, sizeof(before));
	snprintf(want, sizeof(want), "%s: corrupt: %s (both copies)", path,
	    BAD_TAG);
	assert_null(cmm_device_file_open(path, false, &b, err, sizeof(err)));
	assert_string_equal(err, want);
	assert_null(cmm_device_file_open(path, true, &b, err, sizeof(err)));
	assert_string_equal(err, want);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	/* the same key: the record is there */
	d2 = cmm_device_file_open(path, false, &a, err, sizeof(err));
	assert_non_null(d2);
	assert_int_equal(dev_read(d2).holder, 0);
	d2->ops->close(d2);
	/* the tag is the keyed BLAKE2b-128 of the rest of the slot */
	{
		unsigned char s[REC], tag[16];

		peek(path, REC, s, REC);	/* the registration's slot B */
		a.mac(tag, s, OFF_TAG, a.key);
		assert_memory_equal(tag, s + OFF_TAG, 16);
		b.mac(tag, s, OFF_TAG, b.key);
		assert_memory_not_equal(tag, s + OFF_TAG, 16);
	}
	/* no key at all is refused before the file is opened */
	memset(&b, 0, sizeof(b));
	assert_null(cmm_device_file_open(path, false, &b, err, sizeof(err)));
	fx_assert_contains(err, "no key to authenticate it");
	assert_null(cmm_device_file_open(path, false, NULL, err, sizeof(err)));
	d->ops->close(d);
}

/* A symlink at the device's path is not followed. */
static void
test_file_symlink(void **state)
{
	char path[128], target[140], err[320];

	(void)state;
	new_path(path, sizeof(path));
	snprintf(target, sizeof(target), "%s.target", path);
	assert_int_equal(close(open(target, O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_null(cmm_device_file_open(path, true, &tkey, err, sizeof(err)));
	fx_assert_contains(err, "Too many levels of symbolic links");
	{
		struct stat st;

		assert_int_equal(stat(target, &st), 0);
		assert_int_equal(st.st_size, 0);	/* not initialised */
	}
	/* the target is not a device file; the test removes what it made */
	assert_int_equal(unlink(target), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devrec_rules),
		cmocka_unit_test(test_ballots),
		cmocka_unit_test(test_table_mem),
		cmocka_unit_test(test_table_file),
		cmocka_unit_test(test_file_open),
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_file_corrupt),
		cmocka_unit_test(test_file_version1),
		cmocka_unit_test(test_file_slots),
		cmocka_unit_test(test_file_blank),
		cmocka_unit_test(test_file_race_processes),
		cmocka_unit_test(test_file_lock_excludes),
		cmocka_unit_test(test_file_auth),
		cmocka_unit_test(test_file_symlink),
	};

	cmm_devkey_init(&tkey, NULL);

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
