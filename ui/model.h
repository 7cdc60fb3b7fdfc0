/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * model: what the console knows about the node it is attached to, filled
 * from the `--json` replies and `watch --json` events of the control
 * protocol (src/ctl/ctl_proto.h).  Pure: no terminal, no libevent, no clock
 * of its own (callers pass `now` in milliseconds), so it is unit-tested
 * without a terminal.  The console never reaches into the daemon: every
 * field here came over the protocol.
 */
#ifndef CMM_UI_MODEL_H
#define CMM_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMM_UI_MAX_ID		1024	/* node ids are 0..1023 (CMM_MAX_NODES) */
#define CMM_UI_LOG_MAX		1000	/* event log lines kept */
#define CMM_UI_HIST_MAX		64	/* committed configurations kept */
#define CMM_UI_FENCE_MAX	16	/* fences in force, for the quorum pane */
#define CMM_UI_HILITE_MS	5000	/* changed cells stay highlighted */
#define CMM_UI_SUGGEST_TIMEOUTS	5	/* failure timeouts without quorum
					 * before force-quorum is offered */
#define CMM_UI_NO_LIMIT_MS	((int64_t)86400000)	/* a deadline further
					 * off than a day means none */

/* A set of node ids, as the console sees them. */
struct cmm_ui_set {
	uint64_t	w[CMM_UI_MAX_ID / 64];
};

void	cmm_ui_set_clear(struct cmm_ui_set *s);
void	cmm_ui_set_add(struct cmm_ui_set *s, int id);
bool	cmm_ui_set_has(const struct cmm_ui_set *s, int id);
int	cmm_ui_set_count(const struct cmm_ui_set *s);
bool	cmm_ui_set_eq(const struct cmm_ui_set *a, const struct cmm_ui_set *b);
/* "0-4,7" ("-" when empty); returns like snprintf. */
int	cmm_ui_set_format(const struct cmm_ui_set *s, char *buf, size_t len);

struct cmm_ui_status {
	bool		valid;
	int		node;
	char		cluster[64];
	char		state[24];
	uint32_t	epoch;
	struct cmm_ui_set members, alive;
	int		crown_prince;		/* -1: none */
	bool		quorum;
	bool		quorum_pending;		/* an operator's answer decides */
	char		suggest[240];		/* the way out the node offers
						 * (force-quorum), "" none */
	int64_t		quorumless_ms;		/* as the node says; -1 */
	bool		offer_known;		/* the node says which force-
						 * quorum it would accept */
	int64_t		since_commit_ms;	/* -1: never committed */
	int64_t		fetched;		/* console clock, ms */
	uint64_t	dropped[4];		/* malformed, foreign, auth, replay */
};

struct cmm_ui_node {
	int		id;
	bool		self, member, says_member, alive;
	bool		suspect;		/* probes out (fast_fail) */
	int		priority;
	int64_t		heard_ms;		/* -1: never */
	uint32_t	epoch;
	char		link[12];		/* up, cut-in, cut-out, cut, self */
	char		address[64];
	bool		has_hb;			/* heartbeat statistics known */
	int		hb_n;
	int64_t		hb_median, hb_p99, hb_max;
	bool		fenced;			/* fenced, not yet back */
	bool		config_mismatch;	/* its config digest is not ours */
	int		n_links, links_up;	/* redundant links (a peer) */
	int64_t		changed_at;		/* console clock, ms; -1: never */
};

struct cmm_ui_round_row {
	int		id;
	bool		expected, presence, proposed, differs, has_proposal;
	struct cmm_ui_set proposal;
};

struct cmm_ui_round {
	bool		valid, active;
	uint32_t	epoch, attempt, prev_epoch;
	char		phase[16];
	int64_t		left_ms;		/* -1: no deadline */
	struct cmm_ui_set prev, expected, next, differ;
	char		outcome[160];
	int		nrows;
	struct cmm_ui_round_row *rows;		/* nrows, malloc'd */
	int64_t		fetched;
};

