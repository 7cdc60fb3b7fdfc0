/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arbiter: the network quorum device's daemon (see arbiter.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>
#include <jansson.h>
#include <sodium.h>

#include "net/mac.h"
#include "net/wire.h"
#include "src/node/arbiter.h"
#include "src/node/devkey.h"
#include "util/parse.h"

#define ARB_CHALLENGES	1024	/* outstanding challenges, oldest reused */
#define ARB_CHALLENGE_MS 10000	/* a challenge is good this long */
#define ARB_DEVICES_MAX	1024	/* open device records */
#define ARB_CLIENTS	8	/* control connections at once */
#define ARB_LINE_MAX	512

/* ---- the config ---- */

struct acfg {
	struct cmm_arb_cfg *cfg;
	const char	*path;
	char		dir[CMM_ARB_PATH_MAX];
	FILE		*f;
	int		line;
	char		*err;
	size_t		errlen;
	bool		failed;
};

static void	acfg_fail(struct acfg *p, const char *key, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
acfg_fail(struct acfg *p, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s: %s", p->path, p->line,
		    key, why);
	else	/* a whole-file problem: something missing */
		snprintf(p->err, p->errlen, "%s: %s: %s", p->path, key, why);
}

static char *
acfg_reader(char *str, int num, void *stream)
{
	struct acfg *p = stream;

	if (p->failed || fgets(str, num, p->f) == NULL)
		return NULL;
	p->line++;
	return str;
}

/* A path, relative ones under the config file's directory. */
static void
acfg_path(struct acfg *p, const char *key, const char *v, char *out,
    size_t len)
{
	int n;

	if (*v == '\0') {
		acfg_fail(p, key, "empty");
		return;
	}
	n = v[0] == '/' ? snprintf(out, len, "%s", v) :
	    snprintf(out, len, "%s/%s", p->dir, v);
	if (n < 0 || (size_t)n >= len)
		acfg_fail(p, key, "path too long: %s", v);
}

static int
acfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct acfg *p = user;
	struct cmm_arb_cfg *c = p->cfg;

	if (p->failed)
		return 0;
	if (strcmp(section, "arbiter") == 0) {
		if (strcmp(name, "listen") == 0)
			snprintf(c->listen, sizeof(c->listen), "%s", value);
		else if (strcmp(name, "state_dir") == 0)
			acfg_path(p, name, value, c->state_dir,
			    sizeof(c->state_dir));
		else if (strcmp(name, "control_socket") == 0)
			acfg_path(p, name, value, c->control_socket,
			    sizeof(c->control_socket));
		else
			acfg_fail(p, name, "unknown key in [arbiter]");
	} else if (strncmp(section, "cluster ", 8) == 0) {
		const char *cname = section + 8;
		int i;

		for (i = 0; i < c->n_clusters; i++)
			if (strcmp(c->cluster[i].name, cname) == 0)
				break;
		if (i == c->n_clusters) {
			if (i == CMM_ARB_CLUSTERS_MAX ||
			    strlen(cname) >= sizeof(c->cluster[i].name) ||
			    *cname == '\0') {
				acfg_fail(p, name, "cannot serve cluster '%s' "
				    "(too many, or a bad name)", cname);
				return 0;
			}
			snprintf(c->cluster[i].name, sizeof(c->cluster[i].name),
			    "%s", cname);
			c->cluster[i].id = cmm_wire_cluster_id(cname);
			for (int j = 0; j < i; j++)
				if (c->cluster[j].id == c->cluster[i].id)
					acfg_fail(p, name, "cluster '%s' has "
					    "the id of another one served here",
					    cname);
			c->n_clusters++;
		}
		if (strcmp(name, "key_file") == 0)
			acfg_path(p, name, value, c->cluster[i].key_file,
			    sizeof(c->cluster[i].key_file));
		else
			acfg_fail(p, name, "unknown key in [cluster %s]",
			    cname);
	} else
		acfg_fail(p, name, "unknown section [%s] (expected [arbiter] "
		    "or [cluster NAME])", section);
	return p->failed ? 0 : 1;
}

