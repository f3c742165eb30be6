/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Consent freshness (RFC 7675) for the ICE sides of calls a restarted
 * kiced adopted (handover.c): the ICE agent of a side is not carried over,
 * but its local and remote credentials and role are.  With them, the
 * adopted side
 *   - answers the peer's consent checks (STUN Binding requests
 *     authenticated with the local password), so the peer keeps sending;
 *   - sends its own checks (every 5 s, randomised +-20%) to the peer of
 *     every leg it is attached to, authenticated with the remote password;
 *     a leg with no authenticated answer for 30 s loses consent.
 */
#ifndef KICE_KICED_CONSENT_H
#define KICE_KICED_CONSENT_H

#include <stdbool.h>
#include <stdint.h>

#include "kiced/relay_user.h"

#define CONSENT_INTERVAL_MS	5000
#define CONSENT_TIMEOUT_MS	30000

struct consent;

/* NULL on bad credentials or ENOMEM. */
struct consent *consent_new(const char *ufrag, const char *pwd);
void consent_free(struct consent *cs);
/*
 * The peer's credentials and our role: from then on the side runs checks
 * of its own.  0, or -EINVAL (bad credentials) / -ENOMEM.
 */
int consent_set_remote(struct consent *cs, const char *ufrag,
		       const char *pwd, bool controlling);
/*
 * Answer the Binding requests reaching @leg (ICE component @comp: 1 RTP,
 * 2 RTCP) and, once remote credentials are set, check consent to its peer
 * from @now_ms on.  0 or -ENOMEM.
 */
int consent_attach(struct consent *cs, struct relay_leg *leg,
		   unsigned int comp, uint64_t now_ms);
void consent_detach(struct consent *cs, struct relay_leg *leg);
/*
 * Send the checks that are due.  true once, when a leg with a peer went
 * CONSENT_TIMEOUT_MS without an answer: consent is lost, checks stop.
 */
bool consent_tick(struct consent *cs, uint64_t now_ms);
/*
 * @leg (attached) is relayed by a TURN server: @tk (turn_keep.h, owned
 * from then on; freed at detach) keeps the allocation, and the leg's
 * checks, answers and userspace media go through it.  0 or -ENOENT.
 */
struct turn_keep;
int consent_attach_relay(struct consent *cs, struct relay_leg *leg,
			 struct turn_keep *tk);
/* The TURN client of @leg, or NULL. */
const struct turn_keep *consent_relay(const struct consent *cs,
				      const struct relay_leg *leg);
/* The local credentials (to hand them on again). */
void consent_creds(const struct consent *cs, const char **ufrag,
		   const char **pwd);
/* The remote ones and the role; false if there are none. */
bool consent_remote(const struct consent *cs, const char **ufrag,
		    const char **pwd, bool *controlling);
/* Checks answered, checks sent, answers to ours received so far. */
uint64_t consent_answered(const struct consent *cs);
uint64_t consent_sent(const struct consent *cs);
uint64_t consent_confirmed(const struct consent *cs);
bool consent_lost(const struct consent *cs);
/* true once: the first answer to our checks has come (for the log) */
bool consent_first_answer(struct consent *cs);

#endif /* KICE_KICED_CONSENT_H */
