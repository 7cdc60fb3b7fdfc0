/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daemon: one core on a libevent loop (see daemon.h).  Inputs: datagrams
 * (net/udp.c through net/packet.c), the core's deadline timer, signals,
 * device results (devworker.c) and operator actions (the control server).
 * Effects: sealed sends, fsync'd state, device jobs, prompts, events,
 * history records and hook runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "net/packet.h"
#include "net/udp.h"
#include "src/node/config.h"
#include "src/node/daemon.h"
#include "src/node/devkey.h"
#include "src/node/devworker.h"
#include "src/node/hook.h"
#include "src/node/metrics.h"
#include "src/node/metrics_http.h"
#include "src/node/noteq.h"
#include "src/node/notify.h"
#include "src/node/realtime.h"
#include "src/node/state.h"
#include "src/node/watchdog.h"

#define DAEMON_MAX_LISTENERS	8
#define DAEMON_HB_RING		1024	/* arrivals kept per peer */
#define DAEMON_HB_WINDOW_MS	60000	/* stats over the last minute */
#define DAEMON_DEVICE_LIMIT_MS	5000	/* a device call that takes longer fails */
#define DAEMON_HOOK_LIMIT_MS	10000	/* a hook that takes longer is killed */
#define DAEMON_LEAVE_MAX_MS	3000	/* longest wait for the LEAVEs to go out */
#define DAEMON_RLOG_MS		5000	/* one line per reason this often */
/* history records reach the disk this long after they are written: the
 * round's own writes go first (daemon_history) */
#define DAEMON_HIST_SYNC_MS	100
/* notes wait (src/node/noteq.h) until none came for DAEMON_NOTE_QUIET_US,
 * and never longer than DAEMON_NOTE_MAX_US after the oldest; a full queue
 * is delivered at once (a round makes fewer than ten notes at a node) */
#define DAEMON_NOTE_QUEUE	64
#define DAEMON_NOTE_QUIET_US	1000
#define DAEMON_NOTE_MAX_US	10000
/* rate-limited report slots: one per drop reason, then these */
#define DAEMON_RLOG_OWN_ID	CMM_DROP__COUNT
#define DAEMON_RLOG_PROBE	(CMM_DROP__COUNT + 1)
#define DAEMON_RLOG_UNREACH	(CMM_DROP__COUNT + 2)
#define DAEMON_RLOG_SEND	(CMM_DROP__COUNT + 3)
#define DAEMON_RLOG_SLOTS	(CMM_DROP__COUNT + 4)

struct hb_ring {
	int64_t		t[DAEMON_HB_RING];
	int		head;		/* next slot */
	int		n;
	uint64_t	total;		/* inter-arrivals since the start */
	int64_t		total_ms;	/* and their sum (metrics) */
};

struct daemon_listener {
	cmm_note_fn	fn;
	void		*ctx;
};

/* What the wire says about one peer (its authentic datagrams for us). */
struct daemon_peer {
	bool		heard;
	bool		mismatch;	/* its last one had another digest */
	uint8_t		vmin, vmax;	/* the versions it speaks */
	bool		has_cfgver;
	uint32_t	config_version;
};

/* One rate-limited report (see daemon_rlog). */
struct daemon_rlog {
	uint64_t	pending;	/* not reported yet */
	bool		logged;
	int64_t		logged_at;
	enum cmm_log_level level;
	int		sender;
	char		from[80];
	char		detail[160];
};

struct cmm_daemon {
	struct cmm_daemon_opts	opts;
	struct cmm_config	*cfg;
	int			self;
	char			state_dir[CMM_CFG_PATH_MAX];
	struct cmm_state_file	*state;		/* open from the first persist */
	struct cmm_history	*history;	/* from the first record */
	char			sock_path[CMM_CFG_PATH_MAX];
	/* the UDP addresses, one per link, for the log */
	char			bound[CMM_LINKS_MAX * CMM_ADDR_MAX];
	struct cmm_keys		keys;
	struct cmm_log		*log;
	struct event_base	*base;
	struct cmm_udp		*udp;
	struct cmm_replay	*replay;
	struct cmm_replay	*probe_replay;	/* PROBE/PROBE_ACK: their own */
	struct cmm_rx		rx;
	struct daemon_peer	*peers;		/* per node id */
	struct daemon_rlog	rlog[DAEMON_RLOG_SLOTS];
	struct event		*rlog_timer;
	struct event		*hist_timer;	/* pending: history not synced */
	struct event		*flush_timer;	/* pending: a commit not flushed */
	struct cmm_noteq	*nq;		/* notes waiting for note_ev */
	struct event		*note_ev;	/* a timer: when they go */
	int64_t			 note_first_us;	/* the oldest waiting, made */
	int64_t			 note_last_us;	/* the newest */
	struct cmm_core		*core;
	struct cmm_sink		sink;
	struct event		*timer;
	int64_t			 timer_at;	/* when it fires (us), if pending */
	int64_t			 late_at;	/* last "ran late" report (ms) */
	unsigned		 late_n;	/* late runs not yet reported */
	struct event		*sig_term, *sig_int, *sig_hup;
	struct event		*leave_timer;
	struct cmm_devworker	*dw;
	struct cmm_hook		*hook;
	struct cmm_metrics	*metrics;
	struct cmm_metrics_http	*metrics_http;	/* metrics_listen, or NULL */
	struct cmm_notify	*notify;	/* systemd, from cmm_daemon_start */
	struct cmm_watchdog	*wd;		/* config `watchdog`, or NULL */
	bool			wd_armed;	/* once: never again after a stop */
	struct cmm_rt_status	rt;		/* config `realtime`: what it got */
	uint64_t		*seq;		/* per destination */
	uint64_t		drops[CMM_DROP__COUNT];
	struct cmm_prompt	prompt;
	char			prompt_why[256];
	struct daemon_listener	lis[DAEMON_MAX_LISTENERS];
	int			n_lis;
	struct hb_ring		**hb;		/* per configured peer */
	struct cmm_links	*links;		/* per peer and link */
	int64_t			last_now;
	int			exit_code;
	bool			leaving;
	bool			exiting;
	bool			flush_failed;	/* a flush_later record was not flushed */
	/* a flush_later record was written: flush_timer flushes it (if no
	 * device operation or later write did) and tells the core */
	bool			flush_owed;
	bool			draining_hooks;
	uint8_t			buf[CMM_WIRE_MAX];
};

static void	daemon_link_change(void *ctx, int peer, int link, bool up);
static bool	daemon_state_flush(struct cmm_daemon *d);

/* ---- time ---- */

static int64_t
daemon_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
cmm_daemon_now(struct cmm_daemon *d)
{
	int64_t now = daemon_clock_ns(CLOCK_MONOTONIC) / 1000000;

	/* the core's clock must never run backwards, even by rounding */
	if (now < d->last_now)
		now = d->last_now;
	d->last_now = now;
	return now;
}

/* ---- notes to listeners (the control server) ---- */

/* Every listener, in order, at once. */
static void
daemon_note_call(struct cmm_daemon *d, const struct cmm_note *n)
{
	struct daemon_listener snap[DAEMON_MAX_LISTENERS];
	int count = d->n_lis;

	/* a listener may unlisten itself (or another) from its callback */
	memcpy(snap, d->lis, sizeof(snap));
	for (int i = 0; i < count; i++) {
		bool still = false;

		for (int j = 0; j < d->n_lis && !still; j++)
			still = d->lis[j].fn == snap[i].fn &&
			    d->lis[j].ctx == snap[i].ctx;
		if (still)
			snap[i].fn(snap[i].ctx, n);
	}
}

/* The queued notes, oldest first; those a listener makes meanwhile (a log
 * line) join the end and go out in the same call. */
static void
daemon_notes_deliver(struct cmm_daemon *d)
{
	struct cmm_noteq_item it;

	while (d->nq != NULL && cmm_noteq_pop(d->nq, &it))
		daemon_note_call(d, &it.n);
}

void
cmm_daemon_notes_flush(struct cmm_daemon *d)
{
	daemon_notes_deliver(d);
}

static void
daemon_notes_arm(struct cmm_daemon *d, int64_t us)
{
	struct timeval tv = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };

	evtimer_add(d->note_ev, &tv);
}

/* The burst is over (no note for the quiet time), or the oldest note has
 * waited long enough: all of them go; else wait on. */
static void
daemon_notes_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_daemon *d = arg;
	int64_t now = daemon_clock_ns(CLOCK_MONOTONIC) / 1000;
	int64_t due = cmm_noteq_due(d->note_first_us, d->note_last_us,
	    DAEMON_NOTE_QUIET_US, DAEMON_NOTE_MAX_US);

	(void)fd;
	(void)what;
	if (now < due && cmm_noteq_len(d->nq) > 0) {
		daemon_notes_arm(d, due - now);
		return;
	}
	daemon_notes_deliver(d);
}

/* Stamped now, delivered once the burst is over (src/node/noteq.h says
 * why); with no loop, or a full queue, at once, after those that wait. */
static void
daemon_note(struct cmm_daemon *d, struct cmm_note *n)
{
	n->mono_ns = daemon_clock_ns(CLOCK_MONOTONIC);
	n->wall_ns = daemon_clock_ns(CLOCK_REALTIME);
	n->epoch = d->core != NULL ? cmm_core_epoch(d->core) : 0;
	if (d->n_lis == 0)
		return;
	if (d->note_ev != NULL && cmm_noteq_push(d->nq, n)) {
		d->note_last_us = n->mono_ns / 1000;
		if (cmm_noteq_len(d->nq) == 1) {
			d->note_first_us = d->note_last_us;
			daemon_notes_arm(d, DAEMON_NOTE_QUIET_US);
		}
		return;
	}
	daemon_notes_deliver(d);
	daemon_note_call(d, n);
}

static void
daemon_log_tap(void *ctx, enum cmm_log_level level, const char *line)
{
	struct cmm_daemon *d = ctx;
	struct cmm_note n = { .type = CMM_NOTE_LOG, .level = level,
	    .drop_sender = -1, .uid = -1, .text = line };

	daemon_note(d, &n);
}

int
cmm_daemon_listen(struct cmm_daemon *d, cmm_note_fn fn, void *ctx)
{
	if (d->n_lis == DAEMON_MAX_LISTENERS)
		return -1;
	d->lis[d->n_lis].fn = fn;
	d->lis[d->n_lis].ctx = ctx;
	d->n_lis++;
	return 0;
}

void
cmm_daemon_unlisten(struct cmm_daemon *d, cmm_note_fn fn, void *ctx)
{
	for (int i = 0; i < d->n_lis; i++)
		if (d->lis[i].fn == fn && d->lis[i].ctx == ctx) {
			memmove(&d->lis[i], &d->lis[i + 1],
			    (size_t)(d->n_lis - i - 1) * sizeof(d->lis[0]));
			d->n_lis--;
			return;
		}
}

/* ---- the core's timer ---- */

static void	daemon_arm(struct cmm_daemon *d);

/* A commit written to flush later, flushed; the core learns it is (or
 * that the disk failed it: the node stops taking part). */
