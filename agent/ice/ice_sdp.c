// SPDX-License-Identifier: GPL-2.0
/*
 * Between the agent and SDP (RFC 8839): describing local candidates and
 * credentials in a description, and applying a peer's description.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ice/ice_sdp.h"

static void to_sdp_cand(const struct ice_cand_info *ci, struct sdp_candidate *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->foundation, sizeof(c->foundation), "%s", ci->foundation);
	c->component = (uint16_t)ci->component;
	strcpy(c->transport, "UDP");
	c->priority = ci->priority;
	ice_addr_ip_str(&ci->addr, c->addr, sizeof(c->addr));
	c->port = ci->addr.port;
	c->type = (enum sdp_cand_type)ci->type;
	if (ci->related.family) {
		c->has_raddr = true;
		ice_addr_ip_str(&ci->related, c->raddr, sizeof(c->raddr));
		c->rport = ci->related.port;
	}
}

int ice_sdp_candidate(const struct ice_cand_info *ci, char *buf, size_t size)
{
	struct sdp_candidate c;

	to_sdp_cand(ci, &c);
	return sdp_write_candidate(&c, buf, size);
}

/* Default candidate of a component: after completion, a subsequent offer
 * (ICE_SDP_REMOTE_CANDS) puts the selected pair's local candidate in the
 * m=/c= lines (RFC 8839 4.2.1.2), else the likeliest to work. */
static int default_of(const struct ice_agent *a, unsigned int s,
		      unsigned int c, unsigned int flags,
		      struct ice_cand_info *ci)
{
	if ((flags & ICE_SDP_REMOTE_CANDS) && ice_agent_controlling(a) &&
	    !ice_agent_selected(a, s, c, ci, NULL))
		return 0;
	return ice_agent_default(a, s, c, ci);
}

static int describe_media(const struct ice_agent *a, unsigned int s,
			  struct sdp_media *m, unsigned int flags)
{
	struct ice_cand_info ci;

	/* bundle-only: on the tag's transport, nothing of its own */
	if (ice_sdp_bundle_only(m)) {
		m->has_rtcp = false;
		m->end_of_candidates = false;
		return 0;
	}

	if (!default_of(a, s, 1, flags, &ci)) {
		m->port = ci.addr.port;
		m->has_conn = true;
		m->conn_ipv6 = ci.addr.family == AF_INET6;
		ice_addr_ip_str(&ci.addr, m->conn_addr, sizeof(m->conn_addr));
	}
	if (ice_agent_ncomp(a, s) > 1 && !default_of(a, s, 2, flags, &ci)) {
		m->has_rtcp = true;
		m->rtcp_port = ci.addr.port;
		m->rtcp_has_addr = true;
		m->rtcp_ipv6 = ci.addr.family == AF_INET6;
		ice_addr_ip_str(&ci.addr, m->rtcp_addr, sizeof(m->rtcp_addr));
	}
	if (flags & ICE_SDP_RTCP_MUX)
		m->rtcp_mux = true;
	for (unsigned int i = 0; !ice_agent_local(a, i, &ci); i++) {
		struct sdp_candidate c;

		/* peer-reflexive candidates are never signalled */
		if (ci.stream != s || ci.type == ICE_CAND_PRFLX ||
		    ci.component > ice_agent_ncomp(a, s))
			continue;
		to_sdp_cand(&ci, &c);
		if (sdp_add_candidate(m, &c))
			return -ENOMEM;
	}
	m->end_of_candidates = ice_agent_gathering_done(a);
	/* 8.1.2 of RFC 8839: the controlling agent lists the selected
	 * remote candidates in a subsequent offer */
	if ((flags & ICE_SDP_REMOTE_CANDS) && ice_agent_controlling(a)) {
		unsigned int nc = ice_agent_ncomp(a, s), n = 0;
		struct sdp_remote_cand *rc = calloc(nc, sizeof(*rc));

		if (!rc)
			return -ENOMEM;
		for (unsigned int c = 1; c <= nc; c++) {
			struct ice_cand_info r;

			if (ice_agent_selected(a, s, c, NULL, &r))
				continue;
			rc[n].component = (uint16_t)c;
			ice_addr_ip_str(&r.addr, rc[n].addr, sizeof(rc[n].addr));
			rc[n].port = r.addr.port;
			n++;
		}
		free(m->remote_cands);
		m->remote_cands = rc;
		m->nremote_cands = n;
		m->has_remote_cands = n > 0;
	}
	return 0;
}

