#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian packages cmm needs, in two groups:
#   build   what `make` needs to build cmm
#   test    build + what `make check` runs (so no test is skipped)
#   sh scripts/deps.sh [--check] [build|test] [PACKAGE...]
# Without --check it installs the missing ones: as root it runs apt-get
# (update first: a fresh machine has empty package lists); otherwise it
# prints the exact command and fails.  With --check it only says what is
# missing and the command (exit 1), and installs nothing: a plain `make`
# never changes the system.
set -eu

BUILD_PKGS="make gcc pkg-config libevent-dev libncurses-dev libreadline-dev \
libsodium-dev libinih-dev libjansson-dev"
TEST_PKGS="$BUILD_PKGS libcmocka-dev tmux iproute2 procps nftables jq valgrind \
clang libclang-rt-14-dev spin python3 python3-jsonschema python3-prometheus-client"

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
case "${1:-test}" in
build)	PKGS=$BUILD_PKGS; [ $# -gt 0 ] && shift ;;
test)	PKGS=$TEST_PKGS; [ $# -gt 0 ] && shift ;;
*)	PKGS=$BUILD_PKGS ;;
esac
[ $# -gt 0 ] && PKGS="$PKGS $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$check" = 1 ] || [ "$(id -u)" -ne 0 ]; then
	echo "cmm: missing Debian packages:$missing" >&2
	echo "cmm: to install them (as root): apt-get update && $cmd" >&2
	[ "$check" = 1 ] && echo "cmm: or run: make deps" >&2
	exit 1
fi
echo "cmm: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # a list of packages
apt-get install -y -qq --no-install-recommends $missing >/dev/null
