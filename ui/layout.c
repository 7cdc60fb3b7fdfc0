/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layout: pane geometry and the text of each pane (see the header). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/layout.h"

#define LINE(out, linelen, i)	((out) + (size_t)(i) * (linelen))

static void	layout_put(char *out, size_t linelen, int max, int *n, int w,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int	layout_wrap(char *out, size_t linelen, int max, int n, int w,
		    const char *indent, const char *text);

const char *
cmm_ui_view_name(enum cmm_ui_view v)
{
	static const char *names[] = { "main", "nodes", "history", "log", "help",
	    "cluster" };

	return (unsigned)v < CMM_UI_VIEW__COUNT ? names[v] : "?";
}

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void
cmm_ui_layout_compute(struct cmm_ui_layout *l, int rows, int cols,
    enum cmm_ui_view view, int nnodes)
{
	int y, vrows, rest, band, maxid;

	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	if (rows < CMM_UI_MIN_ROWS || cols < CMM_UI_MIN_COLS) {
		l->too_small = true;
		/* the command line stays usable even then */
		if (rows >= 1)
			l->cmd = (struct cmm_ui_rect){ rows - 1, 0, 1, cols };
		return;
	}
	l->header = (struct cmm_ui_rect){ 0, 0, 1, cols };
	l->cmd = (struct cmm_ui_rect){ rows - 1, 0, 1, cols };
	l->status = (struct cmm_ui_rect){ rows - 2, 0, 1, cols };

	/* the vector: as many cells a row as fit; at most a quarter of the
	 * screen, the last row ending in "+N more" when cut */
	maxid = nnodes > 0 ? nnodes - 1 : 0;
	if (maxid < 9)
		maxid = 9;
	l->cell_w = cmm_ui_cell_width(maxid);
	l->cells_per_row = cols / l->cell_w;
	if (l->cells_per_row < 1)
		l->cells_per_row = 1;
	vrows = nnodes > 0 ? (nnodes + l->cells_per_row - 1) / l->cells_per_row : 1;
	vrows = clampi(vrows, 1, rows / 4);
	l->vector = (struct cmm_ui_rect){ 1, 0, 1 + vrows, cols };
	y = 1 + l->vector.h;
	rest = l->status.y - y;

	if (view != CMM_UI_VIEW_MAIN) {
		l->big = (struct cmm_ui_rect){ y, 0, rest, cols };
		return;
	}
	/* round/quorum band: title + matrix (4) + explanation lines */
	band = clampi(rest * 9 / 20, 6, 12);
	if (rest - band < 3)
		band = rest - 3;
	if (cols >= 120) {
		int rw = cols * 36 / 100, qw = cols * 32 / 100;

		l->round = (struct cmm_ui_rect){ y, 0, band, rw };
		l->quorum = (struct cmm_ui_rect){ y, rw, band, qw };
		l->timing = (struct cmm_ui_rect){ y, rw + qw, band,
		    cols - rw - qw };
	} else if (cols >= 60) {
		l->round = (struct cmm_ui_rect){ y, 0, band, cols / 2 };
		l->quorum = (struct cmm_ui_rect){ y, cols / 2, band,
		    cols - cols / 2 };
	} else
		l->round = (struct cmm_ui_rect){ y, 0, band, cols };
	y += band;
	l->log = (struct cmm_ui_rect){ y, 0, l->status.y - y, cols };
}

/* ---- cells and header ---- */

int
cmm_ui_cell_width(int max_id)
{
	int digits = 1;

	while (max_id >= 10) {
		max_id /= 10;
		digits++;
	}
	/* " " id marks(3) " " MA " " bar(4) */
	return 1 + digits + 3 + 1 + 2 + 1 + 4;
}

void
cmm_ui_cell_text(const struct cmm_ui_node *n, int crown_prince,
    int failure_timeout_ms, int w, char *buf, size_t len)
{
	char	marks[4], bar[5];
	int	fill, digits = w - 12;

	if (digits < 1)
		digits = 1;
	marks[0] = n->self ? '*' : ' ';
	marks[1] = n->id == crown_prince ? '^' : ' ';
	marks[2] = n->fenced ? '!' : ' ';
	marks[3] = '\0';
	/* the age of the last heartbeat, in quarters of the timeout */
	if (n->self)
		fill = 0;
	else if (n->heard_ms < 0 || failure_timeout_ms <= 0)
		fill = 4;
	else
		fill = (int)((n->heard_ms * 4 + failure_timeout_ms - 1) /
		    failure_timeout_ms);
	fill = clampi(fill, 0, 4);
	for (int i = 0; i < 4; i++)
		bar[i] = n->self ? '=' : i < fill ? '#' : '.';
	bar[4] = '\0';
	snprintf(buf, len, " %*d%s %c%c %s", digits, n->id, marks,
	    n->member ? 'M' : '-', !n->alive ? 'x' : n->suspect ? '?' : 'A', bar);
}

void
cmm_ui_age(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (ms < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		    s / 60 % 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400,
		    s / 3600 % 24);
}

void
cmm_ui_header_text(const struct cmm_ui_status *s, int64_t now,
    int64_t last_change, int w, char *buf, size_t len)
{
	char	age[24], cp[16];
	int64_t	since;

	if (!s->valid) {
		snprintf(buf, len, "cmm console: waiting for the node...");
		goto cut;
	}
	since = s->since_commit_ms >= 0 ? s->since_commit_ms +
	    (now - s->fetched) : -1;
	(void)last_change;
	cmm_ui_age(since, age, sizeof(age));
	if (s->crown_prince >= 0)
		snprintf(cp, sizeof(cp), "%d", s->crown_prince);
	else
		snprintf(cp, sizeof(cp), "-");
	snprintf(buf, len, "%s  node %d  %s  epoch %" PRIu32 "  quorum %s  "
	    "prince %s  last reconf %s%s", s->cluster[0] ? s->cluster : "cmm",
	    s->node, s->state, s->epoch, s->quorum_pending ? "pending" :
	    s->quorum ? "yes" : "no", cp, age,
	    since >= 0 ? " ago" : "");
cut:
	if (w >= 0 && (size_t)w < len)
		buf[w] = '\0';
}

/* ---- the quorum explanation ---- */

void
cmm_ui_vote_explain(const struct cmm_ui_quorum *q, char *buf, size_t len)
{
	const char	*cmp, *res;
	char		 cp[48] = "";

	if (!q->valid) {
		snprintf(buf, len, "no quorum decision yet");
		return;
	}
	if (strcmp(q->method, "vote") == 0) {
		/* FIG. 8: majority of the previous cluster; tie to the prince */
		if (q->votes * 2 > q->prev_size)
			cmp = "> half";
		else if (q->votes * 2 == q->prev_size)
			cmp = "= half";
		else
			cmp = "< half";
		if (q->crown_prince >= 0 && q->votes * 2 == q->prev_size)
			snprintf(cp, sizeof(cp), ", crown prince %d %s",
			    q->crown_prince, q->crown_prince_present ? "present" :
			    "absent");
		res = strcmp(q->verdict, "win") == 0 ? "quorum" : "no quorum";
		snprintf(buf, len, "votes %d of previous %d %s%s: %s", q->votes,
		    q->prev_size, cmp, cp, res);
	} else if (strcmp(q->method, "race") == 0) {
		/* FIG. 9: two nodes race for their shared device */
		if (strcmp(q->verdict, "ask-winner") == 0)
			snprintf(buf, len, "race: no shared device: operator "
			    "picks %d or %d", q->choices[0], q->choices[1]);
		else
			snprintf(buf, len, "race for %s: %s",
			    q->device[0] ? q->device : "the shared device",
			    strcmp(q->verdict, "win") == 0 ? "won" :
			    strcmp(q->verdict, "race") == 0 ? "racing" :
			    strcmp(q->verdict, "lose") == 0 ? "lost" : q->verdict);
	} else if (strcmp(q->method, "initial") == 0) {
		snprintf(buf, len, "initial: %d of %d configured: %s", q->votes,
		    q->prev_size, strcmp(q->verdict, "win") == 0 ? "majority" :
		    strcmp(q->verdict, "ask-isolation") == 0 ? "alone, ask" :
		    strcmp(q->verdict, "wait") == 0 ? "minority, wait" :
		    "no majority");
	} else if (strcmp(q->method, "operator") == 0) {
		snprintf(buf, len, "operator: %s", q->explain[0] ? q->explain :
		    q->verdict);
	} else if (strcmp(q->method, "kept") == 0) {
		snprintf(buf, len, "nobody left: quorum kept");
	} else if (strncmp(q->explain, q->method, strlen(q->method)) == 0)
		snprintf(buf, len, "%s", q->explain);
	else
		snprintf(buf, len, "%s: %s", q->method, q->explain[0] ?
		    q->explain : q->verdict);
}

/* ---- the round ---- */

/* Appends one formatted line, cut to w columns, if room is left. */
static void
layout_put(char *out, size_t linelen, int max, int *n, int w,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*l;

	if (*n >= max)
		return;
	l = LINE(out, linelen, *n);
	va_start(ap, fmt);
	vsnprintf(l, linelen, fmt, ap);
	va_end(ap);
	if (w >= 0 && (size_t)w < linelen)
		l[w] = '\0';
	(*n)++;
}

/* Word-wraps text at w columns into lines from n on; returns the new n. */
static int
layout_wrap(char *out, size_t linelen, int max, int n, int w,
    const char *indent, const char *text)
{
	size_t	ind = strlen(indent), room;
	const char *p = text;

	if (w <= (int)ind + 4)
		ind = 0;
	room = (size_t)w - ind;
	while (n < max) {
		size_t k;

		/* the spaces a break left are skipped before measuring */
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		k = strlen(p);
		if (k > room) {
			k = room;
			while (k > 0 && p[k] != ' ')
				k--;
			if (k == 0)
				k = room;
		}
		snprintf(LINE(out, linelen, n), linelen, "%.*s%.*s", (int)ind,
		    indent, (int)k, p);
		n++;
		p += k;
	}
	return n;
}

void
cmm_ui_round_title(const struct cmm_ui_round *r, int64_t now, char *buf,
    size_t len)
{
	int64_t left;

	if (!r->valid || (r->epoch == 0 && r->attempt == 0 && !r->active)) {
		snprintf(buf, len, "round: none yet");
		return;
	}
	if (r->active) {
		left = r->left_ms >= 0 ? r->left_ms - (now - r->fetched) : -1;
		if (left < 0 && r->left_ms >= 0)
			left = 0;
		if (left >= 0)
			snprintf(buf, len, "round %" PRIu32 ".%" PRIu32 " %s, "
			    "%" PRId64 " ms left", r->epoch, r->attempt, r->phase,
			    left);
		else
			snprintf(buf, len, "round %" PRIu32 ".%" PRIu32 " %s, "
			    "no time limit", r->epoch, r->attempt, r->phase);
	} else
		snprintf(buf, len, "round %" PRIu32 ".%" PRIu32 " (last): %s",
		    r->epoch, r->attempt, r->phase);
}

int
cmm_ui_round_matrix(const struct cmm_ui_round *r, int w, char *out,
    size_t linelen, int max)
{
	char	 ids[512], pres[512], prop[512], diff[512], a[160], b[160];
	int	 n = 0, cw = 2, fit, shown, maxid = 0;
	size_t	 pos;

	if (max <= 0)
		return 0;
	if (!r->valid) {
		layout_put(out, linelen, max, &n, w, "no round yet");
		return n;
	}
	if (r->nrows == 0) {
		/* e.g. a round that ended before any message went out */
		layout_put(out, linelen, max, &n, w, "no PROMISE or ACCEPTED "
		    "recorded");
		if (r->outcome[0] != '\0')
			layout_put(out, linelen, max, &n, w, "  outcome: %s",
			    r->outcome);
		return n;
	}
	for (int i = 0; i < r->nrows; i++)
		if (r->rows[i].id > maxid)
			maxid = r->rows[i].id;
	cw = maxid >= 100 ? 4 : maxid >= 10 ? 3 : 2;
	/* "node " label, then a column of cw per node */
	fit = (w - 5) / cw;
	if (fit < 1)
		fit = 1;
	/* when cut, room for the '>' that says so */
	shown = r->nrows <= fit ? r->nrows : (w - 6) / cw;
	if (shown < 1)
		shown = 1;
	snprintf(ids, sizeof(ids), "node ");
	snprintf(pres, sizeof(pres), "pres ");
	snprintf(prop, sizeof(prop), "prop ");
	snprintf(diff, sizeof(diff), "diff ");
	for (int i = 0; i < shown && i < r->nrows; i++) {
		const struct cmm_ui_round_row *x = &r->rows[i];

		pos = strlen(ids);
		snprintf(ids + pos, sizeof(ids) - pos, "%*d", cw, x->id);
		pos = strlen(pres);
		snprintf(pres + pos, sizeof(pres) - pos, "%*c", cw,
		    x->presence ? '+' : x->expected ? '-' : '.');
		pos = strlen(prop);
		/* an ACCEPTED is expected from the acceptors of S */
		snprintf(prop + pos, sizeof(prop) - pos, "%*c", cw,
		    x->proposed ? '+' : cmm_ui_set_has(&r->next, x->id) ? '-' : '.');
		pos = strlen(diff);
		snprintf(diff + pos, sizeof(diff) - pos, "%*c", cw,
		    x->differs ? '!' : ' ');
	}
	if (shown < r->nrows) {
		strncat(ids, ">", sizeof(ids) - strlen(ids) - 1);
		strncat(pres, ">", sizeof(pres) - strlen(pres) - 1);
		strncat(prop, ">", sizeof(prop) - strlen(prop) - 1);
	}
	layout_put(out, linelen, max, &n, w, "%s", ids);
	layout_put(out, linelen, max, &n, w, "%s", pres);
	layout_put(out, linelen, max, &n, w, "%s", prop);
	if (cmm_ui_set_count(&r->differ) > 0)
		layout_put(out, linelen, max, &n, w, "%s", diff);
	/* the reason a round failed, at a glance */
	cmm_ui_set_format(&r->prev, a, sizeof(a));
	cmm_ui_set_format(&r->next, b, sizeof(b));
	layout_put(out, linelen, max, &n, w, "prev e%" PRIu32 " {%s} next {%s}",
	    r->prev_epoch, a, b);
	for (int i = 0; i < r->nrows && n < max; i++) {
		const struct cmm_ui_round_row *x = &r->rows[i];

		if (!x->differs)
			continue;
		if (x->has_proposal)
			cmm_ui_set_format(&x->proposal, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "?");
		layout_put(out, linelen, max, &n, w, "node %d proposes {%s}, "
		    "not {%s}", x->id, a, b);
	}
	if (r->outcome[0] != '\0' && n < max) {
		char o[200];

		snprintf(o, sizeof(o), "outcome: %s", r->outcome);
		n = layout_wrap(out, linelen, max, n, w, "  ", o);
	}
	return n;
}

/* ---- timing ---- */

bool
cmm_ui_timing_warn(int64_t p99_ms, int failure_timeout_ms)
{
	return failure_timeout_ms > 0 && p99_ms * 2 > failure_timeout_ms;
}

void
cmm_ui_timing_row(const struct cmm_ui_node *n, int failure_timeout_ms,
    char *buf, size_t len)
{
	char heard[24], hb[48];

	if (n->self)
		snprintf(heard, sizeof(heard), "self");
	else if (n->heard_ms < 0)
		snprintf(heard, sizeof(heard), "never");
	else if (n->heard_ms < 10000)
		snprintf(heard, sizeof(heard), "%" PRId64 "ms", n->heard_ms);
	else
		cmm_ui_age(n->heard_ms, heard, sizeof(heard));
	if (n->has_hb)
		snprintf(hb, sizeof(hb), "%" PRId64 "/%" PRId64, n->hb_median,
		    n->hb_p99);
	else
		snprintf(hb, sizeof(hb), "-");
	snprintf(buf, len, "%3d %-5s %-3s %7s %-9s %-6s%s", n->id,
	    n->alive ? "alive" : "dead", n->member ? "mbr" : "-", heard, hb,
	    n->link, n->has_hb && cmm_ui_timing_warn(n->hb_p99,
	    failure_timeout_ms) ? " WARN p99>timeout/2" : "");
}

/* ---- the prompt box ---- */

int
cmm_ui_prompt_lines(const struct cmm_ui_model *m, int64_t now, int w,
    char *out, size_t linelen, int max)
{
	const struct cmm_ui_prompt	*p = &m->prompt;
	char				 heard[24], line[512], set[160];
	int				 n = 0;
	bool				 any;

	if (!p->open || max <= 0)
		return 0;
	/* the question, the answers and what is safe come first and are
	 * wrapped, never cut: the context after them is what a small
	 * screen loses */
	if (strcmp(p->kind, "winner") == 0) {
		layout_put(out, linelen, max, &n, w, "WHICH NODE WINS? "
		    "(patent step 812, round %" PRIu32 ".%" PRIu32 ")",
		    p->round_epoch, p->round_attempt);
		snprintf(line, sizeof(line), "Safe: pick the SAME winner on both "
		    "nodes; a node not picked stops.");
		n = layout_wrap(out, linelen, max, n, w, "  ", line);
		snprintf(line, sizeof(line), "[a] node %d wins: it keeps the "
		    "cluster, node %d is left out", p->choices[0], p->choices[1]);
		n = layout_wrap(out, linelen, max, n, w, "     ", line);
		snprintf(line, sizeof(line), "[b] node %d wins: it keeps the "
		    "cluster, node %d is left out", p->choices[1], p->choices[0]);
		n = layout_wrap(out, linelen, max, n, w, "     ", line);
		n = layout_wrap(out, linelen, max, n, w, "  ", "The two nodes of "
		    "the cluster lost each other and share no quorum device.");
	} else {
		layout_put(out, linelen, max, &n, w, "IS THIS NODE ISOLATED? "
		    "(patent step 412, round %" PRIu32 ".%" PRIu32 ")",
		    p->round_epoch, p->round_attempt);
		n = layout_wrap(out, linelen, max, n, w, "  ", "Safe: answer [n] "
		    "only if you KNOW the other nodes are stopped.");
		n = layout_wrap(out, linelen, max, n, w, "     ", "[i] isolated: "
		    "this node stays out and keeps listening (safe)");
		n = layout_wrap(out, linelen, max, n, w, "     ", "[n] not "
		    "isolated: the others are down, form a one-node cluster");
	}
	if (p->deadline >= 0) {
		int64_t left = p->deadline - now;

		layout_put(out, linelen, max, &n, w, "%" PRId64 " s left, then "
		    "the configured policy answers", left > 0 ?
		    (left + 999) / 1000 : 0);
	} else
		layout_put(out, linelen, max, &n, w, "no time limit: the round "
		    "waits for an answer");
	n = layout_wrap(out, linelen, max, n, w, "  ", "Keys mode (F9, Ctrl-O): the "
	    "key fills the answer in. Command line: the letter, Tab, Enter; or "
	    "type the answer command.");
	n = layout_wrap(out, linelen, max, n, w, "  ", p->why);
	/* context: when each peer was last heard, which devices are shared */
	line[0] = '\0';
	for (int i = 0; i < m->nnodes; i++) {
		const struct cmm_ui_node *x = &m->nodes[i];
		size_t pos = strlen(line);

		if (x->self)
			continue;
		if (x->heard_ms < 0)
			snprintf(heard, sizeof(heard), "never");
		else
			cmm_ui_age(x->heard_ms, heard, sizeof(heard));
		snprintf(line + pos, sizeof(line) - pos, "%s%d:%s", pos ? " " : "",
		    x->id, heard);
	}
	if (line[0] != '\0') {
		char l2[600];

		snprintf(l2, sizeof(l2), "last heard: %s", line);
		n = layout_wrap(out, linelen, max, n, w, "  ", l2);
	}
	line[0] = '\0';
	any = false;
	for (int i = 0; i < m->ndevices; i++) {
		size_t pos = strlen(line);

		if (!m->devices[i].shared)
			continue;
		cmm_ui_set_format(&m->devices[i].nodes, set, sizeof(set));
		snprintf(line + pos, sizeof(line) - pos, "%s%s(%s)", any ? " " : "",
		    m->devices[i].name, set);
		any = true;
	}
	layout_put(out, linelen, max, &n, w, "shared devices: %s",
	    any ? line : "none");
	return n;
}

/* ---- what the panes keep, the cluster view, fences ---- */

const struct cmm_ui_round *
cmm_ui_round_shown(const struct cmm_ui_model *m)
{
	if (!m->round.active && m->round_note[0] != '\0' && m->decided.valid)
		return &m->decided;
	return &m->round;
}

void
cmm_ui_quorum_text(const struct cmm_ui_model *m, char *title, size_t tlen,
    char *buf, size_t len, char *note, size_t nlen)
{
	struct cmm_ui_quorum	q = m->quorum;
	const struct cmm_ui_status *s = &m->status;

	note[0] = '\0';
	if (q.valid && strcmp(q.method, "kept") == 0 && m->decided_q.valid) {
		/* a round where nobody left decides nothing new */
		q = m->decided_q;
		snprintf(note, nlen, "then: nobody left, quorum kept");
	}
	if (q.valid)
		snprintf(title, tlen, "quorum: %s, %s", q.method, q.verdict);
	else
		snprintf(title, tlen, "quorum");
	cmm_ui_vote_explain(&q, buf, len);
	/* the last decision won, but the node has lost quorum since */
	if (q.valid && strcmp(q.verdict, "win") == 0 && s->valid &&
	    !s->quorum && !s->quorum_pending &&
	    strcmp(s->state, "no-quorum") == 0)
		snprintf(note, nlen, "since then: no quorum (too few members "
		    "alive)");
	/* a race is over once no round runs: say how it ended */
	if (q.valid && strcmp(q.method, "race") == 0 &&
	    strcmp(q.verdict, "race") == 0 && m->round.valid &&
	    !m->round.active && s->valid) {
		bool won = s->quorum && strcmp(s->state, "member") == 0;

		snprintf(buf, len, "race for %s: %s", q.device[0] ? q.device : "the shared device",
		    won ? "won, this side is the cluster" :
		    "lost, this side stays out");
		snprintf(title, tlen, "quorum: race, %s", won ? "won" : "lost");
	}
}

int
cmm_ui_fence_text(const struct cmm_ui_fence *f, char *buf, size_t len)
{
	char by[160];

	if (f->device[0] == '\0')
		return snprintf(buf, len, "e%" PRIu32 " %d: NOT FENCED, shares no "
		    "device with a member; stop it before trusting shared data",
		    f->epoch, f->whom);
	cmm_ui_set_format(&f->by, by, sizeof(by));
	return snprintf(buf, len, "e%" PRIu32 " %s fenced %d on %s", f->epoch,
	    by, f->whom, f->device);
}

bool
cmm_ui_timing_any_warn(const struct cmm_ui_model *m)
{
	for (int i = 0; i < m->nnodes; i++)
		if (m->nodes[i].has_hb && !m->nodes[i].self &&
		    cmm_ui_timing_warn(m->nodes[i].hb_p99, m->failure_timeout_ms))
			return true;
	return false;
}

int
cmm_ui_cluster_lines(const struct cmm_ui_model *m, int w, char *out,
    size_t linelen, int max)
{
	/* the sides: the nodes heard, grouped by the configuration they say
	 * is committed (epoch and members) and whether they are in it */
	struct {
		uint32_t	 epoch;
		bool		 member;
		struct cmm_ui_set members, ids;
	}		 side[16];
	int		 nside = 0, n = 0;
	char		 a[160], b[160], c[160], heard[24];

	if (max <= 0)
		return 0;
	if (m->nsays == 0) {
		layout_put(out, linelen, max, &n, w, "no cluster reply yet (the "
		    "node may be older than the `cluster` command)");
		return n;
	}
	for (int i = 0; i < m->nsays; i++) {
		const struct cmm_ui_says *x = &m->says[i];
		bool mb = strcmp(x->state, "member") == 0;
		int k;

		if (!x->known || (!x->self && !x->alive))
			continue;
		for (k = 0; k < nside; k++)
			if (side[k].epoch == x->epoch && side[k].member == mb &&
			    cmm_ui_set_eq(&side[k].members, &x->members))
				break;
		if (k == nside) {
			if (nside == 16)
				continue;
			side[k].epoch = x->epoch;
			side[k].member = mb;
			side[k].members = x->members;
			cmm_ui_set_clear(&side[k].ids);
			nside++;
		}
		cmm_ui_set_add(&side[k].ids, x->id);
	}
	layout_put(out, linelen, max, &n, w, "%s", nside <= 1 ?
	    "one view: every node heard says the same configuration" :
	    "SIDES: the nodes heard say different configurations");
	for (int k = 0; k < nside; k++) {
		cmm_ui_set_format(&side[k].ids, a, sizeof(a));
		cmm_ui_set_format(&side[k].members, b, sizeof(b));
		layout_put(out, linelen, max, &n, w, "  {%s}: epoch %" PRIu32
		    " {%s}, %s", a, side[k].epoch, b, side[k].member ?
		    "members" : "not members");
	}
	layout_put(out, linelen, max, &n, w, " id  alive heard  says      epoch "
	    "members     sees        config");
	for (int i = 0; i < m->nsays; i++) {
		const struct cmm_ui_says *x = &m->says[i];

		if (x->self)
			snprintf(heard, sizeof(heard), "self");
		else if (x->heard_ms < 0)
			snprintf(heard, sizeof(heard), "never");
		else
			cmm_ui_age(x->heard_ms, heard, sizeof(heard));
		if (!x->known) {
			layout_put(out, linelen, max, &n, w, "%3d%c %-5s %-6s "
			    "(nothing heard)", x->id, x->self ? '*' : ' ',
			    x->alive ? "yes" : "no", heard);
			continue;
		}
		cmm_ui_set_format(&x->members, b, sizeof(b));
		if (x->has_sees)
			cmm_ui_set_format(&x->sees, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "?");
		layout_put(out, linelen, max, &n, w, "%3d%c %-5s %-6s %-9s %5"
		    PRIu32 " %-11s %-11s %s", x->id, x->self ? '*' : ' ',
		    x->alive ? "yes" : "no", heard, x->state, x->epoch,
		    b[0] ? b : "none", c[0] ? c : "none",
		    strcmp(x->config, "mismatch") == 0 ? "MISMATCH" :
		    x->config[0] ? x->config : "?");
	}
	return n;
}
