#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The dependency rule of docs/ARCHITECTURE.md: every #include "..." of the
# tree, checked against the folders it may reach.  Fails naming each
# include that crosses a forbidden edge.  (tests/core_noio.c proves the
# other half: the pure part links with libc alone.)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

# allowed DIR: the prefixes a file in DIR may include (space separated);
# every folder may include itself and util/ (the leaf of small helpers)
allowed() {
	case "$1" in
	util)		echo "util/" ;;
	quorum)		echo "quorum/ util/" ;;
	net)		echo "net/ quorum/ util/" ;;
	src/core)	echo "src/core/ net/wire.h quorum/ util/" ;;
	src/sim)	echo "src/sim/ src/core/ net/wire.h net/replay.h quorum/ util/" ;;
	src/node)	echo "src/node/ src/core/ net/ quorum/ util/" ;;
	src/ctl)	echo "src/ctl/ src/node/ src/core/ net/ quorum/ util/" ;;
	ui)		echo "ui/ src/ctl/ctl_proto.h util/" ;;
	src)		echo "*" ;;
	*)		echo "*" ;;
	esac
}

bad=0
n=0
for f in $(find util quorum net src ui -name '*.[ch]' 2>/dev/null | sort); do
	dir=$(dirname "$f")
	ok=$(allowed "$dir")
	[ "$ok" = "*" ] && continue
	# shellcheck disable=SC2013 # include names are single words
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		n=$((n + 1))
		hit=0
		for p in $ok; do
			case "$inc" in "$p"*) hit=1 ;; esac
		done
		if [ "$hit" = 0 ]; then
			echo "FAIL $f includes $inc: $dir/ may include only $ok"
			bad=$((bad + 1))
		fi
	done
done
# the pure part names no library beyond libc in its system includes
for f in $(find src/core src/sim quorum util -name '*.[ch]' 2>/dev/null | sort); do
	if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(event2?/|sodium|ncurses|curses|readline|jansson|ini\.h)' "$f"; then
		echo "FAIL $f includes a library header: the pure part is libc only"
		bad=$((bad + 1))
	fi
done
echo "layout: $n project includes checked, $bad across a forbidden edge"
[ "$bad" -eq 0 ]
