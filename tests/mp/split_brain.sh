#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The split-brain alarm, caused the one way left: two nodes without a
# shared device are cut apart and the operators on the two sides both
# answer "this node wins".  Each commits the next epoch alone; when the
# link heals, each sees the other's header carry another configuration for
# that epoch and raises the alarm: an error in the log, a split-brain
# record in the history, a split-brain hook run and a watch event.
. tests/mp/lib/mp.sh
mp_init split
cat >"$MP_DIR/hook.sh" <<HOOK
#!/bin/sh
echo "\$CMM_EVENT \$CMM_NODE \$CMM_EPOCH" >>"$MP_DIR/hook.out"
HOOK
chmod 755 "$MP_DIR/hook.sh"
mp_config 2 "hook = hook.sh"
mp_start_all "0 1"
mp_wait 15 "two-node cluster" mp_all "0 1" members 0,1
mp_wait 5 "both settled as members" mp_all "0 1" state member
e=$(mp_get 0 epoch)

"$CMM" ctl -s "$(mp_sock 0)" --json watch >"$MP_DIR/watch0" 2>&1 &
watch=$!
MP_PIDS="$MP_PIDS $watch"

winner_prompt() {
	[ "$(mp_prompt 0)" = winner ] && [ "$(mp_prompt 1)" = winner ]
}
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut refused"
mp_wait 10 "winner prompt on both nodes" winner_prompt
mp_ctl 0 answer winner 0 || mp_fail "answer refused by node 0"
mp_ctl 1 answer winner 1 || mp_fail "answer refused by node 1"
mp_wait 10 "node 0 alone" mp_is 0 members 0
mp_wait 10 "node 1 alone" mp_is 1 members 1
{ mp_is 0 epoch "$((e + 1))" && mp_is 1 epoch "$((e + 1))"; } ||
	mp_fail "the two sides are not at one epoch: $(mp_get 0 epoch), $(mp_get 1 epoch)"
echo "both sides committed epoch $((e + 1)) alone"

logged() { grep -q "$2" "$MP_DIR/node$1.log"; }
mp_ctl 0 link heal >/dev/null || mp_fail "link heal refused"
mp_wait 10 "the alarm on node 0" logged 0 "error.*SPLIT BRAIN: epoch $((e + 1))"
mp_wait 10 "the alarm on node 1" logged 1 "error.*SPLIT BRAIN: epoch $((e + 1))"
for i in 0 1; do
	mp_ctl "$i" history 20 | grep -q "split-brain" ||
		mp_fail "node $i has no split-brain record in its history"
	mp_wait 5 "the split-brain hook on node $i" \
	    grep -q "^split-brain $i $((e + 1))" "$MP_DIR/hook.out"
done
mp_wait 5 "the alarm in node 0's watch stream" \
    grep -q '"type":"split-brain"' "$MP_DIR/watch0"
echo "alarm: log, history, hook and watch on both nodes"
mp_wait 10 "one cluster again" mp_all "0 1" members 0,1
echo "ok"
