#!/usr/bin/env bash
# How many cameras one `camscope rig simulate` process serves at full load, and what the same load
# costs GStreamer's rtsp-server: N standard cameras (1080p, 25 fps, GOP 50, the given bitrate,
# H.264) pulled at once over RTSP/TCP by one retina ingest on the same machine, first from our
# simulator, then from hil-rig/tests/peers/gst_rtsp_cameras.py serving a looped, filler-padded
# template (no encoder per stream: the like-for-like design), then from the same script encoding
# every stream with x264 at a small count (a real camera's design, which cannot reach N here).
# Prints one table: streams received, Mbit/s in total and of the slowest stream, lost packets,
# each server's CPU and CPU per Gbit/s. The ingest measures a window that opens once every session
# plays, so slow session set-up is reported apart (setup s) rather than as a shortfall.
# Usage: bench/simulate.sh [CAMERAS=500] [SECONDS=20] [BITRATE=4Mbps]
# GST_LIVE_CAMERAS overrides the live row's camera count (default min(CAMERAS, 4); 0 skips it).
# GST_PEER_ARGS adds arguments to the GStreamer script (e.g. "--client-threads 1").
# Needs GStreamer (see docs/rig.md, "Third-party peers"); fails if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cameras=${1:-500}
seconds=${2:-20}
bitrate=${3:-4Mbps}
live_cameras=${GST_LIVE_CAMERAS:-$((cameras < 4 ? cameras : 4))}
# The simulator reads BITRATE with SI prefixes; the GStreamer script takes kbit/s.
kbps=$(python3 - "$bitrate" <<'PY'
import re, sys
m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kMG]?)(?:bps|bit/s|b/s)\s*", sys.argv[1], re.I)
if not m:
    sys.exit(f"bench: BITRATE {sys.argv[1]!r}: expected a number and bps, kbps, Mbps or Gbps")
scale = {"": 1e-3, "k": 1, "m": 1e3, "g": 1e6}[m.group(2).lower()]
print(round(float(m.group(1)) * scale))
PY
)
gst_script=hil-rig/tests/peers/gst_rtsp_cameras.py
cargo build --quiet --release -p camscope-planner --bin camscope
cargo build --quiet --release -p camscope-hil-rig --example ingest
# Wherever cargo put them: CARGO_TARGET_DIR or a config may move the target directory.
release=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release
# Every camera holds an ONVIF listener and an RTSP connection: more than the default 1024 files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
server=
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
trap 'stop_server; rm -rf "$dir"' EXIT
hz=$(getconf CLK_TCK)

# Runs the ingest against $dir/$1.json while the server $server runs, and appends one result line.
# The ingest reads the server's CPU ticks itself, over its measured window only.
measure() {
  local row=$1 label=$2 asked=$3
  "$release/examples/ingest" "$dir/$row.json" "$seconds" "$server" >"$dir/$row.ingest"
  python3 - "$dir/$row.ingest" "$hz" "$asked" "$label" >>"$dir/rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
hz, secs = int(sys.argv[2]), r["seconds"]
print(json.dumps({
    "label": sys.argv[4], "asked": int(sys.argv[3]), "received": r["streams"] - r["streams_failed"],
    "mbit_per_s": r["mbit_per_s"], "min_stream": r["min_stream_mbit_per_s"],
    "lost": r["lost_packets"], "setup": r["setup_seconds"],
    "server_cores": r["server_ticks"] / hz / secs, "ingest_cores": r["ingest_ticks"] / hz / secs,
}))
PY
}

echo "== camscope rig simulate: $cameras cameras x $bitrate for ${seconds} s"
export CAMSCOPE_CAMERA_PASSWORD="bench-$$-$RANDOM"
"$release/camscope" rig simulate --cameras "$cameras" --bitrate "$bitrate" \
  --endpoints "$dir/camscope.json" --duration $((seconds + 60)) >"$dir/sim.log" 2>&1 &
server=$!
for _ in $(seq 300); do [ -f "$dir/camscope.json" ] && break; sleep 0.1; done
[ -f "$dir/camscope.json" ] || { echo "the simulator did not start:"; cat "$dir/sim.log"; exit 1; }
measure camscope "camscope rig simulate" "$cameras"
stop_server

# Starts the GStreamer peer with $1 cameras and the remaining arguments, and writes its URLs as
# an endpoints file the ingest reads.
start_gst() {
  local row=$1 count=$2
  shift 2
  /usr/bin/python3 "$gst_script" --count "$count" --width 1920 --height 1080 --fps 25 --gop 50 \
    --kbps "$kbps" ${GST_PEER_ARGS:-} "$@" >"$dir/$row.out" 2>"$dir/$row.err" &
  server=$!
  # Encoding the 1080p template takes a few seconds before the line appears.
  for _ in $(seq 1200); do
    [ -s "$dir/$row.out" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  if ! [ -s "$dir/$row.out" ]; then
    echo "the GStreamer peer did not start:"
    cat "$dir/$row.err"
    exit 1
  fi
  python3 -c 'import json, sys; print(json.dumps([{"rtsp": u} for u in json.loads(sys.stdin.readline())["urls"]]))' \
    <"$dir/$row.out" >"$dir/$row.json"
}

echo "== GStreamer rtsp-server, looped template: $cameras cameras"
start_gst gst-file "$cameras" --source file
measure gst-file "GStreamer rtsp-server, looped template" "$cameras"
stop_server

if [ "$live_cameras" -gt 0 ]; then
  echo "== GStreamer rtsp-server, x264 per stream: $live_cameras cameras"
  start_gst gst-live "$live_cameras" --source live
  measure gst-live "GStreamer rtsp-server, x264 per stream (only $live_cameras)" "$live_cameras"
  stop_server
fi

python3 - "$dir/rows" "$cameras" "$bitrate" "$seconds" "$kbps" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
kbps = int(sys.argv[5])
print(f"\n1080p25, GOP 50, {sys.argv[3]} per camera, H.264 over RTSP/TCP to one retina ingest "
      f"on the same machine, {sys.argv[4]} s window")
head = ("server", "streams", "Mbit/s", "asked", "slowest", "lost pkts", "server cores",
        "cores/Gbit/s", "ingest cores", "setup s")
width = max(len(head[0]), *(len(r["label"]) for r in rows))
fmt = "{:<%d}  {:>9}  {:>8}  {:>8}  {:>7}  {:>9}  {:>12}  {:>12}  {:>12}  {:>7}" % width
print(fmt.format(*head))
for r in rows:
    gbps = r["mbit_per_s"] / 1000
    print(fmt.format(
        r["label"], f"{r['received']}/{r['asked']}", f"{r['mbit_per_s']:.1f}",
        f"{r['asked'] * kbps / 1000:.1f}", f"{r['min_stream']:.2f}", r["lost"],
        f"{r['server_cores']:.2f}", f"{r['server_cores'] / gbps:.2f}" if gbps > 0 else "-",
        f"{r['ingest_cores']:.2f}", f"{r['setup']:.1f}"))
print("slowest: Mbit/s of the slowest stream (over TCP a server that falls behind shows a lower "
      "rate, not loss); setup s: until every session played")
PY
