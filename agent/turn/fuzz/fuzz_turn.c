// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the TURN client's input path: the input is treated
 * as a TCP byte stream, split with stun_frame_len() and fed to a client
 * that has an Allocate outstanding (so responses can match when the fuzzer
 * learns the transaction id from the seed) and a bound channel.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "turn/turn.h"

static int sink(void *arg, const uint8_t *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static void on_event(void *arg, const struct turn_event *ev)
{
	volatile size_t x = ev->len;

	(void)arg;
	if (ev->data && ev->len)
		x += ev->data[ev->len - 1];
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct turn_client c;
	struct turn_cfg cfg = { .transport = STUN_TR_TCP, .username = "u",
				.password = "p" };
	uint64_t now = 1;

	if (turn_client_init(&c, &cfg, sink, on_event, NULL))
		return 0;
	turn_client_allocate(&c, now);
	/* fixed transaction id so seeds can carry matching responses */
	memset(c.req[0].tx.tid, 0x5a, STUN_TID_LEN);
	while (size) {
		long n = stun_frame_len(data, size);

		if (n <= 0) {
			/* also try the rest as one datagram */
			turn_client_input(&c, data, size, ++now);
			break;
		}
		turn_client_input(&c, data, (size_t)n, ++now);
		if (c.state == TURN_ALLOCATED && !c.chan[0].used) {
			struct sockaddr_in p = { .sin_family = AF_INET,
						 .sin_port = htons(7000) };

			turn_client_bind(&c, (struct sockaddr *)&p, now);
		}
		data += n;
		size -= (size_t)n;
	}
	turn_client_tick(&c, now + 1000000);
	turn_client_free(&c);
	return 0;
}
