/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * view: draws the console's panes from the model.  Each pane has its own
 * window and is drawn only when its dirty flag is set; everything goes out
 * with wnoutrefresh and one doupdate, the command line last so the cursor
 * stays where readline wants it (readline never writes to the terminal
 * itself: see prompt.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/colour.h"
#include "ui/console_int.h"
#include "ui/keys.h"

#define VIEW_LINE	512
#define VIEW_MAXLINES	64

static WINDOW	*view_win(WINDOW *old, const struct cmm_ui_rect *r);
static void	 view_title(WINDOW *w, const char *text);
static void	 view_put(WINDOW *w, int y, int x, enum cmm_ui_role role,
		    const char *s);
static void	 view_header(struct cmm_console *c);
static void	 view_vector(struct cmm_console *c);
static void	 view_round(struct cmm_console *c, WINDOW *w);
static void	 view_quorum(struct cmm_console *c, WINDOW *w);
static void	 view_timing(struct cmm_console *c, WINDOW *w, bool full);
static void	 view_log(struct cmm_console *c, WINDOW *w);
static void	 view_history(struct cmm_console *c, WINDOW *w);
static void	 view_help(struct cmm_console *c, WINDOW *w);
static void	 view_cluster(struct cmm_console *c, WINDOW *w);
static void	 view_status(struct cmm_console *c);
static void	 view_box(struct cmm_console *c);

/* Set while the console is not connected: what the panes show is the
 * last the node said, no longer live, so every pane is drawn dim. */
static bool	 view_stale;

static enum cmm_ui_role
view_role(enum cmm_ui_role r)
{
	return view_stale && r != CMM_UI_R_STATE_BAD ? CMM_UI_R_DIM : r;
}

/* A window for r (NULL when r is empty), replacing old. */
static WINDOW *
view_win(WINDOW *old, const struct cmm_ui_rect *r)
{
	if (old != NULL)
		delwin(old);
	if (r->h <= 0 || r->w <= 0)
		return NULL;
	return newwin(r->h, r->w, r->y, r->x);
}

void
con_view_free(struct cmm_console *c)
{
	WINDOW **ws[] = { &c->w_header, &c->w_vector, &c->w_round, &c->w_quorum,
	    &c->w_timing, &c->w_big, &c->w_log, &c->w_status, &c->w_cmd,
	    &c->w_box };

	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		if (*ws[i] != NULL)
			delwin(*ws[i]);
		*ws[i] = NULL;
	}
}

void
con_view_layout(struct cmm_console *c)
{
	struct cmm_ui_layout *l = &c->lay;

	cmm_ui_layout_compute(l, LINES, COLS, c->view, c->model.nnodes);
	c->w_header = view_win(c->w_header, &l->header);
	c->w_vector = view_win(c->w_vector, &l->vector);
	c->w_round = view_win(c->w_round, &l->round);
	c->w_quorum = view_win(c->w_quorum, &l->quorum);
	c->w_timing = view_win(c->w_timing, &l->timing);
	c->w_big = view_win(c->w_big, &l->big);
	c->w_log = view_win(c->w_log, &l->log);
	c->w_status = view_win(c->w_status, &l->status);
	c->w_cmd = view_win(c->w_cmd, &l->cmd);
	if (c->w_box != NULL)
		delwin(c->w_box);
	c->w_box = NULL;
	/* the screen behind the panes is cleared once, not per redraw */
	wnoutrefresh(stdscr);
	c->dirty = CON_D_ALL;
}

