/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_cmd: the command table (src/ctl/cmd.h), an extra table beside it
 * (as `cmm demo` passes its own), and the control protocol's framing
 * (src/ctl/ctl_proto.h), without a node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/ctl/cmd.h"
#include "src/ctl/ctl_proto.h"

#define ALL	CMM_CMDF_FAULT

static CMM_CMD_FN(extra_row);

/* An extra table as a program with commands of its own passes it: the
 * names of the demo's rows, so the merged messages are the demo's. */
static const struct cmm_cmd_entry extra_table[] = {
	{ "cut", "A B [oneway]", 2, 3, CMM_CMDF_DEMO, "extra: cut", extra_row },
	{ "heal", "", 0, 0, CMM_CMDF_DEMO, "extra: heal", extra_row },
	{ "kill", "N", 1, 1, CMM_CMDF_DEMO, "extra: kill", extra_row },
	{ "quit", "", 0, 0, CMM_CMDF_DEMO, "extra: quit", extra_row },
	{ "start", "N", 1, 1, CMM_CMDF_DEMO, "extra: start", extra_row },
	{ "view", "N", 1, 1, CMM_CMDF_DEMO, "extra: view", extra_row },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};
static const struct cmm_cmd_entry *const both[] = { cmm_cmd_table,
    extra_table, NULL };

/* The extra rows' handler: says which row ran, with the env it got. */
static CMM_CMD_FN(extra_row)
{
	cmm_cmd_printf(ctx, "%s ran with %d args, env %s\n", ctx->entry->name,
	    argc, (const char *)ctx->env);
	return CMM_CMD_OK;
}

/* Looks a command line up; returns the row's name or NULL (err filled). */
static const char *
find_in(const struct cmm_cmd_entry *const *tables, const char *line,
    unsigned allow, int *used, char *err, size_t errlen)
{
	char				 buf[256], *argv[16];
	bool				 json;
	const char			*why;
	int				 argc;
	const struct cmm_cmd_entry	*e;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = cmm_ctl_parse_request(buf, &json, argv, 16, &why);
	assert_true(argc >= 0);
	e = cmm_cmd_find(tables, argc, argv, allow, used, err, errlen);
	return e ? e->name : NULL;
}

/* The node's table alone. */
static const char *
find(const char *line, unsigned allow, int *used, char *err, size_t errlen)
{
	return find_in(NULL, line, allow, used, err, errlen);
}

/* Runs a command without a node; returns what cmm_cmd_run returned. */
static enum cmm_cmd_ret
run(struct cmm_cmd_ctx *ctx, const char *line, unsigned allow, bool json)
{
	static char	buf[256];
	char		*argv[16];
	bool		 j;
	const char	*why;
	int		 argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = cmm_ctl_parse_request(buf, &j, argv, 16, &why);
	assert_true(argc >= 0);
	cmm_cmd_ctx_init(ctx, NULL, allow, json || j, -1);
	return cmm_cmd_run(ctx, argc, argv);
}

static void
test_lookup_exact_and_prefix(void **state)
{
	char	err[256];
	int	used;

	assert_string_equal(find("status", 0, &used, err, sizeof(err)), "status");
	assert_int_equal(used, 1);
	assert_string_equal(find("stat", 0, &used, err, sizeof(err)), "status");
	/* `start` exists only in the extra table: with it "st" is ambiguous,
	 * and the message lists the two tables' names in one order */
	assert_string_equal(find("st", 0, &used, err, sizeof(err)), "status");
	assert_null(find_in(both, "st", 0, &used, err, sizeof(err)));
	assert_string_equal(err, "ambiguous command 'st': start, status");
	assert_string_equal(find_in(both, "star", 0, &used, err, sizeof(err)),
	    "start");
	assert_string_equal(find_in(both, "stat", 0, &used, err, sizeof(err)),
	    "status");
	assert_string_equal(find("wait state member 3", 0, &used, err,
	    sizeof(err)), "wait state");
	assert_int_equal(used, 2);
	assert_string_equal(find("wai m 0-2", 0, &used, err, sizeof(err)),
	    "wait members");
	assert_string_equal(find("an w 1", 0, &used, err, sizeof(err)),
	    "answer winner");
	assert_string_equal(find("answer n", 0, &used, err, sizeof(err)),
	    "answer not-isolated");
	assert_string_equal(find("answer isolated", 0, &used, err, sizeof(err)),
	    "answer isolated");
	assert_string_equal(find("link c 3", CMM_CMDF_FAULT, &used, err,
	    sizeof(err)), "link cut");
	assert_string_equal(find("lin h", CMM_CMDF_FAULT, &used, err,
	    sizeof(err)), "link heal");
	assert_string_equal(find("re", 0, &used, err, sizeof(err)),
	    "reconfigure");
	/* an exact word wins over a longer name it prefixes */
	assert_string_equal(find_in(both, "help", ALL, &used, err, sizeof(err)),
	    "help");
}

