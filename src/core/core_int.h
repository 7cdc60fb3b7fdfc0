/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_int: the core's private state, shared by its files.  Nothing outside
 * src/core/ includes this.  The files form a DAG:
 *
 *   core_sets.c      the pool of the peers' rows and member sets
 *   core_fx.c        effects, events, state transitions (the leaf)
 *   core_converge.c  the connectivity cut of a round's value
 *   core_learn.c     learner: ACCEPTED tallies, chosen, fence, commit
 *   core_acceptor.c  acceptor: PREPARE and ACCEPT, the persisted slot
 *   core_coord.c     coordinator: triggers, phase 1, choice, phase 2
 * (each calls only files above it; core_coord.c sits on learn and acceptor)
 *   core_suspect.c   fast crash detection: suspicion, probes, confirmation
 *   core_detect.c    failure detector and heartbeats
 *   core_recv.c      packet intake, one function per message type
 *   core.c           lifecycle, operator commands, introspection
 *
 * docs/PROTOCOL.md explains the round; the comments cite its sections and
 * the patent's steps.
 */
#ifndef CMM_CORE_INT_H
#define CMM_CORE_INT_H

#include <assert.h>

#include "src/core/core.h"
#include "src/core/rng.h"

#define CORE_NEVER	INT64_MAX
#define CORE_TALLY	8	/* ballots of one instance tracked by a learner */
#define CORE_HIST	4	/* committed configurations kept for the alarm */
/* a left-out node stays out while connectivity holds, for at most this
 * many failure timeouts (then one no-change round may try again) */
#define CORE_EXCLUDE_TIMEOUTS	5
/* a node just heard has not heard everyone yet: its row and its petition
 * count after this many heartbeats (the listening period of a start) */
#define CORE_SETTLE_HEARTBEATS	2
/* NACK backoff: round_timeout / CORE_BACKOFF_DIV doubled per failure,
 * at most CORE_BACKOFF_MAX_SHIFT times */
#define CORE_BACKOFF_DIV	4
#define CORE_BACKOFF_MAX_SHIFT	4
/* rounds that find no quorum back off: join_retry_ms doubled per abort,
 * at most this many times */
#define CORE_NOQUORUM_MAX_SHIFT	3
/* status suggests force-quorum after this many failure timeouts without
 * quorum */
#define CORE_SUGGEST_TIMEOUTS	10
/* an instance left half-finished is finished by an idle cluster after
 * this many round timeouts; fencing gets as long before it fails */
#define CORE_PENDING_TIMEOUTS	2
#define CORE_FENCE_TIMEOUTS	2
/* fast crash detection: probes sent to a suspect within
 * suspect_confirm_ms, a quarter of it apart */
#define CORE_SUSPECT_PROBES	3

/* What this node knows of one peer.  Every datagram lands on its
 * sender's entry in its receiver's table, so an entry is one cache line:
 * the row and the committed members are indexes into a set pool
 * (core_sets.c; read them with core_peer_row, core_peer_members), and a
 * suspicion's details are in c->susp (core_suspect.c). */
struct core_peer {
	_Alignas(64) int64_t last_heard;	/* -1: never */
	int64_t		alive_since;	/* when it last became alive */
	int64_t		row_at;		/* when its row arrived */
	uint32_t	incarnation;
	uint32_t	epoch;		/* its committed epoch, from its header */
	uint32_t	alarmed;	/* split brain reported for this epoch */
	uint32_t	row;		/* whom it holds alive (pool index) */
	uint32_t	members;	/* its committed members (pool index) */
	uint8_t		flags;		/* CMM_MSGF_* of its last message */
	uint8_t		vmax;		/* highest protocol version it speaks */
	bool		alive;
	bool		leaving;	/* LEAVE or LEAVING, this incarnation */
	/* fast crash detection (core_suspect.c) */
	bool		suspect;	/* probes are out */
	bool		fast_failed;	/* confirmed: dead until heard again */
};
_Static_assert(sizeof(struct core_peer) <= 64, "a peer entry is one line");

