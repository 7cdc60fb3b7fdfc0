/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: reads the cluster config with inih (assets/cmm.conf.5).
 *
 * inih hands us key = value pairs but no line numbers and no empty
 * sections, so the file is fed through our own line reader: it counts lines
 * (every message names its line), notices section headers as they pass
 * (so an empty or unknown section is still checked), and strips leading
 * blanks (so inih's multi-line values never swallow an indented key).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "net/mac.h"
#include "net/wire.h"
#include "src/core/core_keys.h"
#include "src/node/arbwire.h"
#include "src/node/config.h"
#include "util/parse.h"

#define CFG_PRIORITY_MAX	1000000

enum cfg_sec { SEC_NONE, SEC_CLUSTER, SEC_NODE, SEC_DEVICE };

/* The [cluster] keys of the file itself; the core's timings and policies
 * are in the one table of src/core/core_keys.c, shared with the
 * simulator. */
enum cfg_key {
	K_NAME, K_KEY_FILE, K_STATE_DIR, K_SOCKET, K_HOOK, K_FAULT,
	K_WATCHDOG, K_REALTIME, K__COUNT
};

static const char *const cfg_cluster_keys[K__COUNT] = {
	"name", "key_file", "state_dir", "control_socket", "hook",
	"fault_injection", "watchdog", "realtime",
};

/* Parser state; lines are 1-based, 0 means "not seen". */
struct cfg_parse {
	struct cmm_config *cfg;
	FILE		*f;
	char		*err;
	size_t		errlen;
	bool		failed;
	int		line;		/* the line inih is looking at */
	enum cfg_sec	sec;
	int		sec_id;		/* node id or device index */
	char		sec_text[CMM_NAME_MAX + 16];	/* "[node 3]" */
	int		cluster_line;
	int		key_line[K__COUNT];
	int		core_line[CMM_KEY__COUNT];	/* src/core/core_keys.h */
	int		prio_line[CMM_MAX_NODES];
	int		dev_line[CMM_MAX_DEVICES];
	int		dev_path_line[CMM_MAX_DEVICES];
	int		dev_arb_line[CMM_MAX_DEVICES];
	int		dev_nodes_line[CMM_MAX_DEVICES];
	int		group_line[2];	/* control_group, control_readonly_group */
};

static void	cfg_fail(struct cfg_parse *ps, int line, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static char	*cfg_reader(char *str, int num, void *stream);
static void	cfg_section(struct cfg_parse *ps, char *text);
static int	cfg_handler(void *user, const char *section, const char *name,
		    const char *value);
static void	cfg_cluster_key(struct cfg_parse *ps, const char *name,
		    const char *value);
static bool	cfg_group_key(struct cfg_parse *ps, const char *name,
		    const char *value);
static bool	cfg_gid(struct cfg_parse *ps, const char *key, const char *v,
		    gid_t *out);
static void	cfg_node_key(struct cfg_parse *ps, const char *name,
		    const char *value);
static void	cfg_device_key(struct cfg_parse *ps, const char *name,
		    const char *value);
static bool	cfg_int(struct cfg_parse *ps, const char *key, const char *v,
		    long long min, long long max, long long *out);
static bool	cfg_path(struct cfg_parse *ps, const char *key, const char *v,
		    bool pattern, char *out, size_t outlen);
static bool	cfg_address(struct cfg_parse *ps, const char *key,
		    const char *v, bool wildcard_ok, struct cmm_node_addr *a);
static bool	cfg_same_sa(const struct sockaddr_storage *a,
		    const struct sockaddr_storage *b);
static void	cfg_defaults(struct cmm_config *cfg);
static void	cfg_validate(struct cfg_parse *ps);
static int	cfg_expand(const char *pat, int id, char *buf, size_t len);

/* Records the first error only: later ones are often its echoes. */
static void
cfg_fail(struct cfg_parse *ps, int line, const char *key, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (ps->failed)
		return;
	ps->failed = true;
	if (line > 0)
		n = snprintf(ps->err, ps->errlen, "%s:%d: %s: ", ps->cfg->path,
		    line, key);
	else
		n = snprintf(ps->err, ps->errlen, "%s: ", ps->cfg->path);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}

/* inih's fgets: counts lines, catches headers, strips leading blanks. */
static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *ps = stream;
	size_t	n, skip;

	if (ps->failed || fgets(str, num, ps->f) == NULL)
		return NULL;
	ps->line++;
	n = strlen(str);
	if (n > 0 && str[n - 1] != '\n' && !feof(ps->f)) {
		if (n + 1 < (size_t)num)
			cfg_fail(ps, ps->line, "line", "contains a NUL byte");
		else	/* inih needs room for "\r\n\0" beyond the text */
			cfg_fail(ps, ps->line, "line", "too long (at most %d "
			    "characters)", num - 3);
		return NULL;
	}
	if (ps->line == 1 && strncmp(str, "\xef\xbb\xbf", 3) == 0)
		memmove(str, str + 3, n - 3 + 1);
	for (skip = 0; str[skip] == ' ' || str[skip] == '\t'; skip++)
		;
	if (skip > 0)
		memmove(str, str + skip, strlen(str + skip) + 1);
	if (str[0] == '[') {
		cfg_section(ps, str);
		if (ps->failed)
			return NULL;
	}
	return str;
}

/* A "[...]" line: which section it opens (checked even if it stays empty). */
static void
cfg_section(struct cfg_parse *ps, char *text)
{
	struct cmm_config *cfg = ps->cfg;
	char	*end, *name, *rest;
	size_t	len;

	end = strchr(text, ']');
	if (end == NULL) {
		text[strcspn(text, "\r\n")] = '\0';
		cfg_fail(ps, ps->line, text, "syntax error: no closing ']'");
		return;
	}
	len = (size_t)(end - text) + 1;
	if (len >= sizeof(ps->sec_text)) {
		cfg_fail(ps, ps->line, "section", "name too long (at most %d "
		    "characters)", (int)sizeof(ps->sec_text) - 3);
		return;
	}
	memcpy(ps->sec_text, text, len);
	ps->sec_text[len] = '\0';
	name = ps->sec_text + 1;
	len -= 2;

	if (len == 7 && strncmp(name, "cluster", 7) == 0) {
		if (ps->cluster_line > 0) {
			cfg_fail(ps, ps->line, ps->sec_text, "duplicate section "
			    "(first at line %d)", ps->cluster_line);
			return;
		}
		ps->cluster_line = ps->line;
		ps->sec = SEC_CLUSTER;
		return;
	}
	if (strncmp(name, "node ", 5) == 0) {
		char	tok[sizeof(ps->sec_text)];
		long long id;
		int	rc;

		rest = name + 5;
		while (*rest == ' ')
			rest++;
		snprintf(tok, sizeof(tok), "%.*s", (int)strcspn(rest, "]"), rest);
		rc = cmm_parse_int(tok, 0, CMM_MAX_NODES - 1, &id, NULL, 0);
		if (tok[0] == '-' || rc == CMM_PARSE_NOT_NUMBER) {
			cfg_fail(ps, ps->line, ps->sec_text, "bad node id "
			    "(expected [node N], N in 0..%d)", CMM_MAX_NODES - 1);
			return;
		}
		if (rc != 0) {
			cfg_fail(ps, ps->line, ps->sec_text, "node id out of range "
			    "(0..%d)", CMM_MAX_NODES - 1);
			return;
		}
		if (cfg->node[id].present) {
			cfg_fail(ps, ps->line, ps->sec_text, "duplicate section "
			    "(first at line %d)", cfg->node[id].line);
			return;
		}
		cfg->node[id].present = true;
		cfg->node[id].line = ps->line;
		cfg->core.priority[id] = (int)id;
		cmm_set_add(&cfg->core.configured, (int)id);
		cfg->n_nodes++;
		ps->sec = SEC_NODE;
		ps->sec_id = (int)id;
		return;
	}
	if (strncmp(name, "device ", 7) == 0) {
		struct cmm_device_cfg *d;
		size_t	nlen;
		int	i;

		rest = name + 7;
		while (*rest == ' ')
			rest++;
		nlen = strlen(rest) - 1;	/* without the ']' */
		if (nlen == 0) {
			cfg_fail(ps, ps->line, ps->sec_text, "device name missing");
			return;
		}
		if (nlen >= CMM_NAME_MAX) {
			cfg_fail(ps, ps->line, ps->sec_text, "device name too "
			    "long (at most %d characters)", CMM_NAME_MAX - 1);
			return;
		}
		for (i = 0; i < (int)nlen; i++)
			if (!isalnum((unsigned char)rest[i]) &&
			    strchr("._-", rest[i]) == NULL) {
				cfg_fail(ps, ps->line, ps->sec_text, "bad device "
				    "name (letters, digits, '.', '_' and '-' only)");
				return;
			}
		for (i = 0; i < cfg->core.n_devices; i++)
			if (strlen(cfg->core.devices[i].name) == nlen &&
			    strncmp(cfg->core.devices[i].name, rest, nlen) == 0) {
				cfg_fail(ps, ps->line, ps->sec_text, "duplicate "
				    "section (first at line %d)", ps->dev_line[i]);
				return;
			}
		if (cfg->core.n_devices >= CMM_MAX_DEVICES) {
			cfg_fail(ps, ps->line, ps->sec_text, "too many devices "
			    "(at most %d)", CMM_MAX_DEVICES);
			return;
		}
		i = cfg->core.n_devices++;
		d = &cfg->core.devices[i];
		memcpy(d->name, rest, nlen);
		d->name[nlen] = '\0';
		cmm_set_clear(&d->nodes);
		ps->dev_line[i] = ps->line;
		ps->sec = SEC_DEVICE;
		ps->sec_id = i;
		return;
	}
	cfg_fail(ps, ps->line, ps->sec_text, "unknown section (expected "
	    "[cluster], [node N] or [device NAME])");
}

static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_parse *ps = user;

	(void)section;	/* cfg_reader saw the header first */
	if (ps->failed)
		return 0;
	switch (ps->sec) {
	case SEC_NONE:
		cfg_fail(ps, ps->line, name, "key outside any section");
		break;
	case SEC_CLUSTER:
		cfg_cluster_key(ps, name, value);
		break;
	case SEC_NODE:
		cfg_node_key(ps, name, value);
		break;
	case SEC_DEVICE:
		cfg_device_key(ps, name, value);
		break;
	}
	return ps->failed ? 0 : 1;
}

