/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sim_main: `cmm sim`, the command line of the deterministic simulator:
 * options, one run per seed, the summary line and the --json report
 * (emitted by hand: the pure part links with libc alone).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/sim/sim.h"
#include "util/parse.h"

struct simcli {
	int		nodes_lo, nodes_hi;
	uint64_t	seed_lo, seed_hi;
	bool		random_faults;
	uint32_t	faults;
	bool		explore;
	int		depth;
	int		crashes;
	int64_t		duration;
	const char	*script;
	bool		json;
	unsigned	bugs;
	bool		plant_replay;
	bool		trace;
	bool		quiet;
	bool		unbatched;
	bool		no_power_cuts;
};

static const struct {
	const char	*name;
	unsigned	bug;
	const char	*what;
} sim_bugs[] = {
	{ "crown-prince", CMM_BUG_CROWN_PRINCE,
	    "a tie (or one of two) wins without the crown prince rule" },
	{ "half", CMM_BUG_HALF, "quorum off by one: any half is a quorum" },
	{ "skip-highest", CMM_BUG_SKIP_HIGHEST,
	    "the highest-ballot rule skipped: promises' values ignored" },
	{ "accept-volatile", CMM_BUG_ACCEPT_VOLATILE,
	    "an accept is not persisted before ACCEPTED" },
	{ "learn-accept", CMM_BUG_LEARN_ACCEPT,
	    "an ACCEPT taken as chosen (learning an uncommitted value)" },
	{ "skip-fence", CMM_BUG_SKIP_FENCE, "commit without fencing" },
	{ "commit-early", CMM_BUG_COMMIT_EARLY, "announce before persisting" },
	{ "restless", CMM_BUG_RESTLESS,
	    "a step without cause every 3 failure timeouts" },
	{ "deaf", CMM_BUG_DEAF, "members ignore petitions: no node joins" },
	{ "flush-later", CMM_BUG_FLUSH_LATER,
	    "every commit announced before its flush, even a stand-in's" },
	{ "fast-unflushed", CMM_BUG_FAST_UNFLUSHED,
	    "attempt 0's ACCEPTs sent before an announced commit is "
	    "flushed" },
	{ "replay", 0, "the simulator skips the replay window" },
};

static void	sim_usage(FILE *f);
static int	sim_range(const char *text, uint64_t lo_min, uint64_t hi_max,
		    uint64_t *lo, uint64_t *hi);
static int	sim_run_one(const struct simcli *cli, uint64_t seed);
static void	sim_json(const struct cmm_sim *s, const char *mode, FILE *f);
static void	json_str(FILE *f, const char *text);

