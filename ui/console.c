/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * console: terminal set-up and teardown, the loop's events (stdin, one
 * coalesced redraw, a 1 Hz tick, signals) and the glue between the
 * protocol client and the model (see console.h; how readline and curses
 * share the terminal is in prompt.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "src/ctl/ctl_proto.h"
#include "ui/colour.h"
#include "ui/console_int.h"

#define CON_FAST_MS	250	/* round polling while one runs */
#define CON_RETRY_S	1	/* reconnecting to the socket */

/* the ui's curses state: the console the crash handler must undo */
static struct cmm_console *con_live;

static void	con_on_stdin(evutil_socket_t fd, short what, void *arg);
static void	con_on_redraw(evutil_socket_t fd, short what, void *arg);
static void	con_on_tick(evutil_socket_t fd, short what, void *arg);
static void	con_on_fast(evutil_socket_t fd, short what, void *arg);
static void	con_on_retry(evutil_socket_t fd, short what, void *arg);
static void	con_on_detach(evutil_socket_t fd, short what, void *arg);
static void	con_on_signal(evutil_socket_t sig, short what, void *arg);
static void	con_on_line(void *arg, int tag, const char *payload);
static void	con_on_closed(void *arg, const char *why);
static void	con_on_fetched(void *arg, bool ok, const char *body,
		    const char *error);
static void	con_on_reply(void *arg, bool ok, const char *body,
		    const char *error);
static void	con_on_source_reply(void *arg, bool ok, const char *body,
		    const char *error);
static void	con_on_watch(void *arg, bool ok, const char *body,
		    const char *error);
static void	con_source_next(struct cmm_console *c);
static void	con_end_terminal(struct cmm_console *c);
static void	con_crash(int sig);
static void	con_atexit(void);
static void	con_evlog(int severity, const char *msg);
static void	con_hms(char *buf, size_t len);
static void	con_log_body(struct cmm_console *c, const char *body, bool error);
static bool	con_local(struct cmm_console *c, char *line);
static void	con_connected(struct cmm_console *c, int fd);
static void	con_on_stdout(evutil_socket_t fd, short what, void *arg);

int64_t
con_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Local wall time for lines the console writes itself. */
static void
con_hms(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/* Marks panes for the one coalesced redraw of this loop pass. */
void
con_dirty(struct cmm_console *c, unsigned what)
{
	if (c == NULL || !c->active)
		return;
	c->dirty |= what;
	if (c->ev_redraw != NULL && !event_pending(c->ev_redraw, EV_TIMEOUT, NULL))
		event_active(c->ev_redraw, EV_TIMEOUT, 0);
}

static void
con_on_redraw(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console *c = arg;

	(void)fd;
	(void)what;
	if (c->dirty != 0)
		con_view_draw(c);
}

void
con_set_view(struct cmm_console *c, enum cmm_ui_view v)
{
	if (c->view == v)
		return;
	c->view = v;
	c->big_scroll = 0;
	if (v == CMM_UI_VIEW_HISTORY)
		con_fetch(c, 1u << CON_F_HISTORY);
	if (v == CMM_UI_VIEW_CLUSTER)
		con_fetch(c, 1u << CON_F_CLUSTER);
	con_dirty(c, CON_D_LAYOUT);
}

/* ---- fetching from the node ---- */

void
con_fetch(struct cmm_console *c, unsigned kinds)
{
	static const char *req[CON_F__COUNT] = {
		[CON_F_STATUS] = "--json status",
		[CON_F_NODES] = "--json nodes",
		[CON_F_ROUND] = "--json round",
		[CON_F_QUORUM] = "--json quorum",
		[CON_F_DEVICES] = "--json devices",
		[CON_F_HISTORY] = "--json history 64",
		[CON_F_COMMANDS] = "--json list-commands",
		[CON_F_CLUSTER] = "--json cluster",
	};

	c->want |= kinds;
	if (!c->connected)
		return;
	for (int k = 0; k < CON_F__COUNT; k++) {
		unsigned bit = 1u << k;

		/* one of each kind in flight; a later want waits for it */
		if (!(c->want & bit) || (c->inflight & bit))
			continue;
		c->fctx[k].con = c;
		c->fctx[k].kind = (enum con_fetch)k;
		c->fctx[k].gen = c->gen;
		if (cmm_ui_client_request(c->client, req[k], con_on_fetched,
		    &c->fctx[k]) == 0) {
			c->inflight |= bit;
			c->want &= ~bit;
		}
	}
}

static void
con_on_fetched(void *arg, bool ok, const char *body, const char *error)
{
	struct con_fetch_ctx	*f = arg;
	struct cmm_console	*c = f->con;
	struct cmm_ui_model	*m = &c->model;
	char			 err[256];
	int64_t			 now = con_now();
	int			 rc = 0;
	unsigned		 d = 0;
	bool			 was_active = m->round.active;

	c->inflight &= ~(1u << f->kind);
	if (f->gen != c->gen)
		return;
	if (!ok) {
		/* e.g. "history: cannot read": say it once in the log */
		snprintf(err, sizeof(err), "%s", error);
		rc = -1;
	} else {
		switch (f->kind) {
		case CON_F_STATUS:
			rc = cmm_ui_model_status(m, body, now, err, sizeof(err));
			d = CON_D_HEADER | CON_D_VECTOR | CON_D_QUORUM;
			break;
		case CON_F_NODES: {
			int before = m->nnodes;

			rc = cmm_ui_model_nodes(m, body, now, err, sizeof(err));
			d = CON_D_VECTOR | CON_D_TIMING | CON_D_BOX;
			if (rc == 0 && before != m->nnodes)
				d |= CON_D_LAYOUT;
			break;
		}
		case CON_F_ROUND:
			rc = cmm_ui_model_round(m, body, now, err, sizeof(err));
			d = CON_D_ROUND;
			break;
		case CON_F_QUORUM:
			rc = cmm_ui_model_quorum(m, body, err, sizeof(err));
			d = CON_D_QUORUM;
			break;
		case CON_F_DEVICES:
			rc = cmm_ui_model_devices(m, body, err, sizeof(err));
			d = CON_D_VECTOR | CON_D_BOX;
			break;
		case CON_F_HISTORY:
			rc = cmm_ui_model_history(m, body, err, sizeof(err));
			d = CON_D_BIG;
			break;
		case CON_F_COMMANDS:
			rc = cmm_ui_model_commands(m, body, err, sizeof(err));
			d = CON_D_BIG;
			break;
		case CON_F_CLUSTER:
			rc = cmm_ui_model_cluster(m, body, err, sizeof(err));
			d = CON_D_BIG;
			break;
		default:
			break;
		}
	}
	if (rc < 0) {
		char line[300];

		snprintf(line, sizeof(line), "console: %s", err);
		cmm_ui_model_log(m, CMM_UI_LK_TROUBLE, true, NULL, line);
		d |= CON_D_LOG;
	}
	/* a round that runs is polled faster than the tick */
	if (f->kind == CON_F_ROUND && m->round.active &&
	    !evtimer_pending(c->ev_fast, NULL)) {
		struct timeval tv = { 0, CON_FAST_MS * 1000 };

		evtimer_add(c->ev_fast, &tv);
	}
	if (f->kind == CON_F_ROUND && was_active && !m->round.active)
		con_fetch(c, 1u << CON_F_QUORUM);
	con_dirty(c, d);
	/* what was wanted while this one was in flight */
	if (c->want != 0)
		con_fetch(c, 0);
}

static void
con_on_fast(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	con_fetch(arg, 1u << CON_F_ROUND);
}

/* Once a second: what ages (heartbeats, countdowns, highlights). */
static void
con_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console	*c = arg;
	unsigned		 kinds = 1u << CON_F_STATUS | 1u << CON_F_NODES;

	(void)fd;
	(void)what;
	c->ticks++;
	if (!c->connected)
		return;
	/* the devices (fencing marks) now and then; events ask sooner */
	if (c->ticks % 10 == 0)
		kinds |= 1u << CON_F_DEVICES;
	/* the cluster view ages like the nodes view: once a second */
	if (c->view == CMM_UI_VIEW_CLUSTER)
		kinds |= 1u << CON_F_CLUSTER;
	/* nothing piles up behind a `wait` typed by the operator */
	if (cmm_ui_client_pending(c->client) < 8)
		con_fetch(c, kinds);
	con_dirty(c, CON_D_HEADER | (c->model.round.active ? CON_D_ROUND : 0) |
	    (c->model.prompt.open ? CON_D_BOX : 0));
}

/* ---- lines from the node ---- */

static void
con_on_line(void *arg, int tag, const char *payload)
{
	struct cmm_console	*c = arg;
	char			 err[256], line[300];
	unsigned		 what;

	switch (tag) {
	case CMM_CTL_HELLO:
		c->node = cmm_ui_client_node(c->client);
		snprintf(line, sizeof(line), "console: attached to node %d%s%.200s",
		    c->node, c->sock[0] ? " at " : "", c->sock);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, false, NULL, line);
		cmm_ui_client_request(c->client, "--json watch", con_on_watch, c);
		con_fetch(c, ((1u << CON_F__COUNT) - 1) &
		    ~(c->view == CMM_UI_VIEW_CLUSTER ? 0 : 1u << CON_F_CLUSTER));
		con_dirty(c, CON_D_ALL);
		break;
	case CMM_CTL_EVENT:
		what = cmm_ui_model_event(&c->model, payload, con_now());
		con_fetch(c, (what & CMM_UI_EV_STATUS ? 1u << CON_F_STATUS : 0) |
		    (what & CMM_UI_EV_ROUND ? 1u << CON_F_ROUND : 0) |
		    (what & CMM_UI_EV_QUORUM ? 1u << CON_F_QUORUM : 0) |
		    (what & CMM_UI_EV_NODES ? 1u << CON_F_NODES : 0) |
		    (what & CMM_UI_EV_DEVICES ? 1u << CON_F_DEVICES : 0) |
		    (what & CMM_UI_EV_HISTORY ? 1u << CON_F_HISTORY : 0));
		con_dirty(c, CON_D_LOG | CON_D_QUORUM);
		break;
	case CMM_CTL_PROMPT:
		if (cmm_ui_model_prompt(&c->model, payload, con_now(), err,
		    sizeof(err)) < 0) {
			snprintf(line, sizeof(line), "console: %s", err);
			cmm_ui_model_log(&c->model, CMM_UI_LK_TROUBLE, true, NULL,
			    line);
		}
		/* the box opens or closes over every pane */
		con_fetch(c, 1u << CON_F_NODES | 1u << CON_F_DEVICES |
		    1u << CON_F_STATUS);
		con_dirty(c, CON_D_ALL);
		break;
	default:
		break;
	}
}

