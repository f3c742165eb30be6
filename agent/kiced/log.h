/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced logging: leveled messages to stderr (with a level prefix) or to
 * syslog (facility daemon).
 */
#ifndef KICE_KICED_LOG_H
#define KICE_KICED_LOG_H

#include <stdbool.h>

enum klog_level {
	KLOG_OFF = -1,	/* klog_init(KLOG_OFF): nothing is logged */
	KLOG_ERR,
	KLOG_WARN,
	KLOG_NOTICE,
	KLOG_INFO,
	KLOG_DEBUG,
};

void klog_init(enum klog_level level, bool use_syslog);
void klog_close(void);
/* -1 if @name is not one of err, warn, notice, info, debug. */
int klog_level_parse(const char *name);
const char *klog_level_name(enum klog_level level);
bool klog_enabled(enum klog_level level);

__attribute__((format(printf, 2, 3)))
void klog(enum klog_level level, const char *fmt, ...);

#define klog_err(...)		klog(KLOG_ERR, __VA_ARGS__)
#define klog_warn(...)		klog(KLOG_WARN, __VA_ARGS__)
#define klog_notice(...)	klog(KLOG_NOTICE, __VA_ARGS__)
#define klog_info(...)		klog(KLOG_INFO, __VA_ARGS__)
#define klog_debug(...)		klog(KLOG_DEBUG, __VA_ARGS__)

#endif /* KICE_KICED_LOG_H */
