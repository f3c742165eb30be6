// SPDX-License-Identifier: GPL-2.0
/*
 * knl: generic netlink client of kice.ko over libmnl.
 *
 * Requests are synchronous: send, then read until the ACK (or NLMSG_DONE
 * of a dump) with the request's sequence number.  Replies and events share
 * one parser, knl_parse_flow(), so that what kiced adopts, what kicectl
 * shows and what the monitor prints come from the same code.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kice.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "knl/knl.h"

struct knl_reply {
	struct knl *k;
	uint32_t id;			/* new sock or flow id */
	struct knl_flow_info *flow;	/* flow-get */
	int (*flow_cb)(const struct knl_flow_info *f, void *arg);
	int (*sock_cb)(const struct knl_sock_info *s, void *arg);
	knl_msg_cb raw_cb;		/* knl_request() */
	void *arg;
	int stopped;			/* non-zero return of a dump callback */
};

static struct nlmsghdr *knl_msg(struct knl *k, char *buf, uint16_t type,
				uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* ---- attribute parsers ---- */

static void knl_addr(const struct nlattr *a, int family, uint16_t port,
		     struct sockaddr_storage *ss)
{
	if (family == AF_INET && mnl_attr_get_payload_len(a) == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, mnl_attr_get_payload(a), 4);
		sin->sin_port = htons(port);
	} else if (family == AF_INET6 && mnl_attr_get_payload_len(a) == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, mnl_attr_get_payload(a), 16);
		sin6->sin6_port = htons(port);
	}
}

/* Collect attributes of one nest by type: tb[type], types up to @max. */
static void knl_table(const struct nlattr *nest, const struct nlattr **tb,
		      int max)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
}

static uint64_t knl_u64(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) == 8 ? mnl_attr_get_u64(a) : 0;
}

static uint32_t knl_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static uint16_t knl_u16(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 2 ? mnl_attr_get_u16(a) : 0;
}

static void knl_parse_stats(const struct nlattr *nest, struct knl_stats *st)
{
	const struct nlattr *tb[KICE_A_LEG_STATS_MAX + 1];

	knl_table(nest, tb, KICE_A_LEG_STATS_MAX);
	st->rx_packets = knl_u64(tb[KICE_A_LEG_STATS_RX_PACKETS]);
	st->rx_bytes = knl_u64(tb[KICE_A_LEG_STATS_RX_BYTES]);
	st->tx_packets = knl_u64(tb[KICE_A_LEG_STATS_TX_PACKETS]);
	st->tx_bytes = knl_u64(tb[KICE_A_LEG_STATS_TX_BYTES]);
	st->rtcp_packets = knl_u64(tb[KICE_A_LEG_STATS_RTCP_PACKETS]);
	st->rtcp_bytes = knl_u64(tb[KICE_A_LEG_STATS_RTCP_BYTES]);
	st->dtls_packets = knl_u64(tb[KICE_A_LEG_STATS_DTLS_PACKETS]);
	st->stun_passed = knl_u64(tb[KICE_A_LEG_STATS_STUN_PASSED]);
	st->drop_malformed = knl_u64(tb[KICE_A_LEG_STATS_DROP_MALFORMED]);
	st->drop_unknown = knl_u64(tb[KICE_A_LEG_STATS_DROP_UNKNOWN]);
	st->drop_tx = knl_u64(tb[KICE_A_LEG_STATS_DROP_TX]);
	st->last_rx_age_ms = tb[KICE_A_LEG_STATS_LAST_RX_AGE] ?
		(int64_t)knl_u64(tb[KICE_A_LEG_STATS_LAST_RX_AGE]) : -1;
}

static void knl_parse_leg(const struct nlattr *nest,
			  struct knl_flow_info *f, int i)
{
	const struct nlattr *tb[KICE_A_LEG_MAX + 1];
	uint16_t port, tport;

