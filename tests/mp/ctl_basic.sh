#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# cmm ctl against a running node: node 0 of a two-node config started
# alone, so the isolation prompt is open at start (`cmm demo` with no input
# writes the config and stops at once).  Checks status and --json fields,
# answers, wait with and without success, the watch stream (snapshot
# first, numbered, a non-zero exit when the node goes away), exit codes
# 0/1/2/3, one-line errors (JSON under --json), -c FILE [--id N], and a
# script on stdin that stops at its first failing line.
set -u
CMM=${CMM:-$(pwd)/build/cmm}
T=$(mktemp -d /tmp/cmm-ctl-test.XXXXXX)
NODE_PID=""
WATCH_PID=""

cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
	[ -n "$NODE_PID" ] && kill -9 "$NODE_PID" 2>/dev/null
	# the demo's own nodes, should it have left one behind
	sed -n 's/^cmm demo: node [0-9]* started, pid \([0-9]*\),.*/\1/p' \
	    "$T/demo.out" 2>/dev/null | while read -r p; do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- node 0 log"; tail -n 30 "$T/node0.log" 2>/dev/null
	exit 1
}

# until CMD succeeds, at most N tenths of a second
poll() {
	n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -le 0 ] && return 1
		sleep 0.1
	done
	return 0
}

