#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Watchdog self-fencing (cmm.conf(5) `watchdog`; docs/PROTOCOL.md
# "Watchdog self-fencing"), with a FIFO per node read by this test, each
# write timestamped:
#   - pets arrive while the node is a quorate member, and status says so;
#   - SIGSTOP: none while stopped; after SIGCONT the node, which its peers
#     took out meanwhile, does not pet again until it is a member again
#     (no pet is followed by a status that says "no quorum");
#   - a member killed: the others wait out its watchdog before they use
#     the configuration without it (the round panel says so), and say
#     nothing is NOT FENCED;
#   - its last peer killed: the pets stop within a failure timeout and a
#     pet interval of the kill, before status says "no quorum", and the
#     killed nodes' FIFOs never saw the magic 'V';
#   - SIGTERM: the last byte is the magic close 'V', then EOF.
# Also: realtime = yes shows SCHED_RR in status and in chrt (as root);
# realtime = no keeps SCHED_OTHER; a watchdog path that is not there
# stops the node at start (exit 2).
. tests/mp/lib/mp.sh
mp_init watchdog
command -v python3 >/dev/null 2>&1 || mp_skip "no python3"

# reader FIFO OUT: one line "MS BYTE" per byte written, "MS EOF" at the
# end; OUT.open once the FIFO is open (the daemon needs a reader)
cat >"$MP_DIR/reader.py" <<'PY'
import os, select, sys, time
fifo, out = sys.argv[1], sys.argv[2]
fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
open(out + ".open", "w").close()
seen = False
end = time.time() + 120
with open(out, "a") as f:
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        data = os.read(fd, 4096)
        now = int(time.time() * 1000)
        if not data:
            if seen:            # the writer closed
                f.write("%d EOF\n" % now)
                break
            time.sleep(0.01)    # no writer yet
            continue
        seen = True
        for b in data:
            f.write("%d %s\n" % (now, chr(b)))
        f.flush()
PY
for i in 0 1 2; do
	mkfifo "$MP_DIR/wd$i.fifo" || mp_fail "mkfifo"
	python3 "$MP_DIR/reader.py" "$MP_DIR/wd$i.fifo" "$MP_DIR/wd$i.out" &
	MP_PIDS="$MP_PIDS $!"
	mp_wait 5 "reader of wd$i.fifo" test -f "$MP_DIR/wd$i.out.open"
done

MP_REALTIME=yes
mp_config 3 "heartbeat_ms = 50" "failure_timeout_ms = 400" \
    "watchdog = wd%n.fifo" "watchdog_timeout_s = 2"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2

# pets: lines with a '.', and the time of the last one
pets() { grep -c ' \.$' "$MP_DIR/wd$1.out"; }
last_pet() { grep ' \.$' "$MP_DIR/wd$1.out" | tail -n 1 | cut -d' ' -f1; }
# pets after MS (exclusive) and up to MS2 (inclusive)
pets_between() {
	awk -v a="$2" -v b="$3" '$2 == "." && $1 > a && $1 <= b' \
	    "$MP_DIR/wd$1.out" | wc -l
}

# ---- pets while quorate: 50 ms apart, so at least 10 in a second
t0=$(mp_now_ms)
sleep 1
t1=$(mp_now_ms)
for i in 0 1 2; do
	n=$(pets_between "$i" "$t0" "$t1")
	[ "$n" -ge 10 ] || mp_fail "node $i: $n pets in $((t1 - t0)) ms while quorate"
done
st=$(mp_status 0)
case "$st" in
*'"watchdog":{"path":"'*'wd0.fifo","kind":"fifo","timeout_s":2,"interval_ms":50,"armed":true,"petting":true,"not_petting":null,'*) ;;
*) mp_fail "status of node 0 does not show the watchdog petting: $st" ;;
esac
mp_ctl 0 status | grep -q '^watchdog: .*wd0.fifo (fifo, 2 s, a pet every 50 ms): armed, petting' ||
    mp_fail "status text has no watchdog line: $(mp_ctl 0 status)"
echo "ok: pets while quorate"

# ---- realtime: SCHED_RR where permitted (we are root in CI)
case "$st" in
*'"realtime":{"setting":"yes","sched":"SCHED_RR","priority":10,"memory_locked":true,"problem":null}'*)
	if command -v chrt >/dev/null 2>&1; then
		chrt -p "$(mp_pid 0)" | grep -q 'SCHED_RR' ||
		    mp_fail "chrt does not show SCHED_RR: $(chrt -p "$(mp_pid 0)")"
	fi
	echo "ok: realtime SCHED_RR"
	;;
