// SPDX-License-Identifier: GPL-2.0
/*
 * rtpengine "ng" protocol: framing and request validation.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ng.h"

static const char *const ng_cmd_names[NG_CMD__COUNT] = {
	[NG_CMD_PING]		= "ping",
	[NG_CMD_OFFER]		= "offer",
	[NG_CMD_ANSWER]		= "answer",
	[NG_CMD_DELETE]		= "delete",
	[NG_CMD_QUERY]		= "query",
	[NG_CMD_LIST]		= "list",
	[NG_CMD_STATISTICS]	= "statistics",
};

/* Reply texts; the first ones match rtpengine's so callers can rely on them. */
static const char *const ng_errstr[NG_E__COUNT] = {
	[NG_OK]			= "ok",
	[NG_E_NOT_DICT]		= "Message is not a dictionary",
	[NG_E_NO_COMMAND]	= "No command in message",
	[NG_E_UNKNOWN_COMMAND]	= "Unrecognized command",
	[NG_E_NO_CALL_ID]	= "No call-id in message",
	[NG_E_NO_FROM_TAG]	= "No from-tag in message",
	[NG_E_NO_TO_TAG]	= "No to-tag in message",
	[NG_E_NO_SDP]		= "No SDP body in message",
	[NG_E_BAD_ICE]		= "Unknown value for ICE",
	[NG_E_BAD_TYPE]		= "Wrong type for key",
	[NG_E_BAD_FAMILY]	= "Unknown address family",
	[NG_E_BAD_LIMIT]	= "Invalid limit",
	[NG_E_BAD_DIRECTION]	= "Invalid direction",
	[NG_E_BAD_RECEIVED]	= "Invalid received-from",
	[NG_E_NUL]		= "String contains a NUL byte",
	[NG_E_TOO_LONG]		= "String too long",
};

const char *ng_strerror(enum ng_err err)
{
	if ((unsigned int)err >= NG_E__COUNT)
		return "Unknown error";
	return ng_errstr[err];
}

const char *ng_request_strerror(enum ng_err err, const struct ng_request *req,
				char *buf, size_t len)
{
	if (err == NG_E_BAD_TYPE && req->bad_key)
		snprintf(buf, len, "%s: %s", ng_strerror(err), req->bad_key);
	else if (err == NG_E_NUL && req->bad_key)
		snprintf(buf, len, "%s contains a NUL byte", req->bad_key);
	else if (err == NG_E_TOO_LONG && req->bad_key)
		snprintf(buf, len, "%s too long (max %zu)", req->bad_key,
			 req->bad_max);
	else
		snprintf(buf, len, "%s", ng_strerror(err));
	return buf;
}

const char *ng_cmd_name(enum ng_cmd cmd)
{
	if ((unsigned int)cmd >= NG_CMD__COUNT)
		return "?";
	return ng_cmd_names[cmd];
}

int ng_cmd_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NG_CMD__COUNT; i++)
		if (strlen(ng_cmd_names[i]) == len &&
		    !strncasecmp(ng_cmd_names[i], name, len))
			return i;
	return -1;
}

const char *ng_ice_name(enum ng_ice ice)
{
	switch (ice) {
	case NG_ICE_REMOVE:
		return "remove";
	case NG_ICE_FORCE:
		return "force";
	case NG_ICE_FORCE_RELAY:
		return "force-relay";
	case NG_ICE_OPTIONAL:
		return "optional";
	default:
		return "default";
	}
}

bool ng_str_eq(struct ng_str s, const char *c)
{
	size_t l = strlen(c);

	return s.p && s.len == l && !memcmp(s.p, c, l);
}

char *ng_strdup(struct ng_str s)
{
	char *r;

	if (!s.p)
		return NULL;
	r = malloc(s.len + 1);
	if (!r)
		return NULL;
	memcpy(r, s.p, s.len);
	r[s.len] = '\0';
	return r;
}

