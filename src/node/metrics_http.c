/* SPDX-License-Identifier: GPL-3.0-or-later */
/* metrics_http: GET /metrics on the daemon's loop (see metrics_http.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "src/node/daemon.h"
#include "src/node/metrics.h"
#include "src/node/metrics_http.h"

/* A scraper that stalls must not hold a connection for ever; a request
 * has no business being large. */
#define METRICS_HTTP_TIMEOUT_S		10
#define METRICS_HTTP_MAX_HEADERS	8192
#define METRICS_HTTP_MAX_BODY		1024

struct cmm_metrics_http {
	struct cmm_daemon	*d;
	struct evhttp		*http;
};

/* libevent itself answers a method outside its allowed set with 501; a
 * method it knows but we do not serve is the client's mistake: 405. */
static bool
metrics_http_method_ok(struct evhttp_request *req)
{
	enum evhttp_cmd_type c = evhttp_request_get_command(req);

	if (c == EVHTTP_REQ_GET || c == EVHTTP_REQ_HEAD)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "GET, HEAD");
	evhttp_send_error(req, 405, "only GET and HEAD");
	return false;
}

static void
metrics_http_reply(struct evhttp_request *req, void *arg)
{
	struct cmm_metrics_http *h = arg;
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	size_t	 len;
	char	*text;

	if (!metrics_http_method_ok(req))
		return;
	/* HEAD: libevent sends the headers of this reply without its body */
	text = cmm_metrics_text(h->d, &len);
	if (text == NULL || evbuffer_add(out, text, len) < 0) {
		free(text);
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* Every path but /metrics. */
static void
metrics_http_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (!metrics_http_method_ok(req))
		return;
	evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics is served here");
}

struct cmm_metrics_http *
cmm_metrics_http_new(struct cmm_daemon *d, const char *host, uint16_t port,
    char *err, size_t errlen)
{
	struct cmm_metrics_http *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->http = evhttp_new(cmm_daemon_base(d))) == NULL) {
		snprintf(err, errlen, "metrics_listen: out of memory");
		free(h);
		return NULL;
	}
	h->d = d;
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(h->http, METRICS_HTTP_TIMEOUT_S);
	evhttp_set_max_headers_size(h->http, METRICS_HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, METRICS_HTTP_MAX_BODY);
	if (evhttp_set_cb(h->http, "/metrics", metrics_http_reply, h) != 0) {
		snprintf(err, errlen, "metrics_listen: cannot register /metrics");
		cmm_metrics_http_free(h);
		return NULL;
	}
	evhttp_set_gencb(h->http, metrics_http_other, h);
	errno = 0;
	if (evhttp_bind_socket_with_handle(h->http, host, port) == NULL) {
		snprintf(err, errlen, "metrics_listen: cannot listen on %s%s%s:%u"
		    "%s%s", strchr(host, ':') != NULL ? "[" : "", host,
		    strchr(host, ':') != NULL ? "]" : "", (unsigned)port,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		cmm_metrics_http_free(h);
		return NULL;
	}
	cmm_logf(cmm_daemon_log(d), CMM_LOG_INFO, "metrics served on http://%s%s%s:"
	    "%u/metrics", strchr(host, ':') != NULL ? "[" : "", host,
	    strchr(host, ':') != NULL ? "]" : "", (unsigned)port);
	return h;
}

void
cmm_metrics_http_free(struct cmm_metrics_http *h)
{
	if (h == NULL)
		return;
	if (h->http != NULL)
		evhttp_free(h->http);
	free(h);
}
