// SPDX-License-Identifier: GPL-2.0
/*
 * SDP writer: session and media sections with the RFC 8839 attributes,
 * in the line order RFC 8866 section 5 requires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

static void write_ice(FILE *f, const struct sdp_ice *ice)
{
	if (ice->ufrag)
		fprintf(f, "a=ice-ufrag:%s\r\n", ice->ufrag);
	if (ice->pwd)
		fprintf(f, "a=ice-pwd:%s\r\n", ice->pwd);
	if (ice->options || ice->other_options) {
		const char *sep = "";

		fputs("a=ice-options:", f);
		if (ice->options & SDP_OPT_TRICKLE) {
			fputs("trickle", f);
			sep = " ";
		}
		if (ice->options & SDP_OPT_ICE2) {
			fprintf(f, "%sice2", sep);
			sep = " ";
		}
		if (ice->other_options)
			fprintf(f, "%s%s", sep, ice->other_options);
		fputs("\r\n", f);
	}
}

/* Lines of @extra whose type letter is (or is not, @not) 'a'. */
static void write_extra(FILE *f, char *const *extra, size_t n, bool attrs)
{
	for (size_t i = 0; i < n; i++)
		if ((extra[i][0] == 'a') == attrs)
			fprintf(f, "%s\r\n", extra[i]);
}

static bool has_line(char *const *extra, size_t n, char type)
{
	for (size_t i = 0; i < n; i++)
		if (extra[i][0] == type)
			return true;
	return false;
}

static void write_media(FILE *f, const struct sdp_media *m)
{
	char buf[1024];

	if (m->nports)
		fprintf(f, "m=%s %u/%u %s %s\r\n", m->media, m->port, m->nports,
			m->proto, m->fmt);
	else
		fprintf(f, "m=%s %u %s %s\r\n", m->media, m->port, m->proto,
			m->fmt);
	/* i= before c=, b= and k= after it */
	for (size_t i = 0; i < m->nextra; i++)
		if (m->extra[i][0] == 'i')
			fprintf(f, "%s\r\n", m->extra[i]);
	if (m->has_conn)
		fprintf(f, "c=IN %s %s\r\n", m->conn_ipv6 ? "IP6" : "IP4",
			m->conn_addr);
	for (size_t i = 0; i < m->nextra; i++)
		if (m->extra[i][0] != 'a' && m->extra[i][0] != 'i')
			fprintf(f, "%s\r\n", m->extra[i]);
	if (m->has_rtcp) {
		if (m->rtcp_has_addr)
			fprintf(f, "a=rtcp:%u IN %s %s\r\n", m->rtcp_port,
				m->rtcp_ipv6 ? "IP6" : "IP4", m->rtcp_addr);
		else
			fprintf(f, "a=rtcp:%u\r\n", m->rtcp_port);
	}
	if (m->rtcp_mux)
		fputs("a=rtcp-mux\r\n", f);
	if (m->rtcp_mux_only)
		fputs("a=rtcp-mux-only\r\n", f);
	write_ice(f, &m->ice);
	if (m->ice_mismatch)
		fputs("a=ice-mismatch\r\n", f);
	for (size_t i = 0; i < m->ncands; i++)
		if (sdp_write_candidate(&m->cands[i], buf, sizeof(buf)) > 0)
			fprintf(f, "a=%s\r\n", buf);
	if (m->has_remote_cands) {
		fputs("a=remote-candidates:", f);
		for (size_t i = 0; i < m->nremote_cands; i++)
			fprintf(f, "%s%u %s %u", i ? " " : "",
				m->remote_cands[i].component,
				m->remote_cands[i].addr, m->remote_cands[i].port);
		fputs("\r\n", f);
	}
	if (m->end_of_candidates)
		fputs("a=end-of-candidates\r\n", f);
	write_extra(f, m->extra, m->nextra, true);
}

long sdp_write(const struct sdp_session *s, char **out)
{
	size_t size = 0;
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, &size);
	if (!f)
		return -1;
	fputs("v=0\r\n", f);
	fprintf(f, "o=%s\r\n", s->origin ? s->origin :
		"- 0 0 IN IP4 0.0.0.0");
	fprintf(f, "s=%s\r\n", s->name ? s->name : "-");
	if (s->has_conn)
		fprintf(f, "c=IN %s %s\r\n", s->conn_ipv6 ? "IP6" : "IP4",
			s->conn_addr);
	write_extra(f, s->extra, s->nextra, false);
	if (!has_line(s->extra, s->nextra, 't'))
		fputs("t=0 0\r\n", f);
	if (s->ice_lite)
		fputs("a=ice-lite\r\n", f);
	write_ice(f, &s->ice);
	if (s->end_of_candidates)
		fputs("a=end-of-candidates\r\n", f);
	write_extra(f, s->extra, s->nextra, true);
	for (size_t i = 0; i < s->nmedia; i++)
		write_media(f, &s->media[i]);
	if (fclose(f) || !buf) {
		free(buf);
		return -1;
	}
	*out = buf;
	return (long)size;
}
