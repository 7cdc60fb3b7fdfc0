#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Remakes the seed corpora of the fuzz harnesses in tests/fuzz/corpus/:
# datagrams, state and history files and control lines from
# tests/fuzz/gen_corpus.c (cmm's own codec and state module), the shipped
# configs and scenarios from assets/, and a few configs written here that
# use every key.  Run from the top of the tree after `make`; the corpus is
# checked in, so this is only needed when a format changes.
set -eu
BUILD=${BUILD:-build}
out=tests/fuzz/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmm-mkcorpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046 # pkg-config's flags are words
${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -o "$tmp/gen_corpus" \
    tests/fuzz/gen_corpus.c "$BUILD/libcmm.a" \
    $(pkg-config --cflags --libs libevent libsodium inih jansson) -lpthread -lm
mkdir -p "$out/fuzz_config" "$out/fuzz_script"
# the generated seeds go first, so none of a format that changed stays
# behind; hand-made regression seeds (regress-*) are kept
rm -f "$out"/fuzz_wire/*.dg "$out"/fuzz_packet/*.dg
find "$out/fuzz_state" -type f ! -name 'regress-*' -exec rm -f {} + \
    2>/dev/null || true
"$tmp/gen_corpus" "$out"

for f in assets/*.conf; do
	cp "$f" "$out/fuzz_config/$(basename "$f")"
done
for f in assets/scenarios/*.sim; do
	cp "$f" "$out/fuzz_script/$(basename "$f")"
done

cat >"$out/fuzz_config/every-key.conf" <<'CONF'
[cluster]
name = every-key
key_file = /etc/cmm/key
heartbeat_ms = 50
failure_timeout_ms = 400
round_timeout_ms = 200
join_retry_ms = 500
initial_quorum = ask
isolation = not-isolated
winner = highest
prompt_timeout_s = 30
on_quorum_loss = halt
state_dir = state%n%%
control_socket = run/node%n.sock
hook = hooks/cmm-hook
fault_injection = on

[node 0]
address = 127.0.0.1:7000
priority = 10

[node 1]
address = [::1]:7001

[node 1023]
address = [fe80::1%lo]:7002
priority = 0

[device shared]
path = dev/shared
nodes = 0 1 1023
CONF

cat >"$out/fuzz_config/two-nodes.conf" <<'CONF'
; two nodes and one device: the race
[cluster]
name = pair
key_file = key
winner = lowest
isolation = isolated
initial_quorum = any
[node 3]
address = 10.0.0.3:7400
[node 4]
address = 10.0.0.4:7400
[device d34]
path = /srv/cmm/d34
nodes = 3 4
CONF
echo "corpus: $(find "$out" -type f | wc -l) files in $out"
