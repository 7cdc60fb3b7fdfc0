#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# An attacker without the key replays real datagrams across destinations
# (docs/PROTOCOL.md "Wire v2").  Three nodes on 127.0.0.1; nodes 1 and 2
# reach node 0 through a relay (tests/tools/udprelay.c: addresses are not
# in the config digest, so their config file names the relay as node 0)
# that forwards and records every datagram: heartbeats and round messages
# of nodes 1 and 2, and the probes of a `cmm check` that speaks as node 1
# from another address.  Then every recorded datagram is sent again,
# thousands of times in all, to node 1, node 2 and node 0 itself:
#  - the membership does not change (no new epoch, everyone a member, also
#    after a failure timeout);
#  - nodes 1 and 2 count every one as `misdirected`, node 0 as `replay`,
#    exactly;
#  - nothing is sent to the forged source address (the replayer's socket,
#    and the address `cmm check` probed from: probes are answered at the
#    configured address of the node they claim only);
#  - the logs stay short: one line per drop reason every few seconds.
. tests/mp/lib/mp.sh
mp_init replay
mp_tool udprelay
relay=$MP_TOOL
mp_config 3
RELAY_AT=127.0.0.1:$((MP_PORT + 10))
SPOOF_AT=127.0.0.1:$((MP_PORT + 11))
MAIN_CONF=$MP_CONF
VIA_RELAY=$MP_DIR/via-relay.conf
PROBE_CONF=$MP_DIR/probe.conf
sed "s/^address = 127.0.0.1:$MP_PORT\$/address = $RELAY_AT/" "$MAIN_CONF" \
    >"$VIA_RELAY"
sed "s/^address = 127.0.0.1:$((MP_PORT + 1))\$/address = $SPOOF_AT/" \
    "$VIA_RELAY" >"$PROBE_CONF"
{ grep -q "$RELAY_AT" "$VIA_RELAY" && grep -q "$SPOOF_AT" "$PROBE_CONF"; } ||
	mp_fail "could not write the relay configs"

"$relay" relay "$RELAY_AT" "127.0.0.1:$MP_PORT" "$MP_DIR/capture" \
    >"$MP_DIR/relay.log" 2>&1 &
MP_PIDS="$MP_PIDS $!"
mp_spawn 0
# node 0 must be up before the others send: a datagram the relay records
# but no socket took (node 0 not bound yet, as under load) is new to node
# 0 when replayed, and would be accepted once, not counted as a replay
mp_wait 10 "node 0 to answer on its socket" mp_up 0
MP_CONF=$VIA_RELAY
mp_spawn 1
mp_spawn 2
MP_CONF=$MAIN_CONF
for i in 1 2; do
	mp_wait 10 "node $i to answer on its socket" mp_up "$i"
done
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
mp_wait 5 "all settled" mp_all "0 1 2" state member
e=$(mp_get 0 epoch)
[ "$(mp_ctl 0 --json config | sed 's/.*"config_digest":"\([0-9a-f]*\)".*/\1/')" = \
    "$(mp_ctl 1 --json config | sed 's/.*"config_digest":"\([0-9a-f]*\)".*/\1/')" ] ||
	mp_fail "the relay config has another digest"

# probes, as node 1 from SPOOF_AT: answered, but at node 1's configured
# address only, so `cmm check` (listening at SPOOF_AT) hears nothing
out=$("$CMM" check -c "$PROBE_CONF" --id 1 --timeout 600 2>&1)
printf '%s\n' "$out"
for p in 0 2; do
	printf '%s\n' "$out" | grep -q "^FAIL peer $p .*no answer" ||
		mp_fail "peer $p answered the probe at its source address"
done
# (node 0 got them through the relay, node 2 straight from SPOOF_AT)
mp_wait 5 "node 0 to log the probes it answered" \
    grep -q "probe(s) answered, the last from $RELAY_AT as node 1" \
    "$MP_DIR/node0.log"
