// SPDX-License-Identifier: GPL-2.0
/*
 * kiced unit tests: configuration parser, session table, and the command
 * path (kiced_process) driven in-process with a real loop and loopback
 * media ports.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ctl/bencode.h"
#include "ice/ice.h"
#include "kiced/kiced.h"
#include "kiced/limits.h"
#include "kiced/log.h"
#include "kiced/metrics.h"

static int app_socket(uint16_t *port);
static void app_send(int fd, int port, const char *what);
static bool app_wait(struct loop *l, int fd, const char *what, int ms);

/* ---- configuration ---- */

static int parse_conf(struct kiced_config *c, const char *text, char *err)
{
	config_defaults(c);
	return config_parse(c, text, strlen(text), err, 256);
}

TEST(config_defaults_and_file)
{
	struct kiced_config c;
	char err[256];

	ASSERT_EQ(0, parse_conf(&c,
		"# comment\n"
		"; another\n"
		"\n"
		"[kiced]\n"
		"log-level = debug\n"
		"syslog = yes\n"
		"[control]\n"
		"  ng-listen =  127.0.0.1:3000  \r\n"
		"ng-socket = /run/kice/ng.sock\n"
		"max-sessions = 10\n"
		"[media]\n"
		"address = 127.0.0.2\n"
		"advertised-address = 203.0.113.7\n"
		"port-min = 20000\n"
		"port-max = 20100\n"
		"kernel = off\n"
		"interface = int/127.0.0.1\n"
		"interface = ext/127.0.0.2!203.0.113.5\n"
		"interface = v6/::1\n"
		"timeout = 30\n", err));
	ASSERT_EQ(3, c.nifaces);
	EXPECT_STREQ("ext", c.ifaces[1].name);
	EXPECT_STREQ("127.0.0.2", c.ifaces[1].addr);
	EXPECT_STREQ("203.0.113.5", c.ifaces[1].advertised);
	EXPECT_EQ(AF_INET6, config_iface(&c, "v6", 2)->family);
	EXPECT_EQ(NULL, config_iface(&c, "v", 1));
	EXPECT_EQ(KLOG_DEBUG, c.log_level);
	EXPECT_TRUE(c.syslog);
	EXPECT_STREQ("127.0.0.1:3000", c.ng_listen);
	EXPECT_STREQ("/run/kice/ng.sock", c.ng_socket);
	EXPECT_EQ(10, c.max_sessions);
	EXPECT_STREQ("127.0.0.2", c.address);
	EXPECT_STREQ("203.0.113.7", c.advertised);
	EXPECT_EQ(20000, c.port_min);
	EXPECT_EQ(20100, c.port_max);
	EXPECT_FALSE(c.kernel);
	EXPECT_EQ(30, c.timeout);
	EXPECT_EQ(30, c.cookie_ttl);		/* default kept */
	EXPECT_EQ(0, config_check(&c, err, sizeof(err)));
}

static const struct {
	const char *text;
	const char *err;
} bad_conf[] = {
	{ "log-level = info\n",		"line 1: key outside of a section" },
	{ "[nope]\n",			"line 1: unknown section [nope]" },
	{ "[kiced\n",			"line 1: malformed section header" },
	{ "[]\n",			"line 1: malformed section header" },
	{ "[kiced]\nfoo = 1\n",		"line 2: unknown key \"foo\" in [kiced]" },
	{ "[kiced]\nlog-level\n",	"line 2: expected key = value" },
	{ "[kiced]\n = x\n",		"line 2: empty key" },
	{ "[kiced]\nlog-level = loud\n",
	  "line 2: invalid value \"loud\" for kiced.log-level" },
	{ "[kiced]\nsyslog = maybe\n",
	  "line 2: invalid value \"maybe\" for kiced.syslog" },
	{ "[media]\nport-min = 80\n",
	  "line 2: invalid value \"80\" for media.port-min" },
	{ "[media]\nport-max = 70000\n",
	  "line 2: invalid value \"70000\" for media.port-max" },
	{ "[media]\naddress = 1.2.3\n",
	  "line 2: invalid value \"1.2.3\" for media.address" },
	{ "[media]\naddress6 = 1.2.3.4\n",
	  "line 2: invalid value \"1.2.3.4\" for media.address6" },
	{ "[control]\nng-listen = unix:/x\n",
	  "line 2: invalid value \"unix:/x\" for control.ng-listen" },
	{ "[control]\nng-socket = relative\n",
	  "line 2: invalid value \"relative\" for control.ng-socket" },
	{ "[media]\ntimeout = -1\n",
	  "line 2: invalid value \"-1\" for media.timeout" },
	{ "[media]\ninterface = 127.0.0.1\n",
	  "line 2: invalid value \"127.0.0.1\" for media.interface" },
	{ "[media]\ninterface = x/::1!1.2.3.4\n",
	  "line 2: invalid value \"x/::1!1.2.3.4\" for media.interface" },
	{ "[media]\ninterface = x/1.1.1.1\ninterface = x/1.1.1.2\n",
	  "line 3: invalid value \"x/1.1.1.2\" for media.interface" },
};

TEST(config_errors)
{
	struct kiced_config c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad_conf) / sizeof(bad_conf[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, parse_conf(&c, bad_conf[i].text, err));
		EXPECT_STREQ(bad_conf[i].err, err);
	}
	/* cross-field */
	config_defaults(&c);
	c.port_min = 30000;
	c.port_max = 30001;
	EXPECT_EQ(-1, config_check(&c, err, sizeof(err)));
	config_defaults(&c);
	c.ng_listen[0] = '\0';
	EXPECT_EQ(-1, config_check(&c, err, sizeof(err)));
}

TEST(config_example_file)
{
	struct kiced_config c;
	char err[512];

	config_defaults(&c);
	ASSERT_EQ(0, config_load(&c, "agent/kiced/kiced.conf.example", err,
				 sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(0, config_check(&c, err, sizeof(err)));
}

TEST(config_ice_servers)
{
	static const char *const bad[] = {
		"[ice]\nstun-server = stun.example.org:3478\n",	/* numeric */
		"[ice]\nstun-server = 198.51.100.1\n",		/* no port */
		"[ice]\nstun-server = 198.51.100.1:0\n",
		"[ice]\nturn-server = [2001:db8::1]:70000\n",
		"[ice]\nturn-server = unix:/tmp/x\n",
		"[ice]\nturn-transport = tcp\n",
		"[ice]\ngather-wait = 10001\n",
		"[ice]\nmedia-wait = 60001\n",
		"[ice]\nstun = 198.51.100.1:3478\n",
	};
	struct kiced_config c;
	char err[256];
	size_t i;

	ASSERT_EQ(0, parse_conf(&c, "[ice]\nstun-server = 198.51.100.1:3478\n"
				"turn-server = [2001:db8::2]:3478\n"
				"turn-user = kice\nturn-password = secret\n"
				"turn-transport = udp\ngather-wait = 0\n"
				"media-wait = 2500\n", err)) {
		TH_LOG("%s", err);
	}
	EXPECT_STREQ("198.51.100.1:3478", c.stun_server);
	EXPECT_STREQ("[2001:db8::2]:3478", c.turn_server);
	EXPECT_STREQ("kice", c.turn_user);
	EXPECT_STREQ("secret", c.turn_password);
	EXPECT_EQ(0, c.gather_wait_ms);
	EXPECT_EQ(2500, c.media_wait_ms);
	EXPECT_EQ(0, config_check(&c, err, sizeof(err)));
	/* a TURN server needs credentials */
	c.turn_password[0] = '\0';
	EXPECT_EQ(-1, config_check(&c, err, sizeof(err)));
	EXPECT_STREQ("turn-server needs turn-user and turn-password", err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, parse_conf(&c, bad[i], err)) {
			TH_LOG("accepted: %s", bad[i]);
		}
		EXPECT_EQ(0, strncmp(err, "line 2: ", 8)) {
			TH_LOG("%s", err);
		}
		/* nothing half-set */
		EXPECT_STREQ("", c.stun_server);
		EXPECT_STREQ("", c.turn_server);
	}
}

/* ---- session table ---- */

TEST(session_table)
{
	struct session_table t;
	struct call *a, *b, *ab;
	char id[32];
	int i;

	session_table_init(&t);
	a = session_add(&t, "call-a", 6, "tag", 3);
	b = session_add(&t, "call-b", 6, "tag", 3);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(a, session_find(&t, "call-a", 6));
	EXPECT_EQ(NULL, session_find(&t, "call-", 5));
	EXPECT_EQ(2, t.count);
	session_remove(&t, a);
	EXPECT_EQ(NULL, session_find(&t, "call-a", 6));
	EXPECT_EQ(b, t.head);
	EXPECT_EQ(b, t.tail);
	/*
	 * The table goes by the stored length of a key, never by strlen():
	 * keys with a NUL byte (which ng.c refuses anyway) are distinct from
	 * their prefix, found, compared and unlinked from their own bucket.
	 */
	a = session_add(&t, "ab", 2, "f", 1);
	ab = session_add(&t, "ab\0cd", 5, "f\0g", 3);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, ab);
	EXPECT_EQ(5, ab->call_id_len);
	EXPECT_EQ(ab, session_find(&t, "ab\0cd", 5));
	EXPECT_EQ(a, session_find(&t, "ab", 2));
	EXPECT_EQ(NULL, session_find(&t, "ab\0", 3));
	EXPECT_TRUE(session_is_from(ab, "f\0g", 3));
	EXPECT_FALSE(session_is_from(ab, "f", 1));
	EXPECT_FALSE(session_is_to(ab, "f\0g", 3));	/* no to-tag yet */
	ASSERT_EQ(0, session_set_to_tag(ab, "t\0u", 3));
	EXPECT_TRUE(session_is_to(ab, "t\0u", 3));
	EXPECT_FALSE(session_is_to(ab, "t", 1));
	for (i = 0; i < 3; i++) {
		session_remove(&t, ab);
		EXPECT_EQ(NULL, session_find(&t, "ab\0cd", 5));
		ab = session_add(&t, "ab\0cd", 5, "f", 1);
		ASSERT_NE(NULL, ab);
	}
	EXPECT_EQ(ab, session_find(&t, "ab\0cd", 5));
	session_remove(&t, ab);
	session_remove(&t, a);
	EXPECT_EQ(1, t.count);
	for (i = 0; i < 3000; i++) {
		int n = snprintf(id, sizeof(id), "c%d", i);

		ASSERT_NE(NULL, session_add(&t, id, (size_t)n, "f", 1));
	}
	EXPECT_EQ(3001, t.count);
	EXPECT_NE(NULL, session_find(&t, "c2999", 5));
	session_remove_all(&t);
	EXPECT_EQ(0, t.count);
	EXPECT_EQ(NULL, t.head);
}

