#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# scale64.sh [N]: `make bench`, experiment "scale": N (64) real daemons,
# each in its own network namespace, its veth into one bridge in one more
# namespace (10.236.0.0/24), heartbeat_ms 100 and the default failure
# timeout (1000 ms).  Alone: `make bench-scale`, or as root
#   CMM=build/cmm BENCHTOOL=build/bench/benchtool sh bench/scale64.sh [N]
# In order (times from the daemons' `watch --json` streams, on
# CLOCK_MONOTONIC):
#   formation   all N started at once -> the last one commits all N
#               (formation_ms, the epoch reached, the most commits a node
#               made on the way)
#   idle        BENCH_IDLE_S (30) s of the settled cluster: CPU per daemon
#               (utime + stime, /proc/PID/stat), datagrams sent and
#               received per daemon per second and the mean UDP payload
#               (/proc/PID/net/snmp and net/dev: the daemon's namespace), the
#               CPU per datagram handled, open fds and RSS per daemon,
#               and the commits inside the window (0 when it was idle)
#   kill        BENCH_SCALE_KILLS (3) trials: SIGKILL one daemon, rotating
#               from the crown prince down -> the last survivor commits
#               the other N-1 (detection, epoch steps and where the time
#               after detection went); restarted and rejoined before the
#               next
#   split       the bridge ports of nodes 0..N/2-1 move to a second
#               bridge: two connected halves.  The half with the crown
#               prince (the highest id) must commit itself (the epoch
#               steps it took are recorded) and every node of the other
#               must sit in no-quorum having committed nothing, else the
#               script fails (exit 1); then the ports move back and all N
#               re-form
#   buffers     receive-buffer and UDP errors over the whole run, per
#               namespace (rcvbuf_errors, udp_in_errors)
# Root is needed for the namespaces: without it the script says so and
# exits 77 (skipped, never a pass).  Every daemon and watcher is killed by
# PID and every namespace it made deleted by name at exit.
if [ "$(id -u)" != 0 ]; then
	echo "bench: scale: skipped: not root (network namespaces)" >&2
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "bench: scale: skipped: no ip command (iproute2)" >&2
	exit 77
fi
# shellcheck source=bench/lib.sh
. "${BENCH_SRC:-bench}/lib.sh"
SN=${1:-64}
SECS=${BENCH_IDLE_S:-30}
KILLS=${BENCH_SCALE_KILLS:-3}
if [ "$SN" -lt 4 ] || [ "$SN" -gt 200 ]; then
	b_say "scale: N must be 4..200 (one /24, addresses .10 and up)"
	exit 2
fi
b_init scale
TAG=cmms$$
BR=${TAG}br
S_NS=""

# the daemons and watchers first (b_cleanup's list, by PID), then the
# namespaces they were in, by name
# shellcheck disable=SC2317 # called by the EXIT trap
s_exit() {
	rc=$?
	# (the shell's "Killed" for each of them: noise, 128 lines at 64)
	{
		tac "$B_DIR/pids" | while read -r p; do
			b_ours "$p" && kill -9 "$p"
		done
		while read -r p; do
			wait "$p"
		done <"$B_DIR/pids"
	} 2>/dev/null
	for ns in $S_NS; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -s "$B_DIR/arp.saved" ]; then
		read -r g1 g2 g3 <"$B_DIR/arp.saved"
		s_arp_set "$g1" "$g2" "$g3"
	fi
	(exit "$rc")
	b_cleanup
}
trap s_exit EXIT

# The kernel keeps one IPv4 neighbour table for every namespace of the
# machine, bounded by the first namespace's gc_thresh1..3 (1024 hard by
# default): N namespaces that each resolve N-1 peers need N(N-1) entries
# (4032 at 64), and past the bound every send to an unresolved peer fails
# with ENOBUFS (dmesg: "neighbor table overflow"), so most nodes never
# hear most others.  Raised for the run, put back at exit.  On real hosts
# each has its own table and needs only N-1 entries.
S_ARP=/proc/sys/net/ipv4/neigh/default
s_arp_set() { # T1 T2 T3 (3 first when raising, last when lowering)
	if [ "$3" -ge "$(cat "$S_ARP/gc_thresh3")" ]; then
		echo "$3" >"$S_ARP/gc_thresh3" && echo "$2" >"$S_ARP/gc_thresh2" &&
		    echo "$1" >"$S_ARP/gc_thresh1"
	else
		echo "$1" >"$S_ARP/gc_thresh1" && echo "$2" >"$S_ARP/gc_thresh2" &&
		    echo "$3" >"$S_ARP/gc_thresh3"
	fi
}

