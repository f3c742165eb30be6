/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice STUN library: RFC 8489 message codec, credentials and client
 * transaction timers.
 *
 * Design rules:
 *  - No threads, no I/O, no allocation on the parse/verify path.  The
 *    caller owns sockets and the event loop; this library only turns bytes
 *    into structures and back, and tells the caller when to retransmit.
 *  - A parsed message (struct stun_msg) points into the caller's buffer;
 *    the buffer must outlive the struct.
 *  - Every function returning int returns 0 (STUN_OK) on success or a
 *    negative enum stun_err; stun_strerror() names it.
 *  - Times are milliseconds on any monotonic clock the caller chooses
 *    (e.g. CLOCK_MONOTONIC); stun_now_ms() is provided for convenience.
 *
 * See Documentation/stun.rst.
 */
#ifndef KICE_STUN_H
#define KICE_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------------- */
/* Constants                                                              */

#define STUN_HDR_LEN		20
#define STUN_MAGIC_COOKIE	0x2112A442u
#define STUN_TID_LEN		12
#define STUN_FP_XOR		0x5354554Eu
/* Largest message accepted by the parser (header + attributes). */
#define STUN_MAX_MSG_LEN	65535
/* Attributes kept per parsed message (more -> STUN_E_TOO_MANY_ATTRS). */
#define STUN_MAX_ATTRS		48
/* Unknown comprehension-required attributes remembered for a 420. */
#define STUN_MAX_UNKNOWN	8

/* Message classes (already shifted into C1/C0 position of the type). */
enum stun_class {
	STUN_REQUEST		= 0x0000,
	STUN_INDICATION		= 0x0010,
	STUN_SUCCESS		= 0x0100,
	STUN_ERROR		= 0x0110,
};

/* Methods (RFC 8489, RFC 8656). */
enum stun_method {
	STUN_BINDING		= 0x001,
	STUN_ALLOCATE		= 0x003,
	STUN_REFRESH		= 0x004,
	STUN_SEND		= 0x006,
	STUN_DATA		= 0x007,
	STUN_CREATE_PERMISSION	= 0x008,
	STUN_CHANNEL_BIND	= 0x009,
};

/* Attribute types. */
enum stun_attr_type {
	/* RFC 8489 comprehension-required */
	STUN_ATTR_MAPPED_ADDRESS	= 0x0001,
	STUN_ATTR_USERNAME		= 0x0006,
	STUN_ATTR_MESSAGE_INTEGRITY	= 0x0008,
	STUN_ATTR_ERROR_CODE		= 0x0009,
	STUN_ATTR_UNKNOWN_ATTRIBUTES	= 0x000A,
	STUN_ATTR_REALM			= 0x0014,
	STUN_ATTR_NONCE			= 0x0015,
	STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
	STUN_ATTR_PASSWORD_ALGORITHM	= 0x001D,
	STUN_ATTR_USERHASH		= 0x001E,
	STUN_ATTR_XOR_MAPPED_ADDRESS	= 0x0020,
	/* RFC 8656 comprehension-required */
	STUN_ATTR_CHANNEL_NUMBER	= 0x000C,
	STUN_ATTR_LIFETIME		= 0x000D,
	STUN_ATTR_XOR_PEER_ADDRESS	= 0x0012,
	STUN_ATTR_DATA			= 0x0013,
	STUN_ATTR_XOR_RELAYED_ADDRESS	= 0x0016,
	STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017,
	STUN_ATTR_EVEN_PORT		= 0x0018,
	STUN_ATTR_REQUESTED_TRANSPORT	= 0x0019,
	STUN_ATTR_DONT_FRAGMENT		= 0x001A,
	STUN_ATTR_RESERVATION_TOKEN	= 0x0022,
	/* RFC 8445 comprehension-required */
	STUN_ATTR_PRIORITY		= 0x0024,
	STUN_ATTR_USE_CANDIDATE		= 0x0025,
	/* comprehension-optional */
	STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000,
	STUN_ATTR_ADDRESS_ERROR_CODE	= 0x8001,
	STUN_ATTR_PASSWORD_ALGORITHMS	= 0x8002,
	STUN_ATTR_ALTERNATE_DOMAIN	= 0x8003,
	STUN_ATTR_ICMP			= 0x8004,
	STUN_ATTR_SOFTWARE		= 0x8022,
	STUN_ATTR_ALTERNATE_SERVER	= 0x8023,
	STUN_ATTR_FINGERPRINT		= 0x8028,
	STUN_ATTR_ICE_CONTROLLED	= 0x8029,
	STUN_ATTR_ICE_CONTROLLING	= 0x802A,
	/* pre-RFC 8656 draft code points still used by coturn for dual
	 * allocations; comprehension-optional, so harmless elsewhere */
	STUN_ATTR_LEGACY_ADDITIONAL_ADDRESS_FAMILY = 0x8032,
	STUN_ATTR_LEGACY_ADDRESS_ERROR_CODE = 0x8033,
};

