/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * race.pml: the two-node cluster of docs/PROTOCOL.md 9 and 14.  Nodes p1 (id
 * 0) and p2 (id 1, the crown prince: priority = id) share a quorum device
 * D.  Epoch 0 is P0 = {p1, p2}.  An instance whose P has two members is
 * Paxos with acceptors {p1, p2, D}, any two of them a quorum, D being a
 * record changed by compare-and-set and tagged with its instance; an
 * instance whose P has one member needs that member.  S is never P, so
 * the epochs go two nodes, one, two, ...: with K = 3 the device serves
 * instances 1 and 3 and must keep them apart while a node lags behind.
 *
 * Messages between p1 and p2, and the requests to D (the network arbiter
 * is a backend too), are a set never emptied: lost, duplicated, reordered.
 * D takes any request at any time, any number of times.  Registrations and
 * fences are requests to D as well (PROTOCOL 14).
 *
 * Build: spin -a [-DK=4] [-DMAXA=3] [-DBUG_xxx] race.pml
 * Planted bugs (each must end in an assertion violation):
 *   BUG_CP_ALONE          the crown prince alone is a quorum of two
 *   BUG_HIGHEST           phase 2 ignores the accepted values in PROMISEs
 *   BUG_ACCEPT_NOPERSIST  a node's accept is answered, then lost in a crash
 *   BUG_SLOT_ANYRESET     D resets its slot on any other instance, lower too
 *   BUG_SLOT_UNTAGGED     D keeps one slot for every instance
 *   BUG_REG_NOREFUSE      D takes a registration below the node's fence
 *   BUG_FENCE_NOEPOCH     D takes a fence whatever its epoch
 * Reachability checks (each must end in a violation):
 *   SANITY_LAST           epoch K is committed
 *   SANITY_REFUSED        a lagging node learns from D's refusal
 *   SANITY_READMIT        a fenced node is registered again, later
 */

#ifndef K
#define K 3             /* instances: epochs 1..K (at most 4) */
#endif
#ifndef MAXA
#define MAXA 2          /* attempts per node per instance: 0..MAXA-1 */
#endif

#define N       2       /* p1, p2 */
#define D       2       /* the device's bit in a set of acceptors */
#define P0      3
#define NB      (MAXA * N)
#define BAL(a, c)       ((a) * N + (c) + 1)     /* (attempt, coordinator) */

#define BIT(i)          (1 << (i))
#define IN(m, i)        (((m) >> (i)) & 1)
#define POP(m)          (IN(m, 0) + IN(m, 1) + IN(m, 2))
#define CP(m)           ((m) & 2 -> 2 : (m))    /* crown prince, as a mask */
#define ABOVE(b)        (~(BIT(b) - 1))         /* ballots above b, as bits */
#define FROM(b)         ((b) == 0 -> 255 : ABOVE((b) - 1))  /* b and above */
#define NOT(b)          ((b) == 0 -> 255 : ~BIT((b) - 1))   /* all but b */

/* Q(P): |P| = 2 sharing D: any two of {p1, p2, D}; the crown prince alone
 * is never a quorum of two.  |P| = 1: {p}. */
#define ACC(P)          (POP(P) == 2 -> (P) | BIT(D) : (P))
#define QOK(P, A)       (POP(P) == 2 -> POP((A) & ACC(P)) >= 2 : \
                         ((A) & (P)) == (P))
#ifdef BUG_CP_ALONE
#define QM(P, A)        (QOK(P, A) || (POP(P) == 2 && ((A) & CP(P)) != 0))
#else
#define QM(P, A)        QOK(P, A)
#endif

/* ---- network, per instance i (index i-1): sets never emptied ---- */
byte    prep[K];        /* PREPARE(i, b): bit b-1 */
byte    pv[K * NB];     /* ACCEPT(i, b, S): S (one value per ballot) */
byte    asent[K];       /* bit b-1: that ACCEPT exists (a mirror of pv) */
byte    accd[K * NB];   /* ACCEPTED(i, b) from p1, p2, D (also the ghost
                         * record the checker recomputes quorums from) */
