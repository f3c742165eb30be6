// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the kice ICE agent, run against in-process simulated
 * peers and NATs in virtual time (simnet.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ice/ice.h"
#include "ice/ice_int.h"
#include "ice/tests/simnet.h"

TEST(priority_formula)
{
	/* RFC 8445 5.1.2.1 with the recommended type preferences */
	EXPECT_EQ(2130706431u, ice_priority(ICE_CAND_HOST, 65535, 1));
	EXPECT_EQ(2130706430u, ice_priority(ICE_CAND_HOST, 65535, 2));
	EXPECT_EQ(1694498815u, ice_priority(ICE_CAND_SRFLX, 65535, 1));
	EXPECT_EQ(1862270975u, ice_priority(ICE_CAND_PRFLX, 65535, 1));
	EXPECT_EQ(16777215u, ice_priority(ICE_CAND_RELAY, 65535, 1));
	EXPECT_EQ((126u << 24) | (0x1234u << 8) | 255u,
		  ice_priority(ICE_CAND_HOST, 0x1234, 1));
	/* 6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0) */
	EXPECT_EQ((5ull << 32) + 2 * 7 + 0, ice_pair_priority(5, 7));
	EXPECT_EQ((5ull << 32) + 2 * 7 + 1, ice_pair_priority(7, 5));
	EXPECT_EQ((9ull << 32) + 18, ice_pair_priority(9, 9));
	/* the two agents compute the same pair priority */
	EXPECT_EQ(ice_pair_priority(2130706431u, 1694498815u),
		  ice_pair_priority(2130706431u, 1694498815u));
	EXPECT_LT(ice_pair_priority(100, 200), ice_pair_priority(200, 100));
}

TEST(foundations)
{
	struct ice_addr h1, h2, s1, s2;

	ice_addr_parse(&h1, "10.0.0.1", 1000);
	ice_addr_parse(&h2, "10.0.0.1", 2000);
	ice_addr_parse(&s1, "198.51.100.1", 3478);
	ice_addr_parse(&s2, "198.51.100.2", 3478);
	/* same type, base IP and server: equal whatever the port */
	EXPECT_EQ(ice_foundation(ICE_CAND_HOST, &h1, NULL),
		  ice_foundation(ICE_CAND_HOST, &h2, NULL));
	EXPECT_NE(ice_foundation(ICE_CAND_HOST, &h1, NULL),
		  ice_foundation(ICE_CAND_SRFLX, &h1, &s1));
	EXPECT_NE(ice_foundation(ICE_CAND_SRFLX, &h1, &s1),
		  ice_foundation(ICE_CAND_SRFLX, &h1, &s2));
	ice_addr_parse(&h2, "10.0.0.2", 1000);
	EXPECT_NE(ice_foundation(ICE_CAND_HOST, &h1, NULL),
		  ice_foundation(ICE_CAND_HOST, &h2, NULL));
}

TEST(addr_helpers)
{
	struct ice_addr a, b;
	struct sockaddr_storage ss;
	char buf[ICE_ADDRSTRLEN];

	ASSERT_EQ(0, ice_addr_parse(&a, "2001:db8::1", 5));
	EXPECT_STREQ("[2001:db8::1]:5", ice_addr_str(&a, buf, sizeof(buf)));
	ASSERT_GT(ice_addr_to_sa(&a, &ss), 0);
	ASSERT_EQ(0, ice_addr_from_sa(&b, (struct sockaddr *)&ss));
	EXPECT_TRUE(ice_addr_eq(&a, &b));
	EXPECT_EQ(-EINVAL, ice_addr_parse(&a, "nope", 1));
	ice_addr_parse(&a, "fe80::1", 1);
	EXPECT_TRUE(ice_addr_is_link_local(&a));
	ice_addr_parse(&a, "169.254.3.4", 1);
	EXPECT_TRUE(ice_addr_is_link_local(&a));
	ice_addr_parse(&a, "192.0.2.1", 1);
	EXPECT_FALSE(ice_addr_is_link_local(&a));
}

static struct ice_cfg fast_cfg(bool controlling)
{
	struct ice_cfg c;

	ice_cfg_default(&c);
	c.controlling = controlling;
	c.fail_timeout_ms = 10000;
	return c;
}

static const char *const lan_a[] = { "10.0.0.1" };
static const char *const lan_b[] = { "10.0.0.2" };
static const char *const pub_b[] = { "203.0.113.20" };

static void echo_check(struct __test_metadata *_metadata, struct simnet *n,
		       struct sim_ep *x, struct sim_ep *y)
{
	y->echo = true;
	ASSERT_EQ(5, ice_agent_send(x->a, 0, 1, "hello", 5));
	sim_run(n, 100, NULL, NULL);
	EXPECT_EQ(1, y->rx_data);
	EXPECT_EQ(1, x->rx_data);
	EXPECT_STREQ("hello", x->last_rx);
}

static int send_ok(void *user, int sock, const struct ice_addr *to,
		   const void *buf, size_t len)
{
	return (int)len;
}

TEST(same_lan)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	EXPECT_EQ(1, a->ev[ICE_EV_GATHERING_DONE]);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_local(a, 0, 1));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_remote(a, 0, 1));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_local(b, 0, 1));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_remote(b, 0, 1));
	EXPECT_EQ(1, a->ev[ICE_EV_CHECKING]);
	/* one round trip plus nomination: well under 100 ms of 5 ms links */
	EXPECT_LT(a->ev_at[ICE_EV_CONNECTED] - 1000, 100);
	sim_run(&n, 500, NULL, NULL);
	EXPECT_EQ(1, a->ev[ICE_EV_COMPLETED]);
	EXPECT_EQ(1, b->ev[ICE_EV_COMPLETED]);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	echo_check(_metadata, &n, a, b);
	EXPECT_LT(ice_agent_mem(a->a), 4096);
	sim_free(&n);
}

