#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages cmm needs, only those that are missing.
# As root it runs apt-get itself (update first: a fresh machine has empty
# package lists); otherwise it prints the exact command and fails.
set -eu

PKGS="make gcc pkg-config libevent-dev libncurses-dev libreadline-dev \
libcmocka-dev libsodium-dev libinih-dev libjansson-dev tmux iproute2 procps \
spin python3"
[ $# -gt 0 ] && PKGS="$PKGS $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "cmm: missing Debian packages:$missing" >&2
	echo "cmm: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "cmm: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
