// SPDX-License-Identifier: GPL-2.0
/*
 * kice: the "kice" generic netlink family.
 *
 * Policies and the ops table are generated from
 * Documentation/netlink/specs/kice.yaml into netlink-gen.[ch]
 * (kernel/ynl-gen.sh).  The spec uses per-op policies (struct genl_ops),
 * which every supported kernel accepts; split ops only exist since 6.2.
 * The generated multicast group table is static, so the generated source
 * is compiled as part of this file.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "kice.h"
#include "netlink-gen.c"

#ifdef GENL_MCAST_CAP_NET_ADMIN
/*
 * Since 6.6 a group can be reserved to CAP_NET_ADMIN over the netns; the
 * generated table cannot say so, so it is repeated here with the flag.
 */
static const struct genl_multicast_group kice_mcgrps[] = {
	[KICE_NLGRP_MONITOR] = { .name = KICE_MCGRP_MONITOR,
				 .flags = GENL_MCAST_CAP_NET_ADMIN, },
};
#else
#define kice_mcgrps kice_nl_mcgrps
#endif

static struct genl_family kice_nl_family __ro_after_init = {
	.name		= KICE_FAMILY_NAME,
	.version	= KICE_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.resv_start_op	= KICE_CMD_STATS_RESET + 1,
	.ops		= kice_nl_ops,
	.n_ops		= ARRAY_SIZE(kice_nl_ops),
	.mcgrps		= kice_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kice_mcgrps),
};

static struct kice_net *kice_info_net(struct genl_info *info)
{
	return kice_net(genl_info_net(info));
}

static int kice_put_addr(struct sk_buff *skb, int a4, int a6, int aport,
			 const struct kice_addr *a)
{
	int err;

	if (ipv6_addr_v4mapped(&a->ip))
		err = nla_put_in_addr(skb, a4, a->ip.s6_addr32[3]);
	else
		err = nla_put_in6_addr(skb, a6, &a->ip);
	return err ?: nla_put_u16(skb, aport, ntohs(a->port));
}

/* Reply with @msg, or drop it and fail with @err. */
static int kice_reply(struct sk_buff *msg, struct genl_info *info, int err)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Sockets and flows are read the same way: one by its id (get), or all of
 * them in id order, as many per message of a dump as fit.
 */
struct kice_nl_objs {
	u8 cmd;				/* of the replies */
	int id_attr;
	size_t xa;			/* offsetof(struct kice_net, ...) */
	void *(*lookup)(struct kice_net *kn, struct nlattr *attr,
			struct netlink_ext_ack *extack);
	int (*fill)(struct sk_buff *skb, void *obj, u32 portid, u32 seq,
		    int flags, u8 cmd);
};

static int kice_get_doit(struct genl_info *info,
			 const struct kice_nl_objs *o)
{
	struct kice_net *kn = kice_info_net(info);
	struct sk_buff *msg;
	void *obj;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, o->id_attr))
		return -EINVAL;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	obj = o->lookup(kn, info->attrs[o->id_attr], info->extack);
	if (obj)
		err = o->fill(msg, obj, info->snd_portid, info->snd_seq, 0,
			      o->cmd);
	else
		err = -ENOENT;
	mutex_unlock(&kn->lock);
	return kice_reply(msg, info, err);
}

