// SPDX-License-Identifier: GPL-2.0
/*
 * The fd store and the handover of calls and their media sockets to the
 * next kiced, through a holder process (see handover.h).
 *
 * kiced -> holder: a SOCK_SEQPACKET socketpair; 'P' pid (holder, once),
 * 'U' call state text with the call's sockets (SCM_RIGHTS, up to
 * HO_FDS_PER_MSG; 'G' messages carry more), 'D' escaped call-id (the call
 * ended), 'Q' (release everything and exit).  End of file without 'Q':
 * kiced is gone, the holder waits for the next one.
 *
 * holder -> next kiced: a SOCK_SEQPACKET Unix socket at handover-socket;
 * the holder sends 'B' messages (the state text, in pieces), 'F' messages
 * (up to HO_FDS_PER_MSG fds each, as SCM_RIGHTS) and one 'E'; the new
 * kiced answers 'K' once it holds them.  To a kiced that connects while
 * the holder's own kiced runs it sends 'N'.
 *
 * State text, one record per line, fields separated by spaces and
 * %-escaped:
 *   kiced-handover 2
 *   X fd-base                 (the fds of the next call start here)
 *   C call-id from-tag to-tag via-branch state created last-signal ice flags nmedia
 *   I side ufrag pwd remote-ufrag remote-pwd controlling
 *                             (a side with ICE: credentials and role)
 *   M type proto has-stream relay-flags offloaded flow-rtp flow-rtcp
 *   S side family iface remote-set remote-addr remote-rtp remote-rtcp rtcp
 *                             (rtcp: 0 own port, 1 on the RTP port, 2 none)
 *   T leg server-ip server-port transport user relayed-ip relayed-port
 *     lifetime expire-ms channel peer-ip peer-port perm-expire-ms
 *     chan-expire-ms          (a leg relayed by TURN: see turn_keep.h)
 *   L fd-index kernel-id peer-ip peer-port latch latched strict local-port
 * "-" stands for an empty string.  An M with a stream is followed by two
 * S records; an S with a non-zero family by up to two T records and two
 * L records (RTP, RTCP).
 * The I records of a call come before its M records.  fd-index counts
 * from the call's fd-base.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ice/ice.h"
#include "kiced/consent.h"
#include "kiced/handover.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/turn_keep.h"

#define HO_FDS_PER_MSG	128
#define HO_CHUNK	8192
#define HO_MAX_FDS	65536
#define HO_MAX_TEXT	(64u << 20)
#define HO_MSG_MAX	65536		/* one call's state text */
#define HO_RETRY_MS	5000		/* a failed store is started again */

/* kiced's end of the fd store */
struct ho_store {
	int fd;
	long pid;
};

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

/* Room for one more of @size bytes in *@arr (@n used of *@cap): 0 or -1. */
static int ho_grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void **pa = arr, *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*pa, c * size);
	if (!p)
		return -1;
	*pa = p;
	*cap = c;
	return 0;
}

static int ho_fd_add(struct ho_fds *v, int fd)
{
	if (ho_grow(&v->fd, &v->cap, v->n, sizeof(*v->fd)))
		return -1;
	v->fd[v->n] = fd;
	return (int)v->n++;
}

/*
 * The TURN state of @side's leg @l of @st, if the leg is relayed through a
 * bound channel: from the side's ICE agent, or from the TURN client an
 * adopted side restored.  0 or -ENOENT.
 */
static int ho_turn_state(const struct call *c, int side,
			 const struct media_stream *st, int l,
			 const char *turn_user, struct turn_keep_rec *rec)
{
	const struct relay_leg *leg = &st->side[side].leg[l];
	const struct turn_keep *tk;
	unsigned int i;

	memset(rec, 0, sizeof(*rec));
	rec->leg = l;
	if (c->ice[side]) {
		const struct media_ice *mi = c->ice[side];

		if (!leg->turn.ss_family || !turn_user ||
		    strlen(turn_user) >= sizeof(rec->user))
			return -ENOENT;
		for (i = 0; i < mi->nstreams; i++)
			if (mi->streams[i] == st)
				break;
		/* the channel the kernel uses: to the leg's peer */
		if (i == mi->nstreams || !leg->peer_len ||
		    ice_agent_relay_save(mi->agent, i, (unsigned int)l + 1,
					 (const struct sockaddr *)&leg->peer,
					 &rec->r))
			return -ENOENT;
		rec->server = leg->turn;
		strcpy(rec->user, turn_user);
		return 0;
	}
	tk = c->consent[side] ? consent_relay(c->consent[side], leg) : NULL;
	if (!tk || turn_keep_save(tk, rec))
		return -ENOENT;
	rec->leg = l;
	return 0;
}

