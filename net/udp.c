/* SPDX-License-Identifier: GPL-3.0-or-later */
/* udp: datagram transport on libevent (see udp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/errqueue.h>

#include <event2/event.h>

#include "quorum/nodeset.h"
#include "net/udp.h"

/* Enough for any UDP payload, so an oversized datagram is seen whole. */
#define UDP_BUF		65536
/* Datagrams per recvmmsg call: one system call for a round's burst. */
#define UDP_BATCH	32
/* Bound one wakeup so a flood cannot starve the timers; the persistent
 * read event brings us straight back while data remains. */
#define UDP_DRAIN_MAX	4096
/* Room for the SO_RXQ_OVFL control message of one datagram. */
#define UDP_CMSG	CMSG_SPACE(sizeof(uint32_t))

struct udp_sock {
	int		fd;
	struct event	*ev;
	uint32_t	drops;		/* the kernel's count, last seen */
	int		link;		/* what it delivers as */
	struct cmm_udp	*u;
};

/* The receive batch: buffers are touched only as far as datagrams fill
 * them, so the 2 MiB of address space costs a few pages. */
struct udp_batch {
	struct mmsghdr		msg[UDP_BATCH];
	struct iovec		iov[UDP_BATCH];
	struct sockaddr_storage	from[UDP_BATCH];
	union {
		char		buf[UDP_CMSG];
		struct cmsghdr	align;
	}			ctl[UDP_BATCH];
	uint8_t			buf[UDP_BATCH][UDP_BUF];
};

struct cmm_udp {
	struct event_base	*base;
	struct cmm_addr		local[CMM_UDP_LINKS];
	int			n_links;
	struct udp_sock		sock[CMM_UDP_LINKS];	/* bound, per link */
	struct udp_sock		other[2];	/* unbound: [0] v4, [1] v6 */
	cmm_udp_recv_fn		fn;
	void			*ctx;
	/* per (id, link) at id * CMM_UDP_LINKS + link */
	struct cmm_addr		*peer;		/* len 0: none */
	unsigned char		*cut;
	int			n_cut;
	struct cmm_udp_stats	st;
	struct udp_batch	*rx;
	cmm_udp_unreach_fn	unreach;	/* NULL: ICMP errors not asked for */
};

const char *
cmm_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}

/* Re-arms the batch's headers: recvmmsg overwrites the lengths. */
static void
udp_batch_reset(struct udp_batch *b)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		struct msghdr *h = &b->msg[i].msg_hdr;

		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = UDP_BUF;
		memset(h, 0, sizeof(*h));
		h->msg_name = &b->from[i];
		h->msg_namelen = sizeof(b->from[i]);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->ctl[i].buf;
		h->msg_controllen = sizeof(b->ctl[i].buf);
		b->msg[i].msg_len = 0;
	}
}

/* The kernel's drop count for this socket, as it came with a datagram
 * (SO_RXQ_OVFL): a counter since the socket was made, so what it grew by
 * since the last one is what was lost in between. */
static void
udp_note_drops(struct cmm_udp *u, struct udp_sock *s, struct msghdr *h)
{
	struct cmsghdr *c;
	uint32_t now;

	for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL ||
		    c->cmsg_len < CMSG_LEN(sizeof(now)))
			continue;
		memcpy(&now, CMSG_DATA(c), sizeof(now));
		/* unsigned: right across the counter's wrap too */
		u->st.overflow += (uint32_t)(now - s->drops);
		s->drops = now;
	}
}

/* The node a datagram to `to` was meant for: the peer with that address
 * on any link, or -1. */
