# SPDX-License-Identifier: GPL-3.0-or-later
# bench/lib.sh: sourced by the benchmark scripts (bench/*.sh).  Real `cmm
# node` processes on 127.0.0.1, all in one mktemp -d dir, every PID
# recorded and killed by PID at exit, every wait bounded.  The cluster
# config is written by the tests' library (tests/mp/lib/mp.sh), so the
# benchmarks run what the tests run.
#
#   b_init NAME            temp dir and traps; B_ATEXIT (a shell string)
#                          runs at exit after every process is dead
#   b_cluster N [LINE...]  a fresh cluster dir with N nodes on free ports;
#                          extra [cluster] lines as arguments
#   b_device NAME "IDS"    append a quorum device shared by IDS
#   b_spawn ID             start node ID (no wait)
#   b_watch ID             `watch --json` of node ID appended to its file,
#                          started as soon as the node's socket exists
#   b_attached ID SECS     wait until that watcher is attached
#   b_reap ID              wait for node ID to exit; drop its stale socket
#   b_wait_members "IDS" LIST SECS   each of IDS commits exactly LIST
#   b_settle "IDS" LIST SECS   the same, and no round is running
#   b_events K "VICTIMS" "MUST" "ALL" LIST   the awk analysis (events.awk)
#   b_row EXP N METRIC VALUES...     one results row from raw values
#   b_say MSG              progress on stderr
set -u
: "${CMM:?set CMM to the cmm binary}"
: "${BENCHTOOL:?set BENCHTOOL to the benchtool binary}"
BENCH_SRC=${BENCH_SRC:-bench}
# shellcheck source=tests/mp/lib/mp.sh
. "$BENCH_SRC/../tests/mp/lib/mp.sh"

b_say() {
	echo "bench: $*" >&2
}

b_init() {
	B_NAME=$1
	B_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cmm-bench-$B_NAME.XXXXXX") || exit 1
	: >"$B_DIR/pids"
	B_ROWS=${BENCH_ROWS:-$B_DIR/rows.tsv}
	trap b_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	# a reader gone away (| head): clean up all the same
	trap 'exec >/dev/null; exit 1' PIPE
}

b_ppid() {
	sed 's/.*) [A-Za-z] \([0-9]*\) .*/\1/' "/proc/$1/stat" 2>/dev/null
}

# b_ours PID: PID is still a child of this shell, or of a watcher subshell
# that is (a recorded PID that exited long ago may since belong to someone
# else)
b_ours() {
	pp=$(b_ppid "$1")
	[ -n "$pp" ] || return 1
	[ "$pp" = "$$" ] && return 0
	grep -qx "$pp" "$B_DIR/pids" && [ "$(b_ppid "$pp")" = "$$" ]
}

# Kill every process this script started, by PID, then remove the dir.
b_cleanup() {
	rc=$?
	trap - EXIT
	# newest first: a watcher's ctl before the subshell that is its parent
	tac "$B_DIR/pids" >"$B_DIR/pids.rev"
	while read -r p; do
		b_ours "$p" && kill -9 "$p" 2>/dev/null
	done <"$B_DIR/pids.rev"
	while read -r p; do
		wait "$p" 2>/dev/null
	done <"$B_DIR/pids"
	eval "${B_ATEXIT:-:}"
	if [ -n "${BENCH_KEEP:-}" ]; then
		b_say "kept $B_DIR"
	else
		rm -rf "$B_DIR"
	fi
	exit "$rc"
}

b_record() {
	echo "$1" >>"$B_DIR/pids"
}

b_rand() {
	od -An -N2 -tu2 /dev/urandom | tr -d ' '
}

# b_cluster N [LINE...]: sets C (the cluster dir), CONF, N, B_PORT
b_cluster() {
	N=$1
	shift
	C=$(mktemp -d "$B_DIR/c$N.XXXXXX") || exit 1
	CONF=$C/cluster.conf
	tries=0
	while :; do
		# 30000 and up: 20000..29999 are tests/run.sh's blocks
		B_PORT=$(( 30000 + ($(b_rand) % 1499) * 20 ))
		"$BENCHTOOL" ports "$B_PORT" "$N" && break
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || { b_say "no free block of $N ports"; exit 1; }
	done
	mp_write_config "$CONF" "bench$N" "$B_PORT" "$N" "$@" ||
	    { b_say "keygen failed"; exit 1; }
}

b_device() {
	mp_device "$1" "$2" "$CONF"
}

b_sock() {
	echo "$C/node$1.sock"
}

b_pid() {
	cat "$C/pid$1"
}

# BENCH_NODE_WRAP: a command the daemons run under (e.g. "chrt -r 10")
b_spawn() {
	# shellcheck disable=SC2086 # the wrapper is a command and its arguments
	${BENCH_NODE_WRAP:-} "$CMM" node -c "$CONF" --id "$1" --headless </dev/null \
	    >>"$C/node$1.log" 2>&1 &
	echo "$!" >"$C/pid$1"
	b_record "$!"
}

