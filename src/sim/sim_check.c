/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_check: the properties of docs/PROTOCOL.md "Properties", checked on
 * every effect a core emits and after every input.  The quorum rules are
 * recomputed here from the sets themselves, never by calling quorum/vote.c:
 * a checker that calls the code it checks cannot catch that code's bugs.
 * Ground truth is the simulator's own record: every configuration any node
 * persisted as chosen, every ACCEPTED really sent and every accept really
 * written to a disk or a device, the device log and the operator's answers.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/sim.h"
#include "util/fnv.h"

static struct cmm_set *two(struct cmm_set *out, int a, int b);

static struct cmm_set *
two(struct cmm_set *out, int a, int b)
{
	cmm_set_clear(out);
	if (a >= 0)
		cmm_set_add(out, a);
	if (b >= 0)
		cmm_set_add(out, b);
	return out;
}

static uint64_t
hs(const struct cmm_set *s)
{
	return cmm_set_hash(s, CMM_FNV64_OFFSET);
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

/* ---- the global map epoch -> chosen members ---- */

/* The index of epoch e in the sorted map, or -1. */
static long
epoch_index(const struct cmm_sim *s, uint32_t e)
{
	size_t lo = 0, hi = s->nepochs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->epochs[mid].epoch == e)
			return (long)mid;
		if (s->epochs[mid].epoch < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct cmm_sim_epoch *
cmm_sim_epoch_find(const struct cmm_sim *s, uint32_t e)
{
	long i = epoch_index(s, e);

	return i < 0 ? NULL : &s->epochs[i];
}

/* The same, for the checker's own updates. */
static struct cmm_sim_epoch *
epoch_find_mut(struct cmm_sim *s, uint32_t e)
{
	long i = epoch_index(s, e);

	return i < 0 ? NULL : &s->epochs[i];
}

const struct cmm_sim_epoch *
cmm_sim_epoch_below(const struct cmm_sim *s, uint32_t e)
{
	size_t lo = 0, hi = s->nepochs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->epochs[mid].epoch < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? &s->epochs[lo - 1] : NULL;
}

static struct cmm_sim_epoch *
epoch_insert(struct cmm_sim *s, uint32_t epoch, const struct cmm_set *members,
    int node)
{
	size_t i = s->nepochs;

	s->epochs = cmm_sim_grow(s->epochs, &s->capepochs, s->nepochs + 1,
	    sizeof(*s->epochs));
	while (i > 0 && s->epochs[i - 1].epoch > epoch)
		i--;
	memmove(&s->epochs[i + 1], &s->epochs[i],
	    (s->nepochs - i) * sizeof(*s->epochs));
	memset(&s->epochs[i], 0, sizeof(s->epochs[i]));
	s->epochs[i].epoch = epoch;
	s->epochs[i].members = *members;
	s->epochs[i].time = s->now;
	s->epochs[i].node = node;
	s->nepochs++;
	return &s->epochs[i];
}

/* Epochs whose first commit (announced by a member) fell in [t1, t2]. */
int
cmm_sim_steps(const struct cmm_sim *s, int64_t t1, int64_t t2)
{
	int k = 0;

	for (size_t i = 0; i < s->nepochs; i++)
		if (s->epochs[i].time >= t1 && s->epochs[i].time <= t2)
			k++;
	return k;
}

/* ---- recomputed quorum rules ---- */

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

/* Index of a device shared by a and b, or -1. */
static int
check_shared(const struct cmm_sim *s, int a, int b)
{
	for (int d = 0; d < s->cfg->n_devices; d++)
		if (cmm_set_has(&s->cfg->devices[d].nodes, a) &&
		    cmm_set_has(&s->cfg->devices[d].nodes, b))
			return d;
	return -1;
}

/* Q(P), from the rule's text: more than half; half with the crown prince
 * (|P| >= 4 only); for two nodes both, or one and their shared device;
 * formation (P = the configured nodes, epoch 1): more than half. */
static bool
check_quorum_of(const struct cmm_sim *s, const struct cmm_set *P,
    const struct cmm_set *A, bool device, bool formation)
{
	struct cmm_set in;
	int np = cmm_set_count(P), na;

	cmm_set_and(&in, A, P);
	na = cmm_set_count(&in);
	if (formation || np != 2) {
		if (2 * na > np)
			return true;
		return !formation && np >= 4 && 2 * na == np &&
		    cmm_set_has(&in, check_prince(s, P));
	}
	return na + (device ? 1 : 0) >= 2;
}

/* ---- chosen before committed ---- */

static void
acc_record(struct cmm_sim *s, uint32_t inst, int node, int device,
    cmm_ballot b, const struct cmm_set *value, uint32_t hdr_epoch,
    const struct cmm_set *hdr)
{
	uint64_t v = hs(value), h = hs(hdr);
	struct cmm_sim_acc *a;

	/* the same accept is often seen twice (the disk, then the message) */
	for (size_t i = s->naccs; i > 0 && i + 64 > s->naccs; i--) {
		a = &s->accs[i - 1];
		if (a->inst == inst && a->node == node && a->device == device &&
		    a->b == b && a->value == v && a->hdr_epoch == hdr_epoch &&
		    a->hdr == h)
			return;
	}
	s->accs = cmm_sim_grow(s->accs, &s->capaccs, s->naccs + 1, sizeof(*s->accs));
	a = &s->accs[s->naccs++];
	a->inst = inst;
	a->node = node;
	a->device = device;
	a->b = b;
	a->value = v;
	a->hdr_epoch = hdr_epoch;
	a->hdr = h;
}

/* Whether node n accepted (inst, S) at some ballot (its own vote). */
static bool
check_accepted_by(const struct cmm_sim *s, int n, uint32_t inst, uint64_t v)
{
	for (size_t i = 0; i < s->naccs; i++)
		if (s->accs[i].inst == inst && s->accs[i].node == n &&
		    s->accs[i].value == v)
			return true;
	return false;
}

/*
 * (epoch, S) was chosen: a quorum of Q(P), P the configuration chosen for
 * epoch - 1, accepted S at one ballot, each with P in its header.  Else
 * the one stated exception: an operator's answer (or the policy that
 * stands for one) on the node that first persisted it.  *standin says
 * which.  Returns false (and reports) when neither holds.
 */
static bool
check_chosen(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t epoch,
    const struct cmm_set *S, bool *standin, uint64_t *phash)
{
	const struct cmm_sim_epoch *pe = NULL;
	struct cmm_set P, A, who;
	uint64_t v = hs(S), hp;
	uint32_t pepoch = epoch - 1;
	bool formation = epoch == 1, dev;
	char ss[256], ps[256];
	int np;

	*standin = false;
	if (formation) {
		P = s->cfg->configured;
		cmm_set_clear(&who);
		hp = hs(&who);		/* a node with none sends the empty set */
	} else {
		pe = cmm_sim_epoch_find(s, pepoch);
		if (pe == NULL) {
			cmm_set_format(S, ss, sizeof(ss));
			cmm_sim_violate(s, "quorum chain", two(&who, n->id, -1),
			    "node %d persisted epoch %" PRIu32 " %s, but no node "
			    "ever held epoch %" PRIu32, n->id, epoch, ss, pepoch);
			return false;
		}
		P = pe->members;
		hp = hs(&P);
		if (pe->split) {
			/* after an operator split either side may go on */
			uint64_t ha = hs(&pe->alt);

			for (size_t i = 0; i < s->naccs; i++)
				if (s->accs[i].inst == epoch &&
				    s->accs[i].hdr_epoch == pepoch &&
				    s->accs[i].hdr == ha) {
					P = pe->alt;
					hp = ha;
					break;
				}
		}
	}
	*phash = hp;
	np = cmm_set_count(&P);
	/* every ballot with an accept of S for this instance */
	{
		size_t *idx = NULL, nidx = 0, cap = 0;

		for (size_t i = 0; i < s->naccs; i++)
			if (s->accs[i].inst == epoch && s->accs[i].value == v &&
			    s->accs[i].hdr_epoch == pepoch && s->accs[i].hdr == hp) {
				idx = cmm_sim_grow(idx, &cap, nidx + 1, sizeof(*idx));
				idx[nidx++] = i;
			}
		for (size_t i = 0; i < nidx; i++) {
			cmm_ballot b = s->accs[idx[i]].b;

			cmm_set_clear(&A);
			dev = false;
			for (size_t j = 0; j < nidx; j++) {
				const struct cmm_sim_acc *y = &s->accs[idx[j]];

				if (y->b != b)
					continue;
				if (y->node >= 0)
					cmm_set_add(&A, y->node);
				else if (np == 2 && cmm_set_has(&s->cfg->devices[
				    y->device].nodes, cmm_set_next(&P, 0)) &&
				    cmm_set_has(&s->cfg->devices[y->device].nodes,
				    cmm_set_max(&P)))
					dev = true;
			}
			if (check_quorum_of(s, &P, &A, dev, formation)) {
				free(idx);
				return true;
			}
			/* the other stated exception: force-quorum on the node
			 * that coordinated, its declaration in place of the
			 * promises of the dead */
			if (!formation && n->force_inst == epoch &&
			    cmm_ballot_coord(b) == n->id) {
				struct cmm_set with;

				cmm_set_or(&with, &A, &n->force_dead);
				if (check_quorum_of(s, &P, &with, false, false)) {
					free(idx);
					*standin = true;
					return true;
				}
			}
		}
		free(idx);
	}
	/* the stated exception: an answer stands in for missing acceptors */
	if (check_accepted_by(s, n->id, epoch, v)) {
		if (formation) {
			bool lone = cmm_set_count(S) == 1;

			if ((lone && s->cfg->isolation == CMM_ISOLATION_NOT_ISOLATED) ||
			    (!lone && s->cfg->initial == CMM_INITIAL_ANY) ||
			    (n->ans_iso == 0 && n->ans_inst == epoch)) {
				*standin = true;
				return true;
			}
		} else if (np == 2 && cmm_set_has(&P, n->id) &&
		    check_shared(s, cmm_set_next(&P, 0), cmm_set_max(&P)) < 0) {
			int lo = cmm_set_next(&P, 0), hi = cmm_set_max(&P);
			int pick = s->cfg->winner == CMM_WINNER_LOWEST ? lo :
			    s->cfg->winner == CMM_WINNER_HIGHEST ? hi :
			    n->ans_inst == epoch ? n->ans_winner : -1;

			if (pick == n->id) {
				*standin = true;
				return true;
			}
		}
	}
	cmm_set_format(S, ss, sizeof(ss));
	cmm_set_format(&P, ps, sizeof(ps));
	cmm_sim_violate(s, "chosen before committed", two(&who, n->id, -1),
	    "node %d persisted epoch %" PRIu32 " %s, but no quorum of %s "
	    "accepted it at one ballot, and no answer stands in", n->id, epoch,
	    ss, formation ? "the configured nodes" : ps);
	return false;
}

/* A node persisted a newer known configuration: the first time an epoch
 * appears it must have been chosen; after that it must be the same. */
static void
check_learn(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t epoch,
    const struct cmm_set *S)
{
	struct cmm_sim_epoch *e = epoch_find_mut(s, epoch);
	const struct cmm_sim_epoch *next;
	bool standin;
	uint64_t phash;
	struct cmm_set who;
	char a[256], b[256];

	if (e != NULL) {
		if (cmm_set_eq(&e->members, S))
			return;
		cmm_set_format(&e->members, a, sizeof(a));
		cmm_set_format(S, b, sizeof(b));
		/* two values: only inconsistent operator answers may do it */
		if (e->split && cmm_set_eq(&e->alt, S))
			return;
		if (check_chosen(s, n, epoch, S, &standin, &phash) &&
		    (standin || e->standin) && !e->split) {
			e->split = true;
			e->alt = *S;
			cmm_sim_trace(s, -1, "operator split: epoch %" PRIu32 " is "
			    "%s and %s (the stated exception)", epoch, a, b);
			return;
		}
		if (!s->violated)
			cmm_sim_violate(s, "agreement", two(&who, n->id, e->node),
			    "split brain: epoch %" PRIu32 " is %s at node %d and "
			    "%s at node %d", epoch, a, e->node, b, n->id);
		return;
	}
	if (!check_chosen(s, n, epoch, S, &standin, &phash))
		return;
	e = epoch_insert(s, epoch, S, n->id);
	e->standin = standin;
	e->pepoch = epoch - 1;
	e->phash = phash;
	/* the quorum chain, again, should a successor be known already */
	next = cmm_sim_epoch_find(s, epoch + 1);
	if (next != NULL && next->pepoch == epoch && next->phash != hs(S))
		cmm_sim_violate(s, "quorum chain", two(&who, n->id, next->node),
		    "epoch %" PRIu32 " was chosen against another epoch %"
		    PRIu32 " than the one node %d persisted", epoch + 1, epoch,
		    n->id);
}

/* ---- effects ---- */

void
cmm_sim_check_persist(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_persist *p)
{
	struct cmm_set who;

	if (n->has_disk && p->epoch < n->disk.epoch) {
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d persisted epoch %" PRIu32 " over epoch %" PRIu32,
		    n->id, p->epoch, n->disk.epoch);
		return;
	}
	if (n->has_disk && p->incarnation < n->disk.incarnation) {
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d persisted incarnation %" PRIu32 " over %" PRIu32,
		    n->id, p->incarnation, n->disk.incarnation);
		return;
	}
	if (p->epoch >= CMM_EPOCH_LIMIT) {
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d persisted epoch %" PRIu32 ", past the limit",
		    n->id, p->epoch);
		return;
	}
	if (p->epoch > (n->has_disk ? n->disk.epoch : 0))
		check_learn(s, n, p->epoch, &p->members);
	/* an accept written to the disk is a vote, message or not */
	if (p->accepted != CMM_BALLOT_NONE && (!n->has_disk ||
	    n->disk.accepted != p->accepted || n->disk.epoch != p->epoch))
		acc_record(s, p->epoch + 1, n->id, -1, p->accepted, &p->value,
		    p->epoch, &p->members);
}