/* ---- command path ---- */

FIXTURE(daemon)
{
	struct kiced k;
	struct bn_doc doc;
	struct bn_buf out;
	char *reply;
};

FIXTURE_SETUP(daemon)
{
	memset(&self->k, 0, sizeof(self->k));
	config_defaults(&self->k.cfg);
	/* below the ephemeral range (32768-), so no one else's sockets */
	self->k.cfg.port_min = 21000;
	self->k.cfg.port_max = 21200;
	self->k.cfg.max_sessions = 3;
	klog_init(KLOG_ERR, false);
	ASSERT_EQ(0, loop_init(&self->k.loop, 1000, kiced_tick, &self->k));
	session_table_init(&self->k.calls);
	media_env_init(&self->k.media, &self->k.loop, &self->k.cfg, NULL);
	self->k.cache = ng_cache_new(64, 30000);
	ASSERT_NE(NULL, self->k.cache);
	self->k.started_ms = loop_now_ms();
	bn_buf_init(&self->out);
	self->reply = NULL;
}

FIXTURE_TEARDOWN(daemon)
{
	bn_doc_free(&self->doc);
	bn_buf_free(&self->out);
	session_remove_all(&self->k.calls);
	ng_cache_free(self->k.cache);
	loop_fini(&self->k.loop);
}

/*
 * Send "<cookie> <body>" from a fixed source; decode the reply dictionary
 * into self->doc.  Returns the reply's "result" or "(dropped)".
 */
static const char *req(FIXTURE_DATA(daemon) *self, const char *cookie,
		       const char *body, size_t body_len)
{
	static char result[32];
	const char src[] = "source-address";
	struct ng_str ck, bd;
	const struct bn *r;
	char *msg;
	size_t len;
	int ret;

	bn_doc_free(&self->doc);
	bn_buf_free(&self->out);
	bn_buf_init(&self->out);
	len = strlen(cookie) + 1 + body_len;
	msg = malloc(len);
	memcpy(msg, cookie, strlen(cookie));
	msg[strlen(cookie)] = ' ';
	memcpy(msg + strlen(cookie) + 1, body, body_len);
	if (!cookie[0])
		memmove(msg, msg + 1, --len);
	ret = kiced_process(&self->k, msg, len, src, sizeof(src), &self->out);
	free(msg);
	if (ret)
		return "(dropped)";
	if (ng_split(self->out.data, self->out.len, &ck, &bd) ||
	    ck.len != strlen(cookie) || memcmp(ck.p, cookie, ck.len))
		return "(bad cookie)";
	if (bn_decode(&self->doc, bd.p, bd.len))
		return "(bad reply)";
	r = bn_dict_get(self->doc.root, "result");
	if (!r || r->type != BN_STR || r->len >= sizeof(result))
		return "(no result)";
	memcpy(result, r->str, r->len);
	result[r->len] = '\0';
	return result;
}

#define REQ(ck, s) req(self, ck, s, strlen(s))

/* A string member of the last reply, or "" */
static const char *reply_str(FIXTURE_DATA(daemon) *self, const char *key)
{
	static char buf[256];
	const struct bn *r = bn_dict_get(self->doc.root, key);

	if (!r || r->type != BN_STR || r->len >= sizeof(buf))
		return "";
	memcpy(buf, r->str, r->len);
	buf[r->len] = '\0';
	return buf;
}

#define reason(self)	reply_str(self, "error-reason")
#define warning(self)	reply_str(self, "warning")

/* bencoded offer/answer with an SDP for 127.0.0.1:@port */
static char *sdp_req(const char *cmd, const char *call, const char *to_tag,
		     int port, const char *extra)
{
	char sdp[512], *out;
	int n;

	n = snprintf(sdp, sizeof(sdp),
		     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		     "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		     "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
		     "a=candidate:1 1 UDP 2130706431 127.0.0.1 %d typ host\r\n",
		     port, port);
	if (asprintf(&out, "d%s7:call-id%zu:%s7:command%zu:%s8:from-tag2:ft"
		     "3:sdp%d:%s%s%se", extra, strlen(call), call, strlen(cmd),
		     cmd, n, sdp, to_tag ? "6:to-tag" : "",
		     to_tag ? to_tag : "") < 0)
		return NULL;
	return out;
}

static bool reply_sdp_has(FIXTURE_DATA(daemon) *self, const char *needle)
{
	const struct bn *s = bn_dict_get(self->doc.root, "sdp");

	return s && s->type == BN_STR && memmem(s->str, s->len, needle,
						strlen(needle));
}

TEST_F(daemon, ping_and_unknown)
{
	ASSERT_STREQ("pong", REQ("c1", "d7:command4:pinge"));
	ASSERT_STREQ("error", REQ("c2", "d7:command5:dance"));
	EXPECT_STREQ("Could not decode dictionary: input ends inside a value",
		     reason(self));
	ASSERT_STREQ("error", REQ("c3", "d7:command5:dancee"));
	EXPECT_STREQ("Unrecognized command", reason(self));
	ASSERT_STREQ("error", REQ("c4", "d7:call-idi1e7:command5:querye"));
	EXPECT_STREQ("Wrong type for key: call-id", reason(self));
	ASSERT_STREQ("error", REQ("c5", "li1ee"));
	EXPECT_STREQ("Message is not a dictionary", reason(self));
	ASSERT_STREQ("error", REQ("c6", "d7:command4:pinge\n"));
	EXPECT_STREQ("Could not decode dictionary: trailing data after value",
		     reason(self));
	/* no cookie: dropped, counted */
	ASSERT_STREQ("(dropped)", REQ("", "d7:command4:pinge"));
	EXPECT_EQ(1, self->k.stats.malformed);
	EXPECT_EQ(5, self->k.stats.errors);
	ASSERT_STREQ("pong", REQ("c7", "d7:command4:pinge"));
}

TEST_F(daemon, offer_answer_query_delete)
{
	char *o = sdp_req("offer", "call1", NULL, 5000, "3:ICE6:remove");
	char *a = sdp_req("answer", "call1", "2:tt", 6000, "");
	const struct bn *v;

	ASSERT_STREQ("ok", REQ("o1", o));
	/* ICE removed, our port, a media-level c= */
	EXPECT_FALSE(reply_sdp_has(self, "a=candidate"));
	EXPECT_FALSE(reply_sdp_has(self, "ice-ufrag"));
	EXPECT_FALSE(reply_sdp_has(self, "m=audio 5000"));
	EXPECT_TRUE(reply_sdp_has(self, "m=audio 210"));
	EXPECT_TRUE(reply_sdp_has(self, "a=rtpmap:0 PCMU/8000"));
	EXPECT_EQ(1, self->k.calls.count);

	ASSERT_STREQ("ok", REQ("a1", a));
	EXPECT_TRUE(reply_sdp_has(self, "m=audio 210"));

	ASSERT_STREQ("ok", REQ("q1", "d7:call-id5:call17:command5:querye"));
	EXPECT_TRUE(bn_is_str(bn_dict_get(self->doc.root, "state"),
			      "answered"));
	EXPECT_TRUE(bn_is_str(bn_dict_get(self->doc.root, "to-tag"), "tt"));
	v = bn_dict_get(self->doc.root, "media");
	ASSERT_NE(NULL, v);
	ASSERT_EQ(1, v->len);
	v = bn_dict_get(v->child, "offerer");
	EXPECT_EQ(5000, bn_dict_get(v, "remote port")->num);

	ASSERT_STREQ("ok", REQ("l1", "d7:command4:liste"));
	v = bn_dict_get(self->doc.root, "calls");
	ASSERT_EQ(1, v->len);
	EXPECT_TRUE(bn_is_str(v->child, "call1"));

	ASSERT_STREQ("error", REQ("d0", "d7:call-id5:call17:command6:delete"
				  "8:from-tag5:wronge"));
	EXPECT_STREQ("Tags do not match the call", reason(self));
	ASSERT_STREQ("ok", REQ("d1", "d7:call-id5:call17:command6:delete"
			       "8:from-tag2:fte"));
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(0, self->k.media.open_ports);
	ASSERT_STREQ("error", REQ("d2", "d7:call-id5:call17:command6:deletee"));
	EXPECT_STREQ("Unknown call-id", reason(self));
	free(o);
	free(a);
}

/* A retransmitted request gets the cached reply, not a second execution. */
TEST_F(daemon, replay_cache)
{
	char *o = sdp_req("offer", "call2", NULL, 5002, "");
	char first[1024];

	ASSERT_STREQ("ok", REQ("same", o));
	ASSERT_LT(self->out.len, sizeof(first));
	memcpy(first, self->out.data, self->out.len);
	ASSERT_STREQ("ok", REQ("same", o));
	EXPECT_EQ(0, memcmp(first, self->out.data, self->out.len));
	EXPECT_EQ(1, self->k.stats.replays);
	EXPECT_EQ(1, self->k.stats.commands[NG_CMD_OFFER]);
	EXPECT_EQ(1, self->k.calls.count);
	/* a delete retransmitted after success still says ok */
	ASSERT_STREQ("ok", REQ("del", "d7:call-id5:call27:command6:deletee"));
	ASSERT_STREQ("ok", REQ("del", "d7:call-id5:call27:command6:deletee"));
	EXPECT_EQ(2, self->k.stats.replays);
	free(o);
}

TEST_F(daemon, offer_errors_leave_state_alone)
{
	char *good = sdp_req("offer", "keep", NULL, 5004, "");
	char *force = sdp_req("offer", "x1", NULL, 5006, "3:ICE11:force-relay");
	char *ans = sdp_req("answer", "nosuch", "2:tt", 6000, "");
	const char *badsdp = "d7:call-id2:x27:command5:offer8:from-tag1:f"
			     "3:sdp7:garbagee";
	const char *nomedia = "d7:call-id2:x37:command5:offer8:from-tag1:f"
			      "3:sdp34:v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\ne";

	ASSERT_STREQ("ok", REQ("g", good));
	ASSERT_STREQ("error", REQ("e1", force));
	EXPECT_STREQ("ICE=force-relay is not supported", reason(self));
	ASSERT_STREQ("error", REQ("e2", badsdp));
	EXPECT_EQ(0, strncmp(reason(self), "Failed to parse SDP: ", 21));
	ASSERT_STREQ("error", REQ("e3", nomedia));
	EXPECT_STREQ("SDP has no media section", reason(self));
	ASSERT_STREQ("error", REQ("e4", ans));
	EXPECT_STREQ("Unknown call-id", reason(self));
	ASSERT_STREQ("error", REQ("e5", "d7:command5:offere"));
	EXPECT_STREQ("No call-id in message", reason(self));
	/* the good call is untouched */
	EXPECT_EQ(1, self->k.calls.count);
	EXPECT_EQ(4, self->k.media.open_ports);
	ASSERT_STREQ("ok", REQ("q", "d7:call-id4:keep7:command5:querye"));
	free(good);
	free(force);
	free(ans);
}

