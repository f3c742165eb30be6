// SPDX-License-Identifier: GPL-2.0
/*
 * STUN message parser (RFC 8489 section 5 and 14) and typed attribute
 * accessors.  The parser only reads within [buf, buf + len).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "stun/stun.h"
#include "stun/stun_priv.h"

/*
 * Known attribute types get a small index, used for the duplicate check
 * bitmap and for value validation.  Returns -1 for unknown types.
 */
static int attr_index(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:		return 0;
	case STUN_ATTR_USERNAME:		return 1;
	case STUN_ATTR_MESSAGE_INTEGRITY:	return 2;
	case STUN_ATTR_ERROR_CODE:		return 3;
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:	return 4;
	case STUN_ATTR_REALM:			return 5;
	case STUN_ATTR_NONCE:			return 6;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256: return 7;
	case STUN_ATTR_PASSWORD_ALGORITHM:	return 8;
	case STUN_ATTR_USERHASH:		return 9;
	case STUN_ATTR_XOR_MAPPED_ADDRESS:	return 10;
	case STUN_ATTR_CHANNEL_NUMBER:		return 11;
	case STUN_ATTR_LIFETIME:		return 12;
	case STUN_ATTR_XOR_PEER_ADDRESS:	return 13;
	case STUN_ATTR_DATA:			return 14;
	case STUN_ATTR_XOR_RELAYED_ADDRESS:	return 15;
	case STUN_ATTR_REQUESTED_ADDRESS_FAMILY: return 16;
	case STUN_ATTR_EVEN_PORT:		return 17;
	case STUN_ATTR_REQUESTED_TRANSPORT:	return 18;
	case STUN_ATTR_DONT_FRAGMENT:		return 19;
	case STUN_ATTR_RESERVATION_TOKEN:	return 20;
	case STUN_ATTR_PRIORITY:		return 21;
	case STUN_ATTR_USE_CANDIDATE:		return 22;
	case STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY: return 23;
	case STUN_ATTR_ADDRESS_ERROR_CODE:	return 24;
	case STUN_ATTR_PASSWORD_ALGORITHMS:	return 25;
	case STUN_ATTR_ALTERNATE_DOMAIN:	return 26;
	case STUN_ATTR_ICMP:			return 27;
	case STUN_ATTR_SOFTWARE:		return 28;
	case STUN_ATTR_ALTERNATE_SERVER:	return 29;
	case STUN_ATTR_FINGERPRINT:		return 30;
	case STUN_ATTR_ICE_CONTROLLED:		return 31;
	case STUN_ATTR_ICE_CONTROLLING:		return 32;
	default:				return -1;
	}
}

/* Attributes that may legitimately appear more than once. */
static bool attr_repeatable(uint16_t type)
{
	return type == STUN_ATTR_XOR_PEER_ADDRESS ||
	       type == STUN_ATTR_XOR_RELAYED_ADDRESS;
}

static bool addr_ok(const uint8_t *v, uint16_t len)
{
	if (len == 8)
		return v[1] == STUN_FAMILY_IPV4;
	if (len == 20)
		return v[1] == STUN_FAMILY_IPV6;
	return false;
}

/* PASSWORD-ALGORITHM(S) entries: alg(16) paramlen(16) params padded. */
static bool pw_algs_ok(const uint8_t *v, uint16_t len, bool single)
{
	size_t off = 0;

	while (off < len) {
		size_t plen;

		if (len - off < 4)
			return false;
		plen = stun_rd16(v + off + 2);
		off += 4;
		if (stun_pad4(plen) > len - off)
			return false;
		off += stun_pad4(plen);
		if (single)
			return off == len;
	}
	return !single;
}

static bool errcode_ok(const uint8_t *v, uint16_t len)
{
	unsigned int cls, num;

	if (len < 4 || len > 4 + 763)
		return false;
	cls = v[2] & 0x07;
	num = v[3];
	return cls >= 3 && cls <= 6 && num < 100;
}

