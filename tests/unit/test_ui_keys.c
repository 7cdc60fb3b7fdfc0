/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_ui_keys: the console's key table (ui/keys.h) is the one source of
 * its key documentation.  The "Keys" section of assets/cmm.1 and the key
 * table of README.md must be exactly what the table generates (between
 * their markers); every readline command name is in cmm(1); the help view
 * and the usage have one line per row.  On a mismatch the test prints the
 * text to paste.  Run from the top of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/keys.h"

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	if (f == NULL)
		fail_msg("%s: cannot open (run from the top of the tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *
generate(void (*gen)(FILE *))
{
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&buf, &n);

	assert_non_null(f);
	gen(f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The text of path from the begin marker's line to the end marker's line
 * (both included) equals what gen writes. */
static void
in_sync(const char *path, const char *begin, const char *end,
    void (*gen)(FILE *))
{
	char	*text = slurp(path), *want = generate(gen);
	char	*a = strstr(text, begin), *b;

	if (a == NULL)
		fail_msg("%s: no line '%s'", path, begin);
	b = strstr(a, end);
	if (b == NULL)
		fail_msg("%s: no line '%s' after the begin marker", path, end);
	b += strlen(end) + 1;
	if ((size_t)(b - a) != strlen(want) || strncmp(a, want, strlen(want)))
		fail_msg("%s is out of step with ui/keys.c; its block should "
		    "read:\n%s", path, want);
	free(text);
	free(want);
}

static void
test_man_page(void **state)
{
	(void)state;
	in_sync("assets/cmm.1", CMM_UI_KEYS_MAN_BEGIN, CMM_UI_KEYS_MAN_END,
	    cmm_ui_keys_man);
}

static void
test_readme(void **state)
{
	(void)state;
	in_sync("README.md", CMM_UI_KEYS_MD_BEGIN, CMM_UI_KEYS_MD_END,
	    cmm_ui_keys_readme);
}

/* ~/.inputrc names the commands: cmm(1) lists each one. */
static void
test_defuns_documented(void **state)
{
	char	*man = slurp("assets/cmm.1");
	char	 want[64];

	(void)state;
	for (int i = 0; i < CMM_UI_NKEYS; i++) {
		const char *d = cmm_ui_keys[i].defun;
		size_t	    n = 0;

		if (d == NULL)
			continue;
		for (; *d != '\0' && n + 2 < sizeof(want); d++) {
			if (*d == '-')
				want[n++] = '\\';
			want[n++] = *d;
		}
		want[n] = '\0';
		if (strstr(man, want) == NULL)
			fail_msg("assets/cmm.1 does not name the readline command "
			    "%s", cmm_ui_keys[i].defun);
	}
	free(man);
}

static void
test_table(void **state)
{
	char	 line[256];
	char	*usage = generate(cmm_ui_keys_usage);
	int	 n = 0, bound = 0;

	(void)state;
	for (int i = 0; cmm_ui_keys_help_line(i, line, sizeof(line)); i++) {
		const struct cmm_ui_key *k = &cmm_ui_keys[i];

		n++;
		assert_non_null(strstr(usage, line));
		assert_true(strlen(k->key) > 0 && strlen(k->help) > 0);
		/* one line each: nothing that would break a row or a cell */
		assert_null(strpbrk(k->help, "\n|"));
		assert_null(strpbrk(k->key, "\n|\""));
		/* a row that does something is bound, or rebindable by name */
		if (k->act != CMM_UI_KA_NONE)
			assert_true(k->defun != NULL || k->both[0] != NULL ||
			    k->nav[0] != NULL || k->edit[0] != NULL);
		bound += k->both[0] != NULL || k->nav[0] != NULL;
	}
	assert_int_equal(n, CMM_UI_NKEYS);
	assert_true(bound > 0);
	for (int i = 0; i < CMM_UI_NLOCAL; i++)
		assert_non_null(strstr(usage, cmm_ui_local_cmds[i].name));
	/* two rows never bind the same sequence in the same map */
	for (int i = 0; i < CMM_UI_NKEYS; i++)
		for (int j = 0; j < CMM_UI_KEY_SEQS; j++)
			for (int i2 = i + 1; i2 < CMM_UI_NKEYS; i2++)
				for (int j2 = 0; j2 < CMM_UI_KEY_SEQS; j2++) {
					const struct cmm_ui_key *a = &cmm_ui_keys[i];
					const struct cmm_ui_key *b = &cmm_ui_keys[i2];

					if (a->both[j] && b->both[j2])
						assert_string_not_equal(a->both[j],
						    b->both[j2]);
					if (a->nav[j] && b->nav[j2])
						assert_string_not_equal(a->nav[j],
						    b->nav[j2]);
				}
	free(usage);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_readme),
		cmocka_unit_test(test_defuns_documented),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
