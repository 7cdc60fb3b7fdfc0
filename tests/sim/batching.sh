#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The batched network (one event for the copies of a send that arrive at
# the same time, src/sim/sim_net.c) is the same run as the unbatched one
# (`--unbatched`, one event a copy): every scenario and a swarm of seeds
# at 2..16 nodes, faults on, give byte for byte the same trace, summary
# and trace hash both ways; and the batched queue really holds fewer
# events (else this test would compare a model with itself).
set -u
CMM=${CMM:-build/cmm}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

both() { # name args...: runs args batched and unbatched, compares
	name=$1
	shift
	"$CMM" sim "$@" >"$tmp/b" 2>&1
	rb=$?
	"$CMM" sim "$@" --unbatched >"$tmp/u" 2>&1
	ru=$?
	if [ "$rb" -ne "$ru" ] || ! cmp -s "$tmp/b" "$tmp/u"; then
		echo "FAIL $name: batched (exit $rb) and unbatched (exit $ru)" \
		    "differ:"
		diff "$tmp/b" "$tmp/u" | head -n 10
		fail=1
		return
	fi
	if ! grep -q 'trace-hash 0x' "$tmp/b"; then
		echo "FAIL $name: no trace hash in the output:"
		tail -n 5 "$tmp/b"
		fail=1
		return
	fi
	echo "ok   $name: $(grep -c . "$tmp/b") lines, same both ways"
}

n=0
for s in "$root"/assets/scenarios/*.sim; do
	both "scenario $(basename "$s" .sim)" --script "$s" --trace
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL no scenarios found"; fail=1; }

# every fault class (jitter spreads one send over several arrival times,
# duplicates put two copies in a batch), then the classes each seed draws
both "seeds 1..12, all faults" --seeds 1..12 --nodes 2..16 --faults all \
    --duration 6s --trace
both "seeds 13..24, drawn faults" --seeds 13..24 --nodes 2..16 \
    --random-faults --duration 6s --trace
both "seeds 25..28, jitter and duplicates" --seeds 25..28 --nodes 2..16 \
    --faults jitter,dup,loss,crash --duration 6s --trace

# the queue, no faults (no jitter): a broadcast is one event batched,
# n - 1 unbatched
q() { # extra args -> queued_events of one JSON run
	"$CMM" sim --seed 5 --nodes 16 --duration 3s --json \
	    "$@" 2>/dev/null | sed -n 's/.*"queued_events":\([0-9]*\).*/\1/p'
}
qb=$(q)
qu=$(q --unbatched)
if [ -z "$qb" ] || [ -z "$qu" ] || [ $((qb * 3)) -gt "$qu" ]; then
	echo "FAIL queued events: batched '$qb', unbatched '$qu'" \
	    "(want at most a third)"
	fail=1
else
	echo "ok   queued events at 16 nodes: $qb batched, $qu unbatched"
fi
exit "$fail"
