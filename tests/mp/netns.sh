#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Three nodes in three network namespaces, joined by veth pairs to a bridge
# in a fourth: taking one node's link down makes the other two commit a
# new epoch without it while it loses quorum; bringing it back up lets it
# rejoin.  Every namespace is removed at the end.  Needs root (CI is);
# skipped (exit 77) with a message otherwise.
. tests/mp/lib/mp.sh
mp_init netns
if [ "$(id -u)" != 0 ]; then
	mp_skip "not root (network namespaces need root)"
fi
if ! command -v ip >/dev/null 2>&1; then
	mp_skip "no ip command (iproute2)"
fi
tag=cmm$$
br=${tag}br
nsall="$br ${tag}n0 ${tag}n1 ${tag}n2"
mp_at_exit "for ns in $nsall; do ip netns del \$ns 2>/dev/null; done"
if ! ip netns add "$br" 2>"$MP_DIR/netns.err"; then
	mp_skip "cannot create a network namespace: $(cat "$MP_DIR/netns.err")"
fi
ip -n "$br" link add br0 type bridge || mp_fail "bridge"
ip -n "$br" link set br0 up || mp_fail "bridge up"
for i in 0 1 2; do
	ns=${tag}n$i
	ip netns add "$ns" || mp_fail "netns add $ns"
	ip -n "$ns" link add eth0 type veth peer name b$i netns "$br" ||
		mp_fail "veth for $ns"
	ip -n "$ns" addr add 10.199.0.1$i/24 dev eth0 || mp_fail "addr $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up || mp_fail "eth0 up in $ns"
	ip -n "$br" link set b$i master br0 || mp_fail "b$i into the bridge"
	ip -n "$br" link set b$i up || mp_fail "b$i up"
done

"$CMM" keygen "$MP_DIR/key" >/dev/null || mp_fail "keygen"
cat >"$MP_CONF" <<CONF
[cluster]
name = mp-netns
key_file = key
state_dir = state%n
control_socket = node%n.sock
[node 0]
address = 10.199.0.10:7400
[node 1]
address = 10.199.0.11:7400
[node 2]
address = 10.199.0.12:7400
CONF
for i in 0 1 2; do
	ip netns exec "${tag}n$i" "$CMM" node -c "$MP_CONF" --id "$i" --headless \
	    </dev/null >>"$MP_DIR/node$i.log" 2>&1 &
	echo $! >"$MP_DIR/pid$i"
	MP_PIDS="$MP_PIDS $!"
done
mp_wait 20 "three-node cluster across namespaces" mp_all "0 1 2" members 0,1,2
mp_wait 5 "all settled" mp_all "0 1 2" state member
e=$(mp_get 0 epoch)
echo "formed across namespaces at epoch $e"

ip -n "$br" link set b2 down || mp_fail "link down"
mp_wait 10 "reconfiguration without node 2" mp_all "0 1" members 0,1
mp_wait 5 "node 2 without quorum" mp_is 2 state no-quorum
[ "$(mp_get 0 epoch)" = $((e + 1)) ] || mp_fail "more than one epoch for one link"
echo "link of node 2 down: 0,1 at epoch $((e + 1)), node 2 no-quorum"

ip -n "$br" link set b2 up || mp_fail "link up"
mp_wait 10 "node 2 back" mp_all "0 1 2" members 0,1,2

for p in $MP_PIDS; do
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
MP_PIDS=""
for ns in $nsall; do
	ip netns del "$ns" || mp_fail "netns del $ns"
done
if ip netns list | grep -q "$tag"; then
	mp_fail "namespaces left behind: $(ip netns list | grep "$tag")"
fi
echo "ok"
