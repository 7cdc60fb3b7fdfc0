/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daemon: the driver that runs one protocol core (src/core/core.h) as a
 * real node.  It feeds the core packets from the UDP transport
 * (net/udp.h), monotonic time, operator answers and device results, and
 * turns the core's effects into sends, fsync'd state writes, device calls
 * on a worker thread, hook runs, prompts and events.
 *
 * Everything here runs on the daemon's libevent loop (one thread); the
 * functions below must be called from that loop only.  The daemon knows
 * nothing of the control plane: the entry point (src/node_main.c) puts a
 * control server (src/ctl/ctl_server.h) on it, which uses this API: the
 * snapshots for what commands show, the operator calls for what they
 * change, and the note listeners for what watchers stream.
 */
#ifndef CMM_DAEMON_H
#define CMM_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/wire.h"
#include "quorum/device.h"
#include "src/core/core.h"
#include "src/node/links.h"
#include "src/node/log.h"
#include "src/node/realtime.h"
#include "src/node/watchdog.h"

struct event_base;
struct cmm_config;
struct cmm_daemon;
struct cmm_hist_rec;

/* ---- life cycle (used by node_main.c) ---- */

struct cmm_daemon_opts {
	const char	*config_path;
	int		id;
	bool		headless;
	bool		use_syslog;
	bool		forget_state;	/* discard a corrupt state file */
	enum cmm_log_level log_level;	/* initial level [INFO] */
};

/* Loads config, key and state, binds the UDP socket, opens the devices
 * and creates the core, not yet started.  Returns NULL with a one-line
 * reason in err and the exit code in *exit_code (2: config/key/state
 * error, 1: anything else). */
struct cmm_daemon *cmm_daemon_new(const struct cmm_daemon_opts *o,
	    char *err, size_t errlen, int *exit_code);
/* The control socket's path for this node (from the config); the entry
 * point opens the control server there before cmm_daemon_start. */
const char *cmm_daemon_sock_path(const struct cmm_daemon *d);
/* Starts the core: a new incarnation, persisted, and the first timer.
 * 0, or -1 with a one-line reason in err (exit code 1). */
int	cmm_daemon_start(struct cmm_daemon *d, char *err, size_t errlen);
/* Runs the loop until SIGTERM/SIGINT (graceful leave, returns 0), a HALT
 * effect (returns CMM_EXIT_HALT) or a fatal error (returns 1). */
int	cmm_daemon_run(struct cmm_daemon *d);
void	cmm_daemon_free(struct cmm_daemon *d);

#define CMM_EXIT_HALT	3	/* on_quorum_loss = halt fired */

/* ---- what the control server needs of the daemon ---- */

struct event_base *cmm_daemon_base(struct cmm_daemon *d);
/* The configuration, fixed for the daemon's life. */
const struct cmm_config *cmm_daemon_config(const struct cmm_daemon *d);
const struct cmm_core_cfg *cmm_daemon_core_cfg(const struct cmm_daemon *d);
int	cmm_daemon_self(const struct cmm_daemon *d);
/* The epoch it knows, without a whole status (0 before the core exists). */
uint32_t cmm_daemon_epoch(const struct cmm_daemon *d);
/* The daemon's log: the control server logs refusals and disconnects. */
struct cmm_log *cmm_daemon_log(struct cmm_daemon *d);
/* Milliseconds on CLOCK_MONOTONIC, the clock the core is driven with. */
int64_t	cmm_daemon_now(struct cmm_daemon *d);

/* ---- snapshots: what the commands show, each taken by one call into a
 * struct the caller renders as text or JSON.  Pointers in them stay valid
 * until the daemon's loop runs again. ---- */

/* Dropped datagrams by counter.  SHORT..MALFORMED but VERSION count as
 * "malformed". */
struct cmm_drop_summary {
	uint64_t	malformed, foreign, auth, replay;
	uint64_t	misdirected, config, version;
	uint64_t	overflow;	/* the kernel's: receive buffer full */
	uint64_t	duplicate;	/* redundant links' copies (expected) */
};

/* `status`, `members`, `wait`, and the prompt a watcher sees first. */
struct cmm_status_snap {
	struct cmm_core_status	st;
	struct cmm_drop_summary	dropped;
	struct cmm_prompt	prompt;		/* kind CMM_PROMPT_NONE: none */
	const char	*cluster;	/* name, may be NULL */
	const uint8_t	*digest;	/* config digest, may be NULL */
	int64_t		now;		/* ms, the core's clock */
	bool		has_watchdog;	/* config `watchdog`: watchdog holds */
	struct cmm_wd_status	watchdog;
	struct cmm_rt_status	realtime;	/* what cmm_daemon_start got */
};
void	cmm_daemon_status(struct cmm_daemon *d, struct cmm_status_snap *s);

