// SPDX-License-Identifier: GPL-2.0
/*
 * kiced restart pieces without kice.ko: the fd store (a holder keeps calls
 * and sockets across the end of a kiced, served once to the next one) and
 * consent freshness of adopted ICE sides (consent.c), and the TURN client
 * of a relayed side carried over (turn_keep.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "kiced/consent.h"
#include "kiced/handover.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/turn_keep.h"
#include "stun/stun.h"

/* ---- consent ---- */

static int udp_socket(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) ||
	    getsockname(fd, (struct sockaddr *)sin, &len))
		return -1;
	return fd;
}

static ssize_t recv_wait(int fd, void *buf, size_t len,
			 struct sockaddr_in *from)
{
	struct pollfd p = { fd, POLLIN, 0 };
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recvfrom(fd, buf, len, 0, (struct sockaddr *)from, &fl);
}

/*
 * The peer's part: check the consent check that reached @fd (signed with
 * @key, the peer's password), answer it signed with @sign and hand the
 * answer to @leg.
 */
static int peer_answer(int fd, struct relay_leg *leg, struct stun_key *key,
		       struct stun_key *sign, const char *user, uint64_t now)
{
	struct sockaddr_in from;
	struct sockaddr_storage ss = { 0 };
	struct stun_builder b;
	struct stun_msg m;
	uint8_t buf[512], out[256];
	char got[600];
	ssize_t n = recv_wait(fd, buf, sizeof(buf), &from);
	long r;

	if (n <= 0 || stun_msg_parse(&m, buf, (size_t)n) ||
	    m.type != stun_type(STUN_BINDING, STUN_REQUEST) ||
	    stun_get_string(&m, STUN_ATTR_USERNAME, got, sizeof(got)) ||
	    strcmp(got, user) || stun_msg_verify(&m, key))
		return -1;
	if (stun_build_init(&b, out, sizeof(out),
			    stun_type(STUN_BINDING, STUN_SUCCESS), m.tid) ||
	    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			    (struct sockaddr *)&from) ||
	    stun_build_integrity(&b, sign) || stun_build_fingerprint(&b))
		return -1;
	r = stun_build_finish(&b);
	if (r <= 0)
		return -1;
	memcpy(&ss, &leg->peer, sizeof(ss));
	leg->stun_fn(leg, &ss, out, (size_t)r, now);
	return 0;
}

TEST(consent_checks_and_loss)
{
	struct consent *cs = consent_new("loc1", "localpassword0123456789");
	struct relay_leg leg = { .fd = -1 };
	struct sockaddr_in me, peer;
	struct stun_key pk, wrong;
	const char *ru, *rp;
	bool ctl = false;
	int pfd;
	uint64_t t = 1000000;

	ASSERT_NE(NULL, cs);
	ASSERT_EQ(0, stun_key_short_term(&pk, "remotepassword012345678", 23));
	ASSERT_EQ(0, stun_key_short_term(&wrong, "wrongpassword0123456789", 23));
	leg.fd = udp_socket(&me);
	pfd = udp_socket(&peer);
	ASSERT_LE(0, leg.fd);
	ASSERT_LE(0, pfd);
	relay_leg_set_peer(&leg, (struct sockaddr *)&peer, sizeof(peer));
	ASSERT_EQ(0, consent_attach(cs, &leg, 1, t));
	/* without the peer's credentials: answers only, no checks */
	EXPECT_FALSE(consent_tick(cs, t + 60000));
	EXPECT_EQ(0, consent_sent(cs));
	EXPECT_EQ(-EINVAL, consent_set_remote(cs, "", "x", true));
	ASSERT_EQ(0, consent_set_remote(cs, "rem1", "remotepassword012345678",
					true));
	ASSERT_EQ(0, consent_attach(cs, &leg, 1, t));	/* restart the clock */

	/* a first check at once, signed with the peer's password */
	EXPECT_FALSE(consent_tick(cs, t));
	EXPECT_EQ(1, consent_sent(cs));
	/* an answer signed with another password does not count */
	ASSERT_EQ(0, peer_answer(pfd, &leg, &pk, &wrong, "rem1:loc1", t));
	EXPECT_EQ(0, consent_confirmed(cs));
	EXPECT_FALSE(consent_first_answer(cs));
	/* the next check, 4 to 6 s later, answered properly */
	EXPECT_FALSE(consent_tick(cs, t + 3900));
	EXPECT_EQ(1, consent_sent(cs));
	EXPECT_FALSE(consent_tick(cs, t + 6000));
	EXPECT_EQ(2, consent_sent(cs));
	ASSERT_EQ(0, peer_answer(pfd, &leg, &pk, &pk, "rem1:loc1", t + 6000));
	EXPECT_EQ(1, consent_confirmed(cs));
	EXPECT_TRUE(consent_first_answer(cs));
	EXPECT_FALSE(consent_first_answer(cs));
	/* consent lasts 30 s from that answer, checks go on unanswered */
	for (t += 7000; t < 1000000 + 6000 + 30000; t += 1000) {
		EXPECT_FALSE(consent_tick(cs, t));
	}
	EXPECT_LE(6, consent_sent(cs));
	EXPECT_TRUE(consent_tick(cs, t));
	EXPECT_TRUE(consent_lost(cs));
	/* once lost: no more checks, no second report */
	EXPECT_FALSE(consent_tick(cs, t + 10000));
	ASSERT_TRUE(consent_remote(cs, &ru, &rp, &ctl));
	EXPECT_STREQ("rem1", ru);
	EXPECT_STREQ("remotepassword012345678", rp);
	EXPECT_TRUE(ctl);
	consent_detach(cs, &leg);
	EXPECT_EQ(NULL, leg.stun_fn);
	consent_free(cs);
	stun_key_free(&pk);
	stun_key_free(&wrong);
	close(leg.fd);
	close(pfd);
}

