"""The interface the Logs view and the CLI talk to, whatever holds the records.

A `LogSource` is a sequence of rows (one per line for files; one per document for a search engine)
that may grow at the end. The view asks only for the rows it shows; searches stream hits so a caller
can stop early. Implementations: `FileSource` (one file and its rotations), `MergedSource` (several
sources merged by timestamp). An Elasticsearch/OpenSearch source implements the same methods with
paged queries (`rows` from a cursor, `search` as a query, `refresh` as a poll for newer documents).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.logs.query import Query
from mlops_tui.sources.logs.record import LogRecord

Cancelled = Callable[[], bool]


def never() -> bool:
    return False


@dataclass(frozen=True)
class Hit:
    """A matching record and the row of its first line."""

    row: int
    record: LogRecord


class LogSource(ABC):
    """Rows of log records that can be read by position, searched, and refreshed as they grow."""

    label: str

    @abstractmethod
    def refresh(self, budget: int | None = None) -> bool:
        """Index more (at most `budget` bytes when given) and pick up appended rows and rotations.

        Returns True when the number of rows or their content changed. Raises OSError when unreadable.
        """

    @property
    @abstractmethod
    def complete(self) -> bool:
        """True once every row that existed at the last refresh is indexed."""

    @property
    @abstractmethod
    def progress(self) -> float:
        """Fraction of the source indexed, 0..1."""

    @abstractmethod
    def row_count(self) -> int:
        """Rows known so far."""

    @abstractmethod
    def rows(self, start: int, count: int, limit: int | None = None) -> list[LogRecord]:
        """Up to `count` rows from `start`, one record per row, the raw text cut to `limit` chars."""

    @abstractmethod
    def record_at(self, row: int) -> LogRecord:
        """The whole record (all its lines) that contains `row`, uncut, for the detail view."""

    @abstractmethod
    def search(self, query: Query, start: int = 0, cancelled: Cancelled = never) -> Iterator[Hit]:
        """Matching records in row order from `start`. Raises QueryError for a query it cannot run."""

    @abstractmethod
    def count(self, query: Query, cancelled: Cancelled = never) -> int:
        """Number of matching records, as fast as the source can tell."""

    def row_at_time(self, when: datetime) -> int:
        """First row at or after `when` (row_count() when none), by binary search over the rows:
        a row without a timestamp (a traceback line) takes the next stamped row's time."""
        lo, hi = 0, self.row_count()
        while lo < hi:
            mid = (lo + hi) // 2
            stamp = next((r.timestamp for r in self.rows(mid, 64, 4096) if r.timestamp is not None), None)
            if stamp is None or stamp < when:
                lo = mid + 1
            else:
                hi = mid
        return lo

    @abstractmethod
    def status(self) -> SourceStatus:
        """Health for the status line."""

    def close(self) -> None:
        """Release files or connections."""


STREAM_STEP = 16 * 1024 * 1024


def search_streaming(source: LogSource, query: Query, cancelled: Cancelled = never, step: int = STREAM_STEP) -> Iterator[Hit]:
    """`source.search` while the source is still being indexed: hits of the part indexed so far come out
    first, then the source indexes `step` more bytes and the search goes on from where it stopped. A
    record that reaches the indexed end may go on (a traceback still unread): it waits for the next step.
    A merged source merges only once its files are indexed, and `since` bisects the whole file, so those
    are indexed whole first."""
    from mlops_tui.sources.logs.merge import MergedSource

    if isinstance(source, MergedSource) or query.since is not None:
        while source.refresh(None) and not source.complete:
            pass
    start = 0
    while True:
        source.refresh(step)
        while not source.complete and not getattr(source, "detected", True):  # the format needs a sample first
            source.refresh(step)
        done = source.complete
        resume = None
        for hit in source.search(query, start, cancelled):
            if not done and hit.record.end_line >= source.row_count():
                resume = hit.row
                break
            yield hit
        if done:
            return
        if resume is None and source.row_count():  # the last record read may go on: read it again whole next time
            resume = source.record_at(source.row_count() - 1).line - 1
        start = max(start, resume or 0)