/* A pane title on the window's first line: "-- text ------". */
static void
view_title(WINDOW *w, const char *text)
{
	int width = getmaxx(w);

	wattrset(w, (attr_t)cmm_ui_attr(view_role(CMM_UI_R_TITLE)));
	mvwhline(w, 0, 0, ACS_HLINE, width);
	mvwaddch(w, 0, 1, ' ');
	mvwaddnstr(w, 0, 2, text, width > 4 ? width - 4 : 0);
	if ((int)strlen(text) + 2 < width)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

/* text from line y on, wrapped at the pane's width (one column of
 * margin each side), up to line h; returns the next free line */
static int
view_wrap(WINDOW *w, int y, int h, enum cmm_ui_role role, const char *text)
{
	int	width = getmaxx(w) - 2;
	size_t	k;

	if (width < 1)
		return y;
	for (const char *p = text; *p != '\0' && y < h; y++) {
		k = strlen(p);
		if (k > (size_t)width) {
			/* break at the last space that fits, else hard */
			k = (size_t)width;
			for (size_t j = k; j > (size_t)width / 2; j--)
				if (p[j] == ' ') {
					k = j;
					break;
				}
		}
		wattrset(w, (attr_t)cmm_ui_attr(view_role(role)));
		mvwaddnstr(w, y, 1, p, (int)k);
		wattrset(w, A_NORMAL);
		p += k;
		while (*p == ' ')
			p++;
	}
	return y;
}

static void
view_put(WINDOW *w, int y, int x, enum cmm_ui_role role, const char *s)
{
	int width = getmaxx(w);

	if (y >= getmaxy(w) || x >= width)
		return;
	wattrset(w, (attr_t)cmm_ui_attr(view_role(role)));
	mvwaddnstr(w, y, x, s, width - x);
	wattrset(w, A_NORMAL);
}

/* ---- panes ---- */

static void
view_header(struct cmm_console *c)
{
	const struct cmm_ui_status	*s = &c->model.status;
	WINDOW				*w = c->w_header;
	char				 buf[VIEW_LINE], pre[128];
	const char			*st;
	int				 width = getmaxx(w);

	wbkgdset(w, (chtype)cmm_ui_attr(CMM_UI_R_HEADER) | ' ');
	werase(w);
	if (!c->connected) {
		snprintf(buf, sizeof(buf), " %s: NOT CONNECTED - the panes are "
		    "the last known state%s%.200s", c->title, c->sock[0] ?
		    "; retrying " : "", c->sock);
		view_put(w, 0, 0, CMM_UI_R_STATE_BAD, buf);
		wbkgdset(w, ' ');
		return;
	}
	if (c->model.alarm[0] != '\0') {
		/* a split brain outranks everything else on the top line */
		snprintf(buf, sizeof(buf), " %s", c->model.alarm);
		view_put(w, 0, 0, CMM_UI_R_STATE_BAD, buf);
		wbkgdset(w, ' ');
		return;
	}
	cmm_ui_header_text(s, con_now(), c->model.last_change, width - 1, buf,
	    sizeof(buf));
	wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_HEADER));
	mvwaddnstr(w, 0, 1, buf, width - 1);
	/* the state, colour-coded, over its place in the line */
	if (s->valid) {
		snprintf(pre, sizeof(pre), "%s  node %d  ", s->cluster[0] ?
		    s->cluster : "cmm", s->node);
		st = strstr(buf, s->state);
		if (st != NULL && (size_t)(st - buf) == strlen(pre))
			view_put(w, 0, 1 + (int)strlen(pre),
			    cmm_ui_state_role(s->state), s->state);
		if (s->quorum_pending &&
		    (st = strstr(buf, "quorum pending")) != NULL)
			view_put(w, 0, 1 + (int)(st - buf), CMM_UI_R_STATE_ASK,
			    "quorum pending");
		else if (!s->quorum && (st = strstr(buf, "quorum no")) != NULL)
			view_put(w, 0, 1 + (int)(st - buf), CMM_UI_R_STATE_BAD,
			    "quorum no");
	}
	wattrset(w, A_NORMAL);
	wbkgdset(w, ' ');
}

