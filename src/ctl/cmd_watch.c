/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_watch: `wait`, `watch`, and how daemon notes look on a watch stream
 * (one JSON object or one human line per event). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"
#include "util/parse.h"
#include "util/timefmt.h"

#define SETBUF	(CMM_MAX_NODES * 5 + 8)
#define WAIT_MAX_S	86400

static int	wait_seconds(struct cmm_cmd_ctx *ctx, int argc, char **argv);
static const char *drop_group(enum cmm_drop d);

/* The optional SECONDS of `wait`: 0 (no limit) when omitted. */
static int
wait_seconds(struct cmm_cmd_ctx *ctx, int argc, char **argv)
{
	long long s = 0;

	if (argc == 2 && cmm_parse_int(argv[1], 0, WAIT_MAX_S, &s, NULL, 0) < 0) {
		cmm_cmd_fail(ctx, "%s: '%s' is not a number of seconds (0..%d)",
		    ctx->entry->name, argv[1], WAIT_MAX_S);
		return -1;
	}
	ctx->wait.seconds = (int)s;
	return 0;
}

CMM_CMD_FN(cmm_cmd_wait_state)
{
	int st;

	if (cmm_cmd_daemon(ctx) == NULL)
		return CMM_CMD_ERROR;
	if ((st = cmm_state_parse(argv[0])) < 0) {
		char names[256] = "";

		for (int i = 0; i < CMM_ST__COUNT; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
			    "%s%s", i ? ", " : "", cmm_state_name((enum cmm_state)i));
		return cmm_cmd_fail(ctx, "wait state: unknown state '%s' (%s)",
		    argv[0], names);
	}
	ctx->wait.kind = CMM_WAIT_STATE;
	ctx->wait.state = (enum cmm_state)st;
	if (wait_seconds(ctx, argc, argv) < 0)
		return CMM_CMD_ERROR;
	return CMM_CMD_WAIT;
}

CMM_CMD_FN(cmm_cmd_wait_members)
{
	const char *why;

	if (cmm_cmd_daemon(ctx) == NULL)
		return CMM_CMD_ERROR;
	if (strcmp(argv[0], "none") == 0)
		cmm_set_clear(&ctx->wait.members);
	else if (cmm_set_parse(argv[0], CMM_MAX_NODES,
	    &cmm_daemon_core_cfg(ctx->daemon)->configured, &ctx->wait.members,
	    &why) < 0)
		return cmm_cmd_fail(ctx, "wait members: '%s': %s", argv[0], why);
	ctx->wait.kind = CMM_WAIT_MEMBERS;
	if (wait_seconds(ctx, argc, argv) < 0)
		return CMM_CMD_ERROR;
	return CMM_CMD_WAIT;
}

CMM_CMD_FN(cmm_cmd_watch)
{
	if (cmm_cmd_daemon(ctx) == NULL)
		return CMM_CMD_ERROR;
	ctx->watch_json = ctx->json;
	return CMM_CMD_WATCH;
}

/* `wait members none` holds when the node is not a member; any other list
 * when the node is a member of exactly that committed cluster. */
bool
cmm_wait_holds(struct cmm_daemon *d, const struct cmm_wait *w, char *desc,
    size_t len)
{
	struct cmm_status_snap	s;
	const struct cmm_core_status *st = &s.st;
	char			m[SETBUF];

	cmm_daemon_status(d, &s);
	if (w->kind == CMM_WAIT_STATE) {
		snprintf(desc, len, "state is %s", cmm_state_name(st->state));
		return st->state == w->state;
	}
	if (!st->member) {
		snprintf(desc, len, "not a member (state %s)",
		    cmm_state_name(st->state));
		return cmm_set_empty(&w->members);
	}
	cmm_set_format(&st->members, m, sizeof(m));
	snprintf(desc, len, "members are %s (epoch %" PRIu32 ")", m, st->epoch);
	return cmm_set_eq(&st->members, &w->members);
}

/* ---- the watch stream ---- */

