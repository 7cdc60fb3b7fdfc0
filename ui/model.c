/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model: the console's view of one node, from the protocol's JSON replies
 * and events (see the header). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ui/model.h"
#include "util/parse.h"

static json_t	*model_parse(const char *s, char *err, size_t errlen,
		    const char *what);
static int	 model_set(json_t *a, struct cmm_ui_set *s);
static void	 model_id_keys(json_t *o, struct cmm_ui_set *s);
static void	 model_str(json_t *o, const char *key, char *buf, size_t len);
static int64_t	 model_int(json_t *o, const char *key, int64_t dflt);
static void	 model_clean(char *s);
static enum cmm_ui_logkind model_kind(const char *type);
static void	 model_mark_fenced(struct cmm_ui_model *m);
static void	 model_fences(struct cmm_ui_model *m);
static int	 model_round_copy(struct cmm_ui_round *to,
		    const struct cmm_ui_round *from);

/* ---- sets ---- */

void
cmm_ui_set_clear(struct cmm_ui_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
cmm_ui_set_add(struct cmm_ui_set *s, int id)
{
	if (id >= 0 && id < CMM_UI_MAX_ID)
		s->w[id / 64] |= (uint64_t)1 << (id % 64);
}

bool
cmm_ui_set_has(const struct cmm_ui_set *s, int id)
{
	return id >= 0 && id < CMM_UI_MAX_ID &&
	    (s->w[id / 64] >> (id % 64)) & 1;
}

int
cmm_ui_set_count(const struct cmm_ui_set *s)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(s->w) / sizeof(s->w[0]); i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

bool
cmm_ui_set_eq(const struct cmm_ui_set *a, const struct cmm_ui_set *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

int
cmm_ui_set_format(const struct cmm_ui_set *s, char *buf, size_t len)
{
	size_t	used = 0;
	int	total = 0, k, lo;

	if (len > 0)
		buf[0] = '\0';
	for (int i = 0; i < CMM_UI_MAX_ID; i++) {
		if (!cmm_ui_set_has(s, i))
			continue;
		lo = i;
		while (i + 1 < CMM_UI_MAX_ID && cmm_ui_set_has(s, i + 1))
			i++;
		if (lo == i)
			k = snprintf(buf + used, len > used ? len - used : 0,
			    "%s%d", total ? "," : "", lo);
		else
			k = snprintf(buf + used, len > used ? len - used : 0,
			    "%s%d-%d", total ? "," : "", lo, i);
		total += k;
		used = (size_t)total < len ? (size_t)total : len;
	}
	if (total == 0)
		total = snprintf(buf, len, "-");
	return total;
}

/* ---- JSON helpers ---- */

static json_t *
model_parse(const char *s, char *err, size_t errlen, const char *what)
{
	json_error_t	je;
	json_t		*o = json_loads(s, 0, &je);

	if (o == NULL) {
		snprintf(err, errlen, "%s reply: not JSON: %s (column %d)", what,
		    je.text, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s reply: not a JSON object", what);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A JSON array of node ids into s; -1 if a is not one. */
static int
model_set(json_t *a, struct cmm_ui_set *s)
{
	size_t	i;
	json_t	*v;

	cmm_ui_set_clear(s);
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v))
			return -1;
		cmm_ui_set_add(s, (int)json_integer_value(v));
	}
	return 0;
}

/* The ids of an object {"id": epoch} whose epoch is not 0. */
static void
model_id_keys(json_t *o, struct cmm_ui_set *s)
{
	const char	*key;
	json_t		*v;
	long long	 id;

	cmm_ui_set_clear(s);
	if (!json_is_object(o))
		return;
	json_object_foreach(o, key, v) {
		if (cmm_parse_int(key, 0, CMM_UI_MAX_ID - 1, &id, NULL, 0) == 0 &&
		    json_is_integer(v) && json_integer_value(v) != 0)
			cmm_ui_set_add(s, (int)id);
	}
}

static void
model_str(json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(buf, len, "%s", s ? s : "");
	model_clean(buf);
}

/* An integer field, dflt when missing or null. */
static int64_t
model_int(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* Nothing from the wire reaches the terminal as a control character. */
static void
model_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* ---- life cycle ---- */

void
cmm_ui_model_init(struct cmm_ui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->log = calloc(CMM_UI_LOG_MAX, sizeof(*m->log));
	cmm_ui_model_reset(m);
}

void
cmm_ui_model_reset(struct cmm_ui_model *m)
{
	free(m->nodes);
	free(m->round.rows);
	free(m->decided.rows);
	free(m->devices);
	free(m->cmds);
	free(m->cmd_args);
	free(m->says);
	m->says = NULL;
	m->nsays = 0;
	m->nodes = NULL;
	m->nnodes = 0;
	m->alarm[0] = '\0';
	memset(&m->status, 0, sizeof(m->status));
	m->status.crown_prince = -1;
	m->status.since_commit_ms = -1;
	memset(&m->round, 0, sizeof(m->round));
	m->round.left_ms = -1;
	memset(&m->decided, 0, sizeof(m->decided));
	memset(&m->decided_q, 0, sizeof(m->decided_q));
	m->round_note[0] = '\0';
	memset(&m->quorum, 0, sizeof(m->quorum));
	m->quorum.crown_prince = -1;
	m->devices = NULL;
	m->ndevices = 0;
	m->nhist = 0;
	memset(&m->prompt, 0, sizeof(m->prompt));
	m->prompt.deadline = -1;
	m->nfences = 0;
	m->cmds = NULL;
	m->cmd_args = NULL;
	m->ncmds = 0;
	m->failure_timeout_ms = 0;
	m->last_change = -1;
	m->quorumless_seen = -1;
}

void
cmm_ui_model_free(struct cmm_ui_model *m)
{
	cmm_ui_model_reset(m);
	free(m->log);
	m->log = NULL;
}

/* ---- replies ---- */

/*
 * The way out of a lost quorum the node offers (force-quorum, see
 * cmm(1) "recovering a partition that lost quorum"): a string, or an
 * object with the exact command, under one of the names a node may use;
 * with the time without quorum when the node says it.
 */
static void
model_suggest(json_t *o, struct cmm_ui_status *s)
{
	static const char *const names[] = { "suggest", "force_quorum",
	    "suggestion", NULL };
	static const char *const ms_names[] = { "quorumless_ms",
	    "no_quorum_ms", "without_quorum_ms", NULL };
	char	 cmd[160] = "";
	json_t	*d;

	s->quorumless_ms = -1;
	for (int i = 0; ms_names[i] != NULL; i++)
		if (json_is_integer(json_object_get(o, ms_names[i])))
			s->quorumless_ms = model_int(o, ms_names[i], -1);
	/* the node's own answer: the members to declare dead, or null when
	 * force-quorum would be refused now (then the console offers none) */
	d = json_object_get(o, "force_quorum_dead");
	s->offer_known = d != NULL;
	if (json_is_array(d)) {
		struct cmm_ui_set dead;
		char list[64];

		if (model_set(d, &dead) == 0 && cmm_ui_set_count(&dead) > 0) {
			cmm_ui_set_format(&dead, list, sizeof(list));
			snprintf(cmd, sizeof(cmd), "force-quorum dead %s confirm",
			    list);
		}
	}
	for (int i = 0; names[i] != NULL && cmd[0] == '\0'; i++) {
		d = json_object_get(o, names[i]);
		if (json_is_string(d))
			model_str(o, names[i], cmd, sizeof(cmd));
		else if (json_is_object(d))
			model_str(d, "command", cmd, sizeof(cmd));
	}
	if (cmd[0] == '\0')
		return;
	if (s->quorumless_ms >= 0)
		snprintf(s->suggest, sizeof(s->suggest), "NO QUORUM for %" PRId64
		    " s. Only if those nodes are really down: %.160s",
		    s->quorumless_ms / 1000, cmd);
	else
		snprintf(s->suggest, sizeof(s->suggest), "NO QUORUM. Only if "
		    "those nodes are really down: %.160s", cmd);
}

/*
 * Without the node's own offer, the console makes it: a node that was
 * a member of its configuration and has been without quorum for a while
 * (as this console saw it) may be brought back by declaring the members
 * it does not hear dead.  Said with the condition that makes it safe.
 */
static void
model_suggest_fallback(struct cmm_ui_model *m, struct cmm_ui_status *s,
    int64_t now)
{
	struct cmm_ui_set	dead;
	char			list[64];
	int64_t			wait = m->failure_timeout_ms > 0 ?
				    (int64_t)m->failure_timeout_ms *
				    CMM_UI_SUGGEST_TIMEOUTS : 10000;

	if (strcmp(s->state, "no-quorum") != 0 ||
	    !cmm_ui_set_has(&s->members, s->node)) {
		m->quorumless_seen = -1;
		return;
	}
	if (m->quorumless_seen < 0)
		m->quorumless_seen = now;
	if (s->suggest[0] != '\0' || s->offer_known ||
	    now - m->quorumless_seen < wait)
		return;
	cmm_ui_set_clear(&dead);
	for (int id = 0; id < CMM_UI_MAX_ID; id++)
		if (cmm_ui_set_has(&s->members, id) &&
		    !cmm_ui_set_has(&s->alive, id))
			cmm_ui_set_add(&dead, id);
	if (cmm_ui_set_count(&dead) == 0)
		return;
	cmm_ui_set_format(&dead, list, sizeof(list));
	snprintf(s->suggest, sizeof(s->suggest), "NO QUORUM for %" PRId64
	    " s. Only if nodes %.60s are really down: force-quorum dead %.60s "
	    "confirm", (now - m->quorumless_seen) / 1000, list, list);
}

int
cmm_ui_model_status(struct cmm_ui_model *m, const char *json, int64_t now,
    char *err, size_t errlen)
{
	struct cmm_ui_status	 s;
	json_t			*o, *d;

	if ((o = model_parse(json, err, errlen, "status")) == NULL)
		return -1;
	memset(&s, 0, sizeof(s));
	if (!json_is_integer(json_object_get(o, "node")) ||
	    !json_is_string(json_object_get(o, "state")) ||
	    model_set(json_object_get(o, "members"), &s.members) < 0) {
		snprintf(err, errlen, "status reply: node, state or members "
		    "missing");
		json_decref(o);
		return -1;
	}
	s.valid = true;
	s.node = (int)model_int(o, "node", -1);
	model_str(o, "cluster", s.cluster, sizeof(s.cluster));
	model_str(o, "state", s.state, sizeof(s.state));
	s.epoch = (uint32_t)model_int(o, "epoch", 0);
	model_set(json_object_get(o, "alive"), &s.alive);
	s.crown_prince = (int)model_int(o, "crown_prince", -1);
	s.quorum = json_is_true(json_object_get(o, "quorum"));
	/* awaiting the operator, the answer decides: neither yes nor no */
	d = json_object_get(o, "quorum");
	s.quorum_pending = (json_is_string(d) &&
	    strcmp(json_string_value(d), "pending") == 0) ||
	    json_is_true(json_object_get(o, "quorum_pending")) ||
	    strcmp(s.state, "awaiting-operator") == 0;
	model_suggest(o, &s);
	s.since_commit_ms = model_int(o, "since_commit_ms", -1);
	s.fetched = now;
	if ((d = json_object_get(o, "dropped")) != NULL) {
		s.dropped[0] = (uint64_t)model_int(d, "malformed", 0);
		s.dropped[1] = (uint64_t)model_int(d, "foreign", 0);
		s.dropped[2] = (uint64_t)model_int(d, "auth", 0);
		s.dropped[3] = (uint64_t)model_int(d, "replay", 0);
	}
	/* cells that changed since the last look stay highlighted a while */
	if (m->status.valid && (!cmm_ui_set_eq(&m->status.members, &s.members) ||
	    m->status.epoch != s.epoch)) {
		for (int i = 0; i < m->nnodes; i++) {
			int id = m->nodes[i].id;

			if (cmm_ui_set_has(&m->status.members, id) !=
			    cmm_ui_set_has(&s.members, id))
				m->nodes[i].changed_at = now;
		}
		m->last_change = now;
	}
	model_suggest_fallback(m, &s, now);
	m->status = s;
	model_fences(m);
	model_mark_fenced(m);
	json_decref(o);
	return 0;
}

int
cmm_ui_model_nodes(struct cmm_ui_model *m, const char *json, int64_t now,
    char *err, size_t errlen)
{
	struct cmm_ui_node	*nv;
	json_t			*o, *arr, *v, *h;
	size_t			 i, n;

	if ((o = model_parse(json, err, errlen, "nodes")) == NULL)
		return -1;
	arr = json_object_get(o, "nodes");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "nodes reply: no \"nodes\" array");
		json_decref(o);
		return -1;
	}
	n = json_array_size(arr);
	if ((nv = calloc(n ? n : 1, sizeof(*nv))) == NULL) {
		snprintf(err, errlen, "nodes reply: out of memory");
		json_decref(o);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		struct cmm_ui_node		*x = &nv[i];
		const struct cmm_ui_node	*old;

		x->id = (int)model_int(v, "id", -1);
		if (x->id < 0 || x->id >= CMM_UI_MAX_ID) {
			snprintf(err, errlen, "nodes reply: entry %zu: bad id", i);
			free(nv);
			json_decref(o);
			return -1;
		}
		x->self = json_is_true(json_object_get(v, "self"));
		x->member = json_is_true(json_object_get(v, "member"));
		x->says_member = json_is_true(json_object_get(v, "says_member"));
		x->alive = json_is_true(json_object_get(v, "alive"));
		x->suspect = json_is_true(json_object_get(v, "suspect"));
		x->priority = (int)model_int(v, "priority", x->id);
		x->heard_ms = model_int(v, "last_heard_ms", -1);
		x->epoch = (uint32_t)model_int(v, "epoch", 0);
		model_str(v, "link", x->link, sizeof(x->link));
		x->config_mismatch = json_is_string(json_object_get(v, "config")) &&
		    strcmp(json_string_value(json_object_get(v, "config")),
		    "mismatch") == 0;
		model_str(v, "address", x->address, sizeof(x->address));
		h = json_object_get(v, "links");
		if (json_is_array(h)) {
			x->n_links = (int)json_array_size(h);
			for (size_t k = 0; k < json_array_size(h); k++)
				x->links_up += json_is_true(json_object_get(
				    json_array_get(h, k), "up"));
		}
		h = json_object_get(v, "heartbeat");
		if (json_is_object(h)) {
			x->has_hb = true;
			x->hb_n = (int)model_int(h, "n", 0);
			x->hb_median = model_int(h, "median_ms", 0);
			x->hb_p99 = model_int(h, "p99_ms", 0);
			x->hb_max = model_int(h, "max_ms", 0);
		}
		old = cmm_ui_model_node(m, x->id);
		x->changed_at = old ? old->changed_at : -1;
		if (old != NULL && (old->alive != x->alive ||
		    old->member != x->member))
			x->changed_at = now;
	}
	free(m->nodes);
	m->nodes = nv;
	m->nnodes = (int)n;
	m->failure_timeout_ms = (int)model_int(o, "failure_timeout_ms",
	    m->failure_timeout_ms);
	model_fences(m);
	model_mark_fenced(m);
	json_decref(o);
	return 0;
}

int
cmm_ui_model_round(struct cmm_ui_model *m, const char *json, int64_t now,
    char *err, size_t errlen)
{
	struct cmm_ui_round	 r;
	json_t			*o, *arr, *v;
	size_t			 i;

	if ((o = model_parse(json, err, errlen, "round")) == NULL)
		return -1;
	memset(&r, 0, sizeof(r));
	arr = json_object_get(o, "nodes");
	if (!json_is_array(arr) || !json_is_string(json_object_get(o, "phase"))) {
		snprintf(err, errlen, "round reply: phase or nodes missing");
		json_decref(o);
		return -1;
	}
	r.valid = true;
	r.active = json_is_true(json_object_get(o, "active"));
	r.epoch = (uint32_t)model_int(o, "epoch", 0);
	r.attempt = (uint32_t)model_int(o, "attempt", 0);
	r.prev_epoch = (uint32_t)model_int(o, "prev_epoch", 0);
	model_str(o, "phase", r.phase, sizeof(r.phase));
	r.left_ms = model_int(o, "left_ms", -1);
	if (r.left_ms > CMM_UI_NO_LIMIT_MS)
		r.left_ms = -1;
	model_set(json_object_get(o, "prev"), &r.prev);
	model_set(json_object_get(o, "expected"), &r.expected);
	model_set(json_object_get(o, "next"), &r.next);
	model_set(json_object_get(o, "differ"), &r.differ);
	model_str(o, "outcome", r.outcome, sizeof(r.outcome));
	r.fetched = now;
	r.nrows = (int)json_array_size(arr);
	r.rows = calloc(r.nrows ? (size_t)r.nrows : 1, sizeof(*r.rows));
	if (r.rows == NULL) {
		snprintf(err, errlen, "round reply: out of memory");
		json_decref(o);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		struct cmm_ui_round_row *x = &r.rows[i];

		x->id = (int)model_int(v, "id", -1);
		x->expected = json_is_true(json_object_get(v, "expected"));
		x->presence = json_is_true(json_object_get(v, "presence"));
		x->proposed = json_is_true(json_object_get(v, "proposed"));
		x->differs = json_is_true(json_object_get(v, "differs"));
		x->has_proposal = model_set(json_object_get(v, "proposal"),
		    &x->proposal) == 0;
	}
	free(m->round.rows);
	m->round = r;
	/* a round that changed the membership stays on screen; a later
	 * one that changed nothing ("nobody left") is a note under it */
	if (!r.active && !cmm_ui_set_eq(&r.prev, &r.next) &&
	    cmm_ui_set_count(&r.next) > 0) {
		free(m->decided.rows);
		memset(&m->decided, 0, sizeof(m->decided));
		model_round_copy(&m->decided, &r);
		m->round_note[0] = '\0';
	} else if (!r.active && r.valid && m->decided.valid &&
	    (r.epoch != m->decided.epoch || r.attempt != m->decided.attempt))
		snprintf(m->round_note, sizeof(m->round_note), "then round %"
		    PRIu32 ".%" PRIu32 ": %.100s, no change", r.epoch, r.attempt,
		    r.outcome[0] ? r.outcome : r.phase);
	else if (r.active)
		m->round_note[0] = '\0';
	json_decref(o);
	return 0;
}

/* A deep copy (the rows too); -1 when memory runs out (to is empty). */
static int
model_round_copy(struct cmm_ui_round *to, const struct cmm_ui_round *from)
{
	*to = *from;
	to->rows = calloc(from->nrows ? (size_t)from->nrows : 1,
	    sizeof(*to->rows));
	if (to->rows == NULL) {
		memset(to, 0, sizeof(*to));
		return -1;
	}
	if (from->nrows > 0)
		memcpy(to->rows, from->rows, (size_t)from->nrows *
		    sizeof(*to->rows));
	return 0;
}

int
cmm_ui_model_quorum(struct cmm_ui_model *m, const char *json, char *err,
    size_t errlen)
{
	struct cmm_ui_quorum	 q;
	json_t			*o, *ch;

	if ((o = model_parse(json, err, errlen, "quorum")) == NULL)
		return -1;
	memset(&q, 0, sizeof(q));
	q.crown_prince = -1;
	q.choices[0] = q.choices[1] = -1;
	if (json_is_string(json_object_get(o, "method"))) {
		q.valid = true;
		model_str(o, "method", q.method, sizeof(q.method));
		model_str(o, "verdict", q.verdict, sizeof(q.verdict));
		q.votes = (int)model_int(o, "votes", 0);
		q.prev_size = (int)model_int(o, "prev_size", 0);
		q.crown_prince = (int)model_int(o, "crown_prince", -1);
		q.crown_prince_present =
		    json_is_true(json_object_get(o, "crown_prince_present"));
		model_str(o, "device", q.device, sizeof(q.device));
		model_str(o, "explain", q.explain, sizeof(q.explain));
		ch = json_object_get(o, "choices");
		if (json_array_size(ch) == 2) {
			q.choices[0] = (int)json_integer_value(json_array_get(ch, 0));
			q.choices[1] = (int)json_integer_value(json_array_get(ch, 1));
		}
	}
	m->quorum = q;
	/* "kept" (nobody left) decides nothing: the last decision stays */
	if (q.valid && strcmp(q.method, "kept") != 0)
		m->decided_q = q;
	json_decref(o);
	return 0;
}

int
cmm_ui_model_cluster(struct cmm_ui_model *m, const char *json, char *err,
    size_t errlen)
{
	struct cmm_ui_says	*sv;
	json_t			*o, *arr, *v, *d;
	size_t			 i, n;

	if ((o = model_parse(json, err, errlen, "cluster")) == NULL)
		return -1;
	arr = json_object_get(o, "nodes");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "cluster reply: no \"nodes\" array");
		json_decref(o);
		return -1;
	}
	n = json_array_size(arr);
	if ((sv = calloc(n ? n : 1, sizeof(*sv))) == NULL) {
		snprintf(err, errlen, "cluster reply: out of memory");
		json_decref(o);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		struct cmm_ui_says *x = &sv[i];

		x->id = (int)model_int(v, "id", -1);
		x->self = json_is_true(json_object_get(v, "self"));
		x->alive = json_is_true(json_object_get(v, "alive"));
		x->heard_ms = model_int(v, "last_heard_ms", -1);
		d = json_object_get(v, "state");
		x->known = json_is_string(d);
		model_str(v, "state", x->state, sizeof(x->state));
		x->epoch = (uint32_t)model_int(v, "epoch", 0);
		model_set(json_object_get(v, "members"), &x->members);
		x->has_sees = model_set(json_object_get(v, "sees"),
		    &x->sees) == 0;
		model_str(v, "config", x->config, sizeof(x->config));
	}
	free(m->says);
	m->says = sv;
	m->nsays = (int)n;
	json_decref(o);
	return 0;
}

