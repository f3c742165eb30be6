// SPDX-License-Identifier: GPL-2.0
/*
 * ng command handlers: ping, offer, answer, delete, query, list,
 * statistics.  Each builds a complete reply (cookie included).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kiced/handover.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/media_ice.h"
#include "kiced/rtcp_mux.h"
#include "ice/ice.h"
#include "ice/ice_sdp.h"
#include "sdp/sdp.h"

#define ERR_MAX 192

static void reply_err(struct kiced *k, struct bn_buf *b, struct ng_str ck,
		      const char *reason)
{
	k->stats.errors++;
	snprintf(k->refused, sizeof(k->refused), "%s", reason);
	ng_reply_error(b, ck, reason);
}

/*
 * Something the command asked for that is not done, or done otherwise:
 * the reply's "warning" and the log say it (kiced_command()).
 */
static void __attribute__((format(printf, 2, 3)))
cmd_warn(struct kiced *k, const char *fmt, ...)
{
	size_t n = strlen(k->warning);
	va_list ap;

	if (n && n + 2 < sizeof(k->warning)) {
		memcpy(k->warning + n, "; ", 3);
		n += 2;
	}
	if (n + 1 >= sizeof(k->warning))
		return;
	va_start(ap, fmt);
	vsnprintf(k->warning + n, sizeof(k->warning) - n, fmt, ap);
	va_end(ap);
}

static bool is_from(const struct call *c, struct ng_str s)
{
	return session_is_from(c, s.p, s.len);
}

static bool is_to(const struct call *c, struct ng_str s)
{
	return session_is_to(c, s.p, s.len);
}

/* ---- SDP rewriting ---- */

static void strip_ice_attrs(struct sdp_ice *ice)
{
	free(ice->ufrag);
	free(ice->pwd);
	free(ice->other_options);
	memset(ice, 0, sizeof(*ice));
}

/* Remove ICE from a description: kiced terminates the media itself. */
static void strip_ice(struct sdp_session *s)
{
	size_t i, j;

	s->ice_lite = false;
	s->end_of_candidates = false;
	strip_ice_attrs(&s->ice);
	for (i = 0; i < s->nmedia; i++) {
		struct sdp_media *m = &s->media[i];

		for (j = 0; j < m->ncands; j++)
			sdp_candidate_free(&m->cands[j]);
		free(m->cands);
		m->cands = NULL;
		m->ncands = 0;
		free(m->remote_cands);
		m->remote_cands = NULL;
		m->nremote_cands = 0;
		m->has_remote_cands = false;
		m->end_of_candidates = false;
		m->ice_mismatch = false;
		strip_ice_attrs(&m->ice);
	}
}

static int family_of(bool ipv6)
{
	return ipv6 ? AF_INET6 : AF_INET;
}

/* Where a media section's remote endpoint is, per RFC 8866 c= rules. */
static const char *media_conn(const struct sdp_session *s,
			      const struct sdp_media *m, bool *ipv6)
{
	if (m->has_conn) {
		*ipv6 = m->conn_ipv6;
		return m->conn_addr;
	}
	if (s->has_conn) {
		*ipv6 = s->conn_ipv6;
		return s->conn_addr;
	}
	return NULL;
}

/*
 * Where the party that sent @s for media section @m takes its media, as
 * rtpengine decides it: "media address" when given; with the flag "SIP
 * source address", the SIP message's source ("received-from"); else the
 * description's c= lines.  @buf holds a copy of a request string.
 */
static const char *party_conn(const struct ng_request *req,
			      const struct sdp_session *s,
			      const struct sdp_media *m, bool *ipv6,
			      char *buf, size_t len)
{
	struct ng_str a = req->media_address;

	if (!a.p && (req->flags & NG_F_SIP_SOURCE))
		a = req->received_from;
	if (!a.p)
		return media_conn(s, m, ipv6);
	if (a.len >= len)
		a.len = len - 1;
	memcpy(buf, a.p, a.len);
	buf[a.len] = '\0';
	*ipv6 = !!memchr(buf, ':', a.len);
	return buf;
}

/*
 * Point media section @m at @side of @st; @one_port: RTCP shares the RTP
 * port there (rtcp-mux).
 */
static void rewrite_media(struct sdp_media *m, const struct media_stream *st,
			  enum media_side side, uint32_t flags, bool one_port)
{
	uint16_t port;
	const char *addr = media_side_local(st, side, &port);
	bool v6 = st->side[side].family == AF_INET6;

	m->port = port;
	m->has_conn = true;
	snprintf(m->conn_addr, sizeof(m->conn_addr), "%s", addr);
	m->conn_ipv6 = v6;
	if ((flags & NG_F_NO_RTCP_ATTR) || (one_port && !m->rtcp_mux)) {
		/* one port and no rtcp-mux: an ICE peer with one component */
		m->has_rtcp = false;
	} else if (m->has_rtcp || (flags & NG_F_FULL_RTCP_ATTR)) {
		m->has_rtcp = true;
		m->rtcp_port = one_port ? port :
			relay_leg_port(&st->side[side].leg[MEDIA_RTCP]);
		m->rtcp_has_addr = !!(flags & NG_F_FULL_RTCP_ATTR) ||
				   m->rtcp_has_addr;
		snprintf(m->rtcp_addr, sizeof(m->rtcp_addr), "%s", addr);
		m->rtcp_ipv6 = v6;
	}
}

/* Session-level c= and (optionally) o= follow the first relayed stream. */
static int rewrite_session(struct sdp_session *s, const struct call *c,
			   enum media_side side, uint32_t replace)
{
	const struct media_stream *st = NULL;
	const char *addr;
	uint16_t port;
	size_t i;

	for (i = 0; i < c->nmedia && !st; i++)
		st = c->media[i].stream;
	if (!st)
		return 0;
	addr = media_side_local(st, side, &port);
	if (s->has_conn) {
		snprintf(s->conn_addr, sizeof(s->conn_addr), "%s", addr);
		s->conn_ipv6 = st->side[side].family == AF_INET6;
	}
	if ((replace & NG_R_ORIGIN) && s->origin) {
		/* o=<user> <sess-id> <sess-version> IN <IP4|IP6> <addr> */
		char *sp = strrchr(s->origin, ' '), *o;
		const char *fam = st->side[side].family == AF_INET6 ?
				  "IP6" : "IP4";
		char *at;

		if (!sp)
			return 0;
		*sp = '\0';
		at = strrchr(s->origin, ' ');
		if (at)
			*at = '\0';
		if (asprintf(&o, "%s %s %s", s->origin, fam, addr) < 0)
			return -1;
		free(s->origin);
		s->origin = o;
	}
	return 0;
}

