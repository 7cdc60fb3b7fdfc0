#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# simscale.sh [N...]: `make bench`, experiment 4.  `cmm sim --script` with a
# generated scenario (heartbeat_ms 50, failure_timeout_ms 500): all N
# start, one cluster at 150 ms, the crown prince is killed at 150 ms, the
# rest must be one cluster at 750 ms, in one epoch step.  Per N:
#   sim_wall_s       wall time of that whole run (start, converge, failover)
#   sim_failover_wall_s  the same minus a control run in which nothing is
#                    detected (failure_timeout_ms 60000, and the node's host
#                    is lost with it, so no port-unreachable tells on it):
#                    the detection's and the round's own cost
#   sim_peak_rss_mb  peak RSS of the run
#   messages         datagrams of the reconfiguration: run minus control run
#                    (the heartbeats of both are the same)
#   bytes_per_message        all datagrams of the run (its summary line)
#   round_bytes_per_message  the reconfiguration's datagrams alone
# Runs BENCH_SIMREPS times (3), the median reported: one run of a machine
# that others share moves by a tenth.
# When 1024 is among the sizes, also once (it takes about a minute) the
# random run of the simulator's scale targets, experiment "sim_random":
# `cmm sim --nodes 1024 --seed 1 --random-faults --duration 20s`:
#   random_wall_s    its wall time
#   random_peak_rss_mb  its peak RSS
#   random_sim_s     the simulated time it covered (faults, then the checks)
#   random_messages  its datagrams
# Rows to $BENCH_ROWS.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
REPS=${BENCH_SIMREPS:-3}
SIZES=${*:-16 64 256 1024}
b_init simscale

scenario() { # N TIMEOUT FILE
	last=$(($1 - 1))
	{
		echo "# bench/simscale.sh: one failover of the crown prince"
		echo "nodes $1"
		echo "set heartbeat_ms 50"
		echo "set failure_timeout_ms $2"
		echo "at 0 start all"
		echo "expect at 150ms cluster 0-$last"
		if [ "$2" -le 1000 ]; then
			echo "at 150ms kill $last"
		else
			echo "at 150ms lose $last"
		fi
		if [ "$2" -le 1000 ]; then
			echo "expect at 750ms cluster 0-$((last - 1))"
			echo "expect steps 150ms 750ms 1"
		else
			echo "expect at 750ms state 0 member"
		fi
	} >"$3"
}

# run FILE OUT: sets WALL RSS MSGS BPM; 1 if the simulation failed
run() {
	"$BENCHTOOL" run "$B_DIR/usage" "$CMM" sim --script "$1" >"$2" 2>&1
	rc=$?
	WALL=$(awk '{ print $1 }' "$B_DIR/usage")
	RSS=$(awk '{ printf "%.1f", $2 / 1024 }' "$B_DIR/usage")
	MSGS=$(sed -n 's/.*, messages \([0-9]*\),.*/\1/p' "$2")
	BPM=$(sed -n 's/.*bytes\/message \([0-9.]*\),.*/\1/p' "$2")
	if [ "$rc" != 0 ] || [ -z "$MSGS" ] || [ -z "$BPM" ]; then
		b_say "sim: $1 failed (exit $rc): $(tail -n 3 "$2")"
		return 1
	fi
}

for n in $SIZES; do
	scenario "$n" 500 "$B_DIR/fail$n.sim"
	scenario "$n" 60000 "$B_DIR/ctl$n.sim"
	reps=$REPS
	for f in wall fwall rss msgs bpm rbpm; do
		: >"$B_DIR/sim.$n.$f"
	done
	r=0
	while [ "$r" -lt "$reps" ]; do
		r=$((r + 1))
		run "$B_DIR/fail$n.sim" "$B_DIR/fail$n.out" || break
		w1=$WALL r1=$RSS m1=$MSGS b1=$BPM
		run "$B_DIR/ctl$n.sim" "$B_DIR/ctl$n.out" || break
		echo "$w1" >>"$B_DIR/sim.$n.wall"
		echo "$r1" >>"$B_DIR/sim.$n.rss"
		echo "$m1 $MSGS" | awk '{ print $1 - $2 }' >>"$B_DIR/sim.$n.msgs"
		echo "$b1" >>"$B_DIR/sim.$n.bpm"
		# the summary's bytes/message has one decimal: good to ~1 byte
		echo "$m1 $b1 $MSGS $BPM" | awk '{ d = $1 - $3;
		    if (d > 0) printf "%.1f\n", ($1 * $2 - $3 * $4) / d }' \
		    >>"$B_DIR/sim.$n.rbpm"
		echo "$w1 $WALL" | awk '{ printf "%.3f\n", $1 - $2 }' \
		    >>"$B_DIR/sim.$n.fwall"
		b_say "sim N=$n run $r: ${w1} s wall (control run ${WALL} s)," \
		    "${r1} MB peak, $((m1 - MSGS)) messages for the failover"
	done
	b_row sim "$n" sim_wall_s "$B_DIR/sim.$n.wall"
	b_row sim "$n" sim_failover_wall_s "$B_DIR/sim.$n.fwall"
	b_row sim "$n" sim_peak_rss_mb "$B_DIR/sim.$n.rss"
	b_row sim "$n" messages "$B_DIR/sim.$n.msgs"
	b_row sim "$n" bytes_per_message "$B_DIR/sim.$n.bpm"
	b_row sim "$n" round_bytes_per_message "$B_DIR/sim.$n.rbpm"
done

case " $SIZES " in
*" 1024 "*)
	out=$B_DIR/random1024.out
	b_say "sim: cmm sim --nodes 1024 --seed 1 --random-faults --duration 20s"
	"$BENCHTOOL" run "$B_DIR/usage" "$CMM" sim --nodes 1024 --seed 1 \
	    --random-faults --duration 20s >"$out" 2>&1
	rc=$?
	sum=$(grep ' random [0-9]* ms: ' "$out")
	if [ "$rc" != 0 ] || [ -z "$sum" ]; then
		b_say "sim: the random 1024-node run failed (exit $rc):" \
		    "$(tail -n 3 "$out")"
		echo "sim_random 1024" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
	else
		awk '{ print $1 }' "$B_DIR/usage" >"$B_DIR/rw"
		awk '{ printf "%.1f\n", $2 / 1024 }' "$B_DIR/usage" >"$B_DIR/rr"
		echo "$sum" | sed 's/.* random \([0-9]*\) ms:.*/\1/' |
		    awk '{ printf "%.1f\n", $1 / 1000 }' >"$B_DIR/rs"
		echo "$sum" | sed 's/.*, messages \([0-9]*\),.*/\1/' >"$B_DIR/rm"
		b_row sim_random 1024 random_wall_s "$B_DIR/rw"
		b_row sim_random 1024 random_peak_rss_mb "$B_DIR/rr"
		b_row sim_random 1024 random_sim_s "$B_DIR/rs"
		b_row sim_random 1024 random_messages "$B_DIR/rm"
		b_say "sim: random 1024-node run $(cat "$B_DIR/rw") s wall," \
		    "$(cat "$B_DIR/rr") MB peak, $(cat "$B_DIR/rs") s simulated"
	fi
	;;
esac
exit 0
