/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * round.pml: round v2 of docs/PROTOCOL.md 4-6: one single-decree Paxos
 * instance per epoch, over K consecutive instances (the quorum chain).
 *
 * Nodes 0..ACCEPTORS-1 are the members of the first configuration P0
 * (epoch 0); node JOINER = ACCEPTORS is outside P0 and may be put in S.
 * Priority = id, so the crown prince of P is its member of highest id.
 *
 * The network is a set of messages that are never removed: a receiver may
 * take any message any number of times, or never, which is loss,
 * duplication and reordering at once.  Every node may coordinate, promise,
 * accept or crash at any moment (one atomic step each).  README.md says
 * what is abstracted and why that is sound.
 *
 * Build: spin -a [-DACCEPTORS=4] [-DK=3] [-DBALLOTS=4] [-DBUG_xxx] round.pml
 * Planted bugs (each must end in an assertion violation):
 *   BUG_HALF              half of P without the crown prince is a quorum
 *   BUG_HIGHEST           phase 2 ignores the accepted values in PROMISEs
 *   BUG_ACCEPT_NOPERSIST  an accept is answered, then lost in a crash
 *   BUG_ATTEMPT_NOPERSIST the highest attempt used is lost in a crash
 *   BUG_FASTPATH_ANY      any node may take attempt 0 without phase 1
 * Reachability checks (each must end in a violation, showing that the
 * model gets there at all):
 *   SANITY_LAST           epoch K is committed
 *   SANITY_JOINER         epoch K is committed by acceptors that include
 *                         the joiner (needs K >= 2)
 */

#ifndef ACCEPTORS
#define ACCEPTORS 3
#endif
#ifndef K
#define K 2             /* instances: epochs 1..K are decided in turn */
#endif
#ifndef MAXA
#define MAXA 2          /* attempts per node per instance: 0..MAXA-1 */
#endif
#ifndef BALLOTS
#define BALLOTS 3       /* ballots started per instance, all nodes together */
#endif
#ifndef MAXLEAVE
#define MAXLEAVE 1      /* LEAVE requests in a run */
#endif

#define N       (ACCEPTORS + 1)
#define JOINER  ACCEPTORS
#define ALL     ((1 << N) - 1)
#define P0      ((1 << ACCEPTORS) - 1)

/* Ballot b = (attempt a, coordinator c) is coded as a*N + c + 1, so the
 * lexicographic order is the numeric order and 0 means "none". */
#define NB      (MAXA * N)
#define BAL(a, c)       ((a) * N + (c) + 1)

/* A proposal is an ACCEPT(b, S).  A correct ballot carries one value;
 * when the attempt is not persisted a ballot can be reused with a second
 * value, so that bug gets a second slot per ballot.  pid = (b-1)*NV+j+1:
 * proposals are numbered in ballot order. */
#ifdef BUG_ATTEMPT_NOPERSIST
#define NV 2
#else
#define NV 1
#endif
#define NP      (NB * NV)
#define PID(b, j)       (((b) - 1) * NV + (j) + 1)
#define PBAL(p)         (((p) - 1) / NV + 1)

#define BIT(i)          (1 << (i))
#define IN(m, i)        (((m) >> (i)) & 1)
#define POP(m)  (IN(m,0) + IN(m,1) + IN(m,2) + IN(m,3) + IN(m,4))
/* the crown prince of P as a one-bit mask (highest id wins) */
#define CP(m)   ((m) & 16 -> 16 : ((m) & 8 -> 8 : ((m) & 4 -> 4 : \
                ((m) & 2 -> 2 : ((m) & 1)))))

/* Q(P), PROTOCOL 4: A (a subset of P) is a quorum if it is a majority, or,
 * for even |P| >= 4, exactly half and holding the crown prince.  |P| = 2
 * without a device needs both; |P| = 1 needs itself (majority covers it). */
#define QOK(P, A)  (2 * POP(A) > POP(P) || \
        (POP(P) % 2 == 0 && POP(P) >= 4 && 2 * POP(A) == POP(P) && \
         ((A) & CP(P)) != 0))
/* the quorum rule the nodes use; the checker always uses QOK */
#ifdef BUG_HALF
#define QM(P, A)   (2 * POP(A) >= POP(P))
#else
#define QM(P, A)   QOK(P, A)
#endif

/* ---- the instance being decided: k = inst, acceptors P = committed[k-1] */
byte    inst = 1;
byte    committed[K + 1];       /* ghost: the configuration of each epoch */
#define P       committed[inst - 1]