/*
 * max-sessions, as rtpengine's load limit: a new call over it is refused
 * ("load limit" to a client that supports it, else an error), calls that
 * exist go on (re-offer, answer), and once one ends a new one fits.
 */
TEST_F(daemon, session_limit)
{
	char id[8];
	const struct bn *m;
	char *o;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "lim%d", i);
		o = sdp_req("offer", id, NULL, 7000 + 2 * i, "");
		if (i < 3) {
			EXPECT_STREQ("ok", REQ(id, o));
		} else {
			EXPECT_STREQ("error", REQ(id, o));
			EXPECT_STREQ("Parallel session limit reached",
				     reason(self));
		}
		free(o);
	}
	/* Kamailio's "supports": [ "load limit" ] */
	o = sdp_req("offer", "lim4", NULL, 7010, "8:supportsl10:load limite");
	EXPECT_STREQ("load limit", REQ("ll", o));
	m = bn_dict_get(self->doc.root, "message");
	EXPECT_TRUE(bn_is_str(m, "Parallel session limit reached"));
	EXPECT_EQ(NULL, bn_dict_get(self->doc.root, "sdp"));
	free(o);
	EXPECT_EQ(3, self->k.calls.count);
	EXPECT_EQ(2, self->k.stats.rejected);
	/* an existing call is re-offered and answered as usual */
	o = sdp_req("offer", "lim1", NULL, 7002, "8:supportsl10:load limite");
	EXPECT_STREQ("ok", REQ("re", o));
	free(o);
	o = sdp_req("answer", "lim1", "2:tt", 7102, "");
	EXPECT_STREQ("ok", REQ("an", o));
	free(o);
	EXPECT_EQ(3, self->k.calls.count);
	ASSERT_STREQ("ok", REQ("l", "d7:command4:list5:limiti2ee"));
	EXPECT_EQ(2, bn_dict_get(self->doc.root, "calls")->len);
	/* one call ends: a new one fits */
	ASSERT_STREQ("ok", REQ("d", "d7:call-id4:lim07:command6:deletee"));
	o = sdp_req("offer", "lim4", NULL, 7010, "8:supportsl10:load limite");
	EXPECT_STREQ("ok", REQ("ok", o));
	free(o);
	EXPECT_EQ(3, self->k.calls.count);
}

/* The soft open-file limit follows the port range, up to the hard one. */
TEST(open_file_limit)
{
	struct kiced_config c;
	struct kiced_limits l;
	struct rlimit rl, saved;
	pid_t pid;
	int status;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &saved));
	config_defaults(&c);
	c.port_min = 20000;
	c.port_max = 21999;		/* 1000 pairs: 500 calls */
	rl = saved;
	rl.rlim_cur = 256;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, kiced_limits_apply(&c, &l));
	EXPECT_EQ(1000, l.port_pairs);
	EXPECT_EQ(500, l.calls_ports);
	EXPECT_EQ(256, l.nofile_was);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (saved.rlim_max >= 2000 + KICED_FD_RESERVE) {
		EXPECT_EQ(2000 + KICED_FD_RESERVE, rl.rlim_cur);
		EXPECT_EQ(rl.rlim_cur, l.nofile);
		EXPECT_EQ(500, l.max_calls);
	}
	c.max_sessions = 100;
	ASSERT_EQ(0, kiced_limits_apply(&c, &l));
	EXPECT_EQ(100, l.max_calls);
	c.max_sessions = 0;
	/* a low hard limit bounds the calls (in a child: it cannot go up) */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		rl.rlim_cur = rl.rlim_max = 512;
		if (setrlimit(RLIMIT_NOFILE, &rl) ||
		    kiced_limits_apply(&c, &l) || l.nofile != 512 ||
		    l.max_calls != (512 - KICED_FD_RESERVE) / 4 ||
		    l.calls_fds >= l.calls_ports)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &saved));
}

/* Ports run out: the offer fails cleanly, the existing call keeps its. */
TEST_F(daemon, port_exhaustion)
{
	char *o1 = sdp_req("offer", "p1", NULL, 5020, "");
	char *o2 = sdp_req("offer", "p2", NULL, 5022, "");

	/* two pairs: exactly one call (sides A and B) */
	self->k.cfg.port_min = 21300;
	self->k.cfg.port_max = 21303;
	media_env_init(&self->k.media, &self->k.loop, &self->k.cfg, NULL);
	ASSERT_STREQ("ok", REQ("p1", o1));
	ASSERT_STREQ("error", REQ("p2", o2));
	EXPECT_STREQ("Cannot allocate media ports: no free port pair in 21300-21303",
		     reason(self));
	EXPECT_EQ(1, self->k.calls.count);
	EXPECT_EQ(4, self->k.media.open_ports);
	EXPECT_EQ(1, self->k.stats.rejected);
	/* after a delete the ports are free again */
	ASSERT_STREQ("ok", REQ("d", "d7:call-id2:p17:command6:deletee"));
	ASSERT_STREQ("ok", REQ("p3", o2));
	free(o1);
	free(o2);
}

/* Many calls at once: all listed, each deletable, no port left behind. */
TEST_F(daemon, many_sessions)
{
	char id[16], body[96];
	int i, n;

	self->k.cfg.max_sessions = 0;
	self->k.cfg.port_min = 23000;
	self->k.cfg.port_max = 24000;
	media_env_init(&self->k.media, &self->k.loop, &self->k.cfg, NULL);
	for (i = 0; i < 200; i++) {
		char *o;

		snprintf(id, sizeof(id), "m%d", i);
		o = sdp_req("offer", id, NULL, 10000 + 2 * i, "");
		ASSERT_STREQ("ok", REQ(id, o)) TH_LOG("%s: %s", id, reason(self));
		free(o);
	}
	EXPECT_EQ(200, self->k.calls.count);
	EXPECT_EQ(800, self->k.media.open_ports);
	ASSERT_STREQ("ok", REQ("l", "d7:command4:list5:limiti1000ee"));
	EXPECT_EQ(200, bn_dict_get(self->doc.root, "calls")->len);
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		n = snprintf(body, sizeof(body),
			     "d7:call-id%zu:%s7:command6:deletee", strlen(id),
			     id);
		id[0] = 'd';	/* a fresh cookie: "m.." was the offer's */
		ASSERT_STREQ("ok", req(self, id, body, (size_t)n));
	}
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(0, self->k.media.open_ports);
}

TEST_F(daemon, timeout)
{
	char *o = sdp_req("offer", "old", NULL, 5008, "");

	ASSERT_STREQ("ok", REQ("t", o));
	kiced_tick(&self->k, loop_now_ms());
	EXPECT_EQ(1, self->k.calls.count);
	kiced_tick(&self->k, loop_now_ms() + 61 * 1000);
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(1, self->k.stats.timed_out);
	free(o);
}

/*
 * Issue 12 reproducer: an offer whose call-id holds a NUL byte.  It used to
 * be stored with its full length but found and unhashed with strlen(), so
 * it timed out into a freed entry left in its hash bucket (heap
 * use-after-free on the next lookup there).  Now it is refused.
 */
static const char nul_offer[] =
	"d7:call-id5:ab\0cd7:command5:offer8:from-tag2:ft"
	"3:sdp87:v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5040 RTP/AVP 0\r\ne";

TEST_F(daemon, nul_call_id_reproducer)
{
	static const char q[] = "d7:call-id5:ab\0cd7:command5:querye";
	int i;

	for (i = 0; i < 3; i++) {
		char ck[8];

		snprintf(ck, sizeof(ck), "n%d", i);
		EXPECT_STREQ("error", req(self, ck, nul_offer,
					  sizeof(nul_offer) - 1));
		EXPECT_STREQ("call-id contains a NUL byte", reason(self));
		/* time goes by: whatever was created times out */
		kiced_tick(&self->k, loop_now_ms() + (i + 1) * 61 * 1000);
	}
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(0, self->k.media.open_ports);
	EXPECT_EQ(0, self->k.stats.managed);
	/* the bucket of "ab\0cd" is sound: a lookup there finds nothing */
	EXPECT_EQ(NULL, session_find(&self->k.calls, "ab\0cd", 5));
	ASSERT_STREQ("error", req(self, "q", q, sizeof(q) - 1));
	EXPECT_STREQ("call-id contains a NUL byte", reason(self));
}

/*
 * Every other client key with a NUL byte: a clear error, nothing created
 * (offer) or changed (answer, delete).
 */
TEST_F(daemon, nul_in_every_key)
{
	static const struct {
		const char *extra;	/* bencoded members added */
		size_t len;
		const char *why;
	} bad[] = {
#define NUL_KEY(s, why) { s, sizeof(s) - 1, why }
		NUL_KEY("5:label3:a\0b", "label contains a NUL byte"),
		NUL_KEY("10:via-branch3:a\0b", "via-branch contains a NUL byte"),
		NUL_KEY("9:directionl3:int3:a\0be",
			"direction contains a NUL byte"),
		NUL_KEY("18:transport protocol3:a\0b",
			"transport protocol contains a NUL byte"),
		NUL_KEY("13:media address3:a\0b",
			"media address contains a NUL byte"),
		NUL_KEY("5:flagsl3:a\0be", "flags contains a NUL byte"),
#undef NUL_KEY
	};
	char *o = sdp_req("offer", "nul", NULL, 5050, "");
	char *a = sdp_req("answer", "nul", "3:tXt", 6050, "");
	char msg[1024], ck[8];
	size_t i, n;

	strcpy(self->k.cfg.ifaces[0].name, "int");
	strcpy(self->k.cfg.ifaces[0].addr, "127.0.0.1");
	self->k.cfg.ifaces[0].family = AF_INET;
	self->k.cfg.nifaces = 1;
	/* from-tag: "ft" in sdp_req's text becomes "f\0" */
	n = strlen(o);
	memcpy(msg, o, n);
	((char *)memmem(msg, n, "8:from-tag2:ft", 14))[13] = '\0';
	ASSERT_STREQ("error", req(self, "f", msg, n));
	EXPECT_STREQ("from-tag contains a NUL byte", reason(self));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* "d<extra>7:call-id..." */
		msg[0] = 'd';
		memcpy(msg + 1, bad[i].extra, bad[i].len);
		memcpy(msg + 1 + bad[i].len, o + 1, strlen(o) - 1);
		snprintf(ck, sizeof(ck), "k%zu", i);
		ASSERT_STREQ("error", req(self, ck, msg,
					  bad[i].len + strlen(o)));
		EXPECT_STREQ(bad[i].why, reason(self));
	}
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(0, self->k.media.open_ports);
	EXPECT_EQ(0, self->k.stats.managed);

	/* to-tag: the call stays offered, without a to-tag */
	ASSERT_STREQ("ok", REQ("o", o));
	n = strlen(a);
	memcpy(msg, a, n);
	((char *)memmem(msg, n, "6:to-tag3:tXt", 13))[11] = '\0';
	ASSERT_STREQ("error", req(self, "a", msg, n));
	EXPECT_STREQ("to-tag contains a NUL byte", reason(self));
	ASSERT_STREQ("ok", REQ("q", "d7:call-id3:nul7:command5:querye"));
	EXPECT_TRUE(bn_is_str(bn_dict_get(self->doc.root, "state"),
			      "offered"));
	EXPECT_EQ(NULL, bn_dict_get(self->doc.root, "to-tag"));
	/* delete with a NUL from-tag: refused, the call stays */
	ASSERT_STREQ("error", req(self, "d", "d7:call-id3:nul7:command6:delete"
				  "8:from-tag3:f\0te", 48));
	EXPECT_STREQ("from-tag contains a NUL byte", reason(self));
	EXPECT_EQ(1, self->k.calls.count);
	free(o);
	free(a);
}

