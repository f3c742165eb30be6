/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local addresses for host candidates, read from rtnetlink (libnl-route)
 * and followed as they change.
 */
#ifndef KICE_ICE_NETIF_H
#define KICE_ICE_NETIF_H

#include "ice/ice.h"

struct ice_netif_addr {
	char ifname[16];
	int ifindex;
	struct ice_addr addr;		/* port 0 */
	uint8_t iface_pref;
	uint8_t addr_pref;
};

/*
 * Fill @out with up to @max usable addresses of up interfaces, filtered by
 * @cfg (families, link-local, deprecated, tentative, loopback, only_iface)
 * and given interface and address preferences.  Returns the count or
 * -errno.
 */
int ice_netif_list(const struct ice_cfg *cfg, struct ice_netif_addr *out,
		   size_t max);

/* Address monitor: a libnl cache manager whose fd the loop watches. */
struct ice_netmon;
struct ice_loop;
typedef void (*ice_netmon_cb)(void *arg);

struct ice_netmon *ice_netmon_new(struct ice_loop *loop, ice_netmon_cb cb,
				  void *arg);
void ice_netmon_free(struct ice_netmon *m);

#endif /* KICE_ICE_NETIF_H */
