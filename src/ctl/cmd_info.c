/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_info: the read-only commands (status, members, nodes, round, quorum,
 * devices, history).  Each replies as text or as one JSON object. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"
#include "src/node/config.h"
#include "util/parse.h"
#include "util/timefmt.h"
#include "src/node/state.h"

#define SETBUF	(CMM_MAX_NODES * 5 + 8)

static const char *verdict_name(enum cmm_qverdict v);
static const char *link_name(enum cmm_link_dir l);
static json_t	*ms_or_null(int64_t v);
static void	 status_prompt_text(struct cmm_cmd_ctx *ctx,
		    const struct cmm_status_snap *s);
static json_t	*status_watchdog_json(const struct cmm_status_snap *s);
static json_t	*status_realtime_json(const struct cmm_rt_status *rt);
static void	 status_fencing_text(struct cmm_cmd_ctx *ctx,
		    const struct cmm_status_snap *s);

static const char *
verdict_name(enum cmm_qverdict v)
{
	switch (v) {
	case CMM_QV_WIN:		return "win";
	case CMM_QV_LOSE:		return "lose";
	case CMM_QV_RACE:		return "race";
	case CMM_QV_ASK_WINNER:		return "ask-winner";
	case CMM_QV_ASK_ISOLATION:	return "ask-isolation";
	case CMM_QV_WAIT:		return "wait";
	}
	return "?";
}

static const char *
link_name(enum cmm_link_dir l)
{
	switch (l) {
	case CMM_LINK_UP:	return "up";
	case CMM_LINK_IN:	return "cut-in";
	case CMM_LINK_OUT:	return "cut-out";
	case CMM_LINK_BOTH:	return "cut";
	}
	return "?";
}

/* JSON null for "never" (negative), else the number. */
static json_t *
ms_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

struct cmm_daemon *
cmm_cmd_daemon(struct cmm_cmd_ctx *ctx)
{
	if (ctx->daemon == NULL)
		cmm_cmd_fail(ctx, "%s: no node runs here",
		    ctx->entry ? ctx->entry->name : "command");
	return ctx->daemon;
}

int
cmm_cmd_node_arg(struct cmm_cmd_ctx *ctx, const char *s)
{
	long long v;

	if (cmm_parse_int(s, 0, CMM_MAX_NODES - 1, &v, NULL, 0) < 0) {
		cmm_cmd_fail(ctx, "%s: '%s' is not a node id (0..%d)",
		    ctx->entry->name, s, CMM_MAX_NODES - 1);
		return -1;
	}
	if (ctx->daemon != NULL &&
	    !cmm_set_has(&cmm_daemon_core_cfg(ctx->daemon)->configured, (int)v)) {
		cmm_cmd_fail(ctx, "%s: node %lld is not configured",
		    ctx->entry->name, v);
		return -1;
	}
	return (int)v;
}

/* ---- status ---- */

bool
cmm_status_quorum(const struct cmm_core_status *st)
{
	/* a member waiting for the operator's answer holds no quorum yet */
	if (!st->member || st->quorum_pending)
		return false;
	return st->state == CMM_ST_MEMBER || st->state == CMM_ST_RECONFIGURING ||
	    st->state == CMM_ST_AWAITING_OPERATOR;
}

json_t *
cmm_status_json(const struct cmm_status_snap *s)
{
	const struct cmm_core_status	*st = &s->st;
	json_t				*o, *p, *dr;

	o = json_object();
	json_object_set_new(o, "node", json_integer(st->node));
	if (s->cluster != NULL)
		json_object_set_new(o, "cluster", json_string(s->cluster));
	if (s->digest != NULL) {
		char hex[2 * CMM_DIGEST_LEN + 1];

		cmm_digest_hex(s->digest, hex);
		json_object_set_new(o, "config_digest", json_string(hex));
	}
	json_object_set_new(o, "state", json_string(cmm_state_name(st->state)));
	json_object_set_new(o, "epoch", json_integer(st->epoch));
	json_object_set_new(o, "members", cmm_set_json(&st->members));
	json_object_set_new(o, "crown_prince", st->crown_prince >= 0 ?
	    json_integer(st->crown_prince) : json_null());
	json_object_set_new(o, "quorum", json_boolean(cmm_status_quorum(st)));
	json_object_set_new(o, "quorum_pending", json_boolean(st->quorum_pending));
	/* how long without quorum, and the force-quorum that would be
	 * accepted now (docs/PROTOCOL.md "Forcing quorum") */
	json_object_set_new(o, "no_quorum_ms", st->quorumless_since >= 0 ?
	    json_integer(s->now - st->quorumless_since) : json_null());
	json_object_set_new(o, "force_quorum_dead", st->force_hint ?
	    cmm_set_json(&st->force_dead) : json_null());
	/* the `?` line's object: one encoder for every prompt */
	p = s->prompt.kind == CMM_PROMPT_NONE ? json_null() :
	    cmm_prompt_json(&s->prompt, s->now);
	json_object_set_new(o, "prompt", p);
	json_object_set_new(o, "incarnation", json_integer(st->incarnation));
	json_object_set_new(o, "alive", cmm_set_json(&st->alive));
	json_object_set_new(o, "since_commit_ms", st->last_commit_time >= 0 ?
	    json_integer(s->now - st->last_commit_time) : json_null());
	dr = json_object();
	json_object_set_new(dr, "malformed", json_integer((json_int_t)s->dropped.malformed));
	json_object_set_new(dr, "foreign", json_integer((json_int_t)s->dropped.foreign));
	json_object_set_new(dr, "auth", json_integer((json_int_t)s->dropped.auth));
	json_object_set_new(dr, "replay", json_integer((json_int_t)s->dropped.replay));
	json_object_set_new(dr, "misdirected",
	    json_integer((json_int_t)s->dropped.misdirected));
	json_object_set_new(dr, "config", json_integer((json_int_t)s->dropped.config));
	json_object_set_new(dr, "version",
	    json_integer((json_int_t)s->dropped.version));
	json_object_set_new(dr, "overflow",
	    json_integer((json_int_t)s->dropped.overflow));
	json_object_set_new(dr, "duplicate",
	    json_integer((json_int_t)s->dropped.duplicate));
	json_object_set_new(o, "dropped", dr);
	json_object_set_new(o, "watchdog", status_watchdog_json(s));
	json_object_set_new(o, "realtime", status_realtime_json(&s->realtime));
	return o;
}

