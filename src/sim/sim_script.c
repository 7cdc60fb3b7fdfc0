/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_script: the scenario language of `cmm sim --script`, one
 * statement a line, `#` comments:
 *
 *   nodes N                      device NAME A B [C...]
 *   set KEY VALUE                policy isolation|winner|initial_quorum V
 *   at T start LIST|all          at T kill LIST       at T restart LIST
 *   at T lose LIST               (a crash that takes the host: no
 *                                 port-unreachable comes back for it)
 *   at T leave N                 at T join N
 *   at T partition LIST | LIST [| LIST...]
 *   at T cut A B                 at T cut A -> B      at T heal
 *   at T loss FRACTION           at T duplicate FRACTION
 *   at T drop TYPES A -> B       (until heal; TYPES: prepare,promise,...)
 *   at T jitter MS               at T device-latency MS [JITTER_MS]
 *   at T forget LIST             (restart with the state lost)
 *   at T explore                 (cmm sim --explore branches from here)
 *   at T answer N isolated|not-isolated|winner M
 *   at T force-quorum N dead LIST   (the operator's force-quorum on N)
 *   expect at T cluster LIST     expect at T state N STATE|down
 *   expect at T prompt N isolation|winner|none
 *   expect at T alarm N          (N raised the split-brain alarm)
 *   expect steps T1 T2 K
 *
 * and the runner of those actions.  A malformed line is "FILE:LINE:
 * reason" (exit 2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/core_keys.h"
#include "src/sim/sim.h"
#include "util/parse.h"

#define SCRIPT_TOK_MAX	128

struct script {
	const char	*path;
	int		line;
	struct cmm_sim	*sim;
	const struct cmm_sim_opts *o;
	unsigned	bugs;
	char		*err;
	size_t		errlen;
	int64_t		end;
	int		key_line[CMM_KEY__COUNT];	/* where each was set */
};

static int	script_err(struct script *sc, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static int	script_node(struct script *sc, const char *tok, int *out);
static int	script_list(struct script *sc, const char *tok,
		    struct cmm_set *out);
static int	script_time(struct script *sc, const char *tok, int64_t *out);
static int	script_arrow(struct script *sc, char **tok, int ntok, int *a,
		    int *b, bool *oneway);
static int	script_at(struct script *sc, char **tok, int ntok);
static int	script_expect(struct script *sc, char **tok, int ntok);
static int	script_line(struct script *sc, char *line);
static int	script_set(struct script *sc, char **tok, int ntok);
static int	script_check_keys(struct script *sc);
static void	script_queue(struct script *sc, struct cmm_sim_action *a,
		    uint8_t prio);
static void	action_expect_cluster(struct cmm_sim *s,
		    const struct cmm_sim_action *a);
static void	action_expect_state(struct cmm_sim *s,
		    const struct cmm_sim_action *a);

/* ---- values ---- */

int
cmm_sim_parse_time(const char *text, int64_t *out)
{
	int64_t whole = 0, frac = 0, scale = 1;
	const char *p = text;
	int fdig = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (whole > INT64_C(1000000000000))
			return -1;
		whole = whole * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (++fdig > 3)
				return -1;
			frac = frac * 10 + (*p++ - '0');
			scale *= 10;
		}
	}
	if (strcmp(p, "ms") == 0 && fdig == 0) {
		*out = whole;
		return 0;
	}
	if (strcmp(p, "s") == 0) {
		*out = whole * 1000 + frac * 1000 / scale;
		return 0;
	}
	if (*p == '\0' && whole == 0 && fdig == 0) {
		*out = 0;	/* "0" needs no unit */
		return 0;
	}
	return -1;
}

int
cmm_sim_parse_fraction(const char *text, uint32_t *ppm)
{
	const char *p = text;
	uint64_t v = 0, scale = 1000000;
	int dig = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > 100)
			return -1;
	}
	if (*p == '%' && p[1] == '\0') {
		*ppm = (uint32_t)(v * 10000);
		return v <= 100 ? 0 : -1;
	}
	v *= scale;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (++dig > 6)
				return -1;
			scale /= 10;
			v += (uint64_t)(*p++ - '0') * scale;
		}
		if (dig == 0)
			return -1;
	}
	if (*p != '\0' || v > 1000000)
		return -1;
	*ppm = (uint32_t)v;
	return 0;
}

/* ---- the parser ---- */

static int
script_err(struct script *sc, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(sc->err, sc->errlen, "%s:%d: %s", sc->path, sc->line, buf);
	return -1;
}

