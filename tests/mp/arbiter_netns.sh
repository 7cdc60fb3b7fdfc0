#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Two nodes and a network arbiter, each in its own network namespace on one
# bridge (tests/mp/lib/part.sh): the arbiter is the pair's only quorum
# device (docs/PROTOCOL.md "The network arbiter").  Both nodes lose each
# other at once (nftables drop rules on both sides) while both still reach
# the arbiter, race for it, and exactly one goes on alone at the next
# epoch; the heal re-forms the pair.  ARB_RACES times (default 20), and in
# one of them node 0 is killed as soon as it is seen out of plain
# membership after the cut (in its round, or just past it: the state is
# polled every 0.1 s): node 1 then wins alone, or stays without quorum, or
# learns that node 0 alone was chosen before it died, and no two sides
# ever hold disjoint clusters; node 0 restarts and the pair re-forms.  The watch streams are checked
# at the end.  Root only (skips otherwise).
. tests/mp/lib/part.sh
part_init arbnetns
part_net 3
part_config 2 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 200"
ADDR=$(part_addr 2):7500
printf '[device d01]\narbiter = %s\nnodes = 0 1\n' "$ADDR" >>"$MP_CONF"
mkdir "$MP_DIR/arb"
printf '[arbiter]\nlisten = %s\nstate_dir = arb\n[cluster part-arbnetns]\nkey_file = key\n' \
    "$ADDR" >"$MP_DIR/arbiter.conf"
ip netns exec "$(part_ns 2)" "$CMM" arbiter -c "$MP_DIR/arbiter.conf" \
    </dev/null >>"$MP_DIR/node-arbiter.log" 2>&1 &
MP_PIDS="$MP_PIDS $!"
RACES=${ARB_RACES:-20}
KILL_AT=${ARB_KILL_AT:-$((RACES / 2))}
part_start_all "0 1"
mp_wait 20 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both members" mp_all "0 1" state member

# node 0 has left plain membership at epoch E: in a round, or past it
node0_racing() {
	MP_WHY="node 0 $(mp_get 0 state) at epoch $(mp_get 0 epoch)"
	[ "$(mp_get 0 state)" != member ] || ! mp_is 0 epoch "$1"
}

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

# node 1 after node 0 died in the race: member alone at E+1, or no-quorum
# having learnt that node 0 alone was chosen at E+1
survivor_settled() {
	s1=$(mp_get 1 state)
	MP_WHY="node 1 $s1 at epoch $(mp_get 1 epoch) with $(mp_get 1 members)"
	case "$s1" in
	member) mp_is 1 members 1 && mp_is 1 epoch $(($1 + 1)) ;;
	no-quorum) mp_is 1 epoch "$1" || { mp_is 1 epoch $(($1 + 1)) &&
	    mp_is 1 members 0; } ;;
	*) return 1 ;;
	esac
}

wins0=0
r=1
while [ "$r" -le "$RACES" ]; do
	e=$(mp_get 0 epoch)
	mp_is 1 epoch "$e" || mp_fail "race $r: the two disagree on the epoch"
	part_block 0 "1"
	part_block 1 "0"
	if [ "$r" = "$KILL_AT" ]; then
		mp_wait 5 "race $r: node 0 in its round" node0_racing "$e"
		mp_kill 0
		mp_wait 8 "race $r: node 1 settled after node 0 died" \
		    survivor_settled "$e"
		echo "race $r: node 0 killed in its round; node 1 $(mp_get 1 state) at epoch $(mp_get 1 epoch)"
		part_unblock 0
		part_unblock 1
		part_spawn 0
		mp_wait 10 "node 0 to answer after its restart" mp_up 0
		part_watch 0
	else
		mp_wait 5 "race $r: exactly one winner at epoch $((e + 1))" \
		    one_winner "$e"
		[ "$(mp_get "$l" quorum)" = false ] ||
		    mp_fail "race $r: loser $l claims quorum"
		[ "$w" = 0 ] && wins0=$((wins0 + 1))
		part_unblock 0
		part_unblock 1
	fi
	mp_wait 10 "race $r: the pair again" mp_all "0 1" members 0,1
	mp_wait 5 "race $r: both members again" mp_all "0 1" state member
	r=$((r + 1))
done
echo "$RACES races, one winner each: node 0 won $wins0 (one race it was killed in)"
part_check_streams
echo "ok"
