"""The Logs pane on a real cluster (OpenSearch 2.19 and Elasticsearch 8.15 from the fixtures), driven by keys
at 80x24: `v` shows the cluster, the query bar, KQL and Lucene, the time range, the exact total, paging,
syntax errors under the bar with the last results kept, the status line, detail, fields, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.cluster import ClusterPanel
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.hits import HitList
from support.app_factory import make_app
from support.ports import free_port
from support.waits import until


@pytest.fixture(params=["opensearch", "elasticsearch"])
def cluster(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


def config(tmp_path: Path, kind: str, url: str, index: str = "logs-*") -> Path:
    path = tmp_path / "mlops-tui.yaml"
    path.write_text(f"logs:\n  {kind}:\n    - name: prod\n      url: {url}\n      index: '{index}'\n"
                    f"      retries: 0\n      timeout: 60\n")
    return path


def open_contexts(cluster) -> int:
    with cluster.client() as client:
        nodes = client.get("/_nodes/stats/indices/search").json()["nodes"]
    return sum(node["indices"]["search"]["open_contexts"] for node in nodes.values())


def info(app) -> str:
    return str(app.query_one("#cluster-info").render())


def rows(app) -> list[str]:
    hits = app.query_one(HitList)
    return [hits.render_line(y).text for y in range(hits.scrollable_content_region.height)]


def status_line(app) -> str:
    return str(app.query_one("#status-line").render())


async def show_cluster(pilot) -> ClusterPanel:
    await pilot.press("3")
    pane = pilot.app.query_one(LogsPane)
    await until(pilot, lambda: pane.is_mounted and pane.view is not None, what="the Logs pane")
    await pilot.press("v")
    panel = pilot.app.query_one(ClusterPanel)
    await until(pilot, lambda: not panel.searching and panel.model.window is not None or panel.model.error,
                timeout=60, what="the first search", describe=lambda: info(pilot.app))
    return panel


async def settle(pilot, panel: ClusterPanel) -> None:
    await pilot.pause()
    await until(pilot, lambda: not panel.searching, timeout=60, what="the search", describe=lambda: info(pilot.app))
    await pilot.pause()


async def search(pilot, panel: ClusterPanel, text: str) -> None:
    await pilot.press("slash")
    box = pilot.app.query_one("#cluster-query")
    box.value = text
    await pilot.press("enter")
    await settle(pilot, panel)


async def all_time(pilot, panel: ClusterPanel) -> None:
    while panel.model.query.range_label != "all time":
        await pilot.press("r")
        await settle(pilot, panel)


def expected(cluster, predicate) -> int:
    return sum(1 for d in cluster.seed.documents if predicate(d))


async def test_search_kql_lucene_range_total_and_status(tmp_path: Path, cluster) -> None:
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        assert "last 15m" in info(app) and "0 hits" in info(app)  # the seed is days old
        await all_time(pilot, panel)
        assert f"{cluster.total:,} hits" in info(app)  # exact, past 10,000
        assert "logs.prod" in status_line(app) or panel.model.status().state.value == "ok"

        await search(pilot, panel, "log.level: ERROR and service.name: checkout")
        errors = expected(cluster, lambda d: d["log"]["level"] == "ERROR" and d["service"]["name"] == "checkout")
        assert f"{errors:,} hits" in info(app)
        newest = max(d["@timestamp"] for d in cluster.seed.documents
                     if d["log"]["level"] == "ERROR" and d["service"]["name"] == "checkout")
        assert rows(app)[0].startswith(newest[:10] + " " + newest[11:23] + " ERROR checkout ")

        await pilot.press("L")
        await settle(pilot, panel)
        assert "LUCENE" in info(app)
        await search(pilot, panel, "log.level:ERROR AND service.name:checkout")
        assert f"{errors:,} hits" in info(app)

        # a syntax error the engine finds: its reason under the bar, the last results kept
        await search(pilot, panel, "log.level:(ERROR")
        error = str(app.query_one("#cluster-error").render())
        assert "prod: the engine refused the query:" in error
        assert f"{errors:,} hits" in info(app) and rows(app)[0].startswith(newest[:10])
        await pilot.press("L")
        await settle(pilot, panel)
        await search(pilot, panel, "status >= ")
        assert "KQL syntax error at column 11" in str(app.query_one("#cluster-error").render())
        assert panel.model.status().state.value == "ok"
    assert open_contexts(cluster) == 0  # every point in time closed, the last one when the pane went


async def test_paging_deep_rows_and_bounded_pages(tmp_path: Path, cluster) -> None:
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        await pilot.press("G")  # the oldest hit: row 36,000, far past any 10,000 window
        hits = app.query_one(HitList)
        oldest = min(d["@timestamp"] for d in cluster.seed.documents)
        await until(pilot, lambda: hits.record(hits.cursor) is not None, timeout=60, what="the last page")
        await pilot.pause()
        assert hits.cursor == cluster.total - 1
        assert hits.record(hits.cursor).fields["@timestamp"] == oldest
        assert panel.model.window.pages_held <= panel.model.window.max_pages

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordDetail), what="the detail")
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "service.name" in text and "host.name" in text and "_id" in text  # flattened fields
        await pilot.press("escape")


async def test_fields_top_values_and_chips(tmp_path: Path, cluster) -> None:
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        await pilot.press("F")
        sidebar = panel.query_one("FieldSidebar")
        await until(pilot, lambda: sidebar.fields, timeout=30, what="the fields")
        names = [f.name for f in sidebar.fields]
        assert "log.level" in names and "@timestamp" in names and "message" in names
        fields_list = panel.query_one("#fields-list")
        fields_list.highlighted = names.index("log.level")
        await until(pilot, lambda: sidebar.top is not None and sidebar.top.field == "log.level", timeout=30,
                    what="the top values")
        counts = cluster.seed.level_counts()
        assert dict(sidebar.top.values) == dict(counts)  # absolute counts over every hit
        await pilot.press("enter")  # to the values
        values = panel.query_one("#fields-values")
        values.highlighted = [v for v, _ in sidebar.top.values].index("ERROR")
        await pilot.press("minus")  # filter out ERROR
        await settle(pilot, panel)
        assert f"{cluster.total - counts['ERROR']:,} hits" in info(app) and "NOT log.level: ERROR" in info(app)


async def test_export_never_overwrites(tmp_path: Path, cluster, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        await search(pilot, panel, "log.level: ERROR and host.name: web-01")
        want = expected(cluster, lambda d: d["log"]["level"] == "ERROR" and d["host"]["name"] == "web-01")
        await pilot.press("s")
        box = app.query_one("#cluster-save")
        box.value = str(tmp_path / "out.jsonl")
        await pilot.press("enter")
        await until(pilot, lambda: not panel.busy("cluster-export"),
                    timeout=60, what="the export")
        lines = (tmp_path / "out.jsonl").read_text().splitlines()
        assert len(lines) == want and {json.loads(line)["fields"]["host.name"] for line in lines} == {"web-01"}
        (tmp_path / "out.csv").write_text("mine\n")
        await pilot.press("s")
        box.value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await until(pilot, lambda: not panel.busy("cluster-export"),
                    timeout=60, what="the export")
        assert (tmp_path / "out.csv").read_text() == "mine\n"
    assert open_contexts(cluster) == 0


async def test_unreachable_cluster_fails_in_the_status(tmp_path: Path) -> None:
    app = make_app(config=config(tmp_path, "opensearch", f"http://127.0.0.1:{free_port()}"))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        assert panel.model.status().state.value == "failing"
        assert "prod: cannot connect" in info(app)
        assert "logs.prod" in status_line(app)
