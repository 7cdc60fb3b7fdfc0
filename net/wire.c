/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wire: the cmm datagram codec; see wire.h for the layout.  libc only. */
#include "wire.h"

#include <string.h>

/* magic..vballot: 4+1+1+1+1 + 4+2+4+8 + 4+4+8+8, then three vectors */
#define WIRE_HDR_LEN	56
#define WIRE_VEC_MAX	(CMM_MAX_NODES / 8)

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
static void	wr_u16(struct wire_wr *w, uint16_t v);
static void	wr_u32(struct wire_wr *w, uint32_t v);
static void	wr_u64(struct wire_wr *w, uint64_t v);
static void	wr_vec(struct wire_wr *w, const struct cmm_set *s);
static int	rd_u8(struct wire_rd *r, uint8_t *v);
static int	rd_u16(struct wire_rd *r, uint16_t *v);
static int	rd_u32(struct wire_rd *r, uint32_t *v);
static int	rd_u64(struct wire_rd *r, uint64_t *v);
static enum cmm_drop rd_vec(struct wire_rd *r, struct cmm_set *s);

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
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
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

static void
wr_u16(struct wire_wr *w, uint16_t v)
{
	wr_u8(w, (uint8_t)(v >> 8));
	wr_u8(w, (uint8_t)v);
}

static void
wr_u32(struct wire_wr *w, uint32_t v)
{
	wr_u16(w, (uint16_t)(v >> 16));
	wr_u16(w, (uint16_t)v);
}

static void
wr_u64(struct wire_wr *w, uint64_t v)
{
	wr_u32(w, (uint32_t)(v >> 32));
	wr_u32(w, (uint32_t)v);
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

int
cmm_wire_encode(const struct cmm_msg *m, uint32_t cluster_id, uint8_t *buf,
    size_t cap)
{
	struct wire_wr w;

	/* never emit what cmm_wire_decode would refuse */
	if (m->type < 1 || m->type > CMM_MSG_TYPE_MAX ||
	    !cmm_set_valid_id(m->sender) || cap < CMM_WIRE_MAC_LEN)
		return -1;
	w.p = buf;
	w.left = cap - CMM_WIRE_MAC_LEN;
	if (w.left > CMM_WIRE_MAX - CMM_WIRE_MAC_LEN)
		w.left = CMM_WIRE_MAX - CMM_WIRE_MAC_LEN;
	w.overflow = 0;

	wr_u32(&w, CMM_WIRE_MAGIC);
	wr_u8(&w, CMM_WIRE_VERSION);
	wr_u8(&w, m->type);
	wr_u8(&w, m->flags);
	wr_u8(&w, 0);
	wr_u32(&w, cluster_id);
	wr_u16(&w, m->sender);
	wr_u32(&w, m->incarnation);
	wr_u64(&w, m->seq);
	wr_u32(&w, m->epoch);
	wr_u32(&w, m->instance);
	wr_u64(&w, m->ballot);
	wr_u64(&w, m->vballot);
	wr_vec(&w, &m->members);
	wr_vec(&w, &m->value);
	wr_vec(&w, &m->row);
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
	*v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return 0;
}

static int
rd_u32(struct wire_rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
rd_u64(struct wire_rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (r->left < 8)
		return -1;
	rd_u32(r, &hi);
	rd_u32(r, &lo);
	*v = (uint64_t)hi << 32 | lo;
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

enum cmm_drop
cmm_wire_decode(const uint8_t *buf, size_t len, uint32_t cluster_id,
    struct cmm_msg *m)
{
	struct wire_rd r;
	uint32_t magic = 0, cid = 0;
	uint8_t version = 0, reserved = 0;
	enum cmm_drop why;
	struct cmm_set *vecs[] = { &m->members, &m->value, &m->row };

	if (len > CMM_WIRE_MAX)
		return CMM_DROP_LONG;
	if (len < WIRE_HDR_LEN + CMM_WIRE_MAC_LEN)
		return CMM_DROP_SHORT;
	/* the tag is the MAC's business, not ours */
	r.p = buf;
	r.left = len - CMM_WIRE_MAC_LEN;

	rd_u32(&r, &magic);
	if (magic != CMM_WIRE_MAGIC)
		return CMM_DROP_MAGIC;
	rd_u8(&r, &version);
	if (version != CMM_WIRE_VERSION)
		return CMM_DROP_VERSION;
	rd_u8(&r, &m->type);
	if (m->type < 1 || m->type > CMM_MSG_TYPE_MAX)
		return CMM_DROP_TYPE;
	rd_u8(&r, &m->flags);
	rd_u8(&r, &reserved);
	rd_u32(&r, &cid);
	if (cid != cluster_id)
		return CMM_DROP_FOREIGN;
	rd_u16(&r, &m->sender);
	if (!cmm_set_valid_id(m->sender))
		return CMM_DROP_MALFORMED;
	rd_u32(&r, &m->incarnation);
	rd_u64(&r, &m->seq);
	rd_u32(&r, &m->epoch);
	rd_u32(&r, &m->instance);
	rd_u64(&r, &m->ballot);
	rd_u64(&r, &m->vballot);
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		if ((why = rd_vec(&r, vecs[i])) != CMM_DROP_NONE)
			return why;
	if (r.left != 0)
		return CMM_DROP_LONG;
	return CMM_DROP_NONE;
}

bool
cmm_msg_equal(const struct cmm_msg *a, const struct cmm_msg *b)
{
	return a->type == b->type && a->flags == b->flags &&
	    a->sender == b->sender && a->incarnation == b->incarnation &&
	    a->seq == b->seq && a->epoch == b->epoch &&
	    a->instance == b->instance && a->ballot == b->ballot &&
	    a->vballot == b->vballot &&
	    cmm_set_eq(&a->members, &b->members) &&
	    cmm_set_eq(&a->value, &b->value) && cmm_set_eq(&a->row, &b->row);
}
