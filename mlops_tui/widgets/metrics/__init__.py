"""Metrics pane: local resources (psutil) and remote series (Prometheus/InfluxDB), in two tabs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import AwaitMount
from textual.widgets import TabbedContent, TabPane, Tabs

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.widgets.metrics.local import LocalMetricsView
from mlops_tui.widgets.metrics.processes import ProcessTable
from mlops_tui.widgets.pane import Pane


class MetricsPane(Pane):
    """Local resources and remote dashboards. Options: source= (a MetricSource, e.g. a recording, for the
    Local view), remote={...} (options of the Remote view)."""

    DEFAULT_CSS = """
    MetricsPane #metrics-views { height: 1fr; }
    MetricsPane #metrics-views > ContentSwitcher { height: 1fr; }
    MetricsPane #metrics-views TabPane { padding: 0; height: 1fr; }
    """
    BINDINGS = [
        Binding("v", "switch_view", "Local/Remote", id="metrics.view"),
        Binding("slash", "search", "Filter processes", id="metrics.filter"),
    ]

    def __init__(self, settings: MetricsSettings, **options) -> None:
        super().__init__(id="metrics-pane")
        self.settings = settings
        self.options = options
        self._remote_mount: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent(id="metrics-views", initial="metrics-local"):
            with TabPane("Local", id="metrics-local"):
                yield LocalMetricsView(self.settings, source=self.options.get("source"), id="local-metrics")
            yield TabPane("Remote", id="metrics-remote")

    def on_mount(self) -> None:
        # The Remote view (and httpx behind it) is mounted after the first frame: it is hidden at start,
        # but mounted soon, so its sources report to the status line without being opened.
        self.call_after_refresh(self._mount_remote)

    def _mount_remote(self) -> AwaitMount:
        """Mount the Remote view once; every caller gets the same awaitable."""
        if self._remote_mount is None:
            from mlops_tui.widgets.metrics.remote import RemoteMetricsView

            self._remote_mount = self.query_one("#metrics-remote", TabPane).mount(
                RemoteMetricsView(self.settings, **self.options.get("remote", {})))
        return self._remote_mount

    @property
    def local(self) -> LocalMetricsView:
        return self.query_one(LocalMetricsView)

    async def action_switch_view(self) -> None:
        await self._mount_remote()
        views = self.query_one("#metrics-views", TabbedContent)
        views.active = "metrics-remote" if views.active == "metrics-local" else "metrics-local"
        if views.active == "metrics-local":
            self.focus_default()
            return
        remote_focus = getattr(self.query_one("#remote-metrics"), "focus_default", None)
        if callable(remote_focus):
            remote_focus()
        else:  # keep the focus inside the pane so its keys (v back to Local) still work
            views.query_one(Tabs).focus()

    def action_search(self) -> None:
        """`/`: filter the process table by name (Local view)."""
        views = self.query_one("#metrics-views", TabbedContent)
        if views.active != "metrics-local":
            views.active = "metrics-local"
        self.local.open_filter()

    def focus_default(self) -> None:
        self.query_one(ProcessTable).focus()