static void
daemon_flush_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->exiting)
		return;
	d->flush_owed = false;
	if (daemon_state_flush(d))
		cmm_core_on_flushed(d->core, cmm_daemon_now(d));
	daemon_arm(d);
}

static void
daemon_arm(struct cmm_daemon *d)
{
	/* in microseconds from the clock itself, not from the millisecond
	 * the core last saw: a deadline fires on time, not up to 1 ms late */
	int64_t now_us, delay;
	struct timeval tv;

	/* every input to the core ends here.  A flush that failed in it (a
	 * device operation's) is the core's to know now; a commit it wrote
	 * to flush later is flushed by flush_timer, once the round's other
	 * work on this host is done: at 16 nodes on two CPUs each learner's
	 * flush (30-100 us of the kernel's CPU) went before the next
	 * learner's announce (docs/PROTOCOL.md "Durability") */
	if (d->flush_failed && !d->exiting) {
		d->flush_failed = false;
		cmm_core_on_flush_failed(d->core, cmm_daemon_now(d));
		(void)daemon_state_flush(d);
		d->flush_failed = false;
	}
	if (d->flush_owed && !evtimer_pending(d->flush_timer, NULL)) {
		tv.tv_sec = 0;
		tv.tv_usec = CMM_FLUSH_LATER_MS * 1000;
		evtimer_add(d->flush_timer, &tv);
	}
	now_us = daemon_clock_ns(CLOCK_MONOTONIC) / 1000;
	delay = cmm_core_next_deadline(d->core) * 1000 - now_us;
	if (d->leaving && !d->exiting) {
		struct cmm_core_status st;

		cmm_core_status(d->core, &st);
		/* the core has sent its last LEAVE: nothing left to wait for */
		if (st.state == CMM_ST_STOPPED) {
			d->exiting = true;
			cmm_logf(d->log, CMM_LOG_INFO, "left the cluster; exiting");
			event_base_loopexit(d->base, NULL);
		}
	}
	/* on the way out the core gets no more time: it must not act */
	if (d->exiting) {
		evtimer_del(d->timer);
		return;
	}
	if (delay < 0)
		delay = 0;
	if (delay > 3600 * INT64_C(1000000))
		delay = 3600 * INT64_C(1000000);
	/* never postpone a pending timer: an overdue deadline reads as "the
	 * core's now + 1 ms", so re-arming it after every datagram of a
	 * steady stream would never let it fire, and no heartbeat leave */
	if (evtimer_pending(d->timer, NULL) && d->timer_at <= now_us + delay)
		return;
	d->timer_at = now_us + delay;
	tv.tv_sec = delay / 1000000;
	tv.tv_usec = delay % 1000000;
	/* libevent adds the delay to the time it read when the loop woke,
	 * and the delay counts from now: without this the timer fired early
	 * by what the callbacks took, found nothing due and woke the loop a
	 * second time */
	event_base_update_cache_time(d->base);
	evtimer_add(d->timer, &tv);
}

void
cmm_daemon_kick(struct cmm_daemon *d)
{
	daemon_arm(d);
}

/* The timer ran more than a heartbeat late: the loop was not scheduled
 * (a loaded or paused host) or a call blocked, so this node's heartbeats
 * were late too and its peers may have seen it silent.  Said at once,
 * then at most every 10 s with the count in between. */
static void
daemon_late(struct cmm_daemon *d, int64_t now)
{
	int64_t late = now - d->timer_at / 1000;

	if (late <= d->cfg->core.heartbeat_ms)
		return;
	d->late_n++;
	if (d->late_at != 0 && now - d->late_at < 10000)
		return;
	cmm_logf(d->log, CMM_LOG_WARN, "the event loop ran %lld ms late (%u "
	    "time(s) over a heartbeat since the last report): the host did not "
	    "schedule it or a call blocked; peers may have seen this node "
	    "silent", (long long)late, d->late_n);
	d->late_at = now;
	d->late_n = 0;
}

static void
daemon_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_daemon *d = arg;
	int64_t now = cmm_daemon_now(d);

	(void)fd;
	(void)what;
	daemon_late(d, now);
	/* always: a check against the core's deadline could be put off a
	 * millisecond at a time by the datagrams that advance its clock */
	cmm_core_on_tick(d->core, now);
	/* links are checked at the heartbeat's pace (the core's timer fires
	 * at least once a heartbeat): a link down is reported within a
	 * heartbeat of its timeout, without a wakeup of its own */
	cmm_links_check(d->links, now, daemon_link_change, d);
	daemon_arm(d);
}

/* ---- heartbeat arrival statistics ---- */

static void
daemon_hb_record(struct cmm_daemon *d, int peer, int64_t now)
{
	struct hb_ring *r;

	if (d->hb == NULL || !cmm_set_valid_id(peer))
		return;
	r = d->hb[peer];
	if (r == NULL)
		return;
	if (r->n > 0) {
		r->total++;
		r->total_ms += now - r->t[(r->head - 1 + DAEMON_HB_RING) %
		    DAEMON_HB_RING];
	}
	r->t[r->head] = now;
	r->head = (r->head + 1) % DAEMON_HB_RING;
	if (r->n < DAEMON_HB_RING)
		r->n++;
}

/* ---- rate-limited lines about dropped traffic ---- */

/* A flood of bad datagrams must not become a flood of log lines (or of
 * watch events): per reason, the first drop is reported at once, later
 * ones once per DAEMON_RLOG_MS with their count. */
static void
daemon_rlog_flush(struct cmm_daemon *d, int slot, int64_t now)
{
	struct daemon_rlog *r = &d->rlog[slot];
	struct cmm_note n = { .type = CMM_NOTE_DROP, .drop_sender = r->sender,
	    .uid = -1, .text = r->from, .drop_count = r->pending };
	const char *what = slot == DAEMON_RLOG_OWN_ID ? "claiming this node's "
	    "id (another process with the same --id?)" :
	    slot == DAEMON_RLOG_PROBE ? "probe(s) answered" :
	    slot == DAEMON_RLOG_UNREACH ? "port-unreachable(s) for an address "
	    "of no configured node, ignored" :
	    slot == DAEMON_RLOG_SEND ? "send(s) refused by the kernel" :
	    cmm_drop_name((enum cmm_drop)slot);

	if (r->pending == 0)
		return;
	if (slot == DAEMON_RLOG_UNREACH)
		cmm_logf(d->log, CMM_LOG_INFO, "%" PRIu64 " %s, the last for %s",
		    r->pending, what, r->from);
	else if (slot == DAEMON_RLOG_SEND)
		cmm_logf(d->log, r->level, "%" PRIu64 " %s, the last to %s: %s",
		    r->pending, what, r->from, r->detail);
	else if (slot == DAEMON_RLOG_PROBE)
		cmm_logf(d->log, CMM_LOG_INFO, "%" PRIu64 " %s, the last from %s "
		    "as node %d", r->pending, what, r->from, r->sender);
	else
		cmm_logf(d->log, r->level, "dropped %" PRIu64 " datagram%s (%s)%s, "
		    "the last from %s%s%s", r->pending, r->pending == 1 ? "" :
		    "s", what, r->logged ? " since the last report" : "", r->from,
		    r->detail[0] != '\0' ? ": " : "", r->detail);
	if (slot < CMM_DROP__COUNT) {
		n.drop = (enum cmm_drop)slot;
		daemon_note(d, &n);
	} else if (slot == DAEMON_RLOG_OWN_ID) {
		n.drop = CMM_DROP_MALFORMED;
		daemon_note(d, &n);
	}
	r->pending = 0;
	r->logged = true;
	r->logged_at = now;
}

static void
daemon_rlog_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_daemon *d = arg;
	int64_t now = cmm_daemon_now(d), next = -1;

	(void)fd;
	(void)what;
	for (int i = 0; i < DAEMON_RLOG_SLOTS; i++) {
		struct daemon_rlog *r = &d->rlog[i];

		if (r->pending == 0)
			continue;
		if (now - r->logged_at >= DAEMON_RLOG_MS)
			daemon_rlog_flush(d, i, now);
		else if (next < 0 || r->logged_at + DAEMON_RLOG_MS < next)
			next = r->logged_at + DAEMON_RLOG_MS;
	}
	if (next >= 0) {
		struct timeval tv = { (next - now) / 1000,
		    ((next - now) % 1000) * 1000 };

		evtimer_add(d->rlog_timer, &tv);
	}
}

static void
daemon_rlog(struct cmm_daemon *d, int slot, enum cmm_log_level level,
    int sender, const char *from, const char *detail)
{
	struct daemon_rlog *r = &d->rlog[slot];
	int64_t now = cmm_daemon_now(d);

	r->pending++;
	r->level = level;
	r->sender = sender;
	snprintf(r->from, sizeof(r->from), "%s", from);
	snprintf(r->detail, sizeof(r->detail), "%s", detail ? detail : "");
	if (!r->logged || now - r->logged_at >= DAEMON_RLOG_MS) {
		daemon_rlog_flush(d, slot, now);
		return;
	}
	if (!evtimer_pending(d->rlog_timer, NULL)) {
		int64_t wait = r->logged_at + DAEMON_RLOG_MS - now;
		struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };

		evtimer_add(d->rlog_timer, &tv);
	}
}

/* ---- the wire: what each peer speaks ---- */

/* Fills the transport's part of m for node `to`: the versions this build
 * speaks, the destination, our digest, and the extensions of the version
 * the peer was last heard to speak. */
static void
daemon_wire_fill(struct cmm_daemon *d, struct cmm_msg *m, int to)
{
	const struct daemon_peer *p = &d->peers[to];
	unsigned v = p->heard ? cmm_wire_version_for(p->vmin, p->vmax) :
	    CMM_PROTO_MIN;

	m->vmin = CMM_PROTO_MIN;
	m->vmax = CMM_PROTO_MAX;
	m->dest = (uint16_t)to;
	memcpy(m->digest, d->cfg->core.digest, CMM_DIGEST_LEN);
	/* the core's SUSPECT goes to a peer that reads it; the others are
	 * left to their failure timeout */
	m->ext = cmm_wire_exts(v) | (m->ext & cmm_wire_exts_allowed(v) &
	    CMM_EXT_SUSPECT);
	m->config_version = d->cfg->core.config_version;
}

/* What an authentic datagram for us says about its sender. */
static void
daemon_wire_heard(struct cmm_daemon *d, const struct cmm_msg *m, bool mismatch)
{
	struct daemon_peer *p = &d->peers[m->sender];

	if (p->heard && p->mismatch != mismatch)
		cmm_logf(d->log, mismatch ? CMM_LOG_WARN : CMM_LOG_INFO,
		    "node %u: config digest %s ours", m->sender, mismatch ?
		    "now differs from" : "matches");
	p->heard = true;
	p->mismatch = mismatch;
	p->vmin = m->vmin;
	p->vmax = m->vmax;
	p->has_cfgver = (m->ext & CMM_EXT_CONFIG_VERSION) != 0;
	p->config_version = m->config_version;
}

