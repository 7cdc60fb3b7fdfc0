/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: the cluster config file (cmm.conf(5), assets/cmm.conf.5), one INI
 * file for the whole cluster, read with inih.
 *
 *   [cluster]       name, key_file, config_version, heartbeat_ms,
 *                   failure_timeout_ms, round_timeout_ms, join_retry_ms,
 *                   initial_quorum, isolation, winner, prompt_timeout_s,
 *                   on_quorum_loss, state_dir, control_socket, hook,
 *                   fault_injection, control_group, control_readonly_group,
 *                   watchdog, watchdog_timeout_s, realtime
 *   [node N]        address (IPv4:port or [IPv6]:port; a comma-separated
 *                   list of up to CMM_LINKS_MAX, one per redundant link),
 *                   priority [N]
 *   [device NAME]   path or arbiter (HOST:PORT of a `cmm arbiter`, exactly
 *                   one of the two), nodes (space-separated ids, at least
 *                   two)
 *
 * Relative paths (key_file, state_dir, control_socket, hook, watchdog, device
 * paths) are relative to the directory of the config file.  `%n` in
 * state_dir, control_socket and watchdog is the node id, `%%` a percent
 * sign.  Addresses are numeric: no name is looked up.  watchdog_timeout_s
 * is a core key (src/core/core_keys.c: the core waits it out).
 *
 * Loading never exits and never prints: a bad file gives -1 and exactly one
 * line `FILE:LINE: key: reason` (`FILE: reason` for whole-file problems).
 * struct cmm_config is large (about 0.6 MB): allocate it, don't put it on
 * the stack.
 */
#ifndef CMM_CONFIG_H
#define CMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "src/core/core.h"
#include "src/node/realtime.h"
#include "src/node/watchdog.h"
#include "src/node/links.h"

#define CMM_CFG_PATH_MAX	1024
#define CMM_ADDR_MAX		80	/* "[ffff:...:ffff%scope]:65535" */
#define CMM_HOST_MAX		64
#define CMM_WD_TIMEOUT_DEFAULT	10	/* s */
/* Redundant links (CMM_LINKS_MAX, src/node/links.h): a node has one
 * address per link, every node the same number; link k of one node talks
 * to link k of the others. */

/* One link's address of a node. */
struct cmm_link_addr {
	char		address[CMM_ADDR_MAX];	/* as written */
	struct sockaddr_storage sa;
	socklen_t	salen;
};

struct cmm_node_addr {
	bool		present;	/* a [node N] section exists */
	int		line;		/* of the [node N] header */
	int		address_line;
	char		address[CMM_ADDR_MAX];	/* as written */
	char		host[CMM_HOST_MAX];	/* "127.0.0.1", "::1" */
	uint16_t	port;
	int		family;		/* AF_INET or AF_INET6 */
	struct sockaddr_storage sa;	/* ready for bind/sendto */
	socklen_t	salen;
	/* every link's address; the fields above are link 0's */
	int		n_links;
	struct cmm_link_addr link[CMM_LINKS_MAX];
	/* metrics_listen: where this node serves GET /metrics over HTTP
	 * (src/node/metrics_http.h); metrics_line 0: not served */
	int		metrics_line;
	char		metrics_host[CMM_HOST_MAX];
	uint16_t	metrics_port;
};

