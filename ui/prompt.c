/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * prompt: GNU readline in callback mode on the console's bottom line
 * (readline's alternate interface, rl_callback_read_char, fed from the
 * event loop).  readline reads the tty itself and is the one
 * key dispatcher: the console's keys (views, scrolling, focus, prompt
 * answers) are readline commands bound in its keymaps, so ~/.inputrc can
 * rebind them ($if cmm).  curses only draws; readline never writes to the
 * terminal (custom redisplay, rl_outstream to /dev/null, no bell).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "ui/colour.h"
#include "ui/console_int.h"
#include "ui/keys.h"

#define PROMPT_HISTORY_MAX	1000

/* readline callbacks take no argument: the console they serve */
static struct cmm_console *prompt_con;
static Keymap	prompt_nav_map, prompt_edit_map;
static FILE	*prompt_null;
static int	 prompt_added;	/* history lines this console added */

static void	prompt_on_line(char *line);
static void	prompt_noop_prep(int meta);
static void	prompt_noop_deprep(void);
static char	**prompt_complete(const char *text, int start, int end);
static char	*prompt_generate(const char *text, int state);
static void	prompt_show_matches(char **matches, int num, int maxlen);
static int	prompt_width(const char *s, size_t n);
static void	prompt_bind(const char *seq, rl_command_func_t *fn, bool nav);
static int	key_run(int row, int count, int key);
static int	key_help(int count, int key);
static void	prompt_scroll(int step);
static int	prompt_page(void);
static int	key_focus(int count, int key);
static int	key_answer(int count, int key);
static int	key_tab(int count, int key);
static int	key_nothing(int count, int key);
static bool	prompt_keep(const char *line);
static void	prompt_hot_answer(const struct cmm_ui_prompt *p, int key,
		    char *cmd, size_t len);
static void	prompt_line_answer(const struct cmm_console *c,
		    const char *line, char *cmd, size_t len);

static void
prompt_noop_prep(int meta)
{
	(void)meta;
}

static void
prompt_noop_deprep(void)
{
}

/* Display width of the first n bytes of s (multibyte aware). */
static int
prompt_width(const char *s, size_t n)
{
	mbstate_t	ps;
	wchar_t		wc;
	size_t		k;
	int		w = 0, cw;

	memset(&ps, 0, sizeof(ps));
	while (n > 0) {
		k = mbrtowc(&wc, s, n, &ps);
		if (k == (size_t)-1 || k == (size_t)-2) {
			/* a broken byte shows as one column */
			memset(&ps, 0, sizeof(ps));
			k = 1;
			cw = 1;
		} else {
			if (k == 0)
				k = 1;
			if (wc == L'\t')
				cw = 8 - w % 8;
			else if (wc < 0x20 || wc == 0x7f)
				cw = 2;	/* shown as ^X */
			else
				cw = (cw = wcwidth(wc)) < 0 ? 1 : cw;
		}
		w += cw;
		s += k;
		n -= k;
	}
	return w;
}

/* Draws the prompt and the line, scrolled so the cursor shows, then puts
 * the cursor at readline's point (the cmd window is refreshed last). */
