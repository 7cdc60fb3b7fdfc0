/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_ui_layout: what the console draws, without a terminal:
 * pane geometry at 80x24 and 120x40, the vote explanation, the round
 * matrix, the timing warning rule, the model fed from protocol JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/layout.h"
#include "ui/model.h"

/* No two panes overlap and every pane is inside the screen. */
static void
assert_disjoint(const struct cmm_ui_layout *l)
{
	const struct cmm_ui_rect *r[] = { &l->header, &l->vector, &l->round,
	    &l->quorum, &l->timing, &l->big, &l->log, &l->status, &l->cmd };
	int n = (int)(sizeof(r) / sizeof(r[0]));

	for (int i = 0; i < n; i++) {
		if (r[i]->h == 0)
			continue;
		assert_true(r[i]->y >= 0 && r[i]->x >= 0);
		assert_true(r[i]->y + r[i]->h <= l->rows);
		assert_true(r[i]->x + r[i]->w <= l->cols);
		for (int j = i + 1; j < n; j++) {
			if (r[j]->h == 0)
				continue;
			bool apart = r[i]->y + r[i]->h <= r[j]->y ||
			    r[j]->y + r[j]->h <= r[i]->y ||
			    r[i]->x + r[i]->w <= r[j]->x ||
			    r[j]->x + r[j]->w <= r[i]->x;
			if (!apart)
				fail_msg("panes %d and %d overlap", i, j);
		}
	}
}

static void
test_layout_80x24(void **state)
{
	struct cmm_ui_layout l;

	(void)state;
	cmm_ui_layout_compute(&l, 24, 80, CMM_UI_VIEW_MAIN, 6);
	assert_false(l.too_small);
	assert_int_equal(l.header.y, 0);
	assert_int_equal(l.cmd.y, 23);
	assert_int_equal(l.status.y, 22);
	/* six FIG. 1 nodes fit on one row of cells at 80 columns */
	assert_true(l.cells_per_row >= 6);
	assert_int_equal(l.vector.h, 2);
	/* round and quorum side by side, no timing pane at 80 columns */
	assert_int_equal(l.round.y, l.quorum.y);
	assert_true(l.round.w + l.quorum.w == 80);
	assert_int_equal(l.timing.h, 0);
	/* the round matrix and its explanation need six lines, the log three */
	assert_true(l.round.h >= 6);
	assert_true(l.log.h >= 3);
	assert_int_equal(l.log.y + l.log.h, l.status.y);
	assert_disjoint(&l);
}

static void
test_layout_120x40(void **state)
{
	struct cmm_ui_layout l;

	(void)state;
	cmm_ui_layout_compute(&l, 40, 120, CMM_UI_VIEW_MAIN, 6);
	assert_false(l.too_small);
	assert_true(l.timing.h > 0);
	assert_int_equal(l.round.w + l.quorum.w + l.timing.w, 120);
	assert_true(l.log.h > 10);
	assert_disjoint(&l);
	/* other views: one big pane under the vector */
	cmm_ui_layout_compute(&l, 40, 120, CMM_UI_VIEW_HISTORY, 6);
	assert_int_equal(l.round.h, 0);
	assert_int_equal(l.big.y, l.vector.y + l.vector.h);
	assert_int_equal(l.big.y + l.big.h, l.status.y);
	assert_disjoint(&l);
}

static void
test_layout_small_and_many(void **state)
{
	struct cmm_ui_layout l;

	(void)state;
	cmm_ui_layout_compute(&l, 10, 30, CMM_UI_VIEW_MAIN, 6);
	assert_true(l.too_small);
	assert_int_equal(l.cmd.y, 9);
	/* 200 nodes: the vector takes at most a quarter of the screen */
	cmm_ui_layout_compute(&l, 24, 80, CMM_UI_VIEW_MAIN, 200);
	assert_false(l.too_small);
	assert_true(l.vector.h - 1 <= 24 / 4);
	assert_true(l.cell_w * l.cells_per_row <= 80);
	assert_disjoint(&l);
	for (int rows = 12; rows <= 60; rows += 7)
		for (int cols = 40; cols <= 200; cols += 13) {
			cmm_ui_layout_compute(&l, rows, cols, CMM_UI_VIEW_MAIN, 6);
			assert_false(l.too_small);
			assert_disjoint(&l);
		}
}