/* A PREPARE or ACCEPT (or a device slot operation) at ballot b for
 * instance inst: its attempt was on the node's disk before it left; or it
 * is the fast path's attempt 0, sent before the write, which must then
 * carry one value ever, whatever the crashes in between. */
static bool
ballot_used_ok(struct cmm_sim_node *n, uint32_t inst, cmm_ballot b,
    const struct cmm_set *value)
{
	const struct cmm_persist *d = &n->disk;

	if (!n->has_disk)
		return false;
	if (d->epoch + 1 != inst || d->next_attempt > cmm_ballot_attempt(b))
		return true;
	if (cmm_ballot_attempt(b) != 0 || value == NULL)
		return false;
	if (n->fast_inst == inst)
		return cmm_set_eq(&n->fast_value, value);
	n->fast_inst = inst;
	n->fast_value = *value;
	return true;
}

/* Persist before reply, persist the ballot before using it, and record
 * every ACCEPTED for the chosen check. */
void
cmm_sim_check_send(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_msg *m)
{
	const struct cmm_persist *d = &n->disk;
	struct cmm_set who;
	bool ok = true;
	const char *what = "";

	switch (m->type) {
	case CMM_MSG_PROMISE:
		if (!(m->flags & CMM_MSGF_ACCEPTOR))
			break;
		ok = n->has_disk && d->epoch + 1 == m->instance &&
		    d->promised == m->ballot && d->accepted == m->vballot &&
		    (m->vballot == CMM_BALLOT_NONE ||
		    cmm_set_eq(&d->value, &m->value));
		what = "a PROMISE";
		break;
	case CMM_MSG_ACCEPTED:
		ok = n->has_disk && d->epoch + 1 == m->instance &&
		    d->accepted == m->ballot && cmm_set_eq(&d->value, &m->value);
		what = "an ACCEPTED";
		acc_record(s, m->instance, n->id, -1, m->ballot, &m->value,
		    m->epoch, &m->members);
		break;
	case CMM_MSG_PREPARE:
	case CMM_MSG_ACCEPT:
		ok = ballot_used_ok(n, m->instance, m->ballot,
		    m->type == CMM_MSG_ACCEPT ? &m->value : NULL);
		what = m->type == CMM_MSG_PREPARE ? "a PREPARE" : "an ACCEPT";
		break;
	default:
		break;
	}
	if (!ok)
		cmm_sim_violate(s, "persist", two(&who, n->id, -1),
		    "node %d sent %s for instance %" PRIu32 " ballot (%" PRIu32
		    ",%d) before its disk held what it says", n->id, what,
		    m->instance, cmm_ballot_attempt(m->ballot),
		    cmm_ballot_coord(m->ballot));
}

