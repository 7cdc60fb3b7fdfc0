/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_check: the DESIGN §2 properties, checked on every effect a core
 * emits.  The quorum rules are recomputed here from the sets themselves,
 * not by calling quorum/vote.c: a checker that calls the code it checks
 * cannot catch that code's bugs.  Ground truth is the simulator's own
 * record: the global map epoch -> members of every commit, the LEAVEs and
 * PROPOSEs really sent, the device log and the operator's answers.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void	*check_grow(void *p, size_t *cap, size_t want, size_t elem);
static int	check_prince(const struct cmm_sim *s, const struct cmm_set *p);
static int	check_leave_votes(const struct cmm_sim *s,
		    const struct cmm_set *prev, const struct cmm_set *next);
static bool	check_possible(const struct cmm_sim *s,
		    const struct cmm_set *prev, const struct cmm_set *next);
static bool	check_reserved(const struct cmm_sim *s, int node, uint32_t epoch);
static bool	check_proposed(const struct cmm_sim *s, uint32_t epoch,
		    const struct cmm_set *set);
static bool	check_left_naming(const struct cmm_sim *s, int node,
		    const struct cmm_set *set);
static void	check_quorum(struct cmm_sim *s, struct cmm_sim_node *n,
		    const struct cmm_event *ev,
		    const struct cmm_sim_epoch *prev);
static void	check_fencing(struct cmm_sim *s, struct cmm_sim_node *n,
		    uint32_t epoch, const struct cmm_set *members,
		    const struct cmm_sim_epoch *prev);
static bool	check_granted(struct cmm_sim *s, struct cmm_sim_node *n,
		    uint32_t epoch);
static void	epoch_insert(struct cmm_sim *s, uint32_t epoch,
		    const struct cmm_set *members, int node);
static struct cmm_set *two(struct cmm_set *out, int a, int b);

