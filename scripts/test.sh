#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine with Rust installed: installs what the tests
# need (Debian packages through apt, the npm peers, the Python peers through pip; each step only
# when it is missing, and each says what it installs), then runs every test of the workspace and
# the reports in a real headless Chromium. Fails loudly when anything is missing rather than
# skipping it. `.ci/run` runs this after the formatting, lint and data checks.
#
# Usage: scripts/test.sh [extra arguments for `cargo test --workspace`]
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  if ! "$@" >/dev/null 2>&1; then
    echo "test.sh: required tool missing or broken: $*" >&2
    exit 1
  fi
}
need cargo --version

# Debian packages the tests need: Chromium for the browser test (playwright-core drives it; no
# browser download), Node.js to run playwright-core, and ffmpeg for the stream tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
# ffmpeg/ffprobe read and decode the simulated cameras' streams in the hil-rig tests.
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# iproute2's `ip netns` gives the WS-Discovery interop test a private network for its multicast.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# curl fetches a simulated camera's JPEG snapshot with HTTP Digest in the npm onvif test.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# GStreamer's rtsp-server, driven from Debian's python3 through GI, is the third-party camera in
# hil-rig/tests/gst_peer.rs and bench/simulate.sh; the script's --check names anything missing.
gst_peer=hil-rig/tests/peers/gst_rtsp_cameras.py
if ! /usr/bin/python3 "$gst_peer" --check >/dev/null 2>&1; then
  missing+=(python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
    gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly)
fi
# Graphviz's `dot` renders topology/<site>.svg in `camscope generate`; the topology test checks it.
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
# Python's venv module makes the throwaway environment for Frigate's config checker below.
/usr/bin/python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: installing needs root (apt-get); run as root or install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
need ffprobe -version
need ffmpeg -version
need curl --version
need chromium --version
need node --version
need npm --version
/usr/bin/python3 "$gst_peer" --check || { echo "test.sh: GStreamer rtsp-server via python3-gi is not usable" >&2; exit 1; }
echo "== npm ci (tests/browser: playwright-core; hil-rig/tests/npm: onvif)"
npm ci --prefix tests/browser --no-audit --no-fund >/dev/null
npm ci --prefix hil-rig/tests/npm --no-audit --no-fund >/dev/null
test -d tests/browser/node_modules/playwright-core || { echo "test.sh: playwright-core did not install" >&2; exit 1; }
test -d hil-rig/tests/npm/node_modules/onvif || { echo "test.sh: npm onvif did not install" >&2; exit 1; }

# onvif-zeep-async (the ONVIF library Home Assistant uses) drives the simulated camera.
echo "== pip install onvif-zeep-async"
need python3 --version
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore onvif-zeep-async==4.3.0
python3 -c "import onvif" || { echo "test.sh: onvif-zeep-async did not install" >&2; exit 1; }
# PyPI wsdiscovery probes the simulated fleet, inside a network namespace the test creates.
echo "== pip install WSDiscovery"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore WSDiscovery==2.1.2
python3 -c "import wsdiscovery" || { echo "test.sh: WSDiscovery did not install" >&2; exit 1; }
need ip netns list
need dot -V

# Frigate's own config model checks the exported Frigate files (tests/tests/frigate.rs): its
# pinned requirements go into a throwaway venv, never the system Python. The peer lives beside
# the repository (../shared/peers/frigate, read-only); Frigate reads its labelmap from /.
frigate_peer="${CAMSCOPE_FRIGATE_PEER:-$(cd .. && pwd)/shared/peers/frigate}"
frigate_venv="${CAMSCOPE_FRIGATE_VENV:-$HOME/.cache/frigate-venv}"
test -f "$frigate_peer/check_config.py" || { echo "test.sh: Frigate peer missing at $frigate_peer" >&2; exit 1; }
if ! "$frigate_venv/bin/python" -c "import pydantic, ruamel.yaml, cv2" >/dev/null 2>&1; then
  echo "== python venv for Frigate's config checker ($frigate_venv: $frigate_peer/requirements.txt)"
  python3 -m venv "$frigate_venv"
  "$frigate_venv/bin/pip" install -q --disable-pip-version-check -r "$frigate_peer/requirements.txt"
fi
"$frigate_venv/bin/python" -c "import pydantic, ruamel.yaml, cv2" || { echo "test.sh: Frigate's requirements did not install" >&2; exit 1; }
test -f /labelmap.txt || cp "$frigate_peer/src/labelmap.txt" /labelmap.txt
export CAMSCOPE_FRIGATE_PEER="$frigate_peer"
export CAMSCOPE_FRIGATE_PYTHON="$frigate_venv/bin/python"
need unshare -n true

echo "== cargo test --workspace"
cargo test --workspace "$@"

echo "== reports in headless Chromium"
cargo test -p camscope-tests --test reports -- --ignored --nocapture
