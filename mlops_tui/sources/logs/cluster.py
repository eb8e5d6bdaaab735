"""The Logs pane's state while it shows a search-engine cluster, without a screen (the widget is
widgets/logs/cluster.py; the CLI drives the same classes).

- `ClusterQuery`: the query text, its syntax (KQL by default, Lucene), the time range step and the filter chips.
- `ResultWindow`: the hits of one search through a point in time, read page by page with `search_after`;
  at most `max_pages` pages of records are kept (least recently used go first), plus one sort key per page
  (where each page starts), so scrolling back re-reads a page instead of keeping every hit. The point in
  time is closed by `close()` (the model closes the old window when a new search replaces it).
- `ClusterModel`: one cluster's query, current window, the error shown under the query bar (the last good
  results stay) and the status line's `logs.NAME` ok / stale / failing.
- `Tail`: the live tail: polls with an overlapping window, de-duplicates by index and `_id` in a bounded
  cache, puts a late document in its place by timestamp and marks it late.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs.histogram import Histogram
from mlops_tui.sources.logs.kql import KqlSyntaxError
from mlops_tui.sources.logs.query import QueryError
from mlops_tui.sources.logs.record import LogRecord
from mlops_tui.sources.logs.search_engine import (
    Chip, PointInTime, SearchEngineError, SearchEngineSource, build_search,
)

TIME_STEPS: tuple[tuple[str, timedelta | None], ...] = (
    ("15m", timedelta(minutes=15)), ("1h", timedelta(hours=1)), ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)), ("all", None),
)
"""What the time key steps through: the last 15 minutes ... every document."""

BUCKETS = 24
"""Bars of the hit histogram beside the count."""

PANE_KEEP_ALIVE = "5m"
"""A point in time opened by the pane lives this long between two pages (a user reads between scrolls)."""


def span_label(start: datetime, end: datetime) -> str:
    """`12-04 18:01–19:01` in local time (seconds when the span is shorter than two minutes; the years when it
    starts in another year: `2016-12-06 19:10–2026-12-04 19:10`)."""
    start, end = start.astimezone(), end.astimezone()
    clock = "%H:%M:%S" if (end - start) < timedelta(minutes=2) else "%H:%M"
    if start.year != end.year or end.year != datetime.now().year:
        return f"{start.strftime('%Y-%m-%d ' + clock)}–{end.strftime('%Y-%m-%d ' + clock)}"
    day = "%m-%d " if start.date() != end.date() else ""
    return f"{start.strftime('%m-%d ' + clock)}–{end.strftime(day + clock)}"


@dataclass(frozen=True)
class ClusterQuery:
    text: str = ""
    syntax: str = "kql"
    step: int = 0
    chips: tuple[Chip, ...] = ()
    span: tuple[datetime, datetime] | None = None
    """An absolute range (an alert's window) in place of the step's `last ...`; the time key leaves it."""

    @property
    def range_label(self) -> str:
        if self.span is not None:
            return span_label(*self.span)
        return "all time" if TIME_STEPS[self.step][1] is None else f"last {TIME_STEPS[self.step][0]}"

    def bounds(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        if self.span is not None:
            return self.span
        span = TIME_STEPS[self.step][1]
        return (None, None) if span is None else (now - span, now)


def histogram_aggs(timestamp: str, start: datetime | None, end: datetime | None, buckets: int = BUCKETS,
                   level: str | None = None) -> dict:
    """Hits over the range in `buckets` bars: a date_histogram with a fixed_interval chosen from the range's
    width (whole seconds), bounded to the range. Over all time the width is not known before asking: the
    oldest and newest timestamps are asked instead (min and max), and the histogram in a second request
    (auto_date_histogram would do it in one, but it is not in every engine: the Maven-built Elasticsearch
    node lacks it). With `level` (the level field), each bar also counts its levels (a terms sub-aggregation),
    so the bars can show where the errors are."""
    if start is None or end is None:
        return {"oldest": {"min": {"field": timestamp}}, "newest": {"max": {"field": timestamp}}}
    seconds = max(1, int((end - start).total_seconds() // buckets))
    bounds = {"min": int(start.timestamp() * 1000), "max": int(end.timestamp() * 1000)}
    over_time: dict = {"date_histogram": {"field": timestamp, "fixed_interval": f"{seconds}s", "min_doc_count": 0,
                                          "extended_bounds": bounds}}
    if level:
        over_time["aggs"] = {"levels": {"terms": {"field": level, "size": 20}}}
    return {"over_time": over_time}


def histogram_counts(aggregations: dict) -> list[int]:
    return [count for _, count in histogram_buckets(aggregations)]


def histogram_buckets(aggregations: dict) -> list[tuple[datetime, int]]:
    """(start, hits) of each bar of the date_histogram, oldest first."""
    return [(start, hits) for start, hits, _ in _buckets(aggregations)]


def histogram_worst(aggregations: dict) -> list[str]:
    """Per bar, the worst level among its hits as the bars show it: "error" (error and above), "warn" or ""."""
    from mlops_tui.sources.logs.record import Level, parse_level

    worst = []
    for _, _, levels in _buckets(aggregations):
        found = [parse_level(key) for key in levels]
        top = max((level for level in found if level is not None), default=None)
        worst.append("error" if top is not None and top >= Level.ERROR else
                     "warn" if top is not None and top >= Level.WARN else "")
    return worst


def _buckets(aggregations: dict) -> list[tuple[datetime, int, list]]:
    buckets = (aggregations.get("over_time") or {}).get("buckets") or []
    out = []
    for bucket in buckets:
        if isinstance(bucket, dict) and isinstance(bucket.get("key"), (int, float)):
            levels = (bucket.get("levels") or {}).get("buckets") or []
            keys = [b.get("key") for b in levels if isinstance(b, dict) and b.get("doc_count")]
            out.append((datetime.fromtimestamp(bucket["key"] / 1000, UTC), int(bucket.get("doc_count", 0)), keys))
    return out


@dataclass(frozen=True)
class Bar:
    """One bar of the hit histogram: its span (the last one ends with the range) and its hits."""

    start: datetime
    end: datetime
    hits: int
    worst: str = ""
    """The worst level among its hits, "error" or "warn" ("" when neither, or not known)."""


def bars_of(buckets: list[tuple[datetime, int]], end: datetime | None, worst: list[str] | None = None) -> list[Bar]:
    """Bars from the buckets: each ends where the next starts; the last one at the range's end (or one bucket
    width after its start)."""
    bars = []
    for index, (start, hits) in enumerate(buckets):
        if index + 1 < len(buckets):
            stop = buckets[index + 1][0]
        elif index:
            stop = start + (start - buckets[index - 1][0])
        else:
            stop = end or start + timedelta(seconds=1)
        if end is not None and index + 1 == len(buckets):
            stop = max(stop, end)
        bars.append(Bar(start, stop, hits, worst[index] if worst and index < len(worst) else ""))
    return bars


class ResultWindow:
    """The hits of one search, newest first, through a point in time (see the module's text)."""

    def __init__(self, source: SearchEngineSource, query: ClusterQuery, now: datetime | None = None,
                 page_size: int = 100, max_pages: int = 8, keep_alive: str = PANE_KEEP_ALIVE) -> None:
        self.source = source
        self.query = query
        self.now = now or datetime.now(UTC)
        self.start, self.end = query.bounds(self.now)
        self.page_size = page_size
        self.max_pages = max(2, max_pages)
        self.keep_alive = keep_alive
        self.total = 0
        self.took_ms = 0
        self.partial = ""
        self.bars: list[Bar] = []  # the hit histogram over the range, oldest bar first
        self._extent: dict | None = None
        self.pit: PointInTime | None = None
        self._starts: list[list | None] = [None]  # search_after of each page known so far
        self._pages: OrderedDict[int, list[LogRecord]] = OrderedDict()
        self._sorts: dict[int, list[list]] = {}  # each held record's sort values, by page
        self._lock = threading.Lock()

    def _args(self) -> dict:
        return {"start": self.start, "end": self.end, "syntax": self.query.syntax, "chips": self.query.chips}

    def open(self) -> ResultWindow:
        """Check the query, open the point in time and read the first page (with the exact total).
        Raises KqlSyntaxError before any request, SearchEngineError with the engine's reason; nothing stays
        open after a failure."""
        build_search(self.source.engine(), self.query.text, self.source.fields, syntax=self.query.syntax)
        self.pit = self.source.open_pit(self.keep_alive)
        try:
            page = self.source.page_in(self.pit, self.query.text, size=self.page_size, total=None, first_row=1,
                                       aggs=histogram_aggs(self.source.fields.timestamp, self.start, self.end),
                                       **self._args())
        except BaseException:
            self.close()
            raise
        self.total, self.took_ms, self.partial = page.total, page.took_ms, page.partial
        self.bars = bars_of(histogram_buckets(page.aggregations), self.end)
        self.levels_pending = bool(self.total and self.bars)
        self._extent = page.aggregations if self.start is None and self.total else None
        self._store(0, page.records, page.sort_after, page.sorts)
        return self

    @property
    def histogram_pending(self) -> bool:
        """Over all time the bars need a second request (`load_histogram`), made after the first page shows."""
        return self._extent is not None

    def load_histogram(self) -> None:
        """The all-time histogram (blocking): a date_histogram over [oldest, newest] of the first answer."""
        aggregations, self._extent = self._extent, None
        if aggregations is None:
            return
        oldest = (aggregations.get("oldest") or {}).get("value")
        newest = (aggregations.get("newest") or {}).get("value")
        if oldest is None or newest is None:
            return
        low = datetime.fromtimestamp(oldest / 1000, UTC)
        high = datetime.fromtimestamp(newest / 1000, UTC)
        end = max(high, low + timedelta(seconds=BUCKETS))
        fields = self.source.fields
        for level in (fields.level, None):  # a level field that cannot be aggregated: the bars without levels
            try:
                answer = self.source.aggregate(histogram_aggs(fields.timestamp, low, end, level=level),
                                               self.query.text, syntax=self.query.syntax, chips=self.query.chips)
            except SearchEngineError:
                continue  # the hits are there; only the bars (or their levels) are missing
            self.bars = bars_of(histogram_buckets(answer), high, histogram_worst(answer))
            self.levels_pending = False
            return

    levels_pending: bool = False
    """The bars are there without their levels: `load_levels` asks (after the first page shows)."""

    def load_levels(self) -> None:
        """The worst level in each bar (blocking): the same histogram with a terms sub-aggregation on the level
        field; nothing changes when the field cannot be aggregated (a text field, a missing one)."""
        self.levels_pending = False
        if not self.bars or self.start is None or self.end is None:
            return
        fields = self.source.fields
        try:
            answer = self.source.aggregate(histogram_aggs(fields.timestamp, self.start, self.end, level=fields.level),
                                           self.query.text, start=self.start, end=self.end,
                                           syntax=self.query.syntax, chips=self.query.chips)
        except SearchEngineError:
            return
        worst = histogram_worst(answer)
        if len(worst) == len(self.bars):
            self.bars = [replace(bar, worst=w) for bar, w in zip(self.bars, worst)]

    @property
    def counts(self) -> list[int]:
        """The hits of each bar, oldest first."""
        return [bar.hits for bar in self.bars]

    def close(self) -> None:
        """Close the point in time (again: nothing)."""
        pit, self.pit = self.pit, None
        if pit is not None:
            try:
                self.source.close_pit(pit)
            except SearchEngineError:
                pass  # the engine drops it itself after keep_alive; the next search must not fail for it

    @property
    def closed(self) -> bool:
        return self.pit is None

    @property
    def pages_held(self) -> int:
        return len(self._pages)

    def record(self, row: int) -> LogRecord | None:
        """The record at 0-based `row` if its page is in memory."""
        if not 0 <= row < self.total:
            return None
        with self._lock:
            records = self._pages.get(row // self.page_size)
            if records is not None:
                self._pages.move_to_end(row // self.page_size)
        if records is None or row % self.page_size >= len(records):
            return None
        return records[row % self.page_size]

    def has(self, row: int) -> bool:
        with self._lock:
            return row // self.page_size in self._pages or not 0 <= row < self.total

    def load(self, row: int) -> None:
        """Read the page holding `row` (blocking): first where it starts, from sort values only, when the
        pages before it were never read."""
        if self.pit is None:
            raise SearchEngineError(f"{self.source.label}: the search was closed")
        page_no = row // self.page_size
        if self.has(row):
            return
        self._find_start(page_no)
        if page_no >= len(self._starts):
            return  # fewer hits than the total said (documents gone since)
        page = self.source.page_in(self.pit, self.query.text, size=self.page_size, search_after=self._starts[page_no],
                                   total=self.total, first_row=page_no * self.page_size + 1, **self._args())
        self._store(page_no, page.records, page.sort_after, page.sorts)

    def _find_start(self, page_no: int) -> None:
        while len(self._starts) <= page_no:
            known = len(self._starts) - 1
            want = min(10_000, (page_no - known) * self.page_size)
            sorts = self.source.sort_values(self.pit, self.query.text, size=want, search_after=self._starts[known],
                                            **self._args())
            before = len(self._starts)
            self._starts.extend(sorts[at] for at in range(self.page_size - 1, len(sorts), self.page_size))
            if len(self._starts) == before:
                return

    def _store(self, page_no: int, records: list[LogRecord], sort_after: list | None,
               sorts: list[list] | None = None) -> None:
        with self._lock:
            self._pages[page_no] = records
            self._sorts[page_no] = list(sorts or [])
            self._pages.move_to_end(page_no)
            while len(self._pages) > self.max_pages:
                gone, _ = self._pages.popitem(last=False)
                self._sorts.pop(gone, None)
            if page_no == len(self._starts) - 1 and len(records) == self.page_size and sort_after is not None:
                self._starts.append(sort_after)

    def sort_of(self, row: int) -> list | None:
        """The sort values of the record at `row` (inside this window's point in time) if its page is held."""
        with self._lock:
            sorts = self._sorts.get(row // self.page_size) or []
        at = row % self.page_size
        return sorts[at] if at < len(sorts) and sorts[at] else None

    def loaded(self) -> list[LogRecord]:
        """Every record in memory, in result order (what export writes is read afresh: see `every_record`)."""
        with self._lock:
            return [r for _, records in sorted(self._pages.items()) for r in records]


CONTEXT_SIZE = 5
"""Documents shown on each side of a hit in its surrounding documents, and added by each "more"."""

CONTEXT_KEEP = 1_000
"""At most this many surrounding documents are kept on each side (a key held down stops there)."""


class SurroundingDocuments:
    """Kibana's context view: the documents just before and after one hit, in the whole index pattern (the
    query does not apply), optionally only those with the hit's own value of one field (`same`: the service
    or host field). Read with `search_after` from the hit's sort values inside its window's point in time,
    newest first on both sides, so the order is the window's (timestamp, then the engine's tiebreaker)."""

    def __init__(self, window: ResultWindow, row: int, same: str | None = None, size: int = CONTEXT_SIZE) -> None:
        anchor = window.record(row)
        sort = window.sort_of(row)
        if anchor is None or sort is None:
            raise SearchEngineError(f"{window.source.label}: that hit is no longer in memory; scroll to it again")
        self.window = window
        self.anchor = anchor
        self.size = size
        self.same = same
        value = anchor.fields.get(same) if same else None
        if same and (value is None or isinstance(value, (list, dict))):
            raise SearchEngineError(f"this document has no single {same} to narrow to")
        self.chips: tuple[Chip, ...] = (Chip(same, value),) if same else ()
        self.newer: list[LogRecord] = []  # newest first
        self.older: list[LogRecord] = []  # newest first
        self._newer_sort: list = sort  # where the next newer read starts
        self._older_sort: list = sort
        self.newer_done = self.older_done = False

    @property
    def label(self) -> str:
        narrowed = f", same {self.same} {self.chips[0].value}" if self.chips else ""
        return f"{len(self.newer)} newer, {len(self.older)} older{narrowed}"

    def _pit(self) -> PointInTime:
        if self.window.pit is None:
            raise SearchEngineError(f"{self.window.source.label}: the search was closed; search again")
        return self.window.pit

    def load(self) -> SurroundingDocuments:
        """The first `size` on each side (blocking)."""
        self.more_newer()
        self.more_older()
        return self

    def more_newer(self) -> int:
        """`size` more newer documents (blocking); how many came."""
        if self.newer_done or len(self.newer) >= CONTEXT_KEEP:
            return 0
        page = self.window.source.neighbours(self._pit(), self._newer_sort, newer=True, size=self.size,
                                             chips=self.chips)
        if page.records:
            self._newer_sort = page.sorts[-1]
        self.newer_done = len(page.records) < self.size
        self.newer[:0] = list(reversed(page.records))
        return len(page.records)

    def more_older(self) -> int:
        """`size` more older documents (blocking); how many came."""
        if self.older_done or len(self.older) >= CONTEXT_KEEP:
            return 0
        page = self.window.source.neighbours(self._pit(), self._older_sort, newer=False, size=self.size,
                                             chips=self.chips)
        if page.records:
            self._older_sort = page.sorts[-1]
        self.older_done = len(page.records) < self.size
        self.older.extend(page.records)
        return len(page.records)

    def rows(self) -> list[LogRecord]:
        """Newest first: the newer documents, the hit itself, the older ones."""
        return [*self.newer, self.anchor, *self.older]


def surrounding(source: SearchEngineSource, doc_id: str, same: str | None = None, size: int = CONTEXT_SIZE,
                keep_alive: str = "1m") -> tuple[SurroundingDocuments, ResultWindow]:
    """The documents around the one whose `_id` is `doc_id` (the CLI's `--context`): a point in time on the
    pattern, the document found in it by its _id (its sort values), then its neighbours. The caller closes
    the returned window (its point in time). SearchEngineError when no document has that _id."""
    quoted = doc_id.replace("\\", "\\\\").replace('"', '\\"')
    window = ResultWindow(source, ClusterQuery(f'_id:"{quoted}"', "lucene", len(TIME_STEPS) - 1),
                          page_size=1, keep_alive=keep_alive).open()
    try:
        if window.total == 0:
            raise SearchEngineError(f"{source.label}: no document with _id {doc_id!r} in {source.index!r}")
        return SurroundingDocuments(window, 0, same=same, size=size).load(), window
    except BaseException:
        window.close()
        raise


def every_record(source: SearchEngineSource, query: ClusterQuery, now: datetime, page_size: int = 1000):
    """Every hit of the query, newest first, through its own point in time (closed at the end)."""
    start, end = query.bounds(now)
    pages = source.pages(query.text, start=start, end=end, page_size=page_size, syntax=query.syntax, chips=query.chips)
    try:
        for page in pages:
            yield from page.records
    finally:
        pages.close()


@dataclass
class ClusterModel:
    """One cluster as the pane shows it: the query, its results, the message under the bar, the status."""

    name: str
    query: ClusterQuery = field(default_factory=ClusterQuery)
    window: ResultWindow | None = None
    error: str = ""
    generation: int = 0
    health: SourceState = SourceState.LOADING
    reason: str = "not searched yet"
    searching: bool = False
    chip_at: int | None = None  # the chip the chip keys act on (marked in the info line)
    bar_at: int | None = None  # the histogram bar picked with `b` (None: not picking)

    @property
    def status_name(self) -> str:
        return f"logs.{self.name}"

    def status(self) -> SourceStatus:
        return SourceStatus(self.status_name, self.health, self.reason)

    def begin(self, query: ClusterQuery) -> int:
        """A search for `query` starts; its generation (a result of an older one is dropped)."""
        self.query = query
        self.generation += 1
        self.searching = True
        self.bar_at = None  # the bars change with the results
        return self.generation

    def finished(self, generation: int, window: ResultWindow) -> bool:
        """The search `generation` answered; False (and the window closed) when a newer one replaced it."""
        if generation != self.generation:
            window.close()
            return False
        old, self.window = self.window, window
        self.searching = False
        if old is not None:
            old.close()
        self.error = ""
        self.health = SourceState.OK
        partial = f" ({window.partial})" if window.partial else ""
        self.reason = f"{window.total:,} hits in {window.took_ms} ms{partial}"
        return True

    def failed(self, generation: int, error: BaseException) -> bool:
        """The search failed: a query the parser or the engine refused shows under the bar (the cluster is
        fine); a cluster failure makes the status stale (last results kept) or failing (none)."""
        if generation != self.generation:
            return False
        self.searching = False
        message = str(error)
        if isinstance(error, (KqlSyntaxError, QueryError)) or getattr(error, "status", None) == 400:
            self.error = message
            if self.health is SourceState.LOADING:
                self.health, self.reason = SourceState.OK, "reachable"
            return True
        self.error = message
        self.health = SourceState.STALE if self.window is not None else SourceState.FAILING
        self.reason = message + (" (last results kept)" if self.window is not None else "")
        return True

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window = None

    # --- commands on the query ---------------------------------------------------------------------
    def with_text(self, text: str) -> ClusterQuery:
        return replace(self.query, text=text)

    def toggled_syntax(self) -> ClusterQuery:
        return replace(self.query, syntax="lucene" if self.query.syntax == "kql" else "kql")

    def stepped(self) -> ClusterQuery:
        """The next `last ...` range; from an absolute range, the first one that holds it."""
        if self.query.span is not None:
            start, end = self.query.span
            now = datetime.now(UTC)
            step = next((i for i, (_, width) in enumerate(TIME_STEPS) if width is None or now - width <= start),
                        len(TIME_STEPS) - 1)
            return replace(self.query, step=step, span=None)
        return replace(self.query, step=(self.query.step + 1) % len(TIME_STEPS))

    def typed_range(self) -> str:
        """The range as the time box shows it to edit: `1h` for `last 1h`, both ends for an absolute range."""
        if self.query.span is not None:
            start, end = (moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") for moment in self.query.span)
            return f"{start}..{end}"
        label, width = TIME_STEPS[self.query.step]
        return "" if width is None else label

    def ranged(self, text: str, now: datetime | None = None) -> ClusterQuery:
        """The query over the range typed in the time box (timespec.parse_range; empty: all time), chips kept;
        ValueError, for the user, when it does not parse."""
        from mlops_tui.sources.timespec import RANGE_HELP, parse_range

        if not text.strip():
            return replace(self.query, step=len(TIME_STEPS) - 1, span=None)
        try:
            start, end = parse_range(text, now=now)
        except ValueError as exc:
            raise ValueError(f"time range: {exc}; type {RANGE_HELP}, or nothing for all time") from None
        return replace(self.query, span=(start, end))

    @property
    def bar(self) -> Bar | None:
        """The picked bar (None when not picking or the window has no bars)."""
        bars = self.window.bars if self.window is not None else []
        if self.bar_at is None or not bars:
            return None
        self.bar_at = max(0, min(self.bar_at, len(bars) - 1))
        return bars[self.bar_at]

    def pick_bar(self, at: int | None) -> Bar | None:
        """Pick bar `at` (negative: from the newest; None: stop picking); the picked bar."""
        bars = self.window.bars if self.window is not None else []
        self.bar_at = None if at is None or not bars else (at % len(bars) if at < 0 else at)
        return self.bar

    def bar_text(self) -> str:
        """The picked bar's span and hits, `11-27 14:41–18:30: 26 hits` ("" when not picking)."""
        bar = self.bar
        if bar is None:
            return ""
        return f"{span_label(bar.start, bar.end)}: {bar.hits:,} {'hit' if bar.hits == 1 else 'hits'}"

    def narrowed(self) -> ClusterQuery:
        """The query over the picked bar's span only (Kibana's click on a bar); picking ends."""
        bar, self.bar_at = self.bar, None
        return replace(self.query, span=(bar.start, bar.end)) if bar is not None else self.query

    def over(self, text: str, start: datetime, end: datetime) -> ClusterQuery:
        """`text` (KQL) from start to end, chips kept: an alert's window (ShowTimeWindow)."""
        return replace(self.query, text=text, syntax="kql", span=(start, end))

    def with_chip(self, chip: Chip) -> ClusterQuery:
        kept = tuple(c for c in self.query.chips if (c.field, c.value) != (chip.field, chip.value))
        self.chip_at = len(kept)  # the new chip is marked
        return replace(self.query, chips=kept + (chip,))

    def without_chips(self) -> ClusterQuery:
        self.chip_at = None
        return replace(self.query, chips=())

    @property
    def chip(self) -> Chip | None:
        """The chip the chip keys act on (None when there are none)."""
        chips = self.query.chips
        if not chips:
            return None
        if self.chip_at is None or self.chip_at >= len(chips):
            self.chip_at = len(chips) - 1
        return chips[self.chip_at]

    def next_chip(self) -> Chip | None:
        """Mark the next chip (the first after the last); the query does not change."""
        if self.chip is not None:
            self.chip_at = (self.chip_at + 1) % len(self.query.chips)
        return self.chip

    def _with_marked(self, chip: Chip | None) -> ClusterQuery:
        chips = list(self.query.chips)
        if self.chip is None:
            return self.query
        if chip is None:
            del chips[self.chip_at]
            self.chip_at = min(self.chip_at, len(chips) - 1) if chips else None
        else:
            chips[self.chip_at] = chip
        return replace(self.query, chips=tuple(chips))

    def negated_chip(self) -> ClusterQuery:
        """The query with the marked chip negated (or no longer)."""
        chip = self.chip
        return self._with_marked(replace(chip, negated=not chip.negated)) if chip else self.query

    def toggled_chip(self) -> ClusterQuery:
        """The query with the marked chip disabled (shown, not applied) or enabled again."""
        chip = self.chip
        return self._with_marked(replace(chip, enabled=not chip.enabled)) if chip else self.query

    def without_chip(self) -> ClusterQuery:
        """The query without the marked chip (the next one is marked)."""
        return self._with_marked(None)

    def describe(self) -> str:
        """The info line: range, syntax, hits (the exact total), the hit histogram, chips."""
        return "".join(text for text, _ in self.describe_segments())

    def describe_segments(self) -> list[tuple[str, str]]:
        """The info line in pieces, each with what it is: "" for plain text, "error" or "warn" for a bar whose
        hits hold that level (the widget colours them)."""
        parts: list[list[tuple[str, str]]] = [[(self.query.range_label, "")], [(self.query.syntax.upper(), "")]]
        if self.window is not None:
            total = self.window.total
            parts.append([(f"{total:,} {'hit' if total == 1 else 'hits'}" + (f" ({self.window.partial})"
                                                                            if self.window.partial else ""), "")])
            if total and self.window.counts:
                chars = Histogram(tuple(self.window.counts), None, None).bars()
                bars = [(char, bar.worst) for char, bar in zip(chars, self.window.bars)]
                if self.bar is not None:  # the picked bar between brackets (its span: `bar_text`)
                    at = self.bar_at
                    bars = [*bars[:at], ("[", ""), bars[at], ("]", ""), *bars[at + 1:]]
                parts.append(bars)
        marked = self.chip if len(self.query.chips) > 1 else None
        parts += [[(("▸" if chip is marked else "") + chip.text(), "")] for chip in self.query.chips]
        out: list[tuple[str, str]] = []
        for index, part in enumerate(parts):
            if index:
                out.append((" · ", ""))
            out += part
        return out


class Tail:
    """A live tail of a query: each `poll` asks for the documents at or after (newest seen - overlap), so a
    document that became searchable late (refresh interval, several shards, ingest lag) is still found;
    documents already seen are dropped by (index, _id), remembered in a bounded cache."""

    def __init__(self, source: SearchEngineSource, query: ClusterQuery, now: datetime | None = None,
                 overlap: timedelta = timedelta(seconds=10), keep: int = 2_000, remember: int = 100_000,
                 batch: int = 5_000, batches: int = 50) -> None:
        self.source = source
        self.query = query
        self.overlap = overlap
        self.records: list[tuple[datetime, int, LogRecord]] = []  # by timestamp, oldest first
        self.keep = keep
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.remember = remember
        self.batch, self.batches = batch, batches
        start = now or datetime.now(UTC)
        self.newest: datetime | None = None
        self._since = start - overlap
        self._order = 0
        self.late = 0

    def prime(self, records: list[LogRecord]) -> None:
        """Hits already shown (newest first or in any order): never shown again; the window starts there."""
        for record in records:
            self._seen[(str(record.fields.get("_index")), str(record.fields.get("_id")))] = None
            if record.timestamp is not None and (self.newest is None or record.timestamp > self.newest):
                self.newest = record.timestamp

    def poll(self) -> list[LogRecord]:
        """The documents not seen before, oldest first; a late one (older than the newest seen before this
        poll) is put in its place in `records` and has `fields["_late"] = True`."""
        fresh: list[LogRecord] = []
        newest_before = self.newest
        since = self._since
        # Every poll reads the overlap again (the documents seen in its last seconds: 20,000 at 2,000 a second),
        # then the new ones: the budget must hold both, or the tail never gets past the overlap (it did, with
        # 20 batches of 1,000: bench/search_engine_tail.py lost 73% at 2,000 documents a second). A burst past
        # it waits for the next poll.
        for _ in range(self.batches):
            batch = self.source.poll(self.query.text, since, size=self.batch, syntax=self.query.syntax,
                                     chips=self.query.chips)
            for record in batch:
                key = (str(record.fields.get("_index")), str(record.fields.get("_id")))
                if key in self._seen:
                    continue
                self._seen[key] = None
                if len(self._seen) > self.remember:
                    self._seen.popitem(last=False)
                stamp = record.timestamp or datetime.now(UTC)
                if newest_before is not None and stamp < newest_before:
                    record.fields["_late"] = True
                    self.late += 1
                fresh.append(record)
                self._order += 1
                insort(self.records, (stamp, self._order, record), key=lambda item: (item[0], item[1]))
                if self.newest is None or stamp > self.newest:
                    self.newest = stamp
            if len(batch) < self.batch or not batch or batch[-1].timestamp is None or batch[-1].timestamp <= since:
                break
            since = batch[-1].timestamp
        del self.records[:max(0, len(self.records) - self.keep)]
        if self.newest is not None:  # never back past where the tail started (a primed newest may be days old)
            self._since = max(self._since, self.newest - self.overlap)
        return fresh

    def lag(self, now: datetime | None = None) -> float | None:
        """Seconds since the newest document seen (None before the first)."""
        if self.newest is None:
            return None
        return max(0.0, ((now or datetime.now(UTC)) - self.newest).total_seconds())