/* The seed's simple flow: Alice behind an endpoint-independent NAT. */
TEST(one_side_eim_nat)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	int r;

	sim_init(&n);
	sim_add_stun(&n, "198.51.100.1", 3478);
	r = sim_add_nat(&n, "192.0.2.1", false);
	a = sim_ep_new(&n, &ca, r, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 1);
	ASSERT_TRUE(sim_run(&n, 3000, NULL, NULL));
	EXPECT_EQ(1, a->ev[ICE_EV_GATHERING_DONE]);
	EXPECT_EQ(2, ice_agent_nlocal(a->a));	/* host + srflx */
	/* b is not behind a NAT: its srflx equals its host and is dropped */
	EXPECT_EQ(1, ice_agent_nlocal(b->a));
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_local(a, 0, 1));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_remote(a, 0, 1));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_local(b, 0, 1));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_remote(b, 0, 1));
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

TEST(both_eim_nat)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	int ra, rb;

	sim_init(&n);
	sim_add_stun(&n, "198.51.100.1", 3478);
	ra = sim_add_nat(&n, "192.0.2.1", false);
	rb = sim_add_nat(&n, "203.0.113.1", false);
	a = sim_ep_new(&n, &ca, ra, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, rb, lan_a, 1, 1, 1);	/* same private IP */
	sim_run(&n, 3000, NULL, NULL);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 10000, sim_both_connected, NULL));
	/* the peer's host address is our own one while the NATs differ:
	 * that pair failed at once instead of being checked */
	for (int k = 0; k < 2; k++) {
		struct ice_agent *x = k ? b->a : a->a;
		struct ice_pair_info pi;
		struct ice_cand_info lc, rc;
		int hosthost = 0;

		for (unsigned int i = 0; !ice_agent_pair(x, i, &pi); i++) {
			ASSERT_EQ(0, ice_agent_local(x, (unsigned int)pi.local, &lc));
			ASSERT_EQ(0, ice_agent_remote(x, (unsigned int)pi.remote, &rc));
			if (lc.type != ICE_CAND_HOST || rc.type != ICE_CAND_HOST)
				continue;
			hosthost++;
			EXPECT_EQ(ICE_PAIR_FAILED, pi.state);
		}
		EXPECT_EQ(1, hosthost);
	}
	/* the first check of each side goes to the server-reflexive pair */
	EXPECT_LE(a->ev_at[ICE_EV_CONNECTED] - a->ev_at[ICE_EV_CHECKING],
		  2 * ca.ta_ms);
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_local(a, 0, 1));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_remote(a, 0, 1));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_local(b, 0, 1));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_remote(b, 0, 1));
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

/* Without a relay two symmetric NATs cannot be traversed: fail cleanly. */
TEST(both_symmetric_nat_fails_without_relay)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	int ra, rb;

	ca.rto_ms = cb.rto_ms = 100;
	ca.max_tx = cb.max_tx = 3;
	sim_init(&n);
	sim_add_stun(&n, "198.51.100.1", 3478);
	ra = sim_add_nat(&n, "192.0.2.1", true);
	rb = sim_add_nat(&n, "203.0.113.1", true);
	a = sim_ep_new(&n, &ca, ra, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, rb, lan_b, 1, 1, 1);
	sim_run(&n, 3000, NULL, NULL);
	sim_connect(a, b);
	sim_run(&n, 15000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_CONNECTED]);
	EXPECT_EQ(1, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(1, b->ev[ICE_EV_FAILED]);
	EXPECT_EQ(-ENOTCONN, ice_agent_send(a->a, 0, 1, "x", 1));
	sim_free(&n);
}