static int kice_dumpit(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct kice_nl_objs *o)
{
	struct kice_net *kn = kice_net(sock_net(skb->sk));
	struct xarray *xa = (struct xarray *)((char *)kn + o->xa);
	unsigned long id;
	void *obj;
	int err = 0;

	mutex_lock(&kn->lock);
	xa_for_each_start(xa, id, obj, cb->args[0]) {
		err = o->fill(skb, obj, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, o->cmd);
		if (err)
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&kn->lock);

	/* a full message: continue in the next part of the dump */
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

/* ------------------------------------------------------------------ */
/* sockets */

static int kice_sock_fill(struct sk_buff *skb, void *obj, u32 portid,
			  u32 seq, int flags, u8 cmd)
{
	struct kice_sock *ks = obj;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kice_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KICE_A_SOCK_ID, ks->id) ||
	    nla_put_u16(skb, KICE_A_SOCK_FAMILY, ks->sk->sk_family) ||
	    nla_put_u16(skb, KICE_A_SOCK_PORT,
			ntohs(inet_sk(ks->sk)->inet_sport)) ||
	    nla_put_u32(skb, KICE_A_SOCK_UNKNOWN_POLICY, ks->unknown_policy) ||
	    nla_put_u64_64bit(skb, KICE_A_SOCK_STUN_PASSED,
			      atomic64_read(&ks->stun_passed), KICE_A_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SOCK_UNKNOWN_PASSED,
			      atomic64_read(&ks->unknown_passed),
			      KICE_A_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SOCK_UNKNOWN_DROPPED,
			      atomic64_read(&ks->unknown_dropped),
			      KICE_A_SOCK_PAD) ||
	    nla_put_u32(skb, KICE_A_SOCK_FLOWS, ks->nlegs)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static void *kice_sock_lookup(struct kice_net *kn, struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	struct kice_sock *ks = xa_load(&kn->socks, nla_get_u32(attr));

	if (!ks)
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such socket");
	return ks;
}

int kice_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	u32 policy = KICE_UNKNOWN_POLICY_PASS;
	struct kice_sock *ks;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KICE_A_SOCK_FD))
		return -EINVAL;
	if (info->attrs[KICE_A_SOCK_UNKNOWN_POLICY])
		policy = nla_get_u32(info->attrs[KICE_A_SOCK_UNKNOWN_POLICY]);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	ks = kice_sock_attach(kn, nla_get_s32(info->attrs[KICE_A_SOCK_FD]),
			      policy, info->extack);
	if (IS_ERR(ks)) {
		err = PTR_ERR(ks);
		NL_SET_BAD_ATTR(info->extack, info->attrs[KICE_A_SOCK_FD]);
	} else {
		err = kice_sock_fill(msg, ks, info->snd_portid, info->snd_seq,
				     0, KICE_CMD_SOCK_ATTACH);
	}
	mutex_unlock(&kn->lock);
	return kice_reply(msg, info, err);
}

int kice_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	struct kice_sock *ks;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, KICE_A_SOCK_ID))
		return -EINVAL;

	mutex_lock(&kn->lock);
	ks = kice_sock_lookup(kn, info->attrs[KICE_A_SOCK_ID], info->extack);
	if (ks)
		kice_sock_detach(ks);
	else
		err = -ENOENT;
	mutex_unlock(&kn->lock);
	return err;
}

static const struct kice_nl_objs kice_socks = {
	.cmd		= KICE_CMD_SOCK_GET,
	.id_attr	= KICE_A_SOCK_ID,
	.xa		= offsetof(struct kice_net, socks),
	.lookup		= kice_sock_lookup,
	.fill		= kice_sock_fill,
};

int kice_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kice_get_doit(info, &kice_socks);
}

int kice_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kice_dumpit(skb, cb, &kice_socks);
}

/* ------------------------------------------------------------------ */
/* flows: parsing */

static int kice_addr_parse(struct nlattr *a4, struct nlattr *a6,
			   struct nlattr *port, struct nlattr *nest,
			   struct kice_addr *a, struct netlink_ext_ack *extack)
{
	if (!a4 == !a6) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "exactly one of ipv4 and ipv6 is needed");
		return -EINVAL;
	}
	if (!port) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "port is needed");
		return -EINVAL;
	}
	if (a4) {
		__be32 ip = nla_get_in_addr(a4);

		if (ipv4_is_multicast(ip) || ipv4_is_lbcast(ip) ||
		    ipv4_is_zeronet(ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a4,
					    "not a unicast IPv4 address");
			return -EINVAL;
		}
		ipv6_addr_set_v4mapped(ip, &a->ip);
	} else {
		a->ip = nla_get_in6_addr(a6);
		if (ipv6_addr_any(&a->ip) || ipv6_addr_is_multicast(&a->ip) ||
		    ipv6_addr_v4mapped(&a->ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a6,
					    "not a unicast IPv6 address (IPv4 goes in ipv4)");
			return -EINVAL;
		}
		if (ipv6_addr_type(&a->ip) & IPV6_ADDR_LINKLOCAL) {
			NL_SET_ERR_MSG_ATTR(extack, a6,
					    "link-local addresses are not supported");
			return -EINVAL;
		}
	}
	a->port = htons(nla_get_u16(port));
	return 0;
}

