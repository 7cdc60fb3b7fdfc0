/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wire: the cmm datagram codec; see wire.h for the layout.  libc only. */
#include "net/wire.h"

#include <string.h>

#include "util/byteorder.h"
#include "util/fnv.h"

/* magic..vballot: 4+1+1+1+1 + 4+16+2+2 + 4+8 + 4+4+8+8 */
_Static_assert(CMM_WIRE_PREFIX_LEN == 68, "prefix length");
/* the smallest datagram: the prefix, three empty vectors, the tag */
#define WIRE_MIN_LEN	(CMM_WIRE_PREFIX_LEN + 3 * 2 + CMM_WIRE_MAC_LEN)
#define WIRE_VEC_MAX	(CMM_MAX_NODES / 8)
#define WIRE_TLV_HDR	3	/* u8 tag, u16 length */

/* A cursor over the bytes of one datagram; every read checks its bounds. */
struct wire_rd {
	const uint8_t	*p;
	size_t		 left;
};

struct wire_wr {
	uint8_t		*p;
	size_t		 left;
	int		 overflow;
};

static void	wr_u8(struct wire_wr *w, uint8_t v);
static void	wr_bytes(struct wire_wr *w, const uint8_t *b, size_t n);
static void	wr_u16(struct wire_wr *w, uint16_t v);
static void	wr_u32(struct wire_wr *w, uint32_t v);
static void	wr_u64(struct wire_wr *w, uint64_t v);
static void	wr_vec(struct wire_wr *w, const struct cmm_set *s);
static int	rd_u8(struct wire_rd *r, uint8_t *v);
static int	rd_u16(struct wire_rd *r, uint16_t *v);
static int	rd_u32(struct wire_rd *r, uint32_t *v);
static int	rd_u64(struct wire_rd *r, uint64_t *v);
static enum cmm_drop rd_vec(struct wire_rd *r, struct cmm_set *s);
static void	wr_exts(struct wire_wr *w, const struct cmm_msg *m);
static enum cmm_drop rd_exts(struct wire_rd *r, unsigned vmax,
		    struct cmm_msg *m);

static const char *const drop_names[CMM_DROP__COUNT] = {
	[CMM_DROP_NONE] = "none",
	[CMM_DROP_SHORT] = "short",
	[CMM_DROP_LONG] = "long",
	[CMM_DROP_MAGIC] = "magic",
	[CMM_DROP_VERSION] = "version",
	[CMM_DROP_TYPE] = "type",
	[CMM_DROP_MALFORMED] = "malformed",
	[CMM_DROP_FOREIGN] = "foreign",
	[CMM_DROP_AUTH] = "auth",
	[CMM_DROP_REPLAY] = "replay",
	[CMM_DROP_MISDIRECTED] = "misdirected",
	[CMM_DROP_CONFIG] = "config",
	[CMM_DROP_DUPLICATE] = "duplicate",
};

static const char *const type_names[CMM_MSG_TYPE_MAX + 1] = {
	[CMM_MSG_HEARTBEAT] = "HEARTBEAT",
	[CMM_MSG_PREPARE] = "PREPARE",
	[CMM_MSG_PROMISE] = "PROMISE",
	[CMM_MSG_NACK] = "NACK",
	[CMM_MSG_ACCEPT] = "ACCEPT",
	[CMM_MSG_ACCEPTED] = "ACCEPTED",
	[CMM_MSG_COMMIT] = "COMMIT",
	[CMM_MSG_LEAVE] = "LEAVE",
	[CMM_MSG_PROBE] = "PROBE",
	[CMM_MSG_PROBE_ACK] = "PROBE_ACK",
};

/* Name of a drop reason, for counters and logs. */
const char *
cmm_drop_name(enum cmm_drop why)
{
	if ((int)why < 0 || why >= CMM_DROP__COUNT)
		return "unknown";
	return drop_names[why];
}

/* Name of a message type, "UNKNOWN" for anything else. */
const char *
cmm_msg_type_name(int type)
{
	if (type < 1 || type > CMM_MSG_TYPE_MAX)
		return "UNKNOWN";
	return type_names[type];
}

/* 32-bit FNV-1a of the name; 0 is kept free to mean "no cluster". */
uint32_t
cmm_wire_cluster_id(const char *name)
{
	uint32_t h = cmm_fnv32_str(name, CMM_FNV32_OFFSET);

	return h == 0 ? 1 : h;
}

static void
wr_u8(struct wire_wr *w, uint8_t v)
{
	if (w->left < 1) {
		w->overflow = 1;
		return;
	}
	*w->p++ = v;
	w->left--;
}

