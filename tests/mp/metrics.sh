#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Metrics (cmm(1), "METRICS"): `cmm ctl metrics` and GET /metrics from
# metrics_listen print the Prometheus text format, and what they say
# matches `status --json`: before and after node 2 fails (a commit and a
# fence of node 2 off the shared device).  The page is bound to the
# configured address only; HEAD has no body, other paths are 404, other
# methods 405.  Bad metrics_listen values and a taken port stop the node
# at start.
. tests/mp/lib/mp.sh
mp_init metrics
command -v python3 >/dev/null 2>&1 || mp_skip "no python3"

# A free TCP port on 127.0.0.1 (the kernel's pick, released at once)
mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
	mp_fail "no free port"
mp_config 3
mp_device d02 "0 2"
# metrics_listen goes in [node 0]
sed -i "/^address = 127.0.0.1:$MP_PORT\$/a metrics_listen = 127.0.0.1:$mport" "$MP_CONF"
grep -q "^metrics_listen = 127.0.0.1:$mport" "$MP_CONF" || mp_fail "config edit"

# The format: a strict reading of the text exposition (every sample under
# its own HELP and TYPE, names and labels well formed, one family once, a
# summary's quantiles, _sum and _count), then prometheus_client's parser
# when python3-prometheus-client is there.  Prints "name{labels} value"
# lines, sorted, for the checks below.
cat >"$MP_DIR/parse.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if not text.endswith("\n"):
    sys.exit("no final newline")
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$"
                    % (NAME, LABEL, LABEL))
help_re = re.compile(r"^# HELP (%s) \S.*$" % NAME)
type_re = re.compile(r"^# TYPE (%s) (counter|gauge|summary|histogram|untyped)$" % NAME)
seen, fam, ftype, helped, out = set(), None, None, None, []
for n, line in enumerate(text.splitlines(), 1):
    where = "line %d: %r" % (n, line)
    m = help_re.match(line)
    if m:
        if m.group(1) in seen:
            sys.exit("family twice: " + where)
        helped = m.group(1)
        continue
    m = type_re.match(line)
    if m:
        if m.group(1) != helped:
            sys.exit("TYPE without its HELP: " + where)
        fam, ftype = m.group(1), m.group(2)
        seen.add(fam)
        continue
    m = sample.match(line)
    if not m:
        sys.exit("not a sample: " + where)
    name = m.group(1)
    ok = name == fam or (ftype == "summary" and name in (fam + "_sum", fam + "_count"))
    if not ok:
        sys.exit("sample outside its family %s: %s" % (fam, where))
    if ftype == "summary" and name == fam and 'quantile="' not in line:
        sys.exit("summary sample without quantile: " + where)
    if ftype == "counter" and float(m.group(3)) < 0:
        sys.exit("negative counter: " + where)
    out.append(line)
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    pass
else:
    fams = list(text_string_to_metric_families(text))
    if len(fams) != len(seen):
        sys.exit("prometheus_client read %d families, expected %d" % (len(fams), len(seen)))
print("\n".join(sorted(out)))
PY
# python3 with prometheus_client if there is one (Debian's beside a pyenv)
PY=python3
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import prometheus_client' 2>/dev/null; then
		PY=$p
		break
	fi
done

scrape_http() { # PATH OUTFILE: GET, the status code on stdout
	"$PY" - "$mport" "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
port, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path), timeout=5)
    open(out, "wb").write(r.read())
    print(r.status, r.headers.get("Content-Type"))
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
value() { # PARSED SAMPLE: the value of one sample line ("cmm_epoch", ...)
	awk -v s="$2" '$1 == s { print $2; found = 1 } END { exit !found }' "$1"
}
check() { # PARSED WHAT SAMPLE EXPECTED
	v=$(value "$1" "$3") || mp_fail "$2: no $3 in $(basename "$1")"
	[ "$v" = "$4" ] || mp_fail "$2: $3 is $v, expected $4"
}
at_least() { # PARSED WHAT SAMPLE MIN
	v=$(value "$1" "$3") || mp_fail "$2: no $3"
	[ "${v%%.*}" -ge "$4" ] || mp_fail "$2: $3 is $v, expected at least $4"
}

mp_start_all "0 1 2"
mp_wait 15 "three-node cluster" mp_all "0 1 2" members 0,1,2
# wait for two heartbeats from each peer: the summary has its quantiles
sleep_for_hb() {
	mp_ctl 0 metrics >"$MP_DIR/m.txt" || return 1
	grep -q '^cmm_heartbeat_interval_seconds{peer="2",quantile="0.5"}' "$MP_DIR/m.txt" &&
	grep -q '^cmm_heartbeat_interval_seconds{peer="1",quantile="0.5"}' "$MP_DIR/m.txt"
}
mp_wait 5 "heartbeat quantiles" sleep_for_hb

e=$(mp_get 0 epoch)
mp_ctl 0 metrics >"$MP_DIR/ctl.txt" || mp_fail "ctl metrics"
"$PY" "$MP_DIR/parse.py" "$MP_DIR/ctl.txt" >"$MP_DIR/ctl.p" || mp_fail "ctl metrics: bad format"
r=$(scrape_http /metrics "$MP_DIR/http.txt")
case "$r" in
"200 text/plain; version=0.0.4"*) ;;
*) mp_fail "GET /metrics: $r" ;;
esac
"$PY" "$MP_DIR/parse.py" "$MP_DIR/http.txt" >"$MP_DIR/http.p" || mp_fail "GET /metrics: bad format"
# the same families both ways
for p in ctl http; do
	sed 's/[{ ].*//' "$MP_DIR/$p.p" | sort -u >"$MP_DIR/$p.names"
