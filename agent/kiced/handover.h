/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Restart without media loss.
 *
 * kice.ko detaches a socket when the socket is destroyed, i.e. when the
 * last file descriptor of it is closed: flows cannot outlive every fd of
 * their sockets.  So on SIGTERM with keep-flows, kiced forks a holder
 * process that keeps the media sockets (and a description of the calls)
 * and serves them once, over a Unix socket, to the next kiced, which
 * adopts the calls and their kernel flows.  The kernel relays media all
 * the while.  If no kiced comes within handover-wait seconds, the holder
 * exits: the sockets close and the kernel removes the flows.
 * Documented in Documentation/kiced.rst ("Restart").
 */
#ifndef KICE_KICED_HANDOVER_H
#define KICE_KICED_HANDOVER_H

struct kiced;

/*
 * Hand every call's sockets and state to a holder process.  On success
 * the calls' kernel flows are no longer kiced's: freeing the calls leaves
 * them alone.  Number of calls handed on, or -errno (nothing changed).
 */
int handover_save(struct kiced *k);

/*
 * At start: fetch what a holder keeps, if there is one, and adopt the
 * calls (kernel flows checked against a dump of the kernel's), or with
 * adopt-flows = no remove their flows.  Calls adopted, or -errno.
 */
int handover_restore(struct kiced *k);

#endif /* KICE_KICED_HANDOVER_H */
