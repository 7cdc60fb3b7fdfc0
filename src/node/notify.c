/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notify: the systemd notify protocol for the daemon (see notify.h). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "src/node/daemon.h"
#include "src/node/notify.h"
#include "util/parse.h"

struct cmm_notify {
	struct cmm_daemon	*d;
	struct cmm_log		*log;
	int			fd;		/* -1: no socket, nothing to do */
	struct sockaddr_un	sa;
	socklen_t		salen;
	char			name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	bool			listening;
	bool			ready, stopping, send_failed;
	char			status[200];	/* the last STATUS= sent */
	struct event		*watchdog;	/* every half WATCHDOG_USEC */
};

/* "member of epoch 7 {0-5}": the line `systemctl status` shows. */
static void
notify_status_line(struct cmm_daemon *d, char *buf, size_t len)
{
	struct cmm_status_snap s;
	const struct cmm_core_status *st = &s.st;
	char set[120];

	cmm_daemon_status(d, &s);
	cmm_set_format(&st->members, set, sizeof(set));
	switch (st->state) {
	case CMM_ST_MEMBER:
		snprintf(buf, len, "member of epoch %" PRIu32 " {%s}", st->epoch,
		    set);
		break;
	case CMM_ST_RECONFIGURING:
		snprintf(buf, len, "member of epoch %" PRIu32 " {%s}, a round "
		    "runs", st->epoch, set);
		break;
	case CMM_ST_AWAITING_OPERATOR:
		if (st->prompt == CMM_PROMPT_WINNER)
			snprintf(buf, len, "awaiting the operator: which node "
			    "wins, %d or %d? (cmm ctl answer winner N)",
			    st->prompt_choice[0], st->prompt_choice[1]);
		else
			snprintf(buf, len, "awaiting the operator: is this node "
			    "isolated? (cmm ctl answer isolated|not-isolated)");
		break;
	case CMM_ST_ISOLATED:
		snprintf(buf, len, "isolated: staying out of any cluster");
		break;
	case CMM_ST_NO_QUORUM:
		if (st->epoch > 0)
			snprintf(buf, len, "no quorum (last epoch %" PRIu32
			    " {%s})", st->epoch, set);
		else
			snprintf(buf, len, "no quorum");
		break;
	case CMM_ST_JOINING:
		if (st->epoch > 0)
			snprintf(buf, len, "joining (last epoch %" PRIu32 " {%s})",
			    st->epoch, set);
		else
			snprintf(buf, len, "joining: no cluster yet");
		break;
	case CMM_ST_LEAVING:
		snprintf(buf, len, "leaving the cluster");
		break;
	default:
		snprintf(buf, len, "%s", cmm_state_name(st->state));
		break;
	}
}

int
cmm_notify_send(struct cmm_notify *n, const char *msg)
{
	ssize_t w;

	if (n == NULL || n->fd < 0)
		return -1;
	do
		w = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (const struct sockaddr *)&n->sa, n->salen);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		/* systemd gone or the socket full: say it once, not per ping */
		cmm_logf(n->log, n->send_failed ? CMM_LOG_DEBUG : CMM_LOG_ERROR,
		    "systemd notify: cannot send to %s: %s", n->name,
		    strerror(errno));
		n->send_failed = true;
		return -1;
	}
	return 0;
}

/* Sends STATUS= when the line changed, with READY=1 the first time the
 * node is ready and STOPPING=1 the first time it leaves. */
static void
notify_update(struct cmm_notify *n, bool ready)
{
	struct cmm_status_snap s;
	char line[sizeof(n->status)], msg[sizeof(n->status) + 64];
	bool say_ready = ready && !n->ready, say_stop;

	cmm_daemon_status(n->d, &s);
	say_stop = !n->stopping && (s.st.state == CMM_ST_LEAVING ||
	    s.st.state == CMM_ST_STOPPED);
	notify_status_line(n->d, line, sizeof(line));
	if (!say_ready && !say_stop && strcmp(line, n->status) == 0)
		return;
	snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", say_ready ? "READY=1\n" : "",
	    say_stop ? "STOPPING=1\n" : "", line);
	if (cmm_notify_send(n, msg) < 0)
		return;
	snprintf(n->status, sizeof(n->status), "%s", line);
	if (say_ready) {
		n->ready = true;
		cmm_logf(n->log, CMM_LOG_INFO, "systemd notify: ready (%s)", line);
	}
	if (say_stop)
		n->stopping = true;
}

/* Ready once the node is a member of a committed configuration: what
 * units ordered after this one (After=cmm-node@N.service) wait for. */