/* ---- receiving ---- */

/* PROBE from `cmm check`: answered here, never shown to the core.  The
 * answer echoes the probe's sequence number in the round fields, and goes
 * to the configured address of the node the probe speaks for, never to
 * where it came from: a forged source address must not make this node
 * reflect traffic at a third party. */
static void
daemon_probe(struct cmm_daemon *d, const struct cmm_msg *m, int link,
    const char *from)
{
	struct cmm_core_status st;
	struct cmm_msg a;
	int n;

	cmm_core_status(d->core, &st);
	memset(&a, 0, sizeof(a));
	a.type = CMM_MSG_PROBE_ACK;
	a.flags = st.member ? CMM_MSGF_MEMBER : 0;
	a.sender = (uint16_t)d->self;
	a.incarnation = st.incarnation;
	a.seq = ++d->seq[m->sender];
	a.epoch = st.epoch;
	a.members = st.members;
	a.row = st.alive;
	a.ballot = m->seq;	/* echoed, so the prober matches its probe */
	daemon_wire_fill(d, &a, m->sender);
	n = cmm_packet_seal(&d->keys, d->cfg->cluster_id, &a, d->buf,
	    sizeof(d->buf));
	/* on the link the probe came in on: `cmm check` probes each one */
	if (n > 0)
		cmm_udp_send_link(d->udp, m->sender, link, d->buf, (size_t)n);
	daemon_rlog(d, DAEMON_RLOG_PROBE, CMM_LOG_INFO, m->sender, from, NULL);
}

static void
daemon_drop(struct cmm_daemon *d, enum cmm_drop why, int sender,
    const struct sockaddr *from, const char *detail)
{
	char addr[80];

	d->drops[why]++;
	cmm_addr_format(from, addr, sizeof(addr));
	/* a digest or a version that differs is an operator's business;
	 * the rest is noise or an attack, counted in status */
	daemon_rlog(d, (int)why, why == CMM_DROP_CONFIG ||
	    why == CMM_DROP_VERSION ? CMM_LOG_WARN : CMM_LOG_INFO, sender,
	    addr, detail);
}

/* A datagram that passed the MAC and the window but carries another
 * config digest: counted, and its header goes to the split-brain alarm
 * only (docs/PROTOCOL.md "Config digest"). */
static void
daemon_recv_foreign(struct cmm_daemon *d, const struct cmm_msg *m,
    const struct sockaddr *from)
{
	char ours[2 * CMM_DIGEST_LEN + 1], theirs[2 * CMM_DIGEST_LEN + 1];
	char detail[160];

	cmm_digest_hex(d->cfg->core.digest, ours);
	cmm_digest_hex(m->digest, theirs);
	snprintf(detail, sizeof(detail), "node %u has config digest %s, ours "
	    "is %s", m->sender, theirs, ours);
	daemon_drop(d, CMM_DROP_CONFIG, m->sender, from, detail);
	if (m->type == CMM_MSG_PROBE || m->type == CMM_MSG_PROBE_ACK ||
	    !cmm_set_has(&d->cfg->core.configured, m->sender) ||
	    m->sender == d->self)
		return;
	daemon_wire_heard(d, m, true);
	cmm_core_on_foreign(d->core, cmm_daemon_now(d), m);
	daemon_arm(d);
}

/* Fault injection on one link of several: the cut must be seen before
 * the window moves, or a cut link's copy arriving first would make the
 * good link's copy a duplicate.  The sender is known only once the MAC
 * verified, so the datagram is opened once without a window; this costs
 * a second MAC check only while a link is cut. */
static bool
daemon_cut_before_window(struct cmm_daemon *d, int link, const uint8_t *buf,
    size_t len)
{
	struct cmm_rx peek = d->rx;
	struct cmm_msg m;
	enum cmm_drop why;

	if (!cmm_udp_any_cut(d->udp))
		return false;
	peek.replay = NULL;
	peek.probes = NULL;
	why = cmm_packet_open(&peek, buf, len, &m);
	if (why != CMM_DROP_NONE && why != CMM_DROP_CONFIG)
		return false;
	return cmm_udp_cut_in(d->udp, m.sender, link);
}

static void
daemon_recv(void *ctx, int link, const uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen)
{
	struct cmm_daemon *d = ctx;
	struct cmm_msg m;
	enum cmm_drop why;
	int64_t now;
	char addr[80];

	(void)fromlen;
	if (d->exiting)
		return;
	/* fault injection: a cut link loses everything, probes included */
	if (daemon_cut_before_window(d, link, buf, len))
		return;
	why = cmm_packet_open_link(&d->rx, link, buf, len, &m);
	/* another link's copy: authentic, so that link works; the first
	 * copy went on to the core, this one goes no further */
	if (why == CMM_DROP_DUPLICATE) {
		d->drops[why]++;
		if (m.sender != d->self &&
		    cmm_set_has(&d->cfg->core.configured, m.sender))
			cmm_links_heard(d->links, m.sender, link,
			    cmm_daemon_now(d), m.type == CMM_MSG_HEARTBEAT,
			    true);
		return;
	}
	/* (m is filled for NONE and CONFIG only) */
	if (why != CMM_DROP_NONE && why != CMM_DROP_CONFIG) {
		daemon_drop(d, why, -1, from, NULL);
		return;
	}
	if (why == CMM_DROP_CONFIG) {
		daemon_recv_foreign(d, &m, from);
		return;
	}
	if (!cmm_set_has(&d->cfg->core.configured, m.sender)) {
		daemon_drop(d, CMM_DROP_MALFORMED, m.sender, from,
		    "sender is not a configured node");
		return;
	}
	if (m.sender == d->self) {
		d->drops[CMM_DROP_MALFORMED]++;
		daemon_rlog(d, DAEMON_RLOG_OWN_ID, CMM_LOG_WARN, m.sender,
		    cmm_addr_format(from, addr, sizeof(addr)), NULL);
		return;
	}
	if (m.type == CMM_MSG_PROBE) {
		daemon_probe(d, &m, link, cmm_addr_format(from, addr,
		    sizeof(addr)));
		return;
	}
	if (m.type == CMM_MSG_PROBE_ACK)
		return;
	daemon_wire_heard(d, &m, false);
	now = cmm_daemon_now(d);
	cmm_links_heard(d->links, m.sender, link, now,
	    m.type == CMM_MSG_HEARTBEAT, false);
	if (m.type == CMM_MSG_HEARTBEAT)
		daemon_hb_record(d, m.sender, now);
	cmm_core_on_packet(d->core, now, &m);
	daemon_arm(d);
}

/* A port-unreachable for a datagram to a peer's address (fast_fail):
 * the core probes the peer.  One for any other address is counted and
 * reported, rate-limited, like a dropped datagram. */
static void
daemon_unreach(void *ctx, int link, int id, const struct sockaddr *to)
{
	struct cmm_daemon *d = ctx;
	char addr[80];

	(void)link;
	if (d->exiting)
		return;
	if (id < 0 || id == d->self ||
	    !cmm_set_has(&d->cfg->core.configured, id)) {
		daemon_rlog(d, DAEMON_RLOG_UNREACH, CMM_LOG_INFO, -1,
		    cmm_addr_format(to, addr, sizeof(addr)), NULL);
		return;
	}
	cmm_core_on_unreachable(d->core, cmm_daemon_now(d), id);
	daemon_arm(d);
}

/* ---- redundant links ---- */

static void
daemon_link_change(void *ctx, int peer, int link, bool up)
{
	struct cmm_daemon *d = ctx;
	struct cmm_note n = { .type = CMM_NOTE_LINK, .drop_sender = -1,
	    .uid = -1, .link_peer = peer, .link = link, .link_up = up,
	    .text = d->cfg->node[peer].link[link].address };

	/* with one link the link is the node: the failure detector says
	 * all there is to say */
	if (d->cfg->n_links < 2)
		return;
	/* not a reconfiguration: the core still hears the peer on the
	 * others (docs/PROTOCOL.md "Redundant links") */
	cmm_logf(d->log, up ? CMM_LOG_INFO : CMM_LOG_WARN, "link %d to node %d "
	    "(%s) %s", link, peer, d->cfg->node[peer].link[link].address, up ?
	    "up" : "down: nothing heard on it for the failure timeout");
	daemon_note(d, &n);
}

/* ---- effects ---- */

static void
daemon_send(struct cmm_daemon *d, const struct cmm_set *to,
    const struct cmm_msg *msg)
{
	struct cmm_msg m = *msg;

	for (int i = cmm_set_next(to, 0); i >= 0; i = cmm_set_next(to, i + 1)) {
		int n;

		if (i == d->self)
			continue;
		/* a rising sequence per destination keeps every receiver's
		 * replay window dense, whatever the cluster size */
		m.seq = ++d->seq[i];
		daemon_wire_fill(d, &m, i);
		n = cmm_packet_seal(&d->keys, d->cfg->cluster_id, &m, d->buf,
		    sizeof(d->buf));
		if (n < 0) {
			cmm_logf(d->log, CMM_LOG_ERROR, "cannot encode a %s for "
			    "node %d", cmm_msg_type_name(m.type), i);
			continue;
		}
		/* said, rate-limited: a node whose sends all fail (a full
		 * neighbour table: ENOBUFS) otherwise just never hears back */
		if (cmm_udp_send(d->udp, i, d->buf, (size_t)n) < 0) {
			const char *why = strerror(errno);
			char peer[32];

			snprintf(peer, sizeof(peer), "node %d", i);
			daemon_rlog(d, DAEMON_RLOG_SEND, CMM_LOG_WARN, i, peer,
			    why);
		}
	}
}

static int
daemon_persist(struct cmm_daemon *d, const struct cmm_persist *p,
    bool flush_later)
{
	char err[512];

	if (d->state == NULL &&
	    (d->state = cmm_state_file_new(d->state_dir, err, sizeof(err))) ==
	    NULL) {
		cmm_logf(d->log, CMM_LOG_ERROR, "persist failed: %s", err);
		return -1;
	}
	d->flush_owed |= flush_later;
	switch ((flush_later ? cmm_state_file_write : cmm_state_file_save)(
	    d->state, p, err, sizeof(err))) {
	case 0:
		return 0;
	case 1:
		cmm_logf(d->log, CMM_LOG_WARN, "state: %s", err);
		return 0;
	default:
		cmm_logf(d->log, CMM_LOG_ERROR, "persist failed: %s", err);
		return -1;
	}
}

/* A commit the core let announce before its flush (docs/PROTOCOL.md
 * "Durability") reaches the disk before a device operation, before the
 * next record (the state file flushes it first), by flush_timer at the
 * latest, and on the way out.  When the disk fails the flush, the core
 * is told once it has returned (daemon_arm: it is not re-entered from
 * its own effects) and stops taking part, as after any failed write; no
 * device operation goes out meanwhile.  False: the flush failed. */
