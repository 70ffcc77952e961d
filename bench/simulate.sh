#!/usr/bin/env bash
# How many cameras one `camscope rig simulate` process serves at full load: N standard cameras
# (1080p, 25 fps, the given bitrate, H.264) pulled at once over RTSP/TCP by a retina ingest on
# the same machine. Reports what arrived, lost packets, and each process's CPU.
# Usage: bench/simulate.sh [CAMERAS=500] [SECONDS=20] [BITRATE=4Mbps]
set -euo pipefail
cd "$(dirname "$0")/.."
cameras=${1:-500}
seconds=${2:-20}
bitrate=${3:-4Mbps}
cargo build --quiet --release -p camscope-planner --bin camscope
cargo build --quiet --release -p camscope-hil-rig --example ingest
# Every camera holds an ONVIF listener and an RTSP connection: more than the default 1024 files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$dir"' EXIT
export CAMSCOPE_CAMERA_PASSWORD="bench-$$-$RANDOM"
target/release/camscope rig simulate --cameras "$cameras" --bitrate "$bitrate" \
  --endpoints "$dir/e.json" --duration $((seconds + 60)) >"$dir/sim.log" 2>&1 &
sim=$!
for _ in $(seq 300); do [ -f "$dir/e.json" ] && break; sleep 0.1; done
[ -f "$dir/e.json" ] || { echo "the simulator did not start:"; cat "$dir/sim.log"; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks "$sim")
/usr/bin/time -f "%U %S" -o "$dir/ingest.time" target/release/examples/ingest "$dir/e.json" "$seconds" >"$dir/ingest.json"
after=$(ticks "$sim")
python3 - "$dir/ingest.json" "$dir/ingest.time" "$before" "$after" "$hz" "$cameras" "$bitrate" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split())
before, after, hz = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
secs = r["seconds"]
sim_cpu = (after - before) / hz / secs
ingest_cpu = (user + system) / secs
gbps = r["mbit_per_s"] / 1000
print(f"cameras {sys.argv[6]} x {sys.argv[7]}: {r['streams'] - r['streams_failed']}/{r['streams']} streams, "
      f"{r['mbit_per_s']:.1f} Mbit/s received over {secs:.1f} s, {r['lost_packets']} packets lost")
print(f"simulator CPU {sim_cpu:.2f} cores ({sim_cpu / gbps:.2f} cores per Gbit/s); "
      f"retina ingest CPU {ingest_cpu:.2f} cores")
PY