static void
cfg_cluster_key(struct cfg_parse *ps, const char *name, const char *value)
{
	struct cmm_config *cfg = ps->cfg;
	const struct cmm_key *ck;
	char	why[CMM_PARSE_WHY_LEN + 64];
	int	k;

	if (cfg_group_key(ps, name, value))
		return;
	if ((ck = cmm_core_key_find(name)) != NULL) {
		k = (int)(ck - cmm_core_keys);
		if (ps->core_line[k] > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", ps->core_line[k]);
			return;
		}
		ps->core_line[k] = ps->line;
		if (cmm_core_key_set(&cfg->core, ck, value, why, sizeof(why)) != 0)
			cfg_fail(ps, ps->line, name, "%s", why);
		return;
	}
	for (k = 0; k < K__COUNT; k++)
		if (strcmp(name, cfg_cluster_keys[k]) == 0)
			break;
	if (k == K__COUNT) {
		cfg_fail(ps, ps->line, name, "unknown key in [cluster]");
		return;
	}
	if (ps->key_line[k] > 0) {
		cfg_fail(ps, ps->line, name, "duplicate key (first at line %d)",
		    ps->key_line[k]);
		return;
	}
	ps->key_line[k] = ps->line;
	switch ((enum cfg_key)k) {
	case K_NAME:
		if (value[0] == '\0')
			cfg_fail(ps, ps->line, name, "empty value");
		else if (strlen(value) >= sizeof(cfg->name))
			cfg_fail(ps, ps->line, name, "too long (at most %d "
			    "characters)", (int)sizeof(cfg->name) - 1);
		else {
			strcpy(cfg->name, value);
			cfg->cluster_id = cmm_wire_cluster_id(value);
		}
		break;
	case K_KEY_FILE:
		cfg_path(ps, name, value, false, cfg->key_file,
		    sizeof(cfg->key_file));
		break;
	case K_FAULT:
		if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)
			cfg->fault_injection = value[1] == 'n';
		else
			cfg_fail(ps, ps->line, name, "bad value '%s' (expected on "
			    "or off)", value);
		break;
	case K_STATE_DIR:
		cfg_path(ps, name, value, true, cfg->state_dir,
		    sizeof(cfg->state_dir));
		break;
	case K_SOCKET:
		cfg_path(ps, name, value, true, cfg->control_socket,
		    sizeof(cfg->control_socket));
		break;
	case K_HOOK:
		if (strcmp(value, "none") == 0)
			cfg->hook[0] = '\0';
		else
			cfg_path(ps, name, value, false, cfg->hook,
			    sizeof(cfg->hook));
		break;
	case K_WATCHDOG:
		cfg_path(ps, name, value, true, cfg->watchdog,
		    sizeof(cfg->watchdog));
		break;
	case K_REALTIME:
		if (strcmp(value, "yes") == 0)
			cfg->realtime = CMM_RT_YES;
		else if (strcmp(value, "no") == 0)
			cfg->realtime = CMM_RT_NO;
		else
			cfg_fail(ps, ps->line, name, "bad value '%s' (expected yes "
			    "or no)", value);
		break;
	case K__COUNT:
		break;
	}
}

