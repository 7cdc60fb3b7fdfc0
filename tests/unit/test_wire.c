/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_wire: the datagram codec (net/wire.h): round trips, the exact
 * layout, and every reason a datagram is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/wire.h"
#include "src/rng.h"

#define CID	0x0badcafeu
#define HDR_LEN	50	/* the fixed part of the layout in wire.h */

/* A datagram built by hand, independent of the encoder. */
struct raw {
	uint8_t	b[2 * CMM_WIRE_MAX];
	size_t	n;
};

static void
put8(struct raw *r, unsigned v)
{
	assert_true(r->n < sizeof(r->b));
	r->b[r->n++] = (uint8_t)v;
}

static void
put16(struct raw *r, unsigned v)
{
	put8(r, (v >> 8) & 0xff);
	put8(r, v & 0xff);
}

static void
put32(struct raw *r, uint32_t v)
{
	put16(r, v >> 16);
	put16(r, v & 0xffff);
}

static void
put64(struct raw *r, uint64_t v)
{
	put32(r, (uint32_t)(v >> 32));
	put32(r, (uint32_t)v);
}

/* Header with every field chosen by the caller; round ids all 7. */
static void
raw_header(struct raw *r, uint32_t magic, unsigned version, unsigned type,
    uint32_t cid, unsigned sender)
{
	r->n = 0;
	put32(r, magic);
	put8(r, version);
	put8(r, type);
	put8(r, CMM_MSGF_MEMBER);
	put8(r, 0);
	put32(r, cid);
	put16(r, sender);
	put32(r, 42);			/* incarnation */
	put64(r, 0x0102030405060708ull);	/* seq */
	for (int i = 0; i < 6; i++)
		put32(r, 7);
	assert_int_equal(r->n, HDR_LEN);
}

static void
raw_empty_vecs(struct raw *r, int n)
{
	for (int i = 0; i < n; i++)
		put16(r, 0);
}

static void
raw_tag(struct raw *r)
{
	for (int i = 0; i < CMM_WIRE_MAC_LEN; i++)
		put8(r, 0xee);
}

/* Decodes a heap copy of exactly len bytes, so ASan sees any read past
 * the end. */
static enum cmm_drop
decode_exact(const uint8_t *buf, size_t len, uint32_t cid, struct cmm_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum cmm_drop why;

	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	why = cmm_wire_decode(copy, len, cid, m);
	free(copy);
	return why;
}

static void
random_set(struct cmm_rng *g, struct cmm_set *s)
{
	int kind = (int)cmm_rng_below(g, 4);

	cmm_set_clear(s);
	if (kind == 0)
		return;
	if (kind == 1) {
		for (int i = 0; i < CMM_MAX_NODES; i++)
			cmm_set_add(s, i);
		return;
	}
	for (int n = (int)cmm_rng_below(g, 40); n > 0; n--)
		cmm_set_add(s, (int)cmm_rng_below(g, kind == 2 ? 16 :
		    CMM_MAX_NODES));
}

static void
random_msg(struct cmm_rng *g, struct cmm_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->flags = (uint8_t)cmm_rng_below(g, 4);
	m->sender = (uint16_t)cmm_rng_below(g, CMM_MAX_NODES);
	m->incarnation = (uint32_t)cmm_rng_next(g);
	m->seq = cmm_rng_next(g);
	m->epoch = (uint32_t)cmm_rng_next(g);
	m->round_epoch = (uint32_t)cmm_rng_next(g);
	m->round_attempt = (uint32_t)cmm_rng_next(g);
	m->prev_epoch = (uint32_t)cmm_rng_next(g);
	m->prop_epoch = (uint32_t)cmm_rng_next(g);
	m->prop_attempt = (uint32_t)cmm_rng_next(g);
	random_set(g, &m->members);
	random_set(g, &m->vec);
	random_set(g, &m->row);
	random_set(g, &m->prev);
	random_set(g, &m->prop);
	random_set(g, &m->leavers);
}

