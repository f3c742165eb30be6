// SPDX-License-Identifier: GPL-2.0
/*
 * ng replay cache: hash table for lookup, FIFO for expiry (all entries
 * share one lifetime, so insertion order is expiry order).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/ng_cache.h"

#define NG_CACHE_BUCKETS 256

struct ng_cache_entry {
	struct ng_cache_entry *hnext;	/* hash chain */
	struct ng_cache_entry *qnext;	/* FIFO, oldest first */
	struct ng_cache_entry *qprev;
	uint64_t expires;
	uint32_t hash;
	size_t key_len;
	size_t len;
	char *reply;
	char key[];
};

struct ng_cache {
	struct ng_cache_entry *buckets[NG_CACHE_BUCKETS];
	struct ng_cache_entry *head, *tail;
	size_t count, max;
	uint64_t ttl;
};

static uint32_t ng_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (len--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

struct ng_cache *ng_cache_new(size_t max_entries, uint64_t ttl_ms)
{
	struct ng_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max_entries ? max_entries : 1;
	c->ttl = ttl_ms;
	return c;
}

static void ng_cache_unlink(struct ng_cache *c, struct ng_cache_entry *e)
{
	struct ng_cache_entry **pp = &c->buckets[e->hash % NG_CACHE_BUCKETS];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->qprev)
		e->qprev->qnext = e->qnext;
	else
		c->head = e->qnext;
	if (e->qnext)
		e->qnext->qprev = e->qprev;
	else
		c->tail = e->qprev;
	c->count--;
	free(e->reply);
	free(e);
}

void ng_cache_free(struct ng_cache *c)
{
	if (!c)
		return;
	while (c->head)
		ng_cache_unlink(c, c->head);
	free(c);
}

static struct ng_cache_entry *ng_cache_find(struct ng_cache *c,
					    const void *key, size_t key_len,
					    uint32_t h)
{
	struct ng_cache_entry *e;

	for (e = c->buckets[h % NG_CACHE_BUCKETS]; e; e = e->hnext)
		if (e->hash == h && e->key_len == key_len &&
		    !memcmp(e->key, key, key_len))
			return e;
	return NULL;
}

void ng_cache_expire(struct ng_cache *c, uint64_t now_ms)
{
	while (c->head && c->head->expires <= now_ms)
		ng_cache_unlink(c, c->head);
}

const void *ng_cache_lookup(struct ng_cache *c, const void *key,
			    size_t key_len, uint64_t now_ms, size_t *len)
{
	struct ng_cache_entry *e;

	ng_cache_expire(c, now_ms);
	e = ng_cache_find(c, key, key_len, ng_hash(key, key_len));
	if (!e)
		return NULL;
	*len = e->len;
	return e->reply;
}

int ng_cache_insert(struct ng_cache *c, const void *key, size_t key_len,
		    const void *reply, size_t len, uint64_t now_ms)
{
	uint32_t h = ng_hash(key, key_len);
	struct ng_cache_entry *e;

	ng_cache_expire(c, now_ms);
	e = ng_cache_find(c, key, key_len, h);
	if (e)
		ng_cache_unlink(c, e);
	while (c->count >= c->max)
		ng_cache_unlink(c, c->head);

	e = malloc(sizeof(*e) + key_len);
	if (!e)
		return -1;
	e->reply = malloc(len ? len : 1);
	if (!e->reply) {
		free(e);
		return -1;
	}
	memcpy(e->reply, reply, len);
	memcpy(e->key, key, key_len);
	e->key_len = key_len;
	e->len = len;
	e->hash = h;
	e->expires = now_ms + c->ttl;
	e->hnext = c->buckets[h % NG_CACHE_BUCKETS];
	c->buckets[h % NG_CACHE_BUCKETS] = e;
	e->qnext = NULL;
	e->qprev = c->tail;
	if (c->tail)
		c->tail->qnext = e;
	else
		c->head = e;
	c->tail = e;
	c->count++;
	return 0;
}

size_t ng_cache_count(const struct ng_cache *c)
{
	return c->count;
}