/* ---- fd store ---- */

FIXTURE(store)
{
	char dir[64];
	struct kiced k[2];
};

static void k_init(struct kiced *k, const char *dir)
{
	memset(k, 0, sizeof(*k));
	config_defaults(&k->cfg);
	k->cfg.port_min = 21300;
	k->cfg.port_max = 21399;
	k->cfg.keep_flows = true;
	k->cfg.handover_wait = 5;
	snprintf(k->cfg.handover, sizeof(k->cfg.handover), "%s/run/ho.sock",
		 dir);
	loop_init(&k->loop, 1000, NULL, NULL);
	session_table_init(&k->calls);
	media_env_init(&k->media, &k->loop, &k->cfg, NULL);
}

static void k_fini(struct kiced *k)
{
	handover_stop(k, false);
	session_remove_all(&k->calls);
	loop_fini(&k->loop);
}

FIXTURE_SETUP(store)
{
	strcpy(self->dir, "/tmp/kiced-ho-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	klog_init(KLOG_ERR, false);
	k_init(&self->k[0], self->dir);
	k_init(&self->k[1], self->dir);
}

FIXTURE_TEARDOWN(store)
{
	char path[128];

	k_fini(&self->k[0]);
	k_fini(&self->k[1]);
	snprintf(path, sizeof(path), "%s/run", self->dir);
	rmdir(path);
	rmdir(self->dir);
}

/* A call with one stream, side A open and pointed at @rport. */
static struct call *add_call(struct kiced *k, const char *id, uint16_t rport)
{
	struct call *c = session_add(&k->calls, id, strlen(id), "ft", 2);

	if (!c)
		return NULL;
	c->media = calloc(1, sizeof(*c->media));
	if (!c->media)
		return NULL;
	c->nmedia = 1;
	strcpy(c->media[0].type, "audio");
	strcpy(c->media[0].proto, "RTP/AVP");
	c->media[0].stream = media_stream_new(&k->media, 0);
	if (!c->media[0].stream ||
	    media_side_open(c->media[0].stream, MEDIA_SIDE_A, AF_INET, NULL) ||
	    media_side_set_remote(c->media[0].stream, MEDIA_SIDE_A,
				  "127.0.0.1", rport, 0))
		return NULL;
	return c;
}

static uint16_t port_a(const struct call *c)
{
	uint16_t port = 0;

	media_side_local(c->media[0].stream, MEDIA_SIDE_A, &port);
	return port;
}

/* Can @port be bound on loopback (nobody holds it)? */
static bool port_free(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = !bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return ok;
}

/*
 * The kiced that will crash, in a child: store, two calls, one ended; the
 * ports to @out; killed by SIGKILL when @in says so.
 */
static void __attribute__((noreturn)) crashing_kiced(struct kiced *k, int out,
						     int in)
{
	struct call *c, *gone;
	uint16_t p[2];
	char go;

	if (handover_store_start(k))
		_exit(1);
	c = add_call(k, "call 1", 30000);
	gone = add_call(k, "c2", 30002);
	if (!c || !gone)
		_exit(1);
	c->state = CALL_ANSWERED;
	if (session_set_to_tag(c, "tt", 2))
		_exit(1);
	handover_sync_call(k, c);
	handover_sync_call(k, gone);
	p[0] = port_a(c);
	p[1] = port_a(gone);
	/* a call that ends leaves the holder at once */
	session_remove(&k->calls, gone);
	if (write(out, p, sizeof(p)) != sizeof(p) || read(in, &go, 1) != 1)
		_exit(1);
	raise(SIGKILL);
	_exit(1);
}

TEST_F(store, crash_then_adopt)
{
	struct kiced *k = &self->k[0], *k2 = &self->k[1];
	int up[2], down[2], status;
	struct call *c;
	uint16_t p[2];
	struct stat st;
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		crashing_kiced(k, up[1], down[0]);
	ASSERT_EQ(sizeof(p), read(up[0], p, sizeof(p)));
	ASSERT_EQ(0, stat(k->cfg.handover, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	usleep(100000);
	EXPECT_TRUE(port_free(p[1]));	/* the ended call's sockets */
	EXPECT_FALSE(port_free(p[0]));
	/* while kiced lives, the holder serves nobody */
	EXPECT_EQ(-EBUSY, handover_restore(k2));
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_FALSE(port_free(p[0]));	/* the holder keeps the sockets */
	ASSERT_EQ(1, handover_restore(k2));
	c = session_find(&k2->calls, "call 1", 6);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(NULL, session_find(&k2->calls, "c2", 2));
	EXPECT_EQ(CALL_ANSWERED, c->state);
	EXPECT_STREQ("tt", c->to_tag);
	ASSERT_EQ(1, c->nmedia);
	EXPECT_EQ(p[0], port_a(c));
	EXPECT_STREQ("127.0.0.1", c->media[0].stream->side[0].remote_addr);
	EXPECT_EQ(30000, c->media[0].stream->side[0].remote_port[0]);
	/* served once: the holder is gone with its socket */
	usleep(100000);
	EXPECT_NE(0, stat(k->cfg.handover, &st));
	/* the new kiced's own store, released at a stop without handover */
	ASSERT_EQ(0, handover_store_start(k2));
	EXPECT_EQ(0, handover_stop(k2, false));
	session_remove_all(&k2->calls);
	usleep(100000);
	EXPECT_TRUE(port_free(p[0]));
	EXPECT_NE(0, stat(k->cfg.handover, &st));
	EXPECT_EQ(0, handover_restore(k));	/* nothing to adopt */
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

TEST_F(store, stop_with_handover)
{
	struct kiced *k = &self->k[0], *k2 = &self->k[1];
	struct call *c;
	uint16_t pa;

	ASSERT_EQ(0, handover_store_start(k));
	c = add_call(k, "c3", 30004);
	ASSERT_NE(NULL, c);
	pa = port_a(c);
	/* no explicit sync: handover_stop() sends what changed */
	EXPECT_EQ(1, handover_stop(k, true));
	session_remove_all(&k->calls);
	EXPECT_FALSE(port_free(pa));
	k2->cfg.adopt_flows = false;	/* the sockets close: nothing adopted */
	EXPECT_EQ(0, handover_restore(k2));
	EXPECT_EQ(0, k2->calls.count);
	usleep(100000);
	EXPECT_TRUE(port_free(pa));
}

/*
 * keep-flows: an offer whose state the store cannot take is refused and
 * leaves nothing; a call whose state grows too large later is warned
 * about once, not at every tick, with the count when it ends.
 */
TEST_F(store, state_too_large)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
	struct kiced *k = &self->k[0];
	char id[NG_CALL_ID_MAX + 1], *msg, *buf = NULL, *p;
	const struct bn *reason;
	struct bn_buf out;
	struct bn_doc doc;
	size_t len = 0, n;
	struct call *c;
	FILE *f = open_memstream(&buf, &len);
	int i;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, handover_store_start(k));
	k->cache = ng_cache_new(16, 30000);
	ASSERT_NE(NULL, k->cache);
	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	for (i = 0; i < 2; i++) {
		/* a short call-id fits, the longest one does not */
		const char *cid = i ? id : "fits";

		ASSERT_LT(0, asprintf(&msg, "c%d d7:call-id%zu:%s7:command5:offer"
				      "8:from-tag2:ft3:sdp%zu:%se", i,
				      strlen(cid), cid, strlen(sdp), sdp));
		bn_buf_init(&out);
		ASSERT_EQ(0, kiced_process(k, msg, strlen(msg), "src", 3,
					   &out));
		n = strlen("c0 ");
		ASSERT_EQ(BN_OK, bn_decode(&doc, out.data + n, out.len - n));
		reason = bn_dict_get(doc.root, "error-reason");
		if (!i) {
			EXPECT_TRUE(bn_is_str(bn_dict_get(doc.root, "result"),
					      "ok"));
		} else {
			EXPECT_TRUE(bn_is_str(reason,
					      "Call state too large for the fd store (keep-flows)"));
		}
		bn_doc_free(&doc);
		bn_buf_free(&out);
		free(msg);
		/* room for the short call-id's state, not the long one's */
		c = session_find(&k->calls, "fits", 4);
		ASSERT_NE(NULL, c);
		ASSERT_NE(NULL, c->stored);
		handover_state_max = c->stored_len + NG_CALL_ID_MAX / 2;
	}
	EXPECT_EQ(1, k->calls.count);
	EXPECT_EQ(1, k->stats.rejected);
	EXPECT_EQ(4, k->media.open_ports);	/* one call's, no others */
	/* the state outgrows the store: one warning over three ticks */
	klog_to(f);
	klog_init(KLOG_INFO, false);
	handover_state_max = 64;
	for (i = 0; i < 3; i++)
		handover_tick(k, loop_now_ms());
	fflush(f);
	EXPECT_NE(NULL, strstr(buf, "call fits: state of "));
	for (n = 0, p = buf; (p = strstr(p, "bytes too large")); p++)
		n++;
	EXPECT_EQ(1, n);
	session_remove(&k->calls, c);
	fflush(f);
	EXPECT_NE(NULL, strstr(buf, "call fits: state too large for the fd "
				    "store: 2 more times"));
	klog_init(KLOG_ERR, false);
	klog_to(NULL);
	fclose(f);
	free(buf);
	handover_state_max = 65536;
	ng_cache_free(k->cache);
	k->cache = NULL;
}

TEST_F(store, holder_killed_is_replaced)
{
	struct kiced *k = &self->k[0];
	uint64_t now = loop_now_ms();
	struct call *c;
	long pid, pid2;
	uint16_t pa;

	ASSERT_EQ(0, handover_store_start(k));
	c = add_call(k, "c5", 30006);
	ASSERT_NE(NULL, c);
	pa = port_a(c);
	handover_tick(k, now);
	pid = handover_store_pid(k);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill((pid_t)pid, SIGKILL));
	usleep(100000);
	/* noticed at the next tick, without any change to send */
	handover_tick(k, now + 1000);
	EXPECT_EQ(0, handover_store_pid(k));
	handover_tick(k, now + 2000);
	EXPECT_EQ(0, handover_store_pid(k));	/* not before 5 s */
	handover_tick(k, now + 7000);
	pid2 = handover_store_pid(k);
	EXPECT_LT(0, pid2);
	EXPECT_NE(pid, pid2);
	/* the new holder has the call: it survives the end of kiced */
	EXPECT_EQ(1, handover_stop(k, true));
	session_remove_all(&k->calls);
	EXPECT_FALSE(port_free(pa));
	EXPECT_EQ(1, handover_restore(&self->k[1]));
	EXPECT_NE(NULL, session_find(&self->k[1].calls, "c5", 2));
}

/* ---- TURN state of a relayed leg ---- */

static int t_parse(const char *line, struct turn_keep_rec *rec, char *why,
		   size_t wl)
{
	char buf[512], *tok[20], *save = NULL, *t;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " ", &save); t && n < 20;
	     t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	return turn_keep_parse(tok, n, rec, why, wl);
}

