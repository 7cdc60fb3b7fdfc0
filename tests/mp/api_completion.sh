#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Bash completion, generated from the command table (scripts/completion.sh):
# the script is valid bash, and completing in a real bash offers every
# subcommand, every first word of the table and the second words of the
# two-word commands, so a new row completes without anyone touching it.
# Also: every `cmm WORD` the sample configs quote is a real subcommand.
set -u
CMM=${CMM:-$(pwd)/build/cmm}
command -v bash >/dev/null 2>&1 || { echo "SKIP: bash is missing"; exit 77; }
T=$(mktemp -d /tmp/cmm-completion.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

sh scripts/completion.sh "$CMM" >"$T/cmm.bash" || fail "the generator failed"
bash -n "$T/cmm.bash" || fail "the generated script is not valid bash"

# offered WORD...: what completing the last word of `WORD...` offers
offered() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _cmm; printf "%s\n" "${COMPREPLY[@]}"' sh "$T/cmm.bash" "$@"
}
offered cmm "" >"$T/sub"
for s in ctl node check console demo keygen sim version --version; do
	grep -qx -- "$s" "$T/sub" || fail "'cmm <Tab>' does not offer $s: $(tr '\n' ' ' <"$T/sub")"
done
[ "$(offered cmm ct)" = ctl ] || fail "'cmm ct<Tab>' does not give ctl"
# the sample configs tell the reader to run real subcommands only
grep -ho '`cmm [a-z-]*' assets/*.conf | sed 's/^`cmm //' | sort -u |
    while read -r w; do
	grep -qx -- "$w" "$T/sub" ||
	    fail "assets/*.conf tells the reader to run 'cmm $w', which does not exist"
done || exit 1

"$CMM" ctl --local list-commands | cut -f 1 >"$T/table"
[ -s "$T/table" ] || fail "list-commands listed nothing"
offered cmm ctl -s x.sock "" >"$T/first"
cut -d ' ' -f 1 "$T/table" | sort -u | while read -r w; do
	grep -qx "$w" "$T/first" || fail "'cmm ctl -s S <Tab>' does not offer '$w'"
done || exit 1
grep -qx -- --json "$T/first" || fail "'cmm ctl -s S <Tab>' does not offer --json"
grep ' ' "$T/table" | while read -r w1 w2; do
	offered cmm ctl -c f.conf --id 1 --json "$w1" "" | grep -qx "$w2" ||
	    fail "'cmm ctl ... $w1 <Tab>' does not offer '$w2'"
done || exit 1
[ "$(offered cmm ctl -s x.sock answer win)" = winner ] ||
	fail "'cmm ctl -s S answer win<Tab>' does not give winner"
# after -s and -c come files
touch "$T/node0.sock"
offered cmm ctl -s "$T/node0" | grep -qx "$T/node0.sock" ||
	fail "'cmm ctl -s <Tab>' does not complete a file name"
echo "ok: $(wc -l <"$T/table") commands complete"
