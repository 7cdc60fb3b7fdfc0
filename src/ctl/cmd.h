/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd: the one command language (docs/ARCHITECTURE.md, "One command
 * language"; the commands are in cmm(1)).  The console, `cmm ctl`, script
 * files, the control socket and the demo's stdin all run commands through
 * here: lookup by unique prefix of each word, argument count checked
 * before the handler runs, `help` and `list-commands` generated from the
 * tables.  The node's table is cmm_cmd_table (src/ctl/cmd.c); a program
 * with commands of its own (`cmm demo`) passes its table beside it in
 * ctx->tables.  Adding a node command is adding one row and its handler
 * (src/ctl/cmd_*.c).
 *
 * Handlers do no I/O of their own: they read the node through the
 * snapshots of src/node/daemon.h (one call fills one struct), act through
 * its operator calls, and write their reply into the context, as text or
 * as one JSON object (jansson).  `wait` and `watch` only describe what
 * they want (ctx->wait, ctx->watch); the control server carries it out.
 */
#ifndef CMM_CMD_H
#define CMM_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "quorum/nodeset.h"
#include "src/core/core.h"
#include "src/node/daemon.h"

/* The version of the JSON contract (docs/api/README.md): every JSON reply
 * and watch line carries "api": CMM_API_VERSION, raised on any change a
 * reader written for the old one could trip over (a field removed,
 * renamed or retyped, a value's meaning changed).  New fields and new
 * reply or event types do not raise it. */
#define CMM_API_VERSION		1

/* What `cmm ctl` exits with when a `status` reply says the node is not a
 * quorate member (for monitoring; the reply itself is a success). */
#define CMM_EXIT_NOT_QUORATE	3

#define CMM_CMD_ERROR_MAX	512	/* an error message, NUL included */

/* Row flags. */
#define CMM_CMDF_MUTATES	0x01	/* changes the node: caller's uid logged */
#define CMM_CMDF_ANSWER		0x02	/* answers a prompt: uid logged */
#define CMM_CMDF_FAULT		0x04	/* only with fault_injection = on */
#define CMM_CMDF_DEMO		0x08	/* a row of `cmm demo`'s own table (help
					 * shows it as the "demo" flag) */

/* What a handler returns. */
enum cmm_cmd_ret {
	CMM_CMD_OK = 0,
	CMM_CMD_ERROR,		/* ctx error message set */
	CMM_CMD_WAIT,		/* ctx->wait set: reply when it holds */
	CMM_CMD_WATCH,		/* reply ok now, then stream events */
	CMM_CMD_QUIT,		/* demo: stop */
};

enum cmm_wait_kind { CMM_WAIT_STATE = 1, CMM_WAIT_MEMBERS };

struct cmm_wait {
	enum cmm_wait_kind kind;
	enum cmm_state	state;		/* STATE */
	struct cmm_set	members;	/* MEMBERS */
	int		seconds;	/* 0: no time limit */
};

struct cmm_cmd_ctx {
	/* in */
	struct cmm_daemon *daemon;	/* NULL where no node runs (demo, tests) */
	/* the tables searched, NULL-ended, at most CMM_CMD_TABLES_MAX;
	 * NULL: the node's alone */
	const struct cmm_cmd_entry *const *tables;
	void		*env;		/* the state of an extra table's rows */
	bool		json;		/* reply with one JSON object */
	long		uid;		/* of the peer (SO_PEERCRED), -1: local */
	unsigned	allow;		/* which of FAULT / DEMO rows exist here */
	/* out */
	char		*text;		/* reply body, malloc'd */
	size_t		text_len, text_cap;
	json_t		*obj;		/* JSON reply (owned) */
	char		error[CMM_CMD_ERROR_MAX];
	int		exit_hint;	/* CMM_CMD_OK: what `cmm ctl` should
					 * exit with (0, CMM_EXIT_NOT_QUORATE) */
	struct cmm_wait	wait;		/* CMM_CMD_WAIT */
	bool		watch_json;	/* CMM_CMD_WATCH */
	const struct cmm_cmd_entry *entry;	/* the row that ran */
};

typedef enum cmm_cmd_ret (*cmm_cmd_fn)(struct cmm_cmd_ctx *ctx, int argc,
	    char **argv);
/* Declares or defines a handler. */
#define CMM_CMD_FN(f) \
	enum cmm_cmd_ret f(struct cmm_cmd_ctx *ctx, int argc, char **argv)

struct cmm_cmd_entry {
	const char	*name;		/* one or two words: "status", "link cut" */
	const char	*args;		/* synopsis of the arguments, "" if none */
	int		min_args, max_args;
	unsigned	flags;
	const char	*help;		/* one line */
	cmm_cmd_fn	exec;
};

/* The node's table, sorted by name, terminated by a row with name NULL. */
extern const struct cmm_cmd_entry cmm_cmd_table[];

/* Walks a set of sorted tables (NULL: the node's) as one, in name order. */
#define CMM_CMD_TABLES_MAX	4
struct cmm_cmd_iter {
	const struct cmm_cmd_entry *pos[CMM_CMD_TABLES_MAX];
	int		n;
};
void	cmm_cmd_iter_init(struct cmm_cmd_iter *it,
	    const struct cmm_cmd_entry *const *tables);
/* The next row, NULL at the end. */
const struct cmm_cmd_entry *cmm_cmd_iter_next(struct cmm_cmd_iter *it);

/* Sets up a context (zeroes it); ctx_free releases its reply. */
void	cmm_cmd_ctx_init(struct cmm_cmd_ctx *ctx, struct cmm_daemon *d,
	    unsigned allow, bool json, long uid);
