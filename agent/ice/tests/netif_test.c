// SPDX-License-Identifier: GPL-2.0
/*
 * Host address discovery (ice_netif_list) and the address monitor, in a
 * private network namespace (needs root; skipped otherwise).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ice/ice_loop.h"
#include "ice/ice_netif.h"
#include "ice/ice_pool.h"

static int sh(const char *cmd)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	return system(buf);
}

static bool has(const struct ice_netif_addr *a, int n, const char *ip)
{
	struct ice_addr x;

	ice_addr_parse(&x, ip, 0);
	for (int i = 0; i < n; i++)
		if (ice_addr_ip_eq(&a[i].addr, &x))
			return true;
	return false;
}

FIXTURE(ns) {
	struct ice_cfg cfg;
};

FIXTURE_SETUP(ns)
{
	if (geteuid() || unshare(CLONE_NEWNET))
		SKIP(return, "needs root for a network namespace");
	ice_cfg_default(&self->cfg);
	/* a veth pair stands in for real interfaces */
	ASSERT_EQ(0, sh("ip link add k0 type veth peer name k1"));
	ASSERT_EQ(0, sh("ip link set lo up"));
	ASSERT_EQ(0, sh("ip link set k0 up"));
	ASSERT_EQ(0, sh("ip link set k1 up"));
}

FIXTURE_TEARDOWN(ns)
{
}

TEST_F(ns, filters)
{
	struct ice_netif_addr a[32];
	int n;

	ASSERT_EQ(0, sh("ip addr add 192.0.2.10/24 dev k0"));
	ASSERT_EQ(0, sh("ip addr add 169.254.1.1/16 dev k0"));
	ASSERT_EQ(0, sh("ip -6 addr add 2001:db8::10/64 dev k0 nodad"));
	ASSERT_EQ(0, sh("ip -6 addr add 2001:db8::11/64 dev k0 nodad preferred_lft 0"));
	/* on a down interface */
	ASSERT_EQ(0, sh("ip link add k2 type veth peer name k3"));
	ASSERT_EQ(0, sh("ip addr add 198.51.100.10/24 dev k2"));

	n = ice_netif_list(&self->cfg, a, 32);
	ASSERT_GE(n, 2);
	EXPECT_TRUE(has(a, n, "192.0.2.10"));
	EXPECT_TRUE(has(a, n, "2001:db8::10"));
	EXPECT_FALSE(has(a, n, "169.254.1.1"));		/* link-local */
	EXPECT_FALSE(has(a, n, "2001:db8::11"));	/* deprecated */
	EXPECT_FALSE(has(a, n, "198.51.100.10"));	/* interface down */
	EXPECT_FALSE(has(a, n, "127.0.0.1"));		/* loopback */
	for (int i = 0; i < n; i++) {
		EXPECT_FALSE(ice_addr_is_link_local(&a[i].addr));	/* fe80:: too */
		EXPECT_STREQ("k0", a[i].ifname);
	}
	/* IPv6 preferred over IPv4 */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (a[i].addr.family == AF_INET6 && a[j].addr.family == AF_INET)
				EXPECT_GT(a[i].addr_pref, a[j].addr_pref);

	self->cfg.link_local = self->cfg.deprecated = self->cfg.loopback = true;
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_TRUE(has(a, n, "169.254.1.1"));
	EXPECT_TRUE(has(a, n, "2001:db8::11"));
	EXPECT_TRUE(has(a, n, "127.0.0.1"));

	self->cfg.ipv6 = false;
	self->cfg.only_iface = "lo";
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_TRUE(has(a, n, "127.0.0.1"));
	EXPECT_FALSE(has(a, n, "192.0.2.10"));
	EXPECT_FALSE(has(a, n, "::1"));
}

TEST_F(ns, tentative)
{
	struct ice_netif_addr a[32];
	int n;

	/* DAD in progress (the peer answers nothing, so it stays a while) */
	sh("sysctl -qw net.ipv6.conf.k0.accept_dad=1");
	sh("sysctl -qw net.ipv6.conf.k0.dad_transmits=50");
	ASSERT_EQ(0, sh("ip -6 addr add 2001:db8::20/64 dev k0"));
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_FALSE(has(a, n, "2001:db8::20"));
	self->cfg.tentative = true;
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_TRUE(has(a, n, "2001:db8::20"));
}

TEST_F(ns, iface_preference)
{
	struct ice_netif_addr a[32];
	int n;

	ASSERT_EQ(0, sh("ip addr add 192.0.2.10/24 dev k0"));
	ASSERT_EQ(0, sh("ip addr add 203.0.113.10/24 dev k1"));
	snprintf(self->cfg.iface_pref[0].ifname, 16, "k1");
	self->cfg.iface_pref[0].pref = 250;
	self->cfg.niface_pref = 1;
	self->cfg.default_iface_pref = 7;
	n = ice_netif_list(&self->cfg, a, 32);
	ASSERT_EQ(2, n);
	for (int i = 0; i < n; i++)
		EXPECT_EQ(strcmp(a[i].ifname, "k1") ? 7 : 250, a[i].iface_pref);
}

