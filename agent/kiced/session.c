// SPDX-License-Identifier: GPL-2.0
/*
 * Session table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiced/consent.h"
#include "kiced/session.h"

static uint32_t session_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h % SESSION_BUCKETS;
}

static char *dupn(const char *s, size_t len)
{
	char *r = malloc(len + 1);

	if (r) {
		memcpy(r, s, len);
		r[len] = '\0';
	}
	return r;
}

void session_table_init(struct session_table *t)
{
	memset(t, 0, sizeof(*t));
}

struct call *session_find(struct session_table *t, const char *call_id,
			  size_t len)
{
	struct call *c;

	for (c = t->buckets[session_hash(call_id, len)]; c; c = c->hnext)
		if (c->call_id_len == len && !memcmp(c->call_id, call_id, len))
			return c;
	return NULL;
}

static bool str_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b && alen == blen && !memcmp(a, b, alen);
}

bool session_is_from(const struct call *c, const char *tag, size_t len)
{
	return str_eq(c->from_tag, c->from_tag_len, tag, len);
}

bool session_is_to(const struct call *c, const char *tag, size_t len)
{
	return str_eq(c->to_tag, c->to_tag_len, tag, len);
}

/* Replace *@dst (of *@dlen bytes) by a copy of @s, or by NULL. */
static int set_str(char **dst, size_t *dlen, const char *s, size_t len)
{
	char *r = NULL;

	if (s) {
		r = dupn(s, len);
		if (!r)
			return -1;
	}
	free(*dst);
	*dst = r;
	*dlen = s ? len : 0;
	return 0;
}

int session_set_to_tag(struct call *c, const char *tag, size_t len)
{
	return set_str(&c->to_tag, &c->to_tag_len, tag, len);
}

int session_set_via_branch(struct call *c, const char *branch, size_t len)
{
	return set_str(&c->via_branch, &c->via_branch_len, branch, len);
}

struct call *session_add(struct session_table *t, const char *call_id,
			 size_t len, const char *from_tag, size_t from_len)
{
	struct call *c = calloc(1, sizeof(*c));
	uint32_t h = session_hash(call_id, len);

	if (!c)
		return NULL;
	c->call_id = dupn(call_id, len);
	c->call_id_len = len;
	c->from_tag = dupn(from_tag, from_len);
	c->from_tag_len = from_len;
	if (!c->call_id || !c->from_tag) {
		free(c->call_id);
		free(c->from_tag);
		free(c);
		return NULL;
	}
	c->created = time(NULL);
	c->last_signal = c->created;
	c->hnext = t->buckets[h];
	t->buckets[h] = c;
	c->prev = t->tail;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
	t->count++;
	return c;
}

void session_clear_ice(struct call *c)
{
	size_t i;
	int s, l;

	for (s = 0; s < 2; s++) {
		media_ice_free(c->ice[s]);
		c->ice[s] = NULL;
		if (!c->consent[s])
			continue;
		for (i = 0; i < c->nmedia; i++)
			for (l = 0; c->media[i].stream && l < 2; l++)
				consent_detach(c->consent[s],
					&c->media[i].stream->side[s].leg[l]);
		consent_free(c->consent[s]);
		c->consent[s] = NULL;
	}
}

void session_clear_media(struct call *c)
{
	size_t i;

	session_clear_ice(c);
	for (i = 0; i < c->nmedia; i++)
		media_stream_free(c->media[i].stream);
	free(c->media);
	c->media = NULL;
	c->nmedia = 0;
}

static const char *const call_warn_what[CALL_WARN__COUNT] = {
	[CALL_WARN_STATE_SIZE]	= "state too large for the fd store",
	[CALL_WARN_USERSPACE]	= "media stays in userspace",
};

void session_media_totals(const struct call *c, struct relay_counters tot[2])
{
	struct media_stats ms;
	size_t i;

	for (i = 0; i < c->nmedia; i++) {
		if (!c->media[i].stream)
			continue;
		media_stream_stats(c->media[i].stream, &ms);
		media_stats_add(tot, &ms);
	}
}

/* What an ending call relayed goes on counting (metrics are totals). */
static void session_add_ended(struct session_table *t, const struct call *c)
{
	session_media_totals(c, t->ended);
}

void session_remove(struct session_table *t, struct call *c)
{
	struct call **pp = &t->buckets[session_hash(c->call_id,
						    c->call_id_len)];
	int i;

	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	t->count--;
	if (t->on_remove)
		t->on_remove(t->on_remove_arg, c);
	session_add_ended(t, c);
	session_clear_media(c);
	for (i = 0; i < CALL_WARN__COUNT; i++)
		if (c->warn[i].count > 1) {
			char who[sizeof(struct klog_str) + 8];

			snprintf(who, sizeof(who), "call %s", KLOG_CALL(c));
			klog_repeats(&c->warn[i], who, call_warn_what[i]);
		}
	free(c->stored);
	free(c->call_id);
	free(c->from_tag);
	free(c->to_tag);
	free(c->via_branch);
	free(c);
}

void session_remove_all(struct session_table *t)
{
	while (t->head)
		session_remove(t, t->head);
}

uint64_t session_last_activity(const struct call *c)
{
	uint64_t last = c->last_activity_ms;
	size_t i;

	for (i = 0; i < c->nmedia; i++) {
		struct media_stats st;

		if (!c->media[i].stream)
			continue;
		media_stream_stats(c->media[i].stream, &st);
		if (st.last_rx_ms > last)
			last = st.last_rx_ms;
	}
	return last;
}

bool session_in_kernel(const struct call *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->nmedia; i++) {
		if (!c->media[i].stream)
			continue;
		if (!c->media[i].stream->offloaded)
			return false;
		n++;
	}
	return n > 0;
}
