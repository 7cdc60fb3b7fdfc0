#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Malformed scenario lines: `cmm sim --script` exits 2 with one line
# "FILE:LINE: reason" naming the bad line, and never runs anything.
set -u
CMM=${CMM:-build/cmm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

# bad LINE TEXT...: a valid header, then TEXT at line LINE (TEXT may hold
# several lines; the last one is the bad one)
bad() {
	line=$1
	shift
	n=$((n + 1))
	f=$tmp/bad$n.sim
	printf '%s\n' "$@" >"$f"
	"$CMM" sim --script "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 2 ]; then
		echo "FAIL case $n (exit $rc, want 2): $*"
		fail=1
	elif ! grep -q "^cmm sim: $f:$line: " "$tmp/err"; then
		echo "FAIL case $n: error does not name $f:$line:"
		cat "$tmp/err"
		fail=1
	elif [ -s "$tmp/out" ]; then
		echo "FAIL case $n: ran something:"
		cat "$tmp/out"
		fail=1
	else
		echo "ok   case $n: $(cat "$tmp/err")"
	fi
}

bad 1 'nodes 0'
bad 1 'nodes 1025'
bad 1 'nodes six'
bad 2 '# comment' 'at 1s start all'
bad 2 'nodes 6' 'nodes 6'
bad 2 'nodes 6' 'at 5 start all'
bad 2 'nodes 6' 'at 1h start all'
bad 2 'nodes 6' 'at 1s start 6'
bad 2 'nodes 6' 'at 1s start 0-'
bad 2 'nodes 6' 'at 1s explode 1'
bad 2 'nodes 6' 'at 1s'
bad 3 'nodes 6' '' 'expect at 1s cluster'
bad 2 'nodes 6' 'expect at 1s state 0 dancing'
bad 2 'nodes 6' 'expect at 1s prompt 0 coffee'
bad 2 'nodes 6' 'expect steps 5s 1s 1'
bad 2 'nodes 6' 'expect steps 1s 5s many'
bad 2 'nodes 6' 'expect sometime'
bad 2 'nodes 6' 'device d 0'
bad 3 'nodes 6' 'device d 0 1' 'device d 2 3'
bad 2 'nodes 6' 'set heartbeat_ms abc'
bad 2 'nodes 6' 'set heartbeat_ms 0'
bad 2 'nodes 6' 'set colour blue'
bad 2 'nodes 6' 'policy winner maybe'
bad 2 'nodes 6' 'policy heartbeat_ms 100'
bad 2 'nodes 6' 'at 1s partition 0-2'
bad 2 'nodes 6' 'at 1s partition 0-3 | 3-5'
bad 2 'nodes 6' 'at 1s loss 1.5'
bad 2 'nodes 6' 'at 1s loss lots'
bad 2 'nodes 6' 'at 1s cut 1 1'
bad 2 'nodes 6' 'at 1s cut 1 -> '
bad 2 'nodes 6' 'at 1s answer 0 maybe'
bad 2 'nodes 6' 'at 1s answer 0 winner 9'
bad 2 'nodes 6' 'at 1s drop propose 0 1'
bad 2 'nodes 6' 'at 1s leave'
bad 2 'nodes 6' 'at 1s power-cut'
bad 2 'nodes 6' 'at 1s power-cut 9'
bad 2 'nodes 6' 'at 1s power-cut 0 1'
bad 4 'nodes 6' 'at 0 start all   # fine' 'expect at 2s cluster 0-5' 'bogus'

# a missing file is a usage error too
"$CMM" sim --script "$tmp/does-not-exist.sim" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "does-not-exist.sim" "$tmp/err"; then
	echo "FAIL missing file: exit $rc"
	fail=1
fi

# and the same statements, well formed, are accepted (the test can tell)
printf '%s\n' 'nodes 6' 'device d 0 1' 'set heartbeat_ms 100' \
    'policy winner lowest' 'at 0 start all   # comment' \
    'at 1.5s loss 0.25' 'at 1500ms loss 0' 'at 2s cut 1 -> 2' \
    'at 2s drop propose 0->1' 'at 2s partition 0-2|3-5' 'at 3s heal' \
    'expect at 8s cluster 0-5' 'expect steps 0 8s 3' >"$tmp/good.sim"
"$CMM" sim --script "$tmp/good.sim" --quiet >"$tmp/out" 2>&1
if [ $? -eq 2 ]; then
	echo "FAIL a well-formed scenario was refused:"
	cat "$tmp/out"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "all $n malformed scenarios refused"
exit "$fail"
