#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A commit announced before its flush (docs/PROTOCOL.md "Durability") may
# be lost to a power cut; the node must come back as if it had crashed
# just before learning it.  400 seeds of crashes right after commits
# (every second one after an unflushed commit a power cut), with crashes,
# loss and partitions around them: every run passes every check, and the
# runs did cut the power (a fault model that never fires proves nothing).
set -u
CMM=${CMM:-build/cmm}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$CMM" sim --seeds 1..400 --nodes 3..9 --duration 60s --trace \
    --faults crash-commit,crash,loss,partition,oneway >"$tmp" 2>&1
rc=$?
cuts=$(grep -c 'power cut at node' "$tmp")
tail -n 1 "$tmp"
echo "$cuts power cuts"
if [ "$rc" -ne 0 ]; then
	grep '^VIOLATION' "$tmp" | head -n 5
	exit 1
fi
if [ "$cuts" -lt 100 ]; then
	echo "FAIL: only $cuts power cuts in 400 runs"
	exit 1
fi