/* n bytes, or none and the overflow flag */
static void
wr_bytes(struct wire_wr *w, const uint8_t *b, size_t n)
{
	if (w->left < n) {
		w->overflow = 1;
		return;
	}
	memcpy(w->p, b, n);
	w->p += n;
	w->left -= n;
}

/* wire integers are big-endian (wire.h) */
static void
wr_u16(struct wire_wr *w, uint16_t v)
{
	uint8_t b[2];

	cmm_put_be16(b, v);
	wr_bytes(w, b, sizeof(b));
}

static void
wr_u32(struct wire_wr *w, uint32_t v)
{
	uint8_t b[4];

	cmm_put_be32(b, v);
	wr_bytes(w, b, sizeof(b));
}

static void
wr_u64(struct wire_wr *w, uint64_t v)
{
	uint8_t b[8];

	cmm_put_be64(b, v);
	wr_bytes(w, b, sizeof(b));
}

/* Minimum-length bitmap: no trailing zero byte, so one set has one
 * encoding. */
static void
wr_vec(struct wire_wr *w, const struct cmm_set *s)
{
	int max = cmm_set_max(s);
	int nbytes = max < 0 ? 0 : max / 8 + 1;

	wr_u16(w, (uint16_t)nbytes);
	for (int i = 0; i < nbytes; i++)
		wr_u8(w, (uint8_t)(s->w[i / 8] >> (8 * (i % 8))));
}

/* The known extensions of m->ext, in tag order. */
static void
wr_exts(struct wire_wr *w, const struct cmm_msg *m)
{
	if (m->ext & CMM_EXT_CONFIG_VERSION) {
		wr_u8(w, CMM_TLV_CONFIG_VERSION);
		wr_u16(w, 4);
		wr_u32(w, m->config_version);
	}
	if ((m->ext & CMM_EXT_SUSPECT) && !cmm_set_empty(&m->suspect)) {
		int max = cmm_set_max(&m->suspect);

		wr_u8(w, CMM_TLV_SUSPECT);
		wr_u16(w, (uint16_t)(max / 8 + 1));
		for (int i = 0; i <= max / 8; i++)
			wr_u8(w, (uint8_t)(m->suspect.w[i / 8] >> (8 * (i % 8))));
	}
}

int
cmm_wire_encode(const struct cmm_msg *m, uint32_t cluster_id, uint8_t *buf,
    size_t cap)
{
	struct wire_wr w;

	/* never emit what cmm_wire_decode would refuse whatever the
	 * receiver (a version range that misses the receiver's is the one
	 * thing a sender may mean to do: tests of old peers) */
	if (m->type < 1 || m->type > CMM_MSG_TYPE_MAX ||
	    !cmm_set_valid_id(m->sender) || !cmm_set_valid_id(m->dest) ||
	    m->vmin == 0 || m->vmin > m->vmax || cap < CMM_WIRE_MAC_LEN)
		return -1;
	w.p = buf;
	w.left = cap - CMM_WIRE_MAC_LEN;
	if (w.left > CMM_WIRE_MAX - CMM_WIRE_MAC_LEN)
		w.left = CMM_WIRE_MAX - CMM_WIRE_MAC_LEN;
	w.overflow = 0;

	wr_u32(&w, CMM_WIRE_MAGIC);
	wr_u8(&w, m->vmin);
	wr_u8(&w, m->vmax);
	wr_u8(&w, m->type);
	wr_u8(&w, m->flags);
	wr_u32(&w, cluster_id);
	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		wr_u8(&w, m->digest[i]);
	wr_u16(&w, m->sender);
	wr_u16(&w, m->dest);
	wr_u32(&w, m->incarnation);
	wr_u64(&w, m->seq);
	wr_u32(&w, m->epoch);
	wr_u32(&w, m->instance);
	wr_u64(&w, m->ballot);
	wr_u64(&w, m->vballot);
	wr_vec(&w, &m->members);
	wr_vec(&w, &m->value);
	wr_vec(&w, &m->row);
	wr_exts(&w, m);
	if (w.overflow)
		return -1;
	return (int)(w.p - buf);
}

static int
rd_u8(struct wire_rd *r, uint8_t *v)
{
	if (r->left < 1)
		return -1;
	*v = *r->p++;
	r->left--;
	return 0;
}

static int
rd_u16(struct wire_rd *r, uint16_t *v)
{
	if (r->left < 2)
		return -1;
	*v = cmm_get_be16(r->p);
	r->p += 2;
	r->left -= 2;
	return 0;
}

