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

/* A read from the loop's thread (the `devices` snapshot) waits for the
 * arbiter this long at most, so an absent arbiter delays no heartbeat
 * by more. */
#define DW_ARB_READ_MS	100

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
	struct cmm_device	*rdev;		/* the loop's handle (reads) */
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

/* The device's backend: its file, or its arbiter (calls bounded by
 * limit_ms). */
static struct cmm_device *
dw_open(struct dw_dev *d, int64_t limit_ms, char *err, size_t errlen)
{
	if (d->arb)
		return cmm_device_arbiter_open((struct sockaddr *)&d->arb_sa,
		    d->arb_salen, d->arb_cluster, d->arb_name, &d->w->key,
		    limit_ms, err, errlen);
	return cmm_device_file_open(d->path, true, &d->w->key, err, errlen);
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
		if (d->rdev != NULL)
			d->rdev->ops->close(d->rdev);
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
cmm_devworker_read(struct cmm_devworker *w, int idx, struct cmm_devrec *out,
    char *err, size_t errlen)
{
	struct dw_dev *d;
	enum cmm_dev_status st;

	if (idx < 0 || idx >= w->n || w->devs[idx].path == NULL) {
		snprintf(err, errlen, "device %d is not shared by this node", idx);
		return -1;
	}
	d = &w->devs[idx];
	if (d->rdev == NULL) {
		d->rdev = dw_open(d, DW_ARB_READ_MS, err, errlen);
		if (d->rdev == NULL)
			return -1;
	}
	st = d->rdev->ops->read(d->rdev, out, err, (unsigned)errlen);
	if (st != CMM_DEV_OK) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: %s", d->path,
			    cmm_dev_status_name(st));
		return -1;
	}
	return 0;
}

int
cmm_devworker_pending(const struct cmm_devworker *w)
{
	return w->n_pending;
}