byte    qset[K];        /* ballots whose ACCEPTEDs make a quorum (QM) */
#define PV(i, b)        (((i) - 1) * NB + (b) - 1)

/* ---- per node: persisted ---- */
byte    kE[N];          /* known committed configuration (kE, kP) */
byte    kP[N];
byte    prom[N];        /* instance kE+1: promised ballot */
byte    ab[N];          /*   accepted ballot, 0 none */
byte    av[N];          /*   accepted value */
byte    hi[N];          /*   highest attempt used + 1, 0 = empty */
/* ---- per node: volatile, lost in a crash ---- */
byte    pf[N];          /* PROMISEs received for its current ballot: from */
byte    pbb[N];         /*   and the highest accepted (ballot, value) */
byte    pbv[N];

/* ---- the device D: one record, changed atomically under its lock ---- */
byte    dinst = 1;      /* the instance its slot is for */
byte    dprom;          /* promised ballot */
byte    dab;            /* accepted ballot, 0 none */
byte    dav;            /* accepted value */
byte    lastE;          /* last committed (E, S) it was told of */
byte    lastS = P0;
byte    regE[N];        /* registration epoch + 1, 0 = unregistered */
byte    fencedE[N];     /* epoch + 1 of the fence that last removed n */
byte    resE;           /* reservation: epoch and configuration */
byte    resS = P0;
byte    regq[N];        /* register(n, e) requests sent: bit e */
byte    fenceq[N];      /* fence(n, e) requests sent: bit e */

/* ---- ghost ---- */
byte    committed[K + 1];
/* Registrations and fences only read committed[] and the requests, which
 * only grow, and no Paxos step reads what they change; so every run can
 * be reordered to take them after all Paxos steps.  fencing = 1 is that
 * second part: Paxos state is dropped and the requests are delivered. */
bit     fencing;

/* phase 1: the node's latest ballot has a PREPARE out and no ACCEPT yet;
 * a PROMISE reaches it at once or never (late is the same as lost) */
#define CURB(n)         (hi[n] >= 2 -> BAL(hi[n] - 1, n) : 0)
#define PHASE1(n)       (CURB(n) != 0 && pv[PV(kE[n] + 1, CURB(n))] == 0)
#define FASTOK(n)       (hi[n] == 0 && BIT(n) == CP(kP[n]))

/* D is an acceptor of instance i if P (= committed[i-1]) has two nodes.
 * DP(i), DA(i): the PREPAREs and ACCEPTs of i that change D (PROTOCOL 9:
 * a lower instance is refused, a higher one resets the slot first, a
 * promise needs a ballot above D's, an accept one not below it). */
#define DACC(i)         (POP(committed[(i) - 1]) == 2)
#if defined(BUG_SLOT_UNTAGGED)
#define DP(i)   (DACC(i) -> prep[(i) - 1] & ABOVE(dprom) : 0)
#define DA(i)   (DACC(i) -> asent[(i) - 1] & FROM(dprom) : 0)
#elif defined(BUG_SLOT_ANYRESET)
#define DP(i)   (DACC(i) -> ((i) != dinst -> prep[(i) - 1] : \
                prep[(i) - 1] & ABOVE(dprom)) : 0)
#define DA(i)   (DACC(i) -> ((i) != dinst -> asent[(i) - 1] : \
                asent[(i) - 1] & FROM(dprom) & NOT(dab)) : 0)
#else
#define DP(i)   (DACC(i) && (i) >= dinst -> ((i) > dinst -> prep[(i) - 1] : \
                prep[(i) - 1] & ABOVE(dprom)) : 0)
#define DA(i)   (DACC(i) && (i) >= dinst -> ((i) > dinst -> asent[(i) - 1] : \
                asent[(i) - 1] & FROM(dprom) & NOT(dab)) : 0)
#endif
/* the same over every instance, for a guard (K is at most 4) */
#define OVERK(F)        (F(1) | (K >= 2 -> F(2) : 0) | (K >= 3 -> F(3) : 0) | \
                         (K >= 4 -> F(4) : 0))

