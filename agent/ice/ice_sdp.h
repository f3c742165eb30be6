/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice ICE agent <-> SDP (RFC 8839).
 */
#ifndef KICE_ICE_SDP_H
#define KICE_ICE_SDP_H

#include "ice/ice.h"
#include "sdp/sdp.h"

enum {
	ICE_SDP_TRICKLE = 1u << 0,	/* advertise a=ice-options:trickle */
	ICE_SDP_RTCP_MUX = 1u << 1,	/* we offer/accept rtcp-mux */
	ICE_SDP_REMOTE_CANDS = 1u << 2,	/* add a=remote-candidates */
	ICE_SDP_RESTARTED_LOCALLY = 1u << 3, /* apply: we restarted already */
};

/* errors beyond the errno range */
enum {
	ICE_SDP_E_NO_MEDIA = 1000,
	ICE_SDP_E_STREAMS,
	ICE_SDP_E_NO_CREDS,
	ICE_SDP_E_CREDS_DIFFER,
	ICE_SDP_E_MISMATCH,
};

/*
 * Add the agent's credentials, options, candidates, default candidates
 * (c=, m= port, a=rtcp) and end-of-candidates to @sdp; media sections
 * missing for a stream are added as "audio RTP/AVP 0".
 */
int ice_sdp_describe(const struct ice_agent *a, struct sdp_session *sdp,
		     unsigned int flags);
/* Validate a peer description without changing anything. */
int ice_sdp_check(const struct ice_agent *a, const struct sdp_session *s);
/* The same for an agent of @nstreams streams that does not exist yet. */
int ice_sdp_check_streams(unsigned int nstreams, const struct sdp_session *s);
/*
 * Apply a peer description: credentials, ice-lite, candidates (UDP with
 * literal addresses), end-of-candidates, rtcp-mux.  A changed ufrag is an
 * ICE restart: the agent restarts (unless ICE_SDP_RESTARTED_LOCALLY) and 1
 * is returned.  Errors (negative) leave the agent unchanged.
 */
int ice_sdp_apply(struct ice_agent *a, const struct sdp_session *s,
		  unsigned int flags, uint64_t now);
/*
 * Does the peer's media section @m have one component: candidates for
 * component 1 and none for 2, and no more to come (not trickling, or
 * end-of-candidates)?  ice_sdp_apply() then drops our component 2.
 */
bool ice_sdp_one_component(const struct sdp_session *s,
			   const struct sdp_media *m);
/*
 * BUNDLE (RFC 9143) in description @s: the media sections of its
 * a=group:BUNDLE other than the first (the tag) go over the tag's
 * transport (ice_agent_bundle()).  With @final (an answer: the group is
 * agreed) every one of them; otherwise (an offer) only those marked
 * a=bundle-only.  Returns how many streams were newly bundled.
 */
int ice_sdp_bundle(struct ice_agent *a, const struct sdp_session *s,
		   bool final, uint64_t now);
/*
 * A bundle-only section (RFC 9143 7.2.1, what webrtcbin's max-bundle
 * offers): port 0 with a=bundle-only, live on its tag's transport; not a
 * disabled one.  ice_sdp_describe() keeps such a section at port 0 with
 * no candidates.
 */
bool ice_sdp_bundle_only(const struct sdp_media *m);
const char *ice_sdp_strerror(int err);
/* A signalled candidate as the agent takes it: -EPROTONOSUPPORT for
 * non-UDP, -EAFNOSUPPORT for names (FQDN, mDNS). */
int ice_sdp_cand_info(const struct sdp_candidate *c, unsigned int stream,
		      struct ice_cand_info *ci);
/* One candidate attribute ("candidate:...") for trickling. */
int ice_sdp_candidate(const struct ice_cand_info *ci, char *buf, size_t size);

#endif /* KICE_ICE_SDP_H */