/* What the wire says of a peer: whether an authentic datagram for this
 * node came from it, whether the last one carried another config digest,
 * the protocol versions it speaks and (protocol 4) its config_version.
 * For this node itself: its own. */
struct cmm_peer_wire {
	bool		heard;
	bool		mismatch;
	unsigned	vmin, vmax;
	bool		has_config_version;
	uint32_t	config_version;
};

/* Heartbeat inter-arrival times from one peer over the last minute. */
struct cmm_hb_stats {
	int		n;		/* samples */
	int64_t		median_ms;
	int64_t		p90_ms;
	int64_t		p99_ms;
	int64_t		max_ms;
	uint64_t	total;		/* inter-arrivals since the start */
	int64_t		total_ms;	/* their sum */
};

enum cmm_link_dir {
	CMM_LINK_UP = 0,
	CMM_LINK_IN = 1,	/* drop what arrives from the peer */
	CMM_LINK_OUT = 2,	/* drop what goes to the peer */
	CMM_LINK_BOTH = 3,
};

/* `nodes`: one row per configured node, in id order. */
struct cmm_node_row {
	int		id;
	bool		self;
	const char	*addr;		/* "127.0.0.1:7400", or NULL */
	int		priority;
	bool		member;		/* of the committed cluster */
	struct cmm_peer_info peer;	/* what it says (self: this node) */
	int64_t		heard_ms;	/* ago; -1: never */
	enum cmm_link_dir link;		/* fault injection; self: UP */
	bool		has_hb;		/* hb holds two samples or more */
	struct cmm_hb_stats hb;
	struct cmm_peer_wire wire;
	/* redundant links (links.h): one per address; self: its own */
	int		n_links;
	struct {
		const char	*addr;
		struct cmm_link_stats st;	/* self: zero */
		enum cmm_link_dir cut;		/* fault injection */
	}		links[CMM_LINKS_MAX];
};
struct cmm_nodes_snap {
	int		self;
	int64_t		failure_timeout_ms;
	int		n;
	struct cmm_node_row *row;	/* malloc'd */
};
/* 0, or -1 when memory runs out.  Free with cmm_nodes_snap_free. */
int	cmm_daemon_nodes(struct cmm_daemon *d, struct cmm_nodes_snap *s);
void	cmm_nodes_snap_free(struct cmm_nodes_snap *s);

/* `round` */
struct cmm_round_snap {
	struct cmm_round_info ri;
	int64_t		now;
};
void	cmm_daemon_round(struct cmm_daemon *d, struct cmm_round_snap *s);

/* `quorum`: the last decision, if any */
struct cmm_quorum_snap {
	bool		have;
	struct cmm_qdecision q;
	const char	*device;	/* the decision's device, or NULL */
};
void	cmm_daemon_quorum(struct cmm_daemon *d, struct cmm_quorum_snap *s);

/* `devices`: each configured device and, where this node shares it, its
 * record as read now (one small locked read of a local file each). */
struct cmm_device_row {
	const char	*name, *path;	/* path "" for an arbiter's */
	const char	*arbiter;	/* HOST:PORT, or NULL for a file */
	struct cmm_set	nodes;
	bool		shared;		/* this node is among its nodes */
	bool		read_ok;	/* rec valid; else err says why */
	struct cmm_devrec rec;
	char		err[256];
};
struct cmm_devices_snap {
	int		n;
	struct cmm_device_row *row;	/* malloc'd */
};
/* 0, or -1 when memory runs out.  Free with cmm_devices_snap_free. */
int	cmm_daemon_devices(struct cmm_daemon *d, struct cmm_devices_snap *s);
void	cmm_devices_snap_free(struct cmm_devices_snap *s);

/* `metrics`: the transport's counters since the start. */
struct cmm_wire_stats {
	uint64_t	rx, tx, tx_errors;	/* datagrams */
	uint64_t	cut_in, cut_out;	/* dropped by fault injection */
	uint64_t	overflow;	/* dropped by the kernel: buffer full */
	uint64_t	drops[CMM_DROP__COUNT];	/* by reason (net/wire.h) */
	/* port-unreachables (fast_fail): for a configured node's address,
	 * for another */
	uint64_t	unreachable, unreachable_unknown;
};
void	cmm_daemon_wire_stats(struct cmm_daemon *d, struct cmm_wire_stats *s);
/* The event counters `metrics` shows (src/node/metrics.h), or NULL. */
struct cmm_metrics *cmm_daemon_metrics(struct cmm_daemon *d);

/* `history`: the last n records of the history file (state.h's
 * cmm_history_tail on this node's state dir). */