/* register(n, e) is refused below the epoch of n's last fence */
#ifdef BUG_REG_NOREFUSE
#define REGOK(n, e)     1
#else
#define REGOK(n, e)     ((e) + 1 >= fencedE[n])
#endif

/* fence(d, e, S) succeeds if e is above the reservation epoch, or equal
 * with the same S, and d is not registered at e or later (else STALE) */
#ifdef BUG_FENCE_NOEPOCH
#define FENCEOK(d, e)   1
#else
#define FENCEOK(d, e)   (((e) > resE || ((e) == resE && committed[e] == resS)) \
                         && regE[d] < (e) + 1)
#endif

/* acceptor x printed as p1, p2 or D */
#define WHO(x)          (x == D -> 'D' : 'p'), (x == D -> ' ' : '1' + x)

/* b = any set bit of m (m != 0, a variable), counting from 1; top >= it */
inline pick_bit(m, b, top)
{
	b = top;
	do
	:: IN(m, b - 1) -> if :: break :: (m & (BIT(b - 1) - 1)) != 0 -> b-- fi
	:: else -> b--
	od
}

/* A PROMISE from acceptor x (a node or D) for ballot b of instance i,
 * reporting its accepted (rb, rv), to b's coordinator: at once or never. */
inline promise_to(i, b, x, rb, rv)
{
	c = (b - 1) % N;
	printf("@ E%d %c%c PROMISE b=(%d,%d) accepted b=%d S=%d\n", i, WHO(x),
	       (b - 1) / N, c, rb, rv);
	if
	:: kE[c] == i - 1 && CURB(c) == b && PHASE1(c) ->
		if
		:: pf[c] = pf[c] | BIT(x);
#ifndef BUG_HIGHEST
			if
			:: rb > pbb[c] -> pbb[c] = rb; pbv[c] = rv
			:: else -> skip
			fi
#endif
		:: skip
		fi
	:: else -> skip
	fi;
	c = 0
}

/* ACCEPTED(i, b) from x, for every learner (D's too: whoever wrote it,
 * or reads the record, passes it on; it is a fact either way) */
inline accepted(i, b, x)
{
	accd[PV(i, b)] = accd[PV(i, b)] | BIT(x);
	printf("@ E%d %c%c ACCEPTED b=(%d,%d) S=%d\n", i, WHO(x),
	       (b - 1) / N, (b - 1) % N, pv[PV(i, b)]);
	if
	:: QM(committed[i - 1], accd[PV(i, b)]) ->
		qset[i - 1] = qset[i - 1] | BIT(b - 1)
	:: else -> skip
	fi
}

/* ACCEPT(k, b, S): one value per ballot, the attempt being persisted */
inline send_accept(k, b, S)
{
	assert(pv[PV(k, b)] == 0);
	pv[PV(k, b)] = S; asent[k - 1] = asent[k - 1] | BIT(b - 1);
	printf("@ E%d p%d ACCEPT b=(%d,%d) S=%d\n", k, me + 1, (b - 1) / N, me, S)
}

/* S: any non-empty set but P (S = P commits nothing); which one the
 * detector and the LEAVE requests give is abstracted. */
inline pick_set()
{
	if
	:: S = 1
	:: S = 2
	:: S = 3
	fi
}

/* Fencing (PROTOCOL 14), after every change on D: a registration is of a
 * member of that epoch and newer than the fence that last removed the
 * node (a fenced node stays out until it is a member again). */
inline check_fencing()
{
#ifdef SANITY_READMIT
	assert(!(fencedE[0] != 0 && regE[0] > fencedE[0]) &&
	       !(fencedE[1] != 0 && regE[1] > fencedE[1]));
#endif
	assert(regE[0] == 0 ||
	       (IN(committed[regE[0] - 1], 0) && regE[0] > fencedE[0]));
	assert(regE[1] == 0 ||
	       (IN(committed[regE[1] - 1], 1) && regE[1] > fencedE[1]))
}

/* Once both nodes are past instance i, its messages can only reach D,
 * which refuses them or changes a slot that the next instance resets
 * before anyone reads it; so with a correct D they are dropped, and a
 * slot no node can use is set back to the first one.  (The device bugs
 * keep everything: there the stale messages are the point.) */
