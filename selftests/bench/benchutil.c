// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the relay benchmark's programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

long bench_num(const char *prog, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "%s: bad number '%s' (%ld..%ld)\n", prog, s, lo, hi);
		exit(2);
	}
	return v;
}

int bench_parse_ep(const char *prog, const char *s, struct sockaddr_in *sa)
{
	char buf[64];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (inet_pton(AF_INET, buf, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)bench_num(prog, colon + 1, 1, 65535));
	return 0;
}
