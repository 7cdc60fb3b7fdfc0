/* SPDX-License-Identifier: GPL-3.0-or-later */
/* node_main: `cmm node -c FILE --id N [--headless] [--syslog]
 * [--forget-state] [--log-level L]`, one node.  The composition root of a
 * node: it creates the daemon (src/node/), the control server on it
 * (src/ctl/) and, on a terminal, the console (ui/); the three know
 * nothing of each other beyond the interfaces wired here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/ctl/ctl_server.h"
#include "src/node/daemon.h"
#include "src/subcmd.h"
#include "ui/console.h"
#include "util/parse.h"

/* The console attached in this process, NULL once detached.  A static:
 * the detach callback has no other way back to it. */
static struct cmm_console *node_con;

/* ^D or `detach`: the terminal is restored; the node runs on headless. */
static void
node_console_detached(void *arg)
{
	(void)arg;
	cmm_console_free(node_con);
	node_con = NULL;
	fprintf(stderr, "cmm node: console detached; the node runs on "
	    "(SIGTERM or Ctrl-C: leave the cluster and exit)\n");
}

/* The console talks to the node through a socketpair, the same protocol
 * as `cmm console -s SOCKET` later (docs/ARCHITECTURE.md, "One command
 * language"). */
static void
node_console(struct cmm_daemon *d, struct cmm_ctl_server *srv)
{
	struct cmm_console_opts	o;
	char			err[256];
	int			sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("cmm node: socketpair for the console");
		return;
	}
	if (cmm_ctl_server_attach_fd(srv, sv[0]) < 0) {
		fprintf(stderr, "cmm node: cannot serve the console: headless\n");
		close(sv[1]);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.title = "cmm node";
	o.on_detach = node_console_detached;
	/* SIGINT/SIGTERM stay the daemon's: a graceful leave */
	o.handle_signals = false;
	node_con = cmm_console_attach(cmm_daemon_base(d), sv[1], &o, err,
	    sizeof(err));
	if (node_con == NULL)
		fprintf(stderr, "cmm node: no console (%s): headless\n", err);
}

static void
node_usage(FILE *f)
{
	fprintf(f, "usage: cmm node -c FILE --id N [--headless] [--syslog] "
	    "[--forget-state] [--log-level error|warn|info|debug]\n"
	    "  -c, --config FILE   the cluster config (INI)\n"
	    "  -i, --id N          which [node N] this is\n"
	    "  --headless          no console, even on a terminal\n"
	    "  --syslog            log to syslog as well as stderr\n"
	    "  --forget-state      move the saved state aside and start "
	    "fresh\n"
	    "  -l, --log-level L   start with this log level [info]\n"
	    "Exit: 0 after a graceful leave (SIGTERM/SIGINT), 2 on a config, "
	    "key or state error, %d when on_quorum_loss = halt fired, 1 "
	    "otherwise.\n", CMM_EXIT_HALT);
}

/* Parses a node id; -1 if it is not a plain number in range. */
static int
node_parse_id(const char *s)
{
	long long v;

	if (cmm_parse_int(s, 0, CMM_MAX_NODES - 1, &v, NULL, 0) < 0)
		return -1;
	return (int)v;
}

int
cmm_node_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "headless", no_argument, NULL, 'H' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "forget-state", no_argument, NULL, 'F' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmm_daemon_opts o;
	struct cmm_daemon *d;
	struct cmm_ctl_server *srv;
	char err[1024];
	int ch, code, lvl;

	memset(&o, 0, sizeof(o));
	o.id = -1;
	o.log_level = CMM_LOG_INFO;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:i:l:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config_path = optarg;
			break;
		case 'i':
			o.id = node_parse_id(optarg);
			if (o.id < 0) {
				fprintf(stderr, "cmm node: --id: '%s' is not a node "
				    "id (0..%d)\n", optarg, CMM_MAX_NODES - 1);
				return 2;
			}
			break;
		case 'H':
			o.headless = true;
			break;
		case 'S':
			o.use_syslog = true;
			break;
		case 'F':
			o.forget_state = true;
			break;
		case 'l':
			lvl = cmm_log_level_parse(optarg);
			if (lvl < 0) {
				fprintf(stderr, "cmm node: --log-level: '%s' is not "
				    "error, warn, info or debug\n", optarg);
				return 2;
			}
			o.log_level = (enum cmm_log_level)lvl;
			break;
		case 'h':
			node_usage(stdout);
			return 0;
		default:
			node_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.config_path == NULL || o.id < 0) {
		fprintf(stderr, "cmm node: %s\n", optind != argc ?
		    "unexpected argument" : o.config_path == NULL ?
		    "-c FILE is required" : "--id N is required");
		node_usage(stderr);
		return 2;
	}
	d = cmm_daemon_new(&o, err, sizeof(err), &code);
	if (d == NULL) {
		fprintf(stderr, "%s\n", err);
		return code;
	}
	/* the socket before the core starts: a live twin on it stops this
	 * node before it persists a new incarnation */
	srv = cmm_ctl_server_new(d, cmm_daemon_sock_path(d), err, sizeof(err));
	if (srv == NULL || cmm_daemon_start(d, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		cmm_ctl_server_free(srv);
		cmm_daemon_free(d);
		return 1;
	}
	if (!o.headless && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		node_console(d, srv);
	code = cmm_daemon_run(d);
	/* the terminal back before the last log lines */
	cmm_console_free(node_con);
	node_con = NULL;
	cmm_ctl_server_free(srv);
	cmm_daemon_free(d);
	return code;
}
