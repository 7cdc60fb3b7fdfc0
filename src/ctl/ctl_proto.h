/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctl_proto: the control protocol spoken on a node's control socket
 * (docs/ARCHITECTURE.md, "One command language"; cmm(1)).  `cmm ctl`, the
 * console (attached in-process through a
 * socketpair or later through the socket) and scripts are all clients of
 * it.  Pure text encode/parse: no I/O, no libevent, so ui/ may include it.
 *
 * Version 1.  Lines end with LF (a CR before it is ignored); a line is at
 * most CMM_CTL_LINE_MAX bytes with its LF.
 *
 * Client -> server: one request a line,
 *	[--json] COMMAND [ARG...]
 * words separated by blanks; no quoting (no argument contains a blank).
 * Every request gets exactly one reply, in order.  A blank line or one
 * starting with '#' gets an empty ok reply.  While a request is pending
 * (`wait`), later requests queue behind it.
 *
 * Server -> client: every line starts with a tag character and a space
 * (or is the bare tag):
 *	V 1 NODE	greeting, the first line: protocol version, node id
 *	: TEXT		one line of the pending reply's body; with --json the
 *			body is exactly one line holding one JSON object
 *	+ [N]		end of the reply: success; N (optional, 1..9) is
 *			what `cmm ctl` should exit with, e.g. 3 after a
 *			`status` of a node that is not a quorate member
 *	- MESSAGE	end of the reply: failure, MESSAGE is the one-line error
 *			(with --json the body before it is the error object,
 *			{"api":1,"ok":false,"error":MESSAGE})
 *	! TEXT		an event (only after `watch`): a human line, or with
 *			`watch --json` one JSON object with at least type,
 *			node, epoch, time (ISO 8601, ms), mono_ns
 *			(docs/api/: "api", "type", "seq" first; the first
 *			line is a "snapshot" of the status, taken in the
 *			same loop turn as the subscription, so no event
 *			falls between the two)
 *	? JSON		the prompt changed (only after `watch`): an object
 *			{"open": true, "kind": "isolation"|"winner",
 *			 "choices": [...], "why": "...", "deadline_ms": n}
 *			or {"open": false, "why": "..."}; sent once at `watch`
 *			when a prompt is open, then at every open and close
 * `!` and `?` lines may arrive between replies at any time, never inside
 * one (a reply's lines are written together).  Unknown tags are ignored,
 * so later versions may add some.
 *
 * `list-commands` replies with one command a line ("NAME\tUSAGE\tHELP"),
 * for completion; `--json list-commands` with an array of objects.
 */
#ifndef CMM_CTL_PROTO_H
#define CMM_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CMM_CTL_VERSION		1
#define CMM_CTL_LINE_MAX	4096	/* a request line, LF included */
#define CMM_CTL_MAX_ARGS	16

enum cmm_ctl_tag {
	CMM_CTL_BAD = 0,	/* not a line of this protocol */
	CMM_CTL_HELLO = 'V',
	CMM_CTL_BODY = ':',
	CMM_CTL_OK = '+',
	CMM_CTL_ERR = '-',
	CMM_CTL_EVENT = '!',
	CMM_CTL_PROMPT = '?',
};

/* Classifies one server line (no LF; a trailing CR is tolerated) and points
 * *payload at its text ("" when none).  Unknown tags give CMM_CTL_BAD. */
enum cmm_ctl_tag cmm_ctl_parse_line(const char *line, const char **payload);

/* The greeting line for node id, with its LF.  Returns like snprintf. */
int	cmm_ctl_hello(char *buf, size_t len, int node);
/* Parses a greeting: 0 and the version and node, or -1. */
int	cmm_ctl_parse_hello(const char *payload, int *version, int *node);

/*
 * Encodes a whole reply: every line of body (split at LF; a final LF adds
 * no empty line; control characters become '?') as a body line, then "+"
 * or "- error".  An error with LF in it keeps its first line only.  Returns
 * a malloc'd, NUL-terminated string, or NULL when memory runs out.
 */
char	*cmm_ctl_encode_reply(const char *body, bool ok, const char *error);
/* The same with an exit hint on the success line ("+ N"; 0: none). */
char	*cmm_ctl_encode_reply_hint(const char *body, bool ok, const char *error,
	    int exit_hint);

/* One event or prompt line ('!' or '?') with its LF; malloc'd or NULL. */
char	*cmm_ctl_encode_async(enum cmm_ctl_tag tag, const char *text);

/* A reply being read by a client. */
struct cmm_ctl_reply {
	char	*body;		/* body lines joined, each ending in LF */
	size_t	len;
	size_t	cap;
	bool	done;		/* '+' or '-' seen */
	bool	ok;
	char	*error;		/* '-' message, malloc'd */
	int	exit_hint;	/* '+ N': N, else 0 */
};

void	cmm_ctl_reply_init(struct cmm_ctl_reply *r);
void	cmm_ctl_reply_reset(struct cmm_ctl_reply *r);	/* frees, re-inits */
/* Feeds one server line.  Body/ok/err lines belong to the reply; the tag is
 * returned so the caller handles greeting, event and prompt lines itself.
 * -1 (as the tag) when memory runs out. */
int	cmm_ctl_reply_feed(struct cmm_ctl_reply *r, const char *line);

/*
 * Splits a request line in place into words.  Strips a leading "--json"
 * (sets *json).  Returns the word count (0 for a blank or comment line), or
 * -1 with a reason in *why (too many words, a control character).
 */
int	cmm_ctl_parse_request(char *line, bool *json, char **argv, int maxargs,
	    const char **why);

/* Joins words into a request line with its LF.  -1 (and nothing useful in
 * buf) if a word is empty or holds a blank or control character, or if it
 * does not fit len; else the length. */
int	cmm_ctl_encode_request(char *buf, size_t len, bool json, int argc,
	    char *const *argv);

#endif
