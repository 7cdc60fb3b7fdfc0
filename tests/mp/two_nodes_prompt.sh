#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Two nodes without a shared device, link cut by fault injection: both ask
# the operator which node wins; `answer winner 1` through `cmm ctl` on both
# decides it: node 1 keeps a one-node cluster, node 0 has no quorum; heal:
# they form one cluster again.
. tests/mp/lib/mp.sh
mp_init prompt
mp_config 2
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both settled as members" mp_all "0 1" state member

winner_prompt() {
	[ "$(mp_prompt 0)" = winner ] && [ "$(mp_prompt 1)" = winner ]
}

mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut refused"
mp_wait 10 "winner prompt on both nodes" winner_prompt
mp_all "0 1" state awaiting-operator || mp_fail "a node with a prompt is not awaiting-operator"
mp_ctl 1 answer winner 1 || mp_fail "answer refused by node 1"
mp_ctl 0 answer winner 1 || mp_fail "answer refused by node 0"
mp_wait 10 "node 1 alone as a member" mp_is 1 members 1
mp_wait 5 "node 1 settled" mp_is 1 state member
mp_wait 5 "node 0 without quorum" mp_is 0 state no-quorum
[ "$(mp_prompt 0)" = none ] || mp_fail "node 0 still shows a prompt"
[ "$(mp_prompt 1)" = none ] || mp_fail "node 1 still shows a prompt"
echo "cut: the operator picked node 1"

mp_ctl 0 link heal >/dev/null || mp_fail "link heal refused"
mp_wait 10 "one cluster after the heal" mp_all "0 1" members 0,1
echo "ok"
