// SPDX-License-Identifier: GPL-2.0
/*
 * Candidate pool (see ice_pool.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ice/ice_pool.h"

#define POOL_MAX_ADDRS	32

struct ice_pool {
	struct ice_loop *loop;
	struct ice_cfg cfg;
	unsigned int nstreams, ncomp, size;
	struct ice_session **idle;
	uint64_t *idle_sig;		/* address set each idle session has */
	unsigned int nidle;
	uint64_t sig;			/* address set of p->addrs */
	struct ice_netif_addr addrs[POOL_MAX_ADDRS];
	int naddrs;
	struct ice_netmon *mon;
};

/* FNV-1a over what a host candidate is made of, in list order */
static uint64_t addrs_sig(const struct ice_netif_addr *a, int n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < n; i++) {
		char ip[ICE_ADDRSTRLEN];
		uint8_t b[6] = {
			(uint8_t)a[i].ifindex, (uint8_t)(a[i].ifindex >> 8),
			(uint8_t)(a[i].ifindex >> 16), a[i].iface_pref,
			a[i].addr_pref, (uint8_t)a[i].addr.family,
		};

		for (size_t k = 0; k < sizeof(b); k++)
			h = (h ^ b[k]) * 0x100000001b3ull;
		ice_addr_ip_str(&a[i].addr, ip, sizeof(ip));
		for (const char *c = ip; *c; c++)
			h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull;
	}
	return h;
}

static void fill(struct ice_pool *p)
{
	while (p->nidle < p->size && p->naddrs > 0) {
		struct ice_session *s;

		s = ice_session_new(p->loop, &p->cfg, p->addrs,
				    (unsigned int)p->naddrs, p->nstreams,
				    p->ncomp, NULL, NULL);
		if (!s)
			return;
		p->idle_sig[p->nidle] = p->sig;
		p->idle[p->nidle++] = s;
	}
}

unsigned int ice_pool_refresh(struct ice_pool *p)
{
	int n = ice_netif_list(&p->cfg, p->addrs, POOL_MAX_ADDRS);
	unsigned int kept = 0, replaced = 0;

	p->naddrs = n > 0 ? n : 0;
	p->sig = addrs_sig(p->addrs, p->naddrs);
	/* only sessions gathered on another address set are out of date */
	for (unsigned int i = 0; i < p->nidle; i++) {
		if (p->idle_sig[i] == p->sig) {
			p->idle_sig[kept] = p->idle_sig[i];
			p->idle[kept++] = p->idle[i];
		} else {
			ice_session_free(p->idle[i]);
			replaced++;
		}
	}
	p->nidle = kept;
	fill(p);
	return replaced;
}

static void on_addr_change(void *arg)
{
	ice_pool_refresh(arg);
}

struct ice_pool *ice_pool_new(struct ice_loop *loop, const struct ice_cfg *cfg,
			      unsigned int nstreams, unsigned int ncomp,
			      unsigned int size)
{
	struct ice_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->loop = loop;
	p->cfg = *cfg;
	p->nstreams = nstreams;
	p->ncomp = ncomp;
	p->size = size;
	p->idle = calloc(size ? size : 1, sizeof(*p->idle));
	p->idle_sig = calloc(size ? size : 1, sizeof(*p->idle_sig));
	if (!p->idle || !p->idle_sig) {
		free(p->idle);
		free(p->idle_sig);
		free(p);
		return NULL;
	}
	/* without a monitor the pool still works, with a fixed address set */
	p->mon = ice_netmon_new(loop, on_addr_change, p);
	ice_pool_refresh(p);
	return p;
}

void ice_pool_free(struct ice_pool *p)
{
	if (!p)
		return;
	ice_netmon_free(p->mon);
	while (p->nidle)
		ice_session_free(p->idle[--p->nidle]);
	free(p->idle);
	free(p->idle_sig);
	free(p);
}

struct ice_session *ice_pool_take(struct ice_pool *p, bool controlling,
				  const struct ice_session_ops *ops, void *user)
{
	struct ice_session *s = NULL;
	int pick = -1;

	for (unsigned int i = 0; i < p->nidle; i++) {
		if (ice_agent_gathering_done(ice_session_agent(p->idle[i]))) {
			pick = (int)i;
			break;
		}
	}
	if (pick < 0 && p->nidle)
		pick = 0;
	if (pick >= 0) {
		s = p->idle[pick];
		memmove(&p->idle[pick], &p->idle[pick + 1],
			(p->nidle - (unsigned int)pick - 1) * sizeof(*p->idle));
		memmove(&p->idle_sig[pick], &p->idle_sig[pick + 1],
			(p->nidle - (unsigned int)pick - 1) * sizeof(*p->idle_sig));
		p->nidle--;
	} else if (p->naddrs > 0) {
		s = ice_session_new(p->loop, &p->cfg, p->addrs,
				    (unsigned int)p->naddrs, p->nstreams,
				    p->ncomp, NULL, NULL);
	}
	if (s) {
		ice_session_set_ops(s, ops, user);
		ice_agent_set_controlling(ice_session_agent(s), controlling);
	}
	fill(p);
	return s;
}

unsigned int ice_pool_idle(const struct ice_pool *p)
{
	return p->nidle;
}

unsigned int ice_pool_ready(const struct ice_pool *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->nidle; i++)
		n += ice_agent_gathering_done(ice_session_agent(p->idle[i]));
	return n;
}
