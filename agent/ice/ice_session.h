/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ICE agent with real UDP sockets on an ice_loop: host candidates on
 * every usable local address, timers, datagram dispatch.
 */
#ifndef KICE_ICE_SESSION_H
#define KICE_ICE_SESSION_H

#include "ice/ice.h"
#include "ice/ice_loop.h"
#include "ice/ice_netif.h"

struct ice_session;

struct ice_session_ops {
	void (*event)(struct ice_session *s, enum ice_event ev, int stream,
		      void *user);
	void (*data)(struct ice_session *s, unsigned int stream,
		     unsigned int comp, const void *buf, size_t len, void *user);
};

/*
 * Create a session with @nstreams streams of @ncomp components, bind one
 * UDP socket per (stream, component, address) on the @naddrs addresses
 * (from ice_netif_list()) and start gathering.
 */
struct ice_session *ice_session_new(struct ice_loop *loop,
				    const struct ice_cfg *cfg,
				    const struct ice_netif_addr *addrs,
				    unsigned int naddrs, unsigned int nstreams,
				    unsigned int ncomp,
				    const struct ice_session_ops *ops, void *user);
/* Not from inside this session's own callbacks (defer it, e.g. to a timer
 * of the loop); from other sessions' callbacks it is safe. */
void ice_session_free(struct ice_session *s);
struct ice_agent *ice_session_agent(struct ice_session *s);
/* Redirect events and data (e.g. a session taken from a pool). */
void ice_session_set_ops(struct ice_session *s,
			 const struct ice_session_ops *ops, void *user);
/* Re-run the agent's timer now (after changing the agent from outside). */
void ice_session_kick(struct ice_session *s);
unsigned int ice_session_nsockets(const struct ice_session *s);

#endif /* KICE_ICE_SESSION_H */