static int
rd_u32(struct wire_rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = cmm_get_be32(r->p);
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
rd_u64(struct wire_rd *r, uint64_t *v)
{
	if (r->left < 8)
		return -1;
	*v = cmm_get_be64(r->p);
	r->p += 8;
	r->left -= 8;
	return 0;
}

/* A vector: too long or not of minimum length is malformed, cut off is
 * short. */
static enum cmm_drop
rd_vec(struct wire_rd *r, struct cmm_set *s)
{
	uint16_t nbytes;

	cmm_set_clear(s);
	if (rd_u16(r, &nbytes) < 0)
		return CMM_DROP_SHORT;
	if (nbytes > WIRE_VEC_MAX)
		return CMM_DROP_MALFORMED;
	if (r->left < nbytes)
		return CMM_DROP_SHORT;
	if (nbytes > 0 && r->p[nbytes - 1] == 0)
		return CMM_DROP_MALFORMED;
	for (int i = 0; i < nbytes; i++)
		s->w[i / 8] |= (uint64_t)r->p[i] << (8 * (i % 8));
	r->p += nbytes;
	r->left -= nbytes;
	return CMM_DROP_NONE;
}

bool
cmm_wire_version_ok(unsigned vmin, unsigned vmax)
{
	return vmin >= 1 && vmin <= vmax && vmax >= CMM_PROTO_MIN &&
	    vmin <= CMM_PROTO_MAX;
}

unsigned
cmm_wire_version_for(unsigned pmin, unsigned pmax)
{
	if (!cmm_wire_version_ok(pmin, pmax))
		return CMM_PROTO_MIN;
	return pmax < CMM_PROTO_MAX ? pmax : CMM_PROTO_MAX;
}

uint32_t
cmm_wire_exts(unsigned v)
{
	return v >= CMM_TLV_CONFIG_VERSION_SINCE ? CMM_EXT_CONFIG_VERSION : 0;
}

uint32_t
cmm_wire_exts_allowed(unsigned v)
{
	return cmm_wire_exts(v) |
	    (v >= CMM_TLV_SUSPECT_SINCE ? CMM_EXT_SUSPECT : 0);
}

enum cmm_drop
cmm_wire_decode_prefix(const uint8_t *buf, size_t len, uint32_t cluster_id,
    struct cmm_msg *m)
{
	struct wire_rd r;
	uint32_t magic = 0, cid = 0;

	memset(m, 0, sizeof(*m));
	if (len > CMM_WIRE_MAX)
		return CMM_DROP_LONG;
	if (len < WIRE_MIN_LEN)
		return CMM_DROP_SHORT;
	/* fixed offsets only: the length checked above covers them all */
	r.p = buf;
	r.left = CMM_WIRE_PREFIX_LEN;
	rd_u32(&r, &magic);
	if (magic != CMM_WIRE_MAGIC)
		return CMM_DROP_MAGIC;
	rd_u8(&r, &m->vmin);
	rd_u8(&r, &m->vmax);
	if (!cmm_wire_version_ok(m->vmin, m->vmax))
		return CMM_DROP_VERSION;
	rd_u8(&r, &m->type);
	if (m->type < 1 || m->type > CMM_MSG_TYPE_MAX)
		return CMM_DROP_TYPE;
	rd_u8(&r, &m->flags);
	rd_u32(&r, &cid);
	if (cid != cluster_id)
		return CMM_DROP_FOREIGN;
	memcpy(m->digest, r.p, CMM_DIGEST_LEN);
	r.p += CMM_DIGEST_LEN;
	r.left -= CMM_DIGEST_LEN;
	rd_u16(&r, &m->sender);
	rd_u16(&r, &m->dest);
	rd_u32(&r, &m->incarnation);
	rd_u64(&r, &m->seq);
	rd_u32(&r, &m->epoch);
	rd_u32(&r, &m->instance);
	rd_u64(&r, &m->ballot);
	rd_u64(&r, &m->vballot);
	return CMM_DROP_NONE;
}

/* One known extension's value: the right length, seen once. */
static enum cmm_drop
rd_ext_known(struct wire_rd *r, uint8_t tag, uint16_t vlen, struct cmm_msg *m)
{
	switch (tag) {
	case CMM_TLV_CONFIG_VERSION:
		if (vlen != 4 || (m->ext & CMM_EXT_CONFIG_VERSION))
			return CMM_DROP_MALFORMED;
		rd_u32(r, &m->config_version);
		m->ext |= CMM_EXT_CONFIG_VERSION;
		return CMM_DROP_NONE;
	case CMM_TLV_SUSPECT:
		/* a bitmap of minimum length: one set, one encoding */
		if (vlen == 0 || vlen > WIRE_VEC_MAX ||
		    r->p[vlen - 1] == 0 || (m->ext & CMM_EXT_SUSPECT))
			return CMM_DROP_MALFORMED;
		cmm_set_clear(&m->suspect);
		for (int i = 0; i < vlen; i++)
			m->suspect.w[i / 8] |= (uint64_t)r->p[i] << (8 * (i % 8));
		r->p += vlen;
		r->left -= vlen;
		m->ext |= CMM_EXT_SUSPECT;
		return CMM_DROP_NONE;
	default:
		return CMM_DROP_MALFORMED;
	}
}

/* Whether this receiver knows tag, at its highest version vmax. */
static bool
ext_known(uint8_t tag, unsigned vmax)
{
	return (tag == CMM_TLV_CONFIG_VERSION &&
	    vmax >= CMM_TLV_CONFIG_VERSION_SINCE) ||
	    (tag == CMM_TLV_SUSPECT && vmax >= CMM_TLV_SUSPECT_SINCE);
}

/* Extensions up to the end: the ones this receiver does not know are
 * skipped whole, so a newer sender can add fields without a flag day. */
static enum cmm_drop
rd_exts(struct wire_rd *r, unsigned vmax, struct cmm_msg *m)
{
	while (r->left > 0) {
		uint8_t tag;
		uint16_t vlen;
		enum cmm_drop why;

		if (r->left < WIRE_TLV_HDR)
			return CMM_DROP_SHORT;
		rd_u8(r, &tag);
		rd_u16(r, &vlen);
		if (tag == 0)
			return CMM_DROP_MALFORMED;
		if (r->left < vlen)
			return CMM_DROP_SHORT;
		if (!ext_known(tag, vmax)) {
			r->p += vlen;
			r->left -= vlen;
			continue;
		}
		if ((why = rd_ext_known(r, tag, vlen, m)) != CMM_DROP_NONE)
			return why;
	}
	return CMM_DROP_NONE;
}

enum cmm_drop
cmm_wire_decode_body(const uint8_t *buf, size_t len, unsigned vmax,
    struct cmm_msg *m)
{
	struct wire_rd r;
	enum cmm_drop why;
	struct cmm_set *vecs[] = { &m->members, &m->value, &m->row };

	if (len < WIRE_MIN_LEN || len > CMM_WIRE_MAX)
		return len > CMM_WIRE_MAX ? CMM_DROP_LONG : CMM_DROP_SHORT;
	if (!cmm_set_valid_id(m->sender) || !cmm_set_valid_id(m->dest))
		return CMM_DROP_MALFORMED;
	/* the tag is the MAC's business, not ours */
	r.p = buf + CMM_WIRE_PREFIX_LEN;
	r.left = len - CMM_WIRE_MAC_LEN - CMM_WIRE_PREFIX_LEN;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		if ((why = rd_vec(&r, vecs[i])) != CMM_DROP_NONE)
			return why;
	m->ext = 0;
	m->config_version = 0;
	cmm_set_clear(&m->suspect);
	return rd_exts(&r, vmax, m);
}

enum cmm_drop
cmm_wire_decode(const uint8_t *buf, size_t len, uint32_t cluster_id,
    struct cmm_msg *m)
{
	enum cmm_drop why = cmm_wire_decode_prefix(buf, len, cluster_id, m);

	if (why != CMM_DROP_NONE)
		return why;
	return cmm_wire_decode_body(buf, len, CMM_PROTO_MAX, m);
}

bool
cmm_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b)
{
	return a->type == b->type && a->flags == b->flags &&
	    a->vmin == b->vmin && a->vmax == b->vmax &&
	    a->sender == b->sender && a->dest == b->dest &&
	    memcmp(a->digest, b->digest, CMM_DIGEST_LEN) == 0 &&
	    a->incarnation == b->incarnation &&
	    a->seq == b->seq && a->epoch == b->epoch &&
	    a->instance == b->instance && a->ballot == b->ballot &&
	    a->vballot == b->vballot &&
	    cmm_set_eq(&a->members, &b->members) &&
	    cmm_set_eq(&a->value, &b->value) && cmm_set_eq(&a->row, &b->row) &&
	    a->ext == b->ext && ((a->ext & CMM_EXT_CONFIG_VERSION) == 0 ||
	    a->config_version == b->config_version) &&
	    ((a->ext & CMM_EXT_SUSPECT) == 0 ||
	    cmm_set_eq(&a->suspect, &b->suspect));
}
