/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_impl: the handlers of the node's command table, shared between
 * src/ctl/cmd.c (which lists them) and the src/ctl/cmd_*.c files (which
 * implement them).  Nothing outside src/ctl/ includes this.
 */
#ifndef CMM_CMD_IMPL_H
#define CMM_CMD_IMPL_H

#include "src/ctl/cmd.h"

/* cmd_info.c */
CMM_CMD_FN(cmm_cmd_status);
CMM_CMD_FN(cmm_cmd_members);
CMM_CMD_FN(cmm_cmd_nodes);
CMM_CMD_FN(cmm_cmd_round);
CMM_CMD_FN(cmm_cmd_quorum);
CMM_CMD_FN(cmm_cmd_devices);
CMM_CMD_FN(cmm_cmd_history);

/* cmd_cluster.c */
CMM_CMD_FN(cmm_cmd_cluster);

/* cmd_config.c */
CMM_CMD_FN(cmm_cmd_config);

/* cmd_ops.c */
CMM_CMD_FN(cmm_cmd_join);
CMM_CMD_FN(cmm_cmd_leave);
CMM_CMD_FN(cmm_cmd_reconfigure);
CMM_CMD_FN(cmm_cmd_answer_isolated);
CMM_CMD_FN(cmm_cmd_answer_not_isolated);
CMM_CMD_FN(cmm_cmd_answer_winner);
CMM_CMD_FN(cmm_cmd_force_quorum);
CMM_CMD_FN(cmm_cmd_log_level);
CMM_CMD_FN(cmm_cmd_link_cut);
CMM_CMD_FN(cmm_cmd_link_heal);

/* cmd_watch.c */
CMM_CMD_FN(cmm_cmd_wait_state);
CMM_CMD_FN(cmm_cmd_wait_members);
CMM_CMD_FN(cmm_cmd_watch);

/* cmd_help.c */
CMM_CMD_FN(cmm_cmd_help);
CMM_CMD_FN(cmm_cmd_list_commands);

/* Common checks: a node runs here, else an error naming the command. */
struct cmm_daemon *cmm_cmd_daemon(struct cmm_cmd_ctx *ctx);
/* Parses a node id argument that must be configured (any id when d is
 * NULL).  -1 after setting the error. */
int	cmm_cmd_node_arg(struct cmm_cmd_ctx *ctx, const char *s);
/* Integer arguments: util/parse.h's cmm_parse_int. */

#endif