/* Can the socket send to and receive from @ip? */
static int kice_sock_reaches(const struct sock *sk, const struct in6_addr *ip,
			     struct nlattr *attr, struct netlink_ext_ack *extack)
{
	const struct in6_addr *bound = &sk->sk_v6_rcv_saddr;

	if (ipv6_addr_v4mapped(ip)) {
		if (sk->sk_family == AF_INET)
			return 0;
		if (!sk->sk_ipv6only &&
		    (ipv6_addr_any(bound) || ipv6_addr_v4mapped(bound)))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the leg's socket cannot reach an IPv4 address");
		return -EAFNOSUPPORT;
	}
	if (sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(bound))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "the leg's socket cannot reach an IPv6 address");
	return -EAFNOSUPPORT;
}

static int kice_leg_parse(struct kice_net *kn, struct nlattr *nest,
			  const struct kice_leg_cfg *cur,
			  struct kice_leg_cfg *lc,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KICE_A_LEG_MAX + 1];
	struct nlattr *wire;
	int err;

	err = nla_parse_nested(tb, KICE_A_LEG_MAX, nest, kice_leg_nl_policy,
			       extack);
	if (err)
		return err;
	if (tb[KICE_A_LEG_STATS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KICE_A_LEG_STATS],
				    "statistics are read-only");
		return -EINVAL;
	}

	memset(lc, 0, sizeof(*lc));
	if (tb[KICE_A_LEG_SOCK]) {
		lc->ks = kice_sock_lookup(kn, tb[KICE_A_LEG_SOCK], extack);
		if (!lc->ks)
			return -ENOENT;
		if (cur && lc->ks != cur->ks) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KICE_A_LEG_SOCK],
					    "the socket of a leg cannot change");
			return -EINVAL;
		}
	} else if (cur) {
		lc->ks = cur->ks;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, nest, "the leg needs a socket");
		return -EINVAL;
	}

	err = kice_addr_parse(tb[KICE_A_LEG_IPV4], tb[KICE_A_LEG_IPV6],
			      tb[KICE_A_LEG_PORT], nest, &lc->remote, extack);
	if (err)
		return err;
	wire = tb[KICE_A_LEG_IPV4] ?: tb[KICE_A_LEG_IPV6];

	if (tb[KICE_A_LEG_TURN_IPV4] || tb[KICE_A_LEG_TURN_IPV6] ||
	    tb[KICE_A_LEG_TURN_PORT] || tb[KICE_A_LEG_CHANNEL]) {
		if (!tb[KICE_A_LEG_CHANNEL]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "a TURN server needs a channel");
			return -EINVAL;
		}
		if (!tb[KICE_A_LEG_TURN_IPV4] && !tb[KICE_A_LEG_TURN_IPV6]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "a channel needs a TURN server address");
			return -EINVAL;
		}
		err = kice_addr_parse(tb[KICE_A_LEG_TURN_IPV4],
				      tb[KICE_A_LEG_TURN_IPV6],
				      tb[KICE_A_LEG_TURN_PORT], nest,
				      &lc->turn, extack);
		if (err)
			return err;
		lc->channel = nla_get_u16(tb[KICE_A_LEG_CHANNEL]);
		wire = tb[KICE_A_LEG_TURN_IPV4] ?: tb[KICE_A_LEG_TURN_IPV6];
		return kice_sock_reaches(lc->ks->sk, &lc->turn.ip, wire,
					 extack);
	}
	return kice_sock_reaches(lc->ks->sk, &lc->remote.ip, wire, extack);
}

static bool kice_has_cfg(struct genl_info *info)
{
	return info->attrs[KICE_A_FLOW_DTLS_POLICY] ||
	       info->attrs[KICE_A_FLOW_DSCP] ||
	       info->attrs[KICE_A_FLOW_IDLE_TIMEOUT] ||
	       info->attrs[KICE_A_FLOW_CLOCK];
}

