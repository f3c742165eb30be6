#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers for ng.sh: raw ng datagrams and a bounded RTP-like exchange.

  ngtool.py freeport                  print a free UDP port on 127.0.0.1
  ngtool.py raw PORT HEXDATA          send bytes, print the reply (repr) or
                                      exit 3 when none comes within 1 s
  ngtool.py replay PORT HEXDATA       send the same bytes twice from one
                                      socket; print "same" when both replies
                                      are identical, else "different"
  ngtool.py sink PORT SECS            bind UDP 127.0.0.1:PORT and drop what
                                      comes for SECS seconds (a STUN server
                                      that never answers)
  ngtool.py deferred PORT USOCK       offers pending on gathering (kiced
                                      with gather-wait 1500 ms and a sink as
                                      STUN server): prints key=value results
  ngtool.py media PA PB XA XB N       A (port PA) sends N datagrams to kiced
                                      port XA, B (PB) sends N to XB; prints
                                      "a2b=<received by B> b2a=<received by A>"
  ngtool.py echo IP PORT SECS         an RTP endpoint: RTP on IP:PORT comes
                                      back with "ping" at offset 12 turned
                                      into "pong", RTCP on PORT+1 comes back
                                      as it is; prints "rtp=N rtcp=N" (what
                                      it echoed) after SECS seconds or on
                                      SIGTERM
  ngtool.py calls ADDR:PORT [packets] the calls a relay has ("list"), one a
                                      line; with "packets", each followed by
                                      the RTP packets "query" counts for it
                                      (exit 3 when the relay does not answer
                                      within 0.5 s)
"""
import os
import select
import signal
import socket
import sys
import tempfile
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


def sink(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(port)))
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            s.recv(2048)
        except socket.timeout:
            pass


def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(i) for i in v) + b"e"
    return b"d" + b"".join(benc(k) + benc(v[k]) for k in v) + b"e"


def bdec(b, i=0):
    """The bencoded value at b[i:] and the index after it."""
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1
        items = []
        while b[i:i + 1] != b"e":
            v, i = bdec(b, i)
            items.append(v)
        if c == b"l":
            return items, i + 1
        return dict(zip(items[0::2], items[1::2])), i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n].decode("latin-1"), j + 1 + n


def ng(sock, dst, req, seq=[0]):
    """@req's reply from the relay at @dst, or exit 3 after 0.5 s."""
    seq[0] += 1
    cookie = b"c%d_%d" % (os.getpid(), seq[0])
    sock.sendto(cookie + b" " + benc(req), dst)
    data, _ = recv_until(sock, cookie, 0.5)
    if data is None:
        sys.exit(3)
    return bdec(data, len(cookie) + 1)[0]


def calls(addr, what=""):
    host, port = addr.rsplit(":", 1)
    dst = (host, int(port))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ids = ng(s, dst, {"command": "list", "limit": 100000}).get("calls", [])
    for cid in ids:
        if what != "packets":
            print(cid)
            continue
        q = ng(s, dst, {"command": "query", "call-id": cid})
        n = q.get("totals", {}).get("RTP", {}).get("packets", 0)
        print(cid, n if q.get("result") == "ok" else "-")


SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")


def offer(call):
    return {"command": "offer", "call-id": call, "from-tag": "a",
            "ICE": "force", "sdp": SDP}


def recv_until(sock, cookie, timeout):
    """First datagram with @cookie within @timeout: (bytes, seconds)."""
    t0 = time.time()
    end = t0 + timeout
    while time.time() < end:
        sock.settimeout(max(0.01, end - time.time()))
        try:
            data = sock.recv(65535)
        except socket.timeout:
            break
        if data.startswith(cookie + b" "):
            return data, time.time() - t0
    return None, timeout


