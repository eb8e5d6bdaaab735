"""The Logs pane's state and input grammar, without a screen: the pane renders a LogsModel and turns keys
into its calls; `mlops-tui logs search/tail` use the same functions (default_files, parse_search, jump_time).

Search generations: every (re)started search run gets a new generation number; progress of an older run is
discarded, so a fast typist never sees hits of the query before the last one.
"""

from __future__ import annotations

import glob
from array import array
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Sequence

from mlops_tui.sources import timespec
from mlops_tui.sources.logs.query import Mode, Query
from mlops_tui.sources.logs.record import Level

LEVEL_STEPS = (None, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR, Level.CRITICAL)
"""What `l` cycles through: every record, then records at this level or worse (at debug, records without a
level too: see `record.UNKNOWN_KEPT_FROM`; the bar says "or none")."""


def default_files(given: Sequence[str] = (), configured: Sequence[str] = (), folder: str | Path = "logs") -> list[str]:
    """The files to open: the ones given (CLI --file), else logs.files, else every *.log in ./logs/.

    Names found in the folder are real paths, so glob metacharacters in them (`app[1].log`) are escaped:
    `open_files` expands globs, and an unescaped `[` would match nothing.
    """
    if given:
        return list(given)
    if configured:
        return list(configured)
    return [glob.escape(str(p)) for p in sorted(Path(folder).glob("*.log"))]


def parse_search(text: str) -> Query | None:
    """The search box: `/regex/`, `"exact case"`, otherwise case-insensitive text; plus key=value filters."""
    text = text.strip()
    if not text:
        return None
    if len(text) >= 2 and text.startswith("/") and "/" in text[1:]:
        end = text.rindex("/")
        rest = Query.from_text(text[end + 1:])
        return Query(text[1:end], Mode.REGEX, filters=rest.filters)
    if len(text) >= 2 and text.startswith('"') and '"' in text[1:]:
        end = text.index('"', 1)
        rest = Query.from_text(text[end + 1:])
        return Query(text[1:end], Mode.LITERAL, filters=rest.filters)
    return Query.from_text(text, Mode.IGNORE_CASE)


def query_text(query: Query | None) -> str:
    """The search box text that parse_search reads back as `query` (shown in the bar, offered for editing)."""
    if query is None:
        return ""
    parts = [f"{f.key}{f.op}{f.value}" for f in query.filters]
    pattern = query.pattern
    if pattern:
        pattern = f"/{pattern}/" if query.mode is Mode.REGEX else f'"{pattern}"' if query.mode is Mode.LITERAL else pattern
        parts.insert(0, pattern)
    return " ".join(parts)


def jump_time(text: str, anchor: datetime | None = None, now: datetime | None = None) -> datetime:
    """Where `t` jumps: timespec's grammar, relative to the record at the cursor (`anchor`).

    ValueError with a user's message for anything else; timespec itself turns jumps out of datetime's range
    into ValueError, so there is no second guard here.
    """
    return timespec.parse_time(text, anchor=anchor, now=now)