/* null without a watchdog in the config */
static json_t *
status_watchdog_json(const struct cmm_status_snap *s)
{
	const struct cmm_wd_status *w = &s->watchdog;
	json_t *o;

	if (!s->has_watchdog)
		return json_null();
	o = json_object();
	json_object_set_new(o, "path", json_string(w->path));
	json_object_set_new(o, "kind", json_string(w->kind));
	json_object_set_new(o, "timeout_s", json_integer(w->timeout_s));
	json_object_set_new(o, "interval_ms", json_integer(w->interval_ms));
	json_object_set_new(o, "armed", json_boolean(w->armed));
	json_object_set_new(o, "petting", json_boolean(w->petting));
	json_object_set_new(o, "not_petting", w->petting ? json_null() :
	    json_string(w->why));
	json_object_set_new(o, "last_pet_ms", w->last_pet_ms < 0 ? json_null() :
	    json_integer(w->last_pet_ms));
	json_object_set_new(o, "pets", json_integer((json_int_t)w->pets));
	return o;
}

static json_t *
status_realtime_json(const struct cmm_rt_status *rt)
{
	json_t *o = json_object();

	/* not "config": a flat reader of status (tests/mp/lib/mp.sh) takes
	 * that for the dropped counter */
	json_object_set_new(o, "setting", json_string(
	    cmm_realtime_mode_name(rt->mode)));
	json_object_set_new(o, "sched", json_string(rt->sched_rr ? "SCHED_RR" :
	    "SCHED_OTHER"));
	json_object_set_new(o, "priority", rt->sched_rr ?
	    json_integer(rt->priority) : json_null());
	json_object_set_new(o, "memory_locked", json_boolean(rt->locked));
	json_object_set_new(o, "problem", rt->why[0] != '\0' ?
	    json_string(rt->why) : json_null());
	return o;
}

/* the watchdog and realtime lines of `status` */
static void
status_fencing_text(struct cmm_cmd_ctx *ctx, const struct cmm_status_snap *s)
{
	const struct cmm_wd_status *w = &s->watchdog;
	const struct cmm_rt_status *rt = &s->realtime;

	if (s->has_watchdog) {
		cmm_cmd_printf(ctx, "watchdog: %s (%s, %d s, a pet every %" PRId64
		    " ms): ", w->path, w->kind, w->timeout_s, w->interval_ms);
		if (w->petting)
			cmm_cmd_printf(ctx, "armed, petting");
		else
			cmm_cmd_printf(ctx, "%sNOT petting: %s", w->armed ?
			    "armed, " : "", w->why);
		if (w->last_pet_ms >= 0)
			cmm_cmd_printf(ctx, "; last pet %" PRId64 " ms ago",
			    w->last_pet_ms);
		cmm_cmd_printf(ctx, "\n");
	}
	if (rt->mode == CMM_RT_NO)
		cmm_cmd_printf(ctx, "realtime: off (realtime = no)\n");
	else
		cmm_cmd_printf(ctx, "realtime: %s%s, memory %slocked%s%s\n",
		    rt->sched_rr ? "event loop SCHED_RR" : "SCHED_OTHER",
		    rt->sched_rr ? "" : " (normal priority)",
		    rt->locked ? "" : "not ", rt->why[0] != '\0' ? "; " : "",
		    rt->why);
}

