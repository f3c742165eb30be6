// SPDX-License-Identifier: GPL-2.0
/*
 * kiced INI configuration parser.
 *
 * Syntax: "[section]" headers, "key = value" lines, comments starting with
 * '#' or ';' on their own line, blank lines.  Keys and section names are
 * case-sensitive; unknown sections and keys are errors so that typos do not
 * go unnoticed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ng_addr.h"
#include "kiced/config.h"
#include "kiced/log.h"

#define CONFIG_LINE_MAX	1024
#define CONFIG_FILE_MAX	(1024 * 1024)

void config_defaults(struct kiced_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = KLOG_NOTICE;
	strcpy(c->ng_listen, "127.0.0.1:2223");
	c->cookie_ttl = 30;
	c->list_limit = 32;
	strcpy(c->address, "127.0.0.1");
	strcpy(c->address6, "::1");
	c->port_min = 30000;
	c->port_max = 40000;
	c->timeout = 60;
	c->kernel = true;
	c->adopt_flows = true;
	strcpy(c->handover, "/run/kiced/handover.sock");
	c->handover_wait = 30;
	c->ice = true;
	c->gather_wait_ms = 1000;
	c->media_wait_ms = 5000;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

static int set_str(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* An IP address and port (ng_addr_parse()), or "" for none. */
static int set_ip_port(char *dst, size_t size, const char *v)
{
	struct ng_addr a;

	if (*v && (ng_addr_parse(v, &a) || a.ss.ss_family == AF_UNIX))
		return -1;
	return set_str(dst, size, v);
}

/* A STUN/TURN server: numeric "IPV4:PORT" or "[IPV6]:PORT" (port > 0). */
static int set_server(char *dst, size_t size, const char *v)
{
	struct ng_addr a;

	if (*v && (!strchr(v, ':') || ng_addr_parse(v, &a) ||
		   (a.ss.ss_family == AF_INET ?
		    !((struct sockaddr_in *)&a.ss)->sin_port :
		    a.ss.ss_family != AF_INET6 ||
		    !((struct sockaddr_in6 *)&a.ss)->sin6_port)))
		return -1;
	return set_str(dst, size, v);
}

static int set_addr(char *dst, size_t size, const char *v, int af)
{
	unsigned char buf[16];

	if (*v && inet_pton(af, v, buf) != 1)
		return -1;
	return set_str(dst, size, v);
}

const struct kiced_iface *config_iface(const struct kiced_config *c,
				       const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < c->nifaces; i++)
		if (strlen(c->ifaces[i].name) == len &&
		    !memcmp(c->ifaces[i].name, name, len))
			return &c->ifaces[i];
	return NULL;
}

/* "NAME/ADDR[!ADVERTISED]", both addresses of one family. */
static int parse_iface(struct kiced_config *c, const char *v)
{
	struct kiced_iface f = { .family = AF_INET };
	const char *slash = strchr(v, '/'), *bang;
	unsigned char buf[16];
	size_t nl;

	if (!slash || slash == v || c->nifaces == KICED_MAX_IFACES)
		return -1;
	nl = (size_t)(slash - v);
	if (nl >= sizeof(f.name) || config_iface(c, v, nl))
		return -1;
	memcpy(f.name, v, nl);
	bang = strchr(slash + 1, '!');
	if (bang) {
		if (set_str(f.advertised, sizeof(f.advertised), bang + 1))
			return -1;
		nl = (size_t)(bang - slash - 1);
	} else {
		nl = strlen(slash + 1);
	}
	if (nl >= sizeof(f.addr))
		return -1;
	memcpy(f.addr, slash + 1, nl);
	if (strchr(f.addr, ':'))
		f.family = AF_INET6;
	if (inet_pton(f.family, f.addr, buf) != 1 ||
	    (*f.advertised && inet_pton(f.family, f.advertised, buf) != 1))
		return -1;
	c->ifaces[c->nifaces++] = f;
	return 0;
}

static bool is_section(const char *s)
{
	return !strcmp(s, "kiced") || !strcmp(s, "control") ||
	       !strcmp(s, "media") || !strcmp(s, "ice");
}