static void
test_lookup_ambiguous(void **state)
{
	char	err[256];
	int	used;

	assert_null(find("wa", 0, &used, err, sizeof(err)));
	assert_string_equal(err, "ambiguous command 'wa': wait, watch");
	assert_null(find("l", CMM_CMDF_FAULT, &used, err, sizeof(err)));
	assert_string_equal(err, "ambiguous command 'l': leave, link, "
	    "list-commands, log");
	assert_null(find_in(both, "he", ALL, &used, err, sizeof(err)));
	assert_string_equal(err, "ambiguous command 'he': heal, help");
	assert_string_equal(find("he", ALL, &used, err, sizeof(err)), "help");
	/* a second word shared as a prefix by two rows */
	assert_null(find("answer", 0, &used, err, sizeof(err)));
	assert_non_null(strstr(err, "isolated, not-isolated, winner"));
}

static void
test_lookup_unknown(void **state)
{
	char	err[256];
	int	used;

	assert_null(find_in(both, "foo", ALL, &used, err, sizeof(err)));
	assert_string_equal(err, "unknown command 'foo' (try 'help')");
	assert_null(find("link bend 3", CMM_CMDF_FAULT, &used, err, sizeof(err)));
	assert_string_equal(err, "unknown command 'link bend' (link takes: cut, "
	    "heal)");
	/* rows hidden by their flags do not exist, nor rows of a table not
	 * passed */
	assert_null(find("link cut 3", 0, &used, err, sizeof(err)));
	assert_null(find("kill 3", CMM_CMDF_FAULT, &used, err, sizeof(err)));
	assert_string_equal(find_in(both, "kill 3", 0, &used, err,
	    sizeof(err)), "kill");
	assert_null(find("", 0, &used, err, sizeof(err)));
}

