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
static void	 view_status(struct cmm_console *c);
static void	 view_box(struct cmm_console *c);

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

	wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_TITLE));
	mvwhline(w, 0, 0, ACS_HLINE, width);
	mvwaddch(w, 0, 1, ' ');
	mvwaddnstr(w, 0, 2, text, width > 4 ? width - 4 : 0);
	if ((int)strlen(text) + 2 < width)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

static void
view_put(WINDOW *w, int y, int x, enum cmm_ui_role role, const char *s)
{
	int width = getmaxx(w);

	if (y >= getmaxy(w) || x >= width)
		return;
	wattrset(w, (attr_t)cmm_ui_attr(role));
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
		snprintf(buf, sizeof(buf), " %s: not connected to a node%s%.200s",
		    c->title, c->sock[0] ? " - retrying " : "", c->sock);
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
		if (!s->quorum && (st = strstr(buf, "quorum no")) != NULL)
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
	view_title(w, "cluster: M member, A alive, * here, ^ crown prince, "
	    "! fenced, bar: heartbeat age");
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

	werase(w);
	cmm_ui_round_title(&c->model.round, con_now(), title, sizeof(title));
	view_title(w, title);
	if (h > VIEW_MAXLINES)
		h = VIEW_MAXLINES;
	n = cmm_ui_round_matrix(&c->model.round, width - 2, lines[0],
	    sizeof(lines[0]), h);
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
	const struct cmm_ui_quorum	*q = &m->quorum;
	char				 buf[VIEW_LINE];
	int				 y = 1, h = getmaxy(w), width = getmaxx(w);

	werase(w);
	if (q->valid)
		snprintf(buf, sizeof(buf), "quorum: %s, %s", q->method,
		    q->verdict);
	else
		snprintf(buf, sizeof(buf), "quorum");
	view_title(w, buf);
	cmm_ui_vote_explain(q, buf, sizeof(buf));
	/* the explanation may wrap: it is the point of the pane */
	for (const char *p = buf; *p != '\0' && y < h; y++) {
		int k = (int)strlen(p);

		if (k > width - 2)
			k = width - 2;
		wattrset(w, (attr_t)cmm_ui_attr(!q->valid ? CMM_UI_R_DIM :
		    strcmp(q->verdict, "win") == 0 ? CMM_UI_R_GOOD :
		    strcmp(q->verdict, "lose") == 0 ? CMM_UI_R_ERROR :
		    CMM_UI_R_WARN));
		mvwaddnstr(w, y, 1, p, k);
		wattrset(w, A_NORMAL);
		p += k;
	}
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
	if (m->nfences > 0 && y < h)
		view_put(w, y++, 1, CMM_UI_R_TITLE, "fenced:");
	for (int i = m->nfences - 1; i >= 0 && y < h; i--)
		view_put(w, y++, 2, CMM_UI_R_WARN, m->fences[i]);
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
		}
		role = n->config_mismatch ? CMM_UI_R_ERROR : n->has_hb &&
		    cmm_ui_timing_warn(n->hb_p99, m->failure_timeout_ms) ?
		    CMM_UI_R_WARN : !n->alive ? CMM_UI_R_DEAD : CMM_UI_R_NORMAL;
		view_put(w, y++, 1, role, buf);
	}
	if (full && y < h)
		view_put(w, y, 1, CMM_UI_R_DIM, "WARN: p99 above half the failure "
		    "timeout - a false failure is getting likely; raise "
		    "failure_timeout_ms or fix the network");
}

static void
view_log(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 title[160], buf[VIEW_LINE];
	int				 h = getmaxy(w) - 1, count, first, y;

	werase(w);
	cmm_ui_model_logline(m, c->log_filter, 0, &count);
	if (c->log_scroll > count - h)
		c->log_scroll = count - h > 0 ? count - h : 0;
	snprintf(title, sizeof(title), "events: %s%s (F6 filter, PgUp/PgDn)",
	    cmm_ui_logkind_name(c->log_filter), c->log_scroll ?
	    ", scrolled" : "");
	view_title(w, title);
	first = count - h - c->log_scroll;
	if (first < 0)
		first = 0;
	y = 1;
	for (int i = first; i < count && y <= h; i++) {
		const struct cmm_ui_logline	*l;
		enum cmm_ui_role		 role;

		l = cmm_ui_model_logline(m, c->log_filter, i, NULL);
		if (l == NULL)
			break;
		snprintf(buf, sizeof(buf), "%-8s %s", l->time, l->text);
		role = l->error ? CMM_UI_R_ERROR : l->kind == CMM_UI_LK_COMMAND ?
		    CMM_UI_R_NORMAL : l->kind == CMM_UI_LK_MEMBERSHIP ?
		    CMM_UI_R_GOOD : l->kind == CMM_UI_LK_PROMPT ?
		    CMM_UI_R_WARN : l->kind == CMM_UI_LK_TROUBLE ?
		    CMM_UI_R_WARN : CMM_UI_R_NORMAL;
		view_put(w, y++, 0, role, buf);
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

static void
view_help(struct cmm_console *c, WINDOW *w)
{
	const struct cmm_ui_model	*m = &c->model;
	char				 buf[VIEW_LINE];
	int				 h = getmaxy(w), y = 1;

	werase(w);
	view_title(w, "help: keys and commands (any view key leaves)");
	/* the key table of ui/keys.c, as cmm(1) and the usage show it */
	for (int i = 0; cmm_ui_keys_help_line(i, buf, sizeof(buf)) != NULL &&
	    y < h; i++)
		view_put(w, y++, 1, CMM_UI_R_NORMAL, buf);
	if (y < h) {
		size_t used = (size_t)snprintf(buf, sizeof(buf),
		    "console commands:");

		for (int i = 0; i < CMM_UI_NLOCAL && used < sizeof(buf); i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
			    "%s %s%s%s", i ? "," : "", cmm_ui_local_cmds[i].name,
			    cmm_ui_local_cmds[i].args[0] ? " " : "",
			    cmm_ui_local_cmds[i].args);
		view_put(w, y++, 1, CMM_UI_R_TITLE, buf);
	}
	if (y < h)
		view_put(w, y++, 1, CMM_UI_R_TITLE, "node commands (help CMD "
		    "for more):");
	for (int i = c->big_scroll; i < m->ncmds && y < h; i++) {
		snprintf(buf, sizeof(buf), "  %s %s", m->cmds[i], m->cmd_args[i]);
		view_put(w, y++, 1, CMM_UI_R_NORMAL, buf);
	}
}

static void
view_status(struct cmm_console *c)
{
	WINDOW	*w = c->w_status;
	char	 buf[VIEW_LINE];
	int	 width = getmaxx(w);

	wbkgdset(w, (chtype)cmm_ui_attr(CMM_UI_R_STATUSBAR) | ' ');
	werase(w);
	snprintf(buf, sizeof(buf), "F1 help F2 main F3 nodes F4 history F5 log "
	    "F6 filter F9 %s | %s | %s", c->focused ? "keys" : "type",
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
	    CON_D_LOG : 0) | (c->view == CMM_UI_VIEW_NODES ? CON_D_TIMING : 0)))) {
		switch (c->view) {
		case CMM_UI_VIEW_NODES:		view_timing(c, big, true); break;
		case CMM_UI_VIEW_HISTORY:	view_history(c, big); break;
		case CMM_UI_VIEW_LOG:		view_log(c, big); break;
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