/* Error response codes used by STUN, TURN and ICE. */
enum stun_error_code {
	STUN_EC_TRY_ALTERNATE		= 300,
	STUN_EC_BAD_REQUEST		= 400,
	STUN_EC_UNAUTHORIZED		= 401,
	STUN_EC_FORBIDDEN		= 403,
	STUN_EC_UNKNOWN_ATTRIBUTE	= 420,
	STUN_EC_ALLOCATION_MISMATCH	= 437,
	STUN_EC_STALE_NONCE		= 438,
	STUN_EC_ADDR_FAMILY_NOT_SUPP	= 440,
	STUN_EC_WRONG_CREDENTIALS	= 441,
	STUN_EC_UNSUPP_TRANSPORT	= 442,
	STUN_EC_PEER_ADDR_FAMILY_MISMATCH = 443,
	STUN_EC_ALLOCATION_QUOTA	= 486,
	STUN_EC_ROLE_CONFLICT		= 487,
	STUN_EC_SERVER_ERROR		= 500,
	STUN_EC_INSUFFICIENT_CAPACITY	= 508,
};

/* PASSWORD-ALGORITHM values. */
enum stun_pw_alg {
	STUN_PWALG_NONE		= 0,	/* short-term: key is the password */
	STUN_PWALG_MD5		= 1,
	STUN_PWALG_SHA256	= 2,
};

/* Address families as encoded on the wire. */
#define STUN_FAMILY_IPV4	0x01
#define STUN_FAMILY_IPV6	0x02

/* Nonce cookie (RFC 8489 9.2) and security feature bits. */
#define STUN_NONCE_COOKIE	"obMatJos2"
#define STUN_NONCE_COOKIE_LEN	9
#define STUN_FEAT_PASSWORD_ALGORITHMS	(1u << 23)	/* bit 0 */
#define STUN_FEAT_USERNAME_ANONYMITY	(1u << 22)	/* bit 1 */

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

enum stun_err {
	STUN_OK = 0,
	STUN_E_TRUNCATED = -1,		/* buffer shorter than header/length */
	STUN_E_NOT_STUN = -2,		/* top bits set or wrong magic cookie */
	STUN_E_BAD_LENGTH = -3,		/* bytes after the header length, or
					 * attribute runs past the message */
	STUN_E_BAD_PADDING = -4,	/* header length not 4-aligned: last
					 * attribute not padded */
	STUN_E_AFTER_FINGERPRINT = -5,	/* attribute after FINGERPRINT */
	STUN_E_OVERSIZE = -6,		/* message > STUN_MAX_MSG_LEN */
	STUN_E_BAD_FINGERPRINT = -7,	/* CRC mismatch */
	STUN_E_DUPLICATE_ATTR = -8,	/* attribute repeated (except the
					 * repeatable TURN address ones) */
	STUN_E_TOO_MANY_ATTRS = -9,	/* > STUN_MAX_ATTRS */
	STUN_E_BAD_ATTR = -10,		/* known attribute with bad value
					 * length or contents */
	STUN_E_NO_SPACE = -11,		/* encoder: output buffer full */
	STUN_E_NOT_FOUND = -12,		/* attribute absent */
	STUN_E_NO_INTEGRITY = -13,	/* no MESSAGE-INTEGRITY(-SHA256) */
	STUN_E_BAD_INTEGRITY = -14,	/* HMAC mismatch */
	STUN_E_UNKNOWN_ATTRS = -15,	/* unknown comprehension-required */
	STUN_E_TIMEOUT = -16,		/* transaction timed out */
	STUN_E_INVALID = -17,		/* bad argument from the caller */
	STUN_E_CRYPTO = -18,		/* libcrypto failure */
	STUN_E_NO_MEMORY = -19,
	STUN_E_NOT_MATCHED = -20,	/* response for another transaction */
	STUN_E_DUPLICATE = -21,		/* duplicate/late response, ignore */
	STUN_E_DOWNGRADE = -22,		/* nonce cookie and PASSWORD-ALGORITHMS
					 * disagree (RFC 8489 9.2.5) */
};