int
cmm_arb_config_load(const char *path, struct cmm_arb_cfg *out, char *err,
    size_t errlen)
{
	struct acfg p = { .cfg = out, .path = path, .err = err,
	    .errlen = errlen };
	char *copy = strdup(path), *slash;
	int rc;

	memset(out, 0, sizeof(*out));
	if (copy == NULL || (p.f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(copy);
		return -1;
	}
	slash = strrchr(copy, '/');
	if (slash == NULL)
		snprintf(p.dir, sizeof(p.dir), ".");
	else
		*(slash == copy ? slash + 1 : slash) = '\0',
		snprintf(p.dir, sizeof(p.dir), "%s", copy);
	free(copy);
	rc = ini_parse_stream(acfg_reader, &p, acfg_handler, &p);
	fclose(p.f);
	if (!p.failed && rc != 0) {
		p.line = rc > 0 ? rc : p.line;
		acfg_fail(&p, "line", "syntax error (expected [SECTION] or "
		    "KEY = VALUE)");
	}
	p.line = 0;
	if (!p.failed && out->listen[0] == '\0')
		acfg_fail(&p, "listen", "missing in [arbiter]");
	if (!p.failed && out->state_dir[0] == '\0')
		acfg_fail(&p, "state_dir", "missing in [arbiter]");
	if (!p.failed && out->n_clusters == 0)
		acfg_fail(&p, "cluster", "no [cluster NAME] section: nothing "
		    "to serve");
	for (int i = 0; !p.failed && i < out->n_clusters; i++)
		if (out->cluster[i].key_file[0] == '\0')
			acfg_fail(&p, "key_file", "missing in [cluster %s]",
			    out->cluster[i].name);
	return p.failed ? -1 : 0;
}

/* ---- the daemon ---- */

struct arb_challenge {
	bool		live;
	bool		used;
	int		cluster;
	unsigned char	nonce[CMM_ARB_NONCE_LEN];
	unsigned char	challenge[CMM_ARB_NONCE_LEN];
	int64_t		issued_ms;
	unsigned char	req_tag[CMM_ARB_TAG_LEN];	/* the OP it answered */
	unsigned char	*reply;
	size_t		reply_len;
};

struct arb_dev {
	int		cluster;
	char		name[CMM_ARB_NAME_MAX + 1];
	struct cmm_device *dev;
};

struct arb_client {
	int	fd;
	char	buf[ARB_LINE_MAX];
	size_t	len;
};

struct arb_counters {
	uint64_t	received, malformed, unknown_cluster, bad_tag,
			replayed, resent, challenges, ops, reads, errors;
};

struct cmm_arbiter {
	const struct cmm_arb_cfg *cfg;
	struct cmm_devfile_key	key[CMM_ARB_CLUSTERS_MAX];
	int			udp;
	int			ctl;		/* -1: no control socket */
	struct arb_client	client[ARB_CLIENTS];
	struct arb_challenge	ch[ARB_CHALLENGES];
	int			ch_next;
	struct arb_dev		dev[ARB_DEVICES_MAX];
	int			n_dev;
	struct arb_counters	n;
	int64_t			started_ms;
};

static volatile sig_atomic_t arb_stop;

static void
arb_on_signal(int sig)
{
	(void)sig;
	arb_stop = 1;
}

static int64_t
arb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
arb_log(const char *msg)
{
	fprintf(stderr, "cmm arbiter: %s\n", msg);
}

static int
arb_cluster(const struct cmm_arbiter *a, uint32_t id)
{
	for (int i = 0; i < a->cfg->n_clusters; i++)
		if (a->cfg->cluster[i].id == id)
			return i;
	return -1;
}

/* The record of (cluster, name): opened, and created empty, on first use,
 * as the file `STATE_DIR/CLUSTERID-NAME.dev`. */
static struct cmm_device *
arb_device(struct cmm_arbiter *a, int cl, const char *name, char *err,
    size_t errlen)
{
	char path[CMM_ARB_PATH_MAX + 96];
	struct arb_dev *d;

	for (int i = 0; i < a->n_dev; i++)
		if (a->dev[i].cluster == cl && strcmp(a->dev[i].name, name) == 0)
			return a->dev[i].dev;
	if (a->n_dev == ARB_DEVICES_MAX) {
		snprintf(err, errlen, "too many devices (%d)", ARB_DEVICES_MAX);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%08" PRIx32 "-%s.dev",
	    a->cfg->state_dir, a->cfg->cluster[cl].id, name);
	d = &a->dev[a->n_dev];
	d->dev = cmm_device_file_open(path, true, &a->key[cl], err, errlen);
	if (d->dev == NULL)
		return NULL;
	d->cluster = cl;
	snprintf(d->name, sizeof(d->name), "%s", name);
	a->n_dev++;
	return d->dev;
}

static struct arb_challenge *
arb_find_challenge(struct cmm_arbiter *a, int cl, const struct cmm_arb_msg *m,
    int64_t now)
{
	for (int i = 0; i < ARB_CHALLENGES; i++) {
		struct arb_challenge *c = &a->ch[i];

		if (c->live && c->cluster == cl &&
		    now - c->issued_ms <= ARB_CHALLENGE_MS &&
		    sodium_memcmp(c->challenge, m->challenge,
		    CMM_ARB_NONCE_LEN) == 0 &&
		    memcmp(c->nonce, m->nonce, CMM_ARB_NONCE_LEN) == 0)
			return c;
	}
	return NULL;
}

/* HELLO: a fresh challenge for this nonce, replacing the oldest. */
static size_t
arb_hello(struct cmm_arbiter *a, int cl, struct cmm_arb_msg *m, int64_t now,
    unsigned char *out, size_t outlen)
{
	struct arb_challenge *c = &a->ch[a->ch_next];

	a->ch_next = (a->ch_next + 1) % ARB_CHALLENGES;
	free(c->reply);
	memset(c, 0, sizeof(*c));
	c->live = true;
	c->cluster = cl;
	c->issued_ms = now;
	memcpy(c->nonce, m->nonce, CMM_ARB_NONCE_LEN);
	randombytes_buf(c->challenge, CMM_ARB_NONCE_LEN);
	a->n.challenges++;
	m->type = CMM_ARB_CHALLENGE;
	memcpy(m->challenge, c->challenge, CMM_ARB_NONCE_LEN);
	return cmm_arb_encode(m, &a->key[cl], out, outlen);
}

/* OP: applied once per challenge; the same request again gets the same
 * answer (its RESULT was lost), any other use of the challenge is a
 * replay. */
static size_t
arb_op(struct cmm_arbiter *a, int cl, struct cmm_arb_msg *m,
    const unsigned char *in, size_t inlen, int64_t now, unsigned char *out,
    size_t outlen)
{
	const unsigned char *tag = in + inlen - CMM_ARB_TAG_LEN;
	struct arb_challenge *c = arb_find_challenge(a, cl, m, now);
	struct cmm_device *dev;
	char err[600];
	size_t len;

	if (c == NULL) {
		a->n.replayed++;
		return 0;
	}
	if (c->used) {
		if (memcmp(c->req_tag, tag, CMM_ARB_TAG_LEN) != 0 ||
		    c->reply == NULL || c->reply_len > outlen) {
			a->n.replayed++;
			return 0;
		}
		a->n.resent++;
		memcpy(out, c->reply, c->reply_len);
		return c->reply_len;
	}
	c->used = true;
	memcpy(c->req_tag, tag, CMM_ARB_TAG_LEN);
	memset(&m->res, 0, sizeof(m->res));
	m->res.status = CMM_DEV_IO;
	dev = arb_device(a, cl, m->device, err, sizeof(err));
	if (dev == NULL) {
		a->n.errors++;
		arb_log(err);
	} else if (m->op == CMM_ARB_OP_READ) {
		a->n.reads++;
		m->res.status = dev->ops->read(dev, &m->rec, err, sizeof(err));
		m->has_rec = m->res.status == CMM_DEV_OK;
		if (m->has_rec) {
			m->res.slot_instance = m->rec.slot_instance;
			m->res.slot_promised = m->rec.slot_promised;
			m->res.slot_accepted = m->rec.slot_accepted;
			m->res.slot_value = m->rec.slot_value;
			m->res.committed_epoch = m->rec.committed_epoch;
			m->res.committed = m->rec.committed;
			m->res.epoch = m->rec.epoch;
		}
	} else {
		/* the one rule function, under the file device's lock and
		 * fsync (quorum/device_file.c) */
		a->n.ops++;
		dev->ops->apply(dev, &m->devop, &m->res, err, sizeof(err));
	}
	if (m->res.status == CMM_DEV_IO || m->res.status == CMM_DEV_CORRUPT) {
		a->n.errors += dev != NULL;
		if (dev != NULL)
			arb_log(err);
	}
	m->type = CMM_ARB_RESULT;
	len = cmm_arb_encode(m, &a->key[cl], out, outlen);
	if (len > 0 && (c->reply = malloc(len)) != NULL) {
		memcpy(c->reply, out, len);
		c->reply_len = len;
	}
	return len;
}

/* One datagram in, at most one out; the length to send, or 0. */
static size_t
arb_datagram(struct cmm_arbiter *a, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t outlen)
{
	static struct cmm_arb_msg m;	/* large (a record); one thread */
	uint32_t id;
	int cl, rc;

	a->n.received++;
	if (cmm_arb_peek(in, inlen, &id) < 0) {
		a->n.malformed++;
		return 0;
	}
	if ((cl = arb_cluster(a, id)) < 0) {
		a->n.unknown_cluster++;
		return 0;
	}
	rc = cmm_arb_decode(in, inlen, &a->key[cl], &m);
	if (rc == -2) {
		a->n.bad_tag++;
		return 0;
	}
	if (rc < 0 || m.cluster_id != id) {
		a->n.malformed++;
		return 0;
	}
	if (m.type == CMM_ARB_HELLO)
		return arb_hello(a, cl, &m, arb_now_ms(), out, outlen);
	if (m.type == CMM_ARB_OP)
		return arb_op(a, cl, &m, in, inlen, arb_now_ms(), out, outlen);
	a->n.malformed++;
	return 0;
}

/* ---- the control socket ---- */

static json_t *
arb_status_json(const struct cmm_arbiter *a)
{
	json_t *cl = json_array(), *o;

	for (int i = 0; i < a->cfg->n_clusters; i++) {
		json_t *devs = json_array();
		char id[16];

		for (int k = 0; k < a->n_dev; k++)
			if (a->dev[k].cluster == i)
				json_array_append_new(devs,
				    json_string(a->dev[k].name));
		snprintf(id, sizeof(id), "%08" PRIx32, a->cfg->cluster[i].id);
		json_array_append_new(cl, json_pack("{s:s,s:s,s:o}", "name",
		    a->cfg->cluster[i].name, "id", id, "devices", devs));
	}
	o = json_pack("{s:i,s:b,s:s,s:s,s:I,s:o}", "api", 1, "ok", 1,
	    "listen", a->cfg->listen, "state_dir", a->cfg->state_dir,
	    "uptime_s", (json_int_t)((arb_now_ms() - a->started_ms) / 1000),
	    "clusters", cl);
	json_object_set_new(o, "counters", json_pack("{s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I}",
	    "received", (json_int_t)a->n.received,
	    "malformed", (json_int_t)a->n.malformed,
	    "unknown_cluster", (json_int_t)a->n.unknown_cluster,
	    "bad_tag", (json_int_t)a->n.bad_tag,
	    "replayed", (json_int_t)a->n.replayed,
	    "resent", (json_int_t)a->n.resent,
	    "challenges", (json_int_t)a->n.challenges,
	    "ops", (json_int_t)a->n.ops,
	    "reads", (json_int_t)a->n.reads,
	    "errors", (json_int_t)a->n.errors));
	return o;
}

static void
arb_write(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* a client that does not read loses its reply */
		off += (size_t)n;
	}
}

