#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A watcher that stops reading loses events rather than growing the
# daemon, and is told what it lost as soon as its queue drains, not only
# before some later event that may be hours away: on an idle cluster, a
# burst of refused operator commands (`join` on a member: each one
# event, none starting a round), then nothing.  The slow watcher must
# read a "lost" line, and the lines it read plus the counts the lost
# lines name must cover the burst.
. tests/mp/lib/mp.sh
mp_init wlost
command -v python3 >/dev/null 2>&1 || mp_skip "python3 is missing"
N=5000
mp_config 3
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2

python3 tests/tools/slow_watch.py "$(mp_sock 0)" "$MP_DIR/go" \
    "$MP_DIR/slow.jsonl" "$MP_DIR/watch.out" >"$MP_DIR/slow.log" 2>&1 &
slow=$!
MP_PIDS="$MP_PIDS $slow"
mp_wait 5 "the slow watcher's reply" test -s "$MP_DIR/watch.out"
# node 0 is a member: every `join` is refused, and each refusal is an
# operator event (sent on one connection: a `ctl -` script stops at its
# first refusal)
python3 - "$(mp_sock 0)" "$N" <<'PY' >"$MP_DIR/flood.out" 2>&1 ||
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rb")
if not f.readline().startswith(b"V "):
    sys.exit("not a control socket")
n = int(sys.argv[2])
s.sendall(b"join\n" * n)
refused = 0
while refused < n:
    line = f.readline()
    if not line:
        sys.exit("the node closed the connection after %d replies" % refused)
    if line.startswith(b"+"):
        sys.exit("a join was accepted: %r" % line)
    if line.startswith(b"-"):
        refused += 1
print("%d refused" % refused)
PY
	mp_fail "the burst of joins: $(tail -n 2 "$MP_DIR/flood.out")"
touch "$MP_DIR/go"
wait "$slow" || mp_fail "slow watcher: $(cat "$MP_DIR/slow.log")"
grep -q '"type":"lost"' "$MP_DIR/slow.jsonl" ||
	mp_fail "no lost line after the queue drained ($(wc -l <"$MP_DIR/slow.jsonl") lines read)"
python3 - "$MP_DIR/slow.jsonl" "$N" <<'PY' || mp_fail "the lost line does not account for the burst"
import json, sys
read = lost = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "lost":
        lost += o["count"]
    elif o["type"] == "operator" and "join" in json.dumps(o):
        read += 1
print("read %d, lost %d of %s" % (read, lost, sys.argv[2]))
sys.exit(0 if read + lost >= int(sys.argv[2]) and lost > 0 else 1)
PY