static void
con_on_watch(void *arg, bool ok, const char *body, const char *error)
{
	struct cmm_console	*c = arg;
	char			 line[300];

	(void)body;
	if (ok)
		return;
	snprintf(line, sizeof(line), "console: watch: %s (no live events)",
	    error);
	cmm_ui_model_log(&c->model, CMM_UI_LK_TROUBLE, true, NULL, line);
	con_dirty(c, CON_D_LOG);
}

static void
con_on_closed(void *arg, const char *why)
{
	struct cmm_console	*c = arg;
	char			 line[300];
	struct timeval		 tv = { CON_RETRY_S, 0 };

	snprintf(line, sizeof(line), "console: node %d: %s", c->node, why);
	cmm_ui_model_log(&c->model, CMM_UI_LK_TROUBLE, true, NULL, line);
	c->connected = false;
	c->inflight = 0;
	if (c->src != NULL) {
		fclose(c->src);
		c->src = NULL;
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
		    "source: stopped: the connection closed");
	}
	if (c->sock[0] != '\0')
		evtimer_add(c->ev_retry, &tv);
	con_dirty(c, CON_D_ALL);
}

static void
con_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console	*c = arg;
	struct timeval		 tv = { CON_RETRY_S, 0 };
	char			 err[256];
	int			 nfd;

	(void)fd;
	(void)what;
	if (c->connected || c->sock[0] == '\0')
		return;
	if ((nfd = cmm_ui_client_connect(c->sock, err, sizeof(err))) < 0) {
		evtimer_add(c->ev_retry, &tv);
		return;
	}
	con_connected(c, nfd);
}

