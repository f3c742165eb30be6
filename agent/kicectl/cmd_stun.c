// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl stun SERVER[:PORT] [--transport udp|tcp|tls] [--user U --password P]
 *
 * Sends a Binding request and prints the mapped address; with credentials
 * also allocates a relay (TURN), prints the relayed address(es), optionally
 * exercises a peer through it, and releases the allocation.
 */
#include <errno.h>
#include <netdb.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kicectl/kicectl.h"
#include "stun/stun.h"
#include "turn/turn.h"

struct stun_opts {
	const char *server;
	enum stun_transport tr;
	const char *user, *password;
	const char *ca_file;
	bool insecure;
	unsigned int families;
	const char *peer;
	unsigned int hold_s;
	bool refresh;
	unsigned int rto_ms;
	uint32_t lifetime;
	bool verbose;
};

#define MAX_REDIRECTS	3
#define RC_ALTERNATE	3	/* internal: follow s->alternate */

struct session {
	struct stun_opts *o;
	struct sockaddr_storage alternate;
	struct turn_conn conn;
	struct sockaddr_storage server;
	socklen_t slen;
	char host[256];
	char srv[STUN_ADDRSTRLEN];
	struct turn_client turn;
	/* turn events */
	bool done;
	struct turn_event last;
	unsigned int echoes;
	char expect[64];
	int stale_seen;
};

void cmd_stun_usage(void)
{
	printf("usage: kicectl stun SERVER[:PORT] [options]\n"
	       "  --transport udp|tcp|tls  transport to the server (udp)\n"
	       "  --user U --password P    allocate a TURN relay (long-term credentials)\n"
	       "  --family 4|6|46          relay address family, 46 = dual (4)\n"
	       "  --peer ADDR:PORT         relay test: permission, channel, echo from peer\n"
	       "  --hold SECONDS           keep the allocation this long before releasing\n"
	       "  --refresh                send one explicit Refresh before releasing\n"
	       "  --lifetime SECONDS       requested allocation lifetime\n"
	       "  --ca FILE                CA certificate(s) for TLS (system store)\n"
	       "  --insecure               do not verify the TLS certificate\n"
	       "  --rto MS                 initial retransmission timeout (500)\n"
	       "  -v, --verbose            print progress\n"
	       "Default port 3478 (5349 for tls).  Exit status 0 on success,\n"
	       "1 when the server fails or does not answer, 2 on bad usage.\n");
}

static void die_usage(const char *msg)
{
	fprintf(stderr, "kicectl stun: %s (see kicectl help stun)\n", msg);
	exit(2);
}

static int conn_send(void *arg, const uint8_t *buf, size_t len)
{
	struct session *s = arg;

	return turn_conn_send(&s->conn, buf, len);
}

/* ---- Binding ---------------------------------------------------------- */

struct binding_ctx {
	struct stun_tx tx;
	bool done;
	int code;
	char reason[128];
	struct sockaddr_storage mapped;
	bool have_mapped;
	struct sockaddr_storage alternate;
	bool alt;
};

static void binding_input(void *arg, const uint8_t *buf, size_t len)
{
	struct binding_ctx *b = arg;
	struct stun_msg m;
	const char *r;
	size_t rl;

	if (stun_msg_parse(&m, buf, len) || stun_tx_match(&b->tx, &m))
		return;
	b->done = true;
	if (stun_msg_class(&m) == STUN_SUCCESS) {
		b->have_mapped =
			!stun_get_addr(&m, STUN_ATTR_XOR_MAPPED_ADDRESS,
				       &b->mapped) ||
			!stun_get_addr(&m, STUN_ATTR_MAPPED_ADDRESS,
				       &b->mapped);
		return;
	}
	if (stun_get_error(&m, &b->code, &r, &rl) == 0) {
		if (rl >= sizeof(b->reason))
			rl = sizeof(b->reason) - 1;
		memcpy(b->reason, r, rl);
		b->reason[rl] = '\0';
	}
	if (b->code == STUN_EC_TRY_ALTERNATE)
		b->alt = !stun_get_addr(&m, STUN_ATTR_ALTERNATE_SERVER,
					&b->alternate);
}

