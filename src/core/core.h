/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core: the cmm membership protocol as a pure state machine
 * (docs/PROTOCOL.md; patent FIG. 3-10).
 *
 * The core never reads a clock, a socket, a file or the terminal, and has
 * no source of randomness but the seed it is given.  Inputs are the
 * cmm_core_on_* calls, each carrying `now` (milliseconds on a monotonic
 * clock); outputs are effects handed to the caller's sink, in order.  The
 * daemon turns effects into I/O, the simulator into virtual-network events:
 * the same core runs in both.
 *
 * The one effect whose result the core needs at once is CMM_FX_PERSIST:
 * the sink must write it durably before returning 0 (persist a promise or an
 * accept before the reply that depends on it, persist a commit before
 * announcing it).  Device operations are asynchronous: their result comes
 * back through cmm_core_on_device_result().
 */
#ifndef CMM_CORE_H
#define CMM_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/wire.h"
#include "quorum/device.h"
#include "quorum/nodeset.h"
#include "quorum/vote.h"

#define CMM_MAX_DEVICES	256
/* a record written with flush_later is flushed at the latest this long
 * after the input that wrote it */
#define CMM_FLUSH_LATER_MS	5
#define CMM_NAME_MAX	64

enum cmm_state {
	CMM_ST_JOINING = 0,	/* started, never committed since */
	CMM_ST_MEMBER,
	CMM_ST_RECONFIGURING,	/* a member while a round runs */
	CMM_ST_AWAITING_OPERATOR, /* a prompt is open */
	CMM_ST_ISOLATED,
	CMM_ST_NO_QUORUM,
	CMM_ST_LEAVING,
	CMM_ST_STOPPED,
};
#define CMM_ST__COUNT 8

const char *cmm_state_name(enum cmm_state s);
/* -1 if the name is unknown */
int	cmm_state_parse(const char *name);

enum cmm_loss_policy { CMM_LOSS_REJOIN, CMM_LOSS_HALT };
enum cmm_fast_fail { CMM_FAST_FAIL_NO = 0, CMM_FAST_FAIL_YES };

struct cmm_device_cfg {
	char		name[CMM_NAME_MAX];
	struct cmm_set	nodes;
};

/* The cluster-wide settings one core needs.  The caller owns it and keeps
 * it alive and unchanged for the core's life; one copy may serve many cores
 * (the simulator shares one). */
struct cmm_core_cfg {
	struct cmm_set	configured;
	int		priority[CMM_MAX_NODES];
	int64_t		heartbeat_ms;
	int64_t		failure_timeout_ms;
	int64_t		round_timeout_ms;
	int64_t		join_retry_ms;
	int64_t		prompt_timeout_ms;	/* 0: wait for ever */
	enum cmm_initial_policy		initial;
	enum cmm_isolation_policy	isolation;
	enum cmm_winner_policy		winner;
	enum cmm_loss_policy		on_quorum_loss;
	int64_t		leave_timeout_ms;	/* a leaver stops after this */
	/* Every node pets a watchdog with this timeout (0: none does): a
	 * departed member that no device fences is taken as gone once it
	 * has run out (docs/PROTOCOL.md "Watchdog self-fencing"). */
	int64_t		watchdog_timeout_ms;
	/* Fast crash detection (docs/PROTOCOL.md "Fast crash detection"):
	 * a port-unreachable for a peer makes it suspect, probes confirm it
	 * within suspect_confirm_ms.  NO: unreachables are ignored. */
	enum cmm_fast_fail fast_fail;
	int64_t		suspect_confirm_ms;
	int		n_devices;
	struct cmm_device_cfg devices[CMM_MAX_DEVICES];
	unsigned	bugs;	/* CMM_BUG_* planted bugs, simulator tests only */
	/* Simulator tests only: a cached answer (coord_want's quiet one) is
	 * computed again in full, and a difference aborts the run. */
	bool		verify_caches;
	/* The config digest and config_version (src/node/config.h): the core
	 * only copies them into what it persists with a configuration, so a
	 * restart can tell the config changed under the state. */
	uint8_t		digest[CMM_DIGEST_LEN];
	uint32_t	config_version;
};

