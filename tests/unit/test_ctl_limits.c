/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/ctl/ctl_limits.c: who is read-write, read-only or turned
 * away; the connection slots kept for root; which commands a read-only
 * peer may run (every row of the command table); the output limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/ctl_limits.h"

static const struct cmm_ctl_access acc = {
	.owner = 1000, .group = 50, .has_readonly = true, .readonly = 60,
};

static struct cmm_ctl_peer
peer(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	struct cmm_ctl_peer p;

	memset(&p, 0, sizeof(p));
	p.uid = uid;
	p.gid = gid;
	p.ngroups = ngroups;
	for (int i = 0; i < ngroups; i++)
		p.groups[i] = groups[i];
	return p;
}

static void
test_roles(void **state)
{
	static const gid_t sup_rw[] = { 7, 50 }, sup_ro[] = { 60 },
	    sup_none[] = { 7, 8 };
	struct cmm_ctl_access noro = acc;
	struct cmm_ctl_peer p;

	(void)state;
	p = peer(0, 1234, 0, NULL);		/* root, whatever its groups */
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_ADMIN);
	p = peer(1000, 1234, -1, NULL);		/* the daemon's own user */
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_ADMIN);
	p = peer(2000, 50, 0, NULL);		/* primary gid = socket group */
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_ADMIN);
	p = peer(2000, 9, 2, sup_rw);		/* supplementary */
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_ADMIN);
	p = peer(2000, 60, 0, NULL);
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_READONLY);
	p = peer(2000, 9, 1, sup_ro);
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_READONLY);
	p = peer(2000, 9, 2, sup_none);
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_NONE);
	p = peer(65534, 65534, -1, NULL);
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_NONE);
	/* without a read-only group its gid means nothing */
	noro.has_readonly = false;
	p = peer(2000, 60, 1, sup_ro);
	assert_int_equal(cmm_ctl_role(&noro, &p), CMM_CTL_ROLE_NONE);
	/* read-write wins over read-only */
	p = peer(2000, 60, 2, sup_rw);
	assert_int_equal(cmm_ctl_role(&acc, &p), CMM_CTL_ROLE_ADMIN);
	assert_string_equal(cmm_ctl_role_name(CMM_CTL_ROLE_READONLY),
	    "read-only");
}

static void
test_slots(void **state)
{
	int max = CMM_CTL_MAX_CLIENTS, all = max + CMM_CTL_ROOT_SLOTS;

	(void)state;
	assert_null(cmm_ctl_admit(false, 0, 0));
	assert_null(cmm_ctl_admit(false, max - 1, max - 1));
	/* the 65th user connection is refused, root still gets in */
	assert_non_null(cmm_ctl_admit(false, max, max));
	assert_string_equal(cmm_ctl_admit(false, max, max),
	    "too many control connections (64 open; the last slots are kept "
	    "for root)");
	assert_null(cmm_ctl_admit(true, max, max));
	assert_null(cmm_ctl_admit(true, max, all - 1));
	/* root's own slots run out too, and users never reach them */
	assert_non_null(cmm_ctl_admit(true, max, all));
	assert_non_null(cmm_ctl_admit(false, 3, all));
	/* root's connections do not count against the users */
	assert_null(cmm_ctl_admit(false, max - 1, all - 1));
}

/* Every row of the table: a read-only peer may run exactly the rows that
 * neither change the node nor answer a prompt. */
static void
test_readonly_commands(void **state)
{
	static const char *const refused[] = { "answer isolated",
	    "answer not-isolated", "answer winner", "join", "leave",
	    "link cut", "link heal", "log level", "reconfigure" };
	static const char *const allowed[] = { "status", "nodes", "members",
	    "history", "watch", "wait state", "wait members", "help",
	    "list-commands", "round", "quorum", "devices" };
	const struct cmm_cmd_entry *e;
	int nref = 0;

	(void)state;
	for (e = cmm_cmd_table; e->name != NULL; e++) {
		bool ro = cmm_ctl_may_run(CMM_CTL_ROLE_READONLY, e->flags);
		bool listed = false;

		assert_true(cmm_ctl_may_run(CMM_CTL_ROLE_ADMIN, e->flags));
		assert_false(cmm_ctl_may_run(CMM_CTL_ROLE_NONE, e->flags));
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (strcmp(e->name, refused[i]) == 0)
				listed = true;
		if (listed) {
			nref++;
			if (ro)
				fail_msg("read-only may run '%s'", e->name);
		}
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strcmp(e->name, allowed[i]) == 0 && !ro)
				fail_msg("read-only may not run '%s'", e->name);
		/* any future row that changes the node is refused too */
		if (e->flags & (CMM_CMDF_MUTATES | CMM_CMDF_ANSWER))
			assert_false(ro);
	}
	assert_int_equal(nref, sizeof(refused) / sizeof(refused[0]));
}

static void
test_output_limits(void **state)
{
	(void)state;
	assert_true(CMM_CTL_OUT_SOFT < CMM_CTL_OUT_HARD);
	assert_true(cmm_ctl_event_fits(0));
	assert_true(cmm_ctl_event_fits(CMM_CTL_OUT_SOFT));
	assert_false(cmm_ctl_event_fits(CMM_CTL_OUT_SOFT + 1));
	assert_false(cmm_ctl_out_over(CMM_CTL_OUT_HARD));
	assert_true(cmm_ctl_out_over(CMM_CTL_OUT_HARD + 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_readonly_commands),
		cmocka_unit_test(test_output_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