static int wait_input(struct session *s, uint64_t deadline,
		      void (*fn)(void *, const uint8_t *, size_t), void *arg)
{
	struct pollfd p = { .fd = s->conn.fd, .events = POLLIN };
	uint64_t now = stun_now_ms();
	int n, timeout = deadline > now ? (int)(deadline - now) : 0;

	if (turn_conn_pending(&s->conn))
		timeout = 0;
	n = poll(&p, 1, timeout);
	if (n < 0 && errno != EINTR)
		return -errno;
	if (n > 0 || turn_conn_pending(&s->conn)) {
		n = turn_conn_read(&s->conn, fn, arg);
		if (n < 0)
			return n;
	}
	return 0;
}

static int do_binding(struct session *s)
{
	struct stun_tx_cfg cfg = STUN_TX_CFG_DEFAULT;
	struct binding_ctx b;
	struct stun_builder sb;
	uint8_t req[128], tid[STUN_TID_LEN];
	char addr[STUN_ADDRSTRLEN];
	long n;
	int err;

	memset(&b, 0, sizeof(b));
	if (s->o->rto_ms)
		cfg.rto_ms = s->o->rto_ms;
	stun_tid_new(tid);
	stun_build_init(&sb, req, sizeof(req),
			stun_type(STUN_BINDING, STUN_REQUEST), tid);
	stun_build_string(&sb, STUN_ATTR_SOFTWARE, "kice kicectl");
	stun_build_fingerprint(&sb);
	n = stun_build_finish(&sb);
	if (n < 0)
		return (int)n;
	err = turn_conn_send(&s->conn, req, (size_t)n);
	if (err) {
		fprintf(stderr, "kicectl stun: binding: %s\n", s->conn.err);
		return 1;
	}
	stun_tx_start(&b.tx, &cfg, s->o->tr, tid, stun_now_ms());
	while (!b.done) {
		err = wait_input(s, stun_tx_deadline(&b.tx), binding_input, &b);
		if (err) {
			fprintf(stderr, "kicectl stun: binding: %s\n",
				s->conn.err);
			return 1;
		}
		if (b.done)
			break;
		switch (stun_tx_tick(&b.tx, stun_now_ms())) {
		case STUN_TX_RETRANSMIT:
			if (s->o->verbose)
				fprintf(stderr, "binding: retransmit %u\n",
					b.tx.sent);
			turn_conn_send(&s->conn, req, (size_t)n);
			break;
		case STUN_TX_TIMEOUT:
			fprintf(stderr,
				"kicectl stun: binding: timeout: no response from %s after %u transmission%s\n",
				s->srv, b.tx.sent, b.tx.sent > 1 ? "s" : "");
			return 1;
		case STUN_TX_WAIT:
			break;
		}
	}
	if (b.code) {
		if (b.alt) {
			s->alternate = b.alternate;
			return RC_ALTERNATE;
		}
		fprintf(stderr, "kicectl stun: binding: %d %s\n", b.code,
			b.reason);
		return 1;
	}
	if (!b.have_mapped) {
		fprintf(stderr,
			"kicectl stun: binding: response without (XOR-)MAPPED-ADDRESS\n");
		return 1;
	}
	printf("mapped %s\n", stun_addr_str((struct sockaddr *)&b.mapped,
					     addr, sizeof(addr)));
	fflush(stdout);
	return 0;
}

/* ---- TURN ------------------------------------------------------------- */

static void turn_event(void *arg, const struct turn_event *ev)
{
	struct session *s = arg;
	char addr[STUN_ADDRSTRLEN];

	switch (ev->type) {
	case TURN_EV_STALE_NONCE:
		s->stale_seen++;
		printf("stale nonce: retried with the new nonce\n");
		return;
	case TURN_EV_DATA:
		if (s->o->verbose)
			fprintf(stderr, "data from %s (%zu bytes, channel 0x%04x)\n",
				stun_addr_str((struct sockaddr *)&ev->peer, addr,
					      sizeof(addr)), ev->len,
				ev->channel);
		if (ev->len == strlen(s->expect) &&
		    !memcmp(ev->data, s->expect, ev->len)) {
			s->echoes++;
			s->last = *ev;
			s->last.data = NULL;
			s->done = true;
		}
		return;
	default:
		s->last = *ev;
		s->last.data = NULL;
		s->done = true;
	}
}

