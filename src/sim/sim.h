/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim: the deterministic cluster simulator behind `cmm sim`.  N protocol
 * cores run against a virtual clock (ms), a virtual network and in-memory
 * quorum devices; a checker verifies the properties of docs/PROTOCOL.md
 * section 15 after every event and stops at the first violation.
 *
 * Split by job: sim.c (engine, event queue, nodes, trace), sim_net.c
 * (virtual network), sim_check.c (property checker), sim_script.c
 * (scenario language), sim_random.c (random faults, liveness, burst),
 * sim_main.c (command line, summary, JSON).  libc only: no libevent, no
 * libsodium, no clock, no randomness but struct cmm_rng seeded from --seed.
 */
#ifndef CMM_SIM_H
#define CMM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net/replay.h"
#include "net/wire.h"
#include "quorum/device.h"
#include "quorum/nodeset.h"
#include "src/core/core.h"
#include "src/core/rng.h"

#define CMM_SIM_TRACE_KEEP	50	/* trace lines shown with a violation */
#define CMM_SIM_LINE_MAX	400
#define CMM_SIM_NEVER		INT64_MAX

/* What an action or expectation does (script lines and random faults). */
enum cmm_sim_act {
	CMM_SIM_A_START = 1,	/* start or restart LIST (disk kept) */
	CMM_SIM_A_KILL,		/* crash LIST: memory gone, disk kept; flag:
				 * the host is lost too (`lose`) */
	CMM_SIM_A_LEAVE,	/* cmm_core_leave on n */
	CMM_SIM_A_JOIN,		/* cmm_core_join on n */
	CMM_SIM_A_PARTITION,	/* groups[] */
	CMM_SIM_A_CUT,		/* n -> m, both ways unless oneway */
	CMM_SIM_A_HEAL,		/* partitions, cuts, message drops */
	CMM_SIM_A_LOSS,		/* ppm */
	CMM_SIM_A_DUP,		/* ppm */
	CMM_SIM_A_DELAY,	/* extra latency ms (ppm field unused) */
	CMM_SIM_A_ANSWER_ISO,	/* n, isolated */
	CMM_SIM_A_ANSWER_WINNER, /* n picks m */
	CMM_SIM_A_DROP,		/* messages of types k (a mask), n -> m, until heal */
	CMM_SIM_A_FORGET,	/* restart LIST with its state lost */
	CMM_SIM_A_JITTER,	/* latency jitter k ms (reordering) */
	CMM_SIM_A_DEVLAT,	/* device latency k ms (+ up to m ms) */
	CMM_SIM_A_EXPLORE,	/* the explorer starts here */
	CMM_SIM_A_FORCE,	/* n runs force-quorum, declaring set dead */
	CMM_SIM_A_EXPECT_CLUSTER, /* set */
	CMM_SIM_A_EXPECT_STATE,	/* n, state (-1: down) */
	CMM_SIM_A_EXPECT_PROMPT, /* n, prompt kind */
	CMM_SIM_A_EXPECT_STEPS,	/* t1..t (evaluated at t), k */
	CMM_SIM_A_EXPECT_ALARM,	/* node n raised the split-brain alarm */
	CMM_SIM_A_RANDOM,	/* random mode: the next fault */
	CMM_SIM_A_HEAL_ALL,	/* random mode: faults stop */
	CMM_SIM_A_SETTLED,	/* random mode: settled yet? (k: 0 after the
				 * heal, 1 after the burst); then the check
				 * and a quiet window */
	CMM_SIM_A_QUIET,	/* random mode: end of a quiet window */
	CMM_SIM_A_BURST,	/* random mode: kill ⌊(n-1)/2⌋ at once */
	CMM_SIM_A_RANDOM_DISARM, /* random mode: no more crashes after accepts */
	CMM_SIM_A_RANDOM_UNDROP, /* random mode: selective drops end */
	CMM_SIM_A_REJOIN,	/* random mode: n joins once its leave ends */
	CMM_SIM_A_POWER_CUT,	/* LIST lose power right after their next
				 * commit, before its flush; down until restarted */
};

