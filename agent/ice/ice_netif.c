// SPDX-License-Identifier: GPL-2.0
/*
 * Host addresses via libnl-route (RFC 8445 5.1.1.1): every address of
 * every up interface (VPN tun/wireguard included), without link-local,
 * deprecated or tentative addresses unless configured.
 */
#include <errno.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_loop.h"
#include "ice/ice_netif.h"

static uint8_t iface_pref(const struct ice_cfg *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->niface_pref && i < 8; i++)
		if (!strcmp(cfg->iface_pref[i].ifname, name))
			return cfg->iface_pref[i].pref;
	return cfg->default_iface_pref;
}

static bool usable(const struct ice_cfg *cfg, struct rtnl_addr *ra,
		   struct rtnl_link *link, struct ice_addr *out)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	unsigned int flags = rtnl_addr_get_flags(ra);
	int fam = rtnl_addr_get_family(ra);
	unsigned int lflags = rtnl_link_get_flags(link);

	if (!local || (fam != AF_INET && fam != AF_INET6))
		return false;
	if ((fam == AF_INET && !cfg->ipv4) || (fam == AF_INET6 && !cfg->ipv6))
		return false;
	if (!(lflags & IFF_UP))
		return false;
	if ((lflags & IFF_LOOPBACK) && !cfg->loopback)
		return false;
	if (cfg->only_iface && strcmp(cfg->only_iface, rtnl_link_get_name(link)))
		return false;
	if ((flags & IFA_F_DEPRECATED) && !cfg->deprecated)
		return false;
	if ((flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) && !cfg->tentative)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = (uint16_t)fam;
	memcpy(out->ip, nl_addr_get_binary_addr(local), fam == AF_INET ? 4 : 16);
	if (ice_addr_is_link_local(out) && !cfg->link_local)
		return false;
	return true;
}

int ice_netif_list(const struct ice_cfg *cfg, struct ice_netif_addr *out,
		   size_t max)
{
	struct nl_cache *links = NULL, *addrs = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_object *o;
	int n = 0, err;

	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
	if (!err)
		err = rtnl_addr_alloc_cache(sk, &addrs);
	if (err) {
		n = -EIO;
		goto out;
	}
	for (o = nl_cache_get_first(addrs); o && (size_t)n < max;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct rtnl_link *link;
		struct ice_addr a;
		bool dup = false;

		link = rtnl_link_get(links, rtnl_addr_get_ifindex(ra));
		if (!link)
			continue;
		if (!usable(cfg, ra, link, &a)) {
			rtnl_link_put(link);
			continue;
		}
		for (int i = 0; i < n; i++)
			dup |= ice_addr_ip_eq(&out[i].addr, &a);
		if (!dup) {
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].ifname, sizeof(out[n].ifname), "%s",
				 rtnl_link_get_name(link));
			out[n].ifindex = rtnl_link_get_ifindex(link);
			out[n].addr = a;
			out[n].iface_pref = iface_pref(cfg, out[n].ifname);
			n++;
		}
		rtnl_link_put(link);
	}
	/* address preference: IPv6 before IPv4 (RFC 8421), then in order */
	for (int i = 0, rank = 0; i < n; i++)
		if (out[i].addr.family == AF_INET6)
			out[i].addr_pref = (uint8_t)(255 - rank++);
	for (int i = 0, rank = 0; i < n; i++)
		if (out[i].addr.family == AF_INET)
			out[i].addr_pref = (uint8_t)(127 - rank++);
out:
	nl_cache_free(addrs);
	nl_cache_free(links);
	nl_socket_free(sk);
	return n;
}

struct ice_netmon {
	struct ice_loop *loop;
	struct nl_cache_mngr *mngr;
	struct nl_cache *addrs;
	ice_netmon_cb cb;
	void *arg;
	int fd;
};

static void netmon_change(struct nl_cache *c, struct nl_object *o, int act,
			  void *arg)
{
	struct ice_netmon *m = arg;

	if (m->cb)
		m->cb(m->arg);
}

static void netmon_ready(int fd, uint32_t events, void *arg)
{
	struct ice_netmon *m = arg;

	nl_cache_mngr_data_ready(m->mngr);
}

struct ice_netmon *ice_netmon_new(struct ice_loop *loop, ice_netmon_cb cb,
				  void *arg)
{
	struct ice_netmon *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->loop = loop;
	m->cb = cb;
	m->arg = arg;
	m->fd = -1;
	if (nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &m->mngr) ||
	    nl_cache_mngr_add(m->mngr, "route/addr", netmon_change, m, &m->addrs)) {
		ice_netmon_free(m);
		return NULL;
	}
	if (ice_loop_add_fd(loop, nl_cache_mngr_get_fd(m->mngr), netmon_ready, m)) {
		ice_netmon_free(m);
		return NULL;
	}
	m->fd = nl_cache_mngr_get_fd(m->mngr);
	return m;
}

void ice_netmon_free(struct ice_netmon *m)
{
	if (!m)
		return;
	if (m->mngr) {
		if (m->fd >= 0)
			ice_loop_del_fd(m->loop, m->fd);
		nl_cache_mngr_free(m->mngr);
	}
	free(m);
}
