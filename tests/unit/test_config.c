/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for src/node/config.c: every key, the defaults, %n expansion,
 * addresses, relative paths, and every rejection with its exact one-line
 * message (file, line, key, reason).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/mac.h"
#include "net/wire.h"
#include "src/node/config.h"

static char tmpdir[256];	/* realpath'd, as the loader reports it */
static char cfgpath[512];
static struct cmm_config *cfg;
static char err[512];
static int cur_case = -1;	/* index into bad_configs, for messages */

/* The nodes first, so lines appended after BASE land in [cluster]. */
#define BASE \
	"[node 0]\n"			/* 1 */ \
	"address = 127.0.0.1:7400\n"	/* 2 */ \
	"[node 1]\n"			/* 3 */ \
	"address = 127.0.0.1:7401\n"	/* 4 */ \
	"[cluster]\n"			/* 5 */ \
	"name = test\n"			/* 6 */ \
	"key_file = key\n"		/* 7 */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	char	tmpl[] = "/tmp/cmm-test-config-XXXXXX";
	char	*real;

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	real = realpath(tmpl, NULL);
	if (real == NULL)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "%s", real);
	free(real);
	snprintf(cfgpath, sizeof(cfgpath), "%s/c.conf", tmpdir);
	cfg = calloc(1, sizeof(*cfg));
	return cfg == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(cfg);
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
load(const char *text)
{
	write_file(cfgpath, text);
	err[0] = '\0';
	return cmm_config_load(cfgpath, cfg, err, sizeof(err));
}

static void
load_ok(const char *text)
{
	if (load(text) != 0)
		fail_msg("case %d: load failed: %s", cur_case, err);
}

/* The load fails with exactly "<cfgpath><rest>" and one line. */
static void
load_fails(const char *text, const char *rest)
{
	char	want[1024];

	snprintf(want, sizeof(want), "%s%s", cfgpath, rest);
	if (load(text) != -1)
		fail_msg("case %d: accepted; expected \"%s\"", cur_case, want);
	if (strchr(err, '\n') != NULL)
		fail_msg("case %d: message has a newline: \"%s\"", cur_case, err);
	if (strcmp(err, want) != 0)
		fail_msg("case %d:\ngot  \"%s\"\nwant \"%s\"", cur_case, err,
		    want);
}

