/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * core_int: the core's private state, shared by core.c (lifecycle, packets,
 * failure detector, introspection) and core_round.c (the reconfiguration
 * round).  Nothing outside src/core*.c includes this.
 */
#ifndef CMM_CORE_INT_H
#define CMM_CORE_INT_H

#include "core.h"
#include "rng.h"

#define CORE_NEVER	INT64_MAX

struct core_peer {
	int64_t		last_heard;	/* -1: never */
	bool		alive;
	uint32_t	incarnation;
	uint32_t	epoch;		/* its committed epoch, as reported */
	uint8_t		flags;		/* CMM_MSGF_* of its last message */
	struct cmm_set	row;		/* peers it holds alive */
	/* round data, valid while the peer is in the round's presence /
	 * proposed sets */
	struct cmm_set	pvec;		/* PRESENCE: whom it heard this round */
	struct cmm_set	prop_vec;	/* PROPOSE: its vector */
	struct cmm_set	prop_leavers;	/* PROPOSE: leavers it counted */
	bool		prop_adopt;	/* PROPOSE: an adoption (CMM_MSGF_ADOPT) */
	/* its last persisted proposal, from any message */
	uint32_t	lp_epoch, lp_attempt;
	struct cmm_set	lp;
	/* LEAVE received */
	bool		left;
	struct cmm_set	leave_vec;
};

struct core_round {
	enum cmm_phase	phase;
	uint32_t	T, a;
	int64_t		deadline;	/* of the current phase */
	int64_t		backoff_until;
	int64_t		min_end;	/* presence lasts at least until then */
	uint32_t	prev_epoch;
	struct cmm_set	prev;		/* P */
	struct cmm_set	presence;	/* self + PRESENCE/PROPOSE senders */
	struct cmm_set	proposed;	/* self + PROPOSE senders */
	struct cmm_set	expected;	/* snapshot for display */
	struct cmm_set	next;
	struct cmm_set	leavers;	/* leavers counted as votes, or when
					 * adopting, the set adopted */
	bool		adopting;	/* proposal recovery: adopt `leavers` */
	struct cmm_set	differ;
	struct cmm_set	compared;	/* proposals already compared */
	struct cmm_set	unseen;		/* left out of some participant's row */
	struct cmm_qdecision dec;
	bool		have_dec;
	/* pending device work */
	uint32_t	race_req;
	int		fences_pending;
	bool		fence_failed;
	uint32_t	fence_base;	/* request ids [fence_base, fence_base+n) */
	int		fence_total;
	/* what the fence phase commits */
	uint32_t	commit_T;
	struct cmm_set	commit_S;
	bool		commit_adopt;	/* adoption: no decision of our own */
	bool		round_after;	/* start T+1 after committing */
	char		outcome[160];
};

struct cmm_core {
	const struct cmm_core_cfg *cfg;
	int		self;
	struct cmm_sink	sink;
	struct cmm_rng	rng;
	int		npeers;		/* max configured id + 1 */
	struct core_peer *peers;

	struct cmm_persist disk;	/* what we last persisted */
	bool		started;
	int64_t		now;
	int64_t		start_time;
	int64_t		listen_until;	/* first round waits to hear peers */
	bool		first_round_done;

	/* committed configuration */
	uint32_t	epoch;
	struct cmm_set	members;
	bool		member;
	int64_t		last_commit_time;
	/* highest committed configuration known (own or heard) */
	uint32_t	best_epoch;
	struct cmm_set	best;

	bool		lost_quorum;
	bool		isolated;
	bool		leaving;
	bool		stopped;
	int		leave_sends;
	enum cmm_state	state;

	struct cmm_set	alive;		/* self + peers alive */
	struct cmm_set	leavers;	/* peers whose LEAVE is in force */
	struct cmm_set	heard;		/* peers heard since start */
	int64_t		next_hb;
	int64_t		next_expiry;	/* earliest detector change */
	int64_t		next_join;	/* non-member's next own round */
	bool		retrigger;	/* a trigger came while a round ran */
	uint32_t	failed_T;	/* the epoch of the last failed attempt */
	uint32_t	hint_T, hint_a;	/* peers are past attempts < hint_a of T */

	struct core_round r;

	/* prompt */
	struct cmm_prompt prompt;
	bool		prompt_open;

	/* convergence: petitions from these do not restart rounds while
	 * the connectivity rows stay as they were */
	struct cmm_set	excluded;
	uint64_t	excluded_hash;
	uint64_t	rows_version;	/* see core_rows_hash() */
	int64_t		excluded_until;

	uint32_t	next_req;
	struct cmm_qdecision last_dec;
	bool		have_last_dec;
	char		text[256];
};

/* core.c */
void	core_log(struct cmm_core *c, enum cmm_log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	core_event(struct cmm_core *c, struct cmm_event *ev, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	core_event_init(struct cmm_core *c, struct cmm_event *ev,
	    enum cmm_event_type type);
int	core_persist(struct cmm_core *c);
void	core_send(struct cmm_core *c, const struct cmm_set *to, int type);
void	core_send_to(struct cmm_core *c, int id, int type);
void	core_device(struct cmm_core *c, struct cmm_devreq *req);
void	core_prompt_open(struct cmm_core *c, enum cmm_prompt_kind kind,
	    const int choice[2], const char *why);
void	core_prompt_close(struct cmm_core *c, const char *why);
void	core_sync_state(struct cmm_core *c);
bool	core_is_leaver(const struct cmm_core *c, int id);
uint64_t core_rows_hash(const struct cmm_core *c);
bool	core_still_excluded(const struct cmm_core *c, int id);
void	core_learn_best(struct cmm_core *c, uint32_t epoch, const struct cmm_set *m);
void	core_drop_membership(struct cmm_core *c, const char *why);
void	core_petition(struct cmm_core *c, int id, const char *why);
void	core_fail_stop(struct cmm_core *c, const char *why);

/* core_round.c */
void	round_trigger(struct cmm_core *c, const char *why);
void	round_start(struct cmm_core *c, uint32_t T, uint32_t a, const char *why);
void	round_on_msg(struct cmm_core *c, const struct cmm_msg *m);
void	round_on_tick(struct cmm_core *c);
void	round_on_detector(struct cmm_core *c);
void	round_on_heartbeat(struct cmm_core *c, const struct cmm_msg *m);
void	round_on_device(struct cmm_core *c, uint32_t id, bool ok);
void	round_answer(struct cmm_core *c, bool proceed, bool isolated);
void	round_abandon(struct cmm_core *c, const char *why);
bool	round_active(const struct cmm_core *c);
int64_t	round_deadline(const struct cmm_core *c);
void	round_check_stale(struct cmm_core *c);
void	round_adopt_best(struct cmm_core *c);

/* core_converge.c */
void	round_converge(struct cmm_core *c, struct cmm_set *set);
bool	round_recover(const struct cmm_core *c, struct cmm_set *out);

#endif
