/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * failfs: an LD_PRELOAD shim that makes a disk fail on demand (crash
 * safety), for tests/mp/crash_failfs.sh.
 *
 *	cc -shared -fPIC -o failfs.so tests/tools/failfs.c -ldl
 *	LD_PRELOAD=./failfs.so CMM_FAILFS="fsync errno=EIO after=2 \
 *	    path=/state2/ trigger=/tmp/arm log" cmm node ...
 *
 * CMM_FAILFS is a list of words:
 *	fsync fdatasync write pwrite	the calls that fail (default: fsync)
 *	errno=EIO|ENOSPC|EDQUOT		what they fail with (default EIO)
 *	after=N		the first N matching calls still succeed (default 0)
 *	path=TEXT	only files and directories whose path holds TEXT
 *	trigger=FILE	nothing counts or fails until FILE exists, so a test
 *			arms the fault when the node is where it wants it
 *	log		one line on stderr per failed call
 *	trace		one line on stderr per matching call on a path that
 *			matches, armed or not, failed or not (a test sees
 *			when the node flushed)
 * Only regular files and directories are touched: sockets, pipes and
 * terminals always work, so the node can still talk and log.  Without
 * CMM_FAILFS the shim changes nothing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define OP_FSYNC	0x01
#define OP_FDATASYNC	0x02
#define OP_WRITE	0x04
#define OP_PWRITE	0x08

int	fsync(int fd);
int	fdatasync(int fd);
ssize_t	write(int fd, const void *buf, size_t n);
ssize_t	pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t	pwrite64(int fd, const void *buf, size_t n, off_t off);

static struct {
	bool	on, log, trace;
	unsigned ops;
	int	err;
	long	after;
	char	path[256], trigger[512];
	long	count;		/* matching calls since armed */
	long	failed;
} ff;

static void
ff_parse(void)
{
	const char *env = getenv("CMM_FAILFS");
	char	buf[1024], *w, *save = NULL;

	if (env == NULL || *env == '\0')
		return;
	ff.err = EIO;
	snprintf(buf, sizeof(buf), "%s", env);
	for (w = strtok_r(buf, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "fsync") == 0)
			ff.ops |= OP_FSYNC;
		else if (strcmp(w, "fdatasync") == 0)
			ff.ops |= OP_FDATASYNC;
		else if (strcmp(w, "write") == 0)
			ff.ops |= OP_WRITE;
		else if (strcmp(w, "pwrite") == 0)
			ff.ops |= OP_PWRITE;
		else if (strcmp(w, "log") == 0)
			ff.log = true;
		else if (strcmp(w, "trace") == 0)
			ff.trace = true;
		else if (strcmp(w, "errno=ENOSPC") == 0)
			ff.err = ENOSPC;
		else if (strcmp(w, "errno=EDQUOT") == 0)
			ff.err = EDQUOT;
		else if (strcmp(w, "errno=EIO") == 0)
			ff.err = EIO;
		else if (strncmp(w, "after=", 6) == 0)
			ff.after = strtol(w + 6, NULL, 10);
		else if (strncmp(w, "path=", 5) == 0)
			snprintf(ff.path, sizeof(ff.path), "%s", w + 5);
		else if (strncmp(w, "trigger=", 8) == 0)
			snprintf(ff.trigger, sizeof(ff.trigger), "%s", w + 8);
		else {
			/* a typo must not look like a disk that works */
			static const char msg[] = "failfs: bad word in CMM_FAILFS\n";
			ssize_t (*real)(int, const void *, size_t) =
			    (ssize_t (*)(int, const void *, size_t))
			    dlsym(RTLD_NEXT, "write");

			if (real != NULL)
				(void)real(2, msg, sizeof(msg) - 1);
			abort();
		}
	}
	if (ff.ops == 0)
		ff.ops = OP_FSYNC;
	ff.on = true;
}

/* One line on stderr, past the shim's own write(). */
static void
ff_say(const char *name, const char *path, const char *how)
{
	char	msg[700];
	int	len = snprintf(msg, sizeof(msg), "failfs: %s(%s)%s\n", name, path,
	    how);
	ssize_t (*real)(int, const void *, size_t) =
	    (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

	if (real != NULL && len > 0)
		(void)real(2, msg, (size_t)len < sizeof(msg) ? (size_t)len :
		    sizeof(msg) - 1);
}

/* Should this call on fd fail?  Sets errno when it should. */
static bool
ff_fail(int fd, unsigned op, const char *name)
{
	char	link[64], path[512];
	struct stat st;
	ssize_t	n;
	long	nth;

	static pthread_once_t once = PTHREAD_ONCE_INIT;

	/* every thread sees the settings complete (the device worker writes
	 * from its own thread) */
	pthread_once(&once, ff_parse);
	if (!ff.on || (ff.ops & op) == 0)
		return false;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	if (ff.path[0] != '\0' && strstr(path, ff.path) == NULL)
		return false;
	if (ff.trigger[0] != '\0' && access(ff.trigger, F_OK) != 0) {
		if (ff.trace)
			ff_say(name, path, "");
		return false;
	}
	nth = __atomic_add_fetch(&ff.count, 1, __ATOMIC_ACQ_REL);
	if (nth <= ff.after) {
		if (ff.trace)
			ff_say(name, path, "");
		return false;
	}
	__atomic_add_fetch(&ff.failed, 1, __ATOMIC_ACQ_REL);
	if (ff.log || ff.trace) {
		char	how[64];

		snprintf(how, sizeof(how), " -> %s", strerror(ff.err));
		ff_say(name, path, how);
	}
	errno = ff.err;
	return true;
}

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	if (ff_fail(fd, OP_FSYNC, "fsync"))
		return -1;
	return real(fd);
}

int
fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");

	if (ff_fail(fd, OP_FDATASYNC, "fdatasync"))
		return -1;
	return real(fd);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) =
	    (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

	if (ff_fail(fd, OP_WRITE, "write"))
		return -1;
	return real(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t) =
	    (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite");

	if (ff_fail(fd, OP_PWRITE, "pwrite"))
		return -1;
	return real(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t) =
	    (ssize_t (*)(int, const void *, size_t, off_t))
	    dlsym(RTLD_NEXT, "pwrite64");

	if (ff_fail(fd, OP_PWRITE, "pwrite"))
		return -1;
	return real(fd, buf, n, off);
}