int ice_sdp_describe(const struct ice_agent *a, struct sdp_session *sdp,
		     unsigned int flags)
{
	const char *ufrag, *pwd;

	ice_agent_local_creds(a, &ufrag, &pwd);
	if (sdp_set_str(&sdp->ice.ufrag, ufrag) || sdp_set_str(&sdp->ice.pwd, pwd))
		return -ENOMEM;
	sdp->ice.options = SDP_OPT_ICE2 | ((flags & ICE_SDP_TRICKLE) ?
					   SDP_OPT_TRICKLE : 0);
	sdp->ice_lite = ice_agent_is_lite(a);
	for (unsigned int s = 0; s < ice_agent_nstreams(a); s++) {
		struct sdp_media *m;

		if (s < sdp->nmedia) {
			m = &sdp->media[s];
		} else {
			m = sdp_add_media(sdp, "audio", 9, "RTP/AVP", "0");
			if (!m)
				return -ENOMEM;
		}
		if (describe_media(a, s, m, flags))
			return -ENOMEM;
	}
	return 0;
}

int ice_sdp_cand_info(const struct sdp_candidate *c, unsigned int stream,
		      struct ice_cand_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	/* only UDP, and only literal addresses (FQDN/mDNS skipped) */
	if (strcasecmp(c->transport, "UDP"))
		return -EPROTONOSUPPORT;
	if (ice_addr_parse(&ci->addr, c->addr, c->port))
		return -EAFNOSUPPORT;
	if (c->has_raddr)
		ice_addr_parse(&ci->related, c->raddr, c->rport);
	ci->stream = stream;
	ci->component = c->component;
	ci->type = (enum ice_cand_type)c->type;
	ci->priority = c->priority;
	snprintf(ci->foundation, sizeof(ci->foundation), "%s", c->foundation);
	return 0;
}

/* Credentials of media section @m (media level overrides session level). */
static void creds_of(const struct sdp_session *s, const struct sdp_media *m,
		     const char **u, const char **p)
{
	*u = m && m->ice.ufrag ? m->ice.ufrag : s->ice.ufrag;
	*p = m && m->ice.pwd ? m->ice.pwd : s->ice.pwd;
}

int ice_sdp_check(const struct ice_agent *a, const struct sdp_session *s)
{
	return ice_sdp_check_streams(ice_agent_nstreams(a), s);
}

int ice_sdp_check_streams(unsigned int nstreams, const struct sdp_session *s)
{
	const char *u0, *p0;

	if (!s->nmedia)
		return -ICE_SDP_E_NO_MEDIA;
	if (s->nmedia < nstreams)
		return -ICE_SDP_E_STREAMS;
	creds_of(s, &s->media[0], &u0, &p0);
	if (!u0 || !p0)
		return -ICE_SDP_E_NO_CREDS;
	for (size_t i = 0; i < s->nmedia; i++) {
		const char *u, *p;

		if (s->media[i].ice_mismatch)
			return -ICE_SDP_E_MISMATCH;
		creds_of(s, &s->media[i], &u, &p);
		if (!u || !p)
			return -ICE_SDP_E_NO_CREDS;
		/* one credential set per agent */
		if (strcmp(u, u0) || strcmp(p, p0))
			return -ICE_SDP_E_CREDS_DIFFER;
	}
	return 0;
}

/*
 * a=remote-candidates in a subsequent offer (RFC 8839 4.4.1.2.2): the
 * controlling side names, per component, our candidate of the pair it
 * selected; its own is the offer's default destination (m=/c=, a=rtcp).
 * The controlled side takes that pair as selected.  Entries that match no
 * known candidates are ignored, as is the whole attribute when we control.
 */
static void use_remote_cands(struct ice_agent *a, const struct sdp_session *s,
			     const struct sdp_media *m, unsigned int stream,
			     uint64_t now)
{
	const char *conn = m->has_conn ? m->conn_addr :
			   s->has_conn ? s->conn_addr : NULL;

	if (ice_agent_controlling(a))
		return;
	for (size_t j = 0; j < m->nremote_cands; j++) {
		const struct sdp_remote_cand *rc = &m->remote_cands[j];
		struct ice_addr local, remote;
		const char *raddr = conn;
		uint16_t rport = m->port;

		if (rc->component == 2) {
			if (m->rtcp_has_addr)
				raddr = m->rtcp_addr;
			rport = m->has_rtcp ? m->rtcp_port : (uint16_t)(m->port + 1);
		}
		if (!raddr || ice_addr_parse(&local, rc->addr, rc->port) ||
		    ice_addr_parse(&remote, raddr, rport))
			continue;
		ice_agent_use_pair(a, stream, rc->component, &local, &remote,
				   now);
	}
}