/* Fencing at commit: the departed that share a device with the committer
 * are no longer registered there (unless a later epoch took them back). */
static void
check_fencing(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t epoch,
    const struct cmm_set *members)
{
	const struct cmm_sim_epoch *prev = cmm_sim_epoch_find(s, epoch - 1);
	struct cmm_set gone, who;
	struct cmm_devrec rec;
	char err[128];

	if (prev == NULL)
		return;
	cmm_set_minus(&gone, &prev->members, members);
	for (int z = cmm_set_next(&gone, 0); z >= 0; z = cmm_set_next(&gone, z + 1))
		for (int d = 0; d < s->cfg->n_devices; d++) {
			const struct cmm_set *on = &s->cfg->devices[d].nodes;

			if (!cmm_set_has(on, n->id) || !cmm_set_has(on, z))
				continue;
			s->dev[d]->ops->read(s->dev[d], &rec, err, sizeof(err));
			if (cmm_set_has(&rec.registered, z) &&
			    rec.reg_epoch[z] < epoch)
				cmm_sim_violate(s, "fencing", two(&who, n->id, z),
				    "node %d committed epoch %" PRIu32 " while "
				    "departed node %d is still registered on "
				    "device %s (at epoch %" PRIu32 ")", n->id,
				    epoch, z, s->cfg->devices[d].name,
				    rec.reg_epoch[z]);
		}
}

