// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_ng: hostile ng input against a live kiced, with established
 * calls carrying RTP both ways meanwhile (agent/kiced/tests/hostile_ng.sh
 * runs it in network namespaces).
 *
 *   hostile_ng run --seed S --pid KICED_PID [--count N] [--warmup W] ...
 *   hostile_ng dump --seed S --index I      the bytes of message I
 *   hostile_ng stats --seed S [--count N]   messages per class and their sizes
 *   hostile_ng checks                       how many RESULT lines "run" prints
 *
 * "run" sets up HN_CALLS calls (offer, answer) with media flowing, sends
 * W warm-up and then N hostile messages (seeded: message I is the same
 * for the same seed), each with its expected outcome, and prints one
 * "RESULT ok|fail TEXT" line per check, "# ..." diagnostics between.
 *
 * Up to --window requests are in flight, matched to their replies by
 * cookie (retransmitted with the same cookie after 1 s).  A message that
 * names an established call's call-id is followed at once by a query of
 * that call, which kiced handles right after it: a call that is no longer
 * what it was set up as (tags, state, media sections, endpoints, ICE) was
 * changed by exactly that message, which is reported; the call is then
 * deleted and set up again, so that one such bug does not hide others.
 * An offer that may create a call (HX_EITHER, HX_NEW) is followed by
 * query, delete and query of the call-id and from-tag it was made with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ctl/bencode.h"
#include "ctl/bn_json.h"
#include "kiced/tests/hostile.h"

#define MAXFL		128	/* requests in flight */
#define RECENT		64	/* replies kept for replays */
#define LAST_SENT	32	/* datagrams kept for a crash report */
#define MAX_FAILS	200	/* failures described, at most 3 per class */
#define MAX_TRIES	5

/* hostile message, HX_EITHER/HX_NEW follow-up, the run's own, check */
enum fk { FK_HOSTILE, FK_FOLLOW, FK_SYNC, FK_VERIFY };

struct fl {
	bool used;
	enum fk kind;
	uint64_t index;
	int step;			/* FK_FOLLOW: 1 query, 2 delete, 3 gone */
	int target;			/* FK_VERIFY: the established call */
	char cookie[72];
	struct hn_msg m;		/* FK_HOSTILE (and FK_FOLLOW's identity) */
	struct bn_buf data;		/* FK_FOLLOW, FK_SYNC */
	uint64_t sent_ms;
	uint64_t first_ms;
	int tries;
	bool done;			/* FK_SYNC */
	struct bn_buf reply;		/* FK_SYNC; FK_FOLLOW: the refusal */
};

struct cls_stat {
	uint64_t sent, pass, fail, changed;
	int described;
};

struct run {
	uint64_t seed, count, warmup;
	uint64_t skip;			/* classes not sent (bit per class) */
	pid_t pid;
	int pps, window, rto_ms;
	size_t wbytes;
	const char *dump_dir;
	const char *ng;

	struct hn_net net;
	struct hn_call calls[HN_CALLS];
	struct hn_gen gen;
	struct hn_media md;
	int ng_fd, tfd;

	struct fl fl[MAXFL];
	int nfl;
	size_t fl_bytes;
	struct hn_msg next;
	bool have_next;

	/* what each established call must stay, checked after every
	 * message that names it; a changed call is set up again */
	struct bn_buf fp[HN_CALLS];
	bool dirty[HN_CALLS];
	unsigned int restore;
	uint64_t verified, changed, restores;

	struct {
		uint64_t index;
		bool have;
		struct bn_buf reply;
	} recent[RECENT];
	char done_ck[256][72];		/* completed cookies (late duplicates) */
	unsigned int done_n;
	struct {
		uint64_t index;
		int cls;
		struct bn_buf data;
	} last[LAST_SENT];
	unsigned int last_n;

	struct cls_stat cls[64];
	uint64_t badcookie, unexpected, retrans, max_lat_ms, sent_total;
	uint64_t either_ok, either_err, either_bad;
	int nfails;
	bool dead, alive_fail;
	uint64_t next_alive_ms;
	uint64_t next_rss_ms;
	long rss_min, rss_max;		/* kiced's VmRSS sampled in the phase */
	uint64_t died_after;
};

static long read_rss(pid_t pid);

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- results ---- */

enum {
	R_SETUP, R_ALIVE, R_NOCOOKIE, R_EITHER, R_NOCALLS, R_UNCHANGED,
	R_MEDIA, R_MEMORY, R__FIXED
};

struct result {
	bool set, ok;
	char text[256];
};

static struct result results[R__FIXED + 64];

static void result(int i, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(int i, bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(results[i].text, sizeof(results[i].text), fmt, ap);
	va_end(ap);
	results[i].set = true;
	results[i].ok = ok;
}

static void print_results(void)
{
	int i, n = R__FIXED + hn_class_count();

	for (i = 0; i < n; i++) {
		if (!results[i].set)
			printf("RESULT fail %s\n", i >= R__FIXED ?
			       hn_class_name(i - R__FIXED) : "not reached");
		else
			printf("RESULT %s %s\n", results[i].ok ? "ok" : "fail",
			       results[i].text);
	}
	fflush(stdout);
}

/* ---- replies ---- */

struct reply {
	struct bn_doc doc;
	const struct bn *root;
	char result[16];
	struct bn_buf reason;
	bool parsed;
};

static const struct bn *dget(const struct bn *d, const char *k)
{
	return d ? bn_dict_get(d, k) : NULL;
}

static bool dstr(const struct bn *d, const char *k, const char *want)
{
	const struct bn *v = dget(d, k);

	return v && v->type == BN_STR && v->len == strlen(want) &&
	       !memcmp(v->str, want, v->len);
}

static int64_t dint(const struct bn *d, const char *k)
{
	const struct bn *v = dget(d, k);

	return v && v->type == BN_INT ? v->num : -1;
}

static void reply_free(struct reply *r)
{
	if (r->parsed)
		bn_doc_free(&r->doc);
	bn_buf_free(&r->reason);
	memset(r, 0, sizeof(*r));
}

static int reply_parse(const char *p, size_t n, struct reply *r)
{
	const char *sp = memchr(p, ' ', n);
	const struct bn *v;
	size_t bl;
	int err;

	memset(r, 0, sizeof(*r));
	if (!sp)
		return -1;
	sp++;
	bl = n - (size_t)(sp - p);
	if (bl && *sp == '{')
		err = bn_json_decode(&r->doc, sp, bl);
	else
		err = bn_decode(&r->doc, sp, bl);
	if (err)
		return -1;
	r->parsed = true;
	r->root = r->doc.root;
	v = dget(r->root, "result");
	if (!v || v->type != BN_STR || v->len >= sizeof(r->result))
		return -1;
	memcpy(r->result, v->str, v->len);
	v = dget(r->root, "error-reason");
	if (v && v->type == BN_STR)
		bn_put_raw(&r->reason, v->str, v->len);
	return 0;
}

/* ---- the ng socket, requests in flight ---- */

static void alive_check(struct run *rn, bool force)
{
	char path[64], st[256];
	FILE *f;
	uint64_t now = now_ms();

	if (rn->dead || (!force && now < rn->next_alive_ms))
		return;
	rn->next_alive_ms = now + 100;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)rn->pid);
	f = fopen(path, "re");
	if (f) {
		size_t n = fread(st, 1, sizeof(st) - 1, f);
		const char *rp;

		fclose(f);
		st[n] = '\0';
		rp = strrchr(st, ')');
		if (rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X')
			return;
	}
	rn->dead = true;
	rn->died_after = rn->sent_total;
	printf("# kiced (pid %ld) is gone after %" PRIu64 " hostile messages;"
	       " the last ones sent:\n", (long)rn->pid, rn->sent_total);
}