/* Value validation for known attributes. */
static bool attr_value_ok(uint16_t type, const uint8_t *v, uint16_t len)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
	case STUN_ATTR_XOR_PEER_ADDRESS:
	case STUN_ATTR_XOR_RELAYED_ADDRESS:
	case STUN_ATTR_ALTERNATE_SERVER:
		return addr_ok(v, len);
	case STUN_ATTR_USERNAME:
		return len <= STUN_MAX_USERNAME;
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_SOFTWARE:
	case STUN_ATTR_ALTERNATE_DOMAIN:
		return len <= 763;
	case STUN_ATTR_MESSAGE_INTEGRITY:
		return len == 20;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		return len >= 16 && len <= 32 && (len & 3) == 0;
	case STUN_ATTR_FINGERPRINT:
	case STUN_ATTR_CHANNEL_NUMBER:
	case STUN_ATTR_LIFETIME:
	case STUN_ATTR_REQUESTED_TRANSPORT:
	case STUN_ATTR_PRIORITY:
		return len == 4;
	case STUN_ATTR_REQUESTED_ADDRESS_FAMILY:
	case STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY:
		return len == 4 && (v[0] == STUN_FAMILY_IPV4 ||
				    v[0] == STUN_FAMILY_IPV6);
	case STUN_ATTR_ERROR_CODE:
		return errcode_ok(v, len);
	case STUN_ATTR_ADDRESS_ERROR_CODE:
		return errcode_ok(v, len) && (v[0] == STUN_FAMILY_IPV4 ||
					      v[0] == STUN_FAMILY_IPV6);
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
		return (len & 1) == 0;
	case STUN_ATTR_PASSWORD_ALGORITHM:
		return pw_algs_ok(v, len, true);
	case STUN_ATTR_PASSWORD_ALGORITHMS:
		return len > 0 && pw_algs_ok(v, len, false);
	case STUN_ATTR_USERHASH:
		return len == 32;
	case STUN_ATTR_EVEN_PORT:
		return len == 1;
	case STUN_ATTR_DONT_FRAGMENT:
	case STUN_ATTR_USE_CANDIDATE:
		return len == 0;
	case STUN_ATTR_RESERVATION_TOKEN:
	case STUN_ATTR_ICMP:
	case STUN_ATTR_ICE_CONTROLLED:
	case STUN_ATTR_ICE_CONTROLLING:
		return len == 8;
	default:		/* DATA and anything else: any length */
		return true;
	}
}

bool stun_is_message(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t mlen;

	if (len < STUN_HDR_LEN || (p[0] & 0xC0))
		return false;
	if (stun_rd32(p + 4) != STUN_MAGIC_COOKIE)
		return false;
	mlen = stun_rd16(p + 2);
	return (mlen & 3) == 0 && STUN_HDR_LEN + mlen == len;
}

long stun_frame_len(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	if (len < 4)
		return 0;
	if ((p[0] & 0xC0) == 0) {
		/* STUN message: need the cookie to be sure */
		if (len >= 8 && stun_rd32(p + 4) != STUN_MAGIC_COOKIE)
			return STUN_E_NOT_STUN;
		n = stun_rd16(p + 2);
		if (n & 3)
			return STUN_E_BAD_PADDING;
		n += STUN_HDR_LEN;
	} else if ((p[0] & 0xC0) == 0x40) {
		/* ChannelData 0x4000..0x4FFF, padded to 4 over streams */
		if (p[0] > 0x4F)
			return STUN_E_NOT_STUN;
		n = 4 + stun_pad4(stun_rd16(p + 2));
	} else {
		return STUN_E_NOT_STUN;
	}
	return len >= n ? (long)n : 0;
}

static int parse(struct stun_msg *m, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t seen = 0;
	size_t mlen, end, off;
	bool after_mi = false, after_mi256 = false, after_fp = false;

	m->buf = p;
	m->len = 0;
	m->nattrs = 0;
	m->nunknown = 0;
	m->nignored = 0;
	m->mi = m->mi256 = m->fp = -1;

	if (len < STUN_HDR_LEN)
		return STUN_E_TRUNCATED;
	if ((p[0] & 0xC0) || stun_rd32(p + 4) != STUN_MAGIC_COOKIE)
		return STUN_E_NOT_STUN;
	mlen = stun_rd16(p + 2);
	end = STUN_HDR_LEN + mlen;
	if (end > STUN_MAX_MSG_LEN || len > STUN_MAX_MSG_LEN)
		return STUN_E_OVERSIZE;
	if (mlen & 3)
		return STUN_E_BAD_PADDING;
	if (len < end)
		return STUN_E_TRUNCATED;
	if (len > end)
		return STUN_E_BAD_LENGTH;

	m->len = (uint32_t)end;
	m->type = stun_rd16(p);
	memcpy(m->tid, p + 8, STUN_TID_LEN);

	for (off = STUN_HDR_LEN; off < end;) {
		uint16_t type, alen;
		const uint8_t *v;
		int idx;

		/* off and end are 4-aligned, so 4 header bytes remain */
		type = stun_rd16(p + off);
		alen = stun_rd16(p + off + 2);
		if (after_fp)
			return STUN_E_AFTER_FINGERPRINT;
		if (alen > end - off - 4)
			return STUN_E_BAD_LENGTH;
		v = p + off + 4;

		/* Everything after the integrity attribute(s) is ignored
		 * except MI-SHA256 after MI, and FINGERPRINT. */
		if (type != STUN_ATTR_FINGERPRINT &&
		    (after_mi256 ||
		     (after_mi && type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256))) {
			m->nignored++;
			off += 4 + stun_pad4(alen);
			continue;
		}

		idx = attr_index(type);
		if (idx >= 0) {
			if ((seen >> idx) & 1) {
				if (!attr_repeatable(type))
					return STUN_E_DUPLICATE_ATTR;
			}
			seen |= 1ull << idx;
			if (!attr_value_ok(type, v, alen))
				return STUN_E_BAD_ATTR;
		} else {
			unsigned int i;

			for (i = 0; i < m->nattrs; i++)
				if (m->attrs[i].type == type)
					return STUN_E_DUPLICATE_ATTR;
			if (type < 0x8000 && m->nunknown < STUN_MAX_UNKNOWN)
				m->unknown[m->nunknown++] = type;
		}

		if (m->nattrs >= STUN_MAX_ATTRS)
			return STUN_E_TOO_MANY_ATTRS;
		m->attrs[m->nattrs].type = type;
		m->attrs[m->nattrs].len = alen;
		m->attrs[m->nattrs].off = (uint32_t)(off + 4);

		switch (type) {
		case STUN_ATTR_MESSAGE_INTEGRITY:
			m->mi = (int16_t)m->nattrs;
			after_mi = true;
			break;
		case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
			m->mi256 = (int16_t)m->nattrs;
			after_mi256 = true;
			break;
		case STUN_ATTR_FINGERPRINT:
			m->fp = (int16_t)m->nattrs;
			after_fp = true;
			/* order before content: report trailing attributes
			 * rather than the CRC they necessarily break */
			if (off + 8 != end)
				return STUN_E_AFTER_FINGERPRINT;
			if ((stun_crc32(p, off) ^ STUN_FP_XOR) != stun_rd32(v))
				return STUN_E_BAD_FINGERPRINT;
			break;
		}
		m->nattrs++;
		off += 4 + stun_pad4(alen);
	}
	return STUN_OK;
}

