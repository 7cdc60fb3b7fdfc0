# SPDX-License-Identifier: GPL-3.0-or-later
# bench/nslib.sh: sourced after bench/lib.sh by the benchmarks on a real
# network.  Every node has a network namespace of its own, with eth0 at
# 10.241.0.(10 + ID)/24 on a veth pair whose other end is a port of bridge
# br0 in one more namespace; nothing is changed in the host's namespace.
# Each eth0 has a fixed MAC address and permanent neighbour entries for
# every other node: no ARP during a measurement, and none of the kernel's
# neighbour table, which is one table for every namespace of the machine
# and which another namespaced run can fill (then a send fails ENOBUFS).
# The namespaces are deleted at exit, after the processes (B_ATEXIT).
#
#   n_usable WHAT          0 if namespaces can be made here; otherwise
#                          prints that WHAT is skipped and why, returns 1
#   n_net N                the bridge and namespaces for nodes 0..N-1
#   n_ns ID / n_addr ID    node ID's namespace name / address
#   n_neigh ID             node ID's permanent neighbour entries (again
#                          after its link was down: the kernel drops them)
#   n_cluster N [LINE...]  a cmm cluster dir for nodes 0..N-1 on those
#                          addresses (sets C, CONF, N like b_cluster)
#   n_spawn ID             start cmm node ID in its namespace (no wait)
#   n_down ID              node ID's eth0 down; prints the time (benchtool)
#   n_up ID                eth0 up again, with its neighbour entries

n_usable() {
	if [ "$(id -u)" != 0 ]; then
		b_say "$1: skipped: not root (network namespaces need root);" \
		    "no rows"
		return 1
	fi
	if ! command -v ip >/dev/null 2>&1; then
		b_say "$1: skipped: no ip command (iproute2); no rows"
		return 1
	fi
	t=cmmbq$$
	if ! ip netns add "$t" 2>/dev/null; then
		b_say "$1: skipped: cannot create a network namespace; no rows"
		return 1
	fi
	ip netns del "$t"
}

n_ns() {
	echo "${N_TAG}n$1"
}

n_addr() {
	echo "10.241.0.$((10 + $1))"
}

n_mac() {
	printf '02:c3:00:00:%02x:%02x\n' $(($1 / 256)) $(($1 % 256))
}

n_cleanup() {
	for ns in $N_ALL; do
		ip netns del "$ns" 2>/dev/null
	done
}

n_net() {
	N_TAG=cmmb$$
	N_NODES=$1
	N_ALL=${N_TAG}br
	# shellcheck disable=SC2034 # run by b_cleanup (bench/lib.sh)
	B_ATEXIT=n_cleanup
	ip netns add "${N_TAG}br" || return 1
	ip -n "${N_TAG}br" link add br0 type bridge || return 1
	ip -n "${N_TAG}br" link set br0 up || return 1
	i=0
	while [ "$i" -lt "$1" ]; do
		ns=$(n_ns "$i")
		ip netns add "$ns" || return 1
		N_ALL="$N_ALL $ns"
		ip -n "$ns" link add eth0 address "$(n_mac "$i")" type veth \
		    peer name "b$i" netns "${N_TAG}br" || return 1
		ip -n "$ns" addr add "$(n_addr "$i")/24" dev eth0 || return 1
		ip -n "$ns" link set lo up || return 1
		ip -n "$ns" link set eth0 up || return 1
		ip -n "${N_TAG}br" link set "b$i" master br0 || return 1
		ip -n "${N_TAG}br" link set "b$i" up || return 1
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$1" ]; do
		n_neigh "$i" || return 1
		i=$((i + 1))
	done
}

n_neigh() {
	j=0
	while [ "$j" -lt "$N_NODES" ]; do
		[ "$j" = "$1" ] ||
		    echo "neigh replace $(n_addr "$j") lladdr $(n_mac "$j")" \
		    "nud permanent dev eth0"
		j=$((j + 1))
	done | ip -n "$(n_ns "$1")" -batch -
}

n_cluster() {
	N=$1
	shift
	C=$(mktemp -d "$B_DIR/c$N.XXXXXX") || exit 1
	CONF=$C/cluster.conf
	"$CMM" keygen "$C/key" >/dev/null || { b_say "keygen failed"; exit 1; }
	{
		echo "[cluster]"
		echo "name = benchns$N"
		echo "key_file = key"
		echo "state_dir = state%n"
		echo "control_socket = node%n.sock"
		echo "realtime = no"
		for line in "$@"; do
			echo "$line"
		done
		i=0
		while [ "$i" -lt "$N" ]; do
			echo "[node $i]"
			echo "address = $(n_addr "$i"):7400"
			i=$((i + 1))
		done
	} >"$CONF"
}

# ip netns exec execs the command, so $! is the daemon's own PID
n_spawn() {
	ip netns exec "$(n_ns "$1")" "$CMM" node -c "$CONF" --id "$1" \
	    --headless </dev/null >>"$C/node$1.log" 2>&1 &
	echo "$!" >"$C/pid$1"
	b_record "$!"
}

n_down() {
	"$BENCHTOOL" ifdown "$(n_ns "$1")" eth0
}

n_up() {
	ip -n "$(n_ns "$1")" link set eth0 up && n_neigh "$1"
}
