/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the relay benchmark's programs. */
#ifndef KICE_BENCHUTIL_H
#define KICE_BENCHUTIL_H

#include <netinet/in.h>

/* Monotonic time in seconds. */
double bench_now(void);
/* @s as a number in [lo, hi], or exit(2) with "PROG: bad number ...". */
long bench_num(const char *prog, const char *s, long lo, long hi);
/* "A.B.C.D:PORT" into @sa; -1 if malformed. */
int bench_parse_ep(const char *prog, const char *s, struct sockaddr_in *sa);

#endif
