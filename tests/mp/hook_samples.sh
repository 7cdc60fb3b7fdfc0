#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The sample hooks of assets/hooks: log-event as a real cluster's hook
# (logger(1) replaced by a stub on PATH that records its arguments) logs
# a commit and, when node 1 (which shares no device) fails, not-fenced,
# each with its priority; run as the node runs it, it logs a fence;
# mail-event mails a fence and ignores a commit (mail(1) stubbed the same
# way).
. tests/mp/lib/mp.sh
mp_init hook_samples
mkdir "$MP_DIR/bin"
cat >"$MP_DIR/bin/logger" <<STUB
#!/bin/sh
echo "\$*" >>"$MP_DIR/logger.out"
STUB
cat >"$MP_DIR/bin/mail" <<STUB
#!/bin/sh
{ echo "args: \$*"; cat; } >>"$MP_DIR/mail.out"
STUB
cp assets/hooks/log-event assets/hooks/mail-event "$MP_DIR/"
chmod 755 "$MP_DIR/bin/logger" "$MP_DIR/bin/mail" "$MP_DIR/log-event" "$MP_DIR/mail-event"
PATH="$MP_DIR/bin:$PATH"
export PATH

mp_config 3 "hook = log-event"
mp_device d02 "0 2"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
e=$(mp_get 0 epoch)
has() { # FILE TEXT
	MP_WHY=$(tail -n 2 "$1" 2>/dev/null | tr '\n' '/')
	grep -qF -- "$2" "$1" 2>/dev/null
}
# who joined in that epoch depends on which two nodes formed first
mp_wait 5 "the commit logged" has "$MP_DIR/logger.out" \
	"-t cmm-hook -p daemon.info -- cluster mp-hook_samples node 0: commit epoch $e members {0,1,2} joined {0"
mp_kill 1
mp_wait 10 "commit of 0,2" mp_all "0 2" members 0,2
mp_wait 5 "not-fenced logged as a warning" has "$MP_DIR/logger.out" \
	"-t cmm-hook -p daemon.warning -- cluster mp-hook_samples node 0: not-fenced epoch $((e + 1)) members {0,2} departed {1}"
grep -F -- "node 0: fence " "$MP_DIR/logger.out" &&
	mp_fail "node 1 shares no device, yet a fence was logged"
(cd "$MP_DIR" && CMM_EVENT=fence CMM_CLUSTER=c CMM_NODE=0 CMM_EPOCH=9 \
	CMM_MEMBERS=0 CMM_DEPARTED=2 ./log-event fence) || mp_fail "log-event fence"
has "$MP_DIR/logger.out" "-t cmm-hook -p daemon.warning -- cluster c node 0: fence epoch 9 members {0} departed {2}" ||
	mp_fail "log-event fence: $(tail -n 1 "$MP_DIR/logger.out")"

# mail-event, run as the node runs it
CMM_EVENT=commit CMM_CLUSTER=c CMM_NODE=1 CMM_EPOCH=5 CMM_MEMBERS=0,1 \
	"$MP_DIR/mail-event" commit || mp_fail "mail-event commit failed"
[ -e "$MP_DIR/mail.out" ] && mp_fail "mail-event mailed a commit"
CMM_EVENT=fence CMM_CLUSTER=c CMM_NODE=1 CMM_EPOCH=6 CMM_MEMBERS=0,1 \
	CMM_DEPARTED=2 CMM_JOINED='' CMM_SEQ=4 CMM_TIME=2026-01-02T03:04:05.678Z \
	CMM_MAIL_TO=ops@example.org "$MP_DIR/mail-event" fence ||
	mp_fail "mail-event fence failed"
has "$MP_DIR/mail.out" "args: -s cmm c: node 1 fence (epoch 6) ops@example.org" ||
	mp_fail "mail-event: $(cat "$MP_DIR/mail.out")"
has "$MP_DIR/mail.out" "departed: 2" || mp_fail "mail-event body: $(cat "$MP_DIR/mail.out")"
echo "ok"