int kiced_reply_sdp(struct kiced *k, struct bn_buf *b, struct ng_str ck,
		    const struct sdp_session *s, const char *media_path)
{
	char *out = NULL;
	long n = sdp_write(s, &out);

	if (n < 0) {
		reply_err(k, b, ck, "Out of memory writing SDP");
		return -1;
	}
	ng_reply_begin(b, ck, "ok");
	if (media_path)
		bn_kv_str(b, "media path", media_path);
	bn_kv_strn(b, "sdp", out, (size_t)n);
	bn_close(b);
	free(out);
	return 0;
}

void kiced_reply_described(struct kiced *k, struct media_ice *mi,
			   struct sdp_session *s, struct ng_str ck,
			   struct bn_buf *b)
{
	if (mi && media_ice_describe(mi, s)) {
		reply_err(k, b, ck, "Out of memory");
		return;
	}
	kiced_reply_sdp(k, b, ck, s, NULL);
}

/*
 * Reply with @s, ICE side @mi (or NULL) described in it; when @mi is still
 * gathering, the reply waits for it (control.c).
 */
static void reply_ice_sdp(struct kiced *k, struct media_ice *mi,
			  struct sdp_session *s, struct ng_str ck,
			  struct bn_buf *b)
{
	if (mi && !kiced_defer_sdp(k, mi, s))
		return;
	kiced_reply_described(k, mi, s, ck, b);
}

/*
 * The answer's reply with the flag "wait-media" (the seed's "ring only
 * when media works"): described for the offerer at once (gathering
 * waited for), sent when the answerer's ICE side works, fails or
 * media-wait passes.  Without ICE there, at once: nothing to verify.
 */
static void reply_when_media(struct kiced *k, struct call *c,
			     struct sdp_session *s, struct ng_str ck,
			     struct bn_buf *b)
{
	/* ma: towards the offerer, mb: towards the answerer */
	struct media_ice *ma = c->ice[c->offerer],
			 *mb = c->ice[media_other(c->offerer)];

	if (ma) {
		if (media_ice_gathering(ma))
			media_ice_wait_gathering(ma);
		if (media_ice_describe(ma, s)) {
			reply_err(k, b, ck, "Out of memory");
			return;
		}
	}
	if (mb && !kiced_defer_media(k, mb, s))
		return;
	kiced_reply_sdp(k, b, ck, s, mb ? media_ice_media_path(mb) :
					  "unverified");
}

/*
 * rtpengine's "loop protect": a description kiced rewrote carries the
 * session attribute a=rtpengine:<instance> (a random id of this kiced);
 * one that comes back with it went through here already and is passed
 * on unchanged.
 */
#define LOOP_ATTR	"a=rtpengine:"

static const char *loop_instance(struct kiced *k)
{
	uint8_t r[8] = { 0 };
	int i;

	if (!k->instance[0]) {
		if (RAND_bytes(r, sizeof(r)) != 1)
			memcpy(r, &k->started_ms, sizeof(r));
		for (i = 0; i < 8; i++)
			snprintf(k->instance + 2 * i, 3, "%02x", r[i]);
	}
	return k->instance;
}

static bool looped(struct kiced *k, const struct sdp_session *s)
{
	size_t i, n = strlen(LOOP_ATTR);
	const char *id = loop_instance(k);

	for (i = 0; i < s->nextra; i++)
		if (!strncmp(s->extra[i], LOOP_ATTR, n) &&
		    !strcmp(s->extra[i] + n, id))
			return true;
	return false;
}

/* With "loop protect": the reply is the request's own description. */
static bool loop_protected(struct kiced *k, const struct ng_request *req,
			   const struct sdp_session *s, struct ng_str ck,
			   struct bn_buf *b)
{
	if (!(req->flags & NG_F_LOOP_PROTECT) || !looped(k, s))
		return false;
	klog_info("ng %s: description rewritten here already (loop protect): passed on unchanged",
		  ng_cmd_name(req->cmd));
	ng_reply_begin(b, ck, "ok");
	bn_kv_strn(b, "sdp", req->sdp.p, req->sdp.len);
	bn_close(b);
	return true;
}

static int mark_loop(struct kiced *k, const struct ng_request *req,
		     struct sdp_session *s)
{
	char line[sizeof(LOOP_ATTR) + sizeof(k->instance)];

	/* a looped description never gets here (loop_protected()) */
	if (!(req->flags & NG_F_LOOP_PROTECT))
		return 0;
	snprintf(line, sizeof(line), LOOP_ATTR "%s", loop_instance(k));
	return sdp_add_extra(&s->extra, &s->nextra, line);
}

/*
 * rtpengine's "transport-protocol": the profile of the media sections in
 * the description kiced writes.  Between the plain RTP profiles (RTP/AVP,
 * RTP/AVPF) only the m= line changes; anything with SRTP or DTLS in it
 * needs crypto kiced does not do yet, and is refused rather than written
 * wrongly.  NULL, or the error reason (in @buf).
 */
static bool plain_rtp(const char *p)
{
	return !strcmp(p, "RTP/AVP") || !strcmp(p, "RTP/AVPF");
}

static const char *transport_check(const struct ng_request *req,
				   const struct sdp_session *s, char *buf,
				   size_t len)
{
	char want[sizeof(s->media[0].proto)];
	size_t i;

	if (!req->transport.p)
		return NULL;
	if (req->transport.len >= sizeof(want))
		return "transport-protocol too long";
	memcpy(want, req->transport.p, req->transport.len);
	want[req->transport.len] = '\0';
	for (i = 0; i < s->nmedia; i++) {
		const char *have = s->media[i].proto;

		if (!strcmp(have, want) || (plain_rtp(have) && plain_rtp(want)))
			continue;
		snprintf(buf, len,
			 "transport-protocol %.32s for media %zu (%.32s): SRTP and DTLS are not translated",
			 want, i + 1, have);
		return buf;
	}
	return NULL;
}

static void transport_apply(const struct ng_request *req,
			    struct sdp_session *s)
{
	size_t i;