/* ---- input limits, log lines ---- */

/*
 * A bundle-only section (RFC 9143 7.2.1, webrtcbin's max-bundle offer:
 * port 0 and a=bundle-only) is live: the ICE offer is taken, the section
 * gets a stream and goes on bundle-only at port 0; a plain port-0
 * section next to ICE is still refused.
 */
static char *bundle_req(const char *call, bool bundle_only)
{
	char sdp[768], *out;
	int n;

	n = snprintf(sdp, sizeof(sdp),
		     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		     "a=group:BUNDLE a v\r\n"
		     "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
		     "m=audio 5004 RTP/AVP 0\r\na=mid:a\r\na=rtcp-mux\r\n"
		     "a=candidate:1 1 UDP 2130706431 127.0.0.1 5004 typ host\r\n"
		     "m=video 0 RTP/AVP 96\r\na=mid:v\r\na=rtcp-mux\r\n%s",
		     bundle_only ? "a=bundle-only\r\n" : "");
	if (asprintf(&out, "d7:call-id%zu:%s7:command5:offer8:from-tag2:ft"
		     "3:sdp%d:%se", strlen(call), call, n, sdp) < 0)
		return NULL;
	return out;
}

TEST_F(daemon, bundle_only_section)
{
	char *o = bundle_req("bo", true), *d = bundle_req("bd", false);
	const struct call *c;

	ASSERT_STREQ("ok", REQ("o", o)) TH_LOG("%s", reason(self));
	EXPECT_TRUE(reply_sdp_has(self, "m=video 0 RTP/AVP 96\r\n"));
	EXPECT_TRUE(reply_sdp_has(self, "a=bundle-only\r\n"));
	EXPECT_TRUE(reply_sdp_has(self, "a=group:BUNDLE a v\r\n"));
	EXPECT_FALSE(reply_sdp_has(self, "m=audio 0 "));
	c = session_find(&self->k.calls, "bo", 2);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(2, c->nmedia);
	EXPECT_NE(NULL, c->media[0].stream);
	EXPECT_NE(NULL, c->media[1].stream);
	/* without a=bundle-only, port 0 is a disabled section */
	ASSERT_STREQ("error", REQ("d", d));
	EXPECT_STREQ("ICE: disabled media sections are not supported",
		     reason(self));
	EXPECT_EQ(NULL, session_find(&self->k.calls, "bd", 2));
	free(o);
	free(d);
}

TEST(log_strings_escaped)
{
	static const char evil[] = "a\nkiced[1] err: forged\r\\\0\xff";
	char longs[KLOG_STR_MAX + 10];
	struct klog_str b;
	struct klog_once once = { 0 };

	EXPECT_STREQ("plain-id@host", KLOG_S("plain-id@host", 13));
	EXPECT_STREQ("a\\x0akiced[1] err: forged\\x0d\\\\\\x00\\xff",
		     klog_str(&b, evil, sizeof(evil) - 1));
	EXPECT_STREQ("-", KLOG_S(NULL, 0));
	memset(longs, 'x', sizeof(longs));
	EXPECT_EQ(KLOG_STR_MAX + 3, strlen(KLOG_S(longs, sizeof(longs))));
	EXPECT_EQ(0, strcmp(KLOG_S(longs, sizeof(longs)) + KLOG_STR_MAX,
			    "..."));
	EXPECT_EQ(KLOG_STR_MAX, strlen(KLOG_S(longs, KLOG_STR_MAX)));
	/* the worst case fits: every byte escaped, then "..." */
	memset(longs, 1, sizeof(longs));
	EXPECT_EQ(4 * KLOG_STR_MAX + 3, strlen(KLOG_S(longs, sizeof(longs))));
	EXPECT_TRUE(klog_once(&once));
	EXPECT_FALSE(klog_once(&once));
	EXPECT_FALSE(klog_once(&once));
	EXPECT_EQ(3, once.count);
}

/* Everything logged to @f (klog_to) so far, in *@buf. */
static char *logged(FILE *f, char **buf)
{
	fflush(f);
	return *buf;
}

TEST_F(daemon, call_id_logged_escaped)
{
	char *o, *buf = NULL, id[NG_CALL_ID_MAX + 1];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	klog_to(f);
	klog_init(KLOG_INFO, false);
	o = sdp_req("offer", "evil\nkiced[1] err: forged", NULL, 5060, "");
	EXPECT_STREQ("ok", REQ("e", o));
	free(o);
	/* one line, the newline shown as \x0a */
	EXPECT_NE(NULL, strstr(logged(f, &buf),
			       "call evil\\x0akiced[1] err: forged: offer from ft"));
	/* no line of its own */
	EXPECT_EQ(NULL, strstr(buf, "\nkiced[1] err: forged")) {
		TH_LOG("logged: %s", buf);
	}
	/* a long call-id: 64 bytes and "..." */
	memset(id, 'i', NG_CALL_ID_MAX);
	id[NG_CALL_ID_MAX] = '\0';
	o = sdp_req("offer", id, NULL, 5062, "");
	EXPECT_STREQ("ok", REQ("l", o));
	free(o);
	id[KLOG_STR_MAX] = '\0';
	EXPECT_NE(NULL, strstr(logged(f, &buf), id));
	strcat(id, "...: offer from");
	EXPECT_NE(NULL, strstr(buf, id));
	klog_init(KLOG_ERR, false);
	klog_to(NULL);
	fclose(f);
	free(buf);
}

/*
 * Over a limit: a clear error, nothing created.  At the limit: accepted.
 */
TEST_F(daemon, input_limits)
{
	char big[NG_CALL_ID_MAX + 2], extra[NG_CALL_ID_MAX + 64], ck[8];
	static const char *const keys[] = { "from-tag", "via-branch", "label" };
	char *o, *sdp, *msg;
	size_t i, n;
	int port = 5070;

	self->k.cfg.max_sessions = 0;
	memset(big, 'b', sizeof(big));
	/* call-id */
	big[NG_CALL_ID_MAX + 1] = '\0';
	o = sdp_req("offer", big, NULL, port, "");
	ASSERT_STREQ("error", REQ("c1", o));
	EXPECT_STREQ("call-id too long (max 256)", reason(self));
	free(o);
	big[NG_CALL_ID_MAX] = '\0';
	o = sdp_req("offer", big, NULL, port, "");
	ASSERT_STREQ("ok", REQ("c2", o)) TH_LOG("%s", reason(self));
	free(o);
	EXPECT_EQ(1, self->k.calls.count);
	/* tags, via-branch, label: members before sdp_req's, first wins */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		n = (size_t)snprintf(extra, sizeof(extra), "%zu:%s%d:",
				     strlen(keys[i]), keys[i], NG_TAG_MAX + 1);
		memset(extra + n, 'x', NG_TAG_MAX + 1);
		extra[n + NG_TAG_MAX + 1] = '\0';
		o = sdp_req("offer", "lim", NULL, port, extra);
		snprintf(ck, sizeof(ck), "k%zu", i);
		ASSERT_STREQ("error", REQ(ck, o));
		snprintf(extra, sizeof(extra), "%s too long (max 256)",
			 keys[i]);
		EXPECT_STREQ(extra, reason(self));
		free(o);
	}
	EXPECT_EQ(1, self->k.calls.count);
	/* 33 m= lines, 65 candidates in one */
	sdp = malloc(16384);
	msg = malloc(16384 + 256);
	ASSERT_NE(NULL, sdp);
	ASSERT_NE(NULL, msg);
	n = (size_t)sprintf(sdp, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n");
	for (i = 0; i < 33; i++)
		n += (size_t)sprintf(sdp + n, "m=audio %zu RTP/AVP 0\r\n",
				     6000 + 2 * i);
	n = (size_t)sprintf(msg, "d7:call-id2:mm7:command5:offer"
			    "8:from-tag1:f3:sdp%zu:%se", n, sdp);
	ASSERT_STREQ("error", req(self, "m33", msg, n));
	EXPECT_STREQ("Failed to parse SDP: too many media sections (max 32) "
		     "(line 38)", reason(self));
	n = (size_t)sprintf(sdp, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			    "m=audio 6000 RTP/AVP 0\r\n"
			    "a=ice-ufrag:abcd\r\n"
			    "a=ice-pwd:0123456789abcdefghijkl\r\n");
	for (i = 0; i < 65; i++)
		n += (size_t)sprintf(sdp + n, "a=candidate:%zu 1 UDP 1 "
				     "127.0.0.1 %zu typ host\r\n", i,
				     7000 + i);
	n = (size_t)sprintf(msg, "d7:call-id2:cc7:command5:offer"
			    "8:from-tag1:f3:sdp%zu:%se", n, sdp);
	ASSERT_STREQ("error", req(self, "c65", msg, n));
	EXPECT_STREQ("Failed to parse SDP: too many candidates in a media "
		     "section (max 64) (line 73)", reason(self));
	/* 33 nested lists; 1025 flags */
	n = (size_t)sprintf(msg, "d7:command4:ping1:x");
	for (i = 0; i < 32; i++)
		msg[n++] = 'l';
	for (i = 0; i < 32; i++)
		msg[n++] = 'e';
	msg[n++] = 'e';
	ASSERT_STREQ("error", req(self, "deep", msg, n));
	EXPECT_STREQ("Could not decode dictionary: nesting too deep (max 32)",
		     reason(self));
	n = (size_t)sprintf(msg, "d7:command4:ping5:flagsl");
	for (i = 0; i <= BN_MAX_ITEMS; i++)
		n += (size_t)sprintf(msg + n, "3:all");
	n += (size_t)sprintf(msg + n, "ee");
	ASSERT_STREQ("error", req(self, "many", msg, n));
	EXPECT_STREQ("Could not decode dictionary: too many items in a list "
		     "or dictionary (max 1024)", reason(self));
	EXPECT_EQ(1, self->k.calls.count);
	EXPECT_EQ(4, self->k.media.open_ports);
	free(sdp);
	free(msg);
}

