// SPDX-License-Identifier: GPL-2.0
/*
 * bencode -> JSON.
 */
#include <inttypes.h>

#include "ctl/bn_json.h"

static void bn_json_str(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void bn_json_print(FILE *f, const struct bn *n)
{
	const struct bn *c;
	bool first = true;

	switch (n->type) {
	case BN_STR:
		bn_json_str(f, n->str, n->len);
		break;
	case BN_INT:
		fprintf(f, "%" PRId64, n->num);
		break;
	case BN_LIST:
		fputc('[', f);
		for (c = n->child; c; c = c->next) {
			if (!first)
				fputc(',', f);
			first = false;
			bn_json_print(f, c);
		}
		fputc(']', f);
		break;
	case BN_DICT:
		fputc('{', f);
		for (c = n->child; c && c->next; c = c->next->next) {
			if (!first)
				fputc(',', f);
			first = false;
			bn_json_str(f, c->str, c->len);
			fputc(':', f);
			bn_json_print(f, c->next);
		}
		fputc('}', f);
		break;
	}
}
