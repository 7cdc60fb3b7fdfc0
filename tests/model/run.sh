#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the SPIN models of round v2 (tests/model/README.md).
#   sh tests/model/run.sh [bounded|full]
# bounded (default, for make check): small bounds, well under a minute.
# full (make model): exhaustive searches at the largest bounds that end in
# about ten minutes on two cores.
# Every model must pass with 0 errors; every planted bug and every
# reachability check must end in an assertion violation.  One line per
# run: result, model, options, states stored, transitions, errors, time.
# Exit 0 if all went as expected, 1 if not, 77 if spin is not installed.
#   MODEL_JOBS=N     runs at once (default: 2, or 1 on one CPU)
#   MODEL_MEMLIM=MB  memory per run (default: bounded 2048, full 9000)
#   MODEL_KEEP=DIR   keep the work files (pan, trails, logs) in DIR
set -u

mode=${1:-bounded}
case $mode in
bounded | full) ;;
*)
	echo "usage: $0 [bounded|full]" >&2
	exit 2
	;;
esac

if ! command -v spin >/dev/null 2>&1; then
	echo "SKIP: spin is not installed (Debian: apt-get install spin)"
	exit 77
fi
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || exit 1
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "model: no C compiler ($CC) to build the verifiers" >&2
	exit 1
fi

cpus=$(nproc 2>/dev/null || echo 1)
jobs=${MODEL_JOBS:-$([ "$cpus" -ge 2 ] && echo 2 || echo 1)}
if [ "$mode" = full ]; then
	memlim=${MODEL_MEMLIM:-9000}
	limit=1200      # seconds per run, a guard: the largest takes ~4 min
else
	memlim=${MODEL_MEMLIM:-2048}
	limit=120
fi

