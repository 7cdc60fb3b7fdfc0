/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo: the state of `cmm demo`, shared by src/demo.c (the processes, the
 * control connections, the loop) and src/demo_cmd.c (the demo's own
 * command table: kill, start, fresh, cut, heal, view, quit).  Nothing else
 * includes this.
 */
#ifndef CMM_DEMO_H
#define CMM_DEMO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

#include "src/ctl/cmd.h"
#include "src/ctl/ctl_proto.h"

#define DEMO_MAX_NODES	64

struct demo;

struct demo_node {
	struct demo		*demo;
	int			 id;
	pid_t			 pid;		/* 0: not running */
	char			 sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char			 log[PATH_MAX];
	struct bufferevent	*bev;		/* control connection */
	bool			 up;		/* connected, greeting read */
	int			 internal;	/* replies to swallow (watch) */
	struct cmm_ctl_reply	 reply;
	struct event		*retry;
	bool			 fresh;		/* next start: state moved aside */
};

struct demo {
	struct event_base	*base;
	int			 n;
	char			 dir[PATH_MAX];
	char			 conf[PATH_MAX];
	struct demo_node	 node[DEMO_MAX_NODES];
	int			 view;
	bool			 quitting;
	struct bufferevent	*in;
	struct event		*sig[3];
	struct event		*stop_timer;
	struct cmm_console	*con;		/* on a terminal */
};

/* ---- src/demo.c ---- */

/* Starts node id's process (`cmm node --headless`).  0, or -1 (said). */
int	cmm_demo_spawn(struct demo *d, int id);
/* Sends one request line to node id; -1 when it is not connected. */
int	cmm_demo_send(struct demo *d, int id, const char *line, bool internal);

/* ---- src/demo_cmd.c ---- */

/* The demo's rows, sorted by name, NULL-ended; and the tables a demo
 * command line searches: the node's and these. */
extern const struct cmm_cmd_entry cmm_demo_cmd_table[];
extern const struct cmm_cmd_entry *const cmm_demo_cmd_tables[];

/*
 * Runs argv when it names a row of the demo's own table: 1, with the
 * result in *rc and the reply in ctx (the caller frees it; env is d).
 * 0 when argv is a node command (ctx untouched: the caller sends the line
 * to the viewed node); -1 when it names no command (the reason in err).
 */
int	cmm_demo_cmd_run(struct demo *d, int argc, char **argv, bool json,
	    struct cmm_cmd_ctx *ctx, enum cmm_cmd_ret *rc, char *err,
	    size_t errlen);

#endif
