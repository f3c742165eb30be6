// SPDX-License-Identifier: GPL-2.0
/*
 * kice-ktool turnhold: a leg through a real TURN server.
 *
 *   turnhold --bind IP,PORT --server IP,PORT --user U --pass P --peer IP,PORT
 *
 * Binds a UDP socket, attaches it to kice.ko, allocates on the TURN server
 * from it (agent/turn, long-term credentials) and binds a channel to the
 * peer.  Prints "sock0=ID", "relayed=IP,PORT", "channel=N" and "ready",
 * then keeps the allocation, permission and channel refreshed until
 * SIGTERM: the TURN server's STUN responses keep reaching the socket while
 * kice.ko relays the ChannelData of the channel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/kice.h>

#include "turn/turn.h"
#include "ktool.h"

struct th {
	int fd;
	struct sockaddr_storage server;
	socklen_t slen;
	int state;	/* 0 allocating, 1 binding, 2 bound, -1 failed */
	struct sockaddr_storage relayed;
	uint16_t channel;
};

static struct turn_client tc;
static volatile sig_atomic_t th_stop;

static void th_term(int sig)
{
	th_stop = 1;
}

static int th_send(void *arg, const uint8_t *buf, size_t len)
{
	struct th *t = arg;

	if (sendto(t->fd, buf, len, 0, (struct sockaddr *)&t->server,
		   t->slen) < 0)
		return -errno;
	return 0;
}

static void th_event(void *arg, const struct turn_event *ev)
{
	struct th *t = arg;

	switch (ev->type) {
	case TURN_EV_ALLOCATED:
		t->relayed = tc.relayed[0];
		t->state = 1;
		break;
	case TURN_EV_CHANNEL:
		if (ev->err) {
			t->state = -1;
		} else if (t->state == 1) {
			t->channel = ev->channel;
			t->state = 2;
		}
		break;
	case TURN_EV_ALLOC_FAILED:
	case TURN_EV_ALTERNATE:
		fprintf(stderr, "ktool: allocate failed: %d %s\n", ev->code,
			ev->reason);
		t->state = -1;
		break;
	case TURN_EV_DATA:
		printf("data len=%zu channel=%u\n", ev->len, ev->channel);
		fflush(stdout);
		break;
	default:
		break;
	}
}

int kt_turnhold(int argc, char **argv)
{
	const char *user = NULL, *pass = NULL;
	struct sockaddr_storage peer;
	struct turn_cfg cfg = { 0 };
	struct th t = { .fd = -1 };
	socklen_t plen = 0;
	char relayed[80];
	uint32_t id;
	int i, err;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bind"))
			t.fd = kt_udp_bound(argv[i + 1]);
		else if (!strcmp(argv[i], "--server"))
			kt_parse_ep(argv[i + 1], &t.server, &t.slen);
		else if (!strcmp(argv[i], "--peer"))
			kt_parse_ep(argv[i + 1], &peer, &plen);
		else if (!strcmp(argv[i], "--user"))
			user = argv[i + 1];
		else if (!strcmp(argv[i], "--pass"))
			pass = argv[i + 1];
	}
	if (t.fd < 0 || !t.slen || !plen || !user || !pass) {
		fprintf(stderr, "ktool: turnhold needs --bind --server --peer --user --pass\n");
		return 2;
	}
	err = knl_sock_attach_policy(&kt_nl, t.fd, KICE_UNKNOWN_POLICY_PASS,
				     &id);
	if (err) {
		fprintf(stderr, "ktool: attach: %s %s\n", strerror(-err),
			kt_nl.extack);
		return 1;
	}

	cfg.transport = STUN_TR_UDP;
	cfg.username = user;
	cfg.password = pass;
	cfg.families = TURN_FAMILY_V4;
	cfg.software = "kice-ktool";
	if (turn_client_init(&tc, &cfg, th_send, th_event, &t) ||
	    turn_client_allocate(&tc, stun_now_ms()))
		return 1;

	signal(SIGTERM, th_term);
	signal(SIGINT, th_term);
	while (!th_stop && t.state >= 0) {
		uint64_t now = stun_now_ms(), next = turn_client_next_timer(&tc);
		struct pollfd p = { .fd = t.fd, .events = POLLIN };
		int wait = next > now + 200 ? 200 : (int)(next - now);

		if (t.state == 1 && !t.channel) {
			t.channel = 1;	/* ChannelBind sent, not yet answered */
			if (turn_client_bind(&tc, (struct sockaddr *)&peer,
					     now) < 0)
				t.state = -1;
		}
		if (t.state == 2) {
			kt_ep_str(&t.relayed, relayed, sizeof(relayed));
			printf("sock0=%u\nrelayed=%s\nchannel=%u\nready\n", id,
			       relayed, t.channel);
			fflush(stdout);
			t.state = 3;
		}
		if (poll(&p, 1, wait > 0 ? wait : 0) > 0) {
			uint8_t buf[2048];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t r = recvfrom(t.fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &fl);

			if (r > 0)
				turn_client_input(&tc, buf, r, stun_now_ms());
		}
		turn_client_tick(&tc, stun_now_ms());
	}
	if (t.state < 0) {
		fprintf(stderr, "ktool: TURN setup failed\n");
		return 1;
	}
	turn_client_close(&tc, stun_now_ms());
	return 0;
}
