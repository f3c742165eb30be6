// SPDX-License-Identifier: GPL-2.0
/*
 * Handover of calls and their media sockets from a stopping kiced to the
 * next one, through a holder process (see handover.h).
 *
 * Wire: a SOCK_SEQPACKET Unix socket; the holder sends 'B' messages (the
 * state text, in pieces), 'F' messages (up to HO_FDS_PER_MSG fds each, as
 * SCM_RIGHTS) and one 'E'; the new kiced answers 'K' once it holds them.
 *
 * State text, one record per line, fields separated by spaces and
 * %-escaped:
 *   kiced-handover 1
 *   C call-id from-tag to-tag via-branch state created last-signal ice flags nmedia
 *   I side ufrag pwd          (a side with ICE: its local credentials)
 *   M type proto has-stream relay-flags offloaded flow-rtp flow-rtcp
 *   S side family iface remote-set remote-addr remote-rtp remote-rtcp
 *   L fd-index kernel-id peer-ip peer-port latch latched strict
 * "-" stands for an empty string.  An M with a stream is followed by two
 * S records; an S with a non-zero family by two L records (RTP, RTCP).
 * The I records of a call come before its M records.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kice.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ice/ice.h"
#include "kiced/consent.h"
#include "kiced/handover.h"
#include "kiced/kiced.h"
#include "kiced/log.h"

#define HO_FDS_PER_MSG	128
#define HO_CHUNK	8192
#define HO_MAX_FDS	65536
#define HO_MAX_TEXT	(64u << 20)

/* ------------------------------------------------------------------ */
/* text encoding */

static void ho_put(FILE *f, const char *s)
{
	fputc(' ', f);
	if (!s || !*s) {
		fputc('-', f);
		return;
	}
	if (!strcmp(s, "-")) {		/* "-" alone means empty */
		fputs("%2d", f);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '%' || c >= 0x7f)
			fprintf(f, "%%%02x", c);
		else
			fputc(c, f);
	}
}

/* Decode a field in place; "-" is the empty string. */
static char *ho_dec(char *s)
{
	char *r = s, *w = s;

	if (!strcmp(s, "-")) {
		*s = 0;
		return s;
	}
	while (*r) {
		unsigned int v;

		if (r[0] == '%' && r[1] && r[2] && sscanf(r + 1, "%2x", &v) == 1) {
			*w++ = (char)v;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return s;
}

static void ho_peer(FILE *f, const struct relay_leg *l)
{
	char ip[INET6_ADDRSTRLEN] = "";
	unsigned int port = 0;

	if (l->peer_len && l->peer.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&l->peer;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
	} else if (l->peer_len && l->peer.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&l->peer;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		port = ntohs(sin6->sin6_port);
	}
	ho_put(f, ip);
	fprintf(f, " %u", port);
}

struct ho_fds {
	int *fd;
	size_t n, cap;
};

static int ho_fd_add(struct ho_fds *v, int fd)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		int *p = realloc(v->fd, cap * sizeof(*p));

		if (!p)
			return -1;
		v->fd = p;
		v->cap = cap;
	}
	v->fd[v->n] = fd;
	return (int)v->n++;
}

