#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Six nodes from the FIG. 1 config (ring of shared devices 0-3, 3-5, 5-1,
# 1-4, 4-2, 2-0) form one cluster; SIGKILL two at once: the four survivors
# commit exactly one new epoch with the same members; restart one: it
# rejoins in one step with a new incarnation.
. tests/mp/lib/mp.sh
mp_init six
mp_config 6
mp_device d03 "0 3"
mp_device d35 "3 5"
mp_device d51 "5 1"
mp_device d14 "1 4"
mp_device d42 "4 2"
mp_device d20 "2 0"
mp_start_all "0 1 2 3 4 5"

mp_wait 20 "six-node cluster" mp_all "0 1 2 3 4 5" members 0,1,2,3,4,5
mp_wait 5 "all six settled as members" mp_all "0 1 2 3 4 5" state member
e=$(mp_get 0 epoch)
mp_all "0 1 2 3 4 5" epoch "$e" || mp_fail "the six disagree on the epoch"
inc=$(mp_get 1 incarnation)
echo "formed: epoch $e, members 0-5"

# two at once: 1 and 4 share device d14
kill -KILL "$(mp_pid 1)" "$(mp_pid 4)"
mp_wait 10 "survivors' commit of 0,2,3,5" mp_all "0 2 3 5" members 0,2,3,5
for i in 0 2 3 5; do
	got=$(mp_get "$i" epoch)
	[ "$got" = $((e + 1)) ] ||
		mp_fail "node $i is at epoch $got after the double failure, want $((e + 1))"
done
mp_all "0 2 3 5" state member || mp_fail "a survivor is not a member"
echo "double failure: one step to epoch $((e + 1)), members 0,2,3,5"

mp_start 1
mp_wait 10 "rejoin of node 1" mp_all "0 1 2 3 5" members 0,1,2,3,5
for i in 0 1 2 3 5; do
	got=$(mp_get "$i" epoch)
	[ "$got" = $((e + 2)) ] ||
		mp_fail "node $i is at epoch $got after the rejoin, want $((e + 2))"
done
inc2=$(mp_get 1 incarnation)
[ "$inc2" -gt "$inc" ] ||
	mp_fail "node 1 came back with incarnation $inc2, not above $inc"
echo "rejoin: one step to epoch $((e + 2)), incarnation $inc -> $inc2"
echo "ok"
