// SPDX-License-Identifier: GPL-2.0
/*
 * STUN codec unit tests: RFC 5769 and RFC 8489 B.1 vectors (decode, verify,
 * bit-exact encode), malformed input, transactions, credentials.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kselftest_harness.h"

#include "stun/stun.h"
#include "stun/tests/stun_vectors.h"

static const uint8_t rfc_tid[12] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae
};
static const uint8_t lt_tid[12] = {
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e
};

TEST(rfc5769_request)
{
	uint8_t raw[256], out[256];
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	char user[64], sw[64];
	uint32_t prio;
	uint64_t tb;
	size_t n = stun_unhex(RFC5769_REQUEST, raw, sizeof(raw));

	ASSERT_EQ(108, n);
	ASSERT_EQ(0, stun_msg_parse(&m, raw, n));
	ASSERT_EQ(STUN_BINDING, stun_msg_method(&m));
	ASSERT_EQ(STUN_REQUEST, stun_msg_class(&m));
	ASSERT_EQ(0, memcmp(m.tid, rfc_tid, 12));
	ASSERT_EQ(6, m.nattrs);
	ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_SOFTWARE, sw, sizeof(sw)));
	ASSERT_STREQ("STUN test client", sw);
	ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_USERNAME, user,
				     sizeof(user)));
	ASSERT_STREQ("evtj:h6vY", user);
	ASSERT_EQ(0, stun_get_u32(&m, STUN_ATTR_PRIORITY, &prio));
	ASSERT_EQ(0x6e0001ffu, prio);
	ASSERT_EQ(0, stun_get_u64(&m, STUN_ATTR_ICE_CONTROLLED, &tb));
	ASSERT_EQ(0x932ff9b151263b36ull, tb);
	ASSERT_GE(m.fp, 0);
	ASSERT_EQ(0, m.nunknown);

	ASSERT_EQ(0, stun_key_short_term(&k, RFC5769_PASSWORD,
					 strlen(RFC5769_PASSWORD)));
	ASSERT_EQ(0, stun_msg_verify(&m, &k));
	/* twice: the cached key schedule must give the same answer */
	ASSERT_EQ(0, stun_msg_verify(&m, &k));

	/* encode bit-exact (the RFC pads with spaces) */
	stun_build_init(&b, out, sizeof(out), stun_type(STUN_BINDING,
							 STUN_REQUEST), rfc_tid);
	b.pad = ' ';
	stun_build_string(&b, STUN_ATTR_SOFTWARE, "STUN test client");
	stun_build_u32(&b, STUN_ATTR_PRIORITY, 0x6e0001ff);
	stun_build_u64(&b, STUN_ATTR_ICE_CONTROLLED, 0x932ff9b151263b36ull);
	stun_build_string(&b, STUN_ATTR_USERNAME, "evtj:h6vY");
	stun_build_integrity(&b, &k);
	stun_build_fingerprint(&b);
	ASSERT_EQ((long)n, stun_build_finish(&b));
	ASSERT_EQ(0, memcmp(out, raw, n));
	stun_key_free(&k);

	/* wrong password */
	ASSERT_EQ(0, stun_key_short_term(&k, "VOkJxbRl1RmTxUk/WvJxBu", 22));
	ASSERT_EQ(STUN_E_BAD_INTEGRITY, stun_msg_verify(&m, &k));
	stun_key_free(&k);
}

