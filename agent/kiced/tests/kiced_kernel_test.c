// SPDX-License-Identifier: GPL-2.0
/*
 * kiced with kice.ko (a kernel selftest: runs where the module loads, i.e.
 * in the test VM): after offer and answer the call's media is relayed by
 * the kernel flows kiced installed, without the daemon's loop running;
 * query reports the kernel's counters; delete removes the flows.  With
 * ICE, the flows follow the nominated pair; a new pair moves them in place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ctl/bencode.h"
#include "kiced/kernel.h"
#include "kiced/kiced.h"
#include "kiced/log.h"

#define N 50

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/kice", &st);
}

static bool load_module(void)
{
	const char *ko = getenv("KICE_KO");
	char cmd[512];

	if (module_loaded())
		return true;
	if (!ko || strlen(ko) > 400)
		return false;
	snprintf(cmd, sizeof(cmd), "modprobe -q udp_tunnel; "
		 "modprobe -q ip6_udp_tunnel; insmod '%s'", ko);
	if (system(cmd) != 0)
		return false;
	return module_loaded();
}

static int app_socket(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

/* send @n RTP-like datagrams to 127.0.0.1:@port, count arrivals on @rx */
static int exchange(int tx, int rx, uint16_t port, int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char pkt[172] = { (char)0x80 }, buf[256];
	int i, got = 0;

	for (i = 0; i < n; i++) {
		pkt[3] = (char)i;
		sendto(tx, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
		       sizeof(to));
	}
	while (got < n) {
		struct pollfd p = { .fd = rx, .events = POLLIN };

		if (poll(&p, 1, 1000) <= 0)
			break;
		if (recv(rx, buf, sizeof(buf), 0) == sizeof(pkt))
			got++;
	}
	return got;
}

/* "<cookie> <body>" to the daemon; the reply's dictionary in @doc */
static const char *call(struct kiced *k, const char *cookie,
			struct bn_buf *body, struct bn_buf *rep,
			struct bn_doc *doc)
{
	struct bn_buf req;
	struct ng_str ck, bd;
	const struct bn *r;
	static char res[16];

	bn_buf_init(&req);
	bn_put_raw(&req, cookie, strlen(cookie));
	bn_put_raw(&req, " ", 1);
	bn_put_raw(&req, body->data, body->len);
	bn_buf_free(body);
	bn_buf_init(rep);
	if (kiced_process(k, req.data, req.len, "t", 1, rep) ||
	    ng_split(rep->data, rep->len, &ck, &bd) ||
	    bn_decode(doc, bd.p, bd.len)) {
		bn_buf_free(&req);
		return "(none)";
	}
	bn_buf_free(&req);
	r = bn_dict_get(doc->root, "result");
	snprintf(res, sizeof(res), "%.*s", r ? (int)r->len : 0,
		 r ? r->str : "");
	return res;
}

static void sdp_body_ice(struct bn_buf *b, const char *cmd, const char *ice,
			 const char *sdp)
{
	bn_buf_init(b);
	bn_open_dict(b);
	if (ice)
		bn_kv_str(b, "ICE", ice);
	bn_kv_str(b, "call-id", "kcall");
	bn_kv_str(b, "command", cmd);
	bn_kv_str(b, "from-tag", "a");
	bn_kv_str(b, "sdp", sdp);
	if (!strcmp(cmd, "answer"))
		bn_kv_str(b, "to-tag", "b");
	bn_close(b);
}

static void sdp_body(struct bn_buf *b, const char *cmd, uint16_t port)
{
	char sdp[256];

	snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		 port);
	bn_buf_init(b);
	bn_open_dict(b);
	bn_kv_str(b, "call-id", "kcall");
	bn_kv_str(b, "command", cmd);
	bn_kv_str(b, "from-tag", "a");
	bn_kv_str(b, "sdp", sdp);
	if (!strcmp(cmd, "answer"))
		bn_kv_str(b, "to-tag", "b");
	bn_close(b);
}

