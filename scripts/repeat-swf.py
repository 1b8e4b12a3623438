#!/usr/bin/env python3
"""Repeat an SWF trace end to end N times (for scaling benchmarks).

Usage: scripts/repeat-swf.py TRACE[.gz] N > OUT.swf

Copy k's submit times are shifted by k × (last submit − first submit + 1) and its job
numbers by k × (largest job number); header lines are kept once.
"""
import gzip
import sys


def main() -> None:
    path, n = sys.argv[1], int(sys.argv[2])
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    header, jobs = [], []
    with opener(path, "rt") as f:
        for line in f:
            if line.lstrip().startswith(";"):
                header.append(line.rstrip("\n"))
            elif line.strip():
                jobs.append(line.split())
    submits = [float(j[1]) for j in jobs if float(j[1]) >= 0]
    span = max(submits) - min(submits) + 1
    max_id = max(int(float(j[0])) for j in jobs)
    out = sys.stdout
    for h in header:
        out.write(h + "\n")
    for k in range(n):
        for j in jobs:
            f = list(j)
            f[0] = str(int(float(f[0])) + k * max_id)
            if float(f[1]) >= 0:
                f[1] = f"{float(f[1]) + k * span:.0f}" if float(f[1]).is_integer() else str(float(f[1]) + k * span)
            out.write(" ".join(f) + "\n")


if __name__ == "__main__":
    main()
