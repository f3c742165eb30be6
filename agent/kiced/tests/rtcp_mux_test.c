// SPDX-License-Identifier: GPL-2.0
/*
 * rtcp-mux negotiation (RFC 5761, RFC 8858) through kiced's ng commands,
 * and where RTP and RTCP go afterwards: each case offers and answers
 * through kiced_process(), checks the rtcp-mux attributes each party is
 * given, then sends RTP and RTCP both ways between two loopback
 * endpoints (each with an RTP and an RTCP socket) through the userspace
 * relay and checks on which socket each packet arrives.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ctl/bencode.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/session.h"

#define PORT_MIN	24000	/* kiced's media ports */
#define APP_PORTS	24400	/* the endpoints' ports from here */

/* An endpoint: RTP socket on an even port, RTCP on the next one. */
struct app {
	int fd[2];
	uint16_t port;
};

static int app_open(struct app *a, uint16_t *next)
{
	for (; *next < APP_PORTS + 400; *next += 2) {
		int c;

		for (c = 0; c < 2; c++) {
			struct sockaddr_in sa = {
				.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((uint16_t)(*next + c)),
			};

			a->fd[c] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK,
					  0);
			if (a->fd[c] < 0 ||
			    bind(a->fd[c], (struct sockaddr *)&sa, sizeof(sa)))
				break;
		}
		if (c == 2) {
			a->port = *next;
			*next += 2;
			return 0;
		}
		for (; c >= 0; c--)
			if (a->fd[c] >= 0)
				close(a->fd[c]);
	}
	return -1;
}

static void app_close(struct app *a)
{
	close(a->fd[0]);
	close(a->fd[1]);
}

static void app_send(const struct app *a, int comp, uint16_t port,
		     const void *buf, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons(port) };

	sendto(a->fd[comp], buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/* RTP (PT 0) or RTCP (SR, PT 200) carrying @tag after its header. */
static size_t packet(char *buf, bool rtcp, const char *tag)
{
	static const unsigned char rtp[12] = { 0x80, 0x00, 0, 1, 0, 0, 0, 160,
					       0x12, 0x34, 0x56, 0x78 };
	static const unsigned char sr[8] = { 0x80, 200, 0, 6,
					     0x12, 0x34, 0x56, 0x78 };
	size_t h = rtcp ? sizeof(sr) : sizeof(rtp);

	memcpy(buf, rtcp ? sr : rtp, h);
	memcpy(buf + h, tag, strlen(tag));
	return h + strlen(tag);
}

/* Run the loop until @fd receives @len bytes equal to @want (1 s). */
static bool arrives(struct loop *l, int fd, const char *want, size_t len)
{
	uint64_t end = loop_now_ms() + 1000;
	char buf[256];

	while (loop_now_ms() < end) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == (ssize_t)len && !memcmp(buf, want, len))
			return true;
		if (n < 0)
			loop_run_once(l, 10);
	}
	return false;
}

/* Nothing waiting on @fd (after the loop had its chance). */
static bool quiet(struct loop *l, int fd)
{
	char buf[256];
	int i;

	for (i = 0; i < 5; i++)
		loop_run_once(l, 10);
	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0;
}

FIXTURE(mux)
{
	struct kiced k;
	struct app a, b;
	char *sdp;			/* the last reply's SDP */
	char why[256];
};

FIXTURE_SETUP(mux)
{
	uint16_t next = APP_PORTS;

	memset(&self->k, 0, sizeof(self->k));
	config_defaults(&self->k.cfg);
	self->k.cfg.port_min = PORT_MIN;
	self->k.cfg.port_max = PORT_MIN + 199;
	klog_init(KLOG_ERR, false);
	ASSERT_EQ(0, loop_init(&self->k.loop, 1000, kiced_tick, &self->k));
	session_table_init(&self->k.calls);
	media_env_init(&self->k.media, &self->k.loop, &self->k.cfg, NULL);
	self->k.cache = ng_cache_new(64, 30000);
	ASSERT_NE(NULL, self->k.cache);
	self->k.started_ms = loop_now_ms();
	ASSERT_EQ(0, app_open(&self->a, &next));
	ASSERT_EQ(0, app_open(&self->b, &next));
	self->sdp = NULL;
}

FIXTURE_TEARDOWN(mux)
{
	free(self->sdp);
	session_remove_all(&self->k.calls);
	ng_cache_free(self->k.cache);
	loop_fini(&self->k.loop);
	app_close(&self->a);
	app_close(&self->b);
}

