/* SPDX-License-Identifier: GPL-3.0-or-later */
/* metrics: the counters and the Prometheus text exposition (see metrics.h). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/node/config.h"
#include "src/node/daemon.h"
#include "src/node/metrics.h"

struct cmm_metrics {
	struct cmm_daemon		*d;
	struct cmm_metrics_counts	c;
};

static const char *const outcome_names[CMM_RO__COUNT] = {
	[CMM_RO_CHOSEN] = "chosen",
	[CMM_RO_ELSEWHERE] = "decided_elsewhere",
	[CMM_RO_NO_CHANGE] = "no_change",
	[CMM_RO_WAITING] = "waiting_for_majority",
	[CMM_RO_NOBODY] = "nobody_left",
	[CMM_RO_ISOLATED] = "isolated",
	[CMM_RO_FAILED] = "failed",
	[CMM_RO_ABORTED] = "aborted",
	[CMM_RO_ABANDONED] = "abandoned",
	[CMM_RO_SUPERSEDED] = "superseded",
	[CMM_RO_OTHER] = "other",
};

const char *
cmm_round_outcome_name(enum cmm_round_outcome o)
{
	return (unsigned)o < CMM_RO__COUNT ? outcome_names[o] : "other";
}

/* The outcome lines of src/core (core_round_end's prefixes and reasons),
 * matched on their start. */
enum cmm_round_outcome
cmm_round_outcome_of(const char *text)
{
	static const struct {
		const char		*start;
		enum cmm_round_outcome	o;
	} table[] = {
		{ "chosen: ", CMM_RO_CHOSEN },
		{ "decided elsewhere: ", CMM_RO_ELSEWHERE },
		{ "agreed: no change", CMM_RO_NO_CHANGE },
		{ "waiting for a majority", CMM_RO_WAITING },
		{ "nobody is left", CMM_RO_NOBODY },
		{ "isolated: ", CMM_RO_ISOLATED },
		{ "failed: ", CMM_RO_FAILED },
		{ "aborted: ", CMM_RO_ABORTED },
		{ "abandoned: ", CMM_RO_ABANDONED },
		{ "superseded: ", CMM_RO_SUPERSEDED },
	};
	const char *p;

	if (text == NULL)
		return CMM_RO_OTHER;
	/* "round (E,A) WHAT": skip to WHAT */
	if (strncmp(text, "round (", 7) == 0 && (p = strstr(text, ") ")) != NULL)
		text = p + 2;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strncmp(text, table[i].start, strlen(table[i].start)) == 0)
			return table[i].o;
	return CMM_RO_OTHER;
}

/* A round event is a start ("round (E,A) started (why)"), progress
 * (still active: "proposing {..}") or its end (no longer active). */
static void
metrics_round(struct cmm_metrics *m, const struct cmm_event *e)
{
	struct cmm_round_snap r;
	const char *what = e->text != NULL ? strstr(e->text, ") ") : NULL;

	cmm_daemon_round(m->d, &r);
	if (r.ri.active) {
		if (what != NULL && strncmp(what + 2, "started", 7) == 0)
			m->c.rounds_started++;
		return;
	}
	m->c.round_outcomes[cmm_round_outcome_of(e->text)]++;
}

static void
metrics_on_note(void *ctx, const struct cmm_note *n)
{
	struct cmm_metrics *m = ctx;

	switch (n->type) {
	case CMM_NOTE_EVENT: {
		const struct cmm_event *e = n->fx->u.event;

		if ((unsigned)e->type < CMM_EV__COUNT)
			m->c.events[e->type]++;
		if (e->type == CMM_EV_ROUND)
			metrics_round(m, e);
		/* a departed node that shares no device is announced as a
		 * FENCE event too, but nothing fenced it */
		if (e->type == CMM_EV_FENCE && e->unfenced)
			m->c.not_fenced++;
		else if (e->type == CMM_EV_FENCE)
			m->c.fences++;
		if (e->type == CMM_EV_SUSPECT)
			m->c.suspicions[e->reporter >= 0]++;
		if (e->type == CMM_EV_FAILURE && e->fast)
			m->c.fast_failures++;
		break;
	}
	case CMM_NOTE_PROMPT: {
		enum cmm_prompt_kind k = n->fx->u.prompt->kind;

		if (k != CMM_PROMPT_NONE && (unsigned)k < 3)
			m->c.prompts[k]++;
		break;
	}
	case CMM_NOTE_LOG:
		if ((unsigned)n->level <= CMM_LOG_DEBUG)
			m->c.log_lines[n->level]++;
		break;
	default:
		break;
	}
}