struct cmm_config {
	char		path[CMM_CFG_PATH_MAX];	/* the file as given */
	char		dir[CMM_CFG_PATH_MAX];	/* its directory */
	char		name[CMM_NAME_MAX];	/* cluster name */
	uint32_t	cluster_id;		/* cmm_wire_cluster_id(name) */
	char		key_file[CMM_CFG_PATH_MAX];
	char		state_dir[CMM_CFG_PATH_MAX];	/* pattern, %n unexpanded */
	char		control_socket[CMM_CFG_PATH_MAX]; /* pattern */
	char		hook[CMM_CFG_PATH_MAX];	/* "" = none */
	bool		fault_injection;
	/* self-fencing (src/node/watchdog.h): "" = none; a pattern, %n
	 * unexpanded */
	char		watchdog[CMM_CFG_PATH_MAX];
	enum cmm_rt_mode realtime;	/* src/node/realtime.h */
	/* control socket access: the socket's group (read-write) and a group
	 * whose members may run only commands that change nothing; a name or
	 * a number in the file, resolved to a gid when the file is read */
	bool		has_control_group, has_readonly_group;
	gid_t		control_gid, readonly_gid;
	char		control_group[CMM_NAME_MAX];
	char		readonly_group[CMM_NAME_MAX];
	struct cmm_core_cfg core;	/* timings, policies, nodes, devices */
	int		n_nodes;
	int		n_links;	/* addresses per node, 1..CMM_LINKS_MAX */
	struct cmm_node_addr node[CMM_MAX_NODES];
	/* device i is core.devices[i]; its file ("" for an arbiter): */
	char		device_path[CMM_MAX_DEVICES][CMM_CFG_PATH_MAX];
	/* or the network arbiter that keeps its record */
	struct cmm_dev_arbiter {
		bool		present;
		char		address[CMM_ADDR_MAX];	/* as written */
		struct sockaddr_storage sa;
		socklen_t	salen;
	} device_arbiter[CMM_MAX_DEVICES];
};

/* Reads the config at path into *out (overwritten entirely).  0, or -1
 * with one line `FILE:LINE: key: reason` in err. */
int	cmm_config_load(const char *path, struct cmm_config *out, char *err,
	    size_t errlen);

/* 0 if node id has a [node id] section, else -1 with one line in err. */
int	cmm_config_check_id(const struct cmm_config *cfg, int id, char *err,
	    size_t errlen);

/* The state dir / control socket of node id, `%n` expanded.  0, or -1 if
 * it does not fit in len (buf then holds a truncated, terminated copy). */
int	cmm_config_state_dir(const struct cmm_config *cfg, int id, char *buf,
	    size_t len);
int	cmm_config_socket(const struct cmm_config *cfg, int id, char *buf,
	    size_t len);
/* The watchdog path of node id (cfg->watchdog[0] != '\0'), the same way. */
int	cmm_config_watchdog(const struct cmm_config *cfg, int id, char *buf,
	    size_t len);

/* Index of the device called name, or -1. */
int	cmm_config_device(const struct cmm_config *cfg, const char *name);

/* The config spelling of each policy ("majority", "not-isolated", ...). */
const char *cmm_config_initial_name(enum cmm_initial_policy p);
const char *cmm_config_isolation_name(enum cmm_isolation_policy p);
const char *cmm_config_winner_name(enum cmm_winner_policy p);
const char *cmm_config_loss_name(enum cmm_loss_policy p);

/* ---- the config digest (docs/PROTOCOL.md "Config digest") ---- */

struct cmm_keys;

/* The canonical text of the quorum-relevant config (name, config_version,
 * policies, node ids and priorities, devices and their nodes), malloc'd,
 * NUL-terminated, its length in *len (may be NULL); NULL if memory runs
 * out. */
char	*cmm_config_canonical(const struct cmm_config *cfg, size_t *len);

/* Sets cfg->core.digest: keyed BLAKE2b of the canonical text with the
 * cluster key's cfg subkey.  0, or -1 if memory runs out. */
int	cmm_config_digest(struct cmm_config *cfg, const struct cmm_keys *k);

/* 32 lowercase hex digits. */
void	cmm_digest_hex(const uint8_t digest[CMM_DIGEST_LEN],
	    char out[2 * CMM_DIGEST_LEN + 1]);
/* true for the all-zero digest (not known). */
bool	cmm_digest_zero(const uint8_t digest[CMM_DIGEST_LEN]);

/* The rule for a restart (docs/PROTOCOL.md "Config changes"): compares
 * the digest a state p was written under with cfg's.  0: nothing to say
 * (no epoch yet, no digest kept, or the same); 1: it changed and
 * config_version grew, a change on purpose (msg: the warning to log);
 * -1: it changed without that, the node must not start (msg: the one-line
 * error, naming both digests). */
int	cmm_config_drift(const struct cmm_config *cfg,
	    const struct cmm_persist *p, char *msg, size_t len);

#endif