static bool
notify_member(struct cmm_notify *n)
{
	struct cmm_status_snap s;

	cmm_daemon_status(n->d, &s);
	return s.st.member && (s.st.state == CMM_ST_MEMBER ||
	    s.st.state == CMM_ST_RECONFIGURING);
}

static void
notify_on_note(void *ctx, const struct cmm_note *note)
{
	struct cmm_notify *n = ctx;

	if (note->type != CMM_NOTE_EVENT && note->type != CMM_NOTE_PROMPT)
		return;
	notify_update(n, notify_member(n));
}

static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	cmm_notify_send(arg, "WATCHDOG=1");
}

/* $NOTIFY_SOCKET: "/path" or "@abstract". */
static int
notify_open(struct cmm_notify *n, const char *name)
{
	size_t len = strlen(name);

	memset(&n->sa, 0, sizeof(n->sa));
	n->sa.sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || len < 2 ||
	    len > sizeof(n->sa.sun_path) - (name[0] == '/')) {
		cmm_logf(n->log, CMM_LOG_ERROR, "systemd notify: NOTIFY_SOCKET "
		    "'%s' is not a unix socket path or @name this daemon can use",
		    name);
		return -1;
	}
	memcpy(n->sa.sun_path, name, len);
	if (name[0] == '@') {
		/* abstract: a leading NUL, and the length says where it ends */
		n->sa.sun_path[0] = '\0';
		n->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else
		n->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + 1);
	snprintf(n->name, sizeof(n->name), "%s", name);
	/* non-blocking: a systemd that does not read must not stall the
	 * loop (a full queue is a failed send, logged) */
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		cmm_logf(n->log, CMM_LOG_ERROR, "systemd notify: socket: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* $WATCHDOG_USEC, when $WATCHDOG_PID (if set) is this process; 0: none. */
static long long
notify_watchdog_usec(struct cmm_notify *n)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long v, p;

	if (usec == NULL)
		return 0;
	if (pid != NULL && (cmm_parse_int(pid, 1, INT64_MAX, &p, NULL, 0) != 0 ||
	    p != (long long)getpid()))
		return 0;	/* meant for another process */
	if (cmm_parse_int(usec, 0, INT64_MAX, &v, NULL, 0) != 0) {
		cmm_logf(n->log, CMM_LOG_ERROR, "systemd notify: WATCHDOG_USEC "
		    "'%s' is not a number of microseconds; no watchdog pings",
		    usec);
		return 0;
	}
	return v;
}

struct cmm_notify *
cmm_notify_new(struct cmm_daemon *d)
{
	struct cmm_notify *n = calloc(1, sizeof(*n));
	struct event_base *base = cmm_daemon_base(d);
	const char *sock = getenv("NOTIFY_SOCKET");
	long long wd = 0;

	if (n == NULL)
		return NULL;
	n->d = d;
	n->log = cmm_daemon_log(d);
	n->fd = -1;
	if (sock != NULL && notify_open(n, sock) == 0)
		wd = notify_watchdog_usec(n);
	/* hooks and anything else this process starts must not inherit them */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (n->fd < 0)
		return n;
	if (cmm_daemon_listen(d, notify_on_note, n) < 0)
		cmm_logf(n->log, CMM_LOG_ERROR, "systemd notify: no room for a "
		    "note listener; STATUS will not follow the node");
	else
		n->listening = true;
	if (wd > 0) {
		/* half the interval, as systemd asks; never under 1 ms */
		long long half = wd / 2 > 1000 ? wd / 2 : 1000;
		struct timeval tv = { (time_t)(half / 1000000),
		    (suseconds_t)(half % 1000000) };

		n->watchdog = event_new(base, -1, EV_PERSIST, notify_watchdog_cb, n);
		if (n->watchdog == NULL || event_add(n->watchdog, &tv) < 0)
			cmm_logf(n->log, CMM_LOG_ERROR, "systemd notify: cannot "
			    "arm the watchdog timer");
		else
			cmm_logf(n->log, CMM_LOG_INFO, "systemd notify: watchdog "
			    "ping every %lld ms", half / 1000);
	}
	/* the first STATUS= line: "joining: no cluster yet" */
	notify_update(n, notify_member(n));
	return n;
}

void
cmm_notify_free(struct cmm_notify *n)
{
	if (n == NULL)
		return;
	if (n->fd >= 0 && !n->stopping)
		cmm_notify_send(n, "STOPPING=1\nSTATUS=exiting");
	if (n->listening)
		cmm_daemon_unlisten(n->d, notify_on_note, n);
	if (n->watchdog != NULL)
		event_free(n->watchdog);
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}
