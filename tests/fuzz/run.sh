#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every libFuzzer harness built in BUILDDIR/fuzz/ (make fuzz-build) on
# its seed corpus for FUZZ_SECONDS each, with ASan and UBSan, and fails on
# any crash, leak or timeout.  A reproducer is saved as
# BUILDDIR/crashes/HARNESS-crash-..., and can be replayed with
# `BUILDDIR/fuzz/HARNESS FILE`.  Prints one line of figures per harness.
#
#   sh tests/fuzz/run.sh BUILDDIR
#   FUZZ_SECONDS=60    seconds per harness
#   FUZZ_ONLY=wire     only harnesses whose name contains this
#   FUZZ_FRESH=1       start from the seeds alone (make check); otherwise
#                      what earlier runs found is kept in BUILDDIR/corpus/
#   FUZZ_TIMEOUT=10    seconds one input may take
set -u
B=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
fail=0
failed=""
# the quick runs of `make check` keep their logs apart from a long run
# that may be going on at the same time
if [ "${FUZZ_FRESH:-0}" = 1 ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/cmm-fuzz.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
	logs=$B/fuzz-logs-quick
else
	work=$B/corpus
	logs=$B/fuzz-logs
fi
mkdir -p "$B/crashes" "$logs"

found=0
printf '%-14s %6s %10s %8s %7s %6s  %s\n' harness secs execs exec/s seeds corpus result
for bin in "$B"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	h=$(basename "$bin")
	case "$h" in *"${FUZZ_ONLY:-}"*) ;; *) continue ;; esac
	found=$((found + 1))
	seeds=tests/fuzz/corpus/$h
	mkdir -p "$work/$h" "$seeds"
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	log=$logs/$h.log
	# the first corpus dir receives what the run finds; the seeds stay as
	# they are.  -timeout and -rss_limit_mb make a hang or a blow-up a
	# finding; leaks are one by default under ASan.
	# shellcheck disable=SC2086 # $dict is empty or one option
	"$bin" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" \
	    -rss_limit_mb=2560 -print_final_stats=1 \
	    -artifact_prefix="$B/crashes/$h-" $dict \
	    "$work/$h" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	corp=$(sed -n 's/.*DONE .*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' "$log" | tail -n 1)
	nseeds=$(find "$seeds" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		res=ok
	else
		res="FAIL (exit $rc)"
		fail=$((fail + 1))
		failed="$failed $h"
	fi
	printf '%-14s %6s %10s %8s %7s %6s  %s\n' "$h" "$secs" "${execs:-?}" \
	    "${rate:-?}" "$nseeds" "${corp:-?}" "$res"
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|invariant|Test unit written|artifact' "$log" |
		    head -n 8 | sed 's/^/    /'
		echo "    full log: $log"
	fi
done
if [ "$found" -eq 0 ]; then
	echo "no harness in $B/fuzz/ (make fuzz-build FUZZ=1 CC=clang BUILD=$B)"
	exit 1
fi
[ "$fail" -eq 0 ] || { echo "fuzz findings in:$failed"; exit 1; }
echo "fuzz: $found harnesses, no findings"
