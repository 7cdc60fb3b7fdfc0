/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ctl_server: the node's control socket on libevent (see the header and
 * src/ctl/ctl_proto.h for the protocol). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "src/ctl/cmd.h"
#include "src/node/config.h"
#include "src/ctl/ctl_limits.h"
#include "src/ctl/ctl_proto.h"
#include "src/ctl/ctl_server.h"
#include "src/node/daemon.h"
#include "src/node/log.h"

#define CTL_BACKLOG	16
/* read-ahead: what a client may have sent beyond the request being served
 * (a pending `wait` holds the rest back) */
#define CTL_IN_MAX	(16 * CMM_CTL_LINE_MAX)
#define CTL_REFUSE_LOG_MS	10000	/* refusals: one log line per 10 s */

struct ctl_conn {
	struct cmm_ctl_server	*srv;
	struct ctl_conn		*next;
	struct bufferevent	*bev;
	long			 uid;
	long			 pid;
	enum cmm_ctl_role	 role;
	bool			 watching;
	bool			 watch_json;
	uint64_t		 seq;		/* of the last event streamed */
	uint64_t		 lost;		/* events skipped: output full */
	uint64_t		 lost_first;	/* the seq of the first of them */
	bool			 waiting;
	bool			 wait_json;
	struct cmm_wait		 wait;
	struct event		*wait_timer;
	bool			 eof;		/* the peer sent all it will */
	bool			 closing;	/* free once the output is sent */
};

struct cmm_ctl_server {
	struct cmm_daemon	*d;
	struct event_base	*base;
	struct evconnlistener	*lis;
	struct event		*accept_retry;
	struct event		*recheck;
	struct ctl_conn		*conns;
	int			 nconns;
	int			 nusers;	/* of them, not root's */
	struct cmm_ctl_access	 access;
	uint64_t		 refused;	/* since the last log line */
	int64_t			 refused_log_ms;
	bool			 listening;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int	listen_unix(const char *path, const struct cmm_config *cfg,
		    char *err, size_t errlen);
static int	socket_dir(const char *path, const struct cmm_config *cfg,
		    char *err, size_t errlen);
static void	ctl_logf(struct cmm_ctl_server *s, enum cmm_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int	peer_creds(int fd, struct cmm_ctl_peer *p, long *pid);
static int	peer_groups(int fd, long pid, struct cmm_ctl_peer *p);
static void	refuse(struct cmm_ctl_server *s, int fd, long uid,
		    const char *why);
static void	conn_drop(struct ctl_conn *c, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static bool	conn_may_run(struct ctl_conn *c, bool json, int argc,
		    char **argv);
static void	conn_reply_hint(struct ctl_conn *c, const char *body,
		    int exit_hint);
static void	on_accept(struct evconnlistener *l, evutil_socket_t fd,
		    struct sockaddr *sa, int salen, void *arg);
static void	on_accept_error(struct evconnlistener *l, void *arg);
static void	on_accept_retry(evutil_socket_t fd, short what, void *arg);
static struct ctl_conn *conn_new(struct cmm_ctl_server *s, int fd);
static struct ctl_conn *conn_admit(struct cmm_ctl_server *s, int fd);
static void	conn_free(struct ctl_conn *c);
static void	conn_close_soon(struct ctl_conn *c);
static void	conn_read(struct bufferevent *bev, void *arg);
static void	conn_write(struct bufferevent *bev, void *arg);
static void	conn_event(struct bufferevent *bev, short what, void *arg);
static void	conn_process(struct ctl_conn *c);
static void	conn_put_lost(struct ctl_conn *c);
static void	conn_too_long(struct ctl_conn *c);
static void	conn_line(struct ctl_conn *c, char *line);
static void	conn_reply(struct ctl_conn *c, const char *body, bool ok,
		    const char *error);
static void	conn_fail(struct ctl_conn *c, bool json, const char *error);
static void	conn_async(struct ctl_conn *c, enum cmm_ctl_tag tag,
		    const char *text);
static void	conn_put(struct ctl_conn *c, enum cmm_ctl_tag tag,
		    const char *text);
static void	conn_stream(struct ctl_conn *c, const char *line);
static void	conn_watch_start(struct ctl_conn *c);
static void	clock_now(int64_t *mono_ns, int64_t *wall_ns);
static void	wait_done(struct ctl_conn *c, bool ok, const char *desc,
		    bool resume);
static void	on_wait_timeout(evutil_socket_t fd, short what, void *arg);
static void	on_recheck(evutil_socket_t fd, short what, void *arg);
static void	on_note(void *arg, const struct cmm_note *n);
static unsigned	allowed(struct cmm_ctl_server *s);

/* Creates the socket's directory when it is missing: the socket's group
 * may enter it, and with a read-only group everyone may (the socket's own
 * mode and the peer's credentials decide then).  An existing directory is
 * the operator's. */
static int
socket_dir(const char *path, const struct cmm_config *cfg, char *err,
    size_t errlen)
{
	char	dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	mode_t	mode = cfg->has_readonly_group ? 0755 : 0750;

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), mode) < 0) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "control socket %s: cannot create its "
		    "directory: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(dir, mode) < 0 || (cfg->has_control_group &&
	    chown(dir, (uid_t)-1, cfg->control_gid) < 0)) {
		snprintf(err, errlen, "control socket %s: cannot give its "
		    "directory %s to group %s: %s", path, dir,
		    cfg->control_group, strerror(errno));
		return -1;
	}
	return 0;
}