/* ---- the network of instance k: sets of messages, never emptied ---- */
short   prep;           /* PREPARE(b): bit b-1 */
byte    pv[NP];         /* ACCEPT(b, S): the value S of proposal pid */
int     asent;          /* bit pid-1: that ACCEPT exists (mirror of pv) */
byte    accd[NP];       /* ACCEPTED(pid) from these senders (also the ghost
                         * record the checker recomputes quorums from) */
byte    leave;          /* LEAVE sent by these nodes (kept across epochs) */
byte    started;        /* bound: ballots started in this instance */

/* ---- per node: the persisted acceptor slot of instance k ---- */
byte    prom[N];        /* promised ballot, 0 none */
byte    apid[N];        /* accepted proposal (ballot and value), 0 none */
byte    hi[N];          /* highest attempt used + 1, 0 = empty */
/* ---- per node: volatile coordinator state, lost in a crash ---- */
byte    pf[N];          /* PROMISEs received for its current ballot: from */
byte    pb[N];          /*   and the highest accepted proposal they report */

/* A coordinator is in phase 1 while its latest ballot has a PREPARE out
 * and no ACCEPT yet.  A PROMISE that arrives after phase 2 left is the
 * same as one lost, so a PROMISE is delivered at once or never: one
 * (from, highest) pair per node instead of every PROMISE ever sent. */
#define CURB(n)         (hi[n] >= 2 -> BAL(hi[n] - 1, n) : 0)
#define PHASE1(n)       (CURB(n) != 0 && pv[PID(CURB(n), 0) - 1] == 0)

/* Attempt 0 belongs to the crown prince of P, and only while its
 * persisted highest attempt for the instance is empty (the fast path). */
#ifdef BUG_FASTPATH_ANY
#define FASTOK(n)       (hi[n] == 0)
#else
#define FASTOK(n)       (hi[n] == 0 && BIT(n) == CP(P))
#endif

/* S is taken as committed (step 5): ACCEPTED from a quorum of P (by the
 * nodes' rule QM) for one proposal, all at one ballot.  The assertions: */
inline check_commit(S)
{
	/* agreement: at most one configuration per epoch */
	assert(committed[inst] == 0 || committed[inst] == S);
	/* chosen before committed: some proposal (b, S) has ACCEPTED from a
	 * quorum of P, recomputed from the record with the correct rule */
	t = 1; u = 0;
	do
	:: t <= NP ->
		if
		:: pv[t - 1] == S && QOK(P, accd[t - 1] & P) -> u = 1
		:: else -> skip
		fi;
		t++
	:: else -> break
	od;
	assert(u == 1);
#ifdef SANITY_LAST
	assert(inst < K);
#endif
#ifdef SANITY_JOINER
	assert(!(inst == K && IN(P, JOINER)));
#endif
	committed[inst] = S;
	printf("@ E%d chosen: S=%d\n", inst, S)
}

#define FRESH   255     /* a fresh value of the last instance, see below */
#define TOKEN(p)        (32 + (p))      /* above every set of nodes */

/* S from what a coordinator sees (steps 2-3): its base B (the responders
 * in phase 2; itself for the fast path) plus any of the nodes X it sees
 * alive (petitioners; for the fast path anyone); a node whose LEAVE it
 * got may be left out.  Which of them the convergence rules keep is
 * abstracted: Paxos does not look at the value, and the quorum chain only
 * needs the shapes of P to vary. */
inline pick_members(B, X)
{
	S = B; t = 0;
	do
	:: t < N ->
		if
		:: IN(X, t) && !IN(B, t) -> if :: S = S | BIT(t) :: skip fi
		:: else -> skip
		fi;
		if
		:: IN(leave, t) && IN(S, t) -> if :: S = S & ~BIT(t) :: skip fi
		:: else -> skip
		fi;
		t++
	:: else -> break
	od
}

inline pick_set(B, X)
{
	if
	:: inst == K ->
		/* The last instance decides nothing a later epoch uses, so a
		 * fresh value only has to differ from every other one: it
		 * becomes a token per proposal in send_accept.  Distinct
		 * values are the hard case for agreement. */
		S = FRESH
	:: else -> pick_members(B, X)
	fi
}

/* LEAVE (PROTOCOL 6): a member asks out and stays an acceptor, so a
 * LEAVE only widens the choice of later picks.  It is therefore sent
 * right before a pick (any earlier moment reaches no other state). */
