// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: datagrams into a started ICE agent.  The input is a
 * sequence of records [flags][len][bytes]: raw datagrams, or (flags bit 0)
 * Binding requests/responses built from fuzzed attributes and signed with
 * the right credentials, so that the agent's request, response and
 * role-conflict logic is reached, not only the STUN parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice.h"
#include "stun/stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_send(void *user, int sock, const struct ice_addr *to,
		   const void *buf, size_t len)
{
	return (int)len;
}

static const struct ice_ops fz_ops = { .send = fz_send };

#define RPWD "0123456789012345678901"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ice_addr host, peer, from;
	struct ice_cand_info ci;
	struct ice_agent *a;
	struct ice_cfg cfg;
	struct stun_key lkey, rkey;
	const char *lu, *lp;
	uint64_t now = 1000;

	if (size < 1)
		return 0;
	ice_cfg_default(&cfg);
	cfg.controlling = data[0] & 1;
	cfg.aggressive = data[0] & 2;
	cfg.lite = data[0] & 4;
	a = ice_agent_new(&cfg, &fz_ops, NULL, now);
	if (!a)
		return 0;
	ice_agent_add_stream(a, 1 + ((data[0] >> 3) & 1));
	ice_addr_parse(&host, "10.0.0.1", 1000);
	ice_addr_parse(&peer, "10.0.0.2", 2000);
	ice_agent_add_host(a, 0, 1, 3, &host, 128, 255);
	ice_agent_set_remote_creds(a, "abcd", RPWD);
	memset(&ci, 0, sizeof(ci));
	ci.component = 1;
	ci.type = ICE_CAND_HOST;
	ci.priority = 2130706431;
	strcpy(ci.foundation, "1");
	ci.addr = peer;
	ice_agent_add_remote(a, &ci, now);
	ice_agent_gather(a, now);
	ice_agent_start(a, now);
	ice_agent_timer(a, now);
	ice_agent_local_creds(a, &lu, &lp);
	stun_key_short_term(&lkey, lp, strlen(lp));
	stun_key_short_term(&rkey, RPWD, strlen(RPWD));
	data++;
	size--;
	while (size >= 2) {
		uint8_t flags = data[0];
		size_t len = data[1];
		uint8_t buf[600];

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		from = (flags & 2) ? peer : host;
		from.port = (uint16_t)(2000 + (flags >> 4));
		if (flags & 1) {
			struct stun_builder b;
			uint8_t tid[STUN_TID_LEN] = { flags };
			char user[64];
			bool req = !(flags & 4);
			long n;

			stun_build_init(&b, buf, sizeof(buf),
					stun_type(STUN_BINDING, req ? STUN_REQUEST :
						  (flags & 8) ? STUN_ERROR : STUN_SUCCESS),
					tid);
			if (req) {
				snprintf(user, sizeof(user), "%s:abcd", lu);
				stun_build_string(&b, STUN_ATTR_USERNAME, user);
			}
			/* fuzzed attributes: [type hi][type lo][len] value */
			for (size_t i = 0; i + 3 <= len;) {
				uint16_t t = (uint16_t)(data[i] << 8 | data[i + 1]);
				size_t l = data[i + 2];

				if (i + 3 + l > len)
					l = len - i - 3;
				stun_build_attr(&b, t, data + i + 3, l);
				i += 3 + l;
			}
			stun_build_integrity(&b, req ? &lkey : &rkey);
			stun_build_fingerprint(&b);
			n = stun_build_finish(&b);
			if (n > 0)
				ice_agent_recv(a, 3, &from, buf, (size_t)n, now);
		} else {
			ice_agent_recv(a, 3, &from, data, len, now);
		}
		data += len;
		size -= len;
		now += 7;
		ice_agent_timer(a, now);
	}
	now += 60000;
	ice_agent_timer(a, now);
	stun_key_free(&lkey);
	stun_key_free(&rkey);
	ice_agent_free(a);
	return 0;
}
