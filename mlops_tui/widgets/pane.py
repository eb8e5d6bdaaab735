"""What every pane shares, and the house's one way to run I/O and to report a source's status.

**Workers.** All I/O runs in a named worker, `@work(thread=True, exclusive=True, group=..., exit_on_error=False)`
for blocking calls. The worker computes with the pane's model or source (plain Python on the data floor) and
*posts a result message* (a dataclass nested in the widget, see `mlops_tui.messages`); a handler applies it.
A worker's return value is never used: there is no dispatch on `Worker.StateChanged` by result type. A worker
that raises is handled in one place, `FailureReporter.on_worker_state_changed`, which calls `worker_failed`;
its default shows the failure as the widget's source status, and a widget overrides it to keep its last good
data and say more.

**Status.** A widget reports its source's state by posting `SourceStatusChanged(status)`; the message bubbles
through its pane to the app, which keeps the status line. Nothing walks its parents looking for a pane.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.widgets.text import literal


def focus_now(widget: Widget) -> None:
    """Give widget the focus before the next queued key is handled. `Widget.focus()` defers it behind what is
    already queued, so of `3/error` typed in one burst (fast, pasted, or sent by tmux) the letters went to
    the widget focused before and ran its bindings. The app handles pane keys and `/` first (priority
    bindings), and a pane gives the focus with this."""
    widget.screen.set_focus(widget)


def describe_failure(error: BaseException | None) -> str:
    """One line for a failed worker: the data floor's errors (and OSError, ValueError) carry a message meant for
    the user; anything else is a bug, named by its type."""
    if error is None:
        return "failed"
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    if isinstance(error, (OSError, ValueError)) or type(error).__module__.startswith("mlops_tui."):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class FailureReporter:
    """Mixin for a widget that runs workers: the one handler of their failures (see the module's text)."""

    source_name: str = ""
    """The name the status line gives this widget's source."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker, event.worker.error)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """Show a failed worker; the default reports the widget's source as failing."""
        assert isinstance(self, Widget)
        self.post_message(SourceStatusChanged(SourceStatus.failing(self.source_name or worker.group,
                                                                   describe_failure(error))))


class SourceNote(Static):
    """One line stating a source's status, and for an absent source how to configure it."""

    DEFAULT_CSS = """
    SourceNote { height: auto; padding: 0 1; color: $text-muted; }
    SourceNote.-failing { color: $error; text-style: bold; }
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


class Pane(FailureReporter, Vertical):
    """Base of the five panes."""

    DEFAULT_CSS = """
    Pane { height: 1fr; }
    """