s_arp_room() {
	need=$((SN * SN + 256))
	[ -r "$S_ARP/gc_thresh3" ] || return 0
	g1=$(cat "$S_ARP/gc_thresh1")
	g2=$(cat "$S_ARP/gc_thresh2")
	g3=$(cat "$S_ARP/gc_thresh3")
	[ "$g2" -ge "$need" ] && return 0
	echo "$g1 $g2 $g3" >"$B_DIR/arp.saved"
	b_say "scale: neighbour table (all namespaces): gc_thresh1..3" \
	    "$g1 $g2 $g3 -> $need $need $((2 * need)) for the run"
	s_arp_set "$need" "$need" $((2 * need)) || {
		b_say "scale: cannot raise the neighbour table's bounds"
		return 1
	}
}

s_ns() {
	echo "${TAG}n$1"
}

s_addr() {
	echo "10.236.0.$((10 + $1))"
}

# the bridge namespace with br0 (and br1 for the split), N node
# namespaces, each eth0 paired with port b<ID> of br0; ip -batch keeps the
# set-up to a few process starts per node
s_net() {
	s_arp_room || return 1
	S_NS=$BR
	if ! ip netns add "$BR" 2>"$B_DIR/netns.err"; then
		b_say "scale: skipped: cannot create a network namespace:" \
		    "$(cat "$B_DIR/netns.err")"
		exit 77
	fi
	{
		echo "link add br0 type bridge"
		echo "link add br1 type bridge"
		echo "link set br0 up"
		echo "link set br1 up"
	} >"$B_DIR/br.batch"
	i=0
	while [ "$i" -lt "$SN" ]; do
		ns=$(s_ns "$i")
		ip netns add "$ns" || return 1
		S_NS="$S_NS $ns"
		{
			echo "link add b$i type veth peer name eth0 netns $ns"
			echo "link set b$i master br0"
			echo "link set b$i up"
		} >>"$B_DIR/br.batch"
		i=$((i + 1))
	done
	ip -n "$BR" -batch "$B_DIR/br.batch" || return 1
	for i in $ALL; do
		printf 'link set lo up\naddr add %s/24 dev eth0\nlink set eth0 up\n' \
		    "$(s_addr "$i")" | ip -n "$(s_ns "$i")" -batch - || return 1
	done
}

s_config() {
	C=$B_DIR/c
	CONF=$C/cluster.conf
	mkdir -p "$C" || return 1
	"$CMM" keygen "$C/key" >/dev/null || return 1
	{
		echo "[cluster]"
		echo "name = scale$SN"
		echo "key_file = key"
		echo "state_dir = state%n"
		echo "control_socket = node%n.sock"
		echo "realtime = no"
		echo "heartbeat_ms = 100"
		for i in $ALL; do
			echo "[node $i]"
			echo "address = $(s_addr "$i"):7400"
		done
	} >"$CONF"
}

s_spawn() {
	ip netns exec "$(s_ns "$1")" "$CMM" node -c "$CONF" --id "$1" \
	    --headless </dev/null >>"$C/node$1.log" 2>&1 &
	echo "$!" >"$C/pid$1"
	b_record "$!"
}

s_status() { # ID FIELD
	mp_json_field "$("$CMM" ctl -s "$(b_sock "$1")" --json status \
	    2>/dev/null)" "$2"
}