/* One request line of the control protocol: `[--json] status`. */
static void
arb_request(struct cmm_arbiter *a, int fd, char *line)
{
	char *words[4] = { NULL }, *save = NULL, *w;
	int n = 0;
	bool json = false;

	for (w = strtok_r(line, " \t\r", &save); w != NULL && n < 4;
	    w = strtok_r(NULL, " \t\r", &save))
		words[n++] = w;
	if (n > 0 && strcmp(words[0], "--json") == 0) {
		json = true;
		memmove(words, words + 1, sizeof(words[0]) * (size_t)--n);
	}
	if (n == 0 || words[0][0] == '#') {
		arb_write(fd, "+\n");
	} else if (n == 1 && strcmp(words[0], "status") == 0) {
		json_t *o = arb_status_json(a);
		char *s = json_dumps(o, json ? JSON_COMPACT : JSON_INDENT(2));
		char *p, *nl;

		json_decref(o);
		if (s == NULL) {
			arb_write(fd, "- out of memory\n");
			return;
		}
		/* one ": " line per line of the body */
		for (p = s; p != NULL && *p != '\0'; p = nl) {
			nl = strchr(p, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			arb_write(fd, ": ");
			arb_write(fd, p);
			arb_write(fd, "\n");
		}
		free(s);
		arb_write(fd, "+\n");
	} else if (json) {
		arb_write(fd, ": {\"api\":1,\"ok\":false,\"error\":\"unknown "
		    "command (the arbiter knows: status)\"}\n- unknown command "
		    "(the arbiter knows: status)\n");
	} else
		arb_write(fd, "- unknown command (the arbiter knows: status)\n");
}

static void
arb_client_close(struct arb_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void
arb_client_read(struct cmm_arbiter *a, struct arb_client *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
	char *nl;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		arb_client_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		arb_request(a, c->fd, c->buf);
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
	}
	if (c->len == sizeof(c->buf) - 1) {
		arb_write(c->fd, "- line too long\n");
		arb_client_close(c);
	}
}

static void
arb_accept(struct cmm_arbiter *a)
{
	int fd = accept4(a->ctl, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (int i = 0; i < ARB_CLIENTS; i++)
		if (a->client[i].fd < 0) {
			a->client[i].fd = fd;
			/* the greeting: control protocol 1, no node id */
			arb_write(fd, "V 1 -1\n");
			return;
		}
	arb_write(fd, "- busy: every control slot is taken\n");
	close(fd);
}

/* ---- life cycle ---- */

static int
arb_bind_udp(struct cmm_arbiter *a, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char host[96], *colon;
	const char *port;
	int rc;

	snprintf(host, sizeof(host), "%s", a->cfg->listen);
	colon = strrchr(host, ':');
	if (colon == NULL) {
		snprintf(err, errlen, "listen: '%s' is not HOST:PORT",
		    a->cfg->listen);
		return -1;
	}
	*colon = '\0';
	port = colon + 1;
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "listen: '%s': %s", a->cfg->listen,
		    gai_strerror(rc));
		return -1;
	}
	a->udp = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (a->udp < 0 || bind(a->udp, res->ai_addr, res->ai_addrlen) < 0) {
		snprintf(err, errlen, "listen: %s: %s", a->cfg->listen,
		    strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return 0;
}

static int
arb_bind_ctl(struct cmm_arbiter *a, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	const char *path = a->cfg->control_socket;

	if (path[0] == '\0')
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control_socket: %s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	/* a stale socket of an arbiter that died; a live one keeps its
	 * own (the bind below then fails) */
	if (connect(a->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    (struct sockaddr *)&sun, sizeof(sun)) < 0 && errno == ECONNREFUSED)
		unlink(path);
	close(a->ctl);
	a->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->ctl < 0 || bind(a->ctl, (struct sockaddr *)&sun,
	    sizeof(sun)) < 0 || chmod(path, 0600) < 0 ||
	    listen(a->ctl, ARB_CLIENTS) < 0) {
		snprintf(err, errlen, "control_socket: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

struct cmm_arbiter *
cmm_arbiter_new(const struct cmm_arb_cfg *cfg, char *err, size_t errlen)
{
	struct cmm_arbiter *a = calloc(1, sizeof(*a));
	struct stat st;

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->cfg = cfg;
	a->udp = a->ctl = -1;
	for (int i = 0; i < ARB_CLIENTS; i++)
		a->client[i].fd = -1;
	a->started_ms = arb_now_ms();
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to start");
		goto fail;
	}
	if (stat(cfg->state_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "state_dir: %s: %s", cfg->state_dir,
		    stat(cfg->state_dir, &st) < 0 ? strerror(errno) :
		    "not a directory");
		goto fail;
	}
	for (int i = 0; i < cfg->n_clusters; i++) {
		struct cmm_keys k;
		char why[512];

		/* the node's devices are keyed with the dev subkey: so are
		 * the records and datagrams here */
		if (cmm_key_load(cfg->cluster[i].key_file, &k, why,
		    sizeof(why)) < 0) {
			snprintf(err, errlen, "cluster %s: %s",
			    cfg->cluster[i].name, why);
			goto fail;
		}
		cmm_devkey_init(&a->key[i], k.dev);
		cmm_keys_wipe(&k);
	}
	if (arb_bind_udp(a, err, errlen) < 0 || arb_bind_ctl(a, err, errlen) < 0)
		goto fail;
	return a;
fail:
	cmm_arbiter_free(a);
	return NULL;
}

int
cmm_arbiter_run(struct cmm_arbiter *a)
{
	static unsigned char in[CMM_ARB_MSG_MAX], out[CMM_ARB_MSG_MAX];
	struct sigaction sa;
	sigset_t block, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = arb_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* the signals arrive only inside ppoll: no lost wake-up */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	fprintf(stderr, "cmm arbiter: serving %d cluster%s on %s\n",
	    a->cfg->n_clusters, a->cfg->n_clusters == 1 ? "" : "s",
	    a->cfg->listen);
	while (!arb_stop) {
		struct pollfd pfd[2 + ARB_CLIENTS];
		int np = 0, rc;

		pfd[np++] = (struct pollfd){ .fd = a->udp, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = a->ctl, .events = POLLIN };
		for (int i = 0; i < ARB_CLIENTS; i++)
			pfd[np++] = (struct pollfd){ .fd = a->client[i].fd,
			    .events = POLLIN };
		rc = ppoll(pfd, (nfds_t)np, NULL, &old);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			fprintf(stderr, "cmm arbiter: poll: %s\n",
			    strerror(errno));
			return 1;
		}
		for (int k = 0; k < 64 && (pfd[0].revents & POLLIN); k++) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(a->udp, in, sizeof(in), 0,
			    (struct sockaddr *)&from, &fl);
			size_t len;

			if (n < 0)
				break;
			len = arb_datagram(a, in, (size_t)n, out, sizeof(out));
			if (len > 0)
				(void)sendto(a->udp, out, len, 0,
				    (struct sockaddr *)&from, fl);
		}
		if (pfd[1].revents & POLLIN)
			arb_accept(a);
		for (int i = 0; i < ARB_CLIENTS; i++)
			if (a->client[i].fd >= 0 && pfd[2 + i].revents != 0)
				arb_client_read(a, &a->client[i]);
	}
	fprintf(stderr, "cmm arbiter: stopping\n");
	return 0;
}

void
cmm_arbiter_free(struct cmm_arbiter *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < a->n_dev; i++)
		a->dev[i].dev->ops->close(a->dev[i].dev);
	for (int i = 0; i < ARB_CHALLENGES; i++)
		free(a->ch[i].reply);
	for (int i = 0; i < ARB_CLIENTS; i++)
		if (a->client[i].fd >= 0)
			close(a->client[i].fd);
	if (a->udp >= 0)
		close(a->udp);
	if (a->ctl >= 0) {
		close(a->ctl);
		unlink(a->cfg->control_socket);
	}
	sodium_memzero(a->key, sizeof(a->key));
	free(a);
}
