#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A 1 GiB history of valid records: `history 3` answers from the end of
# the file in well under 50 ms (measured with the real daemon and
# `cmm ctl`), the node stays a member, and the next commit rotates the file
# to history.1 while `history` still shows the newest records across both.
. tests/mp/lib/mp.sh
mp_init history_big
mp_tool histgen
HISTGEN=$MP_TOOL
MIB=${HISTORY_BIG_MIB:-1024}

mp_config 3
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
epoch=$(mp_get 0 epoch)

# planted under the running node: it opens the file for every request
t0=$(mp_now_ms)
"$HISTGEN" "$MP_DIR/state0/history.big" "$MIB" >/dev/null ||
	mp_fail "histgen failed"
mv "$MP_DIR/state0/history.big" "$MP_DIR/state0/history"
echo "wrote $(stat -c %s "$MP_DIR/state0/history") bytes in $(( $(mp_now_ms) - t0 )) ms"

times=""
for i in 1 2 3 4 5; do
	t0=$(mp_now_ms)
	out=$(mp_ctl 0 history 3) || mp_fail "history 3 failed: $out"
	times="$times $(( $(mp_now_ms) - t0 ))"
done
echo "history 3 on a ${MIB} MiB file, ms per call:$times"
printf '%s\n' "$out" | sed -n 1p | grep -q "epoch 2 members 0-2 uid - planted 1$" ||
	mp_fail "history 3 does not start with the third newest: $out"
printf '%s\n' "$out" | sed -n 3p | grep -q "epoch 4 members 0-2 uid - planted 3$" ||
	mp_fail "history 3 does not end with the newest: $out"
[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || mp_fail "want 3 lines: $out"
median=$(echo "$times" | tr ' ' '\n' | grep . | sort -n | sed -n 3p)
[ "$median" -lt 50 ] || mp_fail "history 3 took $median ms (median), not under 50"
mp_is 0 state member || mp_fail "node 0 stopped being a member"
[ "$(mp_get 0 epoch)" = "$epoch" ] || mp_fail "a new epoch while reading history"

# a commit appends past the size limit: rotation keeps the newest
mp_kill 2
mp_wait 10 "commit of 0,1" mp_all "0 1" members 0,1
mp_wait 5 "rotation" test -f "$MP_DIR/state0/history.1"
[ "$(stat -c %s "$MP_DIR/state0/history")" -le 1120 ] ||
	mp_fail "the new history file is not small"
out=$(mp_ctl 0 history 4) || mp_fail "history 4 failed"
echo "$out"
printf '%s\n' "$out" | sed -n 3p | grep -q "planted 3$" ||
	mp_fail "the newest records before the rotation are lost: $out"
printf '%s\n' "$out" | sed -n 4p | grep -q "commit epoch $((epoch + 1)) members 0-1 " ||
	mp_fail "the commit after the rotation is not the newest: $out"
echo "ok"
