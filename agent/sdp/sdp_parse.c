// SPDX-License-Identifier: GPL-2.0
/*
 * SDP parser for the ICE attributes of RFC 8839.
 *
 * The description is parsed into a private session; only when every line
 * was accepted is it handed to the caller, so a malformed line never leaves
 * a half-applied result behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_int.h"


#define SDP_NUM_(x)	#x
#define SDP_NUM(x)	SDP_NUM_(x)	/* a limit as a string literal */

static const char *const err_text[SDP_E__MAX] = {
	[SDP_OK] = "success",
	[SDP_E_NOMEM] = "out of memory",
	[SDP_E_SYNTAX] = "line is not <type>=<value>",
	[SDP_E_VERSION] = "description does not start with v=0",
	[SDP_E_ORDER] = "line out of order",
	[SDP_E_CONN] = "malformed c= line",
	[SDP_E_MEDIA] = "malformed m= line",
	[SDP_E_CAND] = "malformed a=candidate",
	[SDP_E_CAND_COMPONENT] = "candidate component id not in 1..256",
	[SDP_E_CAND_TRANSPORT] = "malformed candidate transport",
	[SDP_E_CAND_PRIORITY] = "candidate priority not in 1..2^31-1",
	[SDP_E_CAND_ADDR] = "malformed candidate address",
	[SDP_E_CAND_PORT] = "candidate port not in 0..65535",
	[SDP_E_CAND_TYPE] = "missing or unknown candidate type",
	[SDP_E_CAND_EXT] = "candidate extension without a value",
	[SDP_E_UFRAG] = "ice-ufrag not 4..256 ice-chars",
	[SDP_E_PWD] = "ice-pwd not 22..256 ice-chars",
	[SDP_E_OPTIONS] = "malformed ice-options",
	[SDP_E_REMOTE_CANDS] = "malformed a=remote-candidates",
	[SDP_E_RTCP] = "malformed a=rtcp",
	[SDP_E_FLAG] = "flag attribute with a value",
	[SDP_E_DUPLICATE] = "attribute repeated at the same level",
	[SDP_E_LEVEL] = "attribute not allowed at this level",
	[SDP_E_TOO_LONG] = "description too long (max "
			   SDP_NUM(SDP_MAX_LEN) " bytes)",
	[SDP_E_LINE_TOO_LONG] = "line too long (max "
				SDP_NUM(SDP_MAX_LINE) " bytes)",
	[SDP_E_TOO_MANY_MEDIA] = "too many media sections (max "
				 SDP_NUM(SDP_MAX_MEDIA) ")",
	[SDP_E_TOO_MANY_CANDS] = "too many candidates in a media section (max "
				 SDP_NUM(SDP_MAX_CANDS) ")",
	[SDP_E_NUL] = "NUL byte in the description",
};

const char *sdp_strerror(enum sdp_err code)
{
	if ((unsigned int)code >= SDP_E__MAX || !err_text[code])
		return "unknown error";
	return err_text[code];
}

