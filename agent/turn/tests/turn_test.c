// SPDX-License-Identifier: GPL-2.0
/*
 * TURN client unit tests against a scripted server built from the STUN
 * codec: authentication, stale nonce, alternate server, errors, refresh
 * timers, permissions, channels, data paths, release.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

/* The request last sent: its method; *@mi whether it is signed. */
static int last_method(struct fake *f, bool *mi)
{
	struct stun_msg m;
	const uint8_t *buf;
	size_t len;

	buf = last_sent(f, &len);
	if (stun_msg_parse(&m, buf, len))
		return -1;
	*mi = m.mi >= 0;
	return stun_msg_method(&m);
}

/*
 * An allocated client with a bound channel, saved and resumed in a new
 * client (as kiced does across a restart): that one sends ChannelData on
 * the channel, learns the nonce anew from a 401, and refreshes the
 * permission, the allocation and the channel on the old schedule.
 */
TEST(save_and_resume)
{
	struct turn_client c, c2, c3;
	struct turn_resume r, bad;
	struct fake f, f2, f3;
	struct stun_msg m;
	const uint8_t *buf;
	uint8_t out[512];
	struct sockaddr_in other;
	uint16_t ch;
	size_t len;
	bool mi;
	long n;

	init_client(_metadata, &c, &f, STUN_TR_UDP);
	EXPECT_EQ(STUN_E_INVALID, turn_client_save(&c,
				(struct sockaddr *)&peer4, &r));
	allocate(_metadata, &c, &f);
	ASSERT_EQ(0, turn_client_permit(&c, (struct sockaddr *)&peer4, 100));
	n = reply(&f, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 110));
	EXPECT_EQ(STUN_E_NOT_FOUND, turn_client_save(&c,
				(struct sockaddr *)&peer4, &r));
	ASSERT_EQ(TURN_CHANNEL_MIN, turn_client_bind(&c,
				(struct sockaddr *)&peer4, 200));
	n = reply(&f, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c, out, (size_t)n, 210));
	other = peer4;
	other.sin_port = htons(7001);
	EXPECT_EQ(STUN_E_NOT_FOUND, turn_client_save(&c,
				(struct sockaddr *)&other, &r));
	ASSERT_EQ(0, turn_client_save(&c, (struct sockaddr *)&peer4, &r));
	EXPECT_EQ(0, memcmp(&r.relayed, &relay4, sizeof(relay4)));
	EXPECT_EQ(0, memcmp(&r.peer, &peer4, sizeof(peer4)));
	EXPECT_EQ(0x4000, r.channel);
	EXPECT_EQ(600, r.lifetime);
	EXPECT_EQ(20 + 600000, r.expire_ms);
	EXPECT_EQ(210 + 300000, r.perm_expire_ms);
	EXPECT_EQ(210 + 600000, r.chan_expire_ms);
	turn_client_free(&c);

	/* inconsistent or expired: refused, the client stays idle */
	init_client(_metadata, &c3, &f3, STUN_TR_UDP);
	bad = r;
	bad.channel = 0x3fff;
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c3, &bad, 1000));
	bad = r;
	bad.peer.ss_family = AF_INET6;
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c3, &bad, 1000));
	bad = r;
	bad.lifetime = 0;
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c3, &bad, 1000));
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c3, &r, 20 + 600000));
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c3, &r, 210 + 300000));
	EXPECT_EQ(TURN_IDLE, c3.state);
	EXPECT_EQ(0, f3.nsent);
	turn_client_free(&c3);
	stun_key_free(&f3.key);

	/* the new client: allocated, channel bound, nothing sent yet */
	init_client(_metadata, &c2, &f2, STUN_TR_UDP);
	ASSERT_EQ(0, turn_client_resume(&c2, &r, 1000));
	EXPECT_EQ(STUN_E_INVALID, turn_client_resume(&c2, &r, 1000));
	EXPECT_EQ(TURN_ALLOCATED, c2.state);
	EXPECT_EQ(0, f2.nsent);
	ASSERT_EQ(0, turn_client_send(&c2, (struct sockaddr *)&peer4, "hey", 3));
	buf = last_sent(&f2, &len);
	ASSERT_EQ(7, len);
	EXPECT_EQ(0, memcmp(buf, "\x40\x00\x00\x03hey", 7));
	memcpy(out, "\x40\x00\x00\x02ok", 6);
	ASSERT_EQ(0, turn_client_input(&c2, out, 6, 1100));
	EXPECT_EQ(TURN_EV_DATA, last_ev(&f2)->type);
	EXPECT_EQ(0, memcmp(&last_ev(&f2)->peer, &peer4, sizeof(peer4)));
	/* a new channel does not take the carried number */
	EXPECT_EQ(TURN_CHANNEL_MIN + 1, c2.next_channel);

	/* permission first (4 min after the ChannelBind), then unsigned:
	 * no realm and nonce yet; the 401 brings them */
	ASSERT_EQ(210 + 240000, turn_client_next_timer(&c2));
	turn_client_tick(&c2, 210 + 240000);
	ASSERT_EQ(STUN_CREATE_PERMISSION, last_method(&f2, &mi));
	EXPECT_FALSE(mi);
	n = reply(&f2, out, sizeof(out), 401, "nonce-9", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c2, out, (size_t)n, 240300));
	ASSERT_EQ(STUN_CREATE_PERMISSION, last_method(&f2, &mi));
	EXPECT_TRUE(mi);
	buf = last_sent(&f2, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	EXPECT_EQ(0, stun_msg_verify(&m, &f2.key));
	n = reply(&f2, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c2, out, (size_t)n, 240400));
	EXPECT_EQ(TURN_EV_PERMISSION, last_ev(&f2)->type);
	EXPECT_EQ(0, last_ev(&f2)->err);

	/* the permission again 4 min later, signed from the start now */
	ASSERT_EQ(240400 + 240000, turn_client_next_timer(&c2));
	turn_client_tick(&c2, 240400 + 240000);
	ASSERT_EQ(STUN_CREATE_PERMISSION, last_method(&f2, &mi));
	EXPECT_TRUE(mi);
	n = reply(&f2, out, sizeof(out), 0, NULL, true, NULL);
	ASSERT_EQ(0, turn_client_input(&c2, out, (size_t)n, 480500));

	/* the allocation a minute before its end; 438: new nonce, again */
	ASSERT_EQ(20 + 540000, turn_client_next_timer(&c2));
	turn_client_tick(&c2, 20 + 540000);
	ASSERT_EQ(STUN_REFRESH, last_method(&f2, &mi));
	n = reply(&f2, out, sizeof(out), 438, "nonce-10", false, NULL);
	ASSERT_EQ(0, turn_client_input(&c2, out, (size_t)n, 540100));
	ASSERT_EQ(STUN_REFRESH, last_method(&f2, &mi));
	EXPECT_EQ(0, memcmp(c2.cred.nonce, "nonce-10", 8));
	n = reply(&f2, out, sizeof(out), 0, NULL, true, lifetime_600);
	ASSERT_EQ(0, turn_client_input(&c2, out, (size_t)n, 540200));
	EXPECT_EQ(TURN_EV_REFRESHED, last_ev(&f2)->type);

	/* the channel a minute before its end, with its number */
	ASSERT_EQ(210 + 540000, turn_client_next_timer(&c2));
	turn_client_tick(&c2, 210 + 540000);
	ASSERT_EQ(STUN_CHANNEL_BIND, last_method(&f2, &mi));
	buf = last_sent(&f2, &len);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, len));
	ASSERT_EQ(0, stun_get_channel(&m, &ch));
	EXPECT_EQ(0x4000, ch);
	turn_client_free(&c2);
	stun_key_free(&f2.key);
	stun_key_free(&f.key);
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

