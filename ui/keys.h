/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * keys: the console's keys and its own commands in one table.  Each row
 * is what the operator reads (the key, one line of help) and what it
 * does (an action, the readline command name ~/.inputrc can rebind, the
 * key sequences bound).  From it come the help view, the usage text, the
 * "Keys" section of cmm(1) and README.md's key table (both checked by
 * tests/unit/test_ui_keys.c), and prompt.c's bindings and dispatch.
 * Plain data and text: no terminal, no readline.
 */
#ifndef CMM_UI_KEYS_H
#define CMM_UI_KEYS_H

#include <stdio.h>

enum cmm_ui_key_act {
	CMM_UI_KA_NONE,		/* readline's own (Tab, Ctrl-D): documented */
	CMM_UI_KA_HELP,		/* toggle the help view */
	CMM_UI_KA_VIEW,		/* show view arg */
	CMM_UI_KA_VIEW_N,	/* keys mode: '1'.. as F1.. */
	CMM_UI_KA_FILTER,	/* next event-log filter */
	CMM_UI_KA_PAGE,		/* scroll arg pages (negative: newer) */
	CMM_UI_KA_LINE,		/* scroll arg lines */
	CMM_UI_KA_FOCUS,	/* leave / enter the command line */
	CMM_UI_KA_ANSWER,	/* fill in the answer to the open prompt */
	CMM_UI_KA_KILL_LINE,	/* clear the command line */
	CMM_UI_KA_TAB,		/* a lone answer letter: the answer; else
				 * readline's completion */
	CMM_UI_KA_NOTHING,	/* an unbound function key, swallowed */
};

#define CMM_UI_KEY_SEQS	8

struct cmm_ui_key {
	const char	*key;		/* as the operator reads it: "F2" */
	const char	*help;		/* what it does, one line */
	enum cmm_ui_key_act act;
	int		 arg;
	const char	*defun;		/* readline command name, or NULL */
	/* readline key sequences: bound in the command line and in keys
	 * mode, in keys mode only, in the command line only */
	const char	*both[CMM_UI_KEY_SEQS];
	const char	*nav[CMM_UI_KEY_SEQS];
	const char	*edit[CMM_UI_KEY_SEQS];
};

#define CMM_UI_NKEYS	18
extern const struct cmm_ui_key cmm_ui_keys[CMM_UI_NKEYS];

/* The console's own commands (run in the console, never sent). */
struct cmm_ui_local_cmd {
	const char	*name;
	const char	*args;		/* synopsis of the arguments, "" none */
	const char	*help;
};

#define CMM_UI_NLOCAL	4
extern const struct cmm_ui_local_cmd cmm_ui_local_cmds[CMM_UI_NLOCAL];

/* Line i of the key help (a key and its help in two columns, width
 * columns at most), or NULL past the last. */
const char *cmm_ui_keys_help_line(int i, char *buf, size_t len);
/* The "Keys:" block of `cmm console --help`. */
void	cmm_ui_keys_usage(FILE *f);
/* The troff of cmm(1)'s "Keys" section, between its markers. */
void	cmm_ui_keys_man(FILE *f);
/* README.md's key table (markdown), between its markers. */
void	cmm_ui_keys_readme(FILE *f);

/* The markers around the generated text in assets/cmm.1 and README.md. */
#define CMM_UI_KEYS_MAN_BEGIN	".\\\" keys: begin (generated from ui/keys.c)"
#define CMM_UI_KEYS_MAN_END	".\\\" keys: end"
#define CMM_UI_KEYS_MD_BEGIN	"<!-- keys: begin (generated from ui/keys.c) -->"
#define CMM_UI_KEYS_MD_END	"<!-- keys: end -->"

#endif
