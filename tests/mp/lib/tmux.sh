# SPDX-License-Identifier: GPL-3.0-or-later
# tmux.sh: sourced by the console tests (tests/mp/console_*.sh).
# The console runs in a private tmux server (-L cmmtest$$, no config);
# screens are read with capture-pane, keys typed with send-keys.  Every
# wait polls with a bound; the server and every process whose command line
# names the test's directory are killed, by PID, at exit.
#
#   tm_init NAME          temp dir $TM_DIR, traps; skips (exit 77) without tmux
#   tm_new S W H CMD      a session S of W x H running CMD (stays when CMD ends)
#   tm_cap S              the screen of S, as text
#   tm_keys S KEYS...     tmux send-keys
#   tm_wait S SECS DESC PATTERN   poll until the screen matches (grep -E)
#   tm_gone S SECS DESC PATTERN   poll until it no longer matches
#   tm_fail MSG           report with the screens, exit 1
#   tm_procs              PIDs of processes still naming $TM_DIR
set -u
: "${CMM:=$(pwd)/build/cmm}"

tm_init() {
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: tmux is not installed (apt-get install tmux)"
		exit 77
	fi
	TM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cmm-console-$1.XXXXXX") || exit 1
	TM_SRV=cmmtest$$
	TM_SESSIONS=""
	trap tm_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	# a reader gone away (| head): clean up all the same
	trap 'exec >/dev/null; exit 1' PIPE
}

tm() {
	tmux -L "$TM_SRV" -f /dev/null "$@"
}

tm_procs() {
	# the tmux server keeps the command line that started it
	srv=$(tm display-message -p '#{pid}' 2>/dev/null)
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" = "$$" ] || [ "$p" = "${srv:-x}" ] && continue
		if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null |
		    grep -qF "$TM_DIR/"; then
			echo "$p"
		fi
	done
}

tm_cleanup() {
	rc=$?
	tm kill-server 2>/dev/null
	for p in $(tm_procs); do
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "${TM_KEEP:-}" ]; then
		echo "kept $TM_DIR"
	else
		rm -rf "$TM_DIR"
	fi
	exit "$rc"
}

tm_new() {
	TM_SESSIONS="$TM_SESSIONS $1"
	tm new-session -d -s "$1" -x "$2" -y "$3" "$4" \; \
	    set-option -w -t "$1" remain-on-exit on >/dev/null ||
	    tm_fail "tmux cannot start a session"
}

tm_cap() {
	tm capture-pane -p -t "$1"
}

tm_keys() {
	s=$1
	shift
	tm send-keys -t "$s" "$@"
}

tm_fail() {
	echo "FAIL: $*"
	for s in $TM_SESSIONS; do
		echo "---- screen of $s"
		tm_cap "$s" 2>/dev/null
	done
	for f in "$TM_DIR"/*/node*.log "$TM_DIR"/node*.log; do
		[ -f "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 10 "$f"
	done
	exit 1
}

tm_now_ms() {
	date +%s%3N
}

tm_wait() { # S SECS DESC PATTERN
	deadline=$(( $(tm_now_ms) + $2 * 1000 ))
	while ! tm_cap "$1" | grep -Eq -- "$4"; do
		[ "$(tm_now_ms)" -gt "$deadline" ] &&
		    tm_fail "no $3 within $2 s (looked for /$4/ on $1)"
		sleep 0.1
	done
}

tm_gone() { # S SECS DESC PATTERN
	deadline=$(( $(tm_now_ms) + $2 * 1000 ))
	while tm_cap "$1" | grep -Eq -- "$4"; do
		[ "$(tm_now_ms)" -gt "$deadline" ] &&
		    tm_fail "$3 still shown after $2 s (/$4/ on $1)"
		sleep 0.1
	done
}

# tm_cluster N [LINE...]: $TM_DIR/cmm.conf for N nodes on 127.0.0.1 with a
# key and fault injection, no devices; extra [cluster] lines as arguments
tm_cluster() {
	n=$1
	shift
	"$CMM" keygen "$TM_DIR/key" >/dev/null || tm_fail "keygen"
	# as mp_init: the block tests/run.sh gave, or one of pid and clock
	port=${CMM_TEST_PORT:-$(( 20000 +
	    ( ($$ * 7919 + $(date +%s) * 31) % 2000 ) * 20 ))}
	{
		printf '[cluster]\nname = console\nkey_file = key\n'
		printf 'state_dir = state%%n\ncontrol_socket = node%%n.sock\n'
		printf 'fault_injection = on\n'
		for line in "$@"; do
			echo "$line"
		done
		i=0
		while [ "$i" -lt "$n" ]; do
			printf '[node %d]\naddress = 127.0.0.1:%d\n' "$i" \
			    $((port + i))
			i=$((i + 1))
		done
	} >"$TM_DIR/cmm.conf"
}

# tm_node ID: start node ID headless in the background, wait for its socket
tm_node() {
	"$CMM" node -c "$TM_DIR/cmm.conf" --id "$1" --headless </dev/null \
	    >>"$TM_DIR/node$1.log" 2>&1 &
	deadline=$(( $(tm_now_ms) + 10000 ))
	while ! "$CMM" ctl -s "$TM_DIR/node$1.sock" members >/dev/null 2>&1; do
		[ "$(tm_now_ms)" -gt "$deadline" ] &&
		    tm_fail "node $1 never answered on its socket"
		sleep 0.1
	done
}

tm_ctl() { # ID ARGS...
	id=$1
	shift
	"$CMM" ctl -s "$TM_DIR/node$id.sock" "$@"
}