static void
view_vector(struct cmm_console *c)
{
	const struct cmm_ui_model	*m = &c->model;
	WINDOW				*w = c->w_vector;
	int				 rows = getmaxy(w) - 1, cpr = c->lay.cells_per_row;
	int				 cw = c->lay.cell_w;
	int64_t				 now = con_now();
	char				 cell[64];

	werase(w);
	view_title(w, "cells: M/- member, A/x alive, * here, ^ crown prince, "
	    "! fenced, ####: heartbeat age (F1: legend)");
	if (m->nnodes == 0) {
		view_put(w, 1, 1, CMM_UI_R_DIM, "(no node list yet)");
		return;
	}
	for (int i = 0; i < m->nnodes; i++) {
		const struct cmm_ui_node	*n = &m->nodes[i];
		int				 row = i / cpr, col = i % cpr;
		enum cmm_ui_role		 role;

		if (row >= rows)
			break;
		if (row == rows - 1 && col == cpr - 1 && i < m->nnodes - 1) {
			snprintf(cell, sizeof(cell), " +%d more", m->nnodes - i);
			view_put(w, 1 + row, col * cw, CMM_UI_R_DIM, cell);
			break;
		}
		cmm_ui_cell_text(n, m->status.crown_prince, m->failure_timeout_ms,
		    cw, cell, sizeof(cell));
		/* another config digest: it takes no part, say so loudest */
		if (n->config_mismatch)
			role = CMM_UI_R_ERROR;
		else if (n->changed_at >= 0 && now - n->changed_at < CMM_UI_HILITE_MS)
			role = CMM_UI_R_CHANGED;
		else if (!n->alive)
			role = CMM_UI_R_DEAD;
		else if (n->suspect)
			role = CMM_UI_R_WARN;
		else if (!n->member)
			role = CMM_UI_R_OUTSIDE;
		else if (n->self)
			role = CMM_UI_R_SELF;
		else
			role = CMM_UI_R_MEMBER;
		view_put(w, 1 + row, col * cw, role, cell);
	}
}

static void
view_round(struct cmm_console *c, WINDOW *w)
{
	char	lines[VIEW_MAXLINES][VIEW_LINE], title[160];
	int	n, width = getmaxx(w), h = getmaxy(w) - 1;

	const struct cmm_ui_round *r = cmm_ui_round_shown(&c->model);

	werase(w);
	cmm_ui_round_title(r, con_now(), title, sizeof(title));
	view_title(w, title);
	if (h > VIEW_MAXLINES)
		h = VIEW_MAXLINES;
	/* a later round that changed nothing: one line at the bottom */
	if (r != &c->model.round && h > 1) {
		view_put(w, h, 1, CMM_UI_R_DIM, c->model.round_note);
		h--;
	}
	n = cmm_ui_round_matrix(r, width - 2, lines[0], sizeof(lines[0]), h);
	for (int i = 0; i < n; i++) {
		enum cmm_ui_role role = CMM_UI_R_NORMAL;

		if (strstr(lines[i], " proposes ") != NULL ||
		    strncmp(lines[i], "diff", 4) == 0)
			role = CMM_UI_R_ERROR;
		else if (strstr(lines[i], "outcome:") != NULL ||
		    strncmp(lines[i], "  ", 2) == 0)
			role = strstr(lines[i], "commit") != NULL ?
			    CMM_UI_R_GOOD : CMM_UI_R_WARN;
		view_put(w, 1 + i, 1, role, lines[i]);
	}
}

