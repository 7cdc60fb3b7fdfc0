/* SPDX-License-Identifier: GPL-3.0-or-later */
/* noteq: notes held until the loop's current callbacks are done. */
#include <stdlib.h>
#include <string.h>

#include "src/node/noteq.h"

struct cmm_noteq {
	int			cap, head, len;
	struct cmm_noteq_item	items[];
};

static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;	/* the core's lines and the logs' fit */
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Points the item's note at the item's own copies. */
static void
item_bind(struct cmm_noteq_item *it)
{
	const char *sub;

	it->n.text = it->has_text ? it->text : NULL;
	it->n.fx = it->has_fx ? &it->fx : NULL;
	if (!it->has_fx)
		return;
	sub = it->sub_is == CMM_NOTEQ_SUB_OWN ? it->sub :
	    it->sub_is == CMM_NOTEQ_SUB_TEXT ? it->n.text : NULL;
	if (it->n.type == CMM_NOTE_EVENT) {
		it->fx.u.event = &it->ev;
		it->ev.decision = it->has_dec ? &it->dec : NULL;
		it->ev.text = sub;
	} else {
		it->fx.u.prompt = &it->prompt;
		it->prompt.why = sub;
	}
}

static void
item_set(struct cmm_noteq_item *it, const struct cmm_note *n)
{
	const char *sub = NULL;

	it->n = *n;
	it->has_text = n->text != NULL;
	if (it->has_text)
		copy_text(it->text, sizeof(it->text), n->text);
	it->has_fx = n->fx != NULL &&
	    (n->type == CMM_NOTE_EVENT || n->type == CMM_NOTE_PROMPT);
	it->has_dec = false;
	if (it->has_fx) {
		it->fx = *n->fx;
		if (n->type == CMM_NOTE_EVENT) {
			it->ev = *n->fx->u.event;
			sub = it->ev.text;
			if (it->ev.decision != NULL) {
				it->dec = *it->ev.decision;
				it->has_dec = true;
			}
		} else {
			it->prompt = *n->fx->u.prompt;
			sub = it->prompt.why;
		}
	}
	/* the event's text is usually the note's own: one copy serves both */
	if (sub == NULL) {
		it->sub_is = CMM_NOTEQ_SUB_NONE;
	} else if (sub == n->text) {
		it->sub_is = CMM_NOTEQ_SUB_TEXT;
	} else {
		it->sub_is = CMM_NOTEQ_SUB_OWN;
		copy_text(it->sub, sizeof(it->sub), sub);
	}
	item_bind(it);
}

struct cmm_noteq *
cmm_noteq_new(int cap)
{
	struct cmm_noteq *q;

	if (cap < 1)
		return NULL;
	q = calloc(1, sizeof(*q) + (size_t)cap * sizeof(q->items[0]));
	if (q != NULL)
		q->cap = cap;
	return q;
}

void
cmm_noteq_free(struct cmm_noteq *q)
{
	free(q);
}

bool
cmm_noteq_push(struct cmm_noteq *q, const struct cmm_note *n)
{
	if (q->len == q->cap)
		return false;
	item_set(&q->items[(q->head + q->len) % q->cap], n);
	q->len++;
	return true;
}

bool
cmm_noteq_pop(struct cmm_noteq *q, struct cmm_noteq_item *out)
{
	if (q->len == 0)
		return false;
	memcpy(out, &q->items[q->head], sizeof(*out));
	item_bind(out);
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return true;
}

int
cmm_noteq_len(const struct cmm_noteq *q)
{
	return q->len;
}

int64_t
cmm_noteq_due(int64_t first_us, int64_t last_us, int64_t quiet_us,
    int64_t max_us)
{
	int64_t due = last_us + quiet_us;

	return due > first_us + max_us ? first_us + max_us : due;
}