static void
status_prompt_text(struct cmm_cmd_ctx *ctx, const struct cmm_status_snap *s)
{
	const struct cmm_prompt *p = &s->prompt;

	switch (p->kind) {
	case CMM_PROMPT_NONE:
		cmm_cmd_printf(ctx, "prompt: none\n");
		return;
	case CMM_PROMPT_ISOLATION:
		cmm_cmd_printf(ctx, "prompt: is this node isolated? "
		    "(answer isolated | answer not-isolated)");
		break;
	case CMM_PROMPT_WINNER:
		cmm_cmd_printf(ctx, "prompt: which node wins, %d or %d? "
		    "(answer winner N)", p->choice[0], p->choice[1]);
		break;
	}
	if (p->why != NULL && *p->why != '\0')
		cmm_cmd_printf(ctx, " - %s", p->why);
	if (p->deadline > 0)
		cmm_cmd_printf(ctx, "; %" PRId64 " s left",
		    (p->deadline - s->now + 999) / 1000);
	cmm_cmd_printf(ctx, "\n");
}

void
cmm_status_text(struct cmm_cmd_ctx *ctx, const struct cmm_status_snap *s)
{
	const struct cmm_core_status	*st = &s->st;
	char				 m[SETBUF], a[SETBUF];

	cmm_set_format(&st->members, m, sizeof(m));
	cmm_set_format(&st->alive, a, sizeof(a));
	cmm_cmd_printf(ctx, "node %d%s%s%s: %s, epoch %" PRIu32
	    ", incarnation %" PRIu32 "\n", st->node,
	    s->cluster ? " (cluster " : "", s->cluster ? s->cluster : "",
	    s->cluster ? ")" : "", cmm_state_name(st->state), st->epoch,
	    st->incarnation);
	cmm_cmd_printf(ctx, "members: %s", m);
	if (st->crown_prince >= 0)
		cmm_cmd_printf(ctx, "; crown prince %d", st->crown_prince);
	cmm_cmd_printf(ctx, "; quorum %s\n", st->quorum_pending ?
	    "pending (awaiting the operator)" : cmm_status_quorum(st) ? "yes" :
	    "no");
	if (st->force_hint) {
		char dl[SETBUF];

		cmm_set_format(&st->force_dead, dl, sizeof(dl));
		cmm_cmd_printf(ctx, "without quorum for %" PRId64 " s; if nodes "
		    "%s are really down: force-quorum dead %s confirm\n",
		    (s->now - st->quorumless_since) / 1000, dl, dl);
	}
	cmm_cmd_printf(ctx, "alive: %s", a);
	if (st->last_commit_time >= 0)
		cmm_cmd_printf(ctx, "; last commit %" PRId64 " ms ago",
		    s->now - st->last_commit_time);
	cmm_cmd_printf(ctx, "\n");
	status_prompt_text(ctx, s);
	if (s->digest != NULL) {
		char hex[2 * CMM_DIGEST_LEN + 1];

		cmm_digest_hex(s->digest, hex);
		cmm_cmd_printf(ctx, "config digest: %s\n", hex);
	}
	cmm_cmd_printf(ctx, "dropped: malformed %" PRIu64 ", foreign %" PRIu64
	    ", auth %" PRIu64 ", replay %" PRIu64 ", misdirected %" PRIu64
	    ", config %" PRIu64 ", version %" PRIu64 ", overflow %" PRIu64
	    ", duplicate %" PRIu64 "\n", s->dropped.malformed,
	    s->dropped.foreign, s->dropped.auth, s->dropped.replay,
	    s->dropped.misdirected, s->dropped.config, s->dropped.version,
	    s->dropped.overflow, s->dropped.duplicate);
	status_fencing_text(ctx, s);
}

CMM_CMD_FN(cmm_cmd_status)
{
	struct cmm_status_snap	 s;
	struct cmm_daemon	*d;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	cmm_daemon_status(d, &s);
	if (ctx->json)
		cmm_cmd_set_json(ctx, cmm_status_json(&s));
	else
		cmm_status_text(ctx, &s);
	/* monitoring reads the exit code: anything but a quorate member */
	if (!cmm_status_quorum(&s.st))
		ctx->exit_hint = CMM_EXIT_NOT_QUORATE;
	return CMM_CMD_OK;
}

/* ---- members ---- */

CMM_CMD_FN(cmm_cmd_members)
{
	struct cmm_status_snap	 s;
	const struct cmm_core_status *st = &s.st;
	struct cmm_daemon	*d;
	char			 m[SETBUF];
	json_t			*o;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	cmm_daemon_status(d, &s);
	if (ctx->json) {
		o = json_object();
		json_object_set_new(o, "epoch", json_integer(st->epoch));
		json_object_set_new(o, "members", cmm_set_json(&st->members));
		json_object_set_new(o, "crown_prince", st->crown_prince >= 0 ?
		    json_integer(st->crown_prince) : json_null());
		json_object_set_new(o, "member", json_boolean(st->member));
		cmm_cmd_set_json(ctx, o);
		return CMM_CMD_OK;
	}
	cmm_set_format(&st->members, m, sizeof(m));
	cmm_cmd_printf(ctx, "epoch %" PRIu32 ": %s\n", st->epoch, m);
	return CMM_CMD_OK;
}

/* ---- nodes ---- */

/* "match", "mismatch", or NULL when the peer was never heard. */
static const char *
nodes_config_name(const struct cmm_peer_wire *w)
{
	if (!w->heard)
		return NULL;
	return w->mismatch ? "mismatch" : "match";
}

