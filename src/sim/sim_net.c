/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_net: the simulator's virtual network.  Every SEND is encoded once
 * and decoded back (a message that does not survive the codec is a
 * violation), then delivered to each destination with latency and jitter
 * (reordering), loss, duplication, partitions, one-way cuts and selective
 * drops of message types, all drawn from the simulator's seeded generator.
 * A datagram to a node that is down comes back to its sender as a
 * port-unreachable (fast_fail) unless the node's host went with it.
 * Each delivered copy is encoded again with its own destination and decoded
 * by the receiver (the daemon's path without the MAC: prefix, body,
 * destination), then filtered through the receiver's replay window
 * (net/replay.h) as the daemon does.
 *
 * Batching.  A heartbeat goes to every node: one event a copy made a
 * 1024-node cluster queue a million events a second.  Instead the copies
 * of one send that arrive at the same time share one event (struct
 * cmm_sim_batch), split again by receiver when its millisecond comes
 * (sim.c, sim_prepare).  The run is exactly the one of the unbatched
 * model (`cmm sim --unbatched`, one DELIVER event a copy), because:
 *  1. the fate of each copy -- cut, selective drop, loss, duplication and
 *     its jittered time -- is drawn at send time, receiver by receiver, in
 *     the same order and from the same generator as before; only where the
 *     result is stored changes;
 *  2. the queue runs on (time, priority, node, insertion number).  The
 *     copies of one send were queued one after the other, nothing in
 *     between, so in the unbatched model they hold consecutive insertion
 *     numbers in receiver order; a batch's copies each take the batch's
 *     number and their place in it, which orders every node's events
 *     the same way (sim_prepare sorts a millisecond by node, stably);
 *  3. whatever a delivery queues comes after the rest of the run in both
 *     models (a later time or priority, or the same millisecond's next
 *     turn: sim_prepare takes a bucket once), and the engine checks for a
 *     violation between two copies as it does between two events.
 * A batch is only made for a time within the wheel; copies due later
 * (a long delay) are queued one event each, as unbatched.
 * The explorer chooses between single events, so with it every copy stays
 * its own event.  The port-unreachables that copies to down nodes bring
 * back to one sender are merged by the same argument (net_unreach: only
 * events queued one right after the other, due at one time, for one
 * node).
 * tests/sim/batching.sh compares both models' traces.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/sim.h"

/* One copy of a send, fate drawn, before it is queued. */
struct cmm_sim_copy {
	int64_t		t;
	uint32_t	idx;		/* queue order within the send */
	uint16_t	to;
	struct cmm_sim_dup *dup;
};

static struct cmm_sim_msg *msg_alloc(struct cmm_sim *s, size_t bytes);
static void	net_queue(struct cmm_sim *s, struct cmm_sim_msg *sm, int to,
		    struct cmm_sim_dup *dup, int64_t t);
static void	net_flush(struct cmm_sim *s, struct cmm_sim_msg *sm);
static bool	link_up(const struct cmm_sim *s, int a, int b);
static bool	net_dropped(const struct cmm_sim *s, int a, int b, int type);

static bool
net_dropped(const struct cmm_sim *s, int a, int b, int type)
{
	for (size_t i = 0; i < s->ndrops; i++)
		if (s->drops[i].a == a && s->drops[i].b == b &&
		    (s->drops[i].mask & (UINT32_C(1) << type)))
			return true;
	return false;
}

/* A record with room for a datagram of `bytes`, from its size class's
 * free list when it has one. */