void
cmm_sim_check_commit(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_event *ev)
{
	struct cmm_sim_epoch *e;
	uint32_t T = ev->epoch;
	const struct cmm_set *S = &ev->members;
	struct cmm_set who;
	char a[256];
	int X = n->id;

	cmm_set_format(S, a, sizeof(a));
	if (s->o.json) {
		s->clog = cmm_sim_grow(s->clog, &s->capclog, s->nclog + 1,
		    sizeof(*s->clog));
		s->clog[s->nclog].epoch = T;
		s->clog[s->nclog].node = X;
		s->clog[s->nclog].time = s->now;
		s->clog[s->nclog].members = *S;
		s->clog[s->nclog].reason = ev->decision != NULL ?
		    cmm_qmethod_name(ev->decision->method) : "learned";
		s->nclog++;
	}
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
	/* persist before announcing */
	if (!n->has_disk || n->disk.epoch != T ||
	    !cmm_set_eq(&n->disk.members, S)) {
		cmm_sim_violate(s, "persist", two(&who, X, -1),
		    "node %d announced epoch %" PRIu32 " members %s before "
		    "persisting it (disk holds epoch %" PRIu32 ")", X, T, a,
		    n->has_disk ? n->disk.epoch : 0);
		return;
	}
	e = epoch_find_mut(s, T);
	if (e == NULL || (!cmm_set_eq(&e->members, S) &&
	    !(e->split && cmm_set_eq(&e->alt, S)))) {
		cmm_sim_violate(s, "agreement", two(&who, X, -1),
		    "node %d committed epoch %" PRIu32 " %s, which was never "
		    "chosen", X, T, a);
		return;
	}
	check_fencing(s, n, T, S);
	if (s->violated)
		return;
	if (!e->committed) {
		e->committed = true;
		e->time = s->now;	/* steps count first commits */
	}
	n->top_epoch = T;
	n->member = true;
}

