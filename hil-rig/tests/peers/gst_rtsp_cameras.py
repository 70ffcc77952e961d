#!/usr/bin/python3
"""N RTSP cameras served by GStreamer's rtsp-server: a third-party peer for the HIL rig.

Why this exists: the rig's validator and our simulator must agree with software nobody on the
team wrote. GStreamer's rtsp-server is that stand-in: the validator's tests read it as if it were
a camera, and bench/simulate.sh serves the same load from it to compare against
`camscope rig simulate`.

Two sources:
  live  one encoder per mount (videotestsrc ! x264enc/x265enc), as a real camera does. Costly:
        only a handful of 1080p streams fit on a small machine.
  file  one template encoded once at start, padded with filler NAL units to the exact bitrate,
        and looped by every mount without an encoder: the same design as our simulator, so the
        fair comparison of serving cost.

Prints one JSON line to stdout once listening ({"port":..., "urls":[...], ...}), then serves
until SIGTERM or SIGINT. The password for --user comes from the environment variable named by
--password-env and never appears in output or on the command line.

--check only verifies the installation (CI runs it). Exit status: 0 after a signal, 2 on bad arguments, 3 when GStreamer pieces are missing (the
message names the Debian package), 1 when serving fails.

Needs Debian's python3-gi (run with /usr/bin/python3; a pyenv python cannot import gi),
gir1.2-gst-rtsp-server-1.0 and the GStreamer plugin packages listed in APT_PACKAGES.
"""

import argparse
import json
import math
import os
import shutil
import signal
import sys
import tempfile

APT_PACKAGES = (
    "python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base "
    "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly"
)

# The element each pipeline needs and the Debian package that ships it, so a missing plugin is
# reported as the package to install rather than as a pipeline parse error at first PLAY.
ELEMENT_PACKAGES = {
    "videotestsrc": "gstreamer1.0-plugins-base",
    "appsink": "gstreamer1.0-plugins-base",
    "multifilesrc": "gstreamer1.0-plugins-good",
    "rtph264pay": "gstreamer1.0-plugins-good",
    "rtph265pay": "gstreamer1.0-plugins-good",
    "h264parse": "gstreamer1.0-plugins-bad",
    "h265parse": "gstreamer1.0-plugins-bad",
    "x265enc": "gstreamer1.0-plugins-bad",
    "x264enc": "gstreamer1.0-plugins-ugly",
}

# Filler data NAL units (H.264 type 12, H.265 type 38) carry no picture; decoders skip them.
# Appended after an access unit's slices, where both specs allow them.
FILLER_HEADER = {"h264": bytes([0x0C]), "h265": bytes([38 << 1, 0x01])}
START_CODE = b"\x00\x00\x00\x01"

PROG = "gst_rtsp_cameras"


def die(message, status):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(status)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, description="Serve N simulated cameras with GStreamer's rtsp-server."
    )
    p.add_argument("--count", type=int, default=1, help="mounts /cam0../cam{count-1} (default 1)")
    p.add_argument("--port", type=int, default=0, help="RTSP port; 0 picks a free one (default)")
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--width", type=int, default=1920)
    p.add_argument("--height", type=int, default=1080)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--gop", type=int, default=50, help="frames from one key frame to the next")
    p.add_argument("--kbps", type=int, default=4000, help="bitrate per camera in kbit/s")
    p.add_argument("--codec", choices=("h264", "h265"), default="h264")
    p.add_argument("--source", choices=("live", "file"), default="file")
    p.add_argument("--user", help="require RTSP authentication as this user")
    p.add_argument(
        "--password-env",
        metavar="VAR",
        help="environment variable holding --user's password (never pass it as an argument)",
    )
    p.add_argument("--auth", choices=("digest", "basic"), default="digest")
    p.add_argument(
        "--client-threads",
        type=int,
        default=1,
        help="threads serving RTSP clients and their TCP data (default 1, rtsp-server's own)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="only check that GI and every element either source or codec needs are installed",
    )
    a = p.parse_args(argv)
    limits = [
        ("--count", a.count, 1, 10000),
        ("--port", a.port, 0, 65535),
        ("--width", a.width, 16, 7680),
        ("--height", a.height, 16, 4320),
        ("--fps", a.fps, 1, 120),
        ("--gop", a.gop, 1, 1000),
        ("--kbps", a.kbps, 16, 100000),
        ("--client-threads", a.client_threads, 1, 1024),
    ]
    for name, value, low, high in limits:
        if not low <= value <= high:
            p.error(f"{name} {value} is outside {low}..{high}")
    # 4:2:0 video needs even dimensions; the encoders would fail only at the first PLAY.
    for name, value in (("--width", a.width), ("--height", a.height)):
        if value % 2:
            p.error(f"{name} {value} must be even (4:2:0 video)")
    if (a.user is None) != (a.password_env is None):
        p.error("--user and --password-env go together")
    a.password = None
    if a.user is not None:
        if not a.user or ":" in a.user:
            p.error("--user must be non-empty and contain no ':'")
        a.password = os.environ.get(a.password_env)
        if not a.password:
            p.error(f"environment variable {a.password_env} (from --password-env) is unset or empty")
    return a