int
cmm_ui_model_devices(struct cmm_ui_model *m, const char *json, char *err,
    size_t errlen)
{
	struct cmm_ui_device	*dv;
	json_t			*o, *arr, *v;
	size_t			 i, n;

	if ((o = model_parse(json, err, errlen, "devices")) == NULL)
		return -1;
	arr = json_object_get(o, "devices");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "devices reply: no \"devices\" array");
		json_decref(o);
		return -1;
	}
	n = json_array_size(arr);
	if ((dv = calloc(n ? n : 1, sizeof(*dv))) == NULL) {
		snprintf(err, errlen, "devices reply: out of memory");
		json_decref(o);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		model_str(v, "name", dv[i].name, sizeof(dv[i].name));
		model_set(json_object_get(v, "nodes"), &dv[i].nodes);
		dv[i].shared = json_is_true(json_object_get(v, "shared"));
		dv[i].has_record = model_set(json_object_get(v, "registered"),
		    &dv[i].registered) == 0;
		dv[i].holder = (int)model_int(v, "holder", -1);
		dv[i].epoch = (uint32_t)model_int(v, "epoch", 0);
		dv[i].committed_epoch = (uint32_t)model_int(v, "committed_epoch",
		    0);
		model_id_keys(json_object_get(v, "fence_epoch"),
		    &dv[i].fenced_ids);
		model_str(v, "error", dv[i].error, sizeof(dv[i].error));
	}
	free(m->devices);
	m->devices = dv;
	m->ndevices = (int)n;
	model_fences(m);
	model_mark_fenced(m);
	json_decref(o);
	return 0;
}

