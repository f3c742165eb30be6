// SPDX-License-Identifier: GPL-2.0
/* STUN error strings, reason phrases, transaction ids, address printing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include <openssl/rand.h>

#include "stun/stun.h"

const char *stun_strerror(int err)
{
	switch (err) {
	case STUN_OK:			return "success";
	case STUN_E_TRUNCATED:		return "truncated message";
	case STUN_E_NOT_STUN:		return "not a STUN message";
	case STUN_E_BAD_LENGTH:		return "bad length";
	case STUN_E_BAD_PADDING:	return "bad padding";
	case STUN_E_AFTER_FINGERPRINT:	return "attribute after FINGERPRINT";
	case STUN_E_OVERSIZE:		return "message too large";
	case STUN_E_BAD_FINGERPRINT:	return "bad FINGERPRINT";
	case STUN_E_DUPLICATE_ATTR:	return "duplicate attribute";
	case STUN_E_TOO_MANY_ATTRS:	return "too many attributes";
	case STUN_E_BAD_ATTR:		return "malformed attribute value";
	case STUN_E_NO_SPACE:		return "buffer too small";
	case STUN_E_NOT_FOUND:		return "attribute not present";
	case STUN_E_NO_INTEGRITY:	return "no MESSAGE-INTEGRITY";
	case STUN_E_BAD_INTEGRITY:	return "MESSAGE-INTEGRITY mismatch";
	case STUN_E_UNKNOWN_ATTRS:
		return "unknown comprehension-required attribute";
	case STUN_E_TIMEOUT:		return "transaction timed out";
	case STUN_E_INVALID:		return "invalid argument";
	case STUN_E_CRYPTO:		return "libcrypto failure";
	case STUN_E_NO_MEMORY:		return "out of memory";
	case STUN_E_NOT_MATCHED:	return "no matching transaction";
	case STUN_E_DUPLICATE:		return "duplicate or late response";
	case STUN_E_DOWNGRADE:
		return "security features disagree (possible downgrade)";
	default:			return "unknown error";
	}
}

const char *stun_reason(int code)
{
	switch (code) {
	case 300: return "Try Alternate";
	case 400: return "Bad Request";
	case 401: return "Unauthenticated";
	case 403: return "Forbidden";
	case 420: return "Unknown Attribute";
	case 437: return "Allocation Mismatch";
	case 438: return "Stale Nonce";
	case 440: return "Address Family not Supported";
	case 441: return "Wrong Credentials";
	case 442: return "Unsupported Transport Protocol";
	case 443: return "Peer Address Family Mismatch";
	case 486: return "Allocation Quota Reached";
	case 487: return "Role Conflict";
	case 500: return "Server Error";
	case 508: return "Insufficient Capacity";
	default:  return "Error";
	}
}

int stun_tid_new(uint8_t tid[STUN_TID_LEN])
{
	return RAND_bytes(tid, STUN_TID_LEN) == 1 ? STUN_OK : STUN_E_CRYPTO;
}

const char *stun_addr_str(const struct sockaddr *sa, char *out, size_t sz)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(out, sz, "%s:%u", ip, ntohs(s->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(out, sz, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else {
		snprintf(out, sz, "(family %u)", sa->sa_family);
	}
	return out;
}