/* A unix stream socket at path, replacing only a stale one: mode 0660 and
 * group control_group; mode 0666 when a read-only group is configured, as
 * its members are in no group of the socket's (every peer's credentials
 * are checked at connect). */
static int
listen_unix(const char *path, const struct cmm_config *cfg, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 mode = cfg->has_readonly_group ? 0666 : 0660;
	int			 fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long (at most "
		    "%zu bytes)", path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (socket_dir(path, cfg, err, errlen) < 0)
		return -1;
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "control socket %s: exists and is "
			    "not a socket", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			snprintf(err, errlen, "control socket %s: another process "
			    "is listening there", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		/* nobody answers: a stale socket of a dead node */
		if (unlink(path) < 0) {
			snprintf(err, errlen, "control socket %s: cannot remove "
			    "the stale socket: %s", path, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, CTL_BACKLOG) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (cfg->has_control_group &&
	    chown(path, (uid_t)-1, cfg->control_gid) < 0) {
		snprintf(err, errlen, "control socket %s: cannot give it to "
		    "group %s (control_group): %s", path, cfg->control_group,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

struct cmm_ctl_server *
cmm_ctl_server_new(struct cmm_daemon *d, const char *path, char *err,
    size_t errlen)
{
	const struct cmm_config	*cfg = cmm_daemon_config(d);
	struct cmm_ctl_server	*s;
	int			 fd;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "control socket %s: out of memory", path);
		return NULL;
	}
	s->d = d;
	s->base = cmm_daemon_base(d);
	/* a client that goes away mid-reply must not kill the node */
	signal(SIGPIPE, SIG_IGN);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->access.owner = geteuid();
	s->access.group = cfg->has_control_group ? cfg->control_gid : getegid();
	s->access.has_readonly = cfg->has_readonly_group;
	s->access.readonly = cfg->readonly_gid;
	if ((fd = listen_unix(path, cfg, err, errlen)) < 0) {
		free(s);
		return NULL;
	}
	s->lis = evconnlistener_new(s->base, on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	s->accept_retry = evtimer_new(s->base, on_accept_retry, s);
	s->recheck = event_new(s->base, -1, 0, on_recheck, s);
	if (s->lis == NULL || s->accept_retry == NULL || s->recheck == NULL ||
	    cmm_daemon_listen(d, on_note, s) < 0) {
		snprintf(err, errlen, "control socket %s: cannot set up the "
		    "listener", path);
		if (s->lis == NULL)
			close(fd);
		s->listening = s->lis != NULL;
		cmm_ctl_server_free(s);
		return NULL;
	}
	s->listening = true;
	evconnlistener_set_error_cb(s->lis, on_accept_error);
	return s;
}

void
cmm_ctl_server_free(struct cmm_ctl_server *s)
{
	if (s == NULL)
		return;
	cmm_daemon_unlisten(s->d, on_note, s);
	while (s->conns != NULL) {
		struct ctl_conn *c = s->conns;

		if (c->waiting) {
			conn_fail(c, c->wait_json, "wait: node stopping");
			/* one try to hand the reply over before closing */
			evbuffer_write(bufferevent_get_output(c->bev),
			    bufferevent_getfd(c->bev));
		}
		conn_free(c);
	}
	if (s->lis != NULL)
		evconnlistener_free(s->lis);
	if (s->accept_retry != NULL)
		event_free(s->accept_retry);
	if (s->recheck != NULL)
		event_free(s->recheck);
	if (s->listening)
		unlink(s->path);
	free(s);
}

int
cmm_ctl_server_attach_fd(struct cmm_ctl_server *s, int fd)
{
	if (evutil_make_socket_nonblocking(fd) < 0 ||
	    evutil_make_socket_closeonexec(fd) < 0) {
		close(fd);
		return -1;
	}
	return conn_admit(s, fd) != NULL ? 0 : -1;
}

int
cmm_ctl_server_clients(const struct cmm_ctl_server *s)
{
	return s->nconns;
}

/* ---- accepting ---- */

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	(void)conn_admit(arg, fd);
}

static void
ctl_logf(struct cmm_ctl_server *s, enum cmm_log_level level, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmm_vlogf(cmm_daemon_log(s->d), level, fmt, ap);
	va_end(ap);
}

/* uid, gid and pid of the peer from the kernel (SO_PEERCRED), and its
 * supplementary groups.  0, or -1 when the kernel cannot say. */
static int
peer_creds(int fd, struct cmm_ctl_peer *p, long *pid)
{
	struct ucred	cr;
	socklen_t	crlen = sizeof(cr);

	memset(p, 0, sizeof(*p));
	p->ngroups = -1;
	*pid = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0)
		return -1;
	p->uid = cr.uid;
	p->gid = cr.gid;
	*pid = (long)cr.pid;
	(void)peer_groups(fd, *pid, p);
	return 0;
}

/* The peer's supplementary groups: SO_PEERGROUPS (the groups it had when
 * it connected, with no race on its pid), else /proc/PID/status of the
 * process that connected.  Neither asks NSS, so a slow directory service
 * cannot stall the loop.  0, or -1 (p->ngroups stays -1). */
static int
peer_groups(int fd, long pid, struct cmm_ctl_peer *p)
{
	socklen_t	 len = sizeof(p->groups);
	char		 path[64], *line = NULL, *tok, *end;
	size_t		 cap = 0;
	FILE		*f;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p->groups, &len) == 0) {
		p->ngroups = (int)(len / sizeof(p->groups[0]));
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if (pid <= 0 || (f = fopen(path, "re")) == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		p->ngroups = 0;
		for (tok = line + 7; p->ngroups < CMM_CTL_MAX_GROUPS; tok = end) {
			unsigned long g = strtoul(tok, &end, 10);

			if (end == tok)
				break;
			p->groups[p->ngroups++] = (gid_t)g;
		}
		break;
	}
	free(line);
	fclose(f);
	return p->ngroups >= 0 ? 0 : -1;
}

/* Turns a connection away with a one-line error; logs it, at most one line
 * per CTL_REFUSE_LOG_MS so a flood cannot flood the log too. */
static void
refuse(struct cmm_ctl_server *s, int fd, long uid, const char *why)
{
	char	line[256];
	int64_t	now = cmm_daemon_now(s->d);
	int	n;

	n = snprintf(line, sizeof(line), "- %s\n", why);
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
	close(fd);
	s->refused++;
	if (s->refused_log_ms != 0 &&
	    now - s->refused_log_ms < CTL_REFUSE_LOG_MS)
		return;
	ctl_logf(s, CMM_LOG_WARN, "control socket: refused a connection of "
	    "uid %ld: %s (%llu refused since the last such line)", uid, why,
	    (unsigned long long)s->refused);
	s->refused = 0;
	s->refused_log_ms = now;
}

/* A new connection: who it is, whether it may connect at all, and whether
 * a slot is free for it.  The connection, or NULL (fd closed). */
static struct ctl_conn *
conn_admit(struct cmm_ctl_server *s, int fd)
{
	struct cmm_ctl_peer	 p;
	struct ctl_conn		*c;
	enum cmm_ctl_role	 role;
	const char		*why;
	char			 msg[200];
	long			 pid;

	if (peer_creds(fd, &p, &pid) < 0) {
		refuse(s, fd, -1, "permission denied: the kernel did not say who "
		    "is connecting (SO_PEERCRED)");
		return NULL;
	}
	role = cmm_ctl_role(&s->access, &p);
	if (role == CMM_CTL_ROLE_NONE) {
		snprintf(msg, sizeof(msg), "permission denied: uid %ld is not "
		    "root, the node's user or in a control group", (long)p.uid);
		refuse(s, fd, (long)p.uid, msg);
		return NULL;
	}
	if ((why = cmm_ctl_admit(p.uid == 0, s->nusers, s->nconns)) != NULL) {
		refuse(s, fd, (long)p.uid, why);
		return NULL;
	}
	if ((c = conn_new(s, fd)) == NULL) {
		close(fd);
		return NULL;
	}
	c->uid = (long)p.uid;
	c->pid = pid;
	c->role = role;
	if (p.uid != 0)
		s->nusers++;
	return c;
}

/* Out of file descriptors: stop accepting for a second rather than spin
 * on a listener that stays readable (tmux server.c does the same). */
static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	struct cmm_ctl_server	*s = arg;
	struct timeval		 tv = { 1, 0 };
	int			 e = EVUTIL_SOCKET_ERROR();

	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		evconnlistener_disable(s->lis);
		evtimer_add(s->accept_retry, &tv);
	}
}