static bool
daemon_state_flush(struct cmm_daemon *d)
{
	char err[512];

	if (d->state == NULL ||
	    cmm_state_file_flush(d->state, err, sizeof(err)) == 0)
		return !d->flush_failed;
	cmm_logf(d->log, CMM_LOG_ERROR, "persist failed: %s", err);
	d->flush_failed = true;
	return false;
}

static void
daemon_history_sync(struct cmm_daemon *d)
{
	char err[512];

	if (d->history != NULL &&
	    cmm_history_flush(d->history, err, sizeof(err)) < 0)
		cmm_logf(d->log, CMM_LOG_ERROR, "history: %s", err);
}

static void
daemon_history(struct cmm_daemon *d, enum cmm_hist_kind kind, long uid,
    const char *reason)
{
	struct cmm_hist_rec r;
	struct cmm_core_status st;
	char err[512];

	cmm_core_status(d->core, &st);
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.epoch = st.epoch;
	r.members = st.members;
	r.time_ms = daemon_clock_ns(CLOCK_REALTIME) / 1000000;
	r.uid = (int32_t)uid;
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	/* Written now, synced a little later: a commit's record is made
	 * while the other nodes of a cluster whose disks are shared (or
	 * slow) still write their state for the same round, and a flush of
	 * the history queued ahead of theirs delays their commits.  The
	 * state file, not the history, is what the protocol relies on. */
	if (d->history == NULL &&
	    (d->history = cmm_history_new(d->state_dir, err, sizeof(err))) ==
	    NULL) {
		cmm_logf(d->log, CMM_LOG_ERROR, "history: %s", err);
		return;
	}
	if (cmm_history_add(d->history, &r, err, sizeof(err)) < 0) {
		cmm_logf(d->log, CMM_LOG_ERROR, "history: %s", err);
		return;
	}
	if (d->hist_timer == NULL) {
		daemon_history_sync(d);	/* no loop yet (or any more) */
	} else if (!evtimer_pending(d->hist_timer, NULL)) {
		struct timeval tv = { 0, DAEMON_HIST_SYNC_MS * 1000 };

		evtimer_add(d->hist_timer, &tv);
	}
}

static void
daemon_hist_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_history_sync(arg);
}

/* Reports a device request that could not even be queued, from the loop
 * and not from inside the effect (the core does not expect re-entry). */
struct daemon_devfail {
	struct cmm_daemon	*d;
	uint32_t		id;
};

static void
daemon_devfail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_devfail *f = arg;
	struct cmm_daemon *d = f->d;
	struct cmm_devres res;

	(void)fd;
	(void)what;
	memset(&res, 0, sizeof(res));
	res.status = CMM_DEV_IO;
	cmm_core_on_device_result(d->core, cmm_daemon_now(d), f->id, &res);
	free(f);
	daemon_arm(d);
}

/* " ballot A/C" for the slot operations, " departed SET" for a fence */
static void
daemon_devop_detail(const struct cmm_devop *op, char *buf, size_t len)
{
	char set[256];

	buf[0] = '\0';
	if (op->op == CMM_DEVOP_PROMISE || op->op == CMM_DEVOP_ACCEPT)
		snprintf(buf, len, " ballot %u/%d", cmm_ballot_attempt(op->ballot),
		    cmm_ballot_coord(op->ballot));
	else if (op->op == CMM_DEVOP_FENCE) {
		cmm_set_format(&op->departed, set, sizeof(set));
		snprintf(buf, len, " departed %s", set);
	}
}

static void
daemon_device(struct cmm_daemon *d, const struct cmm_devreq *q)
{
	const char *name = q->device >= 0 && q->device < d->cfg->core.n_devices ?
	    d->cfg->core.devices[q->device].name : "?";
	const struct cmm_devop *op = &q->op;
	bool slot = op->op == CMM_DEVOP_PROMISE || op->op == CMM_DEVOP_ACCEPT;
	char detail[300];

	daemon_devop_detail(op, detail, sizeof(detail));
	cmm_logf(d->log, CMM_LOG_DEBUG, "device %s: %s node %d %s %u%s "
	    "(request %u)", name, cmm_dev_op_name(op->op), op->node,
	    slot ? "instance" : "epoch", op->epoch, detail, q->id);
	/* a device never holds more than the disk */
	if (!daemon_state_flush(d) || cmm_devworker_submit(d->dw, q) < 0) {
		struct daemon_devfail *f = malloc(sizeof(*f));

		cmm_logf(d->log, CMM_LOG_ERROR, "device %s: request %u %s", name,
		    q->id, d->flush_failed ? "not sent: the state it follows "
		    "is not on the disk" : "could not be queued");
		if (f == NULL)
			return;
		f->d = d;
		f->id = q->id;
		if (event_base_once(d->base, -1, EV_TIMEOUT, daemon_devfail_cb, f,
		    NULL) < 0)
			free(f);
	}
}

static void
daemon_dev_done(void *ctx, uint32_t id, const struct cmm_devres *res,
    const char *msg, bool late)
{
	struct cmm_daemon *d = ctx;
	enum cmm_dev_status st = res->status;
	/* the rules refusing is the protocol at work; a broken device is not */
	bool trouble = st == CMM_DEV_IO || st == CMM_DEV_CORRUPT;

	if (late) {
		cmm_logf(d->log, CMM_LOG_WARN, "device request %u answered after "
		    "its time limit (%s%s%s); ignored", id, cmm_dev_status_name(st),
		    msg[0] != '\0' ? ": " : "", msg);
		return;
	}
	if (d->exiting)
		return;
	if (st == CMM_DEV_OK)
		cmm_logf(d->log, CMM_LOG_DEBUG, "device request %u: ok", id);
	else
		cmm_logf(d->log, trouble ? CMM_LOG_WARN : CMM_LOG_INFO,
		    "device request %u: %s%s%s (device epoch %u, committed %u, "
		    "slot instance %u)", id, cmm_dev_status_name(st),
		    msg[0] != '\0' ? ": " : "", msg, res->epoch,
		    res->committed_epoch, res->slot_instance);
	cmm_core_on_device_result(d->core, cmm_daemon_now(d), id, res);
	daemon_arm(d);
}

static void
daemon_hook_report(void *ctx, int warn, const char *line)
{
	struct cmm_daemon *d = ctx;
	struct cmm_note n = { .type = CMM_NOTE_HOOK, .drop_sender = -1,
	    .uid = -1, .text = line };

	cmm_logf(d->log, warn ? CMM_LOG_WARN : CMM_LOG_INFO, "%s", line);
	daemon_note(d, &n);
	/* the last hook of a node on its way out is done */
	if (d->draining_hooks && cmm_hook_busy(d->hook) == 0)
		event_base_loopexit(d->base, NULL);
}

static void
daemon_prompt(struct cmm_daemon *d, const struct cmm_effect *fx)
{
	const struct cmm_prompt *p = fx->u.prompt;
	struct cmm_note n = { .type = CMM_NOTE_PROMPT, .fx = fx,
	    .drop_sender = -1, .uid = -1 };
	struct cmm_core_status st;

	d->prompt = *p;
	snprintf(d->prompt_why, sizeof(d->prompt_why), "%s",
	    p->why != NULL ? p->why : "");
	d->prompt.why = d->prompt_why;
	if (p->kind == CMM_PROMPT_NONE) {
		cmm_logf(d->log, CMM_LOG_INFO, "prompt closed: %s", d->prompt_why);
	} else if (p->kind == CMM_PROMPT_WINNER) {
		cmm_logf(d->log, CMM_LOG_WARN, "PROMPT: which node wins, %d or %d? "
		    "(%s) answer with: cmm ctl -s %s answer winner N",
		    p->choice[0], p->choice[1], d->prompt_why, d->sock_path);
	} else {
		cmm_logf(d->log, CMM_LOG_WARN, "PROMPT: is this node isolated? "
		    "(%s) answer with: cmm ctl -s %s answer isolated|not-isolated",
		    d->prompt_why, d->sock_path);
	}
	n.text = d->prompt_why;
	daemon_note(d, &n);
	if (p->kind != CMM_PROMPT_NONE) {
		cmm_core_status(d->core, &st);
		cmm_hook_run(d->hook, "prompt", d->self, st.epoch, &st.members,
		    NULL, NULL, p->kind == CMM_PROMPT_WINNER ? "winner" :
		    "isolation");
	}
}

/* ---- watchdog self-fencing (src/node/watchdog.h) ---- */

/*
 * Whether the node may pet its watchdog now (docs/PROTOCOL.md "Watchdog
 * self-fencing"): only as a quorate member that heard every member of its
 * configuration within the failure timeout.  A refused registration or a
 * failed fence drops membership in the core, so "member" also says its
 * registrations hold.  Hearing every member is checked here, on this
 * clock, rather than waiting for a round to declare a loss: what this
 * node hears from a member that learned a configuration without it tells
 * it it is out, so its last pet comes at most a failure timeout after the
 * first member learned that -- the bound the others wait out
 * (src/core/core_learn.c, commit_wd_wait).  A member failing stops the
 * pets of all until the configuration without it is learned.
 */
static bool
daemon_wd_may_pet(void *ctx, int64_t mono, const char **why)
{
	struct cmm_daemon *d = ctx;
	struct cmm_core_status st;
	struct cmm_set heard;
	int64_t now = cmm_daemon_now(d), ft = d->cfg->core.failure_timeout_ms;

	(void)mono;
	if (d->exiting) {
		*why = "the node is stopping";
		return false;
	}
	cmm_core_status(d->core, &st);
	if (!st.member || (st.state != CMM_ST_MEMBER &&
	    st.state != CMM_ST_RECONFIGURING && st.state != CMM_ST_LEAVING &&
	    st.state != CMM_ST_AWAITING_OPERATOR)) {
		*why = "not a quorate member";
		return false;
	}
	if (st.quorum_pending) {
		*why = "awaiting the operator: no quorum yet";
		return false;
	}
	cmm_set_clear(&heard);
	cmm_set_add(&heard, d->self);
	for (int q = cmm_set_next(&st.members, 0); q >= 0;
	    q = cmm_set_next(&st.members, q + 1)) {
		struct cmm_peer_info pi;

		cmm_core_peer(d->core, q, &pi);
		if (pi.last_heard >= 0 && now - pi.last_heard < ft)
			cmm_set_add(&heard, q);
	}
	if (!cmm_set_eq(&heard, &st.members)) {
		*why = "a member of its configuration is silent";
		return false;
	}
	return true;
}

/* Armed when the node first becomes a member (watchdog.h says why not at
 * start).  A member that cannot arm it must not go on as one. */
static void
daemon_wd_arm(struct cmm_daemon *d)
{
	struct cmm_core_status st;
	char err[512];

	if (d->wd == NULL || d->exiting || d->wd_armed)
		return;
	cmm_core_status(d->core, &st);
	if (!st.member)
		return;
	d->wd_armed = true;
	if (cmm_watchdog_arm(d->wd, err, sizeof(err)) == 0)
		return;
	cmm_logf(d->log, CMM_LOG_ERROR, "%s; a member that cannot fence "
	    "itself must not run: exiting", err);
	d->exit_code = 1;
	d->exiting = true;
	event_base_loopexit(d->base, NULL);
}

