#!/usr/bin/env bash
# `camscope check` on a large BOM beside what an analyst would use instead, in the same run:
# a 100,000-line XLSX (7 columns, every cell filled, a realistic mix of makers and countries)
# checked to CSV and to XLSX, against a pandas `read_excel(engine="calamine")` script that does a
# substring test against a name list and writes CSV, and a bare python-calamine read of the sheet
# into Python lists. Then a 1,000,000-line CSV checked to CSV, to show whether memory grows with
# the line count. Wall time is the median of RUNS runs; peak memory is the largest resident set
# (GNU time's %M). Prints one table and the ratios the issue asks about.
# Usage: bench/check.sh [LINES=100000] [RUNS=3] [BIG_CSV_LINES=1000000]
# Needs python3 with venv; installs python-calamine, pandas and xlsxwriter into a cache venv.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-100000}
runs=${2:-3}
big=${3:-1000000}
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 1; }
venv=${CAMSCOPE_BENCH_VENV:-$HOME/.cache/camscope-bench-venv}
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv (python-calamine, pandas, xlsxwriter)" >&2
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import python_calamine, pandas, xlsxwriter' 2>/dev/null ||
  "$venv/bin/pip" install --quiet python-calamine pandas xlsxwriter
py="$venv/bin/python"
cargo build --quiet --release -p camscope-planner --bin camscope
release=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release
camscope="$release/camscope"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The BOMs: the same rows in XLSX and CSV, seeded so every run checks the same lines.
"$py" - "$dir" "$lines" "$big" <<'PY'
import csv, random, sys, xlsxwriter
out, lines, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(889)
makers = [
    ("Axis", "P3265-LVE", "dome camera", "Sweden"), ("Hanwha Vision", "XNV-8080R", "bullet camera", "Korea (South)"),
    ("Bosch", "NDE-5503-AL", "dome camera", "Portugal"), ("Hikvision", "DS-2CD2143G2-I", "4MP dome", "China"),
    ("Dahua", "IPC-HFW2431S", "bullet", "China"), ("Cisco", "C9300-48P", "PoE switch", "Mexico"),
    ("Seagate", "ST8000VE001", "8TB surveillance drive", "Thailand"), ("Western Digital", "WD84PURZ", "8TB drive", "Malaysia"),
    ("Northwind Optronics", "NW-4410", "4MP dome", "Taiwan"), ("LeChange", "LC-C6", "pan/tilt camera", "China"),
    ("Ubiquiti", "UVC-G4-PRO", "camera", "China"), ("Dell", "PowerEdge R660", "recording server", "USA"),
    ("", "", "Pole mount bracket", "Taiwan"), ("Milestone", "XPCOE", "VMS licence", "Denmark"),
]
header = ["Manufacturer", "Model", "Part Number", "Description", "Country of Origin", "Qty", "Unit Price"]
def row(i):
    m, model, desc, coo = rng.choice(makers)
    return [m, model, f"{model}-{i % 97:02d}" if model else f"BRK-{i % 13}", desc, coo, rng.randint(1, 40), round(rng.uniform(5, 4000), 2)]
book = xlsxwriter.Workbook(f"{out}/bom.xlsx", {"constant_memory": True})
sheet = book.add_worksheet("BOM")
sheet.write_row(0, 0, header)
rows = [row(i) for i in range(lines)]
for i, r in enumerate(rows):
    sheet.write_row(i + 1, 0, r)
book.close()
with open(f"{out}/big.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(big):
        w.writerow(row(i))
PY

cat >"$dir/pandas_check.py" <<'PY'
# What an analyst writes: read the sheet with pandas + calamine, flag makers against a name list,
# write CSV.
import sys, pandas as pd
names = ["hikvision", "dahua", "huawei", "zte", "hytera", "ezviz", "lorex", "imou", "lechange"]
df = pd.read_excel(sys.argv[1], engine="calamine")
maker = df["Manufacturer"].fillna("").astype(str).str.lower()
df["flag"] = maker.apply(lambda m: any(n in m for n in names))
df.to_csv(sys.argv[2], index=False)
PY
cat >"$dir/bare_read.py" <<'PY'
# The floor: python-calamine reading the sheet into Python lists, nothing else.
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
print(len(rows), file=sys.stderr)
PY

# measure NAME CMD… → "NAME median_wall_s max_rss_mib"; check exits 1 on findings, which is fine.
measure() {
  local name=$1
  shift
  local walls=() peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || {
      code=$?
      # camscope check exits 1 when lines are at deny level; anything else is a failure.
      if [ "$code" -ne 1 ]; then cat "$dir/err" >&2; exit 1; fi
    }
    # GNU time puts "Command exited with non-zero status 1" before the figures.
    read -r wall rss < <(tail -n 1 "$dir/time")
    walls+=("$wall")
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name $median $((peak / 1024))"
}

results="$dir/results"
{
  measure check-csv "$camscope" check "$dir/bom.xlsx" --format csv --out "$dir/out.csv"
  measure check-xlsx "$camscope" check "$dir/bom.xlsx" --format xlsx --out "$dir/out.xlsx"
  measure pandas-calamine "$py" "$dir/pandas_check.py" "$dir/bom.xlsx" "$dir/pandas.csv"
  measure calamine-read "$py" "$dir/bare_read.py" "$dir/bom.xlsx"
  measure check-csv-1M "$camscope" check "$dir/big.csv" --format csv --out "$dir/big-out.csv"
} >"$results"

python3 - "$results" "$lines" "$big" "$(nproc)" "$(uptime | sed 's/.*load average: //')" <<'PY'
import sys
rows = {n: (float(w), int(m)) for n, w, m in (l.split() for l in open(sys.argv[1]))}
lines, big, cores, load = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
print(f"camscope check on {int(lines):,} XLSX lines and {int(big):,} CSV lines ({cores} cores, load {load})")
print(f"{'command':<22}{'wall s':>9}{'peak MiB':>10}")
for n, (w, m) in rows.items():
    print(f"{n:<22}{w:>9.2f}{m:>10}")
c, p, b = rows["check-csv"], rows["pandas-calamine"], rows["calamine-read"]
print()
print(f"check to CSV / bare calamine read: {c[0] / b[0]:.2f}x time (target <= 1.5), {c[1] / b[1]:.2f}x memory (target <= 2)")
print(f"check to CSV / pandas + calamine:  {c[0] / p[0]:.2f}x time (target <= 0.5)")
print(f"check to XLSX / check to CSV:      {rows['check-xlsx'][0] / c[0]:.2f}x time, {rows['check-xlsx'][1] / c[1]:.2f}x memory")
print(f"1M-line CSV peak memory: {rows['check-csv-1M'][1]} MiB (target < 300)")
PY
