// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for agent/ctl: bencode, ng framing and parsing, replay cache,
 * addresses and JSON output.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "kselftest_harness.h"

#include "ctl/bencode.h"
#include "ctl/bn_json.h"
#include "ctl/ng.h"
#include "ctl/ng_addr.h"
#include "ctl/ng_cache.h"

static enum bn_err decode_str(const char *s, struct bn_doc *doc)
{
	return bn_decode(doc, s, strlen(s));
}

TEST(bencode_scalars)
{
	struct bn_doc doc;

	ASSERT_EQ(BN_OK, decode_str("4:spam", &doc));
	ASSERT_EQ(BN_STR, doc.root->type);
	ASSERT_EQ(4, doc.root->len);
	ASSERT_EQ(0, memcmp(doc.root->str, "spam", 4));
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("0:", &doc));
	ASSERT_EQ(0, doc.root->len);
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("i-42e", &doc));
	ASSERT_EQ(-42, doc.root->num);
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("i0e", &doc));
	ASSERT_EQ(0, doc.root->num);
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("i9223372036854775807e", &doc));
	ASSERT_EQ(INT64_MAX, doc.root->num);
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("i-9223372036854775808e", &doc));
	ASSERT_EQ(INT64_MIN, doc.root->num);
	bn_doc_free(&doc);

	/* strings are binary-safe */
	ASSERT_EQ(BN_OK, bn_decode(&doc, "3:a\0b", 5));
	ASSERT_EQ(3, doc.root->len);
	ASSERT_EQ(0, doc.root->str[1]);
	bn_doc_free(&doc);
}

TEST(bencode_containers)
{
	struct bn_doc doc;
	const struct bn *v;

	ASSERT_EQ(BN_OK, decode_str("d7:command4:ping5:flagsl3:foo3:baree",
				    &doc));
	ASSERT_EQ(BN_DICT, doc.root->type);
	ASSERT_EQ(2, doc.root->len);
	ASSERT_TRUE(bn_is_str(bn_dict_get(doc.root, "command"), "ping"));
	v = bn_dict_get(doc.root, "flags");
	ASSERT_NE(NULL, v);
	ASSERT_EQ(BN_LIST, v->type);
	ASSERT_EQ(2, v->len);
	ASSERT_TRUE(bn_is_str(v->child, "foo"));
	ASSERT_TRUE(bn_is_str(v->child->next, "bar"));
	ASSERT_EQ(NULL, bn_dict_get(doc.root, "missing"));
	ASSERT_EQ(NULL, bn_dict_get(v, "foo"));	/* not a dict */
	bn_doc_free(&doc);

	ASSERT_EQ(BN_OK, decode_str("le", &doc));
	ASSERT_EQ(0, doc.root->len);
	bn_doc_free(&doc);
	ASSERT_EQ(BN_OK, decode_str("de", &doc));
	bn_doc_free(&doc);
}

/* rtpengine accepts unsorted and repeated keys; the first one wins. */
TEST(bencode_unsorted_duplicate_keys)
{
	struct bn_doc doc;

	ASSERT_EQ(BN_OK, decode_str("d1:zi1e1:ai2e1:zi3ee", &doc));
	ASSERT_EQ(3, doc.root->len);
	ASSERT_EQ(1, bn_dict_get(doc.root, "z")->num);
	ASSERT_EQ(2, bn_dict_get(doc.root, "a")->num);
	bn_doc_free(&doc);
}

static const struct {
	const char *in;
	enum bn_err err;
} malformed[] = {
	{ "",				BN_E_EMPTY },
	{ "x",				BN_E_BAD_TYPE },
	{ ":abc",			BN_E_BAD_TYPE },
	{ "e",				BN_E_BAD_TYPE },
	{ "3:ab",			BN_E_LEN_RANGE },
	{ "99999999999999999999999:a",	BN_E_LEN_RANGE },
	{ "3x:abc",			BN_E_BAD_LEN },
	{ "3",				BN_E_TRUNCATED },
	{ "03:abc",			BN_E_LEADING_ZERO },
	{ "00:",			BN_E_LEADING_ZERO },
	{ "i03e",			BN_E_LEADING_ZERO },
	{ "i-03e",			BN_E_LEADING_ZERO },
	{ "ie",				BN_E_BAD_INT },
	{ "i-e",			BN_E_BAD_INT },
	{ "i-0e",			BN_E_BAD_INT },
	{ "i+1e",			BN_E_BAD_INT },
	{ "i1x2e",			BN_E_BAD_INT },
	{ "i12",			BN_E_TRUNCATED },
	{ "i9223372036854775808e",	BN_E_INT_RANGE },
	{ "i-9223372036854775809e",	BN_E_INT_RANGE },
	{ "l",				BN_E_TRUNCATED },
	{ "li1e",			BN_E_TRUNCATED },
	{ "d",				BN_E_TRUNCATED },
	{ "d3:key",			BN_E_TRUNCATED },
	{ "d3:keye",			BN_E_NO_VALUE },
	{ "di1ei2ee",			BN_E_KEY_TYPE },
	{ "dl1:aei2ee",			BN_E_KEY_TYPE },
	{ "dxe",			BN_E_BAD_TYPE },
	{ "i1ei2e",			BN_E_TRAILING },
	{ "1:ax",			BN_E_TRAILING },
	{ "de\n",			BN_E_TRAILING },
	{ "lxe",			BN_E_BAD_TYPE },
};

