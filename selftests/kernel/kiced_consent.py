#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""STUN Binding request with ICE short-term credentials (a consent check),
for kiced_restart.sh.

  kiced_consent.py HOST PORT USERNAME PASSWORD

Prints "answered" (success response, same transaction, valid
MESSAGE-INTEGRITY with PASSWORD), "bad-answer" or "no-answer" (1 s).
"""
import hashlib
import hmac
import os
import socket
import struct
import sys
import zlib

COOKIE = 0x2112A442


def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


def request(user, pwd):
    tid = os.urandom(12)
    body = attr(0x0006, user.encode())
    hdr = struct.pack("!HHI", 0x0001, len(body) + 24, COOKIE) + tid
    body += attr(0x0008, hmac.new(pwd, hdr + body, hashlib.sha1).digest())
    hdr = struct.pack("!HHI", 0x0001, len(body) + 8, COOKIE) + tid
    fp = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
    return hdr + body + attr(0x8028, struct.pack("!I", fp)), tid


def valid(msg, tid, pwd):
    if len(msg) < 20:
        return False
    mtype, _, cookie = struct.unpack("!HHI", msg[:8])
    if mtype != 0x0101 or cookie != COOKIE or msg[8:20] != tid:
        return False
    off = 20
    while off + 4 <= len(msg):
        t, ln = struct.unpack("!HH", msg[off:off + 4])
        if t == 0x0008 and ln == 20:
            hdr = msg[:2] + struct.pack("!H", off + 24 - 20) + msg[4:20]
            want = hmac.new(pwd, hdr + msg[20:off], hashlib.sha1).digest()
            return hmac.compare_digest(want, msg[off + 4:off + 24])
        off += 4 + ln + (4 - ln % 4) % 4
    return False


def main():
    host, port, user, pwd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    msg, tid = request(user, pwd.encode())
    s.sendto(msg, (host, port))
    try:
        data = s.recv(2048)
    except socket.timeout:
        print("no-answer")
        return
    print("answered" if valid(data, tid, pwd.encode()) else "bad-answer")


main()
