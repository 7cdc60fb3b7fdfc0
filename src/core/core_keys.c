/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core_keys: the table of the core's cluster keys; see core_keys.h. */
#include "src/core/core_keys.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/parse.h"

/* an enum field is written through an int */
_Static_assert(sizeof(enum cmm_initial_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmm_isolation_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmm_winner_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmm_loss_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cmm_fast_fail) == sizeof(int), "enum size");

static const struct cmm_key_name names_initial[] = {
	{ "majority", CMM_INITIAL_MAJORITY }, { "ask", CMM_INITIAL_ASK },
	{ "any", CMM_INITIAL_ANY }, { NULL, 0 },
};
static const struct cmm_key_name names_isolation[] = {
	{ "ask", CMM_ISOLATION_ASK }, { "isolated", CMM_ISOLATION_ISOLATED },
	{ "not-isolated", CMM_ISOLATION_NOT_ISOLATED }, { NULL, 0 },
};
static const struct cmm_key_name names_winner[] = {
	{ "ask", CMM_WINNER_ASK }, { "lowest", CMM_WINNER_LOWEST },
	{ "highest", CMM_WINNER_HIGHEST }, { NULL, 0 },
};
static const struct cmm_key_name names_loss[] = {
	{ "rejoin", CMM_LOSS_REJOIN }, { "halt", CMM_LOSS_HALT }, { NULL, 0 },
};
static const struct cmm_key_name names_yes_no[] = {
	{ "yes", CMM_FAST_FAIL_YES }, { "no", CMM_FAST_FAIL_NO }, { NULL, 0 },
};

#define MS(id, key, lo, hi, sc, field, u) [(id)] = { .name = (key), \
	.type = CMM_KEY_MS, .min = (lo), .max = (hi), .scale = (sc), \
	.offset = offsetof(struct cmm_core_cfg, field), .unit = (u) }
#define ENUM(id, key, tab, field) [(id)] = { .name = (key), \
	.type = CMM_KEY_ENUM, .names = (tab), \
	.offset = offsetof(struct cmm_core_cfg, field) }

/*
 * The bounds catch typos, not taste: a heartbeat over a minute or a
 * timeout over ten minutes would leave a failure unnoticed for longer
 * than any operator means; a prompt open for more than a week is a typo
 * (0 already means "for ever").
 */
const struct cmm_key cmm_core_keys[CMM_KEY__COUNT] = {
	MS(CMM_KEY_HEARTBEAT, "heartbeat_ms", 1, 60000, 1, heartbeat_ms, "MS"),
	MS(CMM_KEY_FAILURE, "failure_timeout_ms", 1, 600000, 1,
	    failure_timeout_ms, "MS"),
	MS(CMM_KEY_ROUND, "round_timeout_ms", 1, 600000, 1, round_timeout_ms,
	    "MS"),
	MS(CMM_KEY_JOIN, "join_retry_ms", 1, 600000, 1, join_retry_ms, "MS"),
	MS(CMM_KEY_PROMPT, "prompt_timeout_s", 0, 604800, 1000,
	    prompt_timeout_ms, "S"),
	ENUM(CMM_KEY_INITIAL, "initial_quorum", names_initial, initial),
	ENUM(CMM_KEY_ISOLATION, "isolation", names_isolation, isolation),
	ENUM(CMM_KEY_WINNER, "winner", names_winner, winner),
	ENUM(CMM_KEY_LOSS, "on_quorum_loss", names_loss, on_quorum_loss),
	[CMM_KEY_CONFIG_VERSION] = { .name = "config_version",
	    .type = CMM_KEY_U32, .min = 1, .max = UINT32_MAX,
	    .offset = offsetof(struct cmm_core_cfg, config_version),
	    .unit = "N" },
	/* the kernel's watchdog API counts whole seconds in an int */
	MS(CMM_KEY_WATCHDOG, "watchdog_timeout_s", 1, 3600, 1000,
	    watchdog_timeout_ms, "S"),
	ENUM(CMM_KEY_FAST_FAIL, "fast_fail", names_yes_no, fast_fail),
	/* four probes' worth: they go out a quarter of it apart, 1 ms at
	 * least */
	MS(CMM_KEY_SUSPECT, "suspect_confirm_ms", 4, 10000, 1,
	    suspect_confirm_ms, "MS"),
};

