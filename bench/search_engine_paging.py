"""The Logs pane's cluster search against a real OpenSearch 2.19 (the node the tests start): two figures.

1. First page beyond the engine's `took`: a ResultWindow opened as the pane opens it on Enter (point in
   time + first page of 100 with the exact total, records built), wall time minus the `took` the engine
   reports, median of N runs. Peer in the same run: one bare httpx POST /_search of the same body (no
   point in time, JSON decoded, no records built), wall minus took. Goal: ours < 50 ms.
2. RSS growth while paging through every hit (200,000 by default) with the window's bounded page cache.
   Peer in the same run: the same hits kept in a list (what a pager without a bound holds). Goal: < 50 MB.

The seed (synthetic ECS documents, 3 shards) is bulk-indexed first; that time is not measured.
Timed on a shared 2-core machine: say "under load" with the figures.

Usage: python bench/search_engine_paging.py [--docs 200000] [--runs 21] [--engine opensearch|elasticsearch]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mlops_tui.settings.base import Endpoint  # noqa: E402
from mlops_tui.sources.logs.cluster import ClusterQuery, ResultWindow, TIME_STEPS  # noqa: E402
from mlops_tui.sources.logs.search_engine import SearchEngineSource, build_search  # noqa: E402
from search_engine.engine import ELASTICSEARCH, OPENSEARCH, start_engine  # noqa: E402

INDEX = "bench-logs"
ALL = len(TIME_STEPS) - 1


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def seed(client: httpx.Client, docs: int) -> None:
    client.put(f"/{INDEX}", json={
        "settings": {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "-1"},
        "mappings": {"properties": {"@timestamp": {"type": "date"}, "message": {"type": "text"},
                                    "log": {"properties": {"level": {"type": "keyword"}}},
                                    "service": {"properties": {"name": {"type": "keyword"}}},
                                    "host": {"properties": {"name": {"type": "keyword"}}}}}}).raise_for_status()
    rng = random.Random(7)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    header = json.dumps({"index": {"_index": INDEX}})
    for first in range(0, docs, 5_000):
        lines = []
        for n in range(first, min(docs, first + 5_000)):
            stamp = start + timedelta(milliseconds=n * 37)
            lines.append(header)
            lines.append(json.dumps({
                "@timestamp": stamp.isoformat(timespec="milliseconds"),
                "log": {"level": rng.choice(("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"))},
                "service": {"name": rng.choice(("api", "checkout", "trainer", "model-server"))},
                "host": {"name": f"host-{rng.randrange(20):02d}"},
                "message": f"request {n} served in {rng.randrange(2, 900)} ms path=/api/v1/{rng.choice('abcde')}",
            }))
        answer = client.post("/_bulk", content="\n".join(lines) + "\n",
                             headers={"Content-Type": "application/x-ndjson"}, timeout=300)
        answer.raise_for_status()
        assert not answer.json()["errors"], "bulk errors"
    client.post(f"/{INDEX}/_refresh", timeout=300).raise_for_status()
    client.post(f"/{INDEX}/_forcemerge", params={"max_num_segments": 1}, timeout=600)


def first_page(source: SearchEngineSource, client: httpx.Client, runs: int) -> tuple[list[float], list[float], int]:
    ours, peer = [], []
    query = ClusterQuery("log.level: ERROR or service.name: checkout", step=ALL)
    body = build_search(source.engine(), query.text, size=100)
    total = 0
    for run in range(runs + 2):
        started = time.perf_counter()
        window = ResultWindow(source, query).open()
        wall = time.perf_counter() - started
        window.close()
        total = window.total
        started = time.perf_counter()
        answer = client.post(f"/{INDEX}/_search", json=body).json()
        bare = time.perf_counter() - started
        if run >= 2:  # the first two warm the caches
            ours.append(wall * 1000 - window.took_ms)
            peer.append(bare * 1000 - answer["took"])
    return ours, peer, total


def paging_growth(source: SearchEngineSource, keep_all: bool) -> tuple[int, int]:
    """(RSS growth in bytes, hits read) paging through every hit, bounded window or every record kept."""
    gc.collect()
    before = rss()
    window = ResultWindow(source, ClusterQuery("", step=ALL), page_size=500, max_pages=8).open()
    kept = []
    peak = before
    try:
        for row in range(0, window.total, window.page_size):
            window.load(row)
            if keep_all:
                kept.extend(window.record(r) for r in range(row, min(window.total, row + window.page_size)))
            peak = max(peak, rss())
    finally:
        window.close()
    hits = window.total
    del kept
    return peak - before, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--engine", choices=("opensearch", "elasticsearch"), default="opensearch")
    args = parser.parse_args()
    kind = OPENSEARCH if args.engine == "opensearch" else ELASTICSEARCH
    with tempfile.TemporaryDirectory() as home:
        engine = start_engine(kind, Path(home))
        try:
            with httpx.Client(base_url=engine.url, timeout=120) as client:
                started = time.perf_counter()
                seed(client, args.docs)
                print(f"seeded {args.docs:,} documents in {time.perf_counter() - started:.0f} s ({args.engine})")
                source = SearchEngineSource(Endpoint(name="bench", url=engine.url, timeout=120.0), INDEX)
                ours, peer, total = first_page(source, client, args.runs)
                ours_median, peer_median = statistics.median(ours), statistics.median(peer)
                print(f"first page beyond took ({total:,} hits, exact total, point in time): median "
                      f"{ours_median:.1f} ms (goal < 50 ms); bare httpx search of the same body {peer_median:.1f} ms; "
                      f"ratio {ours_median / peer_median:.1f}x")
                bounded, hits = paging_growth(source, keep_all=False)
                unbounded, _ = paging_growth(source, keep_all=True)
                print(f"RSS growth paging {hits:,} hits: bounded window {bounded / 2**20:.1f} MB (goal < 50 MB); "
                      f"every hit kept {unbounded / 2**20:.1f} MB; ratio {unbounded / max(bounded, 1):.1f}x")
                source.close()
        finally:
            engine.stop()


if __name__ == "__main__":
    main()