static void *
check_grow(void *p, size_t *cap, size_t want, size_t elem)
{
	size_t ncap;
	void *np;

	if (want <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < want)
		ncap *= 2;
	if ((np = realloc(p, ncap * elem)) == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	*cap = ncap;
	return np;
}

static struct cmm_set *
two(struct cmm_set *out, int a, int b)
{
	cmm_set_clear(out);
	cmm_set_add(out, a);
	if (b >= 0)
		cmm_set_add(out, b);
	return out;
}

void
cmm_sim_violate(struct cmm_sim *s, const char *property,
    const struct cmm_set *nodes, const char *fmt, ...)
{
	char detail[CMM_SIM_LINE_MAX], who[CMM_SIM_LINE_MAX / 2];
	va_list ap;

	if (s->violated)
		return;	/* the first one is the one that matters */
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (nodes != NULL && !cmm_set_empty(nodes))
		cmm_set_format(nodes, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "-");
	s->violated = true;
	s->violation_time = s->now;
	snprintf(s->violation, sizeof(s->violation), "%s: %s (nodes %s)",
	    property, detail, who);
	cmm_sim_trace(s, -1, "VIOLATION %s", s->violation);
}

/* ---- the global map epoch -> members ---- */

const struct cmm_sim_epoch *
cmm_sim_epoch_find(const struct cmm_sim *s, uint32_t e)
{
	size_t lo = 0, hi = s->nepochs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->epochs[mid].epoch == e)
			return &s->epochs[mid];
		if (s->epochs[mid].epoch < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct cmm_sim_epoch *
cmm_sim_epoch_below(const struct cmm_sim *s, uint32_t e)
{
	size_t lo = 0, hi = s->nepochs;

	/* first index with epoch >= e */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->epochs[mid].epoch < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? &s->epochs[lo - 1] : NULL;
}

static void
epoch_insert(struct cmm_sim *s, uint32_t epoch, const struct cmm_set *members,
    int node)
{
	size_t i = s->nepochs;

	s->epochs = check_grow(s->epochs, &s->capepochs, s->nepochs + 1,
	    sizeof(*s->epochs));
	while (i > 0 && s->epochs[i - 1].epoch > epoch)
		i--;
	memmove(&s->epochs[i + 1], &s->epochs[i],
	    (s->nepochs - i) * sizeof(*s->epochs));
	s->epochs[i].epoch = epoch;
	s->epochs[i].members = *members;
	s->epochs[i].time = s->now;
	s->epochs[i].node = node;
	s->nepochs++;
}

int
cmm_sim_steps(const struct cmm_sim *s, int64_t t1, int64_t t2)
{
	int k = 0;

	for (size_t i = 0; i < s->nepochs; i++)
		if (s->epochs[i].time >= t1 && s->epochs[i].time <= t2)
			k++;
	return k;
}

void
cmm_sim_record_set(struct cmm_sim *s, struct cmm_sim_setrec **arr,
    size_t *len, size_t *cap, int node, uint32_t epoch,
    const struct cmm_set *set)
{
	for (size_t i = *len; i > 0; i--) {
		const struct cmm_sim_setrec *r = &(*arr)[i - 1];

		if (r->node == node && r->epoch == epoch &&
		    cmm_set_eq(&r->set, set))
			return;
	}
	*arr = check_grow(*arr, cap, *len + 1, sizeof(**arr));
	(*arr)[*len].node = node;
	(*arr)[*len].epoch = epoch;
	(*arr)[*len].set = *set;
	(*len)++;
}

/* ---- recomputed quorum rules (DESIGN §2 step 4) ---- */

/* FIG. 9: the highest priority member, ties to the higher id. */
static int
check_prince(const struct cmm_sim *s, const struct cmm_set *p)
{
	int best = -1;

	for (int i = cmm_set_next(p, 0); i >= 0; i = cmm_set_next(p, i + 1))
		if (best < 0 || s->cfg->priority[i] > s->cfg->priority[best] ||
		    (s->cfg->priority[i] == s->cfg->priority[best] && i > best))
			best = i;
	return best;
}

/* Does node have a LEAVE on record, sent since its last commit? */
static bool
check_has_left(const struct cmm_sim *s, int node)
{
	if (node < 0 || node >= s->n)
		return false;
	for (size_t i = 0; i < s->nleaves; i++)
		if (s->leaves[i].node == node &&
		    s->leaves[i].epoch == s->nodes[node].top_epoch)
			return true;
	return false;
}

/* Does node have a LEAVE on record, sent since its last commit, naming
 * exactly set, once the other leavers are taken out of it? */
static bool
check_left_naming(const struct cmm_sim *s, int node, const struct cmm_set *set)
{
	if (node < 0 || node >= s->n)
		return false;
	for (size_t i = 0; i < s->nleaves; i++) {
		const struct cmm_sim_setrec *r = &s->leaves[i];

		struct cmm_set named = r->set;

		if (r->node != node || r->epoch != s->nodes[node].top_epoch)
			continue;
		/* nodes that left too (and are not in set) do not make the
		 * named set differ: their own LEAVE took them out of it */
		for (int j = cmm_set_next(&r->set, 0); j >= 0;
		    j = cmm_set_next(&r->set, j + 1))
			if (!cmm_set_has(set, j) && check_has_left(s, j))
				cmm_set_del(&named, j);
		if (cmm_set_eq(&named, set))
			return true;
	}
	return false;
}

/* Leavers of prev that really left naming exactly next. */
static int
check_leave_votes(const struct cmm_sim *s, const struct cmm_set *prev,
    const struct cmm_set *next)
{
	int k = 0;

	for (int i = cmm_set_next(prev, 0); i >= 0; i = cmm_set_next(prev, i + 1))
		if (!cmm_set_has(next, i) && check_left_naming(s, i, next))
			k++;
	return k;
}

/* Could next have won against prev by any rule (race counted as won)? */
static bool
check_possible(const struct cmm_sim *s, const struct cmm_set *prev,
    const struct cmm_set *next)
{
	struct cmm_set both;
	int np, votes;

	if (prev == NULL || cmm_set_empty(prev))
		return true;
	if (cmm_set_subset(prev, next))
		return true;
	cmm_set_and(&both, prev, next);
	np = cmm_set_count(prev);
	if (np <= 2)
		return !cmm_set_empty(&both);
	votes = cmm_set_count(&both) + check_leave_votes(s, prev, next);
	if (2 * votes > np)
		return true;
	return 2 * votes == np && cmm_set_has(next, check_prince(s, prev));
}

static bool
check_reserved(const struct cmm_sim *s, int node, uint32_t epoch)
{
	for (size_t i = 0; i < s->ndevlog; i++) {
		const struct cmm_sim_devlog *l = &s->devlog[i];

		if (l->node == node && l->epoch == epoch &&
		    l->op == CMM_DEVOP_RESERVE && l->status == CMM_DEV_OK)
			return true;
	}
	return false;
}

static bool
check_proposed(const struct cmm_sim *s, uint32_t epoch, const struct cmm_set *set)
{
	for (size_t i = 0; i < s->nprops; i++)
		if (s->props[i].epoch == epoch && cmm_set_eq(&s->props[i].set, set))
			return true;
	return false;
}

/* Property 2: the commit of (T, S) holds quorum relative to P, the
 * committed members of the highest epoch below T. */
static void
check_quorum(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_event *ev, const struct cmm_sim_epoch *prev)
{
	const struct cmm_qdecision *d = ev->decision;
	const struct cmm_set *S = &ev->members;
	uint32_t T = ev->epoch;
	struct cmm_set P, both, who;
	char ps[256], ss[256];
	int X = n->id, np, votes, cp, other = -1;

	if (prev != NULL)
		P = prev->members;
	else
		cmm_set_clear(&P);
	np = cmm_set_count(&P);
	cmm_set_format(&P, ps, sizeof(ps));
	cmm_set_format(S, ss, sizeof(ss));
	for (int i = cmm_set_next(&P, 0); i >= 0; i = cmm_set_next(&P, i + 1))
		if (i != X && !cmm_set_has(S, i))
			other = i;

	if (d == NULL) {
		/* adoption of a configuration that may have been committed */
		if (cmm_sim_epoch_find(s, T) != NULL)
			return;	/* agreement already compared it */
		if (!check_proposed(s, T, S))
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d adopted epoch %" PRIu32 " members %s that "
			    "nobody proposed", X, T, ss);
		else if (!check_possible(s, &P, S))
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d adopted epoch %" PRIu32 " members %s, which "
			    "cannot hold quorum against previous %s", X, T, ss, ps);
		return;
	}
	if (d->verdict == CMM_QV_LOSE || d->verdict == CMM_QV_WAIT) {
		cmm_sim_violate(s, "quorum", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " after a %s decision "
		    "that said %s", X, T, cmm_qmethod_name(d->method),
		    d->verdict == CMM_QV_LOSE ? "lose" : "wait");
		return;
	}
	if (d->method != CMM_QM_INITIAL && d->method != CMM_QM_ISOLATION &&
	    prev == NULL) {
		cmm_sim_violate(s, "quorum", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " by %s but no epoch "
		    "below it was ever committed", X, T,
		    cmm_qmethod_name(d->method));
		return;
	}
	switch (d->method) {
	case CMM_QM_KEPT:
		if (!cmm_set_subset(&P, S))
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d committed epoch %" PRIu32 " members %s as "
			    "'kept' but previous %s is not inside", X, T, ss, ps);
		return;
	case CMM_QM_VOTE:
		cmm_set_and(&both, &P, S);
		votes = cmm_set_count(&both) + check_leave_votes(s, &P, S);
		cp = check_prince(s, &P);
		if (np <= 2)
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d committed epoch %" PRIu32 " by vote against "
			    "a %d-node previous cluster %s (must race or ask)",
			    X, T, np, ps);
		else if (!(2 * votes > np ||
		    (2 * votes == np && cmm_set_has(S, cp))))
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d committed epoch %" PRIu32 " members %s by "
			    "vote: %d of previous %s (%d), crown prince %d %s: "
			    "no quorum (core counted %d of %d)", X, T, ss,
			    votes, ps, np, cp,
			    cmm_set_has(S, cp) ? "present" : "absent",
			    d->votes, d->prev_size);
		return;
	case CMM_QM_RACE:
		if (np > 2 || !check_reserved(s, X, T))
			cmm_sim_violate(s, "quorum", two(&who, X, other),
			    "node %d committed epoch %" PRIu32 " by race against "
			    "previous %s without a successful reservation for "
			    "epoch %" PRIu32, X, T, ps, T);
		return;
	case CMM_QM_OPERATOR: {
		int lo = cmm_set_next(&P, 0), hi = cmm_set_max(&P);
		bool picked;

		switch (s->cfg->winner) {
		case CMM_WINNER_LOWEST:
			picked = X == lo;
			break;
		case CMM_WINNER_HIGHEST:
			picked = X == hi;
			break;
		default:
			picked = n->ans_winner == X;
			break;
		}
		if (np > 2 || !picked)
			cmm_sim_violate(s, "quorum", two(&who, X, other),
			    "node %d committed epoch %" PRIu32 " by operator "
			    "decision but neither policy nor answer picked it "
			    "(previous %s)", X, T, ps);
		return;
	}
	case CMM_QM_LEAVE: {
		struct cmm_set self;

		two(&self, X, -1);
		if (np != 2 || other < 0 || !check_left_naming(s, other, &self))
			cmm_sim_violate(s, "quorum", two(&who, X, other),
			    "node %d committed epoch %" PRIu32 " because the "
			    "other node left, but no LEAVE naming {%d} came "
			    "from previous %s", X, T, X, ps);
		return;
	}
	case CMM_QM_INITIAL:
		if (T != 1 || prev != NULL) {
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d formed an initial cluster at epoch %" PRIu32,
			    X, T);
		} else if (!(2 * cmm_set_count(S) >
		    cmm_set_count(&s->cfg->configured) ||
		    s->cfg->initial == CMM_INITIAL_ANY ||
		    (s->cfg->initial == CMM_INITIAL_ASK && n->ans_iso == 0))) {
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d formed the initial cluster %s: a minority "
			    "of %d configured, not allowed by policy or answer",
			    X, ss, cmm_set_count(&s->cfg->configured));
		}
		return;
	case CMM_QM_ISOLATION: {
		struct cmm_set self;

		if (T != 1 || prev != NULL || !cmm_set_eq(S, two(&self, X, -1)) ||
		    !(s->cfg->isolation == CMM_ISOLATION_NOT_ISOLATED ||
		    n->ans_iso == 0))
			cmm_sim_violate(s, "quorum", two(&who, X, -1),
			    "node %d committed epoch %" PRIu32 " members %s on "
			    "the isolation question without 'not isolated'",
			    X, T, ss);
		return;
	}
	case CMM_QM_NONE:
	default:
		cmm_sim_violate(s, "quorum", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " with no quorum method",
		    X, T);
		return;
	}
}