def load_gstreamer(needed):
    """Imports GI and checks the elements; exits 3 naming the package when something is missing."""
    try:
        import gi
    except ImportError:
        die(
            f"cannot import gi (python3-gi); run with /usr/bin/python3 after "
            f"`apt-get install -y {APT_PACKAGES}`",
            3,
        )
    try:
        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtsp", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
    except (ValueError, ImportError) as e:
        die(
            f"GStreamer introspection data missing ({e}); "
            f"`apt-get install -y gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0`",
            3,
        )
    Gst.init(None)
    missing = sorted({ELEMENT_PACKAGES[e] for e in needed if Gst.ElementFactory.find(e) is None})
    if missing:
        names = ", ".join(e for e in needed if Gst.ElementFactory.find(e) is None)
        die(f"GStreamer elements missing ({names}); `apt-get install -y {' '.join(missing)}`", 3)
    return GLib, Gst, GstRtsp, GstRtspServer


def encoder(a, kbps):
    """The encoder element for a constant-rate stream with key frames exactly every --gop frames."""
    gop = f"keyint={a.gop}:min-keyint={a.gop}:scenecut=0"
    if a.codec == "h264":
        # x264enc has no nal-hrd property; the option string gives CBR with filler NAL units.
        return (
            f"x264enc bitrate={kbps} speed-preset=ultrafast tune=zerolatency bframes=0 "
            f'key-int-max={a.gop} option-string="{gop}:nal-hrd=cbr:filler=1"'
        )
    # x265 cannot write filler; strict CBR is the closest it gets to a constant rate. Closed
    # GOPs make every key frame an IDR picture, where a client may start, as cameras do.
    return (
        f"x265enc bitrate={kbps} speed-preset=ultrafast tune=zerolatency key-int-max={a.gop} "
        f'option-string="{gop}:open-gop=0:bframes=0:vbv-maxrate={kbps}:vbv-bufsize={kbps}:strict-cbr=1"'
    )


def raw_video(a):
    # A moving pattern so that predicted frames carry data, as a real scene does.
    return (
        f"videotestsrc pattern=ball is-live={{live}} ! "
        f"video/x-raw,format=I420,width={a.width},height={a.height},framerate={a.fps}/1"
    )


def make_template(a, Gst):
    """Encodes whole GOPs once and pads every GOP with filler to exactly the configured bitrate.

    Returns the Annex B bytes. Encoding at about half the target leaves room for filler, which is
    what makes the rate exact without an encoder per stream.
    """
    # At least two seconds: every mount's source holds the whole file in memory while it plays.
    gops = max(1, math.ceil(2 * a.fps / a.gop))
    frames = gops * a.gop
    launch = (
        raw_video(a).format(live="false").replace("videotestsrc", f"videotestsrc num-buffers={frames}")
        + f" ! {encoder(a, max(16, a.kbps // 2))}"
        + f" ! video/x-{a.codec},stream-format=byte-stream,alignment=au"
        + " ! appsink name=out sync=false"
    )
    pipeline = Gst.parse_launch(launch)
    sink = pipeline.get_by_name("out")
    pipeline.set_state(Gst.State.PLAYING)
    units = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            die("could not read an encoded template frame", 1)
        units.append((bytes(info.data), not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)))
        buf.unmap(info)
    bus = pipeline.get_bus()
    error = bus.pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if error is not None:
        err, _ = error.parse_error()
        die(f"encoding the template failed: {err.message}", 1)
    if len(units) != frames:
        die(f"the template encoder gave {len(units)} frames, expected {frames}", 1)
    budget = a.kbps * 1000 / 8 * a.gop / a.fps
    header = FILLER_HEADER[a.codec]
    overhead = len(START_CODE) + len(header) + 1  # start code, NAL header, rbsp stop byte
    out = bytearray()
    for g in range(gops):
        gop = units[g * a.gop : (g + 1) * a.gop]
        if not gop[0][1]:
            die(f"template frame {g * a.gop} is not a key frame; cannot loop whole GOPs", 1)
        size = sum(len(u) for u, _ in gop)
        if size > budget:
            die(
                f"the template's GOP {g} is {size} bytes, over the {budget:.0f}-byte budget "
                f"of {a.kbps} kbit/s; raise --kbps or lower the resolution",
                1,
            )
        written = 0
        for i, (unit, _) in enumerate(gop):
            out += unit
            written += len(unit)
            # Spread the filler so that the rate is constant over the GOP: after frame i the
            # running total reaches its share of the budget, as a CBR encoder's would.
            pad = round(budget * (i + 1) / a.gop) - written - overhead
            if pad > 0:
                out += START_CODE + header + b"\xff" * pad + b"\x80"
                written += pad + overhead
    return bytes(out)