static void
nodes_wire_json(json_t *o, const struct cmm_peer_wire *w)
{
	const char *cfg = nodes_config_name(w);

	json_object_set_new(o, "config", cfg ? json_string(cfg) : json_null());
	json_object_set_new(o, "protocol", w->heard ?
	    json_pack("[ii]", (int)w->vmin, (int)w->vmax) : json_null());
	json_object_set_new(o, "config_version", w->has_config_version ?
	    json_integer(w->config_version) : json_null());
}

static const char *
link_cut_name(enum cmm_link_dir l)
{
	static const char *const names[] = { "no", "in", "out", "both" };

	return names[l & 3];
}

/* A node's redundant links: one object each (self: the addresses only). */
static json_t *
nodes_links_json(const struct cmm_node_row *r)
{
	json_t *arr = json_array(), *l, *h;

	for (int k = 0; k < r->n_links; k++) {
		const struct cmm_link_stats *st = &r->links[k].st;

		l = json_object();
		json_object_set_new(l, "link", json_integer(k));
		json_object_set_new(l, "address", json_string(r->links[k].addr));
		if (r->self) {
			json_object_set_new(l, "up", json_null());
			json_object_set_new(l, "last_heard_ms", json_null());
			json_object_set_new(l, "heartbeat", json_null());
			json_object_set_new(l, "duplicates", json_integer(0));
			json_object_set_new(l, "cut", json_string("self"));
			json_array_append_new(arr, l);
			continue;
		}
		json_object_set_new(l, "up", json_boolean(st->up));
		json_object_set_new(l, "last_heard_ms", ms_or_null(st->heard_ms));
		if (st->hb_n > 0) {
			h = json_object();
			json_object_set_new(h, "n", json_integer(st->hb_n));
			json_object_set_new(h, "median_ms",
			    json_integer(st->hb_median_ms));
			json_object_set_new(h, "p99_ms", json_integer(st->hb_p99_ms));
			json_object_set_new(h, "max_ms", json_integer(st->hb_max_ms));
			json_object_set_new(l, "heartbeat", h);
		} else
			json_object_set_new(l, "heartbeat", json_null());
		json_object_set_new(l, "duplicates",
		    json_integer((json_int_t)st->duplicates));
		/* fault injection on this link alone */
		json_object_set_new(l, "cut", json_string(link_cut_name(
		    r->links[k].cut)));
		json_array_append_new(arr, l);
	}
	return arr;
}

/* Under a peer's row, one line per link when there are several. */
static void
nodes_links_text(struct cmm_cmd_ctx *ctx, const struct cmm_node_row *r)
{
	char heard[24], hb[32];

	if (r->n_links < 2)
		return;
	for (int k = 0; k < r->n_links; k++) {
		const struct cmm_link_stats *st = &r->links[k].st;

		if (r->self) {
			cmm_cmd_printf(ctx, "         link %d %s\n", k,
			    r->links[k].addr);
			continue;
		}
		if (st->heard_ms < 0)
			snprintf(heard, sizeof(heard), "never");
		else
			snprintf(heard, sizeof(heard), "%" PRId64 "ms",
			    st->heard_ms);
		if (st->hb_n > 0)
			snprintf(hb, sizeof(hb), "%" PRId64 "/%" PRId64 " ms",
			    st->hb_median_ms, st->hb_p99_ms);
		else
			snprintf(hb, sizeof(hb), "-");
		cmm_cmd_printf(ctx, "         link %d %-22s %-4s heard %8s "
		    "heartbeat %s, %" PRIu64 " duplicates%s%s\n", k,
		    r->links[k].addr, st->up ? "up" : "DOWN", heard, hb,
		    st->duplicates, r->links[k].cut != CMM_LINK_UP ?
		    ", fault injection: cut " : "", r->links[k].cut != CMM_LINK_UP ?
		    link_cut_name(r->links[k].cut) : "");
	}
}