int stun_msg_parse(struct stun_msg *m, const void *buf, size_t len)
{
	int err = parse(m, buf, len);

	if (err) {
		/* leave nothing half-parsed behind */
		m->len = 0;
		m->nattrs = 0;
		m->nunknown = 0;
		m->nignored = 0;
		m->mi = m->mi256 = m->fp = -1;
	}
	return err;
}

const struct stun_attr *stun_msg_find(const struct stun_msg *m, uint16_t type)
{
	unsigned int i;

	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type == type)
			return &m->attrs[i];
	return NULL;
}

const struct stun_attr *stun_msg_find_next(const struct stun_msg *m,
					   const struct stun_attr *prev)
{
	const struct stun_attr *a, *endp = m->attrs + m->nattrs;

	if (prev < m->attrs || prev >= endp)
		return NULL;
	for (a = prev + 1; a < endp; a++)
		if (a->type == prev->type)
			return a;
	return NULL;
}

bool stun_has(const struct stun_msg *m, uint16_t type)
{
	return stun_msg_find(m, type) != NULL;
}

int stun_get_bytes(const struct stun_msg *m, uint16_t type,
		   const uint8_t **v, size_t *len)
{
	const struct stun_attr *a = stun_msg_find(m, type);

	if (!a)
		return STUN_E_NOT_FOUND;
	*v = m->buf + a->off;
	*len = a->len;
	return STUN_OK;
}

int stun_get_u32(const struct stun_msg *m, uint16_t type, uint32_t *v)
{
	const struct stun_attr *a = stun_msg_find(m, type);

	if (!a)
		return STUN_E_NOT_FOUND;
	if (a->len != 4)
		return STUN_E_BAD_ATTR;
	*v = stun_rd32(m->buf + a->off);
	return STUN_OK;
}

int stun_get_u64(const struct stun_msg *m, uint16_t type, uint64_t *v)
{
	const struct stun_attr *a = stun_msg_find(m, type);

	if (!a)
		return STUN_E_NOT_FOUND;
	if (a->len != 8)
		return STUN_E_BAD_ATTR;
	*v = ((uint64_t)stun_rd32(m->buf + a->off) << 32) |
	     stun_rd32(m->buf + a->off + 4);
	return STUN_OK;
}

int stun_get_string(const struct stun_msg *m, uint16_t type, char *out,
		    size_t outsz)
{
	const uint8_t *v;
	size_t len;
	int err = stun_get_bytes(m, type, &v, &len);

	if (err)
		return err;
	if (len + 1 > outsz)
		return STUN_E_NO_SPACE;
	memcpy(out, v, len);
	out[len] = '\0';
	return STUN_OK;
}

static bool type_is_xor(uint16_t type)
{
	return type == STUN_ATTR_XOR_MAPPED_ADDRESS ||
	       type == STUN_ATTR_XOR_PEER_ADDRESS ||
	       type == STUN_ATTR_XOR_RELAYED_ADDRESS;
}

