/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * noteq: the daemon's notes, held until the burst of work that made them
 * is over (daemon.c: no new note for a millisecond, or ten after the
 * oldest).  A round's datagrams and writes then have the CPUs before the
 * listeners (watchers' JSON, metrics, systemd's status) do their work: at
 * 16 nodes on two CPUs a node's notes for one round cost 50 to 80 us, as
 * much as its part in the round itself, and were made in the middle of
 * it (a coordinator made four before its ACCEPTs went out).
 *
 * A queued note is a deep copy: its effect, event, quorum decision,
 * prompt and texts travel with it (the core's own are gone once the
 * effect returns), and so do its clock stamps and the epoch it was made
 * in, so a listener sees what it would have seen at once, a little later.
 */
#ifndef CMM_NOTEQ_H
#define CMM_NOTEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "src/node/daemon.h"

/* One note with everything it points to; valid where it lies once bound
 * (cmm_noteq_pop binds it). */
struct cmm_noteq_item {
	struct cmm_note		n;
	struct cmm_effect	fx;
	struct cmm_event	ev;
	struct cmm_prompt	prompt;
	struct cmm_qdecision	dec;
	bool			has_fx, has_dec, has_text;
	/* the event's text or the prompt's why: none, n.text, or sub */
	enum { CMM_NOTEQ_SUB_NONE, CMM_NOTEQ_SUB_TEXT, CMM_NOTEQ_SUB_OWN } sub_is;
	char			text[1024];	/* n.text */
	char			sub[512];
};

struct cmm_noteq;

/* A queue of cap notes; NULL when out of memory. */
struct cmm_noteq *cmm_noteq_new(int cap);
void	cmm_noteq_free(struct cmm_noteq *q);
/* Copies n in; false (nothing copied) when the queue is full. */
bool	cmm_noteq_push(struct cmm_noteq *q, const struct cmm_note *n);
/* The oldest note into *out, bound to out's own fields; false when empty. */
bool	cmm_noteq_pop(struct cmm_noteq *q, struct cmm_noteq_item *out);
int	cmm_noteq_len(const struct cmm_noteq *q);
/* When the waiting notes go: quiet_us after the newest (last_us), but
 * never later than max_us after the oldest (first_us), so a steady
 * stream of notes cannot hold them back for ever.  Microseconds. */
int64_t	cmm_noteq_due(int64_t first_us, int64_t last_us, int64_t quiet_us,
	    int64_t max_us);

#endif
