/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vote: who keeps quorum after a reconfiguration (patent FIG. 7-9,
 * DESIGN §2 step 4).  See vote.h for the contract.
 */
#include <stdio.h>

#include "vote.h"

/* Priority of id; a missing table means the default (priority = id). */
static int
vote_prio(const int *priority, int id)
{
	return priority != NULL ? priority[id] : id;
}

/* An absent set is read as the empty set, so a caller's NULL never crashes. */
static const struct cmm_set *
vote_set_or_empty(const struct cmm_set *s, struct cmm_set *empty)
{
	if (s != NULL)
		return s;
	cmm_set_clear(empty);
	return empty;
}

int
cmm_crown_prince(const struct cmm_set *s, const int *priority)
{
	int best = -1;

	if (s == NULL)
		return -1;
	/* DESIGN §2: highest priority; ids rise, so >= hands ties to the higher id */
	for (int i = cmm_set_next(s, 0); i >= 0; i = cmm_set_next(s, i + 1))
		if (best < 0 || vote_prio(priority, i) >= vote_prio(priority, best))
			best = i;
	return best;
}

int
cmm_quorum_shared_device(const struct cmm_set *devices, int n_devices, int a,
    int b)
{
	if (devices == NULL || !cmm_set_valid_id(a) || !cmm_set_valid_id(b))
		return -1;
	for (int i = 0; i < n_devices; i++)
		if (cmm_set_has(&devices[i], a) && cmm_set_has(&devices[i], b))
			return i;
	return -1;
}

/* No previous cluster anyone remembers: DESIGN §2 step 4, first start. */
static void
vote_initial(const struct cmm_qinput *in, const struct cmm_set *next,
    const struct cmm_set *configured, struct cmm_qdecision *out)
{
	int n = cmm_set_count(next);

	out->prev_size = cmm_set_count(configured);
	out->votes = n;
	out->method = CMM_QM_INITIAL;
	if (2 * n > out->prev_size) {
		out->verdict = CMM_QV_WIN;
	} else if (n == 1) {
		/* patent step 412: a lone node cannot tell isolation from death */
		out->method = CMM_QM_ISOLATION;
		out->verdict = CMM_QV_ASK_ISOLATION;
	} else {
		switch (in->initial) {
		case CMM_INITIAL_ASK:
			out->verdict = CMM_QV_ASK_ISOLATION;
			break;
		case CMM_INITIAL_ANY:
			out->verdict = CMM_QV_WIN;
			break;
		case CMM_INITIAL_MAJORITY:
		default:
			out->verdict = CMM_QV_WAIT;
			break;
		}
	}
}

/* |P| <= 2 and somebody left: FIG. 8, the race (or what replaces it). */
static void
vote_two_node(const struct cmm_qinput *in, const struct cmm_set *prev,
    const struct cmm_set *next, struct cmm_qdecision *out)
{
	int lo, hi, other = -1;

	/* the caller checked self ∈ P and next ∩ P non-empty */
	out->method = CMM_QM_VOTE;
	out->verdict = CMM_QV_LOSE;
	for (int i = cmm_set_next(prev, 0); i >= 0; i = cmm_set_next(prev, i + 1))
		if (!cmm_set_has(next, i))
			other = i;
	if (other < 0 || other == in->self)
		return;
	if (in->other_left_naming_self) {
		/* the other consented to leave us alone: nothing to race for */
		out->method = CMM_QM_LEAVE;
		out->verdict = CMM_QV_WIN;
		return;
	}
	out->device = cmm_quorum_shared_device(in->devices, in->n_devices,
	    in->self, other);
	if (out->device >= 0) {
		/* FIG. 8: whoever reserves the shared device first keeps quorum */
		out->method = CMM_QM_RACE;
		out->verdict = CMM_QV_RACE;
		return;
	}
	/* no device to arbitrate: a human (or the winner policy) must */
	lo = in->self < other ? in->self : other;
	hi = in->self < other ? other : in->self;
	out->method = CMM_QM_OPERATOR;
	out->choice[0] = lo;
	out->choice[1] = hi;
	switch (in->winner) {
	case CMM_WINNER_LOWEST:
	case CMM_WINNER_HIGHEST:
		out->winner = in->winner == CMM_WINNER_LOWEST ? lo : hi;
		out->verdict = out->winner == in->self ? CMM_QV_WIN : CMM_QV_LOSE;
		break;
	case CMM_WINNER_ASK:
	default:
		out->verdict = CMM_QV_ASK_WINNER;
		break;
	}
}

