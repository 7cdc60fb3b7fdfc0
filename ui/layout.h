/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * layout: what the console draws and where, computed without a terminal
 * (unit-tested): the geometry of the panes for a screen size and view,
 * and the text of the header, the cluster-vector cells, the round matrix,
 * the vote explanation and the timing warning.  The drawing code (view.c)
 * only copies these strings to curses windows and picks colour roles.
 */
#ifndef CMM_UI_LAYOUT_H
#define CMM_UI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/model.h"

#define CMM_UI_MIN_ROWS	12
#define CMM_UI_MIN_COLS	40

enum cmm_ui_view {
	CMM_UI_VIEW_MAIN = 0,	/* vector, round, quorum (+ timing if wide), log */
	CMM_UI_VIEW_NODES,	/* the timing / nodes table */
	CMM_UI_VIEW_HISTORY,	/* committed configurations */
	CMM_UI_VIEW_LOG,	/* the event log, full height */
	CMM_UI_VIEW_HELP,	/* keys and commands */
	CMM_UI_VIEW_CLUSTER,	/* what every node says of itself */
	CMM_UI_VIEW__COUNT
};

struct cmm_ui_rect {
	int	y, x, h, w;	/* h == 0: not shown */
};

struct cmm_ui_layout {
	bool			too_small;
	int			rows, cols;
	struct cmm_ui_rect	header;		/* one line */
	struct cmm_ui_rect	vector;		/* title line + cell rows */
	int			cell_w, cells_per_row;
	struct cmm_ui_rect	round, quorum, timing;	/* each: title + body */
	struct cmm_ui_rect	big;		/* NODES/HISTORY/LOG/HELP views */
	struct cmm_ui_rect	log;		/* title + lines */
	struct cmm_ui_rect	status;		/* one line: keys, filter, focus */
	struct cmm_ui_rect	cmd;		/* the readline line */
};

/* Fills l for a screen of rows x cols showing view, with nnodes cells. */
void	cmm_ui_layout_compute(struct cmm_ui_layout *l, int rows, int cols,
	    enum cmm_ui_view view, int nnodes);
const char *cmm_ui_view_name(enum cmm_ui_view v);

/* The width of a vector cell for node ids up to max_id. */
int	cmm_ui_cell_width(int max_id);
/*
 * One vector cell, exactly w columns:  " 5 ^  MA ##.." — id, marks
 * ('*' this node, '^' crown prince, '!' fenced), M/- member, A/x alive,
 * and a 4-column bar of the heartbeat age against failure_timeout_ms
 * (fuller = older; '.' empty).
 */
void	cmm_ui_cell_text(const struct cmm_ui_node *n, int crown_prince,
	    int failure_timeout_ms, int w, char *buf, size_t len);

/* The header line, cut to w columns:
 * "demo  node 0  member  epoch 2  quorum yes  prince 5  last reconf 3s ago" */
void	cmm_ui_header_text(const struct cmm_ui_status *s, int64_t now,
	    int64_t last_change, int w, char *buf, size_t len);

/* "3s", "4m05s", "2h07m", "3d04h"; "-" when negative. */
void	cmm_ui_age(int64_t ms, char *buf, size_t len);

/*
 * The vote explanation, from the numbers alone, e.g.
 *   "votes 3 of previous 6 = half, crown prince 5 present: quorum"
 *   "votes 2 of previous 6 < half: no quorum"
 *   "race for d0-3: won", "initial: 6 of 6 configured: majority"
 */
void	cmm_ui_vote_explain(const struct cmm_ui_quorum *q, char *buf,
	    size_t len);

/*
 * The round matrix, a column per node that was expected or spoke:
 *	node   0 1 2 3 4 5
 *	pres   + + + + + .
 *	prop   + + + - . .
 *	diff         !
 * '+' arrived, '-' expected but missing, '.' not expected.  Cut to w
 * columns (a final '>' when nodes do not fit).  Fills up to max lines of
 * out (each at most w+1 bytes, stride linelen) and returns how many.
 * Later lines say why the round failed: "proposals differ: 3 ({0-3})".
 */
int	cmm_ui_round_matrix(const struct cmm_ui_round *r, int w, char *out,
	    size_t linelen, int max);
/* The round's title: "round 2.0 proposal, 340 ms left" / "round 2.0 (last): done". */
void	cmm_ui_round_title(const struct cmm_ui_round *r, int64_t now, char *buf,
	    size_t len);

/* Warn before a false failure becomes likely, when the p99 inter-arrival
 * time is above half the failure timeout (cmm.conf(5), failure_timeout_ms). */
bool	cmm_ui_timing_warn(int64_t p99_ms, int failure_timeout_ms);
/* One row of the timing table:
 * "  3 alive mbr    87ms 100/118   up" + " WARN p99>timeout/2" */
void	cmm_ui_timing_row(const struct cmm_ui_node *n, int failure_timeout_ms,
	    char *buf, size_t len);

/* The prompt box's lines (what happened, answers, what is safe, context,
 * countdown); returns the count written (each at most w+1 bytes). */
int	cmm_ui_prompt_lines(const struct cmm_ui_model *m, int64_t now, int w,
	    char *out, size_t linelen, int max);

/* The round the pane shows: the last that changed the membership when a
 * later one changed nothing (its note is m->round_note). */
const struct cmm_ui_round *cmm_ui_round_shown(const struct cmm_ui_model *m);
/* The quorum pane's title, explanation and note ("" none): the last
 * decision when a later round kept quorum with nobody leaving; a race
 * that is over said as won or lost. */
void	cmm_ui_quorum_text(const struct cmm_ui_model *m, char *title,
	    size_t tlen, char *buf, size_t len, char *note, size_t nlen);
/* "e2 3 fenced 5 on d3-5", "e2 5: NOT FENCED, shares no device ...". */
int	cmm_ui_fence_text(const struct cmm_ui_fence *f, char *buf, size_t len);
/* Some peer's p99 is above the warning threshold. */
bool	cmm_ui_timing_any_warn(const struct cmm_ui_model *m);
/* The cluster view: the sides (the nodes heard, by the configuration
 * they say is committed), then a row per node: alive, heard, says,
 * epoch, members, whom it sees, config digest. */
int	cmm_ui_cluster_lines(const struct cmm_ui_model *m, int w, char *out,
	    size_t linelen, int max);

#endif