# The watcher polls for the socket with the shell's test, not with ctl, so
# a node that is down costs no process spawns (b_reap removes the stale
# socket file of a dead node).  The socket exists a moment before the
# daemon listens on it: a refused ctl is tried again.  Each ctl's PID goes
# to the list too; its parent is this subshell (see b_ours).
b_watch() {
	: >"$C/werr$1"
	(
		n=0
		while [ "$n" -lt 2000 ]; do
			if [ -S "$C/node$1.sock" ]; then
				"$CMM" ctl -s "$C/node$1.sock" --json watch \
				    >>"$C/w$1.json" 2>>"$C/werr$1" &
				b_record "$!"
				wait "$!"
				grep -q watching "$C/werr$1" && exit 0
			fi
			sleep 0.005
			n=$((n + 1))
		done
	) &
	b_record "$!"
}

b_attached() {
	n=0
	while ! grep -q watching "$C/werr$1" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt $(($2 * 20)) ]; then
			b_say "watcher of node $1 did not attach: $(cat "$C/werr$1")"
			return 1
		fi
		sleep 0.05
	done
}

b_kill9() {
	p=$(b_pid "$1")
	b_ours "$p" && kill -9 "$p" 2>/dev/null
	b_reap "$1"
}

b_reap() {
	wait "$(b_pid "$1")" 2>/dev/null
	rm -f "$C/node$1.sock"
}

# b_stop ID: SIGTERM (graceful leave), SIGKILL after 10 s, reap
b_stop() {
	p=$(b_pid "$1")
	kill -TERM "$p" 2>/dev/null
	n=0
	while kill -0 "$p" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt 200 ]; then
			b_say "node $1 ignored SIGTERM for 10 s; killing it"
			kill -9 "$p" 2>/dev/null
		fi
		sleep 0.05
	done
	b_reap "$1"
}

b_wait_members() {
	for i in $1; do
		if ! "$CMM" ctl -s "$(b_sock "$i")" wait members "$2" "$3" \
		    >/dev/null 2>"$C/wait.err"; then
			b_say "node $i: no members $2 within $3 s:" \
			    "$(cat "$C/wait.err")"
			return 1
		fi
	done
}

# b_settle "IDS" LIST SECS: every node of IDS has committed exactly LIST and
# runs no round (state member): a trial must not start inside a round, a
# kill there costs a failed attempt and a backoff that is not the
# failover's own cost
b_settle() {
	b_wait_members "$1" "$2" "$3" || return 1
	# twice: a commit can set off a round that changes nothing (a late
	# peer's message of the old round taken as a petition)
	for pass in 1 2; do
		for i in $1; do
			if ! "$CMM" ctl -s "$(b_sock "$i")" wait state member \
			    "$3" >/dev/null 2>"$C/wait.err"; then
				b_say "node $i: not settled as a member within" \
				    "$3 s: $(cat "$C/wait.err")"
				return 1
			fi
		done
		[ "$pass" = 1 ] && sleep 0.25
	done
	b_wait_members "$1" "$2" "$3"
}

b_seq() { # A B: A..B, one line
	i=$1
	out=""
	while [ "$i" -le "$2" ]; do
		out="$out${out:+ }$i"
		i=$((i + 1))
	done
	echo "$out"
}

b_list() { # "IDS" -> 0,1,3
	# shellcheck disable=SC2086 # ids split on purpose, joined by commas
	echo $1 | tr ' ' ','
}

b_minus() { # "ALL" "SOME": ALL without SOME
	out=""
	for i in $1; do
		case " $2 " in
		*" $i "*) ;;
		*) out="$out${out:+ }$i" ;;
		esac
	done
	echo "$out"
}

# b_events K "VICTIMS" "MUST" "NODES" "MEMBERS": prints
#   COMPLETE DETECT_MS OVERHEAD_MS TOTAL_MS STEPS SEEN
b_events() {
	cat "$C"/w*.json 2>/dev/null | awk -v k="$1" -v victims="$2" \
	    -v must="$3" -v nodes="$4" -v want="$5" -f "$BENCH_SRC/events.awk"
}

# b_poll SECS ARGS...: b_events until COMPLETE or SECS pass; sets EV
b_poll() {
	secs=$1
	shift
	n=0
	while :; do
		EV=$(b_events "$@")
		case "$EV" in
		"1 "*) return 0 ;;
		esac
		n=$((n + 1))
		[ "$n" -le $((secs * 10)) ] || return 1
		sleep 0.1
	done
}

b_field() { # N "A B C ..."
	echo "$2" | awk -v n="$1" '{ print $n }'
}

# b_row EXPERIMENT NODES METRIC FILE [EXTRA]: one row from the values in
# FILE; EXTRA is more JSON members for the record ("killed":7)
b_row() {
	awk -v e="$1" -v n="$2" -v m="$3" -v extra="${5:-}" \
	    -f "$BENCH_SRC/stats.awk" "$4" >>"$B_ROWS"
}
