# SPDX-License-Identifier: GPL-3.0-or-later
# mp.sh: sourced by the multi-process tests (tests/mp/*.sh), and by the
# benchmarks (bench/lib.sh) for the cluster config.  Real `cmm
# node` processes on 127.0.0.1, each test in its own temp dir, every PID
# recorded and killed on exit, every wait bounded.  On failure the tail of
# every node's log is printed, so a failure report carries its evidence.
#
#   mp_init NAME            temp dir, traps, a random-ish block of ports
#   mp_config N [LINE...]   N nodes; extra [cluster] lines as arguments
#   mp_device NAME "IDS" [FILE]   append a [device NAME] shared by IDS
#   mp_write_config FILE NAME PORT N [LINE...]   a cluster config and its
#                           key, without a test around it (bench/ uses it);
#                           realtime = $MP_REALTIME (default no: many
#                           daemons, some under valgrind, must not run
#                           SCHED_RR on a shared test machine)
#   mp_start ID [ARGS...]   start node ID headless; waits for its socket
#   mp_spawn ID [ARGS...]   the same without waiting
#   mp_start_all "IDS"      start several together, then wait for them
#   mp_kill ID [SIG]        signal node ID (default KILL) and reap it
#   mp_ctl ID ARGS...       cmm ctl on node ID's socket
#   mp_get ID KEY           a field of `status --json` ("members" -> 0,1,2)
#   mp_wait SECS DESC CMD   poll CMD every 0.1 s until it succeeds or fail
#                           (a CMD may set MP_WHY to say what it last saw)
#   mp_fail MSG             report, dump the logs, exit 1
#   mp_skip WHY             this machine cannot run the test: say why, exit 77
#   mp_benchtool            BENCHTOOL (absolute, exported): the build's
#                           bench/benchtool, else one compiled into MP_DIR
#   mp_at_exit CMD          more cleanup, after the nodes are dead
set -u
: "${CMM:?set CMM to the cmm binary}"

mp_init() {
	MP_NAME=$1
	MP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cmm-mp-$MP_NAME.XXXXXX") || exit 1
	MP_PIDS=""
	MP_ATEXIT=":"
	MP_CONF=$MP_DIR/cluster.conf
	# tests/run.sh gives each test its own block of 20 ports; run
	# alone, a block of 20000..59999 picked from the pid and clock
	MP_PORT=${CMM_TEST_PORT:-$(( 20000 +
	    ( ($$ * 7919 + $(date +%s) * 31) % 2000 ) * 20 ))}
	trap mp_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	# a reader that went away (| head) must not kill us before the
	# cleanup: the rest goes nowhere, the nodes still die
	trap 'exec >/dev/null; exit 1' PIPE
}

mp_cleanup() {
	rc=$?
	for p in $MP_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $MP_PIDS; do
		wait "$p" 2>/dev/null
	done
	eval "$MP_ATEXIT"
	if [ "${MP_KEEP:-}" != "" ]; then
		echo "kept $MP_DIR"
	else
		rm -rf "$MP_DIR"
	fi
	exit "$rc"
}

# mp_at_exit CMD: run CMD (a shell string) at exit, after the processes died
mp_at_exit() {
	MP_ATEXIT="$MP_ATEXIT; $1"
}

mp_logs() {
	for f in "$MP_DIR"/node*.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $(basename "$f")"
		tail -n "${MP_LOG_LINES:-15}" "$f"
	done
}

mp_fail() {
	echo "FAIL: $*"
	mp_logs
	exit 1
}

# mp_skip WHY: the test cannot run here (no root, a tool missing); 77 is
# counted as skipped by tests/run.sh, never as passed
mp_skip() {
	echo "SKIP: $*"
	exit 77
}

