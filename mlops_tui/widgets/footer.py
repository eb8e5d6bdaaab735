"""The app's footer: Textual's, with the keys that must never be cut (`? Help`, `q Quit`) first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


class AppFooter(Footer):
    """Textual's Footer lists the focused widget's keys first and the app's last, so at 80 columns a pane
    with four keys of its own pushed `? Help` and `q Quit` off the right edge (Metrics, Models, Logs and
    Configs did). Here the app's ESSENTIAL actions come first, the pane's keys follow and are the ones cut."""

    ESSENTIAL = ("help", "quit")

    def compose(self) -> ComposeResult:
        keys = list(super().compose())  # (Footer yields its keys; grouped keys, which we do not use, it mounts)
        rank = {action: number for number, action in enumerate(self.ESSENTIAL)}
        first = sorted((k for k in keys if getattr(k, "action", None) in rank), key=lambda k: rank[k.action])
        yield from first
        yield from (k for k in keys if k not in first)
