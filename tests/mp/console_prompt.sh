#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The winner prompt (patent step 812) on the console: two nodes
# without a shared device lose each other; the modal box appears on every
# console (one on node 0, two on node 1), "no time limit" said as such.
# A typed line is never rewritten: `nodes` and `answer winner 1` go as
# typed; a lone answer letter and Enter send nothing, Tab makes it the
# answer.  Answered on one console of node 1, the box closes on both of
# node 1's consoles and stays on node 0's until it is answered there.
. tests/mp/lib/tmux.sh
tm_init prompt
tm_cluster 2
tm_node 0
tm_node 1
tm_ctl 0 wait members 0,1 20 >/dev/null || tm_fail "no two-node cluster"
tm_ctl 1 wait state member 10 >/dev/null || tm_fail "node 1 not a member"

for s in c0 c1 c1b; do
	id=${s#c}
	id=${id%b}
	tm_new "$s" 80 24 "$CMM console -s $TM_DIR/node$id.sock --history \
$TM_DIR/hist.$s; echo CONSOLE-EXIT=\$?; sleep 60"
	tm_wait "$s" 10 "node $id's console" "node $id  member  epoch"
done

tm_ctl 0 link cut 1 >/dev/null || tm_fail "link cut refused"
for s in c0 c1 c1b; do
	tm_wait "$s" 15 "the winner box" "WHICH NODE WINS"
	tm_wait "$s" 5 "the answers in the box" "\[a\] node [01] wins"
	tm_wait "$s" 5 "the context in the box" "shared devices: none"
	tm_wait "$s" 5 "awaiting-operator in the header" "awaiting-operator"
done

# no time limit is said as such, never as a huge count
tm_wait c1 5 "no time limit in the box" "no time limit: the round waits"
tm_cap c1 | grep -Eq "[0-9]{7,} (ms|s) left" &&
    tm_fail "a huge number of ms left instead of no time limit"

# a typed line is never rewritten: `nodes` starts with an answer letter
tm_keys c1 "nodes"
tm_wait c1 5 "'nodes' typed verbatim" "^> nodes ?$"
tm_keys c1 Enter
tm_wait c1 5 "the echo of nodes in the log" "> nodes$"
tm_wait c1 5 "an empty line after nodes" "^> ?$"
tm_cap c1 | grep -q "WHICH NODE WINS" || tm_fail "nodes closed the box"

# the key that makes node 1 the winner, as the box says
key=b
tm_cap c1 | grep -q "\[a\] node 1 wins" && key=a
# on the command line a lone letter is the letter; Enter sends nothing
tm_keys c1 "$key"
tm_wait c1 5 "the Tab hint after a lone answer letter" \
    "^> $key  Tab: answer winner 1, then Enter"
tm_keys c1 Enter
tm_wait c1 5 "the lone letter refused" "'$key' not sent: Tab makes it"
tm_cap c1 | grep -q "WHICH NODE WINS" || tm_fail "a lone letter answered"
# Tab makes it the answer; Enter sends that
tm_keys c1 "$key" Tab
tm_wait c1 5 "the answer filled in by Tab" "^> answer winner 1 ?$"
tm_keys c1 Enter
tm_gone c1 10 "the winner box on the console that answered" "WHICH NODE WINS"
tm_gone c1b 10 "the winner box on node 1's other console" "WHICH NODE WINS"
tm_wait c1b 5 "the answer in the other console's log" "prompt closed"
# node 0 still asks: its own question is open until answered there
tm_cap c0 | grep -q "WHICH NODE WINS" ||
    tm_fail "node 0's box closed before node 0 was answered"
tm_wait c1 10 "node 1 alone, a member" "node 1  member  epoch"

# typed in full, `answer winner 1` stays as typed (its 'a' is a letter)
tm_keys c0 "answer winner 1"
tm_wait c0 5 "the answer typed verbatim" "^> answer winner 1 ?$"
tm_keys c0 Enter
tm_gone c0 10 "the winner box on node 0's console" "WHICH NODE WINS"
tm_wait c0 10 "node 0 without quorum" "node 0  no-quorum"
tm_wait c1 5 "node 1's cluster of one" "next \{1\}"

# healed, they are one cluster again, and the consoles follow
tm_ctl 0 link heal >/dev/null || tm_fail "link heal refused"
tm_wait c0 20 "node 0 a member again" "node 0  member  epoch"
tm_wait c1 10 "node 1 with node 0 back" "next \{0-1\}"

# ^D detaches a console and leaves the node running
tm_keys c1b C-d
tm_wait c1b 5 "the console's exit" "CONSOLE-EXIT=0"
tm_ctl 1 members >/dev/null || tm_fail "node 1 died with its console"
echo "ok"
