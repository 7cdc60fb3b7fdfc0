/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * node_socket: which control socket `cmm ctl` and `cmm console` talk to
 * when no -s SOCKET is given.  One rule for both, documented in cmm(1):
 * -c FILE (else $CMM_CONFIG, else /etc/cmm/cmm.conf when it exists) names
 * the config, --id N the node in it (without --id: the one node of the
 * config that listens on this host); with no config at all, the single
 * socket under /run/cmm.
 */
#ifndef CMM_NODE_SOCKET_H
#define CMM_NODE_SOCKET_H

#include <stddef.h>

/* The config the systemd unit runs nodes with (assets/cmm-node@.service),
 * unless $CMM_CONFIG names another. */
#define CMM_NODE_SOCKET_CONF	"/etc/cmm/cmm.conf"
/* Where the nodes of this host listen when the config does not say
 * otherwise (cmm.conf(5), control_socket). */
#define CMM_NODE_SOCKET_GLOB	"/run/cmm/node*.sock"

/* 0 with the socket's path in path, or -1 with one line in err.  cfgpath
 * may be NULL, id < 0 for "not given". */
int	cmm_node_socket_find(const char *cfgpath, int id, char *path,
	    size_t pathlen, char *err, size_t errlen);

#endif