/* Property 3: the departed that share a device with the committer are
 * no longer registered on it. */
static void
check_fencing(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t epoch,
    const struct cmm_set *members, const struct cmm_sim_epoch *prev)
{
	struct cmm_set gone, who;
	struct cmm_devrec rec;
	char err[128];

	if (prev == NULL)
		return;
	cmm_set_minus(&gone, &prev->members, members);
	/* a late commit of an old epoch: whoever a later configuration took
	 * back in may be registered again, rightly */
	for (size_t i = 0; i < s->nepochs; i++)
		if (s->epochs[i].epoch > epoch)
			cmm_set_minus(&gone, &gone, &s->epochs[i].members);
	for (int z = cmm_set_next(&gone, 0); z >= 0; z = cmm_set_next(&gone, z + 1))
		for (int d = 0; d < s->cfg->n_devices; d++) {
			const struct cmm_set *on = &s->cfg->devices[d].nodes;

			if (!cmm_set_has(on, n->id) || !cmm_set_has(on, z))
				continue;
			s->dev[d]->ops->read(s->dev[d], &rec, err, sizeof(err));
			if (cmm_set_has(&rec.registered, z))
				cmm_sim_violate(s, "fencing", two(&who, n->id, z),
				    "node %d committed epoch %" PRIu32 " while "
				    "departed node %d is still registered on "
				    "device %s", n->id, epoch, z,
				    s->cfg->devices[d].name);
		}
}

