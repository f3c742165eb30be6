// SPDX-License-Identifier: GPL-2.0
/*
 * kiced's notifications to systemd (Type=notify units, WatchdogSec=).
 * libsystemd's sd_notify() does the protocol; this file decides what to
 * say and when.  Only the kiced binary links it (the tests and fuzzers
 * have no service manager).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/service.h"

static struct {
	bool watchdog;		/* WatchdogSec= is set for us */
	size_t calls, flows;	/* what the last STATUS said */
	bool said;
} svc;

static void service_status(struct kiced *k, bool force)
{
	size_t calls = k->calls.count, flows = k->media.flows;

	if (!force && svc.said && calls == svc.calls && flows == svc.flows)
		return;
	svc.calls = calls;
	svc.flows = flows;
	svc.said = true;
	sd_notifyf(0, "STATUS=%zu calls, %zu kernel flows, media relay: %s",
		   calls, flows, k->media.kernel ? "kernel" : "userspace");
}

void service_ready(struct kiced *k)
{
	uint64_t usec = 0;
	int ret;

	svc.watchdog = sd_watchdog_enabled(0, &usec) > 0;
	ret = sd_notify(0, "READY=1");
	if (ret < 0)
		klog_warn("sd_notify: %s", strerror(-ret));
	else if (ret > 0)
		klog_info("told systemd: ready%s", svc.watchdog ?
			  ", watchdog on" : "");
	service_status(k, true);
	/* the loop ticks every second: fine for any WatchdogSec= >= 2 s */
	if (svc.watchdog && usec < 2000000)
		klog_warn("WatchdogSec= below 2 s: kiced pings once a second");
}

void service_tick(struct kiced *k)
{
	if (svc.watchdog)
		sd_notify(0, "WATCHDOG=1");
	service_status(k, false);
}

void service_stopping(struct kiced *k)
{
	sd_notifyf(0, "STOPPING=1\nSTATUS=stopping: %zu calls",
		   k->calls.count);
}