static void
sim_usage(FILE *f)
{
	fprintf(f,
"usage: cmm sim [--nodes N|A..B] [--seed S | --seeds A..B]\n"
"               [--random-faults] [--faults LIST] [--duration D]\n"
"               [--script FILE [--explore [--depth D]]]\n"
"               [--plant-bug NAME]... [--json] [--trace] [--quiet]\n"
"               [--unbatched] [--no-power-cuts]\n"
"\n"
"Runs protocol cores against a virtual clock, network and quorum devices,\n"
"checking the protocol's properties (agreement, quorum chain, fencing,\n"
"persist before announce, devices, replay, liveness, a timer that\n"
"fires) after every event;\n"
"the same seed gives the same run and the same trace-hash.\n"
"\n"
"  --nodes N|A..B    node count (random mode; default 6); a range picks\n"
"                    A + seed %% (B-A+1), so --seeds covers every size\n"
"  --seed S          seed of the network, the devices and every core (1)\n"
"  --seeds A..B      run each seed; one summary line each; exit 1 if any\n"
"                    failed\n"
"  --random-faults   a swarm: each seed draws a subset of the fault classes\n"
"                    below and injects them during --duration; then heal,\n"
"                    check liveness, then one burst of (n-1)/2 failures\n"
"                    that must cost exactly one epoch\n"
"  --faults LIST     pin the fault classes (implies --random-faults):\n"
"                    loss dup jitter oneway partition nontransitive crash\n"
"                    crash-accept crash-commit roundloss leave slowdev\n"
"                    staydead, or all\n"
"  --duration D      fault period of random mode, e.g. 20s, 1500ms (20s)\n"
"  --script FILE     run a scenario (see below) instead of random mode\n"
"  --plant-bug NAME  plant a bug the checker must catch:\n");
	for (size_t i = 0; i < sizeof(sim_bugs) / sizeof(sim_bugs[0]); i++)
		fprintf(f, "                      %-13s %s\n", sim_bugs[i].name,
		    sim_bugs[i].what);
	fprintf(f,
"  --explore         with --script: from its `explore` statement on, walk\n"
"                    every order of delivery, loss and crash point of the\n"
"                    round's messages to --depth choices (8), at most\n"
"                    --crashes crashes a path (1; a power cut right after\n"
"                    a COMMIT or ACCEPTED is one); print the paths explored\n"
"                    and the first violating path as a scenario\n"
"  --json            print one JSON object per run: commits, violations,\n"
"                    failures, queued_events, verdict, trace_hash\n"
"  --trace           print every trace line as it happens\n"
"  --quiet           print only the summary line (and any failure)\n"
"  --unbatched       one event per delivered copy, not one per send and\n"
"                    arrival time: the same run, slower (the reference\n"
"                    the batching is tested against)\n"
"  --no-power-cuts   every crash right after a commit is a process crash;\n"
"                    by default every second one after a commit announced\n"
"                    before its flush is a power cut that loses the commit,\n"
"                    at the announce or up to 8 effects after it in that\n"
"                    input (seeds recorded before that existed)\n"
"\n"
"Scenario files: one statement a line, # comments; T is a time with a\n"
"unit (500ms, 2s, 1.5s); LIST is ids and ranges (0-3,5).\n"
"  nodes N                          device NAME A B [C...]\n"
"  set KEY VALUE   (heartbeat_ms failure_timeout_ms round_timeout_ms\n"
"                   join_retry_ms prompt_timeout_s initial_quorum\n"
"                   isolation winner on_quorum_loss)\n"
"  policy isolation|winner|initial_quorum VALUE\n"
"  at T start LIST|all     at T kill LIST      at T restart LIST\n"
"  at T leave N            at T join N\n"
"  at T partition LIST | LIST [| LIST...]   (unnamed nodes: one more group)\n"
"  at T cut A B            at T cut A -> B     at T heal\n"
"  at T loss FRACTION      at T duplicate FRACTION\n"
"  at T drop TYPES A -> B   (until heal; prepare,promise,nack,accept,\n"
"                           accepted,commit,heartbeat,leave; propose =\n"
"                           accept,accepted; round = every round type)\n"
"  at T jitter MS          at T device-latency MS [JITTER_MS]\n"
"  at T forget LIST        (restart with the state lost)\n"
"  at T power-cut LIST     (the power goes right after each one's next\n"
"                          commit's announce; down until restarted)\n"
"  at T explore [path P]   (where --explore starts; P replays one path)\n"
"  at T answer N isolated|not-isolated|winner M\n"
"  expect at T cluster LIST      expect at T state N STATE|down\n"
"  expect at T prompt N isolation|winner|none   expect at T alarm N\n"
"  expect steps T1 T2 K          (K new epochs first committed in [T1,T2])\n"
"\n"
"Exit: 0 every property and expectation held; 1 a violation or a failed\n"
"expectation (each named); 2 bad usage or a malformed scenario line.\n");
}