TEST(bencode_malformed)
{
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct bn_doc doc;
		enum bn_err err = decode_str(malformed[i].in, &doc);

		if (err != malformed[i].err)
			TH_LOG("input \"%s\": got %s, want %s", malformed[i].in,
			       bn_strerror(err), bn_strerror(malformed[i].err));
		EXPECT_EQ(malformed[i].err, err);
		EXPECT_EQ(NULL, doc.root);
		EXPECT_EQ(NULL, doc.chunks);
	}
}

/* Every error code has its own message. */
TEST(bencode_errors_distinct)
{
	int i, j;

	for (i = 0; i < BN_E__COUNT; i++)
		for (j = i + 1; j < BN_E__COUNT; j++)
			EXPECT_NE(0, strcmp(bn_strerror(i), bn_strerror(j)));
	for (i = 0; i < NG_E__COUNT; i++)
		for (j = i + 1; j < NG_E__COUNT; j++)
			EXPECT_NE(0, strcmp(ng_strerror(i), ng_strerror(j)));
}

static char *nest(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);
	int i;

	for (i = 0; i < depth; i++) {
		s[i] = 'l';
		s[depth * 2 - 1 - i] = 'e';
	}
	s[depth * 2] = '\0';
	return s;
}

TEST(bencode_depth)
{
	struct bn_doc doc;
	char *s;

	s = nest(BN_MAX_DEPTH);
	ASSERT_EQ(BN_OK, decode_str(s, &doc));
	bn_doc_free(&doc);
	free(s);
	s = nest(BN_MAX_DEPTH + 1);
	ASSERT_EQ(BN_E_TOO_DEEP, decode_str(s, &doc));
	free(s);
	s = nest(100000);
	ASSERT_EQ(BN_E_TOO_DEEP, decode_str(s, &doc));
	free(s);
}

/* Items per container: BN_MAX_ITEMS decode, one more does not (each kind). */
TEST(bencode_item_limit)
{
	static const char *const open[] = { "l", "d" };
	struct bn_doc doc;
	char buf[16 * (BN_MAX_ITEMS + 2)];
	size_t len;
	int k, i, n;

	EXPECT_STREQ("nesting too deep (max 32)", bn_strerror(BN_E_TOO_DEEP));
	EXPECT_STREQ("too many items in a list or dictionary (max 1024)",
		     bn_strerror(BN_E_TOO_MANY));
	for (k = 0; k < 2; k++)
		for (n = BN_MAX_ITEMS; n <= BN_MAX_ITEMS + 1; n++) {
			len = (size_t)sprintf(buf, "%s", open[k]);
			for (i = 0; i < n; i++)	/* key (dict) or item */
				len += (size_t)sprintf(buf + len, k ? "%d:%di0e" :
						       "%d:%d", i < 10 ? 1 :
						       i < 100 ? 2 :
						       i < 1000 ? 3 : 4, i);
			buf[len++] = 'e';
			EXPECT_EQ(n == BN_MAX_ITEMS ? BN_OK : BN_E_TOO_MANY,
				  bn_decode(&doc, buf, len)) {
				TH_LOG("%s with %d items", open[k], n);
			}
			bn_doc_free(&doc);
		}
	/* a JSON array and object the same */
	for (k = 0; k < 2; k++)
		for (n = BN_MAX_ITEMS; n <= BN_MAX_ITEMS + 1; n++) {
			len = (size_t)sprintf(buf, "%s", k ? "{" : "[");
			for (i = 0; i < n; i++)
				len += (size_t)sprintf(buf + len, k ?
						       "%s\"%d\":1" : "%s%d",
						       i ? "," : "", i);
			buf[len++] = k ? '}' : ']';
			EXPECT_EQ(n == BN_MAX_ITEMS ? BJ_OK : BJ_E_TOO_MANY,
				  bn_json_decode(&doc, buf, len)) {
				TH_LOG("JSON %s with %d items", k ? "{" : "[",
				       n);
			}
			bn_doc_free(&doc);
		}
	EXPECT_STREQ("too many items in an array or object (max 1024)",
		     bn_json_strerror(BJ_E_TOO_MANY));
}

TEST(bencode_encode_roundtrip)
{
	const char *in = "d3:bari-7e3:fool0:4:spami0edee1:xdee";
	struct bn_doc doc;
	struct bn_buf b;

	ASSERT_EQ(BN_OK, decode_str(in, &doc));
	bn_buf_init(&b);
	bn_put_node(&b, doc.root);
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_STREQ(in, b.data);
	bn_buf_free(&b);
	bn_doc_free(&doc);

	bn_buf_init(&b);
	bn_open_dict(&b);
	bn_kv_str(&b, "a", "xyz");
	bn_kv_int(&b, "n", -5);
	bn_put_cstr(&b, "l");
	bn_open_list(&b);
	bn_put_int(&b, 0);
	bn_close(&b);
	bn_close(&b);
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_STREQ("d1:a3:xyz1:ni-5e1:lli0eee", b.data);
	bn_buf_free(&b);

	/* unbalanced */
	bn_buf_init(&b);
	bn_open_list(&b);
	ASSERT_EQ(-1, bn_buf_finish(&b));
	bn_close(&b);
	bn_close(&b);
	ASSERT_EQ(-1, bn_buf_finish(&b));
	bn_buf_free(&b);
}

