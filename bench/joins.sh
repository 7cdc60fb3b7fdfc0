#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# joins.sh [N...]: `make bench`, experiment 3.  A cluster of N configured nodes
# (heartbeat_ms 50, failure_timeout_ms 500) runs with the lower N - N/2;
# the upper N/2 (the crown prince among them) start at once.  Per trial:
# join_ms (start of the first joiner -> last commit of all N seen on any
# stream) and epoch_steps (the most commits one node made on the way; 1
# is the target).  Between trials the joiners leave one by one (SIGTERM,
# a graceful leave), so the running part always has quorum.
# BENCH_JTRIALS trials (5).  Rows go to $BENCH_ROWS.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
TRIALS=${BENCH_JTRIALS:-5}
SIZES=${*:-3 5 8 16}
b_init joins

for n in $SIZES; do
	b_say "joins: starting $n nodes"
	b_cluster "$n" "heartbeat_ms = 50" "failure_timeout_ms = 500"
	ALL=$(b_seq 0 $((N - 1)))
	J=$(b_seq $((N - N / 2)) $((N - 1)))
	R=$(b_minus "$ALL" "$J")
	for i in $ALL; do
		b_spawn "$i"
		b_watch "$i"
	done
	ok=1
	for i in $ALL; do
		b_attached "$i" 10 || ok=0
	done
	[ "$ok" = 1 ] && { b_settle "$ALL" "$(b_list "$ALL")" 30 || ok=0; }
	: >"$B_DIR/join.$N.ms"
	: >"$B_DIR/join.$N.steps"
	T=0
	while [ "$T" -lt "$TRIALS" ] && [ "$ok" = 1 ]; do
		for j in $J; do
			b_stop "$j"
		done
		if ! b_settle "$R" "$(b_list "$R")" 20; then
			ok=0
			break
		fi
		k=$("$BENCHTOOL" now)
		for j in $J; do
			b_spawn "$j"
		done
		for j in $J; do
			b_watch "$j"
		done
		if b_poll 15 "$k" "" "$R" "$ALL" "$(b_list "$ALL")"; then
			# shellcheck disable=SC2086 # the fields of one result line
			set -- $EV
			echo "$4" >>"$B_DIR/join.$N.ms"
			echo "$5" >>"$B_DIR/join.$N.steps"
			b_say "joins N=$N trial $T started $(b_list "$J"):" \
			    "last commit after $4 ms, steps $5" \
			    "($6 of $N streams saw it)"
		else
			echo "joins $N" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
			b_say "joins N=$N trial $T: $(b_list "$R") did not all" \
			    "commit $(b_list "$ALL") in 15 s (last: $EV)"
		fi
		for j in $J; do
			b_attached "$j" 10 || ok=0
		done
		[ "$ok" = 1 ] || break
		b_settle "$ALL" "$(b_list "$ALL")" 20 || ok=0
		T=$((T + 1))
	done
	[ "$ok" = 1 ] || b_say "joins: the $N-node cluster did not form" \
	    "or re-form; its remaining trials were skipped"
	x="\"joined\":$((N / 2))"
	b_row joins "$N" join_ms "$B_DIR/join.$N.ms" "$x"
	b_row joins "$N" epoch_steps "$B_DIR/join.$N.steps" "$x"
	for i in $ALL; do
		b_kill9 "$i"
	done
done
exit 0
