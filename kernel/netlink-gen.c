// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kice.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/kice.h>

/* Common nested types */
const struct nla_policy kice_clock_nl_policy[KICE_A_CLOCK_RATE + 1] = {
	[KICE_A_CLOCK_PT] = NLA_POLICY_MAX(NLA_U8, 127),
	[KICE_A_CLOCK_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy kice_leg_nl_policy[KICE_A_LEG_STATS + 1] = {
	[KICE_A_LEG_SOCK] = NLA_POLICY_MIN(NLA_U32, 1),
	[KICE_A_LEG_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[KICE_A_LEG_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KICE_A_LEG_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KICE_A_LEG_TURN_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[KICE_A_LEG_TURN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KICE_A_LEG_TURN_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KICE_A_LEG_CHANNEL] = NLA_POLICY_RANGE(NLA_U16, KICE_CHANNEL_MIN, KICE_CHANNEL_MAX),
	[KICE_A_LEG_STATS] = NLA_POLICY_NESTED(kice_leg_stats_nl_policy),
};

const struct nla_policy kice_leg_stats_nl_policy[KICE_A_LEG_STATS_PAD + 1] = {
	[KICE_A_LEG_STATS_RX_PACKETS] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_RX_BYTES] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_TX_PACKETS] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_TX_BYTES] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_RTCP_PACKETS] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_RTCP_BYTES] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_DTLS_PACKETS] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_STUN_PASSED] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_DROP_MALFORMED] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_DROP_UNKNOWN] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_DROP_TX] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_LAST_RX_AGE] = { .type = NLA_U64, },
	[KICE_A_LEG_STATS_SSRC] = NLA_POLICY_NESTED(kice_ssrc_stats_nl_policy),
};

const struct nla_policy kice_ssrc_stats_nl_policy[KICE_A_SSRC_STATS_PAD + 1] = {
	[KICE_A_SSRC_STATS_SSRC] = { .type = NLA_U32, },
	[KICE_A_SSRC_STATS_PACKETS] = { .type = NLA_U64, },
	[KICE_A_SSRC_STATS_EXPECTED] = { .type = NLA_U64, },
	[KICE_A_SSRC_STATS_LOST] = { .type = NLA_U64, },
	[KICE_A_SSRC_STATS_DUPLICATES] = { .type = NLA_U64, },
	[KICE_A_SSRC_STATS_REORDERED] = { .type = NLA_U64, },
	[KICE_A_SSRC_STATS_JITTER] = { .type = NLA_U32, },
	[KICE_A_SSRC_STATS_PT] = { .type = NLA_U8, },
	[KICE_A_SSRC_STATS_MAX_SEQ] = { .type = NLA_U32, },
};

