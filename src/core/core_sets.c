/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_sets: the pool that holds the peers' rows and committed member
 * sets.  A peer entry names its two sets by index; equal sets share one
 * copy, reference-counted.  Nearly every peer of a cluster reports the
 * same members and, while nothing fails, the same row, so a pool holds a
 * handful of sets where a core held two per peer.  Cores given one pool
 * (cmm_core_share_sets: the simulator's) share it: the row of a broadcast
 * heartbeat is then stored once, not once per receiver, and each receiver
 * compares with a copy the last one just read.
 *
 * Each core reserves room for two sets per peer and one more (live while
 * a set is replaced) when it joins a pool, so nothing here allocates on a
 * packet.  Pages of the reserve that are never used are never touched.
 */
#include <stdlib.h>
#include <string.h>

#include "src/core/core_int.h"

#define SETS_END	UINT32_MAX	/* end of a chain or of the free list */

/* cheaper than FNV over 128 bytes; only picks a chain */
static uint32_t
sets_hash(const struct cmm_set *s, uint32_t mask)
{
	uint64_t h = 0;

	for (int i = 0; i < CMM_SET_WORDS; i++)
		h = (h ^ s->w[i]) * UINT64_C(0x9e3779b97f4a7c15);
	return (uint32_t)(h >> 32) & mask;
}

struct cmm_setpool *
cmm_setpool_new(void)
{
	struct cmm_setpool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->free = SETS_END;
	/* entry 0, the empty set, is every new peer's and never freed */
	if (core_sets_reserve(p, 1) != 0) {
		cmm_setpool_free(p);
		return NULL;
	}
	cmm_set_clear(&p->set[0]);
	p->refs[0] = 1;
	p->next[0] = SETS_END;
	p->head[sets_hash(&p->set[0], p->mask)] = 0;
	p->used = 1;
	return p;
}

void
cmm_setpool_free(struct cmm_setpool *p)
{
	if (p == NULL)
		return;
	free(p->set);
	free(p->refs);
	free(p->next);
	free(p->head);
	free(p);
}

/* Room for n more live sets: the entry arrays grow to the reserve, the
 * chains to a quarter of it (rehashed).  Nothing changes on failure. */
int
core_sets_reserve(struct cmm_setpool *p, uint32_t n)
{
	uint32_t want = p->reserved + n, cap = p->cap, nb, *head;
	void *q;

	if (want < p->reserved || want >= SETS_END)
		return -1;
	if (want > cap) {
		cap = cap < 64 ? 64 : cap;
		while (cap < want)
			cap = cap > SETS_END / 2 ? SETS_END - 1 : cap * 2;
		/* one array at a time: each keeps what it held */
		if ((q = realloc(p->set, cap * sizeof(*p->set))) == NULL)
			return -1;
		p->set = q;
		if ((q = realloc(p->refs, cap * sizeof(*p->refs))) == NULL)
			return -1;
		p->refs = q;
		if ((q = realloc(p->next, cap * sizeof(*p->next))) == NULL)
			return -1;
		p->next = q;
		p->cap = cap;
	}
	for (nb = 16; nb < cap / 4; nb <<= 1)
		;
	if (p->head == NULL || nb > p->mask + 1) {
		if ((head = malloc((size_t)nb * sizeof(*head))) == NULL)
			return -1;
		memset(head, 0xff, (size_t)nb * sizeof(*head));
		/* the live entries into the new chains (free ones have no
		 * references; entry 0 always has one) */
		for (uint32_t i = 0; i < p->used; i++) {
			uint32_t b;

			if (p->refs[i] == 0)
				continue;
			b = sets_hash(&p->set[i], nb - 1);
			p->next[i] = head[b];
			head[b] = i;
		}
		free(p->head);
		p->head = head;
		p->mask = nb - 1;
	}
	p->reserved = want;
	return 0;
}

void
core_sets_unreserve(struct cmm_setpool *p, uint32_t n)
{
	assert(p->reserved >= n);
	p->reserved -= n;
}

/* A reference to a copy of s: an equal set's, else a new entry. */
static uint32_t
sets_get(struct cmm_setpool *p, const struct cmm_set *s)
{
	uint32_t b = sets_hash(s, p->mask), i;

	for (i = p->head[b]; i != SETS_END; i = p->next[i])
		if (cmm_set_eq(&p->set[i], s)) {
			if (i != 0)
				p->refs[i]++;
			return i;
		}
	if (p->free != SETS_END) {
		i = p->free;
		p->free = p->next[i];
	} else {
		/* within the reserve: two per peer and one more a core */
		assert(p->used < p->cap);
		i = p->used++;
	}
	p->set[i] = *s;
	p->refs[i] = 1;
	p->next[i] = p->head[b];
	p->head[b] = i;
	return i;
}

void
core_sets_put(struct cmm_setpool *p, uint32_t i)
{
	uint32_t *link;

	if (i == 0 || --p->refs[i] > 0)
		return;
	for (link = &p->head[sets_hash(&p->set[i], p->mask)]; *link != i;
	    link = &p->next[*link])
		assert(*link != SETS_END);
	*link = p->next[i];
	p->next[i] = p->free;
	p->free = i;
}

bool
core_sets_replace(struct cmm_setpool *p, uint32_t *ref,
    const struct cmm_set *s)
{
	uint32_t old = *ref;

	if (cmm_set_eq(&p->set[old], s))
		return false;
	*ref = sets_get(p, s);
	core_sets_put(p, old);
	return true;
}
