/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtpengine "ng" control protocol: framing, request parsing and replies.
 *
 * A datagram is "<cookie> <bencoded dictionary>".  The reply carries the
 * same cookie and a dictionary whose "result" is "ok", "pong" or "error"
 * (then with "error-reason").  See Documentation/control.rst.
 */
#ifndef KICE_CTL_NG_H
#define KICE_CTL_NG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/bencode.h"

#define NG_COOKIE_MAX	64	/* longest cookie accepted */
#define NG_MSG_MAX	65535	/* largest datagram (so also the SDP) */

/*
 * Longest string values accepted (bytes), far above what SIP proxies send
 * (Kamailio's and rtpengine's call-ids and tags are well under 256); a
 * longer one is refused with "<key> too long (max N)".  Every other string
 * kiced reads ("ICE", "media address", interface names in "direction",
 * items of "flags" ...) is limited to NG_STR_MAX; "sdp" only by the
 * datagram.  Nesting and item counts: BN_MAX_DEPTH, BN_MAX_ITEMS.
 */
#define NG_CALL_ID_MAX		256
#define NG_TAG_MAX		256	/* from-tag, to-tag */
#define NG_VIA_BRANCH_MAX	256
#define NG_LABEL_MAX		256
#define NG_STR_MAX		256

struct ng_str {
	const char *p;		/* not NUL-terminated; NULL when absent */
	size_t len;
};

enum ng_cmd {
	NG_CMD_PING,
	NG_CMD_OFFER,
	NG_CMD_ANSWER,
	NG_CMD_DELETE,
	NG_CMD_QUERY,
	NG_CMD_LIST,
	NG_CMD_STATISTICS,
	NG_CMD__COUNT,
};

enum ng_ice {
	NG_ICE_DEFAULT,		/* key absent or "default" */
	NG_ICE_REMOVE,
	NG_ICE_FORCE,
	NG_ICE_FORCE_RELAY,
	NG_ICE_OPTIONAL,
};

/* Flags from the "flags" list that kice acts on. */
enum ng_flag {
	NG_F_TRICKLE_ICE	= 1u << 0,
	NG_F_TRUST_ADDRESS	= 1u << 1,
	NG_F_SYMMETRIC		= 1u << 2,
	NG_F_ASYMMETRIC		= 1u << 3,
	NG_F_STRICT_SOURCE	= 1u << 4,
	NG_F_PORT_LATCHING	= 1u << 5,
	NG_F_NO_RTCP_ATTR	= 1u << 6,
	NG_F_FULL_RTCP_ATTR	= 1u << 7,
	NG_F_REJECT_ICE		= 1u << 8,
	NG_F_ALL		= 1u << 9,
	NG_F_SIP_SOURCE		= 1u << 10,
	NG_F_LOOP_PROTECT	= 1u << 11,
	NG_F_FRAGMENT		= 1u << 12,	/* offer: an SDP fragment */
	NG_F_WAIT_MEDIA		= 1u << 13,	/* answer: reply once ICE works */
};

enum ng_family {
	NG_AF_ANY,
	NG_AF_IP4,
	NG_AF_IP6,
};

/* Error codes of ng_parse_request(); ng_strerror() gives the reply text. */
enum ng_err {
	NG_OK = 0,
	NG_E_NOT_DICT,		/* message is not a dictionary */
	NG_E_NO_COMMAND,
	NG_E_UNKNOWN_COMMAND,
	NG_E_NO_CALL_ID,
	NG_E_NO_FROM_TAG,
	NG_E_NO_TO_TAG,
	NG_E_NO_SDP,
	NG_E_BAD_ICE,		/* unknown value for "ICE" */
	NG_E_BAD_TYPE,		/* a known key has the wrong type */
	NG_E_BAD_FAMILY,	/* "address family" not IP4/IP6 */
	NG_E_BAD_LIMIT,
	NG_E_BAD_DIRECTION,	/* "direction" not a list of two names */
	NG_E_BAD_RECEIVED,	/* "received-from" not [family, address] */
	NG_E_NUL,		/* a string value holds a NUL byte */
	NG_E_TOO_LONG,		/* a string value is longer than its limit */
	NG_E__COUNT,
};

#define NG_UNKNOWN_KEPT	4

