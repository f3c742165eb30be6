// SPDX-License-Identifier: GPL-2.0
/*
 * kice: RTP receive statistics per SSRC (RFC 3550 appendix A.1, A.3, A.8).
 *
 * All functions run under the flow's statistics lock.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include "kice.h"

#define KICE_MAX_DROPOUT	3000
#define KICE_MAX_MISORDER	100
#define KICE_SEQ_MOD		0x10000U
#define KICE_SEQ_NONE		(KICE_SEQ_MOD + 1)

/*
 * Find the state of @ssrc, creating it if there is room.  *changed tells
 * that the leg already had another SSRC, *old the one added last.
 */
struct kice_ssrc *kice_ssrc_find(struct kice_leg_stats *st, u32 ssrc,
				 bool *changed, u32 *old)
{
	struct kice_ssrc *s;
	unsigned int i;

	if (likely(st->nssrc) && st->first.ssrc == ssrc)
		return &st->first;
	for (i = 1; i < st->nssrc; i++)
		if (st->more[i - 1].ssrc == ssrc)
			return &st->more[i - 1];
	if (st->nssrc == KICE_MAX_SSRC)
		return NULL;
	if (st->nssrc == 1 && !st->more) {
		st->more = kcalloc(KICE_MAX_SSRC - 1, sizeof(*st->more),
				   GFP_ATOMIC);
		if (!st->more)
			return NULL;
	}
	if (st->nssrc) {
		*changed = true;
		*old = kice_ssrc_at(st, st->nssrc - 1)->ssrc;
	}
	s = kice_ssrc_at(st, st->nssrc++);
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->bad_seq = KICE_SEQ_NONE;
	return s;
}

/* Forget every SSRC of a leg. */
void kice_ssrc_clear(struct kice_leg_stats *st)
{
	kfree(st->more);
	st->more = NULL;
	memset(&st->first, 0, sizeof(st->first));
	st->nssrc = 0;
}

static void kice_seq_init(struct kice_ssrc *s, u16 seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->cycles = 0;
	s->bad_seq = KICE_SEQ_NONE;
	s->received = 1;
	s->window = 1;
}

/* Returns false for a duplicate or a packet of a sequence restart. */
static bool kice_seq_update(struct kice_ssrc *s, u16 seq)
{
	u16 delta = seq - s->max_seq;

	if (!s->packets) {
		kice_seq_init(s, seq);
		return true;
	}
	if (delta == 0) {
		s->dups++;
		return false;
	}
	if (delta < KICE_MAX_DROPOUT) {
		/* in order, possibly with a gap */
		if (seq < s->max_seq)
			s->cycles += KICE_SEQ_MOD;
		s->window = delta >= 64 ? 0 : s->window << delta;
		s->window |= 1;
		s->max_seq = seq;
		s->received++;
		return true;
	}
	if (delta <= KICE_SEQ_MOD - KICE_MAX_MISORDER) {
		/* a big jump: believe it when the next packet follows it */
		if (seq == s->bad_seq) {
			kice_seq_init(s, seq);
			return true;
		}
		s->bad_seq = (seq + 1) & (KICE_SEQ_MOD - 1);
		return false;
	}
	/* late: a duplicate or reordered packet */
	delta = s->max_seq - seq;
	if (delta < 64) {
		if (s->window & BIT_ULL(delta)) {
			s->dups++;
			return false;
		}
		s->window |= BIT_ULL(delta);
	}
	s->reordered++;
	s->received++;
	return true;
}

/* The clock is read only for jitter, i.e. when @rate is known. */
void kice_rtp_update(struct kice_ssrc *s, u16 seq, u32 ts, u8 pt, u32 rate)
{
	bool fresh = kice_seq_update(s, seq);
	u32 arrival, transit;
	s32 d;

	s->packets++;
	if (pt != s->pt)
		s->jitter_valid = false;
	s->pt = pt;
	if (!fresh || !rate)
		return;

	/* RFC 3550 A.8: arrival time and transit in RTP timestamp units */
	arrival = (u32)mul_u64_u32_div(ktime_get_ns(), rate, NSEC_PER_SEC);
	transit = arrival - ts;
	d = transit - s->transit;
	s->transit = transit;
	if (!s->jitter_valid) {
		s->jitter_valid = true;
		return;
	}
	if (d < 0)
		d = -d;
	s->jitter += d - ((s->jitter + 8) >> 4);
}

u64 kice_rtp_expected(const struct kice_ssrc *s)
{
	if (!s->received)
		return 0;
	return (u64)s->cycles + s->max_seq - s->base_seq + 1;
}

u64 kice_rtp_lost(const struct kice_ssrc *s)
{
	u64 expected = kice_rtp_expected(s);

	return expected > s->received ? expected - s->received : 0;
}
