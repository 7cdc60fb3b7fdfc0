/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daemon: the driver that runs one protocol core (src/core.h) as a real
 * node (issue 3).  It feeds the core packets from the UDP transport
 * (net/udp.h), monotonic time, operator answers and device results, and
 * turns the core's effects into sends, fsync'd state writes, device calls
 * on a worker thread, hook runs, prompts and events.
 *
 * Everything here runs on the daemon's libevent loop (one thread); the
 * functions below must be called from that loop only.  The control server
 * (src/ctl_server.h) uses this API and nothing else of the daemon.
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
#include "src/node/log.h"

struct event_base;
struct cmm_config;
struct cmm_daemon;

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

/* ---- accessors for the control server ---- */

struct event_base *cmm_daemon_base(struct cmm_daemon *d);
struct cmm_core *cmm_daemon_core(struct cmm_daemon *d);
const struct cmm_config *cmm_daemon_config(const struct cmm_daemon *d);
const struct cmm_core_cfg *cmm_daemon_core_cfg(const struct cmm_daemon *d);
int	cmm_daemon_self(const struct cmm_daemon *d);
const char *cmm_daemon_state_dir(const struct cmm_daemon *d);
/* The daemon's log: the control server logs refusals and disconnects. */
struct cmm_log *cmm_daemon_log(struct cmm_daemon *d);
/* Milliseconds on CLOCK_MONOTONIC, the clock the core is driven with. */
int64_t	cmm_daemon_now(struct cmm_daemon *d);

/* Dropped datagrams by reason (index enum cmm_drop; CMM_DROP_NONE unused).
 * status --json groups SHORT..MALFORMED but VERSION as "malformed". */
void	cmm_daemon_drops(const struct cmm_daemon *d,
	    uint64_t counts[CMM_DROP__COUNT]);
/* Convenience: the status counters. */
struct cmm_drop_summary {
	uint64_t	malformed, foreign, auth, replay;
	uint64_t	misdirected, config, version;
	uint64_t	overflow;	/* the kernel's: receive buffer full */
};
void	cmm_daemon_drop_summary(const struct cmm_daemon *d,
	    struct cmm_drop_summary *s);

/* What the wire says of a peer: whether an authentic datagram for this
 * node came from it, whether the last one carried another config digest,
 * the protocol versions it speaks and (protocol 4) its config_version.
 * For this node itself: its own.  false when never heard. */
struct cmm_peer_wire {
	bool		heard;
	bool		mismatch;
	unsigned	vmin, vmax;
	bool		has_config_version;
	uint32_t	config_version;
};
bool	cmm_daemon_peer_wire(const struct cmm_daemon *d, int peer,
	    struct cmm_peer_wire *out);

/* The open prompt (kind CMM_PROMPT_NONE when none); its `why` stays valid
 * until the prompt changes. */
void	cmm_daemon_prompt(const struct cmm_daemon *d, struct cmm_prompt *out);

/* Heartbeat inter-arrival times from one peer over the last minute.
 * false (and n = 0) when fewer than two packets arrived. */
struct cmm_hb_stats {
	int		n;		/* samples */
	int64_t		median_ms;
	int64_t		p99_ms;
	int64_t		max_ms;
};
bool	cmm_daemon_hb_stats(const struct cmm_daemon *d, int peer,
	    struct cmm_hb_stats *out);

/* The peer's configured address as text ("127.0.0.1:7400"), or NULL. */
const char *cmm_daemon_peer_addr(const struct cmm_daemon *d, int peer);

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
/* Call after feeding the core any other input from outside the daemon:
 * re-arms the timer at the core's next deadline. */
void	cmm_daemon_kick(struct cmm_daemon *d);

/* ---- fault injection (config fault_injection = on; -1 "fault injection
 * is off" otherwise).  The transport drops datagrams to/from the peer. ---- */

enum cmm_link_dir {
	CMM_LINK_UP = 0,
	CMM_LINK_IN = 1,	/* drop what arrives from the peer */
	CMM_LINK_OUT = 2,	/* drop what goes to the peer */
	CMM_LINK_BOTH = 3,
};
int	cmm_daemon_link_cut(struct cmm_daemon *d, int peer, enum cmm_link_dir dir,
	    const char **why);
/* peer -1: heal every link. */
int	cmm_daemon_link_heal(struct cmm_daemon *d, int peer, const char **why);
enum cmm_link_dir cmm_daemon_link_state(const struct cmm_daemon *d, int peer);

/* ---- logging ---- */

int	cmm_daemon_set_log_level(struct cmm_daemon *d, enum cmm_log_level level);
enum cmm_log_level cmm_daemon_log_level(const struct cmm_daemon *d);
/* cmm_log_level_parse() and cmm_log_level_name() are in log.h. */

/* ---- devices ---- */

/* Reads device idx (index into the core cfg's devices) synchronously: one
 * small locked read of a local file.  0, or -1 with a reason in err. */
int	cmm_daemon_read_device(struct cmm_daemon *d, int idx,
	    struct cmm_devrec *out, char *err, size_t errlen);
/* true when this node shares device idx (it is among its nodes). */
bool	cmm_daemon_has_device(const struct cmm_daemon *d, int idx);

/* ---- notifications: everything watchers and `wait` need ---- */

enum cmm_note_type {
	CMM_NOTE_EVENT = 1,	/* fx->u.event */
	CMM_NOTE_PROMPT,	/* fx->u.prompt (kind NONE: closed) */
	CMM_NOTE_LOG,		/* text, level: a line the daemon logged */
	CMM_NOTE_DROP,		/* drop, drop_sender, drop_count, text = the
				 * last one's source address */
	CMM_NOTE_HOOK,		/* text: "hook EVENT exited N in M ms" */
	CMM_NOTE_OPERATOR,	/* text: what an operator did, uid */
};

struct cmm_note {
	enum cmm_note_type type;
	int64_t		mono_ns;	/* CLOCK_MONOTONIC */
	int64_t		wall_ns;	/* CLOCK_REALTIME, ns since the epoch */
	const struct cmm_effect *fx;	/* EVENT, PROMPT; else NULL */
	enum cmm_log_level level;	/* LOG */
	enum cmm_drop	drop;		/* DROP */
	int		drop_sender;	/* DROP: claimed sender, -1 unknown */
	uint64_t	drop_count;	/* DROP: datagrams it stands for (the
					 * reports are rate-limited) */
	long		uid;		/* OPERATOR */
	const char	*text;
};

typedef void (*cmm_note_fn)(void *ctx, const struct cmm_note *n);

/* Registers a listener called, on the loop, for every note, in order.
 * At most 8 listeners.  0, or -1 when full. */
int	cmm_daemon_listen(struct cmm_daemon *d, cmm_note_fn fn, void *ctx);
void	cmm_daemon_unlisten(struct cmm_daemon *d, cmm_note_fn fn, void *ctx);

#endif
