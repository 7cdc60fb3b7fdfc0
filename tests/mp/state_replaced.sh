#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A running node's state file is replaced under it by an older copy (a
# backup restored while the node ran): the next save notices, warns, and
# writes the current state where a restart reads it, so the restarted
# node loads its newest promise, not the restored one.  Then the file is
# removed outright: the same.
. tests/mp/lib/mp.sh
mp_init staterep
mp_config 3 "heartbeat_ms = 20" "failure_timeout_ms = 100" \
    "round_timeout_ms = 60" "join_retry_ms = 100"
mp_start_all "0 1 2"
mp_wait 10 "cluster of three" mp_all "0 1 2" members 0,1,2
st=$MP_DIR/state0/state
[ -f "$st" ] || mp_fail "no state file at $st"
cp "$st" "$MP_DIR/state0.old"
e_old=$(mp_get 0 epoch)
# a failover makes every survivor save
mp_kill 2
mp_wait 5 "0 and 1 without node 2" mp_all "0 1" members 0,1
# the backup goes back in place (a new inode, as a restore makes it)
cp "$MP_DIR/state0.old" "$MP_DIR/state0/state.new"
mv "$MP_DIR/state0/state.new" "$st"
mp_start 2
mp_wait 5 "node 2 back" mp_all "0 1 2" members 0,1,2
mp_wait 5 "the warning in node 0's log" grep -q \
    "state0/state was removed or replaced while this node ran" \
    "$MP_DIR/node0.log"
e=$(mp_get 0 epoch)
[ "$e" -gt "$e_old" ] || mp_fail "node 0 at epoch $e, the backup at $e_old"
out=$("$CMM" check -c "$MP_CONF" --id 0 --timeout 100 2>&1)
printf '%s\n' "$out" | grep -q "ok state.*epoch $e" ||
    mp_fail "the file at the path does not hold epoch $e: $out"
# removed outright
rm -f "$st"
mp_kill 2
mp_wait 5 "0 and 1 without node 2, again" mp_all "0 1" members 0,1
e=$(mp_get 0 epoch)
[ -f "$st" ] || mp_fail "the removed state file was not written again"
out=$("$CMM" check -c "$MP_CONF" --id 0 --timeout 100 2>&1)
printf '%s\n' "$out" | grep -q "ok state.*epoch $e" ||
    mp_fail "the rewritten file does not hold epoch $e: $out"
echo "replaced and removed state files were written again with the current state (epoch $e)"
echo "ok"