static void
on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_ctl_server *s = arg;

	evconnlistener_enable(s->lis);
}

/* ---- connections ---- */

static struct ctl_conn *
conn_new(struct cmm_ctl_server *s, int fd)
{
	struct ctl_conn	*c;
	char		 hello[64];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->srv = s;
	c->uid = -1;
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->wait_timer = evtimer_new(s->base, on_wait_timeout, c);
	if (c->bev == NULL || c->wait_timer == NULL) {
		if (c->bev != NULL) {
			/* the bufferevent owns fd now; hand back a copy */
			bufferevent_setfd(c->bev, -1);
			bufferevent_free(c->bev);
		}
		if (c->wait_timer != NULL)
			event_free(c->wait_timer);
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	/* a client cannot make the daemon buffer more than this of its input */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_IN_MAX);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	cmm_ctl_hello(hello, sizeof(hello), cmm_daemon_self(s->d));
	bufferevent_write(c->bev, hello, strlen(hello));
	return c;
}

static void
conn_free(struct ctl_conn *c)
{
	struct cmm_ctl_server	*s = c->srv;
	struct ctl_conn		**pp;

	for (pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			s->nconns--;
			if (c->uid != 0)
				s->nusers--;
			break;
		}
	event_free(c->wait_timer);
	bufferevent_free(c->bev);
	free(c);
}

