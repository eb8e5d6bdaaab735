"""Remote metrics: the fleet table and dashboards over the configured Prometheus/InfluxDB sources.

Each source is fetched in its own thread worker, so a slow or dead server delays only its own rows and
panels; failures keep the last good data, mark it stale with the reason and time, and back off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.metrics import Dashboard, MetricsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote import (
    ChartSpec,
    HostRow,
    RemoteSource,
    RemoteSeries,
    TimeRange,
    choose_step,
)
from mlops_tui.sources.metrics.remote.poller import SourceHealth
from mlops_tui.sources.metrics.remote.factory import SourceConfigError, open_source, source_names
from mlops_tui.sources.timespec import parse_duration
from mlops_tui.widgets.metrics.remote.chart import RemoteChart
from mlops_tui.widgets.metrics.remote.fleet import FleetTable
from mlops_tui.widgets.pane import FailureReporter, SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize

class RemoteMetricsView(FailureReporter, Vertical, can_focus=False):
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
    RemoteMetricsView #remote-range-input { display: none; height: 3; }
    RemoteMetricsView.-ask-range #remote-range-input { display: block; }
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

    @dataclass
    class FleetLoaded(Message):
        source: str
        rows: list[HostRow]

    @dataclass
    class ChartLoaded(Message):
        chart_id: str
        generation: int
        series: list[RemoteSeries]
        start: float
        end: float

    @dataclass
    class SourceFailed(Message):
        source: str
        reason: str
        chart_id: str | None = None
        generation: int = 0
        status: int | None = None

    @dataclass
    class VariableValues(Message):
        dashboard: str
        name: str
        values: list[str]

    def __init__(self, settings: MetricsSettings, *, sources: Mapping[str, RemoteSource] | None = None,
                 clock: Callable[[], float] = time.time, autorefresh: bool = True, **options) -> None:
        super().__init__(id="remote-metrics")
        self.settings = settings
        self.clock = clock
        self.autorefresh = autorefresh
        self._injected = dict(sources) if sources is not None else None
        self.sources: dict[str, RemoteSource] = {}
        self.open_errors: dict[str, str] = {}
        self.health: dict[str, SourceHealth] = {}
        self.fleet_rows: dict[str, list[HostRow]] = {}
        self.time_range = TimeRange(parse_duration(settings.time_range))  # validated by the settings
        self.mode = "fleet"  # fleet, host, dashboard
        self.host: tuple[str, str] | None = None  # (source, host) of the host charts
        self.dashboard_index = -1
        self.variables: dict[str, str] = {}
        self.variable_choices: dict[str, list[str]] = {}
        self.charts: dict[str, tuple[str, ChartSpec]] = {}  # chart id -> (source name, spec)
        self.generation = 0
        self.closing = False
        """Set on unmount: fetches still in flight are ignored."""

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SourceNote(id="remote-note")
        yield Static(id="remote-header")
        yield Input(placeholder="time range: 15m, 3h, 2d... (enter applies, esc cancels)", id="remote-range-input",
                    disabled=True)  # out of the focus chain until T asks for it
        yield FleetTable(id="remote-fleet")
        yield Static(id="remote-fleet-status")
        yield VerticalScroll(id="remote-charts")

    def on_mount(self) -> None:
        self._open_sources()
        note = self.query_one(SourceNote)
        if not self.sources and not self.open_errors:
            note.show(SourceStatus.absent(
                "metrics.remote", "no remote sources: add metrics.prometheus or metrics.influxdb to the settings"))
        elif self.open_errors:
            self._show_status()
        else:
            note.show(SourceStatus("metrics.remote", SourceState.LOADING, f"{len(self.sources)} source(s)"))
        self._update_header()
        self.refresh_all(force=True)
        if self.autorefresh and self.sources:
            self.set_interval(min(1.0, self.settings.remote_refresh), self._tick)

    def on_unmount(self) -> None:
        # Leaving (or quitting) while a fetch runs: cancel it and ignore whatever it still posts. Closing the
        # clients under a running fetch made it fail, and its failure then looked for this view's children
        # after they were gone (a traceback naming RemoteMetricsView after the app quit).
        self.closing = True
        self.workers.cancel_node(self)
        if self._injected is None:
            for source in self.sources.values():
                try:
                    source.close()
                except Exception:  # closing a client must not break leaving the pane
                    pass

    def _open_sources(self) -> None:
        if self._injected is not None:
            self.sources = dict(self._injected)
        else:
            for name in dict.fromkeys(source_names(self.settings)):
                try:
                    self.sources[name] = open_source(self.settings, name)
                except SourceConfigError as exc:
                    self.open_errors[name] = str(exc)
        for name in self.sources:
            self.health[name] = SourceHealth()

    def focus_default(self) -> None:
        """Focus the fleet table, or the charts when they are shown (called by the Metrics pane)."""
        target = "#remote-charts" if self.mode != "fleet" else "#remote-fleet"
        focus_now(self.query_one(target))

    # -- refresh ------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.closing:
            return  # posted before the view was removed
        self.refresh_all(force=False)

    def refresh_all(self, force: bool) -> None:
        now = time.monotonic()
        for name, source in self.sources.items():
            health = self.health[name]
            if not force and not health.is_due(now):
                continue
            health.refresh_started(now, self.settings.remote_refresh)
            if self.mode == "fleet":
                self.run_worker(lambda s=source: self._fetch_fleet(s), name=f"fleet:{name}",
                                group=f"metrics.remote.{name}", exclusive=True, thread=True, exit_on_error=False)
            else:
                self._fetch_source_charts(name, source)

    def _fetch_source_charts(self, name: str, source: RemoteSource) -> None:
        items = [(chart_id, spec) for chart_id, (src, spec) in self.charts.items() if src == name]
        if not items:
            return
        start, end = self.time_range.bounds(self.clock)
        width = max(30, self.size.width - 12)
        step = choose_step(end - start, width)
        variables = dict(self.variables)
        if self.mode == "host" and self.host is not None:
            variables["host"] = self.host[1]
        generation = self.generation
        self.run_worker(lambda: self._fetch_charts(source, items, start, end, step, variables, generation),
                        name=f"charts:{name}", group=f"metrics.remote.{name}", exclusive=True, thread=True,
                        exit_on_error=False)

    def _fetch_fleet(self, source: RemoteSource) -> None:
        try:
            rows = source.fleet(at=self.clock())
        except BackendError as exc:
            self.post_message(self.SourceFailed(source.name, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.FleetLoaded(source.name, rows))

    def _fetch_charts(self, source: RemoteSource, items: list[tuple[str, ChartSpec]], start: float, end: float,
                      step: float, variables: dict[str, str], generation: int) -> None:
        worker = get_current_worker()
        for chart_id, spec in items:
            if worker.is_cancelled:
                return
            try:
                series = source.range_query(spec.query, start, end, step, variables)
            except BackendError as exc:
                self.post_message(self.SourceFailed(source.name, str(exc), chart_id, generation, exc.status))
                continue
            self.post_message(self.ChartLoaded(chart_id, generation, series, start, end))

    def _fetch_variable(self, source: RemoteSource, dashboard: str, name: str, key: str) -> None:
        try:
            values = source.variable_values(key)
        except BackendError as exc:
            self.post_message(self.SourceFailed(source.name, f"${name}: {exc}"))
            return
        self.post_message(self.VariableValues(dashboard, name, values))

    # -- results ------------------------------------------------------------------------------
    @on(FleetLoaded)
    def _fleet_loaded(self, message: FleetLoaded) -> None:
        if self.closing:
            return  # posted before the view was removed
        self.fleet_rows[message.source] = message.rows
        self._source_ok(message.source)
        self._fill_table()

    @on(ChartLoaded)
    def _chart_loaded(self, message: ChartLoaded) -> None:
        if self.closing:
            return  # posted before the view was removed
        if message.generation != self.generation:
            return
        chart = self._chart(message.chart_id)
        source = self.charts.get(message.chart_id, ("", None))[0]
        if chart is not None:
            chart.show(message.series, message.start, message.end)
        if source and self.health.get(source, SourceHealth()).reason:
            self._source_ok(source)  # the server answers again

    @on(SourceFailed)
    def _source_failed(self, message: SourceFailed) -> None:
        if self.closing:
            return  # posted before the view was removed
        if message.chart_id is not None and message.generation != self.generation:
            return
        if message.chart_id is not None and message.status in (400, 422):
            # the panel's query is wrong, the server is fine: only that panel says so
            chart = self._chart(message.chart_id)
            if chart is not None:
                chart.mark_stale(message.reason, self.clock())
            return
        self._fail(message.source, message.reason, message.chart_id)

    @on(VariableValues)
    def _variable_values(self, message: VariableValues) -> None:
        if self.closing:
            return  # posted before the view was removed
        dashboard = self._dashboard()
        if dashboard is None or dashboard.name != message.dashboard:
            return
        self.variable_choices[message.name] = message.values
        if message.values and self.variables.get(message.name) not in message.values:
            self.variables[message.name] = message.values[0]
            self._update_header()
            self.refresh_all(force=True)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """A fetch raised something its source did not turn into a message: that source is failing."""
        if worker.group.startswith("metrics.remote."):
            source = worker.group.removeprefix("metrics.remote.").removesuffix(".variables")
            self._fail(source, f"{type(error).__name__}: {error}", None)

    def _source_ok(self, source: str) -> None:
        health = self.health.setdefault(source, SourceHealth())
        health.succeeded(time.monotonic(), self.settings.remote_refresh)
        self._show_status()

    def _fail(self, source: str, reason: str, chart_id: str | None) -> None:
        if self.closing:
            return  # posted before the view was removed
        health = self.health.setdefault(source, SourceHealth())
        now = self.clock()
        health.failed(reason, time.monotonic(), now, self.settings.remote_refresh)
        charts = [self._chart(chart_id)] if chart_id is not None else self._charts_of(source)
        for chart in charts:
            if chart is not None:
                chart.mark_stale(reason, now)
        self._fill_table()
        self._show_status()

    def _show_status(self) -> None:
        failing = {name: h for name, h in self.health.items() if h.reason}
        note = self.query_one(SourceNote)
        if self.open_errors:
            name, error = next(iter(self.open_errors.items()))
            status = SourceStatus.failing(f"metrics.{name}", error, "fix metrics.prometheus/metrics.influxdb")
        elif failing:
            name, health = next(iter(failing.items()))
            since = time.strftime("%H:%M:%S", time.localtime(health.since or self.clock()))
            has_data = bool(self.fleet_rows.get(name)) or any(c.loaded for c in self._charts_of(name))
            state = SourceState.STALE if has_data else SourceState.FAILING
            status = SourceStatus(f"metrics.{name}", state, f"{health.reason} (since {since}, retrying)")
        else:
            status = SourceStatus.ok("metrics.remote", ", ".join(self.sources))
        note.show(status)
        self.post_message(SourceStatusChanged(status))

    # -- fleet table --------------------------------------------------------------------------
    def _all_rows(self) -> list[HostRow]:
        return [row for rows in self.fleet_rows.values() for row in rows]

    def _fill_table(self) -> None:
        table = self.query_one(FleetTable)
        stale = {name for name, health in self.health.items() if health.reason}
        table.show(self._all_rows(), stale)
        reasons = [f"{sanitize(r.host)}: {sanitize(r.reason, 120)}" for r in table.rows_shown if r.reason]
        for name, health in self.health.items():
            if health.reason and self.fleet_rows.get(name):
                since = time.strftime("%H:%M:%S", time.localtime(health.since or self.clock()))
                reasons.insert(0, f"{name}: stale since {since}: {sanitize(health.reason, 160)}")
        self.query_one("#remote-fleet-status", Static).update(literal("\n".join(reasons[:4])))
        self._update_header()

    # -- charts -------------------------------------------------------------------------------
    def _chart(self, chart_id: str) -> RemoteChart | None:
        try:
            return self.query_one(f"#{chart_id}", RemoteChart)
        except Exception:  # replaced by a newer set of charts
            return None

    def _charts_of(self, source: str) -> list[RemoteChart]:
        return [chart for chart_id, (src, _) in self.charts.items() if src == source
                for chart in [self._chart(chart_id)] if chart is not None]

    def _show_charts(self, items: list[tuple[str, ChartSpec]]) -> None:
        self.generation += 1
        container = self.query_one("#remote-charts", VerticalScroll)
        container.remove_children()
        self.charts = {f"remote-chart-{self.generation}-{i}": item for i, item in enumerate(items)}
        container.mount_all([RemoteChart(spec, id=chart_id) for chart_id, (_, spec) in self.charts.items()])
        for chart_id, (source, _) in self.charts.items():
            if source not in self.sources:
                reason = self.open_errors.get(source) or f"no metrics source named {source!r}"
                self.call_after_refresh(self._mark_missing, chart_id, reason)
        self.set_class(True, "-charts")
        self._update_header()
        self.refresh_all(force=True)

    def _mark_missing(self, chart_id: str, reason: str) -> None:
        chart = self._chart(chart_id)
        if chart is not None:
            chart.mark_stale(reason, self.clock())

    def _dashboard(self) -> Dashboard | None:
        if self.mode != "dashboard" or not self.settings.dashboards:
            return None
        return self.settings.dashboards[self.dashboard_index % len(self.settings.dashboards)]

    def _update_header(self) -> None:
        if self.mode == "fleet":
            hosts = len(self._all_rows())
            text = f"Fleet · {hosts} host(s) · {self.time_range.label()} · s sort · enter charts · d dashboards"
        elif self.mode == "host" and self.host is not None:
            text = f"Host {self.host[1]} ({self.host[0]}) · {self.time_range.label()} · esc fleet"
        else:
            dashboard = self._dashboard()
            name = dashboard.name if dashboard else "?"
            chosen = " ".join(f"${k}={v}" for k, v in self.variables.items())
            text = f"Dashboard {name} · {chosen + ' · ' if chosen else ''}{self.time_range.label()} · n next value"
        self.query_one("#remote-header", Static).update(literal(text))

    # -- actions ------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#remote-fleet")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_host(*str(event.row_key.value).split("\x00", 1))

    @on(DataTable.HeaderSelected, "#remote-fleet")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.query_one(FleetTable).sort_by(event.column_index)

    def open_host(self, source: str, host: str) -> None:
        backend = self.sources.get(source)
        if backend is None:
            return
        self.mode, self.host = "host", (source, host)
        self._show_charts([(source, spec) for spec in backend.host_charts(host)])

    def action_open_host(self) -> None:
        selected = self.query_one(FleetTable).selected_host()
        if self.mode == "fleet" and selected is not None:
            self.open_host(*selected)

    def action_fleet(self) -> None:
        if self.has_class("-ask-range"):
            self._close_range_input()
            return
        if self.mode == "fleet":
            return
        self.mode, self.host = "fleet", None
        self.generation += 1
        self.charts = {}
        self.query_one("#remote-charts", VerticalScroll).remove_children()
        self.set_class(False, "-charts")
        self._fill_table()
        self.refresh_all(force=True)

    def action_next_dashboard(self) -> None:
        if not self.settings.dashboards:
            self.notify("no dashboards: add metrics.dashboards to the settings", severity="warning")
            return
        self.dashboard_index = (self.dashboard_index + 1) % len(self.settings.dashboards)
        self.mode = "dashboard"
        dashboard = self.settings.dashboards[self.dashboard_index]
        self.variables, self.variable_choices = {}, {}
        items = [(panel.source, ChartSpec(panel.title, panel.query, panel.unit, panel.legend, panel.warning,
                                          panel.critical)) for panel in dashboard.panels]
        self._show_charts(items)
        for name, key in dashboard.variables.items():
            source_name = next((p.source for p in dashboard.panels if p.source in self.sources), None)
            if source_name is not None:
                source = self.sources[source_name]
                self.run_worker(lambda s=source, n=name, k=key: self._fetch_variable(s, dashboard.name, n, k),
                                name=f"variable:{name}", group=f"metrics.remote.{source_name}.variables",
                                thread=True, exit_on_error=False)

    def action_next_value(self) -> None:
        if not self.variable_choices:
            return
        name = next(iter(self.variable_choices))
        values = self.variable_choices[name]
        if values:
            current = self.variables.get(name)
            index = (values.index(current) + 1) % len(values) if current in values else 0
            self.variables[name] = values[index]
            self._update_header()
            self.refresh_all(force=True)

    def action_sort(self) -> None:
        self.query_one(FleetTable).cycle_sort()

    def _set_range(self, time_range: TimeRange) -> None:
        self.time_range = time_range
        self._update_header()
        if self.mode != "fleet":
            self.refresh_all(force=True)

    def action_next_range(self) -> None:
        self._set_range(self.time_range.next_preset())

    def action_zoom(self, factor: float) -> None:
        self._set_range(self.time_range.zoom(factor))

    def action_pan(self, fraction: float) -> None:
        self._set_range(self.time_range.pan(fraction, self.clock))

    def action_custom_range(self) -> None:
        self.set_class(True, "-ask-range")
        field = self.query_one("#remote-range-input", Input)
        field.disabled = False
        field.clear()
        field.focus()

    @on(Input.Submitted, "#remote-range-input")
    def _custom_range(self, event: Input.Submitted) -> None:
        try:
            span = parse_duration(event.value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self._close_range_input()
        self._set_range(TimeRange(span))

    def _close_range_input(self) -> None:
        self.set_class(False, "-ask-range")
        self.query_one("#remote-range-input", Input).disabled = True
        self.focus_default()

    def action_refresh(self) -> None:
        self.refresh_all(force=True)
