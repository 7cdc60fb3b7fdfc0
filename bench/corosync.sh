#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# corosync.sh: `make bench`, cmm beside Corosync.  Three nodes, each in its
# own network namespace on one bridge (bench/nslib.sh), first three
# Corosync daemons, then three cmm daemons; one of them is SIGKILLed per
# trial, rotating from the highest id down; BENCH_CS_TRIALS
# (BENCH_TRIALS, 10).  Skipped, with no rows, unless root and corosync is
# installed (make bench-deps installs it; make deps never does).
#
# Equal detection timeouts.  Corosync declares a member failed when the
# token has not come back for its token timeout; with a nodelist of three
# or more that timeout is token + (nodes - 2) * token_coefficient
# (corosync.conf(5)), here 1000 + (3 - 2) * 650 = 1650 ms, Corosync's own
# defaults; it then waits up to consensus (1.2 * the token timeout, 1980
# ms) for agreement before it forms the new membership.  cmm runs with
# failure_timeout_ms = 1650 and heartbeat_ms = 50 (the other benchmarks'
# heartbeat).  The values Corosync actually used are read back from it
# (corosync-cmapctl, runtime.config.totem.*) into the row.
#
# Corosync is measured from its own log, stamped to the millisecond with
# the wall clock (timestamp: hires, TZ=UTC); the kill is stamped on
# CLOCK_MONOTONIC and converted with a pair of clock readings (benchtool
# clocks).  Per trial:
#   detect_ms              kill -> first survivor's "A processor failed,
#                          forming new configuration"
#   kill_to_membership_ms  kill -> last survivor's "A new membership ...
#                          was formed" (the membership itself: before its
#                          service synchronisation, so the figure flatters
#                          Corosync if anything)
#   kill_to_ready_ms       kill -> last survivor's "Completed service
#                          synchronization"
# cmm: netfail.sh --timeout 1650 in the same layout (experiment
# cmm_vs_corosync); row vs_corosync holds the ratio of the medians, cmm's
# kill -> last commit over Corosync's kill -> membership, with both
# figures in its "vs" member.
#
# Every Corosync runs in the foreground (-f) from a temp dir: its config,
# authkey, log and state are there, and a private /run (a bind mount in a
# mount namespace of its own, so the three do not share a pid file); it
# is killed by PID.  No system Corosync service is started, stopped or read.
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
# shellcheck source=bench/nslib.sh
. "${BENCH_SRC:-bench}/nslib.sh"
TRIALS=${BENCH_CS_TRIALS:-${BENCH_TRIALS:-10}}
TOKEN=1000
COEF=650
NODES=3

n_usable corosync || exit 0
for tool in corosync corosync-cmapctl unshare; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		b_say "corosync: skipped: no $tool command (make bench-deps" \
		    "installs corosync); no rows"
		exit 0
	fi
done
b_init corosync
n_net "$NODES" || { b_say "corosync: cannot build the namespaces"; exit 1; }
FT=$((TOKEN + (NODES - 2) * COEF))
CS=$B_DIR/cs
mkdir -p "$CS"
# the shared key; every node gets its own copy, as on separate hosts
dd if=/dev/urandom of="$CS/authkey" bs=256 count=1 2>/dev/null ||
    { b_say "corosync: no key"; exit 1; }
chmod 600 "$CS/authkey"

cs_conf() { # ID
	{
		echo "totem {"
		echo "	version: 2"
		echo "	cluster_name: cmmbench"
		echo "	transport: knet"
		echo "	token: $TOKEN"
		echo "	token_coefficient: $COEF"
		echo "	crypto_cipher: aes256"
		echo "	crypto_hash: sha256"
		echo "	keyfile: $CS/n$1/authkey"
		echo "}"
		echo "nodelist {"
		j=0
		while [ "$j" -lt "$NODES" ]; do
			echo "	node {"
			echo "		nodeid: $((j + 1))"
			echo "		ring0_addr: $(n_addr "$j")"
			echo "	}"
			j=$((j + 1))
		done
		echo "}"
		echo "quorum {"
		echo "	provider: corosync_votequorum"
		echo "}"
		echo "logging {"
		echo "	to_stderr: no"
		echo "	to_syslog: no"
		echo "	to_logfile: yes"
		echo "	logfile: $CS/n$1/log"
		echo "	timestamp: hires"
		echo "}"
		# like the cmm daemons here (realtime = no): no SCHED_RR
		echo "system {"
		echo "	state_dir: $CS/n$1/state"
		echo "	sched_rr: no"
		echo "}"
	} >"$CS/n$1/corosync.conf"
}