static void
test_cell(void **state)
{
	struct cmm_ui_node	n;
	char			buf[64];
	int			w = cmm_ui_cell_width(9);

	(void)state;
	memset(&n, 0, sizeof(n));
	n.id = 5;
	n.member = true;
	n.alive = true;
	n.heard_ms = 600;	/* > half of 1000: three quarters of the bar */
	cmm_ui_cell_text(&n, 5, 1000, w, buf, sizeof(buf));
	assert_int_equal((int)strlen(buf), w);
	assert_string_equal(buf, " 5 ^  MA ###.");
	/* suspect: probes out, still alive */
	n.suspect = true;
	cmm_ui_cell_text(&n, 5, 1000, w, buf, sizeof(buf));
	assert_string_equal(buf, " 5 ^  M? ###.");
	n.suspect = false;
	n.alive = false;
	n.member = false;
	n.fenced = true;
	n.heard_ms = -1;
	cmm_ui_cell_text(&n, 3, 1000, w, buf, sizeof(buf));
	assert_string_equal(buf, " 5  ! -x ####");
	n.self = true;
	cmm_ui_cell_text(&n, 3, 1000, w, buf, sizeof(buf));
	assert_string_equal(buf, " 5* ! -x ====");
}

static void
test_vote_explain(void **state)
{
	struct cmm_ui_quorum	q;
	char			buf[256];

	(void)state;
	memset(&q, 0, sizeof(q));
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "no quorum decision yet");

	q.valid = true;
	snprintf(q.method, sizeof(q.method), "vote");
	snprintf(q.verdict, sizeof(q.verdict), "win");
	q.votes = 3;
	q.prev_size = 6;
	q.crown_prince = 5;
	q.crown_prince_present = true;
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	/* FIG. 8: a tie goes to the side with the crown prince */
	assert_string_equal(buf, "votes 3 of previous 6 = half, crown prince 5 "
	    "present: quorum");
	q.crown_prince_present = false;
	snprintf(q.verdict, sizeof(q.verdict), "lose");
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "votes 3 of previous 6 = half, crown prince 5 "
	    "absent: no quorum");
	q.votes = 4;
	snprintf(q.verdict, sizeof(q.verdict), "win");
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "votes 4 of previous 6 > half: quorum");
	q.votes = 2;
	snprintf(q.verdict, sizeof(q.verdict), "lose");
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "votes 2 of previous 6 < half: no quorum");
	/* odd previous cluster: 3 of 5 is a majority, no tie possible */
	q.votes = 3;
	q.prev_size = 5;
	snprintf(q.verdict, sizeof(q.verdict), "win");
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "votes 3 of previous 5 > half: quorum");

	snprintf(q.method, sizeof(q.method), "race");
	snprintf(q.device, sizeof(q.device), "d0-3");
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "race for d0-3: won");
	snprintf(q.verdict, sizeof(q.verdict), "ask-winner");
	q.choices[0] = 0;
	q.choices[1] = 1;
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "race: no shared device: operator picks 0 or 1");
	snprintf(q.method, sizeof(q.method), "initial");
	snprintf(q.verdict, sizeof(q.verdict), "win");
	q.votes = 6;
	q.prev_size = 6;
	cmm_ui_vote_explain(&q, buf, sizeof(buf));
	assert_string_equal(buf, "initial: 6 of 6 configured: majority");
}

