#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make demo` until the daemon exists: the simulator runs the six-node
# FIG. 1 cluster through assets/scenarios/demo.sim (a join, a double
# failure, a 3/3 split) and this script narrates what happened.
#   sh scripts/demo.sh BINARY
set -u
BIN=${1:?usage: demo.sh BINARY}
root=$(cd "$(dirname "$0")/.." && pwd)
sc=$root/assets/scenarios/demo.sim
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

cat <<'TXT'
cmm demo: six nodes 0-5 in the ring of FIG. 1.  Neighbours share a quorum
device (d03 d35 d51 d14 d42 d20); priority = id, so node 5 is the crown
prince.  Everything below runs in the deterministic simulator: virtual
time, a virtual network, the real protocol core, checked after every event.
TXT

"$BIN" sim --script "$sc" --trace >"$tmp"
rc=$?

# Narration at the script's times, then the lines that matter: actions,
# the quorum decision and commit of each new epoch (once), fencing, nodes
# losing quorum, and the checks.
awk '
BEGIN {
	say[0]     = "0 s: nodes 0-3 start. 4 of 6 configured is a majority: they form the first cluster."
	say[4000]  = "4 s: nodes 4 and 5 start at once. They petition; the cluster takes both in one step."
	say[9000]  = "9 s: nodes 1 and 2 crash together. 4 of 6 is more than half: one step, and 1 and 2 are fenced off their devices."
	say[14000] = "14 s: nodes 1 and 2 restart with their disks and rejoin."
	say[19000] = "19 s: the network splits 0-2 | 3-5. Exactly half on each side: the side with the crown prince (5) keeps quorum (FIG. 9)."
	say[25000] = "25 s: the network heals. The three come back in one step."
	n = 0
	for (t in say) times[n++] = t + 0
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (times[j] < times[i]) { x = times[i]; times[i] = times[j]; times[j] = x }
	next_i = 0
}
{
	t = $1; gsub(/[\[]/, "", t); t += 0
	while (next_i < n && t >= times[next_i]) {
		print ""
		print "== " say[times[next_i]]
		next_i++
	}
}
/ sim: (start|restart|crash|partition|heal)/ { print "   " $0; next }
/ sim: expect/ { sub(/ sim: /, " check: "); print "   " $0; next }
/ sim: (FAILED|VIOLATION)/ { print "   " $0; next }
/: quorum: round/ {
	r = $0; sub(/.*round \(/, "", r); sub(/,.*/, "", r)
	if (!(r in qseen) && $0 !~ /no quorum/) { qseen[r] = 1; print "   " $0 }
	next
}
/: commit: commit epoch/ {
	e = $0; sub(/.*commit epoch /, "", e); sub(/:.*/, "", e)
	if (!(e in cseen)) { cseen[e] = 1; print "   " $0 }
	ncommit[e]++
	next
}
/: fence: / { print "   " $0; next }
/: no-quorum: / { print "   " $0; next }
' "$tmp"

echo
tail -n 2 "$tmp" | sed 's/^/   /'
if [ "$rc" -eq 0 ]; then
	echo "Every expectation held and no property was violated."
	echo "Try: $BIN sim --script $sc --trace   (the full trace)"
	echo "     $BIN sim --nodes 8 --seed 42 --random-faults --duration 30s"
else
	echo "The demo run FAILED (exit $rc): see the lines above."
fi
exit "$rc"
