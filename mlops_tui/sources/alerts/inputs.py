"""Where a rule's samples come from: one class per kind of input, each with `sample(at) -> list[Sample]`.

`sample` raises an error whose str() is the reason (the rule then shows `error`), and returns an empty list
when the query has no series (the rule shows `no data`). Adding a kind of input is one class here and one
branch in `input_for`.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timezone
from typing import Protocol

from mlops_tui.settings.alerts import AlertRule
from mlops_tui.sources.alerts.rules import Sample


class RuleInputError(Exception):
    """A rule whose input cannot be built or read; the message is for the user."""


class RuleInput(Protocol):
    def sample(self, at: float) -> list[Sample]: ...

    def close(self) -> None: ...


class PrometheusInput:
    """A PromQL expression evaluated at the evaluation time (an instant query with `time`), one sample per series."""

    def __init__(self, backend, expr: str) -> None:
        self.backend, self.expr = backend, expr

    def sample(self, at: float) -> list[Sample]:
        out = []
        for series in self.backend.instant(self.expr, at):
            value = series.last()
            if value is not None:
                out.append(Sample({"__name__": series.name, **series.labels}, float(value)))
        return out

    def close(self) -> None:
        self.backend.close()


class InfluxInput:
    """An InfluxQL query over the window before the evaluation time ($__from/$__to bound), the last value of each
    series."""

    def __init__(self, backend, expr: str, window: float) -> None:
        self.backend, self.expr, self.window = backend, expr, window

    def sample(self, at: float) -> list[Sample]:
        out = []
        for series in self.backend.range_query(self.expr, at - self.window, at, self.window):
            values = [v for v in series.values if not math.isnan(v)]
            if values:
                out.append(Sample(dict(series.labels), float(values[-1])))
        return out

    def close(self) -> None:
        self.backend.close()


class LocalInput:
    """A series of this machine (`cpu`, `memory`, `swap`, `disk.read`, `net.rx`, `core0`, `gpu0.util`, ...: the
    names of `LocalSnapshot.series`), sampled now (local resources have no history to query at another time)."""

    def __init__(self, expr: str, sampler=None) -> None:
        from mlops_tui.sources.metrics.local import LocalMetricSource

        self.expr = expr
        self.sampler = sampler if sampler is not None else LocalMetricSource(top=0)

    def sample(self, at: float) -> list[Sample]:
        snapshot = self.sampler.sample()
        if snapshot is None:
            return []
        values = snapshot.series()
        if self.expr not in values:
            known = ", ".join(sorted(values))
            raise RuleInputError(f"no local series {self.expr!r} (known: {known})")
        value = values[self.expr]
        return [] if value is None else [Sample({"series": self.expr}, float(value))]

    def close(self) -> None:
        self.sampler.close()


class LogCountInput:
    """The number of log records matching a search (as typed in the Logs pane) whose time is in the window
    before the evaluation time. Records without a timestamp cannot be placed in a window and are not counted."""

    def __init__(self, source, expr: str, window: float) -> None:
        from mlops_tui.sources.logs.controller import parse_search
        from mlops_tui.sources.logs.query import Query

        self.source, self.window = source, window
        try:
            self.query = parse_search(expr) or Query("")
        except ValueError as exc:
            raise RuleInputError(f"not a log search: {exc}") from None

    def sample(self, at: float) -> list[Sample]:
        while self.source.refresh(None) and not self.source.complete:
            pass
        until = datetime.fromtimestamp(at, timezone.utc)
        since = datetime.fromtimestamp(at - self.window, timezone.utc)
        count = self.source.count(dataclasses.replace(self.query, since=since, until=until))
        return [Sample({}, float(count))]

    def close(self) -> None:
        self.source.close()


class ClusterCountInput:
    """The number of documents of a search-engine cluster (logs.opensearch / logs.elasticsearch) matching a KQL
    query whose timestamp is in the window before the evaluation time: the engine's exact count
    (`track_total_hits`), one size-0 search per evaluation."""

    def __init__(self, source, expr: str, window: float) -> None:
        from mlops_tui.sources.logs.kql import KqlSyntaxError, to_dsl

        self.source, self.expr, self.window = source, expr, window
        try:
            to_dsl(expr)  # a syntax error is the rule's error at once, before any request
        except KqlSyntaxError as exc:
            raise RuleInputError(f"not a KQL query: {exc}") from None

    def sample(self, at: float) -> list[Sample]:
        from mlops_tui.sources.http import BackendError

        until = datetime.fromtimestamp(at, timezone.utc)
        since = datetime.fromtimestamp(at - self.window, timezone.utc)
        try:
            page = self.source.search(self.expr, start=since, end=until, size=0)
        except BackendError as exc:
            raise RuleInputError(str(exc)) from None
        return [Sample({}, float(page.total))]

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


class RateInput:
    """Another input's series as their rate of change per second since the previous evaluation (a rule's
    `of: rate`): per series, keyed by its labels; a series seen for the first time has no rate yet."""

    def __init__(self, inner: RuleInput) -> None:
        self.inner = inner
        self._last: dict[tuple, tuple[float, float]] = {}  # labels -> (at, value) of the previous evaluation
        self.no_data_reason = ""

    def sample(self, at: float) -> list[Sample]:
        samples = self.inner.sample(at)
        rates: list[Sample] = []
        seen: dict[tuple, tuple[float, float]] = {}
        for sample in samples:
            key = tuple(sorted(sample.labels.items()))
            seen[key] = (at, sample.value)
            before = self._last.get(key)
            if before is not None and at > before[0]:
                rates.append(Sample(sample.labels, (sample.value - before[1]) / (at - before[0])))
        self._last = seen  # a series that vanished starts again when it comes back
        self.no_data_reason = ("a rate needs two evaluations: the next one gives it"
                               if samples and not rates else "")
        return rates

    def close(self) -> None:
        self.inner.close()


class DriftInput:
    """A drift score of two sample files, read now (files have no history): `dataset` (or an empty expr) is the
    share of drifted columns; a column name is its test's score (a p-value: drift when low; a distance: drift
    when high). The comparison is computed again only when either file changed (size or modification time)."""

    def __init__(self, reference: str, current: str, expr: str, test: str = "") -> None:
        self.reference, self.current, self.test = reference, current, test
        self.column = "" if expr in ("", "dataset") else expr
        self._key: tuple | None = None
        self._samples: list[Sample] = []

    def sample(self, at: float) -> list[Sample]:
        import os

        from mlops_tui.sources.drift import DriftInputError, DriftReadError, drift_files

        try:
            key = tuple((st.st_size, st.st_mtime_ns) for st in map(os.stat, (self.reference, self.current)))
        except OSError as exc:
            raise RuleInputError(f"{exc.filename}: cannot read: {exc.strerror}") from None
        if key == self._key:
            return self._samples
        tests = {self.column: (self.test, None)} if self.column and self.test else None
        try:
            report = drift_files(self.reference, self.current, [self.column] if self.column else None, tests)
        except (DriftInputError, DriftReadError) as exc:
            raise RuleInputError(str(exc)) from None
        if self.column:
            result = report.column(self.column)
            if result.test is None:
                samples = []  # no values to test: the rule shows `no data`
            else:
                samples = [Sample({"column": self.column, "test": result.test}, float(result.score))]
        else:
            samples = [Sample({"column": "dataset"}, report.share)] if report.tested else []
        self._key, self._samples = key, samples
        return samples

    def close(self) -> None:
        pass


class DriftWindowInput:
    """A drift score of a log field or a metric series over two time windows before each evaluation
    (`reference: 7d1h..7d`, `current: 1h`): both windows are read again at every evaluation."""

    def __init__(self, settings, rule: AlertRule) -> None:
        self.settings, self.rule, self.test = settings, rule, rule.test
        self.column = rule.log_field or "value"  # the one column of a window's sample

    def sample(self, at: float) -> list[Sample]:
        from mlops_tui.sources.drift import DriftInputError, DriftReadError, compare
        from mlops_tui.sources.drift.windows import window_samples

        rule = self.rule
        try:
            samples = window_samples(self.settings, rule.reference, rule.current, log_field=rule.log_field,
                                     search=rule.search, metric=rule.metric, source=rule.source,
                                     now=datetime.fromtimestamp(at, timezone.utc))
            tests = {self.column: (self.test, None)} if self.test else None
            result = compare(*samples, [self.column], tests).column(self.column)
        except (DriftInputError, DriftReadError) as exc:
            raise RuleInputError(str(exc)) from None
        if result.test is None:
            return []
        return [Sample({"column": self.column, "test": result.test}, float(result.score))]

    def close(self) -> None:
        pass


def input_for(rule: AlertRule, settings) -> RuleInput:
    """The input a rule reads, from the whole settings (as a rate when the rule says `of: rate`);
    RuleInputError saying what is wrong otherwise."""
    read = _input_for(rule, settings)
    return RateInput(read) if rule.of == "rate" else read


def _input_for(rule: AlertRule, settings) -> RuleInput:
    if rule.over_windows:
        return DriftWindowInput(settings, rule)
    if rule.kind == "drift":
        return DriftInput(rule.reference, rule.current, rule.expr, rule.test)
    if rule.kind == "log" and rule.source != "files":
        from mlops_tui.sources.http import EndpointConfigError
        from mlops_tui.sources.logs import QueryError
        from mlops_tui.sources.logs.search_engine import open_source as open_cluster

        try:
            cluster = open_cluster(settings.logs, rule.source)
        except (QueryError, EndpointConfigError) as exc:
            raise RuleInputError(str(exc)) from None
        return ClusterCountInput(cluster, rule.expr, rule.seconds("window"))
    if rule.kind == "log":
        from mlops_tui.sources.logs import LogOpenError, QueryError, custom_formats, open_files
        from mlops_tui.sources.logs.controller import default_files

        patterns = default_files((), settings.logs.files)
        if not patterns:
            raise RuleInputError("no log files: set logs.files=[PATH,...] or put files in ./logs/")
        try:
            source = open_files(patterns, custom_formats(settings.logs.formats), follow=False)
        except (LogOpenError, QueryError) as exc:
            raise RuleInputError(str(exc)) from None
        return LogCountInput(source, rule.expr, rule.seconds("window"))
    if rule.source == "local":
        return LocalInput(rule.expr)
    from mlops_tui.sources.metrics.remote.factory import SourceConfigError, open_source

    try:
        backend = open_source(settings.metrics, rule.source)
    except SourceConfigError as exc:
        raise RuleInputError(str(exc)) from None
    if backend.kind == "prometheus":
        return PrometheusInput(backend, rule.expr)
    return InfluxInput(backend, rule.expr, rule.seconds("window"))
