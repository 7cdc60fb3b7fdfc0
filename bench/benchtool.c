/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * benchtool: the few things the benchmark scripts cannot do in sh.
 *
 *	benchtool now			CLOCK_MONOTONIC in ns
 *	benchtool kill PID...		SIGKILL each; prints the time of the
 *					first kill (CLOCK_MONOTONIC ns)
 *	benchtool run FILE CMD [ARG...]	run CMD; write "WALL_S MAXRSS_KB RC"
 *					to FILE (its output passes through)
 *	benchtool ports BASE COUNT	exit 0 if UDP 127.0.0.1:BASE..+COUNT-1
 *					are all free, 1 if one is taken
 *	benchtool ifdown NETNS IFNAME	take interface IFNAME of the network
 *					namespace NETNS (/run/netns/NETNS)
 *					down; prints the time just before
 *					(CLOCK_MONOTONIC ns)
 *	benchtool clocks		CLOCK_MONOTONIC and CLOCK_REALTIME
 *					in ns, read back to back
 *	benchtool syncs DIR N K		N processes at once, each writing
 *					512 bytes in place and fdatasync()ing
 *					K times in a row to its own file in
 *					DIR, as N nodes persist a round on
 *					one machine; prints the ms from the
 *					common start to the last one's end
 *
 * The daemons stamp their events (`watch --json` mono_ns) with
 * CLOCK_MONOTONIC, which is one clock for every process of the machine;
 * `date +%s%N` is the realtime clock and cannot be subtracted from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t	mono_ns(void);
static int	parse_long(const char *s, long lo, long hi, long *out);
static int	cmd_kill(int argc, char **argv);
static int	cmd_run(int argc, char **argv);
static int	cmd_ports(int argc, char **argv);
static int	cmd_ifdown(int argc, char **argv);
static int	cmd_clocks(void);
static int	cmd_syncs(int argc, char **argv);
static void	syncs_child(const char *path, long k, int go, int done);
static void	usage(void);

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
cmd_kill(int argc, char **argv)
{
	pid_t	pid[256];
	long	v;
	int64_t	t;
	int	i, rc = 0;

	if (argc < 1 || argc > 256) {
		usage();
		return 2;
	}
	/* parse everything first: the kills must follow each other closely */
	for (i = 0; i < argc; i++) {
		if (parse_long(argv[i], 2, 1L << 30, &v) < 0) {
			fprintf(stderr, "benchtool kill: '%s' is not a pid\n",
			    argv[i]);
			return 2;
		}
		pid[i] = (pid_t)v;
	}
	t = mono_ns();
	for (i = 0; i < argc; i++) {
		if (kill(pid[i], SIGKILL) < 0) {
			fprintf(stderr, "benchtool kill: %d: %s\n", (int)pid[i],
			    strerror(errno));
			rc = 1;
		}
	}
	printf("%" PRId64 "\n", t);
	return rc;
}

static int
cmd_run(int argc, char **argv)
{
	struct rusage	ru;
	FILE		*f;
	int64_t		t0, t1;
	pid_t		pid;
	int		status, rc;

	if (argc < 2) {
		usage();
		return 2;
	}
	t0 = mono_ns();
	if ((pid = fork()) < 0) {
		perror("benchtool run: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "benchtool run: %s: %s\n", argv[1],
		    strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("benchtool run: wait4");
			return 2;
		}
	}
	t1 = mono_ns();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if ((f = fopen(argv[0], "w")) == NULL) {
		fprintf(stderr, "benchtool run: %s: %s\n", argv[0],
		    strerror(errno));
		return 2;
	}
	/* ru_maxrss is in kilobytes on Linux */
	fprintf(f, "%.3f %ld %d\n", (double)(t1 - t0) / 1e9, ru.ru_maxrss, rc);
	if (fclose(f) != 0) {
		perror("benchtool run: write");
		return 2;
	}
	return rc;
}

