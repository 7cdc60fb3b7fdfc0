/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ctl_sock: the control protocol through the control server's own
 * framing (src/ctl/ctl_server.c), with a real daemon behind it.
 *
 * No daemon process: each input gets a fresh struct cmm_daemon made by
 * cmm_daemon_new() in this process, for node 0 of a two-node config in a
 * private directory (/dev/shm when it exists: its fsyncs are free), on a
 * free UDP port; the peer never runs.  The input is written, as a client
 * would write it, into one end of a socketpair whose other end the daemon
 * serves as a control connection (cmm_ctl_server_attach_fd(): the path of
 * the console attached in the same process, through the same buffering,
 * line splitting, limits, command dispatch and reply framing as a
 * connection on the unix socket); then the write side is shut, and the
 * daemon's event loop runs without blocking until the server closes the
 * connection or a bound of loop turns (a `wait` or `watch` may keep it).
 * What the server wrote must be:
 *   - the greeting "V 1 0" first;
 *   - lines of the protocol only: every complete line has a known tag;
 *   - at most one end-of-reply line ('+' or '-') per request line sent;
 *   - each --json reply body one JSON object.
 * The daemon is freed after each input (pending waits fail, watchers are
 * closed) and its state dir removed, so one input never depends on
 * another, and a leak is a leak.  FUZZ_CTL_TRACE=1 prints the output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "net/mac.h"
#include "src/ctl/ctl_proto.h"
#include "src/ctl/ctl_server.h"
#include "src/node/daemon.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOCK_IN_MAX	(64 * 1024)	/* bytes of input written */
#define SOCK_OUT_MAX	(4 << 20)	/* bytes of output read */
#define SOCK_TURNS	200		/* loop turns per input */

static char	dir[256], conf[320], statedir[320];

static int
sock_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
sock_cleanup(void)
{
	/* the private dir: config, key, state, history, socket */
	nftw(dir, sock_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* A UDP port on 127.0.0.1 that nothing holds now. */
static int
sock_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	fd = socket(AF_INET, SOCK_DGRAM, 0), port = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("TMPDIR");
	char	key[300], err[512];
	struct stat st;
	FILE	*f;
	int	port = sock_free_port();

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || port < 0)
		abort();
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	snprintf(dir, sizeof(dir), "%s/cmm-fuzz-ctl.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(sock_cleanup);
	snprintf(key, sizeof(key), "%s/key", dir);
	if (cmm_key_generate(key, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_ctl_sock: %s\n", err);
		abort();
	}
	snprintf(conf, sizeof(conf), "%s/cluster.conf", dir);
	snprintf(statedir, sizeof(statedir), "%s/state0", dir);
	if ((f = fopen(conf, "w")) == NULL)
		abort();
	/* the peer is on a port nothing answers: node 0 stays alone, asks
	 * the isolation question, and every command has something to say */
	fprintf(f, "[cluster]\nname = fuzz-ctl\nkey_file = key\n"
	    "state_dir = state%%n\ncontrol_socket = node%%n.sock\n"
	    "fault_injection = on\nheartbeat_ms = 50\nfailure_timeout_ms = 200\n"
	    "[node 0]\naddress = 127.0.0.1:%d\n[node 1]\n"
	    "address = 127.0.0.1:%d\n", port, port == 65535 ? 1 : port + 1);
	if (fclose(f) != 0)
		abort();
	/* a client that hangs up must not kill the harness */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Writes what fits of data without blocking; returns the bytes written. */
static size_t
sock_write(int fd, const uint8_t *data, size_t size)
{
	size_t	off = 0;

	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	return off;
}

/* Runs the loop and reads the output until the server closes or the
 * turns run out.  Returns the bytes read into out (NUL-terminated). */
static size_t
sock_drive(struct cmm_daemon *d, int fd, char *out, size_t cap)
{
	size_t	got = 0;
	bool	eof = false;

	for (int turn = 0; turn < SOCK_TURNS && !eof && got < cap - 1; turn++) {
		event_base_loop(cmm_daemon_base(d), EVLOOP_NONBLOCK);
		while (got < cap - 1) {
			ssize_t n = read(fd, out + got, cap - 1 - got);

			if (n == 0)
				eof = true;	/* the server closed */
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	out[got] = '\0';
	return got;
}

/* The server's output against the protocol (src/ctl/ctl_proto.h). */
static void
sock_check(char *out, size_t len, int requests)
{
	char	*line = out, *nl;
	int	ends = 0, n = 0;
	bool	json_body = false;

	(void)len;
	while ((nl = strchr(line, '\n')) != NULL) {
		const char *payload;
		enum cmm_ctl_tag tag;

		*nl = '\0';
		tag = cmm_ctl_parse_line(line, &payload);
		FUZZ_CHECK(tag != CMM_CTL_BAD);
		if (n++ == 0) {
			int version, node;

			FUZZ_CHECK(tag == CMM_CTL_HELLO);
			FUZZ_CHECK(cmm_ctl_parse_hello(payload, &version,
			    &node) == 0 && version == CMM_CTL_VERSION &&
			    node == 0);
		}
		if (tag == CMM_CTL_OK || tag == CMM_CTL_ERR)
			ends++;
		/* a body that opens as an object is one whole object */
		json_body = tag == CMM_CTL_BODY && payload[0] == '{';
		if (json_body) {
			json_error_t jerr;
			json_t *o = json_loads(payload, 0, &jerr);

			FUZZ_CHECK(o != NULL && json_is_object(o));
			json_decref(o);
		}
		line = nl + 1;
	}
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(ends <= requests);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[SOCK_OUT_MAX];
	struct cmm_daemon_opts o = { .config_path = conf, .id = 0,
	    .headless = true, .log_level = CMM_LOG_ERROR };
	struct cmm_daemon *d;
	struct cmm_ctl_server *srv = NULL;
	char	err[1024];
	size_t	sent, got;
	int	sv[2], code, requests = 0;

	if (size > SOCK_IN_MAX)
		size = SOCK_IN_MAX;
	/* a fresh node every time: nothing learned by an earlier input */
	nftw(statedir, sock_rm, 8, FTW_DEPTH | FTW_PHYS);
	d = cmm_daemon_new(&o, err, sizeof(err), &code);
	if (d == NULL || (srv = cmm_ctl_server_new(d, cmm_daemon_sock_path(d),
	    err, sizeof(err))) == NULL || cmm_daemon_start(d, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_ctl_sock: %s\n", err);
		abort();
	}
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	FUZZ_CHECK(cmm_ctl_server_attach_fd(srv, sv[1]) == 0);
	FUZZ_CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	sent = sock_write(sv[0], data, size);
	/* every LF ends a request (a last line without one never gets an
	 * answer, so one more is allowed for it) */
	for (size_t i = 0; i < sent; i++)
		requests += data[i] == '\n';
	requests++;
	shutdown(sv[0], SHUT_WR);
	got = sock_drive(d, sv[0], out, sizeof(out));
	if (getenv("FUZZ_CTL_TRACE") != NULL)
		fprintf(stderr, "%s", out);
	sock_check(out, got, requests);
	close(sv[0]);
	/* the server notices the hang-up; then everything goes */
	event_base_loop(cmm_daemon_base(d), EVLOOP_NONBLOCK);
	cmm_ctl_server_free(srv);
	cmm_daemon_free(d);
	return 0;
}
