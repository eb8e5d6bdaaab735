"""The app's header: Textual's Header with a clock that repaints once a minute, not once a second.

Textual's HeaderClock shows seconds and so forces a frame every second of its own; at rest that frame
alone is a quarter of the app's idle CPU (bench/metrics_idle_cpu.py). Hours and minutes are what an
on-call glance needs.
"""

from __future__ import annotations

import time
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.events import Mount
from textual.widgets import Header
# Header's parts are not re-exported by textual.widgets; pyproject bounds textual to 8.x, where they live here
from textual.widgets._header import HeaderClockSpace, HeaderIcon, HeaderTitle


class MinuteClock(HeaderClockSpace):
    """HH:MM on the right of the header, repainted on each minute boundary."""

    DEFAULT_CSS = """
    MinuteClock {
        background: $foreground-darken-1 5%;
        color: $foreground;
        text-opacity: 85%;
        content-align: center middle;
    }
    """

    def _on_mount(self, event: Mount) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self.set_timer(60.05 - time.time() % 60, self._tick, name="header clock minute")

    def _tick(self) -> None:
        self.refresh()
        self._schedule()  # re-aimed at the next boundary each time, so it never drifts

    def render(self) -> Text:
        return Text(datetime.now().strftime("%H:%M"))


class AppHeader(Header):
    """Header whose clock (when shown) ticks per minute."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield HeaderTitle()
        yield MinuteClock() if self._show_clock else HeaderClockSpace()

    def set_clock(self, shown: bool) -> None:
        """Show or hide the clock (the app knows whether it is wanted only once its settings are read)."""
        if shown != self._show_clock:
            self._show_clock = shown
            self.query_one(HeaderClockSpace).remove()
            self.mount(MinuteClock() if shown else HeaderClockSpace())
