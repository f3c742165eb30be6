/* SPDX-License-Identifier: GPL-2.0 */
/* Internal helpers shared by the STUN library sources. */
#ifndef KICE_STUN_PRIV_H
#define KICE_STUN_PRIV_H

#include <stdint.h>
#include <string.h>

static inline uint16_t stun_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t stun_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void stun_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void stun_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline size_t stun_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Compute HMAC over a message prefix whose header length field is
 * replaced by hdr_len: hdr (20 bytes) then body[0..body_len). */
int stun_hmac(void **ctxp, int sha256, const uint8_t *key, size_t keylen,
	      const uint8_t *hdr20, const uint8_t *body, size_t body_len,
	      uint8_t *out, size_t *outlen);

#endif /* KICE_STUN_PRIV_H */