/* More planted bugs (the quorum ones are in quorum/vote.h). */
#define CMM_BUG_SKIP_FENCE	0x10	/* commit without fencing */
#define CMM_BUG_COMMIT_EARLY	0x20	/* announce a commit before persisting */
#define CMM_BUG_SKIP_HIGHEST	0x40	/* ignore accepted values in promises */
#define CMM_BUG_ACCEPT_VOLATILE	0x80	/* accept without persisting it */
#define CMM_BUG_LEARN_ACCEPT	0x100	/* take an ACCEPT as chosen */
#define CMM_BUG_RESTLESS	0x200	/* a step every 3 failure timeouts */
#define CMM_BUG_DEAF		0x400	/* members ignore petitions */
#define CMM_BUG_FLUSH_LATER	0x800	/* every commit flushed after its
					 * announce, a stand-in's too */
#define CMM_BUG_FAST_UNFLUSHED	0x1000	/* attempt 0's ACCEPTs leave before
					 * an announced commit is flushed */

/* Fills cfg with the default settings and no nodes. */
void	cmm_core_cfg_defaults(struct cmm_core_cfg *cfg);

/* abstain: the state was lost and nothing is learned yet */
#define CMM_ABSTAIN_UNKNOWN	UINT32_MAX
/* epochs at or above this are refused: they would wrap */
#define CMM_EPOCH_LIMIT		UINT32_C(0x80000000)

/*
 * What survives a crash (docs/PROTOCOL.md "Acceptor state"): the known
 * configuration (epoch, members) -- always one that was chosen -- and this
 * node's acceptor slot for instance epoch + 1.  Everything that a reply
 * depends on is written here before the reply leaves.
 */
struct cmm_persist {
	uint32_t	incarnation;
	uint32_t	epoch;		/* 0 = none known */
	struct cmm_set	members;
	/* acceptor slot of instance epoch + 1 */
	cmm_ballot	promised;
	cmm_ballot	accepted;	/* NONE: nothing accepted */
	struct cmm_set	value;		/* the accepted value */
	uint32_t	next_attempt;	/* attempts 0..next_attempt-1 were used */
	/* a node that lost its state takes no part as acceptor or
	 * coordinator in instances <= abstain (0: none) */
	uint32_t	abstain;
	/* the config the state was written under (cmm_core_cfg's digest and
	 * config_version; zero: not known) */
	uint8_t		cfg_digest[16];
	uint32_t	cfg_version;
};

enum cmm_fx_type {
	CMM_FX_SEND = 1,	/* msg to every node of `to` */
	CMM_FX_PERSIST,		/* write `persist` durably; return 0 or -1 */
	CMM_FX_DEVICE,		/* device operation; answer with on_device_result */
	CMM_FX_PROMPT,		/* open (kind != NONE) or close a prompt */
	CMM_FX_EVENT,		/* something operators and hooks see */
	CMM_FX_LOG,
	CMM_FX_HALT,		/* on_quorum_loss = halt: exit with a distinct code */
};

enum cmm_prompt_kind { CMM_PROMPT_NONE = 0, CMM_PROMPT_ISOLATION, CMM_PROMPT_WINNER };

struct cmm_prompt {
	enum cmm_prompt_kind kind;	/* NONE: close the open prompt */
	uint32_t	round_epoch;
	uint32_t	round_attempt;
	int		choice[2];	/* WINNER: the two candidates */
	int64_t		deadline;	/* 0: none */
	const char	*why;		/* one line: what happened / why closed */
};

