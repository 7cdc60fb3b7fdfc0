/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_config: the cluster config parser (src/node/config.h).
 *
 * The input is a config file.  Loading must give 0, or -1 with exactly one
 * line of error; a config that loads must be one every other module takes:
 * its node and device tables agree, every path expands, and a protocol
 * core built from it for its first node starts and runs a few hundred
 * ticks without tripping a sanitizer.
 */
#include "src/node/config.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cmm_config *cfg;	/* about 0.6 MB: never on the stack */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((cfg = malloc(sizeof(*cfg))) == NULL)
		abort();
	return 0;
}

static int
sink_emit(void *ctx, const struct cmm_effect *fx)
{
	(void)ctx;
	(void)fx;
	return 0;	/* every write "succeeds" */
}

/* A core made from the config starts and runs for a while. */
static void
run_core(int self)
{
	struct cmm_sink sink = { NULL, sink_emit };
	struct cmm_core *c;
	int64_t now = 0, next;

	c = cmm_core_new(&cfg->core, self, NULL, &sink, 1);
	FUZZ_CHECK(c != NULL);
	FUZZ_CHECK(cmm_core_start(c, now) == 0);
	for (int i = 0; i < 300; i++) {
		next = cmm_core_next_deadline(c);
		FUZZ_CHECK(next > now);
		if (next > 600000)
			break;
		now = next;
		cmm_core_on_tick(c, now);
	}
	cmm_core_free(c);
}

static void
check_loaded(void)
{
	char	buf[CMM_CFG_PATH_MAX + 64], err[256];
	int	first = -1, present = 0;

	FUZZ_CHECK(cfg->cluster_id != 0);
	FUZZ_CHECK(cfg->core.n_devices >= 0 &&
	    cfg->core.n_devices <= CMM_MAX_DEVICES);
	for (int id = 0; id < CMM_MAX_NODES; id++) {
		bool has = cfg->node[id].present;

		FUZZ_CHECK(has == cmm_set_has(&cfg->core.configured, id));
		FUZZ_CHECK((cmm_config_check_id(cfg, id, err, sizeof(err)) == 0) ==
		    has);
		if (!has)
			continue;
		present++;
		if (first < 0)
			first = id;
		FUZZ_CHECK(cfg->node[id].salen > 0);
		(void)cmm_config_state_dir(cfg, id, buf, sizeof(buf));
		(void)cmm_config_socket(cfg, id, buf, sizeof(buf));
	}
	FUZZ_CHECK(present > 0);
	FUZZ_CHECK(cmm_config_check_id(cfg, -1, err, sizeof(err)) < 0);
	FUZZ_CHECK(cmm_config_check_id(cfg, CMM_MAX_NODES, err, sizeof(err)) < 0);
	for (int i = 0; i < cfg->core.n_devices; i++) {
		const struct cmm_device_cfg *d = &cfg->core.devices[i];

		FUZZ_CHECK(cmm_config_device(cfg, d->name) == i);
		FUZZ_CHECK(cmm_set_subset(&d->nodes, &cfg->core.configured));
		FUZZ_CHECK(cmm_set_count(&d->nodes) >= 2);
	}
	FUZZ_CHECK(cmm_config_initial_name(cfg->core.initial) != NULL);
	FUZZ_CHECK(cmm_config_isolation_name(cfg->core.isolation) != NULL);
	FUZZ_CHECK(cmm_config_winner_name(cfg->core.winner) != NULL);
	FUZZ_CHECK(cmm_config_loss_name(cfg->core.on_quorum_loss) != NULL);
	run_core(first);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	path[64], err[1024];
	int	fd, rc;

	if ((fd = fuzz_memfile("cmm.conf", data, size, path, sizeof(path))) < 0)
		return 0;
	memset(err, 'x', sizeof(err));
	rc = cmm_config_load(path, cfg, err, sizeof(err));
	close(fd);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		/* one line: what, where, why */
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strchr(err, '\n') == NULL);
		return 0;
	}
	check_loaded();
	return 0;
}
