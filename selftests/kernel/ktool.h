/* SPDX-License-Identifier: GPL-2.0 */
/* kice-ktool: test helper for kice.ko (netlink client, traffic tools). */
#ifndef KTOOL_H
#define KTOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

extern char kt_extack[256];
extern int kt_extack_tlvs;

int kt_open(void);
int kt_fd(void);
int kt_monitor_join(void);
int kt_monitor_print(int ms, int max);
struct nlmsghdr *kt_msg(char *buf, uint8_t cmd, uint16_t flags);
int kt_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int kt_get(uint8_t cmd, int id_attr, uint32_t id, bool dump);
uint64_t kt_now_ms(void);

#endif