static void
view_quorum(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	const struct cmm_ui_quorum	*q = m->decided_q.valid &&
					    m->quorum.valid &&
					    strcmp(m->quorum.method, "kept") == 0 ?
					    &m->decided_q : &m->quorum;
	char				 buf[VIEW_LINE], title[160], note[160];
	int				 y = 1, h = getmaxy(w);
	enum cmm_ui_role		 role;

	werase(w);
	cmm_ui_quorum_text(m, title, sizeof(title), buf, sizeof(buf), note,
	    sizeof(note));
	view_title(w, title);
	/* the way out of a lost quorum, when the node offers one, first */
	if (m->status.suggest[0] != '\0')
		y = view_wrap(w, y, h, CMM_UI_R_ERROR, m->status.suggest);
	if (m->status.quorum_pending && y < h)
		view_put(w, y++, 1, CMM_UI_R_STATE_ASK, "quorum pending: the "
		    "operator's answer decides");
	role = !q->valid ? CMM_UI_R_DIM : strcmp(q->verdict, "win") == 0 ||
	    strstr(title, "won") != NULL ? CMM_UI_R_GOOD :
	    strcmp(q->verdict, "lose") == 0 || strstr(title, "lost") != NULL ?
	    CMM_UI_R_ERROR : CMM_UI_R_WARN;
	/* the explanation may wrap: it is the point of the pane */
	y = view_wrap(w, y, h, role, buf);
	if (note[0] != '\0' && y < h)
		view_put(w, y++, 1, CMM_UI_R_DIM, note);
	if (q->valid && q->device[0] != '\0' && y < h) {
		snprintf(buf, sizeof(buf), "device raced for: %s", q->device);
		view_put(w, y++, 1, CMM_UI_R_NORMAL, buf);
	}
	if (q->valid && q->crown_prince >= 0 && y < h) {
		snprintf(buf, sizeof(buf), "crown prince of previous: %d (%s)",
		    q->crown_prince, q->crown_prince_present ? "present" :
		    "absent");
		view_put(w, y++, 1, CMM_UI_R_NORMAL, buf);
	}
	/* fences in force, newest first; a departed node nobody could
	 * fence is said loudest: it may still be running */
	for (int i = m->nfences - 1; i >= 0 && y < h - 1; i--) {
		cmm_ui_fence_text(&m->fences[i], buf, sizeof(buf));
		y = view_wrap(w, y, h - 1, m->fences[i].device[0] == '\0' ?
		    CMM_UI_R_ERROR : CMM_UI_R_WARN, buf);
	}
	if (y < h) {
		const uint64_t *d = m->status.dropped;

		snprintf(buf, sizeof(buf), "drops bad/foreign/auth/replay %"
		    PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64,
		    d[0], d[1], d[2], d[3]);
		view_put(w, h - 1, 1, d[0] + d[1] + d[2] + d[3] ? CMM_UI_R_WARN :
		    CMM_UI_R_DIM, buf);
	}
}

static void
view_timing(struct cmm_console *c, WINDOW *w, bool full)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 buf[VIEW_LINE];
	int				 h = getmaxy(w), y = 1, first;

	werase(w);
	snprintf(buf, sizeof(buf), "timing: heartbeats, timeout %d ms%s",
	    m->failure_timeout_ms, full ? " (median/p99 over the last minute)" :
	    "");
	view_title(w, buf);
	view_put(w, y++, 1, CMM_UI_R_DIM, " id state mbr   heard med/p99ms "
	    "link");
	first = full ? c->big_scroll : 0;
	if (first > m->nnodes - 1)
		first = m->nnodes > 0 ? m->nnodes - 1 : 0;
	for (int i = first; i < m->nnodes && y < h; i++) {
		const struct cmm_ui_node	*n = &m->nodes[i];
		enum cmm_ui_role		 role;

		cmm_ui_timing_row(n, m->failure_timeout_ms, buf, sizeof(buf));
		if (full && n->address[0] != '\0') {
			size_t pos = strlen(buf);

			snprintf(buf + pos, sizeof(buf) - pos, " epoch %" PRIu32
			    " prio %d n %d %s%s%s", n->epoch, n->priority, n->hb_n,
			    n->address, n->says_member ? " says-member" : "",
			    n->config_mismatch ? " CONFIG-MISMATCH" : "");
			pos = strlen(buf);
			/* redundant links: a peer with one down is still alive */
			if (n->n_links > 1 && !n->self)
				snprintf(buf + pos, sizeof(buf) - pos, " links %d/%d "
				    "up", n->links_up, n->n_links);
		}
		role = n->config_mismatch ? CMM_UI_R_ERROR : n->has_hb &&
		    cmm_ui_timing_warn(n->hb_p99, m->failure_timeout_ms) ?
		    CMM_UI_R_WARN : !n->alive ? CMM_UI_R_DEAD : CMM_UI_R_NORMAL;
		view_put(w, y++, 1, role, buf);
	}
	/* said only when some peer is in that state */
	if (full && y < h && cmm_ui_timing_any_warn(m))
		view_put(w, y, 1, CMM_UI_R_WARN, "WARN: p99 above half the "
		    "failure timeout - a false failure is getting likely; raise "
		    "failure_timeout_ms or fix the network");
}

