"""Models pane: DVC and GTO versions."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult

from mlops_tui.settings.models import ModelsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import Pane, SourceNote


class ModelsPane(Pane):
    """Artifacts, versions, stages and history of the DVC/GTO repository."""

    def __init__(self, settings: ModelsSettings, **kwargs) -> None:
        super().__init__(id="models-pane")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote(id="models-note")

    def on_mount(self) -> None:
        repo = Path(self.settings.repo).resolve()
        if (repo / ".git").exists():
            status = SourceStatus.ok("models.repo", str(repo))
        else:
            status = SourceStatus.absent(
                "models.repo", f"{repo} is not a git repository: run in one, or set models.repo=PATH"
            )
        self.query_one(SourceNote).show(status)
        self.report(status)
