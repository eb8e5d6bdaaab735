"""Configs pane: structural diff, merge and validation."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult

from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import Pane, SourceNote


class ConfigsPane(Pane):
    """Config files: diff, merge with provenance, validation."""

    def __init__(self, settings: ConfigsSettings, **kwargs) -> None:
        super().__init__(id="configs-pane")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote(id="configs-note")

    def on_mount(self) -> None:
        found = [p for p in self.settings.paths if Path(p).exists()]
        if found:
            status = SourceStatus.ok("configs", ", ".join(found))
        else:
            status = SourceStatus.absent("configs", "no configs: create ./configs/ or set configs.paths=[PATH,...]")
        self.query_one(SourceNote).show(status)
        self.report(status)
