/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The arbiter's datagrams (src/node/arbwire.c): every type round-trips
 * field for field, the tag covers every byte (one flipped bit anywhere is
 * refused before parsing), a datagram tagged with another key is refused,
 * a truncated or padded one is malformed, and the encoder refuses what it
 * must not send (bad names, ops, node ids).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "src/node/arbwire.h"
#include "src/node/devkey.h"

static struct cmm_devfile_key key, other;
static struct cmm_arb_msg m, d;
static unsigned char buf[CMM_ARB_MSG_MAX];

static void
fill_header(enum cmm_arb_type t)
{
	memset(&m, 0, sizeof(m));
	m.type = t;
	m.cluster_id = 0xdeadbeef;
	for (int i = 0; i < CMM_ARB_NONCE_LEN; i++) {
		m.nonce[i] = (unsigned char)(i + 1);
		m.challenge[i] = (unsigned char)(0xf0 - i);
	}
	strcpy(m.device, "quorum-d.01");
}

/* encode, decode with the right key; the length */
static size_t
roundtrip(void)
{
	size_t n = cmm_arb_encode(&m, &key, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(cmm_arb_decode(buf, n, &key, &d), 0);
	assert_int_equal(d.type, m.type);
	assert_int_equal(d.cluster_id, m.cluster_id);
	assert_memory_equal(d.nonce, m.nonce, CMM_ARB_NONCE_LEN);
	return n;
}

static void
test_hello_challenge(void **state)
{
	uint32_t id;

	(void)state;
	fill_header(CMM_ARB_HELLO);
	roundtrip();
	assert_string_equal(d.device, "quorum-d.01");
	assert_int_equal(cmm_arb_peek(buf, sizeof(buf), &id), 0);
	assert_int_equal(id, 0xdeadbeef);
	fill_header(CMM_ARB_CHALLENGE);
	roundtrip();
	assert_memory_equal(d.challenge, m.challenge, CMM_ARB_NONCE_LEN);
}

static void
test_op(void **state)
{
	(void)state;
	fill_header(CMM_ARB_OP);
	m.op = CMM_DEVOP_FENCE;
	m.devop.op = CMM_DEVOP_FENCE;
	m.devop.node = 1023;
	m.devop.epoch = 77;
	m.devop.ballot = cmm_ballot_make(5, 3);
	cmm_set_add(&m.devop.set, 0);
	cmm_set_add(&m.devop.set, 1023);
	cmm_set_add(&m.devop.departed, 512);
	roundtrip();
	assert_memory_equal(d.challenge, m.challenge, CMM_ARB_NONCE_LEN);
	assert_string_equal(d.device, m.device);
	assert_int_equal(d.op, CMM_DEVOP_FENCE);
	assert_int_equal(d.devop.op, CMM_DEVOP_FENCE);
	assert_int_equal(d.devop.node, 1023);
	assert_int_equal(d.devop.epoch, 77);
	assert_true(d.devop.ballot == m.devop.ballot);
	assert_true(cmm_set_eq(&d.devop.set, &m.devop.set));
	assert_true(cmm_set_eq(&d.devop.departed, &m.devop.departed));
	m.op = CMM_ARB_OP_READ;
	roundtrip();
	assert_int_equal(d.op, CMM_ARB_OP_READ);
}

static void
test_result(void **state)
{
	(void)state;
	fill_header(CMM_ARB_RESULT);
	m.res.status = CMM_DEV_NACK;
	m.res.slot_instance = 9;
	m.res.slot_promised = cmm_ballot_make(2, 1);
	m.res.slot_accepted = cmm_ballot_make(1, 0);
	cmm_set_add(&m.res.slot_value, 1);
	m.res.committed_epoch = 8;
	cmm_set_add(&m.res.committed, 0);
	cmm_set_add(&m.res.committed, 1);
	m.res.epoch = 8;
	cmm_set_add(&m.res.stale, 7);
	roundtrip();
	assert_false(d.has_rec);
	assert_memory_equal(&d.res, &m.res, sizeof(m.res));

	/* a read's answer carries the record */
	m.res.status = CMM_DEV_OK;
	m.has_rec = true;
	cmm_devrec_init(&m.rec);
	m.rec.holder = 1;
	m.rec.epoch = 8;
	cmm_set_add(&m.rec.config, 1);
	m.rec.reg_epoch[1] = 8;
	m.rec.fence_epoch[0] = 8;
	m.rec.reg_epoch[1000] = 3;
	roundtrip();
	assert_true(d.has_rec);
	assert_int_equal(d.rec.holder, 1);
	assert_int_equal(d.rec.epoch, 8);
	assert_true(cmm_set_eq(&d.rec.config, &m.rec.config));
	assert_int_equal(d.rec.reg_epoch[1], 8);
	assert_int_equal(d.rec.fence_epoch[0], 8);
	assert_int_equal(d.rec.reg_epoch[1000], 3);
	assert_int_equal(d.rec.reg_epoch[0], 0);
	assert_true(cmm_set_has(&d.rec.registered, 1000));
	assert_false(cmm_set_has(&d.rec.registered, 0));
	assert_int_equal(d.rec.slot_instance, 9);
	assert_int_equal(d.rec.committed_epoch, 8);
}

static void
test_tag(void **state)
{
	size_t n;

	(void)state;
	fill_header(CMM_ARB_OP);
	m.op = CMM_DEVOP_PROMISE;
	m.devop.node = 1;
	m.devop.epoch = 4;
	n = cmm_arb_encode(&m, &key, buf, sizeof(buf));
	assert_true(n > 0);
	/* the tag of another key */
	assert_int_equal(cmm_arb_decode(buf, n, &other, &d), -2);
	/* a flipped bit after the version byte: refused by the tag */
	for (size_t i = 5; i < n; i++) {
		buf[i] ^= 0x10;
		assert_int_equal(cmm_arb_decode(buf, n, &key, &d), -2);
		buf[i] ^= 0x10;
	}
	assert_int_equal(cmm_arb_decode(buf, n, &key, &d), 0);
	/* truncated: too short for a header, or the tag no longer matches */
	assert_int_equal(cmm_arb_decode(buf, 20, &key, &d), -1);
	assert_true(cmm_arb_decode(buf, n - 1, &key, &d) < 0);
	/* another magic or version is not ours */
	buf[4] = 2;
	assert_int_equal(cmm_arb_decode(buf, n, &key, &d), -1);
}

static void
test_refused(void **state)
{
	(void)state;
	fill_header(CMM_ARB_HELLO);
	strcpy(m.device, ".hidden");
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	strcpy(m.device, "a/b");
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	m.device[0] = '\0';
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	fill_header(CMM_ARB_OP);
	m.op = CMM_DEVOP_ACCEPT + 1;
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	m.op = CMM_DEVOP_REGISTER;
	m.devop.node = CMM_MAX_NODES;
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	fill_header(CMM_ARB_RESULT);
	m.res.status = (enum cmm_dev_status)CMM_DEV__COUNT;
	assert_int_equal(cmm_arb_encode(&m, &key, buf, sizeof(buf)), 0);
	/* no room */
	fill_header(CMM_ARB_HELLO);
	assert_int_equal(cmm_arb_encode(&m, &key, buf, 30), 0);
	assert_true(cmm_arb_name_ok("d01"));
	assert_false(cmm_arb_name_ok("d 01"));
}

int
main(void)
{
	static const unsigned char k1[CMM_DEVFILE_KEY_LEN] = { 1, 2, 3 };
	static const unsigned char k2[CMM_DEVFILE_KEY_LEN] = { 3, 2, 1 };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_challenge),
		cmocka_unit_test(test_op),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_refused),
	};

	cmm_devkey_init(&key, k1);
	cmm_devkey_init(&other, k2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
