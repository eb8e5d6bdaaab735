"""Helpers for widgets that draw themselves line by line (render_line) on every sample tick.

Textual's `DOMNode.rich_style` walks every ancestor on each call; a line-drawn widget that asks for it a
few times per line, per widget, per tick spends most of its paint there (bench/metrics_idle_cpu.py). The
widget's own style only changes when Textual re-applies styles, which it announces through
`notify_style_update` (theme, classes, pseudo-classes): that is when the cached one is dropped, the same
moment Textual drops its own component-style cache.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from mlops_tui.text import sanitize


class CachedBaseStyle:
    """Mixin for Widget subclasses: `base_style` is `rich_style`, and `component_style(name)` is
    `get_component_rich_style(name)`, each computed once per style change. (Textual keeps component styles
    too, but drops them on every `refresh()`, so a widget repainted each tick recomputed them each tick.)"""

    _base_style: Style | None = None
    _cached_component_styles: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()  # type: ignore[misc]
        self.forget_styles()

    def forget_styles(self) -> None:
        """Drop the cached styles (they are computed again on next use)."""
        self._base_style = None
        self._cached_component_styles = None

    def component_style(self, name: str) -> Style:
        """The Rich style of component class `name` (one of COMPONENT_CLASSES)."""
        if self._cached_component_styles is None:
            self._cached_component_styles = {}
        style = self._cached_component_styles.get(name)
        if style is None:
            style = self._cached_component_styles[name] = self.get_component_rich_style(name)  # type: ignore[attr-defined]
        return style

    @property
    def base_style(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style  # type: ignore[attr-defined]
        return self._base_style


class InfoLine(CachedBaseStyle, Widget):
    """One line of literal text that changes every tick: repainting it costs one Segment, not a Static's
    markup-free Content pipeline, and never a relayout."""

    DEFAULT_CSS = "InfoLine { height: 1; width: 1fr; }"

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = sanitize(text)

    def set_text(self, text: str) -> None:
        text = sanitize(text)
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        """The text as shown (tests and screen readers read it here)."""
        return Text(self.text, no_wrap=True)

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.base_style
        if y:
            return Strip.blank(width, style)
        return Strip([Segment(self.text, style)]).crop_extend(0, width, style)
