/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced configuration: defaults, INI file, command line overrides.
 * The file format and every key are described in Documentation/kiced.rst
 * and agent/kiced/kiced.conf.example.
 */
#ifndef KICE_KICED_CONFIG_H
#define KICE_KICED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KICED_DEFAULT_CONF	"/etc/kice/kiced.conf"

#define KICED_MAX_IFACES	8

/* A named media address, chosen per call side by the ng "direction". */
struct kiced_iface {
	char name[32];
	char addr[64];			/* bound */
	char advertised[64];		/* written into SDP ("" = addr) */
	int family;			/* AF_INET or AF_INET6 */
};

struct kiced_config {
	/* [kiced] */
	int log_level;			/* enum klog_level */
	bool syslog;
	bool foreground;
	char pidfile[256];
	bool keep_flows;		/* SIGTERM hands kernel flows on */
	bool adopt_flows;		/* start: adopt them (else remove) */
	char handover[108];		/* Unix socket of the handover */
	unsigned int handover_wait;	/* seconds the holder waits */
	/* [control] */
	char ng_listen[128];		/* "" disables the UDP listener */
	char metrics_listen[128];	/* HTTP /metrics; "" (default): off */
	char ng_socket[108];		/* "" disables the Unix socket */
	unsigned int cookie_ttl;	/* seconds a reply is kept for replay */
	unsigned int max_sessions;	/* 0 = unlimited */
	unsigned int list_limit;	/* default "limit" of list */
	/* [media] */
	char address[64];		/* IPv4 address media sockets bind to */
	char address6[64];		/* IPv6 address, "" = no IPv6 */
	char advertised[64];		/* IPv4 address written into SDP */
	char advertised6[64];		/* IPv6 address written into SDP */
	uint16_t port_min;
	uint16_t port_max;
	unsigned int timeout;		/* seconds without media or signalling */
	bool kernel;			/* use kice.ko when loaded */
	bool ice;			/* run ICE agents when asked to */
	struct kiced_iface ifaces[KICED_MAX_IFACES];
	unsigned int nifaces;
	/* [ice]: servers the ICE sides gather through ("" = none) */
	char stun_server[64];		/* numeric HOST:PORT */
	char turn_server[64];		/* numeric HOST:PORT, UDP */
	char turn_user[128];
	char turn_password[128];
	unsigned int gather_wait_ms;	/* offer/answer waits this long */
	unsigned int media_wait_ms;	/* "wait-media" answers, at most */
};

/* Interface by name, NULL if none. */
const struct kiced_iface *config_iface(const struct kiced_config *c,
				       const char *name, size_t len);

void config_defaults(struct kiced_config *c);

/*
 * Parse INI text into @c (on top of what it holds).  Returns 0, or -1 with
 * a message "line N: reason" in @err.
 */
int config_parse(struct kiced_config *c, const char *text, size_t len,
		 char *err, size_t errlen);
int config_load(struct kiced_config *c, const char *path, char *err,
		size_t errlen);
/* Set one key of one section, as from the file.  0 or -1 with @err. */
int config_set(struct kiced_config *c, const char *section, const char *key,
	       const char *value, char *err, size_t errlen);
/* Cross-field checks (port range, ...). 0 or -1 with @err. */
int config_check(const struct kiced_config *c, char *err, size_t errlen);

#endif /* KICE_KICED_CONFIG_H */