/* The status counter a reason is counted in (net/wire.h groups
 * SHORT..MALFORMED but VERSION as malformed). */
static const char *
drop_group(enum cmm_drop d)
{
	switch (d) {
	case CMM_DROP_FOREIGN:		return "foreign";
	case CMM_DROP_AUTH:		return "auth";
	case CMM_DROP_REPLAY:		return "replay";
	case CMM_DROP_MISDIRECTED:	return "misdirected";
	case CMM_DROP_CONFIG:		return "config";
	case CMM_DROP_VERSION:		return "version";
	default:			return "malformed";
	}
}

/* Kind and choices first, as status showed them before it shared this
 * encoder with the `?` line (readers match on that prefix). */
json_t *
cmm_prompt_json(const struct cmm_prompt *p, int64_t now)
{
	json_t *o = json_object(), *ch = json_null();

	if (p->kind != CMM_PROMPT_NONE) {
		ch = json_array();
		if (p->kind == CMM_PROMPT_ISOLATION) {
			json_object_set_new(o, "kind", json_string("isolation"));
			json_array_append_new(ch, json_string("isolated"));
			json_array_append_new(ch, json_string("not-isolated"));
		} else {
			json_object_set_new(o, "kind", json_string("winner"));
			json_array_append_new(ch, json_integer(p->choice[0]));
			json_array_append_new(ch, json_integer(p->choice[1]));
		}
	} else
		json_object_set_new(o, "kind", json_null());
	json_object_set_new(o, "choices", ch);
	json_object_set_new(o, "why", json_string(p->why ? p->why : ""));
	/* null: open with no time limit, or closed */
	json_object_set_new(o, "deadline_ms", p->kind != CMM_PROMPT_NONE &&
	    p->deadline > 0 ? json_integer(p->deadline - now) : json_null());
	json_object_set_new(o, "round_epoch", json_integer(p->round_epoch));
	json_object_set_new(o, "round_attempt", json_integer(p->round_attempt));
	json_object_set_new(o, "open", json_boolean(p->kind != CMM_PROMPT_NONE));
	return o;
}

const char *const cmm_watch_note_types[] = {
	"snapshot",	/* the first line: the status */
	"prompt",	/* a prompt opened or closed */
	"log",		/* a warning or error the node logged */
	"drop",		/* datagrams dropped (rate-limited reports) */
	"hook",		/* the hook program ran */
	"operator",	/* an operator changed the node */
	"link",		/* a redundant link went down or came up */
	"lost",		/* this watcher read too slowly: seq skips */
	"gap",		/* cmm ctl watch --reconnect: the node was away */
	NULL,
};

static json_t *
id_or_null(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* The fields every server-made watch line starts with; "seq" is null
 * until the watcher's stream numbers it. */
static json_t *
watch_head(const char *type, int node, uint32_t epoch, int64_t mono_ns,
    int64_t wall_ns)
{
	json_t	*o = json_object();
	char	 t[CMM_ISO8601_LEN];

	cmm_time_iso8601(0, wall_ns / 1000000, t, sizeof(t));
	json_object_set_new(o, "api", json_integer(CMM_API_VERSION));
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "seq", json_null());
	json_object_set_new(o, "node", json_integer(node));
	json_object_set_new(o, "epoch", json_integer(epoch));
	json_object_set_new(o, "time", json_string(t));
	json_object_set_new(o, "mono_ns", json_integer(mono_ns));
	return o;
}

/* The devices a FENCE event fences on: those this node shares with a
 * departed node (the core's commit step does the same walk). */
static json_t *
fence_devices_json(const struct cmm_core_cfg *cfg, int node,
    const struct cmm_set *departed)
{
	json_t		*a = json_array();
	struct cmm_set	 both;

	for (int i = 0; cfg != NULL && i < cfg->n_devices; i++) {
		if (!cmm_set_has(&cfg->devices[i].nodes, node))
			continue;
		cmm_set_and(&both, &cfg->devices[i].nodes, departed);
		if (!cmm_set_empty(&both))
			json_array_append_new(a, json_string(cfg->devices[i].name));
	}
	return a;
}

