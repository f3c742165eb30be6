// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny epoll + timer-heap event loop (see ice_loop.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "ice/ice_loop.h"

struct ice_fdreg {
	int fd;
	ice_fd_cb cb;
	void *arg;
};

struct ice_loop {
	int epfd;
	bool dispatching;
	struct ice_fdreg **dead;	/* removed during a dispatch round */
	unsigned int ndead, capdead;
	struct ice_timer **heap;
	unsigned int nheap, capheap;
	struct ice_fdreg **fds;		/* indexed by fd */
	unsigned int capfds;
};

uint64_t ice_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t ice_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

struct ice_loop *ice_loop_new(void)
{
	struct ice_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void ice_loop_free(struct ice_loop *l)
{
	if (!l)
		return;
	for (unsigned int i = 0; i < l->capfds; i++)
		free(l->fds[i]);
	for (unsigned int i = 0; i < l->ndead; i++)
		free(l->dead[i]);
	free(l->dead);
	free(l->fds);
	free(l->heap);
	close(l->epfd);
	free(l);
}

int ice_loop_add_fd(struct ice_loop *l, int fd, ice_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ice_fdreg *r;

	if (fd < 0)
		return -EBADF;
	if ((unsigned int)fd >= l->capfds) {
		unsigned int ncap = l->capfds ? l->capfds : 64;
		struct ice_fdreg **n;

		while (ncap <= (unsigned int)fd)
			ncap *= 2;
		n = realloc(l->fds, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (unsigned int i = l->capfds; i < ncap; i++)
			n[i] = NULL;
		l->fds = n;
		l->capfds = ncap;
	}
	if (l->fds[fd])
		return -EEXIST;
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->cb = cb;
	r->arg = arg;
	ev.data.ptr = r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(r);
		return -errno;
	}
	l->fds[fd] = r;
	return 0;
}

int ice_loop_set_events(struct ice_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || (unsigned int)fd >= l->capfds || !l->fds[fd])
		return -ENOENT;
	ev.data.ptr = l->fds[fd];
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void ice_loop_del_fd(struct ice_loop *l, int fd)
{
	if (fd < 0 || (unsigned int)fd >= l->capfds || !l->fds[fd])
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd]->cb = NULL;
	/* events of this round may still point at it: free it afterwards */
	if (l->dispatching) {
		if (l->ndead == l->capdead) {
			unsigned int ncap = l->capdead ? l->capdead * 2 : 16;
			struct ice_fdreg **n = realloc(l->dead, ncap * sizeof(*n));

			if (n) {
				l->dead = n;
				l->capdead = ncap;
			}
		}
		if (l->ndead < l->capdead) {
			l->dead[l->ndead++] = l->fds[fd];
			l->fds[fd] = NULL;
			return;
		}
	}
	free(l->fds[fd]);
	l->fds[fd] = NULL;
}

void ice_timer_init(struct ice_timer *t, ice_timer_cb cb)
{
	t->when = UINT64_MAX;
	t->idx = -1;
	t->cb = cb;
}

static void heap_swap(struct ice_loop *l, unsigned int a, unsigned int b)
{
	struct ice_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->idx = (int)a;
	l->heap[b]->idx = (int)b;
}

static void heap_up(struct ice_loop *l, unsigned int i)
{
	while (i && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct ice_loop *l, unsigned int i)
{
	for (;;) {
		unsigned int c = 2 * i + 1, m = i;

		if (c < l->nheap && l->heap[c]->when < l->heap[m]->when)
			m = c;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[m]->when)
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

void ice_loop_timer_del(struct ice_loop *l, struct ice_timer *t)
{
	unsigned int i;

	if (t->idx < 0)
		return;
	i = (unsigned int)t->idx;
	t->idx = -1;
	t->when = UINT64_MAX;
	if (i == --l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	l->heap[i]->idx = (int)i;
	heap_up(l, i);
	heap_down(l, (unsigned int)l->heap[i]->idx);
}

int ice_loop_timer_set(struct ice_loop *l, struct ice_timer *t, uint64_t when)
{
	return ice_loop_timer_set_us(l, t, when >= UINT64_MAX / 1000 ?
				     UINT64_MAX : when * 1000);
}

int ice_loop_timer_set_us(struct ice_loop *l, struct ice_timer *t,
			  uint64_t when)
{
	if (when == UINT64_MAX) {
		ice_loop_timer_del(l, t);
		return 0;
	}
	if (t->idx >= 0) {
		t->when = when;
		heap_up(l, (unsigned int)t->idx);
		heap_down(l, (unsigned int)t->idx);
		return 0;
	}
	if (l->nheap == l->capheap) {
		unsigned int ncap = l->capheap ? l->capheap * 2 : 64;
		struct ice_timer **n = realloc(l->heap, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->heap = n;
		l->capheap = ncap;
	}
	t->when = when;
	t->idx = (int)l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, (unsigned int)t->idx);
	return 0;
}

unsigned int ice_loop_ntimers(const struct ice_loop *l)
{
	return l->nheap;
}

/*
 * epoll_wait() for @wait_us (UINT64_MAX: no limit).  epoll_pwait2()
 * (Linux 5.11) waits to the microsecond; without it the wait is rounded
 * up to whole milliseconds, so a timer is never run early.
 */
static int wait_events(struct ice_loop *l, struct epoll_event *evs, int max,
		       uint64_t wait_us)
{
	static bool no_pwait2;

	if (!no_pwait2) {
		struct timespec ts = {
			.tv_sec = (time_t)(wait_us / 1000000),
			.tv_nsec = (long)(wait_us % 1000000) * 1000,
		};
		int n = epoll_pwait2(l->epfd, evs, max,
				     wait_us == UINT64_MAX ? NULL : &ts, NULL);

		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	return epoll_wait(l->epfd, evs, max, wait_us == UINT64_MAX ? -1 :
			  (int)((wait_us + 999) / 1000));
}

int ice_loop_run_once(struct ice_loop *l, int max_ms)
{
	struct epoll_event evs[64];
	uint64_t now = ice_now_us();
	uint64_t wait = max_ms < 0 ? UINT64_MAX : (uint64_t)max_ms * 1000;
	int n, ran = 0;

	if (l->nheap) {
		uint64_t d = l->heap[0]->when > now ? l->heap[0]->when - now : 0;

		if (d < wait)
			wait = d;
	}
	n = wait_events(l, evs, 64, wait);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching = true;
	for (int i = 0; i < n; i++) {
		struct ice_fdreg *r = evs[i].data.ptr;

		if (!r->cb)
			continue;	/* removed by an earlier callback */
		r->cb(r->fd, evs[i].events, r->arg);
		ran++;
	}
	l->dispatching = false;
	while (l->ndead)
		free(l->dead[--l->ndead]);
	/* expired timers; bounded so that re-arming at "now" cannot spin */
	now = ice_now_us();
	for (unsigned int k = 0, max = l->nheap; k < max && l->nheap &&
	     l->heap[0]->when <= now; k++) {
		struct ice_timer *t = l->heap[0];

		ice_loop_timer_del(l, t);
		t->cb(t, now / 1000);
		ran++;
	}
	return ran;
}
