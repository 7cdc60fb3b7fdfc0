/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify: tells systemd how the node is doing, for a unit of Type=notify
 * (assets/cmm-node@.service; cmm(1), "SYSTEMD").  The protocol is one
 * datagram of "KEY=VALUE" lines to the unix socket named in $NOTIFY_SOCKET
 * (a path, or an abstract name written with a leading '@'); libsystemd is
 * not needed for that.
 *
 *   READY=1     once the node is a member of a committed configuration
 *               (its first commit as a member); until then the unit is
 *               "activating" and STATUS
 *               says what the node waits for (the unit has no start
 *               timeout: a node may wait for its peers as long as it takes)
 *   STATUS=...  whenever the line changes: "member of epoch 7 {0-5}",
 *               "no quorum (last epoch 7 {0-5})", ...
 *   WATCHDOG=1  every half $WATCHDOG_USEC, from a timer on the daemon's
 *               loop: a loop that hangs stops the pings
 *   STOPPING=1  when the node starts to leave
 *
 * Without $NOTIFY_SOCKET all of this is a no-op.  The variables are taken
 * out of the environment at the start, so hooks never inherit them.
 */
#ifndef CMM_NOTIFY_H
#define CMM_NOTIFY_H


struct cmm_daemon;
struct cmm_notify;

/* Reads and unsets NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, and
 * follows the daemon's notes (cmm_daemon_listen).  Call after
 * cmm_daemon_start.  A notify socket it cannot use is logged (error), not
 * fatal.  NULL only when memory runs out. */
struct cmm_notify *cmm_notify_new(struct cmm_daemon *d);
/* Says STOPPING=1 if not said yet, stops listening and the timers. */
void	cmm_notify_free(struct cmm_notify *n);

/* Sends one message ("READY=1\nSTATUS=...") now.  0, or -1 (nothing to
 * send to, or the send failed: logged once). */
int	cmm_notify_send(struct cmm_notify *n, const char *msg);

#endif
