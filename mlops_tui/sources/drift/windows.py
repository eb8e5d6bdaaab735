"""Samples over time windows: a field of the log records (`latency_ms` over the last hour against the same hour
a week ago) or a metric series (a PromQL/InfluxQL query's values), each window one Sample of one column, read
with the same bounds as files (past 1,000,000 numeric values, a uniform sample; text values counted by category).

A window is `START..END` in the house time grammar (`8d..7d`, `2026-12-01T10:00..2026-12-01T11:00`, `1h..now`)
or a duration alone (`1h`: the last hour).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

import numpy as np

from mlops_tui.sources.drift.blocks import _Accumulator
from mlops_tui.sources.drift.read import SAMPLE_SIZE, Column, DriftInputError, DriftReadError, Sample
from mlops_tui.sources.timespec import TIME_HELP, parse_range

BATCH = 65536
"""Numeric values handed to the accumulator at once."""


def parse_window(text: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of `START..END` or of a duration alone (the last one); DriftInputError otherwise."""
    spelled = (text or "").strip()
    try:
        return parse_range(spelled, now=now)
    except ValueError as exc:
        if "ends before it starts" in str(exc):
            raise DriftInputError(f"window {spelled!r}: it ends before it starts") from None
        raise DriftInputError(f"window {spelled!r}: {exc} (a window is START..END, e.g. 8d..7d, or 1h; {TIME_HELP})") from None


def window_samples(settings, reference: str, current: str, *, log_field: str = "", search: str = "",
                   metric: str = "", source: str = "", now: datetime | None = None) -> tuple[Sample, Sample]:
    """The reference and current samples of a log field (with search) or else of a metric series from the
    metrics source `source`, each over its window (`7d1h..7d`, `1h`) as of now: what the CLI, the Drift pane
    and drift alert rules compare."""
    def one(text: str) -> Sample:
        start, end = parse_window(text, now=now)
        if log_field:
            return log_field_sample(settings, log_field, search, start, end)
        return metric_sample(settings, source, metric, start, end)

    return one(reference), one(current)


def window_label(what: str, start: datetime, end: datetime) -> str:
    return f"{what} {start.astimezone():%Y-%m-%d %H:%M}..{end.astimezone():%Y-%m-%d %H:%M}"


def values_sample(name: str, values: Iterable[object], label: str, seed: int = 19) -> Sample:
    """One column from values in any order: numbers (int, float, numeric strings) make a numeric column, any
    other value a text one; None and "" are missing. A numeric column with a word in it is bad input."""
    numbers = _Accumulator(name, SAMPLE_SIZE, np.random.default_rng(seed))
    batch: list[float] = []
    categories: dict[str, int] = {}
    missing = rows = 0
    for value in values:
        rows += 1
        if value is None or value == "":
            missing += 1
            continue
        number = None if isinstance(value, bool) else _number(value)  # (true/false are categories)
        if number is None:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            categories[text] = categories.get(text, 0) + 1
            continue
        batch.append(number)
        if len(batch) >= BATCH:
            numbers.numbers(np.asarray(batch, np.float64), rows)
            batch.clear()
    if batch:
        numbers.numbers(np.asarray(batch, np.float64), rows)
    if categories and numbers.present:
        word = next(iter(categories))
        raise DriftInputError(f"{label}: {name!r} holds numbers and text ({word[:60]!r}): compare one kind")
    if categories:
        column = Column(name, "text", np.empty(0), missing, list(categories),
                        np.fromiter(categories.values(), np.int64, len(categories)), rows)
    else:
        numbers.missing += missing
        numbers.rows = rows
        column = numbers.column()
    return Sample(label, rows, {name: column})


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def log_field_sample(settings, field: str, search: str, start: datetime, end: datetime) -> Sample:
    """`field` of the records of the configured log files (logs.files, else ./logs/*.log) in [start, end] that match
    `search` (the Logs pane's grammar); a record without the field is a missing value."""
    from mlops_tui.sources.logs import LogOpenError, Query, QueryError, custom_formats, open_files
    from mlops_tui.sources.logs.controller import default_files, parse_search

    patterns = default_files((), settings.logs.files)
    if not patterns:
        raise DriftInputError("no log files: set logs.files=[PATH,...] or put files in ./logs/")
    try:
        query = parse_search(search) or Query("")
    except (QueryError, ValueError) as exc:
        raise DriftInputError(f"--search {search!r}: {exc}") from None
    try:
        source = open_files(patterns, custom_formats(settings.logs.formats), follow=False)
    except (LogOpenError, QueryError) as exc:
        raise DriftReadError(str(exc)) from None
    try:
        while source.refresh(None) and not source.complete:
            pass
        hits = source.search(replace(query, since=start, until=end))
        label = window_label(f"logs {field}", start, end)
        sample = values_sample(field, (hit.record.fields.get(field) for hit in hits), label)
    finally:
        source.close()
    if not sample.rows:
        raise DriftInputError(f"{label}: no log records in the window" + (f" matching {search!r}" if search else ""))
    return sample


def metric_sample(settings, source_name: str, query: str, start: datetime, end: datetime,
                  points: int = 11_000) -> Sample:
    """The values of a PromQL/InfluxQL query's series over [start, end] from a metrics source, at a step that
    gives about `points` per series (Prometheus answers at most 11,000), every series' values together."""
    from mlops_tui.sources.http import BackendError
    from mlops_tui.sources.metrics.remote.factory import SourceConfigError, open_source

    try:
        backend = open_source(settings.metrics, source_name)
    except SourceConfigError as exc:
        raise DriftInputError(str(exc)) from None
    low, high = start.timestamp(), end.timestamp()
    step = max(1.0, (high - low) / points)
    try:
        series = backend.range_query(query, low, high, step)
    except BackendError as exc:
        raise DriftReadError(f"{source_name}: {exc}") from None
    finally:
        backend.close()
    label = window_label(f"{source_name} {query}", start, end)
    values = [value for one in series for value in one.values]
    if not values:
        raise DriftInputError(f"{label}: the query returned no values in the window")
    return values_sample("value", values, label)
