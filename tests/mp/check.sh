#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `cmm check`: every check passes for a node whose peer runs; a peer that
# does not answer fails it (exit 1, one FAIL line); checking a device whose
# reservation a live node holds leaves the record exactly as it was.
. tests/mp/lib/mp.sh
mp_init check
mp_config 2
mp_device d01 "0 1"
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1

# a race gives node 0 or 1 the reservation; the loser is then stopped
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut"
won() {
	for i in 0 1; do
		if mp_is "$i" members "$i" && mp_is "$i" state member; then
			winner=$i
			return 0
		fi
	done
	return 1
}
mp_wait 10 "a race winner" won
loser=$((1 - winner))
mp_kill "$loser"
mp_ctl "$winner" link heal >/dev/null
before=$(mp_ctl "$winner" devices)
case "$before" in *"reserved by $winner"*) ;; *) mp_fail "no live reservation: $before" ;; esac

out=$("$CMM" check -c "$MP_CONF" --id "$loser" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = 0 ] || mp_fail "check of node $loser: exit $rc"
for want in "ok config" "ok key" "ok state" "ok bind 127.0.0.1:$((MP_PORT + loser))" \
    "ok peer $winner answered" "ok device d01"; do
	printf '%s\n' "$out" | grep -q "^$want" || mp_fail "no line '$want'"
done
after=$(mp_ctl "$winner" devices)
[ "$before" = "$after" ] || mp_fail "check changed the live device: '$before' -> '$after'"
for f in "$MP_DIR"/*.check.*; do
	[ -e "$f" ] && mp_fail "check left its scratch file behind: $f"
done

mp_kill "$winner"
out=$("$CMM" check -c "$MP_CONF" --id "$loser" --timeout 300 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = 1 ] || mp_fail "check with a dead peer: exit $rc, want 1"
[ "$(printf '%s\n' "$out" | grep -c '^FAIL')" = 1 ] || mp_fail "want exactly one FAIL line"
printf '%s\n' "$out" | grep -q "^FAIL peer $winner .*no answer within 300 ms" ||
	mp_fail "no FAIL line for the silent peer"
echo "ok"
