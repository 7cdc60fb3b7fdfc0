/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rng: a small explicit-state PRNG (xoshiro256**, seeded by splitmix64).
 * The core and the simulator draw only from states their caller seeded, so
 * the same seed gives the same run.
 */
#ifndef CMM_RNG_H
#define CMM_RNG_H

#include <stdint.h>

struct cmm_rng {
	uint64_t s[4];
};

void	 cmm_rng_seed(struct cmm_rng *r, uint64_t seed);
uint64_t cmm_rng_next(struct cmm_rng *r);
/* uniform in [0, n); 0 when n == 0 */
uint64_t cmm_rng_below(struct cmm_rng *r, uint64_t n);
/* uniform in [0, 1) */
double	 cmm_rng_unit(struct cmm_rng *r);

#endif
