#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Seeds that made the first round design commit two configurations for one
# epoch (300 s of random faults), kept as regression tests of round v2;
# and 12000526:3, where every formation round lost its PROMISEs and each
# node took the policy's "isolated" while hearing the other two: none
# formed again after the heal (isolation-lost-promises.sim is the small
# form of it); 500102:4, where the lone member chose a configuration
# without itself and crashed (random mode must not keep it dead: nobody
# else knew the configuration), and 40002586:3, where a node still leaving
# at the heal finished its leave after both of random mode's fixed join
# tries (it now tries until the leave has ended).  They run with the fault
# model they were recorded under (--no-power-cuts): a power cut changes
# the run from its first one on, and the path that found the fault with
# it.  tests/sim/powercut.sh runs seeds with power cuts.
set -u
CMM=${CMM:-build/cmm}
fail=0
for sn in 900046:6 900129:4 900204:4 900391:4 900427:5 12000526:3 \
    500102:4 40002586:3; do
	seed=${sn%:*}
	nodes=${sn#*:}
	out=$("$CMM" sim --seed "$seed" --nodes "$nodes" --random-faults \
	    --duration 300s --quiet --no-power-cuts 2>&1)
	rc=$?
	echo "$out" | tail -n 1
	if [ "$rc" -ne 0 ]; then
		echo "$out" | grep '^VIOLATION'
		fail=1
	fi
done
exit "$fail"