CMM_CMD_FN(cmm_cmd_nodes)
{
	struct cmm_nodes_snap		 ns;
	const struct cmm_node_row	*r;
	struct cmm_daemon		*d;
	const char			*cfgname;
	json_t				*arr = NULL, *o, *h;
	char				 hbtxt[48], heardtxt[24], proto[16];

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (cmm_daemon_nodes(d, &ns) < 0)
		return cmm_cmd_fail(ctx, "nodes: out of memory");
	if (ctx->json)
		arr = json_array();
	else
		cmm_cmd_printf(ctx, "  %4s %-22s %4s %-6s %-5s %8s %10s %6s %-7s "
		    "%-8s %-5s %s\n", "id", "address", "prio", "member", "alive",
		    "heard", "inc", "epoch", "link", "config", "proto",
		    "heartbeat median/p99");
	for (int k = 0; k < ns.n; k++) {
		r = &ns.row[k];
		if (ctx->json) {
			o = json_object();
			json_object_set_new(o, "id", json_integer(r->id));
			json_object_set_new(o, "self", json_boolean(r->self));
			json_object_set_new(o, "address",
			    r->addr ? json_string(r->addr) : json_null());
			json_object_set_new(o, "priority", json_integer(r->priority));
			json_object_set_new(o, "member", json_boolean(r->member));
			json_object_set_new(o, "says_member",
			    json_boolean(r->peer.member));
			json_object_set_new(o, "alive", json_boolean(r->peer.alive));
			/* fast_fail: probes are out to it */
			json_object_set_new(o, "suspect",
			    json_boolean(r->peer.suspect));
			json_object_set_new(o, "last_heard_ms",
			    ms_or_null(r->heard_ms));
			json_object_set_new(o, "incarnation",
			    json_integer(r->peer.incarnation));
			json_object_set_new(o, "epoch", json_integer(r->peer.epoch));
			json_object_set_new(o, "link", json_string(r->self ? "self" :
			    link_name(r->link)));
			if (r->has_hb) {
				h = json_object();
				json_object_set_new(h, "n", json_integer(r->hb.n));
				json_object_set_new(h, "median_ms",
				    json_integer(r->hb.median_ms));
				json_object_set_new(h, "p99_ms",
				    json_integer(r->hb.p99_ms));
				json_object_set_new(h, "max_ms",
				    json_integer(r->hb.max_ms));
				json_object_set_new(o, "heartbeat", h);
			} else
				json_object_set_new(o, "heartbeat", json_null());
			nodes_wire_json(o, &r->wire);
			json_object_set_new(o, "links", nodes_links_json(r));
			json_array_append_new(arr, o);
			continue;
		}
		if (r->heard_ms < 0)
			snprintf(heardtxt, sizeof(heardtxt), "never");
		else if (r->self)
			snprintf(heardtxt, sizeof(heardtxt), "-");
		else
			snprintf(heardtxt, sizeof(heardtxt), "%" PRId64 "ms",
			    r->heard_ms);
		if (r->has_hb)
			snprintf(hbtxt, sizeof(hbtxt), "%" PRId64 "/%" PRId64 " ms%s",
			    r->hb.median_ms, r->hb.p99_ms,
			    r->hb.p99_ms * 2 > ns.failure_timeout_ms ?
			    " (near timeout!)" : "");
		else
			snprintf(hbtxt, sizeof(hbtxt), "-");
		cfgname = nodes_config_name(&r->wire);
		if (r->wire.heard)
			snprintf(proto, sizeof(proto), "%u..%u", r->wire.vmin,
			    r->wire.vmax);
		else
			snprintf(proto, sizeof(proto), "-");
		cmm_cmd_printf(ctx, "%c %4d %-22s %4d %-6s %-5s %8s %10" PRIu32
		    " %6" PRIu32 " %-7s %-8s %-5s %s\n", r->self ? '*' : ' ',
		    r->id, r->addr ? r->addr : "?", r->priority,
		    r->member ? "yes" : "no", r->peer.suspect ? "susp" :
		    r->peer.alive ? "yes" : "no",
		    heardtxt, r->peer.incarnation, r->peer.epoch,
		    r->self ? "self" : link_name(r->link),
		    cfgname == NULL ? "-" : r->wire.mismatch ? "MISMATCH" :
		    cfgname, proto, hbtxt);
		nodes_links_text(ctx, r);
	}
	if (ctx->json) {
		o = json_object();
		json_object_set_new(o, "node", json_integer(ns.self));
		json_object_set_new(o, "failure_timeout_ms",
		    json_integer(ns.failure_timeout_ms));
		json_object_set_new(o, "nodes", arr);
		cmm_cmd_set_json(ctx, o);
	}
	cmm_nodes_snap_free(&ns);
	return CMM_CMD_OK;
}

/* ---- round ---- */

