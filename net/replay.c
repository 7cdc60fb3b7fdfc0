/* SPDX-License-Identifier: GPL-3.0-or-later */
/* replay: per-sender anti-replay window; see replay.h. */
#include "net/replay.h"

#include <string.h>

void
cmm_replay_init(struct cmm_replay *r)
{
	memset(r, 0, sizeof(*r));
}

void
cmm_replay_forget(struct cmm_replay *r, int sender)
{
	if (cmm_set_valid_id(sender))
		memset(&r->win[sender], 0, sizeof(r->win[sender]));
}

enum cmm_drop
cmm_replay_check_link(const struct cmm_replay *r, int sender,
    uint32_t incarnation, uint64_t seq, int link)
{
	if (!cmm_set_valid_id(sender) || link < 0 || link >= CMM_REPLAY_LINKS)
		return CMM_DROP_MALFORMED;
	return cmm_replay_win_check(&r->win[sender], incarnation, seq, link);
}

enum cmm_drop
cmm_replay_win_check(const struct cmm_replay_win *w, uint32_t incarnation,
    uint64_t seq, int link)
{
	uint64_t age, bit;

	if (!w->seen || incarnation > w->incarnation)
		return CMM_DROP_NONE;
	/* an older incarnation is a dead process's packet played back */
	if (incarnation < w->incarnation)
		return CMM_DROP_REPLAY;
	if (seq > w->top)
		return CMM_DROP_NONE;
	age = w->top - seq;
	if (age >= CMM_REPLAY_WINDOW)
		return CMM_DROP_REPLAY;
	bit = UINT64_C(1) << age;
	if (!(w->bits & bit))
		return CMM_DROP_NONE;
	/* taken already: a first copy on this link is the sender's own
	 * redundancy; a second one on the same link is played back */
	return (w->link[link] & bit) != 0 ? CMM_DROP_REPLAY :
	    CMM_DROP_DUPLICATE;
}

enum cmm_drop
cmm_replay_check(const struct cmm_replay *r, int sender, uint32_t incarnation,
    uint64_t seq)
{
	return cmm_replay_check_link(r, sender, incarnation, seq, 0);
}

void
cmm_replay_accept_link(struct cmm_replay *r, int sender, uint32_t incarnation,
    uint64_t seq, int link)
{
	if (!cmm_set_valid_id(sender) || link < 0 || link >= CMM_REPLAY_LINKS)
		return;
	cmm_replay_win_accept(&r->win[sender], incarnation, seq, link);
}

void
cmm_replay_win_accept(struct cmm_replay_win *w, uint32_t incarnation,
    uint64_t seq, int link)
{
	uint64_t d;

	if (!w->seen || incarnation > w->incarnation) {
		/* a restart: the new process counts from scratch */
		memset(w, 0, sizeof(*w));
		w->seen = true;
		w->incarnation = incarnation;
		w->top = seq;
		w->bits = 1;
		w->link[link] = 1;
		return;
	}
	if (incarnation < w->incarnation)
		return;
	if (seq > w->top) {
		d = seq - w->top;
		w->bits = d >= CMM_REPLAY_WINDOW ? 0 : w->bits << d;
		w->bits |= 1;
		for (int k = 0; k < CMM_REPLAY_LINKS; k++)
			w->link[k] = d >= CMM_REPLAY_WINDOW ? 0 :
			    w->link[k] << d;
		w->link[link] |= 1;
		w->top = seq;
		return;
	}
	d = w->top - seq;
	if (d < CMM_REPLAY_WINDOW) {
		w->bits |= UINT64_C(1) << d;
		w->link[link] |= UINT64_C(1) << d;
	}
}

void
cmm_replay_accept(struct cmm_replay *r, int sender, uint32_t incarnation,
    uint64_t seq)
{
	cmm_replay_accept_link(r, sender, incarnation, seq, 0);
}
