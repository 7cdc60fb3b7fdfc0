/* SPDX-License-Identifier: GPL-3.0-or-later */
/* colour: role tables for colour and monochrome terminals. */
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/colour.h"

/* fg, bg (-1: default) and extra attributes per role, colour terminals */
static const struct {
	short	fg, bg;
	attr_t	attr;
} colour_table[CMM_UI_R__COUNT] = {
	[CMM_UI_R_NORMAL]	= { -1, -1, A_NORMAL },
	[CMM_UI_R_HEADER]	= { COLOR_WHITE, COLOR_BLUE, A_BOLD },
	[CMM_UI_R_TITLE]	= { COLOR_CYAN, -1, A_BOLD },
	[CMM_UI_R_MEMBER]	= { COLOR_GREEN, -1, A_NORMAL },
	[CMM_UI_R_OUTSIDE]	= { COLOR_YELLOW, -1, A_NORMAL },
	[CMM_UI_R_DEAD]		= { COLOR_RED, -1, A_NORMAL },
	[CMM_UI_R_SELF]		= { COLOR_GREEN, -1, A_BOLD },
	[CMM_UI_R_CHANGED]	= { COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	[CMM_UI_R_WARN]		= { COLOR_YELLOW, -1, A_BOLD },
	[CMM_UI_R_ERROR]	= { COLOR_RED, -1, A_BOLD },
	[CMM_UI_R_GOOD]		= { COLOR_GREEN, -1, A_BOLD },
	[CMM_UI_R_DIM]		= { -1, -1, A_DIM },
	[CMM_UI_R_BOX]		= { COLOR_WHITE, COLOR_MAGENTA, A_NORMAL },
	[CMM_UI_R_BOXTITLE]	= { COLOR_YELLOW, COLOR_MAGENTA, A_BOLD },
	[CMM_UI_R_STATUSBAR]	= { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
	[CMM_UI_R_CMDLINE]	= { -1, -1, A_NORMAL },
	[CMM_UI_R_STATE_OK]	= { COLOR_BLACK, COLOR_GREEN, A_BOLD },
	[CMM_UI_R_STATE_BUSY]	= { COLOR_BLACK, COLOR_YELLOW, A_BOLD },
	[CMM_UI_R_STATE_ASK]	= { COLOR_WHITE, COLOR_MAGENTA, A_BOLD },
	[CMM_UI_R_STATE_BAD]	= { COLOR_WHITE, COLOR_RED, A_BOLD },
};

/* monochrome: shape the same meaning with bold, reverse, underline, dim */
static const attr_t mono_table[CMM_UI_R__COUNT] = {
	[CMM_UI_R_NORMAL]	= A_NORMAL,
	[CMM_UI_R_HEADER]	= A_REVERSE,
	[CMM_UI_R_TITLE]	= A_BOLD,
	[CMM_UI_R_MEMBER]	= A_NORMAL,
	[CMM_UI_R_OUTSIDE]	= A_UNDERLINE,
	[CMM_UI_R_DEAD]		= A_DIM,
	[CMM_UI_R_SELF]		= A_BOLD,
	[CMM_UI_R_CHANGED]	= A_REVERSE,
	[CMM_UI_R_WARN]		= A_BOLD,
	[CMM_UI_R_ERROR]	= A_BOLD | A_UNDERLINE,
	[CMM_UI_R_GOOD]		= A_BOLD,
	[CMM_UI_R_DIM]		= A_DIM,
	[CMM_UI_R_BOX]		= A_NORMAL,
	[CMM_UI_R_BOXTITLE]	= A_BOLD | A_REVERSE,
	[CMM_UI_R_STATUSBAR]	= A_REVERSE,
	[CMM_UI_R_CMDLINE]	= A_NORMAL,
	[CMM_UI_R_STATE_OK]	= A_BOLD,
	[CMM_UI_R_STATE_BUSY]	= A_BOLD | A_UNDERLINE,
	[CMM_UI_R_STATE_ASK]	= A_BOLD | A_REVERSE | A_BLINK,
	[CMM_UI_R_STATE_BAD]	= A_BOLD | A_REVERSE,
};

/* the ui's curses state (only ui/ talks to the terminal): the table in
 * use */
static attr_t	colour_attrs[CMM_UI_R__COUNT];

bool
cmm_ui_colour_init(bool want_colour)
{
	const char	*nc = getenv("NO_COLOR");
	bool		 colour = want_colour && (nc == NULL || *nc == '\0') &&
			    has_colors();

	if (colour && start_color() != OK)
		colour = false;
	if (colour)
		use_default_colors();
	for (int r = 0; r < CMM_UI_R__COUNT; r++) {
		if (!colour) {
			colour_attrs[r] = mono_table[r];
			continue;
		}
		if (colour_table[r].fg == -1 && colour_table[r].bg == -1) {
			colour_attrs[r] = colour_table[r].attr;
			continue;
		}
		/* pair r for role r; COLOR_PAIRS is at least 64 where colours are */
		if (r < COLOR_PAIRS && init_pair((short)r, colour_table[r].fg,
		    colour_table[r].bg) == OK)
			colour_attrs[r] = COLOR_PAIR(r) | colour_table[r].attr;
		else
			colour_attrs[r] = mono_table[r];
	}
	return colour;
}

unsigned long
cmm_ui_attr(enum cmm_ui_role r)
{
	return (unsigned)r < CMM_UI_R__COUNT ? colour_attrs[r] : A_NORMAL;
}

enum cmm_ui_role
cmm_ui_state_role(const char *state)
{
	if (strcmp(state, "member") == 0)
		return CMM_UI_R_STATE_OK;
	if (strcmp(state, "awaiting-operator") == 0)
		return CMM_UI_R_STATE_ASK;
	if (strcmp(state, "no-quorum") == 0 || strcmp(state, "isolated") == 0 ||
	    strcmp(state, "stopped") == 0)
		return CMM_UI_R_STATE_BAD;
	return CMM_UI_R_STATE_BUSY;
}