#define T_OK "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 " \
	     "123456789 16385 203.0.113.2 40000 223456789 323456789"

TEST(turn_record_parse)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "2 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1 1", "leg" },
		{ "1 198.51.100.x 3478 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1 1", "TURN server" },
		{ "1 198.51.100.2 0 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1 1", "TURN server" },
		{ "1 198.51.100.2 3478 tcp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1 1", "transport" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 65536 600 1 16385 203.0.113.2 40000 1 1", "relayed" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 0 1 16385 203.0.113.2 40000 1 1", "lifetime" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 4294967296 1 16385 203.0.113.2 40000 1 1", "lifetime" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 -1 16385 203.0.113.2 40000 1 1", "allocation expiry" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16383 203.0.113.2 40000 1 1", "channel number" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 20480 203.0.113.2 40000 1 1", "channel number" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16385 2001:db8::1 40000 1 1", "family" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1x 1", "permission expiry" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1 99999999999999999999", "channel expiry" },
		{ "1 198.51.100.2 3478 udp kice 198.51.100.2 50010 600 1 16385 203.0.113.2 40000 1", "fields" },
		{ T_OK " 7", "fields" },
	};
	struct turn_keep_rec rec;
	char why[160];
	unsigned int i;

	ASSERT_EQ(0, t_parse(T_OK, &rec, why, sizeof(why)));
	EXPECT_EQ(1, rec.leg);
	EXPECT_STREQ("kice", rec.user);
	EXPECT_EQ(AF_INET, rec.server.ss_family);
	EXPECT_EQ(3478, ntohs(((struct sockaddr_in *)&rec.server)->sin_port));
	EXPECT_EQ(50010,
		  ntohs(((struct sockaddr_in *)&rec.r.relayed)->sin_port));
	EXPECT_EQ(600, rec.r.lifetime);
	EXPECT_EQ(123456789, rec.r.expire_ms);
	EXPECT_EQ(16385, rec.r.channel);
	EXPECT_EQ(40000, ntohs(((struct sockaddr_in *)&rec.r.peer)->sin_port));
	EXPECT_EQ(223456789, rec.r.perm_expire_ms);
	EXPECT_EQ(323456789, rec.r.chan_expire_ms);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		EXPECT_EQ(-EINVAL, t_parse(bad[i].line, &rec, why,
					   sizeof(why)));
		EXPECT_NE(NULL, strstr(why, bad[i].why)) {
			TH_LOG("%s: \"%s\"", bad[i].line, why);
		}
	}
}

