"""From an alert to its moment, at 80x24 with Pilot: `l` opens the Logs pane over the alert's window (a
log-count rule: filtered to its search), `m` the chart of a metric rule (a PromQL rule: the Remote view's chart
of its query over the window, fetched from a real Prometheus; a local rule: the Local view). Each key is offered
only on the rows it acts on."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from support.app_factory import make_app
from support.waits import until
from alerts.test_pane import dotlist, open_alerts, screen, table_rows

from mlops_tui.widgets.metrics.remote.grid import ChartGrid


def footer_text(app) -> str:
    """The footer's line as the user reads it (the SVG draws each key and description as its own text)."""
    line = app.size.height - 1
    texts = re.findall(rf'clip-path="url\(#terminal-\d+-line-{line}\)">([^<]*)<', screen(app))
    return "".join(texts)


def offered(app) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}


async def test_l_opens_the_logs_of_a_log_rules_window_filtered_to_its_search(tmp_path: Path):
    app = make_app(dotlist(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_alerts(pilot)
        assert table_rows(app)[0][2] == "api errors"
        assert "l" in offered(app) and "m" not in offered(app)  # a log rule has no metric chart
        # (the footer chooses its keys again after the refresh that follows the bindings change)
        await until(pilot, lambda: "l Logs" in footer_text(app), what="l in the footer at 80x24",
                    describe=lambda: footer_text(app))
        assert "m Chart" not in footer_text(app)
        rule_at = app.query_one("#alerts-pane").rows[0].active_at
        await pilot.press("l")
        await until(pilot, lambda: app.active_pane_id == "logs", what="the Logs pane")
        logs = app.query_one("#logs-pane")
        await until(pilot, lambda: logs.model.hits_text() and not logs.model.searching, what="the search",
                    describe=lambda: logs.model.hits_text())
        query = logs.model.query
        assert [(f.key, f.op, f.value) for f in query.filters] == [("level", ">=", "error")]  # the rule's search
        assert abs(query.since.timestamp() - (rule_at - 3600)) < 1  # its window (1h) before the alert started
        assert logs.model.filtering and len(logs.model.hits) == 5  # the 5 error records, shown alone
        bar = str(app.query_one("#logs-bar").render())
        window = "–".join(time.strftime("%H:%M", time.localtime(t)) for t in (rule_at - 3600, query.until.timestamp()))
        assert f" · {window} · " in bar and bar.endswith("filter"), bar
        await pilot.press("escape")  # the Logs pane's own clear leaves the window
        await until(pilot, lambda: logs.model.query is None, what="the clear")


async def test_m_on_a_local_rule_opens_the_local_view(tmp_path: Path):
    app = make_app([f"alerts.history='{tmp_path}/alerts.sqlite'", "alerts.interval=1s",
                    "alerts.rules=[{name: busy, source: local, expr: cpu.total, op: '>=', threshold: 0}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: table_rows(app) and table_rows(app)[0][2] == "busy", what="the evaluation")
        await until(pilot, lambda: "m" in offered(app), what="the m key")
        await pilot.press("1", "v")  # leave Metrics on Remote: m must bring the Local view back
        await until(pilot, lambda: app.query_one("#metrics-pane").active_view == "metrics-remote", what="Remote")
        await pilot.press("5", "m")
        await until(pilot, lambda: app.active_pane_id == "metrics"
                    and app.query_one("#metrics-pane").active_view == "metrics-local", what="the Local view")


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus")
async def test_m_on_a_promql_rule_charts_its_query_over_the_window(tmp_path: Path):
    from remote.servers import start_prometheus

    (tmp_path / "data").mkdir()
    prometheus = start_prometheus(tmp_path, tmp_path / "data")
    try:
        app = make_app([f"metrics.prometheus=[{{name: prod, url: '{prometheus.url}'}}]",
                        f"alerts.history='{tmp_path}/alerts.sqlite'", "alerts.interval=1s",
                        "alerts.rules=[{name: always, source: prod, expr: 'vector(3)', threshold: 1, for: 20m}]"])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("5")
            await until(pilot, lambda: table_rows(app) and table_rows(app)[0][0] in ("pending", "firing"),
                        what="the evaluation", describe=lambda: table_rows(app))
            await until(pilot, lambda: {"m", "l"} <= offered(app), what="the keys")
            active_at = app.query_one("#alerts-pane").selected().active_at
            await pilot.press("m")
            await until(pilot, lambda: app.active_pane_id == "metrics"
                        and app.query_one("#metrics-pane").active_view == "metrics-remote", what="the Remote view")
            remote = app.query_one("#remote-metrics")
            grid = app.query_one(ChartGrid)
            await until(pilot, lambda: grid.charts_of("prod") and grid.charts_of("prod")[0].loaded,
                        what="the chart", describe=lambda: screen(app)[-2000:])
            (chart,) = grid.charts_of("prod")
            assert (chart.spec.title, chart.spec.query) == ("always", "vector(3)")
            assert [series.values[-1] for series in chart.series] == [3.0]  # Prometheus' answer, drawn
            start, end = chart.span
            assert abs(start - (active_at - 20 * 60)) < 1 and abs(end - time.time()) < 30  # for: 20m before it, to now
            assert remote.nav.header(0).startswith("Query always (prod) · last ")
            assert remote.nav.time_range.end is None  # the alert is active: the chart follows the clock
            assert " to " not in remote.nav.time_range.label()
            assert "Query always (prod)" in screen(app)
            await pilot.press("escape")  # back to the fleet, as from any chart
            await until(pilot, lambda: remote.nav.mode == "fleet", what="the fleet")
    finally:
        prometheus.stop()
