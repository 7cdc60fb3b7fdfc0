#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A swarm of simulator seeds on every core: each seed draws its own mix of
# fault classes (cmm sim --random-faults).  Prints each failing seed with
# the command that reproduces it, and a summary line; exits 1 if any seed
# failed.
#   CMM=build/cmm SEEDS=20000 FIRST=1 NODES=2..16 DURATION=300s JOBS=nproc
#   FAULTS=... (pin the fault classes, e.g. crash,roundloss)
set -u
CMM=${CMM:-build/cmm}
SEEDS=${SEEDS:-1000}
FIRST=${FIRST:-1}
NODES=${NODES:-2..16}
DURATION=${DURATION:-300s}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FAULTS=${FAULTS:-}
[ -x "$CMM" ] || { echo "swarm: $CMM is not built" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# chunks of at most 50 seeds, so the cores stay busy to the end
last=$((FIRST + SEEDS - 1))
s=$FIRST
while [ "$s" -le "$last" ]; do
	e=$((s + 49))
	[ "$e" -gt "$last" ] && e=$last
	echo "$s..$e"
	s=$((e + 1))
done >"$tmp/chunks"

t0=$(date +%s)
# shellcheck disable=SC2016 # expanded by the inner shell
xargs -P "$JOBS" -I{} sh -c '
	out=$1/$(echo "$2" | tr . _)
	"$3" sim --seeds "$2" --nodes "$4" --random-faults --duration "$5" \
	    ${6:+--faults "$6"} --quiet >"$out" 2>&1
	echo $? >"$out.rc"' sh "$tmp" {} "$CMM" "$NODES" "$DURATION" "$FAULTS" \
    <"$tmp/chunks"
t1=$(date +%s)

passed=$(cat "$tmp"/*[0-9] | grep -c ': PASS ')
failed=$(cat "$tmp"/*[0-9] | grep -c ': FAIL ')
bad=0
for f in "$tmp"/*.rc; do
	rc=$(cat "$f")
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || bad=1
done
cat "$tmp"/*[0-9] | grep '^VIOLATION' | while read -r _ _ seed _ nodes _; do
	echo "FAIL seed $seed: $CMM sim --seed $seed --nodes $nodes" \
	    "--random-faults --duration $DURATION${FAULTS:+ --faults $FAULTS} --trace"
done
cat "$tmp"/*[0-9] | grep '^VIOLATION' | head -n 20
cat "$tmp"/*[0-9] | grep -v -e '^  \[' -e PASS -e ' runs, ' -e '^VIOLATION' \
    -e '^last ' | head -n 20
echo "swarm: $passed passed, $failed failed of $SEEDS seeds ($NODES nodes," \
    "$DURATION each${FAULTS:+, faults $FAULTS}) in $((t1 - t0)) s on $JOBS jobs"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -eq "$SEEDS" ]
