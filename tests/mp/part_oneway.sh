#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Real partitions, five nodes in their own network namespaces, two faults
# the patent's rounds alone would flap on (the connectivity cut,
# docs/PROTOCOL.md, "5. The round", Choose):
#  1. a non-transitive triangle: 0 and 2 drop each other, 1 sees both;
#  2. one-way loss: node 4 drops everything from node 0 (0 hears 4, 4 does
#     not hear 0), an nftables rule in node 4's namespace.
# Each time the cluster must converge to a set whose members all see each
# other (never both ends of the broken link), and then stay stable: no new
# epoch in any node's stream over a 15 s window: 50 failure timeouts, and
# six join retries at their longest backoff (PART_WINDOW=N changes it).
# The heal re-forms the five.  Root only.
. tests/mp/lib/part.sh
part_init oneway
part_net 5
part_config 5 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 300"
all="0 1 2 3 4"
WINDOW=${PART_WINDOW:-15}
part_start_all "$all"
mp_wait 20 "five-node cluster" mp_all "$all" members 0,1,2,3,4
mp_wait 5 "all five members" mp_all "$all" state member
echo "formed: epoch $(mp_get 0 epoch)"

# converged A B: the members agree on one set without both A and B, every
# member of it is in state member, and every other node is out
converged() {
	a=$1
	b=$2
	m=""
	for i in $all; do
		if mp_is "$i" state member; then
			mi=$(mp_get "$i" members)
			[ -z "$m" ] && m=$mi
			[ "$m" = "$mi" ] || { MP_WHY="node $i has $mi, another $m"; return 1; }
		fi
	done
	if [ -z "$m" ]; then
		MP_WHY="no node in state member; states:"
		for i in $all; do MP_WHY="$MP_WHY $i=$(mp_get "$i" state)"; done
		return 1
	fi
	case ",$m," in *",$a,"*",$b,"*|*",$b,"*",$a,"*)
		MP_WHY="members $m hold both $a and $b"; return 1 ;;
	esac
	for i in $all; do
		case ",$m," in
		*",$i,"*) mp_is "$i" state member || { MP_WHY="node $i not member"; return 1; } ;;
		*) mp_is "$i" state member && { MP_WHY="node $i still member"; return 1; } ;;
		esac
	done
	# at least a majority of the five
	[ "$(echo "$m" | tr ',' '\n' | wc -l)" -ge 3 ] || { MP_WHY="members $m"; return 1; }
	CONV=$m
}

# stable DESC: no commit in any stream over the window
stable() {
	e0=$(mp_get 1 epoch)
	c0=$(part_commits)
	sleep "$WINDOW"	# the measurement window itself, not a wait for an event
	c1=$(part_commits)
	[ "$c1" = "$c0" ] ||
	    mp_fail "$1: $((c1 - c0)) commit events in the $WINDOW s after convergence"
	[ "$(mp_get 1 epoch)" = "$e0" ] || mp_fail "$1: epoch moved"
	echo "$1: stable for $WINDOW s at epoch $e0, members $CONV, 0 new epochs"
}

e=$(mp_get 0 epoch)
part_block 0 "2"
part_block 2 "0"
mp_wait 15 "convergence in the triangle 0-1-2" converged 0 2
echo "triangle 0-1-2 without 0-2: converged to $CONV at epoch $(mp_get 1 epoch) ($(( $(mp_get 1 epoch) - e )) epochs)"
stable "triangle"
part_unblock 0
part_unblock 2
mp_wait 15 "five again after the triangle heals" mp_all "$all" members 0,1,2,3,4
e=$(mp_get 0 epoch)
part_block 4 "0"
mp_wait 15 "convergence under one-way loss 0->4" converged 0 4
echo "one-way 0->4: converged to $CONV at epoch $(mp_get 1 epoch) ($(( $(mp_get 1 epoch) - e )) epochs)"
stable "one-way loss"
part_unblock 4
mp_wait 15 "five again after the one-way heal" mp_all "$all" members 0,1,2,3,4

part_check_streams
echo "ok"