static int
script_node(struct script *sc, const char *tok, int *out)
{
	long long v;

	if (tok == NULL)
		return script_err(sc, "missing node id");
	if (!isdigit((unsigned char)tok[0]))
		return script_err(sc, "'%s' is not a node id", tok);
	if (cmm_parse_int(tok, 0, sc->sim->n - 1, &v, NULL, 0) != 0)
		return script_err(sc, "node '%s' out of range 0..%d", tok,
		    sc->sim->n - 1);
	*out = (int)v;
	return 0;
}

static int
script_list(struct script *sc, const char *tok, struct cmm_set *out)
{
	const char *why = NULL;

	if (tok == NULL)
		return script_err(sc, "missing node list");
	if (cmm_set_parse(tok, sc->sim->n, &sc->sim->cfg->configured, out,
	    &why) != 0)
		return script_err(sc, "bad node list '%s': %s", tok,
		    why != NULL ? why : "malformed");
	if (cmm_set_empty(out))
		return script_err(sc, "empty node list '%s'", tok);
	return 0;
}

static int
script_time(struct script *sc, const char *tok, int64_t *out)
{
	if (tok == NULL)
		return script_err(sc, "missing time");
	if (cmm_sim_parse_time(tok, out) != 0)
		return script_err(sc, "bad time '%s' (want e.g. 500ms, 2s, 1.5s)",
		    tok);
	if (*out > sc->end)
		sc->end = *out;
	return 0;
}

/* "A -> B", "A->B" or, without the arrow, "A B" (both ways). */
static int
script_arrow(struct script *sc, char **tok, int ntok, int *a, int *b,
    bool *oneway)
{
	char buf[128] = "";
	char *arrow;

	for (int i = 0; i < ntok; i++) {
		if (strlen(buf) + strlen(tok[i]) + 2 >= sizeof(buf))
			return script_err(sc, "link too long");
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, tok[i]);
	}
	if ((arrow = strstr(buf, "->")) != NULL) {
		char *l = buf, *r = arrow + 2;

		*arrow = '\0';
		while (*r == ' ')
			r++;
		for (char *e = arrow; e > l && e[-1] == ' '; e--)
			e[-1] = '\0';
		*oneway = true;
		if (*l == '\0' || *r == '\0')
			return script_err(sc, "want A -> B");
		if (script_node(sc, l, a) != 0 || script_node(sc, r, b) != 0)
			return -1;
	} else {
		*oneway = false;
		if (ntok != 2)
			return script_err(sc, "want A B or A -> B");
		if (script_node(sc, tok[0], a) != 0 ||
		    script_node(sc, tok[1], b) != 0)
			return -1;
	}
	if (*a == *b)
		return script_err(sc, "a link needs two different nodes");
	return 0;
}

static void
script_queue(struct script *sc, struct cmm_sim_action *a, uint8_t prio)
{
	a->line = sc->line;
	cmm_sim_add_action(sc->sim, a, prio);
}

