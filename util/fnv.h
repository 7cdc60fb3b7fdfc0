/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fnv: the FNV-1a hash, 32 and 64 bits (xor the byte, then multiply by
 * the prime).  The 32-bit one names a cluster on the wire (net/wire.c);
 * the 64-bit one hashes node sets and the simulator's trace.  Not a MAC:
 * anyone can make a collision.  libc only.
 *
 * A hash is built by starting from the OFFSET and feeding bytes, so a
 * long input can be hashed piece by piece:
 *     h = cmm_fnv64(a, alen, CMM_FNV64_OFFSET); h = cmm_fnv64(b, blen, h);
 */
#ifndef CMM_UTIL_FNV_H
#define CMM_UTIL_FNV_H

#include <stddef.h>
#include <stdint.h>

#define CMM_FNV32_OFFSET	UINT32_C(0x811c9dc5)
#define CMM_FNV32_PRIME		UINT32_C(0x01000193)
#define CMM_FNV64_OFFSET	UINT64_C(0xcbf29ce484222325)
#define CMM_FNV64_PRIME		UINT64_C(0x00000100000001b3)

static inline uint32_t
cmm_fnv32_byte(uint32_t h, uint8_t b)
{
	return (h ^ b) * CMM_FNV32_PRIME;
}

static inline uint64_t
cmm_fnv64_byte(uint64_t h, uint8_t b)
{
	return (h ^ b) * CMM_FNV64_PRIME;
}

/* h continued over n bytes at p */
static inline uint32_t
cmm_fnv32(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = cmm_fnv32_byte(h, b[i]);
	return h;
}

static inline uint64_t
cmm_fnv64(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = cmm_fnv64_byte(h, b[i]);
	return h;
}

/* h continued over the bytes of a string, without its NUL */
static inline uint32_t
cmm_fnv32_str(const char *s, uint32_t h)
{
	for (; *s != '\0'; s++)
		h = cmm_fnv32_byte(h, (uint8_t)*s);
	return h;
}

static inline uint64_t
cmm_fnv64_str(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++)
		h = cmm_fnv64_byte(h, (uint8_t)*s);
	return h;
}

#endif