struct ng_request {
	enum ng_cmd cmd;
	struct ng_str call_id;
	struct ng_str from_tag;
	struct ng_str to_tag;
	struct ng_str via_branch;
	struct ng_str sdp;
	struct ng_str media_address;
	struct ng_str transport;	/* "transport protocol" */
	struct ng_str label;
	struct ng_str direction[2];	/* interface names, or .p NULL */
	/* "received-from": the SIP message's source ("IP4"|"IP6", address) */
	struct ng_str received_from;	/* the address, or .p NULL */
	enum ng_ice ice;
	enum ng_family family;
	uint32_t flags;			/* enum ng_flag */
	unsigned int unknown_flags;	/* flags accepted but ignored */
	struct ng_str unknown[NG_UNKNOWN_KEPT];	/* the first of them */
	uint32_t replace;		/* bit per "replace" item */
	uint32_t rtcp_mux;		/* enum ng_rtcp_mux: "rtcp-mux" items */
	int64_t limit;			/* list: max call-ids, -1 none */
	int64_t delete_delay;		/* -1 when absent */
	bool supports_load_limit;	/* "supports" has "load limit" */
	const char *bad_key;		/* key behind NG_E_BAD_TYPE, NG_E_NUL,
					 * NG_E_TOO_LONG */
	size_t bad_max;			/* NG_E_TOO_LONG: the key's limit */
};

enum ng_replace {
	NG_R_ORIGIN		= 1u << 0,
	NG_R_SESSION_CONN	= 1u << 1,
	NG_R_SDP_VERSION	= 1u << 2,
	NG_R_USERNAME		= 1u << 3,
	NG_R_SESSION_NAME	= 1u << 4,
	NG_R_ZERO_ADDRESS	= 1u << 5,
};

/*
 * rtpengine's "rtcp-mux" list (also given as flags "rtcp-mux-offer" and
 * so on, as Kamailio's and OpenSIPS' modules may send them).
 */
enum ng_rtcp_mux {
	NG_MUX_OFFER		= 1u << 0,	/* offer it to the answerer */
	NG_MUX_REQUIRE		= 1u << 1,	/* ... as already accepted */
	NG_MUX_DEMUX		= 1u << 2,	/* don't offer it; accept it back */
	NG_MUX_ACCEPT		= 1u << 3,	/* accept it from the offerer */
	NG_MUX_REJECT		= 1u << 4,	/* reject it from the offerer */
};

/*
 * Split a datagram into cookie and body.  Returns 0, or -1 when there is
 * no space, an empty or over-long cookie, or a non-printable cookie byte.
 */
int ng_split(const char *msg, size_t len, struct ng_str *cookie,
	     struct ng_str *body);

/*
 * Decode and validate a request dictionary (borrowing from @root).  No
 * string the request is read from may hold a NUL byte (NG_E_NUL): every
 * client string stays a C string with the length it came with.
 */
enum ng_err ng_parse_request(const struct bn *root, struct ng_request *req);
const char *ng_strerror(enum ng_err err);
/*
 * The error reply text for @err from ng_parse_request(@req), naming the
 * key where there is one ("Wrong type for key: call-id", "call-id contains
 * a NUL byte", "call-id too long (max 256)").  Returns @buf.
 */
const char *ng_request_strerror(enum ng_err err, const struct ng_request *req,
				char *buf, size_t len);

const char *ng_cmd_name(enum ng_cmd cmd);
int ng_cmd_lookup(const char *name, size_t len);	/* -1 if unknown */
const char *ng_ice_name(enum ng_ice ice);
/* Parse one "flags" item; 0 when unknown.  Case, '-', '_' and ' ' ignored. */
uint32_t ng_flag_lookup(const char *s, size_t len);

bool ng_str_eq(struct ng_str s, const char *c);
/* NUL-terminated copy; caller frees. */
char *ng_strdup(struct ng_str s);

/* Reply helpers: "<cookie> d6:result5:error12:error-reason<n>:<reason>e" */
void ng_reply_begin(struct bn_buf *b, struct ng_str cookie,
		    const char *result);
void ng_reply_error(struct bn_buf *b, struct ng_str cookie,
		    const char *reason);
/*
 * Add "warning" @text to the complete reply in @b (rtpengine's way of
 * saying what of a command it did not do; Kamailio logs it).
 */
void ng_reply_warning(struct bn_buf *b, const char *text);
/*
 * rtpengine's answer to an offer for a new call over a limit (e.g. the
 * number of calls): to a client that sent "supports" with "load limit"
 * (Kamailio does), result "load limit" and "message" @why, which it takes
 * as "try another instance"; to others, as rtpengine, a plain error.
 */
void ng_reply_load_limit(struct bn_buf *b, struct ng_str cookie,
			 bool supported, const char *why);
#define NG_LOAD_LIMIT_SESSIONS	"Parallel session limit reached"

#endif /* KICE_CTL_NG_H */