/* A round of six where node 3's PROPOSE differs and 5 never answered. */
static void
make_round(struct cmm_ui_round *r, struct cmm_ui_round_row *rows)
{
	memset(r, 0, sizeof(*r));
	r->valid = true;
	r->active = true;
	r->epoch = 7;
	r->attempt = 1;
	r->prev_epoch = 6;
	snprintf(r->phase, sizeof(r->phase), "proposal");
	r->left_ms = 400;
	r->fetched = 1000;
	for (int i = 0; i < 6; i++) {
		cmm_ui_set_add(&r->prev, i);
		if (i < 5) {
			cmm_ui_set_add(&r->expected, i);
			cmm_ui_set_add(&r->next, i);
		}
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].id = i;
		rows[i].expected = i < 5;
		rows[i].presence = i < 5;
		rows[i].proposed = i < 4;
	}
	rows[3].differs = true;
	rows[3].has_proposal = true;
	for (int i = 0; i < 4; i++)
		cmm_ui_set_add(&rows[3].proposal, i);
	cmm_ui_set_add(&r->differ, 3);
	r->rows = rows;
	r->nrows = 6;
}

static void
test_round_matrix(void **state)
{
	struct cmm_ui_round	r;
	struct cmm_ui_round_row	rows[6];
	char			out[10][128], title[128];
	int			n;

	(void)state;
	make_round(&r, rows);
	cmm_ui_round_title(&r, 1100, title, sizeof(title));
	assert_string_equal(title, "round 7.1 proposal, 300 ms left");
	n = cmm_ui_round_matrix(&r, 38, out[0], sizeof(out[0]), 10);
	assert_true(n >= 6);
	assert_string_equal(out[0], "node  0 1 2 3 4 5");
	assert_string_equal(out[1], "pres  + + + + + .");
	/* 4 expected to propose and missing: '-'; 5 not in next: '.' */
	assert_string_equal(out[2], "prop  + + + + - .");
	assert_string_equal(out[3], "diff        !    ");
	assert_string_equal(out[4], "prev e6 {0-5} next {0-4}");
	/* why the round fails, at a glance */
	assert_string_equal(out[5], "node 3 proposes {0-3}, not {0-4}");

	/* narrow: cut with '>' rather than wrapped */
	n = cmm_ui_round_matrix(&r, 12, out[0], sizeof(out[0]), 3);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "node  0 1 2>");
	assert_true(strlen(out[1]) <= 12);

	/* a finished round keeps its last state and says how it ended */
	r.active = false;
	snprintf(r.phase, sizeof(r.phase), "done");
	snprintf(r.outcome, sizeof(r.outcome), "failed: proposals differ");
	cmm_ui_round_title(&r, 5000, title, sizeof(title));
	assert_string_equal(title, "round 7.1 (last): done");
	n = cmm_ui_round_matrix(&r, 60, out[0], sizeof(out[0]), 10);
	assert_string_equal(out[n - 1], "  outcome: failed: proposals differ");

	memset(&r, 0, sizeof(r));
	n = cmm_ui_round_matrix(&r, 60, out[0], sizeof(out[0]), 10);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "no round yet");
}

static void
test_timing_warn(void **state)
{
	struct cmm_ui_node	n;
	char			buf[200];

	(void)state;
	/* p99 above half the failure timeout */
	assert_false(cmm_ui_timing_warn(500, 1000));
	assert_true(cmm_ui_timing_warn(501, 1000));
	assert_false(cmm_ui_timing_warn(104, 1000));
	assert_false(cmm_ui_timing_warn(900, 0));
	memset(&n, 0, sizeof(n));
	n.id = 2;
	n.alive = true;
	n.member = true;
	n.heard_ms = 87;
	n.has_hb = true;
	n.hb_median = 100;
	n.hb_p99 = 620;
	n.hb_n = 38;
	snprintf(n.link, sizeof(n.link), "up");
	cmm_ui_timing_row(&n, 1000, buf, sizeof(buf));
	assert_non_null(strstr(buf, "100/620"));
	assert_non_null(strstr(buf, "WARN"));
	n.hb_p99 = 104;
	cmm_ui_timing_row(&n, 1000, buf, sizeof(buf));
	assert_null(strstr(buf, "WARN"));
}