	if (!req->transport.p)
		return;
	for (i = 0; i < s->nmedia; i++)
		snprintf(s->media[i].proto, sizeof(s->media[i].proto), "%.*s",
			 (int)req->transport.len, req->transport.p);
}

static int parse_sdp(struct kiced *k, struct bn_buf *b, struct ng_str ck,
		     const struct ng_request *req, struct sdp_session *s)
{
	struct sdp_error e;
	char msg[ERR_MAX];

	memset(s, 0, sizeof(*s));
	if (sdp_parse(req->sdp.p, req->sdp.len, s, &e)) {
		snprintf(msg, sizeof(msg), "Failed to parse SDP: %s (line %u)",
			 sdp_strerror(e.code), e.line);
		reply_err(k, b, ck, msg);
		return -1;
	}
	if (!s->nmedia) {
		sdp_session_free(s);
		reply_err(k, b, ck, "SDP has no media section");
		return -1;
	}
	return 0;
}

static uint32_t relay_flags(uint32_t ng_flags)
{
	uint32_t f = 0;

	if (ng_flags & NG_F_ASYMMETRIC)
		f |= MEDIA_F_NO_LATCH;
	if (ng_flags & NG_F_STRICT_SOURCE)
		f |= MEDIA_F_STRICT;
	return f;
}

static const char *errno_reason(int err, const char *what, char *buf,
				size_t len)
{
	snprintf(buf, len, "%s: %s", what, strerror(-err));
	return buf;
}

/* Is @addr a literal address of the family an SDP c= line gave it? */
static bool conn_addr_ok(const char *addr, bool v6)
{
	struct in6_addr a;

	return inet_pton(v6 ? AF_INET6 : AF_INET, addr, &a) == 1;
}

/*
 * Check an offer against everything offer_media() and offer_ice() would
 * refuse, before either changes the call: a refused re-offer must leave
 * an established call as it was.  Resolves "direction" into @ifc.
 */
/* A name from the request, printable and short, for a message. */
static const char *short_name(struct ng_str s, char *buf, size_t len)
{
	size_t i, n = s.len < len - 1 ? s.len : len - 1;

	for (i = 0; i < n; i++)
		buf[i] = s.p[i] > 0x20 && s.p[i] < 0x7f ? s.p[i] : '?';
	buf[n] = 0;
	return buf;
}

/* The interface side @sd of call @c uses now (NULL: the default). */
static const struct kiced_iface *current_iface(const struct call *c,
					       enum media_side sd)
{
	size_t i;

	for (i = 0; i < c->nmedia; i++)
		if (c->media[i].stream)
			return c->media[i].stream->side[sd].iface;
	return NULL;
}

/* What an interface name may be ([media] interface): 1-31 of [A-Za-z0-9._-] */
static bool iface_name_ok(struct ng_str n)
{
	size_t i;

	if (!n.len || n.len > 31)
		return false;
	for (i = 0; i < n.len; i++)
		if (!isalnum((unsigned char)n.p[i]) && n.p[i] != '.' &&
		    n.p[i] != '_' && n.p[i] != '-')
			return false;
	return true;
}

/*
 * Check an offer (of party @o for call @c, new or not) before anything is
 * changed, and choose the interfaces of both sides (@ifc, by side).
 */
static const char *validate_offer(struct kiced *k, const struct ng_request *req,
				  const struct call *c,
				  const struct sdp_session *s,
				  enum media_side o, bool ice_a, bool ice_b,
				  const struct kiced_iface *ifc[2],
				  char *buf, size_t blen)
{
	const char *why = transport_check(req, s, buf, blen);
	size_t i;
	int d, err;

	if (why)
		return why;
	/*
	 * "direction": the interfaces towards the offerer and towards the
	 * answerer.  Without it, or for a name kiced does not have, a call
	 * keeps the interfaces it has and a new one gets the default
	 * address, as rtpengine does it (a warning says so); a name that
	 * cannot be an interface's is an error.
	 */
	ifc[MEDIA_SIDE_A] = current_iface(c, MEDIA_SIDE_A);
	ifc[MEDIA_SIDE_B] = current_iface(c, MEDIA_SIDE_B);
	for (d = 0; d < 2 && req->direction[0].p; d++) {
		enum media_side sd = d ? media_other(o) : o;
		const struct kiced_iface *f;
		char name[33];

		if (!iface_name_ok(req->direction[d]))
			return "Invalid interface name in direction";
		f = config_iface(&k->cfg, req->direction[d].p,
				 req->direction[d].len);
		if (f)
			ifc[sd] = f;
		else
			cmd_warn(k, "Unknown interface \"%s\": %s",
				 short_name(req->direction[d], name,
					    sizeof(name)),
				 c->nmedia ? "the call's is kept" :
					     "the default one is used");
	}
	if ((ice_a || ice_b) && s->nmedia > ICE_MAX_STREAMS)
		return "ICE: too many media sections";
	for (i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		char abuf[SDP_ADDR_MAX + 1];
		const char *addr;
		bool v6;

		if (!m->port && !ice_sdp_bundle_only(m)) {
			if (ice_a || ice_b)
				return "ICE: disabled media sections are not supported";
			continue;
		}
		addr = party_conn(req, s, m, &v6, abuf, sizeof(abuf));
		if (!addr) {
			snprintf(buf, blen,
				 "No connection address for media %zu", i + 1);
			return buf;
		}
		if (!conn_addr_ok(addr, v6)) {
			snprintf(buf, blen,
				 "Unsupported connection address \"%.64s\"", addr);
			return buf;
		}
		if (ifc[o] && ifc[o]->family != family_of(v6)) {
			snprintf(buf, blen,
				 "Media %zu: offerer address family differs from interface \"%s\"",
				 i + 1, ifc[o]->name);
			return buf;
		}
	}
	if (ice_a) {
		err = ice_sdp_check_streams((unsigned int)s->nmedia, s);
		if (err) {
			snprintf(buf, blen, "ICE: %s", media_ice_strerror(err));
			return buf;
		}
	}
	return NULL;
}

/*
 * Create (or, for a repeated offer, update) the streams of @c from the
 * offerer's description @s, checked by validate_offer().  Returns NULL or
 * an error reason (then only for resources: ports, memory).
 */
