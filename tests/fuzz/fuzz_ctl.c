/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ctl: the control plane's parsers (src/ctl/ctl_proto.h,
 * src/ctl/cmd.h).
 *
 * The input is a stream of lines, each used twice:
 *  - as a request, the way the control server takes it: split into words,
 *    looked up in the command table, argument count checked and run
 *    without a node (as `cmm demo` and the tests do).  Errors are one
 *    line; a --json reply is one JSON object; the reply, framed and read
 *    back by a client, gives the same body and result; a request that
 *    parses encodes again to the same words.
 *  - as a line from a server, fed to the client's reply reader.
 */
#include <jansson.h>

#include "src/ctl/cmd.h"
#include "src/ctl/ctl_proto.h"
#include "tests/fuzz/fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES	64

/* What a client must read back from cmm_ctl_encode_reply(body): every
 * line of body with control characters as '?', each ending in LF. */
static char *
expected_body(const char *body)
{
	size_t	n = strlen(body), o = 0;
	char	*out = malloc(n + 2);

	FUZZ_CHECK(out != NULL);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)body[i];

		if (ch == '\n' || ch == '\t')	/* tabs are kept */
			out[o++] = (char)ch;
		else
			out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (n > 0 && body[n - 1] != '\n')
		out[o++] = '\n';
	out[o] = '\0';
	return out;
}

/* Frames a reply as the server does and reads it back as a client. */
static void
reply_roundtrip(const char *body, bool ok, const char *error)
{
	struct cmm_ctl_reply r;
	char	*wire = cmm_ctl_encode_reply(body, ok, error);
	char	*line, *next, *want;
	int	lines = 0;

	FUZZ_CHECK(wire != NULL);
	cmm_ctl_reply_init(&r);
	for (line = wire; *line != '\0'; line = next) {
		char *nl = strchr(line, '\n');

		FUZZ_CHECK(nl != NULL);	/* every line ends in LF */
		*nl = '\0';
		next = nl + 1;
		FUZZ_CHECK(!r.done);	/* nothing after the end line */
		FUZZ_CHECK(cmm_ctl_reply_feed(&r, line) >= 0);
		lines++;
	}
	FUZZ_CHECK(r.done && r.ok == ok && lines > 0);
	want = expected_body(body);
	FUZZ_CHECK(strcmp(r.len > 0 ? r.body : "", want) == 0);
	if (!ok) {
		FUZZ_CHECK(r.error != NULL && r.error[0] != '\0');
		FUZZ_CHECK(strchr(r.error, '\n') == NULL);
	}
	free(want);
	free(wire);
	cmm_ctl_reply_reset(&r);
}

static void
request(const char *text)
{
	char	line[CMM_CTL_LINE_MAX + 1], again[CMM_CTL_LINE_MAX + 16];
	char	*argv[CMM_CTL_MAX_ARGS], *argv2[CMM_CTL_MAX_ARGS], *body;
	struct cmm_cmd_ctx ctx;
	enum cmm_cmd_ret ret;
	const char *why = NULL;
	bool	json, json2;
	int	argc, argc2, n;

	snprintf(line, sizeof(line), "%s", text);
	argc = cmm_ctl_parse_request(line, &json, argv, CMM_CTL_MAX_ARGS, &why);
	if (argc < 0) {
		FUZZ_CHECK(why != NULL && strchr(why, '\n') == NULL);
		return;
	}
	FUZZ_CHECK(argc <= CMM_CTL_MAX_ARGS);
	n = cmm_ctl_encode_request(again, sizeof(again), json, argc, argv);
	if (n > 0 && argc > 0) {
		FUZZ_CHECK(again[n - 1] == '\n');
		argc2 = cmm_ctl_parse_request(again, &json2, argv2,
		    CMM_CTL_MAX_ARGS, &why);
		FUZZ_CHECK(argc2 == argc && json2 == json);
		for (int i = 0; i < argc; i++)
			FUZZ_CHECK(strcmp(argv[i], argv2[i]) == 0);
	}
	/* no node here; the fault rows exist (demo rows need the demo) */
	cmm_cmd_ctx_init(&ctx, NULL, CMM_CMDF_FAULT, json, 1000);
	ret = cmm_cmd_run(&ctx, argc, argv);
	if (ret == CMM_CMD_ERROR) {
		FUZZ_CHECK(ctx.error[0] != '\0');
		FUZZ_CHECK(strchr(ctx.error, '\n') == NULL);
	}
	body = cmm_cmd_reply_body(&ctx);
	FUZZ_CHECK(body != NULL);
	if (json && ret != CMM_CMD_ERROR) {
		json_error_t jerr;
		json_t *o = json_loads(body, 0, &jerr);

		FUZZ_CHECK(o != NULL && json_is_object(o));
		FUZZ_CHECK(strchr(body, '\n') == NULL);
		json_decref(o);
	}
	reply_roundtrip(body, ret != CMM_CMD_ERROR, ctx.error);
	free(body);
	cmm_cmd_ctx_free(&ctx);
}

/* The line as a client reads it from a server. */
static void
server_line(struct cmm_ctl_reply *r, const char *line)
{
	const char *payload;
	enum cmm_ctl_tag tag = cmm_ctl_parse_line(line, &payload);
	int	version, node;
	char	*async;

	FUZZ_CHECK(payload != NULL);
	if (tag == CMM_CTL_HELLO)
		(void)cmm_ctl_parse_hello(payload, &version, &node);
	FUZZ_CHECK(cmm_ctl_reply_feed(r, line) == (int)tag);
	if (r->done)
		cmm_ctl_reply_reset(r);
	/* any text becomes exactly one event line */
	async = cmm_ctl_encode_async(CMM_CTL_EVENT, line);
	FUZZ_CHECK(async != NULL);
	FUZZ_CHECK(strchr(async, '\n') == async + strlen(async) - 1);
	free(async);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmm_ctl_reply r;
	char	*text = malloc(size + 1), *line, *nl;
	int	lines = 0;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';	/* a NUL inside ends the text early */
	cmm_ctl_reply_init(&r);
	for (line = text; *line != '\0' && lines < MAX_LINES; lines++) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (strlen(line) < CMM_CTL_LINE_MAX) {
			request(line);
			server_line(&r, line);
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	cmm_ctl_reply_reset(&r);
	free(text);
	return 0;
}
