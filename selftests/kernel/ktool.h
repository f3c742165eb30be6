/* SPDX-License-Identifier: GPL-2.0 */
/* kice-ktool: test helper for kice.ko (netlink client, traffic tools). */
#ifndef KTOOL_H
#define KTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "knl/knl.h"

/* the tool's netlink socket (agent/knl); extack in kt_nl.extack */
extern struct knl kt_nl;

int kt_monitor_print(int ms, int max);
int kt_get(uint8_t cmd, int id_attr, uint32_t id, bool dump);
uint64_t kt_now_ms(void);

char *kt_parse_ep(char *s, struct sockaddr_storage *ss, socklen_t *len);
int kt_udp_bound(char *ep);
void kt_ep_str(const struct sockaddr_storage *ss, char *out, size_t n);
int kt_turnhold(int argc, char **argv);

#endif