/* ---- non-blocking connect and TLS handshake ---- */

static int loopback_listener(struct sockaddr_in *sin, int backlog)
{
	socklen_t sl = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)sin, &sl)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A TLS server in the same thread, stepped between the client's steps. */
struct tls_srv {
	int lfd, afd;
	SSL_CTX *ctx;
	SSL *ssl;
	bool done;
};

static void srv_step(struct tls_srv *sv)
{
	if (!sv || !sv->ctx || sv->done)
		return;
	if (sv->afd < 0) {
		sv->afd = accept4(sv->lfd, NULL, NULL, SOCK_NONBLOCK);
		if (sv->afd < 0)
			return;
		sv->ssl = SSL_new(sv->ctx);
		SSL_set_fd(sv->ssl, sv->afd);
		SSL_set_accept_state(sv->ssl);
	}
	if (SSL_do_handshake(sv->ssl) == 1)
		sv->done = true;
	ERR_clear_error();
}

/*
 * The application's loop: a 10 ms timer, re-armed each time it runs,
 * ticks while the connection goes on.  Returns the outcome, *ticks the
 * timer's runs meanwhile, *gap the longest time between two of them and
 * *ms the time since @t0 (before the start).
 */
static int drive(struct turn_conn *tc, int err, struct tls_srv *sv,
		 uint64_t t0, unsigned int *ticks, uint64_t *gap, uint64_t *ms)
{
	uint64_t last = stun_now_ms(), tick = last + 10;

	*ticks = 0;
	*gap = 0;
	while (err == -EINPROGRESS && stun_now_ms() - t0 < 5000) {
		struct pollfd p = { .fd = tc->fd, .events = tc->want };
		uint64_t now = stun_now_ms();
		uint64_t until = tick < tc->deadline_ms ? tick : tc->deadline_ms;
		int n = poll(&p, 1, until > now ? (int)(until - now) : 0);

		now = stun_now_ms();
		if (now >= tick) {
			(*ticks)++;
			if (now - last > *gap)
				*gap = now - last;
			last = now;
			tick = now + 10;
		}
		srv_step(sv);
		if (n > 0 || now >= tc->deadline_ms)
			err = turn_conn_continue(tc);
	}
	*ms = stun_now_ms() - t0;
	return err;
}

