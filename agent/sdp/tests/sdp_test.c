// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the kice SDP library.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sdp/sdp.h"

#define PWD "asd88fgpdd777uzjYhagZg"

static const char offer[] =
	"v=0\r\n"
	"o=jdoe 2890844526 2890842807 IN IP4 203.0.113.141\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.3\r\n"
	"t=0 0\r\n"
	"a=ice-options:ice2 trickle\r\n"
	"a=ice-pwd:" PWD "\r\n"
	"a=ice-ufrag:8hhY\r\n"
	"m=audio 45664 RTP/AVP 0\r\n"
	"b=RS:0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtcp:45665 IN IP4 192.0.2.3\r\n"
	"a=candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host\r\n"
	"a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr"
	" 203.0.113.141 rport 8998\r\n"
	"a=candidate:2 2 udp 1694498814 192.0.2.3 45665 typ srflx raddr"
	" 203.0.113.141 rport 8999 generation 0 network-id 1\r\n"
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
	"c=IN IP6 2001:db8::1\r\n"
	"a=ice-ufrag:Vid0\r\n"
	"a=ice-pwd:" PWD "x\r\n"
	"a=rtcp-mux\r\n"
	"a=rtcp-mux-only\r\n"
	"a=candidate:a+/b 1 UDP 2130706431 2001:db8::1 9 typ host\r\n"
	"a=candidate:r 1 UDP 16777215 198.51.100.7 3478 typ relay raddr"
	" 0.0.0.0 rport 0\r\n"
	"a=candidate:m 1 UDP 2113937151 abcd-ef.local 5000 typ prflx\r\n"
	"a=end-of-candidates\r\n";

TEST(parse_offer)
{
	struct sdp_session s;
	struct sdp_error e;
	struct sdp_media *m;

	ASSERT_EQ(0, sdp_parse(offer, strlen(offer), &s, &e));
	EXPECT_STREQ("8hhY", s.ice.ufrag);
	EXPECT_STREQ(PWD, s.ice.pwd);
	EXPECT_EQ(SDP_OPT_TRICKLE | SDP_OPT_ICE2, s.ice.options);
	EXPECT_TRUE(s.has_conn);
	EXPECT_STREQ("192.0.2.3", s.conn_addr);
	EXPECT_FALSE(s.ice_lite);
	ASSERT_EQ(2, s.nmedia);

	m = &s.media[0];
	EXPECT_STREQ("audio", m->media);
	EXPECT_EQ(45664, m->port);
	EXPECT_TRUE(m->has_rtcp);
	EXPECT_EQ(45665, m->rtcp_port);
	EXPECT_TRUE(m->rtcp_has_addr);
	EXPECT_STREQ("192.0.2.3", m->rtcp_addr);
	EXPECT_FALSE(m->rtcp_mux);
	EXPECT_FALSE(m->rtcp_mux_only);
	EXPECT_EQ(NULL, m->ice.ufrag);
	ASSERT_EQ(3, m->ncands);
	EXPECT_STREQ("1", m->cands[0].foundation);
	EXPECT_EQ(1, m->cands[0].component);
	EXPECT_EQ(2130706431u, m->cands[0].priority);
	EXPECT_EQ(SDP_CAND_HOST, m->cands[0].type);
	EXPECT_FALSE(m->cands[0].has_raddr);
	EXPECT_EQ(SDP_CAND_SRFLX, m->cands[1].type);
	EXPECT_TRUE(m->cands[1].has_raddr);
	EXPECT_STREQ("203.0.113.141", m->cands[1].raddr);
	EXPECT_EQ(8998, m->cands[1].rport);
	EXPECT_STREQ("udp", m->cands[2].transport);
	EXPECT_EQ(2, m->cands[2].component);
	EXPECT_STREQ("generation 0 network-id 1", m->cands[2].extensions);
	ASSERT_EQ(2, m->nextra);
	EXPECT_STREQ("b=RS:0", m->extra[0]);
	EXPECT_STREQ("a=rtpmap:0 PCMU/8000", m->extra[1]);

	m = &s.media[1];
	EXPECT_TRUE(m->has_conn);
	EXPECT_TRUE(m->conn_ipv6);
	EXPECT_STREQ("Vid0", m->ice.ufrag);
	EXPECT_TRUE(m->rtcp_mux);
	EXPECT_TRUE(m->rtcp_mux_only);
	EXPECT_EQ(0, m->nextra);
	EXPECT_TRUE(m->end_of_candidates);
	ASSERT_EQ(3, m->ncands);
	EXPECT_STREQ("a+/b", m->cands[0].foundation);
	EXPECT_EQ(SDP_CAND_RELAY, m->cands[1].type);
	EXPECT_EQ(SDP_CAND_PRFLX, m->cands[2].type);
	EXPECT_STREQ("abcd-ef.local", m->cands[2].addr);
	sdp_session_free(&s);
}

