/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/devworker.c: device operations on worker threads,
 * results back on the loop (never from inside submit), a time limit that
 * fails a request stuck behind a lock, and the late result reported as
 * late.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "quorum/device_file.h"
#include "src/devworker.h"

struct result {
	uint32_t		id;
	bool			ok;
	enum cmm_dev_status	st;
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
on_done(void *ctx, uint32_t id, bool ok, enum cmm_dev_status st,
    const char *msg, bool late)
{
	struct fixture *f = ctx;

	assert_false(f->in_submit);
	assert_true(f->n < 16);
	f->res[f->n].id = id;
	f->res[f->n].ok = ok;
	f->res[f->n].st = st;
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

static void
submit(struct fixture *f, struct cmm_devworker *w, uint32_t id,
    enum cmm_dev_op op, int dev, int node, uint32_t epoch)
{
	struct cmm_devreq r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.op = op;
	r.device = dev;
	r.node = node;
	r.epoch = epoch;
	if (op == CMM_DEVOP_FENCE)
		cmm_set_add(&r.departed, 2);
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
	struct cmm_devworker *w = cmm_devworker_new(f->base, 2, paths, 2000,
	    on_done, f, err, sizeof(err));

	assert_non_null(w);
	submit(f, w, 1, CMM_DEVOP_REGISTER, 0, 2, 0);
	submit(f, w, 2, CMM_DEVOP_RESERVE, 0, 1, 5);
	submit(f, w, 3, CMM_DEVOP_RESERVE, 0, 2, 5);
	submit(f, w, 4, CMM_DEVOP_FENCE, 0, 1, 6);
	run_until(f, 4);
	/* one device, one thread: results in order */
	assert_int_equal(f->res[0].id, 1);
	assert_true(f->res[0].ok);
	assert_int_equal(f->res[1].id, 2);
	assert_true(f->res[1].ok);
	assert_int_equal(f->res[2].id, 3);
	assert_false(f->res[2].ok);
	assert_int_equal(f->res[2].st, CMM_DEV_CONFLICT);
	assert_int_equal(f->res[3].id, 4);
	assert_true(f->res[3].ok);
	assert_int_equal(cmm_devworker_read(w, 0, &rec, err, sizeof(err)), 0);
	assert_int_equal(rec.holder, 1);
	assert_int_equal(rec.epoch, 6);
	assert_false(cmm_set_has(&rec.registered, 2));
	/* a device this node does not share fails, from the loop */
	submit(f, w, 5, CMM_DEVOP_RESERVE, 1, 1, 7);
	assert_int_equal(f->n, 4);
	run_until(f, 5);
	assert_false(f->res[4].ok);
	assert_non_null(strstr(f->res[4].msg, "not shared"));
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
	d = cmm_device_file_open(f->path, true, err, sizeof(err));
	assert_non_null(d);
	d->ops->close(d);
	fd = open(f->path, O_RDWR);
	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = CMM_DEVFILE_SIZE;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);

	w = cmm_devworker_new(f->base, 1, paths, 200, on_done, f, err,
	    sizeof(err));
	assert_non_null(w);
	submit(f, w, 9, CMM_DEVOP_RESERVE, 0, 1, 3);
	run_until(f, 1);
	assert_int_equal(f->res[0].id, 9);
	assert_false(f->res[0].ok);
	assert_false(f->res[0].late);
	assert_non_null(strstr(f->res[0].msg, "no answer within 200 ms"));
	/* the lock goes: the stuck call finishes, reported as late */
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	close(fd);
	run_until(f, 2);
	assert_int_equal(f->res[1].id, 9);
	assert_true(f->res[1].late);
	cmm_devworker_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
