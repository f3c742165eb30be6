# SPDX-License-Identifier: GPL-2.0
"""What the WebRTC peers' signalling scripts (webrtc_signal.py,
webrtcbin_peer.py) share: kicectl run against kiced's ng port, and the
SDPs and replies kept in the test's directory."""
import os
import subprocess


class Kicectl:
    def __init__(self, kicectl, ng, directory):
        self.kicectl, self.ng, self.dir = kicectl, ng, directory

    def save(self, name, data):
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)

    def __call__(self, *args, stdin=b""):
        """kicectl ARGS... with @stdin; its stdout (stderr kept as
        kicectl.err when it fails)"""
        try:
            # kicectl gives up after 3 s; a guest loaded by Chromium under
            # KASAN can take far longer than that just to start it
            r = subprocess.run([self.kicectl, *args, "-s", self.ng,
                                "-t", "1000"], input=stdin,
                               capture_output=True, timeout=90)
        except subprocess.TimeoutExpired:
            self.save("kicectl.err", b"kicectl: no exit within 90 s\n")
            return b""
        if r.returncode:
            self.save("kicectl.err", r.stderr)
        return r.stdout