static enum cmm_ui_role
view_log_role(const struct cmm_ui_logline *l)
{
	return l->error ? CMM_UI_R_ERROR : l->kind == CMM_UI_LK_COMMAND ?
	    CMM_UI_R_NORMAL : l->kind == CMM_UI_LK_MEMBERSHIP ?
	    CMM_UI_R_GOOD : l->kind == CMM_UI_LK_PROMPT ?
	    CMM_UI_R_WARN : l->kind == CMM_UI_LK_TROUBLE ?
	    CMM_UI_R_WARN : CMM_UI_R_NORMAL;
}

/* The screen lines one log line takes at width w: the full log view
 * wraps (the end of a line is often its point), the main view cuts. */
static int
view_log_rows(const char *text, int w, bool wrap)
{
	int len = (int)strlen(text);

	if (!wrap || w <= 9 || len <= w)
		return 1;
	/* the first row holds w columns, the others w - 9 (indented) */
	return 1 + (len - w + (w - 9) - 1) / (w - 9);
}

static void
view_log(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 title[160], buf[VIEW_LINE];
	int				 h = getmaxy(w) - 1, width = getmaxx(w);
	int				 count, first, y, used;
	bool				 wrap = w == c->w_big;

	werase(w);
	cmm_ui_model_logline(m, c->log_filter, 0, &count);
	if (c->log_scroll > count - 1)
		c->log_scroll = count > 0 ? count - 1 : 0;
	if (!wrap && c->log_scroll > count - h)
		c->log_scroll = count - h > 0 ? count - h : 0;
	snprintf(title, sizeof(title), "events: %s%s (F6 filter, PgUp/PgDn)",
	    cmm_ui_logkind_name(c->log_filter), c->log_scroll ?
	    ", scrolled" : "");
	view_title(w, title);
	/* back from the newest shown until the pane is full */
	first = count - c->log_scroll;
	used = 0;
	while (first > 0) {
		const struct cmm_ui_logline *l =
		    cmm_ui_model_logline(m, c->log_filter, first - 1, NULL);
		int k;

		if (l == NULL)
			break;
		snprintf(buf, sizeof(buf), "%-8s %s", l->time, l->text);
		k = view_log_rows(buf, width, wrap);
		if (used + k > h)
			break;
		used += k;
		first--;
	}
	y = 1;
	for (int i = first; i < count - c->log_scroll && y <= h; i++) {
		const struct cmm_ui_logline	*l;
		const char			*p;
		int				 k, len;

		l = cmm_ui_model_logline(m, c->log_filter, i, NULL);
		if (l == NULL)
			break;
		snprintf(buf, sizeof(buf), "%-8s %s", l->time, l->text);
		if (!wrap) {
			view_put(w, y++, 0, view_log_role(l), buf);
			continue;
		}
		len = (int)strlen(buf);
		k = len < width ? len : width;
		wattrset(w, (attr_t)cmm_ui_attr(view_role(view_log_role(l))));
		mvwaddnstr(w, y++, 0, buf, k);
		for (p = buf + k; *p != '\0' && y <= h && width > 9; y++) {
			k = (int)strlen(p) < width - 9 ? (int)strlen(p) : width - 9;
			mvwaddnstr(w, y, 9, p, k);
			p += k;
		}
		wattrset(w, A_NORMAL);
	}
}