/* control_group and control_readonly_group (the control socket's access,
 * src/ctl/ctl_server.c): true when name is one of them, handled here. */
static bool
cfg_group_key(struct cfg_parse *ps, const char *name, const char *value)
{
	struct cmm_config *cfg = ps->cfg;
	bool	ro;
	int	k;
	gid_t	gid;

	if (strcmp(name, "control_group") == 0)
		ro = false;
	else if (strcmp(name, "control_readonly_group") == 0)
		ro = true;
	else
		return false;
	k = ro ? 1 : 0;
	if (ps->group_line[k] > 0) {
		cfg_fail(ps, ps->line, name, "duplicate key (first at line %d)",
		    ps->group_line[k]);
		return true;
	}
	ps->group_line[k] = ps->line;
	if (!cfg_gid(ps, name, value, &gid))
		return true;
	/* one group cannot both may and may not change the node */
	if ((ro && cfg->has_control_group && cfg->control_gid == gid) ||
	    (!ro && cfg->has_readonly_group && cfg->readonly_gid == gid)) {
		cfg_fail(ps, ps->line, name, "the same group as %s (line %d)",
		    ro ? "control_group" : "control_readonly_group",
		    ps->group_line[1 - k]);
		return true;
	}
	if (ro) {
		cfg->has_readonly_group = true;
		cfg->readonly_gid = gid;
		snprintf(cfg->readonly_group, sizeof(cfg->readonly_group), "%s",
		    value);
	} else {
		cfg->has_control_group = true;
		cfg->control_gid = gid;
		snprintf(cfg->control_group, sizeof(cfg->control_group), "%s",
		    value);
	}
	return true;
}

/* A group name known to this host, or a numeric gid. */
static bool
cfg_gid(struct cfg_parse *ps, const char *key, const char *v, gid_t *out)
{
	struct group	 gr, *res = NULL;
	char		 buf[4096];
	unsigned long long n;
	int		 rc;

	if (v[0] == '\0') {
		cfg_fail(ps, ps->line, key, "empty value");
		return false;
	}
	if (strlen(v) >= CMM_NAME_MAX) {
		cfg_fail(ps, ps->line, key, "too long (at most %d characters)",
		    CMM_NAME_MAX - 1);
		return false;
	}
	if (isdigit((unsigned char)v[0])) {
		/* (gid_t)-1 is "no group" to chown */
		if (cmm_parse_uint(v, 0, (gid_t)-1 - 1, &n, NULL, 0) != 0) {
			cfg_fail(ps, ps->line, key, "'%s' is not a group id", v);
			return false;
		}
		*out = (gid_t)n;
		return true;
	}
	rc = getgrnam_r(v, &gr, buf, sizeof(buf), &res);
	if (res == NULL) {
		cfg_fail(ps, ps->line, key, "no group '%s' on this host%s%s", v,
		    rc != 0 ? ": " : "", rc != 0 ? strerror(rc) : "");
		return false;
	}
	*out = gr.gr_gid;
	return true;
}

