/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource limits at start: kiced needs one file descriptor per media
 * port (4 per call: RTP and RTCP on each side), so the soft RLIMIT_NOFILE
 * is raised to what the port range needs, up to the hard limit, and the
 * number of calls that fit is worked out and logged.
 */
#ifndef KICE_KICED_LIMITS_H
#define KICE_KICED_LIMITS_H

#include "kiced/config.h"

#define KICED_PORTS_PER_CALL	4	/* RTP + RTCP, sides A and B */
/* fds besides media ports: control, epoll, timer, signal, netlink, store */
#define KICED_FD_RESERVE	64

struct kiced_limits {
	unsigned long nofile;		/* soft RLIMIT_NOFILE now */
	unsigned long nofile_was;	/* before */
	unsigned long nofile_hard;
	unsigned int port_pairs;	/* even/odd pairs in the range */
	unsigned int calls_ports;	/* calls the port range holds */
	unsigned int calls_fds;		/* calls the open-file limit holds */
	unsigned int max_calls;		/* the least of those, max-sessions */
};

/*
 * Raise the soft RLIMIT_NOFILE for @c's port range and fill @l.  0, or
 * -errno when the limit cannot be read or set (@l then tells what is).
 */
int kiced_limits_apply(const struct kiced_config *c, struct kiced_limits *l);
/* Log @l: the maximum number of calls, and what bounds it. */
void kiced_limits_log(const struct kiced_config *c,
		      const struct kiced_limits *l);

#endif /* KICE_KICED_LIMITS_H */
