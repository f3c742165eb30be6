// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the agent <-> SDP glue (ice_sdp.c): offers and answers as
 * text between simulated agents.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ice/ice_sdp.h"
#include "ice/tests/simnet.h"

static const char *const ip_a[] = { "10.0.0.1" };
static const char *const ip_b[] = { "10.0.0.2" };

/* describe @from, write it as text, parse it back */
static int roundtrip(struct ice_agent *from, unsigned int flags,
		     struct sdp_session *out, char **text)
{
	struct sdp_session s = { 0 };
	struct sdp_error err;
	long n;

	if (ice_sdp_describe(from, &s, flags))
		return -1;
	n = sdp_write(&s, text);
	sdp_session_free(&s);
	if (n < 0)
		return -1;
	return sdp_parse(*text, (size_t)n, out, &err);
}

static struct ice_cfg cfg_of(bool controlling)
{
	struct ice_cfg c;

	ice_cfg_default(&c);
	c.controlling = controlling;
	return c;
}

TEST(describe)
{
	struct ice_cfg c = cfg_of(true);
	struct simnet n;
	struct sim_ep *a;
	struct sdp_session s;
	const char *u, *p;
	char *text;

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, ip_a, 1, 1, 2);
	ASSERT_EQ(0, roundtrip(a->a, ICE_SDP_TRICKLE, &s, &text));
	ice_agent_local_creds(a->a, &u, &p);
	EXPECT_STREQ(u, s.ice.ufrag);
	EXPECT_STREQ(p, s.ice.pwd);
	EXPECT_EQ(SDP_OPT_ICE2 | SDP_OPT_TRICKLE, s.ice.options);
	ASSERT_EQ(1, s.nmedia);
	EXPECT_EQ(2, s.media[0].ncands);
	EXPECT_TRUE(s.media[0].has_conn);
	EXPECT_STREQ("10.0.0.1", s.media[0].conn_addr);
	EXPECT_EQ(10000, s.media[0].port);
	EXPECT_TRUE(s.media[0].has_rtcp);
	EXPECT_EQ(10001, s.media[0].rtcp_port);
	EXPECT_TRUE(s.media[0].end_of_candidates);
	EXPECT_FALSE(s.media[0].rtcp_mux);
	EXPECT_NE(NULL, strstr(text, "typ host"));
	free(text);
	sdp_session_free(&s);
	sim_free(&n);
}

static void exchange(struct __test_metadata *_metadata, struct sim_ep *x,
		     struct sim_ep *y, unsigned int flags)
{
	struct sdp_session s;
	char *text;

	ASSERT_EQ(0, roundtrip(x->a, flags, &s, &text));
	ASSERT_LE(0, ice_sdp_apply(y->a, &s, flags, y->net->now));
	sdp_session_free(&s);
	free(text);
}

TEST(offer_answer_connects)
{
	struct ice_cfg ca = cfg_of(true), cb = cfg_of(false);
	struct simnet n;
	struct sim_ep *a, *b;
	struct sdp_session s;
	char *text;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, ip_a, 1, 2, 1);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 2, 1);
	exchange(_metadata, a, b, 0);
	exchange(_metadata, b, a, 0);
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* a later offer of the controlling side names the selected pair */
	ASSERT_EQ(0, roundtrip(a->a, ICE_SDP_REMOTE_CANDS, &s, &text));
	ASSERT_EQ(2, s.nmedia);
	ASSERT_TRUE(s.media[1].has_remote_cands);
	ASSERT_EQ(1, s.media[1].nremote_cands);
	EXPECT_STREQ("10.0.0.2", s.media[1].remote_cands[0].addr);
	EXPECT_EQ(10003, s.media[1].remote_cands[0].port);
	sdp_session_free(&s);
	free(text);
	sim_free(&n);
}

/* The controlled side takes the pair a=remote-candidates names, with the
 * offer's default destination as the remote candidate. */