static const char *offer_media(struct kiced *k, struct call *c,
			       const struct ng_request *req,
			       const struct sdp_session *s,
			       const struct kiced_iface *const ifc[2],
			       char *buf, size_t blen)
{
	enum media_side o = c->offerer, n = media_other(o);
	bool reuse = c->nmedia == s->nmedia;
	size_t i;
	int err;

	if (!reuse) {
		session_clear_media(c);
		c->media = calloc(s->nmedia, sizeof(*c->media));
		if (!c->media)
			return "Out of memory";
		c->nmedia = s->nmedia;
	}
	for (i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		struct call_media *cm = &c->media[i];
		char abuf[SDP_ADDR_MAX + 1];
		const char *addr;
		bool v6;
		int fam[2];

		snprintf(cm->type, sizeof(cm->type), "%s", m->media);
		snprintf(cm->proto, sizeof(cm->proto), "%s", m->proto);
		if (!m->port && !ice_sdp_bundle_only(m)) {
			/* rejected/disabled stream: nothing to relay */
			media_stream_free(cm->stream);
			cm->stream = NULL;
			continue;
		}
		addr = party_conn(req, s, m, &v6, abuf, sizeof(abuf));
		if (!addr)
			return "No connection address";
		/* the offerer's family is its SDP's; the answerer's is asked */
		fam[o] = family_of(v6);
		fam[n] = ifc[n] ? ifc[n]->family :
			 req->family == NG_AF_IP6 ? AF_INET6 :
			 req->family == NG_AF_IP4 ? AF_INET :
			 cm->stream && o == MEDIA_SIDE_B ?
			 cm->stream->side[n].family : fam[o];
		if (cm->stream && (cm->stream->side[0].family != fam[0] ||
				   cm->stream->side[1].family != fam[1] ||
				   cm->stream->side[0].iface != ifc[0] ||
				   cm->stream->side[1].iface != ifc[1])) {
			media_stream_free(cm->stream);
			cm->stream = NULL;
		}
		if (!cm->stream) {
			cm->stream = media_stream_new(&k->media,
						      relay_flags(req->flags));
			if (!cm->stream)
				return "Out of memory";
			err = media_side_open(cm->stream, MEDIA_SIDE_A, fam[0],
					      ifc[0]);
			if (!err)
				err = media_side_open(cm->stream, MEDIA_SIDE_B,
						      fam[1], ifc[1]);
			if (err == -ENOSPC) {
				snprintf(buf, blen,
					 "Cannot allocate media ports: no free port pair in %u-%u",
					 k->cfg.port_min, k->cfg.port_max);
				return buf;
			}
			if (err)
				return errno_reason(err,
					"Cannot allocate media ports", buf,
					blen);
		}
		/* bundle-only: the offerer sends on its tag's transport */
		err = !m->port ? 0 :
		      media_side_set_remote(cm->stream, o, addr,
					    m->port,
					    m->has_rtcp ? m->rtcp_port : 0);
		if (err) {
			snprintf(buf, blen,
				 "Unsupported connection address \"%.64s\"", addr);
			return buf;
		}
	}
	return NULL;
}

/* Does the description advertise trickle ICE (a=ice-options:trickle)? */
static bool sdp_trickles(const struct sdp_session *s)
{
	size_t i;

	if (s->ice.options & SDP_OPT_TRICKLE)
		return true;
	for (i = 0; i < s->nmedia; i++)
		if (s->media[i].ice.options & SDP_OPT_TRICKLE)
			return true;
	return false;
}

/*
 * Set up ICE for a call whose streams are open: towards the answerer
 * (we are controlling) and, when the offerer does ICE, towards it
 * (controlled, its candidates applied at once).  @ice_a: towards the
 * offerer, @ice_b: towards the answerer, whichever sides they are.
 */
static const char *offer_ice(struct kiced *k, struct call *c,
			     const struct ng_request *req,
			     const struct sdp_session *s, bool ice_a,
			     bool ice_b, char *buf, size_t blen)
{
	struct media_stream *sv[ICE_MAX_STREAMS];
	bool trickle = !!(req->flags & NG_F_TRICKLE_ICE);
	enum media_side o = c->offerer, n = media_other(o);
	const char *why = NULL;
	size_t i;
	int err;

	if (c->nmedia > ICE_MAX_STREAMS)
		return "ICE: too many media sections";
	for (i = 0; i < c->nmedia; i++) {
		if (!c->media[i].stream)
			return "ICE: disabled media sections are not supported";
		sv[i] = c->media[i].stream;
	}
	if (ice_b) {
		c->ice[n] = media_ice_new(k->media.loop, sv,
					  (unsigned int)c->nmedia, n, true,
					  trickle, &why);
		if (!c->ice[n])
			return why;
	}
	if (ice_a) {
		/* an offerer that trickles may send its candidates later */
		c->ice[o] = media_ice_new(k->media.loop, sv,
					  (unsigned int)c->nmedia, o, false,
					  trickle || sdp_trickles(s), &why);
		if (!c->ice[o])
			return why;
		/* bundle-only sections first: they never get checks */
		media_ice_bundle(c->ice[o], s, false);
		err = media_ice_apply(c->ice[o], s, false);
		if (err) {
			snprintf(buf, blen, "ICE: %s", media_ice_strerror(err));
			return buf;
		}
	}
	return NULL;
}

/*
 * Trickle ICE (RFC 8840): an offer with the flag "fragment" carries an
 * SDP fragment with candidates of the party whose tag is from-tag, for
 * the running ICE session on that party's side of the call.
 */
static void cmd_fragment(struct kiced *k, const struct ng_request *req,
			 struct ng_str ck, struct bn_buf *b)
{
	struct call *c = session_find(&k->calls, req->call_id.p,
				      req->call_id.len);
	enum media_side side;
	char buf[ERR_MAX], why[ERR_MAX];
	const char *err;

	if (!c) {
		reply_err(k, b, ck, "Unknown call-id");
		return;
	}
	if (is_from(c, req->from_tag)) {
		side = MEDIA_SIDE_A;
	} else if (is_to(c, req->from_tag)) {
		side = MEDIA_SIDE_B;
	} else {
		reply_err(k, b, ck, "Unknown from-tag");
		return;
	}
	if (!c->ice[side]) {
		reply_err(k, b, ck, "ICE fragment: no ICE towards that party");
		return;
	}
	err = media_ice_trickle(c->ice[side], req->sdp.p, req->sdp.len, buf,
				sizeof(buf));
	if (err) {
		snprintf(why, sizeof(why), "ICE fragment: %s", err);
		reply_err(k, b, ck, why);
		return;
	}
	c->last_activity_ms = loop_now_ms();
	klog_info("call %s: trickled candidates from %s", KLOG_CALL(c),
		  side == MEDIA_SIDE_A ? "caller" : "callee");
	ng_reply_begin(b, ck, "ok");
	bn_close(b);
}