static void
view_history(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 buf[VIEW_LINE], set[256];
	int				 h = getmaxy(w), y = 2;

	werase(w);
	view_title(w, "history: committed configurations, newest first");
	view_put(w, 1, 1, CMM_UI_R_DIM, "epoch  time (UTC)                "
	    "members         reason");
	if (m->nhist == 0)
		view_put(w, y, 1, CMM_UI_R_DIM, "no history yet");
	for (int i = m->nhist - 1 - c->big_scroll; i >= 0 && y < h; i--) {
		const struct cmm_ui_hist *x = &m->hist[i];

		cmm_ui_set_format(&x->members, set, sizeof(set));
		snprintf(buf, sizeof(buf), "%5" PRIu32 "  %-24s  %-14s  %s%s%s",
		    x->epoch, x->time, set, x->reason,
		    strcmp(x->kind, "commit") ? " " : "",
		    strcmp(x->kind, "commit") ? x->kind : "");
		view_put(w, y++, 1, CMM_UI_R_NORMAL, buf);
	}
}

/* The legend of the cells and colours, for the help view. */
static const char *const view_legend[] = {
	"legend of the cells (F2), e.g. \" 5*^! MA ##..\":",
	"  5       the node id",
	"  * ^ !   this node; crown prince (decides a tie); fenced on a "
	    "device, until it is a member again",
	"  M or -  member of the committed configuration, or not",
	"  A or x  alive (heartbeats heard), or not; ? suspect: its port was "
	    "reported unreachable and probes are out (alive until they decide)",
	"  ####    age of its last heartbeat in quarters of the failure "
	    "timeout: '.' fresh, '####' at the timeout; '====' this node",
	"  colours: green member, yellow alive outside or suspect, grey dead, "
	    "reverse just changed, red config mismatch",
	"  header: quorum yes / no / pending (an operator's answer decides)",
	"  grey panes: not connected, the last state known",
};

/* The help view's lines, wrapped to its width; drawn from big_scroll. */
struct view_help_buf {
	WINDOW	*w;
	int	 width, h, skip, line, y;
};

/* One help entry, wrapped; continuation lines indented by indent. */
static void
view_help_add(struct view_help_buf *b, enum cmm_ui_role role, int indent,
    const char *text)
{
	char		 buf[VIEW_LINE];
	const char	*p = text;
	int		 first = 1;

	while (*p != '\0' || first) {
		int	pad = first ? 0 : indent;
		int	room = b->width - pad;
		int	k = (int)strlen(p);

		if (room < 10)
			room = 10;
		if (k > room) {
			int j;

			for (j = room; j > room / 2 && p[j] != ' '; j--)
				;
			k = j > room / 2 ? j : room;
		}
		snprintf(buf, sizeof(buf), "%*s%.*s", pad, "", k, p);
		if (b->line++ >= b->skip && b->y < b->h)
			view_put(b->w, b->y++, 1, role, buf);
		p += k;
		while (*p == ' ')
			p++;
		first = 0;
	}
}

