// SPDX-License-Identifier: GPL-2.0
/*
 * Compact transport addresses used throughout the ICE agent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ice/ice.h"

int ice_addr_from_sa(struct ice_addr *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		a->family = AF_INET;
		a->port = ntohs(s4->sin_port);
		memcpy(a->ip, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		a->family = AF_INET6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->ip, &s6->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

socklen_t ice_addr_to_sa(const struct ice_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		return sizeof(*s4);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof(*s6);
	}
	return 0;
}

int ice_addr_parse(struct ice_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, a->ip) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a->ip) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	a->port = port;
	return 0;
}

bool ice_addr_ip_eq(const struct ice_addr *a, const struct ice_addr *b)
{
	if (a->family != b->family)
		return false;
	return !memcmp(a->ip, b->ip, a->family == AF_INET ? 4 : 16);
}

bool ice_addr_eq(const struct ice_addr *a, const struct ice_addr *b)
{
	return a->port == b->port && ice_addr_ip_eq(a, b);
}

bool ice_addr_is_link_local(const struct ice_addr *a)
{
	if (a->family == AF_INET)
		return a->ip[0] == 169 && a->ip[1] == 254;
	if (a->family == AF_INET6)
		return a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80;
	return false;
}

const char *ice_addr_ip_str(const struct ice_addr *a, char *buf, size_t sz)
{
	if (!a->family || !inet_ntop(a->family, a->ip, buf, (socklen_t)sz))
		snprintf(buf, sz, "-");
	return buf;
}

const char *ice_addr_str(const struct ice_addr *a, char *buf, size_t sz)
{
	char ip[INET6_ADDRSTRLEN];

	ice_addr_ip_str(a, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, sz, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, sz, "%s:%u", ip, a->port);
	return buf;
}
