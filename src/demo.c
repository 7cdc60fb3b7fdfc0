/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo: `cmm demo [-n N] [--dir DIR]` (cmm(1), SUBCOMMANDS).  Writes a
 * cluster config for N nodes on 127.0.0.1 (the FIG. 1 ring of shared
 * devices for six, a ring of neighbours otherwise; fault injection on), a
 * key and the device files into DIR, starts every node as its own
 * `cmm node --headless` process, and stays in the foreground printing
 * every node's event stream.  Its stdin takes the demo's own commands
 * (src/demo_cmd.c: kill, start, cut, heal, view, quit); any other command
 * goes to the node being viewed.  Ctrl-C, SIGTERM, `quit` or the end of
 * stdin stop every process it started, by PID, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "net/mac.h"
#include "quorum/device_file.h"
#include "src/ctl/cmd.h"
#include "src/ctl/ctl_proto.h"
#include "src/demo.h"
#include "src/node/devkey.h"
#include "src/subcmd.h"
#include "ui/console.h"
#include "util/parse.h"

#define DEMO_STOP_S	5	/* grace for a SIGTERM'd node before SIGKILL */

static void	demo_usage(FILE *f);
static int	demo_free_ports(int n, int *ports);
static int	demo_write_files(struct demo *d, const int *ports);
static void	demo_connect(struct demo_node *nd);
static void	demo_disconnect(struct demo_node *nd);
static void	on_retry(evutil_socket_t fd, short what, void *arg);
static void	on_node_read(struct bufferevent *bev, void *arg);
static void	on_node_event(struct bufferevent *bev, short what, void *arg);
static void	on_stdin_read(struct bufferevent *bev, void *arg);
static void	on_stdin_event(struct bufferevent *bev, short what, void *arg);
static void	on_signal(evutil_socket_t sig, short what, void *arg);
static void	on_stop_timer(evutil_socket_t fd, short what, void *arg);
static void	demo_reap(struct demo *d);
static void	demo_stop(struct demo *d);
static int	demo_running(const struct demo *d);
static void	demo_line(struct demo *d, char *line);
static bool	demo_pollable(int fd);

static void
demo_usage(FILE *f)
{
	fprintf(f, "usage: cmm demo [-n N] [--dir DIR]\n"
	    "Starts a local cluster of N nodes (default 6, the FIG. 1 ring) on "
	    "127.0.0.1,\neach its own process, with its files in DIR (a new "
	    "temporary directory\nif not given), and prints their events.  "
	    "Commands: kill N, start N, fresh N\n(restart with no state), "
	    "cut A B [oneway], heal, view N, quit, help; any other\ncommand "
	    "goes to the viewed node.\n");
}

/* N free UDP ports on 127.0.0.1: bound together so they differ, then let
 * go for the nodes to take. */