bool ice_sdp_one_component(const struct sdp_session *s,
			   const struct sdp_media *m)
{
	bool c1 = false, trickles;

	for (size_t j = 0; j < m->ncands; j++) {
		if (m->cands[j].component == 2)
			return false;
		if (m->cands[j].component == 1)
			c1 = true;
	}
	/* a trickling peer may still send component 2 */
	trickles = ((s->ice.options | m->ice.options) & SDP_OPT_TRICKLE) &&
		   !m->end_of_candidates && !s->end_of_candidates;
	return c1 && !trickles;
}

/* The media section whose a=mid is @mid (length @len), or -1. */
static int media_of_mid(const struct sdp_session *s, const char *mid,
			size_t len)
{
	for (size_t i = 0; i < s->nmedia; i++)
		for (size_t j = 0; j < s->media[i].nextra; j++) {
			const char *v = s->media[i].extra[j];

			if (!strncmp(v, "a=mid:", 6) && strlen(v + 6) == len &&
			    !memcmp(v + 6, mid, len))
				return (int)i;
		}
	return -1;
}

static bool media_has_line(const struct sdp_media *m, const char *line)
{
	for (size_t j = 0; j < m->nextra; j++)
		if (!strcmp(m->extra[j], line))
			return true;
	return false;
}

bool ice_sdp_bundle_only(const struct sdp_media *m)
{
	return !m->port && media_has_line(m, "a=bundle-only");
}

int ice_sdp_bundle(struct ice_agent *a, const struct sdp_session *s,
		   bool final, uint64_t now)
{
	int n = 0;

	for (size_t g = 0; g < s->nextra; g++) {
		const char *p = s->extra[g];
		int tag = -1;

		if (strncmp(p, "a=group:BUNDLE", 14))
			continue;
		p += 14;
		while (*p) {
			size_t len;
			int m;

			p += strspn(p, " \t");
			len = strcspn(p, " \t");
			if (!len)
				break;
			m = media_of_mid(s, p, len);
			p += len;
			if (m < 0 || (unsigned int)m >= ice_agent_nstreams(a))
				continue;
			if (tag < 0) {
				tag = m;
				continue;
			}
			if ((final ||
			     media_has_line(&s->media[m], "a=bundle-only")) &&
			    ice_agent_bundled(a, (unsigned int)m) != tag &&
			    !ice_agent_bundle(a, (unsigned int)m,
					      (unsigned int)tag, now))
				n++;
		}
	}
	return n;
}

int ice_sdp_apply(struct ice_agent *a, const struct sdp_session *s,
		  unsigned int flags, uint64_t now)
{
	const char *u, *p, *cur;
	bool restarted = false;
	int err;

	err = ice_sdp_check(a, s);
	if (err)
		return err;
	creds_of(s, &s->media[0], &u, &p);
	cur = ice_agent_remote_ufrag(a);
	if (cur && strcmp(cur, u)) {
		/* the peer restarted ICE (RFC 8839 4.4.1.1.1) */
		if (!(flags & ICE_SDP_RESTARTED_LOCALLY))
			ice_agent_restart(a, now);
		restarted = true;
	}
	err = ice_agent_set_remote_creds(a, u, p);
	if (err)
		return err;
	ice_agent_set_remote_lite(a, s->ice_lite);
	for (unsigned int i = 0; i < ice_agent_nstreams(a); i++) {
		const struct sdp_media *m = &s->media[i];

		/* rtcp-mux in both offer and answer, or a peer with no
		 * component 2: one component (RFC 8839 5.1, RFC 5761) */
		if (ice_agent_ncomp(a, i) > 1 &&
		    ((m->rtcp_mux && (flags & ICE_SDP_RTCP_MUX)) ||
		     ice_sdp_one_component(s, m)))
			ice_agent_rtcp_mux(a, i, now);
		for (size_t j = 0; j < m->ncands; j++) {
			struct ice_cand_info ci;

			if (ice_sdp_cand_info(&m->cands[j], i, &ci))
				continue;
			if (ci.component > ice_agent_ncomp(a, i))
				continue;
			ice_agent_add_remote(a, &ci, now);
		}
		if (m->end_of_candidates || s->end_of_candidates)
			ice_agent_remote_eoc(a, (int)i, now);
		if (m->has_remote_cands && !restarted)
			use_remote_cands(a, s, m, i, now);
	}
	return restarted ? 1 : 0;
}

const char *ice_sdp_strerror(int err)
{
	switch (-err) {
	case ICE_SDP_E_NO_MEDIA:
		return "description has no media section";
	case ICE_SDP_E_STREAMS:
		return "fewer media sections than streams";
	case ICE_SDP_E_NO_CREDS:
		return "missing ice-ufrag or ice-pwd";
	case ICE_SDP_E_CREDS_DIFFER:
		return "media sections use different ICE credentials";
	case ICE_SDP_E_MISMATCH:
		return "peer reports ice-mismatch";
	default:
		return strerror(-err);
	}
}
