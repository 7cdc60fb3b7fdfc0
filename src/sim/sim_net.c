/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_net: the simulator's virtual network.  Every SEND is encoded once
 * and decoded back (a message that does not survive the codec is a
 * violation), then delivered to each destination with latency and jitter
 * (reordering), loss, duplication, partitions, one-way cuts and selective
 * drops of message types, all drawn from the simulator's seeded generator.
 * Each delivered copy is encoded again with its own destination and decoded
 * by the receiver (the daemon's path without the MAC: prefix, body,
 * destination), then filtered through the receiver's replay window
 * (net/replay.h) as the daemon does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/sim.h"

static struct cmm_sim_msg *msg_alloc(struct cmm_sim *s);
static bool	link_up(const struct cmm_sim *s, int a, int b);
static bool	net_dropped(const struct cmm_sim *s, int a, int b, int type);

static bool
net_dropped(const struct cmm_sim *s, int a, int b, int type)
{
	for (size_t i = 0; i < s->ndrops; i++)
		if (s->drops[i].a == a && s->drops[i].b == b &&
		    (s->drops[i].mask & (UINT32_C(1) << type)))
			return true;
	return false;
}

static struct cmm_sim_msg *
msg_alloc(struct cmm_sim *s)
{
	struct cmm_sim_msg *m = s->msg_free;

	if (m != NULL) {
		s->msg_free = m->free_next;
	} else if ((m = malloc(sizeof(*m))) == NULL) {
		fprintf(stderr, "cmm sim: out of memory\n");
		exit(1);
	}
	memset(m, 0, sizeof(*m));
	return m;
}

void
cmm_sim_msg_unref(struct cmm_sim *s, struct cmm_sim_msg *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	m->free_next = s->msg_free;
	s->msg_free = m;
}

void
cmm_sim_dup_unref(struct cmm_sim_dup *d)
{
	if (d != NULL && --d->refs == 0)
		free(d);
}

static bool
link_up(const struct cmm_sim *s, int a, int b)
{
	if (s->group[a] != s->group[b])
		return false;
	return !(s->any_cut && cmm_set_has(&s->cut[a], b));
}

