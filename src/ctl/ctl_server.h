/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl_server: the control socket of a node (docs/ARCHITECTURE.md, "One
 * command language"; cmm(1), "THE CONTROL SOCKET").  A unix stream socket,
 * mode 0660, served on the daemon's libevent loop with an evconnlistener
 * and one bufferevent per connection.  Each connection speaks the line
 * protocol of src/ctl/ctl_proto.h; every request runs through the one
 * command table (src/ctl/cmd.h).  `watch` streams events, `wait`
 * completes asynchronously; nothing here blocks the loop.
 *
 * The entry point (src/node_main.c) creates the server on a daemon; the
 * daemon does not know it.  The server uses src/node/daemon.h: the loop
 * (cmm_daemon_base), a note listener (cmm_daemon_listen) for events,
 * the snapshots and operator calls through the command handlers, and
 * the config and log for its own rules and refusals.
 *
 * Access and limits (the rules themselves are src/ctl/ctl_limits.h): the
 * socket is mode 0660 and group control_group (mode 0666 when
 * control_readonly_group is set); every peer's uid and groups come from
 * the kernel (SO_PEERCRED, SO_PEERGROUPS) and decide its role, read-write
 * or read-only, or turn it away.  Connections of users other than root are
 * bounded, with slots kept for root; a client that leaves more than 1 MiB
 * of replies unread is disconnected, a request line over
 * CMM_CTL_LINE_MAX ends the connection; each is logged with its reason.
 */
#ifndef CMM_CTL_SERVER_H
#define CMM_CTL_SERVER_H

#include <stddef.h>

struct cmm_daemon;
struct cmm_ctl_server;

/* Listens on path: refuses a path where a live server answers, replaces a
 * stale socket, creates a missing parent directory, sets mode and group.  Uses
 * cmm_daemon_base(d) and registers a note listener on d.  NULL with a
 * one-line reason naming the socket in err. */
struct cmm_ctl_server *cmm_ctl_server_new(struct cmm_daemon *d,
	    const char *path, char *err, size_t errlen);

/* Closes every connection (pending waits fail with "node stopping"),
 * unregisters the listener and unlinks the socket. */
void	cmm_ctl_server_free(struct cmm_ctl_server *s);

/* Serves an already connected stream socket (one end of a socketpair:
 * the console attached in the same process).  Takes ownership of fd.
 * 0, or -1 (fd closed). */
int	cmm_ctl_server_attach_fd(struct cmm_ctl_server *s, int fd);

/* Number of open connections (tests, status). */
int	cmm_ctl_server_clients(const struct cmm_ctl_server *s);

#endif
