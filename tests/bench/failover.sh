#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Failover time on six nodes (FIG. 1 config, default timings): SIGKILL one
# node, then the time until the last survivor commits the new membership,
# from the wall clock just before the kill to the commit line's timestamp
# in that survivor's log.  The victim is restarted and rejoins between
# runs.  Prints every run and the median.
#	CMM=build/cmm RUNS=10 sh tests/bench/failover.sh
. tests/mp/lib/mp.sh
mp_init failover
runs=${RUNS:-10}
mp_config 6
mp_device d03 "0 3"
mp_device d35 "3 5"
mp_device d51 "5 1"
mp_device d14 "1 4"
mp_device d42 "4 2"
mp_device d20 "2 0"
all="0 1 2 3 4 5"
mp_start_all "$all"
mp_wait 20 "six-node cluster" mp_all "$all" members 0,1,2,3,4,5

# log_ms FILE EPOCH: the wall-clock ms of "commit epoch EPOCH" in FILE
log_ms() {
	stamp=$(grep ": commit epoch $2:" "$1" | tail -n 1 | cut -d' ' -f1)
	[ -n "$stamp" ] || return 1
	date -d "$stamp" +%s%3N
}

r=0
: >"$MP_DIR/times"
while [ "$r" -lt "$runs" ]; do
	mp_wait 10 "settled cluster" mp_all "$all" state member
	v=$((r % 6))
	surv=$(echo "$all" | tr ' ' '\n' | grep -vx "$v" | tr '\n' ' ')
	want=$(echo "$surv" | tr -s ' ' ',' | sed 's/,$//')
	e=$(mp_get 0 epoch)
	[ "$v" = 0 ] && e=$(mp_get 1 epoch)
	t0=$(mp_now_ms)
	kill -KILL "$(mp_pid "$v")"
	wait "$(mp_pid "$v")" 2>/dev/null
	mp_wait 10 "survivors' commit" mp_all "$surv" members "$want"
	last=0
	for i in $surv; do
		t=$(log_ms "$MP_DIR/node$i.log" $((e + 1))) ||
			mp_fail "node $i logged no commit of epoch $((e + 1))"
		[ "$t" -gt "$last" ] && last=$t
	done
	d=$((last - t0))
	echo "run $((r + 1)): killed node $v, last survivor committed epoch $((e + 1)) after $d ms"
	echo "$d" >>"$MP_DIR/times"
	mp_start "$v"
	mp_wait 10 "rejoin of node $v" mp_all "$all" members 0,1,2,3,4,5
	r=$((r + 1))
done
sort -n "$MP_DIR/times" | awk '{ t[NR] = $1 } END {
	m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
	printf "median of %d runs: %d ms (min %d, max %d)\n", NR, m, t[1], t[NR] }'