	knl_table(nest, tb, KICE_A_LEG_MAX);
	f->leg[i].sock = knl_u32(tb[KICE_A_LEG_SOCK]);
	port = knl_u16(tb[KICE_A_LEG_PORT]);
	if (tb[KICE_A_LEG_IPV4])
		knl_addr(tb[KICE_A_LEG_IPV4], AF_INET, port, &f->leg[i].remote);
	else if (tb[KICE_A_LEG_IPV6])
		knl_addr(tb[KICE_A_LEG_IPV6], AF_INET6, port,
			 &f->leg[i].remote);
	tport = knl_u16(tb[KICE_A_LEG_TURN_PORT]);
	if (tb[KICE_A_LEG_TURN_IPV4])
		knl_addr(tb[KICE_A_LEG_TURN_IPV4], AF_INET, tport,
			 &f->leg[i].turn);
	else if (tb[KICE_A_LEG_TURN_IPV6])
		knl_addr(tb[KICE_A_LEG_TURN_IPV6], AF_INET6, tport,
			 &f->leg[i].turn);
	f->leg[i].channel = knl_u16(tb[KICE_A_LEG_CHANNEL]);
	f->leg[i].st.last_rx_age_ms = -1;
	if (tb[KICE_A_LEG_STATS])
		knl_parse_stats(tb[KICE_A_LEG_STATS], &f->leg[i].st);
}

static void knl_parse_flow(const struct nlmsghdr *nlh,
			   struct knl_flow_info *f)
{
	const struct nlattr *a;

	memset(f, 0, sizeof(*f));
	f->dscp = -1;
	f->leg[0].st.last_rx_age_ms = f->leg[1].st.last_rx_age_ms = -1;
	f->leg[2].st.last_rx_age_ms = -1;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_FLOW_ID:
			f->id = knl_u32(a);
			break;
		case KICE_A_FLOW_LEG_A:
			knl_parse_leg(a, f, 0);
			break;
		case KICE_A_FLOW_LEG_B:
			knl_parse_leg(a, f, 1);
			break;
		case KICE_A_FLOW_LEG_B_RTCP:
			knl_parse_leg(a, f, 2);
			f->has_b_rtcp = true;
			break;
		case KICE_A_FLOW_DTLS_POLICY:
			f->dtls_policy = knl_u32(a);
			break;
		case KICE_A_FLOW_DSCP:
			if (mnl_attr_get_payload_len(a) >= 1)
				f->dscp = mnl_attr_get_u8(a);
			break;
		case KICE_A_FLOW_IDLE_TIMEOUT:
			f->idle_ms = knl_u32(a);
			break;
		}
	}
}

static void knl_parse_sock(const struct nlmsghdr *nlh,
			   struct knl_sock_info *s)
{
	const struct nlattr *a;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_SOCK_ID:
			s->id = knl_u32(a);
			break;
		case KICE_A_SOCK_FAMILY:
			s->family = knl_u16(a);
			break;
		case KICE_A_SOCK_PORT:
			s->port = knl_u16(a);
			break;
		case KICE_A_SOCK_UNKNOWN_POLICY:
			s->unknown_policy = knl_u32(a);
			break;
		case KICE_A_SOCK_STUN_PASSED:
			s->stun_passed = knl_u64(a);
			break;
		case KICE_A_SOCK_UNKNOWN_PASSED:
			s->unknown_passed = knl_u64(a);
			break;
		case KICE_A_SOCK_UNKNOWN_DROPPED:
			s->unknown_dropped = knl_u64(a);
			break;
		case KICE_A_SOCK_FLOWS:
			s->flows = knl_u32(a);
			break;
		}
	}
}

/* ---- request/reply ---- */

static int knl_ctrl_cb(const struct nlmsghdr *nlh, struct knl *k)
{
	const struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			k->family = knl_u16(a);
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(g, a) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];

			knl_table(g, tb, CTRL_ATTR_MCAST_GRP_MAX);
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] &&
			    tb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				    KICE_MCGRP_MONITOR))
				k->mcgrp = knl_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
	}
	return MNL_CB_OK;
}

static int knl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl_reply *r = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return knl_ctrl_cb(nlh, r->k);
	if (r->raw_cb)
		return r->raw_cb(nlh, r->arg);
	if (r->stopped)
		return MNL_CB_OK;	/* drain the rest of the dump */
	if (g->cmd == KICE_CMD_SOCK_GET && r->sock_cb) {
		struct knl_sock_info s;

		knl_parse_sock(nlh, &s);
		r->stopped = r->sock_cb(&s, r->arg);
	} else if (g->cmd == KICE_CMD_FLOW_GET && (r->flow_cb || r->flow)) {
		struct knl_flow_info f;

		knl_parse_flow(nlh, r->flow ? r->flow : &f);
		if (r->flow_cb)
			r->stopped = r->flow_cb(&f, r->arg);
	} else if (knl_msg_id(nlh)) {
		/* sock-attach and flow-new replies: the new id */
		r->id = knl_msg_id(nlh);
	}
	return MNL_CB_OK;
}