static void role_test(struct __test_metadata *_metadata, bool ra, bool rb)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(ra), cb = fast_cfg(rb);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* exactly one side ends up controlling, and one side switched */
	EXPECT_NE(ice_agent_controlling(a->a), ice_agent_controlling(b->a));
	EXPECT_EQ(1, a->ev[ICE_EV_ROLE_CHANGED] + b->ev[ICE_EV_ROLE_CHANGED]);
	/* the switch follows the tie-breakers */
	struct ice_agent *hi = a->a->tiebreaker >= b->a->tiebreaker ? a->a : b->a;

	EXPECT_TRUE(ice_agent_controlling(hi));
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

TEST(role_conflict_both_controlling)
{
	role_test(_metadata, true, true);
}

TEST(role_conflict_both_controlled)
{
	role_test(_metadata, false, false);
}

TEST(role_conflict_487)
{
	/* the agent with the lower tie-breaker receives 487 and switches */
	struct simnet n;
	struct ice_cfg c = fast_cfg(true);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &c, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &c, 0, lan_b, 1, 1, 1);
	a->a->tiebreaker = 1;
	b->a->tiebreaker = 2;
	/* only a checks first: b still has no remote candidates */
	sim_signal(b, a);
	sim_signal(a, b);
	ice_agent_start(a->a, n.now);
	sim_kick(a);
	sim_run(&n, 20, NULL, NULL);
	EXPECT_FALSE(ice_agent_controlling(a->a));
	EXPECT_TRUE(ice_agent_controlling(b->a));
	ice_agent_start(b->a, n.now);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_free(&n);
}

TEST(lite_peer)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(false), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	cb.lite = true;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 1);
	sim_connect(a, b);
	/* a full agent facing a lite peer becomes controlling */
	EXPECT_TRUE(ice_agent_controlling(a->a));
	EXPECT_FALSE(ice_agent_controlling(b->a));
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(0, b->sent_req);	/* lite agents never check */
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_remote(a, 0, 1));
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

/* A lite agent sends no consent checks: it loses consent when the full
 * peer's checks stop coming (RFC 7675), and keeps it while they come. */
TEST(lite_consent_loss)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(false), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	uint64_t gone;

	cb.lite = true;
	ca.consent_interval_ms = cb.consent_interval_ms = 500;
	ca.consent_timeout_ms = cb.consent_timeout_ms = 3000;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_run(&n, 10000, NULL, NULL);
	EXPECT_EQ(0, b->ev[ICE_EV_DISCONNECTED]);
	EXPECT_EQ(0, b->sent_req);
	EXPECT_EQ(1, ice_agent_send(b->a, 0, 1, "x", 1));
	/* the full peer goes silent */
	a->mute = true;
	gone = n.now;
	sim_run(&n, 5000, NULL, NULL);
	EXPECT_EQ(1, b->ev[ICE_EV_DISCONNECTED]);
	/* a check already on its way when the peer went silent counts */
	EXPECT_LE(b->ev_at[ICE_EV_DISCONNECTED] - gone, 3000 + 2 * n.latency_ms);
	EXPECT_GE(b->ev_at[ICE_EV_DISCONNECTED] - gone, 2000);
	EXPECT_EQ(-ENOTCONN, ice_agent_send(b->a, 0, 1, "x", 1));
	EXPECT_EQ(0, b->sent_req);
	sim_free(&n);
}