static int
demo_free_ports(int n, int *ports)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			fds[DEMO_MAX_NODES], i, rc = 0;

	for (i = 0; i < n; i++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		if ((fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
		    bind(fds[i], (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    getsockname(fds[i], (struct sockaddr *)&sin, &len) < 0) {
			fprintf(stderr, "cmm demo: cannot find a free UDP port on "
			    "127.0.0.1: %s\n", strerror(errno));
			if (fds[i] >= 0)
				close(fds[i]);
			rc = -1;
			break;
		}
		ports[i] = ntohs(sin.sin_port);
	}
	while (--i >= 0)
		close(fds[i]);
	return rc;
}

/* cmm.conf, cmm.key (kept if DIR already has one) and the device files. */
static int
demo_write_files(struct demo *d, const int *ports)
{
	/* patent FIG. 1: the ring of shared devices of the six-node cluster */
	static const int fig1[6][2] = {
		{ 0, 3 }, { 3, 5 }, { 5, 1 }, { 1, 4 }, { 4, 2 }, { 2, 0 } };
	char	 path[PATH_MAX + 32], err[512];
	FILE	*f;
	int	 ndev, a, b;
	struct cmm_device *dev;
	struct cmm_keys keys;
	struct cmm_devfile_key dk;

	snprintf(path, sizeof(path), "%s/cmm.key", d->dir);
	if ((access(path, F_OK) < 0 &&
	    cmm_key_generate(path, err, sizeof(err)) < 0) ||
	    cmm_key_load(path, &keys, err, sizeof(err)) < 0) {
		fprintf(stderr, "cmm demo: %s\n", err);
		return -1;
	}
	/* the nodes believe only records tagged with the cluster's key */
	cmm_devkey_init(&dk, keys.dev);
	cmm_keys_wipe(&keys);
	snprintf(path, sizeof(path), "%s/devices", d->dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "cmm demo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((f = fopen(d->conf, "w")) == NULL) {
		fprintf(stderr, "cmm demo: %s: %s\n", d->conf, strerror(errno));
		return -1;
	}
	fprintf(f, "; SPDX-License-Identifier: GPL-3.0-or-later\n"
	    "; written by cmm demo: %d nodes on 127.0.0.1\n\n"
	    "[cluster]\nname = demo\nkey_file = cmm.key\n"
	    "state_dir = node%%n\ncontrol_socket = node%%n.sock\n"
	    "fault_injection = on\n", d->n);
	for (int i = 0; i < d->n; i++)
		fprintf(f, "\n[node %d]\naddress = 127.0.0.1:%d\n", i, ports[i]);
	ndev = d->n == 6 ? 6 : d->n >= 3 ? d->n : d->n == 2 ? 1 : 0;
	for (int i = 0; i < ndev; i++) {
		a = d->n == 6 ? fig1[i][0] : i;
		b = d->n == 6 ? fig1[i][1] : (i + 1) % d->n;
		fprintf(f, "\n[device d%d-%d]\npath = devices/d%d-%d\n"
		    "nodes = %d %d\n", a, b, a, b, a, b);
		snprintf(path, sizeof(path), "%s/devices/d%d-%d", d->dir, a, b);
		if ((dev = cmm_device_file_open(path, true, &dk, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "cmm demo: %s\n", err);
			fclose(f);
			explicit_bzero(&dk, sizeof(dk));
			return -1;
		}
		dev->ops->close(dev);
	}
	explicit_bzero(&dk, sizeof(dk));
	if (fclose(f) != 0) {
		fprintf(stderr, "cmm demo: %s: %s\n", d->conf, strerror(errno));
		return -1;
	}
	return 0;
}

/* `fresh N`: node id's state directory (state, history) moved aside to
 * DIR/nodeN.old.K, so it starts as a new machine would: epoch 0, no
 * cluster known, and alone it is asked the isolation question. */
static int
demo_state_aside(struct demo *d, int id)
{
	char	from[PATH_MAX + 16], to[PATH_MAX + 32];

	snprintf(from, sizeof(from), "%s/node%d", d->dir, id);
	for (int k = 1; k < 1000; k++) {
		snprintf(to, sizeof(to), "%s.old.%d", from, k);
		if (access(to, F_OK) < 0)
			break;
	}
	if (rename(from, to) < 0 && errno != ENOENT) {
		printf("cmm demo: fresh: %s: %s\n", from, strerror(errno));
		return -1;
	}
	printf("cmm demo: node %d: its state moved to %s\n", id, to);
	return 0;
}

/* Starts node id as `cmm node -c CONF --id N --headless`, logging to
 * DIR/nodeN.log.  It dies with the demo (PR_SET_PDEATHSIG) and sits in its
 * own process group, so a Ctrl-C reaches the demo alone, which stops it. */
int
cmm_demo_spawn(struct demo *d, int id)
{
	struct demo_node	*nd = &d->node[id];
	/* execv wants char *: writable copies of the words, no casts */
	char			 ids[16], a0[] = "cmm", a1[] = "node", a2[] = "-c",
				 a4[] = "--id", a6[] = "--headless";
	char			*argv[] = { a0, a1, a2, d->conf, a4, ids, a6, NULL };
	pid_t			 parent = getpid(), pid;
	sigset_t		 none, all, old;
	int			 fd;

	snprintf(ids, sizeof(ids), "%d", id);
	if (nd->fresh && demo_state_aside(d, id) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	/* until the child has dropped libevent's handlers, a signal to it
	 * would reach the demo's loop through the inherited signal pipe */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		printf("cmm demo: cannot start node %d: %s\n", id, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		setpgid(0, 0);
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(nd->log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv("/proc/self/exe", argv);
		dprintf(2, "cmm demo: cannot run /proc/self/exe: %s\n",
		    strerror(errno));
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	nd->pid = pid;
	printf("cmm demo: node %d started%s, pid %d, log %s\n", id,
	    nd->fresh ? " with no state" : "", (int)pid, nd->log);
	nd->fresh = false;
	fflush(stdout);
	return 0;
}

/* ---- control connections to the nodes ---- */

static void
demo_connect(struct demo_node *nd)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { 0, 200000 };

	if (nd->bev != NULL || nd->pid == 0 || nd->demo->quitting)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, nd->sock, sizeof(sun.sun_path) - 1);
	nd->bev = bufferevent_socket_new(nd->demo->base, -1,
	    BEV_OPT_CLOSE_ON_FREE);
	if (nd->bev == NULL) {
		evtimer_add(nd->retry, &tv);
		return;
	}
	bufferevent_setcb(nd->bev, on_node_read, NULL, on_node_event, nd);
	bufferevent_enable(nd->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(nd->bev, (struct sockaddr *)&sun,
	    sizeof(sun)) < 0)
		demo_disconnect(nd);
}

/* Drops the connection; tries again soon while the node runs. */
static void
demo_disconnect(struct demo_node *nd)
{
	struct timeval tv = { 0, 200000 };

	if (nd->bev != NULL)
		bufferevent_free(nd->bev);
	nd->bev = NULL;
	if (nd->up) {
		printf("cmm demo: node %d: control connection closed\n", nd->id);
		fflush(stdout);
	}
	nd->up = false;
	nd->internal = 0;
	cmm_ctl_reply_reset(&nd->reply);
	if (nd->pid != 0 && !nd->demo->quitting)
		evtimer_add(nd->retry, &tv);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	demo_connect(arg);
}

static void
on_node_event(struct bufferevent *bev, short what, void *arg)
{
	struct demo_node *nd = arg;

	if (what & BEV_EVENT_CONNECTED) {
		/* every event of the node, as human lines */
		nd->internal = 1;
		bufferevent_write(bev, "watch\n", 6);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		demo_disconnect(nd);
}

static void
on_node_read(struct bufferevent *bev, void *arg)
{
	struct demo_node	*nd = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	const char		*pl, *p, *nl;
	char			*line;
	int			 tag;

	while ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF)) != NULL) {
		tag = cmm_ctl_parse_line(line, &pl);
		switch (tag) {
		case CMM_CTL_HELLO:
			if (!nd->up)
				printf("cmm demo: node %d: connected to %s\n", nd->id,
				    nd->sock);
			nd->up = true;
			break;
		case CMM_CTL_EVENT:
			/* the console shows the viewed node's events itself;
			 * here every node's come in: each names its node */
			if (nd->demo->con == NULL)
				printf("node %d: %s\n", nd->id, pl);
			break;
		case CMM_CTL_BODY:
		case CMM_CTL_OK:
		case CMM_CTL_ERR:
			cmm_ctl_reply_feed(&nd->reply, line);
			if (!nd->reply.done)
				break;
			if (nd->internal > 0) {
				nd->internal--;
				if (!nd->reply.ok)
					printf("cmm demo: node %d: %s\n", nd->id,
					    nd->reply.error);
			} else {
				for (p = nd->reply.body; p != NULL && *p != '\0';
				    p = nl + 1) {
					nl = strchr(p, '\n');
					printf("node %d> %.*s\n", nd->id,
					    (int)(nl - p), p);
				}
				if (!nd->reply.ok)
					printf("node %d> error: %s\n", nd->id,
					    nd->reply.error);
			}
			cmm_ctl_reply_reset(&nd->reply);
			break;
		default:
			break;
		}
		free(line);
	}
	fflush(stdout);
}

int
cmm_demo_send(struct demo *d, int id, const char *line, bool internal)
{
	struct demo_node *nd = &d->node[id];

	if (!nd->up || nd->bev == NULL)
		return -1;
	if (internal)
		nd->internal++;
	bufferevent_write(nd->bev, line, strlen(line));
	bufferevent_write(nd->bev, "\n", 1);
	return 0;
}

/* ---- stdin: the demo's command line ---- */

static void
demo_line(struct demo *d, char *line)
{
	struct cmm_cmd_ctx		 ctx;
	char				*argv[CMM_CTL_MAX_ARGS], copy[CMM_CTL_LINE_MAX];
	char				 err[512];
	const char			*why;
	bool				 json;
	int				 argc;
	enum cmm_cmd_ret		 rc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = cmm_ctl_parse_request(line, &json, argv, CMM_CTL_MAX_ARGS, &why);
	if (argc < 0) {
		printf("error: %s\n", why);
		return;
	}
	if (argc == 0)
		return;
	switch (cmm_demo_cmd_run(d, argc, argv, json, &ctx, &rc, err,
	    sizeof(err))) {
	case -1:
		printf("error: %s\n", err);
		return;
	case 0:
		/* a node command: the viewed node runs it */
		if (cmm_demo_send(d, d->view, copy, false) < 0)
			printf("error: node %d is not connected (start %d?)\n",
			    d->view, d->view);
		return;
	}
	if (ctx.text != NULL)
		fputs(ctx.text, stdout);
	if (rc == CMM_CMD_ERROR)
		printf("error: %s\n", ctx.error);
	cmm_cmd_ctx_free(&ctx);
	if (rc == CMM_CMD_QUIT)
		demo_stop(d);
}

static void
on_stdin_read(struct bufferevent *bev, void *arg)
{
	struct demo	*d = arg;
	char		*line;

	while (!d->quitting && (line = evbuffer_readln(bufferevent_get_input(bev),
	    NULL, EVBUFFER_EOL_LF)) != NULL) {
		demo_line(d, line);
		free(line);
	}
	fflush(stdout);
}

static void
on_stdin_event(struct bufferevent *bev, short what, void *arg)
{
	struct demo *d = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		printf("cmm demo: end of input: stopping\n");
		demo_stop(d);
	}
}

/* epoll takes pipes, sockets and terminals; not files or /dev/null. */
static bool
demo_pollable(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return false;
	return S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || isatty(fd);
}

/* The demo's commands in one line, for the banner and the console's
 * empty command line. */
#define DEMO_HINT	"kill N, start N, fresh N, cut A B, heal, view N, quit"

/* ---- processes ---- */

static int
demo_running(const struct demo *d)
{
	int n = 0;

	for (int i = 0; i < d->n; i++)
		n += d->node[i].pid != 0;
	return n;
}

/* Collects exited nodes (only ours: the demo has no other children). */
static void
demo_reap(struct demo *d)
{
	pid_t	pid;
	int	st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < d->n; i++) {
			if (d->node[i].pid != pid)
				continue;
			d->node[i].pid = 0;
			if (WIFSIGNALED(st))
				printf("cmm demo: node %d (pid %d) killed by signal "
				    "%d\n", i, (int)pid, WTERMSIG(st));
			else
				printf("cmm demo: node %d (pid %d) exited with "
				    "status %d%s\n", i, (int)pid, WEXITSTATUS(st),
				    WEXITSTATUS(st) ? " (see its log)" : "");
			/* `fresh N` killed it to start it again, stateless */
			if (d->node[i].fresh && !d->quitting &&
			    cmm_demo_spawn(d, i) == 0) {
				struct timeval tv = { 0, 100000 };

				evtimer_add(d->node[i].retry, &tv);
			}
		}
	}
	fflush(stdout);
	if (d->quitting && demo_running(d) == 0)
		event_base_loopexit(d->base, NULL);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct demo *d = arg;

	if (sig == SIGCHLD) {
		demo_reap(d);
		return;
	}
	if (d->quitting) {
		/* asked twice: no more grace */
		on_stop_timer(-1, 0, d);
		return;
	}
	printf("cmm demo: %s: stopping\n", sig == SIGINT ? "interrupted" :
	    "terminated");
	demo_stop(d);
}

