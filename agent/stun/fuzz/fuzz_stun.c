// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the STUN message parser and every attribute
 * accessor, integrity verification and 420 construction on what parses.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stun/stun.h"

static struct stun_key key;
static bool key_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	const struct stun_attr *a;
	const uint8_t *v;
	uint16_t types[16], ch;
	uint8_t out[1024], fam, it;
	uint16_t ic;
	uint32_t u32, d;
	uint64_t u64;
	struct stun_msg m;
	char s[800];
	size_t n;
	unsigned int i;
	int code;

	if (!key_ready) {
		stun_key_short_term(&key, "VOkJxbRl1RmTxUk/WvJxBt", 22);
		key_ready = true;
	}
	stun_is_message(data, size);
	stun_frame_len(data, size);
	if (stun_msg_parse(&m, data, size))
		return 0;
	for (i = 0; i < m.nattrs; i++) {
		a = &m.attrs[i];
		if (a->off + a->len > m.len)
			__builtin_trap();
		stun_attr_addr(&m, a, &ss);
		stun_msg_find_next(&m, a);
	}
	stun_get_u32(&m, STUN_ATTR_PRIORITY, &u32);
	stun_get_u64(&m, STUN_ATTR_ICE_CONTROLLING, &u64);
	stun_get_bytes(&m, STUN_ATTR_DATA, &v, &n);
	stun_get_string(&m, STUN_ATTR_USERNAME, s, sizeof(s));
	stun_get_string(&m, STUN_ATTR_SOFTWARE, s, 8);
	stun_get_error(&m, &code, NULL, NULL);
	stun_get_unknown_attrs(&m, types, 16, &n);
	stun_get_pw_algs(&m, types, 16, &n);
	stun_get_channel(&m, &ch);
	stun_get_address_error(&m, &fam, &code);
	stun_get_icmp(&m, &it, &ic, &d);
	if (!stun_get_bytes(&m, STUN_ATTR_NONCE, &v, &n))
		stun_nonce_features(v, n, &u32);
	stun_msg_verify(&m, &key);
	if (m.nunknown)
		stun_build_420(out, sizeof(out), &m, &key, true);
	return 0;
}