/* Disconnects a client at once, unsent output and all, and logs why. */
static void
conn_drop(struct ctl_conn *c, const char *fmt, ...)
{
	char	why[200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* not a watcher any more: the log line below must not queue on c */
	c->watching = false;
	ctl_logf(c->srv, CMM_LOG_WARN, "control client uid %ld pid %ld: "
	    "disconnected: %s", c->uid, c->pid, why);
	conn_free(c);
}

/* Frees the connection once its output has gone out. */
static void
conn_close_soon(struct ctl_conn *c)
{
	c->closing = true;
	c->watching = false;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
	else if (!c->closing && c->lost > 0)
		conn_put_lost(c);	/* drained: say what it missed now, not
					 * at the next event, which may be hours
					 * away */
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	if (what & BEV_EVENT_ERROR) {
		conn_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* answer what was sent before the half-close, then go */
		c->eof = true;
		conn_process(c);
	}
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	conn_process(arg);
}

/* Runs the queued request lines, one at a time; a pending `wait` holds
 * the rest back so replies stay in order.  May free c. */
static void
conn_process(struct ctl_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	char		*line;
	size_t		 n;

	while (!c->waiting && !c->closing) {
		/* a client that sends requests and never reads the replies
		 * must not grow the daemon: the first request past the limit
		 * ends it */
		if (cmm_ctl_out_over(evbuffer_get_length(
		    bufferevent_get_output(c->bev)))) {
			conn_drop(c, "it did not read its replies (more than "
			    "%zu bytes unread)", CMM_CTL_OUT_HARD);
			return;
		}
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
		if (line == NULL)
			break;
		if (n + 1 > CMM_CTL_LINE_MAX) {
			free(line);
			conn_too_long(c);
			return;
		}
		if (strlen(line) != n)
			conn_reply(c, NULL, false, "request holds a NUL byte");
		else
			conn_line(c, line);
		free(line);
	}
	if (c->closing || c->waiting)
		return;
	if (evbuffer_get_length(in) >= CMM_CTL_LINE_MAX) {
		conn_too_long(c);
		return;
	}
	/* a half-closed watcher keeps its stream until a write fails */
	if (c->eof && !c->watching)
		conn_close_soon(c);
}

/* A request longer than the protocol allows ends the connection: say why,
 * to the client and in the log. */
static void
conn_too_long(struct ctl_conn *c)
{
	char why[96];

	snprintf(why, sizeof(why), "request line too long (at most %d bytes "
	    "with its LF)", CMM_CTL_LINE_MAX);
	conn_reply(c, NULL, false, why);
	ctl_logf(c->srv, CMM_LOG_WARN, "control client uid %ld pid %ld: "
	    "disconnected: %s", c->uid, c->pid, why);
	conn_close_soon(c);
}

static unsigned
allowed(struct cmm_ctl_server *s)
{
	return cmm_daemon_config(s->d)->fault_injection ? CMM_CMDF_FAULT : 0;
}

/* One request: through the command table, then reply (or wait, or watch). */
static void
conn_line(struct ctl_conn *c, char *line)
{
	struct cmm_cmd_ctx	 ctx;
	struct timeval		 tv;
	char			*argv[CMM_CTL_MAX_ARGS], *body, desc[256];
	const char		*why;
	bool			 json;
	int			 argc;

	argc = cmm_ctl_parse_request(line, &json, argv, CMM_CTL_MAX_ARGS, &why);
	if (argc < 0) {
		conn_fail(c, json, why);
		return;
	}
	if (!conn_may_run(c, json, argc, argv))
		return;
	cmm_cmd_ctx_init(&ctx, c->srv->d, allowed(c->srv), json, c->uid);
	switch (cmm_cmd_run(&ctx, argc, argv)) {
	case CMM_CMD_OK:
		body = cmm_cmd_reply_body(&ctx);
		if (body == NULL)
			conn_fail(c, json, "out of memory");
		else
			conn_reply_hint(c, body, ctx.exit_hint);
		free(body);
		break;
	case CMM_CMD_ERROR:
		conn_fail(c, json, ctx.error);
		break;
	case CMM_CMD_WATCH:
		/* what was made before the snapshot goes to the watchers
		 * there already, not to this one after its snapshot */
		cmm_daemon_notes_flush(c->srv->d);
		c->watching = true;
		c->watch_json = ctx.watch_json;
		if (json)
			cmm_cmd_set_json(&ctx, json_pack("{s:b}", "watching", 1));
		else
			cmm_cmd_printf(&ctx, "watching events (close the "
			    "connection to stop)");
		body = cmm_cmd_reply_body(&ctx);
		conn_reply(c, body, body != NULL, "out of memory");
		free(body);
		conn_watch_start(c);
		break;
	case CMM_CMD_WAIT:
		c->wait = ctx.wait;
		c->wait_json = json;
		if (cmm_wait_holds(c->srv->d, &c->wait, desc, sizeof(desc))) {
			c->waiting = true;
			wait_done(c, true, desc, false);
			break;
		}
		c->waiting = true;
		if (c->wait.seconds > 0) {
			tv.tv_sec = c->wait.seconds;
			tv.tv_usec = 0;
			evtimer_add(c->wait_timer, &tv);
		}
		break;
	case CMM_CMD_QUIT:
		conn_fail(c, json, "quit: only in cmm demo");
		break;
	}
	cmm_cmd_ctx_free(&ctx);
}

/* A read-only peer runs nothing the command table marks as changing the
 * node; false (and the refusal sent) when this request is such a one. */
static bool
conn_may_run(struct ctl_conn *c, bool json, int argc, char **argv)
{
	const struct cmm_cmd_entry	*e;
	char				 msg[CMM_CTL_LINE_MAX], unused[8];
	int				 used;

	if (c->role == CMM_CTL_ROLE_ADMIN || argc == 0)
		return true;
	/* an unknown command gets the table's own error when it runs */
	e = cmm_cmd_find(NULL, argc, argv, allowed(c->srv), &used, unused,
	    sizeof(unused));
	if (e == NULL || cmm_ctl_may_run(c->role, e->flags))
		return true;
	snprintf(msg, sizeof(msg), "%s: permission denied: uid %ld may only "
	    "run commands that change nothing (control_readonly_group %s)",
	    e->name, c->uid, cmm_daemon_config(c->srv->d)->readonly_group);
	conn_fail(c, json, msg);
	return false;
}

/* Sends an encoded reply and frees it; NULL (the encoder ran out of
 * memory) still ends the request, as a failure. */
static void
conn_send_reply(struct ctl_conn *c, char *r)
{
	if (r == NULL) {
		bufferevent_write(c->bev, "- out of memory\n", 16);
		return;
	}
	bufferevent_write(c->bev, r, strlen(r));
	free(r);
}

static void
conn_reply(struct ctl_conn *c, const char *body, bool ok, const char *error)
{
	conn_send_reply(c, cmm_ctl_encode_reply(body, ok, error));
}

/* A success whose `cmm ctl` should exit with exit_hint (0: 0). */
static void
conn_reply_hint(struct ctl_conn *c, const char *body, int exit_hint)
{
	conn_send_reply(c, cmm_ctl_encode_reply_hint(body, true, NULL,
	    exit_hint));
}

/* A failure: the "- error" line, after the JSON error object as the body
 * when the request asked for JSON (docs/api/error.json), so a script
 * reads one object on stdout either way. */
static void
conn_fail(struct ctl_conn *c, bool json, const char *error)
{
	char *body = json ? cmm_cmd_error_body(error) : NULL;

	conn_reply(c, body, false, error);
	free(body);
}

static void
clock_now(int64_t *mono_ns, int64_t *wall_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	*mono_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	clock_gettime(CLOCK_REALTIME, &ts);
	*wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The start of a watch stream: the status as its first line (seq 0),
 * taken in the same loop turn as the subscription, so no event falls
 * between what the snapshot shows and the first event streamed; then the
 * open prompt, for a console attached late. */
static void
conn_watch_start(struct ctl_conn *c)
{
	struct cmm_status_snap	 snap;
	int64_t			 mono, wall;
	char			*body = NULL, text[1024];
	json_t			*o;

	c->seq = 0;
	c->lost = 0;
	clock_now(&mono, &wall);
	cmm_daemon_status(c->srv->d, &snap);
	if (c->watch_json) {
		o = cmm_snapshot_json(&snap, mono, wall);
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (body != NULL)
			conn_async(c, CMM_CTL_EVENT, body);
		free(body);
	} else {
		cmm_snapshot_text(&snap, wall, text, sizeof(text));
		conn_async(c, CMM_CTL_EVENT, text);
	}
	if (snap.prompt.kind != CMM_PROMPT_NONE) {
		o = cmm_prompt_json(&snap.prompt, snap.now);
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (body != NULL)
			conn_async(c, CMM_CTL_PROMPT, body);
		free(body);
	}
}

/* The "lost" line naming the events a slow watcher missed, once there
 * is room for it again. */
static void
conn_put_lost(struct ctl_conn *c)
{
	int64_t	 mono, wall;
	char	*l = NULL;
	json_t	*o;

	if (c->watch_json) {
		clock_now(&mono, &wall);
		o = cmm_lost_json(cmm_daemon_self(c->srv->d),
		    cmm_daemon_epoch(c->srv->d), c->lost_first, c->lost, mono,
		    wall);
		l = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	} else if (asprintf(&l, "lost %llu events (%llu..%llu): this watcher "
	    "read too slowly", (unsigned long long)c->lost,
	    (unsigned long long)c->lost_first,
	    (unsigned long long)(c->lost_first + c->lost - 1)) < 0)
		l = NULL;
	c->lost = 0;
	conn_put(c, CMM_CTL_EVENT, l != NULL ? l : "lost");
	free(l);
}

/* One numbered event line (seq already counted in c->seq).  A watcher
 * that does not read loses events instead of growing the daemon; a
 * "lost" line names the gap when its queue has drained (conn_write) or
 * before the next line that fits, whichever comes first. */
static void
conn_stream(struct ctl_conn *c, const char *line)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	if (!cmm_ctl_event_fits(evbuffer_get_length(out))) {
		if (c->lost++ == 0)
			c->lost_first = c->seq;
		return;
	}
	if (c->lost > 0)
		conn_put_lost(c);
	conn_put(c, CMM_CTL_EVENT, line);
}

/* A line outside the numbered stream (a prompt, the snapshot): dropped
 * while the watcher's queue is past the soft limit, which sits below the
 * disconnect limit, so a slow watcher loses lines long before it would
 * be cut off.  (A prompt line is sent again at its next change; the
 * numbered events go through conn_stream, which counts what it drops.) */
static void
conn_async(struct ctl_conn *c, enum cmm_ctl_tag tag, const char *text)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (cmm_ctl_event_fits(evbuffer_get_length(out)))
		conn_put(c, tag, text);
}

