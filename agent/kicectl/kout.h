/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output helpers shared by kicectl show and monitor: addresses as text and
 * JSON strings.
 */
#ifndef KICE_KICECTL_KOUT_H
#define KICE_KICECTL_KOUT_H

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "knl/knl.h"

/* "192.0.2.1:4000", "[2001:db8::1]:4000" or "-" for no address. */
const char *kout_ep(const struct sockaddr_storage *ss, char *buf,
		    size_t len);
/* Address alone ("" for none) and port. */
const char *kout_ip(const struct sockaddr_storage *ss, char *buf,
		    size_t len);
unsigned int kout_port(const struct sockaddr_storage *ss);
/* @s as a JSON string (quoted, escaped); NULL prints null. */
void kout_json_str(FILE *f, const char *s);
/* "ip": "...", "port": N members of an endpoint (null when absent). */
void kout_json_ep(FILE *f, const struct sockaddr_storage *ss);
/* One leg's counters as a JSON object. */
void kout_json_stats(FILE *f, const struct knl_stats *st);
/* Leg @i (0: a, 1: b) of kernel flow @fl as a JSON object: leg, socket,
 * ip, port, turn (null or {ip, port, channel}), stats. */
/* "a", "b" or "b-rtcp" (leg-b-rtcp) for leg @i of a flow */
const char *kout_leg_name(int i);
void kout_json_leg(FILE *f, const struct knl_flow_info *fl, int i);
/* "TURN 198.51.100.2:3478 channel 0x4000" for a leg relayed through a
 * TURN channel, "" for a direct one. */
const char *kout_turn(const struct knl_flow_info *fl, int i, char *buf,
		      size_t len);

#endif /* KICE_KICECTL_KOUT_H */
