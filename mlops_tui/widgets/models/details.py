"""The Models pane's side of one artifact: title, training frequency, history and versions tables, and the
params/metrics of the version under the cursor. Workers post DetailsLoaded / VersionLoaded; the model
(sources/models/controller.ModelsModel) says whether a result still answers the latest request."""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.widgets import DataTable, Sparkline, Static

from mlops_tui.sources.models import ModelRepository, ModelsError
from mlops_tui.sources.models.controller import ArtifactDetails
from mlops_tui.widgets.models import rows
from mlops_tui.widgets.text import literal


class DetailsView:
    """Mixin of ModelsPane (which holds `model`, `settings`, `now` and the DetailsLoaded/VersionLoaded messages)."""

    @work(exclusive=True, group="models-details", exit_on_error=False, thread=True, name="models.details")
    def load_details(self, source: ModelRepository, name: str, now: datetime) -> None:
        self.post_message(self.DetailsLoaded(self.model.fetch_details(source, name, now)))

    @work(exclusive=True, group="models-version", exit_on_error=False, thread=True, name="models.version")
    def load_version(self, source: ModelRepository, name: str, version: str, commit: str) -> None:
        self.post_message(self.VersionLoaded(name, version, source.details_at(commit)))

    def _show_details(self, details: ArtifactDetails) -> None:
        art = details.artifact
        title = literal(details.name, style="bold")
        if art is not None:
            facts = [art.path or "no tracked path", art.type or "", (art.md5 or "")[:8], rows.size(art.size)]
            if art.nfiles:
                facts.append(f"{art.nfiles} files")
            title.append_text(literal("  " + "  ".join(f for f in facts if f and f != "-")))
            if art.desc:
                title.append_text(literal(f"\n{art.desc}", style="italic", limit=200))
        if details.entry is not None:
            current = rows.stages_text(details.entry)
            title.append_text(literal(f"\nlatest {details.entry.latest or '-'}  stages {current}"))
        self.query_one("#models-title", Static).update(title)
        freq = details.frequency
        self.query_one("#models-spark", Sparkline).data = freq.gaps_days if freq and freq.gaps_days else [0]
        label = self.query_one("#models-freq", Static)
        label.update(literal(rows.frequency_text(freq, self.settings.stale_after_days)))
        label.set_class(bool(freq and freq.stale), "-stale")
        history = self.query_one("#models-history", DataTable)
        history.clear()
        now = self.now()
        for i, h in enumerate(details.history):
            history.add_row(*rows.history_row(h, now), key=f"{i}:{h.commit}")
        versions = self.query_one("#models-versions", DataTable)
        versions.clear()
        if details.entry is not None:
            for v in details.entry.versions:
                versions.add_row(*rows.version_row(v), key=v.version)

    def _version_panel(self, text: str) -> None:
        self.query_one("#models-version-details", Static).update(literal(text))

    def _version_failed(self, error: ModelsError) -> None:
        name, version = self.model.version_request or ("", "")
        if name == self.model.selected:
            self._version_panel(f"{version}: {error.message}")
