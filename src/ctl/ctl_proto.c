/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ctl_proto: encode and parse the control protocol's lines (see the header). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ctl/ctl_proto.h"

static int	buf_add(char **buf, size_t *len, size_t *cap, const char *s,
		    size_t n);
static int	add_clean_line(char **buf, size_t *len, size_t *cap, char tag,
		    const char *s, size_t n);

/* Appends n bytes of s, growing the buffer; keeps it NUL-terminated. */
static int
buf_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char	*nb;
	size_t	 ncap;

	if (*len + n + 1 > *cap) {
		ncap = *cap ? *cap : 128;
		while (ncap < *len + n + 1)
			ncap *= 2;
		if ((nb = realloc(*buf, ncap)) == NULL)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* "T text\n" with control characters replaced, so a line never splits. */
static int
add_clean_line(char **buf, size_t *len, size_t *cap, char tag, const char *s,
    size_t n)
{
	char	 head[2] = { tag, ' ' };
	size_t	 start = *len;

	if (buf_add(buf, len, cap, head, n > 0 ? 2 : 1) < 0 ||
	    buf_add(buf, len, cap, s, n) < 0 ||
	    buf_add(buf, len, cap, "\n", 1) < 0)
		return -1;
	/* a tab is kept: list-commands separates its columns with tabs */
	for (size_t i = start + 2; n > 0 && i < *len - 1; i++)
		if (((unsigned char)(*buf)[i] < 0x20 && (*buf)[i] != '\t') ||
		    (*buf)[i] == 0x7f)
			(*buf)[i] = '?';
	return 0;
}

enum cmm_ctl_tag
cmm_ctl_parse_line(const char *line, const char **payload)
{
	size_t	n = strlen(line);

	*payload = "";
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n == 0)
		return CMM_CTL_BAD;
	switch (line[0]) {
	case CMM_CTL_HELLO:
	case CMM_CTL_BODY:
	case CMM_CTL_OK:
	case CMM_CTL_ERR:
	case CMM_CTL_EVENT:
	case CMM_CTL_PROMPT:
		break;
	default:
		return CMM_CTL_BAD;
	}
	if (n == 1) {
		*payload = line + 1;
		return (enum cmm_ctl_tag)line[0];
	}
	if (line[1] != ' ')
		return CMM_CTL_BAD;
	*payload = line + 2;
	return (enum cmm_ctl_tag)line[0];
}

int
cmm_ctl_hello(char *buf, size_t len, int node)
{
	return snprintf(buf, len, "V %d %d\n", CMM_CTL_VERSION, node);
}

int
cmm_ctl_parse_hello(const char *payload, int *version, int *node)
{
	char	extra;

	if (sscanf(payload, "%d %d %c", version, node, &extra) != 2)
		return -1;
	return 0;
}

char *
cmm_ctl_encode_reply(const char *body, bool ok, const char *error)
{
	return cmm_ctl_encode_reply_hint(body, ok, error, 0);
}

char *
cmm_ctl_encode_reply_hint(const char *body, bool ok, const char *error,
    int exit_hint)
{
	char		 end[8];
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	const char	*p, *nl;

	for (p = body ? body : ""; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (add_clean_line(&buf, &len, &cap, CMM_CTL_BODY, p,
		    (size_t)(nl - p)) < 0)
			goto fail;
		if (*nl == '\0')
			break;
	}
	if (ok) {
		if (exit_hint > 0 && exit_hint <= 9)
			snprintf(end, sizeof(end), "+ %d\n", exit_hint);
		else
			snprintf(end, sizeof(end), "+\n");
		if (buf_add(&buf, &len, &cap, end, strlen(end)) < 0)
			goto fail;
	} else {
		if (error == NULL || *error == '\0')
			error = "failed";
		nl = strchr(error, '\n');
		if (add_clean_line(&buf, &len, &cap, CMM_CTL_ERR, error,
		    nl ? (size_t)(nl - error) : strlen(error)) < 0)
			goto fail;
	}
	return buf;
fail:
	free(buf);
	return NULL;
}

char *
cmm_ctl_encode_async(enum cmm_ctl_tag tag, const char *text)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;

	if (add_clean_line(&buf, &len, &cap, (char)tag, text, strlen(text)) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void
cmm_ctl_reply_init(struct cmm_ctl_reply *r)
{
	memset(r, 0, sizeof(*r));
}

void
cmm_ctl_reply_reset(struct cmm_ctl_reply *r)
{
	free(r->body);
	free(r->error);
	cmm_ctl_reply_init(r);
}

int
cmm_ctl_reply_feed(struct cmm_ctl_reply *r, const char *line)
{
	const char		*pl;
	enum cmm_ctl_tag	 tag = cmm_ctl_parse_line(line, &pl);
	size_t			 n = strlen(pl);

	if (n > 0 && pl[n - 1] == '\r')
		n--;
	switch (tag) {
	case CMM_CTL_BODY:
		if (buf_add(&r->body, &r->len, &r->cap, pl, n) < 0 ||
		    buf_add(&r->body, &r->len, &r->cap, "\n", 1) < 0)
			return -1;
		break;
	case CMM_CTL_OK:
		r->done = true;
		r->ok = true;
		r->exit_hint = n == 1 && pl[0] >= '1' && pl[0] <= '9' ?
		    pl[0] - '0' : 0;
		break;
	case CMM_CTL_ERR:
		r->done = true;
		r->ok = false;
		free(r->error);
		if ((r->error = strndup(pl, n)) == NULL)
			return -1;
		break;
	default:
		break;
	}
	return (int)tag;
}

int
cmm_ctl_parse_request(char *line, bool *json, char **argv, int maxargs,
    const char **why)
{
	int	 argc = 0;
	char	*p = line, *w;

	*json = false;
	for (char *q = line; *q != '\0'; q++) {
		if (*q == '\r' || *q == '\n' || *q == '\t')
			*q = ' ';
		else if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			*why = "request holds a control character";
			return -1;
		}
	}
	while (*p == ' ')
		p++;
	if (*p == '#')
		return 0;
	while (*p != '\0') {
		w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (*p == ' ')
			p++;
		if (argc == 0 && !*json && strcmp(w, "--json") == 0) {
			*json = true;
			continue;
		}
		if (argc == maxargs) {
			*why = "too many words in the request";
			return -1;
		}
		argv[argc++] = w;
	}
	return argc;
}

int
cmm_ctl_encode_request(char *buf, size_t len, bool json, int argc,
    char *const *argv)
{
	size_t	 used = 0, n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (json) {
		if (len < 8)
			return -1;
		memcpy(buf, "--json", 6);
		used = 6;
	}
	for (int i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (n == 0)
			return -1;
		for (size_t j = 0; j < n; j++)
			if ((unsigned char)argv[i][j] <= 0x20 || argv[i][j] == 0x7f)
				return -1;
		if (used + (used > 0) + n + 2 > len)
			return -1;
		if (used > 0)
			buf[used++] = ' ';
		memcpy(buf + used, argv[i], n);
		used += n;
	}
	buf[used++] = '\n';
	buf[used] = '\0';
	return (int)used;
}
