/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kice.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_KICE_GEN_H
#define _LINUX_KICE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/kice.h>

/* Common nested types */
extern const struct nla_policy kice_clock_nl_policy[KICE_A_CLOCK_RATE + 1];
extern const struct nla_policy kice_leg_nl_policy[KICE_A_LEG_STATS + 1];
extern const struct nla_policy kice_leg_stats_nl_policy[KICE_A_LEG_STATS_PAD + 1];
extern const struct nla_policy kice_ssrc_stats_nl_policy[KICE_A_SSRC_STATS_PAD + 1];

extern const struct nla_policy kice_sock_attach_nl_policy[KICE_A_SOCK_UNKNOWN_POLICY + 1];

extern const struct nla_policy kice_sock_detach_nl_policy[KICE_A_SOCK_ID + 1];

extern const struct nla_policy kice_sock_get_nl_policy[KICE_A_SOCK_ID + 1];

extern const struct nla_policy kice_flow_new_nl_policy[KICE_A_FLOW_LEG_B_RTCP + 1];

extern const struct nla_policy kice_flow_del_nl_policy[KICE_A_FLOW_ID + 1];

extern const struct nla_policy kice_flow_get_nl_policy[KICE_A_FLOW_ID + 1];

extern const struct nla_policy kice_flow_set_nl_policy[KICE_A_FLOW_LEG_B_RTCP + 1];

extern const struct nla_policy kice_stats_reset_nl_policy[KICE_A_FLOW_ID + 1];

/* Ops table for kice */
extern const struct genl_ops kice_nl_ops[8];

int kice_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kice_nl_flow_new_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_flow_del_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_flow_get_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_flow_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kice_nl_flow_set_doit(struct sk_buff *skb, struct genl_info *info);
int kice_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	KICE_NLGRP_MONITOR,
};

#endif /* _LINUX_KICE_GEN_H */