static int kice_clock_parse(struct kice_flow_cfg *cfg, struct nlattr *nest,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KICE_A_CLOCK_MAX + 1];
	unsigned int i;
	u32 rate;
	int err;
	u8 pt;

	err = nla_parse_nested(tb, KICE_A_CLOCK_MAX, nest, kice_clock_nl_policy,
			       extack);
	if (err)
		return err;
	if (!tb[KICE_A_CLOCK_PT] || !tb[KICE_A_CLOCK_RATE]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a clock needs pt and rate");
		return -EINVAL;
	}
	pt = nla_get_u8(tb[KICE_A_CLOCK_PT]);
	rate = nla_get_u32(tb[KICE_A_CLOCK_RATE]);
	if (rate > KICE_RATE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KICE_A_CLOCK_RATE],
				    "clock rate too high");
		return -ERANGE;
	}
	for (i = 0; i < cfg->nclocks; i++) {
		if (cfg->clocks[i].pt == pt) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "payload type given twice");
			return -EINVAL;
		}
	}
	if (cfg->nclocks == KICE_MAX_CLOCKS) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many clock rates");
		return -E2BIG;
	}
	cfg->clocks[cfg->nclocks].pt = pt;
	cfg->clocks[cfg->nclocks].rate = rate;
	cfg->nclocks++;
	return 0;
}

static struct kice_flow_cfg *kice_cfg_parse(struct genl_info *info,
					    const struct kice_flow_cfg *cur)
{
	struct kice_flow_cfg *cfg;
	struct nlattr *a;
	int rem, err;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	cfg->dscp = -1;
	if (cur) {
		cfg->dtls_relay = cur->dtls_relay;
		cfg->dscp = cur->dscp;
		cfg->idle_ms = cur->idle_ms;
		cfg->nclocks = cur->nclocks;
		memcpy(cfg->clocks, cur->clocks, sizeof(cfg->clocks));
	}
	if (info->attrs[KICE_A_FLOW_DTLS_POLICY])
		cfg->dtls_relay = nla_get_u32(info->attrs[KICE_A_FLOW_DTLS_POLICY]) ==
				  KICE_DTLS_POLICY_RELAY;
	if (info->attrs[KICE_A_FLOW_DSCP])
		cfg->dscp = nla_get_u8(info->attrs[KICE_A_FLOW_DSCP]);
	a = info->attrs[KICE_A_FLOW_IDLE_TIMEOUT];
	if (a) {
		cfg->idle_ms = nla_get_u32(a);
		if (cfg->idle_ms > KICE_IDLE_TIMEOUT_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "idle timeout too long");
			kfree(cfg);
			return ERR_PTR(-ERANGE);
		}
	}
	if (info->attrs[KICE_A_FLOW_CLOCK]) {
		/* the clocks given replace the flow's list */
		cfg->nclocks = 0;
		nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
			if (nla_type(a) != KICE_A_FLOW_CLOCK)
				continue;
			err = kice_clock_parse(cfg, a, info->extack);
			if (err) {
				kfree(cfg);
				return ERR_PTR(err);
			}
		}
	}
	return cfg;
}

/* ------------------------------------------------------------------ */
/* flows: messages */

static int kice_ssrc_fill(struct sk_buff *skb, const struct kice_ssrc *s)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, KICE_A_LEG_STATS_SSRC);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KICE_A_SSRC_STATS_SSRC, s->ssrc) ||
	    nla_put_u64_64bit(skb, KICE_A_SSRC_STATS_PACKETS, s->packets,
			      KICE_A_SSRC_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SSRC_STATS_EXPECTED,
			      kice_rtp_expected(s), KICE_A_SSRC_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SSRC_STATS_LOST, kice_rtp_lost(s),
			      KICE_A_SSRC_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SSRC_STATS_DUPLICATES, s->dups,
			      KICE_A_SSRC_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_SSRC_STATS_REORDERED, s->reordered,
			      KICE_A_SSRC_STATS_PAD) ||
	    nla_put_u32(skb, KICE_A_SSRC_STATS_JITTER, s->jitter >> 4) ||
	    nla_put_u8(skb, KICE_A_SSRC_STATS_PT, s->pt) ||
	    nla_put_u32(skb, KICE_A_SSRC_STATS_MAX_SEQ,
			s->cycles + s->max_seq)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int kice_stats_fill(struct sk_buff *skb, struct kice_flow *flow,
			   unsigned int idx)
{
	struct kice_leg_stats *st = &flow->stats[idx];
	struct nlattr *nest;
	unsigned int i;
	int err = -EMSGSIZE;

	nest = nla_nest_start(skb, KICE_A_LEG_STATS);
	if (!nest)
		return -EMSGSIZE;

	spin_lock_bh(&flow->stats_lock);
	if (nla_put_u64_64bit(skb, KICE_A_LEG_STATS_RX_PACKETS, st->rx_packets,
			      KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_RX_BYTES, st->rx_bytes,
			      KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_TX_PACKETS, st->tx_packets,
			      KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_TX_BYTES, st->tx_bytes,
			      KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_RTCP_PACKETS,
			      st->rtcp_packets, KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_RTCP_BYTES, st->rtcp_bytes,
			      KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_DTLS_PACKETS,
			      st->dtls_packets, KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_STUN_PASSED,
			      st->stun_passed, KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_DROP_MALFORMED,
			      st->drop_malformed, KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_DROP_UNKNOWN,
			      st->drop_unknown, KICE_A_LEG_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_DROP_TX, st->drop_tx,
			      KICE_A_LEG_STATS_PAD))
		goto out;
	if (st->rx_seen &&
	    nla_put_u64_64bit(skb, KICE_A_LEG_STATS_LAST_RX_AGE,
			      jiffies_to_msecs(jiffies - st->last_rx),
			      KICE_A_LEG_STATS_PAD))
		goto out;
	for (i = 0; i < st->nssrc; i++)
		if (kice_ssrc_fill(skb, kice_ssrc_at(st, i)))
			goto out;
	err = 0;
out:
	spin_unlock_bh(&flow->stats_lock);
	if (err)
		nla_nest_cancel(skb, nest);
	else
		nla_nest_end(skb, nest);
	return err;
}