/* `address = A[, B...]`: one address per redundant link, each one no
 * other link of any node uses.  a's own fields are link 0's. */
static void
cfg_node_links(struct cfg_parse *ps, const char *name, const char *value,
    struct cmm_node_addr *a)
{
	struct cmm_config *cfg = ps->cfg;
	struct cmm_node_addr one;
	char	part[CMM_ADDR_MAX];
	const char *p = value, *end;
	size_t	len;

	a->n_links = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			cfg_fail(ps, ps->line, name, "an empty address in the "
			    "list '%s'", value);
			return;
		}
		if (a->n_links == CMM_LINKS_MAX) {
			cfg_fail(ps, ps->line, name, "more than %d addresses "
			    "(one per link, at most %d links)", CMM_LINKS_MAX,
			    CMM_LINKS_MAX);
			return;
		}
		if (len >= sizeof(part)) {
			cfg_fail(ps, ps->line, name, "address '%.*s' is too "
			    "long", (int)len, p);
			return;
		}
		memcpy(part, p, len);
		part[len] = '\0';
		memset(&one, 0, sizeof(one));
		if (!cfg_address(ps, name, part, false, &one))
			return;
		for (int k = 0; k < a->n_links; k++)
			if (cfg_same_sa(&one.sa, &a->link[k].sa)) {
				cfg_fail(ps, ps->line, name, "%s is listed "
				    "twice", part);
				return;
			}
		for (int i = 0; i < CMM_MAX_NODES; i++) {
			if (i == ps->sec_id || cfg->node[i].address_line == 0)
				continue;
			for (int k = 0; k < cfg->node[i].n_links; k++)
				if (cfg_same_sa(&one.sa, &cfg->node[i].link[k].sa)) {
					cfg_fail(ps, ps->line, name, "%s is "
					    "already %s address of node %d "
					    "(line %d)", part,
					    cfg->node[i].n_links > 1 ? "an" :
					    "the", i, cfg->node[i].address_line);
					return;
				}
		}
		if (a->n_links == 0) {
			memcpy(a->address, one.address, sizeof(a->address));
			memcpy(a->host, one.host, sizeof(a->host));
			a->port = one.port;
			a->family = one.family;
			a->sa = one.sa;
			a->salen = one.salen;
		}
		memcpy(a->link[a->n_links].address, one.address,
		    sizeof(one.address));
		a->link[a->n_links].sa = one.sa;
		a->link[a->n_links].salen = one.salen;
		a->n_links++;
		if (end == NULL)
			return;
		p = end + 1;
	}
}

static void
cfg_node_key(struct cfg_parse *ps, const char *name, const char *value)
{
	struct cmm_config *cfg = ps->cfg;
	struct cmm_node_addr *a = &cfg->node[ps->sec_id];
	long long n;

	if (strcmp(name, "address") == 0) {
		if (a->address_line > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", a->address_line);
			return;
		}
		a->address_line = ps->line;
		cfg_node_links(ps, name, value, a);
	} else if (strcmp(name, "priority") == 0) {
		if (ps->prio_line[ps->sec_id] > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", ps->prio_line[ps->sec_id]);
			return;
		}
		ps->prio_line[ps->sec_id] = ps->line;
		if (cfg_int(ps, name, value, 0, CFG_PRIORITY_MAX, &n))
			cfg->core.priority[ps->sec_id] = (int)n;
	} else if (strcmp(name, "metrics_listen") == 0) {
		struct cmm_node_addr m;

		if (a->metrics_line > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", a->metrics_line);
			return;
		}
		a->metrics_line = ps->line;
		/* the wildcard is allowed here: the operator opts in to serve
		 * every interface */
		memset(&m, 0, sizeof(m));
		if (!cfg_address(ps, name, value, true, &m))
			return;
		snprintf(a->metrics_host, sizeof(a->metrics_host), "%s", m.host);
		a->metrics_port = m.port;
	} else
		cfg_fail(ps, ps->line, name, "unknown key in %s", ps->sec_text);
}