static void keep_last(struct run *rn, uint64_t index, int cls,
		      const struct bn_buf *d)
{
	unsigned int k = rn->last_n++ % LAST_SENT;

	rn->last[k].index = index;
	rn->last[k].cls = cls;
	rn->last[k].data.len = 0;
	bn_put_raw(&rn->last[k].data, d->data ? d->data : "", d->len);
}

static void dump_msg(struct run *rn, uint64_t index, const struct bn_buf *d)
{
	char path[512];
	FILE *f;

	if (!rn->dump_dir)
		return;
	snprintf(path, sizeof(path), "%s/hostile-%" PRIu64 "-%" PRIu64 ".bin",
		 rn->dump_dir, rn->seed, index);
	f = fopen(path, "we");
	if (!f)
		return;
	fwrite(d->data, 1, d->len, f);
	fclose(f);
}

static const struct bn_buf *fl_bytes(const struct fl *f)
{
	return f->kind == FK_HOSTILE ? &f->m.data : &f->data;
}

static void put_val(struct bn_buf *b, const char *name, const struct bn *v)
{
	hb_printf(b, " %s=", name);
	if (!v)
		hb_putc(b, '-');
	else if (v->type == BN_STR)
		hb_escape(b, v->str, v->len, 300);
	else if (v->type == BN_INT)
		hb_printf(b, "%" PRId64, v->num);
	else
		hb_putc(b, '?');
}

/* A query reply without what changes by itself (counters, times). */
static void fingerprint(const struct bn *root, struct bn_buf *fp)
{
	static const char *const top[] = { "from-tag", "to-tag", "state", "ICE" };
	static const char *const side[] = {
		"family", "local address", "local port", "remote address",
		"remote port", "ICE state",
	};
	const struct bn *media = dget(root, "media"), *it;
	size_t i, j;

	fp->len = 0;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		put_val(fp, top[i], dget(root, top[i]));
	hb_printf(fp, " media=%zu", media && media->type == BN_LIST ?
		  media->len : 0);
	for (it = media ? media->child : NULL; it; it = it->next) {
		put_val(fp, "type", dget(it, "type"));
		put_val(fp, "proto", dget(it, "protocol"));
		for (j = 0; j < 2; j++) {
			const struct bn *d = dget(it, j ? "answerer" : "offerer");

			hb_puts(fp, j ? " B:" : " A:");
			for (i = 0; i < sizeof(side) / sizeof(side[0]); i++)
				put_val(fp, side[i], dget(d, side[i]));
		}
	}
}

static void fl_send(struct run *rn, struct fl *f)
{
	const struct bn_buf *d = fl_bytes(f);

	if (send(rn->ng_fd, d->data, d->len, 0) < 0 && errno != ECONNREFUSED)
		printf("# send: %s\n", strerror(errno));
	f->sent_ms = now_ms();
	f->tries++;
}

static struct fl *fl_new(struct run *rn, enum fk kind)
{
	int i;

	for (i = 0; i < MAXFL; i++)
		if (!rn->fl[i].used) {
			struct fl *f = &rn->fl[i];

			memset(f, 0, sizeof(*f));
			f->used = true;
			f->kind = kind;
			rn->nfl++;
			return f;
		}
	return NULL;
}

static void fl_done(struct run *rn, struct fl *f)
{
	snprintf(rn->done_ck[rn->done_n++ % 256], sizeof(rn->done_ck[0]),
		 "%s", f->cookie);
	rn->fl_bytes -= fl_bytes(f)->len;
	hn_msg_free(&f->m);
	bn_buf_free(&f->data);
	if (f->kind != FK_SYNC) {
		bn_buf_free(&f->reply);
		f->used = false;
		rn->nfl--;
	}
}

static void fail_msg(struct run *rn, uint64_t index, int cls,
		     const struct bn_buf *sent, const char *what,
		     const char *reply, size_t rlen)
{
	struct bn_buf b = { 0 };

	/* the first few of each class are described */
	if (cls >= 0)
		rn->cls[cls].fail++;
	if (rn->nfails >= MAX_FAILS ||
	    rn->cls[cls >= 0 ? cls : 63].described >= 3)
		return;
	rn->nfails++;
	rn->cls[cls >= 0 ? cls : 63].described++;
	hb_printf(&b, "# FAIL message %" PRIu64 " (%s): %s", index,
		  cls >= 0 ? hn_class_name(cls) : "follow-up", what);
	if (reply) {
		hb_puts(&b, "; reply: ");
		hb_escape(&b, reply, rlen, 300);
	}
	hb_puts(&b, "\n#   sent: ");
	hb_escape(&b, sent->data, sent->len, 240);
	printf("%s\n", b.data);
	bn_buf_free(&b);
	dump_msg(rn, index, sent);
}

static void follow(struct run *rn, const struct fl *of, int step,
		   const struct bn_buf *refusal);

static const char *expect_text(const struct hn_msg *m)
{
	return hn_expect_name(m->expect);
}

