#!/usr/bin/env bash
# Regenerates the README's pictures in docs/: charts of the default scenario, of a
# comparison of four policies on the KTH SP2 trace (needs ../shared/traces/), of a sweep of the
# default scenario's interactive pool under two backfill policies (100 runs, a few minutes:
# conservative backfilling is the slow part) and of a pool-sizing search.
set -euo pipefail
cd "$(dirname "$0")/.."
trace=../shared/traces/KTH-SP2-1996-2.1-cln.swf.gz
[ -f "$trace" ] || { echo "make-docs-images: $trace not found" >&2; exit 1; }
out=$(mktemp -d)
cargo build --release --quiet
target/release/schedsim run --out "$out/default" > /dev/null
target/release/schedsim compare --trace "$trace" --policies fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative --out "$out/kth" > /dev/null
target/release/schedsim sweep --move-nodes 'cpu:inter=4..=12:2' --set policy.backfill=easy,conservative \
    --replications 10 --out "$out/pool" > /dev/null
target/release/schedsim size-pool --move-nodes cpu:inter --target 'interactive.within_target>=0.95' --out "$out/size" > /dev/null
mkdir -p docs
cp "$out/default/charts/utilisation.png" docs/default-utilisation.png
cp "$out/default/charts/wait_cdf.png" docs/default-wait-cdf.png
cp "$out/default/charts/job_sizes.png" docs/default-job-sizes.png
cp "$out/kth/charts/wait_by_class.png" docs/compare-waits.png
cp "$out/kth/charts/wait_cdf_all.png" docs/compare-wait-cdf.png
cp "$out/pool/charts/sweep_within_target_interactive.png" docs/sweep-pool-interactive-within-target.png
cp "$out/pool/charts/sweep_mean_wait_batch.png" docs/sweep-pool-batch-mean-wait.png
cp "$out/pool/sweep.csv" docs/sweep-pool.csv
cp "$out/size/charts/size_pool_target.png" docs/size-pool-target.png
cp "$out/size/charts/size_pool_cost.png" docs/size-pool-cost.png
rm -rf "$out"
echo "make-docs-images: wrote docs/default-*.png (utilisation, wait-cdf, job-sizes), docs/compare-*.png, docs/sweep-pool-*.png, docs/sweep-pool.csv, docs/size-pool-*.png"
