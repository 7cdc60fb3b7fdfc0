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
