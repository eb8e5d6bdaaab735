"""Metrics pane: local resources (psutil) and remote series (Prometheus/InfluxDB), in two views (v switches)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import AwaitMount

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.widgets.metrics.local import LocalMetricsView
from mlops_tui.widgets.metrics.processes import ProcessTable
from mlops_tui.widgets.pane import Pane, focus_now
from mlops_tui.widgets.viewtabs import ViewTabs


class MetricsPane(Pane):
    """Local resources and remote dashboards. Options: source= (a LocalSampler, e.g. a recording, for the
    Local view), remote={...} (options of the Remote view)."""

    DEFAULT_CSS = """
    MetricsPane { padding: 0 1; }
    MetricsPane > LocalMetricsView, MetricsPane > RemoteMetricsView { height: 1fr; }
    """
    BINDINGS = [
        Binding("v", "switch_view", "Local/Remote", id="metrics.view"),
        Binding("slash", "search", "Filter processes", id="metrics.filter"),
    ]
    VIEWS = {"metrics-local": "Local", "metrics-remote": "Remote"}

    def __init__(self, settings: MetricsSettings, **options) -> None:
        super().__init__(id="metrics-pane")
        self.settings = settings
        self.options = options
        self._remote_mount: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        yield ViewTabs(self.VIEWS, active="metrics-local", hint="v switches", id="metrics-views")
        yield LocalMetricsView(self.settings, source=self.options.get("source"), id="local-metrics")

    def on_mount(self) -> None:
        # The Remote view (and httpx behind it) is mounted after the first frame: it is hidden at start,
        # but mounted soon, so its sources report to the status line without being opened.
        self.call_after_refresh(self._mount_remote)

    def _mount_remote(self) -> AwaitMount:
        """Mount the (hidden) Remote view once; every caller gets the same awaitable."""
        if self._remote_mount is None:
            from mlops_tui.widgets.metrics.remote import RemoteMetricsView

            remote = RemoteMetricsView(self.settings, **self.options.get("remote", {}))
            remote.display = False
            self._remote_mount = self.mount(remote)
        return self._remote_mount

    @property
    def local(self) -> LocalMetricsView:
        return self.query_one(LocalMetricsView)

    @property
    def active_view(self) -> str:
        """"metrics-local" or "metrics-remote"."""
        return self.query_one("#metrics-views", ViewTabs).active

    async def show_view(self, view: str) -> None:
        """Show the Local or the Remote view and put the focus in it."""
        await self._mount_remote()
        self.query_one("#metrics-views", ViewTabs).active = view
        remote = self.query_one("#remote-metrics")
        self.local.display = view == "metrics-local"
        remote.display = view == "metrics-remote"
        if view == "metrics-local":
            self.focus_default()
            return
        remote_focus = getattr(remote, "focus_default", None)
        if callable(remote_focus):
            remote_focus()

    async def show_query(self, source: str, title: str, query: str, start: float, end: float) -> None:
        """The Remote view's chart of `query` from `source` over [start, end] (the Alerts pane's m key)."""
        await self.show_view("metrics-remote")
        remote = self.query_one("#remote-metrics")
        if not remote.show_query(source, title, query, start, end):
            self.notify(f"no metrics source named {source!r} to chart {query!r}", severity="error", markup=False)
        remote.focus_default()

    async def action_switch_view(self) -> None:
        await self.show_view("metrics-remote" if self.active_view == "metrics-local" else "metrics-local")

    async def on_view_tabs_picked(self, event: ViewTabs.Picked) -> None:
        event.stop()  # the app's row of pane names is a ViewTabs too
        await self.show_view(event.view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` filters the Local view's processes: not offered (not shown) while the Remote view is up."""
        if action == "search":
            return bool(self.query("#metrics-views")) and self.active_view == "metrics-local"
        return True

    async def action_search(self) -> None:
        """`/`: filter the process table by name (Local view)."""
        if self.active_view != "metrics-local":
            await self.show_view("metrics-local")
        await self.local.open_filter()

    def focus_default(self) -> None:
        focus_now(self.query_one(ProcessTable))