@dataclass
class LogsModel:
    """The pane's state: query, filter, level step, hits so far and which search run is current."""

    query: Query | None = None
    filtering: bool = False
    level_step: int = 0
    hits: array = field(default_factory=lambda: array("Q"))  # source rows of matching records
    hit_spans: array = field(default_factory=lambda: array("Q"))  # rows each hit covers (multi-line records)
    stamps: list = field(default_factory=list)
    searched_to: int = 0
    searching: bool = False
    generation: int = 0
    shared: tuple[datetime, datetime] | None = None  # the app's shared time range (Ctrl+T): every query keeps it
    _base: tuple = field(default_factory=lambda: (array("Q"), array("Q"), []))

    @property
    def level(self) -> Level | None:
        return LEVEL_STEPS[self.level_step]

    def current_query(self) -> Query | None:
        """The query a search run uses: the typed one with the level step applied; None: no search."""
        if self.query is None and self.level is None:
            return None
        base = self.query or Query("")
        return Query(base.pattern, base.mode, self.level, base.since, base.until, base.filters)

    def filter_active(self) -> bool:
        return self.filtering or (self.query is None and self.level is not None)

    def subset(self) -> array:
        """Every row the hits cover (what the list shows while filtering)."""
        rows = array("Q")
        for row, span in zip(self.hits, self.hit_spans):
            rows.extend(range(row, row + span))
        return rows

    # --- commands: each returns what the pane must start or show ---------------------------------------
    def set_search(self, text: str) -> None:
        """The search box was submitted; QueryError for bad text (the state is then unchanged)."""
        self.query = self.within_shared(parse_search(text))

    def within_shared(self, query: Query | None) -> Query | None:
        """query narrowed to the shared time range, if one is set (a range alone filters every record)."""
        if self.shared is None:
            return query
        return replace(query or Query(""), since=self.shared[0], until=self.shared[1])

    def cycle_level(self) -> None:
        self.level_step = (self.level_step + 1) % len(LEVEL_STEPS)

    def clear(self) -> None:
        """No search and no level filter; the shared time range, if one is set, stays."""
        self.query, self.level_step = self.within_shared(None), 0
        self.filtering = self.query is not None

    def toggle_filter(self) -> bool:
        """False (and no change) when there is no query to filter by."""
        if self.query is None:
            return False
        self.filtering = not self.filtering
        return True

    def restart(self, ready: bool = True) -> tuple[Query, int] | None:
        """Forget the hits; the (query, generation) of the run to start from row 0, or None: no search
        (nothing to search for, or not `ready`: no source yet)."""
        self.hits, self.hit_spans, self.stamps, self.searched_to = array("Q"), array("Q"), [], 0
        query = self.current_query()
        if query is None or not ready:
            self.generation += 1  # any run still posting is stale now
            self.searching = False
            return None
        return query, self.begin(0)

    def begin(self, start: int) -> int:
        """A run from `start` (0: afresh; else continuing after rows that grew); its generation."""
        self.searching = True
        self.generation += 1
        self._base = (array("Q", self.hits), array("Q", self.hit_spans), list(self.stamps)) if start else (array("Q"), array("Q"), [])
        return self.generation

    def needs_continuation(self, row_count: int, complete: bool) -> bool:
        """The source grew past what the finished search covered: search the new rows."""
        return self.query is not None and not self.searching and complete and row_count > self.searched_to

    def progress(self, generation: int, rows: array, spans: array, stamps: list, done: bool, end: int) -> bool:
        """Hits of run `generation` so far; False (and ignored) when a newer run replaced it."""
        if generation != self.generation:
            return False
        base_rows, base_spans, base_stamps = self._base
        self.hits = base_rows + rows
        self.hit_spans = base_spans + spans
        self.stamps = base_stamps + stamps
        if done:
            self.searching = False
            self.searched_to = end
        return True

    def failed(self) -> None:
        """The search run failed: it is no longer running (hits so far stay)."""
        self.searching = False

    def next_hit(self, here: int, direction: int) -> int | None:
        """The hit row after (direction > 0) or before `here`, wrapping around; None without hits."""
        if not self.hits:
            return None
        if direction > 0:
            later = [r for r in self.hits if r > here] if here < self.hits[-1] else []
            return later[0] if later else self.hits[0]
        earlier = [r for r in self.hits if r < here] if here > self.hits[0] else []
        return earlier[-1] if earlier else self.hits[-1]

    def saved_rows(self, cursor_row: int) -> list[int]:
        """What `s` saves: the matching records while searching or level-filtering, else the cursor's."""
        return list(self.hits) if self.query is not None or self.level is not None else [cursor_row]

    def hits_text(self) -> str | None:
        """The bar's search part without the histogram, or None when nothing is searched."""
        more = "…" if self.searching else ""
        if self.query is not None:
            count = f"{len(self.hits):,} hit" + ("" if len(self.hits) == 1 else "s") + more
            text = query_text(self.query)
            return f"{text}: {count}" if text else count  # (a time range alone: its span is said before)
        if self.level is not None:
            return f"{len(self.hits):,} records{more}"
        return None
