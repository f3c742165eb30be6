#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A plain RTP endpoint that knows nothing about ICE: the "unmodified
application" of kice's demo and end-to-end tests.

  rtpapp.py --bind ADDR:PORT --to ADDR:PORT [--count N] [--ptime MS]
            [--linger S] [--delay S] [--ssrc X] [--name NAME]

Sends N PCMU packets (RTP version 2, payload type 0, 160-byte payload every
PTIME ms), DELAY seconds after binding, from the socket bound to --bind (symmetric RTP: the same socket
receives) to --to, counts the RTP packets it receives until LINGER seconds
after its last send or after N have arrived, then prints one line:

  NAME: sent=N received=M lost=L dup=D ssrc=X

(lost: holes in the received sequence numbers).  Exits 0 when anything
was received, 1 otherwise.  Bounded: at most N packets, DELAY+N*PTIME+LINGER s.
"""
import argparse
import random
import select
import socket
import struct
import sys
import time


def addr(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True, type=addr)
    p.add_argument("--to", required=True, type=addr)
    p.add_argument("--count", type=int, default=250)
    p.add_argument("--ptime", type=int, default=20)
    p.add_argument("--linger", type=float, default=2.0)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--ssrc", type=lambda x: int(x, 0),
                   default=random.getrandbits(32))
    p.add_argument("--name", default="rtpapp")
    o = p.parse_args()

    fam = socket.AF_INET6 if ":" in o.bind[0] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(o.bind)
    s.setblocking(False)
    seq0 = random.getrandbits(16)
    ts0 = random.getrandbits(32)
    payload = bytes([0xff]) * 160		# PCMU silence
    sent = 0
    seen = set()
    dup = 0
    ssrc_in = None
    first = None
    start = time.monotonic() + o.delay
    end = start + o.count * o.ptime / 1000.0 + o.linger
    next_tx = start
    while True:
        now = time.monotonic()
        if now >= end or (sent >= o.count and len(seen) >= o.count):
            break
        if sent < o.count and now >= next_tx:
            hdr = struct.pack("!BBHII", 0x80, (0x80 if sent == 0 else 0),
                              (seq0 + sent) & 0xffff,
                              (ts0 + 160 * sent) & 0xffffffff, o.ssrc)
            try:
                s.sendto(hdr + payload, o.to)
            except OSError:
                pass
            sent += 1
            next_tx += o.ptime / 1000.0
            if sent == o.count:
                end = min(end, time.monotonic() + o.linger)
        wait = max(0.0, min(next_tx if sent < o.count else end, end) -
                   time.monotonic())
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            continue
        while True:
            try:
                buf = s.recv(2048)
            except BlockingIOError:
                break
            except OSError:		# ICMP error of an earlier send
                continue
            if len(buf) < 12 or buf[0] >> 6 != 2:
                continue
            seq, = struct.unpack("!H", buf[2:4])
            ssrc_in, = struct.unpack("!I", buf[8:12])
            if first is None:
                first = seq
            if seq in seen:
                dup += 1
            seen.add(seq)
    lost = 0
    if seen:
        span = max(((q - first) & 0xffff) for q in seen) + 1
        lost = span - len(seen)
    print("%s: sent=%d received=%d lost=%d dup=%d ssrc=%s" %
          (o.name, sent, len(seen), lost, dup,
           "0x%08x" % ssrc_in if ssrc_in is not None else "-"))
    sys.stdout.flush()
    return 0 if seen else 1


if __name__ == "__main__":
    sys.exit(main())