static void
test_hidden_rows_say_why(void **state)
{
	struct cmm_cmd_ctx ctx;

	assert_int_equal(run(&ctx, "link cut 3", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "link cut: fault injection is off "
	    "(fault_injection = on in the config)");
	cmm_cmd_ctx_free(&ctx);
	/* the node does not know the demo's rows */
	assert_int_equal(run(&ctx, "kill 3", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "unknown command 'kill' (try 'help')");
	cmm_cmd_ctx_free(&ctx);
}

static void
test_extra_table_runs(void **state)
{
	struct cmm_cmd_ctx	 ctx;
	char			 buf[64], *argv[8], env[] = "E";
	const char		*why;
	bool			 j;
	int			 argc;

	snprintf(buf, sizeof(buf), "vi 2");
	argc = cmm_ctl_parse_request(buf, &j, argv, 8, &why);
	cmm_cmd_ctx_init(&ctx, NULL, 0, false, -1);
	ctx.tables = both;
	ctx.env = env;
	assert_int_equal(cmm_cmd_run(&ctx, argc, argv), CMM_CMD_OK);
	assert_string_equal(ctx.text, "view ran with 1 args, env E\n");
	cmm_cmd_ctx_free(&ctx);
	/* the argument count is checked for extra rows too */
	snprintf(buf, sizeof(buf), "cut 1");
	argc = cmm_ctl_parse_request(buf, &j, argv, 8, &why);
	cmm_cmd_ctx_init(&ctx, NULL, 0, false, -1);
	ctx.tables = both;
	assert_int_equal(cmm_cmd_run(&ctx, argc, argv), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "cut: too few arguments (usage: cut A B "
	    "[oneway])");
	cmm_cmd_ctx_free(&ctx);
	/* and a node row still runs beside them */
	snprintf(buf, sizeof(buf), "members");
	argc = cmm_ctl_parse_request(buf, &j, argv, 8, &why);
	cmm_cmd_ctx_init(&ctx, NULL, 0, false, -1);
	ctx.tables = both;
	assert_int_equal(cmm_cmd_run(&ctx, argc, argv), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "members: no node runs here");
	cmm_cmd_ctx_free(&ctx);
}

static void
test_arg_counts(void **state)
{
	struct cmm_cmd_ctx ctx;

	assert_int_equal(run(&ctx, "status now", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "status: too many arguments (usage: "
	    "status)");
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "wait state", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "wait state: too few arguments (usage: "
	    "wait state STATE [SECONDS])");
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "wait state member 3 4", 0, false),
	    CMM_CMD_ERROR);
	assert_non_null(strstr(ctx.error, "too many arguments"));
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "answer winner", 0, false), CMM_CMD_ERROR);
	assert_non_null(strstr(ctx.error, "too few arguments"));
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "link cut", CMM_CMDF_FAULT, false),
	    CMM_CMD_ERROR);
	assert_non_null(strstr(ctx.error, "usage: link cut N[/LINK] [in|out]"));
	cmm_cmd_ctx_free(&ctx);
	/* counts right: the handler runs, and finds no node here */
	assert_int_equal(run(&ctx, "history 5", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "history: no node runs here");
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "", 0, false), CMM_CMD_OK);
	cmm_cmd_ctx_free(&ctx);
}

static void
test_help_from_table(void **state)
{
	struct cmm_cmd_ctx	 ctx;
	json_t			*o, *arr;
	size_t			 rows = 0, visible = 0;

	for (const struct cmm_cmd_entry *e = cmm_cmd_table; e->name; e++) {
		rows++;
		visible += (e->flags & (CMM_CMDF_FAULT | CMM_CMDF_DEMO)) == 0;
		/* the table is sorted: the lookup's messages list in order */
		if (e[1].name != NULL)
			assert_true(strcmp(e->name, e[1].name) < 0);
		assert_true(e->min_args <= e->max_args);
		assert_non_null(e->exec);
	}
	assert_int_equal(run(&ctx, "help", 0, false), CMM_CMD_OK);
	assert_non_null(strstr(ctx.text, "  status "));
	assert_non_null(strstr(ctx.text, "wait state STATE [SECONDS]"));
	assert_null(strstr(ctx.text, "link cut"));
	assert_null(strstr(ctx.text, "kill N"));
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "help link", CMM_CMDF_FAULT, false),
	    CMM_CMD_OK);
	assert_non_null(strstr(ctx.text, "link cut N[/LINK] [in|out]"));
	assert_non_null(strstr(ctx.text, "link heal [N[/LINK]]"));
	assert_null(strstr(ctx.text, "status"));
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "help nosuch", 0, false), CMM_CMD_ERROR);
	assert_string_equal(ctx.error, "help: unknown command 'nosuch' "
	    "(try 'help')");
	cmm_cmd_ctx_free(&ctx);
	/* list-commands: one row a line, every visible row */
	assert_int_equal(run(&ctx, "list-commands", 0, false), CMM_CMD_OK);
	{
		size_t lines = 0;

		for (const char *p = ctx.text; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, visible);
	}
	assert_non_null(strstr(ctx.text, "wait members\tLIST [SECONDS]\t"));
	cmm_cmd_ctx_free(&ctx);
	assert_int_equal(run(&ctx, "--json list-commands", ALL, false),
	    CMM_CMD_OK);
	arr = json_object_get(ctx.obj, "commands");
	assert_int_equal(json_array_size(arr), rows);
	o = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "answer isolated");
	cmm_cmd_ctx_free(&ctx);

	/* with an extra table: its rows in help and list-commands, merged in
	 * name order, flagged "demo" */
	cmm_cmd_ctx_init(&ctx, NULL, 0, true, -1);
	ctx.tables = both;
	{
		char a0[] = "list-commands", *argv[] = { a0 };
		const char *prev = "";
		size_t i;

		assert_int_equal(cmm_cmd_run(&ctx, 1, argv), CMM_CMD_OK);
		arr = json_object_get(ctx.obj, "commands");
		assert_int_equal(json_array_size(arr), visible + 6);
		json_array_foreach(arr, i, o) {
			const char *n = json_string_value(json_object_get(o,
			    "name"));

			assert_true(strcmp(prev, n) < 0);
			prev = n;
			if (strcmp(n, "kill") == 0)
				assert_string_equal(json_string_value(
				    json_array_get(json_object_get(o, "flags"),
				    0)), "demo");
		}
	}
	cmm_cmd_ctx_free(&ctx);
	cmm_cmd_ctx_init(&ctx, NULL, 0, false, -1);
	ctx.tables = both;
	{
		char a0[] = "help", *argv[] = { a0 };

		assert_int_equal(cmm_cmd_run(&ctx, 1, argv), CMM_CMD_OK);
		assert_non_null(strstr(ctx.text, "  kill N "));
		assert_true(strstr(ctx.text, "  heal ") <
		    strstr(ctx.text, "  help "));
	}
	cmm_cmd_ctx_free(&ctx);
}

