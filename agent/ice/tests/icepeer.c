// SPDX-License-Identifier: GPL-2.0
/*
 * icepeer: one ICE endpoint for network-namespace tests.  Gathers, writes
 * its SDP to a file, reads the peer's SDP from another file, connects,
 * checks the nominated pair's candidate types and echoes datagrams.
 * With --stun-server it is instead a minimal STUN Binding server.
 *
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ice/ice_loop.h"
#include "ice/ice_netif.h"
#include "ice/ice_sdp.h"
#include "ice/ice_session.h"
#include "stun/stun.h"

static struct {
	const char *local, *remote, *expect;
	unsigned int timeout_s, echo, ncomp;
	bool rtcp_mux;
	bool verbose;
	bool restart, vanish, expect_disconnect, trickle;
} opt = { .timeout_s = 20, .ncomp = 1 };

/* trickle ICE (RFC 8838) through files: LOCAL.trickle grows with
 * "a=candidate:" lines and ends with "a=end-of-candidates" */
static struct {
	struct ice_agent *agent;
	bool sdp_written, eoc_read;
	unsigned int sent, lines_read;
	bool started;
} tr;

static struct {
	bool gathered, connected, failed, bye, disconnected;
	unsigned int nconnected;
	uint64_t connected_us, disconnected_at;
	unsigned int echoed;
} st;

static void trickle_out(void);

static void on_event(struct ice_session *s, enum ice_event ev, int stream,
		     void *user)
{
	if (opt.verbose)
		fprintf(stderr, "icepeer: %.3f event %s\n",
			(double)(ice_now_us() % 100000000) / 1000,
			ice_event_name(ev));
	if (ev == ICE_EV_GATHERING_DONE)
		st.gathered = true;
	if (ev == ICE_EV_CANDIDATE || ev == ICE_EV_GATHERING_DONE)
		trickle_out();
	if (ev == ICE_EV_CONNECTED) {
		if (!st.connected)
			st.connected_us = ice_now_us();
		st.connected = true;
		st.nconnected++;
	}
	if (ev == ICE_EV_DISCONNECTED && !st.disconnected) {
		st.disconnected = true;
		st.disconnected_at = ice_now_ms();
	}
	if (ev == ICE_EV_FAILED)
		st.failed = true;
}

static void trickle_out(void)
{
	char path[512], line[600];
	struct ice_cand_info ci;
	FILE *f;

	if (!opt.trickle || !tr.sdp_written)
		return;
	snprintf(path, sizeof(path), "%s.trickle", opt.local);
	f = fopen(path, "a");
	if (!f)
		return;
	for (; !ice_agent_local(tr.agent, tr.sent, &ci); tr.sent++) {
		if (ci.type == ICE_CAND_PRFLX)
			continue;
		memcpy(line, "a=", 2);
		if (ice_sdp_candidate(&ci, line + 2, sizeof(line) - 2) > 0)
			fprintf(f, "%s\n", line);
	}
	if (ice_agent_gathering_done(tr.agent))
		fprintf(f, "a=end-of-candidates\n");
	fclose(f);
}

static void trickle_in(void)
{
	char path[512], line[600];
	unsigned int n = 0;
	FILE *f;

	if (!opt.trickle || !tr.started || tr.eoc_read)
		return;
	snprintf(path, sizeof(path), "%s.trickle", opt.remote);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct sdp_candidate c;
		struct ice_cand_info ci;

		if (!strchr(line, '\n'))
			break;		/* incomplete last line: next time */
		if (n++ < tr.lines_read)
			continue;
		tr.lines_read++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, "a=end-of-candidates")) {
			ice_agent_remote_eoc(tr.agent, -1, ice_now_ms());
			tr.eoc_read = true;
		} else if (!strncmp(line, "a=candidate:", 12) &&
			   !sdp_parse_candidate(line + 12, &c)) {
			if (!ice_sdp_cand_info(&c, 0, &ci))
				ice_agent_add_remote(tr.agent, &ci, ice_now_ms());
			sdp_candidate_free(&c);
		}
	}
	fclose(f);
}

