# SPDX-License-Identifier: GPL-3.0-or-later
# report.awk: the benchmark's tables (stdout), targets and results.json from
# the rows the bench scripts wrote (stats.awk format, tab-separated).
#   -v json=FILE      where the JSON goes
#   -v planned="failover=10 ..."   trials each experiment meant to run
#   -v incomplete=FILE             "EXPERIMENT N" per trial that never ended
#   -v fs=...         what the state dirs of the loopback runs were on
BEGIN {
	FS = "\t"
	n = split(planned, pl, " ")
	for (i = 1; i <= n; i++) {
		split(pl[i], kv, "=")
		plan[kv[1]] = kv[2]
	}
	if (incomplete != "")
		while ((getline line < incomplete) > 0) {
			split(line, f, " ")
			inc[f[1] SUBSEP f[2]]++
		}
	title["failover"] = "1. Failover: one member SIGKILLed per trial, " \
	    "rotating from the crown prince\n   (heartbeat_ms 50, " \
	    "failure_timeout_ms 500; real processes on loopback; state on " fs ")"
	title["failover_phases"] = "   where the overhead goes: the last " \
	    "survivor past each mark (ms)"
	title["failover_tmpfs"] = "1b. The same with every state dir on " \
	    "tmpfs (/dev/shm): fsync costs nothing"
	title["failover_tmpfs_phases"] = "   where the overhead goes, on tmpfs"
	title["failover_fig1"] = "1c. The FIG. 1 cluster: six nodes, a ring " \
	    "of six quorum devices, the default timings"
	title["failover_fig1_phases"] = "   where the overhead goes, FIG. 1"
	title["disk_floor"] = "1f. The disk the nodes share: N processes " \
	    "at once, each making two in-place\n    writes durable in turn " \
	    "(the round's two); state dir on " fs "; N = 1: one node's cost"
	title["process_crash"] = "1d. Process crash on a real network: one " \
	    "daemon SIGKILLed per trial, its host alive;\n    every node in " \
	    "its own network namespace on a bridge (heartbeat_ms 50, " \
	    "failure_timeout_ms 500)"
	title["host_loss"] = "1e. Host loss: the node's link goes down (no " \
	    "ICMP error, nothing answers); the same layout and timings"
	title["corosync"] = "6. Corosync beside cmm: three nodes in network " \
	    "namespaces, one SIGKILLed per trial;\n   token 1000 + (3 - 2) " \
	    "* token_coefficient 650 = 1650 ms, consensus 1.2 * 1650"
	title["cmm_vs_corosync"] = "   cmm in the same layout, " \
	    "failure_timeout_ms 1650 (heartbeat_ms 50)"
	title["vs_corosync"] = "   cmm / Corosync, the medians: kill -> " \
	    "last commit over kill -> new membership"
	title["simultaneous_failures"] = "2. Simultaneous failures: " \
	    "floor((N-1)/2) members SIGKILLed at once"
	title["joins"] = "3. Simultaneous joins: the upper N/2 nodes start " \
	    "at once into a running cluster of the rest"
	title["sim"] = "4. Simulator (cmm sim): start, converge, kill the " \
	    "crown prince, all commit (750 ms simulated)"
	title["sim_random"] = "4b. Simulator at scale: cmm sim --nodes 1024 " \
	    "--seed 1 --random-faults --duration 20s, one run"
	title["idle"] = "5. Idle cost: daemons with the default timings"
	nexp = split("failover failover_phases failover_tmpfs " \
	    "failover_tmpfs_phases failover_fig1 failover_fig1_phases " \
	    "disk_floor process_crash host_loss simultaneous_failures joins sim " \
	    "sim_random idle " \
	    "corosync cmm_vs_corosync vs_corosync", order,
	    " ")
	for (i = 1; i <= nexp; i++)
		known[order[i]] = 1
}

{
	if (NF < 8)
		next
	e = $1
	if (!(e in known)) {
		known[e] = 1
		order[++nexp] = e
	}
	nrow[e]++
	row[e, nrow[e]] = $0
	key = e SUBSEP $2 SUBSEP $3
	mn[key] = $4; md[key] = $5; p9[key] = $6; mx[key] = $7; tr[key] = $8
}

