/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devworker: quorum-device calls on worker threads (see devworker.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "quorum/device_file.h"
#include "src/node/devarb.h"
#include "src/node/devworker.h"

/* A read for the loop (the `devices` snapshot) runs on a thread of its
 * own, and the loop waits for it this long at most: a hung device file (a
 * lock never released, a dead shared filesystem) or an absent arbiter
 * delays no heartbeat by more.  The arbiter's own exchange ends sooner. */
#define DW_READ_WAIT_MS	150
#define DW_ARB_READ_MS	100

/* One such read.  It owns copies of all it needs, so a thread stuck in
 * the device outlives the worker safely; its two owners (the thread and
 * the device's slot) each drop a reference, the last frees it. */
struct dw_read {
	pthread_mutex_t		mu;
	pthread_cond_t		cv;
	int			refs;
	bool			done;
	int64_t			started;	/* ms, CLOCK_MONOTONIC */
	char			*path;
	bool			arb;
	struct sockaddr_storage	arb_sa;
	socklen_t		arb_salen;
	uint32_t		arb_cluster;
	char			*arb_name;
	struct cmm_devfile_key	key;
	enum cmm_dev_status	st;
	struct cmm_devrec	rec;
	char			err[256];
};

struct dw_job {
	struct dw_job		*next;
	struct cmm_devreq	req;
	int64_t			deadline;	/* ms, CLOCK_MONOTONIC */
};

struct dw_result {
	struct dw_result	*next;
	uint32_t		id;
	struct cmm_devres	res;
	char			msg[256];
};

struct dw_dev {
	struct cmm_devworker	*w;
	int			idx;
	char			*path;		/* NULL: not shared */
	pthread_t		th;
	bool			started;
	pthread_mutex_t		mu;
	pthread_cond_t		cv;
	struct dw_job		*head, *tail;
	bool			stop;
	bool			busy;
	bool			exited;
	struct cmm_device	*dev;		/* the worker's handle */
	struct dw_read		*rd;		/* the loop's last read */
	/* a network arbiter instead of a file (cmm_devworker_set_arbiter) */
	bool			arb;
	struct sockaddr_storage	arb_sa;
	socklen_t		arb_salen;
	uint32_t		arb_cluster;
	char			*arb_name;
};

struct dw_pending {
	struct dw_pending	*next;
	struct cmm_devworker	*w;
	uint32_t		id;
	struct event		*timer;
	char			msg[128];	/* reported when the timer fires */
};

struct cmm_devworker {
	struct event_base	*base;
	int			n;
	struct dw_dev		*devs;
	int64_t			timeout_ms;
	cmm_devworker_done	done;
	void			*ctx;
	int			pipefd[2];
	struct event		*pipe_ev;
	pthread_mutex_t		res_mu;
	struct dw_result	*res_head, *res_tail;
	struct dw_pending	*pending;
	int			n_pending;
	struct cmm_devfile_key	key;		/* authenticates the records */
};

static int64_t
dw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
dw_post(struct cmm_devworker *w, uint32_t id, const struct cmm_devres *res,
    const char *msg)
{
	struct dw_result *r = calloc(1, sizeof(*r));
	ssize_t n;

	if (r == NULL)
		return;	/* the loop's timer reports the request as failed */
	r->id = id;
	r->res = *res;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	pthread_mutex_lock(&w->res_mu);
	if (w->res_tail != NULL)
		w->res_tail->next = r;
	else
		w->res_head = r;
	w->res_tail = r;
	pthread_mutex_unlock(&w->res_mu);
	/* a full pipe already holds a wake-up: the loop drains every result */
	do
		n = write(w->pipefd[1], "r", 1);
	while (n < 0 && errno == EINTR);
}

/* A result that carries only a failure. */
static void
dw_failed(struct cmm_devres *res, enum cmm_dev_status st)
{
	memset(res, 0, sizeof(*res));
	res->status = st;
}

/* A device's backend: its file, or its arbiter (calls bounded by
 * limit_ms). */
static struct cmm_device *
dw_open_backend(const char *path, bool arb, const struct sockaddr_storage *sa,
    socklen_t salen, uint32_t cluster, const char *name,
    const struct cmm_devfile_key *key, int64_t limit_ms, char *err,
    size_t errlen)
{
	if (arb)
		return cmm_device_arbiter_open((const struct sockaddr *)sa,
		    salen, cluster, name, key, limit_ms, err, errlen);
	return cmm_device_file_open(path, true, key, err, errlen);
}

static struct cmm_device *
dw_open(struct dw_dev *d, int64_t limit_ms, char *err, size_t errlen)
{
	return dw_open_backend(d->path, d->arb, &d->arb_sa, d->arb_salen,
	    d->arb_cluster, d->arb_name, &d->w->key, limit_ms, err, errlen);
}

static void
dw_read_put(struct dw_read *r)
{
	bool last;

	pthread_mutex_lock(&r->mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r->path);
	free(r->arb_name);
	explicit_bzero(&r->key, sizeof(r->key));
	free(r);
}

static void *
dw_read_thread(void *arg)
{
	struct dw_read *r = arg;
	struct cmm_devrec rec;
	struct cmm_device *dev;
	enum cmm_dev_status st = CMM_DEV_IO;
	char err[sizeof(r->err)] = "";

	memset(&rec, 0, sizeof(rec));
	dev = dw_open_backend(r->path, r->arb, &r->arb_sa, r->arb_salen,
	    r->arb_cluster, r->arb_name, &r->key, DW_ARB_READ_MS, err,
	    sizeof(err));
	if (dev != NULL) {
		st = dev->ops->read(dev, &rec, err, sizeof(err));
		dev->ops->close(dev);
	}
	pthread_mutex_lock(&r->mu);
	r->st = st;
	r->rec = rec;
	memcpy(r->err, err, sizeof(r->err));
	r->done = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	dw_read_put(r);
	return NULL;
}

/* One operation against the backend, on the worker thread. */
static void
dw_perform(struct dw_dev *d, const struct cmm_devreq *q,
    struct cmm_devres *res, char *err, unsigned errlen)
{
	if (d->dev == NULL) {
		/* the arbiter's retries end before the request's time does */
		d->dev = dw_open(d, d->w->timeout_ms * 4 / 5, err, errlen);
		if (d->dev == NULL) {
			dw_failed(res, CMM_DEV_IO);
			return;
		}
	}
	d->dev->ops->apply(d->dev, &q->op, res, err, errlen);
}

static void *
dw_thread(void *arg)
{
	struct dw_dev *d = arg;

	for (;;) {
		struct dw_job *j;
		struct cmm_devres res;
		char err[256] = "";

		pthread_mutex_lock(&d->mu);
		while (!d->stop && d->head == NULL)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->stop) {
			d->exited = true;
			pthread_mutex_unlock(&d->mu);
			return NULL;
		}
		j = d->head;
		d->head = j->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->busy = true;
		pthread_mutex_unlock(&d->mu);

		/* the loop already failed it: acting now could only surprise */
		if (dw_now() <= j->deadline) {
			dw_perform(d, &j->req, &res, err, sizeof(err));
			dw_post(d->w, j->req.id, &res, err);
		}
		free(j);
		pthread_mutex_lock(&d->mu);
		d->busy = false;
		pthread_mutex_unlock(&d->mu);
	}
}

