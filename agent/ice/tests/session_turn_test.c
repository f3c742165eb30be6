// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions with TCP/TLS TURN servers on one ice_loop: connecting to a
 * server that stalls or refuses never holds up the loop, the other
 * sessions, or the end of gathering.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ice/ice_session.h"
#include "stun/stun.h"

/* per session */
struct sess {
	uint64_t done_ms;		/* gathering done, 0: not yet */
};

static void on_event(struct ice_session *s, enum ice_event ev, int stream,
		     void *user)
{
	struct sess *st = user;

	if (ev == ICE_EV_GATHERING_DONE && !st->done_ms)
		st->done_ms = ice_now_ms();
}

static const struct ice_session_ops ops = { .event = on_event };

/* what the loop serves meanwhile: a 20 ms timer and a socket */
static struct {
	struct ice_loop *l;
	struct ice_timer t;
	unsigned int ticks;
	uint64_t last, max_gap;
	int sp[2];
	unsigned int received;
	/* second session's TURN-TCP server: accepts, reads the Allocate */
	int lfd, afd;
	uint64_t alloc_ms;
} g;

static void tick(struct ice_timer *t, uint64_t now)
{
	if (g.last && now - g.last > g.max_gap)
		g.max_gap = now - g.last;
	g.last = now;
	g.ticks++;
	send(g.sp[0], "x", 1, MSG_DONTWAIT);
	ice_loop_timer_set(g.l, &g.t, now + 20);
}

static void on_dgram(int fd, uint32_t events, void *arg)
{
	char c;

	while (recv(fd, &c, 1, MSG_DONTWAIT) == 1)
		g.received++;
}

static void on_conn(int fd, uint32_t events, void *arg)
{
	uint8_t buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n >= 20 && !g.alloc_ms && stun_frame_len(buf, (size_t)n) > 0 &&
	    stun_type_method((uint16_t)(buf[0] << 8 | buf[1])) == STUN_ALLOCATE)
		g.alloc_ms = ice_now_ms();
	if (n == 0)
		ice_loop_del_fd(g.l, fd);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	int a = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (a >= 0 && g.afd < 0 && !ice_loop_add_fd(g.l, a, on_conn, NULL))
		g.afd = a;
	else if (a >= 0)
		close(a);
}

static int listener(struct ice_addr *at, int backlog)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ice_addr_from_sa(at, (struct sockaddr *)&sin);
	return fd;
}

static void turn_cfg(struct ice_cfg *cfg, const struct ice_addr *server,
		     enum ice_turn_transport tr)
{
	ice_cfg_default(cfg);
	cfg->nturn = 1;
	cfg->turn[0].addr = *server;
	cfg->turn[0].user = "kice";
	cfg->turn[0].pass = "kicepass";
	cfg->turn[0].transport = tr;
}

static unsigned int nrelay(struct ice_session *s)
{
	struct ice_agent *a = ice_session_agent(s);
	struct ice_cand_info ci;
	unsigned int n = 0;

	for (unsigned int i = 0; i < ice_agent_nlocal(a); i++)
		if (!ice_agent_local(a, i, &ci) && ci.type == ICE_CAND_RELAY)
			n++;
	return n;
}

static void run_until(struct sess *st, uint64_t limit_ms)
{
	uint64_t end = ice_now_ms() + limit_ms;

	while (!st->done_ms && ice_now_ms() < end)
		ice_loop_run_once(g.l, 50);
}

/* the loop, its timer and socket; the host address to gather from */
static int setup(struct ice_netif_addr *host)
{
	memset(&g, 0, sizeof(g));
	g.afd = -1;
	g.lfd = -1;
	g.l = ice_loop_new();
	if (!g.l || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, g.sp) ||
	    ice_loop_add_fd(g.l, g.sp[1], on_dgram, NULL))
		return -1;
	ice_timer_init(&g.t, tick);
	memset(host, 0, sizeof(*host));
	host->iface_pref = 128;
	host->addr_pref = 128;
	return ice_addr_parse(&host->addr, "127.0.0.1", 0);
}

static void teardown(void)
{
	ice_loop_del_fd(g.l, g.sp[1]);
	close(g.sp[0]);
	close(g.sp[1]);
	if (g.afd >= 0) {
		ice_loop_del_fd(g.l, g.afd);
		close(g.afd);
	}
	if (g.lfd >= 0) {
		ice_loop_del_fd(g.l, g.lfd);
		close(g.lfd);
	}
	ice_loop_free(g.l);
}

