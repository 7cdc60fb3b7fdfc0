#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Bursts of authentic-looking datagrams at a node: every one is either
# read (and dropped as a replay) or counted as lost by the kernel
# (`overflow`, from SO_RXQ_OVFL), in status --json and in status.  First
# 300 at a running node; then 2000 while the node is stopped, so its
# receive buffer overflows for certain and the loss must be counted.
# The cluster is unchanged afterwards.  A node of a 17-node cluster sizes
# its receive buffer for a burst of all of them and says so at start.
. tests/mp/lib/mp.sh
mp_init udp_burst
mp_tool udpburst
BURST=$MP_TOOL
mp_config 3
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
epoch=$(mp_get 0 epoch)
grep -q "receive buffer: [0-9]* bytes (3 nodes)" "$MP_DIR/node0.log" ||
	mp_fail "the receive buffer is not reported at start"

counted() { # BEFORE_REPLAY BEFORE_OVERFLOW N: read + lost >= N
	s=$(mp_status 0)
	r=$(mp_json_field "$s" replay)
	o=$(mp_json_field "$s" overflow)
	{ [ -n "$r" ] && [ -n "$o" ]; } || { MP_WHY="no replay/overflow in $s"; return 1; }
	READ=$((r - $1))
	LOST=$((o - $2))
	MP_WHY="read $READ, lost $LOST of $3"
	[ $((READ + LOST)) -ge "$3" ]
}

s=$(mp_status 0)
r0=$(mp_json_field "$s" replay)
o0=$(mp_json_field "$s" overflow)
sent=$("$BURST" -c "$MP_CONF" --to 0 --as 1 --count 300) ||
	mp_fail "burst not sent: $sent"
mp_wait 5 "all 300 read or counted" counted "$r0" "$o0" 300
echo "burst of 300 at a running node: read $READ, lost and counted $LOST"
[ "$READ" -le 300 ] || mp_fail "read $READ of 300"

s=$(mp_status 0)
r0=$(mp_json_field "$s" replay)
o0=$(mp_json_field "$s" overflow)
kill -STOP "$(mp_pid 0)"
sent=$("$BURST" -c "$MP_CONF" --to 0 --as 1 --count 2000)
rc=$?
kill -CONT "$(mp_pid 0)"
[ "$rc" = 0 ] || mp_fail "burst not sent: $sent"
# the kernel's count comes with the next datagram it queues: a heartbeat
mp_wait 5 "all 2000 read or counted" counted "$r0" "$o0" 2000
echo "burst of 2000 at a stopped node: read $READ, lost and counted $LOST"
[ "$LOST" -gt 0 ] || mp_fail "a stopped node's buffer took 2000 datagrams?"
mp_ctl 0 status | grep -q "overflow [1-9]" || mp_fail "status text has no overflow"
mp_wait 5 "cluster unchanged" mp_all "0 1 2" members 0,1,2
[ "$(mp_get 0 epoch)" = "$epoch" ] || mp_fail "a new epoch after the bursts"

# 17 nodes want 2 * 17 * 8 * 1500 bytes, above the usual default
conf2=$MP_DIR/big.conf
{
	printf '[cluster]\nname = big\nkey_file = key\nstate_dir = big%%n\n'
	printf 'control_socket = big%%n.sock\n'
	i=0
	while [ $i -lt 17 ]; do
		printf '[node %d]\naddress = 127.0.0.1:%d\n' $i $((MP_PORT + 3 + i))
		i=$((i + 1))
	done
} >"$conf2"
"$CMM" node -c "$conf2" --id 0 --headless </dev/null >"$MP_DIR/big0.log" 2>&1 &
big=$!
MP_PIDS="$MP_PIDS $big"
mp_wait 10 "the big node's receive buffer line" grep -q "receive buffer:" \
	"$MP_DIR/big0.log"
line=$(grep "receive buffer:" "$MP_DIR/big0.log")
echo "17 nodes: ${line#*node 0: }"
case "$line" in
*"receive buffer: 408000 bytes (17 nodes)"*) ;;
*"the kernel capped it at "*", a burst of 17 nodes wants 408000"*) ;;
*) mp_fail "17 nodes: unexpected: $line" ;;
esac
kill "$big"
wait "$big" 2>/dev/null
echo "ok"
