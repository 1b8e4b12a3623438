#!/usr/bin/env python3
"""Prints the figures the README gives for the default scenario, from a run folder.

    cargo run --release -- run --out results/default
    python3 scripts/default-figures.py results/default

Batch jobs (submitted after the two-day warm-up): how many, the share within one 32-core
node and within 4 cores, and the share of core-hours in jobs of more than one node. The
interactive pool (8 nodes of 32 cores): the mean share of its cores busy in weekday working
hours (9:00 to 18:00, Monday to Friday; time 0 is a Monday 00:00), in the busiest hour of the
week, at most, and over the whole measured run.
"""
import csv
import statistics
import sys

run = sys.argv[1] if len(sys.argv) > 1 else "results/default"
warmup, pool_cores, node_cores = 2 * 86400, 8 * 32, 32

jobs = [r for r in csv.DictReader(open(f"{run}/jobs.csv", encoding="utf-8-sig"))
        if r["class"] == "batch" and float(r["submit"]) >= warmup]
work = lambda keep: sum(int(r["procs"]) * float(r["runtime"] or 0) for r in jobs if keep(r))
print(f"batch jobs {len(jobs)}")
print(f"within one node {sum(int(r['procs']) <= node_cores for r in jobs) / len(jobs):.1%}")
print(f"at most 4 cores {sum(int(r['procs']) <= 4 for r in jobs) / len(jobs):.1%}")
print(f"core-hours in multi-node jobs {work(lambda r: int(r['procs']) > node_cores) / work(lambda r: True):.1%}")

by_hour = [[] for _ in range(168)]
busy = []
for r in csv.DictReader(open(f"{run}/timeseries.csv", encoding="utf-8-sig")):
    t = float(r["time"])
    if t < warmup:
        continue
    share = float(r["busy_cores_interactive"]) / pool_cores
    by_hour[int(t // 3600) % 168].append(share)
    busy.append(share)
working = [x for d in range(5) for h in range(9, 18) for x in by_hour[d * 24 + h]]
print(f"interactive pool busy: weekday working hours {statistics.mean(working):.1%}, "
      f"busiest hour {max(statistics.mean(b) for b in by_hour if b):.1%}, "
      f"at most {max(busy):.1%}, whole run {statistics.mean(busy):.1%}")
