/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice: in-kernel media relay for ICE -- internal definitions.
 */
#ifndef _KICE_H
#define _KICE_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <uapi/linux/kice.h>

#define KICE_MAX_SSRC		8	/* SSRCs tracked per leg */
#define KICE_MAX_CLOCKS		16	/* payload type clock rates per flow */
#define KICE_CHANNEL_HLEN	4	/* TURN ChannelData header */

/* Legs of a flow: a, b and (optional) b's RTCP leg (leg-b-rtcp). */
#define KICE_LEG_A		0
#define KICE_LEG_B		1
#define KICE_LEG_B_RTCP		2
#define KICE_NLEGS		3

/* Per network namespace state. */
struct kice_net {
	struct net *net;
	struct mutex lock;		/* serialises all configuration */
	struct xarray socks;		/* id -> struct kice_sock */
	struct xarray flows;		/* id -> struct kice_flow */
	u32 next_sock;
	u32 next_flow;
};

/* A UDP socket handed over by the agent. */
struct kice_sock {
	struct sock *sk;
	struct kice_net *kn;
	u32 id;
	u32 unknown_policy;		/* enum kice_unknown_policy */
	unsigned int nlegs;		/* legs using the socket (kn->lock) */
	unsigned long mismatch_next;	/* jiffies of next allowed event */
	atomic64_t stun_passed;
	atomic64_t unknown_passed;
	atomic64_t unknown_dropped;
	struct rcu_head rcu;
};

/* Transport address; IPv4 is kept as an IPv4-mapped IPv6 address. */
struct kice_addr {
	struct in6_addr ip;
	__be16 port;
};

/* Receive lookup key: where a leg's packets come from. */
struct kice_key {
	struct in6_addr ip;
	const struct kice_sock *ks;
	__be16 port;
	u16 channel;			/* 0: not through TURN */
	u32 zero;			/* keeps the key free of padding */
};

static_assert(sizeof(struct kice_key) == 4 * sizeof(u64));

/* One side of a flow as given by the agent. */
struct kice_leg_cfg {
	struct kice_sock *ks;
	struct kice_addr remote;
	struct kice_addr turn;
	u16 channel;			/* 0: no TURN */
};

/*
 * A leg as seen by the data path.  Replaced as a whole by flow-set, so
 * that readers always see a consistent remote, TURN server and channel.
 * The first cache line is what a packet received on the leg reads, the
 * second what a packet sent out of it reads (kmalloc-192 objects are
 * cache line aligned).
 */
struct kice_leg {
	struct rhash_head node;
	struct kice_key key;
	struct kice_flow *flow;
	unsigned int idx;		/* KICE_LEG_* */
	/* transmit */
	struct sock *sk ____cacheline_aligned;	/* cfg.ks->sk */
	struct dst_cache dst_cache;
	struct kice_addr to;		/* cfg.turn with a channel, else cfg.remote */
	u16 channel;			/* cfg.channel */
	struct kice_leg_cfg cfg;
	struct rcu_head rcu;
};

/* RTP state of one SSRC received on a leg; hot fields first. */
struct kice_ssrc {
	u32 ssrc;
	u8 pt;
	bool jitter_valid;
	u16 max_seq;
	u64 window;			/* bit n: max_seq - n was received */
	u64 packets;
	u64 received;
	u32 cycles;
	u32 base_seq;
	u32 bad_seq;
	u32 transit;
	u32 jitter;			/* RFC 3550 A.8, scaled by 16 */
	u64 dups;
	u64 reordered;
};

/*
 * Statistics of the packets a leg receives and sends, under the flow's
 * stats_lock.  What every relayed packet updates comes first; the first
 * SSRC's state is kept inline, the others (rare) in one array allocated
 * when the second SSRC appears.
 */
struct kice_leg_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	unsigned long last_rx;		/* jiffies */
	bool rx_seen;
	unsigned int nssrc;
	struct kice_ssrc first;
	struct kice_ssrc *more;		/* KICE_MAX_SSRC - 1 entries */
	u64 rtcp_packets;
	u64 rtcp_bytes;
	u64 dtls_packets;
	u64 stun_passed;
	u64 drop_malformed;
	u64 drop_unknown;
	u64 drop_tx;
};

/* SSRC number @i (< nssrc) of a leg. */
static inline struct kice_ssrc *kice_ssrc_at(struct kice_leg_stats *st,
					     unsigned int i)
{
	return i ? &st->more[i - 1] : &st->first;
}

struct kice_clock {
	u8 pt;
	u32 rate;
};

/* Flow settings, replaced as a whole by flow-set. */
struct kice_flow_cfg {
	bool dtls_relay;
	int dscp;			/* -1: keep the received DSCP */
	u32 idle_ms;
	unsigned int nclocks;
	struct kice_clock clocks[KICE_MAX_CLOCKS];
	struct rcu_head rcu;
};

/*
 * The settings a packet needs, copied from struct kice_flow_cfg into one
 * word of the flow, so that they are read with the flow and consistently.
 */
#define KICE_FAST_DSCP		GENMASK(5, 0)	/* with KICE_FAST_FIXED_DSCP */
#define KICE_FAST_FIXED_DSCP	BIT(6)
#define KICE_FAST_DTLS_RELAY	BIT(7)
#define KICE_FAST_CLOCKS	BIT(8)		/* clock rates: read cfg */

