// SPDX-License-Identifier: GPL-2.0
/*
 * kice: receive path -- demultiplexing by first byte (RFC 7983).
 *
 *   0-3     STUN: always continues to the socket.
 *   20-63   DTLS: relayed or continues to the socket, per flow.
 *   64-79   TURN ChannelData: only from a leg's TURN server with the
 *           leg's channel; decapsulated and handled as that leg's packet.
 *   128-191 RTP/RTCP: relayed to the other leg; RTCP (RFC 5761: second
 *           byte 192-223) from leg a to b's RTCP leg where the flow has one.
 *   other   continues to the socket or is dropped, per socket policy.
 *
 * A packet is a leg's packet only when socket, source address, source port
 * and channel all match the leg; anything else is never relayed.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>

#include "kice.h"

static const struct rhashtable_params kice_leg_params = KICE_LEG_PARAMS;

#define KICE_RTP_HLEN	12
#define KICE_RTCP_HLEN	8

enum kice_kind {
	KICE_STUN,
	KICE_DTLS,
	KICE_CHANNEL,
	KICE_MEDIA,
	KICE_OTHER,
};

static enum kice_kind kice_classify(u8 b)
{
	if (b <= 3)
		return KICE_STUN;
	if (b >= 20 && b <= 63)
		return KICE_DTLS;
	if (b >= 64 && b <= 79)
		return KICE_CHANNEL;
	if (b >= 128 && b <= 191)
		return KICE_MEDIA;
	return KICE_OTHER;
}

static u32 kice_clock_rate(const struct kice_flow_cfg *cfg, u8 pt)
{
	unsigned int i;

	for (i = 0; i < cfg->nclocks; i++)
		if (cfg->clocks[i].pt == pt)
			return cfg->clocks[i].rate;
	return 0;
}

/* Packet from a source that is no leg of this socket. */
static int kice_rcv_unknown(struct kice_sock *ks, struct sk_buff *skb,
			    const struct kice_key *key, enum kice_kind kind)
{
	if (kind == KICE_STUN) {
		atomic64_inc(&ks->stun_passed);
		return 1;
	}
	if ((kind == KICE_MEDIA || kind == KICE_CHANNEL) &&
	    READ_ONCE(ks->nlegs)) {
		unsigned long next = READ_ONCE(ks->mismatch_next);

		if (time_after_eq(jiffies, next) &&
		    cmpxchg(&ks->mismatch_next, next, jiffies + HZ) == next) {
			struct kice_addr src = { .ip = key->ip,
						 .port = key->port };

			kice_notify_mismatch(ks, &src);
		}
	}
	if (ks->unknown_policy == KICE_UNKNOWN_POLICY_DROP) {
		atomic64_inc(&ks->unknown_dropped);
		kfree_skb(skb);
		return 0;
	}
	atomic64_inc(&ks->unknown_passed);
	return 1;
}

/* Count a packet that is not relayed in one of the flow's counters. */
static void kice_rcv_count(struct kice_flow *flow, u64 *counter)
{
	spin_lock(&flow->stats_lock);
	(*counter)++;
	spin_unlock(&flow->stats_lock);
}

static int kice_rcv_drop(struct kice_flow *flow, struct sk_buff *skb,
			 u64 *counter)
{
	kice_rcv_count(flow, counter);
	kfree_skb(skb);
	return 0;
}

/*
 * encap_rcv handler: called in softirq under RCU with skb->data at the UDP
 * header and the checksum verified.  Returns 0 when the packet was
 * consumed, > 0 to let it continue to the socket.
 */