static void
cfg_device_key(struct cfg_parse *ps, const char *name, const char *value)
{
	struct cmm_config *cfg = ps->cfg;
	struct cmm_device_cfg *d = &cfg->core.devices[ps->sec_id];
	int	i = ps->sec_id;

	if (strcmp(name, "path") == 0) {
		if (ps->dev_path_line[i] > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", ps->dev_path_line[i]);
			return;
		}
		ps->dev_path_line[i] = ps->line;
		cfg_path(ps, name, value, false, cfg->device_path[i],
		    sizeof(cfg->device_path[i]));
	} else if (strcmp(name, "arbiter") == 0) {
		struct cmm_dev_arbiter *a = &cfg->device_arbiter[i];
		struct cmm_node_addr na;

		if (ps->dev_arb_line[i] > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", ps->dev_arb_line[i]);
			return;
		}
		ps->dev_arb_line[i] = ps->line;
		/* the arbiter stores the record under the device's name */
		if (!cmm_arb_name_ok(d->name)) {
			cfg_fail(ps, ps->line, name, "device name '%s' cannot "
			    "be kept by an arbiter (1..%d of letters, digits, "
			    "_ . -)", d->name, CMM_ARB_NAME_MAX);
			return;
		}
		memset(&na, 0, sizeof(na));
		if (!cfg_address(ps, name, value, false, &na))
			return;
		a->present = true;
		snprintf(a->address, sizeof(a->address), "%s", value);
		memcpy(&a->sa, &na.sa, na.salen);
		a->salen = na.salen;
	} else if (strcmp(name, "nodes") == 0) {
		const char *p = value;
		char	tok[32];
		size_t	len;
		long long id;

		if (ps->dev_nodes_line[i] > 0) {
			cfg_fail(ps, ps->line, name, "duplicate key (first at "
			    "line %d)", ps->dev_nodes_line[i]);
			return;
		}
		ps->dev_nodes_line[i] = ps->line;
		for (;;) {
			p += strspn(p, " \t");
			if (*p == '\0')
				break;
			len = strcspn(p, " \t");
			snprintf(tok, sizeof(tok), "%.*s", (int)len, p);
			p += len;
			if (tok[0] == '-' || cmm_parse_int(tok, 0,
			    CMM_MAX_NODES - 1, &id, NULL, 0) != 0) {
				cfg_fail(ps, ps->line, name, "bad node id '%s' "
				    "(expected ids 0..%d separated by spaces)",
				    tok, CMM_MAX_NODES - 1);
				return;
			}
			if (cmm_set_has(&d->nodes, (int)id)) {
				cfg_fail(ps, ps->line, name, "node %lld listed "
				    "twice", id);
				return;
			}
			cmm_set_add(&d->nodes, (int)id);
		}
		if (cmm_set_count(&d->nodes) < 2)
			cfg_fail(ps, ps->line, name, "a device is shared by at "
			    "least two nodes");
	} else
		cfg_fail(ps, ps->line, name, "unknown key in %s", ps->sec_text);
}

/* A whole decimal number in [min, max]. */
static bool
cfg_int(struct cfg_parse *ps, const char *key, const char *v, long long min,
    long long max, long long *out)
{
	char	why[CMM_PARSE_WHY_LEN];

	if (cmm_parse_int(v, min, max, out, why, sizeof(why)) != 0) {
		cfg_fail(ps, ps->line, key, "%s", why);
		return false;
	}
	return true;
}

/* A path, relative ones taken from the config's directory.  A pattern
 * (state_dir, control_socket) may hold %n and %%; the directory's own
 * percent signs are escaped so they stay literal. */
static bool
cfg_path(struct cfg_parse *ps, const char *key, const char *v, bool pattern,
    char *out, size_t outlen)
{
	size_t	used = 0;
	const char *p;

	if (v[0] == '\0') {
		cfg_fail(ps, ps->line, key, "empty value");
		return false;
	}
	if (pattern)
		for (p = v; (p = strchr(p, '%')) != NULL; p += 2)
			if (p[1] != 'n' && p[1] != '%') {
				cfg_fail(ps, ps->line, key, "unknown escape "
				    "'%%%.1s' (only %%n and %%%% are known)", p + 1);
				return false;
			}
	if (v[0] != '/') {
		for (p = ps->cfg->dir; *p != '\0' && used + 3 < outlen; p++) {
			if (*p == '%' && pattern)
				out[used++] = '%';
			out[used++] = *p;
		}
		out[used++] = '/';
	} else
		p = "";
	if (*p != '\0' || used + strlen(v) + 1 > outlen) {
		cfg_fail(ps, ps->line, key, "path too long (at most %zu "
		    "characters)", outlen - 1);
		return false;
	}
	strcpy(out + used, v);
	return true;
}

/* "a.b.c.d:port" or "[v6]:port", numeric only: no name lookups at start.
 * A peer address must be one a peer can reach: no wildcard. */
static bool
cfg_address(struct cfg_parse *ps, const char *key, const char *v,
    bool wildcard_ok, struct cmm_node_addr *a)
{
	struct addrinfo hints, *res = NULL;
	const char *colon, *host;
	size_t	hlen;
	long long port;
	int	rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		host = v + 1;
		hlen = (size_t)(rb - host);
		colon = rb + 1;
		hints.ai_family = AF_INET6;
	} else {
		colon = strchr(v, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			cfg_fail(ps, ps->line, key, "'%s': an IPv6 address "
			    "needs brackets: [ADDR]:PORT", v);
			return false;
		}
		if (colon == NULL)
			goto bad;
		host = v;
		hlen = (size_t)(colon - v);
		hints.ai_family = AF_INET;
	}
	if (hlen == 0 || hlen >= sizeof(a->host) ||
	    !isdigit((unsigned char)colon[1]))
		goto bad;
	rc = cmm_parse_int(colon + 1, 1, 65535, &port, NULL, 0);
	if (rc == CMM_PARSE_NOT_NUMBER)
		goto bad;
	if (rc != 0) {
		cfg_fail(ps, ps->line, key, "port %s is out of range "
		    "(1..65535)", colon + 1);
		return false;
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	rc = getaddrinfo(a->host, NULL, &hints, &res);
	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(a->sa)) {
		if (res != NULL)
			freeaddrinfo(res);
		cfg_fail(ps, ps->line, key, "'%s' is not a numeric %s "
		    "address", a->host, hints.ai_family == AF_INET ? "IPv4" :
		    "IPv6");
		return false;
	}
	memset(&a->sa, 0, sizeof(a->sa));
	memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
	a->salen = res->ai_addrlen;
	a->family = res->ai_family;
	freeaddrinfo(res);
	a->port = (uint16_t)port;
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->sa;

		sin->sin_port = htons(a->port);
		if (!wildcard_ok && sin->sin_addr.s_addr == htonl(INADDR_ANY))
			goto wildcard;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->sa;

		sin6->sin6_port = htons(a->port);
		if (!wildcard_ok && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			goto wildcard;
	}
	snprintf(a->address, sizeof(a->address), "%s", v);
	return true;