static void
conn_put(struct ctl_conn *c, enum cmm_ctl_tag tag, const char *text)
{
	char *l;

	if ((l = cmm_ctl_encode_async(tag, text)) != NULL)
		bufferevent_write(c->bev, l, strlen(l));
	free(l);
}

/* ---- wait ---- */

/* Replies to the pending wait; with resume, runs the requests queued
 * behind it (never from inside conn_process, which goes on by itself). */
static void
wait_done(struct ctl_conn *c, bool ok, const char *desc, bool resume)
{
	struct cmm_status_snap	 snap;
	char			 err[320], *body;

	c->waiting = false;
	evtimer_del(c->wait_timer);
	if (!ok) {
		snprintf(err, sizeof(err), "wait: timed out after %d s: %s",
		    c->wait.seconds, desc);
		conn_fail(c, c->wait_json, err);
	} else if (c->wait_json) {
		json_t *o;

		cmm_daemon_status(c->srv->d, &snap);
		o = cmm_api_wrap(cmm_status_json(&snap), true, true);
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		conn_reply(c, body, body != NULL, "out of memory");
		free(body);
	} else
		conn_reply(c, desc, true, NULL);
	if (resume)
		conn_process(c);
}

static void
on_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn	*c = arg;
	char		 desc[256];

	if (!c->waiting)
		return;
	if (cmm_wait_holds(c->srv->d, &c->wait, desc, sizeof(desc)))
		wait_done(c, true, desc, true);
	else
		wait_done(c, false, desc, true);
}

