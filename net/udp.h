/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp: the datagram transport on libevent.  One socket bound to each of
 * the node's addresses, one per redundant link (IPv4 or IPv6), each with
 * an EV_PERSIST read event that drains it until EAGAIN in batches
 * (recvmmsg), and, only if a peer's link is of the other address family,
 * an unbound socket for that family.  A datagram's link is the socket it
 * came in on; what goes to a node goes out on every one of its links,
 * link k from this node's link k (docs/ARCHITECTURE.md "Redundant
 * links").
 *
 * Datagrams the kernel drops because the receive buffer is full are
 * counted (SO_RXQ_OVFL: the kernel's count arrives with the next datagram
 * it queues), so a burst that overflows the buffer is seen, not silent;
 * cmm_udp_size_rcvbuf sizes that buffer for a burst of every peer.
 *
 * The transport knows peers only by address: a table (id, link) ->
 * address, used to send to a node.  It never looks inside a datagram, so
 * for fault injection it drops what goes to a peer whose link is cut,
 * while what comes from one is dropped by the caller once the datagram's
 * authenticated sender is known (cmm_udp_cut_in): a source address would
 * not do, as a peer of the other address family sends from an ephemeral
 * port.
 *
 * Optionally (cmm_udp_on_unreachable) the sockets take the kernel's ICMP
 * errors (IP_RECVERR, IPV6_RECVERR): a port-unreachable for a datagram
 * sent to a peer's address is reported with the peer's id, so a crashed
 * process on a live host is noticed at its first missed datagram (docs/
 * PROTOCOL.md "Fast crash detection").
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

#define CMM_UDP_LINKS	4	/* CMM_LINKS_MAX of src/node/links.h */

/* Called on the loop for every datagram (len may exceed CMM_WIRE_MAX: an
 * oversized datagram is delivered with its real length, up to 64 KiB, so
 * the caller counts it).  link: the link (bound socket) it came in on. */
typedef void (*cmm_udp_recv_fn)(void *ctx, int link, const uint8_t *buf,
	    size_t len, const struct sockaddr *from, socklen_t fromlen);

/* A port-unreachable came back for a datagram sent to `to`, the address
 * of node `id` (-1: of no configured peer), from the socket of `link`.
 * Not authenticated: anyone on the path can forge one. */
typedef void (*cmm_udp_unreach_fn)(void *ctx, int link, int id,
	    const struct sockaddr *to);

/* Binds one socket to each of bind[0..n_links) and starts reading.  NULL
 * with a one-line reason. */
struct cmm_udp *cmm_udp_new(struct event_base *base,
	    const struct cmm_addr *bind, int n_links, cmm_udp_recv_fn fn,
	    void *ctx, char *err, size_t errlen);
void	cmm_udp_free(struct cmm_udp *u);

/* Asks every socket, now and later, for the kernel's ICMP errors, and
 * reports the port-unreachables to fn (with the ctx of cmm_udp_new).
 * -1 with a one-line reason if a socket refused. */
int	cmm_udp_on_unreachable(struct cmm_udp *u, cmm_udp_unreach_fn fn,
	    char *err, size_t errlen);

/* The address link 0 actually bound (port 0 resolved). */
void	cmm_udp_local(const struct cmm_udp *u, struct cmm_addr *out);

/* Tells the transport where node `id` (0..1023) lives on `link`. */
int	cmm_udp_set_peer(struct cmm_udp *u, int id, int link,
	    const struct cmm_addr *a);

/* Sends one datagram to node id on every link.  0 when it went out on at
 * least one (or every link is cut), -1 with errno when every send
 * failed. */
int	cmm_udp_send(struct cmm_udp *u, int id, const uint8_t *buf, size_t len);
/* The same on one link only. */
int	cmm_udp_send_link(struct cmm_udp *u, int id, int link,
	    const uint8_t *buf, size_t len);
/* Sends to an address that is not a configured peer (probe answers). */
int	cmm_udp_sendto(struct cmm_udp *u, const struct sockaddr *to,
	    socklen_t tolen, const uint8_t *buf, size_t len);

/* Fault injection: bit 1 drops what arrives from the peer, bit 2 what goes
 * to it (see enum cmm_link_dir in src/node/daemon.h); 0 heals.  link -1:
 * every link. */
void	cmm_udp_cut(struct cmm_udp *u, int id, int link, unsigned dir);
/* link -1: the bits set on every link (what cuts the node off). */
unsigned cmm_udp_cut_state(const struct cmm_udp *u, int id, int link);
/* true (and counted) when what comes from node id on link must be
 * dropped. */
bool	cmm_udp_cut_in(struct cmm_udp *u, int id, int link);
/* true while anything is cut (the receive path's fast test). */
bool	cmm_udp_any_cut(const struct cmm_udp *u);

struct cmm_udp_stats {
	uint64_t	rx, tx;		/* datagrams */
	uint64_t	tx_errors;
	uint64_t	cut_in, cut_out;	/* dropped by fault injection */
	uint64_t	overflow;	/* dropped by the kernel: buffer full */
	uint64_t	batches;	/* recvmmsg calls that returned data */
	/* port-unreachables for a configured peer's address, for another
	 * address; other ICMP errors (ignored) */
	uint64_t	unreachable, unreachable_unknown, icmp_other;
};
void	cmm_udp_stats(const struct cmm_udp *u, struct cmm_udp_stats *s);

/* A round's burst: every peer may send this many datagrams at once. */
#define CMM_UDP_BURST		8
#define CMM_UDP_BURST_BYTES	1500	/* counted per datagram: an MTU */

/* The receive buffer a node of `nodes` configured nodes wants: a burst of
 * every peer's round messages, never less than the system's default. */
int	cmm_udp_rcvbuf_want(int nodes, int system_default);

/* Sets every bound socket's receive buffer to cmm_udp_rcvbuf_want(nodes,
 * the buffer it has now), past net.core.rmem_max when the process may
 * (SO_RCVBUFFORCE).  *want and *got: bytes asked for and granted.  0 when
 * granted, 1 when the kernel capped it below *want, -1 on error. */
int	cmm_udp_size_rcvbuf(struct cmm_udp *u, int nodes, int *want, int *got);

#endif
