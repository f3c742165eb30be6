/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The media layer as seen by the control layer.
 *
 * A media stream is one SDP m= line of a call.  It has two sides: side A
 * faces the offerer, side B the answerer.  Each side owns an even/odd port
 * pair (RTP, RTCP) on kiced's media address, and knows the remote
 * endpoint it sends to.  Datagrams arriving on side A are relayed out of
 * side B to B's remote, and the reverse.
 *
 * The control layer (commands.c) uses only the functions below:
 *   media_stream_new()        one per m= line, on offer
 *   media_side_open()         allocate the local ports of a side (on an
 *                             interface chosen by "direction")
 *   media_side_local()        address and port to write into SDP
 *   media_side_set_remote()   endpoint taken from the peer's SDP
 *   media_stream_offload()    relay in kice.ko once both remotes are known
 *   media_stream_stats()      counters for query/delete/statistics
 *   media_stream_free()       delete, timeout, shutdown
 * The ICE agent (agent/ice) plugs in behind this interface: a side with
 * ICE gathers candidates on its sockets, and the nominated pair replaces
 * the remote set from SDP; the relay below, or the kernel flow, then
 * carries the media.  See Documentation/kiced.rst.
 */
#ifndef KICE_KICED_MEDIA_H
#define KICE_KICED_MEDIA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "kiced/loop.h"
#include "kiced/relay_user.h"

struct kiced_config;
struct kiced_iface;

/*
 * A call's two parties: A made the first offer (the caller), B answered
 * it.  Either may offer later (a re-INVITE from the callee): the call's
 * "offerer" says which did last.
 */
enum media_side {
	MEDIA_SIDE_A,		/* faces the caller (the first offerer) */
	MEDIA_SIDE_B,		/* faces the callee (the first answerer) */
};

static inline enum media_side media_other(enum media_side side)
{
	return side == MEDIA_SIDE_A ? MEDIA_SIDE_B : MEDIA_SIDE_A;
}

enum media_comp {
	MEDIA_RTP,
	MEDIA_RTCP,
};

struct knl;

struct media_env {
	struct loop *loop;
	const struct kiced_config *cfg;
	uint16_t next_port;
	struct knl *kernel;	/* kice.ko, or NULL: userspace only */
	unsigned int open_ports;
	unsigned int flows;		/* kernel flows installed */
};

struct media_stream;

struct media_endpoint {
	struct media_stream *stream;
	int family;		/* AF_INET, AF_INET6, 0 while closed */
	const struct kiced_iface *iface;	/* NULL: [media] address */
	struct relay_leg leg[2];
	struct loop_watch w[2];
	bool remote_set;
	/*
	 * RTP and RTCP share the RTP port (rtcp-mux negotiated, RFC 5761,
	 * or an ICE peer with one component): RTCP for this side goes to its
	 * RTP remote, never to a port it did not give consent on.
	 */
	bool mux;
	/*
	 * No RTCP at all: an ICE peer that runs one component without
	 * rtcp-mux (libnice with one component).  RTCP for it is dropped,
	 * never put on its RTP port.
	 */
	bool no_rtcp;
	bool ice;		/* an ICE agent picks the remote */
	bool ice_ready;		/* ... and has nominated one */
	/*
	 * The legs' peers are a pair ICE validated (RFC 7675 consent), and
	 * stay so across a re-offer that names the same addresses.  While
	 * an agent runs without it, the legs hold (relay_leg hold).
	 */
	bool consented;
	char remote_addr[INET6_ADDRSTRLEN];
	uint16_t remote_port[2];
};

struct media_stream {
	struct media_env *env;
	struct media_endpoint side[2];
	uint32_t relay_flags;	/* MEDIA_F_* */
	bool offloaded;		/* relayed by kice.ko */
	uint32_t flow[2];	/* kernel flow per component (0: none) */
	unsigned int nflows;	/* 1: both sides mux, or one has no RTCP */
	bool demux;		/* one flow with leg-b-rtcp: one side muxes */
	unsigned int repointed;	/* flows moved in place (flow set) */
};

#define MEDIA_F_NO_LATCH	(1u << 0)	/* "asymmetric" */
#define MEDIA_F_STRICT		(1u << 1)	/* "strict source" */

