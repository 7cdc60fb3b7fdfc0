#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Epochs never wrap: a state file whose epoch is 2^32 - 2 (a tampered file,
# with valid checksums) is refused at start with one clear line, exit 2,
# no crash; the file is left as it was.
. tests/mp/lib/mp.sh
mp_init elimit
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
mp_config 3
mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
mp_kill 0
st=$MP_DIR/state0/state
[ -f "$st" ] || mp_fail "no state file at $st"
# both slots: epoch (u32 little-endian at 12) := 2^32 - 2, checksums
# (BLAKE2b-128 of the bytes before them) made right again
python3 - "$st" <<'PY' || mp_fail "cannot patch the state file"
import hashlib, struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
rec = len(b) // 2
for s in (0, rec):
    if b[s:s + 8] != b'CMMSTATE':
        continue
    b[s + 12:s + 16] = struct.pack('<I', 2**32 - 2)
    b[s + rec - 16:s + rec] = hashlib.blake2b(bytes(b[s:s + rec - 16]),
        digest_size=16).digest()
open(p, 'wb').write(b)
PY
sum=$(md5sum <"$st")
timeout 10 "$CMM" node -c "$MP_CONF" --id 0 --headless </dev/null \
    >"$MP_DIR/start0.log" 2>&1
rc=$?
[ "$rc" = 2 ] || mp_fail "node 0 started on an epoch that would wrap (exit $rc): $(tail -n 3 "$MP_DIR/start0.log")"
grep -q "epoch at or above 2^31" "$MP_DIR/start0.log" ||
	mp_fail "node 0 did not say why: $(tail -n 3 "$MP_DIR/start0.log")"
[ "$(wc -l <"$MP_DIR/start0.log")" -le 3 ] ||
	mp_fail "more than a few lines for one refusal: $(cat "$MP_DIR/start0.log")"
[ "$(md5sum <"$st")" = "$sum" ] || mp_fail "the refused state file was changed"
echo "refused: $(grep 'epoch at or above' "$MP_DIR/start0.log")"
mp_is 1 members 1,2 || mp_wait 5 "the others without node 0" mp_is 1 members 1,2
echo "ok"
