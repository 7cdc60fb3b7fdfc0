/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_replay: the anti-replay window (net/replay.h) and the receive
 * pipeline that drives it (net/packet.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/mac.h"
#include "net/packet.h"
#include "net/replay.h"

#define CID	0x00c0ffeeu
#define SELF	7	/* the receiver: every datagram here is addressed to it */

static struct cmm_replay *
new_replay(void)
{
	struct cmm_replay *r = malloc(sizeof(*r));

	assert_non_null(r);
	cmm_replay_init(r);
	return r;
}

/* check, and accept when it passes: what cmm_packet_open does after the
 * MAC */
static enum cmm_drop
take(struct cmm_replay *r, int sender, uint32_t inc, uint64_t seq)
{
	enum cmm_drop why = cmm_replay_check(r, sender, inc, seq);

	if (why == CMM_DROP_NONE)
		cmm_replay_accept(r, sender, inc, seq);
	return why;
}

static void
test_in_order_and_duplicate(void **state)
{
	struct cmm_replay *r = new_replay();

	for (uint64_t s = 1; s <= 200; s++) {
		assert_int_equal(take(r, 4, 1, s), CMM_DROP_NONE);
		assert_int_equal(take(r, 4, 1, s), CMM_DROP_REPLAY);
	}
	/* senders are independent */
	assert_int_equal(take(r, 5, 1, 1), CMM_DROP_NONE);
	assert_int_equal(take(r, 5, 1, 1), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 4, 1, 150), CMM_DROP_REPLAY);
	/* the first packet from a sender may have any seq */
	assert_int_equal(take(r, 1023, 9, 123456789), CMM_DROP_NONE);
	assert_int_equal(take(r, 0, 0, 0), CMM_DROP_NONE);
	assert_int_equal(take(r, 0, 0, 0), CMM_DROP_REPLAY);
	free(r);
}

static void
test_out_of_order_in_window(void **state)
{
	struct cmm_replay *r = new_replay();

	assert_int_equal(take(r, 2, 1, 100), CMM_DROP_NONE);
	/* late but inside the window: accepted once each */
	for (uint64_t s = 99; s > 100 - CMM_REPLAY_WINDOW; s -= 2)
		assert_int_equal(take(r, 2, 1, s), CMM_DROP_NONE);
	for (uint64_t s = 99; s > 100 - CMM_REPLAY_WINDOW; s -= 2)
		assert_int_equal(take(r, 2, 1, s), CMM_DROP_REPLAY);
	/* the ones skipped are still welcome */
	assert_int_equal(take(r, 2, 1, 98), CMM_DROP_NONE);
	assert_int_equal(take(r, 2, 1, 98), CMM_DROP_REPLAY);
	/* a jump ahead keeps what is still inside the window */
	assert_int_equal(take(r, 2, 1, 110), CMM_DROP_NONE);
	assert_int_equal(take(r, 2, 1, 99), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 2, 1, 100), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 2, 1, 105), CMM_DROP_NONE);
	assert_int_equal(take(r, 2, 1, 105), CMM_DROP_REPLAY);
	free(r);
}

static void
test_too_old(void **state)
{
	struct cmm_replay *r = new_replay();

	assert_int_equal(take(r, 3, 1, 1000), CMM_DROP_NONE);
	/* top - 63 is the oldest inside the window, top - 64 is out */
	assert_int_equal(take(r, 3, 1, 1000 - 64), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 3, 1, 0), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 3, 1, 1000 - 63), CMM_DROP_NONE);
	assert_int_equal(take(r, 3, 1, 1000 - 63), CMM_DROP_REPLAY);
	/* a jump of the whole window or more forgets every old bit */
	assert_int_equal(take(r, 3, 1, 1000 + 64), CMM_DROP_NONE);
	assert_int_equal(take(r, 3, 1, 1001), CMM_DROP_NONE);
	assert_int_equal(take(r, 3, 1, 1000), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 3, 1, UINT64_MAX), CMM_DROP_NONE);
	assert_int_equal(take(r, 3, 1, UINT64_MAX), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 3, 1, 1064), CMM_DROP_REPLAY);
	free(r);
}