static void judge_hostile(struct run *rn, struct fl *f, const char *rep,
			  size_t rlen)
{
	struct hn_msg *m = &f->m;
	struct reply r;
	bool ok = false;
	char why[160];

	snprintf(why, sizeof(why), "expected %s", expect_text(m));
	if (m->expect == HX_SAME) {
		unsigned int k = (unsigned int)(m->ref % RECENT);

		ok = rn->recent[k].index == m->ref && rn->recent[k].have &&
		     rn->recent[k].reply.len == rlen &&
		     !memcmp(rn->recent[k].reply.data, rep, rlen);
		if (!ok)
			snprintf(why, sizeof(why),
				 "expected the cached reply of message %" PRIu64,
				 m->ref);
	} else if (reply_parse(rep, rlen, &r)) {
		snprintf(why, sizeof(why), "unparsable reply (expected %s)",
			 expect_text(m));
	} else {
		switch (m->expect) {
		case HX_ERROR:
			ok = !strcmp(r.result, "error");
			break;
		case HX_DECODE:
			ok = !strcmp(r.result, "error") && r.reason.len >= 16 &&
			     !memcmp(r.reason.data, "Could not decode", 16);
			break;
		case HX_OK:
			ok = !strcmp(r.result, "ok");
			break;
		case HX_PONG:
			ok = !strcmp(r.result, "pong");
			break;
		case HX_NEW:
		case HX_EITHER:
			if (!strcmp(r.result, "ok")) {
				ok = true;
				rn->either_ok++;
				follow(rn, f, 1, NULL);
			} else if (!strcmp(r.result, "error") &&
				   m->expect == HX_EITHER) {
				ok = true;
				rn->either_err++;
				follow(rn, f, 3, &r.reason);
			}
			break;
		default:
			break;
		}
	}
	if (m->expect != HX_SAME)
		reply_free(&r);
	if (ok)
		rn->cls[m->cls].pass++;
	else
		fail_msg(rn, f->index, m->cls, &m->data, why, rep, rlen);
	{
		unsigned int k = (unsigned int)(f->index % RECENT);

		rn->recent[k].index = f->index;
		rn->recent[k].have = true;
		rn->recent[k].reply.len = 0;
		bn_put_raw(&rn->recent[k].reply, rep, rlen);
	}
}

/*
 * HX_EITHER, HX_NEW follow-ups: an accepted call must be found and deleted
 * by the bytes it was offered with, and be gone then; a refused one must
 * not be there (a query says "Unknown call-id", or refuses the call-id
 * for the reason the offer was refused).
 */
static void follow(struct run *rn, const struct fl *of, int step,
		   const struct bn_buf *refusal)
{
	struct fl *f = fl_new(rn, FK_FOLLOW);
	const struct hn_msg *src = &of->m;

	if (!f) {
		printf("# no room for a follow-up of message %" PRIu64 "\n",
		       of->index);
		rn->either_bad++;
		return;
	}
	f->index = of->index;
	f->step = step;
	if (refusal)
		bn_put_raw(&f->reply, refusal->data, refusal->len);
	f->m.json = src->json;
	f->m.cls = src->cls;
	bn_put_raw(&f->m.call_id, src->call_id.data, src->call_id.len);
	bn_put_raw(&f->m.from_tag, src->from_tag.data, src->from_tag.len);
	bn_put_raw(&f->m.data, src->data.data, src->data.len);	/* for reports */
	snprintf(f->cookie, sizeof(f->cookie), "f%" PRIu64 ".%d", of->index,
		 step);
	hn_request(&f->data, f->cookie, step == 2 ? HR_DELETE : HR_QUERY,
		   src->call_id.data, src->call_id.len,
		   step == 3 ? NULL : src->from_tag.data, src->from_tag.len,
		   src->json);
	rn->fl_bytes += f->data.len;
	f->first_ms = now_ms();
	fl_send(rn, f);
}

static void judge_follow(struct run *rn, struct fl *f, const char *rep,
			 size_t rlen)
{
	static const char *const what[] = {
		NULL,
		"offer ok, but query by the same call-id and from-tag failed",
		"offer ok, but delete by the same call-id and from-tag failed",
		"call still there after its delete (or after its offer was refused)",
	};
	struct reply r;
	bool ok;

	if (reply_parse(rep, rlen, &r)) {
		ok = false;
	} else if (f->step == 3) {
		ok = !strcmp(r.result, "error") &&
		     ((r.reason.len == 15 &&
		       !memcmp(r.reason.data, "Unknown call-id", 15)) ||
		      (f->reply.len && r.reason.len == f->reply.len &&
		       !memcmp(r.reason.data, f->reply.data, r.reason.len)));
	} else {
		ok = !strcmp(r.result, "ok");
	}
	reply_free(&r);
	if (!ok) {
		rn->either_bad++;
		fail_msg(rn, f->index, -1, &f->m.data, what[f->step], rep,
			 rlen);
		return;
	}
	if (f->step == 1)
		follow(rn, f, 2, NULL);
	else if (f->step == 2)
		follow(rn, f, 3, NULL);
}

/* After a message naming established call f->target: is it as it was? */
static void judge_verify(struct run *rn, struct fl *f, const char *rep,
			 size_t rlen)
{
	struct bn_buf now = { 0 }, why = { 0 };
	struct reply r;
	int t = f->target;

	if (rn->dirty[t])
		return;		/* being set up again */
	rn->verified++;
	if (!reply_parse(rep, rlen, &r) && !strcmp(r.result, "ok"))
		fingerprint(r.root, &now);
	else
		hb_escape(&now, rep, rlen, 300);
	reply_free(&r);
	if (now.len != rn->fp[t].len || memcmp(now.data, rn->fp[t].data, now.len)) {
		rn->changed++;
		rn->cls[f->m.cls].changed++;
		rn->dirty[t] = true;
		rn->restore |= 1u << t;
		hb_printf(&why, "%s expected, but it changed established call %d:"
			  "\n#   was:%s\n#   now:%s", hn_expect_name(f->m.expect),
			  t, rn->fp[t].data, now.data);
		fail_msg(rn, f->index, f->m.cls, &f->m.data, why.data, NULL, 0);
	}
	bn_buf_free(&now);
	bn_buf_free(&why);
}

static bool recently_done(struct run *rn, const char *ck, size_t n)
{
	unsigned int i;

	for (i = 0; i < 256 && i < rn->done_n; i++)
		if (strlen(rn->done_ck[i]) == n && !memcmp(rn->done_ck[i], ck, n))
			return true;
	return false;
}

static void on_reply(struct run *rn, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	size_t cl = sp ? (size_t)(sp - p) : n;
	uint64_t lat;
	int i;

	for (i = 0; i < MAXFL; i++) {
		struct fl *f = &rn->fl[i];

		if (!f->used || f->done || strlen(f->cookie) != cl ||
		    memcmp(f->cookie, p, cl))
			continue;
		lat = now_ms() - f->first_ms;
		if (lat > rn->max_lat_ms)
			rn->max_lat_ms = lat;
		switch (f->kind) {
		case FK_HOSTILE:
			judge_hostile(rn, f, p, n);
			break;
		case FK_FOLLOW:
			judge_follow(rn, f, p, n);
			break;
		case FK_SYNC:
			bn_put_raw(&f->reply, p, n);
			f->done = true;
			break;
		case FK_VERIFY:
			judge_verify(rn, f, p, n);
			break;
		}
		fl_done(rn, f);
		return;
	}
	if (recently_done(rn, p, cl))
		return;		/* the reply to a retransmission */
	rn->unexpected++;
	if (rn->unexpected <= 5) {
		struct bn_buf b = { 0 };

		hb_escape(&b, p, n, 200);
		printf("# unexpected reply: %s\n", b.data);
		bn_buf_free(&b);
	}
}