static struct cmm_sim_msg *
msg_alloc(struct cmm_sim *s, size_t bytes)
{
	size_t k = (offsetof(struct cmm_sim_msg, wire) + bytes + 63) / 64;
	struct cmm_sim_msg *m;

	assert(bytes <= CMM_WIRE_MAX && k < CMM_SIM_MSG_CLASSES);
	if ((m = s->msg_free[k]) != NULL) {
		s->msg_free[k] = m->free_next;
	} else if ((m = malloc(k * 64)) == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	memset(m, 0, offsetof(struct cmm_sim_msg, wire));
	m->size_class = (uint8_t)k;
	m->serial = ++s->msg_serial;
	return m;
}

void
cmm_sim_msg_unref(struct cmm_sim *s, struct cmm_sim_msg *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	free(m->view);
	m->view = NULL;
	m->free_next = s->msg_free[m->size_class];
	s->msg_free[m->size_class] = m;
}

/* The message decoded into v. */
static void
net_decode(struct cmm_sim *s, struct cmm_sim_msg *sm, struct cmm_msg *v)
{
	enum cmm_drop why;

	/* it decoded when it was sent (cmm_sim_net_send) */
	why = cmm_wire_decode(sm->wire, sm->bytes, s->cluster_id, v);
	assert(why == CMM_DROP_NONE);
	(void)why;
}

/* The message decoded and kept with it (freed with it). */
static struct cmm_msg *
net_keep_view(struct cmm_sim *s, struct cmm_sim_msg *sm)
{
	if (sm->view == NULL) {
		if ((sm->view = malloc(sizeof(*sm->view))) == NULL) {
			fprintf(stderr, "cmm sim: out of memory\n");
			exit(1);
		}
		net_decode(s, sm, sm->view);
	}
	return sm->view;
}

/* The message decoded: kept with it while more of its copies are to
 * come, since the copies of a millisecond run interleaved, node by node
 * (sim_prepare); else in a one-entry cache. */
static struct cmm_msg *
net_view(struct cmm_sim *s, struct cmm_sim_msg *sm)
{
	if (sm->view != NULL || sm->refs > 1)
		return net_keep_view(s, sm);
	if (s->view_of != sm->serial) {
		net_decode(s, sm, &s->view);
		s->view_of = sm->serial;
	}
	return &s->view;
}

const struct cmm_msg *
cmm_sim_msg_view(struct cmm_sim *s, struct cmm_sim_msg *sm)
{
	return net_view(s, sm);
}

void
cmm_sim_dup_unref(struct cmm_sim_dup *d)
{
	if (d != NULL && --d->refs == 0)
		free(d);
}

static bool
link_up(const struct cmm_sim *s, int a, int b)
{
	if (s->group[a] != s->group[b])
		return false;
	return !(s->any_cut && cmm_set_has(&s->cut[a], b));
}

void
cmm_sim_net_send(struct cmm_sim *s, struct cmm_sim_node *from,
    const struct cmm_set *to, const struct cmm_msg *msg)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg orig = *msg, dec;
	struct cmm_sim_msg *sm;
	enum cmm_drop why;
	int len;

	s->st.sends++;
	/* the transport numbers datagrams per sender, as the daemon will */
	orig.seq = ++from->seq;
	/* and fills in what the core leaves to it; the destination is set
	 * per copy (cmm_sim_net_deliver), the sender's own id stands in */
	orig.vmin = CMM_PROTO_MIN;
	orig.vmax = CMM_PROTO_MAX;
	orig.dest = (uint16_t)from->id;
	if (orig.sender != from->id) {
		cmm_sim_violate(s, "core", NULL, "node %d sent a %s as node %d",
		    from->id, cmm_msg_type_name(orig.type), orig.sender);
		return;
	}
	len = cmm_wire_encode(&orig, s->cluster_id, buf, sizeof(buf));
	if (len < 0) {
		cmm_sim_violate(s, "codec", NULL,
		    "node %d: %s does not fit one datagram", from->id,
		    cmm_msg_type_name(orig.type));
		return;
	}
	/* the simulator does not authenticate: the tag is zeros */
	memset(buf + len, 0, CMM_WIRE_MAC_LEN);
	len += CMM_WIRE_MAC_LEN;
	why = cmm_wire_decode(buf, (size_t)len, s->cluster_id, &dec);
	if (why != CMM_DROP_NONE || !cmm_msg_equal(&orig, &dec)) {
		cmm_sim_violate(s, "codec", NULL,
		    "node %d: %s did not survive encode/decode (%s)", from->id,
		    cmm_msg_type_name(orig.type), cmm_drop_name(why));
		return;
	}
	sm = msg_alloc(s, (size_t)len);
	sm->bytes = (uint32_t)len;
	sm->sender = dec.sender;
	sm->type = dec.type;
	memcpy(sm->wire, buf, (size_t)len);
	cmm_sim_check_send(s, from, &dec);
	/* a plain heartbeat, which only the timer sends (probes, their
	 * answers and the news of a suspect carry SUSPECT) */
	if (orig.type == CMM_MSG_HEARTBEAT && !(orig.ext & CMM_EXT_SUSPECT))
		from->last_bcast = s->now;

	sm->refs = 1;	/* held while queuing */
	for (int d = cmm_set_next(to, 0); d >= 0; d = cmm_set_next(to, d + 1)) {
		struct cmm_sim_dup *dup = NULL;
		int copies = 1;

		if (d >= s->n || d == from->id) {
			s->st.drop_self++;
			continue;
		}
		s->st.datagrams++;
		s->st.bytes += sm->bytes;
		if (!link_up(s, from->id, d)) {
			s->st.drop_cut++;
			continue;
		}
		if (s->ndrops > 0 && net_dropped(s, from->id, d, sm->type)) {
			s->st.drop_type++;
			continue;
		}
		/* the explorer decides when (and whether) it arrives */
		if (s->x != NULL && cmm_sim_explore_take(s, sm, from->id, d))
			continue;
		if (s->loss_ppm > 0 &&
		    cmm_rng_below(&s->rng, 1000000) < s->loss_ppm) {
			s->st.drop_loss++;
			continue;
		}
		if (s->dup_ppm > 0 &&
		    cmm_rng_below(&s->rng, 1000000) < s->dup_ppm) {
			copies = 2;
			s->st.dups++;
			dup = calloc(1, sizeof(*dup));
			if (dup == NULL) {
				fprintf(stderr, "cmm sim: out of memory\n");
				exit(1);
			}
			dup->refs = 2;
		}
		for (int c = 0; c < copies; c++) {
			/* jitter reorders messages on a link */
			int64_t t = s->now + s->latency_ms + s->delay_ms +
			    (s->jitter_ms > 0 ? (int64_t)cmm_rng_below(&s->rng,
			    (uint64_t)s->jitter_ms + 1) : 0);

			net_queue(s, sm, d, dup, t <= s->now ? s->now + 1 : t);
		}
	}
	net_flush(s, sm);
	cmm_sim_msg_unref(s, sm);
}