static void
assert_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->sender, b->sender);
	assert_int_equal(a->incarnation, b->incarnation);
	assert_true(a->seq == b->seq);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->round_epoch, b->round_epoch);
	assert_int_equal(a->round_attempt, b->round_attempt);
	assert_int_equal(a->prev_epoch, b->prev_epoch);
	assert_int_equal(a->prop_epoch, b->prop_epoch);
	assert_int_equal(a->prop_attempt, b->prop_attempt);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_true(cmm_set_eq(&a->vec, &b->vec));
	assert_true(cmm_set_eq(&a->row, &b->row));
	assert_true(cmm_set_eq(&a->prev, &b->prev));
	assert_true(cmm_set_eq(&a->prop, &b->prop));
	assert_true(cmm_set_eq(&a->leavers, &b->leavers));
}

/* Encodes m and appends a dummy tag; returns the datagram length. */
static size_t
encode_with_tag(const struct cmm_msg *m, uint8_t *buf, size_t cap)
{
	int n = cmm_wire_encode(m, CID, buf, cap);

	assert_true(n >= HDR_LEN);
	assert_true((size_t)n + CMM_WIRE_MAC_LEN <= cap);
	memset(buf + n, 0xa5, CMM_WIRE_MAC_LEN);
	return (size_t)n + CMM_WIRE_MAC_LEN;
}

static void
full_msg(struct cmm_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = CMM_MSG_PROPOSE;
	m->sender = CMM_MAX_NODES - 1;
	m->seq = UINT64_MAX;
	m->incarnation = UINT32_MAX;
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		cmm_set_add(&m->members, i);
		cmm_set_add(&m->vec, i);
		cmm_set_add(&m->row, i);
		cmm_set_add(&m->prev, i);
		cmm_set_add(&m->prop, i);
		cmm_set_add(&m->leavers, i);
	}
}

static void
test_round_trip_every_type(void **state)
{
	struct cmm_rng g;
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;

	cmm_rng_seed(&g, 20240601);
	for (int type = 1; type <= CMM_MSG_TYPE_MAX; type++) {
		for (int iter = 0; iter < 200; iter++) {
			size_t len;

			random_msg(&g, &m, type);
			len = encode_with_tag(&m, buf, sizeof(buf));
			memset(&back, 0x5a, sizeof(back));
			assert_int_equal(decode_exact(buf, len, CID, &back),
			    CMM_DROP_NONE);
			assert_msg_equal(&m, &back);
		}
	}
}

static void
test_full_vectors_fit(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;
	int n;

	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	/* header + 6 * (2 + 128) bytes of vectors */
	assert_int_equal(n, HDR_LEN + 6 * (2 + CMM_MAX_NODES / 8));
	assert_true(n + CMM_WIRE_MAC_LEN <= CMM_WIRE_MAX);
	memset(buf + n, 0, CMM_WIRE_MAC_LEN);
	assert_int_equal(decode_exact(buf, (size_t)n + CMM_WIRE_MAC_LEN, CID,
	    &back), CMM_DROP_NONE);
	assert_msg_equal(&m, &back);
	assert_int_equal(cmm_set_count(&back.leavers), CMM_MAX_NODES);
}

static void
test_encode_cap(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m;
	int n;

	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_true(n > 0);
	/* exactly enough room for body and tag, then one byte less */
	assert_int_equal(cmm_wire_encode(&m, CID, buf,
	    (size_t)n + CMM_WIRE_MAC_LEN), n);
	assert_int_equal(cmm_wire_encode(&m, CID, buf,
	    (size_t)n + CMM_WIRE_MAC_LEN - 1), -1);
	assert_int_equal(cmm_wire_encode(&m, CID, buf, 0), -1);
	assert_int_equal(cmm_wire_encode(&m, CID, buf, 10), -1);
	/* what decode would refuse is never encoded */
	m.sender = CMM_MAX_NODES;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.sender = 0;
	m.type = 0;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.type = CMM_MSG_TYPE_MAX + 1;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
}