# One line per node: its utime + stime (ticks), then its namespace's UDP
# OutDatagrams InDatagrams RcvbufErrors InErrors and eth0's transmitted
# bytes and packets (/proc/PID/net is the namespace of PID).  One awk reads
# every file, so a pass takes milliseconds: a process per node would
# stretch each node's window past the one the rates are divided by.
s_sample() {
	files=""
	for i in $ALL; do
		p=$(b_pid "$i")
		files="$files /proc/$p/stat /proc/$p/net/snmp /proc/$p/net/dev"
	done
	# shellcheck disable=SC2086 # a list of files
	awk 'function out() { if (n) print cpu, o, r, b, e, tb, tp }
	FILENAME ~ /\/stat$/ { out(); n++; sub(/.*\) /, ""); cpu = $12 + $13
		h = 0; next }
	$1 == "Udp:" {
		if (!h) { for (j = 2; j <= NF; j++) c[$j] = j; h = 1; next }
		o = $c["OutDatagrams"]; r = $c["InDatagrams"]
		b = $c["RcvbufErrors"]; e = $c["InErrors"] }
	# the kernel glues a long first counter to the name: split it
	/^ *eth0:/ { sub(/eth0:/, "eth0: "); $0 = $0; tb = $10; tp = $11 }
	END { out() }' $files
}

# commit events in the streams of IDS after time K
s_commits_after() { # K "IDS"
	for i in $2; do
		cat "$C/w$i.json" 2>/dev/null
	done | awk -v k="$1" '/"type":"commit"/ {
		if (!match($0, /"mono_ns":[0-9]+/)) next
		t = substr($0, RSTART + 10, RLENGTH - 10)
		# same length: compare as strings (awk doubles lose ns)
		if (length(t) > length(k) || (length(t) == length(k) && t > k))
			n++
	}
	END { print n + 0 }'
}

rows_of() { # METRIC VALUES...: one row of these values
	m=$1
	shift
	printf '%s\n' "$@" >"$B_DIR/v.$m"
	b_row scale "$SN" "$m" "$B_DIR/v.$m"
}

ALL=$(b_seq 0 $((SN - 1)))
LIST=$(b_list "$ALL")
LOW=$(b_seq 0 $((SN / 2 - 1)))
HIGH=$(b_seq $((SN / 2)) $((SN - 1)))
b_say "scale: $SN namespaces"
s_net || { b_say "scale: network set-up failed"; exit 1; }
s_config || { b_say "scale: config failed"; exit 1; }

# formation: every daemon at once, a watcher on each as its socket appears
b_say "scale: starting $SN daemons"
k=$("$BENCHTOOL" now)
for i in $ALL; do
	s_spawn "$i"
done
for i in $ALL; do
	b_watch "$i" 2>/dev/null
done
if ! b_poll 120 "$k" "" "$ALL" "$ALL" "$LIST"; then
	b_say "scale: $SN daemons did not all commit $SN members in 120 s" \
	    "(last: $EV)"
	echo "scale $SN" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
	exit 1
fi
# shellcheck disable=SC2086 # the fields of one result line
set -- $EV
form_ms=$4
form_steps=$5
b_settle "$ALL" "$LIST" 60 || exit 1
form_epoch=$(s_status 0 epoch)
b_say "scale: formed: $form_ms ms from the start to the last commit of" \
    "all $SN, epoch $form_epoch, at most $form_steps commits on one node"
rows_of formation_ms "$form_ms"
rows_of formation_epoch "$form_epoch"
rows_of formation_steps "$form_steps"

# idle
sleep 2
hz=$(getconf CLK_TCK)
t0=$("$BENCHTOOL" now)
s_sample >"$B_DIR/s0"
b_say "scale: idle for $SECS s"
sleep "$SECS"
t1=$("$BENCHTOOL" now)
s_sample >"$B_DIR/s1"
if [ "$(wc -l <"$B_DIR/s1")" != "$SN" ]; then
	b_say "scale: cannot read every daemon's /proc files"
	exit 1