static int
cmd_ports(int argc, char **argv)
{
	struct sockaddr_in	sa;
	long			base, count;
	int			fd[64], i, n = 0, rc = 0;

	if (argc != 2 || parse_long(argv[0], 1024, 65535, &base) < 0 ||
	    parse_long(argv[1], 1, 64, &count) < 0 || base + count > 65536) {
		usage();
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* hold every socket until the end so the test covers the whole block */
	for (i = 0; i < count && rc == 0; i++) {
		if ((fd[n] = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("benchtool ports: socket");
			rc = 2;
			break;
		}
		sa.sin_port = htons((uint16_t)(base + i));
		if (bind(fd[n], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			rc = 1;
		n++;
	}
	while (n > 0)
		close(fd[--n]);
	return rc;
}

/*
 * The host-loss benchmark's "kill": the node's only interface goes down,
 * so nothing it sends leaves and nothing sent to it is answered, not even
 * by an ICMP error.  Done here rather than by `ip link set` so that the
 * time printed is the moment of the change, not that of a fork and exec.
 */
static int
cmd_ifdown(int argc, char **argv)
{
	struct ifreq	ifr;
	char		path[256];
	int64_t		t;
	int		nsfd, fd;

	if (argc != 2 || strchr(argv[0], '/') != NULL ||
	    strlen(argv[1]) >= sizeof(ifr.ifr_name)) {
		usage();
		return 2;
	}
	if (snprintf(path, sizeof(path), "/run/netns/%s", argv[0]) >=
	    (int)sizeof(path)) {
		usage();
		return 2;
	}
	if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    setns(nsfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "benchtool ifdown: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	close(nsfd);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		perror("benchtool ifdown: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		fprintf(stderr, "benchtool ifdown: %s: %s\n", argv[1],
		    strerror(errno));
		close(fd);
		return 1;
	}
	ifr.ifr_flags = (short)(ifr.ifr_flags & ~IFF_UP);
	t = mono_ns();
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		fprintf(stderr, "benchtool ifdown: %s down: %s\n", argv[1],
		    strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("%" PRId64 "\n", t);
	return 0;
}

/* Corosync stamps its log lines with the wall clock; the daemons and the
 * kills use CLOCK_MONOTONIC: this pair converts one into the other */
static int
cmd_clocks(void)
{
	struct timespec	rt;
	int64_t		m;

	m = mono_ns();
	clock_gettime(CLOCK_REALTIME, &rt);
	printf("%" PRId64 " %" PRId64 "\n", m,
	    (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec);
	return 0;
}

/* One "node" of cmd_syncs: its file written and synced once before the
 * start (allocated, as a state file is), then K in-place writes, each
 * made durable before the next, as an acceptor's and a learner's are;
 * its end time (CLOCK_MONOTONIC ns, or -1) goes to the done pipe. */
static void
syncs_child(const char *path, long k, int go, int done)
{
	char	buf[512];
	int64_t	t = -1;
	int	fd;
	char	c;

	memset(buf, 0x5a, sizeof(buf));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0)
		fprintf(stderr, "benchtool syncs: %s: %s\n", path,
		    strerror(errno));
	else if (read(go, &c, 1) == 0) {	/* the start: EOF for all */
		long i;

		for (i = 0; i < k; i++) {
			buf[0] = (char)i;
			if (pwrite(fd, buf, sizeof(buf), 0) !=
			    (ssize_t)sizeof(buf) || fdatasync(fd) != 0) {
				fprintf(stderr, "benchtool syncs: %s: %s\n",
				    path, strerror(errno));
				break;
			}
		}
		if (i == k)
			t = mono_ns();
	}
	/* 8 bytes to a pipe: one atomic write, never interleaved */
	if (write(done, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(1);
	if (fd >= 0)
		(void)unlink(path);
	_exit(t < 0);
}

static int
cmd_syncs(int argc, char **argv)
{
	char	path[4096];
	int64_t	t0, t, last = 0;
	long	n, k, i;
	int	go[2], done[2], rc = 0;

	if (argc != 3) {
		usage();
		return 2;
	}
	if (parse_long(argv[1], 1, 256, &n) < 0 ||
	    parse_long(argv[2], 1, 1000, &k) < 0) {
		fprintf(stderr, "benchtool syncs: N '%s' must be 1..256 and K "
		    "'%s' 1..1000\n", argv[1], argv[2]);
		return 2;
	}
	if (pipe(go) != 0 || pipe(done) != 0) {
		perror("benchtool syncs: pipe");
		return 2;
	}
	for (i = 0; i < n; i++) {
		pid_t pid;

		snprintf(path, sizeof(path), "%s/sync.%ld", argv[0], i);
		if ((pid = fork()) < 0) {
			perror("benchtool syncs: fork");
			return 2;
		}
		if (pid == 0) {
			close(go[1]);
			close(done[0]);
			syncs_child(path, k, go[0], done[1]);
		}
	}
	close(go[0]);
	close(done[1]);
	/* every child has written its file before it reads: let them all
	 * get there, then start them at once by closing the pipe */
	usleep(200 * 1000);
	t0 = mono_ns();
	close(go[1]);
	for (i = 0; i < n; i++) {
		if (read(done[0], &t, sizeof(t)) != (ssize_t)sizeof(t) ||
		    t < 0) {
			rc = 1;
			break;
		}
		if (t > last)
			last = t;
	}
	while (wait(NULL) > 0)
		;
	if (rc != 0) {
		fprintf(stderr, "benchtool syncs: a writer failed\n");
		return 1;
	}
	printf("%.3f\n", (double)(last - t0) / 1e6);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: benchtool now | kill PID... | "
	    "run FILE CMD [ARG...] | ports BASE COUNT | ifdown NETNS IFNAME "
	    "| clocks | syncs DIR N K\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "now") == 0 && argc == 2) {
		printf("%" PRId64 "\n", mono_ns());
		return 0;
	}
	if (strcmp(argv[1], "kill") == 0)
		return cmd_kill(argc - 2, argv + 2);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "ports") == 0)
		return cmd_ports(argc - 2, argv + 2);
	if (strcmp(argv[1], "ifdown") == 0)
		return cmd_ifdown(argc - 2, argv + 2);
	if (strcmp(argv[1], "clocks") == 0 && argc == 2)
		return cmd_clocks();
	if (strcmp(argv[1], "syncs") == 0)
		return cmd_syncs(argc - 2, argv + 2);
	usage();
	return 2;
}
