/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_ops: the commands that change the node (join, leave, reconfigure,
 * answer, log level, link cut/heal).  The daemon logs the caller's uid for
 * the protocol ones; the others are recorded in its history through
 * cmm_daemon_record, so an audit sees every change to the node. */
#include <stdio.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"
#include "util/parse.h"

static enum cmm_cmd_ret	done(struct cmm_cmd_ctx *ctx, int rc, const char *why,
			    const char *what);
static enum cmm_cmd_ret	answer_check(struct cmm_cmd_ctx *ctx,
			    enum cmm_prompt_kind want);

/* A daemon action's result as a reply. */
static enum cmm_cmd_ret
done(struct cmm_cmd_ctx *ctx, int rc, const char *why, const char *what)
{
	if (rc < 0)
		return cmm_cmd_fail(ctx, "%s: %s", ctx->entry->name,
		    why ? why : "failed");
	if (!ctx->json && what != NULL)
		cmm_cmd_printf(ctx, "%s\n", what);
	return CMM_CMD_OK;
}

CMM_CMD_FN(cmm_cmd_join)
{
	const char		*why = NULL;
	struct cmm_daemon	*d;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	return done(ctx, cmm_daemon_join(d, ctx->uid, &why), why,
	    "joining: petitioning the cluster");
}

CMM_CMD_FN(cmm_cmd_leave)
{
	const char		*why = NULL;
	struct cmm_daemon	*d;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	return done(ctx, cmm_daemon_leave(d, ctx->uid, &why), why,
	    "leaving the cluster");
}

CMM_CMD_FN(cmm_cmd_reconfigure)
{
	const char		*why = NULL;
	struct cmm_daemon	*d;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	return done(ctx, cmm_daemon_reconfigure(d, ctx->uid, &why), why,
	    "reconfiguration round started");
}

/* "answer: no prompt is open" before the core's own, more specific check. */
static enum cmm_cmd_ret
answer_check(struct cmm_cmd_ctx *ctx, enum cmm_prompt_kind want)
{
	struct cmm_status_snap s;

	if (cmm_cmd_daemon(ctx) == NULL)
		return CMM_CMD_ERROR;
	cmm_daemon_status(ctx->daemon, &s);
	if (s.st.prompt == CMM_PROMPT_NONE)
		return cmm_cmd_fail(ctx, "answer: no prompt is open");
	if (s.st.prompt != want)
		return cmm_cmd_fail(ctx, "answer: the open prompt asks %s",
		    s.st.prompt == CMM_PROMPT_WINNER ?
		    "for a winner (answer winner N)" :
		    "whether this node is isolated (answer isolated | "
		    "answer not-isolated)");
	return CMM_CMD_OK;
}

CMM_CMD_FN(cmm_cmd_answer_isolated)
{
	const char *why = NULL;

	if (answer_check(ctx, CMM_PROMPT_ISOLATION) != CMM_CMD_OK)
		return CMM_CMD_ERROR;
	return done(ctx, cmm_daemon_answer_isolation(ctx->daemon, ctx->uid,
	    true, &why), why, "answered: isolated");
}

CMM_CMD_FN(cmm_cmd_answer_not_isolated)
{
	const char *why = NULL;

	if (answer_check(ctx, CMM_PROMPT_ISOLATION) != CMM_CMD_OK)
		return CMM_CMD_ERROR;
	return done(ctx, cmm_daemon_answer_isolation(ctx->daemon, ctx->uid,
	    false, &why), why, "answered: not isolated");
}

CMM_CMD_FN(cmm_cmd_answer_winner)
{
	const char	*why = NULL;
	char		 what[64];
	int		 n;

	if (answer_check(ctx, CMM_PROMPT_WINNER) != CMM_CMD_OK)
		return CMM_CMD_ERROR;
	if ((n = cmm_cmd_node_arg(ctx, argv[0])) < 0)
		return CMM_CMD_ERROR;
	snprintf(what, sizeof(what), "answered: winner %d", n);
	return done(ctx, cmm_daemon_answer_winner(ctx->daemon, ctx->uid, n,
	    &why), why, what);
}

CMM_CMD_FN(cmm_cmd_log_level)
{
	struct cmm_daemon	*d;
	int			 lv;
	char			 what[64];

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (argc == 1) {
		if ((lv = cmm_log_level_parse(argv[0])) < 0)
			return cmm_cmd_fail(ctx, "log level: unknown level '%s' "
			    "(error, warn, info or debug)", argv[0]);
		if (cmm_daemon_set_log_level(d, (enum cmm_log_level)lv) < 0)
			return cmm_cmd_fail(ctx, "log level: cannot set '%s'",
			    argv[0]);
		snprintf(what, sizeof(what), "log level %s", argv[0]);
		cmm_daemon_record(d, ctx->uid, what);
	}
	lv = (int)cmm_daemon_log_level(d);
	if (ctx->json)
		cmm_cmd_set_json(ctx, json_pack("{s:s}", "level",
		    cmm_log_level_name((enum cmm_log_level)lv)));
	else
		cmm_cmd_printf(ctx, "log level %s\n",
		    cmm_log_level_name((enum cmm_log_level)lv));
	return CMM_CMD_OK;
}

/* "N" (every link to node N) or "N/K" (its redundant link K): the node,
 * *link -1 or K; -1 with the reply failed. */
