// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl show [sessions|flows|sockets] [-j]: what kice is relaying.
 *
 * Sessions come from kiced over ng (list, then query per call); flows and
 * sockets from kice.ko over netlink (dumps).  Flows also lists the media
 * streams kiced relays in userspace, so that every flow says where it is
 * relayed.  The JSON layout is documented in Documentation/kicectl.rst.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kice.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bencode.h"
#include "ctl/bn_json.h"
#include "ctl/ng_addr.h"
#include "ctl/ng_client.h"
#include "kicectl/kicectl.h"
#include "kicectl/kout.h"
#include "knl/knl.h"

#define SHOW_MAX_SESSIONS	4096

struct show_session {
	char *raw;			/* query reply; doc points into it */
	size_t len;
	struct bn_doc doc;
};

struct show {
	bool json;
	int timeout_ms;
	const char *server;
	/* from kiced */
	bool have_kiced;
	struct show_session *ss;
	size_t nss;
	/* from kice.ko */
	bool have_kernel;
	struct knl nl;
	bool first;			/* JSON: no comma before the next */
};

void cmd_show_usage(void)
{
	printf("usage: kicectl show [sessions|flows|sockets] [-j] [-s ADDR] "
	       "[-t MS]\n"
	       "Without an object, shows all three.  sessions: kiced's calls "
	       "(ng list and\nquery); flows: kice.ko's flows and the streams "
	       "kiced relays in userspace;\nsockets: the UDP sockets attached "
	       "to kice.ko.\n"
	       "  -j, --json          JSON (see Documentation/kicectl.rst)\n"
	       "  -s, --server ADDR   kiced's ng address (default $KICE_NG or "
	       "127.0.0.1:2223)\n"
	       "  -t, --timeout MS    ng timeout per attempt (default 500)\n");
}

/* ---- bencode helpers ---- */

static const char *bstr(const struct bn *n, const char *key, char *buf,
			size_t len)
{
	const struct bn *v = bn_dict_get(n, key);

	if (!v || v->type != BN_STR) {
		buf[0] = 0;
		return NULL;
	}
	snprintf(buf, len, "%.*s", (int)v->len, v->str);
	return buf;
}

static int64_t bint(const struct bn *n, const char *key)
{
	const struct bn *v = bn_dict_get(n, key);

	return v && v->type == BN_INT ? v->num : -1;
}

/* ---- ng ---- */

static int show_ng(struct ng_client *cl, const char *cmd, const char *call_id,
		   char **reply, size_t *rlen)
{
	struct bn_buf b;
	int err;

	bn_buf_init(&b);
	bn_open_dict(&b);
	if (call_id)
		bn_kv_str(&b, "call-id", call_id);
	bn_kv_str(&b, "command", cmd);
	if (!call_id)
		bn_kv_int(&b, "limit", SHOW_MAX_SESSIONS);
	bn_close(&b);
	if (bn_buf_finish(&b)) {
		bn_buf_free(&b);
		return -ENOMEM;
	}
	err = ng_client_call(cl, b.data, b.len, reply, rlen) ? -errno : 0;
	bn_buf_free(&b);
	return err;
}

