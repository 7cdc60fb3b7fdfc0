/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_wire: the datagram codec of wire v2 (net/wire.h): round trips of
 * every message type with every field, the exact layout, minimum-length
 * vectors, extensions (known, unknown, newer than the receiver), version
 * ranges, and every reason a datagram is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/wire.h"
#include "src/core/rng.h"
#include "util/fnv.h"

#define CID	0x0badcafeu
/* The fixed part of the layout in wire.h, magic..vballot:
 * 4+1+1+1+1 + 4+16+2+2 + 4+8 + 4+4+8+8 */
#define FIXED_LEN	68
#define VMIN	CMM_PROTO_MIN
#define VMAX	CMM_PROTO_MAX
#define EXT_LEN	7	/* the CONFIG_VERSION extension: tag, length, u32 */
/* The smallest message: the fixed part and three empty vectors.  The
 * decoder calls anything shorter (plus its tag) "short" before it looks
 * at a single byte. */
#define MIN_LEN		(FIXED_LEN + 3 * 2)
#define NVEC		3	/* members, value, row */
#define VEC_MAX		(CMM_MAX_NODES / 8)

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

/* The fixed part with the fields a test varies (vmin = vmax = version);
 * the others are fixed values that test_exact_layout checks one by one. */
static void
raw_header2(struct raw *r, uint32_t magic, unsigned vmin, unsigned vmax,
    unsigned type, uint32_t cid, unsigned sender, unsigned dest)
{
	r->n = 0;
	put32(r, magic);
	put8(r, vmin);
	put8(r, vmax);
	put8(r, type);
	put8(r, CMM_MSGF_MEMBER);	/* flags */
	put32(r, cid);
	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		put8(r, 0x30 + i);	/* digest */
	put16(r, sender);
	put16(r, dest);
	put32(r, 42);			/* incarnation */
	put64(r, 0x0102030405060708ull);	/* seq */
	put32(r, 7);			/* epoch */
	put32(r, 8);			/* instance */
	put64(r, cmm_ballot_make(3, 5));	/* ballot */
	put64(r, cmm_ballot_make(2, 1));	/* vballot */
	assert_int_equal(r->n, FIXED_LEN);
}

static void
raw_header(struct raw *r, uint32_t magic, unsigned version, unsigned type,
    uint32_t cid, unsigned sender)
{
	raw_header2(r, magic, version, version, type, cid, sender, 2);
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

/* A whole good datagram: header, three empty vectors, tag. */
static void
raw_good(struct raw *r, uint32_t magic, unsigned version, unsigned type,
    uint32_t cid, unsigned sender)
{
	raw_header(r, magic, version, type, cid, sender);
	raw_empty_vecs(r, NVEC);
	raw_tag(r);
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
	int kind = (int)cmm_rng_below(g, 5);

	cmm_set_clear(s);
	if (kind == 0)
		return;
	if (kind == 1) {
		for (int i = 0; i < CMM_MAX_NODES; i++)
			cmm_set_add(s, i);
		return;
	}
	if (kind == 2) {
		/* one id: every vector length from 1 to 128 bytes */
		cmm_set_add(s, (int)cmm_rng_below(g, CMM_MAX_NODES));
		return;
	}
	for (int n = (int)cmm_rng_below(g, 40); n > 0; n--)
		cmm_set_add(s, (int)cmm_rng_below(g, kind == 3 ? 16 :
		    CMM_MAX_NODES));
}

/* A ballot as the core makes them, or any 64-bit value: the codec must
 * carry both. */
static cmm_ballot
random_ballot(struct cmm_rng *g)
{
	switch (cmm_rng_below(g, 3)) {
	case 0:
		return CMM_BALLOT_NONE;
	case 1:
		return cmm_ballot_make((uint32_t)cmm_rng_below(g,
		    CMM_BALLOT_MAX_ATTEMPT + 1ull),
		    (int)cmm_rng_below(g, CMM_MAX_NODES));
	default:
		return cmm_rng_next(g);
	}
}

static void
random_msg(struct cmm_rng *g, struct cmm_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->flags = (uint8_t)cmm_rng_next(g);
	/* any range that meets this build's */
	m->vmin = (uint8_t)(1 + cmm_rng_below(g, VMAX));
	m->vmax = (uint8_t)(m->vmin < VMIN ? VMIN : m->vmin) +
	    (uint8_t)cmm_rng_below(g, 50);
	m->sender = (uint16_t)cmm_rng_below(g, CMM_MAX_NODES);
	m->dest = (uint16_t)cmm_rng_below(g, CMM_MAX_NODES);
	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		m->digest[i] = (uint8_t)cmm_rng_next(g);
	if (cmm_rng_below(g, 2)) {
		m->ext = CMM_EXT_CONFIG_VERSION;
		m->config_version = (uint32_t)cmm_rng_next(g);
	}
	m->incarnation = (uint32_t)cmm_rng_next(g);
	m->seq = cmm_rng_next(g);
	m->epoch = (uint32_t)cmm_rng_next(g);
	m->instance = (uint32_t)cmm_rng_next(g);
	m->ballot = random_ballot(g);
	m->vballot = random_ballot(g);
	random_set(g, &m->members);
	random_set(g, &m->value);
	random_set(g, &m->row);
}

static void
assert_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->vmin, b->vmin);
	assert_int_equal(a->vmax, b->vmax);
	assert_int_equal(a->sender, b->sender);
	assert_int_equal(a->dest, b->dest);
	assert_memory_equal(a->digest, b->digest, CMM_DIGEST_LEN);
	assert_int_equal(a->ext, b->ext);
	assert_int_equal(a->config_version, b->config_version);
	assert_int_equal(a->incarnation, b->incarnation);
	assert_true(a->seq == b->seq);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->instance, b->instance);
	assert_true(a->ballot == b->ballot);
	assert_true(a->vballot == b->vballot);
	assert_true(cmm_set_eq(&a->members, &b->members));
	assert_true(cmm_set_eq(&a->value, &b->value));
	assert_true(cmm_set_eq(&a->row, &b->row));
	assert_true(cmm_msg_equal(a, b));
}

