"""The Elasticsearch code path: the official elasticsearch-py 8 client against a real
Elasticsearch 8 node (started by the `elasticsearch` fixture, or MLOPS_TUI_TEST_ES_URL).

Every expected number is computed in Python from the seed documents.

A fixture check: this checks the test servers (the search engines the fixtures start), not the
product; it never imports mlops_tui. Select or skip these with `-m fixture_check`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, helpers

from search_engine.cluster import SeededCluster
from search_engine.seed import FIRST_DAY, ODD_MESSAGES, iso

pytestmark = [pytest.mark.slow, pytest.mark.fixture_check]


@pytest.fixture(scope="module")
def es(elasticsearch: SeededCluster) -> Iterator[Elasticsearch]:
    client = Elasticsearch(elasticsearch.url, verify_certs=elasticsearch.verify_tls, request_timeout=60)
    yield client
    client.close()


def test_the_official_client_accepts_the_server_as_elasticsearch_8(
    elasticsearch: SeededCluster, es: Elasticsearch
) -> None:
    info = es.info()
    assert info["version"]["number"].startswith("8.")
    assert "distribution" not in info["version"]
    assert elasticsearch.product == "elasticsearch"
    # The client checks this header on every response; a non-Elasticsearch server is refused.
    assert info.meta.headers["x-elastic-product"] == "Elasticsearch"
    assert es.cluster.health(wait_for_status="yellow")["status"] in ("yellow", "green")
    assert es.count(index=elasticsearch.pattern)["count"] == elasticsearch.total
    for target, count in elasticsearch.doc_counts.items():
        assert es.count(index=target)["count"] == count, target


def test_query_string_and_its_syntax_error(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    expected = sum(
        1 for d in elasticsearch.seed.documents
        if d["log"]["level"] == "ERROR" and d["host"]["name"].startswith("web-")
    )
    result = es.search(
        index=elasticsearch.pattern, size=0, track_total_hits=True,
        query={"query_string": {"query": "log.level:ERROR AND host.name:web-*"}},
    )
    assert result["hits"]["total"] == {"value": expected, "relation": "eq"}
    assert expected > 0

    with pytest.raises(BadRequestError) as raised:
        es.search(index=elasticsearch.pattern, query={"query_string": {"query": "log.level:(ERROR"}})
    error = raised.value
    assert error.status_code == 400
    assert error.error == "search_phase_execution_exception"
    root = error.body["error"]["root_cause"][0]
    assert root["type"] == "query_shard_exception"
    assert root["reason"] == "Failed to parse query [log.level:(ERROR]"


def test_bool_range_and_date_histogram(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    start = FIRST_DAY + timedelta(days=3, hours=6)
    end = start + timedelta(hours=12)
    selected = [
        d for d in elasticsearch.seed.documents
        if iso(start) <= d["@timestamp"] < iso(end) and d["log"]["level"] != "DEBUG"
    ]
    expected_hours = Counter(d["@timestamp"][:13] for d in selected)
    result = es.search(
        index=elasticsearch.pattern, size=0, track_total_hits=True,
        query={"bool": {
            "filter": [{"range": {"@timestamp": {"gte": iso(start), "lt": iso(end)}}}],
            "must_not": [{"term": {"log.level": "DEBUG"}}],
        }},
        aggs={"hourly": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"}}},
    )
    assert result["hits"]["total"]["value"] == len(selected) > 0
    buckets = result["aggregations"]["hourly"]["buckets"]
    assert {b["key_as_string"][:13]: b["doc_count"] for b in buckets} == dict(expected_hours)
    assert len(buckets) == 12


def test_terms_aggregation_per_service(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    expected = Counter(d["service"]["name"] for d in elasticsearch.seed.documents)
    result = es.search(
        index=elasticsearch.pattern, size=0,
        aggs={"services": {"terms": {"field": "service.name", "size": 20}}},
    )
    got = {b["key"]: b["doc_count"] for b in result["aggregations"]["services"]["buckets"]}
    assert got == dict(expected)


def test_point_in_time_paging_with_the_implicit_shard_doc_tiebreaker(
    elasticsearch: SeededCluster, es: Elasticsearch
) -> None:
    # Elasticsearch's PIT paths: POST <index>/_pit -> id; DELETE _pit with {"id": ...}.
    pit_id = es.open_point_in_time(index=elasticsearch.pattern, keep_alive="1m")["id"]
    expected = sum(1 for d in elasticsearch.seed.documents if d["service"]["name"] == "model-server")
    seen: list[str] = []
    try:
        after = None
        while True:
            page = es.search(
                size=500,
                query={"term": {"service.name": "model-server"}},
                pit={"id": pit_id, "keep_alive": "1m"},
                sort=[{"@timestamp": "desc"}],
                search_after=after,
            )
            hits = page["hits"]["hits"]
            if not hits:
                break
            # Elasticsearch appends _shard_doc to the sort values: two values per hit.
            assert len(hits[-1]["sort"]) == 2
            seen += [h["_id"] for h in hits]
            after = hits[-1]["sort"]
    finally:
        closed = es.close_point_in_time(id=pit_id)
    assert closed["succeeded"] is True
    assert len(seen) == len(set(seen)) == expected

    with pytest.raises(NotFoundError):
        es.search(size=1, pit={"id": pit_id})


def test_bulk_with_the_helpers_then_field_caps(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    scratch = f"{elasticsearch.layout.prefix}scratch-bulk"
    es.options(ignore_status=404).indices.delete(index=scratch)
    actions = [
        {"_index": scratch, "_source": {"@timestamp": iso(FIRST_DAY + timedelta(seconds=i)),
                                        "message": f"line {i}", "log": {"level": "INFO"}}}
        for i in range(500)
    ]
    try:
        ok, errors = helpers.bulk(es, actions, refresh=True)
        assert (ok, errors) == (500, [])
        assert es.count(index=scratch)["count"] == 500
        # elasticsearch-py 8 sends `fields` in the body, where a comma-joined string is one
        # (non-existent) field name: the answer is silently empty. Pass a list.
        assert es.field_caps(index=scratch, fields="@timestamp,message")["fields"] == {}
        caps = es.field_caps(index=scratch, fields=["@timestamp", "message", "log.level"])
        assert caps["fields"]["@timestamp"]["date"]["aggregatable"] is True
        # Dynamic mapping: a string becomes text with a .keyword sub-field.
        assert caps["fields"]["message"]["text"]["aggregatable"] is False
        seeded = es.field_caps(index=elasticsearch.pattern, fields=["log.level", "trace.id"])
        assert seeded["fields"]["log.level"]["keyword"]["searchable"] is True
        assert seeded["fields"]["trace.id"]["keyword"]["aggregatable"] is True
    finally:
        es.options(ignore_status=404).indices.delete(index=scratch)


def test_untrusted_text_round_trips(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    result = es.search(index=elasticsearch.data_stream, query={"match_phrase": {"message": "not markup"}})
    assert [h["_source"]["message"] for h in result["hits"]["hits"]] == [ODD_MESSAGES[1]]


def test_an_unknown_index_is_a_404_the_client_names(elasticsearch: SeededCluster, es: Elasticsearch) -> None:
    with pytest.raises(ApiError) as raised:
        es.search(index=f"{elasticsearch.layout.prefix}no-such-index")
    assert raised.value.status_code == 404
    assert raised.value.error == "index_not_found_exception"