static int ho_write_state(struct kiced *k, FILE *f, struct ho_fds *fds)
{
	const struct call *c;
	size_t i;
	int s, l;

	fprintf(f, "kiced-handover 1\n");
	for (c = k->calls.head; c; c = c->next) {
		fputc('C', f);
		ho_put(f, c->call_id);
		ho_put(f, c->from_tag);
		ho_put(f, c->to_tag);
		ho_put(f, c->via_branch);
		fprintf(f, " %d %lld %lld %d %u %zu\n", (int)c->state,
			(long long)c->created, (long long)c->last_signal,
			c->ice_mode, c->flags, c->nmedia);
		for (s = 0; s < 2; s++) {
			const char *ufrag = NULL, *pwd = NULL;

			/* consent checks keep coming: answer them after */
			if (c->ice[s])
				ice_agent_local_creds(c->ice[s]->agent, &ufrag,
						      &pwd);
			else if (c->consent[s])
				consent_creds(c->consent[s], &ufrag, &pwd);
			if (!ufrag || !pwd)
				continue;
			fprintf(f, "I %d", s);
			ho_put(f, ufrag);
			ho_put(f, pwd);
			fputc('\n', f);
		}
		for (i = 0; i < c->nmedia; i++) {
			const struct call_media *cm = &c->media[i];
			const struct media_stream *st = cm->stream;

			fputc('M', f);
			ho_put(f, cm->type);
			ho_put(f, cm->proto);
			fprintf(f, " %d %u %d %u %u\n", !!st,
				st ? st->relay_flags : 0,
				st ? st->offloaded : 0, st ? st->flow[0] : 0,
				st ? st->flow[1] : 0);
			for (s = 0; st && s < 2; s++) {
				const struct media_endpoint *e = &st->side[s];

				fprintf(f, "S %d %d", s, e->family);
				ho_put(f, e->iface ? e->iface->name : NULL);
				fprintf(f, " %d", e->remote_set);
				ho_put(f, e->remote_set ? e->remote_addr : NULL);
				fprintf(f, " %u %u\n", e->remote_port[0],
					e->remote_port[1]);
				for (l = 0; e->family && l < 2; l++) {
					const struct relay_leg *leg = &e->leg[l];
					int idx = ho_fd_add(fds, leg->fd);

					if (idx < 0)
						return -ENOMEM;
					fprintf(f, "L %d %u", idx,
						leg->kernel_id);
					ho_peer(f, leg);
					fprintf(f, " %d %d %d\n", leg->latch,
						leg->latched, leg->strict);
				}
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* the holder */

static int ho_send_fds(int s, const int *fd, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_FDS_PER_MSG)];
	struct iovec iov = { "F", 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fd, sizeof(int) * n);
	return sendmsg(s, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Serve one kiced: 0 once it acknowledged, -1 to wait for another. */
static int ho_serve(int s, const char *text, size_t len,
		    const struct ho_fds *fds)
{
	struct timeval tv = { 5, 0 };
	char buf[HO_CHUNK + 1], ack;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	size_t off, n;

	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &cl) ||
	    cred.uid != getuid())
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (off = 0; off < len; off += n) {
		n = len - off > HO_CHUNK ? HO_CHUNK : len - off;
		buf[0] = 'B';
		memcpy(buf + 1, text + off, n);
		if (send(s, buf, n + 1, MSG_NOSIGNAL) < 0)
			return -1;
	}
	for (off = 0; off < fds->n; off += n) {
		n = fds->n - off > HO_FDS_PER_MSG ? HO_FDS_PER_MSG :
						    fds->n - off;
		if (ho_send_fds(s, fds->fd + off, n))
			return -1;
	}
	if (send(s, "E", 1, MSG_NOSIGNAL) < 0)
		return -1;
	return recv(s, &ack, 1, 0) == 1 && ack == 'K' ? 0 : -1;
}

static bool ho_keep(int fd, int lfd, const struct ho_fds *fds)
{
	size_t i;

	if (fd == lfd)
		return true;
	for (i = 0; i < fds->n; i++)
		if (fds->fd[i] == fd)
			return true;
	return false;
}

static void __attribute__((noreturn))
ho_holder(int lfd, const char *path, const char *text, size_t len,
	  const struct ho_fds *fds, unsigned int wait_s)
{
	sigset_t all;
	DIR *d;
	int nul;

	/* keep the media sockets and the listener, nothing else */
	d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *de;
		int dfd = dirfd(d);

		while ((de = readdir(d))) {
			int fd = atoi(de->d_name);

			if (de->d_name[0] != '.' && fd != dfd &&
			    !ho_keep(fd, lfd, fds))
				close(fd);
		}
		closedir(d);
	}
	nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	setsid();
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	alarm(wait_s);		/* the deadline, whatever happens below */
	for (;;) {
		struct pollfd p = { lfd, POLLIN, 0 };
		int s;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue;
		if (!ho_serve(s, text, len, fds)) {
			close(s);
			break;
		}
		close(s);
	}
	unlink(path);
	_exit(0);
}

static int ho_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0600) || listen(fd, 4)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int handover_save(struct kiced *k)
{
	struct ho_fds fds = { 0 };
	char *text = NULL;
	size_t len = 0, i;
	struct call *c;
	FILE *f;
	pid_t pid;
	int lfd, err, n = 0;

	f = open_memstream(&text, &len);
	if (!f)
		return -errno;
	err = ho_write_state(k, f, &fds);
	if (fclose(f) && !err)
		err = -EIO;
	if (err)
		goto out;
	lfd = ho_listen(k->cfg.handover);
	if (lfd < 0) {
		err = lfd;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(lfd);
		unlink(k->cfg.handover);
		goto out;
	}
	if (!pid)
		ho_holder(lfd, k->cfg.handover, text, len, &fds,
			  k->cfg.handover_wait);
	close(lfd);
	/* the flows are the holder's (then the next kiced's) now */
	for (c = k->calls.head; c; c = c->next, n++)
		for (i = 0; i < c->nmedia; i++)
			if (c->media[i].stream)
				media_stream_forget(c->media[i].stream);
	klog_notice("handed %d calls and %zu sockets to holder %ld (%s, %u s)",
		    n, fds.n, (long)pid, k->cfg.handover,
		    k->cfg.handover_wait);
	err = n;
out:
	free(text);
	free(fds.fd);
	return err;
}