static void turn_input(void *arg, const uint8_t *buf, size_t len)
{
	struct session *s = arg;

	turn_client_input(&s->turn, buf, len, stun_now_ms());
}

/* Run the event loop until an event arrives or `until` (if not zero) is
 * reached; with hold, keep running until `until` regardless of events.
 * Returns 0, or 1 after printing an error. */
static int turn_wait_ex(struct session *s, const char *what, uint64_t until,
			bool hold)
{
	s->done = false;
	for (;;) {
		uint64_t now = stun_now_ms(), next;
		int err;

		if (s->done && !hold)
			return 0;
		if (until && now >= until)
			return 0;
		next = turn_client_next_timer(&s->turn);
		if (until && until < next)
			next = until;
		if (next == UINT64_MAX && !until)
			next = now + 60000;
		err = wait_input(s, next, turn_input, s);
		if (err) {
			fprintf(stderr, "kicectl stun: %s: %s\n", what,
				s->conn.err[0] ? s->conn.err : strerror(-err));
			return 1;
		}
		turn_client_tick(&s->turn, stun_now_ms());
	}
}

static int turn_wait(struct session *s, const char *what, uint64_t until)
{
	return turn_wait_ex(s, what, until, false);
}

static int report_failure(struct session *s, const char *what)
{
	const struct turn_event *ev = &s->last;

	if (ev->code)
		fprintf(stderr, "kicectl stun: %s: %d %s\n", what, ev->code,
			ev->reason);
	else
		fprintf(stderr, "kicectl stun: %s: %s%s%s\n", what,
			ev->reason[0] ? ev->reason : stun_strerror(ev->err),
			ev->err == STUN_E_TIMEOUT ? " from " : "",
			ev->err == STUN_E_TIMEOUT ? s->srv : "");
	return 1;
}

static int relay_echo(struct session *s, const struct sockaddr *peer,
		      const char *how, unsigned int seq)
{
	char addr[STUN_ADDRSTRLEN];
	uint64_t deadline = stun_now_ms() + 3000;
	int err;

	snprintf(s->expect, sizeof(s->expect), "kice-probe-%u", seq);
	s->echoes = 0;
	/* a few probes: UDP to the peer may be lost */
	while (!s->echoes && stun_now_ms() < deadline) {
		err = turn_client_send(&s->turn, peer, s->expect,
				       strlen(s->expect));
		if (err) {
			fprintf(stderr, "kicectl stun: send to peer: %s\n",
				err < -100 ? strerror(-err) : stun_strerror(err));
			return 1;
		}
		if (turn_wait(s, "relay", stun_now_ms() + 500))
			return 1;
	}
	if (!s->echoes) {
		fprintf(stderr,
			"kicectl stun: relay: no echo from peer %s via %s\n",
			stun_addr_str(peer, addr, sizeof(addr)), how);
		return 1;
	}
	printf("peer %s echo via %s\n",
	       stun_addr_str(peer, addr, sizeof(addr)), how);
	return 0;
}

/* 300 Try Alternate: connect to the alternate server instead. */
static int reconnect(struct session *s)
{
	int err;

	turn_conn_close(&s->conn);
	s->server = s->alternate;
	s->slen = s->server.ss_family == AF_INET6 ?
		  sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo((struct sockaddr *)&s->server, s->slen, s->host,
			sizeof(s->host), NULL, 0, NI_NUMERICHOST))
		s->host[0] = '\0';
	stun_addr_str((struct sockaddr *)&s->server, s->srv, sizeof(s->srv));
	printf("alternate %s\n", s->srv);
	fflush(stdout);
	err = turn_conn_open(&s->conn, s->o->tr, (struct sockaddr *)&s->server,
			     s->slen, s->host, s->o->ca_file, s->o->insecure,
			     5000);
	if (err) {
		fprintf(stderr, "kicectl stun: %s: %s\n", s->srv, s->conn.err);
		return 1;
	}
	return 0;
}

