/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for net/udp.c's receive path: datagrams are read in batches
 * (recvmmsg), each one delivered whole with its sender; what the kernel
 * dropped because the receive buffer was full is counted (SO_RXQ_OVFL),
 * so read + counted = sent; the receive buffer wanted for a burst of
 * every peer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "net/udp.h"

struct rx {
	int		n;
	size_t		bytes;
	bool		bad;	/* a datagram not as sent */
};

static void
on_recv(void *ctx, int link, const uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen)
{
	struct rx *r = ctx;

	(void)fromlen;
	if (link != 0)
		r->bad = true;
	r->n++;
	r->bytes += len;
	if (len != 200 || buf[0] != 0xc3 || buf[199] != 0x3c ||
	    from->sa_family != AF_INET)
		r->bad = true;
}

/* Runs the loop until nothing is left to read (a few idle passes). */
static void
drain(struct event_base *base)
{
	for (int i = 0; i < 20; i++) {
		struct timeval tv = { 0, 5000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
}

static int
send_n(const struct cmm_addr *to, int n)
{
	uint8_t buf[200];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sent = 0;

	assert_true(fd >= 0);
	memset(buf, 0x55, sizeof(buf));
	buf[0] = 0xc3;
	buf[199] = 0x3c;
	for (int i = 0; i < n; i++)
		if (sendto(fd, buf, sizeof(buf), 0,
		    (const struct sockaddr *)&to->ss, to->len) == 200)
			sent++;
	close(fd);
	return sent;
}

static void
test_overflow_counted(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in *sin;
	struct cmm_addr bind_to, local;
	struct cmm_udp_stats st;
	struct cmm_udp *u;
	struct rx r = { 0 };
	char err[256];
	int sent;

	(void)state;
	assert_non_null(base);
	memset(&bind_to, 0, sizeof(bind_to));
	sin = (struct sockaddr_in *)&bind_to.ss;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind_to.len = sizeof(*sin);
	u = cmm_udp_new(base, &bind_to, 1, on_recv, &r, err, sizeof(err));
	assert_non_null(u);
	cmm_udp_local(u, &local);

	/* a few: all read, in one batch */
	assert_int_equal(send_n(&local, 5), 5);
	drain(base);
	assert_int_equal(r.n, 5);
	assert_false(r.bad);
	cmm_udp_stats(u, &st);
	assert_int_equal(st.rx, 5);
	assert_int_equal(st.overflow, 0);
	assert_int_equal(st.batches, 1);

	/* far more than the buffer holds while nobody reads */
	sent = send_n(&local, 3000);
	assert_int_equal(sent, 3000);
	drain(base);
	assert_true(r.n > 5 && r.n < 5 + 3000);
	/* the kernel's count comes with the next datagram it queues */
	assert_int_equal(send_n(&local, 1), 1);
	drain(base);
	cmm_udp_stats(u, &st);
	assert_false(r.bad);
	assert_int_equal(st.rx, (uint64_t)r.n);
	assert_int_equal(st.rx + st.overflow, 5 + 3000 + 1);
	/* batches: far fewer system calls than datagrams */
	assert_true(st.batches * 4 < st.rx);
	cmm_udp_free(u);
	event_base_free(base);
}

static void
test_rcvbuf_want(void **state)
{
	(void)state;
	/* a burst of 8 MTU-sized datagrams from each node, twice for the
	 * kernel's bookkeeping; never below the default */
	assert_int_equal(cmm_udp_rcvbuf_want(3, 212992), 212992);
	assert_int_equal(cmm_udp_rcvbuf_want(64, 212992), 2 * 64 * 8 * 1500);
	assert_int_equal(cmm_udp_rcvbuf_want(1024, 212992), 2 * 1024 * 8 * 1500);
	assert_int_equal(cmm_udp_rcvbuf_want(0, 1000), 2 * 8 * 1500);
	assert_int_equal(cmm_udp_rcvbuf_want(1 << 20, 0), INT_MAX / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow_counted),
		cmocka_unit_test(test_rcvbuf_want),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