/* One copy's fate is drawn: queue it (unbatched, or with the explorer),
 * or keep it for net_flush. */
static void
net_queue(struct cmm_sim *s, struct cmm_sim_msg *sm, int to,
    struct cmm_sim_dup *dup, int64_t t)
{
	struct cmm_sim_copy *c;

	if (s->o.unbatched || s->x != NULL) {
		struct cmm_sim_ev ev;

		memset(&ev, 0, sizeof(ev));
		ev.t = t;
		ev.kind = CMM_SIM_EV_DELIVER;
		ev.node = to;
		ev.u.dlv.msg = sm;
		ev.u.dlv.dup = dup;
		sm->refs++;
		cmm_sim_push(s, &ev);
		return;
	}
	s->copies = cmm_sim_grow(s->copies, &s->capcopies, s->ncopies + 1,
	    sizeof(*s->copies));
	c = &s->copies[s->ncopies];
	c->t = t;
	c->idx = (uint32_t)s->ncopies++;
	c->to = (uint16_t)to;
	c->dup = dup;
}

static int
copy_cmp(const void *a, const void *b)
{
	const struct cmm_sim_copy *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The copies by (arrival time, queue order), as qsort with copy_cmp
 * would: counted per millisecond when the times span a few thousand (the
 * copies are in queue order already, and the count keeps that order):
 * qsort took a sixth of a 256-node run with random faults. */
static void
net_sort(struct cmm_sim *s)
{
	int64_t lo = s->copies[0].t, hi = lo;
	size_t span, i;
	struct cmm_sim_copy *tmp;

	for (i = 1; i < s->ncopies; i++) {
		if (s->copies[i].t < lo)
			lo = s->copies[i].t;
		if (s->copies[i].t > hi)
			hi = s->copies[i].t;
	}
	if (hi - lo >= 4096) {
		qsort(s->copies, s->ncopies, sizeof(*s->copies), copy_cmp);
		return;
	}
	span = (size_t)(hi - lo) + 1;
	s->tcount = cmm_sim_grow(s->tcount, &s->captcount, span + 1,
	    sizeof(*s->tcount));
	s->sorted = cmm_sim_grow(s->sorted, &s->capsorted, s->ncopies,
	    sizeof(*s->sorted));
	memset(s->tcount, 0, (span + 1) * sizeof(*s->tcount));
	for (i = 0; i < s->ncopies; i++)
		s->tcount[s->copies[i].t - lo + 1]++;
	for (i = 1; i <= span; i++)
		s->tcount[i] += s->tcount[i - 1];
	for (i = 0; i < s->ncopies; i++)
		s->sorted[s->tcount[s->copies[i].t - lo]++] = s->copies[i];
	tmp = s->copies;
	s->copies = s->sorted;
	s->sorted = tmp;
	i = s->capcopies;
	s->capcopies = s->capsorted;
	s->capsorted = i;
}

/* The send's copies as one batch event per arrival time, each in queue
 * order (point 2 above: any insertion number of the send's range would
 * do, since no other event holds one). */
static void
net_flush(struct cmm_sim *s, struct cmm_sim_msg *sm)
{
	size_t i = 0, j;

	if (s->ncopies == 0)
		return;
	for (j = 1; j < s->ncopies && s->copies[j].t == s->copies[0].t; j++)
		;
	if (j < s->ncopies)	/* jitter: several arrival times */
		net_sort(s);
	for (; i < s->ncopies; i = j) {
		struct cmm_sim_batch *b;
		struct cmm_sim_ev ev;
		bool dups = false;

		for (j = i; j < s->ncopies && s->copies[j].t == s->copies[i].t;
		    j++)
			dups = dups || s->copies[j].dup != NULL;
		memset(&ev, 0, sizeof(ev));
		ev.t = s->copies[i].t;
		if (j == i + 1 || ev.t - s->now >= CMM_SIM_WHEEL) {
			/* one copy (a reply, a probe): its own event, as
			 * unbatched, without a batch record to allocate; the
			 * same for copies due past the wheel, where nothing
			 * splits a batch by node (sim_prepare) */
			for (size_t k = i; k < j; k++) {
				ev.kind = CMM_SIM_EV_DELIVER;
				ev.node = s->copies[k].to;
				ev.u.dlv.msg = sm;
				ev.u.dlv.dup = s->copies[k].dup;
				sm->refs++;
				cmm_sim_push(s, &ev);
			}
			continue;
		}
		b = malloc(sizeof(*b) + (j - i) * sizeof(b->to[0]));
		if (b == NULL || (dups && (b->dup = calloc(j - i,
		    sizeof(struct cmm_sim_dupref))) == NULL)) {
			fprintf(stderr, "cmm sim: out of memory\n");
			exit(1);
		}
		if (!dups)
			b->dup = NULL;
		b->msg = sm;
		sm->refs++;
		b->n = (uint32_t)(j - i);
		for (size_t k = i; k < j; k++) {
			b->to[k - i] = s->copies[k].to;
			if (dups)
				b->dup[k - i].d = s->copies[k].dup;
		}
		ev.kind = CMM_SIM_EV_BATCH;
		ev.node = -1;
		ev.u.batch = b;
		cmm_sim_push(s, &ev);
	}
	s->ncopies = 0;
}

void
cmm_sim_batch_free(struct cmm_sim *s, struct cmm_sim_batch *b)
{
	if (b == NULL)
		return;
	if (b->dup != NULL)	/* a delivered copy took its own */
		for (uint32_t i = 0; i < b->n; i++)
			cmm_sim_dup_unref(b->dup[i].d);
	cmm_sim_msg_unref(s, b->msg);
	free(b->dup);
	free(b);
}

/* The copy for node `to` as its receiver decodes it: addressed to it,
 * through the codec.  false (a violation) if it does not survive.  The
 * send put the message through the codec already; the copies differ
 * only in their destination, so the first copy of each message goes
 * through it again with its own, and the others take that one's result
 * with theirs (at 1024 nodes a third of the run went to encoding the
 * same bytes once per receiver).  Those are the decoded view of the
 * message (cmm_sim_msg_view), readdressed: a 584-byte copy per receiver
 * was a twentieth of a run.  NULL: a violation. */
static const struct cmm_msg *
net_copy_for(struct cmm_sim *s, struct cmm_sim_msg *sm, int to,
    struct cmm_msg *out)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m;
	enum cmm_drop why;
	int len;

	if (sm->copy_checked) {
		struct cmm_msg *v = net_view(s, sm);

		v->dest = (uint16_t)to;
		return v;
	}
	m = *cmm_sim_msg_view(s, sm);
	m.dest = (uint16_t)to;
	len = cmm_wire_encode(&m, s->cluster_id, buf, sizeof(buf));
	if (len >= 0) {
		memset(buf + len, 0, CMM_WIRE_MAC_LEN);
		why = cmm_wire_decode(buf, (size_t)len + CMM_WIRE_MAC_LEN,
		    s->cluster_id, out);
	} else {
		why = CMM_DROP_LONG;
	}
	if (why == CMM_DROP_NONE && out->dest == to && cmm_msg_equal(&m, out)) {
		sm->copy_checked = true;
		return out;
	}
	cmm_sim_violate(s, "codec", NULL, "node %d: a %s for node %d did not "
	    "survive encode/decode (%s)", m.sender, cmm_msg_type_name(m.type),
	    to, cmm_drop_name(why));
	return NULL;
}