/* The majority vote of FIG. 9 against the previous cluster. */
static void
vote_majority(const struct cmm_qinput *in, const struct cmm_set *next,
    struct cmm_qdecision *out)
{
	out->method = CMM_QM_VOTE;
	if (in->bugs & CMM_BUG_WRONG_SET) {
		/* planted bug: judge next against itself, so it always wins */
		out->prev_size = cmm_set_count(next);
		out->votes = out->prev_size;
	}
	if (in->bugs & CMM_BUG_HALF) {
		/* planted bug: integer half, so 2 of 5 or 3 of 6 always wins */
		out->verdict = out->votes >= out->prev_size / 2 ?
		    CMM_QV_WIN : CMM_QV_LOSE;
		return;
	}
	if (2 * out->votes > out->prev_size)
		out->verdict = CMM_QV_WIN;
	else if (2 * out->votes < out->prev_size)
		out->verdict = CMM_QV_LOSE;
	else if (in->bugs & CMM_BUG_CROWN_PRINCE)
		out->verdict = CMM_QV_WIN;	/* planted bug: tie always wins */
	else
		/* FIG. 9, step 906: an exact tie goes to the crown prince's side */
		out->verdict = out->crown_prince_present ? CMM_QV_WIN : CMM_QV_LOSE;
}

void
cmm_quorum_decide(const struct cmm_qinput *in, struct cmm_qdecision *out)
{
	struct cmm_set e_prev, e_next, e_leave, e_conf, both, gone, counted;
	const struct cmm_set *prev, *next, *leavers, *configured;

	prev = vote_set_or_empty(in->prev, &e_prev);
	next = vote_set_or_empty(in->next, &e_next);
	leavers = vote_set_or_empty(in->leavers, &e_leave);
	configured = vote_set_or_empty(in->configured, &e_conf);

	out->method = CMM_QM_NONE;
	out->verdict = CMM_QV_LOSE;
	out->device = -1;
	out->choice[0] = -1;
	out->choice[1] = -1;
	out->winner = -1;
	out->crown_prince = cmm_crown_prince(prev, in->priority);
	out->crown_prince_present = out->crown_prince >= 0 &&
	    cmm_set_has(next, out->crown_prince);

	if (cmm_set_empty(prev)) {
		vote_initial(in, next, configured, out);
		return;
	}

	/* only previous members vote; a leaver only if it left us exactly next */
	cmm_set_and(&both, next, prev);
	cmm_set_minus(&gone, prev, next);
	cmm_set_and(&counted, leavers, &gone);
	out->prev_size = cmm_set_count(prev);
	out->votes = cmm_set_count(&both) + cmm_set_count(&counted);

	if (cmm_set_subset(prev, next)) {
		out->method = CMM_QM_KEPT;
		out->verdict = CMM_QV_WIN;
		return;
	}
	if (out->prev_size <= 2) {
		/* the two-node rule looks at P members only, not leavers */
		int present = cmm_set_count(&both);

		if (!cmm_set_has(prev, in->self) || present == 0) {
			out->method = CMM_QM_VOTE;
			out->verdict = CMM_QV_LOSE;
			return;
		}
		vote_two_node(in, prev, next, out);
		return;
	}
	vote_majority(in, next, out);
}