static void
test_reply_body(void **state)
{
	struct cmm_cmd_ctx	 ctx;
	char			*b;

	cmm_cmd_ctx_init(&ctx, NULL, 0, false, -1);
	cmm_cmd_printf(&ctx, "one %d\n", 1);
	cmm_cmd_printf(&ctx, "%s", "two\n");
	b = cmm_cmd_reply_body(&ctx);
	assert_string_equal(b, "one 1\ntwo\n");
	free(b);
	cmm_cmd_ctx_free(&ctx);
	cmm_cmd_ctx_init(&ctx, NULL, 0, true, -1);
	b = cmm_cmd_reply_body(&ctx);
	assert_string_equal(b, "{\"api\":1,\"ok\":true}");
	free(b);
	/* the envelope first, and its keys win over a handler's */
	cmm_cmd_set_json(&ctx, json_pack("{s:i,s:i}", "a", 1, "api", 7));
	b = cmm_cmd_reply_body(&ctx);
	assert_string_equal(b, "{\"api\":1,\"ok\":true,\"a\":1}");
	free(b);
	cmm_cmd_ctx_free(&ctx);
	b = cmm_cmd_error_body("no \"such\" node");
	assert_string_equal(b, "{\"api\":1,\"ok\":false,\"error\":"
	    "\"no \\\"such\\\" node\"}");
	free(b);
	/* an error quoting bytes that are not UTF-8 is still JSON */
	b = cmm_cmd_error_body("bad \xff word");
	assert_string_equal(b, "{\"api\":1,\"ok\":false,\"error\":"
	    "\"bad ? word\"}");
	free(b);
}

/* `status` of a node that is not quorate: "+ 3" ends the reply, and the
 * reader hands the 3 on; a bare "+" is 0. */
static void
test_exit_hint(void **state)
{
	struct cmm_ctl_reply	 r;
	char			*w;

	w = cmm_ctl_encode_reply_hint("x", true, NULL, 3);
	assert_string_equal(w, ": x\n+ 3\n");
	cmm_ctl_reply_init(&r);
	assert_int_equal(cmm_ctl_reply_feed(&r, ": x"), CMM_CTL_BODY);
	assert_int_equal(cmm_ctl_reply_feed(&r, "+ 3"), CMM_CTL_OK);
	assert_true(r.done && r.ok);
	assert_int_equal(r.exit_hint, 3);
	cmm_ctl_reply_reset(&r);
	free(w);
	w = cmm_ctl_encode_reply("x", true, NULL);
	assert_string_equal(w, ": x\n+\n");
	assert_int_equal(cmm_ctl_reply_feed(&r, "+"), CMM_CTL_OK);
	assert_int_equal(r.exit_hint, 0);
	cmm_ctl_reply_reset(&r);
	free(w);
}

