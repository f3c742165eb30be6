// SPDX-License-Identifier: GPL-2.0
/*
 * TURN client unit tests against a scripted server built from the STUN
 * codec: authentication, stale nonce, alternate server, errors, refresh
 * timers, permissions, channels, data paths, release.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "turn/turn.h"

struct fake {
	uint8_t sent[8][2048];
	size_t sent_len[8];
	unsigned int nsent;
	struct turn_event ev[16];
	uint8_t evdata[16][64];
	unsigned int nev;
	struct stun_key key;		/* server's view of the key */
};

static int fake_send(void *arg, const uint8_t *buf, size_t len)
{
	struct fake *f = arg;
	unsigned int i = f->nsent++ % 8;

	memcpy(f->sent[i], buf, len);
	f->sent_len[i] = len;
	return 0;
}

static void fake_event(void *arg, const struct turn_event *ev)
{
	struct fake *f = arg;
	unsigned int i = f->nev++ % 16;

	f->ev[i] = *ev;
	if (ev->data && ev->len <= sizeof(f->evdata[i])) {
		memcpy(f->evdata[i], ev->data, ev->len);
		f->ev[i].data = f->evdata[i];
	}
}

static const uint8_t *last_sent(struct fake *f, size_t *len)
{
	unsigned int i = (f->nsent - 1) % 8;

	*len = f->sent_len[i];
	return f->sent[i];
}

static const struct turn_event *last_ev(struct fake *f)
{
	return &f->ev[(f->nev - 1) % 16];
}

/* Server reply to the last request: error with realm/nonce, or success
 * with the given attributes, signed when key != NULL. */
static long reply(struct fake *f, uint8_t *out, size_t cap, int code,
		  const char *nonce, bool sign, void (*extra)(struct stun_builder *))
{
	struct stun_builder b;
	struct stun_msg req;
	const uint8_t *buf;
	size_t len;

	buf = last_sent(f, &len);
	if (stun_msg_parse(&req, buf, len))
		return -1;
	stun_build_init(&b, out, cap, stun_type(stun_msg_method(&req),
						 code ? STUN_ERROR : STUN_SUCCESS),
			req.tid);
	if (code) {
		stun_build_error(&b, code, NULL);
		if (nonce) {
			stun_build_string(&b, STUN_ATTR_REALM, "kice.test");
			stun_build_string(&b, STUN_ATTR_NONCE, nonce);
		}
	}
	if (extra)
		extra(&b);
	if (sign)
		stun_build_integrity(&b, &f->key);
	stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}

static struct sockaddr_in relay4, mapped4, peer4;

static void alloc_ok_attrs(struct stun_builder *b)
{
	stun_build_addr(b, STUN_ATTR_XOR_RELAYED_ADDRESS,
			(struct sockaddr *)&relay4);
	stun_build_addr(b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			(struct sockaddr *)&mapped4);
	stun_build_u32(b, STUN_ATTR_LIFETIME, 600);
}

static void lifetime_600(struct stun_builder *b)
{
	stun_build_u32(b, STUN_ATTR_LIFETIME, 600);
}

static void lifetime_0(struct stun_builder *b)
{
	stun_build_u32(b, STUN_ATTR_LIFETIME, 0);
}

static void alternate(struct stun_builder *b)
{
	stun_build_addr(b, STUN_ATTR_ALTERNATE_SERVER,
			(struct sockaddr *)&peer4);
}

static void setup_addrs(void)
{
	relay4.sin_family = mapped4.sin_family = peer4.sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.1", &relay4.sin_addr);
	relay4.sin_port = htons(50000);
	inet_pton(AF_INET, "203.0.113.1", &mapped4.sin_addr);
	mapped4.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.7", &peer4.sin_addr);
	peer4.sin_port = htons(7000);
}

static void init_client(struct __test_metadata *_metadata,
			struct turn_client *c, struct fake *f,
			enum stun_transport tr)
{
	struct turn_cfg cfg = { .transport = tr, .username = "u",
				.password = "p" };

	setup_addrs();
	memset(f, 0, sizeof(*f));
	ASSERT_EQ(0, stun_key_long_term(&f->key, STUN_PWALG_MD5, "u",
					"kice.test", "p"));
	ASSERT_EQ(0, turn_client_init(c, &cfg, fake_send, fake_event, f));
}