static void
view_help(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 buf[VIEW_LINE];
	struct view_help_buf		 b;

	werase(w);
	view_title(w, "help: keys and commands (PgUp/PgDn, j/k scroll; any "
	    "view key leaves)");
	b.w = w;
	b.width = getmaxx(w) - 2;
	b.h = getmaxy(w);
	b.y = 1;
	b.line = 0;
	/* everything is counted; what scrolled off the top is skipped */
	b.skip = c->big_scroll;
	/* the embedding program's own commands first (the demo's) */
	if (c->opts.local_help != NULL) {
		view_help_add(&b, CMM_UI_R_TITLE, 0, c->opts.local_help_title ?
		    c->opts.local_help_title : "commands run here:");
		for (int i = 0; c->opts.local_help[i] != NULL; i++) {
			snprintf(buf, sizeof(buf), "  %s", c->opts.local_help[i]);
			view_help_add(&b, CMM_UI_R_NORMAL, 6, buf);
		}
	}
	/* the key table of ui/keys.c, as cmm(1) and the usage show it */
	view_help_add(&b, CMM_UI_R_TITLE, 0, "keys:");
	for (int i = 0; cmm_ui_keys_help_line(i, buf, sizeof(buf)) != NULL; i++)
		view_help_add(&b, CMM_UI_R_NORMAL, 27, buf);
	{
		size_t used = (size_t)snprintf(buf, sizeof(buf),
		    "console commands:");

		for (int i = 0; i < CMM_UI_NLOCAL && used < sizeof(buf); i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
			    "%s %s%s%s", i ? "," : "", cmm_ui_local_cmds[i].name,
			    cmm_ui_local_cmds[i].args[0] ? " " : "",
			    cmm_ui_local_cmds[i].args);
		view_help_add(&b, CMM_UI_R_TITLE, 2, buf);
	}
	view_help_add(&b, CMM_UI_R_TITLE, 0, "node commands (help CMD for "
	    "more):");
	for (int i = 0; i < m->ncmds; i++) {
		snprintf(buf, sizeof(buf), "  %s %s", m->cmds[i], m->cmd_args[i]);
		view_help_add(&b, CMM_UI_R_NORMAL, 6, buf);
	}
	for (size_t i = 0; i < sizeof(view_legend) / sizeof(view_legend[0]); i++)
		view_help_add(&b, i == 0 ? CMM_UI_R_TITLE : CMM_UI_R_NORMAL, 10,
		    view_legend[i]);
	/* no scrolling past the end: the last page stays the last */
	if (b.skip > 0 && b.line - b.skip < b.h - 1) {
		c->big_scroll = b.line - (b.h - 1) > 0 ? b.line - (b.h - 1) : 0;
		if (c->big_scroll != b.skip)
			view_help(c, w);
	}
}

/* F7: what every node says of itself, from its heartbeats. */
static void
view_cluster(struct cmm_console *c, WINDOW *w)
{
	char	lines[VIEW_MAXLINES][VIEW_LINE];
	int	n, h = getmaxy(w) - 1, first;

	werase(w);
	view_title(w, "cluster: what every node says in its heartbeats "
	    "(last heard)");
	n = cmm_ui_cluster_lines(&c->model, getmaxx(w) - 2, lines[0],
	    sizeof(lines[0]), VIEW_MAXLINES);
	first = c->big_scroll < n ? c->big_scroll : 0;
	for (int i = first, y = 1; i < n && y <= h; i++, y++)
		view_put(w, y, 1, strstr(lines[i], "MISMATCH") != NULL ||
		    strncmp(lines[i], "SIDES", 5) == 0 ? CMM_UI_R_ERROR :
		    strstr(lines[i], " no ") != NULL ? CMM_UI_R_DEAD :
		    CMM_UI_R_NORMAL, lines[i]);
}

static void
view_status(struct cmm_console *c)
{
	WINDOW	*w = c->w_status;
	char	 buf[VIEW_LINE];
	int	 width = getmaxx(w);

	wbkgdset(w, (chtype)cmm_ui_attr(CMM_UI_R_STATUSBAR) | ' ');
	werase(w);
	snprintf(buf, sizeof(buf), "F1 help F2 main F3 nodes F4 hist F5 log "
	    "F6 filter F7 cluster F9 %s | %s | %s", c->focused ? "keys" :
	    "type",
	    cmm_ui_view_name(c->view), c->title);
	wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_STATUSBAR));
	mvwaddnstr(w, 0, 0, buf, width);
	wattrset(w, A_NORMAL);
	wbkgdset(w, ' ');
}