/* ---- framing ---- */

/* Feeds an encoded reply line by line into a reply reader. */
static void
parse_all(const char *wire, struct cmm_ctl_reply *r)
{
	char		*copy = strdup(wire), *line, *save = NULL;
	int		 n = 0;

	cmm_ctl_reply_init(r);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_false(r->done);
		assert_true(cmm_ctl_reply_feed(r, line) >= 0);
		n++;
	}
	free(copy);
	assert_true(r->done);
	assert_true(n >= 1);
}

static void
test_framing_round_trip(void **state)
{
	struct cmm_ctl_reply	 r;
	char			*w;
	const char		*bodies[] = { "", "one line", "a\nb\n", "a\n\nc",
		"  indented\n: looks like a tag\n+\n- x\n" };

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char want[128];
		size_t n = strlen(bodies[i]);

		w = cmm_ctl_encode_reply(bodies[i], true, NULL);
		assert_non_null(w);
		parse_all(w, &r);
		assert_true(r.ok);
		/* every body line comes back with its LF */
		snprintf(want, sizeof(want), "%s%s", bodies[i],
		    n > 0 && bodies[i][n - 1] != '\n' ? "\n" : "");
		assert_string_equal(r.body ? r.body : "", want);
		cmm_ctl_reply_reset(&r);
		free(w);
	}
	/* an error keeps its body and its first line */
	w = cmm_ctl_encode_reply("partial\n", false,
	    "wait: timed out after 5 s: state is no-quorum\nsecond line");
	assert_string_equal(w, ": partial\n- wait: timed out after 5 s: state "
	    "is no-quorum\n");
	parse_all(w, &r);
	assert_false(r.ok);
	assert_string_equal(r.error, "wait: timed out after 5 s: state is "
	    "no-quorum");
	cmm_ctl_reply_reset(&r);
	free(w);
	/* control characters cannot split or forge a line */
	w = cmm_ctl_encode_reply("x\ry\033z", true, NULL);
	assert_string_equal(w, ": x?y?z\n+\n");
	free(w);
	w = cmm_ctl_encode_async(CMM_CTL_EVENT, "{\"type\":\"commit\"}");
	assert_string_equal(w, "! {\"type\":\"commit\"}\n");
	free(w);
}

static void
test_framing_lines(void **state)
{
	const char	*pl;
	char		 hello[32];
	int		 v, node;

	assert_int_equal(cmm_ctl_parse_line("+", &pl), CMM_CTL_OK);
	assert_int_equal(cmm_ctl_parse_line("- no\r", &pl), CMM_CTL_ERR);
	assert_int_equal(cmm_ctl_parse_line(": body", &pl), CMM_CTL_BODY);
	assert_string_equal(pl, "body");
	assert_int_equal(cmm_ctl_parse_line("! {}", &pl), CMM_CTL_EVENT);
	assert_int_equal(cmm_ctl_parse_line("? {}", &pl), CMM_CTL_PROMPT);
	assert_int_equal(cmm_ctl_parse_line("", &pl), CMM_CTL_BAD);
	assert_int_equal(cmm_ctl_parse_line("x y", &pl), CMM_CTL_BAD);
	assert_int_equal(cmm_ctl_parse_line(":nospace", &pl), CMM_CTL_BAD);
	cmm_ctl_hello(hello, sizeof(hello), 5);
	assert_string_equal(hello, "V 1 5\n");
	hello[strlen(hello) - 1] = '\0';
	assert_int_equal(cmm_ctl_parse_line(hello, &pl), CMM_CTL_HELLO);
	assert_int_equal(cmm_ctl_parse_hello(pl, &v, &node), 0);
	assert_int_equal(v, CMM_CTL_VERSION);
	assert_int_equal(node, 5);
	assert_int_equal(cmm_ctl_parse_hello("1", &v, &node), -1);
}