TEST(lite_behind_nat_peer)
{
	/* full agent behind a NAT, lite server in public */
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	int r;

	cb.lite = true;
	sim_init(&n);
	r = sim_add_nat(&n, "192.0.2.1", true);
	a = sim_ep_new(&n, &ca, r, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(ICE_CAND_PRFLX, sim_sel_local(a, 0, 1));
	EXPECT_EQ(ICE_CAND_PRFLX, sim_sel_remote(b, 0, 1));
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

TEST(aggressive_nomination)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	static const char *const two[] = { "10.0.0.1", "10.0.1.1" };

	ca.aggressive = true;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, two, 2, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* first check nominates: connected after one round trip */
	EXPECT_LE(a->ev_at[ICE_EV_CONNECTED] - 1000, 2 * n.latency_ms);
	/* the higher-priority pair wins */
	struct ice_cand_info l;

	ASSERT_EQ(0, ice_agent_selected(a->a, 0, 1, &l, NULL));
	EXPECT_EQ(2, l.addr.port == 10000 ? 2 : 1);
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

TEST(regular_nomination_prefers_best)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	static const char *const two[] = { "10.0.0.1", "10.0.1.1" };
	struct ice_cand_info l;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, two, 2, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	ASSERT_EQ(0, ice_agent_selected(a->a, 0, 1, &l, NULL));
	EXPECT_EQ(10000, l.addr.port);	/* address preference 255 */
	ASSERT_EQ(0, ice_agent_selected(b->a, 0, 1, NULL, &l));
	EXPECT_EQ(10000, l.addr.port);
	sim_free(&n);
}

/*
 * With nothing better to wait for, the controlling agent nominates as soon
 * as its check is answered: the nomination goes to an address that has
 * just answered, outside Ta's pacing, so the pair is nominated two round
 * trips after the first check, not in the next Ta slot.
 */
TEST(regular_nomination_on_the_answer)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	ASSERT_EQ(50, ca.ta_ms);
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_LE(a->ev_at[ICE_EV_CONNECTED] - a->ev_at[ICE_EV_CHECKING],
		  4 * n.latency_ms + 2);
	EXPECT_LT(a->ev_at[ICE_EV_CONNECTED] - a->ev_at[ICE_EV_CHECKING],
		  (uint64_t)ca.ta_ms);
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

/*
 * Once a pair through one relay is valid, a higher-priority pair that also
 * goes through a relay and has not been tried yet is no reason to delay
 * regular nomination: it is dropped when the stream is nominated, never
 * checked.  A sits behind a NAT, so its valid pair is peer-reflexive and
 * ranks below the equal-priority pair that is still waiting.
 */
TEST(nomination_skips_untried_same_class)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	struct ice_cand_info ci;
	struct ice_pair_info pi;
	const char *u, *pw;
	int r, late = -1;

	ca.nominate_delay_ms = cb.nominate_delay_ms = 1000;
	sim_init(&n);
	r = sim_add_nat(&n, "192.0.2.1", false);
	a = sim_ep_new(&n, &ca, r, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 1);
	sim_signal(a, b);
	/* A learns B's address as a relayed candidate, then one more
	 * relayed candidate of the same priority that leads nowhere */
	ice_agent_local_creds(b->a, &u, &pw);
	ASSERT_EQ(0, ice_agent_set_remote_creds(a->a, u, pw));
	ASSERT_EQ(0, ice_agent_local(b->a, 0, &ci));
	ci.type = ICE_CAND_RELAY;
	ci.priority = ice_priority(ICE_CAND_RELAY, 65535, 1);
	ci.related = ci.addr;
	ASSERT_LE(0, ice_agent_add_remote(a->a, &ci, n.now));
	ice_addr_parse(&ci.addr, "198.51.100.77", 4000);
	snprintf(ci.foundation, sizeof(ci.foundation), "late");
	ASSERT_LE(0, ice_agent_add_remote(a->a, &ci, n.now));
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* nominated in the Ta slot after the first check's answer */
	EXPECT_LE(a->ev_at[ICE_EV_CONNECTED] - a->ev_at[ICE_EV_CHECKING],
		  2 * ca.ta_ms);
	for (unsigned int i = 0; !ice_agent_pair(a->a, i, &pi); i++) {
		struct ice_cand_info rc;

		ASSERT_EQ(0, ice_agent_remote(a->a, (unsigned int)pi.remote, &rc));
		if (rc.addr.port == 4000)
			late = (int)pi.state;
	}
	EXPECT_EQ(ICE_PAIR_FAILED, late);
	EXPECT_EQ(ICE_CAND_PRFLX, sim_sel_local(a, 0, 1));
	EXPECT_EQ(ICE_CAND_RELAY, sim_sel_remote(a, 0, 1));
	sim_free(&n);
}

TEST(rtp_rtcp_two_streams)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 2, 2);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 2, 2);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	for (unsigned int s = 0; s < 2; s++)
		for (unsigned int c = 1; c <= 2; c++) {
			struct ice_cand_info l, r;

			ASSERT_EQ(0, ice_agent_selected(a->a, s, c, &l, &r));
			EXPECT_EQ(c, l.component);
			EXPECT_EQ(s, r.stream);
		}
	/* the four pairs share one foundation: checks were unfrozen */
	EXPECT_EQ(4, ice_agent_npairs(a->a));
	sim_free(&n);
}

TEST(rtcp_mux)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	EXPECT_EQ(2, ice_agent_nlocal(a->a));
	ASSERT_EQ(0, ice_agent_rtcp_mux(a->a, 0, n.now));
	EXPECT_EQ(1, ice_agent_nlocal(a->a));
	EXPECT_EQ(1, ice_agent_ncomp(a->a, 0));
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(-EINVAL, ice_agent_send(a->a, 0, 2, "x", 1));
	sim_free(&n);
}

