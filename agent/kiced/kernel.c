// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client for kice.ko (libmnl), synchronous requests.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kice.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiced/kernel.h"

struct kernel_reply {
	bool legs;			/* parse leg statistics (flow-get) */
	uint16_t family;		/* CTRL_CMD_GETFAMILY */
	uint32_t id;			/* sock or flow id */
	struct kernel_leg_stats *stats[2];
};

static struct nlmsghdr *kernel_msg(struct kernel_nl *k, char *buf,
				   uint16_t type, uint8_t cmd, uint8_t version,
				   uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int kernel_stats_attr(const struct nlattr *a, void *data)
{
	struct kernel_leg_stats *st = data;

	switch (mnl_attr_get_type(a)) {
	case KICE_A_LEG_STATS_RX_PACKETS:
		st->rx_packets = mnl_attr_get_u64(a);
		break;
	case KICE_A_LEG_STATS_RX_BYTES:
		st->rx_bytes = mnl_attr_get_u64(a);
		break;
	case KICE_A_LEG_STATS_TX_PACKETS:
		st->tx_packets = mnl_attr_get_u64(a);
		break;
	case KICE_A_LEG_STATS_TX_BYTES:
		st->tx_bytes = mnl_attr_get_u64(a);
		break;
	case KICE_A_LEG_STATS_LAST_RX_AGE:
		st->last_rx_age_ms = (int64_t)mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int kernel_leg_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == KICE_A_LEG_STATS && data)
		mnl_attr_parse_nested(a, kernel_stats_attr, data);
	return MNL_CB_OK;
}

static int kernel_attr(const struct nlattr *a, void *data)
{
	struct kernel_reply *r = data;

	switch (mnl_attr_get_type(a)) {
	case KICE_A_FLOW_ID:	/* == KICE_A_SOCK_ID */
		if (mnl_attr_get_payload_len(a) == 4)
			r->id = mnl_attr_get_u32(a);
		break;
	case KICE_A_FLOW_LEG_A:
		if (r->legs)
			mnl_attr_parse_nested(a, kernel_leg_attr, r->stats[0]);
		break;
	case KICE_A_FLOW_LEG_B:
		if (r->legs)
			mnl_attr_parse_nested(a, kernel_leg_attr, r->stats[1]);
		break;
	}
	return MNL_CB_OK;
}

static int kernel_ctrl_attr(const struct nlattr *a, void *data)
{
	struct kernel_reply *r = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		r->family = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int kernel_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kernel_reply *r = data;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
				      kernel_ctrl_attr, r) < 0 ?
			MNL_CB_ERROR : MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kernel_attr,
			      r) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Send @nlh and run replies through kernel_cb until the ACK.  -errno. */
static int kernel_talk(struct kernel_nl *k, struct nlmsghdr *nlh,
		       struct kernel_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq;
	int n, ret;

	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = (int)mnl_socket_recvfrom(k->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, k->portid, kernel_cb, r);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int kernel_open(struct kernel_nl *k)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct kernel_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	memset(k, 0, sizeof(*k));
	k->seq = (uint32_t)time(NULL);
	k->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!k->nl)
		return -errno;
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	k->portid = mnl_socket_get_portid(k->nl);
	nlh = kernel_msg(k, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KICE_FAMILY_NAME);
	err = kernel_talk(k, nlh, &r);
	if (err)
		goto fail;
	if (!r.family) {
		err = -ENOENT;
		goto fail;
	}
	k->family = r.family;
	return 0;
fail:
	mnl_socket_close(k->nl);
	k->nl = NULL;
	return err;
}

void kernel_close(struct kernel_nl *k)
{
	if (k->nl)
		mnl_socket_close(k->nl);
	k->nl = NULL;
}

int kernel_sock_attach(struct kernel_nl *k, int fd, uint32_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct kernel_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = kernel_msg(k, buf, k->family, KICE_CMD_SOCK_ATTACH,
			 KICE_FAMILY_VERSION, 0);
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, (uint32_t)fd);
	/* what no flow matches (STUN, other sources) goes to userspace */
	mnl_attr_put_u32(nlh, KICE_A_SOCK_UNKNOWN_POLICY,
			 KICE_UNKNOWN_POLICY_PASS);
	err = kernel_talk(k, nlh, &r);
	if (err)
		return err;
	if (!r.id)
		return -EPROTO;
	*id = r.id;
	return 0;
}

static int kernel_id_cmd(struct kernel_nl *k, uint8_t cmd, uint16_t attr,
			 uint32_t id, struct kernel_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = kernel_msg(k, buf, k->family, cmd, KICE_FAMILY_VERSION, 0);
	mnl_attr_put_u32(nlh, attr, id);
	return kernel_talk(k, nlh, r);
}

int kernel_sock_detach(struct kernel_nl *k, uint32_t id)
{
	struct kernel_reply r = { 0 };

	return kernel_id_cmd(k, KICE_CMD_SOCK_DETACH, KICE_A_SOCK_ID, id, &r);
}

static void kernel_put_leg(struct nlmsghdr *nlh, uint16_t type,
			   const struct kernel_leg *leg)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, KICE_A_LEG_SOCK, leg->sock);
	if (leg->remote->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)leg->remote;

		mnl_attr_put(nlh, KICE_A_LEG_IPV4, 4, &sin->sin_addr);
		mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)leg->remote;

		mnl_attr_put(nlh, KICE_A_LEG_IPV6, 16, &sin6->sin6_addr);
		mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, ntohs(sin6->sin6_port));
	}
	mnl_attr_nest_end(nlh, nest);
}

int kernel_flow_new(struct kernel_nl *k, const struct kernel_leg *a,
		    const struct kernel_leg *b, uint32_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct kernel_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = kernel_msg(k, buf, k->family, KICE_CMD_FLOW_NEW,
			 KICE_FAMILY_VERSION, 0);
	kernel_put_leg(nlh, KICE_A_FLOW_LEG_A, a);
	kernel_put_leg(nlh, KICE_A_FLOW_LEG_B, b);
	err = kernel_talk(k, nlh, &r);
	if (err)
		return err;
	if (!r.id)
		return -EPROTO;
	*id = r.id;
	return 0;
}

int kernel_flow_del(struct kernel_nl *k, uint32_t id)
{
	struct kernel_reply r = { 0 };

	return kernel_id_cmd(k, KICE_CMD_FLOW_DEL, KICE_A_FLOW_ID, id, &r);
}

int kernel_flow_stats(struct kernel_nl *k, uint32_t id,
		      struct kernel_leg_stats *a, struct kernel_leg_stats *b)
{
	struct kernel_reply r = { .legs = true, .stats = { a, b } };

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->last_rx_age_ms = b->last_rx_age_ms = -1;
	return kernel_id_cmd(k, KICE_CMD_FLOW_GET, KICE_A_FLOW_ID, id, &r);
}
