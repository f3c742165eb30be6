// SPDX-License-Identifier: GPL-2.0
/*
 * nicepeer: the icepeer protocol (SDP through files, pair type check,
 * ping/pong echo, "bye") on a libnice agent, for interop tests and for
 * the connect-time benchmark.  SDP is read and written with agent/sdp so
 * that both peers exchange complete RFC 8839 descriptions.
 *
 * As an RTP endpoint behind kiced (--rtp N): one or two components
 * (--components), RTCP multiplexed on component 1 (--rtcp-mux, RFC 5761)
 * or on component 2; N RTP packets whose payload starts "ping" are sent
 * and those coming back with "pong" counted, and as many RTCP sender
 * reports, counted when they come back.
 *
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <nice/agent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

static struct {
	const char *local, *remote, *expect;
	const char *stun_ip, *turn_ip, *turn_user, *turn_pass;
	unsigned int stun_port, turn_port;
	unsigned int timeout_s, echo, ncomp, rtp;
	bool controlling, regular, verbose, mux, lite;
} opt = { .timeout_s = 20, .turn_user = "kice", .turn_pass = "kice",
	  .ncomp = 1 };

static struct {
	GMainLoop *loop;
	NiceAgent *agent;
	guint stream;
	bool gathered, connected, failed, bye;
	gint64 connected_at, applied_at, first_back_at, first_back_real;
	unsigned int echoed, selected, rtp_back, rtcp_back;
} st;

static void on_gathered(NiceAgent *a, guint stream, gpointer data)
{
	st.gathered = true;
	g_main_loop_quit(st.loop);
}

static void on_state(NiceAgent *a, guint stream, guint comp, guint state,
		     gpointer data)
{
	if (opt.verbose)
		fprintf(stderr, "nicepeer: state %s\n",
			nice_component_state_to_string(state));
	if (state == NICE_COMPONENT_STATE_FAILED) {
		st.failed = true;
		g_main_loop_quit(st.loop);
	}
}

/* "connected": a pair was selected (nominated) on every component */
static void on_selected(NiceAgent *a, guint stream, guint comp,
			NiceCandidate *l, NiceCandidate *r, gpointer data)
{
	if (comp >= 1 && comp <= 2)
		st.selected |= 1u << comp;
	if (st.selected != (opt.ncomp == 2 ? 6u : 2u))
		return;
	if (!st.connected) {
		st.connected = true;
		st.connected_at = g_get_monotonic_time();
		g_main_loop_quit(st.loop);
	}
}

/* RFC 5761 section 4: RTCP packet types 192-223 in the second byte */
static bool is_rtcp(const gchar *buf, guint len)
{
	return len >= 8 && (guint8)buf[1] >= 192 && (guint8)buf[1] <= 223;
}

static void on_recv(NiceAgent *a, guint stream, guint comp, guint len,
		    gchar *buf, gpointer data)
{
	if (opt.rtp) {
		if (is_rtcp(buf, len) && (comp == 2 || opt.mux))
			st.rtcp_back++;
		else if (comp == 1 && len >= 16 && !memcmp(buf + 12, "pong", 4) &&
			 !st.rtp_back++) {
			st.first_back_at = g_get_monotonic_time();
			st.first_back_real = g_get_real_time();
		}
		return;
	}
	if (len == 3 && !memcmp(buf, "bye", 3)) {
		st.bye = true;
		g_main_loop_quit(st.loop);
	} else if (len > 5 && !memcmp(buf, "ping ", 5)) {
		gchar reply[64];
		guint n = len < sizeof(reply) ? len : sizeof(reply);

		memcpy(reply, buf, n);
		memcpy(reply, "pong ", 5);
		nice_agent_send(a, stream, comp, n, reply);
	} else if (len > 5 && !memcmp(buf, "pong ", 5)) {
		st.echoed++;
	}
}

static gboolean on_timeout(gpointer data)
{
	*(bool *)data = true;
	g_main_loop_quit(st.loop);
	return G_SOURCE_REMOVE;
}

static const char *type_name(NiceCandidateType t)
{
	switch (t) {
	case NICE_CANDIDATE_TYPE_HOST: return "host";
	case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
	case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
	case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
	}
	return "?";
}

static bool expect_match(const char *pats, const char *got)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", pats);
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!fnmatch(p, got, 0))
			return true;
	return false;
}