inline maybe_leave()
{
	if
	:: inst < K && POP(leave) < MAXLEAVE ->
		t = 0;
		do
		:: t < N ->
			if
			:: IN(P, t) && !IN(leave, t) ->
				if
				:: leave = leave | BIT(t);
					printf("@ n%d LEAVE\n", t);
					break
				:: skip
				fi
			:: else -> skip
			fi;
			t++
		:: else -> break
		od
	:: else -> skip
	fi
}

/* Send ACCEPT(b, S).  A second value for one ballot is a protocol error
 * that only a planted bug reaches. */
inline send_accept(b, S)
{
	p = PID(b, 0);
	if
	:: pv[p - 1] != 0 && pv[p - 1] != S ->
		assert(NV == 2);        /* a ballot carries one value, ever */
		p++
	:: else -> skip
	fi;
	if
	:: S == FRESH -> S = TOKEN(p)
	:: else -> skip
	fi;
	if
	:: pv[p - 1] == 0 ->
		pv[p - 1] = S; asent = asent | BIT(p - 1);
		printf("@ E%d n%d ACCEPT b=(%d,%d) S=%d\n", inst, me,
		       (b - 1) / N, (b - 1) % N, S)
	:: else -> skip         /* sent already; or a third value (bounded) */
	fi
}

/* A PREPARE at or below every promise can change nothing any more:
 * dropping it merges states that differ only in dead messages. */
inline gc_prep()
{
	m = 255; t = 0;
	do
	:: t < N ->
		if
		:: IN(P, t) && prom[t] < m -> m = prom[t]
		:: else -> skip
		fi;
		t++
	:: else -> break
	od;
	prep = prep & ~(BIT(m) - 1);
	m = 0
}

