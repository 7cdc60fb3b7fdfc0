/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_metrics: `metrics`, the node's metrics in the Prometheus text
 * exposition format (src/node/metrics.h; cmm(1), "METRICS").  Its own
 * header so the row in src/ctl/cmd.c is the only line it adds there.
 */
#ifndef CMM_CMD_METRICS_H
#define CMM_CMD_METRICS_H

#include "src/ctl/cmd.h"

CMM_CMD_FN(cmm_cmd_metrics);

#endif