/* The length a set's vector takes on the wire: minimum length. */
static size_t
vec_len(const struct cmm_set *s)
{
	int max = cmm_set_max(s);

	return 2 + (max < 0 ? 0 : (size_t)max / 8 + 1);
}

/* Encodes m and appends a dummy tag; returns the datagram length. */
static size_t
encode_with_tag(const struct cmm_msg *m, uint8_t *buf, size_t cap)
{
	int n = cmm_wire_encode(m, CID, buf, cap);

	assert_true(n >= MIN_LEN);
	assert_true((size_t)n + CMM_WIRE_MAC_LEN <= cap);
	memset(buf + n, 0xa5, CMM_WIRE_MAC_LEN);
	return (size_t)n + CMM_WIRE_MAC_LEN;
}

static void
full_msg(struct cmm_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = CMM_MSG_PROMISE;
	m->flags = 0xff;
	m->vmin = VMIN;
	m->vmax = 255;
	m->sender = CMM_MAX_NODES - 1;
	m->dest = CMM_MAX_NODES - 1;
	memset(m->digest, 0xff, CMM_DIGEST_LEN);
	m->ext = CMM_EXT_CONFIG_VERSION;
	m->config_version = UINT32_MAX;
	m->seq = UINT64_MAX;
	m->incarnation = UINT32_MAX;
	m->epoch = UINT32_MAX;
	m->instance = UINT32_MAX;
	m->ballot = UINT64_MAX;
	m->vballot = UINT64_MAX - 1;
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		cmm_set_add(&m->members, i);
		cmm_set_add(&m->value, i);
		cmm_set_add(&m->row, i);
	}
}

/* Every type, random fields: what goes in comes out, and the encoded
 * length is exactly the fixed part plus the minimum-length vectors. */
static void
test_round_trip_every_type(void **state)
{
	struct cmm_rng g;
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;

	(void)state;
	cmm_rng_seed(&g, 20240601);
	for (int type = 1; type <= CMM_MSG_TYPE_MAX; type++) {
		for (int iter = 0; iter < 300; iter++) {
			size_t len;

			random_msg(&g, &m, type);
			len = encode_with_tag(&m, buf, sizeof(buf));
			assert_int_equal(len, FIXED_LEN + vec_len(&m.members) +
			    vec_len(&m.value) + vec_len(&m.row) +
			    (m.ext ? EXT_LEN : 0) + CMM_WIRE_MAC_LEN);
			memset(&back, 0x5a, sizeof(back));
			assert_int_equal(decode_exact(buf, len, CID, &back),
			    CMM_DROP_NONE);
			assert_msg_equal(&m, &back);
		}
	}
}

/* Each round message as the core fills it: the fields that carry meaning
 * for the type (wire.h) survive with exact values. */
static void
test_round_messages(void **state)
{
	static const int types[] = { CMM_MSG_PREPARE, CMM_MSG_PROMISE,
		CMM_MSG_NACK, CMM_MSG_ACCEPT, CMM_MSG_ACCEPTED, CMM_MSG_COMMIT,
		CMM_MSG_LEAVE, CMM_MSG_HEARTBEAT, CMM_MSG_PROBE,
		CMM_MSG_PROBE_ACK };
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t len;

		memset(&m, 0, sizeof(m));
		m.type = (uint8_t)types[i];
		m.flags = CMM_MSGF_MEMBER | CMM_MSGF_ACCEPTOR |
		    CMM_MSGF_PENDING;
		m.vmin = VMIN;
		m.vmax = VMAX;
		m.sender = 1000;
		m.dest = 999;
		m.incarnation = 9;
		m.seq = 77;
		m.epoch = 0x7fffffffu;		/* CMM_EPOCH_LIMIT - 1 */
		m.instance = 0x80000000u;
		m.ballot = cmm_ballot_make(CMM_BALLOT_MAX_ATTEMPT, 1000);
		m.vballot = cmm_ballot_make(0, 1023);
		cmm_set_add(&m.members, 1000);
		cmm_set_add(&m.members, 3);
		cmm_set_add(&m.value, 1023);
		cmm_set_add(&m.row, 0);
		len = encode_with_tag(&m, buf, sizeof(buf));
		assert_int_equal(len, FIXED_LEN + (2 + 126) + (2 + 128) +
		    (2 + 1) + CMM_WIRE_MAC_LEN);
		assert_int_equal(decode_exact(buf, len, CID, &back),
		    CMM_DROP_NONE);
		assert_msg_equal(&m, &back);
		assert_int_equal(cmm_ballot_attempt(back.ballot),
		    CMM_BALLOT_MAX_ATTEMPT);
		assert_int_equal(cmm_ballot_coord(back.ballot), 1000);
		assert_int_equal(cmm_ballot_attempt(back.vballot), 0);
		assert_int_equal(cmm_ballot_coord(back.vballot), 1023);
		assert_int_equal(cmm_set_count(&back.members), 2);
		assert_true(cmm_set_has(&back.value, 1023));
		assert_int_equal(cmm_set_count(&back.row), 1);
	}
}