/* The prompt as a modal box in the middle of the screen. */
static void
view_box(struct cmm_console *c)
{
	char	lines[24][VIEW_LINE];
	int	n, bw, bh, cols = COLS, rows = LINES;

	if (c->w_box != NULL)
		delwin(c->w_box);
	c->w_box = NULL;
	if (!c->model.prompt.open || c->lay.too_small)
		return;
	bw = cols - 4 < 76 ? cols - 4 : 76;
	n = cmm_ui_prompt_lines(&c->model, con_now(), bw - 4, lines[0],
	    sizeof(lines[0]), rows - 4 < 24 ? rows - 4 : 24);
	bh = n + 2;
	if (bh > rows - 2)
		bh = rows - 2;
	c->w_box = newwin(bh, bw, (rows - 2 - bh) / 2, (cols - bw) / 2);
	if (c->w_box == NULL)
		return;
	wbkgd(c->w_box, (chtype)cmm_ui_attr(CMM_UI_R_BOX) | ' ');
	werase(c->w_box);
	box(c->w_box, 0, 0);
	for (int i = 0; i < n && i < bh - 2; i++)
		view_put(c->w_box, 1 + i, 2, i == 0 ? CMM_UI_R_BOXTITLE :
		    CMM_UI_R_BOX, lines[i]);
	wnoutrefresh(c->w_box);
}

void
con_view_draw(struct cmm_console *c)
{
	unsigned	d = c->dirty;
	WINDOW		*big;

	if (!c->active)
		return;
	c->dirty = 0;
	view_stale = !c->connected;
	if (d & CON_D_LAYOUT)
		con_view_layout(c), d = CON_D_ALL;
	if (c->lay.too_small) {
		werase(stdscr);
		mvaddnstr(0, 0, "too small: 40x12 at least", COLS);
		wnoutrefresh(stdscr);
		con_prompt_redisplay();
		return;
	}
	if ((d & CON_D_HEADER) && c->w_header) {
		view_header(c);
		wnoutrefresh(c->w_header);
	}
	if ((d & CON_D_VECTOR) && c->w_vector) {
		view_vector(c);
		wnoutrefresh(c->w_vector);
	}
	if ((d & CON_D_ROUND) && c->w_round) {
		view_round(c, c->w_round);
		wnoutrefresh(c->w_round);
	}
	if ((d & CON_D_QUORUM) && c->w_quorum) {
		view_quorum(c, c->w_quorum);
		wnoutrefresh(c->w_quorum);
	}
	if ((d & CON_D_TIMING) && c->w_timing) {
		view_timing(c, c->w_timing, false);
		wnoutrefresh(c->w_timing);
	}
	if ((d & CON_D_LOG) && c->w_log) {
		view_log(c, c->w_log);
		wnoutrefresh(c->w_log);
	}
	big = c->w_big;
	if (big != NULL && (d & (CON_D_BIG | (c->view == CMM_UI_VIEW_LOG ?
	    CON_D_LOG : 0) | (c->view == CMM_UI_VIEW_NODES ||
	    c->view == CMM_UI_VIEW_CLUSTER ? CON_D_TIMING : 0)))) {
		switch (c->view) {
		case CMM_UI_VIEW_NODES:		view_timing(c, big, true); break;
		case CMM_UI_VIEW_HISTORY:	view_history(c, big); break;
		case CMM_UI_VIEW_LOG:		view_log(c, big); break;
		case CMM_UI_VIEW_CLUSTER:	view_cluster(c, big); break;
		default:			view_help(c, big); break;
		}
		wnoutrefresh(big);
	}
	if ((d & CON_D_STATUS) && c->w_status) {
		view_status(c);
		wnoutrefresh(c->w_status);
	}
	/* the box sits over the panes: draw it after any of them */
	if (c->model.prompt.open && (d & ~CON_D_CMD))
		view_box(c);
	else if (!c->model.prompt.open && c->w_box != NULL) {
		delwin(c->w_box);
		c->w_box = NULL;
	}
	/* the command line last: whichever window is refreshed last owns the
	 * cursor */
	con_prompt_redisplay();
}
