#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Same seed, same run: the trace hash is identical across runs and across
# an -O0 build (made here, in a temporary BUILD dir) and the build under
# test; different seeds give different runs.
set -u
CMM=${CMM:-build/cmm}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

hashes() { # binary -> one line per run: the hash lines, in order
	bin=$1
	"$bin" sim --script "$root/assets/scenarios/fig1-double-failure.sim" \
	    --quiet | grep trace-hash
	"$bin" sim --script "$root/assets/scenarios/fig1-duplicates.sim" \
	    --seed 3 --quiet | grep trace-hash
	"$bin" sim --seeds 7..9 --nodes 5..12 --random-faults --duration 10s \
	    --quiet | grep trace-hash
	"$bin" sim --seed 11 --nodes 40 --random-faults --duration 5s \
	    --json 2>/dev/null
}

hashes "$CMM" >"$tmp/a"
hashes "$CMM" >"$tmp/b"
if [ "$(wc -l <"$tmp/a")" -ne 6 ] || ! cmp -s "$tmp/a" "$tmp/b"; then
	echo "FAIL two runs differ (or ran short):"
	diff "$tmp/a" "$tmp/b" | head -n 20
	fail=1
else
	echo "ok   same seed twice: same hashes"
fi

# different seeds, different runs
h7=$("$CMM" sim --seed 7 --nodes 8 --random-faults --duration 10s --quiet |
    sed -n 's/.*trace-hash //p')
h8=$("$CMM" sim --seed 8 --nodes 8 --random-faults --duration 10s --quiet |
    sed -n 's/.*trace-hash //p')
if [ -z "$h7" ] || [ "$h7" = "$h8" ]; then
	echo "FAIL seeds 7 and 8 give the same hash '$h7'"
	fail=1
else
	echo "ok   seeds 7 and 8 differ ($h7, $h8)"
fi

# an -O0 build must agree with the optimised one byte for byte
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$root" -j2 SAN= \
    CFLAGS="-O0 -g" BUILD="$tmp/build-o0" "$tmp/build-o0/cmm" >"$tmp/make.log" 2>&1; then
	echo "FAIL the -O0 build failed:"
	tail -n 20 "$tmp/make.log"
	exit 1
fi
hashes "$tmp/build-o0/cmm" >"$tmp/c"
if ! cmp -s "$tmp/a" "$tmp/c"; then
	echo "FAIL -O0 and $CMM differ:"
	diff "$tmp/a" "$tmp/c" | head -n 20
	fail=1
else
	echo "ok   -O0 build gives the same hashes"
fi
exit "$fail"
