// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace relay on loopback: two endpoints talk through a pair of relay
 * legs; counts, latching, strict source and unknown-peer drops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "kiced/relay_user.h"

static int udp_socket(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sa, sizeof(*sa)) ||
	    getsockname(fd, (struct sockaddr *)sa, &len))
		return -1;
	return fd;
}

static void loopback_any(struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Pump @leg until it has seen @want datagrams or 2 s passed. */
static int pump_until(struct relay_leg *leg, uint64_t want)
{
	int i;

	for (i = 0; i < 200 && leg->rx.packets < want; i++) {
		struct pollfd p = { .fd = leg->fd, .events = POLLIN };

		if (poll(&p, 1, 10) > 0 && relay_leg_pump(leg, 64, 1) < 0)
			return -1;
	}
	return leg->rx.packets >= want ? 0 : -1;
}

static int recv_timeout(int fd, char *buf, size_t len,
			struct sockaddr_in *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, 1000) <= 0)
		return -1;
	return (int)recvfrom(fd, buf, len, MSG_DONTWAIT,
			     (struct sockaddr *)from, &fl);
}

FIXTURE(relay)
{
	int a_fd, b_fd;			/* the two endpoints */
	struct sockaddr_in a, b;
	struct relay_leg la, lb;	/* la faces A, lb faces B */
};

FIXTURE_SETUP(relay)
{
	struct sockaddr_in any;

	self->a_fd = udp_socket(&self->a);
	self->b_fd = udp_socket(&self->b);
	ASSERT_GE(self->a_fd, 0);
	ASSERT_GE(self->b_fd, 0);
	loopback_any(&any);
	ASSERT_EQ(0, relay_leg_open(&self->la, (struct sockaddr *)&any,
				    sizeof(any)));
	ASSERT_EQ(0, relay_leg_open(&self->lb, (struct sockaddr *)&any,
				    sizeof(any)));
	ASSERT_NE(0, relay_leg_port(&self->la));
	relay_pair(&self->la, &self->lb);
}

FIXTURE_TEARDOWN(relay)
{
	relay_leg_close(&self->la);
	relay_leg_close(&self->lb);
	close(self->a_fd);
	close(self->b_fd);
}

static void send_to_leg(int fd, const struct relay_leg *leg, const char *msg)
{
	sendto(fd, msg, strlen(msg), 0, (const struct sockaddr *)&leg->local,
	       leg->local_len);
}

TEST_F(relay, both_directions)
{
	struct sockaddr_in from;
	char buf[64];
	int i, n;

	relay_leg_set_peer(&self->la, (struct sockaddr *)&self->a,
			   sizeof(self->a));
	relay_leg_set_peer(&self->lb, (struct sockaddr *)&self->b,
			   sizeof(self->b));
	/* A -> la -> lb -> B, in a batch of 50 */
	for (i = 0; i < 50; i++)
		send_to_leg(self->a_fd, &self->la, "from-a");
	ASSERT_EQ(0, pump_until(&self->la, 50));
	for (i = 0; i < 50; i++) {
		n = recv_timeout(self->b_fd, buf, sizeof(buf), &from);
		ASSERT_EQ(6, n);
		ASSERT_EQ(0, memcmp(buf, "from-a", 6));
		/* it comes from the leg facing B */
		ASSERT_EQ(htons(relay_leg_port(&self->lb)), from.sin_port);
	}
	EXPECT_EQ(50, self->la.rx.packets);
	EXPECT_EQ(300, self->la.rx.bytes);
	EXPECT_EQ(50, self->lb.tx.packets);
	EXPECT_EQ(0, self->la.rx.errors);

	/* B -> lb -> la -> A */
	send_to_leg(self->b_fd, &self->lb, "from-b!");
	ASSERT_EQ(0, pump_until(&self->lb, 1));
	n = recv_timeout(self->a_fd, buf, sizeof(buf), &from);
	ASSERT_EQ(7, n);
	ASSERT_EQ(htons(relay_leg_port(&self->la)), from.sin_port);
}

