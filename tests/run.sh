#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test of `make check` and prints one line per test and the
# summary line "N passed, N failed, N skipped" (with the skipped names).
# A test that cannot run here exits 77: it is a skip, never a pass.  Each
# test is bounded in time.
#   BUILD=build        where the binaries are
#   TESTS=pattern      only tests whose name contains pattern
#   TEST_TIMEOUT=300   seconds per test
set -u
BUILD=${BUILD:-build}
CMM=$(pwd)/$BUILD/cmm
export BUILD CMM
TIMEOUT=${TEST_TIMEOUT:-300}
pass=0
fail=0
skip=0
failed=""
skipped=""
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run() { # name command...
	name=$1
	shift
	case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
	log=$logdir/$(echo "$name" | tr '/ ' '__').log
	t0=$(date +%s)
	timeout -k 5 "$TIMEOUT" "$@" >"$log" 2>&1
	rc=$?
	# a cmocka case that called skip() leaves the binary's exit at 0:
	# the binary is then reported skipped, with the cases, not passed
	cases=$(sed -n 's/^\[  SKIPPED \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$log" |
	    sort -u | tr '\n' ' ')
	if [ "$rc" -eq 0 ] && [ -n "$cases" ]; then
		skip=$((skip + 1))
		skipped="$skipped $name(${cases% })"
		echo "SKIP $name: cases skipped: $cases(the others passed)"
	elif [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   $name ($(( $(date +%s) - t0 ))s)"
	elif [ "$rc" -eq 77 ]; then
		skip=$((skip + 1))
		skipped="$skipped $name"
		echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name (exit $rc, $(( $(date +%s) - t0 ))s); last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
run core-noio "$BUILD/tests/core-noio"
run layout sh tests/layout/check.sh
for s in assets/scenarios/*.sim; do
	[ -f "$s" ] && run "scenario/$(basename "$s" .sim)" "$CMM" sim --script "$s"
done
for t in tests/sim/*.sh tests/mp/*.sh; do
	[ -f "$t" ] && run "${t#tests/}" sh "$t"
done
run golden sh tests/golden/run.sh
run model/bounded sh tests/model/run.sh bounded

[ -n "$failed" ] && echo "failed:$failed"
[ -n "$skipped" ] && echo "skipped:$skipped"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