/*
 * The peer has one component and checks before its answer arrives: its
 * checks make peer-reflexive pairs on our side (two components still).
 * The answer drops our component 2; what the early checks made stands and
 * we nominate at once.  @we_control: our role.
 */
static void early_one_comp(struct __test_metadata *_metadata, bool we_control)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(we_control), cb = fast_cfg(!we_control);
	struct sim_ep *a, *b;
	struct ice_cand_info l, r;
	uint64_t answered;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_signal(a, b);
	ice_agent_start(b->a, n.now);
	sim_kick(b);
	sim_run(&n, 300, NULL, NULL);
	/* early checks answered: peer-reflexive pairs, no component 2 */
	ASSERT_LT(0, ice_agent_npairs(a->a));
	ASSERT_LT(0, ice_agent_nremote(a->a));
	EXPECT_EQ(0, a->ev[ICE_EV_CHECKING]);
	sim_signal(b, a);
	ASSERT_EQ(0, ice_agent_rtcp_mux(a->a, 0, n.now));
	EXPECT_EQ(1, ice_agent_ncomp(a->a, 0));
	for (unsigned int i = 0; i < ice_agent_npairs(a->a); i++) {
		struct ice_pair_info pi;

		ASSERT_EQ(0, ice_agent_pair(a->a, i, &pi));
		EXPECT_EQ(1, pi.component);
	}
	answered = n.now;
	ice_agent_start(a->a, n.now);
	sim_kick(a);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* promptly: a round trip or two and the nomination, not a timeout */
	EXPECT_LT(a->ev_at[ICE_EV_CONNECTED] - answered, 300);
	sim_run(&n, 1000, NULL, NULL);
	EXPECT_EQ(1, a->ev[ICE_EV_COMPLETED]);
	EXPECT_EQ(1, b->ev[ICE_EV_COMPLETED]);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(0, b->ev[ICE_EV_FAILED]);
	ASSERT_EQ(0, ice_agent_selected(a->a, 0, 1, &l, &r));
	EXPECT_EQ(-EINVAL, ice_agent_selected(a->a, 0, 2, &l, &r));
	echo_check(_metadata, &n, a, b);
	/* still there after the fail timeout of a two-component stream */
	sim_run(&n, 31000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(0, a->ev[ICE_EV_DISCONNECTED]);
	sim_free(&n);
}

TEST(early_checks_one_comp_peer_we_control)
{
	early_one_comp(_metadata, true);
}

TEST(early_checks_one_comp_peer_it_controls)
{
	early_one_comp(_metadata, false);
}

/* rtcp-mux decided after our own checks ran on both components */
TEST(rtcp_mux_after_checks)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 2);
	b->mute = true;		/* nothing of b's gets through yet */
	sim_connect(a, b);
	sim_run(&n, 200, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_CONNECTED]);
	ASSERT_EQ(0, ice_agent_rtcp_mux(a->a, 0, n.now));
	ASSERT_EQ(0, ice_agent_rtcp_mux(b->a, 0, n.now));
	EXPECT_EQ(0, ice_agent_rtcp_mux(a->a, 0, n.now));	/* again: no-op */
	EXPECT_EQ(-EINVAL, ice_agent_rtcp_mux(a->a, 1, n.now));
	b->mute = false;
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(-EINVAL, ice_agent_send(a->a, 0, 2, "x", 1));
	EXPECT_EQ(1, ice_agent_npairs(a->a));
	sim_free(&n);
}

TEST(ta_pacing)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	static const char *const many[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3",
					    "10.0.0.4", "10.0.0.5" };
	static const char *const dead[] = { "10.9.0.1", "10.9.0.2",
					    "10.9.0.3", "10.9.0.4" };
	struct sim_ep *a, *b;

	ca.ta_ms = 40;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, many, 5, 1, 1);
	b = sim_ep_new(&n, &cb, 0, dead, 4, 1, 1);
	b->dead = true;			/* nothing answers */
	b->mute = true;			/* nor triggers anything */
	sim_connect(a, b);
	sim_run(&n, 400, NULL, NULL);
	/* 20 pairs with distinct foundations; new checks at most every Ta
	 * (retransmissions start after the 500 ms RTO) */
	EXPECT_EQ(20, ice_agent_npairs(a->a));
	EXPECT_LE(a->sent_req, 400 / 40 + 1);
	EXPECT_GE(a->sent_req, 400 / 40 - 1);
	sim_free(&n);
}

/*
 * A controlling agent with host candidate 10.0.0.1 and @n remote host
 * candidates 10.0.0.2:100+i of priority 1000+i, foundation "1" or, with
 * @distinct, "i".  NULL on failure.
 */