const char *stun_strerror(int err);
/* Default reason phrase for an error response code ("Stale Nonce"). */
const char *stun_reason(int code);

/* ---------------------------------------------------------------------- */
/* Message type helpers                                                   */

static inline uint16_t stun_type(uint16_t method, uint16_t cls)
{
	return (uint16_t)(((method & 0xF80) << 2) | ((method & 0x070) << 1) |
			  (method & 0x00F) | cls);
}

static inline uint16_t stun_type_method(uint16_t type)
{
	return (uint16_t)(((type & 0x3E00) >> 2) | ((type & 0x00E0) >> 1) |
			  (type & 0x000F));
}

static inline uint16_t stun_type_class(uint16_t type)
{
	return type & 0x0110;
}

/* Cheap pre-check for demultiplexing (RFC 7983): first byte 0..3, cookie,
 * length 4-aligned and consistent with len.  Does not parse attributes. */
bool stun_is_message(const void *buf, size_t len);

/* Fill tid with 12 random bytes (libcrypto RAND_bytes). */
int stun_tid_new(uint8_t tid[STUN_TID_LEN]);

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */

struct stun_attr {
	uint16_t type;
	uint16_t len;		/* value length, without padding */
	uint32_t off;		/* offset of the value from message start */
};

struct stun_msg {
	const uint8_t *buf;	/* message start (caller's buffer) */
	uint32_t len;		/* total length incl. header */
	uint16_t type;		/* full message type */
	uint8_t tid[STUN_TID_LEN];
	uint16_t nattrs;
	/* index into attrs[] of these, or -1 */
	int16_t mi;		/* MESSAGE-INTEGRITY */
	int16_t mi256;		/* MESSAGE-INTEGRITY-SHA256 */
	int16_t fp;		/* FINGERPRINT (already verified) */
	uint16_t nunknown;	/* unknown comprehension-required attrs */
	uint16_t unknown[STUN_MAX_UNKNOWN];
	uint16_t nignored;	/* attrs after integrity, not in attrs[] */
	struct stun_attr attrs[STUN_MAX_ATTRS];
};

/*
 * Parse and structurally validate one message of exactly len bytes (the
 * header length must match: len == 20 + header length; over streams use
 * stun_frame_len() first).  Checks lengths, padding, per-attribute value
 * sizes, duplicates, ordering (nothing after FINGERPRINT; attributes after
 * MESSAGE-INTEGRITY other than MI-SHA256/FINGERPRINT are counted in
 * nignored and skipped) and verifies FINGERPRINT if present.  Integrity
 * is checked separately with stun_msg_verify().
 */
int stun_msg_parse(struct stun_msg *m, const void *buf, size_t len);

/* Length of the message or ChannelData frame at the start of a stream
 * buffer, including ChannelData padding to 4 bytes; 0 if more bytes are
 * needed; negative stun_err if the bytes are neither. */
long stun_frame_len(const void *buf, size_t len);

static inline uint16_t stun_msg_method(const struct stun_msg *m)
{
	return stun_type_method(m->type);
}

static inline uint16_t stun_msg_class(const struct stun_msg *m)
{
	return stun_type_class(m->type);
}

/* First attribute of the given type, or NULL. */
const struct stun_attr *stun_msg_find(const struct stun_msg *m, uint16_t type);
/* Next attribute of the same type after prev (repeatable attributes). */
const struct stun_attr *stun_msg_find_next(const struct stun_msg *m,
					   const struct stun_attr *prev);

static inline const uint8_t *stun_attr_value(const struct stun_msg *m,
					     const struct stun_attr *a)
{
	return m->buf + a->off;
}