static void
test_model_json(void **state)
{
	struct cmm_ui_model	m;
	char			err[256], hdr[200];
	unsigned		what;

	(void)state;
	cmm_ui_model_init(&m);
	assert_int_equal(cmm_ui_model_status(&m, "{\"node\":0,\"cluster\":\"demo\","
	    "\"state\":\"member\",\"epoch\":2,\"members\":[0,1,2,3,4],"
	    "\"crown_prince\":4,\"quorum\":true,\"prompt\":null,"
	    "\"since_commit_ms\":3000}", 100, err, sizeof(err)), 0);
	cmm_ui_header_text(&m.status, 2100, -1, 200, hdr, sizeof(hdr));
	assert_string_equal(hdr, "demo  node 0  member  epoch 2  quorum yes  "
	    "prince 4  last reconf 5s ago");
	/* bad input: a clear error, the model untouched */
	assert_int_equal(cmm_ui_model_status(&m, "{\"node\":1}", 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "status reply"));
	assert_int_equal(cmm_ui_model_status(&m, "not json", 0, err,
	    sizeof(err)), -1);
	assert_int_equal(m.status.epoch, 2);

	assert_int_equal(cmm_ui_model_nodes(&m, "{\"node\":0,\"failure_timeout_ms\""
	    ":1000,\"nodes\":[{\"id\":0,\"self\":true,\"member\":true,"
	    "\"alive\":true,\"last_heard_ms\":0,\"heartbeat\":null},{\"id\":1,"
	    "\"member\":true,\"alive\":true,\"last_heard_ms\":50,\"link\":\"up\","
	    "\"heartbeat\":{\"n\":38,\"median_ms\":100,\"p99_ms\":104}}]}", 100,
	    err, sizeof(err)), 0);
	assert_int_equal(m.nnodes, 2);
	assert_int_equal(m.failure_timeout_ms, 1000);
	assert_true(m.nodes[1].has_hb);
	assert_int_equal(m.nodes[1].hb_p99, 104);
	assert_false(m.nodes[1].config_mismatch);
	/* a peer with another config digest is marked (the view draws it
	 * red); "match" and null (never heard) are not */
	{
		struct cmm_ui_model m2;

		cmm_ui_model_init(&m2);
		assert_int_equal(cmm_ui_model_nodes(&m2, "{\"node\":0,\"nodes\":["
		    "{\"id\":0,\"self\":true,\"config\":\"match\"},{\"id\":1,"
		    "\"config\":\"mismatch\"},{\"id\":2,\"config\":null}]}", 150,
		    err, sizeof(err)), 0);
		assert_false(cmm_ui_model_node(&m2, 0)->config_mismatch);
		assert_true(cmm_ui_model_node(&m2, 1)->config_mismatch);
		assert_false(cmm_ui_model_node(&m2, 2)->config_mismatch);
		cmm_ui_model_free(&m2);
	}
	/* a device alone says nothing of who fenced whom: the history does */
	assert_int_equal(cmm_ui_model_devices(&m, "{\"devices\":[{\"name\":\"d0-1\","
	    "\"nodes\":[0,1],\"shared\":true,\"registered\":[0],\"holder\":0,"
	    "\"epoch\":3}]}", err, sizeof(err)), 0);
	assert_false(cmm_ui_model_node(&m, 1)->fenced);
	assert_false(cmm_ui_model_node(&m, 0)->fenced);
	assert_int_equal(m.devices[0].committed_epoch, 0);
	/* the device record's epochs: committed, and who a fence removed */
	assert_int_equal(cmm_ui_model_devices(&m, "{\"devices\":[{\"name\":\"d0-1\","
	    "\"nodes\":[0,1],\"shared\":true,\"registered\":[0],\"holder\":0,"
	    "\"epoch\":3,\"committed_epoch\":3,\"reg_epoch\":{\"0\":2},"
	    "\"fence_epoch\":{\"1\":3,\"x\":4,\"5000\":1}}]}", err,
	    sizeof(err)), 0);
	assert_int_equal(m.devices[0].committed_epoch, 3);
	assert_true(cmm_ui_set_has(&m.devices[0].fenced_ids, 1));
	assert_int_equal(cmm_ui_set_count(&m.devices[0].fenced_ids), 1);

	/* a membership change highlights the cell that changed */
	assert_int_equal(cmm_ui_model_status(&m, "{\"node\":0,\"state\":\"member\","
	    "\"epoch\":3,\"members\":[0]}", 500, err, sizeof(err)), 0);
	assert_int_equal(cmm_ui_model_node(&m, 1)->changed_at, 500);
	assert_int_equal(cmm_ui_model_node(&m, 0)->changed_at, -1);

	/* fences, from the history: node 1 left at epoch 3 and shares d0-1
	 * with member 0, so 0 fenced it there; node 2 shares no device with
	 * a member: NOT fenced, said so */
	assert_int_equal(cmm_ui_model_history(&m, "{\"history\":["
	    "{\"kind\":\"commit\",\"epoch\":2,\"members\":[0,1,2]},"
	    "{\"kind\":\"commit\",\"epoch\":3,\"members\":[0]}]}", err,
	    sizeof(err)), 0);
	assert_true(cmm_ui_model_node(&m, 1)->fenced);
	assert_false(cmm_ui_model_node(&m, 0)->fenced);
	assert_int_equal(m.nfences, 2);
	{
		char f[160], g[160];

		cmm_ui_fence_text(&m.fences[0], f, sizeof(f));
		cmm_ui_fence_text(&m.fences[1], g, sizeof(g));
		assert_string_equal(f, "e3 0 fenced 1 on d0-1");
		assert_string_equal(g, "e3 2: NOT FENCED, shares no device "
		    "with a member; stop it before trusting shared data");
	}
	/* back as a member, node 1 registered anew: no fence any more */
	assert_int_equal(cmm_ui_model_status(&m, "{\"node\":0,\"state\":\"member\","
	    "\"epoch\":4,\"members\":[0,1]}", 550, err, sizeof(err)), 0);
	assert_false(cmm_ui_model_node(&m, 1)->fenced);
	assert_int_equal(m.nfences, 1);

	/* the prompt: `?` lines open and close it */
	assert_int_equal(cmm_ui_model_prompt(&m, "{\"open\":true,\"kind\":\"winner\","
	    "\"choices\":[0,1],\"why\":\"lost node 1\",\"deadline_ms\":30000}",
	    1000, err, sizeof(err)), 0);
	assert_true(m.prompt.open);
	assert_int_equal(m.prompt.deadline, 31000);
	assert_int_equal(m.prompt.choices[1], 1);
	assert_int_equal(cmm_ui_model_prompt(&m, "{\"open\":true,\"kind\":\"bogus\"}",
	    0, err, sizeof(err)), -1);
	assert_int_equal(cmm_ui_model_prompt(&m, "{\"open\":false,\"why\":\"answered\"}",
	    2000, err, sizeof(err)), 0);
	assert_false(m.prompt.open);

	/* events: logged, and say what to fetch again */
	what = cmm_ui_model_event(&m, "{\"type\":\"commit\",\"node\":0,\"epoch\":3,"
	    "\"time\":\"2026-11-25T09:06:46.522Z\",\"text\":\"commit epoch 3: {0}\"}",
	    600);
	assert_true(what & CMM_UI_EV_HISTORY);
	assert_true(what & CMM_UI_EV_ROUND);
	what = cmm_ui_model_event(&m, "garbage \x01", 700);
	assert_int_equal(what, 0);
	{
		const struct cmm_ui_logline	*l;
		int				 count;

		l = cmm_ui_model_logline(&m, CMM_UI_FILTER_ALL, 0, &count);
		assert_int_equal(count, 2);
		assert_string_equal(l->time, "09:06:46");
		assert_string_equal(l->text, "commit: commit epoch 3: {0}");
		l = cmm_ui_model_logline(&m, CMM_UI_FILTER_ALL, 1, NULL);
		/* control characters never reach the terminal */
		assert_string_equal(l->text, "garbage ?");
		assert_true(l->error);
		l = cmm_ui_model_logline(&m, CMM_UI_LK_MEMBERSHIP, 0, &count);
		assert_int_equal(count, 1);
		/* a rate-limited drop report shows how many it stands for */
		cmm_ui_model_event(&m, "{\"type\":\"drop\",\"node\":0,"
		    "\"epoch\":3,\"time\":\"2026-11-25T09:06:47.000Z\","
		    "\"reason\":\"replay\",\"from\":\"10.0.0.1:7\",\"count\":"
		    "3000}", 800);
		l = cmm_ui_model_logline(&m, CMM_UI_FILTER_ALL, 2, &count);
		assert_int_equal(count, 3);
		assert_string_equal(l->text, "drop: replay x3000 from 10.0.0.1:7");
	}
	cmm_ui_model_free(&m);
}