TEST(json_output)
{
	struct bn_doc doc;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(BN_OK, decode_str("d1:al1:\"i-1ee1:b3:x\ny1:cdee", &doc));
	f = open_memstream(&out, &len);
	ASSERT_NE(NULL, f);
	bn_json_print(f, doc.root);
	fclose(f);
	ASSERT_STREQ("{\"a\":[\"\\\"\",-1],\"b\":\"x\\ny\",\"c\":{}}", out);
	free(out);
	bn_doc_free(&doc);
}

static enum bj_err json_str(const char *s, struct bn_doc *doc)
{
	return bn_json_decode(doc, s, strlen(s));
}

TEST(json_decode_values)
{
	const struct bn *v, *i;
	struct bn_doc doc;
	char json[] = "{ \"command\" : \"offer\", \"flags\": [\"a\", \"b\\\"\"],"
		      "\"n\": -12, \"t\": true, \"f\": false, \"command\": 1,"
		      "\"u\": \"\\u00e9\\ud83d\\ude00\\n\\/\", \"e\": {} }";

	ASSERT_EQ(BJ_OK, json_str(json, &doc));
	/* strings are copies: the input may go */
	memset(json, 'x', sizeof(json) - 1);
	ASSERT_EQ(BN_DICT, doc.root->type);
	ASSERT_TRUE(bn_is_str(bn_dict_get(doc.root, "command"), "offer"));
	v = bn_dict_get(doc.root, "flags");
	ASSERT_EQ(BN_LIST, v->type);
	ASSERT_EQ(2, v->len);
	i = v->child;
	ASSERT_TRUE(bn_is_str(i, "a"));
	ASSERT_TRUE(bn_is_str(i->next, "b\""));
	ASSERT_EQ(-12, bn_dict_get(doc.root, "n")->num);
	ASSERT_EQ(1, bn_dict_get(doc.root, "t")->num);
	ASSERT_EQ(0, bn_dict_get(doc.root, "f")->num);
	ASSERT_TRUE(bn_is_str(bn_dict_get(doc.root, "u"),
			      "\xc3\xa9\xf0\x9f\x98\x80\n/"));
	ASSERT_EQ(BN_DICT, bn_dict_get(doc.root, "e")->type);
	ASSERT_EQ(0, bn_dict_get(doc.root, "e")->len);
	bn_doc_free(&doc);

	ASSERT_EQ(BJ_OK, json_str("[-9223372036854775808,9223372036854775807]",
				  &doc));
	ASSERT_EQ(INT64_MIN, doc.root->child->num);
	ASSERT_EQ(INT64_MAX, doc.root->child->next->num);
	bn_doc_free(&doc);
}

TEST(json_decode_malformed)
{
	static const struct {
		const char *in;
		enum bj_err err;
	} cases[] = {
		{ "", BJ_E_EMPTY },
		{ " \r\n\t", BJ_E_EMPTY },
		{ "{\"command\":\"ping\"", BJ_E_TRUNCATED },
		{ "{\"a\" 1}", BJ_E_SYNTAX },
		{ "[1,]", BJ_E_SYNTAX },
		{ "[1 2]", BJ_E_SYNTAX },
		{ "{1:2}", BJ_E_KEY_TYPE },
		{ "{\"a\":1,}", BJ_E_KEY_TYPE },
		{ "\"a\tb\"", BJ_E_CTRL },
		{ "\"\\x\"", BJ_E_ESCAPE },
		{ "\"\\u12g4\"", BJ_E_ESCAPE },
		{ "\"\\ud800\"", BJ_E_SURROGATE },
		{ "\"\\udc00\"", BJ_E_SURROGATE },
		{ "\"\\ud800\\u0041\"", BJ_E_SURROGATE },
		{ "\"\xc0\xaf\"", BJ_E_UTF8 },
		{ "\"\xed\xa0\x80\"", BJ_E_UTF8 },
		{ "\"\xff\"", BJ_E_UTF8 },
		{ "01", BJ_E_NUMBER },
		{ "-", BJ_E_TRUNCATED },
		{ "-a", BJ_E_NUMBER },
		{ "1.5", BJ_E_NOT_INT },
		{ "1e3", BJ_E_NOT_INT },
		{ "9223372036854775808", BJ_E_INT_RANGE },
		{ "-9223372036854775809", BJ_E_INT_RANGE },
		{ "null", BJ_E_NULL },
		{ "nul", BJ_E_TRUNCATED },
		{ "tru e", BJ_E_SYNTAX },
		{ "{} x", BJ_E_TRAILING },
		{ "'a'", BJ_E_SYNTAX },
	};
	struct bn_doc doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bj_err e = json_str(cases[i].in, &doc);

		if (e != cases[i].err)
			TH_LOG("input %zu \"%s\": %s", i, cases[i].in,
			       bn_json_strerror(e));
		ASSERT_EQ(cases[i].err, e);
		ASSERT_EQ(NULL, doc.root);
	}
	ASSERT_STREQ("null is not supported", bn_json_strerror(BJ_E_NULL));
}

