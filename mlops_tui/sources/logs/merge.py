"""Several sources shown as one stream ordered by timestamp, each record labelled with its source."""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterator, Sequence

from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs.base import Cancelled, Hit, LogSource, never
from mlops_tui.sources.logs.query import Query
from mlops_tui.sources.logs.record import LogRecord

_BATCH = 4096


class MergedSource(LogSource):
    """Rows of several sources interleaved by timestamp.

    Every row costs 10 bytes here (source number and row number in two arrays, plus the reverse map):
    the timestamps are read once while merging and not kept. Lines without a timestamp (continuations)
    keep the time of the line before them, so multi-line records stay together. Rows that arrive
    after the first merge are merged among themselves and appended at the end.
    """

    def __init__(self, sources: Sequence[LogSource], label: str = "merged") -> None:
        self.sources = list(sources)
        self.label = label
        self._source = array("H")
        self._row = array("Q")
        self._merged_upto = [0] * len(self.sources)
        self._reverse = [array("Q") for _ in self.sources]
        self._pending: Iterator[tuple[float, int, int]] | None = None
        self._pending_ends: list[int] = []

    def _keys(self, number: int, start: int, end: int) -> Iterator[tuple[float, int, int]]:
        source = self.sources[number]
        last = float("-inf")
        if start > 0:
            for record in source.rows(max(0, start - 64), min(64, start), 4096):
                if record.timestamp is not None:
                    last = record.timestamp.timestamp()
        row = start
        while row < end:
            for record in source.rows(row, min(_BATCH, end - row), 4096):
                if record.timestamp is not None and not record.continuation:
                    last = record.timestamp.timestamp()
                yield last, number, row
                row += 1

    def refresh(self, budget: int | None = None) -> bool:
        """Index the sources, then merge their new rows; with a budget, in steps of budget/2000 rows so
        the view shows the merged stream growing instead of waiting for all of it."""
        changed = False
        for source in self.sources:
            changed = source.refresh(budget) or changed
        if not all(source.complete for source in self.sources) and budget is not None:
            return changed
        if self._pending is None:
            ends = [source.row_count() for source in self.sources]
            if ends == self._merged_upto:
                return changed
            streams = [self._keys(n, self._merged_upto[n], ends[n]) for n in range(len(self.sources))]
            self._pending, self._pending_ends = heapq.merge(*streams), ends
        step = None if budget is None else max(1000, budget // 2000)
        done = 0
        for _stamp, number, row in self._pending:
            self._reverse[number].append(len(self._row))
            self._source.append(number)
            self._row.append(row)
            done += 1
            if step is not None and done >= step:
                return True
        self._pending = None
        self._merged_upto = self._pending_ends
        return True

    @property
    def complete(self) -> bool:
        return (self._pending is None and all(s.complete for s in self.sources)
                and self._merged_upto == [s.row_count() for s in self.sources])

    @property
    def progress(self) -> float:
        indexed = sum(s.progress for s in self.sources) / max(1, len(self.sources))
        total = sum(s.row_count() for s in self.sources)
        return min(indexed, len(self._row) / total if total else 1.0)

    def row_count(self) -> int:
        return len(self._row)

    def rows(self, start: int, count: int, limit: int | None = None) -> list[LogRecord]:
        out = []
        for row in range(max(0, start), min(self.row_count(), start + count)):
            (record,) = self.sources[self._source[row]].rows(self._row[row], 1, limit)
            out.append(record)
        return out

    def record_at(self, row: int) -> LogRecord:
        return self.sources[self._source[row]].record_at(self._row[row])

    def search(self, query: Query, start: int = 0, cancelled: Cancelled = never) -> Iterator[Hit]:
        def stream(number: int) -> Iterator[tuple[int, int, Hit]]:
            reverse = self._reverse[number]
            for hit in self.sources[number].search(query, 0, cancelled):
                if hit.row >= len(reverse):
                    return
                merged = reverse[hit.row]
                if merged >= start:
                    yield merged, number, hit

        for merged, _number, hit in heapq.merge(*(stream(n) for n in range(len(self.sources)))):
            yield Hit(merged, hit.record)

    def count(self, query: Query, cancelled: Cancelled = never) -> int:
        return sum(source.count(query, cancelled) for source in self.sources)

    def status(self) -> SourceStatus:
        worst = [s.status() for s in self.sources if s.status().state is not SourceState.OK]
        if worst:
            return worst[0]
        if not self.complete:
            return SourceStatus(self.label, SourceState.LOADING, f"merging {len(self.sources)} files by time: {self.progress:.0%}")
        return SourceStatus.ok(self.label, f"{len(self.sources)} files merged, {self.row_count():,} lines")

    def close(self) -> None:
        for source in self.sources:
            source.close()
