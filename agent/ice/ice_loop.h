/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny single-threaded event loop for ICE sessions: epoll for sockets
 * and a binary heap of timers (microsecond deadlines, also settable in
 * milliseconds).  Applications with their own
 * loop can drive struct ice_agent directly instead.
 */
#ifndef KICE_ICE_LOOP_H
#define KICE_ICE_LOOP_H

#include <stdint.h>

struct ice_loop;
struct ice_timer;

typedef void (*ice_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*ice_timer_cb)(struct ice_timer *t, uint64_t now);

struct ice_timer {
	uint64_t when;			/* microseconds (ice_now_us() clock) */
	int idx;			/* heap slot, -1 when not armed */
	ice_timer_cb cb;
};

uint64_t ice_now_ms(void);
/* the same clock (CLOCK_MONOTONIC) in microseconds, for measurements */
uint64_t ice_now_us(void);

struct ice_loop *ice_loop_new(void);
void ice_loop_free(struct ice_loop *l);
/* Watch @fd for EPOLLIN (change with ice_loop_set_events()). */
int ice_loop_add_fd(struct ice_loop *l, int fd, ice_fd_cb cb, void *arg);
/* Wait for other EPOLL* events on a watched @fd, e.g. EPOLLOUT. */
int ice_loop_set_events(struct ice_loop *l, int fd, uint32_t events);
/* Safe from inside any callback: pending events of @fd are dropped. */
void ice_loop_del_fd(struct ice_loop *l, int fd);
void ice_timer_init(struct ice_timer *t, ice_timer_cb cb);
/* Arm (or re-arm) @t at @when (ice_now_ms() clock); UINT64_MAX disarms. */
int ice_loop_timer_set(struct ice_loop *l, struct ice_timer *t, uint64_t when);
/* The same with @when_us on the ice_now_us() clock. */
int ice_loop_timer_set_us(struct ice_loop *l, struct ice_timer *t,
			  uint64_t when_us);
void ice_loop_timer_del(struct ice_loop *l, struct ice_timer *t);
/* Wait at most @max_ms (-1: until something happens), dispatch what is
 * ready; a timer runs once its deadline has passed, to the microsecond.
 * Returns the number of callbacks run, or -errno. */
int ice_loop_run_once(struct ice_loop *l, int max_ms);
unsigned int ice_loop_ntimers(const struct ice_loop *l);

#endif /* KICE_ICE_LOOP_H */
