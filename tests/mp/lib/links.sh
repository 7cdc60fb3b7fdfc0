# SPDX-License-Identifier: GPL-3.0-or-later
# links.sh: sourced by the redundant-link tests (tests/mp/links*.sh), on
# top of mp.sh.  Every wait is bounded; the epoch check polls for its
# whole window, since "nothing changed" can only be seen over time.
#
#   watch_start ID            record node ID's `watch --json` stream
#   link_is ID PEER LINK B    node ID's `nodes --json` says PEER's LINK up=B
#   dup ID                    node ID's status dropped.duplicate
#   dup_over ID N             ... is above N
#   has_link_event ID PEER LINK UP   a `link` event in node ID's stream
#   commits ID                commit events in node ID's stream
#   epoch_holds "IDS" E MS    every one of IDS stays at epoch E for MS ms
#   links_net N               N node namespaces, each with eth0 on bridge 0
#                             (10.232.0.0/24, link 0) and eth1 on bridge 1
#                             (10.233.0.0/24, link 1); removed at exit;
#                             skips (77) without root or ip
#   links_ns ID               node ID's namespace
#   links_config N [LINE...]  the cluster config for them
#   links_spawn ID            start node ID in its namespace
set -u
. tests/mp/lib/mp.sh

watch_start() { # ID: record the node's watch --json stream
	"$CMM" ctl -s "$(mp_sock "$1")" --json watch >>"$MP_DIR/watch$1.jsonl" \
	    2>"$MP_DIR/watch$1.err" &
	MP_PIDS="$MP_PIDS $!"
	mp_wait 10 "watch stream of node $1" grep -q watching "$MP_DIR/watch$1.err"
}
# node $1's view of node $2's link $3: true, false, or null
link_up() {
	mp_ctl "$1" --json nodes 2>/dev/null | jq -r --argjson p "$2" \
	    --argjson k "$3" '.nodes[] | select(.id == $p) | .links[$k].up'
}
link_is() { # ID PEER LINK true|false
	v=$(link_up "$1" "$2" "$3")
	MP_WHY="node $1 says node $2 link $3 up=$v"
	[ "$v" = "$4" ]
}
dup() { # ID: status's duplicate counter
	mp_ctl "$1" --json status 2>/dev/null | jq -r '.dropped.duplicate'
}
dup_over() { # ID N
	v=$(dup "$1")
	MP_WHY="$v duplicates"
	[ "${v:-0}" -gt "$2" ]
}
has_link_event() { # ID PEER LINK UP: a `link` event in node ID's stream
	jq -c --argjson p "$2" --argjson k "$3" --argjson u "$4" \
	    'select(.type == "link" and .peer == $p and .link == $k and .up == $u)' \
	    "$MP_DIR/watch$1.jsonl" | grep -q .
}
commits() { # ID: commit events in its stream
	jq -c 'select(.type == "commit")' "$MP_DIR/watch$1.jsonl" | wc -l
}
# the epoch stays $2 on every one of $1 for $3 ms (polled every 0.1 s)
epoch_holds() {
	until=$(( $(mp_now_ms) + $3 ))
	while [ "$(mp_now_ms)" -lt "$until" ]; do
		for i in $1; do
			ep=$(mp_get "$i" epoch)
			[ "$ep" = "$2" ] ||
			    mp_fail "node $i moved to epoch $ep (want $2 throughout)"
		done
		sleep 0.1
	done
}

links_ns() {
	echo "${LINKS_TAG}n$1"
}

links_net() {
	if [ "$(id -u)" != 0 ]; then
		mp_skip "not root (network namespaces need root)"
	fi
	command -v ip >/dev/null 2>&1 || mp_skip "no ip command"
	LINKS_TAG=cmml$$
	_ln_all="${LINKS_TAG}b0 ${LINKS_TAG}b1"
	_ln_i=0
	while [ "$_ln_i" -lt "$1" ]; do
		_ln_all="$_ln_all $(links_ns "$_ln_i")"
		_ln_i=$((_ln_i + 1))
	done
	mp_at_exit "for ns in $_ln_all; do ip netns del \$ns 2>/dev/null; done"
	if ! ip netns add "${LINKS_TAG}b0" 2>"$MP_DIR/netns.err"; then
		mp_skip "cannot create a network namespace: $(cat "$MP_DIR/netns.err")"
	fi
	ip netns add "${LINKS_TAG}b1" || mp_fail "netns add ${LINKS_TAG}b1"
	for k in 0 1; do
		ip -n "${LINKS_TAG}b$k" link add br0 type bridge || mp_fail "bridge $k"
		ip -n "${LINKS_TAG}b$k" link set br0 up || mp_fail "bridge $k up"
	done
	_ln_i=0
	while [ "$_ln_i" -lt "$1" ]; do
		ns=$(links_ns "$_ln_i")
		ip netns add "$ns" || mp_fail "netns add $ns"
		ip -n "$ns" link set lo up
		for k in 0 1; do
			ip -n "$ns" link add eth$k type veth peer name v$_ln_i \
			    netns "${LINKS_TAG}b$k" || mp_fail "veth $k for $ns"
			ip -n "$ns" addr add "10.23$((2 + k)).0.$((10 + _ln_i))/24" \
			    dev eth$k || mp_fail "addr $k in $ns"
			ip -n "$ns" link set eth$k up || mp_fail "eth$k up in $ns"
			ip -n "${LINKS_TAG}b$k" link set v$_ln_i master br0 ||
			    mp_fail "v$_ln_i into bridge $k"
			ip -n "${LINKS_TAG}b$k" link set v$_ln_i up || mp_fail "v$_ln_i up"
		done
		_ln_i=$((_ln_i + 1))
	done
}

links_config() {
	_lc_n=$1
	shift
	"$CMM" keygen "$MP_DIR/key" >/dev/null || mp_fail "keygen"
	{
		echo "[cluster]"
		echo "name = mp-$MP_NAME"
		echo "key_file = key"
		echo "state_dir = state%n"
		echo "control_socket = node%n.sock"
		echo "realtime = no"
		for _lc_line in "$@"; do
			echo "$_lc_line"
		done
		_lc_i=0
		while [ "$_lc_i" -lt "$_lc_n" ]; do
			echo "[node $_lc_i]"
			echo "address = 10.232.0.$((10 + _lc_i)):7400, 10.233.0.$((10 + _lc_i)):7400"
			_lc_i=$((_lc_i + 1))
		done
	} >"$MP_CONF"
}

links_spawn() {
	ip netns exec "$(links_ns "$1")" "$CMM" node -c "$MP_CONF" --id "$1" \
	    --headless </dev/null >>"$MP_DIR/node$1.log" 2>&1 &
	echo $! >"$MP_DIR/pid$1"
	MP_PIDS="$MP_PIDS $!"
}