/* The encoder writes exactly the layout of wire.h. */
static void
test_exact_layout(void **state)
{
	struct raw want;
	struct cmm_msg m;
	uint8_t buf[CMM_WIRE_MAX];
	int n;

	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.flags = CMM_MSGF_MEMBER;
	m.sender = 0x0123;
	m.incarnation = 42;
	m.seq = 0x0102030405060708ull;
	m.epoch = m.round_epoch = m.round_attempt = 7;
	m.prev_epoch = m.prop_epoch = m.prop_attempt = 7;
	cmm_set_add(&m.members, 0);
	cmm_set_add(&m.members, 9);	/* byte 1, bit 1 */
	cmm_set_add(&m.row, 7);		/* byte 0, bit 7 */

	raw_header(&want, CMM_WIRE_MAGIC, CMM_WIRE_VERSION, CMM_MSG_HEARTBEAT,
	    CID, 0x0123);
	put16(&want, 2);
	put8(&want, 0x01);
	put8(&want, 0x02);
	put16(&want, 0);		/* vec */
	put16(&want, 1);		/* row */
	put8(&want, 0x80);
	raw_empty_vecs(&want, 3);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_int_equal(n, want.n);
	assert_memory_equal(buf, want.b, want.n);
	assert_int_equal(buf[0], 'C');
	assert_int_equal(buf[3], '1');
}

static void
test_short_every_length(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m;
	struct cmm_rng g;
	size_t len;

	/* a message with a vector of every size the truncation can cut */
	cmm_rng_seed(&g, 7);
	random_msg(&g, &m, CMM_MSG_PRESENCE);
	cmm_set_clear(&m.vec);
	cmm_set_add(&m.vec, 100);
	cmm_set_clear(&m.leavers);
	cmm_set_add(&m.leavers, CMM_MAX_NODES - 1);
	len = encode_with_tag(&m, buf, sizeof(buf));
	for (size_t l = 0; l < len; l++) {
		enum cmm_drop why = decode_exact(buf, l, CID, &m);

		if (why != CMM_DROP_SHORT)
			fail_msg("length %zu of %zu: %s, want short", l, len,
			    cmm_drop_name(why));
	}
	/* a vector's bitmap cut off in the middle, tag still present */
	{
		struct raw r;

		raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID, 1);
		raw_empty_vecs(&r, 5);
		put16(&r, 3);
		put8(&r, 1);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_SHORT);
		/* a missing vector length */
		raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID, 1);
		raw_empty_vecs(&r, 5);
		put8(&r, 0);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_SHORT);
	}
}

static void
test_long(void **state)
{
	uint8_t buf[CMM_WIRE_MAX + 64];
	struct cmm_msg m;
	struct raw r;
	int n;

	/* a byte between the last vector and the tag */
	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, 6);
	put8(&r, 0);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_LONG);

	/* over CMM_WIRE_MAX, whatever it holds */
	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_true(n > 0);
	memset(buf + n, 0, sizeof(buf) - (size_t)n);
	assert_int_equal(decode_exact(buf, CMM_WIRE_MAX + 1, CID, &m),
	    CMM_DROP_LONG);
	assert_int_equal(decode_exact(buf, sizeof(buf), CID, &m),
	    CMM_DROP_LONG);
	/* a valid one padded up to the limit: bytes left over */
	assert_int_equal(decode_exact(buf, CMM_WIRE_MAX, CID, &m),
	    CMM_DROP_LONG);
}