/* one loop iteration plus trickle file polling */
static int pump(struct ice_loop *l, int ms)
{
	int r = ice_loop_run_once(l, ms);

	trickle_in();
	return r;
}

static void on_data(struct ice_session *s, unsigned int stream,
		    unsigned int comp, const void *buf, size_t len, void *user)
{
	struct ice_agent *a = ice_session_agent(s);

	if (len == 3 && !memcmp(buf, "bye", 3)) {
		st.bye = true;
		return;
	}
	if (len > 5 && !memcmp(buf, "ping ", 5)) {
		char reply[64];
		size_t n = len < sizeof(reply) ? len : sizeof(reply);

		memcpy(reply, buf, n);
		memcpy(reply, "pong ", 5);
		ice_agent_send(a, stream, comp, reply, n);
	} else if (len > 5 && !memcmp(buf, "pong ", 5)) {
		st.echoed++;
	}
}

static const struct ice_session_ops ops = {
	.event = on_event,
	.data = on_data,
};

static int parse_hostport(const char *s, struct ice_addr *a)
{
	char ip[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (ip[0] == '[') {
		memmove(ip, ip + 1, strlen(ip));
		ip[strlen(ip) - 1] = '\0';
	}
	return ice_addr_parse(a, ip, (uint16_t)atoi(colon + 1));
}

/*
 * RFC 3489 ("classic") Binding requests carry no magic cookie; libnice
 * sends them for server-reflexive discovery.  RFC 5389 7.3.1 asks a
 * server to answer them with MAPPED-ADDRESS (IPv4 only in RFC 3489).
 * Writes a 32-byte response to @out; returns 0 when @req is not one.
 */
static int classic_binding(const uint8_t *req, size_t n, uint8_t out[32],
			   const struct sockaddr_storage *from)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
	static const uint8_t cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };

	if (n < 20 || req[0] != 0x00 || req[1] != 0x01 ||
	    (size_t)((req[2] << 8 | req[3]) + 20) != n ||
	    !memcmp(req + 4, cookie, 4) || from->ss_family != AF_INET)
		return 0;
	out[0] = 0x01;			/* Binding success response */
	out[1] = 0x01;
	out[2] = 0;
	out[3] = 12;
	memcpy(out + 4, req + 4, 16);	/* 128-bit transaction ID */
	out[20] = 0x00;			/* MAPPED-ADDRESS, length 8 */
	out[21] = 0x01;
	out[22] = 0;
	out[23] = 8;
	out[24] = 0;
	out[25] = 0x01;			/* IPv4 */
	memcpy(out + 26, &sin->sin_port, 2);
	memcpy(out + 28, &sin->sin_addr, 4);
	return 32;
}

static int stun_server(const char *where, unsigned int lifetime_s)
{
	struct sockaddr_storage ss;
	struct ice_addr a;
	uint64_t end = ice_now_ms() + lifetime_s * 1000ull;
	int fd;

	if (parse_hostport(where, &a))
		return 2;
	fd = socket(a.family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, ice_addr_to_sa(&a, &ss))) {
		perror("stun-server");
		return 1;
	}
	struct timeval tv = { .tv_sec = 1 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (ice_now_ms() < end) {
		uint8_t buf[1500], out[128];
		socklen_t sl = sizeof(ss);
		struct stun_builder b;
		struct stun_msg m;
		ssize_t n;
		long l;

		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n > 0 && classic_binding(buf, (size_t)n, out, &ss) > 0) {
			sendto(fd, out, 32, 0, (struct sockaddr *)&ss, sl);
			continue;
		}
		if (n <= 0 || stun_msg_parse(&m, buf, (size_t)n) ||
		    stun_msg_class(&m) != STUN_REQUEST ||
		    stun_msg_method(&m) != STUN_BINDING)
			continue;
		stun_build_init(&b, out, sizeof(out),
				stun_type(STUN_BINDING, STUN_SUCCESS), m.tid);
		stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
				(struct sockaddr *)&ss);
		stun_build_fingerprint(&b);
		l = stun_build_finish(&b);
		if (l > 0)
			sendto(fd, out, (size_t)l, 0, (struct sockaddr *)&ss, sl);
	}
	close(fd);
	return 0;
}

