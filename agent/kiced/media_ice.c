// SPDX-License-Identifier: GPL-2.0
/*
 * ICE agent glue: host candidates on the media sockets, STUN demux, timer,
 * nominated pairs installed as relay peers.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ctl/ng_addr.h"
#include "ice/ice.h"
#include "ice/ice_sdp.h"
#include "kiced/config.h"
#include "kiced/log.h"
#include "kiced/media_ice.h"
#include "sdp/sdp.h"

static struct relay_leg *mi_leg(struct media_ice *mi, unsigned int stream,
				unsigned int comp)
{
	if (stream >= mi->nstreams || comp < 1 || comp > 2)
		return NULL;
	return &mi->streams[stream]->side[mi->side].leg[comp - 1];
}

static void mi_channels_poll(struct media_ice *mi);
static void mi_rearm(struct media_ice *mi, uint64_t now);

bool media_ice_gathering(const struct media_ice *mi)
{
	return mi->gather_end && !ice_agent_gathering_done(mi->agent) &&
	       loop_now_ms() < mi->gather_end;
}

void media_ice_on_gathered(struct media_ice *mi,
			   void (*fn)(void *arg, struct media_ice *mi,
				      bool alive),
			   void *arg)
{
	mi->gathered = fn;
	mi->gathered_arg = arg;
	if (fn)
		mi_rearm(mi, loop_now_ms());	/* wake at gather_end */
}

/* After the agent's input or timers: tell a waiting description. */
static void mi_gather_check(struct media_ice *mi)
{
	void (*fn)(void *arg, struct media_ice *mi, bool alive) = mi->gathered;

	if (!fn || media_ice_gathering(mi))
		return;
	if (!ice_agent_gathering_done(mi->agent))
		klog_warn("ICE side %c: gathering not done after %u ms",
			  mi->side ? 'B' : 'A',
			  mi->streams[0]->env->cfg->gather_wait_ms);
	mi->gathered = NULL;
	fn(mi->gathered_arg, mi, true);
}

/* Tell a waiter for a working media path, once. */
static void mi_conn_done(struct media_ice *mi, enum media_ice_wait result)
{
	void (*fn)(void *arg, enum media_ice_wait result) = mi->conn_fn;

	if (!fn)
		return;
	mi->conn_fn = NULL;
	mi->conn_end = 0;
	fn(mi->conn_arg, result);
}

void media_ice_on_connected(struct media_ice *mi,
			    void (*fn)(void *arg, enum media_ice_wait result),
			    void *arg, unsigned int ms)
{
	mi->conn_fn = fn;
	mi->conn_arg = arg;
	mi->conn_end = fn ? loop_now_ms() + ms : 0;
	if (!fn)
		return;
	if (mi->connected)
		mi_conn_done(mi, MEDIA_WAIT_CONNECTED);
	else if (mi->failed)
		mi_conn_done(mi, MEDIA_WAIT_FAILED);
	else
		mi_rearm(mi, loop_now_ms());	/* wake at conn_end */
}

const char *media_ice_media_path(const struct media_ice *mi)
{
	if (mi->connected)
		return "working";
	return mi->failed ? "failed" : "checking";
}

/* Arm the timerfd for the agent's next deadline. */
static void mi_rearm(struct media_ice *mi, uint64_t now)
{
	struct itimerspec its = { 0 };
	uint64_t next = ice_agent_timer(mi->agent, now), d;

	if (mi->gathered && mi->gather_end > now && mi->gather_end < next)
		next = mi->gather_end;
	if (mi->conn_fn && mi->conn_end < next)
		next = mi->conn_end;
	if (next != UINT64_MAX) {
		d = next > now ? next - now : 1;
		its.it_value.tv_sec = (time_t)(d / 1000);
		its.it_value.tv_nsec = (long)(d % 1000) * 1000000;
	}
	timerfd_settime(mi->timerfd, 0, &its, NULL);
}