*'"realtime":{"setting":"yes","sched":"SCHED_OTHER"'*'"problem":"'*)
	[ "$(id -u)" -ne 0 ] || mp_fail "root but no SCHED_RR: $st"
	echo "(not root: realtime not permitted, said in status)"
	;;
*) mp_fail "status has no realtime object as expected: $st" ;;
esac

# ---- SIGSTOP: no pets while stopped; after SIGCONT none until the node
# is a member again (its peers took it out meanwhile)
e0=$(mp_get 0 epoch)
kill -STOP "$(mp_pid 0)"
ts=$(mp_now_ms)
mp_wait 10 "nodes 1 and 2 to take node 0 out" mp_all "1 2" members 1,2
sleep 0.3
kill -CONT "$(mp_pid 0)"
tc=$(mp_now_ms)
n=$(pets_between 0 $((ts + 20)) "$tc")
[ "$n" -eq 0 ] || mp_fail "node 0 petted $n times while stopped"
# status samples "BEFORE_MS QUORUM": a pet followed by a sample that
# began after it and says "no quorum" was a pet out of membership
: >"$MP_DIR/samples"
deadline=$((tc + 15000))
while :; do
	b=$(mp_now_ms)
	q=$(mp_get 0 quorum)
	echo "$b $q" >>"$MP_DIR/samples"
	[ "$q" = true ] && [ "$(mp_get 0 epoch)" -gt "$e0" ] && break
	[ "$(mp_now_ms)" -lt "$deadline" ] || mp_fail "node 0 not back as a member"
	sleep 0.05
done
grep -q ' false$' "$MP_DIR/samples" ||
    mp_fail "never saw node 0 without quorum after SIGCONT (samples: $(cat "$MP_DIR/samples"))"
lastno=$(grep ' false$' "$MP_DIR/samples" | tail -n 1 | cut -d' ' -f1)
n=$(pets_between 0 "$tc" "$lastno")
[ "$n" -eq 0 ] || mp_fail "node 0 petted $n times after SIGCONT before it was a member again"
grep -q 'the event loop stalled' "$MP_DIR/node0.log" ||
    mp_fail "node 0 did not say its loop stalled"
echo "ok: SIGSTOP/SIGCONT"
mp_wait 15 "three-node cluster again" mp_all "0 1 2" members 0,1,2
mp_wait 10 "node 0 a member again" mp_is 0 state member

# ---- node 2 dies and shares no device: nodes 0 and 1 wait out its
# watchdog (2 s + 2 failure timeouts) before they use the configuration
# without it, and say so in the round panel; no NOT FENCED
mp_kill 2
mp_wait 10 "node 0 waiting for node 2's watchdog" sh -c "'$CMM' ctl -s '$(mp_sock 0)' round | grep -q \"outcome: waiting for node 2's watchdog (2800 ms) before epoch\""
tw=$(mp_now_ms)
mp_is 0 state reconfiguring || mp_fail "node 0 is $(mp_get 0 state) while it waits"
mp_wait 10 "node 0 a member without node 2" mp_is 0 state member
tm=$(mp_now_ms)
mp_is 0 members 0,1 || mp_fail "node 0's members: $(mp_get 0 members)"
[ $((tm - tw)) -ge 2500 ] ||
    mp_fail "the configuration was used $((tm - tw)) ms after the wait began (want 2800)"
grep -q '{2} left epoch [0-9]* sharing no quorum device with a member: fenced by its watchdog, waited out' \
    "$MP_DIR/node0.log" || mp_fail "no watchdog fence event in node 0's log"
grep -q 'NOT FENCED' "$MP_DIR/node0.log" && mp_fail "node 0 said NOT FENCED with a watchdog"
mp_wait 10 "node 1 a member without node 2" mp_all "1" state member
# the survivors' own watchdogs must not lapse while they wait out node 2's
# (the wait is longer than the timeout): no gap of a second between pets
gap=$(awk -v a="$tw" -v b="$tm" '$2 == "." && $1 > a - 1000 && $1 <= b {
	if (last != "" && $1 - last > g) g = $1 - last; last = $1 }
	END { print g + 0 }' "$MP_DIR/wd0.out")
if [ "$(pets_between 0 "$tw" "$tm")" -eq 0 ] || [ "$gap" -ge 1000 ]; then
	mp_fail "node 0 stopped petting while it waited out node 2 (longest gap $gap ms)"
fi
echo "ok: survivors waited $((tm - tw)) ms for node 2's watchdog, petting (longest gap $gap ms)"