TEST_F(relay, unknown_peer_dropped)
{
	struct sockaddr_in from;
	char buf[16];

	/* lb has no peer: A's datagram cannot go anywhere */
	send_to_leg(self->a_fd, &self->la, "x");
	ASSERT_EQ(0, pump_until(&self->la, 1));
	EXPECT_EQ(1, self->la.rx.errors);
	EXPECT_EQ(0, self->lb.tx.packets);
	EXPECT_EQ(-1, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
}

/*
 * RFC 7675: towards a peer that has not consented, nothing is sent; the
 * first RELAY_HOLD_MAX datagrams are kept and go out, in order, once
 * consent is given (unless older than RELAY_HOLD_MS), the rest are
 * dropped and counted.
 */
TEST_F(relay, consent_hold_keeps_the_first)
{
	struct sockaddr_in from;
	char buf[16], msg[8];
	int i, n;

	self->lb.hold = true;	/* ICE towards B: no peer, no consent yet */
	for (i = 0; i < RELAY_HOLD_MAX + 2; i++) {
		snprintf(msg, sizeof(msg), "p%d", i);
		send_to_leg(self->a_fd, &self->la, msg);
	}
	ASSERT_EQ(0, pump_until(&self->la, RELAY_HOLD_MAX + 2));
	EXPECT_EQ(RELAY_HOLD_MAX + 2, self->lb.held);
	EXPECT_EQ(RELAY_HOLD_MAX, self->lb.nqueued);
	EXPECT_EQ(2, self->la.rx.errors);
	EXPECT_EQ(0, self->lb.tx.packets);
	EXPECT_EQ(-1, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
	/* still held: unhold sends nothing */
	EXPECT_EQ(0, relay_leg_unhold(&self->lb, true, 2));
	EXPECT_EQ(0, self->lb.nqueued);
	for (i = 0; i < RELAY_HOLD_MAX; i++) {
		snprintf(msg, sizeof(msg), "p%d", i);
		send_to_leg(self->a_fd, &self->la, msg);
	}
	ASSERT_EQ(0, pump_until(&self->la, 2 * RELAY_HOLD_MAX + 2));
	/* consent: the peer is known and the kept ones go, oldest first */
	relay_leg_set_peer(&self->lb, (struct sockaddr *)&self->b,
			   sizeof(self->b));
	self->lb.hold = false;
	EXPECT_EQ(RELAY_HOLD_MAX, relay_leg_unhold(&self->lb, true, 500));
	EXPECT_EQ(0, self->lb.nqueued);
	for (i = 0; i < RELAY_HOLD_MAX; i++) {
		n = recv_timeout(self->b_fd, buf, sizeof(buf), &from);
		snprintf(msg, sizeof(msg), "p%d", i);
		ASSERT_EQ((int)strlen(msg), n);
		ASSERT_EQ(0, memcmp(buf, msg, (size_t)n));
	}
	EXPECT_EQ(RELAY_HOLD_MAX, self->lb.tx.packets);
	/* kept too long: dropped when consent comes */
	self->lb.hold = true;
	send_to_leg(self->a_fd, &self->la, "old");
	ASSERT_EQ(0, pump_until(&self->la, 2 * RELAY_HOLD_MAX + 3));
	EXPECT_EQ(1, self->lb.nqueued);
	self->lb.hold = false;
	EXPECT_EQ(0, relay_leg_unhold(&self->lb, true, 1 + RELAY_HOLD_MS));
	EXPECT_EQ(-1, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
	/* and relay_leg_close() frees what is still kept */
	self->lb.hold = true;
	send_to_leg(self->a_fd, &self->la, "left");
	ASSERT_EQ(0, pump_until(&self->la, 2 * RELAY_HOLD_MAX + 4));
	EXPECT_EQ(1, self->lb.nqueued);
}

TEST_F(relay, latching)
{
	struct sockaddr_in wrong, from;
	char buf[16];

	/* SDP said B is at a dead port; B's first datagram corrects it */
	wrong = self->b;
	wrong.sin_port = htons(9);
	relay_leg_set_peer(&self->lb, (struct sockaddr *)&wrong, sizeof(wrong));
	relay_leg_set_peer(&self->la, (struct sockaddr *)&self->a,
			   sizeof(self->a));
	self->lb.latch = true;
	send_to_leg(self->b_fd, &self->lb, "hello");
	ASSERT_EQ(0, pump_until(&self->lb, 1));
	ASSERT_TRUE(self->lb.latched);
	ASSERT_EQ(5, recv_timeout(self->a_fd, buf, sizeof(buf), &from));
	/* now A reaches B at its real port */
	send_to_leg(self->a_fd, &self->la, "back");
	ASSERT_EQ(0, pump_until(&self->la, 1));
	ASSERT_EQ(4, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
}

TEST_F(relay, strict_source)
{
	struct sockaddr_in from, other;
	char buf[16];
	int ofd = udp_socket(&other);

	ASSERT_GE(ofd, 0);
	relay_leg_set_peer(&self->la, (struct sockaddr *)&self->a,
			   sizeof(self->a));
	relay_leg_set_peer(&self->lb, (struct sockaddr *)&self->b,
			   sizeof(self->b));
	self->la.strict = true;
	send_to_leg(ofd, &self->la, "intruder");
	ASSERT_EQ(0, pump_until(&self->la, 1));
	EXPECT_EQ(1, self->la.rx.errors);
	EXPECT_EQ(-1, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
	send_to_leg(self->a_fd, &self->la, "legit");
	ASSERT_EQ(0, pump_until(&self->la, 2));
	EXPECT_EQ(5, recv_timeout(self->b_fd, buf, sizeof(buf), &from));
	close(ofd);
}

TEST(ipv4_to_ipv6)
{
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in any4, a;
	struct sockaddr_in6 b, from;
	struct relay_leg l4, l6;
	socklen_t len = sizeof(b), fl = sizeof(from);
	struct pollfd p;
	char buf[16];
	int afd, bfd, i;

	bfd = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_GE(bfd, 0);
	if (bind(bfd, (struct sockaddr *)&any6, sizeof(any6))) {
		close(bfd);
		SKIP(return, "no IPv6 loopback");
	}
	ASSERT_EQ(0, getsockname(bfd, (struct sockaddr *)&b, &len));
	afd = udp_socket(&a);
	loopback_any(&any4);
	ASSERT_EQ(0, relay_leg_open(&l4, (struct sockaddr *)&any4,
				    sizeof(any4)));
	ASSERT_EQ(0, relay_leg_open(&l6, (struct sockaddr *)&any6,
				    sizeof(any6)));
	relay_pair(&l4, &l6);
	relay_leg_set_peer(&l6, (struct sockaddr *)&b, sizeof(b));
	sendto(afd, "v4v6", 4, 0, (struct sockaddr *)&l4.local, l4.local_len);
	for (i = 0; i < 100 && !l4.rx.packets; i++) {
		p = (struct pollfd){ .fd = l4.fd, .events = POLLIN };
		if (poll(&p, 1, 10) > 0)
			relay_leg_pump(&l4, 8, 1);
	}
	p = (struct pollfd){ .fd = bfd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 1000));
	ASSERT_EQ(4, recvfrom(bfd, buf, sizeof(buf), 0,
			      (struct sockaddr *)&from, &fl));
	ASSERT_EQ(htons(relay_leg_port(&l6)), from.sin6_port);
	relay_leg_close(&l4);
	relay_leg_close(&l6);
	close(afd);
	close(bfd);
}

TEST_HARNESS_MAIN