/* The ! mark: a fence in force, on some device, against the node. */
static void
model_mark_fenced(struct cmm_ui_model *m)
{
	for (int i = 0; i < m->nnodes; i++) {
		m->nodes[i].fenced = false;
		for (int k = 0; k < m->nfences; k++)
			if (m->fences[k].whom == m->nodes[i].id &&
			    m->fences[k].device[0] != '\0')
				m->nodes[i].fenced = true;
	}
}

/*
 * The fences in force, from the history's commits: at each commit the
 * members sharing a device with a node that departed fence it there
 * (FIG. 9, and docs/PROTOCOL.md "Quorum devices and fencing"); a node
 * that shares no device with any member is not fenced, which is shown
 * too.  A fence ends when a later commit (or the node's own status)
 * has the node as a member again: it registered anew.
 */
static void
model_fences(struct cmm_ui_model *m)
{
	const struct cmm_ui_hist	*prev = NULL;

	m->nfences = 0;
	for (int i = 0; i < m->nhist; i++) {
		const struct cmm_ui_hist *h = &m->hist[i];

		if (strcmp(h->kind, "commit") != 0)
			continue;
		/* back as a member: its fences are over */
		for (int k = 0; k < m->nfences; k++)
			if (cmm_ui_set_has(&h->members, m->fences[k].whom)) {
				m->fences[k--] = m->fences[--m->nfences];
			}
		for (int id = 0; prev != NULL && id < CMM_UI_MAX_ID; id++) {
			bool any = false;

			if (!cmm_ui_set_has(&prev->members, id) ||
			    cmm_ui_set_has(&h->members, id))
				continue;
			for (int d = 0; d < m->ndevices; d++) {
				struct cmm_ui_fence	*f;
				struct cmm_ui_set	 by;

				if (!cmm_ui_set_has(&m->devices[d].nodes, id))
					continue;
				cmm_ui_set_clear(&by);
				for (int j = 0; j < CMM_UI_MAX_ID; j++)
					if (cmm_ui_set_has(&m->devices[d].nodes, j) &&
					    cmm_ui_set_has(&h->members, j))
						cmm_ui_set_add(&by, j);
				if (cmm_ui_set_count(&by) == 0)
					continue;
				any = true;
				if (m->nfences == CMM_UI_FENCE_MAX)
					memmove(&m->fences[0], &m->fences[1],
					    sizeof(m->fences[0]) * --m->nfences);
				f = &m->fences[m->nfences++];
				f->epoch = h->epoch;
				f->whom = id;
				f->by = by;
				snprintf(f->device, sizeof(f->device), "%s",
				    m->devices[d].name);
			}
			/* a node that left on purpose stops itself */
			if (!any && m->nfences < CMM_UI_FENCE_MAX &&
			    strstr(h->reason, "leaving") == NULL) {
				struct cmm_ui_fence *f = &m->fences[m->nfences++];

				memset(f, 0, sizeof(*f));
				f->epoch = h->epoch;
				f->whom = id;
			}
		}
		prev = h;
	}
	if (m->status.valid)
		for (int k = 0; k < m->nfences; k++)
			if (cmm_ui_set_has(&m->status.members, m->fences[k].whom))
				m->fences[k--] = m->fences[--m->nfences];
}

