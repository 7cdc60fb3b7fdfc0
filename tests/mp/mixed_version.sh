#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A rolling upgrade: two binaries of different wire protocol versions run in
# one cluster (docs/PROTOCOL.md "Wire v2").  The older one is this source built
# with -DCMM_WIRE_VMAX_OVERRIDE=3 into its own temp dir; nodes 1 and 3 run
# it, 0 and 2 the binary under test.  The four form one cluster, every
# node's `nodes --json` shows each peer's protocol range (and the newer
# nodes write the version 4 extension to each other only), no datagram is
# dropped for its version; killing node 3 (the crown prince, an old one:
# too old to answer fast_fail's probes, so the new nodes wait for the
# timeout) gives one failover commit, the same everywhere.
. tests/mp/lib/mp.sh
mp_init mixed
OLD=$MP_DIR/old/cmm
NEW=$CMM

# the previous protocol version: the same source, one version less
echo "building the protocol-3 binary in $MP_DIR/old"
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 240 make -s -j2 \
    BUILD="$MP_DIR/old" CC="cc -DCMM_WIRE_VMAX_OVERRIDE=3" "$OLD" \
    >"$MP_DIR/old-build.log" 2>&1; then
	tail -n 20 "$MP_DIR/old-build.log"
	mp_fail "cannot build the protocol-3 binary"
fi
"$OLD" --version | grep -qx 'protocol 3..3' ||
	mp_fail "the old binary says: $("$OLD" --version | tr '\n' ' ')"
"$NEW" --version | grep -qx 'protocol 3..5' ||
	mp_fail "the new binary says: $("$NEW" --version | tr '\n' ' ')"
"$NEW" --version | grep -q '^build .' || mp_fail "no build line"

mp_config 4
# mp_spawn runs $CMM: the old binary for the odd ids
spawn_as() { # BINARY ID
	CMM=$1
	mp_spawn "$2"
	CMM=$NEW
}
for i in 0 1 2 3; do
	if [ $((i % 2)) = 1 ]; then spawn_as "$OLD" "$i"; else spawn_as "$NEW" "$i"; fi
done
for i in 0 1 2 3; do
	mp_wait 10 "node $i to answer on its socket" mp_up "$i"
done
mp_wait 20 "a four-node cluster of two versions" mp_all "0 1 2 3" members 0,1,2,3
mp_wait 5 "all four members" mp_all "0 1 2 3" state member
e=$(mp_get 0 epoch)

# one peer's object of `nodes --json` on node ID
peer_json() { # ID PEER
	mp_ctl "$1" --json nodes | sed 's/"id":/\n"id":/g' | grep "^\"id\":$2,"
}
range_of() { # ID: what its peers must show
	if [ $(($1 % 2)) = 1 ]; then echo '\[3,3\]'; else echo '\[3,5\]'; fi
}
for i in 0 1 2 3; do
	for p in 0 1 2 3; do
		[ "$i" = "$p" ] && continue
		j=$(peer_json "$i" "$p")
		printf '%s\n' "$j" | grep -q "\"protocol\":$(range_of "$p")" ||
			mp_fail "node $i shows peer $p as: $j"
		printf '%s\n' "$j" | grep -q '"config":"match"' ||
			mp_fail "node $i: peer $p's config: $j"
	done
done
# the version 4 extension (config_version) travels only between new nodes
peer_json 0 2 | grep -q '"config_version":1' ||
	mp_fail "node 0 did not get version 4 from node 2: $(peer_json 0 2)"
peer_json 0 1 | grep -q '"config_version":null' ||
	mp_fail "node 0 reads an extension from old node 1: $(peer_json 0 1)"
peer_json 1 0 | grep -q '"config_version":null' ||
	mp_fail "old node 1 reads an extension: $(peer_json 1 0)"
echo "formed at epoch $e; ranges and extensions as expected"

# failover across versions: the crown prince (3, an old binary) dies
mp_kill 3
mp_wait 10 "the survivors' commit of 0,1,2" mp_all "0 1 2" members 0,1,2
for i in 0 1 2; do
	got=$(mp_get "$i" epoch)
	[ "$got" = $((e + 1)) ] ||
		mp_fail "node $i is at epoch $got after one failure, want $((e + 1))"
	[ "$(mp_get "$i" version)" = 0 ] ||
		mp_fail "node $i dropped datagrams for their version"
done
mp_all "0 1 2" state member || mp_fail "a survivor is not a member"
echo "ok: one failover commit (epoch $((e + 1))) on both versions"