/* Belief: a node that says it is a member at E holds exactly the
 * configuration chosen for E. */
void
cmm_sim_check_input(struct cmm_sim *s, struct cmm_sim_node *n)
{
	const struct cmm_sim_epoch *e;
	const struct cmm_set *members;
	struct cmm_set who;
	uint32_t epoch;
	char a[256], b[256];

	if (n->core == NULL || s->violated)
		return;
	/* not cmm_core_status: its crown prince and force hint are O(N), and
	 * this runs after every input */
	if ((members = cmm_core_membership(n->core, &epoch)) == NULL)
		return;
	e = cmm_sim_epoch_find(s, epoch);
	if (e != NULL && (cmm_set_eq(&e->members, members) || e->split) &&
	    cmm_set_has(members, n->id))
		return;
	cmm_set_format(members, a, sizeof(a));
	if (e != NULL)
		cmm_set_format(&e->members, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "nothing");
	cmm_sim_violate(s, "belief", two(&who, n->id, -1), "node %d says it is "
	    "a member at epoch %" PRIu32 " with %s, but %s was chosen", n->id,
	    epoch, a, b);
}

/* ---- devices ---- */

void
cmm_sim_check_devreq(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_devreq *req)
{
	const char *dname = req->device >= 0 && req->device < s->cfg->n_devices ?
	    s->cfg->devices[req->device].name : "?";
	const struct cmm_persist *d = &n->disk;
	struct cmm_set who;

	if (req->op.node != n->id) {
		cmm_sim_violate(s, "devices", two(&who, n->id, -1),
		    "node %d asked for a device operation as node %d", n->id,
		    req->op.node);
		return;
	}
	switch (req->op.op) {
	case CMM_DEVOP_REGISTER:
	case CMM_DEVOP_FENCE:
		/* a node without a configuration holding it writes nothing */
		if (!n->has_disk || d->epoch != req->op.epoch ||
		    !cmm_set_has(&d->members, n->id) ||
		    !cmm_set_eq(&d->members, &req->op.set))
			cmm_sim_violate(s, "devices", two(&who, n->id, -1),
			    "node %d %s device %s for epoch %" PRIu32 " but its "
			    "disk holds epoch %" PRIu32 " without that "
			    "configuration", n->id,
			    req->op.op == CMM_DEVOP_FENCE ? "fenced" :
			    "registered on", dname, req->op.epoch, d->epoch);
		return;
	case CMM_DEVOP_PROMISE:
	case CMM_DEVOP_ACCEPT:
		/* a two-node race, or force-quorum's race against the dead */
		if (!n->has_disk || d->epoch + 1 != req->op.epoch ||
		    !cmm_set_has(&d->members, n->id) ||
		    (cmm_set_count(&d->members) != 2 &&
		    !(req->op.op == CMM_DEVOP_PROMISE &&
		    n->force_inst == req->op.epoch)) ||
		    !ballot_used_ok(n, req->op.epoch, req->op.ballot,
		    req->op.op == CMM_DEVOP_ACCEPT ? &req->op.set : NULL))
			cmm_sim_violate(s, "devices", two(&who, n->id, -1),
			    "node %d used the slot of device %s for instance %"
			    PRIu32 " while not one of two members (or before "
			    "persisting the ballot)", n->id, dname, req->op.epoch);
		return;
	}
}