/* the default candidate of a component: its first host candidate */
static bool default_cand(guint comp, char ip[NICE_ADDRESS_STRING_LEN], guint *port)
{
	GSList *cands = nice_agent_get_local_candidates(st.agent, st.stream, comp);
	bool found = false;

	for (GSList *i = cands; i && !found; i = i->next) {
		NiceCandidate *c = i->data;

		if (c->type != NICE_CANDIDATE_TYPE_HOST ||
		    nice_address_ip_version(&c->addr) != 4)
			continue;
		nice_address_to_string(&c->addr, ip);
		*port = nice_address_get_port(&c->addr);
		found = true;
	}
	g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
	return found;
}

static int write_sdp(void)
{
	gchar *ufrag = NULL, *pwd = NULL, tmp[512];
	char ip[NICE_ADDRESS_STRING_LEN] = "0.0.0.0", ip2[NICE_ADDRESS_STRING_LEN];
	guint port = 9, port2 = 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", opt.local);
	f = fopen(tmp, "w");
	if (!f || !nice_agent_get_local_credentials(st.agent, st.stream, &ufrag, &pwd))
		return -1;
	default_cand(1, ip, &port);
	fprintf(f, "v=0\r\no=- 0 0 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		"a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n%sm=audio %u RTP/AVP 0\r\n",
		ip, ip, ufrag, pwd, opt.lite ? "a=ice-lite\r\n" : "", port);
	if (opt.ncomp == 2 && default_cand(2, ip2, &port2))
		fprintf(f, "a=rtcp:%u IN IP4 %s\r\n", port2, ip2);
	if (opt.mux)
		fprintf(f, "a=rtcp-mux\r\n");
	for (guint comp = 1; comp <= opt.ncomp; comp++) {
		GSList *cands = nice_agent_get_local_candidates(st.agent,
								 st.stream, comp);

		for (GSList *i = cands; i; i = i->next) {
			gchar *line = nice_agent_generate_local_candidate_sdp(st.agent,
									      i->data);

			fprintf(f, "%s\r\n", line);
			g_free(line);
		}
		g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
	}
	fprintf(f, "a=end-of-candidates\r\n");
	g_free(ufrag);
	g_free(pwd);
	if (fclose(f) || rename(tmp, opt.local))
		return -1;
	return 0;
}

static int read_sdp(void)
{
	struct sdp_session s;
	struct sdp_error err;
	char buf[65536], line[1100];
	const char *u, *p;
	size_t n;
	FILE *f = fopen(opt.remote, "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (sdp_parse(buf, n, &s, &err)) {
		fprintf(stderr, "nicepeer: line %u: %s\n", err.line,
			sdp_strerror(err.code));
		return -2;
	}
	if (!s.nmedia) {
		sdp_session_free(&s);
		return -2;
	}
	u = s.media[0].ice.ufrag ? s.media[0].ice.ufrag : s.ice.ufrag;
	p = s.media[0].ice.pwd ? s.media[0].ice.pwd : s.ice.pwd;
	if (!u || !p) {
		sdp_session_free(&s);
		return -2;
	}
	nice_agent_set_remote_credentials(st.agent, st.stream, u, p);
	st.applied_at = g_get_monotonic_time();
	for (guint comp = 1; comp <= opt.ncomp; comp++) {
		GSList *list = NULL;

		for (size_t i = 0; i < s.media[0].ncands; i++) {
			NiceCandidate *c;

			if (s.media[0].cands[i].component != comp)
				continue;
			memcpy(line, "a=", 2);
			if (sdp_write_candidate(&s.media[0].cands[i], line + 2,
						sizeof(line) - 2) < 0)
				continue;
			c = nice_agent_parse_remote_candidate_sdp(st.agent,
								  st.stream, line);
			if (c)
				list = g_slist_append(list, c);
		}
		if (list)
			nice_agent_set_remote_candidates(st.agent, st.stream,
							 comp, list);
		g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
	}
	sdp_session_free(&s);
	return 0;
}

static void run_for(unsigned int ms)
{
	bool fired = false;
	guint id = g_timeout_add(ms, on_timeout, &fired);

	g_main_loop_run(st.loop);
	if (!fired)
		g_source_remove(id);
}

/*
 * RTP and RTCP through kiced to an echo on its other leg: RTP version 2,
 * PT 0, the payload "ping <i>"; RTCP a sender report (PT 200) on
 * component 2, or on component 1 when multiplexed.  Success: most RTP
 * packets come back as "pong".
 */