/* Typed accessors.  Return 0, STUN_E_NOT_FOUND or STUN_E_BAD_ATTR. */
int stun_get_u32(const struct stun_msg *m, uint16_t type, uint32_t *v);
int stun_get_u64(const struct stun_msg *m, uint16_t type, uint64_t *v);
bool stun_has(const struct stun_msg *m, uint16_t type);
/* Pointer to the value bytes (not NUL-terminated) and its length. */
int stun_get_bytes(const struct stun_msg *m, uint16_t type,
		   const uint8_t **v, size_t *len);
/* Copy a string attribute NUL-terminated; STUN_E_NO_SPACE if too long. */
int stun_get_string(const struct stun_msg *m, uint16_t type, char *out,
		    size_t outsz);
/* MAPPED-ADDRESS / ALTERNATE-SERVER style, or XOR-* (XOR undone
 * automatically for the XOR attribute types). */
int stun_get_addr(const struct stun_msg *m, uint16_t type,
		  struct sockaddr_storage *ss);
int stun_attr_addr(const struct stun_msg *m, const struct stun_attr *a,
		   struct sockaddr_storage *ss);
/* ERROR-CODE: code 300..699; reason points into the message. */
int stun_get_error(const struct stun_msg *m, int *code,
		   const char **reason, size_t *reason_len);
/* UNKNOWN-ATTRIBUTES: up to max types copied, count returned in *n. */
int stun_get_unknown_attrs(const struct stun_msg *m, uint16_t *types,
			   size_t max, size_t *n);
/* PASSWORD-ALGORITHMS: algorithm numbers, parameters skipped. */
int stun_get_pw_algs(const struct stun_msg *m, uint16_t *algs, size_t max,
		     size_t *n);
/* CHANNEL-NUMBER (upper 16 bits of the value). */
int stun_get_channel(const struct stun_msg *m, uint16_t *ch);
/* ADDRESS-ERROR-CODE: family and code. */
int stun_get_address_error(const struct stun_msg *m, uint8_t *family,
			   int *code);
/* ICMP (RFC 8656 18.13): 7-bit type, 9-bit code, error data. */
int stun_get_icmp(const struct stun_msg *m, uint8_t *type, uint16_t *code,
		  uint32_t *data);

/* ---------------------------------------------------------------------- */
/* Keys and credentials                                                   */

/*
 * An integrity key with precomputed HMAC key schedules (SHA-1 and SHA-256),
 * so that signing and verification do not rehash the key.  Create it once
 * per password/credential; free it with stun_key_free().  Do not copy
 * a key: it owns its schedule.
 */
#define STUN_MAX_KEY_LEN	256

struct stun_key {
	uint8_t key[STUN_MAX_KEY_LEN];	/* raw HMAC key (password or hash) */
	size_t len;
	void *hmac_sha1;	/* precomputed HMAC states, made on */
	void *hmac_sha256;	/* first use; owned by the key */
};

/* Short-term credential: key = password (OpaqueString: bytes used as
 * given, no PRECIS mapping), at most STUN_MAX_KEY_LEN bytes. */
int stun_key_short_term(struct stun_key *k, const char *password,
			size_t len);
/* Long-term: MD5 or SHA-256 of "username:realm:password". */
int stun_key_long_term(struct stun_key *k, enum stun_pw_alg alg,
		       const char *username, const char *realm,
		       const char *password);
void stun_key_free(struct stun_key *k);

/* USERHASH = SHA-256("username:realm"). */
int stun_userhash(uint8_t out[32], const char *username, const char *realm);

/* Security feature bits from a nonce starting with the cookie; returns
 * STUN_E_NOT_FOUND when the nonce has no cookie. */
int stun_nonce_features(const uint8_t *nonce, size_t len, uint32_t *bits);

/*
 * Verify integrity with k: MESSAGE-INTEGRITY-SHA256 if present (any valid
 * truncation 16..32), else MESSAGE-INTEGRITY.  Constant-time compare.
 * STUN_E_NO_INTEGRITY if neither attribute is present.
 */