static void retransmit(struct run *rn)
{
	uint64_t now = now_ms();
	int i;

	for (i = 0; i < MAXFL; i++) {
		struct fl *f = &rn->fl[i];

		if (!f->used || f->done ||
		    now - f->sent_ms < (uint64_t)rn->rto_ms)
			continue;
		if (f->tries < MAX_TRIES) {
			rn->retrans++;
			fl_send(rn, f);
			continue;
		}
		if (f->kind == FK_SYNC) {
			fl_done(rn, f);
			f->done = true;		/* with no reply */
			continue;
		}
		if (f->kind == FK_VERIFY) {
			printf("# no reply to the query after message %" PRIu64
			       "\n", f->index);
		} else if (f->kind == FK_HOSTILE) {
			unsigned int k = (unsigned int)(f->index % RECENT);

			fail_msg(rn, f->index, f->m.cls, &f->m.data,
				 "no reply", NULL, 0);
			/* a replay of it compares with nothing */
			rn->recent[k].index = f->index;
			rn->recent[k].have = true;
			rn->recent[k].reply.len = 0;
		}
		else {
			rn->either_bad++;
			fail_msg(rn, f->index, -1, &f->data, "no reply", NULL, 0);
		}
		fl_done(rn, f);
	}
}

/* One round of waiting: media, replies, retransmissions, kiced's life. */
static void pump(struct run *rn, int max_ms)
{
	struct pollfd p[2 + 2 * HN_CALLS * HN_MAX_MEDIA];
	int n = 0, c, m, d, i;
	static char buf[65536 + 1];

	p[n++] = (struct pollfd){ .fd = rn->ng_fd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = rn->tfd, .events = POLLIN };
	for (c = 0; c < rn->md.ncalls; c++)
		for (m = 0; m < rn->md.nmedia[c]; m++)
			for (d = 0; d < 2; d++)
				p[n++] = (struct pollfd){
					.fd = rn->md.dir[c][m][d].fd,
					.events = POLLIN };
	if (poll(p, (nfds_t)n, max_ms) > 0) {
		if (p[1].revents & POLLIN) {
			uint64_t exp = 0;

			if (read(rn->tfd, &exp, sizeof(exp)) == sizeof(exp) &&
			    rn->md.running) {
				if (exp > 5)
					exp = 5;
				while (exp--)
					hn_media_send(&rn->md);
			}
		}
		for (i = 2; i < n; i++)
			if (p[i].revents & POLLIN)
				hn_media_recv(&rn->md, p[i].fd);
		if (p[0].revents & POLLIN)
			for (;;) {
				ssize_t r = recv(rn->ng_fd, buf, sizeof(buf) - 1,
						 MSG_DONTWAIT);

				if (r < 0)
					break;
				on_reply(rn, buf, (size_t)r);
			}
	}
	retransmit(rn);
	alive_check(rn, false);
	if (now_ms() >= rn->next_rss_ms) {
		long kb = read_rss(rn->pid);

		rn->next_rss_ms = now_ms() + 100;
		if (kb > 0 && (rn->rss_min < 0 || kb < rn->rss_min))
			rn->rss_min = kb;
		if (kb > rn->rss_max)
			rn->rss_max = kb;
	}
}

static void pump_for(struct run *rn, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (!rn->dead && now_ms() < end)
		pump(rn, 10);
}

/* A request of the run's own, waited for.  0 with its reply in @out. */
static int sync_req(struct run *rn, const struct bn_buf *req, const char *ck,
		    struct bn_buf *out)
{
	struct fl *f;
	int ret;

	while (!(f = fl_new(rn, FK_SYNC)))
		pump(rn, 10);
	snprintf(f->cookie, sizeof(f->cookie), "%s", ck);
	bn_put_raw(&f->data, req->data, req->len);
	rn->fl_bytes += f->data.len;
	f->first_ms = now_ms();
	fl_send(rn, f);
	while (!f->done && !rn->dead)
		pump(rn, 10);
	ret = f->done && f->reply.len ? 0 : -1;
	out->len = 0;
	if (!ret)
		bn_put_raw(out, f->reply.data, f->reply.len);
	if (!f->done)
		fl_done(rn, f);
	bn_buf_free(&f->reply);
	f->used = false;
	rn->nfl--;
	return ret;
}

/* ---- hostile messages ---- */

/* The query that checks the call message @m named, sent right after it. */
static void send_verify(struct run *rn, uint64_t index, const struct hn_msg *m)
{
	const struct hn_call *c = &rn->calls[m->target];
	struct fl *f;

	if (rn->dirty[m->target] || !(f = fl_new(rn, FK_VERIFY)))
		return;
	f->index = index;
	f->target = m->target;
	f->m.cls = m->cls;
	f->m.expect = m->expect;
	bn_put_raw(&f->m.data, m->data.data, m->data.len);	/* for reports */
	snprintf(f->cookie, sizeof(f->cookie), "v%" PRIu64, index);
	hn_request(&f->data, f->cookie, HR_QUERY, c->call_id,
		   strlen(c->call_id), NULL, 0, false);
	rn->fl_bytes += f->data.len;
	f->first_ms = now_ms();
	fl_send(rn, f);
}

static void send_hostile(struct run *rn, uint64_t index, struct hn_msg *m)
{
	struct fl *f;

	rn->cls[m->cls].sent++;
	rn->sent_total++;
	keep_last(rn, index, m->cls, &m->data);
	if (m->expect == HX_NOREPLY) {
		rn->badcookie++;
		if (send(rn->ng_fd, m->data.data, m->data.len, 0) < 0 &&
		    errno != ECONNREFUSED)
			printf("# send: %s\n", strerror(errno));
		rn->cls[m->cls].pass++;	/* unless a reply comes */
		if (m->target >= 0)
			send_verify(rn, index, m);
		hn_msg_free(m);
		return;
	}
	f = fl_new(rn, FK_HOSTILE);
	f->index = index;
	{
		const char *sp = memchr(m->data.data, ' ', m->data.len);
		int cl = (int)(sp - m->data.data);

		snprintf(f->cookie, sizeof(f->cookie), "%.*s", cl, m->data.data);
	}
	f->m = *m;
	memset(m, 0, sizeof(*m));
	rn->fl_bytes += f->m.data.len;
	f->first_ms = now_ms();
	fl_send(rn, f);
	if (f->m.target >= 0)
		send_verify(rn, index, &f->m);
}