static struct dw_pending *
dw_take_pending(struct cmm_devworker *w, uint32_t id)
{
	for (struct dw_pending **pp = &w->pending; *pp != NULL;
	    pp = &(*pp)->next) {
		struct dw_pending *p = *pp;

		if (p->id == id) {
			*pp = p->next;
			w->n_pending--;
			return p;
		}
	}
	return NULL;
}

static void
dw_pending_free(struct dw_pending *p)
{
	if (p->timer != NULL)
		event_free(p->timer);
	free(p);
}

static void
dw_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dw_pending *p = arg;
	struct cmm_devworker *w = p->w;
	struct cmm_devres res;
	uint32_t id = p->id;
	char msg[128];

	(void)fd;
	(void)what;
	snprintf(msg, sizeof(msg), "%s", p->msg);
	dw_take_pending(w, id);
	dw_pending_free(p);
	dw_failed(&res, CMM_DEV_IO);
	w->done(w->ctx, id, &res, msg, false);
}

static void
dw_pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cmm_devworker *w = arg;
	struct dw_result *list;
	char buf[256];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->res_mu);
	list = w->res_head;
	w->res_head = w->res_tail = NULL;
	pthread_mutex_unlock(&w->res_mu);
	while (list != NULL) {
		struct dw_result *r = list;
		struct dw_pending *p = dw_take_pending(w, r->id);

		list = r->next;
		if (p != NULL)
			dw_pending_free(p);
		w->done(w->ctx, r->id, &r->res, r->msg, p == NULL);
		free(r);
	}
}