static int write_sdp(struct ice_agent *a, const char *path)
{
	struct sdp_session s = { 0 };
	char tmp[512], *text = NULL;
	long n;
	FILE *f;

	if (ice_sdp_describe(a, &s, (opt.rtcp_mux ? ICE_SDP_RTCP_MUX : 0) |
			     (opt.trickle ? ICE_SDP_TRICKLE : 0)))
		return -1;
	n = sdp_write(&s, &text);
	sdp_session_free(&s);
	if (n < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fwrite(text, 1, (size_t)n, f) != (size_t)n || fclose(f) ||
	    rename(tmp, path)) {
		free(text);
		return -1;
	}
	if (opt.verbose)
		fprintf(stderr, "%s", text);
	free(text);
	return 0;
}

static int read_sdp(const char *path, struct sdp_session *s)
{
	struct sdp_error err;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (sdp_parse(buf, n, s, &err)) {
		fprintf(stderr, "icepeer: %s line %u: %s\n", path, err.line,
			sdp_strerror(err.code));
		return -2;
	}
	return 0;
}

/* "ltype:rtype" patterns (fnmatch), alternatives separated by ',' */
static bool expect_match(const char *pats, const char *got)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", pats);
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (!fnmatch(p, got, 0))
			return true;
	return false;
}

static void dump_pairs(struct ice_agent *a)
{
	for (unsigned int i = 0; i < ice_agent_npairs(a); i++) {
		struct ice_cand_info l, r;
		struct ice_pair_info p;
		char ls[ICE_ADDRSTRLEN], rs[ICE_ADDRSTRLEN];

		ice_agent_pair(a, i, &p);
		ice_agent_local(a, (unsigned int)p.local, &l);
		ice_agent_remote(a, (unsigned int)p.remote, &r);
		fprintf(stderr, "icepeer: pair %s %s -> %s %s: %s%s%s\n",
			ice_cand_type_name(l.type),
			ice_addr_str(&l.addr, ls, sizeof(ls)),
			ice_cand_type_name(r.type),
			ice_addr_str(&r.addr, rs, sizeof(rs)),
			ice_pair_state_name(p.state), p.valid ? " valid" : "",
			p.nominated ? " nominated" : "");
	}
}

static bool run_until(struct ice_loop *l, bool *flag, uint64_t deadline)
{
	while (!*flag && ice_now_ms() < deadline)
		pump(l, 50);
	return *flag;
}

/* @count pings 20 ms apart, numbered from @base; returns pongs seen */
static unsigned int ping_round(struct ice_loop *loop, struct ice_agent *a,
			       unsigned int count, unsigned int base,
			       uint64_t deadline)
{
	unsigned int before = st.echoed;

	for (unsigned int i = 0; i < count && ice_now_ms() < deadline; i++) {
		char ping[32];
		int len = snprintf(ping, sizeof(ping), "ping %u", base + i);
		uint64_t until = ice_now_ms() + 20;

		ice_agent_send(a, 0, 1, ping, (size_t)len);
		while (ice_now_ms() < until)
			pump(loop, 20);
	}
	for (uint64_t until = ice_now_ms() + 500; ice_now_ms() < until &&
	     st.echoed - before < count;)
		pump(loop, 50);
	return st.echoed - before;
}

/*
 * ICE restart while media flows: the controlling side restarts and offers
 * new credentials in LOCAL.2; the other side answers in its LOCAL.2.
 * Pings keep going (on the old pair) until the new pair is nominated.
 */
