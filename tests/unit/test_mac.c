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
	m.sender = 3;
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
	memcpy(b.wire, a.ctl, sizeof(b.wire));
	assert_false(cmm_mac_verify(&b, buf, len));
}

static void
test_subkeys_distinct(void **state)
{
	struct cmm_keys a, b;
	unsigned char master[CMM_KEY_LEN];

	fixed_keys(&a, 0x44);
	fixed_keys(&b, 0x44);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_not_equal(a.wire, a.ctl, 32);
	assert_memory_not_equal(a.wire, a.dev, 32);
	assert_memory_not_equal(a.ctl, a.dev, 32);
	/* none of them is the master key itself */
	memset(master, 0x44, sizeof(master));
	assert_memory_not_equal(a.wire, master, 32);
	assert_memory_not_equal(a.ctl, master, 32);
	assert_memory_not_equal(a.dev, master, 32);
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
	char *ok[] = { "keygen", f->path, NULL };
	char *none[] = { "keygen", NULL };
	char *two[] = { "keygen", f->path, f->path, NULL };
	char *opt[] = { "keygen", "--bogus", NULL };
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_verify),
		cmocka_unit_test(test_every_bit_flip_fails),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_subkeys_distinct),
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