# ---- quorum loss: node 1 killed, node 0 alone of {0,1}; pets stop
# within the failure timeout (400 ms) and a pet interval (50 ms) of the
# kill, with slack for a loaded machine; and before status says "no
# quorum"
mp_wait 5 "node 0 petting again" sh -c "[ \$(grep -c ' \\.\$' '$MP_DIR/wd0.out') -gt $(pets 0) ]"
mp_kill 1
tk=$(mp_now_ms)
mp_wait 10 "node 0 without quorum" sh -c "[ \"\$($CMM ctl -s '$(mp_sock 0)' status >/dev/null 2>&1; echo \$?)\" = 3 ]"
tq=$(mp_now_ms)
sleep 0.5
lp=$(last_pet 0)
[ "$lp" -le $((tk + 400 + 50 + 300)) ] ||
    mp_fail "node 0 petted $((lp - tk)) ms after its peers were killed"
[ "$lp" -le "$tq" ] || mp_fail "node 0 petted after status said no quorum"
n=$(pets_between 0 "$tq" "$(mp_now_ms)")
[ "$n" -eq 0 ] || mp_fail "node 0 petted $n times without quorum"
mp_status 0 | grep -q '"armed":true,"petting":false,"not_petting":"' ||
    mp_fail "status does not say node 0 stopped petting: $(mp_status 0)"
for i in 1 2; do
	mp_wait 5 "EOF on wd$i.fifo" grep -q ' EOF$' "$MP_DIR/wd$i.out"
	grep -q ' V$' "$MP_DIR/wd$i.out" && mp_fail "killed node $i wrote the magic close"
done
echo "ok: pets stop $((lp - tk)) ms after the peers died"

# ---- graceful stop: the magic close 'V', then EOF
kill -TERM "$(mp_pid 0)"
mp_wait 10 "EOF on wd0.fifo" grep -q ' EOF$' "$MP_DIR/wd0.out"
tail -n 2 "$MP_DIR/wd0.out" | head -n 1 | grep -q ' V$' ||
    mp_fail "node 0 did not disarm with 'V': $(tail -n 3 "$MP_DIR/wd0.out")"
grep -q 'watchdog .*: disarmed' "$MP_DIR/node0.log" || mp_fail "no 'disarmed' in the log"
echo "ok: magic close on SIGTERM"

# ---- realtime = no keeps SCHED_OTHER
MP_REALTIME=no
mkdir "$MP_DIR/rt" || mp_fail "mkdir"
mp_write_config "$MP_DIR/rt/rt.conf" "mp-watchdog-rt" $((MP_PORT + 10)) 1 \
    "isolation = not-isolated" || mp_fail "keygen"
"$CMM" node -c "$MP_DIR/rt/rt.conf" --id 0 --headless </dev/null \
    >>"$MP_DIR/node9.log" 2>&1 &
rtpid=$!
MP_PIDS="$MP_PIDS $rtpid"
mp_wait 10 "the realtime = no node to answer" sh -c "'$CMM' ctl -s '$MP_DIR/rt/node0.sock' --json status 2>/dev/null | grep -q '\"realtime\"'"
st=$("$CMM" ctl -s "$MP_DIR/rt/node0.sock" --json status)
case "$st" in
*'"realtime":{"setting":"no","sched":"SCHED_OTHER","priority":null,"memory_locked":false,"problem":null}'*) ;;
*) mp_fail "realtime = no: $st" ;;
esac
if command -v chrt >/dev/null 2>&1; then
	chrt -p "$rtpid" | grep -q 'SCHED_OTHER' || mp_fail "realtime = no: $(chrt -p "$rtpid")"
fi
grep -q 'realtime: off (realtime = no)' "$MP_DIR/node9.log" || mp_fail "no realtime line in the log"
echo "ok: realtime = no"

# ---- a watchdog path that is not there stops the node at start
mkdir "$MP_DIR/bad" || mp_fail "mkdir"
mp_write_config "$MP_DIR/bad/bad.conf" "mp-watchdog-bad" $((MP_PORT + 12)) 1 \
    "watchdog = nowhere%n" || mp_fail "keygen"
out=$(timeout -k 2 10 "$CMM" node -c "$MP_DIR/bad/bad.conf" --id 0 \
    --headless </dev/null 2>&1)
rc=$?
[ "$rc" -eq 2 ] || mp_fail "a missing watchdog: exit $rc (want 2): $out"
case "$out" in
*"watchdog $MP_DIR/bad/nowhere0: No such file or directory"*) ;;
*) mp_fail "a missing watchdog: $out" ;;
esac
echo "ok: a missing watchdog path is refused at start"
echo "PASS"
