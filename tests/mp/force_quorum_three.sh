#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# force-quorum on three nodes: SIGKILL two, the lone survivor has no
# quorum and says so once.  A LIST that leaves out a silent member is
# refused; after ten failure timeouts `status` offers the exact command
# (force_quorum_dead, no_quorum_ms in JSON); forced, the survivor commits
# {0} and is quorate, with a NOT FENCED warning (no device); the two come
# back and are taken in again.
. tests/mp/lib/mp.sh
mp_init fq3
mp_config 3 "heartbeat_ms = 100" "failure_timeout_ms = 500" \
    "round_timeout_ms = 300" "join_retry_ms = 500"
mp_start_all "0 1 2"
mp_wait 20 "three-node cluster" mp_all "0 1 2" members 0,1,2
mp_wait 5 "all three members" mp_all "0 1 2" state member
e=$(mp_get 0 epoch)
uid=$(id -u)
[ "$(mp_get 0 no_quorum_ms)" = null ] ||
	mp_fail "a quorate member reports no_quorum_ms $(mp_get 0 no_quorum_ms)"

kill -KILL "$(mp_pid 1)" "$(mp_pid 2)"
mp_wait 5 "node 0 without quorum" mp_is 0 state no-quorum
mp_ctl 0 status >/dev/null
[ $? -eq 3 ] || mp_fail "status does not exit 3 without quorum"

# every member not heard must be listed (once the detectors agree)
fq_partial() {
	out=$(mp_ctl 0 force-quorum dead 1 confirm 2>&1) &&
		mp_fail "force-quorum accepted with node 2 left out: $out"
	case "$out" in
	*"node 2 is missing too"*) return 0 ;;
	*"heard"*) MP_WHY=$out; return 1 ;;
	*) mp_fail "a partial LIST is refused for another reason: $out" ;;
	esac
}
mp_wait 3 "refusal of a partial LIST" fq_partial
echo "partial list refused: $out"

# the offer: after ten failure timeouts without quorum
mp_wait 10 "status offering force-quorum" mp_is 0 force_quorum_dead 1,2
nq=$(mp_get 0 no_quorum_ms)
[ "$nq" -ge 5000 ] || mp_fail "offered after $nq ms without quorum, before 5000"
mp_ctl 0 status | grep -q "force-quorum dead 1-2 confirm" ||
	mp_fail "status text does not offer the command: $(mp_ctl 0 status)"
n=$(grep -c "no quorum:" "$MP_DIR/node0.log")
[ "$n" -eq 1 ] || mp_fail "the loss of quorum was logged $n times, want once"

out=$(mp_ctl 0 force-quorum dead 1-2 confirm 2>&1) ||
	mp_fail "force-quorum refused: $out"
mp_wait 5 "{0} committed" mp_is 0 members 0
mp_wait 5 "node 0 quorate" mp_is 0 state member
[ "$(mp_get 0 epoch)" = $((e + 1)) ] ||
	mp_fail "node 0 is at epoch $(mp_get 0 epoch), want $((e + 1))"
mp_ctl 0 history 20 | grep "force-quorum dead 1-2" | grep -q "$uid" ||
	mp_fail "history lacks the force-quorum record with uid $uid"
# no device: nobody fenced the two, and the log says so as a warning
grep -q "warn .*NOT FENCED: {1-2}" "$MP_DIR/node0.log" ||
	mp_fail "no NOT FENCED warning for the unfenced departed {1-2}"
echo "forced: epoch $((e + 1)), members 0"

mp_start 1
mp_start 2
mp_wait 15 "the two taken back" mp_all "0 1 2" members 0,1,2
echo "ok"