static void check_response(struct __test_metadata *_metadata,
			   const char *hex, const struct sockaddr *want)
{
	uint8_t raw[256], out[256];
	struct sockaddr_storage ss;
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	size_t n = stun_unhex(hex, raw, sizeof(raw));
	size_t alen = want->sa_family == AF_INET ?
		sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

	ASSERT_EQ(0, stun_msg_parse(&m, raw, n));
	ASSERT_EQ(STUN_SUCCESS, stun_msg_class(&m));
	ASSERT_EQ(0, stun_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &ss));
	ASSERT_EQ(0, memcmp(&ss, want, alen));
	ASSERT_EQ(0, stun_key_short_term(&k, RFC5769_PASSWORD,
					 strlen(RFC5769_PASSWORD)));
	ASSERT_EQ(0, stun_msg_verify(&m, &k));

	stun_build_init(&b, out, sizeof(out), stun_type(STUN_BINDING,
							 STUN_SUCCESS), rfc_tid);
	b.pad = ' ';
	stun_build_string(&b, STUN_ATTR_SOFTWARE, "test vector");
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, want);
	stun_build_integrity(&b, &k);
	stun_build_fingerprint(&b);
	ASSERT_EQ((long)n, stun_build_finish(&b));
	ASSERT_EQ(0, memcmp(out, raw, n));
	stun_key_free(&k);
}

TEST(rfc5769_response_ipv4)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(32853) };

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	check_response(_metadata, RFC5769_RESP_V4, (struct sockaddr *)&sin);
}

TEST(rfc5769_response_ipv6)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(32853) };

	inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677",
		  &sin6.sin6_addr);
	check_response(_metadata, RFC5769_RESP_V6, (struct sockaddr *)&sin6);
}

TEST(rfc5769_long_term)
{
	uint8_t raw[256], out[256];
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	char s[128];
	size_t n = stun_unhex(RFC5769_LT_REQUEST, raw, sizeof(raw));

	ASSERT_EQ(116, n);
	ASSERT_EQ(0, stun_msg_parse(&m, raw, n));
	ASSERT_EQ(-1, m.fp);
	ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_USERNAME, s, sizeof(s)));
	ASSERT_STREQ(RFC5769_LT_USER, s);
	ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_REALM, s, sizeof(s)));
	ASSERT_STREQ(RFC5769_LT_REALM, s);
	ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_NONCE, s, sizeof(s)));
	ASSERT_STREQ(RFC5769_LT_NONCE, s);
	ASSERT_EQ(0, stun_key_long_term(&k, STUN_PWALG_MD5, RFC5769_LT_USER,
					RFC5769_LT_REALM,
					RFC5769_LT_PASSWORD));
	ASSERT_EQ(16, k.len);
	ASSERT_EQ(0, stun_msg_verify(&m, &k));

	stun_build_init(&b, out, sizeof(out), stun_type(STUN_BINDING,
							 STUN_REQUEST), lt_tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, RFC5769_LT_USER);
	stun_build_string(&b, STUN_ATTR_NONCE, RFC5769_LT_NONCE);
	stun_build_string(&b, STUN_ATTR_REALM, RFC5769_LT_REALM);
	stun_build_integrity(&b, &k);
	ASSERT_EQ((long)n, stun_build_finish(&b));
	ASSERT_EQ(0, memcmp(out, raw, n));
	stun_key_free(&k);
}

TEST(rfc8489_b1_sha256_userhash)
{
	uint8_t raw[256], out[256], uh[32];
	const uint8_t *v;
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	uint32_t feat;
	size_t vlen, n = stun_unhex(RFC8489_B1_REQUEST, raw, sizeof(raw));

	ASSERT_EQ(164, n);
	ASSERT_EQ(0, stun_msg_parse(&m, raw, n));
	ASSERT_GE(m.mi256, 0);
	ASSERT_EQ(0, stun_userhash(uh, RFC5769_LT_USER, RFC5769_LT_REALM));
	ASSERT_EQ(0, stun_get_bytes(&m, STUN_ATTR_USERHASH, &v, &vlen));
	ASSERT_EQ(32, vlen);
	ASSERT_EQ(0, memcmp(v, uh, 32));
	ASSERT_EQ(0, stun_get_bytes(&m, STUN_ATTR_NONCE, &v, &vlen));
	ASSERT_EQ(0, stun_nonce_features(v, vlen, &feat));
	ASSERT_EQ(2u, feat);
	ASSERT_EQ(0, stun_key_long_term(&k, STUN_PWALG_SHA256,
					RFC5769_LT_USER, RFC5769_LT_REALM,
					RFC5769_LT_PASSWORD));
	ASSERT_EQ(32, k.len);
	ASSERT_EQ(0, stun_msg_verify(&m, &k));
	ASSERT_EQ(STUN_E_NO_INTEGRITY,
		  stun_msg_verify_attr(&m, &k, STUN_ATTR_MESSAGE_INTEGRITY));

	stun_build_init(&b, out, sizeof(out), stun_type(STUN_BINDING,
							 STUN_REQUEST), lt_tid);
	stun_build_attr(&b, STUN_ATTR_USERHASH, uh, 32);
	stun_build_string(&b, STUN_ATTR_NONCE, RFC8489_B1_NONCE);
	stun_build_string(&b, STUN_ATTR_REALM, RFC5769_LT_REALM);
	stun_build_pw_alg(&b, STUN_PWALG_SHA256);
	stun_build_integrity_sha256(&b, &k);
	ASSERT_EQ((long)n, stun_build_finish(&b));
	ASSERT_EQ(0, memcmp(out, raw, n));
	stun_key_free(&k);
}