int kice_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	unsigned int off = sizeof(struct udphdr), len;
	struct kice_leg_stats *st, *est;
	struct kice_leg *leg, *egress;
	bool added = false, rtcp = false;
	struct kice_ssrc *ssrc = NULL;
	u32 old = 0, ssrc_id = 0, ts = 0;
	struct kice_flow *flow;
	struct kice_xmit x;
	struct kice_sock *ks;
	struct kice_key key;
	enum kice_kind kind;
	u16 seq = 0;
	u8 dsfield, b, pt = 0;
	u32 fast;
	int err;

	ks = rcu_dereference_sk_user_data(sk);
	if (unlikely(!ks))
		return 1;
	if (!pskb_may_pull(skb, off + 1))
		return 1;

	memset(&key, 0, sizeof(key));
	if (skb->protocol == htons(ETH_P_IP)) {
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &key.ip);
		dsfield = ipv4_get_dsfield(ip_hdr(skb));
	} else {
		key.ip = ipv6_hdr(skb)->saddr;
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
	}
	key.port = udp_hdr(skb)->source;
	key.ks = ks;
	len = skb->len - off;
	b = skb->data[off];
	kind = kice_classify(b);

	if (kind == KICE_CHANNEL) {
		if (!pskb_may_pull(skb, off + KICE_CHANNEL_HLEN))
			return kice_rcv_unknown(ks, skb, &key, kind);
		key.channel = kice_get_be16(skb->data + off);
	}
	leg = rhashtable_lookup(&kice_legs, &key, kice_leg_params);
	if (!leg)
		return kice_rcv_unknown(ks, skb, &key, kind);
	flow = leg->flow;
	st = &flow->stats[leg->idx];

	if (kind == KICE_CHANNEL) {
		len = kice_get_be16(skb->data + off + 2);
		off += KICE_CHANNEL_HLEN;
		if (!len || len > skb->len - off || !pskb_may_pull(skb, off + 1))
			return kice_rcv_drop(flow, skb, &st->drop_malformed);
		b = skb->data[off];
		kind = kice_classify(b);
	}

	fast = READ_ONCE(flow->fast);
	switch (kind) {
	case KICE_STUN:
		kice_rcv_count(flow, &st->stun_passed);
		return 1;
	case KICE_DTLS:
		if (!(fast & KICE_FAST_DTLS_RELAY)) {
			kice_rcv_count(flow, &st->dtls_packets);
			return 1;
		}
		break;
	case KICE_MEDIA:
		if (len < KICE_RTCP_HLEN || !pskb_may_pull(skb, off + KICE_RTCP_HLEN))
			return kice_rcv_drop(flow, skb, &st->drop_malformed);
		/* RFC 5761: RTCP packet types 192-223 in the second byte */
		rtcp = skb->data[off + 1] >= 192 && skb->data[off + 1] <= 223;
		if (!rtcp) {
			const u8 *h;

			if (len < KICE_RTP_HLEN ||
			    !pskb_may_pull(skb, off + KICE_RTP_HLEN))
				return kice_rcv_drop(flow, skb,
						     &st->drop_malformed);
			h = skb->data + off;
			seq = kice_get_be16(h + 2);
			ts = kice_get_be32(h + 4);
			ssrc_id = kice_get_be32(h + 8);
			pt = h[1] & 0x7f;
		}
		break;
	default:
		if (ks->unknown_policy == KICE_UNKNOWN_POLICY_DROP)
			return kice_rcv_drop(flow, skb, &st->drop_unknown);
		atomic64_inc(&ks->unknown_passed);
		return 1;
	}

	/* route and headroom first: the outcome is counted with the rest */
	if (leg->idx == KICE_LEG_A) {
		egress = rtcp ? rcu_dereference(flow->leg[KICE_LEG_B_RTCP]) :
				NULL;
		if (!egress)
			egress = rcu_dereference(flow->leg[KICE_LEG_B]);
	} else {
		/* leg b, or b's RTCP leg: both go to side a's one port */
		egress = rcu_dereference(flow->leg[KICE_LEG_A]);
	}
	est = &flow->stats[egress->idx];
	err = pskb_trim(skb, off + len);
	if (likely(!err)) {
		__skb_pull(skb, off);
		err = kice_xmit_prepare(egress, skb, &x);
	}

	spin_lock(&flow->stats_lock);
	st->rx_packets++;
	st->rx_bytes += len;
	WRITE_ONCE(st->last_rx, jiffies);
	WRITE_ONCE(st->rx_seen, true);
	if (kind == KICE_DTLS) {
		st->dtls_packets++;
	} else if (rtcp) {
		st->rtcp_packets++;
		st->rtcp_bytes += len;
	} else {
		u32 rate = 0;

		if (unlikely(fast & KICE_FAST_CLOCKS))
			rate = kice_clock_rate(rcu_dereference(flow->cfg), pt);
		ssrc = kice_ssrc_find(st, ssrc_id, &added, &old);
		if (ssrc)
			kice_rtp_update(ssrc, seq, ts, pt, rate);
	}
	if (likely(!err)) {
		est->tx_packets++;
		est->tx_bytes += len;
	} else {
		est->drop_tx++;
	}
	spin_unlock(&flow->stats_lock);

	if (unlikely(added))
		kice_notify_ssrc(flow, leg->idx, ssrc_id, old);
	if (unlikely(READ_ONCE(flow->idle_sent)))
		kice_flow_rx_seen(flow);

	if (unlikely(err)) {
		kfree_skb(skb);
		return 0;
	}
	if (fast & KICE_FAST_FIXED_DSCP)
		dsfield = (fast & KICE_FAST_DSCP) << 2;
	else
		dsfield &= ~INET_ECN_MASK;
	kice_xmit_send(egress, skb, &x, dsfield);
	return 0;
}