uint32_t knl_msg_id(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	uint32_t id = 0;

	/* KICE_A_SOCK_ID and KICE_A_FLOW_ID are both attribute 1 */
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == KICE_A_FLOW_ID)
			id = knl_u32(a);
	return id;
}

static int knl_err_tlv(const struct nlattr *a, void *data)
{
	struct knl *k = data;

	k->extack_attrs++;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(k->extack, sizeof(k->extack), "%s",
			 mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* An NLMSG_ERROR message: 0 (ACK) or -errno, the extended ACK kept. */
static int knl_ack(struct knl *k, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*e);

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, (unsigned int)off, knl_err_tlv, k);
	}
	return e->error;
}

static int knl_err_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl_reply *r = data;
	int err = knl_ack(r->k, nlh);

	if (!err)
		return MNL_CB_STOP;
	errno = -err;
	return MNL_CB_ERROR;
}

static int knl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

/* Send @nlh and run the replies until the ACK or DONE.  0 or -errno. */
static int knl_talk(struct knl *k, struct nlmsghdr *nlh, struct knl_reply *r)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = knl_err_cb,
		[NLMSG_DONE] = knl_done_cb,
	};
	char *buf;
	uint32_t seq = nlh->nlmsg_seq;
	int n, ret, err = 0;

	k->extack[0] = 0;
	k->extack_attrs = 0;
	r->k = k;
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* dumps are sized by the kernel after the reader's buffer */
	buf = malloc(32768);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = (int)mnl_socket_recvfrom(k->nl, buf, 32768);
		if (n < 0) {
			err = -errno;
			break;
		}
		ret = mnl_cb_run2(buf, (size_t)n, seq, k->portid, knl_data_cb,
				  r, ctl, NLMSG_MIN_TYPE);
		if (ret < 0) {
			err = errno ? -errno : -EPROTO;
			break;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	free(buf);
	return err;
}

int knl_open(struct knl *k)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct knl_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err, one = 1;

	memset(k, 0, sizeof(*k));
	k->seq = (uint32_t)time(NULL);
	k->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!k->nl)
		return -errno;
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	/* extended ACK: the kernel says what was wrong */
	mnl_socket_setsockopt(k->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	k->portid = mnl_socket_get_portid(k->nl);
	nlh = knl_msg(k, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		      NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KICE_FAMILY_NAME);
	err = knl_talk(k, nlh, &r);
	if (!err && !k->family)
		err = -ENOENT;
	if (err)
		goto fail;
	return 0;
fail:
	mnl_socket_close(k->nl);
	k->nl = NULL;
	return err;
}

void knl_close(struct knl *k)
{
	if (k->nl)
		mnl_socket_close(k->nl);
	k->nl = NULL;
}

int knl_fd(const struct knl *k)
{
	return k->nl ? mnl_socket_get_fd(k->nl) : -1;
}

int knl_sock_attach(struct knl *k, int fd, uint32_t *id)
{
	/* what no flow matches (STUN, other sources) goes to userspace */
	return knl_sock_attach_policy(k, fd, KICE_UNKNOWN_POLICY_PASS, id);
}

int knl_sock_attach_policy(struct knl *k, int fd, uint32_t policy,
			   uint32_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct knl_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = knl_msg(k, buf, k->family, KICE_CMD_SOCK_ATTACH,
		      KICE_FAMILY_VERSION, NLM_F_ACK);
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, (uint32_t)fd);
	mnl_attr_put_u32(nlh, KICE_A_SOCK_UNKNOWN_POLICY, policy);
	err = knl_talk(k, nlh, &r);
	if (err)
		return err;
	if (!r.id)
		return -EPROTO;
	*id = r.id;
	return 0;
}