/* Truncated MESSAGE-INTEGRITY-SHA256 (16 bytes) verifies. */
TEST(mi_sha256_truncated)
{
	uint8_t full[256], mac[32];
	unsigned int ml = 0;
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	long len;

	ASSERT_EQ(0, stun_key_short_term(&k, "secret", 6));
	stun_build_init(&b, full, sizeof(full),
			stun_type(STUN_BINDING, STUN_REQUEST), rfc_tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, "a:b");
	/* header length as if a 16-byte MAC followed; MAC zero for now */
	stun_build_reserve(&b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 16);
	len = stun_build_finish(&b);
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, stun_msg_parse(&m, full, (size_t)len));
	ASSERT_EQ(STUN_E_BAD_INTEGRITY, stun_msg_verify(&m, &k));
	/* the first 16 bytes of the HMAC over the prefix */
	ASSERT_NE(NULL, HMAC(EVP_sha256(), "secret", 6, full,
			     (size_t)len - 20, mac, &ml));
	memcpy(full + len - 16, mac, 16);
	ASSERT_EQ(0, stun_msg_parse(&m, full, (size_t)len));
	ASSERT_EQ(0, stun_msg_verify(&m, &k));
	stun_key_free(&k);
}

struct bad_case {
	const char *name;
	int err;
};

/* Build a valid base message used by the malformed corpus. */
static size_t base_msg(uint8_t *out, size_t cap, bool fp)
{
	struct stun_builder b;

	stun_build_init(&b, out, cap, stun_type(STUN_BINDING, STUN_REQUEST),
			rfc_tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, "evtj:h6vY");
	stun_build_u32(&b, STUN_ATTR_PRIORITY, 0x6e0001ff);
	if (fp)
		stun_build_fingerprint(&b);
	return (size_t)stun_build_finish(&b);
}

