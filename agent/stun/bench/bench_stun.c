// SPDX-License-Identifier: GPL-2.0
/*
 * stun_validate benchmark: decode + MESSAGE-INTEGRITY + FINGERPRINT check
 * of ICE Binding requests, kice versus libnice's stun_agent_validate on
 * the same messages in the same run.  Prints one line:
 *   stun_validate: kice=X/s libnice=Y/s ratio=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stun/stun.h"
#include "stun/bench/bench_libnice.h"

#define NMSG		64
#define MSGCAP		256
#define ROUNDS		5
#define ROUND_NS	200000000ull	/* 0.2 s per round and library */

static const char ufrag_local[] = "kIcE";
static const char username[] = "kIcE:rEm0";
static const char password[] = "Zr9bIlt1d3T0xWxOm4pA7Q";	/* 22 chars */

static uint8_t msgs[NMSG][MSGCAP];
static size_t lens[NMSG];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ICE Binding requests as a controlling agent sends them (RFC 8445 7.1). */
static void make_msgs(void)
{
	struct stun_key k;
	unsigned int i;

	if (stun_key_short_term(&k, password, strlen(password)))
		exit(1);
	for (i = 0; i < NMSG; i++) {
		struct stun_builder b;
		uint8_t tid[STUN_TID_LEN];
		long n;

		stun_tid_new(tid);
		stun_build_init(&b, msgs[i], MSGCAP,
				stun_type(STUN_BINDING, STUN_REQUEST), tid);
		stun_build_string(&b, STUN_ATTR_USERNAME, username);
		stun_build_u32(&b, STUN_ATTR_PRIORITY, 0x6e0001ffu - i);
		stun_build_u64(&b, STUN_ATTR_ICE_CONTROLLING,
			       0x1122334455667788ull + i);
		if (i & 1)
			stun_build_flag(&b, STUN_ATTR_USE_CANDIDATE);
		stun_build_integrity(&b, &k);
		stun_build_fingerprint(&b);
		n = stun_build_finish(&b);
		if (n < 0) {
			fprintf(stderr, "build: %s\n", stun_strerror((int)n));
			exit(1);
		}
		lens[i] = (size_t)n;
	}
	stun_key_free(&k);
}

static struct stun_key kice_key;

/* What an ICE agent does per request: parse (verifies FINGERPRINT),
 * require FINGERPRINT, look the USERNAME up, verify MESSAGE-INTEGRITY. */
static int kice_validate(const uint8_t *buf, size_t len)
{
	struct stun_msg m;
	const uint8_t *u;
	size_t ulen;

	if (stun_msg_parse(&m, buf, len) || m.fp < 0)
		return -1;
	if (stun_get_bytes(&m, STUN_ATTR_USERNAME, &u, &ulen) ||
	    ulen <= sizeof(ufrag_local) ||
	    memcmp(u, ufrag_local, sizeof(ufrag_local) - 1) ||
	    u[sizeof(ufrag_local) - 1] != ':')
		return -1;
	return stun_msg_verify(&m, &kice_key);
}

static double run(int (*fn)(const uint8_t *, size_t))
{
	uint64_t t0 = now_ns(), t, n = 0;
	unsigned int i;

	do {
		for (i = 0; i < NMSG; i++)
			if (fn(msgs[i], lens[i])) {
				fprintf(stderr, "validation failed\n");
				exit(1);
			}
		n += NMSG;
		t = now_ns();
	} while (t - t0 < ROUND_NS);
	return (double)n * 1e9 / (double)(t - t0);
}

int main(void)
{
	double best_k = 0, best_n = 0, r;
	unsigned int i;

	make_msgs();
	if (stun_key_short_term(&kice_key, password, strlen(password)))
		return 1;
	nice_bench_init(username, password);

	/* interleave rounds so both see the same machine conditions; keep
	 * the best round of each (least disturbed by other load) */
	for (i = 0; i < ROUNDS; i++) {
		r = run(kice_validate);
		if (r > best_k)
			best_k = r;
		r = run(nice_bench_validate);
		if (r > best_n)
			best_n = r;
	}
	printf("stun_validate: kice=%.0f/s libnice=%.0f/s ratio=%.2f\n",
	       best_k, best_n, best_k / best_n);
	stun_key_free(&kice_key);
	return 0;
}