/* "round (E,a) WHAT": WHAT's step kind and, for "proposing {S}", S. */
static void
round_event_json(json_t *o, const char *text)
{
	const char	*what = text, *ob, *cb, *why;
	struct cmm_set	 s;
	char		 list[CMM_MAX_NODES * 5];
	json_t		*prop = NULL;

	if (strncmp(what, "round (", 7) == 0 && (what = strchr(what, ')')) != NULL)
		what += what[1] == ' ' ? 2 : 1;
	else
		what = text;
	if (strncmp(what, "proposing {", 11) == 0) {
		ob = what + 11;
		cb = strchr(ob, '}');
		if (cb != NULL && (size_t)(cb - ob) < sizeof(list)) {
			memcpy(list, ob, (size_t)(cb - ob));
			list[cb - ob] = '\0';
			if (list[0] == '\0')
				prop = json_array();
			else if (cmm_set_parse(list, CMM_MAX_NODES, NULL, &s,
			    &why) == 0)
				prop = cmm_set_json(&s);
		}
	}
	json_object_set_new(o, "step", json_string(cmm_round_step_kind(what)));
	json_object_set_new(o, "step_text", json_string(what));
	json_object_set_new(o, "proposal", prop != NULL ? prop : json_null());
}

static void
event_json(json_t *o, const struct cmm_event *ev, int node,
    const struct cmm_core_cfg *cfg)
{
	json_object_set_new(o, "state", json_string(cmm_state_name(ev->state)));
	/* an event of no particular round has both 0 */
	json_object_set_new(o, "round_epoch", ev->round_epoch != 0 ||
	    ev->round_attempt != 0 ? json_integer(ev->round_epoch) : json_null());
	json_object_set_new(o, "round_attempt", ev->round_epoch != 0 ||
	    ev->round_attempt != 0 ? json_integer(ev->round_attempt) :
	    json_null());
	json_object_set_new(o, "peer", id_or_null(ev->peer));
	switch (ev->type) {
	case CMM_EV_COMMIT:
		json_object_set_new(o, "members", cmm_set_json(&ev->members));
		json_object_set_new(o, "joined", cmm_set_json(&ev->joined));
		json_object_set_new(o, "departed", cmm_set_json(&ev->departed));
		json_object_set_new(o, "quorum", ev->decision != NULL ?
		    cmm_decision_json(ev->decision, cfg, NULL) : json_null());
		break;
	case CMM_EV_QUORUM:
	case CMM_EV_NO_QUORUM:
		json_object_set_new(o, "quorum", ev->decision != NULL ?
		    cmm_decision_json(ev->decision, cfg, NULL) : json_null());
		break;
	case CMM_EV_FENCE:
		/* fenced false: the loud "NOT FENCED" line, departed nodes
		 * that share no device with a member (devices then empty) */
		json_object_set_new(o, "fenced", json_boolean(!ev->unfenced));
		json_object_set_new(o, "departed", cmm_set_json(&ev->departed));
		json_object_set_new(o, "devices", ev->unfenced ? json_array() :
		    fence_devices_json(cfg, node, &ev->departed));
		/* true: their watchdogs fenced them, waited out */
		json_object_set_new(o, "watchdog", json_boolean(ev->by_watchdog));
		break;
	case CMM_EV_ANSWER:
		/* true: the prompt timed out and the configured policy
		 * answered, not an operator */
		json_object_set_new(o, "timed_out", json_boolean(ev->timed_out));
		break;
	case CMM_EV_LEARN:
		json_object_set_new(o, "members", cmm_set_json(&ev->members));
		break;
	case CMM_EV_SPLIT_BRAIN:
		json_object_set_new(o, "members", cmm_set_json(&ev->members));
		json_object_set_new(o, "theirs", cmm_set_json(&ev->departed));
		break;
	case CMM_EV_FAILURE:
		/* true: a port-unreachable and unanswered probes, not the
		 * timeout */
		json_object_set_new(o, "fast", json_boolean(ev->fast));
		break;
	case CMM_EV_SUSPECT:
		/* null: the unreachable came here; else who reported it */
		json_object_set_new(o, "reporter", id_or_null(ev->reporter));
		break;
	case CMM_EV_ROUND:
		round_event_json(o, ev->text ? ev->text : "");
		break;
	default:
		break;
	}
	json_object_set_new(o, "text", json_string(ev->text ? ev->text : ""));
}

