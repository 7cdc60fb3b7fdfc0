/* SPDX-License-Identifier: GPL-3.0-or-later */
/* packet: receive and send pipelines of one datagram; see packet.h. */
#include "net/packet.h"

#include <string.h>

static bool
packet_is_probe(const struct cmm_msg *m)
{
	return m->type == CMM_MSG_PROBE || m->type == CMM_MSG_PROBE_ACK;
}

enum cmm_drop
cmm_packet_open(const struct cmm_rx *rx, const uint8_t *buf, size_t len,
    struct cmm_msg *out)
{
	return cmm_packet_open_link(rx, 0, buf, len, out);
}

enum cmm_drop
cmm_packet_open_link(const struct cmm_rx *rx, int link, const uint8_t *buf,
    size_t len, struct cmm_msg *out)
{
	struct cmm_msg m;
	struct cmm_replay *win;
	enum cmm_drop why;
	bool foreign;

	why = cmm_wire_decode_prefix(buf, len, rx->cluster_id, &m);
	if (why != CMM_DROP_NONE)
		return why;
	/* authenticate before parsing any field of variable length */
	if (!cmm_mac_verify(rx->keys, buf, len))
		return CMM_DROP_AUTH;
	why = cmm_wire_decode_body(buf, len, CMM_PROTO_MAX, &m);
	if (why != CMM_DROP_NONE)
		return why;
	if (m.dest != rx->self)
		return CMM_DROP_MISDIRECTED;
	foreign = rx->digest != NULL && !packet_is_probe(&m) &&
	    memcmp(m.digest, rx->digest, CMM_DIGEST_LEN) != 0;
	win = packet_is_probe(&m) ? rx->probes : rx->replay;
	if (win != NULL) {
		/* only now, with the MAC good and the datagram ours, may the
		 * window move.  A foreign digest moves it too: the datagram
		 * is the sender's own, and a replay of it must not reach
		 * the alarm either. */
		why = cmm_replay_check_link(win, m.sender, m.incarnation,
		    m.seq, link);
		if (why != CMM_DROP_NONE && why != CMM_DROP_DUPLICATE)
			return why;
		cmm_replay_accept_link(win, m.sender, m.incarnation, m.seq,
		    link);
		if (why == CMM_DROP_DUPLICATE) {
			*out = m;
			return why;
		}
	}
	*out = m;
	return foreign ? CMM_DROP_CONFIG : CMM_DROP_NONE;
}

int
cmm_packet_seal(const struct cmm_keys *k, uint32_t cluster_id,
    const struct cmm_msg *m, uint8_t *buf, size_t cap)
{
	int n = cmm_wire_encode(m, cluster_id, buf, cap);

	if (n < 0)
		return -1;
	return (int)cmm_mac_seal(k, buf, (size_t)n);
}
