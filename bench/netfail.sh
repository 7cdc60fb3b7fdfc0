#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# netfail.sh [--host-loss] [--timeout MS] [--name EXP] [N...]: `make bench`
# on a real network: every node in its own network namespace, joined by a
# bridge (bench/nslib.sh), heartbeat_ms 50, failure_timeout_ms 500 (as
# failover.sh).  One member fails per trial, rotating from the crown
# prince (highest id) down; BENCH_TRIALS (10) per N (3 5 8 16):
#   process_crash  SIGKILL of the daemon: its host lives on, and its
#                  kernel answers what is sent to the dead port
#   host_loss      the node's eth0 goes down (benchtool ifdown): nothing
#                  it sends leaves, nothing sent to it is answered, not
#                  even by an ICMP error; as seen from the others, the
#                  host is gone
# Per trial, from the survivors' `watch --json` streams (events.awk):
# detect_ms (failure -> first survivor's failure event), overhead_ms (first
# detection -> last survivor's commit), kill_to_commit_ms, epoch_steps.
# The victim is restarted (or its link brought back) and the whole cluster
# settles before the next trial.  Rows go to $BENCH_ROWS.  --timeout sets
# failure_timeout_ms, --name the experiment's name (bench/corosync.sh runs
# the crash at Corosync's timeout).  Needs root: otherwise it says it was
# skipped and writes no rows.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
# shellcheck source=bench/nslib.sh
. "${BENCH_SRC:-bench}/nslib.sh"
TRIALS=${BENCH_TRIALS:-10}
MODE=crash
EXP=process_crash
FT=500
while [ $# -gt 0 ]; do
	case "$1" in
	--host-loss) MODE=host; EXP=host_loss ;;
	--timeout) FT=$2; shift ;;
	--name) EXP=$2; shift ;;
	*) break ;;
	esac
	shift
done
SIZES=${*:-3 5 8 16}
n_usable "$EXP" || exit 0
b_init "$EXP"
max=0
for n in $SIZES; do
	[ "$n" -gt "$max" ] && max=$n
done
n_net "$max" || { b_say "$EXP: cannot build the namespaces"; exit 1; }

start_cluster() {
	n_cluster "$1" "heartbeat_ms = 50" "failure_timeout_ms = $FT"
	ALL=$(b_seq 0 $((N - 1)))
	for i in $ALL; do
		n_spawn "$i"
	done
	for i in $ALL; do
		b_watch "$i"
	done
	for i in $ALL; do
		b_attached "$i" 10 || return 1
	done
	b_settle "$ALL" "$(b_list "$ALL")" 30
}

# trial T V: fail node V, measure, bring it back; 1 if the cluster is lost
trial() {
	v=$2
	surv=$(b_minus "$ALL" "$v")
	if [ "$MODE" = crash ]; then
		k=$("$BENCHTOOL" kill "$(b_pid "$v")") || return 1
		b_reap "$v"
	else
		k=$(n_down "$v") || return 1
	fi
	# nothing to see before the failure timeout (without a port
	# unreachable): stay off the CPU for most of it
	sleep "$(echo "$FT" | awk '{ printf "%.3f", $1 * 0.9 / 1000 }')"
	if b_poll 10 "$k" "$v" "$surv" "$surv" "$(b_list "$surv")"; then
		# shellcheck disable=SC2086 # the fields of one result line
		set -- $EV
		echo "$2" >>"$B_DIR/$N.detect"
		echo "$3" >>"$B_DIR/$N.overhead"
		echo "$4" >>"$B_DIR/$N.total"
		echo "$5" >>"$B_DIR/$N.steps"
		b_say "$EXP N=$N trial $T node $v: detect $2 ms, overhead $3 ms," \
		    "failure->commit $4 ms, steps $5"
	else
		echo "$EXP $N" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
		b_say "$EXP N=$N trial $T node $v: survivors did not all commit" \
		    "$(b_list "$surv") in 10 s (last: $EV)"
	fi
	if [ "$MODE" = crash ]; then
		n_spawn "$v"
		b_watch "$v"
		b_attached "$v" 10 || return 1
	else
		n_up "$v" || return 1
	fi
	b_settle "$ALL" "$(b_list "$ALL")" 20
}

for n in $SIZES; do
	b_say "$EXP: starting $n nodes in $n network namespaces"
	if ! start_cluster "$n"; then
		b_say "$EXP: the $n-node cluster did not form; skipped"
		for i in $ALL; do
			b_kill9 "$i"
		done
		continue
	fi
	for m in detect overhead total steps; do
		: >"$B_DIR/$N.$m"
	done
	T=0
	while [ "$T" -lt "$TRIALS" ]; do
		if ! trial "$T" $(( ((N - 1 - T) % N + N) % N )); then
			b_say "$EXP: the $N-node cluster did not re-form after" \
			    "trial $T; its remaining trials were skipped"
			break
		fi
		T=$((T + 1))
	done
	x="\"failure_timeout_ms\":$FT,\"network\":\"netns+bridge\""
	b_row "$EXP" "$N" detect_ms "$B_DIR/$N.detect" "$x"
	b_row "$EXP" "$N" overhead_ms "$B_DIR/$N.overhead" "$x"
	b_row "$EXP" "$N" kill_to_commit_ms "$B_DIR/$N.total" "$x"
	b_row "$EXP" "$N" epoch_steps "$B_DIR/$N.steps" "$x"
	for i in $ALL; do
		b_kill9 "$i"
	done
done
exit 0