static void
test_full_vectors_fit(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;
	int n;

	(void)state;
	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	/* header + 3 * (2 + 128) bytes of vectors + the extension */
	assert_int_equal(n, FIXED_LEN + NVEC * (2 + VEC_MAX) + EXT_LEN);
	assert_true(n + CMM_WIRE_MAC_LEN <= CMM_WIRE_MAX);
	memset(buf + n, 0, CMM_WIRE_MAC_LEN);
	assert_int_equal(decode_exact(buf, (size_t)n + CMM_WIRE_MAC_LEN, CID,
	    &back), CMM_DROP_NONE);
	assert_msg_equal(&m, &back);
	assert_int_equal(cmm_set_count(&back.row), CMM_MAX_NODES);
}

static void
test_encode_cap(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m;
	int n;

	(void)state;
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
	assert_int_equal(cmm_wire_encode(&m, CID, buf, CMM_WIRE_MAC_LEN), -1);
	/* what decode would refuse is never encoded */
	m.sender = CMM_MAX_NODES;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.sender = 0;
	m.type = 0;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.type = CMM_MSG_TYPE_MAX + 1;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.type = CMM_MSG_HEARTBEAT;
	m.dest = CMM_MAX_NODES;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.dest = 0;
	m.vmin = 0;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	m.vmin = 5;
	m.vmax = 4;
	assert_int_equal(cmm_wire_encode(&m, CID, buf, sizeof(buf)), -1);
	/* the smallest message fits a buffer of exactly its size */
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.vmin = m.vmax = VMIN;
	assert_int_equal(cmm_wire_encode(&m, CID, buf,
	    MIN_LEN + CMM_WIRE_MAC_LEN), MIN_LEN);
	assert_int_equal(cmm_wire_encode(&m, CID, buf,
	    MIN_LEN + CMM_WIRE_MAC_LEN - 1), -1);
}

/* The encoder writes exactly the layout of wire.h, big-endian, every
 * field in its place. */
static void
test_exact_layout(void **state)
{
	struct raw want;
	struct cmm_msg m;
	uint8_t buf[CMM_WIRE_MAX];
	int n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_PROMISE;
	m.flags = CMM_MSGF_MEMBER | CMM_MSGF_ACCEPTOR;
	m.vmin = 3;
	m.vmax = 4;
	m.sender = 0x0123;
	m.dest = 0x0321;
	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		m.digest[i] = (uint8_t)(0xf0 + i);
	m.incarnation = 0xa1a2a3a4u;
	m.seq = 0x0102030405060708ull;
	m.epoch = 0xb1b2b3b4u;
	m.instance = 0xc1c2c3c4u;
	m.ballot = 0xd1d2d3d4d5d6d7d8ull;
	m.vballot = 0xe1e2e3e4e5e6e7e8ull;
	cmm_set_add(&m.members, 0);
	cmm_set_add(&m.members, 9);	/* byte 1, bit 1 */
	cmm_set_add(&m.value, 1023);	/* byte 127, bit 7 */
	cmm_set_add(&m.row, 7);		/* byte 0, bit 7 */
	m.ext = CMM_EXT_CONFIG_VERSION;
	m.config_version = 0x01020304u;

	want.n = 0;
	put32(&want, CMM_WIRE_MAGIC);
	put8(&want, 3);			/* vmin */
	put8(&want, 4);			/* vmax */
	put8(&want, CMM_MSG_PROMISE);
	put8(&want, CMM_MSGF_MEMBER | CMM_MSGF_ACCEPTOR);
	put32(&want, CID);
	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		put8(&want, 0xf0 + i);
	put16(&want, 0x0123);
	put16(&want, 0x0321);
	put32(&want, 0xa1a2a3a4u);
	put64(&want, 0x0102030405060708ull);
	put32(&want, 0xb1b2b3b4u);
	put32(&want, 0xc1c2c3c4u);
	put64(&want, 0xd1d2d3d4d5d6d7d8ull);
	put64(&want, 0xe1e2e3e4e5e6e7e8ull);
	assert_int_equal(want.n, FIXED_LEN);
	put16(&want, 2);		/* members */
	put8(&want, 0x01);
	put8(&want, 0x02);
	put16(&want, 128);		/* value */
	for (int i = 0; i < 127; i++)
		put8(&want, 0);
	put8(&want, 0x80);
	put16(&want, 1);		/* row */
	put8(&want, 0x80);
	put8(&want, CMM_TLV_CONFIG_VERSION);	/* extension: tag, length */
	put16(&want, 4);
	put32(&want, 0x01020304u);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_int_equal(n, want.n);
	assert_memory_equal(buf, want.b, want.n);
	assert_memory_equal(buf, "CMM2", 4);
	assert_int_equal(CMM_TLV_CONFIG_VERSION, 1);
	assert_int_equal(CMM_TLV_CONFIG_VERSION_SINCE, 4);
	assert_int_equal(CMM_PROTO_MIN, 3);

	/* and the hand-built datagram decodes to the same message */
	{
		struct cmm_msg back;

		memset(want.b + want.n, 0, CMM_WIRE_MAC_LEN);
		assert_int_equal(decode_exact(want.b, want.n + CMM_WIRE_MAC_LEN,
		    CID, &back), CMM_DROP_NONE);
		assert_msg_equal(&m, &back);
	}
}

