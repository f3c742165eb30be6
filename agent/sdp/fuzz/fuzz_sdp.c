// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: parse arbitrary SDP; anything accepted must survive a
 * write/parse round trip unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session s, s2;
	struct sdp_error err;
	char *out = NULL, *out2 = NULL;
	long n, n2;

	if (sdp_parse((const char *)data, size, &s, &err))
		return 0;
	n = sdp_write(&s, &out);
	if (n < 0)
		abort();
	if (sdp_parse(out, (size_t)n, &s2, &err))
		abort();
	n2 = sdp_write(&s2, &out2);
	if (n2 != n || memcmp(out, out2, (size_t)n))
		abort();
	free(out);
	free(out2);
	sdp_session_free(&s);
	sdp_session_free(&s2);
	return 0;
}
