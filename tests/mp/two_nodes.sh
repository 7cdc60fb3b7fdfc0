#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Two nodes sharing a quorum device, link cut by fault injection: exactly
# one stays a member (it won the reservation race), the other ends
# no-quorum; heal: it rejoins.
. tests/mp/lib/mp.sh
mp_init two
mp_config 2
mp_device d01 "0 1"
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both settled as members" mp_all "0 1" state member
e=$(mp_get 0 epoch)

one_side_won() {
	s0=$(mp_get 0 state)
	s1=$(mp_get 1 state)
	if [ "$s0" = member ] && [ "$s1" = no-quorum ]; then
		winner=0
		loser=1
	elif [ "$s1" = member ] && [ "$s0" = no-quorum ]; then
		winner=1
		loser=0
	else
		return 1
	fi
	mp_is "$winner" members "$winner"
}

mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut refused"
mp_wait 10 "one member and one no-quorum node" one_side_won
[ "$(mp_get "$winner" epoch)" = $((e + 1)) ] ||
	mp_fail "winner $winner is at epoch $(mp_get "$winner" epoch), want $((e + 1))"
[ "$(mp_get "$loser" quorum)" = false ] || mp_fail "loser $loser claims quorum"
mp_ctl "$winner" devices | grep -q "reserved by $winner" ||
	mp_fail "device d01 is not reserved by the winner: $(mp_ctl "$winner" devices)"
echo "cut: node $winner won the device, node $loser has no quorum"

mp_ctl 0 link heal >/dev/null || mp_fail "link heal refused"
mp_wait 10 "rejoin after the heal" mp_all "0 1" members 0,1
mp_wait 5 "both members again" mp_all "0 1" state member
echo "healed: members 0,1 at epoch $(mp_get 0 epoch)"
echo "ok"
