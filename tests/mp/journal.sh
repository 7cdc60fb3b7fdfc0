#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Log lines carry their syslog priority ("<3>" error ... "<7>" debug) when
# stderr is the journal, that is when $JOURNAL_STREAM is stderr's
# DEVICE:INODE (cmm(1), "SYSTEMD"), so `journalctl -p err` finds errors.
#   node 0: JOURNAL_STREAM names its log file -> prefixes
#   node 1: no JOURNAL_STREAM -> none
#   node 2: JOURNAL_STREAM names another file -> none
# A NOTIFY_SOCKET the daemon cannot use gives each node an error line, and
# a fault-injection link cut a warning.
. tests/mp/lib/mp.sh
mp_init journal
mp_config 3
for i in 0 1 2; do
	: >"$MP_DIR/node$i.log"
done
: >"$MP_DIR/other"
export NOTIFY_SOCKET=not-a-socket-path
JOURNAL_STREAM=$(stat -c %d:%i "$MP_DIR/node0.log") || mp_fail "stat"
export JOURNAL_STREAM
mp_spawn 0
unset JOURNAL_STREAM
mp_spawn 1
JOURNAL_STREAM=$(stat -c %d:%i "$MP_DIR/other") || mp_fail "stat"
export JOURNAL_STREAM
mp_spawn 2
unset JOURNAL_STREAM NOTIFY_SOCKET
for i in 0 1 2; do
	mp_wait 10 "node $i to answer on its socket" mp_up "$i"
done
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
for i in 0 1 2; do
	mp_ctl "$i" link cut "$(( (i + 1) % 3 ))" >/dev/null || mp_fail "link cut on $i"
done

has() { # FILE PATTERN
	grep -q "$2" "$1"
}
mp_wait 5 "the warning on node 0" has "$MP_DIR/node0.log" "^<4>.* warn  node 0: fault injection"
grep -q '^<3>.* error node 0: systemd notify: NOTIFY_SOCKET' "$MP_DIR/node0.log" ||
	mp_fail "no <3> error line on node 0"
grep -q '^<6>.* info  node 0: node 0 started' "$MP_DIR/node0.log" ||
	mp_fail "no <6> info line on node 0"
# every line of node 0 has one, and the one that matches its level
bad=$(grep -v -e '^<3>[^ ]* error ' -e '^<4>[^ ]* warn  ' -e '^<6>[^ ]* info  ' \
	-e '^<7>[^ ]* debug ' "$MP_DIR/node0.log" | head -n 3)
[ -z "$bad" ] || mp_fail "node 0 lines without their priority: $bad"
for i in 1 2; do
	mp_wait 5 "the warning on node $i" has "$MP_DIR/node$i.log" "node $i: fault injection"
	grep -q "error node $i: systemd notify: NOTIFY_SOCKET" "$MP_DIR/node$i.log" ||
		mp_fail "no error line on node $i"
	grep -q '^<' "$MP_DIR/node$i.log" &&
		mp_fail "node $i has priority prefixes though stderr is not the journal"
done
echo "ok"