struct cmm_sim_action {
	enum cmm_sim_act kind;
	int		line;		/* script line, 0 for generated ones */
	int64_t		t;
	int		n, m;
	bool		flag;		/* CUT: one way; ANSWER_ISO: isolated */
	uint32_t	ppm;
	int		state;
	int64_t		t1;
	int		k;
	struct cmm_set	set;
	int		ngroups;
	struct cmm_set	*groups;	/* PARTITION, owned */
};

/*
 * A message as it travels, shared by every copy: its datagram as the wire
 * carries it (MAC included, zeros), decoded again when a copy arrives
 * (cmm_sim_msg_view; once for all its copies).  A decoded
 * record was 608 bytes whatever it held, the datagram 382 on average in
 * a random 1024-node run, where up to 358,000 messages were in flight.
 */
struct cmm_sim_msg {
	unsigned	refs;
	uint32_t	bytes;		/* the datagram's length */
	uint64_t	serial;		/* names it in the view cache */
	uint16_t	sender;
	uint8_t		type;
	uint8_t		size_class;	/* its free list */
	bool		copy_checked;	/* a copy went through the codec */
	/* decoded, while more than one copy is to come (net_view) */
	struct cmm_msg	*view;
	struct cmm_sim_msg *free_next;
	uint8_t		wire[];
};

/* free lists of message records, by 64-byte size class */
#define CMM_SIM_MSG_CLASSES	\
	((offsetof(struct cmm_sim_msg, wire) + CMM_WIRE_MAX + 63) / 64 + 1)

/* Ground truth for the replay check: the two copies of a duplicated
 * datagram share one of these. */
struct cmm_sim_dup {
	unsigned	refs;
	bool		given;
	uint32_t	gen;		/* receiver instance that got it */
};

/*
 * One datagram to several receivers that arrive at the same virtual time:
 * a single event holding the receivers in the order their own events
 * would have been queued (see sim_net.c for why that is the same run).
 * Memory: a pointer to the shared message and two bytes a receiver, plus
 * one pointer a receiver only when one of its copies was duplicated.
 */
struct cmm_sim_dupref {
	struct cmm_sim_dup *d;		/* NULL: this copy is not duplicated */
};

struct cmm_sim_batch {
	struct cmm_sim_msg *msg;	/* one reference, held by the batch */
	struct cmm_sim_dupref *dup;	/* NULL, or one per receiver */
	uint32_t	n;		/* receivers */
	uint16_t	to[];		/* in queue order */
};

struct cmm_sim_devop {
	struct cmm_devreq req;
	uint32_t	gen;
	int64_t		issued;
};

/*
 * Port-unreachables back to one node instance, due at one time, queued
 * one after the other (nothing between them): a single event, delivered
 * in that order.  A burst of crashes at 1024 nodes bounced hundreds of
 * thousands of datagrams within a few milliseconds, each an event of its
 * own.  Two bytes an unreachable.
 */
struct cmm_sim_unreach {
	uint32_t	n, cap;
	uint32_t	next;		/* the first not yet delivered */
	uint16_t	*peer;		/* the nodes that were down, in order */
};

enum cmm_sim_ev_kind {
	CMM_SIM_EV_DELIVER = 1,
	CMM_SIM_EV_DEVICE,
	CMM_SIM_EV_WAKE,
	CMM_SIM_EV_ACTION,
	CMM_SIM_EV_BATCH,	/* a DELIVER to each of several receivers */
	CMM_SIM_EV_UNREACH,	/* a port-unreachable back to node (gen: its
				 * instance) for a datagram to u.peer */
	CMM_SIM_EV_UNREACHES,	/* several, u.unreach (sim_net.c) */
	CMM_SIM_EV_COPY,	/* one receiver's copy of a BATCH: u.copy */
	CMM_SIM_EV_FLUSH,	/* node's flush of a commit announced before
				 * it (gen: its instance) */
};

