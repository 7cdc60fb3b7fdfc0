/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_script: the simulator's scenario parser (src/sim/sim_script.c).
 *
 * The input is a scenario file.  Loading gives a simulator, or NULL with
 * one line "FILE:LINE: reason".  A scenario that loads is run too, for at
 * most FUZZ_SIM_MS of virtual time and with at most FUZZ_SIM_NODES nodes,
 * so the actions the parser built are executed.  With FUZZ_SIM_STRICT=1
 * in the environment a property violation aborts (the fuzzer as a model
 * checker: any scenario, no planted bug, must keep the properties
 * of docs/PROTOCOL.md, "15. Properties"); by default only crashes count.
 */
#include "src/sim/sim.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SIM_MS	4000
#define FUZZ_SIM_NODES	8

static FILE	*devnull;
static bool	strict;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *s = getenv("FUZZ_SIM_STRICT");

	(void)argc;
	(void)argv;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	strict = s != NULL && strcmp(s, "1") == 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmm_sim_opts o;
	struct cmm_sim *s;
	char	path[64], err[1024];
	int	fd;

	if ((fd = fuzz_memfile("fuzz.sim", data, size, path, sizeof(path))) < 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.nodes = 3;
	o.out = devnull;
	memset(err, 0, sizeof(err));
	s = cmm_sim_script_load(path, &o, 0, err, sizeof(err));
	close(fd);
	if (s == NULL) {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		return 0;
	}
	if (s->n <= FUZZ_SIM_NODES) {
		if (s->end > FUZZ_SIM_MS)
			s->end = FUZZ_SIM_MS;
		(void)cmm_sim_run(s);
		if (strict && s->violated) {
			cmm_sim_report_violation(s, stderr);
			abort();
		}
	}
	cmm_sim_free(s);
	return 0;
}
