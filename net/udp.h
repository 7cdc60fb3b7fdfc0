/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp: the datagram transport on libevent.  One socket bound to
 * the node's address (IPv4 or IPv6), an EV_PERSIST read event that drains
 * it until EAGAIN in batches (recvmmsg), and, only if a peer of the other
 * address family is configured, a second unbound socket for it.
 *
 * Datagrams the kernel drops because the receive buffer is full are
 * counted (SO_RXQ_OVFL: the kernel's count arrives with the next datagram
 * it queues), so a burst that overflows the buffer is seen, not silent;
 * cmm_udp_size_rcvbuf sizes that buffer for a burst of every peer.
 *
 * The transport knows peers only by address: a table id -> address, used
 * to send to a node.  It never looks inside a datagram, so for fault
 * injection it drops what goes to a peer whose link is cut, while what
 * comes from one is dropped by the caller once the datagram's
 * authenticated sender is known (cmm_udp_cut_in): a source address would
 * not do, as a peer of the other address family sends from an ephemeral
 * port.
 */
#ifndef CMM_UDP_H
#define CMM_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct event_base;
struct cmm_udp;

/* An address: the sockaddr and its length. */
struct cmm_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/* "127.0.0.1:7400" / "[::1]:7400" into buf; returns buf. */
const char *cmm_addr_format(const struct sockaddr *sa, char *buf, size_t len);

/* Called on the loop for every datagram (len may exceed CMM_WIRE_MAX: an
 * oversized datagram is delivered with its real length, up to 64 KiB, so
 * the caller counts it). */
typedef void (*cmm_udp_recv_fn)(void *ctx, const uint8_t *buf, size_t len,
	    const struct sockaddr *from, socklen_t fromlen);

/* Binds to `bind` and starts reading.  NULL with a one-line reason. */
struct cmm_udp *cmm_udp_new(struct event_base *base, const struct cmm_addr *bind,
	    cmm_udp_recv_fn fn, void *ctx, char *err, size_t errlen);
void	cmm_udp_free(struct cmm_udp *u);

/* The address actually bound (port 0 resolved). */
void	cmm_udp_local(const struct cmm_udp *u, struct cmm_addr *out);

/* Tells the transport where node `id` (0..1023) lives. */
int	cmm_udp_set_peer(struct cmm_udp *u, int id, const struct cmm_addr *a);

/* Sends one datagram to node id.  0 sent (or dropped by a cut link),
 * -1 with errno on a socket error. */
int	cmm_udp_send(struct cmm_udp *u, int id, const uint8_t *buf, size_t len);
/* Sends to an address that is not a configured peer (probe answers). */
int	cmm_udp_sendto(struct cmm_udp *u, const struct sockaddr *to,
	    socklen_t tolen, const uint8_t *buf, size_t len);

/* Fault injection: bit 1 drops what arrives from the peer, bit 2 what goes
 * to it (see enum cmm_link_dir in src/node/daemon.h); 0 heals. */
void	cmm_udp_cut(struct cmm_udp *u, int id, unsigned dir);
unsigned cmm_udp_cut_state(const struct cmm_udp *u, int id);
/* true (and counted) when what comes from node id must be dropped. */
bool	cmm_udp_cut_in(struct cmm_udp *u, int id);

struct cmm_udp_stats {
	uint64_t	rx, tx;		/* datagrams */
	uint64_t	tx_errors;
	uint64_t	cut_in, cut_out;	/* dropped by fault injection */
	uint64_t	overflow;	/* dropped by the kernel: buffer full */
	uint64_t	batches;	/* recvmmsg calls that returned data */
};
void	cmm_udp_stats(const struct cmm_udp *u, struct cmm_udp_stats *s);

/* A round's burst: every peer may send this many datagrams at once. */
#define CMM_UDP_BURST		8
#define CMM_UDP_BURST_BYTES	1500	/* counted per datagram: an MTU */

/* The receive buffer a node of `nodes` configured nodes wants: a burst of
 * every peer's round messages, never less than the system's default. */
int	cmm_udp_rcvbuf_want(int nodes, int system_default);

/* Sets the bound socket's receive buffer to cmm_udp_rcvbuf_want(nodes,
 * the buffer it has now), past net.core.rmem_max when the process may
 * (SO_RCVBUFFORCE).  *want and *got: bytes asked for and granted.  0 when
 * granted, 1 when the kernel capped it below *want, -1 on error. */
int	cmm_udp_size_rcvbuf(struct cmm_udp *u, int nodes, int *want, int *got);

#endif
