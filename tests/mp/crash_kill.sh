#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Crash safety: SIGKILL a writer at random instants while it
# commits epochs the way a node does (proposal, device reservation, commit,
# history, then announce), through the real state module and file quorum
# device (tests/tools/crashdrv.c).  After every kill the state file and the
# history load, nothing announced is missing from the history, and the
# device file verifies.  CMM_CRASH_KILLS sets the number of kills (100 in
# `make check`, 1000 in `make crashtest`); CMM_CRASH_SEED replays a run.
. tests/mp/lib/mp.sh
mp_init crashkill
mp_tool crashdrv
kills=${CMM_CRASH_KILLS:-100}
seed=${CMM_CRASH_SEED:-$(( $$ * 7919 + $(date +%s) ))}
mkdir -p "$MP_DIR/node" || mp_fail "mkdir"
"$MP_TOOL" --dir "$MP_DIR/node" --kills "$kills" --seed "$seed" \
    --max-us 20000 || mp_fail "crash test failed (seed $seed; rerun with CMM_CRASH_SEED=$seed)"

# the checks catch the bug they are for: announcing before persisting
mkdir -p "$MP_DIR/planted" || mp_fail "mkdir"
if "$MP_TOOL" --dir "$MP_DIR/planted" --kills 60 --seed "$seed" \
    --max-us 20000 --plant >"$MP_DIR/planted.out" 2>&1; then
	cat "$MP_DIR/planted.out"
	mp_fail "announcing before the commit was persisted went unnoticed"
fi
echo "planted bug caught: $(grep '^FAIL' "$MP_DIR/planted.out")"
echo "ok"
