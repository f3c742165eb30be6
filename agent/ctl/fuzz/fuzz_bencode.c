// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bencode decoder.  Every accepted input must
 * re-encode to exactly the same bytes (the strict decoder admits only the
 * one canonical spelling of each value), and printing it as JSON must work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bencode.h"
#include "ctl/bn_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct bn_doc doc;
	struct bn_buf b;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (bn_decode(&doc, (const char *)data, size) != BN_OK)
		return 0;
	bn_buf_init(&b);
	bn_put_node(&b, doc.root);
	if (bn_buf_finish(&b) || b.len != size || memcmp(b.data, data, size))
		abort();
	if (devnull)
		bn_json_print(devnull, doc.root);
	bn_buf_free(&b);
	bn_doc_free(&doc);
	return 0;
}