/*
 * Offer or answer (to-tag "tt") with @sdp; @mux: comma-separated items
 * of the "rtcp-mux" list, or NULL; @flag: one flag, or NULL.  The reply's
 * SDP goes to self->sdp; returns false (reason in self->why) without one.
 */
static bool ng(FIXTURE_DATA(mux) *self, const char *cmd, const char *ice,
	       const char *sdp, const char *mux, const char *flag)
{
	static unsigned int seq;
	struct bn_buf req, rep;
	struct ng_str ck, bd;
	struct bn_doc doc;
	const struct bn *v;
	char cookie[16], items[64], *save = NULL, *t;
	int n = snprintf(cookie, sizeof(cookie), "m%u", seq++);

	free(self->sdp);
	self->sdp = NULL;
	self->why[0] = '\0';
	bn_buf_init(&req);
	bn_buf_init(&rep);
	bn_put_raw(&req, cookie, (size_t)n);
	bn_put_raw(&req, " ", 1);
	bn_open_dict(&req);
	if (ice)
		bn_kv_str(&req, "ICE", ice);
	bn_kv_str(&req, "call-id", "mux-call");
	bn_kv_str(&req, "command", cmd);
	if (flag) {
		bn_put_cstr(&req, "flags");
		bn_open_list(&req);
		bn_put_cstr(&req, flag);
		bn_close(&req);
	}
	bn_kv_str(&req, "from-tag", "ft");
	if (mux) {
		snprintf(items, sizeof(items), "%s", mux);
		bn_put_cstr(&req, "rtcp-mux");
		bn_open_list(&req);
		for (t = strtok_r(items, ",", &save); t;
		     t = strtok_r(NULL, ",", &save))
			bn_put_cstr(&req, t);
		bn_close(&req);
	}
	bn_kv_str(&req, "sdp", sdp);
	if (!strcmp(cmd, "answer"))
		bn_kv_str(&req, "to-tag", "tt");
	bn_close(&req);
	if (!kiced_process(&self->k, req.data, req.len, "s", 1, &rep) &&
	    !ng_split(rep.data, rep.len, &ck, &bd) &&
	    !bn_decode(&doc, bd.p, bd.len)) {
		v = bn_dict_get(doc.root, "sdp");
		if (v)
			self->sdp = bn_strdup(v);
		v = bn_dict_get(doc.root, "error-reason");
		if (v)
			snprintf(self->why, sizeof(self->why), "%.*s",
				 (int)v->len, v->str);
		bn_doc_free(&doc);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return self->sdp != NULL;
}

/*
 * A plain description of @port with the media-level lines @attrs, where
 * "a=rtcp:*" stands for a=rtcp with the port after @port.
 */
static char *plain(uint16_t port, const char *attrs)
{
	char *s, lines[512], *star;

	snprintf(lines, sizeof(lines), "%s", attrs);
	star = strstr(lines, "a=rtcp:*");
	if (star) {
		char tail[512];

		snprintf(tail, sizeof(tail), "%s", star + 8);
		snprintf(star, sizeof(lines) - (size_t)(star - lines),
			 "a=rtcp:%u%s", port + 1u, tail);
	}
	if (asprintf(&s, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n"
		     "a=rtpmap:0 PCMU/8000\r\n%s", port, lines) < 0)
		return NULL;
	return s;
}

static int m_port(const char *sdp)
{
	const char *m = sdp ? strstr(sdp, "m=audio ") : NULL;

	return m ? atoi(m + 8) : -1;
}

/* The port of a=rtcp, or -1. */
static int rtcp_attr(const char *sdp)
{
	const char *r = sdp ? strstr(sdp, "a=rtcp:") : NULL;

	return r ? atoi(r + 7) : -1;
}

static bool has(const char *sdp, const char *line)
{
	return sdp && strstr(sdp, line);
}

struct mux_case {
	const char *name;
	const char *offer;		/* offerer's rtcp lines */
	const char *offer_mux;		/* "rtcp-mux" items of the offer */
	const char *offer_flag;		/* or as a flag */
	const char *answer;		/* answerer's rtcp lines */
	const char *answer_mux;
	bool b_offered;			/* a=rtcp-mux in the offer to B */
	bool b_one_port;		/* a=rtcp there names the m= port */
	bool a_accepted;		/* a=rtcp-mux in the answer to A */
	bool a_mux, b_mux;		/* RTCP on the RTP port of A, of B */
};

static const struct mux_case cases[] = {
	{ "neither side muxes", "", NULL, NULL, "", NULL,
	  false, false, false, false, false },
	{ "offered on and accepted (default: go along)",
	  "a=rtcp-mux\r\n", NULL, NULL, "a=rtcp-mux\r\n", NULL,
	  true, false, true, true, true },
	{ "offered on, refused: the offerer is refused too",
	  "a=rtcp-mux\r\n", NULL, NULL, "", NULL,
	  true, false, false, false, false },
	{ "an a=rtcp-mux not offered is no acceptance", "", NULL, NULL,
	  "a=rtcp-mux\r\n", NULL, false, false, false, false, false },
	{ "demux: accepted from the offerer, not offered on",
	  "a=rtcp-mux\r\n", "demux", NULL, "", NULL,
	  false, false, true, true, false },
	{ "accept: the offerer's whatever the answerer does",
	  "a=rtcp-mux\r\n", "accept", NULL, "", NULL,
	  true, false, true, true, false },
	{ "accept given in the answer", "a=rtcp-mux\r\n", NULL, NULL, "",
	  "accept", true, false, true, true, false },
	{ "reject: not accepted, not offered on", "a=rtcp-mux\r\n",
	  "reject", NULL, "a=rtcp-mux\r\n", NULL,
	  false, false, false, false, false },
	{ "reject,offer: the opposite of demux", "a=rtcp-mux\r\n",
	  "reject,offer", NULL, "a=rtcp-mux\r\n", NULL,
	  true, false, false, false, true },
	{ "offer (as flag rtcp-mux-offer) to a plain offerer's answerer",
	  "a=rtcp:*\r\n", NULL, "rtcp-mux-offer", "a=rtcp-mux\r\n", NULL,
	  true, false, false, false, true },
	{ "require: the answerer muxes from the offer on",
	  "a=rtcp:*\r\n", "require", NULL, "", NULL,
	  true, true, false, false, true },
	{ "rtcp-mux-only (RFC 8858): accepted even when refused on",
	  "a=rtcp-mux\r\na=rtcp-mux-only\r\n", NULL, NULL, "", NULL,
	  true, false, true, true, false },
	{ "rtcp-mux-only beats reject", "a=rtcp-mux\r\na=rtcp-mux-only\r\n",
	  "reject", NULL, "", NULL, false, false, true, true, false },
};

/* Send @rtcp or RTP from @from to @to (via kiced port @x) and expect it
 * on @to's RTP socket when @to_mux, else on its RTCP socket. */
static bool carried(FIXTURE_DATA(mux) *self, const struct app *from,
		    bool from_mux, uint16_t x, const struct app *to,
		    bool to_mux, bool rtcp, const char *tag)
{
	char pkt[64];
	size_t len = packet(pkt, rtcp, tag);
	int comp = rtcp && !from_mux ? 1 : 0;
	int at = rtcp && !to_mux ? 1 : 0;

	app_send(from, comp, (uint16_t)(x + comp), pkt, len);
	return arrives(&self->k.loop, to->fd[at], pkt, len) &&
	       quiet(&self->k.loop, to->fd[!at]);
}

TEST_F(mux, negotiation_and_routing)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mux_case *t = &cases[i];
		char *o = plain(self->a.port, t->offer);
		char *a = plain(self->b.port, t->answer);
		struct call *c;
		int xa, xb;

		TH_LOG("case: %s", t->name);
		ASSERT_TRUE(ng(self, "offer", "remove", o, t->offer_mux,
			       t->offer_flag)) TH_LOG("%s", self->why);
		EXPECT_EQ(t->b_offered, has(self->sdp, "a=rtcp-mux\r\n"));
		EXPECT_FALSE(has(self->sdp, "a=rtcp-mux-only"));
		xb = m_port(self->sdp);
		if (rtcp_attr(self->sdp) >= 0)
			EXPECT_EQ(t->b_one_port ? xb : xb + 1,
				  rtcp_attr(self->sdp));
		ASSERT_TRUE(ng(self, "answer", NULL, a, t->answer_mux, NULL))
			TH_LOG("%s", self->why);
		EXPECT_EQ(t->a_accepted, has(self->sdp, "a=rtcp-mux\r\n"));
		EXPECT_FALSE(has(self->sdp, "a=rtcp-mux-only"));
		xa = m_port(self->sdp);
		if (rtcp_attr(self->sdp) >= 0)
			EXPECT_EQ(t->a_mux ? xa : xa + 1, rtcp_attr(self->sdp));
		c = session_find(&self->k.calls, "mux-call", 8);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(t->a_mux, c->media[0].stream->side[MEDIA_SIDE_A].mux);
		EXPECT_EQ(t->b_mux, c->media[0].stream->side[MEDIA_SIDE_B].mux);

		/* RTP first (the legs latch), then RTCP both ways */
		EXPECT_TRUE(carried(self, &self->a, t->a_mux, (uint16_t)xa,
				    &self->b, t->b_mux, false, "rtp a>b"));
		EXPECT_TRUE(carried(self, &self->b, t->b_mux, (uint16_t)xb,
				    &self->a, t->a_mux, false, "rtp b>a"));
		EXPECT_TRUE(carried(self, &self->a, t->a_mux, (uint16_t)xa,
				    &self->b, t->b_mux, true, "rtcp a>b"));
		EXPECT_TRUE(carried(self, &self->b, t->b_mux, (uint16_t)xb,
				    &self->a, t->a_mux, true, "rtcp b>a"));
		session_remove(&self->k.calls, c);
		free(o);
		free(a);
	}
}

