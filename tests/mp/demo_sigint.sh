#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# cmm demo -n 3: a ring of three; `cut 0 1` through the demo is seen by the
# nodes (link state), `heal` restores it; then SIGINT (Ctrl-C) to the demo
# alone stops every node it started, and only those.
set -u
CMM=${CMM:-$(pwd)/build/cmm}
T=$(mktemp -d /tmp/cmm-demo-test.XXXXXX)
DEMO_PID=""
BYSTANDER=""

node_pids() {
	sed -n 's/^cmm demo: node [0-9]* started, pid \([0-9]*\),.*/\1/p' \
	    "$T/demo.out" 2>/dev/null
}

cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$DEMO_PID" ] && kill -9 "$DEMO_PID" 2>/dev/null
	[ -n "$BYSTANDER" ] && kill "$BYSTANDER" 2>/dev/null
	for p in $(node_pids); do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- demo output"; grep -v " epoch [0-9]* \(round\|state\|join\|quorum\|alive\)" "$T/demo.out" | tail -n 40
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

ctl() {
	s=$T/d/node$1.sock
	shift
	"$CMM" ctl -s "$s" "$@"
}

# a process the demo did not start: it must survive
sleep 60 &
BYSTANDER=$!

mkfifo "$T/in"
"$CMM" demo -n 3 --dir "$T/d" <"$T/in" >"$T/demo.out" 2>&1 &
DEMO_PID=$!
exec 3>"$T/in"
for i in 0 1 2; do
	poll 100 ctl "$i" members || fail "node $i never answered"
	# the demo's own connection, which `cut` and `heal` go through
	poll 50 grep -q "^cmm demo: node $i: connected" "$T/demo.out" ||
	    fail "the demo never connected to node $i"
done
[ "$(grep -c '^\[device ' "$T/d/cmm.conf")" -eq 3 ] || fail "a ring of three has three devices"
ctl 0 wait members 0-2 30 >/dev/null || fail "no cluster of three"

echo "cut 0 1" >&3
poll 50 sh -c "'$CMM' ctl -s '$T/d/node0.sock' --json nodes | grep -q '\"id\":1,[^}]*\"link\":\"cut\"'" ||
    fail "node 0 does not show its link to 1 cut"
poll 50 sh -c "'$CMM' ctl -s '$T/d/node1.sock' --json nodes | grep -q '\"id\":0,[^}]*\"link\":\"cut\"'" ||
    fail "node 1 does not show its link to 0 cut"
echo "heal" >&3
poll 50 sh -c "'$CMM' ctl -s '$T/d/node0.sock' --json nodes | grep -q '\"id\":1,[^}]*\"link\":\"up\"'" ||
    fail "heal did not restore the link"
ctl 0 wait members 0-2 30 >/dev/null || fail "no cluster of three after heal"

pids=$(node_pids)
kill -INT "$DEMO_PID"
n=150
while kill -0 "$DEMO_PID" 2>/dev/null; do
	n=$((n - 1))
	[ "$n" -le 0 ] && fail "demo did not stop on SIGINT"
	sleep 0.1
done
wait "$DEMO_PID"
rc=$?
DEMO_PID=""
[ "$rc" -eq 0 ] || fail "demo exited $rc after SIGINT"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "pid $p still runs after SIGINT"
done
kill -0 "$BYSTANDER" 2>/dev/null || fail "the demo stopped a process it did not start"
grep -q "interrupted: stopping" "$T/demo.out" || fail "no stop message"
echo ok