mp_benchtool() {
	BENCHTOOL=${BUILD:-build}/bench/benchtool
	if [ ! -x "$BENCHTOOL" ]; then
		BENCHTOOL=$MP_DIR/benchtool
		${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -o "$BENCHTOOL" \
		    bench/benchtool.c >"$MP_DIR/benchtool.log" 2>&1 ||
		    mp_fail "cannot build bench/benchtool.c:" \
		    "$(head -n 5 "$MP_DIR/benchtool.log")"
	fi
	BENCHTOOL=$(cd "$(dirname "$BENCHTOOL")" && pwd)/$(basename "$BENCHTOOL")
	export BENCHTOOL
}

# mp_write_config FILE NAME PORT N [LINE...]: cluster NAME of N nodes on
# 127.0.0.1:PORT and up, state and sockets beside FILE, a new key in the
# same dir; the LINEs go into [cluster].  1 if keygen fails.  (Names with
# a _mw prefix: the callers' loops use n and i.)
mp_write_config() {
	_mw_file=$1
	_mw_name=$2
	_mw_port=$3
	_mw_n=$4
	shift 4
	"$CMM" keygen "$(dirname "$_mw_file")/key" >/dev/null || return 1
	{
		echo "[cluster]"
		echo "name = $_mw_name"
		echo "key_file = key"
		echo "state_dir = state%n"
		echo "control_socket = node%n.sock"
		echo "realtime = ${MP_REALTIME:-no}"
		for _mw_line in "$@"; do
			echo "$_mw_line"
		done
		_mw_i=0
		while [ "$_mw_i" -lt "$_mw_n" ]; do
			echo "[node $_mw_i]"
			echo "address = 127.0.0.1:$((_mw_port + _mw_i))"
			_mw_i=$((_mw_i + 1))
		done
	} >"$_mw_file"
}

mp_config() {
	n=$1
	shift
	mp_write_config "$MP_CONF" "mp-$MP_NAME" "$MP_PORT" "$n" \
	    "fault_injection = on" "$@" || mp_fail "keygen"
}

mp_device() {
	printf '[device %s]\npath = %s.dev\nnodes = %s\n' "$1" "$1" "$2" \
	    >>"${3:-$MP_CONF}"
}

mp_sock() {
	echo "$MP_DIR/node$1.sock"
}

mp_start() {
	mp_spawn "$@"
	mp_wait 10 "node $1 to answer on its socket" mp_up "$1"
}

# mp_start_all "IDS": start them together (so none is alone at start long
# enough to ask the isolation question), then wait for every socket
mp_start_all() {
	for i in $1; do
		mp_spawn "$i"
	done
	for i in $1; do
		mp_wait 10 "node $i to answer on its socket" mp_up "$i"
	done
}

# mp_spawn ID [ARGS...]: start node ID headless, without waiting for it
mp_spawn() {
	id=$1
	shift
	"$CMM" node -c "$MP_CONF" --id "$id" --headless "$@" \
	    </dev/null >>"$MP_DIR/node$id.log" 2>&1 &
	pid=$!
	echo "$pid" >"$MP_DIR/pid$id"
	MP_PIDS="$MP_PIDS $pid"
}

# the node answers (`members` exits 0 whether or not it is quorate;
# `status` exits 3 then)
mp_up() {
	"$CMM" ctl -s "$(mp_sock "$1")" members >/dev/null 2>&1
}

mp_pid() {
	cat "$MP_DIR/pid$1"
}

mp_kill() {
	pid=$(mp_pid "$1")
	kill "-${2:-KILL}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

mp_ctl() {
	id=$1
	shift
	"$CMM" ctl -s "$(mp_sock "$id")" "$@"
}

# mp_json_field JSON KEY: a top-level string, number, bool, null or flat
# array of `status --json` (compact, one line); arrays come out as 0,1,2
mp_json_field() {
	printf '%s\n' "$1" | sed -n \
	    -e "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p;t" \
	    -e "s/.*\"$2\":\\[\\([^]]*\\)\\].*/\\1/p;t" \
	    -e "s/.*\"$2\":\\([^,}{]*\\).*/\\1/p" | tr -d ' '
}

mp_status() {
	mp_ctl "$1" --json status 2>/dev/null
}

mp_get() {
	mp_json_field "$(mp_status "$1")" "$2"
}

# the open prompt's kind, or "none"
mp_prompt() {
	s=$(mp_status "$1")
	case "$s" in
	*'"prompt":null'*) echo none ;;
	*'"prompt":{'*) printf '%s\n' "$s" |
	    sed -n 's/.*"prompt":{[^}]*"kind":"\([a-z]*\)".*/\1/p' ;;
	*) echo unknown ;;
	esac
}

mp_is() { # ID KEY VALUE
	[ "$(mp_get "$1" "$2")" = "$3" ]
}

mp_all() { # "IDS" KEY VALUE
	for i in $1; do
		mp_is "$i" "$2" "$3" || return 1
	done
}

mp_now_ms() {
	date +%s%3N
}

mp_wait() { # SECS DESC CMD...
	secs=$1
	desc=$2
	shift 2
	deadline=$(( $(mp_now_ms) + secs * 1000 ))
	MP_WHY=""
	while ! "$@"; do
		if [ "$(mp_now_ms)" -gt "$deadline" ]; then
			mp_fail "no $desc within $secs s${MP_WHY:+ (last: $MP_WHY)}"
		fi
		sleep 0.1
	done
}

# mp_tool NAME: sets MP_TOOL to a test helper built from tests/tools/NAME.c
# ($BUILD/tests/NAME when the Makefile built it, else compiled here)
mp_tool() {
	b=${BUILD:-build}
	if [ -x "$b/tests/$1" ]; then
		MP_TOOL=$b/tests/$1
		return
	fi
	san=""
	case "$b" in *san*) san="-fsanitize=address,undefined" ;; esac
	# shellcheck disable=SC2046 # pkg-config's flags are words
	${CC:-cc} -std=c11 -D_GNU_SOURCE -I. $san -o "$MP_DIR/$1" \
	    "tests/tools/$1.c" "$b/libcmm.a" \
	    $(pkg-config --cflags --libs libevent libsodium inih jansson) \
	    -lpthread -lm >"$MP_DIR/$1.build.log" 2>&1 ||
	    mp_fail "cannot build tests/tools/$1.c: $(head -n 5 "$MP_DIR/$1.build.log")"
	# shellcheck disable=SC2034 # read by the test that sourced this file
	MP_TOOL=$MP_DIR/$1
}
