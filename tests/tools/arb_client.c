/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * arb_client: a hand-driven client of `cmm arbiter`, for tests/mp/arbiter.sh.
 *
 *	arb_client HOST:PORT KEYFILE CLUSTER DEVICE
 *
 * With the cluster's key it reads device DEVICE once (HELLO, CHALLENGE,
 * OP read, RESULT: must be answered), then sends
 *	the same OP again		-> answered from the first answer (resent)
 *	an OP under the used challenge	-> no answer (replayed)
 *	a HELLO tagged with another key	-> no answer (bad_tag)
 * and exits 0 when each was treated so; the arbiter's counters say the
 * rest.  Numeric IPv4 only.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "net/mac.h"
#include "net/wire.h"
#include "src/node/arbwire.h"
#include "src/node/devkey.h"

static int	fd;
static unsigned char in[CMM_ARB_MSG_MAX];

/* Waits up to ms for a datagram; its length, or 0. */
static size_t
recv_one(int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0 || (n = recv(fd, in, sizeof(in), 0)) <= 0)
		return 0;
	return (size_t)n;
}

static void
die(const char *what)
{
	printf("arb_client: %s\n", what);
	exit(1);
}

int
main(int argc, char **argv)
{
	static struct cmm_arb_msg m, r;
	struct sockaddr_in sin;
	struct cmm_keys keys;
	struct cmm_devfile_key key, other;
	unsigned char op[CMM_ARB_MSG_MAX], first[CMM_ARB_MSG_MAX], buf[256];
	unsigned char wrong[CMM_DEVFILE_KEY_LEN];
	char err[512], *colon;
	size_t oplen, firstlen, n;

	if (argc != 5 || (colon = strchr(argv[1], ':')) == NULL)
		die("usage: arb_client HOST:PORT KEYFILE CLUSTER DEVICE");
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (sodium_init() < 0 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		die("bad address");
	if (cmm_key_load(argv[2], &keys, err, sizeof(err)) < 0)
		die(err);
	cmm_devkey_init(&key, keys.dev);
	randombytes_buf(wrong, sizeof(wrong));
	cmm_devkey_init(&other, wrong);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("socket");

	memset(&m, 0, sizeof(m));
	m.type = CMM_ARB_HELLO;
	m.cluster_id = cmm_wire_cluster_id(argv[3]);
	randombytes_buf(m.nonce, sizeof(m.nonce));
	snprintf(m.device, sizeof(m.device), "%s", argv[4]);
	n = cmm_arb_encode(&m, &key, buf, sizeof(buf));
	if (n == 0 || send(fd, buf, n, 0) < 0)
		die("send HELLO");
	n = recv_one(2000);
	if (n == 0 || cmm_arb_decode(in, n, &key, &r) != 0 ||
	    r.type != CMM_ARB_CHALLENGE)
		die("no CHALLENGE");
	m.type = CMM_ARB_OP;
	m.op = CMM_ARB_OP_READ;
	memcpy(m.challenge, r.challenge, sizeof(m.challenge));
	oplen = cmm_arb_encode(&m, &key, op, sizeof(op));
	if (oplen == 0 || send(fd, op, oplen, 0) < 0)
		die("send OP");
	firstlen = recv_one(2000);
	if (firstlen == 0 || cmm_arb_decode(in, firstlen, &key, &r) != 0 ||
	    r.type != CMM_ARB_RESULT || r.res.status != CMM_DEV_OK ||
	    !r.has_rec || memcmp(r.nonce, m.nonce, sizeof(m.nonce)) != 0)
		die("no RESULT for the read");
	memcpy(first, in, firstlen);
	printf("read: registered %d node(s), reservation epoch %u\n",
	    cmm_set_count(&r.rec.registered), (unsigned)r.rec.epoch);

	/* the same request again: the same answer, byte for byte */
	if (send(fd, op, oplen, 0) < 0 || (n = recv_one(2000)) != firstlen ||
	    memcmp(in, first, n) != 0)
		die("a resent OP was not answered with the first answer");
	printf("resent OP: answered with the first answer\n");

	/* another request under the used challenge: a replay */
	m.op = CMM_DEVOP_REGISTER;
	m.devop.node = 0;
	m.devop.epoch = 1;
	n = cmm_arb_encode(&m, &key, op, sizeof(op));
	if (n == 0 || send(fd, op, n, 0) < 0)
		die("send replay");
	if (recv_one(500) != 0)
		die("a replayed challenge was answered");
	printf("replayed challenge: dropped\n");

	/* a forgery: tagged with a key that is not the cluster's */
	m.type = CMM_ARB_HELLO;
	n = cmm_arb_encode(&m, &other, buf, sizeof(buf));
	if (n == 0 || send(fd, buf, n, 0) < 0)
		die("send forgery");
	if (recv_one(500) != 0)
		die("a forged HELLO was answered");
	printf("forged HELLO: dropped\n");
	cmm_keys_wipe(&keys);
	return 0;
}
