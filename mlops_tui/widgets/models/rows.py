"""Rows and lines the Models pane shows, built from the source's plain data (no widgets here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from mlops_tui.sources.models import Artifact, Diff, HistoryEntry, RegistryEntry, RegistryEvent, TrainingFrequency
from mlops_tui.sources.models.controller import assigned_stages, diff_rows as changed_rows, format_value
from mlops_tui.widgets.text import literal, sanitize


def age(then: datetime | None, now: datetime) -> str:
    """'3d', '5h', '12m' ago; '-' when unknown."""
    if then is None:
        return "-"
    return age_of_days((now - then).total_seconds() / 86400)


def age_of_days(value: float | None) -> str:
    """An age given in days, written as `age` writes it: the one way the pane writes how old a version is."""
    if value is None:
        return "-"
    seconds = max(0.0, value * 86400)
    if seconds >= 86400 * 2:
        return f"{seconds / 86400:.0f}d"
    if seconds >= 3600:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 60:.0f}m"


def size(value: int | None) -> str:
    if value is None:
        return "-"
    amount = float(value)
    for unit in ("B", "K", "M", "G"):
        if amount < 1024:
            return f"{amount:.0f}{unit}" if unit == "B" else f"{amount:.1f}{unit}"
        amount /= 1024
    return f"{amount:.1f}T"


def days(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}d" if value < 100 else f"{value:.0f}d"


def stages_text(entry: RegistryEntry | None) -> str:
    if entry is None:
        return "-"
    if not entry.active:
        return "deprecated"
    return " ".join(f"{s}:{v}" for s, v in assigned_stages(entry).items()) or "-"


def artifact_row(art: Artifact, entry: RegistryEntry | None, now: datetime, frequency: TrainingFrequency | None
                 ) -> tuple[Text, ...]:
    """The age is the newest version's, from the registry's frequency (controller.registry_frequencies, the one
    staleness check, marked `!`), the very figure of the frequency line; without one, the last commit's."""
    style = "italic" if entry is not None and not entry.active else ""
    stale = bool(frequency and frequency.stale)
    newest = age_of_days(frequency.age_days) if frequency and frequency.age_days is not None else age(art.last_date, now)
    return (
        literal(art.name, style=style, limit=28),
        literal(entry.latest if entry and entry.latest else "-", style=style),
        literal(newest + ("!" if stale else ""), style="bold" if stale else style),
        literal(stages_text(entry), style=style, limit=60),
    )


def history_row(h: HistoryEntry, now: datetime) -> tuple[Text, ...]:
    with_it = ", ".join(h.deps_changed + [p.split(":", 1)[-1] for p in h.params_changed])
    return (
        literal(h.commit[:7]),
        literal(h.date.strftime("%Y-%m-%d")),
        literal(age(h.date, now)),
        literal(h.change),
        literal(size(h.size) + (f" {h.nfiles}f" if h.nfiles else "")),
        literal(", ".join(h.tags) or "-", limit=60),
        literal(with_it or "-", limit=60),
        literal(h.message, limit=80),
    )


def version_row(v: Any) -> tuple[Text, ...]:
    state = "" if v.active else ("deregistered" if v.registered else "inactive")
    return (
        literal(v.version[:12], style="" if v.active else "dim"),
        literal(v.commit[:7]),
        literal(v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-"),
        literal(", ".join(v.stages) or state or "-"),
        literal(v.author, limit=30),
    )


EVENT_VERB = {
    "registration": "registered",
    "deregistration": "deregistered",
    "assignment": "promoted to",
    "unassignment": "removed from",
    "deprecation": "deprecated",
}


def event_row(e: RegistryEvent) -> tuple[Text, ...]:
    what = EVENT_VERB.get(e.event, e.event)
    if e.stage:
        what = f"{what} {e.stage}"
    style = {"assignment": "bold", "deprecation": "italic"}.get(e.event, "")
    return (
        literal(e.timestamp.strftime("%Y-%m-%d %H:%M")),
        literal(e.artifact, limit=40),
        literal(e.version[:12] if e.version else "-"),
        literal(what, style=style),
        literal(e.ref, limit=40),
    )


def _value(value: Any) -> str:
    return sanitize(format_value(value), 60)


def diff_rows(diff: Diff) -> list[tuple[Text, ...]]:
    return [
        (literal(r.kind), literal(r.name, limit=60), literal(r.old, limit=60), literal(r.new, limit=60), literal(r.change))
        for r in changed_rows(diff)
    ]


def frequency_text(freq: TrainingFrequency | None, stale_after: float) -> str:
    if freq is None or not freq.dates:
        return "training frequency: no versions yet"
    what = "versions" if freq.basis == "versions" else "changes"
    newest = f"newest {freq.basis[:-1] if freq.basis == 'versions' else 'change'} {age_of_days(freq.age_days)} old"
    text = f"STALE: {newest} (> {stale_after:g}d)" if freq.stale else newest
    if freq.median_gap_days is None:
        return f"{text}; 1 {what[:-1]}"
    return (
        f"{text}; {len(freq.dates)} {what}, every {days(freq.median_gap_days)} (median), "
        f"last gap {days(freq.last_gap_days)}"
    )


def details_text(version: str, details: Any) -> str:
    """Params and metrics of one version, one file per line."""
    lines = [f"{version} at {details.commit[:7]}"]
    for title, section in (("metrics", details.metrics), ("params", details.params)):
        for path, values in section.items():
            shown = "  ".join(f"{k}={_value(v)}" for k, v in values.items())
            lines.append(f"{title} {path}: {shown or '-'}")
    if len(lines) == 1:
        lines.append("no params or metrics files at this commit")
    lines.extend(details.errors[:2])
    return "\n".join(lines)