/* IPv4 offerer, IPv6 answerer ("address family" IP6), media relayed. */
TEST_F(daemon, ipv4_to_ipv6_gateway)
{
	char *o = sdp_req("offer", "v6", NULL, 5010,
			  "14:address family3:IP6");
	const char *v6ans = "d7:call-id2:v67:command6:answer8:from-tag2:ft"
		"3:sdp75:v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\n"
		"t=0 0\r\nm=audio 6010 RTP/AVP 0\r\n6:to-tag2:tte";
	const char *v4ans = "d7:call-id2:v67:command6:answer8:from-tag2:ft"
		"3:sdp87:v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6010 RTP/AVP 0\r\n"
		"6:to-tag2:tte";

	ASSERT_STREQ("ok", REQ("o", o));
	EXPECT_TRUE(reply_sdp_has(self, "c=IN IP6 ::1"));
	/* an IPv4 answer to the IPv6 leg is refused, the call unchanged */
	ASSERT_STREQ("error", REQ("a4", v4ans));
	EXPECT_STREQ("Media 1: answer address family differs from the offer's",
		     reason(self));
	ASSERT_STREQ("ok", REQ("a6", v6ans));
	/* the answer for the offerer points at the IPv4 side */
	EXPECT_TRUE(reply_sdp_has(self, "c=IN IP4 127.0.0.1"));
	EXPECT_FALSE(reply_sdp_has(self, "c=IN IP6"));
	free(o);
}

/*
 * "direction": the offerer's side on interface int (127.0.0.1), the
 * answerer's on ext (127.0.0.2, advertised as 203.0.113.5); media goes
 * through both.
 */
TEST_F(daemon, direction_interfaces)
{
	char *o = sdp_req("offer", "dir", NULL, 0, "");
	char *bad = sdp_req("offer", "dir2", NULL, 5030,
			    "9:directionl3:int4:nopee");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const struct media_stream *st;
	uint16_t pa, pb;
	int afd, bfd, i;

	strcpy(self->k.cfg.ifaces[0].name, "int");
	strcpy(self->k.cfg.ifaces[0].addr, "127.0.0.1");
	self->k.cfg.ifaces[0].family = AF_INET;
	strcpy(self->k.cfg.ifaces[1].name, "ext");
	strcpy(self->k.cfg.ifaces[1].addr, "127.0.0.2");
	strcpy(self->k.cfg.ifaces[1].advertised, "203.0.113.5");
	self->k.cfg.ifaces[1].family = AF_INET;
	self->k.cfg.nifaces = 2;

	/* a name kiced does not have: its default address, and a warning */
	ASSERT_STREQ("ok", REQ("bad", bad));
	EXPECT_STREQ("Unknown interface \"nope\": the default one is used",
		     warning(self));
	st = session_find(&self->k.calls, "dir2", 4)->media[0].stream;
	EXPECT_EQ(NULL, st->side[MEDIA_SIDE_B].iface);
	EXPECT_EQ(&self->k.cfg.ifaces[0], st->side[MEDIA_SIDE_A].iface);

	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	free(o);
	/* plain RTP apps: no ICE on either side (else no consent, no media) */
	o = sdp_req("offer", "dir", NULL, pa,
		    "3:ICE6:remove9:directionl3:int3:exte5:flagsl10:reject ICEe");
	ASSERT_STREQ("ok", REQ("o", o)) TH_LOG("%s", reason(self));
	EXPECT_TRUE(reply_sdp_has(self, "c=IN IP4 203.0.113.5"));
	st = session_find(&self->k.calls, "dir", 3)->media[0].stream;
	EXPECT_EQ(htonl(0x7f000002), ((struct sockaddr_in *)
		  &st->side[MEDIA_SIDE_B].leg[0].local)->sin_addr.s_addr);
	free(o);
	o = sdp_req("answer", "dir", "2:tt", pb, "");
	ASSERT_STREQ("ok", REQ("a", o));
	EXPECT_TRUE(reply_sdp_has(self, "c=IN IP4 127.0.0.1"));
	EXPECT_FALSE(reply_sdp_has(self, "a=candidate"));

	/* B -> side B on 127.0.0.2 -> A; A -> side A on 127.0.0.1 -> B */
	sa.sin_addr.s_addr = htonl(0x7f000002);
	sa.sin_port = htons(relay_leg_port(&st->side[MEDIA_SIDE_B].leg[0]));
	for (i = 0; i < 5; i++)
		sendto(bfd, "hi-A", 4, 0, (struct sockaddr *)&sa, sizeof(sa));
	ASSERT_TRUE(app_wait(&self->k.loop, afd, "hi-A", 2000));
	app_send(afd, relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]), "hi-B");
	ASSERT_TRUE(app_wait(&self->k.loop, bfd, "hi-B", 2000));
	close(afd);
	close(bfd);
	free(o);
	free(bad);
}

/*
 * An offer or answer from @from to @to: plain RTP at 127.0.0.1:@port;
 * @extra: more bencoded members, @lines: more session-level SDP lines.
 */
static char *tagged_req_x(const char *cmd, const char *call, const char *from,
			  const char *to, int port, const char *extra,
			  const char *lines)
{
	char sdp[512], *out;
	int n;

	n = snprintf(sdp, sizeof(sdp),
		     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\n%s"
		     "m=audio %d RTP/AVP 0\r\n", lines, port);
	if (asprintf(&out, "d7:call-id%zu:%s7:command%zu:%s8:from-tag%zu:%s"
		     "3:sdp%d:%s6:to-tag%zu:%s%se", strlen(call), call,
		     strlen(cmd), cmd, strlen(from), from, n, sdp, strlen(to),
		     to, extra) < 0)
		return NULL;
	return out;
}

#define tagged_req(cmd, call, from, to, port) \
	tagged_req_x(cmd, call, from, to, port, "", "")

static int reply_port(FIXTURE_DATA(daemon) *self)
{
	const struct bn *s = bn_dict_get(self->doc.root, "sdp");
	const char *m = s ? memmem(s->str, s->len, "m=audio ", 8) : NULL;

	return m ? atoi(m + 8) : -1;
}

/*
 * A re-INVITE from the callee, as Kamailio's module sends it: an offer
 * whose from-tag is the callee's, answered with the same from-tag and
 * the caller's to-tag.  Both keep their kiced ports; media follows the
 * callee's new address.
 */
TEST_F(daemon, callee_reoffer)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const struct media_stream *st;
	int afd, bfd, b2fd, port_a, port_b;
	uint16_t pa, pb, pb2;
	char *r;

	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	b2fd = app_socket(&pb2);
	r = tagged_req("offer", "re", "caller", "", pa);
	ASSERT_STREQ("ok", REQ("o1", r)) TH_LOG("%s", reason(self));
	port_b = reply_port(self);
	free(r);
	r = tagged_req("answer", "re", "caller", "callee", pb);
	ASSERT_STREQ("ok", REQ("a1", r)) TH_LOG("%s", reason(self));
	port_a = reply_port(self);
	free(r);
	st = session_find(&self->k.calls, "re", 2)->media[0].stream;
	EXPECT_EQ(port_a, relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]));
	EXPECT_EQ(port_b, relay_leg_port(&st->side[MEDIA_SIDE_B].leg[0]));

	/* the callee re-offers from a new port: towards the caller, side A */
	r = tagged_req("offer", "re", "callee", "caller", pb2);
	ASSERT_STREQ("ok", REQ("o2", r)) TH_LOG("%s", reason(self));
	EXPECT_EQ(port_a, reply_port(self));
	free(r);
	/* its answer comes with the callee's from-tag, not the caller's */
	r = tagged_req("answer", "re", "caller", "callee", pa);
	ASSERT_STREQ("error", REQ("a2", r));
	EXPECT_STREQ("Unknown from-tag", reason(self));
	free(r);
	r = tagged_req("answer", "re", "callee", "someone", pa);
	ASSERT_STREQ("error", REQ("a3", r));
	free(r);
	r = tagged_req("answer", "re", "callee", "caller", pa);
	ASSERT_STREQ("ok", REQ("a4", r)) TH_LOG("%s", reason(self));
	EXPECT_EQ(port_b, reply_port(self));
	free(r);
	ASSERT_STREQ("ok", REQ("q", "d7:call-id2:re7:command5:querye"));
	EXPECT_TRUE(bn_is_str(bn_dict_get(self->doc.root, "from-tag"),
			      "caller"));
	EXPECT_TRUE(bn_is_str(bn_dict_get(self->doc.root, "to-tag"),
			      "callee"));

	/* caller -> side A -> the callee's new port, and back */
	app_send(afd, port_a, "to-callee");
	ASSERT_TRUE(app_wait(&self->k.loop, b2fd, "to-callee", 2000));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port_b);
	sendto(b2fd, "to-caller", 9, 0, (struct sockaddr *)&sa, sizeof(sa));
	ASSERT_TRUE(app_wait(&self->k.loop, afd, "to-caller", 2000));

	/* the caller offers again: the roles are back */
	r = tagged_req("offer", "re", "caller", "callee", pa);
	ASSERT_STREQ("ok", REQ("o3", r)) TH_LOG("%s", reason(self));
	EXPECT_EQ(port_b, reply_port(self));
	free(r);
	r = tagged_req("answer", "re", "caller", "callee", pb2);
	ASSERT_STREQ("ok", REQ("a5", r)) TH_LOG("%s", reason(self));
	EXPECT_EQ(port_a, reply_port(self));
	free(r);
	/* a stranger's offer is still refused */
	r = tagged_req("offer", "re", "stranger", "caller", pa);
	ASSERT_STREQ("error", REQ("o4", r));
	EXPECT_STREQ("Call exists with a different from-tag", reason(self));
	free(r);
	close(afd);
	close(bfd);
	close(b2fd);
}

