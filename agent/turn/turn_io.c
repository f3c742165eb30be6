// SPDX-License-Identifier: GPL-2.0
/*
 * Transport to a TURN/STUN server: UDP, TCP or TLS over TCP (libssl), with
 * framing of the TCP/TLS byte stream into STUN messages and ChannelData.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "turn/turn.h"

static void set_err(struct turn_conn *tc, const char *what, int err)
{
	snprintf(tc->err, sizeof(tc->err), "%s: %s", what, strerror(err));
}

static void set_ssl_err(struct turn_conn *tc, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[120];

	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(tc->err, sizeof(tc->err), "%s: %s", what, buf);
	} else {
		snprintf(tc->err, sizeof(tc->err), "%s", what);
	}
	ERR_clear_error();
}

static int wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int n;

	do {
		n = poll(&p, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/* The TLS context and session for the handshake to come; no I/O yet. */
static int tls_setup(struct turn_conn *tc, const char *host,
		     const char *ca_file, bool insecure)
{
	struct in6_addr ip;

	tc->ctx = SSL_CTX_new(TLS_client_method());
	if (!tc->ctx) {
		set_ssl_err(tc, "SSL_CTX_new");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(tc->ctx, TLS1_2_VERSION);
	if (!insecure) {
		SSL_CTX_set_verify(tc->ctx, SSL_VERIFY_PEER, NULL);
		if ((ca_file && !SSL_CTX_load_verify_locations(tc->ctx, ca_file,
							       NULL)) ||
		    (!ca_file && !SSL_CTX_set_default_verify_paths(tc->ctx))) {
			set_ssl_err(tc, "loading CA certificates");
			return -EINVAL;
		}
	}
	tc->ssl = SSL_new(tc->ctx);
	if (!tc->ssl || !SSL_set_fd(tc->ssl, tc->fd)) {
		set_ssl_err(tc, "SSL_new");
		return -ENOMEM;
	}
	if (host && *host) {
		bool literal = inet_pton(AF_INET, host, &ip) == 1 ||
			       inet_pton(AF_INET6, host, &ip) == 1;

		if (!literal)
			SSL_set_tlsext_host_name(tc->ssl, host);
		if (!insecure) {
			X509_VERIFY_PARAM *vp = SSL_get0_param(tc->ssl);

			if (literal ? !X509_VERIFY_PARAM_set1_ip_asc(vp, host) :
				      !SSL_set1_host(tc->ssl, host)) {
				set_ssl_err(tc, "setting expected host");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Connection failed: stop waiting (the descriptor stays until close). */
static int conn_fail(struct turn_conn *tc, int err)
{
	tc->state = TURN_CONN_FAILED;
	tc->want = 0;
	return err;
}

/* One non-blocking SSL_connect() step. */
static int tls_step(struct turn_conn *tc)
{
	long vr;
	int r;

	ERR_clear_error();
	r = SSL_connect(tc->ssl);
	if (r == 1) {
		tc->state = TURN_CONN_OPEN;
		tc->want = 0;
		return 0;
	}
	r = SSL_get_error(tc->ssl, r);
	if (r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE) {
		tc->want = r == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return -EINPROGRESS;
	}
	vr = SSL_get_verify_result(tc->ssl);
	if (vr != X509_V_OK)
		snprintf(tc->err, sizeof(tc->err),
			 "TLS handshake: certificate verification failed: %s",
			 X509_verify_cert_error_string(vr));
	else if (r == SSL_ERROR_SYSCALL && errno && !ERR_peek_error())
		set_err(tc, "TLS handshake failed", errno);
	else
		set_ssl_err(tc, "TLS handshake failed");
	return conn_fail(tc, -ECONNREFUSED);
}

/* TCP connected (or failed): check the outcome, go on with TLS. */
static int tcp_step(struct turn_conn *tc)
{
	int soerr = 0, one = 1;
	socklen_t l = sizeof(soerr);

	if (getsockopt(tc->fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
		soerr = errno;
	if (soerr) {
		set_err(tc, "connect", soerr);
		return conn_fail(tc, -soerr);
	}
	setsockopt(tc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tc->transport != STUN_TR_TLS) {
		tc->state = TURN_CONN_OPEN;
		tc->want = 0;
		return 0;
	}
	tc->state = TURN_CONN_HANDSHAKE;
	return tls_step(tc);
}

int turn_conn_start(struct turn_conn *tc, enum stun_transport tr,
		    const struct sockaddr *server, socklen_t slen,
		    const char *host, const char *ca_file, bool insecure,
		    int timeout_ms)
{
	int err;

	memset(tc, 0, offsetof(struct turn_conn, rbuf));
	tc->transport = tr;
	tc->deadline_ms = stun_now_ms() + (uint64_t)(timeout_ms > 0 ?
						      timeout_ms : 0);
	tc->fd = socket(server->sa_family,
			(tr == STUN_TR_UDP ? SOCK_DGRAM : SOCK_STREAM) |
			SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (tc->fd < 0) {
		err = errno;
		set_err(tc, "socket", err);
		return -err;
	}
	err = tr == STUN_TR_TLS ? tls_setup(tc, host, ca_file, insecure) : 0;
	if (!err && connect(tc->fd, server, slen) < 0) {
		err = -errno;
		if (err == -EINPROGRESS && tr != STUN_TR_UDP) {
			tc->state = TURN_CONN_CONNECTING;
			tc->want = POLLOUT;
			return -EINPROGRESS;
		}
		set_err(tc, "connect", -err);
	}
	if (!err) {
		tc->state = TURN_CONN_CONNECTING;
		err = tr == STUN_TR_UDP ? 0 : tcp_step(tc);
		if (tr == STUN_TR_UDP)
			tc->state = TURN_CONN_OPEN;
	}
	if (err && err != -EINPROGRESS)
		turn_conn_close(tc);
	return err;
}

int turn_conn_continue(struct turn_conn *tc)
{
	int err;

	switch (tc->state) {
	case TURN_CONN_OPEN:
		return 0;
	case TURN_CONN_CONNECTING:
		err = wait_fd(tc->fd, POLLOUT, 0);
		if (!err)
			err = tcp_step(tc);
		else if (err == -ETIMEDOUT)
			err = -EINPROGRESS;	/* not connected yet */
		else
			err = conn_fail(tc, err);
		break;
	case TURN_CONN_HANDSHAKE:
		err = tls_step(tc);
		break;
	default:
		return -ENOTCONN;
	}
	if (err == -EINPROGRESS && stun_now_ms() >= tc->deadline_ms) {
		snprintf(tc->err, sizeof(tc->err), "%s: timed out",
			 tc->state == TURN_CONN_HANDSHAKE ? "TLS handshake" :
			 "connect");
		err = conn_fail(tc, -ETIMEDOUT);
	}
	return err;
}

int turn_conn_open(struct turn_conn *tc, enum stun_transport tr,
		   const struct sockaddr *server, socklen_t slen,
		   const char *host, const char *ca_file, bool insecure,
		   int timeout_ms)
{
	int err = turn_conn_start(tc, tr, server, slen, host, ca_file,
				  insecure, timeout_ms);

	while (err == -EINPROGRESS) {
		uint64_t now = stun_now_ms();
		int left = tc->deadline_ms > now ?
			   (int)(tc->deadline_ms - now) : 0;

		err = wait_fd(tc->fd, tc->want, left);
		if (err && err != -ETIMEDOUT) {
			set_err(tc, "poll", -err);
			break;
		}
		err = turn_conn_continue(tc);
	}
	if (err)
		turn_conn_close(tc);
	return err;
}

void turn_conn_close(struct turn_conn *tc)
{
	if (tc->ssl) {
		if (tc->state == TURN_CONN_OPEN)
			SSL_shutdown(tc->ssl);
		SSL_free(tc->ssl);
		ERR_clear_error();
	}
	SSL_CTX_free(tc->ctx);
	if (tc->fd >= 0)
		close(tc->fd);
	tc->ssl = NULL;
	tc->ctx = NULL;
	tc->fd = -1;
	tc->state = TURN_CONN_CLOSED;
	tc->want = 0;
}

int turn_conn_send(struct turn_conn *tc, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	int err;

	if (tc->state != TURN_CONN_OPEN) {
		snprintf(tc->err, sizeof(tc->err), "send: not connected yet");
		return -ENOTCONN;
	}
	if (tc->transport == STUN_TR_UDP) {
		if (send(tc->fd, buf, len, 0) < 0) {
			err = errno;
			set_err(tc, "send", err);
			return -err;
		}
		return 0;
	}
	while (off < len) {
		ssize_t n;

		if (tc->ssl) {
			n = SSL_write(tc->ssl, buf + off, (int)(len - off));
			if (n <= 0) {
				int e = SSL_get_error(tc->ssl, (int)n);

				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ) {
					if (wait_fd(tc->fd, e ==
						    SSL_ERROR_WANT_READ ?
						    POLLIN : POLLOUT, 5000))
						return -ETIMEDOUT;
					continue;
				}
				set_ssl_err(tc, "TLS write");
				return -EIO;
			}
		} else {
			n = send(tc->fd, buf + off, len - off, MSG_NOSIGNAL);
			if (n < 0) {
				err = errno;
				if (err == EAGAIN || err == EINTR) {
					if (wait_fd(tc->fd, POLLOUT, 5000))
						return -ETIMEDOUT;
					continue;
				}
				set_err(tc, "send", err);
				return -err;
			}
		}
		off += (size_t)n;
	}
	return 0;
}

static ssize_t stream_read(struct turn_conn *tc, uint8_t *buf, size_t cap)
{
	ssize_t n;

	if (tc->ssl) {
		n = SSL_read(tc->ssl, buf, (int)cap);
		if (n <= 0) {
			int e = SSL_get_error(tc->ssl, (int)n);

			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return -EAGAIN;
			if (e == SSL_ERROR_ZERO_RETURN)
				return -ECONNRESET;
			set_ssl_err(tc, "TLS read");
			return -EIO;
		}
		return n;
	}
	n = recv(tc->fd, buf, cap, 0);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return -errno;
	return n;
}

int turn_conn_read(struct turn_conn *tc,
		   void (*fn)(void *arg, const uint8_t *buf, size_t len),
		   void *arg)
{
	int frames = 0;
	ssize_t n;

	if (tc->state != TURN_CONN_OPEN)
		return -ENOTCONN;
	if (tc->transport == STUN_TR_UDP) {
		for (;;) {
			n = recv(tc->fd, tc->rbuf, sizeof(tc->rbuf), 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return frames;
				n = -errno;
				set_err(tc, "recv", (int)-n);
				return (int)n;
			}
			fn(arg, tc->rbuf, (size_t)n);
			frames++;
		}
	}
	for (;;) {
		long flen;

		while ((flen = stun_frame_len(tc->rbuf, tc->rlen)) > 0) {
			fn(arg, tc->rbuf, (size_t)flen);
			frames++;
			memmove(tc->rbuf, tc->rbuf + flen,
				tc->rlen - (size_t)flen);
			tc->rlen -= (size_t)flen;
		}
		if (flen < 0) {
			snprintf(tc->err, sizeof(tc->err),
				 "stream framing lost: %s",
				 stun_strerror((int)flen));
			return -EPROTO;
		}
		if (tc->rlen == sizeof(tc->rbuf)) {
			snprintf(tc->err, sizeof(tc->err),
				 "stream frame larger than %zu bytes",
				 sizeof(tc->rbuf));
			return -EMSGSIZE;
		}
		n = stream_read(tc, tc->rbuf + tc->rlen,
				sizeof(tc->rbuf) - tc->rlen);
		if (n == -EAGAIN || n == -EINTR)
			return frames;
		if (n < 0) {
			if (n == -ECONNRESET)
				snprintf(tc->err, sizeof(tc->err),
					 "connection closed by the server");
			else if (!tc->ssl)
				set_err(tc, "recv", (int)-n);
			return (int)n;
		}
		tc->rlen += (size_t)n;
	}
}

bool turn_conn_pending(const struct turn_conn *tc)
{
	return tc->ssl && SSL_pending(tc->ssl) > 0;
}

int turn_resolve(const char *spec, uint16_t def_port,
		 struct sockaddr_storage *ss, socklen_t *slen,
		 char *host, size_t hostsz)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char h[256], portstr[8];
	const char *colon, *p = spec;
	unsigned long port = def_port;
	size_t hl;
	int rc;

	if (*p == '[') {
		colon = strchr(p, ']');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - p - 1);
		p++;
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = strchr(p, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* bare IPv6 literal */
		hl = colon ? (size_t)(colon - p) : strlen(p);
	}
	if (!hl || hl >= sizeof(h))
		return -EINVAL;
	memcpy(h, p, hl);
	h[hl] = '\0';
	if (colon) {
		char *end;

		port = strtoul(colon + 1, &end, 10);
		if (*end || !port || port > 65535)
			return -EINVAL;
	}
	snprintf(portstr, sizeof(portstr), "%lu", port);
	rc = getaddrinfo(h, portstr, &hints, &res);
	if (rc)
		return -EHOSTUNREACH;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*slen = res->ai_addrlen;
	freeaddrinfo(res);
	if (host)
		snprintf(host, hostsz, "%s", h);
	return 0;
}
