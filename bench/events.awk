# SPDX-License-Identifier: GPL-3.0-or-later
# events.awk: one trial from the nodes' `watch --json` streams (one JSON
# object a line; see src/ctl/cmd_watch.c).  Variables:
#   k        the kill (or start) time, CLOCK_MONOTONIC ns
#   victims  ids whose failure counts as the detection ("" for joins)
#   must     ids that must commit `want` for the trial to be complete
#   nodes    ids whose events count (failure detections, commits, steps)
#   want     the final members, as the stream spells them: 0,1,2
# Prints: COMPLETE DETECT_MS OVERHEAD_MS TOTAL_MS STEPS SEEN, then where
# the overhead went, from the last node to pass each mark:
#   SPREAD_MS   first detection -> last survivor's own detection
#   PROPOSE_MS  first detection -> last "proposing" (the presence phase
#               and the persisted proposal)
#   QUORUM_MS   last "proposing" -> last quorum decision: the coordinator
#               counts the ACCEPTEDs (the acceptors' write and a round
#               trip), each other node decides when its COMMIT arrives
#   COMMIT_MS   last quorum decision -> last commit (fence, persist)
#   ATTEMPT     the highest round attempt that proposed (0: no retry)
#   COMPLETE 1 when every `must` node committed `want` after k
#   DETECT   k -> first failure event naming a victim (NA for joins)
#   OVERHEAD first detection -> last commit of `want`
#   TOTAL    k -> last commit of `want`
#   STEPS    the most commits one node made after k up to `want`
#   SEEN     how many `nodes` were seen committing `want`
# Times are subtracted as (seconds, nanoseconds) pairs so that awk's
# doubles stay exact whatever the machine's uptime.
# A watcher that attached after its node had committed `want` (64 daemons
# starting at once on two CPUs: a node may commit before its watcher
# runs) has no commit event, only the snapshot the stream opens with: the
# node counts as done at the snapshot's time, a bound on its commit from
# above, and its steps are not known (STEPS is the most of the others).

function set_of(s, a,    n, i, f) {
	n = split(s, f, /[ ,]+/)
	for (i = 1; i <= n; i++)
		if (f[i] != "")
			a[f[i]] = 1
}

function field(name,    re) {
	re = "\"" name "\":[0-9]+"
	if (!match($0, re))
		return ""
	return substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
}

function since_ms(t,    s, ns) {
	s = length(t) > 9 ? substr(t, 1, length(t) - 9) + 0 : 0
	ns = substr(t, length(t) > 9 ? length(t) - 8 : 1) + 0
	return (s - ks) * 1000 + (ns - kns) / 1e6
}

BEGIN {
	set_of(victims, vic)
	set_of(must, mst)
	set_of(nodes, nd)
	ks = length(k) > 9 ? substr(k, 1, length(k) - 9) + 0 : 0
	kns = substr(k, length(k) > 9 ? length(k) - 8 : 1) + 0
	detect = ""
	attempt = 0
}

{
	if (!match($0, /"type":"[a-z-]+"/))
		next
	type = substr($0, RSTART + 8, RLENGTH - 9)
	if (type != "commit" && type != "failure" && type != "round" &&
	    type != "quorum" && type != "snapshot")
		next
	node = field("node")
	t = field("mono_ns")
	if (node == "" || t == "" || !(node in nd))
		next
	dt = since_ms(t)
	if (dt < 0)
		next
	if (type == "failure") {
		p = field("peer")
		if (p == "" || !(p in vic))
			next
		if (detect == "" || dt < detect)
			detect = dt
		if (!(node in det)) {
			det[node] = dt
			if (lastdet == "" || dt > lastdet)
				lastdet = dt
		}
		next
	}
	if (node in done)
		next
	if (type == "snapshot") {
		if (index($0, "\"state\":\"member\"") &&
		    match($0, /"members":\[[0-9,]*\]/) &&
		    substr($0, RSTART + 11, RLENGTH - 12) == want) {
			done[node] = 1
			ct[node] = dt
		}
		next
	}
	if (type == "round") {
		if (!index($0, " proposing "))
			next
		if (lastprop == "" || dt > lastprop)
			lastprop = dt
		a = field("round_attempt")
		if (a != "" && a + 0 > attempt)
			attempt = a + 0
		next
	}
	if (type == "quorum") {
		if (lastq == "" || dt > lastq)
			lastq = dt
		next
	}
	steps[node]++
	if (match($0, /"members":\[[0-9,]*\]/) &&
	    substr($0, RSTART + 11, RLENGTH - 12) == want) {
		done[node] = 1
		ct[node] = dt
	}
}

END {
	complete = 1
	for (i in mst)
		if (!(i in done))
			complete = 0
	last = ""
	maxsteps = 0
	seen = 0
	for (i in done) {
		seen++
		if (last == "" || ct[i] > last)
			last = ct[i]
		if (steps[i] > maxsteps)
			maxsteps = steps[i]
	}
	printf "%d %s %s %s %d %d %s %s %s %s %d\n", complete, ms(detect),
	    diff(last, detect), ms(last), maxsteps, seen, diff(lastdet, detect),
	    diff(lastprop, detect), diff(lastq, lastprop), diff(last, lastq),
	    attempt
}

function ms(a) {
	return a == "" ? "NA" : sprintf("%.3f", a)
}

function diff(a, b) {
	return (a == "" || b == "") ? "NA" : sprintf("%.3f", a - b)
}