inline gc_instances()
{
#if !defined(BUG_SLOT_ANYRESET) && !defined(BUG_SLOT_UNTAGGED)
	t = (kE[0] < kE[1] -> kE[0] : kE[1]);   /* both are past 1..t */
	u = 1;
	do
	:: u <= t ->
		prep[u - 1] = 0; asent[u - 1] = 0; qset[u - 1] = 0;
		c = 1;
		do
		:: c <= NB -> pv[PV(u, c)] = 0; accd[PV(u, c)] = 0; c++
		:: else -> break
		od;
		u++
	:: else -> break
	od;
	if
	:: dinst <= t ->
		dinst = 1; dprom = 0; dab = 0; dav = 0; lastE = 0; lastS = P0
	:: else -> skip
	fi;
	c = 0
#else
	skip
#endif
}

/* me takes (k, S) as committed: the assertions, then persist it, member
 * or not, clearing the slot; a member then fences the departed partner
 * and registers (steps 6-7: requests to D, delivered later or never). */
inline commit(k, S)
{
	/* agreement: at most one configuration per epoch */
	assert(committed[k] == 0 || committed[k] == S);
	/* chosen before committed, recomputed with the correct rule */
	t = 1; u = 0;
	do
	:: t <= NB ->
		if
		:: pv[PV(k, t)] == S && QOK(committed[k - 1], accd[PV(k, t)]) ->
			u = 1
		:: else -> skip
		fi;
		t++
	:: else -> break
	od;
	assert(u == 1);
#ifdef SANITY_LAST
	assert(k < K);
#endif
	committed[k] = S;
	printf("@ E%d p%d commits S=%d\n", k, me + 1, S);
	kE[me] = k; kP[me] = S;
	prom[me] = 0; ab[me] = 0; av[me] = 0; hi[me] = 0;
	pf[me] = 0; pbb[me] = 0; pbv[me] = 0;
	if
	:: IN(S, me) ->
		if
		:: !IN(S, 1 - me) -> fenceq[1 - me] = fenceq[1 - me] | BIT(k)
		:: else -> skip
		fi;
		regq[me] = regq[me] | BIT(k)
	:: else -> skip
	fi;
	gc_instances();
	t = 0; u = 0
}

