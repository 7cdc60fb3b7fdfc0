/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devarb: the arbiter client backend (see devarb.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "src/node/arbwire.h"
#include "src/node/devarb.h"

#define DA_RETRY_MS	250	/* resend a datagram unanswered this long */

struct devarb {
	int		fd;
	uint32_t	cluster_id;
	char		name[CMM_ARB_NAME_MAX + 1];
	char		where[NI_MAXHOST + 24];	/* "HOST:PORT" for messages */
	struct cmm_devfile_key key;
	int64_t		limit_ms;
};

static int64_t
da_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sends out (len bytes) and waits for the tagged reply of type want that
 * names nonce, resending every DA_RETRY_MS until deadline.  Datagrams that
 * are not that reply (late answers to an earlier request, forgeries) are
 * skipped.  0, or -1 on a timeout or a socket error (errno).
 */
static int
da_exchange(struct devarb *a, const unsigned char *out, size_t len,
    enum cmm_arb_type want, const unsigned char *nonce, int64_t deadline,
    struct cmm_arb_msg *reply)
{
	unsigned char buf[CMM_ARB_MSG_MAX];
	int64_t next = 0, now;

	for (;;) {
		struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
		ssize_t n;
		int wait;

		now = da_now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (now >= next) {
			/* a refused send (nobody listening yet) is a lost
			 * datagram: try again at the next turn */
			if (send(a->fd, out, len, 0) < 0 && errno != ECONNREFUSED)
				return -1;
			next = now + DA_RETRY_MS;
		}
		wait = (int)((next < deadline ? next : deadline) - now);
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		n = recv(a->fd, buf, CMM_ARB_MSG_MAX, 0);
		if (n < 0)
			continue;
		if (cmm_arb_decode(buf, (size_t)n, &a->key, reply) == 0 &&
		    reply->type == want && reply->cluster_id == a->cluster_id &&
		    memcmp(reply->nonce, nonce, CMM_ARB_NONCE_LEN) == 0)
			return 0;
	}
}

/* One operation (op CMM_ARB_OP_READ: a read) through the two round trips
 * of arbwire.h.  The OP is resent as is: the arbiter answers a repeat of
 * the request it already applied with the same result, never twice.
 * 0 with the answer in reply, or -1 with a reason in errbuf. */
static int
da_call(struct devarb *a, int op, const struct cmm_devop *devop,
    struct cmm_arb_msg *reply, char *errbuf, unsigned errlen)
{
	struct cmm_arb_msg m;
	unsigned char out[CMM_ARB_MSG_MAX];
	int64_t deadline = da_now_ms() + a->limit_ms;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = CMM_ARB_HELLO;
	m.cluster_id = a->cluster_id;
	randombytes_buf(m.nonce, sizeof(m.nonce));
	snprintf(m.device, sizeof(m.device), "%s", a->name);
	len = cmm_arb_encode(&m, &a->key, out, sizeof(out));
	if (len == 0 || da_exchange(a, out, len, CMM_ARB_CHALLENGE, m.nonce,
	    deadline, reply) < 0)
		goto fail;
	m.type = CMM_ARB_OP;
	memcpy(m.challenge, reply->challenge, sizeof(m.challenge));
	m.op = op;
	if (devop != NULL)
		m.devop = *devop;
	len = cmm_arb_encode(&m, &a->key, out, sizeof(out));
	if (len == 0 || da_exchange(a, out, len, CMM_ARB_RESULT, m.nonce,
	    deadline, reply) < 0)
		goto fail;
	return 0;
fail:
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "arbiter %s: device %s: %s", a->where,
		    a->name, len == 0 ? "request not encodable" :
		    errno == ETIMEDOUT ? "no answer" : strerror(errno));
	return -1;
}

static enum cmm_dev_status
da_apply(struct cmm_device *d, const struct cmm_devop *op,
    struct cmm_devres *res, char *errbuf, unsigned errlen)
{
	struct cmm_arb_msg *reply = malloc(sizeof(*reply));

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	memset(res, 0, sizeof(*res));
	res->status = CMM_DEV_IO;
	if (reply != NULL && da_call(d->impl, (int)op->op, op, reply, errbuf,
	    errlen) == 0)
		*res = reply->res;
	free(reply);
	return res->status;
}

static enum cmm_dev_status
da_read(struct cmm_device *d, struct cmm_devrec *out, char *errbuf,
    unsigned errlen)
{
	struct cmm_arb_msg *reply = malloc(sizeof(*reply));
	struct cmm_devop op;
	enum cmm_dev_status st = CMM_DEV_IO;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (reply == NULL)
		return CMM_DEV_IO;
	memset(&op, 0, sizeof(op));
	if (da_call(d->impl, CMM_ARB_OP_READ, &op, reply, errbuf, errlen) == 0)
		st = reply->has_rec ? reply->res.status : CMM_DEV_IO;
	if (st == CMM_DEV_OK)
		*out = reply->rec;
	free(reply);
	return st;
}

static void
da_close(struct cmm_device *d)
{
	struct devarb *a;

	if (d == NULL)
		return;
	a = d->impl;
	if (a != NULL) {
		if (a->fd >= 0)
			close(a->fd);
		explicit_bzero(&a->key, sizeof(a->key));
		free(a);
	}
	free(d);
}

static const struct cmm_device_ops da_ops = {
	.name = "arbiter",
	.apply = da_apply,
	.read = da_read,
	.close = da_close,
};

struct cmm_device *
cmm_device_arbiter_open(const struct sockaddr *sa, socklen_t salen,
    uint32_t cluster_id, const char *name, const struct cmm_devfile_key *key,
    int64_t limit_ms, char *err, size_t errlen)
{
	struct cmm_device *d = calloc(1, sizeof(*d));
	struct devarb *a = calloc(1, sizeof(*a));
	char host[NI_MAXHOST], port[16];

	if (d == NULL || a == NULL) {
		snprintf(err, errlen, "arbiter: out of memory");
		goto fail;
	}
	a->fd = -1;
	if (getnameinfo(sa, salen, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(host, sizeof(host), "?"), snprintf(port, sizeof(port), "?");
	snprintf(a->where, sizeof(a->where), "%s%s%s:%s",
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    port);
	if (!cmm_arb_name_ok(name)) {
		snprintf(err, errlen, "arbiter %s: device name '%s' is not "
		    "storable (letters, digits, _ . -)", a->where, name);
		goto fail;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "arbiter: libsodium failed to start");
		goto fail;
	}
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->cluster_id = cluster_id;
	a->key = *key;
	a->limit_ms = limit_ms;
	/* connected: the kernel drops datagrams from any other address */
	a->fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a->fd < 0 || connect(a->fd, sa, salen) < 0) {
		snprintf(err, errlen, "arbiter %s: %s", a->where,
		    strerror(errno));
		goto fail;
	}
	d->ops = &da_ops;
	d->impl = a;
	return d;
fail:
	if (a != NULL && a->fd >= 0)
		close(a->fd);
	free(a);
	free(d);
	return NULL;
}
