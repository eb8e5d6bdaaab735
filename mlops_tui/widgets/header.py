"""The app's header: icon, title and a clock that repaints once a minute, not once a second.

Textual's HeaderClock shows seconds and so forces a frame every second of its own; at rest that frame
alone is a quarter of the app's idle CPU (bench/metrics_idle_cpu.py). Hours and minutes are what an
on-call glance needs. Textual's Header cannot take another clock without its private parts
(its private header module), so the header is built here from public widgets, looking as Textual's does.
"""

from __future__ import annotations

import time
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.events import Click
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static


class HeaderIcon(Widget):
    """The icon on the left; a click opens the command palette (as in Textual's header)."""

    DEFAULT_CSS = """
    HeaderIcon {
        dock: left;
        padding: 0 1;
        width: 8;
        content-align: left middle;
    }
    HeaderIcon:hover {
        background: $foreground 10%;
    }
    """

    def __init__(self, icon: str) -> None:
        super().__init__()
        self.icon = icon

    def render(self) -> str:
        return self.icon

    def on_mount(self) -> None:
        if self.app.ENABLE_COMMAND_PALETTE:
            self.tooltip = "Open the command palette"
        else:
            self.disabled = True

    async def on_click(self, event: Click) -> None:
        event.stop()
        await self.run_action("app.command_palette")


class HeaderTitle(Static):
    """Title and sub-title, centred."""

    DEFAULT_CSS = """
    HeaderTitle {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        content-align: center middle;
        width: 100%;
    }
    """


class ClockSpace(Widget):
    """The space the clock takes on the right (kept when the clock is off, so the title stays centred)."""

    DEFAULT_CSS = """
    ClockSpace {
        dock: right;
        width: 10;
        padding: 0 1;
    }
    """

    def render(self) -> str:
        return ""


class MinuteClock(ClockSpace):
    """HH:MM on the right of the header, repainted on each minute boundary."""

    DEFAULT_CSS = """
    MinuteClock {
        background: $foreground-darken-1 5%;
        color: $foreground;
        text-opacity: 85%;
        content-align: center middle;
    }
    """

    def on_mount(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self.set_timer(60.05 - time.time() % 60, self._tick, name="header clock minute")

    def _tick(self) -> None:
        self.refresh()
        self._schedule()  # re-aimed at the next boundary each time, so it never drifts

    def render(self) -> Text:
        return Text(datetime.now().strftime("%H:%M"))


class AppHeader(Widget):
    """The header: docked on top, one line (a click makes it three, as Textual's does)."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
    }
    AppHeader.-tall {
        height: 3;
    }
    """

    tall: reactive[bool] = reactive(False)

    def __init__(self, show_clock: bool = False, *, icon: str = "⭘", id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_clock = show_clock
        self.icon = icon

    def compose(self) -> ComposeResult:
        yield HeaderIcon(self.icon)
        yield HeaderTitle()
        yield MinuteClock() if self.show_clock else ClockSpace()

    def watch_tall(self, tall: bool) -> None:
        self.set_class(tall, "-tall")

    def on_click(self) -> None:
        self.toggle_class("-tall")

    def on_mount(self) -> None:
        for obj in (self.app, self.screen):
            self.watch(obj, "title", self._show_title)
            self.watch(obj, "sub_title", self._show_title)

    def _show_title(self) -> None:
        try:
            screen = self.screen
        except NoScreen:  # the header is being removed
            return
        title = screen.title if screen.title is not None else self.app.title
        sub_title = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        self.query_one(HeaderTitle).update(self.app.format_title(title, sub_title))

    def set_clock(self, shown: bool) -> None:
        """Show or hide the clock (the app knows whether it is wanted only once its settings are read)."""
        if shown != self.show_clock:
            self.show_clock = shown
            self.query_one(ClockSpace).remove()
            self.mount(MinuteClock() if shown else ClockSpace())