void
con_prompt_redisplay(void)
{
	struct cmm_console	*c = prompt_con;
	WINDOW			*w;
	const char		*pr;
	int			 width, pw, cur, off;

	if (c == NULL || !c->active || (w = c->w_cmd) == NULL) {
		doupdate();
		return;
	}
	width = getmaxx(w);
	werase(w);
	if (!c->focused) {
		wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_DIM));
		mvwaddnstr(w, 0, 0, "keys: j/k scroll, 1-7 as F1-F7, f filter, "
		    "Enter or : to type a command", width - 1);
		wattrset(w, A_NORMAL);
		wmove(w, 0, 0);
		wnoutrefresh(w);
		doupdate();
		return;
	}
	pr = rl_display_prompt ? rl_display_prompt : "";
	pw = prompt_width(pr, strlen(pr));
	cur = pw + prompt_width(rl_line_buffer, (size_t)rl_point);
	/* scroll sideways in thirds when the cursor runs off the right */
	off = 0;
	if (cur >= width - 1)
		off = cur - (width - 1) + width / 3;
	wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_TITLE));
	if (off < pw)
		mvwaddnstr(w, 0, 0, pr + off, width - 1);
	wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_CMDLINE));
	/* the buffer, character by character, skipping what scrolled off */
	{
		const char	*p = rl_line_buffer;
		size_t		 left = (size_t)rl_end;
		int		 col = pw;
		mbstate_t	 ps;
		wchar_t		 wc;

		memset(&ps, 0, sizeof(ps));
		while (left > 0) {
			size_t	k = mbrtowc(&wc, p, left, &ps);
			int	cw;

			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				memset(&ps, 0, sizeof(ps));
				k = 1;
				wc = L'?';
			}
			cw = prompt_width(p, k);
			if (col >= off && col - off + cw < width) {
				if (wc == L'\t')
					;	/* blank columns */
				else if (wc < 0x20 || wc == 0x7f) {
					mvwaddch(w, 0, col - off, '^');
					waddch(w, (chtype)((wc + 64) & 0x7f));
				} else
					mvwaddnstr(w, 0, col - off, p, (int)k);
			}
			col += cw;
			p += k;
			left -= k;
		}
	}
	/* an empty line shows the embedding program's hint, dim */
	if (rl_end == 0 && c->opts.hint != NULL && pw + 2 < width) {
		wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_DIM));
		mvwaddnstr(w, 0, pw, c->opts.hint, width - 1 - pw);
	}
	/* a lone answer letter: say what Tab makes of it, after the line */
	{
		char	cmd[64], ghost[96];
		int	end = pw + prompt_width(rl_line_buffer, (size_t)rl_end);

		prompt_line_answer(c, rl_line_buffer, cmd, sizeof(cmd));
		if (cmd[0] != '\0' && end - off + 2 < width) {
			snprintf(ghost, sizeof(ghost), "  Tab: %s, then Enter", cmd);
			wattrset(w, (attr_t)cmm_ui_attr(CMM_UI_R_DIM));
			mvwaddnstr(w, 0, end - off, ghost, width - 1 - (end - off));
		}
	}
	wattrset(w, A_NORMAL);
	wmove(w, 0, cur - off < width ? cur - off : width - 1);
	wnoutrefresh(w);
	doupdate();
}

/* ---- history ---- */

/* An answer goes to one question: kept in the history, Up and Enter
 * could send it to the next, unread.  The same for force-quorum. */
static bool
prompt_keep(const char *line)
{
	const char	*p = line + strspn(line, " \t");
	size_t		 n = strcspn(p, " \t");

	if (strncmp(p, "--json", 6) == 0 && n == 6) {
		p += n;
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
	}
	/* a unique prefix names a command too: "ans", "force" */
	return !(n >= 3 && (strncmp(p, "answer", n < 6 ? n : 6) == 0 ||
	    strncmp(p, "force-quorum", n < 12 ? n : 12) == 0));
}

/* The file's lines into the history, those never to recall left out. */
static void
prompt_history_load(const char *path)
{
	FILE	*f;
	char	 buf[1024];

	if (path[0] == '\0' || (f = fopen(path, "r")) == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] != '\0' && prompt_keep(buf))
			add_history(buf);
	}
	fclose(f);
}

/*
 * Merges this console's new lines into the file: appended under an
 * exclusive lock, so consoles on other nodes that exit at the same time
 * add their own instead of overwriting them; then the file is cut to
 * the newest PROMPT_HISTORY_MAX lines.
 */
static void
prompt_history_save(const char *path)
{
	int	fd, n = prompt_added < history_length ? prompt_added :
		    history_length;

	if (path[0] == '\0' || n <= 0)
		return;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) < 0)
		return;
	if (lockf(fd, F_LOCK, 0) == 0) {
		append_history(n, path);
		history_truncate_file(path, PROMPT_HISTORY_MAX);
	}
	close(fd);
	prompt_added = 0;
}