struct cmm_metrics *
cmm_metrics_new(struct cmm_daemon *d)
{
	struct cmm_metrics *m = calloc(1, sizeof(*m));
	struct timespec ts;

	if (m == NULL)
		return NULL;
	m->d = d;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->c.start_wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (cmm_daemon_listen(d, metrics_on_note, m) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void
cmm_metrics_free(struct cmm_metrics *m)
{
	if (m == NULL)
		return;
	cmm_daemon_unlisten(m->d, metrics_on_note, m);
	free(m);
}

void
cmm_metrics_counts(const struct cmm_metrics *m, struct cmm_metrics_counts *out)
{
	if (m == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = m->c;
}

/* ---- the text exposition ---- */

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
gauge(FILE *f, const char *name, const char *help, long long v)
{
	head(f, name, "gauge", help);
	fprintf(f, "%s %lld\n", name, v);
}

static void
counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

/* Milliseconds as seconds, exactly: "0.25", "12.003". */
static void
put_seconds(FILE *f, int64_t ms)
{
	fprintf(f, "%s%lld.%03lld", ms < 0 ? "-" : "",
	    (long long)(ms < 0 ? -ms : ms) / 1000,
	    (long long)(ms < 0 ? -ms : ms) % 1000);
}

static void
render_node(FILE *f, struct cmm_daemon *d, const struct cmm_status_snap *s)
{
	const struct cmm_core_status *st = &s->st;
	const struct cmm_config *cfg = cmm_daemon_config(d);
	bool quorate = st->member && (st->state == CMM_ST_MEMBER ||
	    st->state == CMM_ST_RECONFIGURING);
	char hex[2 * CMM_DIGEST_LEN + 1] = "";

	if (s->digest != NULL)
		cmm_digest_hex(s->digest, hex);
	head(f, "cmm_info", "gauge", "Always 1; the labels name the cluster, "
	    "this node and its config digest.");
	fprintf(f, "cmm_info{cluster=\"");
	put_label(f, s->cluster != NULL ? s->cluster : "");
	fprintf(f, "\",node=\"%d\",config_digest=\"%s\",config_version=\"%"
	    PRIu32 "\"} 1\n", cmm_daemon_self(d), hex,
	    cfg->core.config_version);
	gauge(f, "cmm_quorate", "1 when this node is a member of a committed "
	    "configuration that holds quorum (not while awaiting the "
	    "operator).", quorate);
	gauge(f, "cmm_epoch", "The epoch of the configuration this node knows "
	    "as committed (0: none).", st->epoch);
	gauge(f, "cmm_members", "Members of that configuration.",
	    cmm_set_count(&st->members));
	gauge(f, "cmm_configured_nodes", "Nodes in the config file.",
	    cmm_set_count(&cfg->core.configured));
	gauge(f, "cmm_alive_nodes", "Nodes the failure detector holds alive, "
	    "this one included.", cmm_set_count(&st->alive));
	head(f, "cmm_state", "gauge", "The node's state: 1 for the current one, "
	    "0 for the others.");
	for (int i = 0; i < CMM_ST__COUNT; i++)
		fprintf(f, "cmm_state{state=\"%s\"} %d\n",
		    cmm_state_name((enum cmm_state)i), (int)st->state == i);
	gauge(f, "cmm_prompt_open", "1 while a question to the operator is "
	    "open.", st->prompt != CMM_PROMPT_NONE);
	gauge(f, "cmm_incarnation", "This run's incarnation number.",
	    st->incarnation);
}

static void
render_counts(FILE *f, const struct cmm_metrics_counts *c)
{
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	static const char *const kinds[] = { NULL, "isolation", "winner" };

	head(f, "cmm_start_time_seconds", "gauge", "When this process started, "
	    "in seconds since the Unix epoch.");
	fputs("cmm_start_time_seconds ", f);
	put_seconds(f, c->start_wall_ms);
	fputc('\n', f);
	counter(f, "cmm_rounds_started_total", "Reconfiguration rounds this "
	    "node started as coordinator.", c->rounds_started);
	head(f, "cmm_round_outcomes_total", "counter", "Rounds this node "
	    "coordinated, by how they ended.");
	for (int i = 0; i < CMM_RO__COUNT; i++)
		fprintf(f, "cmm_round_outcomes_total{outcome=\"%s\"} %" PRIu64
		    "\n", outcome_names[i], c->round_outcomes[i]);
	counter(f, "cmm_commits_total", "Configurations holding this node "
	    "that it committed.", c->events[CMM_EV_COMMIT]);
	counter(f, "cmm_fences_total", "Fence events: departed nodes fenced "
	    "off the quorum devices.", c->fences);
	counter(f, "cmm_not_fenced_total", "Departed nodes that share no "
	    "quorum device with a member: nothing fenced them.",
	    c->not_fenced);
	head(f, "cmm_suspicions_total", "counter", "Peers made suspect "
	    "(fast_fail), by cause: a port-unreachable that came here, or "
	    "one a peer reported.");
	fprintf(f, "cmm_suspicions_total{cause=\"unreachable\"} %" PRIu64
	    "\n", c->suspicions[0]);
	fprintf(f, "cmm_suspicions_total{cause=\"reported\"} %" PRIu64 "\n",
	    c->suspicions[1]);
	counter(f, "cmm_fast_failures_total", "Peers failed by unanswered "
	    "probes after a port-unreachable, not by the failure timeout.",
	    c->fast_failures);
	head(f, "cmm_prompts_total", "counter", "Questions opened to the "
	    "operator, by kind.");
	for (int k = 1; k <= 2; k++)
		fprintf(f, "cmm_prompts_total{kind=\"%s\"} %" PRIu64 "\n",
		    kinds[k], c->prompts[k]);
	head(f, "cmm_events_total", "counter", "Events of the protocol core, "
	    "by type (as in watch).");
	for (int t = 1; t < CMM_EV__COUNT; t++)
		fprintf(f, "cmm_events_total{type=\"%s\"} %" PRIu64 "\n",
		    cmm_event_type_name((enum cmm_event_type)t), c->events[t]);
	head(f, "cmm_log_lines_total", "counter", "Lines logged, by level "
	    "(counted whatever the log level lets through).");
	for (int l = 0; l <= CMM_LOG_DEBUG; l++)
		fprintf(f, "cmm_log_lines_total{level=\"%s\"} %" PRIu64 "\n",
		    levels[l], c->log_lines[l]);
}

static void
render_wire(FILE *f, const struct cmm_wire_stats *w)
{
	counter(f, "cmm_datagrams_received_total", "Datagrams received on the "
	    "UDP socket, dropped ones included.", w->rx);
	counter(f, "cmm_datagrams_sent_total", "Datagrams sent.", w->tx);
	counter(f, "cmm_send_errors_total", "Sends the kernel refused.",
	    w->tx_errors);
	head(f, "cmm_datagrams_dropped_total", "counter", "Datagrams dropped, "
	    "by reason: the packet layer's checks, the kernel's receive "
	    "buffer (overflow), fault injection (link_cut).");
	for (int i = 1; i < CMM_DROP__COUNT; i++)
		fprintf(f, "cmm_datagrams_dropped_total{reason=\"%s\"} %" PRIu64
		    "\n", cmm_drop_name((enum cmm_drop)i), w->drops[i]);
	fprintf(f, "cmm_datagrams_dropped_total{reason=\"overflow\"} %" PRIu64
	    "\n", w->overflow);
	fprintf(f, "cmm_datagrams_dropped_total{reason=\"link_cut\"} %" PRIu64
	    "\n", w->cut_in + w->cut_out);
	head(f, "cmm_unreachable_total", "counter", "Port-unreachables for "
	    "datagrams this node sent (fast_fail), by destination: a "
	    "configured node's address, or another (ignored).");
	fprintf(f, "cmm_unreachable_total{to=\"node\"} %" PRIu64 "\n",
	    w->unreachable);
	fprintf(f, "cmm_unreachable_total{to=\"unknown\"} %" PRIu64 "\n",
	    w->unreachable_unknown);
}

/* One peer's heartbeat summary; no quantiles without samples in the
 * window. */
static void
render_hb(FILE *f, const struct cmm_node_row *r)
{
	static const char *const qs[] = { "0.5", "0.9", "0.99" };
	const int64_t v[] = { r->hb.median_ms, r->hb.p90_ms, r->hb.p99_ms };

	for (int k = 0; r->has_hb && k < 3; k++) {
		fprintf(f, "cmm_heartbeat_interval_seconds{peer=\"%d\","
		    "quantile=\"%s\"} ", r->id, qs[k]);
		put_seconds(f, v[k]);
		fputc('\n', f);
	}
	fprintf(f, "cmm_heartbeat_interval_seconds_sum{peer=\"%d\"} ", r->id);
	put_seconds(f, r->hb.total_ms);
	fprintf(f, "\ncmm_heartbeat_interval_seconds_count{peer=\"%d\"} %"
	    PRIu64 "\n", r->id, r->hb.total);
}

/* Per redundant link of each peer: up, silence, the median heartbeat
 * gap, copies taken on it after another link's (docs/ARCHITECTURE.md
 * "Redundant links").  With one link these say what the peer rows do,
 * and are still given, so a dashboard needs no special case. */
static void
render_links(FILE *f, const struct cmm_nodes_snap *ns)
{
	head(f, "cmm_link_up", "gauge", "1 while something was heard from the "
	    "peer on this link within the failure timeout.");
	for (int i = 0; i < ns->n; i++)
		for (int k = 0; !ns->row[i].self && k < ns->row[i].n_links; k++)
			fprintf(f, "cmm_link_up{peer=\"%d\",link=\"%d\"} %d\n",
			    ns->row[i].id, k, ns->row[i].links[k].st.up);
	head(f, "cmm_link_last_heard_seconds", "gauge", "Seconds since the "
	    "peer was last heard on this link (never heard: left out).");
	for (int i = 0; i < ns->n; i++)
		for (int k = 0; !ns->row[i].self && k < ns->row[i].n_links; k++) {
			if (ns->row[i].links[k].st.heard_ms < 0)
				continue;
			fprintf(f, "cmm_link_last_heard_seconds{peer=\"%d\","
			    "link=\"%d\"} ", ns->row[i].id, k);
			put_seconds(f, ns->row[i].links[k].st.heard_ms);
			fputc('\n', f);
		}
	head(f, "cmm_link_heartbeat_interval_median_seconds", "gauge",
	    "Median time between two heartbeats from the peer on this link "
	    "over the last minute (no samples: left out).");
	for (int i = 0; i < ns->n; i++)
		for (int k = 0; !ns->row[i].self && k < ns->row[i].n_links; k++) {
			if (ns->row[i].links[k].st.hb_n == 0)
				continue;
			fprintf(f, "cmm_link_heartbeat_interval_median_seconds{"
			    "peer=\"%d\",link=\"%d\"} ", ns->row[i].id, k);
			put_seconds(f, ns->row[i].links[k].st.hb_median_ms);
			fputc('\n', f);
		}
	head(f, "cmm_link_duplicates_total", "counter", "Copies of a "
	    "datagram that came on this link after another link's.");
	for (int i = 0; i < ns->n; i++)
		for (int k = 0; !ns->row[i].self && k < ns->row[i].n_links; k++)
			fprintf(f, "cmm_link_duplicates_total{peer=\"%d\","
			    "link=\"%d\"} %" PRIu64 "\n", ns->row[i].id, k,
			    ns->row[i].links[k].st.duplicates);
}

static void
render_peers(FILE *f, const struct cmm_nodes_snap *ns)
{
	head(f, "cmm_peer_up", "gauge", "1 while the failure detector holds "
	    "the peer alive.");
	for (int i = 0; i < ns->n; i++)
		if (!ns->row[i].self)
			fprintf(f, "cmm_peer_up{peer=\"%d\"} %d\n", ns->row[i].id,
			    ns->row[i].peer.alive);
	head(f, "cmm_peer_last_heard_seconds", "gauge", "Seconds since the "
	    "peer was last heard (peers never heard are left out).");
	for (int i = 0; i < ns->n; i++) {
		const struct cmm_node_row *r = &ns->row[i];

		if (r->self || r->heard_ms < 0)
			continue;
		fprintf(f, "cmm_peer_last_heard_seconds{peer=\"%d\"} ", r->id);
		put_seconds(f, r->heard_ms);
		fputc('\n', f);
	}
	head(f, "cmm_heartbeat_interval_seconds", "summary", "Time between two "
	    "heartbeats from a peer: quantiles over the last minute, sum and "
	    "count since the start.");
	for (int i = 0; i < ns->n; i++)
		if (!ns->row[i].self)
			render_hb(f, &ns->row[i]);
	render_links(f, ns);
}

char *
cmm_metrics_text(struct cmm_daemon *d, size_t *len)
{
	struct cmm_status_snap		s;
	struct cmm_nodes_snap		ns;
	struct cmm_wire_stats		w;
	struct cmm_metrics_counts	c;
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*f;
	bool	 ok;

	if (cmm_daemon_nodes(d, &ns) < 0)
		return NULL;
	if ((f = open_memstream(&buf, &n)) == NULL) {
		cmm_nodes_snap_free(&ns);
		return NULL;
	}
	cmm_daemon_status(d, &s);
	cmm_daemon_wire_stats(d, &w);
	cmm_metrics_counts(cmm_daemon_metrics(d), &c);
	render_node(f, d, &s);
	render_counts(f, &c);
	render_wire(f, &w);
	render_peers(f, &ns);
	cmm_nodes_snap_free(&ns);
	ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