/*
 * The set hash of the first successful fence of device d for epoch e;
 * h is recorded as that fence when there is none yet.  Every later fence
 * for (d, e) that differs from the first is a violation, so until the
 * first one a differing fence anywhere in the log is the first's.
 */
static uint64_t
fence_first(struct cmm_sim *s, int d, uint32_t e, uint64_t h)
{
	uint64_t key = (uint64_t)(d + 1) << 32 | e;
	size_t i;

	if (2 * (s->nfences + 1) > s->capfences) {
		struct cmm_sim_fencekey *old = s->fences;
		size_t oldcap = s->capfences;

		s->capfences = oldcap != 0 ? 2 * oldcap : 64;
		s->fences = calloc(s->capfences, sizeof(*s->fences));
		if (s->fences == NULL) {
			fprintf(stderr, "cmm sim: out of memory\n");
			exit(1);
		}
		for (size_t j = 0; j < oldcap; j++)
			if (old[j].key != 0) {
				i = cmm_fnv64(&old[j].key, sizeof(key),
				    CMM_FNV64_OFFSET) &
				    (s->capfences - 1);
				while (s->fences[i].key != 0)
					i = (i + 1) & (s->capfences - 1);
				s->fences[i] = old[j];
			}
		free(old);
	}
	i = cmm_fnv64(&key, sizeof(key), CMM_FNV64_OFFSET) &
	    (s->capfences - 1);
	for (; s->fences[i].key != 0; i = (i + 1) & (s->capfences - 1))
		if (s->fences[i].key == key)
			return s->fences[i].set;
	s->fences[i].key = key;
	s->fences[i].set = h;
	s->nfences++;
	return h;
}