static struct ice_agent *agent_with_remotes(const struct ice_cfg *c,
					    const struct ice_ops *ops,
					    uint64_t now, unsigned int n,
					    bool distinct)
{
	struct ice_agent *a = ice_agent_new(c, ops, NULL, now);
	struct ice_addr h;
	struct ice_cand_info ci;

	ice_addr_parse(&h, "10.0.0.1", 1);
	if (!a || ice_agent_add_stream(a, 1) ||
	    ice_agent_add_host(a, 0, 1, 3, &h, 1, 1) ||
	    ice_agent_set_remote_creds(a, "abcd", "0123456789012345678901"))
		goto fail;
	memset(&ci, 0, sizeof(ci));
	ci.component = 1;
	ci.type = ICE_CAND_HOST;
	strcpy(ci.foundation, "1");
	for (unsigned int i = 0; i < n; i++) {
		if (distinct)
			snprintf(ci.foundation, sizeof(ci.foundation), "%u", i);
		ice_addr_parse(&ci.addr, "10.0.0.2", (uint16_t)(100 + i));
		ci.priority = 1000 + i;
		if (ice_agent_add_remote(a, &ci, now) < 0)
			goto fail;
	}
	return a;
fail:
	ice_agent_free(a);
	return NULL;
}

static unsigned int nsent;

static int count_send(void *user, int sock, const struct ice_addr *to,
		      const void *buf, size_t len)
{
	nsent++;
	return (int)len;
}

/* With the time in microseconds, checks go out exactly Ta apart (not up
 * to a millisecond early or late); the millisecond call rounds the slot up. */
TEST(ta_pacing_microseconds)
{
	struct ice_cfg c = fast_cfg(true);
	static const struct ice_ops ops = { .send = count_send };
	struct ice_agent *a;

	c.ta_ms = 20;
	a = agent_with_remotes(&c, &ops, 1000, 4, true);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, ice_agent_start(a, 1000));
	nsent = 0;
	/* the first check at once, 0.7 ms into the millisecond */
	EXPECT_EQ(1020700, ice_agent_timer_us(a, 1000700));
	EXPECT_EQ(1, nsent);
	/* not a microsecond early, even in the slot's millisecond */
	EXPECT_EQ(1020700, ice_agent_timer_us(a, 1020000));
	EXPECT_EQ(1020700, ice_agent_timer_us(a, 1020699));
	EXPECT_EQ(1, nsent);
	EXPECT_EQ(1040700, ice_agent_timer_us(a, 1020700));
	EXPECT_EQ(2, nsent);
	/* millisecond callers: not in the slot's millisecond, at its end */
	EXPECT_EQ(1041, ice_agent_timer(a, 1040));
	EXPECT_EQ(2, nsent);
	EXPECT_EQ(1061, ice_agent_timer(a, 1041));
	EXPECT_EQ(3, nsent);
	ice_agent_free(a);
}

TEST(pair_limit)
{
	struct ice_cfg c = fast_cfg(true);
	static const struct ice_ops ops = { .send = send_ok };
	struct ice_agent *a;

	c.pair_limit = 10;
	a = agent_with_remotes(&c, &ops, 0, 20, false);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(10, ice_agent_npairs(a));
	/* the best 10 were kept */
	for (unsigned int i = 0; i < ice_agent_npairs(a); i++) {
		struct ice_pair_info p;
		struct ice_cand_info r;

		ASSERT_EQ(0, ice_agent_pair(a, i, &p));
		ASSERT_EQ(0, ice_agent_remote(a, (unsigned int)p.remote, &r));
		EXPECT_GE(r.priority, 1010);
	}
	ice_agent_free(a);
}

TEST(consent_loss)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	uint64_t gone;

	ca.consent_interval_ms = cb.consent_interval_ms = 500;
	ca.consent_timeout_ms = cb.consent_timeout_ms = 3000;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* consent is kept alive by checks */
	sim_run(&n, 10000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_DISCONNECTED]);
	EXPECT_EQ(1, ice_agent_send(a->a, 0, 1, "x", 1));
	/* the peer vanishes */
	b->dead = true;
	gone = n.now;
	sim_run(&n, 5000, NULL, NULL);
	EXPECT_EQ(1, a->ev[ICE_EV_DISCONNECTED]);
	/* a response already on its way when the peer vanished counts */
	EXPECT_LE(a->ev_at[ICE_EV_DISCONNECTED] - gone, 3000 + 2 * n.latency_ms);
	EXPECT_GE(a->ev_at[ICE_EV_DISCONNECTED] - gone, 2000);
	EXPECT_EQ(-ENOTCONN, ice_agent_send(a->a, 0, 1, "x", 1));
	sim_free(&n);
}