int ng_split(const char *msg, size_t len, struct ng_str *cookie,
	     struct ng_str *body)
{
	size_t i;

	for (i = 0; i < len && i <= NG_COOKIE_MAX; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == ' ')
			break;
		if (c < 0x21 || c > 0x7e)
			return -1;
	}
	if (i == 0 || i >= len || i > NG_COOKIE_MAX)
		return -1;
	cookie->p = msg;
	cookie->len = i;
	body->p = msg + i + 1;
	body->len = len - i - 1;
	return 0;
}

/*
 * Compare a flag against a canonical name, ignoring case and treating
 * '-', '_' and ' ' as the same separator ("trickle-ICE" == "trickle ICE").
 */
static bool ng_flag_match(const char *s, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++, name++) {
		char a = s[i], b = *name;

		if (!b)
			return false;
		if (a == '-' || a == '_')
			a = ' ';
		if (tolower((unsigned char)a) != tolower((unsigned char)b))
			return false;
	}
	return !*name;
}

static const struct {
	const char *name;
	uint32_t bit;
} ng_flag_names[] = {
	{ "trickle ICE",	NG_F_TRICKLE_ICE },
	{ "trust address",	NG_F_TRUST_ADDRESS },
	{ "symmetric",		NG_F_SYMMETRIC },
	{ "asymmetric",		NG_F_ASYMMETRIC },
	{ "strict source",	NG_F_STRICT_SOURCE },
	{ "port latching",	NG_F_PORT_LATCHING },
	{ "no rtcp attribute",	NG_F_NO_RTCP_ATTR },
	{ "full rtcp attribute", NG_F_FULL_RTCP_ATTR },
	{ "reject ICE",		NG_F_REJECT_ICE },
	{ "all",		NG_F_ALL },
	{ "SIP source address",	NG_F_SIP_SOURCE },
	{ "loop protect",	NG_F_LOOP_PROTECT },
	{ "fragment",		NG_F_FRAGMENT },
	{ "wait media",		NG_F_WAIT_MEDIA },
};

uint32_t ng_flag_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ng_flag_names) / sizeof(ng_flag_names[0]); i++)
		if (ng_flag_match(s, len, ng_flag_names[i].name))
			return ng_flag_names[i].bit;
	return 0;
}

static const struct {
	const char *name;
	uint32_t bit;
} ng_replace_names[] = {
	{ "origin",		NG_R_ORIGIN },
	{ "session connection",	NG_R_SESSION_CONN },
	{ "sdp version",	NG_R_SDP_VERSION },
	{ "username",		NG_R_USERNAME },
	{ "session name",	NG_R_SESSION_NAME },
	{ "zero address",	NG_R_ZERO_ADDRESS },
};

static const struct {
	const char *name;
	uint32_t bit;
} ng_rtcp_mux_names[] = {
	{ "offer",	NG_MUX_OFFER },
	{ "require",	NG_MUX_REQUIRE },
	{ "demux",	NG_MUX_DEMUX },
	{ "accept",	NG_MUX_ACCEPT },
	{ "reject",	NG_MUX_REJECT },
};

static uint32_t ng_rtcp_mux_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ng_rtcp_mux_names) /
			sizeof(ng_rtcp_mux_names[0]); i++)
		if (ng_flag_match(s, len, ng_rtcp_mux_names[i].name))
			return ng_rtcp_mux_names[i].bit;
	return 0;
}

/* A flag "rtcp-mux-offer" (any of - _ space): the item "offer". */
static uint32_t ng_rtcp_mux_flag(const char *s, size_t len)
{
	if (len <= 9 || !ng_flag_match(s, 9, "rtcp mux "))
		return 0;
	return ng_rtcp_mux_lookup(s + 9, len - 9);
}

static uint32_t ng_replace_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ng_replace_names) / sizeof(ng_replace_names[0]);
	     i++)
		if (ng_flag_match(s, len, ng_replace_names[i].name))
			return ng_replace_names[i].bit;
	return 0;
}

