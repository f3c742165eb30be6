// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl output helpers.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include "kicectl/kout.h"

const char *kout_ip(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	buf[0] = 0;
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  buf, (socklen_t)len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  (socklen_t)len);
	return buf;
}

unsigned int kout_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

const char *kout_ep(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	kout_ip(ss, ip, sizeof(ip));
	if (!*ip)
		snprintf(buf, len, "-");
	else if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, kout_port(ss));
	else
		snprintf(buf, len, "%s:%u", ip, kout_port(ss));
	return buf;
}

void kout_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void kout_json_ep(FILE *f, const struct sockaddr_storage *ss)
{
	char ip[INET6_ADDRSTRLEN];

	kout_ip(ss, ip, sizeof(ip));
	if (!*ip) {
		fputs("\"ip\": null, \"port\": null", f);
		return;
	}
	fputs("\"ip\": ", f);
	kout_json_str(f, ip);
	fprintf(f, ", \"port\": %u", kout_port(ss));
}

void kout_json_stats(FILE *f, const struct knl_stats *st)
{
	fprintf(f,
		"{\"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64
		", \"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		", \"rtcp_packets\": %" PRIu64 ", \"dtls_packets\": %" PRIu64
		", \"stun_passed\": %" PRIu64 ", \"drop_malformed\": %" PRIu64
		", \"drop_unknown\": %" PRIu64 ", \"drop_tx\": %" PRIu64
		", \"last_rx_age_ms\": ",
		st->rx_packets, st->rx_bytes, st->tx_packets, st->tx_bytes,
		st->rtcp_packets, st->dtls_packets, st->stun_passed,
		st->drop_malformed, st->drop_unknown, st->drop_tx);
	if (st->last_rx_age_ms < 0)
		fputs("null}", f);
	else
		fprintf(f, "%" PRId64 "}", st->last_rx_age_ms);
}

const char *kout_leg_name(int i)
{
	return i == 2 ? "b-rtcp" : i ? "b" : "a";
}

void kout_json_leg(FILE *f, const struct knl_flow_info *fl, int i)
{
	fprintf(f, "{\"leg\": \"%s\", \"socket\": %u, ", kout_leg_name(i),
		fl->leg[i].sock);
	kout_json_ep(f, &fl->leg[i].remote);
	fputs(", \"turn\": ", f);
	if (fl->leg[i].channel) {
		fputs("{", f);
		kout_json_ep(f, &fl->leg[i].turn);
		fprintf(f, ", \"channel\": %u}", fl->leg[i].channel);
	} else {
		fputs("null", f);
	}
	fputs(", \"stats\": ", f);
	kout_json_stats(f, &fl->leg[i].st);
	fputs("}", f);
}

const char *kout_turn(const struct knl_flow_info *fl, int i, char *buf,
		      size_t len)
{
	char ep[64];

	if (!fl->leg[i].channel)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "TURN %s channel 0x%04x",
			 kout_ep(&fl->leg[i].turn, ep, sizeof(ep)),
			 fl->leg[i].channel);
	return buf;
}