static void
daemon_event(struct cmm_daemon *d, const struct cmm_effect *fx)
{
	const struct cmm_event *e = fx->u.event;
	struct cmm_note n = { .type = CMM_NOTE_EVENT, .fx = fx,
	    .drop_sender = -1, .uid = -1, .text = e->text };
	struct cmm_set none;

	cmm_set_clear(&none);
	cmm_logf(d->log, e->type == CMM_EV_SPLIT_BRAIN ? CMM_LOG_ERROR :
	    e->type == CMM_EV_NO_QUORUM || (e->type == CMM_EV_FENCE &&
	    e->unfenced) || (e->type == CMM_EV_ANSWER && e->timed_out) ?
	    CMM_LOG_WARN : CMM_LOG_INFO, "%s", e->text != NULL ? e->text :
	    "(event)");
	/* the listeners first: the state is written already (on the disk,
	 * or for the fast path's commit flushed within CMM_FLUSH_LATER_MS:
	 * docs/PROTOCOL.md "Durability"), and the history's own fsync is
	 * bookkeeping, not part of the commit */
	daemon_note(d, &n);
	switch (e->type) {
	case CMM_EV_COMMIT:
		/* the state is written already (persist before announcing);
		 * the history line is the operator's record of it */
		cmm_hook_run(d->hook, "commit", d->self, e->epoch, &e->members,
		    &e->departed, &e->joined, NULL);
		daemon_history(d, CMM_HIST_COMMIT, -1, e->text != NULL ? e->text :
		    "commit");
		break;
	case CMM_EV_NO_QUORUM:
		cmm_hook_run(d->hook, "no-quorum", d->self, e->epoch, &e->members,
		    &e->departed, &none, NULL);
		break;
	case CMM_EV_FENCE:
		/* a departure nothing fenced is its own event: a hook that
		 * acts on "fence" must not believe the node is cut off */
		cmm_hook_run(d->hook, e->unfenced ? "not-fenced" : "fence",
		    d->self, e->epoch, &e->members, &e->departed, &none, NULL);
		break;
	case CMM_EV_ANSWER:
		/* a policy that answered a timed-out prompt is recorded like
		 * an operator's answer (the operator's own is recorded with
		 * its uid where the command ran) */
		if (e->timed_out)
			daemon_history(d, CMM_HIST_ANSWER, -1, e->text != NULL ?
			    e->text : "prompt timed out");
		break;
	case CMM_EV_SPLIT_BRAIN:
		/* never silent: the log (error), the history, a hook, and
		 * the console's banner through the event stream */
		daemon_history(d, CMM_HIST_ALARM, -1, e->text != NULL ? e->text :
		    "split brain");
		cmm_hook_run(d->hook, "split-brain", d->self, e->epoch,
		    &e->members, &e->departed, &none, NULL);
		break;
	default:
		break;
	}
	daemon_wd_arm(d);
}

static int
daemon_emit(void *ctx, const struct cmm_effect *fx)
{
	struct cmm_daemon *d = ctx;

	switch (fx->type) {
	case CMM_FX_SEND:
		daemon_send(d, fx->u.send.to, fx->u.send.msg);
		return 0;
	case CMM_FX_PERSIST:
		return daemon_persist(d, fx->u.persist, fx->flush_later);
	case CMM_FX_DEVICE:
		daemon_device(d, fx->u.dev);
		return 0;
	case CMM_FX_PROMPT:
		daemon_prompt(d, fx);
		return 0;
	case CMM_FX_EVENT:
		daemon_event(d, fx);
		return 0;
	case CMM_FX_LOG:
		cmm_logf(d->log, fx->u.log.level, "%s", fx->u.log.text);
		return 0;
	case CMM_FX_HALT:
		cmm_logf(d->log, CMM_LOG_ERROR, "quorum lost and on_quorum_loss = "
		    "halt: exiting with code %d", CMM_EXIT_HALT);
		d->exit_code = CMM_EXIT_HALT;
		d->exiting = true;
		event_base_loopexit(d->base, NULL);
		return 0;
	}
	return 0;
}

/* ---- signals ---- */

static void
daemon_leave_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_daemon *d = arg;

	(void)fd;
	(void)what;
	if (!d->exiting) {
		cmm_logf(d->log, CMM_LOG_INFO, "leave grace period over; exiting");
		d->exiting = true;
		event_base_loopexit(d->base, NULL);
	}
}

static void
daemon_sig_term_cb(evutil_socket_t sig, short what, void *arg)
{
	struct cmm_daemon *d = arg;
	const char *why = NULL;
	int64_t grace;
	struct timeval tv;

	(void)what;
	if (d->leaving) {
		cmm_logf(d->log, CMM_LOG_WARN, "%s again: exiting now",
		    strsignal((int)sig));
		d->exiting = true;
		event_base_loopexit(d->base, NULL);
		return;
	}
	d->leaving = true;
	cmm_logf(d->log, CMM_LOG_INFO, "%s: leaving the cluster",
	    strsignal((int)sig));
	if (cmm_core_leave(d->core, cmm_daemon_now(d), &why) < 0)
		cmm_logf(d->log, CMM_LOG_INFO, "leave: %s", why);
	/* the core repeats its LEAVE on the next heartbeats; wait for that,
	 * but never long */
	grace = 5 * d->cfg->core.heartbeat_ms + 100;
	if (grace > DAEMON_LEAVE_MAX_MS)
		grace = DAEMON_LEAVE_MAX_MS;
	tv.tv_sec = grace / 1000;
	tv.tv_usec = (grace % 1000) * 1000;
	evtimer_add(d->leave_timer, &tv);
	daemon_arm(d);
}

static void
daemon_sig_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct cmm_daemon *d = arg;

	(void)sig;
	(void)what;
	cmm_log_reopen(d->log);
}

/* ---- life cycle ---- */

static struct cmm_daemon *
daemon_fail(struct cmm_daemon *d, int code, int *exit_code)
{
	*exit_code = code;
	cmm_daemon_free(d);
	return NULL;
}

/* A burst of every peer's round messages must fit the socket's receive
 * buffer: say what it got, and loudly when the kernel gave less. */
static void
daemon_size_rcvbuf(struct cmm_daemon *d)
{
	int want = 0, got = 0;
	int rc = cmm_udp_size_rcvbuf(d->udp, d->cfg->n_nodes, &want, &got);

	if (rc < 0)
		cmm_logf(d->log, CMM_LOG_WARN, "receive buffer: cannot size "
		    "it: %s", strerror(errno));
	else if (rc > 0)
		cmm_logf(d->log, CMM_LOG_WARN, "receive buffer: the kernel "
		    "capped it at %d bytes, a burst of %d nodes wants %d (raise "
		    "net.core.rmem_max, or give the node CAP_NET_ADMIN); "
		    "datagrams it drops are counted as overflow", got,
		    d->cfg->n_nodes, want);
	else
		cmm_logf(d->log, CMM_LOG_INFO, "receive buffer: %d bytes (%d "
		    "nodes)", got, d->cfg->n_nodes);
}