static void mi_on_timer(struct loop_watch *w, uint32_t events)
{
	struct media_ice *mi = w->arg;
	uint64_t n;

	if (read(mi->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	if (mi->conn_fn && loop_now_ms() >= mi->conn_end)
		mi_conn_done(mi, MEDIA_WAIT_TIMEOUT);
	mi_rearm(mi, loop_now_ms());
	mi_channels_poll(mi);
	mi_gather_check(mi);
}

static void mi_on_stun(struct relay_leg *leg,
		       const struct sockaddr_storage *from, const void *buf,
		       size_t len, uint64_t now_ms)
{
	struct media_ice *mi = leg->stun_arg;
	struct ice_addr a;

	if (ice_addr_from_sa(&a, (const struct sockaddr *)from))
		return;
	ice_agent_recv(mi->agent, leg->fd, &a, buf, len, loop_now_ms());
	mi_rearm(mi, loop_now_ms());
	mi_channels_poll(mi);
	mi_gather_check(mi);
}

static int mi_send(void *user, int sock, const struct ice_addr *to,
		   const void *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = ice_addr_to_sa(to, &ss);
	ssize_t n;

	n = sendto(sock, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	return n < 0 ? -errno : (int)n;
}

/*
 * Install the kernel flows of a stream whose pair was just nominated, or
 * move them in place (flow set: no media gap) on renomination or restart.
 */
static void mi_offload(struct media_stream *st)
{
	int err;

	if (!st->env->kernel)
		return;
	err = media_stream_repoint(st);
	/* -EOPNOTSUPP: a shape the kernel does not relay, by design */
	if (err == -EOPNOTSUPP)
		klog_info("ICE stream relayed in userspace: RTCP for a side without it is dropped there");
	else if (err && err != -EBUSY && err != -EDESTADDRREQ)
		klog_warn("ICE stream stays in userspace: %s", strerror(-err));
}

/* Media for the peer of a leg whose local candidate is relayed (TURN). */
static int mi_send_relayed(struct relay_leg *leg, const void *buf, size_t len)
{
	struct media_ice *mi = leg->send_arg;
	unsigned int s, c;

	for (s = 0; s < mi->nstreams; s++)
		for (c = 1; c <= 2; c++)
			if (mi_leg(mi, s, c) == leg)
				return ice_agent_send(mi->agent, s, c, buf, len);
	return -ENOENT;
}

/* Media the agent took out of TURN Data indications: to the other side. */
static void mi_data(void *user, unsigned int stream, unsigned int comp,
		    const void *buf, size_t len)
{
	struct media_ice *mi = user;
	struct relay_leg *leg = mi_leg(mi, stream, comp);

	if (leg)
		relay_leg_deliver(leg, buf, len, loop_now_ms());
}

/*
 * The TURN channel of every leg of stream @s whose local candidate is
 * relayed, for kice.ko (it frames ChannelData itself).  True when each
 * such leg has its channel (or none is relayed).
 */
static bool mi_channels(struct media_ice *mi, unsigned int s)
{
	bool ready = true;
	unsigned int c;

	for (c = 1; c <= ice_agent_ncomp(mi->agent, s); c++) {
		struct relay_leg *leg = mi_leg(mi, s, c);
		int err;

		if (!leg)
			continue;
		err = ice_agent_relay_channel(mi->agent, s, c, &leg->turn,
					      &leg->channel);
		if (!err)
			continue;
		memset(&leg->turn, 0, sizeof(leg->turn));
		leg->channel = 0;
		if (err != -ENOENT)
			ready = false;
	}
	return ready;
}

/* Streams that go over another one's transport (BUNDLE). */
static unsigned int mi_nbundled(const struct media_ice *mi)
{
	unsigned int s, n = 0;

	for (s = 0; s < mi->nstreams; s++)
		n += ice_agent_bundled(mi->agent, s) >= 0;
	return n;
}

/*
 * Point every leg at its nominated remote candidate.  A leg whose local
 * candidate is relayed sends through the agent's TURN client (userspace
 * relay) until its channel is bound; then the stream may go to kice.ko,
 * which relays ChannelData on that channel.
 */
static void mi_install(struct media_ice *mi)
{
	unsigned int s, c;

	mi->chan_wait = false;
	for (s = 0; s < mi->nstreams; s++) {
		/* bundled: its media is on the tag's legs, these stay held */
		if (ice_agent_bundled(mi->agent, s) >= 0)
			continue;
		for (c = 1; c <= ice_agent_ncomp(mi->agent, s); c++) {
			struct ice_cand_info local, remote;
			struct relay_leg *leg = mi_leg(mi, s, c);
			struct sockaddr_storage ss;
			socklen_t sl;

			if (!leg || ice_agent_selected(mi->agent, s, c, &local,
						       &remote))
				continue;
			sl = ice_addr_to_sa(&remote.addr, &ss);
			relay_leg_set_peer(leg, (struct sockaddr *)&ss, sl);
			leg->hold = false;	/* a valid pair: consent */
			leg->send_fn = NULL;
			if (local.type == ICE_CAND_RELAY) {
				leg->send_fn = mi_send_relayed;
				leg->send_arg = mi;
			}
			/* what the other side sent while consent was awaited */
			relay_leg_unhold(leg, true, loop_now_ms());
			mi->nominations++;
		}
		mi->streams[s]->side[mi->side].consented = true;
		if (!mi_channels(mi, s)) {
			/* the userspace relay wraps it meanwhile */
			media_stream_unload(mi->streams[s]);
			mi->streams[s]->side[mi->side].ice_ready = false;
			mi->chan_wait = true;
			continue;
		}
		mi->streams[s]->side[mi->side].ice_ready = true;
		mi_offload(mi->streams[s]);
	}
}

/* After the agent's input or timers: streams whose channel is now bound. */
static void mi_channels_poll(struct media_ice *mi)
{
	unsigned int s;

	if (!mi->chan_wait || !mi->connected)
		return;
	mi->chan_wait = false;
	for (s = 0; s < mi->nstreams; s++) {
		struct media_endpoint *e = &mi->streams[s]->side[mi->side];

		if (e->ice_ready)
			continue;
		if (!mi_channels(mi, s)) {
			mi->chan_wait = true;
			continue;
		}
		klog_info("ICE side %c: TURN channel bound, stream %u",
			  mi->side ? 'B' : 'A', s);
		e->ice_ready = true;
		mi_offload(mi->streams[s]);
	}
}

/*
 * Outcomes of every agent of the process; kiced is one loop, one thread
 * (unit tests with two daemons in one process share them).
 */
static struct media_ice_totals totals;

const struct media_ice_totals *media_ice_totals(void)
{
	return &totals;
}

static void mi_count_setup(struct media_ice *mi)
{
	static const unsigned int le[] = MEDIA_ICE_SETUP_BUCKETS;
	uint64_t now = loop_now_ms();
	uint64_t ms = mi->started_ms && now > mi->started_ms ?
		      now - mi->started_ms : 0;
	unsigned int i;

	mi->counted = true;
	totals.connected++;
	totals.setup_ms_sum += ms;
	for (i = 0; i < sizeof(le) / sizeof(le[0]) && ms > le[i]; i++)
		;
	totals.setup[i]++;
}

static void mi_event(void *user, enum ice_event ev, int stream)
{
	struct media_ice *mi = user;
	unsigned int s;
	int c;

	klog_info("ICE side %c: %s (stream %d)", mi->side ? 'B' : 'A',
		  ice_event_name(ev), stream);
	switch (ev) {
	case ICE_EV_CONNECTED:
	case ICE_EV_COMPLETED:
		if (!mi->counted)
			mi_count_setup(mi);
		mi->connected = true;
		mi_install(mi);
		mi_conn_done(mi, MEDIA_WAIT_CONNECTED);
		break;
	case ICE_EV_DISCONNECTED:
		if (mi->connected)
			totals.consent_lost++;
		/* RFC 7675: no consent, no media (in the kernel neither) */
		for (s = 0; s < mi->nstreams; s++) {
			media_stream_unload(mi->streams[s]);
			mi->streams[s]->side[mi->side].ice_ready = false;
			mi->streams[s]->side[mi->side].consented = false;
			for (c = 0; c < 2; c++) {
				mi->streams[s]->side[mi->side].leg[c].peer_len = 0;
				mi->streams[s]->side[mi->side].leg[c].hold = true;
				mi->streams[s]->side[mi->side].leg[c].send_fn = NULL;
			}
		}
		mi->connected = false;
		mi->chan_wait = false;
		break;
	case ICE_EV_FAILED:
		/* a restart that failed: the previous pair is no more */
		for (s = 0; s < mi->nstreams; s++) {
			media_stream_unload(mi->streams[s]);
			mi->streams[s]->side[mi->side].consented = false;
			for (c = 0; c < 2; c++)
				mi->streams[s]->side[mi->side].leg[c].hold = true;
		}
		if (!mi->counted) {
			mi->counted = true;
			totals.failed++;
		}
		mi->failed = true;
		mi_conn_done(mi, MEDIA_WAIT_FAILED);
		break;
	default:
		break;
	}
}

/* [ice] stun-server and turn-server into the agent's configuration. */
static int mi_servers(struct ice_cfg *ic, const struct kiced_config *kc)
{
	struct ng_addr a;

	if (*kc->stun_server) {
		if (ng_addr_parse(kc->stun_server, &a) ||
		    ice_addr_from_sa(&ic->stun[0].addr,
				     (const struct sockaddr *)&a.ss))
			return -1;
		ic->nstun = 1;
	}
	if (*kc->turn_server) {
		if (ng_addr_parse(kc->turn_server, &a) ||
		    ice_addr_from_sa(&ic->turn[0].addr,
				     (const struct sockaddr *)&a.ss))
			return -1;
		ic->turn[0].user = kc->turn_user;
		ic->turn[0].pass = kc->turn_password;
		ic->turn[0].transport = ICE_TURN_UDP;
		ic->nturn = 1;
	}
	return 0;
}

/*
 * Wait for the servers' answers on the side's sockets until gather_end.
 * The daemon's loop is held meanwhile; media relayed by kice.ko does not
 * notice.
 */
void media_ice_wait_gathering(struct media_ice *mi)
{
	struct pollfd pfd[ICE_MAX_STREAMS * 2];
	struct relay_leg *legs[ICE_MAX_STREAMS * 2];
	uint64_t now = loop_now_ms(), end = mi->gather_end, next;
	unsigned int n = 0, s, c, i;

	for (s = 0; s < mi->nstreams; s++)
		for (c = 1; c <= 2; c++) {
			legs[n] = mi_leg(mi, s, c);
			pfd[n] = (struct pollfd){ legs[n]->fd, POLLIN, 0 };
			n++;
		}
	while (!ice_agent_gathering_done(mi->agent) && now < end) {
		next = ice_agent_timer(mi->agent, now);
		if (next > end)
			next = end;
		if (poll(pfd, n, next > now ? (int)(next - now) : 0) < 0 &&
		    errno != EINTR)
			break;
		now = loop_now_ms();
		/*
		 * As the main loop would: STUN to the agent (the legs' hook),
		 * media of a renegotiated call on to the other side.
		 */
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				relay_leg_pump(legs[i], RELAY_BATCH * 4, now);
	}
	if (!ice_agent_gathering_done(mi->agent))
		klog_warn("ICE side %c: gathering not done after %u ms",
			  mi->side ? 'B' : 'A',
			  mi->streams[0]->env->cfg->gather_wait_ms);
	mi_rearm(mi, loop_now_ms());
}

static const struct ice_ops mi_ops = {
	.send = mi_send,
	.event = mi_event,
	.data = mi_data,
};

struct media_ice *media_ice_new(struct loop *loop,
				struct media_stream **streams,
				unsigned int nstreams, enum media_side side,
				bool controlling, bool trickle,
				const char **err)
{
	struct media_ice *mi;
	struct ice_cfg cfg;
	uint64_t now = loop_now_ms();
	unsigned int s, c;

	if (!nstreams || nstreams > ICE_MAX_STREAMS) {
		*err = "ICE: unsupported number of media sections";
		return NULL;
	}
	mi = calloc(1, sizeof(*mi));
	if (!mi) {
		*err = "Out of memory";
		return NULL;
	}
	mi->timerfd = -1;
	mi->loop = loop;
	mi->side = side;
	mi->trickle = trickle;
	mi->nstreams = nstreams;
	mi->streams = calloc(nstreams, sizeof(*mi->streams));
	mi->mid = calloc(nstreams, sizeof(*mi->mid));
	if (!mi->streams || !mi->mid)
		goto nomem;
	memcpy(mi->streams, streams, nstreams * sizeof(*streams));

	ice_cfg_default(&cfg);
	cfg.controlling = controlling;
	cfg.trickle = trickle;
	if (mi_servers(&cfg, streams[0]->env->cfg))
		goto bad;
	mi->agent = ice_agent_new(&cfg, &mi_ops, mi, now);
	if (!mi->agent)
		goto nomem;
	for (s = 0; s < nstreams; s++) {
		if (ice_agent_add_stream(mi->agent, 2) != (int)s)
			goto bad;
		for (c = 1; c <= 2; c++) {
			struct relay_leg *leg = mi_leg(mi, s, c);
			struct ice_addr a;

			const char *ip;
			uint16_t port;

			/* the address kiced advertises (static NAT) */
			ip = media_side_local(streams[s], side, &port);
			if (leg->fd < 0 ||
			    ice_addr_parse(&a, ip, relay_leg_port(leg)) ||
			    ice_agent_add_host(mi->agent, s, c, leg->fd, &a,
					       255, 255) < 0)
				goto bad;
		}
	}
	mi->timerfd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (mi->timerfd < 0)
		goto bad;
	mi->timer_w = (struct loop_watch){ mi->timerfd, mi_on_timer, mi };
	if (loop_add(loop, &mi->timer_w, EPOLLIN))
		goto bad;
	/*
	 * Only now take over the legs.  A stream already relayed in the
	 * kernel (ICE restart) keeps its flows on the previous pair until
	 * this agent nominates, then they move in place (RFC 8445, 9).
	 */
	for (s = 0; s < nstreams; s++) {
		streams[s]->side[side].ice = true;
		streams[s]->side[side].ice_ready = false;
	}
	for (s = 0; s < nstreams; s++)
		for (c = 1; c <= 2; c++) {
			struct relay_leg *leg = mi_leg(mi, s, c);

			leg->stun_fn = mi_on_stun;
			leg->stun_arg = mi;
			leg->latch = false;	/* ICE picks the peer */
			/* RFC 7675: media only where consent was given */
			leg->hold = !streams[s]->side[side].consented;
		}
	ice_agent_gather(mi->agent, now);
	if ((cfg.nstun || cfg.nturn) && !trickle)
		mi->gather_end = now + streams[0]->env->cfg->gather_wait_ms;
	mi_rearm(mi, loop_now_ms());
	return mi;
nomem:
	*err = "Out of memory";
	media_ice_free(mi);
	return NULL;
bad:
	*err = "ICE: cannot set up the agent";
	media_ice_free(mi);
	return NULL;
}

void media_ice_free(struct media_ice *mi)
{
	unsigned int s;
	int c;

	if (!mi)
		return;
	if (mi->gathered)
		mi->gathered(mi->gathered_arg, mi, false);
	mi_conn_done(mi, MEDIA_WAIT_GONE);
	for (s = 0; mi->streams && s < mi->nstreams; s++) {
		struct media_endpoint *e = &mi->streams[s]->side[mi->side];

		for (c = 0; c < 2; c++) {
			struct relay_leg *leg = &e->leg[c];

			if (leg->send_arg == mi || leg->stun_arg == mi) {
				/* the relayed path was this agent's */
				leg->send_fn = NULL;
				leg->send_arg = NULL;
				memset(&leg->turn, 0, sizeof(leg->turn));
				leg->channel = 0;
			}
			if (leg->stun_arg == mi) {
				leg->stun_fn = NULL;
				leg->stun_arg = NULL;
				/* no agent: plain media (SDP, latching) */
				relay_leg_unhold(leg, false, 0);
				leg->hold = false;
				e->ice = false;
				e->ice_ready = false;
			}
		}
	}
	if (mi->timerfd >= 0) {
		if (mi->timer_w.fn)
			loop_del(mi->loop, &mi->timer_w);
		close(mi->timerfd);
	}
	ice_agent_free(mi->agent);
	free(mi->streams);
	free(mi->mid);
	/* the timer watch may still be in the current epoll batch */
	loop_defer_free(mi->loop, mi);
}

int media_ice_describe(struct media_ice *mi, struct sdp_session *s)
{
	return ice_sdp_describe(mi->agent, s,
				mi->trickle ? ICE_SDP_TRICKLE : 0);
}

int media_ice_check(struct media_ice *mi, const struct sdp_session *s)
{
	return ice_sdp_check(mi->agent, s);
}

/* The peer's a=mid of each stream, to place trickled candidates. */
static void mi_note_mids(struct media_ice *mi, const struct sdp_session *s)
{
	unsigned int i;
	size_t j;

	for (i = 0; i < mi->nstreams; i++) {
		const struct sdp_media *m = i < s->nmedia ? &s->media[i] : NULL;

		mi->mid[i][0] = '\0';
		for (j = 0; m && j < m->nextra; j++) {
			const char *v = m->extra[j];

			if (strncmp(v, "a=mid:", 6) ||
			    strlen(v + 6) > MEDIA_ICE_MID_MAX)
				continue;
			snprintf(mi->mid[i], sizeof(mi->mid[i]), "%s", v + 6);
			break;
		}
	}
}

#define TRICKLE_MAX_CANDS	64	/* per fragment */

struct trickle_frag {
	struct ice_cand_info cand[TRICKLE_MAX_CANDS];
	unsigned int ncand;
	bool eoc[ICE_MAX_STREAMS];
	bool eoc_all;
	bool has_ufrag;
};

/* One line of a fragment (no line end); NULL or the reason. */
static const char *trickle_line(struct media_ice *mi, struct trickle_frag *f,
				const char *line, int *stream, int *msect,
				char *buf, size_t blen)
{
	const char *ufrag = ice_agent_remote_ufrag(mi->agent);
	struct sdp_candidate sc;
	unsigned int i;
	int err;

	if (!*line)
		return NULL;
	if (line[0] < 'a' || line[0] > 'z' || line[1] != '=')
		return "malformed line";
	if (!strncmp(line, "m=", 2)) {
		if (++*msect >= (int)mi->nstreams) {
			snprintf(buf, blen, "media section %d has no ICE stream",
				 *msect + 1);
			return buf;
		}
		*stream = *msect;
	} else if (!strncmp(line, "a=mid:", 6)) {
		if (*msect < 0)
			return "a=mid outside a media section";
		for (i = 0; i < mi->nstreams; i++)
			if (mi->mid[i][0] && !strcmp(mi->mid[i], line + 6))
				break;
		if (i < mi->nstreams)
			*stream = (int)i;
		else if (mi->mid[*msect][0])
			return "unknown a=mid";
	} else if (!strncmp(line, "a=ice-ufrag:", 12)) {
		if (!ufrag || strcmp(ufrag, line + 12))
			return "ice-ufrag is not the current one (stale or restarted)";
		f->has_ufrag = true;
	} else if (!strcmp(line, "a=end-of-candidates")) {
		if (*stream < 0)
			f->eoc_all = true;
		else
			f->eoc[*stream] = true;
	} else if (!strncmp(line, "a=candidate:", 12)) {
		if (*stream < 0)
			return "a=candidate outside a media section";
		if (sdp_parse_candidate(line + 12, &sc) != SDP_OK)
			return "malformed a=candidate";
		err = ice_sdp_cand_info(&sc, (unsigned int)*stream,
					&f->cand[f->ncand]);
		sdp_candidate_free(&sc);
		if (err)	/* TCP, FQDN, mDNS: skipped as in offers */
			return NULL;
		if (f->cand[f->ncand].component >
		    ice_agent_ncomp(mi->agent, (unsigned int)*stream))
			return "candidate component out of range";
		if (++f->ncand == TRICKLE_MAX_CANDS)
			return "too many candidates";
	}
	/* a=ice-pwd, a=ice-options and other lines: nothing to do */
	return NULL;
}

const char *media_ice_trickle(struct media_ice *mi, const char *frag,
			      size_t len, char *buf, size_t blen)
{
	struct trickle_frag *f;
	const char *why = NULL;
	char line[512];
	size_t pos = 0, n;
	int stream = -1, msect = -1;
	uint64_t now = loop_now_ms();
	unsigned int i;

	if (!ice_agent_remote_ufrag(mi->agent))
		return "the peer's ICE credentials are not known yet";
	f = calloc(1, sizeof(*f));
	if (!f)
		return "Out of memory";
	while (pos < len && !why) {
		const char *nl = memchr(frag + pos, '\n', len - pos);

		n = (nl ? (size_t)(nl - frag) : len) - pos;
		if (n && frag[pos + n - 1] == '\r')
			n--;
		if (n >= sizeof(line) || memchr(frag + pos, '\0', n))
			why = "malformed line";
		else {
			memcpy(line, frag + pos, n);
			line[n] = '\0';
			why = trickle_line(mi, f, line, &stream, &msect, buf,
					   blen);
		}
		pos = nl ? (size_t)(nl - frag) + 1 : len;
	}
	if (!why && !f->has_ufrag)
		why = "no a=ice-ufrag";
	if (!why) {
		for (i = 0; i < f->ncand; i++)
			ice_agent_add_remote(mi->agent, &f->cand[i], now);
		for (i = 0; i < mi->nstreams; i++)
			if (f->eoc[i] || f->eoc_all)
				ice_agent_remote_eoc(mi->agent, (int)i, now);
		mi_rearm(mi, now);
	}
	free(f);
	return why;
}

/*
 * Streams the agent runs with one component although rtcp-mux was not
 * agreed there (the peer gave no component-2 candidates): no RTCP.
 */
static void mi_sync_ncomp(struct media_ice *mi)
{
	unsigned int s;

	for (s = 0; s < mi->nstreams; s++)
		if (ice_agent_ncomp(mi->agent, s) == 1 &&
		    !mi->streams[s]->side[mi->side].mux)
			media_side_set_no_rtcp(mi->streams[s], mi->side);
}

void media_ice_mux(struct media_ice *mi, unsigned int stream)
{
	uint64_t now = loop_now_ms();

	if (stream >= mi->nstreams)
		return;
	ice_agent_rtcp_mux(mi->agent, stream, now);
	if (ice_agent_ncomp(mi->agent, stream) == 1)
		media_side_set_mux(mi->streams[stream], mi->side, true);
	mi_rearm(mi, now);
}

void media_ice_bundle(struct media_ice *mi, const struct sdp_session *s,
		      bool final)
{
	uint64_t now = loop_now_ms();

	if (ice_sdp_bundle(mi->agent, s, final, now) > 0)
		klog_info("ICE side %c: BUNDLE: %u media section(s) on their tag's transport",
			  mi->side ? 'B' : 'A', mi_nbundled(mi));
	mi_rearm(mi, now);
}

unsigned int media_ice_ncomp(const struct media_ice *mi, unsigned int stream)
{
	return stream < mi->nstreams ? ice_agent_ncomp(mi->agent, stream) : 0;
}

int media_ice_apply(struct media_ice *mi, const struct sdp_session *s,
		    bool accept_mux)
{
	uint64_t now = loop_now_ms();
	int err;

	err = ice_sdp_apply(mi->agent, s, accept_mux ? ICE_SDP_RTCP_MUX : 0,
			    now);
	if (err < 0)
		return err;
	mi_sync_ncomp(mi);
	mi_note_mids(mi, s);
	if (!mi->started) {
		err = ice_agent_start(mi->agent, now);
		if (err < 0)
			return err;
		mi->started = true;
		mi->started_ms = loop_now_ms();
	}
	mi_rearm(mi, now);
	return 0;
}

int media_ice_pair(const struct media_ice *mi, const struct media_stream *st,
		   char *buf, size_t len)
{
	struct ice_cand_info l, r;
	char la[ICE_ADDRSTRLEN], ra[ICE_ADDRSTRLEN];
	unsigned int s;

	for (s = 0; s < mi->nstreams; s++) {
		if (mi->streams[s] != st)
			continue;
		if (ice_agent_selected(mi->agent, s, 1, &l, &r))
			return -ENOENT;
		snprintf(buf, len, "%s %s -> %s %s",
			 ice_cand_type_name(l.type),
			 ice_addr_str(&l.addr, la, sizeof(la)),
			 ice_cand_type_name(r.type),
			 ice_addr_str(&r.addr, ra, sizeof(ra)));
		return 0;
	}
	return -ENOENT;
}

const char *media_ice_strerror(int err)
{
	return ice_sdp_strerror(err);
}

const char *media_ice_state(const struct media_ice *mi)
{
	if (mi->failed)
		return "failed";
	if (mi->connected)
		return "connected";
	return mi->started ? "checking" : "new";
}

bool media_sdp_has_ice(const struct sdp_session *s)
{
	size_t i;

	if (s->ice.ufrag)
		return true;
	for (i = 0; i < s->nmedia; i++)
		if (s->media[i].ice.ufrag)
			return true;
	return false;
}