static void
test_bad_header_fields(void **state)
{
	struct cmm_msg m;
	struct raw r;
	static const unsigned bad_versions[] = { 0, 2, 255 };
	static const unsigned bad_types[] = { 0, CMM_MSG_TYPE_MAX + 1, 255 };

	raw_header(&r, 0x434d4d32u, 1, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);
	raw_header(&r, 0, 1, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);

	for (size_t i = 0; i < 3; i++) {
		raw_header(&r, CMM_WIRE_MAGIC, bad_versions[i],
		    CMM_MSG_HEARTBEAT, CID, 1);
		raw_empty_vecs(&r, 6);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_VERSION);
	}
	for (size_t i = 0; i < 3; i++) {
		raw_header(&r, CMM_WIRE_MAGIC, 1, bad_types[i], CID, 1);
		raw_empty_vecs(&r, 6);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_TYPE);
	}
	for (unsigned t = 1; t <= CMM_MSG_TYPE_MAX; t++) {
		raw_header(&r, CMM_WIRE_MAGIC, 1, t, CID, 1);
		raw_empty_vecs(&r, 6);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_NONE);
		assert_int_equal(m.type, t);
	}

	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID + 1, 1);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_FOREIGN);
	assert_int_equal(decode_exact(r.b, r.n, CID + 1, &m), CMM_DROP_NONE);

	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID,
	    CMM_MAX_NODES);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID, 0xffff);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_HEARTBEAT, CID,
	    CMM_MAX_NODES - 1);
	raw_empty_vecs(&r, 6);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(m.sender, CMM_MAX_NODES - 1);
}

static void
test_malformed_vectors(void **state)
{
	struct cmm_msg m;
	struct raw r;

	for (int pos = 0; pos < 6; pos++) {
		/* longer than 1024 bits */
		raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_PROPOSE, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, CMM_MAX_NODES / 8 + 1);
		for (int i = 0; i <= CMM_MAX_NODES / 8; i++)
			put8(&r, 0xff);
		raw_empty_vecs(&r, 5 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_MALFORMED);

		/* not of minimum length: a trailing zero byte */
		raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_PROPOSE, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, 2);
		put8(&r, 0x01);
		put8(&r, 0x00);
		raw_empty_vecs(&r, 5 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_MALFORMED);

		/* the same set, canonical, is fine */
		raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_PROPOSE, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, 1);
		put8(&r, 0x01);
		raw_empty_vecs(&r, 5 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_NONE);
	}
	/* a huge length prefix is malformed, never a read past the end */
	raw_header(&r, CMM_WIRE_MAGIC, 1, CMM_MSG_PROPOSE, CID, 1);
	put16(&r, 0xffff);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
}

/* Random bytes and random corruptions of good datagrams: never a crash,
 * never a read past the end (ASan), always a known reason. */
static void
test_garbage(void **state)
{
	struct cmm_rng g;
	uint8_t buf[CMM_WIRE_MAX + 8], good[CMM_WIRE_MAX];
	struct cmm_msg m;
	size_t glen;

	cmm_rng_seed(&g, 99);
	random_msg(&g, &m, CMM_MSG_PROPOSE);
	glen = encode_with_tag(&m, good, sizeof(good));
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;
		enum cmm_drop why;

		if (iter % 2) {
			len = (size_t)cmm_rng_below(&g, sizeof(buf) + 1);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)cmm_rng_next(&g);
		} else {
			len = glen;
			memcpy(buf, good, glen);
			for (int k = (int)cmm_rng_below(&g, 4) + 1; k > 0; k--)
				buf[cmm_rng_below(&g, glen)] ^=
				    (uint8_t)(1u << cmm_rng_below(&g, 8));
		}
		why = decode_exact(buf, len, CID, &m);
		assert_true((int)why >= 0 && (int)why < CMM_DROP__COUNT);
		assert_true(why != CMM_DROP_AUTH && why != CMM_DROP_REPLAY);
		if (why == CMM_DROP_NONE)
			assert_true(cmm_set_valid_id(m.sender));
	}
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static void
test_cluster_id(void **state)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char name[8];
	int found = 0;

	/* published FNV-1a test vectors */
	assert_int_equal(cmm_wire_cluster_id(""), 0x811c9dc5u);
	assert_int_equal(cmm_wire_cluster_id("a"), 0xe40c292cu);
	assert_int_equal(cmm_wire_cluster_id("foobar"), 0xbf9cf968u);
	assert_true(cmm_wire_cluster_id("prod") != cmm_wire_cluster_id("test"));

	/* Build a name whose FNV-1a is 0: a 5-character prefix hashing to
	 * a byte value c, followed by c (xor gives 0, and 0 * prime = 0). */
	for (uint32_t i = 0; i < 62u * 62 * 62 * 62 * 62 && !found; i++) {
		uint32_t x = i, h;

		for (int k = 0; k < 5; k++) {
			name[k] = alnum[x % 62];
			x /= 62;
		}
		name[5] = '\0';
		h = fnv1a(name);
		if (h >= 1 && h <= 255) {
			name[5] = (char)h;
			name[6] = '\0';
			found = 1;
		}
	}
	assert_true(found);
	assert_int_equal(fnv1a(name), 0);
	assert_true(cmm_wire_cluster_id(name) != 0);
}

