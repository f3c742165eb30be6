// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl ping|offer|answer|delete|query|list|stats|ng: talk to kiced (or
 * any rtpengine-compatible daemon) over the ng control protocol.
 *
 * Common options: -s ADDR (default $KICE_NG or 127.0.0.1:2223; a path or
 * unix:PATH selects the Unix socket), -j (print the reply as JSON),
 * -t MS (per-attempt timeout; 3 attempts).  Exit status: 0 ok, 1 error
 * reply or no reply, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/bencode.h"
#include "ctl/bn_json.h"
#include "ctl/ng.h"
#include "ctl/ng_addr.h"
#include "ctl/ng_client.h"
#include "kicectl/kicectl.h"

#define NG_MAX_FLAGS 32

struct ng_opts {
	const char *server;
	bool json;
	int timeout_ms;
	const char *call_id, *from_tag, *to_tag, *via_branch;
	const char *ice, *family, *sdp_file, *sdp;
	const char *direction;		/* "SIDE_A,SIDE_B" interface names */
	const char *flags[NG_MAX_FLAGS];
	int nflags;
	long limit;
};

static const struct option ng_long_opts[] = {
	{ "server",	required_argument, NULL, 's' },
	{ "json",	no_argument,	   NULL, 'j' },
	{ "timeout",	required_argument, NULL, 't' },
	{ "call-id",	required_argument, NULL, 'c' },
	{ "from-tag",	required_argument, NULL, 'f' },
	{ "to-tag",	required_argument, NULL, 'T' },
	{ "via-branch",	required_argument, NULL, 'v' },
	{ "ice",	required_argument, NULL, 'i' },
	{ "ICE",	required_argument, NULL, 'i' },
	{ "address-family", required_argument, NULL, 'a' },
	{ "sdp-file",	required_argument, NULL, 'F' },
	{ "sdp",	required_argument, NULL, 'S' },
	{ "flag",	required_argument, NULL, 'g' },
	{ "trickle-ice", no_argument,	   NULL, 'k' },
	{ "direction",	required_argument, NULL, 'D' },
	{ "limit",	required_argument, NULL, 'l' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void ng_usage_common(void)
{
	printf("options: -s, --server ADDR   127.0.0.1:2223, [::1]:2223 or "
	       "unix:/path (default $KICE_NG)\n"
	       "         -j, --json          print the reply as JSON\n"
	       "         -t, --timeout MS    per attempt, 3 attempts "
	       "(default 1000)\n");
}

void cmd_ping_usage(void)
{
	printf("usage: kicectl ping [-s ADDR] [-j]\n");
	ng_usage_common();
}

void cmd_offer_usage(void)
{
	printf("usage: kicectl offer --call-id ID --from-tag TAG "
	       "[--sdp-file FILE | --sdp TEXT]\n"
	       "          [--ice force|remove|default|optional] "
	       "[--trickle-ice] [--flag FLAG]...\n"
	       "          [--direction IFACE_A,IFACE_B]\n"
	       "          [--address-family IP4|IP6] [--via-branch B]\n"
	       "Sends the SDP (stdin when neither --sdp nor --sdp-file) and "
	       "prints the rewritten SDP.\n");
	ng_usage_common();
}

void cmd_answer_usage(void)
{
	printf("usage: kicectl answer --call-id ID --from-tag TAG --to-tag TAG "
	       "[--sdp-file FILE | --sdp TEXT] [offer options]\n");
	ng_usage_common();
}

void cmd_delete_usage(void)
{
	printf("usage: kicectl delete --call-id ID [--from-tag TAG] "
	       "[--to-tag TAG]\n");
	ng_usage_common();
}

void cmd_query_usage(void)
{
	printf("usage: kicectl query --call-id ID [--from-tag TAG]\n");
	ng_usage_common();
}

void cmd_list_usage(void)
{
	printf("usage: kicectl list [--limit N]\n"
	       "Prints the call-ids of the active calls, one per line.\n");
	ng_usage_common();
}

void cmd_stats_usage(void)
{
	printf("usage: kicectl stats\n"
	       "Prints the daemon's statistics (ng \"statistics\").\n");
	ng_usage_common();
}

void cmd_ng_usage(void)
{
	printf("usage: kicectl ng BENCODED-DICT|JSON-OBJECT\n"
	       "Sends the dictionary as is (no checks) and prints the reply "
	       "as JSON.\n");
	ng_usage_common();
}

static int ng_parse_opts(int argc, char **argv, struct ng_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->server = getenv("KICE_NG");
	if (!o->server || !*o->server)
		o->server = "127.0.0.1:2223";
	o->timeout_ms = 1000;
	o->limit = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jt:h", ng_long_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 's': o->server = optarg; break;
		case 'j': o->json = true; break;
		case 't': o->timeout_ms = atoi(optarg); break;
		case 'c': o->call_id = optarg; break;
		case 'f': o->from_tag = optarg; break;
		case 'T': o->to_tag = optarg; break;
		case 'v': o->via_branch = optarg; break;
		case 'i': o->ice = optarg; break;
		case 'a': o->family = optarg; break;
		case 'F': o->sdp_file = optarg; break;
		case 'S': o->sdp = optarg; break;
		case 'D': o->direction = optarg; break;
		case 'k':
		case 'g':
			if (o->nflags == NG_MAX_FLAGS) {
				fprintf(stderr, "kicectl: too many flags\n");
				return -1;
			}
			o->flags[o->nflags++] = c == 'k' ? "trickle ICE" :
							   optarg;
			break;
		case 'l': o->limit = atol(optarg); break;
		case 'h': return 1;
		default: return -1;
		}
	}
	if (o->timeout_ms <= 0) {
		fprintf(stderr, "kicectl: bad timeout\n");
		return -1;
	}
	return 0;
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *nb = cap > 1024 * 1024 ? NULL :
				   realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	*len = n;
	return buf;
}

