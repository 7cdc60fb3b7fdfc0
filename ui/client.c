/* SPDX-License-Identifier: GPL-3.0-or-later */
/* client: control protocol client on a bufferevent (see the header). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "src/ctl/ctl_proto.h"
#include "ui/client.h"

struct client_req {
	struct client_req	*next;
	cmm_ui_reply_fn		 fn;
	void			*arg;
};

struct cmm_ui_client {
	struct bufferevent	*bev;
	cmm_ui_line_fn		 on_line;
	cmm_ui_closed_fn	 on_closed;
	void			*arg;
	struct client_req	*head, *tail;
	int			 npending;
	struct cmm_ctl_reply	 reply;
	int			 node;
	bool			 in_cb;		/* inside a callback of ours */
	bool			 dead;		/* freed while in_cb */
	bool			 closed;
};

static void	client_read(struct bufferevent *bev, void *arg);
static void	client_event(struct bufferevent *bev, short what, void *arg);
static void	client_close(struct cmm_ui_client *c, const char *why);
static void	client_destroy(struct cmm_ui_client *c);

struct cmm_ui_client *
cmm_ui_client_new(struct event_base *base, int fd, cmm_ui_line_fn on_line,
    cmm_ui_closed_fn on_closed, void *arg)
{
	struct cmm_ui_client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return NULL;
	}
	c->on_line = on_line;
	c->on_closed = on_closed;
	c->arg = arg;
	c->node = -1;
	cmm_ctl_reply_init(&c->reply);
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

static void
client_destroy(struct cmm_ui_client *c)
{
	struct client_req *r;

	while ((r = c->head) != NULL) {
		c->head = r->next;
		free(r);
	}
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	cmm_ctl_reply_reset(&c->reply);
	free(c);
}

void
cmm_ui_client_free(struct cmm_ui_client *c)
{
	if (c == NULL)
		return;
	/* freed from one of our own callbacks: finish when it returns */
	if (c->in_cb) {
		c->dead = true;
		return;
	}
	client_destroy(c);
}

int
cmm_ui_client_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s%s", path,
		    strerror(errno), errno == ENOENT || errno == ECONNREFUSED ?
		    " (is the node running?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

int
cmm_ui_client_request(struct cmm_ui_client *c, const char *line,
    cmm_ui_reply_fn fn, void *arg)
{
	struct client_req	*r;
	size_t			 n = strlen(line);

	if (c == NULL || c->closed || c->dead)
		return -1;
	if (n + 1 > CMM_CTL_LINE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->fn = fn;
	r->arg = arg;
	if (c->tail != NULL)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	c->npending++;
	bufferevent_write(c->bev, line, n);
	bufferevent_write(c->bev, "\n", 1);
	return 0;
}

int
cmm_ui_client_pending(const struct cmm_ui_client *c)
{
	return c != NULL ? c->npending : 0;
}

int
cmm_ui_client_node(const struct cmm_ui_client *c)
{
	return c != NULL ? c->node : -1;
}

/* The connection is over: tell the owner once. */
static void
client_close(struct cmm_ui_client *c, const char *why)
{
	if (c->closed)
		return;
	c->closed = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	c->in_cb = true;
	if (c->on_closed != NULL)
		c->on_closed(c->arg, why);
	c->in_cb = false;
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct cmm_ui_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct client_req	*r;
	const char		*payload;
	char			*line;
	int			 tag, version, node;
	size_t			 n;

	c->in_cb = true;
	while (!c->dead && !c->closed &&
	    (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		tag = cmm_ctl_parse_line(line, &payload);
		switch (tag) {
		case CMM_CTL_HELLO:
			if (cmm_ctl_parse_hello(payload, &version, &node) == 0)
				c->node = node;
			/* FALLTHROUGH */
		case CMM_CTL_EVENT:
		case CMM_CTL_PROMPT:
			if (c->on_line != NULL)
				c->on_line(c->arg, tag, payload);
			break;
		case CMM_CTL_BODY:
		case CMM_CTL_OK:
		case CMM_CTL_ERR:
			if (cmm_ctl_reply_feed(&c->reply, line) < 0) {
				free(line);
				c->in_cb = false;
				client_close(c, "out of memory reading a reply");
				goto out;
			}
			if (!c->reply.done)
				break;
			if ((r = c->head) == NULL) {
				/* a reply nobody asked for: the node is confused */
				cmm_ctl_reply_reset(&c->reply);
				break;
			}
			c->head = r->next;
			if (c->head == NULL)
				c->tail = NULL;
			c->npending--;
			if (r->fn != NULL)
				r->fn(r->arg, c->reply.ok, c->reply.body ?
				    c->reply.body : "", c->reply.error ?
				    c->reply.error : "");
			free(r);
			cmm_ctl_reply_reset(&c->reply);
			break;
		default:
			/* unknown tags are for later versions */
			break;
		}
		free(line);
	}
	c->in_cb = false;
out:
	if (c->dead)
		client_destroy(c);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct cmm_ui_client	*c = arg;
	char			 why[160];

	if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "the node closed the connection");
	else if (what & BEV_EVENT_ERROR)
		snprintf(why, sizeof(why), "connection error: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	else
		return;
	client_close(c, why);
	if (c->dead)
		client_destroy(c);
}
