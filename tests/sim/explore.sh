#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The explorer on the three-node failover: every order, loss and crash
# point of the round's messages to depth 8 finds nothing; each planted
# round bug is found, and the path it prints replays to the same
# violation; and the forced round of force-quorum (explore-force-quorum.sim)
# to depth 5 finds nothing either.  (make model and the note give deeper
# runs.)  The same search run twice must explore the same paths.
set -u
CMM=${CMM:-build/cmm}
root=$(cd "$(dirname "$0")/../.." && pwd)
sc=$root/assets/scenarios/explore-failover.sim
DEPTH=${EXPLORE_DEPTH:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$CMM" sim --script "$sc" --explore --depth "$DEPTH" >"$tmp/clean" 2>&1
rc=$?
head -n 1 "$tmp/clean"
if [ "$rc" -ne 0 ] || ! grep -q '^no violation' "$tmp/clean"; then
	echo "FAIL the explorer found a violation (exit $rc):"
	cat "$tmp/clean"
	fail=1
fi
paths=$(sed -n 's/^explored \([0-9]*\) paths.*/\1/p' "$tmp/clean")
[ "${paths:-0}" -ge 1000 ] || { echo "FAIL only ${paths:-0} paths"; fail=1; }

# the same search twice explores the same paths: the table of states seen
# hashes no byte that the state does not define (padding, stale stack)
for r in 1 2; do
	"$CMM" sim --script "$sc" --explore --depth 6 2>&1 |
	    sed -n 's/ in [0-9.]* s;/;/; s/^explored/explored/p' >"$tmp/again$r"
done
if ! cmp -s "$tmp/again1" "$tmp/again2" || [ ! -s "$tmp/again1" ]; then
	echo "FAIL the explorer is not deterministic: '$(cat "$tmp/again1")'" \
	    "then '$(cat "$tmp/again2")'"
	fail=1
fi

for bug in half skip-highest accept-volatile learn-accept; do
	"$CMM" sim --script "$sc" --explore --depth "$DEPTH" --plant-bug "$bug" \
	    >"$tmp/$bug" 2>&1
	v=$(grep '^VIOLATION' "$tmp/$bug")
	if [ -z "$v" ]; then
		echo "FAIL $bug: not found"
		tail -n 3 "$tmp/$bug"
		fail=1
		continue
	fi
	# the scenario printed after the marker replays that path
	sed -n '/^--- a scenario that replays it/,$p' "$tmp/$bug" | sed 1d \
	    >"$tmp/$bug.sim"
	"$CMM" sim --script "$tmp/$bug.sim" --plant-bug "$bug" --quiet \
	    >"$tmp/$bug.replay" 2>&1
	r=$(grep '^VIOLATION' "$tmp/$bug.replay" | sed 's/^VIOLATION seed [0-9]* nodes [0-9]* time [0-9]* ms: //')
	want=$(echo "$v" | sed 's/^VIOLATION //')
	if [ "$r" != "$want" ]; then
		echo "FAIL $bug: the replay gives '$r', not '$want'"
		fail=1
		continue
	fi
	echo "ok   $bug: $(sed -n 's/^explored \([0-9]*\) paths.*/\1 paths/p' "$tmp/$bug"): $want"
done

# force-quorum used as documented (the dead really dead): no path of the
# forced round's messages gives an epoch two configurations
fq=$root/assets/scenarios/explore-force-quorum.sim
"$CMM" sim --script "$fq" --explore --depth "${EXPLORE_FQ_DEPTH:-5}" \
    >"$tmp/force" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || ! grep -q '^no violation' "$tmp/force"; then
	echo "FAIL the explorer found a violation in force-quorum (exit $rc):"
	cat "$tmp/force"
	fail=1
else
	echo "ok   force-quorum: $(head -n 1 "$tmp/force")"
fi
exit "$fail"