void
cmm_sim_check_devop(struct cmm_sim *s, int node, const struct cmm_devreq *req,
    const struct cmm_devres *res, const struct cmm_devrec *before,
    const struct cmm_devrec *after)
{
	const char *dname = s->cfg->devices[req->device].name;
	const struct cmm_devop *op = &req->op;
	struct cmm_sim_devlog *l;
	struct cmm_set who;
	uint64_t h = hs(&op->set);
	bool ok = res->status == CMM_DEV_OK || res->status == CMM_DEV_STALE;

	if (ok && op->op == CMM_DEVOP_FENCE &&
	    fence_first(s, req->device, op->epoch, h) != h)
		for (size_t i = 0; i < s->ndevlog; i++) {
			l = &s->devlog[i];
			if (l->device == req->device && l->epoch == op->epoch &&
			    l->op == CMM_DEVOP_FENCE && l->set != h &&
			    (l->status == CMM_DEV_OK || l->status == CMM_DEV_STALE)) {
				cmm_sim_violate(s, "devices", two(&who, node,
				    l->node), "device %s fenced for epoch %"
				    PRIu32 " with two configurations, by node %d "
				    "and node %d", dname, op->epoch, l->node, node);
				break;
			}
		}
	if (ok && op->op == CMM_DEVOP_REGISTER) {
		const struct cmm_sim_epoch *e = cmm_sim_epoch_find(s, op->epoch);

		/* a delayed registration must not undo a later fence */
		for (size_t i = s->dev_fenced[req->device * s->n + node] >
		    op->epoch ? 0 : s->ndevlog; i < s->ndevlog; i++) {
			l = &s->devlog[i];
			if (l->device == req->device && l->op == CMM_DEVOP_FENCE &&
			    l->epoch > op->epoch &&
			    cmm_set_has(&l->departed, node))
				cmm_sim_violate(s, "fencing", two(&who, node,
				    l->node), "node %d registered on device %s "
				    "at epoch %" PRIu32 " after node %d fenced "
				    "it there at epoch %" PRIu32, node, dname,
				    op->epoch, l->node, l->epoch);
		}
		if (e == NULL || !cmm_set_has(&e->members, node))
			cmm_sim_violate(s, "fencing", two(&who, node, -1),
			    "node %d registered on device %s for epoch %" PRIu32
			    ", a configuration it is not in", node, dname,
			    op->epoch);
	}
	if (ok && op->op == CMM_DEVOP_ACCEPT) {
		/* the device is an acceptor: its accept is a vote */
		struct cmm_sim_node *n = &s->nodes[node];

		acc_record(s, op->epoch, -1, req->device, op->ballot, &op->set,
		    n->disk.epoch, &n->disk.members);
	}
	s->devlog = cmm_sim_grow(s->devlog, &s->capdevlog, s->ndevlog + 1,
	    sizeof(*s->devlog));
	l = &s->devlog[s->ndevlog++];
	memset(l, 0, sizeof(*l));
	l->time = s->now;
	l->node = node;
	l->device = req->device;
	l->op = op->op;
	l->epoch = op->epoch;
	l->status = res->status;
	l->set = h;
	if (op->op == CMM_DEVOP_FENCE && ok) {
		uint32_t *top = &s->dev_fenced[req->device * s->n];

		cmm_set_minus(&l->departed, &op->departed, &res->stale);
		for (int i = cmm_set_next(&l->departed, 0); i >= 0 && i < s->n;
		    i = cmm_set_next(&l->departed, i + 1))
			if (top[i] < op->epoch)
				top[i] = op->epoch;
	}
	if (after->epoch < before->epoch || after->epoch < s->dev_top[req->device])
		cmm_sim_violate(s, "devices", two(&who, node, -1),
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
