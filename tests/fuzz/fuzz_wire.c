/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_wire: the datagram decoder on raw bytes (issue 6 "Fuzzing").
 *
 * The input is a whole datagram, MAC included.  Whatever it is, decoding
 * must return a reason or a message, never crash; a message that decodes
 * must encode again and decode to the same fields (the codec is its own
 * oracle); the whole receive path (cmm_packet_open) must drop what the
 * decoder drops and everything else as "auth", unless it carries the
 * tag of the fixed key the seeds were sealed with.
 * fuzz_packet.c is the harness that gets past the MAC.
 */
#include <sodium.h>

#include "net/packet.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	enum cmm_drop why, why2;
	int	n;

	why = cmm_wire_decode(data, size, cluster, &m);
	FUZZ_CHECK((int)why >= 0 && why < CMM_DROP__COUNT);
	FUZZ_CHECK(cmm_drop_name(why) != NULL);
	/* the MAC was never computed for fuzzed bytes: only a decode failure
	 * or "auth" may come out of the receive path, and the window stays */
	why2 = cmm_packet_open(&keys, &replay, cluster, data, size, &opened);
	if (why != CMM_DROP_NONE) {
		FUZZ_CHECK(why2 == why);
		return 0;
	}
	/* a seed sealed with the harness key opens (and moves the window:
	 * reset it, so one input never depends on another) */
	FUZZ_CHECK(why2 == CMM_DROP_AUTH || why2 == CMM_DROP_NONE);
	if (why2 == CMM_DROP_NONE)
		cmm_replay_init(&replay);
	FUZZ_CHECK(size <= CMM_WIRE_MAX);
	FUZZ_CHECK(cmm_msg_type_name(m.type) != NULL);
	FUZZ_CHECK(cmm_set_valid_id(m.sender));
	/* what decodes, encodes; and decodes to the same message */
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
