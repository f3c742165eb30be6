// SPDX-License-Identifier: GPL-2.0
/*
 * kiced logging.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "kiced/log.h"

static enum klog_level klog_max = KLOG_NOTICE;
static bool klog_syslog;
static FILE *klog_file;

static const char *const klog_names[] = {
	[KLOG_ERR]	= "err",
	[KLOG_WARN]	= "warn",
	[KLOG_NOTICE]	= "notice",
	[KLOG_INFO]	= "info",
	[KLOG_DEBUG]	= "debug",
};

static const int klog_prio[] = {
	[KLOG_ERR]	= LOG_ERR,
	[KLOG_WARN]	= LOG_WARNING,
	[KLOG_NOTICE]	= LOG_NOTICE,
	[KLOG_INFO]	= LOG_INFO,
	[KLOG_DEBUG]	= LOG_DEBUG,
};

void klog_init(enum klog_level level, bool use_syslog)
{
	klog_max = level;
	if (use_syslog && !klog_syslog)
		openlog("kiced", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	klog_syslog = use_syslog;
}

void klog_close(void)
{
	if (klog_syslog)
		closelog();
	klog_syslog = false;
}

void klog_to(FILE *f)
{
	klog_file = f;
}

int klog_level_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(klog_names) / sizeof(klog_names[0]); i++)
		if (!strcmp(name, klog_names[i]))
			return (int)i;
	if (!strcmp(name, "error"))
		return KLOG_ERR;
	if (!strcmp(name, "warning"))
		return KLOG_WARN;
	return -1;
}

const char *klog_level_name(enum klog_level level)
{
	if ((unsigned int)level > KLOG_DEBUG)
		return "?";
	return klog_names[level];
}

bool klog_enabled(enum klog_level level)
{
	return level <= klog_max;
}

const char *klog_str(struct klog_str *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = len > KLOG_STR_MAX ? KLOG_STR_MAX : len;
	char *w = b->s;

	if (!s)
		return "-";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*w++ = (char)c;
		} else if (c == '\\') {
			*w++ = '\\';
			*w++ = '\\';
		} else {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		}
	}
	if (len > n) {
		memcpy(w, "...", 3);
		w += 3;
	}
	*w = '\0';
	return b->s;
}

bool klog_once(struct klog_once *o)
{
	if (o->count < UINT_MAX)
		o->count++;
	return o->count == 1;
}

void klog_repeats(struct klog_once *o, const char *who, const char *what)
{
	if (o->count > 1)
		klog_info("%s: %s: %u more times", who, what, o->count - 1);
	o->count = 0;
}

void klog(enum klog_level level, const char *fmt, ...)
{
	va_list ap;

	if (!klog_enabled(level))
		return;
	va_start(ap, fmt);
	if (klog_syslog) {
		vsyslog(klog_prio[level], fmt, ap);
	} else {
		FILE *f = klog_file ? klog_file : stderr;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(f, "kiced[%ld.%03ld] %s: ", (long)ts.tv_sec,
			ts.tv_nsec / 1000000, klog_names[level]);
		vfprintf(f, fmt, ap);
		fputc('\n', f);
	}
	va_end(ap);
}
