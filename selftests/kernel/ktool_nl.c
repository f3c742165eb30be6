// SPDX-License-Identifier: GPL-2.0
/*
 * kice-ktool: netlink side -- printing the "kice" generic netlink family's
 * messages attribute by attribute as "key=value" lines that shell tests can
 * pick apart.  Requests go through agent/knl (kt_nl).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include <linux/kice.h>

#include "ktool.h"

struct knl kt_nl;

/* ------------------------------------------------------------------ */
/* Printing: attribute sets as tables of names and types. */

enum { T_U8 = 1, T_U16, T_U32, T_U64, T_S32, T_BIN, T_NEST };

struct aset {
	const char *name[16];
	char type[16];
	const struct aset *nest[16];
	bool multi[16];
};

static const struct aset ssrc_set = {
	.name = { [KICE_A_SSRC_STATS_SSRC] = "ssrc",
		  [KICE_A_SSRC_STATS_PACKETS] = "packets",
		  [KICE_A_SSRC_STATS_EXPECTED] = "expected",
		  [KICE_A_SSRC_STATS_LOST] = "lost",
		  [KICE_A_SSRC_STATS_DUPLICATES] = "duplicates",
		  [KICE_A_SSRC_STATS_REORDERED] = "reordered",
		  [KICE_A_SSRC_STATS_JITTER] = "jitter",
		  [KICE_A_SSRC_STATS_PT] = "pt",
		  [KICE_A_SSRC_STATS_MAX_SEQ] = "max_seq" },
	.type = { [KICE_A_SSRC_STATS_SSRC] = T_U32,
		  [KICE_A_SSRC_STATS_PACKETS] = T_U64,
		  [KICE_A_SSRC_STATS_EXPECTED] = T_U64,
		  [KICE_A_SSRC_STATS_LOST] = T_U64,
		  [KICE_A_SSRC_STATS_DUPLICATES] = T_U64,
		  [KICE_A_SSRC_STATS_REORDERED] = T_U64,
		  [KICE_A_SSRC_STATS_JITTER] = T_U32,
		  [KICE_A_SSRC_STATS_PT] = T_U8,
		  [KICE_A_SSRC_STATS_MAX_SEQ] = T_U32 },
};

static const struct aset stats_set = {
	.name = { [KICE_A_LEG_STATS_RX_PACKETS] = "rx_packets",
		  [KICE_A_LEG_STATS_RX_BYTES] = "rx_bytes",
		  [KICE_A_LEG_STATS_TX_PACKETS] = "tx_packets",
		  [KICE_A_LEG_STATS_TX_BYTES] = "tx_bytes",
		  [KICE_A_LEG_STATS_RTCP_PACKETS] = "rtcp_packets",
		  [KICE_A_LEG_STATS_RTCP_BYTES] = "rtcp_bytes",
		  [KICE_A_LEG_STATS_DTLS_PACKETS] = "dtls_packets",
		  [KICE_A_LEG_STATS_STUN_PASSED] = "stun_passed",
		  [KICE_A_LEG_STATS_DROP_MALFORMED] = "drop_malformed",
		  [KICE_A_LEG_STATS_DROP_UNKNOWN] = "drop_unknown",
		  [KICE_A_LEG_STATS_DROP_TX] = "drop_tx",
		  [KICE_A_LEG_STATS_LAST_RX_AGE] = "last_rx_age",
		  [KICE_A_LEG_STATS_SSRC] = "ssrc" },
	.type = { [KICE_A_LEG_STATS_RX_PACKETS ... KICE_A_LEG_STATS_LAST_RX_AGE] = T_U64,
		  [KICE_A_LEG_STATS_SSRC] = T_NEST },
	.nest = { [KICE_A_LEG_STATS_SSRC] = &ssrc_set },
	.multi = { [KICE_A_LEG_STATS_SSRC] = true },
};

static const struct aset leg_set = {
	.name = { [KICE_A_LEG_SOCK] = "sock", [KICE_A_LEG_IPV4] = "ip",
		  [KICE_A_LEG_IPV6] = "ip", [KICE_A_LEG_PORT] = "port",
		  [KICE_A_LEG_TURN_IPV4] = "turn_ip",
		  [KICE_A_LEG_TURN_IPV6] = "turn_ip",
		  [KICE_A_LEG_TURN_PORT] = "turn_port",
		  [KICE_A_LEG_CHANNEL] = "channel",
		  [KICE_A_LEG_STATS] = "" },
	.type = { [KICE_A_LEG_SOCK] = T_U32, [KICE_A_LEG_IPV4] = T_BIN,
		  [KICE_A_LEG_IPV6] = T_BIN, [KICE_A_LEG_PORT] = T_U16,
		  [KICE_A_LEG_TURN_IPV4] = T_BIN,
		  [KICE_A_LEG_TURN_IPV6] = T_BIN,
		  [KICE_A_LEG_TURN_PORT] = T_U16,
		  [KICE_A_LEG_CHANNEL] = T_U16, [KICE_A_LEG_STATS] = T_NEST },
	.nest = { [KICE_A_LEG_STATS] = &stats_set },
};

