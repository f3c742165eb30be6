// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the T record of kiced's handover state text (the TURN
 * state of a relayed leg, turn_keep.c) as the adopting kiced parses it.
 * The input is one line; its space-separated fields go to the parser.  A
 * record it accepts must be consistent (leg 0/1, channel in range, peer of
 * the relayed address's family, a user), and a TURN client resumed from it
 * (if not expired) must save the same allocation and channel again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiced/turn_keep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nop_send(void *arg, const uint8_t *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static void check_resume(const struct turn_keep_rec *rec)
{
	struct turn_cfg cfg = { .transport = STUN_TR_UDP, .username = "u",
				.password = "p" };
	const uint64_t now = 1000000;
	struct turn_client c;
	struct turn_resume r;

	if (turn_client_init(&c, &cfg, nop_send, NULL, NULL))
		abort();
	if (!turn_client_resume(&c, &rec->r, now)) {
		if (turn_client_save(&c, (const struct sockaddr *)&rec->r.peer,
				     &r) ||
		    r.channel != rec->r.channel ||
		    r.lifetime != rec->r.lifetime ||
		    r.expire_ms != rec->r.expire_ms ||
		    r.relayed.ss_family != rec->r.relayed.ss_family ||
		    r.chan_expire_ms < now || r.perm_expire_ms < now)
			abort();
	} else if (c.state != TURN_IDLE) {
		abort();
	}
	turn_client_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[1024], *tok[TURN_KEEP_FIELDS + 4], *save = NULL, *t;
	struct turn_keep_rec rec;
	char why[160];
	int n = 0;

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	for (t = strtok_r(line, " ", &save); t && n < TURN_KEEP_FIELDS + 4;
	     t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	why[0] = 0;
	if (turn_keep_parse(tok, n, &rec, why, sizeof(why))) {
		if (!why[0])
			abort();	/* a rejection always says why */
		return 0;
	}
	if ((rec.leg != 0 && rec.leg != 1) || !rec.user[0] ||
	    rec.r.channel < TURN_CHANNEL_MIN ||
	    rec.r.channel > TURN_CHANNEL_MAX || !rec.r.lifetime ||
	    rec.r.peer.ss_family != rec.r.relayed.ss_family ||
	    (rec.server.ss_family != AF_INET &&
	     rec.server.ss_family != AF_INET6))
		abort();
	check_resume(&rec);
	return 0;
}
