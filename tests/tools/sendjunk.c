/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sendjunk: throws bad datagrams at a running node, for tests/mp/junk.sh.
 *
 *	sendjunk -c CONFIG --to N --as M [--count K]
 *
 * Sends K of each to node N's configured address, claiming to be node M:
 *	truncated	a good datagram cut short		-> malformed
 *	oversized	a good datagram padded to 2000 bytes	-> malformed
 *	random		random bytes				-> malformed
 *	foreign		sealed for another cluster's id		-> foreign
 *	wrong key	sealed with a random key		-> auth
 *	replayed	a good HEARTBEAT of incarnation 1, seq 1,
 *			older than anything M has sent		-> replay
 * and prints what the node's `dropped` counters must rise by, as
 * "malformed=3K foreign=K auth=K replay=K".  Nothing it sends may reach
 * the core, so M must be a live member the node has heard from.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "net/packet.h"
#include "src/node/config.h"

static int
junk_send(int fd, const struct cmm_config *cfg, int to, const uint8_t *buf,
    size_t len)
{
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&cfg->node[to].sa,
	    cfg->node[to].salen) != (ssize_t)len) {
		perror("sendjunk: sendto");
		return -1;
	}
	/* a short pause keeps the node's socket buffer from overflowing,
	 * which would lose datagrams before they are counted */
	usleep(2000);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "as", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmm_config *cfg = calloc(1, sizeof(*cfg));
	struct cmm_keys keys, wrong;
	unsigned char master[CMM_KEY_LEN];
	uint8_t buf[4096];
	struct cmm_msg m;
	const char *path = NULL;
	char err[1024];
	int to = -1, as = -1, count = 1, ch, fd, n;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			to = atoi(optarg);
			break;
		case 'a':
			as = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (cfg == NULL || path == NULL || to < 0 || as < 0 || count < 1 ||
	    sodium_init() < 0) {
		fprintf(stderr, "usage: sendjunk -c CONFIG --to N --as M "
		    "[--count K]\n");
		return 2;
	}
	if (cmm_config_load(path, cfg, err, sizeof(err)) < 0 ||
	    cmm_config_check_id(cfg, to, err, sizeof(err)) < 0 ||
	    cmm_key_load(cfg->key_file, &keys, err, sizeof(err)) < 0 ||
	    cmm_config_digest(cfg, &keys) < 0) {
		fprintf(stderr, "sendjunk: %s\n", err);
		return 1;
	}
	randombytes_buf(master, sizeof(master));
	cmm_keys_derive(master, &wrong);
	fd = socket(cfg->node[to].sa.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("sendjunk: socket");
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.vmin = CMM_PROTO_MIN;
	m.vmax = CMM_PROTO_MAX;
	m.sender = (uint16_t)as;
	m.dest = (uint16_t)to;
	/* the node's own digest: only the window may catch the replay */
	memcpy(m.digest, cfg->core.digest, CMM_DIGEST_LEN);
	m.incarnation = 1;
	m.seq = 1;
	for (int k = 0; k < count; k++) {
		/* truncated */
		n = cmm_packet_seal(&keys, cfg->cluster_id, &m, buf, sizeof(buf));
		if (n < 0 || junk_send(fd, cfg, to, buf, 20) < 0)
			return 1;
		/* oversized: longer than any datagram may be */
		memset(buf + n, 0xa5, 2000 - (size_t)n);
		if (junk_send(fd, cfg, to, buf, 2000) < 0)
			return 1;
		/* random, but never starting with the magic */
		randombytes_buf(buf, 100);
		buf[0] = 0;
		if (junk_send(fd, cfg, to, buf, 100) < 0)
			return 1;
		/* foreign cluster, right key */
		n = cmm_packet_seal(&keys, cfg->cluster_id ^ 0x5a5a5a5a, &m, buf,
		    sizeof(buf));
		if (n < 0 || junk_send(fd, cfg, to, buf, (size_t)n) < 0)
			return 1;
		/* right cluster, wrong key */
		n = cmm_packet_seal(&wrong, cfg->cluster_id, &m, buf, sizeof(buf));
		if (n < 0 || junk_send(fd, cfg, to, buf, (size_t)n) < 0)
			return 1;
		/* replayed: authentic, but from an incarnation long gone */
		n = cmm_packet_seal(&keys, cfg->cluster_id, &m, buf, sizeof(buf));
		if (n < 0 || junk_send(fd, cfg, to, buf, (size_t)n) < 0)
			return 1;
	}
	close(fd);
	cmm_keys_wipe(&keys);
	cmm_keys_wipe(&wrong);
	printf("malformed=%d foreign=%d auth=%d replay=%d\n", 3 * count, count,
	    count, count);
	free(cfg);
	return 0;
}