static void
test_prompt_lines(void **state)
{
	struct cmm_ui_model	m;
	char			out[24][128], err[128];
	int			n;
	bool			ctx = false, keys = false, left = false;

	(void)state;
	cmm_ui_model_init(&m);
	assert_int_equal(cmm_ui_model_prompt(&m, "{\"open\":true,\"kind\":\"winner\","
	    "\"choices\":[0,1],\"why\":\"node 1 silent\",\"deadline_ms\":9000,"
	    "\"round_epoch\":3,\"round_attempt\":0}", 0, err, sizeof(err)), 0);
	n = cmm_ui_prompt_lines(&m, 1500, 70, out[0], sizeof(out[0]), 24);
	assert_true(n > 5);
	assert_non_null(strstr(out[0], "WHICH NODE WINS"));
	for (int i = 0; i < n; i++) {
		assert_true(strlen(out[i]) <= 70);
		ctx |= strstr(out[i], "shared devices: none") != NULL;
		keys |= strstr(out[i], "[b] node 1 wins") != NULL;
		left |= strstr(out[i], "8 s left") != NULL;
	}
	assert_true(ctx);
	assert_true(keys);
	assert_true(left);
	cmm_ui_model_free(&m);
}

static void
test_set_format(void **state)
{
	struct cmm_ui_set	s;
	char			buf[64];

	(void)state;
	cmm_ui_set_clear(&s);
	cmm_ui_set_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	cmm_ui_set_add(&s, 0);
	cmm_ui_set_add(&s, 1);
	cmm_ui_set_add(&s, 2);
	cmm_ui_set_add(&s, 5);
	cmm_ui_set_add(&s, 1023);
	cmm_ui_set_add(&s, 1024);	/* out of range: ignored */
	cmm_ui_set_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "0-2,5,1023");
	assert_int_equal(cmm_ui_set_count(&s), 5);
	/* a short buffer is cut, never overrun */
	cmm_ui_set_format(&s, buf, 4);
	assert_string_equal(buf, "0-2");
}

