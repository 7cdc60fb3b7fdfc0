#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Real partition, six nodes, each in its own network namespace: a symmetric
# 3/3 split made with an nftables drop rule in the bridge's namespace.  The
# side holding the crown prince (node 5, highest priority) keeps quorum
# (3 = |P|/2 votes with the crown prince, FIG. 9), the other side goes
# no-quorum; the heal re-forms one cluster of six in one step.  Checked from
# every node's `watch --json` stream.  Root only.
. tests/mp/lib/part.sh
part_init split
part_check_selftest
part_net 6
part_config 6 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 300"
all="0 1 2 3 4 5"
part_start_all "$all"
mp_wait 20 "six-node cluster" mp_all "$all" members 0,1,2,3,4,5
mp_wait 5 "all six members" mp_all "$all" state member
e=$(mp_get 5 epoch)
mp_all "$all" epoch "$e" || mp_fail "the six disagree on the epoch"
echo "formed: epoch $e"

part_split "0 1 2" "3 4 5"
mp_wait 10 "the crown prince's side 3,4,5" mp_all "3 4 5" members 3,4,5
mp_wait 10 "side 0,1,2 without quorum" mp_all "0 1 2" state no-quorum
for i in 3 4 5; do
	[ "$(mp_get "$i" epoch)" = $((e + 1)) ] ||
	    mp_fail "node $i at epoch $(mp_get "$i" epoch) after the split, want $((e + 1))"
done
echo "split: 3,4,5 at epoch $((e + 1)), 0,1,2 no-quorum"

part_heal
mp_wait 10 "one cluster again" mp_all "$all" members 0,1,2,3,4,5
mp_wait 5 "all six members after the heal" mp_all "$all" state member
for i in $all; do
	[ "$(mp_get "$i" epoch)" = $((e + 2)) ] ||
	    mp_fail "node $i at epoch $(mp_get "$i" epoch) after the heal, want $((e + 2)) (one step)"
done
echo "heal: one cluster of six at epoch $((e + 2)), one step"
part_check_streams
echo "ok"
