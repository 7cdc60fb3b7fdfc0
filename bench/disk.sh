#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# disk.sh [N...]: `make bench`, experiment 1f.  What the round's two
# writes cost when N nodes share this machine's one disk: N processes at
# once, each writing its own file in place and fdatasync()ing twice in a
# row (an acceptor's write, then a learner's), in the dir the failover
# experiments keep their state in; BENCH_TRIALS (10) trials per N.
#   last_of_n_two_syncs_ms  the common start -> the last process's
#                           second fdatasync returned
# N = 1 is what one node of a real cluster pays; at N the disk's flush
# queue serves every node in turn, which a cluster of N machines does not.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
TRIALS=${BENCH_TRIALS:-10}
SIZES=${*:-1 3 5 8 16}
b_init disk

for n in $SIZES; do
	: >"$B_DIR/last.$n"
	T=0
	while [ "$T" -lt "$TRIALS" ]; do
		"$BENCHTOOL" syncs "$B_DIR" "$n" 2 >>"$B_DIR/last.$n" || {
			b_say "disk: benchtool syncs $n failed"
			exit 1
		}
		T=$((T + 1))
	done
	b_row disk_floor "$n" last_of_n_two_syncs_ms "$B_DIR/last.$n"
done