void
cmm_sim_net_send(struct cmm_sim *s, struct cmm_sim_node *from,
    const struct cmm_set *to, const struct cmm_msg *msg)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg orig = *msg;
	struct cmm_sim_msg *sm;
	enum cmm_drop why;
	int len;

	s->st.sends++;
	/* the transport numbers datagrams per sender, as the daemon will */
	orig.seq = ++from->seq;
	/* and fills in what the core leaves to it; the destination is set
	 * per copy (cmm_sim_net_deliver), the sender's own id stands in */
	orig.vmin = CMM_PROTO_MIN;
	orig.vmax = CMM_PROTO_MAX;
	orig.dest = (uint16_t)from->id;
	if (orig.sender != from->id) {
		cmm_sim_violate(s, "core", NULL, "node %d sent a %s as node %d",
		    from->id, cmm_msg_type_name(orig.type), orig.sender);
		return;
	}
	len = cmm_wire_encode(&orig, s->cluster_id, buf, sizeof(buf));
	if (len < 0) {
		cmm_sim_violate(s, "codec", NULL,
		    "node %d: %s does not fit one datagram", from->id,
		    cmm_msg_type_name(orig.type));
		return;
	}
	/* the simulator does not authenticate: the tag is zeros */
	memset(buf + len, 0, CMM_WIRE_MAC_LEN);
	sm = msg_alloc(s);
	sm->bytes = (uint32_t)len + CMM_WIRE_MAC_LEN;
	why = cmm_wire_decode(buf, sm->bytes, s->cluster_id, &sm->m);
	if (why != CMM_DROP_NONE || !cmm_msg_equal(&orig, &sm->m)) {
		cmm_sim_violate(s, "codec", NULL,
		    "node %d: %s did not survive encode/decode (%s)", from->id,
		    cmm_msg_type_name(orig.type), cmm_drop_name(why));
		sm->refs = 1;
		cmm_sim_msg_unref(s, sm);
		return;
	}
	cmm_sim_check_send(s, from, &sm->m);

	sm->refs = 1;	/* held while queuing */
	for (int d = cmm_set_next(to, 0); d >= 0; d = cmm_set_next(to, d + 1)) {
		struct cmm_sim_dup *dup = NULL;
		struct cmm_sim_ev ev;
		int copies = 1;

		if (d >= s->n || d == from->id) {
			s->st.drop_self++;
			continue;
		}
		s->st.datagrams++;
		s->st.bytes += sm->bytes;
		if (!link_up(s, from->id, d)) {
			s->st.drop_cut++;
			continue;
		}
		if (s->ndrops > 0 && net_dropped(s, from->id, d, sm->m.type)) {
			s->st.drop_type++;
			continue;
		}
		/* the explorer decides when (and whether) it arrives */
		if (cmm_sim_explore_take(s, sm, from->id, d))
			continue;
		if (s->loss_ppm > 0 &&
		    cmm_rng_below(&s->rng, 1000000) < s->loss_ppm) {
			s->st.drop_loss++;
			continue;
		}
		if (s->dup_ppm > 0 &&
		    cmm_rng_below(&s->rng, 1000000) < s->dup_ppm) {
			copies = 2;
			s->st.dups++;
			dup = calloc(1, sizeof(*dup));
			if (dup == NULL) {
				fprintf(stderr, "cmm sim: out of memory\n");
				exit(1);
			}
			dup->refs = 2;
		}
		for (int c = 0; c < copies; c++) {
			memset(&ev, 0, sizeof(ev));
			/* jitter reorders messages on a link */
			ev.t = s->now + s->latency_ms + s->delay_ms +
			    (s->jitter_ms > 0 ? (int64_t)cmm_rng_below(&s->rng,
			    (uint64_t)s->jitter_ms + 1) : 0);
			if (ev.t <= s->now)
				ev.t = s->now + 1;
			ev.kind = CMM_SIM_EV_DELIVER;
			ev.node = d;
			ev.u.dlv.msg = sm;
			ev.u.dlv.dup = dup;
			sm->refs++;
			cmm_sim_push(s, &ev);
		}
	}
	cmm_sim_msg_unref(s, sm);
}

/* The copy for node `to` as its receiver decodes it: addressed to it,
 * through the codec.  false (a violation) if it does not survive. */
static bool
net_copy_for(struct cmm_sim *s, const struct cmm_msg *shared, int to,
    struct cmm_msg *out)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m = *shared;
	enum cmm_drop why;
	int len;

	m.dest = (uint16_t)to;
	len = cmm_wire_encode(&m, s->cluster_id, buf, sizeof(buf));
	if (len >= 0) {
		memset(buf + len, 0, CMM_WIRE_MAC_LEN);
		why = cmm_wire_decode(buf, (size_t)len + CMM_WIRE_MAC_LEN,
		    s->cluster_id, out);
	} else {
		why = CMM_DROP_LONG;
	}
	if (why == CMM_DROP_NONE && out->dest == to && cmm_msg_equal(&m, out))
		return true;
	cmm_sim_violate(s, "codec", NULL, "node %d: a %s for node %d did not "
	    "survive encode/decode (%s)", m.sender, cmm_msg_type_name(m.type),
	    to, cmm_drop_name(why));
	return false;
}