/* ---- the line handler ---- */

static void
prompt_on_line(char *line)
{
	struct cmm_console *c = prompt_con;

	if (line == NULL) {
		/* ^D on an empty line */
		con_detach(c);
		return;
	}
	if (*line != '\0') {
		HIST_ENTRY	*h = history_length > 0 ?
				    history_get(history_base + history_length - 1) :
				    NULL;
		char		 cmd[64], msg[160];

		prompt_line_answer(c, line, cmd, sizeof(cmd));
		if (cmd[0] != '\0') {
			/* a lone answer letter is not an answer */
			snprintf(msg, sizeof(msg), "'%s' not sent: Tab makes it "
			    "'%s', then Enter sends that", line, cmd);
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
			    msg);
			con_dirty(c, CON_D_LOG | CON_D_BIG | CON_D_CMD);
			free(line);
			return;
		}
		if (prompt_keep(line) && (h == NULL || strcmp(h->line, line) != 0)) {
			add_history(line);
			prompt_added++;
		}
		con_run_line(c, line, true);
	}
	free(line);
	con_dirty(c, CON_D_CMD);
}

/* ---- completion ---- */

/* Candidates of the completion under way (the generator walks them). */
static char	**comp_list;
static int	  comp_n, comp_cap;

static void
comp_reset(void)
{
	for (int i = 0; i < comp_n; i++)
		free(comp_list[i]);
	comp_n = 0;
}

static void
comp_add(const char *s, size_t n)
{
	char **nl;

	for (int i = 0; i < comp_n; i++)
		if (strlen(comp_list[i]) == n && strncmp(comp_list[i], s, n) == 0)
			return;
	if (comp_n == comp_cap) {
		int nc = comp_cap ? comp_cap * 2 : 64;

		if ((nl = realloc(comp_list, (size_t)nc * sizeof(*nl))) == NULL)
			return;
		comp_list = nl;
		comp_cap = nc;
	}
	if ((comp_list[comp_n] = strndup(s, n)) != NULL)
		comp_n++;
}

static void
comp_add_nodes(const struct cmm_console *c)
{
	char id[16];

	for (int i = 0; i < c->model.nnodes; i++) {
		snprintf(id, sizeof(id), "%d", c->model.nodes[i].id);
		comp_add(id, strlen(id));
	}
}

/* Candidates for argument k of a synopsis like "N [in|out]". */
static void
comp_add_arg(const struct cmm_console *c, const char *synopsis, int k)
{
	static const char *states[] = { "joining", "member", "reconfiguring",
	    "awaiting-operator", "isolated", "no-quorum", "leaving", "stopped" };
	char	 buf[64], *save = NULL, *tok;
	int	 i = 0;

	snprintf(buf, sizeof(buf), "%s", synopsis);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), i++) {
		char *t = tok, *alt, *s2 = NULL;

		if (i != k)
			continue;
		t += strspn(t, "[");
		/* "N[/LINK]": completes as N */
		t[strcspn(t, "][")] = '\0';
		if (strcmp(t, "N") == 0 || strcmp(t, "A") == 0 ||
		    strcmp(t, "B") == 0 || strcmp(t, "LIST") == 0)
			comp_add_nodes(c);
		else if (strcmp(t, "STATE") == 0)
			for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++)
				comp_add(states[s], strlen(states[s]));
		else if (strcmp(t, "DEVICE") == 0)
			for (int d = 0; d < c->model.ndevices; d++)
				comp_add(c->model.devices[d].name,
				    strlen(c->model.devices[d].name));
		else if (strcmp(t, "COMMAND") == 0)
			for (int d = 0; d < c->model.ncmds; d++)
				comp_add(c->model.cmds[d],
				    strcspn(c->model.cmds[d], " "));
		else if (strchr(t, '|') != NULL || (t[0] >= 'a' && t[0] <= 'z'))
			for (alt = strtok_r(t, "|", &s2); alt != NULL;
			    alt = strtok_r(NULL, "|", &s2))
				comp_add(alt, strlen(alt));
	}
}