/* ------------------------------------------------------------------ */
/* the next kiced */

struct ho_in {
	char *text;
	size_t len, cap;
	struct ho_fds fds;
};

static int ho_recv(int s, struct ho_in *in)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_FDS_PER_MSG)];
	char buf[HO_CHUNK + 1];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	ssize_t n;
	size_t j, nfd;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 ? -errno : -ECONNRESET;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < nfd; j++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + j * sizeof(int),
			       sizeof(fd));
			if (in->fds.n >= HO_MAX_FDS ||
			    ho_fd_add(&in->fds, fd) < 0)
				close(fd);
		}
	}
	if (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
		return -EMSGSIZE;
	if (buf[0] == 'E')
		return 1;
	if (buf[0] == 'B') {
		size_t add = (size_t)n - 1;

		if (in->len + add + 1 > HO_MAX_TEXT)
			return -EFBIG;
		if (in->len + add + 1 > in->cap) {
			size_t cap = (in->len + add + 1) * 2;
			char *p = realloc(in->text, cap);

			if (!p)
				return -ENOMEM;
			in->text = p;
			in->cap = cap;
		}
		memcpy(in->text + in->len, buf + 1, add);
		in->len += add;
		in->text[in->len] = 0;
	}
	return 0;
}

/* Kernel flows, to check that the handed-over ones still exist. */
struct ho_kflows {
	struct knl_flow_info *f;
	size_t n, cap;
};

static int ho_kflow_add(const struct knl_flow_info *f, void *arg)
{
	struct ho_kflows *v = arg;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct knl_flow_info *p = realloc(v->f, cap * sizeof(*p));

		if (!p)
			return -1;
		v->f = p;
		v->cap = cap;
	}
	v->f[v->n++] = *f;
	return 0;
}

static bool ho_kflow_ok(const struct ho_kflows *v, uint32_t id,
			uint32_t sock_a, uint32_t sock_b)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->f[i].id == id)
			return v->f[i].leg[0].sock == sock_a &&
			       v->f[i].leg[1].sock == sock_b;
	return false;
}

static int ho_fields(char *line, char **tok, int max)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " ", &save); t && n < max;
	     t = strtok_r(NULL, " ", &save))
		tok[n++] = ho_dec(t);
	return n;
}

static int ho_fd_take(struct ho_in *in, const char *idx)
{
	long i = strtol(idx, NULL, 10);
	int fd;

	if (i < 0 || (size_t)i >= in->fds.n || in->fds.fd[i] < 0)
		return -1;
	fd = in->fds.fd[i];
	in->fds.fd[i] = -1;
	return fd;
}

static void ho_set_peer(struct relay_leg *leg, const char *ip,
			const char *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	uint16_t p = (uint16_t)strtoul(port, NULL, 10);

	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		relay_leg_set_peer(leg, (struct sockaddr *)sin, sizeof(*sin));
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		relay_leg_set_peer(leg, (struct sockaddr *)sin6,
				   sizeof(*sin6));
	}
}

