#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Regenerate the committed seed corpora of fuzz_stun and fuzz_turn:
# RFC 5769 / RFC 8489 B.1 vectors (taken from tests/stun_vectors.h),
# malformed variants, TURN responses, ChannelData and stream mixes.
import os, re, struct, zlib

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
hdr = open(os.path.join(top, "stun", "tests", "stun_vectors.h")).read()

def vec(name):
    m = re.search(r"#define %s \\\n((?:\t\".*\"(?: \\)?\n)+)" % name, hdr)
    return bytes.fromhex("".join(re.findall(r'"([0-9a-f]+)"', m.group(1))))

COOKIE = 0x2112A442

def attr(t, v, pad=b"\0"):
    return struct.pack("!HH", t, len(v)) + v + pad * (-len(v) % 4)

def msg(mtype, tid, attrs, fp=False):
    body = b"".join(attrs)
    if fp:
        h = struct.pack("!HHI", mtype, len(body) + 8, COOKIE) + tid
        crc = (zlib.crc32(h + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", mtype, len(body), COOKIE) + tid + body

def xaddr4(ip, port):
    a = bytes(int(x) for x in ip.split("."))
    x = bytes(b ^ c for b, c in zip(a, struct.pack("!I", COOKIE)))
    return struct.pack("!BBH", 0, 1, port ^ (COOKIE >> 16)) + x

def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

s = os.path.join(top, "stun", "fuzz", "corpus", "fuzz_stun")
req = vec("RFC5769_REQUEST")
for n in ("RFC5769_REQUEST", "RFC5769_RESP_V4", "RFC5769_RESP_V6",
          "RFC5769_LT_REQUEST", "RFC8489_B1_REQUEST"):
    write(s, n.lower(), vec(n))
write(s, "truncated", req[:50])
write(s, "short", req[:19])
b = bytearray(req); b[22] = 0x10; write(s, "bad-attr-length", bytes(b))
b = bytearray(req); b[3] -= 1; write(s, "bad-padding", bytes(b[:-1]))
b = bytearray(req); b[-1] ^= 1; write(s, "bad-fingerprint", bytes(b))
write(s, "after-fingerprint", req[:3] + bytes([req[3] + 4]) + req[4:] +
      attr(0x8022, b""))
tid = bytes(range(12))
write(s, "duplicate", msg(0x0001, tid, [attr(0x0024, b"\0\0\0\1")] * 2))
write(s, "unknown-required", msg(0x0001, tid, [attr(0x0031, b"abcd"),
                                               attr(0x8031, b"x")], fp=True))
write(s, "turn-alloc-success", msg(0x0103, tid, [
    attr(0x0016, xaddr4("198.51.100.1", 50000)),
    attr(0x0016, struct.pack("!BBH", 0, 2, 1) + bytes(16)),
    attr(0x0020, xaddr4("203.0.113.1", 40000)),
    attr(0x000D, struct.pack("!I", 600)),
    attr(0x8001, bytes([2, 0, 4, 40]) + b"no v6"),
    attr(0x8002, bytes.fromhex("0002000000010000")),
    attr(0x8004, bytes.fromhex("0000030100000000"))], fp=True))
write(s, "error-401", msg(0x0113, tid, [
    attr(0x0009, bytes([0, 0, 4, 1]) + b"Unauthenticated"),
    attr(0x0014, b"kice.test"), attr(0x0015, b"obMatJos2wAAAnonce")]))
write(s, "channel-data", bytes.fromhex("4000000568656c6c6f000000"))

t = os.path.join(top, "turn", "fuzz", "corpus", "fuzz_turn")
tid = b"\x5a" * 12
alloc_ok = msg(0x0103, tid, [attr(0x0016, xaddr4("198.51.100.1", 50000)),
                             attr(0x0020, xaddr4("203.0.113.1", 40000)),
                             attr(0x000D, struct.pack("!I", 600))], fp=True)
chdata = bytes.fromhex("4000000568656c6c6f000000")
data_ind = msg(0x0017, bytes(12), [attr(0x0012, xaddr4("0.0.0.0", 7000)),
                                    attr(0x0013, b"payload")])
write(t, "alloc-success", alloc_ok)
write(t, "alloc-then-channel-data", alloc_ok + chdata + chdata)
write(t, "alloc-then-data-indication", alloc_ok + data_ind)
write(t, "challenge-401", msg(0x0113, tid, [
    attr(0x0009, bytes([0, 0, 4, 1]) + b"Unauthenticated"),
    attr(0x0014, b"kice.test"), attr(0x0015, b"nonce")]))
write(t, "try-alternate", msg(0x0113, tid, [
    attr(0x0009, bytes([0, 0, 3, 0]) + b"Try Alternate"),
    attr(0x8023, struct.pack("!BBH", 0, 1, 3478) + bytes([192, 0, 2, 9]))]))
write(t, "quota-486", msg(0x0113, tid, [attr(0x0009, bytes([0, 0, 4, 86]))]))