/* Allocate through 401 to success; leaves the client ALLOCATED at t=0. */
static void allocate(struct __test_metadata *_metadata, struct turn_client *c,
		     struct fake *f)
{
	struct stun_msg m;
	const uint8_t *buf;
	uint8_t out[512];
	size_t len;
	long n;

	ASSERT_EQ(0, turn_client_allocate(c, 0));
	buf = last_sent(f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_ALLOCATE, stun_msg_method(&m));
	ASSERT_EQ(-1, m.mi);			/* first try: no credentials */
	ASSERT_TRUE(stun_has(&m, STUN_ATTR_REQUESTED_TRANSPORT));

	n = reply(f, out, sizeof(out), 401, "nonce-1", false, NULL);
	ASSERT_EQ(0, turn_client_input(c, out, (size_t)n, 10));
	ASSERT_EQ(2, f->nsent);
	buf = last_sent(f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_GE(m.mi, 0);
	ASSERT_TRUE(stun_has(&m, STUN_ATTR_USERNAME));
	ASSERT_EQ(0, stun_msg_verify(&m, &f->key));

	n = reply(f, out, sizeof(out), 0, NULL, true, alloc_ok_attrs);
	ASSERT_EQ(0, turn_client_input(c, out, (size_t)n, 20));
	ASSERT_EQ(TURN_EV_ALLOCATED, last_ev(f)->type);
	ASSERT_EQ(TURN_ALLOCATED, c->state);
	ASSERT_EQ(1, c->nrelayed);
	ASSERT_EQ(0, memcmp(&c->relayed[0], &relay4, sizeof(relay4)));
	ASSERT_EQ(0, memcmp(&c->mapped, &mapped4, sizeof(mapped4)));
}

TEST(allocate_401_then_success)
{
	struct turn_client c;
	struct fake f;
	uint8_t out[512];
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	allocate(_metadata, &c, &f);
	/* a duplicate of the success is ignored */
	n = reply(&f, out, sizeof(out), 0, NULL, true, alloc_ok_attrs);
	ASSERT_NE(0, turn_client_input(&c, out, (size_t)n, 30));
	ASSERT_EQ(1, f.nev);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(wrong_password)
{
	struct turn_client c;
	struct fake f;
	uint8_t out[512];
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	n = reply(&f, out, sizeof(out), 401, "n1", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 1));
	n = reply(&f, out, sizeof(out), 401, "n1", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 2));
	ASSERT_EQ(TURN_EV_ALLOC_FAILED, last_ev(&f)->type);
	ASSERT_EQ(401, last_ev(&f)->code);
	ASSERT_EQ(STUN_E_BAD_INTEGRITY, last_ev(&f)->err);
	ASSERT_NE(NULL, strstr(last_ev(&f)->reason, "wrong"));
	ASSERT_EQ(TURN_FAILED, c.state);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(bad_integrity_response_ignored)
{
	struct turn_client c;
	struct fake f;
	struct stun_key wrong;
	uint8_t out[512];
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	n = reply(&f, out, sizeof(out), 401, "n1", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 1));
	/* forged success signed with another key: dropped */
	wrong = f.key;
	ASSERT_EQ(0, stun_key_short_term(&f.key, "forged", 6));
	n = reply(&f, out, sizeof(out), 0, NULL, true, alloc_ok_attrs);
	ASSERT_EQ(STUN_E_BAD_INTEGRITY,
		  turn_client_input(&c, out, (size_t)n, 2));
	ASSERT_EQ(0, f.nev);
	stun_key_free(&f.key);
	f.key = wrong;
	/* the genuine one still completes the transaction */
	n = reply(&f, out, sizeof(out), 0, NULL, true, alloc_ok_attrs);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 3));
	ASSERT_EQ(TURN_EV_ALLOCATED, last_ev(&f)->type);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(stale_nonce_refresh_and_release)
{
	struct turn_client c;
	struct fake f;
	struct stun_msg m;
	const uint8_t *buf;
	uint8_t out[512];
	uint32_t life;
	size_t len;
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	allocate(_metadata, &c, &f);
	/* automatic refresh one minute before the 600 s lifetime */
	ASSERT_EQ(20 + 540000, turn_client_next_timer(&c));
	turn_client_tick(&c, 20 + 540000);
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_REFRESH, stun_msg_method(&m));
	/* 438: retried with the new nonce */
	n = reply(&f, out, sizeof(out), 438, "nonce-2", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 540100));
	ASSERT_EQ(TURN_EV_STALE_NONCE, last_ev(&f)->type);
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_REFRESH, stun_msg_method(&m));
	ASSERT_EQ(0, memcmp(c.cred.nonce, "nonce-2", 7));
	ASSERT_EQ(0, stun_msg_verify(&m, &f.key));
	n = reply(&f, out, sizeof(out), 0, NULL, true, lifetime_600);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 540200));
	ASSERT_EQ(TURN_EV_REFRESHED, last_ev(&f)->type);
	ASSERT_EQ(600, last_ev(&f)->lifetime);

	/* release: Refresh with LIFETIME 0 */
	ASSERT_EQ(0, turn_client_close(&c, 600000));
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_REFRESH, stun_msg_method(&m));
	ASSERT_EQ(0, stun_get_u32(&m, STUN_ATTR_LIFETIME, &life));
	ASSERT_EQ(0, life);
	n = reply(&f, out, sizeof(out), 0, NULL, true, lifetime_0);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 600010));
	ASSERT_EQ(TURN_EV_CLOSED, last_ev(&f)->type);
	ASSERT_EQ(TURN_CLOSED, c.state);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(try_alternate_and_errors)
{
	struct turn_client c;
	struct fake f;
	uint8_t out[512];
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	n = reply(&f, out, sizeof(out), 300, NULL, false, alternate);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 1));
	ASSERT_EQ(TURN_EV_ALTERNATE, last_ev(&f)->type);
	ASSERT_EQ(0, memcmp(&last_ev(&f)->peer, &peer4, sizeof(peer4)));
	ASSERT_EQ(TURN_IDLE, c.state);

	/* 486 quota and 508 capacity fail the allocation with the code */
	ASSERT_EQ(0, turn_client_allocate(&c, 2));
	n = reply(&f, out, sizeof(out), 486, NULL, false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 3));
	ASSERT_EQ(TURN_EV_ALLOC_FAILED, last_ev(&f)->type);
	ASSERT_EQ(486, last_ev(&f)->code);
	ASSERT_EQ(0, turn_client_allocate(&c, 4));
	n = reply(&f, out, sizeof(out), 508, NULL, false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 5));
	ASSERT_EQ(508, last_ev(&f)->code);
	turn_client_free(&c);
	stun_key_free(&f.key);

	/* 437 on refresh: the allocation is gone */
	init_client(_metadata, &c, &f, STUN_TR_UDP);
	allocate(_metadata, &c, &f);
	ASSERT_EQ(0, turn_client_refresh(&c, 600, 100));
	n = reply(&f, out, sizeof(out), 437, NULL, false, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 101));
	ASSERT_EQ(TURN_EV_REFRESH_FAILED, last_ev(&f)->type);
	ASSERT_EQ(437, last_ev(&f)->code);
	ASSERT_EQ(TURN_FAILED, c.state);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(timeout_udp_retransmits)
{
	struct turn_client c;
	struct fake f;
	uint64_t t;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	while ((t = turn_client_next_timer(&c)) != UINT64_MAX)
		turn_client_tick(&c, t);
	ASSERT_EQ(7, f.nsent);			/* Rc = 7 transmissions */
	ASSERT_EQ(TURN_EV_ALLOC_FAILED, last_ev(&f)->type);
	ASSERT_EQ(STUN_E_TIMEOUT, last_ev(&f)->err);
	turn_client_free(&c);
	stun_key_free(&f.key);

	init_client(_metadata, &c, &f, STUN_TR_TCP);
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	while ((t = turn_client_next_timer(&c)) != UINT64_MAX)
		turn_client_tick(&c, t);
	ASSERT_EQ(1, f.nsent);			/* no retransmission */
	ASSERT_EQ(STUN_E_TIMEOUT, last_ev(&f)->err);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

static void channel_flow(struct __test_metadata *_metadata,
			 enum stun_transport tr)
{
	struct turn_client c;
	struct fake f;
	struct stun_msg m;
	struct sockaddr_storage ss;
	const uint8_t *buf, *d;
	uint8_t out[512];
	uint16_t ch;
	size_t len, dl;
	long n;
	int num;

	init_client(_metadata, &c, &f, tr);
	allocate(_metadata, &c, &f);

	/* permission, then Send indication (no channel yet) */
	ASSERT_EQ(0, turn_client_permit(&c, (struct sockaddr *)&peer4, 100));
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_CREATE_PERMISSION, stun_msg_method(&m));
	ASSERT_EQ(0, stun_get_addr(&m, STUN_ATTR_XOR_PEER_ADDRESS, &ss));
	ASSERT_EQ(0, memcmp(&ss, &peer4, sizeof(peer4)));
	n = reply(&f, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 110));
	ASSERT_EQ(TURN_EV_PERMISSION, last_ev(&f)->type);
	ASSERT_EQ(0, last_ev(&f)->err);

	ASSERT_EQ(0, turn_client_send(&c, (struct sockaddr *)&peer4, "hi", 2));
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(stun_type(STUN_SEND, STUN_INDICATION), m.type);
	ASSERT_EQ(0, stun_get_bytes(&m, STUN_ATTR_DATA, &d, &dl));
	ASSERT_EQ(2, dl);

	/* channel bind */
	num = turn_client_bind(&c, (struct sockaddr *)&peer4, 200);
	ASSERT_EQ(TURN_CHANNEL_MIN, num);
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_CHANNEL_BIND, stun_msg_method(&m));
	ASSERT_EQ(0, stun_get_channel(&m, &ch));
	ASSERT_EQ(0x4000, ch);
	n = reply(&f, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 210));
	ASSERT_EQ(TURN_EV_CHANNEL, last_ev(&f)->type);
	ASSERT_EQ(0x4000, last_ev(&f)->channel);

	/* ChannelData out: 4-byte header, padded to 4 over streams */
	ASSERT_EQ(0, turn_client_send(&c, (struct sockaddr *)&peer4, "hello", 5));
	buf = last_sent(&f, &len);
	ASSERT_EQ(tr == STUN_TR_UDP ? 9 : 12, len);
	ASSERT_EQ(0x40, buf[0]);
	ASSERT_EQ(0x00, buf[1]);
	ASSERT_EQ(5, buf[3]);
	ASSERT_EQ(0, memcmp(buf + 4, "hello", 5));

	/* ChannelData in */
	memcpy(out, "\x40\x00\x00\x03" "abc\0", 8);
	ASSERT_EQ(0, turn_client_input(&c, out, 8, 220));
	ASSERT_EQ(TURN_EV_DATA, last_ev(&f)->type);
	ASSERT_EQ(3, last_ev(&f)->len);
	ASSERT_EQ(0x4000, last_ev(&f)->channel);
	ASSERT_EQ(0, memcmp(&last_ev(&f)->peer, &peer4, sizeof(peer4)));
	/* unknown channel: ignored */
	out[1] = 0x07;
	ASSERT_EQ(STUN_E_NOT_MATCHED, turn_client_input(&c, out, 8, 221));

	/* Data indication in */
	{
		struct stun_builder b;
		uint8_t tid[12] = { 1 };

		stun_build_init(&b, out, sizeof(out),
				stun_type(STUN_DATA, STUN_INDICATION), tid);
		stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
				(struct sockaddr *)&peer4);
		stun_build_attr(&b, STUN_ATTR_DATA, "xyz!", 4);
		n = stun_build_finish(&b);
	}
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 230));
	ASSERT_EQ(TURN_EV_DATA, last_ev(&f)->type);
	ASSERT_EQ(4, last_ev(&f)->len);
	ASSERT_EQ(0, memcmp(last_ev(&f)->data, "xyz!", 4));

	/* permission refreshed 4 minutes after the ChannelBind refreshed
	 * it, channel after 9 */
	ASSERT_EQ(210 + 240000, turn_client_next_timer(&c));
	turn_client_tick(&c, 210 + 240000);
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(STUN_CREATE_PERMISSION, stun_msg_method(&m));
	n = reply(&f, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 240200));
	turn_client_tick(&c, 210 + 540000);	/* allocation + channel */
	ASSERT_GE(f.nsent, 2);
	turn_client_free(&c);
	stun_key_free(&f.key);
}