/*
 * Nothing reaches the RTCP port of a side that muxes: RTCP the other
 * side sends to its own RTCP port goes to the muxed side's RTP port, and
 * a datagram arriving at a muxed side's unused RTCP port is dropped.
 */
TEST_F(mux, muxed_rtcp_port_unused)
{
	char *o = plain(self->a.port, "a=rtcp-mux\r\n");
	char *a = plain(self->b.port, "");
	char pkt[64];
	size_t len;
	int xa;

	ASSERT_TRUE(ng(self, "offer", "remove", o, "demux", NULL));
	ASSERT_TRUE(ng(self, "answer", NULL, a, NULL, NULL));
	xa = m_port(self->sdp);
	len = packet(pkt, false, "latch");
	app_send(&self->a, 0, (uint16_t)xa, pkt, len);
	ASSERT_TRUE(arrives(&self->k.loop, self->b.fd[0], pkt, len));
	/* to A's unused RTCP port: goes nowhere */
	len = packet(pkt, true, "stray");
	app_send(&self->a, 1, (uint16_t)(xa + 1), pkt, len);
	EXPECT_TRUE(quiet(&self->k.loop, self->b.fd[0]));
	EXPECT_TRUE(quiet(&self->k.loop, self->b.fd[1]));
	free(o);
	free(a);
}

