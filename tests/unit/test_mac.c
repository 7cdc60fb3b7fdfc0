/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_mac: packet MAC and the cluster key file (net/mac.h), and
 * `cmm keygen`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <sodium.h>

#include "net/mac.h"
#include "net/packet.h"
#include "net/wire.h"
#include "src/subcmd.h"

struct fx {
	char	dir[64];
	char	path[128];
	char	err[512];
};

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cmm-test-mac.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/cluster.key", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Writes text to path with the given mode (exactly, whatever the umask). */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
fixed_keys(struct cmm_keys *k, unsigned char fill)
{
	unsigned char master[CMM_KEY_LEN];

	memset(master, fill, sizeof(master));
	assert_int_equal(cmm_keys_derive(master, k), 0);
}

static size_t
sample_datagram(const struct cmm_keys *k, uint8_t *buf, size_t cap)
{
	struct cmm_msg m;
	int n;

	memset(&m, 0, sizeof(m));
	m.type = CMM_MSG_ACCEPT;
	m.vmin = CMM_PROTO_MIN;
	m.vmax = CMM_PROTO_MAX;
	m.sender = 3;
	m.dest = 4;
	m.incarnation = 2;
	m.seq = 17;
	m.instance = 5;
	m.ballot = cmm_ballot_make(2, 3);
	cmm_set_add(&m.value, 1);
	cmm_set_add(&m.value, 3);
	cmm_set_add(&m.members, 900);
	n = cmm_packet_seal(k, 77, &m, buf, cap);
	assert_true(n > CMM_WIRE_MAC_LEN);
	return (size_t)n;
}

/* The tag from the keyed state is HMAC-SHA-512/256 with the wire key, as
 * libsodium computes it in one call, for every length up to a datagram
 * (across SHA-512's 128-byte blocks). */
static void
test_tag_is_hmac(void **state)
{
	struct cmm_keys k;
	uint8_t buf[CMM_WIRE_MAX];
	unsigned char want[CMM_WIRE_MAC_LEN];

	(void)state;
	fixed_keys(&k, 0x55);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 0; len + CMM_WIRE_MAC_LEN <= sizeof(buf); len += 13) {
		crypto_auth_hmacsha512256(want, buf, len, k.wire);
		assert_int_equal(cmm_mac_seal(&k, buf, len),
		    len + CMM_WIRE_MAC_LEN);
		assert_memory_equal(buf + len, want, sizeof(want));
		assert_true(cmm_mac_verify(&k, buf, len + CMM_WIRE_MAC_LEN));
		buf[len] ^= 1;
		assert_false(cmm_mac_verify(&k, buf, len + CMM_WIRE_MAC_LEN));
	}
}

static void
test_seal_verify(void **state)
{
	struct cmm_keys k;
	uint8_t buf[CMM_WIRE_MAX], again[CMM_WIRE_MAX];
	size_t len, body;

	fixed_keys(&k, 0x11);
	len = sample_datagram(&k, buf, sizeof(buf));
	assert_true(cmm_mac_verify(&k, buf, len));
	/* seal appends exactly the tag and is deterministic */
	body = len - CMM_WIRE_MAC_LEN;
	memcpy(again, buf, body);
	assert_int_equal(cmm_mac_seal(&k, again, body), len);
	assert_memory_equal(again, buf, len);
	/* too short to hold a tag */
	assert_false(cmm_mac_verify(&k, buf, CMM_WIRE_MAC_LEN - 1));
	assert_false(cmm_mac_verify(&k, buf, 0));
	/* a truncated or extended datagram fails */
	assert_false(cmm_mac_verify(&k, buf, len - 1));
	buf[len] = 0;
	assert_false(cmm_mac_verify(&k, buf, len + 1));
}