/*
 * Session A's TURN-TLS server accepts TCP and never answers the
 * handshake.  Creating A returns at once; the loop's timer and socket
 * keep being served; session B (TURN over TCP, created after A) sends its
 * Allocate long before A gives up; A then finishes gathering without a
 * relayed candidate.
 */
TEST(tls_stall_does_not_hold_up_others)
{
	struct ice_netif_addr host;
	struct ice_addr stall, srv;
	struct ice_cfg cfg;
	struct ice_session *a, *b;
	struct sess sa = { 0 }, sb = { 0 };
	uint64_t t0, took;
	int sfd;

	ASSERT_EQ(0, setup(&host));
	sfd = listener(&stall, 4);
	ASSERT_GE(sfd, 0);
	g.lfd = listener(&srv, 4);
	ASSERT_GE(g.lfd, 0);
	ASSERT_EQ(0, ice_loop_add_fd(g.l, g.lfd, on_accept, NULL));
	ice_loop_timer_set(g.l, &g.t, ice_now_ms() + 20);

	turn_cfg(&cfg, &stall, ICE_TURN_TLS);
	t0 = ice_now_ms();
	a = ice_session_new(g.l, &cfg, &host, 1, 1, 1, &ops, &sa);
	took = ice_now_ms() - t0;
	ASSERT_NE(NULL, a);
	EXPECT_GT(1000, took) TH_LOG("session creation took %llu ms",
				    (unsigned long long)took);
	turn_cfg(&cfg, &srv, ICE_TURN_TCP);
	b = ice_session_new(g.l, &cfg, &host, 1, 1, 1, &ops, &sb);
	ASSERT_NE(NULL, b);

	run_until(&sa, 6000);
	took = sa.done_ms - t0;
	ASSERT_NE(0, sa.done_ms);
	/* A gave up at its connect/handshake deadline (3 s) */
	EXPECT_LE(2900, took) TH_LOG("A done after %llu ms",
				     (unsigned long long)took);
	EXPECT_GT(4500, took);
	EXPECT_EQ(0, nrelay(a));
	/* B connected and allocated while A was stuck */
	ASSERT_NE(0, g.alloc_ms);
	EXPECT_GT(2000, g.alloc_ms - t0) TH_LOG("B's Allocate after %llu ms",
					       (unsigned long long)(g.alloc_ms - t0));
	EXPECT_EQ(0, sb.done_ms);	/* B still waits for its answer */
	/* the timer ran every ~20 ms all along, the socket was read */
	EXPECT_LE(took / 20 / 2, g.ticks);
	EXPECT_GT(500, g.max_gap) TH_LOG("longest gap %llu ms",
					 (unsigned long long)g.max_gap);
	EXPECT_LE(g.ticks - 2, g.received);
	printf("# A gave up after %llu ms, B's Allocate after %llu ms, %u ticks, longest gap %llu ms\n",
	       (unsigned long long)took, (unsigned long long)(g.alloc_ms - t0),
	       g.ticks, (unsigned long long)g.max_gap);

	ice_session_free(b);
	ice_session_free(a);
	close(sfd);
	teardown();
}

/* A refused connection (retried twice) ends gathering within ~1 s. */
TEST(refused_turn_tcp_ends_gathering)
{
	struct ice_netif_addr host;
	struct ice_addr closed;
	struct ice_cfg cfg;
	struct ice_session *a;
	struct sess sa = { 0 };
	uint64_t t0;
	int fd;

	ASSERT_EQ(0, setup(&host));
	fd = listener(&closed, 1);
	ASSERT_GE(fd, 0);
	close(fd);
	turn_cfg(&cfg, &closed, ICE_TURN_TCP);
	t0 = ice_now_ms();
	a = ice_session_new(g.l, &cfg, &host, 1, 1, 1, &ops, &sa);
	ASSERT_NE(NULL, a);
	EXPECT_GT(500, ice_now_ms() - t0);
	EXPECT_EQ(0, sa.done_ms);
	run_until(&sa, 3000);
	ASSERT_NE(0, sa.done_ms);
	/* two retries 100 ms apart, no more */
	EXPECT_LE(190, sa.done_ms - t0);
	EXPECT_GT(1000, sa.done_ms - t0);
	EXPECT_EQ(0, nrelay(a));
	ice_session_free(a);
	teardown();
}

TEST_HARNESS_MAIN
