#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Two nodes and a network arbiter (`cmm arbiter`) on 127.0.0.1, the
# arbiter as their one quorum device (docs/PROTOCOL.md "The network
# arbiter").  A 1/1 split by fault injection leaves exactly one member,
# several times in both directions; with the arbiter killed and no split
# nothing changes; with the arbiter killed and then a split neither side
# continues (no device answers, so neither can win the two-node race: both
# end no-quorum, none commits).  A forged datagram, a replayed request and
# a resent one reach the arbiter through tests/tools/arb_client.c: the
# first two are dropped and counted, the last answered from the record of
# the first answer, never applied again.  A second cluster served by the
# same arbiter reads its own record of the same device name.
. tests/mp/lib/mp.sh
mp_init arbiter
mp_config 2 "heartbeat_ms = 50" "failure_timeout_ms = 300" \
    "round_timeout_ms = 200" "join_retry_ms = 200"
APORT=$((MP_PORT + 10))
printf '[device d01]\narbiter = 127.0.0.1:%s\nnodes = 0 1\n' "$APORT" \
    >>"$MP_CONF"
mkdir "$MP_DIR/arb"
cat >"$MP_DIR/arbiter.conf" <<CONF
[arbiter]
listen = 127.0.0.1:$APORT
state_dir = arb
control_socket = arbiter.sock
[cluster mp-arbiter]
key_file = key
[cluster other]
key_file = key2
CONF
"$CMM" keygen "$MP_DIR/key2" >/dev/null || mp_fail "keygen"
ASOCK=$MP_DIR/arbiter.sock

arb_start() {
	"$CMM" arbiter -c "$MP_DIR/arbiter.conf" </dev/null \
	    >>"$MP_DIR/node-arbiter.log" 2>&1 &
	APID=$!
	MP_PIDS="$MP_PIDS $APID"
	mp_wait 5 "the arbiter's control socket" arb_up
}
arb_up() {
	"$CMM" ctl -s "$ASOCK" status >/dev/null 2>&1
}
# arb_counter NAME: a counter of the arbiter's `status --json`
arb_counter() {
	"$CMM" ctl -s "$ASOCK" --json status |
	    sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}

# one_side_won E: one node member alone at E+1, the other no-quorum
one_side_won() {
	s0=$(mp_get 0 state)
	s1=$(mp_get 1 state)
	MP_WHY="states $s0 / $s1"
	case "$s0/$s1" in
	member/no-quorum) w=0; l=1 ;;
	no-quorum/member) w=1; l=0 ;;
	*) return 1 ;;
	esac
	mp_is "$w" members "$w" && mp_is "$w" epoch $(($1 + 1))
}

# a device is a file or an arbiter, never both
cp "$MP_CONF" "$MP_DIR/both.conf"
printf 'path = d01.dev\n' >>"$MP_DIR/both.conf"
out=$("$CMM" check -c "$MP_DIR/both.conf" --id 0 2>&1) &&
    mp_fail "a device with path and arbiter was accepted"
echo "$out" | grep -q "a device is a file or an arbiter, not both" ||
    mp_fail "wrong error for path and arbiter: $out"

# the arbiter's own config errors: exit 2, one line naming file and key
printf '[arbiter]\nlisten = 127.0.0.1:%s\nstate_dir = arb\n' "$APORT" \
    >"$MP_DIR/bad1.conf"
printf '[arbiter]\nlisten = 127.0.0.1:1\nstate_dir = arb\nport = 3\n' \
    >"$MP_DIR/bad2.conf"
