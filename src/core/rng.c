/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rng: xoshiro256** with splitmix64 seeding; see rng.h. */
#include "src/core/rng.h"

static uint64_t
rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
cmm_rng_seed(struct cmm_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&seed);
}

uint64_t
cmm_rng_next(struct cmm_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

uint64_t
cmm_rng_below(struct cmm_rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	/* modulo bias is irrelevant at these ranges (< 2^32) */
	return cmm_rng_next(r) % n;
}

double
cmm_rng_unit(struct cmm_rng *r)
{
	return (double)(cmm_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
