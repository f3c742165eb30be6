/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced under a service manager: readiness, status, stopping and the
 * watchdog, told to systemd through sd_notify(3) (libsystemd).  Without
 * $NOTIFY_SOCKET (not started by systemd) every call does nothing.
 */
#ifndef KICE_KICED_SERVICE_H
#define KICE_KICED_SERVICE_H

struct kiced;

/* Sockets open, calls handed on adopted: READY=1 with a first STATUS. */
void service_ready(struct kiced *k);
/* From the loop's tick: STATUS when the counts changed, WATCHDOG=1. */
void service_tick(struct kiced *k);
/* The loop has ended: STOPPING=1. */
void service_stopping(struct kiced *k);

#endif /* KICE_KICED_SERVICE_H */
