"""When each remote source is next asked, and how it is doing: the refresh schedule on the data floor.

sources/http.RetryPolicy retries one request; this is the slower layer above it: a source whose refreshes
fail in a row is asked less often (period x 2^failures, at most MAX_BACKOFF x), and keeps why and since
when it fails so the view can say "stale since". Plain Python, tested without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BACKOFF = 8


@dataclass
class SourceHealth:
    """Why a source fails and since when; failed refreshes in a row set the backoff."""

    failures: int = 0
    due: float = 0.0  # monotonic time of the next refresh
    reason: str = ""
    since: float | None = None  # wall-clock time of the first failure in a row
    counted: bool = False  # this refresh's failure is already in `failures`

    def backoff(self, period: float) -> float:
        return period * min(MAX_BACKOFF, 2 ** self.failures)

    def is_due(self, now: float) -> bool:
        return now >= self.due

    def refresh_started(self, now: float, period: float) -> None:
        self.due = now + self.backoff(period)
        self.counted = False

    def succeeded(self, now: float, period: float) -> None:
        self.failures, self.reason, self.since = 0, "", None
        self.due = now + period

    def failed(self, reason: str, now: float, wall: float, period: float) -> None:
        """Several panels failing in one refresh count as one failure."""
        if self.since is None:
            self.since = wall
        if not self.counted:
            self.failures += 1
            self.counted = True
        self.reason = reason
        self.due = now + self.backoff(period)
