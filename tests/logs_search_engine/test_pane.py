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


@pytest.fixture(params=["opensearch", "opensearch3", "elasticsearch", "elasticsearch9"])
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


async def test_surrounding_documents_from_the_detail(tmp_path: Path, cluster) -> None:
    """Enter on a hit, `a`: the 5 newer and 5 older documents of the whole pattern around it (the query does
    not apply), the hit marked; `o` 5 more older; `f` only the hit's own service. Rows checked against the
    seed sorted by timestamp (compared as timestamps, which a tie between two documents cannot reorder)."""
    from mlops_tui.widgets.logs.context import SurroundingScreen

    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    docs = sorted(cluster.seed.documents, key=lambda d: d["@timestamp"], reverse=True)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        await search(pilot, panel, "log.level: ERROR and service.name: checkout")
        anchor = json.loads(panel.hits.record(0).raw)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordDetail), what="the detail")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, SurroundingScreen) and app.screen.around is not None,
                    timeout=30, what="the surrounding documents")
        screen = app.screen

        def stamps() -> list[str]:
            return [r.fields["@timestamp"] for r in screen.around.rows()]

        at = docs.index(anchor)
        assert stamps() == [d["@timestamp"] for d in docs[max(0, at - 5):at + 6]]
        text = str(screen.query_one("#around-rows").render())
        marked = [line for line in text.splitlines() if line.startswith("▶ ")]
        assert len(marked) == 1 and text.splitlines().index(marked[0]) == at - max(0, at - 5)
        assert marked[0].startswith("▶ " + anchor["@timestamp"][:10] + " " + anchor["@timestamp"][11:23] + " ERROR checkout")
        await pilot.press("o")
        await until(pilot, lambda: len(screen.around.older) == 10, timeout=30, what="5 more older")
        assert stamps()[-10:] == [d["@timestamp"] for d in docs[at + 1:at + 11]]
        await pilot.press("f")
        await until(pilot, lambda: screen.around is not None and screen.around.same == "service.name", timeout=30,
                    what="the same service")
        same = [d for d in docs if d["service"]["name"] == "checkout"]
        at = same.index(anchor)
        assert stamps() == [d["@timestamp"] for d in same[max(0, at - 5):at + 6]]
        assert "with the same service.name" in str(screen.query_one("#around-info").render())
        await pilot.press("escape")
        await pilot.press("escape")
    assert open_contexts(cluster) == 0


async def test_chips_negated_disabled_removed_one_by_one(tmp_path: Path, cluster) -> None:
    """Two chips (added as the sidebar's `+` adds them), then the chip keys: `n` negates the marked chip,
    `d` turns it off and on, `c` marks the other, Delete removes only it; each time the exact total of the
    seed and the chips in the info line."""
    from mlops_tui.sources.logs.search_engine import Chip

    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        panel.run(panel.model.with_chip(Chip("log.level", "ERROR")))
        await settle(pilot, panel)
        panel.run(panel.model.with_chip(Chip("host.name", "web-01")))
        await settle(pilot, panel)
        panel.hits.focus()
        level = lambda d: d["log"]["level"] == "ERROR"  # noqa: E731
        host = lambda d: d["host"]["name"] == "web-01"  # noqa: E731
        assert f"{expected(cluster, lambda d: level(d) and host(d)):,} hits" in info(app)

        await pilot.press("n")  # the marked chip (the newest: host) negated
        await settle(pilot, panel)
        assert f"{expected(cluster, lambda d: level(d) and not host(d)):,} hits" in info(app)
        assert "▸NOT host.name: web-01" in info(app)
        await pilot.press("d")  # off: shown, not applied
        await settle(pilot, panel)
        assert f"{expected(cluster, level):,} hits" in info(app) and "NOT host.name: web-01 (off)" in info(app)
        await pilot.press("d")
        await settle(pilot, panel)
        await pilot.press("c")  # mark the level chip, remove only it
        assert "▸log.level: ERROR" in info(app)
        await pilot.press("delete")
        await settle(pilot, panel)
        assert f"{expected(cluster, lambda d: not host(d)):,} hits" in info(app)
        assert "log.level" not in info(app) and "NOT host.name: web-01" in info(app)
    assert open_contexts(cluster) == 0


def cluster_state(cluster) -> dict:
    """What a write would change: every index (hidden ones too) with its document count, every mapping, the
    data streams, and the number of documents the pattern holds."""
    with cluster.client() as client:
        client.post("/_refresh")  # refresh is no write: it makes a pending document count (there is none)
        indices = client.get("/_cat/indices", params={"format": "json", "expand_wildcards": "all",
                                                      "h": "index,docs.count"}).json()
        mappings = client.get("/_mapping", params={"expand_wildcards": "all"}).json()
        streams = client.get("/_data_stream").json()
        count = client.post(f"/{cluster.pattern}/_count").json()["count"]
    return {"indices": sorted((i["index"], i["docs.count"]) for i in indices), "mappings": mappings,
            "streams": sorted(s["name"] for s in streams.get("data_streams", [])), "count": count}