def mount_launch(a, template_path):
    pay = f"rtp{a.codec}pay name=pay0 pt=96 config-interval=-1"
    if a.source == "live":
        return f"( {raw_video(a).format(live='true')} ! {encoder(a, a.kbps)} ! {pay} )"
    # The parser splits the looped file into access units and gives them decoding times from
    # the SPS frame rate, continuing across loops; the server's sinks pace them against the
    # clock, so no encoder runs per stream. See copy_dts_to_pts for the presentation times.
    return (
        f'( multifilesrc location="{template_path}" loop=true '
        f'caps="video/x-{a.codec},stream-format=byte-stream" ! {a.codec}parse name=parse ! '
        f"video/x-{a.codec},alignment=au ! {pay} )"
    )


def copy_dts_to_pts(Gst):
    """A buffer probe that sets each frame's presentation time to its decoding time.

    The parsers leave presentation times unset for a raw stream (they cannot know the frame
    order), and the payloader would then stamp every packet with the same RTP time. The
    template has no B-frames, so both times are equal. This is the only Python that runs per
    frame; the bench counts its cost as GStreamer's.
    """

    def probe(_pad, info):
        buf = info.get_buffer()
        buf.pts = buf.dts
        return Gst.PadProbeReturn.OK

    def on_media_configure(_factory, media):
        parse = media.get_element().get_by_name("parse")
        parse.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, probe)

    return on_media_configure


def main(argv):
    a = parse_args(argv)
    if a.check:
        load_gstreamer(sorted(ELEMENT_PACKAGES))
        print("gst_rtsp_cameras: GStreamer, rtsp-server and every element are installed")
        return 0
    needed = ["videotestsrc", f"rtp{a.codec}pay", f"{a.codec}parse"]
    needed.append("x264enc" if a.codec == "h264" else "x265enc")
    if a.source == "file":
        needed += ["appsink", "multifilesrc"]
    GLib, Gst, GstRtsp, GstRtspServer = load_gstreamer(needed)

    # A signal before the main loop runs (the template takes seconds) still removes the template.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    workdir = tempfile.mkdtemp(prefix="gst-rtsp-cameras-")
    try:
        return serve(a, workdir, GLib, Gst, GstRtsp, GstRtspServer)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def serve(a, workdir, GLib, Gst, GstRtsp, GstRtspServer):
    template_path = None
    if a.source == "file":
        template_path = os.path.join(workdir, f"template.{a.codec}")
        with open(template_path, "wb") as f:
            f.write(make_template(a, Gst))

    on_media_configure = copy_dts_to_pts(Gst)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.bind)
    server.set_service(str(a.port))
    # Client threads carry both RTSP requests and interleaved TCP data. More of them did not help
    # here: at 150 cameras, 16 threads brought fewer sessions up within a minute than one did.
    server.get_thread_pool().set_max_threads(a.client_threads)
    launch = mount_launch(a, template_path)
    mounts = server.get_mount_points()
    if a.user is not None:
        auth = GstRtspServer.RTSPAuth()
        # Whoever authenticates gets this role; each mount lets the role see and build it.
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "camera-user")
        if a.auth == "digest":
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(a.user, a.password, token)
        else:
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        server.set_auth(auth)
    for i in range(a.count):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        # Every client would otherwise get its own pipeline; a camera encodes once for all viewers.
        factory.set_shared(True)
        if a.source == "file":
            factory.connect("media-configure", on_media_configure)
        if a.user is not None:
            factory.add_role_from_structure(
                Gst.Structure.new_from_string(
                    "camera-user, media.factory.access=(boolean)true, "
                    "media.factory.construct=(boolean)true"
                )
            )
        mounts.add_factory(f"/cam{i}", factory)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        die(f"cannot listen on {a.bind}:{a.port}", 1)
    port = server.get_bound_port()
    host = f"[{a.bind}]" if ":" in a.bind else a.bind
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(
        json.dumps(
            {
                "port": port,
                "urls": [f"rtsp://{host}:{port}/cam{i}" for i in range(a.count)],
                "codec": a.codec,
                "source": a.source,
                "width": a.width,
                "height": a.height,
                "fps": a.fps,
                "gop": a.gop,
                "kbps": a.kbps,
                "auth": a.auth if a.user is not None else None,
            }
        ),
        flush=True,
    )
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
