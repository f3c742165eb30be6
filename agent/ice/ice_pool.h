/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Candidate pool: sessions gathered ahead of time ("STUN at off-hook"), so
 * that making an offer never waits on the network.
 */
#ifndef KICE_ICE_POOL_H
#define KICE_ICE_POOL_H

#include "ice/ice_session.h"

struct ice_pool;

/*
 * Keep @size sessions of @nstreams x @ncomp gathering (host addresses from
 * ice_netif_list(), STUN/TURN from @cfg) on @loop.  Local addresses are
 * followed: when they change, idle sessions gathered on another address
 * set are replaced.
 */
struct ice_pool *ice_pool_new(struct ice_loop *loop, const struct ice_cfg *cfg,
			      unsigned int nstreams, unsigned int ncomp,
			      unsigned int size);
void ice_pool_free(struct ice_pool *p);
/*
 * Hand out a session, preferably one that finished gathering, with its
 * role set and events going to @ops from now on; the pool refills itself.
 * A session is created on demand if none is idle.
 */
struct ice_session *ice_pool_take(struct ice_pool *p, bool controlling,
				  const struct ice_session_ops *ops, void *user);
unsigned int ice_pool_idle(const struct ice_pool *p);
unsigned int ice_pool_ready(const struct ice_pool *p);
/*
 * Re-read local addresses and replace the idle sessions whose address set
 * differs from the new one (the monitor calls it).  Returns how many were
 * replaced: none when the change did not touch usable addresses.
 */
unsigned int ice_pool_refresh(struct ice_pool *p);

#endif /* KICE_ICE_POOL_H */
