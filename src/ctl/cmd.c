/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd: the command table, lookup by unique prefix, argument checks and the
 * reply buffer (see the header). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"
#include "src/ctl/cmd_metrics.h"

#define M	CMM_CMDF_MUTATES
#define A	CMM_CMDF_ANSWER
#define F	CMM_CMDF_FAULT

/* The node's commands (the command language of the man page cmm(1),
 * "COMMANDS").  Keep the rows sorted by name: the lookup's messages and
 * `help` list them in this order. */
const struct cmm_cmd_entry cmm_cmd_table[] = {
	{ "answer isolated", "", 0, 0, A,
	    "answer the isolation prompt: this node is cut off, stay out",
	    cmm_cmd_answer_isolated },
	{ "answer not-isolated", "", 0, 0, A,
	    "answer the isolation prompt: the others are gone, form a cluster",
	    cmm_cmd_answer_not_isolated },
	{ "answer winner", "N", 1, 1, A,
	    "answer the winner prompt: node N keeps the cluster",
	    cmm_cmd_answer_winner },
	{ "cluster", "", 0, 0, 0,
	    "what every node says of itself: state, epoch, members, whom it "
	    "sees, config", cmm_cmd_cluster },
	{ "config", "", 0, 0, 0,
	    "the effective configuration and its config digest",
	    cmm_cmd_config },
	{ "devices", "", 0, 0, 0,
	    "quorum devices: who shares them, registrations, reservation",
	    cmm_cmd_devices },
	{ "force-quorum", "dead LIST confirm", 3, 3, M,
	    "declare the unheard members dead and take quorum without them",
	    cmm_cmd_force_quorum },
	{ "help", "[COMMAND]", 0, 2, 0,
	    "list the commands, or describe one", cmm_cmd_help },
	{ "history", "[N]", 0, 1, 0,
	    "the last N committed configurations [10]", cmm_cmd_history },
	{ "join", "", 0, 0, M,
	    "petition to join the cluster now", cmm_cmd_join },
	{ "leave", "", 0, 0, M,
	    "leave the cluster on purpose", cmm_cmd_leave },
	{ "link cut", "N[/LINK] [in|out]", 1, 2, M | F,
	    "drop datagrams from and/or to node N, on one link or all "
	    "(fault injection)",
	    cmm_cmd_link_cut },
	{ "link heal", "[N[/LINK]]", 0, 1, M | F,
	    "restore the link to node N, or every link", cmm_cmd_link_heal },
	{ "list-commands", "", 0, 0, 0,
	    "every command, one a line: name, arguments, help (completion)",
	    cmm_cmd_list_commands },
	{ "log level", "[error|warn|info|debug]", 0, 1, M,
	    "show or set the log level", cmm_cmd_log_level },
	{ "members", "", 0, 0, 0,
	    "the committed members and their epoch", cmm_cmd_members },
	{ "metrics", "", 0, 0, 0,
	    "counters and gauges in the Prometheus text format",
	    cmm_cmd_metrics },
	{ "nodes", "", 0, 0, 0,
	    "every configured node: alive, last heard, incarnation, link",
	    cmm_cmd_nodes },
	{ "quorum", "", 0, 0, 0,
	    "the last quorum decision and why, as numbers", cmm_cmd_quorum },
	{ "reconfigure", "", 0, 0, M,
	    "start a reconfiguration round now", cmm_cmd_reconfigure },
	{ "round", "", 0, 0, 0,
	    "the current or last round: phase, PROMISE and ACCEPTED per node",
	    cmm_cmd_round },
	{ "status", "", 0, 0, 0,
	    "this node: state, epoch, members, quorum, prompt, drops",
	    cmm_cmd_status },
	{ "wait members", "LIST [SECONDS]", 1, 2, 0,
	    "wait until the committed members are exactly LIST (0-2,5)",
	    cmm_cmd_wait_members },
	{ "wait state", "STATE [SECONDS]", 1, 2, 0,
	    "wait until this node's state is STATE", cmm_cmd_wait_state },
	{ "watch", "", 0, 0, 0,
	    "stream events (and prompt changes) on this connection",
	    cmm_cmd_watch },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

#undef M
#undef A
#undef F

static const struct cmm_cmd_entry *const node_tables[] = { cmm_cmd_table, NULL };

static bool	row_allowed(const struct cmm_cmd_entry *e, unsigned allow);
static size_t	word_len(const char *s);
static const char *second_word(const char *name);
static bool	word_eq(const char *w, size_t wl, const char *s);
static bool	word_prefix(const char *w, size_t wl, const char *s);
static void	list_words(char *buf, size_t len, const char *const *w,
		    const size_t *wl, int n);

/* FAULT rows exist only where fault injection is on. */
static bool
row_allowed(const struct cmm_cmd_entry *e, unsigned allow)
{
	unsigned need = e->flags & CMM_CMDF_FAULT;

	return (need & allow) == need;
}

void
cmm_cmd_iter_init(struct cmm_cmd_iter *it,
    const struct cmm_cmd_entry *const *tables)
{
	memset(it, 0, sizeof(*it));
	if (tables == NULL)
		tables = node_tables;
	for (; it->n < CMM_CMD_TABLES_MAX && tables[it->n] != NULL; it->n++)
		it->pos[it->n] = tables[it->n];
}

/* A merge of sorted tables: the smallest name at the head of any. */
const struct cmm_cmd_entry *
cmm_cmd_iter_next(struct cmm_cmd_iter *it)
{
	int best = -1;

	for (int i = 0; i < it->n; i++)
		if (it->pos[i]->name != NULL && (best < 0 ||
		    strcmp(it->pos[i]->name, it->pos[best]->name) < 0))
			best = i;
	return best < 0 ? NULL : it->pos[best]++;
}

static size_t
word_len(const char *s)
{
	const char *sp = strchr(s, ' ');

	return sp ? (size_t)(sp - s) : strlen(s);
}

/* The second word of a name, or NULL. */
static const char *
second_word(const char *name)
{
	const char *sp = strchr(name, ' ');

	return sp ? sp + 1 : NULL;
}

static bool
word_eq(const char *w, size_t wl, const char *s)
{
	return strlen(s) == wl && strncmp(w, s, wl) == 0;
}

static bool
word_prefix(const char *w, size_t wl, const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= wl && strncmp(w, s, n) == 0;
}

/* "a, b, c" */
static void
list_words(char *buf, size_t len, const char *const *w, const size_t *wl, int n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%.*s",
		    i ? ", " : "", (int)wl[i], w[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

const struct cmm_cmd_entry *
cmm_cmd_find(const struct cmm_cmd_entry *const *tables, int argc,
    char *const *argv, unsigned allow, int *consumed, char *err, size_t errlen)
{
	struct cmm_cmd_iter		 it;
	const struct cmm_cmd_entry	*e, *single = NULL;
	const char			*cand[64];
	size_t				 candl[64];
	const struct cmm_cmd_entry	*candrow[64];
	int				 nc = 0, exact = -1;
	const char			*w1 = NULL;
	size_t				 w1l = 0;
	char				 names[512];

	*consumed = 0;
	if (argc < 1) {
		snprintf(err, errlen, "empty command");
		return NULL;
	}
	/* First word: an exact match wins, else a unique prefix. */
	cmm_cmd_iter_init(&it, tables);
	while ((e = cmm_cmd_iter_next(&it)) != NULL) {
		size_t wl = word_len(e->name);
		bool dup = false;

		if (!row_allowed(e, allow) || !word_prefix(e->name, wl, argv[0]))
			continue;
		for (int i = 0; i < nc; i++)
			if (candl[i] == wl && strncmp(cand[i], e->name, wl) == 0)
				dup = true;
		if (dup || nc == 64)
			continue;
		if (word_eq(e->name, wl, argv[0]))
			exact = nc;
		cand[nc] = e->name;
		candl[nc++] = wl;
	}
	if (nc == 0) {
		snprintf(err, errlen, "unknown command '%s' (try 'help')", argv[0]);
		return NULL;
	}
	if (exact < 0 && nc > 1) {
		list_words(names, sizeof(names), cand, candl, nc);
		snprintf(err, errlen, "ambiguous command '%s': %s", argv[0], names);
		return NULL;
	}
	w1 = cand[exact >= 0 ? exact : 0];
	w1l = candl[exact >= 0 ? exact : 0];

	/* Second word, for the rows named by two. */
	nc = 0;
	exact = -1;
	cmm_cmd_iter_init(&it, tables);
	while ((e = cmm_cmd_iter_next(&it)) != NULL) {
		const char *w2;

		if (!row_allowed(e, allow) || word_len(e->name) != w1l ||
		    strncmp(e->name, w1, w1l) != 0)
			continue;
		if ((w2 = second_word(e->name)) == NULL) {
			single = e;
			continue;
		}
		if (nc == 64)
			continue;
		if (argc >= 2 && word_prefix(w2, strlen(w2), argv[1])) {
			if (strcmp(w2, argv[1]) == 0)
				exact = nc;
			cand[nc] = w2;
			candl[nc] = strlen(w2);
			candrow[nc++] = e;
		}
	}
	if (nc == 1 || exact >= 0) {
		*consumed = 2;
		return candrow[exact >= 0 ? exact : 0];
	}
	if (nc > 1) {
		list_words(names, sizeof(names), cand, candl, nc);
		snprintf(err, errlen, "ambiguous command '%.*s %s': %s",
		    (int)w1l, w1, argv[1], names);
		return NULL;
	}
	if (single != NULL) {
		*consumed = 1;
		return single;
	}
	/* A two-word group without a matching second word. */
	cmm_cmd_iter_init(&it, tables);
	while ((e = cmm_cmd_iter_next(&it)) != NULL && nc < 64)
		if (row_allowed(e, allow) && word_len(e->name) == w1l &&
		    strncmp(e->name, w1, w1l) == 0) {
			cand[nc] = second_word(e->name);
			candl[nc++] = strlen(second_word(e->name));
		}
	list_words(names, sizeof(names), cand, candl, nc);
	if (argc < 2)
		snprintf(err, errlen, "%.*s: say which: %s (try 'help %.*s')",
		    (int)w1l, w1, names, (int)w1l, w1);
	else
		snprintf(err, errlen, "unknown command '%.*s %s' (%.*s takes: %s)",
		    (int)w1l, w1, argv[1], (int)w1l, w1, names);
	return NULL;
}

enum cmm_cmd_ret
cmm_cmd_run(struct cmm_cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmm_cmd_entry	*e;
	int				 used, n;

	if (argc == 0)
		return CMM_CMD_OK;
	e = cmm_cmd_find(ctx->tables, argc, argv, ctx->allow, &used,
	    ctx->error, sizeof(ctx->error));
	if (e == NULL) {
		char other[8];

		/* say why a row that exists with fault injection is missing */
		e = cmm_cmd_find(ctx->tables, argc, argv, ~0u, &used, other,
		    sizeof(other));
		if (e != NULL && (e->flags & CMM_CMDF_FAULT) &&
		    !(ctx->allow & CMM_CMDF_FAULT))
			return cmm_cmd_fail(ctx, "%s: fault injection is off "
			    "(fault_injection = on in the config)", e->name);
		return CMM_CMD_ERROR;
	}
	ctx->entry = e;
	n = argc - used;
	if (n < e->min_args || n > e->max_args)
		return cmm_cmd_fail(ctx, "%s: too %s arguments (usage: %s%s%s)",
		    e->name, n < e->min_args ? "few" : "many", e->name,
		    e->args[0] ? " " : "", e->args);
	return e->exec(ctx, n, argv + used);
}

void
cmm_cmd_ctx_init(struct cmm_cmd_ctx *ctx, struct cmm_daemon *d, unsigned allow,
    bool json, long uid)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->daemon = d;
	ctx->allow = allow;
	ctx->json = json;
	ctx->uid = uid;
}

void
cmm_cmd_ctx_free(struct cmm_cmd_ctx *ctx)
{
	free(ctx->text);
	ctx->text = NULL;
	ctx->text_len = ctx->text_cap = 0;
	if (ctx->obj != NULL)
		json_decref(ctx->obj);
	ctx->obj = NULL;
}

void
cmm_cmd_printf(struct cmm_cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*nb;
	size_t	 need, ncap;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need = ctx->text_len + (size_t)n + 1;
	if (need > ctx->text_cap) {
		ncap = ctx->text_cap ? ctx->text_cap : 256;
		while (ncap < need)
			ncap *= 2;
		if ((nb = realloc(ctx->text, ncap)) == NULL)
			return;
		ctx->text = nb;
		ctx->text_cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(ctx->text + ctx->text_len, ctx->text_cap - ctx->text_len, fmt,
	    ap);
	va_end(ap);
	ctx->text_len += (size_t)n;
}

enum cmm_cmd_ret
cmm_cmd_fail(struct cmm_cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	return CMM_CMD_ERROR;
}

void
cmm_cmd_set_json(struct cmm_cmd_ctx *ctx, json_t *obj)
{
	if (ctx->obj != NULL)
		json_decref(ctx->obj);
	ctx->obj = obj;
}

json_t *
cmm_api_wrap(json_t *o, bool ok_field, bool ok)
{
	json_t *w = json_object();

	if (w == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(w, "api", json_integer(CMM_API_VERSION));
	if (ok_field)
		json_object_set_new(w, "ok", json_boolean(ok));
	if (o != NULL) {
		/* the envelope's keys win over a handler's of the same name */
		json_object_del(o, "api");
		if (ok_field)
			json_object_del(o, "ok");
		json_object_update(w, o);
		json_decref(o);
	}
	return w;
}

char *
cmm_cmd_reply_body(const struct cmm_cmd_ctx *ctx)
{
	json_t	*o;
	char	*s;

	if (!ctx->json)
		return strdup(ctx->text ? ctx->text : "");
	o = ctx->obj != NULL ? json_deep_copy(ctx->obj) : json_object();
	if ((o = cmm_api_wrap(o, true, true)) == NULL)
		return NULL;
	if (ctx->obj == NULL && ctx->text_len > 0)
		json_object_set_new(o, "text", json_string(ctx->text));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

char *
cmm_cmd_error_body(const char *msg)
{
	json_t	*o, *e;
	char	*s, clean[CMM_CMD_ERROR_MAX];

	/* an error may quote what the client sent, which need not be UTF-8 */
	snprintf(clean, sizeof(clean), "%s", msg != NULL && *msg != '\0' ?
	    msg : "failed");
	if ((e = json_string(clean)) == NULL) {
		for (char *p = clean; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		e = json_string(clean);
	}
	o = cmm_api_wrap(json_object(), true, false);
	if (o == NULL || e == NULL) {
		json_decref(o);
		json_decref(e);
		return NULL;
	}
	json_object_set_new(o, "error", e);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* ---- node sets as operators write them ---- */

json_t *
cmm_set_json(const struct cmm_set *s)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (int i = cmm_set_next(s, 0); i >= 0; i = cmm_set_next(s, i + 1))
		json_array_append_new(a, json_integer(i));
	return a;
}
