#!/usr/bin/env bash
# How many cameras `camscope rig validate` proves at full load on one machine, with the simulator
# on the same machine: N cameras of a generated manifest (1080p25 H.264 at the given bitrate)
# served by `camscope rig simulate --manifest` and validated over RTSP/TCP for the window.
# Reports the verdict, what arrived, lost packets, the rig's CPU per stream, and, for
# comparison, the naive alternative: one `ffprobe` process per stream, measured on a smaller
# count (ffprobe processes cost memory and CPU that do not fit hundreds on this machine).
# Usage: bench/validate.sh [CAMERAS=500] [SECONDS=20] [BITRATE_KBPS=4096] [FFPROBE_STREAMS=16] [TRANSPORT=tcp]
# (TRANSPORT udp validates over RTP/UDP; the ffprobe comparison uses the same transport.)
set -euo pipefail
cd "$(dirname "$0")/.."
cameras=${1:-500}
seconds=${2:-20}
kbps=${3:-4096}
probes=${4:-16}
transport=${5:-tcp}
command -v ffprobe >/dev/null || { echo "ffprobe is missing: apt-get install ffmpeg" >&2; exit 1; }
cargo build --quiet --release -p camscope-planner --bin camscope
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; [ -n "${CAMSCOPE_BENCH_KEEP:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"' EXIT
export CAMSCOPE_CAMERA_USER=admin
export CAMSCOPE_CAMERA_PASSWORD="bench-$$-$RANDOM"
# A manifest of N identical cameras: written directly, in the shape `camscope generate` emits,
# so the camera count and bitrate are exactly what is asked for.
python3 - "$cameras" "$kbps" >"$dir/manifest.json" <<'PY'
import json, sys
n, kbps = int(sys.argv[1]), int(sys.argv[2])
per_recorder = 64
recorders, cameras = [], []
for r in range((n + per_recorder - 1) // per_recorder):
    rid = f"bench/server-{r + 1}"
    ids = [f"bench/cam-{i + 1}" for i in range(r * per_recorder, min(n, (r + 1) * per_recorder))]
    recorders.append({"id": rid, "site": "bench", "kind": "recording-server", "role": "primary",
        "model_id": "bench-recorder", "model": "bench recorder", "address": "127.0.0.1",
        "camera_limit": per_recorder, "ingest_limit_bps": 400_000_000,
        "ingest_bps": kbps * 1000 * len(ids), "poe_used_mw": 0, "poe_budget_mw": 0,
        "volume": {"id": f"{rid}/vol-1", "layout": "bench", "drives": 1,
                   "drive_size_bytes": 10**15, "usable_bytes": 10**15, "needed_bytes": 0},
        "cameras": ids})
    for port, cid in enumerate(ids, 1):
        cameras.append({"id": cid, "site": "bench", "group": "bench", "address": "127.0.0.1",
            "main_stream_path": f"/{cid}/main",
            "encoder": {"codec": "h264", "width": 1920, "height": 1080, "resolution": "1080p",
                        "fps": 25.0, "bitrate_cap_kbps": kbps, "gop": 50, "profile": "main"},
            "audio": False, "ingest_bps": kbps * 1000,
            "recording": {"mode": "continuous", "hours_per_day": 24.0,
                          "recorded_seconds_per_day": 86400},
            "retention_days": 30, "recorder": rid, "volume": f"{rid}/vol-1",
            "switch": rid, "port": port, "poe_mw": 0})
print(json.dumps({"schema": "camscope-manifest/1", "generated_by": "bench/validate.sh",
    "project": "bench", "option": "vms", "recommended": "vms",
    "credentials": {"username_env": "CAMSCOPE_CAMERA_USER", "password_env": "CAMSCOPE_CAMERA_PASSWORD"},
    "sites": [{"id": "bench", "name": "bench", "site": "bench", "copy": 1, "subnet": "127.0.0.0/8"}],
    "recorders": recorders, "cameras": cameras,
    "network": {"switches": [], "links": [], "clients": []}, "violations": [], "fits": True}))
PY
target/release/camscope rig simulate --manifest "$dir/manifest.json" --endpoints "$dir/e.json" \
  --duration $((seconds * 3 + 120)) >"$dir/sim.log" 2>&1 &
sim=$!
for _ in $(seq 600); do [ -f "$dir/e.json" ] && break; sleep 0.1; done
[ -f "$dir/e.json" ] || { echo "the simulator did not start:"; cat "$dir/sim.log"; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks "$sim")
set +e
/usr/bin/time -f "%U %S %M" -o "$dir/rig.time" target/release/camscope rig validate "$dir/manifest.json" \
  --endpoints "$dir/e.json" --duration "${seconds}s" --transport "$transport" --progress none --out "$dir/results.json" >"$dir/rig.out" 2>"$dir/rig.err"
status=$?
set -e
after=$(ticks "$sim")
[ -f "$dir/results.json" ] || { echo "rig validate wrote no results (exit $status):"; cat "$dir/rig.err"; exit 1; }
# The naive alternative: one ffprobe per stream, each reading the same window. ffprobe takes
# credentials only inside the URL, which would put the password on a command line, so it reads
# a second simulator that serves the same cameras without RTSP authentication.
kill "$sim" 2>/dev/null || true
wait "$sim" 2>/dev/null || true
target/release/camscope rig simulate --manifest "$dir/manifest.json" --rtsp-auth none \
  --endpoints "$dir/e2.json" --duration $((seconds * 2 + 60)) >"$dir/sim2.log" 2>&1 &
sim=$!
for _ in $(seq 600); do [ -f "$dir/e2.json" ] && break; sleep 0.1; done
[ -f "$dir/e2.json" ] || { echo "the second simulator did not start:"; cat "$dir/sim2.log"; exit 1; }
python3 - "$dir/e2.json" "$probes" >"$dir/urls.txt" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1]))[: int(sys.argv[2])]:
    print(e["rtsp"])