static void
test_incarnations(void **state)
{
	struct cmm_replay *r = new_replay();

	assert_int_equal(take(r, 7, 5, 500), CMM_DROP_NONE);
	/* the sender restarted: its seq starts over */
	assert_int_equal(take(r, 7, 6, 1), CMM_DROP_NONE);
	assert_int_equal(take(r, 7, 6, 2), CMM_DROP_NONE);
	assert_int_equal(take(r, 7, 6, 1), CMM_DROP_REPLAY);
	/* anything from the old process is a replay, even a new seq */
	assert_int_equal(take(r, 7, 5, 501), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 7, 5, 10000), CMM_DROP_REPLAY);
	assert_int_equal(take(r, 7, 0, 3), CMM_DROP_REPLAY);
	/* a jump of several incarnations is fine too */
	assert_int_equal(take(r, 7, UINT32_MAX, 0), CMM_DROP_NONE);
	assert_int_equal(take(r, 7, 6, 3), CMM_DROP_REPLAY);
	/* forgetting a sender accepts it anew */
	cmm_replay_forget(r, 7);
	assert_int_equal(take(r, 7, 1, 1), CMM_DROP_NONE);
	free(r);
}

static void
test_check_does_not_mutate(void **state)
{
	struct cmm_replay *r = new_replay();
	struct cmm_replay *copy = new_replay();

	assert_int_equal(take(r, 1, 2, 50), CMM_DROP_NONE);
	assert_int_equal(take(r, 1, 2, 48), CMM_DROP_NONE);
	memcpy(copy, r, sizeof(*r));
	assert_int_equal(cmm_replay_check(r, 1, 2, 49), CMM_DROP_NONE);
	assert_int_equal(cmm_replay_check(r, 1, 2, 51), CMM_DROP_NONE);
	assert_int_equal(cmm_replay_check(r, 1, 3, 1), CMM_DROP_NONE);
	assert_int_equal(cmm_replay_check(r, 9, 1, 1), CMM_DROP_NONE);
	assert_int_equal(cmm_replay_check(r, 1, 2, 50), CMM_DROP_REPLAY);
	assert_int_equal(cmm_replay_check(r, 1, 1, 60), CMM_DROP_REPLAY);
	assert_memory_equal(copy, r, sizeof(*r));
	/* checking twice says the same: nothing was recorded */
	assert_int_equal(cmm_replay_check(r, 1, 2, 49), CMM_DROP_NONE);
	assert_int_equal(cmm_replay_check(r, 1, 2, 49), CMM_DROP_NONE);
	free(copy);
	free(r);
}

/* Redundant links: one copy per link is a duplicate, a second copy on a
 * link is a replay, and the window slides every link's record with it. */
static int
take_on(struct cmm_replay *r, int sender, uint32_t inc, uint64_t seq, int link)
{
	enum cmm_drop why = cmm_replay_check_link(r, sender, inc, seq, link);

	if (why == CMM_DROP_NONE || why == CMM_DROP_DUPLICATE)
		cmm_replay_accept_link(r, sender, inc, seq, link);
	return (int)why;
}

static void
test_link_copies(void **state)
{
	struct cmm_replay *r = new_replay();

	(void)state;
	assert_int_equal(take_on(r, 3, 1, 10, 0), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 1, 10, 1), CMM_DROP_DUPLICATE);
	assert_int_equal(take_on(r, 3, 1, 10, 2), CMM_DROP_DUPLICATE);
	assert_int_equal(take_on(r, 3, 1, 10, 1), CMM_DROP_REPLAY);
	assert_int_equal(take_on(r, 3, 1, 10, 0), CMM_DROP_REPLAY);
	/* the copy on link 1 first this time */
	assert_int_equal(take_on(r, 3, 1, 11, 1), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 1, 11, 0), CMM_DROP_DUPLICATE);
	/* a late first copy inside the window, then its twin */
	assert_int_equal(take_on(r, 3, 1, 40, 0), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 1, 12, 1), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 1, 12, 0), CMM_DROP_DUPLICATE);
	assert_int_equal(take_on(r, 3, 1, 12, 0), CMM_DROP_REPLAY);
	/* slid out of the window: a replay on any link */
	assert_int_equal(take_on(r, 3, 1, 200, 0), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 1, 40, 1), CMM_DROP_REPLAY);
	/* a restart forgets the old links' record */
	assert_int_equal(take_on(r, 3, 2, 1, 1), CMM_DROP_NONE);
	assert_int_equal(take_on(r, 3, 2, 1, 0), CMM_DROP_DUPLICATE);
	assert_int_equal(take_on(r, 3, 1, 201, 0), CMM_DROP_REPLAY);
	/* no such link */
	assert_int_equal(cmm_replay_check_link(r, 3, 2, 5, CMM_REPLAY_LINKS),
	    CMM_DROP_MALFORMED);
	assert_int_equal(cmm_replay_check_link(r, 3, 2, 5, -1),
	    CMM_DROP_MALFORMED);
	free(r);
}