CMM_CMD_FN(cmm_cmd_round)
{
	struct cmm_round_snap	 rs;
	const struct cmm_round_info *ri = &rs.ri;
	struct cmm_set		 rows;
	struct cmm_daemon	*d;
	int64_t			 now;
	char			 a[SETBUF], b[SETBUF];
	json_t			*o, *arr, *n;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	cmm_daemon_round(d, &rs);
	now = rs.now;
	/* a row for every node that was expected or spoke */
	cmm_set_or(&rows, &ri->expected, &ri->presence);
	cmm_set_or(&rows, &rows, &ri->proposed);
	if (ctx->json) {
		o = json_object();
		json_object_set_new(o, "active", json_boolean(ri->active));
		json_object_set_new(o, "epoch", json_integer(ri->epoch));
		json_object_set_new(o, "attempt", json_integer(ri->attempt));
		json_object_set_new(o, "coordinator", ri->coordinator >= 0 ?
		    json_integer(ri->coordinator) : json_null());
		json_object_set_new(o, "fast", json_boolean(ri->fast));
		json_object_set_new(o, "phase", json_string(cmm_phase_name(ri->phase)));
		json_object_set_new(o, "left_ms", ri->active && ri->deadline > 0 ?
		    json_integer(ri->deadline - now) : json_null());
		json_object_set_new(o, "prev_epoch", json_integer(ri->prev_epoch));
		json_object_set_new(o, "prev", cmm_set_json(&ri->prev));
		json_object_set_new(o, "expected", cmm_set_json(&ri->expected));
		json_object_set_new(o, "next", cmm_set_json(&ri->next));
		json_object_set_new(o, "differ", cmm_set_json(&ri->differ));
		json_object_set_new(o, "outcome",
		    json_string(ri->outcome ? ri->outcome : ""));
		arr = json_array();
		for (int i = cmm_set_next(&rows, 0); i >= 0;
		    i = cmm_set_next(&rows, i + 1)) {
			n = json_object();
			json_object_set_new(n, "id", json_integer(i));
			json_object_set_new(n, "expected",
			    json_boolean(cmm_set_has(&ri->expected, i)));
			json_object_set_new(n, "presence",
			    json_boolean(cmm_set_has(&ri->presence, i)));
			json_object_set_new(n, "proposed",
			    json_boolean(cmm_set_has(&ri->proposed, i)));
			/* v2: one value per ballot; a node's row shows it
			 * when that node accepted it */
			json_object_set_new(n, "proposal",
			    cmm_set_has(&ri->proposed, i) ?
			    cmm_set_json(&ri->next) : json_null());
			json_object_set_new(n, "differs",
			    json_boolean(cmm_set_has(&ri->differ, i)));
			json_array_append_new(arr, n);
		}
		json_object_set_new(o, "nodes", arr);
		cmm_cmd_set_json(ctx, o);
		return CMM_CMD_OK;
	}
	if (ri->epoch == 0 && ri->attempt == 0 && !ri->active) {
		cmm_cmd_printf(ctx, "no round yet\n");
		return CMM_CMD_OK;
	}
	cmm_cmd_printf(ctx, "round %" PRIu32 ".%" PRIu32 " (%s), coordinator %d%s, "
	    "phase %s", ri->epoch, ri->attempt, ri->active ? "running" : "last",
	    ri->coordinator, ri->fast ? " (fast path)" : "",
	    cmm_phase_name(ri->phase));
	if (ri->active && ri->deadline > 0)
		cmm_cmd_printf(ctx, ", %" PRId64 " ms left", ri->deadline - now);
	cmm_cmd_printf(ctx, "\n");
	cmm_set_format(&ri->prev, a, sizeof(a));
	cmm_set_format(&ri->next, b, sizeof(b));
	cmm_cmd_printf(ctx, "acceptors: epoch %" PRIu32 ": %s; value: %s\n",
	    ri->prev_epoch, a, b);
	cmm_cmd_printf(ctx, "  %4s %-8s %-8s %-8s\n", "node", "asked",
	    "answered", "accepted");
	for (int i = cmm_set_next(&rows, 0); i >= 0; i = cmm_set_next(&rows, i + 1))
		cmm_cmd_printf(ctx, "  %4d %-8s %-8s %-8s%s\n", i,
		    cmm_set_has(&ri->expected, i) ? "yes" : "no",
		    cmm_set_has(&ri->presence, i) ? "yes" : "no",
		    cmm_set_has(&ri->proposed, i) ? "yes" : "no",
		    cmm_set_has(&ri->differ, i) ? "  <- promised higher" : "");
	if (!cmm_set_empty(&ri->differ)) {
		cmm_set_format(&ri->differ, a, sizeof(a));
		cmm_cmd_printf(ctx, "refused (promised a higher ballot): %s\n", a);
	}
	if (ri->outcome != NULL && *ri->outcome != '\0')
		cmm_cmd_printf(ctx, "outcome: %s\n", ri->outcome);
	return CMM_CMD_OK;
}

/* ---- quorum ---- */

/* The rule that fired, as fields: the same object in `quorum`, in the
 * quorum of commit, quorum and no-quorum events (docs/api/). */
json_t *
cmm_decision_json(const struct cmm_qdecision *q,
    const struct cmm_core_cfg *cfg, const char *device)
{
	json_t	*o = json_object(), *ch = json_null();
	char	 why[256];

	cmm_quorum_explain(q, why, sizeof(why));
	if (device == NULL && cfg != NULL && q->device >= 0 &&
	    q->device < cfg->n_devices)
		device = cfg->devices[q->device].name;
	json_object_set_new(o, "method", json_string(cmm_qmethod_name(q->method)));
	json_object_set_new(o, "verdict", json_string(verdict_name(q->verdict)));
	json_object_set_new(o, "votes", json_integer(q->votes));
	json_object_set_new(o, "prev_size", json_integer(q->prev_size));
	/* what a vote needs: more than half of the previous members */
	json_object_set_new(o, "majority", json_integer(q->prev_size / 2 + 1));
	json_object_set_new(o, "crown_prince", q->crown_prince >= 0 ?
	    json_integer(q->crown_prince) : json_null());
	json_object_set_new(o, "crown_prince_present",
	    json_boolean(q->crown_prince_present));
	json_object_set_new(o, "device", device ? json_string(device) :
	    json_null());
	if (q->method == CMM_QM_OPERATOR || q->verdict == CMM_QV_ASK_WINNER) {
		ch = json_array();
		json_array_append_new(ch, json_integer(q->choice[0]));
		json_array_append_new(ch, json_integer(q->choice[1]));
	}
	json_object_set_new(o, "choices", ch);
	json_object_set_new(o, "winner", q->method == CMM_QM_OPERATOR &&
	    q->winner >= 0 ? json_integer(q->winner) : json_null());
	json_object_set_new(o, "explain", json_string(why));
	return o;
}