TEST(remote_cands_select_pair)
{
	static const char *const two[] = { "10.0.0.1", "10.0.1.1" };
	struct ice_cfg ca = cfg_of(true), cb = cfg_of(false);
	struct simnet n;
	struct sim_ep *a, *b;
	struct sdp_session s;
	struct ice_cand_info l, r;
	char *text;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, two, 2, 1, 1);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 1, 1);
	exchange(_metadata, a, b, 0);
	exchange(_metadata, b, a, 0);
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	ASSERT_EQ(0, ice_agent_selected(b->a, 0, 1, &l, &r));
	EXPECT_EQ(10000, r.addr.port);	/* a's preferred address */
	/* the subsequent offer names the selected pair ... */
	ASSERT_EQ(0, roundtrip(a->a, ICE_SDP_REMOTE_CANDS, &s, &text));
	ASSERT_TRUE(s.media[0].has_remote_cands);
	EXPECT_STREQ("10.0.0.1", s.media[0].conn_addr);
	EXPECT_EQ(10000, s.media[0].port);
	/* ... edited to the other one: b follows it */
	snprintf(s.media[0].conn_addr, sizeof(s.media[0].conn_addr), "10.0.1.1");
	s.media[0].port = 10001;
	ASSERT_EQ(0, ice_sdp_apply(b->a, &s, 0, n.now));
	ASSERT_EQ(0, ice_agent_selected(b->a, 0, 1, &l, &r));
	EXPECT_EQ(10001, r.addr.port);
	EXPECT_STREQ("10.0.0.2", s.media[0].remote_cands[0].addr);
	EXPECT_EQ(s.media[0].remote_cands[0].port, l.addr.port);
	/* unknown candidates change nothing; a controlling agent ignores it */
	s.media[0].remote_cands[0].port = 1;
	ASSERT_EQ(0, ice_sdp_apply(b->a, &s, 0, n.now));
	ASSERT_EQ(0, ice_agent_selected(b->a, 0, 1, NULL, &r));
	EXPECT_EQ(10001, r.addr.port);
	EXPECT_EQ(-EPERM, ice_agent_use_pair(a->a, 0, 1, &l.addr, &r.addr, n.now));
	sdp_session_free(&s);
	free(text);
	sim_free(&n);
}

TEST(rtcp_mux_negotiated)
{
	struct ice_cfg ca = cfg_of(true), cb = cfg_of(false);
	struct simnet n;
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, ip_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 1, 2);
	exchange(_metadata, a, b, ICE_SDP_RTCP_MUX);
	exchange(_metadata, b, a, ICE_SDP_RTCP_MUX);
	EXPECT_EQ(1, ice_agent_ncomp(a->a, 0));
	EXPECT_EQ(1, ice_agent_ncomp(b->a, 0));
	EXPECT_EQ(1, ice_agent_nremote(a->a));
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_free(&n);
}

/* A peer without component-2 candidates gets a one-component stream. */
TEST(one_component_peer)
{
	struct ice_cfg ca = cfg_of(true), cb = cfg_of(false);
	struct simnet n;
	struct sim_ep *a, *b;
	struct sdp_session s;
	char *text;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, ip_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 1, 1);
	exchange(_metadata, a, b, 0);
	/* still trickling, no end-of-candidates: component 2 may come */
	ASSERT_EQ(0, roundtrip(b->a, ICE_SDP_TRICKLE, &s, &text));
	s.media[0].end_of_candidates = false;
	ASSERT_FALSE(ice_sdp_one_component(&s, &s.media[0]));
	ASSERT_EQ(0, ice_sdp_apply(a->a, &s, 0, n.now));
	EXPECT_EQ(2, ice_agent_ncomp(a->a, 0));
	/* complete: one component */
	s.media[0].end_of_candidates = true;
	ASSERT_TRUE(ice_sdp_one_component(&s, &s.media[0]));
	ASSERT_EQ(0, ice_sdp_apply(a->a, &s, 0, n.now));
	EXPECT_EQ(1, ice_agent_ncomp(a->a, 0));
	sdp_session_free(&s);
	free(text);
	/* a later description of ours has no component 2 */
	ASSERT_EQ(0, roundtrip(a->a, 0, &s, &text));
	EXPECT_EQ(1, s.media[0].ncands);
	EXPECT_FALSE(s.media[0].has_rtcp);
	sdp_session_free(&s);
	free(text);
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_run(&n, 1000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(1, a->ev[ICE_EV_COMPLETED]);
	/* a two-component peer keeps both */
	sim_free(&n);
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, ip_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 1, 2);
	exchange(_metadata, b, a, 0);
	EXPECT_EQ(2, ice_agent_ncomp(a->a, 0));
	sim_free(&n);
}