TEST(channel_udp)
{
	channel_flow(_metadata, STUN_TR_UDP);
}

TEST(channel_tcp_padding)
{
	channel_flow(_metadata, STUN_TR_TCP);
}

TEST(dual_allocation_request)
{
	struct turn_cfg cfg = { .username = "u", .password = "p",
				.families = TURN_FAMILY_V4 | TURN_FAMILY_V6 };
	struct turn_client c;
	struct fake f;
	struct stun_msg m;
	const uint8_t *buf;
	size_t len;

	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, turn_client_init(&c, &cfg, fake_send, fake_event, &f));
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_TRUE(stun_has(&m, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY));
	ASSERT_FALSE(stun_has(&m, STUN_ATTR_REQUESTED_ADDRESS_FAMILY));
	turn_client_free(&c);

	cfg.families = TURN_FAMILY_V6;
	ASSERT_EQ(0, turn_client_init(&c, &cfg, fake_send, fake_event, &f));
	ASSERT_EQ(0, turn_client_allocate(&c, 0));
	buf = last_sent(&f, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_TRUE(stun_has(&m, STUN_ATTR_REQUESTED_ADDRESS_FAMILY));
	turn_client_free(&c);
}

struct frames {
	unsigned int n;
	size_t len[8];
	uint8_t first[8];
};