bool
cmm_quorum_possible(const struct cmm_set *prev, const struct cmm_set *s,
    const int *priority)
{
	struct cmm_set both;
	int np, nb, cp;

	if (prev == NULL || cmm_set_empty(prev))
		return true;
	if (s == NULL)
		return false;
	if (cmm_set_subset(prev, s))
		return true;
	cmm_set_and(&both, s, prev);
	np = cmm_set_count(prev);
	nb = cmm_set_count(&both);
	/* a two-node race may be won by either side that is still there */
	if (np <= 2 && nb > 0)
		return true;
	if (2 * nb > np)
		return true;
	cp = cmm_crown_prince(prev, priority);
	return 2 * nb == np && cp >= 0 && cmm_set_has(s, cp);
}

/* The verdict as the tail of an explanation. */
static const char *
vote_verdict_text(enum cmm_qverdict v)
{
	return v == CMM_QV_WIN ? "quorum" : "no quorum";
}

int
cmm_quorum_explain(const struct cmm_qdecision *d, char *buf, unsigned len)
{
	const char *cmp;

	switch (d->method) {
	case CMM_QM_KEPT:
		return snprintf(buf, len, "kept: nobody left");
	case CMM_QM_VOTE:
		if (d->prev_size <= 2 && d->votes > 0 && d->verdict == CMM_QV_LOSE)
			return snprintf(buf, len, "vote: %d of previous %d, "
			    "not a previous member: no quorum", d->votes,
			    d->prev_size);
		cmp = 2 * d->votes > d->prev_size ? ">" :
		    2 * d->votes == d->prev_size ? "=" : "<";
		if (*cmp == '=' && d->crown_prince >= 0)
			return snprintf(buf, len, "vote: %d of previous %d = half, "
			    "crown prince %d %s: %s", d->votes, d->prev_size,
			    d->crown_prince,
			    d->crown_prince_present ? "present" : "absent",
			    vote_verdict_text(d->verdict));
		return snprintf(buf, len, "vote: %d of previous %d %s half: %s",
		    d->votes, d->prev_size, cmp, vote_verdict_text(d->verdict));
	case CMM_QM_LEAVE:
		return snprintf(buf, len,
		    "leave: the other node left naming this one");
	case CMM_QM_RACE:
		return snprintf(buf, len, "race for device %d", d->device);
	case CMM_QM_OPERATOR:
		if (d->winner < 0)
			return snprintf(buf, len, "operator picks between %d and %d "
			    "(prompt)", d->choice[0], d->choice[1]);
		return snprintf(buf, len, "operator picks between %d and %d "
		    "(policy %s: %d)", d->choice[0], d->choice[1],
		    d->winner == d->choice[0] ? "lowest" : "highest", d->winner);
	case CMM_QM_INITIAL:
		if (2 * d->votes > d->prev_size)
			return snprintf(buf, len, "initial: %d of %d configured: "
			    "majority", d->votes, d->prev_size);
		return snprintf(buf, len, "initial: %d of %d configured: "
		    "minority, %s", d->votes, d->prev_size,
		    d->verdict == CMM_QV_WIN ? "forming anyway (policy any)" :
		    d->verdict == CMM_QV_ASK_ISOLATION ? "asking the operator" :
		    "waiting for a majority");
	case CMM_QM_ISOLATION:
		return snprintf(buf, len, "isolation question: alone, 1 of %d "
		    "configured", d->prev_size);
	case CMM_QM_NONE:
	default:
		return snprintf(buf, len, "none");
	}
}

const char *
cmm_qmethod_name(enum cmm_qmethod m)
{
	switch (m) {
	case CMM_QM_NONE:	return "none";
	case CMM_QM_KEPT:	return "kept";
	case CMM_QM_VOTE:	return "vote";
	case CMM_QM_LEAVE:	return "leave";
	case CMM_QM_RACE:	return "race";
	case CMM_QM_OPERATOR:	return "operator";
	case CMM_QM_INITIAL:	return "initial";
	case CMM_QM_ISOLATION:	return "isolation";
	}
	return "?";
}
