/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_keys: the cluster keys that fill struct cmm_core_cfg -- the
 * timings and the policies -- in one table: name, type, bounds, enum
 * names, the field each sets, and the rules between keys.  The config
 * file reader (src/node/config.c) and the simulator's scenario language
 * (src/sim/sim_script.c) both set keys only through it, so the simulator
 * runs exactly the configurations the daemon accepts and refuses the
 * others with the same reason.  assets/cmm.conf.5 documents the same
 * bounds (tests/unit/test_core_keys.c compares them).  libc only.
 *
 * Reasons are one line without the place: the caller prefixes
 * "FILE:LINE: KEY: ".
 */
#ifndef CMM_CORE_KEYS_H
#define CMM_CORE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/core.h"

/* one index per key, the table's order */
enum cmm_key_id {
	CMM_KEY_HEARTBEAT, CMM_KEY_FAILURE, CMM_KEY_ROUND, CMM_KEY_JOIN,
	CMM_KEY_PROMPT, CMM_KEY_INITIAL, CMM_KEY_ISOLATION, CMM_KEY_WINNER,
	CMM_KEY_LOSS, CMM_KEY_CONFIG_VERSION, CMM_KEY_WATCHDOG,
	CMM_KEY_FAST_FAIL, CMM_KEY_SUSPECT, CMM_KEY__COUNT
};

enum cmm_key_type {
	CMM_KEY_MS,	/* an int64_t field: the value written times scale */
	CMM_KEY_U32,	/* a uint32_t field */
	CMM_KEY_ENUM,	/* an enum field: one of names[] */
};

struct cmm_key_name {
	const char	*name;
	int		 value;
};

struct cmm_key {
	const char	*name;
	enum cmm_key_type type;
	long long	 min, max;	/* MS, U32: bounds of the value written */
	int		 scale;		/* MS: field = value * scale */
	const struct cmm_key_name *names;	/* ENUM: ends with a NULL name */
	size_t		 offset;	/* of the field in struct cmm_core_cfg */
	const char	*unit;		/* MS, U32: "MS", "S", "N" (the man page) */
};

/* A rule between two keys: field(hi) > factor * field(lo). */
struct cmm_key_rule {
	enum cmm_key_id	 hi, lo;
	int		 factor;
};

extern const struct cmm_key cmm_core_keys[CMM_KEY__COUNT];
extern const struct cmm_key_rule cmm_core_key_rules[];
extern const size_t cmm_core_n_key_rules;

/* The key called name, or NULL. */
const struct cmm_key *cmm_core_key_find(const char *name);

/* Sets k's field of cfg from the text.  0, or -1 with a reason in why. */
int	cmm_core_key_set(struct cmm_core_cfg *cfg, const struct cmm_key *k,
	    const char *value, char *why, size_t whylen);

/* The name of an ENUM key's value, "?" when it has none. */
const char *cmm_core_key_value_name(enum cmm_key_id id, int value);

/*
 * The rules between keys on a whole config.  given[i] says key i was set
 * (NULL: all were).  0, or -1 with the key to blame in *blame (the one
 * that was set, so the message names a line) and a reason in why.
 */
int	cmm_core_keys_check(const struct cmm_core_cfg *cfg, const bool *given,
	    enum cmm_key_id *blame, char *why, size_t whylen);

#endif