/* Minimum-length vectors: no trailing zero byte, so one set has one
 * encoding (and the empty set none at all). */
static void
test_vector_minimum_length(void **state)
{
	static const struct { int id; size_t bytes; uint8_t last; } one[] = {
		{ 0, 1, 0x01 }, { 7, 1, 0x80 }, { 8, 2, 0x01 }, { 9, 2, 0x02 },
		{ 63, 8, 0x80 }, { 64, 9, 0x01 }, { 1016, 128, 0x01 },
		{ 1023, 128, 0x80 },
	};
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, back;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.type = CMM_MSG_ACCEPT;
		m.vmin = m.vmax = VMIN;
		cmm_set_add(&m.value, one[i].id);
		n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
		/* members (empty) at FIXED_LEN, value right after it */
		assert_int_equal(n, MIN_LEN + one[i].bytes);
		assert_int_equal(buf[FIXED_LEN], 0);
		assert_int_equal(buf[FIXED_LEN + 1], 0);
		assert_int_equal(buf[FIXED_LEN + 2], one[i].bytes >> 8);
		assert_int_equal(buf[FIXED_LEN + 3], one[i].bytes & 0xff);
		for (size_t k = 0; k + 1 < one[i].bytes; k++)
			assert_int_equal(buf[FIXED_LEN + 4 + k], 0);
		assert_int_equal(buf[FIXED_LEN + 4 + one[i].bytes - 1],
		    one[i].last);
		memset(buf + n, 0, CMM_WIRE_MAC_LEN);
		assert_int_equal(decode_exact(buf, (size_t)n + CMM_WIRE_MAC_LEN,
		    CID, &back), CMM_DROP_NONE);
		assert_int_equal(cmm_set_count(&back.value), 1);
		assert_true(cmm_set_has(&back.value, one[i].id));
	}
	/* a set whose low ids are set costs only its highest id's bytes */
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_ACCEPT;
	m.vmin = m.vmax = VMIN;
	for (int i = 0; i < 20; i++)
		cmm_set_add(&m.row, i);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_int_equal(n, MIN_LEN + 3);
	assert_int_equal(buf[n - 3], 0xff);
	assert_int_equal(buf[n - 2], 0xff);
	assert_int_equal(buf[n - 1], 0x0f);
}

/* The header length: anything shorter than the smallest message and its
 * tag is "short" before even the magic is read; from that length on the
 * fields are looked at. */
static void
test_header_length(void **state)
{
	struct cmm_msg m;
	struct raw r;

	(void)state;
	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID,
	    1);
	assert_int_equal(r.n, MIN_LEN + CMM_WIRE_MAC_LEN);
	assert_int_equal(MIN_LEN + CMM_WIRE_MAC_LEN, 106);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	/* a bad magic at exactly the minimum length is seen as such ... */
	raw_good(&r, 0x58585858u, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);
	/* ... one byte less is short, whatever it holds */
	assert_int_equal(decode_exact(r.b, r.n - 1, CID, &m), CMM_DROP_SHORT);
	assert_int_equal(decode_exact(r.b, FIXED_LEN + CMM_WIRE_MAC_LEN, CID,
	    &m), CMM_DROP_SHORT);
	assert_int_equal(decode_exact(r.b, 0, CID, &m), CMM_DROP_SHORT);
	assert_int_equal(decode_exact(r.b, 1, CID, &m), CMM_DROP_SHORT);
}