int stun_attr_addr(const struct stun_msg *m, const struct stun_attr *a,
		   struct sockaddr_storage *ss)
{
	const uint8_t *v = m->buf + a->off;
	bool x = type_is_xor(a->type);
	uint16_t port;
	unsigned int i;

	if (!addr_ok(v, a->len))
		return STUN_E_BAD_ATTR;
	port = stun_rd16(v + 2);
	if (x)
		port ^= STUN_MAGIC_COOKIE >> 16;
	memset(ss, 0, sizeof(*ss));
	if (v[1] == STUN_FAMILY_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		uint32_t ip = stun_rd32(v + 4);

		if (x)
			ip ^= STUN_MAGIC_COOKIE;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(ip);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		uint8_t *ip = sin6->sin6_addr.s6_addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(ip, v + 4, 16);
		if (x) {
			/* XOR with cookie then transaction id (= bytes 4..19
			 * of the header) */
			for (i = 0; i < 16; i++)
				ip[i] ^= m->buf[4 + i];
		}
	}
	return STUN_OK;
}

int stun_get_addr(const struct stun_msg *m, uint16_t type,
		  struct sockaddr_storage *ss)
{
	const struct stun_attr *a = stun_msg_find(m, type);

	if (!a)
		return STUN_E_NOT_FOUND;
	return stun_attr_addr(m, a, ss);
}

int stun_get_error(const struct stun_msg *m, int *code,
		   const char **reason, size_t *reason_len)
{
	const struct stun_attr *a = stun_msg_find(m, STUN_ATTR_ERROR_CODE);
	const uint8_t *v;

	if (!a)
		return STUN_E_NOT_FOUND;
	v = m->buf + a->off;
	if (!errcode_ok(v, a->len))
		return STUN_E_BAD_ATTR;
	*code = (v[2] & 7) * 100 + v[3];
	if (reason)
		*reason = (const char *)v + 4;
	if (reason_len)
		*reason_len = a->len - 4u;
	return STUN_OK;
}

int stun_get_unknown_attrs(const struct stun_msg *m, uint16_t *types,
			   size_t max, size_t *n)
{
	const struct stun_attr *a;
	size_t i, cnt;

	a = stun_msg_find(m, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	if (!a)
		return STUN_E_NOT_FOUND;
	cnt = a->len / 2;
	for (i = 0; i < cnt && i < max; i++)
		types[i] = stun_rd16(m->buf + a->off + 2 * i);
	*n = i;
	return STUN_OK;
}

int stun_get_pw_algs(const struct stun_msg *m, uint16_t *algs, size_t max,
		     size_t *n)
{
	const struct stun_attr *a;
	const uint8_t *v;
	size_t off = 0, cnt = 0;

	a = stun_msg_find(m, STUN_ATTR_PASSWORD_ALGORITHMS);
	if (!a)
		return STUN_E_NOT_FOUND;
	v = m->buf + a->off;
	while (off + 4 <= a->len) {
		size_t plen = stun_rd16(v + off + 2);

		if (cnt < max)
			algs[cnt++] = stun_rd16(v + off);
		off += 4 + stun_pad4(plen);
	}
	*n = cnt;
	return STUN_OK;
}

int stun_get_channel(const struct stun_msg *m, uint16_t *ch)
{
	uint32_t v;
	int err = stun_get_u32(m, STUN_ATTR_CHANNEL_NUMBER, &v);

	if (err)
		return err;
	*ch = (uint16_t)(v >> 16);
	return STUN_OK;
}

int stun_get_address_error(const struct stun_msg *m, uint8_t *family,
			   int *code)
{
	const struct stun_attr *a;
	const uint8_t *v;

	a = stun_msg_find(m, STUN_ATTR_ADDRESS_ERROR_CODE);
	if (!a)
		return STUN_E_NOT_FOUND;
	v = m->buf + a->off;
	if (!errcode_ok(v, a->len))
		return STUN_E_BAD_ATTR;
	*family = v[0];
	*code = (v[2] & 7) * 100 + v[3];
	return STUN_OK;
}

int stun_get_icmp(const struct stun_msg *m, uint8_t *type, uint16_t *code,
		  uint32_t *data)
{
	const struct stun_attr *a = stun_msg_find(m, STUN_ATTR_ICMP);
	const uint8_t *v;

	if (!a)
		return STUN_E_NOT_FOUND;
	if (a->len != 8)
		return STUN_E_BAD_ATTR;
	v = m->buf + a->off;
	/* 16 reserved bits, 7-bit type, 9-bit code */
	*type = (v[2] >> 1) & 0x7F;
	*code = (uint16_t)(((v[2] & 1) << 8) | v[3]);
	*data = stun_rd32(v + 4);
	return STUN_OK;
}