proctype Node(byte me)
{
	byte b, p, a, S, c, m, t, u;

end:	do
	/* Trigger (step 1): start an attempt.  The attempt is persisted
	 * before the PREPARE or ACCEPT leaves (PROTOCOL 5).  (Attempt 0:
	 * the daemon keeps the mark in memory and every start writes it,
	 * which no later step can tell from this write.) */
	:: atomic {
		hi[me] < MAXA && started < BALLOTS ->
		a = hi[me];
		if :: a == 0 && !FASTOK(me) -> a = 1 :: else -> skip fi;
		if
		:: a < MAXA ->
			/* any higher attempt: jumping models the NACKs seen */
			do :: a + 1 < MAXA -> a++ :: break od;
			hi[me] = a + 1;
			started++;
			pf[me] = 0; pb[me] = 0;
			b = BAL(a, me);
			if
			:: a == 0 ->
				/* fast path (step 2): attempt 0 skips phase 1;
				 * S from its detector: itself and anyone */
				maybe_leave();
				pick_set(BIT(me), ALL);
				if
				:: S != 0 && S != P -> send_accept(b, S)
				:: else -> skip /* S = P commits nothing */
				fi
			:: else ->
				prep = prep | BIT(b - 1);
				printf("@ E%d n%d PREPARE b=(%d,%d)\n", inst, me, a, me)
			fi
		:: else -> skip
		fi;
		b = 0; p = 0; a = 0; S = 0; t = 0
	   }

	/* Choose (step 3): the PROMISEs received are from a quorum of P; the
	 * value is the accepted one of highest ballot among them, else a
	 * fresh S from responders and petitioners; then ACCEPT (step 4). */
	:: atomic {
		PHASE1(me) && QM(P, pf[me]) ->
		b = CURB(me);
		if
		:: pb[me] != 0 -> S = pv[pb[me] - 1]
		:: else -> maybe_leave(); pick_set(pf[me], ALL & ~P)
		fi;
		if
		:: S != 0 && S != P -> send_accept(b, S)
		:: else -> skip         /* S = P (or empty) commits nothing */
		fi;
		pf[me] = 0; pb[me] = 0; /* done with this ballot */
		b = 0; p = 0; S = 0; t = 0
	   }

	/* Prepare (step 2), acceptor side: a member of P takes any PREPARE
	 * above its promise, persists the promise, then sends PROMISE with
	 * its accepted proposal, which the coordinator gets or not. */
	:: atomic {
		IN(P, me) && (prep >> prom[me]) != 0 ->
		b = NB;
		do
		:: IN(prep, b - 1) && b > prom[me] ->
			if
			:: break
			:: ((prep & (BIT(b - 1) - 1)) >> prom[me]) != 0 -> b--
			fi
		:: else -> b--
		od;
		prom[me] = b;           /* persisted before the PROMISE leaves */
		c = (b - 1) % N;        /* its coordinator */
		printf("@ E%d n%d PROMISE b=(%d,%d) accepted pid %d\n", inst, me,
		       (b - 1) / N, c, apid[me]);
		if
		:: CURB(c) == b && PHASE1(c) ->
			if
			:: pf[c] = pf[c] | BIT(me);
#ifndef BUG_HIGHEST
				if
				:: apid[me] > pb[c] -> pb[c] = apid[me]
				:: else -> skip
				fi
#endif
			:: skip         /* lost, or late: the same */
			fi
		:: else -> skip
		fi;
		gc_prep();
		b = 0; c = 0; t = 0
	   }

	/* Accept (step 4): a member of P takes any ACCEPT whose ballot is not
	 * below its promise, persists it and sends ACCEPTED to everyone. */
	:: atomic {
		IN(P, me) &&
		((asent & ~(apid[me] == 0 -> 0 : BIT(apid[me] - 1))) >>
		 (prom[me] == 0 -> 0 : (prom[me] - 1) * NV)) != 0 ->
		/* any such ACCEPT, in any order (taking none is a stutter) */
		p = NP;
		do
		:: p == 0 -> break
		:: p > 0 && IN(asent, p - 1) && PBAL(p) >= prom[me] &&
		   p != apid[me] -> if :: break :: p-- fi
		:: else -> p--
		od;
		if
		:: p >= 1 ->
			accd[p - 1] = accd[p - 1] | BIT(me);
			printf("@ E%d n%d ACCEPTED pid %d b=(%d,%d) S=%d\n", inst, me,
			       p, (PBAL(p) - 1) / N, (PBAL(p) - 1) % N, pv[p - 1]);
#ifdef BUG_ACCEPT_NOPERSIST
			/* the write may be lost: a crash right after the
			 * ACCEPTED left */
			if
			:: printf("@ n%d crash: the accept was not persisted\n", me)
			:: prom[me] = PBAL(p); apid[me] = p
			fi;
#else
			prom[me] = PBAL(p); apid[me] = p;       /* one write */
#endif
			gc_prep();
			/* Chosen (step 5): a learner, member or not, sees
			 * ACCEPTED for p from a quorum of P */
			if
			:: QM(P, accd[p - 1] & P) -> S = pv[p - 1]; check_commit(S)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		p = 0; S = 0; t = 0; u = 0
	   }

	/* Crash and restart: the PROMISEs received are lost, what was
	 * persisted stays.  (Losing them reaches only states that losing the
	 * PROMISEs in the network reaches too.) */
#ifdef BUG_ATTEMPT_NOPERSIST
	:: atomic {
		pf[me] != 0 || hi[me] != 0 ->
		pf[me] = 0; pb[me] = 0;
		hi[me] = 0;     /* the bug: the attempt was not persisted */
		printf("@ n%d crash\n", me)
	   }
#else
	:: atomic {
		pf[me] != 0 ->
		pf[me] = 0; pb[me] = 0;
		printf("@ n%d crash\n", me)
	   }
#endif
	od
}

/* The next instance.  Steps of instances k and k+1 touch disjoint state
 * (a node is in one instance at a time; messages carry the instance), so
 * every run can be reordered to finish the steps of k first; and a node
 * that learned k late or never behaves like a node of k+1 that stays
 * silent.  So once (k, S) is committed every node may learn it here, in
 * one step that clears every slot (persist (k, S), member or not), and
 * the acceptors of k+1 are exactly the members of S: the quorum chain. */
active proctype Epochs()
{
	byte i;
end:	do
	:: atomic {
		inst < K && committed[inst] != 0 ->
		inst++;
		assert(P == committed[inst - 1]);       /* quorum chain */
		printf("@ every node learns epoch %d = %d\n", inst - 1, P);
		prep = 0; asent = 0; started = 0;
		i = 0;
		do
		:: i < NP -> pv[i] = 0; accd[i] = 0; i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < N -> prom[i] = 0; apid[i] = 0; hi[i] = 0;
			pf[i] = 0; pb[i] = 0; i++
		:: else -> break
		od;
		i = 0
	   }
	od
}

init {
	atomic {
		byte i;
		committed[0] = P0;
		i = 0;
		do
		:: i < N -> run Node(i); i++
		:: else -> break
		od;
		i = 0
	}
}
