"""The search-engine log source against real OpenSearch 2.19 and Elasticsearch 8.15 (the session fixtures of
tests/search_engine), seeded with known documents: every count is computed here from the seed itself."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime

import httpx
import pytest

from mlops_tui.settings.base import Endpoint
from mlops_tui.sources.logs import Level
from mlops_tui.sources.logs.kql import KqlSyntaxError
from mlops_tui.sources.logs.search_engine import SearchEngineError, SearchEngineSource
from support.ports import free_port

Doc = dict


@pytest.fixture(params=["opensearch", "opensearch3", "elasticsearch", "elasticsearch9"])
def cluster(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


@pytest.fixture
def source(cluster) -> Iterator[SearchEngineSource]:
    with SearchEngineSource(Endpoint(name=cluster.product, url=cluster.url, timeout=60.0), cluster.pattern) as src:
        yield src


def count(cluster, predicate: Callable[[Doc], bool]) -> int:
    return sum(1 for doc in cluster.seed.documents if predicate(doc))


def level(doc: Doc) -> str:
    return doc["log"]["level"]


def service(doc: Doc) -> str:
    return doc["service"]["name"]


def host(doc: Doc) -> str:
    return doc["host"]["name"]


def open_contexts(cluster) -> int:
    with cluster.client() as client:
        nodes = client.get("/_nodes/stats/indices/search").json()["nodes"]
    return sum(node["indices"]["search"]["open_contexts"] for node in nodes.values())


KQL_CASES: list[tuple[str, Callable[[Doc], bool]]] = [
    ("", lambda d: True),
    ("log.level: ERROR", lambda d: level(d) == "ERROR"),
    ("service.name: checkout and not log.level: DEBUG", lambda d: service(d) == "checkout" and level(d) != "DEBUG"),
    ("host.name: (web-01 or gw-02)", lambda d: host(d) in ("web-01", "gw-02")),
    ("host.name: web-*", lambda d: host(d).startswith("web-")),
    ("host.name: gpu-node-?", lambda d: False),  # `?` is no wildcard in KQL
    ('message: "connection reset by peer"', lambda d: "connection reset by peer" in d["message"]),
    ("log.level: (WARN or ERROR) and host.name: gpu-node-1",
     lambda d: level(d) in ("WARN", "ERROR") and host(d) == "gpu-node-1"),
    ('@timestamp >= "2026-11-25T00:00:00.000Z" and @timestamp < "2026-11-26T00:00:00.000Z"',
     lambda d: "2026-11-25T00:00:00.000Z" <= d["@timestamp"] < "2026-11-26T00:00:00.000Z"),
    ("timeout", lambda d: re.search(r"\btimeout\b", d["message"].lower()) is not None),
    ("not (service.name: trainer or service.name: model-server)",
     lambda d: service(d) not in ("trainer", "model-server")),
    ("trace.id: *", lambda d: True),
]


@pytest.mark.parametrize(("query", "predicate"), KQL_CASES, ids=[q or "(empty)" for q, _ in KQL_CASES])
def test_kql_counts_are_exact(cluster, source: SearchEngineSource, query: str, predicate) -> None:
    expected = count(cluster, predicate)
    assert source.search(query, size=0).total == expected
    if query == "":
        assert expected == cluster.total == 36_000  # beyond the 10,000 an inexact count would stop at


def test_engine_is_recognised(cluster, source: SearchEngineSource) -> None:
    engine = source.engine()
    assert (engine.product, engine.version) == (cluster.product, cluster.version)


def test_newest_first_and_records_carry_the_document(cluster, source: SearchEngineSource) -> None:
    page = source.search("log.level: ERROR", size=50)
    stamps = [record.timestamp for record in page.records]
    assert len(stamps) == 50 and stamps == sorted(stamps, reverse=True)
    newest = max(doc["@timestamp"] for doc in cluster.seed.documents if level(doc) == "ERROR")
    assert stamps[0] == datetime.fromisoformat(newest)
    by_key = {(doc["@timestamp"], doc["message"]): doc for doc in cluster.seed.documents}
    for record in page.records:
        doc = by_key[(record.fields["@timestamp"], record.message)]
        assert record.level is Level.ERROR
        assert record.fields["service.name"] == service(doc)
        assert record.fields["host.name"] == host(doc)
        assert record.fields["_id"] and record.source == record.fields["_index"]
        assert record.format == cluster.product


def test_time_range(cluster, source: SearchEngineSource) -> None:
    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    end = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    expected = count(cluster, lambda d: "2026-11-26T09:00:00.000Z" <= d["@timestamp"] <= "2026-11-26T09:30:00.000Z")
    page = source.search("", start=start, end=end, size=10)
    assert page.total == expected > 100
    assert all(start <= record.timestamp <= end for record in page.records)


def test_untrusted_text_arrives_unchanged(cluster, source: SearchEngineSource) -> None:
    page = source.search('message: "not markup"', size=5)
    assert [record.message for record in page.records] == ["label [bold red]not markup[/bold red] from a tenant"]
    escapes = source.search('message: "user input echoed"', size=5)
    assert escapes.records[0].message == "user input echoed: \x1b[31mred\x1b[0m and a bell \x07"


def keys(page) -> list[tuple[str, str]]:
    return [(record.fields["_index"], record.fields["_id"]) for record in page.records]


def test_paging_every_hit_once_through_a_point_in_time(cluster, source: SearchEngineSource) -> None:
    seen: list[tuple[str, str]] = []
    got: Counter = Counter()
    stamps: list[datetime] = []
    rows: list[int] = []
    for page in source.pages("", page_size=4_000):
        assert page.total == cluster.total
        seen += keys(page)
        got.update((r.fields["@timestamp"], r.message, r.fields["host.name"]) for r in page.records)
        stamps += [record.timestamp for record in page.records]
        rows += [record.line for record in page.records]
    assert len(seen) == len(set(seen)) == cluster.total  # no duplicate, and past the 10,000-hit window
    expected = Counter((d["@timestamp"], d["message"], host(d)) for d in cluster.seed.documents)
    assert got == expected  # no gap: exactly the seeded documents
    assert stamps == sorted(stamps, reverse=True)
    assert rows == list(range(1, cluster.total + 1))
    assert open_contexts(cluster) == 0


def test_paging_a_query_across_pages_with_ties(cluster, source: SearchEngineSource) -> None:
    # Small pages over thousands of hits: about 8% of the seed shares its millisecond with a neighbour,
    # so page boundaries fall inside ties, where a missing tiebreaker would lose or repeat hits.
    query = "service.name: checkout and not log.level: DEBUG"
    expected = count(cluster, lambda d: service(d) == "checkout" and level(d) != "DEBUG")
    seen = [key for page in source.pages(query, page_size=97) for key in keys(page)]
    assert len(seen) == len(set(seen)) == expected > 5_000


def test_point_in_time_closed_when_the_reader_stops_early(cluster, source: SearchEngineSource) -> None:
    with closing(source.pages("log.level: INFO", page_size=500)) as pages:
        first = next(pages)
        assert len(first.records) == 500
        assert open_contexts(cluster) > 0  # the point in time is open while paging
    assert open_contexts(cluster) == 0


def test_data_stream_by_name(cluster) -> None:
    with SearchEngineSource(Endpoint(name="ds", url=cluster.url), cluster.data_stream) as src:
        assert src.search("", size=1).total == cluster.data_stream_count
        assert sum(len(page.records) for page in src.pages("", page_size=2_500)) == cluster.data_stream_count


def index_state(cluster) -> dict:
    with cluster.client() as client:
        counts = client.get(f"/{cluster.pattern}/_stats/docs").json()["indices"]
        mappings = client.get(f"/{cluster.pattern}/_mapping").json()
        names = sorted(row["index"] for row in client.get("/_cat/indices", params={"format": "json"}).json())
    return {
        "counts": {name: stats["primaries"]["docs"]["count"] for name, stats in counts.items()},
        "mappings": mappings,
        "indices": names,
    }


def test_read_only(cluster, source: SearchEngineSource) -> None:
    before = index_state(cluster)
    source.search("log.level: WARN", size=100)
    for _ in source.pages("host.name: web-*", page_size=3_000):
        pass
    with pytest.raises(SearchEngineError):
        source.search("@timestamp >= notadate")
    assert index_state(cluster) == before
    assert sum(before["counts"].values()) == cluster.total
    assert open_contexts(cluster) == 0


# -- faults -----------------------------------------------------------------------------------------


def test_engine_reason_for_a_query_it_refuses(source: SearchEngineSource) -> None:
    with pytest.raises(SearchEngineError) as caught:
        source.search("@timestamp >= notadate")
    message = str(caught.value)
    assert message.startswith(f"{source.label}: the engine refused the query: ")
    assert "notadate" in message or "parse" in message.lower()
    assert caught.value.status == 400


def test_syntax_error_before_any_request(source: SearchEngineSource) -> None:
    with pytest.raises(KqlSyntaxError, match="column 11"):
        source.search("status >= ")
    with pytest.raises(KqlSyntaxError):
        next(source.pages("(a: 1"))
    assert open_contexts_is_zero(source)


def open_contexts_is_zero(source: SearchEngineSource) -> bool:
    nodes = httpx.get(f"{source.endpoint.url}/_nodes/stats/indices/search", timeout=30).json()["nodes"]
    return all(node["indices"]["search"]["open_contexts"] == 0 for node in nodes.values())


@pytest.mark.parametrize("index", ["nothing-here-*", "nothing-here"])
def test_index_that_matches_nothing(cluster, index: str) -> None:
    with SearchEngineSource(Endpoint(name="c", url=cluster.url), index) as src:
        with pytest.raises(SearchEngineError, match=f"^c: no index matches '{re.escape(index)}'$"):
            src.search("")
        with pytest.raises(SearchEngineError, match=f"^c: no index matches '{re.escape(index)}'$"):
            next(src.pages(""))
    assert open_contexts(cluster) == 0


def test_unreachable_cluster() -> None:
    endpoint = Endpoint(name="gone", url=f"http://127.0.0.1:{free_port()}", retries=0, timeout=2.0)
    with SearchEngineSource(endpoint, "logs-*") as src:
        with pytest.raises(SearchEngineError, match=r"^gone: cannot connect: .*\(http://127\.0\.0\.1:\d+\)$"):
            src.search("")
