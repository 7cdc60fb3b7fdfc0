/* SPDX-License-Identifier: GPL-3.0-or-later */
/* node_main: `cmm node -c FILE --id N [--headless] [--syslog]
 * [--forget-state] [--log-level L]`, one node's daemon. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "subcmd.h"

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
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v >= CMM_MAX_NODES)
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
	code = cmm_daemon_run(d);
	cmm_daemon_free(d);
	return code;
}
