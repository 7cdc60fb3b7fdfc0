/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_explore: `cmm sim --explore`, the real core through every order of
 * delivery, every loss and every crash point of the round's messages,
 * among the first D choices after a scenario's `explore` statement.
 *
 * From that point the round's messages (PREPARE..COMMIT) do not travel by
 * the clock: they wait in a pool, and at each step the explorer picks one
 * to deliver now, or one to lose, or lets the clock run to its next event
 * (every timeout, heartbeat and action keeps its time), or crashes a node.
 * Each choice is a fork(): the child takes it, the parent waits and takes
 * the next, so the tree is walked depth first with the process as the
 * snapshot.  A state already seen with at least as many choices left is
 * not explored again (a hash of every core, disk, device, the pool and the
 * clock's queue, in shared memory).  Past depth D the pool drains by the
 * clock, crashed nodes restart, and the run goes on to the scenario's end
 * under the checker.  The first violating path is printed as the scenario
 * with `at T explore path P`, which replays exactly that path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/sim/sim.h"
#include "util/fnv.h"

#define X_PATH_MAX	256
#define X_TABLE_BITS	22	/* 4M states, 32 MiB + 4 MiB shared */

struct x_shared {
	uint64_t	paths;		/* runs that reached the end */
	uint64_t	pruned;		/* cut at a state seen before */
	uint64_t	unconverged;	/* ended with a failed expectation */
	uint64_t	forks;
	int		found;
	int		ulen;		/* the first run with a failed expectation */
	uint16_t	upath[X_PATH_MAX];
	char		ufail[CMM_SIM_LINE_MAX];
	int		vlen;
	uint16_t	vpath[X_PATH_MAX];
	char		violation[CMM_SIM_LINE_MAX * 2];
	uint64_t	keys[1u << X_TABLE_BITS];
	uint8_t		left[1u << X_TABLE_BITS];
};

struct x_ent {
	struct cmm_sim_msg *msg;
	int		from, to;
};

struct cmm_sim_explore {
	bool		fork_mode;	/* --explore: walk the tree */
	bool		active;
	bool		child;
	int		depth;
	int		crashes_max;
	int		crashes;
	int64_t		restart_ms;
	int		taken;
	uint16_t	path[X_PATH_MAX];
	uint16_t	replay[X_PATH_MAX];
	int		nreplay;
	bool		have_replay;
	struct x_ent	*pool;
	size_t		npool, cappool;
	struct cmm_set	crashed;
	struct x_shared	*sh;
};

/* X_CUT: deliver a COMMIT or ACCEPTED and cut the receiver's power right
 * after a commit it announces, before its flush (docs/PROTOCOL.md
 * "Durability"), else at the end of that input */
enum x_kind { X_DELIVER, X_DROP, X_ADVANCE, X_CRASH, X_CUT };

struct x_opt {
	enum x_kind	kind;
	int		arg;
};

static bool
x_round_type(int type)
{
	return type >= CMM_MSG_PREPARE && type <= CMM_MSG_COMMIT;
}

int
cmm_sim_explore_setup(struct cmm_sim *s, bool fork_mode, int depth,
    int crashes)
{
	struct cmm_sim_explore *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -1;
	x->fork_mode = fork_mode;
	x->depth = depth > 0 && depth < X_PATH_MAX ? depth : 8;
	x->crashes_max = crashes;
	x->restart_ms = 3000;
	if (fork_mode) {
		x->sh = mmap(NULL, sizeof(*x->sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (x->sh == MAP_FAILED) {
			free(x);
			return -1;
		}
	}
	s->x = x;
	if (s->xpath != NULL) {
		/* "3.0.12": the choices of one path, replayed */
		const char *p = s->xpath;

		x->have_replay = true;
		while (*p != '\0' && x->nreplay < X_PATH_MAX) {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p || v < 0 || v > 65535)
				return -1;
			x->replay[x->nreplay++] = (uint16_t)v;
			p = *end == '.' ? end + 1 : end;
			if (*end != '.' && *end != '\0')
				return -1;
		}
		x->depth = x->nreplay;
		x->fork_mode = false;
	}
	return 0;
}

void
cmm_sim_explore_free(struct cmm_sim *s)
{
	struct cmm_sim_explore *x = s->x;

	if (x == NULL)
		return;
	for (size_t i = 0; i < x->npool; i++)
		cmm_sim_msg_unref(s, x->pool[i].msg);
	free(x->pool);
	if (x->sh != NULL && !x->child)
		munmap(x->sh, sizeof(*x->sh));
	free(x);
	s->x = NULL;
}

void
cmm_sim_explore_begin(struct cmm_sim *s)
{
	if (s->x == NULL) {
		cmm_sim_trace(s, -1, "explore: (not exploring; run with "
		    "--explore)");
		return;
	}
	cmm_sim_trace(s, -1, "explore: the next %d choices are the "
	    "explorer's", s->x->depth);
	s->x->active = true;
}

/* sim_net: a round message in the explore window waits in the pool. */
bool
cmm_sim_explore_take(struct cmm_sim *s, struct cmm_sim_msg *sm, int from,
    int to)
{
	struct cmm_sim_explore *x = s->x;

	if (x == NULL || !x->active || !x_round_type(sm->type))
		return false;
	x->pool = cmm_sim_grow(x->pool, &x->cappool, x->npool + 1,
	    sizeof(*x->pool));
	sm->refs++;
	x->pool[x->npool].msg = sm;
	x->pool[x->npool].from = from;
	x->pool[x->npool].to = to;
	x->npool++;
	return true;
}

static void
x_remove(struct cmm_sim_explore *x, size_t i)
{
	memmove(&x->pool[i], &x->pool[i + 1],
	    (x->npool - i - 1) * sizeof(x->pool[0]));
	x->npool--;
}

/* The window is over: the pool drains by the clock, crashed nodes come
 * back after a while (with their disks). */
static void
x_finish(struct cmm_sim *s)
{
	struct cmm_sim_explore *x = s->x;

	for (size_t i = 0; i < x->npool; i++) {
		struct cmm_sim_ev ev;

		memset(&ev, 0, sizeof(ev));
		ev.t = s->now + s->latency_ms;
		ev.kind = CMM_SIM_EV_DELIVER;
		ev.node = x->pool[i].to;
		ev.u.dlv.msg = x->pool[i].msg;
		cmm_sim_push(s, &ev);
	}
	x->npool = 0;
	for (int i = cmm_set_next(&x->crashed, 0); i >= 0;
	    i = cmm_set_next(&x->crashed, i + 1)) {
		struct cmm_sim_action a;

		memset(&a, 0, sizeof(a));
		a.kind = CMM_SIM_A_START;
		a.t = s->now + x->restart_ms;
		cmm_set_add(&a.set, i);
		cmm_sim_add_action(s, &a, 0);
	}
	x->active = false;
	cmm_sim_trace(s, -1, "explore: window over after %d choices", x->taken);
}

static int
x_options(struct cmm_sim *s, struct x_opt *o, int max)
{
	struct cmm_sim_explore *x = s->x;
	int n = 0;

	for (size_t i = 0; i < x->npool && n < max; i++)
		o[n++] = (struct x_opt){ X_DELIVER, (int)i };
	for (size_t i = 0; i < x->npool && n < max; i++)
		if (s->nodes[x->pool[i].to].core != NULL)
			o[n++] = (struct x_opt){ X_DROP, (int)i };
	if (n < max)
		o[n++] = (struct x_opt){ X_ADVANCE, 0 };
	if (x->crashes < x->crashes_max)
		for (int i = 0; i < s->n && n < max; i++)
			if (s->nodes[i].core != NULL)
				o[n++] = (struct x_opt){ X_CRASH, i };
	/* last, so that the paths printed before these existed replay */
	if (x->crashes < x->crashes_max && !s->o.no_power_cuts)
		for (size_t i = 0; i < x->npool && n < max; i++) {
			uint8_t t = x->pool[i].msg->type;

			if ((t == CMM_MSG_COMMIT || t == CMM_MSG_ACCEPTED) &&
			    s->nodes[x->pool[i].to].core != NULL)
				o[n++] = (struct x_opt){ X_CUT, (int)i };
		}
	return n;
}

static void
x_apply(struct cmm_sim *s, const struct x_opt *o)
{
	struct cmm_sim_explore *x = s->x;
	struct cmm_sim_ev ev;

	switch (o->kind) {
	case X_DELIVER:
	case X_DROP:
	case X_CUT: {
		struct x_ent e = x->pool[o->arg];

		x_remove(x, (size_t)o->arg);
		cmm_sim_trace(s, -1, "explore: %s %s %d -> %d",
		    o->kind == X_DELIVER ? "deliver" : o->kind == X_DROP ?
		    "lose" : "deliver, then cut the power of",
		    cmm_msg_type_name(e.msg->type), e.from, e.to);
		if (o->kind == X_DROP) {
			s->st.drop_loss++;
			cmm_sim_msg_unref(s, e.msg);
			break;
		}
		memset(&ev, 0, sizeof(ev));
		ev.t = s->now;
		ev.kind = CMM_SIM_EV_DELIVER;
		ev.node = e.to;
		ev.u.dlv.msg = e.msg;
		/* the power goes right after a commit this input announces,
		 * else at its end */
		if (o->kind == X_CUT)
			s->nodes[e.to].cut_at_commit = true;
		cmm_sim_net_deliver(s, &ev);
		if (o->kind == X_CUT) {
			cmm_sim_kill_node(s, e.to);
			cmm_set_add(&x->crashed, e.to);
			x->crashes++;
		}
		break;
	}
	case X_ADVANCE:
		cmm_sim_trace(s, -1, "explore: let the clock run");
		if (!cmm_sim_step(s))
			x_finish(s);	/* nothing left on the clock */
		break;
	case X_CRASH:
		cmm_sim_trace(s, -1, "explore: crash %d", o->arg);
		cmm_sim_kill_node(s, o->arg);
		cmm_set_add(&x->crashed, o->arg);
		x->crashes++;
		break;
	}
}

/* The pool as a multiset of (from, to, message). */
static uint64_t
x_pool_hash(const struct cmm_sim_explore *x)
{
	uint64_t q = 0;

	for (size_t i = 0; i < x->npool; i++) {
		uint64_t h = cmm_sim_mix((uint64_t)x->pool[i].from,
		    (uint64_t)x->pool[i].to);

		h = cmm_fnv64(x->pool[i].msg->wire, x->pool[i].msg->bytes, h);
		q += cmm_sim_mix(h, 1);
	}
	return q;
}

/* A state seen before with at least as many choices left: cut. */
static bool
x_seen(struct cmm_sim *s)
{
	struct x_shared *sh = s->x->sh;
	uint64_t h = cmm_sim_mix(cmm_sim_state_hash(s), x_pool_hash(s->x)) |
	    1, mask = (1u << X_TABLE_BITS) - 1;
	uint8_t left = (uint8_t)(s->x->depth - s->x->taken);

	for (uint64_t i = h & mask, probes = 0; probes < 64;
	    i = (i + 1) & mask, probes++) {
		uint64_t k = __atomic_load_n(&sh->keys[i], __ATOMIC_ACQUIRE);

		if (k == 0) {
			uint64_t zero = 0;

			if (!__atomic_compare_exchange_n(&sh->keys[i], &zero, h,
			    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				if (zero != h)
					continue;
			} else {
				__atomic_store_n(&sh->left[i], left,
				    __ATOMIC_RELEASE);
				return false;
			}
			k = h;
		}
		if (k != h)
			continue;
		if (__atomic_load_n(&sh->left[i], __ATOMIC_ACQUIRE) >= left)
			return true;
		__atomic_store_n(&sh->left[i], left, __ATOMIC_RELEASE);
		return false;
	}
	return false;	/* table crowded here: explore rather than guess */
}

/* A leaf: count it; the first violation keeps its path. */
static void
x_leaf(struct cmm_sim *s, bool pruned)
{
	struct cmm_sim_explore *x = s->x;
	struct x_shared *sh = x->sh;

	if (sh == NULL)
		return;
	if (pruned) {
		__atomic_fetch_add(&sh->pruned, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&sh->paths, 1, __ATOMIC_RELAXED);
	if (s->nfailures > 0 && !s->violated &&
	    __atomic_fetch_add(&sh->unconverged, 1, __ATOMIC_RELAXED) == 0) {
		sh->ulen = x->taken;
		memcpy(sh->upath, x->path, (size_t)x->taken * sizeof(x->path[0]));
		snprintf(sh->ufail, sizeof(sh->ufail), "%s", s->failures[0]);
	}
	if (s->violated && __atomic_exchange_n(&sh->found, 1,
	    __ATOMIC_ACQ_REL) == 0) {
		sh->vlen = x->taken;
		memcpy(sh->vpath, x->path, (size_t)x->taken * sizeof(x->path[0]));
		snprintf(sh->violation, sizeof(sh->violation), "%s",
		    s->violation);
	}
}

/*
 * One step of the explore window; false when the engine should just pop
 * its next event.  In fork mode every option but the last runs in a
 * child; this process takes the last.
 */
bool
cmm_sim_explore_step(struct cmm_sim *s)
{
	struct cmm_sim_explore *x = s->x;
	struct x_opt opts[512];
	int n, pick;

	if (x == NULL || !x->active)
		return false;
	if (x->npool == 0)
		return false;
	if (x->taken >= x->depth) {
		x_finish(s);
		return true;
	}
	if (x->fork_mode && x->taken > 0 && x_seen(s)) {
		x_leaf(s, true);
		if (x->child)
			_exit(0);
		/* the root never prunes its first state; go on */
	}
	n = x_options(s, opts, (int)(sizeof(opts) / sizeof(opts[0])));
	pick = n - 1;
	if (x->have_replay) {
		pick = x->replay[x->taken];
		if (pick >= n) {
			cmm_sim_trace(s, -1, "explore: path choice %d of %d does "
			    "not exist here", pick, n);
			x_finish(s);
			return true;
		}
	} else if (x->fork_mode) {
		for (int o = 0; o < n - 1; o++) {
			pid_t pid;
			int st;

			if (__atomic_load_n(&x->sh->found, __ATOMIC_ACQUIRE))
				break;
			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				fprintf(stderr, "cmm sim: explore: fork: %s\n",
				    strerror(errno));
				exit(2);
			}
			if (pid == 0) {
				x->child = true;
				pick = o;
				break;
			}
			__atomic_fetch_add(&x->sh->forks, 1, __ATOMIC_RELAXED);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
		}
	}
	x->path[x->taken++] = (uint16_t)pick;
	x_apply(s, &opts[pick]);
	return true;
}

/* The end of one run: count it; a child ends here. */
void
cmm_sim_explore_end(struct cmm_sim *s)
{
	struct cmm_sim_explore *x = s->x;

	if (x == NULL || !x->fork_mode)
		return;
	x_leaf(s, false);
	if (x->child) {
		fflush(NULL);
		_exit(0);
	}
}

int
cmm_sim_explore_report(const struct cmm_sim *s, const char *script, FILE *f,
    double seconds)
{
	const struct x_shared *sh = s->x->sh;
	char line[8192];
	FILE *in;
	int ln = 0;

	fprintf(f, "explored %" PRIu64 " paths (%" PRIu64 " cut at a state seen "
	    "before, %" PRIu64 " forks) to depth %d in %.1f s; %" PRIu64
	    " ended with a failed expectation\n", sh->paths, sh->pruned,
	    sh->forks, s->x->depth, seconds, sh->unconverged);
	if (sh->unconverged > 0) {
		fprintf(f, "first such path:");
		for (int i = 0; i < sh->ulen; i++)
			fprintf(f, "%s%u", i ? "." : " ", sh->upath[i]);
		fprintf(f, " (line%s)\n", sh->ufail);
	}
	if (!sh->found) {
		fprintf(f, "no violation\n");
		return 0;
	}
	fprintf(f, "VIOLATION %s\n", sh->violation);
	fprintf(f, "path:");
	for (int i = 0; i < sh->vlen; i++)
		fprintf(f, "%s%u", i ? "." : " ", sh->vpath[i]);
	fprintf(f, "\n--- a scenario that replays it (cmm sim --script FILE "
	    "--trace) ---\n");
	if ((in = fopen(script, "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), in) != NULL) {
		ln++;
		if (ln == s->explore_line && sh->vlen > 0) {
			fprintf(f, "at %" PRId64 "ms explore path ", s->explore_t);
			for (int i = 0; i < sh->vlen; i++)
				fprintf(f, "%s%u", i ? "." : "", sh->vpath[i]);
			fprintf(f, "\n");
		} else {
			/* (a violation before the first choice replays as is) */
			fputs(line, f);
		}
	}
	fclose(in);
	return 1;
}
