/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core: the cmm membership protocol as a pure state machine (DESIGN §2,
 * patent FIG. 3-10).
 *
 * The core never reads a clock, a socket, a file or the terminal, and has
 * no source of randomness but the seed it is given.  Inputs are the
 * cmm_core_on_* calls, each carrying `now` (milliseconds on a monotonic
 * clock); outputs are effects handed to the caller's sink, in order.  The
 * daemon turns effects into I/O, the simulator into virtual-network events:
 * the same core runs in both.
 *
 * The one effect whose result the core needs at once is CMM_FX_PERSIST:
 * the sink must write it durably before returning 0 (persist before
 * announcing, persist a proposal before sending it).  Device operations are
 * asynchronous: their result comes back through cmm_core_on_device_result().
 */
#ifndef CMM_CORE_H
#define CMM_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../net/wire.h"
#include "../quorum/nodeset.h"
#include "../quorum/vote.h"

#define CMM_MAX_DEVICES	256
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
	int		n_devices;
	struct cmm_device_cfg devices[CMM_MAX_DEVICES];
	unsigned	bugs;	/* CMM_BUG_* planted bugs, simulator tests only */
};

/* More planted bugs (the vote ones are in quorum/vote.h). */
#define CMM_BUG_SKIP_FENCE	0x10	/* commit without fencing */
#define CMM_BUG_COMMIT_EARLY	0x20	/* announce a commit before persisting */
#define CMM_BUG_NO_RECOVERY	0x40	/* ignore reported proposals on retry */

/* Fills cfg with the DESIGN §4 defaults and no nodes. */
void	cmm_core_cfg_defaults(struct cmm_core_cfg *cfg);

/* What survives a crash: DESIGN §2 "state of one node" plus the last
 * proposal (proposal recovery). */
struct cmm_persist {
	uint32_t	epoch;		/* 0 = never committed */
	struct cmm_set	members;
	uint32_t	incarnation;
	uint32_t	prop_epoch;	/* last proposal (T, a, S); T = 0: none */
	uint32_t	prop_attempt;
	struct cmm_set	prop;
	/* this node left on purpose while at this epoch (0: never): the
	 * others may settle a two-node cluster by its LEAVE alone, so it must
	 * never race or be picked against that configuration */
	uint32_t	left_epoch;
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

enum cmm_dev_op { CMM_DEVOP_RESERVE = 1, CMM_DEVOP_FENCE, CMM_DEVOP_REGISTER };

struct cmm_devreq {
	uint32_t	id;		/* echo it in cmm_core_on_device_result */
	enum cmm_dev_op	op;
	int		device;		/* index into cfg->devices */
	int		node;		/* reserving / fencing / registering node */
	uint32_t	epoch;
	struct cmm_set	departed;	/* FENCE */
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
	CMM_EV_COMMIT = 1,
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
};

struct cmm_event {
	enum cmm_event_type type;
	uint32_t	epoch;
	uint32_t	round_epoch;
	uint32_t	round_attempt;
	int		peer;		/* FAILURE/ALIVE/JOIN/LEAVE, else -1 */
	enum cmm_state	state;		/* the new state */
	struct cmm_set	members;	/* COMMIT: new members */
	struct cmm_set	joined;		/* COMMIT: next \ P */
	struct cmm_set	departed;	/* COMMIT/FENCE: P \ next */
	const struct cmm_qdecision *decision;	/* COMMIT/QUORUM/NO_QUORUM */
	const char	*text;		/* one line for logs and consoles */
};

/* "commit", "round", "failure", ... (watch --json `type`, traces) */
const char *cmm_event_type_name(enum cmm_event_type t);

enum cmm_log_level { CMM_LOG_ERROR = 0, CMM_LOG_WARN, CMM_LOG_INFO, CMM_LOG_DEBUG };

struct cmm_effect {
	enum cmm_fx_type type;
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
/* Time passes; call at (or after) cmm_core_next_deadline(). */
void	cmm_core_on_tick(struct cmm_core *c, int64_t now);
/* The earliest time the core wants on_tick (always > the last now given). */
int64_t	cmm_core_next_deadline(const struct cmm_core *c);
void	cmm_core_on_device_result(struct cmm_core *c, int64_t now, uint32_t id,
	    bool ok);

/* Operator answers and commands.  Return 0, or -1 with a one-line reason. */
int	cmm_core_answer_isolation(struct cmm_core *c, int64_t now, bool isolated,
	    const char **why);
int	cmm_core_answer_winner(struct cmm_core *c, int64_t now, int winner,
	    const char **why);
int	cmm_core_join(struct cmm_core *c, int64_t now, const char **why);
int	cmm_core_leave(struct cmm_core *c, int64_t now, const char **why);
int	cmm_core_reconfigure(struct cmm_core *c, int64_t now, const char **why);

/* ---- introspection (for status, the console and the simulator) ---- */

enum cmm_phase { CMM_PHASE_NONE = 0, CMM_PHASE_PRESENCE, CMM_PHASE_PROPOSE,
	CMM_PHASE_QUORUM, CMM_PHASE_FENCE, CMM_PHASE_BACKOFF, CMM_PHASE_DONE };
const char *cmm_phase_name(enum cmm_phase p);

struct cmm_core_status {
	int		node;
	enum cmm_state	state;
	bool		member;		/* member of `members` right now */
	uint32_t	epoch;		/* last committed */
	struct cmm_set	members;	/* last committed */
	int		crown_prince;	/* of members, -1 if not a member */
	uint32_t	incarnation;
	struct cmm_set	alive;		/* peers the detector holds alive, + self */
	enum cmm_prompt_kind prompt;
	int		prompt_choice[2];
	int64_t		prompt_deadline;
	int64_t		last_commit_time;	/* -1: none since start */
};
void	cmm_core_status(const struct cmm_core *c, struct cmm_core_status *st);

struct cmm_round_info {
	bool		active;		/* a round runs now (else: the last one) */
	uint32_t	epoch, attempt;	/* round id (T, a); 0/0: never */
	enum cmm_phase	phase;
	int64_t		deadline;	/* phase timeout */
	uint32_t	prev_epoch;
	struct cmm_set	prev;		/* P */
	struct cmm_set	expected;	/* alive peers + self at phase 1 */
	struct cmm_set	presence;	/* PRESENCE arrived (self included) */
	struct cmm_set	proposed;	/* PROPOSE arrived (self included) */
	struct cmm_set	next;		/* what this node proposed */
	struct cmm_set	differ;		/* proposers whose vector differed */
	const char	*outcome;	/* last result, one line, or "" */
};
void	cmm_core_round(const struct cmm_core *c, struct cmm_round_info *ri);
/* The vector node `id` proposed in the current/last round; false if none. */
bool	cmm_core_round_proposal(const struct cmm_core *c, int id, struct cmm_set *out);

/* The last quorum decision; false if none yet. */
bool	cmm_core_last_decision(const struct cmm_core *c, struct cmm_qdecision *d);

struct cmm_peer_info {
	bool		alive;
	int64_t		last_heard;	/* -1: never */
	uint32_t	incarnation;
	uint32_t	epoch;		/* as reported in its last message */
	bool		member;		/* its member flag */
};
void	cmm_core_peer(const struct cmm_core *c, int id, struct cmm_peer_info *pi);

/* The persisted state the core last asked for (what is on "disk"). */
void	cmm_core_persisted(const struct cmm_core *c, struct cmm_persist *p);

#endif