/* A new connection: forget the old node, greet the new one. */
static void
con_connected(struct cmm_console *c, int fd)
{
	cmm_ui_client_free(c->client);
	c->gen++;
	c->inflight = 0;
	c->want = 0;
	c->node = -1;
	cmm_ui_model_reset(&c->model);
	c->client = cmm_ui_client_new(c->base, fd, con_on_line, con_on_closed, c);
	c->connected = c->client != NULL;
	con_dirty(c, CON_D_LAYOUT);
}

int
cmm_console_switch(struct cmm_console *c, int fd, const char *socket_path)
{
	/* from now on the log holds more than one node's lines: each event
	 * line names its node */
	c->model.label_nodes = true;
	snprintf(c->sock, sizeof(c->sock), "%s", socket_path ? socket_path : "");
	if (c->src != NULL) {
		fclose(c->src);
		c->src = NULL;
	}
	if (fd < 0) {
		/* connect from the loop, retrying until the node answers */
		cmm_ui_client_free(c->client);
		c->client = NULL;
		c->connected = false;
		c->gen++;
		c->inflight = c->want = 0;
		cmm_ui_model_reset(&c->model);
		event_active(c->ev_retry, EV_TIMEOUT, 0);
		con_dirty(c, CON_D_LAYOUT);
		return c->sock[0] != '\0' ? 0 : -1;
	}
	con_connected(c, fd);
	return c->connected ? 0 : -1;
}