/* The round and quorum panes keep the last decision that changed the
 * membership; a later round that changed nothing is a note; a race that
 * is over says how it ended; no time limit is never a huge count. */
static void
test_panes_keep(void **state)
{
	struct cmm_ui_model		 m;
	const struct cmm_ui_round	*r;
	char				 err[256], title[160], buf[256], note[160];

	(void)state;
	cmm_ui_model_init(&m);
	assert_int_equal(cmm_ui_model_round(&m, "{\"active\":false,\"epoch\":3,"
	    "\"attempt\":1,\"phase\":\"done\",\"prev\":[0,1,2],\"next\":[0,1],"
	    "\"outcome\":\"chosen\",\"nodes\":[{\"id\":0},{\"id\":1}]}", 100,
	    err, sizeof(err)), 0);
	assert_int_equal(cmm_ui_model_quorum(&m, "{\"method\":\"vote\","
	    "\"verdict\":\"win\",\"votes\":2,\"prev_size\":3}", err,
	    sizeof(err)), 0);
	/* then a round where nobody left */
	assert_int_equal(cmm_ui_model_round(&m, "{\"active\":false,\"epoch\":4,"
	    "\"attempt\":0,\"phase\":\"done\",\"prev\":[0,1],\"next\":[0,1],"
	    "\"outcome\":\"chosen\",\"nodes\":[{\"id\":0},{\"id\":1}]}", 200,
	    err, sizeof(err)), 0);
	assert_int_equal(cmm_ui_model_quorum(&m, "{\"method\":\"kept\","
	    "\"verdict\":\"win\"}", err, sizeof(err)), 0);
	r = cmm_ui_round_shown(&m);
	assert_int_equal(r->epoch, 3);
	assert_string_equal(m.round_note, "then round 4.0: chosen, no change");
	cmm_ui_quorum_text(&m, title, sizeof(title), buf, sizeof(buf), note,
	    sizeof(note));
	assert_string_equal(title, "quorum: vote, win");
	assert_string_equal(note, "then: nobody left, quorum kept");
	/* a new round runs: it is shown */
	assert_int_equal(cmm_ui_model_round(&m, "{\"active\":true,\"epoch\":5,"
	    "\"attempt\":0,\"phase\":\"phase1\",\"prev\":[0,1],\"next\":[],"
	    "\"left_ms\":9223372036854141311,\"nodes\":[]}", 300, err,
	    sizeof(err)), 0);
	r = cmm_ui_round_shown(&m);
	assert_int_equal(r->epoch, 5);
	/* a deadline beyond any sense is no deadline */
	cmm_ui_round_title(r, 300, title, sizeof(title));
	assert_null(strstr(title, "ms left"));
	assert_non_null(strstr(title, "no time limit"));

	/* a race over: won, not "racing" */
	assert_int_equal(cmm_ui_model_round(&m, "{\"active\":false,\"epoch\":5,"
	    "\"attempt\":0,\"phase\":\"done\",\"prev\":[0,1],\"next\":[0],"
	    "\"nodes\":[{\"id\":0}]}", 400, err, sizeof(err)), 0);
	assert_int_equal(cmm_ui_model_quorum(&m, "{\"method\":\"race\","
	    "\"verdict\":\"race\",\"device\":\"d0-1\"}", err, sizeof(err)), 0);
	assert_int_equal(cmm_ui_model_status(&m, "{\"node\":0,\"state\":\"member\","
	    "\"epoch\":6,\"members\":[0],\"quorum\":true}", 400, err,
	    sizeof(err)), 0);
	cmm_ui_quorum_text(&m, title, sizeof(title), buf, sizeof(buf), note,
	    sizeof(note));
	assert_string_equal(buf, "race for d0-1: won, this side is the cluster");
	assert_null(strstr(buf, "racing"));
	cmm_ui_model_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_80x24),
		cmocka_unit_test(test_layout_120x40),
		cmocka_unit_test(test_layout_small_and_many),
		cmocka_unit_test(test_cell),
		cmocka_unit_test(test_vote_explain),
		cmocka_unit_test(test_round_matrix),
		cmocka_unit_test(test_timing_warn),
		cmocka_unit_test(test_model_json),
		cmocka_unit_test(test_prompt_lines),
		cmocka_unit_test(test_set_format),
		cmocka_unit_test(test_panes_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