/* Send @body; print per @print; returns the exit status. */
static int ng_transact(const struct ng_opts *o, const char *body,
		       size_t len,
		       int (*print)(const struct ng_opts *o,
				    const struct bn *reply))
{
	struct ng_client cl;
	struct ng_addr a;
	struct bn_doc doc;
	const struct bn *res;
	char *reply = NULL;
	size_t rlen;
	int ret = 1;

	if (ng_addr_parse(o->server, &a)) {
		fprintf(stderr, "kicectl: bad server address '%s'\n",
			o->server);
		return 2;
	}
	if (ng_client_open(&cl, &a)) {
		fprintf(stderr, "kicectl: %s: %s\n", o->server,
			strerror(errno));
		return 1;
	}
	cl.timeout_ms = o->timeout_ms;
	if (ng_client_call(&cl, body, len, &reply, &rlen)) {
		fprintf(stderr, "kicectl: %s: %s\n", o->server,
			errno == ETIMEDOUT ? "no reply" : strerror(errno));
		ng_client_close(&cl);
		return 1;
	}
	ng_client_close(&cl);
	/* a JSON request (kicectl ng '{...}') gets a JSON reply */
	if (rlen && reply[0] == '{' ?
	    bn_json_decode(&doc, reply, rlen) != BJ_OK :
	    bn_decode(&doc, reply, rlen) != BN_OK) {
		fprintf(stderr, "kicectl: malformed reply\n");
		free(reply);
		return 1;
	}
	res = bn_dict_get(doc.root, "result");
	if (o->json || !print) {
		bn_json_print(stdout, doc.root);
		putchar('\n');
		ret = bn_is_str(res, "error") ? 1 : 0;
	} else if (bn_is_str(res, "error")) {
		const struct bn *why = bn_dict_get(doc.root, "error-reason");

		fprintf(stderr, "kicectl: error: %.*s\n",
			why && why->type == BN_STR ? (int)why->len : 7,
			why && why->type == BN_STR ? why->str : "unknown");
	} else if (!res) {
		fprintf(stderr, "kicectl: reply without result\n");
	} else {
		ret = print(o, doc.root);
	}
	bn_doc_free(&doc);
	free(reply);
	return ret;
}

static void put_common(struct bn_buf *b, const struct ng_opts *o)
{
	if (o->family)
		bn_kv_str(b, "address family", o->family);
	if (o->ice)
		bn_kv_str(b, "ICE", o->ice);
	if (o->call_id)
		bn_kv_str(b, "call-id", o->call_id);
}

static int print_pong(const struct ng_opts *o, const struct bn *r)
{
	puts("pong");
	return 0;
}

static int print_sdp(const struct ng_opts *o, const struct bn *r)
{
	const struct bn *sdp = bn_dict_get(r, "sdp");
	int i;

	/* a trickle ICE fragment is only acknowledged */
	for (i = 0; !sdp && i < o->nflags; i++)
		if (ng_flag_lookup(o->flags[i], strlen(o->flags[i])) ==
		    NG_F_FRAGMENT)
			return 0;
	if (!sdp || sdp->type != BN_STR) {
		fprintf(stderr, "kicectl: reply without sdp\n");
		return 1;
	}
	fwrite(sdp->str, 1, sdp->len, stdout);
	return 0;
}

static int print_json(const struct ng_opts *o, const struct bn *r)
{
	bn_json_print(stdout, r);
	putchar('\n');
	return 0;
}

static int print_calls(const struct ng_opts *o, const struct bn *r)
{
	const struct bn *calls = bn_dict_get(r, "calls"), *c;

	if (!calls || calls->type != BN_LIST)
		return 1;
	for (c = calls->child; c; c = c->next)
		if (c->type == BN_STR)
			printf("%.*s\n", (int)c->len, c->str);
	return 0;
}

static int print_ok(const struct ng_opts *o, const struct bn *r)
{
	return 0;
}

