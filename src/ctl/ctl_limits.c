/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ctl_limits: the control server's roles and limits (see the header). */
#include "src/ctl/cmd.h"
#include "src/ctl/ctl_limits.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

static bool	in_group(const struct cmm_ctl_peer *p, gid_t g);

/* The primary gid or any supplementary group. */
static bool
in_group(const struct cmm_ctl_peer *p, gid_t g)
{
	if (p->gid == g)
		return true;
	for (int i = 0; i < p->ngroups && i < CMM_CTL_MAX_GROUPS; i++)
		if (p->groups[i] == g)
			return true;
	return false;
}

enum cmm_ctl_role
cmm_ctl_role(const struct cmm_ctl_access *a, const struct cmm_ctl_peer *p)
{
	if (p->uid == 0 || p->uid == a->owner || in_group(p, a->group))
		return CMM_CTL_ROLE_ADMIN;
	if (a->has_readonly && in_group(p, a->readonly))
		return CMM_CTL_ROLE_READONLY;
	return CMM_CTL_ROLE_NONE;
}

const char *
cmm_ctl_role_name(enum cmm_ctl_role r)
{
	switch (r) {
	case CMM_CTL_ROLE_ADMIN:
		return "read-write";
	case CMM_CTL_ROLE_READONLY:
		return "read-only";
	case CMM_CTL_ROLE_NONE:
		break;
	}
	return "none";
}

const char *
cmm_ctl_admit(bool root, int n_users, int n_all)
{
	if (n_all >= CMM_CTL_MAX_CLIENTS + CMM_CTL_ROOT_SLOTS)
		return "too many control connections (every slot is taken, "
		    "root's too)";
	/* the last slots are root's: an idle flood must not lock it out */
	if (!root && n_users >= CMM_CTL_MAX_CLIENTS)
		return "too many control connections (" STR(CMM_CTL_MAX_CLIENTS)
		    " open; the last slots are kept for root)";
	return NULL;
}

bool
cmm_ctl_may_run(enum cmm_ctl_role r, unsigned cmd_flags)
{
	if (r == CMM_CTL_ROLE_ADMIN)
		return true;
	if (r == CMM_CTL_ROLE_READONLY)
		return (cmd_flags & (CMM_CMDF_MUTATES | CMM_CMDF_ANSWER)) == 0;
	return false;
}

bool
cmm_ctl_out_over(size_t out_len)
{
	return out_len > CMM_CTL_OUT_HARD;
}

bool
cmm_ctl_event_fits(size_t out_len)
{
	return out_len <= CMM_CTL_OUT_SOFT;
}
