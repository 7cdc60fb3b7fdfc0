/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_core_keys: the one table of cluster keys (src/core/core_keys.h).
 * The config reader and the simulator's scenario language accept exactly
 * the same values and refuse the others with the same reason, the rule
 * between keys included; and assets/cmm.conf.5 states the table's bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/core/core_keys.h"
#include "src/node/config.h"
#include "src/sim/sim.h"

static char dir[64];
static char cfgpath[128], simpath[128];
static struct cmm_config *cfg;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cmm-test-keys-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/cmm.conf", dir);
	snprintf(simpath, sizeof(simpath), "%s/s.sim", dir);
	cfg = malloc(sizeof(*cfg));
	return cfg == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char key[160];

	(void)state;
	snprintf(key, sizeof(key), "%s/key", dir);
	unlink(cfgpath);
	unlink(simpath);
	unlink(key);
	rmdir(dir);
	free(cfg);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The reason after "FILE:LINE: " ("" when accepted), and *line. */
static const char *
reason(const char *err, const char *path, int *line)
{
	size_t n = strlen(path);

	if (err[0] == '\0')
		return "";
	assert_true(strncmp(err, path, n) == 0 && err[n] == ':');
	*line = atoi(err + n + 1);
	return strchr(err + n + 1, ' ') + 1;
}

/*
 * Sets the keys (lines "KEY VALUE") in a config and in a scenario; both
 * must agree: accepted by both, or refused by both with the same reason
 * on the same key line.  Returns the reason ("" if accepted).
 */
static const char *
both(const char *k1, const char *v1, const char *k2, const char *v2)
{
	static char cerr_r[512];
	char	text[1024], cerr[512], serr[512];
	struct cmm_sim_opts o = { .seed = 1, .nodes = 2, .out = stdout };
	/* the config's watchdog_timeout_s needs a watchdog (a path, which
	 * a scenario has not got: there every node has one) */
	bool	wd = strcmp(k1, "watchdog_timeout_s") == 0 ||
	    (k2 != NULL && strcmp(k2, "watchdog_timeout_s") == 0);
	struct cmm_sim *s;
	const char *cr, *sr;
	int	cline = 0, sline = 0;

	/* the same key order in both, so the key lines are 4.. and 2.. */
	snprintf(text, sizeof(text), "[node 0]\naddress = 127.0.0.1:7400\n"
	    "[cluster]\n%s = %s\n%s%s%s%s%sname = t\nkey_file = key\n"
	    "[node 1]\naddress = 127.0.0.1:7401\n", k1, v1,
	    k2 ? k2 : "", k2 ? " = " : "", k2 ? v2 : "", k2 ? "\n" : "",
	    wd ? "watchdog = wd\n" : "");
	write_file(cfgpath, text);
	cerr[0] = '\0';
	(void)cmm_config_load(cfgpath, cfg, cerr, sizeof(cerr));

	snprintf(text, sizeof(text), "nodes 2\nset %s %s\n%s%s%s%s%s", k1, v1,
	    k2 ? "set " : "", k2 ? k2 : "", k2 ? " " : "", k2 ? v2 : "",
	    k2 ? "\n" : "");
	write_file(simpath, text);
	serr[0] = '\0';
	s = cmm_sim_script_load(simpath, &o, 0, serr, sizeof(serr));
	if (s != NULL)
		cmm_sim_free(s);
	assert_true((s == NULL) == (serr[0] != '\0'));

	cr = reason(cerr, cfgpath, &cline);
	sr = reason(serr, simpath, &sline);
	if (strcmp(cr, sr) != 0)
		fail_msg("%s = %s, %s = %s:\n  config: %s\n  sim:    %s", k1, v1,
		    k2 ? k2 : "-", k2 ? v2 : "-", cerr, serr);
	/* the same statement is blamed: config lines 4, 5; scenario 2, 3 */
	if (cr[0] != '\0')
		assert_int_equal(cline - 2, sline);
	snprintf(cerr_r, sizeof(cerr_r), "%s", cr);
	return cerr_r;
}

