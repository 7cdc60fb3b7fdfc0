#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Config drift (docs/PROTOCOL.md "Config digest", "Config changes"): four
# nodes, two config files that differ in one priority (node 0's is 10 in
# B, the default 0 in A).  Split 2/2 with the files that way round, both
# halves would count a quorum (A's crown prince is 3, B's is 0); with the
# digest they never agree on anything.
#  1. A fresh start with mixed files (0,1: B; 2,3: A), initial_quorum =
#     majority: no quorum forms on either side; each side sees the other
#     as a config mismatch in nodes --json, and counts `config` drops;
#     `cmm check` names the peers that differ.
#  2. A cluster formed under A; nodes 2 and 3 killed and restarted with B:
#     they refuse to start, naming both digests (exit 2).  With B and a
#     raised config_version they start, with a warning, and take no part:
#     the mismatch shows on both sides and no side is quorate.  Restarting
#     0 and 1 with the same file joins all four again.
. tests/mp/lib/mp.sh
mp_init drift
mp_config 4 "initial_quorum = majority"
A=$MP_CONF
B=$MP_DIR/b.conf
B2=$MP_DIR/b2.conf
sed "/^\[node 0\]\$/a priority = 10" "$A" >"$B"
sed "s/^initial_quorum = majority\$/initial_quorum = majority\\nconfig_version = 2/" \
    "$B" >"$B2"
{ grep -q "priority = 10" "$B" && grep -q "config_version = 2" "$B2"; } ||
	mp_fail "could not write the drifted configs"

spawn_with() { # CONF ID [ARGS...]
	MP_CONF=$1
	shift
	mp_spawn "$@"
	MP_CONF=$A
}
digest_of() { # ID
	mp_ctl "$1" --json config | sed 's/.*"config_digest":"\([0-9a-f]*\)".*/\1/'
}
peer_json() { # ID PEER
	mp_ctl "$1" --json nodes | sed 's/"id":/\n"id":/g' | grep "^\"id\":$2,"
}
shows() { # ID PEER match|mismatch
	peer_json "$1" "$2" | grep -q "\"config\":\"$3\""
}
nobody_quorate() {
	for i in $1; do
		[ "$(mp_get "$i" quorum)" = false ] ||
			mp_fail "node $i is quorate: $(mp_status "$i")"
	done
}

# ---- 1. a fresh start with mixed files
spawn_with "$B" 0
spawn_with "$B" 1
spawn_with "$A" 2
spawn_with "$A" 3
for i in 0 1 2 3; do
	mp_wait 10 "node $i to answer on its socket" mp_up "$i"
done
da=$(digest_of 2)
db=$(digest_of 0)
{ [ -n "$da" ] && [ -n "$db" ] && [ "$da" != "$db" ]; } ||
	mp_fail "digests: A '$da', B '$db'"
{ [ "$(digest_of 1)" = "$db" ] && [ "$(digest_of 3)" = "$da" ]; } ||
	mp_fail "same file, another digest"
mp_ctl 0 config | grep -q "^  node 0 priority 10\$" ||
	mp_fail "config does not show the digested priority: $(mp_ctl 0 config)"
seen() {
	shows 0 2 mismatch && shows 0 3 mismatch && shows 0 1 match &&
	    shows 2 0 mismatch && shows 2 1 mismatch && shows 2 3 match &&
	    shows 1 3 mismatch && shows 3 0 mismatch
}
mp_wait 5 "the mismatch seen on both sides" seen
sleep 3	# well past the formation rounds
for i in 0 1 2 3; do
	mp_is "$i" epoch 0 || mp_fail "node $i formed epoch $(mp_get "$i" epoch)"
	[ "$(mp_get "$i" config)" -gt 0 ] || mp_fail "node $i counted no config drops"
done
nobody_quorate "0 1 2 3"
echo "mixed start: no quorum, mismatch visible ($da / $db)"
# `cmm check` as node 1 (stopped for it) with file A names node 0, which
# runs B, and finds 2 and 3 (A) the same
mp_kill 1
out=$("$CMM" check -c "$A" --id 1 --timeout 500 2>&1)
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q "^FAIL peer 0 .*config differs: its digest is $db" ||
	mp_fail "check did not name node 0's digest"
printf '%s\n' "$out" | grep -q "^ok peer 2 answered .*config digest matches" ||
	mp_fail "check: node 2 should match"
for i in 0 2 3; do
	mp_kill "$i"
done

# ---- 2. formed under A, restarted with B
rm -rf "$MP_DIR"/state? "$MP_DIR"/*.sock
mp_start_all "0 1 2 3"
mp_wait 20 "a four-node cluster under A" mp_all "0 1 2 3" members 0,1,2,3
e=$(mp_get 0 epoch)
mp_kill 2
mp_kill 3
for i in 2 3; do
	"$CMM" node -c "$B" --id "$i" --headless >"$MP_DIR/refused$i.log" 2>&1 &
	pid=$!
	MP_PIDS="$MP_PIDS $pid"
	waited=0
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	kill -0 "$pid" 2>/dev/null && mp_fail "node $i started on a drifted config"
	wait "$pid"
	rc=$?
	[ "$rc" = 2 ] || mp_fail "node $i: exit $rc, want 2: $(cat "$MP_DIR/refused$i.log")"
	msg=$(cat "$MP_DIR/refused$i.log")
	[ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] || mp_fail "not one line: $msg"
	case "$msg" in
	*"quorum-relevant config differs"*"$da"*"$db"*) ;;
	*) mp_fail "node $i's refusal does not name both digests: $msg" ;;
	esac
done
echo "refused: $msg"
# the same change on purpose: config_version raised
spawn_with "$B2" 2
spawn_with "$B2" 3
mp_wait 10 "node 2 up" mp_up 2
mp_wait 10 "node 3 up" mp_up 3
grep -q "changed on purpose (config_version 1 -> 2" "$MP_DIR/node2.log" ||
	mp_fail "no warning for the change on purpose"
seen2() {
	shows 0 2 mismatch && shows 1 3 mismatch && shows 2 0 mismatch &&
	    shows 3 1 mismatch && shows 2 3 match && shows 0 1 match
}
mp_wait 5 "the mismatch seen on both sides" seen2
sleep 2
nobody_quorate "0 1 2 3"
for i in 0 1 2 3; do
	mp_is "$i" epoch "$e" || mp_fail "node $i moved to epoch $(mp_get "$i" epoch)"
done
echo "2/2 by config: neither side quorate"
# and finished on purpose: 0 and 1 get the same file
mp_kill 0
mp_kill 1
spawn_with "$B2" 0
spawn_with "$B2" 1
mp_wait 20 "all four together under B2" mp_all "0 1 2 3" members 0,1,2,3
mp_wait 10 "all four members" mp_all "0 1 2 3" state member
for i in 0 1 2 3; do
	[ "$(digest_of "$i")" = "$(digest_of 0)" ] || mp_fail "digests differ"
done
echo "ok"
