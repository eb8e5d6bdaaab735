"""Screenshots of the Logs pane on a real OpenSearch 2.19 (and Elasticsearch 8.15) with the seed (clock off,
status line hidden: its `took` varies), at 80x24 and 160x48: the hits of a KQL query over all time, and the
field sidebar."""

from __future__ import annotations

import time
from pathlib import Path

from support.app_factory import make_app

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.cluster import ClusterPanel


def app_for(tmp_path: Path, url: str, kind: str = "opensearch"):
    # on the command line, not in a file: the header names the settings file, whose temporary path varies
    return make_app(dotlist=[f"logs.{kind}=[{{name: prod, url: '{url}', index: 'logs-*', timeout: 60}}]"])


def settled(*keys: str, query: str = "", fields: bool = False):
    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.press("3")
        deadline = time.monotonic() + 60
        while not app.query(LogsPane) or not app.query_one(LogsPane).is_mounted:
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        await pilot.press("v")
        panel = app.query_one(ClusterPanel)

        async def idle() -> None:
            await pilot.pause()
            while panel.busy("cluster-search", "cluster-page", "cluster-fields", "cluster-top", "cluster-probe",
                             "cluster-histogram"):
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            await pilot.pause()

        await idle()
        for _ in range(4):  # to "all time": the seed is days old
            await pilot.press("r")
            await idle()
        if query:
            await pilot.press("slash")
            app.query_one("#cluster-query").value = query
            await pilot.press("enter")
            await idle()
        for key in keys:
            await pilot.press(key)
            await idle()
        if fields:
            sidebar = panel.query_one("FieldSidebar")
            while not sidebar.fields:
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            names = [f.name for f in sidebar.fields]
            panel.query_one("#fields-list").highlighted = names.index("log.level")
            while sidebar.top is None:
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            await idle()
        app.query_one("#status-line").display = False
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_hits_80x24(snap_compare, opensearch, tmp_path):
    assert snap_compare(app_for(tmp_path, opensearch.url), terminal_size=(80, 24),
                        run_before=settled(query="log.level: ERROR and not service.name: trainer"))


def test_fields_160x48(snap_compare, opensearch, tmp_path):
    assert snap_compare(app_for(tmp_path, opensearch.url), terminal_size=(160, 48),
                        run_before=settled("F", fields=True))


def test_hits_160x48(snap_compare, opensearch, tmp_path):
    assert snap_compare(app_for(tmp_path, opensearch.url), terminal_size=(160, 48),
                        run_before=settled(query="log.level: ERROR and not service.name: trainer"))


def test_elasticsearch_hits_80x24(snap_compare, elasticsearch, tmp_path):
    assert snap_compare(app_for(tmp_path, elasticsearch.url, "elasticsearch"), terminal_size=(80, 24),
                        run_before=settled(query="log.level: ERROR and not service.name: trainer"))
