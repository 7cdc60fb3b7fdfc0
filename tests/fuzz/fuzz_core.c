/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_core: hostile but correctly signed message sequences into the
 * protocol core (src/core/core.h), through the real receive path
 * (net/packet.h).
 *
 * An attacker who holds the cluster key (or a buggy peer) can send
 * anything the format carries.  Each input is one run: three cores (nodes
 * 0, 1, 2, like tests/core_noio.c) start afresh, and the input is read as a
 * sequence of steps:
 *   - time passes (the cores' timers fire in order),
 *   - the honest cores' own messages are delivered,
 *   - a message the input makes up (type, claimed sender, incarnation,
 *     sequence number, flags, epochs, instance, ballots, node sets, and
 *     now and then another config digest or another destination) is
 *     sealed with the key and given to node 0's receive path: prefix, MAC,
 *     body, destination, digest, replay window, then cmm_core_on_packet
 *     (or cmm_core_on_foreign for another digest),
 *   - now and then a forged port-unreachable for any id, its own and
 *     ids nobody has included (fast_fail's suspicions and probes, under
 *     the same checks).
 * Every datagram to node 0 (the honest ones too) goes through one replay
 * window for the whole run, never reset between steps: an attacker who
 * moves it hurts the honest senders as it would in a daemon.
 * After every step, on node 0:
 *   - its next deadline lies after the time it was last given;
 *   - it never persists an epoch lower than one it persisted before;
 *   - it never sends an ACCEPTED for the instance after its persisted
 *     epoch with a ballot below its persisted promise (checked as the
 *     effect is emitted, against the last state it persisted).
 * FUZZ_CORE_TRACE=1 prints node 0's state after each input (to see what a
 * seed reaches).
 */
#include <sodium.h>

#include "net/packet.h"
#include "src/core/core.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCORES		3
#define QMAX		512
#define MAX_STEPS	256

struct fz_pkt {
	int		from, to;
	struct cmm_msg	m;
};

static struct {
	struct cmm_core_cfg	cfg;
	struct cmm_keys		keys;
	uint32_t		cluster;
	struct cmm_core		*core[NCORES];
	int			ids[NCORES];
	int64_t			now;
	struct fz_pkt		q[QMAX];
	int			qlen;
	uint64_t		seq[NCORES][NCORES];	/* per destination */
	struct cmm_replay	win[NCORES];
	struct cmm_replay	probes;
	/* node 0's disk, as last persisted */
	struct cmm_persist	disk0;
	bool			has_disk0;
	uint32_t		max_epoch0;
} fz;