static void
test_every_bit_flip_fails(void **state)
{
	struct cmm_keys k;
	uint8_t buf[CMM_WIRE_MAX];
	size_t len;

	fixed_keys(&k, 0x22);
	len = sample_datagram(&k, buf, sizeof(buf));
	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			buf[i] ^= (uint8_t)(1u << b);
			if (cmm_mac_verify(&k, buf, len))
				fail_msg("flip of byte %zu bit %d verified",
				    i, b);
			buf[i] ^= (uint8_t)(1u << b);
		}
	}
	assert_true(cmm_mac_verify(&k, buf, len));
}

static void
test_wrong_key_fails(void **state)
{
	struct cmm_keys a, b;
	uint8_t buf[CMM_WIRE_MAX];
	size_t len;

	fixed_keys(&a, 0x33);
	fixed_keys(&b, 0x34);
	len = sample_datagram(&a, buf, sizeof(buf));
	assert_true(cmm_mac_verify(&a, buf, len));
	assert_false(cmm_mac_verify(&b, buf, len));
	/* the wire key is a subkey, not the other subkeys */
	memcpy(b.wire, a.dev, sizeof(b.wire));
	cmm_keys_rekey(&b);
	assert_false(cmm_mac_verify(&b, buf, len));
	/* and the keyed state is the wire key's: b with a's wire key
	 * verifies a's datagram */
	memcpy(b.wire, a.wire, sizeof(b.wire));
	cmm_keys_rekey(&b);
	assert_true(cmm_mac_verify(&b, buf, len));
}

static void
test_subkeys_distinct(void **state)
{
	struct cmm_keys a, b;
	unsigned char master[CMM_KEY_LEN];

	fixed_keys(&a, 0x44);
	fixed_keys(&b, 0x44);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_not_equal(a.wire, a.dev, 32);
	assert_memory_not_equal(a.cfg, a.wire, 32);
	assert_memory_not_equal(a.cfg, a.dev, 32);
	/* none of them is the master key itself */
	memset(master, 0x44, sizeof(master));
	assert_memory_not_equal(a.wire, master, 32);
	assert_memory_not_equal(a.dev, master, 32);
	assert_memory_not_equal(a.cfg, master, 32);
	cmm_keys_wipe(&a);
	memset(master, 0, sizeof(master));
	assert_memory_equal(a.wire, master, 32);
	assert_memory_equal(a.dev, master, 32);
}