static void
test_bad_sender(void **state)
{
	struct cmm_replay *r = new_replay();
	struct cmm_replay *copy = new_replay();

	memcpy(copy, r, sizeof(*r));
	assert_int_equal(cmm_replay_check(r, -1, 1, 1), CMM_DROP_MALFORMED);
	assert_int_equal(cmm_replay_check(r, CMM_MAX_NODES, 1, 1),
	    CMM_DROP_MALFORMED);
	cmm_replay_accept(r, -1, 1, 1);
	cmm_replay_accept(r, CMM_MAX_NODES, 1, 1);
	cmm_replay_forget(r, CMM_MAX_NODES);
	assert_memory_equal(copy, r, sizeof(*r));
	free(copy);
	free(r);
}

static void
keys(struct cmm_keys *k, unsigned char fill)
{
	unsigned char master[CMM_KEY_LEN];

	memset(master, fill, sizeof(master));
	assert_int_equal(cmm_keys_derive(master, k), 0);
}

/* The receive path of node SELF with window r (NULL: none) and cluster
 * id cid. */
static enum cmm_drop
open_as(const struct cmm_keys *k, struct cmm_replay *r, uint32_t cid,
    const uint8_t *buf, size_t len, struct cmm_msg *out)
{
	struct cmm_rx rx = { .keys = k, .cluster_id = cid, .self = SELF,
	    .replay = r };

	return cmm_packet_open(&rx, buf, len, out);
}

static size_t
seal(const struct cmm_keys *k, int type, int sender, uint32_t inc,
    uint64_t seq, uint8_t *buf)
{
	struct cmm_msg m;
	int n;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)type;
	m.vmin = CMM_PROTO_MIN;
	m.vmax = CMM_PROTO_MAX;
	m.sender = (uint16_t)sender;
	m.dest = SELF;
	m.incarnation = inc;
	m.seq = seq;
	m.instance = 4;
	m.ballot = cmm_ballot_make(1, sender);
	cmm_set_add(&m.value, sender);
	n = cmm_packet_seal(k, CID, &m, buf, CMM_WIRE_MAX);
	assert_true(n > 0);
	return (size_t)n;
}

static void
test_forged_does_not_move_window(void **state)
{
	struct cmm_keys good, evil;
	struct cmm_replay *r = new_replay();
	struct cmm_replay *copy = new_replay();
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg out, before;
	size_t len;

	keys(&good, 1);
	keys(&evil, 2);
	len = seal(&good, CMM_MSG_HEARTBEAT, 3, 1, 50, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_NONE);
	assert_int_equal(out.seq, 50);
	memcpy(copy, r, sizeof(*r));
	memset(&out, 0x77, sizeof(out));
	before = out;

	/* far ahead, wrong key: would push 51 out of the window */
	len = seal(&evil, CMM_MSG_HEARTBEAT, 3, 1, 5000, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_AUTH);
	/* the very next seq, wrong key: would make the real one a replay */
	len = seal(&evil, CMM_MSG_HEARTBEAT, 3, 1, 51, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_AUTH);
	/* a new incarnation, wrong key: would reset the window */
	len = seal(&evil, CMM_MSG_HEARTBEAT, 3, 9, 1, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_AUTH);
	/* a good packet with one bit flipped in its tag */
	len = seal(&good, CMM_MSG_HEARTBEAT, 3, 1, 52, buf);
	buf[len - 1] ^= 1;
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_AUTH);
	assert_memory_equal(copy, r, sizeof(*r));
	assert_memory_equal(&before, &out, sizeof(out));

	len = seal(&good, CMM_MSG_HEARTBEAT, 3, 1, 51, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_NONE);
	len = seal(&good, CMM_MSG_HEARTBEAT, 3, 1, 52, buf);
	assert_int_equal(open_as(&good, r, CID, buf, len, &out),
	    CMM_DROP_NONE);
	free(copy);
	free(r);
}

