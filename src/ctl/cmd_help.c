/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_help: `help` and `list-commands`, generated from the tables of the
 * context (the node's, and the demo's on its own command line). */
#include <stdio.h>
#include <string.h>

#include "src/ctl/cmd.h"
#include "src/ctl/cmd_impl.h"

static bool	row_visible(const struct cmm_cmd_ctx *ctx,
		    const struct cmm_cmd_entry *e);
static bool	row_matches(const struct cmm_cmd_entry *e, int argc, char **argv);
static json_t	*row_json(const struct cmm_cmd_entry *e);
static json_t	*watch_types_json(void);

static bool
row_visible(const struct cmm_cmd_ctx *ctx, const struct cmm_cmd_entry *e)
{
	unsigned need = e->flags & CMM_CMDF_FAULT;

	return (need & ctx->allow) == need;
}

/* Each given word is a prefix of the row's word at that place. */
static bool
row_matches(const struct cmm_cmd_entry *e, int argc, char **argv)
{
	const char *w = e->name;

	for (int i = 0; i < argc; i++) {
		size_t wl, n = strlen(argv[i]);

		if (w == NULL)
			return false;
		wl = strcspn(w, " ");
		if (n > wl || strncmp(w, argv[i], n) != 0)
			return false;
		w = w[wl] == ' ' ? w + wl + 1 : NULL;
	}
	return true;
}

static json_t *
row_json(const struct cmm_cmd_entry *e)
{
	json_t *o = json_object(), *f = json_array();

	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "args", json_string(e->args));
	json_object_set_new(o, "min_args", json_integer(e->min_args));
	json_object_set_new(o, "max_args", json_integer(e->max_args));
	json_object_set_new(o, "help", json_string(e->help));
	if (e->flags & CMM_CMDF_MUTATES)
		json_array_append_new(f, json_string("mutates"));
	if (e->flags & CMM_CMDF_ANSWER)
		json_array_append_new(f, json_string("answer"));
	if (e->flags & CMM_CMDF_FAULT)
		json_array_append_new(f, json_string("fault-injection"));
	if (e->flags & CMM_CMDF_DEMO)
		json_array_append_new(f, json_string("demo"));
	json_object_set_new(o, "flags", f);
	return o;
}

/* Every "type" a watch line can have: the core's events and the node's
 * own notes (docs/api/event/ has a schema for each; the schema test
 * reads this list). */
static json_t *
watch_types_json(void)
{
	json_t *a = json_array();

	for (int t = 1; t < CMM_EV__COUNT; t++)
		/* a prompt event is streamed as the "prompt" note; the core
		 * raises no JOIN event (a petition shows as a round) */
		if (t != CMM_EV_PROMPT && t != CMM_EV_JOIN)
			json_array_append_new(a, json_string(
			    cmm_event_type_name((enum cmm_event_type)t)));
	for (int i = 0; cmm_watch_note_types[i] != NULL; i++)
		json_array_append_new(a, json_string(cmm_watch_note_types[i]));
	return a;
}

CMM_CMD_FN(cmm_cmd_help)
{
	struct cmm_cmd_iter		 it;
	const struct cmm_cmd_entry	*e;
	json_t				*arr = json_array();
	char				 syn[96];
	int				 n = 0;

	cmm_cmd_iter_init(&it, ctx->tables);
	while ((e = cmm_cmd_iter_next(&it)) != NULL) {
		if (!row_visible(ctx, e) || !row_matches(e, argc, argv))
			continue;
		n++;
		if (ctx->json) {
			json_array_append_new(arr, row_json(e));
			continue;
		}
		if (n == 1 && argc == 0)
			cmm_cmd_printf(ctx, "commands (a unique prefix of each "
			    "word is enough; --json first for JSON):\n");
		snprintf(syn, sizeof(syn), "%s%s%s", e->name, e->args[0] ? " " : "",
		    e->args);
		cmm_cmd_printf(ctx, "  %-34s %s\n", syn, e->help);
	}
	if (n == 0) {
		json_decref(arr);
		return cmm_cmd_fail(ctx, "help: unknown command '%s%s%s' "
		    "(try 'help')", argv[0], argc > 1 ? " " : "",
		    argc > 1 ? argv[1] : "");
	}
	if (ctx->json)
		cmm_cmd_set_json(ctx, json_pack("{s:o}", "commands", arr));
	else
		json_decref(arr);
	return CMM_CMD_OK;
}

CMM_CMD_FN(cmm_cmd_list_commands)
{
	struct cmm_cmd_iter		 it;
	const struct cmm_cmd_entry	*e;
	json_t				*arr = NULL;

	if (ctx->json)
		arr = json_array();
	cmm_cmd_iter_init(&it, ctx->tables);
	while ((e = cmm_cmd_iter_next(&it)) != NULL) {
		if (!row_visible(ctx, e))
			continue;
		if (ctx->json)
			json_array_append_new(arr, row_json(e));
		else
			cmm_cmd_printf(ctx, "%s\t%s\t%s\n", e->name, e->args,
			    e->help);
	}
	if (ctx->json)
		cmm_cmd_set_json(ctx, json_pack("{s:o,s:o}", "commands", arr,
		    "events", watch_types_json()));
	return CMM_CMD_OK;
}