bad:
	cfg_fail(ps, ps->line, key, "bad address '%s' (expected "
	    "IPv4:PORT or [IPv6]:PORT)", v);
	return false;
wildcard:
	/* peers must be able to send to it */
	cfg_fail(ps, ps->line, key, "%s is the wildcard address, not "
	    "one a peer can reach", a->host);
	return false;
}

static bool
cfg_same_sa(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr,
		    sizeof(x->sin6_addr)) == 0 &&
		    x->sin6_scope_id == y->sin6_scope_id;
	}
}

/* The defaults of assets/cmm.conf.5, no nodes and no devices. */
static void
cfg_defaults(struct cmm_config *cfg)
{
	cmm_core_cfg_defaults(&cfg->core);
	cfg->core.config_version = 1;
	strcpy(cfg->state_dir, "/var/lib/cmm/node%n");
	strcpy(cfg->control_socket, "/run/cmm/node%n.sock");
	cfg->hook[0] = '\0';
	cfg->fault_injection = false;
	cfg->watchdog[0] = '\0';
	cfg->realtime = CMM_RT_DEFAULT;
}

/*
 * watchdog and watchdog_timeout_s.  The core takes a nonzero timeout as
 * "every node has a watchdog" and waits it out for a departed node, so a
 * timeout without a watchdog would promise a fence nobody keeps.
 */
static void
cfg_validate_watchdog(struct cfg_parse *ps)
{
	struct cmm_core_cfg *core = &ps->cfg->core;
	int	line = ps->core_line[CMM_KEY_WATCHDOG];

	if (ps->key_line[K_WATCHDOG] == 0) {
		if (line > 0)
			cfg_fail(ps, line, "watchdog_timeout_s", "set without "
			    "watchdog");
		core->watchdog_timeout_ms = 0;
		return;
	}
	if (line == 0)
		core->watchdog_timeout_ms = CMM_WD_TIMEOUT_DEFAULT * 1000;
}

/* Checks that need the whole file. */
static void
cfg_validate(struct cfg_parse *ps)
{
	struct cmm_config *cfg = ps->cfg;
	struct cmm_core_cfg *core = &cfg->core;
	bool	given[CMM_KEY__COUNT];
	enum cmm_key_id blame;
	char	why[CMM_PARSE_WHY_LEN + 64];
	int	i, j, id;

	if (ps->cluster_line == 0) {
		cfg_fail(ps, 0, NULL, "no [cluster] section");
		return;
	}
	if (ps->key_line[K_NAME] == 0)
		cfg_fail(ps, ps->cluster_line, "name", "missing in [cluster]");
	if (ps->key_line[K_KEY_FILE] == 0)
		cfg_fail(ps, ps->cluster_line, "key_file", "missing in [cluster]");
	cfg_validate_watchdog(ps);
	/* the rules between keys (failure_timeout_ms > 2 * heartbeat_ms),
	 * the same the simulator applies */
	for (i = 0; i < CMM_KEY__COUNT; i++)
		given[i] = ps->core_line[i] > 0;
	if (cmm_core_keys_check(core, given, &blame, why, sizeof(why)) != 0)
		cfg_fail(ps, ps->core_line[blame], cmm_core_keys[blame].name,
		    "%s", why);
	if (cfg->n_nodes == 0)
		cfg_fail(ps, 0, NULL, "no [node N] sections");
	for (id = 0; id < CMM_MAX_NODES; id++)
		if (cfg->node[id].present && cfg->node[id].address_line == 0)
			cfg_fail(ps, cfg->node[id].line, "address",
			    "missing in [node %d]", id);
	/* link k pairs node addresses k: a node with fewer addresses would
	 * leave a link half-configured */
	j = -1;
	for (id = 0; id < CMM_MAX_NODES; id++) {
		if (!cfg->node[id].present || cfg->node[id].n_links == 0)
			continue;
		if (j < 0) {
			j = id;
			cfg->n_links = cfg->node[id].n_links;
		} else if (cfg->node[id].n_links != cfg->n_links)
			cfg_fail(ps, cfg->node[id].address_line, "address",
			    "node %d has %d address%s, node %d has %d: every "
			    "node needs one address per link", id,
			    cfg->node[id].n_links,
			    cfg->node[id].n_links == 1 ? "" : "es", j,
			    cfg->n_links);
	}
	for (i = 0; i < core->n_devices; i++) {
		const struct cmm_device_cfg *d = &core->devices[i];

		if (ps->dev_path_line[i] == 0 && ps->dev_arb_line[i] == 0)
			cfg_fail(ps, ps->dev_line[i], "path", "missing in "
			    "[device %s] (or arbiter)", d->name);
		if (ps->dev_path_line[i] > 0 && ps->dev_arb_line[i] > 0)
			cfg_fail(ps, ps->dev_arb_line[i], "arbiter", "[device "
			    "%s] has a path (line %d): a device is a file or an "
			    "arbiter, not both", d->name, ps->dev_path_line[i]);
		if (ps->dev_nodes_line[i] == 0)
			cfg_fail(ps, ps->dev_line[i], "nodes", "missing in "
			    "[device %s]", d->name);
		for (id = cmm_set_next(&d->nodes, 0); id >= 0;
		    id = cmm_set_next(&d->nodes, id + 1))
			if (!cfg->node[id].present)
				cfg_fail(ps, ps->dev_nodes_line[i], "nodes",
				    "node %d is not configured (no [node %d] "
				    "section)", id, id);
		for (j = 0; j < i; j++)
			if (ps->dev_path_line[i] > 0 &&
			    ps->dev_path_line[j] > 0 &&
			    strcmp(cfg->device_path[i], cfg->device_path[j]) == 0)
				cfg_fail(ps, ps->dev_path_line[i], "path", "same "
				    "file as device %s (line %d)",
				    core->devices[j].name, ps->dev_path_line[j]);
	}
}