struct cmm_daemon *
cmm_daemon_new(const struct cmm_daemon_opts *o, char *err, size_t errlen,
    int *exit_code)
{
	struct cmm_daemon *d = calloc(1, sizeof(*d));
	struct cmm_persist loaded;
	const char *paths[CMM_MAX_DEVICES];
	struct cmm_addr binds[CMM_LINKS_MAX];
	struct event_config *evcfg;
	char moved[CMM_CFG_PATH_MAX + 32];
	uint64_t seed;
	int rc;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		*exit_code = 1;
		return NULL;
	}
	d->opts = *o;
	d->self = o->id;
	d->cfg = calloc(1, sizeof(*d->cfg));
	d->replay = calloc(1, sizeof(*d->replay));
	d->probe_replay = calloc(1, sizeof(*d->probe_replay));
	d->peers = calloc(CMM_MAX_NODES, sizeof(*d->peers));
	d->seq = calloc(CMM_MAX_NODES, sizeof(*d->seq));
	d->hb = calloc(CMM_MAX_NODES, sizeof(*d->hb));
	if (d->cfg == NULL || d->replay == NULL || d->probe_replay == NULL ||
	    d->peers == NULL || d->seq == NULL || d->hb == NULL) {
		snprintf(err, errlen, "out of memory");
		return daemon_fail(d, 1, exit_code);
	}
	cmm_replay_init(d->replay);
	cmm_replay_init(d->probe_replay);

	/* config, key, state: an operator's mistake is exit code 2 */
	if (cmm_config_load(o->config_path, d->cfg, err, errlen) < 0 ||
	    cmm_config_check_id(d->cfg, o->id, err, errlen) < 0)
		return daemon_fail(d, 2, exit_code);
	if (cmm_config_state_dir(d->cfg, o->id, d->state_dir,
	    sizeof(d->state_dir)) < 0 ||
	    cmm_config_socket(d->cfg, o->id, d->sock_path,
	    sizeof(d->sock_path)) < 0) {
		snprintf(err, errlen, "%s: state_dir or control_socket of node %d "
		    "is too long", o->config_path, o->id);
		return daemon_fail(d, 2, exit_code);
	}
	if (cmm_key_load(d->cfg->key_file, &d->keys, err, errlen) < 0)
		return daemon_fail(d, 2, exit_code);
	/* a hook others may change would run their code as this daemon */
	if (cmm_hook_check(d->cfg->hook, err, errlen) < 0)
		return daemon_fail(d, 2, exit_code);
	if (cmm_config_digest(d->cfg, &d->keys) < 0) {
		snprintf(err, errlen, "out of memory");
		return daemon_fail(d, 1, exit_code);
	}
	d->rx.keys = &d->keys;
	d->rx.cluster_id = d->cfg->cluster_id;
	d->rx.self = o->id;
	d->rx.digest = d->cfg->core.digest;
	d->rx.replay = d->replay;
	d->rx.probes = d->probe_replay;
	{
		char id[32];

		snprintf(id, sizeof(id), "node %d", o->id);
		d->log = cmm_log_new(id, o->use_syslog, o->log_level);
		if (d->log == NULL) {
			snprintf(err, errlen, "out of memory");
			return daemon_fail(d, 1, exit_code);
		}
	}
	if (cmm_state_dir_create(d->state_dir, err, errlen) < 0)
		return daemon_fail(d, 2, exit_code);
	if (o->forget_state) {
		if (cmm_state_forget(d->state_dir, moved, sizeof(moved), err,
		    errlen) < 0)
			return daemon_fail(d, 2, exit_code);
		if (moved[0] != '\0')
			cmm_logf(d->log, CMM_LOG_WARN, "--forget-state: the old "
			    "state is kept as %s", moved);
	}
	rc = cmm_state_load(d->state_dir, &loaded, err, errlen);
	if (rc < 0)
		return daemon_fail(d, 2, exit_code);
	/* a state learned under another quorum-relevant config could let
	 * this node count a quorum its peers do not (docs/PROTOCOL.md
	 * "Config changes") */
	if (rc == 0) {
		int drift = cmm_config_drift(d->cfg, &loaded, err, errlen);

		if (drift < 0)
			return daemon_fail(d, 2, exit_code);
		if (drift > 0)
			cmm_logf(d->log, CMM_LOG_WARN, "%s", err);
		err[0] = '\0';
	}
	if (rc == 1) {
		/* A fresh node (or one whose state was forgotten) starts its
		 * incarnations at the clock, so it still counts above whatever
		 * its peers remember of an earlier life of this id: a lower
		 * incarnation would be dropped as a replay. */
		memset(&loaded, 0, sizeof(loaded));
		loaded.incarnation = (uint32_t)time(NULL);
		/* a forgotten state may have promised or accepted something:
		 * abstain until a configuration chosen after this start */
		if (o->forget_state && moved[0] != '\0') {
			loaded.abstain = CMM_ABSTAIN_UNKNOWN;
			cmm_logf(d->log, CMM_LOG_WARN, "--forget-state: this node "
			    "takes no part as an acceptor until it is taken back "
			    "into a configuration");
		}
	}

	/* timers to the microsecond (timerfd), not rounded up to the next
	 * millisecond: every node's failure timeout expires on time */
	evcfg = event_config_new();
	if (evcfg != NULL) {
		event_config_set_flag(evcfg, EVENT_BASE_FLAG_PRECISE_TIMER);
		d->base = event_base_new_with_config(evcfg);
		event_config_free(evcfg);
	}
	if (d->base == NULL) {
		snprintf(err, errlen, "event_base_new failed");
		return daemon_fail(d, 1, exit_code);
	}
	cmm_log_set_tap(d->log, daemon_log_tap, d);
	d->timer = evtimer_new(d->base, daemon_timer_cb, d);
	d->leave_timer = evtimer_new(d->base, daemon_leave_timeout_cb, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, daemon_sig_term_cb, d);
	d->sig_int = evsignal_new(d->base, SIGINT, daemon_sig_term_cb, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, daemon_sig_hup_cb, d);
	d->rlog_timer = evtimer_new(d->base, daemon_rlog_timer_cb, d);
	d->hist_timer = evtimer_new(d->base, daemon_hist_timer_cb, d);
	d->flush_timer = evtimer_new(d->base, daemon_flush_timer_cb, d);
	d->nq = cmm_noteq_new(DAEMON_NOTE_QUEUE);
	d->note_ev = evtimer_new(d->base, daemon_notes_cb, d);
	if (d->timer == NULL || d->leave_timer == NULL || d->sig_term == NULL ||
	    d->rlog_timer == NULL || d->hist_timer == NULL || d->nq == NULL ||
	    d->flush_timer == NULL ||
	    d->note_ev == NULL ||
	    d->sig_int == NULL || d->sig_hup == NULL ||
	    evsignal_add(d->sig_term, NULL) < 0 ||
	    evsignal_add(d->sig_int, NULL) < 0 ||
	    evsignal_add(d->sig_hup, NULL) < 0) {
		snprintf(err, errlen, "cannot set up the event loop");
		return daemon_fail(d, 1, exit_code);
	}
	/* a control client that hangs up must not kill the node */
	signal(SIGPIPE, SIG_IGN);

	/* one socket per link (docs/ARCHITECTURE.md "Redundant links") */
	for (int k = 0; k < d->cfg->n_links; k++) {
		memcpy(&binds[k].ss, &d->cfg->node[o->id].link[k].sa,
		    sizeof(binds[k].ss));
		binds[k].len = d->cfg->node[o->id].link[k].salen;
	}
	d->udp = cmm_udp_new(d->base, binds, d->cfg->n_links, daemon_recv, d,
	    err, errlen);
	d->links = cmm_links_new(d->cfg->n_links,
	    d->cfg->core.failure_timeout_ms);
	if (d->udp == NULL)
		return daemon_fail(d, 1, exit_code);
	/* fast crash detection: the kernel's port-unreachables */
	if (d->cfg->core.fast_fail != CMM_FAST_FAIL_NO &&
	    cmm_udp_on_unreachable(d->udp, daemon_unreach, err, errlen) < 0)
		return daemon_fail(d, 1, exit_code);
	if (d->links == NULL) {
		snprintf(err, errlen, "out of memory");
		return daemon_fail(d, 1, exit_code);
	}
	for (int i = cmm_set_next(&d->cfg->core.configured, 0); i >= 0;
	    i = cmm_set_next(&d->cfg->core.configured, i + 1)) {
		for (int k = 0; k < d->cfg->n_links; k++) {
			struct cmm_addr a;

			memcpy(&a.ss, &d->cfg->node[i].link[k].sa, sizeof(a.ss));
			a.len = d->cfg->node[i].link[k].salen;
			cmm_udp_set_peer(d->udp, i, k, &a);
		}
		if (i != o->id) {
			if (cmm_links_add_peer(d->links, i) < 0) {
				snprintf(err, errlen, "out of memory");
				return daemon_fail(d, 1, exit_code);
			}
			d->hb[i] = calloc(1, sizeof(*d->hb[i]));
			if (d->hb[i] == NULL) {
				snprintf(err, errlen, "out of memory");
				return daemon_fail(d, 1, exit_code);
			}
		}
	}
	daemon_size_rcvbuf(d);

	for (int i = 0; i < d->cfg->core.n_devices; i++)
		paths[i] = !cmm_set_has(&d->cfg->core.devices[i].nodes, o->id) ?
		    NULL : d->cfg->device_arbiter[i].present ?
		    d->cfg->device_arbiter[i].address : d->cfg->device_path[i];
	{
		struct cmm_devfile_key dk;

		/* device records are authenticated with the dev subkey */
		cmm_devkey_init(&dk, d->keys.dev);
		d->dw = cmm_devworker_new(d->base, d->cfg->core.n_devices,
		    paths, &dk, DAEMON_DEVICE_LIMIT_MS, daemon_dev_done, d, err,
		    errlen);
		explicit_bzero(&dk, sizeof(dk));
	}
	if (d->dw == NULL)
		return daemon_fail(d, 1, exit_code);
	/* the same device operations, carried to a `cmm arbiter` */
	for (int i = 0; i < d->cfg->core.n_devices; i++) {
		const struct cmm_dev_arbiter *a = &d->cfg->device_arbiter[i];

		if (paths[i] != NULL && a->present &&
		    cmm_devworker_set_arbiter(d->dw, i,
		    (const struct sockaddr *)&a->sa, a->salen,
		    d->cfg->cluster_id, d->cfg->core.devices[i].name) < 0) {
			snprintf(err, errlen, "device %s: cannot set up its "
			    "arbiter", d->cfg->core.devices[i].name);
			return daemon_fail(d, 1, exit_code);
		}
	}
	d->hook = cmm_hook_new(d->base, d->cfg->hook, DAEMON_HOOK_LIMIT_MS,
	    daemon_hook_report, d);
	d->metrics = cmm_metrics_new(d);
	if (d->hook == NULL || d->metrics == NULL) {
		snprintf(err, errlen, "cannot set up the hook runner and metrics");
		return daemon_fail(d, 1, exit_code);
	}
	cmm_hook_set_cluster(d->hook, d->cfg->name);
	if (d->cfg->node[d->self].metrics_line > 0) {
		d->metrics_http = cmm_metrics_http_new(d,
		    d->cfg->node[d->self].metrics_host,
		    d->cfg->node[d->self].metrics_port, err, errlen);
		if (d->metrics_http == NULL)
			return daemon_fail(d, 1, exit_code);
	}

	if (d->cfg->watchdog[0] != '\0') {
		char wpath[CMM_CFG_PATH_MAX];
		/* a pet every heartbeat, and at least three per timeout */
		int64_t every = d->cfg->core.watchdog_timeout_ms / 3;

		if (every > d->cfg->core.heartbeat_ms)
			every = d->cfg->core.heartbeat_ms;
		if (cmm_config_watchdog(d->cfg, o->id, wpath, sizeof(wpath)) < 0) {
			snprintf(err, errlen, "%s: watchdog of node %d is too long",
			    o->config_path, o->id);
			return daemon_fail(d, 2, exit_code);
		}
		d->wd = cmm_watchdog_new(d->base, wpath,
		    (int)(d->cfg->core.watchdog_timeout_ms / 1000), every,
		    daemon_wd_may_pet, d, d->log, err, errlen);
		if (d->wd == NULL)
			return daemon_fail(d, 2, exit_code);
		/* the members stop petting while a failed member is replaced:
		 * a failure timeout and a round or two */
		if (d->cfg->core.watchdog_timeout_ms < 2 *
		    (d->cfg->core.failure_timeout_ms +
		    d->cfg->core.round_timeout_ms))
			cmm_logf(d->log, CMM_LOG_WARN, "watchdog_timeout_s = %lld "
			    "is under 2 * (failure_timeout_ms + round_timeout_ms)"
			    ": a member's failure may reset the others too",
			    (long long)(d->cfg->core.watchdog_timeout_ms / 1000));
	}

	randombytes_buf(&seed, sizeof(seed));
	d->sink.ctx = d;
	d->sink.emit = daemon_emit;
	d->core = cmm_core_new(&d->cfg->core, o->id, &loaded, &d->sink, seed);
	if (d->core == NULL) {
		snprintf(err, errlen, "cannot create the protocol core for node %d",
		    o->id);
		return daemon_fail(d, 1, exit_code);
	}
	for (int k = 0; k < d->cfg->n_links; k++) {
		size_t used = strlen(d->bound);

		cmm_addr_format((const struct sockaddr *)&binds[k].ss,
		    d->bound + used + (k > 0 ? 2 : 0), sizeof(d->bound) - used -
		    (k > 0 ? 2 : 0));
		if (k > 0)
			memcpy(d->bound + used, ", ", 2);
	}
	*exit_code = 0;
	return d;
}

const char *
cmm_daemon_sock_path(const struct cmm_daemon *d)
{
	return d->sock_path;
}

/* realtime (realtime.h): on this thread, the one that runs the loop; the
 * device workers started already and keep the normal policy. */
static void
daemon_realtime(struct cmm_daemon *d)
{
	struct cmm_rt_status *rt = &d->rt;

	cmm_realtime_apply(d->cfg->realtime, rt);
	if (rt->mode == CMM_RT_NO)
		cmm_logf(d->log, CMM_LOG_INFO, "realtime: off (realtime = no): "
		    "normal priority, memory not locked");
	else if (rt->sched_rr && rt->locked)
		cmm_logf(d->log, CMM_LOG_INFO, "realtime: event loop SCHED_RR "
		    "priority %d, memory locked", rt->priority);
	else
		cmm_logf(d->log, CMM_LOG_WARN, "realtime%s: %s; %s; going on "
		    "without%s", rt->mode == CMM_RT_YES ? " = yes" : "", rt->why,
		    rt->sched_rr ? "event loop SCHED_RR" : rt->locked ?
		    "memory locked" : "normal priority, memory not locked",
		    rt->mode == CMM_RT_YES ? " (status says so)" : " (set "
		    "realtime = no to say it is meant)");
}

