// SPDX-License-Identifier: GPL-2.0
/*
 * STUN message builder: header, attributes with zero padding, integrity
 * and fingerprint.  The header length is kept current after every call.
 */
#include <netinet/in.h>
#include <string.h>

#include "stun/stun.h"
#include "stun/stun_priv.h"

static void set_len(struct stun_builder *b)
{
	stun_wr16(b->buf + 2, (uint16_t)(b->len - STUN_HDR_LEN));
}

int stun_build_init(struct stun_builder *b, void *buf, size_t cap,
		    uint16_t type, const uint8_t tid[STUN_TID_LEN])
{
	b->buf = buf;
	b->cap = cap > STUN_MAX_MSG_LEN ? STUN_MAX_MSG_LEN : cap;
	b->len = 0;
	b->err = STUN_OK;
	b->pad = 0;
	if (!buf || cap < STUN_HDR_LEN || (type & 0xC000))
		return b->err = (cap < STUN_HDR_LEN && buf) ?
			STUN_E_NO_SPACE : STUN_E_INVALID;
	stun_wr16(b->buf, type);
	stun_wr32(b->buf + 4, STUN_MAGIC_COOKIE);
	memcpy(b->buf + 8, tid, STUN_TID_LEN);
	b->len = STUN_HDR_LEN;
	set_len(b);
	return STUN_OK;
}

uint8_t *stun_build_reserve(struct stun_builder *b, uint16_t type,
			    size_t len)
{
	size_t plen = stun_pad4(len);
	uint8_t *p;

	if (b->err)
		return NULL;
	if (len > 0xFFFF || b->cap - b->len < 4 + plen) {
		b->err = STUN_E_NO_SPACE;
		return NULL;
	}
	p = b->buf + b->len;
	stun_wr16(p, type);
	stun_wr16(p + 2, (uint16_t)len);
	memset(p + 4 + len, b->pad, plen - len);
	b->len += 4 + plen;
	set_len(b);
	return p + 4;
}

int stun_build_attr(struct stun_builder *b, uint16_t type, const void *val,
		    size_t len)
{
	uint8_t *p = stun_build_reserve(b, type, len);

	if (!p)
		return b->err;
	if (len)
		memcpy(p, val, len);
	return STUN_OK;
}

int stun_build_flag(struct stun_builder *b, uint16_t type)
{
	return stun_build_attr(b, type, NULL, 0);
}

int stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v)
{
	uint8_t *p = stun_build_reserve(b, type, 4);

	if (!p)
		return b->err;
	stun_wr32(p, v);
	return STUN_OK;
}

int stun_build_u64(struct stun_builder *b, uint16_t type, uint64_t v)
{
	uint8_t *p = stun_build_reserve(b, type, 8);

	if (!p)
		return b->err;
	stun_wr32(p, (uint32_t)(v >> 32));
	stun_wr32(p + 4, (uint32_t)v);
	return STUN_OK;
}

int stun_build_string(struct stun_builder *b, uint16_t type, const char *s)
{
	return stun_build_attr(b, type, s, strlen(s));
}

int stun_build_addr(struct stun_builder *b, uint16_t type,
		    const struct sockaddr *sa)
{
	bool x = type == STUN_ATTR_XOR_MAPPED_ADDRESS ||
		 type == STUN_ATTR_XOR_PEER_ADDRESS ||
		 type == STUN_ATTR_XOR_RELAYED_ADDRESS;
	uint8_t *p;
	unsigned int i;

	if (b->err)
		return b->err;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		uint32_t ip = ntohl(sin->sin_addr.s_addr);
		uint16_t port = ntohs(sin->sin_port);

		p = stun_build_reserve(b, type, 8);
		if (!p)
			return b->err;
		p[0] = 0;
		p[1] = STUN_FAMILY_IPV4;
		stun_wr16(p + 2, x ? port ^ (STUN_MAGIC_COOKIE >> 16) : port);
		stun_wr32(p + 4, x ? ip ^ STUN_MAGIC_COOKIE : ip);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		uint16_t port = ntohs(sin6->sin6_port);

		p = stun_build_reserve(b, type, 20);
		if (!p)
			return b->err;
		p[0] = 0;
		p[1] = STUN_FAMILY_IPV6;
		stun_wr16(p + 2, x ? port ^ (STUN_MAGIC_COOKIE >> 16) : port);
		memcpy(p + 4, sin6->sin6_addr.s6_addr, 16);
		if (x)
			for (i = 0; i < 16; i++)
				p[4 + i] ^= b->buf[4 + i];
	} else {
		return b->err = STUN_E_INVALID;
	}
	return STUN_OK;
}

static int put_error(struct stun_builder *b, uint16_t type, uint8_t family,
		     int code, const char *reason)
{
	size_t rlen;
	uint8_t *p;

	if (b->err)
		return b->err;
	if (code < 300 || code > 699)
		return b->err = STUN_E_INVALID;
	if (!reason)
		reason = stun_reason(code);
	rlen = strlen(reason);
	if (rlen > 763)
		return b->err = STUN_E_INVALID;
	p = stun_build_reserve(b, type, 4 + rlen);
	if (!p)
		return b->err;
	p[0] = family;
	p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	memcpy(p + 4, reason, rlen);
	return STUN_OK;
}

