#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Two GStreamer webrtcbin peers (libnice inside) signalled through kiced.

  webrtcbin_peer.py DIR KICECTL NG SECONDS [KICECTL OPTION...]

pc1 sends an Opus tone and offers (max-bundle, audio and video), the offer
goes through `kicectl offer` (call-id "gst", from-tag "a", ICE=force,
plus the options given) to pc2, pc2's answer through `kicectl answer`
(to-tag "b") back to pc1.  Both send audio (Opus) and video (VP8), and
count the RTP packets that come out of their webrtcbin, decrypted, per
media.  SECONDS after the answer it writes DIR/report.json: each peer's
ICE connection and peer connection state and its packet counts at 5 s
and at the end, and kiced's `query` at the end as DIR/query.json.  The
SDPs go to DIR/{offer,offer2,answer,answer1}.sdp.  Exits 1 when
negotiation does not finish within 60 s.

Debian's /usr/bin/python3 with python3-gi and gir1.2-gst-plugins-bad-1.0.
"""
import json
import os
import sys
import threading

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

from kicectl_sig import Kicectl  # noqa: E402

DIR, KICECTL, NG, SECONDS = sys.argv[1:5]
EXTRA = sys.argv[5:]
SECONDS = int(SECONDS)
Gst.init(None)
# GStreamer's enums are looked up here, once, on the main thread: pad-added
# runs on streaming threads, and PyGObject's lazy lookup of an enum's values
# is not thread-safe (two threads at once: "type object 'PadDirection' has
# no attribute 'SRC'", the pad stays unlinked, nicesrc stops "not-linked");
# and probes outlive teardown.
PROBE_OK = Gst.PadProbeReturn.OK
PAD_SRC = Gst.PadDirection.SRC
PROBE_BUFFER = Gst.PadProbeType.BUFFER
GATHERING_COMPLETE = GstWebRTC.WebRTCICEGatheringState.COMPLETE
pad_lock = threading.Lock()
loop = GLib.MainLoop()
result = {"error": None}

kicectl = Kicectl(KICECTL, NG, DIR)
save = kicectl.save


def fail(msg):
    result["error"] = msg
    loop.quit()


class Peer:
    SRC = {
        "audio": "audiotestsrc is-live=true wave=sine ! audioconvert ! "
                 "audioresample ! opusenc ! rtpopuspay pt=111 ! capsfilter "
                 "caps=\"application/x-rtp,media=audio,encoding-name=OPUS,"
                 "payload=111,clock-rate=48000\"",
        "video": "videotestsrc is-live=true pattern=ball ! "
                 "video/x-raw,width=160,height=120,framerate=15/1 ! "
                 "vp8enc deadline=1 ! rtpvp8pay pt=96 ! capsfilter "
                 "caps=\"application/x-rtp,media=video,encoding-name=VP8,"
                 "payload=96,clock-rate=90000\"",
    }

    def __init__(self, name):
        self.name = name
        self.pipe = Gst.Pipeline.new(name)
        self.wb = Gst.ElementFactory.make("webrtcbin", name + "wb")
        self.wb.set_property("bundle-policy",
                             GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pipe.add(self.wb)
        for kind in ("audio", "video"):
            src = Gst.parse_bin_from_description(self.SRC[kind], True)
            self.pipe.add(src)
            src.link(self.wb)
        self.rx = {}
        self.wb.connect("pad-added", self.on_pad)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)

    def on_error(self, _bus, msg):
        err, debug = msg.parse_error()
        src = msg.src.get_path_string() if msg.src else "?"
        print("%s: error from %s: %s (%s)" % (self.name, src, err.message,
                                              debug), file=sys.stderr)
        report["error"] = {"pc1": pc1.state(), "pc2": pc2.state(),
                           "from": src, "debug": debug}
        save("report.json", json.dumps(report).encode())
        fail("%s: %s" % (self.name, err.message))

    def on_pad(self, _wb, pad):
        with pad_lock:
            self.link_pad(pad)

    def link_pad(self, pad):
        if pad.get_direction() != PAD_SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        kind = caps.get_structure(0).get_string("media") or "?"
        self.rx.setdefault(kind, 0)
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("async", False)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

        def count(_pad, _info):
            self.rx[kind] += 1
            return PROBE_OK
        pad.add_probe(PROBE_BUFFER, count)

    def state(self):
        return {"ice": self.wb.get_property("ice-connection-state").value_nick,
                "conn": self.wb.get_property("connection-state").value_nick,
                "rx": dict(self.rx)}

    def gathered(self, then):
        """call then(sdp text) once ICE gathering is complete"""
        done = [False]

        def check(*_):
            if done[0]:
                return False
            st = self.wb.get_property("ice-gathering-state")
            if st == GATHERING_COMPLETE:
                done[0] = True
                sdp = self.wb.get_property("local-description").sdp
                GLib.idle_add(lambda: then(sdp.as_text()) and False)
            return False
        self.wb.connect("notify::ice-gathering-state", check)
        GLib.idle_add(check)

    def set_remote(self, kind, text, then):
        if not text.strip():
            fail("%s: kiced returned no SDP" % self.name)
            return
        ok, msg = GstSdp.SDPMessage.new_from_text(text)
        if ok != GstSdp.SDPResult.OK:
            fail("%s: kiced's SDP does not parse" % self.name)
            return
        desc = GstWebRTC.WebRTCSessionDescription.new(kind, msg)
        p = Gst.Promise.new_with_change_func(lambda _p: GLib.idle_add(
            lambda: then() and False))
        self.wb.emit("set-remote-description", desc, p)

    def create(self, what, then):
        def created(promise):
            reply = promise.get_reply()
            desc = reply.get_value(what) if reply else None
            if desc is None:
                GLib.idle_add(lambda: fail("%s: no %s" % (self.name, what)))
                return
            self.wb.emit("set-local-description", desc, Gst.Promise.new())
            GLib.idle_add(lambda: self.gathered(then) and False)
        self.wb.emit("create-" + what, None,
                     Gst.Promise.new_with_change_func(created))


pc1, pc2 = Peer("pc1"), Peer("pc2")
report = {}


def finish():
    report["end"] = {"pc1": pc1.state(), "pc2": pc2.state()}
    save("report.json", json.dumps(report).encode())
    save("query.json", kicectl("query", "--call-id", "gst"))
    loop.quit()
    return False


def at5():
    report["5"] = {"pc1": pc1.state(), "pc2": pc2.state()}
    return False


def answered(text):
    data = text.encode()
    save("answer.sdp", data)
    out = kicectl("answer", "--call-id", "gst", "--from-tag", "a",
                  "--to-tag", "b", *EXTRA, stdin=data)
    save("answer1.sdp", out)
    pc1.set_remote(GstWebRTC.WebRTCSDPType.ANSWER, out.decode(), lambda: None)
    GLib.source_remove(deadline)
    GLib.timeout_add_seconds(5, at5)
    GLib.timeout_add_seconds(SECONDS, finish)


def offered(text):
    data = text.encode()
    save("offer.sdp", data)
    out = kicectl("offer", "--call-id", "gst", "--from-tag", "a",
                  "--ice", "force", *EXTRA, stdin=data)
    save("offer2.sdp", out)
    pc2.set_remote(GstWebRTC.WebRTCSDPType.OFFER, out.decode(),
                   lambda: pc2.create("answer", answered))


deadline = GLib.timeout_add_seconds(60, lambda: fail("no answer in 60 s"))
pc1.wb.connect("on-negotiation-needed",
               lambda _wb: GLib.idle_add(
                   lambda: pc1.create("offer", offered) and False))
pc2.pipe.set_state(Gst.State.PLAYING)
pc1.pipe.set_state(Gst.State.PLAYING)
threading.Timer(SECONDS + 120, lambda: os._exit(3)).start()
loop.run()
for pc in (pc1, pc2):
    pc.pipe.set_state(Gst.State.NULL)
if result["error"]:
    print("webrtcbin_peer: " + result["error"], file=sys.stderr)
    os._exit(1)
os._exit(0)
