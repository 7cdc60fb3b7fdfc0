/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_packet: the receive path past the MAC (docs/PROTOCOL.md
 * "Messages").
 *
 * A fuzzer cannot forge an HMAC, so this harness signs for it, with the
 * fixed key the seed corpus was made with:
 *  1. the input is a datagram body: the harness appends its tag and runs
 *     cmm_packet_open (prefix, MAC, body, destination, digest, replay
 *     window) as node 1 with the digest of gen_corpus.c.  A body that
 *     opens (or opens as "config") must not open a second time (replay),
 *     and must seal back into a datagram that opens to the same message
 *     under a fresh window.
 *  2. the input is also read as the fields of a struct cmm_msg; whatever
 *     cmm_packet_seal accepts must open to exactly those fields, or be
 *     refused for a reason its fields explain.
 */
#include <sodium.h>

#include "net/packet.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SELF	1
#define FUZZ_DIGEST	0x5d	/* every byte of the receiver's digest */

static struct cmm_keys	keys;
static uint32_t		cluster;
static struct cmm_replay *win, *probes;
static uint8_t		digest[CMM_DIGEST_LEN];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char master[CMM_KEY_LEN];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	for (int i = 0; i < CMM_KEY_LEN; i++)
		master[i] = (unsigned char)i;
	if (cmm_keys_derive(master, &keys) != 0)
		abort();
	cluster = cmm_wire_cluster_id("fuzz");
	memset(digest, FUZZ_DIGEST, sizeof(digest));
	if ((win = malloc(sizeof(*win))) == NULL ||
	    (probes = malloc(sizeof(*probes))) == NULL)
		abort();
	return 0;
}

static enum cmm_drop
open_fresh(const uint8_t *dg, size_t len, struct cmm_msg *m)
{
	struct cmm_rx rx = { .keys = &keys, .cluster_id = cluster,
	    .self = FUZZ_SELF, .digest = digest, .replay = win,
	    .probes = probes };

	return cmm_packet_open(&rx, dg, len, m);
}

static bool
is_probe(const struct cmm_msg *m)
{
	return m->type == CMM_MSG_PROBE || m->type == CMM_MSG_PROBE_ACK;
}

/* What the receive path must say of a datagram that decodes to m. */
static enum cmm_drop
expected(const struct cmm_msg *m)
{
	if (m->dest != FUZZ_SELF)
		return CMM_DROP_MISDIRECTED;
	if (!is_probe(m) && memcmp(m->digest, digest, CMM_DIGEST_LEN) != 0)
		return CMM_DROP_CONFIG;
	return CMM_DROP_NONE;
}

/* Part 1: the input as a body, signed here. */
static void
open_body(const uint8_t *data, size_t size)
{
	uint8_t	dg[CMM_WIRE_MAX + CMM_WIRE_MAC_LEN], again[CMM_WIRE_MAX];
	struct cmm_msg m, m2, dec;
	size_t	len = size;
	enum cmm_drop why, want;
	int	n;

	if (len > CMM_WIRE_MAX)
		len = CMM_WIRE_MAX;	/* with its tag, still too long */
	memcpy(dg, data, len);
	len = cmm_mac_seal(&keys, dg, len);
	cmm_replay_init(win);
	cmm_replay_init(probes);
	why = open_fresh(dg, len, &m);
	want = cmm_wire_decode(dg, len, cluster, &dec);
	/* a signed datagram is dropped by the decoder, or for its
	 * destination or digest, never as forged or replayed */
	FUZZ_CHECK(why != CMM_DROP_AUTH && why != CMM_DROP_REPLAY);
	if (want != CMM_DROP_NONE) {
		FUZZ_CHECK(why == want);
		return;
	}
	FUZZ_CHECK(why == expected(&dec));
	if (why == CMM_DROP_MISDIRECTED)
		return;
	FUZZ_CHECK(cmm_msg_equal(&m, &dec));
	/* the same datagram twice is a replay, "config" or not */
	FUZZ_CHECK(open_fresh(dg, len, &m2) == CMM_DROP_REPLAY);
	/* a flipped tag bit is "auth", and does not touch the window */
	dg[len - 1] ^= 0x80;
	cmm_replay_init(win);
	cmm_replay_init(probes);
	FUZZ_CHECK(open_fresh(dg, len, &m2) == CMM_DROP_AUTH);
	FUZZ_CHECK(cmm_replay_check(is_probe(&m) ? probes : win, m.sender,
	    m.incarnation, m.seq) == CMM_DROP_NONE);
	FUZZ_CHECK(!win->win[m.sender].seen && !probes->win[m.sender].seen);
	n = cmm_packet_seal(&keys, cluster, &m, again, sizeof(again));
	FUZZ_CHECK(n > CMM_WIRE_MAC_LEN);
	FUZZ_CHECK(open_fresh(again, (size_t)n, &m2) == why);
	FUZZ_CHECK(cmm_msg_equal(&m, &m2));
}