static void
test_same_bounds(void **state)
{
	char	lo[32], hi[32], below[32], above[32], want[160];
	const char *r;

	(void)state;
	for (int i = 0; i < CMM_KEY__COUNT; i++) {
		const struct cmm_key *k = &cmm_core_keys[i];

		if (k->type == CMM_KEY_ENUM)
			continue;
		snprintf(lo, sizeof(lo), "%lld", k->min);
		snprintf(hi, sizeof(hi), "%lld", k->max);
		snprintf(below, sizeof(below), "%lld", k->min - 1);
		snprintf(above, sizeof(above), "%lld", k->max + 1);
		/* both ends are in range: taken, unless the rule between keys
		 * refuses them (failure_timeout_ms 1, heartbeat_ms 60000) --
		 * both() checks the two readers agree either way */
		r = both(k->name, lo, NULL, NULL);
		assert_true(r[0] == '\0' || strstr(r, "must exceed") != NULL);
		r = both(k->name, hi, NULL, NULL);
		assert_true(r[0] == '\0' || strstr(r, "must exceed") != NULL);
		snprintf(want, sizeof(want), "%s: %s is out of range "
		    "(%lld..%lld)", k->name, below, k->min, k->max);
		assert_string_equal(both(k->name, below, NULL, NULL), want);
		snprintf(want, sizeof(want), "%s: %s is out of range "
		    "(%lld..%lld)", k->name, above, k->min, k->max);
		assert_string_equal(both(k->name, above, NULL, NULL), want);
		snprintf(want, sizeof(want), "%s: '1.5' is not a whole number",
		    k->name);
		assert_string_equal(both(k->name, "1.5", NULL, NULL), want);
	}
	/* the bounds the two readers used to disagree on */
	assert_string_equal(both("heartbeat_ms", "86400000", NULL, NULL),
	    "heartbeat_ms: 86400000 is out of range (1..60000)");
	assert_string_equal(both("prompt_timeout_s", "604800", NULL, NULL), "");
	assert_string_equal(both("heartbeat_ms", "60000", "failure_timeout_ms",
	    "600000"), "");
	assert_string_equal(both("failure_timeout_ms", "3", "heartbeat_ms", "1"),
	    "");
}

static void
test_same_enums(void **state)
{
	(void)state;
	for (int i = 0; i < CMM_KEY__COUNT; i++) {
		const struct cmm_key *k = &cmm_core_keys[i];

		if (k->type != CMM_KEY_ENUM)
			continue;
		for (const struct cmm_key_name *n = k->names; n->name; n++)
			assert_string_equal(both(k->name, n->name, NULL, NULL), "");
		assert_non_null(strstr(both(k->name, "maybe", NULL, NULL),
		    "bad value 'maybe' (expected "));
	}
	assert_string_equal(both("winner", "sometimes", NULL, NULL),
	    "winner: bad value 'sometimes' (expected ask, lowest or highest)");
}

static void
test_same_rule(void **state)
{
	(void)state;
	/* failure_timeout_ms > 2 * heartbeat_ms: the key written is blamed */
	assert_string_equal(both("failure_timeout_ms", "200", "heartbeat_ms",
	    "100"), "failure_timeout_ms: 200 must exceed 2 * heartbeat_ms = 200");
	assert_string_equal(both("failure_timeout_ms", "201", "heartbeat_ms",
	    "100"), "");
	assert_string_equal(both("heartbeat_ms", "500", NULL, NULL),
	    "heartbeat_ms: 500 is too large: failure_timeout_ms (1000) must "
	    "exceed 2 * heartbeat_ms");
	assert_string_equal(both("heartbeat_ms", "499", NULL, NULL), "");
	assert_string_equal(both("heartbeat_ms", "60000", "failure_timeout_ms",
	    "120000"), "failure_timeout_ms: 120000 must exceed 2 * "
	    "heartbeat_ms = 120000");
}

/* The man page's paragraph of each number key says "(MIN to MAX)". */
static void
test_man_page_bounds(void **state)
{
	FILE	*f = fopen("assets/cmm.conf.5", "r");
	char	 line[512], want[64];
	int	 found[CMM_KEY__COUNT] = { 0 }, cur = -1;
	bool	 after_tp = false;

	(void)state;
	if (f == NULL)
		fail_msg("assets/cmm.conf.5: run from the top of the tree");
	while (fgets(line, sizeof(line), f) != NULL) {
		bool tag = after_tp;	/* the line after .TP names the key */

		after_tp = strncmp(line, ".TP", 3) == 0;
		if (after_tp || strncmp(line, ".SH", 3) == 0)
			cur = -1;
		for (int i = 0; i < CMM_KEY__COUNT && tag; i++) {
			size_t n = strlen(cmm_core_keys[i].name);

			if ((strncmp(line, ".BI ", 4) == 0 ||
			    strncmp(line, ".BR ", 4) == 0) &&
			    strncmp(line + 4, cmm_core_keys[i].name, n) == 0 &&
			    line[4 + n] == ' ')
				cur = i;
		}
		if (cur < 0 || cmm_core_keys[cur].type == CMM_KEY_ENUM)
			continue;
		snprintf(want, sizeof(want), "(%lld to %lld)",
		    cmm_core_keys[cur].min, cmm_core_keys[cur].max);
		if (strstr(line, want) != NULL)
			found[cur] = 1;
	}
	fclose(f);
	for (int i = 0; i < CMM_KEY__COUNT; i++)
		if (cmm_core_keys[i].type != CMM_KEY_ENUM && !found[i])
			fail_msg("assets/cmm.conf.5: %s does not say (%lld to %lld)",
			    cmm_core_keys[i].name, cmm_core_keys[i].min,
			    cmm_core_keys[i].max);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bounds),
		cmocka_unit_test(test_same_enums),
		cmocka_unit_test(test_same_rule),
		cmocka_unit_test(test_man_page_bounds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
