/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice.ko control from kiced: attach media sockets and install flows over
 * the "kice" generic netlink family (include/uapi/linux/kice.h).
 */
#ifndef KICE_KICED_KERNEL_H
#define KICE_KICED_KERNEL_H

#include <stdint.h>
#include <sys/socket.h>

struct kernel_nl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t portid;
	uint32_t seq;
};

/* One side of a flow: an attached socket and the remote it talks to. */
struct kernel_leg {
	uint32_t sock;
	const struct sockaddr *remote;
};

struct kernel_leg_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	int64_t last_rx_age_ms;		/* -1: nothing received yet */
};

/* 0, or -errno (-ENOENT: family "kice" not registered: module absent). */
int kernel_open(struct kernel_nl *k);
void kernel_close(struct kernel_nl *k);
int kernel_sock_attach(struct kernel_nl *k, int fd, uint32_t *id);
int kernel_sock_detach(struct kernel_nl *k, uint32_t id);
int kernel_flow_new(struct kernel_nl *k, const struct kernel_leg *a,
		    const struct kernel_leg *b, uint32_t *id);
int kernel_flow_del(struct kernel_nl *k, uint32_t id);
/* Counters of a flow's legs; -ENOENT once the flow is gone. */
int kernel_flow_stats(struct kernel_nl *k, uint32_t id,
		      struct kernel_leg_stats *a, struct kernel_leg_stats *b);

#endif /* KICE_KICED_KERNEL_H */