static int
script_at(struct script *sc, char **tok, int ntok)
{
	struct cmm_sim_action a;
	const char *verb;
	int args;

	memset(&a, 0, sizeof(a));
	if (ntok < 3)
		return script_err(sc, "want: at T ACTION ...");
	if (script_time(sc, tok[1], &a.t) != 0)
		return -1;
	verb = tok[2];
	tok += 3;
	args = ntok - 3;
	if (strcmp(verb, "start") == 0 || strcmp(verb, "restart") == 0 ||
	    strcmp(verb, "kill") == 0 || strcmp(verb, "lose") == 0) {
		if (args != 1)
			return script_err(sc, "want: at T %s LIST", verb);
		if (script_list(sc, tok[0], &a.set) != 0)
			return -1;
		a.kind = verb[0] == 'k' || verb[0] == 'l' ? CMM_SIM_A_KILL :
		    CMM_SIM_A_START;
		/* lose: the host goes too, so nothing answers for it */
		a.flag = verb[0] == 'l';
	} else if (strcmp(verb, "leave") == 0 || strcmp(verb, "join") == 0) {
		if (args != 1)
			return script_err(sc, "want: at T %s N", verb);
		if (script_node(sc, tok[0], &a.n) != 0)
			return -1;
		a.kind = verb[0] == 'l' ? CMM_SIM_A_LEAVE : CMM_SIM_A_JOIN;
	} else if (strcmp(verb, "partition") == 0) {
		char buf[4096] = "", *p, *save = NULL;
		struct cmm_set seen;

		for (int i = 0; i < args; i++) {
			if (strlen(buf) + strlen(tok[i]) + 1 >= sizeof(buf))
				return script_err(sc, "partition too long");
			strcat(buf, tok[i]);
		}
		if (strchr(buf, '|') == NULL)
			return script_err(sc, "want: at T partition LIST | LIST "
			    "[| LIST...]");
		cmm_set_clear(&seen);
		for (p = strtok_r(buf, "|", &save); p != NULL;
		    p = strtok_r(NULL, "|", &save)) {
			struct cmm_set g, both;
			struct cmm_set *ng;

			if (script_list(sc, p, &g) != 0) {
				free(a.groups);
				return -1;
			}
			cmm_set_and(&both, &g, &seen);
			if (!cmm_set_empty(&both)) {
				free(a.groups);
				return script_err(sc, "node lists of a partition "
				    "must not overlap");
			}
			cmm_set_or(&seen, &seen, &g);
			ng = realloc(a.groups, (size_t)(a.ngroups + 1) *
			    sizeof(*ng));
			if (ng == NULL) {
				free(a.groups);
				return script_err(sc, "out of memory");
			}
			a.groups = ng;
			a.groups[a.ngroups++] = g;
		}
		if (a.ngroups < 2) {
			free(a.groups);
			return script_err(sc, "a partition needs two groups or "
			    "more");
		}
		a.kind = CMM_SIM_A_PARTITION;
	} else if (strcmp(verb, "cut") == 0) {
		if (script_arrow(sc, tok, args, &a.n, &a.m, &a.flag) != 0)
			return -1;
		a.kind = CMM_SIM_A_CUT;
	} else if (strcmp(verb, "heal") == 0) {
		if (args != 0)
			return script_err(sc, "heal takes no arguments");
		a.kind = CMM_SIM_A_HEAL;
	} else if (strcmp(verb, "loss") == 0 || strcmp(verb, "duplicate") == 0) {
		if (args != 1 || cmm_sim_parse_fraction(tok[0], &a.ppm) != 0)
			return script_err(sc, "want: at T %s FRACTION (0..1 or "
			    "N%%)", verb);
		a.kind = verb[0] == 'l' ? CMM_SIM_A_LOSS : CMM_SIM_A_DUP;
	} else if (strcmp(verb, "drop") == 0) {
		bool oneway;
		uint32_t mask;

		if (args < 2 || cmm_sim_parse_types(tok[0], &mask) != 0)
			return script_err(sc, "want: at T drop TYPE[,TYPE...] A -> B "
			    "(types: heartbeat prepare promise nack accept accepted "
			    "commit leave, propose = accept,accepted, round)");
		if (script_arrow(sc, tok + 1, args - 1, &a.n, &a.m, &oneway) != 0)
			return -1;
		if (!oneway)
			return script_err(sc, "want: at T drop TYPES A -> B");
		a.ppm = mask;
		a.kind = CMM_SIM_A_DROP;
	} else if (strcmp(verb, "forget") == 0 ||
	    strcmp(verb, "power-cut") == 0) {
		if (args != 1 || script_list(sc, tok[0], &a.set) != 0)
			return args != 1 ? script_err(sc, "want: at T %s LIST",
			    verb) : -1;
		a.kind = verb[0] == 'f' ? CMM_SIM_A_FORGET : CMM_SIM_A_POWER_CUT;
	} else if (strcmp(verb, "jitter") == 0 ||
	    strcmp(verb, "device-latency") == 0) {
		long long v, w = 0;

		if (args < 1 || args > (verb[0] == 'j' ? 1 : 2) ||
		    cmm_parse_int(tok[0], 0, 60000, &v, NULL, 0) != 0 ||
		    (args == 2 && cmm_parse_int(tok[1], 0, 60000, &w, NULL,
		    0) != 0))
			return script_err(sc, "want: at T %s MS%s (0..60000)", verb,
			    verb[0] == 'j' ? "" : " [JITTER_MS]");
		a.k = (int)v;
		a.m = (int)w;
		a.kind = verb[0] == 'j' ? CMM_SIM_A_JITTER : CMM_SIM_A_DEVLAT;
	} else if (strcmp(verb, "explore") == 0) {
		if (args != 0 && !(args == 2 && strcmp(tok[0], "path") == 0))
			return script_err(sc, "want: at T explore [path N.N.N]");
		if (sc->sim->explore_line != 0)
			return script_err(sc, "one explore statement per scenario");
		if (args == 2) {
			for (const char *q = tok[1]; *q; q++)
				if (!isdigit((unsigned char)*q) && *q != '.')
					return script_err(sc, "bad path '%s'", tok[1]);
			if ((sc->sim->xpath = strdup(tok[1])) == NULL)
				return script_err(sc, "out of memory");
		}
		sc->sim->explore_line = sc->line;
		sc->sim->explore_t = a.t;
		a.kind = CMM_SIM_A_EXPLORE;
	} else if (strcmp(verb, "answer") == 0) {
		if (args < 2)
			return script_err(sc, "want: at T answer N isolated|"
			    "not-isolated|winner M");
		if (script_node(sc, tok[0], &a.n) != 0)
			return -1;
		if (strcmp(tok[1], "isolated") == 0 && args == 2) {
			a.kind = CMM_SIM_A_ANSWER_ISO;
			a.flag = true;
		} else if (strcmp(tok[1], "not-isolated") == 0 && args == 2) {
			a.kind = CMM_SIM_A_ANSWER_ISO;
			a.flag = false;
		} else if (strcmp(tok[1], "winner") == 0 && args == 3) {
			if (script_node(sc, tok[2], &a.m) != 0)
				return -1;
			a.kind = CMM_SIM_A_ANSWER_WINNER;
		} else {
			return script_err(sc, "want: at T answer N isolated|"
			    "not-isolated|winner M");
		}
	} else if (strcmp(verb, "force-quorum") == 0) {
		if (args != 3 || strcmp(tok[1], "dead") != 0)
			return script_err(sc, "want: at T force-quorum N dead LIST");
		if (script_node(sc, tok[0], &a.n) != 0 ||
		    script_list(sc, tok[2], &a.set) != 0)
			return -1;
		a.kind = CMM_SIM_A_FORCE;
	} else {
		return script_err(sc, "unknown action '%s'", verb);
	}
	script_queue(sc, &a, 0);
	return 0;
}