TEST(json_depth)
{
	char deep[2 * BN_MAX_DEPTH + 4];
	struct bn_doc doc;
	int i;

	for (i = 0; i < BN_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[BN_MAX_DEPTH + i] = ']';
	}
	deep[2 * BN_MAX_DEPTH] = '\0';
	ASSERT_EQ(BJ_OK, json_str(deep, &doc));
	bn_doc_free(&doc);
	memmove(deep + 1, deep, 2 * BN_MAX_DEPTH + 1);
	deep[0] = '[';
	strcat(deep, "]");
	ASSERT_EQ(BJ_E_TOO_DEEP, json_str(deep, &doc));
}

TEST(json_write_roundtrip)
{
	struct bn_doc doc, doc2;
	struct bn_buf b;
	const char in[] = "d1:a3:\xc3\xa9\x01" "1:b1:\xff" "1:ci-5ee";

	ASSERT_EQ(BN_OK, bn_decode(&doc, in, sizeof(in) - 1));
	bn_buf_init(&b);
	bn_json_write(&b, doc.root);
	ASSERT_EQ(0, bn_buf_finish(&b));
	/* UTF-8 as is, control characters and stray bytes escaped */
	ASSERT_STREQ("{\"a\":\"\xc3\xa9\\u0001\",\"b\":\"\\u00ff\",\"c\":-5}",
		     b.data);
	ASSERT_EQ(BJ_OK, bn_json_decode(&doc2, b.data, b.len));
	ASSERT_TRUE(bn_is_str(bn_dict_get(doc2.root, "a"), "\xc3\xa9\x01"));
	ASSERT_TRUE(bn_is_str(bn_dict_get(doc2.root, "b"), "\xc3\xbf"));
	bn_buf_free(&b);
	bn_doc_free(&doc);
	bn_doc_free(&doc2);
}

TEST(framing_split)
{
	struct ng_str c, b;
	char longc[NG_COOKIE_MAX + 8];

	ASSERT_EQ(0, ng_split("abc d7:command4:pinge", 21, &c, &b));
	ASSERT_EQ(3, c.len);
	ASSERT_EQ(0, memcmp(c.p, "abc", 3));
	ASSERT_EQ(17, b.len);
	ASSERT_EQ(0, ng_split("0.123 ", 6, &c, &b));
	ASSERT_EQ(0, b.len);
	ASSERT_EQ(-1, ng_split("nocookie", 8, &c, &b));
	ASSERT_EQ(-1, ng_split(" de", 3, &c, &b));
	ASSERT_EQ(-1, ng_split("a\tb de", 6, &c, &b));
	ASSERT_EQ(-1, ng_split("", 0, &c, &b));
	memset(longc, 'x', sizeof(longc));
	longc[NG_COOKIE_MAX + 1] = ' ';
	ASSERT_EQ(-1, ng_split(longc, sizeof(longc), &c, &b));
	longc[NG_COOKIE_MAX + 1] = 'x';
	longc[NG_COOKIE_MAX] = ' ';
	ASSERT_EQ(0, ng_split(longc, sizeof(longc), &c, &b));
	ASSERT_EQ(NG_COOKIE_MAX, c.len);
}

static enum ng_err parse(const char *s, struct ng_request *r,
			 struct bn_doc *doc)
{
	if (bn_decode(doc, s, strlen(s)))
		return NG_E__COUNT;
	return ng_parse_request(doc->root, r);
}

