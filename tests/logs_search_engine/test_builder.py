"""The one query builder, written out by hand for both engines, and the answers no fixture engine can give
(401 and 403: the Maven-built nodes run without security), from a stand-in server named as such."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlops_tui.settings.base import Endpoint
from mlops_tui.sources.logs.search_engine import (
    Engine, FieldNames, SearchEngineError, SearchEngineSource, build_search, to_record,
)

ES = Engine("elasticsearch", "8.15.5")
OS = Engine("opensearch", "2.19.6")


def test_plain_search_body() -> None:
    body = build_search(ES, "log.level: error", size=50,
                        start=datetime(2026, 11, 24, 10, tzinfo=UTC), end=datetime(2026, 11, 24, 11, tzinfo=UTC))
    assert body == {
        "size": 50,
        "query": {"bool": {"filter": [
            {"match": {"log.level": "error"}},
            {"range": {"@timestamp": {"format": "strict_date_optional_time",
                                      "gte": "2026-11-24T10:00:00.000Z", "lte": "2026-11-24T11:00:00.000Z"}}},
        ]}},
        "sort": [{"@timestamp": {"order": "desc", "unmapped_type": "date"}}],
        "track_total_hits": True,
    }


def test_empty_query_without_range_matches_all() -> None:
    assert build_search(OS, "")["query"] == {"match_all": {}}


def test_point_in_time_tiebreakers_differ() -> None:
    es = build_search(ES, "", pit_id="abc", search_after=[1, 7], track_total_hits=False)
    assert es["sort"] == [{"@timestamp": {"order": "desc", "unmapped_type": "date"}}, {"_shard_doc": "desc"}]
    assert es["pit"] == {"id": "abc", "keep_alive": "2m"}
    assert es["search_after"] == [1, 7] and es["track_total_hits"] is False
    opensearch = build_search(OS, "", pit_id="abc")
    assert opensearch["sort"][1:] == [{"_index": "desc"}, {"_id": "desc"}]


def test_remapped_fields() -> None:
    fields = FieldNames(timestamp="ts", level="severity", message="msg", service="app")
    body = build_search(ES, "", fields, start=datetime(2026, 1, 1, tzinfo=UTC))
    assert body["sort"][0] == {"ts": {"order": "desc", "unmapped_type": "date"}}
    assert list(body["query"]["bool"]["filter"][0]["range"]) == ["ts"]
    record = to_record({"_index": "i", "_id": "1", "_source": {"ts": "2026-01-01T00:00:00Z", "severity": "WARNING",
                                                               "msg": "disk low", "app": {"x": 1}}}, 3, fields, ES)
    assert (record.message, record.level.label, record.line, record.fields["app.x"]) == ("disk low", "warn", 3, 1)
    assert record.timestamp == datetime(2026, 1, 1, tzinfo=UTC)


def test_flat_dotted_keys_and_epoch_millis() -> None:
    record = to_record({"_index": "i", "_id": "2", "_source": {"@timestamp": 1795685346846, "log.level": "ERROR",
                                                               "message": ["first", "second"]}}, 1, FieldNames(), OS)
    assert record.level.label == "error"
    assert record.timestamp == datetime.fromtimestamp(1795685346.846, UTC)
    assert record.message == "['first', 'second']"


class _StandInSecuredCluster(BaseHTTPRequestHandler):
    """A stand-in (not an engine): answers every request with the status and body an Elasticsearch with
    security gives a bad password (401) or a user without the read privilege (403)."""

    status = 401

    def _answer(self) -> None:
        if self.path == "/" and self.status == 403:
            status, body = 200, {"version": {"number": "8.15.5"}}
        elif self.status == 401:
            status, body = 401, {"error": {"type": "security_exception",
                                           "reason": "unable to authenticate user [elastic] for REST request [/]"},
                                 "status": 401}
        else:
            status, body = 403, {"error": {"root_cause": [{"type": "security_exception",
                                 "reason": "action [indices:data/read/search] is unauthorized for user [reader]"}],
                                 "type": "security_exception",
                                 "reason": "action [indices:data/read/search] is unauthorized for user [reader]"},
                                 "status": 403}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=[401, 403])
def stand_in_secured_cluster(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    handler = type("Handler", (_StandInSecuredCluster,), {"status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", request.param
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_authentication_and_permission_messages(stand_in_secured_cluster: tuple[str, int]) -> None:
    url, status = stand_in_secured_cluster
    with SearchEngineSource(Endpoint(name="prod", url=url, username="elastic"), "logs-*") as src:
        with pytest.raises(SearchEngineError) as caught:
            src.search("")
    assert caught.value.status == status
    if status == 401:
        assert str(caught.value) == ("prod: authentication failed (HTTP 401): "
                                     "check the username and password or token")
    else:
        assert str(caught.value) == ("prod: permission denied (HTTP 403): "
                                     "action [indices:data/read/search] is unauthorized for user [reader]")


class _StandInBusyCluster(BaseHTTPRequestHandler):
    """A stand-in (not an engine): an OpenSearch that answers its first searches with 429 (the real engines
    here cannot be made to reject searches on demand), then with one hit."""

    busy = 2
    searches = 0

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # GET /
        self._send(200, {"version": {"distribution": "opensearch", "number": "2.19.6"}})

    def do_POST(self) -> None:  # POST /<index>/_search
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).searches += 1
        if type(self).searches <= self.busy:
            self._send(429, {"error": {"type": "rejected_execution_exception",
                                       "reason": "rejected execution of search (queue capacity 1000)"},
                             "status": 429})
            return
        self._send(200, {"took": 3, "_shards": {"total": 1, "successful": 1, "failed": 0},
                         "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [
                             {"_index": "logs-a", "_id": "x", "_source": {"@timestamp": "2026-11-24T00:00:00Z",
                                                                         "message": "ok"}}]}})

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("retries", "outcome"), [(2, "answered"), (1, "HTTP 429")])
def test_a_busy_cluster_is_retried_then_said(retries: int, outcome: str) -> None:
    handler = type("Handler", (_StandInBusyCluster,), {"searches": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = Endpoint(name="busy", url=f"http://127.0.0.1:{server.server_address[1]}", retries=retries)
        with SearchEngineSource(endpoint, "logs-*") as src:
            if outcome == "answered":
                page = src.search("")
                assert (page.total, [r.message for r in page.records], handler.searches) == (1, ["ok"], 3)
            else:
                with pytest.raises(SearchEngineError) as caught:
                    src.search("")
                assert str(caught.value) == "busy: HTTP 429: rejected execution of search (queue capacity 1000)"
                assert handler.searches == 2
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
