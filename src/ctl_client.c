/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl_client: `cmm ctl -s SOCKET [--json] COMMAND...` and
 * `cmm ctl -s SOCKET [--json] -` (a script on stdin).  A blocking client of
 * the control protocol (src/ctl/ctl_proto.h): one process, one connection, one
 * request at a time.  Exit 0: every command succeeded; 1: a command failed
 * (its one-line error on stderr, "line N: " in front for a script); 2: a
 * usage error, or the node cannot be reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/ctl/ctl_proto.h"
#include "src/subcmd.h"

struct ctl {
	const char	*path;
	int		 fd;
	FILE		*in;
	bool		 watching;
};

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void	ctl_usage(FILE *f);
static int	ctl_connect(struct ctl *c);
static int	ctl_send(struct ctl *c, const char *line);
static int	ctl_request(struct ctl *c, const char *line, char *err,
		    size_t errlen);
static int	ctl_script(struct ctl *c, bool json);

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: cmm ctl -s SOCKET [--json] COMMAND [ARG...]\n"
	    "       cmm ctl -s SOCKET [--json] -     (commands from stdin)\n"
	    "Runs commands on the node listening at SOCKET ('help' lists "
	    "them).\nA script has one command a line; blank lines and lines "
	    "starting with '#'\nare skipped; it stops at the first command "
	    "that fails.\nExit 0 ok, 1 a command failed, 2 usage error or "
	    "no connection.\n");
}

/* Connects and reads the greeting.  0, or -1 after saying why on stderr. */
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
		fprintf(stderr, "cmm ctl: cannot connect to %s: path too long\n",
		    c->path);
		return -1;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "cmm ctl: cannot connect to %s: %s\n", c->path,
		    strerror(errno));
		return -1;
	}
	if ((c->in = fdopen(c->fd, "r")) == NULL) {
		fprintf(stderr, "cmm ctl: %s: %s\n", c->path, strerror(errno));
		return -1;
	}
	if (getline(&line, &cap, c->in) < 0) {
		fprintf(stderr, "cmm ctl: cannot connect to %s: the node closed "
		    "the connection\n", c->path);
		free(line);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	/* the node turned us away (permissions, or every slot taken) */
	if (cmm_ctl_parse_line(line, &pl) == CMM_CTL_ERR) {
		fprintf(stderr, "cmm ctl: %s refused the connection: %s\n",
		    c->path, pl);
		free(line);
		return -1;
	}
	if (cmm_ctl_parse_line(line, &pl) != CMM_CTL_HELLO ||
	    cmm_ctl_parse_hello(pl, &version, &node) < 0) {
		fprintf(stderr, "cmm ctl: cannot connect to %s: not a cmm control "
		    "socket (it said '%.60s')\n", c->path, line);
		free(line);
		return -1;
	}
	free(line);
	if (version != CMM_CTL_VERSION) {
		fprintf(stderr, "cmm ctl: cannot talk to %s: it speaks control "
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

/*
 * Sends one request line (with its LF) and prints the reply body on
 * stdout.  A `watch` reply is followed by the event stream until the node
 * closes the connection.  Returns 0 ok, 1 failed (err set), 2 connection
 * lost (err set).
 */
static int
ctl_request(struct ctl *c, const char *line, char *err, size_t errlen)
{
	struct cmm_ctl_reply	 r;
	char			*l = NULL;
	const char		*pl;
	size_t			 cap = 0;
	ssize_t			 n;
	int			 tag, rc;
	bool			 is_watch;
	char			 words[64];

	/* is this a `watch`?  (its reply is followed by a stream) */
	snprintf(words, sizeof(words), "%s", line);
	is_watch = false;
	{
		char *w = strtok(words, " \n");

		if (w != NULL && strcmp(w, "--json") == 0)
			w = strtok(NULL, " \n");
		if (w != NULL && strlen(w) >= 2 && strncmp("watch", w,
		    strlen(w)) == 0)
			is_watch = true;
	}
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
	}
	free(l);
	return rc;
}

/* One command a line from stdin; stops at the first failure. */
static int
ctl_script(struct ctl *c, bool json)
{
	char	*line = NULL, *p, *req, err[CMM_CTL_LINE_MAX + 64];
	size_t	 cap = 0, len;
	long	 lineno = 0;
	int	 rc;

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
		rc = ctl_request(c, req, err, sizeof(err));
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
	struct ctl	 c = { .path = NULL, .fd = -1, .in = NULL };
	bool		 json = false, script = false;
	char		 req[CMM_CTL_LINE_MAX], err[CMM_CTL_LINE_MAX + 64];
	int		 i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--socket") == 0) {
			if (++i == argc) {
				fprintf(stderr, "cmm ctl: -s needs a socket path\n");
				ctl_usage(stderr);
				return EXIT_USAGE;
			}
			c.path = argv[i];
		} else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			ctl_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "-") == 0) {
			script = true;
			i++;
			break;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "cmm ctl: unknown option '%s'\n", argv[i]);
			ctl_usage(stderr);
			return EXIT_USAGE;
		} else
			break;
	}
	if (c.path == NULL) {
		fprintf(stderr, "cmm ctl: no socket given (-s SOCKET)\n");
		ctl_usage(stderr);
		return EXIT_USAGE;
	}
	if (script && i < argc) {
		fprintf(stderr, "cmm ctl: '-' reads commands from stdin: no "
		    "command words after it\n");
		return EXIT_USAGE;
	}
	if (!script && i == argc) {
		fprintf(stderr, "cmm ctl: no command given (try 'cmm ctl -s %s "
		    "help')\n", c.path);
		return EXIT_USAGE;
	}
	if (!script && cmm_ctl_encode_request(req, sizeof(req), json, argc - i,
	    argv + i) < 0) {
		fprintf(stderr, "cmm ctl: the command is too long, or a word of "
		    "it is empty or holds a blank\n");
		return EXIT_USAGE;
	}
	if (ctl_connect(&c) < 0) {
		if (c.in != NULL)
			fclose(c.in);
		else if (c.fd >= 0)
			close(c.fd);
		return EXIT_USAGE;
	}
	if (script)
		rc = ctl_script(&c, json);
	else {
		rc = ctl_request(&c, req, err, sizeof(err));
		if (rc == 2)
			fprintf(stderr, "cmm ctl: %s\n", err);
		else if (rc == 1)
			fprintf(stderr, "%s\n", err);
		rc = rc == 0 ? EXIT_OK : EXIT_FAILED;
	}
	fclose(c.in);
	return rc;
}