/* A list of unreachables, the first for peer */
static struct cmm_sim_unreach *
net_unreach_list(int peer)
{
	struct cmm_sim_unreach *u;
	size_t cap = 0;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	u->peer = cmm_sim_grow(NULL, &cap, 2, sizeof(*u->peer));
	u->cap = (uint32_t)cap;
	u->peer[u->n++] = (uint16_t)peer;
	return u;
}

/* A datagram from `from` found node `to` down.  A crashed process leaves
 * its port closed on a live host, which answers port-unreachable: it
 * reaches the sender one network delay later, over the same network (not
 * across a cut, and it may be lost).  A lost host answers nothing. */
static void
net_unreach(struct cmm_sim *s, int from, int to)
{
	struct cmm_sim_unreach *u;
	struct cmm_sim_ev ev;

	if (s->nodes[to].host_lost || !link_up(s, to, from) ||
	    s->nodes[from].core == NULL)
		return;
	if (s->loss_ppm > 0 && cmm_rng_below(&s->rng, 1000000) < s->loss_ppm)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.t = s->now + (s->latency_ms + s->delay_ms > 0 ?
	    s->latency_ms + s->delay_ms : 1);
	ev.kind = CMM_SIM_EV_UNREACH;
	ev.node = from;
	ev.gen = s->nodes[from].gen;
	ev.u.peer = to;
	if (s->o.unbatched || s->x != NULL) {
		cmm_sim_push(s, &ev);
		return;
	}
	/* the next after the last one queued, nothing in between: the run
	 * of the queue the events would have been (see the batches) */
	if ((s->ur != NULL || s->ur_single) && s->ur_seq + 1 == s->evseq &&
	    s->ur_t == ev.t && s->ur_node == from && s->ur_gen == ev.gen) {
		if (s->ur_single) {
			/* the second: the lone event becomes a list */
			struct cmm_sim_bucket *b =
			    &s->wheel[ev.t % CMM_SIM_WHEEL];
			struct cmm_sim_ev *e;

			assert(b->len > 0);
			e = &b->ev[b->len - 1];
			assert(e->seq == s->ur_seq &&
			    e->kind == CMM_SIM_EV_UNREACH);
			u = net_unreach_list(e->u.peer);
			e->kind = CMM_SIM_EV_UNREACHES;
			e->u.unreach = u;
			s->ur = u;
			s->ur_single = false;
		}
		u = s->ur;
		if (u->n == u->cap) {
			size_t cap = u->cap;

			u->peer = cmm_sim_grow(u->peer, &cap, (size_t)u->n + 1,
			    sizeof(*u->peer));
			u->cap = (uint32_t)cap;
		}
		u->peer[u->n++] = (uint16_t)to;
		/* numbered and counted as the event it stands for */
		s->ur_seq = s->evseq++;
		s->st.queued++;
		return;
	}
	/* most stay alone (a down node's copies come sender after sender):
	 * queued as the plain event, made a list only if a second joins */
	cmm_sim_push(s, &ev);
	s->ur = NULL;
	s->ur_single = ev.t - s->now < CMM_SIM_WHEEL;	/* in the wheel */
	s->ur_seq = ev.seq;
	s->ur_t = ev.t;
	s->ur_node = from;
	s->ur_gen = ev.gen;
}