/* ---- commands typed or sourced ---- */

/* A reply body into the log, a line at a time. */
static void
con_log_body(struct cmm_console *c, const char *body, bool error)
{
	const char *p = body, *nl;
	char line[240];

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "  %.*s", nl ? (int)(nl - p) :
		    (int)strlen(p), p);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, error, NULL, line);
		p = nl ? nl + 1 : NULL;
	}
}

static void
con_on_reply(void *arg, bool ok, const char *body, const char *error)
{
	struct cmm_console	*c = arg;
	char			 line[300];

	con_log_body(c, body, false);
	if (!ok) {
		snprintf(line, sizeof(line), "error: %s", error);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL, line);
	}
	/* show the reply: back to the newest lines */
	c->log_scroll = 0;
	con_dirty(c, CON_D_LOG | CON_D_BIG);
}

/* Console commands: true when the line was one of them. */
static bool
con_local(struct cmm_console *c, char *line)
{
	char		*argv[CMM_CTL_MAX_ARGS], copy[CMM_CTL_LINE_MAX];
	const char	*why;
	bool		 json, ok = true;
	char		*reply = NULL;
	int		 argc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = cmm_ctl_parse_request(copy, &json, argv, CMM_CTL_MAX_ARGS, &why);
	if (argc <= 0)
		return false;
	if (strcmp(argv[0], "source") == 0) {
		if (argc != 2) {
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
			    "error: source: usage: source FILE");
			return true;
		}
		if (c->src != NULL) {
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
			    "error: source: a script is already running");
			return true;
		}
		if ((c->src = fopen(argv[1], "r")) == NULL) {
			char l[300];

			snprintf(l, sizeof(l), "error: source: %s: %s", argv[1],
			    strerror(errno));
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL, l);
			return true;
		}
		snprintf(c->src_path, sizeof(c->src_path), "%s", argv[1]);
		c->src_line = 0;
		con_source_next(c);
		return true;
	}
	if (strcmp(argv[0], "detach") == 0 && argc == 1) {
		con_detach(c);
		return true;
	}
	if (strcmp(argv[0], "clear") == 0 && argc == 1) {
		c->model.log_len = 0;
		c->log_scroll = 0;
		con_dirty(c, CON_D_LOG | CON_D_BIG);
		return true;
	}
	if (strcmp(argv[0], "keys") == 0 && argc == 1) {
		con_set_view(c, CMM_UI_VIEW_HELP);
		return true;
	}
	if (c->opts.local != NULL &&
	    c->opts.local(c->opts.local_arg, c, argc, argv, &ok, &reply)) {
		if (reply != NULL)
			con_log_body(c, reply, !ok);
		free(reply);
		con_dirty(c, CON_D_LOG | CON_D_BIG);
		return true;
	}
	if (strcmp(argv[0], "quit") == 0 && argc == 1) {
		/* outside the demo `quit` leaves the node running */
		con_detach(c);
		return true;
	}
	return false;
}

