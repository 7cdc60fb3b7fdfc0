#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The isolation prompt (patent step 412) on the console, and the
# terminal at its plainest: node 0 of two starts alone and asks whether it
# is isolated; a console with TERM=vt100 and NO_COLOR shows the box with
# its countdown (prompt_timeout_s); in keys mode 'i' fills in the answer,
# the safety sentence whole at 80x24; Enter sends
# it, the node is isolated and the box closes.  Then the terminal is
# restored after a crash signal (SIGSEGV) and after a too-small window.
. tests/mp/lib/tmux.sh
tm_init isolation
tm_cluster 2 "prompt_timeout_s = 600"
tm_node 0
tm_ctl 0 wait state awaiting-operator 20 >/dev/null ||
    tm_fail "node 0 alone never asked the isolation question"

tm_new v 80 24 "TERM=vt100 NO_COLOR=1 $CMM console -s $TM_DIR/node0.sock \
--history $TM_DIR/hist; echo CONSOLE-EXIT=\$?; sleep 60"
tm_wait v 10 "the isolation box" "IS THIS NODE ISOLATED"
tm_wait v 5 "what each answer does" "\[i\] isolated: .*\(safe\)"
tm_wait v 5 "the countdown" "[0-9]+ s left, then the configured policy"
tm_wait v 5 "the context: when the peer was last heard" "last heard: 1:never"
tm_wait v 5 "the safety sentence, whole" \
    "Safe: answer \[n\] only if you KNOW the other nodes are stopped\."
# keys mode (Ctrl-O): the key fills in the answer
tm_keys v C-o
tm_wait v 5 "keys mode on the bottom line" "^keys: j/k scroll"
tm_keys v i
tm_wait v 5 "the answer filled in by the key" "^> answer isolated ?$"
tm_keys v Enter
tm_gone v 10 "the isolation box" "IS THIS NODE ISOLATED"
tm_wait v 10 "the isolated state in the header" "node 0  isolated"
[ "$(tm_ctl 0 --json status | sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p')" = \
    isolated ] || tm_fail "node 0 is not isolated after the answer"

# too small: says so, and comes back when the window grows
tm resize-window -t v -x 30 -y 8
tm_wait v 5 "the too-small notice" "too small: 40x12 at least"
tm resize-window -t v -x 80 -y 24
tm_wait v 5 "the header after growing again" "node 0  isolated"

# a crash signal: the terminal is restored before the process dies
pid=$(tm display-message -p -t v '#{pane_pid}')
cpid=$(pgrep -P "$pid" -f "cmm console" | head -n 1)
[ -n "$cpid" ] || tm_fail "no console process under the pane"
kill -SEGV "$cpid"
tm_wait v 5 "the shell after the crash" "CONSOLE-EXIT=139"
tm_gone v 5 "the console's screen after the crash" "node 0  isolated"
# cooked mode again: canonical input and echo on
tty=$(tm display-message -p -t v '#{pane_tty}')
modes=$(stty -a -F "$tty" | tr ';' '\n' | tr ' ' '\n')
echo "$modes" | grep -qx icanon || tm_fail "icanon off after the crash"
echo "$modes" | grep -qx echo || tm_fail "echo off after the crash"
echo "ok"