enum cmm_event_type {
	CMM_EV_COMMIT = 1,	/* this node committed a configuration holding it */
	CMM_EV_ROUND,		/* a round started, changed phase, failed or ended */
	CMM_EV_FAILURE,		/* a peer stopped being alive */
	CMM_EV_ALIVE,		/* a peer became alive */
	CMM_EV_JOIN,		/* a petition from a non-member */
	CMM_EV_LEAVE,		/* a LEAVE received, or this node leaving */
	CMM_EV_PROMPT,		/* a prompt opened or closed */
	CMM_EV_ANSWER,		/* an answer was taken */
	CMM_EV_FENCE,		/* devices fenced */
	CMM_EV_NO_QUORUM,	/* membership dropped */
	CMM_EV_STATE,		/* state changed */
	CMM_EV_QUORUM,		/* a quorum decision was made */
	CMM_EV_LEARN,		/* a configuration without this node was chosen */
	CMM_EV_SPLIT_BRAIN,	/* two configurations seen for one epoch */
	CMM_EV_SUSPECT,		/* a peer is suspect: probes will confirm it */
};
#define CMM_EV__COUNT	16

struct cmm_event {
	enum cmm_event_type type;
	uint32_t	epoch;
	uint32_t	round_epoch;	/* the instance */
	uint32_t	round_attempt;
	int		peer;		/* FAILURE/ALIVE/JOIN/LEAVE/SPLIT_BRAIN, else -1 */
	enum cmm_state	state;		/* the new state */
	struct cmm_set	members;	/* COMMIT/LEARN: new members; SPLIT_BRAIN: ours */
	struct cmm_set	joined;		/* COMMIT: S \ P */
	struct cmm_set	departed;	/* COMMIT/FENCE: P \ S; SPLIT_BRAIN: theirs */
	const struct cmm_qdecision *decision;	/* COMMIT/QUORUM/NO_QUORUM */
	bool		unfenced;	/* FENCE: `peer` departed and shares no
					 * device with a member: nobody fenced it */
	bool		by_watchdog;	/* FENCE: departed fenced by their
					 * watchdogs, waited out */
	bool		timed_out;	/* ANSWER: a policy answered a prompt
					 * that timed out, not an operator */
	bool		fast;		/* FAILURE: confirmed by probes after a
					 * port-unreachable, not a timeout */
	int		reporter;	/* SUSPECT: the node that reported it,
					 * -1: an unreachable came here */
	const char	*text;		/* one line for logs and consoles */
};

/* "commit", "round", "failure", ... (watch --json `type`, traces) */
const char *cmm_event_type_name(enum cmm_event_type t);

enum cmm_log_level { CMM_LOG_ERROR = 0, CMM_LOG_WARN, CMM_LOG_INFO, CMM_LOG_DEBUG };

struct cmm_effect {
	enum cmm_fx_type type;
	/* PERSIST only: the record must be written before the effects that
	 * follow, but may be flushed after them: before the next record or
	 * device operation, and within CMM_FLUSH_LATER_MS; the sink then
	 * says so (cmm_core_on_flushed).  Until it does, the core writes
	 * again before an ACCEPT of its fast path (docs/PROTOCOL.md
	 * "Durability"). */
	bool	flush_later;
	union {
		struct {
			const struct cmm_set *to;
			const struct cmm_msg *msg;
		} send;
		const struct cmm_persist	*persist;
		const struct cmm_devreq		*dev;
		const struct cmm_prompt		*prompt;
		const struct cmm_event		*event;
		struct {
			enum cmm_log_level	level;
			const char		*text;
		} log;
	} u;
};

struct cmm_sink {
	void	*ctx;
	/* Return value is read for CMM_FX_PERSIST only (0 = written). */
	int	(*emit)(void *ctx, const struct cmm_effect *fx);
};

struct cmm_core;

/* A core for node `self`.  `loaded` is what was persisted (NULL: nothing,
 * a fresh node).  `seed` drives the backoff jitter.  Returns NULL only if
 * self is not configured or memory runs out. */
struct cmm_core *cmm_core_new(const struct cmm_core_cfg *cfg, int self,
	    const struct cmm_persist *loaded, const struct cmm_sink *sink,
	    uint64_t seed);
void	cmm_core_free(struct cmm_core *c);

/* Start: bumps and persists the incarnation, begins listening; the first
 * round starts after a short listening period.  Returns -1 if the
 * incarnation could not be persisted. */
int	cmm_core_start(struct cmm_core *c, int64_t now);