static void
test_short_every_length(void **state)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m;
	struct cmm_rng g;
	size_t len;

	(void)state;
	/* a message with a vector of every size the truncation can cut */
	cmm_rng_seed(&g, 7);
	random_msg(&g, &m, CMM_MSG_PROMISE);
	cmm_set_clear(&m.value);
	cmm_set_add(&m.value, 100);
	cmm_set_clear(&m.row);
	cmm_set_add(&m.row, CMM_MAX_NODES - 1);
	/* no extension: cutting one off whole leaves a datagram that only
	 * the MAC can tell from the original */
	m.ext = 0;
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

		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_HEARTBEAT, CID, 1);
		raw_empty_vecs(&r, NVEC - 1);
		put16(&r, 3);
		put8(&r, 1);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_SHORT);
		assert_int_equal(r.n, MIN_LEN + 1 + CMM_WIRE_MAC_LEN);
		/* the first vector promises more than the whole body */
		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_HEARTBEAT, CID, 1);
		put16(&r, VEC_MAX);
		for (int i = 0; i < 10; i++)
			put8(&r, 0xff);
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
	int n;

	(void)state;
	/* over CMM_WIRE_MAX, whatever it holds */
	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	assert_true(n > 0);
	memset(buf + n, 0, sizeof(buf) - (size_t)n);
	assert_int_equal(decode_exact(buf, CMM_WIRE_MAX + 1, CID, &m),
	    CMM_DROP_LONG);
	assert_int_equal(decode_exact(buf, sizeof(buf), CID, &m),
	    CMM_DROP_LONG);
	/* over the limit beats every other reason, even a bad magic */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(decode_exact(buf, CMM_WIRE_MAX + 1, CID, &m),
	    CMM_DROP_LONG);
}

/* What follows the vectors is extensions: a byte or two left over is an
 * extension header cut off, three zero bytes are tag 0, zero padding up
 * to the limit likewise. */
static void
test_trailing_bytes(void **state)
{
	uint8_t buf[CMM_WIRE_MAX + 64];
	struct cmm_msg m;
	struct raw r;
	int n;

	(void)state;
	for (int extra = 1; extra <= 3; extra++) {
		raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
		raw_empty_vecs(&r, NVEC);
		for (int i = 0; i < extra; i++)
			put8(&r, 0);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m), extra < 3 ?
		    CMM_DROP_SHORT : CMM_DROP_MALFORMED);
	}
	/* a valid one padded up to the limit */
	full_msg(&m);
	n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
	memset(buf + n, 0, sizeof(buf) - (size_t)n);
	assert_int_equal(decode_exact(buf, CMM_WIRE_MAX, CID, &m),
	    CMM_DROP_MALFORMED);
}

static void
test_bad_header_fields(void **state)
{
	struct cmm_msg m;
	struct raw r;
	/* below this build's range (2: the format before wire v2), above
	 * it, or no range at all */
	static const unsigned bad_versions[] = { 0, 1, 2, VMAX + 1, 255 };
	static const unsigned bad_types[] = { 0, CMM_MSG_TYPE_MAX + 1, 255 };

	(void)state;
	/* "CMM1": the format before wire v2 */
	raw_good(&r, 0x434d4d31u, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);
	raw_good(&r, 0, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);

	for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]);
	    i++) {
		raw_good(&r, CMM_WIRE_MAGIC, bad_versions[i],
		    CMM_MSG_HEARTBEAT, CID, 1);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_VERSION);
	}
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		raw_good(&r, CMM_WIRE_MAGIC, VMIN, bad_types[i],
		    CID, 1);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_TYPE);
	}
	for (unsigned t = 1; t <= CMM_MSG_TYPE_MAX; t++) {
		raw_good(&r, CMM_WIRE_MAGIC, VMIN, t, CID, 1);
		memset(&m, 0x5a, sizeof(m));
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_NONE);
		assert_int_equal(m.type, t);
		assert_int_equal(m.flags, CMM_MSGF_MEMBER);
		assert_int_equal(m.sender, 1);
		assert_int_equal(m.incarnation, 42);
		assert_true(m.seq == 0x0102030405060708ull);
		assert_int_equal(m.epoch, 7);
		assert_int_equal(m.instance, 8);
		assert_true(m.ballot == cmm_ballot_make(3, 5));
		assert_true(m.vballot == cmm_ballot_make(2, 1));
		assert_true(cmm_set_empty(&m.members));
		assert_true(cmm_set_empty(&m.value));
		assert_true(cmm_set_empty(&m.row));
	}
	/* the checks come in layout order: magic, version, type, cluster */
	raw_good(&r, 0, 9, 99, CID + 1, CMM_MAX_NODES);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MAGIC);
	raw_good(&r, CMM_WIRE_MAGIC, 9, 99, CID + 1, CMM_MAX_NODES);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_VERSION);
	raw_good(&r, CMM_WIRE_MAGIC, VMIN, 99, CID + 1,
	    CMM_MAX_NODES);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_TYPE);
	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT,
	    CID + 1, CMM_MAX_NODES);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_FOREIGN);

	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT,
	    CID + 1, 1);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_FOREIGN);
	assert_int_equal(decode_exact(r.b, r.n, CID + 1, &m), CMM_DROP_NONE);

	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID,
	    CMM_MAX_NODES);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID,
	    0xffff);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	raw_good(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID,
	    CMM_MAX_NODES - 1);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(m.sender, CMM_MAX_NODES - 1);
	/* the destination is a node id too */
	raw_header2(&r, CMM_WIRE_MAGIC, VMIN, VMIN, CMM_MSG_HEARTBEAT, CID, 1,
	    CMM_MAX_NODES);
	raw_empty_vecs(&r, NVEC);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	raw_header2(&r, CMM_WIRE_MAGIC, VMIN, VMIN, CMM_MSG_HEARTBEAT, CID, 1,
	    CMM_MAX_NODES - 1);
	raw_empty_vecs(&r, NVEC);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(m.dest, CMM_MAX_NODES - 1);
	assert_int_equal(m.digest[0], 0x30);
	assert_int_equal(m.digest[15], 0x3f);
}