int
cmm_ui_model_history(struct cmm_ui_model *m, const char *json, char *err,
    size_t errlen)
{
	json_t	*o, *arr, *v;
	size_t	 i, n, first;

	if ((o = model_parse(json, err, errlen, "history")) == NULL)
		return -1;
	arr = json_object_get(o, "history");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "history reply: no \"history\" array");
		json_decref(o);
		return -1;
	}
	n = json_array_size(arr);
	first = n > CMM_UI_HIST_MAX ? n - CMM_UI_HIST_MAX : 0;
	m->nhist = 0;
	for (i = first; i < n; i++) {
		struct cmm_ui_hist *h = &m->hist[m->nhist++];

		v = json_array_get(arr, i);
		model_str(v, "kind", h->kind, sizeof(h->kind));
		h->epoch = (uint32_t)model_int(v, "epoch", 0);
		model_set(json_object_get(v, "members"), &h->members);
		model_str(v, "time", h->time, sizeof(h->time));
		model_str(v, "reason", h->reason, sizeof(h->reason));
	}
	model_fences(m);
	model_mark_fenced(m);
	json_decref(o);
	return 0;
}

int
cmm_ui_model_commands(struct cmm_ui_model *m, const char *json, char *err,
    size_t errlen)
{
	json_t	*o, *arr, *v;
	size_t	 i, n;
	char	(*names)[48], (*args)[48];

	if ((o = model_parse(json, err, errlen, "list-commands")) == NULL)
		return -1;
	arr = json_object_get(o, "commands");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "list-commands reply: no \"commands\" "
		    "array");
		json_decref(o);
		return -1;
	}
	n = json_array_size(arr);
	names = calloc(n ? n : 1, sizeof(*names));
	args = calloc(n ? n : 1, sizeof(*args));
	if (names == NULL || args == NULL) {
		free(names);
		free(args);
		json_decref(o);
		snprintf(err, errlen, "list-commands reply: out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		model_str(v, "name", names[i], sizeof(names[i]));
		model_str(v, "args", args[i], sizeof(args[i]));
	}
	free(m->cmds);
	free(m->cmd_args);
	m->cmds = names;
	m->cmd_args = args;
	m->ncmds = (int)n;
	json_decref(o);
	return 0;
}