/* A datagram that reached the fake TURN server @fd; its length. */
static ssize_t srv_recv(int fd, uint8_t *buf, size_t len)
{
	struct sockaddr_in from;

	return recv_wait(fd, buf, len, &from);
}

/* The server's answer to request @req (tid), to @leg as from @srv. */
static void srv_reply(struct relay_leg *leg, const struct sockaddr_in *srv,
		      const struct stun_msg *req, int code,
		      struct stun_key *sign, uint64_t now)
{
	struct sockaddr_storage ss = { 0 };
	struct stun_builder b;
	uint8_t out[256];
	long n;

	stun_build_init(&b, out, sizeof(out),
			stun_type(stun_msg_method(req),
				  code ? STUN_ERROR : STUN_SUCCESS), req->tid);
	if (code) {
		stun_build_error(&b, code, NULL);
		stun_build_string(&b, STUN_ATTR_REALM, "kice.test");
		stun_build_string(&b, STUN_ATTR_NONCE, "n0nce-after-restart");
	} else {
		stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	}
	if (sign)
		stun_build_integrity(&b, sign);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	memcpy(&ss, srv, sizeof(*srv));
	if (n > 0)
		leg->stun_fn(leg, &ss, out, (size_t)n, now);
}

/* An adopted relayed side: consent through the channel, refresh with 401 */
static void relayed_side_works(struct __test_metadata *_metadata,
			       struct call *c, int sfd,
			       const struct sockaddr_in *srv)
{
	struct relay_leg *leg = &c->media[0].stream->side[0].leg[0];
	struct consent *cs = c->consent[0];
	struct sockaddr_storage ss = { 0 };
	struct stun_key lt, rkey, lkey;
	struct stun_builder b;
	struct stun_msg m, refresh, check;
	uint8_t buf[1024], out[300];
	char user[64];
	uint64_t now = loop_now_ms();
	ssize_t n;
	long r;
	int i;

	ASSERT_NE(NULL, cs);
	ASSERT_NE(NULL, consent_relay(cs, leg));
	EXPECT_EQ(NULL, consent_relay(cs,
				&c->media[0].stream->side[0].leg[1]));
	EXPECT_EQ(0x4000, leg->channel);
	memcpy(&ss, srv, sizeof(*srv));
	EXPECT_TRUE(relay_same_addr(&leg->turn, &ss));
	ASSERT_EQ(0, stun_key_long_term(&lt, STUN_PWALG_MD5, "kice",
					"kice.test", "kicepass"));
	ASSERT_EQ(0, stun_key_short_term(&rkey, "remotepassword012345678",
					 23));
	ASSERT_EQ(0, stun_key_short_term(&lkey, "localpassword0123456789",
					 23));
	/* a Refresh at the restore, then a check at the first tick */
	EXPECT_FALSE(consent_tick(cs, now));
	memset(&refresh, 0, sizeof(refresh));
	memset(&check, 0, sizeof(check));
	for (i = 0; i < 2; i++) {
		n = srv_recv(sfd, buf, sizeof(buf));
		ASSERT_LT(4, n);
		if (buf[0] == 0x40) {	/* ChannelData 0x4000: the check */
			EXPECT_EQ(0x00, buf[1]);
			EXPECT_EQ(n - 4, buf[2] << 8 | buf[3]);
			ASSERT_EQ(0, stun_msg_parse(&m, buf + 4,
						    (size_t)n - 4));
			EXPECT_EQ(stun_type(STUN_BINDING, STUN_REQUEST),
				  m.type);
			ASSERT_EQ(0, stun_get_string(&m, STUN_ATTR_USERNAME,
						     user, sizeof(user)));
			EXPECT_STREQ("rem1:loc1", user);
			EXPECT_EQ(0, stun_msg_verify(&m, &rkey));
			check = m;
		} else {
			ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
			EXPECT_EQ(STUN_REFRESH, stun_msg_method(&m));
			EXPECT_EQ(-1, m.mi);	/* no nonce yet */
			refresh = m;
		}
	}
	ASSERT_EQ(STUN_REFRESH, stun_msg_method(&refresh));
	ASSERT_EQ(STUN_BINDING, stun_msg_method(&check));
	/* 401 brings realm and nonce: sent again, signed */
	srv_reply(leg, srv, &refresh, 401, NULL, now);
	n = srv_recv(sfd, buf, sizeof(buf));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, stun_msg_parse(&m, buf, (size_t)n));
	EXPECT_EQ(STUN_REFRESH, stun_msg_method(&m));
	EXPECT_EQ(0, stun_msg_verify(&m, &lt));
	EXPECT_EQ(0, turn_keep_refreshed(consent_relay(cs, leg)));
	srv_reply(leg, srv, &m, 0, &lt, now);
	EXPECT_EQ(1, turn_keep_refreshed(consent_relay(cs, leg)));
	EXPECT_TRUE(turn_keep_alive(consent_relay(cs, leg)));

	/* the peer's answer, relayed as ChannelData: consent confirmed */
	stun_build_init(&b, out + 4, sizeof(out) - 4,
			stun_type(STUN_BINDING, STUN_SUCCESS), check.tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			(struct sockaddr *)&leg->peer);
	stun_build_integrity(&b, &rkey);
	stun_build_fingerprint(&b);
	r = stun_build_finish(&b);
	ASSERT_LT(0, r);
	out[0] = 0x40;
	out[1] = 0x00;
	out[2] = (uint8_t)(r >> 8);
	out[3] = (uint8_t)r;
	leg->stun_fn(leg, &ss, out, (size_t)r + 4, now);
	EXPECT_EQ(1, consent_confirmed(cs));

	/* the peer's check, relayed: answered through the channel */
	stun_build_init(&b, out + 4, sizeof(out) - 4,
			stun_type(STUN_BINDING, STUN_REQUEST), check.tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, "loc1:rem1");
	stun_build_integrity(&b, &lkey);
	stun_build_fingerprint(&b);
	r = stun_build_finish(&b);
	ASSERT_LT(0, r);
	out[2] = (uint8_t)(r >> 8);
	out[3] = (uint8_t)r;
	leg->stun_fn(leg, &ss, out, (size_t)r + 4, now);
	EXPECT_EQ(1, consent_answered(cs));
	n = srv_recv(sfd, buf, sizeof(buf));
	ASSERT_LT(4, n);
	EXPECT_EQ(0x40, buf[0]);
	ASSERT_EQ(0, stun_msg_parse(&m, buf + 4, (size_t)n - 4));
	EXPECT_EQ(stun_type(STUN_BINDING, STUN_SUCCESS), m.type);
	EXPECT_EQ(0, stun_msg_verify(&m, &lkey));
	stun_key_free(&lt);
	stun_key_free(&rkey);
	stun_key_free(&lkey);
}

