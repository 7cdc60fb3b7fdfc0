#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test of `make check` and prints one line per test and the
# summary line "N passed, N failed".  Each test is bounded in time.
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
failed=""
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run() { # name command...
	name=$1
	shift
	case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
	log=$logdir/$(echo "$name" | tr '/ ' '__').log
	t0=$(date +%s)
	if timeout -k 5 "$TIMEOUT" "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name ($(( $(date +%s) - t0 ))s)"
	else
		rc=$?
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
for s in assets/scenarios/*.sim; do
	[ -f "$s" ] && run "scenario/$(basename "$s" .sim)" "$CMM" sim --script "$s"
done
for t in tests/sim/*.sh tests/mp/*.sh; do
	[ -f "$t" ] && run "${t#tests/}" sh "$t"
done

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
