#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The rules for the files a node trusts, each refused at start with one
# line and exit code 2, the file an attacker pointed at left untouched:
# a group-writable or foreign state dir, a symlink as the state, a
# world-writable hook or hook directory, a FIFO as the key file (within a
# bounded time), an all-zero key, a key others may read, a key of another
# user.  A symlink planted as state.tmp or history is not followed by a
# node that starts.
. tests/mp/lib/mp.sh
mp_init file_rules
mp_config 3
ROOT=$(id -u)
[ "$ROOT" = 0 ] || echo "note: not root: the foreign-owner cases are not run"

# refuse NAME PATTERN [ARGS...]: node 0 exits 2 with one line matching
# PATTERN, within 10 s
refuse() {
	name=$1
	pat=$2
	shift 2
	t0=$(mp_now_ms)
	out=$(timeout -k 2 10 "$CMM" node --headless -c "$MP_CONF" --id 0 \
	    "$@" 2>&1 </dev/null)
	rc=$?
	ms=$(( $(mp_now_ms) - t0 ))
	lines=$(printf '%s\n' "$out" | wc -l)
	[ "$rc" = 2 ] || mp_fail "$name: exit $rc after $ms ms, want 2: $out"
	[ "$lines" = 1 ] || mp_fail "$name: $lines lines, want one: $out"
	case "$out" in
	*"$pat"*) echo "ok   $name ($ms ms): $out" ;;
	*) mp_fail "$name: '$out' does not say '$pat'" ;;
	esac
}

victim=$MP_DIR/victim
echo precious >"$victim"
untouched() {
	[ "$(cat "$victim")" = precious ] || mp_fail "$1: the link's target was written"
}

# ---- the state dir ----
mkdir "$MP_DIR/state0"
chmod 770 "$MP_DIR/state0"
refuse group-writable-state-dir "$MP_DIR/state0: state dir is group-writable (mode 0770; chmod 700"
chmod 702 "$MP_DIR/state0"
refuse world-writable-state-dir "state dir is world-writable (mode 0702"
chmod 700 "$MP_DIR/state0"
if [ "$ROOT" = 0 ]; then
	chown 65534 "$MP_DIR/state0"
	refuse foreign-state-dir "state dir owned by uid 65534, not by this daemon's uid 0"
	chown 0 "$MP_DIR/state0"
fi

# ---- a symlink as the state file ----
ln -s "$victim" "$MP_DIR/state0/state"
refuse symlinked-state "$MP_DIR/state0/state: cannot read: Too many levels of symbolic links"
untouched symlinked-state
rm "$MP_DIR/state0/state"

# ---- the hook ----
mkdir "$MP_DIR/hooks"
printf '#!/bin/sh\nexit 0\n' >"$MP_DIR/hooks/hook.sh"
chmod 757 "$MP_DIR/hooks/hook.sh"
sed -i '/^\[cluster\]/a hook = hooks/hook.sh' "$MP_CONF"
refuse world-writable-hook "hook file $MP_DIR/hooks/hook.sh: world-writable (mode 0757)"
chmod 775 "$MP_DIR/hooks/hook.sh"
refuse group-writable-hook "hook file $MP_DIR/hooks/hook.sh: group-writable (mode 0775)"
chmod 755 "$MP_DIR/hooks/hook.sh"
chmod 777 "$MP_DIR/hooks"
refuse world-writable-hook-dir "hook directory $MP_DIR/hooks: world-writable (mode 0777)"
chmod 755 "$MP_DIR/hooks"

# ---- the key file ----
mv "$MP_DIR/key" "$MP_DIR/key.real"
mkfifo "$MP_DIR/key"
chmod 600 "$MP_DIR/key"
refuse fifo-key "key file $MP_DIR/key: not a regular file (a FIFO)"
[ "$ms" -lt 5000 ] || mp_fail "fifo-key: took $ms ms"
rm "$MP_DIR/key"
printf '%064d\n' 0 >"$MP_DIR/key"
chmod 600 "$MP_DIR/key"
refuse zero-key "key file $MP_DIR/key: the key is all zeros"
mv "$MP_DIR/key.real" "$MP_DIR/key"
chmod 640 "$MP_DIR/key"
refuse group-readable-key "key file $MP_DIR/key: mode 0640 lets group or others read or write it"
chmod 604 "$MP_DIR/key"
refuse world-readable-key "key file $MP_DIR/key: mode 0604 lets group or others read or write it"
chmod 600 "$MP_DIR/key"
if [ "$ROOT" = 0 ]; then
	chown 65534 "$MP_DIR/key"
	refuse foreign-key "key file $MP_DIR/key: owned by uid 65534, not by this process's uid 0"
	chown 0 "$MP_DIR/key"
fi

# ---- links where a starting node creates files: not followed ----
ln -s "$victim" "$MP_DIR/state0/state.tmp"
ln -s "$victim" "$MP_DIR/state0/history"
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
untouched symlinked-state.tmp
untouched symlinked-history
[ -L "$MP_DIR/state0/state" ] && mp_fail "the state file is a link"
[ -f "$MP_DIR/state0/state" ] || mp_fail "no state file"
grep -q "history: $MP_DIR/state0/history: cannot open: Too many levels of symbolic links" \
	"$MP_DIR/node0.log" || mp_fail "the refused history link was not logged"
echo "ok   symlinked state.tmp and history: not followed, node 0 a member"
echo "ok"