void
cmm_sim_check_commit(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_event *ev)
{
	const struct cmm_sim_epoch *e, *prev;
	uint32_t T = ev->epoch;
	const struct cmm_set *S = &ev->members;
	struct cmm_set who;
	char a[256], b[256];
	int X = n->id;

	cmm_set_format(S, a, sizeof(a));
	if (s->o.json) {
		s->clog = check_grow(s->clog, &s->capclog, s->nclog + 1,
		    sizeof(*s->clog));
		s->clog[s->nclog].epoch = T;
		s->clog[s->nclog].node = X;
		s->clog[s->nclog].time = s->now;
		s->clog[s->nclog].members = *S;
		s->clog[s->nclog].reason = ev->decision != NULL ?
		    cmm_qmethod_name(ev->decision->method) : "adopted";
		s->nclog++;
	}
	/* property 1 */
	if (!cmm_set_has(S, X)) {
		cmm_sim_violate(s, "agreement", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " members %s without "
		    "itself", X, T, a);
		return;
	}
	if (T <= n->top_epoch) {
		cmm_sim_violate(s, "agreement", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " after epoch %" PRIu32
		    ": its epochs must rise", X, T, n->top_epoch);
		return;
	}
	e = cmm_sim_epoch_find(s, T);
	if (e != NULL && !cmm_set_eq(&e->members, S)) {
		cmm_set_format(&e->members, b, sizeof(b));
		cmm_sim_violate(s, "agreement", two(&who, X, e->node),
		    "split brain: epoch %" PRIu32 " committed as %s by node %d "
		    "and as %s by node %d", T, b, e->node, a, X);
		return;
	}
	/* property 4: persist before announcing */
	if (!n->has_disk || n->disk.epoch != T ||
	    !cmm_set_eq(&n->disk.members, S)) {
		cmm_sim_violate(s, "persist", two(&who, X, -1),
		    "node %d announced epoch %" PRIu32 " members %s before "
		    "persisting it (disk holds epoch %" PRIu32 ")", X, T, a,
		    n->has_disk ? n->disk.epoch : 0);
		return;
	}
	/* property 2 and 3 against the committed predecessor */
	prev = cmm_sim_epoch_below(s, T);
	check_quorum(s, n, ev, prev);
	if (s->violated)
		return;
	check_fencing(s, n, T, S, prev);
	if (s->violated)
		return;
	if (e == NULL)
		epoch_insert(s, T, S, X);
	n->top_epoch = T;
	n->member = true;
}

