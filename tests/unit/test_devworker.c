/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/devworker.c: device operations on worker threads,
 * results back on the loop (never from inside submit), a time limit that
 * fails a request stuck behind a lock, and the late result reported as
 * late; the loop's reads (`devices`) bounded however long a device hangs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "quorum/device_file.h"
#include "src/node/devkey.h"
#include "src/node/devworker.h"

/* Device records are authenticated: one key for every handle here. */
static const struct cmm_devfile_key *
test_key(void)
{
	static struct cmm_devfile_key k;

	if (k.mac == NULL)
		cmm_devkey_init(&k, NULL);
	return &k;
}

struct result {
	uint32_t		id;
	struct cmm_devres	res;
	bool			late;
	char			msg[256];
};

struct fixture {
	char			dir[64];
	char			path[128];
	struct event_base	*base;
	struct result		res[16];
	int			n;
	int			want;	/* stop the loop at this many */
	bool			in_submit;
};

static void
on_done(void *ctx, uint32_t id, const struct cmm_devres *res, const char *msg,
    bool late)
{
	struct fixture *f = ctx;

	assert_false(f->in_submit);
	assert_true(f->n < 16);
	f->res[f->n].id = id;
	f->res[f->n].res = *res;
	f->res[f->n].late = late;
	snprintf(f->res[f->n].msg, sizeof(f->res[f->n].msg), "%s", msg);
	f->n++;
	if (f->n >= f->want)
		event_base_loopbreak(f->base);
}

/* Runs the loop until `want` results arrived, at most 5 s. */
static void
run_until(struct fixture *f, int want)
{
	struct timeval tv = { 5, 0 };

	f->want = want;
	if (f->n >= want)
		return;
	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
	assert_int_equal(f->n, want);
}

static struct cmm_set
set_of(const char *text)
{
	struct cmm_set s;
	const char *why;

	assert_int_equal(cmm_set_parse(text, CMM_MAX_NODES, NULL, &s, &why), 0);
	return s;
}

/* Queues op for device dev; a FENCE departs node 2, PROMISE/ACCEPT use
 * ballot (0, node). */