/* A version range is good when it meets this build's: the sender speaks
 * at least one version the receiver does. */
static void
test_version_ranges(void **state)
{
	static const struct { unsigned lo, hi; bool ok; } r[] = {
		{ VMIN, VMIN, true }, { VMAX, VMAX, true }, { 1, VMIN, true },
		{ VMAX, 255, true }, { 1, 255, true }, { VMIN, VMAX, true },
		{ 0, VMAX, false }, { 1, VMIN - 1, false },
		{ VMAX + 1, 255, false }, { VMAX, VMIN - 1, false },
		{ 0, 0, false }, { 255, 255, false },
	};
	struct cmm_msg m;
	struct raw raw;

	(void)state;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		assert_int_equal(cmm_wire_version_ok(r[i].lo, r[i].hi), r[i].ok);
		raw_header2(&raw, CMM_WIRE_MAGIC, r[i].lo, r[i].hi,
		    CMM_MSG_HEARTBEAT, CID, 1, 2);
		raw_empty_vecs(&raw, NVEC);
		raw_tag(&raw);
		assert_int_equal(decode_exact(raw.b, raw.n, CID, &m), r[i].ok ?
		    CMM_DROP_NONE : CMM_DROP_VERSION);
		if (r[i].ok) {
			assert_int_equal(m.vmin, r[i].lo);
			assert_int_equal(m.vmax, r[i].hi);
		}
	}
	/* what to write to a peer: the highest version both speak, our
	 * lowest until it was heard */
	assert_int_equal(cmm_wire_version_for(0, 0), VMIN);
	assert_int_equal(cmm_wire_version_for(VMIN, VMAX), VMAX);
	assert_int_equal(cmm_wire_version_for(VMIN, 200), VMAX);
	assert_int_equal(cmm_wire_version_for(1, VMIN), VMIN);
	assert_int_equal(cmm_wire_version_for(VMAX + 1, 200), VMIN);
	/* and the extensions each version carries */
	assert_int_equal(cmm_wire_exts(3), 0);
	assert_int_equal(cmm_wire_exts(4), CMM_EXT_CONFIG_VERSION);
	assert_int_equal(cmm_wire_exts(200), CMM_EXT_CONFIG_VERSION);
}

/* Extensions: a known one lands in its field; an unknown one is skipped
 * whole, wherever it is; one newer than the receiver's highest version
 * is skipped like an unknown one; repeated, tag 0, a wrong length or one
 * cut off is refused. */
static void
test_extensions(void **state)
{
	struct cmm_msg m;
	struct raw r;

	(void)state;
	/* unknown tag 200, then the known one, then unknown 77 (empty) */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, NVEC);
	put8(&r, 200);
	put16(&r, 5);
	for (int i = 0; i < 5; i++)
		put8(&r, 0xaa);
	put8(&r, CMM_TLV_CONFIG_VERSION);
	put16(&r, 4);
	put32(&r, 12345);
	put8(&r, 77);
	put16(&r, 0);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(m.ext, CMM_EXT_CONFIG_VERSION);
	assert_int_equal(m.config_version, 12345);

	/* the same bytes to a receiver that speaks up to 3 only: the
	 * extension of version 4 is skipped, the datagram still good */
	memset(&m, 0, sizeof(m));
	assert_int_equal(cmm_wire_decode_prefix(r.b, r.n, CID, &m),
	    CMM_DROP_NONE);
	assert_int_equal(cmm_wire_decode_body(r.b, r.n, 3, &m), CMM_DROP_NONE);
	assert_int_equal(m.ext, 0);
	assert_int_equal(m.config_version, 0);
	assert_int_equal(cmm_wire_decode_body(r.b, r.n, 4, &m), CMM_DROP_NONE);
	assert_int_equal(m.ext, CMM_EXT_CONFIG_VERSION);

	/* an unknown tag of the largest length, filling the datagram */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, NVEC);
	put8(&r, 255);
	put16(&r, CMM_WIRE_MAX - CMM_WIRE_MAC_LEN - MIN_LEN - 3);
	while (r.n < CMM_WIRE_MAX - CMM_WIRE_MAC_LEN)
		put8(&r, 0x55);
	raw_tag(&r);
	assert_int_equal(r.n, CMM_WIRE_MAX);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(m.ext, 0);
	/* ... and one byte longer than what is there */
	r.b[MIN_LEN + 2]++;
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_SHORT);

	/* the known one twice */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, NVEC);
	for (int k = 0; k < 2; k++) {
		put8(&r, CMM_TLV_CONFIG_VERSION);
		put16(&r, 4);
		put32(&r, 1);
	}
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	/* the known one with the wrong length */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, NVEC);
	put8(&r, CMM_TLV_CONFIG_VERSION);
	put16(&r, 3);
	put8(&r, 1);
	put16(&r, 2);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);
	/* ... which a receiver that does not know it skips */
	assert_int_equal(cmm_wire_decode_prefix(r.b, r.n, CID, &m),
	    CMM_DROP_NONE);
	assert_int_equal(cmm_wire_decode_body(r.b, r.n, 3, &m), CMM_DROP_NONE);
	/* tag 0 is never valid, even empty */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_HEARTBEAT, CID, 1);
	raw_empty_vecs(&r, NVEC);
	put8(&r, 0);
	put16(&r, 0);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_MALFORMED);

	/* what the encoder writes for ext = 0: no extension at all */
	{
		uint8_t buf[CMM_WIRE_MAX];
		int n;

		memset(&m, 0, sizeof(m));
		m.type = CMM_MSG_HEARTBEAT;
		m.vmin = m.vmax = VMIN;
		m.config_version = 99;	/* not in ext: not written */
		n = cmm_wire_encode(&m, CID, buf, sizeof(buf));
		assert_int_equal(n, MIN_LEN);
	}
}

