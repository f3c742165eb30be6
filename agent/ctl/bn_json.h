/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON <-> the bencode value tree, for ng messages whose body is JSON
 * ("<cookie> {...}", as newer rtpengine accepts) and for kicectl -j.
 *
 * The decoder is strict RFC 8259 with ng's value model: objects become
 * dictionaries (keys need not be unique; lookups take the first), arrays
 * lists, strings byte strings (escapes decoded, UTF-8 validated), integers
 * integers, true and false the integers 1 and 0.  Fractions, exponents and
 * null have no bencode counterpart and are rejected.
 *
 * The writer emits valid UTF-8 as is and escapes '"', '\\' and control
 * characters; a byte that is not part of valid UTF-8 is written as the
 * code point of the same value (\u00XX), the one lossy case.
 */
#ifndef KICE_CTL_BN_JSON_H
#define KICE_CTL_BN_JSON_H

#include <stdio.h>

#include "ctl/bencode.h"

enum bj_err {
	BJ_OK = 0,
	BJ_E_EMPTY,		/* nothing but whitespace */
	BJ_E_TRUNCATED,		/* input ends inside a value */
	BJ_E_SYNTAX,		/* unexpected character */
	BJ_E_CTRL,		/* raw control character in a string */
	BJ_E_ESCAPE,		/* unknown or malformed \ escape */
	BJ_E_SURROGATE,		/* unpaired UTF-16 surrogate escape */
	BJ_E_UTF8,		/* string is not valid UTF-8 */
	BJ_E_NUMBER,		/* malformed number */
	BJ_E_NOT_INT,		/* fraction or exponent */
	BJ_E_INT_RANGE,		/* integer does not fit in int64_t */
	BJ_E_NULL,		/* null */
	BJ_E_KEY_TYPE,		/* object key is not a string */
	BJ_E_TOO_DEEP,		/* deeper than BN_MAX_DEPTH containers */
	BJ_E_TOO_MANY,		/* more than BN_MAX_ITEMS in one container */
	BJ_E_TRAILING,		/* bytes after the top-level value */
	BJ_E_NOMEM,
	BJ_E__COUNT,
};

/*
 * Decode @buf into @doc (strings are copied: @buf need not outlive it).
 * On error @doc is empty and doc->offset is where decoding failed.
 */
enum bj_err bn_json_decode(struct bn_doc *doc, const char *buf, size_t len);
const char *bn_json_strerror(enum bj_err err);

/* Append @n as JSON to @b (errors latch in b->err). */
void bn_json_write(struct bn_buf *b, const struct bn *n);
void bn_json_print(FILE *f, const struct bn *n);

#endif /* KICE_CTL_BN_JSON_H */