static char **
prompt_complete(const char *text, int start, int end)
{
	struct cmm_console	*c = prompt_con;
	char			 words[4][48];
	int			 nw = 0;
	const char		*p = rl_line_buffer;

	(void)end;
	rl_attempted_completion_over = 1;
	comp_reset();
	/* the words before the one being completed */
	while (p < rl_line_buffer + start && nw < 4) {
		size_t n;

		p += strspn(p, " \t");
		if (p >= rl_line_buffer + start)
			break;
		n = strcspn(p, " \t");
		snprintf(words[nw++], sizeof(words[0]), "%.*s", (int)n, p);
		p += n;
	}
	if (nw == 0) {
		for (int i = 0; i < c->model.ncmds; i++)
			comp_add(c->model.cmds[i], strcspn(c->model.cmds[i], " "));
		for (int i = 0; i < CMM_UI_NLOCAL; i++)
			comp_add(cmm_ui_local_cmds[i].name,
			    strlen(cmm_ui_local_cmds[i].name));
		for (int i = 0; c->opts.local_names && c->opts.local_names[i]; i++)
			comp_add(c->opts.local_names[i],
			    strlen(c->opts.local_names[i]));
	} else if (strcmp(words[0], "source") == 0 && nw == 1) {
		/* file names: readline's own completer */
		rl_attempted_completion_over = 0;
		return NULL;
	} else {
		bool two = false;
		size_t l0 = strlen(words[0]);

		/* a two-word command: the second word first */
		for (int i = 0; i < c->model.ncmds; i++) {
			const char *nm = c->model.cmds[i];

			if (strncmp(nm, words[0], l0) != 0 || nm[l0] != ' ')
				continue;
			two = true;
			if (nw == 1)
				comp_add(nm + l0 + 1, strlen(nm + l0 + 1));
			else if (strcmp(nm + l0 + 1, words[1]) == 0)
				comp_add_arg(c, c->model.cmd_args[i], nw - 2);
		}
		if (!two)
			for (int i = 0; i < c->model.ncmds; i++)
				if (strcmp(c->model.cmds[i], words[0]) == 0)
					comp_add_arg(c, c->model.cmd_args[i], nw - 1);
		/* the embedding program's commands (demo): node ids */
		for (int i = 0; c->opts.local_names && c->opts.local_names[i]; i++)
			if (strcmp(c->opts.local_names[i], words[0]) == 0)
				comp_add_nodes(c);
		if (strcmp(words[0], "help") == 0 && nw == 1)
			for (int i = 0; i < c->model.ncmds; i++)
				comp_add(c->model.cmds[i],
				    strcspn(c->model.cmds[i], " "));
	}
	return rl_completion_matches(text, prompt_generate);
}

static char *
prompt_generate(const char *text, int state)
{
	static int	i;
	size_t		n = strlen(text);

	if (state == 0)
		i = 0;
	while (i < comp_n) {
		const char *s = comp_list[i++];

		if (strncmp(s, text, n) == 0)
			return strdup(s);
	}
	return NULL;
}

/* Several matches: list them in the event log, not on the terminal. */
static void
prompt_show_matches(char **matches, int num, int maxlen)
{
	struct cmm_console	*c = prompt_con;
	char			 line[240];
	size_t			 pos;

	(void)maxlen;
	snprintf(line, sizeof(line), "completions:");
	for (int i = 1; i <= num; i++) {
		pos = strlen(line);
		snprintf(line + pos, sizeof(line) - pos, " %s", matches[i]);
	}
	cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, false, NULL, line);
	con_dirty(c, CON_D_LOG | CON_D_BIG);
}

/* ---- keys: readline commands ---- */