/* Separate from cmm_daemon_new so the entry point can open the control
 * socket in between: a node whose socket is taken by a live twin stops
 * before it persists a new incarnation. */
int
cmm_daemon_start(struct cmm_daemon *d, char *err, size_t errlen)
{
	cmm_logf(d->log, CMM_LOG_INFO, "cluster %s: node %d on %s, state in %s, "
	    "control socket %s%s", d->cfg->name, d->self, d->bound,
	    d->state_dir, d->sock_path,
	    d->cfg->fault_injection ? ", fault injection ON" : "");
	daemon_realtime(d);
	if (cmm_core_start(d->core, cmm_daemon_now(d)) < 0) {
		snprintf(err, errlen, "%s: cannot persist the new incarnation",
		    d->state_dir);
		return -1;
	}
	daemon_arm(d);
	/* after the start, so the first STATUS= is this incarnation's */
	if ((d->notify = cmm_notify_new(d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
cmm_daemon_run(struct cmm_daemon *d)
{
	if (event_base_dispatch(d->base) < 0) {
		cmm_logf(d->log, CMM_LOG_ERROR, "event loop failed");
		return 1;
	}
	/* the loop's last callbacks may have left notes waiting */
	daemon_notes_deliver(d);
	if (!d->exiting) {
		cmm_logf(d->log, CMM_LOG_ERROR, "event loop ran out of events");
		return 1;
	}
	/* a stop the operator asked for disarms the watchdog; a halt or a
	 * fatal error leaves it counting: the machine is to be reset */
	if (d->leaving && d->exit_code == 0)
		cmm_watchdog_disarm(d->wd);
	/* a no-quorum hook before a halt, say, must get to run: wait for the
	 * hooks, within their own time limit */
	if (cmm_hook_busy(d->hook) > 0) {
		struct timeval tv = { DAEMON_HOOK_LIMIT_MS / 1000 + 1, 0 };

		cmm_logf(d->log, CMM_LOG_INFO, "waiting for %d hook run(s) to "
		    "finish", cmm_hook_busy(d->hook));
		d->draining_hooks = true;
		evtimer_del(d->timer);
		event_base_loopexit(d->base, &tv);
		event_base_dispatch(d->base);
		daemon_notes_deliver(d);
	}
	return d->exit_code;
}

void
cmm_daemon_free(struct cmm_daemon *d)
{
	if (d == NULL)
		return;
	/* the way out needs no realtime priority, and must not have it: a
	 * test build's leak checker, run at exit by six daemons at once at
	 * SCHED_RR, held both CPUs for the kernel's whole realtime budget
	 * (950 ms), and every other process on the machine waited */
	cmm_realtime_release(&d->rt);
	/* to the listeners still there, before they and the loop go */
	daemon_notes_deliver(d);
	if (d->note_ev != NULL)
		event_free(d->note_ev);
	d->note_ev = NULL;
	cmm_noteq_free(d->nq);
	d->nq = NULL;
	cmm_notify_free(d->notify);
	cmm_watchdog_free(d->wd);
	cmm_metrics_http_free(d->metrics_http);
	cmm_hook_free(d->hook);
	cmm_metrics_free(d->metrics);
	cmm_devworker_free(d->dw);
	cmm_udp_free(d->udp);
	cmm_links_free(d->links);
	cmm_core_free(d->core);
	(void)daemon_state_flush(d);
	cmm_state_file_free(d->state);
	if (d->flush_timer != NULL)
		event_free(d->flush_timer);
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->leave_timer != NULL)
		event_free(d->leave_timer);
	if (d->rlog_timer != NULL)
		event_free(d->rlog_timer);
	if (d->hist_timer != NULL) {
		/* the records of the last 100 ms go to disk on the way out */
		if (evtimer_pending(d->hist_timer, NULL))
			daemon_history_sync(d);
		event_free(d->hist_timer);
		d->hist_timer = NULL;
	}
	cmm_history_free(d->history);
	if (d->sig_term != NULL)
		event_free(d->sig_term);
	if (d->sig_int != NULL)
		event_free(d->sig_int);
	if (d->sig_hup != NULL)
		event_free(d->sig_hup);
	if (d->base != NULL)
		event_base_free(d->base);
	cmm_log_free(d->log);
	cmm_keys_wipe(&d->keys);
	if (d->hb != NULL)
		for (int i = 0; i < CMM_MAX_NODES; i++)
			free(d->hb[i]);
	free(d->hb);
	free(d->seq);
	free(d->peers);
	free(d->probe_replay);
	free(d->replay);
	free(d->cfg);
	free(d);
}

/* ---- accessors ---- */

struct event_base *
cmm_daemon_base(struct cmm_daemon *d)
{
	return d->base;
}

const struct cmm_config *
cmm_daemon_config(const struct cmm_daemon *d)
{
	return d->cfg;
}

const struct cmm_core_cfg *
cmm_daemon_core_cfg(const struct cmm_daemon *d)
{
	return &d->cfg->core;
}

uint32_t
cmm_daemon_epoch(const struct cmm_daemon *d)
{
	return d->core != NULL ? cmm_core_epoch(d->core) : 0;
}

int
cmm_daemon_self(const struct cmm_daemon *d)
{
	return d->self;
}

struct cmm_log *
cmm_daemon_log(struct cmm_daemon *d)
{
	return d->log;
}

static void
daemon_drop_summary(const struct cmm_daemon *d, struct cmm_drop_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = CMM_DROP_SHORT; i <= CMM_DROP_MALFORMED; i++)
		if (i != CMM_DROP_VERSION)
			s->malformed += d->drops[i];
	s->foreign = d->drops[CMM_DROP_FOREIGN];
	s->auth = d->drops[CMM_DROP_AUTH];
	s->replay = d->drops[CMM_DROP_REPLAY];
	s->misdirected = d->drops[CMM_DROP_MISDIRECTED];
	s->config = d->drops[CMM_DROP_CONFIG];
	s->version = d->drops[CMM_DROP_VERSION];
	s->duplicate = d->drops[CMM_DROP_DUPLICATE];
	if (d->udp != NULL) {
		struct cmm_udp_stats us;

		cmm_udp_stats(d->udp, &us);
		s->overflow = us.overflow;
	}
}

void
cmm_daemon_wire_stats(struct cmm_daemon *d, struct cmm_wire_stats *s)
{
	struct cmm_udp_stats us;

	memset(s, 0, sizeof(*s));
	memcpy(s->drops, d->drops, sizeof(s->drops));
	if (d->udp == NULL)
		return;
	cmm_udp_stats(d->udp, &us);
	s->rx = us.rx;
	s->tx = us.tx;
	s->tx_errors = us.tx_errors;
	s->cut_in = us.cut_in;
	s->cut_out = us.cut_out;
	s->overflow = us.overflow;
	s->unreachable = us.unreachable;
	s->unreachable_unknown = us.unreachable_unknown;
}

struct cmm_metrics *
cmm_daemon_metrics(struct cmm_daemon *d)
{
	return d->metrics;
}

static bool
daemon_peer_wire(const struct cmm_daemon *d, int peer,
    struct cmm_peer_wire *out)
{
	const struct daemon_peer *p;

	memset(out, 0, sizeof(*out));
	if (!cmm_set_valid_id(peer))
		return false;
	if (peer == d->self) {
		out->heard = true;
		out->vmin = CMM_PROTO_MIN;
		out->vmax = CMM_PROTO_MAX;
		out->has_config_version = true;
		out->config_version = d->cfg->core.config_version;
		return true;
	}
	p = &d->peers[peer];
	out->heard = p->heard;
	out->mismatch = p->mismatch;
	out->vmin = p->vmin;
	out->vmax = p->vmax;
	out->has_config_version = p->has_cfgver;
	out->config_version = p->config_version;
	return p->heard;
}

static int
daemon_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool
daemon_hb_stats(const struct cmm_daemon *d, int peer,
    struct cmm_hb_stats *out)
{
	int64_t gaps[DAEMON_HB_RING];
	int64_t now = daemon_clock_ns(CLOCK_MONOTONIC) / 1000000;
	int64_t since = (now > d->last_now ? now : d->last_now) -
	    DAEMON_HB_WINDOW_MS;
	const struct hb_ring *r;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (!cmm_set_valid_id(peer) || (r = d->hb[peer]) == NULL)
		return false;
	out->total = r->total;
	out->total_ms = r->total_ms;
	if (r->n < 2)
		return false;
	/* newest first, until an arrival falls out of the window */
	for (int k = 1; k < r->n; k++) {
		int cur = (r->head - k + DAEMON_HB_RING) % DAEMON_HB_RING;
		int prev = (cur - 1 + DAEMON_HB_RING) % DAEMON_HB_RING;

		if (r->t[prev] < since)
			break;
		gaps[n++] = r->t[cur] - r->t[prev];
	}
	if (n == 0)
		return false;
	qsort(gaps, (size_t)n, sizeof(gaps[0]), daemon_cmp64);
	out->n = n;
	out->median_ms = gaps[n / 2];
	out->p90_ms = gaps[(n * 90) / 100];
	out->p99_ms = gaps[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	out->max_ms = gaps[n - 1];
	return true;
}

static const char *
daemon_peer_addr(const struct cmm_daemon *d, int peer)
{
	if (!cmm_set_valid_id(peer) || !d->cfg->node[peer].present)
		return NULL;
	return d->cfg->node[peer].address;
}

/* ---- operator actions ---- */

static int
daemon_operator(struct cmm_daemon *d, long uid, enum cmm_hist_kind kind,
    const char *what, int rc, const char **why)
{
	struct cmm_note n = { .type = CMM_NOTE_OPERATOR, .drop_sender = -1,
	    .uid = uid };
	char line[256];

	if (rc == 0) {
		snprintf(line, sizeof(line), "%s (uid %ld)", what, uid);
		cmm_logf(d->log, CMM_LOG_INFO, "operator: %s", line);
		daemon_history(d, kind, uid, what);
	} else {
		snprintf(line, sizeof(line), "%s (uid %ld) refused: %s", what, uid,
		    *why != NULL ? *why : "?");
		cmm_logf(d->log, CMM_LOG_INFO, "operator: %s", line);
	}
	n.text = line;
	daemon_note(d, &n);
	daemon_arm(d);
	return rc;
}

int
cmm_daemon_join(struct cmm_daemon *d, long uid, const char **why)
{
	int rc = cmm_core_join(d->core, cmm_daemon_now(d), why);

	return daemon_operator(d, uid, CMM_HIST_COMMAND, "join", rc, why);
}

int
cmm_daemon_leave(struct cmm_daemon *d, long uid, const char **why)
{
	int rc = cmm_core_leave(d->core, cmm_daemon_now(d), why);

	return daemon_operator(d, uid, CMM_HIST_COMMAND, "leave", rc, why);
}

int
cmm_daemon_reconfigure(struct cmm_daemon *d, long uid, const char **why)
{
	int rc = cmm_core_reconfigure(d->core, cmm_daemon_now(d), why);

	return daemon_operator(d, uid, CMM_HIST_COMMAND, "reconfigure", rc, why);
}

int
cmm_daemon_force_quorum(struct cmm_daemon *d, long uid,
    const struct cmm_set *dead, const char **why)
{
	char what[160], dl[96];
	int rc = cmm_core_force_quorum(d->core, cmm_daemon_now(d), dead, why);

	cmm_set_format(dead, dl, sizeof(dl));
	snprintf(what, sizeof(what), "force-quorum dead %s", dl);
	return daemon_operator(d, uid, CMM_HIST_COMMAND, what, rc, why);
}

int
cmm_daemon_answer_isolation(struct cmm_daemon *d, long uid, bool isolated,
    const char **why)
{
	int rc = cmm_core_answer_isolation(d->core, cmm_daemon_now(d), isolated,
	    why);

	return daemon_operator(d, uid, CMM_HIST_ANSWER, isolated ?
	    "answer isolated" : "answer not-isolated", rc, why);
}

int
cmm_daemon_answer_winner(struct cmm_daemon *d, long uid, int winner,
    const char **why)
{
	char what[48];
	int rc = cmm_core_answer_winner(d->core, cmm_daemon_now(d), winner, why);

	snprintf(what, sizeof(what), "answer winner %d", winner);
	return daemon_operator(d, uid, CMM_HIST_ANSWER, what, rc, why);
}

/* ---- fault injection ---- */

static const char *
daemon_dir_name(unsigned dir)
{
	static const char *const names[] = { "up", "in", "out", "both" };

	return names[dir & 3];
}

static int
daemon_link_check(const struct cmm_daemon *d, int peer, int link,
    const char **why)
{
	if (!d->cfg->fault_injection) {
		*why = "fault injection is off (set fault_injection = on in "
		    "[cluster])";
		return -1;
	}
	if (peer == d->self) {
		*why = "that is this node";
		return -1;
	}
	if (!cmm_set_valid_id(peer) ||
	    !cmm_set_has(&d->cfg->core.configured, peer)) {
		*why = "no such node in the config";
		return -1;
	}
	if (link >= d->cfg->n_links) {
		*why = "no such link (links are numbered from 0, one per "
		    "address)";
		return -1;
	}
	return 0;
}

/* "link 1 to node 2" or "link to node 2" (every link) */
static void
daemon_link_what(const struct cmm_daemon *d, int peer, int link, char *buf,
    size_t len)
{
	if (link >= 0 && d->cfg->n_links > 1)
		snprintf(buf, len, "link %d to node %d", link, peer);
	else
		snprintf(buf, len, "link to node %d", peer);
}

int
cmm_daemon_link_cut(struct cmm_daemon *d, int peer, int link,
    enum cmm_link_dir dir, const char **why)
{
	unsigned now_dir;
	char what[48];

	if (daemon_link_check(d, peer, link, why) < 0)
		return -1;
	if ((dir & CMM_LINK_BOTH) == 0) {
		*why = "nothing to cut";
		return -1;
	}
	for (int k = link < 0 ? 0 : link; k < (link < 0 ? d->cfg->n_links :
	    link + 1); k++) {
		now_dir = cmm_udp_cut_state(d->udp, peer, k) | (unsigned)dir;
		cmm_udp_cut(d->udp, peer, k, now_dir);
	}
	now_dir = cmm_udp_cut_state(d->udp, peer, link);
	daemon_link_what(d, peer, link, what, sizeof(what));
	cmm_logf(d->log, CMM_LOG_WARN, "fault injection: %s cut (%s)", what,
	    daemon_dir_name(now_dir));
	return 0;
}

int
cmm_daemon_link_heal(struct cmm_daemon *d, int peer, int link,
    const char **why)
{
	char what[48];

	if (peer < 0) {
		if (!d->cfg->fault_injection) {
			*why = "fault injection is off (set fault_injection = on "
			    "in [cluster])";
			return -1;
		}
		for (int i = 0; i < CMM_MAX_NODES; i++)
			cmm_udp_cut(d->udp, i, -1, 0);
		cmm_logf(d->log, CMM_LOG_WARN, "fault injection: every link healed");
		return 0;
	}
	if (daemon_link_check(d, peer, link, why) < 0)
		return -1;
	cmm_udp_cut(d->udp, peer, link, 0);
	daemon_link_what(d, peer, link, what, sizeof(what));
	cmm_logf(d->log, CMM_LOG_WARN, "fault injection: %s healed", what);
	return 0;
}

static enum cmm_link_dir
daemon_link_state(const struct cmm_daemon *d, int peer)
{
	return (enum cmm_link_dir)cmm_udp_cut_state(d->udp, peer, -1);
}

/* ---- logging ---- */

int
cmm_daemon_set_log_level(struct cmm_daemon *d, enum cmm_log_level level)
{
	if ((unsigned)level > CMM_LOG_DEBUG)
		return -1;
	cmm_log_set_level(d->log, level);
	cmm_logf(d->log, CMM_LOG_INFO, "log level %s", cmm_log_level_name(level));
	return 0;
}

enum cmm_log_level
cmm_daemon_log_level(const struct cmm_daemon *d)
{
	return cmm_log_get_level(d->log);
}

/* ---- devices ---- */

static bool
daemon_has_device(const struct cmm_daemon *d, int idx)
{
	return idx >= 0 && idx < d->cfg->core.n_devices &&
	    cmm_set_has(&d->cfg->core.devices[idx].nodes, d->self);
}

/* ---- snapshots for the command layer: one call, one struct ---- */

void
cmm_daemon_status(struct cmm_daemon *d, struct cmm_status_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (d->core != NULL)	/* NULL only while cmm_daemon_new runs */
		cmm_core_status(d->core, &s->st);
	daemon_drop_summary(d, &s->dropped);
	s->prompt = d->prompt;
	s->cluster = d->cfg->name;
	s->digest = d->cfg->core.digest;
	s->now = cmm_daemon_now(d);
	if (d->wd != NULL) {
		s->has_watchdog = true;
		cmm_watchdog_status(d->wd, &s->watchdog);
	}
	s->realtime = d->rt;
}

int
cmm_daemon_nodes(struct cmm_daemon *d, struct cmm_nodes_snap *s)
{
	const struct cmm_core_cfg	*cfg = &d->cfg->core;
	struct cmm_core_status		 st;
	int64_t				 now = cmm_daemon_now(d);

	memset(s, 0, sizeof(*s));
	cmm_core_status(d->core, &st);
	s->self = d->self;
	s->failure_timeout_ms = cfg->failure_timeout_ms;
	s->row = calloc((size_t)cmm_set_count(&cfg->configured) + 1,
	    sizeof(*s->row));
	if (s->row == NULL)
		return -1;
	/* (the bound says to the compiler what cmm_set_next promises) */
	for (int id = cmm_set_next(&cfg->configured, 0);
	    id >= 0 && id < CMM_MAX_NODES;
	    id = cmm_set_next(&cfg->configured, id + 1)) {
		struct cmm_node_row *r = &s->row[s->n++];

		r->id = id;
		r->self = id == d->self;
		r->addr = daemon_peer_addr(d, id);
		r->priority = cfg->priority[id];
		r->member = cmm_set_has(&st.members, id);
		if (r->self) {
			/* what the node says of itself: what its datagrams
			 * say (epoch, members, flags, whom it holds alive) */
			cmm_core_peer(d->core, id, &r->peer);
			r->peer.last_heard = now;
			r->link = CMM_LINK_UP;
		} else {
			cmm_core_peer(d->core, id, &r->peer);
			r->has_hb = daemon_hb_stats(d, id, &r->hb);
			r->link = daemon_link_state(d, id);
		}
		r->n_links = d->cfg->n_links;
		for (int k = 0; k < r->n_links; k++) {
			r->links[k].addr = d->cfg->node[id].link[k].address;
			if (r->self)
				continue;
			cmm_links_stats(d->links, id, k, now, &r->links[k].st);
			r->links[k].cut = (enum cmm_link_dir)
			    cmm_udp_cut_state(d->udp, id, k);
		}
		r->heard_ms = r->peer.last_heard < 0 ? -1 :
		    now - r->peer.last_heard;
		daemon_peer_wire(d, id, &r->wire);
	}
	return 0;
}

void
cmm_nodes_snap_free(struct cmm_nodes_snap *s)
{
	free(s->row);
	s->row = NULL;
	s->n = 0;
}

void
cmm_daemon_round(struct cmm_daemon *d, struct cmm_round_snap *s)
{
	memset(s, 0, sizeof(*s));
	cmm_core_round(d->core, &s->ri);
	s->now = cmm_daemon_now(d);
}

void
cmm_daemon_quorum(struct cmm_daemon *d, struct cmm_quorum_snap *s)
{
	const struct cmm_core_cfg *cfg = &d->cfg->core;

	memset(s, 0, sizeof(*s));
	s->have = cmm_core_last_decision(d->core, &s->q);
	if (s->have && s->q.device >= 0 && s->q.device < cfg->n_devices)
		s->device = cfg->devices[s->q.device].name;
}

int
cmm_daemon_devices(struct cmm_daemon *d, struct cmm_devices_snap *s)
{
	const struct cmm_core_cfg *cfg = &d->cfg->core;

	memset(s, 0, sizeof(*s));
	if (cfg->n_devices == 0)
		return 0;
	if ((s->row = calloc((size_t)cfg->n_devices, sizeof(*s->row))) == NULL)
		return -1;
	for (int i = 0; i < cfg->n_devices; i++) {
		struct cmm_device_row *r = &s->row[s->n++];

		r->name = cfg->devices[i].name;
		r->path = d->cfg->device_path[i];
		r->arbiter = d->cfg->device_arbiter[i].present ?
		    d->cfg->device_arbiter[i].address : NULL;
		r->nodes = cfg->devices[i].nodes;
		r->shared = daemon_has_device(d, i);
		/* each read on a thread of its own, all at once: a hung
		 * device costs the heartbeats 150 ms at most (devworker.h) */
		r->read_ok = r->shared && cmm_devworker_read_start(d->dw, i,
		    r->err, sizeof(r->err)) == 0;
	}
	for (int i = 0; i < s->n; i++) {
		struct cmm_device_row *r = &s->row[i];

		r->read_ok = r->read_ok && cmm_devworker_read_wait(d->dw, i,
		    &r->rec, r->err, sizeof(r->err)) == 0;
	}
	return 0;
}

void
cmm_devices_snap_free(struct cmm_devices_snap *s)
{
	free(s->row);
	s->row = NULL;
	s->n = 0;
}

int
cmm_daemon_history_tail(struct cmm_daemon *d, int n,
    struct cmm_hist_rec *recs, char *warn, size_t warnlen, char *err,
    size_t errlen)
{
	return cmm_history_tail(d->state_dir, n, recs, warn, warnlen, err,
	    errlen);
}

void
cmm_daemon_record(struct cmm_daemon *d, long uid, const char *what)
{
	daemon_history(d, CMM_HIST_COMMAND, uid, what);
}