static void
take_set(const uint8_t **data, size_t *size, struct cmm_set *s)
{
	/* a count, then that many 10-bit ids: small sets stay cheap */
	unsigned k = (unsigned)fuzz_take(data, size, 1) % 24;

	cmm_set_clear(s);
	while (k-- > 0 && *size > 0)
		cmm_set_add(s, (int)(fuzz_take(data, size, 2) % CMM_MAX_NODES));
}

/* Part 2: the input as the fields of a message. */
static void
seal_fields(const uint8_t *data, size_t size)
{
	uint8_t	dg[CMM_WIRE_MAX];
	struct cmm_msg m, got;
	enum cmm_drop why;
	int	n;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)fuzz_take(&data, &size, 1);
	m.flags = (uint8_t)fuzz_take(&data, &size, 1);
	m.vmin = (uint8_t)fuzz_take(&data, &size, 1);
	m.vmax = (uint8_t)fuzz_take(&data, &size, 1);
	m.sender = (uint16_t)fuzz_take(&data, &size, 2);
	/* mostly for us, sometimes not */
	m.dest = (uint16_t)(fuzz_take(&data, &size, 1) & 0x80 ?
	    fuzz_take(&data, &size, 2) : FUZZ_SELF);
	if (fuzz_take(&data, &size, 1) & 1)
		memset(m.digest, FUZZ_DIGEST, sizeof(m.digest));
	else
		m.digest[0] = (uint8_t)fuzz_take(&data, &size, 1);
	m.incarnation = (uint32_t)fuzz_take(&data, &size, 4);
	m.seq = fuzz_take(&data, &size, 8);
	m.epoch = (uint32_t)fuzz_take(&data, &size, 4);
	m.instance = (uint32_t)fuzz_take(&data, &size, 4);
	m.ballot = fuzz_take(&data, &size, 8);
	m.vballot = fuzz_take(&data, &size, 8);
	m.ext = (uint32_t)fuzz_take(&data, &size, 1) & CMM_EXT_CONFIG_VERSION;
	if (m.ext)
		m.config_version = (uint32_t)fuzz_take(&data, &size, 4);
	take_set(&data, &size, &m.members);
	take_set(&data, &size, &m.value);
	take_set(&data, &size, &m.row);
	n = cmm_packet_seal(&keys, cluster, &m, dg, sizeof(dg));
	if (n < 0) {
		/* refused only for what the format cannot carry */
		FUZZ_CHECK(m.type < 1 || m.type > CMM_MSG_TYPE_MAX ||
		    !cmm_set_valid_id(m.sender) || !cmm_set_valid_id(m.dest) ||
		    m.vmin == 0 || m.vmin > m.vmax);
		return;
	}
	FUZZ_CHECK((size_t)n <= CMM_WIRE_MAX);
	cmm_replay_init(win);
	cmm_replay_init(probes);
	why = open_fresh(dg, (size_t)n, &got);
	if (!cmm_wire_version_ok(m.vmin, m.vmax)) {
		FUZZ_CHECK(why == CMM_DROP_VERSION);
		return;
	}
	FUZZ_CHECK(why == expected(&m));
	if (why != CMM_DROP_MISDIRECTED)
		FUZZ_CHECK(cmm_msg_equal(&m, &got));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	open_body(data, size);
	seal_fields(data, size);
	return 0;
}