static void
test_packet_replayed(void **state)
{
	struct cmm_keys k;
	struct cmm_replay *r = new_replay();
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg out;
	size_t len;

	keys(&k, 3);
	len = seal(&k, CMM_MSG_LEAVE, 8, 2, 10, buf);
	assert_int_equal(open_as(&k, r, CID, buf, len, &out),
	    CMM_DROP_NONE);
	assert_int_equal(out.type, CMM_MSG_LEAVE);
	assert_int_equal(out.sender, 8);
	assert_true(cmm_set_has(&out.value, 8));
	assert_true(out.ballot == cmm_ballot_make(1, 8));
	assert_int_equal(open_as(&k, r, CID, buf, len, &out),
	    CMM_DROP_REPLAY);
	/* without a window (probes) the same datagram passes */
	assert_int_equal(open_as(&k, NULL, CID, buf, len, &out),
	    CMM_DROP_NONE);
	/* decode errors come before the MAC */
	assert_int_equal(open_as(&k, r, CID + 1, buf, len, &out),
	    CMM_DROP_FOREIGN);
	assert_int_equal(open_as(&k, r, CID, buf, 10, &out),
	    CMM_DROP_SHORT);
	/* a seal that does not fit its buffer fails */
	{
		struct cmm_msg m;

		memset(&m, 0, sizeof(m));
		m.type = CMM_MSG_HEARTBEAT;
		m.vmin = m.vmax = CMM_PROTO_MIN;
		assert_int_equal(cmm_packet_seal(&k, CID, &m, buf, 60), -1);
	}
	free(r);
}

/* An ACCEPT overtaken by a later heartbeat must still count: the window
 * is per sender, not per message type, and reordering is normal. */
static void
test_accept_overtaken_by_heartbeat(void **state)
{
	struct cmm_keys k;
	struct cmm_replay *r = new_replay();
	uint8_t propose[CMM_WIRE_MAX], hb[CMM_WIRE_MAX];
	struct cmm_msg out;
	size_t plen, hlen;

	keys(&k, 4);
	plen = seal(&k, CMM_MSG_ACCEPT, 5, 3, 20, propose);
	hlen = seal(&k, CMM_MSG_HEARTBEAT, 5, 3, 21, hb);
	assert_int_equal(open_as(&k, r, CID, hb, hlen, &out),
	    CMM_DROP_NONE);
	assert_int_equal(out.type, CMM_MSG_HEARTBEAT);
	assert_int_equal(open_as(&k, r, CID, propose, plen, &out),
	    CMM_DROP_NONE);
	assert_int_equal(out.type, CMM_MSG_ACCEPT);
	assert_int_equal(out.seq, 20);
	/* and only once */
	assert_int_equal(open_as(&k, r, CID, propose, plen, &out),
	    CMM_DROP_REPLAY);
	assert_int_equal(open_as(&k, r, CID, hb, hlen, &out),
	    CMM_DROP_REPLAY);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_duplicate),
		cmocka_unit_test(test_out_of_order_in_window),
		cmocka_unit_test(test_too_old),
		cmocka_unit_test(test_incarnations),
		cmocka_unit_test(test_check_does_not_mutate),
		cmocka_unit_test(test_bad_sender),
		cmocka_unit_test(test_link_copies),
		cmocka_unit_test(test_forged_does_not_move_window),
		cmocka_unit_test(test_packet_replayed),
		cmocka_unit_test(test_accept_overtaken_by_heartbeat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