/* Add @line to the session's (@m < 0) or media section @m's extra lines. */
static void add_line(struct sdp_session *s, int m, const char *line)
{
	char ***ex = m < 0 ? &s->extra : &s->media[m].extra;
	size_t *n = m < 0 ? &s->nextra : &s->media[m].nextra;

	*ex = realloc(*ex, (*n + 1) * sizeof(**ex));
	(*ex)[(*n)++] = strdup(line);
}

/*
 * BUNDLE (RFC 9143): an answer that bundles two media sections onto the
 * first one's transport; the second stream runs no checks and the agents
 * connect on the first alone, never failing the second.  In an offer
 * only a=bundle-only sections are bundled.
 */
TEST(bundle)
{
	struct ice_cfg ca = cfg_of(true), cb = cfg_of(false);
	struct simnet n;
	struct sim_ep *a, *b;
	struct sdp_session s;
	char *text;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, ip_a, 1, 2, 1);
	b = sim_ep_new(&n, &cb, 0, ip_b, 1, 2, 1);
	exchange(_metadata, a, b, 0);
	ASSERT_EQ(0, roundtrip(b->a, 0, &s, &text));
	add_line(&s, -1, "a=group:BUNDLE m0 m1");
	add_line(&s, 0, "a=mid:m0");
	add_line(&s, 1, "a=mid:m1");
	/* as an offer: nothing is bundle-only */
	EXPECT_EQ(0, ice_sdp_bundle(a->a, &s, false, n.now));
	EXPECT_EQ(-1, ice_agent_bundled(a->a, 1));
	add_line(&s, 1, "a=bundle-only");
	EXPECT_EQ(1, ice_sdp_bundle(a->a, &s, false, n.now));
	EXPECT_EQ(0, ice_agent_bundled(a->a, 1));
	EXPECT_EQ(-1, ice_agent_bundled(a->a, 0));
	/* as the answer (again: no change) */
	EXPECT_EQ(0, ice_sdp_bundle(a->a, &s, true, n.now));
	ASSERT_LE(0, ice_sdp_apply(a->a, &s, 0, n.now));
	sdp_session_free(&s);
	free(text);
	ASSERT_EQ(0, ice_agent_bundle(b->a, 1, 0, n.now));
	EXPECT_EQ(-EINVAL, ice_agent_bundle(b->a, 0, 0, n.now));
	EXPECT_EQ(-EINVAL, ice_agent_bundle(b->a, 0, 1, n.now));
	EXPECT_EQ(-EINVAL, ice_agent_bundle(b->a, 1, 2, n.now));
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_run(&n, 2000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(0, b->ev[ICE_EV_FAILED]);
	EXPECT_EQ(1, a->ev[ICE_EV_COMPLETED]);
	EXPECT_EQ(1, b->ev[ICE_EV_COMPLETED]);
	sim_free(&n);
}

static int apply_text(struct ice_agent *a, const char *text)
{
	struct sdp_session s;
	struct sdp_error err;
	int r;

	if (sdp_parse(text, strlen(text), &s, &err))
		return -9999;
	r = ice_sdp_apply(a, &s, 0, 0);
	sdp_session_free(&s);
	return r;
}

#define HDR "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n"
#define CREDS "a=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901\n"
#define M "m=audio 5000 RTP/AVP 0\n"
#define CAND "a=candidate:1 1 UDP 2130706431 192.0.2.1 5000 typ host\n"

/*
 * A bundle-only section (RFC 9143 7.2.1: port 0 and a=bundle-only, as
 * webrtcbin's max-bundle offers it) is live, not disabled, and is
 * described as it came: port 0, no candidates, no a=rtcp; its tag gets
 * the candidates.
 */