static const int kice_leg_attr[KICE_NLEGS] = {
	[KICE_LEG_A] = KICE_A_FLOW_LEG_A,
	[KICE_LEG_B] = KICE_A_FLOW_LEG_B,
	[KICE_LEG_B_RTCP] = KICE_A_FLOW_LEG_B_RTCP,
};

static int kice_leg_fill(struct sk_buff *skb, struct kice_flow *flow,
			 unsigned int idx)
{
	const struct kice_leg *leg;
	struct nlattr *nest;

	leg = rcu_dereference_protected(flow->leg[idx],
					lockdep_is_held(&flow->kn->lock));
	if (!leg)
		return 0;
	nest = nla_nest_start(skb, kice_leg_attr[idx]);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KICE_A_LEG_SOCK, leg->cfg.ks->id) ||
	    kice_put_addr(skb, KICE_A_LEG_IPV4, KICE_A_LEG_IPV6,
			  KICE_A_LEG_PORT, &leg->cfg.remote))
		goto err;
	if (leg->cfg.channel &&
	    (kice_put_addr(skb, KICE_A_LEG_TURN_IPV4, KICE_A_LEG_TURN_IPV6,
			   KICE_A_LEG_TURN_PORT, &leg->cfg.turn) ||
	     nla_put_u16(skb, KICE_A_LEG_CHANNEL, leg->cfg.channel)))
		goto err;
	if (kice_stats_fill(skb, flow, idx))
		goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int kice_flow_fill(struct sk_buff *skb, void *obj, u32 portid,
			  u32 seq, int flags, u8 cmd)
{
	struct kice_flow *flow = obj;
	const struct kice_flow_cfg *cfg;
	unsigned int i;
	void *hdr;

	cfg = rcu_dereference_protected(flow->cfg,
					lockdep_is_held(&flow->kn->lock));
	hdr = genlmsg_put(skb, portid, seq, &kice_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KICE_A_FLOW_ID, flow->id) ||
	    kice_leg_fill(skb, flow, KICE_LEG_A) ||
	    kice_leg_fill(skb, flow, KICE_LEG_B) ||
	    kice_leg_fill(skb, flow, KICE_LEG_B_RTCP) ||
	    nla_put_u32(skb, KICE_A_FLOW_DTLS_POLICY,
			cfg->dtls_relay ? KICE_DTLS_POLICY_RELAY :
					  KICE_DTLS_POLICY_PASS) ||
	    (cfg->dscp >= 0 && nla_put_u8(skb, KICE_A_FLOW_DSCP, cfg->dscp)) ||
	    nla_put_u32(skb, KICE_A_FLOW_IDLE_TIMEOUT, cfg->idle_ms))
		goto err;
	for (i = 0; i < cfg->nclocks; i++) {
		struct nlattr *nest = nla_nest_start(skb, KICE_A_FLOW_CLOCK);

		if (!nest ||
		    nla_put_u8(skb, KICE_A_CLOCK_PT, cfg->clocks[i].pt) ||
		    nla_put_u32(skb, KICE_A_CLOCK_RATE, cfg->clocks[i].rate))
			goto err;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void *kice_flow_lookup(struct kice_net *kn, struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	struct kice_flow *flow = xa_load(&kn->flows, nla_get_u32(attr));

	if (!flow)
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such flow");
	return flow;
}

static const struct kice_nl_objs kice_flows = {
	.cmd		= KICE_CMD_FLOW_GET,
	.id_attr	= KICE_A_FLOW_ID,
	.xa		= offsetof(struct kice_net, flows),
	.lookup		= kice_flow_lookup,
	.fill		= kice_flow_fill,
};

/* ------------------------------------------------------------------ */
/* flows: commands */

int kice_nl_flow_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	const struct kice_leg_cfg *lcp[KICE_NLEGS] = {};
	struct kice_leg_cfg lc[KICE_NLEGS];
	struct kice_flow_cfg *cfg;
	struct kice_flow *flow;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, KICE_A_FLOW_LEG_A) ||
	    GENL_REQ_ATTR_CHECK(info, KICE_A_FLOW_LEG_B))
		return -EINVAL;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	for (i = 0; i < KICE_NLEGS && !err; i++) {
		if (!info->attrs[kice_leg_attr[i]])
			continue;
		err = kice_leg_parse(kn, info->attrs[kice_leg_attr[i]], NULL,
				     &lc[i], info->extack);
		lcp[i] = &lc[i];
	}
	if (err)
		goto out;
	cfg = kice_cfg_parse(info, NULL);
	if (IS_ERR(cfg)) {
		err = PTR_ERR(cfg);
		goto out;
	}
	flow = kice_flow_create(kn, lcp, cfg, info->extack);
	if (IS_ERR(flow)) {
		err = PTR_ERR(flow);
		goto out;
	}
	kice_notify_flow(flow, KICE_CMD_FLOW_NEW_NTF);

	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &kice_nl_family, 0,
				KICE_CMD_FLOW_NEW);
	if (hdr && !nla_put_u32(msg, KICE_A_FLOW_ID, flow->id)) {
		genlmsg_end(msg, hdr);
		err = 0;
	}
