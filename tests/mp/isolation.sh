#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A lone node at start (the other configured nodes are down) asks the
# isolation question; `answer not-isolated` forms a one-node cluster, which
# a second node then joins (patent step 412).
. tests/mp/lib/mp.sh
mp_init isolation
mp_config 3
mp_start 0
prompt_is() { [ "$(mp_prompt "$1")" = "$2" ]; }
mp_wait 10 "isolation prompt" prompt_is 0 isolation
mp_is 0 state awaiting-operator || mp_fail "state is $(mp_get 0 state) with a prompt open"
mp_is 0 members "" || mp_fail "a lone node has members before the answer"
mp_ctl 0 answer not-isolated || mp_fail "answer refused"
mp_wait 5 "one-node cluster" mp_is 0 members 0
mp_wait 5 "node 0 a member" mp_is 0 state member
[ "$(mp_prompt 0)" = none ] || mp_fail "the prompt is still open"
[ "$(mp_get 0 quorum)" = true ] || mp_fail "the one-node cluster has no quorum"
e=$(mp_get 0 epoch)
echo "not isolated: one-node cluster at epoch $e"

mp_start 1
mp_wait 10 "node 1 joining" mp_all "0 1" members 0,1
[ "$(mp_get 1 epoch)" = $((e + 1)) ] || mp_fail "join took more than one epoch"
echo "ok"
