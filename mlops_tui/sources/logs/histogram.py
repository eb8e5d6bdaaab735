"""Hits over time in equal buckets, for the mini histogram beside the hit count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

BARS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Histogram:
    counts: tuple[int, ...]
    start: datetime | None
    end: datetime | None
    undated: int = 0

    def bars(self) -> str:
        """One character per bucket, the tallest bucket a full block; empty buckets are spaces."""
        top = max(self.counts, default=0)
        if not top:
            return " " * len(self.counts)
        return "".join(BARS[0 if c == 0 else max(1, round(c / top * (len(BARS) - 1)))] for c in self.counts)


def histogram(stamps: Iterable[datetime | None], buckets: int = 24) -> Histogram:
    """Count timestamps into `buckets` equal spans between the first and the last."""
    dated = []
    undated = 0
    for stamp in stamps:
        if stamp is None:
            undated += 1
        else:
            dated.append(stamp.timestamp())
    if not dated:
        return Histogram((0,) * buckets, None, None, undated)
    low, high = min(dated), max(dated)
    span = (high - low) or 1.0
    counts = [0] * buckets
    for value in dated:
        counts[min(buckets - 1, int((value - low) / span * buckets))] += 1
    from datetime import timezone

    return Histogram(tuple(counts), datetime.fromtimestamp(low, timezone.utc), datetime.fromtimestamp(high, timezone.utc), undated)