TEST(ng_parse_commands)
{
	struct ng_request r;
	struct bn_doc doc;

	ASSERT_EQ(NG_OK, parse("d7:command4:pinge", &r, &doc));
	ASSERT_EQ(NG_CMD_PING, r.cmd);
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d7:command10:statisticse", &r, &doc));
	ASSERT_EQ(NG_CMD_STATISTICS, r.cmd);
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d7:command4:list5:limiti10ee", &r, &doc));
	ASSERT_EQ(NG_CMD_LIST, r.cmd);
	ASSERT_EQ(10, r.limit);
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d7:command4:list5:limit2:25e", &r, &doc));
	ASSERT_EQ(25, r.limit);
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d7:call-id2:c17:command6:deletee", &r, &doc));
	ASSERT_EQ(NG_CMD_DELETE, r.cmd);
	ASSERT_TRUE(ng_str_eq(r.call_id, "c1"));
	ASSERT_EQ(NULL, r.from_tag.p);
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d3:ICE5:force7:call-id2:c17:command5:offer"
			       "5:flagsl11:trickle ICE13:trust-address"
			       "9:some-flage8:from-tag2:f13:sdp3:v=0"
			       "7:replacel6:origin18:session-connectionee",
			       &r, &doc));
	ASSERT_EQ(NG_CMD_OFFER, r.cmd);
	ASSERT_EQ(NG_ICE_FORCE, r.ice);
	ASSERT_EQ(NG_F_TRICKLE_ICE | NG_F_TRUST_ADDRESS, r.flags);
	ASSERT_EQ(1, r.unknown_flags);
	ASSERT_EQ(NG_R_ORIGIN | NG_R_SESSION_CONN, r.replace);
	ASSERT_EQ(NULL, r.direction[0].p);
	ASSERT_TRUE(ng_str_eq(r.sdp, "v=0"));
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d3:ICE6:remove7:call-id1:c7:command6:answer"
			       "8:from-tag1:f3:sdp3:v=06:to-tag1:te",
			       &r, &doc));
	ASSERT_EQ(NG_CMD_ANSWER, r.cmd);
	ASSERT_EQ(NG_ICE_REMOVE, r.ice);
	ASSERT_TRUE(ng_str_eq(r.to_tag, "t"));
	bn_doc_free(&doc);

	ASSERT_EQ(NG_OK, parse("d7:command4:ping9:directionl3:int3:extee",
			       &r, &doc));
	ASSERT_TRUE(ng_str_eq(r.direction[0], "int"));
	ASSERT_TRUE(ng_str_eq(r.direction[1], "ext"));
	bn_doc_free(&doc);

	/* rtcp-mux as a list, and as Kamailio's "rtcp-mux-*" flags */
	ASSERT_EQ(NG_OK, parse("d7:command4:ping8:rtcp-muxl5:demux6:Accept"
			       "4:nopeee", &r, &doc));
	ASSERT_EQ(NG_MUX_DEMUX | NG_MUX_ACCEPT, r.rtcp_mux);
	ASSERT_EQ(1, r.unknown_flags);
	bn_doc_free(&doc);
	ASSERT_EQ(NG_OK, parse("d7:command4:ping5:flagsl14:rtcp-mux-offer"
			       "16:rtcp_mux_require15:rtcp mux reject"
			       "9:rtcp-mux-11:rtcp-mux-xxee", &r, &doc));
	ASSERT_EQ(NG_MUX_OFFER | NG_MUX_REQUIRE | NG_MUX_REJECT, r.rtcp_mux);
	ASSERT_EQ(0u, r.flags);
	ASSERT_EQ(2, r.unknown_flags);
	bn_doc_free(&doc);
}

/*
 * Keys as Kamailio's rtpengine module spells them ("address-family",
 * "delete delay") and as rtpengine documents them: '-', '_' and ' ' are
 * the same separator; case is not folded.  Unknown flags are named.
 */
TEST(ng_keys_normalised)
{
	struct ng_request r;
	struct bn_doc doc;

	ASSERT_EQ(NG_OK, parse("d14:address-family3:IP67:call-id1:c"
			       "7:command5:offer12:delete delayi7e"
			       "5:flagsl1:x2:yye8:from-tag1:f13:media_address"
			       "9:192.0.2.13:sdp3:v=018:transport-protocol"
			       "8:RTP/SAVPe", &r, &doc));
	ASSERT_EQ(NG_AF_IP6, r.family);
	ASSERT_EQ(7, r.delete_delay);
	ASSERT_TRUE(ng_str_eq(r.media_address, "192.0.2.1"));
	ASSERT_TRUE(ng_str_eq(r.transport, "RTP/SAVP"));
	ASSERT_EQ(2, r.unknown_flags);
	ASSERT_TRUE(ng_str_eq(r.unknown[0], "x"));
	ASSERT_TRUE(ng_str_eq(r.unknown[1], "yy"));
	bn_doc_free(&doc);
	ASSERT_EQ(NG_OK, parse("d7:command4:ping14:address_family3:IP4e",
			       &r, &doc));
	ASSERT_EQ(NG_AF_IP4, r.family);
	bn_doc_free(&doc);
	/* a wrong type under a variant spelling names the canonical key */
	ASSERT_EQ(NG_E_BAD_TYPE, parse("d7:command4:ping12:delete-delay"
				       "2:xxe", &r, &doc));
	ASSERT_STREQ("delete delay", r.bad_key);
	bn_doc_free(&doc);
	/* case is kept: "Address-Family" is not a key kice knows */
	ASSERT_EQ(NG_OK, parse("d14:Address-Family3:IP67:command4:pinge",
			       &r, &doc));
	ASSERT_EQ(NG_AF_ANY, r.family);
	bn_doc_free(&doc);
}

TEST(ng_flags_normalised)
{
	ASSERT_EQ(NG_F_TRICKLE_ICE, ng_flag_lookup("trickle ICE", 11));
	ASSERT_EQ(NG_F_TRICKLE_ICE, ng_flag_lookup("trickle-ICE", 11));
	ASSERT_EQ(NG_F_TRICKLE_ICE, ng_flag_lookup("Trickle_ice", 11));
	ASSERT_EQ(0, ng_flag_lookup("trickle", 7));
	ASSERT_EQ(0, ng_flag_lookup("trickle ICEx", 12));
	ASSERT_EQ(NG_F_REJECT_ICE, ng_flag_lookup("reject-ICE", 10));
	ASSERT_EQ(NG_F_FRAGMENT, ng_flag_lookup("Fragment", 8));
	ASSERT_EQ(NG_F_WAIT_MEDIA, ng_flag_lookup("wait_media", 10));
}

