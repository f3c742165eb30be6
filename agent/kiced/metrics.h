/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced's metrics in Prometheus' text exposition format (0.0.4): calls,
 * ng requests, ICE sides by state, media counted by component, ports and
 * kernel flows.  metrics_http.c serves them on [control] metrics-listen.
 */
#ifndef KICE_KICED_METRICS_H
#define KICE_KICED_METRICS_H

#include <stddef.h>

struct kiced;

/* The metrics now, as a NUL-terminated text in *@out (caller frees). */
int metrics_render(struct kiced *k, char **out, size_t *len);

/* The HTTP endpoint ("" in the config: none).  0, or -1 (logged). */
int metrics_open(struct kiced *k);
void metrics_close(struct kiced *k);
/* From the loop's tick: connection timeouts. */
void metrics_tick(struct kiced *k);

#endif /* KICE_KICED_METRICS_H */