TEST(malformed_corpus)
{
	uint8_t raw[256], buf[300];
	struct stun_msg m;
	size_t n = stun_unhex(RFC5769_REQUEST, raw, sizeof(raw)), bn;

	/* truncated: fewer than 20 bytes, then shorter than header says */
	ASSERT_EQ(STUN_E_TRUNCATED, stun_msg_parse(&m, raw, 19));
	ASSERT_EQ(STUN_E_TRUNCATED, stun_msg_parse(&m, raw, n - 4));
	ASSERT_EQ(STUN_E_TRUNCATED, stun_msg_parse(&m, raw, 0));

	/* not STUN: cookie, top bits */
	memcpy(buf, raw, n);
	buf[4] ^= 1;
	ASSERT_EQ(STUN_E_NOT_STUN, stun_msg_parse(&m, buf, n));
	memcpy(buf, raw, n);
	buf[0] |= 0x80;
	ASSERT_EQ(STUN_E_NOT_STUN, stun_msg_parse(&m, buf, n));

	/* bad length: trailing bytes; attribute past the end */
	memcpy(buf, raw, n);
	buf[n] = 0;
	buf[n + 1] = 0;
	buf[n + 2] = 0;
	buf[n + 3] = 0;
	ASSERT_EQ(STUN_E_BAD_LENGTH, stun_msg_parse(&m, buf, n + 4));
	memcpy(buf, raw, n);
	buf[22] = 0x10;		/* SOFTWARE length 0x1010 */
	ASSERT_EQ(STUN_E_BAD_LENGTH, stun_msg_parse(&m, buf, n));

	/* bad padding: header length not a multiple of 4 */
	bn = base_msg(buf, sizeof(buf), false);
	buf[3] -= 1;
	ASSERT_EQ(STUN_E_BAD_PADDING, stun_msg_parse(&m, buf, bn - 1));

	/* attribute after FINGERPRINT */
	bn = base_msg(buf, sizeof(buf), true);
	memcpy(buf + bn, "\x80\x22\x00\x00", 4);	/* empty SOFTWARE */
	buf[3] += 4;
	ASSERT_EQ(STUN_E_AFTER_FINGERPRINT, stun_msg_parse(&m, buf, bn + 4));

	/* oversize: header length beyond the limit */
	memcpy(buf, raw, n);
	buf[2] = 0xFF;
	buf[3] = 0xFC;
	ASSERT_EQ(STUN_E_OVERSIZE, stun_msg_parse(&m, buf, n));

	/* bad FINGERPRINT */
	memcpy(buf, raw, n);
	buf[n - 1] ^= 0x01;
	ASSERT_EQ(STUN_E_BAD_FINGERPRINT, stun_msg_parse(&m, buf, n));
	memcpy(buf, raw, n);
	buf[30] ^= 0x01;	/* body changed, CRC no longer matches */
	ASSERT_EQ(STUN_E_BAD_FINGERPRINT, stun_msg_parse(&m, buf, n));

	/* duplicate attribute */
	bn = base_msg(buf, sizeof(buf), false);
	memcpy(buf + bn, "\x00\x24\x00\x04\x01\x02\x03\x04", 8);
	buf[3] += 8;
	ASSERT_EQ(STUN_E_DUPLICATE_ATTR, stun_msg_parse(&m, buf, bn + 8));

	/* bad attribute value: PRIORITY with 3 bytes */
	bn = base_msg(buf, sizeof(buf), false);
	memcpy(buf + bn, "\x00\x25\x00\x03\x01\x02\x03\x00", 8);
	buf[3] += 8;
	ASSERT_EQ(STUN_E_BAD_ATTR, stun_msg_parse(&m, buf, bn + 8));

	/* a failed parse leaves nothing usable behind */
	ASSERT_EQ(0, m.nattrs);

	/* the original still parses: nothing else changed */
	ASSERT_EQ(0, stun_msg_parse(&m, raw, n));
}

TEST(too_many_attrs)
{
	uint8_t buf[1024];
	struct stun_builder b;
	struct stun_msg m;
	unsigned int i;

	stun_build_init(&b, buf, sizeof(buf), stun_type(STUN_BINDING,
							 STUN_REQUEST), rfc_tid);
	for (i = 0; i < STUN_MAX_ATTRS + 1; i++)
		stun_build_flag(&b, (uint16_t)(0x8100 + i));
	ASSERT_EQ(STUN_E_TOO_MANY_ATTRS,
		  stun_msg_parse(&m, buf, (size_t)stun_build_finish(&b)));
}

TEST(ignored_after_integrity)
{
	uint8_t buf[256];
	struct stun_builder b;
	struct stun_key k;
	struct stun_msg m;
	long n;

	stun_key_short_term(&k, "pw", 2);
	stun_build_init(&b, buf, sizeof(buf), stun_type(STUN_BINDING,
							 STUN_REQUEST), rfc_tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, "u:v");
	stun_build_integrity(&b, &k);
	stun_build_u32(&b, STUN_ATTR_PRIORITY, 7);	/* must be ignored */
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(1, m.nignored);
	ASSERT_FALSE(stun_has(&m, STUN_ATTR_PRIORITY));
	ASSERT_EQ(0, stun_msg_verify(&m, &k));
	stun_key_free(&k);
}

