#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh: `make bench`.  Runs every experiment, prints one table
# per experiment with the targets beside the figures, writes
# bench/results.json (one record per row) and bench/latency.png (gnuplot).
# Needs CMM (an optimised build/cmm) and BENCHTOOL (build/bench/benchtool).
# Each experiment script starts, records and kills its own processes, in
# its own mktemp -d dir; this one keeps only the rows.
#
# Knobs: BENCH_TRIALS (10) single failovers per N (also process crashes and
# host losses per N, and Corosync trials: BENCH_CS_TRIALS), BENCH_STRIALS (5)
# simultaneous-failure trials, BENCH_JTRIALS (5) join trials,
# BENCH_SIMREPS (3), BENCH_IDLE_S (30), BENCH_QUICK=1 (a smoke run:
# 3 trials, N = 3 and 5, sim up to 256, idle 5 s, scale at 16 nodes),
# BENCH_SCALE_KILLS (3), BENCH_KEEP=1 (keep
# every temp dir).
set -u
: "${CMM:?set CMM to the cmm binary}"
: "${BENCHTOOL:?set BENCHTOOL to the benchtool binary}"
export CMM BENCHTOOL
BENCH_SRC=${BENCH_SRC:-bench}
OUT=${BENCH_OUTDIR:-bench}
export BENCH_SRC

SIZES="3 5 8 16"
SIMSIZES="16 64 256 1024"
IDLEN=16
if [ -n "${BENCH_QUICK:-}" ]; then
	: "${BENCH_TRIALS:=3}" "${BENCH_STRIALS:=2}" "${BENCH_JTRIALS:=2}"
	: "${BENCH_SIMREPS:=1}" "${BENCH_IDLE_S:=5}"
	SIZES="3 5"
	SIMSIZES="16 64 256"
fi
: "${BENCH_TRIALS:=10}" "${BENCH_STRIALS:=5}" "${BENCH_JTRIALS:=5}"
: "${BENCH_SIMREPS:=3}" "${BENCH_IDLE_S:=30}"
export BENCH_TRIALS BENCH_STRIALS BENCH_JTRIALS BENCH_SIMREPS BENCH_IDLE_S

R=$(mktemp -d "${TMPDIR:-/tmp}/cmm-bench-run.XXXXXX") || exit 1
trap 'rm -rf "$R"' EXIT
trap 'exit 1' INT TERM HUP
BENCH_ROWS=$R/rows.tsv
BENCH_INCOMPLETE=$R/incomplete
export BENCH_ROWS BENCH_INCOMPLETE
: >"$BENCH_ROWS"
: >"$BENCH_INCOMPLETE"

start=$("$BENCHTOOL" now)
fs=$(df -PT "${TMPDIR:-/tmp}" 2>/dev/null | awk 'NR == 2 { print $2 }')
echo "cmm benchmark: $(nproc) CPUs, $(uname -sr), state dirs on" \
    "${fs:-?} (${TMPDIR:-/tmp}), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/failover.sh" $SIZES
case " $SIZES " in
*" 16 "*) sh "$BENCH_SRC/failover.sh" --tmpfs 16 ;;
esac
sh "$BENCH_SRC/failover.sh" --fig1
# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/disk.sh" 1 $SIZES
# on a real network (root: network namespaces; otherwise skipped, no rows)
# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/netfail.sh" $SIZES
# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/netfail.sh" --host-loss $SIZES
sh "$BENCH_SRC/corosync.sh"
# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/joins.sh" $SIZES
# shellcheck disable=SC2086 # a list of sizes
sh "$BENCH_SRC/simscale.sh" $SIMSIZES
sh "$BENCH_SRC/idle.sh" "$IDLEN"
# 64 daemons in namespaces (root; says skipped otherwise); 16 when quick
sh "$BENCH_SRC/scale64.sh" "$([ -n "${BENCH_QUICK:-}" ] && echo 16 || echo 64)"

mkdir -p "$OUT"
awk -v json="$OUT/results.json" -v incomplete="$BENCH_INCOMPLETE" \
    -v fs="${fs:-?}" -v planned="failover=$BENCH_TRIALS \
simultaneous_failures=$BENCH_STRIALS joins=$BENCH_JTRIALS \
process_crash=$BENCH_TRIALS host_loss=$BENCH_TRIALS" \
    -f "$BENCH_SRC/report.awk" "$BENCH_ROWS"

# the plot: kill -> commit and overhead against N, median with min..p90;
# the namespaced crash and host loss beside the loopback failover
awk -F '\t' '
function v(a, n) {
	return (n in a && a[n] !~ /NA/) ? a[n] : "NaN NaN NaN"
}
$1 == "failover" && $3 == "kill_to_commit_ms" { kc[$2] = $4 " " $5 " " $6 }
$1 == "failover" && $3 == "overhead_ms" { oh[$2] = $4 " " $5 " " $6 }
$1 == "failover_tmpfs" && $3 == "overhead_ms" { tf[$2] = $4 " " $5 " " $6 }
$1 == "process_crash" && $3 == "kill_to_commit_ms" { pc[$2] = $4 " " $5 " " $6 }
$1 == "host_loss" && $3 == "kill_to_commit_ms" { hl[$2] = $4 " " $5 " " $6 }
END {
	for (n in kc)
		if (kc[n] !~ /NA/ && oh[n] !~ /NA/)
			print n, kc[n], oh[n], v(tf, n), v(pc, n), v(hl, n)
}' "$BENCH_ROWS" | sort -n >"$R/plot.dat"
if [ ! -s "$R/plot.dat" ]; then
	echo "bench: no failover figures: no plot" >&2
elif ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot is not installed: no plot (sh scripts/deps.sh" \
	    "gnuplot-nox)" >&2
else
	term="pngcairo size 1100,480 font ',10'"
	gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 ||
		term="png size 1100,480"
	gnuplot >"$R/gnuplot.log" 2>&1 <<EOF || cat "$R/gnuplot.log" >&2
set terminal $term
set output "$OUT/latency.png"
set multiplot layout 1,2 title "cmm failover, on loopback and in network namespaces: heartbeat 50 ms, failure timeout 500 ms (median, bars min..p90)"
set xlabel "nodes (N)"
set xrange [2:17]
set xtics (3, 5, 8, 16)
set grid
set key top left
set ylabel "kill -> last survivor commits (ms)"
set yrange [0:*]
set key center right
plot "$R/plot.dat" using 1:3:2:4 with yerrorlines lw 2 pt 7 title "kill -> commit (loopback)", \
     "$R/plot.dat" using 1:12:11:13 with yerrorlines lw 2 pt 9 title "process crash (netns)", \
     "$R/plot.dat" using 1:15:14:16 with yerrorlines lw 2 pt 5 title "host loss (netns)", \
     500 with lines dt 2 lc rgb "gray" title "failure timeout"
set ylabel "first detection -> last commit (ms)"
set key top left
plot "$R/plot.dat" using 1:6:5:7 with yerrorlines lw 2 pt 7 title "protocol overhead (state on $fs)", \
     "$R/plot.dat" using 1:9:8:10 with yerrorbars pt 5 ps 1.2 title "same, state on tmpfs", \
     2 with lines dt 2 lc rgb "red" title "target at N = 16 (2 ms)"
unset multiplot
EOF
fi
end=$("$BENCHTOOL" now)
echo
echo "wrote $OUT/results.json$([ -s "$OUT/latency.png" ] && echo " and $OUT/latency.png")"
echo "whole run: $(( (end - start) / 1000000000 )) s"