void	cmm_cmd_ctx_free(struct cmm_cmd_ctx *ctx);

/*
 * Finds the row of tables (NULL: the node's) named by the leading words of
 * argv (each word may be a unique prefix; an exact word wins over longer
 * names).  Rows with the FAULT flag when `allow` lacks it do not exist.
 * Sets *consumed to the number of words of the name.  NULL with one line
 * in err: "unknown command 'foo' (try 'help')", "ambiguous command 'wa':
 * wait, watch", ...
 */
const struct cmm_cmd_entry *cmm_cmd_find(
	    const struct cmm_cmd_entry *const *tables, int argc,
	    char *const *argv, unsigned allow, int *consumed, char *err,
	    size_t errlen);

/* Looks up in ctx->tables, checks the argument count and runs the
 * handler.  argc == 0 is an empty request (CMM_CMD_OK, nothing written). */
enum cmm_cmd_ret cmm_cmd_run(struct cmm_cmd_ctx *ctx, int argc, char **argv);

/* Reply helpers for handlers. */
void	cmm_cmd_printf(struct cmm_cmd_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
enum cmm_cmd_ret cmm_cmd_fail(struct cmm_cmd_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Takes ownership of obj. */
void	cmm_cmd_set_json(struct cmm_cmd_ctx *ctx, json_t *obj);

/* The reply body as it goes on the wire: in JSON mode one compact object
 * {"api":1,"ok":true,...} (the handler's fields after those two; text, if
 * any, under "text"), else the text.  malloc'd, NULL when memory runs
 * out. */
char	*cmm_cmd_reply_body(const struct cmm_cmd_ctx *ctx);
/* A failed request's JSON body: {"api":1,"ok":false,"error":msg}, compact,
 * malloc'd (NULL when memory runs out). */
char	*cmm_cmd_error_body(const char *msg);
/* A new object holding "api" and, if ok_field, "ok": ok, then every field
 * of o in its order; takes o (may be NULL).  NULL when memory runs out. */
json_t	*cmm_api_wrap(json_t *o, bool ok_field, bool ok);

/* ---- pieces shared with the control server, the console and tests ---- */

/* A node set as a JSON array of ids (text uses cmm_set_format). */
json_t	*cmm_set_json(const struct cmm_set *s);

/* `status` from its snapshot (src/node/daemon.h), so tests build it
 * without a daemon. */
/* true when the node is a member of a committed cluster that kept quorum */
bool	cmm_status_quorum(const struct cmm_core_status *st);
json_t	*cmm_status_json(const struct cmm_status_snap *s);
void	cmm_status_text(struct cmm_cmd_ctx *ctx, const struct cmm_status_snap *s);

/* `wait`: true when w holds for d; desc gets "state is member" or
 * "members are 0,1,2 (epoch 7)" either way. */
bool	cmm_wait_holds(struct cmm_daemon *d, const struct cmm_wait *w,
	    char *desc, size_t len);

/* One daemon note as a `watch` line: JSON (NULL for notes not streamed)
 * or text (returns -1 for notes not streamed).  node is this node; cfg
 * (may be NULL) names devices.  The JSON line's "seq" is null here: each
 * watcher numbers its own stream (src/ctl/ctl_server.c). */
json_t	*cmm_note_json(const struct cmm_note *n, int node, uint32_t epoch);
json_t	*cmm_note_json_cfg(const struct cmm_note *n, int node, uint32_t epoch,
	    const struct cmm_core_cfg *cfg);
int	cmm_note_text(const struct cmm_note *n, int node, uint32_t epoch,
	    char *buf, size_t len);
/* The first line of a watch stream: the status, seq 0.  Times are the
 * snapshot's (CLOCK_MONOTONIC and CLOCK_REALTIME, ns). */
json_t	*cmm_snapshot_json(const struct cmm_status_snap *s, int64_t mono_ns,
	    int64_t wall_ns);
void	cmm_snapshot_text(const struct cmm_status_snap *s, int64_t wall_ns,
	    char *buf, size_t len);
/* A gap in a stream: what a watcher tells its reader when `seq` skipped
 * (events lost because it read too slowly). */
json_t	*cmm_lost_json(int node, uint32_t epoch, uint64_t first_seq,
	    uint64_t count, int64_t mono_ns, int64_t wall_ns);
/* The "type"s of watch lines that are not the core's events (those are
 * cmm_event_type_name's), NULL-ended.  docs/api/event/ holds a schema for
 * each of both; `list-commands --json` lists them all as "events", which
 * is where tests/mp/api_schema.sh learns what it must see. */
extern const char *const cmm_watch_note_types[];

/* A quorum decision as JSON: the rule that fired (method), the verdict,
 * the numbers, and the device by name: device if given, else the one of
 * cfg the decision names (cfg may be NULL), else null. */
json_t	*cmm_decision_json(const struct cmm_qdecision *q,
	    const struct cmm_core_cfg *cfg, const char *device);
/* What a round's one-line outcome or step says, as a word: "chosen",
 * "no-change", "failed", ... or "other" (docs/api/event/round.json). */
const char *cmm_round_step_kind(const char *what);

/* The one JSON encoder of a prompt: the `?` line's payload (kind NONE:
 * closed), status's "prompt" and a watch line's prompt fields.  now is on
 * the core's clock, for deadline_ms. */
json_t	*cmm_prompt_json(const struct cmm_prompt *p, int64_t now);

#endif