/* Side A of @c relayed on its RTP leg through @srv, expiring in @left ms */
static int make_relayed(struct call *c, const struct sockaddr_in *srv,
			uint64_t left)
{
	struct relay_leg *leg = &c->media[0].stream->side[0].leg[0];
	struct consent *cs = consent_new("loc1", "localpassword0123456789");
	uint64_t now = loop_now_ms();
	struct turn_keep_rec rec;
	struct sockaddr_in *rel = (struct sockaddr_in *)&rec.r.relayed;
	struct turn_keep *tk;
	char why[160];

	if (!cs)
		return -1;
	c->consent[0] = cs;
	if (consent_set_remote(cs, "rem1", "remotepassword012345678", true) ||
	    consent_attach(cs, leg, 1, now) ||
	    consent_attach(cs, &c->media[0].stream->side[0].leg[1], 2, now))
		return -1;
	memset(&rec, 0, sizeof(rec));
	memcpy(&rec.server, srv, sizeof(*srv));
	strcpy(rec.user, "kice");
	rel->sin_family = AF_INET;
	rel->sin_addr.s_addr = htonl(0xc6336402);	/* 198.51.100.2 */
	rel->sin_port = htons(50010);
	rec.r.lifetime = 600;
	rec.r.expire_ms = now + left;
	rec.r.channel = 0x4000;
	rec.r.peer = leg->peer;
	rec.r.perm_expire_ms = now + 200000;
	rec.r.chan_expire_ms = now + 500000;
	tk = turn_keep_new(&rec, "kicepass", leg, "test", now, why,
			   sizeof(why));
	if (!tk || consent_attach_relay(cs, leg, tk))
		return -1;
	leg->turn = rec.server;
	leg->channel = rec.r.channel;
	return 0;
}

