#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `cmm node` on a terminal runs the console in its own process, over a
# socketpair (a client like any other, docs/ARCHITECTURE.md): the console
# shows the node and takes commands; ^D detaches it and the node runs on;
# SIGTERM then makes the node leave and exit 0 with the terminal in cooked
# mode.  `cmm console -c FILE --id N` attaches to a node named in a config.
. tests/mp/lib/tmux.sh
tm_init node
tm_cluster 2
tm_node 1
tm_new n 80 24 "$CMM node -c $TM_DIR/cmm.conf --id 0; echo NODE-EXIT=\$?; \
sleep 60"
tm_wait n 20 "node 0 as a member in its own console" "node 0  member  epoch"
tm_wait n 5 "both nodes alive members" " 1[*^! ]{3} MA "
tm_keys n "members" Enter
tm_wait n 5 "the reply of members" "epoch [0-9]+: 0-1"
tm_keys n C-d
tm_wait n 5 "the detach message" "console detached; the node runs on"
tm_ctl 0 members >/dev/null || tm_fail "node 0 stopped with its console"
tm_ctl 0 wait members 0,1 5 >/dev/null || tm_fail "node 0 left the cluster"
# `cmm console -c FILE --id N` finds node N's socket in the config, like
# `cmm ctl -c`; a node the config does not have is a one-line error
tm_new c 80 24 "$CMM console -c $TM_DIR/cmm.conf --id 1; \
echo CONSOLE-EXIT=\$?; sleep 60"
tm_wait c 10 "node 1's console through -c and --id" "node 1  member  epoch"
tm_keys c C-d
tm_wait c 5 "the console's exit" "CONSOLE-EXIT=0"
if err=$("$CMM" console -c "$TM_DIR/cmm.conf" --id 7 2>&1 </dev/null); then
	tm_fail "a console for node 7, which the config does not have"
fi
case $err in
*"cmm console: "*7*) ;;
*) tm_fail "no one-line error for --id 7: $err" ;;
esac
pid=$(tm display-message -p -t n '#{pane_pid}')
npid=$(pgrep -P "$pid" -f "cmm node" | head -n 1)
[ -n "$npid" ] || tm_fail "no node process under the pane"
kill -TERM "$npid"
tm_wait n 10 "the node's exit after SIGTERM" "NODE-EXIT=0"
tty=$(tm display-message -p -t n '#{pane_tty}')
modes=$(stty -a -F "$tty" | tr ';' '\n' | tr ' ' '\n')
echo "$modes" | grep -qx icanon || tm_fail "icanon off after the node exited"
echo "ok"
