#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Forged port-unreachables (docs/PROTOCOL.md "Fast crash detection"): an
# unreachable is not authenticated, so it may only cost probes that a live
# peer answers.  Three nodes on loopback; tests/tools/forge_unreach.py
# sends node 1 a stream of ICMP port-unreachables claiming that its
# datagrams to node 0 bounced (one every 5 ms for a second), and a few for
# a port where no node lives.  Node 0 is alive: nobody may fail it, the
# epoch stays, node 1 suspects it at most once per heartbeat and tells
# node 2, which probes too; the others are counted as unknown.  Needs a raw
# socket (root): skipped (77) without one.
. tests/mp/lib/mp.sh
mp_init ffforged
command -v python3 >/dev/null || mp_skip "python3 is not installed"
FORGE="python3 tests/tools/forge_unreach.py"
mp_config 3 "heartbeat_ms = 50" "failure_timeout_ms = 2000"
mp_start_all "0 1 2"
mp_wait 10 "three members" mp_all "0 1 2" members 0,1,2
e=$(mp_get 1 epoch)
for i in 1 2; do
	mp_ctl "$i" --json watch >"$MP_DIR/w.$i" 2>&1 &
	MP_PIDS="$MP_PIDS $!"
done
for i in 1 2; do
	mp_wait 5 "node $i's watch snapshot" grep -q '"snapshot"' "$MP_DIR/w.$i"
done
# real unreachables may come at start (a peer not listening yet): count
# from here
unreach() { # TO
	mp_ctl 1 metrics | sed -n "s/^cmm_unreachable_total{to=\"$1\"} //p"
}
node0=$(unreach node)
unknown0=$(unreach unknown)
t0=$(mp_now_ms)
$FORGE $((MP_PORT + 1)) "$MP_PORT" 200 5
rc=$?
[ "$rc" = 77 ] && mp_skip "no raw socket to forge ICMP with (needs root)"
[ "$rc" = 0 ] || mp_fail "forge_unreach.py failed ($rc)"
$FORGE $((MP_PORT + 1)) $((MP_PORT + 17)) 3 1 || mp_fail "forge_unreach.py"
t1=$(mp_now_ms)
# a failure would come within the window (20 ms) of the last forgery;
# wait a heartbeat and a half past it
sleep 0.1
for i in 1 2; do
	grep -q '"type":"failure"' "$MP_DIR/w.$i" &&
		mp_fail "node $i failed a live node: $(grep '"failure"' \
		    "$MP_DIR/w.$i" | head -n 1)"
	[ "$(mp_get "$i" epoch)" = "$e" ] ||
		mp_fail "node $i moved to epoch $(mp_get "$i" epoch)"
done
n1=$(grep -c '"type":"suspect".*"reporter":null' "$MP_DIR/w.1")
n2=$(grep -c '"type":"suspect".*"reporter":1,' "$MP_DIR/w.2")
echo "node 1: $n1 suspicions from $(( t1 - t0 )) ms of forgeries;" \
    "node 2: $n2 reported by node 1"
[ "$n1" -ge 1 ] ||
	mp_fail "node 1 never suspected node 0: the forgeries were not seen"
[ "$n2" -ge 1 ] || mp_fail "node 2 never heard node 1's suspicion"
# at most one burst per heartbeat (and one at each end)
[ "$n1" -le $(( (t1 - t0) / 50 + 2 )) ] ||
	mp_fail "$n1 suspicions in $(( t1 - t0 )) ms: more than one a heartbeat"
grep -q 'node 0 answered after' "$MP_DIR/node1.log" ||
	mp_fail "node 1 did not log node 0's answer"
mp_ctl 1 metrics >"$MP_DIR/m1" || mp_fail "metrics"
got=$(grep '^cmm_unreachable_total' "$MP_DIR/m1" | tr '\n' ' ')
[ $(($(unreach node) - node0)) = 200 ] ||
	mp_fail "want 200 more unreachables for node 0's address than the" \
	    "$node0 before: $got"
[ $(($(unreach unknown) - unknown0)) = 3 ] ||
	mp_fail "want 3 more for an unknown address than the $unknown0" \
	    "before: $got"
grep -q '^cmm_fast_failures_total 0$' "$MP_DIR/m1" ||
	mp_fail "cmm_fast_failures_total is not 0"
grep -q "port-unreachable(s) for an address of no configured node, ignored,\
 the last for 127.0.0.1:$((MP_PORT + 17))" "$MP_DIR/node1.log" ||
	mp_fail "the unknown address was not logged"
echo "ok"
