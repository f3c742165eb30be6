// SPDX-License-Identifier: GPL-2.0
/*
 * kiced's metrics as Prometheus text (see metrics.h): counters are totals
 * since the start (media of ended calls included), gauges are now.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kiced/kiced.h"
#include "kiced/media_ice.h"
#include "kiced/metrics.h"
#include "kiced/session.h"

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *f, const char *name, const char *type,
		const char *help, unsigned long long v)
{
	head(f, name, type, help);
	fprintf(f, "%s %llu\n", name, v);
}

/* ICE sides of the live calls by state */
enum { ICE_CHECKING, ICE_CONNECTED, ICE_FAILED, ICE__N };

static void ice_sides(const struct kiced *k, unsigned long long n[ICE__N])
{
	const struct call *c;
	int s;

	for (c = k->calls.head; c; c = c->next)
		for (s = 0; s < 2; s++) {
			const struct media_ice *mi = c->ice[s];

			if (!mi)
				continue;
			n[mi->failed ? ICE_FAILED : mi->connected ?
			  ICE_CONNECTED : ICE_CHECKING]++;
		}
}

/* ICE outcomes and the time to the first working pair, per side */
static void ice_outcomes(FILE *f)
{
	static const unsigned int le[] = MEDIA_ICE_SETUP_BUCKETS;
	const struct media_ice_totals *t = media_ice_totals();
	unsigned long long n = 0;
	unsigned int i;

	head(f, "kice_ice_outcomes_total", "counter",
	     "ICE sides by how their first checks ended.");
	fprintf(f, "kice_ice_outcomes_total{outcome=\"connected\"} %llu\n",
		(unsigned long long)t->connected);
	fprintf(f, "kice_ice_outcomes_total{outcome=\"failed\"} %llu\n",
		(unsigned long long)t->failed);
	one(f, "kice_ice_consent_lost_total", "counter",
	    "Connected ICE sides that lost consent (RFC 7675).",
	    t->consent_lost);
	head(f, "kice_ice_setup_seconds", "histogram",
	     "From an ICE side's first checks to its first working pair.");
	for (i = 0; i < MEDIA_ICE_NBUCKETS; i++) {
		n += t->setup[i];
		if (i < sizeof(le) / sizeof(le[0]))
			fprintf(f, "kice_ice_setup_seconds_bucket{le=\"%g\"} %llu\n",
				le[i] / 1000.0, n);
		else
			fprintf(f, "kice_ice_setup_seconds_bucket{le=\"+Inf\"} %llu\n",
				n);
	}
	fprintf(f, "kice_ice_setup_seconds_sum %g\n", t->setup_ms_sum / 1000.0);
	fprintf(f, "kice_ice_setup_seconds_count %llu\n", n);
}

int metrics_render(struct kiced *k, char **out, size_t *len)
{
	static const char *const comp[2] = { "rtp", "rtcp" };
	static const char *const ice[ICE__N] = {
		"checking", "connected", "failed" };
	struct relay_counters tot[2] = { k->calls.ended[0],
					 k->calls.ended[1] };
	unsigned long long sides[ICE__N] = { 0 }, kern = 0;
	const struct call *c;
	FILE *f;
	int i;

	*out = NULL;
	f = open_memstream(out, len);
	if (!f)
		return -1;
	for (c = k->calls.head; c; c = c->next) {
		session_media_totals(c, tot);
		kern += session_in_kernel(c);
	}
	ice_sides(k, sides);

	one(f, "kice_calls", "gauge", "Calls kiced holds.", k->calls.count);
	head(f, "kice_calls_relayed", "gauge",
	     "Calls by where their media is relayed.");
	fprintf(f, "kice_calls_relayed{relay=\"kernel\"} %llu\n", kern);
	fprintf(f, "kice_calls_relayed{relay=\"userspace\"} %llu\n",
		(unsigned long long)k->calls.count - kern);
	one(f, "kice_calls_created_total", "counter",
	    "Calls created by offers.", k->stats.managed);
	one(f, "kice_calls_deleted_total", "counter",
	    "Calls ended by delete.", k->stats.deleted);
	one(f, "kice_calls_timed_out_total", "counter",
	    "Calls ended without media for the timeout.", k->stats.timed_out);
	one(f, "kice_offers_rejected_total", "counter",
	    "Offers refused (limits, bad SDP, ...).", k->stats.rejected);
	head(f, "kice_ng_requests_total", "counter",
	     "ng requests by command.");
	for (i = 0; i < NG_CMD__COUNT; i++)
		fprintf(f, "kice_ng_requests_total{command=\"%s\"} %llu\n",
			ng_cmd_name(i),
			(unsigned long long)k->stats.commands[i]);
	one(f, "kice_ng_errors_total", "counter", "ng error replies.",
	    k->stats.errors);
	one(f, "kice_ng_malformed_total", "counter",
	    "ng datagrams dropped without a valid cookie.", k->stats.malformed);
	one(f, "kice_ng_replays_total", "counter",
	    "ng retransmissions answered from the cache.", k->stats.replays);
	head(f, "kice_ice_sides", "gauge", "ICE sides of the calls by state.");
	for (i = 0; i < ICE__N; i++)
		fprintf(f, "kice_ice_sides{state=\"%s\"} %llu\n", ice[i],
			sides[i]);
	head(f, "kice_media_packets_total", "counter",
	     "Media packets received from the parties, by component.");
	for (i = 0; i < 2; i++)
		fprintf(f, "kice_media_packets_total{component=\"%s\"} %llu\n",
			comp[i], (unsigned long long)tot[i].packets);
	head(f, "kice_media_bytes_total", "counter",
	     "Media bytes received from the parties, by component.");
	for (i = 0; i < 2; i++)
		fprintf(f, "kice_media_bytes_total{component=\"%s\"} %llu\n",
			comp[i], (unsigned long long)tot[i].bytes);
	head(f, "kice_media_dropped_total", "counter",
	     "Media packets dropped (no peer, no consent, foreign source, send failure), by component.");
	for (i = 0; i < 2; i++)
		fprintf(f, "kice_media_dropped_total{component=\"%s\"} %llu\n",
			comp[i], (unsigned long long)tot[i].errors);
	ice_outcomes(f);
	one(f, "kice_media_ports", "gauge", "Media ports open.",
	    (unsigned long long)k->media.open_ports);
	one(f, "kice_kernel_flows", "gauge", "Flows in kice.ko.",
	    (unsigned long long)k->media.flows);
	one(f, "kice_uptime_seconds", "gauge", "Seconds since kiced started.",
	    (loop_now_ms() - k->started_ms) / 1000);
	if (fclose(f)) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
