#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The systemd notify protocol (cmm(1), "SYSTEMD"), without systemd: a
# small AF_UNIX datagram listener stands in as $NOTIFY_SOCKET.
#   node 0: a socket path, WATCHDOG_USEC=400000 -> WATCHDOG=1 every ~200 ms;
#           READY=1 only once it is a member (after its first commit in
#           the log); STATUS= on every change and only then; STOPPING=1 on
#           SIGTERM; its hook does not inherit NOTIFY_SOCKET
#   node 1: an abstract socket (@name), WATCHDOG_PID of another process ->
#           READY and STATUS but no pings
#   node 2: no NOTIFY_SOCKET at all
. tests/mp/lib/mp.sh
mp_init notify
command -v python3 >/dev/null 2>&1 || mp_skip "no python3"

# listen SOCKET OUT: every datagram as one line "MS TEXT" (newlines as |)
cat >"$MP_DIR/listen.py" <<'PY'
import socket, sys, time
name, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
open(out + ".bound", "w").close()
s.settimeout(0.5)
end = time.time() + 60
with open(out, "a") as f:
    while time.time() < end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        text = data.decode("utf-8", "replace").replace("\n", "|")
        f.write("%d %s\n" % (int(time.time() * 1000), text))
        f.flush()
PY
listen() { # SOCKET OUT
	python3 "$MP_DIR/listen.py" "$1" "$2" &
	MP_PIDS="$MP_PIDS $!"
	mp_wait 5 "listener on $1" test -f "$2.bound"
}
abstract="@cmm-mp-notify-$$-$MP_PORT"
listen "$MP_DIR/notify.sock" "$MP_DIR/n0.out"
listen "$abstract" "$MP_DIR/n1.out"

cat >"$MP_DIR/hook.sh" <<HOOK
#!/bin/sh
echo "\$CMM_NODE \${NOTIFY_SOCKET-unset} \${WATCHDOG_USEC-unset}" >>"$MP_DIR/hookenv.out"
HOOK
chmod 755 "$MP_DIR/hook.sh"
mp_config 3 "hook = hook.sh"

export NOTIFY_SOCKET="$MP_DIR/notify.sock" WATCHDOG_USEC=400000
mp_spawn 0
export NOTIFY_SOCKET="$abstract" WATCHDOG_PID=1
mp_spawn 1
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
mp_spawn 2
for i in 0 1 2; do
	mp_wait 10 "node $i to answer on its socket" mp_up "$i"
done
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
e=$(mp_get 0 epoch)

has() { # FILE PATTERN
	MP_WHY=$(tail -n 2 "$1" 2>/dev/null | tr '\n' '/')
	grep -q "$2" "$1" 2>/dev/null
}
mp_wait 5 "READY=1 from node 0" has "$MP_DIR/n0.out" "READY=1"
mp_wait 5 "READY=1 from node 1 (abstract socket)" has "$MP_DIR/n1.out" "READY=1"

# READY=1: once, with a member STATUS, after the first commit in the log
[ "$(grep -c 'READY=1' "$MP_DIR/n0.out")" = 1 ] || mp_fail "READY=1 not once: $(cat "$MP_DIR/n0.out")"
grep 'READY=1' "$MP_DIR/n0.out" | grep -q 'STATUS=member of epoch [0-9]* {' ||
	mp_fail "READY=1 without a member STATUS: $(grep READY "$MP_DIR/n0.out")"
head -n 1 "$MP_DIR/n0.out" | grep -q 'READY=1' &&
	mp_fail "READY=1 in the very first message: $(head -n 1 "$MP_DIR/n0.out")"
ready_ms=$(grep 'READY=1' "$MP_DIR/n0.out" | cut -d' ' -f1)
# the line the node logs right after its write of the first commit (the
# "commit epoch" event line comes after READY=1, maybe a ms later)
commit=$(grep -m 1 'node 0: epoch [0-9]* is {' "$MP_DIR/node0.log" | cut -d' ' -f1)
[ -n "$commit" ] || mp_fail "no commit line in node 0's log"
commit_ms=$(( $(date -d "$commit" +%s%3N) ))
[ "$ready_ms" -ge "$commit_ms" ] ||
	mp_fail "READY=1 at $ready_ms ms, before the first commit at $commit_ms ms ($commit)"

# node 2 leaves the cluster: a new STATUS line on node 0
mp_kill 2
mp_wait 10 "commit of 0,1" mp_all "0 1" members 0,1
mp_wait 5 "STATUS for the two-node cluster" has "$MP_DIR/n0.out" \
	"STATUS=member of epoch [0-9]* {0-1}"
# on change only: never the same STATUS twice in a row
sed -n 's/.*STATUS=//p' "$MP_DIR/n0.out" | uniq -d | grep -q . &&
	mp_fail "a STATUS line repeated: $(sed -n 's/.*STATUS=//p' "$MP_DIR/n0.out" | uniq -d)"

# WATCHDOG=1 every half WATCHDOG_USEC (200 ms): count and spacing over
# what was received so far, five pings at least (with fast_fail the kill
# above is over in a heartbeat or two, not a failure timeout)
pings() {
	MP_WHY="$(grep -c ' WATCHDOG=1$' "$MP_DIR/n0.out") pings"
	[ "$(grep -c ' WATCHDOG=1$' "$MP_DIR/n0.out")" -ge 5 ]
}
mp_wait 5 "five WATCHDOG=1 pings" pings
grep ' WATCHDOG=1$' "$MP_DIR/n0.out" | cut -d' ' -f1 >"$MP_DIR/wd"
n=$(wc -l <"$MP_DIR/wd")
[ "$n" -ge 5 ] || mp_fail "only $n WATCHDOG=1 pings"
first=$(head -n 1 "$MP_DIR/wd")
last=$(tail -n 1 "$MP_DIR/wd")
avg=$(( (last - first) / (n - 1) ))
{ [ "$avg" -ge 150 ] && [ "$avg" -le 300 ]; } ||
	mp_fail "WATCHDOG=1 every $avg ms on average over $n pings, expected ~200"
# no gap of a whole WATCHDOG_USEC: systemd would have killed the node
maxgap=$(awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { print m + 0 }' "$MP_DIR/wd")
[ "$maxgap" -lt 400 ] || mp_fail "a $maxgap ms gap between WATCHDOG=1 pings"
# node 1's WATCHDOG_PID names another process: no pings there
grep -q 'WATCHDOG=1' "$MP_DIR/n1.out" &&
	mp_fail "node 1 pinged though WATCHDOG_PID is not its pid"

# hooks never see the notify socket (they could talk to systemd for us)
mp_wait 5 "hook runs" test -s "$MP_DIR/hookenv.out"
grep -qv ' unset unset$' "$MP_DIR/hookenv.out" &&
	mp_fail "a hook inherited systemd's variables: $(cat "$MP_DIR/hookenv.out")"

# SIGTERM: a graceful leave says STOPPING=1
mp_kill 0 TERM
mp_wait 5 "STOPPING=1 after SIGTERM" has "$MP_DIR/n0.out" "STOPPING=1"
echo "ok (epoch $e, ready $((ready_ms - commit_ms)) ms after the commit line," \
	"$n pings every $avg ms)"