int
cmm_ui_model_prompt(struct cmm_ui_model *m, const char *json, int64_t now,
    char *err, size_t errlen)
{
	struct cmm_ui_prompt	 p;
	json_t			*o, *ch;
	int64_t			 left;

	if ((o = model_parse(json, err, errlen, "prompt")) == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.deadline = -1;
	p.open = json_is_true(json_object_get(o, "open"));
	model_str(o, "kind", p.kind, sizeof(p.kind));
	model_str(o, "why", p.why, sizeof(p.why));
	p.round_epoch = (uint32_t)model_int(o, "round_epoch", 0);
	p.round_attempt = (uint32_t)model_int(o, "round_attempt", 0);
	p.choices[0] = p.choices[1] = -1;
	ch = json_object_get(o, "choices");
	if (json_array_size(ch) == 2 && json_is_integer(json_array_get(ch, 0))) {
		p.choices[0] = (int)json_integer_value(json_array_get(ch, 0));
		p.choices[1] = (int)json_integer_value(json_array_get(ch, 1));
	}
	if (p.open && strcmp(p.kind, "isolation") != 0 &&
	    strcmp(p.kind, "winner") != 0) {
		snprintf(err, errlen, "prompt: unknown kind '%s'", p.kind);
		json_decref(o);
		return -1;
	}
	left = model_int(o, "deadline_ms", -1);
	/* no time limit may come as a far-off deadline: a day is none */
	if (left > CMM_UI_NO_LIMIT_MS)
		left = -1;
	/* a `?` line at open carries no deadline: keep the one status gave */
	if (left >= 0)
		p.deadline = now + left;
	else if (p.open && m->prompt.open && m->prompt.round_epoch ==
	    p.round_epoch && m->prompt.round_attempt == p.round_attempt)
		p.deadline = m->prompt.deadline;
	m->prompt = p;
	json_decref(o);
	return 0;
}

/* ---- events ---- */

static enum cmm_ui_logkind
model_kind(const char *type)
{
	static const struct {
		const char		*type;
		enum cmm_ui_logkind	 kind;
	} map[] = {
		{ "commit", CMM_UI_LK_MEMBERSHIP }, { "join", CMM_UI_LK_MEMBERSHIP },
		{ "leave", CMM_UI_LK_MEMBERSHIP }, { "failure", CMM_UI_LK_MEMBERSHIP },
		{ "alive", CMM_UI_LK_MEMBERSHIP }, { "round", CMM_UI_LK_ROUND },
		{ "quorum", CMM_UI_LK_ROUND }, { "state", CMM_UI_LK_ROUND },
		{ "fence", CMM_UI_LK_ROUND }, { "no-quorum", CMM_UI_LK_ROUND },
		{ "prompt", CMM_UI_LK_PROMPT }, { "answer", CMM_UI_LK_PROMPT },
		{ "operator", CMM_UI_LK_PROMPT },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i].type) == 0)
			return map[i].kind;
	return CMM_UI_LK_TROUBLE;
}

