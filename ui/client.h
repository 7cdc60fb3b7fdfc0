/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * client: the console's side of the control protocol (src/ctl/ctl_proto.h) on
 * a bufferevent.  Requests are sent at once and their replies matched in
 * order to the callbacks given; the greeting, `!` event and `?` prompt
 * lines go to one line callback.  Nothing blocks: the same code serves a
 * socketpair in the node's own process and a unix socket of a node
 * attached later (docs/ARCHITECTURE.md, "One command language").
 */
#ifndef CMM_UI_CLIENT_H
#define CMM_UI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct cmm_ui_client;

/* A reply: ok, its body (lines joined, each ending in LF; "" when none),
 * or the one-line error. */
typedef void (*cmm_ui_reply_fn)(void *arg, bool ok, const char *body,
	    const char *error);
/* A greeting ('V'), event ('!') or prompt ('?') line's payload. */
typedef void (*cmm_ui_line_fn)(void *arg, int tag, const char *payload);
/* The connection closed or failed; why is one line. */
typedef void (*cmm_ui_closed_fn)(void *arg, const char *why);

/* Takes ownership of the connected stream socket fd.  NULL (fd closed)
 * when memory runs out. */
struct cmm_ui_client *cmm_ui_client_new(struct event_base *base, int fd,
	    cmm_ui_line_fn on_line, cmm_ui_closed_fn on_closed, void *arg);
/* Drops the connection; pending requests get no reply. */
void	cmm_ui_client_free(struct cmm_ui_client *c);

/* Connects to a node's control socket (blocking: a local unix socket
 * answers at once).  The fd, or -1 with a one-line reason in err. */
int	cmm_ui_client_connect(const char *path, char *err, size_t errlen);

/* Sends one request line (no LF).  0, or -1 when the line is too long or
 * holds a control character, or the connection is gone (fn not called). */
int	cmm_ui_client_request(struct cmm_ui_client *c, const char *line,
	    cmm_ui_reply_fn fn, void *arg);
/* Requests sent and not yet answered. */
int	cmm_ui_client_pending(const struct cmm_ui_client *c);
/* The node id from the greeting, -1 before it. */
int	cmm_ui_client_node(const struct cmm_ui_client *c);

#endif
