// SPDX-License-Identifier: GPL-2.0
/*
 * STUN integrity: keys (short-term and long-term), HMAC-SHA1/SHA256 with a
 * precomputed key schedule, USERHASH, nonce cookie.
 *
 * HMAC (RFC 2104) is H((K ^ opad) || H((K ^ ipad) || m)).  The digest
 * states after absorbing the ipad and opad blocks depend only on the key,
 * so they are computed once per key with libcrypto's SHA-1/SHA-256 and
 * copied (a plain struct copy, no allocation) for every message.  Going
 * through EVP_MAC instead costs two context duplications with heap
 * allocations per MAC, which is most of the time of a verification.
 */

/* The SHA*_Init/Update/Final functions are deprecated in OpenSSL 3.0 in
 * favour of EVP, but EVP_MD_CTX cannot copy a state without allocating. */
#define OPENSSL_API_COMPAT 10101

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "stun/stun.h"
#include "stun/stun_priv.h"

#define HMAC_BLOCK 64	/* SHA-1 and SHA-256 block size */

struct sched_sha1 {
	SHA_CTX in, out;
};

struct sched_sha256 {
	SHA256_CTX in, out;
};

static void make_pads(const uint8_t *key, size_t keylen, int sha256,
		      uint8_t ipad[HMAC_BLOCK], uint8_t opad[HMAC_BLOCK])
{
	uint8_t kb[HMAC_BLOCK] = { 0 };
	unsigned int i;

	if (keylen > HMAC_BLOCK) {
		if (sha256)
			SHA256(key, keylen, kb);
		else
			SHA1(key, keylen, kb);
	} else if (keylen) {
		memcpy(kb, key, keylen);
	}
	for (i = 0; i < HMAC_BLOCK; i++) {
		ipad[i] = kb[i] ^ 0x36;
		opad[i] = kb[i] ^ 0x5c;
	}
	OPENSSL_cleanse(kb, sizeof(kb));
}

static void *schedule(int sha256, const uint8_t *key, size_t keylen)
{
	uint8_t ipad[HMAC_BLOCK], opad[HMAC_BLOCK];
	void *p;

	p = OPENSSL_zalloc(sha256 ? sizeof(struct sched_sha256) :
				    sizeof(struct sched_sha1));
	if (!p)
		return NULL;
	make_pads(key, keylen, sha256, ipad, opad);
	if (sha256) {
		struct sched_sha256 *s = p;

		SHA256_Init(&s->in);
		SHA256_Update(&s->in, ipad, HMAC_BLOCK);
		SHA256_Init(&s->out);
		SHA256_Update(&s->out, opad, HMAC_BLOCK);
	} else {
		struct sched_sha1 *s = p;

		SHA1_Init(&s->in);
		SHA1_Update(&s->in, ipad, HMAC_BLOCK);
		SHA1_Init(&s->out);
		SHA1_Update(&s->out, opad, HMAC_BLOCK);
	}
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	return p;
}

int stun_hmac(void **ctxp, int sha256, const uint8_t *key, size_t keylen,
	      const uint8_t *hdr20, const uint8_t *body, size_t body_len,
	      uint8_t *out, size_t *outlen)
{
	uint8_t inner[SHA256_DIGEST_LENGTH];

	if (!*ctxp) {
		*ctxp = schedule(sha256, key, keylen);
		if (!*ctxp)
			return STUN_E_NO_MEMORY;
	}
	if (sha256) {
		const struct sched_sha256 *s = *ctxp;
		SHA256_CTX c = s->in;

		SHA256_Update(&c, hdr20, STUN_HDR_LEN);
		SHA256_Update(&c, body, body_len);
		SHA256_Final(inner, &c);
		c = s->out;
		SHA256_Update(&c, inner, SHA256_DIGEST_LENGTH);
		SHA256_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		*outlen = SHA256_DIGEST_LENGTH;
	} else {
		const struct sched_sha1 *s = *ctxp;
		SHA_CTX c = s->in;

		SHA1_Update(&c, hdr20, STUN_HDR_LEN);
		SHA1_Update(&c, body, body_len);
		SHA1_Final(inner, &c);
		c = s->out;
		SHA1_Update(&c, inner, SHA_DIGEST_LENGTH);
		SHA1_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		*outlen = SHA_DIGEST_LENGTH;
	}
	return STUN_OK;
}

static int key_set(struct stun_key *k, const uint8_t *key, size_t len)
{
	memset(k, 0, sizeof(*k));
	if (len > sizeof(k->key))
		return STUN_E_INVALID;
	memcpy(k->key, key, len);
	k->len = len;
	return STUN_OK;
}

int stun_key_short_term(struct stun_key *k, const char *password, size_t len)
{
	return key_set(k, (const uint8_t *)password, len);
}