int
cmm_config_load(const char *path, struct cmm_config *out, char *err,
    size_t errlen)
{
	struct cfg_parse *ps;
	char	*copy, *slash, *real;
	int	rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", path);
	cfg_defaults(out);
	if (errlen > 0)
		err[0] = '\0';
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	ps->cfg = out;
	ps->err = err;
	ps->errlen = errlen;

	ps->f = fopen(path, "r");
	if (ps->f == NULL) {
		cfg_fail(ps, 0, NULL, "cannot open: %s", strerror(errno));
		goto done;
	}
	/* relative paths in the file are relative to the file's directory,
	 * made absolute so a later chdir() cannot move them */
	copy = strdup(path);
	if (copy == NULL) {
		cfg_fail(ps, 0, NULL, "out of memory");
		goto done;
	}
	slash = strrchr(copy, '/');
	if (slash == NULL)
		strcpy(copy, ".");
	else if (slash == copy)
		copy[1] = '\0';
	else
		*slash = '\0';
	real = realpath(copy, NULL);
	free(copy);
	if (real == NULL || strlen(real) >= sizeof(out->dir)) {
		cfg_fail(ps, 0, NULL, "cannot resolve its directory: %s",
		    real == NULL ? strerror(errno) : "path too long");
		free(real);
		goto done;
	}
	strcpy(out->dir, real);
	free(real);

	rc = ini_parse_stream(cfg_reader, ps, cfg_handler, ps);
	if (!ps->failed && ferror(ps->f))
		cfg_fail(ps, 0, NULL, "read error: %s", strerror(errno));
	if (!ps->failed && rc > 0)
		cfg_fail(ps, rc, "line", "syntax error (expected [SECTION] or "
		    "KEY = VALUE)");
	else if (!ps->failed && rc != 0)
		cfg_fail(ps, 0, NULL, "cannot parse (inih error %d)", rc);
	if (!ps->failed)
		cfg_validate(ps);
done:
	if (ps->f != NULL)
		fclose(ps->f);
	rc = ps->failed ? -1 : 0;
	free(ps);
	return rc;
}

int
cmm_config_check_id(const struct cmm_config *cfg, int id, char *err,
    size_t errlen)
{
	if (id < 0 || id >= CMM_MAX_NODES) {
		snprintf(err, errlen, "%s: node id %d out of range (0..%d)",
		    cfg->path, id, CMM_MAX_NODES - 1);
		return -1;
	}
	if (!cfg->node[id].present) {
		snprintf(err, errlen, "%s: node %d is not configured (no "
		    "[node %d] section)", cfg->path, id, id);
		return -1;
	}
	return 0;
}

/* %n -> id, %% -> %. */
static int
cfg_expand(const char *pat, int id, char *buf, size_t len)
{
	size_t	used = 0;
	char	num[16];
	const char *p, *add;
	size_t	alen;

	if (len == 0)
		return -1;
	for (p = pat; *p != '\0'; p++) {
		if (*p == '%' && p[1] == 'n') {
			snprintf(num, sizeof(num), "%d", id);
			add = num;
			alen = strlen(num);
			p++;
		} else {
			add = p;
			alen = 1;
			if (*p == '%' && p[1] == '%')
				p++;
		}
		if (used + alen >= len) {
			memcpy(buf + used, add, len - 1 - used);
			buf[len - 1] = '\0';
			return -1;
		}
		memcpy(buf + used, add, alen);
		used += alen;
	}
	buf[used] = '\0';
	return 0;
}

int
cmm_config_state_dir(const struct cmm_config *cfg, int id, char *buf,
    size_t len)
{
	return cfg_expand(cfg->state_dir, id, buf, len);
}

int
cmm_config_socket(const struct cmm_config *cfg, int id, char *buf, size_t len)
{
	return cfg_expand(cfg->control_socket, id, buf, len);
}

int
cmm_config_watchdog(const struct cmm_config *cfg, int id, char *buf,
    size_t len)
{
	return cfg_expand(cfg->watchdog, id, buf, len);
}

int
cmm_config_device(const struct cmm_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->core.n_devices; i++)
		if (strcmp(cfg->core.devices[i].name, name) == 0)
			return i;
	return -1;
}

const char *
cmm_config_initial_name(enum cmm_initial_policy p)
{
	return cmm_core_key_value_name(CMM_KEY_INITIAL, (int)p);
}

