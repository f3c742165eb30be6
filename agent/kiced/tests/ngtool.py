#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers for ng.sh: raw ng datagrams and a bounded RTP-like exchange.

  ngtool.py freeport                  print a free UDP port on 127.0.0.1
  ngtool.py raw PORT HEXDATA          send bytes, print the reply (repr) or
                                      exit 3 when none comes within 1 s
  ngtool.py replay PORT HEXDATA       send the same bytes twice from one
                                      socket; print "same" when both replies
                                      are identical, else "different"
  ngtool.py media PA PB XA XB N       A (port PA) sends N datagrams to kiced
                                      port XA, B (PB) sends N to XB; prints
                                      "a2b=<received by B> b2a=<received by A>"
"""
import socket
import sys
import time


def freeport():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def raw(port, hexdata):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.sendto(bytes.fromhex(hexdata), ("127.0.0.1", int(port)))
    try:
        data = s.recv(65535)
    except socket.timeout:
        sys.exit(3)
    sys.stdout.write(data.decode("latin-1"))
    sys.stdout.write("\n")


def replay(port, hexdata):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    replies = []
    for _ in range(2):
        s.sendto(bytes.fromhex(hexdata), ("127.0.0.1", int(port)))
        try:
            replies.append(s.recv(65535))
        except socket.timeout:
            sys.exit(3)
        time.sleep(1.1)  # let "uptime" move on: only a cached reply matches
    print("same" if replies[0] == replies[1] else "different")


def media(pa, pb, xa, xb, n):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", int(pa)))
    b.bind(("127.0.0.1", int(pb)))
    a.settimeout(0.2)
    b.settimeout(0.2)
    got = {"a2b": 0, "b2a": 0}
    n = int(n)
    for i in range(n):
        # 12-byte RTP header, PT 0, sequence i
        hdr = bytes([0x80, 0x00, (i >> 8) & 0xff, i & 0xff]) + bytes(8)
        a.sendto(hdr + b"A" * 160, ("127.0.0.1", int(xa)))
        b.sendto(hdr + b"B" * 160, ("127.0.0.1", int(xb)))
        time.sleep(0.002)
    deadline = time.time() + 2.0
    for sock, key, mark in ((b, "a2b", b"A"), (a, "b2a", b"B")):
        while got[key] < n and time.time() < deadline:
            try:
                data = sock.recv(2048)
            except socket.timeout:
                continue
            # our datagrams only (kiced's ICE checks may arrive too)
            if len(data) == 172 and data[0] == 0x80 and data[12:13] == mark:
                got[key] += 1
    print("a2b=%d b2a=%d" % (got["a2b"], got["b2a"]))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "freeport":
        freeport()
    elif cmd == "raw":
        raw(*sys.argv[2:4])
    elif cmd == "replay":
        replay(*sys.argv[2:4])
    elif cmd == "media":
        media(*sys.argv[2:7])
    else:
        sys.exit(2)