const struct cmm_key_rule cmm_core_key_rules[] = {
	/* the detector must miss two heartbeats in a row before it declares
	 * a failure, or one lost datagram starts a round */
	{ CMM_KEY_FAILURE, CMM_KEY_HEARTBEAT, 2 },
};
const size_t cmm_core_n_key_rules =
    sizeof(cmm_core_key_rules) / sizeof(cmm_core_key_rules[0]);

const struct cmm_key *
cmm_core_key_find(const char *name)
{
	for (int i = 0; i < CMM_KEY__COUNT; i++)
		if (strcmp(cmm_core_keys[i].name, name) == 0)
			return &cmm_core_keys[i];
	return NULL;
}

/* "a, b or c": the names of an ENUM key */
static void
key_names_list(const struct cmm_key_name *tab, char *buf, size_t len)
{
	size_t	used = 0;
	int	i, n;

	for (n = 0; tab[n].name != NULL; n++)
		;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", tab[i].name);
}

int
cmm_core_key_set(struct cmm_core_cfg *cfg, const struct cmm_key *k,
    const char *value, char *why, size_t whylen)
{
	char	*field = (char *)cfg + k->offset;
	char	 list[128];
	long long v;

	switch (k->type) {
	case CMM_KEY_MS:
		if (cmm_parse_int(value, k->min, k->max, &v, why, whylen) != 0)
			return -1;
		*(int64_t *)(void *)field = (int64_t)v * k->scale;
		return 0;
	case CMM_KEY_U32:
		if (cmm_parse_int(value, k->min, k->max, &v, why, whylen) != 0)
			return -1;
		*(uint32_t *)(void *)field = (uint32_t)v;
		return 0;
	case CMM_KEY_ENUM:
		for (int i = 0; k->names[i].name != NULL; i++)
			if (strcmp(value, k->names[i].name) == 0) {
				*(int *)(void *)field = k->names[i].value;
				return 0;
			}
		key_names_list(k->names, list, sizeof(list));
		if (whylen > 0)
			snprintf(why, whylen, "bad value '%.40s' (expected %s)",
			    value, list);
		return -1;
	}
	return -1;
}

const char *
cmm_core_key_value_name(enum cmm_key_id id, int value)
{
	const struct cmm_key_name *tab;

	if ((int)id < 0 || id >= CMM_KEY__COUNT ||
	    cmm_core_keys[id].type != CMM_KEY_ENUM)
		return "?";
	for (tab = cmm_core_keys[id].names; tab->name != NULL; tab++)
		if (tab->value == value)
			return tab->name;
	return "?";
}

/* the value of an MS or U32 key as written (prompt_timeout_s in s) */
static long long
key_value(const struct cmm_core_cfg *cfg, enum cmm_key_id id)
{
	const struct cmm_key *k = &cmm_core_keys[id];
	const char *field = (const char *)cfg + k->offset;

	if (k->type == CMM_KEY_U32)
		return *(const uint32_t *)(const void *)field;
	return *(const int64_t *)(const void *)field / k->scale;
}

int
cmm_core_keys_check(const struct cmm_core_cfg *cfg, const bool *given,
    enum cmm_key_id *blame, char *why, size_t whylen)
{
	for (size_t i = 0; i < cmm_core_n_key_rules; i++) {
		const struct cmm_key_rule *r = &cmm_core_key_rules[i];
		const char *hi = cmm_core_keys[r->hi].name;
		const char *lo = cmm_core_keys[r->lo].name;
		long long vhi = key_value(cfg, r->hi), vlo = key_value(cfg, r->lo);

		if (vhi > r->factor * vlo)
			continue;
		/* name the key that was written, so the message has a line */
		if (given == NULL || given[r->hi]) {
			*blame = r->hi;
			if (whylen > 0)
				snprintf(why, whylen, "%lld must exceed %d * %s = "
				    "%lld", vhi, r->factor, lo, r->factor * vlo);
		} else {
			*blame = r->lo;
			if (whylen > 0)
				snprintf(why, whylen, "%lld is too large: %s (%lld) "
				    "must exceed %d * %s", vlo, hi, vhi, r->factor,
				    lo);
		}
		return -1;
	}
	return 0;
}