static int do_turn(struct session *s)
{
	struct turn_cfg cfg = { 0 };
	char addr[STUN_ADDRSTRLEN], how[32];
	struct sockaddr_storage peer;
	socklen_t plen;
	unsigned int i;
	int err, ch;

	cfg.transport = s->o->tr;
	cfg.username = s->o->user;
	cfg.password = s->o->password;
	cfg.families = s->o->families;
	cfg.lifetime = s->o->lifetime;
	cfg.tx.rto_ms = s->o->rto_ms;
	cfg.software = "kice kicectl";
	for (i = 0;; i++) {
		err = turn_client_init(&s->turn, &cfg, conn_send, turn_event, s);
		if (err) {
			fprintf(stderr, "kicectl stun: %s\n", stun_strerror(err));
			return 2;
		}
		err = turn_client_allocate(&s->turn, stun_now_ms());
		if (err) {
			fprintf(stderr, "kicectl stun: allocate: %s\n",
				s->conn.err);
			return 1;
		}
		if (turn_wait(s, "allocate", 0))
			return 1;
		if (s->last.type != TURN_EV_ALTERNATE)
			break;
		turn_client_free(&s->turn);
		if (i == MAX_REDIRECTS) {
			fprintf(stderr,
				"kicectl stun: allocate: 300 Try Alternate more than %d times\n",
				MAX_REDIRECTS);
			return 1;
		}
		s->alternate = s->last.peer;
		if (reconnect(s))
			return 1;
	}
	if (s->last.type != TURN_EV_ALLOCATED)
		return report_failure(s, "allocate");
	for (i = 0; i < s->turn.nrelayed; i++)
		printf("relayed %s\n",
		       stun_addr_str((struct sockaddr *)&s->turn.relayed[i],
				     addr, sizeof(addr)));
	if (s->last.reason[0])
		printf("note: %s\n", s->last.reason);
	printf("lifetime %u\n", s->last.lifetime);
	fflush(stdout);

	if (s->o->peer) {
		if (turn_resolve(s->o->peer, 0, &peer, &plen, NULL, 0)) {
			fprintf(stderr, "kicectl stun: bad peer '%s'\n",
				s->o->peer);
			goto release;
		}
		turn_client_permit(&s->turn, (struct sockaddr *)&peer,
				   stun_now_ms());
		if (turn_wait(s, "permission", 0))
			return 1;
		if (s->last.type != TURN_EV_PERMISSION || s->last.err) {
			report_failure(s, "create permission");
			goto release_fail;
		}
		printf("permission %s\n",
		       stun_addr_str((struct sockaddr *)&peer, addr,
				     sizeof(addr)));
		if (relay_echo(s, (struct sockaddr *)&peer, "send indication",
			       1))
			goto release_fail;
		ch = turn_client_bind(&s->turn, (struct sockaddr *)&peer,
				      stun_now_ms());
		if (ch < 0) {
			fprintf(stderr, "kicectl stun: channel bind: %s\n",
				stun_strerror(ch));
			goto release_fail;
		}
		if (turn_wait(s, "channel bind", 0))
			return 1;
		if (s->last.type != TURN_EV_CHANNEL || s->last.err) {
			report_failure(s, "channel bind");
			goto release_fail;
		}
		printf("channel 0x%04x %s\n", ch,
		       stun_addr_str((struct sockaddr *)&peer, addr,
				     sizeof(addr)));
		snprintf(how, sizeof(how), "channel 0x%04x", ch);
		if (relay_echo(s, (struct sockaddr *)&peer, how, 2))
			goto release_fail;
	}
	if (s->o->hold_s) {
		if (turn_wait_ex(s, "hold",
				 stun_now_ms() + s->o->hold_s * 1000ull, true))
			return 1;
		if (s->turn.state != TURN_ALLOCATED) {
			fprintf(stderr, "kicectl stun: allocation lost while holding (%s)\n",
				turn_state_name(s->turn.state));
			return 1;
		}
	}
	if (s->o->refresh) {
		err = turn_client_refresh(&s->turn, s->o->lifetime ?
					  s->o->lifetime : s->turn.lifetime,
					  stun_now_ms());
		if (err) {
			fprintf(stderr, "kicectl stun: refresh: %s\n",
				stun_strerror(err));
			goto release_fail;
		}
		if (turn_wait(s, "refresh", 0))
			return 1;
		if (s->last.type != TURN_EV_REFRESHED) {
			report_failure(s, "refresh");
			goto release_fail;
		}
		printf("refreshed lifetime %u\n", s->last.lifetime);
	}
release:
	err = turn_client_close(&s->turn, stun_now_ms());
	if (err) {
		fprintf(stderr, "kicectl stun: release: %s\n",
			stun_strerror(err));
		return 1;
	}
	if (turn_wait(s, "release", 0))
		return 1;
	if (s->last.type != TURN_EV_CLOSED)
		return report_failure(s, "release");
	printf("released\n");
	return 0;

release_fail:
	if (!turn_client_close(&s->turn, stun_now_ms()))
		turn_wait(s, "release", 0);
	return 1;
}

