/* SPDX-License-Identifier: GPL-3.0-or-later */
/* keys: the console's key table and what is generated from it; see
 * keys.h. */
#include "ui/keys.h"

#include <string.h>

#include "ui/layout.h"

/*
 * The function keys come as xterm/tmux, the vt100 PF keys and the linux
 * console send them; keypad() stays off, so the cursor keys come in
 * their normal mode.
 */
const struct cmm_ui_key cmm_ui_keys[CMM_UI_NKEYS] = {
	{ "F1, or ? on an empty line", "this help: keys and commands",
	    CMM_UI_KA_HELP, 0, "cmm-help",
	    { "\\eOP", "\\e[11~", "\\e[[A", "?" }, { 0 }, { 0 } },
	{ "F2", "main view: cluster, round, quorum, event log",
	    CMM_UI_KA_VIEW, CMM_UI_VIEW_MAIN, "cmm-view-main",
	    { "\\eOQ", "\\e[12~", "\\e[[B" }, { 0 }, { 0 } },
	{ "F3", "nodes and timing", CMM_UI_KA_VIEW, CMM_UI_VIEW_NODES,
	    "cmm-view-nodes", { "\\eOR", "\\e[13~", "\\e[[C" }, { 0 }, { 0 } },
	{ "F4", "history of committed configurations", CMM_UI_KA_VIEW,
	    CMM_UI_VIEW_HISTORY, "cmm-view-history",
	    { "\\eOS", "\\e[14~", "\\e[[D" }, { 0 }, { 0 } },
	{ "F5", "event log, full screen", CMM_UI_KA_VIEW, CMM_UI_VIEW_LOG,
	    "cmm-view-log", { "\\e[15~", "\\e[[E" }, { 0 }, { 0 } },
	{ "F6", "event filter: membership, rounds, prompts, trouble, "
	    "commands, all", CMM_UI_KA_FILTER, 0, "cmm-filter",
	    { "\\e[17~" }, { "f" }, { 0 } },
	{ "F7", "cluster: what every node says of itself (state, epoch, "
	    "whom it sees, config)", CMM_UI_KA_VIEW, CMM_UI_VIEW_CLUSTER,
	    "cmm-view-cluster", { "\\e[18~" }, { 0 }, { 0 } },
	{ "PgUp", "scroll the log or the view a page back", CMM_UI_KA_PAGE, 1,
	    "cmm-scroll-up", { "\\e[5~" }, { 0 }, { 0 } },
	{ "PgDn", "scroll the log or the view a page forward", CMM_UI_KA_PAGE,
	    -1, "cmm-scroll-down", { "\\e[6~" }, { 0 }, { 0 } },
	{ "F9 or Ctrl-O", "leave or enter the command line (keys mode)",
	    CMM_UI_KA_FOCUS, 0, "cmm-focus", { "\\e[20~", "\\C-o" },
	    { ":", "\\r", "\\n" }, { 0 } },
	{ "k or Up (keys mode)", "scroll a line back", CMM_UI_KA_LINE, 1, NULL,
	    { 0 }, { "k", "\\e[A" }, { 0 } },
	{ "j or Down (keys mode)", "scroll a line forward", CMM_UI_KA_LINE, -1,
	    NULL, { 0 }, { "j", "\\e[B" }, { 0 } },
	{ "1-7 (keys mode)", "the same as F1-F7", CMM_UI_KA_VIEW_N, 0,
	    "cmm-view-number", { 0 }, { "1", "2", "3", "4", "5", "6", "7" }, { 0 } },
	{ "f, Enter or : (keys mode)", "the filter (f); back to the command "
	    "line", CMM_UI_KA_NONE, 0, NULL, { 0 }, { 0 }, { 0 } },
	{ "a b, i n", "with a prompt open: the answer (winner a or b, "
	    "isolated, not isolated) - in keys mode the key fills it in; on an "
	    "empty command line the letter, then Tab; Enter sends it",
	    CMM_UI_KA_ANSWER, 0, "cmm-answer", { 0 }, { "a", "b", "i", "n" },
	    { 0 } },
	{ "Tab", "complete commands, node ids, device names, states; a lone "
	    "answer letter becomes the answer", CMM_UI_KA_TAB, 0,
	    "cmm-complete", { 0 }, { 0 }, { "\\t" } },
	{ "F8, F10-F12", "nothing (the key is swallowed); so are the F-keys "
	    "with Shift, Ctrl or Alt", CMM_UI_KA_NOTHING, 0,
	    NULL, { "\\e[19~", "\\e[21~", "\\e[23~", "\\e[24~" }, { 0 },
	    { 0 } },
	{ "Ctrl-C; Ctrl-D", "clear the command line; on an empty one, detach "
	    "(the node keeps running)", CMM_UI_KA_KILL_LINE, 0, NULL, { 0 },
	    { 0 }, { "\\C-c" } },
};

const struct cmm_ui_local_cmd cmm_ui_local_cmds[CMM_UI_NLOCAL] = {
	{ "source", "FILE", "run the commands of a file, one a line" },
	{ "detach", "", "leave the console; the node keeps running" },
	{ "clear", "", "empty the event log" },
	{ "keys", "", "this help" },
};

const char *
cmm_ui_keys_help_line(int i, char *buf, size_t len)
{
	if (i < 0 || i >= CMM_UI_NKEYS)
		return NULL;
	snprintf(buf, len, "%-26s %s", cmm_ui_keys[i].key, cmm_ui_keys[i].help);
	return buf;
}

void
cmm_ui_keys_usage(FILE *f)
{
	char line[200];

	fprintf(f, "Keys:\n");
	for (int i = 0; cmm_ui_keys_help_line(i, line, sizeof(line)); i++)
		fprintf(f, "  %s\n", line);
	fprintf(f, "Console commands:");
	for (int i = 0; i < CMM_UI_NLOCAL; i++)
		fprintf(f, "%s %s%s%s", i ? "," : "", cmm_ui_local_cmds[i].name,
		    cmm_ui_local_cmds[i].args[0] ? " " : "",
		    cmm_ui_local_cmds[i].args);
	fprintf(f, "\n");
}

/* troff text: '-' is a hyphen unless escaped, a leading '.' a request */
static void
man_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void
cmm_ui_keys_man(FILE *f)
{
	fprintf(f, "%s\n", CMM_UI_KEYS_MAN_BEGIN);
	for (int i = 0; i < CMM_UI_NKEYS; i++) {
		fputs(".TP\n.B \"", f);
		man_text(f, cmm_ui_keys[i].key);
		fputs("\"\n", f);
		man_text(f, cmm_ui_keys[i].help);
		fputs("\n", f);
	}
	fprintf(f, "%s\n", CMM_UI_KEYS_MAN_END);
}

void
cmm_ui_keys_readme(FILE *f)
{
	fprintf(f, "%s\n| key | does |\n|---|---|\n", CMM_UI_KEYS_MD_BEGIN);
	for (int i = 0; i < CMM_UI_NKEYS; i++)
		fprintf(f, "| %s | %s |\n", cmm_ui_keys[i].key,
		    cmm_ui_keys[i].help);
	fprintf(f, "%s\n", CMM_UI_KEYS_MD_END);
}