int stun_build_error(struct stun_builder *b, int code, const char *reason)
{
	return put_error(b, STUN_ATTR_ERROR_CODE, 0, code, reason);
}

int stun_build_address_error(struct stun_builder *b, uint8_t family,
			     int code, const char *reason)
{
	return put_error(b, STUN_ATTR_ADDRESS_ERROR_CODE, family, code,
			 reason);
}

int stun_build_unknown_attrs(struct stun_builder *b, const uint16_t *types,
			     size_t n)
{
	uint8_t *p = stun_build_reserve(b, STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n);
	size_t i;

	if (!p)
		return b->err;
	for (i = 0; i < n; i++)
		stun_wr16(p + 2 * i, types[i]);
	return STUN_OK;
}

int stun_build_channel(struct stun_builder *b, uint16_t ch)
{
	return stun_build_u32(b, STUN_ATTR_CHANNEL_NUMBER, (uint32_t)ch << 16);
}

int stun_build_requested_transport(struct stun_builder *b, uint8_t proto)
{
	return stun_build_u32(b, STUN_ATTR_REQUESTED_TRANSPORT,
			      (uint32_t)proto << 24);
}

int stun_build_family(struct stun_builder *b, uint16_t type, uint8_t family)
{
	return stun_build_u32(b, type, (uint32_t)family << 24);
}

int stun_build_even_port(struct stun_builder *b, bool reserve)
{
	uint8_t v = reserve ? 0x80 : 0;

	return stun_build_attr(b, STUN_ATTR_EVEN_PORT, &v, 1);
}

int stun_build_pw_algs(struct stun_builder *b, const uint16_t *algs,
		       size_t n)
{
	uint8_t *p = stun_build_reserve(b, STUN_ATTR_PASSWORD_ALGORITHMS, 4 * n);
	size_t i;

	if (!p)
		return b->err;
	for (i = 0; i < n; i++) {
		stun_wr16(p + 4 * i, algs[i]);
		stun_wr16(p + 4 * i + 2, 0);
	}
	return STUN_OK;
}

int stun_build_pw_alg(struct stun_builder *b, uint16_t alg)
{
	return stun_build_u32(b, STUN_ATTR_PASSWORD_ALGORITHM,
			      (uint32_t)alg << 16);
}

int stun_build_icmp(struct stun_builder *b, uint8_t type, uint16_t code,
		    uint32_t data)
{
	uint8_t *p = stun_build_reserve(b, STUN_ATTR_ICMP, 8);

	if (!p)
		return b->err;
	if (type > 0x7F || code > 0x1FF)
		return b->err = STUN_E_INVALID;
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(type << 1 | code >> 8);
	p[3] = (uint8_t)code;
	stun_wr32(p + 4, data);
	return STUN_OK;
}

static int build_mi(struct stun_builder *b, struct stun_key *k, int sha256)
{
	size_t maclen = sha256 ? 32 : 20, outlen = 0;
	uint16_t type = sha256 ? STUN_ATTR_MESSAGE_INTEGRITY_SHA256 :
				 STUN_ATTR_MESSAGE_INTEGRITY;
	uint8_t mac[32];
	size_t body;
	uint8_t *p;
	int err;

	if (b->err)
		return b->err;
	body = b->len - STUN_HDR_LEN;
	p = stun_build_reserve(b, type, maclen);	/* updates length */
	if (!p)
		return b->err;
	err = stun_hmac(sha256 ? &k->hmac_sha256 : &k->hmac_sha1, sha256,
			k->key, k->len, b->buf, b->buf + STUN_HDR_LEN, body,
			mac, &outlen);
	if (err || outlen != maclen)
		return b->err = err ? err : STUN_E_CRYPTO;
	memcpy(p, mac, maclen);
	return STUN_OK;
}

int stun_build_integrity(struct stun_builder *b, struct stun_key *k)
{
	return build_mi(b, k, 0);
}

int stun_build_integrity_sha256(struct stun_builder *b, struct stun_key *k)
{
	return build_mi(b, k, 1);
}

int stun_build_fingerprint(struct stun_builder *b)
{
	size_t before = b->len;
	uint8_t *p = stun_build_reserve(b, STUN_ATTR_FINGERPRINT, 4);

	if (!p)
		return b->err;
	stun_wr32(p, stun_crc32(b->buf, before) ^ STUN_FP_XOR);
	return STUN_OK;
}

long stun_build_finish(struct stun_builder *b)
{
	return b->err ? b->err : (long)b->len;
}

long stun_build_420(void *buf, size_t cap, const struct stun_msg *req,
		    struct stun_key *k, bool fingerprint)
{
	struct stun_builder b;

	stun_build_init(&b, buf, cap,
			stun_type(stun_msg_method(req), STUN_ERROR), req->tid);
	stun_build_error(&b, STUN_EC_UNKNOWN_ATTRIBUTE, NULL);
	stun_build_unknown_attrs(&b, req->unknown, req->nunknown);
	if (k)
		stun_build_integrity(&b, k);
	if (fingerprint)
		stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}
