/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_cluster: `cluster`, what every node says of itself in the header of
 * its last datagram (its committed epoch and members, its flags, whom it
 * holds alive, its config digest), from the daemon's nodes snapshot.  Put
 * side by side, the rows show the sides of a partition from one node: a
 * peer on the other side keeps the last thing it said, and how long ago.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"

#define CLUSTER_SETBUF	256

/* What the node says it is: its own words are its flags. */
static const char *
cluster_says(const struct cmm_node_row *r)
{
	if (!r->self && r->heard_ms < 0)
		return NULL;
	if (r->peer.amnesiac)
		return "amnesiac";
	if (r->peer.leaving)
		return "leaving";
	return r->peer.member ? "member" : "outside";
}

/* "match", "mismatch", or NULL when nothing was heard from it. */
static const char *
cluster_config(const struct cmm_node_row *r)
{
	if (r->self)
		return "match";
	if (!r->wire.heard)
		return NULL;
	return r->wire.mismatch ? "mismatch" : "match";
}

static json_t *
cluster_row_json(const struct cmm_node_row *r)
{
	const char	*says = cluster_says(r), *cfg = cluster_config(r);
	bool		 known = says != NULL;
	json_t		*o = json_object();

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "self", json_boolean(r->self));
	json_object_set_new(o, "alive", json_boolean(r->peer.alive));
	json_object_set_new(o, "last_heard_ms", r->heard_ms >= 0 ?
	    json_integer(r->heard_ms) : json_null());
	json_object_set_new(o, "state", known ? json_string(says) : json_null());
	json_object_set_new(o, "epoch", known ? json_integer(r->peer.epoch) :
	    json_null());
	json_object_set_new(o, "members", known ?
	    cmm_set_json(&r->peer.members) : json_null());
	json_object_set_new(o, "sees", known && r->peer.has_row ?
	    cmm_set_json(&r->peer.row) : json_null());
	json_object_set_new(o, "config", cfg ? json_string(cfg) : json_null());
	return o;
}

CMM_CMD_FN(cmm_cmd_cluster)
{
	struct cmm_nodes_snap		 ns;
	struct cmm_daemon		*d;
	json_t				*arr = NULL, *o;
	char				 mem[CLUSTER_SETBUF], sees[CLUSTER_SETBUF];
	char				 heard[24];

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	if (cmm_daemon_nodes(d, &ns) < 0)
		return cmm_cmd_fail(ctx, "cluster: out of memory");
	if (ctx->json)
		arr = json_array();
	else
		cmm_cmd_printf(ctx, "  %4s %-5s %8s %-8s %6s %-16s %-16s %s\n",
		    "id", "alive", "heard", "says", "epoch", "members", "sees",
		    "config");
	for (int k = 0; k < ns.n; k++) {
		const struct cmm_node_row	*r = &ns.row[k];
		const char			*says = cluster_says(r);
		const char			*cfg = cluster_config(r);

		if (ctx->json) {
			json_array_append_new(arr, cluster_row_json(r));
			continue;
		}
		if (r->self)
			snprintf(heard, sizeof(heard), "-");
		else if (r->heard_ms < 0)
			snprintf(heard, sizeof(heard), "never");
		else
			snprintf(heard, sizeof(heard), "%" PRId64 "ms",
			    r->heard_ms);
		cmm_set_format(&r->peer.members, mem, sizeof(mem));
		cmm_set_format(&r->peer.row, sees, sizeof(sees));
		if (says == NULL)
			cmm_cmd_printf(ctx, "%c %4d %-5s %8s %-8s %6s %-16s %-16s "
			    "%s\n", r->self ? '*' : ' ', r->id,
			    r->peer.alive ? "yes" : "no", heard, "-", "-", "-",
			    "-", "-");
		else
			cmm_cmd_printf(ctx, "%c %4d %-5s %8s %-8s %6" PRIu32
			    " %-16s %-16s %s\n", r->self ? '*' : ' ', r->id,
			    r->peer.alive ? "yes" : "no", heard, says,
			    r->peer.epoch, mem[0] ? mem : "none",
			    r->peer.has_row ? (sees[0] ? sees : "none") : "-",
			    cfg ? cfg : "-");
	}
	if (ctx->json) {
		o = json_object();
		json_object_set_new(o, "node", json_integer(ns.self));
		json_object_set_new(o, "nodes", arr);
		cmm_cmd_set_json(ctx, o);
	}
	cmm_nodes_snap_free(&ns);
	return CMM_CMD_OK;
}