TEST(roundtrip)
{
	struct sdp_session s, s2;
	struct sdp_error e;
	char *out, *out2;
	long n, n2;

	ASSERT_EQ(0, sdp_parse(offer, strlen(offer), &s, &e));
	n = sdp_write(&s, &out);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, sdp_parse(out, (size_t)n, &s2, &e));
	n2 = sdp_write(&s2, &out2);
	ASSERT_EQ(n, n2);
	EXPECT_EQ(0, memcmp(out, out2, (size_t)n));
	/* ICE attributes survive */
	EXPECT_NE(NULL, strstr(out, "a=candidate:2 2 udp 1694498814 192.0.2.3 "
			       "45665 typ srflx raddr 203.0.113.141 rport 8999"
			       " generation 0 network-id 1\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=ice-options:trickle ice2\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=rtcp:45665 IN IP4 192.0.2.3\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=rtpmap:0 PCMU/8000\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=rtcp-mux\r\na=rtcp-mux-only\r\n"));
	free(out);
	free(out2);
	sdp_session_free(&s);
	sdp_session_free(&s2);
}

TEST(lite_mismatch_remote_candidates)
{
	static const char t[] =
		"v=0\n"
		"o=- 1 1 IN IP4 192.0.2.1\n"
		"s=x\n"
		"t=0 0\n"
		"a=ice-lite\n"
		"a=end-of-candidates\n"
		"m=audio 5000 RTP/AVP 0\n"
		"a=ice-mismatch\n"
		"a=remote-candidates:1 192.0.2.1 5000 2 192.0.2.1 5001\n";
	struct sdp_session s;
	struct sdp_error e;
	char *out;

	ASSERT_EQ(0, sdp_parse(t, strlen(t), &s, &e));
	EXPECT_TRUE(s.ice_lite);
	EXPECT_TRUE(s.end_of_candidates);
	ASSERT_EQ(1, s.nmedia);
	EXPECT_TRUE(s.media[0].ice_mismatch);
	ASSERT_EQ(2, s.media[0].nremote_cands);
	EXPECT_EQ(2, s.media[0].remote_cands[1].component);
	EXPECT_EQ(5001, s.media[0].remote_cands[1].port);
	ASSERT_GT(sdp_write(&s, &out), 0);
	EXPECT_NE(NULL, strstr(out, "a=ice-lite\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=remote-candidates:1 192.0.2.1 5000 2 "
			       "192.0.2.1 5001\r\n"));
	EXPECT_NE(NULL, strstr(out, "a=ice-mismatch\r\n"));
	free(out);
	sdp_session_free(&s);
}