static int changes;

static void on_change(void *arg)
{
	changes++;
}

TEST_F(ns, monitor_follows_changes)
{
	struct ice_loop *loop = ice_loop_new();
	struct ice_netmon *m;
	struct ice_netif_addr a[32];
	int n;

	ASSERT_NE(NULL, loop);
	m = ice_netmon_new(loop, on_change, NULL);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, sh("ip addr add 192.0.2.30/24 dev k0"));
	for (int i = 0; i < 20 && !changes; i++)
		ice_loop_run_once(loop, 50);
	EXPECT_GT(changes, 0);
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_TRUE(has(a, n, "192.0.2.30"));

	changes = 0;
	ASSERT_EQ(0, sh("ip addr del 192.0.2.30/24 dev k0"));
	for (int i = 0; i < 20 && !changes; i++)
		ice_loop_run_once(loop, 50);
	EXPECT_GT(changes, 0);
	n = ice_netif_list(&self->cfg, a, 32);
	EXPECT_FALSE(has(a, n, "192.0.2.30"));
	ice_netmon_free(m);
	ice_loop_free(loop);
}

static int pool_connected;

static void pool_event(struct ice_session *s, enum ice_event ev, int stream,
		       void *user)
{
	if (ev == ICE_EV_CONNECTED)
		pool_connected++;
}

static const struct ice_session_ops pool_ops = { .event = pool_event };

TEST_F(ns, pool_offers_without_waiting)
{
	struct ice_loop *loop = ice_loop_new();
	struct ice_session *x, *y;
	struct ice_pool *p;
	struct ice_cand_info ci;
	const char *u, *pw;

	ASSERT_EQ(0, sh("ip addr add 192.0.2.10/24 dev k0"));
	self->cfg.ipv6 = false;
	p = ice_pool_new(loop, &self->cfg, 1, 1, 2);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(2, ice_pool_idle(p));
	for (int i = 0; i < 20 && ice_pool_ready(p) < 2; i++)
		ice_loop_run_once(loop, 10);
	EXPECT_EQ(2, ice_pool_ready(p));

	/* taken sessions are gathered already: the offer is immediate */
	x = ice_pool_take(p, true, &pool_ops, NULL);
	ASSERT_NE(NULL, x);
	EXPECT_TRUE(ice_agent_gathering_done(ice_session_agent(x)));
	EXPECT_TRUE(ice_agent_controlling(ice_session_agent(x)));
	EXPECT_EQ(2, ice_pool_idle(p));		/* refilled */

	/* nothing changed: the gathered sessions stay */
	EXPECT_EQ(0, ice_pool_refresh(p));
	EXPECT_EQ(2, ice_pool_ready(p));
	/* an address the pool does not use (IPv6 is off) changes nothing */
	ASSERT_EQ(0, sh("ip addr add 2001:db8::40/64 dev k0 nodad"));
	EXPECT_EQ(0, ice_pool_refresh(p));
	EXPECT_EQ(2, ice_pool_ready(p));

	/* a new address reaches the idle sessions */
	ASSERT_EQ(0, sh("ip addr add 192.0.2.40/24 dev k0"));
	EXPECT_EQ(2, ice_pool_refresh(p));
	for (int i = 0; i < 5; i++)
		ice_loop_run_once(loop, 50);
	EXPECT_EQ(0, ice_pool_refresh(p));
	y = ice_pool_take(p, false, &pool_ops, NULL);
	ASSERT_NE(NULL, y);
	EXPECT_EQ(2, ice_agent_nlocal(ice_session_agent(y)));
	EXPECT_EQ(1, ice_agent_nlocal(ice_session_agent(x)));
	EXPECT_FALSE(ice_agent_controlling(ice_session_agent(y)));

	/* and they connect */
	for (int k = 0; k < 2; k++) {
		struct ice_agent *a = ice_session_agent(k ? y : x);
		struct ice_agent *b = ice_session_agent(k ? x : y);

		ice_agent_local_creds(b, &u, &pw);
		ice_agent_set_remote_creds(a, u, pw);
		for (unsigned int i = 0; !ice_agent_local(b, i, &ci); i++)
			ice_agent_add_remote(a, &ci, ice_now_ms());
	}
	ice_agent_start(ice_session_agent(x), ice_now_ms());
	ice_agent_start(ice_session_agent(y), ice_now_ms());
	ice_session_kick(x);
	ice_session_kick(y);
	for (int i = 0; i < 100 && pool_connected < 2; i++)
		ice_loop_run_once(loop, 20);
	EXPECT_EQ(2, pool_connected);
	ice_session_free(x);
	ice_session_free(y);
	ice_pool_free(p);
	ice_loop_free(loop);
}

TEST_HARNESS_MAIN
