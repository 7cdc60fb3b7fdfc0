/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udpburst: a burst of authentic-looking datagrams at a running node, for
 * tests/mp/udp_burst.sh.
 *
 *	udpburst -c CONFIG --to N --as M --count K
 *
 * Sends K copies of one HEARTBEAT sealed with the cluster key, from node
 * M to node N, back to back with no pause.  It is authentic but from
 * incarnation 1, long gone, so every copy the node reads is dropped as a
 * `replay` and counted; a copy the kernel dropped because the node's
 * receive buffer was full must show up as `overflow`.  Nothing reaches
 * the core.
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
	struct cmm_keys keys;
	struct cmm_msg m;
	uint8_t buf[4096];
	const char *path = NULL;
	char err[1024];
	int to = -1, as = -1, count = 0, ch, fd, n, sent = 0;

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
		fprintf(stderr, "usage: udpburst -c CONFIG --to N --as M "
		    "--count K\n");
		free(cfg);
		return 2;
	}
	if (cmm_config_load(path, cfg, err, sizeof(err)) < 0 ||
	    cmm_config_check_id(cfg, to, err, sizeof(err)) < 0 ||
	    cmm_key_load(cfg->key_file, &keys, err, sizeof(err)) < 0 ||
	    cmm_config_digest(cfg, &keys) < 0) {
		fprintf(stderr, "udpburst: %s\n", err);
		free(cfg);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.vmin = CMM_PROTO_MIN;
	m.vmax = CMM_PROTO_MAX;
	m.sender = (uint16_t)as;
	m.dest = (uint16_t)to;
	memcpy(m.digest, cfg->core.digest, CMM_DIGEST_LEN);
	m.incarnation = 1;
	m.seq = 1;
	n = cmm_packet_seal(&keys, cfg->cluster_id, &m, buf, sizeof(buf));
	fd = socket(cfg->node[to].sa.ss_family, SOCK_DGRAM, 0);
	if (n < 0 || fd < 0) {
		perror("udpburst");
		free(cfg);
		return 1;
	}
	for (int k = 0; k < count; k++)
		if (sendto(fd, buf, (size_t)n, 0,
		    (const struct sockaddr *)&cfg->node[to].sa,
		    cfg->node[to].salen) == n)
			sent++;
	close(fd);
	cmm_keys_wipe(&keys);
	free(cfg);
	printf("%d\n", sent);
	return sent == count ? 0 : 1;
}
