/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay: a per-sender sliding window of 64 sequence numbers per
 * (sender, incarnation), as IPsec's anti-replay window (docs/PROTOCOL.md
 * "Messages").  libc only.
 *
 * cmm_replay_check() only looks; cmm_replay_accept() moves the window and
 * is called once the MAC has verified, so a forged datagram never moves
 * it.  A higher incarnation (the sender restarted) starts a fresh window; a
 * lower one is a replay.  Within an incarnation a sequence number already
 * seen, or older than the highest seen minus 63, is a replay; a late one
 * inside the window is accepted once (an ACCEPT overtaken by a later
 * HEARTBEAT still counts).
 *
 * Redundant links: a sender puts the same datagram (same incarnation and
 * seq) on every link, so each one arrives up to once per link.  The window
 * remembers, per seq, the links it came on: a seq already taken that
 * arrives on a link it has not come on yet is CMM_DROP_DUPLICATE (a copy,
 * expected, and proof that link works); on the same link again, or outside
 * the window, it is CMM_DROP_REPLAY.  Without a link argument, link 0.
 */
#ifndef CMM_REPLAY_H
#define CMM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "quorum/nodeset.h"
#include "net/wire.h"

#define CMM_REPLAY_WINDOW	64
#define CMM_REPLAY_LINKS	4	/* CMM_LINKS_MAX of src/node/links.h */

struct cmm_replay_win {
	bool		seen;		/* anything accepted from this sender */
	uint32_t	incarnation;
	uint64_t	top;		/* highest seq accepted */
	uint64_t	bits;		/* bit i: seq top - i accepted */
	uint64_t	link[CMM_REPLAY_LINKS];	/* the same, per link */
};

struct cmm_replay {
	struct cmm_replay_win	win[CMM_MAX_NODES];
};

void	cmm_replay_init(struct cmm_replay *r);
/* Forgets one sender (e.g. when it is removed from the configuration). */
void	cmm_replay_forget(struct cmm_replay *r, int sender);
/* CMM_DROP_NONE if (incarnation, seq) is new for sender, CMM_DROP_REPLAY
 * if not, CMM_DROP_MALFORMED for a sender id out of range.  No change. */
enum cmm_drop cmm_replay_check(const struct cmm_replay *r, int sender,
	    uint32_t incarnation, uint64_t seq);
/* Records (incarnation, seq) as seen; call only after check said NONE and
 * the MAC verified. */
void	cmm_replay_accept(struct cmm_replay *r, int sender,
	    uint32_t incarnation, uint64_t seq);

/* The same for a datagram that came on link (0..CMM_REPLAY_LINKS-1):
 * check may also say CMM_DROP_DUPLICATE, and accept after NONE or
 * DUPLICATE records the link. */
enum cmm_drop cmm_replay_check_link(const struct cmm_replay *r, int sender,
	    uint32_t incarnation, uint64_t seq, int link);
void	cmm_replay_accept_link(struct cmm_replay *r, int sender,
	    uint32_t incarnation, uint64_t seq, int link);

/* The same on one sender's window, for a table laid out another way (the
 * simulator keeps its windows by sender, then receiver).  link must be in
 * range. */
enum cmm_drop cmm_replay_win_check(const struct cmm_replay_win *w,
	    uint32_t incarnation, uint64_t seq, int link);
void	cmm_replay_win_accept(struct cmm_replay_win *w, uint32_t incarnation,
	    uint64_t seq, int link);

#endif