static void on_frame(void *arg, const uint8_t *buf, size_t len)
{
	struct frames *fr = arg;

	if (fr->n < 8) {
		fr->len[fr->n] = len;
		fr->first[fr->n] = buf[0];
	}
	fr->n++;
}

static int read_some(struct turn_conn *tc, struct frames *fr)
{
	struct pollfd p = { .fd = tc->fd, .events = POLLIN };

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return turn_conn_read(tc, on_frame, fr);
}

/* TCP framing on loopback: frames split across writes and coalesced in
 * one write come out whole; ChannelData padding is consumed. */
TEST(conn_tcp_framing)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	struct turn_conn *tc;
	struct frames fr = { 0 };
	uint8_t stream[256], tid[12] = { 3 };
	struct stun_builder b;
	int lfd, afd, r;
	long n;
	size_t off = 0;

	tc = calloc(1, sizeof(*tc));
	ASSERT_NE(NULL, tc);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin, &sl));
	ASSERT_EQ(0, turn_conn_open(tc, STUN_TR_TCP, (struct sockaddr *)&sin,
				    sizeof(sin), NULL, NULL, false, 2000));
	afd = accept(lfd, NULL, NULL);
	ASSERT_GE(afd, 0);

	stun_build_init(&b, stream, sizeof(stream),
			stun_type(STUN_BINDING, STUN_SUCCESS), tid);
	stun_build_string(&b, STUN_ATTR_SOFTWARE, "x");
	n = stun_build_finish(&b);
	ASSERT_EQ(28, n);
	off = (size_t)n;
	memcpy(stream + off, "\x40\x01\x00\x03" "abc\0", 8);	/* padded */
	off += 8;
	memcpy(stream + off, stream, 28);			/* again */
	off += 28;

	/* first 10 bytes: nothing complete yet */
	ASSERT_EQ(10, write(afd, stream, 10));
	r = read_some(tc, &fr);
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, fr.n);
	/* the rest at once: three frames */
	ASSERT_EQ((ssize_t)(off - 10), write(afd, stream + 10, off - 10));
	while (fr.n < 3 && read_some(tc, &fr) >= 0)
		;
	ASSERT_EQ(3, fr.n);
	ASSERT_EQ(28, fr.len[0]);
	ASSERT_EQ(8, fr.len[1]);
	ASSERT_EQ(0x40, fr.first[1]);
	ASSERT_EQ(28, fr.len[2]);

	/* garbage breaks framing with a clear error */
	ASSERT_EQ(4, write(afd, "\xff\xff\xff\xff", 4));
	r = read_some(tc, &fr);
	ASSERT_EQ(-EPROTO, r);
	ASSERT_NE(NULL, strstr(tc->err, "framing"));
	close(afd);
	close(lfd);
	turn_conn_close(tc);
	free(tc);
}

TEST_HARNESS_MAIN