static int knl_id_cmd(struct knl *k, uint8_t cmd, uint16_t attr, uint32_t id,
		      struct knl_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = knl_msg(k, buf, k->family, cmd, KICE_FAMILY_VERSION, NLM_F_ACK);
	mnl_attr_put_u32(nlh, attr, id);
	return knl_talk(k, nlh, r);
}

int knl_sock_detach(struct knl *k, uint32_t id)
{
	struct knl_reply r = { 0 };

	return knl_id_cmd(k, KICE_CMD_SOCK_DETACH, KICE_A_SOCK_ID, id, &r);
}

void knl_put_leg(struct nlmsghdr *nlh, uint16_t type,
		 const struct knl_leg *leg)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (leg->sock)
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
	if (leg->turn && leg->turn->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)leg->turn;

		mnl_attr_put(nlh, KICE_A_LEG_TURN_IPV4, 4, &sin->sin_addr);
		mnl_attr_put_u16(nlh, KICE_A_LEG_TURN_PORT,
				 ntohs(sin->sin_port));
		mnl_attr_put_u16(nlh, KICE_A_LEG_CHANNEL, leg->channel);
	} else if (leg->turn && leg->turn->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)leg->turn;

		mnl_attr_put(nlh, KICE_A_LEG_TURN_IPV6, 16, &sin6->sin6_addr);
		mnl_attr_put_u16(nlh, KICE_A_LEG_TURN_PORT,
				 ntohs(sin6->sin6_port));
		mnl_attr_put_u16(nlh, KICE_A_LEG_CHANNEL, leg->channel);
	}
	mnl_attr_nest_end(nlh, nest);
}

int knl_flow_new(struct knl *k, const struct knl_leg *a,
		 const struct knl_leg *b, uint32_t idle_ms, uint32_t *id)
{
	return knl_flow_new_demux(k, a, b, NULL, idle_ms, id);
}

int knl_flow_new_demux(struct knl *k, const struct knl_leg *a,
		       const struct knl_leg *b, const struct knl_leg *b_rtcp,
		       uint32_t idle_ms, uint32_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct knl_reply r = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = knl_msg(k, buf, k->family, KICE_CMD_FLOW_NEW,
		      KICE_FAMILY_VERSION, NLM_F_ACK);
	knl_put_leg(nlh, KICE_A_FLOW_LEG_A, a);
	knl_put_leg(nlh, KICE_A_FLOW_LEG_B, b);
	if (b_rtcp)
		knl_put_leg(nlh, KICE_A_FLOW_LEG_B_RTCP, b_rtcp);
	if (idle_ms)
		mnl_attr_put_u32(nlh, KICE_A_FLOW_IDLE_TIMEOUT, idle_ms);
	err = knl_talk(k, nlh, &r);
	if (err)
		return err;
	if (!r.id)
		return -EPROTO;
	*id = r.id;
	return 0;
}

/* Room for one flow-new request: two legs with IPv6 remotes and TURN. */
#define KNL_FLOW_NEW_ROOM	256

