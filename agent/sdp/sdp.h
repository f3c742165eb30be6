/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice SDP: the ICE subset of RFC 8866 session descriptions (RFC 8839).
 *
 * sdp_parse() turns a description into a struct sdp_session; it either
 * succeeds completely or leaves the output untouched and reports the first
 * malformed line.  sdp_write() produces a description from the same
 * structure.  Attributes outside ICE (rtpmap, fmtp, ...) are kept verbatim
 * per media section so that a parse/write round trip preserves them.
 */
#ifndef KICE_SDP_H
#define KICE_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_FOUNDATION_MAX	32	/* RFC 8839: 1*32ice-char */
#define SDP_ADDR_MAX		255	/* IPv4, IPv6 or FQDN */
#define SDP_UFRAG_MAX		256	/* RFC 8839: 4..256 ice-chars */
#define SDP_PWD_MAX		256	/* RFC 8839: 22..256 ice-chars */

enum sdp_cand_type {
	SDP_CAND_HOST,
	SDP_CAND_SRFLX,
	SDP_CAND_PRFLX,
	SDP_CAND_RELAY,
};

enum sdp_ice_option {
	SDP_OPT_TRICKLE = 1u << 0,
	SDP_OPT_ICE2 = 1u << 1,
};

struct sdp_candidate {
	char foundation[SDP_FOUNDATION_MAX + 1];
	uint16_t component;		/* 1..256 */
	char transport[16];		/* "UDP" (any case kept as written) */
	uint32_t priority;
	char addr[SDP_ADDR_MAX + 1];
	uint16_t port;
	enum sdp_cand_type type;
	bool has_raddr;
	char raddr[SDP_ADDR_MAX + 1];
	uint16_t rport;
	char *extensions;		/* unknown "name value" pairs, or NULL */
};

/* a=remote-candidates: component, address, port */
struct sdp_remote_cand {
	uint16_t component;
	char addr[SDP_ADDR_MAX + 1];
	uint16_t port;
};

/* ICE attributes valid at session and media level. */
struct sdp_ice {
	char *ufrag;			/* NULL when absent */
	char *pwd;
	unsigned int options;		/* enum sdp_ice_option bits */
	char *other_options;		/* unknown ice-options tokens, or NULL */
};

struct sdp_media {
	char media[32];			/* "audio", "video", ... */
	uint16_t port;
	uint16_t nports;		/* 0 when the m= line has no "/n" */
	char proto[64];
	char *fmt;			/* format list as written */
	bool has_conn;
	char conn_addr[SDP_ADDR_MAX + 1];
	bool conn_ipv6;
	bool has_rtcp;			/* a=rtcp */
	uint16_t rtcp_port;
	bool rtcp_has_addr;
	char rtcp_addr[SDP_ADDR_MAX + 1];
	bool rtcp_ipv6;
	bool rtcp_mux;
	bool rtcp_mux_only;		/* RFC 8858: no RTCP port at all */
	bool ice_mismatch;
	bool end_of_candidates;
	struct sdp_ice ice;
	struct sdp_candidate *cands;
	size_t ncands;
	struct sdp_remote_cand *remote_cands;
	size_t nremote_cands;
	bool has_remote_cands;
	char **extra;			/* other lines ("a=..." etc.) verbatim */
	size_t nextra;
};

struct sdp_session {
	char *origin;			/* o= value, NULL -> generated */
	char *name;			/* s= value, NULL -> "-" */
	bool has_conn;
	char conn_addr[SDP_ADDR_MAX + 1];
	bool conn_ipv6;
	bool ice_lite;
	bool end_of_candidates;
	struct sdp_ice ice;
	char **extra;			/* other session-level lines verbatim */
	size_t nextra;
	struct sdp_media *media;
	size_t nmedia;
};