# ip netns exec, unshare and sh each exec the next: $! is Corosync's PID
cs_spawn() { # ID
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	TZ=UTC ip netns exec "$(n_ns "$1")" unshare -m sh -c \
	    'mount --bind "$1" /run && exec corosync -f -c "$2"' sh \
	    "$CS/n$1/run" "$CS/n$1/corosync.conf" \
	    >>"$CS/n$1/stdout" 2>&1 &
	echo "$!" >"$CS/pid$1"
	b_record "$!"
}

# A Corosync killed with SIGKILL leaves its libqb blackbox (two files in
# /dev/shm named by its PID, megabytes of RAM each): this run's go too.
cs_reap() { # PID
	wait "$1" 2>/dev/null
	rm -f "/dev/shm/qb-corosync-$1-blackbox-data" \
	    "/dev/shm/qb-corosync-$1-blackbox-header"
}

cs_lines() { # ID: lines in its log so far
	if [ -f "$CS/n$1/log" ]; then
		wc -l <"$CS/n$1/log"
	else
		echo 0
	fi
}

# cs_has ID FROM PATTERN: a line past line FROM of node ID's log matches
cs_has() {
	[ -f "$CS/n$1/log" ] &&
	    tail -n +"$(($2 + 1))" "$CS/n$1/log" | grep -q "$3"
}

# cs_wait SECS "IDS" PATTERN: every one of IDS logs PATTERN past its
# offset (OFF_ID)
cs_wait() {
	w=0
	o=0
	while [ "$w" -lt $(($1 * 5)) ]; do
		ok=1
		for i in $2; do
			eval "o=\$OFF_$i"
			cs_has "$i" "$o" "$3" || { ok=0; break; }
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.2
		w=$((w + 1))
	done
	return 1
}

cs_mark() { # "IDS": remember where their logs end
	for i in $1; do
		eval "OFF_$i=$(cs_lines "$i")"
	done
}

# cs_ms ID PATTERN KUS: ms from KUS (microseconds of the UTC day) to the
# first line matching PATTERN past the node's offset
cs_ms() {
	o=0
	eval "o=\$OFF_$1"
	tail -n +"$((o + 1))" "$CS/n$1/log" | grep "$2" | head -n 1 |
	    awk -v k="$3" '{
		split($3, t, ":")
		ms = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 - k / 1000
		if (ms < -43200000)	# the kill was before midnight
			ms += 86400000
		printf "%.3f\n", ms
	    }'
}

# cs_pick min|max VALUES...
cs_pick() {
	m=$1
	shift
	printf '%s\n' "$@" | awk -v m="$m" 'NF {
		if (r == "" || (m == "min" && $1 < r) || (m == "max" && $1 > r))
			r = $1 }
	    END { print (r == "" ? "NA" : r) }'
}

ALL=$(b_seq 0 $((NODES - 1)))
FULL="Members\[$NODES\]:"
for i in $ALL; do
	mkdir -p "$CS/n$i/state" "$CS/n$i/run"
	cp "$CS/authkey" "$CS/n$i/authkey"
	cs_conf "$i"
done
ver=$(corosync -v | sed -n "1s/.*version '\\([^']*\\)'.*/\\1/p")
b_say "corosync: Corosync ${ver:-?} in $NODES network namespaces, token" \
    "$TOKEN + ($NODES - 2) * $COEF = $FT ms"
cs_mark "$ALL"
for i in $ALL; do
	cs_spawn "$i"
done
if ! cs_wait 30 "$ALL" "$FULL"; then
	b_say "corosync: the three did not form one membership in 30 s;" \
	    "skipped (logs in $CS with BENCH_KEEP=1)"
	exit 0