static void ho_write_turn(FILE *f, const struct turn_keep_rec *rec)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned int port;

	fprintf(f, "T %d", rec->leg);
	turn_keep_addr_str(&rec->server, ip, sizeof(ip), &port);
	ho_put(f, ip);
	fprintf(f, " %u udp", port);
	ho_put(f, rec->user);
	turn_keep_addr_str(&rec->r.relayed, ip, sizeof(ip), &port);
	ho_put(f, ip);
	fprintf(f, " %u %u %llu %u", port, rec->r.lifetime,
		(unsigned long long)rec->r.expire_ms, rec->r.channel);
	turn_keep_addr_str(&rec->r.peer, ip, sizeof(ip), &port);
	ho_put(f, ip);
	fprintf(f, " %u %llu %llu\n", port,
		(unsigned long long)rec->r.perm_expire_ms,
		(unsigned long long)rec->r.chan_expire_ms);
}

/* One call's records; its sockets are appended to @fds, indices from 0. */
static int ho_write_call(const struct call *c, FILE *f, struct ho_fds *fds,
			 const char *turn_user)
{
	size_t i;
	int s, l;

	fputc('C', f);
	ho_put(f, c->call_id);
	ho_put(f, c->from_tag);
	ho_put(f, c->to_tag);
	ho_put(f, c->via_branch);
	/* the state's second byte: the side of the latest offer */
	fprintf(f, " %d %lld %lld %d %u %zu\n",
		(int)c->state | (int)c->offerer << 8,
		(long long)c->created, (long long)c->last_signal, c->ice_mode,
		c->flags, c->nmedia);
	for (s = 0; s < 2; s++) {
		const char *ufrag = NULL, *pwd = NULL, *ru = NULL, *rp = NULL;
		bool ctl = false;

		/* consent goes on after: answer the peer's checks, run ours */
		if (c->ice[s]) {
			ice_agent_local_creds(c->ice[s]->agent, &ufrag, &pwd);
			ru = ice_agent_remote_ufrag(c->ice[s]->agent);
			rp = ice_agent_remote_pwd(c->ice[s]->agent);
			ctl = ice_agent_controlling(c->ice[s]->agent);
		} else if (c->consent[s]) {
			consent_creds(c->consent[s], &ufrag, &pwd);
			consent_remote(c->consent[s], &ru, &rp, &ctl);
		}
		if (!ufrag || !pwd)
			continue;
		fprintf(f, "I %d", s);
		ho_put(f, ufrag);
		ho_put(f, pwd);
		ho_put(f, ru);
		ho_put(f, rp);
		fprintf(f, " %d\n", ctl);
	}
	for (i = 0; i < c->nmedia; i++) {
		const struct call_media *cm = &c->media[i];
		const struct media_stream *st = cm->stream;

		fputc('M', f);
		ho_put(f, cm->type);
		ho_put(f, cm->proto);
		fprintf(f, " %d %u %d %u %u %u\n", !!st,
			st ? st->relay_flags : 0, st ? st->offloaded : 0,
			st ? st->flow[0] : 0, st ? st->flow[1] : 0,
			cm->mux_offered_a | cm->mux_must_a << 1 |
			cm->mux_offered_b << 2 | cm->mux_required_b << 3);
		for (s = 0; st && s < 2; s++) {
			const struct media_endpoint *e = &st->side[s];

			fprintf(f, "S %d %d", s, e->family);
			ho_put(f, e->iface ? e->iface->name : NULL);
			fprintf(f, " %d", e->remote_set);
			ho_put(f, e->remote_set ? e->remote_addr : NULL);
			fprintf(f, " %u %u %d\n", e->remote_port[0],
				e->remote_port[1], e->mux ? 1 : e->no_rtcp ? 2 : 0);
			for (l = 0; e->family && l < 2; l++) {
				struct turn_keep_rec rec;

				if (!ho_turn_state(c, s, st, l, turn_user,
						   &rec))
					ho_write_turn(f, &rec);
			}
			for (l = 0; e->family && l < 2; l++) {
				const struct relay_leg *leg = &e->leg[l];
				int idx = ho_fd_add(fds, leg->fd);

				if (idx < 0)
					return -ENOMEM;
				fprintf(f, "L %d %u", idx, leg->kernel_id);
				ho_peer(f, leg);
				fprintf(f, " %d %d %d %u\n", leg->latch,
					leg->latched, leg->strict,
					relay_leg_port(leg));
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* the holder */

/* One message: @len bytes and @n (<= HO_FDS_PER_MSG) fds.  0 or -1. */
static int ho_send_msg(int s, const void *buf, size_t len, const int *fd,
		       size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_FDS_PER_MSG)];
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (n) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), fd, sizeof(int) * n);
	}
	return sendmsg(s, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int ho_send_fds(int s, char type, const int *fd, size_t n)
{
	return ho_send_msg(s, &type, 1, fd, n);
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
		if (ho_send_fds(s, 'F', fds->fd + off, n))
			return -1;
	}
	if (send(s, "E", 1, MSG_NOSIGNAL) < 0)
		return -1;
	return recv(s, &ack, 1, 0) == 1 && ack == 'K' ? 0 : -1;
}

