/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/hook.c: the hook runs without a shell with the CMM_*
 * environment, its exit code is reported, one that runs too long is
 * killed, one that cannot run is reported, and nothing blocks the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "src/node/hook.h"

struct fixture {
	char			dir[64];
	struct event_base	*base;
	char			lines[8][512];
	int			warn[8];
	int			n;
};

static void
on_report(void *ctx, int warn, const char *line)
{
	struct fixture *f = ctx;

	assert_true(f->n < 8);
	snprintf(f->lines[f->n], sizeof(f->lines[0]), "%s", line);
	f->warn[f->n] = warn;
	f->n++;
	event_base_loopbreak(f->base);
}

static void
run_until(struct fixture *f, int want)
{
	struct timeval tv = { 5, 0 };

	while (f->n < want) {
		int before = f->n;

		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
		if (f->n == before)
			fail_msg("no hook report within 5 s");
	}
}

static void
script(struct fixture *f, const char *name, const char *body, char *path,
    size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/cmm-hook.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->base = event_base_new();
	assert_non_null(f->base);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	event_base_free(f->base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
test_environment(void **state)
{
	struct fixture *f = *state;
	char path[128], body[512], out[160], got[512] = "";
	struct cmm_set m, dep, jn;
	struct cmm_hook *h;
	FILE *fp;

	snprintf(out, sizeof(out), "%s/out", f->dir);
	snprintf(body, sizeof(body), "echo \"$1|$CMM_EVENT|$CMM_NODE|$CMM_EPOCH|"
	    "$CMM_MEMBERS|$CMM_DEPARTED|$CMM_JOINED|$CMM_PROMPT\" >%s; exit 7",
	    out);
	script(f, "hook", body, path, sizeof(path));
	cmm_set_clear(&m);
	cmm_set_clear(&dep);
	cmm_set_clear(&jn);
	cmm_set_add(&m, 0);
	cmm_set_add(&m, 2);
	cmm_set_add(&m, 17);
	cmm_set_add(&dep, 5);
	h = cmm_hook_new(f->base, path, 5000, on_report, f);
	assert_non_null(h);
	cmm_hook_run(h, "commit", 2, 9, &m, &dep, &jn, NULL);
	assert_int_equal(cmm_hook_running(h), 1);
	run_until(f, 1);
	assert_int_equal(cmm_hook_running(h), 0);
	assert_non_null(strstr(f->lines[0], "hook commit (epoch 9): exit 7 after"));
	assert_int_equal(f->warn[0], 1);
	fp = fopen(out, "r");
	assert_non_null(fp);
	assert_non_null(fgets(got, sizeof(got), fp));
	fclose(fp);
	assert_string_equal(got, "commit|commit|2|9|0,2,17|5||\n");
	cmm_hook_free(h);
}

static void
test_time_limit(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct cmm_hook *h;
	struct timespec t0, t1;
	long ms;

	script(f, "slow", "exec sleep 30", path, sizeof(path));
	h = cmm_hook_new(f->base, path, 200, on_report, f);
	assert_non_null(h);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cmm_hook_run(h, "prompt", 1, 0, NULL, NULL, NULL, "isolation");
	run_until(f, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_non_null(strstr(f->lines[0], "killed after"));
	assert_true(ms >= 200 && ms < 3000);
	cmm_hook_free(h);
}

static void
test_cannot_run(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct cmm_hook *h;

	snprintf(path, sizeof(path), "%s/missing", f->dir);
	h = cmm_hook_new(f->base, path, 1000, on_report, f);
	assert_non_null(h);
	cmm_hook_run(h, "fence", 0, 4, NULL, NULL, NULL, NULL);
	/* the check before the run finds it missing */
	run_until(f, 1);
	assert_non_null(strstr(f->lines[0], "hook fence (epoch 4): not run: "
	    "hook "));
	assert_non_null(strstr(f->lines[0], "No such file or directory"));
	assert_int_equal(f->warn[0], 1);
	cmm_hook_free(h);
}

/* Who may write the hook, or its directory, could run code as the daemon:
 * such a hook is refused at start and not run later. */
static void
test_check(void **state)
{
	struct fixture *f = *state;
	char path[128], link[160], sub[128], want[400];
	struct cmm_hook *h;

	script(f, "hook", "exit 0", path, sizeof(path));
	assert_int_equal(cmm_hook_check(path, f->lines[7], 512), 0);
	assert_int_equal(cmm_hook_check("", f->lines[7], 512), 0);
	assert_int_equal(chmod(path, 0757), 0);
	assert_int_equal(cmm_hook_check(path, f->lines[7], 512), -1);
	snprintf(want, sizeof(want), "hook file %s: world-writable (mode 0757): "
	    "whoever may write it would run code as this daemon (chmod go-w "
	    "%s)", path, path);
	assert_string_equal(f->lines[7], want);
	assert_int_equal(chmod(path, 0775), 0);
	assert_int_equal(cmm_hook_check(path, f->lines[7], 512), -1);
	assert_non_null(strstr(f->lines[7], "group-writable (mode 0775)"));
	assert_int_equal(chmod(path, 0755), 0);
	/* the directory, and through a symlink the real one */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(cmm_hook_check(path, f->lines[7], 512), -1);
	snprintf(want, sizeof(want), "hook directory %s: world-writable", f->dir);
	assert_non_null(strstr(f->lines[7], want));
	snprintf(sub, sizeof(sub), "%s/safe", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(link, sizeof(link), "%s/hook", sub);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cmm_hook_check(link, f->lines[7], 512), -1);
	assert_non_null(strstr(f->lines[7], want));
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_int_equal(cmm_hook_check(link, f->lines[7], 512), 0);
	/* a hook made writable after the start is not run */
	h = cmm_hook_new(f->base, path, 1000, on_report, f);
	assert_non_null(h);
	assert_int_equal(chmod(path, 0777), 0);
	cmm_hook_run(h, "commit", 0, 3, NULL, NULL, NULL, NULL);
	assert_int_equal(cmm_hook_running(h), 0);
	assert_int_equal(f->n, 1);
	assert_non_null(strstr(f->lines[0], "hook commit (epoch 3): not run: "
	    "hook file "));
	assert_int_equal(f->warn[0], 1);
	cmm_hook_free(h);
	if (geteuid() != 0)
		return;
	/* owned by a third user: root only can make that */
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
	assert_int_equal(cmm_hook_check(path, f->lines[7], 512), -1);
	assert_non_null(strstr(f->lines[7], "owned by uid 65534, neither root "
	    "nor this daemon's uid"));
}

static void
test_no_hook(void **state)
{
	struct fixture *f = *state;
	struct cmm_hook *h = cmm_hook_new(f->base, "", 1000, on_report, f);

	assert_non_null(h);
	cmm_hook_run(h, "commit", 0, 1, NULL, NULL, NULL, NULL);
	assert_int_equal(cmm_hook_running(h), 0);
	assert_int_equal(f->n, 0);
	cmm_hook_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cannot_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