static void
test_every_key(void **state)
{
	char	want[600];
	struct sockaddr_in *sin;

	(void)state;
	load_ok("; a comment\n"
	    "# another\n"
	    "[cluster]\n"
	    "name = prod-a\n"
	    "key_file = /etc/cmm/key\n"
	    "heartbeat_ms = 50\n"
	    "failure_timeout_ms = 400\n"
	    "round_timeout_ms = 300\n"
	    "join_retry_ms = 2000\n"
	    "initial_quorum = any\n"
	    "isolation = not-isolated\n"
	    "winner = highest\n"
	    "prompt_timeout_s = 30\n"
	    "on_quorum_loss = halt\n"
	    "state_dir = /srv/cmm/n%n\n"
	    "control_socket = /run/x/%n.sock\n"
	    "hook = /usr/lib/cmm/hook.sh\n"
	    "fault_injection = on\n"
	    "\n"
	    "[node 3]\n"
	    "address = 10.0.0.3:7000\n"
	    "priority = 100\n"
	    "[node 1023]\n"
	    "  address = [2001:db8::1]:7001   ; indented, trailing comment\n"
	    "[device disk-0.a_b]\n"
	    "path = /shared/d0\n"
	    "nodes = 3  1023\n");
	assert_string_equal(cfg->path, cfgpath);
	assert_string_equal(cfg->dir, tmpdir);
	assert_string_equal(cfg->name, "prod-a");
	assert_int_equal(cfg->cluster_id, cmm_wire_cluster_id("prod-a"));
	assert_string_equal(cfg->key_file, "/etc/cmm/key");
	assert_int_equal(cfg->core.heartbeat_ms, 50);
	assert_int_equal(cfg->core.failure_timeout_ms, 400);
	assert_int_equal(cfg->core.round_timeout_ms, 300);
	assert_int_equal(cfg->core.join_retry_ms, 2000);
	assert_int_equal(cfg->core.initial, CMM_INITIAL_ANY);
	assert_int_equal(cfg->core.isolation, CMM_ISOLATION_NOT_ISOLATED);
	assert_int_equal(cfg->core.winner, CMM_WINNER_HIGHEST);
	assert_int_equal(cfg->core.prompt_timeout_ms, 30000);
	assert_int_equal(cfg->core.on_quorum_loss, CMM_LOSS_HALT);
	assert_string_equal(cfg->state_dir, "/srv/cmm/n%n");
	assert_string_equal(cfg->control_socket, "/run/x/%n.sock");
	assert_string_equal(cfg->hook, "/usr/lib/cmm/hook.sh");
	assert_true(cfg->fault_injection);

	assert_int_equal(cfg->n_nodes, 2);
	assert_int_equal(cmm_set_count(&cfg->core.configured), 2);
	assert_true(cmm_set_has(&cfg->core.configured, 3));
	assert_true(cmm_set_has(&cfg->core.configured, 1023));
	assert_true(cfg->node[3].present);
	assert_false(cfg->node[0].present);
	assert_int_equal(cfg->node[3].line, 20);
	assert_int_equal(cfg->node[3].address_line, 21);
	assert_int_equal(cfg->core.priority[3], 100);
	assert_int_equal(cfg->core.priority[1023], 1023);
	assert_string_equal(cfg->node[3].address, "10.0.0.3:7000");
	assert_string_equal(cfg->node[3].host, "10.0.0.3");
	assert_int_equal(cfg->node[3].port, 7000);
	assert_int_equal(cfg->node[3].family, AF_INET);
	sin = (struct sockaddr_in *)&cfg->node[3].sa;
	assert_int_equal(cfg->node[3].salen, sizeof(*sin));
	assert_int_equal(ntohs(sin->sin_port), 7000);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x0a000003);

	assert_int_equal(cfg->core.n_devices, 1);
	assert_string_equal(cfg->core.devices[0].name, "disk-0.a_b");
	assert_int_equal(cmm_set_count(&cfg->core.devices[0].nodes), 2);
	assert_true(cmm_set_has(&cfg->core.devices[0].nodes, 1023));
	assert_string_equal(cfg->device_path[0], "/shared/d0");
	assert_int_equal(cmm_config_device(cfg, "disk-0.a_b"), 0);
	assert_int_equal(cmm_config_device(cfg, "nope"), -1);

	assert_int_equal(cmm_config_check_id(cfg, 3, err, sizeof(err)), 0);
	assert_int_equal(cmm_config_check_id(cfg, 2, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: node 2 is not configured (no "
	    "[node 2] section)", cfgpath);
	assert_string_equal(err, want);
	assert_int_equal(cmm_config_check_id(cfg, 1024, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: node id 1024 out of range (0..1023)",
	    cfgpath);
	assert_string_equal(err, want);
}

/* Both ends of every range are taken, and the rule's edge. */
static void
test_bounds_accepted(void **state)
{
	(void)state;
	load_ok(BASE "heartbeat_ms = 1\nfailure_timeout_ms = 3\n"
	    "round_timeout_ms = 1\njoin_retry_ms = 1\nprompt_timeout_s = 0\n"
	    "config_version = 1\n");
	assert_int_equal(cfg->core.heartbeat_ms, 1);
	assert_int_equal(cfg->core.failure_timeout_ms, 3);
	assert_int_equal(cfg->core.round_timeout_ms, 1);
	assert_int_equal(cfg->core.join_retry_ms, 1);
	assert_int_equal(cfg->core.prompt_timeout_ms, 0);
	load_ok(BASE "heartbeat_ms = 60000\nfailure_timeout_ms = 600000\n"
	    "round_timeout_ms = 600000\njoin_retry_ms = 600000\n"
	    "prompt_timeout_s = 604800\nconfig_version = 4294967295\n");
	assert_int_equal(cfg->core.heartbeat_ms, 60000);
	assert_int_equal(cfg->core.failure_timeout_ms, 600000);
	assert_int_equal(cfg->core.round_timeout_ms, 600000);
	assert_int_equal(cfg->core.join_retry_ms, 600000);
	assert_int_equal(cfg->core.prompt_timeout_ms, 604800000);
	assert_int_equal(cfg->core.config_version, UINT32_MAX);
	/* the rule: just above twice the heartbeat, either order */
	load_ok(BASE "failure_timeout_ms = 201\nheartbeat_ms = 100\n");
	load_ok(BASE "heartbeat_ms = 499\n");
}

static void
test_defaults(void **state)
{
	char	want[600];

	(void)state;
	load_ok(BASE);
	assert_int_equal(cfg->core.heartbeat_ms, 100);
	assert_int_equal(cfg->core.failure_timeout_ms, 1000);
	assert_int_equal(cfg->core.round_timeout_ms, 500);
	assert_int_equal(cfg->core.join_retry_ms, 1000);
	assert_int_equal(cfg->core.initial, CMM_INITIAL_MAJORITY);
	assert_int_equal(cfg->core.isolation, CMM_ISOLATION_ASK);
	assert_int_equal(cfg->core.winner, CMM_WINNER_ASK);
	assert_int_equal(cfg->core.prompt_timeout_ms, 0);
	assert_int_equal(cfg->core.on_quorum_loss, CMM_LOSS_REJOIN);
	assert_string_equal(cfg->state_dir, "/var/lib/cmm/node%n");
	assert_string_equal(cfg->control_socket, "/run/cmm/node%n.sock");
	assert_string_equal(cfg->hook, "");
	assert_false(cfg->fault_injection);
	assert_int_equal(cfg->core.config_version, 1);
	assert_int_equal(cfg->core.n_devices, 0);
	assert_int_equal(cfg->core.priority[0], 0);
	assert_int_equal(cfg->core.priority[1], 1);
	/* relative key_file: next to the config file */
	snprintf(want, sizeof(want), "%s/key", tmpdir);
	assert_string_equal(cfg->key_file, want);

	load_ok(BASE "hook = none\n");
	assert_string_equal(cfg->hook, "");
	assert_string_equal(cmm_config_initial_name(cfg->core.initial), "majority");
	assert_string_equal(cmm_config_isolation_name(CMM_ISOLATION_NOT_ISOLATED),
	    "not-isolated");
	assert_string_equal(cmm_config_winner_name(CMM_WINNER_LOWEST), "lowest");
	assert_string_equal(cmm_config_loss_name(CMM_LOSS_HALT), "halt");
}

static void
test_expand(void **state)
{
	char	buf[600], want[600];

	(void)state;
	load_ok(BASE "state_dir = /a/n%n/b%%n\ncontrol_socket = s%n.sock\n");
	assert_int_equal(cmm_config_state_dir(cfg, 7, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/n7/b%n");
	assert_int_equal(cmm_config_state_dir(cfg, 1023, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/n1023/b%n");
	assert_int_equal(cmm_config_socket(cfg, 12, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/s12.sock", tmpdir);
	assert_string_equal(buf, want);
	/* too small: -1 and a terminated prefix */
	assert_int_equal(cmm_config_state_dir(cfg, 7, buf, 6), -1);
	assert_string_equal(buf, "/a/n7");
	assert_int_equal(cmm_config_state_dir(cfg, 7, buf, 5), -1);
	assert_string_equal(buf, "/a/n");
	/* the defaults */
	load_ok(BASE);
	assert_int_equal(cmm_config_state_dir(cfg, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/var/lib/cmm/node3");
	assert_int_equal(cmm_config_socket(cfg, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/cmm/node3.sock");
}

/* A '%' in the config's own directory stays literal after expansion. */
static void
test_expand_percent_dir(void **state)
{
	char	dir[300], path[400], buf[600], want[600], save[512];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/50%%n", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/c.conf", dir);
	memcpy(save, cfgpath, sizeof(save));
	snprintf(cfgpath, sizeof(cfgpath), "%s", path);
	load_ok(BASE "state_dir = st%n\n");
	memcpy(cfgpath, save, sizeof(save));
	assert_int_equal(cmm_config_state_dir(cfg, 4, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/st4", dir);
	assert_string_equal(buf, want);
}

static void
test_addresses(void **state)
{
	struct sockaddr_in6 *sin6;
	struct in6_addr loop = IN6ADDR_LOOPBACK_INIT;

	(void)state;
	load_ok(BASE "[node 2]\naddress = [::1]:7402\n"
	    "[node 4]\naddress = [::1]:7400\n"	/* same port, other family */
	    "[node 5]\naddress = 127.0.0.2:7400\n");
	assert_int_equal(cfg->node[2].family, AF_INET6);
	assert_string_equal(cfg->node[2].host, "::1");
	assert_string_equal(cfg->node[2].address, "[::1]:7402");
	assert_int_equal(cfg->node[2].port, 7402);
	sin6 = (struct sockaddr_in6 *)&cfg->node[2].sa;
	assert_int_equal(cfg->node[2].salen, sizeof(*sin6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 7402);
	assert_memory_equal(&sin6->sin6_addr, &loop, sizeof(loop));
	assert_int_equal(cfg->node[5].port, 7400);
	assert_int_equal(cfg->n_nodes, 5);
}

/* Redundant links: one address per link, IPv4 and IPv6 mixed, every node
 * the same number; the first one is the node's address as before. */
#define LINKS \
	"[cluster]\nname = test\nkey_file = key\n" \
	"[node 0]\naddress = 127.0.0.1:7400, [::1]:7400\n" \
	"[node 1]\naddress = 127.0.0.1:7401,[::1]:7401 \n"
static void
test_links(void **state)
{
	(void)state;
	load_ok(LINKS);
	assert_int_equal(cfg->n_links, 2);
	assert_int_equal(cfg->node[1].n_links, 2);
	assert_string_equal(cfg->node[1].address, "127.0.0.1:7401");
	assert_string_equal(cfg->node[1].link[0].address, "127.0.0.1:7401");
	assert_string_equal(cfg->node[1].link[1].address, "[::1]:7401");
	assert_int_equal(cfg->node[1].link[1].sa.ss_family, AF_INET6);
	assert_int_equal(cfg->node[1].family, AF_INET);
	load_ok(BASE);
	assert_int_equal(cfg->n_links, 1);
	assert_int_equal(cfg->node[0].n_links, 1);
	assert_string_equal(cfg->node[0].link[0].address, "127.0.0.1:7400");
	load_ok(LINKS "[node 2]\naddress = 10.0.0.2:1, 10.1.0.2:1\n");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1\n", ":9: address: "
	    "node 2 has 1 address, node 0 has 2: every node needs one address "
	    "per link");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1, 10.0.0.3:1, "
	    "10.0.0.4:1, 10.0.0.5:1, 10.0.0.6:1\n", ":9: address: more than 4 "
	    "addresses (one per link, at most 4 links)");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1, 10.0.0.2:1\n",
	    ":9: address: 10.0.0.2:1 is listed twice");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1, [::1]:7400\n",
	    ":9: address: [::1]:7400 is already an address of node 0 (line 5)");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1,\n",
	    ":9: address: an empty address in the list '10.0.0.2:1,'");
	load_fails(LINKS "[node 2]\naddress = 10.0.0.2:1, ::1:7\n",
	    ":9: address: '::1:7': an IPv6 address needs brackets: [ADDR]:PORT");
}
#undef LINKS

static void
test_paths_relative(void **state)
{
	char	want[600];

	(void)state;
	load_ok(BASE "hook = hooks/run.sh\nstate_dir = ../st/%n\n"
	    "[device d01]\npath = dev/d01\nnodes = 0 1\n");
	snprintf(want, sizeof(want), "%s/hooks/run.sh", tmpdir);
	assert_string_equal(cfg->hook, want);
	snprintf(want, sizeof(want), "%s/../st/%%n", tmpdir);
	assert_string_equal(cfg->state_dir, want);
	snprintf(want, sizeof(want), "%s/dev/d01", tmpdir);
	assert_string_equal(cfg->device_path[0], want);
}

/* The shipped FIG. 1 sample loads and is the six-node ring. */
static void
test_fig1_sample(void **state)
{
	static const int ring[6][2] = {
		{ 0, 3 }, { 3, 5 }, { 5, 1 }, { 1, 4 }, { 4, 2 }, { 2, 0 },
	};
	const char *top = getenv("CMM_SRCDIR");
	char	path[600], buf[600];
	int	i;

	(void)state;
	snprintf(path, sizeof(path), "%s/assets/fig1.conf", top ? top : ".");
	if (access(path, R_OK) != 0)
		fail_msg("%s: the shipped sample is missing (run from the top "
		    "of the tree or set CMM_SRCDIR)", path);
	if (cmm_config_load(path, cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->n_nodes, 6);
	assert_int_equal(cfg->core.n_devices, 6);
	for (i = 0; i < 6; i++) {
		const struct cmm_device_cfg *d = &cfg->core.devices[i];

		assert_int_equal(cfg->node[i].port, 7400 + i);
		assert_string_equal(cfg->node[i].host, "127.0.0.1");
		assert_int_equal(cmm_set_count(&d->nodes), 2);
		assert_true(cmm_set_has(&d->nodes, ring[i][0]));
		assert_true(cmm_set_has(&d->nodes, ring[i][1]));
		snprintf(buf, sizeof(buf), "/var/lib/cmm/devices/%s", d->name);
		assert_string_equal(cfg->device_path[i], buf);
	}
}

struct bad {
	const char	*text;
	const char	*rest;	/* the message after the file name */
};

static const struct bad bad_configs[] = {
	/* sections */
	{ BASE "[foo]\n",
	  ":8: [foo]: unknown section (expected [cluster], [node N] or "
	  "[device NAME])" },
	{ BASE "[cluster]\n", ":8: [cluster]: duplicate section (first at line 5)" },
	{ BASE "[node 1]\n", ":8: [node 1]: duplicate section (first at line 3)" },
	{ BASE "[node 1024]\n", ":8: [node 1024]: node id out of range (0..1023)" },
	{ BASE "[node 99999999999999999999]\n",
	  ":8: [node 99999999999999999999]: node id out of range (0..1023)" },
	{ BASE "[node x]\n",
	  ":8: [node x]: bad node id (expected [node N], N in 0..1023)" },
	{ BASE "[node -1]\n",
	  ":8: [node -1]: bad node id (expected [node N], N in 0..1023)" },
	{ BASE "[node 2\n", ":8: [node 2: syntax error: no closing ']'" },
	{ BASE "[device a/b]\n", ":8: [device a/b]: bad device name (letters, "
	  "digits, '.', '_' and '-' only)" },
	{ BASE "[device ]\n", ":8: [device ]: device name missing" },
	{ BASE "[device d]\npath=/x\nnodes=0 1\n[device d]\n",
	  ":11: [device d]: duplicate section (first at line 8)" },
	{ "name = x\n" BASE, ":1: name: key outside any section" },
	{ BASE "just words\n",
	  ":8: line: syntax error (expected [SECTION] or KEY = VALUE)" },
	/* whole file */
	{ "[node 0]\naddress = 127.0.0.1:1\n", ": no [cluster] section" },
	{ "[cluster]\nname = a\nkey_file = k\n", ": no [node N] sections" },
	{ "", ": no [cluster] section" },
	/* required keys */
	{ "[cluster]\nkey_file = k\n[node 0]\naddress = 127.0.0.1:1\n",
	  ":1: name: missing in [cluster]" },
	{ "[cluster]\nname = n\n[node 0]\naddress = 127.0.0.1:1\n",
	  ":1: key_file: missing in [cluster]" },
	{ BASE "[node 2]\npriority = 5\n", ":8: address: missing in [node 2]" },
	{ BASE "[device d]\nnodes = 0 1\n",
	  ":8: path: missing in [device d] (or arbiter)" },
	{ BASE "[device d]\nnodes = 0 1\narbiter = 127.0.0.1:9\npath = p\n",
	  ":10: arbiter: [device d] has a path (line 11): a device is a file "
	  "or an arbiter, not both" },
	{ BASE "[device d]\nnodes = 0 1\narbiter = 127.0.0.1:9\n"
	  "arbiter = 127.0.0.1:8\n",
	  ":11: arbiter: duplicate key (first at line 10)" },
	{ BASE "[device d]\nnodes = 0 1\narbiter = arb.example:9\n",
	  ":10: arbiter: 'arb.example' is not a numeric IPv4 address" },
	{ BASE "[device .d]\nnodes = 0 1\narbiter = 127.0.0.1:9\n",
	  ":10: arbiter: device name '.d' cannot be kept by an arbiter (1..63 "
	  "of letters, digits, _ . -)" },
	{ BASE "[device d]\nnodes = 0 1\narbiter = 127.0.0.1:9\n", NULL },
	{ BASE "[device d]\npath = p\n", ":8: nodes: missing in [device d]" },
	/* keys */
	{ BASE "hartbeat_ms = 100\n", ":8: hartbeat_ms: unknown key in [cluster]" },
	{ BASE "config_version = 0\n",
	  ":8: config_version: 0 is out of range (1..4294967295)" },
	{ BASE "config_version = 4294967296\n",
	  ":8: config_version: 4294967296 is out of range (1..4294967295)" },
	{ BASE "config_version = two\n",
	  ":8: config_version: 'two' is not a whole number" },
	{ BASE "config_version = 2\nconfig_version = 3\n",
	  ":9: config_version: duplicate key (first at line 8)" },
	{ BASE "[node 2]\naddress = 127.0.0.1:7402\nport = 1\n",
	  ":10: port: unknown key in [node 2]" },
	{ BASE "[device d]\npath = p\nsize = 1\n",
	  ":10: size: unknown key in [device d]" },
	{ BASE "name = again\n", ":8: name: duplicate key (first at line 6)" },
	{ BASE "[node 2]\naddress = 127.0.0.1:7402\naddress = 127.0.0.1:7403\n",
	  ":10: address: duplicate key (first at line 9)" },
	{ BASE "[node 2]\npriority = 1\npriority = 2\n",
	  ":10: priority: duplicate key (first at line 9)" },
	{ BASE "[device d]\npath = p\npath = q\n",
	  ":10: path: duplicate key (first at line 9)" },
	{ BASE "[device d]\nnodes = 0 1\nnodes = 0 1\n",
	  ":10: nodes: duplicate key (first at line 9)" },
	{ BASE "name =\n", ":8: name: duplicate key (first at line 6)" },
	{ "[cluster]\nname =\n", ":2: name: empty value" },
	{ BASE "hook =\n", ":8: hook: empty value" },
	{ "[cluster]\nname = "
	  "0123456789012345678901234567890123456789012345678901234567890123\n",
	  ":2: name: too long (at most 63 characters)" },
	/* numbers */
	{ BASE "heartbeat_ms = fast\n", ":8: heartbeat_ms: 'fast' is not a whole number" },
	{ BASE "heartbeat_ms = 10ms\n", ":8: heartbeat_ms: '10ms' is not a whole number" },
	{ BASE "heartbeat_ms = 1.5\n", ":8: heartbeat_ms: '1.5' is not a whole number" },
	{ BASE "heartbeat_ms = +5\n", ":8: heartbeat_ms: '+5' is not a whole number" },
	{ BASE "heartbeat_ms =\n", ":8: heartbeat_ms: '' is not a whole number" },
	{ BASE "heartbeat_ms = -5\n", ":8: heartbeat_ms: -5 is out of range (1..60000)" },
	{ BASE "heartbeat_ms = 0\n", ":8: heartbeat_ms: 0 is out of range (1..60000)" },
	{ BASE "heartbeat_ms = 60001\n",
	  ":8: heartbeat_ms: 60001 is out of range (1..60000)" },
	{ BASE "heartbeat_ms = 99999999999999999999999\n",
	  ":8: heartbeat_ms: 99999999999999999999999 is out of range (1..60000)" },
	{ BASE "failure_timeout_ms = 0\n",
	  ":8: failure_timeout_ms: 0 is out of range (1..600000)" },
	{ BASE "round_timeout_ms = 600001\n",
	  ":8: round_timeout_ms: 600001 is out of range (1..600000)" },
	{ BASE "join_retry_ms = -1\n",
	  ":8: join_retry_ms: -1 is out of range (1..600000)" },
	{ BASE "prompt_timeout_s = -1\n",
	  ":8: prompt_timeout_s: -1 is out of range (0..604800)" },
	{ BASE "[node 2]\naddress = 127.0.0.1:7402\npriority = 1000001\n",
	  ":10: priority: 1000001 is out of range (0..1000000)" },
	{ BASE "failure_timeout_ms = 200\nheartbeat_ms = 100\n",
	  ":8: failure_timeout_ms: 200 must exceed 2 * heartbeat_ms = 200" },
	{ BASE "heartbeat_ms = 500\n",
	  ":8: heartbeat_ms: 500 is too large: failure_timeout_ms (1000) must "
	  "exceed 2 * heartbeat_ms" },
	/* every bound of the key table (src/core/core_keys.c), the upper ones
	 * the simulator used to exceed, and the rule with the key written
	 * second or with both at their limits */
	{ BASE "heartbeat_ms = 86400000\n",
	  ":8: heartbeat_ms: 86400000 is out of range (1..60000)" },
	{ BASE "failure_timeout_ms = 600001\n",
	  ":8: failure_timeout_ms: 600001 is out of range (1..600000)" },
	{ BASE "round_timeout_ms = 0\n",
	  ":8: round_timeout_ms: 0 is out of range (1..600000)" },
	{ BASE "join_retry_ms = 600001\n",
	  ":8: join_retry_ms: 600001 is out of range (1..600000)" },
	{ BASE "prompt_timeout_s = 604801\n",
	  ":8: prompt_timeout_s: 604801 is out of range (0..604800)" },
	{ BASE "heartbeat_ms = 100\nfailure_timeout_ms = 150\n",
	  ":9: failure_timeout_ms: 150 must exceed 2 * heartbeat_ms = 200" },
	{ BASE "heartbeat_ms = 60000\nfailure_timeout_ms = 120000\n",
	  ":9: failure_timeout_ms: 120000 must exceed 2 * heartbeat_ms = "
	  "120000" },
	{ BASE "heartbeat_ms = 60000\n",
	  ":8: heartbeat_ms: 60000 is too large: failure_timeout_ms (1000) must "
	  "exceed 2 * heartbeat_ms" },
	{ BASE "heartbeat_ms = 1\nfailure_timeout_ms = 2\n",
	  ":9: failure_timeout_ms: 2 must exceed 2 * heartbeat_ms = 2" },
	{ BASE "heartbeat_ms = 100\nheartbeat_ms = 100\n",
	  ":9: heartbeat_ms: duplicate key (first at line 8)" },
	/* enums */
	{ BASE "initial_quorum = most\n",
	  ":8: initial_quorum: bad value 'most' (expected majority, ask or any)" },
	{ BASE "isolation = yes\n", ":8: isolation: bad value 'yes' (expected "
	  "ask, isolated or not-isolated)" },
	{ BASE "winner = Lowest\n",
	  ":8: winner: bad value 'Lowest' (expected ask, lowest or highest)" },
	{ BASE "on_quorum_loss = panic\n",
	  ":8: on_quorum_loss: bad value 'panic' (expected rejoin or halt)" },
	{ BASE "fault_injection = yes\n",
	  ":8: fault_injection: bad value 'yes' (expected on or off)" },
	/* paths */
	{ BASE "state_dir = /x/%i\n",
	  ":8: state_dir: unknown escape '%i' (only %n and %% are known)" },
	{ BASE "control_socket = /x/%\n",
	  ":8: control_socket: unknown escape '%' (only %n and %% are known)" },
	/* addresses */
	{ BASE "[node 2]\naddress = 127.0.0.1:7401\n",
	  ":9: address: 127.0.0.1:7401 is already the address of node 1 (line 4)" },
	{ "[node 5]\naddress = [::1]:9\n[node 0]\naddress = [0:0::1]:9\n",
	  ":4: address: [0:0::1]:9 is already the address of node 5 (line 2)" },
	{ BASE "[node 2]\naddress = 127.0.0.1\n", ":9: address: bad address "
	  "'127.0.0.1' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ BASE "[node 2]\naddress = ::1:7400\n",
	  ":9: address: '::1:7400': an IPv6 address needs brackets: [ADDR]:PORT" },
	{ BASE "[node 2]\naddress = [::1]7400\n", ":9: address: bad address "
	  "'[::1]7400' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ BASE "[node 2]\naddress = 1.2.3.4:\n", ":9: address: bad address "
	  "'1.2.3.4:' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ BASE "[node 2]\naddress = 1.2.3.4:80x\n", ":9: address: bad address "
	  "'1.2.3.4:80x' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ BASE "[node 2]\naddress = 1.2.3.4:0\n",
	  ":9: address: port 0 is out of range (1..65535)" },
	{ BASE "[node 2]\naddress = 1.2.3.4:65536\n",
	  ":9: address: port 65536 is out of range (1..65535)" },
	{ BASE "[node 2]\naddress = node2.example:7400\n",
	  ":9: address: 'node2.example' is not a numeric IPv4 address" },
	{ BASE "[node 2]\naddress = 1.2.3.256:7400\n",
	  ":9: address: '1.2.3.256' is not a numeric IPv4 address" },
	{ BASE "[node 2]\naddress = [::g]:7400\n",
	  ":9: address: '::g' is not a numeric IPv6 address" },
	{ BASE "[node 2]\naddress = 0.0.0.0:7400\n",
	  ":9: address: 0.0.0.0 is the wildcard address, not one a peer can reach" },
	{ BASE "[node 2]\naddress = [::]:7400\n",
	  ":9: address: :: is the wildcard address, not one a peer can reach" },
	/* metrics_listen: a numeric address like address, the wildcard allowed */
#define M2 BASE "[node 2]\naddress = 127.0.0.1:7402\n"
	{ M2 "metrics_listen = 127.0.0.1:9100\n", NULL },
	{ M2 "metrics_listen = 0.0.0.0:9100\n", NULL },
	{ M2 "metrics_listen = [::]:9100\n", NULL },
	{ M2 "metrics_listen = localhost:9100\n",
	  ":10: metrics_listen: 'localhost' is not a numeric IPv4 address" },
	{ M2 "metrics_listen = ::1:9100\n", ":10: metrics_listen: '::1:9100': "
	  "an IPv6 address needs brackets: [ADDR]:PORT" },
	{ M2 "metrics_listen = 127.0.0.1:0\n",
	  ":10: metrics_listen: port 0 is out of range (1..65535)" },
	{ M2 "metrics_listen = 127.0.0.1:1\nmetrics_listen = 127.0.0.1:2\n",
	  ":11: metrics_listen: duplicate key (first at line 10)" },
	{ BASE "metrics_listen = 127.0.0.1:9100\n",
	  ":8: metrics_listen: unknown key in [cluster]" },
#undef M2
	/* devices */
	{ BASE "[device d]\npath = p\nnodes = 0 7\n",
	  ":10: nodes: node 7 is not configured (no [node 7] section)" },
	{ BASE "[device d]\nnodes = 0 1 9\npath = p\n[node 9]\naddress = 1.1.1.1:1\n",
	  NULL },
	{ BASE "[device d]\npath = p\nnodes = 0\n",
	  ":10: nodes: a device is shared by at least two nodes" },
	{ BASE "[device d]\npath = p\nnodes =\n",
	  ":10: nodes: a device is shared by at least two nodes" },
	{ BASE "[device d]\npath = p\nnodes = 0 1 0\n",
	  ":10: nodes: node 0 listed twice" },
	{ BASE "[device d]\npath = p\nnodes = 0,1\n", ":10: nodes: bad node id "
	  "'0,1' (expected ids 0..1023 separated by spaces)" },
	{ BASE "[device d]\npath = p\nnodes = 0 1024\n", ":10: nodes: bad node "
	  "id '1024' (expected ids 0..1023 separated by spaces)" },
	{ BASE "[device d]\npath = /p\nnodes = 0 1\n[device e]\npath = /p\n"
	  "nodes = 0 1\n", ":12: path: same file as device d (line 9)" },
};

static void
test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		cur_case = (int)i;
		if (bad_configs[i].rest == NULL)
			load_ok(bad_configs[i].text);
		else
			load_fails(bad_configs[i].text, bad_configs[i].rest);
	}
}

static void
test_missing_file(void **state)
{
	char	path[400], want[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/nope.conf", tmpdir);
	assert_int_equal(cmm_config_load(path, cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
	    path);
	assert_string_equal(err, want);
}

static void
test_long_line(void **state)
{
	char	text[2000], want[1024];

	(void)state;
	snprintf(text, sizeof(text), BASE "hook = /%01500d\n", 0);
	assert_int_equal(load(text), -1);
	/* the limit is inih's; the line and the reason are ours */
	snprintf(want, sizeof(want), "%s:8: line: too long (at most ", cfgpath);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got \"%s\"", err);
}

static void
test_bom_and_crlf(void **state)
{
	(void)state;
	load_ok("\xef\xbb\xbf[cluster]\r\nname = a\r\nkey_file = k\r\n"
	    "[node 0]\r\naddress = 127.0.0.1:1\r\n");
	assert_string_equal(cfg->name, "a");
	assert_int_equal(cfg->node[0].port, 1);
}

/* metrics_listen is kept per node, as host and port for the HTTP bind. */
static void
test_metrics_listen(void **state)
{
	(void)state;
	load_ok(BASE "[node 2]\naddress = 127.0.0.1:7402\n"
	    "metrics_listen = [::1]:9464\n");
	assert_int_equal(cfg->node[2].metrics_line, 10);
	assert_string_equal(cfg->node[2].metrics_host, "::1");
	assert_int_equal(cfg->node[2].metrics_port, 9464);
	assert_int_equal(cfg->node[0].metrics_line, 0);
}

/* Loading overwrites everything: nothing leaks from a previous load. */
static void
test_reload_clears(void **state)
{
	(void)state;
	load_ok(BASE "heartbeat_ms = 7\n[node 9]\naddress = 127.0.0.1:9\n"
	    "metrics_listen = 127.0.0.1:9\n");
	load_ok(BASE);
	assert_int_equal(cfg->node[9].metrics_line, 0);
	assert_false(cfg->node[9].present);
	assert_int_equal(cfg->n_nodes, 2);
	assert_int_equal(cfg->core.heartbeat_ms, 100);
}

/* control_group / control_readonly_group: a name or a gid, resolved when
 * the file is read; unknown groups and one group in both roles refused. */
static void
test_control_groups(void **state)
{
	(void)state;
	load_ok(BASE);
	assert_false(cfg->has_control_group);
	assert_false(cfg->has_readonly_group);
	load_ok(BASE "control_group = root\ncontrol_readonly_group = 4242\n");
	assert_true(cfg->has_control_group);
	assert_int_equal(cfg->control_gid, 0);
	assert_string_equal(cfg->control_group, "root");
	assert_true(cfg->has_readonly_group);
	assert_int_equal(cfg->readonly_gid, 4242);
	load_fails(BASE "control_group = no-such-group-cmm\n",
	    ":8: control_group: no group 'no-such-group-cmm' on this host");
	load_fails(BASE "control_readonly_group = 12x\n",
	    ":8: control_readonly_group: '12x' is not a group id");
	load_fails(BASE "control_group =\n", ":8: control_group: empty value");
	load_fails(BASE "control_group = 5\ncontrol_group = 6\n",
	    ":9: control_group: duplicate key (first at line 8)");
	load_fails(BASE "control_group = 0\ncontrol_readonly_group = root\n",
	    ":9: control_readonly_group: the same group as control_group "
	    "(line 8)");
}

/* The digest of a config text, with a fixed key. */
static void
digest_of(const char *text, uint8_t out[CMM_DIGEST_LEN])
{
	unsigned char master[CMM_KEY_LEN];
	struct cmm_keys k;

	memset(master, 0x42, sizeof(master));
	assert_int_equal(cmm_keys_derive(master, &k), 0);
	load_ok(text);
	assert_int_equal(cmm_config_digest(cfg, &k), 0);
	memcpy(out, cfg->core.digest, CMM_DIGEST_LEN);
	assert_false(cmm_digest_zero(out));
}

/* The config digest covers exactly the quorum-relevant config: name,
 * config_version, policies, node ids and priorities, devices (in order)
 * and their nodes; not addresses, paths, hooks or timings. */
static void
test_config_digest(void **state)
{
	static const char *const same[] = {
		/* the defaults written out, another address, other paths and
		 * timings, comments: the same digest */
		BASE "config_version = 1\ninitial_quorum = majority\n",
		"[node 0]\naddress = 127.0.0.9:7400\npriority = 0\n"
		    "[node 1]\naddress = [::1]:7401\n[cluster]\nname = test\n"
		    "key_file = /etc/other\nheartbeat_ms = 50\n"
		    "failure_timeout_ms = 300\nround_timeout_ms = 80\n"
		    "join_retry_ms = 90\nprompt_timeout_s = 9\nhook = h\n"
		    "state_dir = s%n\nfault_injection = on\n; comment\n",
	};
	static const char *const differ[] = {
		BASE "config_version = 2\n",
		"[node 0]\naddress = 127.0.0.1:7400\npriority = 10\n"
		    "[node 1]\naddress = 127.0.0.1:7401\n[cluster]\n"
		    "name = test\nkey_file = key\n",
		"[node 0]\naddress = 127.0.0.1:7400\n[node 1]\n"
		    "address = 127.0.0.1:7401\n[cluster]\nname = test2\n"
		    "key_file = key\n",
		BASE "[node 2]\naddress = 127.0.0.1:7402\n",
		BASE "initial_quorum = any\n",
		BASE "isolation = not-isolated\n",
		BASE "winner = lowest\n",
		BASE "on_quorum_loss = halt\n",
		BASE "[device d]\npath = p\nnodes = 0 1\n",
	};
	uint8_t base[CMM_DIGEST_LEN], d[CMM_DIGEST_LEN], d2[CMM_DIGEST_LEN];
	char hex[2 * CMM_DIGEST_LEN + 1], *text;

	(void)state;
	digest_of(BASE, base);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		cur_case = (int)i;
		digest_of(same[i], d);
		if (memcmp(d, base, sizeof(d)) != 0)
			fail_msg("same[%zu] changed the digest", i);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		cur_case = (int)i;
		digest_of(differ[i], d);
		if (memcmp(d, base, sizeof(d)) == 0)
			fail_msg("differ[%zu] kept the digest", i);
	}
	/* the order of the devices decides which one two nodes race for */
	digest_of(BASE "[device a]\npath = p\nnodes = 0 1\n"
	    "[device b]\npath = q\nnodes = 0 1\n", d);
	digest_of(BASE "[device b]\npath = q\nnodes = 0 1\n"
	    "[device a]\npath = p\nnodes = 0 1\n", d2);
	assert_memory_not_equal(d, d2, sizeof(d));
	/* the device path is each node's own business */
	digest_of(BASE "[device a]\npath = /mnt/x/p\nnodes = 0 1\n"
	    "[device b]\npath = q\nnodes = 0 1\n", d2);
	assert_memory_equal(d, d2, sizeof(d));

	/* the canonical text, as `config` prints it */
	load_ok("[node 3]\naddress = 127.0.0.1:1\npriority = 7\n[node 1]\n"
	    "address = 127.0.0.1:2\n[cluster]\nname = my cluster\n"
	    "key_file = k\nconfig_version = 9\nwinner = highest\n"
	    "[device q-1]\npath = p\nnodes = 3 1\n");
	text = cmm_config_canonical(cfg, NULL);
	assert_non_null(text);
	assert_string_equal(text, "cmm-config 1\nname my cluster\n"
	    "config_version 9\ninitial_quorum majority\nisolation ask\n"
	    "winner highest\non_quorum_loss rejoin\nnode 1 priority 1\n"
	    "node 3 priority 7\ndevice q-1 nodes 1 3\n");
	free(text);
	memset(d, 0, sizeof(d));
	assert_true(cmm_digest_zero(d));
	d[0] = 0xab;
	d[15] = 0x01;
	cmm_digest_hex(d, hex);
	assert_string_equal(hex, "ab000000000000000000000000000001");
}

/* The restart rule: a state written under another digest is refused
 * unless config_version grew (docs/PROTOCOL.md "Config changes"). */
static void
test_config_drift(void **state)
{
	struct cmm_persist p;
	uint8_t	was[CMM_DIGEST_LEN];
	char	msg[1200], want[1200], hw[2 * CMM_DIGEST_LEN + 1];
	char	hn[2 * CMM_DIGEST_LEN + 1];

	(void)state;
	digest_of(BASE "[node 2]\naddress = 127.0.0.1:7402\npriority = 9\n", was);
	digest_of(BASE "config_version = 4\n", cfg->core.digest);
	memset(&p, 0, sizeof(p));
	/* nothing learned yet: nothing to compare */
	memcpy(p.cfg_digest, was, sizeof(was));
	p.cfg_version = 4;
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	/* a state from before the digest (version 3 file): nothing either */
	p.epoch = 5;
	memset(p.cfg_digest, 0, sizeof(p.cfg_digest));
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), 0);
	/* the same digest */
	memcpy(p.cfg_digest, cfg->core.digest, CMM_DIGEST_LEN);
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), 0);
	/* another digest, config_version not raised: refused, both named */
	memcpy(p.cfg_digest, was, sizeof(was));
	cmm_digest_hex(was, hw);
	cmm_digest_hex(cfg->core.digest, hn);
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), -1);
	snprintf(want, sizeof(want), "%s: the quorum-relevant config differs "
	    "from the one the state (epoch 5) was written under: config digest "
	    "%s (config_version 4) then, %s (config_version 4) now; restore "
	    "that config, or stop every node, raise config_version and start "
	    "them all with the new file", cfgpath, hw, hn);
	assert_string_equal(msg, want);
	assert_null(strchr(msg, '\n'));
	p.cfg_version = 7;	/* lowered */
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), -1);
	/* raised: a change on purpose, said as a warning */
	p.cfg_version = 3;
	assert_int_equal(cmm_config_drift(cfg, &p, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "changed on purpose (config_version 3 -> 4"));
	assert_non_null(strstr(msg, hw));
	assert_non_null(strstr(msg, hn));
	assert_non_null(strstr(msg, "every node must have been stopped"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_bounds_accepted),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_percent_dir),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_paths_relative),
		cmocka_unit_test(test_fig1_sample),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bom_and_crlf),
		cmocka_unit_test(test_metrics_listen),
		cmocka_unit_test(test_reload_clears),
		cmocka_unit_test(test_control_groups),
		cmocka_unit_test(test_config_digest),
		cmocka_unit_test(test_config_drift),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
