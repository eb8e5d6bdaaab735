"""The one line under the log list: where the cursor is, indexing, follow state, level, search hits."""

from __future__ import annotations

from mlops_tui.sources.logs import LogSource
from mlops_tui.sources.logs.controller import LogsModel
from mlops_tui.sources.logs.histogram import histogram
from mlops_tui.sources.logs.record import level_passes


def bar_text(model: LogsModel, view, source: LogSource | None) -> str:
    """The bar's text (plain; the caller shows it literally)."""
    parts = []
    if source is not None:
        total = source.row_count()
        shown = view.row_count
        where = view.source_row(view.cursor) + 1 if shown else 0
        if view.previewing:
            parts.append("end of file (line numbers once indexed)")
        else:
            parts.append(f"line {where:,}/{total:,}" + (f" ({shown:,} shown)" if view.subset is not None else ""))
        if not source.complete:
            parts.append(f"indexing {source.progress:.0%}")
    parts.append("▶ following" if view.follow else "⏸ paused (End follows)")
    if getattr(view, "keep", None) is not None:
        parts.append(view.keep[2])
    if model.level is not None:
        parts.append(f"level ≥ {model.level.label}" + (" or none" if level_passes(None, model.level) else ""))
    query = model.query
    if query is not None and (query.since or query.until):  # a window (show_window): say which
        parts.append("–".join(when.astimezone().strftime("%H:%M") if when else "" for when in (query.since, query.until)))
    hits = model.hits_text()
    if hits is not None and model.query is not None:
        bars = histogram(model.stamps, 16).bars() if model.stamps else ""
        parts.append(f"{hits} {bars}".rstrip())
        if model.filtering:
            parts.append("filter")
    elif hits is not None:
        parts.append(hits)
    return " · ".join(parts)