static void cmd_offer(struct kiced *k, const struct ng_request *req,
		      struct ng_str ck, struct bn_buf *b)
{
	struct sdp_session s;
	struct call *c;
	const char *why;
	char buf[ERR_MAX];
	const struct kiced_iface *ifc[2] = { NULL, NULL };
	bool created = false, ice_a, ice_b;
	enum media_side o = MEDIA_SIDE_A, n;
	size_t i;

	if (req->flags & NG_F_FRAGMENT) {
		cmd_fragment(k, req, ck, b);
		return;
	}
	if (req->ice == NG_ICE_FORCE_RELAY) {
		k->stats.rejected++;
		reply_err(k, b, ck, "ICE=force-relay is not supported");
		return;
	}
	if (parse_sdp(k, b, ck, req, &s)) {
		k->stats.rejected++;
		return;
	}
	if (loop_protected(k, req, &s, ck, b))
		goto out;
	if (req->ice == NG_ICE_FORCE && !k->cfg.ice) {
		k->stats.rejected++;
		reply_err(k, b, ck, "ICE is disabled in the configuration");
		goto out;
	}
	/* towards the offerer: when it does ICE; towards the answerer: when
	 * forced, or by default when the offerer does ICE */
	ice_a = k->cfg.ice && media_sdp_has_ice(&s) &&
		!(req->flags & NG_F_REJECT_ICE);
	ice_b = k->cfg.ice && (req->ice == NG_ICE_FORCE ||
			       (req->ice != NG_ICE_REMOVE &&
				media_sdp_has_ice(&s)));
	c = session_find(&k->calls, req->call_id.p, req->call_id.len);
	/*
	 * A re-offer from the callee (a re-INVITE or UPDATE from it: its tag
	 * is the from-tag, as Kamailio's module sends it) makes B the
	 * offerer until its answer.
	 */
	if (c && !is_from(c, req->from_tag)) {
		if (!c->to_tag || !is_to(c, req->from_tag)) {
			reply_err(k, b, ck, "Call exists with a different from-tag");
			goto out;
		}
		o = MEDIA_SIDE_B;
	}
	n = media_other(o);
	if (!c) {
		/* rtpengine's "load limit": new calls only, others go on */
		if (k->cfg.max_sessions &&
		    k->calls.count >= k->cfg.max_sessions) {
			k->stats.rejected++;
			if (!req->supports_load_limit)
				k->stats.errors++;
			ng_reply_load_limit(b, ck, req->supports_load_limit,
					    NG_LOAD_LIMIT_SESSIONS);
			if (klog_once(&k->warn_load_limit))
				klog_notice("call limit reached (max-sessions %u): offers for new calls refused",
					    k->cfg.max_sessions);
			goto out;
		}
		c = session_add(&k->calls, req->call_id.p, req->call_id.len,
				req->from_tag.p, req->from_tag.len);
		if (!c) {
			reply_err(k, b, ck, "Out of memory");
			goto out;
		}
		created = true;
		klog_repeats(&k->warn_load_limit, "call limit",
			     "offers for new calls refused");
	}
	why = validate_offer(k, req, c, &s, o, ice_a, ice_b, ifc, buf,
			     sizeof(buf));
	if (why)
		goto refuse;
	c->offerer = o;
	/* a new offer renegotiates ICE from scratch */
	session_clear_ice(c);
	why = offer_media(k, c, req, &s, ifc, buf, sizeof(buf));
	if (!why && (ice_a || ice_b))
		why = offer_ice(k, c, req, &s, ice_a, ice_b, buf, sizeof(buf));
	if (!why)
		rtcp_mux_offer(c, &s, req->rtcp_mux);
	if (why) {
refuse:
		if (created) {
			session_remove(&k->calls, c);
			k->stats.rejected++;
		}
		reply_err(k, b, ck, why);
		goto out;
	}
	c->ice_mode = req->ice;
	c->flags = req->flags;
	c->delete_at_ms = 0;	/* offered again: no longer being deleted */
	c->last_signal = time(NULL);
	c->last_activity_ms = loop_now_ms();
	if (req->via_branch.p && !c->via_branch &&
	    session_set_via_branch(c, req->via_branch.p,
				   req->via_branch.len)) {
		why = "Out of memory";
		goto refuse;
	}
	/* keep-flows: what the fd store cannot keep is not accepted */
	if (handover_sync_call(k, c) == -EMSGSIZE) {
		why = "Call state too large for the fd store (keep-flows)";
		goto refuse;
	}
	if (created) {
		k->stats.managed++;
		klog_info("call %s: offer from %s, %zu media", KLOG_CALL(c),
			  KLOG_S(c->from_tag, c->from_tag_len), c->nmedia);
	} else if (o == MEDIA_SIDE_B) {
		klog_info("call %s: re-offer from the callee %s", KLOG_CALL(c),
			  KLOG_S(c->to_tag, c->to_tag_len));
	}

	strip_ice(&s);
	transport_apply(req, &s);
	for (i = 0; i < s.nmedia; i++)
		if (c->media[i].stream && s.media[i].port)
			rewrite_media(&s.media[i], c->media[i].stream, n,
				      req->flags,
				      rtcp_mux_describe(c, i, n, &s.media[i]));
	if (rewrite_session(&s, c, n, req->replace) ||
	    mark_loop(k, req, &s)) {
		reply_err(k, b, ck, "Out of memory");
		goto out;
	}
	reply_ice_sdp(k, c->ice[n], &s, ck, b);
out:
	sdp_session_free(&s);
}

static void cmd_answer(struct kiced *k, const struct ng_request *req,
		       struct ng_str ck, struct bn_buf *b)
{
	struct sdp_session s;
	struct call *c;
	char buf[ERR_MAX];
	const char *why;
	enum media_side o, n;
	bool ice_b;
	size_t i;
	int err;

