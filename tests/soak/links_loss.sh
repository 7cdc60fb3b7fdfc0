#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make soak` (not in `make check`): redundant links under independent
# loss.  Four nodes in network namespaces, each with two veth links over
# two bridges (tests/mp/lib/links.sh), netem 5% random loss on every
# node's every link, each on its own (egress of eth0 and eth1 in each node
# namespace, so a datagram's two copies are lost independently), with
# failure_timeout_ms = 300 and heartbeat_ms = 50.  For SOAK_SECONDS
# (default 600) any commit after formation is a false reconfiguration and
# fails the run.  Link flaps are allowed (one link may well miss six
# heartbeats in a row now and then) and counted: the table gives link
# down events, duplicates and the heartbeat gaps.  Root only.
CMM=${CMM:-$(pwd)/${BUILD:-build}/cmm}
export CMM
. tests/mp/lib/links.sh
mp_init soak-links
for tool in tc jq; do
	command -v "$tool" >/dev/null 2>&1 || mp_skip "no $tool"
done
N=4
SECS=${SOAK_SECONDS:-600}
links_net "$N"
# netem when the kernel has it; else (no sch_netem) an nftables random
# drop per interface, which loses the copies as independently
LOSS="netem 5% loss on each link"
i=0
while [ "$i" -lt "$N" ]; do
	ns=$(links_ns "$i")
	for k in 0 1; do
		ip netns exec "$ns" tc qdisc add dev eth$k root netem loss 5% \
		    2>"$MP_DIR/netem.err" && continue
		command -v nft >/dev/null 2>&1 ||
		    mp_skip "neither netem ($(head -n 1 "$MP_DIR/netem.err")) nor nft"
		LOSS="5% loss on each link by nftables numgen (no netem in this kernel)"
		printf '%s\n' 'add table inet soak' \
		    'add chain inet soak out { type filter hook output priority 0; policy accept; }' \
		    "add rule inet soak out oifname \"eth$k\" meta l4proto udp numgen random mod 100 < 5 counter drop" |
		    ip netns exec "$ns" nft -f - || mp_fail "nft loss on eth$k of $ns"
	done
	i=$((i + 1))
done
echo "loss: $LOSS"
links_config "$N" "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 300"
all=$(seq 0 $((N - 1)) | tr '\n' ' ')
full=$(seq -s, 0 $((N - 1)))
for i in $all; do
	links_spawn "$i"
done
mp_wait 30 "the cluster over two lossy networks" mp_all "$all" members "$full"
mp_wait 10 "all members" mp_all "$all" state member
for i in $all; do
	watch_start "$i"
done
e=$(mp_get 0 epoch)
echo "formed at epoch $e; $SECS s with 5% loss on each of $((2 * N)) links"
t_end=$(( $(date +%s) + SECS ))
while [ "$(date +%s)" -lt "$t_end" ]; do
	for i in $all; do
		ep=$(mp_get "$i" epoch)
		[ "$ep" = "$e" ] ||
		    mp_fail "node $i at epoch $ep after $(( SECS - t_end + $(date +%s) )) s: a false reconfiguration"
	done
	sleep 1
done
# the streams began after formation: any commit in them is a false one
for i in $all; do
	[ "$(commits "$i")" = 0 ] ||
	    mp_fail "node $i committed $(commits "$i") time(s) during the soak"
done
printf '%-5s %-10s %-10s %-12s %s\n' node link-downs duplicates replays \
    "heartbeat median/p99/max per link (ms)"
for i in $all; do
	downs=$(jq -c 'select(.type == "link" and .up == false)' \
	    "$MP_DIR/watch$i.jsonl" | wc -l)
	st=$(mp_ctl "$i" --json status)
	gaps=$(mp_ctl "$i" --json nodes | jq -r '[.nodes[] | select(.self | not)
	    | .links[] | select(.heartbeat != null)
	    | "\(.heartbeat.median_ms)/\(.heartbeat.p99_ms)/\(.heartbeat.max_ms)"]
	    | join(" ")')
	printf '%-5s %-10s %-10s %-12s %s\n' "$i" "$downs" \
	    "$(printf '%s' "$st" | jq -r .dropped.duplicate)" \
	    "$(printf '%s' "$st" | jq -r .dropped.replay)" "$gaps"
done
echo "ok: no reconfiguration in $SECS s (epoch $e throughout)"
