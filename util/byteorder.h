/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * byteorder: fixed-width integers to and from bytes, in both orders.
 * The datagram (net/wire.c) and the device record (quorum/device_file.c)
 * are big-endian; the state file and the history (src/node/state.c) are
 * little-endian.  Byte by byte, so alignment and the host's order never
 * matter.  libc only.
 */
#ifndef CMM_UTIL_BYTEORDER_H
#define CMM_UTIL_BYTEORDER_H

#include <stdint.h>

static inline void
cmm_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
cmm_put_be32(uint8_t *p, uint32_t v)
{
	cmm_put_be16(p, (uint16_t)(v >> 16));
	cmm_put_be16(p + 2, (uint16_t)v);
}

static inline void
cmm_put_be64(uint8_t *p, uint64_t v)
{
	cmm_put_be32(p, (uint32_t)(v >> 32));
	cmm_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t
cmm_get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
cmm_get_be32(const uint8_t *p)
{
	return (uint32_t)cmm_get_be16(p) << 16 | cmm_get_be16(p + 2);
}

static inline uint64_t
cmm_get_be64(const uint8_t *p)
{
	return (uint64_t)cmm_get_be32(p) << 32 | cmm_get_be32(p + 4);
}

static inline void
cmm_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
cmm_put_le32(uint8_t *p, uint32_t v)
{
	cmm_put_le16(p, (uint16_t)v);
	cmm_put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void
cmm_put_le64(uint8_t *p, uint64_t v)
{
	cmm_put_le32(p, (uint32_t)v);
	cmm_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
cmm_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
cmm_get_le32(const uint8_t *p)
{
	return cmm_get_le16(p) | (uint32_t)cmm_get_le16(p + 2) << 16;
}

static inline uint64_t
cmm_get_le64(const uint8_t *p)
{
	return cmm_get_le32(p) | (uint64_t)cmm_get_le32(p + 4) << 32;
}

#endif