static int
key_help(int count, int key)
{
	struct cmm_console *c = prompt_con;

	/* in the line, '?' is just a character unless the line is empty */
	if (key == '?' && c->focused && rl_end > 0)
		return rl_insert(count, key);
	con_set_view(c, c->view == CMM_UI_VIEW_HELP ? CMM_UI_VIEW_MAIN :
	    CMM_UI_VIEW_HELP);
	return 0;
}

/* Scrolls the log (main and log views) or the big view by step lines
 * towards older entries (negative: newer). */
static void
prompt_scroll(int step)
{
	struct cmm_console *c = prompt_con;

	if (c->view == CMM_UI_VIEW_MAIN || c->view == CMM_UI_VIEW_LOG) {
		c->log_scroll += step;
		if (c->log_scroll < 0)
			c->log_scroll = 0;
	} else {
		c->big_scroll -= step;
		if (c->big_scroll < 0)
			c->big_scroll = 0;
	}
	con_dirty(c, CON_D_LOG | CON_D_BIG);
}

static int
prompt_page(void)
{
	struct cmm_console	*c = prompt_con;
	WINDOW			*w = c->view == CMM_UI_VIEW_MAIN ? c->w_log :
				    c->w_big;
	int			 page = w != NULL ? getmaxy(w) - 2 : 10;

	return page < 1 ? 1 : page;
}

static int
key_focus(int count, int key)
{
	struct cmm_console *c = prompt_con;

	(void)count;
	/* in keys mode Enter and ':' only enter the line */
	if (c->focused && (key == '\r' || key == '\n' || key == ':'))
		return 0;
	c->focused = !c->focused;
	rl_set_keymap(c->focused ? prompt_edit_map : prompt_nav_map);
	con_dirty(c, CON_D_CMD | CON_D_STATUS);
	return 0;
}

/* The answer command a hot-key stands for with the open prompt, or ""
 * when key answers nothing here. */
static void
prompt_hot_answer(const struct cmm_ui_prompt *p, int key, char *cmd,
    size_t len)
{
	cmd[0] = '\0';
	if (!p->open)
		return;
	if (strcmp(p->kind, "winner") == 0 && (key == 'a' || key == 'b'))
		snprintf(cmd, len, "answer winner %d",
		    p->choices[key == 'a' ? 0 : 1]);
	else if (strcmp(p->kind, "isolation") == 0 && key == 'i')
		snprintf(cmd, len, "answer isolated");
	else if (strcmp(p->kind, "isolation") == 0 && key == 'n')
		snprintf(cmd, len, "answer not-isolated");
}

/* The answer a command line holding just one hot-key letter stands for
 * ("" when it holds anything else): what Tab fills in. */
static void
prompt_line_answer(const struct cmm_console *c, const char *line, char *cmd,
    size_t len)
{
	cmd[0] = '\0';
	if (line[0] != '\0' && line[1] == '\0')
		prompt_hot_answer(&c->model.prompt, (unsigned char)line[0], cmd,
		    len);
}

/*
 * A hot-key with a prompt open.  In keys mode it fills in the answer
 * command and enters the command line; Enter then sends it.  On the
 * command line it is only the letter it is: what is typed is never
 * rewritten, and a lone letter and Enter send nothing (the redisplay
 * offers Tab to fill in the answer), so neither typing `nodes` nor a
 * stray key can answer a question this grave.
 */
static int
key_answer(int count, int key)
{
	struct cmm_console	*c = prompt_con;
	char			 cmd[64];

	if (c->focused)
		return rl_insert(count, key);
	prompt_hot_answer(&c->model.prompt, key, cmd, sizeof(cmd));
	if (cmd[0] == '\0')
		return 0;
	key_focus(1, 0);
	rl_replace_line(cmd, 0);
	rl_point = rl_end;
	con_dirty(c, CON_D_CMD);
	return 0;
}