/* A suspicion of one peer (core_suspect.c), beside the peer table: only
 * a suspect's is read. */
struct core_suspicion {
	int64_t		at;		/* when the suspicion began */
	int64_t		quiet_until;	/* no new suspicion before this */
	int		probes;		/* sent in this suspicion */
	int		reporter;	/* -1: an unreachable here; else who said */
	bool		bounced;	/* an unreachable came after the 1st */
};

/* The sets the peer entries point at (core_sets.c); shared by the cores
 * given one (cmm_core_share_sets). */
struct cmm_setpool {
	struct cmm_set	*set;		/* cap entries; 0 is the empty set */
	uint32_t	*refs;		/* 0: on the free list */
	uint32_t	*next;		/* the hash chain, or the free list */
	uint32_t	*head;		/* mask + 1 chains */
	uint32_t	cap, reserved, used, mask, free;
};

/* ACCEPTEDs of one ballot of the current instance (a learner's count). */
struct core_tally {
	cmm_ballot	b;		/* NONE: unused */
	struct cmm_set	value;
	struct cmm_set	from;		/* acceptors that accepted at b */
	bool		device;		/* the shared device accepted at b */
};

/* The round this node coordinates (docs/PROTOCOL.md "The round"). */
struct core_coord {
	enum cmm_phase	phase;
	uint32_t	inst;		/* the instance: known epoch + 1 */
	cmm_ballot	b;
	bool		fast;		/* attempt 0: phase 1 skipped */
	bool		force;		/* commit even if S = P */
	bool		formation;	/* no known configuration: acceptors = C */
	int64_t		deadline;	/* of the phase */
	uint32_t	prev_epoch;
	struct cmm_set	prev;		/* the acceptors P (C for formation) */
	struct cmm_set	asked;		/* PREPARE sent to */
	struct cmm_set	answered;	/* answered phase 1, self included */
	struct cmm_set	promised;	/* acceptors that promised, self included */
	struct cmm_set	nacked;
	struct cmm_set	unseen;		/* left out of some answer's row */
	cmm_ballot	best_b;		/* highest accepted ballot reported */
	struct cmm_set	best_v;
	struct cmm_set	value;		/* S of this ballot */
	struct cmm_set	acc;		/* ACCEPTEDs seen at this ballot */
	int		device;		/* two-node race: device index, else -1 */
	uint32_t	dev_req;	/* pending device request, 0: none */
	bool		dev_promised;
	bool		standin;	/* an operator answer or policy stands in */
	bool		quiet;		/* a retry of a no-quorum round on the
					 * same view: logged at debug only */
	/* force-quorum (docs/PROTOCOL.md "Forcing quorum"): the operator's
	 * declaration stands in for the promises of `dead`, and this node
	 * first races the devices it shares with them */
	bool		forced;
	struct cmm_set	dead;
	uint32_t	fdev_base;	/* PROMISE ids [fdev_base, + fdev_total) */
	int		fdev_total;
	int		fdev_pending;
	struct cmm_qdecision dec;
	bool		have_dec;
	int		failures;	/* consecutive failed attempts */
	char		outcome[160];
};

/* Fencing and committing a chosen configuration (patent step 612). */
struct core_commit {
	bool		active;
	bool		rejoin;		/* same epoch again after a restart */
	uint32_t	epoch;
	struct cmm_set	S;
	struct cmm_set	prev;		/* P, for the event */
	struct cmm_set	departed;	/* whom this node fences */
	uint32_t	fence_base;	/* request ids [base, base + total) */
	int		fence_total;
	int		pending;
	uint32_t	reg_base;	/* REGISTER ids [reg_base, + reg_total) */
	int		reg_total;
	bool		failed;
	char		why[96];
	int64_t		deadline;
	struct cmm_qdecision dec;
	bool		have_dec;
	/* departed members no device fences: the commit waits until their
	 * watchdogs have reset them (0: no wait) */
	int64_t		wd_until;
	struct cmm_set	wd_nodes;
	char		wd_text[200];
};

