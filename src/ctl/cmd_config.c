/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_config: `config`, the effective configuration of the node and its
 * config digest (docs/PROTOCOL.md "Config digest").  The quorum-relevant
 * part is printed as the very text the digest is computed over, so two
 * nodes whose digests differ can be compared line by line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"
#include "src/node/config.h"

/* A node's addresses as the config lists them: one per redundant link. */
static const char *
config_addresses(const struct cmm_node_addr *a, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < a->n_links && used < len; k++) {
		int n = snprintf(buf + used, len - used, "%s%s", k > 0 ? ", " : "",
		    a->link[k].address);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

static json_t *
config_nodes_json(const struct cmm_config *cfg)
{
	json_t *arr = json_array();
	char addrs[CMM_LINKS_MAX * (CMM_ADDR_MAX + 2)];

	for (int id = cmm_set_next(&cfg->core.configured, 0); id >= 0;
	    id = cmm_set_next(&cfg->core.configured, id + 1))
		json_array_append_new(arr, json_pack("{s:i,s:i,s:s}", "id", id,
		    "priority", cfg->core.priority[id], "address",
		    config_addresses(&cfg->node[id], addrs, sizeof(addrs))));
	return arr;
}

static json_t *
config_devices_json(const struct cmm_config *cfg)
{
	json_t *arr = json_array();

	for (int i = 0; i < cfg->core.n_devices; i++) {
		json_t *o = json_pack("{s:s,s:s,s:o}", "name",
		    cfg->core.devices[i].name, "path", cfg->device_path[i],
		    "nodes", cmm_set_json(&cfg->core.devices[i].nodes));

		if (o != NULL && cfg->device_arbiter[i].present)
			json_object_set_new(o, "arbiter",
			    json_string(cfg->device_arbiter[i].address));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
config_json(const struct cmm_config *cfg, const char *hex, const char *text)
{
	const struct cmm_core_cfg *c = &cfg->core;
	json_t *o = json_object();

	json_object_set_new(o, "path", json_string(cfg->path));
	json_object_set_new(o, "cluster", json_string(cfg->name));
	json_object_set_new(o, "config_version", json_integer(c->config_version));
	json_object_set_new(o, "config_digest", json_string(hex));
	json_object_set_new(o, "digest_covers", json_string(text));
	json_object_set_new(o, "initial_quorum",
	    json_string(cmm_config_initial_name(c->initial)));
	json_object_set_new(o, "isolation",
	    json_string(cmm_config_isolation_name(c->isolation)));
	json_object_set_new(o, "winner",
	    json_string(cmm_config_winner_name(c->winner)));
	json_object_set_new(o, "on_quorum_loss",
	    json_string(cmm_config_loss_name(c->on_quorum_loss)));
	json_object_set_new(o, "heartbeat_ms", json_integer(c->heartbeat_ms));
	json_object_set_new(o, "failure_timeout_ms",
	    json_integer(c->failure_timeout_ms));
	json_object_set_new(o, "round_timeout_ms",
	    json_integer(c->round_timeout_ms));
	json_object_set_new(o, "join_retry_ms", json_integer(c->join_retry_ms));
	json_object_set_new(o, "prompt_timeout_s",
	    json_integer(c->prompt_timeout_ms / 1000));
	json_object_set_new(o, "key_file", json_string(cfg->key_file));
	json_object_set_new(o, "state_dir", json_string(cfg->state_dir));
	json_object_set_new(o, "control_socket", json_string(cfg->control_socket));
	json_object_set_new(o, "hook", cfg->hook[0] != '\0' ?
	    json_string(cfg->hook) : json_null());
	json_object_set_new(o, "fault_injection",
	    json_boolean(cfg->fault_injection));
	json_object_set_new(o, "nodes", config_nodes_json(cfg));
	json_object_set_new(o, "devices", config_devices_json(cfg));
	return o;
}

static void
config_text(struct cmm_cmd_ctx *ctx, const struct cmm_config *cfg,
    const char *hex, const char *text)
{
	const struct cmm_core_cfg *c = &cfg->core;
	char addrs[CMM_LINKS_MAX * (CMM_ADDR_MAX + 2)];

	cmm_cmd_printf(ctx, "config %s\n", cfg->path);
	cmm_cmd_printf(ctx, "config digest %s (config_version %" PRIu32 ") "
	    "over these lines:\n", hex, c->config_version);
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");

		cmm_cmd_printf(ctx, "  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	cmm_cmd_printf(ctx, "not in the digest:\n");
	cmm_cmd_printf(ctx, "  heartbeat_ms %" PRId64 ", failure_timeout_ms %"
	    PRId64 ", round_timeout_ms %" PRId64 ", join_retry_ms %" PRId64
	    ", prompt_timeout_s %" PRId64 "\n", c->heartbeat_ms,
	    c->failure_timeout_ms, c->round_timeout_ms, c->join_retry_ms,
	    c->prompt_timeout_ms / 1000);
	cmm_cmd_printf(ctx, "  key_file %s\n  state_dir %s\n  control_socket "
	    "%s\n  hook %s\n  fault_injection %s\n", cfg->key_file,
	    cfg->state_dir, cfg->control_socket, cfg->hook[0] != '\0' ?
	    cfg->hook : "none", cfg->fault_injection ? "on" : "off");
	for (int id = cmm_set_next(&c->configured, 0); id >= 0;
	    id = cmm_set_next(&c->configured, id + 1))
		cmm_cmd_printf(ctx, "  node %d address %s\n", id,
		    config_addresses(&cfg->node[id], addrs, sizeof(addrs)));
	for (int i = 0; i < c->n_devices; i++)
		cmm_cmd_printf(ctx, "  device %s %s %s\n", c->devices[i].name,
		    cfg->device_arbiter[i].present ? "arbiter" : "path",
		    cfg->device_arbiter[i].present ?
		    cfg->device_arbiter[i].address : cfg->device_path[i]);
}

CMM_CMD_FN(cmm_cmd_config)
{
	const struct cmm_config	*cfg;
	struct cmm_daemon	*d;
	char			 hex[2 * CMM_DIGEST_LEN + 1];
	char			*text;

	if ((d = cmm_cmd_daemon(ctx)) == NULL)
		return CMM_CMD_ERROR;
	cfg = cmm_daemon_config(d);
	if ((text = cmm_config_canonical(cfg, NULL)) == NULL)
		return cmm_cmd_fail(ctx, "config: out of memory");
	cmm_digest_hex(cfg->core.digest, hex);
	if (ctx->json)
		cmm_cmd_set_json(ctx, config_json(cfg, hex, text));
	else
		config_text(ctx, cfg, hex, text);
	free(text);
	return CMM_CMD_OK;
}
