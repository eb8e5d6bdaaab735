"""The Remote tab inside the real app: the Metrics pane hosts it and the help lists its keys."""

from __future__ import annotations

from support.app_factory import make_app
from textual.widgets import DataTable

from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots
from mlops_tui.widgets.metrics.remote import RemoteMetricsView


async def test_remote_tab_in_the_metrics_pane_shows_the_fleet(influxd, influx_last_point):
    app = make_app([f"metrics.influxdb=[{{name: tig, url: '{influxd.url}', database: telegraf}}]"],
                   pane_options={"metrics": {
                       "source": RecordedMetricSource(synthetic_snapshots(3)),  # the Local tab, recorded
                       "remote": {"autorefresh": False, "clock": lambda: influx_last_point + 5.0}}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "v")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        view = app.query_one(RemoteMetricsView)
        table = view.query_one("#remote-fleet", DataTable)
        hosts = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert hosts == ["gpu-1", "gpu-2", "old-1"]
        help_rows = list(app._help_rows())
        assert any("metrics.remote.range" in str(row) for row in help_rows)