/*
 * A member of the request dictionary by its canonical name, where the key
 * may spell its separators as '-', '_' or ' ' ("address family" ==
 * "address-family" == "address_family"), as rtpengine takes them and as
 * Kamailio's and OpenSIPS' modules send them.  Case matters, as there.
 */
static const struct bn *ng_key_get(const struct bn *dict, const char *key)
{
	size_t klen = strlen(key), i;
	const struct bn *k;

	if (!dict || dict->type != BN_DICT)
		return NULL;
	for (k = dict->child; k && k->next; k = k->next->next) {
		if (k->len != klen)
			continue;
		for (i = 0; i < klen; i++) {
			char a = k->str[i], b = key[i];

			if (a == '-' || a == '_')
				a = ' ';
			if (b == '-' || b == '_')
				b = ' ';
			if (a != b)
				break;
		}
		if (i == klen)
			return k->next;
	}
	return NULL;
}

/*
 * A string value kice reads: no NUL byte in it, so that nothing (hash,
 * comparison, log, state text) can see a shorter string than was sent,
 * and at most @max bytes (0: no limit but the datagram's).
 */
static enum ng_err ng_check_str(const struct bn *v, const char *key,
				size_t max, struct ng_request *req)
{
	if (memchr(v->str, '\0', v->len)) {
		req->bad_key = key;
		return NG_E_NUL;
	}
	if (max && v->len > max) {
		req->bad_key = key;
		req->bad_max = max;
		return NG_E_TOO_LONG;
	}
	return NG_OK;
}

/* Optional string member: absent is fine, any other type is an error. */
static enum ng_err ng_get_str(const struct bn *root, const char *key,
			      size_t max, struct ng_str *out,
			      struct ng_request *req)
{
	const struct bn *v = ng_key_get(root, key);
	enum ng_err err;

	if (!v)
		return NG_OK;
	if (v->type != BN_STR) {
		req->bad_key = key;
		return NG_E_BAD_TYPE;
	}
	err = ng_check_str(v, key, max, req);
	if (err)
		return err;
	out->p = v->str;
	out->len = v->len;
	return NG_OK;
}

static enum ng_err ng_get_int(const struct bn *root, const char *key,
			      int64_t *out, struct ng_request *req)
{
	const struct bn *v = ng_key_get(root, key);
	int64_t n = 0;
	size_t i;

	if (!v)
		return NG_OK;
	if (v->type == BN_INT) {
		*out = v->num;
		return NG_OK;
	}
	/* rtpengine also takes decimal strings for numeric keys */
	if (v->type != BN_STR || !v->len || v->len > 18)
		goto bad;
	for (i = 0; i < v->len; i++) {
		if (v->str[i] < '0' || v->str[i] > '9')
			goto bad;
		n = n * 10 + (v->str[i] - '0');
	}
	*out = n;
	return NG_OK;
bad:
	req->bad_key = key;
	return NG_E_BAD_TYPE;
}

static enum ng_err ng_get_list(const struct bn *root, const char *key,
			       const struct bn **out, struct ng_request *req)
{
	const struct bn *v = ng_key_get(root, key), *i;
	enum ng_err err;

	*out = NULL;
	if (!v)
		return NG_OK;
	if (v->type != BN_LIST)
		goto bad;
	for (i = v->child; i; i = i->next) {
		if (i->type != BN_STR)
			goto bad;
		err = ng_check_str(i, key, NG_STR_MAX, req);
		if (err)
			return err;
	}
	*out = v->child;
	return NG_OK;
bad:
	req->bad_key = key;
	return NG_E_BAD_TYPE;
}

/* A flag kice does not know: counted, the first few named in warnings. */
static void ng_unknown(struct ng_request *r, const struct bn *item)
{
	if (r->unknown_flags < NG_UNKNOWN_KEPT)
		r->unknown[r->unknown_flags] =
			(struct ng_str){ item->str, item->len };
	r->unknown_flags++;
}

