/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ng client (used by kicectl and tests): sends one request with a
 * fresh cookie, retransmits it with the same cookie on timeout and returns
 * the reply body whose cookie matches.
 */
#ifndef KICE_CTL_NG_CLIENT_H
#define KICE_CTL_NG_CLIENT_H

#include <stddef.h>

#include "ctl/bencode.h"
#include "ctl/ng_addr.h"

struct ng_client {
	int fd;
	unsigned int seq;
	int timeout_ms;		/* per attempt */
	int attempts;
};

int ng_client_open(struct ng_client *c, const struct ng_addr *server);
void ng_client_close(struct ng_client *c);

/*
 * Send a bencoded body; on success *reply (malloc'ed, NUL-terminated) and
 * *reply_len hold the reply body without the cookie.  Returns 0, or -1
 * with errno ETIMEDOUT when no matching reply arrived.
 */
int ng_client_call(struct ng_client *c, const char *body, size_t len,
		   char **reply, size_t *reply_len);

#endif /* KICE_CTL_NG_CLIENT_H */
