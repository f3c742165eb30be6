// SPDX-License-Identifier: GPL-2.0
/*
 * kiced main loop (epoll, timerfd, signalfd).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "kiced/log.h"
#include "kiced/loop.h"

#define LOOP_MAX_EVENTS 64

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void loop_flush_deferred(struct loop *l)
{
	size_t i;

	for (i = 0; i < l->ndeferred; i++)
		free(l->deferred[i]);
	l->ndeferred = 0;
}

static void loop_on_timer(struct loop_watch *w, uint32_t events)
{
	struct loop *l = w->arg;
	uint64_t expirations;

	if (read(l->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	if (l->tick)
		l->tick(l->tick_arg, loop_now_ms());
}

static void loop_on_signal(struct loop_watch *w, uint32_t events)
{
	struct loop *l = w->arg;
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			klog_info("SIGHUP ignored");
			continue;
		}
		klog_notice("signal %u: shutting down", si.ssi_signo);
		l->stop_signal = (int)si.ssi_signo;
		l->stop = true;
	}
}

int loop_init(struct loop *l, unsigned int tick_ms,
	      void (*tick)(void *arg, uint64_t now_ms), void *tick_arg)
{
	struct itimerspec its = { 0 };
	sigset_t set;

	memset(l, 0, sizeof(*l));
	l->epfd = l->timerfd = l->sigfd = -1;
	l->tick_ms = tick_ms;
	l->tick = tick;
	l->tick_arg = tick_arg;

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto err;

	l->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0)
		goto err;
	its.it_interval.tv_sec = tick_ms / 1000;
	its.it_interval.tv_nsec = (long)(tick_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	if (timerfd_settime(l->timerfd, 0, &its, NULL) < 0)
		goto err;
	l->timer_w = (struct loop_watch){ l->timerfd, loop_on_timer, l };
	if (loop_add(l, &l->timer_w, EPOLLIN))
		goto err;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		goto err;
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0)
		goto err;
	l->sig_w = (struct loop_watch){ l->sigfd, loop_on_signal, l };
	if (loop_add(l, &l->sig_w, EPOLLIN))
		goto err;
	return 0;
err:
	klog_err("main loop setup: %s", strerror(errno));
	loop_fini(l);
	return -1;
}

void loop_fini(struct loop *l)
{
	loop_flush_deferred(l);
	free(l->deferred);
	l->deferred = NULL;
	l->deferred_cap = 0;
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = l->timerfd = l->sigfd = -1;
}

int loop_add(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void loop_del(struct loop *l, struct loop_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fn = NULL;
}

void loop_defer_free(struct loop *l, void *p)
{
	if (l->ndeferred == l->deferred_cap) {
		size_t cap = l->deferred_cap ? l->deferred_cap * 2 : 16;
		void **d = realloc(l->deferred, cap * sizeof(*d));

		if (!d) {
			/* cannot defer: leak rather than risk a stale watch */
			klog_err("out of memory deferring a free");
			return;
		}
		l->deferred = d;
		l->deferred_cap = cap;
	}
	l->deferred[l->ndeferred++] = p;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int i, n = epoll_wait(l->epfd, ev, LOOP_MAX_EVENTS, timeout_ms);

	if (n < 0) {
		if (errno == EINTR)
			return 0;
		klog_err("epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct loop_watch *w = ev[i].data.ptr;

		if (w->fn)
			w->fn(w, ev[i].events);
	}
	loop_flush_deferred(l);
	return n;
}

int loop_run(struct loop *l)
{
	while (!l->stop)
		if (loop_run_once(l, -1) < 0)
			return -1;
	return 0;
}