static const struct {
	const char *in;
	enum ng_err err;
} bad_requests[] = {
	{ "le",						NG_E_NOT_DICT },
	{ "4:ping",					NG_E_NOT_DICT },
	{ "de",						NG_E_NO_COMMAND },
	{ "d7:commandi1ee",				NG_E_BAD_TYPE },
	{ "d7:command4:ponge",				NG_E_UNKNOWN_COMMAND },
	{ "d7:command5:offere",				NG_E_NO_CALL_ID },
	{ "d7:call-id1:c7:command5:offere",		NG_E_NO_FROM_TAG },
	{ "d7:call-id1:c7:command5:offer8:from-tag1:fe", NG_E_NO_SDP },
	{ "d7:call-id1:c7:command6:answer8:from-tag1:f3:sdp1:xe",
							NG_E_NO_TO_TAG },
	{ "d7:call-idi5e7:command6:deletee",		NG_E_BAD_TYPE },
	{ "d7:command5:querye",				NG_E_NO_CALL_ID },
	{ "d3:ICE3:yes7:command4:pinge",		NG_E_BAD_ICE },
	{ "d7:command4:ping5:flags3:fooe",		NG_E_BAD_TYPE },
	{ "d7:command4:ping5:flagsli1eee",		NG_E_BAD_TYPE },
	{ "d14:address family3:IP57:command4:pinge",	NG_E_BAD_FAMILY },
	{ "d7:command4:list5:limiti-1ee",		NG_E_BAD_LIMIT },
	{ "d7:command4:list5:limit2:x1e",		NG_E_BAD_TYPE },
	{ "d7:command4:ping3:sdpi1ee",			NG_E_BAD_TYPE },
	{ "d7:command4:ping9:directionl1:aee",		NG_E_BAD_DIRECTION },
	{ "d7:command4:ping9:directionl1:a1:b1:cee",	NG_E_BAD_DIRECTION },
	{ "d7:command4:ping9:directionl0:1:bee",	NG_E_BAD_DIRECTION },
};

TEST(ng_parse_malformed)
{
	size_t i;

	for (i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		struct ng_request r;
		struct bn_doc doc;
		enum ng_err err = parse(bad_requests[i].in, &r, &doc);

		if (err != bad_requests[i].err)
			TH_LOG("input \"%s\": got %d (%s)", bad_requests[i].in,
			       err, ng_strerror(err));
		EXPECT_EQ(bad_requests[i].err, err);
		if (err != NG_E__COUNT)
			bn_doc_free(&doc);
	}
}

/*
 * An offer with every string key kice reads, one of them (@bad) holding a
 * NUL byte in the middle ("a\0b"); list keys get it as their last item.
 */
static void nul_offer(struct bn_buf *b, const char *bad)
{
	static const char *const strs[] = {
		"ICE", "address family", "call-id", "command", "from-tag",
		"label", "media address", "sdp", "to-tag",
		"transport protocol", "via-branch",
	};
	static const char *const vals[] = {
		"force", "IP4", "c1", "offer", "f1", "l1", "127.0.0.1",
		"v=0\r\n", "t1", "RTP/AVP", "z9hG4bK1",
	};
	static const char *const lists[] = {
		"direction", "flags", "replace", "rtcp-mux",
	};
	size_t i;

	bn_buf_init(b);
	bn_open_dict(b);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		bn_put_cstr(b, strs[i]);
		if (!strcmp(strs[i], bad))
			bn_put_str(b, "a\0b", 3);
		else
			bn_put_cstr(b, vals[i]);
	}
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		bn_put_cstr(b, lists[i]);
		bn_open_list(b);
		bn_put_cstr(b, "int");
		if (!strcmp(lists[i], bad))
			bn_put_str(b, "a\0b", 3);
		else if (!strcmp(lists[i], "direction"))
			bn_put_cstr(b, "ext");
		bn_close(b);
	}
	bn_close(b);
}

/* Issue 12: no string with a NUL byte gets past the parser, for any key. */
TEST(ng_nul_rejected_per_key)
{
	static const char *const keys[] = {
		"call-id", "from-tag", "to-tag", "via-branch", "label", "sdp",
		"media address", "transport protocol", "ICE", "address family",
		"command", "direction", "flags", "replace", "rtcp-mux",
	};
	struct ng_request r;
	struct bn_doc doc;
	struct bn_buf b;
	char why[128], want[128];
	size_t i;

	/* the same offer without a NUL anywhere is fine */
	nul_offer(&b, "");
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_EQ(BN_OK, bn_decode(&doc, b.data, b.len));
	ASSERT_EQ(NG_OK, ng_parse_request(doc.root, &r));
	ASSERT_TRUE(ng_str_eq(r.direction[1], "ext"));
	bn_doc_free(&doc);
	bn_buf_free(&b);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		nul_offer(&b, keys[i]);
		ASSERT_EQ(0, bn_buf_finish(&b));
		ASSERT_EQ(BN_OK, bn_decode(&doc, b.data, b.len));
		EXPECT_EQ(NG_E_NUL, ng_parse_request(doc.root, &r)) {
			TH_LOG("key %s", keys[i]);
		}
		EXPECT_STREQ(keys[i], r.bad_key);
		snprintf(want, sizeof(want), "%s contains a NUL byte", keys[i]);
		EXPECT_STREQ(want, ng_request_strerror(NG_E_NUL, &r, why,
						       sizeof(why)));
		bn_doc_free(&doc);
		bn_buf_free(&b);
	}
	/* the literal reproducer of the issue */
	ASSERT_EQ(BN_OK, bn_decode(&doc, "d7:call-id5:ab\0cd7:command5:offere",
				   34));
	EXPECT_EQ(NG_E_NUL, ng_parse_request(doc.root, &r));
	EXPECT_STREQ("call-id", r.bad_key);
	bn_doc_free(&doc);
	/* JSON's \u0000 decodes to the same NUL byte */
	ASSERT_EQ(0, bn_json_decode(&doc, "{\"command\":\"delete\","
				    "\"call-id\":\"ab\\u0000cd\"}", 43));
	EXPECT_EQ(NG_E_NUL, ng_parse_request(doc.root, &r));
	EXPECT_STREQ("call-id", r.bad_key);
	bn_doc_free(&doc);
}