fi
secs_ns=$((t1 - t0))
paste -d ' ' "$B_DIR/s0" "$B_DIR/s1" | awk -v ns="$secs_ns" -v hz="$hz" \
    -v d="$B_DIR" '{
	s = ns / 1e9
	cpu = ($8 - $1) / hz / s
	printf "%.3f\n", cpu * 100 >(d "/cpu")
	tx = ($9 - $2) / s; rx = ($10 - $3) / s
	print tx >(d "/pps_tx"); print rx >(d "/pps_rx")
	# the payload: the frame less Ethernet, IPv4 and UDP headers
	if ($14 > $7)
		print ($13 - $6) / ($14 - $7) - 42 >(d "/payload")
	print ($13 - $6) / s >(d "/bytes_tx")
	if (tx + rx > 0)
		printf "%.2f\n", cpu * 1e6 / (tx + rx) >(d "/us_per_dgram")
}'
b_row scale "$SN" idle_cpu_pct "$B_DIR/cpu" \
    "\"seconds\":$SECS,\"heartbeat_ms\":100"
b_row scale "$SN" idle_pps_tx "$B_DIR/pps_tx" "\"seconds\":$SECS"
b_row scale "$SN" idle_pps_rx "$B_DIR/pps_rx" "\"seconds\":$SECS"
b_row scale "$SN" idle_eth_bytes_per_s_tx "$B_DIR/bytes_tx" "\"seconds\":$SECS"
b_row scale "$SN" udp_payload_bytes "$B_DIR/payload"
b_row scale "$SN" cpu_us_per_datagram "$B_DIR/us_per_dgram"
: >"$B_DIR/fds"
: >"$B_DIR/rss"
for i in $ALL; do
	p=$(b_pid "$i")
	find "/proc/$p/fd" -mindepth 1 -maxdepth 1 | wc -l >>"$B_DIR/fds"
	awk '$1 == "VmRSS:" { printf "%.2f\n", $2 / 1024 }' "/proc/$p/status" \
	    >>"$B_DIR/rss"
done
b_row scale "$SN" fds_per_daemon "$B_DIR/fds"
b_row scale "$SN" rss_mb "$B_DIR/rss"
# a round inside the window (a starved node failed by its peers) is not
# idle traffic: how many commits the window holds, 0 when it was idle
rows_of idle_window_commits $(($(s_commits_after "$t0" "$ALL") -
    $(s_commits_after "$t1" "$ALL")))
b_say "scale: idle CPU per daemon (median) $(sort -n "$B_DIR/cpu" |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') %, datagram" \
    "payload $(sort -n "$B_DIR/payload" | head -n 1) bytes"

# kills, rotating from the crown prince down
: >"$B_DIR/kdetect"
: >"$B_DIR/ktotal"
: >"$B_DIR/ksteps"
: >"$B_DIR/kspread"
: >"$B_DIR/kpropose"
: >"$B_DIR/kquorum"
: >"$B_DIR/kcommit"
T=0
while [ "$T" -lt "$KILLS" ]; do
	v=$((SN - 1 - T % SN))
	surv=$(b_minus "$ALL" "$v")
	k=$("$BENCHTOOL" kill "$(b_pid "$v")") || exit 1
	b_reap "$v"
	if b_poll 20 "$k" "$v" "$surv" "$surv" "$(b_list "$surv")"; then
		# shellcheck disable=SC2086 # the fields of one result line
		set -- $EV
		echo "$2" >>"$B_DIR/kdetect"
		echo "$4" >>"$B_DIR/ktotal"
		echo "$5" >>"$B_DIR/ksteps"
		echo "$7" >>"$B_DIR/kspread"
		echo "$8" >>"$B_DIR/kpropose"
		echo "$9" >>"$B_DIR/kquorum"
		echo "${10}" >>"$B_DIR/kcommit"
		b_say "scale: kill $T of node $v: detect $2 ms," \
		    "kill->last commit $4 ms, epoch steps $5"
	else
		echo "scale $SN" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
		b_say "scale: kill $T of node $v: survivors did not all commit" \
		    "in 20 s (last: $EV)"
	fi
	s_spawn "$v"
	b_watch "$v" 2>/dev/null
	b_attached "$v" 10 || exit 1
	b_settle "$ALL" "$LIST" 60 || exit 1
	T=$((T + 1))
