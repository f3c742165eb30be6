/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced main loop: one thread, one epoll instance.  File descriptors are
 * registered with a struct loop_watch the caller owns; a timerfd calls the
 * tick handler periodically and a signalfd turns SIGTERM/SIGINT into a
 * clean stop.
 */
#ifndef KICE_KICED_LOOP_H
#define KICE_KICED_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

struct loop_watch {
	int fd;
	void (*fn)(struct loop_watch *w, uint32_t events);
	void *arg;
};

struct loop {
	int epfd;
	int timerfd;
	int sigfd;
	bool stop;
	int stop_signal;		/* signal that stopped the loop, or 0 */
	unsigned int tick_ms;
	void (*tick)(void *arg, uint64_t now_ms);
	void *tick_arg;
	struct loop_watch timer_w;
	struct loop_watch sig_w;
	void **deferred;		/* freed after the current batch */
	size_t ndeferred, deferred_cap;
};

/* Blocks SIGTERM, SIGINT and SIGHUP and takes them through a signalfd. */
int loop_init(struct loop *l, unsigned int tick_ms,
	      void (*tick)(void *arg, uint64_t now_ms), void *tick_arg);
void loop_fini(struct loop *l);
int loop_add(struct loop *l, struct loop_watch *w, uint32_t events);
void loop_del(struct loop *l, struct loop_watch *w);
/*
 * Free @p (malloc'ed, containing unregistered watches) once the events of
 * the current epoll batch have been dispatched, so that a watch removed by
 * an earlier event in the batch is never touched after it is freed.  A
 * removed watch must have its fn set to NULL (loop_del() does it).
 */
void loop_defer_free(struct loop *l, void *p);
/* Free what loop_defer_free() queued (done after every batch). */
void loop_flush_deferred(struct loop *l);
/* Run until loop_stop() or a termination signal.  0, or -1 on error. */
int loop_run(struct loop *l);
/* Wait up to @timeout_ms, dispatch one batch.  Events handled, or -1. */
int loop_run_once(struct loop *l, int timeout_ms);
void loop_stop(struct loop *l);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t loop_now_ms(void);

#endif /* KICE_KICED_LOOP_H */