TEST(generate)
{
	struct sdp_session s = { 0 };
	struct sdp_candidate c = { 0 };
	struct sdp_media *m;
	char *out;

	ASSERT_EQ(0, sdp_set_str(&s.ice.ufrag, "abcd"));
	ASSERT_EQ(0, sdp_set_str(&s.ice.pwd, PWD));
	s.ice.options = SDP_OPT_TRICKLE;
	m = sdp_add_media(&s, "audio", 4000, "RTP/AVP", "0 8");
	ASSERT_NE(NULL, m);
	m->has_conn = true;
	strcpy(m->conn_addr, "192.0.2.9");
	m->rtcp_mux = true;
	strcpy(c.foundation, "7");
	c.component = 1;
	strcpy(c.transport, "UDP");
	c.priority = 1;
	strcpy(c.addr, "192.0.2.9");
	c.port = 4000;
	c.type = SDP_CAND_SRFLX;
	c.has_raddr = true;
	strcpy(c.raddr, "10.0.0.1");
	c.rport = 1234;
	ASSERT_EQ(0, sdp_add_candidate(m, &c));
	ASSERT_GT(sdp_write(&s, &out), 0);
	EXPECT_STREQ("v=0\r\n"
		     "o=- 0 0 IN IP4 0.0.0.0\r\n"
		     "s=-\r\n"
		     "t=0 0\r\n"
		     "a=ice-ufrag:abcd\r\n"
		     "a=ice-pwd:" PWD "\r\n"
		     "a=ice-options:trickle\r\n"
		     "m=audio 4000 RTP/AVP 0 8\r\n"
		     "c=IN IP4 192.0.2.9\r\n"
		     "a=rtcp-mux\r\n"
		     "a=candidate:7 1 UDP 1 192.0.2.9 4000 typ srflx raddr "
		     "10.0.0.1 rport 1234\r\n", out);
	free(out);
	sdp_session_free(&s);
}

struct bad {
	const char *text;
	enum sdp_err code;
	unsigned int line;
};

#define HDR "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n"
#define M "m=audio 5000 RTP/AVP 0\n"
#define CAND "a=candidate:"

