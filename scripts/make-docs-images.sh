#!/usr/bin/env bash
# Regenerates the README's pictures in docs/: charts of the default scenario and of a
# comparison of four policies on the KTH SP2 trace (needs ../shared/traces/).
set -euo pipefail
cd "$(dirname "$0")/.."
trace=../shared/traces/KTH-SP2-1996-2.1-cln.swf.gz
[ -f "$trace" ] || { echo "make-docs-images: $trace not found" >&2; exit 1; }
out=$(mktemp -d)
cargo build --release --quiet
target/release/schedsim run --out "$out/default" > /dev/null
target/release/schedsim compare --trace "$trace" --policies fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative --out "$out/kth" > /dev/null
mkdir -p docs
cp "$out/default/charts/utilisation.png" docs/default-utilisation.png
cp "$out/default/charts/wait_cdf.png" docs/default-wait-cdf.png
cp "$out/kth/charts/wait_by_class.png" docs/compare-waits.png
cp "$out/kth/charts/wait_cdf_all.png" docs/compare-wait-cdf.png
rm -rf "$out"
echo "make-docs-images: wrote docs/default-utilisation.png, docs/default-wait-cdf.png, docs/compare-waits.png, docs/compare-wait-cdf.png"