int stun_msg_verify(const struct stun_msg *m, struct stun_key *k);
/* Verify one specific attribute (STUN_ATTR_MESSAGE_INTEGRITY[_SHA256]). */
int stun_msg_verify_attr(const struct stun_msg *m, struct stun_key *k,
			 uint16_t type);

/* ---------------------------------------------------------------------- */
/* Building                                                               */

/*
 * Builder over a caller buffer.  Errors are sticky: after the first
 * failure all calls return it, so a sequence can be checked once at the
 * end via stun_build_finish().
 */
struct stun_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
	uint8_t pad;	/* padding byte, 0 by default (RFC 5769 uses 0x20) */
};

int stun_build_init(struct stun_builder *b, void *buf, size_t cap,
		    uint16_t type, const uint8_t tid[STUN_TID_LEN]);
/* Raw attribute; value copied and padded with zeros. */
int stun_build_attr(struct stun_builder *b, uint16_t type, const void *val,
		    size_t len);
/* Reserve an attribute, return a pointer to its value (e.g. for DATA). */
uint8_t *stun_build_reserve(struct stun_builder *b, uint16_t type,
			    size_t len);
int stun_build_flag(struct stun_builder *b, uint16_t type);	/* empty */
int stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v);
int stun_build_u64(struct stun_builder *b, uint16_t type, uint64_t v);
int stun_build_string(struct stun_builder *b, uint16_t type, const char *s);
/* Plain or XOR address depending on type (XOR-* types are XORed). */
int stun_build_addr(struct stun_builder *b, uint16_t type,
		    const struct sockaddr *sa);
int stun_build_error(struct stun_builder *b, int code, const char *reason);
int stun_build_unknown_attrs(struct stun_builder *b, const uint16_t *types,
			     size_t n);
int stun_build_channel(struct stun_builder *b, uint16_t ch);
int stun_build_requested_transport(struct stun_builder *b, uint8_t proto);
int stun_build_family(struct stun_builder *b, uint16_t type, uint8_t family);
int stun_build_even_port(struct stun_builder *b, bool reserve);
int stun_build_pw_algs(struct stun_builder *b, const uint16_t *algs,
		       size_t n);
int stun_build_pw_alg(struct stun_builder *b, uint16_t alg);
int stun_build_address_error(struct stun_builder *b, uint8_t family,
			     int code, const char *reason);
int stun_build_icmp(struct stun_builder *b, uint8_t type, uint16_t code,
		    uint32_t data);
/* MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes). */
int stun_build_integrity(struct stun_builder *b, struct stun_key *k);
/* MESSAGE-INTEGRITY-SHA256 (32 bytes). */
int stun_build_integrity_sha256(struct stun_builder *b, struct stun_key *k);
int stun_build_fingerprint(struct stun_builder *b);
/* Returns total message length (> 0) or the sticky error. */
long stun_build_finish(struct stun_builder *b);

/*
 * Build a 420 error response to request req listing req's unknown
 * comprehension-required attributes (optionally signed with k, and
 * fingerprinted if fingerprint).
 */
long stun_build_420(void *buf, size_t cap, const struct stun_msg *req,
		    struct stun_key *k, bool fingerprint);

/* ---------------------------------------------------------------------- */
/* Long-term credential client state (RFC 8489 9.2)                       */

#define STUN_MAX_USERNAME	513
#define STUN_MAX_REALM		764
#define STUN_MAX_NONCE		764
#define STUN_MAX_PW_ALGS	8

struct stun_lt_cred {
	char username[STUN_MAX_USERNAME + 1];
	char password[256];
	char realm[STUN_MAX_REALM + 1];
	uint8_t nonce[STUN_MAX_NONCE];
	size_t nonce_len;
	uint32_t features;		/* nonce security feature bits */
	uint16_t alg;			/* chosen enum stun_pw_alg */
	uint8_t server_algs[64];	/* PASSWORD-ALGORITHMS value, echoed */
	size_t server_algs_len;
	bool userhash;			/* send USERHASH, not USERNAME */
	bool have_realm;
	struct stun_key key;		/* valid when have_realm */
};

int stun_lt_cred_init(struct stun_lt_cred *c, const char *username,
		      const char *password);