fi
rt() { # KEY: a runtime value from node 0's Corosync
	ip netns exec "$(n_ns 0)" corosync-cmapctl -g "runtime.config.totem.$1" \
	    2>/dev/null | sed -n 's/.* = //p'
}
eff=$(rt token)
cons=$(rt consensus)
b_say "corosync: formed; runtime token ${eff:-?} ms, consensus ${cons:-?} ms"
: >"$B_DIR/detect"
: >"$B_DIR/member"
: >"$B_DIR/ready"
T=0
while [ "$T" -lt "$TRIALS" ]; do
	v=$((NODES - 1 - T % NODES))
	surv=$(b_minus "$ALL" "$v")
	cs_mark "$ALL"
	k=$("$BENCHTOOL" kill "$(cat "$CS/pid$v")") || exit 1
	clk=$("$BENCHTOOL" clocks)
	cs_reap "$(cat "$CS/pid$v")"
	# shellcheck disable=SC2086 # two numbers
	set -- $clk
	kus=$(( (k - $1 + $2) / 1000 % 86400000000 ))
	sleep "$(awk -v t="$FT" 'BEGIN { printf "%.3f", t / 1000 }')"
	if cs_wait 15 "$surv" "A new membership .* was formed" &&
	    cs_wait 5 "$surv" "Completed service synchronization"; then
		d="" mb="" rd=""
		for i in $surv; do
			d="$d $(cs_ms "$i" "A processor failed, forming new" "$kus")"
			mb="$mb $(cs_ms "$i" "A new membership .* was formed" "$kus")"
			rd="$rd $(cs_ms "$i" "Completed service synchronization" "$kus")"
		done
		# shellcheck disable=SC2086 # lists of numbers
		{
			d=$(cs_pick min $d)
			mb=$(cs_pick max $mb)
			rd=$(cs_pick max $rd)
		}
		echo "$d" >>"$B_DIR/detect"
		echo "$mb" >>"$B_DIR/member"
		echo "$rd" >>"$B_DIR/ready"
		b_say "corosync trial $T killed node $((v + 1)): detect $d ms," \
		    "new membership $mb ms, ready $rd ms"
	else
		echo "corosync $NODES" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
		b_say "corosync trial $T killed node $((v + 1)): no new" \
		    "membership at $(b_list "$surv") in 15 s"
	fi
	cs_mark "$ALL"
	cs_spawn "$v"
	if ! cs_wait 30 "$ALL" "$FULL"; then
		b_say "corosync: node $((v + 1)) did not rejoin in 30 s;" \
		    "remaining trials skipped"
		break
	fi
	T=$((T + 1))
done
for i in $ALL; do
	p=$(cat "$CS/pid$i")
	b_ours "$p" && kill -9 "$p" 2>/dev/null
	cs_reap "$p"
done
x="\"version\":\"${ver:-?}\",\"transport\":\"knet\",\"token_ms\":$TOKEN"
x="$x,\"token_coefficient_ms\":$COEF,\"effective_token_ms\":${eff:-null}"
x="$x,\"consensus_ms\":${cons:-null},\"network\":\"netns+bridge\""
b_row corosync "$NODES" detect_ms "$B_DIR/detect" "$x"
b_row corosync "$NODES" kill_to_membership_ms "$B_DIR/member" "$x"
b_row corosync "$NODES" kill_to_ready_ms "$B_DIR/ready" "$x"

# cmm in the same layout at the same detection timeout
BENCH_TRIALS=$TRIALS BENCH_ROWS=$B_DIR/cmm.tsv sh "$BENCH_SRC/netfail.sh" \
    --timeout "$FT" --name cmm_vs_corosync "$NODES"
[ -f "$B_DIR/cmm.tsv" ] && cat "$B_DIR/cmm.tsv" >>"$B_ROWS"
med() { # FILE EXP METRIC: the median of that row, or NA
	awk -F '\t' -v e="$2" -v m="$3" '$1 == e && $3 == m { print $5 }' \
	    "$1" 2>/dev/null | head -n 1
}
cm=$(med "$B_DIR/cmm.tsv" cmm_vs_corosync kill_to_commit_ms)
ct=$(awk -F '\t' '$1 == "cmm_vs_corosync" && $3 == "kill_to_commit_ms" {
    print $8 }' "$B_DIR/cmm.tsv" 2>/dev/null | head -n 1)
cs=$(awk -v e=corosync -v n="$NODES" -v m=x -f "$BENCH_SRC/stats.awk" \
    "$B_DIR/member" | cut -f 5,8)
# shellcheck disable=SC2086 # median and trials
set -- $cs
if [ -n "$cm" ] && [ "$cm" != NA ] && [ "${1:-NA}" != NA ]; then
	awk -v c="$cm" -v s="$1" -v n="$NODES" -v t="$(cs_pick min "${ct:-0}" "$2")" \
	    -v ft="$FT" 'BEGIN {
		printf "vs_corosync\t%d\tkill_to_membership_ratio\tNA\t%.4f\tNA\t" \
		    "NA\t%d\t\"vs\":{\"cmm_ms\":%s,\"corosync_ms\":%s," \
		    "\"cmm\":\"cmm_vs_corosync kill_to_commit_ms\"," \
		    "\"corosync\":\"corosync kill_to_membership_ms\"," \
		    "\"detection_timeout_ms\":%d}\n", n, c / s, t, c, s, ft
	}' >>"$B_ROWS"
	b_say "corosync: cmm $cm ms / Corosync $1 ms (medians) =" \
	    "$(awk -v c="$cm" -v s="$1" 'BEGIN { printf "%.4f", c / s }')"
fi
exit 0
