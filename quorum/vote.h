/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vote: the quorum system Q(P) of a round (patent FIG. 7-9; docs/PROTOCOL.md
 * "Quorums").  Each epoch's configuration is chosen by a Paxos instance
 * whose acceptors are the previous members P; these functions say which
 * sets of acceptors are quorums, and explain a round's decision to the
 * operator.  Pure functions of sets; libc only.
 */
#ifndef CMM_VOTE_H
#define CMM_VOTE_H

#include <stdbool.h>

#include "quorum/nodeset.h"

enum cmm_initial_policy { CMM_INITIAL_MAJORITY, CMM_INITIAL_ASK, CMM_INITIAL_ANY };
enum cmm_isolation_policy { CMM_ISOLATION_ASK, CMM_ISOLATION_ISOLATED,
	CMM_ISOLATION_NOT_ISOLATED };
enum cmm_winner_policy { CMM_WINNER_ASK, CMM_WINNER_LOWEST, CMM_WINNER_HIGHEST };

/* Which rule decided (shown to operators). */
enum cmm_qmethod {
	CMM_QM_NONE = 0,
	CMM_QM_VOTE,		/* a quorum of P: majority, or half with the crown prince */
	CMM_QM_RACE,		/* two nodes: one of them and the shared device */
	CMM_QM_OPERATOR,	/* two nodes, no device: the operator's pick stands in */
	CMM_QM_INITIAL,		/* formation: a majority of the configured nodes */
	CMM_QM_ISOLATION,	/* formation, alone: "not isolated" stands in */
	CMM_QM_FORCED,		/* force-quorum: the operator declared the rest dead */
};

enum cmm_qverdict {
	CMM_QV_WIN = 0,		/* the promises form a quorum (or a stand-in did) */
	CMM_QV_LOSE,		/* abort: no quorum */
	CMM_QV_RACE,		/* ask the shared device for its promise */
	CMM_QV_ASK_WINNER,	/* winner prompt between choice[0], choice[1] */
	CMM_QV_ASK_ISOLATION,	/* isolation question (also initial_quorum=ask) */
	CMM_QV_WAIT,		/* formation minority under `majority`: wait */
};

/* Everything a decision depends on. */
struct cmm_qinput {
	int			self;
	const struct cmm_set	*prev;		/* P; empty: formation */
	const struct cmm_set	*promised;	/* acceptors that promised, self included */
	const struct cmm_set	*configured;	/* every configured node */
	const int		*priority;	/* indexed by id; NULL: priority = id */
	const struct cmm_set	*devices;	/* the nodes sharing each device */
	int			n_devices;
	enum cmm_initial_policy	initial;
	enum cmm_winner_policy	winner;
	bool			device_promised; /* |P| = 2: the device promised */
	unsigned		bugs;		/* CMM_BUG_* below, simulator tests only */
};

/* Planted bugs, each shown to be caught by the simulator's checker. */
#define CMM_BUG_CROWN_PRINCE	0x01	/* a tie wins without the crown prince */
#define CMM_BUG_HALF		0x04	/* off by one: an integer half is a quorum */

struct cmm_qdecision {
	enum cmm_qmethod	method;
	enum cmm_qverdict	verdict;
	int	votes;		/* acceptors counted (the device counts one) */
	int	prev_size;	/* |P| (the configured count for formation) */
	int	crown_prince;	/* of P, -1 if none */
	bool	crown_prince_present;
	int	device;		/* RACE: index of the shared device, else -1 */
	int	choice[2];	/* OPERATOR: the two candidates */
	int	winner;		/* OPERATOR with a policy: the pick, else -1 */
};

/* Highest priority member of s (ties to the higher id), -1 if s is empty.
 * FIG. 9: the crown prince breaks an exact tie. */
int	cmm_crown_prince(const struct cmm_set *s, const int *priority);

/*
 * Q(P): whether the acceptors a (only their members of P count) form a
 * quorum of P.  |P| >= 3: more than half, or exactly half holding the crown
 * prince.  |P| = 2: both, or one of them with the device (device = true).
 * |P| = 1: that node.  The crown prince alone is never a quorum of two.
 */
bool	cmm_quorum_is(const struct cmm_set *P, const struct cmm_set *a,
	    bool device, const int *priority, unsigned bugs);

/* Formation: a majority of the configured nodes. */
bool	cmm_quorum_formation(const struct cmm_set *configured,
	    const struct cmm_set *a, unsigned bugs);

/* Index of the first device shared by nodes a and b, or -1. */
int	cmm_quorum_shared_device(const struct cmm_set *devices, int n_devices,
	    int a, int b);

/* The decision after phase 1 (see enum cmm_qverdict).  Never fails. */
void	cmm_quorum_decide(const struct cmm_qinput *in, struct cmm_qdecision *out);

/* One line for operators, e.g. "vote: 3 of previous 6 = half, crown prince
 * 5 present: quorum".  Returns like snprintf. */
int	cmm_quorum_explain(const struct cmm_qdecision *d, char *buf, unsigned len);

const char *cmm_qmethod_name(enum cmm_qmethod m);
const char *cmm_qverdict_name(enum cmm_qverdict v);

#endif
