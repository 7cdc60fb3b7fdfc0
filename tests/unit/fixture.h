/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fixture.h: what several unit tests build the same way -- a node set
 * from its text, a set compared with its text, a substring assertion, a
 * private temporary directory and its removal.  Static inline, so a test
 * includes it and links nothing more (each test is one .c file linked
 * with libcmm.a).  Include after <cmocka.h>.
 */
#ifndef CMM_TESTS_FIXTURE_H
#define CMM_TESTS_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quorum/nodeset.h"

/* The set written as in the config ("0-3,5"; "-" or NULL is empty); a
 * malformed one is a mistake in the test and fails it. */
static inline struct cmm_set
fx_set(const char *text)
{
	struct cmm_set s;
	const char *why = NULL;

	if (text == NULL)
		text = "-";
	if (cmm_set_parse(text, CMM_MAX_NODES, NULL, &s, &why) != 0)
		fail_msg("bad set \"%s\" in the test: %s", text,
		    why != NULL ? why : "?");
	return s;
}

/* s is the set written `want`; the message shows both. */
static inline void
fx_assert_set(const struct cmm_set *s, const char *want)
{
	struct cmm_set ws = fx_set(want);

	if (!cmm_set_eq(s, &ws)) {
		char got[256];

		cmm_set_format(s, got, sizeof(got));
		fail_msg("set {%s}, want {%s}", got, want);
	}
}

static inline void
fx_assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* A new private directory /tmp/cmm-test-NAME.XXXXXX (or under $TMPDIR)
 * in dir[len]; 0, or -1 when it cannot be made. */
static inline int
fx_tmpdir(char *dir, size_t len, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = snprintf(dir, len, "%s/cmm-test-%s.XXXXXX", base, name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes what a test left in its directory (files, not subdirectories:
 * the tests make none) and the directory; 0, or -1 if something stays. */
static inline int
fx_tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			rc = -1;
	}
	closedir(d);
	if (rmdir(dir) != 0)
		rc = -1;
	return rc;
}

#endif
