/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_converge: the two decisions a retry makes from what the other
 * participants reported (DESIGN §2, beyond the patent): which set all see
 * each other (convergence on one-way and non-transitive partitions), and
 * whether a set proposed at an earlier attempt may have been committed
 * (proposal recovery).  Pure; called only from core_round.c.
 */
#include "core_int.h"

static bool
round_sees(const struct cmm_core *c, int x, int y)
{
	if (x == y)
		return true;
	if (x == c->self)
		return cmm_set_has(&c->alive, y);
	if (c->peers[x].alive)
		return cmm_set_has(&c->peers[x].row, y);
	return true;	/* unknown: assume it does; the others decide */
}

/*
 * Convergence beyond the patent (DESIGN §2 step 2): cut the set down to one
 * whose members all see each other.  Remove the node with the fewest links
 * inside the set, ties to the lowest priority, until every pair is linked.
 * Nodes that only others heard (their PRESENCE sets) take part, so nodes
 * with different views still compute the same answer.
 */
void
round_converge(struct cmm_core *c, struct cmm_set *set)
{
	int ids[CMM_MAX_NODES], links[CMM_MAX_NODES];
	struct cmm_set cand = *set;
	bool gone[CMM_MAX_NODES];
	int n = 0, left;

	for (int q = cmm_set_next(set, 0); q >= 0; q = cmm_set_next(set, q + 1))
		if (q != c->self)
			cmm_set_or(&cand, &cand, &c->peers[q].pvec);
	cmm_set_and(&cand, &cand, &c->cfg->configured);
	for (int q = cmm_set_next(&cand, 0); q >= 0; q = cmm_set_next(&cand, q + 1))
		if (!core_is_leaver(c, q))
			ids[n++] = q;
	for (int i = 0; i < n; i++) {
		gone[i] = false;
		links[i] = 0;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (round_sees(c, ids[i], ids[j]) &&
			    round_sees(c, ids[j], ids[i])) {
				links[i]++;
				links[j]++;
			}
	for (left = n; left > 1;) {
		int worst = 0;

		while (gone[worst])
			worst++;	/* left > 1: some node remains */
		for (int i = worst + 1; i < n; i++) {
			if (gone[i])
				continue;
			if (links[i] < links[worst] ||
			    (links[i] == links[worst] &&
			    c->cfg->priority[ids[i]] < c->cfg->priority[ids[worst]]))
				worst = i;
		}
		if (links[worst] == left - 1)
			break;
		gone[worst] = true;
		left--;
		for (int j = 0; j < n; j++)
			if (!gone[j] && round_sees(c, ids[worst], ids[j]) &&
			    round_sees(c, ids[j], ids[worst]))
				links[j]--;
	}
	cmm_set_clear(set);
	for (int i = 0; i < n; i++)
		if (!gone[i])
			cmm_set_add(set, ids[i]);
}

static void
round_last_proposal(const struct cmm_core *c, int q, uint32_t *T, uint32_t *a,
    struct cmm_set *S)
{
	if (q == c->self) {
		*T = c->disk.prop_epoch;
		*a = c->disk.prop_attempt;
		*S = c->disk.prop;
	} else {
		*T = c->peers[q].lp_epoch;
		*a = c->peers[q].lp_attempt;
		*S = c->peers[q].lp;
	}
}

/*
 * Proposal recovery (DESIGN §2 "Loss in the proposal phase"): a set S
 * proposed at (T, a') may have been committed unless a member of S reports
 * another proposal at (T, a'), or every member of S is here and none has
 * committed T, or S cannot hold quorum against P.  The highest a' wins.
 */
/* Whether the nodes of q can win the vote against P outright (no race,
 * no operator): only such a group is sure to meet every set that may have
 * won at an earlier attempt, in the manner of a Paxos quorum. */
static bool
round_vote_quorum(const struct cmm_core *c, const struct cmm_set *q)
{
	const struct core_round *r = &c->r;
	struct cmm_set in;
	int v, n;

	if (r->prev_epoch == 0)
		return 2 * cmm_set_count(q) > cmm_set_count(&c->cfg->configured);
	n = cmm_set_count(&r->prev);
	cmm_set_and(&in, q, &r->prev);
	v = cmm_set_count(&in);
	/* one or two nodes may also decide by race: only all of P meets
	 * every set that may have won at T */
	if (n <= 2)
		return v == n;
	return 2 * v > n || (2 * v == n &&
	    cmm_set_has(q, cmm_crown_prince(&r->prev, c->cfg->priority)));
}

bool
round_recover(const struct cmm_core *c, struct cmm_set *out)
{
	const struct core_round *r = &c->r;
	int64_t best_a = -1;

	/* a group that cannot win the vote cannot commit anything new, and
	 * cannot know what an absent majority did: it must not adopt */
	if (!round_vote_quorum(c, &r->presence))
		return false;

	for (int q = cmm_set_next(&r->presence, 0); q >= 0;
	    q = cmm_set_next(&r->presence, q + 1)) {
		uint32_t T, a;
		struct cmm_set S;
		bool contradicted = false;

		round_last_proposal(c, q, &T, &a, &S);
		if (T != r->T || a >= r->a || (int64_t)a <= best_a)
			continue;
		if (r->prev_epoch > 0 && cmm_set_eq(&S, &r->prev))
			continue;	/* agreeing on P commits nothing */
		if (cmm_set_subset(&S, &r->presence))
			continue;	/* all here, none committed: it was not */
		for (int m = cmm_set_next(&S, 0); m >= 0 && !contradicted;
		    m = cmm_set_next(&S, m + 1)) {
			uint32_t T2, a2;
			struct cmm_set S2;

			if (!cmm_set_has(&r->presence, m))
				continue;
			round_last_proposal(c, m, &T2, &a2, &S2);
			if (T2 == T && a2 == a && !cmm_set_eq(&S2, &S))
				contradicted = true;
		}
		if (contradicted || !round_vote_quorum(c, &S))
			continue;
		best_a = a;
		*out = S;
	}
	return best_a >= 0;
}