TEST(unknown_attrs_420)
{
	uint8_t buf[256], out[256];
	struct stun_builder b;
	struct stun_msg m, r;
	uint16_t types[4];
	size_t nt;
	int code;
	long n;

	stun_build_init(&b, buf, sizeof(buf), stun_type(STUN_BINDING,
							 STUN_REQUEST), rfc_tid);
	stun_build_u32(&b, 0x0031, 1);		/* unknown, required */
	stun_build_u32(&b, 0x8031, 1);		/* unknown, optional */
	stun_build_u32(&b, 0x0032, 1);
	n = stun_build_finish(&b);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(2, m.nunknown);
	n = stun_build_420(out, sizeof(out), &m, NULL, true);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, stun_msg_parse(&r, out, (size_t)n));
	ASSERT_EQ(STUN_ERROR, stun_msg_class(&r));
	ASSERT_EQ(0, stun_get_error(&r, &code, NULL, NULL));
	ASSERT_EQ(420, code);
	ASSERT_EQ(0, stun_get_unknown_attrs(&r, types, 4, &nt));
	ASSERT_EQ(2, nt);
	ASSERT_EQ(0x0031, types[0]);
	ASSERT_EQ(0x0032, types[1]);
	ASSERT_EQ(0, memcmp(r.tid, m.tid, 12));
}

TEST(turn_attrs_roundtrip)
{
	uint8_t buf[512];
	struct stun_builder b;
	struct stun_msg m;
	struct sockaddr_in6 p6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(5000) };
	struct sockaddr_in p4 = { .sin_family = AF_INET,
				  .sin_port = htons(6000) };
	struct sockaddr_storage ss;
	const struct stun_attr *a;
	uint16_t ch, algs[4];
	uint8_t fam, it;
	uint16_t ic;
	uint32_t v, d;
	size_t na;
	int code;
	long n;
	static const uint16_t offer[2] = { STUN_PWALG_SHA256, STUN_PWALG_MD5 };

	inet_pton(AF_INET6, "2001:db8::5", &p6.sin6_addr);
	inet_pton(AF_INET, "203.0.113.9", &p4.sin_addr);
	stun_build_init(&b, buf, sizeof(buf), stun_type(STUN_ALLOCATE,
							 STUN_SUCCESS), rfc_tid);
	stun_build_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS,
			(struct sockaddr *)&p4);
	stun_build_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS,
			(struct sockaddr *)&p6);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
			(struct sockaddr *)&p6);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	stun_build_channel(&b, 0x4001);
	stun_build_requested_transport(&b, 17);
	stun_build_family(&b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
			  STUN_FAMILY_IPV6);
	stun_build_family(&b, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
			  STUN_FAMILY_IPV6);
	stun_build_even_port(&b, true);
	stun_build_flag(&b, STUN_ATTR_DONT_FRAGMENT);
	stun_build_u64(&b, STUN_ATTR_RESERVATION_TOKEN, 0x0102030405060708ull);
	stun_build_address_error(&b, STUN_FAMILY_IPV6, 440, NULL);
	stun_build_icmp(&b, 3, 0x101, 0);
	stun_build_attr(&b, STUN_ATTR_DATA, "hello", 5);
	stun_build_pw_algs(&b, offer, 2);
	stun_build_string(&b, STUN_ATTR_ALTERNATE_DOMAIN, "turn.example");
	stun_build_addr(&b, STUN_ATTR_ALTERNATE_SERVER, (struct sockaddr *)&p4);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	a = stun_msg_find(&m, STUN_ATTR_XOR_RELAYED_ADDRESS);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, stun_attr_addr(&m, a, &ss));
	ASSERT_EQ(0, memcmp(&ss, &p4, sizeof(p4)));
	a = stun_msg_find_next(&m, a);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, stun_attr_addr(&m, a, &ss));
	ASSERT_EQ(0, memcmp(&ss, &p6, sizeof(p6)));
	ASSERT_EQ(NULL, stun_msg_find_next(&m, a));
	ASSERT_EQ(0, stun_get_addr(&m, STUN_ATTR_ALTERNATE_SERVER, &ss));
	ASSERT_EQ(0, memcmp(&ss, &p4, sizeof(p4)));
	ASSERT_EQ(0, stun_get_u32(&m, STUN_ATTR_LIFETIME, &v));
	ASSERT_EQ(600, v);
	ASSERT_EQ(0, stun_get_channel(&m, &ch));
	ASSERT_EQ(0x4001, ch);
	ASSERT_EQ(0, stun_get_address_error(&m, &fam, &code));
	ASSERT_EQ(STUN_FAMILY_IPV6, fam);
	ASSERT_EQ(440, code);
	ASSERT_EQ(0, stun_get_icmp(&m, &it, &ic, &d));
	ASSERT_EQ(3, it);
	ASSERT_EQ(0x101, ic);
	ASSERT_EQ(0, stun_get_pw_algs(&m, algs, 4, &na));
	ASSERT_EQ(2, na);
	ASSERT_EQ(STUN_PWALG_SHA256, algs[0]);
	ASSERT_TRUE(stun_has(&m, STUN_ATTR_DONT_FRAGMENT));
	ASSERT_EQ(0, m.nunknown);
}