static int restart(struct ice_loop *loop, struct ice_session *sess,
		   uint64_t deadline)
{
	struct ice_agent *a = ice_session_agent(sess);
	char lpath[512], rpath[512];
	struct sdp_session remote;
	unsigned int before = st.nconnected, pings = 0, pongs = st.echoed;
	bool ctl = ice_agent_controlling(a);
	int r, n;

	snprintf(lpath, sizeof(lpath), "%s.2", opt.local);
	snprintf(rpath, sizeof(rpath), "%s.2", opt.remote);
	if (ctl && (ice_agent_restart(a, ice_now_ms()) || write_sdp(a, lpath)))
		return -1;
	while ((r = read_sdp(rpath, &remote)) && ice_now_ms() < deadline) {
		if (r == -2)
			return -1;
		if (ctl) {
			char ping[32];
			int len = snprintf(ping, sizeof(ping), "ping r%u", pings++);

			ice_agent_send(a, 0, 1, ping, (size_t)len);
		}
		pump(loop, 20);
	}
	if (r)
		return -1;
	n = ice_sdp_apply(a, &remote, ctl ? ICE_SDP_RESTARTED_LOCALLY : 0,
			  ice_now_ms());
	sdp_session_free(&remote);
	if (n < 0 || (!ctl && n != 1) || (!ctl && write_sdp(a, lpath)))
		return -1;
	ice_agent_start(a, ice_now_ms());
	ice_session_kick(sess);
	while (st.nconnected == before && ice_now_ms() < deadline) {
		if (ctl) {
			char ping[32];
			int len = snprintf(ping, sizeof(ping), "ping r%u", pings++);

			ice_agent_send(a, 0, 1, ping, (size_t)len);
		}
		pump(loop, 20);
	}
	if (st.nconnected == before)
		return -1;
	if (ctl)
		printf("icepeer: restarted: %u pings, %u pongs during the restart\n",
		       pings, st.echoed - pongs);
	/* media must have kept flowing on the old pair */
	return ctl && pings > 2 && st.echoed - pongs < pings / 2 ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: icepeer --local FILE --remote FILE [--controlling]\n"
		"  [--stun IP:PORT]... [--lite] [--aggressive] [--ncomp N]\n"
		"  [--rtcp-mux] [--iface IF] [--no-ipv4] [--no-ipv6] [--loopback]\n"
		"  [--timeout S] [--ta MS] [--expect LTYPE:RTYPE[,...]] [--echo N]\n"
		"  [--turn|--turn-tcp|--turn-tls IP:PORT [--turn-user U]\n"
		"   [--turn-pass P]] [--restart]\n"
		"  [--vanish] [--expect-disconnect] [--consent-interval MS]\n"
		"  [--consent-timeout MS] [--trickle] [-v]\n"
		"       icepeer --stun-server IP:PORT [--timeout S]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "local", 1, NULL, 'L' }, { "remote", 1, NULL, 'R' },
		{ "controlling", 0, NULL, 'c' }, { "stun", 1, NULL, 's' },
		{ "lite", 0, NULL, 'l' }, { "aggressive", 0, NULL, 'a' },
		{ "ncomp", 1, NULL, 'n' }, { "rtcp-mux", 0, NULL, 'm' },
		{ "iface", 1, NULL, 'i' }, { "no-ipv4", 0, NULL, '4' },
		{ "no-ipv6", 0, NULL, '6' }, { "loopback", 0, NULL, 'o' },
		{ "timeout", 1, NULL, 't' }, { "expect", 1, NULL, 'e' },
		{ "echo", 1, NULL, 'E' }, { "stun-server", 1, NULL, 'S' },
		{ "ta", 1, NULL, 'T' }, { "verbose", 0, NULL, 'v' },
		{ "turn", 1, NULL, 'U' }, { "turn-user", 1, NULL, 'u' },
		{ "turn-pass", 1, NULL, 'p' }, { "restart", 0, NULL, 'r' },
		{ "turn-tcp", 1, NULL, 'P' }, { "turn-tls", 1, NULL, 'Q' },
		{ "trickle", 0, NULL, 'k' },
		{ "vanish", 0, NULL, 'V' }, { "expect-disconnect", 0, NULL, 'D' },
		{ "consent-interval", 1, NULL, 'I' },
		{ "consent-timeout", 1, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct ice_netif_addr addrs[32];
	const char *stun_srv = NULL;
	struct ice_session *sess;
	struct sdp_session remote;
	struct ice_loop *loop;
	struct ice_agent *a;
	struct ice_cfg cfg;
	uint64_t deadline, applied, applied_us;
	int c, n, rc = 1;

	ice_cfg_default(&cfg);
	while ((c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (c) {
		case 'L': opt.local = optarg; break;
		case 'R': opt.remote = optarg; break;
		case 'c': cfg.controlling = true; break;
		case 's':
			if (cfg.nstun == ICE_MAX_SERVERS ||
			    parse_hostport(optarg, &cfg.stun[cfg.nstun].addr)) {
				usage();
				return 2;
			}
			cfg.nstun++;
			break;
		case 'l': cfg.lite = true; break;
		case 'a': cfg.aggressive = true; break;
		case 'n': opt.ncomp = (unsigned int)atoi(optarg); break;
		case 'm': opt.rtcp_mux = true; break;
		case 'i': cfg.only_iface = optarg; break;
		case '4': cfg.ipv4 = false; break;
		case '6': cfg.ipv6 = false; break;
		case 'o': cfg.loopback = true; break;
		case 't': opt.timeout_s = (unsigned int)atoi(optarg); break;
		case 'T': cfg.ta_ms = (unsigned int)atoi(optarg); break;
		case 'e': opt.expect = optarg; break;
		case 'E': opt.echo = (unsigned int)atoi(optarg); break;
		case 'S': stun_srv = optarg; break;
		case 'v': opt.verbose = true; break;
		case 'r': opt.restart = true; break;
		case 'k': opt.trickle = cfg.trickle = true; break;
		case 'V': opt.vanish = true; break;
		case 'D': opt.expect_disconnect = true; break;
		case 'I': cfg.consent_interval_ms = (unsigned int)atoi(optarg); break;
		case 'C': cfg.consent_timeout_ms = (unsigned int)atoi(optarg); break;
		case 'U':
		case 'P':
		case 'Q':
			if (cfg.nturn == ICE_MAX_SERVERS ||
			    parse_hostport(optarg, &cfg.turn[cfg.nturn].addr)) {
				usage();
				return 2;
			}
			cfg.turn[cfg.nturn].user = "kice";
			cfg.turn[cfg.nturn].pass = "kice";
			cfg.turn[cfg.nturn].transport = c == 'U' ? ICE_TURN_UDP :
				c == 'P' ? ICE_TURN_TCP : ICE_TURN_TLS;
			/* the tests' server has a self-signed certificate */
			cfg.turn[cfg.nturn].insecure = true;
			cfg.nturn++;
			break;
		case 'u':
		case 'p':
			if (!cfg.nturn) {
				usage();
				return 2;
			}
			if (c == 'u')
				cfg.turn[cfg.nturn - 1].user = optarg;
			else
				cfg.turn[cfg.nturn - 1].pass = optarg;
			break;
		default: usage(); return 2;
		}
	}
	if (stun_srv)
		return stun_server(stun_srv, opt.timeout_s);
	if (!opt.local || !opt.remote || !opt.ncomp || opt.ncomp > 2) {
		usage();
		return 2;
	}
	deadline = ice_now_ms() + opt.timeout_s * 1000ull;
	n = ice_netif_list(&cfg, addrs, 32);
	if (n <= 0) {
		fprintf(stderr, "icepeer: no usable local address (%d)\n", n);
		return 1;
	}
	loop = ice_loop_new();
	sess = loop ? ice_session_new(loop, &cfg, addrs, (unsigned int)n, 1,
				      opt.ncomp, &ops, NULL) : NULL;
	if (!sess) {
		fprintf(stderr, "icepeer: cannot create session\n");
		return 1;
	}
	a = ice_session_agent(sess);
	tr.agent = a;
	/* with trickle the offer goes out at once, the rest follows */
	if (opt.trickle) {
		tr.sent = ice_agent_nlocal(a);	/* those are in the SDP */
		tr.sdp_written = !write_sdp(a, opt.local);
		trickle_out();
	}
	if ((!opt.trickle && !run_until(loop, &st.gathered, deadline)) ||
	    (!opt.trickle && write_sdp(a, opt.local)) ||
	    (opt.trickle && !tr.sdp_written)) {
		fprintf(stderr, "icepeer: gathering or writing SDP failed\n");
		goto out;
	}
	/* wait for the peer's description */
	for (;;) {
		int r = read_sdp(opt.remote, &remote);

		if (!r)
			break;
		if (r == -2 || ice_now_ms() >= deadline) {
			fprintf(stderr, "icepeer: no usable remote SDP\n");
			goto out;
		}
		pump(loop, 20);
	}
	applied_us = ice_now_us();
	applied = applied_us / 1000;	/* the same clock as ice_now_ms() */
	if (opt.verbose)
		fprintf(stderr, "icepeer: %.3f remote SDP applied\n",
			(double)(applied_us % 100000000) / 1000);
	n = ice_sdp_apply(a, &remote, opt.rtcp_mux ? ICE_SDP_RTCP_MUX : 0,
			  applied);
	sdp_session_free(&remote);
	if (n < 0) {
		fprintf(stderr, "icepeer: remote SDP: %s\n", ice_sdp_strerror(n));
		goto out;
	}
	ice_agent_start(a, applied);
	tr.started = true;
	trickle_in();
	ice_session_kick(sess);
	while (!st.connected && !st.failed && ice_now_ms() < deadline)
		pump(loop, 50);
	if (!st.connected) {
		fprintf(stderr, "icepeer: %s\n", st.failed ? "ICE failed" : "timeout");
		dump_pairs(a);
		goto out;
	}

	struct ice_cand_info l, r;
	char ls[ICE_ADDRSTRLEN], rs[ICE_ADDRSTRLEN], want[64];

	ice_agent_selected(a, 0, 1, &l, &r);
	printf("icepeer: connected in %.1f ms local=%s %s remote=%s %s\n",
	       (double)(st.connected_us - applied_us) / 1000,
	       ice_cand_type_name(l.type), ice_addr_str(&l.addr, ls, sizeof(ls)),
	       ice_cand_type_name(r.type), ice_addr_str(&r.addr, rs, sizeof(rs)));
	rc = 0;
	snprintf(want, sizeof(want), "%s:%s", ice_cand_type_name(l.type),
		 ice_cand_type_name(r.type));
	if (opt.expect && !expect_match(opt.expect, want)) {
		fprintf(stderr, "icepeer: nominated %s, expected %s\n", want,
			opt.expect);
		rc = 1;
	}
	if (opt.vanish) {
		/* gone without a word: the peer must notice by consent */
		_exit(rc);
	}
	if (opt.echo && ice_agent_controlling(a)) {
		unsigned int got = ping_round(loop, a, opt.echo, 0, deadline);

		printf("icepeer: echo %u/%u\n", got, opt.echo);
		/* a few losses are fine on lossy links; none on clean ones */
		if (got < opt.echo * 8 / 10)
			rc = 1;
	}
	if (opt.restart && restart(loop, sess, deadline)) {
		fprintf(stderr, "icepeer: ICE restart failed\n");
		rc = 1;
	}
	if (opt.echo && ice_agent_controlling(a)) {
		if (opt.restart) {
			unsigned int got = ping_round(loop, a, opt.echo, 1000,
						      deadline);

			printf("icepeer: echo after restart %u/%u\n", got, opt.echo);
			if (got < opt.echo * 8 / 10)
				rc = 1;
		}
		if (!opt.expect_disconnect)
			for (int i = 0; i < 3; i++)
				ice_agent_send(a, 0, 1, "bye", 3);
	} else if (opt.echo && !opt.expect_disconnect) {
		run_until(loop, &st.bye, deadline);
		if (!st.bye)
			rc = 1;
	}
	if (opt.expect_disconnect) {
		uint64_t from = ice_now_ms();

		run_until(loop, &st.disconnected, deadline);
		if (!st.disconnected) {
			fprintf(stderr, "icepeer: consent never lost\n");
			rc = 1;
		} else {
			printf("icepeer: disconnected after %llu ms, send: %s\n",
			       (unsigned long long)(st.disconnected_at - from),
			       ice_agent_send(a, 0, 1, "x", 1) == -ENOTCONN ?
			       "stopped" : "still sending");
			if (ice_agent_send(a, 0, 1, "x", 1) != -ENOTCONN)
				rc = 1;
		}
	}
out:
	ice_session_free(sess);
	ice_loop_free(loop);
	return rc;
}
