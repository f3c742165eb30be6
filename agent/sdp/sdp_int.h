/* SPDX-License-Identifier: GPL-2.0 */
/* kice SDP: helpers shared by the parser, the writer and candidates. */
#ifndef KICE_SDP_INT_H
#define KICE_SDP_INT_H

#include <stdbool.h>
#include <stddef.h>

bool sdp_is_ice_chars(const char *s, size_t min, size_t max);
bool sdp_is_addr(const char *s, bool *ipv6);
bool sdp_parse_uint(const char *s, unsigned int maxdigits, unsigned long max,
		    unsigned long *out);
/* Returns the token count, SIZE_MAX on an empty token (double space). */
size_t sdp_split(char *s, char **tok, size_t max, bool *overflow);

#endif /* KICE_SDP_INT_H */
