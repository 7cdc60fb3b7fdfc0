#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# failover.sh [N...]: experiments 1 and 2 of `make bench`, on loopback with
# real processes (heartbeat_ms 50, failure_timeout_ms 500).
#   failover               SIGKILL one member per trial, rotating from the
#                          crown prince (highest id) down; BENCH_TRIALS (10)
#   simultaneous_failures  SIGKILL floor((N-1)/2) members at once, a
#                          rotating block; BENCH_STRIALS (5)
# Per trial, from the survivors' `watch --json` streams: detect_ms (kill ->
# first survivor's failure event), overhead_ms (first detection -> last
# survivor's commit), kill_to_commit_ms, epoch_steps.  The victims are
# restarted and rejoin before the next trial.  Rows go to $BENCH_ROWS;
# failover_phases rows say where the overhead went (events.awk).
#
# failover.sh --tmpfs [N...]: the single failover only, with every state
# dir on /dev/shm, where fsync costs nothing: the difference to the plain
# run is what the disk adds (experiment failover_tmpfs).
#
# failover.sh --fig1: the single failover on the FIG. 1 cluster as a user
# would run it: six nodes, the ring of six shared quorum devices, the
# default timings (experiment failover_fig1): the cost of a failover with
# the devices fenced, at the timeouts cmm ships with.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
TRIALS=${BENCH_TRIALS:-10}
STRIALS=${BENCH_STRIALS:-5}
FO=failover
if [ "${1:-}" = --tmpfs ]; then
	shift
	[ -d /dev/shm ] || { b_say "no /dev/shm: --tmpfs skipped"; exit 0; }
	TMPDIR=/dev/shm
	FO=failover_tmpfs
	STRIALS=0
elif [ "${1:-}" = --fig1 ]; then
	shift
	FO=failover_fig1
	STRIALS=0
	set -- 6
fi
SIZES=${*:-3 5 8 16}
# the daemons as shipped: realtime = yes (SCHED_RR and memory locked, where
# permitted: the bench runs as root); BENCH_REALTIME=no runs them without
MP_REALTIME=${BENCH_REALTIME:-yes}
export MP_REALTIME
b_init "$FO"

start_cluster() {
	if [ "$FO" = failover_fig1 ]; then
		b_cluster 6
		b_device d03 "0 3"
		b_device d35 "3 5"
		b_device d51 "5 1"
		b_device d14 "1 4"
		b_device d42 "4 2"
		b_device d20 "2 0"
	else
		b_cluster "$1" "heartbeat_ms = 50" "failure_timeout_ms = 500"
	fi
	ALL=$(b_seq 0 $((N - 1)))
	for i in $ALL; do
		b_spawn "$i"
	done
	for i in $ALL; do
		b_watch "$i"
	done
	for i in $ALL; do
		b_attached "$i" 10 || return 1
	done
	b_settle "$ALL" "$(b_list "$ALL")" 30
}

# trial EXP T "VICTIMS": kill, measure, restart; 1 if the cluster is lost
trial() {
	exp=$1
	victims=$3
	surv=$(b_minus "$ALL" "$victims")
	pids=""
	for v in $victims; do
		pids="$pids $(b_pid "$v")"
	done
	# shellcheck disable=SC2086 # a list of PIDs
	k=$("$BENCHTOOL" kill $pids) || return 1
	for v in $victims; do
		b_reap "$v"
	done
	# nothing to see before the failure timeout: stay off the CPU
	sleep 0.45
	if b_poll 10 "$k" "$victims" "$surv" "$surv" "$(b_list "$surv")"; then
		# shellcheck disable=SC2086 # the fields of one result line
		set -- $EV
		echo "$2" >>"$B_DIR/$exp.$N.detect"
		echo "$3" >>"$B_DIR/$exp.$N.overhead"
		echo "$4" >>"$B_DIR/$exp.$N.total"
		echo "$5" >>"$B_DIR/$exp.$N.steps"
		echo "$7" >>"$B_DIR/$exp.$N.spread"
		echo "$8" >>"$B_DIR/$exp.$N.propose"
		echo "$9" >>"$B_DIR/$exp.$N.quorum"
		echo "${10}" >>"$B_DIR/$exp.$N.commit"
		echo "${11}" >>"$B_DIR/$exp.$N.attempt"
		b_say "$exp N=$N trial $T killed $(b_list "$victims"):" \
		    "detect $2 ms, overhead $3 ms, kill->commit $4 ms," \
		    "steps $5, last attempt ${11}"
	else
		echo "$exp $N" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
		b_say "$exp N=$N trial $T killed $(b_list "$victims"):" \
		    "survivors did not all commit $(b_list "$surv") in 10 s" \
		    "(last: $EV)"
	fi
	for v in $victims; do
		b_spawn "$v"
		b_watch "$v"
	done
	for v in $victims; do
		b_attached "$v" 10 || return 1
	done
	b_settle "$ALL" "$(b_list "$ALL")" 20
}

rows() { # EXP [EXTRA]
	b_row "$1" "$N" detect_ms "$B_DIR/$1.$N.detect" "${2:-}"
	b_row "$1" "$N" overhead_ms "$B_DIR/$1.$N.overhead" "${2:-}"
	b_row "$1" "$N" kill_to_commit_ms "$B_DIR/$1.$N.total" "${2:-}"
	b_row "$1" "$N" epoch_steps "$B_DIR/$1.$N.steps" "${2:-}"
}

phase_rows() { # EXP
	b_row "$1_phases" "$N" spread_ms "$B_DIR/$1.$N.spread"
	b_row "$1_phases" "$N" to_propose_ms "$B_DIR/$1.$N.propose"
	b_row "$1_phases" "$N" propose_to_quorum_ms "$B_DIR/$1.$N.quorum"
	b_row "$1_phases" "$N" quorum_to_commit_ms "$B_DIR/$1.$N.commit"
	b_row "$1_phases" "$N" round_attempt "$B_DIR/$1.$N.attempt"
}

for n in $SIZES; do
	b_say "failover: starting $n nodes"
	if ! start_cluster "$n"; then
		b_say "failover: the $n-node cluster did not form; skipped"
		continue
	fi
	for f in "$FO" simultaneous_failures; do
		for m in detect overhead total steps spread propose quorum \
		    commit attempt; do
			: >"$B_DIR/$f.$N.$m"
		done
	done
	ok=1
	T=0
	while [ "$T" -lt "$TRIALS" ] && [ "$ok" = 1 ]; do
		v=$(( ((N - 1 - T) % N + N) % N ))
		trial "$FO" "$T" "$v" || ok=0
		T=$((T + 1))
	done
	rows "$FO"
	phase_rows "$FO"
	kk=$(( (N - 1) / 2 ))
	T=0
	while [ "$T" -lt "$STRIALS" ] && [ "$ok" = 1 ]; do
		victims=""
		j=0
		while [ "$j" -lt "$kk" ]; do
			victims="$victims $(( ((N - 1 - T * kk - j) % N + N) % N ))"
			j=$((j + 1))
		done
		trial simultaneous_failures "$T" "$victims" || ok=0
		T=$((T + 1))
	done
	[ "$STRIALS" -gt 0 ] && rows simultaneous_failures "\"killed\":$kk"
	[ "$ok" = 1 ] || b_say "failover: the $N-node cluster did not re-form" \
	    "after a trial; its remaining trials were skipped"
	# this cluster's processes are done: stop them before the next size
	for i in $ALL; do
		b_kill9 "$i"
	done
done
exit 0
