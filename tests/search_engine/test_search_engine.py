"""The search API behaviour the Logs pane relies on, against a real OpenSearch 2.x.

Every expected number is computed in Python from the seed documents, not copied from a run.

A fixture check: this checks the test servers (the search engines the fixtures start), not the
product; it never imports mlops_tui. Select or skip these with `-m fixture_check`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from search_engine.cluster import SeededCluster
from search_engine.seed import APP_SERVICES, FIRST_DAY, ODD_MESSAGES, iso

pytestmark = [pytest.mark.slow, pytest.mark.fixture_check]


@pytest.fixture(scope="module")
def http(opensearch: SeededCluster) -> Iterator[httpx.Client]:
    with opensearch.client() as client:
        yield client


def search(http: httpx.Client, target: str, body: dict) -> dict:
    response = http.post(f"/{target}/_search", json=body)
    assert response.status_code == 200, response.text[:1000]
    return response.json()


def test_the_engine_is_a_real_opensearch_2_with_every_seeded_document(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    root = http.get("/").json()
    assert root["version"]["distribution"] == "opensearch"
    assert root["version"]["number"].startswith("2.")
    assert http.get("/_cluster/health").json()["status"] in ("yellow", "green")

    for target, count in opensearch.doc_counts.items():
        assert http.get(f"/{target}/_count").json()["count"] == count, target
    assert len(opensearch.indices) == 4
    assert opensearch.total >= 30_000
    assert http.get(f"/{opensearch.pattern}/_count").json()["count"] == opensearch.total


def test_the_data_stream_is_behind_the_logs_pattern(opensearch: SeededCluster, http: httpx.Client) -> None:
    streams = http.get(f"/_data_stream/{opensearch.data_stream}").json()["data_streams"]
    assert [s["name"] for s in streams] == [opensearch.data_stream]
    assert streams[0]["timestamp_field"]["name"] == "@timestamp"
    backing = [index["index_name"] for index in streams[0]["indices"]]
    assert backing and all(name.startswith(".ds-") for name in backing)

    # A search through the pattern reports hits from the backing index of the stream.
    body = {"size": 1, "query": {"term": {"service.name": "model-server"}}}
    hit = search(http, opensearch.pattern, body)["hits"]["hits"][0]
    assert hit["_index"] in backing


def test_query_string_counts_match_the_seed(opensearch: SeededCluster, http: httpx.Client) -> None:
    docs = opensearch.seed.documents
    expected = sum(
        1 for d in docs if d["log"]["level"] == "ERROR" and d["service"]["name"] == "checkout"
    )
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": {"query_string": {"query": "log.level:ERROR AND service.name:checkout"}},
    }
    assert search(http, opensearch.pattern, body)["hits"]["total"] == {"value": expected, "relation": "eq"}
    assert expected > 0

    # Free text goes to the analysed message field: a word, not the whole line.
    expected_reset = sum(1 for d in docs if "connection reset by peer" in d["message"])
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": {"query_string": {"query": '"connection reset by peer"', "default_field": "message"}},
    }
    assert search(http, opensearch.pattern, body)["hits"]["total"]["value"] == expected_reset > 0


def test_query_string_syntax_error_is_a_400_with_the_reason(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    response = http.post(
        f"/{opensearch.pattern}/_search",
        json={"query": {"query_string": {"query": "log.level:(ERROR"}}},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "search_phase_execution_exception"
    root = error["root_cause"][0]
    assert root["type"] == "query_shard_exception"
    assert root["reason"] == "Failed to parse query [log.level:(ERROR]"
    # The parser's own words, which a client can show under the query box.
    caused_by = error["failed_shards"][0]["reason"]["caused_by"]
    assert "Cannot parse 'log.level:(ERROR'" in caused_by["reason"]


def test_bool_query_with_a_time_range(opensearch: SeededCluster, http: httpx.Client) -> None:
    start = FIRST_DAY + timedelta(days=1, hours=9)
    end = start + timedelta(hours=3)
    expected = sum(
        1 for d in opensearch.seed.documents
        if iso(start) <= d["@timestamp"] < iso(end)
        and d["log"]["level"] in ("WARN", "ERROR")
        and d["host"]["name"] != "gw-01"
    )
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {
            "filter": [
                {"range": {"@timestamp": {"gte": iso(start), "lt": iso(end)}}},
                {"terms": {"log.level": ["WARN", "ERROR"]}},
            ],
            "must_not": [{"term": {"host.name": "gw-01"}}],
        }},
    }
    assert search(http, opensearch.pattern, body)["hits"]["total"]["value"] == expected > 0


def _page_with_search_after(http: httpx.Client, target: str, query: dict, size: int) -> list[dict]:
    sort = [{"@timestamp": "desc"}, {"_id": "asc"}]  # _id breaks ties between equal timestamps
    hits: list[dict] = []
    after = None
    while True:
        body = {"size": size, "query": query, "sort": sort}
        if after is not None:
            body["search_after"] = after
        page = search(http, target, body)["hits"]["hits"]
        if not page:
            return hits
        hits += page
        after = page[-1]["sort"]


def test_sort_with_search_after_pages_every_document_once(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    day = FIRST_DAY + timedelta(days=2)
    index = f"{opensearch.layout.prefix}logs-app-{day:%Y.%m.%d}"
    expected = Counter(
        (d["@timestamp"], d["message"])
        for d in opensearch.seed.by_target[index] if d["service"]["name"] == "checkout"
    )
    ties = sum(n - 1 for n in Counter(ts for ts, _ in expected.elements()).values())
    assert ties > 0, "the seed should have documents sharing a timestamp"

    hits = _page_with_search_after(http, index, {"term": {"service.name": "checkout"}}, size=250)

    assert len({h["_id"] for h in hits}) == len(hits) == sum(expected.values())
    stamps = [h["_source"]["@timestamp"] for h in hits]
    assert stamps == sorted(stamps, reverse=True)
    assert Counter((h["_source"]["@timestamp"], h["_source"]["message"]) for h in hits) == expected


def test_date_histogram_with_fixed_interval(opensearch: SeededCluster, http: httpx.Client) -> None:
    expected: Counter[str] = Counter()
    for d in opensearch.seed.documents:
        moment = datetime.fromisoformat(d["@timestamp"].replace("Z", "+00:00"))
        bucket = moment.replace(minute=0, second=0, microsecond=0) - timedelta(hours=moment.hour % 6)
        expected[iso(bucket)] += 1
    body = {
        "size": 0,
        "aggs": {"per_6h": {"date_histogram": {"field": "@timestamp", "fixed_interval": "6h"}}},
    }
    buckets = search(http, opensearch.pattern, body)["aggregations"]["per_6h"]["buckets"]
    assert {b["key_as_string"]: b["doc_count"] for b in buckets} == dict(expected)
    assert len(buckets) == 4 * 4
    # Keys are epoch milliseconds at the bucket start.
    first = datetime.fromtimestamp(buckets[0]["key"] / 1000, UTC)
    assert first == FIRST_DAY


def test_date_histogram_in_a_time_zone_with_empty_buckets(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    # Days in New York, padded one day either side of the data: the pane draws gaps as zeros.
    zone = ZoneInfo("America/New_York")
    expected: Counter[str] = Counter(
        datetime.fromisoformat(d["@timestamp"].replace("Z", "+00:00")).astimezone(zone).date().isoformat()
        for d in opensearch.seed.documents
    )
    body = {
        "size": 0,
        "aggs": {"per_day": {"date_histogram": {
            "field": "@timestamp",
            "calendar_interval": "1d",
            "time_zone": "America/New_York",
            "min_doc_count": 0,
            "extended_bounds": {"min": "2026-11-21", "max": "2026-11-29"},
            "format": "yyyy-MM-dd",
        }}},
    }
    buckets = search(http, opensearch.pattern, body)["aggregations"]["per_day"]["buckets"]
    got = {b["key_as_string"]: b["doc_count"] for b in buckets}
    assert list(got) == [f"2026-11-{day}" for day in range(21, 30)]
    assert {day: n for day, n in got.items() if n} == dict(expected)
    assert got["2026-11-21"] == got["2026-11-22"] == got["2026-11-28"] == got["2026-11-29"] == 0
    # The first UTC day starts at 19:00 the evening before in New York.
    assert got["2026-11-23"] == expected["2026-11-23"] > 0


def test_date_histogram_per_level_sub_aggregation(opensearch: SeededCluster, http: httpx.Client) -> None:
    body = {
        "size": 0,
        "query": {"term": {"service.name": "trainer"}},
        "aggs": {"per_day": {
            "date_histogram": {"field": "@timestamp", "calendar_interval": "1d"},
            "aggs": {"levels": {"terms": {"field": "log.level"}}},
        }},
    }
    buckets = search(http, opensearch.pattern, body)["aggregations"]["per_day"]["buckets"]
    got = {
        (b["key_as_string"][:10], lvl["key"]): lvl["doc_count"]
        for b in buckets for lvl in b["levels"]["buckets"]
    }
    expected = Counter(
        (d["@timestamp"][:10], d["log"]["level"])
        for d in opensearch.seed.documents if d["service"]["name"] == "trainer"
    )
    assert got == dict(expected)


def test_field_caps_describe_the_ecs_fields(opensearch: SeededCluster, http: httpx.Client) -> None:
    response = http.get(f"/{opensearch.pattern}/_field_caps", params={"fields": "*"})
    assert response.status_code == 200
    caps = response.json()
    assert set(opensearch.doc_counts) - {opensearch.data_stream} <= set(caps["indices"])
    assert any(name.startswith(".ds-") for name in caps["indices"])
    fields = caps["fields"]
    assert fields["@timestamp"]["date"]["aggregatable"] is True
    for name in ("log.level", "service.name", "host.name", "trace.id"):
        assert fields[name]["keyword"] == {"type": "keyword", "searchable": True, "aggregatable": True}
    assert fields["message"]["text"]["searchable"] is True
    assert fields["message"]["text"]["aggregatable"] is False


def test_a_point_in_time_is_opened_paged_and_closed(opensearch: SeededCluster, http: httpx.Client) -> None:
    # OpenSearch's paths: POST <target>/_search/point_in_time, DELETE _search/point_in_time.
    opened = http.post(f"/{opensearch.pattern}/_search/point_in_time", params={"keep_alive": "1m"})
    assert opened.status_code == 200, opened.text
    pit_id = opened.json()["pit_id"]
    assert opened.json()["_shards"]["failed"] == 0
    listed = http.get("/_search/point_in_time/_all").json()["pits"]
    assert pit_id in [p["pit_id"] for p in listed]

    try:
        seen: list[str] = []
        after = None
        service = APP_SERVICES[2]
        expected = sum(1 for d in opensearch.seed.documents if d["service"]["name"] == service)
        while True:
            body = {
                "size": 500,
                "query": {"term": {"service.name": service}},
                "pit": {"id": pit_id, "keep_alive": "1m"},
                "sort": [{"@timestamp": "asc"}, {"_id": "asc"}],
            }
            if after:
                body["search_after"] = after
            # With a PIT the request names no index.
            response = http.post("/_search", json=body)
            assert response.status_code == 200, response.text[:1000]
            page = response.json()
            assert page["pit_id"]
            hits = page["hits"]["hits"]
            if not hits:
                break
            seen += [h["_id"] for h in hits]
            after = hits[-1]["sort"]
        assert len(seen) == len(set(seen)) == expected
    finally:
        closed = http.request("DELETE", "/_search/point_in_time", json={"pit_id": [pit_id]})
    assert closed.status_code == 200
    assert closed.json()["pits"] == [{"successful": True, "pit_id": pit_id}]

    gone = http.post("/_search", json={"size": 1, "pit": {"id": pit_id}})
    assert gone.status_code == 404
    assert gone.json()["error"]["root_cause"][0]["type"] == "search_context_missing_exception"


def test_a_point_in_time_does_not_see_documents_indexed_after_it(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    # A scratch index outside the logs pattern, so the seeded counts stay as they are.
    scratch = f"{opensearch.layout.prefix}scratch-pit"
    http.delete(f"/{scratch}", params={"ignore_unavailable": "true"})
    doc = {"@timestamp": iso(FIRST_DAY), "message": "before"}
    assert http.post(f"/{scratch}/_doc", params={"refresh": "true"}, json=doc).status_code == 201
    pit_id = http.post(f"/{scratch}/_search/point_in_time", params={"keep_alive": "1m"}).json()["pit_id"]
    try:
        doc = {"@timestamp": iso(FIRST_DAY), "message": "after"}
        assert http.post(f"/{scratch}/_doc", params={"refresh": "true"}, json=doc).status_code == 201
        in_pit = http.post("/_search", json={"pit": {"id": pit_id}, "track_total_hits": True}).json()
        live = search(http, scratch, {"track_total_hits": True})
        assert [h["_source"]["message"] for h in in_pit["hits"]["hits"]] == ["before"]
        assert live["hits"]["total"]["value"] == 2
    finally:
        http.request("DELETE", "/_search/point_in_time", json={"pit_id": [pit_id]})
        http.delete(f"/{scratch}")


def test_shard_doc_tiebreaker_is_refused_by_opensearch_2(
    opensearch: SeededCluster, http: httpx.Client
) -> None:
    # Elasticsearch adds _shard_doc to PIT sorts; OpenSearch 2.x has no such field. A client must
    # use another tiebreaker (here _id) when it talks to OpenSearch.
    response = http.post(
        f"/{opensearch.pattern}/_search",
        json={"size": 1, "sort": [{"@timestamp": "desc"}, {"_shard_doc": "asc"}]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["root_cause"][0]["reason"] == (
        "No mapping found for [_shard_doc] in order to sort on"
    )


def test_untrusted_messages_come_back_byte_for_byte(opensearch: SeededCluster, http: httpx.Client) -> None:
    body = {"size": 10, "query": {"match_phrase": {"message": "user input echoed"}}}
    hits = search(http, opensearch.data_stream, body)["hits"]["hits"]
    assert [h["_source"]["message"] for h in hits] == [ODD_MESSAGES[0]]
    body = {"size": 10, "query": {"match": {"message": "東京"}}}
    hits = search(http, opensearch.pattern, body)["hits"]["hits"]
    assert [h["_source"]["message"] for h in hits] == [ODD_MESSAGES[2]]
