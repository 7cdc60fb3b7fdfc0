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

#define CMM_MAX_NODES 1024
#define CMM_SET_WORDS (CMM_MAX_NODES / 64)

struct cmm_set {
	uint64_t w[CMM_SET_WORDS];
};

void	cmm_set_clear(struct cmm_set *s);
bool	cmm_set_valid_id(int id);
void	cmm_set_add(struct cmm_set *s, int id);
void	cmm_set_del(struct cmm_set *s, int id);
bool	cmm_set_has(const struct cmm_set *s, int id);
int	cmm_set_count(const struct cmm_set *s);
bool	cmm_set_empty(const struct cmm_set *s);
bool	cmm_set_eq(const struct cmm_set *a, const struct cmm_set *b);
/* true when every id of a is in b */
bool	cmm_set_subset(const struct cmm_set *a, const struct cmm_set *b);
void	cmm_set_and(struct cmm_set *out, const struct cmm_set *a,
	    const struct cmm_set *b);
void	cmm_set_or(struct cmm_set *out, const struct cmm_set *a,
	    const struct cmm_set *b);
/* out = a \ b */
void	cmm_set_minus(struct cmm_set *out, const struct cmm_set *a,
	    const struct cmm_set *b);
/* smallest id >= from in s, or -1; iterate with
 * for (i = cmm_set_next(s, 0); i >= 0; i = cmm_set_next(s, i + 1)) */
int	cmm_set_next(const struct cmm_set *s, int from);
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
