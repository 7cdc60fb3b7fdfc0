#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A steady stream of datagrams must not hold back a node's own timer.
# Three nodes with heartbeat_ms = 1: each receives about 2000 authentic
# datagrams a second, less than a millisecond apart.  A daemon that
# re-armed an overdue timer after each of them (an overdue deadline reads
# as "now + 1 ms") stopped sending heartbeats while the stream lasted, and
# the others failed it.  For STREAM_SECONDS (default 4, 10 failure
# timeouts) no epoch may follow the first.  The failure timeout is 400
# heartbeats: that bug silenced a node for the whole stream, while a test
# machine under load may stall a process for a tenth of a second.
. tests/mp/lib/mp.sh
mp_init timer_stream
SECS=${STREAM_SECONDS:-4}
mp_config 3 "heartbeat_ms = 1" "failure_timeout_ms = 400" \
    "round_timeout_ms = 100"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
mp_wait 5 "all settled" mp_all "0 1 2" state member
e=$(mp_get 0 epoch)
sleep "$SECS"	# the measurement window itself, not a wait for an event
for i in 0 1 2; do
	got=$(mp_get "$i" epoch)
	[ "$got" = "$e" ] || mp_fail "node $i is at epoch $got, not $e: a" \
	    "node stopped sending under the stream ($(grep -h 'failed (silent' \
	    "$MP_DIR"/node*.log | head -3 | tr '\n' ' '))"
done
echo "epoch $e held for $SECS s"
echo "ok"