/*
 * A browser-shaped ICE offer (a=rtcp-mux, candidates for component 1
 * only, trickle): kiced's ICE side towards it has one component from the
 * offer on, and its answer accepts rtcp-mux although the plain answerer
 * does not mux -- a browser refuses an answer without it.
 */
TEST_F(mux, ice_offer_with_rtp_candidates_only)
{
	char lines[512], *o, *a;
	struct call *c;

	snprintf(lines, sizeof(lines),
		 "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
		 "a=ice-options:trickle\r\na=rtcp-mux\r\n"
		 "a=candidate:1 1 UDP 2130706431 127.0.0.1 %u typ host\r\n",
		 self->a.port);
	o = plain(self->a.port, lines);
	a = plain(self->b.port, "");
	ASSERT_TRUE(ng(self, "offer", "remove", o, NULL, NULL))
		TH_LOG("%s", self->why);
	EXPECT_TRUE(has(self->sdp, "a=rtcp-mux\r\n"));
	EXPECT_FALSE(has(self->sdp, "a=candidate"));
	c = session_find(&self->k.calls, "mux-call", 8);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, c->ice[MEDIA_SIDE_A]);
	EXPECT_EQ(1, media_ice_ncomp(c->ice[MEDIA_SIDE_A], 0));
	EXPECT_TRUE(c->media[0].stream->side[MEDIA_SIDE_A].mux);

	ASSERT_TRUE(ng(self, "answer", NULL, a, NULL, NULL))
		TH_LOG("%s", self->why);
	EXPECT_TRUE(has(self->sdp, "a=rtcp-mux\r\n"));
	EXPECT_TRUE(has(self->sdp, " 1 UDP "));
	EXPECT_FALSE(has(self->sdp, " 2 UDP "));
	EXPECT_FALSE(c->media[0].stream->side[MEDIA_SIDE_B].mux);
	free(o);
	free(a);
}