static void
submit(struct fixture *f, struct cmm_devworker *w, uint32_t id,
    enum cmm_dev_op op, int dev, int node, uint32_t epoch, const char *set)
{
	struct cmm_devreq r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.device = dev;
	r.op.op = op;
	r.op.node = node;
	r.op.epoch = epoch;
	r.op.set = set_of(set);
	r.op.ballot = cmm_ballot_make(0, node);
	if (op == CMM_DEVOP_FENCE)
		cmm_set_add(&r.op.departed, 2);
	f->in_submit = true;
	assert_int_equal(cmm_devworker_submit(w, &r), 0);
	f->in_submit = false;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/cmm-devworker.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dev", f->dir);
	f->base = event_base_new();
	assert_non_null(f->base);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	event_base_free(f->base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
test_operations(void **state)
{
	struct fixture *f = *state;
	const char *paths[2] = { f->path, NULL };
	char err[256];
	struct cmm_devrec rec;
	struct cmm_devworker *w = cmm_devworker_new(f->base, 2, paths,
	    test_key(), 2000, on_done, f, err, sizeof(err));

	assert_non_null(w);
	submit(f, w, 1, CMM_DEVOP_REGISTER, 0, 2, 5, "1-2");
	submit(f, w, 2, CMM_DEVOP_REGISTER, 0, 1, 5, "1-2");
	submit(f, w, 3, CMM_DEVOP_REGISTER, 0, 0, 5, "0-1");
	submit(f, w, 4, CMM_DEVOP_FENCE, 0, 1, 6, "1");
	submit(f, w, 5, CMM_DEVOP_PROMISE, 0, 1, 7, "-");
	submit(f, w, 6, CMM_DEVOP_ACCEPT, 0, 0, 6, "0");
	run_until(f, 6);
	/* one device, one thread: results in order, with what the device
	 * knows after each */
	for (int i = 0; i < 6; i++)
		assert_int_equal(f->res[i].id, i + 1);
	assert_int_equal(f->res[0].res.status, CMM_DEV_OK);
	assert_int_equal(f->res[0].res.epoch, 5);
	assert_int_equal(f->res[1].res.status, CMM_DEV_OK);
	assert_int_equal(f->res[2].res.status, CMM_DEV_CONFLICT);
	assert_int_equal(f->res[2].res.committed_epoch, 5);
	assert_true(cmm_set_eq(&f->res[2].res.committed, &(struct cmm_set){
	    .w = { 0x6 } }));
	assert_int_equal(f->res[3].res.status, CMM_DEV_OK);
	assert_int_equal(f->res[3].res.epoch, 6);
	assert_int_equal(f->res[4].res.status, CMM_DEV_OK);
	assert_int_equal(f->res[4].res.slot_instance, 7);
	assert_true(f->res[4].res.slot_promised == cmm_ballot_make(0, 1));
	/* instance 6 is committed on the device: the answer says so */
	assert_int_equal(f->res[5].res.status, CMM_DEV_OLD);
	assert_int_equal(f->res[5].res.slot_instance, 7);
	assert_int_equal(f->res[5].res.committed_epoch, 6);
	for (int i = 0; i < 6; i++) {
		assert_string_equal(f->res[i].msg, "");
		assert_false(f->res[i].late);
	}
	assert_int_equal(cmm_devworker_read(w, 0, &rec, err, sizeof(err)), 0);
	assert_int_equal(rec.holder, 1);
	assert_int_equal(rec.epoch, 6);
	assert_false(cmm_set_has(&rec.registered, 2));
	assert_int_equal(rec.fence_epoch[2], 6);
	assert_int_equal(rec.reg_epoch[1], 5);
	assert_int_equal(rec.slot_instance, 7);
	/* a device this node does not share fails, from the loop */
	submit(f, w, 7, CMM_DEVOP_REGISTER, 1, 1, 7, "1");
	assert_int_equal(f->n, 6);
	run_until(f, 7);
	assert_int_equal(f->res[6].res.status, CMM_DEV_IO);
	assert_non_null(strstr(f->res[6].msg, "not shared"));
	assert_int_equal(cmm_devworker_read(w, 1, &rec, err, sizeof(err)), -1);
	assert_int_equal(cmm_devworker_pending(w), 0);
	cmm_devworker_free(w);
}

static void
test_time_limit(void **state)
{
	struct fixture *f = *state;
	const char *paths[1] = { f->path };
	char err[256];
	struct cmm_device *d;
	struct flock fl;
	struct cmm_devworker *w;
	int fd;

	/* the file exists, and another holder keeps its lock */
	d = cmm_device_file_open(f->path, true, test_key(), err, sizeof(err));
	assert_non_null(d);
	d->ops->close(d);
	fd = open(f->path, O_RDWR);
	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = CMM_DEVFILE_SIZE;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);

	w = cmm_devworker_new(f->base, 1, paths, test_key(), 200, on_done, f,
	    err, sizeof(err));
	assert_non_null(w);
	submit(f, w, 9, CMM_DEVOP_REGISTER, 0, 1, 3, "1");
	run_until(f, 1);
	assert_int_equal(f->res[0].id, 9);
	assert_int_equal(f->res[0].res.status, CMM_DEV_IO);
	assert_false(f->res[0].late);
	assert_string_equal(f->res[0].msg, "timed out: no answer within 200 ms");
	/* the lock goes: the stuck call finishes, reported as late */
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	close(fd);
	run_until(f, 2);
	assert_int_equal(f->res[1].id, 9);
	assert_true(f->res[1].late);
	assert_int_equal(f->res[1].res.status, CMM_DEV_OK);
	assert_int_equal(f->res[1].res.epoch, 3);
	cmm_devworker_free(w);
}

/* Holds an OFD write lock on the device file, as a node stuck in the
 * middle of an operation would; lets go after 10 s on its own, so that a
 * read that waits for it fails the test instead of hanging it. */
struct holder {
	int		fd;
	pthread_mutex_t	mu;
	pthread_cond_t	cv;
	bool		stop, released;
	pthread_t	th;
};

static int
holder_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_len = CMM_DEVFILE_SIZE;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

static void *
holder_thread(void *arg)
{
	struct holder *h = arg;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&h->mu);
	while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &ts) == 0)
		;
	holder_lock(h->fd, F_UNLCK);
	h->released = true;
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void
holder_start(struct holder *h, const char *path)
{
	memset(h, 0, sizeof(*h));
	h->fd = open(path, O_RDWR);
	assert_true(h->fd >= 0);
	assert_int_equal(holder_lock(h->fd, F_WRLCK), 0);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	assert_int_equal(pthread_create(&h->th, NULL, holder_thread, h), 0);
}

static bool
holder_released(struct holder *h)
{
	bool r;

	pthread_mutex_lock(&h->mu);
	r = h->released;
	pthread_mutex_unlock(&h->mu);
	return r;
}

static void
holder_stop(struct holder *h)
{
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	close(h->fd);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
}

static void
test_read_hung(void **state)
{
	struct fixture *f = *state;
	const char *paths[1] = { f->path };
	char err[256];
	struct cmm_devrec rec;
	struct cmm_device *d;
	struct cmm_devworker *w;
	struct holder h;
	int rc = -1;

	d = cmm_device_file_open(f->path, true, test_key(), err, sizeof(err));
	assert_non_null(d);
	d->ops->close(d);
	w = cmm_devworker_new(f->base, 1, paths, test_key(), 200, on_done, f,
	    err, sizeof(err));
	assert_non_null(w);
	holder_start(&h, f->path);
	/* the loop gets its answer while the lock is still held */
	assert_int_equal(cmm_devworker_read(w, 0, &rec, err, sizeof(err)), -1);
	assert_false(holder_released(&h));
	assert_non_null(strstr(err, "no answer: a read of it has been waiting"));
	/* and the next snapshot neither waits nor starts a second thread */
	assert_int_equal(cmm_devworker_read(w, 0, &rec, err, sizeof(err)), -1);
	assert_false(holder_released(&h));
	assert_non_null(strstr(err, "no answer"));
	/* the lock goes: the stuck read returns, and reads work again */
	holder_stop(&h);
	for (int i = 0; i < 500 && rc != 0; i++) {
		rc = cmm_devworker_read(w, 0, &rec, err, sizeof(err));
		if (rc != 0)
			usleep(10000);
	}
	assert_int_equal(rc, 0);
	/* a read still hanging when the worker goes owns what it uses */
	holder_start(&h, f->path);
	assert_int_equal(cmm_devworker_read(w, 0, &rec, err, sizeof(err)), -1);
	cmm_devworker_free(w);
	holder_stop(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_hung, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