/* What the holder keeps of one call. */
struct ho_held {
	char *key;		/* escaped call-id */
	char *text;
	size_t len;
	struct ho_fds fds;
};

struct ho_hold {
	struct ho_held *c;
	size_t n, cap;
	long last;		/* the call 'G' messages add to, or -1 */
};

static void ho_held_fds_close(struct ho_held *h)
{
	size_t i;

	for (i = 0; i < h->fds.n; i++)
		close(h->fds.fd[i]);
	h->fds.n = 0;
}

static long ho_hold_find(const struct ho_hold *h, const char *key, size_t kl)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strlen(h->c[i].key) == kl && !memcmp(h->c[i].key, key, kl))
			return (long)i;
	return -1;
}

static void ho_hold_drop(struct ho_hold *h, long i)
{
	struct ho_held *e = &h->c[i];

	ho_held_fds_close(e);
	free(e->fds.fd);
	free(e->key);
	free(e->text);
	h->c[i] = h->c[--h->n];
	h->last = -1;
}

/* 'U': a call's state; @text = "C key ...\n..." */
static int ho_hold_update(struct ho_hold *h, const char *text, size_t len)
{
	const char *k = text + 2, *sp;
	struct ho_held *e;
	long i;

	if (len < 3 || text[0] != 'C' || text[1] != ' ')
		return -1;
	sp = memchr(k, ' ', len - 2);
	if (!sp)
		return -1;
	i = ho_hold_find(h, k, (size_t)(sp - k));
	if (i < 0) {
		if (ho_grow(&h->c, &h->cap, h->n, sizeof(*h->c)))
			return -1;
		e = &h->c[h->n];
		memset(e, 0, sizeof(*e));
		e->key = strndup(k, (size_t)(sp - k));
		if (!e->key)
			return -1;
		i = (long)h->n++;
	}
	e = &h->c[i];
	free(e->text);
	e->text = malloc(len);
	if (!e->text) {
		ho_hold_drop(h, i);
		return -1;
	}
	memcpy(e->text, text, len);
	e->len = len;
	ho_held_fds_close(e);
	h->last = i;
	return 0;
}

enum { HO_MSG, HO_GONE, HO_QUIT, HO_NONE };

/* One message from kiced: HO_MSG, HO_NONE (nothing queued) or the end. */
static int ho_hold_msg(struct ho_hold *h, int ctl, int flags, char *buf)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_FDS_PER_MSG)];
	struct iovec iov = { buf, HO_MSG_MAX + 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	ssize_t n;
	size_t j, nfd;
	int fd, r = HO_MSG;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	n = recvmsg(ctl, &mh, flags | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return HO_NONE;
	if (n <= 0)
		return HO_GONE;
	if (buf[0] == 'Q')
		r = HO_QUIT;
	else if (buf[0] == 'U' && ho_hold_update(h, buf + 1, (size_t)n - 1))
		h->last = -1;
	else if (buf[0] == 'D' && n > 1) {
		long i = ho_hold_find(h, buf + 1, (size_t)n - 1);

		if (i >= 0)
			ho_hold_drop(h, i);
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < nfd; j++) {
			memcpy(&fd, CMSG_DATA(cm) + j * sizeof(int), sizeof(fd));
			if ((buf[0] != 'U' && buf[0] != 'G') || h->last < 0 ||
			    ho_fd_add(&h->c[h->last].fds, fd) < 0)
				close(fd);
		}
	}
	return r;
}

/* Everything held, as the next kiced reads it. */
static int ho_hold_text(const struct ho_hold *h, char **text, size_t *len,
			struct ho_fds *fds)
{
	FILE *f = open_memstream(text, len);
	size_t i, j;

	if (!f)
		return -1;
	fprintf(f, "kiced-handover 2\n");
	for (i = 0; i < h->n; i++) {
		fprintf(f, "X %zu\n", fds->n);
		fwrite(h->c[i].text, 1, h->c[i].len, f);
		for (j = 0; j < h->c[i].fds.n; j++)
			if (ho_fd_add(fds, h->c[i].fds.fd[j]) < 0)
				break;
	}
	return fclose(f) ? -1 : 0;
}

static uint64_t ho_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int ho_listen(const char *path, ino_t *ino)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	struct stat st;
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
	    chmod(path, 0600) || listen(fd, 4) || stat(path, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	*ino = st.st_ino;
	return fd;
}

/* Remove the socket file, unless another holder has bound the path since. */
static void ho_unlink(const char *path, ino_t ino)
{
	struct stat st;

	if (!stat(path, &st) && st.st_ino == ino)
		unlink(path);
}