/* Issue 12: string lengths; the limit itself is fine, one more is not. */
TEST(ng_length_limits)
{
	static const struct {
		const char *key;
		size_t max;
	} lim[] = {
		{ "call-id", NG_CALL_ID_MAX }, { "from-tag", NG_TAG_MAX },
		{ "to-tag", NG_TAG_MAX }, { "via-branch", NG_VIA_BRANCH_MAX },
		{ "label", NG_LABEL_MAX }, { "media address", NG_STR_MAX },
		{ "transport protocol", NG_STR_MAX }, { "ICE", NG_STR_MAX },
		{ "address family", NG_STR_MAX },
		{ "direction", NG_STR_MAX }, { "flags", NG_STR_MAX },
	};
	char val[NG_STR_MAX + NG_CALL_ID_MAX + 2], why[128], want[128], *sdp;
	struct ng_request r;
	struct bn_doc doc;
	struct bn_buf b;
	size_t i, len;

	EXPECT_EQ(256, NG_CALL_ID_MAX);
	memset(val, 'x', sizeof(val));
	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		for (len = lim[i].max; len <= lim[i].max + 1; len++) {
			bool list = !strcmp(lim[i].key, "direction") ||
				    !strcmp(lim[i].key, "flags");
			enum ng_err err;

			bn_buf_init(&b);
			bn_open_dict(&b);
			if (strcmp(lim[i].key, "call-id"))
				bn_kv_str(&b, "call-id", "c");
			bn_kv_str(&b, "command", "delete");
			bn_put_cstr(&b, lim[i].key);
			if (list)
				bn_open_list(&b);
			bn_put_str(&b, val, len);
			if (list) {
				bn_put_str(&b, val, 1);
				bn_close(&b);
			}
			bn_close(&b);
			ASSERT_EQ(0, bn_buf_finish(&b));
			ASSERT_EQ(BN_OK, bn_decode(&doc, b.data, b.len));
			err = ng_parse_request(doc.root, &r);
			if (len > lim[i].max) {
				EXPECT_EQ(NG_E_TOO_LONG, err) {
					TH_LOG("%s of %zu", lim[i].key, len);
				}
				snprintf(want, sizeof(want),
					 "%s too long (max %zu)", lim[i].key,
					 lim[i].max);
				EXPECT_STREQ(want, ng_request_strerror(err, &r,
						why, sizeof(why)));
			} else {
				/* at the limit: only the value's own check */
				EXPECT_NE(NG_E_TOO_LONG, err) {
					TH_LOG("%s of %zu", lim[i].key, len);
				}
			}
			bn_doc_free(&doc);
			bn_buf_free(&b);
		}
	/* the SDP is limited by the datagram only */
	bn_buf_init(&b);
	bn_open_dict(&b);
	bn_kv_str(&b, "call-id", "c");
	bn_kv_str(&b, "command", "offer");
	bn_kv_str(&b, "from-tag", "f");
	bn_put_cstr(&b, "sdp");
	sdp = malloc(60000);
	ASSERT_NE(NULL, sdp);
	memset(sdp, 'v', 60000);
	bn_put_str(&b, sdp, 60000);
	free(sdp);
	bn_close(&b);
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_EQ(BN_OK, bn_decode(&doc, b.data, b.len));
	EXPECT_EQ(NG_OK, ng_parse_request(doc.root, &r));
	bn_doc_free(&doc);
	bn_buf_free(&b);
}

TEST(reply_format)
{
	struct ng_str ck = { "abc", 3 };
	struct bn_buf b;

	bn_buf_init(&b);
	ng_reply_error(&b, ck, "Unrecognized command");
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_STREQ("abc d6:result5:error12:error-reason20:Unrecognized commande",
		     b.data);
	bn_buf_free(&b);

	bn_buf_init(&b);
	ng_reply_begin(&b, ck, "pong");
	bn_close(&b);
	ASSERT_STREQ("abc d6:result4:ponge", b.data);
	bn_buf_free(&b);

	/* rtpengine's load limit, to a client that supports it or not */
	bn_buf_init(&b);
	ng_reply_load_limit(&b, ck, true, NG_LOAD_LIMIT_SESSIONS);
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_STREQ("abc d6:result10:load limit7:message30:Parallel session limit reachede",
		     b.data);
	bn_buf_free(&b);
	bn_buf_init(&b);
	ng_reply_load_limit(&b, ck, false, NG_LOAD_LIMIT_SESSIONS);
	ASSERT_EQ(0, bn_buf_finish(&b));
	ASSERT_STREQ("abc d6:result5:error12:error-reason30:Parallel session limit reachede",
		     b.data);
	bn_buf_free(&b);
}