struct cmm_ui_quorum {
	bool		valid;			/* a decision was made */
	char		method[16];		/* vote, race, operator, initial */
	char		verdict[16];
	int		votes, prev_size;
	int		crown_prince;		/* -1: none */
	bool		crown_prince_present;
	char		device[64];		/* "" when none */
	int		choices[2];		/* ask-winner; -1 otherwise */
	char		explain[256];
};

struct cmm_ui_device {
	char		name[64];
	struct cmm_ui_set nodes, registered;
	bool		shared, has_record;
	int		holder;			/* -1: not reserved */
	uint32_t	epoch;
	uint32_t	committed_epoch;	/* 0: none known */
	struct cmm_ui_set fenced_ids;		/* a fence removed them once */
	char		error[128];
};

/* A fence: at a commit, the members sharing a device with a departed
 * node took its registration away (docs/PROTOCOL.md "Quorum devices and
 * fencing").  Known from the committed configurations in the history
 * and the devices' nodes, so also those from before the console came;
 * gone once the node is a member again (it registers anew). */
struct cmm_ui_fence {
	uint32_t	epoch;
	int		whom;
	struct cmm_ui_set by;			/* empty: no device shared */
	char		device[64];		/* "" when none */
};

/* What one node says of itself in its last datagram (`cluster`). */
struct cmm_ui_says {
	int		id;
	bool		self, alive;
	int64_t		heard_ms;		/* -1: never */
	bool		known;			/* heard: the rest holds */
	char		state[16];		/* member, outside, leaving,
						 * amnesiac */
	uint32_t	epoch;
	struct cmm_ui_set members;
	bool		has_sees;
	struct cmm_ui_set sees;			/* whom it holds alive */
	char		config[12];		/* match, mismatch, "" unknown */
};

struct cmm_ui_hist {
	char		kind[16];
	uint32_t	epoch;
	struct cmm_ui_set members;
	char		time[32];
	char		reason[128];
};

/* Event log entry kinds, for the filter. */
enum cmm_ui_logkind {
	CMM_UI_LK_MEMBERSHIP = 0,	/* commit, join, leave, failure, alive */
	CMM_UI_LK_ROUND,		/* round, quorum, state, fence, no-quorum */
	CMM_UI_LK_PROMPT,		/* prompt, answer, operator */
	CMM_UI_LK_TROUBLE,		/* drop, log, hook; the filter adds
					 * errors, failures, fences, split brain */
	CMM_UI_LK_COMMAND,		/* what was typed and its reply */
	CMM_UI_LK__COUNT
};

/* The filter: all, or one kind. */
#define CMM_UI_FILTER_ALL	CMM_UI_LK__COUNT

struct cmm_ui_logline {
	enum cmm_ui_logkind kind;
	bool		error;			/* shown in the error role */
	bool		trouble;		/* the trouble filter shows it too */
	char		time[16];		/* HH:MM:SS (UTC, as the node says) */
	char		text[240];
};

struct cmm_ui_prompt {
	bool		open;
	char		kind[16];		/* isolation, winner */
	int		choices[2];		/* winner */
	char		why[256];
	int64_t		deadline;		/* console clock, ms; -1: none */
	uint32_t	round_epoch, round_attempt;
};

