/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arbwire: the arbiter's datagrams (layout in arbwire.h). */
#include <string.h>

#include "src/node/arbwire.h"
#include "util/byteorder.h"

#define AW_MAGIC	"CMMA"
#define AW_HDR		28
#define AW_SET		(8 * CMM_SET_WORDS)

/* A cursor over a buffer; ok turns false on the first overrun. */
struct aw {
	unsigned char	*w;		/* encoding */
	const unsigned char *r;		/* decoding */
	size_t		len, off;
	bool		ok;
};

static bool
aw_room(struct aw *a, size_t n)
{
	if (!a->ok || a->len - a->off < n)
		a->ok = false;
	return a->ok;
}

static void
aw_bytes(struct aw *a, const void *p, size_t n)
{
	if (aw_room(a, n))
		memcpy(a->w + a->off, p, n);
	a->off += a->ok ? n : 0;
}

static void
aw_u8(struct aw *a, uint8_t v)
{
	aw_bytes(a, &v, 1);
}

static void
aw_u16(struct aw *a, uint16_t v)
{
	if (aw_room(a, 2))
		cmm_put_be16(a->w + a->off, v), a->off += 2;
}

static void
aw_u32(struct aw *a, uint32_t v)
{
	if (aw_room(a, 4))
		cmm_put_be32(a->w + a->off, v), a->off += 4;
}

static void
aw_u64(struct aw *a, uint64_t v)
{
	if (aw_room(a, 8))
		cmm_put_be64(a->w + a->off, v), a->off += 8;
}

static void
aw_set(struct aw *a, const struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		aw_u64(a, s->w[i]);
}

static void
aw_name(struct aw *a, const char *name)
{
	size_t n = strlen(name);

	aw_u8(a, (uint8_t)n);
	aw_bytes(a, name, n);
}

static void
ar_bytes(struct aw *a, void *p, size_t n)
{
	if (aw_room(a, n))
		memcpy(p, a->r + a->off, n);
	a->off += a->ok ? n : 0;
}

static uint8_t
ar_u8(struct aw *a)
{
	uint8_t v = 0;

	ar_bytes(a, &v, 1);
	return v;
}

static uint16_t
ar_u16(struct aw *a)
{
	uint16_t v = 0;

	if (aw_room(a, 2))
		v = cmm_get_be16(a->r + a->off), a->off += 2;
	return v;
}

static uint32_t
ar_u32(struct aw *a)
{
	uint32_t v = 0;

	if (aw_room(a, 4))
		v = cmm_get_be32(a->r + a->off), a->off += 4;
	return v;
}

static uint64_t
ar_u64(struct aw *a)
{
	uint64_t v = 0;

	if (aw_room(a, 8))
		v = cmm_get_be64(a->r + a->off), a->off += 8;
	return v;
}

static void
ar_set(struct aw *a, struct cmm_set *s)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		s->w[i] = ar_u64(a);
}

static void
ar_name(struct aw *a, char out[CMM_ARB_NAME_MAX + 1])
{
	size_t n = ar_u8(a);

	if (n > CMM_ARB_NAME_MAX)
		a->ok = false;
	out[0] = '\0';
	ar_bytes(a, out, a->ok ? n : 0);
	out[a->ok ? n : 0] = '\0';
}

