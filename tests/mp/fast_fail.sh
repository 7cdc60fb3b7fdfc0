#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Fast crash detection (docs/PROTOCOL.md "Fast crash detection"), with real
# processes on loopback: three nodes, heartbeat_ms = 50 and
# failure_timeout_ms = 2000.
#  - SIGKILL of a node: its host answers the next heartbeat with a
#    port-unreachable, and the survivors commit far sooner than the
#    timeout (the bound, 500 ms, fails without the feature; it is not a
#    timing claim).  Once a plain member, once the crown prince (the
#    survivors then run phase 1).
#  - SIGSTOP of a node: its port stays open, nothing bounces, the failure
#    waits for the timeout.
#  - fast_fail = no: a SIGKILL waits for the timeout too.
# Times are from the signal to each survivor's commit as its
# `watch --json` stream stamps it (wall clock, one host).
. tests/mp/lib/mp.sh
mp_init fastfail
FT=2000

# ms since the epoch of a watch line's "time" (UTC, ms)
line_ms() {
	t=$(printf '%s\n' "$1" | sed -n 's/.*"time":"\([^"]*\)".*/\1/p')
	[ -n "$t" ] && date -u -d "$t" +%s%3N
}

# the first line of watch file F with type T (and epoch E, if given)
first_line() {
	grep "\"type\":\"$2\"" "$1" | { if [ -n "${3:-}" ]; then
		grep "\"epoch\":$3,"; else cat; fi; } | head -n 1
}

has_commit() { # FILE EPOCH
	[ -n "$(first_line "$1" commit "$2")" ]
}

# watch IDS: a watch --json stream per node into $MP_DIR/w.ID
watch_nodes() {
	for i in $1; do
		: >"$MP_DIR/w.$i"
		mp_ctl "$i" --json watch >"$MP_DIR/w.$i" 2>&1 &
		MP_PIDS="$MP_PIDS $!"
	done
	for i in $1; do
		mp_wait 5 "node $i's watch snapshot" grep -q '"snapshot"' \
		    "$MP_DIR/w.$i"
	done
}

# signal SIG to node VICTIM, wait for SURVIVORS to commit the next epoch;
# sets WORST to the longest signal-to-commit time, FAST to the survivors'
# failure events' "fast" values
signal_and_measure() { # VICTIM SIG "SURVIVORS"
	watch_nodes "$3"
	set -- "$1" "$2" "$3" $(( $(mp_get "${3%% *}" epoch) + 1 ))
	t0=$(mp_now_ms)
	kill "-$2" "$(mp_pid "$1")"
	for i in $3; do
		mp_wait 10 "node $i's commit of epoch $4" has_commit \
		    "$MP_DIR/w.$i" "$4"
	done
	WORST=0
	FAST=""
	for i in $3; do
		c=$(line_ms "$(first_line "$MP_DIR/w.$i" commit "$4")")
		dt=$((c - t0))
		echo "  node $i: $2 of node $1 -> commit of epoch $4: $dt ms"
		[ "$dt" -gt "$WORST" ] && WORST=$dt
		f=$(first_line "$MP_DIR/w.$i" failure)
		FAST="$FAST $(printf '%s\n' "$f" |
		    sed -n 's/.*"fast":\([a-z]*\).*/\1/p')"
	done
}

start_three() {
	mp_start_all "0 1 2"
	mp_wait 10 "three members" mp_all "0 1 2" members 0,1,2
}

echo "SIGKILL of node 0 (a member; node 2, the crown prince, takes the fast path)"
mp_config 3 "heartbeat_ms = 50" "failure_timeout_ms = $FT"
start_three
signal_and_measure 0 KILL "1 2"
wait "$(mp_pid 0)" 2>/dev/null
[ "$WORST" -lt 500 ] ||
	mp_fail "a killed node took $WORST ms to be replaced (timeout $FT ms)"
[ "$FAST" = " true true" ] ||
	mp_fail "the survivors' failure events say fast:$FAST, want true true"
grep -q 'node 0 failed (port unreachable, no answer to 3 probes in ' \
    "$MP_DIR/node2.log" || mp_fail "node 2 did not log the fast failure"
mp_ctl 1 metrics >"$MP_DIR/m1" || mp_fail "metrics"
grep -q '^cmm_fast_failures_total 1$' "$MP_DIR/m1" ||
	mp_fail "node 1's cmm_fast_failures_total is not 1"

echo "SIGKILL of node 2 (the crown prince; node 1 runs phase 1)"
mp_start 0
mp_wait 10 "node 0 back in" mp_all "0 1 2" members 0,1,2
signal_and_measure 2 KILL "0 1"
wait "$(mp_pid 2)" 2>/dev/null
[ "$WORST" -lt 500 ] ||
	mp_fail "the killed crown prince took $WORST ms to be replaced"
[ "$FAST" = " true true" ] || mp_fail "failure events say fast:$FAST"
mp_kill 0
mp_kill 1

# slow_case WHAT SIGNAL [CONFIG LINE]: a fresh cluster, node 0 gets SIGNAL,
# and the failure must wait for the timeout, with no suspicion on the way
slow_case() {
	rm -rf "$MP_DIR"/state* "$MP_DIR"/w.* "$MP_DIR/key"
	mp_config 3 "heartbeat_ms = 50" "failure_timeout_ms = $FT" ${3:+"$3"}
	start_three
	signal_and_measure 0 "$2" "1 2"
	[ "$WORST" -ge $((FT - 100)) ] ||
		mp_fail "$1: node 0 was failed after $WORST ms, before the timeout"
	[ "$FAST" = " false false" ] || mp_fail "$1: failure events say fast:$FAST"
	grep -q '"type":"suspect"' "$MP_DIR/w.1" "$MP_DIR/w.2" &&
		mp_fail "$1: node 0 was suspected"
}

echo "SIGSTOP of node 0: nothing bounces, the timeout decides"
slow_case "SIGSTOP" STOP
mp_kill 0
mp_kill 1
mp_kill 2

echo "fast_fail = no: SIGKILL waits for the timeout"
slow_case "fast_fail = no" KILL "fast_fail = no"
echo "ok"
