// SPDX-License-Identifier: GPL-2.0
/*
 * ng client with retransmission.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ng.h"
#include "ctl/ng_client.h"

int ng_client_open(struct ng_client *c, const struct ng_addr *server)
{
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = 1000;
	c->attempts = 3;
	c->seq = (unsigned int)getpid() * 1000u + (unsigned int)time(NULL) % 1000u;
	fd = socket(server->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (server->ss.ss_family == AF_UNIX) {
		/* autobind to an abstract address so the server can reply */
		sa_family_t fam = AF_UNIX;

		if (bind(fd, (struct sockaddr *)&fam, sizeof(fam)) < 0)
			goto err;
	}
	if (connect(fd, (const struct sockaddr *)&server->ss, server->len) < 0)
		goto err;
	c->fd = fd;
	return 0;
err:
	close(fd);
	return -1;
}

void ng_client_close(struct ng_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int ng_client_call(struct ng_client *c, const char *body, size_t len,
		   char **reply, size_t *reply_len)
{
	char cookie[32], *msg, *buf;
	int clen, attempt;
	size_t mlen;

	clen = snprintf(cookie, sizeof(cookie), "%u_%u", c->seq++,
			(unsigned int)getpid());
	mlen = (size_t)clen + 1 + len;
	msg = malloc(mlen);
	buf = malloc(NG_MSG_MAX + 1);
	if (!msg || !buf)
		goto nomem;
	memcpy(msg, cookie, (size_t)clen);
	msg[clen] = ' ';
	memcpy(msg + clen + 1, body, len);

	for (attempt = 0; attempt < c->attempts; attempt++) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (send(c->fd, msg, mlen, 0) < 0 && errno != ECONNREFUSED)
			goto fail;
		while (poll(&pfd, 1, c->timeout_ms) > 0) {
			ssize_t n = recv(c->fd, buf, NG_MSG_MAX, 0);
			struct ng_str ck, bd;

			if (n < 0) {
				if (errno == ECONNREFUSED || errno == EINTR)
					break;
				goto fail;
			}
			if (ng_split(buf, (size_t)n, &ck, &bd) ||
			    ck.len != (size_t)clen ||
			    memcmp(ck.p, cookie, (size_t)clen))
				continue;	/* stale or foreign reply */
			memmove(buf, bd.p, bd.len);
			buf[bd.len] = '\0';
			*reply = buf;
			*reply_len = bd.len;
			free(msg);
			return 0;
		}
	}
	errno = ETIMEDOUT;
fail:
	free(msg);
	free(buf);
	return -1;
nomem:
	free(msg);
	free(buf);
	errno = ENOMEM;
	return -1;
}