static void
test_generate_and_load(void **state)
{
	struct fx *f = *state;
	struct cmm_keys k1, k2;
	struct stat st;
	char text[128];
	FILE *fp;
	size_t n;
	uint8_t buf[CMM_WIRE_MAX];
	size_t len;

	assert_int_equal(cmm_key_generate(f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	assert_int_equal(n, CMM_KEY_HEXLEN + 1);
	assert_int_equal(text[CMM_KEY_HEXLEN], '\n');
	for (int i = 0; i < CMM_KEY_HEXLEN; i++)
		assert_non_null(strchr("0123456789abcdef", text[i]));

	assert_int_equal(cmm_key_load(f->path, &k1, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(cmm_key_load(f->path, &k2, f->err, sizeof(f->err)),
	    0);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	/* two nodes loading one file can talk */
	len = sample_datagram(&k1, buf, sizeof(buf));
	assert_true(cmm_mac_verify(&k2, buf, len));

	/* a second key is a different key */
	snprintf(f->path, sizeof(f->path), "%s/other.key", f->dir);
	assert_int_equal(cmm_key_generate(f->path, f->err, sizeof(f->err)),
	    0);
	assert_int_equal(cmm_key_load(f->path, &k2, f->err, sizeof(f->err)),
	    0);
	assert_memory_not_equal(k1.wire, k2.wire, 32);
	assert_false(cmm_mac_verify(&k2, buf, len));
}

static void
test_generate_refuses_overwrite(void **state)
{
	struct fx *f = *state;
	char text[128] = { 0 };
	FILE *fp;

	write_file(f->path, "precious\n", 0600);
	assert_int_equal(cmm_key_generate(f->path, f->err, sizeof(f->err)),
	    -1);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "exists"));
	assert_null(strchr(f->err, '\n'));
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_true(fread(text, 1, sizeof(text) - 1, fp) > 0);
	fclose(fp);
	assert_string_equal(text, "precious\n");
	/* nor into a directory that does not exist */
	snprintf(f->path, sizeof(f->path), "%s/no/such/dir.key", f->dir);
	assert_int_equal(cmm_key_generate(f->path, f->err, sizeof(f->err)),
	    -1);
	assert_non_null(strstr(f->err, f->path));
}

/* Loads path, expects a refusal whose message names the file and
 * contains `reason`. */
static void
expect_refused(struct fx *f, const char *reason)
{
	struct cmm_keys k;

	memset(f->err, 0, sizeof(f->err));
	if (cmm_key_load(f->path, &k, f->err, sizeof(f->err)) != -1)
		fail_msg("%s: loaded, want refusal (%s)", f->path, reason);
	if (strstr(f->err, f->path) == NULL || strstr(f->err, reason) == NULL)
		fail_msg("error '%s' lacks '%s' or the path", f->err, reason);
	assert_null(strchr(f->err, '\n'));
}

static void
test_load_refusals(void **state)
{
	struct fx *f = *state;
	char good[CMM_KEY_HEXLEN + 2], text[256];
	struct cmm_keys k;

	memset(good, 'a', CMM_KEY_HEXLEN);
	good[CMM_KEY_HEXLEN] = '\n';
	good[CMM_KEY_HEXLEN + 1] = '\0';

	expect_refused(f, "does not exist");

	write_file(f->path, good, 0644);
	expect_refused(f, "group or others");
	write_file(f->path, good, 0604);
	expect_refused(f, "group or others");
	write_file(f->path, good, 0620);
	expect_refused(f, "group or others");
	write_file(f->path, good, 0600);
	assert_int_equal(cmm_key_load(f->path, &k, f->err, sizeof(f->err)), 0);
	write_file(f->path, good, 0400);
	assert_int_equal(cmm_key_load(f->path, &k, f->err, sizeof(f->err)), 0);
	/* no trailing newline is still the same key */
	snprintf(text, sizeof(text), "%.*s", CMM_KEY_HEXLEN, good);
	write_file(f->path, text, 0600);
	assert_int_equal(cmm_key_load(f->path, &k, f->err, sizeof(f->err)), 0);

	write_file(f->path, "", 0600);
	expect_refused(f, "too short");
	snprintf(text, sizeof(text), "%.*s\n", CMM_KEY_HEXLEN - 2, good);
	write_file(f->path, text, 0600);
	expect_refused(f, "too short");
	snprintf(text, sizeof(text), "%.*s00\n", CMM_KEY_HEXLEN, good);
	write_file(f->path, text, 0600);
	expect_refused(f, "too long");
	snprintf(text, sizeof(text), "%s%s", good, good);
	write_file(f->path, text, 0600);
	expect_refused(f, "too long");
	snprintf(text, sizeof(text), "%.*sxz\n", CMM_KEY_HEXLEN - 2, good);
	write_file(f->path, text, 0600);
	expect_refused(f, "not a hex key");
	snprintf(text, sizeof(text), " %.*s\n", CMM_KEY_HEXLEN - 1, good);
	write_file(f->path, text, 0600);
	expect_refused(f, "not a hex key");
	/* far more than a key: must not overflow anything */
	memset(text, 'b', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	write_file(f->path, text, 0600);
	expect_refused(f, "too long");

	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	expect_refused(f, "not a regular file");
}

static void
test_keygen_command(void **state)
{
	struct fx *f = *state;
	char *ok[] = { (char []){ "keygen" }, f->path, NULL };
	char *none[] = { (char []){ "keygen" }, NULL };
	char *two[] = { (char []){ "keygen" }, f->path, f->path, NULL };
	char *opt[] = { (char []){ "keygen" }, (char []){ "--bogus" }, NULL };
	struct cmm_keys k;
	struct stat st;

	assert_int_equal(cmm_keygen_main(1, none), 2);
	assert_int_equal(cmm_keygen_main(3, two), 2);
	assert_int_equal(cmm_keygen_main(2, opt), 2);
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(cmm_keygen_main(2, ok), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cmm_key_load(f->path, &k, f->err, sizeof(f->err)), 0);
	/* a second run must not replace the cluster's key */
	assert_int_equal(cmm_keygen_main(2, ok), 1);
}

/* ---- the receive path (net/packet.h) ---- */

#define CID	77u

/* A good message from node 3 to node 4. */
static void
base_msg(struct cmm_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->vmin = CMM_PROTO_MIN;
	m->vmax = CMM_PROTO_MAX;
	m->sender = 3;
	m->dest = 4;
	m->incarnation = 9;
	m->seq = 100;
	memset(m->digest, 0xd1, sizeof(m->digest));
	cmm_set_add(&m->members, 3);
}

/* The prefix of a good datagram, then `body` (vectors and extensions as
 * raw bytes), then a tag made with key k: the MAC says nothing of whether
 * the body parses. */
static size_t
forge(const struct cmm_keys *k, const uint8_t *body, size_t blen,
    uint8_t *buf)
{
	struct cmm_msg m;
	int n;

	base_msg(&m, CMM_MSG_HEARTBEAT);
	n = cmm_wire_encode(&m, CID, buf, CMM_WIRE_MAX);
	assert_true(n >= CMM_WIRE_PREFIX_LEN);
	memcpy(buf + CMM_WIRE_PREFIX_LEN, body, blen);
	return cmm_mac_seal(k, buf, CMM_WIRE_PREFIX_LEN + blen);
}

static enum cmm_drop
open_at(const struct cmm_keys *k, int self, const uint8_t *digest,
    struct cmm_replay *win, struct cmm_replay *probes, const uint8_t *buf,
    size_t len, struct cmm_msg *out)
{
	struct cmm_rx rx = { .keys = k, .cluster_id = CID, .self = self,
	    .digest = digest, .replay = win, .probes = probes };

	return cmm_packet_open(&rx, buf, len, out);
}

/* The MAC is checked before anything past the fixed prefix is parsed: a
 * body that would not parse is "auth" under a bad tag, and only with a
 * good one is it found malformed. */
static void
test_mac_before_parse(void **state)
{
	static const struct {
		const char	*what;
		uint8_t		body[16];
		size_t		len;
		enum cmm_drop	good;	/* with a good tag */
	} cases[] = {
		{ "vector with a trailing zero byte",
		  { 0, 2, 1, 0, 0, 0, 0, 0 }, 8, CMM_DROP_MALFORMED },
		{ "vector longer than 1024 bits",
		  { 0xff, 0xff, 0, 0, 0, 0 }, 6, CMM_DROP_MALFORMED },
		{ "vector cut off", { 0, 0, 0, 0, 0, 9, 1 }, 7, CMM_DROP_SHORT },
		{ "extension tag 0", { 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 9,
		  CMM_DROP_MALFORMED },
		{ "extension cut off", { 0, 0, 0, 0, 0, 0, 200, 0, 5, 1 }, 10,
		  CMM_DROP_SHORT },
		{ "well formed", { 0, 0, 0, 0, 0, 0 }, 6, CMM_DROP_NONE },
	};
	struct cmm_keys k, evil;
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg out;

	(void)state;
	fixed_keys(&k, 0x51);
	fixed_keys(&evil, 0x52);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = forge(&evil, cases[i].body, cases[i].len, buf);

		if (open_at(&k, 4, NULL, NULL, NULL, buf, len, &out) !=
		    CMM_DROP_AUTH)
			fail_msg("%s, bad tag: not auth", cases[i].what);
		len = forge(&k, cases[i].body, cases[i].len, buf);
		if (open_at(&k, 4, NULL, NULL, NULL, buf, len, &out) !=
		    cases[i].good)
			fail_msg("%s, good tag: not %s", cases[i].what,
			    cmm_drop_name(cases[i].good));
	}
	/* ids are checked after the MAC too: sender 1024 under a bad tag */
	{
		uint8_t body[6] = { 0 };
		size_t len = forge(&evil, body, sizeof(body), buf);

		buf[28] = 0x04;		/* sender = 0x0400 */
		buf[29] = 0x00;
		assert_int_equal(open_at(&k, 4, NULL, NULL, NULL, buf, len, &out),
		    CMM_DROP_AUTH);
		len = cmm_mac_seal(&k, buf, len - CMM_WIRE_MAC_LEN);
		assert_int_equal(open_at(&k, 4, NULL, NULL, NULL, buf, len, &out),
		    CMM_DROP_MALFORMED);
	}
}

/* A datagram names its destination: captured on its way to node 4, it is
 * refused by node 5, and does not move node 5's window. */
static void
test_misdirected(void **state)
{
	struct cmm_keys k;
	struct cmm_replay *win = calloc(1, sizeof(*win));
	uint8_t buf[CMM_WIRE_MAX];
	struct cmm_msg m, out;
	int n;

	(void)state;
	assert_non_null(win);
	fixed_keys(&k, 0x61);
	base_msg(&m, CMM_MSG_HEARTBEAT);
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(open_at(&k, 5, m.digest, win, NULL, buf, (size_t)n,
	    &out), CMM_DROP_MISDIRECTED);
	assert_false(win->win[3].seen);
	/* probes are addressed too */
	base_msg(&m, CMM_MSG_PROBE);
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 5, m.digest, win, win, buf, (size_t)n,
	    &out), CMM_DROP_MISDIRECTED);
	assert_false(win->win[3].seen);
	/* the node it was meant for takes it */
	assert_int_equal(open_at(&k, 4, m.digest, win, win, buf, (size_t)n,
	    &out), CMM_DROP_NONE);
	assert_int_equal(out.dest, 4);
	free(win);
}

/* Another config digest: "config", with the message handed back (for the
 * split-brain alarm) and the window moved, so a replay of it is a replay.
 * A probe is answered whatever its digest. */
static void
test_config_digest(void **state)
{
	struct cmm_keys k;
	struct cmm_replay *win = calloc(1, sizeof(*win));
	uint8_t buf[CMM_WIRE_MAX], ours[CMM_DIGEST_LEN];
	struct cmm_msg m, out;
	int n;

	(void)state;
	assert_non_null(win);
	fixed_keys(&k, 0x71);
	memset(ours, 0xd2, sizeof(ours));
	base_msg(&m, CMM_MSG_HEARTBEAT);
	m.epoch = 6;
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	memset(&out, 0, sizeof(out));
	assert_int_equal(open_at(&k, 4, ours, win, NULL, buf, (size_t)n, &out),
	    CMM_DROP_CONFIG);
	assert_int_equal(out.epoch, 6);
	assert_int_equal(out.sender, 3);
	assert_true(win->win[3].seen);
	assert_int_equal(open_at(&k, 4, ours, win, NULL, buf, (size_t)n, &out),
	    CMM_DROP_REPLAY);
	/* the same digest passes */
	m.seq++;
	memcpy(m.digest, ours, sizeof(ours));
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 4, ours, win, NULL, buf, (size_t)n, &out),
	    CMM_DROP_NONE);
	/* no digest to compare (a tool): anything passes */
	m.seq++;
	memset(m.digest, 0xee, sizeof(m.digest));
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 4, NULL, win, NULL, buf, (size_t)n, &out),
	    CMM_DROP_NONE);
	/* a probe with another digest is still answered */
	base_msg(&m, CMM_MSG_PROBE);
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 4, ours, win, NULL, buf, (size_t)n, &out),
	    CMM_DROP_NONE);
	free(win);
}

