// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of control socket addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "ctl/ng_addr.h"

static int ng_port(const char *s, in_port_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -1;
	*port = htons((uint16_t)v);
	return 0;
}

int ng_addr_parse(const char *s, struct ng_addr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "unix:", 5) || s[0] == '/') {
		if (s[0] != '/')
			s += 5;
		if (!*s || strlen(s) >= sizeof(sun->sun_path))
			goto inval;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, s);
		a->len = sizeof(*sun);
		return 0;
	}
	if (!strncmp(s, "udp:", 4))
		s += 4;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			goto inval;
		hl = (size_t)(rb - s - 1);
		if (hl >= sizeof(host))
			goto inval;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1 ||
		    ng_port(rb + 2, &sin6->sin6_port))
			goto inval;
		a->len = sizeof(*sin6);
		return 0;
	}
	colon = strrchr(s, ':');
	sin->sin_family = AF_INET;
	if (!colon) {
		/* bare port: loopback */
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (ng_port(s, &sin->sin_port))
			goto inval;
		a->len = sizeof(*sin);
		return 0;
	}
	hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		goto inval;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1 ||
	    ng_port(colon + 1, &sin->sin_port))
		goto inval;
	a->len = sizeof(*sin);
	return 0;
inval:
	memset(a, 0, sizeof(*a));
	errno = EINVAL;
	return -1;
}

const char *ng_addr_str(const struct ng_addr *a, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const void *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const void *)&a->ss;
	const struct sockaddr_un *sun = (const void *)&a->ss;
	char h[INET6_ADDRSTRLEN];

	switch (a->ss.ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, h, sizeof(h));
		snprintf(buf, len, "%s:%u", h, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, h, sizeof(h));
		snprintf(buf, len, "[%s]:%u", h, ntohs(sin6->sin6_port));
		break;
	case AF_UNIX:
		snprintf(buf, len, "unix:%s", sun->sun_path);
		break;
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}