/* Grace is over: SIGKILL whatever still runs and collect it. */
static void
on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
	struct demo	*d = arg;
	int		 st;

	for (int i = 0; i < d->n; i++) {
		if (d->node[i].pid == 0)
			continue;
		printf("cmm demo: node %d (pid %d) did not stop: SIGKILL\n", i,
		    (int)d->node[i].pid);
		kill(d->node[i].pid, SIGKILL);
		while (waitpid(d->node[i].pid, &st, 0) < 0 && errno == EINTR)
			;
		d->node[i].pid = 0;
	}
	fflush(stdout);
	event_base_loopexit(d->base, NULL);
}

/* Every node gets SIGTERM (a graceful leave); the loop ends when the last
 * is collected, or after DEMO_STOP_S with SIGKILL. */
static void
demo_stop(struct demo *d)
{
	struct timeval tv = { DEMO_STOP_S, 0 };

	if (d->quitting)
		return;
	d->quitting = true;
	if (d->in != NULL)
		bufferevent_disable(d->in, EV_READ);
	for (int i = 0; i < d->n; i++) {
		evtimer_del(d->node[i].retry);
		if (d->node[i].bev != NULL) {
			bufferevent_free(d->node[i].bev);
			d->node[i].bev = NULL;
			d->node[i].up = false;
		}
		if (d->node[i].pid != 0)
			kill(d->node[i].pid, SIGTERM);
	}
	fflush(stdout);
	if (demo_running(d) == 0) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	evtimer_add(d->stop_timer, &tv);
}

