"""Messages that cross panes. A widget's own messages nest inside the widget."""

from __future__ import annotations

from textual.message import Message

from mlops_tui.sources.base import SourceStatus


class SourceStatusChanged(Message):
    """A pane's source changed state; the status line shows it."""

    def __init__(self, status: SourceStatus) -> None:
        super().__init__()
        self.status = status


class OpenConfigRevision(Message):
    """Ask the Configs pane to diff a config file between two git revisions (sent by the Models pane)."""

    def __init__(self, path: str, old_rev: str, new_rev: str) -> None:
        super().__init__()
        self.path = path
        self.old_rev = old_rev
        self.new_rev = new_rev