void
cmm_sim_unreach_free(struct cmm_sim *s, struct cmm_sim_unreach *u)
{
	if (u == NULL)
		return;
	if (s->ur == u)
		s->ur = NULL;
	free(u->peer);
	free(u);
}

/* Each unreachable as the event it stands for (counted as one, and the
 * run stops after a violation as it would between two events). */
void
cmm_sim_net_unreaches(struct cmm_sim *s, const struct cmm_sim_ev *ev)
{
	struct cmm_sim_unreach *u = ev->u.unreach;
	struct cmm_sim_ev one = *ev;

	/* due now: nothing more joins it */
	if (s->ur == u)
		s->ur = NULL;
	one.kind = CMM_SIM_EV_UNREACH;
	while (u->next < u->n && !s->violated) {
		uint32_t i = u->next++;

		if (i > 0)
			s->st.events++;
		one.u.peer = u->peer[i];
		cmm_sim_net_unreach(s, &one);
	}
	cmm_sim_unreach_free(s, u);
}

void
cmm_sim_net_unreach(struct cmm_sim *s, const struct cmm_sim_ev *ev)
{
	struct cmm_sim_node *n = &s->nodes[ev->node];

	/* the socket it was for died with its process */
	if (n->core == NULL || n->gen != ev->gen)
		return;
	cmm_core_on_unreachable(n->core, s->now, ev->u.peer);
	cmm_sim_after_input(s, n);
}

