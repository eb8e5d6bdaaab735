"""The remote poller without a screen: the refresh schedule (backoff after failures in a row, reset on success),
the status it reports, and the last good data it keeps."""

import pytest

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceState
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.factory import SourceConfigError
from mlops_tui.sources.metrics.remote.poller import MAX_BACKOFF, PollState, RemotePoller, SourceHealth


def test_failures_in_a_row_back_off_and_a_success_resets():
    health = SourceHealth()
    assert health.is_due(0.0)
    health.refresh_started(0.0, 15)
    health.failed("connection refused", 1.0, 1000.0, 15)
    health.failed("connection refused", 1.0, 1001.0, 15)  # a second panel of the same refresh
    assert (health.failures, health.due, health.since, health.reason) == (1, 31.0, 1000.0, "connection refused")
    for _ in range(5):
        health.refresh_started(health.due, 15)
        health.failed("down", health.due, 2000.0, 15)
    assert health.failures == 6 and health.backoff(15) == 15 * MAX_BACKOFF and health.since == 1000.0
    health.succeeded(500.0, 15)
    assert (health.failures, health.reason, health.since, health.due) == (0, "", None, 515.0)
    assert not health.is_due(514.0) and health.is_due(515.0)


class Clocks:
    """Stand-ins for the wall clock and the monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.wall, self.mono = 1_800_000_000.0, 100.0  # 08:00:00 UTC

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def poller_over(source, clocks: Clocks, **options) -> RemotePoller:
    settings = MetricsSettings(remote_refresh=15.0)
    return RemotePoller.configured(settings, {"prom": source}, clock=lambda: clocks.wall,
                                   monotonic=lambda: clocks.mono, **options)


def test_the_poller_reports_ok_then_failing_since_with_a_countdown_and_keeps_the_last_rows(utc):
    from remote.recorded import RecordedMetrics

    source, clocks = RecordedMetrics(), Clocks()
    poller = poller_over(source, clocks)
    assert poller.summary().state is SourceState.LOADING and poller.due() == ["prom"]
    rows = poller.fleet("prom")
    assert poller.status("prom").state is PollState.OK and poller.rows() == rows
    summary = poller.summary()
    assert (summary.name, summary.state, summary.reason) == ("metrics.remote", SourceState.OK, "prom")
    source.failing.add("fleet")
    clocks.advance(15)
    assert poller.due() == ["prom"]
    with pytest.raises(BackendError):
        poller.fleet("prom")
    status = poller.status("prom")
    assert (status.state, status.since, status.has_data) == (PollState.FAILING, clocks.wall, True)
    assert poller.rows() == rows  # the last good rows are kept
    assert poller.failing() == {"prom"}
    summary = poller.summary()
    assert (summary.name, summary.state) == ("metrics.prom", SourceState.STALE)
    assert summary.reason == "HTTP 500 Internal Server Error (since 08:00:15, next retry in 30s)"
    clocks.advance(12)
    assert poller.due() == [] and poller.status("prom").text().endswith("next retry in 18s)")
    assert poller.stale_notes() == [("prom: stale since 08:00:15", "HTTP 500 Internal Server Error")]
    source.failing.clear()
    clocks.advance(18)
    assert poller.due() == ["prom"]
    poller.fleet("prom")
    assert poller.summary().state is SourceState.OK and poller.stale_notes() == []


def test_a_failing_source_that_is_not_refreshed_on_its_own_promises_no_retry():
    from remote.recorded import RecordedMetrics

    source, clocks = RecordedMetrics(), Clocks()
    source.failing.add("fleet")
    poller = poller_over(source, clocks, retrying=False)
    with pytest.raises(BackendError):
        poller.fleet("prom")
    summary = poller.summary()
    assert summary.state is SourceState.FAILING  # nothing shown from it yet
    assert summary.reason.startswith("HTTP 500 Internal Server Error (since ") and "retry" not in summary.reason


def test_a_bad_query_blames_the_panel_not_the_source():
    class Refusing:
        name, kind = "prom", "prometheus"

        def range_query(self, *args, **kwargs):
            raise BackendError("bad_data: parse error", status=400)

    clocks = Clocks()
    poller = poller_over(Refusing(), clocks)
    with pytest.raises(BackendError):
        poller.range("prom", "rate(x[", 0.0, 60.0, 15.0)
    assert poller.status("prom").state is PollState.OK and poller.summary().state is SourceState.OK


def test_a_slow_answer_makes_the_source_slow():
    clocks = Clocks()

    class Slow:
        name, kind = "prom", "prometheus"

        def fleet(self, at=None):
            clocks.advance(9)  # more than half the 15 s refresh period
            return []

    poller = poller_over(Slow(), clocks)
    poller.fleet("prom")
    assert poller.status("prom").state is PollState.SLOW
    summary = poller.summary()
    assert (summary.name, summary.state, summary.reason) == ("metrics.prom", SourceState.OK,
                                                             "slow: the last answer took 9.0s")


def test_a_source_that_cannot_be_opened_is_named_and_the_cli_gets_a_usage_error():
    settings = MetricsSettings.model_validate({"prometheus": [{"name": "typo", "url": "http://[::1"}]})
    poller = RemotePoller.configured(settings)
    summary = poller.summary()
    assert summary.state is SourceState.FAILING and summary.name == "metrics.typo"
    assert summary.reason.startswith("source 'typo': invalid url")
    with pytest.raises(SourceConfigError, match="invalid url"):
        RemotePoller.single(settings, "typo")
    assert RemotePoller.configured(MetricsSettings()).summary().state is SourceState.ABSENT
