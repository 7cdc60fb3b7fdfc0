/* SPDX-License-Identifier: GPL-3.0-or-later */
/* demo_cmd: the demo's own commands, one table passed to the lookup beside
 * the node's, so the command layer (src/ctl/) knows nothing of the demo.
 * Any other command goes to the node being viewed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "src/ctl/cmd.h"
#include "src/demo.h"
#include "ui/console.h"
#include "util/parse.h"

static CMM_CMD_FN(demo_kill);
static CMM_CMD_FN(demo_start);
static CMM_CMD_FN(demo_fresh);
static CMM_CMD_FN(demo_cut);
static CMM_CMD_FN(demo_heal);
static CMM_CMD_FN(demo_view);
static CMM_CMD_FN(demo_quit);

#define D	CMM_CMDF_DEMO

/* Sorted by name, as the node's table: the lookup merges the two. */
const struct cmm_cmd_entry cmm_demo_cmd_table[] = {
	{ "cut", "A B [oneway]", 2, 3, D,
	    "demo: cut the link between nodes A and B (only A to B if oneway)",
	    demo_cut },
	{ "fresh", "N", 1, 1, D,
	    "demo: restart node N with its state moved aside (a new machine)",
	    demo_fresh },
	{ "heal", "", 0, 0, D,
	    "demo: restore every cut link on every node", demo_heal },
	{ "kill", "N", 1, 1, D,
	    "demo: SIGKILL node N's process", demo_kill },
	{ "quit", "", 0, 0, D,
	    "demo: stop every node the demo started and exit", demo_quit },
	{ "start", "N", 1, 1, D,
	    "demo: start node N's process again", demo_start },
	{ "view", "N", 1, 1, D,
	    "demo: send later node commands to node N", demo_view },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

#undef D

const struct cmm_cmd_entry *const cmm_demo_cmd_tables[] = {
	cmm_cmd_table, cmm_demo_cmd_table, NULL
};

int
cmm_demo_cmd_run(struct demo *d, int argc, char **argv, bool json,
    struct cmm_cmd_ctx *ctx, enum cmm_cmd_ret *rc, char *err, size_t errlen)
{
	const struct cmm_cmd_entry	*e;
	int				 used;

	/* fault rows too: `link cut` is a node command here, not unknown */
	e = cmm_cmd_find(cmm_demo_cmd_tables, argc, argv, CMM_CMDF_FAULT,
	    &used, err, errlen);
	if (e == NULL)
		return -1;
	/* `help` runs here, over both tables, so it names the demo's rows
	 * too; any other node command goes to the viewed node */
	if (!(e->flags & CMM_CMDF_DEMO) && strcmp(e->name, "help") != 0)
		return 0;
	cmm_cmd_ctx_init(ctx, NULL, CMM_CMDF_FAULT, json, -1);
	ctx->tables = cmm_demo_cmd_tables;
	ctx->env = d;
	*rc = cmm_cmd_run(ctx, argc, argv);
	return 1;
}

/* A node of this demo, 0..n-1; -1 after setting the error. */
static int
demo_node_arg(struct cmm_cmd_ctx *ctx, const char *s)
{
	struct demo	*d = ctx->env;
	long long	 v;

	if (cmm_parse_int(s, 0, d->n - 1, &v, NULL, 0) < 0) {
		cmm_cmd_fail(ctx, "%s: '%s' is not a node of this demo (0..%d)",
		    ctx->entry->name, s, d->n - 1);
		return -1;
	}
	return (int)v;
}

static CMM_CMD_FN(demo_kill)
{
	struct demo	*d = ctx->env;
	int		 id;

	if ((id = demo_node_arg(ctx, argv[0])) < 0)
		return CMM_CMD_ERROR;
	if (d->node[id].pid == 0)
		return cmm_cmd_fail(ctx, "kill: node %d is not running", id);
	if (kill(d->node[id].pid, SIGKILL) < 0)
		return cmm_cmd_fail(ctx, "kill: node %d (pid %d): %s", id,
		    (int)d->node[id].pid, strerror(errno));
	cmm_cmd_printf(ctx, "cmm demo: SIGKILL sent to node %d (pid %d)\n", id,
	    (int)d->node[id].pid);
	return CMM_CMD_OK;
}

static CMM_CMD_FN(demo_start)
{
	struct demo	*d = ctx->env;
	struct timeval	 tv = { 0, 100000 };
	int		 id;

	if ((id = demo_node_arg(ctx, argv[0])) < 0)
		return CMM_CMD_ERROR;
	if (d->node[id].pid != 0)
		return cmm_cmd_fail(ctx, "start: node %d is running (pid %d)", id,
		    (int)d->node[id].pid);
	if (cmm_demo_spawn(d, id) < 0)
		return cmm_cmd_fail(ctx, "start: node %d did not start", id);
	evtimer_add(d->node[id].retry, &tv);
	return CMM_CMD_OK;
}

/* A node with no state: SIGKILL if it runs, then started again once it
 * is reaped with its state directory moved aside (src/demo.c), as a new
 * machine: alone, it is asked the isolation question (patent step 412). */
static CMM_CMD_FN(demo_fresh)
{
	struct demo	*d = ctx->env;
	struct timeval	 tv = { 0, 100000 };
	int		 id;

	if ((id = demo_node_arg(ctx, argv[0])) < 0)
		return CMM_CMD_ERROR;
	d->node[id].fresh = true;
	if (d->node[id].pid != 0) {
		if (kill(d->node[id].pid, SIGKILL) < 0)
			return cmm_cmd_fail(ctx, "fresh: node %d (pid %d): %s", id,
			    (int)d->node[id].pid, strerror(errno));
		cmm_cmd_printf(ctx, "cmm demo: node %d killed; it starts again "
		    "with no state\n", id);
		return CMM_CMD_OK;
	}
	if (cmm_demo_spawn(d, id) < 0)
		return cmm_cmd_fail(ctx, "fresh: node %d did not start", id);
	evtimer_add(d->node[id].retry, &tv);
	return CMM_CMD_OK;
}

static CMM_CMD_FN(demo_cut)
{
	struct demo	*d = ctx->env;
	char		 line[64];
	int		 a, b;
	bool		 oneway = false;

	if ((a = demo_node_arg(ctx, argv[0])) < 0 ||
	    (b = demo_node_arg(ctx, argv[1])) < 0)
		return CMM_CMD_ERROR;
	if (a == b)
		return cmm_cmd_fail(ctx, "cut: A and B must differ");
	if (argc == 3) {
		if (strcmp(argv[2], "oneway") != 0)
			return cmm_cmd_fail(ctx, "cut: '%s': expected 'oneway'",
			    argv[2]);
		oneway = true;
	}
	/* oneway: what A sends to B is lost; B still reaches A */
	snprintf(line, sizeof(line), "link cut %d%s", b, oneway ? " out" : "");
	if (cmm_demo_send(d, a, line, false) < 0)
		return cmm_cmd_fail(ctx, "cut: node %d is not connected", a);
	if (!oneway) {
		snprintf(line, sizeof(line), "link cut %d", a);
		if (cmm_demo_send(d, b, line, false) < 0)
			return cmm_cmd_fail(ctx, "cut: node %d is not connected", b);
	}
	return CMM_CMD_OK;
}

static CMM_CMD_FN(demo_heal)
{
	struct demo	*d = ctx->env;
	int		 sent = 0;

	for (int i = 0; i < d->n; i++)
		sent += cmm_demo_send(d, i, "link heal", false) == 0;
	if (sent == 0)
		return cmm_cmd_fail(ctx, "heal: no node is connected");
	return CMM_CMD_OK;
}

static CMM_CMD_FN(demo_view)
{
	struct demo	*d = ctx->env;
	int		 id;

	if ((id = demo_node_arg(ctx, argv[0])) < 0)
		return CMM_CMD_ERROR;
	d->view = id;
	/* the console follows the view (it connects from the loop) */
	if (d->con != NULL)
		cmm_console_switch(d->con, -1, d->node[id].sock);
	cmm_cmd_printf(ctx, "cmm demo: node commands now go to node %d\n", id);
	return CMM_CMD_OK;
}

static CMM_CMD_FN(demo_quit)
{
	cmm_cmd_printf(ctx, "cmm demo: quit: stopping every node\n");
	return CMM_CMD_QUIT;
}
