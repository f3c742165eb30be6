// SPDX-License-Identifier: GPL-2.0
/*
 * ICE session: agent + UDP sockets + loop timer (see ice_session.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ice/ice_session.h"
#include "turn/turn.h"

/* connect + TLS handshake of a TURN connection, per attempt */
#define TCONN_TIMEOUT_MS	3000
#define TCONN_ATTEMPTS		3	/* a refused connect is retried */
#define TCONN_RETRY_MS		100

/* a TCP or TLS connection to a TURN server, opened without blocking */
struct ice_tconn {
	struct turn_conn tc;
	struct ice_session *s;
	struct ice_addr server;
	struct ice_timer timer;		/* deadline, or the next attempt */
	enum stun_transport tr;
	char *host, *ca_file;
	bool insecure;
	int attempts;
	int id;
};

struct ice_session {
	struct ice_agent *agent;
	struct ice_loop *loop;
	struct ice_timer timer;
	const struct ice_session_ops *ops;
	void *user;
	int *fds;
	unsigned int nfds;
	struct ice_tconn **tconns;
	unsigned int ntconns;
};

static int sess_send(void *user, int sock, const struct ice_addr *to,
		     const void *buf, size_t len)
{
	struct ice_session *s = user;
	struct sockaddr_storage ss;
	socklen_t sl = ice_addr_to_sa(to, &ss);
	ssize_t n;

	if (sock <= ICE_TURN_CONN_SOCK(0)) {
		unsigned int i = (unsigned int)(ICE_TURN_CONN_SOCK(0) - sock);
		int err;

		if (i >= s->ntconns)
			return -EBADF;
		err = turn_conn_send(&s->tconns[i]->tc, buf, len);
		return err ? err : (int)len;
	}
	if (!sl)
		return -EAFNOSUPPORT;
	n = sendto(sock, buf, len, 0, (struct sockaddr *)&ss, sl);
	return n < 0 ? -errno : (int)n;
}

static void sess_event(void *user, enum ice_event ev, int stream)
{
	struct ice_session *s = user;

	if (s->ops && s->ops->event)
		s->ops->event(s, ev, stream, s->user);
}

static void sess_data(void *user, unsigned int stream, unsigned int comp,
		      const void *buf, size_t len)
{
	struct ice_session *s = user;

	if (s->ops && s->ops->data)
		s->ops->data(s, stream, comp, buf, len, s->user);
}

static const struct ice_ops sess_ops = {
	.send = sess_send,
	.event = sess_event,
	.data = sess_data,
};

/* checks are paced to the microsecond */
void ice_session_kick(struct ice_session *s)
{
	ice_loop_timer_set_us(s->loop, &s->timer,
			      ice_agent_timer_us(s->agent, ice_now_us()));
}

static void sess_timer(struct ice_timer *t, uint64_t now)
{
	struct ice_session *s = (struct ice_session *)
		((char *)t - offsetof(struct ice_session, timer));

	ice_session_kick(s);
	(void)now;	/* the agent gets the time to the microsecond */
}

static void sess_readable(int fd, uint32_t events, void *arg)
{
	struct ice_session *s = arg;
	uint8_t buf[2048];

	/* bounded per wakeup so one busy socket cannot starve the loop */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct ice_addr from;
		ssize_t n;

		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		if (ice_addr_from_sa(&from, (struct sockaddr *)&ss))
			continue;
		ice_agent_recv(s->agent, fd, &from, buf, (size_t)n, ice_now_ms());
	}
	ice_session_kick(s);
}

static void tconn_frame(void *arg, const uint8_t *buf, size_t len)
{
	struct ice_tconn *t = arg;

	ice_agent_recv(t->s->agent, t->id, &t->server, buf, len, ice_now_ms());
}

static void tconn_readable(int fd, uint32_t events, void *arg)
{
	struct ice_tconn *t = arg;
	int n, rounds = 0;

	do {
		n = turn_conn_read(&t->tc, tconn_frame, t);
	} while (n > 0 && turn_conn_pending(&t->tc) && ++rounds < 64);
	if (n < 0 && n != -EAGAIN) {
		ice_loop_del_fd(t->s->loop, fd);	/* closed by the server */
		ice_agent_turn_sock_status(t->s->agent, t->id, n, t->tc.err,
					   ice_now_ms());
	}
	ice_session_kick(t->s);
}

