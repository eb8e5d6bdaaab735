"""Logs pane: local files and search engines."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult

from mlops_tui.settings.logs import LogsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import Pane, SourceNote


class LogsPane(Pane):
    """Tail and search of log files."""

    def __init__(self, settings: LogsSettings, **kwargs) -> None:
        super().__init__(id="logs-pane")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote(id="logs-note")

    def on_mount(self) -> None:
        files = self.settings.files or [str(p) for p in sorted(Path("logs").glob("*.log"))]
        if files:
            status = SourceStatus.ok("logs.files", f"{len(files)} file(s)")
        else:
            status = SourceStatus.absent("logs.files", "no log files: put them in ./logs/ or set logs.files=[PATH,...]")
        self.query_one(SourceNote).show(status)
        self.report(status)
