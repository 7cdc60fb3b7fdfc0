#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sends the kernel refuses are said in the log, rate-limited: the first at
# once, then one line with their count every 5 s.  (With 64 nodes in
# namespaces, a full neighbour table made most sends fail with ENOBUFS and
# the nodes waited for a majority without a word.)  Node 1's address is
# the broadcast address, which a socket without SO_BROADCAST may not send
# to (EACCES), root or not; node 1 never runs.
. tests/mp/lib/mp.sh
mp_init send_errors
mp_config 2
p1=$((MP_PORT + 1))
sed "s/^address = 127\.0\.0\.1:$p1\$/address = 255.255.255.255:$p1/" \
    "$MP_CONF" >"$MP_CONF.new" && mv "$MP_CONF.new" "$MP_CONF"
grep -q "^address = 255.255.255.255:$p1\$" "$MP_CONF" ||
    mp_fail "node 1's address not rewritten: $(cat "$MP_CONF")"
mp_start 0
log=$MP_DIR/node0.log
what="send(s) refused by the kernel, the last to node 1: "
mp_wait 5 "the first refused send in the log" \
    grep -qF "warn  node 0: 1 $what" "$log"
# heartbeats go every 100 ms: the second report counts tens of them
mp_wait 8 "the rate-limited count" grep -qE \
    "warn  node 0: [0-9]{2,} send\(s\) refused by the kernel, the last to node 1: " \
    "$log"
n=$(grep -cF "$what" "$log")
[ "$n" = 2 ] || mp_fail "$n lines about refused sends within 5 s, want 2"
mp_ctl 0 metrics 2>/dev/null | grep -q "^cmm_send_errors_total [1-9]" ||
    mp_fail "cmm_send_errors_total does not count them"
echo "ok"