if [ -n "${MODEL_KEEP:-}" ]; then
	mkdir -p "$MODEL_KEEP" && tmp=$(CDPATH='' cd -- "$MODEL_KEEP" && pwd) || exit 1
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmm-model.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
fi
# timeout puts pan in a process group of its own, out of reach of ^C:
# on a signal, stop the lanes, then each running timeout (it passes the
# signal on to its pan).
lanes=""
stop() {
	trap - INT TERM
	# shellcheck disable=SC2086 # a list of PIDs
	[ -n "$lanes" ] && kill $lanes 2>/dev/null
	for f in "$tmp"/*/pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	exit 130
}
trap stop INT TERM

# The runs: name, model, expect (pass | error), search, spin options.
# search: exh   = exhaustive (COLLAPSE compression: nothing is lost);
#         bitNN = bitstate with a 2^NN-bit table: a partial search (bounded);
#         bug   = the first error is wanted (a depth-first search);
#         bugr  = the same, trying the processes in reverse order: the
#                 untagged slot needs the device to run before the nodes
#                 to be found in 50 thousand states instead of 6 million.
# Bounds: K instances (epochs) in turn; BALLOTS started per instance by all
# nodes together; MAXA attempts per node; ACCEPTORS plus one joiner.
{
	if [ "$mode" = full ]; then
		cat <<-'EOF'
		round-3x2 round pass exh -DK=2 -DBALLOTS=3
		race-4 race pass exh -DK=4
		round-3x3 round pass exh -DK=3 -DBALLOTS=2
		round-4x2 round pass exh -DACCEPTORS=4 -DK=2 -DBALLOTS=2
		round-4x1 round pass exh -DACCEPTORS=4 -DK=1 -DBALLOTS=3
		race-3 race pass exh -DK=3
		round-3x1 round pass exh -DK=1 -DBALLOTS=4
		EOF
	else
		cat <<-'EOF'
		round-3x2b round pass bit21 -DK=2 -DBALLOTS=3
		race-3b race pass bit21 -DK=3
		round-3x2 round pass exh -DK=2 -DBALLOTS=2
		race-2 race pass exh -DK=2
		round-3x1 round pass exh -DK=1 -DBALLOTS=3
		EOF
	fi
	cat <<-'EOF'
	sanity-last round error bug -DK=2 -DBALLOTS=2 -DSANITY_LAST
	sanity-joiner round error bug -DK=2 -DBALLOTS=2 -DSANITY_JOINER
	bug-half round error bug -DK=2 -DBALLOTS=2 -DBUG_HALF
	bug-half-4 round error bug -DACCEPTORS=4 -DK=1 -DBALLOTS=2 -DBUG_HALF
	bug-highest round error bug -DK=2 -DBALLOTS=2 -DBUG_HIGHEST
	bug-accept round error bug -DK=2 -DBALLOTS=2 -DBUG_ACCEPT_NOPERSIST
	bug-attempt round error bug -DK=2 -DBALLOTS=2 -DBUG_ATTEMPT_NOPERSIST
	bug-fastpath round error bug -DK=2 -DBALLOTS=2 -DBUG_FASTPATH_ANY
	sanity-last race error bug -DK=3 -DSANITY_LAST
	sanity-refused race error bug -DK=3 -DSANITY_REFUSED
	sanity-readmit race error bug -DK=3 -DSANITY_READMIT
	bug-cp-alone race error bug -DK=3 -DBUG_CP_ALONE
	bug-highest race error bug -DK=3 -DBUG_HIGHEST
	bug-accept race error bug -DK=3 -DBUG_ACCEPT_NOPERSIST
	bug-slot-anyreset race error bug -DK=3 -DBUG_SLOT_ANYRESET
	bug-slot-untagged race error bugr -DK=3 -DBUG_SLOT_UNTAGGED
	bug-reg-norefuse race error bug -DK=3 -DBUG_REG_NOREFUSE
	bug-fence-noepoch race error bug -DK=3 -DBUG_FENCE_NOEPOCH
	EOF
} >"$tmp/runs"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_one ID NAME MODEL EXPECT SEARCH OPTIONS...: one line into $tmp/ID.res
# shellcheck disable=SC2086 # $cflags and $rflags are lists of words
run_one() {
	id=$1 name=$2 model=$3 expect=$4 search=$5
	shift 5
	d=$tmp/$id-$model-$name
	mkdir -p "$d" || return
	cp "$here/$model.pml" "$d/" || return
	case $search in
	exh) cflags="-O2 -DCOLLAPSE" rflags="-w26" ;;
	bit*) cflags="-O2 -DBITSTATE" rflags="-w${search#bit}" ;;
	bugr) cflags="-O0 -DCOLLAPSE -DP_REVERSE" rflags="-w22" ;;
	*) cflags="-O0 -DCOLLAPSE" rflags="-w22" ;;
	esac
	t0=$(now_ms)
	note=""
	if ! (cd "$d" && timeout 60 spin "$@" -a "$model.pml") \
		>"$d/spin.log" 2>&1; then
		note="spin -a failed: $(tail -n 1 "$d/spin.log")"
	elif ! (cd "$d" && timeout 120 "$CC" -w -DSAFETY -DMEMLIM="$memlim" \
		$cflags -o pan pan.c) >"$d/cc.log" 2>&1; then
		note="compiling pan failed: $(tail -n 1 "$d/cc.log")"
	else
		(cd "$d" && exec timeout -k 5 "$limit" ./pan -m100000 $rflags) \
			>"$d/pan.out" 2>&1 &
		echo $! >"$d/pid"
		wait $!
		rc=$?
		rm -f "$d/pid"
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			note="timed out after ${limit}s"
		fi
	fi
	ms=$(($(now_ms) - t0))
	out=$d/pan.out
	[ -f "$out" ] || : >"$out"
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	stored=$(awk '/states, stored$/ { print $1 }' "$out" | head -n 1)
	trans=$(awk '/transitions \(= stored\+matched\)/ { print $1 }' "$out" |
		head -n 1)
	partial=""
	grep -q 'reached -DMEMLIM bound' "$out" && partial="memory limit reached"
	grep -q 'max search depth too small' "$out" && partial="depth limit reached"
	case $search in
	bit*) [ -z "$partial" ] && partial="bitstate, partial" ;;
	esac

	ok=no
	if [ -n "$note" ]; then
		:
	elif [ -z "$errors" ]; then
		note="no result from pan: $(tail -n 1 "$out")"
	elif [ "$expect" = pass ]; then
		if [ "$errors" -ne 0 ]; then
			note="$(grep -m 1 'pan:1:' "$out")"
		elif [ -n "$partial" ] && [ "$search" = exh ]; then
			note="incomplete: $partial"
		else
			ok=yes note=${partial:-exhaustive}
		fi
	elif [ "$errors" -eq 0 ]; then
		note="NOT CAUGHT: no assertion violation${partial:+ ($partial)}"
	else
		# the counterexample: its steps, and the assertion it breaks
		trail=$d/$model.pml.trail
		steps=$( (cd "$d" && timeout 60 spin -t -k "$trail" "$@" "$model.pml") \
			2>/dev/null | grep -c '^ *@')
		what=$(sed -n 's/^pan:1: assertion violated \(.*\) (at depth.*/\1/p' \
			"$out" | head -n 1)
		case $name:$what in
		sanity-*) what="" ;;
		*'committed[inst]==0)||'* | *'committed[k]==0)||'*) what=agreement ;;
		*':(u==1)') what=chosen-before-committed ;;
		*regE*) what="fencing $what" ;;
		esac
		if [ -z "$what" ]; then
			ok=yes note="reached, $steps-step trail"
		else
			ok=yes note="caught, $steps-step trail: $what"
		fi
	fi
	res=$([ "$ok" = yes ] && echo ok || echo FAIL)
	line=$(printf '%-4s %-5s %-17s %-42s %11s %12s %3s %7s  %s' \
		"$res" "$model" "$name" "$*" "${stored:--}" "${trans:--}" \
		"${errors:--}" "$((ms / 1000)).$((ms % 1000 / 100))s" "$note")
	echo "$line" >"$tmp/$id.res"
	echo "$line"
}

printf '%-4s %-5s %-17s %-42s %11s %12s %3s %7s  %s\n' result model run \
	options stored transitions err time note
start=$(now_ms)
lane=0
while [ "$lane" -lt "$jobs" ]; do
	(
		trap - INT TERM
		n=0
		while read -r name model expect search opts; do
			if [ $((n % jobs)) -eq "$lane" ]; then
				# shellcheck disable=SC2086 # split on purpose
				run_one "$(printf %02d "$n")" "$name" "$model" "$expect" \
					"$search" $opts
			fi
			n=$((n + 1))
		done <"$tmp/runs"
	) &
	lanes="$lanes $!"
	lane=$((lane + 1))
done
wait
lanes=""

total=$(wc -l <"$tmp/runs")
done_=$(cat "$tmp"/*.res 2>/dev/null | wc -l)
failed=$(cat "$tmp"/*.res 2>/dev/null | grep -c '^FAIL')
secs=$((($(now_ms) - start) / 1000))
if [ "$failed" -ne 0 ] || [ "$done_" -ne "$total" ]; then
	echo "model ($mode): $failed of $total runs failed," \
		"$((total - done_)) missing (${secs}s):"
	grep -h '^FAIL' "$tmp"/*.res
	exit 1
fi
echo "model ($mode): all $total runs as expected (${secs}s)"