static int show_fetch_sessions(struct show *sh)
{
	struct ng_client cl;
	struct ng_addr a;
	struct bn_doc doc;
	const struct bn *calls, *id;
	char *reply = NULL, cid[512];
	size_t rlen;
	int err;

	if (ng_addr_parse(sh->server, &a)) {
		fprintf(stderr, "kicectl: bad server address '%s'\n",
			sh->server);
		return -EINVAL;
	}
	if (ng_client_open(&cl, &a))
		return -errno;
	cl.timeout_ms = sh->timeout_ms;
	err = show_ng(&cl, "list", NULL, &reply, &rlen);
	if (err)
		goto out;
	if (bn_decode(&doc, reply, rlen)) {
		err = -EBADMSG;
		goto out;
	}
	calls = bn_dict_get(doc.root, "calls");
	if (!calls || calls->type != BN_LIST) {
		bn_doc_free(&doc);
		err = -EBADMSG;
		goto out;
	}
	sh->ss = calloc(calls->len ? calls->len : 1, sizeof(*sh->ss));
	if (!sh->ss) {
		bn_doc_free(&doc);
		err = -ENOMEM;
		goto out;
	}
	for (id = calls->child; id; id = id->next) {
		struct show_session *s = &sh->ss[sh->nss];
		const struct bn *res;

		if (id->type != BN_STR)
			continue;
		snprintf(cid, sizeof(cid), "%.*s", (int)id->len, id->str);
		if (show_ng(&cl, "query", cid, &s->raw, &s->len))
			continue;	/* gone meanwhile */
		if (bn_decode(&s->doc, s->raw, s->len)) {
			free(s->raw);
			continue;
		}
		res = bn_dict_get(s->doc.root, "result");
		if (!bn_is_str(res, "ok")) {
			bn_doc_free(&s->doc);
			free(s->raw);
			continue;
		}
		sh->nss++;
	}
	bn_doc_free(&doc);
	sh->have_kiced = true;
out:
	free(reply);
	ng_client_close(&cl);
	return err;
}

/* ---- sessions ---- */

static void show_side_human(const struct bn *side, const char *name)
{
	char la[64], ra[64], st[32];
	const struct bn *rtp = bn_dict_get(side, "RTP");

	if (!side)
		return;
	bstr(side, "local address", la, sizeof(la));
	bstr(side, "remote address", ra, sizeof(ra));
	printf("    %-9s %s:%" PRId64 " <-> ", name, la,
	       bint(side, "local port"));
	if (*ra)
		printf("%s:%" PRId64, ra, bint(side, "remote port"));
	else
		printf("(unknown)");
	if (bstr(side, "ICE state", st, sizeof(st)))
		printf("  ICE %s", st);
	if (rtp)
		printf("  rx %" PRId64 " packets, %" PRId64 " bytes",
		       bint(rtp, "packets"), bint(rtp, "bytes"));
	printf("\n");
}

static void show_sessions_human(struct show *sh)
{
	size_t i;

	for (i = 0; i < sh->nss; i++) {
		const struct bn *r = sh->ss[i].doc.root, *media, *m, *fl;
		char cid[512], from[256], to[256], state[32], relay[32];
		char type[32], proto[64];

		bstr(r, "call-id", cid, sizeof(cid));
		bstr(r, "from-tag", from, sizeof(from));
		bstr(r, "to-tag", to, sizeof(to));
		bstr(r, "state", state, sizeof(state));
		bstr(r, "relay", relay, sizeof(relay));
		printf("%ssession: %s\n", i ? "\n" : "", cid);
		printf("  state: %s\n  relay: %s\n  from-tag: %s\n", state,
		       relay, from);
		if (*to)
			printf("  to-tag: %s\n", to);
		media = bn_dict_get(r, "media");
		for (m = media && media->type == BN_LIST ? media->child : NULL;
		     m; m = m->next) {
			bstr(m, "type", type, sizeof(type));
			bstr(m, "protocol", proto, sizeof(proto));
			printf("  media %" PRId64 ": %s %s", bint(m, "index"),
			       type, proto);
			fl = bn_dict_get(m, "kernel flows");
			if (fl && fl->type == BN_LIST && fl->child &&
			    fl->child->next)
				printf(", kernel flows %" PRId64 " (rtp) %"
				       PRId64 " (rtcp)", fl->child->num,
				       fl->child->next->num);
			printf("\n");
			show_side_human(bn_dict_get(m, "offerer"), "offerer:");
			show_side_human(bn_dict_get(m, "answerer"),
					"answerer:");
		}
	}
}

static void show_sessions_json(struct show *sh)
{
	size_t i;

	printf("\"sessions\": [");
	for (i = 0; i < sh->nss; i++) {
		printf("%s\n  ", i ? "," : "");
		bn_json_print(stdout, sh->ss[i].doc.root);
	}
	printf("%s]", sh->nss ? "\n" : "");
}

