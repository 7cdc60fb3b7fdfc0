# SPDX-License-Identifier: GPL-3.0-or-later
# part.sh: sourced by the real-partition tests (tests/mp/part_*.sh), on top
# of mp.sh.  Every node runs in its own network namespace, joined by a veth
# pair to a bridge in one more namespace; addresses are 10.231.0.0/24, used
# only inside those namespaces.  Faults are made inside the node namespaces
# with nftables (drop rules), `ip link` and `tc netem`; nothing is touched in
# the host's namespace.  Every node's `watch --json` stream is recorded and
# checked at the end (agreement per epoch, rising epochs, no two disjoint
# clusters held at one time).
#
#   part_init NAME            mp_init + root/ip/nft checks (skip if not root)
#   part_net N                bridge + N node namespaces (all removed at exit)
#   part_config N [LINE...]   cluster config with the namespace addresses
#   part_spawn ID             start node ID inside its namespace
#   part_watch ID             record node ID's `watch --json` (appends)
#   part_block ID "FROM..."   node ID drops every packet from those nodes
#   part_unblock ID           remove node ID's drop rules
#   part_split "A.." "B.."    the bridge drops all between the groups
#   part_heal                 remove the bridge's drop rules (atomic)
#   part_check_streams        the stream assertions; mp_fail on a violation
#   part_commits              number of commit events in all streams
set -u
. tests/mp/lib/mp.sh

part_init() {
	mp_init "$1"
	if [ "$(id -u)" != 0 ]; then
		mp_skip "needs root for network namespaces"
	fi
	for tool in ip nft jq; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			mp_skip "no $tool command"
		fi
	done
	PART_TAG=cmmp$$
	PART_NS=""
}

part_ns() {
	echo "${PART_TAG}n$1"
}

part_addr() {
	echo "10.231.0.$((10 + $1))"
}

# namespaces go after the nodes are dead (mp_cleanup runs this last)
part_cleanup_ns() {
	for ns in $PART_NS; do
		ip netns del "$ns" 2>/dev/null
	done
}

part_net() {
	n=$1
	br=${PART_TAG}br
	mp_at_exit part_cleanup_ns
	PART_NS=$br
	if ! ip netns add "$br" 2>"$MP_DIR/netns.err"; then
		mp_skip "cannot create a network namespace: $(cat "$MP_DIR/netns.err")"
	fi
	ip -n "$br" link add br0 type bridge || mp_fail "bridge"
	ip -n "$br" link set br0 up || mp_fail "bridge up"
	i=0
	while [ "$i" -lt "$n" ]; do
		ns=$(part_ns "$i")
		ip netns add "$ns" || mp_fail "netns add $ns"
		PART_NS="$PART_NS $ns"
		ip -n "$ns" link add eth0 type veth peer name b$i netns "$br" ||
		    mp_fail "veth for $ns"
		ip -n "$ns" addr add "$(part_addr "$i")/24" dev eth0 ||
		    mp_fail "addr in $ns"
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up || mp_fail "eth0 up in $ns"
		ip -n "$br" link set b$i master br0 || mp_fail "b$i into the bridge"
		ip -n "$br" link set b$i up || mp_fail "b$i up"
		i=$((i + 1))
	done
}

part_config() {
	n=$1
	shift
	"$CMM" keygen "$MP_DIR/key" >/dev/null || mp_fail "keygen"
	{
		echo "[cluster]"
		echo "name = part-$MP_NAME"
		echo "key_file = key"
		echo "state_dir = state%n"
		echo "control_socket = node%n.sock"
		for line in "$@"; do
			echo "$line"
		done
		i=0
		while [ "$i" -lt "$n" ]; do
			echo "[node $i]"
			echo "address = $(part_addr "$i"):7400"
			i=$((i + 1))
		done
	} >"$MP_CONF"
}

part_spawn() {
	ip netns exec "$(part_ns "$1")" "$CMM" node -c "$MP_CONF" --id "$1" \
	    --headless </dev/null >>"$MP_DIR/node$1.log" 2>&1 &
	echo $! >"$MP_DIR/pid$1"
	MP_PIDS="$MP_PIDS $!"
}

# the control socket is a file, so the stream is read from the host side
part_watch() {
	: >"$MP_DIR/watch$1.err"
	"$CMM" ctl -s "$(mp_sock "$1")" --json watch >>"$MP_DIR/watch$1.jsonl" \
	    2>"$MP_DIR/watch$1.err" &
	MP_PIDS="$MP_PIDS $!"
	mp_wait 10 "watch stream of node $1" grep -q watching "$MP_DIR/watch$1.err"
}