static bool send_rtp(void)
{
	guint rtcp_comp = opt.ncomp == 2 ? 2 : opt.mux ? 1 : 0;

	for (unsigned int i = 0; i < opt.rtp; i++) {
		guint8 rtp[32] = { 0x80, 0, (guint8)(i >> 8), (guint8)i,
				   0, 0, 0, 0, 0x6b, 0x69, 0x63, 0x65 };
		guint8 sr[28] = { 0x80, 200, 0, 6, 0x6b, 0x69, 0x63, 0x65 };
		int n = snprintf((char *)rtp + 12, sizeof(rtp) - 12, "ping %u", i);

		nice_agent_send(st.agent, st.stream, 1, 12 + (guint)n,
				(const gchar *)rtp);
		if (rtcp_comp) {
			sr[27] = (guint8)i;
			nice_agent_send(st.agent, st.stream, rtcp_comp,
					sizeof(sr), (const gchar *)sr);
		}
		run_for(20);
	}
	for (int i = 0; i < 20 && (st.rtp_back < opt.rtp ||
				   (rtcp_comp && st.rtcp_back < opt.rtp)); i++)
		run_for(50);
	printf("nicepeer: rtp %u/%u rtcp %u/%u\n", st.rtp_back, opt.rtp,
	       st.rtcp_back, rtcp_comp ? opt.rtp : 0);
	/* from applying the peer's description to the first RTP echoed,
	 * and when that was (wall clock, microseconds since the epoch) */
	if (st.rtp_back)
		printf("nicepeer: first rtp back in %.1f ms, at %" G_GINT64_FORMAT " us\n",
		       (double)(st.first_back_at - st.applied_at) / 1000,
		       st.first_back_real);
	return st.rtp_back >= opt.rtp * 8 / 10;
}

