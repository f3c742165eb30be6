/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RTP/RTCP multiplexing negotiated per media section and per side
 * (RFC 5761, RFC 8858 a=rtcp-mux-only), steered by rtpengine's ng
 * "rtcp-mux" list.  By default kiced goes along with the peers: the
 * offerer's a=rtcp-mux is offered on to the answerer and accepted back
 * when the answerer accepts it.  An offerer that cannot do without it
 * (a=rtcp-mux-only, or an ICE offer with component-1 candidates only, as
 * browsers send) is always accepted; the answerer is then demultiplexed
 * if it does not mux.
 *
 *   offer    offer it to the answerer, even when the offerer did not
 *   require  ... and advertise no RTCP port to it (as if accepted)
 *   demux    do not offer it to the answerer, accept it from the offerer
 *   accept   accept it from the offerer whatever the answerer says
 *   reject   do not accept it from the offerer (nor offer it on)
 *
 * The decision sets each side's muxing (media_side_set_mux()), and for a
 * side with ICE its number of components (media_ice_mux()).
 */
#ifndef KICE_KICED_RTCP_MUX_H
#define KICE_KICED_RTCP_MUX_H

#include <stddef.h>
#include <stdint.h>

#include "kiced/media.h"

struct call;
struct sdp_media;
struct sdp_session;

/*
 * After the offer's streams and ICE agents are set up: decide what is
 * offered to the answerer.  @ng_mux: enum ng_rtcp_mux of the offer.
 */
void rtcp_mux_offer(struct call *c, const struct sdp_session *s,
		    uint32_t ng_mux);
/*
 * With the answer @s, before its ICE candidates are applied: decide both
 * sides.  @ng_mux: the answer's items, added to the offer's.
 */
void rtcp_mux_answer(struct call *c, const struct sdp_session *s,
		     uint32_t ng_mux);
/*
 * The rtcp-mux attributes of media section @i as written towards @side
 * (an offer to the answerer, an answer to the offerer: call.offerer says
 * which side is which).  True when RTCP uses the
 * RTP port there (a=rtcp then names the RTP port).
 */
bool rtcp_mux_describe(const struct call *c, size_t i, enum media_side side,
		       struct sdp_media *m);

#endif /* KICE_KICED_RTCP_MUX_H */