static const struct aset clock_set = {
	.name = { [KICE_A_CLOCK_PT] = "pt", [KICE_A_CLOCK_RATE] = "rate" },
	.type = { [KICE_A_CLOCK_PT] = T_U8, [KICE_A_CLOCK_RATE] = T_U32 },
};

static const struct aset flow_set = {
	.name = { [KICE_A_FLOW_ID] = "id", [KICE_A_FLOW_LEG_A] = "a",
		  [KICE_A_FLOW_LEG_B] = "b", [KICE_A_FLOW_LEG_B_RTCP] = "r",
		  [KICE_A_FLOW_DTLS_POLICY] = "dtls_policy",
		  [KICE_A_FLOW_DSCP] = "dscp",
		  [KICE_A_FLOW_IDLE_TIMEOUT] = "idle_timeout",
		  [KICE_A_FLOW_CLOCK] = "clock" },
	.type = { [KICE_A_FLOW_ID] = T_U32, [KICE_A_FLOW_LEG_A] = T_NEST,
		  [KICE_A_FLOW_LEG_B] = T_NEST,
		  [KICE_A_FLOW_LEG_B_RTCP] = T_NEST,
		  [KICE_A_FLOW_DTLS_POLICY] = T_U32, [KICE_A_FLOW_DSCP] = T_U8,
		  [KICE_A_FLOW_IDLE_TIMEOUT] = T_U32,
		  [KICE_A_FLOW_CLOCK] = T_NEST },
	.nest = { [KICE_A_FLOW_LEG_A] = &leg_set,
		  [KICE_A_FLOW_LEG_B] = &leg_set,
		  [KICE_A_FLOW_LEG_B_RTCP] = &leg_set,
		  [KICE_A_FLOW_CLOCK] = &clock_set },
	.multi = { [KICE_A_FLOW_CLOCK] = true },
};

static const struct aset sock_set = {
	.name = { [KICE_A_SOCK_ID] = "id", [KICE_A_SOCK_FAMILY] = "family",
		  [KICE_A_SOCK_PORT] = "port",
		  [KICE_A_SOCK_UNKNOWN_POLICY] = "unknown_policy",
		  [KICE_A_SOCK_STUN_PASSED] = "stun_passed",
		  [KICE_A_SOCK_UNKNOWN_PASSED] = "unknown_passed",
		  [KICE_A_SOCK_UNKNOWN_DROPPED] = "unknown_dropped",
		  [KICE_A_SOCK_FLOWS] = "flows" },
	.type = { [KICE_A_SOCK_ID] = T_U32, [KICE_A_SOCK_FAMILY] = T_U16,
		  [KICE_A_SOCK_PORT] = T_U16,
		  [KICE_A_SOCK_UNKNOWN_POLICY] = T_U32,
		  [KICE_A_SOCK_STUN_PASSED] = T_U64,
		  [KICE_A_SOCK_UNKNOWN_PASSED] = T_U64,
		  [KICE_A_SOCK_UNKNOWN_DROPPED] = T_U64,
		  [KICE_A_SOCK_FLOWS] = T_U32 },
};

static const struct aset event_set = {
	.name = { [KICE_A_EVENT_FLOW_ID] = "flow", [KICE_A_EVENT_LEG] = "leg",
		  [KICE_A_EVENT_SOCK_ID] = "sock", [KICE_A_EVENT_IPV4] = "ip",
		  [KICE_A_EVENT_IPV6] = "ip", [KICE_A_EVENT_PORT] = "port",
		  [KICE_A_EVENT_SSRC] = "ssrc",
		  [KICE_A_EVENT_OLD_SSRC] = "old_ssrc",
		  [KICE_A_EVENT_IDLE] = "idle" },
	.type = { [KICE_A_EVENT_FLOW_ID] = T_U32, [KICE_A_EVENT_LEG] = T_U8,
		  [KICE_A_EVENT_SOCK_ID] = T_U32, [KICE_A_EVENT_IPV4] = T_BIN,
		  [KICE_A_EVENT_IPV6] = T_BIN, [KICE_A_EVENT_PORT] = T_U16,
		  [KICE_A_EVENT_SSRC] = T_U32, [KICE_A_EVENT_OLD_SSRC] = T_U32,
		  [KICE_A_EVENT_IDLE] = T_U32 },
};