static int split_hostport(char *s, const char **ip, unsigned int *port)
{
	char *colon = strrchr(s, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	*ip = s;
	*port = (unsigned int)atoi(colon + 1);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "local", 1, NULL, 'L' }, { "remote", 1, NULL, 'R' },
		{ "controlling", 0, NULL, 'c' }, { "stun", 1, NULL, 's' },
		{ "turn", 1, NULL, 'U' }, { "turn-user", 1, NULL, 'u' },
		{ "turn-pass", 1, NULL, 'p' }, { "timeout", 1, NULL, 't' },
		{ "expect", 1, NULL, 'e' }, { "echo", 1, NULL, 'E' },
		{ "regular", 0, NULL, 'r' }, { "verbose", 0, NULL, 'v' },
		{ "no-ipv6", 0, NULL, '6' }, { "no-ipv4", 0, NULL, '4' },
		{ "components", 1, NULL, 'C' }, { "rtcp-mux", 0, NULL, 'M' },
		{ "rtp", 1, NULL, 'P' }, { "lite", 0, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	gint64 deadline;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (c) {
		case 'L': opt.local = optarg; break;
		case 'R': opt.remote = optarg; break;
		case 'c': opt.controlling = true; break;
		case 's':
			if (split_hostport(optarg, &opt.stun_ip, &opt.stun_port))
				return 2;
			break;
		case 'U':
			if (split_hostport(optarg, &opt.turn_ip, &opt.turn_port))
				return 2;
			break;
		case 'u': opt.turn_user = optarg; break;
		case 'p': opt.turn_pass = optarg; break;
		case 't': opt.timeout_s = (unsigned int)atoi(optarg); break;
		case 'e': opt.expect = optarg; break;
		case 'E': opt.echo = (unsigned int)atoi(optarg); break;
		case 'r': opt.regular = true; break;
		case 'v': opt.verbose = true; break;
		case '4': case '6': break;	/* libnice gathers every family */
		case 'C': opt.ncomp = (unsigned int)atoi(optarg); break;
		case 'M': opt.mux = true; break;
		case 'P': opt.rtp = (unsigned int)atoi(optarg); break;
		case 'l': opt.lite = true; break;
		default: return 2;
		}
	}
	if (!opt.local || !opt.remote || opt.ncomp < 1 || opt.ncomp > 2 ||
	    (opt.mux && opt.ncomp != 1))
		return 2;
	deadline = g_get_monotonic_time() + (gint64)opt.timeout_s * 1000000;
	st.loop = g_main_loop_new(NULL, FALSE);
	st.agent = nice_agent_new_full(g_main_loop_get_context(st.loop),
				       NICE_COMPATIBILITY_RFC5245,
				       (opt.regular ? NICE_AGENT_OPTION_REGULAR_NOMINATION : 0) |
				       (opt.lite ? NICE_AGENT_OPTION_LITE_MODE : 0));
	g_object_set(st.agent, "controlling-mode", opt.controlling,
		     "ice-tcp", FALSE, NULL);
	if (opt.stun_ip)
		g_object_set(st.agent, "stun-server", opt.stun_ip,
			     "stun-server-port", opt.stun_port, NULL);
	g_signal_connect(st.agent, "candidate-gathering-done",
			 G_CALLBACK(on_gathered), NULL);
	g_signal_connect(st.agent, "component-state-changed",
			 G_CALLBACK(on_state), NULL);
	g_signal_connect(st.agent, "new-selected-pair-full",
			 G_CALLBACK(on_selected), NULL);
	st.stream = nice_agent_add_stream(st.agent, opt.ncomp);
	for (guint comp = 1; comp <= opt.ncomp; comp++) {
		if (opt.turn_ip)
			nice_agent_set_relay_info(st.agent, st.stream, comp,
						  opt.turn_ip, opt.turn_port,
						  opt.turn_user, opt.turn_pass,
						  NICE_RELAY_TYPE_TURN_UDP);
		nice_agent_attach_recv(st.agent, st.stream, comp,
				       g_main_loop_get_context(st.loop),
				       on_recv, NULL);
	}
	if (!nice_agent_gather_candidates(st.agent, st.stream)) {
		fprintf(stderr, "nicepeer: no interface to gather on\n");
		goto out;
	}
	while (!st.gathered && g_get_monotonic_time() < deadline)
		run_for(100);
	if (!st.gathered || write_sdp()) {
		fprintf(stderr, "nicepeer: gathering or writing SDP failed\n");
		goto out;
	}
	for (;;) {
		int r = read_sdp();

		if (!r)
			break;
		if (r == -2 || g_get_monotonic_time() >= deadline) {
			fprintf(stderr, "nicepeer: no usable remote SDP\n");
			goto out;
		}
		run_for(20);
	}
	while (!st.connected && !st.failed && g_get_monotonic_time() < deadline)
		run_for(100);
	if (!st.connected) {
		fprintf(stderr, "nicepeer: %s\n", st.failed ? "ICE failed" : "timeout");
		goto out;
	}

	NiceCandidate *l, *r;
	char want[64], ls[NICE_ADDRESS_STRING_LEN], rs[NICE_ADDRESS_STRING_LEN];

	nice_agent_get_selected_pair(st.agent, st.stream, 1, &l, &r);
	nice_address_to_string(&l->addr, ls);
	nice_address_to_string(&r->addr, rs);
	printf("nicepeer: connected in %.1f ms local=%s %s:%u remote=%s %s:%u\n",
	       (double)(st.connected_at - st.applied_at) / 1000,
	       type_name(l->type), ls, nice_address_get_port(&l->addr),
	       type_name(r->type), rs, nice_address_get_port(&r->addr));
	rc = 0;
	snprintf(want, sizeof(want), "%s:%s", type_name(l->type), type_name(r->type));
	if (opt.expect && !expect_match(opt.expect, want)) {
		fprintf(stderr, "nicepeer: nominated %s, expected %s\n", want,
			opt.expect);
		rc = 1;
	}
	if (opt.rtp) {
		rc = send_rtp() ? rc : 1;
	} else if (opt.echo && opt.controlling) {
		for (unsigned int i = 0; i < opt.echo; i++) {
			char ping[32];
			int len = snprintf(ping, sizeof(ping), "ping %u", i);

			nice_agent_send(st.agent, st.stream, 1, (guint)len, ping);
			run_for(20);
		}
		for (int i = 0; i < 10 && st.echoed < opt.echo; i++)
			run_for(50);
		for (int i = 0; i < 3; i++)
			nice_agent_send(st.agent, st.stream, 1, 3, "bye");
		run_for(20);
		printf("nicepeer: echo %u/%u\n", st.echoed, opt.echo);
		if (st.echoed < opt.echo * 8 / 10)
			rc = 1;
	} else if (opt.echo) {
		while (!st.bye && g_get_monotonic_time() < deadline)
			run_for(100);
		if (!st.bye)
			rc = 1;
	}
out:
	g_object_unref(st.agent);
	g_main_loop_unref(st.loop);
	return rc;
}
