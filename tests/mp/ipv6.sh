#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# IPv6 and IPv4 in one cluster: nodes 0 and 1 on [::1], node 2 on
# 127.0.0.1 (it reaches the others through a second, IPv6 socket).  A link
# cut across the families still isolates the peer.  Skipped when
# the machine has no IPv6 loopback.
. tests/mp/lib/mp.sh
mp_init ipv6
if ! grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
	mp_skip "no IPv6 loopback address (::1)"
fi
mp_config 3
sed -i -e "s/^address = 127.0.0.1:$MP_PORT\$/address = [::1]:$MP_PORT/" \
    -e "s/^address = 127.0.0.1:$((MP_PORT + 1))\$/address = [::1]:$((MP_PORT + 1))/" \
    "$MP_CONF"
grep -q '^address = \[::1\]' "$MP_CONF" || mp_fail "config not rewritten"
mp_start_all "0 1 2"
mp_wait 15 "mixed-family cluster" mp_all "0 1 2" members 0,1,2
e=$(mp_get 0 epoch)
# nodes 0 and 1 (IPv6) cut node 2 (IPv4) off: the cluster drops node 2
mp_ctl 0 link cut 2 >/dev/null || mp_fail "link cut"
mp_ctl 1 link cut 2 >/dev/null || mp_fail "link cut"
mp_wait 10 "reconfiguration without node 2" mp_all "0 1" members 0,1
[ "$(mp_get 0 epoch)" -gt "$e" ] || mp_fail "members changed but the epoch stayed $e"
mp_wait 5 "node 2 without quorum" mp_is 2 state no-quorum
mp_ctl 0 link heal >/dev/null || mp_fail "link heal"
mp_ctl 1 link heal >/dev/null || mp_fail "link heal"
mp_wait 10 "node 2 back" mp_all "0 1 2" members 0,1,2
echo "ok"
