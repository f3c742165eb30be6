/* SPDX-License-Identifier: GPL-2.0 */
/* The libnice side of the STUN benchmark, kept apart because libnice's
 * STUN headers use the same names as ours. */
#ifndef KICE_BENCH_LIBNICE_H
#define KICE_BENCH_LIBNICE_H

#include <stddef.h>
#include <stdint.h>

void nice_bench_init(const char *ufrag, const char *password);
/* 0 when stun_agent_validate() says STUN_VALIDATION_SUCCESS */
int nice_bench_validate(const uint8_t *buf, size_t len);

#endif
