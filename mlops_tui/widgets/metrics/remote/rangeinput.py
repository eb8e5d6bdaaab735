"""The box `T` opens to type a time range (15m, 3h, 2d...): enter applies, escape cancels."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from mlops_tui.sources.timespec import parse_duration


class RangeInput(Input):
    """Hidden and out of the focus chain until asked; a typed range is posted as Picked(span), escape posts
    Picked(None)."""

    DEFAULT_CSS = """
    RangeInput { display: none; height: 3; }
    RangeInput.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="metrics.remote.range_cancel", show=False)]

    @dataclass
    class Picked(Message):
        span: float | None

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="time range: 15m, 3h, 2d... (enter applies, esc cancels)", disabled=True,
                         **kwargs)

    @property
    def asking(self) -> bool:
        return self.has_class("-shown")

    def ask(self) -> None:
        self.add_class("-shown")
        self.disabled = False
        self.clear()
        self.focus()

    def _close(self, span: float | None) -> None:
        self.remove_class("-shown")
        self.disabled = True
        self.post_message(self.Picked(span))

    def action_cancel(self) -> None:
        self._close(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            span = parse_duration(event.value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self._close(span)