/* The prefix decoder reads fixed offsets only: a body that would not
 * parse does not stop it (the MAC is checked between the two). */
static void
test_prefix_alone(void **state)
{
	struct cmm_msg m;
	struct raw r;

	(void)state;
	raw_header2(&r, CMM_WIRE_MAGIC, VMIN, VMAX, CMM_MSG_ACCEPT, CID,
	    CMM_MAX_NODES + 5, 3);
	put16(&r, 0xffff);		/* a vector of 65535 bytes */
	put32(&r, 0);
	raw_tag(&r);
	assert_int_equal(cmm_wire_decode_prefix(r.b, r.n, CID, &m),
	    CMM_DROP_NONE);
	assert_int_equal(m.type, CMM_MSG_ACCEPT);
	assert_int_equal(m.sender, CMM_MAX_NODES + 5);
	assert_int_equal(m.dest, 3);
	assert_int_equal(m.incarnation, 42);
	assert_int_equal(cmm_wire_decode_body(r.b, r.n, VMAX, &m),
	    CMM_DROP_MALFORMED);
	assert_int_equal(CMM_WIRE_PREFIX_LEN, FIXED_LEN);
}

static void
test_malformed_vectors(void **state)
{
	struct cmm_msg m;
	struct raw r;

	(void)state;
	for (int pos = 0; pos < NVEC; pos++) {
		/* longer than 1024 bits */
		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_ACCEPT, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, VEC_MAX + 1);
		for (int i = 0; i <= VEC_MAX; i++)
			put8(&r, 0xff);
		raw_empty_vecs(&r, NVEC - 1 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_MALFORMED);

		/* not of minimum length: a trailing zero byte */
		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_ACCEPT, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, 2);
		put8(&r, 0x01);
		put8(&r, 0x00);
		raw_empty_vecs(&r, NVEC - 1 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_MALFORMED);
		/* a single zero byte is not the empty set either */
		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_ACCEPT, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, 1);
		put8(&r, 0x00);
		raw_empty_vecs(&r, NVEC - 1 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_MALFORMED);

		/* the same set, canonical, is fine, and lands in its field */
		raw_header(&r, CMM_WIRE_MAGIC, VMIN,
		    CMM_MSG_ACCEPT, CID, 1);
		raw_empty_vecs(&r, pos);
		put16(&r, 1);
		put8(&r, 0x01);
		raw_empty_vecs(&r, NVEC - 1 - pos);
		raw_tag(&r);
		assert_int_equal(decode_exact(r.b, r.n, CID, &m),
		    CMM_DROP_NONE);
		assert_int_equal(cmm_set_has(&m.members, 0), pos == 0);
		assert_int_equal(cmm_set_has(&m.value, 0), pos == 1);
		assert_int_equal(cmm_set_has(&m.row, 0), pos == 2);
	}
	/* exactly 128 bytes ending in a non-zero byte is the largest set */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_ACCEPT, CID, 1);
	raw_empty_vecs(&r, 1);
	put16(&r, VEC_MAX);
	for (int i = 0; i < VEC_MAX; i++)
		put8(&r, 0xff);
	raw_empty_vecs(&r, 1);
	raw_tag(&r);
	assert_int_equal(decode_exact(r.b, r.n, CID, &m), CMM_DROP_NONE);
	assert_int_equal(cmm_set_count(&m.value), CMM_MAX_NODES);
	/* a huge length prefix is malformed, never a read past the end */
	raw_header(&r, CMM_WIRE_MAGIC, VMIN, CMM_MSG_ACCEPT, CID, 1);
	put16(&r, 0xffff);
	raw_empty_vecs(&r, 2);
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
	int seen[CMM_DROP__COUNT] = { 0 };

	(void)state;
	cmm_rng_seed(&g, 99);
	random_msg(&g, &m, CMM_MSG_ACCEPTED);
	cmm_set_clear(&m.value);
	cmm_set_add(&m.value, 40);
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
		seen[why]++;
		if (why == CMM_DROP_NONE)
			assert_true(cmm_set_valid_id(m.sender));
	}
	/* the corruptions reach every reason the decoder has */
	for (int i = CMM_DROP_NONE; i <= CMM_DROP_FOREIGN; i++)
		if (seen[i] == 0)
			fail_msg("no input was dropped as %s",
			    cmm_drop_name((enum cmm_drop)i));
}