struct cmm_sim_ev {
	int64_t		t;
	uint8_t		prio;		/* 0 normal, 1 after everything at t */
	uint8_t		kind;
	uint64_t	seq;		/* insertion order breaks ties */
	int32_t		node;
	uint32_t	gen;		/* WAKE: token */
	union {
		struct {
			struct cmm_sim_msg	*msg;
			struct cmm_sim_dup	*dup;
		} dlv;
		struct cmm_sim_batch	*batch;
		struct {
			struct cmm_sim_batch	*batch;
			uint32_t		i;
		} copy;
		struct cmm_sim_devop	*dev;
		int			action;	/* index into sim->acts */
		int			peer;	/* UNREACH: the node that is down */
		struct cmm_sim_unreach	*unreach;
	} u;
};

/* The next CMM_SIM_WHEEL ms of ordinary events sit in per-ms buckets (a
 * timing wheel: O(1), in insertion order); the rest in a binary heap. */
#define CMM_SIM_WHEEL	1024

struct cmm_sim_bucket {
	struct cmm_sim_ev *ev;
	uint32_t	len, cap;
};

/* One event of the millisecond being run, or one receiver's copy of a
 * batch, in the order (node, insertion order, copy) it runs in. */
struct cmm_sim_slot {
	uint32_t	ev;		/* index into cmm_sim.cur */
	uint16_t	node;		/* its node + 1 (0: none) */
	uint16_t	copy;		/* the receiver's index in a batch */
	uint16_t	from;		/* a datagram's sender + 1 (0: none) */
};

/* One simulated node: a core (NULL while down) and its "disk". */
struct cmm_sim_node {
	struct cmm_sim	*sim;
	int		id;
	struct cmm_core	*core;
	struct cmm_sink	sink;
	uint32_t	gen;		/* bumps at each start and crash */
	/* down with its host (`lose`): nothing answers for it; down
	 * otherwise, its host answers port-unreachable (fast_fail) */
	bool		host_lost;
	bool		started_once;
	bool		has_disk;
	struct cmm_persist disk;
	/* a commit written but not yet flushed (the core's flush_later; the
	 * daemon flushes it before its next write or device operation, and
	 * within CMM_FLUSH_LATER_MS: a FLUSH event 1 to that many ms after
	 * the input, flush_pending) and the record the disk holds until
	 * then: what a power cut in between leaves */
	bool		unflushed;
	bool		flush_owed;	/* a flush_later write, FLUSH not run */
	bool		flush_pending;
	bool		severed;	/* its power is cut: no more effects */
	bool		cut_at_commit;	/* a power cut armed for its next
					 * commit (script, explorer) */
	/* a swarm's power cut after an unflushed commit falls this many
	 * effects after the announce, in this input or a later one, or at
	 * the FLUSH event (before the flush), whichever comes first; -1:
	 * none pending */
	int		cut_after;
	struct cmm_persist flushed;
	bool		halt;		/* CMM_FX_HALT seen during an input */
	bool		halted;
	int64_t		wake_at;
	uint32_t	wake_token;
	bool		wake_pending;
	/* its last heartbeat to everyone (sim_check_timer) */
	int64_t		last_bcast;
	bool		stopped;	/* its last state event said so */
	uint64_t	seq;		/* per-sender sequence, this incarnation */
	/* its replay windows, this instance, are column id of sim->win */
	bool		has_replay;
	struct cmm_prompt prompt;	/* open prompt (kind NONE: none) */
	/* checker */
	uint32_t	top_epoch;	/* highest epoch it ever committed */
	uint32_t	last_round_e, last_round_a;
	bool		member;		/* committed, not dropped since */
	int		ans_iso;	/* last isolation answer: -1, 0 no, 1 yes */
	int		ans_winner;	/* last winner answer, -1: none */
	uint32_t	ans_inst;	/* the instance the answer was for */
	uint32_t	force_inst;	/* force-quorum ran for this instance */
	struct cmm_set	force_dead;	/* and declared these dead */
	bool		alarmed;	/* raised the split-brain alarm */
	bool		forgot;		/* restarted with its state lost */
	/* the value its attempt 0 carried in fast_inst (sent before the
	 * ballot reached its disk: checked for a second value instead) */
	uint32_t	fast_inst;
	struct cmm_set	fast_value;
};