TEST(kernel_relays_the_call)
{
	struct kiced *k = calloc(1, sizeof(*k));
	struct knl knl;
	struct knl_stats la, lb;
	struct bn_buf body, rep;
	struct bn_doc doc;
	struct media_stream *st;
	uint16_t pa, pb, xa, xb;
	uint32_t flow;
	int afd, bfd, err;

	if (geteuid() || !load_module())
		SKIP(return, "kice.ko not loadable here (test VM only)");
	err = knl_open(&knl);
	ASSERT_EQ(0, err) TH_LOG("kernel_open: %s", strerror(-err));

	klog_init(KLOG_WARN, false);
	config_defaults(&k->cfg);
	k->cfg.port_min = 41000;
	k->cfg.port_max = 41099;
	ASSERT_EQ(0, loop_init(&k->loop, 1000, NULL, NULL));
	session_table_init(&k->calls);
	media_env_init(&k->media, &k->loop, &k->cfg, &knl);
	k->cache = ng_cache_new(16, 30000);
	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	ASSERT_GE(afd, 0);
	ASSERT_GE(bfd, 0);

	sdp_body(&body, "offer", pa);
	ASSERT_STREQ("ok", call(k, "o", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	sdp_body(&body, "answer", pb);
	ASSERT_STREQ("ok", call(k, "a", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);

	st = k->calls.head->media[0].stream;
	ASSERT_TRUE(st->offloaded);
	EXPECT_EQ(2, k->media.flows);
	xa = relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]);
	xb = relay_leg_port(&st->side[MEDIA_SIDE_B].leg[0]);

	/* the daemon's loop never runs: only the kernel can relay */
	EXPECT_EQ(N, exchange(afd, bfd, xa, N));
	EXPECT_EQ(N, exchange(bfd, afd, xb, N));
	EXPECT_EQ(0, st->side[MEDIA_SIDE_A].leg[0].rx.packets);
	EXPECT_EQ(0, st->side[MEDIA_SIDE_B].leg[0].rx.packets);
	ASSERT_EQ(0, knl_flow_stats(&knl, st->flow[0], &la, &lb));
	EXPECT_EQ(N, la.rx_packets);
	EXPECT_EQ(N, lb.rx_packets);
	EXPECT_EQ(N, lb.tx_packets);

	bn_buf_init(&body);
	bn_open_dict(&body);
	bn_kv_str(&body, "call-id", "kcall");
	bn_kv_str(&body, "command", "query");
	bn_close(&body);
	ASSERT_STREQ("ok", call(k, "q", &body, &rep, &doc));
	EXPECT_TRUE(bn_is_str(bn_dict_get(doc.root, "relay"), "kernel"));
	EXPECT_EQ(2 * N, bn_dict_get(bn_dict_get(bn_dict_get(doc.root,
		"totals"), "RTP"), "packets")->num);
	bn_doc_free(&doc);
	bn_buf_free(&rep);

	flow = st->flow[0];
	bn_buf_init(&body);
	bn_open_dict(&body);
	bn_kv_str(&body, "call-id", "kcall");
	bn_kv_str(&body, "command", "delete");
	bn_close(&body);
	ASSERT_STREQ("ok", call(k, "d", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	EXPECT_EQ(0, k->media.flows);
	EXPECT_NE(0, knl_flow_stats(&knl, flow, &la, &lb));

	close(afd);
	close(bfd);
	ng_cache_free(k->cache);
	loop_fini(&k->loop);
	knl_close(&knl);
	free(k);
}

static void daemon_init(struct kiced *k, struct loop *l, struct knl *knl,
			uint16_t pmin)
{
	config_defaults(&k->cfg);
	k->cfg.port_min = pmin;
	k->cfg.port_max = (uint16_t)(pmin + 99);
	session_table_init(&k->calls);
	media_env_init(&k->media, l, &k->cfg, knl);
	k->cache = ng_cache_new(16, 30000);
}

/*
 * A new remote for an offloaded stream (what ICE renomination or the end
 * of an ICE restart does): media_stream_repoint() moves the flows in place
 * with flow-set -- same flow ids, never a moment without a flow -- and the
 * kernel sends to the new remote at once.
 */
TEST(repoint_moves_flows_in_place)
{
	struct kiced *k = calloc(1, sizeof(*k));
	struct knl knl;
	struct knl_stats la, lb;
	struct bn_buf body, rep;
	struct bn_doc doc;
	struct media_stream *st;
	uint16_t pa, pb, pb2, xa;
	uint32_t f0, f1;
	int afd, bfd, b2fd, c;

	if (geteuid() || !load_module())
		SKIP(return, "kice.ko not loadable here (test VM only)");
	ASSERT_EQ(0, knl_open(&knl));
	klog_init(KLOG_WARN, false);
	ASSERT_EQ(0, loop_init(&k->loop, 1000, NULL, NULL));
	daemon_init(k, &k->loop, &knl, 41600);
	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	b2fd = app_socket(&pb2);
	ASSERT_GE(afd, 0);
	ASSERT_GE(bfd, 0);
	ASSERT_GE(b2fd, 0);

	sdp_body(&body, "offer", pa);
	ASSERT_STREQ("ok", call(k, "o", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	sdp_body(&body, "answer", pb);
	ASSERT_STREQ("ok", call(k, "a", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	st = k->calls.head->media[0].stream;
	ASSERT_TRUE(st->offloaded);
	f0 = st->flow[0];
	f1 = st->flow[1];
	xa = relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]);
	EXPECT_EQ(N, exchange(afd, bfd, xa, N));

	/* side B's remote moves to pb2 (RTP) and pb2 + 1 (RTCP) */
	for (c = 0; c < 2; c++) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons((uint16_t)(pb2 + c)),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};

		relay_leg_set_peer(&st->side[MEDIA_SIDE_B].leg[c],
				   (struct sockaddr *)&sin, sizeof(sin));
	}
	ASSERT_EQ(0, media_stream_repoint(st));
	EXPECT_TRUE(st->offloaded);
	EXPECT_EQ(1, st->repointed);
	EXPECT_EQ(f0, st->flow[0]);
	EXPECT_EQ(f1, st->flow[1]);
	EXPECT_EQ(2, k->media.flows);
	/* the loop never runs: the kernel alone delivers to the new remote */
	EXPECT_EQ(N, exchange(afd, b2fd, xa, N));
	ASSERT_EQ(0, knl_flow_stats(&knl, f0, &la, &lb));
	EXPECT_EQ(2 * N, la.rx_packets);	/* counters survive the move */
	EXPECT_EQ(2 * N, lb.tx_packets);

	session_remove_all(&k->calls);
	loop_flush_deferred(&k->loop);
	EXPECT_EQ(0, k->media.flows);
	EXPECT_NE(0, knl_flow_stats(&knl, f0, &la, &lb));
	close(afd);
	close(bfd);
	close(b2fd);
	ng_cache_free(k->cache);
	loop_fini(&k->loop);
	knl_close(&knl);
	free(k);
}

/*
 * Media relayed only by the kernel still counts as activity: a call with
 * flowing media outlives the timeout, and one whose media stopped ends.
 */
TEST(kernel_media_keeps_call_alive)
{
	struct kiced *k = calloc(1, sizeof(*k));
	struct knl knl;
	struct bn_buf body, rep;
	struct bn_doc doc;
	struct media_stream *st;
	uint16_t pa, pb, xa;
	uint64_t end;
	int afd, bfd;

	if (geteuid() || !load_module())
		SKIP(return, "kice.ko not loadable here (test VM only)");
	ASSERT_EQ(0, knl_open(&knl));
	klog_init(KLOG_WARN, false);
	ASSERT_EQ(0, loop_init(&k->loop, 1000, NULL, NULL));
	daemon_init(k, &k->loop, &knl, 42400);
	k->cfg.timeout = 2;
	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	sdp_body(&body, "offer", pa);
	ASSERT_STREQ("ok", call(k, "o", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	sdp_body(&body, "answer", pb);
	ASSERT_STREQ("ok", call(k, "a", &body, &rep, &doc));
	bn_doc_free(&doc);
	bn_buf_free(&rep);
	st = k->calls.head->media[0].stream;
	ASSERT_TRUE(st->offloaded);
	xa = relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]);

	/* 3.5 s of media (kernel only) with the 2 s timeout ticking */
	end = loop_now_ms() + 3500;
	while (loop_now_ms() < end) {
		ASSERT_EQ(5, exchange(afd, bfd, xa, 5));
		kiced_tick(k, loop_now_ms());
		ASSERT_EQ(1, k->calls.count);
		usleep(200000);
	}
	/* media stops: the call ends within the timeout (plus a tick) */
	end = loop_now_ms() + 3500;
	while (loop_now_ms() < end && k->calls.count) {
		usleep(200000);
		kiced_tick(k, loop_now_ms());
	}
	EXPECT_EQ(0, k->calls.count);
	EXPECT_EQ(1, k->stats.timed_out);
	EXPECT_EQ(0, k->media.flows);

	close(afd);
	close(bfd);
	ng_cache_free(k->cache);
	loop_fini(&k->loop);
	knl_close(&knl);
	free(k);
}

/* The reply's "sdp" (malloc'ed), NULL on error. */
static char *sdp_of(struct kiced *k, const char *cookie, struct bn_buf *body)
{
	struct bn_buf rep;
	struct bn_doc doc;
	char *sdp = NULL;

	if (!strcmp(call(k, cookie, body, &rep, &doc), "ok"))
		sdp = bn_strdup(bn_dict_get(doc.root, "sdp"));
	if (doc.root)
		bn_doc_free(&doc);
	bn_buf_free(&rep);
	return sdp;
}

/*
 * app A -- kiced 1 ==ICE== kiced 2 -- app B in one process: once ICE has
 * nominated, both daemons move their stream into kice.ko, and media then
 * crosses both with neither loop running.
 */
TEST(kernel_after_ice_nomination)
{
	struct kiced *k1 = calloc(1, sizeof(*k1)), *k2 = calloc(1, sizeof(*k2));
	char plain_a[256], plain_b[256], *s1, *s2, *s3, *s4;
	struct media_stream *st1, *st2;
	struct bn_buf body;
	struct knl knl;
	struct loop *l = &k1->loop;
	uint16_t pa, pb;
	uint64_t end;
	int afd, bfd;

	if (geteuid() || !load_module())
		SKIP(return, "kice.ko not loadable here (test VM only)");
	ASSERT_EQ(0, knl_open(&knl));
	klog_init(KLOG_WARN, false);
	ASSERT_EQ(0, loop_init(l, 1000, NULL, NULL));
	daemon_init(k1, l, &knl, 42000);
	daemon_init(k2, l, &knl, 42200);
	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	snprintf(plain_a, sizeof(plain_a), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
		 "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		 pa);
	snprintf(plain_b, sizeof(plain_b), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
		 "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		 pb);

	sdp_body_ice(&body, "offer", "force", plain_a);
	s1 = sdp_of(k1, "o1", &body);
	ASSERT_NE(NULL, s1);
	sdp_body_ice(&body, "offer", "remove", s1);
	s2 = sdp_of(k2, "o2", &body);
	ASSERT_NE(NULL, s2);
	sdp_body_ice(&body, "answer", NULL, plain_b);
	s3 = sdp_of(k2, "a2", &body);
	ASSERT_NE(NULL, s3);
	sdp_body_ice(&body, "answer", NULL, s3);
	s4 = sdp_of(k1, "a1", &body);
	ASSERT_NE(NULL, s4);

	st1 = k1->calls.head->media[0].stream;
	st2 = k2->calls.head->media[0].stream;
	end = loop_now_ms() + 5000;
	while (loop_now_ms() < end && !(st1->offloaded && st2->offloaded))
		loop_run_once(l, 20);
	ASSERT_TRUE(st1->offloaded);
	ASSERT_TRUE(st2->offloaded);
	EXPECT_TRUE(k1->calls.head->ice[MEDIA_SIDE_B]->connected);

	/* loops stopped: A -> k1 -> k2 -> B and back through the kernel */
	EXPECT_EQ(N, exchange(afd, bfd,
			      relay_leg_port(&st1->side[MEDIA_SIDE_A].leg[0]),
			      N));
	EXPECT_EQ(N, exchange(bfd, afd,
			      relay_leg_port(&st2->side[MEDIA_SIDE_B].leg[0]),
			      N));
	EXPECT_EQ(0, st1->side[MEDIA_SIDE_A].leg[0].rx.packets);
	EXPECT_EQ(0, st2->side[MEDIA_SIDE_B].leg[0].rx.packets);

	free(s1); free(s2); free(s3); free(s4);
	session_remove_all(&k1->calls);
	session_remove_all(&k2->calls);
	EXPECT_EQ(0, k1->media.flows + k2->media.flows);
	ng_cache_free(k1->cache);
	ng_cache_free(k2->cache);
	loop_fini(l);
	knl_close(&knl);
	close(afd);
	close(bfd);
	free(k1);
	free(k2);
}

TEST_HARNESS_MAIN
