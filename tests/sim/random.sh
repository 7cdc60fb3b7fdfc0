#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The swarm in make check: 2700 seeds of 40 s and 300 seeds of 300 s of
# random faults on 2..16 nodes (the node count and each seed's mix of
# fault classes follow the seed), zero violations allowed; both cores.
# Under the sanitizers (BUILD=build-san) a tenth of each, so the check
# stays within its time; SIM_SEEDS / SIM_LONG_SEEDS override the counts.
set -u
CMM=${CMM:-build/cmm}
root=$(cd "$(dirname "$0")/../.." && pwd)
short=${SIM_SEEDS:-2700}
long=${SIM_LONG_SEEDS:-300}
case "${BUILD:-build}" in
*san*)	short=${SIM_SEEDS:-270}; long=${SIM_LONG_SEEDS:-30} ;;
esac
rc=0
CMM=$CMM SEEDS=$short FIRST=1 DURATION=40s sh "$root/scripts/swarm.sh" || rc=1
CMM=$CMM SEEDS=$long FIRST=500001 DURATION=300s sh "$root/scripts/swarm.sh" ||
    rc=1
exit "$rc"