struct cmm_devworker *
cmm_devworker_new(struct event_base *base, int n_devices,
    const char *const *paths, const struct cmm_devfile_key *key,
    int64_t timeout_ms, cmm_devworker_done done, void *ctx, char *err,
    size_t errlen)
{
	struct cmm_devworker *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->key = *key;
	w->base = base;
	w->n = n_devices;
	w->timeout_ms = timeout_ms;
	w->done = done;
	w->ctx = ctx;
	w->pipefd[0] = w->pipefd[1] = -1;
	pthread_mutex_init(&w->res_mu, NULL);
	w->devs = calloc(n_devices > 0 ? (size_t)n_devices : 1, sizeof(*w->devs));
	if (w->devs == NULL || pipe2(w->pipefd, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, errlen, "device worker: %s", strerror(errno));
		cmm_devworker_free(w);
		return NULL;
	}
	w->pipe_ev = event_new(base, w->pipefd[0], EV_READ | EV_PERSIST,
	    dw_pipe_cb, w);
	if (w->pipe_ev == NULL || event_add(w->pipe_ev, NULL) < 0) {
		snprintf(err, errlen, "device worker: event_new failed");
		cmm_devworker_free(w);
		return NULL;
	}
	for (int i = 0; i < n_devices; i++) {
		struct dw_dev *d = &w->devs[i];

		d->w = w;
		d->idx = i;
		pthread_mutex_init(&d->mu, NULL);
		pthread_cond_init(&d->cv, NULL);
		if (paths[i] == NULL)
			continue;
		d->path = strdup(paths[i]);
		if (d->path == NULL ||
		    pthread_create(&d->th, NULL, dw_thread, d) != 0) {
			snprintf(err, errlen, "device worker: cannot start a "
			    "thread for %s", paths[i]);
			cmm_devworker_free(w);
			return NULL;
		}
		d->started = true;
	}
	return w;
}

int
cmm_devworker_set_arbiter(struct cmm_devworker *w, int idx,
    const struct sockaddr *sa, socklen_t salen, uint32_t cluster_id,
    const char *name)
{
	struct dw_dev *d;

	if (idx < 0 || idx >= w->n || w->devs[idx].path == NULL ||
	    salen > sizeof(d->arb_sa))
		return -1;
	d = &w->devs[idx];
	free(d->arb_name);
	if ((d->arb_name = strdup(name)) == NULL)
		return -1;
	memcpy(&d->arb_sa, sa, salen);
	d->arb_salen = salen;
	d->arb_cluster = cluster_id;
	d->arb = true;
	return 0;
}

void
cmm_devworker_free(struct cmm_devworker *w)
{
	if (w == NULL)
		return;
	for (int i = 0; w->devs != NULL && i < w->n; i++) {
		struct dw_dev *d = &w->devs[i];
		struct timespec ts;
		bool joined = true;

		if (d->rd != NULL)
			dw_read_put(d->rd);
		d->rd = NULL;

		if (d->started) {
			pthread_mutex_lock(&d->mu);
			d->stop = true;
			pthread_cond_signal(&d->cv);
			pthread_mutex_unlock(&d->mu);
			/* a thread stuck in a hung filesystem call is left
			 * behind: the process is going away anyway */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 2;
			if (pthread_timedjoin_np(d->th, NULL, &ts) != 0) {
				pthread_detach(d->th);
				joined = false;
			}
		}
		if (!joined)
			continue;
		while (d->head != NULL) {
			struct dw_job *j = d->head;

			d->head = j->next;
			free(j);
		}
		if (d->dev != NULL)
			d->dev->ops->close(d->dev);
		free(d->path);
		free(d->arb_name);
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
	}
	while (w->pending != NULL) {
		struct dw_pending *p = w->pending;

		w->pending = p->next;
		dw_pending_free(p);
	}
	while (w->res_head != NULL) {
		struct dw_result *r = w->res_head;

		w->res_head = r->next;
		free(r);
	}
	if (w->pipe_ev != NULL)
		event_free(w->pipe_ev);
	if (w->pipefd[0] >= 0)
		close(w->pipefd[0]);
	if (w->pipefd[1] >= 0)
		close(w->pipefd[1]);
	/* the devs array stays if a thread was left running on it */
	for (int i = 0; w->devs != NULL && i < w->n; i++)
		if (w->devs[i].started && !w->devs[i].exited)
			return;
	free(w->devs);
	pthread_mutex_destroy(&w->res_mu);
	explicit_bzero(&w->key, sizeof(w->key));
	free(w);
}

