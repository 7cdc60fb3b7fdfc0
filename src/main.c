/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main: `cmm SUBCOMMAND ...` dispatch to the entry points declared in
 * src/subcmd.h. */
#include <stdio.h>
#include <string.h>

#include "net/wire.h"
#include "src/subcmd.h"
#include "src/version.h"

static const struct {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*help;
} subcmds[] = {
	{ "sim", cmm_sim_main, "run the deterministic cluster simulator" },
	{ "keygen", cmm_keygen_main, "write a new random cluster key" },
	{ "node", cmm_node_main, "run one node of a cluster (the daemon)" },
	{ "check", cmm_check_main, "preflight: config, key, bind, peers, devices" },
	{ "ctl", cmm_ctl_main, "run commands on a node through its control socket" },
	{ "demo", cmm_demo_main, "a local cluster of N nodes on 127.0.0.1" },
	{ "console", cmm_console_main, "attach the operator console to a running node" },
	{ "arbiter", cmm_arbiter_main, "serve as the quorum device of clusters over UDP" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: cmm SUBCOMMAND [ARGS...]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(f, "  %-8s %s\n", subcmds[i].name, subcmds[i].help);
	fprintf(f, "  %-8s %s\n", "version", "the version and build (also "
	    "--version)");
	fprintf(f, "\n'cmm SUBCOMMAND --help' for more; 'cmm --version'.\n");
}

/* The version, the wire protocol versions this binary speaks (a peer is
 * talked to if its range overlaps) and the build it came from. */
static void
version(void)
{
	printf("cmm %s\nprotocol %d..%d\nbuild %s\n", CMM_VERSION,
	    CMM_PROTO_MIN, CMM_PROTO_MAX, CMM_BUILD_ID);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		version();
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcmp(argv[1], subcmds[i].name) == 0)
			return subcmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "cmm: unknown subcommand '%s' (try 'cmm help')\n", argv[1]);
	return 2;
}