/* The SDP of the last reply, NUL-terminated (static). */
static const char *reply_sdp(FIXTURE_DATA(daemon) *self)
{
	static char buf[2048];
	const struct bn *r = bn_dict_get(self->doc.root, "sdp");

	if (!r || r->type != BN_STR || r->len >= sizeof(buf))
		return "";
	memcpy(buf, r->str, r->len);
	buf[r->len] = '\0';
	return buf;
}

/*
 * "loop protect": what kiced wrote is marked a=rtpengine:<instance>; the
 * same description back (a call through this kiced twice) is passed on
 * as it is, creating nothing.
 */
TEST_F(daemon, loop_protect)
{
	const char *f = "5:flagsl12:loop-protecte";
	char *r, *again, mark[64];
	const char *out, *a;

	r = tagged_req_x("offer", "lp", "caller", "", 5060, f, "");
	ASSERT_STREQ("ok", REQ("o1", r)) TH_LOG("%s", reason(self));
	out = reply_sdp(self);
	a = strstr(out, "a=rtpengine:");
	ASSERT_NE(NULL, a);
	snprintf(mark, sizeof(mark), "%.*s\r\n", (int)strcspn(a, "\r\n"), a);
	EXPECT_EQ(16, strcspn(a + 12, "\r\n"));
	EXPECT_EQ(1, self->k.calls.count);
	free(r);
	/* the description as kiced wrote it, for another call-id */
	again = tagged_req_x("offer", "lp2", "caller", "", 4444, f, mark);
	ASSERT_STREQ("ok", REQ("o2", again));
	EXPECT_NE(NULL, strstr(reply_sdp(self), "m=audio 4444 "));
	EXPECT_EQ(1, self->k.calls.count);
	free(again);
	/* another instance's mark, or no flag: rewritten as usual */
	again = tagged_req_x("offer", "lp3", "caller", "", 4444, f,
			     "a=rtpengine:0123456789abcdef\r\n");
	ASSERT_STREQ("ok", REQ("o3", again));
	EXPECT_EQ(NULL, strstr(reply_sdp(self), "m=audio 4444 "));
	EXPECT_EQ(2, self->k.calls.count);
	free(again);
	again = tagged_req_x("offer", "lp4", "caller", "", 4444, "", mark);
	ASSERT_STREQ("ok", REQ("o4", again));
	EXPECT_EQ(NULL, strstr(reply_sdp(self), "m=audio 4444 "));
	EXPECT_EQ(3, self->k.calls.count);
	free(again);
}

/*
 * Where a party takes its media: "media address" over everything, the
 * SIP source ("received-from") with "SIP source address", else c=.
 */
TEST_F(daemon, media_address_and_sip_source)
{
	const struct media_stream *st;
	char *r;

	r = tagged_req_x("offer", "ma", "caller", "", 5000,
			 "13:media-address9:127.0.0.3", "");
	ASSERT_STREQ("ok", REQ("o1", r)) TH_LOG("%s", reason(self));
	free(r);
	st = session_find(&self->k.calls, "ma", 2)->media[0].stream;
	EXPECT_STREQ("127.0.0.3", st->side[MEDIA_SIDE_A].remote_addr);
	r = tagged_req_x("answer", "ma", "caller", "callee", 6000,
			 "5:flagsl18:SIP-source-addresse13:received-froml3:IP49:127.0.0.4e",
			 "");
	ASSERT_STREQ("ok", REQ("a1", r)) TH_LOG("%s", reason(self));
	free(r);
	EXPECT_STREQ("127.0.0.4", st->side[MEDIA_SIDE_B].remote_addr);
	/* received-from alone changes nothing */
	r = tagged_req_x("offer", "ma", "caller", "callee", 5000,
			 "13:received-froml3:IP49:127.0.0.4e", "");
	ASSERT_STREQ("ok", REQ("o2", r)) TH_LOG("%s", reason(self));
	free(r);
	st = session_find(&self->k.calls, "ma", 2)->media[0].stream;
	EXPECT_STREQ("127.0.0.1", st->side[MEDIA_SIDE_A].remote_addr);
	/* not an address, or malformed: refused, the call as it was */
	r = tagged_req_x("offer", "ma", "caller", "callee", 5000,
			 "13:media-address4:nope", "");
	ASSERT_STREQ("error", REQ("o3", r));
	EXPECT_STREQ("Unsupported connection address \"nope\"", reason(self));
	free(r);
	r = tagged_req_x("offer", "ma", "caller", "callee", 5000,
			 "13:received-froml3:IP4e", "");
	ASSERT_STREQ("error", REQ("o4", r));
	EXPECT_STREQ("Invalid received-from", reason(self));
	free(r);
	EXPECT_STREQ("127.0.0.1", st->side[MEDIA_SIDE_A].remote_addr);
}

/* "transport-protocol": between plain RTP profiles; SRTP refused. */
TEST_F(daemon, transport_protocol)
{
	char *r;

	r = tagged_req_x("offer", "tp", "caller", "", 5000,
			 "18:transport-protocol8:RTP/AVPF", "");
	ASSERT_STREQ("ok", REQ("o1", r)) TH_LOG("%s", reason(self));
	EXPECT_TRUE(reply_sdp_has(self, " RTP/AVPF 0"));
	free(r);
	r = tagged_req_x("answer", "tp", "caller", "callee", 6000,
			 "18:transport-protocol8:RTP/SAVP", "");
	ASSERT_STREQ("error", REQ("a1", r));
	EXPECT_STREQ("transport-protocol RTP/SAVP for media 1 (RTP/AVP): SRTP and DTLS are not translated",
		     reason(self));
	EXPECT_EQ(NULL, session_find(&self->k.calls, "tp", 2)->to_tag);
	free(r);
	r = tagged_req_x("answer", "tp", "caller", "callee", 6000,
			 "18:transport-protocol7:RTP/AVP", "");
	ASSERT_STREQ("ok", REQ("a2", r)) TH_LOG("%s", reason(self));
	EXPECT_TRUE(reply_sdp_has(self, " RTP/AVP 0"));
	free(r);
}

/* "delete delay": the call lives on that long, then goes. */
TEST_F(daemon, delete_delay)
{
	char *r = tagged_req("offer", "dd", "caller", "", 5000);

	ASSERT_STREQ("ok", REQ("o1", r));
	free(r);
	ASSERT_STREQ("ok", REQ("d1", "d7:call-id2:dd7:command6:delete"
			       "12:delete-delayi5ee"));
	EXPECT_EQ(1, self->k.calls.count);
	ASSERT_STREQ("ok", REQ("q1", "d7:call-id2:dd7:command5:querye"));
	EXPECT_EQ(5, bn_dict_get(self->doc.root, "deleted in")->num);
	kiced_tick(&self->k, loop_now_ms() + 4000);
	EXPECT_EQ(1, self->k.calls.count);
	kiced_tick(&self->k, loop_now_ms() + 5100);
	EXPECT_EQ(0, self->k.calls.count);
	EXPECT_EQ(0, self->k.media.open_ports);
	/* without one, at once */
	r = tagged_req("offer", "dd", "caller", "", 5000);
	ASSERT_STREQ("ok", REQ("o2", r));
	free(r);
	ASSERT_STREQ("ok", REQ("d2", "d7:call-id2:dd7:command6:deletee"));
	EXPECT_EQ(0, self->k.calls.count);
}

/* Warnings: unknown flags named, ICE=force in an answer to a plain offer. */
TEST_F(daemon, warnings)
{
	char *r = tagged_req_x("offer", "w", "caller", "", 5000,
			       "5:flagsl3:foo3:bar13:trust-addresse", "");

	ASSERT_STREQ("ok", REQ("o1", r)) TH_LOG("%s", reason(self));
	EXPECT_STREQ("unsupported flags ignored (2): foo, bar", warning(self));
	free(r);
	r = tagged_req_x("answer", "w", "caller", "callee", 6000,
			 "3:ICE5:force", "");
	ASSERT_STREQ("ok", REQ("a1", r));
	EXPECT_STREQ("ICE=force in an answer: the offer had no ICE, so the answer to it cannot (RFC 8839)",
		     warning(self));
	free(r);
	ASSERT_STREQ("pong", REQ("p", "d7:command4:pinge"));
	EXPECT_STREQ("", warning(self));
}

/* A value of metrics text @t: the number after "@name " (-1: none). */
static long long metric(const char *t, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(t, key);
	return p ? atoll(p + strlen(key)) : -1;
}

/*
 * Prometheus metrics: gauges now, counters totals since the start, the
 * media of a deleted call included.
 */
TEST_F(daemon, metrics)
{
	uint16_t pa, pb;
	int afd, bfd, port_a;
	char *r, *t;
	size_t len;
	long long rtp;

	afd = app_socket(&pa);
	bfd = app_socket(&pb);
	r = tagged_req("offer", "m", "caller", "", pa);
	ASSERT_STREQ("ok", REQ("o", r));
	free(r);
	r = tagged_req("answer", "m", "caller", "callee", pb);
	ASSERT_STREQ("ok", REQ("a", r));
	port_a = reply_port(self);
	free(r);
	app_send(afd, port_a, "rtp-1");
	ASSERT_TRUE(app_wait(&self->k.loop, bfd, "rtp-1", 2000));
	app_send(afd, port_a, "rtp-2");
	ASSERT_TRUE(app_wait(&self->k.loop, bfd, "rtp-2", 2000));

	ASSERT_EQ(0, metrics_render(&self->k, &t, &len));
	EXPECT_EQ(strlen(t), len);
	EXPECT_NE(NULL, strstr(t, "# TYPE kice_media_packets_total counter\n"));
	EXPECT_EQ(1, metric(t, "kice_calls"));
	EXPECT_EQ(1, metric(t, "kice_calls_created_total"));
	EXPECT_EQ(1, metric(t, "kice_ng_requests_total{command=\"offer\"}"));
	EXPECT_EQ(1, metric(t, "kice_calls_relayed{relay=\"userspace\"}"));
	rtp = metric(t, "kice_media_packets_total{component=\"rtp\"}");
	EXPECT_EQ(2, rtp);
	EXPECT_EQ(10, metric(t, "kice_media_bytes_total{component=\"rtp\"}"));
	EXPECT_EQ(4, metric(t, "kice_media_ports"));
	free(t);

	ASSERT_STREQ("ok", REQ("d", "d7:call-id1:m7:command6:deletee"));
	ASSERT_EQ(0, metrics_render(&self->k, &t, &len));
	EXPECT_EQ(0, metric(t, "kice_calls"));
	EXPECT_EQ(1, metric(t, "kice_calls_deleted_total"));
	EXPECT_EQ(rtp, metric(t, "kice_media_packets_total{component=\"rtp\"}"));
	EXPECT_EQ(0, metric(t, "kice_media_ports"));
	free(t);
	close(afd);
	close(bfd);
}