	c = session_find(&k->calls, req->call_id.p, req->call_id.len);
	if (!c) {
		reply_err(k, b, ck, "Unknown call-id");
		return;
	}
	/* from-tag: the offerer's, whichever party made the offer */
	o = c->offerer;
	n = media_other(o);
	if (o == MEDIA_SIDE_A ? !is_from(c, req->from_tag) :
				!is_to(c, req->from_tag)) {
		reply_err(k, b, ck, "Unknown from-tag");
		return;
	}
	/*
	 * Once answered, the call belongs to that to-tag: another one may
	 * not take over the answerer's media (forking is not supported).
	 */
	if (o == MEDIA_SIDE_A && c->to_tag && !is_to(c, req->to_tag)) {
		reply_err(k, b, ck, "Call already answered by another to-tag");
		return;
	}
	if (o == MEDIA_SIDE_B && !is_from(c, req->to_tag)) {
		reply_err(k, b, ck, "Unknown to-tag: the callee's offer is answered by the caller");
		return;
	}
	if (parse_sdp(k, b, ck, req, &s))
		return;
	if (loop_protected(k, req, &s, ck, b))
		goto out;
	/* an answer cannot start ICE towards an offerer that did not offer it */
	if (req->ice == NG_ICE_FORCE && !c->ice[o])
		cmd_warn(k, "ICE=force in an answer: the offer had no ICE, so the answer to it cannot (RFC 8839)");
	ice_b = c->ice[n] && media_sdp_has_ice(&s) &&
		req->ice != NG_ICE_REMOVE;
	if (s.nmedia != c->nmedia) {
		snprintf(buf, sizeof(buf),
			 "Answer has %zu media sections, offer had %zu",
			 s.nmedia, c->nmedia);
		reply_err(k, b, ck, buf);
		goto out;
	}
	/* validate everything before changing anything */
	why = transport_check(req, &s, buf, sizeof(buf));
	if (why) {
		reply_err(k, b, ck, why);
		goto out;
	}
	for (i = 0; i < s.nmedia; i++) {
		const struct sdp_media *m = &s.media[i];
		const struct media_stream *st = c->media[i].stream;
		char abuf[SDP_ADDR_MAX + 1];
		const char *addr;
		bool v6;

		if (!st || !m->port)
			continue;
		addr = party_conn(req, &s, m, &v6, abuf, sizeof(abuf));
		if (!addr) {
			snprintf(buf, sizeof(buf),
				 "No connection address for media %zu", i + 1);
			reply_err(k, b, ck, buf);
			goto out;
		}
		if (!conn_addr_ok(addr, v6)) {
			snprintf(buf, sizeof(buf),
				 "Unsupported connection address \"%.64s\"", addr);
			reply_err(k, b, ck, buf);
			goto out;
		}
		if (family_of(v6) != st->side[n].family) {
			snprintf(buf, sizeof(buf),
				 "Media %zu: answer address family differs from the offer's",
				 i + 1);
			reply_err(k, b, ck, buf);
			goto out;
		}
	}
	if (ice_b) {
		err = media_ice_check(c->ice[n], &s);
		if (err) {
			snprintf(buf, sizeof(buf), "ICE: %s",
				 media_ice_strerror(err));
			reply_err(k, b, ck, buf);
			goto out;
		}
	}
	for (i = 0; i < s.nmedia; i++) {
		const struct sdp_media *m = &s.media[i];
		struct media_stream *st = c->media[i].stream;
		char abuf[SDP_ADDR_MAX + 1];
		const char *addr;
		bool v6;

		if (!st || !m->port)
			continue;
		addr = party_conn(req, &s, m, &v6, abuf, sizeof(abuf));
		if (media_side_set_remote(st, n, addr, m->port,
					  m->has_rtcp ? m->rtcp_port : 0)) {
			snprintf(buf, sizeof(buf),
				 "Unsupported connection address \"%.64s\"", addr);
			reply_err(k, b, ck, buf);
			goto out;
		}
	}
	if (o == MEDIA_SIDE_A && !is_to(c, req->to_tag) &&
	    session_set_to_tag(c, req->to_tag.p, req->to_tag.len)) {
		reply_err(k, b, ck, "Out of memory");
		goto out;
	}
	rtcp_mux_answer(c, &s, req->rtcp_mux);
	if (ice_b) {
		/*
		 * The answer's BUNDLE group, before its checks start (the
		 * bundled sections have no candidates of their own); it goes
		 * on to the offerer too.
		 */
		media_ice_bundle(c->ice[n], &s, true);
		if (c->ice[o])
			media_ice_bundle(c->ice[o], &s, true);
		err = media_ice_apply(c->ice[n], &s, false);
		if (err) {
			snprintf(buf, sizeof(buf), "ICE: %s",
				 media_ice_strerror(err));
			reply_err(k, b, ck, buf);
			goto out;
		}
	} else if (c->ice[n]) {
		/* the answerer does not do ICE: plain media towards it */
		media_ice_free(c->ice[n]);
		c->ice[n] = NULL;
		for (i = 0; i < c->nmedia; i++)
			if (c->media[i].stream)
				media_side_relatch(c->media[i].stream, n);
	}
	c->state = CALL_ANSWERED;
	c->last_signal = time(NULL);
	c->last_activity_ms = loop_now_ms();
	klog_info("call %s: answer from %s", KLOG_CALL(c),
		  o == MEDIA_SIDE_A ? KLOG_S(c->to_tag, c->to_tag_len) :
				      KLOG_S(c->from_tag, c->from_tag_len));
	/*
	 * Both remotes known: the kernel relays from here on; a side with
	 * ICE first needs its nominated pair (media_ice.c offloads then).
	 */
	if (k->media.kernel)
		for (i = 0; i < c->nmedia; i++) {
			if (!c->media[i].stream)
				continue;
			err = media_stream_offload(c->media[i].stream);
			if (err == -EOPNOTSUPP)
				klog_info("call %s: media %zu relayed in userspace (RTCP for a side without it is dropped there)",
					  KLOG_CALL(c), i + 1);
			else if (err && err != -EBUSY &&
				 klog_once(&c->warn[CALL_WARN_USERSPACE]))
				klog_warn("call %s: media %zu stays in userspace: %s",
					  KLOG_CALL(c), i + 1, strerror(-err));
		}

