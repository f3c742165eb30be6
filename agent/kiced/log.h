/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced logging: leveled messages to stderr (with a level prefix) or to
 * syslog (facility daemon).
 */
#ifndef KICE_KICED_LOG_H
#define KICE_KICED_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
/* Without syslog, log lines go to @f (NULL: stderr, the default). */
void klog_to(FILE *f);
/* -1 if @name is not one of err, warn, notice, info, debug. */
int klog_level_parse(const char *name);
const char *klog_level_name(enum klog_level level);
bool klog_enabled(enum klog_level level);

__attribute__((format(printf, 2, 3)))
void klog(enum klog_level level, const char *fmt, ...);

/*
 * Client strings (call-ids, tags, ...) in log lines: bytes other than
 * printable ASCII and '\\' become \xNN (so no line can be forged or
 * broken), and at most KLOG_STR_MAX bytes are shown, then "...".
 * klog_str() writes into @b and returns it; KLOG_S() gives each use its
 * own buffer, valid to the end of the enclosing statement's block:
 *
 *	klog_info("call %s: deleted", KLOG_S(c->call_id, c->call_id_len));
 */
#define KLOG_STR_MAX	64
struct klog_str {
	char s[KLOG_STR_MAX * 4 + sizeof("...")];
};
const char *klog_str(struct klog_str *b, const char *s, size_t len);
#define KLOG_S(s, len)	klog_str(&(struct klog_str){ { 0 } }, (s), (len))
/* A call's id, for "call %s: ..." */
#define KLOG_CALL(c)	KLOG_S((c)->call_id, (c)->call_id_len)

/*
 * One warning about one object (a call), repeated: the first is logged,
 * the others only counted; klog_repeats() tells how many there were.
 */
struct klog_once {
	unsigned int count;
};
/* True the first time (log it then); counts every time. */
bool klog_once(struct klog_once *o);
/* "@who: @what: N more times" at info if it repeated; then starts over. */
void klog_repeats(struct klog_once *o, const char *who, const char *what);

#define klog_err(...)		klog(KLOG_ERR, __VA_ARGS__)
#define klog_warn(...)		klog(KLOG_WARN, __VA_ARGS__)
#define klog_notice(...)	klog(KLOG_NOTICE, __VA_ARGS__)
#define klog_info(...)		klog(KLOG_INFO, __VA_ARGS__)
#define klog_debug(...)		klog(KLOG_DEBUG, __VA_ARGS__)

#endif /* KICE_KICED_LOG_H */