int config_set(struct kiced_config *c, const char *section, const char *key,
	       const char *v, char *err, size_t errlen)
{
	unsigned long n;
	int lvl;

#define KEY(s, k) (!strcmp(section, s) && !strcmp(key, k))
	if (KEY("kiced", "log-level")) {
		lvl = klog_level_parse(v);
		if (lvl < 0)
			goto bad;
		c->log_level = lvl;
	} else if (KEY("kiced", "syslog")) {
		if (parse_bool(v, &c->syslog))
			goto bad;
	} else if (KEY("kiced", "foreground")) {
		if (parse_bool(v, &c->foreground))
			goto bad;
	} else if (KEY("kiced", "keep-flows")) {
		if (parse_bool(v, &c->keep_flows))
			goto bad;
	} else if (KEY("kiced", "adopt-flows")) {
		if (parse_bool(v, &c->adopt_flows))
			goto bad;
	} else if (KEY("kiced", "handover-socket")) {
		if (*v != '/' ||
		    set_str(c->handover, sizeof(c->handover), v))
			goto bad;
	} else if (KEY("kiced", "handover-wait")) {
		if (parse_uint(v, 3600, &n) || !n)
			goto bad;
		c->handover_wait = (unsigned int)n;
	} else if (KEY("kiced", "pidfile")) {
		if (set_str(c->pidfile, sizeof(c->pidfile), v))
			goto bad;
	} else if (KEY("control", "ng-listen")) {
		if (set_ip_port(c->ng_listen, sizeof(c->ng_listen), v))
			goto bad;
	} else if (KEY("control", "metrics-listen")) {
		if (set_ip_port(c->metrics_listen, sizeof(c->metrics_listen),
				v))
			goto bad;
	} else if (KEY("control", "ng-socket")) {
		if (*v && *v != '/')
			goto bad;
		if (set_str(c->ng_socket, sizeof(c->ng_socket), v))
			goto bad;
	} else if (KEY("control", "cookie-ttl")) {
		if (parse_uint(v, 3600, &n))
			goto bad;
		c->cookie_ttl = (unsigned int)n;
	} else if (KEY("control", "max-sessions")) {
		if (parse_uint(v, 10000000, &n))
			goto bad;
		c->max_sessions = (unsigned int)n;
	} else if (KEY("control", "list-limit")) {
		if (parse_uint(v, 1000000, &n) || !n)
			goto bad;
		c->list_limit = (unsigned int)n;
	} else if (KEY("media", "address")) {
		if (set_addr(c->address, sizeof(c->address), v, AF_INET) ||
		    !*v)
			goto bad;
	} else if (KEY("media", "address6")) {
		if (set_addr(c->address6, sizeof(c->address6), v, AF_INET6))
			goto bad;
	} else if (KEY("media", "advertised-address")) {
		if (set_addr(c->advertised, sizeof(c->advertised), v,
			     AF_INET))
			goto bad;
	} else if (KEY("media", "advertised-address6")) {
		if (set_addr(c->advertised6, sizeof(c->advertised6), v,
			     AF_INET6))
			goto bad;
	} else if (KEY("media", "port-min")) {
		if (parse_uint(v, 65534, &n) || n < 1024)
			goto bad;
		c->port_min = (uint16_t)n;
	} else if (KEY("media", "port-max")) {
		if (parse_uint(v, 65535, &n) || n < 1025)
			goto bad;
		c->port_max = (uint16_t)n;
	} else if (KEY("media", "timeout")) {
		if (parse_uint(v, 86400, &n) || !n)
			goto bad;
		c->timeout = (unsigned int)n;
	} else if (KEY("media", "kernel")) {
		if (parse_bool(v, &c->kernel))
			goto bad;
	} else if (KEY("media", "interface")) {
		if (parse_iface(c, v))
			goto bad;
	} else if (KEY("media", "ice")) {
		if (parse_bool(v, &c->ice))
			goto bad;
	} else if (KEY("ice", "stun-server")) {
		if (set_server(c->stun_server, sizeof(c->stun_server), v))
			goto bad;
	} else if (KEY("ice", "turn-server")) {
		if (set_server(c->turn_server, sizeof(c->turn_server), v))
			goto bad;
	} else if (KEY("ice", "turn-user")) {
		if (set_str(c->turn_user, sizeof(c->turn_user), v))
			goto bad;
	} else if (KEY("ice", "turn-password")) {
		if (set_str(c->turn_password, sizeof(c->turn_password), v))
			goto bad;
	} else if (KEY("ice", "turn-transport")) {
		/* TCP and TLS need a connection per allocation: not yet */
		if (strcmp(v, "udp"))
			goto bad;
	} else if (KEY("ice", "gather-wait")) {
		if (parse_uint(v, 10000, &n))
			goto bad;
		c->gather_wait_ms = (unsigned int)n;
	} else if (KEY("ice", "media-wait")) {
		if (parse_uint(v, 60000, &n))
			goto bad;
		c->media_wait_ms = (unsigned int)n;
	} else if (!is_section(section)) {
		snprintf(err, errlen, "unknown section [%s]", section);
		return -1;
	} else {
		snprintf(err, errlen, "unknown key \"%s\" in [%s]", key,
			 section);
		return -1;
	}
#undef KEY
	return 0;
bad:
	snprintf(err, errlen, "invalid value \"%s\" for %s.%s", v, section,
		 key);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int config_parse(struct kiced_config *c, const char *text, size_t len,
		 char *err, size_t errlen)
{
	char line[CONFIG_LINE_MAX + 1], section[64] = "";
	char msg[256];
	unsigned int lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - text - pos) : len - pos;
		char *s, *eq, *key, *val;

		lineno++;
		if (l > CONFIG_LINE_MAX) {
			snprintf(err, errlen, "line %u: line too long", lineno);
			return -1;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + (nl ? 1 : 0);
		if (memchr(line, '\0', l)) {
			snprintf(err, errlen, "line %u: NUL byte", lineno);
			return -1;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *rb = strchr(s, ']');

			if (!rb || rb[1] || rb == s + 1 ||
			    (size_t)(rb - s - 1) >= sizeof(section)) {
				snprintf(err, errlen,
					 "line %u: malformed section header",
					 lineno);
				return -1;
			}
			*rb = '\0';
			strcpy(section, s + 1);
			if (!is_section(section)) {
				snprintf(err, errlen,
					 "line %u: unknown section [%s]",
					 lineno, section);
				return -1;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "line %u: expected key = value",
				 lineno);
			return -1;
		}
		if (!*section) {
			snprintf(err, errlen,
				 "line %u: key outside of a section", lineno);
			return -1;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!*key) {
			snprintf(err, errlen, "line %u: empty key", lineno);
			return -1;
		}
		if (config_set(c, section, key, val, msg, sizeof(msg))) {
			snprintf(err, errlen, "line %u: %s", lineno, msg);
			return -1;
		}
	}
	return 0;
}

int config_load(struct kiced_config *c, const char *path, char *err,
		size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONFIG_FILE_MAX);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while ((n = read(fd, buf + len, CONFIG_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path,
			 n < 0 ? strerror(errno) : "file too large");
		free(buf);
		return -1;
	}
	{
		char msg[300];

		ret = config_parse(c, buf, len, msg, sizeof(msg));
		if (ret)
			snprintf(err, errlen, "%s: %s", path, msg);
	}
	free(buf);
	return ret;
}

int config_check(const struct kiced_config *c, char *err, size_t errlen)
{
	if (c->port_min > c->port_max || c->port_max - c->port_min < 3) {
		snprintf(err, errlen,
			 "media port range %u-%u holds fewer than two pairs",
			 c->port_min, c->port_max);
		return -1;
	}
	if (*c->turn_server && (!*c->turn_user || !*c->turn_password)) {
		snprintf(err, errlen,
			 "turn-server needs turn-user and turn-password");
		return -1;
	}
	if (!*c->ng_listen && !*c->ng_socket) {
		snprintf(err, errlen,
			 "no control socket: set ng-listen or ng-socket");
		return -1;
	}
	return 0;
}
