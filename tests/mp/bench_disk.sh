#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `make bench`'s disk experiment (bench/disk.sh, `benchtool syncs`) on a
# small scale: N writers report one positive time and leave no file
# behind; a bad N or K, a missing argument and a missing dir each fail
# with a one-line reason; disk.sh writes one well-formed disk_floor row
# per N and removes its dir.  No figure is judged: that is `make bench`.
. tests/mp/lib/mp.sh
mp_init bench-disk
mp_benchtool
d=$MP_DIR/syncs
mkdir "$d"

out=$("$BENCHTOOL" syncs "$d" 3 2 2>"$MP_DIR/err") ||
    mp_fail "syncs 3 2 failed: $(cat "$MP_DIR/err")"
echo "$out" | grep -Eq '^[0-9]+\.[0-9]{3}$' || mp_fail "syncs printed '$out'"
awk -v t="$out" 'BEGIN { exit !(t > 0) }' || mp_fail "syncs took $out ms"
[ -z "$(ls -A "$d")" ] || mp_fail "syncs left files: $(ls -A "$d")"

bad() { # WANT-EXIT WANT-TEXT ARGS...: benchtool fails so, saying so
	want=$1
	text=$2
	shift 2
	"$BENCHTOOL" "$@" >/dev/null 2>"$MP_DIR/err"
	rc=$?
	[ "$rc" = "$want" ] || mp_fail "benchtool $*: exit $rc, not $want"
	grep -qF -- "$text" "$MP_DIR/err" ||
	    mp_fail "benchtool $*: said '$(cat "$MP_DIR/err")'"
}
bad 2 "N '0' must be 1..256" syncs "$d" 0 2
bad 2 "K '1001' 1..1000" syncs "$d" 2 1001
bad 2 "N 'x' must be" syncs "$d" x 2
bad 2 "usage:" syncs "$d" 2
bad 1 "$MP_DIR/none/sync.0: No such file or directory" syncs "$MP_DIR/none" 2 2

rows=$MP_DIR/rows.tsv
: >"$rows"
TMPDIR=$MP_DIR BENCH_ROWS=$rows BENCH_TRIALS=2 BENCH_SRC=bench \
    timeout 60 sh bench/disk.sh 1 2 >"$MP_DIR/disk.log" 2>&1 ||
    mp_fail "disk.sh failed: $(tail -n 5 "$MP_DIR/disk.log")"
[ "$(wc -l <"$rows")" = 2 ] || mp_fail "disk.sh rows: $(cat "$rows")"
for n in 1 2; do
	awk -F '\t' -v n="$n" '$1 == "disk_floor" && $2 == n &&
	    $3 == "last_of_n_two_syncs_ms" && $4 > 0 && $4 <= $5 &&
	    $5 <= $7 && $8 == 2 { ok = 1 } END { exit !ok }' "$rows" ||
	    mp_fail "no well-formed row for $n writers: $(cat "$rows")"
done
ls -d "$MP_DIR"/cmm-bench-disk.* >/dev/null 2>&1 &&
    mp_fail "disk.sh left its dir: $(ls -d "$MP_DIR"/cmm-bench-disk.*)"
echo "bench_disk: syncs, its errors and disk.sh rows as expected"