/* What a node that did not coordinate saw of the last ballot (for status
 * and the console). */
struct core_seen {
	uint32_t	inst;
	cmm_ballot	b;
	struct cmm_set	value;
	struct cmm_set	from;		/* its ACCEPTEDs */
	bool		chosen;
};

struct core_known {
	uint32_t	epoch;
	struct cmm_set	members;
};

struct cmm_core {
	const struct cmm_core_cfg *cfg;
	int		self;
	struct cmm_sink	sink;
	struct cmm_rng	rng;
	int		npeers;		/* max configured id + 1 */
	struct core_peer *peers;
	/* the configured ids in crown-prince order (highest priority, then
	 * highest id, first): core_crown_prince finds the first of a set
	 * in a step or two where cmm_crown_prince walks all of it */
	int		*by_prio;
	int		nby_prio;

	struct cmm_persist disk;	/* what was last written */
	/* the last write was a commit announced before its flush, and the
	 * sink has not said it is flushed (cmm_core_on_flushed) */
	bool		commit_unflushed;
	bool		started;
	int64_t		start_time;	/* of cmm_core_start */
	int64_t		now;
	int64_t		listen_until;	/* first round waits to hear peers */
	bool		listened;

	bool		member;		/* quorate member of disk.members */
	bool		lost_quorum;
	bool		isolated;
	bool		leaving;
	bool		stopped;
	int64_t		leave_deadline;
	int		leave_sends;
	enum cmm_state	state;
	int64_t		last_commit_time;

	/* failure detector */
	struct cmm_set	alive;		/* self + peers alive */
	struct cmm_set	leavers;	/* peers whose last word was LEAVING */
	struct cmm_set	flag_amn;	/* peers whose last message said AMNESIAC */
	struct cmm_set	flag_pend;	/* ... said PENDING */
	/* peers whose last message carried epoch same_epoch_of: a cache for
	 * coord_pending, rebuilt when the disk's epoch moves (no state: the
	 * state hash leaves it out) */
	struct cmm_set	same_epoch;
	uint32_t	same_epoch_of;
	bool		same_epoch_ok;
	struct cmm_set	heard;		/* peers heard since start */
	struct cmm_set	suspects;	/* peers with probes out */
	/* suspects our own unreachables opened since news_at (-1: none):
	 * told to every node in one heartbeat by the first input of a later
	 * millisecond (suspect_announce); every input reads news_at, next
	 * to the other times, not the set */
	struct cmm_set	news;
	int64_t		news_at;
	/* the roll call of a burst (core_suspect.c): members probed when
	 * it began (roll_at, -1: none) and not heard from since */
	struct cmm_set	roll;
	int64_t		roll_at;
	int		roll_probes;
	bool		roll_said;	/* the hold on it was logged */
	int64_t		next_hb;
	int64_t		next_expiry;
	uint64_t	rows_version;	/* moves when alive or any row changes */
	uint64_t	flags_version;	/* moves when flag_amn or flag_pend does */
	/* coord_want found nothing to decide, from inputs that all stand
	 * still while these do (coord_quiet): a cache, not state */
	bool		quiet;
	uint64_t	quiet_rows, quiet_flags;
	uint32_t	quiet_epoch;
	cmm_ballot	quiet_accepted;

	/* triggers */
	bool		reconfigure_req;
	int64_t		petition_at;	/* a young petitioner is heard out then */
	int64_t		leave_seen_at;	/* first LEAVE noticed for the instance */
	int64_t		pending_since;	/* an accepted value left undecided */
	int64_t		hold_until;	/* the round waits for a burst to end */
	int64_t		stepin_at;	/* a non-preferred node may start then */
	int64_t		seen_coord_at;	/* another coordinator's PREPARE/ACCEPT */
	cmm_ballot	seen_max;	/* highest ballot seen for the instance */
	uint64_t	idle_version;	/* rows_version when a round last gave up */
	int64_t		idle_until;	/* and until when it stays given up */
	/* convergence: petitions from these do not start rounds while the
	 * rows stay as they were (and for a heartbeat in any case) */
	struct cmm_set	excluded;
	uint64_t	excluded_version;
	int64_t		excluded_at;
	int64_t		excluded_until;