static void
test_request_parse_encode(void **state)
{
	char		 buf[64], *argv[4], line[64];
	const char	*why;
	bool		 json;
	char		*words[] = { (char []){ "wait" }, (char []){ "state" }, (char []){ "member" } };
	char		*bad[] = { (char []){ "two words" } };

	snprintf(line, sizeof(line), "  --json  status\r\n");
	assert_int_equal(cmm_ctl_parse_request(line, &json, argv, 4, &why), 1);
	assert_true(json);
	assert_string_equal(argv[0], "status");
	snprintf(line, sizeof(line), "# a comment");
	assert_int_equal(cmm_ctl_parse_request(line, &json, argv, 4, &why), 0);
	snprintf(line, sizeof(line), "a b c d e");
	assert_int_equal(cmm_ctl_parse_request(line, &json, argv, 4, &why), -1);
	snprintf(line, sizeof(line), "status\001");
	assert_int_equal(cmm_ctl_parse_request(line, &json, argv, 4, &why), -1);
	assert_int_equal(cmm_ctl_encode_request(buf, sizeof(buf), true, 3, words),
	    (int)strlen("--json wait state member\n"));
	assert_string_equal(buf, "--json wait state member\n");
	assert_int_equal(cmm_ctl_encode_request(buf, sizeof(buf), false, 1, bad),
	    -1);
	assert_int_equal(cmm_ctl_encode_request(buf, 8, false, 3, words), -1);
}

/* ---- JSON ---- */

static void
test_status_json(void **state)
{
	struct cmm_status_snap	 s;
	json_t			*o, *p, *d;
	char			*dump;
	uint8_t			 digest[CMM_DIGEST_LEN];

	memset(&s, 0, sizeof(s));
	s.st.node = 3;
	s.st.state = CMM_ST_AWAITING_OPERATOR;
	s.st.member = true;
	s.st.epoch = 7;
	cmm_set_add(&s.st.members, 0);
	cmm_set_add(&s.st.members, 3);
	s.st.crown_prince = 3;
	s.st.incarnation = 42;
	s.st.prompt = CMM_PROMPT_WINNER;
	s.prompt.kind = CMM_PROMPT_WINNER;
	s.prompt.choice[0] = 0;
	s.prompt.choice[1] = 3;
	s.prompt.deadline = 0;
	s.prompt.why = "split in two";
	s.st.last_commit_time = -1;
	s.dropped.malformed = 1;
	s.dropped.foreign = 2;
	s.dropped.auth = 3;
	s.dropped.replay = 4;
	s.dropped.misdirected = 5;
	s.dropped.config = 6;
	s.dropped.version = 7;
	s.cluster = "fig1";
	memset(digest, 0, sizeof(digest));
	digest[0] = 0xc0;
	digest[15] = 0x0f;
	s.digest = digest;
	s.now = 1000;
	o = cmm_status_json(&s);
	assert_int_equal(json_integer_value(json_object_get(o, "node")), 3);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
	    "awaiting-operator");
	assert_int_equal(json_integer_value(json_object_get(o, "epoch")), 7);
	assert_int_equal(json_array_size(json_object_get(o, "members")), 2);
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(o, "members"), 1)), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "crown_prince")),
	    3);
	assert_true(json_is_true(json_object_get(o, "quorum")));
	assert_int_equal(json_integer_value(json_object_get(o, "incarnation")),
	    42);
	p = json_object_get(o, "prompt");
	assert_string_equal(json_string_value(json_object_get(p, "kind")),
	    "winner");
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(p, "choices"), 1)), 3);
	assert_true(json_is_null(json_object_get(p, "deadline_ms")));
	/* the one prompt encoder: the same object as the `?` line's */
	{
		json_t *q = cmm_prompt_json(&s.prompt, s.now);

		assert_true(json_equal(p, q));
		json_decref(q);
	}
	assert_string_equal(json_string_value(json_object_get(p, "why")),
	    "split in two");
	d = json_object_get(o, "dropped");
	assert_int_equal(json_integer_value(json_object_get(d, "malformed")), 1);
	assert_int_equal(json_integer_value(json_object_get(d, "foreign")), 2);
	assert_int_equal(json_integer_value(json_object_get(d, "auth")), 3);
	assert_int_equal(json_integer_value(json_object_get(d, "replay")), 4);
	assert_int_equal(json_integer_value(json_object_get(d, "misdirected")), 5);
	assert_int_equal(json_integer_value(json_object_get(d, "config")), 6);
	assert_int_equal(json_integer_value(json_object_get(d, "version")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "config_digest")),
	    "c000000000000000000000000000000f");
	/* compact, so one object is one line on the wire */
	dump = json_dumps(o, JSON_COMPACT);
	assert_null(strchr(dump, '\n'));
	free(dump);
	json_decref(o);

	/* no prompt: null; not a member: no quorum, no crown prince */
	s.st.prompt = CMM_PROMPT_NONE;
	s.prompt.kind = CMM_PROMPT_NONE;
	s.st.member = false;
	s.st.state = CMM_ST_NO_QUORUM;
	s.st.crown_prince = -1;
	o = cmm_status_json(&s);
	assert_true(json_is_null(json_object_get(o, "prompt")));
	assert_true(json_is_false(json_object_get(o, "quorum")));
	assert_true(json_is_null(json_object_get(o, "crown_prince")));
	json_decref(o);

	s.st.prompt = CMM_PROMPT_ISOLATION;
	s.prompt.kind = CMM_PROMPT_ISOLATION;
	o = cmm_status_json(&s);
	p = json_object_get(o, "prompt");
	assert_string_equal(json_string_value(json_object_get(p, "kind")),
	    "isolation");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(p, "choices"), 1)), "not-isolated");
	json_decref(o);
}

