#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A smoke run of `make bench`'s real-network experiments (bench/netfail.sh):
# one process-crash trial and one host-loss trial on three nodes in network
# namespaces, then bench/report.awk over the rows.  It checks that every
# row is there and well formed, that results.json parses with the fields
# the README and the plot read (the `vs` member included), that the
# namespaces are gone afterwards, and that without root the experiment says
# it was skipped and writes no rows.  No figure is judged: timing belongs
# to `make bench` on a quiet machine.  Needs root (skipped, 77, otherwise).
. tests/mp/lib/mp.sh
mp_init bench-smoke
[ "$(id -u)" = 0 ] || mp_skip "not root (network namespaces need root)"
for tool in ip jq setpriv; do
	command -v "$tool" >/dev/null 2>&1 || mp_skip "no $tool command"
done
mp_benchtool
ROWS=$MP_DIR/rows.tsv
: >"$ROWS"
: >"$MP_DIR/incomplete"

# run ARGS...: one netfail.sh run, bounded; its namespaces must be gone
run() {
	BENCH_ROWS=$ROWS BENCH_INCOMPLETE=$MP_DIR/incomplete BENCH_TRIALS=1 \
	    BENCH_SRC=bench sh bench/netfail.sh "$@" 3 >>"$MP_DIR/bench.log" 2>&1 &
	p=$!
	MP_PIDS="$MP_PIDS $p"
	n=0
	while kill -0 "$p" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || mp_fail "netfail.sh $* ran over 60 s:" \
		    "$(tail -n 5 "$MP_DIR/bench.log")"
		sleep 0.1
	done
	wait "$p" || mp_fail "netfail.sh $* failed: $(tail -n 5 "$MP_DIR/bench.log")"
	if ip netns list | grep -q "^cmmb$p"; then
		mp_fail "netfail.sh $* left namespaces: $(ip netns list | grep "^cmmb$p")"
	fi
}
run
run --host-loss
cat "$MP_DIR/bench.log"
[ -s "$MP_DIR/incomplete" ] &&
    mp_fail "trials that never ended: $(cat "$MP_DIR/incomplete")"

# every row: 9 tab-separated fields, a known experiment and metric, N = 3,
# one trial, numbers where the figures go
bad=$(awk -F '\t' '
	function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
	NF != 9 || ($1 != "process_crash" && $1 != "host_loss") || $2 != 3 ||
	    $3 !~ /^(detect_ms|overhead_ms|kill_to_commit_ms|epoch_steps)$/ ||
	    !num($4) || !num($5) || !num($6) || !num($7) || $8 != 1 ||
	    $9 !~ /"failure_timeout_ms":500/ { print NR ": " $0 }' "$ROWS")
[ -z "$bad" ] || mp_fail "malformed rows: $bad"
for e in process_crash host_loss; do
	for m in detect_ms overhead_ms kill_to_commit_ms epoch_steps; do
		c=$(awk -F '\t' -v e="$e" -v m="$m" '$1 == e && $3 == m' "$ROWS" |
		    wc -l)
		[ "$c" = 1 ] || mp_fail "$c rows of $e $m, want 1"
	done
done
echo "rows: 8, well formed"

# the JSON writer, with a ratio row of the kind bench/corosync.sh writes
printf 'vs_corosync\t3\tkill_to_membership_ratio\tNA\t0.5000\tNA\tNA\t1\t"vs":{"cmm_ms":1,"corosync_ms":2}\n' \
    >>"$ROWS"
awk -v json="$MP_DIR/results.json" -v fs=test -f bench/report.awk "$ROWS" \
    >"$MP_DIR/report.txt" || mp_fail "report.awk failed"
grep -q "^1d. Process crash" "$MP_DIR/report.txt" ||
    mp_fail "no process crash table: $(head -n 5 "$MP_DIR/report.txt")"
grep -q "^1e. Host loss" "$MP_DIR/report.txt" || mp_fail "no host loss table"
n=$(jq '[.[] | select((.experiment == "process_crash" or
    .experiment == "host_loss") and .nodes == 3 and (.median | type) == "number"
    and .trials == 1)] | length' "$MP_DIR/results.json") ||
    mp_fail "results.json does not parse: $(head -c 300 "$MP_DIR/results.json")"
[ "$n" = 8 ] || mp_fail "$n complete experiment records in results.json, want 8"
v=$(jq -r '.[] | select(.experiment == "vs_corosync") |
    "\(.median) \(.min) \(.vs.cmm_ms) \(.vs.corosync_ms)"' "$MP_DIR/results.json")
[ "$v" = "0.5 null 1 2" ] || mp_fail "the vs record came out as '$v'"
echo "results.json: 8 records and the vs record parse"

# without root: a message, no rows, exit 0 (checked where an unprivileged
# user can read the tree: a checkout under a private home cannot)
nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups "$@"
}
if nobody sh -c 'test -r bench/netfail.sh && test -r bench/lib.sh &&
    test -r bench/nslib.sh && test -r tests/mp/lib/mp.sh' 2>/dev/null; then
	: >"$MP_DIR/nr.tsv"
	chmod 0777 "$MP_DIR"
	chmod 0666 "$MP_DIR/nr.tsv"
	out=$(BENCH_ROWS=$MP_DIR/nr.tsv BENCH_SRC=bench CMM=$CMM \
	    nobody sh bench/netfail.sh 3 2>&1) ||
	    mp_fail "netfail.sh failed without root: $out"
	case "$out" in
	*"skipped: not root"*) ;;
	*) mp_fail "without root, netfail.sh said: $out" ;;
	esac
	[ -s "$MP_DIR/nr.tsv" ] &&
	    mp_fail "rows without root: $(cat "$MP_DIR/nr.tsv")"
	echo "without root: skipped, no rows"
else
	echo "without root: not checked (uid 65534 cannot read this tree)"
fi
echo "ok"
