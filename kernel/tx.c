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
 * Consumes skb, whose data is the payload to send to the leg's remote.
 * The route comes first, so that one skb_cow_head() makes room for all
 * the headers (usually there is room and the skb is not touched).
 */
void kice_xmit(struct kice_leg *leg, struct sk_buff *skb, u8 dsfield)
{
	struct kice_leg_stats *st = &leg->flow->stats[leg->idx];
	const struct kice_leg_cfg *lc = &leg->cfg;
	struct sock *sk = lc->ks->sk;
	unsigned int len = skb->len, hlen;
	const struct kice_addr *to;
	struct in6_addr saddr6, daddr6;
	struct dst_entry *dst;
	struct rtable *rt = NULL;
	__be32 saddr4;
	bool v4;

	skb_scrub_packet(skb, false);
	skb->dev = NULL;
	skb->mark = 0;
	skb->ip_summed = CHECKSUM_NONE;

	to = lc->channel ? &lc->turn : &lc->remote;
	v4 = ipv6_addr_v4mapped(&to->ip);
	if (v4) {
		rt = kice_route4(leg, sk, to, &saddr4);
		if (IS_ERR(rt))
			goto drop;
		dst = &rt->dst;
		hlen = sizeof(struct iphdr);
	} else {
		dst = kice_route6(leg, sk, to, &saddr6);
		if (IS_ERR(dst))
			goto drop;
		hlen = sizeof(struct ipv6hdr);
	}
	hlen += LL_RESERVED_SPACE(dst->dev) + sizeof(struct udphdr);
	if (lc->channel)
		hlen += KICE_CHANNEL_HLEN;
	if (unlikely(skb_cow_head(skb, hlen))) {
		dst_release(dst);
		goto drop;
	}

	if (lc->channel) {
		u8 *h = __skb_push(skb, KICE_CHANNEL_HLEN);

		kice_put_be16(lc->channel, h);
		kice_put_be16(len, h + 2);
	}
	if (v4) {
		udp_tunnel_xmit_skb(rt, sk, skb, saddr4, to->ip.s6_addr32[3],
				    dsfield, ip4_dst_hoplimit(dst), 0,
				    inet_sk(sk)->inet_sport, to->port, false,
				    false);
	} else {
		daddr6 = to->ip;	/* not const for 6.1 */
		udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &saddr6, &daddr6,
				     dsfield, ip6_dst_hoplimit(dst), 0,
				     inet_sk(sk)->inet_sport, to->port, false);
	}

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