done
cmp -s "$MP_DIR/ctl.names" "$MP_DIR/http.names" ||
	mp_fail "ctl and HTTP name different metrics"
for p in ctl http; do
	f=$MP_DIR/$p.p
	check "$f" "$p" cmm_epoch "$e"
	check "$f" "$p" cmm_quorate 1
	check "$f" "$p" cmm_members 3
	check "$f" "$p" 'cmm_state{state="member"}' 1
	check "$f" "$p" 'cmm_state{state="joining"}' 0
	at_least "$f" "$p" cmm_commits_total 1
	at_least "$f" "$p" cmm_datagrams_received_total 1
	at_least "$f" "$p" cmm_datagrams_sent_total 1
	check "$f" "$p" 'cmm_datagrams_dropped_total{reason="auth"}' 0
	check "$f" "$p" 'cmm_peer_up{peer="2"}' 1
	at_least "$f" "$p" 'cmm_heartbeat_interval_seconds_count{peer="1"}' 1
	check "$f" "$p" 'cmm_prompts_total{kind="winner"}' 0
done
# a heartbeat every heartbeat_ms (default 100 ms): the median says so
med=$(value "$MP_DIR/ctl.p" 'cmm_heartbeat_interval_seconds{peer="1",quantile="0.5"}')
awk -v m="$med" 'BEGIN { exit !(m >= 0.05 && m <= 0.3) }' ||
	mp_fail "median heartbeat interval $med s, expected about 0.1"

# node 2 fails: a new epoch, two members, a fence, the counters move
c0=$(value "$MP_DIR/ctl.p" cmm_commits_total)
mp_kill 2
mp_wait 10 "commit of 0,1" mp_all "0 1" members 0,1
mp_wait 10 "fence of node 2" grep -q "fencing {2}" "$MP_DIR/node0.log"
e=$(mp_get 0 epoch)
r=$(scrape_http /metrics "$MP_DIR/http2.txt")
"$PY" "$MP_DIR/parse.py" "$MP_DIR/http2.txt" >"$MP_DIR/http2.p" || mp_fail "GET /metrics: bad format after the failure"
f=$MP_DIR/http2.p
check "$f" after cmm_epoch "$e"
check "$f" after cmm_members 2
check "$f" after cmm_quorate 1
check "$f" after 'cmm_peer_up{peer="2"}' 0
at_least "$f" after cmm_commits_total $((c0 + 1))
at_least "$f" after cmm_fences_total 1
# node 2 shares a device with node 0: fenced, not "not fenced"
check "$f" after cmm_not_fenced_total 0
# the round that dropped node 2 was chosen by one of 0 and 1
mp_ctl 1 metrics >"$MP_DIR/ctl1.txt" || mp_fail "ctl metrics on node 1"
"$PY" "$MP_DIR/parse.py" "$MP_DIR/ctl1.txt" >"$MP_DIR/ctl1.p" || mp_fail "node 1: bad format"
chosen=$(( $(value "$f" 'cmm_round_outcomes_total{outcome="chosen"}') + \
	$(value "$MP_DIR/ctl1.p" 'cmm_round_outcomes_total{outcome="chosen"}') ))
[ "$chosen" -ge 1 ] || mp_fail "no chosen round counted on 0 or 1"

# only /metrics, only GET, only the configured address
[ "$(scrape_http /other "$MP_DIR/x")" = 404 ] || mp_fail "GET /other is not 404"
r=$("$PY" - "$mport" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:%s/metrics" % sys.argv[1], data=b"x", method="POST")
try:
    print(urllib.request.urlopen(req, timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
)
[ "$r" = 405 ] || mp_fail "POST /metrics gave $r, expected 405"
r=$("$PY" - "$mport" <<'PY'
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/metrics" % sys.argv[1], method="HEAD")
r = urllib.request.urlopen(req, timeout=5)
print(r.status, len(r.read()))
PY
)
[ "$r" = "200 0" ] || mp_fail "HEAD /metrics: $r, expected 200 and no body"
"$PY" - "$mport" <<'PY' || mp_fail "the metrics port answers on 127.0.0.2: bound wider than configured"
import socket, sys
try:
    socket.create_connection(("127.0.0.2", int(sys.argv[1])), timeout=2).close()
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)
PY

# start errors: a bad value names the key, a taken port stops the node
cp "$MP_CONF" "$MP_DIR/bad.conf"
sed -i "s/^metrics_listen = .*/metrics_listen = localhost:9100/" "$MP_DIR/bad.conf"
"$CMM" node -c "$MP_DIR/bad.conf" --id 0 --headless >"$MP_DIR/bad.out" 2>&1 </dev/null
rc=$?
if [ "$rc" != 2 ] || ! grep -q "metrics_listen" "$MP_DIR/bad.out"; then
	mp_fail "bad metrics_listen: exit $rc, $(cat "$MP_DIR/bad.out")"
fi
sed -i "s/^metrics_listen = .*/metrics_listen = 127.0.0.1:$mport/; s/^address = 127.0.0.1:$((MP_PORT + 2))\$/&\nmetrics_listen = 127.0.0.1:$mport/" "$MP_DIR/bad.conf"
"$CMM" node -c "$MP_DIR/bad.conf" --id 2 --headless >"$MP_DIR/taken.out" 2>&1 </dev/null
rc=$?
if [ "$rc" != 1 ] || ! grep -q "metrics_listen: cannot listen on 127.0.0.1:$mport" "$MP_DIR/taken.out"; then
	mp_fail "taken metrics port: exit $rc, $(cat "$MP_DIR/taken.out")"
fi
echo "ok (epoch $e, heartbeat median $med s)"