static void ho_close_others(int keep1, int keep2)
{
	DIR *d = opendir("/proc/self/fd");
	int nul;

	if (d) {
		struct dirent *de;
		int dfd = dirfd(d);

		while ((de = readdir(d))) {
			int fd = atoi(de->d_name);

			if (de->d_name[0] != '.' && fd != dfd && fd != keep1 &&
			    fd != keep2)
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
}

/*
 * The holder: keeps what kiced gives it while kiced runs; once kiced is
 * gone (end of file on @ctl, no 'Q') serves it to the next kiced, for
 * @wait_s seconds at most.
 */
static void __attribute__((noreturn))
ho_holder(int ctl, int lfd, ino_t ino, const char *path, unsigned int wait_s)
{
	struct ho_hold h = { .last = -1 };
	uint64_t deadline = 0;
	bool alive = true, linked = true;
	sigset_t all;
	char *buf;
	long pid = (long)getpid();
	char pmsg[32];

	ho_close_others(ctl, lfd);
	setsid();
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	signal(SIGPIPE, SIG_IGN);
	buf = malloc(HO_MSG_MAX + 1);
	if (!buf)
		_exit(1);
	snprintf(pmsg, sizeof(pmsg), "P%ld", pid);
	send(ctl, pmsg, strlen(pmsg), MSG_NOSIGNAL);
	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 },
				       { alive ? ctl : -1, POLLIN, 0 } };
		int to = -1, r, s;

		if (!alive) {
			uint64_t now = ho_now_ms();

			if (now >= deadline)
				break;
			to = (int)(deadline - now);
		}
		if (poll(p, 2, to) < 0 && errno != EINTR)
			break;
		if (alive && p[1].revents) {
			r = ho_hold_msg(&h, ctl, 0, buf);
			if (r == HO_QUIT)
				break;
			if (r == HO_GONE) {
				alive = false;
				close(ctl);
				if (!h.n)
					break;
				deadline = ho_now_ms() + wait_s * 1000ull;
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue;
		/* kiced may just have died: read what it left first */
		while (alive) {
			r = ho_hold_msg(&h, ctl, MSG_DONTWAIT, buf);
			if (r == HO_NONE)
				break;
			if (r == HO_QUIT)
				goto out;
			if (r == HO_GONE) {
				alive = false;
				close(ctl);
			}
		}
		if (alive) {
			send(s, "N", 1, MSG_NOSIGNAL);	/* not ours to give */
			close(s);
			continue;
		}
		{
			struct ho_fds all_fds = { 0 };
			char *text = NULL;
			size_t len = 0;

			ho_unlink(path, ino);	/* served once, whatever comes */
			linked = false;
			r = ho_hold_text(&h, &text, &len, &all_fds) ? -1 :
			    ho_serve(s, text, len, &all_fds);
			free(text);
			free(all_fds.fd);
			close(s);
			if (!r)
				break;
		}
		close(lfd);
		lfd = ho_listen(path, &ino);
		if (lfd < 0)
			break;
		linked = true;
	}
out:
	if (linked)
		ho_unlink(path, ino);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* kiced's side of the store */

static void ho_store_close(struct kiced *k, bool quit)
{
	struct call *c;

	if (!k->store)
		return;
	if (quit)
		send(k->store->fd, "Q", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(k->store->fd);
	free(k->store);
	k->store = NULL;
	k->calls.on_remove = NULL;
	for (c = k->calls.head; c; c = c->next) {
		free(c->stored);
		c->stored = NULL;
		c->stored_len = 0;
	}
}

static uint64_t ho_retry_ms;

static void ho_store_fail(struct kiced *k, const char *what)
{
	klog_err("fd store (holder %ld): %s: %s; calls would not survive a crash until it is back",
		 k->store->pid, what, strerror(errno));
	ho_store_close(k, true);
	ho_retry_ms = loop_now_ms() + HO_RETRY_MS;
}

long handover_store_pid(const struct kiced *k)
{
	return k->store ? k->store->pid : 0;
}

/* The escaped call-id, as after "C " in the call's text. */
static char *ho_key(const struct call *c, size_t *len)
{
	char *key = NULL;
	FILE *f = open_memstream(&key, len);

	if (!f)
		return NULL;
	ho_put(f, c->call_id);
	if (fclose(f)) {
		free(key);
		return NULL;
	}
	return key;
}

static void ho_on_remove(void *arg, struct call *c)
{
	struct kiced *k = arg;
	char *key, msg[HO_MSG_MAX];
	size_t len;

	if (!k->store || !c->stored)
		return;
	key = ho_key(c, &len);
	if (!key || len > sizeof(msg) - 1) {
		free(key);
		return;
	}
	msg[0] = 'D';
	memcpy(msg + 1, key + 1, len - 1);	/* without the space */
	free(key);
	if (send(k->store->fd, msg, len, MSG_NOSIGNAL) < 0)
		ho_store_fail(k, "call end");
}

size_t handover_state_max = HO_MSG_MAX;

int handover_sync_call(struct kiced *k, struct call *c)
{
	struct ho_fds fds = { 0 };
	char *text = NULL;
	size_t len = 0, off, n;
	FILE *f;
	int err;

	if (!k->store || !c)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fputc('U', f);
	err = ho_write_call(c, f, &fds, k->cfg.turn_user);
	if (fclose(f) && !err)
		err = -EIO;
	if (err)
		goto out;
	if (len > handover_state_max) {
		if (klog_once(&c->warn[CALL_WARN_STATE_SIZE]))
			klog_warn("call %s: state of %zu bytes too large for the fd store (max %zu): the call would not survive a restart",
				  KLOG_CALL(c), len, handover_state_max);
		err = -EMSGSIZE;
		goto out;
	}
	if (c->stored && c->stored_len == len && !memcmp(c->stored, text, len))
		goto out;	/* unchanged */
	err = -EIO;
	n = fds.n > HO_FDS_PER_MSG ? HO_FDS_PER_MSG : fds.n;
	if (ho_send_msg(k->store->fd, text, len, fds.fd, n)) {
		ho_store_fail(k, "call update");
		goto out;
	}
	for (off = n; off < fds.n; off += n) {
		n = fds.n - off > HO_FDS_PER_MSG ? HO_FDS_PER_MSG :
						   fds.n - off;
		if (ho_send_fds(k->store->fd, 'G', fds.fd + off, n)) {
			ho_store_fail(k, "call update");
			goto out;
		}
	}
	free(c->stored);
	c->stored = text;
	c->stored_len = len;
	text = NULL;
	err = 0;
out:
	free(text);
	free(fds.fd);
	return err;
}

int handover_store_start(struct kiced *k)
{
	struct timeval tv = { 2, 0 };
	int sp[2], lfd, sndbuf = 4 << 20;
	char msg[32] = "";
	struct call *c;
	ino_t ino = 0;
	ssize_t n;
	pid_t pid;

	if (k->store)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		return -errno;
	lfd = ho_listen(k->cfg.handover, &ino);
	if (lfd < 0) {
		close(sp[0]);
		close(sp[1]);
		return lfd;
	}
	pid = fork();
	if (!pid) {
		/* the holder is a grandchild: nobody has to reap it */
		if (fork())
			_exit(0);
		ho_holder(sp[1], lfd, ino, k->cfg.handover,
			  k->cfg.handover_wait);
	}
	close(sp[1]);
	close(lfd);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	setsockopt(sp[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(sp[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = pid < 0 ? -1 : recv(sp[0], msg, sizeof(msg) - 1, 0);
	if (n < 2 || msg[0] != 'P') {
		int err = pid < 0 ? -errno : -ECHILD;

		close(sp[0]);
		return err;
	}
	k->store = calloc(1, sizeof(*k->store));
	if (!k->store) {
		close(sp[0]);
		return -ENOMEM;
	}
	k->store->fd = sp[0];
	k->store->pid = strtol(msg + 1, NULL, 10);
	k->calls.on_remove = ho_on_remove;
	k->calls.on_remove_arg = k;
	klog_notice("fd store: holder %ld keeps the media sockets (%s)",
		    k->store->pid, k->cfg.handover);
	for (c = k->calls.head; c && k->store; c = c->next)
		handover_sync_call(k, c);
	return 0;
}

/* RFC 7675: no consent, no media (in the kernel neither), as media_ice.c */
static void ho_consent_lost(struct call *c, int side)
{
	size_t i;
	int l;

	klog_notice("call %s: consent lost on side %c (adopted call): media to it stops",
		    KLOG_CALL(c), side ? 'B' : 'A');
	for (i = 0; i < c->nmedia; i++) {
		struct media_stream *st = c->media[i].stream;

		if (!st)
			continue;
		media_stream_unload(st);
		for (l = 0; l < 2; l++) {
			st->side[side].leg[l].peer_len = 0;
			st->side[side].leg[l].send_fn = NULL;
		}
	}
}

void handover_tick(struct kiced *k, uint64_t now_ms)
{
	struct call *c;
	int s;

	for (c = k->calls.head; c; c = c->next) {
		for (s = 0; s < 2; s++) {
			if (!c->consent[s])
				continue;
			if (consent_first_answer(c->consent[s]))
				klog_info("call %s: side %c: consent confirmed by the peer (adopted call, %llu checks sent)",
					  KLOG_CALL(c), s ? 'B' : 'A',
					  (unsigned long long)consent_sent(c->consent[s]));
			if (consent_tick(c->consent[s], now_ms))
				ho_consent_lost(c, s);
		}
	}
	if (!k->store && k->cfg.keep_flows && now_ms >= ho_retry_ms) {
		int err = handover_store_start(k);

		if (err) {
			klog_err("fd store: %s", strerror(-err));
			ho_retry_ms = now_ms + HO_RETRY_MS;
		}
		return;
	}
	/* the holder never writes after its pid: anything is its end */
	if (k->store) {
		struct pollfd p = { k->store->fd, POLLIN, 0 };

		if (poll(&p, 1, 0) > 0) {
			errno = EPIPE;
			ho_store_fail(k, "holder gone");
		}
	}
	for (c = k->calls.head; c && k->store; c = c->next)
		handover_sync_call(k, c);
}

int handover_stop(struct kiced *k, bool keep)
{
	struct call *c;
	size_t i;
	long pid;
	int n = 0;

	if (!keep) {
		ho_store_close(k, true);
		return 0;
	}
	for (c = k->calls.head; c && k->store; c = c->next)
		handover_sync_call(k, c);
	if (!k->store)
		return -ENOTCONN;
	pid = k->store->pid;
	ho_store_close(k, false);	/* end of file: the holder keeps */
	/* the flows are the holder's (then the next kiced's) now */
	for (c = k->calls.head; c; c = c->next, n++)
		for (i = 0; i < c->nmedia; i++)
			if (c->media[i].stream)
				media_stream_forget(c->media[i].stream);
	klog_notice("handed %d calls on to holder %ld (%s, %u s)", n, pid,
		    k->cfg.handover, k->cfg.handover_wait);
	return n;
}

/* ------------------------------------------------------------------ */
/* the next kiced */

struct ho_in {
	char *text;
	size_t len, cap;
	struct ho_fds fds;
	size_t base;		/* fd-base of the call being read */
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
	if (buf[0] == 'N')
		return -EBUSY;
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

/*
 * Kernel flows, to check that the handed-over ones still exist, and
 * sockets, to find those attached after the holder's copy was made.
 */
struct ho_kflows {
	struct knl_flow_info *f;
	size_t n, cap;
	struct knl_sock_info *s;
	size_t ns, scap;
};

static int ho_ksock_add(const struct knl_sock_info *si, void *arg)
{
	struct ho_kflows *v = arg;

	if (ho_grow(&v->s, &v->scap, v->ns, sizeof(*v->s)))
		return -1;
	v->s[v->ns++] = *si;
	return 0;
}

/*
 * A leg the copy knew no kernel socket id for, that kice.ko has attached
 * all the same (kiced offloaded after its last copy): its id, by family
 * and local port, or 0.
 */
static uint32_t ho_ksock_find(const struct ho_kflows *v,
			      const struct relay_leg *leg)
{
	uint16_t port = relay_leg_port(leg);
	size_t i;

	for (i = 0; i < v->ns; i++)
		if (v->s[i].port == port &&
		    v->s[i].family == leg->local.ss_family)
			return v->s[i].id;
	return 0;
}

/* Delete the flows between @a and @b but @keep; how many. */
static int ho_kflow_orphans(struct knl *nl, const struct ho_kflows *v,
			    uint32_t a, uint32_t b, uint32_t keep)
{
	size_t i;
	int n = 0;

	for (i = 0; a && b && i < v->n; i++)
		if (v->f[i].id != keep && v->f[i].leg[0].sock == a &&
		    v->f[i].leg[1].sock == b && !knl_flow_del(nl, v->f[i].id))
			n++;
	return n;
}

static int ho_kflow_add(const struct knl_flow_info *f, void *arg)
{
	struct ho_kflows *v = arg;

	if (ho_grow(&v->f, &v->cap, v->n, sizeof(*v->f)))
		return -1;
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

	if (i >= 0)
		i += (long)in->base;
	if (i < 0 || (size_t)i >= in->fds.n || in->fds.fd[i] < 0)
		return -1;
	fd = in->fds.fd[i];
	in->fds.fd[i] = -1;
	return fd;
}

static void ho_set_peer(struct relay_leg *leg, const char *ip,
			const char *port)
{
	struct sockaddr_storage ss;

	if (!turn_keep_parse_addr(ip, port, &ss))
		relay_leg_set_peer(leg, (struct sockaddr *)&ss,
				   ss.ss_family == AF_INET6 ?
				   sizeof(struct sockaddr_in6) :
				   sizeof(struct sockaddr_in));
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
	/* flow[1] 0: one flow on the RTP sockets (both mux, or no RTCP) */
	if (offloaded && l[0]->fd >= 0 && l[2]->fd >= 0 &&
	    ho_kflow_ok(kf, flow[0], l[0]->kernel_id, l[2]->kernel_id) &&
	    (!flow[1] ||
	     ho_kflow_ok(kf, flow[1], l[1]->kernel_id, l[3]->kernel_id))) {
		media_stream_adopt_flows(st, flow);
		klog_info("call %s: adopted kernel flows %u and %u", cid,
			  flow[0], flow[1]);
		return;
	}
	/* a flow is gone: no half left behind, then install anew */
	if (offloaded) {
		knl_flow_del(nl, flow[0]);
		if (flow[1])
			knl_flow_del(nl, flow[1]);
	}
	/* flows installed after the copy: theirs are unknown, remove them */
	for (c = 0; c < 4; c++)
		if (!l[c]->kernel_id && l[c]->fd >= 0)
			l[c]->kernel_id = ho_ksock_find(kf, l[c]);
	if (ho_kflow_orphans(nl, kf, l[0]->kernel_id, l[2]->kernel_id,
			     offloaded ? flow[0] : 0) +
	    ho_kflow_orphans(nl, kf, l[1]->kernel_id, l[3]->kernel_id,
			     offloaded ? flow[1] : 0)) {
		klog_info("call %s: kernel flows newer than the copy removed",
			  cid);
		offloaded = true;	/* kiced had offloaded it: do again */
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
	bool turn[2];		/* T record of the leg */
	struct turn_keep_rec trec[2];
};

/*
 * A relayed leg of an adopted side: its TURN client back on the kept
 * socket, the consent checks through it.  0, or -EINVAL with @why.
 */
static int ho_leg_turn(struct relay_leg *leg, int side, int l,
		       const struct turn_keep_rec *rec, const struct kiced *k,
		       struct call *call, char *why, size_t whylen)
{
	char label[sizeof(struct klog_str) + 32], ip[INET6_ADDRSTRLEN];
	unsigned int port;
	struct turn_keep *tk;
	uint64_t now = loop_now_ms();

	if (!call->consent[side]) {
		snprintf(why, whylen, "side %c: T record without ICE credentials",
			 side ? 'B' : 'A');
		return -EINVAL;
	}
	if (!leg->peer_len ||
	    !relay_same_addr(&leg->peer, &rec->r.peer)) {
		snprintf(why, whylen,
			 "side %c: the TURN channel's peer is not the leg's",
			 side ? 'B' : 'A');
		return -EINVAL;
	}
	if (strcmp(rec->user, k->cfg.turn_user)) {
		snprintf(why, whylen,
			 "side %c: TURN user \"%s\" is not [ice] turn-user",
			 side ? 'B' : 'A', rec->user);
		return -EINVAL;
	}
	snprintf(label, sizeof(label), "call %s: side %c %s", KLOG_CALL(call),
		 side ? 'B' : 'A', l ? "RTCP" : "RTP");
	tk = turn_keep_new(rec, k->cfg.turn_password, leg, label, now, why,
			   whylen);
	if (!tk)
		return -EINVAL;
	if (consent_attach_relay(call->consent[side], leg, tk)) {
		turn_keep_free(tk);
		snprintf(why, whylen, "side %c: no consent checks: out of memory",
			 side ? 'B' : 'A');
		return -EINVAL;
	}
	leg->turn = rec->server;
	leg->channel = rec->r.channel;
	turn_keep_addr_str(&rec->r.relayed, ip, sizeof(ip), &port);
	klog_info("%s: TURN client restored: relayed %s port %u, channel 0x%04x, allocation %llu s more",
		  label, ip, port, rec->r.channel,
		  (unsigned long long)(rec->r.expire_ms - now) / 1000);
	return 0;
}

/* Open an adopted side.  0, or -EINVAL with @why: release the call. */
static int ho_side_open(struct media_stream *st, int side,
			struct ho_side_in *si, const struct kiced *k,
			struct call *call, char *why, size_t whylen)
{
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
		klog_warn("call %s: side %c lost: %s", KLOG_CALL(call),
			  side ? 'B' : 'A',
			  strerror(-err));
		e->remote_set = false;
		return 0;
	}
	for (c = 0; c < 2; c++) {
		struct relay_leg *leg = &e->leg[c];

		if (*si->ip[c])
			ho_set_peer(leg, si->ip[c], si->port[c]);
		leg->kernel_id = si->kid[c];
		leg->latch = si->flag[c][0];
		leg->latched = si->flag[c][1];
		leg->strict = si->flag[c][2];
		if (call->consent[side] &&
		    consent_attach(call->consent[side], leg, (unsigned int)c + 1,
				   loop_now_ms()))
			klog_warn("call %s: no consent checks: out of memory",
				  KLOG_CALL(call));
	}
	for (c = 0; c < 2; c++)
		if (si->turn[c] && ho_leg_turn(&e->leg[c], side, c,
					       &si->trec[c], k, call, why,
					       whylen))
			return -EINVAL;
	return 0;
}

/* Bad or unusable state of @c: say why, release it (its sockets close,
 * the kernel drops its flows); the other calls are not concerned. */
static void ho_release(struct kiced *k, struct call *c,
		       struct ho_side_in *si, const char *why)
{
	int l;

	klog_err("call %s: handover state: %s: call released", KLOG_CALL(c),
		 why);
	for (l = 0; l < 2; l++) {
		if (si->fd[l] >= 0)
			close(si->fd[l]);
		si->fd[l] = -1;
	}
	session_remove(&k->calls, c);
}

/* Parse and rebuild.  Calls adopted, or -errno. */
static int ho_rebuild(struct kiced *k, struct ho_in *in,
		      const struct ho_kflows *kf)
{
	char *save = NULL, *line, *tok[16], why[160];
	struct ho_side_in si = { .fd = { -1, -1 } };
	struct media_stream *st = NULL;
	struct call *c = NULL;
	uint32_t flow[2] = { 0, 0 };
	bool offloaded = false;
	int n, side = -1, adopted = 0;
	size_t nm = 0;

	line = strtok_r(in->text, "\n", &save);
	if (!line || strcmp(line, "kiced-handover 2"))
		return -EPROTO;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char kind = line[0];

		n = ho_fields(line + 1, tok, 16);
		if (kind == 'X' && n == 1) {
			in->base = strtoul(tok[0], NULL, 10);
		} else if (kind == 'C' && n == 10) {
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
			if ((*tok[2] && session_set_to_tag(c, tok[2],
							   strlen(tok[2]))) ||
			    (*tok[3] && session_set_via_branch(c, tok[3],
							       strlen(tok[3])))) {
				session_remove(&k->calls, c);
				return -ENOMEM;
			}
			c->state = (atoi(tok[4]) & 0xff) == CALL_ANSWERED ?
				   CALL_ANSWERED : CALL_OFFERED;
			c->offerer = (atoi(tok[4]) >> 8) & 1 ? MEDIA_SIDE_B :
				     MEDIA_SIDE_A;
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
		} else if (kind == 'I' && n == 6 && c && !c->nmedia) {
			int sd = atoi(tok[0]) ? MEDIA_SIDE_B : MEDIA_SIDE_A;

			if (!c->consent[sd])
				c->consent[sd] = consent_new(tok[1], tok[2]);
			/* without the peer's: answer checks, run none */
			if (c->consent[sd] && *tok[3] &&
			    consent_set_remote(c->consent[sd], tok[3], tok[4],
					       atoi(tok[5])))
				klog_warn("call %s: side %c: bad remote ICE credentials, no consent checks",
					  KLOG_CALL(c), sd ? 'B' : 'A');
		} else if (kind == 'M' && (n == 7 || n == 8) && c &&
			   c->nmedia < nm) {
			struct call_media *cm = &c->media[c->nmedia++];
			unsigned int mux = n == 8 ? (unsigned int)atoi(tok[7]) : 0;

			cm->mux_offered_a = mux & 1;
			cm->mux_must_a = mux & 2;
			cm->mux_offered_b = mux & 4;
			cm->mux_required_b = mux & 8;

			snprintf(cm->type, sizeof(cm->type), "%s", tok[0]);
			snprintf(cm->proto, sizeof(cm->proto), "%s", tok[1]);
			st = NULL;
			if (atoi(tok[2]))
				st = cm->stream = media_stream_new(&k->media,
					(uint32_t)strtoul(tok[3], NULL, 10));
			offloaded = atoi(tok[4]);
			flow[0] = (uint32_t)strtoul(tok[5], NULL, 10);
			flow[1] = (uint32_t)strtoul(tok[6], NULL, 10);
		} else if (kind == 'S' && (n == 7 || n == 8) && st) {
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
			/* routed by it when the side's sockets are adopted */
			e->mux = n == 8 && atoi(tok[7]) == 1;
			e->no_rtcp = n == 8 && atoi(tok[7]) == 2;
			if (!si.family && side == MEDIA_SIDE_B)
				ho_stream_kernel(k, st, false, flow, kf,
						 KLOG_CALL(c));
		} else if (kind == 'T' && st && side >= 0 && si.family) {
			struct turn_keep_rec rec;
			int err = turn_keep_parse(tok, n, &rec, why,
						  sizeof(why));

			if (!err && (si.n || si.turn[rec.leg])) {
				snprintf(why, sizeof(why), si.n ?
					 "T record after the side's L records" :
					 "two T records for one leg");
				err = -EINVAL;
			}
			if (!err) {
				si.turn[rec.leg] = true;
				si.trec[rec.leg] = rec;
				continue;
			}
			ho_release(k, c, &si, why);
			c = NULL;
			st = NULL;
			adopted--;
		} else if (kind == 'L' && n == 8 && st && side >= 0 &&
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
			if (ho_side_open(st, side, &si, k, c, why,
					 sizeof(why))) {
				ho_release(k, c, &si, why);
				c = NULL;
				st = NULL;
				adopted--;
				continue;
			}
			if (side == MEDIA_SIDE_B)
				ho_stream_kernel(k, st, offloaded, flow, kf,
						 KLOG_CALL(c));
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
		if (!err)
			err = knl_sock_dump(k->media.kernel, ho_ksock_add, &kf);
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
	free(kf.s);
	free(in.text);
	free(in.fds.fd);
	return err;
}