bool
cmm_arb_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CMM_ARB_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static void
aw_result(struct aw *a, const struct cmm_arb_msg *m)
{
	const struct cmm_devres *r = &m->res;
	int count = 0;

	aw_u8(a, (uint8_t)r->status);
	aw_u8(a, m->has_rec ? 1 : 0);
	aw_u16(a, 0);
	aw_u32(a, r->slot_instance);
	aw_u64(a, r->slot_promised);
	aw_u64(a, r->slot_accepted);
	aw_set(a, &r->slot_value);
	aw_u32(a, r->committed_epoch);
	aw_set(a, &r->committed);
	aw_u32(a, r->epoch);
	aw_set(a, &r->stale);
	if (!m->has_rec)
		return;
	aw_u32(a, (uint32_t)m->rec.holder);
	aw_u32(a, m->rec.epoch);
	aw_set(a, &m->rec.config);
	for (int i = 0; i < CMM_MAX_NODES; i++)
		count += m->rec.reg_epoch[i] != 0 || m->rec.fence_epoch[i] != 0;
	aw_u16(a, (uint16_t)count);
	for (int i = 0; i < CMM_MAX_NODES; i++)
		if (m->rec.reg_epoch[i] != 0 || m->rec.fence_epoch[i] != 0) {
			aw_u16(a, (uint16_t)i);
			aw_u32(a, m->rec.reg_epoch[i]);
			aw_u32(a, m->rec.fence_epoch[i]);
		}
}

size_t
cmm_arb_encode(const struct cmm_arb_msg *m, const struct cmm_devfile_key *key,
    unsigned char *buf, size_t len)
{
	struct aw a = { .w = buf, .len = len, .ok = true };

	switch (m->type) {
	case CMM_ARB_HELLO:
		if (!cmm_arb_name_ok(m->device))
			return 0;
		break;
	case CMM_ARB_OP:
		if (!cmm_arb_name_ok(m->device) ||
		    !cmm_set_valid_id(m->devop.node) ||
		    (m->op != CMM_ARB_OP_READ &&
		    (m->op < CMM_DEVOP_REGISTER || m->op > CMM_DEVOP_ACCEPT)))
			return 0;
		break;
	case CMM_ARB_RESULT:
		if ((unsigned)m->res.status >= CMM_DEV__COUNT)
			return 0;
		break;
	case CMM_ARB_CHALLENGE:
		break;
	default:
		return 0;
	}
	aw_bytes(&a, AW_MAGIC, 4);
	aw_u8(&a, CMM_ARB_VERSION);
	aw_u8(&a, (uint8_t)m->type);
	aw_u16(&a, 0);
	aw_u32(&a, m->cluster_id);
	aw_bytes(&a, m->nonce, CMM_ARB_NONCE_LEN);
	switch (m->type) {
	case CMM_ARB_HELLO:
		aw_name(&a, m->device);
		break;
	case CMM_ARB_CHALLENGE:
		aw_bytes(&a, m->challenge, CMM_ARB_NONCE_LEN);
		break;
	case CMM_ARB_OP:
		aw_bytes(&a, m->challenge, CMM_ARB_NONCE_LEN);
		aw_name(&a, m->device);
		aw_u8(&a, (uint8_t)m->op);
		aw_u8(&a, 0);
		aw_u16(&a, (uint16_t)m->devop.node);
		aw_u32(&a, m->devop.epoch);
		aw_u64(&a, m->devop.ballot);
		aw_set(&a, &m->devop.set);
		aw_set(&a, &m->devop.departed);
		break;
	case CMM_ARB_RESULT:
		aw_result(&a, m);
		break;
	}
	if (!aw_room(&a, CMM_ARB_TAG_LEN))
		return 0;
	key->mac(buf + a.off, buf, a.off, key->key);
	return a.off + CMM_ARB_TAG_LEN;
}

int
cmm_arb_peek(const unsigned char *buf, size_t len, uint32_t *cluster_id)
{
	if (len < AW_HDR + CMM_ARB_TAG_LEN || memcmp(buf, AW_MAGIC, 4) != 0 ||
	    buf[4] != CMM_ARB_VERSION)
		return -1;
	*cluster_id = cmm_get_be32(buf + 8);
	return 0;
}