out:
	mutex_unlock(&kn->lock);
	return kice_reply(msg, info, err);
}

int kice_nl_flow_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	struct kice_flow *flow;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, KICE_A_FLOW_ID))
		return -EINVAL;

	mutex_lock(&kn->lock);
	flow = kice_flow_lookup(kn, info->attrs[KICE_A_FLOW_ID], info->extack);
	if (flow)
		kice_flow_delete(flow);
	else
		err = -ENOENT;
	mutex_unlock(&kn->lock);
	return err;
}

int kice_nl_flow_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kice_get_doit(info, &kice_flows);
}

int kice_nl_flow_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kice_dumpit(skb, cb, &kice_flows);
}

int kice_nl_flow_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	const struct kice_leg_cfg *lcp[KICE_NLEGS] = {};
	struct kice_flow_cfg *cfg = NULL;
	struct kice_leg_cfg lc[KICE_NLEGS];
	struct kice_flow *flow;
	unsigned int i;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, KICE_A_FLOW_ID))
		return -EINVAL;

	mutex_lock(&kn->lock);
	flow = kice_flow_lookup(kn, info->attrs[KICE_A_FLOW_ID], info->extack);
	if (!flow) {
		err = -ENOENT;
		goto out;
	}
	for (i = 0; i < KICE_NLEGS; i++) {
		const struct kice_leg *cur;

		if (!info->attrs[kice_leg_attr[i]])
			continue;
		cur = rcu_dereference_protected(flow->leg[i],
						lockdep_is_held(&kn->lock));
		if (!cur) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[kice_leg_attr[i]],
					    "the flow has no leg-b-rtcp (given at flow-new only)");
			err = -EINVAL;
			goto out;
		}
		err = kice_leg_parse(kn, info->attrs[kice_leg_attr[i]],
				     &cur->cfg, &lc[i], info->extack);
		if (err)
			goto out;
		lcp[i] = &lc[i];
	}
	if (kice_has_cfg(info)) {
		cfg = kice_cfg_parse(info,
				     rcu_dereference_protected(flow->cfg,
							       lockdep_is_held(&kn->lock)));
		if (IS_ERR(cfg)) {
			err = PTR_ERR(cfg);
			goto out;
		}
	}
	if (lcp[KICE_LEG_A] || lcp[KICE_LEG_B] || lcp[KICE_LEG_B_RTCP] || cfg)
		err = kice_flow_change(flow, lcp, cfg, info->extack);