static int
script_expect(struct script *sc, char **tok, int ntok)
{
	struct cmm_sim_action a;

	memset(&a, 0, sizeof(a));
	if (ntok >= 2 && strcmp(tok[1], "steps") == 0) {
		long long k;

		if (ntok != 5)
			return script_err(sc, "want: expect steps T1 T2 K");
		if (script_time(sc, tok[2], &a.t1) != 0 ||
		    script_time(sc, tok[3], &a.t) != 0)
			return -1;
		if (a.t < a.t1)
			return script_err(sc, "T2 is before T1");
		if (cmm_parse_int(tok[4], 0, 1000000, &k, NULL, 0) != 0)
			return script_err(sc, "bad step count '%s'", tok[4]);
		a.k = (int)k;
		a.kind = CMM_SIM_A_EXPECT_STEPS;
		script_queue(sc, &a, 0);
		return 0;
	}
	if (ntok < 5 || strcmp(tok[1], "at") != 0)
		return script_err(sc, "want: expect at T cluster|state|prompt "
		    "... or expect steps T1 T2 K");
	if (script_time(sc, tok[2], &a.t) != 0)
		return -1;
	if (strcmp(tok[3], "cluster") == 0) {
		if (ntok != 5 || script_list(sc, tok[4], &a.set) != 0)
			return ntok != 5 ? script_err(sc, "want: expect at T "
			    "cluster LIST") : -1;
		a.kind = CMM_SIM_A_EXPECT_CLUSTER;
	} else if (strcmp(tok[3], "state") == 0) {
		if (ntok != 6)
			return script_err(sc, "want: expect at T state N STATE");
		if (script_node(sc, tok[4], &a.n) != 0)
			return -1;
		if (strcmp(tok[5], "down") == 0)
			a.state = -1;
		else if ((a.state = cmm_state_parse(tok[5])) < 0)
			return script_err(sc, "unknown state '%s'", tok[5]);
		a.kind = CMM_SIM_A_EXPECT_STATE;
	} else if (strcmp(tok[3], "alarm") == 0) {
		if (ntok != 5)
			return script_err(sc, "want: expect at T alarm N");
		if (script_node(sc, tok[4], &a.n) != 0)
			return -1;
		a.kind = CMM_SIM_A_EXPECT_ALARM;
	} else if (strcmp(tok[3], "prompt") == 0) {
		if (ntok != 6)
			return script_err(sc, "want: expect at T prompt N "
			    "isolation|winner|none");
		if (script_node(sc, tok[4], &a.n) != 0)
			return -1;
		if (strcmp(tok[5], "isolation") == 0)
			a.state = CMM_PROMPT_ISOLATION;
		else if (strcmp(tok[5], "winner") == 0)
			a.state = CMM_PROMPT_WINNER;
		else if (strcmp(tok[5], "none") == 0)
			a.state = CMM_PROMPT_NONE;
		else
			return script_err(sc, "unknown prompt '%s' (isolation, "
			    "winner, none)", tok[5]);
		a.kind = CMM_SIM_A_EXPECT_PROMPT;
	} else {
		return script_err(sc, "unknown expectation '%s'", tok[3]);
	}
	script_queue(sc, &a, 0);
	return 0;
}

