#!/usr/bin/env bash
# Prints the chain fixture's proposal (tests/fixtures/designs/chain.toml, with its generated
# BOM) to PDF through headless Chromium and writes its pages side by side as
# docs/images/chain-proposal-pages.png, the picture docs/reports.md shows.
# Needs chromium, pdftoppm (poppler-utils) and montage (imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in chromium pdftoppm montage; do
  command -v "$tool" >/dev/null || { echo "proposal-pages: $tool is missing" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet --release -p camscope-planner
bin=$PWD/target/release/camscope
cp tests/fixtures/designs/chain.toml "$work/chain.toml"
(
  cd "$work"
  "$bin" generate chain.toml --out out >/dev/null
  "$bin" report proposal chain.toml --bom out/bom.csv --out proposal.html --pdf
  pdftoppm -png -r 50 proposal.pdf page
  montage page-*.png -tile 5x -geometry +6+6 -background '#dddddd' pages.png
)
cp "$work/pages.png" docs/images/chain-proposal-pages.png
echo "wrote docs/images/chain-proposal-pages.png ($(ls "$work"/page-*.png | wc -l) pages)"