TEST(tx_udp_schedule)
{
	static const uint64_t want[] = { 500, 1500, 3500, 7500, 15500, 31500 };
	struct stun_tx t;
	unsigned int i;

	stun_tx_start(&t, NULL, STUN_TR_UDP, rfc_tid, 0);
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(want[i], stun_tx_deadline(&t));
		ASSERT_EQ(STUN_TX_WAIT, stun_tx_tick(&t, want[i] - 1));
		ASSERT_EQ(STUN_TX_RETRANSMIT, stun_tx_tick(&t, want[i]));
	}
	ASSERT_EQ(7, t.sent);
	ASSERT_EQ(39500, stun_tx_deadline(&t));
	ASSERT_EQ(STUN_TX_WAIT, stun_tx_tick(&t, 39499));
	ASSERT_EQ(STUN_TX_TIMEOUT, stun_tx_tick(&t, 39500));
	ASSERT_EQ(STUN_TX_TIMED_OUT, t.state);
}

TEST(tx_custom_and_tcp)
{
	struct stun_tx_cfg cfg = { .rto_ms = 100, .rc = 2, .rm = 4,
				   .ti_ms = 1000 };
	struct stun_tx t;

	stun_tx_start(&t, &cfg, STUN_TR_UDP, rfc_tid, 1000);
	ASSERT_EQ(STUN_TX_RETRANSMIT, stun_tx_tick(&t, 1100));
	ASSERT_EQ(1500, stun_tx_deadline(&t));
	ASSERT_EQ(STUN_TX_TIMEOUT, stun_tx_tick(&t, 1500));

	stun_tx_start(&t, &cfg, STUN_TR_TCP, rfc_tid, 0);
	ASSERT_EQ(1000, stun_tx_deadline(&t));
	ASSERT_EQ(STUN_TX_TIMEOUT, stun_tx_tick(&t, 1000));	/* no resend */
}

