/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vote: who keeps quorum after a reconfiguration (patent FIG. 7-9;
 * docs/PROTOCOL.md "Quorums", "Choose").  See vote.h for the contract.
 */
#include <stdio.h>
#include <string.h>

#include "quorum/vote.h"

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
	/* FIG. 9: the crown prince has the highest priority; ids rise, so >=
	 * hands equal priorities to the higher id.  Word by word, not
	 * cmm_set_next: the coordinator asks after every packet */
	for (int w = 0; w < CMM_SET_WORDS; w++)
		for (uint64_t bits = s->w[w]; bits != 0; bits &= bits - 1) {
			int i = w * 64 + __builtin_ctzll(bits);

			if (best < 0 ||
			    vote_prio(priority, i) >= vote_prio(priority, best))
				best = i;
		}
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

bool
cmm_quorum_is(const struct cmm_set *P, const struct cmm_set *a, bool device,
    const int *priority, unsigned bugs)
{
	struct cmm_set in;
	int np, na, cp;

	if (P == NULL || a == NULL)
		return false;
	cmm_set_and(&in, a, P);
	np = cmm_set_count(P);
	na = cmm_set_count(&in);
	if (np == 0)
		return false;
	if (np == 1)
		return na == 1;
	if (np == 2) {
		/* two of {p1, p2, D}: the crown prince alone is never enough */
		if ((bugs & CMM_BUG_CROWN_PRINCE) && na == 1 &&
		    cmm_set_has(&in, cmm_crown_prince(P, priority)))
			return true;	/* planted bug */
		return na + (device ? 1 : 0) >= 2;
	}
	if (bugs & CMM_BUG_HALF)
		return na >= np / 2;	/* planted bug: integer half, 2 of 5 */
	if (2 * na > np)
		return true;
	if (2 * na < np)
		return false;
	/* FIG. 9, step 906: an exact tie goes to the crown prince's side */
	if (bugs & CMM_BUG_CROWN_PRINCE)
		return true;	/* planted bug */
	cp = cmm_crown_prince(P, priority);
	return cp >= 0 && cmm_set_has(&in, cp);
}

bool
cmm_quorum_formation(const struct cmm_set *configured, const struct cmm_set *a,
    unsigned bugs)
{
	struct cmm_set in;
	int nc, na;

	if (configured == NULL || a == NULL)
		return false;
	cmm_set_and(&in, a, configured);
	nc = cmm_set_count(configured);
	na = cmm_set_count(&in);
	if (bugs & CMM_BUG_HALF)
		return nc > 0 && na >= nc / 2;
	return 2 * na > nc;
}

