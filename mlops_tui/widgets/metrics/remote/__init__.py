"""Remote metrics: the fleet table and dashboards over the configured Prometheus/InfluxDB sources.

The poller (sources/metrics/remote/poller.py) owns the sources: their schedule, health and last good data;
`RemoteNavigation` (navigation.py beside it) holds where the view is. Each source's fetches run in its own
SourceFeed, so a slow or dead server delays only its own rows and panels. This view renders what they report
and turns keys into calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceState
from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSource, TimeRange, choose_step
from mlops_tui.sources.metrics.remote.navigation import RemoteNavigation
from mlops_tui.sources.metrics.remote.poller import RemotePoller
from mlops_tui.sources.timespec import parse_duration
from mlops_tui.widgets.metrics.remote.feed import ChartsJob, SourceFeed
from mlops_tui.widgets.metrics.remote.fleet import FleetTable
from mlops_tui.widgets.metrics.remote.grid import ChartGrid
from mlops_tui.widgets.metrics.remote.rangeinput import RangeInput
from mlops_tui.widgets.pane import SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize


class RemoteMetricsView(Vertical, can_focus=False):
    """Fleet table and dashboards over the configured Prometheus/InfluxDB sources.

    Options: `sources` (name -> RemoteSource, instead of opening the configured ones), `clock`
    (a time.time stand-in, for frozen snapshots), `autorefresh` (refresh every metrics.remote_refresh s).
    """

    DEFAULT_CSS = """
    RemoteMetricsView { height: 1fr; }
    RemoteMetricsView #remote-header { height: 1; padding: 0 1; background: $panel; color: $text; }
    RemoteMetricsView #remote-fleet { height: 1fr; }
    RemoteMetricsView #remote-charts { height: 1fr; display: none; }
    RemoteMetricsView.-charts #remote-fleet, RemoteMetricsView.-charts #remote-fleet-status { display: none; }
    RemoteMetricsView.-charts #remote-charts { display: block; }
    RemoteMetricsView #remote-fleet-status { height: auto; padding: 0 1; color: $warning; }
    """

    BINDINGS = [
        Binding("enter", "open_host", "Host charts", id="metrics.remote.open_host", show=False),
        Binding("escape", "fleet", "Fleet", id="metrics.remote.fleet"),
        Binding("d", "next_dashboard", "Dashboard", id="metrics.remote.dashboard"),
        Binding("n", "next_value", "Next $variable value", id="metrics.remote.variable"),
        Binding("s", "sort", "Sort", id="metrics.remote.sort"),
        Binding("t", "next_range", "Range", id="metrics.remote.range"),
        Binding("T", "custom_range", "Custom range", id="metrics.remote.custom_range"),
        Binding("plus", "zoom(0.5)", "Zoom in", id="metrics.remote.zoom_in"),
        Binding("minus", "zoom(2)", "Zoom out", id="metrics.remote.zoom_out"),
        Binding("left_square_bracket", "pan(-0.5)", "Earlier", id="metrics.remote.pan_back"),
        Binding("right_square_bracket", "pan(0.5)", "Later", id="metrics.remote.pan_forward"),
        Binding("r", "refresh", "Refresh", id="metrics.remote.refresh"),
    ]

    def __init__(self, settings: MetricsSettings, *, sources: Mapping[str, RemoteSource] | None = None,
                 clock: Callable[[], float] = time.time, autorefresh: bool = True, **options) -> None:
        super().__init__(id="remote-metrics")
        self.settings = settings
        self.clock = clock
        self.autorefresh = autorefresh
        self._given = sources
        self.poller: RemotePoller | None = None  # opened when composed: opening imports httpx
        self.feeds: dict[str, SourceFeed] = {}
        self.nav = RemoteNavigation(settings.dashboards, TimeRange(parse_duration(settings.time_range)))
        self._shown_status: tuple | None = None
        self.closing = False
        """Set on unmount: fetches still in flight are ignored."""

    def compose(self) -> ComposeResult:
        self.poller = RemotePoller.configured(self.settings, self._given, retrying=self.autorefresh,
                                              clock=self.clock)
        self.feeds = {name: SourceFeed(self.poller, name) for name in self.poller.sources}
        yield SourceNote(id="remote-note")
        yield Static(id="remote-header")
        yield RangeInput(id="remote-range-input")
        yield FleetTable(id="remote-fleet")
        yield Static(id="remote-fleet-status")
        yield ChartGrid(id="remote-charts")
        yield from self.feeds.values()

    def on_mount(self) -> None:
        self._show_status()
        self._update_header()
        self.refresh_all(force=True)
        if self.autorefresh and self.feeds:
            self.set_interval(min(1.0, self.settings.remote_refresh), self._tick)

    def on_unmount(self) -> None:
        # Leaving (or quitting) while a fetch runs: cancel it and ignore whatever it still posts. Closing the
        # clients under a running fetch made it fail, and its failure then looked for this view's children
        # after they were gone (a traceback naming RemoteMetricsView after the app quit).
        self.closing = True
        for feed in self.feeds.values():
            self.workers.cancel_node(feed)
        if self.poller is not None:
            self.poller.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key shows (and runs) only where it acts: Fleet on charts, sort with hosts, ranges on charts..."""
        if self.poller is None:
            return True
        return self.nav.acts(action, parameters, hosts=len(self.poller.rows()), sources=len(self.feeds))

    def focus_default(self) -> None:
        """Focus the fleet table, or the charts when they are shown (called by the Metrics pane)."""
        focus_now(self.query_one("#remote-charts" if self.nav.mode != "fleet" else "#remote-fleet"))

    @property
    def grid(self) -> ChartGrid:
        return self.query_one(ChartGrid)

    # -- refresh ------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.closing:
            return  # posted before the view was removed
        self.refresh_all(force=False)
        self._show_status()  # a failing source counts down to its next retry

    def refresh_all(self, force: bool) -> None:
        """Fetch what is shown from every source due (every source when forced)."""
        for name in self.poller.due(force):
            if self.nav.mode == "fleet":
                self.feeds[name].fetch_fleet(self.clock())
            elif items := self.grid.items_of(name):
                start, end = self.nav.time_range.bounds(self.clock)
                step = choose_step(end - start, max(30, self.size.width - 12))
                self.feeds[name].fetch_charts(ChartsJob(items, start, end, step, self.nav.query_variables(),
                                                        self.grid.generation))

    # -- results: the poller has recorded them; show what it reports ---------------------------------
    @on(SourceFeed.Fetched)
    def _fetched(self) -> None:
        if not self.closing:  # else posted before the view was removed
            self._fill_table()
            self._show_status()

    @on(SourceFeed.Failed)
    def _failed(self, message: SourceFeed.Failed) -> None:
        if not self.closing:
            status = self.poller.status(message.source)
            self.grid.mark_source(message.source, status.reason, status.since or self.clock())
            self._fill_table()
            self._show_status()

    @on(SourceFeed.ChartLoaded)
    def _chart_loaded(self, message: SourceFeed.ChartLoaded) -> None:
        if not self.closing and self.grid.show(message.generation, message.chart_id, message.series,
                                               message.start, message.end, self.nav.time_range.end is None):
            self._show_status()

    @on(SourceFeed.ChartFailed)
    def _chart_failed(self, message: SourceFeed.ChartFailed) -> None:
        if self.closing:
            return
        if message.query_only:  # the server is fine: only this panel says so
            self.grid.mark(message.generation, message.chart_id, message.reason, self.clock())
            return
        status = self.poller.status(message.source)
        if self.grid.mark(message.generation, message.chart_id, status.reason, status.since or self.clock()):
            self._fill_table()
            self._show_status()

    @on(SourceFeed.VariableValues)
    def _variable_values(self, message: SourceFeed.VariableValues) -> None:
        if not self.closing and self.nav.values_arrived(message.dashboard, message.name, message.values):
            self._update_header()
            self.refresh_all(force=True)

    def _show_status(self) -> None:
        status = self.poller.summary()
        shown = (status.name, status.state, status.reason, status.hint)
        if shown != self._shown_status:
            self._shown_status = shown
            self.query_one(SourceNote).show(status)
            if status.state not in (SourceState.ABSENT, SourceState.LOADING):  # the status line names sources
                self.post_message(SourceStatusChanged(status))  # that are configured and have answered

    def _fill_table(self) -> None:
        table = self.query_one(FleetTable)
        table.show(self.poller.rows(), self.poller.failing())
        reasons = [f"{sanitize(r.host)}: {sanitize(r.reason, 120)}" for r in table.rows_shown if r.reason]
        stale = [f"{sanitize(head)}: {sanitize(reason, 160)}" for head, reason in self.poller.stale_notes()]
        empty = self.poller.fleet_note()  # why there is no host, where there is none
        if empty and self.settings.dashboards:
            empty += "; d opens the dashboards"
        notes = ([sanitize(empty, 300)] if empty else []) + stale + reasons
        self.query_one("#remote-fleet-status", Static).update(literal("\n".join(notes[:4])))
        self._update_header()

    def _update_header(self) -> None:
        self.query_one("#remote-header", Static).update(literal(self.nav.header(len(self.poller.rows()))))
        self.refresh_bindings()  # where the view is, or how many hosts it has, decides which keys act

    def _show_charts(self, items: list[tuple[str, ChartSpec]]) -> None:
        self.poller.forget_series()
        self.grid.replace(items, self.poller.missing, self.clock())
        self.set_class(True, "-charts")
        self._update_header()
        self.refresh_all(force=True)

    # -- actions ------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#remote-fleet")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_host(*str(event.row_key.value).split("\x00", 1))

    def open_host(self, source: str, host: str) -> None:
        if source in self.poller.sources:
            self.nav.open_host(source, host)
            self._show_charts([(source, spec) for spec in self.poller.host_charts(source, host)])

    def show_query(self, source: str, title: str, query: str, start: float, end: float) -> bool:
        """A chart of `query` (PromQL or InfluxQL, as `source` speaks) over [start, end]; False when no
        source has that name. The range keys move on from there; esc goes back to the fleet."""
        if source not in self.poller.sources:
            return False
        self._show_charts(self.nav.open_query(source, title, query, start, end))
        return True

    def action_open_host(self) -> None:
        selected = self.query_one(FleetTable).selected_host()
        if self.nav.mode == "fleet" and selected is not None:
            self.open_host(*selected)

    def action_fleet(self) -> None:
        if self.nav.to_fleet():
            self.poller.forget_series()
            self.grid.replace([])
            self.set_class(False, "-charts")
            self._fill_table()
            self.refresh_all(force=True)

    def action_next_dashboard(self) -> None:
        if not self.settings.dashboards:
            self.notify("no dashboards: add metrics.dashboards to the settings", severity="warning")
            return
        dashboard = self.nav.next_dashboard()
        self._show_charts(self.nav.panels(dashboard))
        source = next((p.source for p in dashboard.panels if p.source in self.feeds), None)
        if dashboard.variables and source is not None:  # the values come from the first panel's source
            self.feeds[source].fetch_variables(dashboard.name, dict(dashboard.variables))

    def action_next_value(self) -> None:
        if self.nav.next_value():
            self._update_header()
            self.refresh_all(force=True)

    def action_sort(self) -> None:
        self.query_one(FleetTable).cycle_sort()

    def _set_range(self, time_range: TimeRange) -> None:
        self.nav.time_range = time_range
        self._update_header()
        if self.nav.mode != "fleet":
            self.refresh_all(force=True)

    def action_next_range(self) -> None:
        self._set_range(self.nav.time_range.next_preset())

    def action_zoom(self, factor: float) -> None:
        self._set_range(self.nav.time_range.zoom(factor))

    def action_pan(self, fraction: float) -> None:
        self._set_range(self.nav.time_range.pan(fraction, self.clock))

    def action_custom_range(self) -> None:
        self.query_one(RangeInput).ask()

    def on_range_input_picked(self, message: RangeInput.Picked) -> None:
        self.focus_default()
        if message.span is not None:
            self._set_range(TimeRange(message.span))

    def action_refresh(self) -> None:
        self.refresh_all(force=True)