static enum ng_err ng_parse_members(const struct bn *root,
				    struct ng_request *r)
{
	static const struct {
		const char *key;
		size_t off, max;
	} strs[] = {
		{ "call-id",	offsetof(struct ng_request, call_id),
		  NG_CALL_ID_MAX },
		{ "from-tag",	offsetof(struct ng_request, from_tag),
		  NG_TAG_MAX },
		{ "to-tag",	offsetof(struct ng_request, to_tag),
		  NG_TAG_MAX },
		{ "via-branch",	offsetof(struct ng_request, via_branch),
		  NG_VIA_BRANCH_MAX },
		{ "sdp",	offsetof(struct ng_request, sdp), 0 },
		{ "media address",
		  offsetof(struct ng_request, media_address), NG_STR_MAX },
		{ "transport protocol",
		  offsetof(struct ng_request, transport), NG_STR_MAX },
		{ "label",	offsetof(struct ng_request, label),
		  NG_LABEL_MAX },
	};
	const struct bn *list, *i;
	struct ng_str s = { 0 };
	enum ng_err err;
	size_t k;

	for (k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
		err = ng_get_str(root, strs[k].key, strs[k].max,
				 (struct ng_str *)((char *)r + strs[k].off), r);
		if (err)
			return err;
	}

	err = ng_get_str(root, "ICE", NG_STR_MAX, &s, r);
	if (err)
		return err;
	if (!s.p || ng_str_eq(s, "default"))
		r->ice = NG_ICE_DEFAULT;
	else if (ng_str_eq(s, "remove"))
		r->ice = NG_ICE_REMOVE;
	else if (ng_str_eq(s, "force"))
		r->ice = NG_ICE_FORCE;
	else if (ng_str_eq(s, "force-relay") || ng_str_eq(s, "force_relay"))
		r->ice = NG_ICE_FORCE_RELAY;
	else if (ng_str_eq(s, "optional"))
		r->ice = NG_ICE_OPTIONAL;
	else
		return NG_E_BAD_ICE;

	s.p = NULL;
	err = ng_get_str(root, "address family", NG_STR_MAX, &s, r);
	if (err)
		return err;
	if (!s.p)
		r->family = NG_AF_ANY;
	else if (ng_str_eq(s, "IP4"))
		r->family = NG_AF_IP4;
	else if (ng_str_eq(s, "IP6"))
		r->family = NG_AF_IP6;
	else
		return NG_E_BAD_FAMILY;

	err = ng_get_list(root, "flags", &list, r);
	if (err)
		return err;
	for (i = list; i; i = i->next) {
		uint32_t bit = ng_flag_lookup(i->str, i->len);

		if (bit)
			r->flags |= bit;
		else if ((bit = ng_rtcp_mux_flag(i->str, i->len)))
			r->rtcp_mux |= bit;
		else
			ng_unknown(r, i);
	}
	err = ng_get_list(root, "replace", &list, r);
	if (err)
		return err;
	for (i = list; i; i = i->next)
		r->replace |= ng_replace_lookup(i->str, i->len);
	/* lists kice does not act on yet, but whose type is checked */
	err = ng_get_list(root, "direction", &list, r);
	if (err)
		return err;
	if (list) {
		if (!list->next || list->next->next || !list->len ||
		    !list->next->len)
			return NG_E_BAD_DIRECTION;
		r->direction[0] = (struct ng_str){ list->str, list->len };
		r->direction[1] = (struct ng_str){ list->next->str,
						   list->next->len };
	}
	err = ng_get_list(root, "received from", &list, r);
	if (err)
		return err;
	if (list) {
		if (!list->next || list->next->next ||
		    !(ng_str_eq((struct ng_str){ list->str, list->len }, "IP4") ||
		      ng_str_eq((struct ng_str){ list->str, list->len }, "IP6")) ||
		    !list->next->len)
			return NG_E_BAD_RECEIVED;
		r->received_from = (struct ng_str){ list->next->str,
						    list->next->len };
	}
	err = ng_get_list(root, "rtcp-mux", &list, r);
	if (err)
		return err;
	for (i = list; i; i = i->next) {
		uint32_t bit = ng_rtcp_mux_lookup(i->str, i->len);

		if (bit)
			r->rtcp_mux |= bit;
		else
			ng_unknown(r, i);
	}
	err = ng_get_list(root, "supports", &list, r);
	if (err)
		return err;
	for (i = list; i; i = i->next)
		if (ng_flag_match(i->str, i->len, "load limit"))
			r->supports_load_limit = true;

