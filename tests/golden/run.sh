#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Golden decision traces of the FIG. 1 scenarios (assets/scenarios/fig1-*.sim):
# each scenario is run with `cmm sim --script F --trace`, the trace is cut
# down to why nodes decided (failures seen, rounds, quorum verdicts, values
# chosen and learned, fences, device results, commits, states, prompts and
# answers, leaves) and compared with tests/golden/NAME.trace.  An outcome
# that holds while the reasoning behind it changed shows up here as a diff.
#   sh tests/golden/run.sh [NAME...]          compare; a unified diff and
#                                             exit 1 on any difference
#   sh tests/golden/run.sh --regen [NAME...]  rewrite the files (make golden),
#                                             after a change made on purpose
#   CMM=build/cmm   the binary
# Dropped as noise: heartbeat "alive" lines, debug logs and the summary
# lines (message counters, trace hash).  The simulator is deterministic, so
# the virtual times stay in.
set -u
CMM=${CMM:-$(pwd)/${BUILD:-build}/cmm}
GOLDEN=tests/golden
regen=0
if [ "${1:-}" = --regen ]; then
	regen=1
	shift
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmm-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# decisions NAME: the filtered trace of assets/scenarios/NAME.sim on stdout;
# the simulator's exit status in $tmp/NAME.rc
decisions() {
	echo "# cmm sim --script assets/scenarios/$1.sim --trace, filtered by $GOLDEN/run.sh"
	timeout -k 5 120 "$CMM" sim --script "assets/scenarios/$1.sim" --trace \
	    >"$tmp/$1.raw" 2>&1
	echo "$?" >"$tmp/$1.rc"
	grep -E '^\[[0-9]+ ms\] ' "$tmp/$1.raw" |
	    grep -Ev '^\[[0-9]+ ms\] node [0-9]+: (alive|debug):'
}

names=$*
if [ -z "$names" ]; then
	for f in assets/scenarios/fig1-*.sim; do
		names="$names $(basename "$f" .sim)"
	done
fi
n=0
bad=""
for name in $names; do
	[ -f "assets/scenarios/$name.sim" ] || { echo "no scenario $name"; exit 1; }
	n=$((n + 1))
	decisions "$name" >"$tmp/$name.trace"
	rc=$(cat "$tmp/$name.rc")
	if [ "$regen" = 1 ]; then
		# a failing run is never blessed as the reference
		if [ "$rc" != 0 ]; then
			tail -n 5 "$tmp/$name.raw"
			echo "golden: $name: the scenario fails (exit $rc): not written"
			exit 1
		fi
		cp "$tmp/$name.trace" "$GOLDEN/$name.trace"
		echo "golden: wrote $GOLDEN/$name.trace ($(wc -l <"$GOLDEN/$name.trace") lines)"
		continue
	fi
	if [ ! -f "$GOLDEN/$name.trace" ]; then
		echo "golden: $name: no $GOLDEN/$name.trace (make golden writes it)"
		bad="$bad $name"
	elif ! diff -u "$GOLDEN/$name.trace" "$tmp/$name.trace" \
	    >"$tmp/$name.diff"; then
		cat "$tmp/$name.diff"
		echo "golden: $name: the decisions differ (exit $rc); if on" \
		    "purpose, make golden and commit the new file"
		bad="$bad $name"
	elif [ "$rc" != 0 ]; then
		tail -n 5 "$tmp/$name.raw"
		echo "golden: $name: same decisions but the scenario fails (exit $rc)"
		bad="$bad $name"
	else
		echo "golden: $name: same decisions ($(wc -l <"$tmp/$name.trace") lines)"
	fi
done
[ "$n" -gt 0 ] || { echo "golden: no FIG. 1 scenario found"; exit 1; }
[ "$regen" = 1 ] && exit 0
[ -z "$bad" ] || { echo "golden: differences in:$bad"; exit 1; }
echo "golden: $n scenarios, decisions unchanged"
