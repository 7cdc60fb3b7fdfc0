/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core-noio: links the pure part (core, quorum rules, codec, simulator)
 * with libc alone — a stray socket, clock, libevent or libsodium call fails
 * the link — and runs three cores over a perfect in-memory network until
 * they form one cluster (instance 1: PREPARE, ACCEPT, ACCEPTED), then
 * kills the crown prince and checks the two survivors commit the next
 * epoch, each disk holding (2, {0,1}) with the acceptor slot cleared; then
 * runs the simulator on a FIG. 1 scenario.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/core.h"
#include "src/subcmd.h"

#define N	3
#define QMAX	4096

struct pkt {
	int64_t		at;
	int		to;
	struct cmm_msg	m;
};

static struct pkt queue[QMAX];
static int qlen;
static struct cmm_core *cores[N];
static struct cmm_persist disks[N];
static uint32_t committed[N];
static int ids[N];
static int sent[CMM_MSG_TYPE_MAX + 1];

static int
emit(void *ctx, const struct cmm_effect *fx)
{
	int self = *(int *)ctx;

	switch (fx->type) {
	case CMM_FX_SEND:
		sent[fx->u.send.msg->type]++;
		for (int i = cmm_set_next(fx->u.send.to, 0); i >= 0;
		    i = cmm_set_next(fx->u.send.to, i + 1)) {
			if (qlen == QMAX) {
				fprintf(stderr, "queue full\n");
				exit(1);
			}
			queue[qlen].to = i;
			queue[qlen].m = *fx->u.send.msg;
			queue[qlen].at = -1;	/* stamped by the caller */
			qlen++;
		}
		break;
	case CMM_FX_PERSIST:
		disks[self] = *fx->u.persist;
		break;
	case CMM_FX_EVENT:
		if (fx->u.event->type == CMM_EV_COMMIT)
			committed[self] = fx->u.event->epoch;
		break;
	default:
		break;
	}
	return 0;
}

static void
stamp(int64_t now)
{
	for (int i = 0; i < qlen; i++)
		if (queue[i].at < 0)
			queue[i].at = now + 1;
}

static void
run_until(int64_t *now, int64_t end)
{
	while (*now < end) {
		(*now)++;
		for (int i = 0; i < qlen;) {
			if (queue[i].at <= *now) {
				struct pkt p = queue[i];

				queue[i] = queue[--qlen];
				if (cores[p.to] != NULL)
					cmm_core_on_packet(cores[p.to], *now, &p.m);
				stamp(*now);
			} else {
				i++;
			}
		}
		for (int n = 0; n < N; n++)
			if (cores[n] != NULL &&
			    cmm_core_next_deadline(cores[n]) <= *now) {
				cmm_core_on_tick(cores[n], *now);
				stamp(*now);
			}
	}
}

int
main(void)
{
	static struct cmm_core_cfg cfg;
	struct cmm_core_status st;
	int64_t now = 0;

	cmm_core_cfg_defaults(&cfg);
	for (int i = 0; i < N; i++)
		cmm_set_add(&cfg.configured, i);
	for (int i = 0; i < N; i++) {
		struct cmm_sink sink = { .ctx = &ids[i], .emit = emit };

		ids[i] = i;
		cores[i] = cmm_core_new(&cfg, i, NULL, &sink, 42);
		if (cores[i] == NULL || cmm_core_start(cores[i], now) != 0) {
			fprintf(stderr, "core %d did not start\n", i);
			return 1;
		}
		stamp(now);
	}
	run_until(&now, 2000);
	for (int i = 0; i < N; i++) {
		cmm_core_status(cores[i], &st);
		if (st.state != CMM_ST_MEMBER || st.epoch != 1 ||
		    cmm_set_count(&st.members) != N) {
			fprintf(stderr, "node %d: state %s epoch %u members %d\n", i,
			    cmm_state_name(st.state), st.epoch,
			    cmm_set_count(&st.members));
			return 1;
		}
		if (disks[i].epoch != 1 || disks[i].accepted != CMM_BALLOT_NONE ||
		    disks[i].promised != CMM_BALLOT_NONE) {
			fprintf(stderr, "node %d: disk epoch %u, slot not cleared\n",
			    i, disks[i].epoch);
			return 1;
		}
	}
	if (sent[CMM_MSG_PREPARE] < 1 || sent[CMM_MSG_PROMISE] < 2 ||
	    sent[CMM_MSG_ACCEPT] < 1 || sent[CMM_MSG_ACCEPTED] < 2 ||
	    sent[CMM_MSG_COMMIT] < 1) {
		fprintf(stderr, "formation without a whole round: %d PREPARE, "
		    "%d PROMISE, %d ACCEPT, %d ACCEPTED, %d COMMIT\n",
		    sent[CMM_MSG_PREPARE], sent[CMM_MSG_PROMISE],
		    sent[CMM_MSG_ACCEPT], sent[CMM_MSG_ACCEPTED],
		    sent[CMM_MSG_COMMIT]);
		return 1;
	}
	cmm_core_free(cores[2]);
	cores[2] = NULL;
	run_until(&now, 5000);
	for (int i = 0; i < 2; i++) {
		cmm_core_status(cores[i], &st);
		if (st.state != CMM_ST_MEMBER || st.epoch != 2 ||
		    cmm_set_count(&st.members) != 2 || committed[i] != 2 ||
		    disks[i].epoch != 2 || !cmm_set_has(&disks[i].members, 0) ||
		    !cmm_set_has(&disks[i].members, 1) ||
		    disks[i].accepted != CMM_BALLOT_NONE ||
		    disks[i].promised != CMM_BALLOT_NONE) {
			fprintf(stderr, "survivor %d: state %s epoch %u members %d\n",
			    i, cmm_state_name(st.state), st.epoch,
			    cmm_set_count(&st.members));
			return 1;
		}
	}
	for (int i = 0; i < 2; i++)
		cmm_core_free(cores[i]);
	printf("core-noio: 3 nodes formed epoch 1; 2 survivors committed epoch 2\n");
	{
		char *args[] = { (char []){ "sim" }, (char []){ "--script" },
		    (char []){ "assets/scenarios/fig1-double-failure.sim" },
		    (char []){ "--quiet" }, NULL };

		return cmm_sim_main(4, args);
	}
}
