#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Signalling for webrtc_page.html: a browser's two peer connections
offer and answer through kiced.

  webrtc_signal.py PORT DIR KICECTL NG TIMES [KICECTL OPTION...]

serves the page on 127.0.0.1:PORT (a secure context for getUserMedia),
passes the page's offer to kiced with `kicectl offer` (call-id "web",
from-tag "a", ICE=force, plus the options given) and its answer with
`kicectl answer` (to-tag "b"), and at each of TIMES (comma-separated
seconds after the answer) stores the page's getStats() summary as
DIR/report-T.json next to kiced's `query` as DIR/query-T.json.  Exits
after the last report, or with status 1 when the page has not answered
within 120 s or not sent the last report 30 s after its time.  The SDPs go to DIR/{offer,offer2,answer,answer1}.sdp
and the page's messages to DIR/page.log.
"""
import http.server
import os
import sys
import threading
import time

from kicectl_sig import Kicectl

PORT, DIR, KICECTL, NG, TIMES = sys.argv[1:6]
EXTRA = sys.argv[6:]
TIMES = [int(t) for t in TIMES.split(",")]
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "webrtc_page.html")
state = {"answered": None, "next": 0}
done = threading.Event()

kicectl = Kicectl(KICECTL, NG, DIR)
save = kicectl.save


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_):
        pass

    def reply(self, body, ctype="text/plain"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self):
        if self.path.split("?")[0] == "/":
            with open(PAGE, "rb") as f:
                self.reply(f.read(), "text/html")
        elif self.path == "/next":
            i = state["next"]
            if i >= len(TIMES):
                self.reply(b"done")
                done.set()
                return
            while state["answered"] is None:
                time.sleep(0.05)
            delay = state["answered"] + TIMES[i] - time.time()
            if delay > 0:
                time.sleep(delay)
            state["next"] = i + 1
            self.reply(str(TIMES[i]).encode())
        else:
            self.send_error(404)

    def do_POST(self):
        data = self.body()
        if self.path == "/offer":
            save("offer.sdp", data)
            out = kicectl("offer", "--call-id", "web", "--from-tag", "a",
                          "--ice", "force", *EXTRA, stdin=data)
            save("offer2.sdp", out)
            self.reply(out)
        elif self.path == "/answer":
            save("answer.sdp", data)
            out = kicectl("answer", "--call-id", "web", "--from-tag", "a",
                          "--to-tag", "b", *EXTRA, stdin=data)
            save("answer1.sdp", out)
            state["answered"] = time.time()
            self.reply(out)
        elif self.path.startswith("/report?t="):
            t = self.path.split("=", 1)[1]
            save("report-%s.json" % t, data)
            save("query-%s.json" % t, kicectl("query", "--call-id", "web"))
            self.reply(b"ok")
        elif self.path == "/log":
            with open(os.path.join(DIR, "page.log"), "ab") as f:
                f.write(data + b"\n")
            self.reply(b"ok")
        else:
            self.send_error(404)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
# Chromium may take a minute to start in a TCG guest: 120 s for the
# page's answer, then the last report within 30 s of its time
start = time.time()
while not done.is_set():
    a = state["answered"]
    if time.time() > (a + max(TIMES) + 30 if a else start + 120):
        break
    done.wait(0.2)
time.sleep(0.2)
srv.shutdown()
sys.exit(0 if done.is_set() else 1)