for b in "bad1.conf: cluster: no [cluster NAME] section" \
    "bad2.conf:4: port: unknown key in [arbiter]"; do
	f=${b%%:*}
	out=$("$CMM" arbiter -c "$MP_DIR/$f" 2>&1)
	rc=$?
	if ! { [ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
	    echo "$out" | grep -qF "$b"; }; then
		mp_fail "cmm arbiter -c $f: exit $rc, said: $out"
	fi
done

arb_start
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both members" mp_all "0 1" state member
mp_ctl 0 devices | grep -q "registered" ||
    mp_fail "device d01 not read through the arbiter: $(mp_ctl 0 devices)"
echo "formed: members 0,1 at epoch $(mp_get 0 epoch), registered on the arbiter"
mp_ctl 0 devices | grep -q "d01 (arbiter 127.0.0.1:$APORT)" ||
    mp_fail "devices does not name the arbiter: $(mp_ctl 0 devices)"
# (the node runs, so check's bind fails: only the device line matters)
out=$("$CMM" check -c "$MP_CONF" --id 0 2>&1)
echo "$out" | grep -q "device d01 (arbiter 127.0.0.1:$APORT): read" ||
    mp_fail "cmm check did not read the arbiter: $out"
# the arbiter's status against its schema
"$CMM" ctl -s "$ASOCK" --json status >"$MP_DIR/arbiter-status.json" ||
    mp_fail "status on the arbiter's socket failed"
python3 - "$MP_DIR/arbiter-status.json" <<'PY' || mp_fail "the arbiter's status breaks docs/api/arbiter/status.json"
import json, sys
import jsonschema
schema = json.load(open("docs/api/arbiter/status.json"))
jsonschema.validate(json.load(open(sys.argv[1])), schema)
PY

# splits, cut from alternating sides
RACES=${ARB_RACES:-6}
wins0=0
r=1
while [ "$r" -le "$RACES" ]; do
	e=$(mp_get 0 epoch)
	mp_is 1 epoch "$e" || mp_fail "split $r: the two disagree on the epoch"
	mp_ctl $((r % 2)) link cut $(((r + 1) % 2)) >/dev/null ||
	    mp_fail "link cut refused"
	mp_wait 5 "split $r: exactly one member at epoch $((e + 1))" \
	    one_side_won "$e"
	[ "$(mp_get "$l" quorum)" = false ] || mp_fail "split $r: loser $l claims quorum"
	[ "$w" = 0 ] && wins0=$((wins0 + 1))
	mp_ctl $((r % 2)) link heal >/dev/null || mp_fail "link heal refused"
	mp_wait 5 "split $r: the pair again" mp_all "0 1" members 0,1
	mp_wait 5 "split $r: both members again" mp_all "0 1" state member
	r=$((r + 1))
done
ops=$(arb_counter ops)
[ "${ops:-0}" -ge "$RACES" ] || mp_fail "the arbiter applied ${ops:-no} operations in $RACES splits"
echo "$RACES splits, one member each: node 0 won $wins0, node 1 $((RACES - wins0)); the arbiter applied $ops operations"

# replay protection, on the live arbiter
mp_tool arb_client
"$MP_TOOL" "127.0.0.1:$APORT" "$MP_DIR/key" mp-arbiter d01 \
    >"$MP_DIR/client.out" 2>&1 || mp_fail "arb_client: $(cat "$MP_DIR/client.out")"
cat "$MP_DIR/client.out"
for c in bad_tag replayed resent; do
	v=$(arb_counter "$c")
	[ "${v:-0}" -ge 1 ] || mp_fail "arbiter counter $c is ${v:-missing}, want >= 1"
done
# a second cluster on the same arbiter: its own record of the same name
"$MP_TOOL" "127.0.0.1:$APORT" "$MP_DIR/key2" other d01 \
    >"$MP_DIR/client2.out" 2>&1 || mp_fail "arb_client, cluster other: $(cat "$MP_DIR/client2.out")"
grep -q "read: registered 0 node(s), reservation epoch 0" "$MP_DIR/client2.out" ||
    mp_fail "cluster other sees another record: $(head -n 1 "$MP_DIR/client2.out")"
"$CMM" ctl -s "$ASOCK" --json status | grep -q '"name": *"other", *"id": *"[0-9a-f]*", *"devices": *\[ *"d01" *\]' ||
    mp_fail "status does not list cluster other's device: $("$CMM" ctl -s "$ASOCK" --json status)"
echo "cluster other: its own empty record d01 on the same arbiter"
echo "arbiter counted: bad_tag $(arb_counter bad_tag), replayed $(arb_counter replayed), resent $(arb_counter resent)"

# the arbiter gone, no split: nothing changes
e=$(mp_get 0 epoch)
kill -KILL "$APID" && wait "$APID" 2>/dev/null
t_end=$(( $(mp_now_ms) + 2000 ))
while [ "$(mp_now_ms)" -lt "$t_end" ]; do
	if ! { mp_all "0 1" epoch "$e" && mp_all "0 1" state member; }; then
		mp_fail "the arbiter's loss changed the cluster: epochs $(mp_get 0 epoch)/$(mp_get 1 epoch)"
	fi
	sleep 0.2
done
echo "arbiter killed, no split: both members at epoch $e for 2 s"

# the arbiter gone, then a split: no side can win the race
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut refused"
mp_wait 10 "both sides no-quorum" mp_all "0 1" state no-quorum
t_end=$(( $(mp_now_ms) + 1500 ))
while [ "$(mp_now_ms)" -lt "$t_end" ]; do
	for i in 0 1; do
		[ "$(mp_get $i epoch)" = "$e" ] ||
		    mp_fail "node $i committed epoch $(mp_get $i epoch) without the arbiter"
		[ "$(mp_get $i state)" != member ] || mp_fail "node $i continued alone"
	done
	sleep 0.2
done
echo "arbiter killed, then a split: neither side continues (both no-quorum at epoch $e)"
echo "ok"