int
cmm_devworker_submit(struct cmm_devworker *w, const struct cmm_devreq *r)
{
	struct dw_pending *p = calloc(1, sizeof(*p));
	struct dw_job *j = NULL;
	struct timeval tv;
	struct dw_dev *d = NULL;
	int64_t delay = w->timeout_ms;

	if (p == NULL)
		return -1;
	p->w = w;
	p->id = r->id;
	if (r->device < 0 || r->device >= w->n || w->devs[r->device].path == NULL) {
		/* reported from the loop, never from inside this call */
		snprintf(p->msg, sizeof(p->msg), "device %d is not shared by "
		    "this node", r->device);
		delay = 0;
	} else {
		d = &w->devs[r->device];
		snprintf(p->msg, sizeof(p->msg), "timed out: no answer within "
		    "%lld ms", (long long)w->timeout_ms);
		j = calloc(1, sizeof(*j));
		if (j == NULL) {
			free(p);
			return -1;
		}
		j->req = *r;
		j->deadline = dw_now() + w->timeout_ms;
	}
	p->timer = evtimer_new(w->base, dw_timeout_cb, p);
	if (p->timer == NULL) {
		free(p);
		free(j);
		return -1;
	}
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(p->timer, &tv);
	p->next = w->pending;
	w->pending = p;
	w->n_pending++;
	if (d != NULL) {
		pthread_mutex_lock(&d->mu);
		if (d->tail != NULL)
			d->tail->next = j;
		else
			d->head = j;
		d->tail = j;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&d->mu);
	}
	return 0;
}

int
cmm_devworker_read_start(struct cmm_devworker *w, int idx, char *err,
    size_t errlen)
{
	struct dw_dev *d;
	struct dw_read *r;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t th;
	int rc;

	if (idx < 0 || idx >= w->n || w->devs[idx].path == NULL) {
		snprintf(err, errlen, "device %d is not shared by this node", idx);
		return -1;
	}
	d = &w->devs[idx];
	if (d->rd != NULL) {
		pthread_mutex_lock(&d->rd->mu);
		bool hung = !d->rd->done;
		pthread_mutex_unlock(&d->rd->mu);
		if (hung)
			return 0;	/* one stuck thread per device, not more */
		dw_read_put(d->rd);
		d->rd = NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->path = strdup(d->path)) == NULL ||
	    (d->arb && (r->arb_name = strdup(d->arb_name)) == NULL)) {
		if (r != NULL)
			free(r->path);
		free(r);
		snprintf(err, errlen, "%s: out of memory", d->path);
		return -1;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	r->refs = 2;
	r->started = dw_now();
	r->arb = d->arb;
	r->arb_sa = d->arb_sa;
	r->arb_salen = d->arb_salen;
	r->arb_cluster = d->arb_cluster;
	r->key = w->key;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &ta, dw_read_thread, r);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		r->refs = 1;
		dw_read_put(r);
		snprintf(err, errlen, "%s: cannot start a thread to read it: %s",
		    d->path, strerror(rc));
		return -1;
	}
	d->rd = r;
	return 0;
}

int
cmm_devworker_read_wait(struct cmm_devworker *w, int idx,
    struct cmm_devrec *out, char *err, size_t errlen)
{
	struct dw_dev *d;
	struct dw_read *r;
	struct timespec ts;
	enum cmm_dev_status st = CMM_DEV_IO;
	int64_t since, deadline;
	bool done;

	if (idx < 0 || idx >= w->n || w->devs[idx].rd == NULL) {
		snprintf(err, errlen, "device %d: no read was started", idx);
		return -1;
	}
	d = &w->devs[idx];
	r = d->rd;
	/* from its start: a read that hung at an earlier snapshot is not
	 * waited for again, and reads started together end together */
	deadline = r->started + DW_READ_WAIT_MS;
	ts.tv_sec = deadline / 1000;
	ts.tv_nsec = (deadline % 1000) * 1000000;
	pthread_mutex_lock(&r->mu);
	while (!r->done &&
	    pthread_cond_timedwait(&r->cv, &r->mu, &ts) != ETIMEDOUT)
		;
	done = r->done;
	since = dw_now() - r->started;
	if (done) {
		*out = r->rec;
		st = r->st;
		snprintf(err, errlen, "%s", r->err);
	}
	pthread_mutex_unlock(&r->mu);
	if (!done) {
		/* the thread stays: the next snapshot asks it again */
		snprintf(err, errlen, "%s: no answer: a read of it has been "
		    "waiting for %lld ms (a lock never released, a hung "
		    "filesystem or arbiter?)", d->path, (long long)since);
		return -1;
	}
	dw_read_put(r);
	d->rd = NULL;
	if (st != CMM_DEV_OK) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: %s", d->path,
			    cmm_dev_status_name(st));
		return -1;
	}
	return 0;
}

int
cmm_devworker_read(struct cmm_devworker *w, int idx, struct cmm_devrec *out,
    char *err, size_t errlen)
{
	if (cmm_devworker_read_start(w, idx, err, errlen) < 0)
		return -1;
	return cmm_devworker_read_wait(w, idx, out, err, errlen);
}

int
cmm_devworker_pending(const struct cmm_devworker *w)
{
	return w->n_pending;
}