/* A round event's step and proposal as fields: what scripts match on
 * instead of the text; a peer of none is null, never -1. */
static void
test_round_event_fields(void **state)
{
	struct cmm_event	ev;
	struct cmm_effect	fx = { .type = CMM_FX_EVENT };
	struct cmm_note		n;
	json_t			*o, *p;

	memset(&ev, 0, sizeof(ev));
	ev.type = CMM_EV_ROUND;
	ev.epoch = 4;
	ev.round_epoch = 5;
	ev.round_attempt = 2;
	ev.peer = -1;
	ev.text = "round (5,2) proposing {0-2,7}";
	fx.u.event = &ev;
	memset(&n, 0, sizeof(n));
	n.type = CMM_NOTE_EVENT;
	n.fx = &fx;
	o = cmm_note_json(&n, 0, 4);
	assert_int_equal(json_integer_value(json_object_get(o, "api")), 1);
	assert_true(json_is_null(json_object_get(o, "seq")));
	assert_true(json_is_null(json_object_get(o, "peer")));
	assert_string_equal(json_string_value(json_object_get(o, "step")),
	    "proposing");
	p = json_object_get(o, "proposal");
	assert_int_equal(json_array_size(p), 4);
	assert_int_equal(json_integer_value(json_array_get(p, 3)), 7);
	json_decref(o);
	ev.text = "round (5,2) chosen: epoch 5 is {0-2}";
	o = cmm_note_json(&n, 0, 4);
	assert_string_equal(json_string_value(json_object_get(o, "step")),
	    "chosen");
	assert_true(json_is_null(json_object_get(o, "proposal")));
	json_decref(o);
	assert_string_equal(cmm_round_step_kind("agreed: no change"),
	    "no-change");
	assert_string_equal(cmm_round_step_kind("failed: no quorum"), "failed");
	assert_string_equal(cmm_round_step_kind("something new"), "other");
}