int	cmm_daemon_history_tail(struct cmm_daemon *d, int n,
	    struct cmm_hist_rec *recs, char *warn, size_t warnlen, char *err,
	    size_t errlen);

/* ---- operator actions: log the uid (SO_PEERCRED; -1: local), feed the
 * core with the current time and re-arm the timer.  0, or -1 with a
 * one-line reason in *why. ---- */

int	cmm_daemon_join(struct cmm_daemon *d, long uid, const char **why);
int	cmm_daemon_leave(struct cmm_daemon *d, long uid, const char **why);
int	cmm_daemon_reconfigure(struct cmm_daemon *d, long uid, const char **why);
int	cmm_daemon_answer_isolation(struct cmm_daemon *d, long uid,
	    bool isolated, const char **why);
int	cmm_daemon_answer_winner(struct cmm_daemon *d, long uid, int winner,
	    const char **why);
/* force-quorum: the operator declares the members `dead` dead (core.h);
 * audited: the log and the history get the uid; a refusal is logged. */
int	cmm_daemon_force_quorum(struct cmm_daemon *d, long uid,
	    const struct cmm_set *dead, const char **why);
/* Records an operator command the protocol does not see (log level,
 * link cut/heal) in the history, with the uid, so an audit sees every
 * change to the node.  A failure is logged, not returned. */
void	cmm_daemon_record(struct cmm_daemon *d, long uid, const char *what);
/* Call after feeding the core any other input from outside the daemon:
 * re-arms the timer at the core's next deadline. */
void	cmm_daemon_kick(struct cmm_daemon *d);

/* ---- fault injection (config fault_injection = on; -1 "fault injection
 * is off" otherwise).  The transport drops datagrams to/from the peer. ---- */

/* link: one redundant link (0..), -1 every link to the peer. */
int	cmm_daemon_link_cut(struct cmm_daemon *d, int peer, int link,
	    enum cmm_link_dir dir, const char **why);
/* peer -1: heal every link to every peer. */
int	cmm_daemon_link_heal(struct cmm_daemon *d, int peer, int link,
	    const char **why);

/* ---- logging ---- */

int	cmm_daemon_set_log_level(struct cmm_daemon *d, enum cmm_log_level level);
enum cmm_log_level cmm_daemon_log_level(const struct cmm_daemon *d);
/* cmm_log_level_parse() and cmm_log_level_name() are in log.h. */

/* ---- notifications: everything watchers and `wait` need ---- */

enum cmm_note_type {
	CMM_NOTE_EVENT = 1,	/* fx->u.event */
	CMM_NOTE_PROMPT,	/* fx->u.prompt (kind NONE: closed) */
	CMM_NOTE_LOG,		/* text, level: a line the daemon logged */
	CMM_NOTE_DROP,		/* drop, drop_sender, drop_count, text = the
				 * last one's source address */
	CMM_NOTE_HOOK,		/* text: "hook EVENT exited N in M ms" */
	CMM_NOTE_OPERATOR,	/* text: what an operator did, uid */
	CMM_NOTE_LINK,		/* link_peer, link, link_up; text: the
				 * peer's address on that link */
};

struct cmm_note {
	enum cmm_note_type type;
	int64_t		mono_ns;	/* CLOCK_MONOTONIC */
	int64_t		wall_ns;	/* CLOCK_REALTIME, ns since the epoch */
	uint32_t	epoch;		/* the node's, when the note was made */
	const struct cmm_effect *fx;	/* EVENT, PROMPT; else NULL */
	enum cmm_log_level level;	/* LOG */
	enum cmm_drop	drop;		/* DROP */
	int		drop_sender;	/* DROP: claimed sender, -1 unknown */
	uint64_t	drop_count;	/* DROP: datagrams it stands for (the
					 * reports are rate-limited) */
	long		uid;		/* OPERATOR */
	int		link_peer, link;	/* LINK */
	bool		link_up;	/* LINK */
	const char	*text;
};

typedef void (*cmm_note_fn)(void *ctx, const struct cmm_note *n);

/* Delivers the notes that wait now: a watcher's first line (the status)
 * must come after every note made before it, and only later ones after. */
void	cmm_daemon_notes_flush(struct cmm_daemon *d);

/* Registers a listener called, on the loop, for every note, in order,
 * once the burst of work that made it is over, within 10 ms
 * (src/node/noteq.h): the note carries the time and epoch of its making.  At most 8 listeners.  0, or
 * -1 when full. */
int	cmm_daemon_listen(struct cmm_daemon *d, cmm_note_fn fn, void *ctx);
void	cmm_daemon_unlisten(struct cmm_daemon *d, cmm_note_fn fn, void *ctx);

#endif
