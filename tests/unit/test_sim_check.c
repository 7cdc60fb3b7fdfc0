/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sim_check: the simulator's device checks (src/sim/sim_check.c)
 * report what they must from their indexes of the device log: a device
 * fenced for one epoch with two configurations, a registration that
 * would undo a later fence; and stay quiet otherwise.  The swarm rarely
 * reaches either: a checker is only as good as the cases that show it
 * can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/sim/sim.h"

struct fixture {
	char		dir[64], path[128];
	struct cmm_sim	*s;
	struct cmm_devrec *before, *after;
};

static int
setup(void **state)
{
	struct cmm_sim_opts o = { .seed = 1, .nodes = 4, .out = stdout };
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256] = "";
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cmm-simcheck-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.sim", f->dir);
	if ((fp = fopen(f->path, "w")) == NULL)
		return -1;
	fputs("nodes 4\ndevice d01 0 1\ndevice d12 1 2\n", fp);
	fclose(fp);
	f->s = cmm_sim_script_load(f->path, &o, 0, err, sizeof(err));
	if (f->s == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->before = calloc(1, sizeof(*f->before));
	f->after = calloc(1, sizeof(*f->after));
	if (f->before == NULL || f->after == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cmm_sim_free(f->s);
	free(f->before);
	free(f->after);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* node performs op on device at epoch; set and departed as one id each
 * (-1: none); stale: a departed node the fence left alone (-1: none) */
static void
op(struct fixture *f, int node, int device, enum cmm_dev_op kind,
    uint32_t epoch, int member, int departed, int stale)
{
	struct cmm_devreq req;
	struct cmm_devres res;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.device = device;
	req.op.op = kind;
	req.op.node = node;
	req.op.epoch = epoch;
	cmm_set_add(&req.op.set, node);
	if (member >= 0)
		cmm_set_add(&req.op.set, member);
	if (departed >= 0)
		cmm_set_add(&req.op.departed, departed);
	if (stale >= 0)
		cmm_set_add(&res.stale, stale);
	res.status = stale >= 0 ? CMM_DEV_STALE : CMM_DEV_OK;
	/* the reservation never falls: that is another check */
	f->before->epoch = f->after->epoch;
	if (epoch > f->after->epoch)
		f->after->epoch = epoch;
	cmm_sim_check_devop(f->s, node, &req, &res, f->before, f->after);
}

static void
test_one_fence_per_epoch(void **state)
{
	struct fixture *f = *state;

	op(f, 0, 0, CMM_DEVOP_FENCE, 5, 3, 1, -1);
	op(f, 3, 0, CMM_DEVOP_FENCE, 5, 0, 1, -1);	/* the same {0,3} */
	op(f, 1, 1, CMM_DEVOP_FENCE, 5, 3, 2, -1);	/* another device */
	op(f, 0, 0, CMM_DEVOP_FENCE, 6, 2, 1, -1);	/* another epoch */
	assert_false(f->s->violated);
	op(f, 2, 0, CMM_DEVOP_FENCE, 5, -1, 1, -1);	/* {2} */
	assert_true(f->s->violated);
	assert_non_null(strstr(f->s->violation, "devices: device d01 fenced "
	    "for epoch 5 with two configurations, by node 0 and node 2"));
}

static void
test_register_after_later_fence(void **state)
{
	struct fixture *f = *state;

	op(f, 0, 0, CMM_DEVOP_FENCE, 4, 3, 1, -1);
	op(f, 0, 0, CMM_DEVOP_FENCE, 7, 3, 1, -1);
	op(f, 0, 0, CMM_DEVOP_FENCE, 9, 3, 2, 2);	/* 2 left alone */
	/* at the fence's own epoch, or on another device: no undoing; the
	 * node is in no chosen configuration, which is another property */
	op(f, 1, 0, CMM_DEVOP_REGISTER, 7, 0, -1, -1);
	assert_true(f->s->violated);
	assert_null(strstr(f->s->violation, "after node"));
	f->s->violated = false;
	op(f, 1, 1, CMM_DEVOP_REGISTER, 3, 2, -1, -1);
	assert_null(strstr(f->s->violation, "after node"));
	f->s->violated = false;
	op(f, 2, 0, CMM_DEVOP_REGISTER, 8, 3, -1, -1);
	assert_null(strstr(f->s->violation, "after node"));
	f->s->violated = false;
	/* below the fences of 4 and 7: the first in the log is named */
	op(f, 1, 0, CMM_DEVOP_REGISTER, 3, 0, -1, -1);
	assert_non_null(strstr(f->s->violation, "fencing: node 1 registered "
	    "on device d01 at epoch 3 after node 0 fenced it there at epoch 4"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_fence_per_epoch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_after_later_fence,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