void
con_run_line(struct cmm_console *c, const char *line, bool echo)
{
	char l[CMM_CTL_LINE_MAX + 4];

	if (echo) {
		snprintf(l, sizeof(l), "> %s", line);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, false, NULL, l);
		c->log_scroll = 0;
		con_dirty(c, CON_D_LOG | CON_D_BIG);
	}
	snprintf(l, sizeof(l), "%s", line);
	if (con_local(c, l))
		return;
	if (!c->connected) {
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
		    "error: not connected to a node");
		return;
	}
	if (cmm_ui_client_request(c->client, line, con_on_reply, c) < 0)
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL,
		    "error: the line is too long or holds a control character");
}

/* `source FILE`: one line at a time, the next when the reply came; the
 * first error stops it (as `cmm ctl -s SOCKET - < FILE` does). */
static void
con_source_next(struct cmm_console *c)
{
	char	 buf[CMM_CTL_LINE_MAX + 2], msg[CMM_CTL_LINE_MAX + 64];
	char	*p;
	size_t	 n;

	while (c->src != NULL && fgets(buf, sizeof(buf), c->src) != NULL) {
		c->src_line++;
		n = strlen(buf);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(c->src)) {
			snprintf(msg, sizeof(msg), "error: source: %s:%d: line too "
			    "long", c->src_path, c->src_line);
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL, msg);
			fclose(c->src);
			c->src = NULL;
			break;
		}
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		p = buf + strspn(buf, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(msg, sizeof(msg), "> %s  (%s:%d)", p, c->src_path,
		    c->src_line);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, false, NULL, msg);
		/* console and demo commands run here, at once */
		snprintf(msg, sizeof(msg), "%s", p);
		if (strncmp(p, "source", 6) != 0 && con_local(c, msg))
			continue;
		if (!c->connected || cmm_ui_client_request(c->client, p,
		    con_on_source_reply, c) < 0) {
			snprintf(msg, sizeof(msg), "error: source: %s:%d: not sent",
			    c->src_path, c->src_line);
			cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL, msg);
			fclose(c->src);
			c->src = NULL;
		}
		con_dirty(c, CON_D_LOG | CON_D_BIG);
		return;
	}
	if (c->src != NULL) {
		snprintf(msg, sizeof(msg), "source: %s: done, %d lines",
		    c->src_path, c->src_line);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, false, NULL, msg);
		fclose(c->src);
		c->src = NULL;
	}
	con_dirty(c, CON_D_LOG | CON_D_BIG);
}