static bool recent_have(struct run *rn, uint64_t j)
{
	unsigned int k = (unsigned int)(j % RECENT);

	return rn->recent[k].index == j && rn->recent[k].have;
}

/* Is a message with cookie @ck in flight? (a replay must wait for it) */
static bool cookie_busy(struct run *rn, const char *ck)
{
	int i;

	for (i = 0; i < MAXFL; i++)
		if (rn->fl[i].used && !strcmp(rn->fl[i].cookie, ck))
			return true;
	return false;
}

static void restore_calls(struct run *rn);

static void run_range(struct run *rn, uint64_t from, uint64_t to)
{
	uint64_t i = from;

	while ((i < to || rn->nfl || rn->restore) && !rn->dead) {
		if (rn->restore && !rn->nfl)
			restore_calls(rn);
		while (!rn->restore && i < to && rn->nfl < rn->window) {
			struct hn_msg *m = &rn->next;

			if (!rn->have_next) {
				hn_generate(&rn->gen, i, m);
				rn->have_next = true;
			}
			if (m->expect == HX_SAME &&
			    (rn->skip & (1ULL << hn_class_of(&rn->gen, m->ref)))) {
				hn_msg_free(m);		/* its target was not sent */
				rn->have_next = false;
				i++;
				continue;
			}
			if (m->expect == HX_SAME) {
				char ck[40];

				snprintf(ck, sizeof(ck), "h%" PRIu64, m->ref);
				if (!recent_have(rn, m->ref) || cookie_busy(rn, ck))
					break;
			}
			if (rn->skip & (1ULL << m->cls)) {
				hn_msg_free(m);
				rn->have_next = false;
				i++;
				continue;
			}
			if (rn->nfl && rn->fl_bytes + m->data.len > rn->wbytes)
				break;
			/* no reply to wait for: sent into an idle socket, so
			 * that none is dropped (each must count as malformed) */
			if (m->expect == HX_NOREPLY && rn->nfl)
				break;
			send_hostile(rn, i, m);
			rn->have_next = false;
			i++;
		}
		pump(rn, 20);
	}
}

/* ---- setup and checks ---- */

/* The port and address of each m= line of @sdp. */
static int sdp_ports(const char *sdp, size_t n, char addr[][48],
		     uint16_t *port, int max)
{
	char sess[48] = "", line[512];
	int k = -1;
	size_t pos = 0;

	while (pos < n) {
		const char *e = memchr(sdp + pos, '\n', n - pos);
		size_t ll = e ? (size_t)(e - sdp - pos) : n - pos;
		unsigned int pt;
		char a[48];

		if (ll >= sizeof(line))
			ll = sizeof(line) - 1;
		memcpy(line, sdp + pos, ll);
		line[ll] = '\0';
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = '\0';
		pos += (e ? (size_t)(e - sdp - pos) + 1 : n - pos);
		if (sscanf(line, "c=IN IP4 %47s", a) == 1) {
			if (k < 0)
				snprintf(sess, sizeof(sess), "%s", a);
			else if (k < max)
				snprintf(addr[k], 48, "%s", a);
		} else if (sscanf(line, "m=%*s %u ", &pt) == 1) {
			k++;
			if (k < max) {
				port[k] = (uint16_t)pt;
				snprintf(addr[k], 48, "%s", sess);
			}
		}
	}
	return k + 1;
}

