/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gen_corpus: writes the generated part of the fuzz seed corpora
 * with cmm's own codec and state module, so the seeds are real.
 *
 *	gen_corpus OUTDIR	(tests/fuzz/mkcorpus.sh runs it)
 *
 * OUTDIR/fuzz_wire	whole datagrams of wire v2, one per message type,
 *			sealed with the harnesses' fixed key, addressed to
 *			node 1 with the harnesses' digest; one with another
 *			digest and one with an unknown extension
 * OUTDIR/fuzz_packet	the same datagrams without their tag
 * OUTDIR/fuzz_state	a mode byte + a real state file (two slots: an
 *			accept, then its commit; one slot only; an amnesiac
 *			node; a version 3 file, still read; version 1 and 2
 *			records, to be refused) / history file
 * OUTDIR/fuzz_ctl	request lines and server replies
 * OUTDIR/fuzz_ctl_sock	what a client writes to a control connection: every
 *			command, as text and JSON, a watcher, a wait, the
 *			operator's commands, and junk (a line too long,
 *			control characters, many requests)
 * OUTDIR/fuzz_core	step sequences of tests/fuzz/fuzz_core.c: a cluster
 *			forming, then one hostile message of each kind
 *			(a high PREPARE, an ACCEPT, a COMMIT at the epoch
 *			limit, a sequence number far ahead, another digest)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "net/packet.h"
#include "src/node/state.h"

static const char *outdir;

