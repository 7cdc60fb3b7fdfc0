/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics: what a monitoring system scrapes from a node, in the Prometheus
 * text exposition format (version 0.0.4): `cmm ctl metrics` prints it
 * (for node_exporter's textfile collector) and `metrics_listen` serves it
 * over HTTP (src/node/metrics_http.c).  cmm(1), "METRICS", lists every
 * name.
 *
 * Gauges come from the daemon's snapshots at the moment of the scrape
 * (src/node/daemon.h); counters of things that happen (rounds, commits,
 * fences, prompts, log lines) are kept here from the daemon's notes,
 * since this process started.  The counters belong to the daemon, which
 * creates them with cmm_metrics_new before its loop runs.
 */
#ifndef CMM_METRICS_H
#define CMM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "src/core/core.h"

struct cmm_daemon;
struct cmm_metrics;

/* How a round this node coordinated ended (cmm_round_outcomes_total's
 * "outcome" label). */
enum cmm_round_outcome {
	CMM_RO_CHOSEN = 0,	/* chosen: a new configuration */
	CMM_RO_ELSEWHERE,	/* decided elsewhere: another coordinator's */
	CMM_RO_NO_CHANGE,	/* agreed: no change */
	CMM_RO_WAITING,		/* waiting for a majority of the configured */
	CMM_RO_NOBODY,		/* nobody left to form a configuration */
	CMM_RO_ISOLATED,	/* isolated: staying out */
	CMM_RO_FAILED,		/* failed: no quorum, a race lost */
	CMM_RO_ABORTED,
	CMM_RO_ABANDONED,
	CMM_RO_SUPERSEDED,	/* a higher ballot is at work */
	CMM_RO_OTHER,		/* an outcome this table does not know */
	CMM_RO__COUNT
};

struct cmm_metrics_counts {
	int64_t		start_wall_ms;	/* CLOCK_REALTIME at creation */
	uint64_t	events[CMM_EV__COUNT];	/* by enum cmm_event_type */
	uint64_t	fences;		/* FENCE events that fenced */
	uint64_t	not_fenced;	/* FENCE events saying nobody could */
	/* SUSPECT events: [0] a port-unreachable came here, [1] a peer
	 * reported one; FAILURE events confirmed by probes */
	uint64_t	suspicions[2];
	uint64_t	fast_failures;
	uint64_t	rounds_started;
	uint64_t	round_outcomes[CMM_RO__COUNT];
	uint64_t	prompts[3];	/* by enum cmm_prompt_kind (NONE unused) */
	uint64_t	log_lines[CMM_LOG_DEBUG + 1];	/* by level */
};

/* Registers a note listener on d.  NULL when memory runs out or d has no
 * room for another listener. */
struct cmm_metrics *cmm_metrics_new(struct cmm_daemon *d);
void	cmm_metrics_free(struct cmm_metrics *m);
void	cmm_metrics_counts(const struct cmm_metrics *m,
	    struct cmm_metrics_counts *out);

/* The outcome named by a round event's text, "round (E,A) WHAT", or by
 * its WHAT alone. */
enum cmm_round_outcome cmm_round_outcome_of(const char *text);
/* "chosen", "decided_elsewhere", ... */
const char *cmm_round_outcome_name(enum cmm_round_outcome o);

/* The exposition of node d now: malloc'd, NUL-terminated, its length in
 * *len (may be NULL).  NULL when memory runs out. */
char	*cmm_metrics_text(struct cmm_daemon *d, size_t *len);

#endif
