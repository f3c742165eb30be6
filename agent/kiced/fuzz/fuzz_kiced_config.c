// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the INI configuration parser.  Whatever it accepts
 * must leave a configuration whose strings are terminated and whose
 * values are inside their documented ranges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiced/config.h"
#include "kiced/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kiced_config c;
	char err[300];

	config_defaults(&c);
	err[0] = '\0';
	if (config_parse(&c, (const char *)data, size, err, sizeof(err))) {
		if (!err[0] || strlen(err) >= sizeof(err))
			abort();
		return 0;
	}
	if (strnlen(c.ng_listen, sizeof(c.ng_listen)) == sizeof(c.ng_listen) ||
	    strnlen(c.ng_socket, sizeof(c.ng_socket)) == sizeof(c.ng_socket) ||
	    strnlen(c.address, sizeof(c.address)) == sizeof(c.address) ||
	    strnlen(c.pidfile, sizeof(c.pidfile)) == sizeof(c.pidfile))
		abort();
	if (c.log_level < KLOG_ERR || c.log_level > KLOG_DEBUG ||
	    c.port_min < 1024 || c.port_max < 1025 || !c.timeout ||
	    c.cookie_ttl > 3600 || !c.list_limit)
		abort();
	config_check(&c, err, sizeof(err));
	return 0;
}