static void
con_on_source_reply(void *arg, bool ok, const char *body, const char *error)
{
	struct cmm_console	*c = arg;
	char			 msg[600];

	con_log_body(c, body, false);
	if (!ok) {
		snprintf(msg, sizeof(msg), "error: %.200s:%d: %.300s (source stopped)",
		    c->src_path, c->src_line, error);
		cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, true, NULL, msg);
		if (c->src != NULL)
			fclose(c->src);
		c->src = NULL;
	}
	con_source_next(c);
}

void
cmm_console_print(struct cmm_console *c, bool error, const char *text)
{
	char t[16];

	if (c == NULL)
		return;
	con_hms(t, sizeof(t));
	cmm_ui_model_log(&c->model, CMM_UI_LK_COMMAND, error, t, text);
	con_dirty(c, CON_D_LOG | CON_D_BIG);
}

/* Lines the embedding program printed: into the log. */
static void
con_on_stdout(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console	*c = arg;
	char			 buf[1024];
	ssize_t			 n;

	(void)what;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && c->out_len + 1 < sizeof(c->out_part)) {
				c->out_part[c->out_len++] = buf[i];
				continue;
			}
			c->out_part[c->out_len] = '\0';
			cmm_console_print(c, strstr(c->out_part, "error") != NULL,
			    c->out_part);
			c->out_len = 0;
			if (buf[i] != '\n')
				c->out_part[c->out_len++] = buf[i];
		}
	}
}

/* ---- input, signals ---- */

static void
con_on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console *c = arg;

	(void)fd;
	(void)what;
	/* level-triggered: called again while bytes remain */
	con_prompt_read(c);
	if (c->dirty != 0)
		con_view_draw(c);
}

