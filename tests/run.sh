#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test of `make check`, TEST_JOBS at a time, and prints one line
# per test as it ends, then the tails of the failed tests' logs and the
# summary line "N passed, N failed, N skipped" (with the skipped names).
# A test that cannot run here exits 77: it is a skip, never a pass.  Each
# test is bounded in time.
#   BUILD=build        where the binaries are
#   TESTS=pattern      only tests whose name contains pattern
#   TEST_TIMEOUT=300   seconds per test
#   TEST_JOBS=N        tests at once (default: the online CPUs)
# Each test gets its own block of 20 UDP ports (CMM_TEST_PORT, 20000 to
# 29999: below the kernel's ephemeral ports and the bench's blocks), so
# tests that run side by side never share a port; namespaces, tmux servers
# and temp dirs are named by PID.
set -u
BUILD=${BUILD:-build}
CMM=$(pwd)/$BUILD/cmm
export BUILD CMM
TIMEOUT=${TEST_TIMEOUT:-300}
logdir=$BUILD/test-logs

# run_test NAME: runs test NAME, bounded in time (names never hold blanks)
run_test() {
	case "$1" in
	unit/*) set -- "$BUILD/tests/${1#unit/}" ;;
	core-noio) set -- "$BUILD/tests/core-noio" ;;
	layout) set -- sh tests/layout/check.sh ;;
	scenario/*)
		set -- "$CMM" sim --script "assets/scenarios/${1#scenario/}.sim"
		;;
	sim/* | mp/*) set -- sh "tests/$1" ;;
	golden) set -- sh tests/golden/run.sh ;;
	model/bounded) set -- sh tests/model/run.sh bounded ;;
	*) echo "no test named $1" && return 2 ;;
	esac
	timeout -k 5 "$TIMEOUT" "$@"
}

logname() { # NAME: its log file
	echo "$logdir/$(echo "$1" | tr '/ ' '__').log"
}

# --one INDEX NAME: run one test, write "STATUS SECONDS" beside its log and
# print its line.  STATUS is ok, fail:EXIT, skip (why in the log's last
# line) or skipcases:NAMES.  The worker exits as the test counts: 0
# passed, 77 skipped, 1 failed (xargs goes on after each; the summary
# below reads the STATUS files, not xargs' exit).
if [ "${1:-}" = --one ]; then
	name=$3
	log=$(logname "$name")
	CMM_TEST_PORT=$((20000 + ($2 % 500) * 20))
	export CMM_TEST_PORT
	t0=$(date +%s)
	run_test "$name" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	# a cmocka case that called skip() leaves the binary's exit at 0:
	# the binary is then reported skipped, with the cases, not passed
	cases=$(sed -n 's/^\[  SKIPPED \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$log" |
	    sort -u | tr '\n' ',')
	verdict=77
	if [ "$rc" -eq 0 ] && [ -n "$cases" ]; then
		st="skipcases:${cases%,}"
		echo "SKIP $name: cases skipped: $(echo "${cases%,}" |
		    tr ',' ' ') (the others passed)"
	elif [ "$rc" -eq 0 ]; then
		st=ok
		verdict=0
		echo "ok   $name (${secs}s)"
	elif [ "$rc" -eq 77 ]; then
		st=skip
		echo "SKIP $name: $(tail -n 1 "$log")"
	else
		st=fail:$rc
		verdict=1
		echo "FAIL $name (exit $rc, ${secs}s)"
	fi
	echo "$st $secs" >"$log.result"
	exit "$verdict"
fi

mkdir -p "$logdir"
# the longest tests first, so the last minute is not one test alone
heavy="sim/random.sh mp/fuzz_quick.sh model/bounded mp/part_oneway.sh
sim/explore.sh mp/console_screen.sh mp/api_schema.sh mp/part_race.sh
mp/mixed_version.sh mp/arbiter_netns.sh mp/arbiter.sh"
{
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] && echo "unit/$(basename "$t")"
	done
	echo core-noio
	echo layout
	for s in assets/scenarios/*.sim; do
		[ -f "$s" ] && echo "scenario/$(basename "$s" .sim)"
	done
	for t in tests/sim/*.sh tests/mp/*.sh; do
		[ -f "$t" ] && echo "${t#tests/}"
	done
	echo golden
	echo model/bounded
} | while read -r name; do
	case "$name" in *"${TESTS:-}"*) echo "$name" ;; esac
done >"$logdir/all"
for name in $heavy; do
	grep -qx "$name" "$logdir/all" && echo "$name"
done >"$logdir/first"
{
	cat "$logdir/first"
	grep -vxF -f "$logdir/first" "$logdir/all"
} >"$logdir/order"
while read -r name; do
	rm -f "$(logname "$name").result"
done <"$logdir/all"

jobs=${TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
awk '{ print NR, $0 }' "$logdir/order" |
    xargs -r -P "$jobs" -L 1 sh "$0" --one

pass=0
fail=0
skip=0
failed=""
skipped=""
while read -r name; do
	log=$(logname "$name")
	read -r st secs 2>/dev/null <"$log.result" || st=missing
	case "$st" in
	ok) pass=$((pass + 1)) ;;
	skip) skip=$((skip + 1)); skipped="$skipped $name" ;;
	skipcases:*)
		skip=$((skip + 1))
		skipped="$skipped $name(${st#skipcases:})"
		;;
	*)
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name ($(echo "$st" | sed 's/^fail:/exit /')); last" \
		    "lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
		;;
	esac
done <"$logdir/all"

[ -n "$failed" ] && echo "failed:$failed"
[ -n "$skipped" ] && echo "skipped:$skipped"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
