/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Published STUN test vectors (RFC 5769 section 2, RFC 8489 appendix B.1 as
 * corrected by its erratum: PASSWORD-ALGORITHM present, length 0x90), as
 * hex strings.  Shared by the unit tests, the fuzz seed generator and the
 * benchmark.
 */
#ifndef KICE_STUN_VECTORS_H
#define KICE_STUN_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define RFC5769_PASSWORD "VOkJxbRl1RmTxUk/WvJxBt"

/* 2.1 Sample Request */
#define RFC5769_REQUEST \
	"000100582112a442b7e7a701bc34d686fa87dfae" \
	"802200105354554e207465737420636c69656e74" \
	"002400046e0001ff" \
	"80290008932ff9b151263b36" \
	"000600096576746a3a68367659202020" \
	"000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" \
	"80280004e57a3bcf"

/* 2.2 Sample IPv4 Response: 192.0.2.1:32853 */
#define RFC5769_RESP_V4 \
	"0101003c2112a442b7e7a701bc34d686fa87dfae" \
	"8022000b7465737420766563746f7220" \
	"002000080001a147e112a643" \
	"000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" \
	"80280004c07d4c96"

/* 2.3 Sample IPv6 Response: [2001:db8:1234:5678:11:2233:4455:6677]:32853 */
#define RFC5769_RESP_V6 \
	"010100482112a442b7e7a701bc34d686fa87dfae" \
	"8022000b7465737420766563746f7220" \
	"002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" \
	"00080014a382954e4be67bf11784c97c8292c275bfe3ed41" \
	"80280004c8fb0b4c"

/* 2.4 Sample Request with Long-Term Authentication */
#define RFC5769_LT_USER "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83" \
			"\xe3\x82\xaf\xe3\x82\xb9"
#define RFC5769_LT_PASSWORD "TheMatrIX"
#define RFC5769_LT_REALM "example.org"
#define RFC5769_LT_NONCE "f//499k954d6OL34oL9FSTvy64sA"
#define RFC5769_LT_REQUEST \
	"000100602112a44278ad3433c6ad72c029da412e" \
	"00060012e3839ee38388e383aae38383e382afe382b90000" \
	"0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341" \
	"0014000b6578616d706c652e6f726700" \
	"00080014f67024656dd64a3e02b8e0712e85c9a28ca89666"

/* RFC 8489 B.1: USERHASH, NONCE cookie, PASSWORD-ALGORITHM SHA-256,
 * MESSAGE-INTEGRITY-SHA256 */
#define RFC8489_B1_NONCE "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"
#define RFC8489_B1_REQUEST \
	"000100902112a44278ad3433c6ad72c029da412e" \
	"001e00204a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704" \
	"001500296f624d61744a6f733241414143662f2f3439396b39353464364f4c3334" \
	"6f4c39465354767936347341000000" \
	"0014000b6578616d706c652e6f726700" \
	"001d000400020000" \
	"001c0020b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65"

static inline size_t stun_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < cap) {
		unsigned int hi = (unsigned int)(hex[0] <= '9' ? hex[0] - '0' :
						 (hex[0] | 0x20) - 'a' + 10);
		unsigned int lo = (unsigned int)(hex[1] <= '9' ? hex[1] - '0' :
						 (hex[1] | 0x20) - 'a' + 10);

		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return n;
}

#endif /* KICE_STUN_VECTORS_H */
