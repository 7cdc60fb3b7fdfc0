/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctlflood: hostile control clients, for tests/mp/ctl_limits.sh.
 *
 *	ctlflood flood SOCKET BYTES
 *		sends "status" requests, BYTES in all, and never reads a
 *		reply; prints "sent N disconnected" when the node cut the
 *		connection (a send failed), "sent N connected" otherwise
 *	ctlflood idle SOCKET N
 *		opens N connections and reads the first line of each (the
 *		greeting, or a refusal); prints "accepted A refused R" and
 *		the first refusal, then holds the connections open until
 *		stdin reaches EOF
 *	ctlflood long SOCKET BYTES
 *		sends one request line of BYTES bytes without a newline,
 *		prints what the node answered ("- ..." then EOF)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
dial(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "ctlflood: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

/* One line (without its LF) into buf; -1 at EOF before any byte. */
static int
read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return n == 0 ? -1 : 0;
}

static int
flood(const char *path, long long bytes)
{
	static const char req[] = "status\nnodes\n--json status\n";
	long long sent = 0;
	int fd = dial(path);

	while (sent < bytes) {
		ssize_t n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			printf("sent %lld disconnected\n", sent);
			return 0;
		}
		sent += n;
	}
	printf("sent %lld connected\n", sent);
	return 0;
}

static int
idle(const char *path, int n)
{
	char line[512], first[512] = "";
	int accepted = 0, refused = 0, c;

	for (int i = 0; i < n; i++) {
		int fd = dial(path);

		if (read_line(fd, line, sizeof(line)) < 0 || line[0] == '-') {
			if (first[0] == '\0')
				snprintf(first, sizeof(first), "%s", line);
			refused++;
			close(fd);
		} else
			accepted++;
	}
	printf("accepted %d refused %d\n", accepted, refused);
	if (first[0] != '\0')
		printf("%s\n", first);
	fflush(stdout);
	while ((c = getchar()) != EOF)
		;
	return 0;
}

static int
long_line(const char *path, long long bytes)
{
	char line[512], chunk[4096];
	long long sent = 0;
	int fd = dial(path);

	memset(chunk, 'x', sizeof(chunk));
	(void)read_line(fd, line, sizeof(line));	/* greeting */
	while (sent < bytes) {
		size_t k = bytes - sent < (long long)sizeof(chunk) ?
		    (size_t)(bytes - sent) : sizeof(chunk);
		ssize_t w = send(fd, chunk, k, MSG_NOSIGNAL);

		if (w < 0)
			break;
		sent += w;
	}
	while (read_line(fd, line, sizeof(line)) == 0)
		printf("%s\n", line);
	printf("EOF\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ctlflood flood|idle|long SOCKET N\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "flood") == 0)
		return flood(argv[2], atoll(argv[3]));
	if (strcmp(argv[1], "idle") == 0)
		return idle(argv[2], atoi(argv[3]));
	if (strcmp(argv[1], "long") == 0)
		return long_line(argv[2], atoll(argv[3]));
	fprintf(stderr, "ctlflood: unknown mode %s\n", argv[1]);
	return 2;
}
