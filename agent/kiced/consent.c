// SPDX-License-Identifier: GPL-2.0
/*
 * Answers to ICE consent checks on adopted calls (see consent.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kiced/consent.h"
#include "kiced/log.h"
#include "stun/stun.h"

struct consent {
	char ufrag[257];
	size_t ufrag_len;
	char pwd[257];
	struct stun_key key;	/* short-term: the local password */
	uint64_t answered, rejected;
};

struct consent *consent_new(const char *ufrag, const char *pwd)
{
	struct consent *cs;

	if (!*ufrag || strlen(ufrag) >= sizeof(cs->ufrag) || !*pwd ||
	    strlen(pwd) >= sizeof(cs->pwd))
		return NULL;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	strcpy(cs->ufrag, ufrag);
	strcpy(cs->pwd, pwd);
	cs->ufrag_len = strlen(ufrag);
	if (stun_key_short_term(&cs->key, pwd, strlen(pwd))) {
		free(cs);
		return NULL;
	}
	return cs;
}

void consent_free(struct consent *cs)
{
	if (!cs)
		return;
	stun_key_free(&cs->key);
	free(cs);
}

void consent_creds(const struct consent *cs, const char **ufrag,
		   const char **pwd)
{
	*ufrag = cs->ufrag;
	*pwd = cs->pwd;
}

uint64_t consent_answered(const struct consent *cs)
{
	return cs->answered;
}

static void consent_on_stun(struct relay_leg *leg,
			    const struct sockaddr_storage *from,
			    const void *buf, size_t len, uint64_t now_ms)
{
	struct consent *cs = leg->stun_arg;
	struct stun_builder b;
	struct stun_msg m;
	char user[520];
	uint8_t out[256];
	long n;

	if (stun_msg_parse(&m, buf, len) ||
	    m.type != stun_type(STUN_BINDING, STUN_REQUEST))
		return;		/* responses, indications: nobody asked */
	/* RFC 8445, 7.3: USERNAME is "<our ufrag>:<their ufrag>" */
	if (stun_get_string(&m, STUN_ATTR_USERNAME, user, sizeof(user)) ||
	    strncmp(user, cs->ufrag, cs->ufrag_len) ||
	    user[cs->ufrag_len] != ':' || stun_msg_verify(&m, &cs->key)) {
		cs->rejected++;
		return;
	}
	if (stun_build_init(&b, out, sizeof(out),
			    stun_type(STUN_BINDING, STUN_SUCCESS), m.tid) ||
	    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			    (const struct sockaddr *)from) ||
	    stun_build_integrity(&b, &cs->key) ||
	    stun_build_fingerprint(&b))
		return;
	n = stun_build_finish(&b);
	if (n <= 0)
		return;
	if (sendto(leg->fd, out, (size_t)n, MSG_DONTWAIT,
		   (const struct sockaddr *)from,
		   from->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						 sizeof(struct sockaddr_in)) ==
	    n)
		cs->answered++;
}

void consent_attach(struct consent *cs, struct relay_leg *leg)
{
	leg->stun_fn = consent_on_stun;
	leg->stun_arg = cs;
}

void consent_detach(struct consent *cs, struct relay_leg *leg)
{
	if (leg->stun_arg != cs)
		return;
	leg->stun_fn = NULL;
	leg->stun_arg = NULL;
}
