/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl_client: `cmm ctl [-s SOCKET | -c FILE --id N] [--json] COMMAND...`
 * and the same with `-` (a script on stdin).  A blocking client of the
 * control protocol (src/ctl/ctl_proto.h): one process, one connection,
 * one request at a time.  Exit 0: every command succeeded; 1: a command
 * failed (its one-line error on stderr, "line N: " in front for a script;
 * with --json the error object on stdout too), or a watched node went
 * away; 2: a usage error, or the node cannot be reached; 3: `status` of a
 * node that is not a quorate member.  cmm(1) documents all of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "src/ctl/cmd.h"
#include "src/ctl/ctl_proto.h"
#include "src/node_socket.h"
#include "src/subcmd.h"
#include "util/parse.h"
#include "util/timefmt.h"

#define CTL_RECONNECT_MS	200

struct ctl {
	bool		 quiet;		/* connecting: keep the reasons */
	const char	*path;
	char		 pathbuf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 fd;
	FILE		*in;
	int		 node;		/* from the greeting */
	bool		 json;
};

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void	ctl_usage(FILE *f);
static int	ctl_connect(struct ctl *c);
static int	ctl_send(struct ctl *c, const char *line);
static int	ctl_request(struct ctl *c, const char *line, int *hint,
		    char *err, size_t errlen);
static int	ctl_script(struct ctl *c, bool json);
static void	ctl_close(struct ctl *c);
static void	ctl_json_error(const struct ctl *c, const char *msg);
static int	ctl_find_socket(struct ctl *c, const char *cfgpath, int id,
		    char *err, size_t errlen);
static int	ctl_local(int argc, char **argv, bool json);
static bool	ctl_is_watch(const char *line);
static int	ctl_watch_reconnect(struct ctl *c, const char *req);
static int	ctl_usage_error(const struct ctl *c, const char *msg);

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: cmm ctl [-s SOCKET | -c FILE [--id N]] [--json] "
	    "COMMAND [ARG...]\n"
	    "       cmm ctl [-s SOCKET | -c FILE [--id N]] [--json] -   "
	    "(commands from stdin)\n"
	    "       cmm ctl [-s SOCKET | -c FILE [--id N]] [--json] watch "
	    "[--reconnect]\n"
	    "       cmm ctl --local [--json] list-commands|help [COMMAND]\n"
	    "Runs commands on a node ('help' lists them).  The socket: -s, "
	    "else node N's\ncontrol_socket in the config FILE (--id may be "
	    "left out when only one\nof its nodes listens here); without -c "
	    "the config is $CMM_CONFIG, else\n%s if it exists, else the one "
	    "socket matching %s.\n"
	    "A script has one command a line; blank lines and lines starting "
	    "with '#'\nare skipped; it stops at the first command that "
	    "fails.\n"
	    "--reconnect: a watch that loses its node waits for it, says how "
	    "long it was\naway (a \"gap\" line) and resumes with a new "
	    "snapshot.\n"
	    "Exit 0 ok, 1 a command failed or the watched node went away, 2 "
	    "usage error or\nno connection, 3 `status` of a node that is not "
	    "a quorate member.\n", CMM_NODE_SOCKET_CONF,
	    CMM_NODE_SOCKET_GLOB);
}

static void
ctl_close(struct ctl *c)
{
	if (c->in != NULL)
		fclose(c->in);
	else if (c->fd >= 0)
		close(c->fd);
	c->in = NULL;
	c->fd = -1;
}

/* Under --json a failure that never reached the node is an error object
 * on stdout too (docs/api/error.json), like the node's own. */
static void
ctl_json_error(const struct ctl *c, const char *msg)
{
	char *body;

	if (!c->json || (body = cmm_cmd_error_body(msg)) == NULL)
		return;
	printf("%s\n", body);
	fflush(stdout);
	free(body);
}

/* A usage error found once the options are read: exit 2, the message on
 * stderr (and under --json as an error object on stdout). */
static int
ctl_usage_error(const struct ctl *c, const char *msg)
{
	fprintf(stderr, "cmm ctl: %s\n", msg);
	ctl_json_error(c, msg);
	return EXIT_USAGE;
}

/* Where to connect: -s as given, else src/node_socket.h's rule.  0 with
 * c->path set, or -1 with one line in err. */
static int
ctl_find_socket(struct ctl *c, const char *cfgpath, int id, char *err,
    size_t errlen)
{
	if (c->path != NULL)
		return 0;
	if (cmm_node_socket_find(cfgpath, id, c->pathbuf, sizeof(c->pathbuf),
	    err, errlen) < 0)
		return -1;
	c->path = c->pathbuf;
	return 0;
}

