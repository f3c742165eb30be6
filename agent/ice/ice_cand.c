// SPDX-License-Identifier: GPL-2.0
/*
 * Candidates: priorities and foundations (RFC 8445 5.1.1.3, 5.1.2),
 * the local and remote candidate tables.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_int.h"

static const uint8_t type_pref[] = {
	[ICE_CAND_HOST] = 126,
	[ICE_CAND_PRFLX] = 110,
	[ICE_CAND_SRFLX] = 100,
	[ICE_CAND_RELAY] = 0,
};

uint32_t ice_priority(enum ice_cand_type type, uint16_t local_pref,
		      unsigned int component)
{
	return ((uint32_t)type_pref[type] << 24) | ((uint32_t)local_pref << 8) |
	       (uint32_t)(256 - component);
}

uint64_t ice_pair_priority(uint32_t g, uint32_t d)
{
	uint64_t lo = g < d ? g : d, hi = g < d ? d : g;

	return (lo << 32) + 2 * hi + (g > d ? 1 : 0);
}

static uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 16777619u;
	}
	return h;
}

/*
 * Equal for candidates of one type, base IP address and server (and, all
 * being UDP, transport), so equal across components and streams.
 */
uint32_t ice_foundation(enum ice_cand_type type, const struct ice_addr *base,
			const struct ice_addr *server)
{
	uint32_t h = 2166136261u;
	uint8_t t = (uint8_t)type;

	h = fnv1a(h, &t, 1);
	h = fnv1a(h, &base->family, sizeof(base->family));
	h = fnv1a(h, base->ip, sizeof(base->ip));
	if (server) {
		h = fnv1a(h, &server->family, sizeof(server->family));
		h = fnv1a(h, server->ip, sizeof(server->ip));
	}
	return h;
}

uint32_t ice_foundation_str(const char *s)
{
	return fnv1a(2166136261u, s, strlen(s));
}

static int grow(void **arr, uint16_t *cap, uint16_t n, size_t elem)
{
	uint16_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= ICE_MAX_CANDS)
		return -ENOSPC;
	ncap = *cap ? (uint16_t)(*cap * 2) : 4;
	if (ncap > ICE_MAX_CANDS)
		ncap = ICE_MAX_CANDS;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int ice_lcand_add(struct ice_agent *a, const struct ice_lcand *c)
{
	int err = grow((void **)&a->lc, &a->caplc, a->nlc, sizeof(*c));

	if (err)
		return err;
	a->lc[a->nlc] = *c;
	return a->nlc++;
}

int ice_rcand_add(struct ice_agent *a, const struct ice_rcand *c)
{
	int err = grow((void **)&a->rc, &a->caprc, a->nrc, sizeof(*c));

	if (err)
		return err;
	a->rc[a->nrc] = *c;
	return a->nrc++;
}

int ice_lcand_find(const struct ice_agent *a, unsigned int stream,
		   unsigned int comp, const struct ice_addr *addr)
{
	for (unsigned int i = 0; i < a->nlc; i++)
		if (a->lc[i].stream == stream && a->lc[i].comp == comp &&
		    ice_addr_eq(&a->lc[i].addr, addr))
			return (int)i;
	return -1;
}

int ice_rcand_find(const struct ice_agent *a, unsigned int stream,
		   unsigned int comp, const struct ice_addr *addr)
{
	for (unsigned int i = 0; i < a->nrc; i++)
		if (a->rc[i].stream == stream && a->rc[i].comp == comp &&
		    ice_addr_eq(&a->rc[i].addr, addr))
			return (int)i;
	return -1;
}

int ice_host_by_sock(const struct ice_agent *a, int sock)
{
	for (unsigned int i = 0; i < a->nlc; i++)
		if ((a->lc[i].type == ICE_CAND_HOST ||
		     a->lc[i].type == ICE_CAND_RELAY) && a->lc[i].sock == sock)
			return (int)i;
	return -1;
}

void ice_lcand_info(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info)
{
	const struct ice_lcand *c = &a->lc[i];

	memset(info, 0, sizeof(*info));
	info->stream = c->stream;
	info->component = c->comp;
	info->type = c->type;
	info->priority = c->priority;
	snprintf(info->foundation, sizeof(info->foundation), "%u",
		 c->foundation);
	info->addr = c->addr;
	info->related = c->related;
}

void ice_rcand_info(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info)
{
	const struct ice_rcand *c = &a->rc[i];

	memset(info, 0, sizeof(*info));
	info->stream = c->stream;
	info->component = c->comp;
	info->type = c->type;
	info->priority = c->priority;
	snprintf(info->foundation, sizeof(info->foundation), "%u",
		 c->foundation);
	info->addr = c->addr;
	info->related = c->related;
}