part_start_all() { # "IDS": start together, then sockets and streams
	for i in $1; do
		part_spawn "$i"
	done
	for i in $1; do
		mp_wait 10 "node $i to answer on its socket" mp_up "$i"
		part_watch "$i"
	done
}

# part_nft ID SCRIPT: nft inside node ID's namespace (nft has no -n flag)
part_nft() { # ID SCRIPT
	printf '%s\n' "$2" | ip netns exec "$(part_ns "$1")" nft -f - ||
	    mp_fail "nft in the namespace of node $1"
}

# part_block ID "FROM...": node ID's input drops packets from those nodes
part_block() {
	set=""
	for j in $2; do
		set="$set${set:+, }$(part_addr "$j")"
	done
	part_nft "$1" "add table inet cmmpart
add chain inet cmmpart in { type filter hook input priority 0; policy accept; }
add rule inet cmmpart in ip saddr { $set } drop"
}

# part_split "A..." "B...": the bridge forwards nothing between the two
# groups (one nftables table in the bridge's namespace, so the cut and the
# heal are each one atomic ruleset change for every node at once)
part_split() {
	a="" b=""
	for j in $1; do a="$a${a:+, }$(part_addr "$j")"; done
	for j in $2; do b="$b${b:+, }$(part_addr "$j")"; done
	printf '%s\n' "add table bridge cmmpart
add chain bridge cmmpart cut { type filter hook forward priority 0; policy accept; }
add rule bridge cmmpart cut ip saddr { $a } ip daddr { $b } drop
add rule bridge cmmpart cut ip saddr { $b } ip daddr { $a } drop" |
	    ip netns exec "${PART_TAG}br" nft -f - || mp_fail "nft split in the bridge"
}

part_heal() {
	ip netns exec "${PART_TAG}br" nft delete table bridge cmmpart ||
	    mp_fail "nft heal in the bridge"
}

part_unblock() {
	part_nft "$1" "delete table inet cmmpart"
}

part_streams() {
	cat "$MP_DIR"/watch*.jsonl
}

part_commits() {
	part_streams | jq -c 'select(.type == "commit")' | wc -l
}

