"""Memory held by remote series for 100 hosts x 10 series x 5,760 points (24 h at 15 s).

Each host's answer is built in Prometheus's /api/v1/query_range JSON shape, decoded with json.loads and
parsed by the Prometheus source's own parser into Series (compact float arrays), one host at a time as
the Remote tab fetches them; only the Series are kept. No server is involved: seeding 5.76 M samples
into a Prometheus on this 2-core machine would dominate the run. For scale, the same points kept as the
decoded JSON lists are measured for 5 hosts in the same run.

Usage: python bench/remote_memory.py [--hosts 100]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlops_tui.sources.metrics.remote.prometheus import _parse_result  # noqa: E402

SERIES_PER_HOST, POINTS, STEP = 10, 5760, 15


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def answer(host: int, end: int) -> str:
    """One host's query_range answer: 10 series of 5,760 [time, "value"] pairs."""
    start = end - STEP * (POINTS - 1)
    result = [{"metric": {"__name__": f"node_metric_{k}", "instance": f"host-{host:03d}:9100", "job": "node"},
               "values": [[start + STEP * i, f"{(host * 7 + k * 13 + i) % 1000 / 10:.1f}"] for i in range(POINTS)]}
              for k in range(SERIES_PER_HOST)]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=100)
    args = parser.parse_args()
    end = 1_800_000_000
    payloads = [answer(h, end) for h in range(3)]  # reused round-robin; the parsed Series are all distinct
    started = time.perf_counter()
    for host in range(10):  # timed without tracemalloc, which slows allocation down
        _parse_result(json.loads(payloads[host % 3])["data"])
    per_host = (time.perf_counter() - started) / 10
    gc.collect()
    rss_before = rss()
    tracemalloc.start()
    kept = []
    for host in range(args.hosts):
        kept.append(_parse_result(json.loads(payloads[host % 3])["data"]))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    rss_after = rss()
    points = sum(len(s) for series in kept for s in series)
    assert points == args.hosts * SERIES_PER_HOST * POINTS
    print(f"{args.hosts} hosts x {SERIES_PER_HOST} series x {POINTS:,} points = {points:,} points")
    print(f"  kept as Series (float arrays): {current / 2**20:7.1f} MiB traced, "
          f"{current / points:.1f} B/point; peak while parsing {peak / 2**20:.1f} MiB")
    print(f"  process RSS grew by {(rss_after - rss_before) / 2**20:.1f} MiB; "
          f"JSON decode + parse {per_host * 1000:.0f} ms per host ({SERIES_PER_HOST * POINTS:,} points)")
    del kept
    gc.collect()
    sample = 5
    tracemalloc.start()
    naive = [json.loads(payloads[h % 3])["data"]["result"] for h in range(sample)]
    naive_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_point = naive_bytes / (sample * SERIES_PER_HOST * POINTS)
    print(f"  same points kept as decoded JSON lists: {per_point:.1f} B/point "
          f"(measured on {sample} hosts) -> {per_point * points / 2**20:.0f} MiB for {args.hosts} hosts; "
          f"ratio {per_point / (current / points):.1f}x")
    del naive


if __name__ == "__main__":
    main()
