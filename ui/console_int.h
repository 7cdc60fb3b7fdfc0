/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * console_int: the console's own state, shared by ui/console.c (terminal,
 * loop, protocol glue), ui/view.c (drawing) and ui/prompt.c (readline).
 * Nothing outside ui/ includes this.
 */
#ifndef CMM_UI_CONSOLE_INT_H
#define CMM_UI_CONSOLE_INT_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include <curses.h>

#include "ui/client.h"
#include "ui/console.h"
#include "ui/layout.h"
#include "ui/model.h"

/* What needs drawing again (set by events, cleared by one redraw). */
#define CON_D_HEADER	0x001
#define CON_D_VECTOR	0x002
#define CON_D_ROUND	0x004
#define CON_D_QUORUM	0x008
#define CON_D_TIMING	0x010
#define CON_D_BIG	0x020
#define CON_D_LOG	0x040
#define CON_D_STATUS	0x080
#define CON_D_CMD	0x100
#define CON_D_BOX	0x200
#define CON_D_LAYOUT	0x400	/* windows made again */
#define CON_D_ALL	0x7ff

/* What to fetch from the node (bit per request kind). */
enum con_fetch {
	CON_F_STATUS = 0, CON_F_NODES, CON_F_ROUND, CON_F_QUORUM,
	CON_F_DEVICES, CON_F_HISTORY, CON_F_COMMANDS, CON_F_CLUSTER,
	CON_F__COUNT
};

struct cmm_console;

struct con_fetch_ctx {
	struct cmm_console	*con;
	enum con_fetch		 kind;
	uint64_t		 gen;	/* the connection it was asked on */
};

struct cmm_console {
	struct event_base	*base;
	struct cmm_console_opts	 opts;
	char			 title[64];
	char			 sock[PATH_MAX];
	struct cmm_ui_client	*client;
	uint64_t		 gen;		/* bumped at every new connection */
	bool			 connected;
	int			 node;		/* from the greeting */
	struct cmm_ui_model	 model;

	/* the terminal */
	SCREEN			*scr;
	FILE			*tty_out;
	bool			 colour;
	bool			 active;	/* curses running */
	WINDOW			*w_header, *w_vector, *w_round, *w_quorum;
	WINDOW			*w_timing, *w_big, *w_log, *w_status, *w_cmd;
	WINDOW			*w_box;
	struct cmm_ui_layout	 lay;
	enum cmm_ui_view	 view;
	int			 log_filter;
	int			 log_scroll;	/* lines up from the newest */
	int			 big_scroll;
	unsigned		 dirty;
	bool			 focused;	/* keys go to the command line */

	/* the loop */
	struct event		*ev_stdin, *ev_redraw, *ev_tick, *ev_fast;
	struct event		*ev_retry, *ev_detach;
	struct event		*ev_sig[4];	/* WINCH, CONT, INT, TERM */
	unsigned		 inflight;	/* fetches asked, not answered */
	unsigned		 want;		/* fetches to ask when free */
	struct con_fetch_ctx	 fctx[CON_F__COUNT];
	int			 ticks;

	/* stderr while curses runs; stdout when captured */
	int			 saved_stderr;
	int			 errlog_fd;
	int			 saved_stdout;
	int			 out_pipe;	/* read end */
	struct event		*ev_out;
	char			 out_part[240];	/* a line not ended yet */
	size_t			 out_len;

	/* `source FILE` */
	FILE			*src;
	char			 src_path[PATH_MAX];
	int			 src_line;

	char			 history_path[PATH_MAX];
	bool			 detaching;
};

/* console.c */
int64_t	con_now(void);
void	con_dirty(struct cmm_console *c, unsigned what);
void	con_fetch(struct cmm_console *c, unsigned kinds);	/* 1u << CON_F_* */
void	con_detach(struct cmm_console *c);
void	con_set_view(struct cmm_console *c, enum cmm_ui_view v);
void	con_run_line(struct cmm_console *c, const char *line, bool echo);

/* view.c: lays out the windows for the current size, draws the dirty ones */
void	con_view_layout(struct cmm_console *c);
void	con_view_draw(struct cmm_console *c);
void	con_view_free(struct cmm_console *c);

/* prompt.c: readline in callback mode on the bottom line */
int	con_prompt_init(struct cmm_console *c, char *err, size_t errlen);
void	con_prompt_read(struct cmm_console *c);	/* stdin is readable */
void	con_prompt_redisplay(void);
void	con_prompt_resize(struct cmm_console *c);
void	con_prompt_free(struct cmm_console *c);

#endif
