/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_converge: the coordinator's cut of a round's value down to nodes
 * that all see each other (docs/PROTOCOL.md "Choose"), and the memory that
 * keeps a node the cut left out from restarting rounds while connectivity
 * stays as it was.  Pure; no effects.
 */
#include "src/core/core_int.h"

/* What converge_sees needs of one candidate, gathered once per cut: the
 * pairs are n^2, the candidates' peer entries and rows only n. */
struct converge_node {
	int			id;
	bool			settled;
	const struct cmm_set	*row;	/* NULL for self: its row is alive */
};

/* Whether x holds y alive, as far as this node knows. */
static bool
converge_sees(const struct cmm_core *c, const struct converge_node *x,
    const struct converge_node *y)
{
	if (x->id == y->id)
		return true;
	if (x->id == c->self)
		return cmm_set_has(&c->alive, y->id);
	/* a node just heard has not heard everyone yet, nor has everyone
	 * put it in a row: unknown either way, so assume they see */
	if (!x->settled || !y->settled)
		return true;
	return cmm_set_has(x->row, y->id);
}

static bool
converge_linked(const struct cmm_core *c, const struct converge_node *x,
    const struct converge_node *y)
{
	return converge_sees(c, x, y) && converge_sees(c, y, x);
}

/*
 * Beyond the patent: a one-way or non-transitive partition must not leave
 * two nodes in one configuration that cannot hear each other.  Remove the
 * node with the fewest links inside the set, ties to the lowest priority,
 * until every pair is linked both ways.  Only the coordinator runs this,
 * so no two nodes need to compute the same answer.
 */
void
core_converge(const struct cmm_core *c, struct cmm_set *set)
{
	struct converge_node nd[CMM_MAX_NODES];
	int links[CMM_MAX_NODES];
	bool gone[CMM_MAX_NODES];
	int n = 0, left;

	for (int q = cmm_set_next(set, 0); q >= 0; q = cmm_set_next(set, q + 1)) {
		nd[n].id = q;
		nd[n].settled = core_peer_settled(c, q);
		nd[n].row = q == c->self ? NULL : core_peer_row(c, q);
		n++;
	}
	for (int i = 0; i < n; i++) {
		gone[i] = false;
		links[i] = 0;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (converge_linked(c, &nd[i], &nd[j])) {
				links[i]++;
				links[j]++;
			}
	for (left = n; left > 1;) {
		int worst = 0;

		while (gone[worst])
			worst++;	/* left > 1: some node remains */
		for (int i = worst + 1; i < n; i++) {
			if (gone[i])
				continue;
			if (links[i] < links[worst] ||
			    (links[i] == links[worst] &&
			    c->cfg->priority[nd[i].id] <
			    c->cfg->priority[nd[worst].id]))
				worst = i;
		}
		if (links[worst] == left - 1)
			break;
		gone[worst] = true;
		left--;
		for (int j = 0; j < n; j++)
			if (!gone[j] && converge_linked(c, &nd[worst], &nd[j]))
				links[j]--;
	}
	cmm_set_clear(set);
	for (int i = 0; i < n; i++)
		if (!gone[i])
			cmm_set_add(set, nd[i].id);
}

/* After the coordinator's cut: the candidates it left out stay out while
 * the rows are as they were, so a held one-way link cannot make rounds
 * spin.  (A node it did not know of yet is not left out.) */
void
core_note_excluded(struct cmm_core *c, const struct cmm_set *considered,
    const struct cmm_set *kept)
{
	cmm_set_minus(&c->excluded, considered, kept);
	c->excluded_version = c->rows_version;
	c->excluded_at = c->now;
	c->excluded_until = c->now + CORE_EXCLUDE_TIMEOUTS *
	    c->cfg->failure_timeout_ms;
}

/* Moved rows end an exclusion, but not within a heartbeat of the cut:
 * in a large cluster some row moves nearly every millisecond while nodes
 * come and go, and each cut is O(n^2) (at 1024 nodes half a million
 * pairs, a dozen cuts a millisecond).  A link that heals needs a
 * heartbeat to show in the rows anyway. */
bool
core_excluded(const struct cmm_core *c, int id)
{
	return cmm_set_has(&c->excluded, id) && c->now < c->excluded_until &&
	    (c->rows_version == c->excluded_version ||
	    c->now < c->excluded_at + c->cfg->heartbeat_ms);
}