static void print_set(FILE *f, const char *prefix, const struct nlattr *first,
		      size_t len, const struct aset *set)
{
	const struct nlattr *a;
	int count[16] = {};

	for (a = first; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		unsigned int t = mnl_attr_get_type(a);
		char key[128], ip[INET6_ADDRSTRLEN];

		len -= (const char *)mnl_attr_next(a) - (const char *)a;
		if (t >= 16 || !set->name[t])
			continue;
		if (set->multi[t])
			snprintf(key, sizeof(key), "%s%s%d", prefix,
				 set->name[t], count[t]++);
		else
			snprintf(key, sizeof(key), "%s%s", prefix,
				 set->name[t]);
		switch (set->type[t]) {
		case T_U8:
			fprintf(f, "%s=%u\n", key, mnl_attr_get_u8(a));
			break;
		case T_U16:
			fprintf(f, "%s=%u\n", key, mnl_attr_get_u16(a));
			break;
		case T_U32:
			fprintf(f, "%s=%u\n", key, mnl_attr_get_u32(a));
			break;
		case T_U64:
			fprintf(f, "%s=%llu\n", key,
				(unsigned long long)mnl_attr_get_u64(a));
			break;
		case T_BIN:
			inet_ntop(mnl_attr_get_payload_len(a) == 4 ? AF_INET :
				  AF_INET6, mnl_attr_get_payload(a), ip,
				  sizeof(ip));
			fprintf(f, "%s=%s\n", key, ip);
			break;
		case T_NEST: {
			char sub[160];

			snprintf(sub, sizeof(sub), "%s%s", key,
				 set->name[t][0] ? "." : "");
			print_set(f, sub, mnl_attr_get_payload(a),
				  mnl_attr_get_payload_len(a), set->nest[t]);
			break;
		}
		}
	}
}

static int print_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct aset *set = data;
	const char *name = "";

	if (!set) {
		switch (g->cmd) {
		case KICE_CMD_FLOW_NEW_NTF:
			name = "flow-new";
			set = &flow_set;
			break;
		case KICE_CMD_FLOW_DEL_NTF:
			name = "flow-del";
			set = &flow_set;
			break;
		case KICE_CMD_IDLE_NTF:
			name = "idle";
			set = &event_set;
			break;
		case KICE_CMD_SRC_MISMATCH_NTF:
			name = "src-mismatch";
			set = &event_set;
			break;
		case KICE_CMD_SSRC_CHANGE_NTF:
			name = "ssrc-change";
			set = &event_set;
			break;
		default:
			printf("event=unknown-%u\n", g->cmd);
			return MNL_CB_OK;
		}
		printf("event=%s\n", name);
	}
	print_set(stdout, "", (const struct nlattr *)((const char *)g + GENL_HDRLEN),
		  mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, set);
	printf("--\n");
	fflush(stdout);
	return MNL_CB_OK;
}

int kt_get(uint8_t cmd, int id_attr, uint32_t id, bool dump)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct aset *set = cmd == KICE_CMD_SOCK_GET ? &sock_set : &flow_set;
	struct nlmsghdr *nlh;

	nlh = knl_req(&kt_nl, buf, cmd, NLM_F_ACK | (dump ? NLM_F_DUMP : 0));
	if (!dump)
		mnl_attr_put_u32(nlh, id_attr, id);
	return knl_request(&kt_nl, nlh, print_cb, (void *)set);
}

/* Print monitor events for @ms milliseconds or until @max events. */
int kt_monitor_print(int ms, int max)
{
	int err, events = 0;
	struct timeval tv;
	uint64_t end = kt_now_ms() + ms;

	while (events < max) {
		int64_t left = (int64_t)(end - kt_now_ms());

		if (left <= 0)
			break;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		setsockopt(knl_fd(&kt_nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
			   sizeof(tv));
		err = knl_monitor_recv_raw(&kt_nl, print_cb, NULL);
		if (err == -EAGAIN || err == -EINTR)
			continue;
		if (err)
			return err;
		events++;
	}
	return 0;
}