static int
script_line(struct script *sc, char *line)
{
	char *tok[SCRIPT_TOK_MAX], *p, *save = NULL;
	int ntok = 0;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == SCRIPT_TOK_MAX)
			return script_err(sc, "too many words");
		tok[ntok++] = p;
	}
	if (ntok == 0)
		return 0;
	if (strcmp(tok[0], "nodes") == 0) {
		struct cmm_sim_opts o = *sc->o;
		long long v;

		if (sc->sim != NULL)
			return script_err(sc, "'nodes' given twice");
		if (ntok != 2 || !isdigit((unsigned char)tok[1][0]))
			return script_err(sc, "want: nodes N");
		if (cmm_parse_int(tok[1], 1, CMM_MAX_NODES, &v, NULL, 0) != 0)
			return script_err(sc, "node count must be 1..%d",
			    CMM_MAX_NODES);
		o.nodes = (int)v;
		if ((sc->sim = cmm_sim_new(&o)) == NULL)
			return script_err(sc, "cannot create the simulator");
		sc->sim->cfg->bugs = sc->bugs;
		return 0;
	}
	if (sc->sim == NULL)
		return script_err(sc, "'nodes N' must come first");
	if (strcmp(tok[0], "device") == 0) {
		struct cmm_core_cfg *cfg = sc->sim->cfg;
		struct cmm_device_cfg *d;
		struct cmm_set one;

		if (ntok < 4)
			return script_err(sc, "want: device NAME A B [C...]");
		if (strlen(tok[1]) >= CMM_NAME_MAX)
			return script_err(sc, "device name too long");
		for (int i = 0; i < cfg->n_devices; i++)
			if (strcmp(cfg->devices[i].name, tok[1]) == 0)
				return script_err(sc, "device '%s' defined twice",
				    tok[1]);
		if (cfg->n_devices == CMM_MAX_DEVICES)
			return script_err(sc, "more than %d devices",
			    CMM_MAX_DEVICES);
		d = &cfg->devices[cfg->n_devices];
		memset(d, 0, sizeof(*d));
		strcpy(d->name, tok[1]);
		for (int i = 2; i < ntok; i++) {
			if (script_list(sc, tok[i], &one) != 0)
				return -1;
			cmm_set_or(&d->nodes, &d->nodes, &one);
		}
		if (cmm_set_count(&d->nodes) < 2)
			return script_err(sc, "a device is shared by two nodes "
			    "or more");
		cfg->n_devices++;
		return 0;
	}
	if (strcmp(tok[0], "set") == 0 || strcmp(tok[0], "policy") == 0)
		return script_set(sc, tok, ntok);
	if (strcmp(tok[0], "at") == 0)
		return script_at(sc, tok, ntok);
	if (strcmp(tok[0], "expect") == 0)
		return script_expect(sc, tok, ntok);
	return script_err(sc, "unknown statement '%s'", tok[0]);
}

/* "set KEY VALUE" / "policy KEY VALUE": a cluster key through the table
 * the config file uses (src/core/core_keys.c), with the same bounds and
 * the same reason, "FILE:LINE: KEY: reason". */
static int
script_set(struct script *sc, char **tok, int ntok)
{
	const struct cmm_key *k;
	char why[CMM_PARSE_WHY_LEN + 64];
	int id;

	if (ntok != 3)
		return script_err(sc, "want: %s KEY VALUE", tok[0]);
	if (tok[0][0] == 'p' && strcmp(tok[1], "isolation") != 0 &&
	    strcmp(tok[1], "winner") != 0 &&
	    strcmp(tok[1], "initial_quorum") != 0)
		return script_err(sc, "unknown policy '%s' (isolation, "
		    "winner, initial_quorum)", tok[1]);
	if ((k = cmm_core_key_find(tok[1])) == NULL) {
		char list[512] = "";

		for (id = 0; id < CMM_KEY__COUNT; id++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
			    "%s%s", id == 0 ? "" : ", ", cmm_core_keys[id].name);
		return script_err(sc, "%s: unknown key (%s)", tok[1], list);
	}
	id = (int)(k - cmm_core_keys);
	if (sc->key_line[id] > 0)
		return script_err(sc, "%s: duplicate key (first at line %d)",
		    tok[1], sc->key_line[id]);
	if (cmm_core_key_set(sc->sim->cfg, k, tok[2], why, sizeof(why)) != 0)
		return script_err(sc, "%s: %s", tok[1], why);
	sc->key_line[id] = sc->line;
	return 0;
}