unsigned
cmm_ui_model_event(struct cmm_ui_model *m, const char *json, int64_t now)
{
	json_error_t	 je;
	json_t		*o;
	char		 type[24], text[200], t[40], line[240];
	const char	*hms;
	unsigned	 what = CMM_UI_EV_STATUS;
	bool		 error = false;

	o = json_loads(json, 0, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		cmm_ui_model_log(m, CMM_UI_LK_TROUBLE, true, NULL, json);
		return 0;
	}
	model_str(o, "type", type, sizeof(type));
	/* watch's first line is the status it starts from: fetched anyway,
	 * nothing happened */
	if (strcmp(type, "snapshot") == 0) {
		json_decref(o);
		return CMM_UI_EV_STATUS;
	}
	model_str(o, "text", text, sizeof(text));
	model_str(o, "time", t, sizeof(t));
	/* "2026-11-25T09:06:46.505Z" -> "09:06:46" */
	hms = strlen(t) >= 19 ? t + 11 : NULL;
	if (hms != NULL)
		t[19] = '\0';
	if (strcmp(type, "drop") == 0) {
		char reason[48], from[64];

		model_str(o, "reason", reason, sizeof(reason));
		model_str(o, "from", from, sizeof(from));
		/* one event stands for `count` datagrams (rate-limited) */
		snprintf(line, sizeof(line), "drop: %s x%" PRId64 " from %s",
		    reason, model_int(o, "count", 1), from);
		error = true;
		what = 0;
	} else if (strcmp(type, "prompt") == 0) {
		char why[200];

		model_str(o, "why", why, sizeof(why));
		if (json_is_true(json_object_get(o, "open")))
			snprintf(line, sizeof(line), "prompt (%s): %s",
			    json_string_value(json_object_get(o, "kind")) ?
			    json_string_value(json_object_get(o, "kind")) : "?",
			    why);
		else
			snprintf(line, sizeof(line), "prompt closed: %s", why);
	} else if (strcmp(type, "operator") == 0) {
		snprintf(line, sizeof(line), "operator uid %lld: %s",
		    (long long)model_int(o, "uid", -1), text);
	} else if (strcmp(type, "log") == 0) {
		char level[16];

		model_str(o, "level", level, sizeof(level));
		snprintf(line, sizeof(line), "%s: %s", level, text);
		error = strcmp(level, "error") == 0;
		what = 0;
	} else
		snprintf(line, sizeof(line), "%s: %s", type, text);
	if (strcmp(type, "failure") == 0 || strcmp(type, "no-quorum") == 0)
		error = true;
	if (strcmp(type, "split-brain") == 0) {
		/* stays on screen: the header carries it until a restart */
		snprintf(m->alarm, sizeof(m->alarm), "%.8s %.180s", hms ? hms : "",
		    text);
		error = true;
		what |= CMM_UI_EV_STATUS;
	}
	if (strcmp(type, "round") == 0 || strcmp(type, "quorum") == 0 ||
	    strcmp(type, "state") == 0)
		what |= CMM_UI_EV_ROUND | CMM_UI_EV_QUORUM;
	if (strcmp(type, "failure") == 0 || strcmp(type, "alive") == 0 ||
	    strcmp(type, "join") == 0 || strcmp(type, "leave") == 0 ||
	    strcmp(type, "suspect") == 0)
		what |= CMM_UI_EV_NODES;
	if (strcmp(type, "commit") == 0)
		what |= CMM_UI_EV_ROUND | CMM_UI_EV_QUORUM | CMM_UI_EV_NODES |
		    CMM_UI_EV_DEVICES | CMM_UI_EV_HISTORY;
	if (strcmp(type, "fence") == 0)
		what |= CMM_UI_EV_DEVICES | CMM_UI_EV_HISTORY;
	if (strcmp(type, "commit") == 0)
		m->last_change = now;
	if (m->label_nodes && json_is_integer(json_object_get(o, "node"))) {
		/* after a switch the log holds more than one node's lines */
		char l2[240];

		snprintf(l2, sizeof(l2), "n%lld %.220s",
		    (long long)model_int(o, "node", -1), line);
		snprintf(line, sizeof(line), "%s", l2);
	}
	cmm_ui_model_log(m, model_kind(type), error, hms, line);
	/* what the trouble filter shows besides its own kind */
	if (m->log_len > 0 && (error || strcmp(type, "fence") == 0 ||
	    strcmp(type, "failure") == 0 || strcmp(type, "split-brain") == 0 ||
	    strcmp(type, "no-quorum") == 0))
		m->log[(m->log_head + m->log_len - 1) % CMM_UI_LOG_MAX].trouble =
		    true;
	json_decref(o);
	return what;
}