/* Give a handed-over stream its kernel flows back, or reinstall them. */
static void ho_stream_kernel(struct kiced *k, struct media_stream *st,
			     bool offloaded, const uint32_t flow[2],
			     const struct ho_kflows *kf, const char *cid)
{
	struct knl *nl = k->media.kernel;
	struct relay_leg *l[4];
	int c;

	for (c = 0; c < 4; c++)
		l[c] = &st->side[c / 2].leg[c % 2];
	if (!nl) {
		/* no kernel (any more): userspace; attachments are moot */
		for (c = 0; c < 4; c++)
			l[c]->kernel_id = 0;
		return;
	}
	if (offloaded && l[0]->fd >= 0 && l[2]->fd >= 0 &&
	    ho_kflow_ok(kf, flow[0], l[0]->kernel_id, l[2]->kernel_id) &&
	    ho_kflow_ok(kf, flow[1], l[1]->kernel_id, l[3]->kernel_id)) {
		media_stream_adopt_flows(st, flow);
		klog_info("call %s: adopted kernel flows %u and %u", cid,
			  flow[0], flow[1]);
		return;
	}
	/* a flow is gone: no half left behind, then install anew */
	if (offloaded) {
		knl_flow_del(nl, flow[0]);
		knl_flow_del(nl, flow[1]);
	}
	for (c = 0; c < 4; c++) {
		if (l[c]->kernel_id && l[c]->fd >= 0)
			knl_sock_detach(nl, l[c]->kernel_id);
		l[c]->kernel_id = 0;
	}
	if (offloaded && !media_stream_offload(st))
		klog_info("call %s: kernel flows reinstalled", cid);
}

/* What the L records of one side said, until both are in. */
struct ho_side_in {
	int family;
	char iface[32];
	int n;
	int fd[2];
	uint32_t kid[2];
	char ip[2][INET6_ADDRSTRLEN];
	char port[2][8];
	int flag[2][3];		/* latch, latched, strict */
};

static void ho_side_open(struct media_stream *st, int side,
			 struct ho_side_in *si, const struct kiced *k,
			 struct call *call)
{
	const char *cid = call->call_id;
	struct media_endpoint *e = &st->side[side];
	const struct kiced_iface *ifc = NULL;
	int c, err;

	if (*si->iface)
		ifc = config_iface(&k->cfg, si->iface, strlen(si->iface));
	if (si->fd[0] < 0 || si->fd[1] < 0) {
		for (c = 0; c < 2; c++)
			if (si->fd[c] >= 0)
				close(si->fd[c]);
		err = -EBADF;
	} else {
		err = media_side_adopt(st, side, si->family, ifc, si->fd);
	}
	si->fd[0] = si->fd[1] = -1;
	if (err) {
		klog_warn("call %s: side %c lost: %s", cid, side ? 'B' : 'A',
			  strerror(-err));
		e->remote_set = false;
		return;
	}
	for (c = 0; c < 2; c++) {
		struct relay_leg *leg = &e->leg[c];

		if (*si->ip[c])
			ho_set_peer(leg, si->ip[c], si->port[c]);
		leg->kernel_id = si->kid[c];
		leg->latch = si->flag[c][0];
		leg->latched = si->flag[c][1];
		leg->strict = si->flag[c][2];
		if (call->consent[side])
			consent_attach(call->consent[side], leg);
	}
}