TEST(conn_refused_reported)
{
	struct sockaddr_in sin;
	struct turn_conn *tc = calloc(1, sizeof(*tc));
	unsigned int ticks;
	uint64_t t0 = stun_now_ms(), ms, gap;
	int lfd, err;

	ASSERT_NE(NULL, tc);
	lfd = loopback_listener(&sin, 1);
	ASSERT_GE(lfd, 0);
	close(lfd);			/* nobody listens on the port now */
	err = turn_conn_start(tc, STUN_TR_TLS, (struct sockaddr *)&sin,
			      sizeof(sin), NULL, NULL, true, 1000);
	EXPECT_GT(500, stun_now_ms() - t0);
	err = drive(tc, err, NULL, t0, &ticks, &gap, &ms);
	EXPECT_EQ(-ECONNREFUSED, err);
	EXPECT_NE(NULL, strstr(tc->err, "refused")) TH_LOG("%s", tc->err);
	EXPECT_GT(500, ms);
	/* nothing goes out on a failed connection */
	EXPECT_EQ(-ENOTCONN, turn_conn_send(tc, (const uint8_t *)"x", 1));
	turn_conn_close(tc);
	free(tc);
}

/* A full accept queue drops the SYN: connect stays in progress. */
TEST(conn_connect_timeout)
{
	struct sockaddr_in sin;
	struct turn_conn *tc = calloc(1, sizeof(*tc));
	unsigned int ticks;
	uint64_t t0 = stun_now_ms(), ms, gap;
	int lfd, fill[2], err;

	ASSERT_NE(NULL, tc);
	lfd = loopback_listener(&sin, 0);
	ASSERT_GE(lfd, 0);
	for (int i = 0; i < 2; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_GE(fill[i], 0);
		connect(fill[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(50000);
	t0 = stun_now_ms();
	err = turn_conn_start(tc, STUN_TR_TCP, (struct sockaddr *)&sin,
			      sizeof(sin), NULL, NULL, false, 1000);
	EXPECT_GT(500, stun_now_ms() - t0);
	ASSERT_EQ(-EINPROGRESS, err);
	EXPECT_EQ(TURN_CONN_CONNECTING, tc->state);
	EXPECT_EQ(POLLOUT, tc->want);
	err = drive(tc, err, NULL, t0, &ticks, &gap, &ms);
	EXPECT_EQ(-ETIMEDOUT, err);
	EXPECT_NE(NULL, strstr(tc->err, "connect: timed out"))
		TH_LOG("%s", tc->err);
	EXPECT_LE(990, ms);
	EXPECT_GT(2500, ms);
	/* the loop was served all along: ~one tick per 10 ms */
	EXPECT_LE(ms / 10 / 4, ticks) TH_LOG("%u ticks in %llu ms", ticks,
					     (unsigned long long)ms);
	EXPECT_GT(300, gap) TH_LOG("longest gap %llu ms",
				   (unsigned long long)gap);
	turn_conn_close(tc);
	EXPECT_EQ(-1, tc->fd);
	close(fill[0]);
	close(fill[1]);
	close(lfd);
	free(tc);
}

/* The server accepts TCP but never speaks TLS. */
TEST(conn_tls_handshake_stalls)
{
	struct sockaddr_in sin;
	struct turn_conn *tc = calloc(1, sizeof(*tc));
	unsigned int ticks;
	uint64_t t0, ms, gap;
	int lfd, err;

	ASSERT_NE(NULL, tc);
	lfd = loopback_listener(&sin, 4);
	ASSERT_GE(lfd, 0);
	t0 = stun_now_ms();
	err = turn_conn_start(tc, STUN_TR_TLS, (struct sockaddr *)&sin,
			      sizeof(sin), "turn.example", NULL, false, 1000);
	EXPECT_GT(500, stun_now_ms() - t0);
	ASSERT_EQ(-EINPROGRESS, err);
	err = drive(tc, err, NULL, t0, &ticks, &gap, &ms);
	EXPECT_EQ(-ETIMEDOUT, err);
	EXPECT_NE(NULL, strstr(tc->err, "TLS handshake: timed out"))
		TH_LOG("%s", tc->err);
	EXPECT_LE(990, ms);
	EXPECT_GT(2500, ms);
	EXPECT_LE(ms / 10 / 4, ticks);
	EXPECT_GT(300, gap) TH_LOG("longest gap %llu ms",
				   (unsigned long long)gap);
	turn_conn_close(tc);
	close(lfd);
	free(tc);
}

/* Self-signed certificate for 127.0.0.1, written to @pem for ca_file. */
static SSL_CTX *srv_ctx(const char *pem)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	SSL_CTX *ctx = NULL;
	FILE *f;

	if (!key || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				   MBSTRING_ASC,
				   (const unsigned char *)"kice test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
				  "IP:127.0.0.1");
	if (!ext)
		goto out;
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	f = fopen(pem, "w");
	if (!f)
		goto out;
	PEM_write_X509(f, x);
	fclose(f);
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx && (!SSL_CTX_use_certificate(ctx, x) ||
		    !SSL_CTX_use_PrivateKey(ctx, key))) {
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static int tls_try(struct turn_conn *tc, struct tls_srv *sv,
		   const char *host, const char *ca_file, bool insecure)
{
	struct sockaddr_in sin;
	unsigned int ticks;
	uint64_t t0 = stun_now_ms(), ms, gap;
	int err;

	sv->lfd = loopback_listener(&sin, 4);
	sv->afd = -1;
	sv->ssl = NULL;
	sv->done = false;
	if (sv->lfd < 0)
		return -EBADF;
	fcntl(sv->lfd, F_SETFL, O_NONBLOCK);
	err = turn_conn_start(tc, STUN_TR_TLS, (struct sockaddr *)&sin,
			      sizeof(sin), host, ca_file, insecure, 2000);
	/* one thread: the handshake only completes if start returned */
	if (err != -EINPROGRESS)
		return -EALREADY;
	return drive(tc, err, sv, t0, &ticks, &gap, &ms);
}

static void tls_srv_end(struct tls_srv *sv)
{
	SSL_free(sv->ssl);
	if (sv->afd >= 0)
		close(sv->afd);
	close(sv->lfd);
}

TEST(conn_tls_nonblocking_handshake)
{
	char pem[] = "/tmp/kice-turn-test-XXXXXX";
	struct turn_conn *tc = calloc(1, sizeof(*tc));
	struct tls_srv sv = { 0 };
	struct frames fr = { 0 };
	uint8_t msg[64], tid[12] = { 9 };
	struct stun_builder b;
	int fd, err;
	long n;

	ASSERT_NE(NULL, tc);
	fd = mkstemp(pem);
	ASSERT_GE(fd, 0);
	close(fd);
	sv.ctx = srv_ctx(pem);
	ASSERT_NE(NULL, sv.ctx);

	/* verified against the CA file and the IP address */
	err = tls_try(tc, &sv, "127.0.0.1", pem, false);
	ASSERT_EQ(0, err) TH_LOG("%s", tc->err);
	EXPECT_EQ(TURN_CONN_OPEN, tc->state);
	for (int i = 0; i < 100 && !sv.done; i++) {
		usleep(1000);
		srv_step(&sv);
	}
	ASSERT_TRUE(sv.done);
	/* a message through it */
	stun_build_init(&b, msg, sizeof(msg),
			stun_type(STUN_BINDING, STUN_SUCCESS), tid);
	n = stun_build_finish(&b);
	ASSERT_LT(0, n);
	ASSERT_EQ(n, SSL_write(sv.ssl, msg, (int)n));
	for (int i = 0; i < 100 && !fr.n; i++) {
		usleep(1000);
		turn_conn_read(tc, on_frame, &fr);
	}
	EXPECT_EQ(1, fr.n);
	EXPECT_EQ(n, fr.len[0]);
	turn_conn_close(tc);
	tls_srv_end(&sv);

	/* a wrong name or an unknown CA (system store) is refused, unless
	 * insecure */
	for (int i = 0; i < 3; i++) {
		static const char *const host[] = {
			"127.0.0.2", "127.0.0.1", "127.0.0.2",
		};

		err = tls_try(tc, &sv, host[i], i ? NULL : pem, i == 2);
		if (i < 2) {
			EXPECT_EQ(-ECONNREFUSED, err);
			EXPECT_NE(NULL, strstr(tc->err,
					       "certificate verification failed"))
				TH_LOG("%s", tc->err);
		} else {
			EXPECT_EQ(0, err) TH_LOG("%s", tc->err);
		}
		turn_conn_close(tc);
		tls_srv_end(&sv);
	}

	SSL_CTX_free(sv.ctx);
	unlink(pem);
	free(tc);
}

TEST_HARNESS_MAIN