out:
	mutex_unlock(&kn->lock);
	return err;
}

int kice_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kice_net *kn = kice_info_net(info);
	struct kice_flow *flow;
	unsigned long id;
	int err = 0;

	mutex_lock(&kn->lock);
	if (info->attrs[KICE_A_FLOW_ID]) {
		flow = kice_flow_lookup(kn, info->attrs[KICE_A_FLOW_ID],
					info->extack);
		if (flow)
			kice_flow_stats_reset(flow);
		else
			err = -ENOENT;
	} else {
		xa_for_each(&kn->flows, id, flow)
			kice_flow_stats_reset(flow);
	}
	mutex_unlock(&kn->lock);
	return err;
}

/* ------------------------------------------------------------------ */
/* monitor group */

static bool kice_listened(struct net *net)
{
	return genl_has_listeners(&kice_nl_family, net, KICE_NLGRP_MONITOR);
}

static void kice_multicast(struct net *net, struct sk_buff *msg, void *hdr,
			   gfp_t gfp)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&kice_nl_family, net, msg, 0,
				KICE_NLGRP_MONITOR, gfp);
}

/* Flow created or deleted; called under kice_net.lock. */
void kice_notify_flow(struct kice_flow *flow, u8 cmd)
{
	struct net *net = flow->kn->net;
	struct sk_buff *msg;

	if (!kice_listened(net))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (kice_flow_fill(msg, flow, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kice_nl_family, net, msg, 0,
				KICE_NLGRP_MONITOR, GFP_KERNEL);
}

static struct sk_buff *kice_event_new(struct net *net, u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	if (!kice_listened(net))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &kice_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

void kice_notify_idle(struct kice_flow *flow, u32 idle_ms)
{
	struct net *net = flow->kn->net;
	struct sk_buff *msg;
	void *hdr;

	msg = kice_event_new(net, KICE_CMD_IDLE_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, KICE_A_EVENT_FLOW_ID, flow->id) ||
	    nla_put_u32(msg, KICE_A_EVENT_IDLE, idle_ms)) {
		nlmsg_free(msg);
		return;
	}
	kice_multicast(net, msg, hdr, GFP_ATOMIC);
}

void kice_notify_mismatch(struct kice_sock *ks, const struct kice_addr *src)
{
	struct net *net = ks->kn->net;
	struct sk_buff *msg;
	void *hdr;

	msg = kice_event_new(net, KICE_CMD_SRC_MISMATCH_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, KICE_A_EVENT_SOCK_ID, ks->id) ||
	    kice_put_addr(msg, KICE_A_EVENT_IPV4, KICE_A_EVENT_IPV6,
			  KICE_A_EVENT_PORT, src)) {
		nlmsg_free(msg);
		return;
	}
	kice_multicast(net, msg, hdr, GFP_ATOMIC);
}

void kice_notify_ssrc(struct kice_flow *flow, unsigned int idx, u32 ssrc,
		      u32 old)
{
	struct net *net = flow->kn->net;
	struct sk_buff *msg;
	void *hdr;

	msg = kice_event_new(net, KICE_CMD_SSRC_CHANGE_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, KICE_A_EVENT_FLOW_ID, flow->id) ||
	    nla_put_u8(msg, KICE_A_EVENT_LEG, idx) ||
	    nla_put_u32(msg, KICE_A_EVENT_SSRC, ssrc) ||
	    nla_put_u32(msg, KICE_A_EVENT_OLD_SSRC, old)) {
		nlmsg_free(msg);
		return;
	}
	kice_multicast(net, msg, hdr, GFP_ATOMIC);
}

int kice_genl_register(void)
{
	/* the groups are those of the spec */
	BUILD_BUG_ON(ARRAY_SIZE(kice_mcgrps) != ARRAY_SIZE(kice_nl_mcgrps));
	return genl_register_family(&kice_nl_family);
}

void kice_genl_unregister(void)
{
	genl_unregister_family(&kice_nl_family);
}