static void
test_note_json(void **state)
{
	struct cmm_event	ev;
	struct cmm_effect	fx = { .type = CMM_FX_EVENT };
	struct cmm_note		n;
	json_t			*o;
	char			 text[512];

	memset(&ev, 0, sizeof(ev));
	ev.type = CMM_EV_COMMIT;
	ev.epoch = 9;
	ev.peer = -1;
	ev.state = CMM_ST_MEMBER;
	cmm_set_add(&ev.members, 1);
	cmm_set_add(&ev.members, 2);
	cmm_set_add(&ev.joined, 2);
	cmm_set_add(&ev.departed, 5);
	ev.text = "commit epoch 9";
	fx.u.event = &ev;
	memset(&n, 0, sizeof(n));
	n.type = CMM_NOTE_EVENT;
	n.fx = &fx;
	n.mono_ns = 123456789;
	n.wall_ns = 1700000000123000000LL;
	o = cmm_note_json(&n, 1, 8);
	assert_string_equal(json_string_value(json_object_get(o, "type")),
	    "commit");
	assert_int_equal(json_integer_value(json_object_get(o, "node")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "epoch")), 9);
	assert_string_equal(json_string_value(json_object_get(o, "time")),
	    "2023-11-14T22:13:20.123Z");
	assert_int_equal(json_integer_value(json_object_get(o, "mono_ns")),
	    123456789);
	assert_int_equal(json_array_size(json_object_get(o, "members")), 2);
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(o, "joined"), 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(o, "departed"), 0)), 5);
	json_decref(o);
	assert_int_equal(cmm_note_text(&n, 1, 8, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "commit: members 1-2"));

	/* the core's prompt event is left to the PROMPT note */
	ev.type = CMM_EV_PROMPT;
	assert_null(cmm_note_json(&n, 1, 8));
	assert_int_equal(cmm_note_text(&n, 1, 8, text, sizeof(text)), -1);

	n.type = CMM_NOTE_DROP;
	n.fx = NULL;
	n.drop = CMM_DROP_SHORT;
	n.drop_sender = -1;
	n.text = "127.0.0.1:9";
	o = cmm_note_json(&n, 1, 8);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "drop");
	assert_string_equal(json_string_value(json_object_get(o, "counter")),
	    "malformed");
	assert_int_equal(json_integer_value(json_object_get(o, "epoch")), 8);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 1);
	json_decref(o);
	/* a rate-limited report stands for many, in its own counter */
	n.drop = CMM_DROP_MISDIRECTED;
	n.drop_count = 3000;
	o = cmm_note_json(&n, 1, 8);
	assert_string_equal(json_string_value(json_object_get(o, "counter")),
	    "misdirected");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 3000);
	json_decref(o);
	assert_int_equal(cmm_note_text(&n, 1, 8, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "drop: misdirected x3000 from 127.0.0.1:9"));
	n.drop = CMM_DROP_CONFIG;
	o = cmm_note_json(&n, 1, 8);
	assert_string_equal(json_string_value(json_object_get(o, "counter")),
	    "config");
	json_decref(o);
	n.drop = CMM_DROP_VERSION;
	o = cmm_note_json(&n, 1, 8);
	assert_string_equal(json_string_value(json_object_get(o, "counter")),
	    "version");
	json_decref(o);
}

static void
test_prompt_json(void **state)
{
	struct cmm_prompt	 p;
	json_t			*o;

	memset(&p, 0, sizeof(p));
	p.kind = CMM_PROMPT_WINNER;
	p.choice[0] = 0;
	p.choice[1] = 1;
	p.deadline = 5000;
	p.why = "two-node split, no shared device";
	o = cmm_prompt_json(&p, 3000);
	assert_true(json_is_true(json_object_get(o, "open")));
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
	    "winner");
	assert_int_equal(json_integer_value(json_object_get(o, "deadline_ms")),
	    2000);
	json_decref(o);
	p.kind = CMM_PROMPT_NONE;
	o = cmm_prompt_json(&p, 3000);
	assert_true(json_is_false(json_object_get(o, "open")));
	/* absent values are null, never missing or a sentinel */
	assert_true(json_is_null(json_object_get(o, "kind")));
	assert_true(json_is_null(json_object_get(o, "deadline_ms")));
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_exact_and_prefix),
		cmocka_unit_test(test_lookup_ambiguous),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_hidden_rows_say_why),
		cmocka_unit_test(test_extra_table_runs),
		cmocka_unit_test(test_arg_counts),
		cmocka_unit_test(test_help_from_table),
		cmocka_unit_test(test_reply_body),
		cmocka_unit_test(test_exit_hint),
		cmocka_unit_test(test_framing_round_trip),
		cmocka_unit_test(test_framing_lines),
		cmocka_unit_test(test_request_parse_encode),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_note_json),
		cmocka_unit_test(test_round_event_fields),
		cmocka_unit_test(test_prompt_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