# run ctl, keep exit code, stdout and stderr
ctl() {
	"$CMM" ctl -s "$S" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

lines() { wc -l <"$1" | tr -d ' '; }

# the version and the build it came from, as --version or as a subcommand
v=$("$CMM" --version) || fail "cmm --version failed"
[ "$v" = "$("$CMM" version)" ] || fail "cmm version differs from --version"
printf '%s\n' "$v" | grep -q '^build [^ ]' || fail "no build id in: $v"

# the demo as a config writer: no input, so it stops at once
"$CMM" demo -n 2 --dir "$T/d" </dev/null >"$T/demo.out" 2>&1 ||
    fail "cmm demo -n 2 failed: $(cat "$T/demo.out")"
left=$(sed -n 's/^cmm demo: node [0-9]* started, pid \([0-9]*\),.*/\1/p' \
    "$T/demo.out" | while read -r p; do
	kill -0 "$p" 2>/dev/null && echo "$p"
done)
[ -z "$left" ] || fail "the demo left pid(s) running: $left"
# a fresh node 0, alone
rm -rf "$T/d/node0" "$T/d/node1"
"$CMM" node -c "$T/d/cmm.conf" --id 0 --headless >"$T/node0.log" 2>&1 &
NODE_PID=$!
S=$T/d/node0.sock

poll 100 "$CMM" ctl -s "$S" members || fail "node 0 never answered on $S"

# the socket from the config: with --id, and without it when only one of
# the config's nodes listens here
"$CMM" ctl -c "$T/d/cmm.conf" --id 0 members >"$T/out" 2>"$T/err" ||
    fail "ctl -c --id 0: $(cat "$T/err")"
"$CMM" ctl -c "$T/d/cmm.conf" members >"$T/out" 2>"$T/err" ||
    fail "ctl -c without --id (one node listens): $(cat "$T/err")"
"$CMM" ctl -c "$T/d/cmm.conf" --id 1 members >"$T/out" 2>"$T/err"
[ $? -eq 2 ] || fail "ctl -c --id 1 (not running) did not exit 2"
grep -q "cannot connect to $T/d/node1.sock" "$T/err" ||
    fail "ctl -c --id 1 names the wrong socket: $(cat "$T/err")"
"$CMM" ctl -c "$T/d/cmm.conf" --id 7 members >/dev/null 2>"$T/err"
[ $? -eq 2 ] || fail "ctl -c --id 7 (no such node) did not exit 2"
# without -c, the config named by $CMM_CONFIG
CMM_CONFIG=$T/d/cmm.conf "$CMM" ctl --id 0 members >"$T/out" 2>"$T/err" ||
    fail "CMM_CONFIG with --id 0: $(cat "$T/err")"
CMM_CONFIG=$T/d/cmm.conf "$CMM" ctl members >"$T/out" 2>"$T/err" ||
    fail "CMM_CONFIG without --id: $(cat "$T/err")"

# a lone node at start asks the isolation question
ctl wait state awaiting-operator 15
[ "$rc" -eq 0 ] || fail "wait state awaiting-operator: exit $rc: $(cat "$T/err")"
grep -qx "state is awaiting-operator" "$T/out" || fail "wait reply: $(cat "$T/out")"

# status --json: exactly one object on one line, with the contract's
# fields; exit 3: not a quorate member
ctl --json status
[ "$rc" -eq 3 ] || fail "--json status of a node awaiting the operator: exit $rc"
[ "$(lines "$T/out")" -eq 1 ] || fail "--json status is not one line"
grep -q '^{.*}$' "$T/out" || fail "--json status is not an object"
for f in '^{"api":1,"ok":true,' '"node":0' '"state":"awaiting-operator"' '"epoch":0' '"members":\[\]' \
    '"crown_prince":null' '"quorum":false' '"incarnation":[0-9]' \
    '"prompt":{"kind":"isolation","choices":\["isolated","not-isolated"\]' \
    '"dropped":{"malformed":0,"foreign":0,"auth":0,"replay":0,"misdirected":0,"config":0,"version":0,"overflow":0,"duplicate":0}' \
    '"config_digest":"[0-9a-f]\{32\}"'; do
	grep -q "$f" "$T/out" || fail "status --json lacks $f: $(cat "$T/out")"
done

# the human status says the same
ctl status
{ [ "$rc" -eq 3 ] && grep -q "awaiting-operator" "$T/out" &&
    grep -q "prompt: is this node isolated" "$T/out"; } || fail "status: $(cat "$T/out")"

# watch --json in the background; stderr says when the stream is on
"$CMM" ctl -s "$S" --json watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH_PID=$!
poll 50 grep -q "watching" "$T/watch.err" || fail "watch did not start"

# wait that does not hold: exit 1 after its time, one line saying why
ctl wait state member 1
[ "$rc" -eq 1 ] || fail "wait state member 1: exit $rc"
[ "$(lines "$T/err")" -eq 1 ] || fail "wait timeout: not one line"
grep -qx "wait: timed out after 1 s: state is awaiting-operator" "$T/err" ||
    fail "wait timeout message: $(cat "$T/err")"

# the wrong answer for the open prompt
ctl answer winner 0
{ [ "$rc" -eq 1 ] && grep -q "^answer: the open prompt asks whether" "$T/err"; } ||
    fail "answer winner on an isolation prompt: $rc $(cat "$T/err")"

# the answer forms a one-node cluster
ctl answer not-isolated
[ "$rc" -eq 0 ] || fail "answer not-isolated: exit $rc $(cat "$T/err")"
ctl wait state member 10
[ "$rc" -eq 0 ] || fail "wait state member after the answer: $(cat "$T/err")"
ctl --json wait members 0 10
{ [ "$rc" -eq 0 ] && grep -q '"members":\[0\]' "$T/out"; } ||
    fail "wait members 0: $rc $(cat "$T/out" "$T/err")"
ctl --json status
{ [ "$rc" -eq 0 ] && grep -q '"quorum":true' "$T/out" && grep -q '"prompt":null' "$T/out" &&
    grep -q '"crown_prince":0' "$T/out"; } || fail "status after answer: $(cat "$T/out")"
ctl answer isolated
{ [ "$rc" -eq 1 ] && grep -qx "answer: no prompt is open" "$T/err"; } ||
    fail "answer with no prompt: $rc $(cat "$T/err")"

# the watch stream saw the prompt close, the answer and the commit
poll 50 grep -q '"type":"commit"' "$T/watch.out" || fail "no commit event: $(cat "$T/watch.out")"
c=$(grep '"type":"commit"' "$T/watch.out" | head -n 1)
for f in '"node":0' '"epoch":1' '"members":\[0\]' '"joined":\[0\]' '"departed":\[\]' \
    '"time":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]Z"' \
    '"mono_ns":[0-9]'; do
	echo "$c" | grep -q "$f" || fail "commit event lacks $f: $c"
done
grep -q '"type":"answer"' "$T/watch.out" || fail "no answer event"
grep -q '"type":"prompt","seq":[0-9]*,"node":0.*"open":false' "$T/watch.out" || fail "no prompt-closed event"
grep -v '^{"api":1,"type":"[a-z-]*","seq":[0-9]*,"node":0,"epoch":[0-9]*,"time":"[^"]*","mono_ns":[0-9]*' \
    "$T/watch.out" >"$T/bad" && fail "event lines without the common fields: $(head -n 3 "$T/bad")"
# the stream opens with the status (seq 0), then counts 1, 2, 3, ...
head -n 1 "$T/watch.out" | grep -q '^{"api":1,"type":"snapshot","seq":0,.*"status":{"node":0,' ||
    fail "watch does not open with a snapshot: $(head -n 1 "$T/watch.out")"
sed -n 's/^{"api":1,"type":"[a-z-]*","seq":\([0-9]*\),.*/\1/p' "$T/watch.out" |
    awk 'NR - 1 != $1 { print "seq " $1 " on line " NR; exit 1 }' >"$T/bad" ||
    fail "watch seq is not 0, 1, 2, ...: $(cat "$T/bad")"

# an unknown command: exit 1, one line, nothing on stdout
ctl foo
[ "$rc" -eq 1 ] || fail "unknown command: exit $rc"
{ [ "$(lines "$T/err")" -eq 1 ] && grep -qx "unknown command 'foo' (try 'help')" "$T/err"; } ||
    fail "unknown command message: $(cat "$T/err")"
[ -s "$T/out" ] && fail "unknown command wrote to stdout"
# under --json the error is an object on stdout as well
ctl --json foo
{ [ "$rc" -eq 1 ] && [ "$(lines "$T/out")" -eq 1 ] &&
    grep -qx '{"api":1,"ok":false,"error":"unknown command '"'foo'"' (try '"'help'"')"}' "$T/out"; } ||
    fail "--json unknown command: $rc $(cat "$T/out")"
"$CMM" ctl -s "$T/none.sock" --json members >"$T/out" 2>/dev/null
{ [ $? -eq 2 ] && grep -q '^{"api":1,"ok":false,"error":"cannot connect to ' "$T/out"; } ||
    fail "--json to a missing socket: $(cat "$T/out")"
ctl status extra
{ [ "$rc" -eq 1 ] && grep -qx "status: too many arguments (usage: status)" "$T/err"; } ||
    fail "argument count: $(cat "$T/err")"

# usage errors and unreachable sockets: exit 2, one line naming the socket
"$CMM" ctl status >/dev/null 2>&1
[ $? -eq 2 ] || fail "ctl without -s did not exit 2"
"$CMM" ctl -s "$S" >/dev/null 2>&1
[ $? -eq 2 ] || fail "ctl without a command did not exit 2"
"$CMM" ctl -s "$S" --json >"$T/out" 2>/dev/null
{ [ $? -eq 2 ] && grep -q '^{"api":1,"ok":false,"error":"no command given' "$T/out"; } ||
    fail "a usage error under --json is no error object: $(cat "$T/out")"
"$CMM" ctl -s "$S" --bogus status >/dev/null 2>&1
[ $? -eq 2 ] || fail "ctl with a bad option did not exit 2"
"$CMM" ctl -s "$T/none.sock" status >"$T/out" 2>"$T/err"
[ $? -eq 2 ] || fail "ctl to a missing socket did not exit 2"
{ [ "$(lines "$T/err")" -eq 1 ] && grep -q "cannot connect to $T/none.sock: " "$T/err"; } ||
    fail "unreachable socket message: $(cat "$T/err")"

# a script: comments and blank lines skipped, stops at the first failure
printf '# a comment\nstatus\n\n   # indented comment\nmembers\nbogus\nstatus\n' |
    "$CMM" ctl -s "$S" - >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "script with a failing line: exit $rc"
grep -qx "line 6: unknown command 'bogus' (try 'help')" "$T/err" ||
    fail "script error: $(cat "$T/err")"
[ "$(grep -c '^node 0 ' "$T/out")" -eq 1 ] || fail "script ran past its failing line"
grep -qx "epoch 1: 0" "$T/out" || fail "script members: $(cat "$T/out")"
printf 'status\nwait state member 5\n--json members\n' | "$CMM" ctl -s "$S" - >"$T/out" 2>"$T/err"
rc=$?
{ [ "$rc" -eq 0 ] && grep -q '^{"api":1,"ok":true,"epoch":1,"members":\[0\]' "$T/out"; } || fail "good script: $(cat "$T/out" "$T/err")"

# the rest of the language answers
for c in nodes round quorum devices history help list-commands "log level" "link heal"; do
	# shellcheck disable=SC2086 # $c is a command and its arguments, split on purpose
	ctl $c
	[ "$rc" -eq 0 ] || fail "$c: exit $rc: $(cat "$T/err")"
done
ctl quorum
grep -q "isolation" "$T/out" || fail "quorum does not explain: $(cat "$T/out")"
ctl history
{ grep -q "commit epoch 1" "$T/out" && grep -q "answer" "$T/out"; } || fail "history: $(cat "$T/out")"

# SIGTERM: the node leaves and exits 0, and its socket is gone
kill "$NODE_PID"
poll 100 sh -c "! kill -0 $NODE_PID" || fail "node did not stop on SIGTERM"
wait "$NODE_PID"
rc=$?
NODE_PID=""
[ "$rc" -eq 0 ] || fail "node exit code $rc after SIGTERM"
[ -e "$S" ] && fail "control socket left behind"

# the watcher saw its node go: exit 1 and a line saying so
poll 50 sh -c "! kill -0 $WATCH_PID" || fail "watch went on after its node stopped"
wait "$WATCH_PID"
rc=$?
WATCH_PID=""
[ "$rc" -eq 1 ] || fail "watch exit code $rc after its node stopped"
grep -q "watch: node 0 .* went away" "$T/watch.err" ||
    fail "watch did not say its node went away: $(cat "$T/watch.err")"
echo "ok"