TEST_F(daemon, statistics)
{
	ASSERT_STREQ("pong", REQ("p", "d7:command4:pinge"));
	ASSERT_STREQ("ok", REQ("s", "d7:command10:statisticse"));
	EXPECT_EQ(1, bn_dict_get(bn_dict_get(bn_dict_get(self->doc.root,
		"statistics"), "control"), "ping")->num);
	EXPECT_TRUE(bn_is_str(bn_dict_get(bn_dict_get(self->doc.root,
		"statistics"), "relay"), "userspace"));
}

/* ---- ICE between two daemons sharing one loop ---- */

static void daemon_init(struct kiced *k, struct loop *loop, uint16_t pmin)
{
	memset(k, 0, sizeof(*k));
	config_defaults(&k->cfg);
	k->cfg.port_min = pmin;
	k->cfg.port_max = (uint16_t)(pmin + 199);
	session_table_init(&k->calls);
	media_env_init(&k->media, loop, &k->cfg, NULL);
	k->cache = ng_cache_new(64, 30000);
	k->started_ms = loop_now_ms();
}

static void daemon_fini(struct kiced *k)
{
	session_remove_all(&k->calls);
	ng_cache_free(k->cache);
}

/*
 * Send an offer/answer to @k; returns the reply's SDP (malloc'ed) or NULL
 * and copies the error reason to @why.
 */
static char *ng_sdp_flag(struct kiced *k, const char *cmd, const char *ice,
			 const char *to_tag, const char *sdp, char *why,
			 const char *flag)
{
	static unsigned int seq;
	struct bn_buf req, rep;
	struct ng_str ck, bd;
	struct bn_doc doc;
	const struct bn *v;
	char cookie[16], *out = NULL;
	int n = snprintf(cookie, sizeof(cookie), "k%u", seq++);

	bn_buf_init(&req);
	bn_buf_init(&rep);
	bn_put_raw(&req, cookie, (size_t)n);
	bn_put_raw(&req, " ", 1);
	bn_open_dict(&req);
	if (ice)
		bn_kv_str(&req, "ICE", ice);
	bn_kv_str(&req, "call-id", "ice-call");
	bn_kv_str(&req, "command", cmd);
	if (flag) {
		bn_put_cstr(&req, "flags");
		bn_open_list(&req);
		bn_put_cstr(&req, flag);
		bn_close(&req);
	}
	bn_kv_str(&req, "from-tag", "ft");
	bn_kv_str(&req, "sdp", sdp);
	if (to_tag)
		bn_kv_str(&req, "to-tag", to_tag);
	bn_close(&req);
	why[0] = '\0';
	if (!kiced_process(k, req.data, req.len, "s", 1, &rep) &&
	    !ng_split(rep.data, rep.len, &ck, &bd) &&
	    !bn_decode(&doc, bd.p, bd.len)) {
		v = bn_dict_get(doc.root, "sdp");
		if (v)
			out = bn_strdup(v);
		v = bn_dict_get(doc.root, "error-reason");
		if (v)
			snprintf(why, 128, "%.*s", (int)v->len, v->str);
		bn_doc_free(&doc);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return out;
}

static char *ng_sdp(struct kiced *k, const char *cmd, const char *ice,
		    const char *to_tag, const char *sdp, char *why)
{
	return ng_sdp_flag(k, cmd, ice, to_tag, sdp, why, NULL);
}

static int sdp_port(const char *sdp)
{
	const char *m = sdp ? strstr(sdp, "m=audio ") : NULL;

	return m ? atoi(m + 8) : -1;
}

static int app_socket(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static void app_send(int fd, int port, const char *what)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons((uint16_t)port) };

	sendto(fd, what, strlen(what), 0, (struct sockaddr *)&sa, sizeof(sa));
}

/*
 * RFC 7675: on a side with ICE nothing goes to the peer's SDP addresses
 * before a check there succeeds.  Both apps offer ICE candidates but
 * never answer a check: what each sends is held, never relayed, and
 * counted.
 */
TEST_F(daemon, no_media_before_consent)
{
	const struct media_stream *st;
	uint16_t pa, pb;
	int afd = app_socket(&pa), bfd = app_socket(&pb), i;
	char *o = sdp_req("offer", "nc", NULL, pa, "");
	char *a = sdp_req("answer", "nc", "2:tt", pb, "");

	ASSERT_STREQ("ok", REQ("o", o)) TH_LOG("%s", reason(self));
	ASSERT_STREQ("ok", REQ("a", a)) TH_LOG("%s", reason(self));
	st = session_find(&self->k.calls, "nc", 2)->media[0].stream;
	ASSERT_TRUE(st->side[MEDIA_SIDE_A].ice && st->side[MEDIA_SIDE_B].ice);
	for (i = 0; i < 5; i++) {
		app_send(afd, relay_leg_port(&st->side[MEDIA_SIDE_A].leg[0]),
			 "to-B");
		app_send(bfd, relay_leg_port(&st->side[MEDIA_SIDE_B].leg[0]),
			 "to-A");
	}
	EXPECT_FALSE(app_wait(&self->k.loop, bfd, "to-B", 500));
	EXPECT_FALSE(app_wait(&self->k.loop, afd, "to-A", 300));
	EXPECT_EQ(5, st->side[MEDIA_SIDE_B].leg[0].held);
	EXPECT_EQ(5, st->side[MEDIA_SIDE_A].leg[0].held);
	/* kept for when consent comes (relay_leg_unhold()), not dropped */
	EXPECT_EQ(5, st->side[MEDIA_SIDE_B].leg[0].nqueued);
	EXPECT_EQ(0, st->side[MEDIA_SIDE_A].leg[0].rx.errors);
	close(afd);
	close(bfd);
	free(o);
	free(a);
}

/* Run the loop for up to @ms until @fd has a datagram equal to @what. */
static bool app_wait(struct loop *l, int fd, const char *what, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;
	char buf[64];

	while (loop_now_ms() < end) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == (ssize_t)strlen(what) && !memcmp(buf, what, (size_t)n))
			return true;
		if (n < 0)
			loop_run_once(l, 10);
	}
	return false;
}

static char *plain_sdp(uint16_t port)
{
	char *s;

	if (asprintf(&s, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		     port) < 0)
		return NULL;
	return s;
}

/* Two daemons on one loop and an application socket for each end. */
struct two {
	struct kiced *k1, *k2;
	struct loop *l;
	int afd, bfd;
	char *sa, *sb;		/* plain descriptions of A and B */
};

static int two_init(struct two *t, uint16_t pmin)
{
	uint16_t pa, pb;

	memset(t, 0, sizeof(*t));
	t->afd = t->bfd = -1;
	t->k1 = calloc(1, sizeof(*t->k1));
	t->k2 = calloc(1, sizeof(*t->k2));
	if (!t->k1 || !t->k2)
		return -1;
	t->l = &t->k1->loop;
	klog_init(KLOG_ERR, false);
	daemon_init(t->k1, t->l, pmin);
	daemon_init(t->k2, t->l, (uint16_t)(pmin + 200));
	if (loop_init(t->l, 1000, NULL, NULL))
		return -1;
	t->afd = app_socket(&pa);
	t->bfd = app_socket(&pb);
	t->sa = plain_sdp(pa);
	t->sb = plain_sdp(pb);
	return t->afd < 0 || t->bfd < 0 || !t->sa || !t->sb ? -1 : 0;
}

/*
 * Run the loop until kiced 1's side B and kiced 2's side A are connected,
 * then send @n datagrams each way (A to kiced 1 port @xa, B to kiced 2 port
 * @xb).  True when all went through.
 */
static bool two_connect_media(struct two *t, int xa, int xb, int n)
{
	struct call *c1 = session_find(&t->k1->calls, "ice-call", 8);
	struct call *c2 = session_find(&t->k2->calls, "ice-call", 8);
	uint64_t end = loop_now_ms() + 5000;
	int i;

	if (!c1 || !c2 || !c1->ice[MEDIA_SIDE_B] || !c2->ice[MEDIA_SIDE_A])
		return false;
	while (loop_now_ms() < end && !(c1->ice[MEDIA_SIDE_B]->connected &&
					c2->ice[MEDIA_SIDE_A]->connected))
		loop_run_once(t->l, 20);
	if (!c1->ice[MEDIA_SIDE_B]->connected ||
	    !c2->ice[MEDIA_SIDE_A]->connected)
		return false;
	for (i = 0; i < n; i++) {
		app_send(t->afd, xa, "to-B");
		if (!app_wait(t->l, t->bfd, "to-B", 2000))
			return false;
		app_send(t->bfd, xb, "to-A");
		if (!app_wait(t->l, t->afd, "to-A", 2000))
			return false;
	}
	return true;
}

static void two_fini(struct two *t)
{
	free(t->sa);
	free(t->sb);
	if (t->afd >= 0)
		close(t->afd);
	if (t->bfd >= 0)
		close(t->bfd);
	if (t->k1 && t->k2) {
		daemon_fini(t->k1);
		daemon_fini(t->k2);
		loop_fini(t->l);
	}
	free(t->k1);
	free(t->k2);
}

/*
 * app A -- kiced 1 ==ICE== kiced 2 -- app B: kiced 1 is asked for ICE
 * towards the answerer (ICE=force); kiced 2 gets that offer, does ICE
 * towards kiced 1 and plain RTP towards B (ICE=remove).  Checks run over
 * loopback; then media goes both ways over the nominated pair.
 */
