#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make soak` (not in `make check`): sixteen nodes on the loopback
# interface of a network namespace made for the soak, with netem on that
# lo only (5% random loss, 20 ms +- 10 ms delay); heartbeat 100 ms, failure
# timeout 1000 ms.
#   phase 1, SOAK_SECONDS (default 600): no fault but the lossy link; any
#            commit after formation is a false reconfiguration (must be 0)
#   phase 2, SOAK_RESTARTS (default 6) cycles of 20 s: SIGKILL one node,
#            restart it; each restart must cost exactly one leave step and
#            one join step (two epochs), no more
# Then a table from the nodes' `watch --json` streams: epochs, rounds
# started, rounds failed and why, and RSS and CPU of each daemon at start,
# after phase 1 and at the end.  Root only (netns + netem).
CMM=${CMM:-$(pwd)/${BUILD:-build}/cmm}
export CMM
. tests/mp/lib/part.sh
mp_init soak
if [ "$(id -u)" != 0 ]; then
	mp_skip "needs root for network namespaces (netem on a private lo)"
fi
for tool in ip tc jq; do
	command -v "$tool" >/dev/null 2>&1 || mp_skip "no $tool"
done
N=16
SECS=${SOAK_SECONDS:-600}
RESTARTS=${SOAK_RESTARTS:-6}
CYCLE=20
NS=cmmsoak$$
mp_at_exit "ip netns del $NS 2>/dev/null"
ip netns add "$NS" || mp_fail "netns add $NS"
ip -n "$NS" link set lo up || mp_fail "lo up in $NS"
# netem when the kernel has it; else (no sch_netem, as on some CI
# kernels) the loss alone by an nftables random drop, and the table says so
if ip netns exec "$NS" tc qdisc add dev lo root netem loss 5% \
    delay 20ms 10ms 2>"$MP_DIR/netem.err"; then
	LINK="netem: 5% loss, 20 ms +- 10 ms delay"
elif command -v nft >/dev/null 2>&1 &&
    printf '%s\n' 'add table inet soak' \
    'add chain inet soak out { type filter hook output priority 0; policy accept; }' \
    'add rule inet soak out oifname "lo" meta l4proto udp numgen random mod 100 < 5 counter drop' |
    ip netns exec "$NS" nft -f -; then
	LINK="NO NETEM in this kernel ($(head -n 1 "$MP_DIR/netem.err")): 5% loss by nftables numgen, NO delay"
else
	mp_fail "neither netem nor nftables on the soak namespace's lo"
fi
echo "link: $LINK"
mp_config "$N" "heartbeat_ms = 100" "failure_timeout_ms = 1000"
all=$(seq 0 $((N - 1)) | tr '\n' ' ')
full=$(seq -s, 0 $((N - 1)))
HZ=$(getconf CLK_TCK)

spawn() {
	ip netns exec "$NS" "$CMM" node -c "$MP_CONF" --id "$1" --headless \
	    </dev/null >>"$MP_DIR/node$1.log" 2>&1 &
	echo $! >"$MP_DIR/pid$1"
	MP_PIDS="$MP_PIDS $!"
}

rss() { # PID -> kB
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -
}

cpu() { # PID -> seconds of user + system time
	awk -v hz="$HZ" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
	    "/proc/$1/stat" 2>/dev/null || echo -
}

sample() { # TAG: rss and cpu of every daemon into $MP_DIR/TAG
	for i in $all; do
		p=$(mp_pid "$i")
		echo "$i $p $(rss "$p") $(cpu "$p")"
	done >"$MP_DIR/$1"
}

for i in $all; do spawn "$i"; done
for i in $all; do
	mp_wait 20 "node $i to answer on its socket" mp_up "$i"
	part_watch "$i"
done
t0=$(date +%s)
mp_wait 120 "sixteen-node cluster over the lossy link" mp_all "$all" members "$full"
mp_wait 30 "all sixteen members" mp_all "$all" state member
E0=$(mp_get 0 epoch)
mp_all "$all" epoch "$E0" || mp_fail "the sixteen disagree on the epoch"
echo "formed: epoch $E0 in $(( $(date +%s) - t0 )) s"
sample start
C0=$(part_commits)

# phase 1: the lossy link alone; every 10 s, every node must still be
# alive and at E0 (a false reconfiguration fails the soak at once)
echo "phase 1: $SECS s quiet ($LINK)"
end=$(( $(date +%s) + SECS ))
while [ "$(date +%s)" -lt "$end" ]; do
	left=$(( end - $(date +%s) ))
	sleep $(( left < 10 ? (left > 0 ? left : 0) : 10 ))
	for i in $all; do
		kill -0 "$(mp_pid "$i")" 2>/dev/null || mp_fail "node $i died in phase 1"
	done
done
sample phase1
C1=$(part_commits)
E1=$(mp_get 0 epoch)
FALSE=$(( E1 - E0 ))
echo "phase 1: false reconfigurations: $FALSE (epoch $E0 -> $E1, $((C1 - C0)) commit events)"