struct cmm_ui_model {
	struct cmm_ui_status	status;
	int			failure_timeout_ms;
	int			nnodes;
	struct cmm_ui_node	*nodes;		/* configured nodes, by id */
	struct cmm_ui_round	round;
	struct cmm_ui_quorum	quorum;
	int			ndevices;
	struct cmm_ui_device	*devices;
	int			nhist;
	struct cmm_ui_hist	hist[CMM_UI_HIST_MAX];
	struct cmm_ui_prompt	prompt;
	struct cmm_ui_fence	fences[CMM_UI_FENCE_MAX];
	int			nfences;
	/* the last round and decision that changed the membership, kept
	 * when a later round changes nothing; that one is a note */
	struct cmm_ui_round	decided;
	struct cmm_ui_quorum	decided_q;
	char			round_note[160];
	bool			label_nodes;	/* event lines name their node */
	int64_t			quorumless_seen;	/* console clock: first
					 * status without quorum; -1 */
	struct cmm_ui_says	*says;		/* the cluster view's rows */
	int			nsays;
	/* the log: a ring */
	struct cmm_ui_logline	*log;
	int			log_head, log_len;
	/* commands from list-commands, for completion and `help` */
	int			ncmds;
	char			(*cmds)[48];
	char			(*cmd_args)[48];
	int64_t			last_change;	/* console clock of the last commit */
	char			alarm[200];	/* the last split-brain alarm, "" none */
};

void	cmm_ui_model_init(struct cmm_ui_model *m);
void	cmm_ui_model_free(struct cmm_ui_model *m);
/* Forgets everything the node told (switching to another node). */
void	cmm_ui_model_reset(struct cmm_ui_model *m);

/*
 * Each takes one JSON reply body (one line) and returns 0, or -1 with a
 * one-line reason in err (not JSON, or a field missing or of the wrong
 * type; the model is left as it was).  now is the console clock in ms.
 */
int	cmm_ui_model_status(struct cmm_ui_model *m, const char *json, int64_t now,
	    char *err, size_t errlen);
int	cmm_ui_model_nodes(struct cmm_ui_model *m, const char *json, int64_t now,
	    char *err, size_t errlen);
int	cmm_ui_model_round(struct cmm_ui_model *m, const char *json, int64_t now,
	    char *err, size_t errlen);
int	cmm_ui_model_quorum(struct cmm_ui_model *m, const char *json,
	    char *err, size_t errlen);
/* The `cluster` reply: what every node says of itself. */
int	cmm_ui_model_cluster(struct cmm_ui_model *m, const char *json,
	    char *err, size_t errlen);
int	cmm_ui_model_devices(struct cmm_ui_model *m, const char *json,
	    char *err, size_t errlen);
int	cmm_ui_model_history(struct cmm_ui_model *m, const char *json,
	    char *err, size_t errlen);
int	cmm_ui_model_commands(struct cmm_ui_model *m, const char *json,
	    char *err, size_t errlen);
/* A `?` line. */
int	cmm_ui_model_prompt(struct cmm_ui_model *m, const char *json, int64_t now,
	    char *err, size_t errlen);

/* What an event changes, so the console knows what to fetch again. */
#define CMM_UI_EV_STATUS	0x01
#define CMM_UI_EV_ROUND		0x02
#define CMM_UI_EV_QUORUM	0x04
#define CMM_UI_EV_NODES		0x08
#define CMM_UI_EV_DEVICES	0x10
#define CMM_UI_EV_HISTORY	0x20
/* A `!` line from `watch --json`: logged (a line the model cannot read is
 * logged as it came); returns what to fetch again (CMM_UI_EV_*). */
unsigned cmm_ui_model_event(struct cmm_ui_model *m, const char *json,
	    int64_t now);

/* Appends a line to the log (text is cut to fit; control characters
 * become '?').  time NULL: no time column. */
void	cmm_ui_model_log(struct cmm_ui_model *m, enum cmm_ui_logkind kind,
	    bool error, const char *time, const char *text);
/* The i-th line (0 = oldest) among those the filter lets through, or
 * NULL; *count gets how many it lets through. */
const struct cmm_ui_logline *cmm_ui_model_logline(const struct cmm_ui_model *m,
	    int filter, int i, int *count);
const char *cmm_ui_logkind_name(int filter);

/* Node lookup by id: NULL when not configured (or not yet known). */
const struct cmm_ui_node *cmm_ui_model_node(const struct cmm_ui_model *m,
	    int id);

#endif