static void
ar_result(struct aw *a, struct cmm_arb_msg *m)
{
	struct cmm_devres *r = &m->res;
	int n;

	r->status = (enum cmm_dev_status)ar_u8(a);
	m->has_rec = ar_u8(a) != 0;
	(void)ar_u16(a);
	if ((unsigned)r->status >= CMM_DEV__COUNT)
		a->ok = false;
	r->slot_instance = ar_u32(a);
	r->slot_promised = ar_u64(a);
	r->slot_accepted = ar_u64(a);
	ar_set(a, &r->slot_value);
	r->committed_epoch = ar_u32(a);
	ar_set(a, &r->committed);
	r->epoch = ar_u32(a);
	ar_set(a, &r->stale);
	if (!m->has_rec)
		return;
	cmm_devrec_init(&m->rec);
	m->rec.holder = (int32_t)ar_u32(a);
	if (m->rec.holder != -1 && !cmm_set_valid_id(m->rec.holder))
		a->ok = false;
	m->rec.epoch = ar_u32(a);
	ar_set(a, &m->rec.config);
	m->rec.committed_epoch = r->committed_epoch;
	m->rec.committed = r->committed;
	m->rec.slot_instance = r->slot_instance;
	m->rec.slot_promised = r->slot_promised;
	m->rec.slot_accepted = r->slot_accepted;
	m->rec.slot_value = r->slot_value;
	n = ar_u16(a);
	for (int k = 0; k < n && a->ok; k++) {
		int id = ar_u16(a);

		if (!cmm_set_valid_id(id)) {
			a->ok = false;
			break;
		}
		m->rec.reg_epoch[id] = ar_u32(a);
		m->rec.fence_epoch[id] = ar_u32(a);
		if (m->rec.reg_epoch[id] != 0)
			cmm_set_add(&m->rec.registered, id);
	}
}

int
cmm_arb_decode(const unsigned char *buf, size_t len,
    const struct cmm_devfile_key *key, struct cmm_arb_msg *m)
{
	unsigned char want[CMM_ARB_TAG_LEN], diff = 0;
	struct aw a = { .r = buf, .ok = true };
	uint32_t id;

	if (cmm_arb_peek(buf, len, &id) < 0)
		return -1;
	/* the tag before any parsing, compared in constant time */
	a.len = len - CMM_ARB_TAG_LEN;
	key->mac(want, buf, a.len, key->key);
	for (int i = 0; i < CMM_ARB_TAG_LEN; i++)
		diff |= want[i] ^ buf[a.len + i];
	if (diff != 0)
		return -2;
	memset(m, 0, sizeof(*m));
	a.off = 5;
	m->type = (enum cmm_arb_type)ar_u8(&a);
	(void)ar_u16(&a);
	m->cluster_id = ar_u32(&a);
	ar_bytes(&a, m->nonce, CMM_ARB_NONCE_LEN);
	switch (m->type) {
	case CMM_ARB_HELLO:
		ar_name(&a, m->device);
		break;
	case CMM_ARB_CHALLENGE:
		ar_bytes(&a, m->challenge, CMM_ARB_NONCE_LEN);
		break;
	case CMM_ARB_OP:
		ar_bytes(&a, m->challenge, CMM_ARB_NONCE_LEN);
		ar_name(&a, m->device);
		m->op = ar_u8(&a);
		(void)ar_u8(&a);
		m->devop.op = (enum cmm_dev_op)m->op;
		m->devop.node = ar_u16(&a);
		m->devop.epoch = ar_u32(&a);
		m->devop.ballot = ar_u64(&a);
		ar_set(&a, &m->devop.set);
		ar_set(&a, &m->devop.departed);
		if (m->op > CMM_DEVOP_ACCEPT || !cmm_set_valid_id(m->devop.node))
			a.ok = false;
		break;
	case CMM_ARB_RESULT:
		ar_result(&a, m);
		break;
	default:
		return -1;
	}
	if (!a.ok || a.off != a.len)
		return -1;
	if ((m->type == CMM_ARB_HELLO || m->type == CMM_ARB_OP) &&
	    !cmm_arb_name_ok(m->device))
		return -1;
	return 0;
}