static int
link_arg(struct cmm_cmd_ctx *ctx, const char *s, int *link)
{
	char node[16];
	const char *slash = strchr(s, '/');
	long long k;
	size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);

	*link = -1;
	if (len >= sizeof(node))
		len = sizeof(node) - 1;
	memcpy(node, s, len);
	node[len] = '\0';
	if (slash != NULL) {
		if (cmm_parse_int(slash + 1, 0, CMM_LINKS_MAX - 1, &k, NULL,
		    0) < 0) {
			cmm_cmd_fail(ctx, "%s: '%s' is not a link (0..%d)",
			    ctx->entry->name, slash + 1, CMM_LINKS_MAX - 1);
			return -1;
		}
		*link = (int)k;
	}
	return cmm_cmd_node_arg(ctx, node);
}

CMM_CMD_FN(cmm_cmd_link_cut)
{
	struct cmm_daemon	*d;
	enum cmm_link_dir	 dir = CMM_LINK_BOTH;
	const char		*why = NULL;
	char			 what[64], on[16] = "";
	int			 n, link;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if ((n = link_arg(ctx, argv[0], &link)) < 0)
		return CMM_CMD_ERROR;
	if (n == cmm_daemon_self(d))
		return cmm_cmd_fail(ctx, "link cut: node %d is this node", n);
	if (argc == 2) {
		if (strcmp(argv[1], "in") == 0)
			dir = CMM_LINK_IN;
		else if (strcmp(argv[1], "out") == 0)
			dir = CMM_LINK_OUT;
		else
			return cmm_cmd_fail(ctx, "link cut: '%s' is not a direction "
			    "(in or out; both when omitted)", argv[1]);
	}
	if (cmm_daemon_link_cut(d, n, link, dir, &why) < 0)
		return cmm_cmd_fail(ctx, "link cut: %s", why ? why : "failed");
	if (link >= 0)
		snprintf(on, sizeof(on), "/%d", link);
	snprintf(what, sizeof(what), "link cut %d%s %s", n, on,
	    dir == CMM_LINK_IN ? "in" : dir == CMM_LINK_OUT ? "out" : "both");
	cmm_daemon_record(d, ctx->uid, what);
	if (!ctx->json)
		cmm_cmd_printf(ctx, "%s\n", what);
	return CMM_CMD_OK;
}

CMM_CMD_FN(cmm_cmd_link_heal)
{
	struct cmm_daemon	*d;
	const char		*why = NULL;
	char			 what[64];
	int			 n = -1, link = -1;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (argc == 1 && (n = link_arg(ctx, argv[0], &link)) < 0)
		return CMM_CMD_ERROR;
	if (cmm_daemon_link_heal(d, n, link, &why) < 0)
		return cmm_cmd_fail(ctx, "link heal: %s", why ? why : "failed");
	if (n < 0)
		snprintf(what, sizeof(what), "link heal (every link)");
	else if (link >= 0)
		snprintf(what, sizeof(what), "link heal %d/%d", n, link);
	else
		snprintf(what, sizeof(what), "link heal %d", n);
	cmm_daemon_record(d, ctx->uid, what);
	if (!ctx->json)
		cmm_cmd_printf(ctx, "%s\n", what);
	return CMM_CMD_OK;
}

/*
 * force-quorum dead LIST confirm (docs/PROTOCOL.md "Forcing quorum"): the
 * operator declares the members of LIST dead, and this node takes quorum
 * without them.  The word "confirm" is required: the command is safe only
 * if those nodes are really down, which no software can tell from a
 * partition.  The core refuses while any of them is heard.
 */
CMM_CMD_FN(cmm_cmd_force_quorum)
{
	struct cmm_daemon	*d;
	struct cmm_set		 dead;
	const char		*why = NULL;
	char			 list[96], what[192];
	json_t			*arr;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (strcmp(argv[0], "dead") != 0)
		return cmm_cmd_fail(ctx, "force-quorum: usage: force-quorum dead "
		    "LIST confirm");
	if (cmm_set_parse(argv[1], CMM_MAX_NODES, NULL, &dead, &why) != 0)
		return cmm_cmd_fail(ctx, "force-quorum: bad node list '%s': %s",
		    argv[1], why != NULL ? why : "?");
	cmm_set_format(&dead, list, sizeof(list));
	if (strcmp(argv[2], "confirm") != 0)
		return cmm_cmd_fail(ctx, "force-quorum: the last word must be "
		    "'confirm': run it only if nodes %s are really down "
		    "(killed, powered off), or two clusters may run at once",
		    list);
	if (cmm_daemon_force_quorum(d, ctx->uid, &dead, &why) < 0)
		return cmm_cmd_fail(ctx, "force-quorum: %s", why ? why : "failed");
	if (ctx->json) {
		if ((arr = json_array()) == NULL)
			return cmm_cmd_fail(ctx, "force-quorum: out of memory");
		for (int q = cmm_set_next(&dead, 0); q >= 0;
		    q = cmm_set_next(&dead, q + 1))
			json_array_append_new(arr, json_integer(q));
		cmm_cmd_set_json(ctx, json_pack("{s:o,s:b}", "dead", arr,
		    "started", 1));
		return CMM_CMD_OK;
	}
	snprintf(what, sizeof(what), "force-quorum: nodes %s declared dead; a "
	    "round without them started (see `round`, `status`)", list);
	cmm_cmd_printf(ctx, "%s\n", what);
	return CMM_CMD_OK;
}
