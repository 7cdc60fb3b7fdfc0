#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make soak` (not in `make check`): heartbeats on a loaded host.  Sixteen
# nodes on loopback, heartbeat_ms = 30, failure_timeout_ms = 300, and one
# CPU hog per CPU at normal priority for SOAK_SECONDS (default 600), run
# twice: with `realtime = yes` (SCHED_RR loop, memory locked) and with
# `realtime = no`.  Any commit while the hogs run is a false
# reconfiguration: with realtime it fails the soak; without it is only
# reported, beside it, in one table.  Root only (SCHED_RR, mlockall).
CMM=${CMM:-$(pwd)/${BUILD:-build}/cmm}
export CMM
. tests/mp/lib/mp.sh
mp_init realtime_hog
[ "$(id -u)" -eq 0 ] || mp_skip "needs root for SCHED_RR and mlockall"
N=16
SECS=${SOAK_SECONDS:-600}
CPUS=$(nproc)

# all16 SOCKET: the node there sees the sixteen as members
all16() {
	"$CMM" ctl -s "$1" wait members 0-15 1 >/dev/null 2>&1
}

# run MODE PORT: one cluster with realtime = MODE under the hogs; prints
# "MODE commits policy" on stdout
run() {
	mode=$1
	dir=$MP_DIR/$mode
	mkdir -p "$dir"
	MP_REALTIME=$mode mp_write_config "$dir/cmm.conf" "hog-$mode" "$2" "$N" \
	    "heartbeat_ms = 30" "failure_timeout_ms = 300" \
	    "round_timeout_ms = 200" "join_retry_ms = 300" ||
	    mp_fail "keygen"
	pids=
	i=0
	while [ "$i" -lt "$N" ]; do
		"$CMM" node -c "$dir/cmm.conf" --id "$i" --headless </dev/null \
		    >>"$dir/node$i.log" 2>&1 &
		pids="$pids $!"
		MP_PIDS="$MP_PIDS $!"
		i=$((i + 1))
	done
	mp_wait 30 "sixteen members with realtime = $mode" \
	    all16 "$dir/node0.sock"
	# let the formation's rounds settle everywhere before counting
	i=0
	while [ "$i" -lt "$N" ]; do
		mp_wait 10 "node $i a member" all16 "$dir/node$i.sock"
		i=$((i + 1))
	done
	before=$(cat "$dir"/node*.log | grep -c ": commit epoch")
	policy=$("$CMM" ctl -s "$dir/node0.sock" status |
	    sed -n 's/^ *realtime: //p')
	hogs=
	k=0
	while [ "$k" -lt "$CPUS" ]; do
		sh -c 'while :; do :; done' &
		hogs="$hogs $!"
		MP_PIDS="$MP_PIDS $!"
		k=$((k + 1))
	done
	sleep "$SECS"	# the measurement window itself, not a wait for an event
	# shellcheck disable=SC2086 # one word per PID
	kill $hogs
	after=$(cat "$dir"/node*.log | grep -c ": commit epoch")
	# shellcheck disable=SC2086
	kill -TERM $pids
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	echo "$mode $((after - before)) $policy"
}

yes_line=$(run yes "$MP_PORT")
no_line=$(run no "$((MP_PORT + N))")
printf '\n%-10s %-12s %s\n' realtime "false commits" "loop policy (status)"
for l in "$yes_line" "$no_line"; do
	# shellcheck disable=SC2086 # the words of one line
	set -- $l
	m=$1
	c=$2
	shift 2
	printf '%-10s %-12s %s\n' "$m" "$c" "$*"
done
printf '(%d nodes, heartbeat 30 ms, failure timeout 300 ms, %d CPU hogs, %d s each)\n' \
    "$N" "$CPUS" "$SECS"
# shellcheck disable=SC2086
set -- $yes_line
[ "$2" -eq 0 ] || mp_fail "realtime = yes: $2 commits under the CPU hogs"
echo "ok"