def deferred(port, usock):
    dst = ("127.0.0.1", int(port))
    s1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    res = {}
    t0 = time.time()
    s1.sendto(b"def1 " + benc(offer("d1")), dst)
    s2.sendto(b"png1 " + benc({"command": "ping"}), dst)
    r, dt = recv_until(s2, b"png1", 1.0)
    res["ping"] = "pong" if r and b"4:pong" in r else "none"
    res["ping_ms"] = int(dt * 1000)
    # retransmission while pending; a second call's offer meanwhile
    s1.sendto(b"def1 " + benc(offer("d1")), dst)
    s2.sendto(b"def2 " + benc(offer("d2")), dst)
    s2.sendto(b"lst1 " + benc({"command": "list"}), dst)
    r, _ = recv_until(s2, b"lst1", 1.0)
    res["list"] = "both" if r and b"2:d1" in r and b"2:d2" in r else "no"
    # the offer's reply(s)
    got = []
    end = time.time() + 3.0
    while time.time() < end:
        s1.settimeout(max(0.01, end - time.time()))
        try:
            data = s1.recv(65535)
        except socket.timeout:
            break
        if data.startswith(b"def1 "):
            got.append((data, time.time() - t0))
    res["replies"] = len(got)
    if got:
        data, at = got[0]
        res["reply_ms"] = int(at * 1000)
        res["reply"] = ("ok-host" if b"6:result2:ok" in data and
                        b"typ host" in data else "bad")
    r, _ = recv_until(s2, b"def2", 3.0)
    res["second"] = "ok" if r and b"6:result2:ok" in r else "none"
    # after the reply: a retransmission gets it from the cache
    s1.sendto(b"def1 " + benc(offer("d1")), dst)
    r, _ = recv_until(s1, b"def1", 1.0)
    res["cached"] = "same" if got and r == got[0][0] else "different"
    # a call deleted while its offer is pending: an error reply at once
    s1.sendto(b"def3 " + benc(offer("d3")), dst)
    time.sleep(0.1)
    s2.sendto(b"del3 " + benc({"command": "delete", "call-id": "d3"}), dst)
    r, _ = recv_until(s2, b"del3", 1.0)
    res["delete"] = "ok" if r and b"6:result2:ok" in r else "none"
    r, dt = recv_until(s1, b"def3", 1.0)
    res["deleted_reply"] = ("error" if r and b"6:result5:error" in r
                            else "none")
    # JSON: a pending offer answers in JSON too
    s1.sendto(b'jsn1 {"command":"offer","call-id":"d5","from-tag":"a",'
              b'"ICE":"force","sdp":"%s"}' %
              SDP.replace("\r\n", "\\r\\n").encode(), dst)
    r, _ = recv_until(s1, b"jsn1", 3.0)
    res["json_offer"] = ("ok" if r and r.startswith(b'jsn1 {"result":"ok"')
                         and b"typ host" in r else "bad")
    # a Unix client that goes away before its reply
    d = tempfile.mkdtemp()
    cpath = os.path.join(d, "c.sock")
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    u.bind(cpath)
    u.sendto(b"uni1 " + benc(offer("d4")), usock)
    time.sleep(0.1)
    u.close()
    os.unlink(cpath)
    os.rmdir(d)
    time.sleep(1.8)
    s2.sendto(b"png2 " + benc({"command": "ping"}), dst)
    r, _ = recv_until(s2, b"png2", 1.0)
    res["after_unix"] = "pong" if r and b"4:pong" in r else "none"
    print(" ".join("%s=%s" % kv for kv in res.items()))


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


def echo(ip, port, secs):
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind((ip, int(port)))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtcp.bind((ip, int(port) + 1))
    count = {rtp: 0, rtcp: 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    end = time.time() + float(secs)
    while not stop and time.time() < end:
        try:
            ready, _, _ = select.select([rtp, rtcp], [], [], 0.1)
        except InterruptedError:
            continue
        for s in ready:
            data, src = s.recvfrom(2048)
            if len(data) < 8 or data[0] >> 6 != 2:
                continue
            if s is rtp and data[12:16] == b"ping":
                data = data[:12] + b"pong" + data[16:]
            elif s is rtp:
                continue
            s.sendto(data, src)
            count[s] += 1
    print("rtp=%d rtcp=%d" % (count[rtp], count[rtcp]), flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "freeport":
        freeport()
    elif cmd == "raw":
        raw(*sys.argv[2:4])
    elif cmd == "replay":
        replay(*sys.argv[2:4])
    elif cmd == "sink":
        sink(*sys.argv[2:4])
    elif cmd == "deferred":
        deferred(*sys.argv[2:4])
    elif cmd == "media":
        media(*sys.argv[2:7])
    elif cmd == "echo":
        echo(*sys.argv[2:5])
    elif cmd == "calls":
        calls(*sys.argv[2:4])
    else:
        sys.exit(2)