int knl_flow_new_batch(struct knl *k, const struct knl_leg *legs, size_t n,
		       uint32_t *ids)
{
	char *buf = malloc(KNL_BATCH * KNL_FLOW_NEW_ROOM), *rbuf;
	size_t i = 0, j, cnt, answered;
	int err = 0, r;

	rbuf = malloc(32768);
	if (!buf || !rbuf) {
		free(buf);
		free(rbuf);
		return -ENOMEM;
	}
	k->extack[0] = 0;
	k->extack_attrs = 0;
	while (i < n) {
		uint32_t seq0 = k->seq + 1;
		const struct nlmsghdr *m;
		struct nlmsghdr *nlh;
		size_t len = 0, first = i;

		for (cnt = 0; cnt < KNL_BATCH && i < n; cnt++, i++) {
			nlh = knl_msg(k, buf + len, k->family,
				      KICE_CMD_FLOW_NEW, KICE_FAMILY_VERSION,
				      NLM_F_ACK);
			knl_put_leg(nlh, KICE_A_FLOW_LEG_A, &legs[2 * i]);
			knl_put_leg(nlh, KICE_A_FLOW_LEG_B, &legs[2 * i + 1]);
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (mnl_socket_sendto(k->nl, buf, len) < 0) {
			err = -errno;
			break;
		}
		for (answered = 0; answered < cnt;) {
			ssize_t got = mnl_socket_recvfrom(k->nl, rbuf, 32768);
			int left = (int)got;

			if (got < 0) {
				err = -errno;
				goto out;
			}
			for (m = (const void *)rbuf; mnl_nlmsg_ok(m, left);
			     m = mnl_nlmsg_next(m, &left)) {
				j = m->nlmsg_seq - seq0;	/* request */
				if (m->nlmsg_pid != k->portid || j >= cnt)
					continue;
				if (m->nlmsg_type != NLMSG_ERROR) {
					if (ids)
						ids[first + j] = knl_msg_id(m);
					continue;
				}
				answered++;
				if (err)	/* the first error's extack */
					continue;
				r = knl_ack(k, m);
				if (r)
					err = r;
			}
		}
	}
out:
	free(buf);
	free(rbuf);
	return err;
}

int knl_flow_set(struct knl *k, uint32_t id, const struct knl_leg *a,
		 const struct knl_leg *b)
{
	return knl_flow_set_demux(k, id, a, b, NULL);
}

int knl_flow_set_demux(struct knl *k, uint32_t id, const struct knl_leg *a,
		       const struct knl_leg *b, const struct knl_leg *b_rtcp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct knl_reply r = { 0 };
	struct nlmsghdr *nlh;

	nlh = knl_msg(k, buf, k->family, KICE_CMD_FLOW_SET,
		      KICE_FAMILY_VERSION, NLM_F_ACK);
	mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, id);
	if (a)
		knl_put_leg(nlh, KICE_A_FLOW_LEG_A, a);
	if (b)
		knl_put_leg(nlh, KICE_A_FLOW_LEG_B, b);
	if (b_rtcp)
		knl_put_leg(nlh, KICE_A_FLOW_LEG_B_RTCP, b_rtcp);
	return knl_talk(k, nlh, &r);
}

int knl_flow_del(struct knl *k, uint32_t id)
{
	struct knl_reply r = { 0 };

	return knl_id_cmd(k, KICE_CMD_FLOW_DEL, KICE_A_FLOW_ID, id, &r);
}

int knl_flow_get(struct knl *k, uint32_t id, struct knl_flow_info *f)
{
	struct knl_reply r = { .flow = f };

	memset(f, 0, sizeof(*f));
	return knl_id_cmd(k, KICE_CMD_FLOW_GET, KICE_A_FLOW_ID, id, &r);
}

int knl_flow_leg_stats(struct knl *k, uint32_t id,
		       struct knl_stats st[KNL_NLEGS])
{
	struct knl_flow_info *f = malloc(sizeof(*f));
	int err, i;

	if (!f)
		return -ENOMEM;
	err = knl_flow_get(k, id, f);
	if (!err && f->id != id)
		err = -EPROTO;
	if (!err)
		for (i = 0; i < KNL_NLEGS; i++)
			st[i] = f->leg[i].st;
	free(f);
	return err;
}

int knl_flow_stats(struct knl *k, uint32_t id, struct knl_stats *a,
		   struct knl_stats *b)
{
	struct knl_stats st[KNL_NLEGS];
	int err = knl_flow_leg_stats(k, id, st);

	if (!err) {
		*a = st[0];
		*b = st[1];
	}
	return err;
}

static int knl_dump(struct knl *k, uint8_t cmd, struct knl_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = knl_msg(k, buf, k->family, cmd, KICE_FAMILY_VERSION,
		      NLM_F_DUMP);
	return knl_talk(k, nlh, r);
}

int knl_flow_dump(struct knl *k,
		  int (*cb)(const struct knl_flow_info *f, void *arg),
		  void *arg)
{
	struct knl_reply r = { .flow_cb = cb, .arg = arg };

	return knl_dump(k, KICE_CMD_FLOW_GET, &r);
}

int knl_sock_dump(struct knl *k,
		  int (*cb)(const struct knl_sock_info *s, void *arg),
		  void *arg)
{
	struct knl_reply r = { .sock_cb = cb, .arg = arg };

	return knl_dump(k, KICE_CMD_SOCK_GET, &r);
}

/* ---- raw messages ---- */