json_t *
cmm_note_json(const struct cmm_note *n, int node, uint32_t epoch)
{
	return cmm_note_json_cfg(n, node, epoch, NULL);
}

json_t *
cmm_note_json_cfg(const struct cmm_note *n, int node, uint32_t epoch,
    const struct cmm_core_cfg *cfg)
{
	const struct cmm_event	*ev = NULL;
	json_t			*o, *p;
	const char		*type;

	switch (n->type) {
	case CMM_NOTE_EVENT:
		ev = n->fx->u.event;
		/* the PROMPT note carries the same, with the choices */
		if (ev->type == CMM_EV_PROMPT)
			return NULL;
		type = cmm_event_type_name(ev->type);
		epoch = ev->epoch;
		break;
	case CMM_NOTE_PROMPT:	type = "prompt"; break;
	case CMM_NOTE_LOG:
		/* events are streamed as themselves; only trouble from logs */
		if (n->level > CMM_LOG_WARN)
			return NULL;
		type = "log";
		break;
	case CMM_NOTE_DROP:	type = "drop"; break;
	case CMM_NOTE_HOOK:	type = "hook"; break;
	case CMM_NOTE_OPERATOR:	type = "operator"; break;
	case CMM_NOTE_LINK:	type = "link"; break;
	default:		return NULL;
	}
	o = watch_head(type, node, epoch, n->mono_ns, n->wall_ns);
	switch (n->type) {
	case CMM_NOTE_EVENT:
		event_json(o, ev, node, cfg);
		break;
	case CMM_NOTE_PROMPT:
		p = cmm_prompt_json(n->fx->u.prompt, 0);
		/* the prompt's deadline is on the core's clock; drop it here */
		json_object_del(p, "deadline_ms");
		json_object_update(o, p);
		json_decref(p);
		break;
	case CMM_NOTE_LOG:
		json_object_set_new(o, "level",
		    json_string(cmm_log_level_name(n->level)));
		json_object_set_new(o, "text", json_string(n->text ? n->text : ""));
		break;
	case CMM_NOTE_DROP:
		json_object_set_new(o, "reason", json_string(cmm_drop_name(n->drop)));
		json_object_set_new(o, "counter", json_string(drop_group(n->drop)));
		json_object_set_new(o, "sender", id_or_null(n->drop_sender));
		json_object_set_new(o, "from", json_string(n->text ? n->text : ""));
		/* reports are rate-limited: one stands for this many */
		json_object_set_new(o, "count", json_integer((json_int_t)
		    (n->drop_count > 0 ? n->drop_count : 1)));
		break;
	case CMM_NOTE_OPERATOR:
		json_object_set_new(o, "uid", n->uid >= 0 ?
		    json_integer(n->uid) : json_null());
		json_object_set_new(o, "text", json_string(n->text ? n->text : ""));
		break;
	case CMM_NOTE_LINK:
		json_object_set_new(o, "peer", json_integer(n->link_peer));
		json_object_set_new(o, "link", json_integer(n->link));
		json_object_set_new(o, "up", json_boolean(n->link_up));
		json_object_set_new(o, "address", json_string(n->text ? n->text :
		    ""));
		break;
	default:
		json_object_set_new(o, "text", json_string(n->text ? n->text : ""));
		break;
	}
	return o;
}

json_t *
cmm_snapshot_json(const struct cmm_status_snap *s, int64_t mono_ns,
    int64_t wall_ns)
{
	json_t *o = watch_head("snapshot", s->st.node, s->st.epoch, mono_ns,
	    wall_ns);

	json_object_set_new(o, "seq", json_integer(0));
	json_object_set_new(o, "status", cmm_status_json(s));
	return o;
}

