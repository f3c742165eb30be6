/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay cache for ng replies.  SIP proxies retransmit a request (same
 * cookie) when a reply is lost; like rtpengine, the daemon then sends the
 * cached reply again instead of executing the command twice.  Entries live
 * for a fixed time; when the cache is full the oldest entry is dropped.
 */
#ifndef KICE_CTL_NG_CACHE_H
#define KICE_CTL_NG_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct ng_cache;

struct ng_cache *ng_cache_new(size_t max_entries, uint64_t ttl_ms);
void ng_cache_free(struct ng_cache *c);

/*
 * The key is opaque bytes: the cookie, optionally followed by the sender's
 * address.  Returns the reply and sets *len, or NULL when not cached or
 * expired.
 */
const void *ng_cache_lookup(struct ng_cache *c, const void *key,
			    size_t key_len, uint64_t now_ms, size_t *len);
/* Store a copy of @reply; replaces an entry with the same key. 0 or -1. */
int ng_cache_insert(struct ng_cache *c, const void *key, size_t key_len,
		    const void *reply, size_t len, uint64_t now_ms);
/* Drop expired entries. */
void ng_cache_expire(struct ng_cache *c, uint64_t now_ms);
size_t ng_cache_count(const struct ng_cache *c);

#endif /* KICE_CTL_NG_CACHE_H */