/*
 * A side without RTCP (an ICE peer running one component without
 * rtcp-mux): RTP still goes both ways, the other side's RTCP is dropped
 * -- never put on the RTP port of a peer that did not agree to mux --
 * and the stream needs one kernel flow.
 */
TEST_F(mux, side_without_rtcp)
{
	char *o = plain(self->a.port, "");
	char *a = plain(self->b.port, "");
	struct call *c;
	char pkt[64];
	size_t len;
	int xa, xb;

	ASSERT_TRUE(ng(self, "offer", "remove", o, NULL, NULL));
	xb = m_port(self->sdp);
	ASSERT_TRUE(ng(self, "answer", NULL, a, NULL, NULL));
	xa = m_port(self->sdp);
	c = session_find(&self->k.calls, "mux-call", 8);
	ASSERT_NE(NULL, c);
	media_side_set_no_rtcp(c->media[0].stream, MEDIA_SIDE_B);
	EXPECT_TRUE(c->media[0].stream->side[MEDIA_SIDE_B].no_rtcp);
	EXPECT_FALSE(c->media[0].stream->side[MEDIA_SIDE_B].mux);

	EXPECT_TRUE(carried(self, &self->a, false, (uint16_t)xa, &self->b,
			    false, false, "rtp a>b"));
	EXPECT_TRUE(carried(self, &self->b, false, (uint16_t)xb, &self->a,
			    false, false, "rtp b>a"));
	/* A's RTCP reaches neither of B's ports */
	len = packet(pkt, true, "rtcp a>b");
	app_send(&self->a, 1, (uint16_t)(xa + 1), pkt, len);
	EXPECT_TRUE(quiet(&self->k.loop, self->b.fd[0]));
	EXPECT_TRUE(quiet(&self->k.loop, self->b.fd[1]));
	/* what comes to B's unused RTCP port goes nowhere */
	app_send(&self->b, 1, (uint16_t)(xb + 1), pkt, len);
	EXPECT_TRUE(quiet(&self->k.loop, self->a.fd[0]));
	EXPECT_TRUE(quiet(&self->k.loop, self->a.fd[1]));
	/* muxing B again (a re-offer agreeing to it) restores RTCP */
	media_side_set_mux(c->media[0].stream, MEDIA_SIDE_B, true);
	EXPECT_FALSE(c->media[0].stream->side[MEDIA_SIDE_B].no_rtcp);
	EXPECT_TRUE(carried(self, &self->a, false, (uint16_t)xa, &self->b,
			    true, true, "rtcp a>b muxed"));
	free(o);
	free(a);
}

/*
 * An ICE answer with component-1 candidates only and no a=rtcp-mux, as
 * libnice with one component sends: that side runs one component and
 * carries no RTCP (it is not muxed onto its RTP port).
 */
TEST_F(mux, ice_answer_with_one_component)
{
	char lines[512], *o, *a;
	struct call *c;

	o = plain(self->a.port, "");
	snprintf(lines, sizeof(lines),
		 "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
		 "a=candidate:1 1 UDP 2130706431 127.0.0.1 %u typ host\r\n"
		 "a=end-of-candidates\r\n", self->b.port);
	a = plain(self->b.port, lines);
	ASSERT_TRUE(ng(self, "offer", "force", o, NULL, NULL))
		TH_LOG("%s", self->why);
	EXPECT_TRUE(has(self->sdp, " 2 UDP "));
	ASSERT_TRUE(ng(self, "answer", NULL, a, NULL, NULL))
		TH_LOG("%s", self->why);
	c = session_find(&self->k.calls, "mux-call", 8);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, c->ice[MEDIA_SIDE_B]);
	EXPECT_EQ(1, media_ice_ncomp(c->ice[MEDIA_SIDE_B], 0));
	EXPECT_FALSE(c->media[0].stream->side[MEDIA_SIDE_B].mux);
	EXPECT_TRUE(c->media[0].stream->side[MEDIA_SIDE_B].no_rtcp);
	EXPECT_FALSE(c->media[0].stream->side[MEDIA_SIDE_A].mux);
	free(o);
	free(a);
}

TEST_HARNESS_MAIN