async def test_a_whole_session_leaves_the_cluster_as_it_was(tmp_path: Path, cluster, monkeypatch) -> None:
    """Read-only, proved: a session using every feature of the pane (KQL and Lucene searches, the time range,
    paging to the last hit, fields and top values, chips in, out, negated, off, removed, the detail and its
    surrounding documents, the tail, export), then the cluster's indices, mappings, data streams and document
    counts compared with before, and no point in time left open."""
    from mlops_tui.widgets.logs.context import SurroundingScreen

    monkeypatch.chdir(tmp_path)
    before = cluster_state(cluster)
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        assert f"{cluster.total:,} hits" in info(app)
        await search(pilot, panel, "service.name: checkout and not log.level: DEBUG")
        await pilot.press("L")
        await settle(pilot, panel)
        await search(pilot, panel, "log.level:(WARN OR ERROR)")
        await pilot.press("G")  # paging to the end
        hits = panel.hits
        await until(pilot, lambda: hits.record(hits.cursor) is not None, timeout=60, what="the last page")
        await pilot.press("g")
        await until(pilot, lambda: hits.record(0) is not None, timeout=60, what="the first page")
        await pilot.press("F")
        sidebar = panel.query_one("FieldSidebar")
        await until(pilot, lambda: sidebar.fields, timeout=30, what="the fields")
        names = [f.name for f in sidebar.fields]
        panel.query_one("#fields-list").highlighted = names.index("host.name")
        await until(pilot, lambda: sidebar.top is not None and sidebar.top.field == "host.name", timeout=30,
                    what="the top values")
        await pilot.press("enter")
        panel.query_one("#fields-values").highlighted = 0
        await pilot.press("plus")
        await settle(pilot, panel)
        panel.query_one("#fields-values").highlighted = 1
        await pilot.press("minus")
        await settle(pilot, panel)
        assert len(panel.model.query.chips) == 2
        panel.hits.focus()
        for key in ("n", "d", "d", "c", "delete"):
            await pilot.press(key)
            await settle(pilot, panel)
        assert len(panel.model.query.chips) == 1
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordDetail), what="the detail")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, SurroundingScreen) and app.screen.around is not None,
                    timeout=30, what="the surrounding documents")
        for key in ("o", "n", "f"):
            await pilot.press(key)
            await pilot.pause()
        await until(pilot, lambda: app.screen.around is not None and app.screen.around.same, timeout=30,
                    what="the same service")
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("t")
        await until(pilot, lambda: "tail: newest" in info(app) or "no documents yet" in info(app), timeout=30,
                    what="a poll of the tail")
        await pilot.press("t")
        await pilot.press("s")
        app.query_one("#cluster-save").value = str(tmp_path / "session.csv")
        await pilot.press("enter")
        await until(pilot, lambda: not panel.busy("cluster-export"), timeout=60, what="the export")
        assert (tmp_path / "session.csv").read_text().count("\n") > 1
    assert cluster_state(cluster) == before
    assert open_contexts(cluster) == 0


def footer_keys(app) -> list[str]:
    """The keys the footer draws whole, left of `^p palette`."""
    palette = app.query_one("FooterKey.-command-palette")
    return [k.key for k in app.query("FooterKey") if "-command-palette" not in k.classes
            and k.region.width > 0 and k.region.right <= palette.region.x]


async def test_the_cluster_footer_at_80x24_keeps_search_source_export_and_filters(tmp_path: Path, opensearch) -> None:
    """At 80 columns the cluster's eleven keys do not fit: `s Export`, `x Drop filters` and `v Source` (the way
    back to the files) used to be the ones cut. Help and Quit first, then the query, the source, the export,
    the filters; no key is drawn cut."""
    from mlops_tui.sources.logs.search_engine import Chip

    app = make_app(config=config(tmp_path, opensearch.product, opensearch.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        panel.hits.focus()
        await pilot.pause()
        shown = footer_keys(app)
        assert shown[:2] == ["question_mark", "q"] and {"slash", "v", "s"} <= set(shown), shown
        assert "x" not in app.screen.active_bindings or not app.screen.active_bindings["x"].enabled  # no filter yet
        panel.run(panel.model.with_chip(Chip("log.level", "ERROR")))
        await settle(pilot, panel)
        shown = footer_keys(app)
        assert {"slash", "v", "s", "x"} <= set(shown), shown
        drawn = [k for k in app.query("FooterKey") if "-command-palette" not in k.classes]
        assert len(drawn) == len(shown)  # what does not fit whole is left out, not cut