TEST(tx_match_duplicate_late)
{
	uint8_t raw[256], other[256];
	struct stun_msg resp, req;
	struct stun_tx t;
	size_t n = stun_unhex(RFC5769_RESP_V4, raw, sizeof(raw));

	ASSERT_EQ(0, stun_msg_parse(&resp, raw, n));
	stun_tx_start(&t, NULL, STUN_TR_UDP, rfc_tid, 0);
	ASSERT_EQ(0, stun_tx_match(&t, &resp));
	ASSERT_EQ(STUN_TX_DONE, t.state);
	ASSERT_EQ(STUN_E_DUPLICATE, stun_tx_match(&t, &resp));
	ASSERT_EQ(STUN_TX_WAIT, stun_tx_tick(&t, 100000));

	/* late: after timeout */
	stun_tx_start(&t, NULL, STUN_TR_TCP, rfc_tid, 0);
	ASSERT_EQ(STUN_TX_TIMEOUT, stun_tx_tick(&t, 40000));
	ASSERT_EQ(STUN_E_DUPLICATE, stun_tx_match(&t, &resp));

	/* other transaction id, and a request is never a response */
	memcpy(other, raw, n);
	other[10] ^= 1;
	ASSERT_EQ(STUN_E_BAD_FINGERPRINT, stun_msg_parse(&resp, other, n));
	n = stun_unhex(RFC5769_REQUEST, raw, sizeof(raw));
	ASSERT_EQ(0, stun_msg_parse(&req, raw, n));
	stun_tx_start(&t, NULL, STUN_TR_UDP, rfc_tid, 0);
	ASSERT_EQ(STUN_E_NOT_MATCHED, stun_tx_match(&t, &req));
}

/* Client long-term flow against a simulated server. */
static long server_challenge(uint8_t *buf, size_t cap, const uint8_t *tid,
			     int code, const char *nonce, bool algs)
{
	static const uint16_t offer[2] = { STUN_PWALG_MD5, STUN_PWALG_SHA256 };
	struct stun_builder b;

	stun_build_init(&b, buf, cap, stun_type(STUN_ALLOCATE, STUN_ERROR),
			tid);
	stun_build_error(&b, code, NULL);
	stun_build_string(&b, STUN_ATTR_REALM, "example.org");
	stun_build_string(&b, STUN_ATTR_NONCE, nonce);
	if (algs)
		stun_build_pw_algs(&b, offer, 2);
	return stun_build_finish(&b);
}

