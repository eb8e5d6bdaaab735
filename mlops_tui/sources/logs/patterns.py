"""Log patterns: the records of a source grouped into templates by Drain, mined in chunks.

`Drain` is the algorithm of He et al. (ICWS 2017) with the parameters and the tie-breaking of the drain3
library's defaults (depth 4, similarity 0.4, 100 children, tokens with a digit are variables), written here
rather than imported: drain3 0.9.11 (its last release, July 2022) pins jsonpickle==1.5.1 and cachetools==4.2.1
exactly, which would downgrade them in a user's environment, and its package import costs ~70 ms. The tests
check that this Drain finds the same templates with the same counts as drain3 on real logs.

`mine_patterns(source)` yields a `Patterns` snapshot after the first chunk and then every `interval`
seconds, and a last one with `done`; the pane shows each one, the CLI prints the last. A record (a traceback
with its lines included) counts once, under its first line's message, level and time.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import eq

from mlops_tui.sources.logs.base import Cancelled, LogSource, never
from mlops_tui.sources.logs.histogram import Histogram
from mlops_tui.sources.logs.record import Level

PARAM = "<*>"
CHUNK = 5_000  # rows read per step: the first patterns show after this many; a step's records are in memory
LINE_LIMIT = 16_384  # characters of a line looked at
FINE_BINS = 1024  # time bins kept per template; the sparkline is rebinned from them


class Drain:
    """Drain's fixed-depth prefix tree: token count, then the first `depth - 2` tokens, then clusters."""

    def __init__(self, depth: int = 4, sim_th: float = 0.4, max_children: int = 100) -> None:
        self.max_node_depth = depth - 2
        self.sim_th = sim_th
        self.max_children = max_children
        self.root: dict = {}
        self.templates: list[list[str]] = []  # cluster id -> template tokens
        self.params: list[int] = []  # cluster id -> number of <*> in its template

    def template(self, cluster: int) -> str:
        return " ".join(self.templates[cluster])

    def add(self, tokens: list[str]) -> int:
        """The id of the cluster the message joins (a new one when none is similar enough)."""
        count = len(tokens)
        node = self.root.get(count)
        if node is not None:
            cluster, same = self._search(node, tokens, count)
            if cluster is not None:
                if same + self.params[cluster] != count:  # a word of the template differs: it becomes <*>
                    changed = [PARAM if a != b else b for a, b in zip(tokens, self.templates[cluster])]
                    self.templates[cluster] = changed
                    self.params[cluster] = changed.count(PARAM)
                return cluster
        cluster = len(self.templates)
        self.templates.append(list(tokens))
        self.params.append(tokens.count(PARAM))
        self._insert(cluster, tokens, count)
        return cluster

    def _search(self, node: dict, tokens: list[str], count: int) -> tuple[int | None, int]:
        """The most similar cluster (None: none similar enough) and how many of its words the message has."""
        if count == 0:
            return node["clusters"][0], 0
        depth = 1
        for token in tokens:
            if depth >= self.max_node_depth or depth == count:
                break
            children = node["children"]
            node = children.get(token) or children.get(PARAM)
            if node is None:
                return None, 0
            depth += 1
        best, best_sim, best_params, best_same = None, -1.0, -1, 0
        literal_param = PARAM in tokens
        templates, params = self.templates, self.params
        for cluster in node["clusters"]:
            template = templates[cluster]
            same = sum(map(eq, template, tokens))
            if literal_param:  # a <*> in the message matches no template position (drain3 skips them)
                same -= sum(1 for a, b in zip(template, tokens) if a == PARAM and b == PARAM)
            sim = same / count
            if sim > best_sim or (sim == best_sim and params[cluster] > best_params):
                best, best_sim, best_params, best_same = cluster, sim, params[cluster], same
        return (best, best_same) if best_sim >= self.sim_th else (None, 0)

    def _insert(self, cluster: int, tokens: list[str], count: int) -> None:
        node = self.root.get(count)
        if node is None:
            node = self.root[count] = {"children": {}, "clusters": []}
        if count == 0:
            node["clusters"] = [cluster]
            return
        depth = 1
        for token in tokens:
            if depth >= self.max_node_depth or depth >= count:
                node["clusters"].append(cluster)
                return
            children = node["children"]
            if token in children:
                node = children[token]
            else:
                if any(c.isdigit() for c in token):
                    key = PARAM
                elif PARAM in children:
                    key = token if len(children) < self.max_children else PARAM
                elif len(children) + 1 < self.max_children:
                    key = token
                else:
                    key = PARAM
                node = children.get(key) or children.setdefault(key, {"children": {}, "clusters": []})
            depth += 1


