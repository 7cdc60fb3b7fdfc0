/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * links: what the daemon knows of each redundant link to each peer (docs/
 * ARCHITECTURE.md "Redundant links").  A link to a peer is up while an
 * authentic datagram from that peer came in on it within the failure
 * timeout, copies the window drops as duplicates included: a copy proves
 * the link as well as the first one does.  The core never sees links; it
 * sees a peer's datagrams, which keep coming while any link is up.
 *
 * No I/O: the daemon passes the clock and turns the changes
 * cmm_links_check reports into log lines and watch events.
 */
#ifndef CMM_LINKS_H
#define CMM_LINKS_H

#include <stdbool.h>
#include <stdint.h>

/* Links per node; net/udp.h and net/replay.h size their tables by it. */
#define CMM_LINKS_MAX	4

struct cmm_links;

/* One link to one peer, for `nodes` and the metrics. */
struct cmm_link_stats {
	bool		heard;		/* anything since the start */
	bool		up;
	int64_t		heard_ms;	/* ago; -1: never */
	uint64_t	rx;		/* authentic datagrams, copies included */
	uint64_t	duplicates;	/* of them, copies dropped by the window */
	/* heartbeat inter-arrival times on this link, last minute */
	int		hb_n;		/* samples; no quantiles below 2 */
	int64_t		hb_median_ms, hb_p99_ms, hb_max_ms;
};

/* n_links 1..CMM_LINKS_MAX, timeout_ms: the failure timeout.  NULL: out
 * of memory. */
struct cmm_links *cmm_links_new(int n_links, int64_t timeout_ms);
void	cmm_links_free(struct cmm_links *l);
/* Makes room for a peer (0..1023).  0, or -1 out of memory. */
int	cmm_links_add_peer(struct cmm_links *l, int peer);
int	cmm_links_count(const struct cmm_links *l);

/* An authentic datagram from peer on link at now (ms). */
void	cmm_links_heard(struct cmm_links *l, int peer, int link, int64_t now,
	    bool heartbeat, bool duplicate);

/* Links whose state changed since the last call: fn(ctx, peer, link, up)
 * for each.  A link is reported up with its first datagram (at the start
 * too), down after timeout_ms of silence, up again with the next one; a
 * link never heard is not reported (its row says so). */
typedef void (*cmm_link_change_fn)(void *ctx, int peer, int link, bool up);
void	cmm_links_check(struct cmm_links *l, int64_t now, cmm_link_change_fn fn,
	    void *ctx);

/* false when peer is unknown. */
bool	cmm_links_stats(const struct cmm_links *l, int peer, int link,
	    int64_t now, struct cmm_link_stats *out);

#endif
