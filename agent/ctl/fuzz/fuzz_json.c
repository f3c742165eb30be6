// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the JSON decoder and writer.  Every accepted input
 * must be written back as JSON that decodes to the same tree (compared
 * through its canonical bencode), and writing that again must give the
 * same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bencode.h"
#include "ctl/bn_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void canon(struct bn_buf *b, const struct bn *n)
{
	bn_buf_init(b);
	bn_put_node(b, n);
	if (bn_buf_finish(b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn_doc doc, doc2;
	struct bn_buf j1, j2, c1, c2;

	if (bn_json_decode(&doc, (const char *)data, size) != BJ_OK)
		return 0;
	bn_buf_init(&j1);
	bn_json_write(&j1, doc.root);
	if (j1.err || bn_json_decode(&doc2, j1.data, j1.len) != BJ_OK)
		abort();
	canon(&c1, doc.root);
	canon(&c2, doc2.root);
	if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len))
		abort();
	bn_buf_init(&j2);
	bn_json_write(&j2, doc2.root);
	if (j2.err || j1.len != j2.len || memcmp(j1.data, j2.data, j1.len))
		abort();
	bn_buf_free(&j1);
	bn_buf_free(&j2);
	bn_buf_free(&c1);
	bn_buf_free(&c2);
	bn_doc_free(&doc);
	bn_doc_free(&doc2);
	return 0;
}
