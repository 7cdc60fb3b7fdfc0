/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * arbiter: `cmm arbiter`, the network quorum device for a third site
 * (docs/PROTOCOL.md "The network arbiter"; cmm(1) ARBITER).  It keeps one
 * device record per (cluster id, device name) in its state directory,
 * each a file device (quorum/device_file.h: the same record, the same
 * rule function, fsync before the answer), authenticated with that
 * cluster's dev subkey, and answers the datagrams of src/node/arbwire.h.
 * A control socket speaks the control protocol (src/ctl/ctl_proto.h) with
 * one command, `status`.
 *
 * Its config (cmm.conf(5) ARBITER), INI read with inih:
 *	[arbiter]	listen (HOST:PORT, numeric), state_dir,
 *			control_socket (optional)
 *	[cluster NAME]	key_file (the cluster's key file), one section for
 *			every cluster served
 * Relative paths are relative to the config file's directory.
 */
#ifndef CMM_ARBITER_H
#define CMM_ARBITER_H

#include <stddef.h>
#include <stdint.h>

#include "src/node/arbwire.h"

#define CMM_ARB_CLUSTERS_MAX	64
#define CMM_ARB_PATH_MAX	512

struct cmm_arb_cfg {
	char		listen[96];		/* as written */
	char		state_dir[CMM_ARB_PATH_MAX];
	char		control_socket[CMM_ARB_PATH_MAX];	/* "": none */
	int		n_clusters;
	struct {
		char	name[64];
		uint32_t id;			/* cmm_wire_cluster_id(name) */
		char	key_file[CMM_ARB_PATH_MAX];
	} cluster[CMM_ARB_CLUSTERS_MAX];
};

/* Reads the arbiter's config.  0, or -1 with `FILE:LINE: key: reason`. */
int	cmm_arb_config_load(const char *path, struct cmm_arb_cfg *out,
	    char *err, size_t errlen);

struct cmm_arbiter;

/* Loads every cluster's key, binds listen and the control socket.  NULL
 * with a one-line reason. */
struct cmm_arbiter *cmm_arbiter_new(const struct cmm_arb_cfg *cfg, char *err,
	    size_t errlen);
/* Serves until SIGTERM or SIGINT; 0, or 1 on a fatal socket error. */
int	cmm_arbiter_run(struct cmm_arbiter *a);
void	cmm_arbiter_free(struct cmm_arbiter *a);

#endif
