#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A watcher that stops reading: for the "lost" line of the watch stream.

    slow_watch.py SOCKET GOFILE EVENTS REPLY

Connects to a node's control socket, sends `--json watch`, writes the
reply body (one JSON object) to REPLY, then reads nothing until GOFILE
exists, so the node's output queue for it fills and events are dropped.
Then it drains the stream into EVENTS (the '!' lines' JSON, one a line)
until the node has been quiet for a second.  Gives up after 60 s.
"""
import os
import socket
import sys
import time


def main(sock, go, events, reply):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    f = s.makefile("rb")
    hello = f.readline()
    if not hello.startswith(b"V "):
        print("not a control socket: %r" % hello)
        return 1
    s.sendall(b"--json watch\n")
    body = []
    while True:
        line = f.readline()
        if not line:
            print("the node closed the connection before its reply")
            return 1
        if line.startswith(b": "):
            body.append(line[2:])
        elif line.startswith(b"+") or line.startswith(b"-"):
            break
    with open(reply, "wb") as r:
        r.write(b"".join(body))
    # the reply's last lines may sit in f's buffer with the first events;
    # what is buffered is read later, the node's queue fills meanwhile
    deadline = time.time() + 60
    while not os.path.exists(go):
        if time.time() > deadline:
            print("no go file after 60 s")
            return 1
        time.sleep(0.05)
    s.settimeout(1.0)
    with open(events, "wb") as out:
        try:
            while time.time() < deadline:
                line = f.readline()
                if not line:
                    break
                if line.startswith(b"! "):
                    out.write(line[2:])
        except (socket.timeout, OSError):
            pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
