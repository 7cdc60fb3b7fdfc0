#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""forge_unreach.py: sends forged ICMP port-unreachables (type 3 code 3) to
a node, each saying that a datagram from SRC_PORT to DST_PORT on 127.0.0.1
could not be delivered, as if the process at DST_PORT had died.  Needs a
raw socket (root or CAP_NET_RAW): exits 77 without one.  Used by
tests/mp/fast_fail_forged.sh to show that a forged unreachable costs a
live peer a few probes and nothing more.

    forge_unreach.py SRC_PORT DST_PORT COUNT INTERVAL_MS
"""
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def unreach(src_port, dst_port):
    lo = socket.inet_aton("127.0.0.1")
    # the datagram that "bounced": its IP header and first 8 bytes
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 4, 0x1234, 0, 64,
                     socket.IPPROTO_UDP, 0, lo, lo)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + 4, 0)
    body = ip + udp + b"CMM2"
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + body
    return icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: forge_unreach.py SRC_PORT DST_PORT COUNT INTERVAL_MS")
    src, dst, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    interval = int(sys.argv[4]) / 1000.0
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    except PermissionError:
        print("SKIP: no raw socket (needs root or CAP_NET_RAW)")
        sys.exit(77)
    pkt = unreach(src, dst)
    for _ in range(count):
        s.sendto(pkt, ("127.0.0.1", 0))
        time.sleep(interval)


main()