static void
test_cluster_id(void **state)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char name[8];
	int found = 0;

	(void)state;
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
		h = cmm_fnv32_str(name, CMM_FNV32_OFFSET);
		if (h >= 1 && h <= 255) {
			name[5] = (char)h;
			name[6] = '\0';
			found = 1;
		}
	}
	assert_true(found);
	assert_int_equal(cmm_fnv32_str(name, CMM_FNV32_OFFSET), 0);
	assert_int_equal(cmm_wire_cluster_id(name), 1);
}

static void
test_names(void **state)
{
	static const char *const types[CMM_MSG_TYPE_MAX + 1] = {
		NULL, "HEARTBEAT", "PREPARE", "PROMISE", "NACK", "ACCEPT",
		"ACCEPTED", "COMMIT", "LEAVE", "PROBE", "PROBE_ACK",
	};
	static const char *const drops[CMM_DROP__COUNT] = {
		"none", "short", "long", "magic", "version", "type",
		"malformed", "foreign", "auth", "replay", "misdirected",
		"config", "duplicate",
	};

	(void)state;
	for (int i = 0; i < CMM_DROP__COUNT; i++)
		assert_string_equal(cmm_drop_name((enum cmm_drop)i), drops[i]);
	assert_string_equal(cmm_drop_name(CMM_DROP__COUNT), "unknown");
	assert_string_equal(cmm_drop_name((enum cmm_drop)-1), "unknown");
	/* the numbers are the wire's: they must never move */
	assert_int_equal(CMM_MSG_HEARTBEAT, 1);
	assert_int_equal(CMM_MSG_PREPARE, 2);
	assert_int_equal(CMM_MSG_PROMISE, 3);
	assert_int_equal(CMM_MSG_NACK, 4);
	assert_int_equal(CMM_MSG_ACCEPT, 5);
	assert_int_equal(CMM_MSG_ACCEPTED, 6);
	assert_int_equal(CMM_MSG_COMMIT, 7);
	assert_int_equal(CMM_MSG_LEAVE, 8);
	assert_int_equal(CMM_MSG_PROBE, 9);
	assert_int_equal(CMM_MSG_PROBE_ACK, 10);
	assert_int_equal(CMM_MSG_TYPE_MAX, 10);
	for (int t = 1; t <= CMM_MSG_TYPE_MAX; t++)
		assert_string_equal(cmm_msg_type_name(t), types[t]);
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
	a.type = CMM_MSG_ACCEPT;
	a.vmin = 3;
	a.vmax = 4;
	a.ballot = cmm_ballot_make(1, 2);
	cmm_set_add(&a.value, 3);
	b = a;
	assert_true(cmm_msg_equal(&a, &b));
#define DIFFERS(stmt) do { b = a; stmt; assert_false(cmm_msg_equal(&a, &b)); } while (0)
	DIFFERS(b.type = CMM_MSG_ACCEPTED);
	DIFFERS(b.flags = 1);
	DIFFERS(b.sender = 1);
	DIFFERS(b.incarnation = 1);
	DIFFERS(b.seq = 1);
	DIFFERS(b.epoch = 1);
	DIFFERS(b.instance = 1);
	DIFFERS(b.ballot = cmm_ballot_make(1, 3));
	DIFFERS(b.ballot = CMM_BALLOT_NONE);
	DIFFERS(b.vballot = 1);
	DIFFERS(cmm_set_add(&b.members, 1));
	DIFFERS(cmm_set_del(&b.value, 3));
	DIFFERS(cmm_set_add(&b.value, 1023));
	DIFFERS(cmm_set_add(&b.row, 1));
	DIFFERS(b.vmin = 4);
	DIFFERS(b.vmax = 5);
	DIFFERS(b.dest = 1);
	DIFFERS(b.digest[15] = 1);
	DIFFERS(b.ext = CMM_EXT_CONFIG_VERSION);
	/* a value whose extension is absent is not compared */
	b = a;
	b.config_version = 5;
	assert_true(cmm_msg_equal(&a, &b));
	a.ext = CMM_EXT_CONFIG_VERSION;
	DIFFERS(b.config_version = 5);
#undef DIFFERS
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_round_messages),
		cmocka_unit_test(test_msg_equal),
		cmocka_unit_test(test_full_vectors_fit),
		cmocka_unit_test(test_encode_cap),
		cmocka_unit_test(test_exact_layout),
		cmocka_unit_test(test_vector_minimum_length),
		cmocka_unit_test(test_header_length),
		cmocka_unit_test(test_short_every_length),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_version_ranges),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_prefix_alone),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_malformed_vectors),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_cluster_id),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