function num(x) {
	return x == "NA" ? "null" : x
}

# target(e, N, metric): "" or the verdict for that row
function target(e, nn, m,    key, t, ok, pl, ic) {
	key = e SUBSEP nn SUBSEP m
	pl = plan[e]
	ic = inc[e SUBSEP nn] + 0
	if (e == "failover" && m == "overhead_ms" && nn == 16) {
		t = "median <= 2 ms"
		ok = md[key] != "NA" && md[key] + 0 <= 2
	} else if (e == "process_crash" && m == "kill_to_commit_ms") {
		t = "median <= 50 ms"
		ok = md[key] != "NA" && md[key] + 0 <= 50
	} else if (e == "host_loss" && m == "kill_to_commit_ms" && nn == 16) {
		t = "median <= failure timeout + 2 ms"
		ok = md[key] != "NA" && md[key] + 0 <= 502
	} else if (e == "vs_corosync") {
		t = "<= 0.05"
		ok = md[key] != "NA" && md[key] + 0 <= 0.05
	} else if ((e == "failover" || e == "simultaneous_failures" ||
	    e == "joins" ||
	    e == "process_crash" || e == "host_loss") && m == "epoch_steps") {
		t = "1 in every trial"
		ok = tr[key] + 0 > 0 && mn[key] == 1 && mx[key] == 1 && ic == 0 &&
		    (pl == "" || tr[key] + 0 >= pl)
		if (ic > 0)
			t = t ", " ic " never ended"
		else if (pl != "" && tr[key] + 0 < pl)
			t = t ", " tr[key] " of " pl " ran"
	} else if (e == "sim" && m == "sim_wall_s" && nn == 1024) {
		t = "<= 2 s at 1024"
		ok = md[key] != "NA" && md[key] + 0 <= 2
	} else if (e == "sim_random" && m == "random_wall_s") {
		t = "<= 60 s"
		ok = md[key] != "NA" && md[key] + 0 <= 60
	} else if (e == "sim_random" && m == "random_peak_rss_mb") {
		t = "<= 500 MB"
		ok = md[key] != "NA" && md[key] + 0 <= 500
	} else if (e == "idle" && m == "cpu_pct" && nn == 16) {
		t = "<= 0.5 % each"
		ok = mx[key] != "NA" && mx[key] + 0 <= 0.5
	} else
		return ""
	verdict[++nv] = sprintf("%-58s %s", e " N=" nn " " m " (" t "):",
	    ok ? "met" : "NOT MET")
	return t ": " (ok ? "met" : "NOT MET")
}

END {
	print "[" >json
	first = 1
	for (x = 1; x <= nexp; x++) {
		e = order[x]
		if (!nrow[e])
			continue
		printf "\n%s\n", (e in title) ? title[e] : e
		printf "  %5s  %-24s %10s %10s %10s %10s %6s  %s\n", "nodes",
		    "metric", "min", "median", "p90", "max", "trials", "target"
		for (r = 1; r <= nrow[e]; r++) {
			split(row[e, r], f, "\t")
			t = target(e, f[2], f[3])
			printf "  %5s  %-24s %10s %10s %10s %10s %6s  %s\n", f[2],
			    f[3], f[4], f[5], f[6], f[7], f[8], t
			printf "%s  {\"experiment\": \"%s\", \"nodes\": %s, " \
			    "\"metric\": \"%s\", \"min\": %s, \"median\": %s, " \
			    "\"p90\": %s, \"max\": %s, \"trials\": %s%s%s}",
			    first ? "" : ",\n", e, f[2], f[3], num(f[4]),
			    num(f[5]), num(f[6]), num(f[7]), f[8],
			    inc[e SUBSEP f[2]] ? ", \"incomplete\": " \
			    inc[e SUBSEP f[2]] : "",
			    f[9] != "" ? ", " f[9] : "" >json
			first = 0
		}
	}
	print "\n]" >json
	close(json)
	printf "\nTargets (printed, not enforced)\n"
	for (i = 1; i <= nv; i++)
		printf "  %s\n", verdict[i]
}
