"""The Logs pane's switch between its files and each configured Elasticsearch/OpenSearch cluster (`v`).

The cluster view itself (widgets/logs/cluster.py, and the search-engine client under it, httpx included) is
imported only when a cluster is configured: a pane of files alone starts without it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_tui.widgets.logs.cluster import ClusterPanel


class ClusterSwitch:
    """LogsPane mixin: `v` shows the files, then each configured cluster in turn. While a cluster shows,
    the file keys are hidden and `/` goes to the cluster's query bar."""

    FILE_ACTIONS = {"ask", "patterns", "hit", "toggle_filter", "level", "detail", "copy", "clear"}
    cluster_at: int | None = None

    def cluster_panels(self, settings) -> list[ClusterPanel]:
        """One panel per configured cluster (built here; nothing is asked of a cluster until it is shown)."""
        engines = [*settings.elasticsearch, *settings.opensearch]
        if not engines:
            self._panels: list[ClusterPanel] = []
            return []
        from mlops_tui.sources.logs.search_engine import open_source
        from mlops_tui.widgets.logs.cluster import ClusterPanel

        panels = []
        for engine in engines:
            try:
                source = open_source(settings, engine.name)
            except Exception:  # unusable TLS settings: the CLI names them; the pane skips the cluster
                continue
            panel = ClusterPanel(source, id=f"cluster-{len(panels)}")
            panel.display = False
            panels.append(panel)
        self._panels = panels
        return panels

    @property
    def clusters(self) -> list[ClusterPanel]:
        return getattr(self, "_panels", [])

    def action_next_source(self) -> None:
        panels = self.clusters
        if not panels:
            return
        at = 0 if self.cluster_at is None else self.cluster_at + 1
        self._show_cluster(at if at < len(panels) else None)

    def show_cluster_window(self, name: str, search: str, start: datetime, end: datetime) -> bool:
        """The cluster called `name` over start..end with the KQL `search` (an alert's window); False when no
        cluster of the pane has that name."""
        panels = self.clusters
        at = next((i for i, panel in enumerate(panels) if panel.source.endpoint.name == name), None)
        if at is None:
            return False
        self._show_cluster(at, search=False)
        panels[at].run(panels[at].model.over(search, start, end))
        return True

    def _show_cluster(self, at: int | None, search: bool = True) -> None:
        """Show the cluster at `at` (None: the files); a cluster shown the first time searches unless told not to."""
        panels = self.clusters
        self.cluster_at = at
        for i, panel in enumerate(panels):
            panel.display = i == self.cluster_at
        for name in ("#logs-view", "#logs-bar", "#logs-note"):
            widget = self.query_one(name)
            if self.cluster_at is None:
                widget.styles.clear_rule("display")
            else:
                widget.styles.display = "none"
        if self.cluster_at is None:
            self.view.focus()
        else:
            panel = panels[self.cluster_at]
            if search and panel.model.generation == 0:  # first shown: search (the probe only asked GET /)
                panel.run()
            panel.focus_default()
        self.refresh_bindings()

    @property
    def cluster(self) -> ClusterPanel | None:
        if self.cluster_at is None:
            return None
        panels = self.clusters
        return panels[self.cluster_at] if self.cluster_at < len(panels) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_source":
            return bool(self.clusters)
        if self.cluster_at is not None and action in self.FILE_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def action_search(self) -> None:
        cluster = self.cluster
        if cluster is not None:
            cluster.focus_query()
        else:
            super().action_search()

    def focus_default(self) -> None:
        cluster = self.cluster
        if cluster is not None:
            cluster.focus_default()
        else:
            super().focus_default()
