#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The hook program runs on commit, fence and no-quorum with the CMM_*
# environment; its exit code is logged.  SIGHUP reopens the logs
# and the node carries on.
. tests/mp/lib/mp.sh
mp_init hooks
cat >"$MP_DIR/hook.sh" <<HOOK
#!/bin/sh
echo "\$1 event=\$CMM_EVENT node=\$CMM_NODE epoch=\$CMM_EPOCH members=\$CMM_MEMBERS departed=\$CMM_DEPARTED joined=\$CMM_JOINED" >>"$MP_DIR/hook\$CMM_NODE.out"
exit 3
HOOK
chmod 755 "$MP_DIR/hook.sh"
mp_config 3 "hook = hook.sh" "winner = lowest"
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
echo "ok"
