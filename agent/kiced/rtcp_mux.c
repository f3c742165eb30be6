// SPDX-License-Identifier: GPL-2.0
/*
 * rtcp-mux negotiation per media section: what is offered to the
 * answerer, what is accepted back to the offerer, and how each side's
 * RTCP is carried (see rtcp_mux.h).
 */
#include "ctl/ng.h"
#include "kiced/media_ice.h"
#include "kiced/rtcp_mux.h"
#include "kiced/session.h"
#include "sdp/sdp.h"

/*
 * An ICE offer with a=rtcp-mux and candidates for component 1 only: the
 * offerer gathered for RTP alone (a browser's rtcpMuxPolicy "require"),
 * so it cannot take an answer without rtcp-mux.  A trickling offerer is
 * judged the same way: one that would do RTCP apart gathers both
 * components together.
 */
static bool rtp_candidates_only(const struct sdp_media *m)
{
	bool c1 = false;
	size_t j;

	for (j = 0; j < m->ncands; j++) {
		if (m->cands[j].component == 2)
			return false;
		if (m->cands[j].component == 1)
			c1 = true;
	}
	return c1;
}

/*
 * Make @side of media section @i mux (or not).  A side with ICE muxes by
 * dropping to one component, which cannot be undone in this ICE session;
 * @agent_too false changes only how media is relayed (the agent keeps
 * both components until the peer's answer settles it).
 */
static void side_mux(struct call *c, size_t i, enum media_side side, bool on,
		     bool agent_too)
{
	struct media_stream *st = c->media[i].stream;
	struct media_ice *mi = c->ice[side];

	if (mi && !on && media_ice_ncomp(mi, (unsigned int)i) == 1) {
		media_side_set_no_rtcp(st, side);	/* RTP only */
		return;
	}
	if (mi && on && agent_too)
		media_ice_mux(mi, (unsigned int)i);
	media_side_set_mux(st, side, on);
}

void rtcp_mux_offer(struct call *c, const struct sdp_session *s,
		    uint32_t ng_mux)
{
	enum media_side o = c->offerer, n = media_other(o);
	size_t i;

	c->rtcp_mux = ng_mux;
	for (i = 0; i < c->nmedia && i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		struct call_media *cm = &c->media[i];
		struct media_stream *st = cm->stream;
		bool offers = m->rtcp_mux || m->rtcp_mux_only;

		if (!st)
			continue;
		cm->mux_offered_a = offers;
		cm->mux_must_a = offers && (m->rtcp_mux_only ||
					    rtp_candidates_only(m));
		cm->mux_required_b = !!(ng_mux & NG_MUX_REQUIRE);
		cm->mux_offered_b = cm->mux_required_b ||
				    (ng_mux & NG_MUX_OFFER) ||
				    (offers && !(ng_mux & (NG_MUX_DEMUX |
							   NG_MUX_REJECT)));
		/*
		 * A re-offer keeps what the sides do until its answer, as
		 * far as the new offer still allows it.
		 */
		side_mux(c, i, o, cm->mux_must_a ||
			 (offers && st->side[o].mux), cm->mux_must_a);
		side_mux(c, i, n, cm->mux_required_b ||
			 (cm->mux_offered_b && st->side[n].mux),
			 cm->mux_required_b);
	}
}

void rtcp_mux_answer(struct call *c, const struct sdp_session *s,
		     uint32_t ng_mux)
{
	uint32_t f = c->rtcp_mux | ng_mux;
	enum media_side o = c->offerer, n = media_other(o);
	size_t i;

	for (i = 0; i < c->nmedia && i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		const struct call_media *cm = &c->media[i];
		bool b, a;

		if (!cm->stream || !m->port)
			continue;
		/* an a=rtcp-mux we did not offer is not an acceptance */
		b = cm->mux_required_b || (cm->mux_offered_b && m->rtcp_mux);
		a = cm->mux_offered_a &&
		    (cm->mux_must_a ||
		     (!(f & NG_MUX_REJECT) &&
		      (b || (f & (NG_MUX_DEMUX | NG_MUX_ACCEPT)))));
		side_mux(c, i, n, b, true);
		side_mux(c, i, o, a, true);
	}
}

bool rtcp_mux_describe(const struct call *c, size_t i, enum media_side side,
		       struct sdp_media *m)
{
	const struct call_media *cm = &c->media[i];
	bool mux = cm->stream && cm->stream->side[side].mux;

	/* RFC 8858: a=rtcp-mux-only is the offerer's, never passed on */
	m->rtcp_mux_only = false;
	if (side != c->offerer)
		m->rtcp_mux = cm->mux_offered_b;
	else
		m->rtcp_mux = cm->mux_offered_a && mux;
	return mux;
}
