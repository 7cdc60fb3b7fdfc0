/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console_main: `cmm console [-s SOCKET | -c FILE [--id N]] [--no-colour]
 * [--history FILE]`, a console attached to a running node through its
 * control socket (found as `cmm ctl` finds it: src/node_socket.h). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "quorum/nodeset.h"
#include "src/node_socket.h"
#include "ui/client.h"
#include "ui/console.h"
#include "ui/keys.h"
#include "util/parse.h"

static void
console_usage(FILE *f)
{
	fprintf(f, "usage: cmm console [-s SOCKET | -c FILE [--id N]] "
	    "[--no-colour] [--history FILE]\n"
	    "  -s, --socket SOCKET  the node's control socket\n"
	    "  -c, --config FILE    node N's control_socket in FILE (--id may "
	    "be left out\n"
	    "                       when one node of FILE listens here); "
	    "without -s and -c:\n"
	    "                       $CMM_CONFIG, else %s, else the one "
	    "socket\n"
	    "                       matching %s\n"
	    "  --id N               the node of FILE\n"
	    "  --no-colour          monochrome (also when NO_COLOR is set)\n"
	    "  --history FILE       command history [~/.cmm_history]\n",
	    CMM_NODE_SOCKET_CONF, CMM_NODE_SOCKET_GLOB);
	cmm_ui_keys_usage(f);
}

static void
console_detached(void *arg)
{
	event_base_loopexit(arg, NULL);
}

int
cmm_console_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'I' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "history", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmm_console_opts	 o;
	struct cmm_console	*con;
	struct event_base	*base;
	const char		*sock = NULL, *cfgpath = NULL;
	char			 err[512], title[64], path[4096];
	long long		 v;
	int			 ch, fd, id = -1;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			cfgpath = optarg;
			break;
		case 'I':
			if (cmm_parse_int(optarg, 0, CMM_MAX_NODES - 1, &v, NULL,
			    0) < 0) {
				fprintf(stderr, "cmm console: --id: '%s' is not a "
				    "node id (0..%d)\n", optarg, CMM_MAX_NODES - 1);
				return 2;
			}
			id = (int)v;
			break;
		case 'C':
			o.no_colour = true;
			break;
		case 'H':
			o.history_file = optarg;
			break;
		case 'h':
			console_usage(stdout);
			return 0;
		default:
			console_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (sock != NULL && (cfgpath != NULL || id >= 0))) {
		fprintf(stderr, "cmm console: %s\n", optind != argc ?
		    "unexpected argument" : "-s names the socket: no -c or --id "
		    "with it");
		console_usage(stderr);
		return 2;
	}
	if (sock == NULL) {
		if (cmm_node_socket_find(cfgpath, id, path, sizeof(path), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "cmm console: %s\n", err);
			return 2;
		}
		sock = path;
	}
	if ((fd = cmm_ui_client_connect(sock, err, sizeof(err))) < 0) {
		fprintf(stderr, "cmm console: %s\n", err);
		return 1;
	}
	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "cmm console: cannot create the event loop\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(title, sizeof(title), "cmm console");
	o.title = title;
	o.socket_path = sock;
	o.handle_signals = true;
	o.on_detach = console_detached;
	o.detach_arg = base;
	if ((con = cmm_console_attach(base, fd, &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "cmm console: %s\n", err);
		event_base_free(base);
		return 1;
	}
	event_base_dispatch(base);
	cmm_console_free(con);
	event_base_free(base);
	return 0;
}
