/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control socket addresses: "HOST:PORT", "[V6]:PORT", "PORT" (loopback),
 * "udp:..." and "unix:/path" or "/path" for a Unix datagram socket.
 */
#ifndef KICE_CTL_NG_ADDR_H
#define KICE_CTL_NG_ADDR_H

#include <sys/socket.h>

struct ng_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* 0 on success, -1 on a malformed address (errno EINVAL). */
int ng_addr_parse(const char *s, struct ng_addr *a);
/* "127.0.0.1:2223", "[::1]:2223" or "unix:/path" into buf. */
const char *ng_addr_str(const struct ng_addr *a, char *buf, size_t len);

#endif /* KICE_CTL_NG_ADDR_H */