	struct core_coord r;
	struct core_tally tally[CORE_TALLY];
	struct core_commit cm;
	struct core_seen seen;
	struct core_known hist[CORE_HIST];	/* recent commits, newest first */

	struct cmm_prompt prompt;
	bool		prompt_open;

	/* no quorum: since when, how many aborts in a row (the backoff), and
	 * the live set of the last abort (an abort on the same view is not
	 * announced again) */
	int64_t		quorumless_since;	/* -1: a quorate member */
	int		nq_aborts;
	struct cmm_set	nq_alive;
	bool		nq_said;

	uint32_t	next_req;
	struct cmm_qdecision last_dec;
	bool		have_last_dec;
	char		text[256];
	char		why[200];	/* an operator call's refusal */

	/* the peers' rows and member sets, and their suspicions; last,
	 * because the state hash (cmm_core_state_hash) hashes everything
	 * before sets as it is */
	struct cmm_setpool *sets;
	bool		sets_own;	/* made for this core alone */
	struct core_suspicion *susp;	/* npeers */
};

static inline const struct cmm_set *
core_peer_row(const struct cmm_core *c, int id)
{
	return &c->sets->set[c->peers[id].row];
}

static inline const struct cmm_set *
core_peer_members(const struct cmm_core *c, int id)
{
	return &c->sets->set[c->peers[id].members];
}

/* ---- core_sets.c: the pool of the peers' sets ---- */
/* Room for n more live sets (0), or -1 with nothing changed. */
int	core_sets_reserve(struct cmm_setpool *p, uint32_t n);
void	core_sets_unreserve(struct cmm_setpool *p, uint32_t n);
/* Points *ref at a copy of s; true if that changed what it holds. */
bool	core_sets_replace(struct cmm_setpool *p, uint32_t *ref,
	    const struct cmm_set *s);
/* Drops a reference. */
void	core_sets_put(struct cmm_setpool *p, uint32_t i);