static void
test_names(void **state)
{
	for (int i = 0; i < CMM_DROP__COUNT; i++) {
		const char *a = cmm_drop_name((enum cmm_drop)i);

		assert_non_null(a);
		assert_true(strcmp(a, "unknown") != 0);
		for (int j = 0; j < i; j++)
			assert_true(strcmp(a, cmm_drop_name((enum cmm_drop)j)));
	}
	assert_string_equal(cmm_drop_name(CMM_DROP_REPLAY), "replay");
	assert_string_equal(cmm_drop_name(CMM_DROP__COUNT), "unknown");
	assert_string_equal(cmm_drop_name((enum cmm_drop)-1), "unknown");
	assert_string_equal(cmm_msg_type_name(CMM_MSG_HEARTBEAT), "HEARTBEAT");
	assert_string_equal(cmm_msg_type_name(CMM_MSG_PROPOSE), "PROPOSE");
	assert_string_equal(cmm_msg_type_name(CMM_MSG_PROBE_ACK), "PROBE_ACK");
	assert_string_equal(cmm_msg_type_name(0), "UNKNOWN");
	assert_string_equal(cmm_msg_type_name(CMM_MSG_TYPE_MAX + 1),
	    "UNKNOWN");
	assert_string_equal(cmm_msg_type_name(-3), "UNKNOWN");
}

/* cmm_msg_equal notices a change in any one field. */
static void
test_msg_equal(void **state)
{
	struct cmm_msg a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.type = CMM_MSG_PROPOSE;
	cmm_set_add(&a.vec, 3);
	b = a;
	assert_true(cmm_msg_equal(&a, &b));
#define DIFFERS(stmt) do { b = a; stmt; assert_false(cmm_msg_equal(&a, &b)); } while (0)
	DIFFERS(b.type = CMM_MSG_PRESENCE);
	DIFFERS(b.flags = 1);
	DIFFERS(b.sender = 1);
	DIFFERS(b.incarnation = 1);
	DIFFERS(b.seq = 1);
	DIFFERS(b.epoch = 1);
	DIFFERS(b.round_epoch = 1);
	DIFFERS(b.round_attempt = 1);
	DIFFERS(b.prev_epoch = 1);
	DIFFERS(b.prop_epoch = 1);
	DIFFERS(b.prop_attempt = 1);
	DIFFERS(cmm_set_add(&b.members, 1));
	DIFFERS(cmm_set_del(&b.vec, 3));
	DIFFERS(cmm_set_add(&b.row, 1));
	DIFFERS(cmm_set_add(&b.prev, 1));
	DIFFERS(cmm_set_add(&b.prop, 1));
	DIFFERS(cmm_set_add(&b.leavers, 1));
#undef DIFFERS
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_msg_equal),
		cmocka_unit_test(test_full_vectors_fit),
		cmocka_unit_test(test_encode_cap),
		cmocka_unit_test(test_exact_layout),
		cmocka_unit_test(test_short_every_length),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_malformed_vectors),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_cluster_id),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