	strip_ice(&s);
	transport_apply(req, &s);
	for (i = 0; i < s.nmedia; i++)
		if (c->media[i].stream && s.media[i].port)
			rewrite_media(&s.media[i], c->media[i].stream, o,
				      req->flags,
				      rtcp_mux_describe(c, i, o, &s.media[i]));
	if (rewrite_session(&s, c, o, req->replace) ||
	    mark_loop(k, req, &s)) {
		reply_err(k, b, ck, "Out of memory");
		goto out;
	}
	if (req->flags & NG_F_WAIT_MEDIA)
		reply_when_media(k, c, &s, ck, b);
	else
		reply_ice_sdp(k, c->ice[o], &s, ck, b);
out:
	sdp_session_free(&s);
}

static void put_counters(struct bn_buf *b, const char *key,
			 const struct relay_counters *rc)
{
	bn_put_cstr(b, key);
	bn_open_dict(b);
	bn_kv_int(b, "bytes", (int64_t)rc->bytes);
	bn_kv_int(b, "errors", (int64_t)rc->errors);
	bn_kv_int(b, "packets", (int64_t)rc->packets);
	bn_close(b);
}

static void put_endpoint(struct bn_buf *b, const char *key,
			 const struct media_stream *st, enum media_side side,
			 const struct media_stats *ms,
			 const struct media_ice *mi)
{
	const struct media_endpoint *e = &st->side[side];
	uint16_t port;
	const char *addr = media_side_local(st, side, &port);
	char pair[2 * ICE_ADDRSTRLEN + 32];

	bn_put_cstr(b, key);
	bn_open_dict(b);
	if (mi && !media_ice_pair(mi, st, pair, sizeof(pair)))
		bn_kv_str(b, "ICE pair", pair);
	if (mi)
		bn_kv_str(b, "ICE state", media_ice_state(mi));
	/* does media work here: checked by ICE, or only known from SDP */
	bn_kv_str(b, "media path", mi ? media_ice_media_path(mi) :
				   e->remote_set ? "unverified" : "unknown");
	bn_kv_str(b, "family", e->family == AF_INET6 ? "IP6" : "IP4");
	bn_kv_str(b, "local address", addr);
	bn_kv_int(b, "local port", port);
	if (e->remote_set) {
		bn_kv_str(b, "remote address", e->remote_addr);
		bn_kv_int(b, "remote port", e->remote_port[MEDIA_RTP]);
	}
	/* RFC 7675: what the other side sent before this one consented */
	if (e->ice || e->leg[0].held || e->leg[1].held)
		bn_kv_int(b, "held", (int64_t)(e->leg[0].held + e->leg[1].held));
	put_counters(b, "RTCP", &ms->rx[side][MEDIA_RTCP]);
	put_counters(b, "RTP", &ms->rx[side][MEDIA_RTP]);
	bn_close(b);
}

static bool call_offloaded(const struct call *c)
{
	size_t i;

	for (i = 0; i < c->nmedia; i++)
		if (c->media[i].stream && c->media[i].stream->offloaded)
			return true;
	return false;
}

/* Members shared by query and delete: times, tags, media, totals. */
static void put_call(struct kiced *k, struct bn_buf *b, const struct call *c)
{
	struct relay_counters tot[2] = { { 0 } };
	size_t i;

	bn_kv_strn(b, "call-id", c->call_id, c->call_id_len);
	bn_kv_int(b, "created", (int64_t)c->created);
	bn_kv_strn(b, "from-tag", c->from_tag, c->from_tag_len);
	bn_kv_str(b, "ICE", ng_ice_name((enum ng_ice)c->ice_mode));
	bn_kv_int(b, "last signal", (int64_t)c->last_signal);
	bn_put_cstr(b, "media");
	bn_open_list(b);
	for (i = 0; i < c->nmedia; i++) {
		const struct call_media *cm = &c->media[i];
		struct media_stats ms;

		bn_open_dict(b);
		bn_kv_int(b, "index", (int64_t)i + 1);
		if (cm->stream && cm->stream->offloaded) {
			/* kice.ko flow ids (RTP, RTCP), for kicectl show */
			bn_put_cstr(b, "kernel flows");
			bn_open_list(b);
			bn_put_int(b, cm->stream->flow[MEDIA_RTP]);
			bn_put_int(b, cm->stream->flow[MEDIA_RTCP]);
			bn_close(b);
		}
		bn_kv_str(b, "protocol", cm->proto);
		bn_kv_str(b, "type", cm->type);
		if (cm->stream) {
			media_stream_stats(cm->stream, &ms);
			put_endpoint(b, "answerer", cm->stream, MEDIA_SIDE_B,
				     &ms, c->ice[MEDIA_SIDE_B]);
			put_endpoint(b, "offerer", cm->stream, MEDIA_SIDE_A,
				     &ms, c->ice[MEDIA_SIDE_A]);
			media_stats_add(tot, &ms);
		}
		bn_close(b);
	}
	bn_close(b);
	bn_kv_str(b, "relay", call_offloaded(c) ? "kernel" : "userspace");
	bn_kv_str(b, "state", c->state == CALL_ANSWERED ? "answered" :
							   "offered");
	if (c->to_tag)
		bn_kv_strn(b, "to-tag", c->to_tag, c->to_tag_len);
	if (c->delete_at_ms) {
		uint64_t now = loop_now_ms();

		bn_kv_int(b, "deleted in", c->delete_at_ms > now ?
			  (int64_t)((c->delete_at_ms - now + 999) / 1000) : 0);
	}
	bn_put_cstr(b, "totals");
	bn_open_dict(b);
	put_counters(b, "RTCP", &tot[MEDIA_RTCP]);
	put_counters(b, "RTP", &tot[MEDIA_RTP]);
	bn_close(b);
}

static struct call *find_tagged(struct kiced *k, const struct ng_request *req,
				struct ng_str ck, struct bn_buf *b)
{
	struct call *c = session_find(&k->calls, req->call_id.p,
				      req->call_id.len);

	if (!c) {
		reply_err(k, b, ck, "Unknown call-id");
		return NULL;
	}
	if (req->from_tag.p && !is_from(c, req->from_tag) &&
	    !is_to(c, req->from_tag)) {
		reply_err(k, b, ck, "Tags do not match the call");
		return NULL;
	}
	return c;
}