struct nlmsghdr *knl_req(struct knl *k, void *buf, uint8_t cmd,
			 uint16_t flags)
{
	return knl_msg(k, buf, k->family, cmd, KICE_FAMILY_VERSION, flags);
}

int knl_request(struct knl *k, struct nlmsghdr *nlh, knl_msg_cb cb,
		void *arg)
{
	struct knl_reply r = { .raw_cb = cb, .arg = arg };

	return knl_talk(k, nlh, &r);
}

/* ---- monitor ---- */

int knl_monitor_join(struct knl *k)
{
	int grp = (int)k->mcgrp;

	if (!k->mcgrp)
		return -ENOENT;
	if (mnl_socket_setsockopt(k->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

static void knl_parse_event(const struct nlmsghdr *nlh, struct knl_event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *ip = NULL;
	int family = 0;
	uint16_t port = 0;

	memset(ev, 0, sizeof(*ev));
	ev->cmd = g->cmd;
	ev->leg = -1;
	if (g->cmd == KICE_CMD_FLOW_NEW_NTF || g->cmd == KICE_CMD_FLOW_DEL_NTF) {
		knl_parse_flow(nlh, &ev->flow);
		ev->flow_id = ev->flow.id;
		return;
	}
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_EVENT_FLOW_ID:
			ev->flow_id = knl_u32(a);
			break;
		case KICE_A_EVENT_LEG:
			if (mnl_attr_get_payload_len(a) >= 1)
				ev->leg = mnl_attr_get_u8(a);
			break;
		case KICE_A_EVENT_SOCK_ID:
			ev->sock_id = knl_u32(a);
			break;
		case KICE_A_EVENT_IPV4:
			ip = a;
			family = AF_INET;
			break;
		case KICE_A_EVENT_IPV6:
			ip = a;
			family = AF_INET6;
			break;
		case KICE_A_EVENT_PORT:
			port = knl_u16(a);
			break;
		case KICE_A_EVENT_SSRC:
			ev->ssrc = knl_u32(a);
			break;
		case KICE_A_EVENT_OLD_SSRC:
			ev->old_ssrc = knl_u32(a);
			break;
		case KICE_A_EVENT_IDLE:
			ev->idle_ms = knl_u32(a);
			break;
		}
	}
	if (ip)
		knl_addr(ip, family, port, &ev->addr);
}

struct knl_mon {
	struct knl *k;
	void (*cb)(const struct knl_event *ev, void *arg);
	void *arg;
};

static int knl_mon_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl_mon *m = data;
	struct knl_event *ev;

	if (nlh->nlmsg_type != m->k->family ||
	    nlh->nlmsg_len < mnl_nlmsg_size(GENL_HDRLEN))
		return MNL_CB_OK;
	ev = malloc(sizeof(*ev));
	if (!ev)
		return MNL_CB_OK;
	knl_parse_event(nlh, ev);
	m->cb(ev, m->arg);
	free(ev);
	return MNL_CB_OK;
}

int knl_monitor_recv_raw(struct knl *k, knl_msg_cb cb, void *arg)
{
	char *buf = malloc(32768);
	int n, err = 0;

	if (!buf)
		return -ENOMEM;
	n = (int)mnl_socket_recvfrom(k->nl, buf, 32768);
	if (n < 0)
		err = -errno;
	else if (mnl_cb_run(buf, (size_t)n, 0, 0, cb, arg) < 0)
		err = -errno;
	free(buf);
	return err;
}

int knl_monitor_recv(struct knl *k,
		     void (*cb)(const struct knl_event *ev, void *arg),
		     void *arg)
{
	struct knl_mon m = { k, cb, arg };

	return knl_monitor_recv_raw(k, knl_mon_cb, &m);
}

const char *knl_event_name(uint8_t cmd)
{
	switch (cmd) {
	case KICE_CMD_FLOW_NEW_NTF:
		return "flow-new";
	case KICE_CMD_FLOW_DEL_NTF:
		return "flow-del";
	case KICE_CMD_IDLE_NTF:
		return "idle";
	case KICE_CMD_SRC_MISMATCH_NTF:
		return "src-mismatch";
	case KICE_CMD_SSRC_CHANGE_NTF:
		return "ssrc-change";
	}
	return "unknown";
}