/* ---- core_fx.c: effects and state (the leaf) ---- */
void	core_log(struct cmm_core *c, enum cmm_log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	core_event_init(struct cmm_core *c, struct cmm_event *ev,
	    enum cmm_event_type type);
void	core_event(struct cmm_core *c, struct cmm_event *ev, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* core_event(c, ev, "node %d %s", id, what), without the printf */
void	core_event_node(struct cmm_core *c, struct cmm_event *ev, int id,
	    const char *what);
void	core_stamp_config(struct cmm_core *c);
int	core_persist(struct cmm_core *c);
int	core_persist_flush_later(struct cmm_core *c);
void	core_fill_msg(const struct cmm_core *c, struct cmm_msg *m, int type);
void	core_send_msg(struct cmm_core *c, const struct cmm_set *to,
	    const struct cmm_msg *m);
void	core_send(struct cmm_core *c, const struct cmm_set *to, int type);
void	core_send_to(struct cmm_core *c, int id, int type);
uint32_t core_device(struct cmm_core *c, int device, const struct cmm_devop *op);
void	core_prompt_open(struct cmm_core *c, enum cmm_prompt_kind kind,
	    const int choice[2], const char *why);
void	core_prompt_close(struct cmm_core *c, const char *why);
void	core_sync_state(struct cmm_core *c);
void	core_drop_membership(struct cmm_core *c, const char *why);
void	core_fail_stop(struct cmm_core *c, const char *why);
bool	core_round_active(const struct cmm_core *c);
void	core_round_end(struct cmm_core *c, const char *prefix, const char *why);
bool	core_in_known(const struct cmm_core *c, int id);
bool	core_is_acceptor(const struct cmm_core *c, uint32_t inst);
bool	core_peer_leaving(const struct cmm_core *c, int id);
const struct cmm_set *core_acceptors(const struct cmm_core *c);
int	core_crown_prince(const struct cmm_core *c, const struct cmm_set *s);
int64_t	core_jitter(struct cmm_core *c, int64_t base);

bool	core_peer_settled(const struct cmm_core *c, int id);
/* The peers whose last datagram named our epoch: kept per packet
 * (core_recv.c), rebuilt once an epoch. */
const struct cmm_set *core_same_epoch(struct cmm_core *c);

/* ---- core_converge.c ---- */
void	core_converge(const struct cmm_core *c, struct cmm_set *set);
void	core_note_excluded(struct cmm_core *c, const struct cmm_set *considered,
	    const struct cmm_set *kept);
bool	core_excluded(const struct cmm_core *c, int id);

/* ---- core_learn.c ---- */
void	learn_reset(struct cmm_core *c);
void	learn_accepted(struct cmm_core *c, int from, cmm_ballot b,
	    const struct cmm_set *value, bool device);
void	learn_chosen(struct cmm_core *c, uint32_t epoch, const struct cmm_set *S,
	    const struct cmm_qdecision *dec, const char *how);
void	learn_header(struct cmm_core *c, const struct cmm_msg *m);
void	learn_compare(struct cmm_core *c, const struct cmm_msg *m);
void	learn_try_rejoin(struct cmm_core *c);
void	learn_on_device(struct cmm_core *c, uint32_t id,
	    const struct cmm_devres *res);
bool	learn_owns_request(const struct cmm_core *c, uint32_t id);
void	learn_on_tick(struct cmm_core *c);
int64_t	learn_deadline(const struct cmm_core *c);
bool	learn_quorum(const struct cmm_core *c, const struct cmm_set *from,
	    bool device);

/* ---- core_acceptor.c ---- */
void	acceptor_on_prepare(struct cmm_core *c, const struct cmm_msg *m);
void	acceptor_on_accept(struct cmm_core *c, const struct cmm_msg *m);
void	acceptor_accept_own(struct cmm_core *c, cmm_ballot b,
	    const struct cmm_set *S, const struct cmm_set *to);

/* ---- core_coord.c ---- */
void	coord_evaluate(struct cmm_core *c);
void	coord_on_promise(struct cmm_core *c, const struct cmm_msg *m);
void	coord_on_nack(struct cmm_core *c, const struct cmm_msg *m);
void	coord_on_device(struct cmm_core *c, uint32_t id,
	    const struct cmm_devres *res);
void	coord_on_tick(struct cmm_core *c);
void	coord_on_detector(struct cmm_core *c);
void	coord_answer(struct cmm_core *c, bool proceed, bool isolated,
	    const char *said);
void	coord_abandon(struct cmm_core *c, const char *why);
void	coord_force(struct cmm_core *c, const struct cmm_set *dead);
bool	coord_owns_request(const struct cmm_core *c, uint32_t id);
void	coord_on_force_device(struct cmm_core *c, uint32_t id,
	    const struct cmm_devres *res);
bool	coord_active(const struct cmm_core *c);
int64_t	coord_deadline(const struct cmm_core *c);

/* ---- core_suspect.c ---- */
void	suspect_unreachable(struct cmm_core *c, int id);
void	suspect_on_msg(struct cmm_core *c, const struct cmm_msg *m);
void	suspect_heard(struct cmm_core *c, int id);
void	suspect_run(struct cmm_core *c);
void	suspect_announce(struct cmm_core *c);
void	suspect_on_row(struct cmm_core *c, int from,
	    const struct cmm_set *old, const struct cmm_set *row);
int64_t	suspect_next(const struct cmm_core *c);
int64_t	suspect_until(const struct cmm_core *c, const struct core_peer *p);
int64_t	suspect_roll_until(const struct cmm_core *c);

/* ---- core_detect.c ---- */
void	detect_run(struct cmm_core *c);
void	detect_heard(struct cmm_core *c, int id);
void	detect_heartbeat(struct cmm_core *c);

/* ---- core_recv.c ---- */
void	recv_packet(struct cmm_core *c, const struct cmm_msg *m);

#endif
