// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term credential mechanism, client side (RFC 8489 9.2): react to
 * 401/438 challenges, choose the password algorithm, sign requests.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "stun/stun.h"
#include "stun/stun_priv.h"

int stun_lt_cred_init(struct stun_lt_cred *c, const char *username,
		      const char *password)
{
	memset(c, 0, sizeof(*c));
	if (strlen(username) > STUN_MAX_USERNAME ||
	    strlen(password) >= sizeof(c->password))
		return STUN_E_INVALID;
	strcpy(c->username, username);
	strcpy(c->password, password);
	return STUN_OK;
}

void stun_lt_cred_free(struct stun_lt_cred *c)
{
	stun_key_free(&c->key);
	OPENSSL_cleanse(c, sizeof(*c));
}

/* Pick SHA-256 if the server offers it, else MD5; 0 if neither. */
static uint16_t pick_alg(const uint8_t *v, size_t len)
{
	uint16_t best = 0;
	size_t off = 0;

	while (off + 4 <= len) {
		uint16_t alg = stun_rd16(v + off);

		if (alg == STUN_PWALG_SHA256)
			best = STUN_PWALG_SHA256;
		else if (alg == STUN_PWALG_MD5 && !best)
			best = STUN_PWALG_MD5;
		off += 4 + stun_pad4(stun_rd16(v + off + 2));
	}
	return best;
}

int stun_lt_cred_challenge(struct stun_lt_cred *c, const struct stun_msg *m,
			   bool retried)
{
	const uint8_t *realm, *nonce, *algs;
	size_t realm_len, nonce_len, algs_len = 0;
	uint16_t alg = STUN_PWALG_MD5;
	bool realm_changed;
	int code, err;

	err = stun_get_error(m, &code, NULL, NULL);
	if (err)
		return err;
	if (code != STUN_EC_UNAUTHORIZED && code != STUN_EC_STALE_NONCE)
		return STUN_E_INVALID;
	if (stun_get_bytes(m, STUN_ATTR_NONCE, &nonce, &nonce_len))
		return STUN_E_NOT_FOUND;
	if (stun_get_bytes(m, STUN_ATTR_REALM, &realm, &realm_len)) {
		/* a 438 may omit REALM when it did not change */
		if (code != STUN_EC_STALE_NONCE || !c->have_realm)
			return STUN_E_NOT_FOUND;
		realm = (const uint8_t *)c->realm;
		realm_len = strlen(c->realm);
	}
	if (code == STUN_EC_UNAUTHORIZED && retried)
		return STUN_E_BAD_INTEGRITY;	/* wrong credentials */

	if (nonce_len > sizeof(c->nonce) || realm_len > STUN_MAX_REALM)
		return STUN_E_BAD_ATTR;
	stun_nonce_features(nonce, nonce_len, &c->features);
	/* the feature bit and the attribute must agree, else someone may
	 * have stripped one of them to force a weaker algorithm */
	if (!!(c->features & STUN_FEAT_PASSWORD_ALGORITHMS) !=
	    stun_has(m, STUN_ATTR_PASSWORD_ALGORITHMS))
		return STUN_E_DOWNGRADE;
	if ((c->features & STUN_FEAT_PASSWORD_ALGORITHMS) &&
	    !stun_get_bytes(m, STUN_ATTR_PASSWORD_ALGORITHMS, &algs,
			    &algs_len)) {
		if (algs_len > sizeof(c->server_algs))
			return STUN_E_BAD_ATTR;
		alg = pick_alg(algs, algs_len);
		if (!alg)
			return STUN_E_INVALID;	/* nothing we support */
		memcpy(c->server_algs, algs, algs_len);
	}
	c->server_algs_len = algs_len;
	c->userhash = !!(c->features & STUN_FEAT_USERNAME_ANONYMITY);

	realm_changed = !c->have_realm || strlen(c->realm) != realm_len ||
			memcmp(c->realm, realm, realm_len);
	memmove(c->realm, realm, realm_len);
	c->realm[realm_len] = '\0';
	memcpy(c->nonce, nonce, nonce_len);
	c->nonce_len = nonce_len;

	if (realm_changed || alg != c->alg || !c->have_realm) {
		stun_key_free(&c->key);
		err = stun_key_long_term(&c->key, alg, c->username, c->realm,
					 c->password);
		if (err)
			return err;
		c->alg = alg;
	}
	c->have_realm = true;
	return STUN_OK;
}

int stun_lt_cred_sign(struct stun_lt_cred *c, struct stun_builder *b)
{
	if (!c->have_realm)
		return b->err = STUN_E_INVALID;
	if (c->userhash) {
		uint8_t uh[32];
		int err = stun_userhash(uh, c->username, c->realm);

		if (err)
			return b->err = err;
		stun_build_attr(b, STUN_ATTR_USERHASH, uh, sizeof(uh));
	} else {
		stun_build_string(b, STUN_ATTR_USERNAME, c->username);
	}
	stun_build_string(b, STUN_ATTR_REALM, c->realm);
	stun_build_attr(b, STUN_ATTR_NONCE, c->nonce, c->nonce_len);
	if (c->server_algs_len) {
		stun_build_attr(b, STUN_ATTR_PASSWORD_ALGORITHMS,
				c->server_algs, c->server_algs_len);
		stun_build_pw_alg(b, c->alg);
	}
	if (c->alg == STUN_PWALG_SHA256)
		return stun_build_integrity_sha256(b, &c->key);
	return stun_build_integrity(b, &c->key);
}

int stun_lt_cred_verify(struct stun_lt_cred *c, const struct stun_msg *m)
{
	if (!c->have_realm)
		return STUN_E_NO_INTEGRITY;
	return stun_msg_verify(m, &c->key);
}
