// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint: GET /metrics over HTTP on [control]
 * metrics-listen, for Prometheus to scrape.  HTTP is libmicrohttpd's
 * (Debian's libmicrohttpd), run from kiced's own loop: its epoll fd is one
 * more watch, and the loop's tick drives its connection timeouts, so no
 * thread touches kiced's state.
 */
#include <microhttpd.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "ctl/ng_addr.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/metrics.h"

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct kiced *k = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int code = MHD_HTTP_OK;
	char *text = NULL;
	size_t len = 0;

	(void)version;
	(void)upload;
	if (*upload_len)
		return MHD_NO;		/* a body: not ours */
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics")) {
		code = MHD_HTTP_NOT_FOUND;
	} else if (metrics_render(k, &text, &len)) {
		code = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (code != MHD_HTTP_OK) {
		static const char msg[] = "GET /metrics\n";

		r = MHD_create_response_from_buffer(sizeof(msg) - 1,
						    (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(len, text,
						    MHD_RESPMEM_MUST_FREE);
		text = NULL;
	}
	free(text);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK ?
				"text/plain; version=0.0.4; charset=utf-8" :
				"text/plain");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static void on_readable(struct loop_watch *w, uint32_t events)
{
	struct kiced *k = w->arg;

	(void)events;
	MHD_run(k->metrics);
}

void metrics_tick(struct kiced *k)
{
	if (k->metrics)
		MHD_run(k->metrics);
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	char buf[256];

	(void)arg;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	klog_info("metrics: %s", buf);
}

int metrics_open(struct kiced *k)
{
	const union MHD_DaemonInfo *info;
	struct ng_addr a;
	struct MHD_Daemon *d;

	k->metrics = NULL;
	if (!*k->cfg.metrics_listen)
		return 0;
	if (ng_addr_parse(k->cfg.metrics_listen, &a) ||
	    (a.ss.ss_family != AF_INET && a.ss.ss_family != AF_INET6)) {
		klog_err("metrics-listen %s: not ADDR:PORT",
			 k->cfg.metrics_listen);
		return -1;
	}
	d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			     (a.ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, on_request, k,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a.ss,
			     MHD_OPTION_CONNECTION_LIMIT, 16U,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10U,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_END);
	if (!d) {
		klog_err("metrics on %s: cannot listen", k->cfg.metrics_listen);
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	k->metrics_w = (struct loop_watch){ info ? info->epoll_fd : -1,
					    on_readable, k };
	if (!info || loop_add(&k->loop, &k->metrics_w, EPOLLIN)) {
		MHD_stop_daemon(d);
		klog_err("metrics on %s: cannot watch", k->cfg.metrics_listen);
		return -1;
	}
	k->metrics = d;
	klog_notice("metrics on http://%s/metrics", k->cfg.metrics_listen);
	return 0;
}

void metrics_close(struct kiced *k)
{
	if (!k->metrics)
		return;
	loop_del(&k->loop, &k->metrics_w);
	MHD_stop_daemon(k->metrics);
	k->metrics = NULL;
}
