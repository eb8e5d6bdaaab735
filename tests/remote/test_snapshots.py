"""SVG snapshots of the Remote tab at 80x24 and 160x48, from a recording with the clock frozen."""

from __future__ import annotations

import pytest
from remote.recorded import NOW, RecordedMetrics
from textual.app import App, ComposeResult

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.widgets.metrics.remote import RemoteMetricsView

SIZES = [(80, 24), (160, 48)]
DASHBOARD = {"name": "ML serving", "variables": {"instance": "instance"}, "panels": [
    {"title": "Latency p95", "source": "prom", "query": "p95", "unit": "s", "warning": 60, "critical": 85},
    {"title": "Request rate", "source": "prom", "query": "rps", "unit": "req/s", "legend": "{{instance}}"},
    {"title": "Error rate", "source": "prom", "query": "errors", "unit": "%"},
]}


class RemoteApp(App):
    def __init__(self, **options) -> None:
        super().__init__()
        self.options = options

    def compose(self) -> ComposeResult:
        settings = MetricsSettings.model_validate({"dashboards": [DASHBOARD]})
        yield RemoteMetricsView(settings, **self.options)


pytestmark = pytest.mark.usefixtures("utc")  # the frozen clock is shown as 08:00:00


def app(source: RecordedMetrics | None = None) -> RemoteApp:
    return RemoteApp(sources={"prom": source or RecordedMetrics()}, clock=lambda: NOW, autorefresh=False)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fleet(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("s", "s", "s")  # by CPU, biggest first
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_host_charts(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_with_a_stale_panel(snap_compare, size):
    source = RecordedMetrics()

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        source.failing.add("errors")  # the error-rate panel's server now times out
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(app(source), terminal_size=size, run_before=run_before)