/* Checker: one chosen epoch, as first persisted by any node. */
struct cmm_sim_epoch {
	uint32_t	epoch;
	struct cmm_set	members;
	int64_t		time;
	int		node;
	bool		committed;	/* a member announced it */
	bool		standin;	/* chosen by an operator answer or policy */
	bool		split;		/* a stand-in conflict: two values */
	struct cmm_set	alt;		/* the other value, when split */
	uint32_t	pepoch;		/* the predecessor it was chosen against */
	uint64_t	phash;		/* hash of that predecessor's members */
};

/* Checker: an ACCEPTED really sent (or a device slot accept, node -1). */
struct cmm_sim_acc {
	uint32_t	inst;
	int		node;
	int		device;
	cmm_ballot	b;
	uint64_t	value;		/* hash of S */
	uint32_t	hdr_epoch;	/* the sender's committed configuration */
	uint64_t	hdr;		/* hash of its members */
};

struct cmm_sim_commit {		/* every COMMIT event, for --json */
	uint32_t	epoch;
	int		node;
	int64_t		time;
	struct cmm_set	members;
	const char	*reason;
};

struct cmm_sim_devlog {
	int64_t		time;
	int		node;
	int		device;
	enum cmm_dev_op	op;
	uint32_t	epoch;
	enum cmm_dev_status status;
	uint64_t	set;		/* hash of the op's set */
	struct cmm_set	departed;	/* FENCE: the nodes really unregistered */
};

/* The first successful fence of a device for an epoch, by set hash. */
struct cmm_sim_fencekey {
	uint64_t	key;		/* (device + 1) << 32 | epoch; 0: free */
	uint64_t	set;
};

/* A selective drop: messages whose type bit is in mask, a -> b. */
struct cmm_sim_drop {
	int		a, b;
	uint32_t	mask;
};

struct cmm_sim_stats {
	uint64_t	sends;		/* SEND effects */
	uint64_t	datagrams;	/* copies put on the wire */
	uint64_t	bytes;
	uint64_t	delivered;
	uint64_t	drop_down, drop_cut, drop_loss, drop_type, drop_replay;
	uint64_t	drop_self;
	uint64_t	dups;
	uint64_t	events;		/* run, a batch counting its copies */
	uint64_t	queued;		/* put on the queue, a batch as one */
	uint64_t	commits;	/* COMMIT events (per node) */
	uint64_t	rounds;		/* rounds run, per node */
	uint64_t	devops;
	uint64_t	crashes, restarts;
};

/* Fault classes of the swarm (each seed draws a subset, --faults pins one). */
enum cmm_sim_fault {
	CMM_SIM_F_LOSS = 0,	/* loss bursts */
	CMM_SIM_F_DUP,		/* duplicated datagrams */
	CMM_SIM_F_JITTER,	/* jitter (reordering) and delay spikes */
	CMM_SIM_F_ONEWAY,	/* one-way cuts */
	CMM_SIM_F_PARTITION,	/* symmetric partitions */
	CMM_SIM_F_NONTRANS,	/* non-transitive cuts */
	CMM_SIM_F_CRASH,	/* crashes and restarts, simultaneous starts */
	CMM_SIM_F_CRASH_ACCEPT,	/* a crash right after an accept */
	CMM_SIM_F_CRASH_COMMIT,	/* a crash right after a commit */
	CMM_SIM_F_ROUNDLOSS,	/* selective loss of one round message type */
	CMM_SIM_F_LEAVE,	/* several nodes leave together and come back */
	CMM_SIM_F_SLOWDEV,	/* slow devices */
	CMM_SIM_F_STAYDEAD,	/* some crashed nodes stay dead after the faults */
	CMM_SIM_F__COUNT
};
const char *cmm_sim_fault_name(int f);
/* "loss,crash" or "all" -> a mask; 0 or -1 */
int	cmm_sim_parse_faults(const char *text, uint32_t *mask);