CMM_CMD_FN(cmm_cmd_quorum)
{
	struct cmm_quorum_snap		 qs;
	const struct cmm_qdecision	*q = &qs.q;
	struct cmm_daemon		*d;
	char				 why[256];
	json_t				*o;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	cmm_daemon_quorum(d, &qs);
	if (!qs.have) {
		if (ctx->json)
			cmm_cmd_set_json(ctx, json_pack("{s:b,s:n}", "decided",
			    0, "method"));
		else
			cmm_cmd_printf(ctx, "no quorum decision yet\n");
		return CMM_CMD_OK;
	}
	if (ctx->json) {
		o = json_pack("{s:b}", "decided", 1);
		json_object_update_new(o, cmm_decision_json(q, NULL,
		    qs.device));
		cmm_cmd_set_json(ctx, o);
		return CMM_CMD_OK;
	}
	cmm_quorum_explain(q, why, sizeof(why));
	cmm_cmd_printf(ctx, "%s\n", why);
	cmm_cmd_printf(ctx, "method %s, verdict %s, votes %d of previous %d "
	    "(majority needs %d)", cmm_qmethod_name(q->method),
	    verdict_name(q->verdict), q->votes, q->prev_size, q->prev_size / 2 + 1);
	if (q->crown_prince >= 0)
		cmm_cmd_printf(ctx, ", crown prince %d %s", q->crown_prince,
		    q->crown_prince_present ? "present" : "absent");
	if (qs.device != NULL)
		cmm_cmd_printf(ctx, ", device %s", qs.device);
	cmm_cmd_printf(ctx, "\n");
	return CMM_CMD_OK;
}

/* A round event's step ("round (E,a) WHAT") as one word, from the
 * outcomes src/core/core_coord.c and core_learn.c write. */
const char *
cmm_round_step_kind(const char *what)
{
	static const struct { const char *prefix, *kind; } steps[] = {
		{ "started", "started" },
		{ "proposing", "proposing" },
		{ "chosen:", "chosen" },
		{ "decided elsewhere:", "decided-elsewhere" },
		{ "agreed: no change", "no-change" },
		{ "failed:", "failed" },
		{ "aborted:", "aborted" },
		{ "abandoned:", "abandoned" },
		{ "superseded:", "superseded" },
		{ "isolated:", "isolated" },
		{ "waiting for", "waiting" },
		{ "nobody is left", "nobody-left" },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strncmp(what, steps[i].prefix, strlen(steps[i].prefix)) == 0)
			return steps[i].kind;
	return "other";
}

/* ---- devices ---- */

/* {"id": epoch} for the device's nodes whose entry is not 0 */
static json_t *
devices_epochs_json(const uint32_t *ep, const struct cmm_set *nodes)
{
	json_t *o = json_object();
	char key[16];

	for (int i = cmm_set_next(nodes, 0); i >= 0; i = cmm_set_next(nodes, i + 1))
		if (ep[i] != 0) {
			snprintf(key, sizeof(key), "%d", i);
			json_object_set_new(o, key, json_integer(ep[i]));
		}
	return o;
}

static void
devices_rec_json(json_t *o, const struct cmm_devrec *rec,
    const struct cmm_set *nodes)
{
	json_object_set_new(o, "registered", cmm_set_json(&rec->registered));
	json_object_set_new(o, "holder", rec->holder >= 0 ?
	    json_integer(rec->holder) : json_null());
	json_object_set_new(o, "epoch", json_integer(rec->epoch));
	json_object_set_new(o, "committed_epoch",
	    json_integer(rec->committed_epoch));
	json_object_set_new(o, "reg_epoch",
	    devices_epochs_json(rec->reg_epoch, nodes));
	json_object_set_new(o, "fence_epoch",
	    devices_epochs_json(rec->fence_epoch, nodes));
}

/* " 0@5 1@5" for the device's nodes whose entry is not 0; false if none */
static bool
devices_epochs_text(struct cmm_cmd_ctx *ctx, const char *prefix,
    const uint32_t *ep, const struct cmm_set *nodes)
{
	bool any = false;

	for (int i = cmm_set_next(nodes, 0); i >= 0; i = cmm_set_next(nodes, i + 1))
		if (ep[i] != 0) {
			cmm_cmd_printf(ctx, "%s%d@%" PRIu32, any ? " " : prefix,
			    i, ep[i]);
			any = true;
		}
	return any;
}

/* "registered 0-1 (0@5 1@5); reserved by 0 at epoch 5; committed epoch 5;
 * fenced 2@4" */