void
cmm_snapshot_text(const struct cmm_status_snap *s, int64_t wall_ns, char *buf,
    size_t len)
{
	char t[CMM_ISO8601_LEN], m[SETBUF];

	cmm_time_iso8601(0, wall_ns / 1000000, t, sizeof(t));
	cmm_set_format(&s->st.members, m, sizeof(m));
	snprintf(buf, len, "%s node %d epoch %" PRIu32 " snapshot: %s, members "
	    "%s, quorum %s%s", t, s->st.node, s->st.epoch,
	    cmm_state_name(s->st.state), m[0] ? m : "none",
	    cmm_status_quorum(&s->st) ? "yes" : "no",
	    s->prompt.kind != CMM_PROMPT_NONE ? ", a prompt is open" : "");
}

json_t *
cmm_lost_json(int node, uint32_t epoch, uint64_t first_seq, uint64_t count,
    int64_t mono_ns, int64_t wall_ns)
{
	json_t *o = watch_head("lost", node, epoch, mono_ns, wall_ns);

	json_object_set_new(o, "seq", json_integer((json_int_t)first_seq));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	return o;
}

int
cmm_note_text(const struct cmm_note *n, int node, uint32_t epoch, char *buf,
    size_t len)
{
	const struct cmm_prompt	*p;
	char			 t[CMM_ISO8601_LEN], m[SETBUF];
	json_t			*o;
	const char		*type;

	if ((o = cmm_note_json(n, node, epoch)) == NULL)
		return -1;
	type = json_string_value(json_object_get(o, "type"));
	epoch = (uint32_t)json_integer_value(json_object_get(o, "epoch"));
	cmm_time_iso8601(0, n->wall_ns / 1000000, t, sizeof(t));
	switch (n->type) {
	case CMM_NOTE_EVENT:
		if (n->fx->u.event->type == CMM_EV_COMMIT) {
			cmm_set_format(&n->fx->u.event->members, m, sizeof(m));
			snprintf(buf, len, "%s node %d epoch %" PRIu32 " commit: "
			    "members %s (%s)", t, node, epoch, m,
			    n->fx->u.event->text ? n->fx->u.event->text : "");
			break;
		}
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " %s: %s", t, node,
		    epoch, type, n->fx->u.event->text ? n->fx->u.event->text : "");
		break;
	case CMM_NOTE_PROMPT:
		p = n->fx->u.prompt;
		if (p->kind == CMM_PROMPT_WINNER)
			snprintf(buf, len, "%s node %d epoch %" PRIu32 " prompt: "
			    "which node wins, %d or %d? (%s)", t, node, epoch,
			    p->choice[0], p->choice[1], p->why ? p->why : "");
		else if (p->kind == CMM_PROMPT_ISOLATION)
			snprintf(buf, len, "%s node %d epoch %" PRIu32 " prompt: "
			    "is this node isolated? (%s)", t, node, epoch,
			    p->why ? p->why : "");
		else
			snprintf(buf, len, "%s node %d epoch %" PRIu32 " prompt "
			    "closed: %s", t, node, epoch, p->why ? p->why : "");
		break;
	case CMM_NOTE_DROP:
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " drop: %s x%" PRIu64
		    " from %s", t, node, epoch, cmm_drop_name(n->drop),
		    n->drop_count > 0 ? n->drop_count : 1, n->text ? n->text : "?");
		break;
	case CMM_NOTE_OPERATOR:
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " operator uid %ld: "
		    "%s", t, node, epoch, n->uid, n->text ? n->text : "");
		break;
	case CMM_NOTE_LINK:
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " link: link %d to "
		    "node %d (%s) %s", t, node, epoch, n->link, n->link_peer,
		    n->text ? n->text : "?", n->link_up ? "up" : "down");
		break;
	default:
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " %s: %s", t, node,
		    epoch, type, n->text ? n->text : "");
		break;
	}
	json_decref(o);
	return 0;
}