TEST(bundle_only_described_at_port_zero)
{
	struct ice_cfg c = cfg_of(true);
	struct simnet n;
	struct sim_ep *a;
	struct sdp_session s;
	struct sdp_error err;
	static const char text[] = HDR "a=group:BUNDLE 0 1\n"
		"m=audio 5000 RTP/AVP 0\na=mid:0\n"
		"m=video 0 RTP/AVP 96\na=mid:1\na=bundle-only\n";

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, ip_a, 1, 2, 1);
	ASSERT_EQ(0, sdp_parse(text, strlen(text), &s, &err));
	EXPECT_FALSE(ice_sdp_bundle_only(&s.media[0]));
	EXPECT_TRUE(ice_sdp_bundle_only(&s.media[1]));
	s.media[1].has_rtcp = true;
	ASSERT_EQ(0, ice_sdp_describe(a->a, &s, 0));
	EXPECT_NE(0, s.media[0].port);
	EXPECT_LT(0, (int)s.media[0].ncands);
	EXPECT_EQ(0, s.media[1].port);
	EXPECT_EQ(0, (int)s.media[1].ncands);
	EXPECT_FALSE(s.media[1].has_rtcp);
	EXPECT_TRUE(ice_sdp_bundle_only(&s.media[1]));
	/* with a port, a=bundle-only alone does not make it one */
	s.media[1].port = 5002;
	EXPECT_FALSE(ice_sdp_bundle_only(&s.media[1]));
	sdp_session_free(&s);
	sim_free(&n);
}

TEST(apply_errors_change_nothing)
{
	struct ice_cfg c = cfg_of(false);
	struct simnet n;
	struct sim_ep *a;

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, ip_a, 1, 1, 1);
	EXPECT_EQ(-ICE_SDP_E_NO_MEDIA, apply_text(a->a, HDR CREDS));
	EXPECT_EQ(-ICE_SDP_E_NO_CREDS, apply_text(a->a, HDR M CAND));
	EXPECT_EQ(-ICE_SDP_E_MISMATCH,
		  apply_text(a->a, HDR CREDS M "a=ice-mismatch\n" CAND));
	EXPECT_EQ(-ICE_SDP_E_CREDS_DIFFER,
		  apply_text(a->a, HDR CREDS M CAND M "a=ice-ufrag:wxyz\n"));
	EXPECT_EQ(NULL, ice_agent_remote_ufrag(a->a));
	EXPECT_EQ(0, ice_agent_nremote(a->a));
	EXPECT_STRNE("", ice_sdp_strerror(-ICE_SDP_E_MISMATCH));
	EXPECT_STRNE(ice_sdp_strerror(-ICE_SDP_E_NO_CREDS),
		     ice_sdp_strerror(-ICE_SDP_E_NO_MEDIA));
	sim_free(&n);
}

TEST(apply_skips_unusable_candidates)
{
	struct ice_cfg c = cfg_of(false);
	struct simnet n;
	struct sim_ep *a;

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, ip_a, 1, 1, 1);
	EXPECT_EQ(0, apply_text(a->a, HDR CREDS "a=ice-lite\n" M CAND
			       "a=candidate:2 1 TCP 2130706431 192.0.2.1 9 typ host\n"
			       "a=candidate:3 1 UDP 2130706431 x.local 9 typ host\n"
			       "a=candidate:4 2 UDP 2130706430 192.0.2.1 5001 typ host\n"));
	/* only the UDP literal candidate of an existing component */
	EXPECT_EQ(1, ice_agent_nremote(a->a));
	EXPECT_STREQ("abcd", ice_agent_remote_ufrag(a->a));
	/* a lite peer makes us controlling */
	EXPECT_TRUE(ice_agent_controlling(a->a));
	sim_free(&n);
}

TEST(apply_detects_restart)
{
	struct ice_cfg c = cfg_of(false);
	struct simnet n;
	struct sim_ep *a;
	const char *u, *p;
	char before[ICE_UFRAG_LEN + 1];

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, ip_a, 1, 1, 1);
	EXPECT_EQ(0, apply_text(a->a, HDR CREDS M CAND));
	ice_agent_local_creds(a->a, &u, &p);
	strcpy(before, u);
	/* same credentials again: no restart */
	EXPECT_EQ(0, apply_text(a->a, HDR CREDS M CAND));
	/* new ufrag: the peer restarted ICE */
	EXPECT_EQ(1, apply_text(a->a, HDR "a=ice-ufrag:efgh\n"
				"a=ice-pwd:0123456789012345678901\n" M CAND));
	ice_agent_local_creds(a->a, &u, &p);
	EXPECT_STRNE(before, u);
	EXPECT_STREQ("efgh", ice_agent_remote_ufrag(a->a));
	sim_free(&n);
}

TEST_HARNESS_MAIN