/* "7" or "3..16". */
static int
sim_range(const char *text, uint64_t lo_min, uint64_t hi_max, uint64_t *lo,
    uint64_t *hi)
{
	const char *dots = strstr(text, "..");
	unsigned long long a, b;
	char first[32];

	if (dots == NULL) {
		if (cmm_parse_uint(text, lo_min, hi_max, &a, NULL, 0) != 0)
			return -1;
		*lo = *hi = a;
		return 0;
	}
	if ((size_t)(dots - text) >= sizeof(first))
		return -1;
	memcpy(first, text, (size_t)(dots - text));
	first[dots - text] = '\0';
	if (cmm_parse_uint(first, lo_min, hi_max, &a, NULL, 0) != 0 ||
	    cmm_parse_uint(dots + 2, a, hi_max, &b, NULL, 0) != 0)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

static void
json_str(FILE *f, const char *text)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_set(FILE *f, const struct cmm_set *set)
{
	bool first = true;

	fputc('[', f);
	for (int i = cmm_set_next(set, 0); i >= 0; i = cmm_set_next(set, i + 1)) {
		fprintf(f, "%s%d", first ? "" : ",", i);
		first = false;
	}
	fputc(']', f);
}

static void
sim_json(const struct cmm_sim *s, const char *mode, FILE *f)
{
	bool pass = !s->violated && s->nfailures == 0;

	fprintf(f, "{\"seed\":%" PRIu64 ",\"nodes\":%d,\"mode\":", s->o.seed,
	    s->n);
	json_str(f, mode);
	fprintf(f, ",\"end_ms\":%" PRId64 ",\"commits\":[", s->now);
	for (size_t i = 0; i < s->nclog; i++) {
		const struct cmm_sim_commit *c = &s->clog[i];

		fprintf(f, "%s{\"epoch\":%" PRIu32 ",\"members\":",
		    i ? "," : "", c->epoch);
		json_set(f, &c->members);
		fprintf(f, ",\"time\":%" PRId64 ",\"node\":%d,\"reason\":",
		    c->time, c->node);
		json_str(f, c->reason);
		fputc('}', f);
	}
	fprintf(f, "],\"violations\":[");
	if (s->violated) {
		fprintf(f, "{\"time\":%" PRId64 ",\"what\":", s->violation_time);
		json_str(f, s->violation);
		fputc('}', f);
	}
	fprintf(f, "],\"failures\":[");
	for (size_t i = 0; i < s->nfailures; i++) {
		if (i)
			fputc(',', f);
		json_str(f, s->failures[i]);
	}
	fprintf(f, "],\"epochs\":%zu,\"rounds\":%" PRIu64 ",\"messages\":%"
	    PRIu64 ",\"bytes\":%" PRIu64 ",\"drops\":%" PRIu64
	    ",\"queued_events\":%" PRIu64
	    ",\"verdict\":\"%s\",\"trace_hash\":\"0x%016" PRIx64 "\"}\n",
	    s->nepochs, s->st.rounds, s->st.datagrams, s->st.bytes,
	    s->st.drop_down + s->st.drop_cut + s->st.drop_loss +
	    s->st.drop_type + s->st.drop_replay, s->st.queued,
	    pass ? "pass" : "fail", s->hash);
}

static int
sim_run_one(const struct simcli *cli, uint64_t seed)
{
	struct cmm_sim_opts o;
	struct cmm_sim *s;
	const char *mode;
	char err[512];
	uint64_t bpm, drops;
	int rc;

	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.faults = cli->faults;
	o.plant_replay = cli->plant_replay;
	o.trace_all = cli->trace;
	o.json = cli->json;
	o.unbatched = cli->unbatched;
	o.no_power_cuts = cli->no_power_cuts;
	o.out = cli->json ? stderr : stdout;
	o.nodes = cli->nodes_lo + (int)(seed % (uint64_t)(cli->nodes_hi -
	    cli->nodes_lo + 1));
	if (cli->script != NULL) {
		mode = "script";
		s = cmm_sim_script_load(cli->script, &o, cli->bugs, err,
		    sizeof(err));
		if (s == NULL) {
			fprintf(stderr, "cmm sim: %s\n", err);
			return 2;
		}
	} else {
		mode = cli->random_faults ? "random" : "calm";
		if ((s = cmm_sim_new(&o)) == NULL) {
			fprintf(stderr, "cmm sim: cannot simulate %d nodes\n",
			    o.nodes);
			return 2;
		}
		s->cfg->bugs = cli->bugs;
		/* without faults: starts, liveness and the burst only */
		cmm_sim_random_setup(s, cli->duration, cli->random_faults);
		if (cmm_sim_ready(s) != 0) {
			fprintf(stderr, "cmm sim: out of memory\n");
			cmm_sim_free(s);
			return 2;
		}
	}
	if ((cli->explore || s->xpath != NULL) && (s->explore_line == 0 ||
	    cmm_sim_explore_setup(s, cli->explore, cli->depth, cli->crashes) != 0)) {
		fprintf(stderr, "cmm sim: %s: %s\n", cli->script, s->explore_line == 0 ?
		    "no explore statement to start from" : "bad explore path");
		cmm_sim_free(s);
		return 2;
	}
	if (cli->explore) {
		struct timespec t0, t1;

		/* the paths print nothing but the summary */
		s->o.trace_all = false;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		cmm_sim_run(s);
		cmm_sim_explore_end(s);	/* a child ends here */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		rc = cmm_sim_explore_report(s, cli->script, stdout,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		cmm_sim_free(s);
		return rc;
	}
	rc = cmm_sim_run(s);
	if (rc == 0 && s->nfailures > 0)
		rc = 1;
	if (cli->json) {
		sim_json(s, mode, stdout);
		if (s->violated)
			cmm_sim_report_violation(s, stderr);
	} else {
		if (s->violated)
			cmm_sim_report_violation(s, stdout);
		for (size_t i = 0; i < s->nfailures; i++)
			printf("%s:%s\n", cli->script ? cli->script : "sim",
			    s->failures[i]);
		drops = s->st.drop_down + s->st.drop_cut + s->st.drop_loss +
		    s->st.drop_type + s->st.drop_replay;
		bpm = s->st.datagrams ? s->st.bytes * 10 / s->st.datagrams : 0;
		if (!cli->quiet)
			printf("seed %" PRIu64 " nodes %d %s %" PRId64 " ms: "
			    "epochs %zu, rounds %" PRIu64 ", commits %" PRIu64
			    ", messages %" PRIu64 ", bytes/message %" PRIu64
			    ".%" PRIu64 ", drops %" PRIu64 " (down %" PRIu64
			    ", cut %" PRIu64 ", loss %" PRIu64 ", type %"
			    PRIu64 ", replay %" PRIu64 "), duplicates %" PRIu64
			    ", device ops %" PRIu64 ", crashes %" PRIu64
			    ", expectations %d\n", seed, s->n, mode, s->now,
			    s->nepochs, s->st.rounds, s->st.commits,
			    s->st.datagrams, bpm / 10, bpm % 10, drops,
			    s->st.drop_down, s->st.drop_cut, s->st.drop_loss,
			    s->st.drop_type, s->st.drop_replay, s->st.dups,
			    s->st.devops, s->st.crashes, s->expectations);
		printf("seed %" PRIu64 " nodes %d: %s epochs %zu trace-hash "
		    "0x%016" PRIx64 "\n", seed, s->n, rc == 0 ? "PASS" : "FAIL",
		    s->nepochs, s->hash);
	}
	cmm_sim_free(s);
	return rc;
}

int
cmm_sim_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "seeds", required_argument, NULL, 'S' },
		{ "random-faults", no_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "faults", required_argument, NULL, 'F' },
		{ "explore", no_argument, NULL, 'X' },
		{ "depth", required_argument, NULL, 'D' },
		{ "crashes", required_argument, NULL, 'C' },
		{ "script", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "plant-bug", required_argument, NULL, 'b' },
		{ "trace", no_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "unbatched", no_argument, NULL, 'U' },
		{ "no-power-cuts", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct simcli cli;
	uint64_t lo, hi;
	int c, worst = 0, failed = 0, runs = 0;
	size_t i;

	memset(&cli, 0, sizeof(cli));
	cli.nodes_lo = cli.nodes_hi = 6;
	cli.seed_lo = cli.seed_hi = 1;
	cli.duration = 20000;
	cli.depth = 8;
	cli.crashes = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (sim_range(optarg, 1, CMM_MAX_NODES, &lo, &hi) != 0) {
				fprintf(stderr, "cmm sim: --nodes '%s': want N or "
				    "A..B within 1..%d\n", optarg, CMM_MAX_NODES);
				return 2;
			}
			cli.nodes_lo = (int)lo;
			cli.nodes_hi = (int)hi;
			break;
		case 's':
		case 'S':
			if (sim_range(optarg, 0, UINT64_MAX - 1, &lo, &hi) != 0 ||
			    (c == 's' && lo != hi)) {
				fprintf(stderr, "cmm sim: --%s '%s': want %s\n",
				    c == 's' ? "seed" : "seeds", optarg,
				    c == 's' ? "a number" : "A..B");
				return 2;
			}
			cli.seed_lo = lo;
			cli.seed_hi = hi;
			break;
		case 'r':
			cli.random_faults = true;
			break;
		case 'd':
			if (cmm_sim_parse_time(optarg, &cli.duration) != 0 ||
			    cli.duration > INT64_C(86400000)) {
				fprintf(stderr, "cmm sim: --duration '%s': want a "
				    "time like 60s or 1500ms\n", optarg);
				return 2;
			}
			break;
		case 'f':
			cli.script = optarg;
			break;
		case 'X':
			cli.explore = true;
			break;
		case 'D':
		case 'C': {
			long long v;

			if (cmm_parse_int(optarg, 0, c == 'D' ? 200 : 8, &v,
			    NULL, 0) != 0) {
				fprintf(stderr, "cmm sim: --%s '%s': want 0..%d\n",
				    c == 'D' ? "depth" : "crashes", optarg,
				    c == 'D' ? 200 : 8);
				return 2;
			}
			if (c == 'D')
				cli.depth = (int)v;
			else
				cli.crashes = (int)v;
			break;
		}
		case 'F':
			if (cmm_sim_parse_faults(optarg, &cli.faults) != 0) {
				fprintf(stderr, "cmm sim: --faults '%s': want a list "
				    "of fault classes or all (see cmm sim --help)\n",
				    optarg);
				return 2;
			}
			cli.random_faults = true;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'b':
			for (i = 0; i < sizeof(sim_bugs) / sizeof(sim_bugs[0]); i++)
				if (strcmp(optarg, sim_bugs[i].name) == 0)
					break;
			if (i == sizeof(sim_bugs) / sizeof(sim_bugs[0])) {
				fprintf(stderr, "cmm sim: --plant-bug '%s': unknown "
				    "(see cmm sim --help)\n", optarg);
				return 2;
			}
			cli.bugs |= sim_bugs[i].bug;
			if (sim_bugs[i].bug == 0)
				cli.plant_replay = true;
			break;
		case 't':
			cli.trace = true;
			break;
		case 'q':
			cli.quiet = true;
			break;
		case 'U':
			cli.unbatched = true;
			break;
		case 'P':
			cli.no_power_cuts = true;
			break;
		case 'h':
			sim_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "cmm sim: bad option '%s' (see cmm sim "
			    "--help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cmm sim: unexpected argument '%s'\n",
		    argv[optind]);
		return 2;
	}
	if (cli.explore && (cli.script == NULL || cli.seed_lo != cli.seed_hi)) {
		fprintf(stderr, "cmm sim: --explore needs --script (one seed)\n");
		return 2;
	}
	if (cli.script != NULL && cli.random_faults) {
		fprintf(stderr, "cmm sim: --script and --random-faults exclude "
		    "each other\n");
		return 2;
	}
	for (uint64_t seed = cli.seed_lo; ; seed++) {
		int rc = sim_run_one(&cli, seed);

		runs++;
		if (rc == 2)
			return 2;
		if (rc != 0) {
			failed++;
			worst = 1;
		}
		if (seed == cli.seed_hi)
			break;
	}
	if (runs > 1 && !cli.json)
		printf("%d runs, %d failed\n", runs, failed);
	return worst;
}
