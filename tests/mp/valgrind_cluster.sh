#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Three `cmm node` processes under valgrind memcheck: formation,
# one failover (node 2 SIGKILLed; 0 and 1 commit 0,1 in one step), then a
# graceful shutdown of 0 and 1 by SIGTERM.  Each of those two must exit 0
# with zero memcheck errors and zero definite leaks (--error-exitcode=9
# with --errors-for-leak-kinds=definite makes a definite leak an error).
# Skipped with a message when valgrind is missing or the binary is built
# with ASan (the two cannot run together).
. tests/mp/lib/mp.sh
mp_init valgrind
if ! command -v valgrind >/dev/null 2>&1; then
	mp_skip "no valgrind"
fi
if nm "$CMM" 2>/dev/null | grep -q __asan_init; then
	mp_skip "$CMM is built with AddressSanitizer (valgrind cannot run it)"
fi
# slower timeouts: memcheck runs the daemon ~20 times slower
mp_config 3 "heartbeat_ms = 100" "failure_timeout_ms = 1500" \
    "round_timeout_ms = 1000" "join_retry_ms = 1000"
for i in 0 1 2; do
	valgrind --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --log-file="$MP_DIR/vg$i.log" \
	    "$CMM" node -c "$MP_CONF" --id "$i" --headless \
	    </dev/null >>"$MP_DIR/node$i.log" 2>&1 &
	echo $! >"$MP_DIR/pid$i"
	MP_PIDS="$MP_PIDS $!"
done
for i in 0 1 2; do
	mp_wait 30 "node $i under valgrind to answer" mp_up "$i"
done
mp_wait 30 "three-node cluster under valgrind" mp_all "0 1 2" members 0,1,2
e=$(mp_get 0 epoch)
echo "formed under valgrind: epoch $e"

mp_kill 2
mp_wait 20 "failover to 0,1" mp_all "0 1" members 0,1
[ "$(mp_get 0 epoch)" = $((e + 1)) ] || mp_fail "failover took more than one step"
echo "failover: 0,1 at epoch $((e + 1))"

for i in 0 1; do
	kill -TERM "$(mp_pid "$i")"
done
for i in 0 1; do
	pid=$(mp_pid "$i")
	# bounded: a node that does not exit within 30 s is killed by mp_wait
	mp_wait 30 "node $i to exit after SIGTERM" sh -c "! kill -0 $pid 2>/dev/null"
	wait "$pid"
	rc=$?
	grep -q "ERROR SUMMARY: 0 errors" "$MP_DIR/vg$i.log" ||
	    { cat "$MP_DIR/vg$i.log"; mp_fail "node $i: memcheck errors (above)"; }
	if grep -q "definitely lost: [1-9]" "$MP_DIR/vg$i.log"; then
		cat "$MP_DIR/vg$i.log"
		mp_fail "node $i: definite leaks (above)"
	fi
	[ "$rc" = 0 ] || { tail -n 30 "$MP_DIR/vg$i.log"; mp_fail "node $i exited $rc (9 = valgrind errors)"; }
	echo "node $i: exit 0, $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$MP_DIR/vg$i.log"), $(grep -o 'definitely lost: [0-9,]* bytes' "$MP_DIR/vg$i.log" || echo 'no leaks')"
done
echo "ok"
