/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * console: the operator console.  An ncurses view of one node
 * (cluster vector, round, quorum, timing, event log, history), a readline
 * command line on the bottom line, and the isolation and winner prompts as
 * a modal box.  It is only a client of the control protocol (docs/ARCHITECTURE.md):
 * it is handed one connected stream socket and runs inside the caller's
 * libevent loop, so `cmm node` on a terminal (one end of a socketpair),
 * `cmm demo` and `cmm console -s SOCKET` are one code path.
 *
 * The terminal is global state (curses, readline): one console a process.
 */
#ifndef CMM_UI_CONSOLE_H
#define CMM_UI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct cmm_console;

/*
 * Commands the embedding program runs itself (the demo's kill, start,
 * cut, heal, view, quit).  Called with the words of a typed line; returns
 * false when the line is not one of them (it then goes to the node), else
 * true after putting a one-line-or-more reply in *reply (malloc'd, may be
 * NULL) and *ok.
 */
typedef bool (*cmm_console_local_fn)(void *arg, struct cmm_console *con,
	    int argc, char **argv, bool *ok, char **reply);

struct cmm_console_opts {
	const char	*title;		/* shown in the status bar, may be NULL */
	const char	*socket_path;	/* reconnect here when the node goes
					 * away (NULL: never) */
	const char	*history_file;	/* NULL: ~/.cmm_history */
	bool		 no_colour;	/* force the monochrome table */
	bool		 capture_stdout;	/* lines the embedding program
					 * prints go to the event log */
	bool		 handle_signals;	/* SIGINT/SIGTERM detach the
					 * console (false: the embedding
					 * program handles them) */
	cmm_console_local_fn local;	/* may be NULL */
	void		*local_arg;
	const char	*const *local_names;	/* for completion; NULL-ended */
	/* the local commands in the help view (F1), "NAME ARGS  what it
	 * does" a line, NULL-ended, under local_help_title; may be NULL */
	const char	*const *local_help;
	const char	*local_help_title;
	/* a one-line hint shown, dim, on an empty command line; may be NULL */
	const char	*hint;
	/* The console is gone (^D, `detach`, or `quit` when no local command
	 * took it).  The terminal is already restored.  May be NULL. */
	void		(*on_detach)(void *arg);
	void		*detach_arg;
};

/*
 * Takes the terminal (stdin/stdout must be a tty) and serves the node on
 * the connected stream socket fd (ownership passes, also on failure) on
 * base; fd -1: connect to socket_path, retrying every second until the
 * node answers.  NULL with a one-line reason in err when the terminal cannot be
 * used.
 */
struct cmm_console *cmm_console_attach(struct event_base *base, int fd,
	    const struct cmm_console_opts *o, char *err, size_t errlen);

/* Hands the console another node's connection (the demo's `view N`);
 * what it showed of the old node is forgotten.  Takes ownership of fd;
 * fd -1: connect to socket_path from the loop, retrying. */
int	cmm_console_switch(struct cmm_console *con, int fd, const char *socket_path);

/* Adds a line to the event log (the embedding program's own messages). */
void	cmm_console_print(struct cmm_console *con, bool error, const char *text);

/* Restores the terminal (readline history saved, stderr given back and
 * what was written to it printed) and frees.  Safe on NULL. */
void	cmm_console_free(struct cmm_console *con);

/* `cmm console -s SOCKET`. */
int	cmm_console_main(int argc, char **argv);

#endif
