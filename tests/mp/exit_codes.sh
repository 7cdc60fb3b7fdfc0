#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGTERM and SIGINT: the node leaves gracefully (its LEAVE lets the others
# reconfigure at once, without waiting for the failure timeout) and exits
# 0.  on_quorum_loss = halt: a node that loses quorum exits with code 3,
# after its no-quorum hook ran.
. tests/mp/lib/mp.sh
mp_init exit
cat >"$MP_DIR/hook.sh" <<HOOK
#!/bin/sh
sleep 0.3
echo "\$CMM_EVENT \$CMM_NODE" >>"$MP_DIR/hook.out"
HOOK
chmod 755 "$MP_DIR/hook.sh"
mp_config 4 "on_quorum_loss = halt" "winner = lowest" "hook = hook.sh"
mp_start_all "0 1 2 3"
mp_wait 15 "four-node cluster" mp_all "0 1 2 3" members 0,1,2,3
mp_wait 5 "all settled" mp_all "0 1 2 3" state member

# stop SIG ID: the node must be gone, exit 0, within 5 s
stop() {
	pid=$(mp_pid "$2")
	kill "-$1" "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -gt 50 ] && mp_fail "node $2 still runs 5 s after SIG$1"
		sleep 0.1
	done
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || mp_fail "node $2 exited $rc after SIG$1, want 0"
	grep -q "leaving the cluster" "$MP_DIR/node$2.log" ||
		mp_fail "node $2 did not leave before exiting"
}
stop TERM 3
mp_wait 5 "reconfiguration after the leave" mp_all "0 1 2" members 0,1,2
grep -q "node 3 failed" "$MP_DIR/node0.log" &&
	mp_fail "node 0 waited for the failure detector instead of the LEAVE"
echo "SIGTERM: node 3 left, exit 0"
stop INT 2
mp_wait 5 "reconfiguration after the second leave" mp_all "0 1" members 0,1
echo "SIGINT: node 2 left, exit 0"

# a two-node split without a device: winner = lowest, so node 1 halts
mp_ctl 0 link cut 1 >/dev/null || mp_fail "link cut"
pid=$(mp_pid 1)
n=0
while kill -0 "$pid" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -gt 100 ] && mp_fail "node 1 did not halt within 10 s"
	sleep 0.1
done
wait "$pid"
rc=$?
[ "$rc" = 3 ] || mp_fail "node 1 exited $rc on quorum loss with halt, want 3"
mp_wait 5 "node 0 alone" mp_is 0 members 0
grep -qx "no-quorum 1" "$MP_DIR/hook.out" ||
	mp_fail "node 1 halted without running its no-quorum hook"
echo "halt: node 1 ran its no-quorum hook and exited 3"
echo "ok"