TEST(consent_interval_randomised)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	unsigned int before;

	ca.consent_interval_ms = 1000;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	sim_run(&n, 500, NULL, NULL);
	before = a->sent_req;
	sim_run(&n, 20000, NULL, NULL);
	/* 20 s / [0.8 s, 1.2 s] */
	EXPECT_GE(a->sent_req - before, 16);
	EXPECT_LE(a->sent_req - before, 26);
	EXPECT_EQ(0, a->ev[ICE_EV_DISCONNECTED]);
	sim_free(&n);
}

TEST(ice_restart_keeps_media)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	const char *u1, *u2, *p;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	ice_agent_local_creds(a->a, &u1, &p);
	char old[ICE_UFRAG_LEN + 1];

	strcpy(old, u1);
	ASSERT_EQ(0, ice_agent_restart(a->a, n.now));
	ASSERT_EQ(0, ice_agent_restart(b->a, n.now));
	ice_agent_local_creds(a->a, &u2, &p);
	EXPECT_STRNE(old, u2);
	/* media still flows on the old pair during the restart */
	b->echo = true;
	EXPECT_EQ(3, ice_agent_send(a->a, 0, 1, "mid", 3));
	sim_run(&n, 50, NULL, NULL);
	EXPECT_EQ(1, a->rx_data);
	a->ev[ICE_EV_CONNECTED] = b->ev[ICE_EV_CONNECTED] = 0;
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_local(a, 0, 1));
	a->rx_data = b->rx_data = 0;
	echo_check(_metadata, &n, a, b);
	sim_free(&n);
}

TEST(trickle_late_candidates)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	const char *u, *p;
	struct ice_cand_info ci;

	ca.trickle = cb.trickle = true;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	/* credentials only, no candidates yet */
	ice_agent_local_creds(a->a, &u, &p);
	ice_agent_set_remote_creds(b->a, u, p);
	ice_agent_local_creds(b->a, &u, &p);
	ice_agent_set_remote_creds(a->a, u, p);
	ice_agent_start(a->a, n.now);
	ice_agent_start(b->a, n.now);
	sim_kick(a);
	sim_kick(b);
	sim_run(&n, 2000, NULL, NULL);
	/* no candidates and no end-of-candidates: still waiting */
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	EXPECT_EQ(0, a->ev[ICE_EV_CONNECTED]);
	/* b's candidate trickles to a late */
	ASSERT_EQ(0, ice_agent_local(b->a, 0, &ci));
	ASSERT_LE(0, ice_agent_add_remote(a->a, &ci, n.now));
	ice_agent_remote_eoc(a->a, -1, n.now);
	sim_kick(a);
	ASSERT_TRUE(sim_run(&n, 5000, sim_both_connected, NULL));
	/* b learned a as peer-reflexive from its check */
	EXPECT_EQ(ICE_CAND_PRFLX, sim_sel_remote(b, 0, 1));
	/* then a's candidate arrives and replaces the prflx type */
	ASSERT_EQ(0, ice_agent_local(a->a, 0, &ci));
	ASSERT_LE(0, ice_agent_add_remote(b->a, &ci, n.now));
	EXPECT_EQ(ICE_CAND_HOST, sim_sel_remote(b, 0, 1));
	sim_free(&n);
}

TEST(trickle_eoc_fails)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	const char *u, *p;

	ca.trickle = true;
	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	ice_agent_local_creds(b->a, &u, &p);
	ice_agent_set_remote_creds(a->a, u, p);
	ice_agent_start(a->a, n.now);
	sim_kick(a);
	sim_run(&n, 1000, NULL, NULL);
	EXPECT_EQ(0, a->ev[ICE_EV_FAILED]);
	ice_agent_remote_eoc(a->a, 0, n.now);
	sim_kick(a);
	sim_run(&n, 10, NULL, NULL);
	EXPECT_EQ(1, a->ev[ICE_EV_FAILED]);
	sim_free(&n);
}

TEST(lossy_link)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	int r;

	sim_init(&n);
	n.loss_pct = 5;
	n.latency_ms = 50;
	sim_add_stun(&n, "198.51.100.1", 3478);
	r = sim_add_nat(&n, "192.0.2.1", false);
	a = sim_ep_new(&n, &ca, r, lan_a, 1, 1, 2);
	b = sim_ep_new(&n, &cb, 0, pub_b, 1, 1, 2);
	sim_run(&n, 3000, NULL, NULL);
	sim_connect(a, b);
	ASSERT_TRUE(sim_run(&n, 10000, sim_both_connected, NULL));
	EXPECT_EQ(ICE_CAND_SRFLX, sim_sel_local(a, 0, 2));
	sim_free(&n);
}

