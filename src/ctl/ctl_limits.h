/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl_limits: what the control server allows, as pure decisions (no I/O),
 * so each rule has a unit test of its own.  The server (src/ctl/ctl_server.c)
 * gathers the facts (SO_PEERCRED, the peer's groups, buffer lengths) and
 * asks here.
 *
 * Roles.  A peer is read-write (admin) when it is root, the daemon's own
 * user, or in the socket's group (control_group, else the daemon's group);
 * read-only when it is in control_readonly_group; anything else is turned
 * away at connect.  A read-only peer may run every command that changes
 * nothing: the command table's MUTATES and ANSWER rows are refused.
 *
 * Limits.  At most CMM_CTL_MAX_CLIENTS connections of users other than
 * root; CMM_CTL_ROOT_SLOTS more are kept for root, so a flood of idle
 * connections never locks the operator out.  A client whose unread output
 * passes CMM_CTL_OUT_HARD is disconnected; a watcher's events are dropped
 * (and counted as lost) beyond CMM_CTL_OUT_SOFT, so a slow watcher loses
 * events before it is cut off.
 */
#ifndef CMM_CTL_LIMITS_H
#define CMM_CTL_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CMM_CTL_MAX_CLIENTS	64
#define CMM_CTL_ROOT_SLOTS	4
#define CMM_CTL_OUT_SOFT	((size_t)256 << 10)
#define CMM_CTL_OUT_HARD	((size_t)1 << 20)
#define CMM_CTL_MAX_GROUPS	256	/* supplementary groups looked at */

enum cmm_ctl_role {
	CMM_CTL_ROLE_NONE = 0,	/* refused at connect */
	CMM_CTL_ROLE_READONLY,
	CMM_CTL_ROLE_ADMIN,
};

/* Who may do what on this socket. */
struct cmm_ctl_access {
	uid_t	owner;		/* the daemon's effective uid */
	gid_t	group;		/* the socket's group */
	bool	has_readonly;
	gid_t	readonly;	/* control_readonly_group */
};

/* A connected peer as the kernel reports it. */
struct cmm_ctl_peer {
	uid_t	uid;
	gid_t	gid;
	int	ngroups;	/* of groups[]; -1: unknown (primary gid only) */
	gid_t	groups[CMM_CTL_MAX_GROUPS];
};

enum cmm_ctl_role cmm_ctl_role(const struct cmm_ctl_access *a,
	    const struct cmm_ctl_peer *p);
const char *cmm_ctl_role_name(enum cmm_ctl_role r);

/* NULL when a new connection of this peer may be served, with n_users
 * connections of non-root peers and n_all in total open; else the one-line
 * reason to send before closing. */
const char *cmm_ctl_admit(bool root, int n_users, int n_all);

/* true when a peer of role r may run a command with these table flags
 * (CMM_CMDF_* of src/ctl/cmd.h). */
bool	cmm_ctl_may_run(enum cmm_ctl_role r, unsigned cmd_flags);

/* What to do with a client whose unread output is out_len bytes. */
bool	cmm_ctl_out_over(size_t out_len);	/* disconnect it */
bool	cmm_ctl_event_fits(size_t out_len);	/* queue one more event */

#endif