/* Tab: a lone hot-key letter becomes its answer; otherwise completion. */
static int
key_tab(int count, int key)
{
	struct cmm_console	*c = prompt_con;
	char			 cmd[64];

	prompt_line_answer(c, rl_line_buffer, cmd, sizeof(cmd));
	if (cmd[0] == '\0')
		return rl_complete(count, key);
	rl_replace_line(cmd, 0);
	rl_point = rl_end;
	con_dirty(c, CON_D_CMD);
	return 0;
}

/* Unbound function keys: swallowed whole, so no '~' reaches the line. */
static int
key_nothing(int count, int key)
{
	(void)count;
	(void)key;
	return 0;
}

/* Row row of ui/keys.c's table, run: the one dispatcher of the keys. */
static int
key_run(int row, int count, int key)
{
	const struct cmm_ui_key	*k = &cmm_ui_keys[row];
	struct cmm_console	*c = prompt_con;
	int			 n = count > 0 ? count : 1;

	switch (k->act) {
	case CMM_UI_KA_HELP:
		return key_help(count, key);
	case CMM_UI_KA_VIEW:
		con_set_view(c, (enum cmm_ui_view)k->arg);
		return 0;
	case CMM_UI_KA_VIEW_N:
		/* a digit does what the function key of its number does */
		for (int i = 0; i < CMM_UI_NKEYS; i++) {
			char fk[4];

			snprintf(fk, sizeof(fk), "F%c", key);
			if (key >= '1' && key <= '9' && i != row &&
			    strncmp(cmm_ui_keys[i].key, fk, 2) == 0 &&
			    !isdigit((unsigned char)cmm_ui_keys[i].key[2]))
				return key_run(i, count, key);
		}
		return 0;
	case CMM_UI_KA_FILTER:
		c->log_filter = (c->log_filter + 1) % (CMM_UI_FILTER_ALL + 1);
		c->log_scroll = 0;
		con_dirty(c, CON_D_LOG | CON_D_BIG);
		return 0;
	case CMM_UI_KA_PAGE:
		prompt_scroll(k->arg * prompt_page() * n);
		return 0;
	case CMM_UI_KA_LINE:
		prompt_scroll(k->arg * n);
		return 0;
	case CMM_UI_KA_FOCUS:
		return key_focus(count, key);
	case CMM_UI_KA_ANSWER:
		return key_answer(count, key);
	case CMM_UI_KA_KILL_LINE:
		return rl_kill_full_line(count, key);
	case CMM_UI_KA_TAB:
		return key_tab(count, key);
	case CMM_UI_KA_NOTHING:
		return key_nothing(count, key);
	case CMM_UI_KA_NONE:
		break;
	}
	return 0;
}

/* readline calls a command with (count, key) only, and ~/.inputrc names
 * commands by function: one trampoline per row of the table. */
#define KEY_ROW(i) static int key_row##i(int count, int key) \
	{ return key_run(i, count, key); }
KEY_ROW(0) KEY_ROW(1) KEY_ROW(2) KEY_ROW(3) KEY_ROW(4) KEY_ROW(5)
KEY_ROW(6) KEY_ROW(7) KEY_ROW(8) KEY_ROW(9) KEY_ROW(10) KEY_ROW(11)
KEY_ROW(12) KEY_ROW(13) KEY_ROW(14) KEY_ROW(15) KEY_ROW(16) KEY_ROW(17)
static rl_command_func_t *const key_rows[] = {
	key_row0, key_row1, key_row2, key_row3, key_row4, key_row5, key_row6,
	key_row7, key_row8, key_row9, key_row10, key_row11, key_row12,
	key_row13, key_row14, key_row15, key_row16, key_row17,
};
_Static_assert(sizeof(key_rows) / sizeof(key_rows[0]) == CMM_UI_NKEYS,
    "one trampoline per row of ui/keys.c");

/* Binds seq in the edit keymap and, when nav, in the keys-mode one. */
static void
prompt_bind(const char *seq, rl_command_func_t *fn, bool nav)
{
	rl_bind_keyseq_in_map(seq, fn, prompt_edit_map);
	if (nav)
		rl_bind_keyseq_in_map(seq, fn, prompt_nav_map);
}

