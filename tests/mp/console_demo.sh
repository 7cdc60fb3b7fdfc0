#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The console of `cmm demo` in tmux at 80x24 and 120x40: all six
# FIG. 1 nodes shown as members of one epoch; `kill 5` typed on the command
# line shows the round, the new epoch and node 5 out; the nodes view shows
# every node at that epoch; Tab completes command names and arguments; the
# layout follows a resize; the demo's commands are in `help`, in F1 and
# on the empty command line; `fresh 5` brings node 5 back stateless;
# after `view 1` event lines name node 1; `quit` leaves no process behind.
. tests/mp/lib/tmux.sh
tm_init demo

# a cell of the cluster vector: " 5 ^  MA ##.." (id, marks, member, alive)
cell() { # ID MA|-x
	echo " $1[*^! ]{3} $2 "
}

run_size() { # W H
	s=s$1
	d=$TM_DIR/d$1
	tm_new "$s" "$1" "$2" "$CMM demo --dir $d; echo DEMO-EXIT=\$?"
	tm_wait "$s" 20 "epoch 1 with quorum in the header" \
	    "node 0  member  epoch 1  quorum yes"
	for i in 0 1 2 3 4 5; do
		tm_wait "$s" 10 "node $i as an alive member" "$(cell $i MA)"
	done
	# one epoch: the nodes view shows each node's committed epoch
	tm_keys "$s" F3
	for i in 0 1 2 3 4 5; do
		tm_wait "$s" 10 "node $i at epoch 1 in the nodes view" \
		    "^ +$i alive mbr .* epoch 1 "
	done
	tm_keys "$s" F2
	tm_wait "$s" 5 "the main view back" "round [0-9]+\.[0-9]+ "

	# a fault typed on the console's own command line
	tm_keys "$s" "kill 5" Enter
	tm_wait "$s" 5 "the demo's answer to kill" "SIGKILL sent to node 5"
	tm_wait "$s" 15 "epoch 2 in the header" "node 0  member  epoch 2"
	# the round panel shows the value chosen; the log says why it was
	# chosen (node 0 is not the coordinator: it learned it from a quorum
	# of ACCEPTEDs, at least four of the six previous members)
	tm_wait "$s" 5 "the round panel with {0-4}" "next \{0-4\}"
	tm_wait "$s" 5 "node 5 out, dead and fenced (!)" " 5[*^ ]{2}! -x "
	tm_wait "$s" 5 "who fenced node 5 where" "e2 [0-9] fenced 5 on d[0-9]-[0-9]"
	tm_keys "$s" F5
	tm_wait "$s" 5 "the choice and the vote in the event log" \
	    "quorum: epoch 2 chosen at ballot \([0-9]+,4\): vote: [4-5] of previous 6 > half"
	tm_wait "$s" 5 "the commit in the event log" "commit epoch 2: \{0-4\}"
	tm_keys "$s" F2

	# completion: a command name, a second word, a state
	tm_keys "$s" "hist" Tab
	tm_wait "$s" 5 "'hist' completed" "^> history ?$"
	tm_keys "$s" C-u "wait st" Tab
	tm_wait "$s" 5 "'wait st' completed" "^> wait state ?$"
	tm_keys "$s" "reconf" Tab
	tm_wait "$s" 5 "a state completed" "^> wait state reconfiguring ?$"
	tm_keys "$s" C-u
	tm_wait "$s" 5 "the demo's hint on the empty command line" \
	    "^> demo: kill N, start N, fresh N, cut A B, heal, view N, quit"
}

run_size 80 24

# the demo's own commands: in `help` and in F1, beside the node's
tm_keys s80 "help" Enter
tm_wait s80 5 "view in the demo's help" "view N +demo: send later node commands"
tm_keys s80 "help fresh" Enter
tm_wait s80 5 "fresh in the demo's help" "fresh N +demo: restart node N with its st"
tm_keys s80 F1
tm_wait s80 5 "the demo's commands in F1" "demo commands \(run by the demo\)"
tm_keys s80 F2
# `fresh 5`: node 5 comes back with no state, and joins
tm_keys s80 "fresh 5" Enter
tm_wait s80 10 "node 5 started with no state" "node 5 started with no state"
tm_wait s80 20 "node 5 a member again, no longer marked fenced" \
    " 5[*^ ]{3} MA "
# after `view 1` the event lines name their node
tm_keys s80 "view 1" Enter
tm_wait s80 10 "node 1 in the header" "node 1  member  epoch"
tm_keys s80 "kill 4" Enter
tm_wait s80 15 "node 1's events labelled" "n1 commit: commit epoch"
# wide enough for the timing pane beside round and quorum
tm_gone s80 1 "a timing pane at 80 columns" "timing: heartbeats"
run_size 120 40
tm_wait s120 5 "the timing pane at 120 columns" "timing: heartbeats"

# resize: the layout follows (SIGWINCH through libevent)
tm resize-window -t s80 -x 120 -y 40
tm_wait s80 5 "the timing pane after growing" "timing: heartbeats"
[ "$(tm_cap s80 | wc -l)" -eq 40 ] || tm_fail "the screen is not 40 lines"
tm_cap s80 | sed -n 39p | grep -q "F1 help" ||
    tm_fail "the status bar is not on line 39 after the resize"
tm resize-window -t s80 -x 80 -y 24
tm_gone s80 5 "the timing pane after shrinking" "timing: heartbeats"
tm_cap s80 | sed -n 23p | grep -q "F1 help" ||
    tm_fail "the status bar is not on line 23 after shrinking"
tm_wait s80 5 "node 4 still shown after the resizes" "$(cell 4 -x)"

# two nodes: with node 1 gone, `fresh 0` brings node 0 back as a new
# machine, alone, and it is asked the isolation question
tm_new s2 80 24 "$CMM demo -n 2 --dir $TM_DIR/d2; echo DEMO-EXIT=\$?"
tm_wait s2 20 "the two-node demo's cluster" "node 0  member  epoch 1"
tm_keys s2 "kill 1" Enter
tm_wait s2 15 "node 0 alone a member" "node 0  member  epoch 2"
tm_keys s2 "fresh 0" Enter
tm_wait s2 15 "the isolation question after fresh 0" "IS THIS NODE ISOLATED"
tm_wait s2 5 "quorum pending in the header" "quorum pending"

# quit stops every process the demo started, and the terminal comes back
for s in s80 s120 s2; do
	tm_keys "$s" "quit" Enter
	tm_wait "$s" 15 "the demo's exit" "DEMO-EXIT=0"
	tm_wait "$s" 5 "the demo's last line on a restored terminal" \
	    "cmm demo: stopped; files kept in"
done
left=$(tm_procs)
[ -z "$left" ] || tm_fail "processes left after quit: $left"
echo "ok"