/* Parse and rebuild.  Calls adopted, or -errno. */
static int ho_rebuild(struct kiced *k, struct ho_in *in,
		      const struct ho_kflows *kf)
{
	char *save = NULL, *line, *tok[16];
	struct ho_side_in si = { .fd = { -1, -1 } };
	struct media_stream *st = NULL;
	struct call *c = NULL;
	uint32_t flow[2] = { 0, 0 };
	bool offloaded = false;
	int n, side = -1, adopted = 0;
	size_t nm = 0;

	line = strtok_r(in->text, "\n", &save);
	if (!line || strcmp(line, "kiced-handover 1"))
		return -EPROTO;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char kind = line[0];

		n = ho_fields(line + 1, tok, 16);
		if (kind == 'C' && n == 10) {
			st = NULL;
			c = NULL;
			if (session_find(&k->calls, tok[0], strlen(tok[0])))
				continue;
			nm = strtoul(tok[9], NULL, 10);
			if (nm > 64)
				continue;
			c = session_add(&k->calls, tok[0], strlen(tok[0]),
					tok[1], strlen(tok[1]));
			if (!c)
				return -ENOMEM;
			c->to_tag = *tok[2] ? strdup(tok[2]) : NULL;
			c->via_branch = *tok[3] ? strdup(tok[3]) : NULL;
			c->state = atoi(tok[4]) == CALL_ANSWERED ?
				   CALL_ANSWERED : CALL_OFFERED;
			c->created = (time_t)atoll(tok[5]);
			c->last_signal = (time_t)atoll(tok[6]);
			c->ice_mode = atoi(tok[7]);
			c->flags = (uint32_t)strtoul(tok[8], NULL, 10);
			c->last_activity_ms = loop_now_ms();
			c->media = nm ? calloc(nm, sizeof(*c->media)) : NULL;
			if (nm && !c->media) {
				session_remove(&k->calls, c);
				c = NULL;
				continue;
			}
			adopted++;
		} else if (kind == 'I' && n == 3 && c && !c->nmedia) {
			int sd = atoi(tok[0]) ? MEDIA_SIDE_B : MEDIA_SIDE_A;

			if (!c->consent[sd])
				c->consent[sd] = consent_new(tok[1], tok[2]);
		} else if (kind == 'M' && n == 7 && c && c->nmedia < nm) {
			struct call_media *cm = &c->media[c->nmedia++];

			snprintf(cm->type, sizeof(cm->type), "%s", tok[0]);
			snprintf(cm->proto, sizeof(cm->proto), "%s", tok[1]);
			st = NULL;
			if (atoi(tok[2]))
				st = cm->stream = media_stream_new(&k->media,
					(uint32_t)strtoul(tok[3], NULL, 10));
			offloaded = atoi(tok[4]);
			flow[0] = (uint32_t)strtoul(tok[5], NULL, 10);
			flow[1] = (uint32_t)strtoul(tok[6], NULL, 10);
		} else if (kind == 'S' && n == 7 && st) {
			struct media_endpoint *e;

			side = atoi(tok[0]) ? MEDIA_SIDE_B : MEDIA_SIDE_A;
			e = &st->side[side];
			memset(&si, 0, sizeof(si));
			si.fd[0] = si.fd[1] = -1;
			si.family = atoi(tok[1]);
			snprintf(si.iface, sizeof(si.iface), "%s", tok[2]);
			e->remote_set = atoi(tok[3]);
			snprintf(e->remote_addr, sizeof(e->remote_addr), "%s",
				 tok[4]);
			e->remote_port[0] = (uint16_t)strtoul(tok[5], NULL, 10);
			e->remote_port[1] = (uint16_t)strtoul(tok[6], NULL, 10);
			if (!si.family && side == MEDIA_SIDE_B)
				ho_stream_kernel(k, st, false, flow, kf,
						 c->call_id);
		} else if (kind == 'L' && n == 7 && st && side >= 0 &&
			   si.family && si.n < 2) {
			int l = si.n++;

			si.fd[l] = ho_fd_take(in, tok[0]);
			si.kid[l] = (uint32_t)strtoul(tok[1], NULL, 10);
			snprintf(si.ip[l], sizeof(si.ip[l]), "%s", tok[2]);
			snprintf(si.port[l], sizeof(si.port[l]), "%s", tok[3]);
			si.flag[l][0] = atoi(tok[4]);
			si.flag[l][1] = atoi(tok[5]);
			si.flag[l][2] = atoi(tok[6]);
			if (si.n < 2)
				continue;
			ho_side_open(st, side, &si, k, c);
			if (side == MEDIA_SIDE_B)
				ho_stream_kernel(k, st, offloaded, flow, kf,
						 c->call_id);
		}
	}
	return adopted;
}

int handover_restore(struct kiced *k)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 5, 0 };
	struct ho_kflows kf = { 0 };
	struct ho_in in = { 0 };
	size_t i;
	int s, err;

	if (strlen(k->cfg.handover) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, k->cfg.handover);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno == ENOENT || errno == ECONNREFUSED ? 0 : -errno;
		close(s);
		return err;	/* no holder: nothing to adopt */
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do
		err = ho_recv(s, &in);
	while (!err);
	if (err == 1)
		err = send(s, "K", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
	close(s);
	if (!err && !in.text)
		err = -EPROTO;
	if (!err && !k->cfg.adopt_flows) {
		/* closing the last fds detaches them: kice.ko drops the flows */
		klog_notice("handover: %zu sockets closed, their kernel flows removed (adopt-flows = no)",
			    in.fds.n);
		goto out;
	}
	if (!err && k->media.kernel) {
		err = knl_flow_dump(k->media.kernel, ho_kflow_add, &kf);
		if (err)
			klog_warn("handover: kernel flow dump: %s",
				  strerror(-err));
		err = 0;
	}
	if (!err)
		err = ho_rebuild(k, &in, &kf);
	if (err >= 0)
		klog_notice("handover: %d calls, %zu sockets taken over",
			    err, in.fds.n);
out:
	/* fds no record claimed */
	for (i = 0; i < in.fds.n; i++)
		if (in.fds.fd[i] >= 0)
			close(in.fds.fd[i]);
	free(kf.f);
	free(in.text);
	free(in.fds.fd);
	return err;
}
