#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `cmm node` refuses to start, with one line and exit code 2, on a key file
# that is missing, short or readable by others, on a node id that is not
# configured and on a corrupt state file (naming the file and
# --forget-state); --forget-state then moves the state aside and starts.
# A second process for a running node's id fails to bind, exit 1.
. tests/mp/lib/mp.sh
mp_init start-errors
mp_config 2

# refuse NAME WANT_RC PATTERN ARGS...: one line matching PATTERN
refuse() {
	name=$1
	want=$2
	pat=$3
	shift 3
	out=$(timeout -k 2 10 "$CMM" node --headless "$@" 2>&1 </dev/null)
	rc=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	[ "$rc" = "$want" ] || mp_fail "$name: exit $rc, want $want: $out"
	[ "$lines" = 1 ] || mp_fail "$name: $lines lines, want one: $out"
	case "$out" in
	*$pat*) echo "ok   $name: $out" ;;
	*) mp_fail "$name: '$out' does not mention '$pat'" ;;
	esac
}

mv "$MP_DIR/key" "$MP_DIR/key.real"
refuse missing-key 2 "$MP_DIR/key" -c "$MP_CONF" --id 0
printf '0123abcd\n' >"$MP_DIR/key"
chmod 600 "$MP_DIR/key"
refuse short-key 2 "$MP_DIR/key" -c "$MP_CONF" --id 0
mv "$MP_DIR/key.real" "$MP_DIR/key"
chmod 644 "$MP_DIR/key"
refuse open-key 2 "$MP_DIR/key" -c "$MP_CONF" --id 0
chmod 600 "$MP_DIR/key"
refuse unknown-id 2 "7" -c "$MP_CONF" --id 7
refuse no-config 2 "nothere.conf" -c "$MP_DIR/nothere.conf" --id 0

mkdir -p "$MP_DIR/state0"
chmod 700 "$MP_DIR/state0"
head -c 304 /dev/urandom >"$MP_DIR/state0/state"
refuse corrupt-state 2 "--forget-state" -c "$MP_CONF" --id 0
out=$(timeout -k 2 10 "$CMM" node --headless -c "$MP_CONF" --id 0 2>&1 </dev/null)
case "$out" in
*"$MP_DIR/state0/state"*) ;;
*) mp_fail "corrupt-state: the message does not name the file: $out" ;;
esac

mp_start 0 --forget-state
set -- "$MP_DIR"/state0/*state.corrupt*
[ -e "$1" ] ||
	mp_fail "--forget-state did not keep the old state aside: $(ls "$MP_DIR/state0")"
echo "ok   forget-state: started, old state kept aside"

refuse second-process 1 "127.0.0.1:$MP_PORT" -c "$MP_CONF" --id 0
mp_up 0 || mp_fail "the running node died when a second one tried its id"
echo "ok"
