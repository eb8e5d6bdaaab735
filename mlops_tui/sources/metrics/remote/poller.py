"""The remote sources as the pane and the CLI both use them: opened once, asked on a schedule, and judged.

`RemotePoller` is the one owner of the remote sources' state: it opens the configured sources, runs every
fetch (fleet, range query, variable values) through `fleet`/`range`/`variable_values`, keeps the last good
fleet rows and chart series, and says how each source is doing: ok, slow, failing since T with the next
retry in N seconds. The Remote view renders what it reports; `mlops-tui metrics --source` fetches through
the same calls.

sources/http.RetryPolicy retries one request; this is the slower layer above it: a source whose refreshes
fail in a row is asked less often (period x 2^failures, at most MAX_BACKOFF x). Plain Python, thread-safe
(fetches run in worker threads), tested without a screen.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote import HostRow, RemoteSeries, RemoteSource
from mlops_tui.sources.metrics.remote.factory import SourceConfigError, open_source, source_names

MAX_BACKOFF = 8
SLOW_FRACTION = 0.5
"""A source is slow when one answer takes (or has been awaited for) more than this part of the refresh period:
its refreshes are about to pile up."""
QUERY_STATUSES = (400, 422)
"""HTTP statuses that blame the query, not the server: only that panel says so, the source stays healthy."""


def clock_text(at: float) -> str:
    """A wall-clock time as the pane shows it (local HH:MM:SS)."""
    return time.strftime("%H:%M:%S", time.localtime(at))


@dataclass
class SourceHealth:
    """Why a source fails and since when; failed refreshes in a row set the backoff."""

    failures: int = 0
    due: float = 0.0  # monotonic time of the next refresh
    reason: str = ""
    since: float | None = None  # wall-clock time of the first failure in a row
    counted: bool = False  # this refresh's failure is already in `failures`
    waiting_since: float | None = None  # monotonic start of the call now in flight
    took: float | None = None  # seconds the last answer took

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


class PollState(str, Enum):
    PENDING = "pending"  # not answered yet
    OK = "ok"
    SLOW = "slow"
    FAILING = "failing"


@dataclass(frozen=True)
class PollStatus:
    """How one source is doing, as the poller judges it at one moment."""

    source: str
    state: PollState
    reason: str = ""
    since: float | None = None  # wall clock: first failure in a row
    retry_in: float | None = None  # seconds to the next refresh due
    retrying: bool = False  # refreshes run on their own (else only when asked: no retry is promised)
    retrying_now: bool = False
    has_data: bool = False  # last good rows or series are kept

    def text(self) -> str:
        """One line: `reason (since 08:00:00, next retry in 30s)` for a failing source, the reason otherwise."""
        if self.state is not PollState.FAILING:
            return self.reason
        when = [f"since {clock_text(self.since)}"] if self.since is not None else []
        if self.retrying and self.retrying_now:
            when.append("retrying now")
        elif self.retrying and self.retry_in is not None:
            when.append(f"next retry in {max(1, math.ceil(self.retry_in))}s")
        return f"{self.reason} ({', '.join(when)})" if when else self.reason


class RemotePoller:
    """The configured remote sources, their schedule, health and last good data.

    `retrying`: whether refreshes are scheduled (the pane's autorefresh); without it a failing source's status
    names no next retry. `clock` is the wall clock (a stand-in freezes it for snapshots); the schedule runs on
    `monotonic`.
    """

    def __init__(self, period: float, sources: Mapping[str, RemoteSource], open_errors: Mapping[str, str] = (),
                 *, owned: bool = True, retrying: bool = True, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self.sources = dict(sources)
        self.open_errors = dict(open_errors)
        self.owned = owned
        self.retrying = retrying
        self.clock, self.monotonic = clock, monotonic
        self.health = {name: SourceHealth() for name in self.sources}
        self.fleet_rows: dict[str, list[HostRow]] = {}
        self.series: dict[str, tuple[str, list[RemoteSeries]]] = {}  # key -> (source, last good series)
        self._lock = threading.Lock()

    @classmethod
    def configured(cls, settings, sources: Mapping[str, RemoteSource] | None = None, **options) -> RemotePoller:
        """Every source of the metrics settings (or the given ones); one that cannot be opened is kept as an
        open error, named in the status, and the others work."""
        if sources is not None:
            return cls(settings.remote_refresh, sources, owned=False, **options)
        opened, errors = {}, {}
        for name in dict.fromkeys(source_names(settings)):
            try:
                opened[name] = open_source(settings, name)
            except SourceConfigError as exc:
                errors[name] = str(exc)
        return cls(settings.remote_refresh, opened, errors, **options)

    @classmethod
    def single(cls, settings, name: str, **options) -> RemotePoller:
        """Only the source `name`; SourceConfigError when it cannot be opened (the CLI's usage error)."""
        return cls(settings.remote_refresh, {name: open_source(settings, name)}, **options)

    def close(self) -> None:
        """Close the clients this poller opened (given sources belong to the caller)."""
        if not self.owned:
            return
        for source in self.sources.values():
            try:
                source.close()
            except Exception:  # closing a client must not break leaving the pane or the command
                pass

    # -- the schedule ---------------------------------------------------------------------------------
    def due(self, force: bool = False) -> list[str]:
        """Names of the sources to refresh now (all of them when forced); each is marked as started."""
        now = self.monotonic()
        with self._lock:
            names = [name for name, health in self.health.items() if force or health.is_due(now)]
            for name in names:
                self.health[name].refresh_started(now, self.period)
        return names

    # -- fetches: the pane's workers and the CLI call these --------------------------------------------
    def fleet(self, name: str, at: float | None = None) -> list[HostRow]:
        """The fleet rows of source `name`, kept as its last good rows; BackendError when it fails."""
        rows = self._call(name, lambda source: source.fleet(at=at))
        with self._lock:
            self.fleet_rows[name] = rows
        return rows

    def range(self, name: str, query: str, start: float, end: float, step: float,
              variables: Mapping[str, str] | None = None, key: str | None = None) -> list[RemoteSeries]:
        """A range query on source `name`; kept under `key` as last good series. A BackendError with a status of
        QUERY_STATUSES blames the query: the source's health is left alone."""
        series = self._call(name, lambda source: source.range_query(query, start, end, step, variables))
        if key is not None:
            with self._lock:
                self.series[key] = (name, series)
        return series

    def variable_values(self, name: str, key: str, variable: str = "") -> list[str]:
        """The values of a dashboard's $variable (`key` on source `name`); a failure's reason names it."""
        return self._call(name, lambda source: source.variable_values(key), f"${variable}: " if variable else "")

    def missing(self, name: str) -> str:
        """Why there is no source `name` to fetch from ("" when there is one)."""
        if name in self.sources:
            return ""
        return self.open_errors.get(name) or f"no metrics source named {name!r}"

    def host_charts(self, name: str, host: str):
        return self.sources[name].host_charts(host)

    def forget_series(self) -> None:
        """The charts were replaced: their series are no longer shown."""
        with self._lock:
            self.series.clear()

    def _call(self, name: str, call, label: str = ""):
        source = self.sources[name]
        started = self.monotonic()
        with self._lock:
            health = self.health.setdefault(name, SourceHealth())
            health.waiting_since = started
        try:
            result = call(source)
        except BackendError as exc:
            if exc.status not in QUERY_STATUSES:
                self.failed(name, f"{label}{exc}")
            else:  # the server answered: it is the query that is wrong
                with self._lock:
                    health.took = self.monotonic() - started
            raise
        except Exception as exc:  # a bug or an error the retry policy did not turn into a message
            self.failed(name, f"{label}{type(exc).__name__}: {exc}")
            raise
        else:
            now = self.monotonic()
            with self._lock:
                health.succeeded(now, self.period)
                health.took = now - started
            return result
        finally:
            with self._lock:
                health.waiting_since = None

    def failed(self, name: str, reason: str) -> None:
        """Record a failed refresh of `name` (the fetches do it themselves)."""
        with self._lock:
            self.health.setdefault(name, SourceHealth()).failed(reason, self.monotonic(), self.clock(), self.period)

    # -- what the pane shows -------------------------------------------------------------------------
    def rows(self) -> list[HostRow]:
        """The last good fleet rows of every source."""
        with self._lock:
            return [row for rows in self.fleet_rows.values() for row in rows]

    def failing(self) -> set[str]:
        with self._lock:
            return {name for name, health in self.health.items() if health.reason}

    def status(self, name: str) -> PollStatus:
        now = self.monotonic()
        with self._lock:
            health = self.health.get(name, SourceHealth())
            has_data = bool(self.fleet_rows.get(name)) or any(src == name and series
                                                              for src, series in self.series.values())
            if health.reason:
                return PollStatus(name, PollState.FAILING, health.reason, health.since, health.due - now,
                                  self.retrying, health.waiting_since is not None, has_data)
            slow_after = self.period * SLOW_FRACTION
            if health.waiting_since is not None and now - health.waiting_since > slow_after:
                return PollStatus(name, PollState.SLOW, f"slow: waiting {now - health.waiting_since:.0f}s for an "
                                  "answer", has_data=has_data)
            if health.took is not None and health.took > slow_after:
                return PollStatus(name, PollState.SLOW, f"slow: the last answer took {health.took:.1f}s",
                                  has_data=has_data)
            state = PollState.PENDING if health.took is None else PollState.OK
            return PollStatus(name, state, has_data=has_data)

    def summary(self) -> SourceStatus:
        """The one status of all remote sources: the first that cannot be opened, else the first failing, else
        the first slow one; loading until one has answered; ok otherwise."""
        if not self.sources and not self.open_errors:
            return SourceStatus.absent(
                "metrics.remote", "no remote sources: add metrics.prometheus or metrics.influxdb to the settings")
        if self.open_errors:
            name, error = next(iter(self.open_errors.items()))
            return SourceStatus.failing(f"metrics.{name}", error, "fix metrics.prometheus/metrics.influxdb")
        statuses = [self.status(name) for name in self.sources]
        for state in (PollState.FAILING, PollState.SLOW):
            status = next((s for s in statuses if s.state is state), None)
            if status is not None:
                shown = SourceState.OK if state is PollState.SLOW else (
                    SourceState.STALE if status.has_data else SourceState.FAILING)
                return SourceStatus(f"metrics.{status.source}", shown, status.text())
        if all(s.state is PollState.PENDING for s in statuses):
            return SourceStatus("metrics.remote", SourceState.LOADING, f"{len(self.sources)} source(s)")
        return SourceStatus.ok("metrics.remote", ", ".join(self.sources))

    def fleet_note(self) -> str:
        """Why the fleet has no host ("" when it has some, or while the first answers are awaited)."""
        if self.rows():
            return ""
        if not self.sources:
            if self.open_errors:
                return "no host: no remote source could be opened (see the note above)"
            return "no host: no remote source configured (add metrics.prometheus or metrics.influxdb)"
        statuses = [self.status(name) for name in self.sources]
        if any(s.state is PollState.PENDING for s in statuses):
            return ""
        reasons = []
        for status in statuses:
            if status.state is PollState.FAILING:
                reasons.append(f"{status.source} is failing")
                continue
            source = self.sources[status.source]
            settings = getattr(source, "settings", None)
            if getattr(source, "kind", "") == "prometheus":
                job = getattr(settings, "node_job", "")
                reasons.append(f"{status.source} answered with no node_exporter host"
                               + (f" (no scrape job matching node_job {job!r})" if job else ""))
            elif getattr(source, "kind", "") == "influxdb":
                database = getattr(settings, "database", "")
                reasons.append(f"{status.source} answered with no Telegraf host in the last hour"
                               + (f" (database {database!r})" if database else ""))
            else:
                reasons.append(f"{status.source} answered with no host")
        return "no host: " + "; ".join(reasons)

    def stale_notes(self) -> list[tuple[str, str]]:
        """(`tig: stale since 08:00:00`, reason) for each failing source whose last good rows are shown."""
        notes = []
        for name in self.sources:
            status = self.status(name)
            if status.state is PollState.FAILING and self.fleet_rows.get(name):
                notes.append((f"{name}: stale since {clock_text(status.since or self.clock())}", status.reason))
        return notes