TEST(lt_cred_flow)
{
	uint8_t buf[512], req[512];
	struct stun_lt_cred c;
	struct stun_builder b;
	struct stun_msg m, r;
	struct stun_key sk;
	long n;

	ASSERT_EQ(0, stun_lt_cred_init(&c, "user", "pass"));

	/* classic server: MD5, MESSAGE-INTEGRITY */
	n = server_challenge(buf, sizeof(buf), rfc_tid, 401, "abcd", false);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(0, stun_lt_cred_challenge(&c, &m, false));
	ASSERT_EQ(STUN_PWALG_MD5, c.alg);
	stun_build_init(&b, req, sizeof(req), stun_type(STUN_ALLOCATE,
							 STUN_REQUEST), rfc_tid);
	stun_build_requested_transport(&b, 17);
	ASSERT_EQ(0, stun_lt_cred_sign(&c, &b));
	n = stun_build_finish(&b);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, stun_msg_parse(&r, req, (size_t)n));
	ASSERT_GE(r.mi, 0);
	ASSERT_TRUE(stun_has(&r, STUN_ATTR_USERNAME));
	ASSERT_EQ(0, stun_key_long_term(&sk, STUN_PWALG_MD5, "user",
					"example.org", "pass"));
	ASSERT_EQ(0, stun_msg_verify(&r, &sk));
	stun_key_free(&sk);

	/* 401 again after sending credentials: wrong password */
	n = server_challenge(buf, sizeof(buf), rfc_tid, 401, "abcd", false);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(STUN_E_BAD_INTEGRITY, stun_lt_cred_challenge(&c, &m, true));

	/* 438: new nonce is taken and used */
	n = server_challenge(buf, sizeof(buf), rfc_tid, 438, "efgh", false);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(0, stun_lt_cred_challenge(&c, &m, true));
	ASSERT_EQ(4, c.nonce_len);
	ASSERT_EQ(0, memcmp(c.nonce, "efgh", 4));

	/* RFC 8489 server: nonce cookie with password algorithms and
	 * username anonymity: SHA-256, USERHASH, MI-SHA256 */
	n = server_challenge(buf, sizeof(buf), rfc_tid, 401,
			     "obMatJos2wAAAxyz", true);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(0, stun_lt_cred_challenge(&c, &m, false));
	ASSERT_EQ(STUN_PWALG_SHA256, c.alg);
	ASSERT_TRUE(c.userhash);
	stun_build_init(&b, req, sizeof(req), stun_type(STUN_ALLOCATE,
							 STUN_REQUEST), rfc_tid);
	ASSERT_EQ(0, stun_lt_cred_sign(&c, &b));
	n = stun_build_finish(&b);
	ASSERT_EQ(0, stun_msg_parse(&r, req, (size_t)n));
	ASSERT_TRUE(stun_has(&r, STUN_ATTR_USERHASH));
	ASSERT_FALSE(stun_has(&r, STUN_ATTR_USERNAME));
	ASSERT_TRUE(stun_has(&r, STUN_ATTR_PASSWORD_ALGORITHMS));
	ASSERT_TRUE(stun_has(&r, STUN_ATTR_PASSWORD_ALGORITHM));
	ASSERT_GE(r.mi256, 0);
	ASSERT_EQ(0, stun_key_long_term(&sk, STUN_PWALG_SHA256, "user",
					"example.org", "pass"));
	ASSERT_EQ(0, stun_msg_verify(&r, &sk));
	stun_key_free(&sk);

	/* downgrade attempts: bit without the list, list without the bit */
	n = server_challenge(buf, sizeof(buf), rfc_tid, 401,
			     "obMatJos2gAAAxyz", false);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(STUN_E_DOWNGRADE, stun_lt_cred_challenge(&c, &m, false));
	n = server_challenge(buf, sizeof(buf), rfc_tid, 401, "plainnonce",
			     true);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	ASSERT_EQ(STUN_E_DOWNGRADE, stun_lt_cred_challenge(&c, &m, false));
	stun_lt_cred_free(&c);
}

TEST(frame_len)
{
	uint8_t raw[256];
	size_t n = stun_unhex(RFC5769_REQUEST, raw, sizeof(raw));
	static const uint8_t cd[] = { 0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5,
				      0, 0, 0 };

	ASSERT_EQ((long)n, stun_frame_len(raw, n));
	ASSERT_EQ((long)n, stun_frame_len(raw, n + 10));
	ASSERT_EQ(0, stun_frame_len(raw, n - 1));
	ASSERT_EQ(0, stun_frame_len(raw, 3));
	ASSERT_EQ(12, stun_frame_len(cd, sizeof(cd)));
	ASSERT_EQ(0, stun_frame_len(cd, 9));
	ASSERT_EQ(STUN_E_NOT_STUN, stun_frame_len("\x80\x00\x00\x00", 4));
	ASSERT_TRUE(stun_is_message(raw, n));
	ASSERT_FALSE(stun_is_message(cd, sizeof(cd)));
}

TEST(builder_no_space)
{
	uint8_t buf[32];
	struct stun_builder b;

	stun_build_init(&b, buf, sizeof(buf), stun_type(STUN_BINDING,
							 STUN_REQUEST), rfc_tid);
	ASSERT_EQ(0, stun_build_u32(&b, STUN_ATTR_PRIORITY, 1));
	ASSERT_EQ(STUN_E_NO_SPACE, stun_build_u32(&b, STUN_ATTR_LIFETIME, 1));
	/* sticky */
	ASSERT_EQ(STUN_E_NO_SPACE, stun_build_flag(&b, STUN_ATTR_USE_CANDIDATE));
	ASSERT_EQ(STUN_E_NO_SPACE, stun_build_finish(&b));
	ASSERT_STREQ("buffer too small", stun_strerror(STUN_E_NO_SPACE));
}

TEST_HARNESS_MAIN