/* Offer and answer of established call @c; cookies start with @ck. */
static int setup_call(struct run *rn, int c, const char *ckp)
{
	struct bn_buf req = { 0 }, rep = { 0 };
	char ck[32], aa[HN_MAX_MEDIA][48], ab[HN_MAX_MEDIA][48];
	uint16_t pa[HN_MAX_MEDIA], pb[HN_MAX_MEDIA];
	const struct hn_call *call = &rn->calls[c];
	int m, ret = 0;

	for (m = 0; m < 2 && !ret; m++) {
		const struct bn *sdp;
		struct reply r;

		snprintf(ck, sizeof(ck), "%s%d%c", ckp, c, m ? 'a' : 'o');
		req.len = 0;
		if (m)
			hn_setup_answer(&req, ck, &rn->net, call);
		else
			hn_setup_offer(&req, ck, &rn->net, call);
		if (sync_req(rn, &req, ck, &rep) ||
		    reply_parse(rep.data, rep.len, &r)) {
			printf("# setup %s of call %d: no reply\n",
			       m ? "answer" : "offer", c);
			ret = -1;
			break;
		}
		sdp = dget(r.root, "sdp");
		if (strcmp(r.result, "ok") || !sdp || sdp->type != BN_STR ||
		    sdp_ports(sdp->str, sdp->len, m ? aa : ab, m ? pa : pb,
			      HN_MAX_MEDIA) != call->nmedia) {
			struct bn_buf e = { 0 };

			hb_escape(&e, rep.data, rep.len, 400);
			printf("# setup %s of call %d: %s\n",
			       m ? "answer" : "offer", c, e.data);
			bn_buf_free(&e);
			ret = -1;
		}
		reply_free(&r);
	}
	for (m = 0; m < call->nmedia && !ret; m++) {
		if (hn_media_target(&rn->md, c, m, aa[m], pa[m], ab[m], pb[m]))
			ret = -1;
		printf("# call %d media %d: offerer %s:%u -> kiced %s:%u,"
		       " answerer %s:%u -> kiced %s:%u\n", c, m,
		       rn->net.peer_a, call->port_a[m], aa[m], pa[m],
		       rn->net.peer_b, call->port_b[m], ab[m], pb[m]);
	}
	if (!ret) {
		/* what the call must stay */
		struct reply r;

		snprintf(ck, sizeof(ck), "%s%dq", ckp, c);
		req.len = 0;
		hn_request(&req, ck, HR_QUERY, call->call_id,
			   strlen(call->call_id), NULL, 0, false);
		if (sync_req(rn, &req, ck, &rep) ||
		    reply_parse(rep.data, rep.len, &r) || strcmp(r.result, "ok"))
			ret = -1;
		else
			fingerprint(r.root, &rn->fp[c]);
		if (r.parsed)
			reply_free(&r);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	rn->dirty[c] = !!ret;
	return ret;
}

static int setup_calls(struct run *rn)
{
	int c;

	for (c = 0; c < HN_CALLS; c++)
		if (setup_call(rn, c, "s"))
			return -1;
	return 0;
}

/* Calls a message changed: delete and set up again, nothing in flight. */
static void restore_calls(struct run *rn)
{
	struct bn_buf req = { 0 }, rep = { 0 };
	char ck[32];
	int c;

	for (c = 0; c < HN_CALLS; c++) {
		if (!(rn->restore & (1u << c)))
			continue;
		snprintf(ck, sizeof(ck), "r%" PRIu64 "d", rn->restores);
		req.len = 0;
		hn_request(&req, ck, HR_DELETE, rn->calls[c].call_id,
			   strlen(rn->calls[c].call_id), NULL, 0, false);
		sync_req(rn, &req, ck, &rep);
		snprintf(ck, sizeof(ck), "r%" PRIu64 "-", rn->restores);
		rn->restores++;
		if (setup_call(rn, c, ck))
			printf("# call %d could not be set up again\n", c);
		else
			printf("# call %d set up again\n", c);
	}
	rn->restore = 0;
	bn_buf_free(&req);
	bn_buf_free(&rep);
}

static bool media_flowing(struct run *rn, uint64_t min)
{
	int c, m, d;

	for (c = 0; c < rn->md.ncalls; c++)
		for (m = 0; m < rn->md.nmedia[c]; m++)
			for (d = 0; d < 2; d++)
				if (rn->md.dir[c][m][d].received < min)
					return false;
	return true;
}

struct kstats {
	int64_t malformed, errors, replays, own, managed, timeout;
};

static int get_stats(struct run *rn, struct kstats *ks, const char *ck)
{
	struct bn_buf req = { 0 }, rep = { 0 };
	const struct bn *st;
	struct reply r;
	int ret = -1;

	hn_request(&req, ck, HR_STATS, NULL, 0, NULL, 0, false);
	if (!sync_req(rn, &req, ck, &rep) && !reply_parse(rep.data, rep.len, &r)) {
		st = dget(r.root, "statistics");
		ks->malformed = dint(dget(st, "control"), "malformed");
		ks->errors = dint(dget(st, "control"), "errors");
		ks->replays = dint(dget(st, "control"), "replays");
		ks->own = dint(dget(st, "currentstatistics"), "sessionsown");
		ks->managed = dint(dget(st, "totalstatistics"),
				   "managedsessions");
		ks->timeout = dint(dget(st, "totalstatistics"),
				   "timeoutsessions");
		ret = st ? 0 : -1;
		reply_free(&r);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return ret;
}

static void rss_phase(struct run *rn, const char *what)
{
	if (what)
		printf("# kiced VmRSS during %s: %ld..%ld kB\n", what,
		       rn->rss_min, rn->rss_max);
	rn->rss_min = -1;
	rn->rss_max = -1;
}

static long read_rss(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The established calls as they were set up: tags, state, endpoints. */
static bool check_calls(struct run *rn)
{
	struct bn_buf req = { 0 }, rep = { 0 };
	bool all = true;
	int c;

	for (c = 0; c < HN_CALLS; c++) {
		const struct hn_call *call = &rn->calls[c];
		const struct bn *media, *it;
		char ck[32];
		struct reply r;
		bool ok = false;
		int m = 0;

		snprintf(ck, sizeof(ck), "zq%d", c);
		req.len = 0;
		hn_request(&req, ck, HR_QUERY, call->call_id,
			   strlen(call->call_id), NULL, 0, false);
		if (sync_req(rn, &req, ck, &rep) ||
		    reply_parse(rep.data, rep.len, &r)) {
			printf("# call %d: no reply to query\n", c);
			all = false;
			continue;
		}
		media = dget(r.root, "media");
		if (!strcmp(r.result, "ok") &&
		    dstr(r.root, "from-tag", call->from_tag) &&
		    dstr(r.root, "to-tag", call->to_tag) &&
		    dstr(r.root, "state", "answered") && media &&
		    media->type == BN_LIST && media->len == (size_t)call->nmedia) {
			ok = true;
			for (it = media->child; it; it = it->next, m++) {
				const struct bn *a = dget(it, "offerer"),
						*b = dget(it, "answerer");
				const struct hn_dir *ab = &rn->md.dir[c][m][0],
						    *ba = &rn->md.dir[c][m][1];

				if (!dstr(a, "remote address", rn->net.peer_a) ||
				    dint(a, "remote port") != call->port_a[m] ||
				    !dstr(b, "remote address", rn->net.peer_b) ||
				    dint(b, "remote port") != call->port_b[m] ||
				    dint(a, "local port") != ntohs(ab->to.sin_port) ||
				    dint(b, "local port") != ntohs(ba->to.sin_port))
					ok = false;
			}
		}
		if (!ok) {
			struct bn_buf e = { 0 };

			hb_escape(&e, rep.data, rep.len, 600);
			printf("# call %d changed: %s\n", c, e.data);
			bn_buf_free(&e);
			all = false;
		}
		reply_free(&r);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return all;
}

/* list: exactly the established call-ids. */
static bool check_list(struct run *rn, size_t *n)
{
	struct bn_buf req = { 0 }, rep = { 0 };
	const struct bn *calls, *it;
	struct reply r;
	bool ok = false;
	int c;

	*n = 0;
	hn_request(&req, "zl", HR_LIST, NULL, 0, NULL, 0, false);
	if (!sync_req(rn, &req, "zl", &rep) && !reply_parse(rep.data, rep.len, &r)) {
		calls = dget(r.root, "calls");
		if (calls && calls->type == BN_LIST) {
			*n = calls->len;
			ok = calls->len == HN_CALLS;
			for (it = calls->child; it && ok; it = it->next) {
				for (c = 0; c < HN_CALLS; c++)
					if (it->type == BN_STR &&
					    it->len == strlen(rn->calls[c].call_id) &&
					    !memcmp(it->str, rn->calls[c].call_id,
						    it->len))
						break;
				ok = c < HN_CALLS;
			}
		}
		if (!ok) {
			struct bn_buf e = { 0 };

			hb_escape(&e, rep.data, rep.len, 600);
			printf("# list: %s\n", e.data);
			bn_buf_free(&e);
		}
		reply_free(&r);
	}
	bn_buf_free(&req);
	bn_buf_free(&rep);
	return ok;
}

static void report_crash(struct run *rn)
{
	unsigned int i, n = rn->last_n < LAST_SENT ? rn->last_n : LAST_SENT;

	for (i = 0; i < n; i++) {
		unsigned int k = (rn->last_n - n + i) % LAST_SENT;
		struct bn_buf b = { 0 };

		hb_escape(&b, rn->last[k].data.data, rn->last[k].data.len, 160);
		printf("#   %" PRIu64 " (%s): %s\n", rn->last[k].index,
		       hn_class_name(rn->last[k].cls),
		       b.data);
		bn_buf_free(&b);
		dump_msg(rn, rn->last[k].index, &rn->last[k].data);
	}
}

static int ng_open(const char *spec)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char host[64];
	unsigned int port;
	int fd, sz = 4 << 20;

	if (sscanf(spec, "%63[^:]:%u", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sin.sin_addr) != 1 || port > 65535)
		return -1;
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int do_run(struct run *rn)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct kstats k0, k1;
	struct bn_buf req = { 0 }, rep = { 0 };
	uint64_t t0, t1, t2, hostile_start, hostile_end;
	long rss_warm = -1, rss_end = -1;
	int c, m, d, i;
	bool media_ok = true, stats_ok = false, ping_ok = false;
	double worst = 100.0;
	size_t nlist = 0;

	rn->ng_fd = ng_open(rn->ng);
	rn->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (rn->ng_fd < 0 || rn->tfd < 0) {
		fprintf(stderr, "hostile_ng: cannot open the ng socket %s\n",
			rn->ng);
		return 2;
	}
	hn_calls_init(rn->calls, rn->seed);
	rn->gen = (struct hn_gen){ rn->seed, &rn->net, rn->calls, HN_CALLS };
	if (hn_media_open(&rn->md, &rn->net, rn->calls, HN_CALLS)) {
		fprintf(stderr, "hostile_ng: cannot open the media sockets\n");
		return 2;
	}
	its.it_interval.tv_nsec = 1000000000L / rn->pps;
	its.it_value = its.it_interval;
	timerfd_settime(rn->tfd, 0, &its, NULL);
	printf("# seed %" PRIu64 ": %" PRIu64 " warm-up and %" PRIu64
	       " hostile messages, %d calls, %d pps each way\n", rn->seed,
	       rn->warmup, rn->count, HN_CALLS, rn->pps);

	t0 = now_ms();
	if (setup_calls(rn)) {
		result(R_SETUP, false, "setup: offer/answer of the established calls failed");
		goto out;
	}
	rn->md.running = true;
	for (i = 0; i < 200 && !media_flowing(rn, 10) && !rn->dead; i++)
		pump(rn, 10);
	result(R_SETUP, media_flowing(rn, 10),
	       "setup: %d calls established through kiced, RTP flowing both ways",
	       HN_CALLS);
	if (!results[R_SETUP].ok || get_stats(rn, &k0, "zs0"))
		goto out;
	hn_media_reset(&rn->md);

	rss_phase(rn, NULL);
	hostile_start = wall_ms();
	printf("# hostile phase from %" PRIu64 " ms (epoch)\n", hostile_start);
	run_range(rn, 0, rn->warmup);
	pump_for(rn, 500);
	rss_warm = read_rss(rn->pid);
	rss_phase(rn, "the warm-up");
	t1 = now_ms();
	printf("# warm-up: %" PRIu64 " messages in %.1f s, VmRSS %ld kB\n",
	       rn->warmup, (double)(t1 - t0) / 1000, rss_warm);
	{
		/* in tenths, with kiced's memory after each */
		uint64_t step = rn->count / 10 ? rn->count / 10 : 1, at;

		for (at = 0; at < rn->count && !rn->dead; at += step) {
			uint64_t end = at + step < rn->count ? at + step :
				       rn->count;

			run_range(rn, rn->warmup + at, rn->warmup + end);
			printf("# %" PRIu64 " messages: kiced VmRSS %ld kB"
			       " (%ld..%ld)\n", rn->warmup + end,
			       read_rss(rn->pid), rn->rss_min, rn->rss_max);
			rss_phase(rn, NULL);
		}
	}
	t2 = now_ms();
	hostile_end = wall_ms();
	printf("# hostile: %" PRIu64 " messages in %.1f s (%.0f/s), %" PRIu64
	       " retransmissions, slowest reply %" PRIu64 " ms\n", rn->count,
	       (double)(t2 - t1) / 1000,
	       (double)rn->count * 1000 / (double)(t2 - t1 + 1), rn->retrans,
	       rn->max_lat_ms);
	printf("# hostile phase until %" PRIu64 " ms (epoch)\n", hostile_end);
	pump_for(rn, 1000);

	/* kiced after the run */
	alive_check(rn, true);
	if (!rn->dead) {
		struct reply r;

		memset(&r, 0, sizeof(r));
		hn_request(&req, "zp", HR_PING, NULL, 0, NULL, 0, false);
		ping_ok = !sync_req(rn, &req, "zp", &rep) &&
			  !reply_parse(rep.data, rep.len, &r) &&
			  !strcmp(r.result, "pong");
		if (r.parsed)
			reply_free(&r);
		stats_ok = !get_stats(rn, &k1, "zs1");
	}
	if (rn->dead)
		report_crash(rn);
	result(R_ALIVE, !rn->dead && ping_ok,
	       "kiced stayed up through %" PRIu64 " hostile messages%s",
	       rn->sent_total, rn->dead ? " (it died)" :
	       ping_ok ? " and answers ping" : " but does not answer ping");

	for (i = 0; i < hn_class_count(); i++) {
		struct cls_stat *s = &rn->cls[i];

		result(R__FIXED + i, s->fail == 0 && !rn->dead,
		       "%-24s %6" PRIu64 " messages: %" PRIu64
		       " replies as expected, %" PRIu64 " changed a call%s",
		       hn_class_name(i), s->sent, s->pass, s->changed,
		       rn->skip & (1ULL << i) ? " # SKIP --skip" : "");
	}
	if (stats_ok) {
		int64_t mal = k1.malformed - k0.malformed;

		result(R_NOCOOKIE, !rn->unexpected && mal == (int64_t)rn->badcookie,
		       "datagrams without a valid cookie: no reply, counted malformed (%" PRId64
		       " of %" PRIu64 "), %" PRIu64 " unexpected replies", mal,
		       rn->badcookie, rn->unexpected);
		printf("# statistics: errors +%" PRId64 ", replays +%" PRId64
		       "\n", k1.errors - k0.errors, k1.replays - k0.replays);
	}
	printf("# %" PRIu64 " queries after messages naming an established call,"
	       " %" PRIu64 " found it changed\n", rn->verified, rn->changed);
	result(R_EITHER, !rn->either_bad && !rn->dead,
	       "new calls from hostile offers: %" PRIu64 " accepted, %" PRIu64
	       " refused, %" PRIu64 " not found/deleted/absent by their own bytes",
	       rn->either_ok, rn->either_err, rn->either_bad);
	if (stats_ok) {
		bool lok = check_list(rn, &nlist);

		/* managedsessions: the accepted ones and the calls set up again */
		result(R_NOCALLS, lok && k1.own == HN_CALLS &&
		       k1.managed - k0.managed ==
		       (int64_t)(rn->either_ok + rn->restores) &&
		       k1.timeout == k0.timeout,
		       "no call left by hostile messages: sessionsown %" PRId64
		       ", list %zu, managedsessions +%" PRId64 " (%" PRIu64
		       " accepted, %" PRIu64 " set up again), timeoutsessions +%"
		       PRId64, k1.own, nlist, k1.managed - k0.managed,
		       rn->either_ok, rn->restores, k1.timeout - k0.timeout);
		bool same = check_calls(rn);

		result(R_UNCHANGED, same && !rn->changed,
		       "established calls unchanged by every message naming them"
		       " (%" PRIu64 " checked, %" PRIu64 " changed)",
		       rn->verified, rn->changed);
	}

	pump_for(rn, 500);
	rss_end = read_rss(rn->pid);
	result(R_MEMORY, rss_warm > 0 && rss_end > 0 &&
	       rss_end * 10 <= rss_warm * 11,
	       "kiced VmRSS %ld kB after the run, %ld kB after warm-up (limit +10%%)",
	       rss_end, rss_warm);

	rn->md.running = false;
	pump_for(rn, 300);
	for (c = 0; c < HN_CALLS; c++)
		for (m = 0; m < rn->md.nmedia[c]; m++)
			for (d = 0; d < 2; d++) {
				const struct hn_dir *h = &rn->md.dir[c][m][d];
				double pct = h->sent ? 100.0 * (double)h->received /
						       (double)h->sent : 0;

				printf("# call %d (%s) media %d %s: sent %" PRIu64
				       " received %" PRIu64 " (%.2f%%), other %"
				       PRIu64 "\n", c,
				       rn->calls[c].flag ? rn->calls[c].flag :
				       "default", m, d ? "B->A" : "A->B", h->sent,
				       h->received, pct, h->foreign);
				if (pct < worst)
					worst = pct;
				if (!h->sent || h->received * 100 < h->sent * 99)
					media_ok = false;
			}
	result(R_MEDIA, media_ok && !rn->dead,
	       "established calls kept their media both ways (worst %.2f%%, limit 99%%)",
	       worst);
out:
	print_results();
	bn_buf_free(&req);
	bn_buf_free(&rep);
	hn_media_close(&rn->md);
	return 0;
}

static const char usage[] =
"usage: hostile_ng run --seed S --pid PID [--count N] [--warmup W] [--ng ADDR:PORT]\n"
"                  [--pps N] [--window N] [--dump-dir DIR] [--skip CLASS,...]\n"
"       hostile_ng dump --seed S --index I\n"
"       hostile_ng stats --seed S [--count N]\n"
"       hostile_ng checks\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "ng", required_argument, NULL, 'g' },
		{ "pps", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'W' },
		{ "dump-dir", required_argument, NULL, 'd' },
		{ "index", required_argument, NULL, 'i' },
		{ "skip", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run rn;
	const char *cmd = argc > 1 ? argv[1] : "";
	uint64_t index = 0;
	bool have_seed = false;
	int o;

	rn.count = 40000;
	rn.warmup = 5000;
	rn.pps = 50;
	rn.window = 24;
	rn.wbytes = 96 * 1024;
	rn.rto_ms = 1000;
	rn.ng = "198.51.100.1:2223";
	rn.net = (struct hn_net){
		.peer_a = "192.0.2.10",
		.peer_b = "203.0.113.10",
		.other = { "192.0.2.99", "203.0.113.99", "198.51.100.99" },
		.nother = 3,
		.iface = { "int", "ext" },
	};
	if (!strcmp(cmd, "checks")) {
		printf("%d\n", R__FIXED + hn_class_count());
		return 0;
	}
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			rn.seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'p':
			rn.pid = (pid_t)atol(optarg);
			break;
		case 'n':
			rn.count = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			rn.warmup = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			rn.ng = optarg;
			break;
		case 'r':
			rn.pps = atoi(optarg);
			break;
		case 'W':
			rn.window = atoi(optarg);
			break;
		case 'd':
			rn.dump_dir = optarg;
			break;
		case 'i':
			index = strtoull(optarg, NULL, 0);
			break;
		case 'S': {	/* for triage: "--skip reanswer-wrong-tag,..." */
			char *t, *save = NULL;
			int c;

			for (t = strtok_r(optarg, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				for (c = 0; c < hn_class_count(); c++)
					if (!strcmp(t, hn_class_name(c)))
						rn.skip |= 1ULL << c;
			}
			break;
		}
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!have_seed || (strcmp(cmd, "run") && strcmp(cmd, "dump") &&
			   strcmp(cmd, "stats")) ||
	    rn.pps < 1 || rn.pps > 1000 || rn.window < 1 ||
	    rn.window > MAXFL / 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "dump")) {
		struct hn_msg m;

		hn_calls_init(rn.calls, rn.seed);
		rn.gen = (struct hn_gen){ rn.seed, &rn.net, rn.calls, HN_CALLS };
		hn_generate(&rn.gen, index, &m);
		fprintf(stderr, "message %" PRIu64 ": %s, %zu bytes, expected %s\n",
			index, hn_class_name(m.cls), m.data.len,
			hn_expect_name(m.expect));
		fwrite(m.data.data, 1, m.data.len, stdout);
		hn_msg_free(&m);
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		uint64_t n[64] = { 0 }, bytes[64] = { 0 }, max[64] = { 0 };
		struct hn_msg m;
		uint64_t i;
		int c;

		hn_calls_init(rn.calls, rn.seed);
		rn.gen = (struct hn_gen){ rn.seed, &rn.net, rn.calls, HN_CALLS };
		for (i = 0; i < rn.count; i++) {
			hn_generate(&rn.gen, i, &m);
			n[m.cls]++;
			bytes[m.cls] += m.data.len;
			if (m.data.len > max[m.cls])
				max[m.cls] = m.data.len;
			hn_msg_free(&m);
		}
		for (c = 0; c < hn_class_count(); c++)
			printf("%-24s %8" PRIu64 " messages, %8" PRIu64
			       " bytes on average, %6" PRIu64 " at most\n",
			       hn_class_name(c), n[c], n[c] ? bytes[c] / n[c] : 0,
			       max[c]);
		return 0;
	}
	if (rn.pid <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return do_run(&rn);
}
