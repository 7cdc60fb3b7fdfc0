/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim: the simulator's engine -- event queue, nodes, the effect sink and
 * the trace.  See sim.h.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/sim.h"
#include "util/fnv.h"

static bool	ev_before(const struct cmm_sim_ev *a, const struct cmm_sim_ev *b);
static bool	heap_pop(struct cmm_sim *s, struct cmm_sim_ev *out);
static bool	sim_pop(struct cmm_sim *s, int64_t until, struct cmm_sim_ev *out);
static void	sim_cur_done(struct cmm_sim *s);
static int	sim_emit(void *ctx, const struct cmm_effect *fx);
static void	sim_on_event(struct cmm_sim *s, struct cmm_sim_node *n,
		    const struct cmm_event *ev);
static void	sim_on_device(struct cmm_sim *s, struct cmm_sim_node *n,
		    const struct cmm_devreq *req);
static void	sim_device_done(struct cmm_sim *s, struct cmm_sim_ev *ev);
static void	sim_wake(struct cmm_sim *s, struct cmm_sim_ev *ev);

/* The simulator's one growing array: exits on no memory, which in a test
 * tool is the only honest answer (a run cut short must not pass). */
void *
cmm_sim_grow(void *p, size_t *cap, size_t want, size_t elem)
{
	size_t ncap;
	void *np;

	if (want <= *cap)
		return p;
	ncap = *cap ? *cap : 16;
	while (ncap < want) {
		assert(ncap <= SIZE_MAX / 2 / elem);
		ncap *= 2;
	}
	np = realloc(p, ncap * elem);
	if (np == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	*cap = ncap;
	return np;
}

uint64_t
cmm_sim_mix(uint64_t a, uint64_t b)
{
	uint64_t z = a ^ (b * UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

struct cmm_sim *
cmm_sim_new(const struct cmm_sim_opts *o)
{
	struct cmm_sim *s;

	if (o->nodes < 1 || o->nodes > CMM_MAX_NODES)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->o = *o;
	if (s->o.out == NULL)
		s->o.out = stdout;
	s->n = o->nodes;
	s->cfg = calloc(1, sizeof(*s->cfg));
	s->nodes = calloc((size_t)s->n, sizeof(*s->nodes));
	s->group = calloc((size_t)s->n, sizeof(*s->group));
	s->cut = calloc((size_t)s->n, sizeof(*s->cut));
	s->ring = calloc(CMM_SIM_TRACE_KEEP, sizeof(*s->ring));
	s->wheel = calloc(CMM_SIM_WHEEL, sizeof(*s->wheel));
	s->win = calloc((size_t)s->n * (size_t)s->n, sizeof(*s->win));
	s->sets = cmm_setpool_new();
	s->nodecount = calloc((size_t)s->n + 2, sizeof(*s->nodecount));
	if (!s->cfg || !s->nodes || !s->group || !s->cut || !s->ring ||
	    !s->wheel || !s->win || !s->sets || !s->nodecount) {
		cmm_sim_free(s);
		return NULL;
	}
	cmm_core_cfg_defaults(s->cfg);
	/* the swarm and the scenarios check the cores' caches against the
	 * full answer; at scale that would undo what the caches save */
	s->cfg->verify_caches = s->n <= 64;
	cmm_set_clear(&s->cfg->configured);
	for (int i = 0; i < s->n; i++) {
		cmm_set_add(&s->cfg->configured, i);
		s->cfg->priority[i] = i;
	}
	s->cfg->n_devices = 0;
	cmm_rng_seed(&s->rng, o->seed);
	s->cluster_id = cmm_wire_cluster_id("cmm-sim");
	s->hash = CMM_FNV64_OFFSET;
	s->latency_ms = 1;
	s->jitter_ms = 0;
	s->devlat_ms = 1;
	s->devjit_ms = 2;
	s->end = 0;
	for (int i = 0; i < s->n; i++) {
		struct cmm_sim_node *n = &s->nodes[i];

		n->sim = s;
		n->id = i;
		n->cut_after = -1;
		n->sink.ctx = n;
		n->sink.emit = sim_emit;
		n->prompt.kind = CMM_PROMPT_NONE;
		n->ans_iso = -1;
		n->ans_winner = -1;
	}
	return s;
}

int
cmm_sim_ready(struct cmm_sim *s)
{
	s->dev = calloc((size_t)s->cfg->n_devices + 1, sizeof(*s->dev));
	s->dev_top = calloc((size_t)s->cfg->n_devices + 1, sizeof(*s->dev_top));
	s->dev_fenced = calloc(((size_t)s->cfg->n_devices + 1) * (size_t)s->n,
	    sizeof(*s->dev_fenced));
	if (s->dev == NULL || s->dev_top == NULL || s->dev_fenced == NULL)
		return -1;
	for (int i = 0; i < s->cfg->n_devices; i++)
		if ((s->dev[i] = cmm_device_mem_new()) == NULL)
			return -1;
	return 0;
}

void
cmm_sim_free(struct cmm_sim *s)
{
	struct cmm_sim_ev ev;
	struct cmm_sim_msg *m;

	if (s == NULL)
		return;
	if (s->nodes != NULL)
		for (int i = 0; i < s->n; i++) {
			cmm_core_free(s->nodes[i].core);
			s->nodes[i].core = NULL;	/* sim_prefetch */
		}
	cmm_setpool_free(s->sets);
	while (s->wheel != NULL && sim_pop(s, CMM_SIM_NEVER, &ev)) {
		if (ev.kind == CMM_SIM_EV_DELIVER) {
			cmm_sim_msg_unref(s, ev.u.dlv.msg);
			cmm_sim_dup_unref(ev.u.dlv.dup);
		} else if (ev.kind == CMM_SIM_EV_BATCH) {
			cmm_sim_batch_free(s, ev.u.batch);
		} else if (ev.kind == CMM_SIM_EV_DEVICE) {
			free(ev.u.dev);
		} else if (ev.kind == CMM_SIM_EV_UNREACHES) {
			cmm_sim_unreach_free(s, ev.u.unreach);
		}
		/* a COPY's batch goes with its millisecond's */
	}
	sim_cur_done(s);
	for (size_t k = 0; k < CMM_SIM_MSG_CLASSES; k++)
		while ((m = s->msg_free[k]) != NULL) {
			s->msg_free[k] = m->free_next;
			free(m);
		}
	if (s->dev != NULL)
		for (int i = 0; i < s->cfg->n_devices; i++)
			if (s->dev[i] != NULL)
				s->dev[i]->ops->close(s->dev[i]);
	for (size_t i = 0; i < s->nacts; i++)
		free(s->acts[i].groups);
	for (size_t i = 0; i < s->nfailures; i++)
		free(s->failures[i]);
	free(s->failures);
	free(s->acts);
	free(s->dev);
	free(s->dev_top);
	free(s->dev_fenced);
	free(s->fences);
	free(s->heap);
	if (s->wheel != NULL)
		for (int i = 0; i < CMM_SIM_WHEEL; i++)
			free(s->wheel[i].ev);
	for (int i = 0; i < s->nspare; i++)
		free(s->spare[i]);
	free(s->wheel);
	free(s->cur);
	free(s->slot);
	free(s->idx);
	free(s->nodecount);
	free(s->nodes);
	free(s->group);
	free(s->cut);
	free(s->drops);
	free(s->copies);
	free(s->sorted);
	free(s->tcount);
	free(s->xpath);
	cmm_sim_explore_free(s);
	free(s->ring);
	free(s->epochs);
	free(s->clog);
	free(s->accs);
	free(s->win);
	free(s->devlog);
	free(s->cfg);
	free(s);
}

/* ---- event queue ---- */

/*
 * (time, priority, node, insertion order): ties never depend on the heap.
 * Within a millisecond the events run node by node, each node's in the
 * order they were queued: the order among nodes of what happens at one
 * instant means nothing, and a node's core stays in the cache for all of
 * its copies of that millisecond (at 1024 nodes, about twenty) instead of
 * being fetched again for each.  Events of no node (-1) come first.
 */
static bool
ev_before(const struct cmm_sim_ev *a, const struct cmm_sim_ev *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	if (a->node != b->node)
		return a->node < b->node;
	return a->seq < b->seq;
}

void
cmm_sim_push(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	size_t i;

	assert(ev->t >= s->now);	/* nothing is scheduled in the past */
	ev->seq = s->evseq++;
	s->st.queued++;
	if (ev->prio == 0 && ev->t >= s->now && ev->t - s->now < CMM_SIM_WHEEL) {
		/* appended in seq order: sim_prepare sorts by node */
		struct cmm_sim_bucket *b = &s->wheel[ev->t % CMM_SIM_WHEEL];

		if (b->len == 0 && b->cap < 256 && s->nspare > 0) {
			free(b->ev);
			b->ev = s->spare[--s->nspare];
			b->cap = s->spare_cap[s->nspare];
		}
		if (b->len == b->cap) {
			size_t cap = b->cap;

			b->ev = cmm_sim_grow(b->ev, &cap, (size_t)b->len + 1,
			    sizeof(*b->ev));
			b->cap = (uint32_t)cap;
		}
		b->ev[b->len++] = *ev;
		s->nwheel++;
		return;
	}
	/* a batch is due within the wheel (net_flush): only there is it
	 * split by node */
	assert(ev->kind != CMM_SIM_EV_BATCH);
	s->heap = cmm_sim_grow(s->heap, &s->capheap, s->nheap + 1, sizeof(*s->heap));
	i = s->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!ev_before(ev, &s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = *ev;
}

static bool
heap_pop(struct cmm_sim *s, struct cmm_sim_ev *out)
{
	struct cmm_sim_ev last;
	size_t i = 0;

	if (s->nheap == 0)
		return false;
	*out = s->heap[0];
	last = s->heap[--s->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct cmm_sim_ev *best = &last;

		if (l < s->nheap && ev_before(&s->heap[l], best)) {
			m = l;
			best = &s->heap[l];
		}
		if (r < s->nheap && ev_before(&s->heap[r], best))
			m = r;
		if (m == i)
			break;
		s->heap[i] = s->heap[m];
		i = m;
	}
	if (s->nheap > 0)
		s->heap[i] = last;
	return true;
}

/* The batches of the millisecond that ran are done with: free them. */
static void
sim_cur_done(struct cmm_sim *s)
{
	for (size_t i = 0; i < s->ncur; i++)
		if (s->cur[i].kind == CMM_SIM_EV_BATCH)
			cmm_sim_batch_free(s, s->cur[i].u.batch);
	s->ncur = s->nslot = s->slotpos = 0;
}

/* nodes counted into order at a time (sim_sort_slots) */
#define SIM_CHUNK	64

/* node + 1 of a slot-to-be: 0 for an event of no node */
static inline uint32_t
slot_key(const struct cmm_sim_ev *e, uint32_t j)
{
	return e->kind == CMM_SIM_EV_BATCH ? (uint32_t)e->u.batch->to[j] + 1 :
	    (uint32_t)(e->node + 1);
}

static inline void
slot_put(struct cmm_sim_slot *o, const struct cmm_sim_ev *e, size_t k,
    uint32_t j)
{
	o->ev = (uint32_t)k;
	o->node = (uint16_t)slot_key(e, j);
	o->copy = (uint16_t)j;
	o->from = e->kind == CMM_SIM_EV_BATCH ?
	    (uint16_t)(e->u.batch->msg->sender + 1) :
	    e->kind == CMM_SIM_EV_DELIVER ?
	    (uint16_t)(e->u.dlv.msg->sender + 1) : 0;
}

/*
 * The slots of s->cur in (node, event, copy) order, a stable counting
 * sort done SIM_CHUNK nodes at a time: at 1024 nodes a synchronized
 * millisecond is a million copies, and counted into a thousand places at
 * once each write missed the cache.  A batch's receivers are in
 * ascending order (the send walks its set), so each batch keeps a cursor
 * (s->idx[ncur + b]) and gives each chunk its next run of receivers;
 * single events are sorted by chunk first (s->idx after the batches).
 */
static void
sim_sort_slots(struct cmm_sim *s)
{
	uint32_t *cnt = s->nodecount, *bi = s->idx, *di, *pos;
	uint32_t nb = 0, nchunks = (uint32_t)s->n / SIM_CHUNK + 1;
	size_t k, out = 0;

	for (k = 0; k < s->ncur; k++)
		if (s->cur[k].kind == CMM_SIM_EV_BATCH)
			bi[nb++] = (uint32_t)k;
	di = bi + nb;
	pos = s->idx + s->ncur;
	memset(pos, 0, (size_t)nb * sizeof(*pos));
	/* single events by chunk, stable: cnt[c + 1] counts chunk c */
	memset(cnt, 0, (size_t)(nchunks + 1) * sizeof(*cnt));
	for (k = 0; k < s->ncur; k++)
		if (s->cur[k].kind != CMM_SIM_EV_BATCH)
			cnt[slot_key(&s->cur[k], 0) / SIM_CHUNK + 1]++;
	for (uint32_t c = 1; c <= nchunks; c++)
		cnt[c] += cnt[c - 1];
	for (k = 0; k < s->ncur; k++)
		if (s->cur[k].kind != CMM_SIM_EV_BATCH) {
			di[cnt[slot_key(&s->cur[k], 0) / SIM_CHUNK]++] =
			    (uint32_t)k;
		}
	/* now di[cnt[c - 1] .. cnt[c]) is chunk c's (cnt[-1]: 0) */
	for (uint32_t c = 0, d0 = 0; c < nchunks; c++) {
		uint32_t lo = c * SIM_CHUNK, hi = lo + SIM_CHUNK, d1 = cnt[c];
		uint32_t off[SIM_CHUNK + 1], end = 0;

		/* count, then place, each over the batches and this chunk's
		 * single events merged in event order */
		for (int pass = 0; pass < 2; pass++) {
			uint32_t b = 0, d = d0;

			if (pass == 0) {
				memset(off, 0, sizeof(off));
			} else {
				off[0] = (uint32_t)out;
				for (uint32_t i = 1; i <= SIM_CHUNK; i++)
					off[i] += off[i - 1];
				end = off[SIM_CHUNK];
			}
			while (b < nb || d < d1) {
				const struct cmm_sim_ev *e;
				uint32_t j, ke;

				if (d >= d1 || (b < nb && bi[b] < di[d]))
					ke = bi[b++];
				else
					ke = di[d++];
				e = &s->cur[ke];
				if (e->kind != CMM_SIM_EV_BATCH) {
					if (pass == 0)
						off[slot_key(e, 0) - lo + 1]++;
					else
						slot_put(&s->slot[off[slot_key(e,
						    0) - lo]++], e, ke, 0);
					continue;
				}
				for (j = pos[b - 1]; j < e->u.batch->n &&
				    slot_key(e, j) < hi; j++) {
					if (pass == 0)
						off[slot_key(e, j) - lo + 1]++;
					else
						slot_put(&s->slot[off[slot_key(e,
						    j) - lo]++], e, ke, j);
				}
				if (pass == 1)
					pos[b - 1] = j;
			}
		}
		out = end;
		d0 = d1;
	}
	assert(out == s->nslot);
	/* the order every run depends on: node, then event, then copy */
	for (k = 1; k < s->nslot; k++) {
		const struct cmm_sim_slot *a = &s->slot[k - 1], *b = &s->slot[k];

		assert(a->node < b->node || (a->node == b->node &&
		    (a->ev < b->ev || (a->ev == b->ev && a->copy < b->copy))));
		(void)a;
		(void)b;
	}
}

/* Bucket b becomes the millisecond being run: its events leave the
 * wheel, a batch as one slot a receiver, and the slots are counted into
 * node order (sim_sort_slots; stable: each node's stay in insertion
 * order, a batch's copies in receiver order, as its DELIVER events were).
 * What is queued for t from now on waits in the bucket for the next
 * turn, in both models alike. */
static void
sim_prepare(struct cmm_sim *s, struct cmm_sim_bucket *b)
{
	size_t nslot = 0, k;

	sim_cur_done(s);
	s->cur = cmm_sim_grow(s->cur, &s->capcur, b->len, sizeof(*s->cur));
	memcpy(s->cur, b->ev, (size_t)b->len * sizeof(*b->ev));
	s->ncur = b->len;
	s->nwheel -= b->len;
	b->len = 0;
	if (b->cap > 256) {
		/* lend the array to the next bucket that fills; one a burst
		 * made huge goes: lent on, it held a burst's pages for a
		 * millisecond of a few events (at 1024 nodes, 79 MB) */
		if (s->nspare < 16 && b->cap <= 4096) {
			s->spare[s->nspare] = b->ev;
			s->spare_cap[s->nspare++] = b->cap;
		} else {
			free(b->ev);
		}
		b->ev = NULL;
		b->cap = 0;
	}
	for (k = 0; k < s->ncur; k++)
		nslot += s->cur[k].kind == CMM_SIM_EV_BATCH ?
		    s->cur[k].u.batch->n : 1;
	s->slot = cmm_sim_grow(s->slot, &s->capslot, nslot, sizeof(*s->slot));
	s->idx = cmm_sim_grow(s->idx, &s->capidx, s->ncur * 2 + 1,
	    sizeof(*s->idx));
	s->nslot = nslot;
	s->slotpos = 0;
	sim_sort_slots(s);
}

/* Slot i of the millisecond being run as the event it stands for. */
static void
sim_slot_event(const struct cmm_sim *s, size_t i, struct cmm_sim_ev *out)
{
	const struct cmm_sim_slot *sl = &s->slot[i];
	const struct cmm_sim_ev *e = &s->cur[sl->ev];

	*out = *e;
	if (e->kind == CMM_SIM_EV_BATCH) {
		out->kind = CMM_SIM_EV_COPY;
		out->node = sl->node - 1;
		out->u.copy.batch = e->u.batch;
		out->u.copy.i = sl->copy;
	}
}

/* slots ahead of the one run whose receiver is fetched into the cache */
#define SIM_AHEAD	6
/* a swarm's power cut falls up to this many effects after the announce */
#define SIM_CUT_AFTER_MAX	16

/* What a copy's delivery reads, fetched a few slots ahead in three steps
 * (each needs the line the one before brought): the receiver's sim node
 * and its replay window for the sender; its core; the sender's entry in
 * it (cmm_core_prefetch).  No effect on the run, only on how long the
 * memory takes; the last slots of a millisecond go without. */
static void
sim_prefetch(const struct cmm_sim *s)
{
	const struct cmm_sim_slot *a, *b, *c;
	const struct cmm_sim_node *n;

	if (s->slotpos + 3 * SIM_AHEAD >= s->nslot)
		return;
	a = &s->slot[s->slotpos + 3 * SIM_AHEAD];
	b = &s->slot[s->slotpos + 2 * SIM_AHEAD];
	c = &s->slot[s->slotpos + SIM_AHEAD];
	if (a->from != 0) {	/* a datagram: it has a node too */
		const struct cmm_replay_win *w = &s->win[(size_t)(a->node -
		    1) * (size_t)s->n + (size_t)(a->from - 1)];

		__builtin_prefetch(&s->nodes[a->node - 1]);
		/* 56 bytes: often across two lines */
		__builtin_prefetch(w);
		__builtin_prefetch((const char *)(w + 1) - 1);
	}
	if (b->from != 0 && (n = &s->nodes[b->node - 1])->core != NULL)
		cmm_core_prefetch(n->core, b->from - 1, 0);
	if (c->from != 0 && (n = &s->nodes[c->node - 1])->core != NULL)
		cmm_core_prefetch(n->core, c->from - 1, 1);
}

/* The earliest event if its time is <= until.  Every wheel event lies in
 * [now, now + CMM_SIM_WHEEL): the first non-empty bucket from now holds
 * the wheel's earliest. */
static bool
sim_pop(struct cmm_sim *s, int64_t until, struct cmm_sim_ev *out)
{
	if (s->slotpos == s->nslot && s->nwheel > 0) {
		struct cmm_sim_bucket *b = NULL;
		int64_t t;

		for (t = s->now; ; t++) {
			b = &s->wheel[t % CMM_SIM_WHEEL];
			if (b->len > 0)
				break;
		}
		if (t <= until && (s->nheap == 0 || t <= s->heap[0].t))
			sim_prepare(s, b);
	}
	if (s->slotpos < s->nslot) {
		sim_prefetch(s);
		/* straight into out: a copy through the stack stalled */
		sim_slot_event(s, s->slotpos, out);
		if (s->nheap == 0 || ev_before(out, &s->heap[0])) {
			if (out->t > until)
				return false;
			s->slotpos++;
			return true;
		}
	}
	if (s->nheap == 0 || s->heap[0].t > until)
		return false;
	return heap_pop(s, out);
}

int
cmm_sim_add_action(struct cmm_sim *s, struct cmm_sim_action *a, uint8_t prio)
{
	struct cmm_sim_ev ev;
	int idx;

	s->acts = cmm_sim_grow(s->acts, &s->capacts, s->nacts + 1, sizeof(*s->acts));
	idx = (int)s->nacts++;
	s->acts[idx] = *a;
	a->groups = NULL;
	memset(&ev, 0, sizeof(ev));
	ev.t = a->t;
	ev.prio = prio;
	ev.kind = CMM_SIM_EV_ACTION;
	ev.node = -1;
	ev.u.action = idx;
	cmm_sim_push(s, &ev);
	return idx;
}

/* ---- trace ---- */

/* v in decimal at p (room for 21 bytes); its length */
static size_t
trace_num(char *p, int64_t v)
{
	char d[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		p[k++] = '-';
	while (n > 0)
		p[k++] = d[--n];
	return k;
}

/* The line's "[T ms] node N: " or "[T ms] sim: " prefix; *room: how many
 * bytes of text may follow, the terminator included (cut where a
 * CMM_SIM_LINE_MAX - 40 byte buffer and then the line would cut it). */
static char *
trace_begin(struct cmm_sim *s, int node, size_t *k, size_t *room)
{
	char *line = s->ring[s->ring_pos];
	size_t n = 0;

	/* by hand: a million nodes coming alive print a million lines */
	line[n++] = '[';
	n += trace_num(line + n, s->now);
	if (node >= 0) {
		memcpy(line + n, " ms] node ", 10);
		n += 10;
		n += trace_num(line + n, node);
		memcpy(line + n, ": ", 2);
		n += 2;
	} else {
		memcpy(line + n, " ms] sim: ", 10);
		n += 10;
	}
	*k = n;
	*room = CMM_SIM_LINE_MAX - n < CMM_SIM_LINE_MAX - 40 ?
	    CMM_SIM_LINE_MAX - n : CMM_SIM_LINE_MAX - 40;
	return line;
}

static void
trace_end(struct cmm_sim *s, const char *line)
{
	/* the hash covers exactly the printed line and its newline */
	s->hash = cmm_fnv64_byte(cmm_fnv64_str(line, s->hash), '\n');
	s->lines++;
	if (s->o.trace_all)
		fprintf(s->o.out, "%s\n", line);
	s->ring_pos = (s->ring_pos + 1) % CMM_SIM_TRACE_KEEP;
	if (s->ring_len < CMM_SIM_TRACE_KEEP)
		s->ring_len++;
}

void
cmm_sim_trace(struct cmm_sim *s, int node, const char *fmt, ...)
{
	size_t k, room;
	char *line = trace_begin(s, node, &k, &room);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + k, room, fmt, ap);
	va_end(ap);
	trace_end(s, line);
}

/* cmm_sim_trace(s, node, "%s: %s", a, b) without the printf */
static void
trace_pair(struct cmm_sim *s, int node, const char *a, const char *b)
{
	size_t k, room;
	char *line = trace_begin(s, node, &k, &room);
	char *p = line + k, *end = p + room - 1;

	for (const char *q = a; *q != '\0' && p < end; q++)
		*p++ = *q;
	for (const char *q = ": "; *q != '\0' && p < end; q++)
		*p++ = *q;
	for (const char *q = b; *q != '\0' && p < end; q++)
		*p++ = *q;
	*p = '\0';
	trace_end(s, line);
}

void
cmm_sim_fail(struct cmm_sim *s, int line, const char *fmt, ...)
{
	char buf[CMM_SIM_LINE_MAX];
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->failures = cmm_sim_grow(s->failures, &s->capfailures,
	    s->nfailures + 1, sizeof(*s->failures));
	p = malloc(strlen(buf) + 32);
	if (p == NULL)
		return;
	/* "LINE: what", printed after the scenario's file name */
	if (line > 0)
		sprintf(p, "%d: %s", line, buf);
	else
		sprintf(p, " %s", buf);
	s->failures[s->nfailures++] = p;
	cmm_sim_trace(s, -1, "FAILED %s", p);
}

void
cmm_sim_report_violation(const struct cmm_sim *s, FILE *f)
{
	unsigned first;

	fprintf(f, "VIOLATION seed %" PRIu64 " nodes %d time %" PRId64 " ms: %s\n",
	    s->o.seed, s->n, s->violation_time, s->violation);
	fprintf(f, "last %u trace lines:\n", s->ring_len);
	first = (s->ring_pos + CMM_SIM_TRACE_KEEP - s->ring_len) %
	    CMM_SIM_TRACE_KEEP;
	for (unsigned i = 0; i < s->ring_len; i++)
		fprintf(f, "  %s\n", s->ring[(first + i) % CMM_SIM_TRACE_KEEP]);
}

/* ---- nodes ---- */

/* A running node heartbeats at least every two heartbeat intervals: its
 * timer fires however many datagrams it gets (the daemon's rule, kept by
 * cmm_sim_after_input; a steady stream once starved a node's timer for
 * 1.6 s at 1024 nodes).  Not with the explorer, which holds wakes back
 * on purpose. */
static void
sim_check_timer(struct cmm_sim *s, struct cmm_sim_node *n)
{
	int64_t hb = s->cfg->heartbeat_ms;
	struct cmm_set who;

	if (s->x != NULL || s->violated || n->stopped ||
	    s->now - n->last_bcast <= 2 * hb)
		return;
	cmm_set_clear(&who);
	cmm_set_add(&who, n->id);
	cmm_sim_violate(s, "timer", &who, "node %d sent no heartbeat for %lld "
	    "ms (heartbeat_ms %lld): its timer did not fire", n->id,
	    (long long)(s->now - n->last_bcast), (long long)hb);
}

/* The power goes right after node n announced a commit: what it wrote and
 * has not flushed is lost (the disk keeps the record before it), and
 * nothing it does after the announce happens (sim_emit drops it) until
 * the crash queued with this removes it. */
static void
sim_power_cut(struct cmm_sim *s, struct cmm_sim_node *n)
{
	if (n->unflushed) {
		cmm_sim_trace(s, -1, "power cut at node %d before its flush: its "
		    "disk keeps epoch %" PRIu32 ", not %" PRIu32, n->id,
		    n->flushed.epoch, n->disk.epoch);
		n->disk = n->flushed;
		/* it will commit that epoch again, with the same members
		 * (the agreement check holds it to that) */
		n->top_epoch = n->disk.epoch;
	} else
		cmm_sim_trace(s, -1, "power cut at node %d: its commit was "
		    "flushed", n->id);
	n->unflushed = false;
	n->severed = true;
}

void
cmm_sim_after_input(struct cmm_sim *s, struct cmm_sim_node *n)
{
	struct cmm_sim_ev ev;
	int64_t d;

	if (n->core == NULL)
		return;
	if (n->severed)
		return;		/* its power is gone: the crash comes next */
	/* a commit written to flush later, or a power cut waiting to fall
	 * before that flush: the daemon's flush comes a little later, and
	 * inputs may come before it (the cut may fall in any of them) */
	if ((n->flush_owed || n->cut_after >= 0) && !n->flush_pending) {
		/* drawn from the seed, the node and the time, not from the
		 * run's generator: a run that never cuts the power draws
		 * what it drew before the flush was modelled */
		uint64_t h = cmm_sim_mix(cmm_sim_mix(s->o.seed,
		    (uint64_t)n->id + 1), (uint64_t)s->now);

		memset(&ev, 0, sizeof(ev));
		ev.t = s->now + 1 + (int64_t)(h % CMM_FLUSH_LATER_MS);
		ev.kind = CMM_SIM_EV_FLUSH;
		ev.node = n->id;
		ev.gen = n->gen;
		cmm_sim_push(s, &ev);
		n->flush_pending = true;
	}
	cmm_sim_check_input(s, n);
	sim_check_timer(s, n);
	if (n->halt) {
		/* on_quorum_loss = halt: the daemon would exit here */
		cmm_sim_trace(s, n->id, "halted (on_quorum_loss = halt)");
		n->halt = false;
		n->halted = true;
		cmm_sim_kill_node(s, n->id);
		return;
	}
	d = cmm_core_next_deadline(n->core);
	if (d == CMM_SIM_NEVER) {
		n->wake_pending = false;
		return;
	}
	if (d <= s->now) {
		/* the contract says > now: a daemon would spin here */
		cmm_sim_violate(s, "core", NULL, "node %d wants its next tick "
		    "at %" PRId64 " ms, not after now", n->id, d);
		d = s->now + 1;
	}
	/* as the daemon (daemon_arm): a pending wake is never postponed.
	 * An overdue deadline reads as now + 1, so moving the wake after
	 * every datagram of a steady stream would never let it fire: at
	 * 1024 nodes a node got a datagram in every millisecond before its
	 * wake, and sent no heartbeat for 1.6 s */
	if (n->wake_pending && n->wake_at <= d)
		return;
	n->wake_at = d;
	n->wake_pending = true;
	n->wake_token++;
	memset(&ev, 0, sizeof(ev));
	ev.t = d;
	ev.kind = CMM_SIM_EV_WAKE;
	ev.node = n->id;
	ev.gen = n->wake_token;
	cmm_sim_push(s, &ev);
}

void
cmm_sim_start_node(struct cmm_sim *s, int id)
{
	struct cmm_sim_node *n = &s->nodes[id];
	uint64_t seed;

	if (n->core != NULL) {
		cmm_sim_trace(s, -1, "start %d: already running", id);
		return;
	}
	n->gen++;
	n->seq = 0;
	n->host_lost = false;
	n->halted = false;
	n->member = false;
	n->prompt.kind = CMM_PROMPT_NONE;
	for (int from = 0; from < s->n; from++)
		memset(&s->win[(size_t)id * (size_t)s->n + (size_t)from], 0,
		    sizeof(*s->win));
	n->has_replay = true;
	/* every instance of every node gets its own jitter stream */
	seed = cmm_sim_mix(cmm_sim_mix(s->o.seed, (uint64_t)id + 1), n->gen);
	cmm_sim_trace(s, -1, "%s %d%s", n->started_once ? "restart" : "start",
	    id, n->has_disk ? " (with its disk)" : "");
	if (n->started_once)
		s->st.restarts++;
	n->started_once = true;
	n->core = cmm_core_new(s->cfg, id, n->has_disk ? &n->disk : NULL,
	    &n->sink, seed);
	if (n->core == NULL) {
		cmm_sim_violate(s, "core", NULL, "cmm_core_new failed for node %d",
		    id);
		return;
	}
	/* without the room it keeps a pool of its own: the same run */
	(void)cmm_core_share_sets(n->core, s->sets);
	n->wake_pending = false;
	n->last_bcast = s->now;
	n->stopped = false;
	if (cmm_core_start(n->core, s->now) != 0)
		cmm_sim_trace(s, id, "start failed: incarnation not persisted");
	cmm_sim_after_input(s, n);
}

void
cmm_sim_kill_node(struct cmm_sim *s, int id)
{
	struct cmm_sim_node *n = &s->nodes[id];

	if (n->core == NULL)
		return;
	cmm_core_free(n->core);
	n->core = NULL;
	n->severed = false;
	n->cut_at_commit = false;
	n->cut_after = -1;
	n->unflushed = false;
	n->flush_owed = false;
	n->flush_pending = false;
	n->gen++;
	n->wake_pending = false;
	n->member = false;
	n->prompt.kind = CMM_PROMPT_NONE;
	s->st.crashes++;
	cmm_sim_trace(s, -1, "crash %d", id);
}

void
cmm_sim_forget_node(struct cmm_sim *s, int id)
{
	struct cmm_sim_node *n = &s->nodes[id];
	uint32_t inc = n->disk.incarnation;

	cmm_sim_kill_node(s, id);
	memset(&n->disk, 0, sizeof(n->disk));
	n->disk.incarnation = inc;
	n->disk.abstain = CMM_ABSTAIN_UNKNOWN;
	n->has_disk = true;
	n->forgot = true;
	n->top_epoch = 0;	/* it may commit what it forgot again */
	cmm_sim_trace(s, -1, "forget %d: its state is lost", id);
	cmm_sim_start_node(s, id);
}

/* Queues an action of this kind for node n alone, at time t. */
static void
sim_queue_node(struct cmm_sim *s, const struct cmm_sim_node *n,
    enum cmm_sim_act kind, int64_t t, uint8_t prio)
{
	struct cmm_sim_action a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.t = t;
	cmm_set_add(&a.set, n->id);
	cmm_sim_add_action(s, &a, prio);
}

/* A swarm's power cut falls now: the crash and the restart follow. */
static void
sim_cut_now(struct cmm_sim *s, struct cmm_sim_node *n)
{
	sim_power_cut(s, n);
	sim_queue_node(s, n, CMM_SIM_A_KILL, s->now, 1);
	sim_queue_node(s, n, CMM_SIM_A_START, s->now + 50 +
	    (int64_t)cmm_rng_below(&s->rng, 1500), 0);
}

/* Swarm: a crash right after an accept or a commit, then a restart. */
static void
sim_maybe_crash(struct cmm_sim *s, struct cmm_sim_node *n, uint32_t ppm,
    bool at_commit)
{
	const char *after = at_commit ? "a commit" : "an accept";

	if (ppm == 0 || cmm_rng_below(&s->rng, 1000000) >= ppm)
		return;
	/* a commit announced before its flush: every other such crash is a
	 * power cut (counted, not drawn: the runs without one stay as they
	 * were), right at the announce or after some of the effects that
	 * follow it, in this input or the next ones -- the daemon takes
	 * them before its flush, and what they send must not depend on
	 * the lost record */
	if (at_commit && n->unflushed && !s->o.no_power_cuts &&
	    (++s->unflushed_crashes & 1) == 0) {
		n->cut_after = (int)cmm_rng_below(&s->rng, SIM_CUT_AFTER_MAX + 1);
		cmm_sim_trace(s, -1, "node %d loses power %d effect(s) after %s",
		    n->id, n->cut_after, after);
		if (n->cut_after == 0) {
			n->cut_after = -1;
			sim_cut_now(s, n);
		}
		return;		/* the crash comes with the cut */
	}
	cmm_sim_trace(s, -1, "node %d will crash right after %s", n->id,
	    after);
	sim_queue_node(s, n, CMM_SIM_A_KILL, s->now, 1);
	sim_queue_node(s, n, CMM_SIM_A_START, s->now + 50 +
	    (int64_t)cmm_rng_below(&s->rng, 1500), 0);
}

/* An armed power cut (a script's, or the explorer's): right after this
 * commit's announce; the node stays down until restarted. */
static void
sim_armed_cut(struct cmm_sim *s, struct cmm_sim_node *n)
{
	n->cut_at_commit = false;
	sim_power_cut(s, n);
	if (s->x == NULL)	/* the explorer takes the node down itself */
		sim_queue_node(s, n, CMM_SIM_A_KILL, s->now, 1);
}

/* ---- the sink: effects of one core ---- */

static void
sim_on_event(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_event *ev)
{
	trace_pair(s, n->id, cmm_event_type_name(ev->type),
	    ev->text != NULL ? ev->text : "");
	switch (ev->type) {
	case CMM_EV_COMMIT:
		s->st.commits++;
		cmm_sim_check_commit(s, n, ev);
		if (n->cut_at_commit)
			sim_armed_cut(s, n);
		else
			sim_maybe_crash(s, n, s->crash_commit_ppm, true);
		break;
	case CMM_EV_SPLIT_BRAIN:
		n->alarmed = true;
		break;
	case CMM_EV_NO_QUORUM:
		n->member = false;
		break;
	case CMM_EV_ROUND:
		if (ev->round_epoch != n->last_round_e ||
		    ev->round_attempt != n->last_round_a) {
			n->last_round_e = ev->round_epoch;
			n->last_round_a = ev->round_attempt;
			s->st.rounds++;
		}
		break;
	case CMM_EV_STATE:
		/* a stopped node sends nothing; one that comes back (join)
		 * sends its first heartbeat at its next tick */
		if (n->stopped != (ev->state == CMM_ST_STOPPED))
			n->last_bcast = s->now;
		n->stopped = ev->state == CMM_ST_STOPPED;
		if (ev->state != CMM_ST_MEMBER &&
		    ev->state != CMM_ST_RECONFIGURING &&
		    ev->state != CMM_ST_AWAITING_OPERATOR &&
		    ev->state != CMM_ST_LEAVING)
			n->member = false;
		break;
	default:
		break;
	}
}

static void
sim_on_device(struct cmm_sim *s, struct cmm_sim_node *n,
    const struct cmm_devreq *req)
{
	struct cmm_sim_devop *op;
	struct cmm_sim_ev ev;

	/* as the daemon: what was written goes to disk before a device
	 * operation leaves, so a power cut after it loses nothing */
	n->unflushed = false;
	cmm_sim_check_devreq(s, n, req);
	if (req->device < 0 || req->device >= s->cfg->n_devices) {
		cmm_sim_violate(s, "devices", NULL,
		    "node %d asked for device %d, which is not configured",
		    n->id, req->device);
		return;
	}
	op = calloc(1, sizeof(*op));
	if (op == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	op->req = *req;
	op->gen = n->gen;
	op->issued = s->now;
	memset(&ev, 0, sizeof(ev));
	/* a device answers in devlat_ms + [0, devjit_ms] (1-3 ms unless a
	 * scenario or a swarm fault makes it slow) */
	ev.t = s->now + s->devlat_ms + (int64_t)cmm_rng_below(&s->rng,
	    (uint64_t)s->devjit_ms + 1);
	if (ev.t <= s->now)
		ev.t = s->now + 1;
	ev.kind = CMM_SIM_EV_DEVICE;
	ev.node = n->id;
	ev.u.dev = op;
	cmm_sim_push(s, &ev);
}

static int
sim_emit(void *ctx, const struct cmm_effect *fx)
{
	struct cmm_sim_node *n = ctx;
	struct cmm_sim *s = n->sim;
	static const char *lvl[] = { "error", "warn", "info", "debug" };

	if (n->severed)
		return 0;	/* after a power cut nothing more happens */
	if (n->cut_after > 0 && --n->cut_after == 0) {
		n->cut_after = -1;
		sim_cut_now(s, n);
		return 0;	/* this effect never happens */
	}
	switch (fx->type) {
	case CMM_FX_SEND:
		cmm_sim_net_send(s, n, fx->u.send.to, fx->u.send.msg);
		return 0;
	case CMM_FX_PERSIST:
		cmm_sim_check_persist(s, n, fx->u.persist);
		if (fx->u.persist->accepted != CMM_BALLOT_NONE &&
		    (!n->has_disk || fx->u.persist->accepted != n->disk.accepted))
			sim_maybe_crash(s, n, s->crash_accept_ppm, false);
		/* as the daemon's state file: any write flushes the one
		 * before it first */
		if (n->has_disk)
			n->flushed = n->disk;
		n->unflushed = fx->flush_later && n->has_disk;
		n->flush_owed |= fx->flush_later;
		n->disk = *fx->u.persist;
		n->has_disk = true;
		return 0;
	case CMM_FX_DEVICE:
		sim_on_device(s, n, fx->u.dev);
		return 0;
	case CMM_FX_PROMPT:
		if (fx->u.prompt->kind == CMM_PROMPT_NONE) {
			n->prompt.kind = CMM_PROMPT_NONE;
			cmm_sim_trace(s, n->id, "prompt closed: %s",
			    fx->u.prompt->why ? fx->u.prompt->why : "");
		} else {
			n->prompt = *fx->u.prompt;
			n->prompt.why = NULL;
			/* only an answer to this prompt may justify a commit */
			n->ans_iso = -1;
			n->ans_winner = -1;
			if (fx->u.prompt->kind == CMM_PROMPT_WINNER)
				cmm_sim_trace(s, n->id, "prompt winner %d or %d: %s",
				    fx->u.prompt->choice[0],
				    fx->u.prompt->choice[1],
				    fx->u.prompt->why ? fx->u.prompt->why : "");
			else
				cmm_sim_trace(s, n->id, "prompt isolation: %s",
				    fx->u.prompt->why ? fx->u.prompt->why : "");
		}
		return 0;
	case CMM_FX_EVENT:
		sim_on_event(s, n, fx->u.event);
		return 0;
	case CMM_FX_LOG:
		trace_pair(s, n->id,
		    (unsigned)fx->u.log.level < 4 ? lvl[fx->u.log.level] : "log",
		    fx->u.log.text != NULL ? fx->u.log.text : "");
		return 0;
	case CMM_FX_HALT:
		n->halt = true;
		return 0;
	}
	cmm_sim_violate(s, "core", NULL, "node %d emitted unknown effect %d",
	    n->id, (int)fx->type);
	return 0;
}

/* ---- events ---- */

static void
sim_device_done(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	struct cmm_sim_devop *op = ev->u.dev;
	struct cmm_sim_node *n = &s->nodes[ev->node];
	const char *dname = s->cfg->devices[op->req.device].name;
	struct cmm_device *d = s->dev[op->req.device];
	struct cmm_devrec *before, *after;
	struct cmm_devres res;
	bool lost = n->core == NULL || n->gen != op->gen;
	char err[160] = "", bal[48] = "";

	/* the process died with the I/O in flight: the write may still have
	 * reached the device, or not (both happen; the seed decides) */
	if (lost && cmm_rng_below(&s->rng, 2) == 0) {
		cmm_sim_trace(s, n->id, "device %s: %s lost in a crash", dname,
		    cmm_dev_op_name(op->req.op.op));
		free(op);
		return;
	}
	before = malloc(sizeof(*before));
	after = malloc(sizeof(*after));
	if (before == NULL || after == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	d->ops->read(d, before, err, sizeof(err));
	d->ops->apply(d, &op->req.op, &res, err, sizeof(err));
	d->ops->read(d, after, err, sizeof(err));
	s->st.devops++;
	if (op->req.op.op == CMM_DEVOP_PROMISE || op->req.op.op == CMM_DEVOP_ACCEPT)
		snprintf(bal, sizeof(bal), " ballot (%" PRIu32 ",%d)",
		    cmm_ballot_attempt(op->req.op.ballot),
		    cmm_ballot_coord(op->req.op.ballot));
	cmm_sim_trace(s, n->id, "device %s: %s epoch %" PRIu32 "%s -> %s%s "
	    "(holder %d epoch %" PRIu32 ")", dname,
	    cmm_dev_op_name(op->req.op.op), op->req.op.epoch, bal,
	    cmm_dev_status_name(res.status), lost ? " after a crash" : "",
	    after->holder, after->epoch);
	cmm_sim_check_devop(s, n->id, &op->req, &res, before, after);
	free(before);
	free(after);
	if (!lost) {
		cmm_core_on_device_result(n->core, s->now, op->req.id, &res);
		cmm_sim_after_input(s, n);
	}
	free(op);
}

static void
sim_wake(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	struct cmm_sim_node *n = &s->nodes[ev->node];

	if (n->core == NULL || !n->wake_pending || ev->gen != n->wake_token)
		return;	/* superseded */
	n->wake_pending = false;
	cmm_core_on_tick(n->core, s->now);
	cmm_sim_after_input(s, n);
}

/* The daemon's flush of a commit announced before it (CMM_FLUSH_LATER_MS
 * after the input at the latest), unless the power goes first. */
static void
sim_flush(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	struct cmm_sim_node *n = &s->nodes[ev->node];

	if (n->core == NULL || ev->gen != n->gen || !n->flush_pending)
		return;
	n->flush_pending = false;
	if (n->severed)
		return;
	if (n->cut_after >= 0) {
		n->cut_after = -1;
		sim_cut_now(s, n);
		return;
	}
	n->unflushed = false;
	n->flush_owed = false;
	cmm_core_on_flushed(n->core, s->now);
	cmm_sim_after_input(s, n);
}

bool
cmm_sim_step(struct cmm_sim *s)
{
	struct cmm_sim_ev ev;

	if (!sim_pop(s, s->end, &ev))
		return false;
	/* virtual time never runs backwards; an event names a real node */
	assert(ev.t >= s->now);
	assert(ev.node >= -1 && ev.node < s->n);
	s->now = ev.t;
	s->st.events++;
	switch (ev.kind) {
	case CMM_SIM_EV_DELIVER:
		cmm_sim_net_deliver(s, &ev);
		break;
	case CMM_SIM_EV_COPY:
		cmm_sim_net_deliver_copy(s, &ev);
		break;
	case CMM_SIM_EV_BATCH:		/* split by sim_prepare */
		assert(!"a batch is run copy by copy");
		break;
	case CMM_SIM_EV_DEVICE:
		sim_device_done(s, &ev);
		break;
	case CMM_SIM_EV_WAKE:
		sim_wake(s, &ev);
		break;
	case CMM_SIM_EV_FLUSH:
		sim_flush(s, &ev);
		break;
	case CMM_SIM_EV_ACTION:
		cmm_sim_do_action(s, ev.u.action);
		break;
	case CMM_SIM_EV_UNREACH:
		cmm_sim_net_unreach(s, &ev);
		break;
	case CMM_SIM_EV_UNREACHES:
		cmm_sim_net_unreaches(s, &ev);
		break;
	}
	return true;
}

int
cmm_sim_run(struct cmm_sim *s)
{
	while (!s->violated) {
		if (s->x != NULL && cmm_sim_explore_step(s))
			continue;
		if (!cmm_sim_step(s))
			break;
	}
	if (!s->violated && s->now < s->end)
		s->now = s->end;
	return s->violated ? 1 : 0;
}

static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	return cmm_fnv64(p, n, h);
}

/* One queued event, independent of when it was queued. */
static uint64_t
hash_event(const struct cmm_sim *s, const struct cmm_sim_ev *ev)
{
	uint64_t h = CMM_FNV64_OFFSET;

	h = hash_bytes(h, &ev->t, sizeof(ev->t));
	h = hash_bytes(h, &ev->prio, sizeof(ev->prio));
	h = hash_bytes(h, &ev->kind, sizeof(ev->kind));
	h = hash_bytes(h, &ev->node, sizeof(ev->node));
	h = hash_bytes(h, &ev->gen, sizeof(ev->gen));
	switch (ev->kind) {
	case CMM_SIM_EV_DELIVER:
		/* the datagram: one encoding per message */
		h = hash_bytes(h, ev->u.dlv.msg->wire, ev->u.dlv.msg->bytes);
		break;
	case CMM_SIM_EV_DEVICE:
		h = hash_bytes(h, &ev->u.dev->req, sizeof(ev->u.dev->req));
		h = hash_bytes(h, &ev->u.dev->gen, sizeof(ev->u.dev->gen));
		break;
	case CMM_SIM_EV_ACTION:
		h = hash_bytes(h, &ev->u.action, sizeof(ev->u.action));
		break;
	case CMM_SIM_EV_UNREACH:
		h = hash_bytes(h, &ev->u.peer, sizeof(ev->u.peer));
		break;
	default:
		break;
	}
	(void)s;
	return cmm_sim_mix(h, 0);
}

/* A batch counts as the DELIVER events it stands for, UNREACHES as its
 * UNREACH events (the explorer, the one user, makes neither). */
static uint64_t
hash_queued(const struct cmm_sim *s, const struct cmm_sim_ev *ev)
{
	const struct cmm_sim_batch *b = ev->u.batch;
	struct cmm_sim_ev one = *ev;
	uint64_t q = 0;

	if (ev->kind == CMM_SIM_EV_UNREACHES) {
		const struct cmm_sim_unreach *u = ev->u.unreach;

		one.kind = CMM_SIM_EV_UNREACH;
		for (uint32_t i = u->next; i < u->n; i++) {
			one.u.peer = u->peer[i];
			q += hash_event(s, &one);
		}
		return q;
	}
	if (ev->kind != CMM_SIM_EV_BATCH)
		return hash_event(s, ev);
	one.kind = CMM_SIM_EV_DELIVER;
	one.u.dlv.msg = b->msg;
	for (uint32_t i = 0; i < b->n; i++) {
		one.node = b->to[i];
		q += hash_event(s, &one);
	}
	return q;
}

/* Node id's windows as the bytes of the struct cmm_replay it would have
 * on its own: one window per possible sender, those past n never used. */
static uint64_t
hash_replay(const struct cmm_sim *s, int id, uint64_t h)
{
	static const struct cmm_replay_win unused;

	for (int from = 0; from < CMM_MAX_NODES; from++)
		h = hash_bytes(h, from < s->n ? &s->win[(size_t)id *
		    (size_t)s->n + (size_t)from] : &unused, sizeof(unused));
	return h;
}

uint64_t
cmm_sim_state_hash(const struct cmm_sim *s)
{
	uint64_t h = CMM_FNV64_OFFSET, q = 0;
	struct cmm_devrec *rec = malloc(sizeof(*rec));
	char err[64];

	h = hash_bytes(h, &s->now, sizeof(s->now));
	for (int i = 0; i < s->n; i++) {
		const struct cmm_sim_node *n = &s->nodes[i];
		bool up = n->core != NULL;

		h = hash_bytes(h, &up, sizeof(up));
		if (up)
			h = cmm_core_state_hash(n->core, h);
		h = hash_bytes(h, &n->has_disk, sizeof(n->has_disk));
		h = hash_bytes(h, &n->disk, sizeof(n->disk));
		h = hash_bytes(h, &n->seq, sizeof(n->seq));
		h = hash_bytes(h, &n->gen, sizeof(n->gen));
		if (n->has_replay)
			h = hash_replay(s, i, h);
	}
	for (int d = 0; d < s->cfg->n_devices && rec != NULL; d++) {
		s->dev[d]->ops->read(s->dev[d], rec, err, sizeof(err));
		h = hash_bytes(h, rec, sizeof(*rec));
	}
	free(rec);
	/* the queue as a multiset: the order of insertion is no state */
	for (int b = 0; b < CMM_SIM_WHEEL; b++)
		for (uint32_t i = 0; i < s->wheel[b].len; i++)
			q += hash_queued(s, &s->wheel[b].ev[i]);
	/* what is left of the millisecond being run, copy by copy */
	for (size_t i = s->slotpos; i < s->nslot; i++) {
		struct cmm_sim_ev e;

		sim_slot_event(s, i, &e);
		if (e.kind == CMM_SIM_EV_COPY) {
			e.kind = CMM_SIM_EV_DELIVER;
			e.u.dlv.msg = e.u.copy.batch->msg;
			e.u.dlv.dup = NULL;
		}
		q += hash_queued(s, &e);
	}
	for (size_t i = 0; i < s->nheap; i++)
		q += hash_queued(s, &s->heap[i]);
	return cmm_sim_mix(h, q);
}
