#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The control socket's limits: a client that sends requests and never reads
# the replies is disconnected with a logged reason while the daemon stays
# small (peak RSS under 64 MB) and a member; 200 idle connections of
# another user leave root a slot; a request line over the limit closes the
# connection with a reason; a member of control_readonly_group may look
# but not change (answer, leave refused; status allowed); a user in no
# control group is turned away; with control_group alone the socket is
# mode 0660 in that group, whose members (by a supplementary group too)
# may change the node.  Runs as root (setpriv for the others).
. tests/mp/lib/mp.sh
mp_init ctl_limits
[ "$(id -u)" = 0 ] || mp_skip "needs root (setpriv to other users)"
command -v setpriv >/dev/null || mp_skip "no setpriv (util-linux)"
# the other users must reach the tool and the socket
chmod 755 "$MP_DIR"
mp_tool ctlflood
FLOOD=$MP_TOOL
RO_UID=65534
as_ro() {
	setpriv --reuid=$RO_UID --regid=$RO_UID --clear-groups "$@"
}
as_stranger() {
	setpriv --reuid=65533 --regid=65533 --clear-groups "$@"
}
# Under AddressSanitizer (make check SAN=1) freed memory sits in a
# quarantine of up to 256 MB, so the flood's freed replies would count as
# the daemon's own growth; a small quarantine keeps the bound meaningful.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2
export ASAN_OPTIONS
cp "$CMM" "$MP_DIR/cmm"
chmod 755 "$MP_DIR/cmm"
CMMX=$MP_DIR/cmm

mp_config 3 "control_readonly_group = $RO_UID"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
epoch=$(mp_get 0 epoch)
pid0=$(mp_pid 0)
sock0=$(mp_sock 0)

# the socket: mode 0666 with a read-only group, the kernel's credentials
# decide who is who
mode=$(stat -c %a "$sock0")
[ "$mode" = 666 ] || mp_fail "socket mode $mode, want 666"

# ---- a client that never reads ----
rss0=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid0/status")
out=$(timeout 60 "$FLOOD" flood "$sock0" 5000000) ||
	mp_fail "flood client stuck or failed: $out"
echo "flood: $out"
case "$out" in
*disconnected) ;;
*) mp_fail "a client that never reads was not disconnected: $out" ;;
esac
grep -q "control client uid 0 pid [0-9]*: disconnected: it did not read its replies" \
	"$MP_DIR/node0.log" || mp_fail "no logged reason for the disconnect"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid0/status")
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid0/status")
echo "node 0: RSS ${rss0} kB before, peak ${hwm} kB, now ${rss} kB"
[ "$hwm" -lt 65536 ] || mp_fail "peak RSS $hwm kB is not under 64 MB"
mp_is 0 state member || mp_fail "node 0 is no longer a member"
mp_all "0 1 2" members 0,1,2 || mp_fail "membership changed during the flood"
[ "$(mp_get 0 epoch)" = "$epoch" ] || mp_fail "a new epoch during the flood"

# ---- a request line over the limit ----
out=$(timeout 20 "$FLOOD" long "$sock0" 100000)
echo "long line: $out"
case "$out" in
*"- request line too long"*EOF) ;;
*) mp_fail "an over-long request did not end the connection: $out" ;;
esac
grep -q "disconnected: request line too long" "$MP_DIR/node0.log" ||
	mp_fail "no logged reason for the over-long request"

# ---- read-only and unknown users ----
out=$(as_ro "$CMMX" ctl -s "$sock0" status 2>&1)
rc=$?
[ "$rc" = 0 ] || mp_fail "read-only status: exit $rc: $out"
for cmd in "answer isolated" "leave" "log level debug" "reconfigure" "join"; do
	# shellcheck disable=SC2086 # $cmd is a command and its arguments
	out=$(as_ro "$CMMX" ctl -s "$sock0" $cmd 2>&1) &&
		mp_fail "read-only '$cmd' was allowed: $out"
	case "$out" in
	*"permission denied: uid $RO_UID may only run commands that change nothing"*) ;;
	*) mp_fail "read-only '$cmd': unexpected: $out" ;;
	esac
done
mp_is 0 state member || mp_fail "node 0 left after a refused leave"
out=$(as_stranger "$CMMX" ctl -s "$sock0" status 2>&1) &&
	mp_fail "a user in no control group got in: $out"
case "$out" in
*"refused the connection: permission denied: uid 65533"*) ;;
*) mp_fail "stranger: unexpected: $out" ;;
esac

# ---- 200 idle connections of another user, then root ----
mkfifo "$MP_DIR/hold"
as_ro "$FLOOD" idle "$sock0" 200 <"$MP_DIR/hold" >"$MP_DIR/idle.out" 2>&1 &
holder=$!
MP_PIDS="$MP_PIDS $holder"
exec 7>"$MP_DIR/hold"	# keeps the holder's stdin open
mp_wait 20 "200 connection attempts" grep -q "^accepted" "$MP_DIR/idle.out"
cat "$MP_DIR/idle.out"
grep -qx "accepted 64 refused 136" "$MP_DIR/idle.out" ||
	mp_fail "want 64 accepted and 136 refused: $(cat "$MP_DIR/idle.out")"
grep -q "^- too many control connections (64 open; the last slots are kept for root)" \
	"$MP_DIR/idle.out" || mp_fail "no reason given to the refused clients"
out=$(as_ro "$CMMX" ctl -s "$sock0" status 2>&1) &&
	mp_fail "a 65th user connection got in: $out"
t0=$(mp_now_ms)
"$CMM" ctl -s "$sock0" status >/dev/null ||
	mp_fail "root could not run status with 200 idle connections open"
echo "root's status with the slots full: $(( $(mp_now_ms) - t0 )) ms"
n=$(grep -c "refused a connection of uid" "$MP_DIR/node0.log")
[ "$n" -le 3 ] || mp_fail "refusals flood the log: $n lines"
exec 7>&-
wait "$holder"
# the slots come back
mp_wait 5 "user slots free again" sh -c \
	"setpriv --reuid=$RO_UID --regid=$RO_UID --clear-groups '$CMMX' ctl -s '$sock0' status >/dev/null"
mp_all "0 1 2" members 0,1,2 || mp_fail "membership changed"

# ---- control_group alone: mode 0660 and that group; its members, by a
# supplementary group, may change the node; others cannot even connect ----
mp_kill 0
sed -i "s/^control_readonly_group = .*/control_group = 65532/" "$MP_CONF"
mp_start 0
mode=$(stat -c '%a %g' "$sock0")
[ "$mode" = "660 65532" ] || mp_fail "socket mode and group '$mode', want '660 65532'"
out=$(setpriv --reuid=65531 --regid=65531 --groups=65532 "$CMMX" ctl \
	-s "$sock0" log level info 2>&1) ||
	mp_fail "a control_group member (supplementary) may not change the node: $out"
out=$(as_ro "$CMMX" ctl -s "$sock0" status 2>&1) &&
	mp_fail "a user outside control_group connected: $out"
case "$out" in
*"Permission denied"*) ;;
*) mp_fail "outside control_group: unexpected: $out" ;;
esac
echo "ok"