int
con_prompt_init(struct cmm_console *c, char *err, size_t errlen)
{
	prompt_con = c;
	if ((prompt_null = fopen("/dev/null", "w")) == NULL) {
		snprintf(err, errlen, "cannot open /dev/null");
		return -1;
	}
	/* before readline's first initialisation: it reads these once, and
	 * must neither catch signals nor touch the terminal curses owns */
	rl_readline_name = "cmm";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prompt_noop_prep;
	rl_deprep_term_function = prompt_noop_deprep;
	rl_redisplay_function = con_prompt_redisplay;
	rl_completion_display_matches_hook = prompt_show_matches;
	rl_attempted_completion_function = prompt_complete;
	rl_instream = stdin;
	rl_outstream = prompt_null;
	for (int i = 0; i < CMM_UI_NKEYS; i++)
		if (cmm_ui_keys[i].defun != NULL)
			rl_add_defun(cmm_ui_keys[i].defun, key_rows[i], -1);

	rl_callback_handler_install("> ", prompt_on_line);
	/* after it, so ~/.inputrc cannot turn them back on */
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("bell-style", "none");

	prompt_edit_map = rl_get_keymap();
	prompt_nav_map = rl_make_bare_keymap();
	/* every binding from the table; raw mode: ^C is a key, not a
	 * signal, and clears the line */
	for (int i = 0; i < CMM_UI_NKEYS; i++) {
		const struct cmm_ui_key *k = &cmm_ui_keys[i];

		for (int j = 0; j < CMM_UI_KEY_SEQS; j++) {
			if (k->both[j] != NULL)
				prompt_bind(k->both[j], key_rows[i], true);
			if (k->nav[j] != NULL)
				rl_bind_keyseq_in_map(k->nav[j], key_rows[i],
				    prompt_nav_map);
			if (k->edit[j] != NULL)
				rl_bind_keyseq_in_map(k->edit[j], key_rows[i],
				    prompt_edit_map);
		}
	}
	/* the function keys with Shift, Alt or Ctrl (xterm's modifier
	 * parameter 2..8) do what the table's unbound row does: nothing, so
	 * none of their bytes ("5~", "R") reach the line */
	for (int i = 0; i < CMM_UI_NKEYS; i++) {
		static const int fk[] = { 11, 12, 13, 14, 15, 17, 18, 19, 20,
		    21, 23, 24 };
		char seq[32];

		if (cmm_ui_keys[i].act != CMM_UI_KA_NOTHING)
			continue;
		for (int mod = 2; mod <= 8; mod++) {
			for (const char *p = "PQRS"; *p != '\0'; p++) {
				snprintf(seq, sizeof(seq), "\\e[1;%d%c", mod, *p);
				prompt_bind(seq, key_rows[i], true);
			}
			for (size_t k = 0; k < sizeof(fk) / sizeof(fk[0]); k++) {
				snprintf(seq, sizeof(seq), "\\e[%d;%d~", fk[k], mod);
				prompt_bind(seq, key_rows[i], true);
			}
		}
	}

	using_history();
	stifle_history(PROMPT_HISTORY_MAX);
	prompt_history_load(c->history_path);
	prompt_added = 0;
	c->focused = true;
	return 0;
}

void
con_prompt_read(struct cmm_console *c)
{
	(void)c;
	rl_callback_read_char();
}

void
con_prompt_resize(struct cmm_console *c)
{
	rl_set_screen_size(LINES, COLS);
	con_dirty(c, CON_D_CMD);
}

void
con_prompt_free(struct cmm_console *c)
{
	if (prompt_con == NULL)
		return;
	rl_callback_handler_remove();
	prompt_history_save(c->history_path);
	comp_reset();
	free(comp_list);
	comp_list = NULL;
	comp_cap = 0;
	if (prompt_null != NULL)
		fclose(prompt_null);
	prompt_null = NULL;
	rl_outstream = NULL;
	prompt_con = NULL;
}
