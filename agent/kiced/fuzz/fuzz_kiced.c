// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the daemon's whole command path, in-process.  The
 * input is a script of ng request bodies (bencode or JSON) separated by
 * NUL bytes, each sent with a fresh cookie to one daemon instance (so an
 * offer can be followed by an answer, query and delete of the same call).  Every request must
 * get a well-formed reply carrying its cookie; afterwards every call is
 * deleted and no media port may stay open.
 *
 * ICE agents send connectivity checks to whatever candidates the input
 * names, so the target first moves into a network namespace of its own
 * (only a loopback device); where that is not permitted ICE is disabled.
 */
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/bn_json.h"
#include "kiced/kiced.h"
#include "kiced/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private network namespace with "lo" up; false when not allowed. */
static bool fuzz_isolate(void)
{
	struct ifreq ifr = { 0 };
	int fd, ok;

	if (unshare(CLONE_NEWNET))
		return false;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return false;
	strcpy(ifr.ifr_name, "lo");
	ok = !ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ok = ok && !ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return ok;
}

static struct kiced *fuzz_daemon(void)
{
	static struct kiced *k;

	if (k)
		return k;
	k = calloc(1, sizeof(*k));
	if (!k)
		abort();
	config_defaults(&k->cfg);
	k->cfg.port_min = 47000;
	k->cfg.port_max = 47999;
	k->cfg.max_sessions = 8;
	k->cfg.ice = fuzz_isolate();
	if (!k->cfg.ice)
		fprintf(stderr, "fuzz_kiced: no private netns, ICE off\n");
	klog_init(KLOG_OFF, false);
	if (loop_init(&k->loop, 1000, kiced_tick, k))
		abort();
	session_table_init(&k->calls);
	media_env_init(&k->media, &k->loop, &k->cfg, NULL);
	k->cache = ng_cache_new(64, 30000);
	if (!k->cache)
		abort();
	k->started_ms = loop_now_ms();
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long seq;
	struct kiced *k = fuzz_daemon();
	const char src[] = "fuzz";
	size_t pos = 0;
	int n = 0;

	while (pos <= size && n++ < 16) {
		const uint8_t *end = memchr(data + pos, 0, size - pos);
		size_t len = end ? (size_t)(end - data - pos) : size - pos;
		char cookie[32], *msg;
		int clen = snprintf(cookie, sizeof(cookie), "f%lu", seq++);
		struct ng_str ck, body;
		struct bn_doc doc;
		struct bn_buf reply;

		msg = malloc((size_t)clen + 1 + len);
		if (!msg)
			abort();
		memcpy(msg, cookie, (size_t)clen);
		msg[clen] = ' ';
		memcpy(msg + clen + 1, data + pos, len);
		bn_buf_init(&reply);
		if (kiced_process(k, msg, (size_t)clen + 1 + len, src,
				  sizeof(src), &reply))
			abort();	/* cookie is valid: must reply */
		/* a JSON request gets a JSON reply */
		if (ng_split(reply.data, reply.len, &ck, &body) ||
		    ck.len != (size_t)clen || memcmp(ck.p, cookie, ck.len) ||
		    (body.len && body.p[0] == '{' ?
		     bn_json_decode(&doc, body.p, body.len) != BJ_OK :
		     bn_decode(&doc, body.p, body.len) != BN_OK))
			abort();
		if (!bn_dict_get(doc.root, "result"))
			abort();
		bn_doc_free(&doc);
		bn_buf_free(&reply);
		free(msg);
		pos += len + 1;
	}
	session_remove_all(&k->calls);
	loop_flush_deferred(&k->loop);
	if (k->media.open_ports)
		abort();
	return 0;
}