/* No previous configuration: formation over the configured nodes. */
static void
vote_initial(const struct cmm_qinput *in, const struct cmm_set *promised,
    const struct cmm_set *configured, struct cmm_qdecision *out)
{
	struct cmm_set a;

	cmm_set_and(&a, promised, configured);
	out->prev_size = cmm_set_count(configured);
	out->votes = cmm_set_count(&a);
	out->method = CMM_QM_INITIAL;
	if (cmm_quorum_formation(configured, promised, in->bugs)) {
		out->verdict = CMM_QV_WIN;
	} else if (out->votes <= 1) {
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

/* |P| = 2 and only this node promised: FIG. 8, the race for the shared
 * device, or the operator standing in for the missing acceptor. */
static void
vote_two_node(const struct cmm_qinput *in, const struct cmm_set *prev,
    struct cmm_qdecision *out)
{
	int lo, hi, other = -1;

	out->method = CMM_QM_VOTE;
	out->verdict = CMM_QV_LOSE;
	if (!cmm_set_has(prev, in->self) ||
	    !cmm_set_has(in->promised, in->self))
		return;
	for (int i = cmm_set_next(prev, 0); i >= 0; i = cmm_set_next(prev, i + 1))
		if (i != in->self)
			other = i;
	if (other < 0)
		return;
	out->device = cmm_quorum_shared_device(in->devices, in->n_devices,
	    in->self, other);
	if (out->device >= 0) {
		/* FIG. 8: the shared device is the third acceptor */
		out->method = CMM_QM_RACE;
		out->verdict = CMM_QV_RACE;
		return;
	}
	/* FIG. 8, step 812: no device to arbitrate: a human (or the winner
	 * policy) stands in for the missing acceptor */
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

void
cmm_quorum_decide(const struct cmm_qinput *in, struct cmm_qdecision *out)
{
	struct cmm_set e_prev, e_prom, e_conf, both;
	const struct cmm_set *prev, *promised, *configured;

	prev = vote_set_or_empty(in->prev, &e_prev);
	promised = vote_set_or_empty(in->promised, &e_prom);
	configured = vote_set_or_empty(in->configured, &e_conf);

	/* padding too: a decision is part of the core's state, whose bytes
	 * the explorer hashes to know a state seen before */
	memset(out, 0, sizeof(*out));
	out->method = CMM_QM_NONE;
	out->verdict = CMM_QV_LOSE;
	out->device = -1;
	out->choice[0] = -1;
	out->choice[1] = -1;
	out->winner = -1;
	out->crown_prince = cmm_crown_prince(prev, in->priority);
	out->crown_prince_present = out->crown_prince >= 0 &&
	    cmm_set_has(promised, out->crown_prince);
	out->votes = 0;
	out->prev_size = 0;

	if (cmm_set_empty(prev)) {
		vote_initial(in, promised, configured, out);
		return;
	}
	cmm_set_and(&both, promised, prev);
	out->prev_size = cmm_set_count(prev);
	out->votes = cmm_set_count(&both) +
	    (out->prev_size == 2 && in->device_promised ? 1 : 0);
	if (cmm_quorum_is(prev, promised, in->device_promised, in->priority,
	    in->bugs)) {
		out->method = out->prev_size == 2 && in->device_promised &&
		    cmm_set_count(&both) < 2 ? CMM_QM_RACE : CMM_QM_VOTE;
		out->verdict = CMM_QV_WIN;
		return;
	}
	out->method = CMM_QM_VOTE;
	if (out->prev_size == 2 && cmm_set_count(&both) == 1 &&
	    !in->device_promised)
		vote_two_node(in, prev, out);
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
	case CMM_QM_VOTE:
		if (d->prev_size <= 2)
			return snprintf(buf, len, "vote: %d of previous %d: %s",
			    d->votes, d->prev_size, vote_verdict_text(d->verdict));
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
	case CMM_QM_RACE:
		if (d->verdict == CMM_QV_RACE)
			return snprintf(buf, len, "race for device %d: the other "
			    "node is silent", d->device);
		return snprintf(buf, len, "race: this node and the shared device: %s",
		    vote_verdict_text(d->verdict));
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
	case CMM_QM_FORCED:
		return snprintf(buf, len, "forced by the operator: %d of %d "
		    "promised, the rest declared dead", d->votes, d->prev_size);
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
	case CMM_QM_VOTE:	return "vote";
	case CMM_QM_RACE:	return "race";
	case CMM_QM_OPERATOR:	return "operator";
	case CMM_QM_INITIAL:	return "initial";
	case CMM_QM_ISOLATION:	return "isolation";
	case CMM_QM_FORCED:	return "forced";
	}
	return "?";
}

const char *
cmm_qverdict_name(enum cmm_qverdict v)
{
	switch (v) {
	case CMM_QV_WIN:		return "win";
	case CMM_QV_LOSE:		return "lose";
	case CMM_QV_RACE:		return "race";
	case CMM_QV_ASK_WINNER:		return "ask-winner";
	case CMM_QV_ASK_ISOLATION:	return "ask-isolation";
	case CMM_QV_WAIT:		return "wait";
	}
	return "?";
}
