#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Redundant links on loopback: three nodes, each with two addresses
# (127.0.0.1 and 127.0.0.2, one per link).  Links are cut with the
# daemon's fault injection on node 2 (`link cut 0/1`: its link 1 to node 0,
# both directions), which drops before the replay window, as a dead network
# would.
#  - one link of node 2 cut: no new epoch for ten failure timeouts, while
#    the others' `nodes --json` shows that link down (and a `link` event
#    and log line say so); copies from the other links are counted as
#    `duplicate`, never as `replay`
#  - both links cut: exactly one new epoch, without node 2
#  - one link healed: node 2 back in one step (one more epoch)
#  - `cmm check` probes every peer on every link; `config` lists them
#  - address lists: more than four, a duplicate, a bad one and a node with
#    fewer links than the others are one-line errors
. tests/mp/lib/links.sh
mp_init links
command -v jq >/dev/null 2>&1 || mp_skip "no jq command"
mp_config 3 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 300"
# the second link of every node: same port on 127.0.0.2
sed -i 's/^address = 127\.0\.0\.1:\([0-9]*\)$/address = 127.0.0.1:\1, 127.0.0.2:\1/' \
    "$MP_CONF"
[ "$(grep -c '^address = 127.0.0.1:[0-9]*, 127.0.0.2:[0-9]*$' "$MP_CONF")" = 3 ] ||
    mp_fail "config edit: $(grep address "$MP_CONF")"

# ---- the address list's errors, one line each ----
cfg_err() { # DESC EXPECTED ADDRESS-LINE-OF-NODE-1
	sed "/^\[node 1\]/,/^address/s/^address = .*/address = $3/" "$MP_CONF" \
	    >"$MP_DIR/bad.conf"
	out=$("$CMM" check -c "$MP_DIR/bad.conf" --id 1 2>&1)
	printf '%s\n' "$out" | grep -q "^FAIL config: .*bad.conf:[0-9]*: address: $2" ||
	    mp_fail "$1: want '$2', got: $out"
}
p=$((MP_PORT + 1))
cfg_err "five addresses" "more than 4 addresses" \
    "127.0.0.1:$p, 127.0.0.2:$p, 127.0.0.3:$p, 127.0.0.4:$p, 127.0.0.5:$p"
cfg_err "a duplicate" "127.0.0.2:$p is listed twice" "127.0.0.2:$p, 127.0.0.2:$p"
cfg_err "a bad address" "bad address '127.0.0.2'" "127.0.0.1:$p, 127.0.0.2"
cfg_err "an empty one" "an empty address" "127.0.0.1:$p, , 127.0.0.3:$p"
cfg_err "another node's" "127.0.0.2:$MP_PORT is already an address of node 0" \
    "127.0.0.1:$p, 127.0.0.2:$MP_PORT"
cfg_err "fewer links" "node 1 has 1 address, node 0 has 2" "127.0.0.1:$p"
echo "address lists: five, duplicate, bad, empty, taken, fewer: one-line errors"

all="0 1 2"
mp_start_all "$all"
mp_wait 20 "three-node cluster" mp_all "$all" members 0,1,2
mp_wait 5 "all three members" mp_all "$all" state member
for i in $all; do
	watch_start "$i"
done
e=$(mp_get 0 epoch)
mp_all "$all" epoch "$e" || mp_fail "the three disagree on the epoch"
mp_wait 5 "every link up" link_is 0 2 1 true
link_is 0 2 0 true || mp_fail "node 2's link 0 not up at node 0"
p2=$((MP_PORT + 2))
mp_ctl 0 config | grep -q "^  node 2 address 127.0.0.1:$p2, 127.0.0.2:$p2\$" ||
    mp_fail "config does not list node 2's two addresses: $(mp_ctl 0 config)"
echo "formed over two links each: epoch $e"

# ---- copies are duplicates, not replays ----
mp_wait 5 "duplicates counted at node 0" dup_over 0 10
r=$(mp_ctl 0 --json status | jq -r '.dropped.replay')
[ "$r" = 0 ] || mp_fail "node 0 counted $r replays with two links: copies must be duplicates"
mp_ctl 0 metrics | grep -q '^cmm_link_up{peer="2",link="1"} 1$' ||
    mp_fail "metrics lack cmm_link_up for node 2 link 1"