TEST(ng_supports_load_limit)
{
	struct ng_request r;
	struct bn_doc doc;

	ASSERT_EQ(NG_OK, parse("d7:command4:ping8:supportsl10:load limitee",
			       &r, &doc));
	EXPECT_TRUE(r.supports_load_limit);
	bn_doc_free(&doc);
	ASSERT_EQ(NG_OK, parse("d7:command4:ping8:supportsl3:foo10:Load-Limitee",
			       &r, &doc));
	EXPECT_TRUE(r.supports_load_limit);
	bn_doc_free(&doc);
	ASSERT_EQ(NG_OK, parse("d7:command4:ping8:supportsl4:loadee", &r, &doc));
	EXPECT_FALSE(r.supports_load_limit);
	bn_doc_free(&doc);
	ASSERT_EQ(NG_OK, parse("d7:command4:pinge", &r, &doc));
	EXPECT_FALSE(r.supports_load_limit);
	bn_doc_free(&doc);
	EXPECT_EQ(NG_E_BAD_TYPE, parse("d7:command4:ping8:supports10:load limite",
				       &r, &doc));
	EXPECT_STREQ("supports", r.bad_key);
	bn_doc_free(&doc);
}

TEST(replay_cache)
{
	struct ng_cache *c = ng_cache_new(2, 1000);
	const char *r;
	size_t len;

	ASSERT_NE(NULL, c);
	ASSERT_EQ(NULL, ng_cache_lookup(c, "k1", 2, 0, &len));
	ASSERT_EQ(0, ng_cache_insert(c, "k1", 2, "reply1", 6, 0));
	r = ng_cache_lookup(c, "k1", 2, 999, &len);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(6, len);
	ASSERT_EQ(0, memcmp(r, "reply1", 6));
	/* expiry */
	ASSERT_EQ(NULL, ng_cache_lookup(c, "k1", 2, 1000, &len));
	ASSERT_EQ(0, ng_cache_count(c));
	/* capacity: oldest evicted */
	ASSERT_EQ(0, ng_cache_insert(c, "a", 1, "1", 1, 10));
	ASSERT_EQ(0, ng_cache_insert(c, "b", 1, "2", 1, 11));
	ASSERT_EQ(0, ng_cache_insert(c, "c", 1, "3", 1, 12));
	ASSERT_EQ(2, ng_cache_count(c));
	ASSERT_EQ(NULL, ng_cache_lookup(c, "a", 1, 13, &len));
	ASSERT_NE(NULL, ng_cache_lookup(c, "b", 1, 13, &len));
	/* replace */
	ASSERT_EQ(0, ng_cache_insert(c, "c", 1, "33", 2, 14));
	r = ng_cache_lookup(c, "c", 1, 15, &len);
	ASSERT_EQ(2, len);
	ASSERT_EQ(0, memcmp(r, "33", 2));
	ASSERT_EQ(2, ng_cache_count(c));
	/* same prefix, different key length */
	ASSERT_EQ(NULL, ng_cache_lookup(c, "cc", 2, 15, &len));
	ng_cache_expire(c, 100000);
	ASSERT_EQ(0, ng_cache_count(c));
	ng_cache_free(c);
}

TEST(addr_parse)
{
	struct ng_addr a;
	char buf[128];

	ASSERT_EQ(0, ng_addr_parse("127.0.0.1:2223", &a));
	ASSERT_STREQ("127.0.0.1:2223", ng_addr_str(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, ng_addr_parse("udp:localhost:5", &a));
	ASSERT_STREQ("127.0.0.1:5", ng_addr_str(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, ng_addr_parse("2223", &a));
	ASSERT_STREQ("127.0.0.1:2223", ng_addr_str(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, ng_addr_parse("[::1]:2223", &a));
	ASSERT_STREQ("[::1]:2223", ng_addr_str(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, ng_addr_parse("unix:/run/kiced.sock", &a));
	ASSERT_STREQ("unix:/run/kiced.sock", ng_addr_str(&a, buf, sizeof(buf)));
	ASSERT_EQ(0, ng_addr_parse("/tmp/x", &a));
	ASSERT_EQ(AF_UNIX, a.ss.ss_family);

	ASSERT_EQ(-1, ng_addr_parse("127.0.0.1:0", &a));
	ASSERT_EQ(-1, ng_addr_parse("127.0.0.1:65536", &a));
	ASSERT_EQ(-1, ng_addr_parse("127.0.0.1:", &a));
	ASSERT_EQ(-1, ng_addr_parse("1.2.3:80", &a));
	ASSERT_EQ(-1, ng_addr_parse("[::1]2223", &a));
	ASSERT_EQ(-1, ng_addr_parse("unix:", &a));
	ASSERT_EQ(-1, ng_addr_parse("abc", &a));
}

TEST_HARNESS_MAIN