proctype Node(byte me)
{
	byte k, P, b, a, S, c, m, t, u;

end:	do
	/* Trigger (step 1): a new attempt, persisted before it is used */
	:: atomic {
		!fencing && kE[me] < K && hi[me] < MAXA ->
		k = kE[me] + 1; P = kP[me];
		a = hi[me];
		if :: a == 0 && !FASTOK(me) -> a = 1 :: else -> skip fi;
		if
		:: a < MAXA ->
			do :: a + 1 < MAXA -> a++ :: break od;
			hi[me] = a + 1;
			pf[me] = 0; pbb[me] = 0; pbv[me] = 0;
			b = BAL(a, me);
			if
			:: a == 0 ->
				/* fast path: the crown prince's attempt 0 skips
				 * phase 1; the ACCEPT goes to p1, p2 and D */
				pick_set();
				if
				:: S != P -> send_accept(k, b, S)
				:: else -> skip
				fi
			:: else ->
				prep[k - 1] = prep[k - 1] | BIT(b - 1);
				printf("@ E%d p%d PREPARE b=(%d,%d)\n", k, me + 1, a, me)
			fi
		:: else -> skip
		fi;
		k = 0; P = 0; b = 0; a = 0; S = 0
	   }

	/* Choose (step 3): PROMISEs from a quorum; the accepted value of
	 * highest ballot among them, else a fresh S; then ACCEPT (step 4) */
	:: atomic {
		!fencing && kE[me] < K && PHASE1(me) && QM(kP[me], pf[me]) ->
		k = kE[me] + 1; P = kP[me]; b = CURB(me);
		if
		:: pbb[me] != 0 -> S = pbv[me]
		:: else -> pick_set()
		fi;
		if
		:: S != P -> send_accept(k, b, S)
		:: else -> skip
		fi;
		pf[me] = 0; pbb[me] = 0; pbv[me] = 0;
		k = 0; P = 0; b = 0; S = 0
	   }

	/* PREPARE, acceptor side: any PREPARE above the promise */
	:: atomic {
		!fencing && kE[me] < K && IN(kP[me], me) &&
		(prep[kE[me]] & ABOVE(prom[me])) != 0 ->
		k = kE[me] + 1;
		assert(kP[me] == committed[k - 1]);     /* quorum chain */
		m = prep[k - 1] & ABOVE(prom[me]);
		pick_bit(m, b, NB);
		prom[me] = b;           /* persisted before the PROMISE leaves */
		promise_to(k, b, me, ab[me], av[me]);
		k = 0; b = 0; m = 0
	   }

	/* ACCEPT, acceptor side: any ACCEPT not below the promise */
	:: atomic {
		!fencing && kE[me] < K && IN(kP[me], me) &&
		(asent[kE[me]] & FROM(prom[me]) & NOT(ab[me])) != 0 ->
		k = kE[me] + 1;
		assert(kP[me] == committed[k - 1]);     /* quorum chain */
		m = asent[k - 1] & FROM(prom[me]) & NOT(ab[me]);
		pick_bit(m, b, NB);
#ifdef BUG_ACCEPT_NOPERSIST
		if
		:: printf("@ p%d crash: the accept was not persisted\n", me + 1)
		:: prom[me] = b; ab[me] = b; av[me] = pv[PV(k, b)]
		fi;
#else
		prom[me] = b; ab[me] = b; av[me] = pv[PV(k, b)];       /* one write */
#endif
		accepted(k, b, me);
		k = 0; b = 0; m = 0
	   }

	/* Chosen (step 5): ACCEPTED from a quorum, all at one ballot */
	:: atomic {
		!fencing && kE[me] < K && qset[kE[me]] != 0 ->
		k = kE[me] + 1;
		m = qset[k - 1];
		pick_bit(m, b, NB);
		if
		:: QM(kP[me], accd[PV(k, b)]) ->
			assert(kP[me] == committed[k - 1]);     /* quorum chain */
			S = pv[PV(k, b)];
			commit(k, S)
		:: else -> skip
		fi;
		k = 0; b = 0; S = 0; m = 0
	   }

	/* COMMIT from the partner: only committed configurations */
	:: atomic {
		!fencing && kE[me] < K && committed[kE[me] + 1] != 0 ->
		k = kE[me] + 1;
		do
		:: k < K && committed[k + 1] != 0 -> k++
		:: break
		od;
		S = committed[k];
		commit(k, S);
		k = 0; S = 0
	   }

	/* A request to D for an instance below D's is refused with D's last
	 * committed (E, S): the lagging node learns what it missed. */
	:: atomic {
		!fencing && kE[me] < lastE && kE[me] + 1 < dinst ->
		assert(lastS == committed[lastE]);      /* D tells only commits */
#ifdef SANITY_REFUSED
		assert(false);
#endif
		printf("@ p%d refused by D (at E%d): learns E%d\n", me + 1,
		       dinst, lastE);
		k = lastE; S = lastS;
		commit(k, S);
		k = 0; S = 0
	   }

	/* crash and restart: the PROMISEs received are lost */
	:: atomic {
		!fencing && pf[me] != 0 ->
		pf[me] = 0; pbb[me] = 0; pbv[me] = 0;
		printf("@ p%d crash\n", me + 1)
	   }
	od
}

/* D changes its slot for instance i by compare-and-set (PROTOCOL 9) */
inline slot_for(i)
{
#if defined(BUG_SLOT_UNTAGGED)
	skip                            /* one slot for every instance */
#else
	if
	:: i != dinst ->
		/* only a higher instance, but for BUG_SLOT_ANYRESET (DP, DA):
		 * its caller committed (i-1, P), as its header says */
		dinst = i; dprom = 0; dab = 0; dav = 0;
		lastE = i - 1; lastS = committed[i - 1];
		printf("@ D slot reset for E%d\n", i)
	:: else -> skip
	fi
#endif
}