struct media_stats {
	struct relay_counters rx[2][2];	/* [side][component] received */
	uint64_t last_rx_ms;
};

void media_env_init(struct media_env *env, struct loop *loop,
		    const struct kiced_config *cfg, struct knl *kernel);
struct media_stream *media_stream_new(struct media_env *env, uint32_t flags);
/*
 * Opens RTP and RTCP sockets of @side on interface @iface (its family),
 * or with @iface NULL on the [media] address of @family.  0 or -errno;
 * -ENOSPC when no pair of port-min..port-max could be bound (all taken).
 */
int media_side_open(struct media_stream *s, enum media_side side,
		    int family, const struct kiced_iface *iface);
/*
 * Restart: take over a side's RTP and RTCP sockets @fd (bound, of
 * @family), handed on by the previous kiced.  The fds are the stream's
 * from then on, closed on failure too.  0 or -errno.
 */
int media_side_adopt(struct media_stream *s, enum media_side side,
		     int family, const struct kiced_iface *iface,
		     const int fd[2]);
/*
 * Restart: the stream's kernel flows (RTP, RTCP; RTCP 0 when both sides
 * mux) exist and are ours.
 */
void media_stream_adopt_flows(struct media_stream *s, const uint32_t flow[2]);
/*
 * Handover: the kernel flows and attachments belong to someone else now;
 * freeing the stream must not remove them.
 */
void media_stream_forget(struct media_stream *s);
/* Address (as written into SDP) and RTP port of an open side. */
const char *media_side_local(const struct media_stream *s,
			     enum media_side side, uint16_t *port);
/*
 * @addr: numeric IPv4/IPv6 from SDP; @rtcp_port 0 means rtp_port + 1.
 * 0, or -EINVAL for a non-numeric address or one whose family differs
 * from the side's.
 */
int media_side_set_remote(struct media_stream *s, enum media_side side,
			  const char *addr, uint16_t rtp_port,
			  uint16_t rtcp_port);
/*
 * Does @side multiplex RTCP on its RTP port?  Changing it re-routes the
 * stream: a muxed side relayed to a side that is not gets RTCP (RFC 5761
 * 4: packet types 192-223) demultiplexed to that side's RTCP port, and
 * the other side's RTCP multiplexed onto its RTP port.  An offloaded
 * stream goes back to userspace until offloaded again.
 */
void media_side_set_mux(struct media_stream *s, enum media_side side,
			bool mux);
/*
 * @side carries no RTCP (struct media_endpoint no_rtcp): the other
 * side's RTCP is dropped, and the stream needs one kernel flow (RTP)
 * unless the other side muxes.
 */
void media_side_set_no_rtcp(struct media_stream *s, enum media_side side);
/* Back to latching per the stream's flags (after ICE gave up a side). */
void media_side_relatch(struct media_stream *s, enum media_side side);
/*
 * Hand the stream to kice.ko: attach its sockets and install one flow
 * per component between the two sides' remotes (one flow on the RTP
 * ports when both sides mux).  Needs both remotes, and on a side with ICE
 * a nominated pair (-EBUSY before).  STUN keeps reaching the sockets (and
 * the agent).  Where only one side muxes, one flow whose leg-b-rtcp is
 * the other side's RTCP port: kice.ko demultiplexes.  0, or -errno with
 * the stream still in userspace: -EOPNOTSUPP when a muxed side faces one
 * without RTCP.
 */
int media_stream_offload(struct media_stream *s);
/*
 * The remotes of an offloaded stream changed (ICE restart, renomination):
 * move its flows in place with "flow set", no media gap.  Offloads a
 * stream that is not yet.  0 or -errno as media_stream_offload().
 */
int media_stream_repoint(struct media_stream *s);
/* Back to the userspace relay (flows deleted, sockets detached). */
void media_stream_unload(struct media_stream *s);
/* Add what @st counted, both sides, to @tot by component (RTP, RTCP). */
void media_stats_add(struct relay_counters tot[2],
		     const struct media_stats *st);
void media_stream_stats(const struct media_stream *s,
			struct media_stats *st);
void media_stream_free(struct media_stream *s);

#endif /* KICE_KICED_MEDIA_H */
