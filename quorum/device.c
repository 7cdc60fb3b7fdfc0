/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device: the reservation rules every backend applies (DESIGN §3), and the
 * in-memory backend the simulator and tests use.
 */
#include <stdio.h>
#include <stdlib.h>

#include "device.h"

void
cmm_devrec_init(struct cmm_devrec *r)
{
	cmm_set_clear(&r->registered);
	r->holder = -1;
	r->epoch = 0;
}

enum cmm_dev_status
cmm_devrec_reserve(struct cmm_devrec *r, int node, uint32_t epoch)
{
	if (!cmm_set_valid_id(node))
		return CMM_DEV_CONFLICT;
	if (r->holder == node) {
		/* our own reservation: renew it, but epochs never fall */
		if (r->epoch < epoch)
			r->epoch = epoch;
		return CMM_DEV_OK;
	}
	/* FIG. 8: free, or left over from an older configuration */
	if (r->holder == -1 || r->epoch < epoch) {
		r->holder = node;
		r->epoch = epoch;
		return CMM_DEV_OK;
	}
	return CMM_DEV_CONFLICT;
}

enum cmm_dev_status
cmm_devrec_fence(struct cmm_devrec *r, int by, const struct cmm_set *departed,
    uint32_t epoch)
{
	if (!cmm_set_valid_id(by))
		return CMM_DEV_CONFLICT;
	/* a newer configuration already owns the device: we are the stale one */
	if (r->holder != -1 && r->epoch > epoch)
		return CMM_DEV_CONFLICT;
	/* patent step 612: the departed lose their registrations */
	if (departed != NULL)
		cmm_set_minus(&r->registered, &r->registered, departed);
	if (r->holder == -1 || r->epoch < epoch || r->holder == by) {
		r->holder = by;
		r->epoch = epoch;
	}
	/* else a fellow member of the same epoch fenced first: that is fine */
	return CMM_DEV_OK;
}

const char *
cmm_dev_status_name(enum cmm_dev_status s)
{
	switch (s) {
	case CMM_DEV_OK:	return "ok";
	case CMM_DEV_CONFLICT:	return "conflict";
	case CMM_DEV_IO:	return "io";
	case CMM_DEV_CORRUPT:	return "corrupt";
	}
	return "?";
}

/* A backend's answer to an id it cannot store. */
static enum cmm_dev_status
dev_bad_id(int node, char *errbuf, unsigned errlen)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "node id %d out of range 0..%d", node,
		    CMM_MAX_NODES - 1);
	return CMM_DEV_IO;
}

static enum cmm_dev_status
mem_reserve(struct cmm_device *d, int node, uint32_t epoch, char *errbuf,
    unsigned errlen)
{
	if (!cmm_set_valid_id(node))
		return dev_bad_id(node, errbuf, errlen);
	return cmm_devrec_reserve(d->impl, node, epoch);
}

static enum cmm_dev_status
mem_fence(struct cmm_device *d, int by, const struct cmm_set *departed,
    uint32_t epoch, char *errbuf, unsigned errlen)
{
	if (!cmm_set_valid_id(by))
		return dev_bad_id(by, errbuf, errlen);
	return cmm_devrec_fence(d->impl, by, departed, epoch);
}

static enum cmm_dev_status
mem_register(struct cmm_device *d, int node, char *errbuf, unsigned errlen)
{
	struct cmm_devrec *r = d->impl;

	if (!cmm_set_valid_id(node))
		return dev_bad_id(node, errbuf, errlen);
	cmm_set_add(&r->registered, node);
	return CMM_DEV_OK;
}

static enum cmm_dev_status
mem_read(struct cmm_device *d, struct cmm_devrec *out, char *errbuf,
    unsigned errlen)
{
	(void)errbuf;
	(void)errlen;
	*out = *(struct cmm_devrec *)d->impl;
	return CMM_DEV_OK;
}

static void
mem_close(struct cmm_device *d)
{
	if (d == NULL)
		return;
	free(d->impl);
	free(d);
}

static const struct cmm_device_ops mem_ops = {
	.name = "mem",
	.reserve = mem_reserve,
	.fence = mem_fence,
	.register_node = mem_register,
	.read = mem_read,
	.close = mem_close,
};

struct cmm_device *
cmm_device_mem_new(void)
{
	struct cmm_device *d = calloc(1, sizeof(*d));
	struct cmm_devrec *r = calloc(1, sizeof(*r));

	if (d == NULL || r == NULL) {
		free(d);
		free(r);
		return NULL;
	}
	cmm_devrec_init(r);
	d->ops = &mem_ops;
	d->impl = r;
	return d;
}