void
cmm_sim_check_persist(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_persist *p)
{
	struct cmm_set who;

	if (!n->has_disk)
		return;
	if (p->epoch < n->disk.epoch)
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d persisted epoch %" PRIu32 " over epoch %" PRIu32,
		    n->id, p->epoch, n->disk.epoch);
	else if (p->incarnation < n->disk.incarnation)
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d persisted incarnation %" PRIu32 " over %" PRIu32,
		    n->id, p->incarnation, n->disk.incarnation);
}

void
cmm_sim_check_propose(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_msg *m)
{
	/* an adoption (proposal recovery) persists the adopted set, which
	 * travels in `leavers`; an ordinary proposal persists its vector */
	const struct cmm_set *prop = (m->flags & CMM_MSGF_ADOPT) ?
	    &m->leavers : &m->vec;
	struct cmm_set who;
	char a[256];

	/* property 4: persist a proposal before sending it */
	if (!n->has_disk || n->disk.prop_epoch != m->round_epoch ||
	    n->disk.prop_attempt != m->round_attempt ||
	    !cmm_set_eq(&n->disk.prop, prop)) {
		cmm_set_format(prop, a, sizeof(a));
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d sent PROPOSE %s for round (%" PRIu32 ", %" PRIu32
		    ") before persisting it", n->id, a, m->round_epoch,
		    m->round_attempt);
		return;
	}
	cmm_sim_record_set(s, &s->props, &s->nprops, &s->capprops, -1,
	    m->round_epoch, prop);
}

/* A device write by n for epoch: allowed after a winning decision of its
 * own, or while adopting a configuration that contains it. */
static bool
check_granted(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t epoch)
{
	const struct cmm_sim_epoch *e;

	if (n->have_dec && n->dec_epoch == epoch) {
		switch (n->dec.verdict) {
		case CMM_QV_WIN:
			return true;
		case CMM_QV_RACE:
			if (check_reserved(s, n->id, epoch))
				return true;
			break;
		case CMM_QV_ASK_WINNER:
			if (n->ans_winner == n->id)
				return true;
			break;
		case CMM_QV_ASK_ISOLATION:
			if (n->ans_iso == 0)
				return true;
			break;
		default:
			break;
		}
		/* a decision that did not grant it: the node may still be
		 * adopting a configuration someone committed (below) */
	}
	e = cmm_sim_epoch_find(s, epoch);
	if (e != NULL && cmm_set_has(&e->members, n->id))
		return true;
	for (size_t i = 0; i < s->nprops; i++) {
		const struct cmm_sim_epoch *p;

		if (s->props[i].epoch != epoch ||
		    !cmm_set_has(&s->props[i].set, n->id))
			continue;
		p = cmm_sim_epoch_below(s, epoch);
		if (check_possible(s, p != NULL ? &p->members : NULL,
		    &s->props[i].set))
			return true;
	}
	return false;
}