/* KICE_CMD_SOCK_ATTACH - do */
const struct nla_policy kice_sock_attach_nl_policy[KICE_A_SOCK_UNKNOWN_POLICY + 1] = {
	[KICE_A_SOCK_FD] = NLA_POLICY_MIN(NLA_S32, 0),
	[KICE_A_SOCK_UNKNOWN_POLICY] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* KICE_CMD_SOCK_DETACH - do */
const struct nla_policy kice_sock_detach_nl_policy[KICE_A_SOCK_ID + 1] = {
	[KICE_A_SOCK_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KICE_CMD_SOCK_GET - do */
const struct nla_policy kice_sock_get_nl_policy[KICE_A_SOCK_ID + 1] = {
	[KICE_A_SOCK_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KICE_CMD_FLOW_NEW - do */
const struct nla_policy kice_flow_new_nl_policy[KICE_A_FLOW_LEG_B_RTCP + 1] = {
	[KICE_A_FLOW_LEG_A] = NLA_POLICY_NESTED(kice_leg_nl_policy),
	[KICE_A_FLOW_LEG_B] = NLA_POLICY_NESTED(kice_leg_nl_policy),
	[KICE_A_FLOW_DTLS_POLICY] = NLA_POLICY_MAX(NLA_U32, 1),
	[KICE_A_FLOW_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[KICE_A_FLOW_IDLE_TIMEOUT] = { .type = NLA_U32, },
	[KICE_A_FLOW_CLOCK] = NLA_POLICY_NESTED(kice_clock_nl_policy),
	[KICE_A_FLOW_LEG_B_RTCP] = NLA_POLICY_NESTED(kice_leg_nl_policy),
};

/* KICE_CMD_FLOW_DEL - do */
const struct nla_policy kice_flow_del_nl_policy[KICE_A_FLOW_ID + 1] = {
	[KICE_A_FLOW_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KICE_CMD_FLOW_GET - do */
const struct nla_policy kice_flow_get_nl_policy[KICE_A_FLOW_ID + 1] = {
	[KICE_A_FLOW_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KICE_CMD_FLOW_SET - do */
const struct nla_policy kice_flow_set_nl_policy[KICE_A_FLOW_LEG_B_RTCP + 1] = {
	[KICE_A_FLOW_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KICE_A_FLOW_LEG_A] = NLA_POLICY_NESTED(kice_leg_nl_policy),
	[KICE_A_FLOW_LEG_B] = NLA_POLICY_NESTED(kice_leg_nl_policy),
	[KICE_A_FLOW_DTLS_POLICY] = NLA_POLICY_MAX(NLA_U32, 1),
	[KICE_A_FLOW_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[KICE_A_FLOW_IDLE_TIMEOUT] = { .type = NLA_U32, },
	[KICE_A_FLOW_CLOCK] = NLA_POLICY_NESTED(kice_clock_nl_policy),
	[KICE_A_FLOW_LEG_B_RTCP] = NLA_POLICY_NESTED(kice_leg_nl_policy),
};

/* KICE_CMD_STATS_RESET - do */
const struct nla_policy kice_stats_reset_nl_policy[KICE_A_FLOW_ID + 1] = {
	[KICE_A_FLOW_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for kice */
const struct genl_ops kice_nl_ops[8] = {
	{
		.cmd		= KICE_CMD_SOCK_ATTACH,
		.doit		= kice_nl_sock_attach_doit,
		.policy		= kice_sock_attach_nl_policy,
		.maxattr	= KICE_A_SOCK_UNKNOWN_POLICY,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_SOCK_DETACH,
		.doit		= kice_nl_sock_detach_doit,
		.policy		= kice_sock_detach_nl_policy,
		.maxattr	= KICE_A_SOCK_ID,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_SOCK_GET,
		.doit		= kice_nl_sock_get_doit,
		.dumpit		= kice_nl_sock_get_dumpit,
		.policy		= kice_sock_get_nl_policy,
		.maxattr	= KICE_A_SOCK_ID,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_FLOW_NEW,
		.doit		= kice_nl_flow_new_doit,
		.policy		= kice_flow_new_nl_policy,
		.maxattr	= KICE_A_FLOW_LEG_B_RTCP,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_FLOW_DEL,
		.doit		= kice_nl_flow_del_doit,
		.policy		= kice_flow_del_nl_policy,
		.maxattr	= KICE_A_FLOW_ID,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_FLOW_GET,
		.doit		= kice_nl_flow_get_doit,
		.dumpit		= kice_nl_flow_get_dumpit,
		.policy		= kice_flow_get_nl_policy,
		.maxattr	= KICE_A_FLOW_ID,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_FLOW_SET,
		.doit		= kice_nl_flow_set_doit,
		.policy		= kice_flow_set_nl_policy,
		.maxattr	= KICE_A_FLOW_LEG_B_RTCP,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= KICE_CMD_STATS_RESET,
		.doit		= kice_nl_stats_reset_doit,
		.policy		= kice_stats_reset_nl_policy,
		.maxattr	= KICE_A_FLOW_ID,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group kice_nl_mcgrps[] = {
	[KICE_NLGRP_MONITOR] = { "monitor", },
};
