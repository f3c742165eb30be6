/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced and kice.ko: the netlink requests themselves are agent/knl's; this
 * is what kiced does with the kernel's monitor events (idle flows end their
 * call, flows removed behind kiced's back fall back to userspace).
 */
#ifndef KICE_KICED_KERNEL_H
#define KICE_KICED_KERNEL_H

#include "knl/knl.h"

struct kiced;

/* Join the monitor group on a socket of its own; 0 or -errno. */
int kernel_monitor_open(struct kiced *k);
void kernel_monitor_close(struct kiced *k);
/* Dispatch one monitor event (exported for the tests). */
void kernel_monitor_event(const struct knl_event *ev, void *arg);

#endif /* KICE_KICED_KERNEL_H */