/* The rules between keys, once all are set, like the config reader's
 * last check: the simulator runs no configuration the daemon refuses. */
static int
script_check_keys(struct script *sc)
{
	bool given[CMM_KEY__COUNT];
	enum cmm_key_id blame;
	char why[CMM_PARSE_WHY_LEN + 64];

	for (int i = 0; i < CMM_KEY__COUNT; i++)
		given[i] = sc->key_line[i] > 0;
	if (cmm_core_keys_check(sc->sim->cfg, given, &blame, why,
	    sizeof(why)) == 0)
		return 0;
	sc->line = sc->key_line[blame];
	return script_err(sc, "%s: %s", cmm_core_keys[blame].name, why);
}

struct cmm_sim *
cmm_sim_script_load(const char *path, const struct cmm_sim_opts *o,
    unsigned bugs, char *err, size_t errlen)
{
	struct script sc;
	char line[8192];
	FILE *f;

	memset(&sc, 0, sizeof(sc));
	sc.path = path;
	sc.o = o;
	sc.bugs = bugs;
	sc.err = err;
	sc.errlen = errlen;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		sc.line++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			script_err(&sc, "line too long");
			goto fail;
		}
		if (script_line(&sc, line) != 0)
			goto fail;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	if (sc.sim == NULL) {
		snprintf(err, errlen, "%s: no 'nodes N' statement", path);
		return NULL;
	}
	if (script_check_keys(&sc) != 0) {
		cmm_sim_free(sc.sim);
		return NULL;
	}
	if (cmm_sim_ready(sc.sim) != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		cmm_sim_free(sc.sim);
		return NULL;
	}
	sc.sim->end = sc.end;
	return sc.sim;
fail:
	fclose(f);
	cmm_sim_free(sc.sim);
	return NULL;
}

/* ---- running actions ---- */

static void
action_expect_cluster(struct cmm_sim *s, const struct cmm_sim_action *a)
{
	struct cmm_core_status st;
	char want[256], got[256];
	uint32_t epoch = 0;
	int live = 0;

	cmm_set_format(&a->set, want, sizeof(want));
	for (int i = cmm_set_next(&a->set, 0); i >= 0;
	    i = cmm_set_next(&a->set, i + 1)) {
		if (s->nodes[i].core == NULL)
			continue;
		cmm_core_status(s->nodes[i].core, &st);
		cmm_set_format(&st.members, got, sizeof(got));
		if (!st.member || !cmm_set_eq(&st.members, &a->set)) {
			cmm_sim_fail(s, a->line, "expect at %" PRId64 "ms cluster "
			    "%s: node %d is %s, epoch %" PRIu32 ", members %s",
			    a->t, want, i, cmm_state_name(st.state), st.epoch,
			    got);
			return;
		}
		if (live > 0 && st.epoch != epoch) {
			cmm_sim_fail(s, a->line, "expect at %" PRId64 "ms cluster "
			    "%s: node %d is at epoch %" PRIu32 ", others at %"
			    PRIu32, a->t, want, i, st.epoch, epoch);
			return;
		}
		epoch = st.epoch;
		live++;
	}
	if (live == 0)
		cmm_sim_fail(s, a->line, "expect at %" PRId64 "ms cluster %s: no "
		    "node of it is running", a->t, want);
	else
		cmm_sim_trace(s, -1, "expect cluster %s: ok (epoch %" PRIu32 ")",
		    want, epoch);
}

static void
action_expect_state(struct cmm_sim *s, const struct cmm_sim_action *a)
{
	struct cmm_core_status st;
	const char *want = a->state < 0 ? "down" : cmm_state_name(a->state);
	const char *got = "down";

	if (s->nodes[a->n].core != NULL) {
		cmm_core_status(s->nodes[a->n].core, &st);
		got = cmm_state_name(st.state);
	}
	if (strcmp(want, got) != 0)
		cmm_sim_fail(s, a->line, "expect at %" PRId64 "ms state %d %s: "
		    "it is %s", a->t, a->n, want, got);
	else
		cmm_sim_trace(s, -1, "expect state %d %s: ok", a->n, want);
}