/* A decoded, authenticated, replay-checked message. */
void	cmm_core_on_packet(struct cmm_core *c, int64_t now, const struct cmm_msg *m);
/* An authenticated message from a peer whose config digest differs from
 * ours: it takes no part in anything, but its committed configuration is
 * still compared with ours for the split-brain alarm. */
void	cmm_core_on_foreign(struct cmm_core *c, int64_t now, const struct cmm_msg *m);
/* The network said a datagram to node id could not be delivered: its
 * host answered port-unreachable (an ICMP error for an address the
 * caller has configured for id).  Unauthenticated: it only makes id
 * suspect, and probes decide (docs/PROTOCOL.md "Fast crash detection"). */
void	cmm_core_on_unreachable(struct cmm_core *c, int64_t now, int id);
/* The records written with flush_later are on the disk now. */
void	cmm_core_on_flushed(struct cmm_core *c, int64_t now);
/* A record written with flush_later could not be flushed (the disk failed
 * it): the node stops taking part, as when a write fails. */
void	cmm_core_on_flush_failed(struct cmm_core *c, int64_t now);
/* Time passes; call at (or after) cmm_core_next_deadline(). */
void	cmm_core_on_tick(struct cmm_core *c, int64_t now);
/* The earliest time the core wants on_tick (always > the last now given). */
int64_t	cmm_core_next_deadline(const struct cmm_core *c);
void	cmm_core_on_device_result(struct cmm_core *c, int64_t now, uint32_t id,
	    const struct cmm_devres *res);

/* Operator answers and commands.  Return 0, or -1 with a one-line reason. */
int	cmm_core_answer_isolation(struct cmm_core *c, int64_t now, bool isolated,
	    const char **why);
int	cmm_core_answer_winner(struct cmm_core *c, int64_t now, int winner,
	    const char **why);
int	cmm_core_join(struct cmm_core *c, int64_t now, const char **why);
int	cmm_core_leave(struct cmm_core *c, int64_t now, const char **why);
int	cmm_core_reconfigure(struct cmm_core *c, int64_t now, const char **why);
/* force-quorum (docs/PROTOCOL.md "Forcing quorum"): the operator declares
 * the members `dead` dead, and this node runs a round of the next instance
 * in which that declaration stands in for their promises, racing first
 * for the devices it shares with them.  Refused (-1, *why names the node)
 * while any of them is heard or was heard within the failure timeout, for
 * this node itself, a non-member, a quorate member, an open prompt, or a
 * list that even so makes no quorum.  0: the round started; its outcome
 * is a ROUND event (and `round`). */
int	cmm_core_force_quorum(struct cmm_core *c, int64_t now,
	    const struct cmm_set *dead, const char **why);
/* The force-quorum an operator could run now: true, with the members not
 * heard in *dead, when this node is in its known configuration, has been
 * without quorum for CORE_SUGGEST_TIMEOUTS failure timeouts, and the
 * command would be accepted. */
bool	cmm_core_force_suggest(const struct cmm_core *c, struct cmm_set *dead);

/* ---- introspection (for status, the console and the simulator) ---- */

enum cmm_phase { CMM_PHASE_NONE = 0, CMM_PHASE_WAIT, CMM_PHASE_PREPARE,
	CMM_PHASE_QUORUM, CMM_PHASE_ACCEPT, CMM_PHASE_FENCE, CMM_PHASE_BACKOFF,
	CMM_PHASE_DONE };
#define CMM_PHASE__COUNT 8
const char *cmm_phase_name(enum cmm_phase p);

struct cmm_core_status {
	int		node;
	enum cmm_state	state;
	bool		member;		/* a quorate member of `members` now */
	uint32_t	epoch;		/* the known (committed) configuration */
	struct cmm_set	members;
	int		crown_prince;	/* of members, -1 if not a member */
	uint32_t	incarnation;
	struct cmm_set	alive;		/* peers the detector holds alive, + self */
	enum cmm_prompt_kind prompt;
	int		prompt_choice[2];
	int64_t		prompt_deadline;
	int64_t		last_commit_time;	/* -1: none since start */
	bool		amnesiac;	/* state was lost: abstaining */
	int64_t		quorumless_since;	/* -1: a quorate member */
	bool		quorum_pending;	/* a member waiting for the operator */
	/* cmm_core_force_suggest: the force-quorum the operator could run */
	bool		force_hint;
	struct cmm_set	force_dead;
};
void	cmm_core_status(const struct cmm_core *c, struct cmm_core_status *st);
/* Of cmm_core_status, only member, epoch and members, without the O(N)
 * rest: the simulator's belief check reads them after every input.  The
 * members (valid until the next input; not copied: a copy read back at
 * once stalled the check), or NULL when not a member. */