# phase 2: a node SIGKILLed and restarted every CYCLE s
echo "phase 2: $RESTARTS restarts, one every $CYCLE s"
# try SECS DESC CMD...: like mp_wait, but a miss is recorded, not fatal,
# so the table below is printed whatever happens
try() {
	secs=$1
	desc=$2
	shift 2
	deadline=$(( $(mp_now_ms) + secs * 1000 ))
	while ! "$@"; do
		if [ "$(mp_now_ms)" -gt "$deadline" ]; then
			echo "restart $r: no $desc within $secs s"
			return 1
		fi
		sleep 0.1
	done
}

r=0
bad=0
while [ "$r" -lt "$RESTARTS" ]; do
	cs=$(date +%s)
	k=$(( (r * 5 + 3) % N ))
	rest=$(echo "$all" | tr ' ' '\n' | grep -vx "$k" | tr '\n' ' ')
	restm=$(echo "$rest" | tr ' ' '\n' | grep . | paste -sd,)
	first=$(echo "$rest" | cut -d' ' -f1)
	e=$(mp_get "$first" epoch)
	mp_kill "$k"
	if ! try 15 "commit without node $k" mp_all "$rest" members "$restm"; then
		bad=$((bad + 1))
		break
	fi
	el=$(mp_get "$first" epoch)
	spawn "$k"
	mp_wait 20 "node $k to answer again" mp_up "$k"
	part_watch "$k"
	if ! try 20 "commit with node $k back" mp_all "$all" members "$full" ||
	    ! try 10 "all sixteen in state member" mp_all "$all" state member; then
		bad=$((bad + 1))
		break
	fi
	ej=$(mp_get 0 epoch)
	echo "restart $r: node $k: epoch $e -> $el -> $ej (leave $((el - e)) join $((ej - el)))"
	[ "$((el - e))" = 1 ] && [ "$((ej - el))" = 1 ] || bad=$((bad + 1))
	now=$(date +%s)
	[ $(( cs + CYCLE - now )) -gt 0 ] && sleep $(( cs + CYCLE - now ))
	r=$((r + 1))
done
DONE=$r
sample end
E2=$(mp_get 0 epoch)

# the table, from the streams
echo
echo "node  epoch  commits  rounds  failed  rss_start  rss_ph1  rss_end  cpu_ph1_s  cpu_end_s  pid"
for i in $all; do
	f=$MP_DIR/watch$i.jsonl
	# three numbers, split on purpose
	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(jq -r -s '[
	    ([.[] | select(.type == "commit")] | length),
	    ([.[] | select(.type == "round" and (.text | test("\\) started \\(")))] | length),
	    ([.[] | select(.type == "round" and (.text | test("\\) (failed|aborted): ")))] | length)
	    ] | map(tostring) | join(" ")' "$f")
	st=$(awk -v i="$i" '$1 == i' "$MP_DIR/start")
	p1=$(awk -v i="$i" '$1 == i' "$MP_DIR/phase1")
	en=$(awk -v i="$i" '$1 == i' "$MP_DIR/end")
	pid0=$(echo "$st" | cut -d' ' -f2)
	pid2=$(echo "$en" | cut -d' ' -f2)
	printf '%4s  %5s  %7s  %6s  %6s  %9s  %7s  %7s  %9s  %9s  %s\n' "$i" \
	    "$(mp_get "$i" epoch)" "$1" "$2" "$3" \
	    "$(echo "$st" | cut -d' ' -f3)" "$(echo "$p1" | cut -d' ' -f3)" \
	    "$(echo "$en" | cut -d' ' -f3)" \
	    "$(echo "$p1 $st" | awk '{ printf "%.2f", $4 - $8 }')" \
	    "$(echo "$en" | cut -d' ' -f4)" \
	    "$( [ "$pid0" = "$pid2" ] && echo "$pid0" || echo "$pid2 (restarted)")"
done
echo
echo "rounds started, by trigger (all nodes):"
cat "$MP_DIR"/watch*.jsonl | jq -r 'select(.type == "round") | .text
    | select(test("\\) started \\("))
    | sub("^round \\([0-9]+,[0-9]+\\) started "; "")' |
    sort | uniq -c | sort -rn | head -n 10
echo "rounds failed or aborted, by reason (all nodes):"
cat "$MP_DIR"/watch*.jsonl | jq -r 'select(.type == "round") | .text
    | select(test("\\) (failed|aborted): "))
    | sub("^round \\([0-9]+,[0-9]+\\) "; "") | gsub("\\{[^}]*\\}"; "{..}")' |
    sort | uniq -c | sort -rn | head -n 15
echo
echo "link: $LINK"
ip netns exec "$NS" nft list table inet soak 2>/dev/null |
    sed -n 's/.*counter packets \([0-9]*\).*/nftables dropped \1 datagrams/p'
echo "phase 1 ($SECS s): false reconfigurations $FALSE"
echo "phase 2: $DONE of $RESTARTS restarts done, epoch $E1 -> $E2 ($((E2 - E1)) steps, want $((2 * DONE))), $bad restarts not one leave + one join"
part_check_streams
[ "$FALSE" = 0 ] || mp_fail "$FALSE false reconfigurations in phase 1"
if [ "$bad" != 0 ] || [ "$DONE" != "$RESTARTS" ] ||
    [ "$((E2 - E1))" != $((2 * RESTARTS)) ]; then
	MP_LOG_LINES=4 mp_fail "phase 2: a restart cost more than one leave and one join step, or did not settle (above)"
fi
echo "ok"
