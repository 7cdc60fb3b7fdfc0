/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * subcmd: entry points of the `cmm` subcommands.  Each takes argv with
 * argv[0] = the subcommand name and returns the process exit code
 * (0 ok, 1 failure, 2 usage/config error).
 */
#ifndef CMM_SUBCMD_H
#define CMM_SUBCMD_H

#include "src/sim/sim.h"	/* cmm_sim_main */

int	cmm_keygen_main(int argc, char **argv);
int	cmm_node_main(int argc, char **argv);
int	cmm_check_main(int argc, char **argv);
int	cmm_ctl_main(int argc, char **argv);
int	cmm_demo_main(int argc, char **argv);
int	cmm_console_main(int argc, char **argv);
int	cmm_arbiter_main(int argc, char **argv);

#endif
