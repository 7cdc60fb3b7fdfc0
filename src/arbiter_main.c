/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arbiter_main: `cmm arbiter -c FILE`, the network quorum device
 * (src/node/arbiter.h; cmm(1) ARBITER). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/node/arbiter.h"
#include "src/subcmd.h"

static void
arbiter_usage(FILE *f)
{
	fprintf(f, "usage: cmm arbiter -c FILE\n"
	    "Serves as the quorum device of the clusters FILE lists, over "
	    "UDP;\nsee cmm(1) ARBITER and cmm.conf(5) ARBITER.\n");
}

int
cmm_arbiter_main(int argc, char **argv)
{
	struct cmm_arb_cfg *cfg;
	struct cmm_arbiter *a;
	char err[1024];
	int rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		arbiter_usage(stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		arbiter_usage(stderr);
		return 2;
	}
	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		fprintf(stderr, "cmm arbiter: out of memory\n");
		return 1;
	}
	if (cmm_arb_config_load(argv[2], cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "cmm arbiter: %s\n", err);
		free(cfg);
		return 2;
	}
	if ((a = cmm_arbiter_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "cmm arbiter: %s\n", err);
		free(cfg);
		return 1;
	}
	rc = cmm_arbiter_run(a);
	cmm_arbiter_free(a);
	free(cfg);
	return rc;
}
