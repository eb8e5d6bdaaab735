"""The status line: every configured source as ok / stale / failing, with the reason."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.widgets.text import sanitize

_STYLE = {
    SourceState.OK: "$success",
    SourceState.STALE: "$warning",
    SourceState.FAILING: "$error",
    SourceState.ABSENT: "$text-muted",
    SourceState.LOADING: "$text-muted",
}
_MARK = {
    SourceState.OK: "●",
    SourceState.STALE: "◐",
    SourceState.FAILING: "✖",
    SourceState.ABSENT: "○",
    SourceState.LOADING: "…",
}


class StatusLine(Static):
    """One line at the bottom listing the sources; failing ones say why."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $foreground; }
    StatusLine.-failing { background: $error 20%; }
    """

    def __init__(self, pane_order: Sequence[str] = (), **kwargs) -> None:
        """pane_order: pane ids; a source is listed by the pane its name starts with (`logs.files`), whatever
        order their workers answer in, then by name."""
        super().__init__("", **kwargs)
        self.statuses: dict[str, SourceStatus] = {}
        self.pane_order = list(pane_order)

    def _order(self, name: str) -> tuple[int, str]:
        prefix = name.split(".", 1)[0]
        order = self.pane_order
        return (order.index(prefix) if prefix in order else len(order), name)

    def set_status(self, status: SourceStatus) -> None:
        self.statuses[status.name] = status
        ordered = sorted(self.statuses.items(), key=lambda item: self._order(item[0]))
        self.statuses.clear()  # the same dict, re-ordered: callers may hold it
        self.statuses.update(ordered)
        self.set_class(any(s.state is SourceState.FAILING for s in self.statuses.values()), "-failing")
        self.update(self._render_line())

    def on_resize(self) -> None:
        self.update(self._render_line())

    def _render_line(self) -> Content:
        """Failing sources first, then stale, loading, ok, absent (pane order within each), so the name of a
        failing source is never the part a narrow terminal cuts off. Reasons are added, failing first, only
        while the whole line still fits the width; every name and state is always shown."""
        ranked = sorted(self.statuses.values(), key=lambda s: _RANK[s.state])
        width = self.size.width or 80
        reasons: dict[str, str] = {}
        used = sum(len(s.name) + len(s.state.value) + 4 for s in ranked) + 2 * max(0, len(ranked) - 1)
        for status in ranked:
            if status.state in (SourceState.FAILING, SourceState.STALE) and status.reason:
                room = width - used - 2
                if room >= 12:
                    reason = sanitize(status.reason).replace("\n", " ")
                    if len(reason) > min(80, room):
                        reason = reason[: min(80, room) - 1] + "…"
                    reasons[status.name] = reason
                    used += len(reason) + 2
        parts: list[tuple[str, str] | str] = []
        for index, status in enumerate(ranked):
            if index:
                parts.append("  ")
            style = _STYLE[status.state]
            parts.append((f"{_MARK[status.state]} ", style))
            parts.append(sanitize(status.name))
            parts.append(" ")
            parts.append((status.state.value, style))
            if status.name in reasons:
                parts.append(f": {reasons[status.name]}")
        return Content.assemble(*parts)


_RANK = {SourceState.FAILING: 0, SourceState.STALE: 1, SourceState.LOADING: 2, SourceState.OK: 3, SourceState.ABSENT: 4}