# The checks, on every recorded stream together:
#  - agreement: every commit of one epoch names the same members
#  - each node's own commits rise strictly
#  - a node commits only sets holding itself
#  - no two disjoint clusters held at one time: sweeping the events in
#    mono_ns order (CLOCK_MONOTONIC, one clock for every namespace), a node
#    holds its last commit until an event shows it out of membership; no
#    two held sets may be disjoint.
part_check_files() { # FILES...
	out=$(cat "$@" | jq -s -r '
	  def holding: . == "member" or . == "reconfiguring"
	    or . == "awaiting-operator";
	  [ .[] | select(.type == "commit") ] as $c
	  | ( $c | group_by(.epoch)[]
	      | select((map(.members) | unique | length) > 1)
	      | "agreement: epoch \(.[0].epoch) committed as \(map(.members) | unique)" ),
	    ( $c | group_by(.node)[]
	      | . as $n | range(1; length)
	      | select($n[.].epoch <= $n[. - 1].epoch)
	      | "node \($n[.].node): commit of epoch \($n[.].epoch) after \($n[. - 1].epoch)" ),
	    ( $c[] | . as $e | select(any($e.members[]; . == $e.node) | not)
	      | "node \(.node) committed \(.members) without itself" ),
	    ( [ .[] | select(.state != null) ] | sort_by(.mono_ns)
	      | reduce .[] as $e ({held: {}, bad: []};
	          (if $e.type == "commit" then .held[$e.node | tostring] = $e.members
	           elif ($e.state | holding) then .
	           else .held |= del(.[$e.node | tostring]) end)
	          | .held as $h
	          | ([ $h | to_entries[] ] | [ combinations(2) ]
	             | map(select(.[0].key < .[1].key and
	                 ((.[0].value - (.[0].value - .[1].value)) | length) == 0))) as $d
	          | if ($d | length) > 0 then .bad += ["disjoint clusters at \($e.time) (mono_ns \($e.mono_ns)): \($d | map("node \(.[0].key) \(.[0].value) / node \(.[1].key) \(.[1].value)") | join(", "))"] else . end)
	      | .bad | unique[] ),
	    ( [ .[] | select(.seq != null) ] | group_by(.node)[] | . as $s
	      | [ range(1; length)
	          | select($s[.].seq != 0 and $s[.].seq != $s[. - 1].seq + 1) ]
	      | select(length > 0)
	      | "the stream of node \($s[0].node) skips lines: seq \($s[.[0] - 1].seq) then \($s[.[0]].seq)" ),
	    ( .[] | select(.type == "lost" or .type == "gap")
	      | "the stream of node \(.node) has a \(.type) line at \(.time): the sweep cannot hold what it did not see" )
	') || mp_fail "cannot parse the watch streams"
	[ -z "$out" ] || { printf '%s\n' "$out" | head -n 5; part_timeline "$out" "$@"; return 1; }
}

# part_timeline OUT FILES...: the events around the first violation that
# names a mono_ns (2 s before it, 0.1 s after), one line each, so a
# failure report carries the sequence that broke the property
part_timeline() {
	at=$(printf '%s\n' "$1" | sed -n 's/.*(mono_ns \([0-9]*\)).*/\1/p' | head -n 1)
	[ -n "$at" ] || return 0
	echo "---- the events around it (ms from the violation; node, epoch, state, type, members, text):"
	shift
	cat "$@" | jq -r --argjson at "$at" '
	  select(.mono_ns != null and .mono_ns > $at - 2000000000
	      and .mono_ns < $at + 100000000 and .type != "log")
	  | "\((.mono_ns - $at) / 1000000 | floor) n\(.node) e\(.epoch) \(.state // "-") \(.type) \(.members // "" | tostring) \(.text // .step_text // "" | .[0:70])"' |
	    sort -n -k1,1 | tail -n 40
}

part_check_streams() {
	n=$(part_commits)
	[ "$n" -gt 0 ] || mp_fail "no commit events in the watch streams"
	# the evidence last: run.sh shows the tail of a failed test's log
	if ! out=$(part_check_files "$MP_DIR"/watch*.jsonl); then
		mp_logs
		printf '%s\n' "$out"
		echo "FAIL: the watch streams break the properties (above)"
		exit 1
	fi
	echo "streams: $n commit events, agreement per epoch, rising epochs, no disjoint clusters"
}

# The checker must be able to fail: three planted streams it must reject.
part_check_selftest() {
	d=$MP_DIR/selftest
	mkdir -p "$d"
	c='{"type":"commit","state":"member","time":"t"'
	printf '%s\n' "$c,\"node\":0,\"epoch\":2,\"mono_ns\":1,\"members\":[0,1]}" \
	    >"$d/a1"
	printf '%s\n' "$c,\"node\":1,\"epoch\":2,\"mono_ns\":2,\"members\":[0,1,2]}" \
	    >"$d/a2"
	printf '%s\n' "$c,\"node\":0,\"epoch\":3,\"mono_ns\":1,\"members\":[0]}" \
	    "$c,\"node\":0,\"epoch\":3,\"mono_ns\":2,\"members\":[0]}" >"$d/b"
	printf '%s\n' "$c,\"node\":0,\"epoch\":4,\"mono_ns\":1,\"members\":[0]}" \
	    >"$d/c1"
	printf '%s\n' "$c,\"node\":1,\"epoch\":5,\"mono_ns\":2,\"members\":[1]}" \
	    >"$d/c2"
	part_check_files "$d/a1" "$d/a2" >/dev/null &&
	    mp_fail "checker missed two member sets at one epoch"
	part_check_files "$d/b" >/dev/null &&
	    mp_fail "checker missed an epoch that did not rise"
	part_check_files "$d/c1" "$d/c2" >/dev/null &&
	    mp_fail "checker missed two disjoint clusters"
	printf '%s\n' '{"type":"lost","node":0,"epoch":4,"mono_ns":3,"time":"t"}' \
	    >"$d/l"
	part_check_files "$d/a1" "$d/l" >/dev/null &&
	    mp_fail "checker missed a stream that lost events"
	printf '%s\n' "$c,\"node\":0,\"epoch\":2,\"seq\":1,\"mono_ns\":1,\"members\":[0,1]}" \
	    "$c,\"node\":0,\"epoch\":3,\"seq\":3,\"mono_ns\":2,\"members\":[0,1]}" >"$d/l"
	part_check_files "$d/l" >/dev/null &&
	    mp_fail "checker missed a stream that skips a line"
	rm -f "$d/l"
	# and the same two, one after the other leaving, are fine
	printf '%s\n' '{"type":"no-quorum","state":"no-quorum","node":0,"epoch":4,"mono_ns":1,"time":"t"}' \
	    >>"$d/c1"
	part_check_files "$d/c1" "$d/c2" >/dev/null ||
	    mp_fail "checker rejected a clean hand-over"
	rm -rf "$d"
}