static void tconn_start(struct ice_tconn *t);

/* After a connect/handshake step: wait again, or report the outcome. */
static void tconn_progress(struct ice_tconn *t, int err, bool connecting)
{
	struct ice_session *s = t->s;
	uint64_t now = ice_now_ms();

	if (err == -EINPROGRESS) {
		if (!ice_loop_set_events(s->loop, t->tc.fd,
					 t->tc.want == POLLIN ? EPOLLIN : EPOLLOUT))
			return;
		err = -ENOMEM;
		snprintf(t->tc.err, sizeof(t->tc.err), "cannot watch the socket");
	}
	ice_loop_timer_del(s->loop, &t->timer);
	ice_loop_del_fd(s->loop, t->tc.fd);
	if (!err && !ice_loop_add_fd(s->loop, t->tc.fd, tconn_readable, t)) {
		ice_agent_turn_sock_status(s->agent, t->id, 0, NULL, now);
		ice_session_kick(s);
		return;
	}
	if (!err) {
		err = -ENOMEM;
		snprintf(t->tc.err, sizeof(t->tc.err), "cannot watch the socket");
	}
	if (err == -ECONNREFUSED && connecting && t->attempts < TCONN_ATTEMPTS) {
		turn_conn_close(&t->tc);
		ice_loop_timer_set(s->loop, &t->timer, now + TCONN_RETRY_MS);
		return;
	}
	ice_agent_turn_sock_status(s->agent, t->id, err, t->tc.err, now);
	turn_conn_close(&t->tc);
	ice_session_kick(s);
}

static void tconn_ready(int fd, uint32_t events, void *arg)
{
	struct ice_tconn *t = arg;
	bool connecting = t->tc.state == TURN_CONN_CONNECTING;

	tconn_progress(t, turn_conn_continue(&t->tc), connecting);
}

/* The deadline of the attempt, or the time for the next one. */
static void tconn_timer(struct ice_timer *tm, uint64_t now)
{
	struct ice_tconn *t = (struct ice_tconn *)
		((char *)tm - offsetof(struct ice_tconn, timer));
	bool connecting = t->tc.state == TURN_CONN_CONNECTING;

	if (t->tc.fd < 0)
		tconn_start(t);
	else
		tconn_progress(t, turn_conn_continue(&t->tc), connecting);
}

static void tconn_start(struct ice_tconn *t)
{
	struct sockaddr_storage ss;
	socklen_t sl = ice_addr_to_sa(&t->server, &ss);
	int err;

	t->attempts++;
	err = turn_conn_start(&t->tc, t->tr, (struct sockaddr *)&ss, sl,
			      t->host, t->ca_file, t->insecure,
			      TCONN_TIMEOUT_MS);
	if (err == -EINPROGRESS || !err) {
		if (ice_loop_add_fd(t->s->loop, t->tc.fd, tconn_ready, t)) {
			err = -ENOMEM;
			snprintf(t->tc.err, sizeof(t->tc.err),
				 "cannot watch the socket");
		} else if (err) {
			ice_loop_timer_set(t->s->loop, &t->timer,
					   t->tc.deadline_ms);
		}
	}
	tconn_progress(t, err, true);
}

/* Start connecting to every TCP/TLS TURN server once per stream and
 * component; the agent allocates on each when it is open. */