void
cmm_sim_net_deliver(struct cmm_sim *s, struct cmm_sim_ev *ev)
{
	struct cmm_sim_node *n = &s->nodes[ev->node];
	struct cmm_msg copy;
	const struct cmm_msg *m = &copy;
	struct cmm_sim_dup *dup = ev->u.dlv.dup;

	if (n->core == NULL) {
		s->st.drop_down++;
		goto out;
	}
	if (!net_copy_for(s, &ev->u.dlv.msg->m, n->id, &copy))
		goto out;
	if (!s->o.plant_replay) {
		/* the daemon's rule: check, (MAC,) then move the window */
		if (cmm_replay_check(n->replay, m->sender, m->incarnation,
		    m->seq) != CMM_DROP_NONE) {
			s->st.drop_replay++;
			goto out;
		}
		cmm_replay_accept(n->replay, m->sender, m->incarnation, m->seq);
	}
	if (dup != NULL) {
		/* property 6: a core never gets the same datagram twice */
		if (dup->given && dup->gen == n->gen) {
			struct cmm_set who;

			cmm_set_clear(&who);
			cmm_set_add(&who, n->id);
			cmm_set_add(&who, m->sender);
			cmm_sim_violate(s, "replay", &who,
			    "node %d was given %s (sender %d, incarnation %" PRIu32
			    ", seq %" PRIu64 ") twice", n->id,
			    cmm_msg_type_name(m->type), m->sender, m->incarnation,
			    m->seq);
			goto out;
		}
		dup->given = true;
		dup->gen = n->gen;
	}
	s->st.delivered++;
	cmm_core_on_packet(n->core, s->now, m);
	cmm_sim_after_input(s, n);
out:
	cmm_sim_msg_unref(s, ev->u.dlv.msg);
	cmm_sim_dup_unref(dup);
}

void
cmm_sim_net_heal(struct cmm_sim *s)
{
	memset(s->group, 0, (size_t)s->n * sizeof(*s->group));
	if (s->any_cut)
		memset(s->cut, 0, (size_t)s->n * sizeof(*s->cut));
	s->ndrops = 0;
	s->any_cut = false;
}

/* Nodes named in no group form one more group of their own. */
void
cmm_sim_net_partition(struct cmm_sim *s, const struct cmm_set *groups,
    int ngroups)
{
	for (int i = 0; i < s->n; i++)
		s->group[i] = ngroups + 1;
	for (int g = 0; g < ngroups; g++)
		for (int i = cmm_set_next(&groups[g], 0); i >= 0 && i < s->n;
		    i = cmm_set_next(&groups[g], i + 1))
			s->group[i] = g + 1;
}

void
cmm_sim_net_cut(struct cmm_sim *s, int a, int b, bool oneway)
{
	cmm_set_add(&s->cut[a], b);
	if (!oneway)
		cmm_set_add(&s->cut[b], a);
	s->any_cut = true;
}

void
cmm_sim_net_drop(struct cmm_sim *s, int a, int b, uint32_t mask)
{
	for (size_t i = 0; i < s->ndrops; i++)
		if (s->drops[i].a == a && s->drops[i].b == b) {
			s->drops[i].mask |= mask;
			return;
		}
	s->drops = cmm_sim_grow(s->drops, &s->capdrops, s->ndrops + 1,
	    sizeof(*s->drops));
	s->drops[s->ndrops].a = a;
	s->drops[s->ndrops].b = b;
	s->drops[s->ndrops].mask = mask;
	s->ndrops++;
}

#define ROUND_TYPES	((UINT32_C(1) << CMM_MSG_PREPARE) | \
	(UINT32_C(1) << CMM_MSG_PROMISE) | (UINT32_C(1) << CMM_MSG_NACK) | \
	(UINT32_C(1) << CMM_MSG_ACCEPT) | (UINT32_C(1) << CMM_MSG_ACCEPTED) | \
	(UINT32_C(1) << CMM_MSG_COMMIT))

int
cmm_sim_parse_types(const char *text, uint32_t *mask)
{
	char buf[256], *p, *save = NULL;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	*mask = 0;
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		int t;

		if (strcmp(p, "propose") == 0) {
			/* the first design's proposal is phase 2 */
			*mask |= (UINT32_C(1) << CMM_MSG_ACCEPT) |
			    (UINT32_C(1) << CMM_MSG_ACCEPTED);
			continue;
		}
		if (strcmp(p, "round") == 0) {
			*mask |= ROUND_TYPES;
			continue;
		}
		for (t = CMM_MSG_HEARTBEAT; t <= CMM_MSG_LEAVE; t++) {
			const char *n = cmm_msg_type_name(t);
			size_t k;

			for (k = 0; n[k] && p[k] && (n[k] | 0x20) == (p[k] | 0x20); k++)
				;
			if (n[k] == '\0' && p[k] == '\0')
				break;
		}
		if (t > CMM_MSG_LEAVE)
			return -1;
		*mask |= UINT32_C(1) << t;
	}
	return *mask != 0 ? 0 : -1;
}
