/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_main: `cmm check -c FILE --id N [--timeout MS]`, the preflight an
 * operator runs before trusting a node.  One line per check,
 * "ok ..." or "FAIL ...: reason"; exit 0 only if every check passed, 1 if
 * one failed, 2 on a usage error.
 *
 * It is a short-lived tool, so it waits with poll() instead of running an
 * event loop, and it changes nothing a live cluster relies on (see
 * check_device()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "net/packet.h"
#include "quorum/device_file.h"
#include "src/node/config.h"
#include "src/node/devarb.h"
#include "src/node/devkey.h"
#include "src/node/state.h"
#include "src/subcmd.h"
#include "util/parse.h"

#define CHECK_RESEND_MS	200

struct check {
	int	failed;
};

static void
check_ok(struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
check_fail(struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
check_ok(struct check *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fputs("ok ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
check_fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	c->failed++;
	fputs("FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static int64_t
check_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
check_usage(FILE *f)
{
	fprintf(f, "usage: cmm check -c FILE --id N [--timeout MS]\n"
	    "  checks the config, the key, the state, the hook, binds the "
	    "node's address(es),\n  probes every peer on every link (each must "
	    "answer within MS ms, default 1000)\n  and exercises every device "
	    "the node shares; exit 0 only if every check passes\n");
}

/* ---- peers ---- */

struct probe {
	bool		want;
	bool		answered;
	uint64_t	nonce;
	int64_t		rtt_ms;
	struct cmm_msg	ack;
};

/*
 * A probe speaks as node `self` and goes through the peer's replay window
 * for probes like any datagram, so it needs an incarnation and sequence
 * numbers above every earlier run's: the clock gives both (seconds, and
 * microseconds within the incarnation).  Answers go to self's configured
 * address on the link probed only, which is why the check binds each.
 */
static void
check_send_probes(int fd, const struct cmm_config *cfg, const struct cmm_keys *k,
    int self, int link, struct probe *pr)
{
	uint8_t buf[CMM_WIRE_MAX];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		struct cmm_msg m;
		int n;

		if (!pr[i].want || pr[i].answered)
			continue;
		memset(&m, 0, sizeof(m));
		m.type = CMM_MSG_PROBE;
		m.vmin = CMM_PROTO_MIN;
		m.vmax = CMM_PROTO_MAX;
		m.sender = (uint16_t)self;
		m.dest = (uint16_t)i;
		memcpy(m.digest, cfg->core.digest, CMM_DIGEST_LEN);
		m.incarnation = (uint32_t)ts.tv_sec;
		/* the sequence number doubles as the nonce the answer echoes */
		m.seq = pr[i].nonce = (uint64_t)(ts.tv_nsec / 1000) + 1;
		n = cmm_packet_seal(k, cfg->cluster_id, &m, buf, sizeof(buf));
		if (n > 0)
			sendto(fd, buf, (size_t)n, MSG_DONTWAIT,
			    (const struct sockaddr *)&cfg->node[i].link[link].sa,
			    cfg->node[i].link[link].salen);
	}
}

/* Reads every answer waiting on fd. */
static int
check_read_acks(int fd, const struct cmm_rx *rx, struct probe *pr,
    int64_t start)
{
	int got = 0;

	for (;;) {
		uint8_t buf[65536];
		struct cmm_msg m;
		uint64_t echo;
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r < 0)
			break;
		if (cmm_packet_open(rx, buf, (size_t)r, &m) != CMM_DROP_NONE ||
		    m.type != CMM_MSG_PROBE_ACK || !pr[m.sender].want ||
		    pr[m.sender].answered)
			continue;
		echo = m.ballot;	/* the probe's sequence, echoed */
		if (echo != pr[m.sender].nonce)
			continue;
		pr[m.sender].answered = true;
		pr[m.sender].rtt_ms = check_now_ms() - start;
		pr[m.sender].ack = m;
		got++;
	}
	return got;
}

/* "peer 2" or, with several links, "peer 2 link 1" */
static const char *
check_peer_name(const struct cmm_config *cfg, int i, int link, char *buf,
    size_t len)
{
	if (cfg->n_links > 1)
		snprintf(buf, len, "peer %d link %d", i, link);
	else
		snprintf(buf, len, "peer %d", i);
	return buf;
}

/* One line per peer (and link); a peer whose config digest differs
 * fails. */
static void
check_report_peer(struct check *c, const struct cmm_config *cfg, int i,
    int link, const struct probe *p)
{
	char mem[128], ours[2 * CMM_DIGEST_LEN + 1], who[32];
	char theirs[2 * CMM_DIGEST_LEN + 1], ver[32] = "";

	cmm_set_format(&p->ack.members, mem, sizeof(mem));
	if (memcmp(p->ack.digest, cfg->core.digest, CMM_DIGEST_LEN) == 0) {
		check_ok(c, "%s answered (%s, %s, epoch %u, members %s, "
		    "protocol %u..%u, config digest matches, %lld ms)",
		    check_peer_name(cfg, i, link, who, sizeof(who)),
		    cfg->node[i].link[link].address, p->ack.flags & CMM_MSGF_MEMBER ?
		    "member" : "not a member", p->ack.epoch, mem, p->ack.vmin,
		    p->ack.vmax, (long long)p->rtt_ms);
		return;
	}
	cmm_digest_hex(cfg->core.digest, ours);
	cmm_digest_hex(p->ack.digest, theirs);
	if (p->ack.ext & CMM_EXT_CONFIG_VERSION)
		snprintf(ver, sizeof(ver), ", config_version %u",
		    p->ack.config_version);
	check_fail(c, "%s (%s): config differs: its digest is %s%s, "
	    "ours %s (config_version %u); compare 'cmm ctl config' on both",
	    check_peer_name(cfg, i, link, who, sizeof(who)),
	    cfg->node[i].link[link].address, theirs, ver, ours,
	    cfg->core.config_version);
}

/* Probes every peer on one link, from this node's address on it. */
static void
check_peers(struct check *c, const struct cmm_config *cfg,
    const struct cmm_keys *k, int fd, int self, int link, int timeout_ms)
{
	char who[32];
	struct probe *pr = calloc(CMM_MAX_NODES, sizeof(*pr));
	struct cmm_rx rx = { .keys = k, .cluster_id = cfg->cluster_id,
	    .self = self };
	int64_t start = check_now_ms(), next_send = start;
	int want = 0, got = 0;

	if (pr == NULL) {
		check_fail(c, "peers: out of memory");
		return;
	}
	for (int i = cmm_set_next(&cfg->core.configured, 0); i >= 0;
	    i = cmm_set_next(&cfg->core.configured, i + 1))
		if (i != self) {
			pr[i].want = true;
			want++;
		}
	while (got < want) {
		int64_t now = check_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait;

		if (now - start >= timeout_ms)
			break;
		/* a lost probe or answer is retried, like any datagram */
		if (now >= next_send) {
			check_send_probes(fd, cfg, k, self, link, pr);
			next_send = now + CHECK_RESEND_MS;
		}
		wait = (int)(next_send - now);
		if (wait > timeout_ms - (now - start))
			wait = (int)(timeout_ms - (now - start));
		if (poll(&p, 1, wait < 0 ? 0 : wait) > 0)
			got += check_read_acks(fd, &rx, pr, start);
	}
	for (int i = 0; i < CMM_MAX_NODES; i++) {
		if (!pr[i].want)
			continue;
		if (pr[i].answered)
			check_report_peer(c, cfg, i, link, &pr[i]);
		else
			check_fail(c, "%s (%s): no answer within %d ms",
			    check_peer_name(cfg, i, link, who, sizeof(who)),
			    cfg->node[i].link[link].address, timeout_ms);
	}
	free(pr);
}

/* ---- devices ---- */

/* Takes and releases a write lock over the record, as every device
 * operation does, without waiting for ever behind a stuck holder. */
static int
check_lock(const char *path, char *err, size_t errlen)
{
	struct flock fl;
	int64_t until = check_now_ms() + 2000;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = CMM_DEVFILE_SIZE;
	while (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		if ((errno != EAGAIN && errno != EACCES && errno != EINTR) ||
		    check_now_ms() > until) {
			snprintf(err, errlen, "lock: %s", errno == EAGAIN ||
			    errno == EACCES ? "held by another process for "
			    "over 2 s" : strerror(errno));
			close(fd);
			return -1;
		}
		usleep(10000);
	}
	fl.l_type = F_UNLCK;
	fcntl(fd, F_OFD_SETLK, &fl);
	close(fd);
	return 0;
}

/* What the record says about this node, for the check's line. */
static void
check_self_note(const struct cmm_devrec *r, int self, char *buf, size_t len)
{
	if (r->reg_epoch[self] != 0)
		snprintf(buf, len, "node %d registered at epoch %u", self,
		    r->reg_epoch[self]);
	else if (r->fence_epoch[self] != 0)
		snprintf(buf, len, "node %d not registered (fenced at epoch %u)",
		    self, r->fence_epoch[self]);
	else
		snprintf(buf, len, "node %d not registered", self);
}

/*
 * A device's check must not disturb a live cluster: the record holds
 * registrations, fences, a reservation and a Paxos slot, and changing any
 * of them could decide a race or undo a fence.  So the check takes the
 * lock (without waiting for ever behind a stuck holder), reads and
 * verifies the record, and rewrites the same record under the lock
 * (cmm_device_file_rewrite: write to the other slot, fsync), which is
 * every step an operation takes.  The record read afterwards must not
 * have gone backwards (a live node may have moved it forward meanwhile).
 */
/*
 * A device kept by a network arbiter: one read through it (two round
 * trips, tagged with the dev subkey) proves the arbiter is up, serves this
 * cluster and holds our key; it changes nothing.
 */
static void
check_arbiter(struct check *c, const struct cmm_config *cfg, int idx,
    int self, const struct cmm_devfile_key *key)
{
	const char *name = cfg->core.devices[idx].name;
	const struct cmm_dev_arbiter *a = &cfg->device_arbiter[idx];
	struct cmm_device *dev;
	struct cmm_devrec rec;
	char err[3 * CMM_CFG_PATH_MAX], reg[128], me[96];

	dev = cmm_device_arbiter_open((const struct sockaddr *)&a->sa,
	    a->salen, cfg->cluster_id, name, key, 2000, err, sizeof(err));
	if (dev == NULL) {
		check_fail(c, "device %s: %s", name, err);
		return;
	}
	if (dev->ops->read(dev, &rec, err, sizeof(err)) != CMM_DEV_OK) {
		check_fail(c, "device %s: %s", name, err[0] != '\0' ? err :
		    "the arbiter could not read its record");
	} else {
		cmm_set_format(&rec.registered, reg, sizeof(reg));
		check_self_note(&rec, self, me, sizeof(me));
		check_ok(c, "device %s (arbiter %s): read; reservation epoch "
		    "%u, committed epoch %u, registered %s; %s", name,
		    a->address, rec.epoch, rec.committed_epoch, reg, me);
	}
	dev->ops->close(dev);
}

static void
check_device(struct check *c, const struct cmm_config *cfg, int idx, int self,
    const struct cmm_devfile_key *key)
{
	const char *name = cfg->core.devices[idx].name;
	const char *path = cfg->device_path[idx];
	struct cmm_device *dev;
	struct cmm_devrec before, after;
	char err[3 * CMM_CFG_PATH_MAX], reg[128], me[96];
	bool created;
	struct stat st;
	enum cmm_dev_status s;

	if (cfg->device_arbiter[idx].present) {
		check_arbiter(c, cfg, idx, self, key);
		return;
	}
	created = stat(path, &st) < 0 && errno == ENOENT;
	dev = cmm_device_file_open(path, true, key, err, sizeof(err));
	if (dev == NULL) {
		check_fail(c, "device %s: %s", name, err);
		return;
	}
	if (check_lock(path, err, sizeof(err)) < 0) {
		check_fail(c, "device %s: %s: %s", name, path, err);
		goto out;
	}
	s = dev->ops->read(dev, &before, err, sizeof(err));
	if (s == CMM_DEV_OK)
		s = cmm_device_file_rewrite(dev, err, sizeof(err));
	if (s == CMM_DEV_OK)
		s = dev->ops->read(dev, &after, err, sizeof(err));
	if (s != CMM_DEV_OK) {
		check_fail(c, "device %s: %s", name, err);
		goto out;
	}
	if (after.epoch < before.epoch ||
	    after.committed_epoch < before.committed_epoch) {
		check_fail(c, "device %s: the record went backwards while "
		    "checking (epoch %u -> %u)", name, before.epoch, after.epoch);
		goto out;
	}
	cmm_set_format(&after.registered, reg, sizeof(reg));
	check_self_note(&after, self, me, sizeof(me));
	if (after.holder >= 0)
		check_ok(c, "device %s (%s): %slock, read, rewrite, fsync; held "
		    "by node %d at epoch %u, committed epoch %u, registered %s; "
		    "%s", name, path, created ? "created, " : "", after.holder,
		    after.epoch, after.committed_epoch, reg, me);
	else
		check_ok(c, "device %s (%s): %slock, read, rewrite, fsync; "
		    "unreserved, registered %s; %s", name, path,
		    created ? "created, " : "", reg, me);
out:
	dev->ops->close(dev);
}

/* ---- the rest ---- */

/* A whole number in [lo, hi] (lo >= 0), or -1. */
static int
check_parse_int(const char *s, int lo, int hi)
{
	long long v;

	return cmm_parse_int(s, lo, hi, &v, NULL, 0) < 0 ? -1 : (int)v;
}

int
cmm_check_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check chk = { 0 };
	struct cmm_config *cfg;
	struct cmm_keys keys;
	struct cmm_persist p;
	const char *path = NULL;
	char err[1024], dir[CMM_CFG_PATH_MAX], mem[128];
	bool have_key;
	int id = -1, timeout_ms = 1000, ch, fd, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:i:t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'i':
			id = check_parse_int(optarg, 0, CMM_MAX_NODES - 1);
			if (id < 0) {
				fprintf(stderr, "cmm check: --id: '%s' is not a "
				    "node id\n", optarg);
				return 2;
			}
			break;
		case 't':
			timeout_ms = check_parse_int(optarg, 1, 600000);
			if (timeout_ms < 0) {
				fprintf(stderr, "cmm check: --timeout: '%s' is not "
				    "1..600000 ms\n", optarg);
				return 2;
			}
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			check_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || path == NULL || id < 0) {
		check_usage(stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "cmm check: libsodium failed to initialise\n");
		return 1;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		fprintf(stderr, "cmm check: out of memory\n");
		return 1;
	}
	if (cmm_config_load(path, cfg, err, sizeof(err)) < 0 ||
	    cmm_config_check_id(cfg, id, err, sizeof(err)) < 0) {
		check_fail(&chk, "config: %s", err);
		free(cfg);
		return 1;
	}
	check_ok(&chk, "config %s (cluster %s, %d nodes, %d devices, node %d at "
	    "%s)", path, cfg->name, cfg->n_nodes, cfg->core.n_devices, id,
	    cfg->node[id].address);

	have_key = cmm_key_load(cfg->key_file, &keys, err, sizeof(err)) == 0;
	if (have_key)
		check_ok(&chk, "key %s", cfg->key_file);
	else
		check_fail(&chk, "key: %s", err);
	if (have_key && cmm_config_digest(cfg, &keys) == 0) {
		char hex[2 * CMM_DIGEST_LEN + 1];

		cmm_digest_hex(cfg->core.digest, hex);
		check_ok(&chk, "config digest %s (config_version %u)", hex,
		    cfg->core.config_version);
	}

	if (cmm_config_state_dir(cfg, id, dir, sizeof(dir)) < 0) {
		check_fail(&chk, "state: state_dir too long");
	} else {
		rc = cmm_state_load(dir, &p, err, sizeof(err));
		if (rc < 0) {
			check_fail(&chk, "state: %s", err);
		} else if (rc == 1) {
			check_ok(&chk, "state %s: none yet (a fresh node)", dir);
		} else {
			cmm_set_format(&p.members, mem, sizeof(mem));
			check_ok(&chk, "state %s: epoch %u, members %s, "
			    "incarnation %u", dir, p.epoch, mem, p.incarnation);
			/* the node would refuse to start on it (the digest
			 * needs the key) */
			if (have_key && cmm_config_drift(cfg, &p, err,
			    sizeof(err)) < 0)
				check_fail(&chk, "state: %s", err);
		}
	}

	if (cfg->hook[0] != '\0') {
		if (access(cfg->hook, X_OK) == 0)
			check_ok(&chk, "hook %s is executable", cfg->hook);
		else
			check_fail(&chk, "hook %s: %s", cfg->hook, strerror(errno));
	}

	/* every link: its own address, its own probes */
	for (int k = 0; k < cfg->n_links; k++) {
		const struct cmm_link_addr *la = &cfg->node[id].link[k];

		fd = socket(la->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			check_fail(&chk, "bind %s: socket: %s", la->address,
			    strerror(errno));
		} else if (bind(fd, (const struct sockaddr *)&la->sa,
		    la->salen) < 0) {
			int e = errno;

			/* peers answer a probe only at the configured address
			 * of the node it speaks for: from any other port
			 * nothing comes back */
			check_fail(&chk, "bind %s: %s%s", la->address,
			    strerror(e), e == EADDRINUSE ? " (is node running? "
			    "then 'cmm ctl nodes' shows its peers)" : "");
			close(fd);
			fd = -1;
		} else {
			check_ok(&chk, "bind %s", la->address);
		}

		if (cfg->n_nodes > 1) {
			char on[24] = "";	/* " on link " and any int */

			if (cfg->n_links > 1)
				snprintf(on, sizeof(on), " on link %d", k);
			if (!have_key || fd < 0)
				check_fail(&chk, "peers%s: not probed (%s)", on,
				    !have_key ? "no key" :
				    "the node's address is not ours");
			else
				check_peers(&chk, cfg, &keys, fd, id, k,
				    timeout_ms);
		}
		if (fd >= 0)
			close(fd);
	}

	/* records are authenticated with the key: no key, no check */
	for (int i = 0; i < cfg->core.n_devices; i++) {
		struct cmm_devfile_key dk;

		if (!cmm_set_has(&cfg->core.devices[i].nodes, id))
			continue;
		if (!have_key) {
			check_fail(&chk, "device %s: not checked (no key to "
			    "authenticate its records)", cfg->core.devices[i].name);
			continue;
		}
		cmm_devkey_init(&dk, keys.dev);
		check_device(&chk, cfg, i, id, &dk);
		explicit_bzero(&dk, sizeof(dk));
	}

	if (have_key)
		cmm_keys_wipe(&keys);
	free(cfg);
	if (chk.failed == 0)
		printf("all checks passed\n");
	else
		printf("%d check%s FAILED\n", chk.failed,
		    chk.failed == 1 ? "" : "s");
	return chk.failed == 0 ? 0 : 1;
}