int sdp_set_str(char **dst, const char *src)
{
	char *s = NULL;

	if (src) {
		s = strdup(src);
		if (!s)
			return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

int sdp_add_extra(char ***lines, size_t *n, const char *line)
{
	char **nl = realloc(*lines, (*n + 1) * sizeof(*nl));

	if (!nl)
		return -1;
	*lines = nl;
	nl[*n] = strdup(line);
	if (!nl[*n])
		return -1;
	(*n)++;
	return 0;
}

static void free_lines(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void ice_free(struct sdp_ice *i)
{
	free(i->ufrag);
	free(i->pwd);
	free(i->other_options);
}

static void media_free(struct sdp_media *m)
{
	for (size_t i = 0; i < m->ncands; i++)
		sdp_candidate_free(&m->cands[i]);
	free(m->cands);
	free(m->remote_cands);
	free(m->fmt);
	ice_free(&m->ice);
	free_lines(m->extra, m->nextra);
}

void sdp_session_free(struct sdp_session *s)
{
	for (size_t i = 0; i < s->nmedia; i++)
		media_free(&s->media[i]);
	free(s->media);
	free(s->origin);
	free(s->name);
	ice_free(&s->ice);
	free_lines(s->extra, s->nextra);
	memset(s, 0, sizeof(*s));
}

struct sdp_media *sdp_add_media(struct sdp_session *s, const char *media,
				uint16_t port, const char *proto,
				const char *fmt)
{
	struct sdp_media *nm, *m;

	if (strlen(media) >= sizeof(m->media) || strlen(proto) >= sizeof(m->proto))
		return NULL;
	nm = realloc(s->media, (s->nmedia + 1) * sizeof(*nm));
	if (!nm)
		return NULL;
	s->media = nm;
	m = &nm[s->nmedia];
	memset(m, 0, sizeof(*m));
	m->fmt = strdup(fmt);
	if (!m->fmt)
		return NULL;
	strcpy(m->media, media);
	strcpy(m->proto, proto);
	m->port = port;
	s->nmedia++;
	return m;
}

int sdp_add_candidate(struct sdp_media *m, const struct sdp_candidate *c)
{
	struct sdp_candidate *nc;

	nc = realloc(m->cands, (m->ncands + 1) * sizeof(*nc));
	if (!nc)
		return -1;
	m->cands = nc;
	nc[m->ncands] = *c;
	nc[m->ncands].extensions = NULL;
	if (c->extensions && sdp_set_str(&nc[m->ncands].extensions, c->extensions))
		return -1;
	m->ncands++;
	return 0;
}

/* "IN IP4 <addr>[/ttl[/n]]" */
static enum sdp_err parse_conn(char *v, char *addr, bool *ipv6)
{
	char *tok[3], *slash;
	bool ovf, v6;
	size_t n;

	n = sdp_split(v, tok, 3, &ovf);
	if (n != 3 || ovf || strcmp(tok[0], "IN"))
		return SDP_E_CONN;
	if (strcmp(tok[1], "IP4") && strcmp(tok[1], "IP6"))
		return SDP_E_CONN;
	slash = strchr(tok[2], '/');
	if (slash)
		*slash = '\0';
	if (strlen(tok[2]) > SDP_ADDR_MAX || !sdp_is_addr(tok[2], &v6))
		return SDP_E_CONN;
	*ipv6 = !strcmp(tok[1], "IP6");
	/* literal addresses must match the declared address type */
	if (v6 && !*ipv6)
		return SDP_E_CONN;
	strcpy(addr, tok[2]);
	return SDP_OK;
}

/* "<media> <port>[/<n>] <proto> <fmt> ..." */
static enum sdp_err parse_m(char *v, struct sdp_session *s)
{
	char *sp1, *sp2, *sp3, *slash;
	unsigned long port, np = 0;
	struct sdp_media *m;

	sp1 = strchr(v, ' ');
	if (!sp1)
		return SDP_E_MEDIA;
	*sp1++ = '\0';
	sp2 = strchr(sp1, ' ');
	if (!sp2)
		return SDP_E_MEDIA;
	*sp2++ = '\0';
	sp3 = strchr(sp2, ' ');
	if (!sp3 || !sp3[1] || sp3[1] == ' ')
		return SDP_E_MEDIA;
	*sp3++ = '\0';
	slash = strchr(sp1, '/');
	if (slash) {
		*slash++ = '\0';
		if (!sdp_parse_uint(slash, 5, 65535, &np) || !np)
			return SDP_E_MEDIA;
	}
	if (!*v || !sdp_parse_uint(sp1, 5, 65535, &port) || !*sp2 ||
	    strlen(v) >= sizeof(m->media) || strlen(sp2) >= sizeof(m->proto))
		return SDP_E_MEDIA;
	if (s->nmedia == SDP_MAX_MEDIA)
		return SDP_E_TOO_MANY_MEDIA;
	m = sdp_add_media(s, v, (uint16_t)port, sp2, sp3);
	if (!m)
		return SDP_E_NOMEM;
	m->nports = (uint16_t)np;
	return SDP_OK;
}

static enum sdp_err parse_options(char *v, struct sdp_ice *ice)
{
	char *tok[32];
	bool ovf;
	size_t n, olen = 0;

	n = sdp_split(v, tok, 32, &ovf);
	if (!n || n == SIZE_MAX || ovf)
		return SDP_E_OPTIONS;
	for (size_t i = 0; i < n; i++) {
		/* an empty tag (leading space) is not an ice-option-tag */
		if (!*tok[i])
			return SDP_E_OPTIONS;
		if (!sdp_is_ice_chars(tok[i], 1, 256) &&
		    /* tokens like "ice2" are ice-chars; allow '-' used in the wild */
		    strspn(tok[i], "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/-_.") != strlen(tok[i]))
			return SDP_E_OPTIONS;
		if (!strcmp(tok[i], "trickle")) {
			ice->options |= SDP_OPT_TRICKLE;
		} else if (!strcmp(tok[i], "ice2")) {
			ice->options |= SDP_OPT_ICE2;
		} else {
			size_t add = strlen(tok[i]) + 1;
			char *o = realloc(ice->other_options, olen + add + 1);

			if (!o)
				return SDP_E_NOMEM;
			ice->other_options = o;
			olen += (size_t)sprintf(o + olen, "%s%s", olen ? " " : "",
						tok[i]);
		}
	}
	return SDP_OK;
}

static enum sdp_err parse_remote_cands(char *v, struct sdp_media *m)
{
	char *tok[3 * 32];
	unsigned long val;
	bool ovf, v6;
	size_t n;

	n = sdp_split(v, tok, 3 * 32, &ovf);
	if (!n || n == SIZE_MAX || ovf || n % 3)
		return SDP_E_REMOTE_CANDS;
	m->remote_cands = calloc(n / 3, sizeof(*m->remote_cands));
	if (!m->remote_cands)
		return SDP_E_NOMEM;
	for (size_t i = 0; i < n; i += 3) {
		struct sdp_remote_cand *r = &m->remote_cands[i / 3];

		if (!sdp_parse_uint(tok[i], 3, 256, &val) || !val)
			return SDP_E_REMOTE_CANDS;
		r->component = (uint16_t)val;
		if (strlen(tok[i + 1]) > SDP_ADDR_MAX ||
		    !sdp_is_addr(tok[i + 1], &v6))
			return SDP_E_REMOTE_CANDS;
		strcpy(r->addr, tok[i + 1]);
		if (!sdp_parse_uint(tok[i + 2], 5, 65535, &val))
			return SDP_E_REMOTE_CANDS;
		r->port = (uint16_t)val;
		m->nremote_cands++;
	}
	m->has_remote_cands = true;
	return SDP_OK;
}

/* "<port> [IN IP4 <addr>]" (RFC 3605) */
static enum sdp_err parse_rtcp(char *v, struct sdp_media *m)
{
	char *sp = strchr(v, ' ');
	unsigned long port;

	if (sp)
		*sp++ = '\0';
	if (!sdp_parse_uint(v, 5, 65535, &port))
		return SDP_E_RTCP;
	m->rtcp_port = (uint16_t)port;
	if (sp) {
		if (parse_conn(sp, m->rtcp_addr, &m->rtcp_ipv6))
			return SDP_E_RTCP;
		m->rtcp_has_addr = true;
	}
	m->has_rtcp = true;
	return SDP_OK;
}

static enum sdp_err ice_attr(const char *name, char *val, struct sdp_ice *ice,
			     bool *handled)
{
	*handled = true;
	if (!strcmp(name, "ice-ufrag")) {
		if (ice->ufrag)
			return SDP_E_DUPLICATE;
		if (!val || !sdp_is_ice_chars(val, 4, SDP_UFRAG_MAX))
			return SDP_E_UFRAG;
		return sdp_set_str(&ice->ufrag, val) ? SDP_E_NOMEM : SDP_OK;
	}
	if (!strcmp(name, "ice-pwd")) {
		if (ice->pwd)
			return SDP_E_DUPLICATE;
		if (!val || !sdp_is_ice_chars(val, 22, SDP_PWD_MAX))
			return SDP_E_PWD;
		return sdp_set_str(&ice->pwd, val) ? SDP_E_NOMEM : SDP_OK;
	}
	if (!strcmp(name, "ice-options")) {
		if (ice->options || ice->other_options)
			return SDP_E_DUPLICATE;
		if (!val)
			return SDP_E_OPTIONS;
		return parse_options(val, ice);
	}
	*handled = false;
	return SDP_OK;
}

static enum sdp_err parse_attr(char *line, struct sdp_session *s,
			       struct sdp_media *m)
{
	char *name = line + 2, *val = strchr(name, ':');
	bool handled;
	enum sdp_err e;

	if (val)
		*val++ = '\0';
	e = ice_attr(name, val, m ? &m->ice : &s->ice, &handled);
	if (handled)
		return e;

	if (!strcmp(name, "candidate")) {
		struct sdp_candidate c;

		if (!m)
			return SDP_E_LEVEL;
		if (!val)
			return SDP_E_CAND;
		if (m->ncands == SDP_MAX_CANDS)
			return SDP_E_TOO_MANY_CANDS;
		e = sdp_parse_candidate(val, &c);
		if (e)
			return e;
		if (sdp_add_candidate(m, &c)) {
			sdp_candidate_free(&c);
			return SDP_E_NOMEM;
		}
		sdp_candidate_free(&c);
		return SDP_OK;
	}
	if (!strcmp(name, "ice-lite") || !strcmp(name, "ice-mismatch") ||
	    !strcmp(name, "end-of-candidates") || !strcmp(name, "rtcp-mux") ||
	    !strcmp(name, "rtcp-mux-only")) {
		if (val)
			return SDP_E_FLAG;
		if (!strcmp(name, "ice-lite")) {
			if (m)
				return SDP_E_LEVEL;
			s->ice_lite = true;
		} else if (!strcmp(name, "end-of-candidates")) {
			if (m)
				m->end_of_candidates = true;
			else
				s->end_of_candidates = true;
		} else if (!m) {
			return SDP_E_LEVEL;
		} else if (!strcmp(name, "ice-mismatch")) {
			m->ice_mismatch = true;
		} else if (!strcmp(name, "rtcp-mux-only")) {
			m->rtcp_mux_only = true;	/* RFC 8858 */
		} else {
			m->rtcp_mux = true;
		}
		return SDP_OK;
	}
	if (!strcmp(name, "remote-candidates")) {
		if (!m)
			return SDP_E_LEVEL;
		if (m->has_remote_cands)
			return SDP_E_DUPLICATE;
		if (!val)
			return SDP_E_REMOTE_CANDS;
		return parse_remote_cands(val, m);
	}
	if (!strcmp(name, "rtcp")) {
		if (!m)
			return SDP_E_LEVEL;
		if (m->has_rtcp)
			return SDP_E_DUPLICATE;
		if (!val)
			return SDP_E_RTCP;
		return parse_rtcp(val, m);
	}
	/* not ours: keep verbatim */
	if (val)
		val[-1] = ':';
	if (m)
		return sdp_add_extra(&m->extra, &m->nextra, line) ? SDP_E_NOMEM : SDP_OK;
	return sdp_add_extra(&s->extra, &s->nextra, line) ? SDP_E_NOMEM : SDP_OK;
}

static enum sdp_err parse_line(char *line, unsigned int lineno,
			       struct sdp_session *s)
{
	struct sdp_media *m = s->nmedia ? &s->media[s->nmedia - 1] : NULL;
	char type = line[0], *v = line + 2;

	if (type < 'a' || type > 'z' || line[1] != '=')
		return SDP_E_SYNTAX;
	if (lineno == 1)
		return (type == 'v' && !strcmp(v, "0")) ? SDP_OK : SDP_E_VERSION;
	switch (type) {
	case 'v':
		return SDP_E_ORDER;
	case 'o':
		if (m || s->origin)
			return SDP_E_ORDER;
		return sdp_set_str(&s->origin, v) ? SDP_E_NOMEM : SDP_OK;
	case 's':
		if (m || s->name)
			return SDP_E_ORDER;
		return sdp_set_str(&s->name, v) ? SDP_E_NOMEM : SDP_OK;
	case 'c':
		if (m) {
			if (m->has_conn)
				return SDP_E_DUPLICATE;
			m->has_conn = true;
			return parse_conn(v, m->conn_addr, &m->conn_ipv6);
		}
		if (s->has_conn)
			return SDP_E_DUPLICATE;
		s->has_conn = true;
		return parse_conn(v, s->conn_addr, &s->conn_ipv6);
	case 'm':
		return parse_m(v, s);
	case 'a':
		return parse_attr(line, s, m);
	default:
		if (m)
			return sdp_add_extra(&m->extra, &m->nextra, line) ?
				SDP_E_NOMEM : SDP_OK;
		return sdp_add_extra(&s->extra, &s->nextra, line) ?
			SDP_E_NOMEM : SDP_OK;
	}
}

int sdp_parse(const char *text, size_t len, struct sdp_session *out,
	      struct sdp_error *err)
{
	struct sdp_session s;
	unsigned int lineno = 0;
	char line[SDP_MAX_LINE + 1];
	size_t pos = 0;
	enum sdp_err e = SDP_OK;

	memset(&s, 0, sizeof(s));
	if (len > SDP_MAX_LEN) {
		e = SDP_E_TOO_LONG;
		goto fail;
	}
	while (pos < len) {
		size_t end = pos, ll;

		while (end < len && text[end] != '\n')
			end++;
		ll = end - pos;
		if (ll && text[pos + ll - 1] == '\r')
			ll--;
		lineno++;
		if (ll > SDP_MAX_LINE) {
			e = SDP_E_LINE_TOO_LONG;
			goto fail;
		}
		if (memchr(text + pos, '\0', ll)) {
			e = SDP_E_NUL;
			goto fail;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos = end + 1;
		/* control characters (NUL, bare CR, ...) are never valid */
		for (size_t i = 0; i < ll; i++) {
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t') {
				e = SDP_E_SYNTAX;
				goto fail;
			}
		}
		if (!ll) {
			/* tolerate one trailing empty line only */
			if (pos >= len)
				break;
			e = SDP_E_SYNTAX;
			goto fail;
		}
		if (ll < 2) {
			e = SDP_E_SYNTAX;
			goto fail;
		}
		e = parse_line(line, lineno, &s);
		if (e)
			goto fail;
	}
	if (!lineno) {
		e = SDP_E_VERSION;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sdp_session_free(&s);
	if (err) {
		err->code = e;
		err->line = e == SDP_E_TOO_LONG ? 0 : lineno;
	}
	return -1;
}
