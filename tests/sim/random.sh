#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# 2000 seeds of 40 s of random faults on 3..16 nodes (the node count
# follows the seed), zero violations allowed.  Two processes, one per core;
# about 10 s (35 s under SAN=1) on two cores.
set -u
CMM=${CMM:-build/cmm}
SEEDS=${SIM_SEEDS:-2000}
DURATION=${SIM_DURATION:-40s}
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
half=$((SEEDS / 2))
"$CMM" sim --seeds 1..$half --nodes 3..16 --random-faults \
    --duration "$DURATION" --quiet >"$tmp/a" 2>&1 &
pa=$!
"$CMM" sim --seeds $((half + 1))..$SEEDS --nodes 3..16 --random-faults \
    --duration "$DURATION" --quiet >"$tmp/b" 2>&1 &
pb=$!
pids="$pa $pb"
wait "$pa"
ra=$?
wait "$pb"
rb=$?
pids=""
cat "$tmp/a" "$tmp/b" | grep -v -e '^  \[' -e PASS -e ' runs, '
failed=$(cat "$tmp/a" "$tmp/b" | grep -c ': FAIL ')
passed=$(cat "$tmp/a" "$tmp/b" | grep -c ': PASS ')
echo "$passed seeds passed, $failed failed (of $SEEDS, duration $DURATION)"
[ "$failed" -gt 0 ] && echo "rerun one with: $CMM sim --seed S --nodes 3..16" \
    "--random-faults --duration $DURATION --trace"
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && [ "$passed" -eq "$SEEDS" ]
