"""Ctrl+T: the app's shared time range (Kibana's global time picker) on the Logs pane's files and on a real
OpenSearch 2.19 cluster's view, at 80x24: both show only what the range holds (the files' records counted
here, the cluster's total the seed's own count), a search typed keeps the range, the header says which range
is in force, a range that does not parse keeps the dialog open and says why, and an empty one clears it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.app_factory import make_app
from support.waits import until
from logs_search_engine.test_bars import seed_count
from logs_search_engine.test_pane import info, settle

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.cluster import ClusterPanel

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def settings(tmp_path: Path, url: str) -> Path:
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps({"@timestamp": (START + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
                                       "log.level": "info", "message": f"tick {i}"}) + "\n" for i in range(240)))
    path = tmp_path / "mlops-tui.yaml"
    path.write_text(f"logs:\n  files: ['{log}']\n  opensearch:\n    - {{name: prod, url: '{url}', index: 'logs-*', "
                    "retries: 0, timeout: 60}\n")
    return path


async def type_range(pilot, text: str) -> None:
    await pilot.press("ctrl+t")
    await pilot.pause()
    box = pilot.app.screen.query_one("#time-range-input")
    box.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_one_range_for_the_files_and_the_clusters(tmp_path: Path, opensearch) -> None:
    moments = sorted(datetime.fromisoformat(d["@timestamp"].replace("Z", "+00:00")) for d in opensearch.seed.documents)
    middle = moments[len(moments) // 2].replace(microsecond=0)
    cluster_span = (middle - timedelta(hours=1), middle + timedelta(minutes=20))
    app = make_app(config=settings(tmp_path, opensearch.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        pane = app.query_one(LogsPane)
        await until(pilot, lambda: pane.source is not None and pane.source.row_count() == 240, timeout=30,
                    what="the file")
        # Files: 09:00..10:00 holds the ticks of minutes 60 to 120, both ends in
        await type_range(pilot, "2026-11-30T09:00:00Z..2026-11-30T10:00:00Z")
        assert app.time_range == (START + timedelta(hours=1), START + timedelta(hours=2))
        assert "time 2026-11-30T09:00:00Z..2026-11-30T10:00:00Z" in app.sub_title
        await until(pilot, lambda: not pane.searching and len(pane.hits) == 61, timeout=30,
                    what="the files in the range", describe=lambda: f"{len(pane.hits)} hits")
        await pilot.press("slash")  # a search typed keeps the range: ticks 100 to 109 of the 61
        await pilot.press(*"tick 10", "enter")
        await until(pilot, lambda: not pane.searching and len(pane.hits) == 10, timeout=30,
                    what="the search within the range", describe=lambda: f"{len(pane.hits)} hits")

        # The cluster view, shown after the range was typed, searches over it
        await type_range(pilot, "..".join(moment.isoformat() for moment in cluster_span))
        await pilot.press("v")
        panel = app.query_one(ClusterPanel)
        await until(pilot, lambda: panel.model.window is not None and not panel.searching, timeout=60,
                    what="the cluster's search", describe=lambda: info(app))
        assert panel.model.query.span == cluster_span
        assert panel.model.window.total == seed_count(opensearch, *cluster_span) > 0

        # A range that does not parse: said in the dialog, which stays; Esc leaves the range as it was
        await pilot.press("ctrl+t")
        await pilot.pause()
        app.screen.query_one("#time-range-input").value = "last tuesday"
        await pilot.press("enter")
        await pilot.pause()
        assert "time range: not a time: 'last tuesday'" in str(app.screen.query_one("#time-range-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert panel.model.query.span == cluster_span

        # Empty: no shared range; the cluster goes back to its `last ...` range, the files to every record
        await type_range(pilot, "")
        await settle(pilot, panel)
        assert app.time_range is None and " · time " not in app.sub_title
        assert panel.model.query.span is None and panel.model.query.range_label.startswith("last ")
        await pilot.press("v")  # back to the files: the search typed stays, over every record (tick 10, 100-109)
        await until(pilot, lambda: pane.model.query.since is None and not pane.searching and len(pane.hits) == 11,
                    timeout=30, what="the search without a range", describe=lambda: f"{len(pane.hits)} hits")
