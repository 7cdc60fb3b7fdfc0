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
	json_t *o = json_object(), *ch;

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
		json_object_set_new(o, "choices", ch);
	}
	json_object_set_new(o, "why", json_string(p->why ? p->why : ""));
	if (p->kind != CMM_PROMPT_NONE)
		json_object_set_new(o, "deadline_ms", p->deadline > 0 ?
		    json_integer(p->deadline - now) : json_null());
	json_object_set_new(o, "round_epoch", json_integer(p->round_epoch));
	json_object_set_new(o, "round_attempt", json_integer(p->round_attempt));
	json_object_set_new(o, "open", json_boolean(p->kind != CMM_PROMPT_NONE));
	return o;
}

json_t *
cmm_note_json(const struct cmm_note *n, int node, uint32_t epoch)
{
	const struct cmm_event	*ev;
	json_t			*o, *p;
	char			 t[CMM_ISO8601_LEN], why[256];
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
	default:		return NULL;
	}
	cmm_time_iso8601(0, n->wall_ns / 1000000, t, sizeof(t));
	o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "node", json_integer(node));
	json_object_set_new(o, "epoch", json_integer(epoch));
	json_object_set_new(o, "time", json_string(t));
	json_object_set_new(o, "mono_ns", json_integer(n->mono_ns));
	switch (n->type) {
	case CMM_NOTE_EVENT:
		ev = n->fx->u.event;
		json_object_set_new(o, "state",
		    json_string(cmm_state_name(ev->state)));
		if (ev->round_epoch != 0 || ev->round_attempt != 0) {
			json_object_set_new(o, "round_epoch",
			    json_integer(ev->round_epoch));
			json_object_set_new(o, "round_attempt",
			    json_integer(ev->round_attempt));
		}
		if (ev->peer >= 0)
			json_object_set_new(o, "peer", json_integer(ev->peer));
		if (ev->type == CMM_EV_COMMIT) {
			json_object_set_new(o, "members", cmm_set_json(&ev->members));
			json_object_set_new(o, "joined", cmm_set_json(&ev->joined));
			json_object_set_new(o, "departed",
			    cmm_set_json(&ev->departed));
		} else if (ev->type == CMM_EV_FENCE)
			json_object_set_new(o, "departed",
			    cmm_set_json(&ev->departed));
		if (ev->decision != NULL) {
			cmm_quorum_explain(ev->decision, why, sizeof(why));
			p = json_object();
			json_object_set_new(p, "method",
			    json_string(cmm_qmethod_name(ev->decision->method)));
			json_object_set_new(p, "votes",
			    json_integer(ev->decision->votes));
			json_object_set_new(p, "prev_size",
			    json_integer(ev->decision->prev_size));
			json_object_set_new(p, "crown_prince",
			    json_integer(ev->decision->crown_prince));
			json_object_set_new(p, "explain", json_string(why));
			json_object_set_new(o, "quorum", p);
		}
		json_object_set_new(o, "text", json_string(ev->text ? ev->text : ""));
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
		json_object_set_new(o, "sender", n->drop_sender >= 0 ?
		    json_integer(n->drop_sender) : json_null());
		json_object_set_new(o, "from", json_string(n->text ? n->text : ""));
		/* reports are rate-limited: one stands for this many */
		json_object_set_new(o, "count", json_integer((json_int_t)
		    (n->drop_count > 0 ? n->drop_count : 1)));
		break;
	case CMM_NOTE_OPERATOR:
		json_object_set_new(o, "uid", json_integer(n->uid));
		json_object_set_new(o, "text", json_string(n->text ? n->text : ""));
		break;
	default:
		json_object_set_new(o, "text", json_string(n->text ? n->text : ""));
		break;
	}
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
	default:
		snprintf(buf, len, "%s node %d epoch %" PRIu32 " %s: %s", t, node,
		    epoch, type, n->text ? n->text : "");
		break;
	}
	json_decref(o);
	return 0;
}
