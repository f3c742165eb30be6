// SPDX-License-Identifier: GPL-2.0
/*
 * Client transaction timers (RFC 8489 6.2.1, 6.2.2).  Over UDP the request
 * is sent at 0, RTO, 3 RTO, 7 RTO ... up to Rc times, then the client
 * waits Rm * RTO before giving up.  Over TCP/TLS it is sent once and the
 * transaction fails after Ti.  The caller's event loop drives the timer.
 */
#include <string.h>
#include <time.h>

#include "stun/stun.h"

void stun_tx_start(struct stun_tx *t, const struct stun_tx_cfg *cfg,
		   enum stun_transport tr, const uint8_t tid[STUN_TID_LEN],
		   uint64_t now_ms)
{
	static const struct stun_tx_cfg def = STUN_TX_CFG_DEFAULT;
	uint8_t id[STUN_TID_LEN];

	memcpy(id, tid, STUN_TID_LEN);	/* tid may point into *t */
	memset(t, 0, sizeof(*t));
	t->cfg = cfg ? *cfg : def;
	if (!t->cfg.rto_ms)
		t->cfg.rto_ms = def.rto_ms;
	if (!t->cfg.rc)
		t->cfg.rc = def.rc;
	if (!t->cfg.rm)
		t->cfg.rm = def.rm;
	if (!t->cfg.ti_ms)
		t->cfg.ti_ms = def.ti_ms;
	memcpy(t->tid, id, STUN_TID_LEN);
	t->transport = tr;
	t->state = STUN_TX_PENDING;
	t->sent = 1;
	t->rto = t->cfg.rto_ms;
	t->start_ms = now_ms;
	if (tr == STUN_TR_UDP)
		t->deadline_ms = now_ms + (t->cfg.rc == 1 ?
				 (uint64_t)t->cfg.rm * t->rto : t->rto);
	else
		t->deadline_ms = now_ms + t->cfg.ti_ms;
}

enum stun_tx_action stun_tx_tick(struct stun_tx *t, uint64_t now_ms)
{
	if (t->state != STUN_TX_PENDING)
		return STUN_TX_WAIT;
	if (now_ms < t->deadline_ms)
		return STUN_TX_WAIT;
	if (t->transport != STUN_TR_UDP || t->sent >= t->cfg.rc) {
		t->state = STUN_TX_TIMED_OUT;
		return STUN_TX_TIMEOUT;
	}
	t->sent++;
	t->rto *= 2;
	if (t->sent == t->cfg.rc)
		/* last transmission: wait Rm times the initial RTO */
		t->deadline_ms = now_ms + (uint64_t)t->cfg.rm * t->cfg.rto_ms;
	else
		t->deadline_ms = now_ms + t->rto;
	return STUN_TX_RETRANSMIT;
}

int stun_tx_match(struct stun_tx *t, const struct stun_msg *resp)
{
	uint16_t cls = stun_msg_class(resp);

	if (cls != STUN_SUCCESS && cls != STUN_ERROR)
		return STUN_E_NOT_MATCHED;
	if (t->state == STUN_TX_IDLE ||
	    memcmp(t->tid, resp->tid, STUN_TID_LEN))
		return STUN_E_NOT_MATCHED;
	if (t->state != STUN_TX_PENDING)
		return STUN_E_DUPLICATE;
	t->state = STUN_TX_DONE;
	return STUN_OK;
}

void stun_tx_cancel(struct stun_tx *t)
{
	if (t->state == STUN_TX_PENDING)
		t->state = STUN_TX_DONE;
}

uint64_t stun_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