	err = ng_get_int(root, "limit", &r->limit, r);
	if (err)
		return err;
	if (ng_key_get(root, "limit") && r->limit < 0)
		return NG_E_BAD_LIMIT;
	err = ng_get_int(root, "delete delay", &r->delete_delay, r);
	if (err)
		return err;
	return NG_OK;
}

enum ng_err ng_parse_request(const struct bn *root, struct ng_request *r)
{
	const struct bn *cmd;
	enum ng_err err;
	int c;

	memset(r, 0, sizeof(*r));
	r->limit = -1;
	r->delete_delay = -1;
	if (!root || root->type != BN_DICT)
		return NG_E_NOT_DICT;
	cmd = ng_key_get(root, "command");
	if (!cmd)
		return NG_E_NO_COMMAND;
	if (cmd->type != BN_STR) {
		r->bad_key = "command";
		return NG_E_BAD_TYPE;
	}
	err = ng_check_str(cmd, "command", NG_STR_MAX, r);
	if (err)
		return err;
	c = ng_cmd_lookup(cmd->str, cmd->len);
	if (c < 0)
		return NG_E_UNKNOWN_COMMAND;
	r->cmd = (enum ng_cmd)c;

	err = ng_parse_members(root, r);
	if (err)
		return err;

	switch (r->cmd) {
	case NG_CMD_OFFER:
	case NG_CMD_ANSWER:
		if (!r->call_id.p)
			return NG_E_NO_CALL_ID;
		if (!r->from_tag.p)
			return NG_E_NO_FROM_TAG;
		if (r->cmd == NG_CMD_ANSWER && !r->to_tag.p)
			return NG_E_NO_TO_TAG;
		if (!r->sdp.p)
			return NG_E_NO_SDP;
		break;
	case NG_CMD_DELETE:
	case NG_CMD_QUERY:
		if (!r->call_id.p)
			return NG_E_NO_CALL_ID;
		break;
	default:
		break;
	}
	return NG_OK;
}

void ng_reply_begin(struct bn_buf *b, struct ng_str cookie,
		    const char *result)
{
	bn_put_raw(b, cookie.p, cookie.len);
	bn_put_raw(b, " ", 1);
	bn_open_dict(b);
	bn_kv_str(b, "result", result);
}

void ng_reply_error(struct bn_buf *b, struct ng_str cookie,
		    const char *reason)
{
	ng_reply_begin(b, cookie, "error");
	bn_kv_str(b, "error-reason", reason);
	bn_close(b);
}

void ng_reply_warning(struct bn_buf *b, const char *text)
{
	/* a complete reply ends with its dictionary's 'e': reopen it */
	if (b->err || b->depth || !b->len || b->data[b->len - 1] != 'e')
		return;
	b->len--;
	b->depth++;
	bn_kv_str(b, "warning", text);
	bn_close(b);
}

void ng_reply_load_limit(struct bn_buf *b, struct ng_str cookie,
			 bool supported, const char *why)
{
	if (!supported) {
		ng_reply_error(b, cookie, why);
		return;
	}
	ng_reply_begin(b, cookie, "load limit");
	bn_kv_str(b, "message", why);
	bn_close(b);
}