static void open_turn_conns(struct ice_session *s, const struct ice_cfg *cfg,
			    unsigned int nstreams, unsigned int ncomp)
{
	for (unsigned int i = 0; i < cfg->nturn && i < ICE_MAX_SERVERS; i++) {
		const struct ice_turn_server *ts = &cfg->turn[i];

		if (ts->transport == ICE_TURN_UDP)
			continue;
		for (unsigned int st = 0; st < nstreams; st++) {
			for (unsigned int c = 1; c <= ncomp; c++) {
				char host[64];
				struct ice_tconn *t, **nt;

				nt = realloc(s->tconns, (s->ntconns + 1) * sizeof(*nt));
				if (!nt)
					return;
				s->tconns = nt;
				t = calloc(1, sizeof(*t));
				if (!t)
					return;
				ice_addr_ip_str(&ts->addr, host, sizeof(host));
				t->host = strdup(ts->tls_host ? ts->tls_host : host);
				t->ca_file = ts->ca_file ? strdup(ts->ca_file) : NULL;
				if (!t->host || (ts->ca_file && !t->ca_file)) {
					free(t->host);
					free(t->ca_file);
					free(t);
					return;
				}
				t->tc.fd = -1;
				t->s = s;
				t->server = ts->addr;
				t->tr = ts->transport == ICE_TURN_TLS ?
					STUN_TR_TLS : STUN_TR_TCP;
				t->insecure = ts->insecure;
				ice_timer_init(&t->timer, tconn_timer);
				t->id = ICE_TURN_CONN_SOCK(s->ntconns);
				s->tconns[s->ntconns++] = t;
				if (ice_agent_set_turn_sock(s->agent, i, st, c, t->id))
					continue;
				ice_agent_turn_sock_status(s->agent, t->id,
							   -EINPROGRESS, NULL,
							   ice_now_ms());
				tconn_start(t);
			}
		}
	}
}

static int bind_udp(const struct ice_addr *a, struct ice_addr *bound)
{
	struct sockaddr_storage ss;
	socklen_t sl = ice_addr_to_sa(a, &ss);
	int one = 1, fd;

	fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		int e = -errno;

		close(fd);
		return e;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	ice_addr_from_sa(bound, (struct sockaddr *)&ss);
	return fd;
}

struct ice_session *ice_session_new(struct ice_loop *loop,
				    const struct ice_cfg *cfg,
				    const struct ice_netif_addr *addrs,
				    unsigned int naddrs, unsigned int nstreams,
				    unsigned int ncomp,
				    const struct ice_session_ops *ops, void *user)
{
	struct ice_session *s = calloc(1, sizeof(*s));
	uint64_t now = ice_now_ms();

	if (!s)
		return NULL;
	s->loop = loop;
	s->ops = ops;
	s->user = user;
	ice_timer_init(&s->timer, sess_timer);
	s->agent = ice_agent_new(cfg, &sess_ops, s, now);
	s->fds = calloc((size_t)nstreams * ncomp * (naddrs ? naddrs : 1),
			sizeof(*s->fds));
	if (!s->agent || !s->fds)
		goto fail;
	for (unsigned int st = 0; st < nstreams; st++) {
		if (ice_agent_add_stream(s->agent, ncomp) < 0)
			goto fail;
		for (unsigned int c = 1; c <= ncomp; c++) {
			for (unsigned int i = 0; i < naddrs; i++) {
				struct ice_addr bound;
				int fd = bind_udp(&addrs[i].addr, &bound);

				if (fd < 0)
					continue;	/* address went away */
				s->fds[s->nfds++] = fd;
				if (ice_loop_add_fd(loop, fd, sess_readable, s))
					goto fail;
				ice_agent_add_host(s->agent, st, c, fd, &bound,
						   addrs[i].iface_pref,
						   addrs[i].addr_pref);
			}
		}
	}
	open_turn_conns(s, cfg, nstreams, ncomp);
	ice_agent_gather(s->agent, now);
	ice_session_kick(s);
	return s;
fail:
	ice_session_free(s);
	return NULL;
}

void ice_session_free(struct ice_session *s)
{
	if (!s)
		return;
	ice_loop_timer_del(s->loop, &s->timer);
	for (unsigned int i = 0; i < s->nfds; i++) {
		ice_loop_del_fd(s->loop, s->fds[i]);
		close(s->fds[i]);
	}
	free(s->fds);
	for (unsigned int i = 0; i < s->ntconns; i++) {
		struct ice_tconn *t = s->tconns[i];

		ice_loop_timer_del(s->loop, &t->timer);
		ice_loop_del_fd(s->loop, t->tc.fd);
		turn_conn_close(&t->tc);
		free(t->host);
		free(t->ca_file);
		free(t);
	}
	free(s->tconns);
	ice_agent_free(s->agent);
	free(s);
}

void ice_session_set_ops(struct ice_session *s,
			 const struct ice_session_ops *ops, void *user)
{
	s->ops = ops;
	s->user = user;
}

struct ice_agent *ice_session_agent(struct ice_session *s)
{
	return s->agent;
}

unsigned int ice_session_nsockets(const struct ice_session *s)
{
	return s->nfds;
}
