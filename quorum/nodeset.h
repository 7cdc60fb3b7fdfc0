/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nodeset: a fixed-size bitset of node ids 0..CMM_MAX_NODES-1.
 *
 * The cluster vector of the patent (FIG. 3) is one of these.  Plain value
 * type: copy it with '=', compare with cmm_set_eq().  libc only.
 */
#ifndef CMM_NODESET_H
#define CMM_NODESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CMM_MAX_NODES 1024
#define CMM_SET_WORDS (CMM_MAX_NODES / 64)

struct cmm_set {
	uint64_t w[CMM_SET_WORDS];
};

/* The small operations are inline: the core runs several on every
 * datagram, and a call each was a tenth of a 1024-node simulation. */
static inline void
cmm_set_clear(struct cmm_set *s)
{
	memset(s, 0, sizeof(*s));
}

static inline bool
cmm_set_valid_id(int id)
{
	return id >= 0 && id < CMM_MAX_NODES;
}

static inline void
cmm_set_add(struct cmm_set *s, int id)
{
	if (cmm_set_valid_id(id))
		s->w[id / 64] |= UINT64_C(1) << (id % 64);
}

static inline void
cmm_set_del(struct cmm_set *s, int id)
{
	if (cmm_set_valid_id(id))
		s->w[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

static inline bool
cmm_set_has(const struct cmm_set *s, int id)
{
	if (!cmm_set_valid_id(id))
		return false;
	return (s->w[id / 64] >> (id % 64)) & 1;
}

static inline int
cmm_set_count(const struct cmm_set *s)
{
	int n = 0;

	for (int i = 0; i < CMM_SET_WORDS; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

_Static_assert(CMM_SET_WORDS % 4 == 0, "cmm_set_empty reads words by four");

static inline bool
cmm_set_empty(const struct cmm_set *s)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	/* four chains, no branch a word: usually asked of an empty set */
	for (int i = 0; i < CMM_SET_WORDS; i += 4) {
		a |= s->w[i];
		b |= s->w[i + 1];
		c |= s->w[i + 2];
		d |= s->w[i + 3];
	}
	return (a | b | c | d) == 0;
}

static inline bool
cmm_set_eq(const struct cmm_set *a, const struct cmm_set *b)
{
	return memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

/* true when every id of a is in b */
static inline bool
cmm_set_subset(const struct cmm_set *a, const struct cmm_set *b)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

static inline void
cmm_set_and(struct cmm_set *out, const struct cmm_set *a, const struct cmm_set *b)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		out->w[i] = a->w[i] & b->w[i];
}

static inline void
cmm_set_or(struct cmm_set *out, const struct cmm_set *a, const struct cmm_set *b)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		out->w[i] = a->w[i] | b->w[i];
}

/* whether a and b share an id (a & b not empty, without building it) */
static inline bool
cmm_set_intersects(const struct cmm_set *a, const struct cmm_set *b)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

/* out = a \ b */
static inline void
cmm_set_minus(struct cmm_set *out, const struct cmm_set *a, const struct cmm_set *b)
{
	for (int i = 0; i < CMM_SET_WORDS; i++)
		out->w[i] = a->w[i] & ~b->w[i];
}

/* smallest id >= from in s, or -1; iterate with
 * for (i = cmm_set_next(s, 0); i >= 0; i = cmm_set_next(s, i + 1)) */
static inline int
cmm_set_next(const struct cmm_set *s, int from)
{
	uint64_t w;
	int i;

	if (from < 0)
		from = 0;
	if (from >= CMM_MAX_NODES)
		return -1;
	/* inline, one test a word: the core walks sets after every packet */
	i = from / 64;
	w = s->w[i] & (~UINT64_C(0) << (from % 64));
	while (w == 0) {
		if (++i == CMM_SET_WORDS)
			return -1;
		w = s->w[i];
	}
	i = i * 64 + __builtin_ctzll(w);
	return i < CMM_MAX_NODES ? i : -1;	/* always: says so to gcc */
}
/* highest id in s, or -1 */
int	cmm_set_max(const struct cmm_set *s);
/* 64-bit FNV-1a of the words, for trace hashes and change detection */
uint64_t cmm_set_hash(const struct cmm_set *s, uint64_t h);
/* "0-3,5" ("-" for the empty set); returns the length it needed, like
 * snprintf, and always NUL-terminates when len > 0 */
size_t	cmm_set_format(const struct cmm_set *s, char *buf, size_t len);
/* Parses "0-3,5" (also "all" when all_ids is given); ids must be < limit.
 * Returns 0, or -1 with a reason in *why. */
int	cmm_set_parse(const char *text, int limit, const struct cmm_set *all_ids,
	    struct cmm_set *out, const char **why);

#endif