void
cmm_sim_do_action(struct cmm_sim *s, int idx)
{
	struct cmm_sim_action a = s->acts[idx];
	struct cmm_sim_node *n = NULL;
	const char *why = "";
	char buf[256];
	int k;

	if (a.n >= 0 && a.n < s->n)
		n = &s->nodes[a.n];
	switch (a.kind) {
	case CMM_SIM_A_START:
		for (int i = cmm_set_next(&a.set, 0); i >= 0;
		    i = cmm_set_next(&a.set, i + 1))
			cmm_sim_start_node(s, i);
		break;
	case CMM_SIM_A_KILL:
		for (int i = cmm_set_next(&a.set, 0); i >= 0;
		    i = cmm_set_next(&a.set, i + 1)) {
			cmm_sim_kill_node(s, i);
			s->nodes[i].host_lost = a.flag;
		}
		break;
	case CMM_SIM_A_LEAVE:
	case CMM_SIM_A_JOIN:
		if (n->core == NULL) {
			if (a.line > 0)
				cmm_sim_fail(s, a.line, "%s %d: the node is down",
				    a.kind == CMM_SIM_A_LEAVE ? "leave" : "join",
				    a.n);
			break;
		}
		cmm_sim_trace(s, -1, "%s %d", a.kind == CMM_SIM_A_LEAVE ?
		    "leave" : "join", a.n);
		k = a.kind == CMM_SIM_A_LEAVE ?
		    cmm_core_leave(n->core, s->now, &why) :
		    cmm_core_join(n->core, s->now, &why);
		if (k != 0 && a.line > 0)
			cmm_sim_fail(s, a.line, "%s %d refused: %s",
			    a.kind == CMM_SIM_A_LEAVE ? "leave" : "join", a.n,
			    why != NULL ? why : "");
		else if (k != 0)
			cmm_sim_trace(s, a.n, "%s refused: %s",
			    a.kind == CMM_SIM_A_LEAVE ? "leave" : "join",
			    why != NULL ? why : "");
		cmm_sim_after_input(s, n);
		break;
	case CMM_SIM_A_PARTITION:
		buf[0] = '\0';
		for (int g = 0; g < a.ngroups; g++) {
			size_t l = strlen(buf);

			if (g > 0 && l + 3 < sizeof(buf))
				strcat(buf, " | "), l += 3;
			cmm_set_format(&a.groups[g], buf + l, sizeof(buf) - l);
		}
		cmm_sim_trace(s, -1, "partition %s", buf);
		cmm_sim_net_partition(s, a.groups, a.ngroups);
		break;
	case CMM_SIM_A_CUT:
		cmm_sim_trace(s, -1, "cut %d %s %d", a.n, a.flag ? "->" : "<->",
		    a.m);
		cmm_sim_net_cut(s, a.n, a.m, a.flag);
		break;
	case CMM_SIM_A_HEAL:
		cmm_sim_trace(s, -1, "heal");
		cmm_sim_net_heal(s);
		break;
	case CMM_SIM_A_LOSS:
		cmm_sim_trace(s, -1, "loss %" PRIu32 " ppm", a.ppm);
		s->loss_ppm = a.ppm;
		break;
	case CMM_SIM_A_DUP:
		cmm_sim_trace(s, -1, "duplicate %" PRIu32 " ppm", a.ppm);
		s->dup_ppm = a.ppm;
		break;
	case CMM_SIM_A_DELAY:
		cmm_sim_trace(s, -1, "extra delay %d ms", a.k);
		s->delay_ms = a.k;
		break;
	case CMM_SIM_A_DROP:
		cmm_sim_trace(s, -1, "drop types 0x%" PRIx32 " %d -> %d", a.ppm,
		    a.n, a.m);
		cmm_sim_net_drop(s, a.n, a.m, a.ppm);
		break;
	case CMM_SIM_A_FORGET:
		for (int i = cmm_set_next(&a.set, 0); i >= 0;
		    i = cmm_set_next(&a.set, i + 1))
			cmm_sim_forget_node(s, i);
		break;
	case CMM_SIM_A_POWER_CUT:
		for (int i = cmm_set_next(&a.set, 0); i >= 0;
		    i = cmm_set_next(&a.set, i + 1))
			s->nodes[i].cut_at_commit = true;
		break;
	case CMM_SIM_A_JITTER:
		cmm_sim_trace(s, -1, "jitter %d ms", a.k);
		s->jitter_ms = a.k;
		break;
	case CMM_SIM_A_DEVLAT:
		cmm_sim_trace(s, -1, "device latency %d ms + up to %d ms", a.k,
		    a.m);
		s->devlat_ms = a.k > 0 ? a.k : 1;
		s->devjit_ms = a.m;
		break;
	case CMM_SIM_A_EXPLORE:
		cmm_sim_explore_begin(s);
		break;
	case CMM_SIM_A_EXPECT_ALARM:
		s->expectations++;
		if (!n->alarmed)
			cmm_sim_fail(s, a.line, "expect at %" PRId64 "ms alarm %d: "
			    "no split-brain alarm was raised", a.t, a.n);
		else
			cmm_sim_trace(s, -1, "expect alarm %d: ok", a.n);
		break;
	case CMM_SIM_A_ANSWER_ISO:
	case CMM_SIM_A_ANSWER_WINNER: {
		int old_iso = n->ans_iso, old_win = n->ans_winner;

		if (n->core == NULL) {
			cmm_sim_fail(s, a.line, "answer %d: the node is down", a.n);
			break;
		}
		/* recorded first: the core may commit inside the call */
		if (a.kind == CMM_SIM_A_ANSWER_ISO) {
			cmm_sim_trace(s, -1, "answer %d %s", a.n,
			    a.flag ? "isolated" : "not-isolated");
			n->ans_iso = a.flag ? 1 : 0;
			n->ans_inst = n->prompt.round_epoch;
			k = cmm_core_answer_isolation(n->core, s->now, a.flag,
			    &why);
		} else {
			cmm_sim_trace(s, -1, "answer %d winner %d", a.n, a.m);
			n->ans_winner = a.m;
			n->ans_inst = n->prompt.round_epoch;
			k = cmm_core_answer_winner(n->core, s->now, a.m, &why);
		}
		if (k != 0) {
			n->ans_iso = old_iso;
			n->ans_winner = old_win;
			cmm_sim_fail(s, a.line, "answer %d refused: %s", a.n,
			    why != NULL ? why : "");
		}
		cmm_sim_after_input(s, n);
		break;
	}
	case CMM_SIM_A_FORCE: {
		char dl[256];

		if (n->core == NULL) {
			cmm_sim_fail(s, a.line, "force-quorum %d: the node is down",
			    a.n);
			break;
		}
		cmm_set_format(&a.set, dl, sizeof(dl));
		cmm_sim_trace(s, -1, "force-quorum %d dead %s", a.n, dl);
		/* recorded first, like an answer: the checker must see the
		 * declaration that stands in for the dead */
		n->force_inst = n->disk.epoch + 1;
		n->force_dead = a.set;
		if (cmm_core_force_quorum(n->core, s->now, &a.set, &why) != 0) {
			n->force_inst = 0;
			cmm_sim_fail(s, a.line, "force-quorum %d refused: %s", a.n,
			    why != NULL ? why : "");
		}
		cmm_sim_after_input(s, n);
		break;
	}
	case CMM_SIM_A_EXPECT_CLUSTER:
		s->expectations++;
		action_expect_cluster(s, &a);
		break;
	case CMM_SIM_A_EXPECT_STATE:
		s->expectations++;
		action_expect_state(s, &a);
		break;
	case CMM_SIM_A_EXPECT_PROMPT: {
		static const char *pn[] = { "none", "isolation", "winner" };

		s->expectations++;
		if ((int)n->prompt.kind != a.state || n->core == NULL)
			cmm_sim_fail(s, a.line, "expect at %" PRId64 "ms prompt %d "
			    "%s: %s", a.t, a.n, pn[a.state], n->core == NULL ?
			    "the node is down" : pn[n->prompt.kind]);
		else
			cmm_sim_trace(s, -1, "expect prompt %d %s: ok", a.n,
			    pn[a.state]);
		break;
	}
	case CMM_SIM_A_EXPECT_STEPS:
		s->expectations++;
		k = cmm_sim_steps(s, a.t1, a.t);
		if (k != a.k)
			cmm_sim_fail(s, a.line, "expect steps %" PRId64 "ms %"
			    PRId64 "ms %d: %d new epochs were committed", a.t1,
			    a.t, a.k, k);
		else
			cmm_sim_trace(s, -1, "expect steps %d: ok", a.k);
		break;
	default:
		cmm_sim_random_action(s, &a);
		break;
	}
}