static void
die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
put(const char *sub, const char *name, const void *data, size_t len)
{
	char	path[1024];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", outdir, sub);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	if ((f = fopen(path, "w")) == NULL)
		die(path);
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

static void
set_range(struct cmm_set *s, int lo, int hi)
{
	cmm_set_clear(s);
	for (int i = lo; i <= hi; i++)
		cmm_set_add(s, i);
}

/* A heartbeat of another config, and one with an extension no version
 * knows (after the known one): both must reach their reason. */
static void
odd_datagrams(const struct cmm_keys *k, uint32_t cid)
{
	static const uint8_t unknown[] = { 200, 0, 3, 'x', 'y', 'z' };
	struct cmm_msg m;
	uint8_t	buf[CMM_WIRE_MAX];
	int	n;

	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_HEARTBEAT;
	m.vmin = m.vmax = CMM_PROTO_MIN;
	m.sender = 2;
	m.dest = 1;
	m.incarnation = 3;
	m.seq = 9;
	memset(m.digest, 0x77, sizeof(m.digest));
	n = cmm_packet_seal(k, cid, &m, buf, sizeof(buf));
	if (n < 0)
		die("seal");
	put("fuzz_wire", "HEARTBEAT-other-config.dg", buf, (size_t)n);
	put("fuzz_packet", "HEARTBEAT-other-config.dg", buf,
	    (size_t)n - CMM_WIRE_MAC_LEN);
	memset(m.digest, 0x5d, sizeof(m.digest));
	m.ext = CMM_EXT_CONFIG_VERSION;
	m.config_version = 2;
	n = cmm_wire_encode(&m, cid, buf, sizeof(buf) - sizeof(unknown));
	if (n < 0)
		die("encode");
	memcpy(buf + n, unknown, sizeof(unknown));
	n = (int)cmm_mac_seal(k, buf, (size_t)n + sizeof(unknown));
	put("fuzz_wire", "HEARTBEAT-unknown-ext.dg", buf, (size_t)n);
	put("fuzz_packet", "HEARTBEAT-unknown-ext.dg", buf,
	    (size_t)n - CMM_WIRE_MAC_LEN);
}

/* One message of each type with the fields its type gives a meaning
 * (net/wire.h), small and big (the highest sender id, vectors of every
 * length up to the largest, the highest ballots). */
static void
datagrams(void)
{
	unsigned char master[CMM_KEY_LEN];
	struct cmm_keys k;
	struct cmm_msg m;
	uint8_t	buf[CMM_WIRE_MAX];
	uint32_t cid = cmm_wire_cluster_id("fuzz");
	char	name[64];
	int	n;

	for (int i = 0; i < CMM_KEY_LEN; i++)
		master[i] = (unsigned char)i;
	if (cmm_keys_derive(master, &k) != 0)
		die("keys");
	for (int type = 1; type <= CMM_MSG_TYPE_MAX; type++) {
		for (int big = 0; big < 2; big++) {
			int	self = big ? 1023 : 2;
			uint32_t attempt = big ? CMM_BALLOT_MAX_ATTEMPT : 1;

			memset(&m, 0, sizeof(m));
			m.type = (uint8_t)type;
			m.vmin = CMM_PROTO_MIN;
			m.vmax = big ? 9 : CMM_PROTO_MAX;
			m.dest = 1;
			memset(m.digest, 0x5d, sizeof(m.digest));
			if (big) {
				m.ext = CMM_EXT_CONFIG_VERSION;
				m.config_version = 7;
			}
			m.sender = (uint16_t)self;
			m.incarnation = 3;
			m.seq = 41 + (uint64_t)type;
			m.epoch = big ? 0x7fffffffu : 7;
			m.flags = CMM_MSGF_MEMBER;
			set_range(&m.members, 0, big ? 1023 : 5);
			switch (type) {
			case CMM_MSG_HEARTBEAT:
				set_range(&m.row, 0, big ? 900 : 4);
				if (big)
					m.flags |= CMM_MSGF_PENDING;
				break;
			case CMM_MSG_PREPARE:
				m.instance = m.epoch + 1;
				m.ballot = cmm_ballot_make(attempt, self);
				break;
			case CMM_MSG_PROMISE:
				m.instance = m.epoch + 1;
				m.ballot = cmm_ballot_make(attempt, 5);
				m.flags |= CMM_MSGF_ACCEPTOR;
				set_range(&m.row, 0, big ? 1023 : 5);
				if (big) {
					m.flags |= CMM_MSGF_PENDING;
					m.vballot = cmm_ballot_make(attempt - 1,
					    1022);
					set_range(&m.value, 1, 1023);
				}
				break;
			case CMM_MSG_NACK:
				m.instance = m.epoch + 1;
				m.ballot = cmm_ballot_make(0, 5);
				m.vballot = cmm_ballot_make(attempt, 4);
				break;
			case CMM_MSG_ACCEPT:
			case CMM_MSG_ACCEPTED:
				m.instance = m.epoch + 1;
				m.ballot = cmm_ballot_make(big ? attempt : 0, 5);
				set_range(&m.value, 0, big ? 1000 : 4);
				if (type == CMM_MSG_ACCEPTED)
					m.flags |= CMM_MSGF_PENDING;
				break;
			case CMM_MSG_COMMIT:
				break;
			case CMM_MSG_LEAVE:
				m.flags |= CMM_MSGF_LEAVING;
				break;
			case CMM_MSG_PROBE:
			case CMM_MSG_PROBE_ACK:
				m.flags = big ? CMM_MSGF_AMNESIAC : 0;
				break;
			}
			n = cmm_packet_seal(&k, cid, &m, buf, sizeof(buf));
			if (n < 0)
				die("seal");
			snprintf(name, sizeof(name), "%s%s.dg",
			    cmm_msg_type_name(type), big ? "-big" : "");
			put("fuzz_wire", name, buf, (size_t)n);
			put("fuzz_packet", name, buf,
			    (size_t)n - CMM_WIRE_MAC_LEN);
		}
	}
	odd_datagrams(&k, cid);
}

static void
slurp_put(const char *path, unsigned mode, const char *name)
{
	static uint8_t buf[1 << 16];
	FILE	*f = fopen(path, "r");
	size_t	n;

	if (f == NULL)
		die(path);
	buf[0] = (uint8_t)mode;
	n = fread(buf + 1, 1, sizeof(buf) - 1, f);
	fclose(f);
	put("fuzz_state", name, buf, n + 1);
}

/* A record of an older state format, which cmm must refuse with a
 * reason: version 1 (304 bytes, a last proposal where round v2 has the
 * acceptor slot) and version 2 (320 bytes, one slot).  The mode byte
 * leaves their checksums alone. */
static void
state_old(const char *name, unsigned version, unsigned size)
{
	uint8_t	b[1 + 320];

	memset(b, 0, sizeof(b));
	b[0] = 0;
	memcpy(b + 1, "CMMSTATE", 8);
	b[1 + 8] = (uint8_t)version;
	b[1 + 10] = (uint8_t)(size & 0xff);
	b[1 + 11] = (uint8_t)(size >> 8);
	b[1 + 12] = 7;			/* epoch */
	b[1 + 16] = 3;			/* incarnation */
	b[1 + 20] = 8;
	b[1 + 32] = 0x3f;		/* members 0-5 */
	b[1 + 160] = 0x1f;
	crypto_generichash(b + 1 + size - 16, 16, b + 1, size - 16, NULL, 0);
	put("fuzz_state", name, b, 1 + size);
}

/* A version 3 file (two 336-byte slots, before the config digest), as
 * the cmm before it left it: still read. */
static void
state_v3(void)
{
	uint8_t	b[1 + 2 * 336];

	memset(b, 0, sizeof(b));
	for (int slot = 0; slot < 2; slot++) {
		uint8_t *r = b + 1 + slot * 336;

		memcpy(r, "CMMSTATE", 8);
		r[8] = 3;
		r[10] = 336 & 0xff;
		r[11] = 336 >> 8;
		r[12] = (uint8_t)(7 + slot);	/* epoch */
		r[16] = 3;			/* incarnation */
		r[32] = 0x3f;			/* members 0-5 */
		r[304] = (uint8_t)(1 + slot);	/* write sequence */
		crypto_generichash(r + 320, 16, r, 320, NULL, 0);
	}
	put("fuzz_state", "state-v3", b, sizeof(b));
}

static void
state_files(void)
{
	char	dir[] = "/tmp/cmm-gen-corpus.XXXXXX", path[256], err[512];
	struct cmm_persist p;
	struct cmm_hist_rec r;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	/* a member with a promise and an accepted value pending */
	memset(&p, 0, sizeof(p));
	p.incarnation = 4;
	p.epoch = 12;
	set_range(&p.members, 0, 5);
	p.promised = cmm_ballot_make(3, 5);
	p.accepted = cmm_ballot_make(2, 4);
	set_range(&p.value, 0, 4);
	p.next_attempt = 4;
	p.cfg_version = 3;
	memset(p.cfg_digest, 0xc4, sizeof(p.cfg_digest));
	if (cmm_state_save(dir, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "gen_corpus: %s\n", err);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	slurp_put(path, 0, "state-one-slot");
	/* and its accept chosen: both slots hold a record */
	p.epoch = 13;
	p.members = p.value;
	p.promised = p.accepted = CMM_BALLOT_NONE;
	memset(&p.value, 0, sizeof(p.value));
	p.next_attempt = 0;
	if (cmm_state_save(dir, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "gen_corpus: %s\n", err);
		exit(1);
	}
	slurp_put(path, 0, "state");
	slurp_put(path, 1, "state-fixsum");
	/* a node that lost its state and abstains, the largest sets */
	memset(&p, 0, sizeof(p));
	p.incarnation = UINT32_MAX;
	p.epoch = 0x7fffffffu;
	set_range(&p.members, 0, 1023);
	p.abstain = CMM_ABSTAIN_UNKNOWN;
	if (cmm_state_save(dir, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "gen_corpus: %s\n", err);
		exit(1);
	}
	slurp_put(path, 1, "state-amnesiac");
	state_old("state-v1", 1, 304);
	state_old("state-v2", 2, 320);
	state_v3();
	for (int i = 0; i < 3; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = (enum cmm_hist_kind)(CMM_HIST_COMMIT + i);
		r.epoch = 10 + (uint32_t)i;
		set_range(&r.members, 0, 5 - i);
		r.time_ms = 1764059760123 + i;
		r.uid = i == 0 ? -1 : 1000;
		snprintf(r.reason, sizeof(r.reason), "%s",
		    i == 0 ? "round (12, 0)" : i == 1 ? "winner 1" : "leave");
		if (cmm_history_append(dir, &r, err, sizeof(err)) < 0) {
			fprintf(stderr, "gen_corpus: %s\n", err);
			exit(1);
		}
	}
	snprintf(path, sizeof(path), "%s/history", dir);
	slurp_put(path, 0, "history");
	slurp_put(path, 3, "history-fixsum");
	unlink(path);
	snprintf(path, sizeof(path), "%s/state", dir);
	unlink(path);
	rmdir(dir);
}

static void
ctl_lines(void)
{
	static const char *const req[] = {
		"status", "--json status", "members", "nodes", "round", "quorum",
		"devices", "history", "history 5", "--json history 3", "join",
		"leave", "reconfigure", "answer isolated",
		"answer not-isolated", "answer winner 2", "wait state member 10",
		"wait members 0-2,5 30", "--json wait state no-quorum",
		"watch", "--json watch", "log level", "log level debug",
		"link cut 3", "link cut 3 in", "link heal", "link heal 4",
		"help", "help wait", "--json help link cut", "list-commands",
		"--json list-commands", "stat", "wa st member", "# comment",
		"", "cut 1 2 oneway", "kill 3", "nosuch command",
	};
	static const char server[] =
	    "V 1 3\n: state member\n: epoch 7\n+\n! commit epoch 8: {0-5}\n"
	    "? {\"open\": true, \"kind\": \"winner\", \"choices\": [0, 1], "
	    "\"why\": \"split\", \"deadline_ms\": 0}\n- wait: timed out\n";
	static const char script[] =
	    "status\n--json members\nwait state member 5\nhistory 2\n";
	char	name[32];

	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		char line[256];

		snprintf(name, sizeof(name), "req%02zu", i);
		snprintf(line, sizeof(line), "%s\n", req[i]);
		put("fuzz_ctl", name, line, strlen(line));
	}
	put("fuzz_ctl", "server", server, sizeof(server) - 1);
	put("fuzz_ctl", "script", script, sizeof(script) - 1);
}

static void
ctl_sock_seeds(void)
{
	static const struct { const char *name, *text; } seeds[] = {
		{ "read", "status\nmembers\nnodes\nround\nquorum\ndevices\n"
		    "config\nhistory\nhistory 3\nhelp\nhelp wait\n"
		    "list-commands\n" },
		{ "json", "--json status\n--json members\n--json nodes\n"
		    "--json round\n--json quorum\n--json devices\n"
		    "--json config\n--json history 2\n--json list-commands\n"
		    "--json nosuch\n" },
		{ "watch", "--json watch\nstatus\nlog level debug\n" },
		{ "wait", "wait state member 1\nstatus\n" },
		{ "operator", "answer not-isolated\nlink cut 1\nlink cut 1 in\n"
		    "link heal\nreconfigure\njoin\nanswer winner 1\n"
		    "answer isolated\nlog level info\nleave\nstatus\n" },
		{ "junk", "\n# comment\n\x01\x02status\r\nsta\nwa st member\n"
		    "status status status status status status status status "
		    "status status status status status status status status "
		    "status\nhistory -1\nhistory 99999999999\n" },
	};
	static char big[8192];
	size_t	n = 0;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		put("fuzz_ctl_sock", seeds[i].name, seeds[i].text,
		    strlen(seeds[i].text));
	/* one line longer than a request may be, then a good one */
	memset(big, 'x', 5000);
	n = 5000;
	memcpy(big + n, "\nstatus\n", 8);
	put("fuzz_ctl_sock", "long-line", big, n + 8);
	/* many requests at once */
	for (n = 0; n + 7 < sizeof(big); n += 7)
		memcpy(big + n, "status\n", 7);
	put("fuzz_ctl_sock", "many", big, n);
}

/* fuzz_core's steps (see its header): op % 4 == 0 lets (op >> 2) * 10 + 1
 * ms pass, 1 delivers the honest messages, 2 and 3 send a hostile one,
 * except 3 with (op >> 2) % 8 == 7: a port-unreachable for id
 * (op >> 5) - 1. */
struct core_seq {
	uint8_t	b[1024];
	size_t	n;
};

static void
core_put(struct core_seq *q, const uint8_t *b, size_t n)
{
	if (q->n + n > sizeof(q->b))
		die("core seed too long");
	memcpy(q->b + q->n, b, n);
	q->n += n;
}

/* Time and deliveries: a cluster of three forms, heartbeats go round. */
static void
core_run(struct core_seq *q, int rounds)
{
	static const uint8_t step[] = { 0x10, 1 };

	for (int i = 0; i < rounds; i++)
		core_put(q, step, sizeof(step));
}

static void
core_seeds(void)
{
	/* hostile messages: op, type - 1, how (sender 1 = how % 5), flags,
	 * epoch how, [instance], ballot how + attempt, vballot how [+],
	 * three sets (bits of ids 0-3), tail how */
	static const struct {
		const char	*name;
		uint8_t		msg[24];
		size_t		len;
	} hostile[] = {
		/* PREPARE(E+1, (200, 1)) from node 1 */
		{ "prepare-high", { 2, 1, 1, 0, 0, 0x05, 200, 0, 0x07, 0, 0x07,
		    0 }, 12 },
		/* ACCEPT(E+1, (201, 1), {1,2}) from node 1 */
		{ "accept", { 2, 4, 1, 0, 0, 0x05, 201, 0, 0x07, 0x06, 0, 0 },
		    12 },
		/* COMMIT of epoch 2^31 - 1, members {0,1} */
		{ "commit-limit", { 2, 6, 1, 0x01, 4, 0, 0, 0x03, 0, 0, 0 },
		    11 },
		/* a heartbeat a million sequence numbers ahead */
		{ "seq-ahead", { 3, 0, 1, 0x01, 0, 0, 0, 0x07, 0, 0x07, 2 },
		    11 },
		/* a heartbeat under another config digest */
		{ "other-digest", { 3, 0, 2, 0x01, 0, 0, 0, 0x07, 0, 0x07,
		    0x1c }, 11 },
	};
	static const uint8_t unreach[] = { 0x5f };
	/* unreachable, 11 ms, unreachable, 11 ms twice: past the window */
	static const uint8_t bounce[] = { 0x5f, 0x04, 0x5f, 0x04, 0x04 };
	struct core_seq q;
	char	name[64];

	memset(&q, 0, sizeof(q));
	core_run(&q, 60);
	put("fuzz_core", "form", q.b, q.n);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		memset(&q, 0, sizeof(q));
		core_run(&q, 60);
		core_put(&q, hostile[i].msg, hostile[i].len);
		core_run(&q, 30);
		snprintf(name, sizeof(name), "%s", hostile[i].name);
		put("fuzz_core", name, q.b, q.n);
	}
	/* a port-unreachable for node 1 (0x5f), then heartbeats go round:
	 * node 1 answers the probes */
	memset(&q, 0, sizeof(q));
	core_run(&q, 60);
	core_put(&q, unreach, 1);
	core_run(&q, 30);
	put("fuzz_core", "unreachable", q.b, q.n);
	/* the same with nothing delivered and a second unreachable (the
	 * probe's bounce) inside the window: node 1 fails fast */
	memset(&q, 0, sizeof(q));
	core_run(&q, 60);
	core_put(&q, bounce, sizeof(bounce));
	core_run(&q, 30);
	put("fuzz_core", "unreachable-bounce", q.b, q.n);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (sodium_init() < 0)
		die("sodium_init");
	datagrams();
	state_files();
	ctl_lines();
	ctl_sock_seeds();
	core_seeds();
	return 0;
}
