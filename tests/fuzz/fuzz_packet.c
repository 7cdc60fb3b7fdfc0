/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_packet: the receive path past the MAC (issue 6 "Fuzzing").
 *
 * A fuzzer cannot forge an HMAC, so this harness signs for it, with the
 * fixed key the seed corpus was made with:
 *  1. the input is a datagram body: the harness appends its tag and runs
 *     cmm_packet_open (decode, MAC, replay window).  A body that opens
 *     must not open a second time (replay), and must seal back into a
 *     datagram that opens to the same message under a fresh window.
 *  2. the input is also read as the fields of a struct cmm_msg; whatever
 *     cmm_packet_seal accepts must open to exactly those fields.
 */
#include <sodium.h>

#include "net/packet.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cmm_keys	keys;
static uint32_t		cluster;
static struct cmm_replay *win;

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
	if ((win = malloc(sizeof(*win))) == NULL)
		abort();
	return 0;
}

/* Part 1: the input as a body, signed here. */
static void
open_body(const uint8_t *data, size_t size)
{
	uint8_t	dg[CMM_WIRE_MAX + CMM_WIRE_MAC_LEN], again[CMM_WIRE_MAX];
	struct cmm_msg m, m2;
	size_t	len = size;
	enum cmm_drop why;
	int	n;

	if (len > CMM_WIRE_MAX)
		len = CMM_WIRE_MAX;	/* with its tag, still too long */
	memcpy(dg, data, len);
	len = cmm_mac_seal(&keys, dg, len);
	cmm_replay_init(win);
	why = cmm_packet_open(&keys, win, cluster, dg, len, &m);
	if (why != CMM_DROP_NONE) {
		/* a signed datagram is only ever dropped by the decoder */
		FUZZ_CHECK(why != CMM_DROP_AUTH && why != CMM_DROP_REPLAY);
		FUZZ_CHECK(cmm_wire_decode(dg, len, cluster, &m2) == why);
		return;
	}
	/* DESIGN §2: the same datagram twice is a replay */
	FUZZ_CHECK(cmm_packet_open(&keys, win, cluster, dg, len, &m2) ==
	    CMM_DROP_REPLAY);
	/* a flipped tag bit is "auth", and does not touch the window */
	dg[len - 1] ^= 0x80;
	cmm_replay_init(win);
	FUZZ_CHECK(cmm_packet_open(&keys, win, cluster, dg, len, &m2) ==
	    CMM_DROP_AUTH);
	FUZZ_CHECK(cmm_replay_check(win, m.sender, m.incarnation, m.seq) ==
	    CMM_DROP_NONE);
	n = cmm_packet_seal(&keys, cluster, &m, again, sizeof(again));
	FUZZ_CHECK(n > CMM_WIRE_MAC_LEN);
	FUZZ_CHECK(cmm_packet_open(&keys, win, cluster, again, (size_t)n, &m2) ==
	    CMM_DROP_NONE);
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
	m.sender = (uint16_t)fuzz_take(&data, &size, 2);
	m.incarnation = (uint32_t)fuzz_take(&data, &size, 4);
	m.seq = fuzz_take(&data, &size, 8);
	m.epoch = (uint32_t)fuzz_take(&data, &size, 4);
	m.instance = (uint32_t)fuzz_take(&data, &size, 4);
	m.ballot = fuzz_take(&data, &size, 8);
	m.vballot = fuzz_take(&data, &size, 8);
	take_set(&data, &size, &m.members);
	take_set(&data, &size, &m.value);
	take_set(&data, &size, &m.row);
	n = cmm_packet_seal(&keys, cluster, &m, dg, sizeof(dg));
	if (n < 0) {
		/* refused only for a type or a sender the format cannot carry */
		FUZZ_CHECK(m.type < 1 || m.type > CMM_MSG_TYPE_MAX ||
		    !cmm_set_valid_id(m.sender));
		return;
	}
	FUZZ_CHECK((size_t)n <= CMM_WIRE_MAX);
	cmm_replay_init(win);
	why = cmm_packet_open(&keys, win, cluster, dg, (size_t)n, &got);
	FUZZ_CHECK(why == CMM_DROP_NONE);
	FUZZ_CHECK(cmm_msg_equal(&m, &got));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	open_body(data, size);
	seal_fields(data, size);
	return 0;
}