TEST(ice_between_two_daemons)
{
	char *s1, *s2, *s3, *s4, why[128];
	struct call *c1, *c2;
	struct two t;
	struct kiced *k1, *k2;
	struct media_ice_totals before = *media_ice_totals();
	const struct media_ice_totals *after = media_ice_totals();
	uint64_t n = 0;
	char *m;
	size_t len;
	int i;

	ASSERT_EQ(0, two_init(&t, 21600));
	k1 = t.k1;
	k2 = t.k2;

	s1 = ng_sdp(k1, "offer", "force", NULL, t.sa, why);
	ASSERT_NE(NULL, s1) TH_LOG("offer 1: %s", why);
	EXPECT_NE(NULL, strstr(s1, "a=ice-ufrag:"));
	EXPECT_NE(NULL, strstr(s1, "a=candidate:"));
	s2 = ng_sdp(k2, "offer", "remove", NULL, s1, why);
	ASSERT_NE(NULL, s2) TH_LOG("offer 2: %s", why);
	EXPECT_EQ(NULL, strstr(s2, "a=candidate:"));
	s3 = ng_sdp(k2, "answer", NULL, "tt", t.sb, why);
	ASSERT_NE(NULL, s3) TH_LOG("answer 2: %s", why);
	EXPECT_NE(NULL, strstr(s3, "a=ice-ufrag:"));
	s4 = ng_sdp(k1, "answer", NULL, "tt", s3, why);
	ASSERT_NE(NULL, s4) TH_LOG("answer 1: %s", why);
	EXPECT_EQ(NULL, strstr(s4, "a=candidate:"));

	c1 = session_find(&k1->calls, "ice-call", 8);
	c2 = session_find(&k2->calls, "ice-call", 8);
	ASSERT_NE(NULL, c1->ice[MEDIA_SIDE_B]);
	ASSERT_EQ(NULL, c1->ice[MEDIA_SIDE_A]);
	ASSERT_NE(NULL, c2->ice[MEDIA_SIDE_A]);
	ASSERT_EQ(NULL, c2->ice[MEDIA_SIDE_B]);

	/* media: A -> kiced 1 -> (ICE) -> kiced 2 -> B, and back */
	ASSERT_TRUE(two_connect_media(&t, sdp_port(s4), sdp_port(s2), 10));
	EXPECT_NE(0, c1->ice[MEDIA_SIDE_B]->nominations);
	EXPECT_GT(c1->media[0].stream->side[MEDIA_SIDE_B].leg[0].stun_rx, 0);

	/* both sides' setup time in the metrics' histogram */
	EXPECT_EQ(before.connected + 2, after->connected);
	EXPECT_EQ(before.failed, after->failed);
	for (i = 0; i < MEDIA_ICE_NBUCKETS; i++)
		n += after->setup[i] - before.setup[i];
	EXPECT_EQ(2, n);
	ASSERT_EQ(0, metrics_render(k1, &m, &len));
	EXPECT_NE(NULL, strstr(m, "kice_ice_setup_seconds_bucket{le=\"+Inf\"} "));
	EXPECT_NE(NULL, strstr(m, "kice_ice_sides{state=\"connected\"} 1\n"));
	free(m);

	free(s1); free(s2); free(s3); free(s4);
	two_fini(&t);
}

/* @sdp without its candidate and end-of-candidates lines (malloc'ed). */
static char *strip_cands(const char *sdp)
{
	char *out = malloc(strlen(sdp) + 1), *o = out;
	const char *l = sdp, *e;

	while (out && *l) {
		e = strchr(l, '\n');
		e = e ? e + 1 : l + strlen(l);
		if (strncmp(l, "a=candidate:", 12) &&
		    strncmp(l, "a=end-of-candidates", 19)) {
			memcpy(o, l, (size_t)(e - l));
			o += e - l;
		}
		l = e;
	}
	if (out)
		*o = '\0';
	return out;
}

/* The lines of @sdp starting with @prefix, appended to @out. */
static void copy_lines(char *out, size_t size, const char *sdp,
		       const char *prefix)
{
	const char *l = sdp, *e;

	while (*l) {
		e = strchr(l, '\n');
		e = e ? e + 1 : l + strlen(l);
		if (!strncmp(l, prefix, strlen(prefix)))
			snprintf(out + strlen(out), size - strlen(out), "%.*s",
				 (int)(e - l), l);
		l = e;
	}
}

/* An offer with the flag "fragment"; NULL on success, else the reason. */
static const char *ng_fragment(struct kiced *k, const char *call,
			       const char *tag, const char *frag)
{
	static char why[128];
	struct bn_buf req, rep;
	struct ng_str ck, bd;
	struct bn_doc doc;
	const struct bn *v;

	bn_buf_init(&req);
	bn_buf_init(&rep);
	bn_put_raw(&req, "frag ", 5);
	bn_open_dict(&req);
	bn_kv_str(&req, "call-id", call);
	bn_kv_str(&req, "command", "offer");
	bn_put_cstr(&req, "flags");
	bn_open_list(&req);
	bn_put_cstr(&req, "trickle-ICE");
	bn_put_cstr(&req, "fragment");
	bn_close(&req);
	bn_kv_str(&req, "from-tag", tag);
	bn_kv_str(&req, "sdp", frag);
	bn_close(&req);
	snprintf(why, sizeof(why), "no reply");
	/* a fresh cache: the same cookie again is a new request */
	ng_cache_free(k->cache);
	k->cache = ng_cache_new(64, 30000);
	if (!kiced_process(k, req.data, req.len, "s", 1, &rep) &&
	    !ng_split(rep.data, rep.len, &ck, &bd) &&
	    !bn_decode(&doc, bd.p, bd.len)) {
		v = bn_dict_get(doc.root, "error-reason");
		if (v)
			snprintf(why, sizeof(why), "%.*s", (int)v->len, v->str);
		else if (bn_is_str(bn_dict_get(doc.root, "result"), "ok"))
			why[0] = '\0';
		bn_doc_free(&doc);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return why[0] ? why : NULL;
}

/*
 * Trickle ICE over ng: kiced 1 offers ICE towards kiced 2, which answers;
 * both descriptions lose their candidates on the way (trickle), so no
 * checks can succeed until the answerer's candidates arrive in an SDP
 * fragment (offer with the flag "fragment").  Bad fragments change
 * nothing; the good one lets ICE connect and media flow.
 */
TEST(trickle_fragment)
{
	char *s1, *s1t, *s2, *s3, *s3t, *s4, why[128];
	char frag[2048] = "", bad[2048];
	struct kiced *k1, *k2;
	struct ice_agent *ag;
	struct call *c1;
	const char *err;
	struct two t;
	uint64_t end;

	ASSERT_EQ(0, two_init(&t, 22000));
	k1 = t.k1;
	k2 = t.k2;

	/* kiced 1 trickles towards kiced 2 (waits for its candidates) */
	s1 = ng_sdp_flag(k1, "offer", "force", NULL, t.sa, why,
			 "trickle ICE");
	ASSERT_NE(NULL, s1) TH_LOG("offer 1: %s", why);
	EXPECT_NE(NULL, strstr(s1, "a=ice-options:trickle"));
	s1t = strip_cands(s1);
	s2 = ng_sdp(k2, "offer", "remove", NULL, s1t, why);
	ASSERT_NE(NULL, s2) TH_LOG("offer 2: %s", why);
	s3 = ng_sdp(k2, "answer", NULL, "tt", t.sb, why);
	ASSERT_NE(NULL, s3) TH_LOG("answer 2: %s", why);
	ASSERT_NE(NULL, strstr(s3, "a=candidate:"));
	s3t = strip_cands(s3);
	s4 = ng_sdp(k1, "answer", NULL, "tt", s3t, why);
	ASSERT_NE(NULL, s4) TH_LOG("answer 1: %s", why);

	c1 = session_find(&k1->calls, "ice-call", 8);
	ag = c1->ice[MEDIA_SIDE_B]->agent;
	ASSERT_EQ(0, ice_agent_nremote(ag));
	/* without candidates nothing connects */
	end = loop_now_ms() + 300;
	while (loop_now_ms() < end)
		loop_run_once(t.l, 20);
	ASSERT_FALSE(c1->ice[MEDIA_SIDE_B]->connected);

	/* the fragment: credentials, the m= line and its candidates */
	copy_lines(frag, sizeof(frag), s3, "a=ice-ufrag:");
	copy_lines(frag, sizeof(frag), s3, "a=ice-pwd:");
	copy_lines(frag, sizeof(frag), s3, "m=");
	copy_lines(frag, sizeof(frag), s3, "a=candidate:");
	strcat(frag, "a=end-of-candidates\r\n");

	/* errors: unknown call, stale ufrag, malformed, no ufrag */
	err = ng_fragment(k1, "nope", "tt", frag);
	EXPECT_STREQ("Unknown call-id", err ? err : "ok");
	err = ng_fragment(k1, "ice-call", "zz", frag);
	EXPECT_STREQ("Unknown from-tag", err ? err : "ok");
	snprintf(bad, sizeof(bad), "a=ice-ufrag:stale\r\n%s",
		 strstr(frag, "a=ice-pwd:"));
	err = ng_fragment(k1, "ice-call", "tt", bad);
	EXPECT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err ? err : "", "ice-ufrag is not the current one"));
	snprintf(bad, sizeof(bad), "%sa=candidate:1 1 UDP 12 x\r\n", frag);
	err = ng_fragment(k1, "ice-call", "tt", bad);
	EXPECT_STREQ("ICE fragment: malformed a=candidate", err ? err : "ok");
	snprintf(bad, sizeof(bad), "%sm=audio 9 RTP/AVP 0\r\n", frag);
	err = ng_fragment(k1, "ice-call", "tt", bad);
	EXPECT_STREQ("ICE fragment: media section 2 has no ICE stream",
		     err ? err : "ok");
	err = ng_fragment(k1, "ice-call", "tt", strstr(frag, "a=ice-pwd:"));
	EXPECT_STREQ("ICE fragment: no a=ice-ufrag", err ? err : "ok");
	EXPECT_EQ(0, ice_agent_nremote(ag));
	EXPECT_FALSE(c1->ice[MEDIA_SIDE_B]->connected);

	err = ng_fragment(k1, "ice-call", "tt", frag);
	ASSERT_EQ(NULL, err) TH_LOG("fragment: %s", err);
	EXPECT_EQ(2, ice_agent_nremote(ag));
	ASSERT_TRUE(two_connect_media(&t, sdp_port(s4), sdp_port(s2), 5));

	free(s1); free(s1t); free(s2); free(s3); free(s3t); free(s4);
	two_fini(&t);
}

/* With [media] ice = no, ICE=force is refused and ICE is stripped. */
TEST(ice_disabled)
{
	struct kiced *k = calloc(1, sizeof(*k));
	char *sa, *s, why[128];
	uint16_t pa;
	int afd;

	klog_init(KLOG_ERR, false);
	daemon_init(k, &k->loop, 22000);
	k->cfg.ice = false;
	ASSERT_EQ(0, loop_init(&k->loop, 1000, NULL, NULL));
	afd = app_socket(&pa);
	sa = plain_sdp(pa);
	EXPECT_EQ(NULL, ng_sdp(k, "offer", "force", NULL, sa, why));
	EXPECT_STREQ("ICE is disabled in the configuration", why);
	EXPECT_EQ(0, k->calls.count);
	s = ng_sdp(k, "offer", NULL, NULL, sa, why);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, strstr(s, "ice-ufrag"));
	free(s);
	free(sa);
	close(afd);
	daemon_fini(k);
	loop_fini(&k->loop);
	free(k);
}

TEST_HARNESS_MAIN
