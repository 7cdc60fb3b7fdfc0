#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A test sender (tests/tools/sendjunk.c) throws truncated, oversized,
# random, foreign-cluster, wrongly keyed and replayed datagrams at a
# running node: each lands in the right `dropped` counter and the
# cluster's membership does not change.
. tests/mp/lib/mp.sh
mp_init junk
mp_tool sendjunk
junk=$MP_TOOL
mp_config 3
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
mp_wait 5 "all settled" mp_all "0 1 2" state member
e=$(mp_get 0 epoch)
for k in malformed foreign auth replay; do
	[ "$(mp_get 0 "$k")" = 0 ] || mp_fail "node 0 dropped $k datagrams before the test"
done

want=$("$junk" -c "$MP_CONF" --to 0 --as 1 --count 5) ||
	mp_fail "sendjunk failed"
echo "sent; expecting $want"

counts() {
	s=$(mp_status 0)
	got="malformed=$(mp_json_field "$s" malformed) foreign=$(mp_json_field "$s" foreign) auth=$(mp_json_field "$s" auth) replay=$(mp_json_field "$s" replay)"
	MP_WHY=$got
	[ "$got" = "$want" ]
}
mp_wait 5 "drop counters at $want" counts
# every junk datagram is in: none may have moved the cluster
for i in 0 1 2; do
	mp_is "$i" members 0,1,2 || mp_fail "node $i members changed: $(mp_get "$i" members)"
	mp_is "$i" epoch "$e" || mp_fail "node $i epoch changed: $(mp_get "$i" epoch)"
	mp_is "$i" state member || mp_fail "node $i is $(mp_get "$i" state)"
done
for i in 1 2; do
	for k in malformed foreign auth replay; do
		[ "$(mp_get "$i" "$k")" = 0 ] || mp_fail "node $i dropped $k datagrams"
	done
done
echo "ok: $got"
