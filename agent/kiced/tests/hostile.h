/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile_ng: a seeded generator of hostile rtpengine ng messages and the
 * run that throws them at a live kiced (agent/kiced/tests/hostile_ng.sh).
 *
 * hostile_gen.c   the messages: message i of seed s is a pure function of
 *                 (s, i) and the established calls (also derived from s),
 *                 so "hostile_ng dump --seed s --index i" prints the exact
 *                 bytes of any message of a run.
 * hostile_media.c RTP both ways through the established calls, counted.
 * hostile_ng.c    the run: setup, messages with their expected outcome,
 *                 checks, report.
 */
#ifndef KICE_HOSTILE_H
#define KICE_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "ctl/bencode.h"

/* ---- byte buffers: agent/ctl's bn_buf, and a few helpers ---- */

void hb_putc(struct bn_buf *b, char c);
void hb_puts(struct bn_buf *b, const char *s);
void hb_printf(struct bn_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Printable rendering of @n bytes (\xNN escapes), at most @max shown. */
void hb_escape(struct bn_buf *b, const void *p, size_t n, size_t max);

/* ---- seeded random numbers (splitmix64) ---- */

struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);	/* 0..n-1, n > 0 */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi); /* lo..hi */
bool rng_pct(struct rng *r, unsigned int pct);
struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t index);

/* ---- the network the run lives in (hostile_ng.sh sets it up) ---- */

#define HN_MAX_MEDIA	2

struct hn_net {
	const char *peer_a;	/* offerers' address (192.0.2.x) */
	const char *peer_b;	/* answerers' address (203.0.113.x) */
	const char *other[4];	/* addresses nobody uses, for redirects */
	int nother;
	const char *iface[2];	/* kiced's configured interface names */
};

/* One established call; identities derived from the seed. */
struct hn_call {
	char call_id[48];
	char from_tag[32];
	char to_tag[32];
	int nmedia;
	const char *flag;		/* one ng flag or NULL */
	bool direction;			/* offered with "direction" */
	uint16_t port_a[HN_MAX_MEDIA];	/* the offerer's RTP ports */
	uint16_t port_b[HN_MAX_MEDIA];	/* the answerer's */
};

#define HN_CALLS	3
void hn_calls_init(struct hn_call *c, uint64_t seed);

/* ---- messages ---- */

enum hn_expect {
	HX_ERROR,	/* an error reply */
	HX_DECODE,	/* an error reply "Could not decode ..." */
	HX_NOREPLY,	/* no reply: not a valid cookie (counted malformed) */
	HX_EITHER,	/* new call: ok (then it must be found and deleted by
			 * its own bytes) or error (then it must not exist) */
	HX_NEW,		/* new call within the limits: ok, found, deleted */
	HX_OK,		/* result ok */
	HX_PONG,
	HX_SAME,	/* the cached reply of an earlier message (@ref) */
};

struct hn_msg {
	struct bn_buf data;	/* the whole datagram */
	int cls;
	enum hn_expect expect;
	bool json;
	uint64_t ref;		/* HX_SAME: index of the message replayed */
	int target;		/* established call whose call-id it names, -1 */
	/* HX_EITHER: the new call's identity, exactly as sent */
	struct bn_buf call_id;
	struct bn_buf from_tag;
};

struct hn_gen {
	uint64_t seed;
	const struct hn_net *net;
	const struct hn_call *calls;
	int ncalls;
};

/* Message @index of the run; *m is overwritten (hn_msg_free() later). */
void hn_generate(const struct hn_gen *g, uint64_t index, struct hn_msg *m);
void hn_msg_free(struct hn_msg *m);
const char *hn_class_name(int cls);
int hn_class_count(void);
const char *hn_expect_name(enum hn_expect e);
/* Is @cls's expected outcome HX_NOREPLY/HX_SAME? (decided before the bytes) */
int hn_class_of(const struct hn_gen *g, uint64_t index);

/* Plain well-formed requests the run itself sends (setup, checks). */
enum hn_req_kind { HR_QUERY, HR_DELETE, HR_LIST, HR_STATS, HR_PING };
void hn_request(struct bn_buf *b, const char *cookie, enum hn_req_kind kind,
		const void *call_id, size_t cid_len, const void *from_tag,
		size_t ft_len, bool json);
/* The setup offer/answer of established call @c. */
void hn_setup_offer(struct bn_buf *b, const char *cookie,
		    const struct hn_net *net, const struct hn_call *c);
void hn_setup_answer(struct bn_buf *b, const char *cookie,
		     const struct hn_net *net, const struct hn_call *c);

/* Self-check: is @p a well-formed bencode value (any depth)? */
bool hn_bencode_valid(const char *p, size_t n);

/* ---- media ---- */

struct hn_dir {
	int fd;			/* sender's socket (symmetric RTP) */
	struct sockaddr_in to;	/* kiced's port for this sender */
	uint32_t ssrc;
	uint16_t seq;		/* next to send */
	uint16_t base;		/* first sequence number counted */
	uint64_t sent;
	uint64_t received;	/* at the other end, distinct sequence numbers */
	uint64_t foreign;	/* packets there that were not ours */
	uint8_t *seen;		/* bitmap of 65536 sequence numbers */
};

struct hn_media {
	struct hn_dir dir[HN_CALLS][HN_MAX_MEDIA][2];	/* [.][.][0]=A->B */
	int ncalls;
	int nmedia[HN_CALLS];
	bool running;
};

int hn_media_open(struct hn_media *md, const struct hn_net *net,
		  const struct hn_call *calls, int ncalls);
/* kiced's ports: A sends to @xa, B to @xb (from the SDP replies). */
int hn_media_target(struct hn_media *md, int call, int m, const char *xa_addr,
		    uint16_t xa, const char *xb_addr, uint16_t xb);
void hn_media_send(struct hn_media *md);	/* one packet each way */
void hn_media_recv(struct hn_media *md, int fd);
void hn_media_reset(struct hn_media *md);	/* counters from zero */
void hn_media_close(struct hn_media *md);

#endif /* KICE_HOSTILE_H */