/* ---- flows ---- */

/* Call-id, media index and component of kernel flow @id, per kiced. */
static bool show_flow_owner(struct show *sh, uint32_t id, char *cid,
			    size_t len, int64_t *index, const char **comp)
{
	size_t i;

	for (i = 0; i < sh->nss; i++) {
		const struct bn *r = sh->ss[i].doc.root, *media, *m, *fl;

		media = bn_dict_get(r, "media");
		for (m = media && media->type == BN_LIST ? media->child : NULL;
		     m; m = m->next) {
			fl = bn_dict_get(m, "kernel flows");
			if (!fl || fl->type != BN_LIST || !fl->child ||
			    !fl->child->next)
				continue;
			if (fl->child->num != id && fl->child->next->num != id)
				continue;
			bstr(r, "call-id", cid, len);
			*index = bint(m, "index");
			*comp = fl->child->num == id ? "rtp" : "rtcp";
			return true;
		}
	}
	return false;
}

static void show_leg_human(const struct knl_flow_info *f, int i)
{
	const struct knl_stats *st = &f->leg[i].st;
	char ep[64], turn[96];

	printf("  leg %s: socket %u -> %s\n", kout_leg_name(i), f->leg[i].sock,
	       kout_ep(&f->leg[i].remote, ep, sizeof(ep)));
	/* the remote is reached through a channel on this TURN server */
	if (*kout_turn(f, i, turn, sizeof(turn)))
		printf("    via: %s\n", turn);
	printf("    rx: %" PRIu64 " packets, %" PRIu64 " bytes;  tx: %"
	       PRIu64 " packets, %" PRIu64 " bytes", st->rx_packets,
	       st->rx_bytes, st->tx_packets, st->tx_bytes);
	if (st->last_rx_age_ms >= 0)
		printf(";  last rx %" PRId64 " ms ago", st->last_rx_age_ms);
	printf("\n");
	if (st->drop_malformed || st->drop_unknown || st->drop_tx)
		printf("    dropped: %" PRIu64 " malformed, %" PRIu64
		       " unknown, %" PRIu64 " on send\n", st->drop_malformed,
		       st->drop_unknown, st->drop_tx);
}

static int show_kernel_flow(const struct knl_flow_info *f, void *arg)
{
	struct show *sh = arg;
	const char *comp = NULL;
	int64_t index = -1;
	char cid[512];
	bool owned;

	owned = show_flow_owner(sh, f->id, cid, sizeof(cid), &index, &comp);
	if (!sh->json) {
		printf("%sflow %u: kernel", sh->first ? "" : "\n", f->id);
		if (owned)
			printf(", call %s media %" PRId64 " %s", cid, index,
			       comp);
		printf("\n");
		show_leg_human(f, 0);
		show_leg_human(f, 1);
		if (f->has_b_rtcp)
			show_leg_human(f, 2);
		if (f->idle_ms)
			printf("  idle timeout: %u ms\n", f->idle_ms);
		if (f->dscp >= 0)
			printf("  dscp: %d\n", f->dscp);
		sh->first = false;
		return 0;
	}
	printf("%s\n  {\"id\": %u, \"relay\": \"kernel\", \"call_id\": ",
	       sh->first ? "" : ",", f->id);
	kout_json_str(stdout, owned ? cid : NULL);
	if (owned)
		printf(", \"media\": %" PRId64 ", \"component\": \"%s\"",
		       index, comp);
	else
		printf(", \"media\": null, \"component\": null");
	printf(", \"idle_timeout_ms\": %u, \"dscp\": ", f->idle_ms);
	if (f->dscp >= 0)
		printf("%d", f->dscp);
	else
		printf("null");
	printf(", \"dtls\": \"%s\", \"legs\": [",
	       f->dtls_policy == KICE_DTLS_POLICY_RELAY ? "relay" : "pass");
	kout_json_leg(stdout, f, 0);
	printf(", ");
	kout_json_leg(stdout, f, 1);
	if (f->has_b_rtcp) {
		printf(", ");
		kout_json_leg(stdout, f, 2);
	}
	printf("]}");
	sh->first = false;
	return 0;
}