TEST_F(store, relayed_side_carried)
{
	struct kiced *k = &self->k[0], *k2 = &self->k[1];
	struct sockaddr_in srv;
	struct call *c;
	int sfd = udp_socket(&srv);
	uint8_t buf[1024];

	ASSERT_LE(0, sfd);
	k->cfg.log_level = KLOG_ERR;
	strcpy(k->cfg.turn_user, "kice");
	strcpy(k->cfg.turn_password, "kicepass");
	k2->cfg = k->cfg;
	c = add_call(k, "relayed", 30010);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, make_relayed(c, &srv, 50000));
	c = add_call(k, "expired", 30012);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, make_relayed(c, &srv, 20));
	c = add_call(k, "plain", 30014);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, handover_store_start(k));
	EXPECT_EQ(3, handover_stop(k, true));
	session_remove_all(&k->calls);
	usleep(30000);
	/* what the first kiced's clients sent */
	while (recv(sfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	/* the allocation that ended meanwhile: that call only is released */
	EXPECT_EQ(2, handover_restore(k2));
	EXPECT_EQ(NULL, session_find(&k2->calls, "expired", 7));
	EXPECT_NE(NULL, session_find(&k2->calls, "plain", 5));
	c = session_find(&k2->calls, "relayed", 7);
	ASSERT_NE(NULL, c);
	relayed_side_works(_metadata, c, sfd, &srv);

	/* and on to the next kiced: the restored client's state is kept */
	ASSERT_EQ(0, handover_store_start(k2));
	EXPECT_EQ(2, handover_stop(k2, true));
	session_remove_all(&k2->calls);
	ASSERT_EQ(2, handover_restore(k));
	c = session_find(&k->calls, "relayed", 7);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, c->consent[0]);
	EXPECT_NE(NULL, consent_relay(c->consent[0],
				      &c->media[0].stream->side[0].leg[0]));
	EXPECT_EQ(0x4000, c->media[0].stream->side[0].leg[0].channel);

	/* a TURN user that is not the configured one: released */
	ASSERT_EQ(0, handover_store_start(k));
	EXPECT_EQ(2, handover_stop(k, true));
	session_remove_all(&k->calls);
	strcpy(k2->cfg.turn_user, "other");
	EXPECT_EQ(1, handover_restore(k2));
	EXPECT_EQ(NULL, session_find(&k2->calls, "relayed", 7));
	EXPECT_NE(NULL, session_find(&k2->calls, "plain", 5));
	close(sfd);
}

TEST_HARNESS_MAIN
