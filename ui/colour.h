/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * colour: semantic roles for everything the console draws, mapped to
 * curses attributes by one table for colour terminals and one for
 * monochrome ones (htop CRT.c style).  Monochrome is used when the
 * terminal has no colours (TERM=vt100) or NO_COLOR is set to anything
 * (no-color.org).  Drawing code asks for a role, never for a colour.
 */
#ifndef CMM_UI_COLOUR_H
#define CMM_UI_COLOUR_H

#include <stdbool.h>

enum cmm_ui_role {
	CMM_UI_R_NORMAL = 0,
	CMM_UI_R_HEADER,	/* the top line */
	CMM_UI_R_TITLE,		/* pane titles */
	CMM_UI_R_MEMBER,	/* member and alive */
	CMM_UI_R_OUTSIDE,	/* alive, not a member */
	CMM_UI_R_DEAD,		/* not alive */
	CMM_UI_R_SELF,		/* this node's cell */
	CMM_UI_R_CHANGED,	/* changed in the last reconfiguration */
	CMM_UI_R_WARN,
	CMM_UI_R_ERROR,
	CMM_UI_R_GOOD,
	CMM_UI_R_DIM,
	CMM_UI_R_BOX,		/* the prompt box */
	CMM_UI_R_BOXTITLE,
	CMM_UI_R_STATUSBAR,
	CMM_UI_R_CMDLINE,
	CMM_UI_R_STATE_OK,	/* header state: member */
	CMM_UI_R_STATE_BUSY,	/* reconfiguring, joining, leaving */
	CMM_UI_R_STATE_ASK,	/* awaiting-operator */
	CMM_UI_R_STATE_BAD,	/* no-quorum, isolated, stopped */
	CMM_UI_R__COUNT
};

/* Call after curses started.  Picks the table: colour when want_colour
 * and the terminal has colours and NO_COLOR is unset.  Returns whether
 * colour is in use. */
bool	cmm_ui_colour_init(bool want_colour);
/* The curses attributes (attr_t) for a role. */
unsigned long cmm_ui_attr(enum cmm_ui_role r);
/* The header role for a node state name. */
enum cmm_ui_role cmm_ui_state_role(const char *state);

#endif