/* Streams kiced relays itself: one "flow" per media line. */
static void show_user_flows(struct show *sh)
{
	static const char *const sides[2] = { "offerer", "answerer" };
	size_t i;
	int s;

	for (i = 0; i < sh->nss; i++) {
		const struct bn *r = sh->ss[i].doc.root, *media, *m;
		char cid[512];

		bstr(r, "call-id", cid, sizeof(cid));
		media = bn_dict_get(r, "media");
		for (m = media && media->type == BN_LIST ? media->child : NULL;
		     m; m = m->next) {
			if (bn_dict_get(m, "kernel flows") ||
			    !bn_dict_get(m, "offerer"))
				continue;
			if (!sh->json) {
				printf("%sflow -: userspace, call %s media %"
				       PRId64 "\n", sh->first ? "" : "\n", cid,
				       bint(m, "index"));
				show_side_human(bn_dict_get(m, "offerer"),
						"offerer:");
				show_side_human(bn_dict_get(m, "answerer"),
						"answerer:");
				sh->first = false;
				continue;
			}
			printf("%s\n  {\"id\": null, \"relay\": \"userspace\", "
			       "\"call_id\": ", sh->first ? "" : ",");
			kout_json_str(stdout, cid);
			printf(", \"media\": %" PRId64 ", \"component\": null, "
			       "\"legs\": [", bint(m, "index"));
			for (s = 0; s < 2; s++) {
				const struct bn *e = bn_dict_get(m, sides[s]);
				const struct bn *rtp = bn_dict_get(e, "RTP");
				char la[64], ra[64];

				bstr(e, "local address", la, sizeof(la));
				bstr(e, "remote address", ra, sizeof(ra));
				printf("%s{\"leg\": \"%s\", \"local_ip\": ",
				       s ? ", " : "", sides[s]);
				kout_json_str(stdout, *la ? la : NULL);
				printf(", \"local_port\": %" PRId64
				       ", \"ip\": ", bint(e, "local port"));
				kout_json_str(stdout, *ra ? ra : NULL);
				printf(", \"port\": ");
				if (*ra)
					printf("%" PRId64,
					       bint(e, "remote port"));
				else
					printf("null");
				printf(", \"stats\": {\"rx_packets\": %" PRId64
				       ", \"rx_bytes\": %" PRId64 "}}",
				       rtp ? bint(rtp, "packets") : 0,
				       rtp ? bint(rtp, "bytes") : 0);
			}
			printf("]}");
			sh->first = false;
		}
	}
}

static int show_flows(struct show *sh)
{
	int err = 0;

	sh->first = true;
	if (sh->json)
		printf("\"flows\": [");
	if (sh->have_kernel) {
		err = knl_flow_dump(&sh->nl, show_kernel_flow, sh);
		if (err)
			fprintf(stderr, "kicectl: flow dump: %s\n",
				strerror(-err));
	}
	show_user_flows(sh);
	if (sh->json)
		printf("%s]", sh->first ? "" : "\n");
	return err;
}

/* ---- sockets ---- */

static int show_sock(const struct knl_sock_info *s, void *arg)
{
	struct show *sh = arg;
	const char *fam = s->family == AF_INET6 ? "ipv6" : "ipv4";
	const char *pol = s->unknown_policy == KICE_UNKNOWN_POLICY_DROP ?
			  "drop" : "pass";

	if (!sh->json) {
		printf("socket %u: udp %s port %u, %u flow legs\n"
		       "  unknown datagrams: %s (%" PRIu64 " passed, %" PRIu64
		       " dropped); stun passed: %" PRIu64 "\n", s->id, fam,
		       s->port, s->flows, pol, s->unknown_passed,
		       s->unknown_dropped, s->stun_passed);
		return 0;
	}
	printf("%s\n  {\"id\": %u, \"family\": \"%s\", \"port\": %u, "
	       "\"flow_legs\": %u, \"unknown_policy\": \"%s\", "
	       "\"unknown_passed\": %" PRIu64 ", \"unknown_dropped\": %" PRIu64
	       ", \"stun_passed\": %" PRIu64 "}", sh->first ? "" : ",", s->id,
	       fam, s->port, s->flows, pol, s->unknown_passed,
	       s->unknown_dropped, s->stun_passed);
	sh->first = false;
	return 0;
}

