// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a whole ng datagram, as the daemon sees it: framing,
 * bencode, request validation, and the reply (ok or error) it would build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bencode.h"
#include "ctl/ng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ng_str cookie, body;
	struct ng_request req;
	struct bn_doc doc;
	struct bn_buf b;
	enum bn_err berr;
	enum ng_err err;

	if (ng_split((const char *)data, size, &cookie, &body))
		return 0;
	bn_buf_init(&b);
	berr = bn_decode(&doc, body.p, body.len);
	if (berr) {
		ng_reply_error(&b, cookie, bn_strerror(berr));
		goto out;
	}
	err = ng_parse_request(doc.root, &req);
	if (err) {
		ng_reply_error(&b, cookie, ng_strerror(err));
	} else {
		char *s = ng_strdup(req.call_id);

		ng_reply_begin(&b, cookie, "ok");
		bn_kv_str(&b, "command", ng_cmd_name(req.cmd));
		bn_kv_str(&b, "ICE", ng_ice_name(req.ice));
		if (s)
			bn_kv_str(&b, "call-id", s);
		bn_close(&b);
		free(s);
	}
	bn_doc_free(&doc);
out:
	if (bn_buf_finish(&b) || b.len < cookie.len + 1 ||
	    memcmp(b.data, cookie.p, cookie.len))
		abort();
	bn_buf_free(&b);
	return 0;
}
