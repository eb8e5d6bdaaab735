"""What every pane shares: a title row with its source status, and reporting that status to the app."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.widgets.text import literal


def focus_now(widget: Widget) -> None:
    """Give widget the focus before the next queued key is handled. `Widget.focus()` defers it behind what is
    already queued, so of `3/error` typed in one burst (fast, pasted, or sent by tmux) the letters went to
    the widget focused before and ran its bindings. The app handles pane keys and `/` first (priority
    bindings), and a pane gives the focus with this."""
    widget.screen.set_focus(widget)


class SourceNote(Static):
    """One line stating a source's status, and for an absent source how to configure it."""

    DEFAULT_CSS = """
    SourceNote { height: auto; padding: 0 1; color: $text-muted; }
    SourceNote.-failing { color: $error; }
    SourceNote.-stale { color: $warning; }
    SourceNote.-absent { color: $text-muted; text-style: italic; }
    """

    def show(self, status: SourceStatus) -> None:
        text = f"{status.name}: {status.state.value}"
        if status.reason:
            text += f" - {status.reason}"
        if status.hint:
            text += f"\n{status.hint}"
        self.update(literal(text))
        for state in SourceState:
            self.set_class(status.state is state, f"-{state.value}")


class Pane(Vertical):
    """Base of the five panes."""

    DEFAULT_CSS = """
    Pane { height: 1fr; }
    """

    def report(self, status: SourceStatus) -> None:
        """Tell the app (status line) how this pane's source is doing."""
        self.post_message(SourceStatusChanged(status))
