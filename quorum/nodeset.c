/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nodeset: bitset of node ids; see nodeset.h. */
#include "quorum/nodeset.h"
#include "util/fnv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmm_set_max(const struct cmm_set *s)
{
	for (int i = CMM_SET_WORDS - 1; i >= 0; i--)
		if (s->w[i])
			return i * 64 + 63 - __builtin_clzll(s->w[i]);
	return -1;
}

uint64_t
cmm_set_hash(const struct cmm_set *s, uint64_t h)
{
	for (int i = 0; i < CMM_SET_WORDS; i++) {
		uint64_t w = s->w[i];

		for (int b = 0; b < 8; b++)
			h = cmm_fnv64_byte(h, (uint8_t)(w >> (8 * b)));
	}
	return h;
}

size_t
cmm_set_format(const struct cmm_set *s, char *buf, size_t len)
{
	size_t n = 0;
	char tmp[32];

	if (len > 0)
		buf[0] = '\0';
	if (cmm_set_empty(s)) {
		if (len > 1)
			snprintf(buf, len, "-");
		return 1;
	}
	for (int i = cmm_set_next(s, 0); i >= 0;) {
		int j = i;

		while (j + 1 < CMM_MAX_NODES && cmm_set_has(s, j + 1))
			j++;
		if (j == i)
			snprintf(tmp, sizeof(tmp), "%s%d", n ? "," : "", i);
		else
			snprintf(tmp, sizeof(tmp), "%s%d-%d", n ? "," : "", i, j);
		size_t t = strlen(tmp);
		if (n + t < len)
			memcpy(buf + n, tmp, t + 1);
		else if (len > 0)
			buf[len - 1 < n ? len - 1 : n] = '\0';
		n += t;
		i = cmm_set_next(s, j + 1);
	}
	return n;
}

static int
parse_id(const char **p, int limit, int *out, const char **why)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p)) {
		*why = "expected a node id";
		return -1;
	}
	v = strtol(*p, &end, 10);
	if (v < 0 || v >= limit) {
		*why = "node id out of range";
		return -1;
	}
	*p = end;
	*out = (int)v;
	return 0;
}

int
cmm_set_parse(const char *text, int limit, const struct cmm_set *all_ids,
    struct cmm_set *out, const char **why)
{
	const char *p = text;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	cmm_set_clear(out);
	if (limit > CMM_MAX_NODES)
		limit = CMM_MAX_NODES;
	if (all_ids != NULL && strcmp(text, "all") == 0) {
		*out = *all_ids;
		return 0;
	}
	if (strcmp(text, "-") == 0)
		return 0;
	if (*p == '\0') {
		*why = "empty node list";
		return -1;
	}
	for (;;) {
		int a, b;

		if (parse_id(&p, limit, &a, why) < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (parse_id(&p, limit, &b, why) < 0)
				return -1;
			if (b < a) {
				*why = "range runs backwards";
				return -1;
			}
		}
		for (int i = a; i <= b; i++)
			cmm_set_add(out, i);
		if (*p == '\0')
			return 0;
		if (*p != ',') {
			*why = "expected ',' between node ids";
			return -1;
		}
		p++;
	}
}
