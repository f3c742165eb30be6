/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Restart without media loss, SIGKILL and crashes included.
 *
 * kice.ko detaches a socket when the socket is destroyed, i.e. when the
 * last file descriptor of it is closed: flows cannot outlive every fd of
 * their sockets.  So with keep-flows, kiced starts a holder process (the
 * fd store) at start and keeps it current: every call's media sockets
 * (SCM_RIGHTS) and a description of the call go to it whenever the call
 * changes, and it learns when a call ends.  When kiced stops with SIGTERM,
 * is killed or crashes, the holder still has the sockets (the kernel
 * relays on) and the newest description, and serves both once, over a
 * Unix socket, to the next kiced, which adopts the calls and their kernel
 * flows.  If no kiced comes within handover-wait seconds, the holder
 * exits: the sockets close and the kernel removes the flows.  A stop
 * without handover (SIGINT, or SIGTERM without keep-flows) releases the
 * holder at once.  Documented in Documentation/kiced.rst ("Restart").
 */
#ifndef KICE_KICED_HANDOVER_H
#define KICE_KICED_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kiced;
struct call;

/*
 * At start: fetch what a holder keeps, if there is one, and adopt the
 * calls (kernel flows checked against a dump of the kernel's), or with
 * adopt-flows = no remove their flows.  Calls adopted, or -errno; -EBUSY
 * when the holder still serves a running kiced.
 */
int handover_restore(struct kiced *k);

/* keep-flows: start the fd store and give it every call.  0 or -errno. */
int handover_store_start(struct kiced *k);

/* Process id of the holder, 0 without a working store. */
long handover_store_pid(const struct kiced *k);

/*
 * Largest state text of one call the store takes: 65536 bytes (one
 * message).  kiced's input limits keep a call's state well below (a call
 * with 32 media sections, ICE and TURN on every leg is under 40 KB); tests
 * lower it.
 */
extern size_t handover_state_max;

/*
 * Give the store @c's state (and sockets) if it changed.  0 (also without
 * a store), -EMSGSIZE when the state is larger than handover_state_max
 * (warned about once per call; the store keeps what it had), or another
 * -errno when the store failed (and was closed).
 */
int handover_sync_call(struct kiced *k, struct call *c);

/*
 * Once a second: consent checks of adopted calls (their consent loss
 * unloads their streams), then every changed call to the store.  A store
 * whose holder is gone is started again HO_RETRY_MS (5 s) later.
 */
void handover_tick(struct kiced *k, uint64_t now_ms);

/*
 * At exit.  @keep: the holder keeps the sockets and the calls for the
 * next kiced (freeing the calls then leaves their kernel flows alone);
 * calls handed on, or -errno when there is no working store.  !@keep: the
 * holder releases everything and exits; 0.
 */
int handover_stop(struct kiced *k, bool keep);

#endif /* KICE_KICED_HANDOVER_H */
