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
    SourceState.FAILING: "bold $error",  # bold: a failing source stands out without colour (NO_COLOR)
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
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $foreground;
                 text-wrap: nowrap; text-overflow: ellipsis; }
    StatusLine.-failing { background: $error 20%; }
    """

    def __init__(self, pane_order: Sequence[str] = (), **kwargs) -> None:
        """pane_order: pane ids; a source is listed by the pane its name starts with (`logs.files`), whatever
        order their workers answer in, then by name."""
        super().__init__("", **kwargs)
        self.statuses: dict[str, SourceStatus] = {}
        self.pane_order = list(pane_order)
        self.alerts: tuple[int, str] = (0, "")
        """Firing alerts and their worst severity, shown first (the Alerts pane sends them)."""

    def set_alerts(self, count: int, severity: str) -> None:
        self.alerts = (count, severity)
        self.update(self._render_line())

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
        """One row that never wraps (a second row would be hidden). Failing sources first, then stale,
        loading, ok, absent (pane order within each): every failing and stale name is shown whole before
        anything else, their reasons next while they fit, then the other sources one by one while they fit,
        and those that do not are counted at the end (`+2 ok`), so a narrow terminal cuts the healthy part."""
        ranked = sorted(self.statuses.values(), key=lambda s: _RANK[s.state])
        width = max(20, self.size.width or 78)  # the content width: the padding is already out
        alerts: list[tuple[str, str] | str] = []
        if self.alerts[0]:
            # The severity is spelled out: it still says how bad without colour (NO_COLOR)
            count, severity = self.alerts
            alerts = [(f"▲ {count} firing {severity}", _ALERT_STYLE.get(severity, "bold")), "  "]
            width = max(20, width - sum(len(part if isinstance(part, str) else part[0]) for part in alerts))
        urgent = [s for s in ranked if s.state in (SourceState.FAILING, SourceState.STALE)]
        calm = [s for s in ranked if s not in urgent]
        entry = {s.name: len(s.name) + len(s.state.value) + 3 for s in ranked}  # "✖ name failing"
        used = sum(entry[s.name] for s in urgent) + 2 * max(0, len(urgent) - 1)
        terse = used > width  # names alone: the mark (✖ ◐) and the colour still say which state
        if terse:
            used -= sum(len(s.state.value) + 1 for s in urgent)
            cut: list[SourceStatus] = []
            while len(urgent) > 1 and used > width:
                cut.insert(0, urgent.pop())
                used -= len(cut[0].name) + 4
                used = used - (len(self._counted(cut[1:])) + 2 if len(cut) > 1 else 0) + len(self._counted(cut)) + 2
            calm = cut + calm  # the failing names that do not fit are counted (`+2 failing`)
        # kept from the reasons: room to list every calm source when that is modest, else to count them
        listing = sum(entry[s.name] + 2 for s in calm)
        summary_room = listing if listing <= max(12, width // 3) else 12 if calm else 0
        reasons: dict[str, str] = {}
        for status in urgent:
            room = width - used - 2 - summary_room
            if status.reason and room >= 12:
                reason = sanitize(status.reason).replace("\n", " ")
                if len(reason) > min(80, room):
                    reason = reason[: min(80, room) - 1] + "…"
                reasons[status.name] = reason
                used += len(reason) + 2
        listed = list(urgent)
        for number, status in enumerate(calm):
            rest = calm[number + 1:]
            room = width - used - (2 if listed else 0) - (len(self._counted(rest)) + 2 if rest else 0)
            if entry[status.name] > room:
                break
            listed.append(status)
            used += entry[status.name] + (2 if len(listed) > 1 else 0)
        counted = [s for s in calm if s not in listed]
        parts: list[tuple[str, str] | str] = []
        for index, status in enumerate(listed):
            if index:
                parts.append("  ")
            style = _STYLE[status.state]
            parts.append((f"{_MARK[status.state]} ", style))
            parts.append(sanitize(status.name))
            if not (terse and status in urgent):
                parts.append(" ")
                parts.append((status.state.value, style))
            if status.name in reasons:
                parts.append(f": {reasons[status.name]}")
        if counted:
            room = width - used - (2 if listed else 0)
            summary = self._counted(counted)
            summary = summary if len(summary) <= room else f"+{len(counted)}" if len(str(len(counted))) < room else ""
            if summary:
                parts.append(("  " if listed else "") + summary)
        return Content.assemble(*alerts, *parts)

    @staticmethod
    def _counted(statuses: Sequence[SourceStatus]) -> str:
        """Sources left out for room, counted by state: `+3 ok +1 absent`."""
        counts: dict[str, int] = {}
        for status in statuses:
            counts[status.state.value] = counts.get(status.state.value, 0) + 1
        return " ".join(f"+{count} {state}" for state, count in counts.items())


_ALERT_STYLE = {"critical": "bold reverse $error", "warning": "bold $warning", "info": "bold $accent"}
_RANK = {SourceState.FAILING: 0, SourceState.STALE: 1, SourceState.LOADING: 2, SourceState.OK: 3, SourceState.ABSENT: 4}