/* ---- the log ---- */

void
cmm_ui_model_log(struct cmm_ui_model *m, enum cmm_ui_logkind kind, bool error,
    const char *time, const char *text)
{
	struct cmm_ui_logline	*l;
	int			 slot;

	if (m->log == NULL)
		return;
	if (m->log_len < CMM_UI_LOG_MAX) {
		slot = (m->log_head + m->log_len) % CMM_UI_LOG_MAX;
		m->log_len++;
	} else {
		slot = m->log_head;
		m->log_head = (m->log_head + 1) % CMM_UI_LOG_MAX;
	}
	l = &m->log[slot];
	l->kind = kind;
	l->error = error;
	l->trouble = error;
	snprintf(l->time, sizeof(l->time), "%s", time ? time : "");
	snprintf(l->text, sizeof(l->text), "%s", text);
	model_clean(l->text);
	model_clean(l->time);
}

const struct cmm_ui_logline *
cmm_ui_model_logline(const struct cmm_ui_model *m, int filter, int i,
    int *count)
{
	const struct cmm_ui_logline	*found = NULL;
	int				 n = 0;

	for (int k = 0; k < m->log_len; k++) {
		const struct cmm_ui_logline *l =
		    &m->log[(m->log_head + k) % CMM_UI_LOG_MAX];

		if (filter != CMM_UI_FILTER_ALL && (int)l->kind != filter &&
		    !(filter == CMM_UI_LK_TROUBLE && l->trouble))
			continue;
		if (n == i)
			found = l;
		n++;
	}
	if (count != NULL)
		*count = n;
	return found;
}

const char *
cmm_ui_logkind_name(int filter)
{
	static const char *names[] = { "membership", "rounds", "prompts",
	    "trouble", "commands", "all" };

	if (filter < 0 || filter > CMM_UI_FILTER_ALL)
		return "?";
	return names[filter];
}

const struct cmm_ui_node *
cmm_ui_model_node(const struct cmm_ui_model *m, int id)
{
	for (int i = 0; i < m->nnodes; i++)
		if (m->nodes[i].id == id)
			return &m->nodes[i];
	return NULL;
}
