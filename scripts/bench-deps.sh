#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make bench-deps` (and the start of `make bench`): what the benchmark uses
# beyond the build, installed only when missing and only here, never by
# `make deps` or `make check`:
#   gnuplot-nox   bench/latency.png
#   corosync      bench/corosync.sh, cmm beside Corosync (the bench starts
#                 its own daemons in network namespaces; it never uses the
#                 system's Corosync service)
# As root the missing ones are installed with apt-get (scripts/deps.sh:
# apt-get update first).  Otherwise it says what is missing and which
# parts of the bench will be skipped, and exits 0: the bench runs without
# them.  The build packages are required either way.
set -u
sh scripts/deps.sh build || exit 1
if [ "$(id -u)" = 0 ]; then
	sh scripts/deps.sh build gnuplot-nox corosync
	exit
fi
for p in gnuplot-nox corosync; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' &&
	    continue
	case "$p" in
	corosync) what="the Corosync comparison (bench/corosync.sh)" ;;
	*) what="the plot (bench/latency.png)" ;;
	esac
	echo "cmm: $p is not installed: $what will be skipped" \
	    "(as root: make bench-deps)" >&2
done
exit 0