/* `list-commands` and `help` need no node: this binary's own table (every
 * row, fault injection's too), for completion scripts and the build. */
static int
ctl_local(int argc, char **argv, bool json)
{
	struct cmm_cmd_ctx	 ctx;
	char			*body;
	int			 rc = EXIT_OK;

	cmm_cmd_ctx_init(&ctx, NULL, CMM_CMDF_FAULT, json, -1);
	if (cmm_cmd_run(&ctx, argc, argv) != CMM_CMD_OK) {
		if (json && (body = cmm_cmd_error_body(ctx.error)) != NULL) {
			printf("%s\n", body);
			free(body);
		}
		fprintf(stderr, "%s\n", ctx.error);
		rc = EXIT_FAILED;
	} else if ((body = cmm_cmd_reply_body(&ctx)) != NULL) {
		fputs(body, stdout);
		if (json || (*body != '\0' && body[strlen(body) - 1] != '\n'))
			putchar('\n');
		free(body);
	}
	cmm_cmd_ctx_free(&ctx);
	return rc;
}

static void	ctl_say(const struct ctl *c, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* A reason connecting failed, on stderr unless c is quiet (a watch
 * waiting for its node to come back); under --json on stdout too. */
static void
ctl_say(const struct ctl *c, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	fprintf(stderr, "cmm ctl: %s\n", msg);
	ctl_json_error(c, msg);
}

/* Connects and reads the greeting.  0, or -1 after saying why. */
static int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un	 sun;
	char			*line = NULL;
	size_t			 cap = 0;
	const char		*pl;
	int			 version, node;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		ctl_say(c, "cannot connect to %s: path too long\n",
		    c->path);
		return -1;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ctl_say(c, "cannot connect to %s: %s\n", c->path,
		    strerror(errno));
		return -1;
	}
	if ((c->in = fdopen(c->fd, "r")) == NULL) {
		ctl_say(c, "%s: %s\n", c->path, strerror(errno));
		return -1;
	}
	if (getline(&line, &cap, c->in) < 0) {
		ctl_say(c, "cannot connect to %s: the node closed "
		    "the connection\n", c->path);
		free(line);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	/* the node turned us away (permissions, or every slot taken) */
	if (cmm_ctl_parse_line(line, &pl) == CMM_CTL_ERR) {
		ctl_say(c, "%s refused the connection: %s\n",
		    c->path, pl);
		free(line);
		return -1;
	}
	if (cmm_ctl_parse_line(line, &pl) != CMM_CTL_HELLO ||
	    cmm_ctl_parse_hello(pl, &version, &node) < 0) {
		ctl_say(c, "cannot connect to %s: not a cmm control "
		    "socket (it said '%.60s')\n", c->path, line);
		free(line);
		return -1;
	}
	free(line);
	c->node = node;
	if (version != CMM_CTL_VERSION) {
		ctl_say(c, "cannot talk to %s: it speaks control "
		    "protocol %d, this cmm speaks %d\n", c->path, version,
		    CMM_CTL_VERSION);
		return -1;
	}
	return 0;
}