@dataclass(frozen=True)
class Pattern:
    """One template: its text (variables as <*>), how many records, the dominant level, when."""

    id: int
    template: str
    count: int
    share: float
    level: Level | None
    first: datetime | None
    last: datetime | None
    histogram: Histogram

    def sparkline(self, width: int = 12) -> str:
        """The histogram in `width` characters (buckets summed in equal groups)."""
        counts = self.histogram.counts
        size = max(1, -(-len(counts) // width))
        grouped = tuple(sum(counts[i:i + size]) for i in range(0, len(counts), size))
        return Histogram(grouped, self.histogram.start, self.histogram.end).bars()

    def to_json(self) -> dict:
        return {
            "id": self.id, "template": self.template, "count": self.count, "share": round(self.share, 6),
            "level": self.level.label if self.level is not None else None,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "histogram": list(self.histogram.counts),
        }


@dataclass(frozen=True)
class Patterns:
    """Templates found so far, most frequent first; `progress` 0..1 of the source's rows; `done` at the end."""

    patterns: tuple[Pattern, ...]
    records: int
    rows: int
    progress: float
    done: bool
    start: datetime | None
    end: datetime | None
    miner: PatternMiner

    def to_json(self) -> dict:
        return {
            "records": self.records, "rows": self.rows, "templates": len(self.patterns), "done": self.done,
            "start": self.start.isoformat() if self.start else None, "end": self.end.isoformat() if self.end else None,
            "patterns": [p.to_json() for p in self.patterns],
        }


_LEVELS = [None, *Level]
_LEVEL_SLOT = {level: n for n, level in enumerate(_LEVELS)}


class PatternMiner:
    """Drain plus what the view needs per template: level counts, first and last time, time bins, and the
    template of every row (so a filter can show a template's records, or all but some)."""

    def __init__(self, drain: Drain | None = None) -> None:
        self.drain = drain or Drain()
        self.labels = array("i")  # source row -> cluster id of its record (-1: before the first record)
        self.counts: list[int] = []
        self.levels: list[list[int]] = []
        self.first: list[datetime | None] = []
        self.last: list[datetime | None] = []
        self.span: list[list[float] | None] = []  # [first, last] as epoch seconds
        self.bins: list[dict[int, int]] = []
        self.records = 0
        self._resolution = 0.001  # seconds per time bin; doubles so the bins span at most FINE_BINS
        self._low: float | None = None
        self._high: float | None = None
        self._current = -1

    def add_row(self, record) -> None:
        """One source row: a record's first line joins a template; a continuation line its record's."""
        if record.continuation:
            self.labels.append(self._current)
            return
        cluster = self.drain.add(record.message.split())
        self._current = cluster
        self.labels.append(cluster)
        self.records += 1
        if cluster == len(self.counts):
            self.counts.append(0)
            self.levels.append([0] * len(_LEVELS))
            self.first.append(None)
            self.last.append(None)
            self.span.append(None)
            self.bins.append({})
        self.counts[cluster] += 1
        self.levels[cluster][_LEVEL_SLOT[record.level]] += 1
        stamp = record.timestamp
        if stamp is None:
            return
        epoch = stamp.timestamp()  # compared as numbers: merged files may mix naive and aware times
        span = self.span[cluster]
        if span is None:
            self.span[cluster] = [epoch, epoch]
            self.first[cluster] = self.last[cluster] = stamp
        elif epoch > span[1]:
            span[1] = epoch
            self.last[cluster] = stamp
        elif epoch < span[0]:
            span[0] = epoch
            self.first[cluster] = stamp
        if self._low is None:
            self._low = self._high = epoch
        elif epoch > self._high:
            self._high = epoch
        elif epoch < self._low:
            self._low = epoch
        while (self._high - self._low) / self._resolution > FINE_BINS:
            self._coarsen()
        key = int(epoch // self._resolution)
        bins = self.bins[cluster]
        bins[key] = bins.get(key, 0) + 1

    def _coarsen(self) -> None:
        self._resolution *= 2
        for number, bins in enumerate(self.bins):
            merged: dict[int, int] = {}
            for key, value in bins.items():
                merged[key // 2] = merged.get(key // 2, 0) + value
            self.bins[number] = merged

    def snapshot(self, progress: float, done: bool, buckets: int = 24) -> Patterns:
        total = max(1, self.records)
        low, high = self._low, self._high
        start = datetime.fromtimestamp(low, timezone.utc) if low is not None else None
        end = datetime.fromtimestamp(high, timezone.utc) if high is not None else None
        patterns = []
        for cluster, count in enumerate(self.counts):
            slots = self.levels[cluster]
            slot = max(range(len(slots)), key=lambda n: (slots[n], n > 0))
            patterns.append(Pattern(cluster, self.drain.template(cluster), count, count / total,
                                    _LEVELS[slot], self.first[cluster], self.last[cluster],
                                    self._histogram(cluster, buckets, start, end)))
        patterns.sort(key=lambda p: (-p.count, p.id))
        return Patterns(tuple(patterns), self.records, len(self.labels), progress, done, start, end, self)

    def _histogram(self, cluster: int, buckets: int, start: datetime | None, end: datetime | None) -> Histogram:
        counts = [0] * buckets
        if self._low is not None:
            span = (self._high - self._low) or 1.0
            for key, value in self.bins[cluster].items():
                counts[min(buckets - 1, max(0, int((key * self._resolution - self._low) / span * buckets)))] += value
        return Histogram(tuple(counts), start, end)

    def rows(self, keep: set[int] | None = None, drop: frozenset[int] = frozenset(), upto: int | None = None) -> array:
        """Source rows (in order) whose record is in a template of `keep` (None: any) and of none in `drop`."""
        labels = self.labels if upto is None else self.labels[:upto]
        if keep is not None:
            wanted = keep - drop
            return array("Q", (row for row, label in enumerate(labels) if label in wanted))
        return array("Q", (row for row, label in enumerate(labels) if label not in drop))


def mine_patterns(source: LogSource, cancelled: Cancelled = never, interval: float = 0.25, chunk: int = CHUNK,
                  wait: float = 0.05, miner: PatternMiner | None = None) -> Iterator[Patterns]:
    """Mine the source's rows in chunks: a snapshot after the first chunk, then one every `interval`
    seconds, and a last one with `done` once every row is mined and the source is fully indexed (a source
    still indexing in another thread is waited for, `wait` seconds at a time). Stops when `cancelled()`."""
    miner = miner or PatternMiner()
    row = len(miner.labels)
    last_post = None
    while not cancelled():
        total = source.row_count()
        if row >= total:
            if source.complete and source.row_count() == total:
                break
            time.sleep(wait)
            continue
        records = source.rows(row, min(chunk, total - row), LINE_LIMIT)
        if not records:
            break
        for record in records:
            miner.add_row(record)
        row += len(records)
        now = time.monotonic()
        if last_post is None or now - last_post >= interval:
            last_post = now
            yield miner.snapshot(_progress(source, row), False)
    if not cancelled():
        yield miner.snapshot(1.0, True)


def _progress(source: LogSource, row: int) -> float:
    total = max(1, source.row_count())
    return min(0.99, row / total * source.progress)


@dataclass(frozen=True)
class PatternFilter:
    """What the Logs view shows of the mined rows: one template's records (`only`), or all but `excluded`."""

    only: int | None = None
    excluded: frozenset[int] = frozenset()

    @property
    def active(self) -> bool:
        return self.only is not None or bool(self.excluded)

    def toggled(self, template: int) -> PatternFilter:
        """Exclude the template, or show it again; a filter on one template gives way to excluding."""
        excluded = self.excluded ^ {template}
        return PatternFilter(None, excluded)

    def rows(self, miner: PatternMiner, upto: int) -> array:
        """The source rows shown, among the first `upto` (the rows mined when the filter was set)."""
        keep = {self.only} if self.only is not None else None
        return miner.rows(keep, self.excluded, upto)

    def accepts(self, miner: PatternMiner, upto: int):
        """A test of one source row, the same as `rows` (to narrow a search filter's rows)."""
        labels, only, excluded = miner.labels, self.only, self.excluded
        if only is not None:
            return lambda row: row < upto and labels[row] == only
        return lambda row: row < upto and labels[row] not in excluded

    def describe(self, result: Patterns) -> str:
        """The bar's words for the filter (template text is untrusted: the caller shows it literally)."""
        if self.only is not None:
            text = next((p.template for p in result.patterns if p.id == self.only), "?")
            return f"pattern: {text[:60]}"
        count = len(self.excluded)
        return f"{count} pattern{'' if count == 1 else 's'} hidden"
