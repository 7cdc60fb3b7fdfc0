#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# force-quorum on the FIG. 1 cluster of assets/fig1.conf (six nodes, the
# ring of shared devices 0-3, 3-5, 5-1, 1-4, 4-2, 2-0, its timings; only
# ports and paths made the test's own): SIGKILL 3, 4 and 5 together, the crown
# prince's half.  {0,1,2} is exactly half without the crown prince: no
# quorum, and nothing moves by itself.  force-quorum is refused while the
# dead were heard within the failure timeout, refused for a listed node
# that is alive, then accepted; {0,1,2} commit one new epoch, are quorate,
# and the history holds the command with the caller's uid.
. tests/mp/lib/mp.sh
mp_init fq6
# assets/fig1.conf itself, with this test's ports, key, state and devices
"$CMM" keygen "$MP_DIR/key" >/dev/null || mp_fail "keygen"
sed -e "s|^key_file = .*|key_file = key|" \
    -e "s|^state_dir = .*|state_dir = state%n|" \
    -e "s|^control_socket = .*|control_socket = node%n.sock|" \
    -e "s|^path = /var/lib/cmm/devices/\(.*\)|path = \1.dev|" \
    -e "s|^address = 127.0.0.1:740\([0-5]\)|address = 127.0.0.1:PORT\1|" \
    assets/fig1.conf >"$MP_CONF.in" || mp_fail "cannot read assets/fig1.conf"
awk -v base="$MP_PORT" '/PORT[0-5]$/ { n = substr($0, length($0)); \
    sub(/PORT[0-5]$/, base + n) } { print }' "$MP_CONF.in" >"$MP_CONF"
grep -q "127.0.0.1:$MP_PORT\$" "$MP_CONF" || mp_fail "fig1.conf did not adapt"
mp_start_all "0 1 2 3 4 5"
mp_wait 20 "six-node cluster" mp_all "0 1 2 3 4 5" members 0,1,2,3,4,5
mp_wait 5 "all six members" mp_all "0 1 2 3 4 5" state member
e=$(mp_get 0 epoch)
uid=$(id -u)

kill -KILL "$(mp_pid 3)" "$(mp_pid 4)" "$(mp_pid 5)"
t0=$(mp_now_ms)
# at once: the three were heard a moment ago, so they may be alive
out=$(mp_ctl 0 force-quorum dead 3-5 confirm 2>&1) &&
	mp_fail "force-quorum accepted right after the kill: $out"
case "$out" in
*"node 3 was heard"*"ms ago"*) ;;
*) mp_fail "the early refusal does not say when node 3 was heard: $out" ;;
esac
echo "refused at once: $out"

mp_wait 10 "{0,1,2} without quorum" mp_all "0 1 2" state no-quorum
[ "$(mp_get 0 epoch)" = "$e" ] || mp_fail "an epoch was committed without quorum"
# a listed node that is alive
out=$(mp_ctl 0 force-quorum dead 1,3-5 confirm 2>&1) &&
	mp_fail "force-quorum accepted with live node 1 listed: $out"
case "$out" in
*"node 1 was heard"*) ;;
*) mp_fail "the refusal does not name live node 1: $out" ;;
esac
echo "refused for a live node: $out"
# without the last word
out=$(mp_ctl 0 force-quorum dead 3-5 2>&1) &&
	mp_fail "force-quorum accepted without 'confirm': $out"

# the peers' rows drop the dead one heartbeat after their own detectors
# do: until then a refusal must still be the "heard" kind
fq_try() {
	out=$(mp_ctl 0 force-quorum dead 3-5 confirm 2>&1) && return 0
	case "$out" in
	*"heard"*) MP_WHY=$out; return 1 ;;
	*) mp_fail "force-quorum refused for another reason: $out" ;;
	esac
}
mp_wait 5 "force-quorum accepted" fq_try
t1=$(mp_now_ms)
# the rule counts from when each was last heard: a heartbeat (100 ms)
# before the kill, or a little more if that heartbeat was late; fast_fail
# drops them from the peers' rows at once, so nothing stretches it past
# that
[ $((t1 - t0)) -ge 800 ] ||
	mp_fail "force-quorum accepted $((t1 - t0)) ms after the kill, within the failure timeout"
echo "accepted $((t1 - t0)) ms after the kill: $out"

mp_wait 10 "{0,1,2} committed" mp_all "0 1 2" members 0,1,2
mp_wait 5 "{0,1,2} quorate" mp_all "0 1 2" state member
for i in 0 1 2; do
	got=$(mp_get "$i" epoch)
	[ "$got" = $((e + 1)) ] ||
		mp_fail "node $i is at epoch $got after force-quorum, want $((e + 1))"
done
mp_ctl 0 status >/dev/null || mp_fail "status does not exit 0 on a quorate member"

h=$(mp_ctl 0 --json history 20) || mp_fail "history failed"
printf '%s\n' "$h" | grep -q "force-quorum dead 3-5" ||
	mp_fail "history has no force-quorum record: $h"
printf '%s\n' "$h" | grep "force-quorum dead 3-5" | grep -q "\"uid\":$uid" ||
	mp_fail "the history's force-quorum record lacks uid $uid: $h"
grep -q "force-quorum dead 3-5 (uid $uid)" "$MP_DIR/node0.log" ||
	mp_fail "the log has no force-quorum line with uid $uid"
echo "history and log: force-quorum dead 3-5 by uid $uid"
echo "ok"
