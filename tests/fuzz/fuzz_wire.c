/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_wire: the datagram decoder on raw bytes (docs/PROTOCOL.md
 * "Messages").
 *
 * The input is a whole datagram, MAC included.  Whatever it is, decoding
 * must return a reason or a message, never crash; a message that decodes
 * must encode again and decode to the same fields (the codec is its own
 * oracle).  The whole receive path (cmm_packet_open) must drop what the
 * prefix decoder drops, and everything past a good prefix as "auth",
 * unless it carries the tag of the fixed key the seeds were sealed with:
 * the body is never parsed before the MAC.  fuzz_packet.c is the harness
 * that gets past the MAC.
 */
#include <sodium.h>

#include "net/packet.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the seeds are addressed to node 1 (tests/fuzz/gen_corpus.c) */
#define FUZZ_SELF	1

static struct cmm_keys	keys;
static struct cmm_replay replay;
static uint32_t		cluster;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char master[CMM_KEY_LEN];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	/* the seed corpus is made with this key and cluster name */
	for (int i = 0; i < CMM_KEY_LEN; i++)
		master[i] = (unsigned char)i;
	if (cmm_keys_derive(master, &keys) != 0)
		abort();
	cluster = cmm_wire_cluster_id("fuzz");
	cmm_replay_init(&replay);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	buf[CMM_WIRE_MAX];
	struct cmm_msg m, again, opened;
	struct cmm_rx rx = { .keys = &keys, .self = FUZZ_SELF,
	    .replay = &replay };
	enum cmm_drop why, pre, why2;
	int	n;

	rx.cluster_id = cluster;
	pre = cmm_wire_decode_prefix(data, size, cluster, &m);
	why = cmm_wire_decode(data, size, cluster, &m);
	FUZZ_CHECK((int)why >= 0 && why < CMM_DROP__COUNT);
	FUZZ_CHECK(cmm_drop_name(why) != NULL);
	FUZZ_CHECK(pre == CMM_DROP_NONE || why == pre);
	/* the MAC was never computed for fuzzed bytes: a prefix failure, or
	 * "auth", comes out of the receive path, and the window stays */
	why2 = cmm_packet_open(&rx, data, size, &opened);
	if (pre != CMM_DROP_NONE) {
		FUZZ_CHECK(why2 == pre);
		return 0;
	}
	if (why2 != CMM_DROP_AUTH) {
		/* a seed sealed with the harness key: past the MAC the body
		 * decides (or the destination, or the window); reset the
		 * window so one input never depends on another */
		FUZZ_CHECK(why2 == why || (why == CMM_DROP_NONE &&
		    (why2 == CMM_DROP_MISDIRECTED || why2 == CMM_DROP_REPLAY)));
		cmm_replay_init(&replay);
	}
	if (why != CMM_DROP_NONE)
		return 0;
	FUZZ_CHECK(size <= CMM_WIRE_MAX);
	FUZZ_CHECK(cmm_msg_type_name(m.type) != NULL);
	FUZZ_CHECK(cmm_set_valid_id(m.sender) && cmm_set_valid_id(m.dest));
	FUZZ_CHECK(cmm_wire_version_ok(m.vmin, m.vmax));
	/* what decodes, encodes; and decodes to the same message (unknown
	 * extensions are not written back: at most as long as the input) */
	n = cmm_wire_encode(&m, cluster, buf, sizeof(buf));
	FUZZ_CHECK(n > 0 && (size_t)n + CMM_WIRE_MAC_LEN <= sizeof(buf));
	FUZZ_CHECK((size_t)n + CMM_WIRE_MAC_LEN <= size);
	memset(buf + n, 0, CMM_WIRE_MAC_LEN);
	why = cmm_wire_decode(buf, (size_t)n + CMM_WIRE_MAC_LEN, cluster,
	    &again);
	FUZZ_CHECK(why == CMM_DROP_NONE);
	FUZZ_CHECK(cmm_msg_equal(&m, &again));
	/* the same bytes under another cluster's id are foreign */
	why = cmm_wire_decode(data, size, cluster ^ 1u, &again);
	FUZZ_CHECK(why == CMM_DROP_FOREIGN);
	return 0;
}
