/* SPDX-License-Identifier: GPL-3.0-or-later */
/* node_socket: the control socket named by a config and a node id
 * (src/node_socket.h). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/node/config.h"
#include "src/node_socket.h"

static bool
is_socket(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/* The socket of node id of the config at cfgpath; id < 0: the one node of
 * it that listens here. */
static int
socket_from_config(const char *cfgpath, int id, char *path, size_t pathlen,
    char *err, size_t errlen)
{
	struct cmm_config	*cfg;
	char			 p[4096];
	int			 found = -1, n = 0, rc = -1;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cmm_config_load(cfgpath, cfg, err, errlen) < 0 ||
	    (id >= 0 && cmm_config_check_id(cfg, id, err, errlen) < 0))
		goto out;
	for (int i = 0; id < 0 && i < CMM_MAX_NODES; i++)
		if (cmm_set_has(&cfg->core.configured, i) &&
		    cmm_config_socket(cfg, i, p, sizeof(p)) == 0 &&
		    is_socket(p)) {
			found = i;
			n++;
		}
	if (id < 0 && n != 1) {
		snprintf(err, errlen, "%s: %s here: say which with --id N",
		    cfgpath, n == 0 ? "none of its nodes listens" :
		    "several of its nodes listen");
		goto out;
	}
	if (id < 0)
		id = found;
	if (cmm_config_socket(cfg, id, path, pathlen) < 0) {
		snprintf(err, errlen, "%s: the control socket of node %d is too "
		    "long a path", cfgpath, id);
		goto out;
	}
	rc = 0;
out:
	free(cfg);
	return rc;
}

int
cmm_node_socket_find(const char *cfgpath, int id, char *path, size_t pathlen,
    char *err, size_t errlen)
{
	glob_t	g;
	int	n = 0;

	if (cfgpath == NULL && (cfgpath = getenv("CMM_CONFIG")) != NULL &&
	    *cfgpath == '\0')
		cfgpath = NULL;
	if (cfgpath == NULL && access(CMM_NODE_SOCKET_CONF, R_OK) == 0)
		cfgpath = CMM_NODE_SOCKET_CONF;
	if (cfgpath == NULL && id >= 0) {
		snprintf(err, errlen, "--id N picks a node of the config: give "
		    "-c FILE (there is no %s)", CMM_NODE_SOCKET_CONF);
		return -1;
	}
	if (cfgpath != NULL)
		return socket_from_config(cfgpath, id, path, pathlen, err,
		    errlen);
	if (glob(CMM_NODE_SOCKET_GLOB, 0, NULL, &g) == 0) {
		if (g.gl_pathc == 1)
			snprintf(path, pathlen, "%s", g.gl_pathv[0]);
		n = (int)g.gl_pathc;
		globfree(&g);
	}
	if (n == 1)
		return 0;
	snprintf(err, errlen, "no socket given (-s SOCKET, or -c FILE --id N)%s",
	    n > 1 ? ": several nodes listen in /run/cmm" : "");
	return -1;
}