struct cmm_sim_opts {
	uint64_t	seed;
	int		nodes;
	uint32_t	faults;		/* pinned fault classes, 0: drawn per seed */
	bool		plant_replay;
	bool		trace_all;	/* print every trace line */
	bool		json;		/* keep the commit log */
	bool		no_power_cuts;	/* a crash after a commit is never one */
	bool		unbatched;	/* one DELIVER event per copy (the
					 * reference model of the batching) */
	FILE		*out;		/* trace / report stream */
};

struct cmm_sim_explore;

struct cmm_sim {
	struct cmm_sim_opts o;
	int		n;
	struct cmm_core_cfg *cfg;	/* shared by every core */
	struct cmm_rng	rng;
	uint32_t	cluster_id;
	int64_t		now;
	int64_t		end;

	/* event queue on (t, prio, node, seq): wheel + binary heap */
	struct cmm_sim_bucket *wheel;	/* CMM_SIM_WHEEL buckets */
	size_t		nwheel;		/* events in the wheel */
	/* the bucket of the millisecond being run, taken out of the wheel
	 * and sorted by node (sim.c, sim_prepare) */
	struct cmm_sim_ev *cur;
	size_t		ncur, capcur;
	struct cmm_sim_slot *slot;
	size_t		nslot, capslot, slotpos;
	uint32_t	*idx;		/* the sort's event lists, cursors */
	size_t		capidx;
	uint32_t	*nodecount;	/* n + 2 counters for the sort */
	/* drained bucket arrays kept for reuse: only a few ms are in
	 * flight, so a few arrays serve every bucket */
	struct cmm_sim_ev *spare[16];
	uint32_t	spare_cap[16];
	int		nspare;
	struct cmm_sim_ev *heap;
	size_t		nheap, capheap;
	uint64_t	evseq;

	struct cmm_sim_node *nodes;
	/* the receivers' replay windows by receiver, then sender: a node's
	 * copies of a millisecond walk its own row (sim_prepare) */
	struct cmm_replay_win *win;
	/* the cores' peers' rows and member sets, one pool for all (a
	 * broadcast's row is stored once; src/core/core_sets.c) */
	struct cmm_setpool *sets;
	struct cmm_device **dev;	/* cfg->n_devices */
	struct cmm_sim_msg *msg_free[CMM_SIM_MSG_CLASSES];
	uint64_t	msg_serial;	/* the last message's */
	/* the message last decoded for its one copy, by serial (0: none) */
	struct cmm_msg	view;
	uint64_t	view_of;
	/* one send's copies before they are grouped into batches */
	struct cmm_sim_copy *copies;
	size_t		ncopies, capcopies;
	/* their sort by arrival time (sim_net.c): the output, a count per ms */
	struct cmm_sim_copy *sorted;
	size_t		capsorted;
	uint32_t	*tcount;
	size_t		captcount;
	/* the UNREACHES event pushed last, while it may grow: it took
	 * insertion number ur_seq, for node ur_node (ur_gen) at ur_t; or
	 * (ur_single) the lone UNREACH it starts as, last in its bucket */
	struct cmm_sim_unreach *ur;
	bool		ur_single;
	uint64_t	ur_seq;
	int64_t		ur_t;
	int		ur_node;
	uint32_t	ur_gen;