/* Probes have a window of their own: a replayed probe is a replay, and a
 * probe from `cmm check` speaking as node 3 (with its own incarnation)
 * neither moves node 3's window nor is caught by it. */
static void
test_probe_window(void **state)
{
	struct cmm_keys k;
	struct cmm_replay *win = calloc(1, sizeof(*win));
	struct cmm_replay *probes = calloc(1, sizeof(*probes));
	uint8_t buf[CMM_WIRE_MAX], hb[CMM_WIRE_MAX];
	struct cmm_msg m, out;
	int n, hn;

	(void)state;
	assert_true(win != NULL && probes != NULL);
	fixed_keys(&k, 0x81);
	base_msg(&m, CMM_MSG_HEARTBEAT);
	m.incarnation = 5;
	m.seq = 1;
	hn = cmm_packet_seal(&k, CID, &m, hb, sizeof(hb));
	base_msg(&m, CMM_MSG_PROBE);
	m.incarnation = 1700000000;	/* the prober's clock */
	m.seq = 999;
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 4, NULL, win, probes, buf, (size_t)n,
	    &out), CMM_DROP_NONE);
	assert_false(win->win[3].seen);
	assert_true(probes->win[3].seen);
	assert_int_equal(open_at(&k, 4, NULL, win, probes, buf, (size_t)n,
	    &out), CMM_DROP_REPLAY);
	/* node 3's own heartbeat, of a far lower incarnation, still counts */
	assert_int_equal(open_at(&k, 4, NULL, win, probes, hb, (size_t)hn,
	    &out), CMM_DROP_NONE);
	assert_int_equal(open_at(&k, 4, NULL, win, probes, hb, (size_t)hn,
	    &out), CMM_DROP_REPLAY);
	/* answers share the probe window */
	base_msg(&m, CMM_MSG_PROBE_ACK);
	m.incarnation = 5;
	m.seq = 2;
	n = cmm_packet_seal(&k, CID, &m, buf, sizeof(buf));
	assert_int_equal(open_at(&k, 4, NULL, win, probes, buf, (size_t)n,
	    &out), CMM_DROP_REPLAY);	/* incarnation below the probe's */
	assert_int_equal(win->win[3].top, 1);
	free(probes);
	free(win);
}