static void
con_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct cmm_console	*c = arg;
	struct winsize		 ws;

	(void)what;
	switch (sig) {
	case SIGWINCH:
		/* in loop context: resizing and allocating are safe here; the
		 * size of curses' own tty (stdout may be captured) */
		if (ioctl(fileno(c->tty_out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
		    ws.ws_col > 0)
			resizeterm(ws.ws_row, ws.ws_col);
		con_prompt_resize(c);
		clearok(curscr, TRUE);
		con_dirty(c, CON_D_LAYOUT);
		break;
	case SIGCONT:
		reset_prog_mode();
		clearok(curscr, TRUE);
		con_dirty(c, CON_D_LAYOUT);
		break;
	default:
		/* SIGINT/SIGTERM from outside: a clean detach */
		con_detach(c);
		break;
	}
}

/* ---- life cycle ---- */

void
con_detach(struct cmm_console *c)
{
	if (c->detaching)
		return;
	c->detaching = true;
	/* not from inside readline's callback: from the loop */
	event_active(c->ev_detach, EV_TIMEOUT, 0);
}

static void
con_on_detach(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_console *c = arg;

	(void)fd;
	(void)what;
	con_end_terminal(c);
	if (c->opts.on_detach != NULL)
		c->opts.on_detach(c->opts.detach_arg);
}

/* The crash path: put the terminal back, then die as we would have. */
static void
con_crash(int sig)
{
	if (con_live != NULL && con_live->active) {
		endwin();
		if (con_live->saved_stderr >= 0)
			dup2(con_live->saved_stderr, STDERR_FILENO);
		if (con_live->saved_stdout >= 0)
			dup2(con_live->saved_stdout, STDOUT_FILENO);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
con_atexit(void)
{
	if (con_live != NULL)
		con_end_terminal(con_live);
}

static void
con_evlog(int severity, const char *msg)
{
	if (con_live == NULL || severity < EVENT_LOG_WARN)
		return;
	cmm_ui_model_log(&con_live->model, CMM_UI_LK_TROUBLE, true, NULL, msg);
}

/* Teardown in the reverse order of set-up -- readline, history, curses,
 * then stderr back and what it caught shown -- so each layer still has
 * the terminal state it expects when it restores its own. */
static void
con_end_terminal(struct cmm_console *c)
{
	char	buf[4096];
	ssize_t	n;

	if (!c->active)
		return;
	con_prompt_free(c);
	c->active = false;
	con_view_free(c);
	endwin();
	if (c->scr != NULL)
		delscreen(c->scr);
	c->scr = NULL;
	if (c->tty_out != NULL)
		fclose(c->tty_out);
	c->tty_out = NULL;
	if (c->ev_stdin != NULL)
		event_del(c->ev_stdin);
	for (int i = 0; i < 4; i++)
		if (c->ev_sig[i] != NULL)
			event_del(c->ev_sig[i]);
	event_set_log_callback(NULL);
	if (c->saved_stdout >= 0) {
		fflush(stdout);
		dup2(c->saved_stdout, STDOUT_FILENO);
		close(c->saved_stdout);
		c->saved_stdout = -1;
	}
	if (c->ev_out != NULL)
		event_free(c->ev_out);
	c->ev_out = NULL;
	if (c->out_pipe >= 0)
		close(c->out_pipe);
	c->out_pipe = -1;
	if (c->saved_stderr >= 0) {
		dup2(c->saved_stderr, STDERR_FILENO);
		close(c->saved_stderr);
		c->saved_stderr = -1;
	}
	if (c->errlog_fd >= 0) {
		if (lseek(c->errlog_fd, 0, SEEK_SET) == 0)
			while ((n = read(c->errlog_fd, buf, sizeof(buf))) > 0)
				if (write(STDERR_FILENO, buf, (size_t)n) < 0)
					break;
		close(c->errlog_fd);
		c->errlog_fd = -1;
	}
}

struct cmm_console *
cmm_console_attach(struct event_base *base, int fd,
    const struct cmm_console_opts *o, char *err, size_t errlen)
{
	static const int	 sigs[4] = { SIGWINCH, SIGCONT, SIGINT, SIGTERM };
	static const int	 crash[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
				    SIGILL };
	struct cmm_console	*c;
	struct sigaction	 sa;
	struct timeval		 tv = { 1, 0 };
	const char		*home, *term;
	char			 tmpl[] = "/tmp/cmm-console-stderr.XXXXXX";
	int			 outfd;

	if (con_live != NULL) {
		snprintf(err, errlen, "a console is already attached");
		close(fd);
		return NULL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the console needs a terminal on stdin "
		    "and stdout");
		close(fd);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	c->base = base;
	c->opts = *o;
	c->saved_stderr = -1;
	c->errlog_fd = -1;
	c->saved_stdout = -1;
	c->out_pipe = -1;
	c->node = -1;
	c->log_filter = CMM_UI_FILTER_ALL;
	snprintf(c->title, sizeof(c->title), "%s", o->title ? o->title :
	    "cmm console");
	snprintf(c->sock, sizeof(c->sock), "%s", o->socket_path ?
	    o->socket_path : "");
	if (o->history_file != NULL)
		snprintf(c->history_path, sizeof(c->history_path), "%s",
		    o->history_file);
	else if ((home = getenv("HOME")) != NULL)
		snprintf(c->history_path, sizeof(c->history_path),
		    "%.*s/.cmm_history", PATH_MAX - 20, home);
	cmm_ui_model_init(&c->model);

	/* the locale first: both curses and readline read it at start */
	setlocale(LC_ALL, "");
	term = getenv("TERM");
	if ((outfd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (c->tty_out = fdopen(outfd, "w")) == NULL) {
		snprintf(err, errlen, "cannot duplicate stdout: %s",
		    strerror(errno));
		goto fail;
	}
	if ((c->scr = newterm(NULL, c->tty_out, stdin)) == NULL) {
		snprintf(err, errlen, "cannot use the terminal (TERM=%s)",
		    term ? term : "unset");
		goto fail;
	}
	set_term(c->scr);
	c->active = true;
	con_live = c;
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	/* keypad stays off: readline decodes the keys (variant A) */
	keypad(stdscr, FALSE);
	c->colour = cmm_ui_colour_init(!o->no_colour);

	/* stderr to a file while curses owns the screen (htop) */
	if ((c->errlog_fd = mkostemp(tmpl, O_CLOEXEC)) >= 0) {
		unlink(tmpl);
		c->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		dup2(c->errlog_fd, STDERR_FILENO);
	}
	/* what the embedding program prints becomes log lines (GDB's way
	 * with stray output); curses keeps its own copy of the tty */
	if (o->capture_stdout) {
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
			fflush(stdout);
			c->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
			dup2(p[1], STDOUT_FILENO);
			close(p[1]);
			c->out_pipe = p[0];
			setvbuf(stdout, NULL, _IOLBF, 0);
			c->ev_out = event_new(base, p[0], EV_READ | EV_PERSIST,
			    con_on_stdout, c);
			if (c->ev_out != NULL)
				event_add(c->ev_out, NULL);
		}
	}
	event_set_log_callback(con_evlog);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = con_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
	atexit(con_atexit);

	c->ev_stdin = event_new(base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    con_on_stdin, c);
	c->ev_redraw = event_new(base, -1, 0, con_on_redraw, c);
	c->ev_tick = event_new(base, -1, EV_PERSIST, con_on_tick, c);
	c->ev_fast = evtimer_new(base, con_on_fast, c);
	c->ev_retry = evtimer_new(base, con_on_retry, c);
	c->ev_detach = event_new(base, -1, 0, con_on_detach, c);
	for (int i = 0; i < 4; i++) {
		/* the embedding daemon keeps its own SIGINT/SIGTERM */
		if (i >= 2 && !o->handle_signals)
			continue;
		c->ev_sig[i] = evsignal_new(base, sigs[i], con_on_signal, c);
	}
	if (c->ev_stdin == NULL || c->ev_redraw == NULL || c->ev_tick == NULL ||
	    c->ev_fast == NULL || c->ev_retry == NULL || c->ev_detach == NULL) {
		snprintf(err, errlen, "cannot create the console's events");
		goto fail;
	}
	if (con_prompt_init(c, err, errlen) < 0)
		goto fail;
	event_add(c->ev_stdin, NULL);
	event_add(c->ev_tick, &tv);
	for (int i = 0; i < 4; i++)
		if (c->ev_sig[i] != NULL)
			event_add(c->ev_sig[i], NULL);
	con_view_layout(c);
	if (fd >= 0) {
		con_connected(c, fd);
		fd = -1;
		if (!c->connected) {
			snprintf(err, errlen, "cannot set up the control "
			    "connection");
			goto fail;
		}
	} else if (c->sock[0] != '\0') {
		event_active(c->ev_retry, EV_TIMEOUT, 0);
	} else {
		snprintf(err, errlen, "no connection and no socket to connect to");
		goto fail;
	}
	con_dirty(c, CON_D_ALL);
	return c;
fail:
	if (fd >= 0)
		close(fd);
	cmm_console_free(c);
	return NULL;
}

void
cmm_console_free(struct cmm_console *c)
{
	if (c == NULL)
		return;
	con_end_terminal(c);
	cmm_ui_client_free(c->client);
	if (c->src != NULL)
		fclose(c->src);
	if (c->tty_out != NULL)
		fclose(c->tty_out);
	{
		struct event *evs[] = { c->ev_stdin, c->ev_redraw, c->ev_tick,
		    c->ev_fast, c->ev_retry, c->ev_detach, c->ev_sig[0],
		    c->ev_sig[1], c->ev_sig[2], c->ev_sig[3] };

		for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
			if (evs[i] != NULL)
				event_free(evs[i]);
	}
	cmm_ui_model_free(&c->model);
	if (con_live == c)
		con_live = NULL;
	free(c);
}
