#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# cmm demo: six nodes (the FIG. 1 ring) form one cluster at one epoch;
# `kill 5` on the demo's stdin makes the others commit {0-4}, `start 5`
# brings it back; the demo prints the event stream; `quit` stops every
# process it started and leaves none behind.
set -u
CMM=${CMM:-$(pwd)/build/cmm}
T=$(mktemp -d /tmp/cmm-demo-test.XXXXXX)
DEMO_PID=""

# every node pid the demo reported starting
node_pids() {
	sed -n 's/^cmm demo: node [0-9]* started, pid \([0-9]*\),.*/\1/p' \
	    "$T/demo.out" 2>/dev/null
}

cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$DEMO_PID" ] && kill -9 "$DEMO_PID" 2>/dev/null
	for p in $(node_pids); do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- demo output"; tail -n 30 "$T/demo.out" 2>/dev/null
	for i in 0 1 2 3 4 5; do
		echo "--- node $i log"; tail -n 8 "$T/d/node$i.log" 2>/dev/null
	done
	exit 1
}

poll() {
	n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -le 0 ] && return 1
		sleep 0.1
	done
	return 0
}

ctl() { # node args...
	s=$T/d/node$1.sock
	shift
	"$CMM" ctl -s "$s" "$@"
}

mkfifo "$T/in"
"$CMM" demo --dir "$T/d" <"$T/in" >"$T/demo.out" 2>&1 &
DEMO_PID=$!
exec 3>"$T/in"

grep -q '^\[device d0-3\]' "$T/d/cmm.conf" 2>/dev/null ||
    poll 50 grep -q '^\[device d0-3\]' "$T/d/cmm.conf" || fail "no config written"
for dev in d0-3 d3-5 d5-1 d1-4 d4-2 d2-0; do
	grep -q "^\[device $dev\]" "$T/d/cmm.conf" || fail "FIG. 1 device $dev missing"
	[ -f "$T/d/devices/$dev" ] || fail "device file $dev missing"
done
grep -q '^fault_injection = on' "$T/d/cmm.conf" || fail "fault injection not on"

for i in 0 1 2 3 4 5; do
	poll 100 ctl "$i" members || fail "node $i never answered"
	poll 50 grep -q "^cmm demo: node $i: connected" "$T/demo.out" ||
	    fail "the demo never connected to node $i"
done
[ "$(node_pids | wc -l)" -eq 6 ] || fail "the demo did not report six pids"

# one cluster of six, at one epoch everywhere
epochs=""
for i in 0 1 2 3 4 5; do
	ctl "$i" wait members 0-5 30 >/dev/null || fail "node $i never saw members 0-5"
done
for i in 0 1 2 3 4 5; do
	e=$(ctl "$i" --json status | sed -n 's/.*"epoch":\([0-9]*\),.*/\1/p')
	[ -n "$e" ] || fail "no epoch from node $i"
	epochs="$epochs $e"
done
[ "$(echo "$epochs" | tr ' ' '\n' | grep . | sort -u | wc -l)" -eq 1 ] ||
    fail "nodes disagree on the epoch:$epochs"
poll 50 grep -q "commit: members 0-5" "$T/demo.out" || fail "the demo printed no commit event"

# demo commands on stdin
p5=$(sed -n 's/^cmm demo: node 5 started, pid \([0-9]*\),.*/\1/p' "$T/demo.out")
echo "kill 5" >&3
for i in 0 1 2 3 4; do
	ctl "$i" wait members 0-4 20 >/dev/null || fail "node $i never committed 0-4 after kill 5"
done
poll 50 sh -c "! kill -0 $p5" || fail "node 5 (pid $p5) still runs after kill 5"
echo "start 5" >&3
poll 100 ctl 5 members || fail "node 5 did not come back"
ctl 5 wait members 0-5 20 >/dev/null || fail "node 5 did not rejoin"
# a node command goes to the viewed node
echo "view 2" >&3
echo "members" >&3
poll 50 grep -q "^node 2> epoch [0-9]*: 0-5" "$T/demo.out" || fail "members via the demo"

# quit: every process it started is gone, the demo exits 0
pids=$(node_pids)
echo quit >&3
n=150
while kill -0 "$DEMO_PID" 2>/dev/null; do
	n=$((n - 1))
	[ "$n" -le 0 ] && fail "demo did not stop after quit"
	sleep 0.1
done
wait "$DEMO_PID"
rc=$?
DEMO_PID=""
[ "$rc" -eq 0 ] || fail "demo exited $rc"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "pid $p still runs after quit"
done
echo ok