void stun_lt_cred_free(struct stun_lt_cred *c);
/*
 * Digest a 401 or 438 error response: take REALM, NONCE and
 * PASSWORD-ALGORITHMS, pick the algorithm (SHA-256 preferred), derive the
 * key.  Returns 0 when a retry with credentials makes sense, else
 * STUN_E_BAD_INTEGRITY (401 although we already sent credentials for this
 * realm and nonce: wrong password), STUN_E_NOT_FOUND (no realm/nonce),
 * STUN_E_DOWNGRADE (the "password algorithms" feature bit and the
 * PASSWORD-ALGORITHMS attribute disagree: do not retry).
 * retried: true if the failed request already carried credentials.
 */
int stun_lt_cred_challenge(struct stun_lt_cred *c, const struct stun_msg *m,
			   bool retried);
/* Add USERNAME or USERHASH, REALM, NONCE, PASSWORD-ALGORITHMS/-ALGORITHM
 * and the integrity attribute matching the algorithm. */
int stun_lt_cred_sign(struct stun_lt_cred *c, struct stun_builder *b);
/* Verify a response signed with the long-term key. */
int stun_lt_cred_verify(struct stun_lt_cred *c, const struct stun_msg *m);

/* ---------------------------------------------------------------------- */
/* Client transactions (RFC 8489 6.2)                                     */

enum stun_transport {
	STUN_TR_UDP = 0,
	STUN_TR_TCP = 1,
	STUN_TR_TLS = 2,
};

struct stun_tx_cfg {
	unsigned int rto_ms;	/* initial RTO, default 500 */
	unsigned int rc;	/* max transmissions over UDP, default 7 */
	unsigned int rm;	/* last wait = rm * rto, default 16 */
	unsigned int ti_ms;	/* reliable transport timeout, default 39500 */
};

#define STUN_TX_CFG_DEFAULT { .rto_ms = 500, .rc = 7, .rm = 16, .ti_ms = 39500 }

enum stun_tx_state {
	STUN_TX_IDLE = 0,
	STUN_TX_PENDING,
	STUN_TX_DONE,		/* response received */
	STUN_TX_TIMED_OUT,
};

enum stun_tx_action {
	STUN_TX_WAIT = 0,	/* nothing to do until stun_tx_deadline() */
	STUN_TX_RETRANSMIT,	/* send the request again now */
	STUN_TX_TIMEOUT,	/* give up: transaction failed */
};

struct stun_tx {
	uint8_t tid[STUN_TID_LEN];
	enum stun_tx_state state;
	enum stun_transport transport;
	struct stun_tx_cfg cfg;
	unsigned int sent;	/* transmissions so far */
	unsigned int rto;	/* current interval */
	uint64_t start_ms;
	uint64_t deadline_ms;	/* next retransmission or timeout */
};

/* Start after the first transmission at now (cfg NULL = defaults). */
void stun_tx_start(struct stun_tx *t, const struct stun_tx_cfg *cfg,
		   enum stun_transport tr, const uint8_t tid[STUN_TID_LEN],
		   uint64_t now_ms);
/* Call when now >= stun_tx_deadline(); says what to do. */
enum stun_tx_action stun_tx_tick(struct stun_tx *t, uint64_t now_ms);
static inline uint64_t stun_tx_deadline(const struct stun_tx *t)
{
	return t->deadline_ms;
}
/*
 * Match a parsed response against the transaction: 0 = first response
 * (state -> DONE), STUN_E_NOT_MATCHED = other transaction id or not a
 * response, STUN_E_DUPLICATE = duplicate or late (after DONE or timeout),
 * to be ignored.
 */
int stun_tx_match(struct stun_tx *t, const struct stun_msg *resp);
/* Cancel (e.g. restarting with credentials); later responses -> DUPLICATE. */
void stun_tx_cancel(struct stun_tx *t);

uint64_t stun_now_ms(void);

/* ---------------------------------------------------------------------- */
/* Misc                                                                   */

/* CRC-32 (IEEE, as used by FINGERPRINT, without the STUN XOR). */
uint32_t stun_crc32(const void *buf, size_t len);
/* "1.2.3.4:5" / "[2001:db8::1]:5" into out; returns out. */
const char *stun_addr_str(const struct sockaddr *sa, char *out, size_t sz);
#define STUN_ADDRSTRLEN 64

#endif /* KICE_STUN_H */
