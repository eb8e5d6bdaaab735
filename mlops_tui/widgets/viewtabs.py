"""A one-line row naming a pane's views, the shown one highlighted.

Where a pane has two or three views switched by a key, Textual's TabbedContent costs a dozen widgets, an
underline row and about 14 ms of the start-up (`bench/startup.py`, the Metrics pane's Local/Remote); this is
one widget and one row. The pane owns the views and decides what a switch does; a click on a name asks it.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from mlops_tui.widgets.lines import CachedBaseStyle


class ViewTabs(CachedBaseStyle, Widget):
    """Names of views (id -> label); `active` is the id of the shown one."""

    DEFAULT_CSS = """
    ViewTabs { height: 1; width: 1fr; }
    ViewTabs > .viewtabs--active { color: $accent; text-style: bold underline; }
    ViewTabs > .viewtabs--inactive { color: $text-muted; }
    ViewTabs > .viewtabs--hint { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"viewtabs--active", "viewtabs--inactive", "viewtabs--hint"}

    class Picked(Message):
        """A view's name was clicked."""

        def __init__(self, tabs: ViewTabs, view: str) -> None:
            super().__init__()
            self.tabs, self.view = tabs, view

        @property
        def control(self) -> ViewTabs:
            """The row clicked (so handlers can select it: @on(ViewTabs.Picked, "#id"))."""
            return self.tabs

    def __init__(self, views: Mapping[str, str], active: str, hint: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.views = dict(views)
        self._active = active
        self.hint = hint

    @property
    def active(self) -> str:
        return self._active

    @active.setter
    def active(self, view: str) -> None:
        if view not in self.views:
            raise ValueError(f"unknown view {view!r}")
        if view != self._active:
            self._active = view
            self.refresh()

    def _spans(self) -> list[tuple[str, str, int, int]]:
        """(view id, text, first column, end column) of each name."""
        spans, x = [], 0
        for view, label in self.views.items():
            text = f" {label} "
            spans.append((view, text, x, x + len(text)))
            x += len(text) + 1
        return spans

    def render(self) -> Text:
        """The row as plain text (what tests and screen readers read)."""
        names = " ".join(text for _, text, _, _ in self._spans())
        return Text(f"{names}  {self.hint}".rstrip(), no_wrap=True)

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.base_style
        if y:
            return Strip.blank(width, base)
        segments = []
        for view, text, _, _ in self._spans():
            name = "viewtabs--active" if view == self._active else "viewtabs--inactive"
            segments += [Segment(text, base + self.component_style(name)), Segment(" ", base)]
        if self.hint:
            segments.append(Segment(" " + self.hint, base + self.component_style("viewtabs--hint")))
        return Strip(segments).crop_extend(0, width, base)

    def on_click(self, event: events.Click) -> None:
        for view, _, start, end in self._spans():
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Picked(self, view))
                return