/* Runs after the core call that produced the events has returned, so the
 * status it reads is settled. */
static void
on_recheck(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_ctl_server	*s = arg;
	struct ctl_conn		*c, *next;
	char			 desc[256];

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->waiting && cmm_wait_holds(s->d, &c->wait, desc,
		    sizeof(desc)))
			wait_done(c, true, desc, true);
	}
}

/* ---- daemon notes ---- */

static void
on_note(void *arg, const struct cmm_note *n)
{
	struct cmm_ctl_server	*s = arg;
	struct ctl_conn		*c;
	char			*js = NULL, *pj = NULL, text[1024];
	bool			 have_text = false, tried_js = false;
	bool			 tried_text = false, waiters = false;
	/* the epoch when the note was made, not now (notes wait for the
	 * end of the burst that made them: src/node/noteq.h) */
	uint32_t		 epoch = n->epoch;
	int			 node = cmm_daemon_self(s->d);
	json_t			*o, *ev = NULL;

	for (c = s->conns; c != NULL; c = c->next)
		waiters |= c->waiting;
	if (waiters && (n->type == CMM_NOTE_EVENT || n->type == CMM_NOTE_PROMPT))
		event_active(s->recheck, 0, 0);
	if (n->type == CMM_NOTE_PROMPT) {
		o = cmm_prompt_json(n->fx->u.prompt, cmm_daemon_now(s->d));
		pj = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->watching || c->closing)
			continue;
		if (c->watch_json) {
			if (!tried_js) {
				tried_js = true;
				ev = cmm_note_json_cfg(n, node, epoch,
				    cmm_daemon_core_cfg(s->d));
			}
			if (ev != NULL) {
				/* each watcher numbers its own stream */
				json_object_set_new(ev, "seq",
				    json_integer((json_int_t)++c->seq));
				js = json_dumps(ev, JSON_COMPACT);
				if (js != NULL)
					conn_stream(c, js);
				free(js);
				js = NULL;
			}
		} else {
			if (!tried_text) {
				tried_text = true;
				have_text = cmm_note_text(n, node, epoch, text,
				    sizeof(text)) == 0;
			}
			if (have_text) {
				c->seq++;
				conn_stream(c, text);
			}
		}
		if (pj != NULL)
			conn_async(c, CMM_CTL_PROMPT, pj);
	}
	json_decref(ev);
	free(pj);
}
