#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `devices` while another holder keeps the device file locked (a node
# stuck in the middle of an operation, a hung shared filesystem): the
# command answers while the lock is still held, naming the device that
# gave no answer, and so does the next one; the cluster does not notice
# (the same epoch, no failure logged) and node 0's loop never waited
# more than the 150 ms a `devices` call may hold it (250 with slack),
# unless node 1, which has no device call to wait on, ran about as late:
# a host that stalls both, as a loaded test machine can for a second, is
# not the device's doing; once the lock goes, `devices` reads the record
# again.
. tests/mp/lib/mp.sh
mp_init devices_hung
mp_config 2 "heartbeat_ms = 50" "failure_timeout_ms = 3000"
mp_device d01 "0 1"
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
e=$(mp_get 0 epoch)
read_ok() {
	MP_WHY=$(mp_ctl 0 devices 2>&1)
	case "$MP_WHY" in *"no answer"* | *"cannot read"*) return 1 ;; esac
	printf '%s\n' "$MP_WHY" | grep -q "registered"
}
mp_wait 5 "a readable d01" read_ok

# the holder keeps a write lock until told to go (30 s at most)
python3 - "$MP_DIR/d01.dev" "$MP_DIR/release" "$MP_DIR/locked" <<'PY' &
import fcntl, os, sys, time
f = open(sys.argv[1], 'r+b')
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[3], 'w').close()
end = time.time() + 30
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
PY
HPID=$!
MP_PIDS="$MP_PIDS $HPID"
mp_wait 10 "the holder's lock" test -e "$MP_DIR/locked"
for n in 1 2; do
	out=$(mp_ctl 0 devices 2>&1)
	kill -0 "$HPID" 2>/dev/null ||
	    mp_fail "devices $n answered only after the lock went: $out"
	printf '%s\n' "$out" | grep -q "no answer" ||
	    mp_fail "devices $n does not say d01 gave no answer: $out"
	echo "devices $n, lock held: $(printf '%s\n' "$out" | grep 'no answer')"
done
# a heartbeat stalled for the failure timeout would have cost an epoch
mp_all "0 1" members 0,1 || mp_fail "the cluster changed while d01 hung"
for i in 0 1; do
	[ "$(mp_get "$i" epoch)" = "$e" ] ||
	    mp_fail "node $i left epoch $e while d01 hung"
done
! grep -q "failed (" "$MP_DIR/node0.log" "$MP_DIR/node1.log" ||
	mp_fail "a failure was logged while d01 hung: $(grep "failed (" "$MP_DIR"/node*.log)"
# the most a node's loop ran late, in ms (0: never by a heartbeat)
most_late() {
	sed -n 's/.*the event loop ran \([0-9]*\) ms late.*/\1/p' \
	    "$MP_DIR/node$1.log" | sort -n | tail -n 1 | grep . || echo 0
}
late0=$(most_late 0)
late1=$(most_late 1)
echo "the loops ran late by at most: node 0 $late0 ms, node 1 $late1 ms"
[ "$late0" -le 250 ] || [ "$late1" -ge $((late0 - 250)) ] ||
	mp_fail "node 0's loop waited $late0 ms (node 1's $late1 ms) while d01 hung"

: >"$MP_DIR/release"
wait "$HPID"
mp_wait 5 "d01 read again after the lock went" read_ok
echo "ok"
