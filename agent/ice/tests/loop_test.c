// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the tiny event loop: timer order, re-arming, microsecond
 * deadlines, removal of descriptors from inside callbacks.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ice/ice_loop.h"

static int order[8], norder;
static struct ice_timer t[5];

static void tcb(struct ice_timer *tm, uint64_t now)
{
	/* disarmed before its callback runs */
	order[norder++] = tm->idx == -1 ? (int)(tm - t) : -100;
}

TEST(timers_fire_in_order)
{
	struct ice_loop *l = ice_loop_new();
	uint64_t now = ice_now_ms();
	static const int delay[5] = { 30, 10, 50, 20, 40 };

	ASSERT_NE(NULL, l);
	norder = 0;
	for (int i = 0; i < 5; i++) {
		ice_timer_init(&t[i], tcb);
		ASSERT_EQ(0, ice_loop_timer_set(l, &t[i], now + delay[i]));
	}
	/* re-arm one, disarm another */
	ASSERT_EQ(0, ice_loop_timer_set(l, &t[2], now + 5));
	ice_loop_timer_del(l, &t[4]);
	EXPECT_EQ(4, ice_loop_ntimers(l));
	for (int i = 0; i < 50 && norder < 4; i++)
		ice_loop_run_once(l, 100);
	ASSERT_EQ(4, norder);
	EXPECT_EQ(2, order[0]);		/* re-armed to 5 ms */
	EXPECT_EQ(1, order[1]);		/* 10 */
	EXPECT_EQ(3, order[2]);		/* 20 */
	EXPECT_EQ(0, order[3]);		/* 30; 4 was disarmed */
	EXPECT_EQ(0, ice_loop_ntimers(l));
	EXPECT_EQ(-1, t[4].idx);
	ice_loop_free(l);
}

static uint64_t fired_us;

static void ucb(struct ice_timer *tm, uint64_t now)
{
	fired_us = ice_now_us();
}

/* a microsecond deadline is never run early (epoll_pwait2 waits to the
 * microsecond, epoll_wait rounds up) */
TEST(timer_microseconds_not_early)
{
	struct ice_loop *l = ice_loop_new();
	struct ice_timer tm;

	ASSERT_NE(NULL, l);
	for (int k = 0; k < 5; k++) {
		uint64_t when = ice_now_us() + 1500 + 100 * k;

		ice_timer_init(&tm, ucb);
		fired_us = 0;
		ASSERT_EQ(0, ice_loop_timer_set_us(l, &tm, when));
		for (int i = 0; i < 20 && !fired_us; i++)
			ice_loop_run_once(l, 100);
		ASSERT_NE(0, fired_us);
		EXPECT_LE(when, fired_us);
		EXPECT_GT(when + 100000, fired_us);
	}
	ice_loop_free(l);
}

static struct ice_loop *gl;
static int fds[4], calls;

static void fcb(int fd, uint32_t ev, void *arg)
{
	char c;

	calls++;
	if (read(fd, &c, 1) < 0)
		return;
	/* whichever runs first removes the other one */
	ice_loop_del_fd(gl, fd == fds[0] ? fds[2] : fds[0]);
}

TEST(remove_fd_from_callback)
{
	gl = ice_loop_new();
	ASSERT_NE(NULL, gl);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, fds));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, fds + 2));
	ASSERT_EQ(0, ice_loop_add_fd(gl, fds[0], fcb, NULL));
	ASSERT_EQ(0, ice_loop_add_fd(gl, fds[2], fcb, NULL));
	EXPECT_EQ(-EEXIST, ice_loop_add_fd(gl, fds[2], fcb, NULL));
	/* both readable in the same round */
	ASSERT_EQ(1, write(fds[1], "x", 1));
	ASSERT_EQ(1, write(fds[3], "y", 1));
	calls = 0;
	ice_loop_run_once(gl, 100);
	EXPECT_EQ(1, calls);
	ice_loop_run_once(gl, 10);
	EXPECT_EQ(1, calls);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	ice_loop_free(gl);
}

TEST_HARNESS_MAIN
