#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The hook program runs on commit, fence and no-quorum with the CMM_*
# environment (CMM_SEQ numbers a node's runs from 1 without gaps, CMM_TIME
# is ISO-8601 UTC within the test's run, CMM_CLUSTER the cluster's name);
# its exit code is logged.  SIGHUP reopens the logs
# and the node carries on.
. tests/mp/lib/mp.sh
mp_init hooks
cat >"$MP_DIR/hook.sh" <<HOOK
#!/bin/sh
echo "\$1 event=\$CMM_EVENT node=\$CMM_NODE epoch=\$CMM_EPOCH members=\$CMM_MEMBERS departed=\$CMM_DEPARTED joined=\$CMM_JOINED" >>"$MP_DIR/hook\$CMM_NODE.out"
echo "\$CMM_SEQ \$CMM_TIME \$CMM_CLUSTER \$1" >>"$MP_DIR/seq\$CMM_NODE.out"
exit 3
HOOK
chmod 755 "$MP_DIR/hook.sh"
mp_config 3 "hook = hook.sh" "winner = lowest"
t0=$(date -u +%s)
mp_device d02 "0 2"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
e=$(mp_get 0 epoch)

has() { # FILE LINE
	MP_WHY=$(tail -n 3 "$1" 2>/dev/null | tr '\n' '|')
	grep -qx "$2" "$1" 2>/dev/null
}
mp_wait 5 "commit hook on node 1" has "$MP_DIR/hook1.out" \
	"commit event=commit node=1 epoch=$e members=0,1,2 departed= joined=0,1,2"

mp_kill 2
mp_wait 10 "commit of 0,1" mp_all "0 1" members 0,1
mp_wait 5 "commit hook after the failure" has "$MP_DIR/hook0.out" \
	"commit event=commit node=0 epoch=$((e + 1)) members=0,1 departed=2 joined="
mp_wait 5 "fence hook on node 0" grep -q "^fence event=fence node=0 .*departed=2" \
	"$MP_DIR/hook0.out"
mp_wait 5 "hook exit code in the log" grep -q "hook commit (epoch $((e + 1))): exit 3 after" \
	"$MP_DIR/node0.log"

# winner = lowest: node 1 loses the race for the two-node cluster
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut"
mp_wait 10 "node 1 without quorum" mp_is 1 state no-quorum
mp_wait 5 "no-quorum hook on node 1" grep -q "^no-quorum event=no-quorum node=1 " \
	"$MP_DIR/hook1.out"

kill -HUP "$(mp_pid 0)"
mp_wait 5 "log reopened" grep -q "logs reopened" "$MP_DIR/node0.log"
mp_up 0 || mp_fail "node 0 died on SIGHUP"

# CMM_SEQ, CMM_TIME, CMM_CLUSTER (runs may end out of order: sort by seq)
t1=$(date -u +%s)
for i in 0 1; do
	f=$MP_DIR/seq$i.out
	n=$(wc -l <"$f")
	[ "$n" -ge 2 ] || mp_fail "node $i: only $n hook runs"
	sort -n "$f" | awk -v n="$n" -v c="mp-hooks" '
		$1 != NR { print "CMM_SEQ " $1 " where " NR " was due"; exit 1 }
		$3 != c { print "CMM_CLUSTER is \"" $3 "\""; exit 1 }
		$2 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]Z$/ {
			print "CMM_TIME \"" $2 "\" is not ISO-8601 UTC"; exit 1 }' >"$MP_DIR/why" ||
		mp_fail "node $i: $(cat "$MP_DIR/why"): $(sort -n "$f" | tr '\n' '/')"
	while read -r _ stamp _ _; do
		s=$(date -u -d "$stamp" +%s) || mp_fail "CMM_TIME $stamp unreadable"
		{ [ "$s" -ge "$t0" ] && [ "$s" -le "$t1" ]; } ||
			mp_fail "node $i: CMM_TIME $stamp outside the run ($t0..$t1)"
	done <"$f"
done
echo "ok"