mp_wait 5 "node 2 to log the probes it answered" \
    grep -q "probe(s) answered, the last from $SPOOF_AT as node 1" \
    "$MP_DIR/node2.log"
sleep 1
cp "$MP_DIR/capture" "$MP_DIR/capture.snap"

before_0=$(mp_get 0 replay)
before_1=$(mp_get 1 misdirected)
before_2=$(mp_get 2 misdirected)
# a burst may overflow a receive buffer: those the kernel drops are
# counted as overflow, not lost from the count
ov0=$(mp_get 0 overflow); ov1=$(mp_get 1 overflow); ov2=$(mp_get 2 overflow)
lines_before=""
for i in 0 1 2; do
	lines_before="$lines_before $(wc -l <"$MP_DIR/node$i.log")"
done

# every recorded datagram, 40 rounds, to node 1, node 2 and node 0
res=$("$relay" replay "$MP_DIR/capture.snap" 40 100 \
    "127.0.0.1:$((MP_PORT + 1))" "127.0.0.1:$((MP_PORT + 2))" \
    "127.0.0.1:$MP_PORT") || mp_fail "replay failed: $res"
echo "$res"
n=$(printf '%s\n' "$res" | sed -n 's/.*(\([0-9]*\) recorded.*/\1/p')
sent=$(printf '%s\n' "$res" | sed -n 's/^sent \([0-9]*\) .*/\1/p')
per=$((n * 40))
[ "$sent" = $((per * 3)) ] || mp_fail "sent $sent, want $((per * 3))"
[ "$sent" -ge 3000 ] || mp_fail "only $sent datagrams replayed"
case "$res" in *"HEARTBEAT="*"PROBE="*) ;; *) mp_fail "no heartbeats and probes among the recorded: $res" ;; esac
case "$res" in *"; 0 came back") ;; *) mp_fail "a node answered the forged source: $res" ;; esac

counted() {
	a=$(( $(mp_get 0 replay) - before_0 + $(mp_get 0 overflow) - ov0 ))
	b=$(( $(mp_get 1 misdirected) - before_1 + $(mp_get 1 overflow) - ov1 ))
	c=$(( $(mp_get 2 misdirected) - before_2 + $(mp_get 2 overflow) - ov2 ))
	MP_WHY="replay (+overflow) at 0: $a, misdirected (+overflow) at 1: $b, at 2: $c, want $per each"
	[ "$a" = "$per" ] && [ "$b" = "$per" ] && [ "$c" = "$per" ]
}
mp_wait 10 "every replayed datagram counted" counted
echo "counted: $MP_WHY"

# the membership did not move, and does not after a failure timeout
check_members() {
	for i in 0 1 2; do
		mp_is "$i" members 0,1,2 || mp_fail "node $i members: $(mp_get "$i" members)"
		mp_is "$i" epoch "$e" || mp_fail "node $i epoch: $(mp_get "$i" epoch), was $e"
		mp_is "$i" state member || mp_fail "node $i is $(mp_get "$i" state)"
	done
}
check_members
sleep 2
check_members

# the logs: a few lines each, not one per datagram: the first drop of a
# reason at once, the rest as one count a few seconds later
mp_wait 8 "node 1's count of the rest" grep -q \
    "dropped [0-9]* datagrams (misdirected) since the last report" \
    "$MP_DIR/node1.log"
grep "dropped" "$MP_DIR/node1.log"
# shellcheck disable=SC2086 # one count per node, split on purpose
set -- $lines_before
for i in 0 1 2; do
	now=$(wc -l <"$MP_DIR/node$i.log")
	added=$((now - $1))
	shift
	echo "node $i: $added log lines during the replay"
	[ "$added" -le 12 ] || {
		tail -n 20 "$MP_DIR/node$i.log"
		mp_fail "node $i logged $added lines for $per dropped datagrams"
	}
done
echo "ok: $sent replayed datagrams, membership unchanged at epoch $e"
