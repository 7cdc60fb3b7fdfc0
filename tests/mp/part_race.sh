#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Real partition of a two-node cluster sharing a file quorum device (on a
# directory both namespaces see): both lose each other at the same instant
# (nftables drop rules on both sides), race for the device
# (docs/PROTOCOL.md "Two-node clusters", FIG. 8), and exactly one wins: one
# node commits itself alone at the next epoch, the other goes no-quorum and
# commits nothing (it may learn, from the device, the winner's
# configuration, without itself: that is not a commit).  The heal
# re-forms the pair.  Repeated PART_RACES times (default 20), each bounded
# by a few seconds; short timeouts keep the whole under ~40 s.  Root only.
. tests/mp/lib/part.sh
part_init race
part_net 2
part_config 2 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 200"
printf '[device d01]\npath = d01.dev\nnodes = 0 1\n' >>"$MP_CONF"
RACES=${PART_RACES:-20}
part_start_all "0 1"
mp_wait 20 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both members" mp_all "0 1" state member

# one_winner E: one node member of itself alone at E+1, the other no-quorum
one_winner() {
	s0=$(mp_get 0 state)
	s1=$(mp_get 1 state)
	MP_WHY="states $s0 / $s1"
	case "$s0/$s1" in
	member/no-quorum) w=0; l=1 ;;
	no-quorum/member) w=1; l=0 ;;
	*) return 1 ;;
	esac
	mp_is "$w" members "$w" && mp_is "$w" epoch $(($1 + 1))
}

wins0=0
r=1
while [ "$r" -le "$RACES" ]; do
	e=$(mp_get 0 epoch)
	mp_is 1 epoch "$e" || mp_fail "race $r: the two disagree on the epoch"
	part_block 0 "1"
	part_block 1 "0"
	mp_wait 5 "race $r: exactly one winner at epoch $((e + 1))" one_winner "$e"
	le=$(mp_get "$l" epoch)
	[ "$le" -le "$e" ] || { [ "$le" = $((e + 1)) ] && mp_is "$l" members "$w"; } ||
	    mp_fail "race $r: the loser $l is at epoch $le with members $(mp_get "$l" members)"
	[ "$w" = 0 ] && wins0=$((wins0 + 1))
	part_unblock 0
	part_unblock 1
	mp_wait 5 "race $r: the pair again" mp_all "0 1" members 0,1
	mp_wait 5 "race $r: both members again" mp_all "0 1" state member
	r=$((r + 1))
done
echo "$RACES races, one winner each: node 0 won $wins0, node 1 won $((RACES - wins0))"
# the streams: no epoch where both committed themselves alone
part_check_streams
echo "ok"
