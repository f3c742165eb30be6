/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict bencode decoder and encoder for the rtpengine "ng" control protocol.
 *
 * Decoding builds a tree of struct bn nodes whose strings point into the
 * caller's input buffer (no copies): the input must outlive the tree.  The
 * decoder rejects every malformed input with a distinct error code (see
 * enum bn_err and bn_strerror()).  Dictionary keys need not be sorted and may
 * repeat, as rtpengine tolerates both; lookups return the first occurrence.
 */
#ifndef KICE_CTL_BENCODE_H
#define KICE_CTL_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decoder limits (bencode and JSON alike): ng messages are at most four
 * levels deep and carry a few dozen members and flags; kiced's replies
 * stay within them too ("list" returns at most BN_MAX_ITEMS call-ids).
 */
#define BN_MAX_DEPTH	32	/* nested lists/dictionaries */
#define BN_MAX_ITEMS	1024	/* list items or dictionary pairs, each */
/* A limit as a string literal, for messages: BN_NUM(BN_MAX_DEPTH) "32" */
#define BN_NUM_(x)	#x
#define BN_NUM(x)	BN_NUM_(x)

enum bn_type {
	BN_STR = 1,
	BN_INT,
	BN_LIST,
	BN_DICT,
};

enum bn_err {
	BN_OK = 0,
	BN_E_EMPTY,		/* no input at all */
	BN_E_TRUNCATED,		/* input ends inside a value (unterminated) */
	BN_E_BAD_TYPE,		/* a value starts with an unknown character */
	BN_E_BAD_LEN,		/* string length is not a decimal number */
	BN_E_LEADING_ZERO,	/* string length or integer with a leading 0 */
	BN_E_LEN_RANGE,		/* string length runs past the end of input */
	BN_E_BAD_INT,		/* integer is empty, "-0" or not decimal */
	BN_E_INT_RANGE,		/* integer does not fit in int64_t */
	BN_E_KEY_TYPE,		/* dictionary key is not a string */
	BN_E_NO_VALUE,		/* dictionary key without a value */
	BN_E_TOO_DEEP,		/* more than BN_MAX_DEPTH nested containers */
	BN_E_TOO_MANY,		/* more than BN_MAX_ITEMS in one container */
	BN_E_TRAILING,		/* bytes after the top-level value */
	BN_E_NOMEM,		/* allocation failed */
	BN_E__COUNT,
};

struct bn {
	enum bn_type type;
	const char *str;	/* BN_STR: bytes, not NUL-terminated */
	size_t len;		/* BN_STR: byte count; LIST/DICT: item count */
	int64_t num;		/* BN_INT */
	struct bn *child;	/* LIST: items; DICT: key, value, key, ... */
	struct bn *next;	/* sibling in the parent container */
};

/* Owner of a decoded tree (node arena). */
struct bn_doc {
	struct bn *root;
	struct bn_chunk *chunks;
	char *strings;		/* decoded string bytes (JSON), or NULL */
	size_t offset;		/* where decoding stopped or failed */
};

enum bn_err bn_decode(struct bn_doc *doc, const char *buf, size_t len);
/* A zeroed node in @doc's arena (for other decoders); NULL without memory. */
struct bn *bn_alloc(struct bn_doc *doc);
void bn_doc_free(struct bn_doc *doc);
const char *bn_strerror(enum bn_err err);

/* Lookups; NULL when absent or not a dictionary. */
const struct bn *bn_dict_get(const struct bn *dict, const char *key);
bool bn_is_str(const struct bn *n, const char *s);
/* NUL-terminated copy of a BN_STR; caller frees. NULL on error. */
char *bn_strdup(const struct bn *n);

/*
 * Encoder: appends to a growable buffer.  Errors (allocation failure,
 * unbalanced close) latch in buf->err and make bn_buf_finish() fail.
 */
struct bn_buf {
	char *data;
	size_t len;
	size_t cap;
	int depth;
	bool err;
};

void bn_buf_init(struct bn_buf *b);
void bn_buf_free(struct bn_buf *b);
/* Raw bytes, for the ng cookie prefix. */
void bn_put_raw(struct bn_buf *b, const void *p, size_t len);
void bn_put_str(struct bn_buf *b, const void *p, size_t len);
void bn_put_cstr(struct bn_buf *b, const char *s);
void bn_put_int(struct bn_buf *b, int64_t v);
void bn_open_dict(struct bn_buf *b);
void bn_open_list(struct bn_buf *b);
void bn_close(struct bn_buf *b);
/* Re-encode a decoded value. */
void bn_put_node(struct bn_buf *b, const struct bn *n);
/* Shorthands for dictionary members. */
void bn_kv_str(struct bn_buf *b, const char *key, const char *val);
void bn_kv_strn(struct bn_buf *b, const char *key, const void *val, size_t len);
void bn_kv_int(struct bn_buf *b, const char *key, int64_t val);
/* 0 when the buffer holds a complete, balanced encoding; -1 otherwise. */
int bn_buf_finish(struct bn_buf *b);

#endif /* KICE_CTL_BENCODE_H */