static int
udp_peer_of(const struct cmm_udp *u, const struct sockaddr_storage *to)
{
	for (int i = 0; i < CMM_MAX_NODES * CMM_UDP_LINKS; i++) {
		const struct cmm_addr *a = &u->peer[i];

		if (a->len == 0 || a->ss.ss_family != to->ss_family)
			continue;
		if (to->ss_family == AF_INET) {
			const struct sockaddr_in *x = (const void *)&a->ss,
			    *y = (const void *)to;

			if (x->sin_port == y->sin_port &&
			    x->sin_addr.s_addr == y->sin_addr.s_addr)
				return i / CMM_UDP_LINKS;
		} else if (to->ss_family == AF_INET6) {
			const struct sockaddr_in6 *x = (const void *)&a->ss,
			    *y = (const void *)to;

			if (x->sin6_port == y->sin6_port &&
			    memcmp(&x->sin6_addr, &y->sin6_addr,
			    sizeof(x->sin6_addr)) == 0)
				return i / CMM_UDP_LINKS;
		}
	}
	return -1;
}

/* Whether an error queue entry is a port-unreachable: ICMP type 3 code 3,
 * ICMPv6 type 1 code 4. */
static bool
udp_is_unreach(const struct sock_extended_err *ee)
{
	return (ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == 3 &&
	    ee->ee_code == 3) || (ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
	    ee->ee_type == 1 && ee->ee_code == 4);
}

/* Drains the socket's error queue: each entry names the destination of
 * the datagram that bounced (msg_name) and what the ICMP said.  A queue
 * left full would keep the socket readable (EPOLLERR) for ever. */
static void
udp_read_errors(struct cmm_udp *u, struct udp_sock *s)
{
	for (int n = 0; n < UDP_DRAIN_MAX; n++) {
		union {
			char		buf[CMSG_SPACE(sizeof(struct
					    sock_extended_err) +
					    sizeof(struct sockaddr_in6))];
			struct cmsghdr	align;
		} ctl;
		struct sockaddr_storage to;
		uint8_t data[64];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr h;
		struct cmsghdr *c;
		bool unreach = false;

		memset(&h, 0, sizeof(h));
		memset(&to, 0, sizeof(to));
		h.msg_name = &to;
		h.msg_namelen = sizeof(to);
		h.msg_iov = &iov;
		h.msg_iovlen = 1;
		h.msg_control = ctl.buf;
		h.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(s->fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c)) {
			struct sock_extended_err ee;

			if (!((c->cmsg_level == SOL_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR)) ||
			    c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			unreach = udp_is_unreach(&ee);
		}
		if (!unreach || h.msg_namelen == 0) {
			u->st.icmp_other++;
			continue;
		}
		{
			int id = udp_peer_of(u, &to);

			if (id < 0)
				u->st.unreachable_unknown++;
			else
				u->st.unreachable++;
			u->unreach(u->ctx, s->link, id,
			    (const struct sockaddr *)&to);
		}
	}
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock *s = arg;
	struct cmm_udp *u = s->u;
	struct udp_batch *b = u->rx;
	/* an ICMP error queued on the socket wakes it too (EPOLLERR), with
	 * or without data; its pending error surfaces in one call, to this
	 * read or to a send, so a wakeup that reads nothing looks too */
	bool errors = false;

	(void)what;
	for (int n = 0; n < UDP_DRAIN_MAX; ) {
		int got;

		udp_batch_reset(b);
		got = recvmmsg(fd, b->msg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (got < 0) {
			/* EAGAIN: drained; anything else is an ICMP error
			 * surfacing (ECONNREFUSED, EHOSTUNREACH, ...) */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (n == 0)
					errors = true;
				break;
			}
			if (errno != EINTR)
				errors = true;
			if (errno == EINTR || errno == ECONNREFUSED ||
			    u->unreach != NULL) {
				n++;
				continue;
			}
			break;
		}
		if (got == 0)
			break;
		u->st.batches++;
		for (int i = 0; i < got; i++) {
			struct msghdr *h = &b->msg[i].msg_hdr;

			udp_note_drops(u, s, h);
			u->st.rx++;
			u->fn(u->ctx, s->link, b->buf[i], b->msg[i].msg_len,
			    (struct sockaddr *)&b->from[i], h->msg_namelen);
		}
		n += got;
		/* a short batch: the queue is empty, save the EAGAIN call */
		if (got < UDP_BATCH)
			break;
	}
	if (errors && u->unreach != NULL)
		udp_read_errors(u, s);
}