active proctype Device()
{
	byte i, b, c, m, n, e;

end:	do
	/* PREPARE(i, b) reaches D: it promises b (after a reset, if i is
	 * higher) and answers with its accepted (ballot, value) */
	:: atomic {
		!fencing && OVERK(DP) != 0 ->
		m = 0; i = 1;
		do
		:: i <= K -> if :: DP(i) != 0 -> m = m | BIT(i - 1) :: else -> skip fi; i++
		:: else -> break
		od;
		pick_bit(m, i, K);
		m = DP(i);
		pick_bit(m, b, NB);
		slot_for(i);
		dprom = b;
		promise_to(i, b, D, dab, dav);
		i = 0; b = 0; m = 0
	   }

	/* ACCEPT(i, b, S) reaches D: promised = accepted = b, in one write */
	:: atomic {
		!fencing && OVERK(DA) != 0 ->
		m = 0; i = 1;
		do
		:: i <= K -> if :: DA(i) != 0 -> m = m | BIT(i - 1) :: else -> skip fi; i++
		:: else -> break
		od;
		pick_bit(m, i, K);
		m = DA(i);
		pick_bit(m, b, NB);
		slot_for(i);
		dprom = b; dab = b; dav = pv[PV(i, b)];
		accepted(i, b, D);
		i = 0; b = 0; m = 0
	   }

	/* register(n, e): refused below the epoch of n's last fence; raises
	 * the reservation to (e, S of e) */
	:: atomic {
		fencing && (regq[0] | regq[1]) != 0 ->
		if :: regq[0] != 0 -> n = 0 :: regq[1] != 0 -> n = 1 fi;
		m = regq[n];
		pick_bit(m, e, K + 1);
		e--;
		if
		:: REGOK(n, e) && regE[n] != e + 1 ->
			regE[n] = e + 1;
			printf("@ D: p%d registered at epoch %d\n", n + 1, e);
			if
			:: e > resE -> resE = e; resS = committed[e]
			:: else -> skip
			fi;
			check_fencing()
		:: else -> skip         /* refused, or nothing new */
		fi;
		n = 0; e = 0; m = 0
	   }

	/* fence(d, e, S) by a member of S = committed[e] */
	:: atomic {
		fencing && (fenceq[0] | fenceq[1]) != 0 ->
		if :: fenceq[0] != 0 -> n = 0 :: fenceq[1] != 0 -> n = 1 fi;
		m = fenceq[n];
		pick_bit(m, e, K + 1);
		e--;
		if
		:: FENCEOK(n, e) && fencedE[n] != e + 1 ->
			/* a late fence never removes a newer registration */
			assert(regE[n] < e + 1);
			printf("@ D: p%d fenced at epoch %d\n", n + 1, e);
			regE[n] = 0; fencedE[n] = e + 1;
			resE = e; resS = committed[e];
			check_fencing()
		:: else -> skip         /* STALE or CONFLICT: no change */
		fi;
		n = 0; e = 0; m = 0
	   }

	/* the second part: deliver registrations and fences (see fencing) */
	:: atomic {
		!fencing &&
		(fenceq[0] | fenceq[1] | (regq[0] & ~1) | (regq[1] & ~1)) != 0 ->
		fencing = 1;
		printf("@ registrations and fences are delivered\n");
		i = 0;
		do
		:: i < K * NB -> pv[i] = 0; accd[i] = 0; i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < K -> prep[i] = 0; asent[i] = 0; qset[i] = 0; i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < N ->
			kE[i] = 0; kP[i] = 0; prom[i] = 0; ab[i] = 0; av[i] = 0;
			hi[i] = 0; pf[i] = 0; pbb[i] = 0; pbv[i] = 0; i++
		:: else -> break
		od;
		dinst = 0; dprom = 0; dab = 0; dav = 0; lastE = 0; lastS = 0;
		i = 0
	   }
	od
}

init {
	atomic {
		committed[0] = P0;
		kP[0] = P0; kP[1] = P0;
		regE[0] = 1; regE[1] = 1;       /* both registered at epoch 0, */
		regq[0] = 1; regq[1] = 1;       /* and those requests may come
		                                 * again, late */
		run Node(0); run Node(1)
	}
}
