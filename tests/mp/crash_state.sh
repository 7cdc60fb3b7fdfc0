#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGKILL a node again and again while it starts, joins and commits: its
# state file always loads (it is written to a temporary file, fsync'd,
# renamed, directory fsync'd).  Fast timings make every restart a real
# join: nodes 0 and 1 drop node 2 between kills, so each start of node 2
# persists its incarnation, a proposal and a commit within ~100 ms, and the
# kill falls at a random point of its first 150 ms.  After each kill
# `cmm check` must load the state.  CMM_CRASH_ITER sets the number of kills
# (20 in `make check`; the bench runs 200).
. tests/mp/lib/mp.sh
mp_init crash
# isolation = isolated: whichever of 0 and 1 comes up first must not stop
# at the isolation prompt (the prompt is tests/mp/isolation.sh's business)
mp_config 3 "heartbeat_ms = 20" "failure_timeout_ms = 100" \
    "round_timeout_ms = 60" "join_retry_ms = 100" "isolation = isolated"
mp_spawn 0
mp_spawn 1
mp_wait 10 "cluster of 0 and 1" mp_all "0 1" members 0,1
iter=${CMM_CRASH_ITER:-20}
n=0
while [ "$n" -lt "$iter" ]; do
	"$CMM" node -c "$MP_CONF" --id 2 --headless </dev/null \
	    >>"$MP_DIR/node2.log" 2>&1 &
	pid=$!
	MP_PIDS="$MP_PIDS $pid"
	ms=$(awk -v s="$$$n" 'BEGIN { srand(s); print int(rand() * 150) }')
	sleep "$(printf '0.%03d' "$ms")"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	out=$("$CMM" check -c "$MP_CONF" --id 2 --timeout 100 2>&1)
	line=$(printf '%s\n' "$out" | grep ' state ')
	case "$line" in
	"ok state"*) ;;
	*) mp_fail "kill $n after $ms ms: state does not load: $line" ;;
	esac
	mp_wait 5 "0 and 1 without node 2" mp_all "0 1" members 0,1
	n=$((n + 1))
done
commits=$(grep -c "node 2: commit epoch" "$MP_DIR/node2.log")
echo "$iter kills, $commits commits by node 2 before them; the state loaded every time"
[ "$commits" -gt 0 ] || mp_fail "no kill came after a commit: the loop tests nothing"

# and the node still works from what it saved
mp_start 2
mp_wait 15 "node 2 back in the cluster" mp_all "0 1 2" members 0,1,2
mp_ctl 2 history 5 >/dev/null || mp_fail "node 2's history does not read"
echo "ok"