/* The effects of every core; node 0's are checked as they come. */
static int
fz_emit(void *ctx, const struct cmm_effect *fx)
{
	int self = *(const int *)ctx;

	switch (fx->type) {
	case CMM_FX_SEND: {
		const struct cmm_msg *m = fx->u.send.msg;

		if (self == 0 && m->type == CMM_MSG_ACCEPTED && fz.has_disk0 &&
		    m->instance == fz.disk0.epoch + 1)
			FUZZ_CHECK(m->ballot >= fz.disk0.promised);
		for (int i = cmm_set_next(fx->u.send.to, 0); i >= 0;
		    i = cmm_set_next(fx->u.send.to, i + 1)) {
			if (i >= NCORES || i == self || fz.qlen == QMAX)
				continue;
			fz.q[fz.qlen].from = self;
			fz.q[fz.qlen].to = i;
			fz.q[fz.qlen].m = *m;
			fz.qlen++;
		}
		return 0;
	}
	case CMM_FX_PERSIST:
		if (self == 0) {
			FUZZ_CHECK(fx->u.persist->epoch >= fz.max_epoch0);
			fz.max_epoch0 = fx->u.persist->epoch;
			fz.disk0 = *fx->u.persist;
			fz.has_disk0 = true;
		}
		return 0;
	default:
		return 0;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char master[CMM_KEY_LEN];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	for (int i = 0; i < CMM_KEY_LEN; i++)
		master[i] = (unsigned char)(0x40 + i);
	if (cmm_keys_derive(master, &fz.keys) != 0)
		abort();
	fz.cluster = cmm_wire_cluster_id("fuzz-core");
	cmm_core_cfg_defaults(&fz.cfg);
	for (int i = 0; i < NCORES; i++)
		cmm_set_add(&fz.cfg.configured, i);
	/* node 3 is configured but never runs: a sender the core knows */
	cmm_set_add(&fz.cfg.configured, 3);
	memset(fz.cfg.digest, 0xd0, sizeof(fz.cfg.digest));
	fz.cfg.config_version = 1;
	return 0;
}

static void
fz_check0(void)
{
	FUZZ_CHECK(cmm_core_next_deadline(fz.core[0]) > fz.now);
}

/* The receive path of node `to`, as the daemon runs it. */
static void
fz_receive(int to, const struct cmm_msg *m)
{
	uint8_t	buf[CMM_WIRE_MAX];
	struct cmm_rx rx = { .keys = &fz.keys, .cluster_id = fz.cluster,
	    .self = to, .digest = fz.cfg.digest, .replay = &fz.win[to],
	    .probes = &fz.probes };
	struct cmm_msg got;
	enum cmm_drop why;
	int	n;

	n = cmm_packet_seal(&fz.keys, fz.cluster, m, buf, sizeof(buf));
	if (n < 0)
		return;
	why = cmm_packet_open(&rx, buf, (size_t)n, &got);
	if (why != CMM_DROP_NONE && why != CMM_DROP_CONFIG)
		return;
	/* what the daemon does with it: probes never reach the core, nor
	 * does a datagram claiming to be from the receiver itself */
	if (got.type == CMM_MSG_PROBE || got.type == CMM_MSG_PROBE_ACK)
		return;
	if (!cmm_set_has(&fz.cfg.configured, got.sender) || got.sender == to)
		return;
	if (why == CMM_DROP_CONFIG)
		cmm_core_on_foreign(fz.core[to], fz.now, &got);
	else
		cmm_core_on_packet(fz.core[to], fz.now, &got);
	if (to == 0)
		fz_check0();
}

/* The transport's part of a message, as the daemon fills it. */
static void
fz_address(struct cmm_msg *m, int from, int to)
{
	m->vmin = CMM_PROTO_MIN;
	m->vmax = CMM_PROTO_MAX;
	m->dest = (uint16_t)to;
	m->seq = ++fz.seq[from][to];
	memcpy(m->digest, fz.cfg.digest, sizeof(m->digest));
}

static void
fz_deliver(void)
{
	static struct fz_pkt batch[QMAX];
	int	n = fz.qlen;

	/* what the deliveries make goes out in a later step */
	memcpy(batch, fz.q, (size_t)n * sizeof(batch[0]));
	fz.qlen = 0;
	for (int i = 0; i < n; i++) {
		fz_address(&batch[i].m, batch[i].from, batch[i].to);
		fz_receive(batch[i].to, &batch[i].m);
	}
}

static void
fz_tick(int64_t ms)
{
	int64_t until = fz.now + ms;

	/* the timers of each core fire in order, as a daemon's would */
	for (int guard = 0; guard < 64; guard++) {
		int64_t next = until;

		for (int i = 0; i < NCORES; i++) {
			int64_t d = cmm_core_next_deadline(fz.core[i]);

			if (d < next)
				next = d;
		}
		if (next > fz.now)
			fz.now = next;
		for (int i = 0; i < NCORES; i++)
			if (cmm_core_next_deadline(fz.core[i]) <= fz.now)
				cmm_core_on_tick(fz.core[i], fz.now);
		fz_check0();
		if (fz.now >= until)
			break;
	}
}

static void
fz_take_set(const uint8_t **d, size_t *n, struct cmm_set *s)
{
	/* mostly the cluster's ids, sometimes any */
	unsigned bits = (unsigned)fuzz_take(d, n, 1);

	cmm_set_clear(s);
	for (int i = 0; i < 4; i++)
		if (bits & (1u << i))
			cmm_set_add(s, i);
	if (bits & 0x80)
		cmm_set_add(s, (int)(fuzz_take(d, n, 2) % CMM_MAX_NODES));
}

/* An epoch near node 0's, or anywhere, wrapping edge included. */
static uint32_t
fz_take_epoch(const uint8_t **d, size_t *n)
{
	unsigned how = (unsigned)fuzz_take(d, n, 1);
	uint32_t e = fz.disk0.epoch;

	switch (how & 7) {
	case 0: return e;
	case 1: return e + 1;
	case 2: return e + 2;
	case 3: return e > 0 ? e - 1 : 0;
	case 4: return CMM_EPOCH_LIMIT - 1 - (how >> 3);
	case 5: return UINT32_MAX - (how >> 3);
	default: return (uint32_t)fuzz_take(d, n, 4);
	}
}

static cmm_ballot
fz_take_ballot(const uint8_t **d, size_t *n)
{
	unsigned how = (unsigned)fuzz_take(d, n, 1);

	if ((how & 3) == 0)
		return CMM_BALLOT_NONE;
	if ((how & 3) == 3)
		return fuzz_take(d, n, 8);
	return cmm_ballot_make((uint32_t)fuzz_take(d, n, 1),
	    (int)((how >> 2) % 5));
}

/* A message made up by the input, to node 0. */
static void
fz_hostile(const uint8_t **d, size_t *n)
{
	struct cmm_core_status st;
	struct cmm_msg m;
	unsigned how;
	int	from;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)(1 + fuzz_take(d, n, 1) % CMM_MSG_TYPE_MAX);
	how = (unsigned)fuzz_take(d, n, 1);
	from = (int)(how % 5);		/* 1, 2, 3 (not running), 0 (itself), 4 */
	m.flags = (uint8_t)fuzz_take(d, n, 1);
	/* the honest sender's incarnation, one above it, or any */
	if (from >= 1 && from < NCORES) {
		cmm_core_status(fz.core[from], &st);
		m.incarnation = st.incarnation + ((how >> 3) & 1);
	} else {
		m.incarnation = (uint32_t)fuzz_take(d, n, 2);
	}
	if (how & 0x20)
		m.incarnation = (uint32_t)fuzz_take(d, n, 4);
	m.epoch = fz_take_epoch(d, n);
	m.instance = (how & 0x40) ? fz_take_epoch(d, n) : m.epoch + 1;
	m.ballot = fz_take_ballot(d, n);
	m.vballot = fz_take_ballot(d, n);
	fz_take_set(d, n, &m.members);
	fz_take_set(d, n, &m.value);
	fz_take_set(d, n, &m.row);
	m.sender = (uint16_t)from;
	fz_address(&m, from < NCORES ? from : 0, 0);
	/* now and then a sequence number of its own (a replay of an old
	 * one, or far ahead), another digest or another destination */
	how = (unsigned)fuzz_take(d, n, 1);
	if (how & 1)
		m.seq = fuzz_take(d, n, 2);
	if (how & 2)
		m.seq += 1000000;
	if ((how & 0x1c) == 0x1c)
		m.digest[0] ^= 1;
	if ((how & 0xe0) == 0xe0)
		m.dest = 1;
	fz_receive(0, &m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(fz.q, 0, sizeof(fz.q));
	fz.qlen = 0;
	fz.now = 1000;
	memset(fz.seq, 0, sizeof(fz.seq));
	for (int i = 0; i < NCORES; i++)
		cmm_replay_init(&fz.win[i]);
	cmm_replay_init(&fz.probes);
	fz.has_disk0 = false;
	fz.max_epoch0 = 0;
	memset(&fz.disk0, 0, sizeof(fz.disk0));
	for (int i = 0; i < NCORES; i++) {
		struct cmm_sink sink = { .ctx = &fz.ids[i], .emit = fz_emit };

		fz.ids[i] = i;
		fz.core[i] = cmm_core_new(&fz.cfg, i, NULL, &sink, 7 + (uint64_t)i);
		FUZZ_CHECK(fz.core[i] != NULL);
		FUZZ_CHECK(cmm_core_start(fz.core[i], fz.now) == 0);
	}
	fz_check0();
	for (int step = 0; step < MAX_STEPS && size > 0; step++) {
		unsigned op = (unsigned)fuzz_take(&data, &size, 1);

		switch (op % 4) {
		case 0:
			fz_tick((int64_t)(op >> 2) * 10 + 1);
			break;
		case 1:
			fz_deliver();
			break;
		case 3:
			if ((op >> 2) % 8 == 6) {
				/* the disk failed a flush after an announce,
				 * or did it (a flush the core may not be
				 * waiting for) */
				if ((op >> 5) & 1)
					cmm_core_on_flushed(fz.core[0], fz.now);
				else
					cmm_core_on_flush_failed(fz.core[0],
					    fz.now);
				fz_check0();
				break;
			}
			if ((op >> 2) % 8 == 7) {
				/* a forged port-unreachable: ids -1..6, so
				 * itself, peers and ids nobody has */
				cmm_core_on_unreachable(fz.core[0], fz.now,
				    (int)(op >> 5) - 1);
				fz_check0();
				break;
			}
			fz_hostile(&data, &size);
			break;
		default:
			fz_hostile(&data, &size);
			break;
		}
	}
	if (getenv("FUZZ_CORE_TRACE") != NULL) {
		struct cmm_core_status st;
		char	mem[64];

		cmm_core_status(fz.core[0], &st);
		cmm_set_format(&st.members, mem, sizeof(mem));
		fprintf(stderr, "fuzz_core: at %lld ms node 0 is %s, epoch %u, "
		    "members %s, persisted epoch %u promise %llx\n",
		    (long long)fz.now, cmm_state_name(st.state), st.epoch, mem,
		    fz.disk0.epoch, (unsigned long long)fz.disk0.promised);
	}
	for (int i = 0; i < NCORES; i++) {
		cmm_core_free(fz.core[i]);
		fz.core[i] = NULL;
	}
	return 0;
}
