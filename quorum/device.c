/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * device: the rules every quorum-device backend applies (device.h;
 * docs/PROTOCOL.md "Quorum devices and fencing"), and the in-memory
 * backend the simulator and tests use.
 *
 * Each rule first decides, then changes the record, so a refused operation
 * leaves it untouched without a copy of the (8 KiB) record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quorum/device.h"

void
cmm_devrec_init(struct cmm_devrec *r)
{
	memset(r, 0, sizeof(*r));
	r->holder = -1;
}

static uint32_t
dev_max(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* res from the record as it is now; stale is the caller's to fill. */
static void
dev_fill(const struct cmm_devrec *r, enum cmm_dev_status st,
    struct cmm_devres *res)
{
	memset(res, 0, sizeof(*res));
	res->status = st;
	res->slot_instance = r->slot_instance;
	res->slot_promised = r->slot_promised;
	res->slot_accepted = r->slot_accepted;
	res->slot_value = r->slot_value;
	res->committed_epoch = r->committed_epoch;
	res->committed = r->committed;
	res->epoch = r->epoch;
}

/* Another configuration already holds this epoch's reservation. */
static bool
dev_other_config(const struct cmm_devrec *r, uint32_t epoch,
    const struct cmm_set *config)
{
	return epoch == r->epoch && r->holder != -1 &&
	    !cmm_set_eq(&r->config, config);
}

/* A newer epoch (or the first one) takes the reservation; the committed
 * configuration follows the newest epoch seen. */
static void
dev_advance(struct cmm_devrec *r, int node, uint32_t epoch,
    const struct cmm_set *config)
{
	if (epoch > r->epoch || r->holder == -1) {
		r->holder = node;
		r->epoch = epoch;
		r->config = *config;
	}
	if (epoch > r->committed_epoch) {
		r->committed_epoch = epoch;
		r->committed = *config;
	}
}

static enum cmm_dev_status
dev_register(struct cmm_devrec *r, const struct cmm_devop *op)
{
	int n = op->node;

	/* a delayed registration must not undo a fence */
	if (op->epoch < r->fence_epoch[n])
		return CMM_DEV_REFUSED;
	if (dev_other_config(r, op->epoch, &op->set))
		return CMM_DEV_CONFLICT;
	r->reg_epoch[n] = dev_max(r->reg_epoch[n], op->epoch);
	cmm_set_add(&r->registered, n);
	dev_advance(r, n, op->epoch, &op->set);
	return CMM_DEV_OK;
}

static enum cmm_dev_status
dev_fence(struct cmm_devrec *r, const struct cmm_devop *op,
    struct cmm_set *stale)
{
	const struct cmm_set *gone = &op->departed;

	/* a newer configuration owns the device: the caller is the stale one */
	if (op->epoch < r->epoch || dev_other_config(r, op->epoch, &op->set))
		return CMM_DEV_CONFLICT;
	for (int d = cmm_set_next(gone, 0); d >= 0; d = cmm_set_next(gone, d + 1)) {
		/* re-admitted at this epoch or later: a late fence leaves it */
		if (r->reg_epoch[d] >= op->epoch) {
			cmm_set_add(stale, d);
			continue;
		}
		r->reg_epoch[d] = 0;
		cmm_set_del(&r->registered, d);
		r->fence_epoch[d] = dev_max(r->fence_epoch[d], op->epoch);
	}
	/* a fellow member fencing at the same epoch keeps the first holder */
	dev_advance(r, op->node, op->epoch, &op->set);
	return cmm_set_empty(stale) ? CMM_DEV_OK : CMM_DEV_STALE;
}

/* The slot's promise as the op sees it: a newer instance starts empty. */
static enum cmm_dev_status
dev_slot_check(const struct cmm_devrec *r, const struct cmm_devop *op,
    cmm_ballot *promised)
{
	if (op->epoch <= r->committed_epoch || op->epoch < r->slot_instance)
		return CMM_DEV_OLD;
	*promised = op->epoch > r->slot_instance ? CMM_BALLOT_NONE :
	    r->slot_promised;
	return CMM_DEV_OK;
}

/* Moves the slot to the op's instance (the caller committed the one
 * before, so nothing in the old slot can still be needed). */
static void
dev_slot_enter(struct cmm_devrec *r, uint32_t instance)
{
	if (instance <= r->slot_instance)
		return;
	r->slot_instance = instance;
	r->slot_promised = CMM_BALLOT_NONE;
	r->slot_accepted = CMM_BALLOT_NONE;
	cmm_set_clear(&r->slot_value);
}

static enum cmm_dev_status
dev_promise(struct cmm_devrec *r, const struct cmm_devop *op)
{
	cmm_ballot promised;
	enum cmm_dev_status st = dev_slot_check(r, op, &promised);

	if (st != CMM_DEV_OK)
		return st;
	if (op->ballot <= promised)
		return CMM_DEV_NACK;
	dev_slot_enter(r, op->epoch);
	r->slot_promised = op->ballot;
	return CMM_DEV_OK;
}

static enum cmm_dev_status
dev_accept(struct cmm_devrec *r, const struct cmm_devop *op)
{
	cmm_ballot promised;
	enum cmm_dev_status st = dev_slot_check(r, op, &promised);

	if (st != CMM_DEV_OK)
		return st;
	if (op->ballot < promised)
		return CMM_DEV_NACK;
	dev_slot_enter(r, op->epoch);
	r->slot_promised = op->ballot;
	r->slot_accepted = op->ballot;
	r->slot_value = op->set;
	return CMM_DEV_OK;
}

/* Operations no rule can apply: a bad node id, an epoch 0 (not a
 * configuration) for REGISTER/FENCE, a ballot "none" for the slot. */
static bool
dev_malformed(const struct cmm_devop *op)
{
	if (!cmm_set_valid_id(op->node))
		return true;
	switch (op->op) {
	case CMM_DEVOP_REGISTER:
	case CMM_DEVOP_FENCE:
		return op->epoch == 0;
	case CMM_DEVOP_PROMISE:
	case CMM_DEVOP_ACCEPT:
		return op->ballot == CMM_BALLOT_NONE;
	}
	return true;
}

enum cmm_dev_status
cmm_devrec_apply(struct cmm_devrec *r, const struct cmm_devop *op,
    struct cmm_devres *res)
{
	struct cmm_set stale;
	enum cmm_dev_status st = CMM_DEV_CONFLICT;

	cmm_set_clear(&stale);
	if (!dev_malformed(op)) {
		switch (op->op) {
		case CMM_DEVOP_REGISTER:
			st = dev_register(r, op);
			break;
		case CMM_DEVOP_FENCE:
			st = dev_fence(r, op, &stale);
			break;
		case CMM_DEVOP_PROMISE:
			st = dev_promise(r, op);
			break;
		case CMM_DEVOP_ACCEPT:
			st = dev_accept(r, op);
			break;
		}
	}
	dev_fill(r, st, res);
	res->stale = stale;
	return st;
}

const char *
cmm_dev_status_name(enum cmm_dev_status s)
{
	switch (s) {
	case CMM_DEV_OK:	return "ok";
	case CMM_DEV_CONFLICT:	return "conflict";
	case CMM_DEV_IO:	return "io";
	case CMM_DEV_CORRUPT:	return "corrupt";
	case CMM_DEV_STALE:	return "stale";
	case CMM_DEV_REFUSED:	return "refused";
	case CMM_DEV_NACK:	return "nack";
	case CMM_DEV_OLD:	return "old";
	}
	return "?";
}

const char *
cmm_dev_op_name(enum cmm_dev_op op)
{
	switch (op) {
	case CMM_DEVOP_REGISTER:	return "register";
	case CMM_DEVOP_FENCE:		return "fence";
	case CMM_DEVOP_PROMISE:		return "promise";
	case CMM_DEVOP_ACCEPT:		return "accept";
	}
	return "?";
}

/* ---- the in-memory backend ---- */

static enum cmm_dev_status
mem_apply(struct cmm_device *d, const struct cmm_devop *op,
    struct cmm_devres *res, char *errbuf, unsigned errlen)
{
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	/* an id the record cannot hold is the caller's bug: say so */
	if (!cmm_set_valid_id(op->node)) {
		memset(res, 0, sizeof(*res));
		res->status = CMM_DEV_IO;
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "node id %d out of range 0..%d",
			    op->node, CMM_MAX_NODES - 1);
		return CMM_DEV_IO;
	}
	return cmm_devrec_apply(d->impl, op, res);
}

static enum cmm_dev_status
mem_read(struct cmm_device *d, struct cmm_devrec *out, char *errbuf,
    unsigned errlen)
{
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
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
	.apply = mem_apply,
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
