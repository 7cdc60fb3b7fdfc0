#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# idle.sh [N]: `make bench`, experiment 5.  N (16) daemons with the default
# timings, one settled cluster, watched for BENCH_IDLE_S (30) seconds:
#   cpu_pct  CPU time of each daemon over the window (cpu_ms below)
#   rss_mb   VmRSS of each daemon at the end (/proc/PID/status)
#   pps      UDP datagrams sent per daemon per second (and pps_rx received),
#            from /proc/net/snmp: the whole network namespace, divided by N
# As root it re-runs itself in a fresh network namespace (unshare -n), so
# the UDP counters see these daemons and nothing else; otherwise they are
# the machine's, and the row says so.
if [ "${1:-}" != --in-netns ] && [ "$(id -u)" = 0 ] &&
    unshare -n true 2>/dev/null; then
	exec unshare -n sh "$0" --in-netns "$@"
fi
SCOPE="\"udp_counters\":\"own netns\""
if [ "${1:-}" = --in-netns ]; then
	shift
	ip link set lo up || exit 1
else
	SCOPE="\"udp_counters\":\"whole machine\""
fi
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
SECS=${BENCH_IDLE_S:-30}
b_init idle

udp() { # FIELD: the Udp: counter of that name
	awk -v f="$1" '$1 == "Udp:" {
		if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		print $col[f]; exit }' /proc/net/snmp
}

# PID: the CPU time of all its threads in ms: the scheduler's own count,
# to the microsecond, where the kernel shows it (/proc/PID/task/*/sched;
# a thread that has exited drops out of it, and an idle daemon starts
# none: only a `devices` read does);
# else utime + stime, in clock ticks of 10 ms, which over 30 s made 0.5 %
# (15 ticks) a step of a third of a tick from 0.533 % (16)
cpu_ms() {
	if [ -r "/proc/$1/sched" ]; then
		cat /proc/"$1"/task/*/sched 2>/dev/null | awk '
		    $1 == "se.sum_exec_runtime" { t += $3 }
		    END { printf "%.3f\n", t }'
	else
		sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" \
		    '{ printf "%.3f\n", ($12 + $13) * 1000 / hz }'
	fi
}

b_cluster "${1:-16}"
ALL=$(b_seq 0 $((N - 1)))
for i in $ALL; do
	b_spawn "$i"
done
# wait for every socket (a refused connect is retried), then one cluster
for i in $ALL; do
	n=0
	until "$CMM" ctl -s "$(b_sock "$i")" members >/dev/null 2>&1; do
		n=$((n + 1))
		[ "$n" -lt 200 ] || { b_say "idle: node $i never answered"; exit 1; }
		sleep 0.05
	done
done
b_wait_members "$ALL" "$(b_list "$ALL")" 30 || exit 1
# the round traffic of the start is not idle: let it pass
sleep 2
for i in $ALL; do
	cpu_ms "$(b_pid "$i")" >"$B_DIR/cpu0.$i"
done
tx0=$(udp OutDatagrams)
rx0=$(udp InDatagrams)
t0=$("$BENCHTOOL" now)
b_say "idle: $N daemons, measuring for $SECS s"
sleep "$SECS"
t1=$("$BENCHTOOL" now)
tx1=$(udp OutDatagrams)
rx1=$(udp InDatagrams)
: >"$B_DIR/cpu"
: >"$B_DIR/rss"
for i in $ALL; do
	p=$(b_pid "$i")
	c1=$(cpu_ms "$p")
	echo "$(cat "$B_DIR/cpu0.$i") $c1 $t0 $t1" | awk '{
	    printf "%.3f\n", ($2 - $1) / (($4 - $3) / 1e6) * 100 }' \
	    >>"$B_DIR/cpu"
	awk '$1 == "VmRSS:" { printf "%.2f\n", $2 / 1024 }' \
	    "/proc/$p/status" >>"$B_DIR/rss"
done
echo "$tx0 $tx1 $t0 $t1 $N" | awk '{
    printf "%.1f\n", ($2 - $1) / (($4 - $3) / 1e9) / $5 }' >"$B_DIR/pps"
echo "$rx0 $rx1 $t0 $t1 $N" | awk '{
    printf "%.1f\n", ($2 - $1) / (($4 - $3) / 1e9) / $5 }' >"$B_DIR/pps_rx"
b_row idle "$N" cpu_pct "$B_DIR/cpu" "\"seconds\":$SECS"
b_row idle "$N" rss_mb "$B_DIR/rss" "\"seconds\":$SECS"
b_row idle "$N" pps "$B_DIR/pps" "\"seconds\":$SECS,$SCOPE"
b_row idle "$N" pps_rx "$B_DIR/pps_rx" "\"seconds\":$SECS,$SCOPE"
exit 0
