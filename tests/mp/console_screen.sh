#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What the console's screen says, on three nodes: no p99 warning in the
# nodes view of a healthy loopback; unbound function keys put nothing on
# the line; keys-mode digits do what the F-keys of their number do; the
# cluster view (F7) shows both sides when node 2 hears nobody; F5 wraps a
# long line; a departed node without a device is shown NOT fenced until
# it is back; the
# trouble filter (F6) shows a failure; a node without quorum for a while
# is offered the exact force-quorum command; a console that lost its node
# says so and keeps the last state; help scrolls at 60x15; two consoles
# sharing a history file keep both their lines and no `answer` line.
. tests/mp/lib/tmux.sh
tm_init screen
tm_cluster 3 "heartbeat_ms = 100" "failure_timeout_ms = 500" \
    "round_timeout_ms = 300" "join_retry_ms = 500"
for i in 0 1 2; do
	tm_node "$i"
done
tm_ctl 0 wait members 0-2 20 >/dev/null || tm_fail "no three-node cluster"

# SIGKILL nodes ID...: their processes among those this test started, in
# one kill(1), so several die in the same instant (found one by one under
# load, they would fail in separate rounds)
kill_node() {
	pids=
	for id in "$@"; do
		for p in $(tm_procs); do
			if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
			    grep -q -- "--id $id --headless"; then
				pids="$pids $p"
			fi
		done
	done
	[ -n "$pids" ] || tm_fail "no process of node(s) $*"
	# shellcheck disable=SC2086 # one word per PID
	kill -9 $pids
}

h=$TM_DIR/hist
tm_new s 80 24 "$CMM console -s $TM_DIR/node0.sock --history $h; \
echo CONSOLE-EXIT=\$?; sleep 60"
tm_new t 80 24 "$CMM console -s $TM_DIR/node1.sock --history $h; \
echo CONSOLE-EXIT=\$?; sleep 60"
tm_wait s 10 "node 0's console" "node 0  member  epoch"
tm_wait t 10 "node 1's console" "node 1  member  epoch"

# F3 on a healthy loopback: the timing rows, no p99 warning
tm_keys s F3
tm_wait s 5 "the nodes view" "timing: heartbeats"
tm_gone s 3 "a p99 warning on a healthy loopback" "WARN: p99"
tm_keys s F2

# unbound function keys, and F-keys with Shift, Ctrl or Alt, do nothing:
# no "~" or "5~" on the command line
tm_keys s F8 F10 F11 F12 S-F3 C-F5 M-F8
tm_wait s 3 "an empty command line after unbound keys" "^> ?$"

# keys mode: a digit does what the F-key of its number does
tm_keys s C-o
tm_wait s 5 "keys mode" "^keys: j/k scroll"
tm_keys s 3
tm_wait s 5 "3 as F3: the nodes view" "timing: heartbeats"
tm_keys s 7
tm_wait s 5 "7 as F7: the cluster view" "cluster: what every node says"
tm_wait s 5 "one view of the cluster" "one view: every node heard says"
tm_wait s 5 "node 2's row" "^ +2  yes .* member +[0-9]+ 0-2 +0-2 +match"
tm_keys s 2
tm_wait s 5 "2 as F2: the main view" "round [0-9]+\.[0-9]+"
tm_keys s Enter
tm_wait s 5 "the command line again" "^> ?$"

# node 2 hears nobody (what 0 and 1 send it is lost): it loses quorum,
# and node 0's cluster view shows both sides
tm_ctl 0 link cut 2 out >/dev/null || tm_fail "link cut refused"
tm_ctl 1 link cut 2 out >/dev/null || tm_fail "link cut refused"
tm_keys s F7
tm_wait s 10 "two sides in the cluster view" "SIDES: the nodes heard say"
tm_wait s 5 "node 2's side" "\{2\}: epoch [0-9]+ \{0-2\}, not members"
tm_keys s F2
tm_ctl 0 link heal >/dev/null || tm_fail "link heal refused on node 0"
tm_ctl 1 link heal >/dev/null || tm_fail "link heal refused on node 1"

# a line longer than the screen: cut in the main view, wrapped in F5
long="nodes x123456789012345678901234567890123456789012345678901234567890"
tm_keys s "$long-ENDMARK" Enter
tm_keys s F5
tm_wait s 5 "the end of the long line, wrapped" "^ +[^ >]*MARK$"
tm_keys s F2

# node 2 killed: no device is shared, nobody fenced it, and the pane
# says so; the failure is trouble (F6: membership, rounds, prompts,
# trouble)
kill_node 2
tm_ctl 0 wait members 0-1 10 >/dev/null || tm_fail "node 2 never removed"
tm_wait s 5 "the NOT fenced line" "2: NOT FENCED, shares no device"
tm_keys s F6 F6 F6 F6
tm_wait s 5 "the trouble filter" "events: trouble"
tm_wait s 5 "the failure in the trouble filter" "failure: node 2 failed"
tm_keys s F6 F6
tm_wait s 5 "the whole log again" "events: all"
# back as a member, node 2 is no longer shown as a departed node
tm_node 2
tm_ctl 0 wait members 0-2 15 >/dev/null || tm_fail "node 2 not back"
tm_gone s 10 "the NOT fenced line once node 2 is back" "2: NOT FENCED"

# nodes 1 and 2 killed: node 0 has no quorum, and in a while the console
# offers the exact command (with the condition that makes it safe)
kill_node 1 2
tm_wait s 10 "no quorum in the header" "node 0  no-quorum"
tm_wait s 15 "the force-quorum offer" "NO QUORUM for [0-9]+ s\. Only if"
tm_wait s 5 "the exact command" "dead 1-2 confirm"

# the console loses its node: it says so and keeps the last state
kill_node 0
tm_wait s 5 "the disconnection in the header" "NOT CONNECTED - the panes are"
tm_cap s | grep -Eq " 1[*^! ]{3} " ||
    tm_fail "the cells are gone after the disconnection"

# help at 60x15 scrolls to its last line
tm resize-window -t s -x 60 -y 15
tm_keys s F1
tm_wait s 5 "the help view" "help: keys and commands"
i=0
while ! tm_cap s | grep -q "grey panes: not connected"; do
	i=$((i + 1))
	[ "$i" -gt 20 ] && tm_fail "the end of help not reached by PgDn"
	tm_keys s PageDown
	sleep 0.2
done

# history: both consoles' lines, and no answer line
tm_keys s "answer isolated" Enter
tm_keys t "members" Enter
tm_wait t 5 "the reply of members" "epoch [0-9]+: "
tm_keys t "answer winner 1" Enter
tm_keys s C-d
tm_keys t C-d
tm_wait s 5 "console s's exit" "CONSOLE-EXIT=0"
tm_wait t 5 "console t's exit" "CONSOLE-EXIT=0"
grep -q "^nodes x1234" "$h" || tm_fail "console s's line not in $h"
grep -q "^members$" "$h" || tm_fail "console t's line not in $h"
if grep -q "^answer" "$h"; then
	tm_fail "an answer line was kept in $h: $(grep '^answer' "$h")"
fi
echo "ok"