static int run_simple(int argc, char **argv, const char *cmd,
		      void (*usage)(void),
		      int (*print)(const struct ng_opts *o,
				   const struct bn *reply))
{
	struct ng_opts o;
	struct bn_buf b;
	int r = ng_parse_opts(argc, argv, &o), ret;

	if (r) {
		usage();
		return r > 0 ? 0 : 2;
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if ((!strcmp(cmd, "delete") || !strcmp(cmd, "query")) && !o.call_id) {
		fprintf(stderr, "kicectl %s: --call-id is required\n", cmd);
		return 2;
	}
	bn_buf_init(&b);
	bn_open_dict(&b);
	put_common(&b, &o);
	bn_kv_str(&b, "command", cmd);
	if (o.from_tag)
		bn_kv_str(&b, "from-tag", o.from_tag);
	if (o.limit >= 0)
		bn_kv_int(&b, "limit", o.limit);
	if (o.to_tag)
		bn_kv_str(&b, "to-tag", o.to_tag);
	bn_close(&b);
	if (bn_buf_finish(&b)) {
		bn_buf_free(&b);
		return 1;
	}
	ret = ng_transact(&o, b.data, b.len, print);
	bn_buf_free(&b);
	return ret;
}

int cmd_ping(int argc, char **argv)
{
	return run_simple(argc, argv, "ping", cmd_ping_usage, print_pong);
}

int cmd_delete(int argc, char **argv)
{
	return run_simple(argc, argv, "delete", cmd_delete_usage, print_ok);
}

int cmd_query(int argc, char **argv)
{
	return run_simple(argc, argv, "query", cmd_query_usage, print_json);
}

int cmd_list(int argc, char **argv)
{
	return run_simple(argc, argv, "list", cmd_list_usage, print_calls);
}

int cmd_stats(int argc, char **argv)
{
	return run_simple(argc, argv, "statistics", cmd_stats_usage,
			  print_json);
}

static int run_sdp(int argc, char **argv, const char *cmd,
		   void (*usage)(void))
{
	struct ng_opts o;
	struct bn_buf b;
	char *sdp = NULL;
	size_t sdp_len = 0;
	int r = ng_parse_opts(argc, argv, &o), ret, i;

	if (r || optind != argc) {
		usage();
		return r > 0 ? 0 : 2;
	}
	if (!o.call_id || !o.from_tag ||
	    (!strcmp(cmd, "answer") && !o.to_tag)) {
		fprintf(stderr, "kicectl %s: --call-id, --from-tag%s are "
			"required\n", cmd,
			!strcmp(cmd, "answer") ? " and --to-tag" : "");
		return 2;
	}
	if (o.direction && (!strchr(o.direction, ',') ||
			    *o.direction == ',' ||
			    !strchr(o.direction, ',')[1])) {
		fprintf(stderr, "kicectl %s: --direction takes two interface "
			"names, \"A,B\"\n", cmd);
		return 2;
	}
	if (o.sdp) {
		sdp = strdup(o.sdp);
		sdp_len = sdp ? strlen(sdp) : 0;
	} else {
		FILE *f = o.sdp_file ? fopen(o.sdp_file, "re") : stdin;

		if (!f) {
			fprintf(stderr, "kicectl: %s: %s\n", o.sdp_file,
				strerror(errno));
			return 1;
		}
		sdp = read_all(f, &sdp_len);
		if (f != stdin)
			fclose(f);
	}
	if (!sdp) {
		fprintf(stderr, "kicectl: cannot read SDP\n");
		return 1;
	}
	bn_buf_init(&b);
	bn_open_dict(&b);
	put_common(&b, &o);
	bn_kv_str(&b, "command", cmd);
	if (o.direction) {
		const char *comma = strchr(o.direction, ',');

		bn_put_cstr(&b, "direction");
		bn_open_list(&b);
		bn_put_str(&b, o.direction, (size_t)(comma - o.direction));
		bn_put_cstr(&b, comma + 1);
		bn_close(&b);
	}
	if (o.nflags) {
		bn_put_cstr(&b, "flags");
		bn_open_list(&b);
		for (i = 0; i < o.nflags; i++)
			bn_put_cstr(&b, o.flags[i]);
		bn_close(&b);
	}
	bn_kv_str(&b, "from-tag", o.from_tag);
	bn_kv_strn(&b, "sdp", sdp, sdp_len);
	if (o.to_tag)
		bn_kv_str(&b, "to-tag", o.to_tag);
	if (o.via_branch)
		bn_kv_str(&b, "via-branch", o.via_branch);
	bn_close(&b);
	free(sdp);
	if (bn_buf_finish(&b)) {
		bn_buf_free(&b);
		return 1;
	}
	ret = ng_transact(&o, b.data, b.len, print_sdp);
	bn_buf_free(&b);
	return ret;
}

int cmd_offer(int argc, char **argv)
{
	return run_sdp(argc, argv, "offer", cmd_offer_usage);
}

int cmd_answer(int argc, char **argv)
{
	return run_sdp(argc, argv, "answer", cmd_answer_usage);
}

int cmd_ng(int argc, char **argv)
{
	struct ng_opts o;
	int r = ng_parse_opts(argc, argv, &o);

	if (r || optind != argc - 1) {
		cmd_ng_usage();
		return r > 0 ? 0 : 2;
	}
	return ng_transact(&o, argv[optind], strlen(argv[optind]), NULL);
}
