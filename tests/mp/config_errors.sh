#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every config error stops `cmm node` at start with its one-line message
# `FILE:LINE: key: reason` (or `FILE: reason`) and exit code 2.
# Each run is bounded: a config accepted by mistake would start a node,
# which `timeout` kills, and the case fails.
set -u
: "${CMM:?set CMM to the cmm binary}"
dir=$(mktemp -d /tmp/cmm-config-errors.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
pass=0
fail=0

# the nodes first, so lines appended after BASE (line 8 on) are in [cluster]
BASE='[node 0]
address = 127.0.0.1:7400
[node 1]
address = 127.0.0.1:7401
[cluster]
name = test
key_file = key
'

# check NAME ID WANT TEXT: runs node ID on the config TEXT (printf format);
# WANT is the message after the file name.  (No pipe into check: it would
# run in a subshell and lose the counters.)
check() {
	name=$1
	id=$2
	want="$dir/$name.conf$3"
	# shellcheck disable=SC2059 # the case table gives the format, escapes and all
	printf "$4" >"$dir/$name.conf"
	out=$(timeout -k 2 10 "$CMM" node -c "$dir/$name.conf" --id "$id" \
	    --headless 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$out" = "$want" ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc (want 2)"
		echo "     got:  $out"
		echo "     want: $want"
	fi
}

check unknown-section 0 \
	':8: [foo]: unknown section (expected [cluster], [node N] or [device NAME])' \
	"$BASE"'[foo]\n'
check unknown-key 0 \
	':8: hartbeat_ms: unknown key in [cluster]' \
	"$BASE"'hartbeat_ms = 100\n'
check duplicate-key 0 \
	':8: name: duplicate key (first at line 6)' \
	"$BASE"'name = again\n'
check not-a-number 0 \
	":8: heartbeat_ms: 'fast' is not a whole number" \
	"$BASE"'heartbeat_ms = fast\n'
check negative 0 \
	':8: heartbeat_ms: -5 is out of range (1..60000)' \
	"$BASE"'heartbeat_ms = -5\n'
check failure-timeout 0 \
	':8: failure_timeout_ms: 150 must exceed 2 * heartbeat_ms = 200' \
	"$BASE"'failure_timeout_ms = 150\n'
check bad-enum 0 \
	":8: winner: bad value 'biggest' (expected ask, lowest or highest)" \
	"$BASE"'winner = biggest\n'
check dup-address 0 \
	':9: address: 127.0.0.1:7401 is already the address of node 1 (line 4)' \
	"$BASE"'[node 2]\naddress = 127.0.0.1:7401\n'
check bad-address 0 \
	":9: address: 'localhost' is not a numeric IPv4 address" \
	"$BASE"'[node 2]\naddress = localhost:7402\n'
check unknown-node 0 \
	':10: nodes: node 7 is not configured (no [node 7] section)' \
	"$BASE"'[device d]\npath = d\nnodes = 0 7\n'
check node-range 0 \
	':8: [node 1024]: node id out of range (0..1023)' \
	"$BASE"'[node 1024]\n'
check no-nodes 0 \
	': no [node N] sections' \
	'[cluster]\nname = a\nkey_file = k\n'
check id-not-configured 7 \
	': node 7 is not configured (no [node 7] section)' \
	"$BASE"
check watchdog-timeout-alone 0 \
	':8: watchdog_timeout_s: set without watchdog' \
	"$BASE"'watchdog_timeout_s = 5\n'
check watchdog-timeout-range 0 \
	':9: watchdog_timeout_s: 0 is out of range (1..3600)' \
	"$BASE"'watchdog = /dev/watchdog\nwatchdog_timeout_s = 0\n'
check realtime-value 0 \
	":8: realtime: bad value 'maybe' (expected yes or no)" \
	"$BASE"'realtime = maybe\n'

# a file that is not there
out=$(timeout -k 2 10 "$CMM" node -c "$dir/missing.conf" --id 0 --headless \
    2>&1 </dev/null)
rc=$?
want="$dir/missing.conf: cannot open: No such file or directory"
if [ "$rc" -eq 2 ] && [ "$out" = "$want" ]; then
	pass=$((pass + 1))
	echo "ok   missing-file"
else
	fail=$((fail + 1))
	echo "FAIL missing-file: exit $rc, got: $out"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
