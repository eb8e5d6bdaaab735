"""`mlops-tui demo --search-engine`: the OpenSearch node the tests use, holding the demo's logs, and the app
opening on the Logs pane's view of it.

The node is the real OpenSearch 2.19 the fixtures build (started here by the demo's own code); the documents
are checked against the demo's files, line for line; the shipper's live path against an event written after
the start."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from support.app_factory import make_app
from support.waits import until
from logs_search_engine.test_pane import config, info  # noqa: F401

from mlops_tui.demo.loggen import _API_TRACE, make_event, write_backlog
from mlops_tui.demo.search_engine import INDEX, DemoSearchEngine, documents
from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.cluster import ClusterPanel


def test_text_records_keep_their_traceback_and_json_lines_stay_as_written() -> None:
    lines = ["2026-12-01 23:41:51,977 ERROR    feast.materialize [77] online write failed", *_API_TRACE.splitlines(),
             "2026-12-01 23:41:52,001 INFO     feast.online [77] ok"]
    first, second = documents("feature-store.log", lines)
    assert first["@timestamp"] == "2026-12-01T23:41:51.977Z" and first["log.level"] == "ERROR"
    assert first["service.name"] == "feature-store" and first["process.pid"] == 77
    assert first["message"] == "online write failed\n" + _API_TRACE and second["message"] == "ok"
    record = {"@timestamp": "2026-12-01T23:41:51.977Z", "log.level": "error", "message": "boom"}
    assert documents("api.jsonl", [json.dumps(record), "not json"]) == [record]


def count(url: str, query: dict | None = None) -> int:
    httpx.post(f"{url}/{INDEX}/_refresh", timeout=30)
    body = {"query": query} if query else None
    return httpx.post(f"{url}/{INDEX}/_count", json=body, timeout=30).json()["count"]


def test_the_demo_node_holds_the_backlog_and_each_new_event(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_backlog(logs, datetime.now(UTC), events=300)
    expected = sum(len(documents(path.name, path.read_text().splitlines())) for path in logs.iterdir())
    with DemoSearchEngine(tmp_path / "node") as engine:
        url = engine.url
        assert engine.ship_files(logs) == expected
        assert count(url) == expected
        import random

        name, lines = make_event(datetime.now(UTC) + timedelta(seconds=1), random.Random(7))
        engine.ship(name, lines)
        deadline = time.monotonic() + 30
        while count(url) < expected + 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert count(url) == expected + len(documents(name, lines))
        assert httpx.get(f"{url}/_cat/indices?format=json", timeout=30).json()[0]["index"] == INDEX
    try:  # stopped with the demo
        httpx.get(url, timeout=2)
        stopped = False
    except httpx.TransportError:
        stopped = True
    assert stopped


async def test_the_app_opens_on_the_clusters_view(tmp_path: Path, opensearch) -> None:
    """What the demo asks of the app with --search-engine: the Logs pane first, showing the named cluster."""
    from mlops_tui.app import MlopsApp

    app = make_app(config=config(tmp_path, opensearch.product, opensearch.url),
                   pane_options={"logs": {"show_cluster": "prod"}})
    app.first_pane = "logs"
    assert isinstance(app, MlopsApp)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(LogsPane)
        await until(pilot, lambda: pane.cluster is not None, timeout=30, what="the cluster shown first")
        panel = app.query_one(ClusterPanel)
        await until(pilot, lambda: panel.model.window is not None and not panel.searching, timeout=60,
                    what="its first search", describe=lambda: info(app))
        assert app.active_pane_id == "logs" and panel.display and "hits" in info(app)
