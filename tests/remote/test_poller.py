"""The remote refresh schedule without a screen: backoff after failures in a row, reset on success."""

from mlops_tui.sources.metrics.remote.poller import MAX_BACKOFF, SourceHealth


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
