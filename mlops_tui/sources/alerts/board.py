"""What the Alerts pane lists, computed from the engine's views, the silences and the acknowledgements.

One row per alert (a rule without alerts: one row for the rule), most urgent first: firing, pending, error,
no data, then the quiet rules; within a state, critical before warning before info, then the oldest first.
Each row carries what the pane shows (since when, the current value, the summary, the reason of an error or
of no data) and what its keys act on (the rule, the alert's labels and since-when).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from mlops_tui.sources.alerts.engine import RuleView
from mlops_tui.sources.alerts.rules import Instance, Labels
from mlops_tui.sources.alerts.silences import Silence

ORDER = {"firing": 0, "pending": 1, "error": 2, "no data": 3, "ok": 4}
SEVERITY = {"critical": 0, "warning": 1, "info": 2}


def held(seconds: float) -> str:
    """How long an alert has been in its state, to the minute (the pane refreshes every alerts.interval)."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def value_text(value: float) -> str:
    return "?" if math.isnan(value) else f"{value:.4g}"


@dataclass(frozen=True)
class Row:
    state: str
    """firing, pending, error, no data or ok."""
    severity: str
    rule: str
    value: str
    since: str
    detail: str
    marks: str = ""
    """`ack` and/or `silenced` (a text marker: seen without colour)."""
    labels: Labels | None = None
    """The alert's labels; None for a row standing for the whole rule."""
    active_at: float | None = None
    rule_index: int = 0

    @property
    def is_alert(self) -> bool:
        return self.labels is not None


def _instance_row(index: int, view: RuleView, instance: Instance, now: float, marks: str) -> Row:
    rule = view.rule
    since = instance.fired_at if instance.fired_at is not None else instance.active_at
    labels = " ".join(f"{k}={v}" for k, v in instance.labels)
    detail = "  ".join(part for part in (view.summary(instance), labels) if part)
    if view.health.value != "ok":  # the alert holds its state while its query fails: say why
        detail = f"({view.health.value}: {view.reason}) {detail}"
    return Row(instance.state.value, rule.severity, rule.name, value_text(instance.value), held(now - since),
               detail or f"{rule.expr} {rule.op} {rule.threshold:g}", marks, instance.labels, instance.active_at,
               index)


def board(views: list[RuleView], now: float, silenced: Callable[[RuleView, Instance], Silence | None],
          acked: Callable[[RuleView, Instance], bool]) -> list[Row]:
    rows: list[Row] = []
    for index, view in enumerate(views):
        rule = view.rule
        live = [i for i in view.instances if not i.resolved]
        for instance in live:
            silence = silenced(view, instance)
            marks = " ".join(m for m in ("ack" if acked(view, instance) else "",
                                         f"silenced to {clock(silence.until)}" if silence else "") if m)
            rows.append(_instance_row(index, view, instance, now, marks))
        if not live:
            state = view.state if view.state in ORDER else "ok"
            detail = view.reason or f"{rule.expr} {rule.op} {rule.threshold:g}"
            rows.append(Row(state, rule.severity, rule.name, "", "", detail, rule_index=index))
    return sorted(rows, key=lambda r: (ORDER[r.state], SEVERITY.get(r.severity, 3),
                                       -(now - r.active_at) if r.active_at is not None else 0.0))


def clock(at: float) -> str:
    """A time of today as HH:MM, another day's as MM-DD HH:MM."""
    moment = datetime.fromtimestamp(at).astimezone()
    today = datetime.now().astimezone().date()
    return moment.strftime("%H:%M" if moment.date() == today else "%m-%d %H:%M")


@dataclass(frozen=True)
class Firing:
    """What the status line says: how many alerts fire (not silenced) and the worst severity among them."""

    count: int
    severity: str
    silenced: int = 0


def firing(views: Iterable[RuleView], silenced: Callable[[RuleView, Instance], Silence | None]) -> Firing:
    count, quiet, worst = 0, 0, ""
    for view in views:
        for instance in view.firing:
            if silenced(view, instance) is not None:
                quiet += 1
                continue
            count += 1
            if not worst or SEVERITY.get(view.rule.severity, 3) < SEVERITY.get(worst, 3):
                worst = view.rule.severity
    return Firing(count, worst, quiet)


def change_line(change) -> str:
    """A state change from the history, as `alerts history` prints it and the History view lists it."""
    new = "resolved" if change.old == "firing" and change.new == "inactive" else change.new
    labels = ", ".join(f"{k}={v}" for k, v in change.labels)
    value = "" if change.value is None or math.isnan(change.value) else f" value {change.value:g}"
    return f"{new:<8} {change.rule}{value}{'  ' + labels if labels else ''} (was {change.old})"


def notification_line(note) -> str:
    """A notification attempt from the history: sent, refused by the rate limit, or failed (and why)."""
    outcome = "sent" if note.ok else "NOT SENT" if note.attempts == 0 else \
        f"FAILED after {note.attempts} attempt{'s' if note.attempts != 1 else ''}"
    what = "test message" if note.status == "test" else f"{note.status} {note.rule} ({note.alerts} alert" \
        f"{'s' if note.alerts != 1 else ''})"
    return f"notify   {note.channel}: {what} {outcome}{': ' + note.detail if note.detail else ''}"