enum sdp_err {
	SDP_OK = 0,
	SDP_E_NOMEM,
	SDP_E_SYNTAX,		/* not "<letter>=<value>" */
	SDP_E_VERSION,		/* first line not v=0 */
	SDP_E_ORDER,		/* line out of order (e.g. m= attribute before v=) */
	SDP_E_CONN,		/* malformed c= */
	SDP_E_MEDIA,		/* malformed m= */
	SDP_E_CAND,		/* malformed a=candidate */
	SDP_E_CAND_COMPONENT,	/* component id out of range */
	SDP_E_CAND_TRANSPORT,
	SDP_E_CAND_PRIORITY,
	SDP_E_CAND_ADDR,
	SDP_E_CAND_PORT,
	SDP_E_CAND_TYPE,
	SDP_E_CAND_EXT,		/* extension name without value */
	SDP_E_UFRAG,		/* bad ice-ufrag */
	SDP_E_PWD,		/* bad ice-pwd */
	SDP_E_OPTIONS,		/* bad ice-options */
	SDP_E_REMOTE_CANDS,	/* bad a=remote-candidates */
	SDP_E_RTCP,		/* bad a=rtcp */
	SDP_E_FLAG,		/* value given to a flag attribute */
	SDP_E_DUPLICATE,	/* attribute given twice at one level */
	SDP_E_LEVEL,		/* attribute at the wrong level */
	SDP_E_TOO_LONG,		/* description longer than SDP_MAX_LEN */
	SDP_E_LINE_TOO_LONG,	/* a line longer than SDP_MAX_LINE */
	SDP_E_TOO_MANY_MEDIA,	/* more than SDP_MAX_MEDIA m= lines */
	SDP_E_TOO_MANY_CANDS,	/* more than SDP_MAX_CANDS in one section */
	SDP_E_NUL,		/* a NUL byte in the description */
	SDP_E__MAX,
};

struct sdp_error {
	enum sdp_err code;
	unsigned int line;	/* 1-based line number, 0 if not line-bound */
};

/*
 * Parser limits, well above real peers' descriptions (a browser's is under
 * 20 KB with a handful of m= lines and a dozen candidates each).
 */
#define SDP_MAX_LEN		65535	/* bytes: an ng datagram's worth */
#define SDP_MAX_LINE		8192	/* bytes of one line */
#define SDP_MAX_MEDIA		32	/* m= lines */
#define SDP_MAX_CANDS		64	/* a=candidate per media section */

const char *sdp_strerror(enum sdp_err code);

/*
 * Parse @len bytes of @text (CRLF or LF line ends).  On success fills @out
 * (which the caller later frees with sdp_session_free()) and returns 0; on
 * failure returns -1, fills @err and does not touch @out.
 */
int sdp_parse(const char *text, size_t len, struct sdp_session *out,
	      struct sdp_error *err);

/* Parse one a=candidate value (after "candidate:"). */
enum sdp_err sdp_parse_candidate(const char *value, struct sdp_candidate *c);

void sdp_session_free(struct sdp_session *s);
void sdp_candidate_free(struct sdp_candidate *c);

/*
 * Write @s as SDP with CRLF line ends into a newly allocated NUL-terminated
 * string stored in *@out.  Returns its length, or -1 on allocation failure.
 */
long sdp_write(const struct sdp_session *s, char **out);

/* Write one candidate attribute value ("candidate:..." without "a="). */
int sdp_write_candidate(const struct sdp_candidate *c, char *buf, size_t size);

const char *sdp_cand_type_name(enum sdp_cand_type t);

/* Building helpers: append to a session, all return NULL/-1 on ENOMEM. */
struct sdp_media *sdp_add_media(struct sdp_session *s, const char *media,
				uint16_t port, const char *proto,
				const char *fmt);
int sdp_add_candidate(struct sdp_media *m, const struct sdp_candidate *c);
int sdp_add_extra(char ***lines, size_t *n, const char *line);
int sdp_set_str(char **dst, const char *src);

#endif /* KICE_SDP_H */