	/* network */
	int		*group;		/* partition group per node, 0 = none */
	struct cmm_set	*cut;		/* cut[a] ∋ b: a -> b is cut */
	struct cmm_sim_drop *drops;	/* selective drops until heal */
	size_t		ndrops, capdrops;
	bool		any_cut;
	uint32_t	loss_ppm, dup_ppm;
	int64_t		latency_ms, jitter_ms, delay_ms;
	int64_t		devlat_ms, devjit_ms;	/* a device answers in lat + [0, jit] */

	/* actions (script and random) */
	struct cmm_sim_action *acts;
	size_t		nacts, capacts;

	/* trace */
	char		(*ring)[CMM_SIM_LINE_MAX];
	unsigned	ring_pos, ring_len;
	uint64_t	hash;
	uint64_t	lines;

	/* checker state */
	struct cmm_sim_epoch *epochs;	/* sorted by epoch */
	size_t		nepochs, capepochs;
	struct cmm_sim_commit *clog;
	size_t		nclog, capclog;
	struct cmm_sim_acc *accs;
	size_t		naccs, capaccs;
	struct cmm_sim_devlog *devlog;
	size_t		ndevlog, capdevlog;
	uint32_t	*dev_top;	/* per device: highest reservation epoch */
	/* indexes of the device log, so that a check costs one lookup and
	 * the log is read only to name a violation's first witness */
	uint32_t	*dev_fenced;	/* [device * n + node]: highest epoch
					 * of a fence that unregistered node */
	struct cmm_sim_fencekey *fences; /* (device, epoch) -> first set */
	size_t		nfences, capfences;	/* capfences: 0 or 2^k */
	bool		violated;
	char		violation[CMM_SIM_LINE_MAX * 2];
	int64_t		violation_time;
	/* scenario expectations that failed, one line each */
	char		**failures;
	size_t		nfailures, capfailures;
	int		expectations;

	/* the explorer (sim_explore.c) */
	struct cmm_sim_explore *x;
	char		*xpath;		/* `explore path P`: replay P */
	int		explore_line;	/* where `explore` is in the script */
	int64_t		explore_t;

	/* random mode */
	bool		random;
	uint32_t	faults;		/* the classes this seed uses */
	struct cmm_set	stay_dead;	/* crashed nodes kept down after heal */
	uint32_t	crash_accept_ppm; /* chance an accept crashes its node */
	uint32_t	crash_commit_ppm; /* chance a commit crashes its node */
	uint32_t	unflushed_crashes; /* of those after an unflushed commit:
					    * every second is a power cut */
	int		burst_killed;
	int64_t		heal_at;
	int64_t		burst_at;
	int64_t		settled_since;	/* -1: not settled at the last poll */
	size_t		settled_commits; /* st.commits when it settled */
	uint32_t	burst_epoch;
	struct cmm_set	burst_survivors;
	size_t		quiet_epochs;

	struct cmm_sim_stats st;
};

/* `cmm sim ARGS` (sim_main.c): argv[0] is "sim"; returns the exit code. */
int	cmm_sim_main(int argc, char **argv);

/* ---- sim.c: engine ---- */

/* A simulator of n nodes (0..n-1), cfg defaults, priority = id, no
 * devices yet.  NULL on a bad count or no memory. */
struct cmm_sim *cmm_sim_new(const struct cmm_sim_opts *o);
void	cmm_sim_free(struct cmm_sim *s);
/* After the config is final: opens one in-memory device per configured
 * device.  0 or -1. */
int	cmm_sim_ready(struct cmm_sim *s);
/* Queues a copy of a (groups are taken over).  Returns its index. */
int	cmm_sim_add_action(struct cmm_sim *s, struct cmm_sim_action *a,
	    uint8_t prio);