static int show_sockets(struct show *sh)
{
	int err = 0;

	sh->first = true;
	if (sh->json)
		printf("\"sockets\": [");
	if (sh->have_kernel) {
		err = knl_sock_dump(&sh->nl, show_sock, sh);
		if (err)
			fprintf(stderr, "kicectl: socket dump: %s\n",
				strerror(-err));
	}
	if (sh->json)
		printf("%s]", sh->first ? "" : "\n");
	return err;
}

/* ---- command ---- */

static const struct option show_opts[] = {
	{ "json",	no_argument,	   NULL, 'j' },
	{ "server",	required_argument, NULL, 's' },
	{ "timeout",	required_argument, NULL, 't' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_show(int argc, char **argv)
{
	struct show sh = { .timeout_ms = 500 };
	bool sessions = true, flows = true, sockets = true;
	int c, err, ret = 0;
	size_t i;

	sh.server = getenv("KICE_NG");
	if (!sh.server || !*sh.server)
		sh.server = "127.0.0.1:2223";
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:t:h", show_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			sh.json = true;
			break;
		case 's':
			sh.server = optarg;
			break;
		case 't':
			sh.timeout_ms = atoi(optarg);
			if (sh.timeout_ms <= 0) {
				fprintf(stderr, "kicectl: bad timeout '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			cmd_show_usage();
			return 0;
		default:
			cmd_show_usage();
			return 2;
		}
	}
	if (optind < argc) {
		const char *what = argv[optind++];

		sessions = !strcmp(what, "sessions");
		flows = !strcmp(what, "flows");
		sockets = !strcmp(what, "sockets");
		if ((!sessions && !flows && !sockets) || optind < argc) {
			fprintf(stderr, "kicectl: show what? '%s'\n", what);
			cmd_show_usage();
			return 2;
		}
	}

	if (sessions || flows) {
		err = show_fetch_sessions(&sh);
		if (err) {
			fprintf(stderr, "kicectl: kiced at %s: %s\n", sh.server,
				err == -ETIMEDOUT ? "no reply" : strerror(-err));
			if (sessions)
				ret = 1;	/* the only source of sessions */
		}
	}
	if (flows || sockets) {
		err = knl_open(&sh.nl);
		if (err == -ENOENT)
			fprintf(stderr, "kicectl: kice.ko is not loaded: "
				"no kernel flows\n");
		else if (err)
			fprintf(stderr, "kicectl: kice.ko: %s\n",
				strerror(-err));
		sh.have_kernel = !err;
		if (err && err != -ENOENT)
			ret = 1;
	}

	if (sh.json)
		printf("{");
	if (sessions) {
		if (sh.json)
			show_sessions_json(&sh);
		else
			show_sessions_human(&sh);
	}
	if (flows) {
		if (sh.json && sessions)
			printf(",\n");
		else if (!sh.json && sessions && sh.nss)
			printf("\n");
		if (show_flows(&sh))
			ret = 1;
	}
	if (sockets) {
		if (sh.json && (sessions || flows))
			printf(",\n");
		else if (!sh.json && (sessions || flows))
			printf("\n");
		if (show_sockets(&sh))
			ret = 1;
	}
	if (sh.json)
		printf("}\n");

	knl_close(&sh.nl);
	for (i = 0; i < sh.nss; i++) {
		bn_doc_free(&sh.ss[i].doc);
		free(sh.ss[i].raw);
	}
	free(sh.ss);
	return ret;
}
