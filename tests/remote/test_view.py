"""The Remote tab of the Metrics pane, driven with Pilot against the real Prometheus and InfluxDB."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
import yaml
from remote.seed import LATENCY_BUCKETS, SERVING_RATES, telegraf_lines
from remote.servers import influx_write, start_influxd
from support.ports import free_port
from support.waits import record_notifications, until
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.widgets.metrics.remote import RemoteMetricsView
from mlops_tui.widgets.metrics.remote.chart import RemoteChart
from mlops_tui.widgets.metrics.remote.fleet import FleetTable
from mlops_tui.widgets.metrics.remote.rangeinput import RangeInput
from mlops_tui.widgets.pane import SourceNote

ROOT = Path(__file__).resolve().parents[2]


class RemoteApp(App):
    """The view alone, as the Metrics pane's Remote tab hosts it."""

    def __init__(self, settings: MetricsSettings, **options) -> None:
        super().__init__()
        self.settings, self.options = settings, options

    def compose(self) -> ComposeResult:
        yield RemoteMetricsView(self.settings, **self.options)


def settings_with(**sections) -> MetricsSettings:
    return MetricsSettings.model_validate(sections)


def table_rows(app: App) -> list[list[str]]:
    table = app.query_one("#remote-fleet", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(widget) -> str:
    rendered = widget.render()
    return "\n".join(str(line) for line in getattr(rendered, "renderables", [rendered]))


async def settle(app: App, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def influx_settings(influxd):
    return settings_with(influxdb=[{"name": "tig", "url": influxd.url, "database": "telegraf", "retries": 0}])


async def test_fleet_table_lists_hosts_with_values_and_sorts(influx_settings):
    app = RemoteApp(influx_settings, autorefresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        rows = table_rows(app)
        assert [r[0] for r in rows] == ["gpu-1", "gpu-2", "old-1"]
        assert rows[0] == ["gpu-1", "tig", "● up", "30.0%", "42.5%", "80.0%", "5.0%", "2.0 KiB/s", "1000 B/s", "2.50"]
        assert rows[2][2] == "◌ stale"
        assert "old-1: no data since" in str(app.query_one("#remote-fleet-status", Static).render())
        for _ in range(3):  # host, source, health, CPU: biggest CPU first
            await pilot.press("s")
        assert [r[0] for r in table_rows(app)] == ["gpu-2", "gpu-1", "old-1"]
        assert [r[3] for r in table_rows(app)] == ["90.0%", "30.0%", "1.0%"]


async def test_selecting_a_host_opens_its_charts_with_its_values(influx_settings, influx_last_point):
    app = RemoteApp(influx_settings, autorefresh=False, clock=lambda: influx_last_point + 5)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")  # gpu-2
        await settle(app, pilot)
        header = str(app.query_one("#remote-header", Static).render())
        assert header.startswith("Host gpu-2 (tig)")
        charts = {chart.spec.title: chart for chart in app.query(RemoteChart)}
        assert list(charts) == ["CPU", "Memory", "Disk space", "Network rx", "Load"]
        assert charts["Memory"].latest() == 91.25
        assert charts["CPU"].latest() == pytest.approx(90.0)
        assert charts["Load"].latest() == 7.75
        assert text_of(charts["Memory"]).splitlines()[0].startswith("Memory  last 91.2%")
        assert charts["CPU"].has_class("-critical")  # 90 >= critical 90
        await pilot.press("escape")
        assert not app.query(RemoteChart)
        assert app.query_one("#remote-fleet", DataTable).display


async def test_time_range_keys(influx_settings, influx_last_point):
    now = influx_last_point + 5.0
    app = RemoteApp(influx_settings, autorefresh=False, clock=lambda: now)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(RemoteMetricsView)
        assert view.nav.time_range.span == 3600
        await settle(app, pilot)
        await pilot.press("t")  # the fleet shows the latest values: the range keys act on charts only
        assert view.nav.time_range.span == 3600 and "t" not in app.screen.active_bindings
        await pilot.press("enter")  # gpu-1's charts
        assert view.nav.mode == "host", (app.focused, view.nav)
        await pilot.press("t")
        assert view.nav.time_range.span == 6 * 3600
        await pilot.press("plus")
        assert view.nav.time_range.span == 3 * 3600 and view.nav.time_range.end is None
        await pilot.press("left_square_bracket")
        assert view.nav.time_range.bounds(view.clock) == (now - 1.5 * 3600 - 3 * 3600,
                                                      now - 1.5 * 3600)
        assert "last 3h to " in str(app.query_one("#remote-header", Static).render())
        await pilot.press("right_square_bracket")
        assert view.nav.time_range.end is None
        await settle(app, pilot)


async def test_a_server_going_down_keeps_the_last_rows_marked_stale(tmp_path):
    server = start_influxd(tmp_path)
    try:
        last = int(time.time()) // 10 * 10 - 10
        influx_write(server, "telegraf", telegraf_lines(last))
        settings = settings_with(influxdb=[{"name": "tig", "url": server.url, "database": "telegraf",
                                            "retries": 0, "timeout": 1}])
        app = RemoteApp(settings)  # refreshing on its own: the note says when it retries
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            assert [r[2] for r in table_rows(app)][:2] == ["● up", "● up"]
            server.stop()
            await pilot.press("r")
            await settle(app, pilot)
            rows = table_rows(app)
            assert [r[0] for r in rows] == ["gpu-1", "gpu-2", "old-1"]
            assert rows[0][3] == "30.0%"  # last good value kept
            assert {r[2] for r in rows} == {"◌ stale"}
            status = str(app.query_one("#remote-fleet-status", Static).render())
            assert status.startswith("tig: stale since ") and "cannot connect" in status
            note = app.query_one(SourceNote)
            assert note.has_class("-stale")
            assert "cannot connect" in str(note.render())
            assert re.search(r"\(since \d\d:\d\d:\d\d, next retry in (30|29|28)s\)$", str(note.render()))  # 30 s backoff
    finally:
        server.stop()


def ml_serving_dashboard(prometheus_url: str) -> dict:
    config = yaml.safe_load((ROOT / "configs/dashboards/ml-serving.yaml").read_text())["metrics"]
    config["prometheus"][0]["url"] = prometheus_url
    return config


async def test_ml_serving_dashboard_panels_show_the_seeded_values(prometheus, prom_last_sample):
    settings = settings_with(**ml_serving_dashboard(prometheus.url))
    app = RemoteApp(settings, autorefresh=False, clock=lambda: float(prom_last_sample))
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        view = app.query_one(RemoteMetricsView)
        assert view.nav.variables == {"instance": "model-a:8000"}
        assert "$instance=model-a:8000" in str(app.query_one("#remote-header", Static).render())
        charts = {chart.spec.title: chart for chart in app.query(RemoteChart)}
        total = sum(SERVING_RATES.values())
        assert charts["Request rate"].latest() == pytest.approx(SERVING_RATES["200"])  # first legend: code 200
        assert [s.legend("{{code}}") for s in charts["Request rate"].series] == ["200", "500"]
        assert charts["Error rate"].latest() == pytest.approx(SERVING_RATES["500"] / total)
        assert charts["Error rate"].has_class("-warning")  # 0.0476 >= 0.01, < 0.05
        rank = LATENCY_BUCKETS["+Inf"] / 2
        assert charts["Latency p50"].latest() == pytest.approx(0.1 + 0.15 * (rank - 5.0) / 3.0)
        assert charts["Training runs per hour"].latest() == 5.0


async def test_a_dead_panel_source_does_not_stop_the_others(prometheus, prom_last_sample):
    settings = settings_with(
        prometheus=[{"name": "prom", "url": prometheus.url, "retries": 0},
                    {"name": "gone", "url": f"http://127.0.0.1:{free_port()}", "retries": 0, "timeout": 1}],
        dashboards=[{"name": "mixed", "panels": [
            {"title": "Load web-1", "source": "prom", "query": 'node_load1{instance="web-1:9100"}'},
            {"title": "Load elsewhere", "source": "gone", "query": "node_load1"},
            {"title": "Bad query", "source": "prom", "query": "rate(node_load1["},
        ]}])
    app = RemoteApp(settings, autorefresh=False, clock=lambda: float(prom_last_sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        charts = {chart.spec.title: chart for chart in app.query(RemoteChart)}
        assert charts["Load web-1"].latest() == 1.5 and not charts["Load web-1"].stale_reason
        assert charts["Load elsewhere"].has_class("-error")
        assert "failing since" in text_of(charts["Load elsewhere"]) and "cannot connect" in text_of(charts["Load elsewhere"])
        bad = text_of(charts["Bad query"])
        assert "failing since" in bad and "bad_data: " in bad and "parse error" in bad
        note = str(app.query_one(SourceNote).render())
        assert note.startswith("metrics.gone: failing - cannot connect")  # a bad query is not a sick server


async def test_stale_rows_recover_when_the_server_answers_again():
    from remote.recorded import NOW, RecordedMetrics

    source = RecordedMetrics()
    app = RemoteApp(MetricsSettings(), sources={"prom": source}, autorefresh=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert table_rows(app)[-1][:3] == ["web-2:9100", "prom", "✖ down"]
        source.failing.add("fleet")
        await pilot.press("s", "s", "s")  # by CPU, biggest first; the cursor follows its host to the bottom
        assert app.query_one(FleetTable).selected_host() == ("prom", "\x1b[31mevil\x1b[0m[b]host[/b]")
        await pilot.press("up", "up")  # web-2, second biggest CPU
        await pilot.press("r")
        await settle(app, pilot)
        assert {r[2] for r in table_rows(app)} == {"◌ stale"}
        assert app.query_one(FleetTable).selected_host() == ("prom", "web-2:9100")
        await pilot.press("s", "s", "s", "s", "s", "s", "s")  # back to sorting by host
        assert table_rows(app)[1][3] == "92.5%"  # gpu-1's last good CPU
        note = app.query_one(SourceNote)
        assert note.has_class("-stale") and "HTTP 500 Internal Server Error" in str(note.render())
        source.failing.clear()
        await pilot.press("r")
        await settle(app, pilot)
        assert [r[2] for r in table_rows(app)] == ["? unknown", "● up", "● up", "✖ down"]
        assert note.has_class("-ok") and str(note.render()) == "metrics.remote: ok - prom"
        assert "stale" not in str(app.query_one("#remote-fleet-status", Static).render())


async def test_a_source_with_a_bad_url_is_named_on_the_pane(influx_settings):
    settings = influx_settings.model_copy(update={"prometheus": MetricsSettings.model_validate(
        {"prometheus": [{"name": "typo", "url": "http://[::1"}]}).prometheus})
    app = RemoteApp(settings, autorefresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        note = app.query_one(SourceNote)
        assert note.has_class("-failing")
        assert str(note.render()).startswith("metrics.typo: failing - source 'typo': invalid url: Invalid port")
        assert [r[0] for r in table_rows(app)] == ["gpu-1", "gpu-2", "old-1"]  # the good source still works


async def test_a_slow_server_blocks_neither_keys_nor_other_sources(influxd, misbehaving):
    settings = settings_with(
        influxdb=[{"name": "tig", "url": influxd.url, "database": "telegraf", "retries": 0}],
        prometheus=[{"name": "slow", "url": misbehaving.url("slow"), "retries": 0, "timeout": 3}])
    app = RemoteApp(settings, autorefresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.query_one(FleetTable).row_count)  # tig's answer (slow holds for 10 s)
        slow = app.query_one(RemoteMetricsView).feeds["slow"]
        assert slow.busy  # still waiting on the slow server...
        assert [r[0] for r in table_rows(app)] == ["gpu-1", "gpu-2", "old-1"]  # ...while tig's rows are shown
        await pilot.press("s")
        assert app.query_one(FleetTable).sort_column == 1  # by source
        assert slow.busy  # the key was handled during the slow request
        await app.workers.wait_for_complete(slow.workers)
        await pilot.pause()
        note = str(app.query_one(SourceNote).render())
        assert note.startswith("metrics.slow: failing - timed out (ReadTimeout)")


async def test_failed_refreshes_back_off_up_to_8x_the_refresh_interval():
    from remote.recorded import NOW, RecordedMetrics

    source = RecordedMetrics()
    source.failing.add("fleet")
    settings = MetricsSettings(remote_refresh=10.0)
    app = RemoteApp(settings, sources={"prom": source}, autorefresh=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(RemoteMetricsView)
        delays = []
        await settle(app, pilot)
        for _ in range(5):
            delays.append(math.ceil(view.poller.status("prom").retry_in))  # as the note shows it: "next retry in 20s"
            await pilot.press("r")
            await settle(app, pilot)
        assert delays == [20, 40, 80, 80, 80]
        source.failing.clear()
        await pilot.press("r")
        await settle(app, pilot)
        assert view.poller.status("prom").state.value == "ok"
        assert round(view.poller.health["prom"].due - time.monotonic()) == 10


async def test_custom_time_range_is_typed(influx_settings):
    app = RemoteApp(influx_settings, autorefresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # a range is typed for charts: gpu-1's
        view = app.query_one(RemoteMetricsView)
        notified = record_notifications(app)
        await pilot.press("T")
        await pilot.press(*"2 days")
        await pilot.press("enter")
        assert any("not a duration: '2 days'" in message for message in notified), notified
        await pilot.press(*["backspace"] * 6, "2", "d", "enter")
        assert view.nav.time_range.span == 2 * 86400
        assert "last 2d" in str(app.query_one("#remote-header", Static).render())
        assert not app.query_one(RangeInput).display and app.focused is app.query_one("#remote-charts")
        await pilot.press("T", "1", "escape")
        assert not app.query_one(RangeInput).display and view.nav.time_range.span == 2 * 86400


async def test_a_chart_with_several_series_gives_each_latest_value_in_its_legend():
    from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSeries

    class ChartApp(App):
        def compose(self) -> ComposeResult:
            yield RemoteChart(ChartSpec("Request rate", "q", "req/s", legend="{{code}}"))

    ok, errors = RemoteSeries("r", {"code": "200"}), RemoteSeries("r", {"code": "500"})
    for t in range(10):
        ok.append(float(t), 10.0)
        errors.append(float(t), 0.5)
    app = ChartApp()
    async with app.run_test(size=(80, 10)) as pilot:
        chart = app.query_one(RemoteChart)
        chart.show([ok, errors], 0.0, 9.0)
        await pilot.pause()
        assert chart.latest() == 10.0
        lines = [chart.render_line(y).text.rstrip() for y in range(chart.size.height)]
        assert lines[0] == "Request rate  last 10 req/s  200 10 req/s  500 0.5 req/s"
        assert lines[1].endswith("█ top 10 req/s")  # the first series, drawn at the top of its scale
        assert lines[-1].split() == ["00:00", "00:00", "now"]  # its 9 s, from epoch 0 (UTC here) to now


async def test_a_series_of_zeros_is_a_baseline_and_the_axis_names_the_times(utc):
    from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSeries

    class ChartApp(App):
        def compose(self) -> ComposeResult:
            yield RemoteChart(ChartSpec("Error rate", "q", "ratio"))

    zeros = RemoteSeries("value")
    start = 1_800_000_000.0  # 08:00 UTC
    for t in range(0, 3601, 60):
        zeros.append(start + t, 0.0)
    app = ChartApp()
    async with app.run_test(size=(80, 10)) as pilot:
        chart = app.query_one(RemoteChart)
        chart.show([zeros], start, start + 3600)
        await pilot.pause()
        lines = [chart.render_line(y).text.rstrip() for y in range(chart.size.height)]
        assert lines[0] == "Error rate  last 0 ratio"
        bars = lines[1:-1]
        assert "█" not in "".join(bars) and set(bars[-1].strip()) <= {"▁", "·"} and "▁" in bars[-1]
        assert all(not row.strip() for row in bars[1:-1])  # nothing above the baseline
        assert lines[-1].split() == ["08:00", "08:30", "now"]
        chart.show([zeros], start, start + 3600, live=False)  # a range in the past ends at its time
        await pilot.pause()
        assert chart.render_line(chart.size.height - 1).text.split() == ["08:00", "08:30", "09:00"]


async def test_an_empty_fleet_says_why_and_offers_only_the_keys_that_act(tmp_path):
    """A real Prometheus scraping no node_exporter (as the demo's): 0 hosts, the reason, and no key that
    can do nothing (sort, charts, ranges); with a dashboard, `d` is offered and named."""
    from remote.servers import start_prometheus

    server = start_prometheus(tmp_path, tmp_path / "data")
    try:
        settings = settings_with(prometheus=[{"name": "demo", "url": server.url, "retries": 0}],
                                 dashboards=[{"name": "serving", "panels": [
                                     {"title": "Up", "source": "demo", "query": "up"}]}])
        app = RemoteApp(settings, autorefresh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            header = str(app.query_one("#remote-header", Static).render())
            assert header == "Fleet · 0 hosts (latest values) · d dashboards"
            note = str(app.query_one("#remote-fleet-status", Static).render())
            assert note == ("no host: demo answered with no node_exporter host (no scrape job matching node_job "
                            "'.*node.*'); d opens the dashboards")
            offered = set(app.screen.active_bindings)
            assert {"d", "r"} <= offered and not offered & {"s", "t", "T", "plus", "minus", "escape", "n",
                                                          "left_square_bracket", "right_square_bracket"}
            await pilot.press("d")
            await settle(app, pilot)
            offered = set(app.screen.active_bindings)
            assert {"escape", "t", "T", "plus", "minus", "left_square_bracket"} <= offered
            assert "right_square_bracket" not in offered and "n" not in offered  # already now; no $variables
            await pilot.press("left_square_bracket")
            assert "right_square_bracket" in app.screen.active_bindings  # Later, now that the range is past
    finally:
        server.stop()

