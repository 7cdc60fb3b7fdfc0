/* SPDX-License-Identifier: GPL-3.0-or-later */
/* packet: receive and send pipelines of one datagram; see packet.h. */
#include "packet.h"

enum cmm_drop
cmm_packet_open(const struct cmm_keys *k, struct cmm_replay *r,
    uint32_t cluster_id, const uint8_t *buf, size_t len, struct cmm_msg *out)
{
	struct cmm_msg m;
	enum cmm_drop why;

	why = cmm_wire_decode(buf, len, cluster_id, &m);
	if (why != CMM_DROP_NONE)
		return why;
	if (!cmm_mac_verify(k, buf, len))
		return CMM_DROP_AUTH;
	if (r != NULL) {
		/* only now, with the MAC good, may the window move */
		why = cmm_replay_check(r, m.sender, m.incarnation, m.seq);
		if (why != CMM_DROP_NONE)
			return why;
		cmm_replay_accept(r, m.sender, m.incarnation, m.seq);
	}
	*out = m;
	return CMM_DROP_NONE;
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
