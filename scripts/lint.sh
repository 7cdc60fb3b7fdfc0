#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make lint`: cppcheck and clang-tidy over the C sources (util/ quorum/
# net/ src/ ui/) with the checked-in configurations, and shellcheck over
# every shell script in the tree; fails on any finding.
#   scripts/cppcheck.supp    cppcheck suppressions (house style, and known
#                            findings waiting for their owner, by file)
#   .clang-tidy              which clang-tidy checks run
#   scripts/clang-tidy.known "CHECK FILE" pairs still to fix, by file
# A suppression names a file, never a line, so a new finding of the same
# kind elsewhere still fails.  A shellcheck finding is fixed, or disabled
# on its line with a reason after the directive.  LINT_JOBS sets
# clang-tidy's parallelism; LINT_FILES="src/x.c ..." lints only those C
# files.
set -u
dirs="util quorum net src ui"
pkgs="libevent libsodium inih ncursesw readline jansson"
jobs=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmm-lint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0

# shellcheck disable=SC2086 # lists of files and dirs
files=$(printf '%s\n' ${LINT_FILES:-$(find $dirs -name '*.c' | sort)})
# the Makefile's flags, so both tools see what the compiler sees
# shellcheck disable=SC2086 # pkg-config's flags are words
flags="-std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Wshadow -Wstrict-prototypes
-Wmissing-prototypes -Wno-unused-parameter $(pkg-config --cflags $pkgs 2>/dev/null)"

echo "lint: cppcheck $(cppcheck --version | sed 's/^Cppcheck //') on $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086 # a list of files
if ! cppcheck --quiet --std=c11 -D_GNU_SOURCE -I. -j "$jobs" \
    --enable=warning,style,performance,portability --inline-suppr \
    --suppressions-list=scripts/cppcheck.supp --error-exitcode=1 \
    --template='{file}:{line}: cppcheck {severity}: {message} [{id}]' \
    $files >"$tmp/cppcheck" 2>&1; then
	cat "$tmp/cppcheck"
	echo "lint: cppcheck: $(grep -c ': cppcheck ' "$tmp/cppcheck") finding(s)"
	rc=1
fi

echo "lint: $(clang-tidy --version | sed -n 's/.*LLVM version /clang-tidy /p') on the same files ($jobs jobs)"
# one file per process; the diagnostics are filtered below
# shellcheck disable=SC2016 # $1..$3 are the inner shell's
echo "$files" | xargs -P "$jobs" -I{} sh -c \
    'clang-tidy --quiet "$1" -- $2 >"$3/$(echo "$1" | tr / _).tidy" 2>&1' \
    sh {} "$flags" "$tmp"
cat "$tmp"/*.tidy >"$tmp/tidy.all" 2>/dev/null
# keep "FILE:LINE:COL: warning|error: TEXT [CHECK...]" lines, paths relative
sed -n "s|^$(pwd)/||; /^[^ ]*:[0-9]*:[0-9]*: \(warning\|error\): .*\]\$/p" \
    "$tmp/tidy.all" | sort -u >"$tmp/tidy.found"
grep -v '^[[:space:]]*\(#\|$\)' scripts/clang-tidy.known 2>/dev/null |
    awk '{ print $1 " " $2 }' >"$tmp/known"
: >"$tmp/tidy.new"
while IFS= read -r line; do
	file=${line%%:*}
	check=$(printf '%s\n' "$line" | sed 's/.*\[\([^],]*\)[],].*/\1/')
	grep -qx "$check $file" "$tmp/known" || printf '%s\n' "$line" >>"$tmp/tidy.new"
done <"$tmp/tidy.found"
if [ -s "$tmp/tidy.new" ]; then
	cat "$tmp/tidy.new"
	echo "lint: clang-tidy: $(wc -l <"$tmp/tidy.new") finding(s)"
	rc=1
fi
# a clang-tidy that could not parse a file is a failure too
if grep -q 'error: .*\[clang-diagnostic-error\]\|Error while processing' "$tmp/tidy.all"; then
	grep 'clang-diagnostic-error\|Error while processing' "$tmp/tidy.all" | head
	rc=1
fi

# every shell script: *.sh, and any file whose first line runs sh or bash
# (.ci/run); the sourced libraries have no #! line and are checked as sh.
# -x follows `. tests/mp/lib/mp.sh` from the top of the tree.
find . \( -name .git -o -name 'build*' \) -prune -o -type f -print |
    sed 's|^\./||' | sort | while IFS= read -r f; do
	case "$f" in
	*.sh) echo "$f" ;;
	*.c | *.h | *.o | *.a | *.png | *.json | *.md | *.sim | *.trace) ;;
	*) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*(/|env )(ba|da)?sh( |$)' &&
	    echo "$f" ;;
	esac
done >"$tmp/scripts"
echo "lint: $(shellcheck --version | sed -n 's/^version: /shellcheck /p') on $(wc -l <"$tmp/scripts") shell scripts"
# shellcheck disable=SC2046 # file names without spaces, one a line
if ! shellcheck -x -s sh -f gcc $(cat "$tmp/scripts") >"$tmp/shellcheck" 2>&1; then
	cat "$tmp/shellcheck"
	echo "lint: shellcheck: $(grep -c ': \(error\|warning\|note\|style\): ' "$tmp/shellcheck") finding(s)"
	rc=1
fi
[ "$rc" -eq 0 ] && echo "lint: clean ($(grep -c . "$tmp/known") known clang-tidy finding(s) waiting in scripts/clang-tidy.known)"
exit "$rc"