static const struct bad bad[] = {
	{ "", SDP_E_VERSION, 0 },
	{ "v=1\n", SDP_E_VERSION, 1 },
	{ "o=x\nv=0\n", SDP_E_VERSION, 1 },
	{ HDR "v=0\n", SDP_E_ORDER, 5 },
	{ HDR "garbage\n", SDP_E_SYNTAX, 5 },
	{ HDR "A=b\n", SDP_E_SYNTAX, 5 },
	{ HDR "\n\na=x\n", SDP_E_SYNTAX, 5 },
	{ HDR "a=x\0y\n", SDP_E_NUL, 5 },
	{ HDR "c=IN IP4\n", SDP_E_CONN, 5 },
	{ HDR "c=IN IP4 2001:db8::1\n", SDP_E_CONN, 5 },
	{ HDR "c=IN IP4 300.1.1.1\n", SDP_E_CONN, 5 },
	{ HDR "c=IN IP4 192.0.2.1\nc=IN IP4 192.0.2.1\n", SDP_E_DUPLICATE, 6 },
	{ HDR "m=audio 5000 RTP/AVP\n", SDP_E_MEDIA, 5 },
	{ HDR "m=audio 70000 RTP/AVP 0\n", SDP_E_MEDIA, 5 },
	{ HDR "m=audio x RTP/AVP 0\n", SDP_E_MEDIA, 5 },
	{ HDR "m=audio 5000/0 RTP/AVP 0\n", SDP_E_MEDIA, 5 },
	{ HDR CAND "1 1 UDP 1 192.0.2.1 1 typ host\n", SDP_E_LEVEL, 5 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ\n", SDP_E_CAND, 6 },
	{ HDR M "a=candidate\n", SDP_E_CAND, 6 },
	{ HDR M CAND "1 0 UDP 1 192.0.2.1 1 typ host\n", SDP_E_CAND_COMPONENT, 6 },
	{ HDR M CAND "1 257 UDP 1 192.0.2.1 1 typ host\n", SDP_E_CAND_COMPONENT, 6 },
	{ HDR M CAND "1 1 UDP 0 192.0.2.1 1 typ host\n", SDP_E_CAND_PRIORITY, 6 },
	{ HDR M CAND "1 1 UDP 2147483648 192.0.2.1 1 typ host\n",
	  SDP_E_CAND_PRIORITY, 6 },
	{ HDR M CAND "1 1 UDP -1 192.0.2.1 1 typ host\n", SDP_E_CAND_PRIORITY, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2 1 typ host\n", SDP_E_CAND_ADDR, 6 },
	{ HDR M CAND "1 1 UDP 1 bad_name 1 typ host\n", SDP_E_CAND_ADDR, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 65536 typ host\n", SDP_E_CAND_PORT, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 type host\n", SDP_E_CAND_TYPE, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ local\n", SDP_E_CAND_TYPE, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ srflx raddr 1.2.3.4\n",
	  SDP_E_CAND_ADDR, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ host foo\n", SDP_E_CAND_EXT, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ srflx raddr 1.2.3.4 foo 1\n",
	  SDP_E_CAND_ADDR, 6 },
	{ HDR M CAND "1 1 UDP 1 192.0.2.1 1 typ host  x y\n", SDP_E_CAND, 6 },
	{ HDR M CAND "f*o 1 UDP 1 192.0.2.1 1 typ host\n", SDP_E_CAND, 6 },
	{ HDR M CAND "123456789012345678901234567890123 1 UDP 1 192.0.2.1 1 typ host\n",
	  SDP_E_CAND, 6 },
	{ HDR "a=ice-ufrag:abc\n", SDP_E_UFRAG, 5 },
	{ HDR "a=ice-ufrag:ab-c\n", SDP_E_UFRAG, 5 },
	{ HDR "a=ice-ufrag\n", SDP_E_UFRAG, 5 },
	{ HDR "a=ice-ufrag:abcd\na=ice-ufrag:abcd\n", SDP_E_DUPLICATE, 6 },
	{ HDR "a=ice-pwd:short\n", SDP_E_PWD, 5 },
	{ HDR "a=ice-options:\n", SDP_E_OPTIONS, 5 },
	{ HDR "a=ice-options:a  b\n", SDP_E_OPTIONS, 5 },
	{ HDR "a=ice-options: trickle\n", SDP_E_OPTIONS, 5 },
	{ HDR "a=ice-lite:yes\n", SDP_E_FLAG, 5 },
	{ HDR M "a=ice-lite\n", SDP_E_LEVEL, 6 },
	{ HDR "a=ice-mismatch\n", SDP_E_LEVEL, 5 },
	{ HDR "a=rtcp-mux\n", SDP_E_LEVEL, 5 },
	{ HDR "a=rtcp-mux-only\n", SDP_E_LEVEL, 5 },
	{ HDR M "a=rtcp-mux-only:1\n", SDP_E_FLAG, 6 },
	{ HDR "a=rtcp:5\n", SDP_E_LEVEL, 5 },
	{ HDR M "a=rtcp:x\n", SDP_E_RTCP, 6 },
	{ HDR M "a=rtcp:5001 IN IP4\n", SDP_E_RTCP, 6 },
	{ HDR M "a=rtcp:5001\na=rtcp:5001\n", SDP_E_DUPLICATE, 7 },
	{ HDR M "a=remote-candidates:1 192.0.2.1\n", SDP_E_REMOTE_CANDS, 6 },
	{ HDR M "a=remote-candidates:0 192.0.2.1 5\n", SDP_E_REMOTE_CANDS, 6 },
	{ HDR "a=remote-candidates:1 192.0.2.1 5\n", SDP_E_LEVEL, 5 },
	{ HDR M "a=end-of-candidates:1\n", SDP_E_FLAG, 6 },
};

TEST(malformed)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sdp_session s;
		struct sdp_error e = { 0 };
		size_t len = strlen(bad[i].text);

		/* the NUL test case: include the embedded byte */
		if (strstr(bad[i].text, "a=x") && !strcmp(bad[i].text + len - 3, "a=x"))
			len += 3;
		memset(&s, 0xa5, sizeof(s));
		EXPECT_EQ(-1, sdp_parse(bad[i].text, len, &s, &e)) {
			TH_LOG("case %zu accepted", i);
		}
		EXPECT_EQ(bad[i].code, e.code) {
			TH_LOG("case %zu: got '%s', want '%s'", i,
			       sdp_strerror(e.code), sdp_strerror(bad[i].code));
		}
		EXPECT_EQ(bad[i].line, e.line) {
			TH_LOG("case %zu: line %u", i, e.line);
		}
		/* nothing was written to the output */
		EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, (unsigned long long)(uintptr_t)s.media);
	}
}