const struct cmm_set *cmm_core_membership(const struct cmm_core *c,
	    uint32_t *epoch);
/* The epoch of the configuration it knows (cmm_core_status's epoch). */
uint32_t cmm_core_epoch(const struct cmm_core *c);

/* The round this node coordinates or last coordinated, or (when it does
 * not coordinate) what it knows of the current instance. */
struct cmm_round_info {
	bool		active;		/* a round runs now (else: the last one) */
	uint32_t	epoch, attempt;	/* instance and ballot attempt; 0/0: never */
	int		coordinator;	/* -1: none */
	bool		fast;		/* attempt 0 of the crown prince: no phase 1 */
	enum cmm_phase	phase;
	int64_t		deadline;	/* of the phase; 0: none */
	uint32_t	prev_epoch;
	struct cmm_set	prev;		/* P, the acceptors */
	struct cmm_set	expected;	/* PREPARE sent to */
	struct cmm_set	presence;	/* answered phase 1 (self included) */
	struct cmm_set	proposed;	/* ACCEPTED seen at this ballot */
	struct cmm_set	next;		/* S */
	struct cmm_set	differ;		/* NACKs */
	const char	*outcome;	/* last result, one line, or "" */
};
void	cmm_core_round(const struct cmm_core *c, struct cmm_round_info *ri);

/* The last quorum decision; false if none yet. */
bool	cmm_core_last_decision(const struct cmm_core *c, struct cmm_qdecision *d);

struct cmm_peer_info {
	bool		alive;
	int64_t		last_heard;	/* -1: never */
	uint32_t	incarnation;
	uint32_t	epoch;		/* as reported in its last message */
	bool		member;		/* its member flag */
	bool		leaving;
	bool		amnesiac;	/* its AMNESIAC flag: it lost its state */
	bool		has_row;	/* a HEARTBEAT or PROMISE came: row holds */
	bool		suspect;	/* probes to it are out (fast_fail) */
	struct cmm_set	row;		/* whom it holds alive */
	struct cmm_set	members;	/* its committed members, as it says */
};
void	cmm_core_peer(const struct cmm_core *c, int id, struct cmm_peer_info *pi);

/*
 * The peers' rows and member sets are kept once per distinct set, in a
 * pool (src/core/core_sets.c).  A core has its own; cores given one pool
 * share it, so the row of a heartbeat is held once however many cores
 * receive it (the simulator's, all on one thread).  Free a pool after the
 * last core that uses it.
 */
struct cmm_setpool;
struct cmm_setpool *cmm_setpool_new(void);
void	cmm_setpool_free(struct cmm_setpool *p);
/* Before cmm_core_start: c keeps its peers' sets in p.  0, or -1 (no
 * memory, or c started): c keeps its own. */
int	cmm_core_share_sets(struct cmm_core *c, struct cmm_setpool *p);

/* A hint, not an input: a packet from `sender` comes soon.  stage 0
 * brings the core's own header into the cache, stage 1 (nearer; it reads
 * that header) the sender's peer entry.  The simulator, which hands one
 * datagram to hundreds of cores in a row, calls both a few copies ahead,
 * so those misses overlap with the work on the copies before. */
void	cmm_core_prefetch(const struct cmm_core *c, int sender, int stage);

/* A hash of everything the core's future behaviour depends on (not its
 * last log text): the simulator's explorer prunes states it has seen. */
uint64_t cmm_core_state_hash(const struct cmm_core *c, uint64_t h);

/* The persisted state the core last asked for (what is on "disk"). */
void	cmm_core_persisted(const struct cmm_core *c, struct cmm_persist *p);

#endif
