/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vote: who keeps quorum after a reconfiguration (patent FIG. 7-9,
 * DESIGN §2 step 4).  Pure functions of sets; libc only.
 */
#ifndef CMM_VOTE_H
#define CMM_VOTE_H

#include <stdbool.h>

#include "nodeset.h"

enum cmm_initial_policy { CMM_INITIAL_MAJORITY, CMM_INITIAL_ASK, CMM_INITIAL_ANY };
enum cmm_isolation_policy { CMM_ISOLATION_ASK, CMM_ISOLATION_ISOLATED,
	CMM_ISOLATION_NOT_ISOLATED };
enum cmm_winner_policy { CMM_WINNER_ASK, CMM_WINNER_LOWEST, CMM_WINNER_HIGHEST };

/* How the decision was reached (shown to operators). */
enum cmm_qmethod {
	CMM_QM_NONE = 0,
	CMM_QM_KEPT,		/* next ⊇ P: nobody left */
	CMM_QM_VOTE,		/* majority of P, crown prince breaks a tie */
	CMM_QM_LEAVE,		/* two-node cluster, the other left naming us */
	CMM_QM_RACE,		/* two-node cluster, race for a shared device */
	CMM_QM_OPERATOR,	/* two-node cluster, no device: operator picks */
	CMM_QM_INITIAL,		/* no previous cluster: majority of configured */
	CMM_QM_ISOLATION,	/* no previous cluster, alone: isolation question */
};

enum cmm_qverdict {
	CMM_QV_WIN = 0,		/* proceed to fence and commit */
	CMM_QV_LOSE,		/* abort: no quorum */
	CMM_QV_RACE,		/* reserve `device` for the round's epoch */
	CMM_QV_ASK_WINNER,	/* winner prompt between choice[0], choice[1] */
	CMM_QV_ASK_ISOLATION,	/* isolation question (also initial_quorum=ask) */
	CMM_QV_WAIT,		/* initial minority under `majority`: do nothing */
};

/* Everything the decision depends on. */
struct cmm_qinput {
	int			self;
	const struct cmm_set	*prev;		/* P; empty when none is known */
	const struct cmm_set	*next;		/* the agreed set */
	const struct cmm_set	*leavers;	/* leavers whose LEAVE named exactly next */
	const struct cmm_set	*configured;	/* every configured node */
	const int		*priority;	/* indexed by id */
	/* devices: the sets of nodes sharing each device */
	const struct cmm_set	*devices;
	int			n_devices;
	enum cmm_initial_policy	initial;
	enum cmm_winner_policy	winner;
	/* the other node of a two-node P sent a LEAVE naming exactly {self} */
	bool			other_left_naming_self;
	/* planted-bug switches for the simulator's checker tests (0 = none) */
	unsigned		bugs;
};

#define CMM_BUG_CROWN_PRINCE	0x01	/* ignore the crown prince on a tie */
#define CMM_BUG_WRONG_SET	0x02	/* count votes against next, not P */
#define CMM_BUG_HALF		0x04	/* off by one: half counts as a majority */

struct cmm_qdecision {
	enum cmm_qmethod	method;
	enum cmm_qverdict	verdict;
	int	votes;		/* |next ∩ P| + counted leavers */
	int	prev_size;	/* |P| (configured count for CMM_QM_INITIAL) */
	int	crown_prince;	/* of P, -1 if none */
	bool	crown_prince_present;
	int	device;		/* CMM_QV_RACE: index of the device, else -1 */
	int	choice[2];	/* CMM_QV_ASK_WINNER: the two candidates */
	int	winner;		/* CMM_QV_ASK_WINNER with a policy: the pick */
};

/* Highest priority member of s (ties to the higher id), -1 if s is empty.
 * FIG. 9: the crown prince breaks an exact tie. */
int	cmm_crown_prince(const struct cmm_set *s, const int *priority);

/* The decision of step 4.  Never fails; see enum cmm_qverdict. */
void	cmm_quorum_decide(const struct cmm_qinput *in, struct cmm_qdecision *out);

/* true when S could hold quorum against P by the rules above, counting a
 * two-node race as possibly won (used by proposal recovery). */
bool	cmm_quorum_possible(const struct cmm_set *prev, const struct cmm_set *s,
	    const int *priority);

/* Index of the first device shared by nodes a and b, or -1. */
int	cmm_quorum_shared_device(const struct cmm_set *devices, int n_devices,
	    int a, int b);

/* One line for operators, e.g. "vote: 3 of previous 6 = half, crown prince
 * 5 present: quorum".  Returns like snprintf. */
int	cmm_quorum_explain(const struct cmm_qdecision *d, char *buf, unsigned len);

const char *cmm_qmethod_name(enum cmm_qmethod m);

#endif
