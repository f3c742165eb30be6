// SPDX-License-Identifier: GPL-2.0
/*
 * kice: transmit path -- send a relayed payload out of a leg's socket.
 *
 * The received skb is reused: its headers are replaced by a ChannelData
 * header when the leg goes through TURN, and by new UDP and IP headers
 * from the leg's socket to the leg's remote (or TURN server).  Routes are
 * cached per leg.  Sending is split in two, so that the receive path
 * counts the outcome with its own statistics, under one lock: everything
 * that can fail first (kice_xmit_prepare()), the headers and the hand-off
 * to the IP layer after (kice_xmit_send()).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "kice.h"

/* Route to @to from the leg's socket, from the leg's cache when valid. */
static struct rtable *kice_route4(struct kice_leg *leg, struct sock *sk,
				  const struct kice_addr *to, __be32 *saddr)
{
	struct flowi4 fl4;
	struct rtable *rt;

	rt = dst_cache_get_ip4(&leg->dst_cache, saddr);
	if (likely(rt))
		return rt;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = to->ip.s6_addr32[3];
	if (sk->sk_family == AF_INET)
		fl4.saddr = inet_sk(sk)->inet_saddr;
	else if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))
		fl4.saddr = sk->sk_v6_rcv_saddr.s6_addr32[3];
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.flowi4_oif = sk->sk_bound_dev_if;
	fl4.flowi4_mark = sk->sk_mark;
	fl4.fl4_sport = inet_sk(sk)->inet_sport;
	fl4.fl4_dport = to->port;
	rt = ip_route_output_key(sock_net(sk), &fl4);
	if (IS_ERR(rt))
		return rt;
	*saddr = fl4.saddr;
	dst_cache_set_ip4(&leg->dst_cache, &rt->dst, *saddr);
	return rt;
}

static struct dst_entry *kice_route6(struct kice_leg *leg, struct sock *sk,
				     const struct kice_addr *to,
				     struct in6_addr *saddr)
{
	struct dst_entry *dst;
	struct flowi6 fl6;

	dst = dst_cache_get_ip6(&leg->dst_cache, saddr);
	if (likely(dst))
		return dst;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = to->ip;
	fl6.saddr = sk->sk_v6_rcv_saddr;
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.flowi6_oif = sk->sk_bound_dev_if;
	fl6.flowi6_mark = sk->sk_mark;
	fl6.fl6_sport = inet_sk(sk)->inet_sport;
	fl6.fl6_dport = to->port;
	dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	*saddr = fl6.saddr;
	dst_cache_set_ip6(&leg->dst_cache, dst, saddr);
	return dst;
}

/*
 * Routes skb, whose data is the payload to send to the leg's remote, and
 * makes room for the headers: the route comes first, so that one
 * skb_cow_head() covers link, IP, UDP and ChannelData headers (usually
 * there is room and the skb is not touched).  On error the caller drops
 * the skb.
 */
int kice_xmit_prepare(struct kice_leg *leg, struct sk_buff *skb,
		      struct kice_xmit *x)
{
	struct sock *sk = leg->sk;
	unsigned int hlen;

	/*
	 * For IPv4 iptunnel_xmit() scrubs the skb (dropping the received
	 * route and conntrack) before it sets the new route; IPv6's
	 * ip6tunnel_xmit() does not, so that is done here.
	 */
	skb->dev = NULL;
	skb->mark = 0;
	skb->ip_summed = CHECKSUM_NONE;

	x->v4 = ipv6_addr_v4mapped(&leg->to.ip);
	if (x->v4) {
		x->rt = kice_route4(leg, sk, &leg->to, &x->saddr4);
		if (IS_ERR(x->rt))
			return PTR_ERR(x->rt);
		x->dst = &x->rt->dst;
		hlen = sizeof(struct iphdr);
	} else {
		skb_scrub_packet(skb, false);
		x->dst = kice_route6(leg, sk, &leg->to, &x->saddr6);
		if (IS_ERR(x->dst))
			return PTR_ERR(x->dst);
		hlen = sizeof(struct ipv6hdr);
	}
	hlen += LL_RESERVED_SPACE(x->dst->dev) + sizeof(struct udphdr);
	if (leg->channel)
		hlen += KICE_CHANNEL_HLEN;
	if (unlikely(skb_cow_head(skb, hlen))) {
		dst_release(x->dst);
		return -ENOMEM;
	}
	return 0;
}

/* Consumes skb, prepared by kice_xmit_prepare(). */
void kice_xmit_send(struct kice_leg *leg, struct sk_buff *skb,
		    struct kice_xmit *x, u8 dsfield)
{
	const struct kice_addr *to = &leg->to;
	struct sock *sk = leg->sk;
	struct in6_addr daddr6;

	if (leg->channel) {
		u8 *h = __skb_push(skb, KICE_CHANNEL_HLEN);

		kice_put_be16(leg->channel, h);
		kice_put_be16(skb->len - KICE_CHANNEL_HLEN, h + 2);
	}
	if (x->v4) {
		udp_tunnel_xmit_skb(x->rt, sk, skb, x->saddr4,
				    to->ip.s6_addr32[3], dsfield,
				    ip4_dst_hoplimit(x->dst), 0,
				    inet_sk(sk)->inet_sport, to->port, false,
				    false);
	} else {
		daddr6 = to->ip;	/* not const for 6.1 */
		udp_tunnel6_xmit_skb(x->dst, sk, skb, NULL, &x->saddr6, &daddr6,
				     dsfield, ip6_dst_hoplimit(x->dst), 0,
				     inet_sk(sk)->inet_sport, to->port, false);
	}
}