/* Requests with bad credentials or attributes change nothing. */
TEST(bad_requests)
{
	struct simnet n;
	struct ice_cfg ca = fast_cfg(true), cb = fast_cfg(false);
	struct sim_ep *a, *b;
	uint8_t buf[256], tid[STUN_TID_LEN] = { 1 };
	struct stun_builder sb;
	struct stun_key wrong;
	struct ice_addr from;
	long len;

	sim_init(&n);
	a = sim_ep_new(&n, &ca, 0, lan_a, 1, 1, 1);
	b = sim_ep_new(&n, &cb, 0, lan_b, 1, 1, 1);
	sim_signal(b, a);
	ice_addr_parse(&from, "10.0.0.99", 7);

	/* wrong password */
	stun_key_short_term(&wrong, "not-the-password-at-all", 23);
	stun_build_init(&sb, buf, sizeof(buf), stun_type(STUN_BINDING, STUN_REQUEST), tid);
	char user[64];
	const char *lu, *lp;

	ice_agent_local_creds(a->a, &lu, &lp);
	const char *bu, *bp;

	ice_agent_local_creds(b->a, &bu, &bp);
	snprintf(user, sizeof(user), "%s:%s", lu, bu);
	stun_build_string(&sb, STUN_ATTR_USERNAME, user);
	stun_build_u32(&sb, STUN_ATTR_PRIORITY, 5);
	stun_build_u64(&sb, STUN_ATTR_ICE_CONTROLLED, 1);
	stun_build_integrity(&sb, &wrong);
	stun_build_fingerprint(&sb);
	len = stun_build_finish(&sb);
	ASSERT_GT(len, 0);
	ice_agent_recv(a->a, 0, &from, buf, (size_t)len, n.now);
	EXPECT_EQ(1, ice_agent_nremote(a->a));	/* no prflx learned */
	stun_key_free(&wrong);

	/* no integrity at all */
	stun_build_init(&sb, buf, sizeof(buf), stun_type(STUN_BINDING, STUN_REQUEST), tid);
	stun_build_string(&sb, STUN_ATTR_USERNAME, user);
	len = stun_build_finish(&sb);
	ice_agent_recv(a->a, 0, &from, buf, (size_t)len, n.now);
	EXPECT_EQ(1, ice_agent_nremote(a->a));

	/* right password, no PRIORITY: 400, nothing learned */
	struct stun_key right;

	stun_key_short_term(&right, lp, strlen(lp));
	stun_build_init(&sb, buf, sizeof(buf), stun_type(STUN_BINDING, STUN_REQUEST), tid);
	stun_build_string(&sb, STUN_ATTR_USERNAME, user);
	stun_build_u64(&sb, STUN_ATTR_ICE_CONTROLLED, 1);
	stun_build_integrity(&sb, &right);
	len = stun_build_finish(&sb);
	ice_agent_recv(a->a, 0, &from, buf, (size_t)len, n.now);
	EXPECT_EQ(1, ice_agent_nremote(a->a));

	/* right password and attributes: learned as peer-reflexive */
	stun_build_init(&sb, buf, sizeof(buf), stun_type(STUN_BINDING, STUN_REQUEST), tid);
	stun_build_string(&sb, STUN_ATTR_USERNAME, user);
	stun_build_u32(&sb, STUN_ATTR_PRIORITY, 5);
	stun_build_u64(&sb, STUN_ATTR_ICE_CONTROLLED, 1);
	stun_build_integrity(&sb, &right);
	stun_build_fingerprint(&sb);
	len = stun_build_finish(&sb);
	ice_agent_recv(a->a, 0, &from, buf, (size_t)len, n.now);
	ASSERT_EQ(2, ice_agent_nremote(a->a));
	struct ice_cand_info ci;

	ice_agent_remote(a->a, 1, &ci);
	EXPECT_EQ(ICE_CAND_PRFLX, ci.type);
	EXPECT_EQ(5, ci.priority);
	stun_key_free(&right);

	/* garbage and truncated STUN are ignored */
	ice_agent_recv(a->a, 0, &from, buf, 10, n.now);
	buf[0] = 0;
	ice_agent_recv(a->a, 0, &from, buf, 20, n.now);
	EXPECT_EQ(2, ice_agent_nremote(a->a));
	(void)b;
	sim_free(&n);
}

TEST(events_names)
{
	for (int i = 0; i < ICE_EV__MAX; i++)
		EXPECT_STRNE("?", ice_event_name(i));
	EXPECT_STREQ("connected", ice_event_name(ICE_EV_CONNECTED));
	EXPECT_STREQ("?", ice_event_name(ICE_EV__MAX));
}

TEST_HARNESS_MAIN