echo "copies: $(dup 0) duplicates at node 0, 0 replays"

# ---- one link of node 2 cut: seen down, no reconfiguration ----
c0=$(commits 0)
mp_ctl 2 link cut 0/1 >/dev/null || mp_fail "link cut 0/1"
mp_ctl 2 link cut 1/1 >/dev/null || mp_fail "link cut 1/1"
mp_wait 3 "node 2's link 1 down at node 0" link_is 0 2 1 false
mp_wait 3 "node 2's link 1 down at node 1" link_is 1 2 1 false
link_is 0 2 0 true || mp_fail "node 2's link 0 went down with link 1"
d0=$(dup 0)
epoch_holds "$all" "$e" 3000
mp_all "$all" members 0,1,2 || mp_fail "members changed with one link down"
[ "$(commits 0)" = "$c0" ] || mp_fail "a commit while one link was down"
[ "$(dup 0)" -gt "$d0" ] || mp_fail "no duplicates from node 1 while node 2's link 1 was down"
mp_wait 3 "a link-down event at node 0" has_link_event 0 2 1 false
grep -q "link 1 to node 2 (127.0.0.2:$((MP_PORT + 2))) down" "$MP_DIR/node0.log" ||
    mp_fail "no link-down log line at node 0"
mp_ctl 0 nodes | grep -q "link 1 127.0.0.2:$((MP_PORT + 2)) *DOWN" ||
    mp_fail "nodes (text) does not show node 2's link 1 DOWN: $(mp_ctl 0 nodes)"
echo "one link cut: link 1 down at 0 and 1, epoch $e held for 3 s (10 failure timeouts)"

# ---- both links cut: exactly one new epoch ----
mp_ctl 2 link cut 0/0 >/dev/null || mp_fail "link cut 0/0"
mp_ctl 2 link cut 1/0 >/dev/null || mp_fail "link cut 1/0"
mp_wait 10 "nodes 0,1 without node 2" mp_all "0 1" members 0,1
mp_wait 5 "node 2 without quorum" mp_is 2 state no-quorum
epoch_holds "0 1" $((e + 1)) 1500
[ "$(commits 0)" = $((c0 + 1)) ] ||
    mp_fail "node 0 committed $(( $(commits 0) - c0 )) times for one failure, want 1"
echo "both links cut: one new epoch $((e + 1)), members 0,1"

# ---- one link healed: back in one step ----
mp_ctl 2 link heal 0/0 >/dev/null || mp_fail "link heal 0/0"
mp_ctl 2 link heal 1/0 >/dev/null || mp_fail "link heal 1/0"
mp_wait 10 "node 2 back" mp_all "$all" members 0,1,2
mp_wait 5 "all three members again" mp_all "$all" state member
mp_all "$all" epoch $((e + 2)) ||
    mp_fail "epochs after the heal: $(mp_get 0 epoch) $(mp_get 1 epoch) $(mp_get 2 epoch), want $((e + 2)) (one step)"
link_is 0 2 1 false || mp_fail "node 2's link 1 should still be down"
mp_wait 3 "a link-up event at node 0" has_link_event 0 2 0 true
echo "one link healed: back at epoch $((e + 2)) in one step, link 1 still down"

# ---- cmm check: every peer on every link ----
mp_ctl 2 link heal >/dev/null || mp_fail "link heal"
mp_kill 2
out=$("$CMM" check -c "$MP_CONF" --id 2 --timeout 2000 2>&1)
for want in "ok bind 127.0.0.1:$((MP_PORT + 2))" "ok bind 127.0.0.2:$((MP_PORT + 2))" \
    "ok peer 0 link 0 answered (127.0.0.1:$MP_PORT" \
    "ok peer 0 link 1 answered (127.0.0.2:$MP_PORT" \
    "ok peer 1 link 0 answered" "ok peer 1 link 1 answered"; do
	printf '%s\n' "$out" | grep -qF "$want" || mp_fail "cmm check lacks '$want': $out"
done
echo "cmm check: both peers answered on both links"
echo "ok"