static void
devices_rec_text(struct cmm_cmd_ctx *ctx, const struct cmm_devrec *rec,
    const struct cmm_set *nodes)
{
	char r[SETBUF];

	cmm_set_format(&rec->registered, r, sizeof(r));
	cmm_cmd_printf(ctx, "registered %s", r);
	if (devices_epochs_text(ctx, " (", rec->reg_epoch, nodes))
		cmm_cmd_printf(ctx, ")");
	if (rec->holder >= 0)
		cmm_cmd_printf(ctx, "; reserved by %d at epoch %" PRIu32,
		    rec->holder, rec->epoch);
	else
		cmm_cmd_printf(ctx, "; not reserved");
	cmm_cmd_printf(ctx, "; committed epoch %" PRIu32, rec->committed_epoch);
	devices_epochs_text(ctx, "; fenced ", rec->fence_epoch, nodes);
	cmm_cmd_printf(ctx, "\n");
}

CMM_CMD_FN(cmm_cmd_devices)
{
	struct cmm_devices_snap		 ds;
	const struct cmm_device_row	*r;
	struct cmm_daemon		*d;
	char				 n[SETBUF];
	json_t				*arr = NULL, *o;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (cmm_daemon_devices(d, &ds) < 0)
		return cmm_cmd_fail(ctx, "devices: out of memory");
	if (ctx->json)
		arr = json_array();
	else if (ds.n == 0)
		cmm_cmd_printf(ctx, "no quorum devices configured\n");
	for (int i = 0; i < ds.n; i++) {
		r = &ds.row[i];
		if (ctx->json) {
			o = json_object();
			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(o, "path", json_string(r->path));
			if (r->arbiter != NULL)
				json_object_set_new(o, "arbiter",
				    json_string(r->arbiter));
			json_object_set_new(o, "nodes", cmm_set_json(&r->nodes));
			json_object_set_new(o, "shared", json_boolean(r->shared));
			if (r->read_ok)
				devices_rec_json(o, &r->rec, &r->nodes);
			else if (r->shared)
				json_object_set_new(o, "error", json_string(r->err));
			json_array_append_new(arr, o);
			continue;
		}
		cmm_set_format(&r->nodes, n, sizeof(n));
		if (r->arbiter != NULL)
			cmm_cmd_printf(ctx, "%s (arbiter %s) nodes %s: ", r->name,
			    r->arbiter, n);
		else
			cmm_cmd_printf(ctx, "%s (%s) nodes %s: ", r->name,
			    r->path, n);
		if (!r->shared)
			cmm_cmd_printf(ctx, "not shared by this node\n");
		else if (!r->read_ok)
			cmm_cmd_printf(ctx, "cannot read: %s\n", r->err);
		else
			devices_rec_text(ctx, &r->rec, &r->nodes);
	}
	if (ctx->json)
		cmm_cmd_set_json(ctx, json_pack("{s:o}", "devices", arr));
	cmm_devices_snap_free(&ds);
	return CMM_CMD_OK;
}

/* ---- history ---- */

CMM_CMD_FN(cmm_cmd_history)
{
	struct cmm_hist_rec	*recs;
	struct cmm_daemon	*d;
	long long		 n = 10;
	int			 got;
	char			 warn[256], err[256], line[512];
	json_t			*arr, *o;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (argc == 1 && cmm_parse_int(argv[0], 1, 10000, &n, NULL, 0) < 0)
		return cmm_cmd_fail(ctx, "history: '%s' is not a count (1..10000)",
		    argv[0]);
	if ((recs = calloc((size_t)n, sizeof(*recs))) == NULL)
		return cmm_cmd_fail(ctx, "history: out of memory");
	got = cmm_daemon_history_tail(d, (int)n, recs, warn, sizeof(warn), err,
	    sizeof(err));
	if (got < 0) {
		free(recs);
		return cmm_cmd_fail(ctx, "history: %s", err);
	}
	if (ctx->json) {
		arr = json_array();
		for (int i = 0; i < got; i++) {
			cmm_time_iso8601(0, recs[i].time_ms, line, sizeof(line));
			o = json_object();
			json_object_set_new(o, "kind",
			    json_string(cmm_hist_kind_name(recs[i].kind)));
			json_object_set_new(o, "epoch", json_integer(recs[i].epoch));
			json_object_set_new(o, "members",
			    cmm_set_json(&recs[i].members));
			json_object_set_new(o, "time", json_string(line));
			json_object_set_new(o, "uid", recs[i].uid >= 0 ?
			    json_integer(recs[i].uid) : json_null());
			json_object_set_new(o, "reason", json_string(recs[i].reason));
			json_array_append_new(arr, o);
		}
		o = json_pack("{s:o}", "history", arr);
		if (warn[0] != '\0')
			json_object_set_new(o, "warning", json_string(warn));
		cmm_cmd_set_json(ctx, o);
	} else {
		if (warn[0] != '\0')
			cmm_cmd_printf(ctx, "warning: %s\n", warn);
		if (got == 0)
			cmm_cmd_printf(ctx, "no history yet\n");
		for (int i = 0; i < got; i++) {
			cmm_hist_format(&recs[i], line, sizeof(line));
			cmm_cmd_printf(ctx, "%s\n", line);
		}
	}
	free(recs);
	return CMM_CMD_OK;
}