done
b_row scale "$SN" kill_detect_ms "$B_DIR/kdetect"
b_row scale "$SN" kill_to_commit_ms "$B_DIR/ktotal"
b_row scale "$SN" kill_epoch_steps "$B_DIR/ksteps"
# where kill -> commit went past the detection (events.awk's marks)
b_row scale "$SN" kill_spread_ms "$B_DIR/kspread"
b_row scale "$SN" kill_to_propose_ms "$B_DIR/kpropose"
b_row scale "$SN" kill_propose_to_quorum_ms "$B_DIR/kquorum"
b_row scale "$SN" kill_quorum_to_commit_ms "$B_DIR/kcommit"

# the split: the lower half's ports go to br1
b_say "scale: split {$(b_list "$LOW")} | {$(b_list "$HIGH")}, crown" \
    "prince $(s_status 0 crown_prince)"
for i in $LOW; do
	echo "link set b$i master br1"
done >"$B_DIR/split.batch"
for i in $LOW; do
	echo "link set b$i master br0"
done >"$B_DIR/heal.batch"
k=$("$BENCHTOOL" now)
ip -n "$BR" -batch "$B_DIR/split.batch" || exit 1
if ! b_poll 20 "$k" "$LOW" "$HIGH" "$HIGH" "$(b_list "$HIGH")"; then
	b_say "scale: split: the crown prince's half did not commit itself" \
	    "in 20 s (last: $EV)"
	exit 1
fi
# shellcheck disable=SC2086 # the fields of one result line
set -- $EV
split_ms=$4
split_steps=$5
# the other half: no quorum on every node, within 20 s
nq=0
for i in $LOW; do
	if "$CMM" ctl -s "$(b_sock "$i")" wait state no-quorum 20 \
	    >/dev/null 2>"$C/wait.err"; then
		nq=$((nq + 1))
	else
		b_say "scale: split: node $i not in no-quorum: $(cat "$C/wait.err")"
	fi
done
bad=0
for i in $HIGH; do
	m=$(s_status "$i" members)
	if [ "$m" != "$(b_list "$HIGH")" ]; then
		b_say "scale: split: node $i has members $m"
		bad=$((bad + 1))
	fi
done
low_commits=$(s_commits_after "$k" "$LOW")
b_say "scale: split: the crown prince's half committed in $split_ms ms" \
    "($split_steps epoch steps); $nq of $((SN / 2)) of the other half in" \
    "no-quorum, $low_commits commits there"
rows_of split_to_commit_ms "$split_ms"
rows_of split_epoch_steps "$split_steps"
rows_of split_minority_no_quorum "$nq"
rows_of split_minority_commits "$low_commits"
if [ "$bad" != 0 ] || [ "$nq" != $((SN / 2)) ] || [ "$low_commits" != 0 ]; then
	b_say "scale: split: FAILED: $bad of the crown prince's half without" \
	    "it, $nq of $((SN / 2)) of the other in no-quorum, $low_commits" \
	    "commits there"
	exit 1
fi
k=$("$BENCHTOOL" now)
ip -n "$BR" -batch "$B_DIR/heal.batch" || exit 1
if b_poll 60 "$k" "" "$ALL" "$ALL" "$LIST"; then
	# shellcheck disable=SC2086 # the fields of one result line
	set -- $EV
	b_say "scale: healed: all $SN committed $4 ms after the ports moved" \
	    "back, at most $5 commits on one node"
	rows_of heal_to_commit_ms "$4"
	rows_of heal_epoch_steps "$5"
else
	b_say "scale: heal: all $SN did not commit in 60 s (last: $EV)"
	echo "scale $SN" >>"${BENCH_INCOMPLETE:-$B_DIR/incomplete}"
fi

s_sample >"$B_DIR/s2"
awk '{ print $4 }' "$B_DIR/s2" >"$B_DIR/rcvbuf"
awk '{ print $5 }' "$B_DIR/s2" >"$B_DIR/inerr"
b_row scale "$SN" rcvbuf_errors "$B_DIR/rcvbuf"
b_row scale "$SN" udp_in_errors "$B_DIR/inerr"
# run alone (no make bench around it to collect the rows): the table
if [ -z "${BENCH_ROWS:-}" ]; then
	awk -v json="$B_DIR/results.json" -f "${BENCH_SRC:-bench}/report.awk" \
	    "$B_ROWS"
fi
exit 0