TEST(error_strings_distinct)
{
	for (int i = 0; i < SDP_E__MAX; i++)
		for (int j = i + 1; j < SDP_E__MAX; j++)
			EXPECT_STRNE(sdp_strerror(i), sdp_strerror(j));
	EXPECT_STREQ("unknown error", sdp_strerror(SDP_E__MAX));
}

TEST(limits)
{
	size_t cap = 64 * 1024, len;
	char *t = malloc(cap);
	struct sdp_session s;
	struct sdp_error e;

	ASSERT_NE(NULL, t);
	len = (size_t)sprintf(t, HDR M);
	for (int i = 0; i <= SDP_MAX_CANDS; i++)
		len += (size_t)sprintf(t + len, CAND "%d 1 UDP 1 192.0.2.1 %d typ host\n",
				       i, i);
	EXPECT_EQ(-1, sdp_parse(t, len, &s, &e));
	EXPECT_EQ(SDP_E_TOO_MANY_CANDS, e.code);
	EXPECT_EQ(6 + SDP_MAX_CANDS, e.line);
	EXPECT_STREQ("too many candidates in a media section (max 64)",
		     sdp_strerror(e.code));
	/* one fewer is fine */
	len -= strlen(CAND "64 1 UDP 1 192.0.2.1 64 typ host\n");
	ASSERT_EQ(0, sdp_parse(t, len, &s, &e));
	EXPECT_EQ(SDP_MAX_CANDS, s.media[0].ncands);
	sdp_session_free(&s);
	EXPECT_EQ(-1, sdp_parse(t, SDP_MAX_LEN + 1, &s, &e));
	EXPECT_EQ(SDP_E_TOO_LONG, e.code);
	EXPECT_EQ(0, e.line);
	EXPECT_STREQ("description too long (max 65535 bytes)",
		     sdp_strerror(e.code));

	/* m= lines: SDP_MAX_MEDIA parse, one more does not */
	len = (size_t)sprintf(t, HDR);
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		len += (size_t)sprintf(t + len, M);
	ASSERT_EQ(0, sdp_parse(t, len, &s, &e));
	EXPECT_EQ(SDP_MAX_MEDIA, s.nmedia);
	sdp_session_free(&s);
	len += (size_t)sprintf(t + len, M);
	EXPECT_EQ(-1, sdp_parse(t, len, &s, &e));
	EXPECT_EQ(SDP_E_TOO_MANY_MEDIA, e.code);
	EXPECT_EQ(5 + SDP_MAX_MEDIA, e.line);
	EXPECT_STREQ("too many media sections (max 32)", sdp_strerror(e.code));

	/* a line over SDP_MAX_LINE */
	len = (size_t)sprintf(t, HDR "a=x:");
	memset(t + len, 'y', SDP_MAX_LINE);
	len += SDP_MAX_LINE;
	EXPECT_EQ(-1, sdp_parse(t, len, &s, &e));
	EXPECT_EQ(SDP_E_LINE_TOO_LONG, e.code);
	EXPECT_EQ(5, e.line);
	free(t);
}

TEST(single_candidate)
{
	struct sdp_candidate c;
	char buf[256];

	ASSERT_EQ(SDP_OK, sdp_parse_candidate("x 2 UDP 5 2001:db8::5 7 typ relay"
					      " raddr 2001:db8::6 rport 8 ufrag ab",
					      &c));
	EXPECT_EQ(2, c.component);
	EXPECT_STREQ("2001:db8::6", c.raddr);
	EXPECT_STREQ("ufrag ab", c.extensions);
	ASSERT_GT(sdp_write_candidate(&c, buf, sizeof(buf)), 0);
	EXPECT_STREQ("candidate:x 2 UDP 5 2001:db8::5 7 typ relay raddr "
		     "2001:db8::6 rport 8 ufrag ab", buf);
	EXPECT_EQ(-1, sdp_write_candidate(&c, buf, 20));
	sdp_candidate_free(&c);
}

TEST_HARNESS_MAIN
