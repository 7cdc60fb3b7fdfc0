#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Two nodes without a shared device, link cut: both ask which node wins
# and report their quorum as pending (not held) while they wait.  Nobody
# answers; after prompt_timeout_s the timeout policy takes the safe answer
# on both (each lets the other win: both end without quorum), says so in
# the log, and records it in the history.
. tests/mp/lib/mp.sh
mp_init ptimeout
mp_config 2 "winner = ask" "prompt_timeout_s = 2"
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both settled as members" mp_all "0 1" state member

winner_prompt() {
	[ "$(mp_prompt 0)" = winner ] && [ "$(mp_prompt 1)" = winner ]
}
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut refused"
mp_wait 10 "winner prompt on both nodes" winner_prompt
s=$(mp_status 0)
if [ "$(mp_json_field "$s" quorum_pending)" != true ] ||
    [ "$(mp_json_field "$s" quorum)" != false ]; then
	mp_fail "awaiting the operator, quorum is not reported pending: $s"
fi
mp_ctl 0 status | grep -q "quorum pending" ||
	mp_fail "status text does not say quorum pending: $(mp_ctl 0 status)"

mp_wait 10 "both without quorum after the timeout" mp_all "0 1" state no-quorum
[ "$(mp_prompt 0)" = none ] || mp_fail "node 0 still shows a prompt"
grep -q "warn .*prompt timed out after 2 s: the prompt_timeout_s policy answered winner 1" \
    "$MP_DIR/node0.log" || mp_fail "node 0's log does not say the policy answered"
mp_ctl 0 history 20 | grep -q "prompt timed out after 2 s" ||
	mp_fail "node 0's history has no record of the timed-out prompt: $(mp_ctl 0 history 20)"
echo "ok"
