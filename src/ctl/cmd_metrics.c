/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_metrics: `metrics` (see cmd_metrics.h). */
#include <stdlib.h>

#include "src/ctl/cmd_metrics.h"
#include "src/node/metrics.h"

/* The exposition as the reply's text: as it is for node_exporter's
 * textfile collector (`cmm ctl metrics > DIR/cmm.prom.tmp`, then mv),
 * under "text" with --json. */
CMM_CMD_FN(cmm_cmd_metrics)
{
	char *text;

	(void)argc;
	(void)argv;
	if (ctx->daemon == NULL)
		return cmm_cmd_fail(ctx, "no node runs here");
	if ((text = cmm_metrics_text(ctx->daemon, NULL)) == NULL)
		return cmm_cmd_fail(ctx, "out of memory");
	cmm_cmd_printf(ctx, "%s", text);
	free(text);
	return CMM_CMD_OK;
}