int cmd_stun(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "transport", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "family", required_argument, NULL, 'f' },
		{ "peer", required_argument, NULL, 'P' },
		{ "hold", required_argument, NULL, 'H' },
		{ "refresh", no_argument, NULL, 'R' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "ca", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "rto", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct stun_opts o = { .tr = STUN_TR_UDP, .families = TURN_FAMILY_V4 };
	struct session *s;
	int c, rc, err, redirects;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:u:p:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!strcmp(optarg, "udp"))
				o.tr = STUN_TR_UDP;
			else if (!strcmp(optarg, "tcp"))
				o.tr = STUN_TR_TCP;
			else if (!strcmp(optarg, "tls"))
				o.tr = STUN_TR_TLS;
			else
				die_usage("--transport must be udp, tcp or tls");
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'p':
			o.password = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "4"))
				o.families = TURN_FAMILY_V4;
			else if (!strcmp(optarg, "6"))
				o.families = TURN_FAMILY_V6;
			else if (!strcmp(optarg, "46"))
				o.families = TURN_FAMILY_V4 | TURN_FAMILY_V6;
			else
				die_usage("--family must be 4, 6 or 46");
			break;
		case 'P':
			o.peer = optarg;
			break;
		case 'H':
			o.hold_s = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'R':
			o.refresh = true;
			break;
		case 'l':
			o.lifetime = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'k':
			o.insecure = true;
			break;
		case 'r':
			o.rto_ms = (unsigned int)strtoul(optarg, NULL, 10);
			if (!o.rto_ms)
				die_usage("--rto must be > 0");
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			cmd_stun_usage();
			return 0;
		default:
			die_usage("unknown option");
		}
	}
	if (optind != argc - 1)
		die_usage("need exactly one SERVER[:PORT]");
	o.server = argv[optind];
	if (!o.user != !o.password)
		die_usage("--user and --password go together");
	if ((o.peer || o.hold_s || o.refresh) && !o.user)
		die_usage("--peer, --hold and --refresh need --user/--password");

	s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	s->o = &o;
	err = turn_resolve(o.server, o.tr == STUN_TR_TLS ? TURNS_PORT :
			   TURN_PORT, &s->server, &s->slen, s->host,
			   sizeof(s->host));
	if (err) {
		fprintf(stderr, "kicectl stun: cannot resolve '%s'\n", o.server);
		free(s);
		return 1;
	}
	stun_addr_str((struct sockaddr *)&s->server, s->srv, sizeof(s->srv));
	err = turn_conn_open(&s->conn, o.tr, (struct sockaddr *)&s->server,
			     s->slen, s->host, o.ca_file, o.insecure, 5000);
	if (err) {
		fprintf(stderr, "kicectl stun: %s: %s\n", s->srv, s->conn.err);
		free(s);
		return 1;
	}
	for (redirects = 0;; redirects++) {
		rc = do_binding(s);
		if (rc != RC_ALTERNATE)
			break;
		if (redirects == MAX_REDIRECTS) {
			fprintf(stderr,
				"kicectl stun: binding: 300 Try Alternate more than %d times\n",
				MAX_REDIRECTS);
			rc = 1;
			break;
		}
		if (reconnect(s)) {
			rc = 1;
			break;
		}
	}
	if (!rc && o.user) {
		rc = do_turn(s);
		turn_client_free(&s->turn);
	}
	turn_conn_close(&s->conn);
	free(s);
	return rc;
}