/* One copy arrives at node `to`: the whole receiving side (a down node,
 * the codec, the replay window, property 6, the core).  Takes over the
 * copy's reference to dup; the message stays the caller's. */
static void
net_arrive(struct cmm_sim *s, int to, struct cmm_sim_msg *sm,
    struct cmm_sim_dup *dup)
{
	struct cmm_sim_node *n = &s->nodes[to];
	struct cmm_msg copy;
	const struct cmm_msg *m;

	if (n->core == NULL) {
		s->st.drop_down++;
		net_unreach(s, sm->sender, to);
		goto out;
	}
	if ((m = net_copy_for(s, sm, n->id, &copy)) == NULL)
		goto out;
	if (!s->o.plant_replay) {
		/* the daemon's rule: check, (MAC,) then move the window; one
		 * link, as cmm_replay_check */
		struct cmm_replay_win *w = &s->win[(size_t)n->id *
		    (size_t)s->n + (size_t)m->sender];

		if (cmm_replay_win_check(w, m->incarnation, m->seq, 0) !=
		    CMM_DROP_NONE) {
			s->st.drop_replay++;
			goto out;
		}
		cmm_replay_win_accept(w, m->incarnation, m->seq, 0);
	}
	if (dup != NULL) {
		/* property 6: a core never gets the same datagram twice */
		if (dup->given && dup->gen == n->gen) {
			struct cmm_set who;

			cmm_set_clear(&who);
			cmm_set_add(&who, n->id);
			cmm_set_add(&who, m->sender);
			cmm_sim_violate(s, "replay", &who,
			    "node %d was given %s (sender %d, incarnation %" PRIu32
			    ", seq %" PRIu64 ") twice", n->id,
			    cmm_msg_type_name(m->type), m->sender, m->incarnation,
			    m->seq);
			goto out;
		}
		dup->given = true;
		dup->gen = n->gen;
	}
	s->st.delivered++;
	cmm_core_on_packet(n->core, s->now, m);
	cmm_sim_after_input(s, n);
out:
	cmm_sim_dup_unref(dup);
}