/* Runs events until s->end (inclusive) or a violation.  0 ok, 1 violated. */
int	cmm_sim_run(struct cmm_sim *s);
void	cmm_sim_push(struct cmm_sim *s, struct cmm_sim_ev *ev);
void	cmm_sim_trace(struct cmm_sim *s, int node, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	cmm_sim_start_node(struct cmm_sim *s, int id);
void	cmm_sim_kill_node(struct cmm_sim *s, int id);
/* Crash id if it runs, lose its state (the incarnation survives, as the
 * daemon's clock-based one would), and start it again. */
void	cmm_sim_forget_node(struct cmm_sim *s, int id);
/* The explorer (sim_explore.c): the `explore` action; without --explore
 * it only marks the point in the trace. */
void	cmm_sim_explore_begin(struct cmm_sim *s);
/* Feeds the result of an input: halt, then re-arm the node's wake-up. */
void	cmm_sim_after_input(struct cmm_sim *s, struct cmm_sim_node *n);
void	cmm_sim_fail(struct cmm_sim *s, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Prints the violation report (seed, time, property, last trace lines). */
void	cmm_sim_report_violation(const struct cmm_sim *s, FILE *f);
uint64_t cmm_sim_mix(uint64_t a, uint64_t b);
/* Grows the array p (capacity *cap elements of elem bytes) to hold want;
 * exits the process when memory runs out. */
void	*cmm_sim_grow(void *p, size_t *cap, size_t want, size_t elem);

/* One event of the clock (<= end); false when none is left. */
bool	cmm_sim_step(struct cmm_sim *s);
/* A hash of the whole simulated state: cores, disks, devices, the
 * explorer's pool and the clock's queue (as a multiset). */
uint64_t cmm_sim_state_hash(const struct cmm_sim *s);

/* ---- sim_explore.c: the explorer ---- */

/* fork_mode: --explore (walk every path); else only `explore path P`
 * replays.  0 or -1 (bad path, no memory). */
int	cmm_sim_explore_setup(struct cmm_sim *s, bool fork_mode, int depth,
	    int crashes);
void	cmm_sim_explore_free(struct cmm_sim *s);
bool	cmm_sim_explore_take(struct cmm_sim *s, struct cmm_sim_msg *sm,
	    int from, int to);
bool	cmm_sim_explore_step(struct cmm_sim *s);
void	cmm_sim_explore_end(struct cmm_sim *s);
/* Prints the counts and the first violating path as a replayable
 * scenario; 1 if there was one. */
int	cmm_sim_explore_report(const struct cmm_sim *s, const char *script,
	    FILE *f, double seconds);

/* ---- sim_net.c: virtual network ---- */

void	cmm_sim_net_send(struct cmm_sim *s, struct cmm_sim_node *from,
	    const struct cmm_set *to, const struct cmm_msg *msg);
void	cmm_sim_net_deliver(struct cmm_sim *s, struct cmm_sim_ev *ev);
/* One receiver's copy of a batch (COPY). */
void	cmm_sim_net_deliver_copy(struct cmm_sim *s, const struct cmm_sim_ev *ev);
void	cmm_sim_net_unreach(struct cmm_sim *s, const struct cmm_sim_ev *ev);
/* Delivers the rest of an UNREACHES event and frees it. */
void	cmm_sim_net_unreaches(struct cmm_sim *s, const struct cmm_sim_ev *ev);
void	cmm_sim_unreach_free(struct cmm_sim *s, struct cmm_sim_unreach *u);
void	cmm_sim_net_heal(struct cmm_sim *s);
void	cmm_sim_net_partition(struct cmm_sim *s, const struct cmm_set *groups,
	    int ngroups);
void	cmm_sim_net_cut(struct cmm_sim *s, int a, int b, bool oneway);
/* Drops messages whose type bit (1 << type) is in mask, a -> b. */
void	cmm_sim_net_drop(struct cmm_sim *s, int a, int b, uint32_t mask);
/* Parses a message type name list ("accept,accepted", "propose" = both,
 * "round" = every round message) into a mask; 0 or -1. */
int	cmm_sim_parse_types(const char *text, uint32_t *mask);
/* Frees a batch and what it holds (its undelivered copies are lost). */
void	cmm_sim_batch_free(struct cmm_sim *s, struct cmm_sim_batch *b);
void	cmm_sim_msg_unref(struct cmm_sim *s, struct cmm_sim_msg *m);
/* The message decoded (the sender's own id as its destination): valid
 * until another message is viewed. */
const struct cmm_msg *cmm_sim_msg_view(struct cmm_sim *s,
	    struct cmm_sim_msg *sm);
void	cmm_sim_dup_unref(struct cmm_sim_dup *d);

/* ---- sim_check.c: properties ---- */

/* The checks run on each effect; they call cmm_sim_violate(). */
void	cmm_sim_check_commit(struct cmm_sim *s, struct cmm_sim_node *n,
	    const struct cmm_event *ev);
void	cmm_sim_check_send(struct cmm_sim *s, struct cmm_sim_node *n,
	    const struct cmm_msg *m);
void	cmm_sim_check_input(struct cmm_sim *s, struct cmm_sim_node *n);
void	cmm_sim_check_devreq(struct cmm_sim *s, struct cmm_sim_node *n,
	    const struct cmm_devreq *req);
void	cmm_sim_check_devop(struct cmm_sim *s, int node,
	    const struct cmm_devreq *req, const struct cmm_devres *res,
	    const struct cmm_devrec *before, const struct cmm_devrec *after);
void	cmm_sim_check_persist(struct cmm_sim *s, struct cmm_sim_node *n,
	    const struct cmm_persist *p);
void	cmm_sim_violate(struct cmm_sim *s, const char *property,
	    const struct cmm_set *nodes, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* The committed epoch entry for e, or NULL. */
const struct cmm_sim_epoch *cmm_sim_epoch_find(const struct cmm_sim *s,
	    uint32_t e);
/* The highest committed epoch below e, or NULL. */
const struct cmm_sim_epoch *cmm_sim_epoch_below(const struct cmm_sim *s,
	    uint32_t e);
/* Epochs first committed in [t1, t2]. */
int	cmm_sim_steps(const struct cmm_sim *s, int64_t t1, int64_t t2);
/* true when every live node is a member of one cluster that is exactly
 * the live nodes, all at one epoch; else why. */
bool	cmm_sim_converged(const struct cmm_sim *s, char *why, size_t len);

/* ---- sim_script.c: scenario language ---- */

/* Reads a scenario into a new simulator.  NULL with "FILE:LINE: reason"
 * in err on a malformed file (exit 2). */
struct cmm_sim *cmm_sim_script_load(const char *path,
	    const struct cmm_sim_opts *o, unsigned bugs, char *err,
	    size_t errlen);
/* Runs one action or expectation (called by the engine). */
void	cmm_sim_do_action(struct cmm_sim *s, int idx);
/* Parses "1500ms", "2s", "1.5s"; 0 or -1. */
int	cmm_sim_parse_time(const char *text, int64_t *out);
/* "0.25" -> 250000 ppm; 0 or -1. */
int	cmm_sim_parse_fraction(const char *text, uint32_t *ppm);

/* ---- sim_random.c: random faults ---- */

/* Sets up random mode on s for duration ms: safe policies, the device
 * ring, starts, faults (if asked), heal, liveness and the final burst. */
void	cmm_sim_random_setup(struct cmm_sim *s, int64_t duration, bool faults);
void	cmm_sim_random_action(struct cmm_sim *s, const struct cmm_sim_action *a);
/* The bound for convergence after faults stop. */
int64_t	cmm_sim_liveness_bound(const struct cmm_sim *s);

#endif