/*
 * Per packet the receive path reads the first cache line and updates the
 * receiving leg's receive and the sending leg's transmit statistics under
 * one lock.
 */
struct kice_flow {
	/* leg[KICE_LEG_B_RTCP] NULL unless side a muxes RTCP, b does not */
	struct kice_leg __rcu *leg[KICE_NLEGS];
	struct kice_flow_cfg __rcu *cfg;
	u32 fast;			/* KICE_FAST_*, of cfg */
	bool idle_sent;			/* lock; read for every packet */
	spinlock_t stats_lock;		/* stats[] */
	struct kice_leg_stats stats[KICE_NLEGS];
	u32 id;
	bool dead;			/* lock */
	struct kice_net *kn;
	spinlock_t lock;		/* idle timer state */
	unsigned long created;		/* jiffies */
	struct timer_list idle_timer;
	struct rcu_head rcu;
};

/* main.c */
struct kice_net *kice_net(const struct net *net);
extern struct rhashtable kice_legs;

/* sock.c */
struct kice_sock *kice_sock_attach(struct kice_net *kn, int fd, u32 policy,
				   struct netlink_ext_ack *extack);
void kice_sock_detach(struct kice_sock *ks);
void kice_net_flush(struct kice_net *kn);

/* flow.c */
struct kice_flow *kice_flow_create(struct kice_net *kn,
				   const struct kice_leg_cfg *lc[KICE_NLEGS],
				   struct kice_flow_cfg *cfg,
				   struct netlink_ext_ack *extack);
int kice_flow_change(struct kice_flow *flow,
		     const struct kice_leg_cfg *lc[KICE_NLEGS],
		     struct kice_flow_cfg *cfg,
		     struct netlink_ext_ack *extack);
void kice_flow_delete(struct kice_flow *flow);
void kice_flow_stats_reset(struct kice_flow *flow);
void kice_flow_rx_seen(struct kice_flow *flow);
u32 kice_flow_fast(const struct kice_flow_cfg *cfg);

/* rx.c */
int kice_encap_rcv(struct sock *sk, struct sk_buff *skb);

/* tx.c */
struct kice_xmit {
	struct dst_entry *dst;
	struct rtable *rt;		/* IPv4: the route of dst */
	union {
		__be32 saddr4;
		struct in6_addr saddr6;
	};
	bool v4;
};

int kice_xmit_prepare(struct kice_leg *leg, struct sk_buff *skb,
		      struct kice_xmit *x);
void kice_xmit_send(struct kice_leg *leg, struct sk_buff *skb,
		    struct kice_xmit *x, u8 dsfield);

/* rtp.c */
struct kice_ssrc *kice_ssrc_find(struct kice_leg_stats *st, u32 ssrc,
				 bool *changed, u32 *old);
void kice_ssrc_clear(struct kice_leg_stats *st);
void kice_rtp_update(struct kice_ssrc *s, u16 seq, u32 ts, u8 pt, u32 rate);
u64 kice_rtp_expected(const struct kice_ssrc *s);
u64 kice_rtp_lost(const struct kice_ssrc *s);

/* netlink.c */
int kice_genl_register(void);
void kice_genl_unregister(void);
void kice_notify_flow(struct kice_flow *flow, u8 cmd);
void kice_notify_idle(struct kice_flow *flow, u32 idle_ms);
void kice_notify_mismatch(struct kice_sock *ks, const struct kice_addr *src);
void kice_notify_ssrc(struct kice_flow *flow, unsigned int idx, u32 ssrc,
		      u32 old);

static inline bool kice_addr_is_v4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

/* Big-endian fields at any alignment in packet data. */
static inline u16 kice_get_be16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static inline u32 kice_get_be32(const u8 *p)
{
	return (u32)kice_get_be16(p) << 16 | kice_get_be16(p + 2);
}

static inline void kice_put_be16(u16 v, u8 *p)
{
	p[0] = v >> 8;
	p[1] = v;
}

/*
 * kice_legs lookups run for every received packet.  The table parameters
 * are a compile-time constant in every file (KICE_LEG_PARAMS), so that
 * rhashtable's inline lookup is specialised: a fixed-length jhash2 and a
 * comparison of four words instead of calls through the runtime key
 * length to jhash() and memcmp().
 */
static inline u32 kice_key_hash(const void *data, u32 len, u32 seed)
{
	return jhash2(data, sizeof(struct kice_key) / sizeof(u32), seed);
}

static inline int kice_key_cmp(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const u64 *a = (const u64 *)&((const struct kice_leg *)obj)->key;
	const u64 *b = arg->key;

	return !!((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		  (a[3] ^ b[3]));
}

#define KICE_LEG_PARAMS {						\
	.key_len		= sizeof(struct kice_key),		\
	.key_offset		= offsetof(struct kice_leg, key),	\
	.head_offset		= offsetof(struct kice_leg, node),	\
	.hashfn			= kice_key_hash,			\
	.obj_cmpfn		= kice_key_cmp,				\
	.automatic_shrinking	= true,					\
}

#endif /* _KICE_H */
