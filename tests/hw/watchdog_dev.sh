#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A real watchdog device (softdog will do): a one-node cluster arms
# /dev/watchdog with a long timeout (600 s), status says it is a device,
# armed and petted, the kernel says it runs with that timeout; SIGTERM
# disarms it with the magic close and the kernel says it stopped.
# Skipped (77) without root, without /dev/watchdog, when another program
# holds it, or when the driver ignores the magic close (nowayout): a test
# must never reset the machine it runs on.  Run by `make hwtest`, not by
# `make check`: a check must not arm the hardware of the machine it runs on.
. tests/mp/lib/mp.sh
mp_init watchdog_dev
[ "$(id -u)" -eq 0 ] || mp_skip "not root"
[ -c /dev/watchdog ] || mp_skip "no /dev/watchdog (load softdog to run this test)"
sys=/sys/class/watchdog/watchdog0
[ -r "$sys/state" ] || mp_skip "no $sys/state to check the device with"
[ "$(cat "$sys/state")" = inactive ] ||
    mp_skip "/dev/watchdog is active: another program holds it"
if [ -r "$sys/nowayout" ] && [ "$(cat "$sys/nowayout")" != 0 ]; then
	mp_skip "the watchdog driver has nowayout set: it could not be disarmed"
fi

mp_config 1 "isolation = not-isolated" "watchdog = /dev/watchdog" \
    "watchdog_timeout_s = 600"
mp_start 0
mp_wait 15 "node 0 a member" mp_is 0 quorum true
mp_wait 5 "the watchdog petted" sh -c "'$CMM' ctl -s '$(mp_sock 0)' --json status | grep -q '\"kind\":\"device\",\"timeout_s\":600,\"interval_ms\":[0-9]*,\"armed\":true,\"petting\":true'"
[ "$(cat "$sys/state")" = active ] || mp_fail "the kernel says $(cat "$sys/state"), not active"
if [ -r "$sys/timeout" ]; then
	[ "$(cat "$sys/timeout")" = 600 ] || mp_fail "the kernel's timeout is $(cat "$sys/timeout")"
fi
echo "ok: armed with 600 s"

# a leave takes at most a few heartbeats (run.sh bounds the wait)
mp_kill 0 TERM
grep -q 'watchdog /dev/watchdog: disarmed' "$MP_DIR/node0.log" ||
    mp_fail "no 'disarmed' in the log"
[ "$(cat "$sys/state")" = inactive ] ||
    mp_fail "the kernel says the watchdog is $(cat "$sys/state") after the stop"
echo "ok: disarmed on SIGTERM"
echo "PASS"