const char *
cmm_config_isolation_name(enum cmm_isolation_policy p)
{
	return cmm_core_key_value_name(CMM_KEY_ISOLATION, (int)p);
}

const char *
cmm_config_winner_name(enum cmm_winner_policy p)
{
	return cmm_core_key_value_name(CMM_KEY_WINNER, (int)p);
}

const char *
cmm_config_loss_name(enum cmm_loss_policy p)
{
	return cmm_core_key_value_name(CMM_KEY_LOSS, (int)p);
}

/*
 * The canonical text of everything that decides quorum (docs/PROTOCOL.md
 * "Config digest"): two nodes whose texts differ could each count a
 * different quorum.  One line per item, in a fixed order, values as the
 * config spells them; node lines by id, device lines in file order (the
 * first device two nodes share is the one they race for).  Left out on
 * purpose: addresses (and so the redundant links: a link is a way to
 * reach a node, never a reason to count it), paths, hooks and every
 * timing key -- heartbeat_ms,
 * failure_timeout_ms, round_timeout_ms, join_retry_ms, prompt_timeout_s.
 * Timings decide when rounds start and end, never which sets are quorums
 * (a round is safe whatever its timing), so they may differ for a while
 * and be changed one node at a time; a prompt that times out takes the
 * safe answer.
 */
static void
cfg_canonical_write(const struct cmm_config *cfg, FILE *f)
{
	const struct cmm_core_cfg *core = &cfg->core;

	fprintf(f, "cmm-config 1\nname %s\nconfig_version %" PRIu32 "\n",
	    cfg->name, core->config_version);
	fprintf(f, "initial_quorum %s\nisolation %s\nwinner %s\n"
	    "on_quorum_loss %s\n", cmm_config_initial_name(core->initial),
	    cmm_config_isolation_name(core->isolation),
	    cmm_config_winner_name(core->winner),
	    cmm_config_loss_name(core->on_quorum_loss));
	/* every node's watchdog is what the others wait out: only with one,
	 * so a config without keeps its digest */
	if (core->watchdog_timeout_ms > 0)
		fprintf(f, "watchdog_timeout_s %lld\n",
		    (long long)(core->watchdog_timeout_ms / 1000));
	for (int id = cmm_set_next(&core->configured, 0); id >= 0;
	    id = cmm_set_next(&core->configured, id + 1))
		fprintf(f, "node %d priority %d\n", id, core->priority[id]);
	for (int i = 0; i < core->n_devices; i++) {
		const struct cmm_device_cfg *d = &core->devices[i];

		fprintf(f, "device %s nodes", d->name);
		for (int id = cmm_set_next(&d->nodes, 0); id >= 0;
		    id = cmm_set_next(&d->nodes, id + 1))
			fprintf(f, " %d", id);
		fputc('\n', f);
	}
}

char *
cmm_config_canonical(const struct cmm_config *cfg, size_t *len)
{
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&buf, &n);

	if (f == NULL)
		return NULL;
	cfg_canonical_write(cfg, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}

int
cmm_config_digest(struct cmm_config *cfg, const struct cmm_keys *k)
{
	size_t	 len;
	char	*text = cmm_config_canonical(cfg, &len);

	if (text == NULL)
		return -1;
	cmm_mac_digest(k, text, len, cfg->core.digest);
	free(text);
	return 0;
}

void
cmm_digest_hex(const uint8_t digest[CMM_DIGEST_LEN],
    char out[2 * CMM_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < CMM_DIGEST_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * CMM_DIGEST_LEN] = '\0';
}

bool
cmm_digest_zero(const uint8_t digest[CMM_DIGEST_LEN])
{
	uint8_t any = 0;

	for (int i = 0; i < CMM_DIGEST_LEN; i++)
		any |= digest[i];
	return any == 0;
}

int
cmm_config_drift(const struct cmm_config *cfg, const struct cmm_persist *p,
    char *msg, size_t len)
{
	const struct cmm_core_cfg *c = &cfg->core;
	char	was[2 * CMM_DIGEST_LEN + 1], now[2 * CMM_DIGEST_LEN + 1];

	if (len > 0)
		msg[0] = '\0';
	/* nothing learned yet, or learned under a cmm that kept no digest:
	 * nothing to compare */
	if (p->epoch == 0 || cmm_digest_zero(p->cfg_digest) ||
	    memcmp(p->cfg_digest, c->digest, CMM_DIGEST_LEN) == 0)
		return 0;
	cmm_digest_hex(p->cfg_digest, was);
	cmm_digest_hex(c->digest, now);
	if (c->config_version > p->cfg_version) {
		snprintf(msg, len, "the quorum-relevant config was changed on "
		    "purpose (config_version %" PRIu32 " -> %" PRIu32 ", config "
		    "digest %s -> %s): every node must have been stopped for "
		    "this change and must start with the same file", p->cfg_version,
		    c->config_version, was, now);
		return 1;
	}
	snprintf(msg, len, "%s: the quorum-relevant config differs from the "
	    "one the state (epoch %" PRIu32 ") was written under: config digest "
	    "%s (config_version %" PRIu32 ") then, %s (config_version %" PRIu32
	    ") now; restore that config, or stop every node, raise "
	    "config_version and start them all with the new file", cfg->path,
	    p->epoch, was, p->cfg_version, now, c->config_version);
	return -1;
}