static int digest3(const EVP_MD *md, const char *a, const char *b,
		   const char *c, uint8_t *out, unsigned int *outlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return STUN_E_NO_MEMORY;
	ok = EVP_DigestInit_ex(ctx, md, NULL) &&
	     EVP_DigestUpdate(ctx, a, strlen(a)) &&
	     EVP_DigestUpdate(ctx, ":", 1) &&
	     EVP_DigestUpdate(ctx, b, strlen(b)) &&
	     (!c || (EVP_DigestUpdate(ctx, ":", 1) &&
		     EVP_DigestUpdate(ctx, c, strlen(c)))) &&
	     EVP_DigestFinal_ex(ctx, out, outlen);
	EVP_MD_CTX_free(ctx);
	return ok ? STUN_OK : STUN_E_CRYPTO;
}

int stun_key_long_term(struct stun_key *k, enum stun_pw_alg alg,
		       const char *username, const char *realm,
		       const char *password)
{
	uint8_t dg[32];
	unsigned int dlen = 0;
	const EVP_MD *md;
	int err;

	memset(k, 0, sizeof(*k));
	if (alg == STUN_PWALG_MD5)
		md = EVP_md5();
	else if (alg == STUN_PWALG_SHA256)
		md = EVP_sha256();
	else
		return STUN_E_INVALID;
	err = digest3(md, username, realm, password, dg, &dlen);
	if (err)
		return err;
	err = key_set(k, dg, dlen);
	OPENSSL_cleanse(dg, sizeof(dg));
	return err;
}

void stun_key_free(struct stun_key *k)
{
	OPENSSL_clear_free(k->hmac_sha1, sizeof(struct sched_sha1));
	OPENSSL_clear_free(k->hmac_sha256, sizeof(struct sched_sha256));
	OPENSSL_cleanse(k, sizeof(*k));
}

int stun_userhash(uint8_t out[32], const char *username, const char *realm)
{
	unsigned int len = 0;

	return digest3(EVP_sha256(), username, realm, NULL, out, &len);
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int stun_nonce_features(const uint8_t *nonce, size_t len, uint32_t *bits)
{
	uint32_t v = 0;
	int i;

	*bits = 0;
	if (len < STUN_NONCE_COOKIE_LEN + 4 ||
	    memcmp(nonce, STUN_NONCE_COOKIE, STUN_NONCE_COOKIE_LEN))
		return STUN_E_NOT_FOUND;
	for (i = 0; i < 4; i++) {
		int d = b64val(nonce[STUN_NONCE_COOKIE_LEN + i]);

		if (d < 0)
			return STUN_E_BAD_ATTR;
		v = (v << 6) | (uint32_t)d;
	}
	*bits = v;
	return STUN_OK;
}

/* HMAC over the message up to attribute a, with the header length
 * adjusted to end just after a. */
static int msg_hmac(const struct stun_msg *m, const struct stun_attr *a,
		    struct stun_key *k, int sha256, uint8_t *out,
		    size_t *outlen)
{
	uint8_t hdr[STUN_HDR_LEN];
	size_t attr_start = a->off - 4;

	memcpy(hdr, m->buf, STUN_HDR_LEN);
	stun_wr16(hdr + 2, (uint16_t)(a->off + stun_pad4(a->len) -
				      STUN_HDR_LEN));
	return stun_hmac(sha256 ? &k->hmac_sha256 : &k->hmac_sha1, sha256,
			 k->key, k->len, hdr, m->buf + STUN_HDR_LEN,
			 attr_start - STUN_HDR_LEN, out, outlen);
}

int stun_msg_verify_attr(const struct stun_msg *m, struct stun_key *k,
			 uint16_t type)
{
	const struct stun_attr *a;
	uint8_t mac[32];
	size_t maclen = 0;
	int sha256, err;

	if (type == STUN_ATTR_MESSAGE_INTEGRITY && m->mi >= 0)
		a = &m->attrs[m->mi];
	else if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 && m->mi256 >= 0)
		a = &m->attrs[m->mi256];
	else
		return STUN_E_NO_INTEGRITY;
	sha256 = type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256;
	err = msg_hmac(m, a, k, sha256, mac, &maclen);
	if (err)
		return err;
	if (a->len > maclen ||
	    CRYPTO_memcmp(mac, m->buf + a->off, a->len) != 0)
		return STUN_E_BAD_INTEGRITY;
	return STUN_OK;
}

int stun_msg_verify(const struct stun_msg *m, struct stun_key *k)
{
	if (m->mi256 >= 0)
		return stun_msg_verify_attr(m, k,
					    STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	return stun_msg_verify_attr(m, k, STUN_ATTR_MESSAGE_INTEGRITY);
}
