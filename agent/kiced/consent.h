/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Consent responder for calls a restarted kiced adopted (handover.c): the
 * ICE agent of a side is not carried over, but its local credentials are,
 * so that the peer's consent checks (RFC 7675: STUN Binding requests every
 * few seconds) keep getting authenticated answers and the peer keeps
 * sending.  It answers checks only; it runs no checks of its own.
 */
#ifndef KICE_KICED_CONSENT_H
#define KICE_KICED_CONSENT_H

#include <stdint.h>

#include "kiced/relay_user.h"

struct consent;

/* NULL on bad credentials or ENOMEM. */
struct consent *consent_new(const char *ufrag, const char *pwd);
void consent_free(struct consent *cs);
/* Answer the Binding requests reaching @leg. */
void consent_attach(struct consent *cs, struct relay_leg *leg);
void consent_detach(struct consent *cs, struct relay_leg *leg);
/* The local credentials (to hand them on again). */
void consent_creds(const struct consent *cs, const char **ufrag,
		   const char **pwd);
/* Checks answered so far. */
uint64_t consent_answered(const struct consent *cs);

#endif /* KICE_KICED_CONSENT_H */
