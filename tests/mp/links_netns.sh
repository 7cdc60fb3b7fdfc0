#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Redundant links over real networks: three nodes, each in its own network
# namespace with two veth links, eth0 on bridge br0 (10.232.0.0/24, link 0)
# and eth1 on bridge br1 (10.233.0.0/24, link 1), each bridge in a
# namespace of its own.  Faults are real: a node's interface is taken
# down.
#  - node 2's eth1 down: no new epoch for ten failure timeouts
#    (LINKS_HOLD_MS=30000 makes it 30 s) while the others' `nodes --json`
#    shows node 2's link 1 down
#  - eth0 down too: exactly one new epoch, without node 2
#  - eth0 up again: node 2 back in one step
# Every namespace is removed at exit.  Needs root and ip (skipped, exit 77,
# with the reason, otherwise).
. tests/mp/lib/links.sh
mp_init links-netns
command -v jq >/dev/null 2>&1 || mp_skip "no jq command"
links_net 3
links_config 3 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 300"
for i in 0 1 2; do
	links_spawn "$i"
done
all="0 1 2"
mp_wait 20 "three-node cluster over two networks" mp_all "$all" members 0,1,2
mp_wait 5 "all three members" mp_all "$all" state member
for i in $all; do
	watch_start "$i"
done
e=$(mp_get 0 epoch)
mp_all "$all" epoch "$e" || mp_fail "the three disagree on the epoch"
mp_wait 5 "node 2's link 1 up at node 0" link_is 0 2 1 true
mp_wait 5 "duplicates at node 0" dup_over 0 10
echo "formed over two bridges: epoch $e, $(dup 0) duplicates at node 0"

c0=$(commits 0)
ip -n "$(links_ns 2)" link set eth1 down || mp_fail "eth1 down"
mp_wait 3 "node 2's link 1 down at node 0" link_is 0 2 1 false
mp_wait 3 "node 2's link 1 down at node 1" link_is 1 2 1 false
link_is 0 2 0 true || mp_fail "node 2's link 0 went down with link 1"
hold=${LINKS_HOLD_MS:-3000}
epoch_holds "$all" "$e" "$hold"
[ "$(commits 0)" = "$c0" ] || mp_fail "a commit while one link was down"
mp_wait 3 "a link-down event at node 0" has_link_event 0 2 1 false
echo "eth1 of node 2 down: link 1 down at 0 and 1, epoch $e held for $hold ms"

ip -n "$(links_ns 2)" link set eth0 down || mp_fail "eth0 down"
mp_wait 10 "nodes 0,1 without node 2" mp_all "0 1" members 0,1
epoch_holds "0 1" $((e + 1)) 1500
[ "$(commits 0)" = $((c0 + 1)) ] ||
    mp_fail "node 0 committed $(( $(commits 0) - c0 )) times for one failure, want 1"
echo "both down: one new epoch $((e + 1))"

ip -n "$(links_ns 2)" link set eth0 up || mp_fail "eth0 up"
mp_wait 10 "node 2 back" mp_all "$all" members 0,1,2
mp_wait 5 "all three members again" mp_all "$all" state member
mp_all "$all" epoch $((e + 2)) ||
    mp_fail "epochs after eth0 came back: $(mp_get 0 epoch) $(mp_get 1 epoch) $(mp_get 2 epoch), want $((e + 2)) (one step)"
link_is 0 2 1 false || mp_fail "node 2's link 1 should still be down"
echo "eth0 up: back at epoch $((e + 2)) in one step, link 1 still down"
echo "ok"