void
cmm_sim_net_deliver(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	net_arrive(s, ev->node, ev->u.dlv.msg, ev->u.dlv.dup);
	cmm_sim_msg_unref(s, ev->u.dlv.msg);
}

/* One receiver's copy of a batch (the batch is freed with the rest of
 * its millisecond). */
void
cmm_sim_net_deliver_copy(struct cmm_sim *s, const struct cmm_sim_ev *ev)
{
	struct cmm_sim_batch *b = ev->u.copy.batch;
	struct cmm_sim_msg *sm = b->msg;
	uint32_t i = ev->u.copy.i;
	struct cmm_sim_dup *d = NULL;

	if (b->dup != NULL) {
		d = b->dup[i].d;
		b->dup[i].d = NULL;
	}
	if (sm->copy_checked && b->n > 1)
		(void)net_keep_view(s, sm);	/* for the other copies */
	net_arrive(s, ev->node, sm, d);
}

void
cmm_sim_net_heal(struct cmm_sim *s)
{
	memset(s->group, 0, (size_t)s->n * sizeof(*s->group));
	if (s->any_cut)
		memset(s->cut, 0, (size_t)s->n * sizeof(*s->cut));
	s->ndrops = 0;
	s->any_cut = false;
}

/* Nodes named in no group form one more group of their own. */
void
cmm_sim_net_partition(struct cmm_sim *s, const struct cmm_set *groups,
    int ngroups)
{
	for (int i = 0; i < s->n; i++)
		s->group[i] = ngroups + 1;
	for (int g = 0; g < ngroups; g++)
		for (int i = cmm_set_next(&groups[g], 0); i >= 0 && i < s->n;
		    i = cmm_set_next(&groups[g], i + 1))
			s->group[i] = g + 1;
}

void
cmm_sim_net_cut(struct cmm_sim *s, int a, int b, bool oneway)
{
	cmm_set_add(&s->cut[a], b);
	if (!oneway)
		cmm_set_add(&s->cut[b], a);
	s->any_cut = true;
}

void
cmm_sim_net_drop(struct cmm_sim *s, int a, int b, uint32_t mask)
{
	for (size_t i = 0; i < s->ndrops; i++)
		if (s->drops[i].a == a && s->drops[i].b == b) {
			s->drops[i].mask |= mask;
			return;
		}
	s->drops = cmm_sim_grow(s->drops, &s->capdrops, s->ndrops + 1,
	    sizeof(*s->drops));
	s->drops[s->ndrops].a = a;
	s->drops[s->ndrops].b = b;
	s->drops[s->ndrops].mask = mask;
	s->ndrops++;
}

#define ROUND_TYPES	((UINT32_C(1) << CMM_MSG_PREPARE) | \
	(UINT32_C(1) << CMM_MSG_PROMISE) | (UINT32_C(1) << CMM_MSG_NACK) | \
	(UINT32_C(1) << CMM_MSG_ACCEPT) | (UINT32_C(1) << CMM_MSG_ACCEPTED) | \
	(UINT32_C(1) << CMM_MSG_COMMIT))

int
cmm_sim_parse_types(const char *text, uint32_t *mask)
{
	char buf[256], *p, *save = NULL;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	*mask = 0;
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		int t;

		if (strcmp(p, "propose") == 0) {
			/* the first design's proposal is phase 2 */
			*mask |= (UINT32_C(1) << CMM_MSG_ACCEPT) |
			    (UINT32_C(1) << CMM_MSG_ACCEPTED);
			continue;
		}
		if (strcmp(p, "round") == 0) {
			*mask |= ROUND_TYPES;
			continue;
		}
		for (t = CMM_MSG_HEARTBEAT; t <= CMM_MSG_LEAVE; t++) {
			const char *n = cmm_msg_type_name(t);
			size_t k;

			for (k = 0; n[k] && p[k] && (n[k] | 0x20) == (p[k] | 0x20); k++)
				;
			if (n[k] == '\0' && p[k] == '\0')
				break;
		}
		if (t > CMM_MSG_LEAVE)
			return -1;
		*mask |= UINT32_C(1) << t;
	}
	return *mask != 0 ? 0 : -1;
}
