/* SPDX-License-Identifier: GPL-3.0-or-later */
/* links: per-peer, per-link liveness and heartbeat gaps; see links.h. */
#include "src/node/links.h"

#include <stdlib.h>
#include <string.h>

#include "net/replay.h"
#include "net/udp.h"
#include "quorum/nodeset.h"

/* the transport and the window size their tables by the same count */
_Static_assert(CMM_LINKS_MAX == CMM_UDP_LINKS &&
    CMM_LINKS_MAX == CMM_REPLAY_LINKS, "one link count everywhere");

#define LINKS_RING	64		/* heartbeat arrivals kept per link */
#define LINKS_WINDOW_MS	60000		/* quantiles over the last minute */

struct link_state {
	bool		heard;
	bool		up;		/* as last reported */
	int64_t		last;		/* ms */
	uint64_t	rx, dup;
	int64_t		t[LINKS_RING];	/* heartbeat arrivals */
	int		head, n;
};

struct cmm_links {
	int			n_links;
	int64_t			timeout_ms;
	struct link_state	**peer;	/* CMM_MAX_NODES, n_links each */
};

struct cmm_links *
cmm_links_new(int n_links, int64_t timeout_ms)
{
	struct cmm_links *l;

	if (n_links < 1 || n_links > CMM_LINKS_MAX)
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->n_links = n_links;
	l->timeout_ms = timeout_ms;
	if ((l->peer = calloc(CMM_MAX_NODES, sizeof(*l->peer))) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
cmm_links_free(struct cmm_links *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < CMM_MAX_NODES; i++)
		free(l->peer[i]);
	free(l->peer);
	free(l);
}

int
cmm_links_add_peer(struct cmm_links *l, int peer)
{
	if (!cmm_set_valid_id(peer))
		return -1;
	if (l->peer[peer] == NULL &&
	    (l->peer[peer] = calloc((size_t)l->n_links,
	    sizeof(struct link_state))) == NULL)
		return -1;
	return 0;
}

int
cmm_links_count(const struct cmm_links *l)
{
	return l->n_links;
}

static struct link_state *
links_at(const struct cmm_links *l, int peer, int link)
{
	if (!cmm_set_valid_id(peer) || link < 0 || link >= l->n_links ||
	    l->peer[peer] == NULL)
		return NULL;
	return &l->peer[peer][link];
}

void
cmm_links_heard(struct cmm_links *l, int peer, int link, int64_t now,
    bool heartbeat, bool duplicate)
{
	struct link_state *s = links_at(l, peer, link);

	if (s == NULL)
		return;
	s->heard = true;
	s->last = now;
	s->rx++;
	if (duplicate)
		s->dup++;
	if (heartbeat) {
		s->t[s->head] = now;
		s->head = (s->head + 1) % LINKS_RING;
		if (s->n < LINKS_RING)
			s->n++;
	}
}

void
cmm_links_check(struct cmm_links *l, int64_t now, cmm_link_change_fn fn,
    void *ctx)
{
	for (int p = 0; p < CMM_MAX_NODES; p++) {
		if (l->peer[p] == NULL)
			continue;
		for (int k = 0; k < l->n_links; k++) {
			struct link_state *s = &l->peer[p][k];
			bool up = s->heard && now - s->last <= l->timeout_ms;

			if (!s->heard || up == s->up)
				continue;
			s->up = up;
			fn(ctx, p, k, up);
		}
	}
}

static int
links_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

bool
cmm_links_stats(const struct cmm_links *l, int peer, int link, int64_t now,
    struct cmm_link_stats *out)
{
	const struct link_state *s = links_at(l, peer, link);
	int64_t gaps[LINKS_RING];
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return false;
	out->heard = s->heard;
	out->heard_ms = s->heard ? now - s->last : -1;
	out->up = s->heard && now - s->last <= l->timeout_ms;
	out->rx = s->rx;
	out->duplicates = s->dup;
	/* newest first, until an arrival falls out of the window */
	for (int i = 1; i < s->n; i++) {
		int cur = (s->head - i + LINKS_RING) % LINKS_RING;
		int prev = (cur - 1 + LINKS_RING) % LINKS_RING;

		if (s->t[prev] < now - LINKS_WINDOW_MS)
			break;
		gaps[n++] = s->t[cur] - s->t[prev];
	}
	out->hb_n = n;
	if (n == 0)
		return true;
	qsort(gaps, (size_t)n, sizeof(gaps[0]), links_cmp64);
	out->hb_median_ms = gaps[n / 2];
	out->hb_p99_ms = gaps[(n * 99) / 100];
	out->hb_max_ms = gaps[n - 1];
	return true;
}
