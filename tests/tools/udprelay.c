/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udprelay: captures real datagrams and replays them, for
 * tests/mp/replay_attack.sh.  It needs no key: it is the attacker of
 * docs/PROTOCOL.md "Wire v2", who can read and resend any datagram but
 * forge none.
 *
 *	udprelay relay LISTEN TARGET FILE
 *		forwards every datagram that arrives at LISTEN to TARGET and
 *		appends it to FILE (u16 length, big-endian, then the bytes)
 *		until SIGTERM; the path nodes use to reach TARGET's node
 *	udprelay replay FILE TIMES PAUSE_US ADDR...
 *		sends every datagram of FILE, TIMES rounds, to each ADDR in
 *		turn, PAUSE_US microseconds apart (a node's socket buffer must
 *		not overflow: a datagram lost before it is read is counted by
 *		nobody), from one socket; then listens on that socket for a
 *		second and prints
 *		  "sent N datagrams (K recorded: TYPE=n ...); R came back"
 *		R counts what a node sent to the replayer's address: the
 *		forged source of every replayed datagram.
 * Addresses are IPv4 "a.b.c.d:port".  Exit 0, 1 on an error, 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/wire.h"

#define RELAY_MAX_RECORDS	4096

static volatile sig_atomic_t relay_stop;

static void
relay_on_term(int sig)
{
	(void)sig;
	relay_stop = 1;
}

static int
relay_addr(const char *text, struct sockaddr_in *sin)
{
	char	host[64];
	const char *colon = strrchr(text, ':');

	if (colon == NULL || (size_t)(colon - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int
relay_run(const char *listen_at, const char *target, const char *path)
{
	struct sockaddr_in in, to;
	struct sigaction sa;
	uint8_t	buf[65536];
	FILE	*f;
	int	fd;

	if (relay_addr(listen_at, &in) < 0 || relay_addr(target, &to) < 0) {
		fprintf(stderr, "udprelay: bad address\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0) {
		perror("udprelay: bind");
		return 1;
	}
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = relay_on_term;	/* no SA_RESTART: recv returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!relay_stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("udprelay: recv");
			return 1;
		}
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to));
		fputc((int)((size_t)n >> 8) & 0xff, f);
		fputc((int)n & 0xff, f);
		fwrite(buf, 1, (size_t)n, f);
		fflush(f);
	}
	fclose(f);
	close(fd);
	return 0;
}

struct relay_rec {
	uint8_t	b[CMM_WIRE_MAX];
	size_t	len;
};

/* The recorded datagrams, and a line naming their types. */
static int
relay_load(const char *path, struct relay_rec *r, char *types, size_t tlen)
{
	int	count[CMM_MSG_TYPE_MAX + 1] = { 0 }, n = 0;
	size_t	used = 0;
	FILE	*f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while (n < RELAY_MAX_RECORDS) {
		int hi = fgetc(f), lo = fgetc(f);

		if (hi == EOF || lo == EOF)
			break;
		r[n].len = (size_t)hi << 8 | (size_t)lo;
		if (r[n].len > sizeof(r[n].b) ||
		    fread(r[n].b, 1, r[n].len, f) != r[n].len)
			break;
		/* the type is at a fixed offset of the prefix: readable
		 * without the key, as an attacker reads it */
		if (r[n].len > 6 && r[n].b[6] >= 1 && r[n].b[6] <= CMM_MSG_TYPE_MAX)
			count[r[n].b[6]]++;
		n++;
	}
	fclose(f);
	types[0] = '\0';
	for (int t = 1; t <= CMM_MSG_TYPE_MAX && used < tlen; t++)
		if (count[t] > 0)
			used += (size_t)snprintf(types + used, tlen - used, "%s%s=%d",
			    used ? " " : "", cmm_msg_type_name(t), count[t]);
	return n;
}

static int
relay_replay(const char *path, int times, int pause_us, int naddr,
    char **addrs)
{
	static struct relay_rec rec[RELAY_MAX_RECORDS];
	struct sockaddr_in to[16];
	char	types[256];
	uint8_t	buf[65536];
	long	sent = 0, back = 0;
	int	fd, n;

	if (naddr < 1 || naddr > 16 || times < 1)
		return 2;
	for (int i = 0; i < naddr; i++)
		if (relay_addr(addrs[i], &to[i]) < 0) {
			fprintf(stderr, "udprelay: bad address %s\n", addrs[i]);
			return 2;
		}
	if ((n = relay_load(path, rec, types, sizeof(types))) <= 0) {
		fprintf(stderr, "udprelay: nothing recorded in %s\n", path);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udprelay: socket");
		return 1;
	}
	for (int k = 0; k < times; k++)
		for (int i = 0; i < n; i++)
			for (int a = 0; a < naddr; a++) {
				if (sendto(fd, rec[i].b, rec[i].len, 0,
				    (struct sockaddr *)&to[a], sizeof(to[a])) ==
				    (ssize_t)rec[i].len)
					sent++;
				if (pause_us > 0)
					usleep((useconds_t)pause_us);
			}
	/* anything a node sends to the forged source comes here */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 1000) <= 0)
			break;
		if (recv(fd, buf, sizeof(buf), 0) >= 0)
			back++;
	}
	close(fd);
	printf("sent %ld datagrams (%d recorded: %s); %ld came back\n", sent, n,
	    types, back);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "relay") == 0)
		return relay_run(argv[2], argv[3], argv[4]);
	if (argc >= 6 && strcmp(argv[1], "replay") == 0)
		return relay_replay(argv[2], atoi(argv[3]), atoi(argv[4]),
		    argc - 5, argv + 5);
	fprintf(stderr, "usage: udprelay relay LISTEN TARGET FILE\n"
	    "       udprelay replay FILE TIMES PAUSE_US ADDR...\n");
	return 2;
}
