"""The pane's state on the data floor (sources/logs/cluster.py) against the real engines: a result window paged
forward, backward and by a far jump with a bounded number of pages in memory; the status; the tail picking up
documents indexed during the test (several shards, 1 s refresh, some with older timestamps): 0 lost, 0 repeated."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mlops_tui.settings.base import Endpoint
from mlops_tui.sources.base import SourceState
from mlops_tui.sources.logs.cluster import ClusterModel, ClusterQuery, ResultWindow, Tail
from mlops_tui.sources.logs.search_engine import Chip, SearchEngineError, SearchEngineSource
from support.ports import free_port

ALL = len(__import__("mlops_tui.sources.logs.cluster", fromlist=["TIME_STEPS"]).TIME_STEPS) - 1


@pytest.fixture(params=["opensearch", "opensearch3", "elasticsearch", "elasticsearch9"])
def cluster(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


@pytest.fixture
def source(cluster) -> Iterator[SearchEngineSource]:
    with SearchEngineSource(Endpoint(name="prod", url=cluster.url, timeout=60.0), cluster.pattern) as src:
        yield src


def open_contexts(cluster) -> int:
    with cluster.client() as client:
        nodes = client.get("/_nodes/stats/indices/search").json()["nodes"]
    return sum(node["indices"]["search"]["open_contexts"] for node in nodes.values())


def key(record) -> tuple[str, str]:
    return record.fields["_index"], record.fields["_id"]


def test_window_pages_forward_back_and_far_with_bounded_memory(cluster, source) -> None:
    query = ClusterQuery("service.name: checkout", step=ALL)
    expected = sum(1 for d in cluster.seed.documents if d["service"]["name"] == "checkout")
    window = ResultWindow(source, query, page_size=250, max_pages=4).open()
    try:
        assert window.total == expected > 5_000
        seen = []
        for row in range(window.total):
            if window.record(row) is None:
                window.load(row)
            seen.append(key(window.record(row)))
            assert window.pages_held <= 4
        assert len(seen) == len(set(seen)) == expected  # no duplicate, no gap
        window.load(0)  # back to the top: re-read, the same hits in the same order
        assert [key(window.record(r)) for r in range(250)] == seen[:250]

        far = ResultWindow(source, query, page_size=250, max_pages=4).open()
        try:  # straight to the last page: its start found from sort values only
            far.load(expected - 1)
            assert key(far.record(expected - 1)) == seen[-1]
            assert far.record(1_000) is None and far.pages_held == 2
        finally:
            far.close()
    finally:
        window.close()
    assert open_contexts(cluster) == 0


def test_window_with_chips_and_lucene(cluster, source) -> None:
    docs = cluster.seed.documents
    chips = (Chip("log.level", "ERROR", negated=True), Chip("host.name", "web-01"), Chip("host.name", "x", enabled=False))
    window = ResultWindow(source, ClusterQuery("", step=ALL, chips=chips)).open()
    window.close()
    assert window.total == sum(1 for d in docs if d["log"]["level"] != "ERROR" and d["host"]["name"] == "web-01")
    lucene = ResultWindow(source, ClusterQuery('log.level:WARN AND host.name:gw-*', "lucene", ALL)).open()
    lucene.close()
    assert lucene.total == sum(1 for d in docs if d["log"]["level"] == "WARN" and d["host"]["name"].startswith("gw-"))


def test_model_status_ok_query_error_then_stale(cluster, source) -> None:
    model = ClusterModel("prod")
    generation = model.begin(ClusterQuery("log.level: ERROR", step=ALL))
    assert model.finished(generation, ResultWindow(source, model.query).open())
    assert model.status().state is SourceState.OK and model.status().name == "logs.prod"
    total = model.window.total
    generation = model.begin(model.with_text("log.level:(ERROR"))
    with pytest.raises(SearchEngineError) as refused:
        ResultWindow(source, model.toggled_syntax()).open()
    assert model.failed(generation, refused.value)
    assert model.status().state is SourceState.OK and "refused the query" in model.error
    assert model.window.total == total  # last results kept
    gone = SearchEngineSource(Endpoint(name="prod", url=f"http://127.0.0.1:{free_port()}", retries=0), "logs-*")
    generation = model.begin(model.query)
    with pytest.raises(SearchEngineError) as unreachable:
        ResultWindow(gone, model.query).open()
    assert model.failed(generation, unreachable.value)
    assert model.status().state is SourceState.STALE and "cannot connect" in model.status().reason
    model.close()
    assert open_contexts(cluster) == 0


def test_stale_answer_is_dropped_and_its_point_in_time_closed(cluster, source) -> None:
    model = ClusterModel("prod")
    old = model.begin(ClusterQuery("", step=ALL))
    window = ResultWindow(source, model.query).open()
    model.begin(model.with_text("log.level: WARN"))
    assert not model.finished(old, window) and window.closed
    assert open_contexts(cluster) == 0


def test_tail_loses_nothing_and_repeats_nothing(cluster) -> None:
    index = f"tailtest-{uuid.uuid4().hex[:8]}"
    with cluster.client() as client:
        created = client.put(f"/{index}", json={
            "settings": {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "1s"},
            "mappings": {"properties": {"@timestamp": {"type": "date"}, "message": {"type": "text"},
                                        "log": {"properties": {"level": {"type": "keyword"}}}}}})
        assert created.status_code == 200, created.text
        try:
            source = SearchEngineSource(Endpoint(name="t", url=cluster.url, timeout=30.0), index)
            tail = Tail(source, ClusterQuery(""), overlap=timedelta(seconds=8))
            written: list[str] = []
            stop = threading.Event()

            def writer() -> None:
                number = 0
                while not stop.is_set() and number < 600:
                    lines = []
                    now = datetime.now(UTC)
                    for _ in range(30):
                        # every fifth document is stamped 3 s in the past: it arrives out of order
                        stamp = now - timedelta(seconds=3) if number % 5 == 0 else now
                        doc_id = f"d{number}"
                        lines.append(json.dumps({"index": {"_index": index, "_id": doc_id}}))
                        lines.append(json.dumps({"@timestamp": stamp.isoformat(timespec="milliseconds"),
                                                 "message": f"event {number}", "log": {"level": "INFO"}}))
                        written.append(doc_id)
                        number += 1
                    client.post("/_bulk", content="\n".join(lines) + "\n",
                                headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
                    time.sleep(0.1)

            thread = threading.Thread(target=writer)
            thread.start()
            got: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                got += [r.fields["_id"] for r in tail.poll()]
                if not thread.is_alive() and len(got) >= len(written):
                    break
                time.sleep(0.5)
            stop.set()
            thread.join()
            time.sleep(1.5)  # the last refresh
            got += [r.fields["_id"] for r in tail.poll()]
            assert len(written) == 600
            assert len(got) == len(set(got))  # 0 repeated
            assert set(got) == set(written)  # 0 lost
            stamps = [stamp for stamp, _, _ in tail.records]
            assert stamps == sorted(stamps)  # late documents put in their place
            source.close()
        finally:
            client.delete(f"/{index}")


def test_tail_gets_past_an_overlap_that_holds_more_than_one_poll_read(cluster) -> None:
    """30,000 documents in the last seconds (2,000 a second over a 10 s overlap is 20,000 read again at every
    poll): each poll must read the overlap and go on to the new ones. With 20 batches of 1,000 it never did."""
    index = f"tailburst-{uuid.uuid4().hex[:8]}"
    with cluster.client() as client:
        created = client.put(f"/{index}", json={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {"properties": {"@timestamp": {"type": "date"}, "message": {"type": "text"}}}})
        assert created.status_code == 200, created.text
        try:
            now = datetime.now(UTC)
            for first in range(0, 30_000, 5_000):
                lines = []
                for number in range(first, first + 5_000):
                    stamp = now - timedelta(seconds=8) + timedelta(milliseconds=number * 8000 // 30_000)
                    lines.append(json.dumps({"index": {"_index": index, "_id": f"d{number}"}}))
                    lines.append(json.dumps({"@timestamp": stamp.isoformat(timespec="milliseconds"),
                                             "message": f"event {number}"}))
                client.post("/_bulk", content="\n".join(lines) + "\n", timeout=120,
                            headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
            client.post(f"/{index}/_refresh").raise_for_status()
            source = SearchEngineSource(Endpoint(name="t", url=cluster.url, timeout=60.0), index)
            tail = Tail(source, ClusterQuery(""), now=now, overlap=timedelta(seconds=10))
            got = [r.fields["_id"] for r in tail.poll()]
            got += [r.fields["_id"] for r in tail.poll()]  # the next poll reads the overlap again: nothing new
            assert len(got) == len(set(got)) == 30_000
            source.close()
        finally:
            client.delete(f"/{index}")


def test_histogram_buckets_are_exact(cluster, source) -> None:
    now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    window = ResultWindow(source, ClusterQuery("log.level: ERROR", step=2), now=now).open()  # last 24h
    window.close()
    start = now - timedelta(hours=24)
    expected = [0] * 25  # a bucket per hour, aligned on the hour; the 25th holds `now` itself (the range is inclusive)
    for doc in cluster.seed.documents:
        stamp = datetime.fromisoformat(doc["@timestamp"])
        if doc["log"]["level"] == "ERROR" and start <= stamp <= now:
            expected[int((stamp - start).total_seconds() // 3600)] += 1
    assert window.counts == expected and sum(window.counts) == window.total > 100
    everything = ResultWindow(source, ClusterQuery("", step=ALL)).open()
    assert everything.histogram_pending and everything.counts == []  # asked after the first page shows
    everything.load_histogram()
    everything.close()
    assert sum(everything.counts) == cluster.total and 1 < len(everything.counts) <= 25  # 24 bars, aligned: one more


def _doc(record) -> dict:
    return json.loads(record.raw)


def test_surrounding_documents_are_the_exact_neighbours(cluster, source) -> None:
    """A hit's surrounding documents (Kibana's context view) against the seed sorted by hand: the 5 newer and
    5 older in the whole pattern (the query does not apply), 5 more older with the key, and the same with only
    the hit's own service. Anchors are taken where no two documents around share a timestamp, so the
    expected order does not depend on the engine's tiebreaker."""
    from mlops_tui.sources.logs.cluster import SurroundingDocuments

    docs = cluster.seed.documents

    def expected(anchor: dict, keep) -> tuple[list[dict], list[dict]]:
        chosen = sorted((d for d in docs if keep(d)), key=lambda d: d["@timestamp"], reverse=True)
        at = chosen.index(anchor)
        return chosen[max(0, at - 5):at], chosen[at + 1:at + 11]

    def unique_around(anchor: dict, keep) -> bool:
        chosen = sorted((d for d in docs if keep(d)), key=lambda d: d["@timestamp"], reverse=True)
        at = chosen.index(anchor)
        stamps = [d["@timestamp"] for d in chosen[max(0, at - 6):at + 12]]
        return len(stamps) == len(set(stamps))

    window = ResultWindow(source, ClusterQuery("log.level: ERROR", step=ALL), page_size=100).open()
    try:
        tried = 0
        for row in range(10, 100):
            anchor = _doc(window.record(row))
            service = anchor["service"]["name"]
            same = lambda d, s=service: d["service"]["name"] == s  # noqa: E731
            if not (unique_around(anchor, lambda d: True) and unique_around(anchor, same)):
                continue
            tried += 1
            around = SurroundingDocuments(window, row).load()
            newer, older = expected(anchor, lambda d: True)
            assert [_doc(r) for r in around.newer] == newer
            assert [_doc(r) for r in around.older] == older[:5]
            assert around.more_older() == 5
            assert [_doc(r) for r in around.older] == older
            assert any(d["log"]["level"] != "ERROR" for d in map(_doc, around.rows()))  # the query did not apply
            assert around.rows()[5] is around.anchor and around.label == "5 newer, 10 older"

            narrowed = SurroundingDocuments(window, row, same="service.name").load()
            newer, older = expected(anchor, same)
            assert [_doc(r) for r in narrowed.newer] == newer
            assert [_doc(r) for r in narrowed.older] == older[:5]
            assert {d["service"]["name"] for d in map(_doc, narrowed.rows())} == {service}
            if tried == 3:
                break
        assert tried == 3
        # the newest document of all has nothing newer
        top = ResultWindow(source, ClusterQuery("", step=ALL), page_size=10).open()
        try:
            first = SurroundingDocuments(top, 0).load()
            assert first.newer == [] and first.newer_done and len(first.older) == 5
            assert first.more_newer() == 0
        finally:
            top.close()
    finally:
        window.close()
    with pytest.raises(SearchEngineError, match="closed"):
        SurroundingDocuments(window, 10).load()
    assert open_contexts(cluster) == 0
