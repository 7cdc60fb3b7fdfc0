/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * version: what `cmm --version` prints.  The wire protocol range is in
 * net/wire.h (CMM_PROTO_MIN, CMM_PROTO_MAX); the build is `git describe`
 * at build time, passed by the Makefile as CMM_BUILD_ID.
 */
#ifndef CMM_VERSION_H
#define CMM_VERSION_H

#define CMM_VERSION	"0.10.0"

#ifndef CMM_BUILD_ID
#define CMM_BUILD_ID	"unknown"
#endif

#endif
