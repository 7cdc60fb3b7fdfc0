/* SPDX-License-Identifier: GPL-3.0-or-later */
/* keygen: `cmm keygen FILE` writes a new random cluster key (mode 0600). */
#include <stdio.h>
#include <string.h>

#include "net/mac.h"
#include "src/subcmd.h"

static void	keygen_usage(FILE *f);

static void
keygen_usage(FILE *f)
{
	fprintf(f, "usage: cmm keygen FILE\n"
	    "Writes a new random cluster key to FILE (mode 0600).  FILE must "
	    "not exist yet;\ncopy the same key to every node of the cluster.\n");
}

int
cmm_keygen_main(int argc, char **argv)
{
	char err[512];

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		keygen_usage(stdout);
		return 0;
	}
	/* "--" lets a file whose name starts with '-' through */
	if (argc == 3 && strcmp(argv[1], "--") == 0) {
		argv++;
		argc--;
	} else if (argc == 2 && argv[1][0] == '-') {
		fprintf(stderr, "cmm keygen: unknown option '%s'\n", argv[1]);
		keygen_usage(stderr);
		return 2;
	}
	if (argc != 2 || argv[1][0] == '\0') {
		keygen_usage(stderr);
		return 2;
	}
	if (cmm_key_generate(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "cmm keygen: %s\n", err);
		return 1;
	}
	printf("cmm keygen: wrote a new cluster key to %s\n", argv[1]);
	return 0;
}