/* The config digest: keyed, so only key holders make or check one. */
static void
test_digest(void **state)
{
	struct cmm_keys a, b;
	uint8_t d1[CMM_DIGEST_LEN], d2[CMM_DIGEST_LEN], d3[CMM_DIGEST_LEN];
	static const char text[] = "cmm-config 1\nname x\n";

	(void)state;
	fixed_keys(&a, 0x91);
	fixed_keys(&b, 0x92);
	cmm_mac_digest(&a, text, sizeof(text) - 1, d1);
	cmm_mac_digest(&a, text, sizeof(text) - 1, d2);
	assert_memory_equal(d1, d2, sizeof(d1));
	cmm_mac_digest(&b, text, sizeof(text) - 1, d3);
	assert_memory_not_equal(d1, d3, sizeof(d1));
	cmm_mac_digest(&a, text, sizeof(text) - 2, d3);
	assert_memory_not_equal(d1, d3, sizeof(d1));
	memset(d2, 0, sizeof(d2));
	assert_memory_not_equal(d1, d2, sizeof(d1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_verify),
		cmocka_unit_test(test_tag_is_hmac),
		cmocka_unit_test(test_every_bit_flip_fails),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_subkeys_distinct),
		cmocka_unit_test(test_mac_before_parse),
		cmocka_unit_test(test_misdirected),
		cmocka_unit_test(test_config_digest),
		cmocka_unit_test(test_probe_window),
		cmocka_unit_test(test_digest),
		cmocka_unit_test_setup_teardown(test_generate_and_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_generate_refuses_overwrite,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keygen_command, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
