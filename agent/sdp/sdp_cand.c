// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8839 candidate-attribute and shared token checks.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_int.h"

static const char *const type_names[] = {
	[SDP_CAND_HOST] = "host",
	[SDP_CAND_SRFLX] = "srflx",
	[SDP_CAND_PRFLX] = "prflx",
	[SDP_CAND_RELAY] = "relay",
};

const char *sdp_cand_type_name(enum sdp_cand_type t)
{
	if ((unsigned int)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "?";
	return type_names[t];
}

bool sdp_is_ice_chars(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/')
			return false;
	return n >= min && n <= max;
}

static bool is_hostname(const char *s)
{
	size_t label = 0, total = 0;

	for (; *s; s++, total++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
		if (++label > 63)
			return false;
	}
	return label && total <= 253;
}

bool sdp_is_addr(const char *s, bool *ipv6)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		if (ipv6)
			*ipv6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		if (ipv6)
			*ipv6 = true;
		return true;
	}
	if (ipv6)
		*ipv6 = false;
	/* a name must have at least one letter or it is a broken literal */
	for (const char *p = s; *p; p++)
		if (isalpha((unsigned char)*p))
			return is_hostname(s);
	return false;
}

/* Decimal with 1..maxdigits digits, no sign, value <= max. */
bool sdp_parse_uint(const char *s, unsigned int maxdigits, unsigned long max,
		    unsigned long *out)
{
	unsigned long v = 0;
	unsigned int n = 0;

	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || ++n > maxdigits)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (!n || v > max)
		return false;
	*out = v;
	return true;
}

/* Split @s in place on single spaces into at most @max tokens. */
size_t sdp_split(char *s, char **tok, size_t max, bool *overflow)
{
	size_t n = 0;

	*overflow = false;
	while (*s) {
		if (n == max) {
			*overflow = true;
			return n;
		}
		tok[n++] = s;
		s = strchr(s, ' ');
		if (!s)
			break;
		*s++ = '\0';
		if (!*s || *s == ' ')
			return SIZE_MAX;	/* empty token */
	}
	return n;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

void sdp_candidate_free(struct sdp_candidate *c)
{
	free(c->extensions);
	c->extensions = NULL;
}

#define CAND_MAX_TOKENS	64

enum sdp_err sdp_parse_candidate(const char *value, struct sdp_candidate *out)
{
	char *tok[CAND_MAX_TOKENS], *copy, *ext = NULL;
	struct sdp_candidate c;
	enum sdp_err err = SDP_E_CAND;
	size_t n, i, extlen = 0;
	unsigned long v;
	bool ovf;

	memset(&c, 0, sizeof(c));
	copy = strdup(value);
	if (!copy)
		return SDP_E_NOMEM;
	n = sdp_split(copy, tok, CAND_MAX_TOKENS, &ovf);
	if (n == SIZE_MAX || ovf || n < 8)
		goto out;
	if (!sdp_is_ice_chars(tok[0], 1, SDP_FOUNDATION_MAX))
		goto out;
	strcpy(c.foundation, tok[0]);
	if (!sdp_parse_uint(tok[1], 3, 256, &v) || !v) {
		err = SDP_E_CAND_COMPONENT;
		goto out;
	}
	c.component = (uint16_t)v;
	if (!is_token(tok[2]) || strlen(tok[2]) >= sizeof(c.transport)) {
		err = SDP_E_CAND_TRANSPORT;
		goto out;
	}
	strcpy(c.transport, tok[2]);
	if (!sdp_parse_uint(tok[3], 10, 0x7fffffffUL, &v) || !v) {
		err = SDP_E_CAND_PRIORITY;
		goto out;
	}
	c.priority = (uint32_t)v;
	if (strlen(tok[4]) > SDP_ADDR_MAX || !sdp_is_addr(tok[4], NULL)) {
		err = SDP_E_CAND_ADDR;
		goto out;
	}
	strcpy(c.addr, tok[4]);
	if (!sdp_parse_uint(tok[5], 5, 65535, &v)) {
		err = SDP_E_CAND_PORT;
		goto out;
	}
	c.port = (uint16_t)v;
	if (strcmp(tok[6], "typ")) {
		err = SDP_E_CAND_TYPE;
		goto out;
	}
	for (i = 0; i < 4; i++)
		if (!strcmp(tok[7], type_names[i]))
			break;
	if (i == 4) {
		err = SDP_E_CAND_TYPE;
		goto out;
	}
	c.type = (enum sdp_cand_type)i;

	bool seen_raddr = false, seen_rport = false;

	for (i = 8; i < n; i += 2) {
		if (i + 1 >= n) {
			err = SDP_E_CAND_EXT;
			goto out;
		}
		if (!strcmp(tok[i], "raddr") && !seen_raddr) {
			if (strlen(tok[i + 1]) > SDP_ADDR_MAX ||
			    !sdp_is_addr(tok[i + 1], NULL)) {
				err = SDP_E_CAND_ADDR;
				goto out;
			}
			strcpy(c.raddr, tok[i + 1]);
			seen_raddr = true;
			continue;
		}
		if (!strcmp(tok[i], "rport") && !seen_rport) {
			if (!sdp_parse_uint(tok[i + 1], 5, 65535, &v)) {
				err = SDP_E_CAND_PORT;
				goto out;
			}
			c.rport = (uint16_t)v;
			seen_rport = true;
			continue;
		}
		if (!is_token(tok[i]) || !is_token(tok[i + 1])) {
			err = SDP_E_CAND_EXT;
			goto out;
		}
		size_t add = strlen(tok[i]) + strlen(tok[i + 1]) + 2;
		char *nx = realloc(ext, extlen + add + 1);

		if (!nx) {
			err = SDP_E_NOMEM;
			goto out;
		}
		ext = nx;
		extlen += (size_t)sprintf(ext + extlen, "%s%s %s",
					  extlen ? " " : "", tok[i], tok[i + 1]);
	}
	/* rport without raddr (or the reverse) is not a related address */
	if (seen_raddr != seen_rport) {
		err = SDP_E_CAND_ADDR;
		goto out;
	}
	c.has_raddr = seen_raddr;
	c.extensions = ext;
	ext = NULL;
	*out = c;
	err = SDP_OK;
out:
	free(ext);
	free(copy);
	return err;
}

int sdp_write_candidate(const struct sdp_candidate *c, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "candidate:%s %u %s %u %s %u typ %s",
		     c->foundation, c->component, c->transport, c->priority,
		     c->addr, c->port, sdp_cand_type_name(c->type));
	if (n < 0 || (size_t)n >= size)
		return -1;
	if (c->has_raddr) {
		int m = snprintf(buf + n, size - (size_t)n, " raddr %s rport %u",
				 c->raddr, c->rport);

		if (m < 0 || (size_t)m >= size - (size_t)n)
			return -1;
		n += m;
	}
	if (c->extensions && *c->extensions) {
		int m = snprintf(buf + n, size - (size_t)n, " %s",
				 c->extensions);

		if (m < 0 || (size_t)m >= size - (size_t)n)
			return -1;
		n += m;
	}
	return n;
}
