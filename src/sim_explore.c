/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sim_explore: placeholder until the explorer lands. */
#include "sim.h"

void
cmm_sim_explore_begin(struct cmm_sim *s)
{
	cmm_sim_trace(s, -1, "explore: from here");
}
