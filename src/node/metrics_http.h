/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics_http: serves the node's metrics (src/node/metrics.h) over HTTP
 * for a Prometheus server to scrape, when the node's section of the
 * config has `metrics_listen = ADDR:PORT` (assets/cmm.conf.5).
 *
 * One libevent evhttp server on the daemon's loop, bound to that address
 * only.  GET (or HEAD) /metrics answers 200 with the text exposition;
 * any other path is 404, any other method 405 (or libevent's 501 for a
 * method it does not know).  A scrape is rendered on
 * the loop like a `cmm ctl metrics`, so what both show is the same.
 */
#ifndef CMM_METRICS_HTTP_H
#define CMM_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct cmm_daemon;
struct cmm_metrics_http;

/* Listens on host:port (numeric) on d's loop.  NULL with one line in err
 * when the address cannot be bound (in use, not on this host). */
struct cmm_metrics_http *cmm_metrics_http_new(struct cmm_daemon *d,
	    const char *host, uint16_t port, char *err, size_t errlen);
void	cmm_metrics_http_free(struct cmm_metrics_http *h);

#endif