void
cmm_sim_check_devreq(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_devreq *req)
{
	const char *dname = req->device >= 0 && req->device < s->cfg->n_devices ?
	    s->cfg->devices[req->device].name : "?";
	struct cmm_set who;

	if (req->node != n->id) {
		cmm_sim_violate(s, "devices", two(&who, n->id, -1),
		    "node %d asked for a device operation as node %d", n->id,
		    req->node);
		return;
	}
	switch (req->op) {
	case CMM_DEVOP_REGISTER:
		if (!n->member)
			cmm_sim_violate(s, "devices", two(&who, n->id, -1),
			    "node %d registered on device %s while not a member",
			    n->id, dname);
		return;
	case CMM_DEVOP_RESERVE:
		if (!(n->have_dec && n->dec_epoch == req->epoch &&
		    (n->dec.verdict == CMM_QV_RACE ||
		    n->dec.verdict == CMM_QV_WIN)) && !check_granted(s, n,
		    req->epoch))
			cmm_sim_violate(s, "devices", two(&who, n->id, -1),
			    "node %d reserved device %s for epoch %" PRIu32
			    " without a race or quorum for it", n->id, dname,
			    req->epoch);
		return;
	case CMM_DEVOP_FENCE:
		if (!check_granted(s, n, req->epoch))
			cmm_sim_violate(s, "devices", two(&who, n->id, -1),
			    "node %d fenced device %s for epoch %" PRIu32
			    " without quorum", n->id, dname, req->epoch);
		return;
	}
}

void
cmm_sim_check_devop(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_devreq *req, enum cmm_dev_status st,
    const struct cmm_devrec *before, const struct cmm_devrec *after)
{
	const char *dname = s->cfg->devices[req->device].name;
	struct cmm_sim_devlog *l;
	struct cmm_set who;

	if (req->op == CMM_DEVOP_RESERVE && st == CMM_DEV_OK)
		for (size_t i = 0; i < s->ndevlog; i++) {
			l = &s->devlog[i];
			if (l->device == req->device && l->epoch == req->epoch &&
			    l->op == CMM_DEVOP_RESERVE &&
			    l->status == CMM_DEV_OK && l->node != n->id) {
				cmm_sim_violate(s, "devices", two(&who, n->id,
				    l->node), "device %s reserved for epoch %"
				    PRIu32 " by node %d and by node %d", dname,
				    req->epoch, l->node, n->id);
				break;
			}
		}
	s->devlog = check_grow(s->devlog, &s->capdevlog, s->ndevlog + 1,
	    sizeof(*s->devlog));
	l = &s->devlog[s->ndevlog++];
	l->time = s->now;
	l->node = n->id;
	l->device = req->device;
	l->op = req->op;
	l->epoch = req->epoch;
	l->status = st;
	if (after->epoch < before->epoch ||
	    after->epoch < s->dev_top[req->device])
		cmm_sim_violate(s, "devices", two(&who, n->id, -1),
		    "device %s reservation epoch fell from %" PRIu32 " to %"
		    PRIu32, dname, s->dev_top[req->device], after->epoch);
	if (after->epoch > s->dev_top[req->device])
		s->dev_top[req->device] = after->epoch;
}

bool
cmm_sim_converged(const struct cmm_sim *s, char *why, size_t len)
{
	struct cmm_core_status st;
	struct cmm_set live;
	char a[256], b[256];
	uint32_t epoch = 0;
	bool first = true;

	cmm_set_clear(&live);
	for (int i = 0; i < s->n; i++)
		if (s->nodes[i].core != NULL)
			cmm_set_add(&live, i);
	if (cmm_set_empty(&live)) {
		snprintf(why, len, "no live node");
		return false;
	}
	cmm_set_format(&live, a, sizeof(a));
	for (int i = cmm_set_next(&live, 0); i >= 0; i = cmm_set_next(&live, i + 1)) {
		cmm_core_status(s->nodes[i].core, &st);
		cmm_set_format(&st.members, b, sizeof(b));
		if (!st.member || !cmm_set_eq(&st.members, &live) ||
		    (!first && st.epoch != epoch)) {
			snprintf(why, len, "live nodes %s; node %d is %s at "
			    "epoch %" PRIu32 " with members %s", a, i,
			    cmm_state_name(st.state), st.epoch, b);
			return false;
		}
		epoch = st.epoch;
		first = false;
	}
	return true;
}
