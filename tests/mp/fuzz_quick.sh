#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The libFuzzer harnesses of tests/fuzz/ in `make check`: each
# replays its seed corpus (regression inputs included) and fuzzes for a few
# seconds with ASan and UBSan, about 25 s in all.  The harnesses are built
# with clang into build-fuzz/ (make fuzz-build FUZZ=1), whatever BUILD is;
# without clang's fuzzer runtime (libclang-rt-14-dev) the test is skipped
# with a message.  `make fuzz FUZZ_SECONDS=N` is the long run.
set -u
secs=${FUZZ_QUICK_SECONDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmm-fuzzq.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! command -v clang >/dev/null 2>&1 ||
    ! clang -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" \
    >"$tmp/probe.log" 2>&1; then
	echo "SKIP: clang with libFuzzer is missing (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi

# a parent make's jobserver is not ours; parallel `make check` runs share
# build-fuzz/, so its build is serialised
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p build-fuzz
if ! flock build-fuzz/.lock make -s -j2 FUZZ=1 CC=clang BUILD=build-fuzz \
    fuzz-build >"$tmp/build.log" 2>&1; then
	tail -n 20 "$tmp/build.log"
	echo "FAIL: cannot build the fuzz harnesses"
	exit 1
fi
FUZZ_SECONDS=$secs FUZZ_FRESH=1 flock build-fuzz/.lock \
    sh tests/fuzz/run.sh build-fuzz
