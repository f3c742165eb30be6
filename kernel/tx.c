// SPDX-License-Identifier: GPL-2.0
/*
 * kice: transmit path -- send a relayed payload out of a leg's socket.
 *
 * The received skb is reused: its headers are replaced by a ChannelData
 * header when the leg goes through TURN, and by new UDP and IP headers
 * from the leg's socket to the leg's remote (or TURN server).  Routes are
 * cached per leg.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "kice.h"

static int kice_xmit4(struct kice_leg *leg, struct sock *sk,
		      struct sk_buff *skb, const struct kice_addr *to, u8 tos)
{
	__be32 daddr = to->ip.s6_addr32[3];
	struct rtable *rt;
	__be32 saddr;
	int err;

	rt = dst_cache_get_ip4(&leg->dst_cache, &saddr);
	if (!rt) {
		struct flowi4 fl4;

		memset(&fl4, 0, sizeof(fl4));
		fl4.daddr = daddr;
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
			return PTR_ERR(rt);
		saddr = fl4.saddr;
		dst_cache_set_ip4(&leg->dst_cache, &rt->dst, saddr);
	}

	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			   sizeof(struct iphdr) + sizeof(struct udphdr));
	if (err) {
		ip_rt_put(rt);
		return err;
	}
	udp_tunnel_xmit_skb(rt, sk, skb, saddr, daddr, tos,
			    ip4_dst_hoplimit(&rt->dst), 0,
			    inet_sk(sk)->inet_sport, to->port, false, false);
	return 0;
}

static int kice_xmit6(struct kice_leg *leg, struct sock *sk,
		      struct sk_buff *skb, const struct kice_addr *to, u8 tos)
{
	struct in6_addr daddr = to->ip, saddr;
	struct dst_entry *dst;
	int err;

	dst = dst_cache_get_ip6(&leg->dst_cache, &saddr);
	if (!dst) {
		struct flowi6 fl6;

		memset(&fl6, 0, sizeof(fl6));
		fl6.daddr = daddr;
		fl6.saddr = sk->sk_v6_rcv_saddr;
		fl6.flowi6_proto = IPPROTO_UDP;
		fl6.flowi6_oif = sk->sk_bound_dev_if;
		fl6.flowi6_mark = sk->sk_mark;
		fl6.fl6_sport = inet_sk(sk)->inet_sport;
		fl6.fl6_dport = to->port;
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6,
						      NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		saddr = fl6.saddr;
		dst_cache_set_ip6(&leg->dst_cache, dst, &saddr);
	}

	err = skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) +
			   sizeof(struct ipv6hdr) + sizeof(struct udphdr));
	if (err) {
		dst_release(dst);
		return err;
	}
	udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &saddr, &daddr, tos,
			     ip6_dst_hoplimit(dst), 0,
			     inet_sk(sk)->inet_sport, to->port, false);
	return 0;
}

/* Consumes skb, whose data is the payload to send to the leg's remote. */
void kice_xmit(struct kice_leg *leg, struct sk_buff *skb, u8 dsfield)
{
	struct kice_leg_stats *st = &leg->flow->stats[leg->idx];
	const struct kice_leg_cfg *lc = &leg->cfg;
	struct sock *sk = lc->ks->sk;
	const struct kice_addr *to;
	unsigned int len = skb->len;
	int err;

	skb_scrub_packet(skb, false);
	skb->dev = NULL;
	skb->mark = 0;
	skb->ip_summed = CHECKSUM_NONE;

	if (lc->channel) {
		u8 *h;

		err = skb_cow_head(skb, KICE_CHANNEL_HLEN);
		if (err)
			goto drop;
		h = __skb_push(skb, KICE_CHANNEL_HLEN);
		kice_put_be16(lc->channel, h);
		kice_put_be16(len, h + 2);
		to = &lc->turn;
	} else {
		to = &lc->remote;
	}

	if (ipv6_addr_v4mapped(&to->ip))
		err = kice_xmit4(leg, sk, skb, to, dsfield);
	else
		err = kice_xmit6(leg, sk, skb, to, dsfield);
	if (err)
		goto drop;

	spin_lock(&st->lock);
	st->tx_packets++;
	st->tx_bytes += len;
	spin_unlock(&st->lock);
	return;

drop:
	spin_lock(&st->lock);
	st->drop_tx++;
	spin_unlock(&st->lock);
	kfree_skb(skb);
}