PY
start=$(date +%s.%N)
pids=()
while read -r url; do
  /usr/bin/time -f "%U %S %M" -o "$dir/probe.$BASHPID.$RANDOM.time" \
    ffprobe -v error -rtsp_transport "$transport" -read_intervals "%+${seconds}" -count_packets \
      -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 \
      "$url" >/dev/null 2>&1 &
  pids+=($!)
done <"$dir/urls.txt"
for p in "${pids[@]}"; do wait "$p" || true; done
end=$(date +%s.%N)
python3 - "$dir/results.json" "$dir/rig.time" "$before" "$after" "$hz" "$status" "$dir" "$start" "$end" "$probes" <<'PY'
import glob, json, sys
r = json.load(open(sys.argv[1]))
# GNU time puts "Command exited with non-zero status N" above its figures when the rig fails.
user, system, rss_kb = open(sys.argv[2]).read().split("\n")[-2].split()
before, after, hz, status = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
secs = r["duration_s"]
s = r["summary"]
rig_cpu = (float(user) + float(system)) / secs
sim_cpu = (after - before) / hz / secs
print(f"rig validate: exit {status}, verdict {r['verdict']}: {s['passed']}/{s['cameras']} cameras passed, "
      f"{s['streaming']} streaming, {s['measured_bps'] / 1e6:.1f} of {s['planned_bps'] / 1e6:.1f} Mbit/s, "
      f"{s['lost_packets']} packets lost ({s.get('host_dropped_packets', 0)} by this host's kernel), "
      f"{s['reconnects']} reconnects, {s.get('outages', 0)} outages over {secs:.0f} s, transport {r['transport']}")
print(f"rig CPU {rig_cpu:.2f} cores = {rig_cpu / max(s['cameras'], 1) * 100:.3f}% of a core per stream; "
      f"peak RSS {int(rss_kb) / 1024:.0f} MiB; simulator CPU {sim_cpu:.2f} cores")
times = [open(f).read().strip().split("\n")[-1].split() for f in glob.glob(sys.argv[7] + "/probe.*.time")]
n = len(times)
if n:
    cpu = sum(float(u) + float(s_) for u, s_, _ in times)
    wall = float(sys.argv[9]) - float(sys.argv[8])
    rss = sum(int(m) for _, _, m in times) / 1024
    print(f"naive: {n} ffprobe processes over {wall:.1f} s: {cpu / wall:.2f} cores = "
          f"{cpu / wall / n * 100:.3f}% of a core per stream, {rss:.0f} MiB resident in total")
for reason in r["reasons"][:5]:
    print(f"  {reason['severity']} [{reason['code']}] {reason['message']}")
PY