static int
ctl_send(struct ctl *c, const char *line)
{
	size_t	 left = strlen(line);
	ssize_t	 n;

	while (left > 0) {
		n = send(c->fd, line, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		line += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Is this request a `watch`?  (its reply is followed by a stream) */
static bool
ctl_is_watch(const char *line)
{
	char	 words[64], *w, *save = NULL;

	snprintf(words, sizeof(words), "%s", line);
	w = strtok_r(words, " \n", &save);
	if (w != NULL && strcmp(w, "--json") == 0)
		w = strtok_r(NULL, " \n", &save);
	return w != NULL && strlen(w) >= 2 && strncmp("watch", w,
	    strlen(w)) == 0;
}

/*
 * Sends one request line (with its LF) and prints the reply body on
 * stdout.  A `watch` reply is followed by the event stream until the node
 * closes the connection, which is a failure: the node went away.  Returns
 * 0 ok (*hint: the exit code the node suggested, 0 if none), 1 failed
 * (err set), 2 connection lost (err set).
 */
static int
ctl_request(struct ctl *c, const char *line, int *hint, char *err,
    size_t errlen)
{
	struct cmm_ctl_reply	 r;
	char			*l = NULL;
	const char		*pl;
	size_t			 cap = 0;
	ssize_t			 n;
	int			 tag, rc;
	bool			 is_watch = ctl_is_watch(line);

	*hint = 0;
	if (ctl_send(c, line) < 0) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return 2;
	}
	cmm_ctl_reply_init(&r);
	while (!r.done && (n = getline(&l, &cap, c->in)) >= 0) {
		l[strcspn(l, "\n")] = '\0';
		if ((tag = cmm_ctl_reply_feed(&r, l)) < 0) {
			snprintf(err, errlen, "out of memory");
			free(l);
			cmm_ctl_reply_reset(&r);
			return 2;
		}
	}
	if (!r.done) {
		snprintf(err, errlen, "%s: the node closed the connection",
		    c->path);
		free(l);
		cmm_ctl_reply_reset(&r);
		return 2;
	}
	/* stdout carries only the events after `watch`: its reply goes to
	 * stderr, which also tells a script the stream has started */
	if (r.body != NULL && !(r.ok && is_watch))
		fputs(r.body, stdout);
	else if (r.ok && is_watch)
		fprintf(stderr, "cmm ctl: watching %s\n", c->path);
	fflush(stdout);
	rc = r.ok ? 0 : 1;
	if (!r.ok)
		snprintf(err, errlen, "%s", r.error ? r.error : "failed");
	else
		*hint = r.exit_hint;
	cmm_ctl_reply_reset(&r);
	if (rc == 0 && is_watch) {
		/* the stream: '!' lines until the node goes away */
		while (getline(&l, &cap, c->in) >= 0) {
			l[strcspn(l, "\n")] = '\0';
			if (cmm_ctl_parse_line(l, &pl) == CMM_CTL_EVENT) {
				printf("%s\n", pl);
				fflush(stdout);
			}
		}
		snprintf(err, errlen, "watch: node %d (%s) went away: the "
		    "connection closed", c->node, c->path);
		rc = 2;
	}
	free(l);
	return rc;
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* `watch --reconnect`: when the stream ends, wait for the node to listen
 * again, say how long it was away and what may have been missed (a "gap"
 * line, docs/api/event/gap.json), and watch again: the new stream opens
 * with a fresh snapshot.  Returns only when a request fails. */
static int
ctl_watch_reconnect(struct ctl *c, const char *req)
{
	struct timespec	 nap = { 0, CTL_RECONNECT_MS * 1000000L };
	char		 err[CMM_CTL_LINE_MAX + 64], t[CMM_ISO8601_LEN];
	int64_t		 gone_ns, wall;
	int		 rc, hint;

	for (;;) {
		rc = ctl_request(c, req, &hint, err, sizeof(err));
		if (rc != 2)
			return rc;
		fprintf(stderr, "cmm ctl: %s; reconnecting\n", err);
		ctl_close(c);
		gone_ns = clock_ns(CLOCK_MONOTONIC);
		/* quiet: the node is expected to be away for a while */
		c->quiet = true;
		while (ctl_connect(c) < 0) {
			ctl_close(c);
			nanosleep(&nap, NULL);
		}
		c->quiet = false;
		wall = clock_ns(CLOCK_REALTIME);
		cmm_time_iso8601(0, wall / 1000000, t, sizeof(t));
		if (c->json)
			printf("{\"api\":%d,\"type\":\"gap\",\"seq\":null,"
			    "\"node\":%d,\"epoch\":null,\"time\":\"%s\","
			    "\"mono_ns\":%lld,\"away_ms\":%lld}\n",
			    CMM_API_VERSION, c->node, t,
			    (long long)clock_ns(CLOCK_MONOTONIC),
			    (long long)((clock_ns(CLOCK_MONOTONIC) - gone_ns) /
			    1000000));
		else
			printf("%s node %d gap: away %lld ms; events in between "
			    "are lost, a new snapshot follows\n", t, c->node,
			    (long long)((clock_ns(CLOCK_MONOTONIC) - gone_ns) /
			    1000000));
		fflush(stdout);
	}
}

/* One command a line from stdin; stops at the first failure. */
static int
ctl_script(struct ctl *c, bool json)
{
	char	*line = NULL, *p, *req, err[CMM_CTL_LINE_MAX + 64];
	size_t	 cap = 0, len;
	long	 lineno = 0;
	int	 rc, hint;

	while (getline(&line, &cap, stdin) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		len = strlen(p);
		if (len + 8 > CMM_CTL_LINE_MAX) {
			fprintf(stderr, "line %ld: line too long (at most %d "
			    "bytes)\n", lineno, CMM_CTL_LINE_MAX - 8);
			free(line);
			return EXIT_FAILED;
		}
		if (asprintf(&req, "%s%s\n", json ? "--json " : "", p) < 0) {
			free(line);
			return EXIT_FAILED;
		}
		rc = ctl_request(c, req, &hint, err, sizeof(err));
		free(req);
		if (rc != 0) {
			fprintf(stderr, "line %ld: %s\n", lineno, err);
			free(line);
			return EXIT_FAILED;
		}
	}
	free(line);
	return EXIT_OK;
}

int
cmm_ctl_main(int argc, char **argv)
{
	struct ctl	 c = { .path = NULL, .fd = -1, .in = NULL, .node = -1 };
	bool		 json = false, script = false, reconnect = false;
	bool		 local = false;
	const char	*cfgpath = NULL;
	char		 req[CMM_CTL_LINE_MAX], err[CMM_CTL_LINE_MAX + 64];
	long long	 v;
	int		 i, rc, hint, id = -1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		bool is_s = strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0;
		bool is_c = strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0;
		bool is_i = strcmp(a, "-i") == 0 || strcmp(a, "--id") == 0;

		if (is_s || is_c || is_i) {
			if (++i == argc) {
				fprintf(stderr, "cmm ctl: %s needs a value\n", a);
				ctl_usage(stderr);
				return EXIT_USAGE;
			}
			if (is_s)
				c.path = argv[i];
			else if (is_c)
				cfgpath = argv[i];
			else if (cmm_parse_int(argv[i], 0, CMM_MAX_NODES - 1, &v,
			    NULL, 0) < 0) {
				fprintf(stderr, "cmm ctl: --id: '%s' is not a node "
				    "id (0..%d)\n", argv[i], CMM_MAX_NODES - 1);
				return EXIT_USAGE;
			} else
				id = (int)v;
		} else if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--reconnect") == 0)
			reconnect = true;
		else if (strcmp(a, "--local") == 0)
			local = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			ctl_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "-") == 0) {
			script = true;
			i++;
			break;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (a[0] == '-') {
			fprintf(stderr, "cmm ctl: unknown option '%s'\n", a);
			ctl_usage(stderr);
			return EXIT_USAGE;
		} else
			break;
	}
	/* `watch --reconnect`: the option may follow the command word too */
	if (argc - i == 2 && strcmp(argv[argc - 1], "--reconnect") == 0) {
		reconnect = true;
		argc--;
	}
	c.json = json;
	if (c.path != NULL && cfgpath != NULL)
		return ctl_usage_error(&c, "-s and -c say the same thing: give "
		    "one");
	if (script && i < argc)
		return ctl_usage_error(&c, "'-' reads commands from stdin: no "
		    "command words after it");
	if (!script && i == argc)
		return ctl_usage_error(&c, "no command given (try 'cmm ctl "
		    "--local help')");
	if (local) {
		if (script || c.path != NULL || cfgpath != NULL)
			return ctl_usage_error(&c, "--local runs one command on "
			    "no node: no -s, -c or '-'");
		return ctl_local(argc - i, argv + i, json);
	}
	if (!script && cmm_ctl_encode_request(req, sizeof(req), json, argc - i,
	    argv + i) < 0)
		return ctl_usage_error(&c, "the command is too long, or a word of "
		    "it is empty or holds a blank");
	if (reconnect && (script || !ctl_is_watch(req)))
		return ctl_usage_error(&c, "--reconnect is for watch alone");
	if (ctl_find_socket(&c, cfgpath, id, err, sizeof(err)) < 0) {
		fprintf(stderr, "cmm ctl: %s\n", err);
		ctl_json_error(&c, err);
		if (cfgpath == NULL)
			ctl_usage(stderr);
		return EXIT_USAGE;
	}
	if (ctl_connect(&c) < 0) {
		ctl_close(&c);
		return EXIT_USAGE;
	}
	if (script)
		rc = ctl_script(&c, json);
	else {
		hint = 0;
		if (reconnect)
			rc = ctl_watch_reconnect(&c, req);
		else
			rc = ctl_request(&c, req, &hint, err, sizeof(err));
		if (rc == 2) {
			fprintf(stderr, "cmm ctl: %s\n", err);
			/* a stream's stdout holds its events alone */
			if (!ctl_is_watch(req))
				ctl_json_error(&c, err);
		} else if (rc == 1)
			fprintf(stderr, "%s\n", err);
		rc = rc == 0 ? hint : EXIT_FAILED;
	}
	ctl_close(&c);
	return rc;
}