/* The kernel's ICMP errors on one socket (IP_RECVERR / IPV6_RECVERR). */
static int
udp_recverr(int fd, int family)
{
	int one = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one,
		    sizeof(one));
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

int
cmm_udp_on_unreachable(struct cmm_udp *u, cmm_udp_unreach_fn fn, char *err,
    size_t errlen)
{
	struct udp_sock *all[CMM_UDP_LINKS + 2];
	int family[CMM_UDP_LINKS + 2];
	int n = 0;

	for (int k = 0; k < u->n_links; k++) {
		family[n] = u->local[k].ss.ss_family;
		all[n++] = &u->sock[k];
	}
	family[n] = AF_INET;
	all[n++] = &u->other[0];
	family[n] = AF_INET6;
	all[n++] = &u->other[1];
	for (int i = 0; i < n; i++)
		if (all[i]->fd >= 0 && udp_recverr(all[i]->fd, family[i]) < 0) {
			snprintf(err, errlen, "IP_RECVERR: %s", strerror(errno));
			return -1;
		}
	u->unreach = fn;
	return 0;
}

static int
udp_open(struct cmm_udp *u, struct udp_sock *s, int family,
    const struct cmm_addr *bind_to, char *err, size_t errlen)
{
	char a[80];
	int one = 1;

	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* keep the families apart: the v6 socket must not also take v4 */
	if (family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* ICMP errors, once asked for (cmm_udp_on_unreachable) */
	if (u->unreach != NULL && udp_recverr(s->fd, family) < 0) {
		snprintf(err, errlen, "IP_RECVERR: %s", strerror(errno));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	/* the kernel's drop count comes with each datagram */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0) {
		snprintf(err, errlen, "SO_RXQ_OVFL: %s", strerror(errno));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	if (bind_to != NULL && bind(s->fd, (const struct sockaddr *)&bind_to->ss,
	    bind_to->len) < 0) {
		snprintf(err, errlen, "bind %s: %s",
		    cmm_addr_format((const struct sockaddr *)&bind_to->ss, a,
		    sizeof(a)), strerror(errno));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->u = u;
	s->ev = event_new(u->base, s->fd, EV_READ | EV_PERSIST, udp_read_cb, s);
	if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
		snprintf(err, errlen, "event_new failed");
		if (s->ev != NULL)
			event_free(s->ev);
		s->ev = NULL;
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

struct cmm_udp *
cmm_udp_new(struct event_base *base, const struct cmm_addr *bind_to,
    int n_links, cmm_udp_recv_fn fn, void *ctx, char *err, size_t errlen)
{
	struct cmm_udp *u;

	if (n_links < 1 || n_links > CMM_UDP_LINKS) {
		snprintf(err, errlen, "%d links (1..%d)", n_links, CMM_UDP_LINKS);
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->peer = calloc((size_t)CMM_MAX_NODES * CMM_UDP_LINKS,
	    sizeof(*u->peer));
	u->cut = calloc((size_t)CMM_MAX_NODES * CMM_UDP_LINKS, 1);
	u->rx = calloc(1, sizeof(*u->rx));
	if (u->peer == NULL || u->cut == NULL || u->rx == NULL) {
		snprintf(err, errlen, "out of memory");
		free(u->peer);
		free(u->cut);
		free(u->rx);
		free(u);
		return NULL;
	}
	u->base = base;
	u->fn = fn;
	u->ctx = ctx;
	for (int k = 0; k < CMM_UDP_LINKS; k++)
		u->sock[k].fd = -1;
	u->other[0].fd = u->other[1].fd = -1;
	for (int k = 0; k < n_links; k++) {
		u->sock[k].link = k;
		if (udp_open(u, &u->sock[k], bind_to[k].ss.ss_family,
		    &bind_to[k], err, errlen) < 0) {
			cmm_udp_free(u);
			return NULL;
		}
		u->n_links = k + 1;
		u->local[k].len = sizeof(u->local[k].ss);
		getsockname(u->sock[k].fd, (struct sockaddr *)&u->local[k].ss,
		    &u->local[k].len);
	}
	return u;
}

static void
udp_close(struct udp_sock *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->fd >= 0)
		close(s->fd);
}

void
cmm_udp_free(struct cmm_udp *u)
{
	if (u == NULL)
		return;
	for (int k = 0; k < CMM_UDP_LINKS; k++)
		udp_close(&u->sock[k]);
	udp_close(&u->other[0]);
	udp_close(&u->other[1]);
	free(u->peer);
	free(u->cut);
	free(u->rx);
	free(u);
}

void
cmm_udp_local(const struct cmm_udp *u, struct cmm_addr *out)
{
	*out = u->local[0];
}

int
cmm_udp_set_peer(struct cmm_udp *u, int id, int link, const struct cmm_addr *a)
{
	if (!cmm_set_valid_id(id) || link < 0 || link >= u->n_links)
		return -1;
	u->peer[id * CMM_UDP_LINKS + link] = *a;
	return 0;
}

/* The socket to send from on `link` to a destination family: the link's
 * own when the family matches; otherwise one unbound socket per family,
 * opened on first use, so a v4 node can still reach a v6 peer. */
static int
udp_fd_for(struct cmm_udp *u, int link, int family)
{
	struct udp_sock *o;
	char err[128];

	if (family == u->local[link].ss.ss_family)
		return u->sock[link].fd;
	for (int k = 0; k < u->n_links; k++)
		if (family == u->local[k].ss.ss_family)
			return u->sock[k].fd;
	o = &u->other[family == AF_INET6];
	if (o->fd < 0 && udp_open(u, o, family, NULL, err, sizeof(err)) < 0)
		return -1;
	return o->fd;
}

static int
udp_sendto_link(struct cmm_udp *u, int link, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len)
{
	int fd = udp_fd_for(u, link, to->sa_family);
	int retry = 1;

	if (fd < 0) {
		u->st.tx_errors++;
		errno = EAFNOSUPPORT;
		return -1;
	}
	for (;;) {
		ssize_t r = sendto(fd, buf, len, MSG_DONTWAIT, to, tolen);

		if (r >= 0) {
			u->st.tx++;
			return 0;
		}
		if (errno == EINTR)
			continue;
		/* with ICMP errors asked for, an error the kernel holds for
		 * an earlier datagram fails this send instead (it is still
		 * in the error queue): send again, once */
		if (u->unreach != NULL && retry-- > 0 &&
		    (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
		    errno == ENETUNREACH || errno == EHOSTDOWN ||
		    errno == EPROTO))
			continue;
		/* a full socket buffer loses this heartbeat; the next one
		 * follows in heartbeat_ms, like any lost datagram */
		u->st.tx_errors++;
		return -1;
	}
}

int
cmm_udp_sendto(struct cmm_udp *u, const struct sockaddr *to, socklen_t tolen,
    const uint8_t *buf, size_t len)
{
	return udp_sendto_link(u, 0, to, tolen, buf, len);
}

int
cmm_udp_send_link(struct cmm_udp *u, int id, int link, const uint8_t *buf,
    size_t len)
{
	const struct cmm_addr *a;

	if (!cmm_set_valid_id(id) || link < 0 || link >= u->n_links ||
	    (a = &u->peer[id * CMM_UDP_LINKS + link])->len == 0) {
		errno = EDESTADDRREQ;
		return -1;
	}
	if (u->cut[id * CMM_UDP_LINKS + link] & 2) {
		u->st.cut_out++;
		return 0;
	}
	return udp_sendto_link(u, link, (const struct sockaddr *)&a->ss, a->len,
	    buf, len);
}

int
cmm_udp_send(struct cmm_udp *u, int id, const uint8_t *buf, size_t len)
{
	int ok = 0, err = EDESTADDRREQ;

	/* the same bytes on every link: the receiver's window keeps the
	 * first copy and counts the others as duplicates */
	for (int k = 0; k < u->n_links; k++) {
		if (cmm_udp_send_link(u, id, k, buf, len) == 0)
			ok++;
		else
			err = errno;
	}
	if (ok == 0) {
		errno = err;
		return -1;
	}
	return 0;
}

void
cmm_udp_cut(struct cmm_udp *u, int id, int link, unsigned dir)
{
	if (!cmm_set_valid_id(id) || link >= u->n_links)
		return;
	for (int k = link < 0 ? 0 : link; k < (link < 0 ? u->n_links :
	    link + 1); k++) {
		unsigned char *c = &u->cut[id * CMM_UDP_LINKS + k];

		if (*c != 0)
			u->n_cut--;
		*c = (unsigned char)(dir & 3);
		if (*c != 0)
			u->n_cut++;
	}
}

bool
cmm_udp_cut_in(struct cmm_udp *u, int id, int link)
{
	if (u->n_cut == 0 || !cmm_set_valid_id(id) || link < 0 ||
	    link >= u->n_links || !(u->cut[id * CMM_UDP_LINKS + link] & 1))
		return false;
	u->st.cut_in++;
	return true;
}

bool
cmm_udp_any_cut(const struct cmm_udp *u)
{
	return u->n_cut > 0;
}

unsigned
cmm_udp_cut_state(const struct cmm_udp *u, int id, int link)
{
	unsigned all = 3;

	if (!cmm_set_valid_id(id) || link >= u->n_links)
		return 0;
	if (link >= 0)
		return u->cut[id * CMM_UDP_LINKS + link];
	for (int k = 0; k < u->n_links; k++)
		all &= u->cut[id * CMM_UDP_LINKS + k];
	return all;
}

void
cmm_udp_stats(const struct cmm_udp *u, struct cmm_udp_stats *s)
{
	*s = u->st;
}

int
cmm_udp_rcvbuf_want(int nodes, int system_default)
{
	/* the kernel charges a datagram its payload and its bookkeeping,
	 * about twice the bytes for MTU-sized ones: hence the 2 */
	long long want = 2LL * (nodes > 0 ? nodes : 1) * CMM_UDP_BURST *
	    CMM_UDP_BURST_BYTES;

	if (want > INT_MAX / 2)
		want = INT_MAX / 2;
	return want > system_default ? (int)want : system_default;
}

static int
udp_size_one(int fd, int nodes, int *want, int *got)
{
	int		cur = 0, half;
	socklen_t	len = sizeof(cur);

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cur, &len) < 0)
		return -1;
	*want = cmm_udp_rcvbuf_want(nodes, cur);
	*got = cur;
	if (*want <= cur)
		return 0;
	/* the kernel doubles what it is given (its bookkeeping): ask for
	 * half; FORCE goes past net.core.rmem_max when we may (root) */
	half = (*want + 1) / 2;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &half,
	    sizeof(half)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &half, sizeof(half)) < 0)
		return -1;
	len = sizeof(*got);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, got, &len) < 0)
		return -1;
	return *got < *want ? 1 : 0;
}

int
cmm_udp_size_rcvbuf(struct cmm_udp *u, int nodes, int *want, int *got)
{
	int rc = 0;

	/* every link carries a full copy of every burst */
	for (int k = 0; k < u->n_links; k++) {
		int w, g, r = udp_size_one(u->sock[k].fd, nodes, &w, &g);

		if (r < 0)
			return -1;
		if (k == 0 || g < *got) {
			*want = w;
			*got = g;
		}
		if (r > rc)
			rc = r;
	}
	return rc;
}