static void cmd_delete(struct kiced *k, const struct ng_request *req,
		       struct ng_str ck, struct bn_buf *b)
{
	struct call *c = find_tagged(k, req, ck, b);

	if (!c)
		return;
	ng_reply_begin(b, ck, "ok");
	put_call(k, b, c);
	bn_close(b);
	/*
	 * rtpengine's "delete delay": the call (and its media) goes on for
	 * that many seconds (kiced_tick() removes it), unless offered again
	 */
	if (req->delete_delay > 0) {
		int64_t d = req->delete_delay > 86400 ? 86400 :
			    req->delete_delay;

		c->delete_at_ms = loop_now_ms() + (uint64_t)d * 1000;
		klog_info("call %s: deleted in %lld s (delete delay)",
			  KLOG_CALL(c), (long long)d);
		return;
	}
	klog_info("call %s: deleted", KLOG_CALL(c));
	session_remove(&k->calls, c);
	k->stats.deleted++;
}

static void cmd_query(struct kiced *k, const struct ng_request *req,
		      struct ng_str ck, struct bn_buf *b)
{
	struct call *c = find_tagged(k, req, ck, b);

	if (!c)
		return;
	ng_reply_begin(b, ck, "ok");
	put_call(k, b, c);
	bn_close(b);
}

static void cmd_list(struct kiced *k, const struct ng_request *req,
		     struct ng_str ck, struct bn_buf *b)
{
	int64_t limit = req->limit >= 0 ? req->limit : k->cfg.list_limit;
	const struct call *c;

	/* a reply any ng client (kicectl too) can decode */
	if (limit > BN_MAX_ITEMS)
		limit = BN_MAX_ITEMS;

	ng_reply_begin(b, ck, "ok");
	bn_put_cstr(b, "calls");
	bn_open_list(b);
	for (c = k->calls.head; c && limit > 0; c = c->next, limit--)
		bn_put_str(b, c->call_id, c->call_id_len);
	bn_close(b);
	bn_close(b);
}

static void cmd_statistics(struct kiced *k, const struct ng_request *req,
			   struct ng_str ck, struct bn_buf *b)
{
	int i;

	ng_reply_begin(b, ck, "ok");
	bn_put_cstr(b, "statistics");
	bn_open_dict(b);

	bn_put_cstr(b, "control");
	bn_open_dict(b);
	for (i = 0; i < NG_CMD__COUNT; i++)
		bn_kv_int(b, ng_cmd_name(i), (int64_t)k->stats.commands[i]);
	bn_kv_int(b, "errors", (int64_t)k->stats.errors);
	bn_kv_int(b, "malformed", (int64_t)k->stats.malformed);
	bn_kv_int(b, "replays", (int64_t)k->stats.replays);
	bn_close(b);

	bn_put_cstr(b, "currentstatistics");
	bn_open_dict(b);
	bn_kv_int(b, "ports", k->media.open_ports);
	bn_kv_int(b, "sessionsforeign", 0);
	bn_kv_int(b, "sessionsown", (int64_t)k->calls.count);
	bn_kv_int(b, "sessionstotal", (int64_t)k->calls.count);
	bn_close(b);

	bn_kv_int(b, "kernel flows", k->media.flows);
	bn_kv_str(b, "relay", k->media.kernel ? "kernel" : "userspace");

	bn_put_cstr(b, "totalstatistics");
	bn_open_dict(b);
	bn_kv_int(b, "managedsessions", (int64_t)k->stats.managed);
	bn_kv_int(b, "regularterminatedsessions", (int64_t)k->stats.deleted);
	bn_kv_int(b, "rejectedsessions", (int64_t)k->stats.rejected);
	bn_kv_int(b, "timeoutsessions", (int64_t)k->stats.timed_out);
	bn_kv_int(b, "uptime",
		  (int64_t)((loop_now_ms() - k->started_ms) / 1000));
	bn_close(b);

	bn_close(b);
	bn_close(b);
}

/* @s, which may quote the client, made fit for one log line */
static const char *printable(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

void kiced_command(struct kiced *k, const struct ng_request *req,
		   struct ng_str ck, struct bn_buf *b)
{
	const char *cid;
	char name[33];
	unsigned int i;

	k->stats.commands[req->cmd]++;
	k->refused[0] = k->warning[0] = 0;
	if (req->unknown_flags) {
		char list[4 * sizeof(name) + 8] = "";
		size_t n = 0;

		for (i = 0; i < req->unknown_flags && i < NG_UNKNOWN_KEPT; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
					      i ? ", " : "",
					      short_name(req->unknown[i], name,
							 sizeof(name)));
		cmd_warn(k, "unsupported flags ignored (%u): %s%s",
			 req->unknown_flags, list,
			 req->unknown_flags > NG_UNKNOWN_KEPT ? ", ..." : "");
	}
	switch (req->cmd) {
	case NG_CMD_PING:
		ng_reply_begin(b, ck, "pong");
		bn_close(b);
		break;
	case NG_CMD_OFFER:
		cmd_offer(k, req, ck, b);
		break;
	case NG_CMD_ANSWER:
		cmd_answer(k, req, ck, b);
		break;
	case NG_CMD_DELETE:
		cmd_delete(k, req, ck, b);
		break;
	case NG_CMD_QUERY:
		cmd_query(k, req, ck, b);
		break;
	case NG_CMD_LIST:
		cmd_list(k, req, ck, b);
		break;
	case NG_CMD_STATISTICS:
		cmd_statistics(k, req, ck, b);
		break;
	default:
		reply_err(k, b, ck, ng_strerror(NG_E_UNKNOWN_COMMAND));
	}
	/* refused commands and what was not done are logged, at info */
	cid = req->call_id.len ? KLOG_S(req->call_id.p, req->call_id.len) :
	      "-";
	if (k->refused[0]) {
		klog_info("ng %s, call %s: refused: %s", ng_cmd_name(req->cmd),
			  cid, printable(k->refused));
	} else if (k->warning[0]) {
		klog_info("ng %s, call %s: warning: %s", ng_cmd_name(req->cmd),
			  cid, printable(k->warning));
		ng_reply_warning(b, k->warning);
	}
	/* the fd store follows signalling at once (handover.c) */
	if (req->cmd == NG_CMD_OFFER || req->cmd == NG_CMD_ANSWER)
		handover_sync_call(k, session_find(&k->calls, req->call_id.p,
						   req->call_id.len));
}