/* ---- the console ---- */

/* The console's typed lines that are demo commands run here, as on the
 * demo's stdin; anything else the console sends to the viewed node. */
static bool
demo_console_local(void *arg, struct cmm_console *con, int argc, char **argv,
    bool *ok, char **reply)
{
	struct demo			*d = arg;
	struct cmm_cmd_ctx		 ctx;
	enum cmm_cmd_ret		 rc;
	char				 err[512];

	(void)con;
	/* unknown commands too go to the node, which says so */
	if (cmm_demo_cmd_run(d, argc, argv, false, &ctx, &rc, err,
	    sizeof(err)) != 1)
		return false;
	*ok = rc != CMM_CMD_ERROR;
	if (rc == CMM_CMD_ERROR)
		*reply = strdup(ctx.error);
	else
		*reply = ctx.text != NULL ? strdup(ctx.text) : NULL;
	cmm_cmd_ctx_free(&ctx);
	if (rc == CMM_CMD_QUIT)
		demo_stop(d);
	return true;
}

/* ^D or `detach` on the console: the demo stops, as at the end of stdin. */
static void
demo_console_detached(void *arg)
{
	demo_stop(arg);
}

/* ---- main ---- */

int
cmm_demo_main(int argc, char **argv)
{
	struct demo		*d;
	const char		*dir = NULL;
	int			 ports[DEMO_MAX_NODES], sigs[3] = { SIGINT, SIGTERM,
				    SIGCHLD };
	long long		 n = 6;
	struct timeval		 tv = { 0, 100000 };
	char			 tmpl[] = "/tmp/cmm-demo.XXXXXX";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			demo_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			if (cmm_parse_int(argv[++i], 1, DEMO_MAX_NODES, &n, NULL,
			    0) < 0) {
				fprintf(stderr, "cmm demo: -n %s: expected 1..%d "
				    "nodes\n", argv[i], DEMO_MAX_NODES);
				return 2;
			}
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else {
			fprintf(stderr, "cmm demo: bad argument '%s'\n", argv[i]);
			demo_usage(stderr);
			return 2;
		}
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fprintf(stderr, "cmm demo: out of memory\n");
		return 1;
	}
	d->n = (int)n;
	if (dir == NULL) {
		if ((dir = mkdtemp(tmpl)) == NULL) {
			fprintf(stderr, "cmm demo: cannot make a temporary "
			    "directory: %s\n", strerror(errno));
			goto fail;
		}
	} else if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "cmm demo: %s: %s\n", dir, strerror(errno));
		goto fail;
	}
	if (realpath(dir, d->dir) == NULL) {
		fprintf(stderr, "cmm demo: %s: %s\n", dir, strerror(errno));
		goto fail;
	}
	snprintf(d->conf, sizeof(d->conf), "%.*s/cmm.conf", PATH_MAX - 16, d->dir);
	for (int i = 0; i < d->n; i++) {
		struct demo_node *nd = &d->node[i];

		nd->demo = d;
		nd->id = i;
		if ((size_t)snprintf(nd->sock, sizeof(nd->sock), "%s/node%d.sock",
		    d->dir, i) >= sizeof(nd->sock)) {
			fprintf(stderr, "cmm demo: %s: directory name too long for "
			    "a unix socket\n", d->dir);
			goto fail;
		}
		snprintf(nd->log, sizeof(nd->log), "%.*s/node%d.log",
		    PATH_MAX - 32, d->dir, i);
	}
	if (demo_free_ports(d->n, ports) < 0 || demo_write_files(d, ports) < 0)
		goto fail;

	if ((d->base = event_base_new()) == NULL) {
		fprintf(stderr, "cmm demo: cannot create the event loop\n");
		goto fail;
	}
	/* signals before the first child, so no exit goes unseen */
	for (int i = 0; i < 3; i++) {
		d->sig[i] = evsignal_new(d->base, sigs[i], on_signal, d);
		evsignal_add(d->sig[i], NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	d->stop_timer = evtimer_new(d->base, on_stop_timer, d);
	for (int i = 0; i < d->n; i++)
		d->node[i].retry = evtimer_new(d->base, on_retry, &d->node[i]);

	printf("cmm demo: %d node%s on 127.0.0.1, files in %s\n", d->n,
	    d->n == 1 ? "" : "s", d->dir);
	printf("cmm demo: config %s\n", d->conf);
	for (int i = 0; i < d->n; i++) {
		if (cmm_demo_spawn(d, i) < 0)
			continue;
		printf("  node %d: 127.0.0.1:%d  cmm ctl -s %s status\n", i,
		    ports[i], d->node[i].sock);
		evtimer_add(d->node[i].retry, &tv);
	}
	printf("cmm demo: commands: %s, help;\ncmm demo: any other command "
	    "(status, round, ...) goes to node %d (view N to change)\n",
	    DEMO_HINT, d->view);
	fflush(stdout);

	/* on a terminal, the console on node 0 takes stdin */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		/* completion of the local commands, from their table */
		static const char *names[16], *help[16];
		static char helpbuf[16][160];
		struct cmm_console_opts co;
		char cerr[256];
		size_t k = 0;

		for (const struct cmm_cmd_entry *e = cmm_demo_cmd_table;
		    e->name != NULL && k + 1 < sizeof(names) / sizeof(names[0]);
		    e++) {
			snprintf(helpbuf[k], sizeof(helpbuf[k]), "%s %s%s%s",
			    e->name, e->args, e->args[0] ? "  " : " ",
			    e->help + (strncmp(e->help, "demo: ", 6) == 0 ? 6 : 0));
			help[k] = helpbuf[k];
			names[k++] = e->name;
		}
		names[k] = NULL;
		help[k] = NULL;

		memset(&co, 0, sizeof(co));
		co.title = "cmm demo";
		co.socket_path = d->node[d->view].sock;
		co.local = demo_console_local;
		co.local_arg = d;
		co.local_names = names;
		co.local_help = help;
		co.local_help_title = "demo commands (run by the demo):";
		co.hint = "demo: " DEMO_HINT "; F1 help";
		co.capture_stdout = true;
		co.on_detach = demo_console_detached;
		co.detach_arg = d;
		d->con = cmm_console_attach(d->base, -1, &co, cerr, sizeof(cerr));
		if (d->con == NULL)
			printf("cmm demo: no console (%s): commands on stdin\n",
			    cerr);
	}
	d->in = d->con != NULL ? NULL : bufferevent_socket_new(d->base, 0, 0);
	if (d->con != NULL) {
		/* the console reads stdin */
	} else if (d->in == NULL) {
		fprintf(stderr, "cmm demo: cannot read stdin\n");
		demo_stop(d);
	} else {
		bufferevent_setcb(d->in, on_stdin_read, NULL, on_stdin_event, d);
		if (!demo_pollable(0) || bufferevent_enable(d->in, EV_READ) < 0) {
			/* a file or /dev/null cannot be polled: it is all there
			 * already, so run it now and stop at its end */
			evbuffer_read(bufferevent_get_input(d->in), 0, 1 << 20);
			while (evbuffer_read(bufferevent_get_input(d->in), 0,
			    1 << 20) > 0)
				;
			on_stdin_read(d->in, d);
			on_stdin_event(d->in, BEV_EVENT_EOF, d);
		}
	}
	event_base_dispatch(d->base);

	/* the terminal back first, so what follows is printed on it */
	cmm_console_free(d->con);
	for (int i = 0; i < d->n; i++) {
		if (d->node[i].bev != NULL)
			bufferevent_free(d->node[i].bev);
		cmm_ctl_reply_reset(&d->node[i].reply);
		event_free(d->node[i].retry);
	}
	if (d->in != NULL)
		bufferevent_free(d->in);
	for (int i = 0; i < 3; i++)
		event_free(d->sig[i]);
	event_free(d->stop_timer);
	event_base_free(d->base);
	printf("cmm demo: stopped; files kept in %s\n", d->dir);
	free(d);
	return 0;
fail:
	free(d);
	return 1;
}
