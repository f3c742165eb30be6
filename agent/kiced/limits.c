// SPDX-License-Identifier: GPL-2.0
/*
 * Open-file limit and the number of calls kiced can hold.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "kiced/limits.h"
#include "kiced/log.h"

int kiced_limits_apply(const struct kiced_config *c, struct kiced_limits *l)
{
	unsigned int first = (c->port_min + 1u) & ~1u;
	struct rlimit rl;
	rlim_t need;
	int err = 0;

	memset(l, 0, sizeof(*l));
	l->port_pairs = c->port_max >= first ?
			(c->port_max - first + 1u) / 2 : 0;
	l->calls_ports = l->port_pairs * 2 / KICED_PORTS_PER_CALL;
	need = (rlim_t)l->port_pairs * 2 + KICED_FD_RESERVE;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	l->nofile_was = (unsigned long)rl.rlim_cur;
	l->nofile_hard = (unsigned long)rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
			      rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			err = -errno;
		else
			l->nofile = (unsigned long)rl.rlim_cur;
	}
	if (!l->nofile)
		l->nofile = l->nofile_was;
	l->calls_fds = l->nofile > KICED_FD_RESERVE ?
		       (unsigned int)((l->nofile - KICED_FD_RESERVE) /
				      KICED_PORTS_PER_CALL) : 0;
	if (l->calls_fds > l->calls_ports)
		l->calls_fds = l->calls_ports;	/* only what matters */
	l->max_calls = l->calls_fds;
	if (c->max_sessions && c->max_sessions < l->max_calls)
		l->max_calls = c->max_sessions;
	return err;
}

void kiced_limits_log(const struct kiced_config *c,
		      const struct kiced_limits *l)
{
	const char *by = c->max_sessions && l->max_calls == c->max_sessions ?
			 "max-sessions" : l->calls_fds < l->calls_ports ?
			 "the open-file limit" : "the port range";

	klog_notice("at most %u calls (bounded by %s): ports %u-%u hold %u, open files %lu (was %lu, hard limit %lu)",
		    l->max_calls, by, c->port_min, c->port_max, l->calls_ports,
		    l->nofile, l->nofile_was, l->nofile_hard);
	if (l->calls_fds < l->calls_ports)
		klog_warn("the open-file limit (%lu, hard %lu) holds %u calls, the port range %u: raise the hard limit (LimitNOFILE=, ulimit -Hn) to %u",
			  l->nofile, l->nofile_hard, l->calls_fds,
			  l->calls_ports,
			  l->port_pairs * 2 + KICED_FD_RESERVE);
}
