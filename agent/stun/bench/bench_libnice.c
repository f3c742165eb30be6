// SPDX-License-Identifier: GPL-2.0
/* libnice's STUN validation (short-term credentials, FINGERPRINT) as the
 * reference for bench_stun. */
#include <string.h>

#include <stun/stunagent.h>

#include "stun/bench/bench_libnice.h"

static const uint16_t known[] = {
	STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
	STUN_ATTRIBUTE_PRIORITY, STUN_ATTRIBUTE_USE_CANDIDATE,
	STUN_ATTRIBUTE_ICE_CONTROLLED, STUN_ATTRIBUTE_ICE_CONTROLLING,
	STUN_ATTRIBUTE_FINGERPRINT, 0
};

static StunAgent agent;
static StunDefaultValidaterData data[2];

void nice_bench_init(const char *ufrag, const char *password)
{
	stun_agent_init(&agent, known, STUN_COMPATIBILITY_RFC5389,
			STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
			STUN_AGENT_USAGE_USE_FINGERPRINT);
	data[0].username = (uint8_t *)ufrag;
	data[0].username_len = strlen(ufrag);
	data[0].password = (uint8_t *)password;
	data[0].password_len = strlen(password);
}

int nice_bench_validate(const uint8_t *buf, size_t len)
{
	StunMessage msg;

	return stun_agent_validate(&agent, &msg, buf, len,
				   stun_agent_default_validater, data) ==
	       STUN_VALIDATION_SUCCESS ? 0 : -1;
}
