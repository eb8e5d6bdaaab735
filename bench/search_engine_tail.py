"""The Logs pane's live tail of a cluster (`t`) while documents arrive at 2,000 per second, against a real
OpenSearch 2.19 (the node the tests start): documents lost, shown twice, and the lag from a document's
timestamp to the poll that showed it (median and 99th percentile).

A writer thread bulk-indexes 200 documents every 0.1 s, each stamped with the time it is sent and numbered;
the index refreshes every second (the engines' default). The tail polls every 2 s, as the pane does
(`widgets/logs/cluster.py`: TAIL_INTERVAL, TAIL_OVERLAP). Peer in the same run, over the same stream: a bare
httpx loop polling `@timestamp >= newest seen - 10 s` with the engine's maximum page (10,000 hits) and
de-duplicating by `_id`, the simplest tail one would write by hand.

Usage: python bench/search_engine_tail.py [--rate 2000] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mlops_tui.settings.base import Endpoint  # noqa: E402
from mlops_tui.sources.logs.cluster import ClusterQuery, Tail  # noqa: E402
from mlops_tui.sources.logs.search_engine import SearchEngineSource  # noqa: E402
from mlops_tui.widgets.logs.cluster import TAIL_INTERVAL, TAIL_OVERLAP  # noqa: E402
from search_engine.engine import OPENSEARCH, start_engine  # noqa: E402

INDEX = "bench-tail"


def make_index(client: httpx.Client) -> None:
    client.delete(f"/{INDEX}")
    client.put(f"/{INDEX}", json={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        "mappings": {"properties": {"@timestamp": {"type": "date"}, "seq": {"type": "long"},
                                    "message": {"type": "text"}}}}).raise_for_status()


def write(url: str, rate: int, seconds: float, written: list[int]) -> None:
    """`rate` documents a second for `seconds`, in bulks every 0.1 s, each stamped as it is sent."""
    per_bulk = max(1, rate // 10)
    header = json.dumps({"index": {"_index": INDEX}})
    with httpx.Client(base_url=url, timeout=60) as client:
        start = time.monotonic()
        seq = 0
        while time.monotonic() - start < seconds:
            stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
            lines = []
            for _ in range(per_bulk):
                lines += [header, json.dumps({"@timestamp": stamp, "seq": seq, "message": f"request {seq} served"})]
                seq += 1
            answer = client.post("/_bulk", content="\n".join(lines) + "\n",
                                 headers={"Content-Type": "application/x-ndjson"})
            answer.raise_for_status()
            written.append(seq)
            next_at = start + len(written) * 0.1
            time.sleep(max(0.0, next_at - time.monotonic()))


def run(url: str, rate: int, seconds: float, poll) -> dict:
    """Write for `seconds` while `poll()` (-> [(seq, timestamp)]) runs every TAIL_INTERVAL; then 15 s more."""
    with httpx.Client(base_url=url, timeout=60) as client:
        make_index(client)
    written: list[int] = []
    writer = threading.Thread(target=write, args=(url, rate, seconds, written))
    writer.start()
    seen: dict[int, int] = {}
    lags: list[float] = []
    ends = time.monotonic() + seconds + 15
    while time.monotonic() < ends:
        started = time.monotonic()
        for seq, stamp in poll():
            seen[seq] = seen.get(seq, 0) + 1
            lags.append((datetime.now(UTC) - stamp).total_seconds())
        if not writer.is_alive() and written and len(seen) >= written[-1]:
            break
        time.sleep(max(0.0, TAIL_INTERVAL - (time.monotonic() - started)))
    writer.join()
    total = written[-1] if written else 0
    return {"written": total, "lost": total - len(seen), "twice": sum(1 for n in seen.values() if n > 1),
            "p50": statistics.median(lags) if lags else float("nan"),
            "p99": statistics.quantiles(lags, n=100)[98] if len(lags) > 100 else float("nan")}


def ours(url: str):
    source = SearchEngineSource(Endpoint(name="bench", url=url, timeout=60.0), INDEX)
    tail = Tail(source, ClusterQuery(), overlap=TAIL_OVERLAP)

    def poll():
        return [(int(r.fields["seq"]), r.timestamp) for r in tail.poll()]

    return poll


def bare(url: str):
    client = httpx.Client(base_url=url, timeout=60)
    state = {"newest": datetime.now(UTC) - TAIL_OVERLAP, "seen": set()}

    def poll():
        since = (state["newest"] - TAIL_OVERLAP).isoformat(timespec="milliseconds")
        body = {"size": 10_000, "sort": [{"@timestamp": "asc"}],
                "query": {"range": {"@timestamp": {"gte": since}}}}
        hits = client.post(f"/{INDEX}/_search", json=body).json()["hits"]["hits"]
        fresh = []
        for hit in hits:
            if hit["_id"] in state["seen"]:
                continue
            state["seen"].add(hit["_id"])
            stamp = datetime.fromisoformat(hit["_source"]["@timestamp"].replace("Z", "+00:00"))
            state["newest"] = max(state["newest"], stamp)
            fresh.append((hit["_source"]["seq"], stamp))
        return fresh

    return poll


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        engine = start_engine(OPENSEARCH, Path(home))
        try:
            for name, make in (("mlops-tui tail", ours), ("bare httpx poll", bare)):
                result = run(engine.url, args.rate, args.seconds, make(engine.url))
                print(f"{name}: {result['written']:,} documents at {args.rate:,}/s over {args.seconds:g} s: "
                      f"lost {result['lost']:,}, shown twice {result['twice']:,}; lag from timestamp to screen "
                      f"median {result['p50']:.2f} s, p99 {result['p99']:.2f} s (polling every {TAIL_INTERVAL:g} s)")
        finally:
            engine.stop()


if __name__ == "__main__":
    main()
